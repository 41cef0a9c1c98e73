#!/bin/bash
# t134-attacks.t -- attacks on the authorization server and the MCP endpoint
# (issue 8), through lighttpd against real PostgreSQL; each check cites its
# SPEC id. Already tested elsewhere and not repeated here: the first
# open-redirect refusals and exact matching (t72, t82), CSRF on the login form
# (t72), the session id changing at login (t72), a hostile client_name on the
# consent page (t72), code replay and its revocation in the database (t74,
# t82), PKCE downgrade at both endpoints (t72, t74, t82), refresh-token reuse
# revoking the family (t74, t82), a token for another resource edited in SQL
# (t100), iss on error, deny and approve redirects (t72, t82), SQL
# metacharacters in a search query (t100). Added here:
#  - open redirect: look-alike redirect URIs (path tricks, userinfo, other
#    hosts and ports, encodings) and a consent form whose redirect_uri was
#    changed after the page was served (S-03, AZ-04, AZ-05);
#  - CSRF on the consent form, another session's token, a GET that carries
#    the consent (S-04);
#  - framing headers on every HTML page: login, consent, every error page,
#    429, 405, 413, the set-password pages, the doctor (S-05);
#  - session fixation from the browser's side: a cookie planted before
#    sign-in is never adopted, and the attacker's copy is not signed in (S-07,
#    S-22);
#  - markup in client_name, state, client_id and username, escaped on every
#    page; state returned exactly but percent-encoded in the redirect (S-16,
#    AZ-11);
#  - the effect of code replay and refresh reuse where it matters: the
#    tokens stop working at /mcp (TK-08, S-11, RT-03, S-12); a code row
#    without a PKCE challenge cannot exist (TK-07, S-10);
#  - a token of another installation sharing the database (another issuer,
#    hence audience) refused by /mcp (TV-03, S-09);
#  - mix-up: iss, equal to the issuer, on every kind of authorization
#    response (S-13, AZ-14);
#  - SQL metacharacters in every field that reaches the database (S-16).
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres lighttpd jq perl sha256sum
it_db t134 "$top_srcdir/sql/demo.sql"
it_user demo 'demo password 1'
it_user mallory 'mallory password 1'
it_config scopes="mcp:read mcp:write" login_limit_user=1000 login_limit_ip=1000 register_limit=1000
it_lighttpd
B=$IT_URL
PSQL=$(_stack_pg_bindir)/psql
A=/mcp/authorize
CB=https://client.example/cb
reg() { http POST /mcp/register -H 'Content-Type: application/json' --data-binary "$1"; }
regid() { reg "$1" >/dev/null; http_json .client_id; }
C1=$(regid '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"none","client_name":"Example App"}')
CL=$(regid '{"redirect_uris":["http://127.0.0.1/callback"],"token_endpoint_auth_method":"none","client_name":"Local Tool"}')
[[ $C1 =~ ^[A-Za-z0-9_-]{43}$ ]] && [[ $CL =~ ^[A-Za-z0-9_-]{43}$ ]] || bail_out "registration failed"
# url CLIENT REDIRECT [more] -- an authorization request (state st-1)
url() { printf '%s?response_type=code&client_id=%s&redirect_uri=%s&code_challenge=%s&code_challenge_method=S256&state=st-1%s' \
    "$A" "$1" "$(it_urlencode "$2")" "$IT_CHALLENGE" "${3:-}"; }
JAR=$IT_DIR/jar
get() { http GET "$1" -c "$JAR" -b "$JAR" "${@:2}"; }
post() { http POST $A -c "$JAR" -b "$JAR" --data "$1" "${@:2}"; }
loc() { http_header Location; }
qparam() { printf '%s' "$1" | sed -n "s/.*[?&]$2=\([^&]*\).*/\1/p"; }
urldecode() { perl -pe 's/\+/ /g; s/%([0-9A-Fa-f]{2})/chr(hex($1))/ge'; }
ncodes() { it_psql "SELECT count(*) FROM mcpgate.authorization_codes"; }
# signin CLIENT REDIRECT [more] -- a fresh browser signs in as demo: the
# consent page is in HTTP_BODY (or a redirect, with remembered consent)
signin() {
	rm -f "$JAR"
	get "$(url "$@")"
	post "$(it_form_fields "$HTTP_BODY")&username=demo&password=$(it_urlencode 'demo password 1')"
}
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

