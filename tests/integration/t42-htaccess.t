#!/bin/bash
# t42-htaccess.t -- shared hosting with only .htaccess (issue 6): an Apache
# set up the way shared hosts are (AllowOverride FileInfo Options,
# mod_rewrite, mod_env, mod_fcgid with its defaults, nothing of mcpgate's in
# the server configuration) serving the programs from the document root
# through the shipped conf/htaccess files, copied as a user uploads them
# (only the MCPGATE_CONFIG placeholder filled in). Edits a user might make
# are made to the live files (Apache reads them on every request).
# Checks cite SPEC ids, or the deploy notes (/work/shared/deploy/README.md
# §2.4, "notes") for the pitfalls of .htaccess hosting.
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres apache fcgid rewrite jq cmp od
it_db t42
it_user demo 'demo password 1'
it_config log_level=debug login_limit_user=1000 login_limit_ip=1000
AS=/.well-known/oauth-authorization-server
PRM=/.well-known/oauth-protected-resource
CB=https://client.example/cb
PROGRAMS="well-known health register authorize token mcp"
[ -x "$IT_CGIBIN_SRC/doctor" ] && PROGRAMS="$PROGRAMS doctor"
INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t42","version":"1"}}}'
# The environment the programs got, per request, for the Authorization
# checks: the original path, HTTP_AUTHORIZATION, REDIRECT_HTTP_AUTHORIZATION
# (the test's own tokens only; a relative path is under the ServerRoot).
export STACK_APACHE_EXTRA='CustomLog "auth-env.log" "%U|%{HTTP_AUTHORIZATION}e|%{REDIRECT_HTTP_AUTHORIZATION}e"'

