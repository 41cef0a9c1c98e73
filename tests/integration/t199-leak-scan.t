#!/bin/bash
# t199-leak-scan.t -- nothing leaks (issue 8, SPEC S-24): after a full flow
# at log_level=debug, through lighttpd (FastCGI) and Apache (plain CGI), no
# code, access token, refresh token, client secret or password the flow
# created appears in a dump of the database, in the front ends' logs (error,
# access, the programs' stderr) or in PostgreSQL's log, and no SHA-256 of
# one appears in the front ends' logs.
#
# The scanner is lib.sh's (it_secret, it_leak_scan): every test records what
# it is handed through `http` and it_user, and done_testing scans, so the
# whole suite is covered test by test. This test makes the flow as complete
# as it can be: the official SDK client's own flow (registration, login,
# consent, code, token, tools, expiry, its own refresh), confidential
# clients with both secret methods, wrong secrets and near-miss passwords,
# refresh inside and outside the grace window, revocation, a token put in
# the URL by a careless client, a set-password link, the connector doctor's
# sign-in; then stops the front ends (complete logs) and scans. Negative
# controls prove the scanner can fail: a secret planted in a log, a hash
# planted in a program log, a secret planted in the database are each found.
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres lighttpd apache jq perl sha256sum
it_db t199 "$top_srcdir/sql/demo.sql"
it_user demo 'demo password 1'
it_config log_level=debug login_limit_user=100 login_limit_ip=100 admin_users=demo
it_lighttpd
L=$IT_URL LDIR=$IT_FE_DIR
it_apache cgi
C=$IT_URL CDIR=$IT_FE_DIR
IT_URL=$L
CB=https://client.example/cb
PSQL=$(_stack_pg_bindir)/psql
http POST /mcp/register -H 'Content-Type: application/json' --data-binary '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"none"}'
PUB=$(http_json .client_id)
recorded() { grep -qxF -- "$1" "$IT_SECRETS"; }

# ---- 1. the official SDK client's whole flow (lighttpd) -------------------------------------------
NODEDIR=$top_srcdir/tests/node
if command -v node >/dev/null 2>&1 && [ -d "$NODEDIR/node_modules/@modelcontextprotocol/sdk" ]; then
	printf -v EXPIRE_CMD '%q -X -q -A -t -v ON_ERROR_STOP=1 -d %q -c "%s"' "$PSQL" "$IT_DB" \
		"UPDATE mcpgate.tokens SET expires_at = created_at + interval '1 microsecond'
		  WHERE kind = 'access' AND token_hash = decode('\$MCPGATE_ACCESS_SHA256', 'hex') AND expires_at > now()"
	timeout 120 node "$NODEDIR/sdk-flow.mjs" "$L/mcp" demo 'demo password 1' --query backup \
	    --redirect http://127.0.0.1:18199/callback --expire-cmd "$EXPIRE_CMD" --reveal-secrets --timeout 100000 \
	    >"$IT_DIR/sdk.json" 2>"$IT_DIR/sdk.err"
	ok $? "the SDK client's whole flow (401, discovery, registration, login, consent, code, token, search, fetch, expiry, refresh)" ||
		diag "$(head -c 2000 "$IT_DIR/sdk.err") $(jq -c .errors "$IT_DIR/sdk.json" 2>/dev/null)"
	# shellcheck disable=SC2046
	it_secret $(jq -r '.secrets | (.code, .client_secret, .access_tokens[]?, .refresh_tokens[]?) // empty' "$IT_DIR/sdk.json" 2>/dev/null)
	is "$(jq -r '.secrets | [.code] + .access_tokens + .refresh_tokens | map(select(. != null)) | length' "$IT_DIR/sdk.json" 2>/dev/null)" 5 \
	    "  it revealed its code, two access tokens and two refresh tokens to the scanner"
else
	skip "node or tests/node's packages missing (tests/node/setup.sh)" 2
fi

