/*
 * fuzz.h: what the libFuzzer targets of tests/fuzz share (built only with
 * ./configure --enable-fuzzing; run by make check-fuzz, tests/fuzz/run.sh).
 *
 * A target does more than survive its input: it checks, where it is cheap,
 * what the parser promises (decoded values are valid UTF-8 and within
 * their limits, escaped output holds no markup, what is printed parses
 * back to the same thing).  A broken promise is reported like a crash.
 * No target touches a database or the network.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

/* From the sanitizer runtime: written where its reports go. */
void	__sanitizer_report_error_summary(const char *);

static inline void __attribute__((__noreturn__))
fuzz_fail(const char *file, int line, const char *what)
{
	char	msg[512];

	/*
	 * make check-fuzz closes stderr (-close_fd_mask=2: the library logs
	 * there); the sanitizer's report descriptor is still open.
	 */
	snprintf(msg, sizeof(msg), "%s:%d: invariant failed: %s", file, line,
	    what);
	__sanitizer_report_error_summary(msg);
	abort();
}

/* An invariant of the code under test. */
#define FUZZ_CHECK(cond) do {						\
	if (!(cond))							\
		fuzz_fail(__FILE__, __LINE__, #cond);			\
} while (0)

/* d[0..n) as a NUL-terminated string (it may hold other NULs); free() it. */
static inline char *
fuzz_strndup(const void *d, size_t n)
{
	char	*p = malloc(n + 1);

	if (p == NULL)
		abort();
	if (n > 0)
		memcpy(p, d, n);
	p[n] = '\0';
	return p;
}

/* d[0..n) in a buffer of exactly n bytes, for ASan to see overreads. */
static inline char *
fuzz_exact(const void *d, size_t n)
{
	char	*p = malloc(n > 0 ? n : 1);

	if (p == NULL)
		abort();
	if (n > 0)
		memcpy(p, d, n);
	return p;
}

/* One piece of an input cut at a separator byte. */
struct fuzz_part {
	const char	*p;
	size_t		 len;
};

/*
 * Cut d[0..n) at the first max - 1 bytes sep into at most max parts; the
 * last part holds the rest.  Returns how many parts there are (>= 1).
 */
static inline size_t
fuzz_split(const void *d, size_t n, char sep, struct fuzz_part *part,
    size_t max)
{
	const char	*p = d, *end = p + n, *q;
	size_t		 k = 0;

	while (k + 1 < max && p < end &&
	    (q = memchr(p, sep, (size_t)(end - p))) != NULL) {
		part[k].p = p;
		part[k++].len = (size_t)(q - p);
		p = q + 1;
	}
	part[k].p = p;
	part[k++].len = (size_t)(end - p);
	return k;
}

#endif
