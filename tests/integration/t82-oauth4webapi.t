#!/bin/bash
# t82-oauth4webapi.t -- a strict, independent OAuth client against our
# authorization server: oauth4webapi (panva; pinned in
# tests/node/package.json), which validates everything it receives. The
# client side is tests/node/o4w-client.mjs; it reports what it sent, what
# came back and whether oauth4webapi accepted it, and this file asserts.
#
# Per token_endpoint_auth_method (client_secret_basic, client_secret_post,
# none): RFC 9728 protected-resource metadata (resource = the MCP URL),
# RFC 8414 discovery with the issuer check, RFC 7591 registration, the
# authorization request with PKCE S256, state, scope and resource walked
# through our login and consent pages by the same headless user as the SDK
# test (tests/node/headless-user.mjs), the authorization response validated
# with RFC 9207 iss (we advertise it), the code exchange, refresh with
# rotation, the old refresh token again (inside the grace window: the same
# pair; with refresh_grace=0: refused and the family revoked), RFC 7009
# revocation; and the attacks the AS must refuse: a replayed code, a wrong
# verifier, no PKCE, unregistered redirect URIs, a wrong client secret.
# Then the database and the logs: tokens only as SHA-256, nothing the
# client received in a pg_dump or in the front end's logs (S-24).
#
# Needs node (>= 20) and the packages: run tests/node/setup.sh first
# (scripts/test does). Without them the test is skipped, which fails under
# REQUIRE_INTEGRATION=1.
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres lighttpd node jq perl

NODEDIR=$top_srcdir/tests/node
SCRIPT=$NODEDIR/o4w-client.mjs
for pkg in oauth4webapi parse5; do
	want=$(jq -r --arg p "$pkg" '.dependencies[$p]' "$NODEDIR/package.json")
	have=$(jq -r .version "$NODEDIR/node_modules/$pkg/package.json" 2>/dev/null)
	[ "$have" = "$want" ] ||
		skip_all "tests/node/node_modules lacks $pkg@$want${have:+ (has $have)}: run tests/node/setup.sh"
done

it_db t82
it_user demo 'demo password 1'
# many sign-ins (several authorizations per run); log as much as the
# programs ever log, so that "no token in the logs" means something
it_config login_limit_user=1000 login_limit_ip=1000 log_level=debug
it_lighttpd
B=$IT_URL
MCP=$B/mcp
REDIRECT=http://127.0.0.1:18199/callback   # nothing listens: the redirect is captured, not followed

