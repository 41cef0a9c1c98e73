#!/bin/bash
# t132-limits.t -- limits and abuse (issue 8), through lighttpd against real
# PostgreSQL; each check cites its SPEC id:
#  - body size per endpoint (413), form parameters (count, length,
#    encoding), JSON depth, size, duplicates and batch size, the search
#    query's length, a tool's result size and fetch_max_chars, the number and
#    length of redirect URIs (boundaries: t70 tests beyond them);
#  - rate limits (429 + Retry-After) on login per user and per address,
#    registration per address and failed client authentication at the token
#    endpoint per address, each counter expiring when its window has passed
#    (made to pass by moving the rows' windows in SQL, not by sleeping), a
#    username's case and X-Forwarded-For not escaping them;
#  - login timing: an unknown user costs the same argon2id verification as
#    a wrong password (20 attempts each, medians within 0.5-2x), and that
#    work is really done (both far slower than a refused form).
# What t70, t72, t74 and t100 already test is not repeated: the register
# body limit, more than 10 or over-long redirect URIs, a 10 kB search query,
# the first 429 of each limit.
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres lighttpd jq perl
it_db t132 "$top_srcdir/sql/demo.sql"
it_user demo 'demo password 1'
it_config login_limit_user=1000 login_limit_ip=1000 register_limit=1000 token_failure_limit=1000
it_lighttpd
B=$IT_URL
CB=https://client.example/cb
A=/mcp/authorize
reg() { http POST /mcp/register -H 'Content-Type: application/json' --data-binary "$1" "${@:2}"; }
reg '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"none"}'
CID=$(http_json .client_id)
reg '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"client_secret_post"}'
SCID=$(http_json .client_id) SSEC=$(http_json .client_secret)
TOK=$(it_token "$CID" "$CB" demo 'demo password 1')
[[ $TOK =~ ^[A-Za-z0-9_-]{43}$ ]] || bail_out "no access token"
pad() { head -c "$1" /dev/zero | tr '\0' "${2:-a}"; }
mcp() {	# mcp JSON [curl args] -- the body goes through a file (large ones)
	printf '%s' "$1" >"$IT_DIR/body"
	shift
	http POST /mcp -H 'Content-Type: application/json' -H "Authorization: Bearer $TOK" \
	    -H "MCP-Protocol-Version: ${V:-2025-06-18}" "$@" --data-binary @"$IT_DIR/body"
}
call() { mcp '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"'"$1"'","arguments":'"$2"'}}'; }
age() {	# age BUCKET-LIKE INTERVAL -- move the matching rate-limit windows into the past
	it_psql "UPDATE mcpgate.rate_limits SET window_start = window_start - interval '$2',
	    window_end = window_end - interval '$2' WHERE bucket LIKE '$1'" >/dev/null
}
JAR=$IT_DIR/jar
login_form() {	# a login page in a fresh jar: sets F
	rm -f "$JAR"
	http GET "$A?response_type=code&client_id=$CID&redirect_uri=$(it_urlencode "$CB")&code_challenge=$IT_CHALLENGE&code_challenge_method=S256&state=s" -c "$JAR" -b "$JAR"
	F=$(it_form_fields "$HTTP_BODY")
}
login() { http POST $A -c "$JAR" -b "$JAR" --data "$F&username=$(it_urlencode "$1")&password=$(it_urlencode "$2")" "${@:3}"; }

