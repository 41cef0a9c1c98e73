/*
 * fuzz_url.c: url_parse (src/lib/url.c) and the redirect-URI rules built
 * on it (src/lib/oauth.c) over any bytes.
 *
 * Input: one URL, or two cut at the first newline: a registered redirect
 * URI and the one an authorization request names.
 *
 * Invariants: a parsed URL has a lower-case scheme and host, a path that
 * is empty or starts with '/', and, written out again from its parts,
 * parses to the same parts; its origin parses to the same scheme and host
 * with no path; a valid redirect URI is a secure URL without fragment,
 * user information or '*', and matches itself; a match between two
 * different strings is between two http loopback URLs that differ in the
 * port alone; a resource indicator is ours only if it is our URL.
 */
#include "config.h"

#include <ctype.h>
#include <strings.h>

#include "conf.h"
#include "oauth.h"
#include "url.h"
#include "xmalloc.h"

#include "fuzz.h"

static void
check_lower(const char *s)
{
	for (; *s != '\0'; s++)
		FUZZ_CHECK(!isupper((unsigned char)*s));
}

/* u written out again (without the user information it does not keep). */
static char *
unparse(const struct url *u)
{
	char	port[16] = "";

	if (u->port != 0)
		snprintf(port, sizeof(port), ":%u", u->port);
	return xasprintf("%s://%s%s%s%s%s%s%s", u->scheme, u->host, port,
	    u->path, u->query != NULL ? "?" : "",
	    u->query != NULL ? u->query : "", u->fragment != NULL ? "#" : "",
	    u->fragment != NULL ? u->fragment : "");
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Parse s[0..len); check what came out.  Returns url_parse's result. */
static int
check_url(const char *s, size_t len, struct url *u)
{
	struct url	 v;
	char		*t, *o;

	if (url_parse(s, len, u) == -1) {
		FUZZ_CHECK(u->scheme == NULL && u->host == NULL &&
		    u->path == NULL && u->query == NULL && u->fragment == NULL);
		return -1;
	}
	FUZZ_CHECK(u->scheme != NULL && u->host != NULL && u->path != NULL);
	FUZZ_CHECK(u->scheme[0] != '\0' && u->host[0] != '\0');
	check_lower(u->scheme);
	check_lower(u->host);
	FUZZ_CHECK(u->path[0] == '\0' || u->path[0] == '/');
	FUZZ_CHECK(u->port <= 65535);
	FUZZ_CHECK(memchr(s, '@', len) != NULL || !u->userinfo);

	t = unparse(u);
	FUZZ_CHECK(url_parse(t, strlen(t), &v) == 0);
	FUZZ_CHECK(strcmp(u->scheme, v.scheme) == 0 &&
	    strcmp(u->host, v.host) == 0 && u->port == v.port &&
	    strcmp(u->path, v.path) == 0 && same(u->query, v.query) &&
	    same(u->fragment, v.fragment) && !v.userinfo);
	url_free(&v);
	if (!u->userinfo && u->port == 0)
		FUZZ_CHECK(strncasecmp(t, s, len) == 0 || strlen(t) != len);
	free(t);

	o = url_origin(u);
	FUZZ_CHECK(url_parse(o, strlen(o), &v) == 0);
	FUZZ_CHECK(strcmp(u->scheme, v.scheme) == 0 &&
	    strcmp(u->host, v.host) == 0 && v.path[0] == '\0' &&
	    v.query == NULL && v.fragment == NULL);
	FUZZ_CHECK(v.port == u->port || v.port == 0);
	url_free(&v);
	free(o);
	return 0;
}

static void
check_redirect(const char *s, size_t len)
{
	struct url	 u;
	const char	*why = NULL;
	char		*z;
	int		 valid, parsed;

	valid = oauth_redirect_uri_valid(s, len, &why);
	FUZZ_CHECK(valid ? why == NULL : why != NULL);
	parsed = check_url(s, len, &u) == 0;
	if (valid) {
		FUZZ_CHECK(parsed && len <= OAUTH_URI_MAX);
		FUZZ_CHECK(u.fragment == NULL && !u.userinfo);
		FUZZ_CHECK(url_is_secure(&u));
		FUZZ_CHECK(memchr(s, '*', len) == NULL);
		z = fuzz_strndup(s, len);
		FUZZ_CHECK(oauth_redirect_uri_matches(z, z));
		FUZZ_CHECK(oauth_redirect_uri_is_loopback(z) ==
		    (strcmp(u.scheme, "http") == 0));
		free(z);
	}
	if (parsed)
		url_free(&u);
}

/*
 * Whether two parsed URLs without user information are written alike,
 * byte for byte, but for the port.
 */
static int
same_but_port(const char *x, const char *y)
{
	const char	*ax = strstr(x, "://") + 3, *ay = strstr(y, "://") + 3;
	const char	*hx, *hy, *ex, *ey;

	hx = *ax == '[' ? strchr(ax, ']') + 1 : ax + strcspn(ax, ":/?#");
	hy = *ay == '[' ? strchr(ay, ']') + 1 : ay + strcspn(ay, ":/?#");
	ex = hx + strcspn(hx, "/?#");
	ey = hy + strcspn(hy, "/?#");
	return hx - x == hy - y && memcmp(x, y, (size_t)(hx - x)) == 0 &&
	    strcmp(ex, ey) == 0;
}

static void
check_match(const char *reg, const char *req)
{
	struct url	a, b;

	if (!oauth_redirect_uri_matches(reg, req) || strcmp(reg, req) == 0)
		return;
	FUZZ_CHECK(url_parse(reg, strlen(reg), &a) == 0);
	FUZZ_CHECK(url_parse(req, strlen(req), &b) == 0);
	FUZZ_CHECK(strcmp(a.scheme, "http") == 0 &&
	    strcmp(b.scheme, "http") == 0);
	FUZZ_CHECK(url_host_is_loopback(a.host) && strcmp(a.host, b.host) == 0);
	FUZZ_CHECK(strcmp(a.path, b.path) == 0 && same(a.query, b.query));
	FUZZ_CHECK(b.fragment == NULL && !a.userinfo && !b.userinfo);
	FUZZ_CHECK(same_but_port(reg, req));
	url_free(&a);
	url_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf	 conf;
	struct fuzz_part	 part[2];
	struct url		 u;
	char			*s = fuzz_exact(data, size), *a, *b;
	size_t			 n;
	int			 ours;

	conf.mcp_url = (char *)(uintptr_t)"https://mcp.example.com/mcp";
	check_redirect(s, size);
	ours = oauth_resource_is_ours(&conf, s, size);
	if (ours) {
		FUZZ_CHECK(url_parse(s, size, &u) == 0);
		FUZZ_CHECK(strcmp(u.host, "mcp.example.com") == 0 &&
		    strcmp(u.path, "/mcp") == 0 && u.query == NULL &&
		    u.fragment == NULL);
		url_free(&u);
	}
	FUZZ_CHECK(!oauth_pkce_challenge_valid(s, size) ||
	    (size >= 43 && size <= 128));

	n = fuzz_split(data, size, '\n', part, 2);
	if (n == 2) {
		check_redirect(part[0].p, part[0].len);
		check_redirect(part[1].p, part[1].len);
		a = fuzz_strndup(part[0].p, part[0].len);
		b = fuzz_strndup(part[1].p, part[1].len);
		check_match(a, b);
		check_match(b, a);
		(void)url_host_is_loopback(a);
		free(a);
		free(b);
	}
	free(s);
	return 0;
}