# o4w NAME ARGS... -- run the client; O4W_RC and O4W_JSON (its output file).
O4W_RC='' O4W_JSON=''
o4w() {
	local name=$1
	shift
	O4W_JSON=$IT_DIR/o4w-$name.json
	timeout 120 node "$SCRIPT" --resource "$MCP" --user demo --password 'demo password 1' \
		--redirect "$REDIRECT" --negative --reveal-secrets --timeout 90000 "$@" \
		>"$O4W_JSON" 2>"$IT_DIR/o4w-$name.err"
	O4W_RC=$?
	jq -e . "$O4W_JSON" >/dev/null 2>&1 || echo '{}' >"$O4W_JSON"
}
# j FILTER -- jq -r FILTER on the last run's output; s FILTER -- the same on .steps
j() { jq -r "$1" "$O4W_JSON" 2>/dev/null; }
s() { j ".steps | $1"; }
o4w_diag() {
	diag "o4w-client.mjs exit $O4W_RC; errors: $(j '.errors | join("; ")')"
	diag "$(j '.http[]? | "  \(.by // "o4w") \(.method) \(.url) -> \(.status)\(if .response_error then " \(.response_error)" else "" end)"')"
	[ -s "$IT_DIR/o4w-$1.err" ] && diag "stderr: $(head -c 2000 "$IT_DIR/o4w-$1.err")"
}
# sqlhash TOKEN -- the SQL expression of its SHA-256 (our tokens are base64url)
sqlhash() { printf "sha256(convert_to('%s', 'UTF8'))" "$1"; }
# tok LABEL access|refresh -- a token the last run received (secrets.tokens)
tok() { j "[.secrets.tokens[] | select(.label == \"$1\")][0].$2_token // empty"; }

# All the secrets the client received, for the dump and log checks at the end.
secrets_file=$IT_DIR/secrets.txt
: >"$secrets_file"
collect_secrets() {
	j '.secrets | (.client_secret // empty), (.codes[]?), (.tokens[]? | .access_token, .refresh_token) | select(. != null)' >>"$secrets_file"
}

run_asserts() {
	local meth=$1 grace=$2 window=$3 cid auth_check want
	ok "$O4W_RC" "[$meth] oauth4webapi went through the whole flow (o4w-client.mjs)" || o4w_diag "$meth"

	# ---- discovery
	is "$(s .prm.o4w)" accepted "[$meth] PRM-04, PRM-05: RFC 9728 processing accepts the metadata (resource = the MCP URL)"
	is "$(s .prm.well_known_url)" /.well-known/oauth-protected-resource/mcp "[$meth] PRM-02: found at the path-inserted well-known URL"
	is "$(s .prm.resource)" "$MCP" "[$meth] PRM-05: resource is exactly the MCP URL"
	is "$(s '.prm.authorization_servers | join(" ")')" "$B" "[$meth] PRM-01: authorization_servers = [issuer]"
	is "$(s .as.o4w)" accepted "[$meth] AS-01, AS-06: RFC 8414 processing accepts the metadata (issuer matches)"
	is "$(s .as.well_known_url)" /.well-known/oauth-authorization-server "[$meth] AS-02: at /.well-known/oauth-authorization-server"
	is "$(s .as.issuer_identical)" true "[$meth] AS-06: issuer string-identical to the PRM's authorization server"
	is "$(s .as.authorization_response_iss_parameter_supported)" true "[$meth] AZ-14, AS-07: iss in authorization responses advertised"
	is "$(s '.as.code_challenge_methods_supported | join(" ")')" S256 "[$meth] AS-07, S-10: S256 only"
	is "$(s "[.as.token_endpoint_auth_methods_supported[]? | select(. == \"$meth\")] | length")" 1 "[$meth] AS-09: $meth advertised"
	is "$(s .as.revocation_endpoint)" "$B/mcp/revoke" "[$meth] AS-07: revocation_endpoint advertised"

	# ---- registration
	is "$(s .dcr.o4w)" accepted "[$meth] DCR-05: 201 application/json with a client_id (oauth4webapi)"
	is "$(s .dcr.cache_control)" no-store "[$meth] S-17: registration answer no-store"
	is "$(s .dcr.token_endpoint_auth_method)" "$meth" "[$meth] DCR-06: the method is echoed"
	if [ "$meth" = none ]; then
		is "$(s .dcr.has_client_secret)" false "[$meth] DCR-06: no client_secret for a none client"
	else
		is "$(s .dcr.has_client_secret)/$(s .dcr.client_secret_expires_at)" true/0 "[$meth] DCR-05: a client_secret, expires_at 0"
	fi
	cid=$(s .dcr.client_id)

	# ---- authorization
	is "$(s '[.authorize.pages[] | .kind] | join(",")')" 'login,consent,redirect to redirect_uri' \
		"[$meth] AZ-02, S-06: login page, consent page (a new client), then the redirect"
	is "$(s .authorize.redirect_status)" 303 "[$meth] AZ-12, S-14: 303 to the redirect_uri after the consent POST"
	is "$(s .authorize.o4w)" accepted "[$meth] AZ-11, AZ-12, AZ-14: validateAuthResponse accepts code, state and iss (RFC 9207)"
	is "$(s .authorize.iss)" "$B" "[$meth] AZ-14: iss = the issuer"
	is "$(s '"\(.authorize.o4w_refuses_wrong_iss) \(.authorize.o4w_refuses_missing_iss)"')" "true true" \
		"[$meth] (self-check) the client refuses the same response with iss altered or removed"

	# ---- token
	is "$(s .token.o4w)" accepted "[$meth] TK-03, TK-06: the code exchange answer passes processAuthorizationCodeResponse"
	is "$(s .token.response.status)" 200 "[$meth] TK-03: 200"
	is "$(s .token.response.cache_control)" no-store "[$meth] TK-02, S-17: Cache-Control: no-store"
	like "$(s .token.response.content_type)" '^application/json' "[$meth] TK-02: JSON"
	is "$(s '"\(.token.response.token_type) \(.token.response.expires_in) \(.token.response.scope)"')" "Bearer 3600 mcp:read" \
		"[$meth] TK-03: token_type Bearer, expires_in, scope"
	is "$(s .token.has_refresh_token)" true "[$meth] RT-01: a refresh token"
	case $meth in
	client_secret_basic) auth_check='"\(.token.request.authorization_scheme) \(.token.request.basic_client_id == "'"$cid"'") \(.token.request.body_has_client_secret)"'
		want="Basic true false" ;;
	client_secret_post) auth_check='"\(.token.request.authorization_scheme // "-") \(.token.request.body_client_id == "'"$cid"'") \(.token.request.body_has_client_secret)"'
		want="- true true" ;;
	none) auth_check='"\(.token.request.authorization_scheme // "-") \(.token.request.body_client_id == "'"$cid"'") \(.token.request.body_has_client_secret)"'
		want="- true false" ;;
	esac
	is "$(s "$auth_check")" "$want" "[$meth] TK-04: the client authenticated with $meth (scheme, client_id, secret in body)"

	# ---- refresh, rotation, the old refresh token again
	is "$(s .refresh.o4w)" accepted "[$meth] RT-02: the refresh answer passes processRefreshTokenResponse"
	is "$(s .refresh.response.cache_control)" no-store "[$meth] TK-02: no-store on the refresh answer"
	is "$(s '"\(.refresh.rotated) \(.refresh.new_access_token)"')" "true true" "[$meth] RT-03, RT-07: a new refresh token and a new access token"
	if [ "$grace" -gt 0 ]; then
		is "$(s .replay.o4w)" accepted "[$meth] RT-06: the old refresh token at once (inside refresh_grace) is answered"
		is "$(s '"\(.replay.same_access_token) \(.replay.same_refresh_token)"')" "true true" "[$meth] RT-06: with the same new pair"
		is "$(s '"\(.refresh2.o4w) \(.refresh2.rotated)"')" "accepted true" "[$meth] RT-03: the new refresh token rotates in turn"
	else
		is "$(s '"\(.replay.response.status) \(.replay.error.error)"')" "400 invalid_grant" \
			"[$meth] RT-03: with refresh_grace=0 the old refresh token is refused (invalid_grant)"
		is "$(s '"\(.after_reuse.response.status) \(.after_reuse.error.error)"')" "400 invalid_grant" \
			"[$meth] RT-03: and the family is revoked: the new refresh token is refused too"
	fi

	# ---- revocation (RFC 7009)
	is "$(s '"\(.revoke.access_token.response.status) \(.revoke.access_token.o4w)"')" "200 accepted" "[$meth] RV-01: revoking the access token: 200"
	is "$(s '"\(.revoke.refresh_token.response.status) \(.revoke.refresh_token.o4w)"')" "200 accepted" "[$meth] RV-01: revoking the refresh token: 200"
	is "$(s '"\(.revoke.unknown_token.response.status) \(.revoke.unknown_token.o4w)"')" "200 accepted" "[$meth] RV-01: an unknown token: 200 as well"
	is "$(s .revoke.refresh_token.response.cache_control)" no-store "[$meth] TK-02: no-store on the revocation answer"
	is "$(s '"\(.revoke.refresh_after.response.status) \(.revoke.refresh_after.error.error)"')" "400 invalid_grant" \
		"[$meth] RV-01: the revoked refresh token no longer works"

	# ---- attacks
	is "$(s .code_replay.first.o4w)" accepted "[$meth] (code replay) the first exchange works"
	is "$(s '"\(.code_replay.second.response.status) \(.code_replay.second.error.error)"')" "400 invalid_grant" \
		"[$meth] TK-08, S-11: a redeemed code again → invalid_grant"
	if [ "$window" -gt 0 ]; then
		is "$(s .code_replay.first_refresh_after.o4w)" accepted \
			"[$meth] TK-08: inside code_duplicate_window the first answer's tokens stay valid"
	else
		is "$(s '"\(.code_replay.first_refresh_after.response.status) \(.code_replay.first_refresh_after.error.error)"')" "400 invalid_grant" \
			"[$meth] TK-08: with code_duplicate_window=0 the replay revokes what the code produced"
	fi
	is "$(s '"\(.wrong_verifier.wrong.response.status) \(.wrong_verifier.wrong.error.error)"')" "400 invalid_grant" \
		"[$meth] TK-06: a wrong code_verifier → invalid_grant"
	is "$(s .wrong_verifier.right_after.o4w)" accepted "[$meth] TK-08 (RFC 9700 §4.2.4): the failed try used nothing up: the right verifier still works"
	is "$(s '"\(.no_pkce.redirected) \(.no_pkce.error) \(.no_pkce.has_code)"')" "true invalid_request false" \
		"[$meth] AZ-08, S-10: no code_challenge → error redirect invalid_request, no code"
	like "$(s .no_pkce.redirect_status)" '^30[23]$' "[$meth] AZ-12: with 302 or 303"
	is "$(s '"\(.no_pkce.state_matches) \(.no_pkce.iss)"')" "true $B" "[$meth] AZ-11, AZ-14: the error redirect carries state and iss"
	is "$(s '"\(.no_pkce.o4w_error.class) \(.no_pkce.o4w_error.error)"')" "AuthorizationResponseError invalid_request" \
		"[$meth] AZ-15: validateAuthResponse checks state and iss, then reports the error"
	for k in other_host other_path; do
		is "$(s "\"\(.bad_redirect.$k.redirected) \(.bad_redirect.$k.any_location)\"")" "false false" \
			"[$meth] AZ-04, AZ-05, S-03: unregistered redirect_uri ($k: $(s ".bad_redirect.$k.redirect_uri")) → no redirect at all"
		is "$(s "\"\(.bad_redirect.$k.status) \(.bad_redirect.$k.content_type)\"")" "400 text/html; charset=utf-8" \
			"[$meth] AZ-04: an error page (400, HTML) instead"
	done
	if [ "$meth" = none ]; then
		skip "[$meth] no secret to get wrong" 4
	else
		is "$(s '"\(.wrong_secret.basic.response.status) \(.wrong_secret.basic.error.error)"')" "401 invalid_client" \
			"[$meth] TK-11: a wrong secret (Basic) → 401 invalid_client"
		like "$(s .wrong_secret.basic.response.www_authenticate)" '^Basic ' "[$meth] TK-11: with WWW-Authenticate: Basic"
		is "$(s '"\(.wrong_secret.post.response.status) \(.wrong_secret.post.error.error) \(.wrong_secret.revoke_basic.response.status) \(.wrong_secret.revoke_basic.error.error)"')" \
			"401 invalid_client 401 invalid_client" "[$meth] TK-04, RV-01: a wrong secret in the body, or at the revocation endpoint → 401 invalid_client"
		is "$(s .wrong_secret.right_after.o4w)" accepted "[$meth] the right secret then redeems the same code"
	fi

	# ---- the database
	local t1r t2r t2a n want_n
	t1r=$(tok exchange refresh) t2r=$(tok refresh refresh) t2a=$(tok refresh access)
	n=0 want_n=0
	while read -r t; do
		[[ $t =~ ^[A-Za-z0-9_-]+$ ]] || continue
		want_n=$((want_n + 1))
		n=$((n + $(it_psql "SELECT count(*) FROM mcpgate.tokens WHERE token_hash = $(sqlhash "$t") AND client_id = '$cid'")))
	done < <(j '[.secrets.tokens[] | .access_token, .refresh_token] | unique | .[]')
	is "$n/$want_n" "$want_n/$want_n" "[$meth] S-24: each of the $want_n tokens the client received is stored as its SHA-256, bound to the client"
	if [[ $t1r =~ ^[A-Za-z0-9_-]+$ && $t2r =~ ^[A-Za-z0-9_-]+$ ]]; then
		is "$(it_psql "SELECT count(DISTINCT family_id) FROM mcpgate.tokens WHERE token_hash IN ($(sqlhash "$t1r"), $(sqlhash "$t2r"), $(sqlhash "$t2a"))")" 1 \
			"[$meth] RT-03: the rotated pair stays in the code's token family"
		is "$(it_psql "SELECT rotated_at IS NOT NULL, successor_hash = $(sqlhash "$t2r"), replay_box IS NOT NULL, coalesce(replay_until > now(), false) FROM mcpgate.tokens WHERE token_hash = $(sqlhash "$t1r")" | tr '|' ' ')" \
			"$([ "$grace" -gt 0 ] && echo 't t t t' || echo 't t f f')" \
			"[$meth] RT-03, RT-06: the old refresh token is marked rotated with its successor's hash$([ "$grace" -gt 0 ] && echo ', its sealed replay copy until the window ends' || echo ', and no replay copy with refresh_grace=0')"
		is "$(it_psql "SELECT revoke_reason FROM mcpgate.token_families f JOIN mcpgate.tokens t USING (family_id) WHERE t.token_hash = $(sqlhash "$t1r")")" \
			"$([ "$grace" -gt 0 ] && echo 'revoked by the client' || echo 'refresh token reused')" \
			"[$meth] RT-03, RV-01: why the main family ended"
	else
		skip "[$meth] no tokens to look up" 3
	fi
	collect_secrets
}

