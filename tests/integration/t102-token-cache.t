#!/bin/bash
# t102-token-cache.t -- the MCP program's cache of checked access tokens
# (src/lib/authcache.c, token_cache_seconds) through lighttpd against real
# PostgreSQL: a cached token needs no round trip (the program's PostgreSQL
# backend is stopped with SIGSTOP and the request is still answered), and
# every change that invalidates a token reaches the cache at once through
# LISTEN/NOTIFY (TV-01..TV-03, RV-01, RT-03): revocation at /mcp/revoke, by
# SQL, expiry, another audience, a deleted user, a changed tool list, a
# restarted PostgreSQL; token_cache_seconds bounds what no trigger saw, and
# 0 turns the cache off.
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres lighttpd jq sha256sum
it_db t102 "$top_srcdir/sql/demo.sql"
it_user demo 'demo password 1'
it_user eve 'eve password 12'
it_config login_limit_user=1000 login_limit_ip=1000
# one process per program: the requests below meet the cache they filled
STACK_LIGHTTPD_MAX_PROCS=1 it_lighttpd
CB=https://client.example/cb
http POST /mcp/register -H 'Content-Type: application/json' --data-binary '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"none"}'
CID=$(http_json .client_id)
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
# grant USER PASSWORD -- sets AT and RT (a fresh grant)
grant() {
	local c
	c=$(it_code "$CID" "$CB" "$1" "$2")
	http POST /mcp/token --data "grant_type=authorization_code&code=$c&client_id=$CID&code_verifier=$IT_VERIFIER&redirect_uri=$(it_urlencode "$CB")"
	AT=$(http_json .access_token) RT=$(http_json .refresh_token)
}
# list [curl args] -- tools/list with $AT
list() {
	http POST /mcp -H 'Content-Type: application/json' -H "Authorization: Bearer $AT" \
	    -H 'MCP-Protocol-Version: 2025-06-18' "$@" \
	    --data-binary '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
}
# the mcp program's PostgreSQL backend(s)
backends() { it_psql "SELECT pid FROM pg_stat_activity WHERE application_name = 'mcpgate-mcp'"; }
tokpsql() { it_psql "$1 WHERE token_hash = decode('$(sha "$AT")', 'hex')" >/dev/null; }
# list_stopped SECONDS -- list while the program's PostgreSQL backend is
# stopped (SIGSTOP): HTTP_STATUS 000 when no answer came within SECONDS
list_stopped() {
	local pids
	pids=$(backends)
	# shellcheck disable=SC2086 # one pid per line
	kill -STOP $pids
	list --max-time "$1"
	# shellcheck disable=SC2086
	kill -CONT $pids
}

# ---- a cached token needs no round trip ----------------------------------------------------
grant demo 'demo password 1'
list
is "$HTTP_STATUS/$(http_json '.result.tools | length')" "200/2" "tools/list with a fresh token → 200 (checked with PostgreSQL, then cached)"
isnt "$(backends)" "" "the program's backend is connected"
list_stopped 3
is "$HTTP_STATUS/$(http_json '.result.tools | length')" "200/2" \
    "the same token again while its PostgreSQL backend is stopped → 200 (no round trip)"
list
is "$HTTP_STATUS" 200 "  and after it goes on again"

# ---- every change reaches the cache at once (LISTEN/NOTIFY) --------------------------------
http POST /mcp/revoke --data "token=$RT&client_id=$CID"
is "$HTTP_STATUS" 200 "RV-01: the grant's refresh token revoked at /mcp/revoke"
list
is "$HTTP_STATUS" 401 "RV-01: its cached access token → 401 at once"

grant demo 'demo password 1'; list; list
tokpsql "UPDATE mcpgate.tokens SET revoked_at = now()"
list
is "$HTTP_STATUS" 401 "TV-01: a cached token revoked by SQL → 401"

grant demo 'demo password 1'; list; list
tokpsql "UPDATE mcpgate.tokens SET expires_at = now() - interval '1 second', created_at = now() - interval '2 hours'"
list
is "$HTTP_STATUS" 401 "TV-02: a cached token expired by SQL → 401"

grant demo 'demo password 1'; list; list
tokpsql "UPDATE mcpgate.tokens SET resource = 'https://other.example/mcp'"
list
is "$HTTP_STATUS" 401 "TV-03: a cached token moved to another audience → 401"

