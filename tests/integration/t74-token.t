#!/bin/bash
# t74-token.t -- the token and revocation endpoints through lighttpd
# against real PostgreSQL (SPEC TK-01..TK-13, RT-01..RT-07, RV-01, S-11,
# S-12, S-17, S-19, S-24): client authentication in its three forms, the
# authorization_code grant with PKCE and every binding, single use with
# the duplicate window and revocation on a valid replay, refresh rotation
# with the grace window and reuse detection, revocation, and the
# concurrency real clients produce (parallel requests).
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres lighttpd jq perl sha256sum
export STACK_LIGHTTPD_MAX_PROCS=6	# real parallelism at the database
it_db t74
it_user demo 'demo password 1'
# (many sign-ins below: lift the login limits t72 tests)
it_config scopes="mcp:read mcp:write" default_scopes="mcp:read" login_limit_user=1000 login_limit_ip=1000
it_lighttpd
B=$IT_URL
CB=https://client.example/cb
T=/mcp/token

register() {
	http POST /mcp/register -H 'Content-Type: application/json' --data-binary "$1" >/dev/null
	printf '%s %s' "$(http_json .client_id)" "$(http_json '.client_secret // ""')"
}
read -r PUB _ <<<"$(register '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"none"}')"
read -r POST POST_SECRET <<<"$(register '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"client_secret_post"}')"
read -r BASIC BASIC_SECRET <<<"$(register '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"client_secret_basic"}')"
read -r NOREF _ <<<"$(register '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"none","grant_types":["authorization_code"]}')"
tok() { http POST $T "$@"; }
code() { it_code "$1" "$CB" demo 'demo password 1' "${2:-}"; }
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
tokrow() { it_psql "SELECT kind || ',' || (revoked_at IS NULL) FROM mcpgate.tokens WHERE token_hash = decode('$(sha "$1")', 'hex')"; }
famrevoked() { it_psql "SELECT count(*) FROM mcpgate.token_families WHERE revoked_at IS NOT NULL"; }

# ---- TK-01, S-19: the request itself ----------------------------------------------
http GET $T
is "$HTTP_STATUS" 405 "TK-01: GET → 405"
tok -H 'Content-Type: application/json' --data '{"grant_type":"authorization_code"}'
is "$HTTP_STATUS" 415 "TK-01: a JSON body → 415"
tok --data "client_id=$PUB"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_request" "grant_type missing → invalid_request"
is "$(http_header Cache-Control)" no-store "TK-02: no-store on errors too"
like "$(http_header Content-Type)" '^application/json' "TK-02: JSON errors"
for g in password implicit client_credentials urn:ietf:params:oauth:grant-type:device_code; do
	tok --data "grant_type=$g&client_id=$PUB"
	is "$HTTP_STATUS/$(http_json .error)" "400/unsupported_grant_type" "S-19: grant_type=$g → unsupported_grant_type"
done
tok --data "grant_type=authorization_code&grant_type=refresh_token&client_id=$PUB"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_request" "TK-01: a repeated parameter → invalid_request"

# ---- authorization_code grant, public client ----------------------------------------
c=$(code "$PUB")
like "$c" '^[A-Za-z0-9_-]{43}$' "a code from the pages"
tok --data "grant_type=authorization_code&code=$c&redirect_uri=$(it_urlencode $CB)&client_id=$PUB&code_verifier=$IT_VERIFIER&resource=$(it_urlencode "$B/mcp")"
is "$HTTP_STATUS" 200 "TK-06: a valid exchange (public client, PKCE, redirect_uri, resource) → 200"
is "$(http_header Cache-Control)" no-store "TK-02, S-17: Cache-Control: no-store"
AT=$(http_json .access_token); RT=$(http_json .refresh_token)
like "$AT" '^[A-Za-z0-9_-]{43}$' "TK-13: a 256-bit opaque access token"
is "$(http_json .token_type)" Bearer "TK-03: token_type Bearer"
is "$(http_json .expires_in)" 3600 "TK-03: expires_in (access_token_lifetime)"
like "$RT" '^[A-Za-z0-9_-]{43}$' "RT-01: a refresh token"
is "$(http_json .scope)" mcp:read "TK-03: scope"
is "$(tokrow "$AT")" "access,true" "S-24: the access token is stored as its hash"
is "$(tokrow "$RT")" "refresh,true" "  and the refresh token"
is "$(it_psql "SELECT resource || ' ' || scope || ' ' || extract(epoch FROM expires_at - created_at)::int FROM mcpgate.tokens WHERE token_hash = decode('$(sha "$AT")', 'hex')")" \
    "$B/mcp mcp:read 3600" "TK-10: the token's audience is the MCP URL; scope and lifetime stored"