# ---- open redirect (S-03, AZ-04, AZ-05) ------------------------------------------------
before=$(ncodes)
for ru in 'https://client.example/cb?x=1' 'https://client.example/cb/../../evil' 'https://client.example/cb%2F..%2Fevil' \
    'https://client.example/cb/.' 'https://client.example.evil.example/cb' 'https://client.example/cb@evil.example' \
    'https://client.example@evil.example/cb' 'https://evil.example/cb#https://client.example/cb' '//evil.example/cb' \
    'https://client.example:443/cb' 'https://client.example:8443/cb' 'HTTPS://client.example/cb' 'http://client.example/cb' \
    'https://client.example/cb#x' 'https://client.example/CB' 'https://client.example/cb%00' ' https://client.example/cb'; do
	rm -f "$JAR"
	get "$(url "$C1" "$ru")"
	is "$HTTP_STATUS/$(loc)" 400/ "S-03, AZ-05: redirect_uri '$ru' (registered $CB) → error page, no redirect"
done
for ru in 'http://127.0.0.1.evil.example:8080/callback' 'http://localhost:8080/callback' 'http://[::1]:8080/callback' \
    'http://127.0.0.2:8080/callback' 'http://127.0.0.1:8080/callback/../x' 'http://127.0.0.1:8080/other' 'https://127.0.0.1:8080/callback'; do
	get "$(url "$CL" "$ru")"
	is "$HTTP_STATUS/$(loc)" 400/ "S-03, AZ-05: loopback client: '$ru' (registered http://127.0.0.1/callback; only the port may vary) → error page"