# ---- 2. confidential clients, mistakes, refresh, revocation, tools (lighttpd, then Apache CGI) ------------
flow() {	# flow TAG -- on $IT_URL
	local t=$1 m id sec c at rt at2 rt2 jar=$IT_DIR/jar-$1
	local -a auth
	for m in client_secret_post client_secret_basic; do
		http POST /mcp/register -H 'Content-Type: application/json' \
		    --data-binary '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"'$m'","client_name":"leak '$m'"}'
		id=$(http_json .client_id) sec=$(http_json .client_secret)
		c=$(it_code "$id" "$CB" demo 'demo password 1')
		auth=(--data-urlencode "client_id=$id" --data-urlencode "client_secret=$sec")
		[ $m = client_secret_basic ] && auth=(-u "$id:$sec")
		# a near-miss secret first (one character changed): refused, never logged
		it_secret "${sec%?}X"
		http POST /mcp/token -u "$id:${sec%?}X" --data "grant_type=authorization_code&code=$c&code_verifier=$IT_VERIFIER"
		is "$HTTP_STATUS" 401 "[$t] $m: a near-miss client secret → 401"
		http POST /mcp/token --data-urlencode "client_id=$id" --data-urlencode "client_secret=${sec%?}X" \
		    --data "grant_type=authorization_code&code=$c&code_verifier=$IT_VERIFIER"
		http POST /mcp/token "${auth[@]}" --data "grant_type=authorization_code&code=$c&code_verifier=$IT_VERIFIER&redirect_uri=$(it_urlencode "$CB")"
		at=$(http_json .access_token) rt=$(http_json .refresh_token)
		is "$HTTP_STATUS" 200 "[$t] $m: code exchange"
		http POST /mcp/token "${auth[@]}" --data "grant_type=authorization_code&code=$c&code_verifier=$IT_VERIFIER"
		is "$HTTP_STATUS" 400 "[$t] $m: the code again (duplicate) → 400"
		http POST /mcp/token "${auth[@]}" --data "grant_type=refresh_token&refresh_token=$rt"
		at2=$(http_json .access_token) rt2=$(http_json .refresh_token)
		http POST /mcp/token "${auth[@]}" --data "grant_type=refresh_token&refresh_token=$rt"
		is "$HTTP_STATUS/$(http_json .refresh_token)" "200/$rt2" "[$t] $m: refresh, and again inside the grace window (the sealed pair)"
		http POST /mcp/token "${auth[@]}" --data "grant_type=refresh_token&refresh_token=$rt2&scope=mcp:admin"
		http POST /mcp -H 'Content-Type: application/json' -H "Authorization: Bearer $at2" -H 'MCP-Protocol-Version: 2025-06-18' \
		    --data-binary '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search","arguments":{"query":"backup"}}}'
		is "$HTTP_STATUS" 200 "[$t] $m: tools/call with the access token"
		http POST "/mcp?access_token=$at2" -H 'Content-Type: application/json' -H 'MCP-Protocol-Version: 2025-06-18' \
		    --data-binary '{"jsonrpc":"2.0","id":1,"method":"ping"}'
		is "$HTTP_STATUS" 401 "[$t] $m: a careless client puts its token in the URL → 401 (TV-05; the access log records the URL, the programs must not)"
		http POST /mcp -H 'Content-Type: application/json' -H "Authorization: Bearer ${at2%?}X" -H 'MCP-Protocol-Version: 2025-06-18' \
		    --data-binary '{"jsonrpc":"2.0","id":1,"method":"ping"}'
		it_secret "${at2%?}X"
		http POST /mcp/revoke "${auth[@]}" --data "token=$at2"
		http POST /mcp/revoke "${auth[@]}" --data "token=$rt2&token_type_hint=refresh_token"
		http POST /mcp/token "${auth[@]}" --data "grant_type=refresh_token&refresh_token=$rt2"
		is "$HTTP_STATUS" 400 "[$t] $m: revoked → the refresh token is dead"
		it_psql "UPDATE mcpgate.tokens SET replay_until = now() - interval '1 second' WHERE replay_until IS NOT NULL" >/dev/null
		http POST /mcp/token "${auth[@]}" --data "grant_type=refresh_token&refresh_token=$rt"
		is "$HTTP_STATUS" 400 "[$t] $m: the first refresh token after the window (reuse) → 400"
	done
	# sign-in mistakes: a near-miss password, a password for an unknown user
	it_secret 'demo password 2'
	rm -f "$jar"
	http GET "/mcp/authorize?response_type=code&client_id=$id&redirect_uri=$(it_urlencode "$CB")&code_challenge=$IT_CHALLENGE&code_challenge_method=S256" -c "$jar" -b "$jar"
	http POST /mcp/authorize -c "$jar" -b "$jar" --data "$(it_form_fields "$HTTP_BODY")&username=demo&password=$(it_urlencode 'demo password 2')"
	is "$HTTP_STATUS" 401 "[$t] a near-miss password → 401"
	http POST /mcp/authorize -c "$jar" -b "$jar" --data "$(it_form_fields "$HTTP_BODY")&username=nobody&password=$(it_urlencode 'demo password 1')"
	is "$HTTP_STATUS" 401 "[$t] the right password for an unknown user → 401"
	# the session cookies are secrets too
	# shellcheck disable=SC2046
	it_secret $(awk '$6 ~ /mcpgate_session$/ { print $7 }' "$jar")
}
flow lighttpd
IT_URL=$C
flow apache-cgi
IT_URL=$L