"$(_stack_pg_bindir)/pg_dump" -d "$IT_DB" >"$IT_DIR/dump.sql" 2>/dev/null
grep -q -e "$AT" -e "$RT" -e "$c" "$IT_DIR/dump.sql"; ok "$((! $?))" "S-24: no code or token in a database dump"

# ---- single use, the duplicate window, replay (TK-08) ----------------------------------
tok --data "grant_type=authorization_code&code=$c&client_id=$PUB&code_verifier=$IT_VERIFIER"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_grant" "TK-08: the code works once (an immediate duplicate → invalid_grant)"
is "$(tokrow "$AT")" "access,true" "  an immediate duplicate revokes nothing (ChatGPT's double request)"
is "$(it_psql "SELECT count(*) FROM mcpgate.audit_log WHERE event = 'code_duplicate'")" 1 "  audited as code_duplicate"
it_psql "UPDATE mcpgate.authorization_codes SET consumed_at = now() - interval '1 minute' WHERE code_hash = decode('$(sha "$c")', 'hex')" >/dev/null
tok --data "grant_type=authorization_code&code=$c&client_id=$PUB&code_verifier=wrong-verifier-wrong-verifier-wrong-verifier"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_grant" "RFC 9700 §4.2.4: an invalid replay → invalid_grant"
is "$(tokrow "$AT")" "access,true" "  and revokes nothing"
tok --data "grant_type=authorization_code&code=$c&client_id=$POST&client_secret=$POST_SECRET&code_verifier=$IT_VERIFIER"
is "$(tokrow "$AT")" "access,true" "  nor does a replay by another client"
tok --data "grant_type=authorization_code&code=$c&client_id=$PUB&code_verifier=$IT_VERIFIER"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_grant" "TK-08: a later valid replay → invalid_grant"
is "$(tokrow "$AT")" "access,false" "TK-08, S-11: and revokes the access token issued from the code"
is "$(tokrow "$RT")" "refresh,false" "  and the refresh token"
is "$(it_psql "SELECT count(*) FROM mcpgate.audit_log WHERE event = 'code_replay'")" 1 "  audited as code_replay"

# ---- every binding of the code (TK-06, TK-07, TK-09, TK-10) -----------------------------
c=$(code "$PUB")
tok --data "grant_type=authorization_code&code=$c&client_id=$PUB"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_request" "TK-06: code_verifier missing → invalid_request"
tok --data "grant_type=authorization_code&code=$c&client_id=$PUB&code_verifier=${IT_VERIFIER%?}A"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_grant" "TK-06: a wrong verifier → invalid_grant"
tok --data "grant_type=authorization_code&code=$c&client_id=$PUB&code_verifier=$IT_CHALLENGE"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_grant" "TK-07, S-10: the challenge itself as verifier (plain downgrade) → invalid_grant"
tok --data "grant_type=authorization_code&code=$c&client_id=$PUB&code_verifier=$IT_VERIFIER&redirect_uri=$(it_urlencode https://client.example/other)"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_grant" "TK-09: a different redirect_uri → invalid_grant"
tok --data "grant_type=authorization_code&code=$c&client_id=$POST&client_secret=$POST_SECRET&code_verifier=$IT_VERIFIER"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_grant" "TK-06: another client's code → invalid_grant"
tok --data "grant_type=authorization_code&code=$c&client_id=$PUB&code_verifier=$IT_VERIFIER&resource=$(it_urlencode https://other.example/mcp)"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_target" "TK-10: a foreign resource → invalid_target"
tok --data "grant_type=authorization_code&code=$c&client_id=$PUB&code_verifier=$IT_VERIFIER"
is "$HTTP_STATUS" 200 "TK-09: redirect_uri may be omitted (OAuth 2.1); none of the refusals consumed the code"
c=$(code "$PUB")
it_psql "UPDATE mcpgate.authorization_codes SET expires_at = now() - interval '1 second', created_at = now() - interval '11 minutes' WHERE code_hash = decode('$(sha "$c")', 'hex')" >/dev/null
tok --data "grant_type=authorization_code&code=$c&client_id=$PUB&code_verifier=$IT_VERIFIER"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_grant" "S-11: an expired code → invalid_grant"
tok --data "grant_type=authorization_code&code=not-a-code&client_id=$PUB&code_verifier=$IT_VERIFIER"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_grant" "a malformed code → invalid_grant"