done
get "$(url "$CL" 'http://127.0.0.1:8080/callback')"
is "$HTTP_STATUS" 200 "AZ-05: the loopback client with another port → the login page (the control)"
# a consent form changed after it was served: redirect_uri points elsewhere
signin "$C1" "$CB"
is "$HTTP_STATUS" 200 "signed in: the consent page"
CF=$(it_form_fields "$HTTP_BODY")
post "$(printf '%s' "$CF" | sed "s|redirect_uri=[^&]*|redirect_uri=$(it_urlencode https://evil.example/cb)|")&decision=approve"
is "$HTTP_STATUS/$(loc)" 400/ "S-03: approving a consent form whose redirect_uri was changed to another site → error page, no redirect"
post "$(printf '%s' "$CF" | sed "s|client_id=[^&]*|client_id=$CL|")&decision=approve"
is "$HTTP_STATUS/$(loc)" 400/ "S-03: changing its client_id to another client (keeping the first one's redirect_uri) → error page: the request is checked again as a whole"
is "$(ncodes)" "$before" "  no code was issued by any of these"

# ---- CSRF on the consent form (S-04) -----------------------------------------------------------
signin "$C1" "$CB"
CF=$(it_form_fields "$HTTP_BODY")
csrf=$(qparam "$CF" csrf)
post "$(printf '%s' "$CF" | sed 's/csrf=[^&]*/csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/')&decision=approve"
is "$HTTP_STATUS/$(loc)" 403/ "S-04: consent with a wrong CSRF token → 403, no redirect"
post "$(printf '%s' "$CF" | sed 's/&csrf=[^&]*//')&decision=approve"
is "$HTTP_STATUS/$(loc)" 403/ "S-04: consent without a CSRF token → 403"
http POST $A --data "$CF&decision=approve"
is "$HTTP_STATUS/$(loc)" 403/ "S-04: consent without the session cookie (a cross-site form) → 403"
# the attacker's own valid CSRF token, with the victim's cookie
cp "$JAR" "$IT_DIR/victim.jar"
rm -f "$JAR"
get "$(url "$C1" "$CB")"
mcsrf=$(qparam "$(it_form_fields "$HTTP_BODY")" csrf)
http POST $A -b "$IT_DIR/victim.jar" --data "$(printf '%s' "$CF" | sed "s/csrf=[^&]*/csrf=$mcsrf/")&decision=approve"
is "$HTTP_STATUS/$(loc)" 403/ "S-04: consent with the CSRF token of another session (the attacker's) → 403"
http GET "$(url "$C1" "$CB" "&step=consent&decision=approve&csrf=$csrf")" -b "$IT_DIR/victim.jar"
is "$HTTP_STATUS/$(loc)" 200/ "S-04: a GET carrying step=consent&decision=approve (a link or <img>) only shows the consent page"
is "$(ncodes)" "$before" "  no code was issued by any of these"
is "$(it_psql "SELECT count(*) FROM mcpgate.consents")" 0 "  nor any consent recorded"
http POST $A -b "$IT_DIR/victim.jar" --data "$CF&decision=approve"
is "$HTTP_STATUS" 303 "S-04: the untouched form from the victim's browser → 303 (the control)"

# ---- framing headers on every HTML page (S-05) ----------------------------------------------------
frame_ok() {	# frame_ok WHAT WANT-STATUS
	is "$HTTP_STATUS" "$2" "S-05: $1 → $2"
	like "$(http_header Content-Type)" '^text/html' "  an HTML page"
	is "$(http_header X-Frame-Options)" DENY "  X-Frame-Options: DENY"
	like "$(http_header Content-Security-Policy)" "frame-ancestors 'none'" "  CSP frame-ancestors 'none'"
}
rm -f "$JAR"
get "$(url "$C1" "$CB")"; frame_ok "the login page" 200
login_page=$HTTP_BODY
post "$(it_form_fields "$login_page")&username=demo&password=wrong-password"; frame_ok "the login page after a wrong password" 401
post "$(it_form_fields "$login_page")&username=demo"; frame_ok "the login page without a password" 400
get "$(url "$C1" "$CB" '&scope=mcp:write')" ; post "$(it_form_fields "$HTTP_BODY")&username=demo&password=$(it_urlencode 'demo password 1')"
frame_ok "the consent page" 200
post "$(it_form_fields "$HTTP_BODY")&decision=maybe"; frame_ok "the consent page's error (no decision)" 400
post "step=login&csrf=x"; frame_ok "the error page of a form without its request" 400
http GET "$A?client_id=nosuch"; frame_ok "the unknown-client error page" 400
http GET "$(url "$C1" https://evil.example/cb)"; frame_ok "the redirect-mismatch error page" 400
http POST $A --data "$(it_form_fields "$login_page")&username=demo&password=x"; frame_ok "the CSRF refusal" 403
http PUT $A; frame_ok "the 405 page" 405
http POST $A --data "x=$(head -c 17000 /dev/zero | tr '\0' a)"; frame_ok "the 413 page" 413
http GET "/mcp/password?token=$(head -c 32 /dev/urandom | sha256sum | cut -c1-64)"; frame_ok "the set-password page of a dead link" 400
tok=$(head -c 32 /dev/urandom | sha256sum | cut -c1-64)
it_psql "INSERT INTO mcpgate.users (username, set_password_hash, set_password_expires_at) VALUES ('carol', sha256(convert_to('$tok', 'UTF8')), now() + interval '1 day')" >/dev/null
http GET "/mcp/password?token=$tok"; frame_ok "the set-password page" 200
if [ -x "$IT_DIR/cgi-bin/doctor" ]; then
	http GET /mcp/doctor; frame_ok "the connector doctor's sign-in page" 200
else
	skip "no doctor program built" 4
fi
it_psql "DELETE FROM mcpgate.rate_limits" >/dev/null
it_config login_limit_user=1
rm -f "$JAR"; get "$(url "$C1" "$CB")"; F=$(it_form_fields "$HTTP_BODY")
post "$F&username=mallory&password=x1"; post "$F&username=mallory&password=x2"; frame_ok "the 429 page" 429
it_config login_limit_user=1000
for p in /mcp/token /mcp/register /mcp /.well-known/oauth-authorization-server /mcp/health; do
	http GET "$p"
	is "$(http_header X-Frame-Options)/$(http_header Content-Security-Policy | grep -o "frame-ancestors 'none'")" "DENY/frame-ancestors 'none'" \
	    "S-05: and every other answer ($p)"
done

# ---- session fixation (S-07, S-22) ---------------------------------------------------------------------
planted=FIXATEDxFIXATEDxFIXATEDxFIXATEDxFIXATEDxFIX
printf '127.0.0.1\tFALSE\t/\tFALSE\t0\tmcpgate_session\t%s\n' "$planted" >"$JAR"
get "$(url "$C1" "$CB")"
sid1=$(awk '$6 == "mcpgate_session" { print $7 }' "$JAR")
isnt "$sid1" "$planted" "S-22: a session id the attacker planted is not adopted: the server sets its own"
like "$sid1" '^[A-Za-z0-9_-]{43}$' "  a 256-bit random one"
is "$(it_psql "SELECT count(*) FROM mcpgate.login_sessions WHERE session_hash = decode('$(sha "$planted")', 'hex')")" 0 "  nothing is stored under the planted id"
cp "$JAR" "$IT_DIR/attacker.jar"	# the attacker knows the pre-login session too
post "$(it_form_fields "$HTTP_BODY")&username=demo&password=$(it_urlencode 'demo password 1')"
sid2=$(awk '$6 == "mcpgate_session" { print $7 }' "$JAR")
isnt "$sid2" "$sid1" "S-07: the victim signs in: the cookie value changes"
like "$(grep -i '^set-cookie: mcpgate_session=' "$HTTP_HEADERS")" 'HttpOnly.*SameSite=Lax|SameSite=Lax.*HttpOnly' "  the new cookie is HttpOnly and SameSite=Lax"
http GET "$(url "$C1" "$CB")" -b "$IT_DIR/attacker.jar"
is "$HTTP_STATUS" 200 "S-07: the attacker's copy of the pre-login cookie is not signed in"
grep -q '<h1>Sign in</h1>' "$HTTP_BODY"; ok $? "  it gets the login page, not the victim's consent or a code"

# ---- markup and state (S-16, AZ-11) ----------------------------------------------------------------------
CX=$(regid "$(jq -cn '{redirect_uris:["https://client.example/cb"],token_endpoint_auth_method:"none",client_name:"</title><script>alert(1)</script><a href=\"javascript:x\">"}')")
STATE='"><script>alert(2)</script>&code=evil&iss=https://evil.example#frag ü'"'"'%41+'
SE=$(it_urlencode "$STATE")
rm -f "$JAR"
get "$A?response_type=code&client_id=$CX&redirect_uri=$(it_urlencode "$CB")&code_challenge=$IT_CHALLENGE&code_challenge_method=S256&state=$SE"
is "$HTTP_STATUS" 200 "a hostile client_name and state: the login page"
nomarkup() {	# nomarkup WHAT -- no tag of ours survived
	grep -q -i -e '<script' -e '<a href="javascript' -e '</title><' "$HTTP_BODY"
	ok "$((! $?))" "S-16: $1: no markup from the client's name or state"
}
nomarkup "the login page"
grep -q '&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;' "$HTTP_BODY"; ok $? "  the name shown escaped"
is "$(qparam "$(it_form_fields "$HTTP_BODY")" state | urldecode)" "$STATE" "AZ-11: the state travels in the form exactly"
post "$(it_form_fields "$HTTP_BODY")&username=$(it_urlencode '<b>demo</b>')&password=x"
nomarkup "the login page after a failure (the username is echoed)"
grep -q 'value="&lt;b&gt;demo&lt;/b&gt;"' "$HTTP_BODY"; ok $? "  the username echoed escaped"
post "$(it_form_fields "$HTTP_BODY")&username=demo&password=$(it_urlencode 'demo password 1')"
nomarkup "the consent page"
post "$(it_form_fields "$HTTP_BODY")&decision=approve"
l=$(loc)
is "$HTTP_STATUS" 303 "AZ-12: approved → 303"
is "$(printf '%s' "$l" | tr -cd '&' | wc -c)" 2 "S-16: the Location has exactly code, state and iss (the state's & are encoded)"
like "$l" '^https://client\.example/cb\?code=[A-Za-z0-9_-]{43}&state=[A-Za-z0-9%._~-]+&iss=[A-Za-z0-9%._~-]+$' \
    "  every value percent-encoded: no raw quote, <, #, space or non-ASCII byte"
is "$(qparam "$l" state | urldecode)" "$STATE" "AZ-11: the state comes back exactly"
is "$(qparam "$l" iss | urldecode)" "$B" "  the injected iss did not replace ours"
get "$A?response_type=code&client_id=$CX&redirect_uri=$(it_urlencode "$CB")&code_challenge=$IT_CHALLENGE&code_challenge_method=plain&state=$SE"
l=$(loc)
is "$(qparam "$l" state | urldecode)/$(printf '%s' "$l" | tr -cd '&' | wc -c)" "$STATE/3" "AZ-11: and exactly on an error redirect (error, error_description, state, iss)"
http GET "$A?client_id=$(it_urlencode '<script>alert(3)</script>')"
is "$HTTP_STATUS" 400 "an unknown client_id with markup → 400"
grep -q -i '<script' "$HTTP_BODY"; ok "$((! $?))" "S-16: not echoed as markup on the error page"

# ---- code replay and refresh reuse: the tokens stop working (TK-08, S-11, RT-03, S-12) ------------------
mcp_init() { http POST /mcp -H 'Content-Type: application/json' -H "Authorization: Bearer $1" -H 'MCP-Protocol-Version: 2025-06-18' \
    --data-binary '{"jsonrpc":"2.0","id":1,"method":"ping"}'; }
grant() { http POST /mcp/token --data "grant_type=authorization_code&code=$1&client_id=$C1&code_verifier=$IT_VERIFIER"; }
signin "$C1" "$CB"	# remembered consent: straight back with a code
code=$(qparam "$(loc)" code)
grant "$code"; AT=$(http_json .access_token) RT=$(http_json .refresh_token)
mcp_init "$AT"
is "$HTTP_STATUS" 200 "TK-08: the legitimate client's token works"
it_psql "UPDATE mcpgate.authorization_codes SET consumed_at = now() - interval '1 minute' WHERE code_hash = decode('$(sha "$code")', 'hex')" >/dev/null
grant "$code"
is "$HTTP_STATUS/$(http_json .error)" 400/invalid_grant "TK-08, S-11: the stolen code replayed (valid, after the duplicate window) → invalid_grant"
mcp_init "$AT"
is "$HTTP_STATUS" 401 "TK-08: and the tokens issued from the code no longer work at /mcp (401)"
http POST /mcp/token --data "grant_type=refresh_token&refresh_token=$RT&client_id=$C1"
is "$HTTP_STATUS/$(http_json .error)" 400/invalid_grant "  nor does its refresh token"
signin "$C1" "$CB"; grant "$(qparam "$(loc)" code)"; RT0=$(http_json .refresh_token)
http POST /mcp/token --data "grant_type=refresh_token&refresh_token=$RT0&client_id=$C1"
AT1=$(http_json .access_token) RT1=$(http_json .refresh_token)
mcp_init "$AT1"
is "$HTTP_STATUS" 200 "RT-03: the rotated pair works"
it_psql "UPDATE mcpgate.tokens SET replay_until = now() - interval '1 second' WHERE token_hash = decode('$(sha "$RT0")', 'hex')" >/dev/null
http POST /mcp/token --data "grant_type=refresh_token&refresh_token=$RT0&client_id=$C1"
is "$HTTP_STATUS/$(http_json .error)" 400/invalid_grant "RT-03, S-12: the old refresh token replayed by a thief (after the grace window) → invalid_grant"
mcp_init "$AT1"
is "$HTTP_STATUS" 401 "RT-03: the family is revoked: the current access token no longer works at /mcp"
http POST /mcp/token --data "grant_type=refresh_token&refresh_token=$RT1&client_id=$C1"
is "$HTTP_STATUS/$(http_json .error)" 400/invalid_grant "  nor the current refresh token"
# TK-07: a verifier can only meet a code with a challenge: the schema has no other kind
u=$(it_psql "SELECT user_id FROM mcpgate.users WHERE username = 'demo'")
"$PSQL" -X -q -d "$IT_DB" -c "INSERT INTO mcpgate.authorization_codes (code_hash, client_id, user_id, redirect_uri, code_challenge, scope, resource, expires_at)
    VALUES (sha256('x'), '$C1', $u, '$CB', NULL, 'mcp:read', '$B/mcp', now() + interval '1 minute')" >/dev/null 2>&1
ok "$((! $?))" "TK-07, S-10: a code without a PKCE challenge cannot be stored (NOT NULL), so a verifier never meets one"
"$PSQL" -X -q -d "$IT_DB" -c "INSERT INTO mcpgate.authorization_codes (code_hash, client_id, user_id, redirect_uri, code_challenge, code_challenge_method, scope, resource, expires_at)
    VALUES (sha256('x'), '$C1', $u, '$CB', '$IT_VERIFIER', 'plain', 'mcp:read', '$B/mcp', now() + interval '1 minute')" >/dev/null 2>&1
ok "$((! $?))" "AZ-08, S-10: nor one with the plain method (CHECK)"
signin "$C1" "$CB"; c=$(qparam "$(loc)" code)
http POST /mcp/token --data "grant_type=authorization_code&code=$c&client_id=$C1&code_verifier=${IT_VERIFIER:0:42}"
is "$HTTP_STATUS/$(http_json .error)" 400/invalid_grant "S-10: a verifier of 42 characters (RFC 7636: 43-128) → invalid_grant"

# ---- a token of another installation on the same database (TV-03, S-09) --------------------------------------
signin "$C1" "$CB"; grant "$(qparam "$(loc)" code)"; ATA=$(http_json .access_token)
it_lighttpd other	# another issuer (its own port), hence another MCP URL, same database
mcp_init "$ATA"
is "$HTTP_STATUS" 401 "TV-03, S-09: a valid token of $B/mcp presented to $IT_URL/mcp (same database) → 401"
like "$(http_header WWW-Authenticate)" '^Bearer error="invalid_token"' "  invalid_token"
IT_URL=$B
mcp_init "$ATA"
is "$HTTP_STATUS" 200 "  (the control: at its own MCP URL it works)"

# ---- mix-up: iss on every authorization response (S-13, AZ-14) -------------------------------------------------
it_psql "DELETE FROM mcpgate.consents" >/dev/null
issok() {	# issok WHAT -- the last answer is a redirect with iss = our issuer, once
	local l
	l=$(loc)
	like "$HTTP_STATUS" '^30[23]$' "S-13, AZ-14: $1: a redirect ($HTTP_STATUS)"
	is "$(printf '%s' "$l" | grep -o '[?&]iss=' | wc -l)/$(qparam "$l" iss | urldecode)" "1/$B" "  with iss = the issuer, once"
}
rm -f "$JAR"
get "$(url "$C1" "$CB" '&scope=nope')"; issok "invalid_scope"
get "$(url "$C1" "$CB" '&resource=https%3A%2F%2Fother.example%2Fmcp')"; issok "invalid_target"
get "$A?response_type=token&client_id=$C1&redirect_uri=$(it_urlencode "$CB")&state=s"; issok "unsupported_response_type"
get "$A?response_type=code&client_id=$C1&redirect_uri=$(it_urlencode "$CB")"; issok "invalid_request (no PKCE), no state"
signin "$C1" "$CB"; CF=$(it_form_fields "$HTTP_BODY")
post "$CF&decision=deny"; issok "access_denied"
post "$CF&decision=approve"; issok "approve"
get "$(url "$C1" "$CB")"; issok "remembered consent on GET"
signin "$C1" "$CB"; issok "remembered consent right after signing in (POST)"

# ---- SQL metacharacters in every field that reaches the database (S-16) ------------------------------------------
Q="Robert'); DROP TABLE mcpgate.clients; -- \\ \$\$ %s :x \"q\" ;"
ntables=$(it_psql "SELECT count(*) FROM pg_tables WHERE schemaname = 'mcpgate'")
RU="https://client.example/cb?q=';DROP%20TABLE%20x;--&v=\$1"
reg "$(jq -cn --arg n "$Q" --arg u "$RU" '{redirect_uris:[$u],token_endpoint_auth_method:"none",client_name:$n,scope:"mcp:read'"'"' OR 1=1 mcp:write"}')"
is "$HTTP_STATUS" 201 "S-16: registration with SQL metacharacters in client_name, redirect_uri and scope → 201"
CQ=$(http_json .client_id)
is "$(http_json .client_name)|$(http_json '.redirect_uris[0]')|$(http_json .scope)" "$Q|$RU|mcp:write" "  echoed verbatim (scope filtered to what we offer)"
is "$(it_psql "SELECT client_name = \$q\$$Q\$q\$ AND redirect_uris[1] = \$q\$$RU\$q\$ FROM mcpgate.clients WHERE client_id = '$CQ'")" t "  and stored verbatim"
urlq() { printf '%s?response_type=code&client_id=%s&redirect_uri=%s&code_challenge=%s&code_challenge_method=S256&scope=mcp:write%s' \
    "$A" "$CQ" "$(it_urlencode "$RU")" "$IT_CHALLENGE" "${1:-}"; }
rm -f "$JAR"
get "$(urlq)"
is "$HTTP_STATUS" 200 "  the authorization request with that redirect_uri → the login page"
# a user whose name is full of SQL
UQ="o'brien\"; DELETE FROM mcpgate.users; --"
h=$(printf '%s\n' 'quote password 1' | "$top_builddir/mcpgate-passwd")
echo "INSERT INTO mcpgate.users (username, password_hash) VALUES (:'u', :'h')" |
	"$PSQL" -X -q -d "$IT_DB" -v ON_ERROR_STOP=1 -v u="$UQ" -v h="$h" >/dev/null ||
	bail_out "could not create the quoted user"
it_secret 'quote password 1'
post "$(it_form_fields "$HTTP_BODY")&username=$(it_urlencode "$UQ")&password=$(it_urlencode 'quote password 1')"
is "$HTTP_STATUS" 200 "S-16: a username full of SQL signs in with its password"
grep -q 'o&#39;brien&quot;; DELETE' "$HTTP_BODY"; ok $? "  and is shown escaped on the consent page"
CF=$(it_form_fields "$HTTP_BODY")
post "$CF&decision=approve"
like "$(loc)" "^https://client\\.example/cb\\?q=';DROP%20TABLE%20x;--&v=\\\$1&code=" "  the code goes to the redirect_uri as registered, query kept"
rm -f "$JAR"; get "$(urlq)"
post "$(it_form_fields "$HTTP_BODY")&username=$(it_urlencode "x' OR '1'='1")&password=$(it_urlencode "x' OR '1'='1")"
is "$HTTP_STATUS" 401 "S-16: username and password ' OR '1'='1 → 401, not signed in"
is "$(it_psql "SELECT detail->>'username' FROM mcpgate.audit_log WHERE event = 'login_failed' ORDER BY id DESC LIMIT 1")" "x' OR '1'='1" \
    "  the name tried is audited verbatim"
get "$A?response_type=code&client_id=$CQ&redirect_uri=$(it_urlencode "$RU")&code_challenge=$IT_CHALLENGE&code_challenge_method=S256&scope=$(it_urlencode "mcp:read' OR '1'='1")"
is "$HTTP_STATUS/$(qparam "$(loc)" error)" 302/invalid_scope "S-16: a scope with SQL → invalid_scope, not 500"
get "$A?response_type=code&client_id=$CQ&redirect_uri=$(it_urlencode "$RU")&code_challenge=$IT_CHALLENGE&code_challenge_method=S256&scope=nope&state=$(it_urlencode "'; DROP TABLE mcpgate.tokens; --")"
is "$(qparam "$(loc)" state | urldecode)" "'; DROP TABLE mcpgate.tokens; --" "S-16: a state with SQL comes back exactly"
get "$(urlq "&resource=$(it_urlencode "$B/mcp' OR '1'='1")")"
is "$HTTP_STATUS/$(qparam "$(loc)" error)" 302/invalid_target "S-16: a resource with SQL → invalid_target"
http POST /mcp/token --data "grant_type=authorization_code&code=x&client_id=$(it_urlencode "' OR '1'='1")&code_verifier=$IT_VERIFIER"
is "$HTTP_STATUS/$(http_json .error)" 401/invalid_client "S-16: a client_id with SQL at the token endpoint → 401 invalid_client"
http POST /mcp/token --data "grant_type=refresh_token&refresh_token=$(it_urlencode "' OR 1=1 --")&client_id=$C1"
is "$HTTP_STATUS/$(http_json .error)" 400/invalid_grant "S-16: a refresh token with SQL → invalid_grant"
# the MCP side: tool arguments, search, fetch ids, resource URIs, prompt names
signin "$C1" "$CB"; grant "$(qparam "$(loc)" code)"; T=$(http_json .access_token)
mcp() { http POST /mcp -H 'Content-Type: application/json' -H "Authorization: Bearer $T" -H 'MCP-Protocol-Version: 2025-06-18' --data-binary "$1"; }
it_psql "CREATE FUNCTION public.t134_echo(args jsonb, ctx jsonb) RETURNS jsonb LANGUAGE sql AS \$\$ SELECT jsonb_build_object('echo', args->>'text') \$\$;
  INSERT INTO mcpgate.tools (name, title, description, input_schema, function)
  VALUES ('t134_echo', 'Echo', 'Echoes text.', '{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}}}', 'public.t134_echo(jsonb,jsonb)')" >/dev/null ||
	bail_out "could not add the echo tool"
mcp "$(jq -cn --arg q "$Q" '{jsonrpc:"2.0",id:1,method:"tools/call",params:{name:"t134_echo",arguments:{text:$q}}}')"
is "$HTTP_STATUS/$(http_json .result.structuredContent.echo)" "200/$Q" "S-16: tool arguments with SQL reach the tool and come back verbatim"
mcp "$(jq -cn --arg q "$Q" '{jsonrpc:"2.0",id:1,method:"tools/call",params:{name:"search",arguments:{query:$q}}}')"
is "$HTTP_STATUS/$(http_json '.result.isError // false')" 200/false "S-16: a search query with SQL (quotes, backslash, dollar quoting) → a normal answer"
mcp '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"fetch","arguments":{"id":"x'"'"' OR '"'"'1'"'"'='"'"'1"}}}'
is "$HTTP_STATUS/$(http_json .result.isError)" 200/true "S-16: fetch of an id with SQL → isError (no document), not every document"
mcp '{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"mcpgate://doc/x'"'"' OR '"'"'1'"'"'='"'"'1"}}'
is "$HTTP_STATUS/$(http_json .error.code)" 200/-32002 "S-16: resources/read of a URI with SQL → -32002 not found"
mcp '{"jsonrpc":"2.0","id":1,"method":"prompts/get","params":{"name":"x'"'"'; DROP TABLE mcpgate.prompts; --"}}'
is "$HTTP_STATUS/$(http_json .error.code)" 200/-32602 "S-16: prompts/get of a name with SQL → -32602"
mcp '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search'"'"'; --","arguments":{}}}'
is "$HTTP_STATUS/$(http_json .error.code)" 200/-32602 "S-16: a tool name with SQL → unknown tool (-32602)"
is "$(it_psql "SELECT count(*) FROM pg_tables WHERE schemaname = 'mcpgate'")/$(it_psql "SELECT count(*) > 1 FROM mcpgate.users")/$(it_psql "SELECT count(*) > 1 FROM mcpgate.clients")" \
    "$ntables/t/t" "S-16: every table, user and client is still there"
grep -q -E '42601|syntax error' "$IT_DIR"/lighttpd/lighttpd-stderr.log "$IT_DIR"/other/lighttpd-stderr.log
ok "$((! $?))" "  and the programs logged no SQL syntax error"
done_testing
