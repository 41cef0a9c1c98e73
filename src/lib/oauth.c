/*
 * oauth.c: OAuth 2.1 validators (see oauth.h).  Each function cites the
 * rule it implements; tests/unit/test_oauth.c has the tables.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "oauth.h"
#include "url.h"
#include "valid.h"
#include "xmalloc.h"

/*
 * Whether s[0..len) may be registered as a redirect URI (AZ-07, DCR-08):
 * absolute, at most OAUTH_URI_MAX bytes, no fragment, no userinfo, no
 * wildcard, and https, or http on a loopback host (RFC 8252 §7.3).
 * Anything else (javascript:, data:, relative, custom schemes) is
 * refused.  On refusal *why (if not NULL) says why, for the client.
 */
int
oauth_redirect_uri_valid(const char *s, size_t len, const char **why)
{
	struct url	u;
	const char	*w = NULL;

	if (len > OAUTH_URI_MAX)
		w = "a redirect URI is longer than 2000 bytes";
	else if (memchr(s, '*', len) != NULL)
		w = "wildcards are not allowed in redirect URIs";
	else if (url_parse(s, len, &u) == -1)
		w = "a redirect URI must be an absolute https URL";
	else {
		if (u.fragment != NULL)
			w = "a redirect URI must not have a fragment";
		else if (u.userinfo)
			w = "a redirect URI must not carry user information";
		else if (!url_is_secure(&u))
			w = "a redirect URI must use https (http only on localhost, 127.0.0.1 or [::1])";
		url_free(&u);
	}
	if (w != NULL && why != NULL)
		*why = w;
	return w == NULL;
}

/* Whether a registered redirect URI is an http loopback one. */
int
oauth_redirect_uri_is_loopback(const char *s)
{
	struct url	u;
	int		rc;

	if (url_parse(s, strlen(s), &u) == -1)
		return 0;
	rc = strcmp(u.scheme, "http") == 0 && url_host_is_loopback(u.host);
	url_free(&u);
	return rc;
}

/*
 * Where the host of the parsed URL s (no user information) ends as
 * written: after the ']' of an IP literal, else at the port's ':' or the
 * end of the authority.
 */
static const char *
host_end(const char *s)
{
	const char	*h = strstr(s, "://") + 3;

	return *h == '[' ? strchr(h, ']') + 1 : h + strcspn(h, ":/?#");
}

/*
 * Whether the redirect URI of an authorization request matches a
 * registered one (AZ-05): exact string comparison, with one exception,
 * http loopback URIs, where the port may differ (RFC 8252 §7.3: native
 * apps listen on an ephemeral port), and a registered URI without a port
 * admits any port.  Everything but the port must still be written alike,
 * byte for byte: scheme, host, path and query, and neither may carry
 * user information or a fragment.
 */
int
oauth_redirect_uri_matches(const char *registered, const char *requested)
{
	struct url	 a, b;
	const char	*ha, *hb;
	int		 rc = 0;

	if (strcmp(registered, requested) == 0)
		return 1;
	if (url_parse(registered, strlen(registered), &a) == -1)
		return 0;
	if (url_parse(requested, strlen(requested), &b) == -1) {
		url_free(&a);
		return 0;
	}
	if (strcmp(a.scheme, "http") == 0 && strcmp(b.scheme, "http") == 0 &&
	    url_host_is_loopback(a.host) && !a.userinfo && !b.userinfo &&
	    a.fragment == NULL && b.fragment == NULL) {
		/*
		 * url_parse lower-cases scheme and host, so compare the text:
		 * up to the end of the host, and from the end of the port on
		 * (found by tests/fuzz/fuzz_url: "HTTP://127.0.0.1/cb" and
		 * "http://127.0.0.1:4/cb" used to match).
		 */
		ha = host_end(registered);
		hb = host_end(requested);
		rc = ha - registered == hb - requested &&
		    memcmp(registered, requested, (size_t)(ha - registered)) == 0 &&
		    strcmp(ha + strcspn(ha, "/?#"), hb + strcspn(hb, "/?#")) == 0;
	}
	url_free(&a);
	url_free(&b);
	return rc;
}

/*
 * A PKCE code challenge (RFC 7636 §4.2, AZ-08): for S256 the base64url
 * SHA-256 of the verifier, but any 43..128 unreserved characters are
 * syntactically allowed.
 */
int
oauth_pkce_challenge_valid(const char *s, size_t len)
{
	size_t	i;

	if (len < 43 || len > 128)
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '.' && s[i] != '_' && s[i] != '~')
			return 0;
	return 1;
}

