#!/bin/bash
# t80-sdk-client.t -- a real client: the official MCP TypeScript SDK
# (@modelcontextprotocol/sdk, pinned in tests/node/package.json) discovers
# our metadata, registers itself by RFC 7591 dynamic client registration,
# gets through our HTML login and consent forms to an authorization code,
# exchanges it at the token endpoint itself and then refreshes twice
# through its own refresh path, once per token_endpoint_auth_method (none,
# client_secret_post, client_secret_basic); then the first client again
# (consent remembered: no consent page), a Deny and a wrong password. The
# client side is tests/node/sdk-authorize.mjs: the SDK's own auth() with an
# OAuthClientProvider whose redirectToAuthorization() walks the forms as a
# person with a browser would (tests/node/headless-user.mjs: cookies,
# hidden fields, buttons). After the redirect auth() is called with the
# code (what the SDK transport's finishAuth does): the SDK posts it with
# the PKCE verifier, the redirect_uri and the resource, authenticating with
# the method the registration answer echoed. Then auth() is called again
# with the saved tokens marked expired: the SDK refreshes and must save the
# rotated refresh token (SPEC RT-03, RT-07).
#
# The SDK's usual trigger for a refresh, a 401 from an MCP request, is not
# driven here: when this test was written mcpgate had no MCP endpoint (/mcp
# answered 404). Calling auth() with saved tokens runs the same SDK code
# (authInternal -> refreshAuthorization -> saveTokens) that the transport
# runs after a 401.
#
# Afterwards the database must hold codes and tokens only as SHA-256 hashes
# (SPEC S-24), and no code, token or client secret the client received may
# appear in a pg_dump or in the front end's logs.
#
# Needs node (>= 20) and the packages: run tests/node/setup.sh first
# (scripts/test does). Without them the test is skipped, which fails under
# REQUIRE_INTEGRATION=1.
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres lighttpd node jq perl

NODEDIR=$top_srcdir/tests/node
SCRIPT=$NODEDIR/sdk-authorize.mjs
for pkg in @modelcontextprotocol/sdk parse5; do
	want=$(jq -r --arg p "$pkg" '.dependencies[$p]' "$NODEDIR/package.json")
	have=$(jq -r .version "$NODEDIR/node_modules/$pkg/package.json" 2>/dev/null)
	[ "$have" = "$want" ] ||
		skip_all "tests/node/node_modules lacks $pkg@$want${have:+ (has $have)}: run tests/node/setup.sh"
done
[ -x "$top_builddir/mcpgate-passwd" ] || bail_out "$top_builddir/mcpgate-passwd not built"

it_db t80
it_user demo 'demo password 1'
# several sign-ins; and log as much as the programs ever log, so that "no
# token in the logs" below means something
it_config login_limit_user=1000 login_limit_ip=1000 log_level=debug
it_lighttpd
B=$IT_URL
MCP=$B/mcp
REDIRECT=http://127.0.0.1:18199/callback   # nothing listens: the redirect is captured, not followed

