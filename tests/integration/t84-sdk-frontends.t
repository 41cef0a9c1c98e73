#!/bin/bash
# t84-sdk-frontends.t -- the whole flow, driven by the official MCP
# TypeScript SDK client (@modelcontextprotocol/sdk, pinned in
# tests/node/package.json), through every front end: lighttpd (FastCGI),
# Apache + mod_fcgid and Apache + mod_cgid (plain CGI) from the shipped
# vhost include, and Apache with only the shipped .htaccess files under
# shared-host defaults (it_apache htaccess: mod_fcgid, AllowOverride FileInfo
# Options).
#
# Per front end the client side is tests/node/sdk-flow.mjs: a Client with a
# StreamableHTTPClientTransport whose authProvider is an OAuthClientProvider,
# so the SDK drives everything itself: the initialize POST without a token
# gets 401, the SDK finds the protected-resource metadata from
# WWW-Authenticate and the AS metadata, registers (RFC 7591), and sends the
# user to our authorization page, where a headless user
# (tests/node/headless-user.mjs) signs in and approves; the SDK exchanges the
# code (PKCE), connects with the token, calls search and fetch over the demo
# documents (sql/demo.sql). Then this test makes the access token expire in
# the database (tokens.expires_at; the row stays, unrevoked), and the next
# tools/call gets 401; the SDK refreshes by itself (rotating refresh token)
# and retries, and the call succeeds. Checked: each request and its status as
# the SDK made it, the results against the database, the token rows (the old
# refresh token rotated to its successor, one family), and that no code or
# token appears in the front end's logs (log_level=debug).
#
# Needs node (>= 20) and tests/node's packages (tests/node/setup.sh; scripts/test
# runs it). Without them the test is skipped, which fails under
# REQUIRE_INTEGRATION=1.
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres lighttpd apache fcgid node jq perl

NODEDIR=$top_srcdir/tests/node
SCRIPT=$NODEDIR/sdk-flow.mjs
for pkg in @modelcontextprotocol/sdk parse5; do
	want=$(jq -r --arg p "$pkg" '.dependencies[$p]' "$NODEDIR/package.json")
	have=$(jq -r .version "$NODEDIR/node_modules/$pkg/package.json" 2>/dev/null)
	[ "$have" = "$want" ] ||
		skip_all "tests/node/node_modules lacks $pkg@$want${have:+ (has $have)}: run tests/node/setup.sh"
done
[ -x "$top_builddir/mcpgate-passwd" ] || bail_out "$top_builddir/mcpgate-passwd not built"

it_db t84 "$top_srcdir/sql/demo.sql"
it_user demo 'demo password 1'
# the most the programs ever log, so that "no token in the logs" means something
it_config log_level=debug login_limit_user=100 login_limit_ip=100
REDIRECT=http://127.0.0.1:18199/callback   # nothing listens: the redirect is captured, not followed
QUERY=backup
PSQL=$(_stack_pg_bindir)/psql

# The hook sdk-flow.mjs runs after fetch: the access token it holds (by its
# SHA-256, in MCPGATE_ACCESS_SHA256) expires now; prints how many rows changed.
printf -v EXPIRE_CMD '%q -X -q -A -t -v ON_ERROR_STOP=1 -d %q -c "%s"' "$PSQL" "$IT_DB" \
	"WITH u AS (UPDATE mcpgate.tokens SET expires_at = created_at + interval '1 microsecond'
	  WHERE kind = 'access' AND token_hash = decode('\$MCPGATE_ACCESS_SHA256', 'hex') AND expires_at > now() RETURNING 1)
	  SELECT count(*) FROM u"

OUT=''
# j FILTER -- jq -r FILTER on the last run's output.
j() { jq -r "$1" "$OUT" 2>/dev/null; }
# h PHASE FILTER -- jq -r FILTER on the array of that phase's requests.
h() { j "[.http[] | select(.phase == \"$1\")] | $2"; }
# sqlhash TOKEN -- the SQL expression of its SHA-256 (our tokens are base64url)
sqlhash() { printf "sha256(convert_to('%s', 'UTF8'))" "$1"; }
sec() { j ".secrets.$1 // empty"; }