/*
 * Whether a resource indicator (RFC 8707 §2, AZ-09) designates our MCP
 * endpoint.  Scheme and host compare case-insensitively (PRM-09), a
 * default port is ignored, and an origin's lone trailing slash is
 * dropped (clients send "https://host/" for origin resources); the rest
 * must be exactly the canonical URL (PRM-05, PRM-08): no fragment, no
 * query, no trailing slash after the path.
 */
int
oauth_resource_is_ours(const struct conf *c, const char *s, size_t len)
{
	struct url	 u;
	char		*origin, *full;
	int		 rc;

	if (url_parse(s, len, &u) == -1)
		return 0;
	if (u.fragment != NULL || u.query != NULL || u.userinfo) {
		url_free(&u);
		return 0;
	}
	origin = url_origin(&u);
	full = xasprintf("%s%s", origin, strcmp(u.path, "/") == 0 ? "" : u.path);
	rc = strcmp(full, c->mcp_url) == 0;
	free(origin);
	free(full);
	url_free(&u);
	return rc;
}

/* Whether word w[0..wl) is one of the space-separated words of list. */
static int
in_list(const char *list, const char *w, size_t wl)
{
	const char	*p = list;
	size_t		 n;

	while (*p != '\0') {
		n = strcspn(p, " ");
		if (n == wl && memcmp(p, w, wl) == 0)
			return 1;
		p += n;
		while (*p == ' ')
			p++;
	}
	return 0;
}

/* Whether every word of sub is in super (both space-separated). */
int
oauth_scope_subset(const char *sub, const char *super)
{
	const char	*p = sub;
	size_t		 n;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if ((n = strcspn(p, " ")) == 0)
			break;
		if (!in_list(super, p, n))
			return 0;
		p += n;
	}
	return 1;
}

static const char *const oidc_scopes =
    "openid profile email address phone offline_access";

/*
 * The scope to grant for a request (AZ-10, SPEC CLIENTS §3b): the
 * requested value's words, separated by any whitespace; OpenID Connect
 * scopes dropped (we are not an OpenID provider, and refresh tokens come
 * without offline_access); each remaining one must be one of ours and,
 * if the client registered a scope, one of its.  An empty request means
 * the default scopes.  The result lists the scopes in the configuration's
 * order, so equal grants compare equal.  Returns it (the caller frees)
 * or NULL with *why set (the error is invalid_scope).
 */
char *
oauth_scope_request(const struct conf *c, const char *client_scope,
    const char *requested, const char **why)
{
	struct buf	 want, out;
	const char	*p, *q;
	size_t		 n;

	buf_init(&want, 4096);
	buf_init(&out, 4096);
	for (p = requested != NULL ? requested : ""; *p != '\0';) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		for (n = 0; p[n] != '\0' && p[n] != ' ' && p[n] != '\t' &&
		    p[n] != '\r' && p[n] != '\n'; n++)
			;
		if (n == 0)
			break;
		if (!valid_scope_token(p, n)) {
			*why = "a requested scope is malformed";
			goto fail;
		}
		if (!in_list(oidc_scopes, p, n)) {
			if (!in_list(c->scopes, p, n)) {
				*why = "a requested scope is not offered by this server";
				goto fail;
			}
			if (client_scope != NULL && *client_scope != '\0' &&
			    !in_list(client_scope, p, n)) {
				*why = "a requested scope was not registered by this client";
				goto fail;
			}
			if ((want.len > 0 && buf_addc(&want, ' ') == -1) ||
			    buf_add(&want, p, n) == -1) {
				*why = "too many scopes requested";
				goto fail;
			}
		}
		p += n;
	}
	if (want.len == 0) {
		/* the defaults, as far as the client registered them */
		for (p = c->default_scopes; *p != '\0'; p += n) {
			while (*p == ' ')
				p++;
			n = strcspn(p, " ");
			if (client_scope == NULL || *client_scope == '\0' ||
			    in_list(client_scope, p, n)) {
				if ((want.len > 0 && buf_addc(&want, ' ') == -1) ||
				    buf_add(&want, p, n) == -1)
					goto fail;
			}
		}
		if (want.len == 0) {
			*why = "no scope requested, and the client registered none of the default scopes";
			goto fail;
		}
	}
	/* canonical order: the configuration's */
	for (q = c->scopes; *q != '\0'; q += n) {
		while (*q == ' ')
			q++;
		n = strcspn(q, " ");
		if (n > 0 && in_list(buf_str(&want), q, n)) {
			if ((out.len > 0 && buf_addc(&out, ' ') == -1) ||
			    buf_add(&out, q, n) == -1)
				goto fail;
		}
	}
	buf_free(&want);
	return buf_steal(&out);
fail:
	buf_free(&want);
	buf_free(&out);
	return NULL;
}