# sdk NAME ARGS... -- run the script; SDK_RC and SDK_JSON (its output file).
SDK_RC='' SDK_JSON=''
sdk() {
	local name=$1
	shift
	SDK_JSON=$IT_DIR/sdk-$name.json
	timeout 90 node "$SCRIPT" "$MCP" "$@" --redirect "$REDIRECT" --reveal-secrets --timeout 60000 \
		>"$SDK_JSON" 2>"$IT_DIR/sdk-$name.err"
	SDK_RC=$?
	jq -e . "$SDK_JSON" >/dev/null 2>&1 || echo '{}' >"$SDK_JSON"
	# every secret the client received, for the dump and log checks at the end
	j '.secrets | (.client_secret // empty), (.tokens[]? | .access_token, .refresh_token) | select(. != null)' >>"$secrets_file"
	j '.callback.code // empty' >>"$secrets_file"
}
# j FILTER -- jq -r FILTER on the last run's output.
j() { jq -r "$1" "$SDK_JSON" 2>/dev/null; }
# What happened, for a failing run.
sdk_diag() {
	diag "sdk-authorize.mjs exit $SDK_RC; errors: $(j '.errors | join("; ")')"
	diag "$(j '.http[]? | "  \(.by) \(.method) \(.url) -> \(.status)\(if .location then " Location: \(.location)" else "" end)"')"
	diag "$(j '.pages[]? | select(.body) | "  body of \(.url): \(.body)"')"
	diag "$(j '.registration.body_not_json // empty | "  registration body: \(.)"')"
	# shellcheck disable=SC2016 # $n is a jq variable
	diag "$(j '(.token_exchange // empty), (.refreshes[]?) | .name as $n | .token_requests[]? | "  \($n): \(.grant_type) -> \(.status) \(.response.error // "") \(.response.error_description // "")"')"
	[ -s "$IT_DIR/sdk-$1.err" ] && diag "stderr: $(head -c 2000 "$IT_DIR/sdk-$1.err")"
}
# The user agent's page whose answer_to is login/consent (the answer to
# that POST), or the first page of kind K.
page() { j "[.pages[] | select($1)][0] // {} | $2"; }
codes=() none_client=''
secrets_file=$IT_DIR/secrets.txt
: >"$secrets_file"
# sqlhash TOKEN -- the SQL expression of its SHA-256 (our tokens are base64url)
sqlhash() { printf "sha256(convert_to('%s', 'UTF8'))" "$1"; }
# sec STEP KIND -- a token the SDK saved at STEP (exchange, refresh 1, ...)
sec() { j "[.secrets.tokens[] | select(.step == \"$1\")][0].$2_token // empty"; }

# token_asserts TAG METHOD CLIENT_ID -- what the SDK did at the token
# endpoint in the last run: the exchange and each refresh.
token_asserts() {
	local t=$1 meth=$2 cid=$3 i r want got auth
	is "$(j .token_exchange.result)" AUTHORIZED "[$t] TK-06: auth() with the code → AUTHORIZED (the SDK's own token exchange)"
	r='.token_exchange.token_requests[0]'
	is "$(j "[.token_exchange.token_requests[] | .grant_type] | join(\",\")")" authorization_code \
		"[$t] one token request, grant_type=authorization_code"
	is "$(j "$r.form | \"\(.code) \(.code_verifier) \(.redirect_uri) \(.resource)\"")" "(redacted) (redacted) $REDIRECT $MCP" \
		"[$t] TK-06, TK-09, TK-10: the SDK sent code, code_verifier, redirect_uri and resource"
	# TK-04: the method the registration echoed (selectClientAuthMethod prefers it)
	auth='"\(.authorization_scheme // "-") \(.basic_client_id // .form.client_id // "-") \(.basic_has_secret // false) \(.form.client_secret // "-")"'
	case $meth in
	client_secret_basic) want="Basic $cid true -" ;;
	client_secret_post) want="- $cid false (redacted)" ;;
	none) want="- $cid false -" ;;
	esac
	is "$(j "$r | $auth")" "$want" "[$t] TK-04: the SDK authenticated with $meth at the token endpoint"
	is "$(j "$r.response | \"\(.status) \(.cache_control)\"")" "200 no-store" "[$t] TK-02, S-17: 200 with Cache-Control: no-store"
	like "$(j "$r.response.content_type")" '^application/json' "[$t] TK-02: JSON"
	is "$(j "$r.response | \"\(.fields | join(\",\")) \(.token_type) \(.expires_in) \(.scope)\"")" \
		"access_token,expires_in,refresh_token,scope,token_type Bearer 3600 mcp:read" \
		"[$t] TK-03: access_token, token_type Bearer, expires_in, scope, and a refresh_token (RT-01)"
	is "$(j '.token_exchange | "\(.saved.has_access_token) \(.saved.has_refresh_token) \(.saved_equals_response)"')" "true true true" \
		"[$t] the SDK saved the tokens it was given"
	for i in 0 1; do
		r=".refreshes[$i]"
		is "$(j "$r | \"\(.result) \(.authorization_redirects) \(.invalidated | length)\"")" "AUTHORIZED 0 0" \
			"[$t] refresh $((i + 1)): auth() with the saved tokens → AUTHORIZED, no new authorization, nothing invalidated"
		is "$(j "$r | [.token_requests[] | \"\(.grant_type) \(.status) \(.response.cache_control) \(.form.resource)\"] | join(\",\")")" \
			"refresh_token 200 no-store $MCP" "[$t] refresh $((i + 1)): RT-02, TK-10: one grant_type=refresh_token request with the resource: 200, no-store"
		is "$(j "$r.token_requests[0] | $auth")" "$want" "[$t] refresh $((i + 1)): TK-04: the same client authentication ($meth)"
		is "$(j "$r | \"\(.response_had_refresh_token) \(.response_refresh_token_is_new) \(.rotated) \(.saved_equals_response) \(.new_access_token)\"")" \
			"true true true true true" "[$t] refresh $((i + 1)): RT-03, RT-07: a new refresh token in the answer, saved by the SDK; a new access token"
	done
	# the database: three pairs in one family, each token only as its hash
	local a0 r0 a1 r1 a2 r2
	a0=$(sec exchange access) r0=$(sec exchange refresh)
	a1=$(sec 'refresh 1' access) r1=$(sec 'refresh 1' refresh)
	a2=$(sec 'refresh 2' access) r2=$(sec 'refresh 2' refresh)
	if [[ "$a0$r0$a1$r1$a2$r2" =~ ^[A-Za-z0-9_-]+$ && -n $a0 && -n $r2 ]]; then
		got=$(it_psql "SELECT string_agg(kind, ',' ORDER BY created_at, kind) || ' ' || count(DISTINCT family_id) || ' ' || bool_and(client_id = '$cid')
		    || ' ' || bool_and(resource = '$MCP') || ' ' || bool_and(revoked_at IS NULL)
		    FROM mcpgate.tokens WHERE token_hash IN ($(sqlhash "$a0"), $(sqlhash "$r0"), $(sqlhash "$a1"), $(sqlhash "$r1"), $(sqlhash "$a2"), $(sqlhash "$r2"))")
		is "$got" "access,refresh,access,refresh,access,refresh 1 true true true" \
			"[$t] S-24, RT-02: the six tokens are stored by SHA-256, in one family, bound to the client and the MCP URL, none revoked"
		is "$(it_psql "SELECT string_agg((rotated_at IS NOT NULL)::text || '/' || coalesce((successor_hash = $(sqlhash "$r1") OR successor_hash = $(sqlhash "$r2"))::text, '-'), ' ' ORDER BY created_at)
		    FROM mcpgate.tokens WHERE token_hash IN ($(sqlhash "$r0"), $(sqlhash "$r1"), $(sqlhash "$r2"))")" \
			"true/true true/true false/-" "[$t] RT-03: the first two refresh tokens are rotated, each to its successor's hash; the last is live"
		is "$(it_psql "SELECT extract(epoch FROM expires_at - created_at)::int FROM mcpgate.tokens WHERE token_hash = $(sqlhash "$a2")")" 3600 \
			"[$t] the access token lives access_token_lifetime (1h)"
	else
		skip "[$t] no tokens to look up" 3
	fi
}