# ---- client authentication (TK-04, TK-11, TK-12) ----------------------------------------
c=$(code "$POST")
tok --data "grant_type=authorization_code&code=$c&client_id=$POST&client_secret=wrong&code_verifier=$IT_VERIFIER"
is "$HTTP_STATUS/$(http_json .error)" "401/invalid_client" "TK-11: a wrong client_secret_post → 401 invalid_client"
is "$(http_header WWW-Authenticate)" "" "  without WWW-Authenticate (no Authorization header was used)"
tok --data "grant_type=authorization_code&code=$c&client_id=$POST&code_verifier=$IT_VERIFIER"
is "$HTTP_STATUS/$(http_json .error)" "401/invalid_client" "TK-04: a confidential client without its secret → 401"
tok --data "grant_type=authorization_code&code=$c&client_id=$POST&client_secret=$POST_SECRET&code_verifier=$IT_VERIFIER"
is "$HTTP_STATUS" 200 "TK-04: client_secret_post → 200 (failed attempts did not consume the code)"
c=$(code "$BASIC")
tok -u "$BASIC:wrong" --data "grant_type=authorization_code&code=$c&code_verifier=$IT_VERIFIER"
is "$HTTP_STATUS/$(http_json .error)" "401/invalid_client" "TK-11: a wrong Basic secret → 401 invalid_client"
like "$(http_header WWW-Authenticate)" '^Basic realm=' "TK-11: with WWW-Authenticate: Basic"
tok -u "$BASIC:$BASIC_SECRET" --data "grant_type=authorization_code&code=$c&code_verifier=$IT_VERIFIER&client_secret=$BASIC_SECRET"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_request" "TK-04: Basic and client_secret together → invalid_request"
tok -u "$BASIC:$BASIC_SECRET" --data "grant_type=authorization_code&code=$c&code_verifier=$IT_VERIFIER&client_id=$PUB"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_request" "TK-04: a client_id differing from Basic → invalid_request"
enc_id=$(printf '%s' "$BASIC" | sed 's/-/%2D/g; s/_/%5F/g')
tok -H "Authorization: Basic $(printf '%s:%s' "$enc_id" "$BASIC_SECRET" | base64 -w0)" --data "grant_type=authorization_code&code=$c&code_verifier=$IT_VERIFIER&client_id=$BASIC"
is "$HTTP_STATUS" 200 "TK-04: client_secret_basic, form-urldecoded after base64 (RFC 6749 §2.3.1)"
BASIC_RT=$(http_json .refresh_token)
tok --data "grant_type=authorization_code&code=whatever&client_id=nosuchclient&code_verifier=$IT_VERIFIER"
is "$HTTP_STATUS/$(http_json .error)" "401/invalid_client" "TK-12: an unknown client → 401 invalid_client (clients re-register)"
tok --data "grant_type=authorization_code&code=whatever&client_id=$PUB&client_secret=guess&code_verifier=$IT_VERIFIER"
is "$HTTP_STATUS/$(http_json .error)" "401/invalid_client" "a public client that sends a secret → 401"
tok -H "Authorization: Bearer $AT" --data "grant_type=authorization_code&code=x&client_id=$PUB"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_request" "a Bearer token is not client authentication → 400"
http POST /token --data "grant_type=authorization_code&code=x&client_id=nosuchclient"
is "$HTTP_STATUS" 401 "AS-04: /token at the origin reaches the program"

# ---- refresh: rotation, narrowing, reuse (RT-01..RT-07) ------------------------------------
c=$(code "$PUB" "&scope=$(it_urlencode 'mcp:read mcp:write')")
tok --data "grant_type=authorization_code&code=$c&client_id=$PUB&code_verifier=$IT_VERIFIER"
is "$(http_json .scope)" "mcp:read mcp:write" "a grant with two scopes"
AT1=$(http_json .access_token); RT1=$(http_json .refresh_token)
tok --data "grant_type=refresh_token&refresh_token=$RT1&client_id=$PUB"
is "$HTTP_STATUS" 200 "RT-03: refresh → 200"
AT2=$(http_json .access_token); RT2=$(http_json .refresh_token)
isnt "$RT2" "$RT1" "RT-03, RT-07: a new refresh token every time"
isnt "$AT2" "$AT1" "  and a new access token"
is "$(http_json .scope)" "mcp:read mcp:write" "RT-04: the same scope"
is "$(it_psql "SELECT (rotated_at IS NOT NULL) || ',' || (successor_hash = decode('$(sha "$RT2")', 'hex')) FROM mcpgate.tokens WHERE token_hash = decode('$(sha "$RT1")', 'hex')")" \
    "true,true" "  the old one is retired, its successor recorded (the lineage)"