# ---- body size (413) ---------------------------------------------------------------------
http POST /mcp/token --data "grant_type=refresh_token&client_id=$CID&x=$(pad 17000)"
is "$HTTP_STATUS/$(http_json .error)" 413/invalid_request "TK-01: a token request over 16 KiB → 413"
is "$(http_header Cache-Control)" no-store "  TK-02: no-store"
http POST /mcp/token --data "grant_type=refresh_token&client_id=$CID&refresh_token=x&x=$(pad 16000)"
is "$HTTP_STATUS/$(http_json .error)" 400/invalid_grant "TK-01: just under the limit the request is read (unknown parameters ignored)"
http POST $A --data "step=login&x=$(pad 17000)"
is "$HTTP_STATUS" 413 "a form post to the authorization endpoint over 16 KiB → 413"
like "$(http_header Content-Type)" '^text/html' "  as a page"
mcp "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"$(pad 270000)\"}}"
is "$HTTP_STATUS" 413 "F-11: an MCP message over 256 KiB → 413"
mcp "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"$(pad 250000)\"}}"
is "$HTTP_STATUS" 200 "  one of 250 kB is read"

# ---- form parameters --------------------------------------------------------------------------
many=$(for i in $(seq 65); do printf 'p%d=1&' "$i"; done)
http POST /mcp/token --data "${many}grant_type=refresh_token"
is "$HTTP_STATUS/$(http_json .error)" 400/invalid_request "TK-01: more than 64 parameters → 400 invalid_request"
like "$(http_json .error_description)" '64' "  saying so"
many=$(for i in $(seq 61); do printf 'p%d=1&' "$i"; done)
http POST /mcp/token --data "${many}grant_type=refresh_token&refresh_token=x&client_id=$CID"
is "$HTTP_STATUS/$(http_json .error)" 400/invalid_grant "  64 are read"
for f in "code_verifier 257" "client_id 257" "scope 1025" "refresh_token 257" "resource 2001"; do
	read -r name len <<<"$f"
	http POST /mcp/token --data "grant_type=refresh_token&$name=$(pad "$len")"
	is "$HTTP_STATUS/$(http_json .error)" 400/invalid_request "TK-01: $name of $len bytes (over its limit) → 400 invalid_request"
	unlike "$(cat "$HTTP_BODY")" 'aaaaaaaa' "  the value is not echoed"
done
http POST /mcp/token --data "grant_type=refresh_token&client_id=%ZZ"
is "$HTTP_STATUS/$(http_json .error)" 400/invalid_request "TK-01: a broken %-escape → 400"
http POST /mcp/token --data "grant_type=refresh_token&client_id=a%00b"
is "$HTTP_STATUS/$(http_json .error)" 400/invalid_request "TK-01: a NUL byte → 400"
http POST /mcp/token --data "grant_type=refresh_token&client_id=a%C3%28b"
is "$HTTP_STATUS/$(http_json .error)" 400/invalid_request "TK-01: invalid UTF-8 → 400"
http GET "$A?response_type=code&client_id=$CID&code_challenge=$IT_CHALLENGE&code_challenge_method=S256&state=$(pad 2049)"
is "$HTTP_STATUS/$(http_header Location)" 400/ "AZ-11, S-16: a state over 2048 bytes → 400 error page, no redirect"
login_form
login demo "$(pad 1025)"
is "$HTTP_STATUS" 400 "S-18: a password over 1024 bytes → 400 (never hashed)"
login "$(pad 257)" x
is "$HTTP_STATUS" 400 "  a username over 256 bytes → 400"

# ---- JSON --------------------------------------------------------------------------------------
deep() { printf '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":%s1%s}}' "$(pad "$1" '[')" "$(pad "$1" ']')"; }
mcp "$(deep 62)"
is "$HTTP_STATUS" 200 "F-11: an MCP message nested 64 deep is read"
mcp "$(deep 63)"
is "$HTTP_STATUS/$(http_json .error.code)" 400/-32700 "F-11: nested 65 deep → 400, -32700"
mcp "$(deep 100000)"
is "$HTTP_STATUS/$(http_json .error.code)" 400/-32700 "  100000 deep (a parser's stack) → 400, -32700"
mcp '{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/list"}'
is "$HTTP_STATUS/$(http_json .error.code)" 400/-32700 "F-11: a duplicate member → 400, -32700 (no guessing which one counts)"
batch=$(for i in $(seq 33); do printf '{"jsonrpc":"2.0","id":%d,"method":"ping"},' "$i"; done)
V=2025-03-26 mcp "[${batch%,}]"
is "$HTTP_STATUS/$(http_json .error.code)" 400/-32600 "L-04: a batch of 33 messages → 400, -32600"
batch=$(for i in $(seq 32); do printf '{"jsonrpc":"2.0","id":%d,"method":"ping"},' "$i"; done)
V=2025-03-26 mcp "[${batch%,}]"
is "$HTTP_STATUS/$(http_json length)" 200/32 "  32 are answered"
reg "{\"redirect_uris\":[\"$CB\"],\"x\":$(pad 8 '[')1$(pad 8 ']')}"
is "$HTTP_STATUS/$(http_json .error)" 400/invalid_client_metadata "DCR-08: registration metadata nested 9 deep → 400"

