/*
 * tap.c: TAP output for the C tests (see tap.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static int	tests, failed;

static void	vresult(int, const char *, va_list)
		    __attribute__((__format__(__printf__, 2, 0)));

static void
vresult(int pass, const char *fmt, va_list ap)
{
	tests++;
	if (!pass)
		failed++;
	printf("%sok %d - ", pass ? "" : "not ", tests);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

int
ok(int pass, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vresult(pass, fmt, ap);
	va_end(ap);
	return pass;
}

int
is_int(long long got, long long want, const char *fmt, ...)
{
	va_list	ap;
	int	pass = got == want;

	va_start(ap, fmt);
	vresult(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#   got: %lld\n#  want: %lld\n", got, want);
	return pass;
}

int
is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list	ap;
	int	pass;

	pass = (got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0);
	va_start(ap, fmt);
	vresult(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#   got: %s%s%s\n#  want: %s%s%s\n",
		    got ? "\"" : "", got ? got : "NULL", got ? "\"" : "",
		    want ? "\"" : "", want ? want : "NULL", want ? "\"" : "");
	return pass;
}

void
note(const char *fmt, ...)
{
	va_list	ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/*
 * Skip the whole test program: "1..0 # SKIP why", exit 0 — unless
 * REQUIRE_INTEGRATION=1 (CI), where a skip would hide a missing
 * dependency, so it fails instead.
 */
void
skip_all(const char *why)
{
	const char	*req = getenv("REQUIRE_INTEGRATION");

	if (req != NULL && strcmp(req, "1") == 0) {
		printf("1..1\nnot ok 1 - required but unavailable: %s\n", why);
		exit(1);
	}
	printf("1..0 # SKIP %s\n", why);
	exit(0);
}

int
done_testing(void)
{
	printf("1..%d\n", tests);
	if (failed)
		printf("# failed %d of %d\n", failed, tests);
	return failed ? 1 : 0;
}
