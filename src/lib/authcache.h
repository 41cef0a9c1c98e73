/*
 * authcache.h: access tokens an MCP program checked with PostgreSQL,
 * kept in the process so that the next request with the same token needs
 * no round trip (authcache.c; issue #7's stretch target).
 */
#ifndef AUTHCACHE_H
#define AUTHCACHE_H

#include "secret.h"

/* What a check found; the strings are the cache's, valid until the next put. */
struct authcache_hit {
	long long	 user_id;
	const char	*client_id;
	const char	*scope;
	long long	 tools_gen;
};

int	authcache_get(const unsigned char [SECRET_HASHBYTES], const char *,
	    unsigned long, long long, long long, struct authcache_hit *);
void	authcache_put(const unsigned char [SECRET_HASHBYTES], const char *,
	    unsigned long, long long, long long, long long, const char *,
	    const char *, long long);
void	authcache_clear(void);
long long authcache_now(void);

#endif
