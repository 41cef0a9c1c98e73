#!/bin/bash
# t20-cgi.t -- the programs run as plain CGI, the way mod_cgid runs them and
# the way an operator can run them by hand (cgit's tests): variables in the
# environment, the response on stdout, log lines on stderr.  Covers the
# fixed rejection order of app_run, configuration errors, and the exact
# shape of a CGI response (deploy README requirement 5: always Status).
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres jq

BIN=$top_builddir/cgi-bin
CONF=$IT_DIR/mcpgate.conf
printf 'issuer = https://kb.example.org\ndatabase = dbname=none\n' >"$CONF"

# cgi PROGRAM VAR=VALUE... -- run PROGRAM once as CGI; sets OUT (stdout
# file), ERR (stderr file), STATUS (the Status line's code), BODY (file).
n=0
cgi() {
	local prog=$1
	shift
	n=$((n + 1))
	OUT=$IT_DIR/cgi.$n.out ERR=$IT_DIR/cgi.$n.err BODY=$IT_DIR/cgi.$n.body
	env -i GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 "$@" \
	    "$BIN/$prog" </dev/null >"$OUT" 2>"$ERR"
	STATUS=$(head -n 1 "$OUT" | sed -n 's/^Status: \([0-9]*\) .*/\1/p' | tr -d '\r')
	# the body: every byte after the first empty line
	perl -0777 -ne 'print $1 if /\A.*?\r?\n\r?\n(.*)\z/s' "$OUT" >"$BODY"
}
header() { sed -n '/^\r\{0,1\}$/q; p' "$OUT" | tr -d '\r' | sed -n "s/^$1: //Ip" | head -n 1; }

# ---- the well-known program -------------------------------------------------
AS=/.well-known/oauth-authorization-server
cgi well-known REQUEST_METHOD=GET REQUEST_URI=$AS MCPGATE_CONFIG="$CONF"
is "$(head -c 8 "$OUT")" "Status: " "the response starts with an explicit Status line (deploy req. 5)"
is "$STATUS" 200 "GET as CGI: 200"
is "$(jq -r .issuer "$BODY")" https://kb.example.org "issuer from the configuration"
is "$(header Content-Length)" "$(wc -c <"$BODY" | tr -d ' ')" "Content-Length is the body's length"
is "$(header Cache-Control)" "public, max-age=300" "metadata may be cached briefly"
is "$(header X-Content-Type-Options)" nosniff "security header: nosniff"
is "$(header X-Frame-Options)" DENY "security header: X-Frame-Options"
like "$(header Content-Security-Policy)" "frame-ancestors 'none'" "security header: CSP"
is "$(header Referrer-Policy)" no-referrer "security header: Referrer-Policy"
is "$(header Access-Control-Allow-Origin)" '*' "CORS: readable from any origin (DEP-03)"
is "$(cat "$ERR")" "" "nothing logged at the default level"

cgi well-known REQUEST_METHOD=HEAD REQUEST_URI=$AS MCPGATE_CONFIG="$CONF"
is "$STATUS" 200 "HEAD: 200"
is "$(wc -c <"$BODY" | tr -d ' ')" 0 "HEAD: no body"
ok "$([ "$(header Content-Length)" -gt 100 ]; echo $?)" "HEAD: Content-Length of the GET body"

cgi well-known REQUEST_METHOD=GET REQUEST_URI="$AS?x=1" SCRIPT_NAME=/cgi-bin/well-known MCPGATE_CONFIG="$CONF"
is "$STATUS" 200 "routing ignores the query string and SCRIPT_NAME"

cgi well-known REQUEST_METHOD=GET REQUEST_URI=/.well-known/oauth-protected-resource/other MCPGATE_CONFIG="$CONF"
is "$STATUS" 404 "an unknown well-known path: 404"
is "$(jq -r .error "$BODY")" not_found "  as a JSON error"
is "$(header Content-Type)" application/json "  with Content-Type application/json"

cgi well-known REQUEST_METHOD=POST REQUEST_URI=$AS CONTENT_TYPE=application/json CONTENT_LENGTH=2 MCPGATE_CONFIG="$CONF"
is "$STATUS" 405 "POST to the metadata: 405"
is "$(header Allow)" "GET, HEAD" "  with Allow: GET, HEAD"
is "$(jq -r .error "$BODY")" invalid_request "  and a JSON error"

cgi well-known REQUEST_METHOD=DELETE REQUEST_URI=$AS MCPGATE_CONFIG="$CONF"
is "$STATUS" 405 "DELETE: 405"

cgi well-known REQUEST_METHOD=OPTIONS REQUEST_URI=$AS HTTP_ORIGIN=https://app.example \
    HTTP_ACCESS_CONTROL_REQUEST_METHOD=GET MCPGATE_CONFIG="$CONF"
is "$STATUS" 204 "OPTIONS preflight: 204 (DEP-03)"
is "$(header Access-Control-Allow-Methods)" "GET, HEAD, OPTIONS" "  Allow-Methods"
like "$(header Access-Control-Allow-Headers)" "Authorization.*MCP-Protocol-Version" "  Allow-Headers include Authorization and MCP-Protocol-Version"
like "$(header Access-Control-Expose-Headers)" "WWW-Authenticate" "  WWW-Authenticate exposed"
is "$(header Content-Length)" "" "  no Content-Length on a 204"
is "$(wc -c <"$BODY" | tr -d ' ')" 0 "  no body on a 204"

