#!/bin/bash
# t80-sdk-client.t -- a real client: the official MCP TypeScript SDK
# (@modelcontextprotocol/sdk, pinned in tests/node/package.json) discovers
# our metadata, registers itself by RFC 7591 dynamic client registration
# and gets through our HTML login and consent forms to an authorization
# code, once per token_endpoint_auth_method (none, client_secret_post,
# client_secret_basic); then the first client again (consent remembered:
# no consent page), a Deny and a wrong password. The client side
# is tests/node/sdk-authorize.mjs: the SDK's own auth() with an
# OAuthClientProvider whose redirectToAuthorization() walks the forms as a
# person with a browser would (cookies, hidden fields, buttons). The flow
# stops at the code (no token request). Afterwards the database must hold
# the codes only as SHA-256 hashes (SPEC S-24).
#
# Needs node (>= 20) and the packages: run tests/node/setup.sh first
# (scripts/test does). Without them the test is skipped, which fails under
# REQUIRE_INTEGRATION=1.
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres lighttpd node jq

NODEDIR=$top_srcdir/tests/node
SCRIPT=$NODEDIR/sdk-authorize.mjs
for pkg in @modelcontextprotocol/sdk parse5; do
	want=$(jq -r --arg p "$pkg" '.dependencies[$p]' "$NODEDIR/package.json")
	have=$(jq -r .version "$NODEDIR/node_modules/$pkg/package.json" 2>/dev/null)
	[ "$have" = "$want" ] ||
		skip_all "tests/node/node_modules lacks $pkg@$want${have:+ (has $have)}: run tests/node/setup.sh"
done
PASSWD=$top_builddir/mcpgate-passwd
[ -x "$PASSWD" ] || bail_out "$PASSWD not built"

it_db t80
hash=$(echo 'demo password 1' | "$PASSWD") || bail_out "mcpgate-passwd failed"
[[ $hash == "\$argon2id\$"* ]] || bail_out "mcpgate-passwd printed no argon2id hash: $hash"
it_psql "INSERT INTO mcpgate.users (username, password_hash) VALUES ('demo', '$hash')" >/dev/null ||
	bail_out "could not insert the user"
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
	timeout 90 node "$SCRIPT" "$MCP" "$@" --redirect "$REDIRECT" --timeout 60000 \
		>"$SDK_JSON" 2>"$IT_DIR/sdk-$name.err"
	SDK_RC=$?
	jq -e . "$SDK_JSON" >/dev/null 2>&1 || echo '{}' >"$SDK_JSON"
}
# j FILTER -- jq -r FILTER on the last run's output.
j() { jq -r "$1" "$SDK_JSON" 2>/dev/null; }
# What happened, for a failing run.
sdk_diag() {
	diag "sdk-authorize.mjs exit $SDK_RC; errors: $(j '.errors | join("; ")')"
	diag "$(j '.http[]? | "  \(.by) \(.method) \(.url) -> \(.status)\(if .location then " Location: \(.location)" else "" end)"')"
	diag "$(j '.pages[]? | select(.body) | "  body of \(.url): \(.body)"')"
	diag "$(j '.registration.body_not_json // empty | "  registration body: \(.)"')"
	[ -s "$IT_DIR/sdk-$1.err" ] && diag "stderr: $(head -c 2000 "$IT_DIR/sdk-$1.err")"
}
# The user agent's page whose answer_to is login/consent (the answer to
# that POST), or the first page of kind K.
page() { j "[.pages[] | select($1)][0] // {} | $2"; }
codes=() none_client=''

for m in none client_secret_post client_secret_basic; do
	sdk "$m" demo 'demo password 1' "$m"
	ok "$SDK_RC" "[$m] the SDK client's auth() gets an authorization code through login and consent" || sdk_diag "$m"

	# discovery (the SDK checked PRM resource against the URL itself)
	is "$(j .discovery.resource)" "$MCP" "[$m] PRM-05: the SDK found resource = the MCP URL"
	is "$(j .discovery.issuer)" "$B" "[$m] AS-06: the SDK found issuer = base URL via PRM authorization_servers"

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
		    expires_at > now() AND expires_at <= created_at + interval '10 minutes', consumed_at IS NULL
		    FROM mcpgate.authorization_codes WHERE code_hash = sha256(convert_to('$code', 'UTF8'))")
		is "$row" "$client_id|$REDIRECT|$MCP|S256|t|t" \
			"[$m] AZ-13, S-24: the code is stored as its SHA-256, bound to client, redirect_uri and resource, ≤10 min, unused"
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
done

# ---- consent remembered: the none client again, a new login session ------------------
# The consent given above is on record for (demo, client, redirect_uri,
# resource), so after the login the answer is a 303 with the code.
sdk remembered demo 'demo password 1' none --client-id "${none_client:-no-client-registered}"
ok "$SDK_RC" "[remembered] the SDK client (already registered) gets a code again" || sdk_diag remembered
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

# ---- the database: codes only as hashes -------------------------------------------------
is "$(it_psql 'SELECT count(*) FROM mcpgate.authorization_codes')" "${#codes[@]}" \
	"one code row per approved authorization (none for deny or a wrong password)"
is "${#codes[@]}" 4 "four codes were issued (three methods, then the remembered consent)"
is "$(it_psql 'SELECT count(*) FROM mcpgate.authorization_codes WHERE octet_length(code_hash) <> 32')" 0 \
	"S-24: every code is stored as a 32-byte hash"
dump=$IT_DIR/dump.sql
"$(_stack_pg_bindir)/pg_dump" -d "$IT_DB" -f "$dump" 2>"$IT_DIR/pg_dump.err"
ok $? "pg_dump of the database" || diag "$(cat "$IT_DIR/pg_dump.err")"
grep -q 'mcpgate.authorization_codes' "$dump"
ok $? "  the dump has the authorization_codes table"
found=0
for c in "${codes[@]}"; do
	grep -qF -- "$c" "$dump" && { found=$((found + 1)); diag "code $c is in the dump"; }
done
[ "${#codes[@]}" -gt 0 ] || found="no codes to look for"
is "$found" 0 "S-24: none of the ${#codes[@]} codes printed by the client appears in a pg_dump"
done_testing