# ---- the search query, tool results, fetch_max_chars ------------------------------------------
call search "{\"query\":\"$(pad 1000 b)\"}"
is "$HTTP_STATUS/$(http_json '.result.isError // false')" 200/false "OA-01, F-11: a search query of 1000 characters is run"
call search "{\"query\":\"$(pad 1001 b)\"}"
is "$HTTP_STATUS/$(http_json .result.isError)" 200/true "F-11: 1001 characters → isError (maxLength 1000), not a 5xx"
it_psql "CREATE FUNCTION public.t132_big(args jsonb, ctx jsonb) RETURNS jsonb LANGUAGE sql AS
  \$\$ SELECT jsonb_build_object('x', repeat('x', (args->>'n')::int)) \$\$;
  INSERT INTO mcpgate.tools (name, title, description, input_schema, function)
  VALUES ('t132_big', 'Big', 'Returns n bytes.', '{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}', 'public.t132_big(jsonb,jsonb)')" >/dev/null ||
	bail_out "could not add the t132_big tool"
call t132_big '{"n":100000}'
is "$HTTP_STATUS/$(http_json '.result.structuredContent.x | length')" 200/100000 "DEP-06: a tool result of 100 kB is returned whole"
for n in 2500000 6000000; do
	call t132_big "{\"n\":$n}"
	is "$HTTP_STATUS/$(http_json .result.isError)/$(http_json .id)" 200/true/7 "F-11, DEP-06: a tool result of $n bytes (with its text copy over the 4 MiB answer limit) → isError, not a 5xx"
	like "$(http_json '.result.content[0].text')" 'too large' "  saying it is too large"
done
mcp '{"jsonrpc":"2.0","id":8,"method":"ping"}'
is "$HTTP_STATUS" 200 "  and the process serves on"
it_psql "INSERT INTO mcpgate.documents (doc_id, title, body) VALUES ('t132-long', 'Long', repeat('word ', 40000))" >/dev/null ||
	bail_out "could not add a long document"
it_config fetch_max_chars=5000
call fetch '{"id":"t132-long"}'
txt=$(http_json '.result.content[0].text' | jq -r .text)
is "${#txt}" "$(( 5000 + $(printf '\n\n[Truncated: the document has 200000 characters; the first 5000 are shown.]' | wc -c) ))" \
    "OA-07: fetch cuts a 200000-character document at fetch_max_chars (5000)"
like "$txt" 'Truncated: the document has 200000 characters' "  and says so in the text"
is "$(http_json '.result.content[0].text' | jq -r '.metadata.truncated + " " + .metadata.length')" "true 200000" "  and in metadata"
it_config fetch_max_chars=100000

