#!/bin/bash
# t72-authorize.t -- the authorization endpoint through lighttpd against
# real PostgreSQL (SPEC AZ-01..AZ-16, S-03..S-07, S-14..S-18, S-26):
# client and redirect checked first (error page, never a redirect), the
# other errors redirected with state and iss, login with CSRF and session
# rotation, consent approve/deny, remembered consent, codes stored hashed
# and bound, escaping of a hostile client name, framing headers, login
# rate limits, set-password links, trust_remote_user.
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres lighttpd jq perl sha256sum
it_db t72
it_user demo 'demo password 1'
it_user bob 'bob password 22'
it_config scopes="mcp:read mcp:write"
it_lighttpd
B=$IT_URL
ISS_ENC=$(it_urlencode "$B")
CH=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM	# RFC 7636 appendix B
A=/mcp/authorize

register() {	# register JSON -> prints client_id
	http POST /mcp/register -H 'Content-Type: application/json' --data-binary "$1" >/dev/null
	http_json .client_id
}
C1=$(register '{"redirect_uris":["https://client.example/cb"],"token_endpoint_auth_method":"none","client_name":"Example App"}')
C2=$(register '{"redirect_uris":["https://client.example/one","https://client.example/two?tenant=7"],"token_endpoint_auth_method":"none","client_name":"Two Doors"}')
C3=$(register '{"redirect_uris":["http://127.0.0.1/callback"],"token_endpoint_auth_method":"none","client_name":"Local Tool"}')
C4=$(register "$(jq -cn '{redirect_uris:["https://client.example/cb"],token_endpoint_auth_method:"none",client_name:"<img src=x onerror=alert(1)>\"'"'"'&"}')")

# url CLIENT REDIRECT [more query] -- an authorization request
url() {
	local q="$A?response_type=code&client_id=$1&code_challenge=$CH&code_challenge_method=S256&state=st-1"
	[ -n "$2" ] && q="$q&redirect_uri=$(it_urlencode "$2")"
	printf '%s%s' "$q" "${3:-}"
}
JAR=$IT_DIR/jar
get() { http GET "$1" -c "$JAR" -b "$JAR"; }
post() { http POST $A -c "$JAR" -b "$JAR" --data "$1"; }
loc() { http_header Location; }
qparam() { printf '%s' "$1" | sed -n "s/.*[?&]$2=\([^&]*\).*/\1/p"; }
counts() { it_psql "SELECT (SELECT count(*) FROM mcpgate.authorization_codes) || '/' || (SELECT count(*) FROM mcpgate.consents)"; }

# ---- AZ-04: no redirect before the client and redirect URI are known ------------
before=$(counts)
get "$(url nosuchclient https://client.example/cb)"
is "$HTTP_STATUS" 400 "AZ-04: unknown client → 400"
is "$(loc)" "" "AZ-04, S-03: no redirect for an unknown client"
grep -q 'not registered here' "$HTTP_BODY"; ok $? "  an HTML error page says so"
like "$(http_header Content-Type)" '^text/html' "  text/html"
get "$A?response_type=code&code_challenge=$CH&code_challenge_method=S256"
is "$HTTP_STATUS/$(loc)" "400/" "AZ-04: missing client_id → error page, no redirect"
get "$(url "$C1" https://evil.example/cb)"
is "$HTTP_STATUS/$(loc)" "400/" "AZ-04, S-03: unregistered redirect_uri → error page, no redirect (no open redirect)"
get "$(url "$C1" https://client.example/cb/)"
is "$HTTP_STATUS/$(loc)" "400/" "AZ-05: exact match (a trailing slash differs)"
get "$(url "$C1" https://CLIENT.example/cb)"
is "$HTTP_STATUS/$(loc)" "400/" "AZ-05: exact match (case differs)"
get "$(url "$C2" '')"
is "$HTTP_STATUS/$(loc)" "400/" "AZ-06: two registered URIs and none given → error page"
get "$(url "$C1" '')"
is "$HTTP_STATUS" 200 "AZ-06: one registered URI, none given → it is used"
it_psql "UPDATE mcpgate.clients SET disabled_at = now() WHERE client_id = '$C2'" >/dev/null
get "$(url "$C2" https://client.example/one)"
is "$HTTP_STATUS/$(loc)" "400/" "a disabled client → error page"
it_psql "UPDATE mcpgate.clients SET disabled_at = NULL WHERE client_id = '$C2'" >/dev/null

# ---- AZ-03, AZ-08, AZ-09, AZ-10: errors go back with state and iss ----------------
errcase() {	# query-suffix error description
	get "$1"
	local l
	l=$(loc)
	is "$HTTP_STATUS" 302 "$3: 302 back to the client"
	like "$l" "^https://client\.example/cb\?error=$2&" "  error=$2"
	is "$(qparam "$l" state)" st-1 "  AZ-11: state echoed"
	is "$(qparam "$l" iss)" "$ISS_ENC" "  AZ-14: iss on the error redirect"
	is "$(qparam "$l" code)" "" "  no code"
}
base="$A?client_id=$C1&redirect_uri=$(it_urlencode https://client.example/cb)&state=st-1"
errcase "$base&code_challenge=$CH&code_challenge_method=S256" invalid_request "AZ-03: response_type missing"
errcase "$base&response_type=token&code_challenge=$CH&code_challenge_method=S256" unsupported_response_type "AZ-03: response_type=token"
errcase "$base&response_type=code" invalid_request "AZ-08: no code_challenge (PKCE required)"
errcase "$base&response_type=code&code_challenge=$CH" invalid_request "AZ-08: no method means plain, refused"
errcase "$base&response_type=code&code_challenge=$CH&code_challenge_method=plain" invalid_request "AZ-08, S-10: plain refused (downgrade)"
errcase "$base&response_type=code&code_challenge=short&code_challenge_method=S256" invalid_request "AZ-08: challenge syntax"
errcase "$(url "$C1" https://client.example/cb "&resource=$(it_urlencode https://other.example/mcp)")" invalid_target "AZ-09: a foreign resource"
errcase "$(url "$C1" https://client.example/cb "&resource=$(it_urlencode "$B/mcp/")")" invalid_target "AZ-09: resource with a trailing slash after the path"
errcase "$(url "$C1" https://client.example/cb "&scope=admin")" invalid_scope "AZ-10: an unknown scope"
is "$(counts)" "$before" "no error left a code or consent behind"
get "$(url "$C1" https://client.example/cb)&state=a&state=b"
is "$HTTP_STATUS/$(loc)" "400/" "AZ-01: a repeated parameter → error page"

# ---- the login page ----------------------------------------------------------------------------------
rm -f "$JAR"
get "$(url "$C1" https://client.example/cb "&resource=$(it_urlencode "$(echo "$B" | tr a-z A-Z | sed 's/HTTP/http/')/mcp")&scope=$(it_urlencode ' openid  mcp:read ')")"
is "$HTTP_STATUS" 200 "AZ-09/AZ-10: canonical resource (any case of host), OpenID scopes ignored, whitespace trimmed"
grep -q '<h1>Sign in</h1>' "$HTTP_BODY"; ok $? "AZ-02: the user must sign in first"
grep -q 'name="csrf" value="[A-Za-z0-9_-]\{43\}"' "$HTTP_BODY"; ok $? "S-04: the form carries a CSRF token"
like "$(http_header Content-Security-Policy)" "frame-ancestors 'none'" "S-05: CSP frame-ancestors 'none'"
unlike "$(http_header Content-Security-Policy)" "script-src|unsafe-inline" "  no script allowed at all"
is "$(http_header X-Frame-Options)" DENY "S-05: X-Frame-Options DENY"
is "$(http_header Referrer-Policy)" no-referrer "S-15: Referrer-Policy no-referrer"
is "$(http_header Cache-Control)" no-store "Cache-Control: no-store"
is "$(http_header Access-Control-Allow-Origin)" "" "DEP-04, S-27: no CORS on the authorization endpoint"
sc=$(http_header Set-Cookie)
like "$sc" '^mcpgate_session=[A-Za-z0-9_-]{43};' "a session cookie"
like "$sc" 'HttpOnly' "S-07: HttpOnly"
like "$sc" 'SameSite=Lax' "S-07: SameSite=Lax"
pre_sid=$(awk '$6 == "mcpgate_session" { print $7 }' "$JAR")
login_form=$HTTP_BODY
http HEAD "$(url "$C1" https://client.example/cb)" -b "$JAR"
is "$HTTP_STATUS/$(wc -c <"$HTTP_BODY" | tr -d ' ')" "200/0" "HEAD: 200 without a body"

# ---- CSRF (S-04) ----------------------------------------------------------------------------------------
F=$(it_form_fields "$login_form")
http POST $A --data "$F&username=demo&password=$(it_urlencode 'demo password 1')"
is "$HTTP_STATUS" 403 "S-04: a POST without the session cookie → 403"
post "$(printf '%s' "$F" | sed 's/csrf=[^&]*/csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/')&username=demo&password=$(it_urlencode 'demo password 1')"
is "$HTTP_STATUS" 403 "S-04: a wrong CSRF token → 403"
post "$(printf '%s' "$F" | sed 's/&csrf=[^&]*//')&username=demo&password=$(it_urlencode 'demo password 1')"
is "$HTTP_STATUS" 403 "S-04: no CSRF token → 403"
is "$(it_psql "SELECT count(*) FROM mcpgate.login_sessions WHERE user_id IS NOT NULL")" 0 "  nobody got signed in"

# ---- wrong and unknown users -------------------------------------------------------------------------------
post "$F&username=demo&password=wrong"
is "$HTTP_STATUS" 401 "a wrong password → 401"
grep -q 'Wrong username or password' "$HTTP_BODY"; ok $? "  the login page again, with the error"
post "$F&username=nobody&password=wrong"
is "$HTTP_STATUS" 401 "an unknown user → the same 401"
grep -q 'Wrong username or password' "$HTTP_BODY"; ok $? "  with the same message (no user enumeration)"
is "$(it_psql "SELECT count(*) FROM mcpgate.audit_log WHERE event = 'login_failed'")" 2 "audit: two failed logins"
grep -q 'wrong' "$IT_FE_DIR"/*.log; ok "$((! $?))" "passwords are never logged"

# ---- a real login: session rotation, consent page ---------------------------------------------------------------
post "$F&username=demo&password=$(it_urlencode 'demo password 1')"
is "$HTTP_STATUS" 200 "the right password → the consent page"
grep -q '<h1>Allow access?</h1>' "$HTTP_BODY"; ok $? "  Allow access?"
grep -q 'Example App' "$HTTP_BODY"; ok $? "S-06: the client's name shown"
grep -q 'client.example' "$HTTP_BODY"; ok $? "S-06, CM-08: the redirect host shown"
grep -q 'Search and read the documents' "$HTTP_BODY"; ok $? "the scope in words"
grep -q 'value="approve"' "$HTTP_BODY" && grep -q 'value="deny"' "$HTTP_BODY"; ok $? "distinct Allow and Deny buttons"
grep -q 'localhost' "$HTTP_BODY"; ok "$((! $?))" "no localhost warning for an https client"
post_sid=$(awk '$6 == "mcpgate_session" { print $7 }' "$JAR")
isnt "$post_sid" "$pre_sid" "session fixation: a new session id after login"
is "$(it_psql "SELECT count(*) FROM mcpgate.login_sessions WHERE session_hash = sha256(convert_to('$pre_sid', 'UTF8'))")" 0 \
    "  the pre-login session is gone"
is "$(it_psql "SELECT count(*) FROM mcpgate.login_sessions WHERE session_hash = sha256(convert_to('$post_sid', 'UTF8')) AND user_id IS NOT NULL")" 1 \
    "  the new one is stored hashed, bound to the user"
is "$(it_psql "SELECT count(*) FROM mcpgate.audit_log WHERE event = 'login_ok'")" 1 "audit: login_ok"
consent_form=$HTTP_BODY

# ---- deny, then approve ----------------------------------------------------------------------------------------------
CF=$(it_form_fields "$consent_form")
post "${CF}&decision=deny"
is "$HTTP_STATUS" 303 "AZ-12, S-14: deny → 303 (never 307)"
l=$(loc)
like "$l" '^https://client\.example/cb\?error=access_denied&' "  error=access_denied"
is "$(qparam "$l" state)" st-1 "  AZ-11: state"
is "$(qparam "$l" iss)" "$ISS_ENC" "  AZ-14: iss on the deny redirect"
post "${CF}&decision=approve"
is "$HTTP_STATUS" 303 "AZ-12: approve → 303"
l=$(loc)
code=$(qparam "$l" code)
like "$code" '^[A-Za-z0-9_-]{43}$' "  a 256-bit code"
is "$(qparam "$l" state)" st-1 "  state"
is "$(qparam "$l" iss)" "$ISS_ENC" "  iss"
row=$(it_psql "SELECT client_id, redirect_uri, code_challenge, code_challenge_method, scope, resource,
    (SELECT username FROM mcpgate.users u WHERE u.user_id = c.user_id),
    extract(epoch FROM expires_at - created_at)::int, consumed_at IS NULL
    FROM mcpgate.authorization_codes c WHERE code_hash = sha256(convert_to('$code', 'UTF8'))")
is "$row" "$C1|https://client.example/cb|$CH|S256|mcp:read|$B/mcp|demo|600|t" \
    "AZ-13: the code is stored hashed, bound to client, redirect, challenge, scope, resource and user, 10 minutes"
"$(_stack_pg_bindir)/pg_dump" -d "$IT_DB" >"$IT_DIR/dump.sql" 2>/dev/null
grep -q "$code" "$IT_DIR/dump.sql"; ok "$((! $?))" "S-24: the code is nowhere in a database dump"
grep -q "$code" "$IT_FE_DIR"/*.log; ok "$((! $?))" "  nor in the logs"
is "$(it_psql "SELECT scope || ' ' || redirect_uri FROM mcpgate.consents WHERE client_id = '$C1' AND revoked_at IS NULL")" \
    "mcp:read https://client.example/cb" "the consent is remembered"

# ---- remembered consent ----------------------------------------------------------------------------------------
get "$(url "$C1" https://client.example/cb)"
is "$HTTP_STATUS" 302 "a returning client with a live session goes straight back"
like "$(qparam "$(loc)" code)" '^[A-Za-z0-9_-]{43}$' "  with a code"
is "$(qparam "$(loc)" iss)" "$ISS_ENC" "  and iss"
get "$(url "$C1" https://client.example/cb "&scope=mcp:write")"
is "$HTTP_STATUS" 200 "a new scope → the consent page again"
grep -q 'Make changes' "$HTTP_BODY"; ok $? "  naming the new scope"
get "$(url "$C4" https://client.example/cb)"
is "$HTTP_STATUS" 200 "another client → the consent page (consent is per client)"
grep -q '&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;' "$HTTP_BODY"; ok $? "S-16: a hostile client_name is escaped"
grep -q '<img' "$HTTP_BODY"; ok "$((! $?))" "  and no markup of it survives"
rm -f "$JAR"
get "$(url "$C1" https://client.example/cb)"
is "$HTTP_STATUS" 200 "no live session → the login page again"
grep -q '<h1>Sign in</h1>' "$HTTP_BODY"; ok $? "  Sign in"
it_config session_idle_lifetime=60
F=$(it_form_fields "$HTTP_BODY")
post "$F&username=demo&password=$(it_urlencode 'demo password 1')"
is "$HTTP_STATUS" 303 "after signing in again the remembered consent applies: 303 with a code"
like "$(qparam "$(loc)" code)" '^[A-Za-z0-9_-]{43}$' "  a code"
it_psql "UPDATE mcpgate.login_sessions SET last_seen_at = now() - interval '2 minutes'" >/dev/null
get "$(url "$C1" https://client.example/cb)"
is "$HTTP_STATUS" 200 "an idle session expires (session_idle_lifetime)"

# ---- the second redirect URI, the loopback client ------------------------------------------------------------------------
rm -f "$JAR"
get "$(url "$C2" 'https://client.example/two?tenant=7')"
F=$(it_form_fields "$HTTP_BODY")
post "$F&username=demo&password=$(it_urlencode 'demo password 1')"
CF=$(it_form_fields "$HTTP_BODY")
post "$CF&decision=approve"
like "$(loc)" '^https://client\.example/two\?tenant=7&code=' "a registered query is kept; the code joins with &"
get "$(url "$C2" https://client.example/one)"
is "$HTTP_STATUS" 200 "a new redirect URI → the consent page again"
get "$(url "$C3" http://127.0.0.1:51234/callback)"
is "$HTTP_STATUS" 200 "AZ-05: a loopback client may use any port (RFC 8252 §7.3)"
grep -q 'localhost' "$HTTP_BODY"; ok $? "S-26: a warning when every redirect URI is on localhost"
is "$(http_header Content-Security-Policy | grep -o "form-action [^;]*")" "form-action 'self' http://127.0.0.1:51234" \
    "the page may post to us and end at the client, nowhere else"
CF=$(it_form_fields "$HTTP_BODY")
post "$CF&decision=approve"
like "$(loc)" '^http://127\.0\.0\.1:51234/callback\?code=' "  the code goes to the port asked for"
get "$(url "$C3" http://127.0.0.1:40000/callback)"
is "$HTTP_STATUS" 302 "  consent is remembered for the registered URI, whatever the port"

# ---- login rate limits (S-18) ---------------------------------------------------------------------------------------------
it_psql "DELETE FROM mcpgate.rate_limits" >/dev/null
it_config login_limit_user=3
rm -f "$JAR"
get "$(url "$C1" https://client.example/cb)"
F=$(it_form_fields "$HTTP_BODY")
codes=
for i in 1 2 3 4; do post "$F&username=bob&password=nope$i"; codes="$codes$HTTP_STATUS "; done
is "$codes" "401 401 401 429 " "S-18: the 4th attempt for one user in 15 minutes → 429"
like "$(http_header Retry-After)" '^[0-9]+$' "  with Retry-After"
post "$F&username=bob&password=$(it_urlencode 'bob password 22')"
is "$HTTP_STATUS" 429 "  even with the right password while limited"
post "$F&username=demo&password=$(it_urlencode 'demo password 1')"
is "$HTTP_STATUS" 303 "  another user is not affected (remembered consent: 303 with a code)"
it_config login_limit_user=10 login_limit_ip=2
it_psql "DELETE FROM mcpgate.rate_limits" >/dev/null
rm -f "$JAR"
get "$(url "$C1" https://client.example/cb)"
F=$(it_form_fields "$HTTP_BODY")
codes=
for u in a1 a2 a3; do post "$F&username=$u&password=x"; codes="$codes$HTTP_STATUS "; done
is "$codes" "401 401 429 " "S-18: per address too (login_limit_ip)"
it_config login_limit_ip=50
it_psql "DELETE FROM mcpgate.rate_limits" >/dev/null

# ---- set-password links -----------------------------------------------------------------------------------------------------
tok=$(head -c 32 /dev/urandom | sha256sum | cut -c1-64)
it_psql "INSERT INTO mcpgate.users (username, set_password_hash, set_password_expires_at)
    VALUES ('carol', sha256(convert_to('$tok', 'UTF8')), now() + interval '1 day')" >/dev/null
http GET "/mcp/password?token=$tok"
is "$HTTP_STATUS" 200 "a set-password link opens its page"
grep -q 'carol' "$HTTP_BODY"; ok $? "  for the right user"
http POST /mcp/password --data "token=$tok&password=abcdefgh1&password2=different"
is "$HTTP_STATUS" 400 "  two different passwords → 400"
http POST /mcp/password --data "token=$tok&password=short&password2=short"
is "$HTTP_STATUS" 400 "  a short password → 400"
http POST /mcp/password --data "token=$tok&password=$(it_urlencode 'carol pass 333')&password2=$(it_urlencode 'carol pass 333')"
is "$HTTP_STATUS" 200 "  the password is set"
like "$(it_psql "SELECT password_hash FROM mcpgate.users WHERE username = 'carol'")" '^\$argon2id\$' "  stored as argon2id"
http GET "/mcp/password?token=$tok"
is "$HTTP_STATUS" 400 "  the link works once"
http GET "/mcp/password?token=$(printf 'z%.0s' $(seq 64))"
is "$HTTP_STATUS" 400 "  a malformed token → 400"
rm -f "$JAR"
get "$(url "$C1" https://client.example/cb)"
F=$(it_form_fields "$HTTP_BODY")
post "$F&username=Carol&password=$(it_urlencode 'carol pass 333')"
is "$HTTP_STATUS" 200 "carol signs in with it (username case-insensitive)"
is "$(it_psql "SELECT count(*) FROM mcpgate.audit_log WHERE event = 'password_set'")" 1 "audit: password_set"

# ---- trust_remote_user (front-end authentication), as plain CGI ----------------------------------------------------------
cgi_conf=$IT_DIR/cgi.conf
printf 'issuer = %s\ndatabase = %s\ntrust_remote_user = yes\n' "$B" "$IT_CONNINFO" >"$cgi_conf"
q=$(url "$C1" https://client.example/cb); q=${q#*\?}
out=$(env -i REQUEST_METHOD=GET REQUEST_URI="$A?$q" QUERY_STRING="$q" REMOTE_USER=dave \
    MCPGATE_CONFIG="$cgi_conf" "$top_builddir/cgi-bin/authorize" 2>/dev/null)
like "$out" 'Allow access\?' "trust_remote_user: REMOTE_USER skips the login page"
is "$(it_psql "SELECT count(*) FROM mcpgate.users WHERE username = 'dave' AND password_hash IS NULL")" 1 \
    "  and the user exists, without a password"
sed -i 's/trust_remote_user = yes/trust_remote_user = no/' "$cgi_conf"
out=$(env -i REQUEST_METHOD=GET REQUEST_URI="$A?$q" QUERY_STRING="$q" REMOTE_USER=dave \
    MCPGATE_CONFIG="$cgi_conf" "$top_builddir/cgi-bin/authorize" 2>/dev/null)
like "$out" '<h1>Sign in</h1>' "  without the switch REMOTE_USER is ignored"

# ---- the origin alias, other paths --------------------------------------------------------------------------------------------
http GET "/authorize?client_id=nosuch"
is "$HTTP_STATUS" 400 "AS-04: /authorize at the origin reaches the program"
http PUT $A
is "$HTTP_STATUS" 405 "PUT → 405"
like "$(http_header Content-Type)" '^text/html' "  as a page"
http POST $A -H 'Content-Type: application/json' --data '{}'
is "$HTTP_STATUS" 415 "a JSON POST → 415"
done_testing
