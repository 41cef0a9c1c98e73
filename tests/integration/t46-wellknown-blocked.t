#!/bin/bash
# t46-wellknown-blocked.t -- a host whose edge blocks /.well-known (SiteGround
# does it fleet-wide, use-novamira/novamira#83; CLIENTS.md §6-7), emulated by
# Apache + mod_fcgid from the shipped include with a <LocationMatch> that
# denies /.well-known/ in front of it. With well_known_blocked = yes:
#  - the MCP endpoint's challenges name the protected-resource metadata
#    served under the MCP path, <issuer>/mcp/oauth-protected-resource, which
#    clients MUST use when the challenge names it (RFC 9728 §5.1, SPEC RS-02);
#  - that document names the issuer, the origin; its RFC 8414 document is
#    unreachable, so clients fall back to /authorize, /token and /register at
#    the origin (MCP 2025-03-26 §2.3.3 default endpoints; Claude and the SDK
#    do), which mcpgate serves;
#  - the official SDK client (tests/node/sdk-flow.mjs) completes the whole
#    flow through it: 401, the PRM from the challenge, the default endpoints,
#    registration, login and consent, token, tools/call search.
# Without the setting, challenges keep naming the well-known URL (a client
# would fail on the block): checked too, so the setting is what makes it work.
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres apache fcgid jq
it_db t46 "$top_srcdir/sql/demo.sql"
it_user alice alice-password-46
it_config well_known_blocked=yes
export STACK_APACHE_EXTRA='<LocationMatch "^/\.well-known/">
    Require all denied
  </LocationMatch>'
it_apache fcgid
B=$IT_URL
INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t46","version":"1"}}}'

# ---- the emulated edge ---------------------------------------------------------
for p in /.well-known/oauth-authorization-server /.well-known/oauth-protected-resource/mcp \
	/.well-known/oauth-protected-resource; do
	http GET "$p"
	is "$HTTP_STATUS" 403 "the emulated edge blocks $p (403)"
done

# ---- the challenge names the copy under the MCP path ----------------------------
http POST /mcp -H 'Content-Type: application/json' --data "$INIT"
is "$HTTP_STATUS" 401 "RS-01: /mcp without a token: 401"
like "$(http_header WWW-Authenticate)" "resource_metadata=\"$B/mcp/oauth-protected-resource\"" \
    "RS-02, RFC 9728 §5.1: the challenge names $B/mcp/oauth-protected-resource"
http POST /mcp -H 'Content-Type: application/json' -H 'Authorization: Bearer not-a-token' --data "$INIT"
like "$(http_header WWW-Authenticate)" "error=\"invalid_token\".*resource_metadata=\"$B/mcp/oauth-protected-resource\"" \
    "RS-04: the invalid_token challenge names it too"

# ---- the document there -----------------------------------------------------------
http GET /mcp/oauth-protected-resource
is "$HTTP_STATUS" 200 "PRM-01: /mcp/oauth-protected-resource answers 200"
like "$(http_header Content-Type)" '^application/json' "PRM-04: application/json"
is "$(http_json .resource)" "$B/mcp" "PRM-05: resource is the MCP URL"
is "$(http_json '.authorization_servers | join(",")')" "$B" \
    "PRM-01: authorization_servers holds the issuer (the origin: default endpoints at the origin)"
is "$(http_header Access-Control-Allow-Origin)" '*' "DEP-03: readable from any origin"
http HEAD /mcp/oauth-protected-resource
is "$HTTP_STATUS" 200 "HEAD answers 200"
for p in /mcp/oauth-protected-resourcex /mcp/oauth-protected-resource/x /mcpx/oauth-protected-resource; do
	http GET "$p"
	is "$HTTP_STATUS" 404 "exact routing: $p is 404"
done

# ---- the default endpoints at the origin, which such clients fall back to ------------
http POST /register -H 'Content-Type: application/json' \
	--data '{"redirect_uris":["http://127.0.0.1:18199/callback"],"token_endpoint_auth_method":"none","client_name":"t46"}'
