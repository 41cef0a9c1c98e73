/*
 * test_authcache.c: the process's cache of checked access tokens
 * (src/lib/authcache.c): a hit only in the epoch the token was checked in,
 * before its end, for the resource it was checked for (TV-01..TV-03); the
 * through-PostgreSQL behaviour (notifications, revocation) is
 * tests/integration/t102-token-cache.t's.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "authcache.h"
#include "secret.h"
#include "tap.h"

#define MCP	"https://example.org/mcp"

static void
hash_of(const char *token, unsigned char h[SECRET_HASHBYTES])
{
	secret_hash(token, strlen(token), h);
}

int
main(void)
{
	unsigned char		 a[SECRET_HASHBYTES], b[SECRET_HASHBYTES];
	unsigned char		 c[SECRET_HASHBYTES];
	struct authcache_hit	 hit;
	char			 tok[32];
	unsigned int		 va, vc;
	int			 i;

	if (!ok(secret_init() == 0, "libsodium initialises"))
		return done_testing();
	hash_of("token a", a);
	hash_of("token b", b);

	ok(!authcache_get(a, MCP, 1, 100, 60, &hit), "an empty cache has nothing");
	/* checked at 100 with 100 seconds left: it expires at 200 */
	authcache_put(a, MCP, 7, 100, 100, 42, "client-1", "mcp:read", 3);
	ok(authcache_get(a, MCP, 7, 100, 60, &hit), "a token checked in epoch 7 is a hit in epoch 7");
	ok(hit.user_id == 42 && strcmp(hit.client_id, "client-1") == 0 &&
	    strcmp(hit.scope, "mcp:read") == 0 && hit.tools_gen == 3,
	    "  with what the check found");
	ok(!authcache_get(a, MCP, 8, 100, 60, &hit),
	    "TV-01: not after the epoch moved on (a notification, a new connection)");
	ok(!authcache_get(a, MCP, 0, 100, 60, &hit), "never in epoch 0 (no connection to trust)");
	ok(!authcache_get(a, MCP, 7, 100, 0, &hit), "never with token_cache_seconds 0");
	ok(authcache_get(a, MCP, 7, 159, 60, &hit) && !authcache_get(a, MCP, 7, 160, 60, &hit),
	    "token_cache_seconds (60) after the check it is checked again");
	ok(!authcache_get(a, MCP, 7, 150, 30, &hit),
	    "  the setting as it is now: lowered to 30, a check 50 s old is stale");
	ok(authcache_get(a, MCP, 7, 199, 3600, &hit) && !authcache_get(a, MCP, 7, 200, 3600, &hit),
	    "TV-02: however long the setting, not once the token has expired");
	ok(!authcache_get(a, "https://example.org/other", 7, 100, 60, &hit),
	    "TV-03: not for another resource");
	ok(!authcache_get(b, MCP, 7, 100, 60, &hit), "another token is not a hit");

	authcache_put(b, MCP, 0, 100, 100, 1, "x", "y", 1);
	ok(!authcache_get(b, MCP, 0, 100, 60, &hit) && !authcache_get(b, MCP, 1, 100, 60, &hit),
	    "nothing is stored in epoch 0");
	authcache_put(b, MCP, 7, 100, 0, 1, "x", "y", 1);
	ok(!authcache_get(b, MCP, 7, 100, 60, &hit), "nor a token with no time left");
	authcache_put(b, MCP, 7, 100, 100, 43, "client-2", "mcp:read mcp:write", 3);
	ok(authcache_get(b, MCP, 7, 100, 60, &hit) && hit.user_id == 43 &&
	    authcache_get(a, MCP, 7, 100, 60, &hit) && hit.user_id == 42,
	    "two tokens side by side");
	ok(authcache_now() >= 0, "the monotonic clock reads");

	/* a token with the same slot as a: the later one replaces it */
	memcpy(&va, a, sizeof(va));
	for (i = 0; i < 100000; i++) {
		snprintf(tok, sizeof(tok), "other %d", i);
		hash_of(tok, c);
		memcpy(&vc, c, sizeof(vc));
		if (vc % 256 == va % 256 && memcmp(a, c, sizeof(a)) != 0)
			break;
	}
	if (ok(i < 100000, "found a token that shares a's slot")) {
		authcache_put(c, MCP, 7, 100, 100, 44, "client-3", "mcp:read", 3);
		ok(authcache_get(c, MCP, 7, 100, 60, &hit) && hit.user_id == 44 &&
		    !authcache_get(a, MCP, 7, 100, 60, &hit),
		    "  the later check replaces the earlier one, never answers for it");
	}
	authcache_put(a, MCP, 9, 100, 200, 45, "client-1", "mcp:read", 4);
	ok(authcache_get(a, MCP, 9, 100, 60, &hit) && hit.user_id == 45 && hit.tools_gen == 4,
	    "a check in a new epoch replaces the old entry");
	authcache_clear();
	ok(!authcache_get(a, MCP, 9, 100, 60, &hit) && !authcache_get(b, MCP, 7, 100, 60, &hit),
	    "cleared: nothing left");
	return done_testing();
}
