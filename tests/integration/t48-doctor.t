#!/bin/bash
# t48-doctor.t -- the connector doctor (CLIENTS.md "connector doctor"): the
# page <mcp_path>/doctor and mcpgate-doctor, against real PostgreSQL,
# lighttpd and Apache.
#  - the page: a sign-in form for the administrators (admin_users) with a
#    CSRF token (S-04), the same refusal for wrong passwords, unknown,
#    disabled and non-admin users, rate-limited like the OAuth login (S-18);
#    an admin gets the report, never cached; "nobody" when admin_users is
#    unset; a 200 notice, not a 5xx, while the database is down;
#  - a healthy lighttpd: every check ok, from the page and from the CLI
#    (exit 0; -q prints nothing);
#  - Apache with the Authorization header stripped (CGIPassAuth Off for
#    /mcp, as a host's configuration may do): the authorization check fails
#    and says CGIPassAuth On / the rewrite rule;
#  - Apache whose edge blocks /.well-known/ (403): the three metadata checks
#    fail and suggest well_known_blocked = yes; with it set they are
#    warnings and the copy under the MCP path is checked instead;
#  - Apache running the programs as plain CGI: the mode check warns (exit 0);
#  - the database down: the database check fails with the reason (exit 1);
#  - /mcp/health says its mode (fastcgi, or cgi when run as plain CGI).
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres lighttpd apache fcgid jq perl
it_db t48
it_user admin 'admin password 48'
it_user alice 'alice password 48'
it_user olduser 'olduser password 48'
it_psql "UPDATE mcpgate.users SET disabled_at = now() WHERE username = 'olduser'" >/dev/null
# debug: the most the programs ever log, so "not in the logs" means something
it_config admin_users="Admin olduser" log_level=debug
it_lighttpd
L=$IT_URL
LCONF=$IT_CONFIG
LDIR=$IT_FE_DIR
DOCTOR=$top_builddir/mcpgate-doctor
KEYS="authorization well-known-as well-known-prm well-known-prm-root issuer https database clock mode"

# ---- helpers ------------------------------------------------------------------
JAR=$IT_DIR/jar
# page_get BASE -- the sign-in form; sets F (its hidden fields)
page_get() {
	http GET "$1/mcp/doctor" -c "$JAR" -b "$JAR"
	F=$(it_form_fields "$HTTP_BODY")
}
# page_post BASE USER PASSWORD
page_post() {
	http POST "$1/mcp/doctor" -c "$JAR" -b "$JAR" \
		--data "$F&username=$(it_urlencode "$2")&password=$(it_urlencode "$3")"
}
# item KEY -- the status the last report page gives check KEY
item() {
	perl -0777 -ne 'print $1 if /<li class="check (\w+)">\n<p class="check-head">(?:(?!<\/li>).)*?<span class="key">\Q'"$1"'\E<\/span>/s' "$HTTP_BODY"
}
# item_text KEY -- that check's <li>, for grepping its detail and fixes
item_text() {
	perl -0777 -ne 'print $1 if /(<li class="check \w+">\n<p class="check-head">(?:(?!<\/li>).)*?<span class="key">\Q'"$1"'\E<\/span>.*?<\/li>)/s' "$HTTP_BODY"
}
# cli ARGS... -- run mcpgate-doctor; sets CLI_RC, CLI_OUT (a file)
_cli_n=0
cli() {
	_cli_n=$((_cli_n + 1))
	CLI_OUT=$IT_DIR/cli.$_cli_n.out
	"$DOCTOR" "$@" >"$CLI_OUT" 2>"$CLI_OUT.err"
	CLI_RC=$?
}
# cli_status KEY -- the first word of KEY's line
cli_status() { awk -v k="$1" '$2 == k { print $1; exit }' "$CLI_OUT"; }
# cli_block KEY -- KEY's line and its fixes (up to the next check's line)
cli_block() {
	awk -v k="$1" '/^[^ ]/ { on = ($2 == k) } on' "$CLI_OUT"
}
# cgi PROGRAM VAR=VALUE... -- run a program as plain CGI; the body in CGI_BODY
cgi() {
	local p=$1
	shift
	CGI_OUT=$IT_DIR/cgi.out
	env -i PATH="$PATH" "$@" "$IT_DIR/cgi-bin/$p" </dev/null >"$CGI_OUT" 2>>"$IT_DIR/cgi.err"
	CGI_BODY=$(sed '1,/^\r\{0,1\}$/d' "$CGI_OUT")
	CGI_STATUS=$(sed -n 's/^Status: \([0-9]*\).*/\1/p' "$CGI_OUT" | head -n 1)
}