is "$HTTP_STATUS" 201 "/register at the origin registers (default endpoint)"
cid=$(http_json .client_id)
http GET "/authorize?response_type=code&client_id=$cid&redirect_uri=$(it_urlencode http://127.0.0.1:18199/callback)&code_challenge=$IT_CHALLENGE&code_challenge_method=S256&state=s"
is "$HTTP_STATUS" 200 "/authorize at the origin shows the sign-in page (default endpoint)"
http POST /token --data "grant_type=authorization_code&code=nope&client_id=$cid&code_verifier=$IT_VERIFIER&redirect_uri=$(it_urlencode http://127.0.0.1:18199/callback)"
is "$(http_json .error)" invalid_grant "/token at the origin answers the OAuth way (default endpoint)"

# ---- the official SDK client through the blocked host ------------------------------
# tests/node/sdk-flow.mjs (also t84): the SDK's transport drives everything
# from the first 401; the token is expired in the database midway, so the
# SDK's refresh goes through the default /token too.
NODEDIR=$top_srcdir/tests/node
if [ -d "$NODEDIR/node_modules/@modelcontextprotocol/sdk" ] && command -v node >/dev/null; then
	PSQL=$(_stack_pg_bindir)/psql
	printf -v EXPIRE_CMD '%q -X -q -A -t -v ON_ERROR_STOP=1 -d %q -c "%s"' "$PSQL" "$IT_DB" \
		"UPDATE mcpgate.tokens SET expires_at = created_at + interval '1 microsecond'
		  WHERE kind = 'access' AND token_hash = decode('\$MCPGATE_ACCESS_SHA256', 'hex')"
	OUT=$IT_DIR/sdk-flow.json
	timeout 120 node "$NODEDIR/sdk-flow.mjs" "$B/mcp" alice alice-password-46 --query ChatGPT \
		--redirect http://127.0.0.1:18199/callback --expire-cmd "$EXPIRE_CMD" --timeout 100000 \
		>"$OUT" 2>"$IT_DIR/sdk-flow.err"
	rc=$?
	ok "$rc" "the SDK client completes 401, discovery, registration, login, consent, token, search, fetch, refresh through a host that blocks /.well-known" ||
		diag "errors: $(jq -r '.errors | join("; ")' "$OUT" 2>/dev/null) $(head -c 1500 "$IT_DIR/sdk-flow.err")"
	is "$(jq -r .discovery.resource_metadata_url "$OUT")" "$B/mcp/oauth-protected-resource" \
	    "  RFC 9728 §5.1: it read the PRM from the URL the challenge named"
	is "$(jq -r '.discovery.issuer // "none"' "$OUT")" none \
	    "  the RFC 8414 document was unreachable (blocked): no AS metadata"
	is "$(jq -r '[.http[] | select(.status == 403) | .url | test("/\\.well-known/")] | all' "$OUT")" true \
	    "  every 403 it met was the edge's, on /.well-known/"
	is "$(jq -r '[.http[] | select(.method == "POST") | .url | sub("^http://[^/]*"; "") | select(. == "/register" or . == "/token")] | unique | join(",")' "$OUT")" \
	    "/register,/token" "  it registered at /register and got tokens at /token, the origin's default endpoints"
	is "$(jq -r '.authorizations' "$OUT")" 1 "  the user was asked once; the refresh needed no new sign-in"
else
	skip "the SDK client is not installed (tests/node/setup.sh)" 5
fi

# ---- without the setting, challenges name the well-known URL -----------------------
# (edits apply on the next request: the programs reload a changed file)
_it_config_extra=()
_it_write_configs
http POST /mcp -H 'Content-Type: application/json' --data "$INIT"
like "$(http_header WWW-Authenticate)" "resource_metadata=\"$B/.well-known/oauth-protected-resource/mcp\"" \
    "well_known_blocked = no (default): the challenge names the well-known URL (PRM-02)"
http GET /mcp/oauth-protected-resource
is "$HTTP_STATUS" 200 "  the copy under the MCP path is served either way"
done_testing