is "$(it_psql "SELECT count(*) FROM mcpgate.tokens WHERE replay_box IS NOT NULL AND position(convert_to('$AT2', 'UTF8') in replay_box) > 0")" 0 \
    "DESIGN §3: the replay copy is sealed (no token in plaintext)"
tok --data "grant_type=refresh_token&refresh_token=$RT1&client_id=$PUB"
is "$HTTP_STATUS" 200 "RT-06: the old token again within the grace window → 200"
is "$(http_json .access_token)/$(http_json .refresh_token)" "$AT2/$RT2" "  with the same new pair"
tok --data "grant_type=refresh_token&refresh_token=$RT2&client_id=$PUB&scope=mcp:read"
is "$HTTP_STATUS/$(http_json .scope)" "200/mcp:read" "RT-02: the scope may narrow"
RT3=$(http_json .refresh_token)
tok --data "grant_type=refresh_token&refresh_token=$RT3&client_id=$PUB&scope=$(it_urlencode 'mcp:read mcp:write')"
is "$HTTP_STATUS/$(http_json .scope)" "200/mcp:read mcp:write" "RT-04: the rotated refresh token kept the family's scope"
RT4=$(http_json .refresh_token)
tok --data "grant_type=refresh_token&refresh_token=$RT4&client_id=$PUB&scope=$(it_urlencode 'mcp:read mcp:admin')"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_scope" "RT-02: never widen"
tok --data "grant_type=refresh_token&refresh_token=$RT4&client_id=$PUB&resource=$(it_urlencode https://other.example/mcp)"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_target" "TK-10: a foreign resource → invalid_target"
tok --data "grant_type=refresh_token&refresh_token=$RT4&client_id=$POST&client_secret=$POST_SECRET"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_grant" "RT-02: another client's refresh token → invalid_grant"
is "$(tokrow "$RT4")" "refresh,true" "  and it stays valid for its own client"
fam_before=$(famrevoked)
it_psql "UPDATE mcpgate.tokens SET replay_until = now() - interval '1 second' WHERE token_hash = decode('$(sha "$RT1")', 'hex')" >/dev/null
tok --data "grant_type=refresh_token&refresh_token=$RT1&client_id=$PUB"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_grant" "RT-03: a retired token after the grace window → invalid_grant"
is "$(famrevoked)" "$((fam_before + 1))" "RT-03: and the whole family is revoked"
is "$(tokrow "$RT4")" "refresh,false" "  its newest refresh token too"
is "$(tokrow "$AT2")" "access,false" "  and its access tokens"
is "$(it_psql "SELECT count(*) FROM mcpgate.audit_log WHERE event = 'reuse_detected'")" 1 "  audited as reuse_detected"

c=$(code "$NOREF")
tok --data "grant_type=authorization_code&code=$c&client_id=$NOREF&code_verifier=$IT_VERIFIER"
is "$HTTP_STATUS/$(http_json 'has("refresh_token")')" "200/false" "no refresh token for a client that did not register the grant"
tok --data "grant_type=refresh_token&refresh_token=$RT4&client_id=$NOREF"
is "$HTTP_STATUS/$(http_json .error)" "400/unauthorized_client" "  and refresh_token → unauthorized_client"

c=$(code "$PUB"); tok --data "grant_type=authorization_code&code=$c&client_id=$PUB&code_verifier=$IT_VERIFIER"
RTI=$(http_json .refresh_token)
it_psql "UPDATE mcpgate.tokens SET expires_at = now() - interval '1 second', created_at = now() - interval '31 days' WHERE token_hash = decode('$(sha "$RTI")', 'hex')" >/dev/null
tok --data "grant_type=refresh_token&refresh_token=$RTI&client_id=$PUB"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_grant" "RT-04: a refresh token idle too long → invalid_grant"
c=$(code "$PUB"); tok --data "grant_type=authorization_code&code=$c&client_id=$PUB&code_verifier=$IT_VERIFIER"
RTA=$(http_json .refresh_token)
it_psql "UPDATE mcpgate.token_families SET created_at = now() - interval '91 days' WHERE family_id = (SELECT family_id FROM mcpgate.tokens WHERE token_hash = decode('$(sha "$RTA")', 'hex'))" >/dev/null
tok --data "grant_type=refresh_token&refresh_token=$RTA&client_id=$PUB"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_grant" "RT-04: past the absolute lifetime → invalid_grant"
tok -u "$BASIC:$BASIC_SECRET" --data "grant_type=refresh_token&refresh_token=$BASIC_RT"
is "$HTTP_STATUS" 200 "a confidential client refreshes with Basic"