grant demo 'demo password 1'; list; list
it_psql "UPDATE mcpgate.token_families SET revoked_at = now(), revoke_reason = 'test' WHERE family_id = (SELECT family_id FROM mcpgate.tokens WHERE token_hash = decode('$(sha "$AT")', 'hex'))" >/dev/null
list
is "$HTTP_STATUS" 401 "RT-03: a cached token whose family is revoked (reuse, user-disable.sql) → 401"

grant eve 'eve password 12'; list; list
is "$HTTP_STATUS" 200 "eve's token, cached"
it_psql "DELETE FROM mcpgate.users WHERE username = 'eve'" >/dev/null
list
is "$HTTP_STATUS" 401 "a cached token of a deleted user → 401"

grant demo 'demo password 1'; list; list
it_psql "UPDATE mcpgate.tools SET enabled = false WHERE name = 'fetch'" >/dev/null
list
is "$HTTP_STATUS/$(http_json '[.result.tools[].name] | join(",")')" "200/search" \
    "a tool disabled by SQL is gone from the next tools/list of a cached token"
it_psql "UPDATE mcpgate.tools SET enabled = true WHERE name = 'fetch'" >/dev/null
list
is "$(http_json '[.result.tools[].name] | join(",")')" "search,fetch" "  and back when enabled again"

# ---- a restarted PostgreSQL: what it would have said is lost, so nothing cached is trusted ----
grant demo 'demo password 1'; list; list
it_pg_stop >/dev/null 2>&1
it_pg_start >/dev/null 2>&1
tokpsql "UPDATE mcpgate.tokens SET revoked_at = now()"
list
is "$HTTP_STATUS" 401 "a token cached before PostgreSQL restarted, revoked after → 401"
grant demo 'demo password 1'; list
is "$HTTP_STATUS" 200 "  and a valid one → 200 on the new connection"

# ---- token_cache_seconds: the bound for what no trigger saw, and 0 --------------------------
it_config login_limit_user=1000 login_limit_ip=1000 token_cache_seconds=5
grant demo 'demo password 1'; list; list
it_psql "ALTER TABLE mcpgate.tokens DISABLE TRIGGER tokens_notify_auth_update" >/dev/null
tokpsql "UPDATE mcpgate.tokens SET revoked_at = now()"
it_psql "ALTER TABLE mcpgate.tokens ENABLE TRIGGER tokens_notify_auth_update" >/dev/null
list
is "$HTTP_STATUS" 200 "a revocation no trigger notified: the cached token still passes…"
sleep 5.2
list
is "$HTTP_STATUS" 401 "  …until token_cache_seconds (5 s here) after its check → 401"

# a connection made while a notifying trigger is disabled (or a database
# without them) LISTENs to nothing: then nothing is cached
it_config login_limit_user=1000 login_limit_ip=1000
it_psql "ALTER TABLE mcpgate.tokens DISABLE TRIGGER tokens_notify_auth_delete" >/dev/null
it_psql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'mcpgate-mcp'" >/dev/null
grant demo 'demo password 1'; list; list
is "$HTTP_STATUS" 200 "with a notifying trigger disabled, a new connection: a valid token → 200"
like "$(cat "$IT_FE_DIR"/*.log 2>/dev/null)" 'triggers that notify mcpgate_auth are missing or disabled' \
    "  and the log says the tokens are not cached"
list_stopped 2
is "$HTTP_STATUS" 000 "  every request asks PostgreSQL (no answer while its backend is stopped)"
it_psql "ALTER TABLE mcpgate.tokens ENABLE TRIGGER tokens_notify_auth_delete" >/dev/null
it_psql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'mcpgate-mcp'" >/dev/null
list; list
list_stopped 3
is "$HTTP_STATUS" 200 "  enabled again, the next connection caches again"

it_config login_limit_user=1000 login_limit_ip=1000 token_cache_seconds=0
grant demo 'demo password 1'; list; list
is "$HTTP_STATUS" 200 "token_cache_seconds = 0: a valid token → 200"
list_stopped 2
is "$HTTP_STATUS" 000 "  every request asks PostgreSQL: with its backend stopped there is no answer"
list
is "$HTTP_STATUS" 200 "  and the program goes on once the backend does"
done_testing
