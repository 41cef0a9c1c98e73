/*
 * fuzz_cookie.c: cookie_get (src/lib/cookie.c) over any Cookie header.
 *
 * The input is the header value (cut at a NUL, as the environment would
 * cut it); the names looked up are the session cookie's two names and a
 * short one.  Invariants: a value found is non-empty, holds no ';' and
 * no NUL, occurs in the header, and is found again in a header that
 * holds it alone; a name given twice yields nothing.
 */
#include "config.h"

#include "cookie.h"

#include "fuzz.h"

#define COOKIE_MAX	4096	/* as in cookie.c: longer headers are ignored */

static const char *const names[] = {
	"__Host-mcpgate_session", "mcpgate_session", "a",
};

static void
check(const char *h, const char *name)
{
	char	*v, *h2, *v2;
	size_t	 vl;

	if ((v = cookie_get(h, name)) == NULL)
		return;
	vl = strlen(v);
	FUZZ_CHECK(vl > 0 && vl <= strlen(h));
	FUZZ_CHECK(strchr(v, ';') == NULL);
	FUZZ_CHECK(strstr(h, v) != NULL);
	/* alone in a header: the same value, unless quoting or blanks differ */
	if (v[0] != '"' && v[vl - 1] != ' ' && v[vl - 1] != '\t' &&
	    2 * (strlen(name) + vl) + 3 <= COOKIE_MAX) {
		h2 = malloc(strlen(name) + vl + 2);
		sprintf(h2, "%s=%s", name, v);
		v2 = cookie_get(h2, name);
		FUZZ_CHECK(v2 != NULL && strcmp(v, v2) == 0);
		free(v2);
		/* repeated: ambiguous, so refused */
		h2 = realloc(h2, 2 * (strlen(name) + vl + 2) + 2);
		sprintf(h2, "%s=%s; %s=%s", name, v, name, v);
		FUZZ_CHECK(cookie_get(h2, name) == NULL);
		free(h2);
	}
	free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*h = fuzz_strndup(data, size);
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		check(h, names[i]);
	FUZZ_CHECK(cookie_get(NULL, "a") == NULL);
	free(h);
	return 0;
}