# clients.last_used_at: the token endpoint moves it at most once a minute
# (sql/schema.sql: one row per client must not serialise its grants)
lastused() { it_psql "SELECT round(extract(epoch FROM now() - last_used_at)) FROM mcpgate.clients WHERE client_id = '$BASIC'"; }
it_psql "UPDATE mcpgate.clients SET last_used_at = now() - interval '2 hours' WHERE client_id = '$BASIC'" >/dev/null
BASIC_RT=$(http_json .refresh_token)
tok -u "$BASIC:$BASIC_SECRET" --data "grant_type=refresh_token&refresh_token=$BASIC_RT"
is "$HTTP_STATUS/$(lastused)" "200/0" "a refresh marks a client last used two hours ago as used now"
it_psql "UPDATE mcpgate.clients SET last_used_at = now() - interval '30 seconds' WHERE client_id = '$BASIC'" >/dev/null
BASIC_RT=$(http_json .refresh_token)
tok -u "$BASIC:$BASIC_SECRET" --data "grant_type=refresh_token&refresh_token=$BASIC_RT"
is "$HTTP_STATUS/$(lastused)" "200/30" "  but leaves one used 30 seconds ago as it is"
c=$(code "$PUB")
it_psql "UPDATE mcpgate.clients SET last_used_at = now() - interval '61 seconds' WHERE client_id = '$PUB'" >/dev/null
tok --data "grant_type=authorization_code&code=$c&client_id=$PUB&code_verifier=$IT_VERIFIER"
is "$HTTP_STATUS/$(it_psql "SELECT round(extract(epoch FROM now() - last_used_at)) FROM mcpgate.clients WHERE client_id = '$PUB'")" "200/0" \
    "  and a code exchange marks a client used a minute ago as used now"
is "$(it_psql "SELECT reloptions::text FROM pg_class WHERE oid = 'mcpgate.tokens'::regclass")" "{fillfactor=80}" \
    "tokens leave room in each page for rotation's in-place (HOT) updates"

# ---- concurrency: 20 redemptions of one code, 10 refreshes of one token ------------------
c=$(code "$PUB")
# (wait on these pids only: a bare wait would also wait for the servers)
pids=
for i in $(seq 20); do
	curl -s --noproxy '*' -o "$IT_DIR/par-code.$i" -w '%{http_code}' "$B$T" \
	    --data "grant_type=authorization_code&code=$c&client_id=$PUB&code_verifier=$IT_VERIFIER" >"$IT_DIR/st-code.$i" &
	pids="$pids $!"
done
wait $pids
ok_n=$(cat "$IT_DIR"/st-code.* | grep -o 200 | wc -l)
bad_n=$(grep -l '"invalid_grant"' "$IT_DIR"/par-code.* 2>/dev/null | wc -l)
is "$ok_n/$bad_n" "1/19" "TK-08: 20 simultaneous redemptions → exactly 1 success, 19 invalid_grant"
PAT=$(jq -r '.access_token // empty' "$IT_DIR"/par-code.* | head -1)
PRT=$(jq -r '.refresh_token // empty' "$IT_DIR"/par-code.* | head -1)
is "$(tokrow "$PAT")" "access,true" "  and the issued access token still works"
pids=
for i in $(seq 10); do
	curl -s --noproxy '*' -o "$IT_DIR/par-ref.$i" -w '%{http_code}' "$B$T" \
	    --data "grant_type=refresh_token&refresh_token=$PRT&client_id=$PUB" >"$IT_DIR/st-ref.$i" &
	pids="$pids $!"
done
wait $pids
is "$(cat "$IT_DIR"/st-ref.* | grep -o 200 | wc -l)" 10 "RT-06: 10 simultaneous refreshes of one token → all 200"
is "$(jq -r '.access_token + " " + .refresh_token' "$IT_DIR"/par-ref.* | sort -u | wc -l)" 1 \
    "RT-06: all with one and the same new pair"
