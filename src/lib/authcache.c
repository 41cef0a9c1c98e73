/*
 * authcache.c: access tokens an MCP program checked with PostgreSQL, kept
 * in the process (FastCGI: it serves request after request), so that the
 * next request with the same token skips the database round trip that
 * would otherwise be most of its cost (bench/results/run-*.md).
 *
 * An entry is used only while three things hold:
 *  - its epoch is the current one (db_auth_epoch()): the connection it was
 *    checked on is still up and PostgreSQL has sent no notification on
 *    mcpgate_auth since, which sql/schema.sql's triggers send whenever an
 *    access token is revoked, changed or deleted or the tools change; so a
 *    revocation reaches a cached token as it reaches the database (TV-01,
 *    RV-01);
 *  - the token has not expired (TV-02: the seconds it had left by the
 *    database's clock when it was checked, counted on this process's
 *    monotonic clock, so that neither the web host's clock nor a step of
 *    it matters) and the check is less than token_cache_seconds old (the
 *    setting as it is now: lowering it takes effect at once), so that
 *    even a change no trigger saw is picked up;
 *  - the resource is the one it was checked for (TV-03: the audience is
 *    this MCP URL, which comes with each request's configuration).
 * Entries are keyed by the token's SHA-256 (never the token itself) and
 * compared in constant time.  Only valid tokens are cached: an unknown one
 * always asks PostgreSQL.  The table is direct-mapped (the hash is
 * uniform); a collision replaces the older entry.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "authcache.h"
#include "xmalloc.h"

#define SLOTS	256

struct slot {
	unsigned char	 hash[SECRET_HASHBYTES];
	unsigned long	 epoch;		/* 0: empty */
	long long	 checked;	/* authcache_now() at the check */
	long long	 until;		/* expires: usable while now < until */
	long long	 user_id;
	long long	 tools_gen;
	char		*resource;
	char		*client_id;
	char		*scope;
};

static struct slot	slots[SLOTS];

static struct slot *
slot_of(const unsigned char *hash)
{
	unsigned int	 v;

	memcpy(&v, hash, sizeof(v));
	return &slots[v % SLOTS];
}

static void
slot_empty(struct slot *s)
{
	free(s->resource);
	free(s->client_id);
	free(s->scope);
	sodium_memzero(s, sizeof(*s));
}

/* Seconds on the monotonic clock: the time base of the entries. */
long long
authcache_now(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		abort();
	return (long long)ts.tv_sec;
}

/*
 * 1 and *hit filled when the token with this hash was checked for resource
 * in this epoch, less than ttl seconds before now, and has not expired;
 * else 0.  Epoch 0 and ttl 0 are never a hit.  The strings in *hit are the
 * cache's: copy them before the next authcache_put().
 */
int
authcache_get(const unsigned char hash[SECRET_HASHBYTES], const char *resource,
    unsigned long epoch, long long now, long long ttl, struct authcache_hit *hit)
{
	struct slot	*s = slot_of(hash);

	if (epoch == 0 || ttl <= 0 || s->epoch != epoch || now >= s->until ||
	    now - s->checked >= ttl ||
	    sodium_memcmp(s->hash, hash, SECRET_HASHBYTES) != 0 ||
	    resource == NULL || strcmp(s->resource, resource) != 0)
		return 0;
	hit->user_id = s->user_id;
	hit->client_id = s->client_id;
	hit->scope = s->scope;
	hit->tools_gen = s->tools_gen;
	return 1;
}

/*
 * Remember a token PostgreSQL found valid for resource: checked in epoch
 * (read before the check was sent) at now, with left seconds to live.
 * Epoch 0 (no connection to trust) stores nothing.  The strings are
 * copied; they must not be the cache's own (a hit's).
 */
void
authcache_put(const unsigned char hash[SECRET_HASHBYTES], const char *resource,
    unsigned long epoch, long long now, long long left, long long user_id,
    const char *client_id, const char *scope, long long tools_gen)
{
	struct slot	*s = slot_of(hash);

	if (epoch == 0 || left <= 0 || resource == NULL || client_id == NULL ||
	    scope == NULL)
		return;
	slot_empty(s);
	memcpy(s->hash, hash, SECRET_HASHBYTES);
	s->epoch = epoch;
	s->checked = now;
	s->until = now + left;
	s->user_id = user_id;
	s->tools_gen = tools_gen;
	s->resource = xstrdup(resource);
	s->client_id = xstrdup(client_id);
	s->scope = xstrdup(scope);
}

/* Forget everything (the unit test). */
void
authcache_clear(void)
{
	size_t	 i;

	for (i = 0; i < SLOTS; i++)
		slot_empty(&slots[i]);
}