# ---- configuration errors: 500, the reason in the log, not in the answer ----
cgi well-known REQUEST_METHOD=GET REQUEST_URI=$AS MCPGATE_CONFIG=$IT_DIR/missing.conf
is "$STATUS" 500 "a missing configuration file: 500"
is "$(jq -r .error "$BODY")" server_error "  JSON server_error"
grep -q "configuration $IT_DIR/missing.conf: No such file" "$ERR"
ok $? "  the log names the file and the reason"
unlike "$(cat "$BODY")" "missing.conf" "  the answer does not name the file"

printf 'issuer = https://kb.example.org\ndatabase = x\n\ncode_lifetime = 1h\n' >"$IT_DIR/bad.conf"
cgi well-known REQUEST_METHOD=GET REQUEST_URI=$AS MCPGATE_CONFIG=$IT_DIR/bad.conf
is "$STATUS" 500 "an invalid configuration: 500"
grep -q "bad.conf:4: code_lifetime: must be a duration from 10s to 600s" "$ERR"
ok $? "  the log names the file, the line and the key"

printf 'issuer = http://kb.example.org\ndatabase = x\n' >"$IT_DIR/http.conf"
cgi well-known REQUEST_METHOD=GET REQUEST_URI=$AS MCPGATE_CONFIG=$IT_DIR/http.conf
is "$STATUS" 500 "a plain-http issuer on a public host is refused (AS-10)"
grep -q "http.conf:1: issuer: must use https" "$ERR"
ok $? "  and the log says why"

cgi well-known REQUEST_METHOD=GET REQUEST_URI=$AS
is "$STATUS" 500 "no MCPGATE_CONFIG: the compiled-in default is used (absent here)"
grep -q "configuration .*/mcpgate.conf" "$ERR"
ok $? "  and the log names the default path"

# ---- log lines: one per event, the scheme of Authorization but never its value
printf 'issuer = https://kb.example.org\ndatabase = x\nlog_level = debug\n' >"$IT_DIR/debug.conf"
cgi well-known REQUEST_METHOD=GET REQUEST_URI=$AS MCPGATE_CONFIG=$IT_DIR/debug.conf \
    HTTP_AUTHORIZATION="Bearer sekrit-token-value"
grep -q "authorization=Bearer" "$ERR"
ok $? "debug log shows that Authorization arrived, by scheme"
grep -q "sekrit-token-value" "$ERR"
ok "$((! $?))" "  and never the credential"
like "$(head -n 1 "$ERR")" '^mcpgate-well-known\[[0-9]+\]: ' "log lines name the program and pid"

# ---- the health program, against a real database ---------------------------
it_db t20
printf 'issuer = https://kb.example.org\ndatabase = %s\n' "$IT_CONNINFO" >"$CONF"
cgi health REQUEST_METHOD=GET REQUEST_URI=/mcp/health MCPGATE_CONFIG="$CONF"
is "$STATUS" 200 "health with the database up: 200"
is "$(jq -r .status "$BODY")" ok "  {\"status\":\"ok\"}"
is "$(header Cache-Control)" no-store "  not cached"

it_psql "INSERT INTO mcpgate.schema_version (version, description) VALUES (2, 'from the future')" >/dev/null
cgi health REQUEST_METHOD=GET REQUEST_URI=/mcp/health MCPGATE_CONFIG="$CONF"
is "$STATUS" 503 "a schema newer than the programs: 503"
is "$(header Retry-After)" 5 "  with Retry-After"
grep -q "schema version 2, these programs need 1: install the matching programs" "$ERR"
ok $? "  the log says what to do"
it_psql "DELETE FROM mcpgate.schema_version WHERE version = 2" >/dev/null

it_psql "SET client_min_messages = warning; DROP SCHEMA mcpgate CASCADE" >/dev/null
cgi health REQUEST_METHOD=GET REQUEST_URI=/mcp/health MCPGATE_CONFIG="$CONF"
is "$STATUS" 500 "a database without the schema: 500 (a misconfiguration, not an outage)"
grep -q "no mcpgate schema in this database: run sql/install.sql" "$ERR"
ok $? "  the log points at install.sql"
unlike "$(cat "$BODY")" "mcpgate\\.|relation|schema" "  the answer holds no SQL detail"

printf 'issuer = https://kb.example.org\ndatabase = host=%s port=%s user=%s dbname=no_such_db\n' \
    "$PGHOST" "$PGPORT" "$PGUSER" >"$CONF"
cgi health REQUEST_METHOD=GET REQUEST_URI=/mcp/health MCPGATE_CONFIG="$CONF"
is "$STATUS" 503 "an unreachable database: 503"
is "$(header Retry-After)" 5 "  with Retry-After"
is "$(jq -r .error "$BODY")" temporarily_unavailable "  JSON temporarily_unavailable"
grep -q "database: cannot connect" "$ERR"
ok $? "  the log says why"

cgi health REQUEST_METHOD=POST REQUEST_URI=/mcp/health MCPGATE_CONFIG="$CONF"
is "$STATUS" 405 "health refuses POST before touching the database"
done_testing