NRT=$(jq -r .refresh_token "$IT_DIR/par-ref.1")
is "$(tokrow "$NRT")" "refresh,true" "  which is valid"
it_psql "UPDATE mcpgate.tokens SET replay_until = now() - interval '1 second' WHERE token_hash = decode('$(sha "$PRT")', 'hex')" >/dev/null
tok --data "grant_type=refresh_token&refresh_token=$PRT&client_id=$PUB"
is "$HTTP_STATUS/$(tokrow "$NRT")" "400/refresh,false" "RT-03: after the window the same token revokes the family"

# ---- revocation (RV-01) ------------------------------------------------------------------------
R=/mcp/revoke
c=$(code "$POST"); tok --data "grant_type=authorization_code&code=$c&client_id=$POST&client_secret=$POST_SECRET&code_verifier=$IT_VERIFIER"
VAT=$(http_json .access_token); VRT=$(http_json .refresh_token)
http POST $R --data "token=$VRT&client_id=$PUB"
is "$HTTP_STATUS/$(tokrow "$VRT")" "200/refresh,true" "RV-01: another client's token → 200, and nothing changes"
http POST $R --data "token=$VRT&client_id=$POST&client_secret=wrong"
is "$HTTP_STATUS/$(http_json .error)" "401/invalid_client" "RV-01: client authentication as at the token endpoint"
http POST $R --data "token=$VAT&token_type_hint=refresh_token&client_id=$POST&client_secret=$POST_SECRET"
is "$HTTP_STATUS/$(tokrow "$VAT")/$(tokrow "$VRT")" "200/access,false/refresh,true" "RV-01: revoking an access token revokes it alone (a wrong hint is ignored)"
http POST $R --data "token=$VRT&client_id=$POST&client_secret=$POST_SECRET"
is "$HTTP_STATUS/$(tokrow "$VRT")" "200/refresh,false" "RV-01: revoking a refresh token → 200"
tok --data "grant_type=refresh_token&refresh_token=$VRT&client_id=$POST&client_secret=$POST_SECRET"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_grant" "  and it no longer refreshes"
http POST $R --data "token=no-such-token&client_id=$POST&client_secret=$POST_SECRET"
is "$HTTP_STATUS" 200 "RV-01: an unknown token → 200"
http POST $R --data "client_id=$POST&client_secret=$POST_SECRET"
is "$HTTP_STATUS/$(http_json .error)" "400/invalid_request" "RV-01: no token → invalid_request"
is "$(it_psql "SELECT count(*) FROM mcpgate.audit_log WHERE event = 'revoke'")" 2 "audit: revoke"

# ---- audit and secrets ----------------------------------------------------------------------------
like "$(it_psql "SELECT count(*) FROM mcpgate.audit_log WHERE event = 'token_issue'")" '^[1-9][0-9]*$' "audit: token_issue"
like "$(it_psql "SELECT count(*) FROM mcpgate.audit_log WHERE event = 'refresh'")" '^[1-9][0-9]*$' "audit: refresh"
"$(_stack_pg_bindir)/pg_dump" -d "$IT_DB" >"$IT_DIR/dump2.sql" 2>/dev/null
leaks=0
for s in "$AT1" "$RT1" "$AT2" "$RT2" "$PAT" "$PRT" "$NRT" "$VAT" "$VRT" "$POST_SECRET" "$BASIC_SECRET"; do
	[ ${#s} = 43 ] || { leaks=$((leaks + 1)); continue; }	# a token we did not get
	grep -q -- "$s" "$IT_DIR/dump2.sql" "$IT_FE_DIR"/*.log && leaks=$((leaks + 1))
done
is "$leaks" 0 "S-24: no token or client secret in the database dump or the logs"

# ---- TK-05: failed client authentications per address -----------------------------------------
it_psql "DELETE FROM mcpgate.rate_limits" >/dev/null
it_config token_failure_limit=3
codes=
for i in 1 2 3 4; do tok --data "grant_type=refresh_token&refresh_token=x&client_id=$POST&client_secret=bad$i"; codes="$codes$HTTP_STATUS "; done
is "$codes" "401 401 401 429 " "TK-05: after 3 failed authentications from one address → 429"
like "$(http_header Retry-After)" '^[0-9]+$' "  with Retry-After"
done_testing
