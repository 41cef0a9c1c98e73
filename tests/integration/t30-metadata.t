#!/bin/bash
# t30-metadata.t -- the discovery documents through lighttpd and FastCGI:
# every field of RFC 8414 authorization-server metadata (SPEC AS-01..AS-10)
# and RFC 9728 protected-resource metadata (PRM-01..PRM-09), GET and HEAD,
# CORS (DEP-03), exact routing, and URLs built from the configuration,
# never from the Host header (deploy README requirement 4).
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres lighttpd jq
it_db t30
it_lighttpd
B=$IT_URL
AS=/.well-known/oauth-authorization-server
PRM=/.well-known/oauth-protected-resource

# ---- RFC 8414 authorization-server metadata --------------------------------
http GET $AS
is "$HTTP_STATUS" 200 "AS-01: $AS answers 200"
like "$(http_header Content-Type)" '^application/json' "AS-01: application/json"
is "$(http_json .issuer)" "$B" "AS-06: issuer is the configured base URL, exactly"
is "$(http_json .authorization_endpoint)" "$B/mcp/authorize" "AS-07: authorization_endpoint under the MCP path"
is "$(http_json .token_endpoint)" "$B/mcp/token" "AS-07: token_endpoint"
is "$(http_json .registration_endpoint)" "$B/mcp/register" "AS-07: registration_endpoint (DCR)"
is "$(http_json .revocation_endpoint)" "$B/mcp/revoke" "AS-07: revocation_endpoint"
is "$(http_json '.response_types_supported | join(",")')" code "AS-07: response_types_supported [code]"
is "$(http_json '.grant_types_supported | join(",")')" "authorization_code,refresh_token" \
    "AS-07: grant_types_supported listed (the default would include implicit; S-19)"
is "$(http_json '.code_challenge_methods_supported | join(",")')" S256 "AS-07, S-10: S256 only"
is "$(http_json '.token_endpoint_auth_methods_supported | join(",")')" \
    "none,client_secret_post,client_secret_basic" "AS-07, AS-09: the three client auth methods"
is "$(http_json .authorization_response_iss_parameter_supported)" true "AS-07, AZ-14: iss advertised (RFC 9207)"
is "$(http_json '.scopes_supported | join(",")')" "mcp:read" "AS-07: scopes_supported"
is "$(http_json '[.scopes_supported[] | select(. == "openid" or . == "offline_access" or . == "profile" or . == "email")] | length')" 0 \
    "AS-08: no OpenID Connect scopes"
is "$(http_json 'has("client_id_metadata_document_supported")')" false "no CIMD claim (not implemented)"
is "$(http_json '[.. | strings | select(startswith("http") and (startswith("'"$B"'") | not))] | length')" 0 \
    "every URL in the document is under the issuer"

# ---- RFC 9728 protected-resource metadata, both URLs --------------------------
for path in "$PRM/mcp" "$PRM"; do
	http GET "$path"
	is "$HTTP_STATUS" 200 "PRM-02/PRM-03: $path answers 200"
	like "$(http_header Content-Type)" '^application/json' "PRM-04: application/json"
	is "$(http_json .resource)" "$B/mcp" "PRM-05: resource is exactly the MCP URL (no trailing slash)"
	is "$(http_json '.authorization_servers | join(",")')" "$B" "PRM-01: authorization_servers holds the issuer"
	is "$(http_json '.scopes_supported | join(",")')" "mcp:read" "PRM-07: minimal scopes_supported"
	is "$(http_json '[.scopes_supported[] | select(. == "offline_access")] | length')" 0 "RS-11: no offline_access"
	is "$(http_json '.bearer_methods_supported | join(",")')" header "PRM-06: bearer in the header only (TV-05)"
	is "$(http_json .resource_name)" mcpgate "PRM-06: resource_name"
done

# ---- HEAD ------------------------------------------------------------------
http GET $AS; len=$(wc -c <"$HTTP_BODY" | tr -d ' ')
http HEAD $AS
is "$HTTP_STATUS" 200 "HEAD $AS: 200"
is "$(wc -c <"$HTTP_BODY" | tr -d ' ')" 0 "HEAD: no body"
is "$(http_header Content-Length)" "$len" "HEAD: Content-Length of the GET"
http HEAD "$PRM/mcp"
is "$HTTP_STATUS" 200 "HEAD $PRM/mcp: 200"