# ---- /mcp/health says its mode ---------------------------------------------------------
http GET /mcp/health
is "$(http_json .status)/$(http_json .mode)" ok/fastcgi "health: {\"status\":\"ok\",\"mode\":\"fastcgi\"} under lighttpd"
cgi health REQUEST_METHOD=GET REQUEST_URI=/mcp/health MCPGATE_CONFIG="$LCONF"
is "$(printf '%s' "$CGI_BODY" | jq -r '.status + "/" + .mode')" ok/cgi "health run as plain CGI: mode cgi"

# ---- the page, before sign-in ----------------------------------------------------------------
page_get "$L"
is "$HTTP_STATUS" 200 "GET /mcp/doctor: 200"
like "$(http_header Content-Type)" '^text/html' "  an HTML page"
grep -q 'name="csrf" value="[A-Za-z0-9_-]\{43\}"' "$HTTP_BODY"; ok $? "  a sign-in form with a CSRF token (S-04)"
grep -q 'name="password" type="password"' "$HTTP_BODY"; ok $? "  username and password"
grep -q 'class="checks"' "$HTTP_BODY"; ok "$((! $?))" "  no report before sign-in"
grep -q '<script' "$HTTP_BODY"; ok "$((! $?))" "  no script"
csp=$(http_header Content-Security-Policy)
like "$csp" "form-action 'self'" "  CSP: the form posts here only"
unlike "$csp" "script-src|unsafe" "  CSP: no script allowed"
is "$(http_header X-Frame-Options)" DENY "  cannot be framed"
is "$(http_header Cache-Control)" no-store "  not cached"
like "$(http_header Set-Cookie)" '^mcpgate_session=' "  the login session cookie (login.c, shared with authorize)"
grep -q 'href="/mcpgate/mcpgate.css"' "$HTTP_BODY"; ok $? "  styled by /mcpgate/mcpgate.css"

# ---- refusals: CSRF, wrong password, unknown, disabled and non-admin users ---------------------------
http POST "$L/mcp/doctor" --data "$F&username=admin&password=$(it_urlencode 'admin password 48')"
is "$HTTP_STATUS" 403 "S-04: a POST without the session cookie → 403"
grep -q 'class="checks"' "$HTTP_BODY"; ok "$((! $?))" "  and no report"
http POST "$L/mcp/doctor" -c "$JAR" -b "$JAR" \
	--data "csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&username=admin&password=$(it_urlencode 'admin password 48')"
is "$HTTP_STATUS" 403 "S-04: a wrong CSRF token → 403"
refusal=''
for who in "admin:wrong password" "nobody:whatever it is" "alice:alice password 48" "olduser:olduser password 48"; do
	page_post "$L" "${who%%:*}" "${who#*:}"
	grep -q 'class="checks"' "$HTTP_BODY" && refusal="$refusal ${who%%:*}:REPORT"
	refusal="$refusal ${who%%:*}:$HTTP_STATUS:$(grep -c 'Wrong username or password, or not an administrator of this site.' "$HTTP_BODY")"
done
is "$refusal" " admin:401:1 nobody:401:1 alice:401:1 olduser:401:1" \
	"wrong password, unknown user, non-admin (right password), disabled admin: the same 401 and message, no report"
grep -q 'name="csrf"' "$HTTP_BODY"; ok $? "  the form again"
is "$(it_psql "SELECT count(*) FROM mcpgate.audit_log WHERE event = 'login_failed' AND detail->>'page' = 'doctor'")" 3 \
	"audit: three failed sign-ins (wrong password, unknown user, disabled user), marked as the doctor's"