# ---- redirect URIs (boundaries; t70 tests beyond them) --------------------------------------------
reg "$(jq -cn '{redirect_uris:[range(10) | "https://c.example/cb\(.)"],token_endpoint_auth_method:"none"}')"
is "$HTTP_STATUS/$(http_json '.redirect_uris | length')" 201/10 "DCR-08: 10 redirect URIs are accepted"
long="https://c.example/$(pad 1982)"
reg "$(jq -cn --arg u "$long" '{redirect_uris:[$u],token_endpoint_auth_method:"none"}')"
is "$HTTP_STATUS/$(http_json '.redirect_uris[0] | length')" 201/2000 "DCR-08: a redirect URI of 2000 bytes is accepted"
LCID=$(http_json .client_id)
http GET "$A?response_type=code&client_id=$LCID&redirect_uri=$(it_urlencode "$long")&code_challenge=$IT_CHALLENGE&code_challenge_method=S256&state=$(pad 2048 s)"
is "$HTTP_STATUS" 200 "  and usable at the authorization endpoint with a state of 2048 bytes"
http GET "$A?response_type=code&client_id=$LCID&redirect_uri=$(it_urlencode "$long")&code_challenge=$IT_CHALLENGE&code_challenge_method=plain&state=$(pad 2048 s)"
is "$HTTP_STATUS" 302 "  an error for it goes back (302)"
is "$(http_header Location | sed -n 's/.*[?&]state=\([^&]*\).*/\1/p')" "$(pad 2048 s)" "  with all of the state (a Location of $(http_header Location | wc -c) bytes)"

# ---- rate limits and their windows (S-18, TK-05, DCR-08) --------------------------------------------
it_psql "DELETE FROM mcpgate.rate_limits" >/dev/null
it_config login_limit_user=3 login_limit_ip=1000
login_form
codes=
for u in demo DEMO Demo demo; do login "$u" "wrong password $RANDOM"; codes="$codes$HTTP_STATUS "; done
is "$codes" "401 401 401 429 " "S-18: per user: the 4th failure for one username (in any case: DEMO, Demo) in 15 minutes → 429"
ra=$(http_header Retry-After)
ok "$([[ $ra =~ ^[0-9]+$ ]] && [ "$ra" -ge 1 ] && [ "$ra" -le 900 ]; echo $?)" "  Retry-After within the 15-minute window ($ra s)"
login demo 'demo password 1' -H 'X-Forwarded-For: 203.0.113.7'
is "$HTTP_STATUS" 429 "  the right password is refused too, whatever X-Forwarded-For says"
age 'login:user:%' '15 minutes'
login demo 'demo password 1'
like "$HTTP_STATUS" '^(200|303)$' "S-18: the window passed (rows aged in SQL): the user signs in again ($HTTP_STATUS: consent page or remembered consent)"
it_psql "DELETE FROM mcpgate.rate_limits" >/dev/null
it_config login_limit_user=1000 login_limit_ip=3
login_form
codes=
for u in u1 u2 u3 u4; do login "$u" x -H "X-Forwarded-For: 198.51.100.$RANDOM"; codes="$codes$HTTP_STATUS "; done
is "$codes" "401 401 401 429 " "S-18: per address: the 4th failure from one address, other usernames, X-Forwarded-For ignored → 429"
like "$(http_header Retry-After)" '^[0-9]+$' "  with Retry-After"
age 'login:ip:%' '15 minutes'
login u5 x
is "$HTTP_STATUS" 401 "S-18: the window passed: the address may try again"
it_config login_limit_ip=1000

it_psql "DELETE FROM mcpgate.rate_limits" >/dev/null
it_config register_limit=2
codes=
for i in 1 2 3; do reg '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"none"}' -H "X-Forwarded-For: 192.0.2.$i"; codes="$codes$HTTP_STATUS "; done
is "$codes" "201 201 429 " "DCR-08: registration per address: the 3rd in an hour → 429 (X-Forwarded-For ignored)"
ra=$(http_header Retry-After)
ok "$([[ $ra =~ ^[0-9]+$ ]] && [ "$ra" -ge 1 ] && [ "$ra" -le 3600 ]; echo $?)" "  Retry-After within the hour ($ra s)"
age 'register:ip:%' '1 hour'
reg '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"none"}'
is "$HTTP_STATUS" 201 "DCR-08: the hour passed: registration works again"
it_config register_limit=1000

