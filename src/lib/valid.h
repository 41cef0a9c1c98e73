/*
 * valid.h: small pure validators over (pointer, length) pairs.
 *
 * Each returns 1 when the input is acceptable (filling any parsed value)
 * and 0 when it is not, touching nothing else (kcgi's kvalid_* shape).
 * None of them trusts a NUL terminator: lengths are explicit, and an
 * embedded NUL is always a rejection.
 */
#ifndef VALID_H
#define VALID_H

#include <stddef.h>

int	valid_uint(const char *, size_t, unsigned long long,
	    unsigned long long, unsigned long long *);
int	valid_duration(const char *, size_t, long long, long long, long long *);
int	valid_utf8(const char *, size_t);
int	valid_text(const char *, size_t);
int	valid_scope_token(const char *, size_t);
int	valid_scope_list(const char *, size_t);

#endif