# ---- client_secret_basic, client_secret_post: default windows -----------------------------
o4w basic --auth-method client_secret_basic
run_asserts client_secret_basic 60 10
o4w post --auth-method client_secret_post
run_asserts client_secret_post 60 10

# ---- none, with refresh_grace=0 and code_duplicate_window=0 --------------------------------
# After the window (here: at once) a rotated refresh token revokes its
# family, and a replayed code revokes what it produced.
it_config refresh_grace=0 code_duplicate_window=0
o4w none --auth-method none --refresh-grace 0 --code-duplicate-window 0
run_asserts none 0 0
cr=$(tok 'code_replay first' refresh)
is "$(it_psql "SELECT revoke_reason FROM mcpgate.token_families f JOIN mcpgate.tokens t USING (family_id) WHERE t.token_hash = $(sqlhash "${cr:-x}")")" \
	'authorization code redeemed twice' "[none] TK-08: the replayed code's family is revoked"
is "$(it_psql "SELECT string_agg(DISTINCT event, ' ' ORDER BY event) FROM mcpgate.audit_log WHERE event IN ('reuse_detected', 'code_replay', 'code_duplicate', 'revoke')")" \
	'code_duplicate code_replay reuse_detected revoke' "audit log: code_duplicate, code_replay, reuse_detected and revoke were recorded"