# flow TAG -- the SDK flow against the front end just started ($IT_URL),
# then stop it and check its logs.
flow() {
	local t=$1 B=$IT_URL MCP=$IT_URL/mcp rc s id cid a0 a1 r0 r1 code logs f found
	OUT=$IT_DIR/flow-$t.json
	nfe=$((nfe + 1))
	timeout 120 node "$SCRIPT" "$MCP" demo 'demo password 1' --query "$QUERY" --redirect "$REDIRECT" \
		--expire-cmd "$EXPIRE_CMD" --reveal-secrets --timeout 100000 >"$OUT" 2>"$IT_DIR/flow-$t.err"
	rc=$?
	jq -e . "$OUT" >/dev/null 2>&1 || echo '{"errors":["no JSON output"]}' >"$OUT"
	ok "$rc" "[$t] the SDK client: 401, discovery, registration, login, consent, code, token, search, fetch, expiry, refresh, search" || {
		diag "[$t] exit $rc; errors: $(j '.errors | join("; ")')"
		diag "$(j '.http[] | "  [\(.phase)] \(.by) \(.method) \(.url) \(.rpc_method // .grant_type // "") bearer=\(.bearer // "-") -> \(.status)\(if .www_authenticate then " WWW-Authenticate: \(.www_authenticate)" else "" end)\(if .location then " Location: \(.location)" else "" end)"')"
		diag "$(j '.pages[]? | select(.body) | "  body of \(.url): \(.body)"')"
		[ -s "$IT_DIR/flow-$t.err" ] && diag "stderr: $(head -c 2000 "$IT_DIR/flow-$t.err")"
	}
	is "$(j .outcome)" refreshed "[$t] outcome: refreshed"

	# 1. no token: 401 with the challenge, then discovery from it
	is "$(h 'connect without token' '.[0] | "\(.method) \(.rpc_method) \(.bearer) \(.status)"')" "POST initialize none 401" \
		"[$t] RS-01: the SDK's initialize without a token → 401"
	s=$(h 'connect without token' '.[0].www_authenticate // ""')
	like "$s" "^Bearer resource_metadata=\"$B/\\.well-known/oauth-protected-resource/mcp\"" \
		"[$t] RS-02, RS-10: WWW-Authenticate: Bearer resource_metadata=<PRM URL>"
	unlike "$s" 'error=' "[$t] RS-04: no error= when no token was sent"
	is "$(j .discovery.resource_metadata_url)" "$B/.well-known/oauth-protected-resource/mcp" \
		"[$t] PRM-02: the SDK took the PRM URL from the challenge"
	is "$(j .discovery.resource)" "$MCP" "[$t] PRM-05: the SDK accepted resource = the MCP URL"
	is "$(j '"\(.discovery.issuer) \(.discovery.token_endpoint) \(.discovery.registration_endpoint)"')" \
		"$B $B/mcp/token $B/mcp/register" "[$t] AS-06, AS-07: issuer and endpoints from the AS metadata"
	is "$(j '"\(.registration.status) \(.registration.token_endpoint_auth_method) \(.registration.has_client_secret)"')" \
		"201 none false" "[$t] DCR-05, DCR-06: the SDK registered itself: 201, method none, no secret"
	cid=$(j '.registration.client_id // empty')
	is "$(j '"\(.authorization_request.endpoint) \(.authorization_request.client_id == .registration.client_id) \(.authorization_request.resource)"')" \
		"$B/mcp/authorize true $MCP" "[$t] AZ-09: the SDK sent the user to our authorize URL with its client_id and resource"
	is "$(j '"\(.authorization_request.code_challenge_method) \(.authorization_request.challenge_is_s256_of_verifier) \(.authorization_request.state_from_provider)"')" \
		"S256 true true" "[$t] AZ-08, AZ-11: PKCE S256 and state"
	is "$(j '[.pages[] | "\(.method) \(.status) \(.kind)"] | join(", ")')" \
		"GET 200 login, POST 200 consent, POST 303 redirect to redirect_uri" \
		"[$t] AZ-02, AZ-16, S-14: the login page, the consent page, then 303 to the redirect_uri"
	is "$(j '"\(.callback.has_code) \(.callback.state_matches) \(.callback.iss)"')" "true true $B" \
		"[$t] AZ-12, AZ-14: code, state and iss in the redirect"
	is "$(j '.first_connect_error.unauthorized')" true "[$t] the transport ended the first connect with UnauthorizedError (the SDK waits for the user)"

	# 2. the code exchange, and the connect with the token
	is "$(h 'code exchange' '[.[] | "\(.method) \(.grant_type // .url) \(.status) \(.response.cache_control)"] | last')" \
		"POST authorization_code 200 no-store" "[$t] TK-06, TK-02: finishAuth: grant_type=authorization_code → 200, no-store"
	is "$(h 'code exchange' '[.[] | select(.grant_type) | "\(.form_fields | join(",")) \(.resource) \(.response.fields | join(","))"] | last')" \
		"client_id,code,code_verifier,grant_type,redirect_uri,resource $MCP access_token,expires_in,refresh_token,scope,token_type" \
		"[$t] TK-09, TK-10, TK-03, RT-01: the SDK sent verifier, redirect_uri and resource; got an access and a refresh token"
	is "$(h 'connect with token' '[.[] | select(.method == "POST") | "\(.rpc_method):\(.bearer):\(.status)"] | join(" ")')" \
		"initialize:access#0:200 notifications/initialized:access#0:202" \
		"[$t] TV-01, L-01: initialize with the token → 200, notifications/initialized → 202"

	# 3. search and fetch, against the database
	is "$(j '[.http[] | select(.method == "GET" and (.url | test("^http://[^/]+/mcp$"))) | "\(.bearer) \(.status)"] | join(",")')" "access#0 405" \
		"[$t] T-06: the SDK's GET for a server stream (with the token) → 405"
	is "$(h search '[.[] | select(.method == "POST") | "\(.rpc_method) \(.tool) \(.bearer) \(.status)"] | join(",")')" "tools/call search access#0 200" \
		"[$t] tools/call search with the token → 200"
	is "$(j '"\(.search.content_types | join(",")) \(.search.is_error)"')" "text false" "[$t] OA-02: one text item, not an error"
	s=$(j '[.search.json.results[]? | .id] | join(",")')
	like "$s" '^doc-[0-9]+(,doc-[0-9]+)*$' "[$t] OA-02: search \"$QUERY\" finds demo documents ($s)"
	is "$(j '[.search.json.results[]? | [.id, .title, .url] | map(type) | join(",")] | unique | join(" ")')" "string,string,string" \
		"[$t] OA-02: each result has id, title and url as strings"
	if [[ $s =~ ^[a-z0-9,-]+$ ]]; then
		is "$(it_psql "SELECT count(*) FROM mcpgate.documents WHERE doc_id = ANY (string_to_array('$s', ',')) AND body ILIKE '%$QUERY%'")" \
			"$(tr ',' '\n' <<<"$s" | grep -c .)" "[$t] every result is a document that mentions \"$QUERY\""
	else
		skip "[$t] no search results to look up"
	fi
	id=$(j '.fetch.id // empty')
	is "$(h fetch '[.[] | select(.method == "POST") | "\(.tool) \(.bearer) \(.status)"] | join(",")')" "fetch access#0 200" "[$t] tools/call fetch with the token → 200"
	is "$(j '"\(.fetch.content_types | join(",")) \(.fetch.is_error) \(.fetch.json.id)"')" "text false $id" \
		"[$t] OA-04: fetch of the first result ($id): one text item, that document"
	if [[ $id =~ ^doc-[0-9]+$ ]]; then
		is "$(j .fetch.json.title)|$(j .fetch.json.text)" "$(it_psql "SELECT title || '|' || body FROM mcpgate.documents WHERE doc_id = '$id'")" \
			"[$t] OA-04: its title and text are the document's in the database"
	else
		skip "[$t] no document to compare"
	fi

	# 4. the access token expires (in the database), 5. the SDK refreshes
	is "$(j '"\(.expire.status) \(.expire.stdout)"')" "0 1" "[$t] the test made the SDK's access token expire (one row)"
	is "$(h 'search after expiry' '[.[] | "\(.method) \(.rpc_method // .grant_type // (.url | sub("^http://[^/]*"; ""))) \(.bearer)\(if .refresh_token then " " + .refresh_token else "" end) \(.status)"] | join(", ")')" \
		"POST tools/call access#0 401, GET /.well-known/oauth-protected-resource/mcp none 200, GET /.well-known/oauth-authorization-server none 200, POST refresh_token none refresh#0 200, POST tools/call access#1 200" \
		"[$t] TV-02, RT-02: the expired token → 401; the SDK re-reads the metadata, refreshes with its refresh token, retries with the new access token → 200"
	like "$(h 'search after expiry' '.[0].www_authenticate // ""')" \
		"^Bearer error=\"invalid_token\".*resource_metadata=\"$B/\\.well-known/oauth-protected-resource/mcp\"" \
		"[$t] RS-04: the 401 for the expired token says error=\"invalid_token\" and names the PRM"
	is "$(h 'search after expiry' '[.[] | select(.grant_type) | "\(.resource) \(.response.cache_control) \(.response.fields | join(","))"] | join(" ")')" \
		"$MCP no-store access_token,expires_in,refresh_token,scope,token_type" \
		"[$t] TK-10, RT-07, S-17: the refresh carries the resource; the answer has a new refresh token, no-store"
	is "$(j '[.tokens[] | "\(.phase):\(.access)/\(.refresh)"] | join(" ")')" \
		"code exchange:access#0/refresh#0 search after expiry:access#1/refresh#1" \
		"[$t] RT-03: the SDK saved the rotated pair (a new access and a new refresh token)"
	is "$(j '"\(.authorizations) \(.authorizations_during_refresh) \(.invalidated | length)"')" "1 0 0" \
		"[$t] the user was asked once; the refresh needed no new authorization and discarded nothing"
	is "$(j '"\(.search_after.is_error) \([.search_after.json.results[]?.id] == [.search.json.results[]?.id])"')" "false true" \
		"[$t] the retried search succeeds with the same results"

	# the tokens in the database
	a0=$(sec 'access_tokens[0]') a1=$(sec 'access_tokens[1]') r0=$(sec 'refresh_tokens[0]') r1=$(sec 'refresh_tokens[1]')
	code=$(sec code)
	if [[ "$a0$a1$r0$r1" =~ ^[A-Za-z0-9_-]+$ && -n $a1 && -n $r1 && $cid =~ ^[A-Za-z0-9._~-]+$ ]]; then
		is "$(it_psql "SELECT string_agg(kind || ':' || (expires_at > now())::text || ':' || (revoked_at IS NULL)::text, ' ' ORDER BY created_at, kind)
		    || ' ' || count(DISTINCT family_id) || ' ' || bool_and(client_id = '$cid') || ' ' || bool_and(resource = '$MCP')
		    FROM mcpgate.tokens WHERE token_hash IN ($(sqlhash "$a0"), $(sqlhash "$r0"), $(sqlhash "$a1"), $(sqlhash "$r1"))")" \
			"access:false:true refresh:true:true access:true:true refresh:true:true 1 true true" \
			"[$t] S-24: the four tokens are stored by hash, in one family of the SDK's client and the MCP URL; only the first access token has expired"
		is "$(it_psql "SELECT (rotated_at IS NOT NULL) || ' ' || (successor_hash = $(sqlhash "$r1")) FROM mcpgate.tokens WHERE token_hash = $(sqlhash "$r0")")|$(it_psql "SELECT (rotated_at IS NULL)::text FROM mcpgate.tokens WHERE token_hash = $(sqlhash "$r1")")" \
			"true true|true" "[$t] RT-03: the old refresh token is used (rotated, to the new one's hash); the new one is live"
		is "$(it_psql "SELECT f.revoked_at IS NULL FROM mcpgate.token_families f JOIN mcpgate.tokens t USING (family_id) WHERE t.token_hash = $(sqlhash "$r1")")" t \
			"[$t] the grant (token family) is not revoked"
	else
		skip "[$t] no tokens to look up" 3
	fi

	# no code, token or secret in the front end's logs (S-24); stop it first
	# so that its logs are complete
	if [ "$IT_FE" = lighttpd ]; then stack_lighttpd_stop "$IT_FE_DIR"; else stack_apache_stop "$IT_FE_DIR"; fi
	logs=()
	for f in "$IT_FE_DIR"/*.log; do [ -s "$f" ] && logs+=("$f"); done
	grep -qs 'POST /mcp authorization=Bearer' "${logs[@]}" /dev/null
	ok $? "[$t] DEP-01: the MCP program logged the Bearer header reaching it (log_level=debug, ${#logs[@]} log files)"
	found=0
	for s in "$code" "$a0" "$a1" "$r0" "$r1"; do
		[ -n "$s" ] || { found=$((found + 1)); continue; }
		grep -qF -e "$s" "${logs[@]}" /dev/null && { found=$((found + 1)); diag "[$t] in a log: ${s:0:6}…"; }
	done
	is "$found" 0 "[$t] S-24: neither the code nor any of the four tokens appears in the front end's logs"
}

t0=$SECONDS nfe=0
it_lighttpd
flow lighttpd
it_apache fcgid
flow apache-fcgid
it_apache cgi
flow apache-cgi
# the shared host's defaults (STACK_HTACCESS_CGI=fcgid: mod_fcgid and mod_cgid)
it_apache htaccess
flow apache-htaccess
diag "the flow through $nfe front ends took $((SECONDS - t0))s"
done_testing