# ---- CORS (DEP-03): browser clients fetch these before they hold a token ------
http GET $AS -H 'Origin: https://inspector.example' -H 'MCP-Protocol-Version: 2025-06-18'
is "$(http_header Access-Control-Allow-Origin)" '*' "DEP-03: GET readable from any origin"
like "$(http_header Access-Control-Expose-Headers)" 'WWW-Authenticate' "DEP-03: WWW-Authenticate exposed"
http OPTIONS "$PRM/mcp" -H 'Origin: https://inspector.example' \
    -H 'Access-Control-Request-Method: GET' -H 'Access-Control-Request-Headers: mcp-protocol-version'
is "$HTTP_STATUS" 204 "DEP-03: preflight answered 204"
is "$(http_header Access-Control-Allow-Origin)" '*' "DEP-03: preflight allows any origin"
like "$(http_header Access-Control-Allow-Headers)" 'MCP-Protocol-Version' "DEP-03: MCP-Protocol-Version allowed"
like "$(http_header Access-Control-Allow-Headers)" 'Authorization' "DEP-03: Authorization allowed"
like "$(http_header Access-Control-Allow-Methods)" 'GET' "DEP-03: GET allowed"

# ---- routing: exact paths only --------------------------------------------------
for p in "$AS/tenant1" "$PRM/other" "$PRM/mcp/x"; do
	http GET "$p"
	is "$HTTP_STATUS" 404 "$p: 404"
done
for p in "${AS}x" "${PRM}x" "$PRM/mcpx" /mcpx /_mcpgate/well-known; do
	http GET "$p"
	is "$HTTP_STATUS" 404 "$p is not routed to the program (404)"
done
http POST $AS -H 'Content-Type: application/json' -d '{}'
is "$HTTP_STATUS" 405 "POST: 405"
is "$(http_header Allow)" "GET, HEAD" "405 carries Allow"

# ---- never the Host header ------------------------------------------------------
http GET $AS -H 'Host: evil.example' -H 'X-Forwarded-Host: evil.example' -H 'X-Forwarded-Proto: https'
is "$(http_json .issuer)" "$B" "issuer ignores Host and X-Forwarded-* (deploy req. 4)"
unlike "$(cat "$HTTP_BODY")" 'evil' "no URL from the Host header anywhere"

# ---- configuration: per request, edits take effect without a restart ----------
pids_before=$(pgrep -f "$IT_DIR/cgi-bin/well-known" | sort | tr '\n' ' ')
it_config mcp_path=/kb/mcp resource_name="Team KB" scopes="mcp:read mcp:write" \
    service_documentation=https://docs.example.org/kb
http GET $AS
is "$(http_json .authorization_endpoint)" "$B/kb/mcp/authorize" "an edited configuration is used on the next request"
is "$(http_json '.scopes_supported | join(" ")')" "mcp:read mcp:write" "  all scopes in the AS metadata"
is "$(http_json .service_documentation)" https://docs.example.org/kb "  service_documentation"
http GET "$PRM"
is "$(http_json .resource)" "$B/kb/mcp" "PRM-05: resource follows mcp_path"
is "$(http_json '.scopes_supported | join(" ")')" "mcp:read" "PRM-07: only the default scopes in the PRM"
is "$(http_json .resource_name)" "Team KB" "resource_name from the configuration"
is "$(http_json .resource_documentation)" https://docs.example.org/kb "resource_documentation"
pids_after=$(pgrep -f "$IT_DIR/cgi-bin/well-known" | sort | tr '\n' ' ')
is "$pids_after" "$pids_before" "  the same FastCGI processes served it (no restart)"
isnt "$pids_before" "" "  (they are FastCGI processes)"

it_config scopes="mcp:read openid"
http GET $AS
is "$HTTP_STATUS" 500 "an invalid edit (an OpenID scope, AS-08): 500, not half-applied"
grep -q 'scopes: "openid" is an OpenID Connect scope' "$IT_FE_DIR"/*.log
ok $? "  and the front end's error log says why"
done_testing