# ---- secrets at rest and in the logs (S-24) ---------------------------------------------
is "$(it_psql 'SELECT count(*) FROM mcpgate.tokens WHERE octet_length(token_hash) <> 32 OR octet_length(successor_hash) <> 32')" 0 \
	"S-24: every token (and successor) is stored as a 32-byte hash"
sort -u -o "$secrets_file" "$secrets_file"
nsec=$(grep -c . "$secrets_file")
ok "$([ "$nsec" -ge 30 ]; echo $?)" "the three runs received $nsec distinct secrets (client secrets, codes, tokens) to look for"
dump=$IT_DIR/dump.sql
"$(_stack_pg_bindir)/pg_dump" -d "$IT_DB" -f "$dump" 2>"$IT_DIR/pg_dump.err"
ok $? "pg_dump of the database" || diag "$(cat "$IT_DIR/pg_dump.err")"
grep -q 'mcpgate.tokens' "$dump"
ok $? "  the dump has the tokens table"
# each secret as text and as hex (a bytea column would show it as \x...)
found=0 found_log=0 logs=()
for f in "$IT_FE_DIR"/*.log; do [ -s "$f" ] && logs+=("$f"); done
while read -r secret; do
	[ -n "$secret" ] || continue
	hex=$(perl -e 'print unpack("H*", $ARGV[0])' -- "$secret")
	[ -n "$hex" ] || { found=$((found + 1)); diag "could not hex-encode ${secret:0:8}…"; continue; }
	if grep -qiF -e "$secret" -e "$hex" "$dump"; then found=$((found + 1)); diag "in the dump: ${secret:0:8}…"; fi
	if grep -qF -e "$secret" "${logs[@]}" /dev/null; then found_log=$((found_log + 1)); diag "in a log: ${secret:0:8}…"; fi
done <"$secrets_file"
is "$found" 0 "S-24: none of the $nsec secrets appears in a pg_dump (as text or hex)"
ok "$([ "${#logs[@]}" -gt 0 ]; echo $?)" "the front end wrote logs (${#logs[@]} files, log_level=debug)"
is "$found_log" 0 "S-24: none of them appears in the front end's logs ($IT_FE_DIR/*.log)"
done_testing
