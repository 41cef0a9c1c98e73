/*
 * url.c: strict parsing of absolute URLs (see url.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"
#include "valid.h"
#include "xmalloc.h"

static int
is_unreserved(int c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static int
is_subdelim(int c)
{
	return c != '\0' && strchr("!$&'()*+,;=", c) != NULL;
}

/* pchar minus percent-encoding, plus what a given component allows. */
static int
component_ok(const char *s, size_t len, const char *extra)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)s[i];
		if (c == '%') {
			if (len - i < 3 || !isxdigit((unsigned char)s[i + 1]) ||
			    !isxdigit((unsigned char)s[i + 2]))
				return 0;
			i += 2;
			continue;
		}
		if (is_unreserved(c) || is_subdelim(c) || c == ':' ||
		    c == '@' || (c != '\0' && strchr(extra, c) != NULL))
			continue;
		return 0;
	}
	return 1;
}

static char *
lowerdup(const char *s, size_t len)
{
	char	*p = xstrndup(s, len);
	size_t	 i;

	for (i = 0; i < len; i++)
		p[i] = (char)tolower((unsigned char)p[i]);
	return p;
}

/*
 * Parse the absolute URL s[0..len) into u.  Returns 0, or -1 (u then
 * holds nothing to free) when s is not an absolute URL with an authority.
 * The caller frees a parsed u with url_free().
 */
int
url_parse(const char *s, size_t len, struct url *u)
{
	const char	*p, *end = s + len, *auth, *authend, *host, *hostend;
	const char	*q;
	size_t		 i;
	unsigned long long port;

	memset(u, 0, sizeof(*u));
	if (len == 0 || len > 2048)
		return -1;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return -1;

	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
	if (!isalpha((unsigned char)s[0]))
		return -1;
	for (p = s; p < end && *p != ':'; p++)
		if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-' &&
		    *p != '.')
			return -1;
	if (p == end || end - p < 3 || p[1] != '/' || p[2] != '/')
		return -1;
	q = p;			/* the ':' */
	auth = p + 3;
	for (authend = auth; authend < end && *authend != '/' &&
	    *authend != '?' && *authend != '#'; authend++)
		;

	/* userinfo is noted, never used: it has no place in our URLs */
	host = auth;
	for (p = auth; p < authend; p++)
		if (*p == '@') {
			u->userinfo = 1;
			host = p + 1;
		}
	if (host == authend)
		return -1;
	if (*host == '[') {
		/* IP-literal: hex digits, ':' and '.' between brackets */
		for (p = host + 1; p < authend && *p != ']'; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
				return -1;
		if (p == authend || p - host < 3)
			return -1;
		hostend = p + 1;
	} else {
		/* reg-name: unreserved, sub-delims and %XX (RFC 3986 §3.2.2) */
		for (p = host; p < authend && *p != ':'; p++)
			if (*p == '%') {
				if (authend - p < 3 ||
				    !isxdigit((unsigned char)p[1]) ||
				    !isxdigit((unsigned char)p[2]))
					return -1;
				p += 2;
			} else if (!is_unreserved((unsigned char)*p) &&
			    !is_subdelim((unsigned char)*p))
				return -1;
		hostend = p;
		if (hostend == host)
			return -1;
	}
	if (hostend < authend) {
		if (*hostend != ':' || authend - hostend < 2 ||
		    !valid_uint(hostend + 1, (size_t)(authend - hostend - 1),
		    1, 65535, &port))
			return -1;
		u->port = (unsigned)port;
	}

	/* path, query, fragment */
	for (p = authend; p < end && *p != '?' && *p != '#'; p++)
		;
	if (!component_ok(authend, (size_t)(p - authend), "/"))
		return -1;
	u->path = xstrndup(authend, (size_t)(p - authend));
	if (p < end && *p == '?') {
		const char *qs = ++p;
		for (; p < end && *p != '#'; p++)
			;
		if (!component_ok(qs, (size_t)(p - qs), "/?")) {
			url_free(u);
			return -1;
		}
		u->query = xstrndup(qs, (size_t)(p - qs));
	}
	if (p < end && *p == '#') {
		const char *fs = ++p;
		if (!component_ok(fs, (size_t)(end - fs), "/?")) {
			url_free(u);
			return -1;
		}
		u->fragment = xstrndup(fs, (size_t)(end - fs));
	}
	u->scheme = lowerdup(s, (size_t)(q - s));
	u->host = lowerdup(host, (size_t)(hostend - host));
	return 0;
}

void
url_free(struct url *u)
{
	free(u->scheme);
	free(u->host);
	free(u->path);
	free(u->query);
	free(u->fragment);
	memset(u, 0, sizeof(*u));
}

/*
 * Whether a (lower-cased) host names this machine's loopback interface:
 * "localhost", 127.0.0.0/8 in dotted-quad form, or [::1] (RFC 8252 §7.3,
 * RFC 6761 §6.3).  Such URLs may use plain http.
 */
int
url_host_is_loopback(const char *host)
{
	unsigned long long	 v;
	const char		*p = host, *dot;
	int			 i;

	if (strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
		return 1;
	if (strncmp(host, "127.", 4) != 0)
		return 0;
	for (i = 0; i < 4; i++) {
		dot = strchr(p, '.');
		if (i < 3 && dot == NULL)
			return 0;
		if (i == 3)
			dot = p + strlen(p);
		if (!valid_uint(p, (size_t)(dot - p), 0, 255, &v))
			return 0;
		p = dot + 1;
	}
	return dot[0] == '\0';
}

/* https anywhere, or http on a loopback host (SPEC S-01, AS-10). */
int
url_is_secure(const struct url *u)
{
	if (strcmp(u->scheme, "https") == 0)
		return 1;
	return strcmp(u->scheme, "http") == 0 && url_host_is_loopback(u->host);
}

/*
 * The origin of u (RFC 6454): "scheme://host[:port]", the port left out
 * when it is the scheme's default.  The caller frees the result.
 */
char *
url_origin(const struct url *u)
{
	if (u->port == 0 ||
	    (u->port == 443 && strcmp(u->scheme, "https") == 0) ||
	    (u->port == 80 && strcmp(u->scheme, "http") == 0))
		return xasprintf("%s://%s", u->scheme, u->host);
	return xasprintf("%s://%s:%u", u->scheme, u->host, u->port);
}
