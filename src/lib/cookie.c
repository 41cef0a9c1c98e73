/*
 * cookie.c: cookies (see cookie.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cookie.h"
#include "http.h"
#include "xmalloc.h"

#define COOKIE_MAX	4096	/* longer Cookie headers are not parsed */

/*
 * The value of cookie name in the Cookie header value header (may be
 * NULL), or NULL when absent, empty, repeated (ambiguous: which one did
 * the browser mean?) or malformed.  The caller frees the result.
 */
char *
cookie_get(const char *header, const char *name)
{
	const char	*p, *end, *eq, *v, *ve;
	size_t		 nl = strlen(name);
	char		*found = NULL;

	if (header == NULL || strlen(header) > COOKIE_MAX)
		return NULL;
	for (p = header; *p != '\0'; p = *end ? end + 1 : end) {
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strcspn(p, ";");
		if ((eq = memchr(p, '=', (size_t)(end - p))) == NULL)
			continue;
		if ((size_t)(eq - p) != nl || memcmp(p, name, nl) != 0)
			continue;
		v = eq + 1;
		ve = end;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (ve - v >= 2 && *v == '"' && ve[-1] == '"') {
			v++;
			ve--;
		}
		if (found != NULL) {
			free(found);
			return NULL;
		}
		if (ve == v)
			return NULL;
		found = xstrndup(v, (size_t)(ve - v));
	}
	return found;
}

/*
 * Set (or, with value NULL, clear) the login-session cookie: HttpOnly,
 * SameSite=Lax (sent on the top-level redirect back from a client, never
 * on a cross-site POST), Path=/; on an https issuer also Secure with the
 * __Host- prefix, which binds it to our exact origin (SPEC S-07).
 * max_age in seconds.
 */
void
cookie_set_session(struct req *r, const char *name, const char *value,
    long long max_age)
{
	int	secure = strncmp(name, "__Host-", 7) == 0;

	if (value == NULL)
		(void)resp_header(r, "Set-Cookie",
		    "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax%s",
		    name, secure ? "; Secure" : "");
	else
		(void)resp_header(r, "Set-Cookie",
		    "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Lax%s",
		    name, value, max_age, secure ? "; Secure" : "");
}