it_psql "DELETE FROM mcpgate.rate_limits" >/dev/null
it_config token_failure_limit=2
codes=
for i in 1 2 3; do http POST /mcp/token --data "grant_type=refresh_token&refresh_token=x&client_id=$SCID&client_secret=bad$i"; codes="$codes$HTTP_STATUS "; done
is "$codes" "401 401 429 " "TK-05: failed client authentications per address: the 3rd → 429"
http POST /mcp/token --data "grant_type=refresh_token&refresh_token=x&client_id=$SCID&client_secret=$SSEC"
is "$HTTP_STATUS/$(http_json .error)" 429/too_many_requests "  the right secret from that address too, while limited"
age 'token:fail:%' '15 minutes'
http POST /mcp/token --data "grant_type=refresh_token&refresh_token=x&client_id=$SCID&client_secret=$SSEC"
is "$HTTP_STATUS/$(http_json .error)" 400/invalid_grant "TK-05: the window passed: the client authenticates again (then the fake refresh token is refused)"
it_config token_failure_limit=1000
is "$(it_psql "SELECT count(*) FROM mcpgate.rate_limits WHERE window_end <= now()")" \
    "$(it_psql "SELECT (mcpgate.purge_expired()->>'rate_limits')")" "the aged windows are what purge_expired removes"

# ---- login timing: unknown users cost the same as wrong passwords (S-18) ----------------------------
it_psql "DELETE FROM mcpgate.rate_limits" >/dev/null
it_psql "INSERT INTO mcpgate.users (username) VALUES ('nopass')" >/dev/null
login_form
t_login() {	# t_login USER PASSWORD -- seconds for one attempt (status checked)
	curl -s --noproxy '*' -o /dev/null -w '%{http_code} %{time_total}\n' -b "$JAR" \
	    --data "$F&username=$(it_urlencode "$1")&password=$(it_urlencode "$2")" "$B$A"
}
for f in t-wrong t-unknown t-nopass t-form; do : >"$IT_DIR/$f"; done
for i in $(seq 20); do	# interleaved, so that load from elsewhere hits both
	t_login demo "wrong password $i" >>"$IT_DIR/t-wrong"
	t_login "nobody-$i" "wrong password $i" >>"$IT_DIR/t-unknown"
	t_login nopass "wrong password $i" >>"$IT_DIR/t-nopass"
	curl -s --noproxy '*' -o /dev/null -w '%{http_code} %{time_total}\n' -b "$JAR" \
	    --data "$F&username=demo" "$B$A" >>"$IT_DIR/t-form"
done
median() { cut -d' ' -f2 "$1" | sort -n | awk '{ v[NR] = $1 } END { print (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2 }'; }
is "$(cut -d' ' -f1 "$IT_DIR/t-wrong" "$IT_DIR/t-unknown" "$IT_DIR/t-nopass" | sort -u | tr '\n' ' ')" "401 " \
    "S-18: 60 failed sign-ins (wrong password, unknown user, user without a password) all 401"
mw=$(median "$IT_DIR/t-wrong") mu=$(median "$IT_DIR/t-unknown") mn=$(median "$IT_DIR/t-nopass") mf=$(median "$IT_DIR/t-form")
diag "median seconds: wrong password $mw, unknown user $mu, no password $mn, refused form (no argon2id) $mf"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { r = a / b; print (r >= 0.5 && r <= 2) ? 0 : 1 }'; }
ok "$(ratio "$mu" "$mw")" "S-18: an unknown user takes as long as a wrong password (medians $mu s / $mw s, within 0.5-2x)"
ok "$(ratio "$mn" "$mw")" "S-18: a user without a password too ($mn s / $mw s)"
ok "$(awk -v u="$mu" -v f="$mf" 'BEGIN { print (u >= 3 * f) ? 0 : 1 }')" \
    "S-18: the argon2id work is really done for an unknown user (median $mu s, at least 3x a refused form's $mf s)"
done_testing
