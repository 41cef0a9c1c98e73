/*
 * form.h: application/x-www-form-urlencoded decoding (query strings and
 * POST bodies) into a program's declared fields.
 *
 * A program declares the fields it accepts in a table (kcgi's kvalid,
 * Kore's "validate"): name, validator, length limit.  form_parse fills
 * one struct field per declared entry; undeclared names are dropped
 * unseen, a declared name given twice is an error (OAuth forbids repeated
 * parameters, RFC 6749 §3.1), an embedded NUL or a broken %-escape is an
 * error, and every value is valid UTF-8 before any validator sees it.
 */
#ifndef FORM_H
#define FORM_H

#include <stddef.h>

#define FORM_MAXPAIRS	64	/* name=value pairs in one form */
#define FORM_MAXLEN	4096	/* default limit of one decoded value */

struct field {
	char		*val;	/* decoded and NUL-terminated; NULL if absent */
	size_t		 len;
	long long	 num;	/* set by numeric validators */
};

struct field_spec {
	const char	*name;
	int		(*valid)(struct field *);	/* NULL: any text */
	size_t		 maxlen;			/* 0: FORM_MAXLEN */
};

int	form_parse(const char *, size_t, const struct field_spec *, size_t,
	    struct field *, char *, size_t)
	    __attribute__((__warn_unused_result__));
void	form_free(struct field *, size_t);
int	form_decode(const char *, size_t, char **, size_t *)
	    __attribute__((__warn_unused_result__));

#endif