# a set-password link, then the new password used
tok=$(head -c 32 /dev/urandom | sha256sum | cut -c1-64)
it_psql "INSERT INTO mcpgate.users (username, set_password_hash, set_password_expires_at)
    VALUES ('carol', sha256(convert_to('$tok', 'UTF8')), now() + interval '1 day')" >/dev/null
it_secret 'carol secret pass 9'
http POST /mcp/password --data "token=$tok&password=$(it_urlencode 'carol secret pass 9')&password2=$(it_urlencode 'carol secret pass 9')"
is "$HTTP_STATUS" 200 "a new user sets a password through a set-password link"
c=$(it_code "$PUB" "$CB" carol 'carol secret pass 9')
like "$c" '^[A-Za-z0-9_-]{43}$' "  and signs in with it"
# the connector doctor's sign-in (admin_users = demo)
if [ -x "$IT_DIR/cgi-bin/doctor" ]; then
	rm -f "$IT_DIR/djar"
	http GET /mcp/doctor -c "$IT_DIR/djar" -b "$IT_DIR/djar"
	http POST /mcp/doctor -c "$IT_DIR/djar" -b "$IT_DIR/djar" --data "$(it_form_fields "$HTTP_BODY")&username=demo&password=$(it_urlencode 'demo password 1')"
	like "$HTTP_STATUS" '^200$' "the connector doctor: an administrator signs in and gets the report"
else
	skip "no doctor program built"
fi

# ---- 3. the scan, with complete logs -------------------------------------------------------------------
stack_lighttpd_stop "$LDIR"; stack_apache_stop "$CDIR"
n=$(sort -u "$IT_SECRETS" | wc -l)
ok "$([ "$n" -ge 30 ]; echo $?)" "the flows recorded $n secrets for the scan"
for s in "$(jq -r .secrets.code "$IT_DIR/sdk.json" 2>/dev/null)" 'demo password 1' 'carol secret pass 9' "$c"; do
	[ -z "$s" ] || [ "$s" = null ] && continue
	recorded "$s" || diag "not recorded: ${s:0:8}…"
done
recorded 'demo password 1' && recorded "$c" && [ "$(grep -c -E '^[A-Za-z0-9_-]{43}$' "$IT_SECRETS")" -ge 20 ]
ok $? "  codes, tokens, client secrets and passwords among them"
grep -qs 'POST /mcp authorization=Bearer' "$LDIR/lighttpd-stderr.log" && grep -qs 'POST /mcp/token authorization=Basic' "$CDIR/apache-error.log"
ok $? "the programs logged at debug level through both front ends (the logs are not empty)"
it_leak_scan "S-24: no code, token, client secret, password or session id of the flow is in the database dump, the front ends' logs or PostgreSQL's log"

# ---- 4. negative controls: the scanner finds what is there ---------------------------------------------------
at=$(jq -r '.secrets.access_tokens[0] // empty' "$IT_DIR/sdk.json" 2>/dev/null)
[ -n "$at" ] || at=$(grep -E '^[A-Za-z0-9_-]{43}$' "$IT_SECRETS" | head -n 1)
printf 'some log line with %s in it\n' "$at" >"$IT_DIR/planted.log"
IT_LEAK_FILES=("$IT_DIR/planted.log")
out=$(_it_leak_find); rc=$?
is "$rc" 1 "negative control: a token planted in a log file is found"
like "$out" "planted\\.log: $at" "  the finding names the file and the value"
IT_LEAK_FILES=()
cp "$LDIR/lighttpd-stderr.log" "$IT_DIR/stderr.keep"
printf 'mcpgate-token[1]: req 1: debug: hash %s\n' "$(printf '%s' 'demo password 1' | sha256sum | cut -d' ' -f1)" >>"$LDIR/lighttpd-stderr.log"
out=$(_it_leak_find); rc=$?
is "$rc" 1 "negative control: the SHA-256 (hex) of a password planted in a program log is found"
like "$out" 'lighttpd/lighttpd-stderr\.log: sha256 of demo password 1' "  named as such"
cp "$IT_DIR/stderr.keep" "$LDIR/lighttpd-stderr.log"
it_psql "INSERT INTO mcpgate.audit_log (event, detail) VALUES ('t199_planted', jsonb_build_object('oops', '$at'))" >/dev/null
out=$(_it_leak_find); rc=$?
is "$rc" 1 "negative control: a token planted in the database is found in the dump"
like "$out" "dump\\.sql: $at" "  named as such"
it_psql "DELETE FROM mcpgate.audit_log WHERE event = 't199_planted'" >/dev/null
_it_leak_find >"$IT_DIR/final-scan" 2>&1
is "$?/$(cat "$IT_DIR/final-scan")" "0/" "the plants removed: the scan is clean again"
done_testing