is "$(it_psql "SELECT count(*) FROM mcpgate.audit_log a JOIN mcpgate.users u USING (user_id) WHERE a.event = 'doctor_refused' AND u.username = 'alice'")" 1 \
	"audit: alice refused (not an administrator)"

# ---- an admin gets the report ------------------------------------------------------------------------
page_get "$L"
page_post "$L" admin 'admin password 48'
is "$HTTP_STATUS" 200 "the admin (listed as \"Admin\": case-insensitive) signs in: 200"
grep -q '<ol class="checks">' "$HTTP_BODY"; ok $? "  the report"
got=''
for k in $KEYS; do got="$got $k=$(item "$k")"; done
is "$got" "$(for k in $KEYS; do printf ' %s=ok' "$k"; done)" "healthy lighttpd: every check ok, Authorization and the well-known documents included"
grep -q 'All 9 checks passed' "$HTTP_BODY"; ok $? "  the summary says so"
item_text authorization | grep -q 'error=&quot;invalid_token&quot;'; ok $? "  authorization: the MCP program saw the bogus token (invalid_token)"
item_text mode | grep -q 'this page runs under FastCGI'; ok $? "  mode: the page knows it runs under FastCGI"
item_text issuer | grep -q "reached at $L, the issuer"; ok $? "  issuer: the page's own origin is the issuer"
grep -q 'lighttpd (lighttpd/' "$HTTP_BODY"; ok $? "  the front end recognised from SERVER_SOFTWARE"
is "$(http_header Cache-Control)" no-store "  the report is not cached"
grep -q 'admin password 48' "$HTTP_BODY"; ok "$((! $?))" "  the password is not in the page"
is "$(it_psql "SELECT count(*) FROM mcpgate.audit_log WHERE event = 'doctor_report'")" 1 "audit: doctor_report"
ls "$LDIR"/*.log >/dev/null 2>&1; ok $? "(the web server's logs exist)"
grep -q 'authorization=Bearer' "$LDIR"/*.log; ok $? "(and at debug level they show the probe's Bearer arriving, by scheme)"
grep -q 'password 48' "$LDIR"/*.log "$IT_DIR"/pg/*.log; ok "$((! $?))" "no password in the web server's or PostgreSQL's logs"
grep -q 'doctor-probe' "$LDIR"/*.log "$IT_DIR"/pg/*.log; ok "$((! $?))" "the probe's bogus token is not logged"
is "$(pgrep -f "$IT_DIR/cgi-bin/doctor" | wc -l | tr -d ' ')" 1 "lighttpd runs one doctor process (max-procs 1)"

# ---- the login rate limit (S-18), shared with the OAuth login -----------------------------------------
it_psql "DELETE FROM mcpgate.rate_limits" >/dev/null
it_config login_limit_user=3
page_get "$L"
codes=''
for i in 1 2 3 4; do page_post "$L" admin "wrong $i"; codes="$codes$HTTP_STATUS "; done
is "$codes" "401 401 401 429 " "S-18: the 4th attempt for one user in 15 minutes → 429"
like "$(http_header Retry-After)" '^[1-9][0-9]*$' "  with Retry-After"
page_post "$L" admin 'admin password 48'
is "$HTTP_STATUS" 429 "  even with the right password while limited"
grep -q 'class="checks"' "$HTTP_BODY"; ok "$((! $?))" "  and no report"
it_config login_limit_user=10
it_psql "DELETE FROM mcpgate.rate_limits" >/dev/null

# ---- admin_users unset: nobody; the page says how to set it ----------------------------------------------
grep -v '^admin_users' "$LCONF" >"$IT_DIR/noadmin.conf"
cgi doctor REQUEST_METHOD=GET REQUEST_URI=/mcp/doctor MCPGATE_CONFIG="$IT_DIR/noadmin.conf"
is "$CGI_STATUS" 200 "admin_users unset (the page as plain CGI): 200"
grep -q 'admin_users = alice' <<<"$CGI_BODY"; ok $? "  the page says to set admin_users"
grep -q 'name="password"' <<<"$CGI_BODY"; ok "$((! $?))" "  and shows no form: nobody may sign in"

# ---- mcpgate-doctor on the healthy lighttpd ------------------------------------------------------------------
cli -c "$LCONF"
is "$CLI_RC" 0 "CLI, healthy lighttpd: exit 0"
got=''
for k in $KEYS; do got="$got $k=$(cli_status "$k")"; done
is "$got" "$(for k in $KEYS; do printf ' %s=ok' "$k"; done)" "  one line per check, every one ok"
grep -q '^9 ok, 0 warnings, 0 failed$' "$CLI_OUT"; ok $? "  the summary"
grep -q '^front end: lighttpd (Server: lighttpd/' "$CLI_OUT"; ok $? "  the front end, from the Server header"
cli -q -c "$LCONF"
is "$CLI_RC/$(wc -c <"$CLI_OUT" | tr -d ' ')" 0/0 "CLI -q, all ok: exit 0, prints nothing"
MCPGATE_CONFIG=$LCONF cli -q
is "$CLI_RC" 0 "CLI: the configuration from MCPGATE_CONFIG"
cli -c "$IT_DIR/no-such.conf"
is "$CLI_RC" 2 "CLI: an unreadable configuration → exit 2"
grep -q "no-such.conf" "$CLI_OUT.err"; ok $? "  naming the file"
printf 'issuer = https://x.example\n' >"$IT_DIR/bad.conf"
cli -c "$IT_DIR/bad.conf"
is "$CLI_RC" 2 "CLI: an invalid configuration → exit 2"
grep -q "database: required" "$CLI_OUT.err"; ok $? "  with conf.c's message"
cli -x
is "$CLI_RC" 2 "CLI: an unknown option → exit 2 (usage)"
cli -c "$LCONF" extra
is "$CLI_RC" 2 "CLI: an extra argument → exit 2 (usage)"

# ---- Apache that strips Authorization ----------------------------------------------------------------------
# A host configuration that hides the header from the programs again after
# the shipped include allowed it (CGIPassAuth is a directory-context
# directive; <Location> merges last, as a host's own sections would).
export STACK_APACHE_EXTRA='<Location "/mcp">
    CGIPassAuth Off
  </Location>'
it_apache fcgid apache-noauth
A1=$IT_URL
A1CONF=$IT_CONFIG
unset STACK_APACHE_EXTRA
http POST "$A1/mcp" -H 'Content-Type: application/json' -H 'Authorization: Bearer not-a-token' --data '{}'
like "$(http_header WWW-Authenticate)" '^Bearer ' "(the emulation: a Bearer challenge…)"
unlike "$(http_header WWW-Authenticate)" 'error=' "(…without error=: the MCP program sees no token)"
cli -c "$A1CONF"
is "$CLI_RC" 1 "CLI, Authorization stripped: exit 1"
is "$(cli_status authorization)" FAILED "  authorization FAILED"
cli_block authorization | grep -q 'stripped'; ok $? "  says the header was stripped"
cli_block authorization | grep -q 'CGIPassAuth On'; ok $? "  fix (Apache): CGIPassAuth On"
cli_block authorization | grep -qF 'RewriteRule ^ - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]'; ok $? "  fix (.htaccess): the rewrite E= rule"
cli_block authorization | grep -q 'setenv.set-request-header'; ok "$((! $?))" "  lighttpd's fix not shown for Apache"
is "$(cli_status well-known-as)/$(cli_status well-known-prm)/$(cli_status well-known-prm-root)" ok/ok/ok \
	"  the well-known documents are fine there"
page_get "$A1"
is "$HTTP_STATUS" 200 "the page through Apache: 200"
page_post "$A1" admin 'admin password 48'
is "$HTTP_STATUS/$(item authorization)" 200/failed "  the page's report: authorization failed"
item_text authorization | grep -q 'CGIPassAuth On'; ok $? "  with CGIPassAuth On"
item_text mode | grep -q 'this page runs under FastCGI; the programs run under FastCGI'; ok $? "  mode: FastCGI (mod_fcgid), the page's and health's"

# ---- Apache whose edge blocks /.well-known ---------------------------------------------------------------
export STACK_APACHE_EXTRA='<LocationMatch "^/\.well-known/">
    Require all denied
  </LocationMatch>'
it_apache fcgid apache-blocked
A2=$IT_URL
A2CONF=$IT_CONFIG
unset STACK_APACHE_EXTRA
cli -c "$A2CONF"
is "$CLI_RC" 1 "CLI, /.well-known blocked: exit 1"
is "$(cli_status well-known-as)/$(cli_status well-known-prm)/$(cli_status well-known-prm-root)" FAILED/FAILED/FAILED \
	"  the three metadata checks FAILED"
like "$(grep '^FAILED *well-known-as ' "$CLI_OUT")" '403' "  saying 403"
cli_block well-known-as | grep -q 'well_known_blocked = yes'; ok $? "  suggesting well_known_blocked = yes"
cli_block well-known-prm | grep -q 'The same as for well-known-as above'; ok $? "  the same fix said once"
is "$(cli_status authorization)" ok "  authorization ok there"
page_get "$A2"
page_post "$A2" admin 'admin password 48'
is "$(item well-known-as)/$(item well-known-prm)/$(item well-known-prm-root)" failed/failed/failed "  the page's report: the three failed"

# with well_known_blocked = yes (every front end's config: lighttpd too)
it_config well_known_blocked=yes
cli -c "$A2CONF"
is "$(cli_status well-known-as)/$(cli_status well-known-prm)/$(cli_status well-known-prm-root)" WARNING/WARNING/WARNING \
	"well_known_blocked = yes: the blocked URLs are warnings"
is "$(cli_status prm-mcp-path)" ok "  and the copy under the MCP path is checked: ok"
is "$(cli_status authorization)" ok "  the challenge names that copy (no configuration mismatch)"
is "$CLI_RC" 0 "  exit 0 (warnings only)"
cli -c "$LCONF"
is "$(cli_status prm-mcp-path)/$(cli_status well-known-as)" ok/ok "lighttpd with well_known_blocked = yes: the copy and /.well-known both ok"
it_config well_known_blocked=no

# ---- Apache running the programs as plain CGI -----------------------------------------------------------------
it_apache cgi apache-cgi
cli -c "$IT_CONFIG"
is "$(cli_status mode)" WARNING "CLI, programs under plain CGI: mode WARNING"
cli_block mode | grep -q 'a2enmod fcgid'; ok $? "  fix: a2enmod fcgid"
is "$CLI_RC" 0 "  exit 0 (a warning, not a failure)"
page_get "$IT_URL"
page_post "$IT_URL" admin 'admin password 48'
item_text mode | grep -q 'this page runs under CGI'; ok $? "  the page knows it runs under CGI"

# ---- the database down -------------------------------------------------------------------------------------
if [ -n "$IT_PGDIR" ]; then
	it_pg_stop
	cli -c "$LCONF"
	is "$CLI_RC" 1 "CLI, database down: exit 1"
	is "$(cli_status database)" FAILED "  database FAILED"
	like "$(grep '^FAILED *database ' "$CLI_OUT")" 'cannot connect: ' "  with the reason (cannot connect: …)"
	# an mcp process with a connection from before answers 401 at once; a
	# fresh one needs the database first (503): "not known", never "stripped"
	like "$(cli_status authorization)" '^(ok|WARNING)$' "  authorization not mistaken for a stripped header"
	page_get "$L"
	is "$HTTP_STATUS" 200 "the page, database down: 200, not a 5xx"
	grep -q 'The database cannot be reached' "$HTTP_BODY"; ok $? "  it says so"
	grep -q 'mcpgate-doctor' "$HTTP_BODY"; ok $? "  and points at mcpgate-doctor"
	http POST "$L/mcp/doctor" -c "$JAR" -b "$JAR" --data "$F&username=admin&password=x"
	is "$HTTP_STATUS" 200 "  a POST too"
	it_pg_start || bail_out "PostgreSQL did not start again"
	cli -q -c "$LCONF"
	is "$CLI_RC" 0 "database back: exit 0"
else
	skip "a shared cluster cannot be stopped" 10
fi

done_testing
