/*
 * oauth.h: the OAuth 2.1 rules that are pure functions of their input:
 * redirect URIs (registration and matching), PKCE challenges, the
 * resource indicator, scopes.  Rule ids are SPEC.md's.
 */
#ifndef OAUTH_H
#define OAUTH_H

#include <stddef.h>

struct conf;

#define OAUTH_URI_MAX		2000	/* bytes in a redirect URI */
#define OAUTH_REDIRECTS_MAX	10	/* redirect URIs per client */

int	oauth_redirect_uri_valid(const char *, size_t, const char **);
int	oauth_redirect_uri_matches(const char *, const char *);
int	oauth_redirect_uri_is_loopback(const char *);
int	oauth_pkce_challenge_valid(const char *, size_t);
int	oauth_resource_is_ours(const struct conf *, const char *, size_t);
char	*oauth_scope_request(const struct conf *, const char *, const char *,
	    const char **);
int	oauth_scope_subset(const char *, const char *);

#endif
