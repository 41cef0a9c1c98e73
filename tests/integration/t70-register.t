#!/bin/bash
# t70-register.t -- RFC 7591 dynamic client registration through lighttpd
# against real PostgreSQL (SPEC DCR-01..DCR-11): the three auth methods
# echoed exactly, a secret only for secret methods and stored only as its
# hash, redirect-URI rules, metadata limits, clear 4xx for bad input that
# leave nothing behind, the per-address limit (429 + Retry-After).
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres lighttpd jq
it_db t70
it_lighttpd
R=/mcp/register
reg() { http POST $R -H 'Content-Type: application/json' --data-binary "$1"; }
nclients() { it_psql "SELECT count(*) FROM mcpgate.clients"; }

# ---- the three methods ------------------------------------------------------
for m in none client_secret_post client_secret_basic; do
	reg '{"redirect_uris":["https://claude.ai/api/mcp/auth_callback"],"token_endpoint_auth_method":"'$m'","client_name":"Client '$m'","grant_types":["authorization_code","refresh_token"],"response_types":["code"]}'
	is "$HTTP_STATUS" 201 "DCR-05: $m registers with 201"
	is "$(http_json .token_endpoint_auth_method)" "$m" "DCR-06: the method is echoed exactly ($m)"
	cid=$(http_json .client_id)
	like "$cid" '^[A-Za-z0-9_-]{43}$' "DCR-10: a random client_id we chose"
	unlike "$cid" '^https' "DCR-10: never an https URL (CIMD)"
	like "$(http_json .client_id_issued_at)" '^[0-9]{10}$' "client_id_issued_at"
	is "$(http_json '.redirect_uris | join(",")')" "https://claude.ai/api/mcp/auth_callback" "DCR-05: redirect_uris echoed"
	is "$(http_json '.grant_types | join(",")')" "authorization_code,refresh_token" "grant_types echoed"
	is "$(http_json '.response_types | join(",")')" code "response_types echoed"
	is "$(http_json .client_name)" "Client $m" "client_name echoed"
	is "$(http_header Cache-Control)" no-store "S-17: Cache-Control: no-store"
	if [ $m = none ]; then
		is "$(http_json 'has("client_secret")')" false "DCR-06: no secret for a none client"
		is "$(it_psql "SELECT secret_hash IS NULL FROM mcpgate.clients WHERE client_id = '$cid'")" t "  none stored"
	else
		sec=$(http_json .client_secret)
		like "$sec" '^[A-Za-z0-9_-]{43}$' "DCR-05: $m gets a random secret"
		is "$(http_json .client_secret_expires_at)" 0 "DCR-05: client_secret_expires_at 0 (never)"
		is "$(it_psql "SELECT encode(secret_hash, 'hex') FROM mcpgate.clients WHERE client_id = '$cid'")" \
		    "$(printf '%s' "$sec" | sha256sum | cut -d' ' -f1)" "S-24: only SHA-256 of the secret stored"
		"$(_stack_pg_bindir)/pg_dump" -d "$IT_DB" >"$IT_DIR/dump.sql" 2>/dev/null
		grep -q "$sec" "$IT_DIR/dump.sql"
		ok "$((! $?))" "S-24: the secret is nowhere in a database dump"
		grep -q "$sec" "$IT_FE_DIR"/*.log
		ok "$((! $?))" "  nor in the logs"
	fi
	is "$(it_psql "SELECT metadata->>'token_endpoint_auth_method' || ',' || registration || ',' || (metadata ? 'client_secret')::text FROM mcpgate.clients WHERE client_id = '$cid'")" \
	    "$m,dynamic,false" "stored metadata holds the method, never the secret"
	is "$(it_psql "SELECT count(*) FROM mcpgate.audit_log WHERE event = 'register' AND client_id = '$cid'")" 1 "audit: register"
done

reg '{"redirect_uris":["https://c.example/cb"]}'
is "$HTTP_STATUS" 201 "DCR-03: token_endpoint_auth_method omitted"
is "$(http_json .token_endpoint_auth_method)" client_secret_basic "  defaults to client_secret_basic (RFC 7591 §2)"
is "$(http_json 'has("client_secret")')" true "  and so gets a secret"
is "$(http_json '.grant_types | join(",")')" "authorization_code,refresh_token" "  grant_types omitted: both (every client gets refresh tokens)"

reg '{"redirect_uris":["http://127.0.0.1/callback","http://localhost:33418/cb","http://[::1]:9/cb","https://chatgpt.com/connector/oauth/abc_123","https://chatgpt.com/connector_platform_oauth_redirect"],"token_endpoint_auth_method":"none","application_type":"native","jwks_uri":"https://x.example/jwks","software_statement":"eyJ","foo":{"bar":[1,2]},"client_id":"https://evil.example/chosen","client_secret":"chosen"}'
is "$HTTP_STATUS" 201 "DCR-04, DCR-09: loopback (RFC 8252) and ChatGPT callbacks; unknown members ignored"
isnt "$(http_json .client_id)" "https://evil.example/chosen" "S-20: a client cannot choose its client_id"
is "$(http_json 'has("client_secret")')" false "  nor its secret"
is "$(http_json 'has("foo") or has("jwks_uri")')" false "  unknown members are not echoed"
is "$(http_json .application_type)" native "application_type accepted"

reg '{"redirect_uris":["https://c.example/cb"],"token_endpoint_auth_method":"none","grant_types":["authorization_code","password","implicit","client_credentials"],"scope":"mcp:read openid unknown:thing"}'
is "$HTTP_STATUS" 201 "DCR-04: unsupported grant types dropped"
is "$(http_json '.grant_types | join(",")')" authorization_code "  only authorization_code registered (S-19)"
is "$(http_json .scope)" "mcp:read" "  scope keeps only what we offer (AS-08)"

hostile='<img src=x onerror=alert(1)>"'"'"'&'
reg "$(jq -cn --arg n "$hostile" '{redirect_uris:["https://c.example/cb"],token_endpoint_auth_method:"none",client_name:$n}')"
is "$HTTP_STATUS" 201 "a client_name with markup is accepted (escaped where it is shown)"
is "$(http_json .client_name)" "$hostile" "  and stored and echoed verbatim"

# ---- bad input: a clear 4xx, never 5xx, nothing left behind -----------------
before=$(nclients)
audit_before=$(it_psql "SELECT count(*) FROM mcpgate.audit_log")
rl_before=$(it_psql "SELECT coalesce(sum(hits), 0) FROM mcpgate.rate_limits")
bad_uri() {
	reg "$(jq -cn --arg u "$1" '{redirect_uris:[$u],token_endpoint_auth_method:"none"}')"
	is "$HTTP_STATUS" 400 "DCR-07/DCR-08: $2 → 400"
	is "$(http_json .error)" invalid_redirect_uri "  invalid_redirect_uri"
}
bad_uri "javascript:alert(1)" "javascript: URI"
bad_uri "data:text/html,hi" "data: URI"
bad_uri "/relative/cb" "relative URI"
bad_uri "https://*.example.com/cb" "wildcard URI"
bad_uri "https://c.example/cb#frag" "URI with a fragment"
bad_uri "http://c.example/cb" "plain http on a public host (AZ-07)"
bad_uri "https://user:pw@c.example/cb" "URI with userinfo"
bad_uri "cursor://anysphere/oauth" "custom scheme"
bad_uri "https://c.example/$(head -c 2001 /dev/zero | tr '\0' a)" "URI over 2000 bytes"
reg '{"token_endpoint_auth_method":"none"}'
is "$(http_json .error)" invalid_redirect_uri "redirect_uris missing → invalid_redirect_uri"
reg '{"redirect_uris":[],"token_endpoint_auth_method":"none"}'
is "$(http_json .error)" invalid_redirect_uri "redirect_uris empty → invalid_redirect_uri"
reg '{"redirect_uris":"https://c.example/cb"}'
is "$(http_json .error)" invalid_redirect_uri "redirect_uris not an array → invalid_redirect_uri"
reg "$(jq -cn '{redirect_uris:[range(11) | "https://c.example/cb\(.)"]}')"
is "$HTTP_STATUS/$(http_json .error)" 400/invalid_redirect_uri "more than 10 redirect URIs"
bad_meta() {
	reg "$1"
	is "$HTTP_STATUS" 400 "DCR-07: $2 → 400"
	is "$(http_json .error)" invalid_client_metadata "  invalid_client_metadata"
}
bad_meta '{"redirect_uris":["https://c.example/cb"],"token_endpoint_auth_method":"private_key_jwt"}' "an auth method we do not support"
bad_meta '{"redirect_uris":["https://c.example/cb"],"token_endpoint_auth_method":7}' "a method that is not a string"
bad_meta '{"redirect_uris":["https://c.example/cb"],"grant_types":["implicit"]}' "grant_types without authorization_code"
bad_meta '{"redirect_uris":["https://c.example/cb"],"response_types":["token"]}' "response_types other than code"
bad_meta "$(jq -cn '{redirect_uris:["https://c.example/cb"],client_name:("x" * 201)}')" "client_name over 200 characters"
bad_meta '{"redirect_uris":["https://c.example/cb"],"client_name":"a\u0007b"}' "client_name with a control character"
bad_meta '{"redirect_uris":["https://c.example/cb"],"client_name":"a\u0000b"}' "client_name with \\u0000"
bad_meta '{"redirect_uris":["https://c.example/cb"],"client_uri":"javascript:alert(1)"}' "client_uri not https"
bad_meta '{"redirect_uris":["https://c.example/cb"],"application_type":"spaceship"}' "unknown application_type"
bad_meta '{"redirect_uris":["https://c.example/cb"],"scope":["mcp:read"]}' "scope not a string"
bad_meta '{"redirect_uris":["https://c.example/cb"],' "malformed JSON"
bad_meta '["https://c.example/cb"]' "a JSON array instead of an object"
bad_meta "$(printf '%.0s[' $(seq 100))$(printf '%.0s]' $(seq 100))" "JSON nested 100 deep"
bad_meta '{"redirect_uris":["https://c.example/cb"],"redirect_uris":["https://d.example/cb"]}' "a repeated member"
http POST $R -H 'Content-Type: application/x-www-form-urlencoded' --data 'redirect_uris=https://c.example/cb'
is "$HTTP_STATUS" 415 "wrong Content-Type → 415"
http POST $R -H 'Content-Type: application/json' --data-binary "{\"redirect_uris\":[\"https://c.example/cb\"],\"pad\":\"$(head -c 70000 /dev/zero | tr '\0' a)\"}"
is "$HTTP_STATUS" 413 "body over 64 KiB → 413"
http POST $R -H 'Content-Type: application/json' --data-binary ''
is "$HTTP_STATUS" 400 "empty body → 400"
http GET $R
is "$HTTP_STATUS" 405 "GET → 405"
is "$(nclients)" "$before" "no bad request left a client behind"
is "$(it_psql "SELECT count(*) FROM mcpgate.audit_log")" "$audit_before" "  nor an audit entry"
is "$(it_psql "SELECT coalesce(sum(hits), 0) FROM mcpgate.rate_limits")" "$rl_before" "  nor a rate-limit hit"

# ---- where and how ---------------------------------------------------------------
http POST /register -H 'Content-Type: application/json' --data-binary '{"redirect_uris":["https://c.example/cb"],"token_endpoint_auth_method":"none"}'
is "$HTTP_STATUS" 201 "AS-04: /register at the origin works too"
http OPTIONS $R -H 'Origin: https://inspector.example' -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: content-type'
is "$HTTP_STATUS" 204 "DEP-03: CORS preflight for browser clients"
is "$(http_header Access-Control-Allow-Origin)" '*' "  any origin (registration is open)"

# ---- DCR-08: per-address limit in PostgreSQL ----------------------------------------
it_psql "DELETE FROM mcpgate.rate_limits" >/dev/null
it_config register_limit=3
for i in 1 2 3 4; do
	reg '{"redirect_uris":["https://c.example/cb"],"token_endpoint_auth_method":"none"}'
	codes="${codes:-}$HTTP_STATUS "
done
is "$codes" "201 201 201 429 " "DCR-08: the 4th registration in an hour from one address → 429"
like "$(http_header Retry-After)" '^[0-9]+$' "  with Retry-After"
is "$(http_json .error)" too_many_requests "  and a JSON error"
n=$(nclients)
reg '{"redirect_uris":["https://c.example/cb"],"token_endpoint_auth_method":"none"}'
is "$(nclients)" "$n" "  a refused registration stores nothing"
done_testing