for m in none client_secret_post client_secret_basic; do
	sdk "$m" demo 'demo password 1' "$m" --refreshes 2
	ok "$SDK_RC" "[$m] the SDK client's auth() goes through login and consent to a code, exchanges it and refreshes twice" || sdk_diag "$m"
	is "$(j .outcome)" refreshed "[$m] outcome: refreshed"

	# discovery (the SDK checked PRM resource against the URL itself)
	is "$(j .discovery.resource)" "$MCP" "[$m] PRM-05: the SDK found resource = the MCP URL"
	is "$(j .discovery.issuer)" "$B" "[$m] AS-06: the SDK found issuer = base URL via PRM authorization_servers"
	is "$(j .discovery.token_endpoint)" "$B/mcp/token" "[$m] AS-07: token_endpoint from the metadata"

	# registration
	is "$(j .registration.status)" 201 "[$m] DCR-05: POST /mcp/register answers 201"
	like "$(j .registration.content_type)" '^application/json' "[$m] DCR-05: application/json"
	like "$(j .registration.cache_control)" 'no-store' "[$m] S-17: Cache-Control: no-store on the registration response"
	like "$(j .registration.client_id)" '^[A-Za-z0-9._~-]{16,}$' "[$m] DCR-05, DCR-10: a client_id was issued"
	is "$(j .registration.token_endpoint_auth_method)" "$m" "[$m] DCR-06: the method is echoed"
	is "$(j '.registration.redirect_uris | join(" ")')" "$REDIRECT" "[$m] DCR-05: redirect_uris echoed"
	is "$(j .sdk_client.token_endpoint_auth_method)" "$m" "[$m] the SDK stored the echoed method"
	if [ "$m" = none ]; then
		is "$(j '.registration | has("client_secret")')" false "[$m] DCR-06: no client_secret for a none client"
		is "$(j '.registration | has("client_secret_expires_at")')" false "[$m] DCR-05: no client_secret_expires_at without a secret"
	else
		is "$(j .registration.client_secret_present)" true "[$m] DCR-05: a client_secret was issued"
		is "$(j .registration.client_secret_expires_at)" 0 "[$m] DCR-05: client_secret_expires_at 0 (never)"
		is "$(j .sdk_client.has_secret)" true "[$m] the SDK stored the secret"
	fi

	# the authorization request as the SDK built it
	is "$(j .authorization_request.endpoint)" "$B/mcp/authorize" "[$m] AS-07: the SDK used our authorization_endpoint"
	is "$(j '.authorization_request.pkce | "\(.method) \(.challenge_is_s256_of_verifier)"')" "S256 true" \
		"[$m] AZ-08: PKCE S256 from the SDK"
	is "$(j .authorization_request.params.resource)" "$MCP" "[$m] AZ-09: resource = the MCP URL"
	is "$(j .authorization_request.params.client_id)" "$(j .registration.client_id)" "[$m] the registered client_id is used"

	# the pages: login, then consent
	first='.method == "GET" and (.url | contains("/mcp/authorize?"))'
	is "$(page "$first" .status)" 200 "[$m] AZ-02: GET /mcp/authorize shows a page (200), no redirect before login"
	is "$(page "$first" .kind)" login "[$m] AZ-02: it is the login form"
	is "$(page "$first" '[.form.fields[]? | select(.type == "hidden" and .name == "csrf")] | length')" 1 \
		"[$m] S-04: the login form carries a csrf field"
	is "$(page "$first" '[.form.fields[]? | select(.name == "step") | .value] | join(",")')" login "[$m] the login form has step=login"
	is "$(page "$first" '[.cookies_set[]? | select(.name == "mcpgate_session")] | length')" 1 \
		"[$m] S-22: the session cookie mcpgate_session is set (http loopback)"
	is "$(page "$first" '[.cookies_set[]? | select(.name == "mcpgate_session") | .attributes[] | ascii_downcase | select(. == "httponly" or startswith("samesite="))] | length')" 2 \
		"[$m] S-04: the session cookie is HttpOnly with SameSite"
	is "$(page '.answer_to == "login"' '.sent_cookies | index("mcpgate_session") != null')" true \
		"[$m] the login POST carried the session cookie back"
	is "$(j .login_status)" 200 "[$m] AZ-16, S-06: after login a new DCR client gets the consent page (200)"
	is "$(page '.kind == "consent"' '[.form.fields[]? | select(.type == "hidden" and .name == "csrf")] | length')" 1 \
		"[$m] S-04: the consent form carries a csrf field"
	is "$(page '.kind == "consent"' '"\(.form.button.name)=\(.form.button.value)"')" decision=approve \
		"[$m] the consent form has decision=approve (pressed)"

	# the redirect to the redirect_uri
	is "$(j .callback.status)" 303 "[$m] AZ-12, S-14: 303 to the redirect_uri after the consent POST"
	like "$(j '.callback.code // ""')" '^[A-Za-z0-9._~-]{20,}$' "[$m] AZ-12: code in the redirect"
	is "$(j '.callback.state // "(none came back)"')" "$(j '.authorization_request.params.state // "(none sent)"')" \
		"[$m] AZ-11, AZ-12: state equals what the SDK sent"
	is "$(j .callback.iss)" "$B" "[$m] AZ-14: iss equals the issuer"
	is "$(j '[.statuses[] | select(. == 307 or . == 308)] | length')" 0 "[$m] S-14: no 307/308 anywhere"
	code=$(j '.callback.code // empty')
	client_id=$(j .registration.client_id)
	[ -n "$code" ] && codes+=("$code")
	[ "$m" = none ] && none_client=$client_id

	# what the database holds for this code (SHA-256, SPEC S-24, AZ-13)
	if [[ $code =~ ^[A-Za-z0-9._~-]+$ && $client_id =~ ^[A-Za-z0-9._~-]+$ ]]; then
		row=$(it_psql "SELECT client_id, redirect_uri, resource, code_challenge_method,
		    expires_at > now() AND expires_at <= created_at + interval '10 minutes',
		    consumed_at IS NOT NULL AND family_id IS NOT NULL
		    FROM mcpgate.authorization_codes WHERE code_hash = sha256(convert_to('$code', 'UTF8'))")
		is "$row" "$client_id|$REDIRECT|$MCP|S256|t|t" \
			"[$m] AZ-13, S-24: the code is stored as its SHA-256, bound to client, redirect_uri and resource, ≤10 min; redeemed once, into a token family"
		if [ "$m" = none ]; then
			is "$(it_psql "SELECT secret_hash IS NULL FROM mcpgate.clients WHERE client_id = '$client_id'")" t \
				"[$m] S-24: no secret hash for a none client"
		else
			is "$(it_psql "SELECT octet_length(secret_hash) FROM mcpgate.clients WHERE client_id = '$client_id'")" 32 \
				"[$m] S-24: the client secret is stored as a 32-byte hash"
		fi
	else
		skip "no code or client_id to look up" 2
	fi

	# the SDK at the token endpoint, and the tokens in the database
	token_asserts "$m" "$m" "$client_id"
done

# ---- consent remembered: the none client again, a new login session ------------------
# The consent given above is on record for (demo, client, redirect_uri,
# resource), so after the login the answer is a 303 with the code; then
# the SDK exchanges it and refreshes as before.
sdk remembered demo 'demo password 1' none --client-id "${none_client:-no-client-registered}" --refreshes 2
ok "$SDK_RC" "[remembered] the SDK client (already registered) gets a code again, exchanges it and refreshes" || sdk_diag remembered
is "$(j '.http | map(select(.method == "POST" and (.url | endswith("/mcp/register")))) | length')" 0 \
	"[remembered] no second registration"
is "$(j .login_status)" 303 "[remembered] S-06: consent on record, so the login POST answers 303 to the redirect_uri"
is "$(j '[.pages[] | select(.kind == "consent")] | length')" 0 "[remembered] no consent page"
like "$(j '.callback.code // ""')" '^[A-Za-z0-9._~-]{20,}$' "[remembered] AZ-12: code in the redirect"
is "$(j '.callback.state // "(none came back)"')" "$(j '.authorization_request.params.state // "(none sent)"')" \
	"[remembered] AZ-11: state equals what the SDK sent"
is "$(j .callback.iss)" "$B" "[remembered] AZ-14: iss equals the issuer"
code=$(j '.callback.code // empty')
[ -n "$code" ] && codes+=("$code")
token_asserts remembered none "${none_client:-no-client-registered}"

# ---- Deny -------------------------------------------------------------------------
sdk deny demo 'demo password 1' none --deny
ok "$SDK_RC" "[deny] the SDK client's authorization ends with an error redirect" || sdk_diag deny
is "$(page '.kind == "consent"' '"\(.form.button.name)=\(.form.button.value)"')" decision=deny "[deny] decision=deny pressed"
is "$(j .callback.status)" 303 "[deny] AZ-15, S-14: 303 to the redirect_uri"
is "$(j .callback.error)" access_denied "[deny] AZ-15: error=access_denied"
is "$(j 'if .callback then (.callback | has("code") | tostring) else "no redirect" end')" false "[deny] no code"
is "$(j '.callback.state // "(none came back)"')" "$(j '.authorization_request.params.state // "(none sent)"')" \
	"[deny] AZ-11: state echoed in the error redirect"
is "$(j .callback.iss)" "$B" "[deny] AZ-14: iss in the error redirect too"

# ---- wrong password -----------------------------------------------------------------
sdk wrong-password demo 'demo password 1' none --wrong-password
ok "$SDK_RC" "[wrong password] the login form comes back" || sdk_diag wrong-password
is "$(j .login_status)" 401 "[wrong password] the login POST answers 401"
is "$(j '"\(.outcome), \(.callback.code // "no code")"')" "login_rejected, no code" \
	"[wrong password] the login page again, and no code"
is "$(j 'if (.pages | length) < 2 then "no login POST" else ([.pages[] | select(.location) | .location | select(startswith("'"$REDIRECT"'"))] | length | tostring) end')" 0 \
	"[wrong password] S-03: no redirect to the client at all"

# ---- the database: codes and tokens only as hashes ------------------------------------------
is "$(it_psql 'SELECT count(*) FROM mcpgate.authorization_codes')" "${#codes[@]}" \
	"one code row per approved authorization (none for deny or a wrong password)"
is "${#codes[@]}" 4 "four codes were issued (three methods, then the remembered consent)"
is "$(it_psql 'SELECT count(*) FROM mcpgate.authorization_codes WHERE octet_length(code_hash) <> 32')" 0 \
	"S-24: every code is stored as a 32-byte hash"
is "$(it_psql 'SELECT count(*) FILTER (WHERE consumed_at IS NOT NULL) || '"'"' '"'"' || count(*) FROM mcpgate.authorization_codes')" "4 4" \
	"TK-08: every code was redeemed (once)"
is "$(it_psql "SELECT count(*) || ' ' || count(*) FILTER (WHERE revoked_at IS NULL) FROM mcpgate.token_families")" "4 4" \
	"one token family per redeemed code, none revoked (no reuse, no replay)"
is "$(it_psql "SELECT string_agg(kind || ':' || n, ' ' ORDER BY kind) FROM (SELECT kind, count(*) n FROM mcpgate.tokens GROUP BY kind) x")" \
	"access:12 refresh:12" "each of the 4 flows left 3 access and 3 refresh tokens (exchange + two refreshes)"
is "$(it_psql 'SELECT count(*) FROM mcpgate.tokens WHERE octet_length(token_hash) <> 32 OR octet_length(successor_hash) <> 32')" 0 \
	"S-24: every token (and successor) is stored as a 32-byte hash"
is "$(it_psql "SELECT count(*) FROM mcpgate.tokens WHERE kind = 'refresh' AND rotated_at IS NOT NULL AND replay_box IS NOT NULL")" 8 \
	"RT-06: each rotated refresh token keeps its sealed replay copy (refresh_grace 60s)"

# ---- no secret the client received in a dump or a log (S-24) -----------------------------------
sort -u -o "$secrets_file" "$secrets_file"
nsec=$(grep -c . "$secrets_file")
# 4 flows x 6 tokens, 4 codes, 2 client secrets
is "$nsec" 30 "the runs received 30 distinct secrets to look for (24 tokens, 4 codes, 2 client secrets)"
dump=$IT_DIR/dump.sql
"$(_stack_pg_bindir)/pg_dump" -d "$IT_DB" -f "$dump" 2>"$IT_DIR/pg_dump.err"
ok $? "pg_dump of the database" || diag "$(cat "$IT_DIR/pg_dump.err")"
grep -q 'mcpgate.authorization_codes' "$dump" && grep -q 'mcpgate.tokens' "$dump"
ok $? "  the dump has the authorization_codes and tokens tables"
logs=()
for f in "$IT_FE_DIR"/*.log; do [ -s "$f" ] && logs+=("$f"); done
ok "$([ "${#logs[@]}" -gt 0 ]; echo $?)" "the front end wrote logs (${#logs[@]} files, log_level=debug)"
found=0 found_log=0
while read -r secret; do
	# as text, and as hex (a bytea column shows its bytes as \x...)
	[ -n "$secret" ] || continue
	hex=$(perl -e 'print unpack("H*", $ARGV[0])' -- "$secret")
	[ -n "$hex" ] || { found=$((found + 1)); diag "could not hex-encode ${secret:0:8}…"; continue; }
	if grep -qiF -e "$secret" -e "$hex" "$dump"; then found=$((found + 1)); diag "in the dump: ${secret:0:8}…"; fi
	if grep -qF -e "$secret" "${logs[@]}" /dev/null; then found_log=$((found_log + 1)); diag "in a log: ${secret:0:8}…"; fi
done <"$secrets_file"
is "$found" 0 "S-24: none of the $nsec codes, tokens and client secrets appears in a pg_dump (as text or hex)"
is "$found_log" 0 "S-24: none of them appears in the front end's logs ($IT_FE_DIR/*.log)"
done_testing