# ---- helpers -------------------------------------------------------------------------
# host: after it_apache, the new front end's URL, logs and document root
host() {
	B=$IT_URL LOG=$IT_FE_DIR/apache-error.log ENVLOG=$IT_FE_DIR/auth-env.log
	D=$IT_FE_DIR/public_html
	CGI=$D/mcpgate/cgi-bin
}
# mark, then since: the error-log lines of the requests made in between
mark() { LOGN=$(wc -l <"$LOG"); }
since() { tail -n "+$((LOGN + 1))" "$LOG"; }
# logged REGEX: the error log got a matching line since mark (the programs'
# stderr reaches it a moment after the answer: wait up to 3 s)
logged() {
	local i
	for i in $(seq 30); do
		since | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
# routed METHOD PATH PROGRAM: the request reached PROGRAM, as it logs itself
routed() {
	mark
	http "$1" "$2"
	logged "mcpgate-$3\[[0-9]+\]: req [0-9]+: debug: $1 $2 authorization="
}
# envlog PATH: the last auth-env.log line for PATH ("PATH|HA|REDIRECT_HA")
envlog() { awk -F'|' -v p="$1" '$1 == p' "$ENVLOG" | tail -n 1; }
# elf: the last body is a program's bytes (ELF magic), or one of them exactly
elf() {
	local p
	[ "$(head -c 4 "$HTTP_BODY" | od -An -c | tr -d ' ')" = '177ELF' ] && return 0
	for p in $PROGRAMS; do cmp -s "$HTTP_BODY" "$CGI/$p" && return 0; done
	return 1
}
# register JSON: client_id and client_secret of a new client
register() {
	http POST /mcp/register -H 'Content-Type: application/json' --data-binary "$1" >/dev/null
	printf '%s %s' "$(http_json .client_id)" "$(http_json '.client_secret // ""')"
}
mcp_post() { # mcp_post [curl args]: initialize
	http POST /mcp -H 'Content-Type: application/json' -H 'MCP-Protocol-Version: 2025-06-18' "$@" --data-binary "$INIT"
}
# strip_auth_rules FILE: delete the E=HTTP_AUTHORIZATION rule and its condition
strip_auth_rules() { sed -i '/^RewriteCond %{HTTP:Authorization}/d; /E=HTTP_AUTHORIZATION/d' "$1"; }

# ======================================================================================
# 1. The shared host: mod_fcgid (and mod_cgid) with defaults, FileInfo + Options
# ======================================================================================
it_apache htaccess ht
host
diag "htaccess host (mod_fcgid) answered after ${IT_START_SECONDS}s"
cp "$D/.htaccess" "$IT_DIR/root.htaccess.orig"
cp "$CGI/.htaccess" "$IT_DIR/cgi-bin.htaccess.orig"
restore() { cp "$IT_DIR/root.htaccess.orig" "$D/.htaccess"; cp "$IT_DIR/cgi-bin.htaccess.orig" "$CGI/.htaccess"; }
diff -u "$top_srcdir/conf/htaccess/cgi-bin.htaccess" "$CGI/.htaccess" >/dev/null
ok $? "the programs' .htaccess is the shipped file unchanged"
is "$(diff "$top_srcdir/conf/htaccess/root.htaccess" "$D/.htaccess" | grep -c '^[<>]')" 2 \
    "the root .htaccess differs from the shipped one in one line only (the config path)"

# ---- routing: every endpoint path reaches its program (DEP-02, AS-04) -----------------
routed GET $AS well-known
ok $? "AS-01, DEP-02: $AS reaches well-known"
is "$HTTP_STATUS" 200 "AS-01: $AS 200"
like "$(http_header Content-Type)" '^application/json' "AS-01: application/json"
is "$(http_json .issuer)" "$B" "AS-06: issuer from the config file the .htaccess SetEnv names"
is "$(http_json .token_endpoint)" "$B/mcp/token" "AS-07: token_endpoint"
routed GET "$PRM/mcp" well-known
ok $? "PRM-02, DEP-02: $PRM/mcp reaches well-known"
is "$HTTP_STATUS/$(http_json .resource)" "200/$B/mcp" "PRM-02, PRM-05: path-suffixed PRM, resource = the MCP URL"
routed GET "$PRM" well-known
ok $? "PRM-03: $PRM reaches well-known"
is "$HTTP_STATUS/$(http_json .resource)" "200/$B/mcp" "PRM-03: root PRM"
is "$(http_json '.authorization_servers[0]')" "$B" "PRM-01: authorization_servers"
routed GET /mcp/health health
ok $? "/mcp/health reaches health"
is "$HTTP_STATUS/$(http_json .status)" "200/ok" "health 200 ok: the database through the config's conninfo, as www-data"
for pp in /mcp/register:register /register:register /mcp/authorize:authorize /authorize:authorize \
    /mcp/password:authorize /mcp/token:token /token:token /mcp/revoke:token /mcp:mcp; do
	routed GET "${pp%%:*}" "${pp#*:}"
	ok $? "AS-04: ${pp%%:*} reaches ${pp#*:} (GET → $HTTP_STATUS)"
done
if [ -x "$IT_CGIBIN_SRC/doctor" ]; then
	routed GET /mcp/doctor doctor
	ok $? "/mcp/doctor reaches doctor (GET → $HTTP_STATUS)"
else
	skip "/mcp/doctor: no doctor program built yet"
fi
http GET /mcpgate/mcpgate.css
is "$HTTP_STATUS" 200 "the pages' stylesheet at /mcpgate/mcpgate.css (the path the pages use)"
like "$(http_header Content-Type)" '^text/css' "  as text/css"

# ---- HEAD, CORS ------------------------------------------------------------------------
http HEAD $AS
is "$HTTP_STATUS" 200 "HEAD $AS 200"
like "$(http_header Content-Type)" '^application/json' "  same Content-Type as GET"
is "$(wc -c <"$HTTP_BODY" | tr -d ' ')" 0 "  no body"
routed HEAD /mcp/health health
ok $? "HEAD /mcp/health reaches health (status $HTTP_STATUS)"
http OPTIONS "$PRM/mcp" -H 'Origin: https://app.example' -H 'Access-Control-Request-Method: GET'
is "$HTTP_STATUS/$(http_header Access-Control-Allow-Origin)" '204/*' "DEP-03: CORS preflight through the rewrite"

# ---- anchored patterns: near misses are 404 and start no program -------------------------
mark
for p in /mcpx /mcp/ /mcp/mcp /MCP /mcp/healthx /mcp/health/ /mcp/registerx /registerx /register/ \
    /authorizex /mcp/authorize/x /mcp/passwordx /mcp/tokenx /tokenx /token/ /mcp/revokex /mcp/doctorx \
    "${AS}x" "$AS/" "$AS/t1" "$PRM/mcpx" "$PRM/" "$PRM/mcp/" "$PRM/other" /.well-known/openid-configuration \
    /x/mcp /mcpgate/mcp /oauth/mcp; do
	http GET "$p"
	is "$HTTP_STATUS" 404 "anchored rules: $p → 404 (notes: a prefix match serves /mcpx)"
done
n=$(since | grep -c 'debug: GET ')
is "$n" 0 "  and none of them reached a program"

# ---- the binaries are never served (notes §2.4: the guard) ------------------------------
for p in $PROGRAMS; do
	http GET "/mcpgate/cgi-bin/$p"
	is "$HTTP_STATUS" 403 "a direct request for the program file /mcpgate/cgi-bin/$p → 403"
	elf; ok "$((! $?))" "  and not its bytes"
done
for p in "/mcpgate/cgi-bin/mcp?x=1" /mcpgate/cgi-bin/mcp/extra /mcpgate/cgi-bin/.htaccess /mcpgate/cgi-bin/; do
	http GET "$p"
	is "$HTTP_STATUS" 403 "$p → 403"
	grep -q 'well-known' "$HTTP_BODY"
	ok "$((! $?))" "  no listing, no .htaccess text"
done

# ---- Authorization reaches the programs (DEP-01, notes: E= rule with [L]) -----------------
mcp_post
is "$HTTP_STATUS" 401 "RS-01: initialize without a token → 401"
unlike "$(http_header WWW-Authenticate)" 'error=' "RS-04: no error= when no credentials came (the baseline)"
mark
mcp_post -H 'Authorization: Bearer t42-bogus-bearer'
is "$HTTP_STATUS" 401 "RS-01: a bogus bearer → 401"
like "$(http_header WWW-Authenticate)" '^Bearer error="invalid_token"' \
    "DEP-01, RS-04: error=\"invalid_token\": the Authorization header reached mcp through the .htaccess rules"
logged 'POST /mcp authorization=Bearer'
ok $? "DEP-01: mcp logs authorization=Bearer"
is "$(envlog /mcp)" "/mcp|Bearer t42-bogus-bearer|Bearer t42-bogus-bearer" \
    "notes: with [L], both HTTP_AUTHORIZATION and REDIRECT_HTTP_AUTHORIZATION are set"

read -r BASIC BASIC_SECRET <<<"$(register '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"client_secret_basic"}')"
like "$BASIC_SECRET" '.' "DCR: a client_secret_basic client registered through /mcp/register"
c=$(it_code "$BASIC" "$CB" demo 'demo password 1')
like "$c" '^[A-Za-z0-9_-]{43}$' "sign-in and consent pages through /mcp/authorize give a code"
http POST /mcp/token -u "$BASIC:wrong" --data "grant_type=authorization_code&code=$c&code_verifier=$IT_VERIFIER"
is "$HTTP_STATUS/$(http_json .error)" "401/invalid_client" "TK-11: a wrong Basic secret → 401 invalid_client"
like "$(http_header WWW-Authenticate)" '^Basic ' "DEP-01, TK-11: WWW-Authenticate: Basic, so the Basic header arrived"
http POST /mcp/token -u "$BASIC:$BASIC_SECRET" --data "grant_type=authorization_code&code=$c&code_verifier=$IT_VERIFIER"
is "$HTTP_STATUS" 200 "DEP-01, TK-04: client_secret_basic token request → 200"
AT=$(http_json .access_token) RT=$(http_json .refresh_token)
mcp_post -H "Authorization: Bearer $AT"
is "$HTTP_STATUS/$(http_json .result.serverInfo.name)" "200/mcpgate" "DEP-01: the access token works on /mcp"
http POST /token -u "$BASIC:$BASIC_SECRET" --data "grant_type=refresh_token&refresh_token=$RT"
is "$HTTP_STATUS" 200 "AS-04: a Basic refresh at the origin alias /token → 200"
AT=$(http_json .access_token) RT=$(http_json .refresh_token)

# The pitfall itself: without the E= rules Apache hides the header.
strip_auth_rules "$D/.htaccess"; strip_auth_rules "$CGI/.htaccess"
mcp_post -H 'Authorization: Bearer t42-bogus-bearer'
is "$HTTP_STATUS" 401 "notes: without the E= rules, a bearer request → 401"
unlike "$(http_header WWW-Authenticate)" 'error=' "DEP-01: ... and no error=: the header was stripped (what the rules prevent)"
restore

# CGIPassAuth needs AuthConfig: why the shipped file leaves it commented out.
sed -i 's/^#   CGIPassAuth On$/CGIPassAuth On/' "$CGI/.htaccess"
grep -q '^CGIPassAuth On$' "$CGI/.htaccess"
ok $? "the shipped comment's CGIPassAuth line can be uncommented as documented"
mark
http GET /mcp/health
is "$HTTP_STATUS" 500 "notes: CGIPassAuth in .htaccess under AllowOverride FileInfo Options → 500"
logged 'CGIPassAuth not allowed here'
ok $? "  error log: CGIPassAuth not allowed here"
restore

# [END] instead of [L]: only REDIRECT_HTTP_AUTHORIZATION reaches the program.
sed -i 's/\[L\]$/[END]/' "$D/.htaccess"
is "$(grep -c '\[END\]$' "$D/.htaccess")" "$(grep -c '\[L\]$' "$IT_DIR/root.htaccess.orig")" "variant: every endpoint rule ends in [END]"
mcp_post -H 'Authorization: Bearer t42-end-bearer'
like "$(http_header WWW-Authenticate)" '^Bearer error="invalid_token"' \
    "DEP-01, notes: with [END] the bearer still arrives (error=\"invalid_token\")"
is "$(envlog /mcp)" "/mcp|-|Bearer t42-end-bearer" \
    "notes: with [END] only REDIRECT_HTTP_AUTHORIZATION is set (the programs fall back to it)"
http POST /mcp/token -u "$BASIC:$BASIC_SECRET" --data "grant_type=refresh_token&refresh_token=$RT"
is "$HTTP_STATUS" 200 "DEP-01, TK-04: with [END], a Basic refresh → 200"
http GET /mcpgate/cgi-bin/mcp
is "$HTTP_STATUS" 403 "with [END], a direct request for a program is still 403"
restore

# Merged into a CMS's .htaccess as the file says (our block first, the CMS's
# catch-all after it): the CMS keeps every other URL, mcpgate keeps its own.
printf 'cms front page\n' >"$D/index.php"
cat >>"$D/.htaccess" <<-'EOF'
	# a CMS's usual catch-all (WordPress)
	RewriteRule ^index\.php$ - [L]
	RewriteCond %{REQUEST_FILENAME} !-f
	RewriteCond %{REQUEST_FILENAME} !-d
	RewriteRule . /index.php [L]
	EOF
http GET /some/cms/page
is "$HTTP_STATUS/$(cat "$HTTP_BODY")" "200/cms front page" "merged with a CMS catch-all: the CMS still gets its URLs"
http GET /mcpx
is "$(cat "$HTTP_BODY")" "cms front page" "  (/mcpx included: it is not ours)"
routed GET $AS well-known
is "$HTTP_STATUS/$(http_json .issuer)" "200/$B" "  and $AS still reaches well-known"
mcp_post -H 'Authorization: Bearer t42-cms-bearer'
like "$(http_header WWW-Authenticate)" '^Bearer error="invalid_token"' "  and /mcp still gets the bearer (DEP-01)"
http GET /mcpgate/cgi-bin/mcp
is "$HTTP_STATUS" 403 "  and the program files are still refused"
restore; rm -f "$D/index.php"

# FastCGI under the host's mod_fcgid (preferred when both modules exist).
mark
for i in 1 2 3 4; do http GET $AS; done
npids=$(since | grep -oE 'mcpgate-well-known\[[0-9]+\]' | sort -u | wc -l)
ok "$([ "$npids" -ge 1 ] && [ "$npids" -le 2 ]; echo $?)" "mod_fcgid preferred: well-known runs as FastCGI (processes reused: $npids for 4 requests)"

# ======================================================================================
# 2. The host's certificate tool left public_html/.well-known/.htaccess (notes §2.4)
# ======================================================================================
STACK_HTACCESS_ACME=1 it_apache htaccess ht-acme
host
http GET $AS
is "$HTTP_STATUS" 404 "notes: .well-known/.htaccess with RewriteEngine On hides $AS from the root rules (404)"
http GET /.well-known/acme-challenge/stack-acme-test
is "$HTTP_STATUS" 200 "  (the certificate tool's own files are served)"
cat "$top_srcdir/conf/htaccess/well-known.htaccess" >>"$D/.well-known/.htaccess"
routed GET $AS well-known
ok $? "DEP-02: with conf/htaccess/well-known.htaccess appended, $AS reaches well-known"
is "$HTTP_STATUS/$(http_json .issuer)" "200/$B" "AS-01: 200 with the issuer"
routed GET "$PRM/mcp" well-known
is "$HTTP_STATUS/$(http_json .resource)" "200/$B/mcp" "PRM-02: $PRM/mcp 200"
routed GET "$PRM" well-known
is "$HTTP_STATUS/$(http_json .resource)" "200/$B/mcp" "PRM-03: $PRM 200"
for p in "${AS}x" "$AS/t1" "$PRM/mcpx" "$PRM/"; do
	http GET "$p"
	is "$HTTP_STATUS" 404 "anchored there too: $p → 404"
done
http GET /.well-known/acme-challenge/stack-acme-test
is "$HTTP_STATUS" 200 "the certificate tool's challenge files still served"
http GET /mcp/health
is "$HTTP_STATUS" 200 "the root rules still route /mcp/health"
mcp_post -H 'Authorization: Bearer t42-acme-bearer'
like "$(http_header WWW-Authenticate)" '^Bearer error="invalid_token"' "DEP-01: Authorization arrives on this host too"

# ======================================================================================
# 3. A host with mod_cgid only: the same files run the programs as plain CGI
# ======================================================================================
STACK_HTACCESS_CGI=cgid it_apache htaccess ht-cgid
host
routed GET $AS well-known
ok $? "mod_cgid: $AS reaches well-known"
is "$HTTP_STATUS/$(http_json .issuer)" "200/$B" "mod_cgid: AS-01 200 with the issuer"
routed GET "$PRM/mcp" well-known
is "$HTTP_STATUS/$(http_json .resource)" "200/$B/mcp" "mod_cgid: PRM-02"
routed GET /mcp/health health
is "$HTTP_STATUS" 200 "mod_cgid: health 200"
for p in /mcpx /mcp/healthx "$PRM/mcpx"; do
	http GET "$p"
	is "$HTTP_STATUS" 404 "mod_cgid: $p → 404"
done
mcp_post -H 'Authorization: Bearer t42-cgid-bearer'
like "$(http_header WWW-Authenticate)" '^Bearer error="invalid_token"' "mod_cgid: DEP-01: the bearer arrives"
is "$(envlog /mcp)" "/mcp|Bearer t42-cgid-bearer|Bearer t42-cgid-bearer" "mod_cgid: notes: both variables set"
http POST /mcp/token -u "$BASIC:wrong" --data "grant_type=refresh_token&refresh_token=x"
like "$HTTP_STATUS $(http_header WWW-Authenticate)" '^401 Basic ' "mod_cgid: TK-11: Basic arrives (401 with WWW-Authenticate: Basic)"
for p in mcp token; do
	http GET "/mcpgate/cgi-bin/$p"
	is "$HTTP_STATUS" 403 "mod_cgid: /mcpgate/cgi-bin/$p → 403"
	elf; ok "$((! $?))" "  and not its bytes"
done
mark
for i in 1 2 3; do http GET $AS; done
npids=$(since | grep -oE 'mcpgate-well-known\[[0-9]+\]' | sort -u | wc -l)
is "$npids" 3 "mod_cgid: plain CGI, a process per request"

# ======================================================================================
# 4. No CGI module at all: the guard refuses the programs (notes §2.4)
# ======================================================================================
STACK_HTACCESS_CGI=none it_apache htaccess ht-nocgi
host
for p in $AS "$PRM/mcp" /mcp/health /mcp /mcp/token /token /mcp/register /mcp/authorize; do
	http GET "$p"
	is "$HTTP_STATUS" 403 "no CGI module: $p → 403"
	elf; ok "$((! $?))" "  and not a program's bytes"
done
http POST /mcp --data x
is "$HTTP_STATUS" 403 "no CGI module: POST /mcp → 403"
for p in $PROGRAMS; do
	http GET "/mcpgate/cgi-bin/$p"
	is "$HTTP_STATUS" 403 "no CGI module: /mcpgate/cgi-bin/$p → 403"
	elf; ok "$((! $?))" "  and not its bytes"
done
http GET /mcpgate/mcpgate.css
is "$HTTP_STATUS" 200 "no CGI module: the rest of the site is served"
cp "$D/.htaccess" "$IT_DIR/nocgi-root.orig"
sed -i 's/\[L\]$/[END]/' "$D/.htaccess"
http GET /mcp/health
is "$HTTP_STATUS" 403 "no CGI module, root rules with [END] (no rewriting inside cgi-bin): still 403"
elf; ok "$((! $?))" "  and not the program's bytes (the guard is mod_alias, not mod_rewrite)"
cp "$IT_DIR/nocgi-root.orig" "$D/.htaccess"
sed -i '/RedirectMatch 403/d' "$CGI/.htaccess"
http GET /mcp/health
elf
ok $? "notes: without the guard line, Apache sends the program's bytes (what the guard prevents)"
cp "$top_srcdir/conf/htaccess/cgi-bin.htaccess" "$CGI/.htaccess"

# ======================================================================================
# 5. A host that allows AuthConfig (AllowOverride All): CGIPassAuth alone works
# ======================================================================================
STACK_HTACCESS_OVERRIDE=All it_apache htaccess ht-all
host
strip_auth_rules "$D/.htaccess"; strip_auth_rules "$CGI/.htaccess"
sed -i 's/^#   CGIPassAuth On$/CGIPassAuth On/' "$CGI/.htaccess"
mcp_post -H 'Authorization: Bearer t42-all-bearer'
like "$(http_header WWW-Authenticate)" '^Bearer error="invalid_token"' \
    "DEP-01: with AllowOverride All, the documented CGIPassAuth line alone passes the bearer"
http GET $AS
is "$HTTP_STATUS/$(http_json .issuer)" "200/$B" "  and the metadata still answers"

# ======================================================================================
# 6. A host that allows FileInfo only, with ExecCGI on already (notes §2.4)
# ======================================================================================
STACK_HTACCESS_OVERRIDE=FileInfo STACK_HTACCESS_OPTIONS='ExecCGI SymLinksIfOwnerMatch' it_apache htaccess ht-fileinfo
host
mark
http GET /mcp/health
is "$HTTP_STATUS" 500 "notes: FileInfo only: the programs' Options line is refused (500), as the file warns"
logged 'Options not allowed here'
ok $? "  error log: Options not allowed here"
sed -i '/^Options +ExecCGI -Indexes$/d' "$CGI/.htaccess"
routed GET /mcp/health health
is "$HTTP_STATUS" 200 "  with the Options line deleted as documented: health 200"
mcp_post -H 'Authorization: Bearer t42-fileinfo-bearer'
like "$(http_header WWW-Authenticate)" '^Bearer error="invalid_token"' "  DEP-01: the bearer arrives"
http GET /mcpgate/cgi-bin/mcp
is "$HTTP_STATUS" 403 "  and the program files are still refused"

done_testing
