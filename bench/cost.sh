#!/bin/bash
# bench/cost.sh -- what each mcpgate endpoint costs, in instructions and in
# memory, without a front end and without wrk, in one command:
#
#   bench/cost.sh           (about 5 minutes on 2 CPUs; not a test)
#
# What it does, all in bench/build-cost/ (its run/ is removed and made anew
# each run; the build is incremental):
#  1. builds mcpgate in release mode with symbols (a copy of the work tree
#     in bench/build-cost/tree/src, as bench/mcp.sh copies it: autoreconf
#     -fi; configure CFLAGS="-O2 -g" in tree/obj; make), and
#     bench/fcgi-drive.c. With COST_REV set it builds that revision from
#     git instead; if the work tree does not build (someone in the middle
#     of a change), it builds HEAD, and the report says so;
#  2. starts a private PostgreSQL (scripts/stack.sh, STACK_PG_FAST=1: the
#     counts are the programs' own, client side) with sql/install.sql,
#     COST_DOCS generated documents (bench/gen-docs.awk), a user, a public
#     client, an access token, and pools of fresh refresh tokens and
#     authorization codes (raw values known; stored as SHA-256 rows, as
#     the programs store them), so that every refresh and every code
#     exchange uses a token or code of its own;
#  3. for every endpoint, runs its program under valgrind --tool=callgrind
#     (a) as FastCGI: bench/fcgi-drive.c feeds it COST_N requests over a
#     new Unix-socket connection each, with the parameters lighttpd sends
#     (in its order), and callgrind dumps at every entry to FCGX_Accept_r,
#     so each dump is one request; the steady state is the median of
#     requests 6..COST_N;
#     (b) as CGI: one request with the CGI environment (start-up + request);
#     (c) as FastCGI again, 10 requests, with glibc's malloc tuned by
#     GLIBC_TUNABLES (COST_TUNABLES): what that would save without a change
#     of code;
#  4. runs each FastCGI program natively (no valgrind) under fcgi-drive for
#     COST_MEM_N requests of its endpoint and reads VmRSS and VmHWM from
#     /proc after 1, 10, 100, 1 000 and COST_MEM_N requests; if the
#     resident size grows, runs valgrind --leak-check on short runs of that
#     endpoint and reports where the lost blocks come from;
#  5. writes bench/results/cost-YYYY-MM-DD.md and prints it (COST_KEEP=1
#     keeps the profiles in bench/build-cost/run/cg for callgrind_annotate).
# Everything it started is stopped on exit, whatever happens.
#
# Environment:
#   COST_N        requests per endpoint under callgrind (25; at least 10)
#   COST_MEM_N    requests per endpoint for the memory table (10000)
#   COST_DOCS     generated documents (2000)
#   COST_QUERY    the search query ("database migration")
#   COST_ONLY     space-separated endpoint ids to run (default: all)
#   COST_TUNABLES GLIBC_TUNABLES of a second, shorter callgrind pass
#                 (glibc.malloc.tcache_count=64; empty: no such pass)
#   COST_LEAKCHECK=all  run the leak check for every endpoint, not only
#                 those whose resident size grew
#   COST_REV      build this git revision instead of the work tree
#   COST_KEEP=1   keep bench/build-cost/run (callgrind files, logs)
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$BENCH/lib.sh"
bench_dirs build-cost

N=${COST_N:-25}
MEM_N=${COST_MEM_N:-10000}
NDOCS=${COST_DOCS:-2000}
QUERY=${COST_QUERY:-database migration}
MEM_AT="1,10,100,1000,$MEM_N"
TUNABLES=${COST_TUNABLES-glibc.malloc.tcache_count=64}
PORT=8080                       # only in URLs: nothing listens
BASE=http://127.0.0.1:$PORT
MCP_URL=$BASE/mcp
REDIRECT=http://127.0.0.1/callback
# RFC 7636's example verifier; its S256 challenge is computed in SQL
VERIFIER=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk
FETCH_ID=doc-00042

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'cost: %s\n' "$*" >&2; exit 1; }

[ "$N" -ge 10 ] || die "COST_N must be at least 10"
[ "$MEM_N" -ge 1000 ] || die "COST_MEM_N must be at least 1000"

# ---- 0. tools ----------------------------------------------------------------

need=()
for c in cc autoreconf make pkg-config valgrind callgrind_annotate awk git tar; do
	command -v "$c" >/dev/null 2>&1 || need+=("$c")
done
[ ${#need[@]} -eq 0 ] || die "missing: ${need[*]} (scripts/run installs the build packages; apt-get install valgrind)"

# shellcheck source=../scripts/stack.sh
. "$TOP/scripts/stack.sh"
PGBIN=$(_stack_pg_bindir) || die "no PostgreSQL server programs"

cleanup() {
	local rc=$?
	trap '' INT TERM HUP
	[ -d "$RUN/pg" ] && stack_pg_stop "$RUN/pg"
	bench_finish "$rc" "${COST_KEEP:-0}"
}
bench_traps

T_START=$(date -u '+%Y-%m-%d %H:%M')
SECONDS=0

# ---- 1. build ------------------------------------------------------------------

mkdir -p "$BUILD" "$BIN"
chmod 755 "$BUILD"
build_tree() {   # DIR: the build with symbols in DIR/src -> DIR/obj, logs in DIR
	bench_build_tree "$1" "$1" "-O2 -g" well-known health register authorize token mcp
}
say "building mcpgate (release with symbols: CFLAGS=\"-O2 -g\") in $BUILD"
# The work tree as git sees it, as bench/mcp.sh copies it.
TREE=$BUILD/tree
bench_copy_tree "$TREE"
if [ -z "${COST_REV:-}" ] && build_tree "$TREE"; then
	MEASURED=$WORKTREE_MEASURED
else
	REV=${COST_REV:-HEAD}
	REVID=$(cd "$TOP" && git rev-parse --short "$REV") || die "no revision $REV"
	[ -n "${COST_REV:-}" ] || say "the work tree does not build ($TREE/make.log); building $REV ($REVID) instead"
	TREE=$BUILD/rev
	bench_rev_tree "$REVID" "$TREE"
	build_tree "$TREE" || die "building $REV failed too: $TREE/make.log"
	MEASURED="commit $REVID"
	[ -n "${COST_REV:-}" ] || MEASURED="commit $REVID ($REV; the work tree did not build at the time)"
fi
SRC=$TREE/src
OBJ=$TREE/obj
cc -O2 -Wall -Wextra -o "$BIN/fcgi-drive" "$BENCH/fcgi-drive.c" || die "building fcgi-drive failed"

# ---- 2. PostgreSQL and data ------------------------------------------------------

rm -rf "$RUN"
mkdir -p "$RUN/req" "$RUN/cg" "$RUN/mem" "$RUN/leak" "$RUN/htdocs"
chmod 755 "$RUN"
say "starting PostgreSQL (STACK_PG_FAST=1) in $RUN/pg"
export STACK_PG_FAST=1
bench_pg_start mcpgate_cost
stack_write_config "$RUN/mcpgate.conf" "$BASE" "$CONNINFO" register_limit=100000 ||
	die "writing the configuration failed"


# Pools: request k of an endpoint that consumes what it is given (a
# refresh token, a code) uses entry k: 1..N under callgrind, N+1 for the
# CGI run, then NT for the run with TUNABLES, MEM_N for the memory run,
# LEAK_A + LEAK_B for the leak check.
LEAK_A=20
LEAK_B=120
NT=10
NPOOL=$((N + 1 + NT + MEM_N + LEAK_A + LEAK_B))
TOKEN=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
SEED=$RANDOM$RANDOM
say "loading $NDOCS documents, a client, a user, an access token, $NPOOL refresh tokens and $NPOOL codes"
awk -v docs="$NDOCS" -v seed=42 -f "$BENCH/gen-docs.awk" "$BENCH/words.txt" >"$RUN/docs.tsv"
psql -c "\\copy mcpgate.documents (doc_id, title, body, metadata, language) FROM '$RUN/docs.tsv'"
psql -v token="$TOKEN" -v resource="$MCP_URL" -v npool="$NPOOL" -v seed="$SEED" \
    -v redirect="$REDIRECT" -v verifier="$VERIFIER" <<'EOF'
BEGIN;
INSERT INTO mcpgate.clients (client_id, token_endpoint_auth_method, redirect_uris, client_name, registration)
VALUES ('bench-client', 'none', ARRAY[:'redirect'], 'bench', 'admin');
INSERT INTO mcpgate.users (username) VALUES ('bench');
-- the access token of the MCP requests, in a grant of its own
WITH f AS (
  INSERT INTO mcpgate.token_families (client_id, user_id, scope, resource)
  SELECT 'bench-client', user_id, 'mcp:read', :'resource' FROM mcpgate.users WHERE username = 'bench'
  RETURNING *)
INSERT INTO mcpgate.tokens (token_hash, kind, family_id, client_id, user_id, scope, resource, expires_at)
SELECT sha256(convert_to(:'token', 'UTF8')), 'access', family_id, client_id, user_id, scope, resource,
       now() + interval '1 day' FROM f;
-- raw values: base64url of 32 bytes, 43 characters, as secret_random makes them
CREATE SCHEMA cost;
CREATE TABLE cost.pool_refresh AS
  SELECT g AS n, translate(rtrim(encode(sha256(convert_to('refresh-' || :'seed' || '-' || g, 'UTF8')), 'base64'), '='), '+/', '-_') AS raw
    FROM generate_series(1, :npool) g;
CREATE TABLE cost.pool_code AS
  SELECT g AS n, translate(rtrim(encode(sha256(convert_to('code-' || :'seed' || '-' || g, 'UTF8')), 'base64'), '='), '+/', '-_') AS raw
    FROM generate_series(1, :npool) g;
-- a refresh token per grant, as code_redeem leaves them
WITH f AS (
  INSERT INTO mcpgate.token_families (client_id, user_id, scope, resource)
  SELECT 'bench-client', u.user_id, 'mcp:read', :'resource'
    FROM mcpgate.users u, generate_series(1, :npool) WHERE u.username = 'bench'
  RETURNING *),
n AS (SELECT row_number() OVER () AS n, * FROM f)
INSERT INTO mcpgate.tokens (token_hash, kind, family_id, client_id, user_id, scope, resource, expires_at)
SELECT sha256(convert_to(p.raw, 'UTF8')), 'refresh', n.family_id, n.client_id, n.user_id, n.scope, n.resource,
       now() + interval '30 days'
  FROM n JOIN cost.pool_refresh p ON p.n = n.n;
-- codes with a PKCE challenge (S256 of the verifier), unexpired for a day
INSERT INTO mcpgate.authorization_codes (code_hash, client_id, user_id, redirect_uri, code_challenge, scope, resource, expires_at)
SELECT sha256(convert_to(p.raw, 'UTF8')), 'bench-client', u.user_id, :'redirect',
       translate(rtrim(encode(sha256(convert_to(:'verifier', 'UTF8')), 'base64'), '='), '+/', '-_'),
       'mcp:read', :'resource', now() + interval '1 day'
  FROM cost.pool_code p, mcpgate.users u WHERE u.username = 'bench';
COMMIT;
VACUUM ANALYZE;
EOF
REQ=$RUN/req
psql -c "\\copy (SELECT raw FROM cost.pool_refresh ORDER BY n) TO '$REQ/refresh.pool'"
psql -c "\\copy (SELECT raw FROM cost.pool_code ORDER BY n) TO '$REQ/code.pool'"
CHALLENGE=$(psql -A -t -v v="$VERIFIER" <<<"SELECT translate(rtrim(encode(sha256(convert_to(:'v', 'UTF8')), 'base64'), '='), '+/', '-_')")
NDOC_ROWS=$(psql -A -t -c 'SELECT count(*) FROM mcpgate.documents')
NMATCH=$(psql -A -t -v q="$QUERY" <<<"SELECT count(*) FROM mcpgate.documents WHERE tsv @@ websearch_to_tsquery('english', :'q')")
[ "$(wc -l <"$REQ/refresh.pool")" -eq "$NPOOL" ] || die "the refresh token pool is short"

# ---- 3. the requests -------------------------------------------------------------

# The parameters every request carries, as lighttpd 1.4.69 sends them
# (mod_fastcgi behind conf/lighttpd/mcpgate.conf's rewrite, with
# MCPGATE_CONFIG from setenv; checked against a real lighttpd with a
# program that prints its parameters), for a client that sends Host,
# User-Agent and Accept-Encoding; libfcgi adds FCGI_ROLE.
# In lighttpd's order: libfcgi looks names up by a linear search, so the
# order is part of the cost. A request's own values replace these in
# place (fcgi-drive); its headers follow, then MCPGATE_CONFIG (setenv).
cat >"$REQ/common.env" <<EOF
CONTENT_LENGTH=0
QUERY_STRING=
REQUEST_URI=/
REDIRECT_URI=/
REDIRECT_STATUS=200
SCRIPT_NAME=/
SCRIPT_FILENAME=$RUN/htdocs/
DOCUMENT_ROOT=$RUN/htdocs
REQUEST_METHOD=GET
SERVER_PROTOCOL=HTTP/1.1
SERVER_SOFTWARE=lighttpd/1.4.69
GATEWAY_INTERFACE=CGI/1.1
REQUEST_SCHEME=http
SERVER_PORT=$PORT
SERVER_ADDR=127.0.0.1
SERVER_NAME=127.0.0.1
REMOTE_ADDR=127.0.0.1
REMOTE_PORT=40000
HTTP_HOST=127.0.0.1:$PORT
HTTP_USER_AGENT=bench-cost/1
HTTP_ACCEPT_ENCODING=gzip, deflate
EOF

# bench/mcp.sh's parameters, in its order (the request's own values
# replace these in place; HTTP_AUTHORIZATION and CONTENT_LENGTH follow)
cat >"$REQ/min.env" <<EOF
REQUEST_METHOD=POST
CONTENT_TYPE=application/json
REQUEST_URI=/mcp
SCRIPT_NAME=/mcp
SERVER_NAME=127.0.0.1
SERVER_PORT=$PORT
REMOTE_ADDR=127.0.0.1
GATEWAY_INTERFACE=CGI/1.1
SERVER_PROTOCOL=HTTP/1.1
HTTP_ACCEPT=application/json, text/event-stream
HTTP_MCP_PROTOCOL_VERSION=2025-06-18
MCPGATE_CONFIG=$RUN/mcpgate.conf
EOF

urlenc() { printf '%s' "$1" | sed 's/%/%25/g; s/:/%3A/g; s#/#%2F#g; s/ /%20/g; s/?/%3F/g; s/&/%26/g; s/=/%3D/g'; }
T=$'\t'
CGIBIN=$OBJ/cgi-bin
declare -A E_PROG E_STATUS E_TEXT E_POOL E_LABEL E_TMPL E_ENV
IDS=()
# [EP_ENV=min] ep ID PROGRAM STATUS TEXT POOL LABEL METHOD URI [FIELD...]
# FIELD: NAME=VALUE (a parameter) or <BODY; @POOL@ in a field is the
# request's own entry of POOL (refresh, code; - for none). The request
# also has the parameters of $REQ/common.env and lighttpd's script
# variables; with EP_ENV=min only those of $REQ/min.env (bench/mcp.sh's).
ep() {
	local id=$1 prog=$2 st=$3 text=$4 pool=$5 label=$6 method=$7 uri=$8 f line q='' n
	shift 8
	if [ -n "${COST_ONLY:-}" ] && ! [[ " $COST_ONLY " == *" $id "* ]]; then return 0; fi
	case $uri in *\?*) q=${uri#*\?} ;; esac
	line="REQUEST_METHOD=$method${T}REQUEST_URI=$uri"
	if [ "${EP_ENV:-lighttpd}" = lighttpd ]; then
		line+="${T}QUERY_STRING=$q${T}REDIRECT_URI=/_mcpgate/$prog${q:+?$q}${T}SCRIPT_NAME=/_mcpgate/$prog"
		line+="${T}SCRIPT_FILENAME=$RUN/htdocs/_mcpgate/$prog"
	fi
	for f in "$@"; do
		case $f in *\\* | *"$T"* | *$'\n'*) die "endpoint $id: a field with a backslash, TAB or newline" ;; esac
		line+=$T$f
		# lighttpd passes the Content-Length header on as well
		if [ "${EP_ENV:-lighttpd}" = lighttpd ] && [[ $f == '<'* ]]; then
			n=$((${#f} - 1))
			[[ $f == *@POOL@* ]] && n=$((n - 6 + 43))
			line+="${T}HTTP_CONTENT_LENGTH=$n"
		fi
	done
	if [ "${EP_ENV:-lighttpd}" = lighttpd ]; then line+="${T}MCPGATE_CONFIG=$RUN/mcpgate.conf"; fi
	IDS+=("$id")
	E_PROG[$id]=$prog; E_STATUS[$id]=$st; E_TEXT[$id]=$text; E_POOL[$id]=$pool
	E_LABEL[$id]=$label; E_TMPL[$id]=$line; E_ENV[$id]=${EP_ENV:-lighttpd}
}
J=CONTENT_TYPE=application/json
F=CONTENT_TYPE=application/x-www-form-urlencoded
A="HTTP_AUTHORIZATION=Bearer $TOKEN"
ACC="HTTP_ACCEPT=application/json, text/event-stream"
V25=HTTP_MCP_PROTOCOL_VERSION=2025-06-18
ep meta_as well-known 200 authorization_endpoint - "GET AS metadata (/.well-known/oauth-authorization-server)" \
	GET /.well-known/oauth-authorization-server "HTTP_ACCEPT=application/json"
ep meta_prm well-known 200 authorization_servers - "GET protected-resource metadata (PRM)" \
	GET /.well-known/oauth-protected-resource/mcp "HTTP_ACCEPT=application/json"
ep health health 200 '"ok"' - "GET /mcp/health (schema version query)" \
	GET /mcp/health "HTTP_ACCEPT=application/json"
ep mcp_init mcp 200 protocolVersion - "POST /mcp initialize" POST /mcp "$J" "$ACC" "$A" \
	'<{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1.0.0"}}}'
ep mcp_list mcp 200 '"fetch"' - "POST /mcp tools/list" POST /mcp "$J" "$ACC" "$A" "$V25" \
	'<{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}'
EP_ENV=min ep mcp_list_min mcp 200 '"fetch"' - "POST /mcp tools/list with bench/mcp.sh's 14 parameters" POST /mcp "$J" "$ACC" "$A" "$V25" \
	'<{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}'
ep mcp_search mcp 200 '"doc-' - "POST /mcp tools/call search \"$QUERY\"" POST /mcp "$J" "$ACC" "$A" "$V25" \
	"<{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{\"query\":\"$QUERY\"}}}"
ep mcp_fetch mcp 200 "$FETCH_ID" - "POST /mcp tools/call fetch $FETCH_ID" POST /mcp "$J" "$ACC" "$A" "$V25" \
	"<{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"fetch\",\"arguments\":{\"id\":\"$FETCH_ID\"}}}"
ep mcp_401 mcp 401 'authorization required' - "POST /mcp without a token (401)" POST /mcp "$J" "$ACC" "$V25" \
	'<{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}'
ep token_refresh token 200 access_token refresh "POST /mcp/token refresh_token grant (rotation)" POST /mcp/token "$F" \
	"HTTP_ACCEPT=application/json" \
	"<grant_type=refresh_token&refresh_token=@POOL@&client_id=bench-client&resource=$(urlenc "$MCP_URL")"
ep token_code token 200 access_token code "POST /mcp/token authorization_code exchange (PKCE)" POST /mcp/token "$F" \
	"HTTP_ACCEPT=application/json" \
	"<grant_type=authorization_code&code=@POOL@&code_verifier=$VERIFIER&client_id=bench-client&redirect_uri=$(urlenc "$REDIRECT")&resource=$(urlenc "$MCP_URL")"
ep register register 201 client_id - "POST /mcp/register (public client)" POST /mcp/register "$J" \
	"HTTP_ACCEPT=application/json" \
	"<{\"redirect_uris\":[\"$REDIRECT\"],\"token_endpoint_auth_method\":\"none\",\"grant_types\":[\"authorization_code\",\"refresh_token\"],\"response_types\":[\"code\"],\"client_name\":\"bench client\"}"
ep authorize authorize 200 'name="password"' - "GET /mcp/authorize (the sign-in page, new pre-login session)" \
	GET "/mcp/authorize?response_type=code&client_id=bench-client&redirect_uri=$(urlenc "$REDIRECT")&scope=mcp%3Aread&state=xyz123&code_challenge=$CHALLENGE&code_challenge_method=S256&resource=$(urlenc "$MCP_URL")" \
	"HTTP_ACCEPT=text/html,application/xhtml+xml"
[ ${#IDS[@]} -gt 0 ] || die "COST_ONLY selects no endpoint"

# mkreq ID FROM COUNT OUT: the request lines FROM..FROM+COUNT-1 (one line,
# which fcgi-drive repeats, for an endpoint without a pool)
mkreq() {
	local id=$1 from=$2 count=$3 out=$4 pool=${E_POOL[$1]}
	if [ "$pool" = - ]; then
		printf '%s\n' "${E_TMPL[$id]}" >"$out"
		return
	fi
	awk -v t="${E_TMPL[$id]}" -v from="$from" -v cnt="$count" \
		'NR >= from && NR < from + cnt { s = t; gsub(/@POOL@/, $0, s); print s }' "$REQ/$pool.pool" >"$out"
	[ "$(wc -l <"$out")" -eq "$count" ] || die "the $pool pool is short for $id"
}

envfile() { if [ "${E_ENV[$1]}" = min ]; then echo "$REQ/min.env"; else echo "$REQ/common.env"; fi; }

# ---- 4. callgrind: FastCGI steady state and CGI ------------------------------------

CG=$RUN/cg
say "callgrind: $N FastCGI requests and one CGI request per endpoint (${#IDS[@]} endpoints)"
declare -A C_MED C_MIN C_MAX C_FIRST C_CGI C_FILE C_BYTES
for id in "${IDS[@]}"; do
	prog=$CGIBIN/${E_PROG[$id]}
	# (a) FastCGI
	mkreq "$id" 1 "$N" "$REQ/$id.cg.req"
	rm -f "$CG/$id.out"*
	FCGI_DRIVE_EXPECT=${E_STATUS[$id]} "$BIN/fcgi-drive" -r "$REQ/$id.cg.req" "$CG/$id.sock" "$N" "$(envfile "$id")" - -- \
		valgrind --tool=callgrind --dump-before=FCGX_Accept_r --callgrind-out-file="$CG/$id.out" "$prog" \
		>/dev/null 2>"$CG/$id.log" || { tail -n 30 "$CG/$id.log" >&2; die "FastCGI run $id failed"; }
	grep -qF -- "${E_TEXT[$id]}" "$CG/$id.log" ||
		{ tail -n 30 "$CG/$id.log" >&2; die "FastCGI run $id: the answer lacks '${E_TEXT[$id]}'"; }
	[ -f "$CG/$id.out.$((N + 1))" ] || die "FastCGI run $id: no dump $((N + 1)) (callgrind files in $CG)"
	C_FIRST[$id]=$(cg_total "$CG/$id.out.2")
	# requests 6..N are dumps 7..N+1
	read -r C_MED[$id] C_MIN[$id] C_MAX[$id] C_FILE[$id] < <(
		for f in $(seq 7 $((N + 1))); do printf '%s %s\n' "$(cg_total "$CG/$id.out.$f")" "$CG/$id.out.$f"; done |
			sort -n | awk '{ v[NR] = $1; f[NR] = $2 } END { m = int((NR + 1) / 2); print v[m], v[1], v[NR], f[m] }')
	# (b) CGI: the first line past the FastCGI requests, as an environment
	mkreq "$id" $((N + 1)) 1 "$REQ/$id.cgi.req"
	envs=()
	while IFS= read -r l; do envs+=("$l"); done <"$(envfile "$id")"
	body=
	hasbody=0
	IFS=$'\t' read -r -a fields <"$REQ/$id.cgi.req"
	for f in "${fields[@]}"; do
		case $f in
		'<'*) body=${f#<}; hasbody=1 ;;
		*) envs+=("$f") ;;
		esac
	done
	printf '%s' "$body" >"$CG/$id.cgi.body"
	[ "$hasbody" = 1 ] && envs+=("CONTENT_LENGTH=$(wc -c <"$CG/$id.cgi.body")")
	env -i PATH=/usr/bin:/bin "${envs[@]}" \
		valgrind --tool=callgrind --callgrind-out-file="$CG/$id.cgi.out" "$prog" \
		<"$CG/$id.cgi.body" >"$CG/$id.cgi.answer" 2>"$CG/$id.cgi.log" || true
	if [[ "$(sed -n 1p "$CG/$id.cgi.answer")" != "Status: ${E_STATUS[$id]} "* ]] ||
	    ! grep -qF -- "${E_TEXT[$id]}" "$CG/$id.cgi.answer"; then
		head -c 600 "$CG/$id.cgi.answer" >&2; tail -n 20 "$CG/$id.cgi.log" >&2
		die "CGI run $id failed"
	fi
	C_CGI[$id]=$(cg_total "$CG/$id.cgi.out")
	C_BYTES[$id]=$(awk 'BEGIN { RS = "\r\n\r\n" } NR == 1 { next } { n += length($0) } END { print n + 0 }' "$CG/$id.cgi.answer")
	printf '   %-14s FastCGI %9d Ir/request (%d-%d), first request %d, CGI %d\n' "$id" \
		"${C_MED[$id]}" "${C_MIN[$id]}" "${C_MAX[$id]}" "${C_FIRST[$id]}" "${C_CGI[$id]}" >&2
done

# (c) the same FastCGI requests with glibc's malloc tuned, no code changed
declare -A C_TUN
if [ -n "$TUNABLES" ]; then
	say "callgrind: $NT FastCGI requests per endpoint with GLIBC_TUNABLES=$TUNABLES"
	for id in "${IDS[@]}"; do
		mkreq "$id" $((N + 2)) "$NT" "$REQ/$id.tun.req"
		rm -f "$CG/$id.tun.out"*
		GLIBC_TUNABLES=$TUNABLES FCGI_DRIVE_EXPECT=${E_STATUS[$id]} "$BIN/fcgi-drive" -r "$REQ/$id.tun.req" \
			"$CG/$id.sock" "$NT" "$(envfile "$id")" - -- \
			valgrind --tool=callgrind --dump-before=FCGX_Accept_r --callgrind-out-file="$CG/$id.tun.out" \
			"$CGIBIN/${E_PROG[$id]}" >/dev/null 2>"$CG/$id.tun.log" ||
			{ tail -n 30 "$CG/$id.tun.log" >&2; die "FastCGI run $id with $TUNABLES failed"; }
		C_TUN[$id]=$(for f in $(seq 7 $((NT + 1))); do cg_total "$CG/$id.tun.out.$f"; done | sort -n |
			awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
		printf '   %-14s %9d Ir/request (%+.1f %%)\n' "$id" "${C_TUN[$id]}" \
			"$(awk -v a="${C_TUN[$id]}" -v b="${C_MED[$id]}" 'BEGIN { print 100 * (a - b) / b }')" >&2
	done
fi
T_CG=$SECONDS

# ---- 5. memory: the programs natively, MEM_N requests each ----------------------------

say "memory: $MEM_N requests per endpoint, natively (VmRSS/VmHWM after $MEM_AT)"
MEM=$RUN/mem
declare -A M_SECS M_GROW
for id in "${IDS[@]}"; do
	mkreq "$id" $((N + 2 + NT)) "$MEM_N" "$REQ/$id.mem.req"
	t0=$(date +%s.%N)
	FCGI_DRIVE_SMAPS=$MEM/$id.smaps FCGI_DRIVE_EXPECT=${E_STATUS[$id]} "$BIN/fcgi-drive" -r "$REQ/$id.mem.req" -m "$MEM_AT" \
		"$MEM/$id.sock" "$MEM_N" "$(envfile "$id")" - -- "$CGIBIN/${E_PROG[$id]}" \
		>"$MEM/$id.tsv" 2>"$MEM/$id.log" || { tail -n 20 "$MEM/$id.log" >&2; die "memory run $id failed"; }
	M_SECS[$id]=$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
	# grows: RssAnon (the heap and other private memory) at MEM_N above
	# its value at 100 requests by more than 64 kB
	M_GROW[$id]=$(awk -v last="$MEM_N" '$1 == 100 { a = $4 } $1 == last { b = $4 } END { d = b - a; print (d > 64 ? d : 0) }' "$MEM/$id.tsv")
	awk -v id="$id" -v s="${M_SECS[$id]}" '{ r[$1] = $2; h = $3; an[$1] = $4 }
		END { printf "   %-14s VmRSS kB:", id; for (k in r) n++; 
		      printf " %s", r[1]; printf " / %s", r[100]; printf " / %s", r[1000]; printf " / %s", r['"$MEM_N"'];
		      printf "  VmHWM %s  (%s s)\n", h, s }' "$MEM/$id.tsv" >&2
done
# The references, run the same way with tools/list's request: the least a
# FastCGI program is resident with (bench/ceiling-pg.c -DCEILING_BARE:
# libfcgi and libsodium, no database), and the same program with Debian's
# libpq and one lookup per request (what libpq's libraries add to any
# program that uses PostgreSQL).
REF_IDS=()
if [[ " ${IDS[*]} " == *" mcp_list "* ]]; then
	PQINC=$(pkg-config --cflags libpq 2>/dev/null || echo "-I$(pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)")
	cc -O2 -Wall -Wextra -DCEILING_BARE -o "$BIN/ceiling-bare" "$BENCH/ceiling-pg.c" -lfcgi -lsodium ||
		die "building ceiling-bare failed"
	# shellcheck disable=SC2086 # flags
	cc -O2 -Wall -Wextra $PQINC -o "$BIN/ceiling-pg" "$BENCH/ceiling-pg.c" -lfcgi -lpq -lsodium ||
		die "building ceiling-pg failed"
	E_PROG[ref_bare]="bench/ceiling-pg.c -DCEILING_BARE (libfcgi, libsodium)"
	E_PROG[ref_pg]="bench/ceiling-pg.c (libfcgi, libsodium, libpq: one lookup)"
	for id in ref_bare ref_pg; do
		bin=$BIN/ceiling-bare
		[ "$id" = ref_pg ] && bin=$BIN/ceiling-pg
		t0=$(date +%s.%N)
		CEILING_PG=$CONNINFO FCGI_DRIVE_SMAPS=$MEM/$id.smaps FCGI_DRIVE_EXPECT=200 "$BIN/fcgi-drive" \
			-r "$REQ/mcp_list.mem.req" -m "$MEM_AT" "$MEM/$id.sock" "$MEM_N" "$(envfile mcp_list)" - -- "$bin" \
			>"$MEM/$id.tsv" 2>"$MEM/$id.log" || { tail -n 20 "$MEM/$id.log" >&2; die "memory run $id failed"; }
		M_SECS[$id]=$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
		M_GROW[$id]=$(awk -v last="$MEM_N" '$1 == 100 { a = $4 } $1 == last { b = $4 } END { d = b - a; print (d > 64 ? d : 0) }' "$MEM/$id.tsv")
		REF_IDS+=("$id")
	done
fi
T_MEM=$((SECONDS - T_CG))

# Leak check: memcheck on LEAK_A and on LEAK_B requests; what is lost per
# request is the difference. For every endpoint whose RssAnon grew, or
# all with COST_LEAKCHECK=all.
LEAK=$RUN/leak
declare -A L_DEF L_IND L_PER L_WHERE
leak_ids=()
for id in "${IDS[@]}"; do
	if [ "${COST_LEAKCHECK:-}" = all ] || [ "${M_GROW[$id]}" -gt 0 ]; then leak_ids+=("$id"); fi
done
if [ ${#leak_ids[@]} -gt 0 ]; then
	say "leak check (memcheck, $LEAK_A and $LEAK_B requests): ${leak_ids[*]}"
	for id in "${leak_ids[@]}"; do
		from=$((N + 2 + NT + MEM_N))
		for n in "$LEAK_A" "$LEAK_B"; do
			mkreq "$id" "$from" "$n" "$REQ/$id.leak$n.req"
			from=$((from + n))
			FCGI_DRIVE_WAIT=60 FCGI_DRIVE_EXPECT=${E_STATUS[$id]} "$BIN/fcgi-drive" -r "$REQ/$id.leak$n.req" \
				"$LEAK/$id.sock" "$n" "$(envfile "$id")" - -- \
				valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
				--num-callers=16 --fullpath-after= --log-file="$LEAK/$id.$n.vg" "$CGIBIN/${E_PROG[$id]}" \
				>/dev/null 2>"$LEAK/$id.$n.log" || { tail -n 20 "$LEAK/$id.$n.log" >&2; die "leak run $id failed"; }
		done
		lost() { awk -v k="$2" '!done && $0 ~ k " lost:" { v = $0; sub(/^.*lost: /, "", v); sub(/ bytes.*/, "", v); gsub(/,/, "", v); done = 1 } END { print v + 0 }' "$1"; }
		da=$(lost "$LEAK/$id.$LEAK_A.vg" definitely); db=$(lost "$LEAK/$id.$LEAK_B.vg" definitely)
		ia=$(lost "$LEAK/$id.$LEAK_A.vg" indirectly); ib=$(lost "$LEAK/$id.$LEAK_B.vg" indirectly)
		L_DEF[$id]=$db; L_IND[$id]=$ib
		L_PER[$id]=$(awk -v a="$((da + ia))" -v b="$((db + ib))" -v n=$((LEAK_B - LEAK_A)) 'BEGIN { printf "%.1f", (b - a) / n }')
		# the first frame in mcpgate's sources of each definite loss record
		L_WHERE[$id]=$(awk '/are definitely lost in loss record/ { rec = 1; next }
			/^==[0-9]+== *$/ { rec = 0; next }
			rec && /\/src\/[^ ]*:[0-9]+\)$/ && !/xmalloc\.c:|json_malloc/ {
				s = $0; sub(/^.*\(/, "", s); sub(/\)$/, "", s); sub(/^.*\/src\//, "src/", s)
				f = $0; sub(/^.*: /, "", f); sub(/ \(.*$/, "", f)
				s = f " (" s ")"
				if (!(s in seen)) { seen[s] = 1; out = out (out ? ", " : "") s }
				rec = 0 }
			END { print out }' "$LEAK/$id.$LEAK_B.vg")
		printf '   %-14s definitely lost %s B, indirectly %s B after %d requests: %s B/request; %s\n' "$id" \
			"$db" "$ib" "$LEAK_B" "${L_PER[$id]}" "${L_WHERE[$id]:-no loss record in mcpgate code}" >&2
	done
fi

# ---- 6. analysis of the profiles -----------------------------------------------------

say "reading the profiles"
# The functions of one profile with their cost: "Ir<TAB>function<TAB>object",
# self (INCLUSIVE=no) or inclusive (yes). The outer frames a mid-run dump
# shows at 100 % are left out. The parts of a function that come from
# another source file (inlined from a header) have no object: "-".
cg_funcs() {   # INCLUSIVE FILE
	callgrind_annotate --inclusive="$1" --threshold=100 --auto=no "$2" 2>/dev/null |
		awk '/^-+$/ { sep++; next }
		sep >= 5 && $1 ~ /^[0-9,]+$/ && $0 !~ /\(100\.0%\)/ {
			c = $1; gsub(/,/, "", c)
			obj = "-"
			if ($0 ~ /\]$/) { obj = $0; sub(/^.*\[/, "", obj); sub(/\]$/, "", obj); sub(/^.*\//, "", obj) }
			fn = $0; sub(/ \[[^]]*\]$/, "", fn); sub(/^.*%\) +/, "", fn); sub(/^.*:/, "", fn)
			if (fn == "main" || fn ~ /below main/) next
			printf "%s\t%s\t%s\n", c, fn, obj }'
}
# Calls per callee, and each callee's most frequent caller:
# "callee<TAB>calls<TAB>top caller", from the raw profile.
cg_calls() {   # FILE
	awk '
	function nm(s,    id, rest) {
		if (match(s, /^\([0-9]+\)/)) {
			id = substr(s, 2, RLENGTH - 2); rest = substr(s, RLENGTH + 1); sub(/^ /, "", rest)
			if (rest != "") name[id] = rest
			return name[id]
		}
		return s
	}
	/^fn=/ { cur = nm(substr($0, 4)); next }
	/^cfn=/ { callee = nm(substr($0, 5)); next }
	/^calls=/ { split(substr($0, 7), a, " "); calls[callee] += a[1]; by[callee, cur] += a[1]; next }
	END {
		for (k in by) { split(k, p, SUBSEP); if (by[k] > best[p[1]]) { best[p[1]] = by[k]; top[p[1]] = p[2] } }
		for (c in calls) printf "%s\t%d\t%s\n", c, calls[c], top[c]
	}' "$1"
}
# A readable name for a function without a symbol (0x…, a static
# function of a stripped library): its nearest named caller.
label_fn() {   # NAME CALLSFILE
	local fn=$1 c=$1 _
	case $fn in 0x*) ;; *) printf '%s' "$fn"; return ;; esac
	for _ in 1 2 3 4 5 6; do
		c=$(awk -F'\t' -v f="$c" '$1 == f { print $3; exit }' "$2")
		[ -n "$c" ] || break
		case $c in 0x*) continue ;; esac
		printf '%s (static, under %s)' "$(sed -E 's/^0x0*/0x/' <<<"$fn")" "$c"
		return
	done
	sed -E 's/^0x0*/0x/' <<<"$fn"
}
# Where the self cost goes, by kind: prints "kind<TAB>Ir" lines.
cg_kinds() {   # SELF-FUNCS-FILE PROGRAM
	awk -F'\t' -v prog="$2" '
	NR == FNR { if ($3 != "-") of[$2] = $3; next }
	{
		fn = $2; obj = $3; k = "other"
		if (obj == "-") obj = of[fn]
		sub(/'"'"'[0-9]+$/, "", fn)
		if (obj == prog) k = "mcpgate code"
		else if (obj ~ /^libc\.so/) {
			if (fn ~ /malloc|free|calloc|realloc|consolidate|unlink_chunk|tcache|sysmalloc|arena|^alloc_perturb|^checked_request2size/) k = "libc malloc/free"
			else if (fn ~ /printf|^_IO_|_itoa|__mpn_|hack_digit|__printf_fp|specmb|^read_int|group_number|^outstring|^__strchrnul|^strchrnul|^__vasprintf|^vasprintf|printf_buffer|^__translated_number_width/) k = "libc printf family"
			else if (fn ~ /^__(mem|str|stp|raw|wmem|wcs)|^(mem|str|stp)/) k = "libc string/memory"
			else k = "libc other"
		}
		else if (obj ~ /^libcjson/) k = "cJSON"
		else if (obj ~ /^libpq/) k = "libpq"
		else if (obj ~ /^libfcgi/) k = "libfcgi"
		else if (obj ~ /^libsodium/) k = "libsodium"
		else if (obj ~ /^ld-linux/) k = "ld.so"
		t[k] += $1; tot += $1
	}
	END { for (k in t) printf "%s\t%d\n", k, t[k] }' "$1" "$1"
}
KINDS=("mcpgate code" "libc malloc/free" "libc printf family" "libc string/memory" "libc other" "cJSON" "libpq" "libfcgi" "libsodium" "ld.so" "other")
# calls counted per request (the median dump)
CALLS=(malloc calloc realloc free __vfprintf_internal FCGX_GetParam conf_current PQexecPrepared json_parse cJSON_PrintUnformatted cJSON_Delete resp_header)
declare -A K_SHARE P_CALLS P_DOM
for id in "${IDS[@]}"; do
	f=${C_FILE[$id]}
	cg_funcs no "$f" >"$CG/$id.self.tsv"
	cg_funcs yes "$f" >"$CG/$id.incl.tsv"
	cg_calls "$f" >"$CG/$id.calls.tsv"
	cg_kinds "$CG/$id.self.tsv" "${E_PROG[$id]}" >"$CG/$id.kinds.tsv"
	tot=${C_MED[$id]}
	for k in "${KINDS[@]}"; do
		v=$(awk -F'\t' -v k="$k" '$1 == k { print $2 }' "$CG/$id.kinds.tsv")
		K_SHARE[$id,$k]=$(awk -v v="${v:-0}" -v t="$tot" 'BEGIN { printf "%.0f", (t > 0 ? 100 * v / t : 0) }')
	done
	for c in "${CALLS[@]}"; do
		P_CALLS[$id,$c]=$(awk -F'\t' -v c="$c" '$1 == c { print $2; exit }' "$CG/$id.calls.tsv")
		P_CALLS[$id,$c]=${P_CALLS[$id,$c]:-0}
	done
	# what dominates: the three largest kinds
	P_DOM[$id]=$(for k in "${KINDS[@]}"; do printf '%s\t%s\n' "${K_SHARE[$id,$k]}" "$k"; done | sort -rn |
		awk -F'\t' 'NR <= 3 { printf "%s%s %s %%", (NR > 1 ? ", " : ""), $2, $1 }')
done

# ---- 7. the report ---------------------------------------------------------------------

mem_at() { awk -v n="$2" -v c="$3" '$1 == n { print $c }' "$MEM/$1.tsv"; }
top_rows() {   # TSVFILE COUNT CALLSFILE TOTAL
	local ir fn obj
	# (a recursive call's inner levels, NAME'2, would count twice)
	awk -F'\t' -v n="$2" '$3 != "-" && $2 !~ /'"'"'[0-9]+$/ && ++k <= n' "$1" | while IFS=$'\t' read -r ir fn obj; do
		printf '| %s | %s | `%s` | %s |\n' "$(fmt "$ir")" \
			"$(awk -v a="$ir" -v t="$4" 'BEGIN { printf "%.1f %%", (t > 0 ? 100 * a / t : 0) }')" \
			"$(label_fn "$fn" "$3")" "$obj"
	done
}
DATE=$(date -u +%F)
OUT=$RESULTS/cost-$DATE.md
T_END=$(date -u '+%H:%M')
mkdir -p "$RESULTS"
say "writing the report"
{
	echo "# What each mcpgate endpoint costs, $DATE"
	echo
	echo "Written by \`bench/cost.sh\` ($T_START–$T_END UTC, ${SECONDS} s). Every number below comes from that one run."
	echo
	echo "## Method"
	echo
	echo "- **Machine:** $(bench_machine). Instruction counts do not depend on the machine's load."
	echo "- **mcpgate:** $MEASURED, built with \`CFLAGS=\"-O2 -g\"\` ($(cc --version | sed -n 1p)) in bench/build-cost; log_level warn. $(dpkg-query -W -f='libfcgi ${Version}, ' libfcgi0ldbl 2>/dev/null)$(dpkg-query -W -f='libpq ${Version}, ' libpq5 2>/dev/null)$(dpkg-query -W -f='libsodium ${Version}, ' libsodium23 2>/dev/null)$(dpkg-query -W -f='cJSON ${Version}' libcjson1 2>/dev/null); $(valgrind --version); PostgreSQL $("$PGBIN/postgres" --version | awk '{ print $3 }') (private cluster, Unix socket, fsync off: PostgreSQL's side is not in these counts)."
	echo "- **Data:** $NDOC_ROWS generated documents (bench/gen-docs.awk); the query \"$QUERY\" matches $NMATCH of them. One public client, one user, one access token; $NPOOL fresh refresh tokens (one grant each) and $NPOOL authorization codes (PKCE S256), stored as SHA-256 rows as the programs store them: every refresh and every code exchange below used one of its own."
	echo "- **Requests:** the FastCGI parameters lighttpd 1.4.69 passes behind conf/lighttpd/mcpgate.conf (checked against a real lighttpd): REQUEST_URI, REDIRECT_URI, SCRIPT_NAME=/_mcpgate/*PROGRAM*, SCRIPT_FILENAME, QUERY_STRING, REMOTE_ADDR, SERVER_*, HTTP_HOST, HTTP_USER_AGENT, HTTP_ACCEPT_ENCODING, HTTP_CONTENT_LENGTH, MCPGATE_CONFIG …: 27 for a POST /mcp with a token (28 with libfcgi's FCGI_ROLE), in lighttpd's order (libfcgi looks them up by a linear search, so the order is part of the cost); the row \`mcp_list_min\` has bench/mcp.sh's 14 in its order instead. Each request over a new Unix-socket connection (bench/fcgi-drive.c, as mod_fastcgi does). CGI: the same parameters as the environment, the body on standard input."
	echo "- **Instructions (Ir):** valgrind's callgrind, user space of the program only (not PostgreSQL, not the kernel). *FastCGI*: $N requests through one process; callgrind dumps at every entry to \`FCGX_Accept_r\` (\`--dump-before\`), so each dump is one whole request: accept, parameters, body, handling, answer, clean-up. *Steady state*: the median of requests 6–$N (min–max). *1st request*: the first one, which connects to PostgreSQL and prepares every statement (the programs connect lazily). *CGI*: one request as a CGI program: dynamic linking, start-up, connect, PREPARE, the request, exit. *With ${TUNABLES:-(none)}*: the median of requests 6–$NT of a second FastCGI run with that GLIBC_TUNABLES in the program's environment (glibc keeps up to that many freed chunks per size in its per-thread cache instead of 7), no code changed."
	echo "- **Memory:** each FastCGI program run natively (no valgrind) under fcgi-drive for $(fmt "$MEM_N") requests of its endpoint; VmRSS, VmHWM, RssAnon from /proc/PID/status after the answer of request 1, 100, 1 000 and $(fmt "$MEM_N")."
	echo
	echo "## Instructions per request"
	echo
	echo "| endpoint | program | **FastCGI steady state, Ir/request** (min–max) | with ${TUNABLES:-–} | 1st request | CGI (start-up + request) | answer bytes | malloc+calloc+realloc / request | PQexecPrepared | what dominates (self Ir) |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	for id in "${IDS[@]}"; do
		tun=–
		[ -n "${C_TUN[$id]:-}" ] && tun="$(fmt "${C_TUN[$id]}") ($(awk -v a="${C_TUN[$id]}" -v b="${C_MED[$id]}" 'BEGIN { printf "%+.0f %%", 100 * (a - b) / b }'))"
		printf '| %s `%s` | %s | **%s** (%s–%s) | %s | %s | %s | %s | %s | %s | %s |\n' "${E_LABEL[$id]}" "$id" "${E_PROG[$id]}" \
			"$(fmt "${C_MED[$id]}")" "$(fmt "${C_MIN[$id]}")" "$(fmt "${C_MAX[$id]}")" "$tun" "$(fmt "${C_FIRST[$id]}")" \
			"$(fmt "${C_CGI[$id]}")" "$(fmt "${C_BYTES[$id]}")" \
			"$((P_CALLS[$id,malloc] + P_CALLS[$id,calloc] + P_CALLS[$id,realloc]))" "${P_CALLS[$id,PQexecPrepared]}" "${P_DOM[$id]}"
	done
	echo
	echo "## Where the steady-state instructions go, by kind (self Ir, % of the request)"
	echo
	printf '| endpoint |'; for k in "${KINDS[@]}"; do printf ' %s |' "$k"; done; echo
	printf '|---|'; for k in "${KINDS[@]}"; do printf -- '---|'; done; echo
	for id in "${IDS[@]}"; do
		printf '| `%s` |' "$id"
		for k in "${KINDS[@]}"; do printf ' %s |' "${K_SHARE[$id,$k]}"; done
		echo
	done
	echo
	echo "*mcpgate code*: the program's own functions (src/, src/lib/); *libc printf family*: vsnprintf, vasprintf and their internals; *libc string/memory*: mem*/str*."
	echo
	echo "## Calls per steady-state request"
	echo
	printf '| endpoint |'; for c in "${CALLS[@]}"; do printf ' `%s` |' "$c"; done; echo
	printf '|---|'; for c in "${CALLS[@]}"; do printf -- '---|'; done; echo
	for id in "${IDS[@]}"; do
		printf '| `%s` |' "$id"
		for c in "${CALLS[@]}"; do printf ' %s |' "${P_CALLS[$id,$c]}"; done
		echo
	done
	echo
	echo "\`__vfprintf_internal\`: one per printf-family call (snprintf, vasprintf, …). \`FCGX_GetParam\`: one per \`req_env\` (a linear search of the request's parameters; \`req_init\` finds the variables every program reads in one pass of its own, \`req_var\`). \`conf_current\`: one \`stat(2)\` of the configuration file each."
	echo
	echo "## Memory of the FastCGI programs (kB, natively)"
	echo
	echo "| endpoint | program | VmRSS after 1 | 100 | 1 000 | $(fmt "$MEM_N") | VmHWM at $(fmt "$MEM_N") | RssAnon after 1 → $(fmt "$MEM_N") | RssFile at $(fmt "$MEM_N") | Pss at $(fmt "$MEM_N") | flat? | VmHWM ≤ 4 MiB? | $(fmt "$MEM_N") requests took |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	for id in "${IDS[@]}" "${REF_IDS[@]}"; do
		hwm=$(mem_at "$id" "$MEM_N" 3)
		flat=yes
		[ "${M_GROW[$id]}" -gt 0 ] && flat="**no: RssAnon +${M_GROW[$id]} kB after request 100**"
		printf '| `%s` | %s | %s | %s | %s | %s | %s | %s → %s | %s | %s | %s | %s | %s s |\n' "$id" "${E_PROG[$id]}" \
			"$(mem_at "$id" 1 2)" "$(mem_at "$id" 100 2)" "$(mem_at "$id" 1000 2)" "$(mem_at "$id" "$MEM_N" 2)" \
			"$hwm" "$(mem_at "$id" 1 4)" "$(mem_at "$id" "$MEM_N" 4)" "$(mem_at "$id" "$MEM_N" 5)" \
			"$(mem_at "$id" "$MEM_N" 6)" "$flat" "$([ "$hwm" -le 4096 ] && echo yes || echo "**no**")" "${M_SECS[$id]}"
	done
	echo
	echo "VmRSS = RssAnon (heap, stacks, the libraries' writable data) + RssFile (the pages of the program and its shared libraries that it touched; shared with every other process that maps the same files) + RssShmem. Pss counts each shared page divided by the number of processes mapping it (on this machine, at that moment)."
	if [ ${#REF_IDS[@]} -gt 0 ]; then
		echo
		echo "The last two rows are references, fed \`mcp_list\`'s request: \`ref_bare\` is the least a FastCGI program is resident with (libfcgi, libsodium, libc), \`ref_pg\` the same program with Debian's libpq linked and one prepared lookup per request. The difference between them, $(( $(mem_at ref_pg "$MEM_N" 2) - $(mem_at ref_bare "$MEM_N" 2) )) kB of VmRSS, is what linking libpq costs any program (its libraries: OpenSSL, GnuTLS through libldap, Kerberos, …, mostly shared pages); an mcpgate program that uses PostgreSQL can be no smaller than \`ref_pg\`, and well-known, linked without libpq, no smaller than \`ref_bare\`."
	fi
	echo
	for id in mcp_list meta_as ref_pg; do
		[ -f "$MEM/$id.smaps" ] || continue
		echo "Where the resident memory of \`$id\`'s process (${E_PROG[$id]}) is after $(fmt "$MEM_N") requests (/proc/PID/smaps, kB; the 12 largest mappings by file, the rest summed):"
		echo
		echo "| mapping | Rss | of which private (Private_Clean + Private_Dirty) |"
		echo "|---|---|---|"
		awk '/^[0-9a-f]+-[0-9a-f]+ / { name = ($6 == "" ? "[anonymous]" : $6); sub(/^.*\//, "", name); next }
			/^Rss:/ { rss[name] += $2; trss += $2 }
			/^Private_(Clean|Dirty):/ { priv[name] += $2; tpriv += $2 }
			END { for (n in rss) printf "%d\t%d\t%s\n", rss[n], priv[n], n; printf "%d\t%d\t%s\n", trss, tpriv, "~TOTAL" }' "$MEM/$id.smaps" |
			sort -rn | awk -F'\t' '$3 == "~TOTAL" { tot = $0; next } { if (++n <= 12) printf "| %s | %d | %d |\n", $3, $1, $2; else { r += $1; p += $2; m++ } }
				END { if (m) printf "| %d others | %d | %d |\n", m, r, p; split(tot, t, "\t"); printf "| **all** | **%d** | **%d** |\n", t[1], t[2] }'
		echo
	done
	if [ ${#leak_ids[@]} -gt 0 ]; then
		echo "### Leak check"
		echo
		echo "valgrind --tool=memcheck --leak-check=full on $LEAK_A and on $LEAK_B requests of the endpoint (fresh tokens and codes); lost per request = the difference of (definitely + indirectly lost) / $((LEAK_B - LEAK_A))."
		echo
		echo "| endpoint | definitely lost after $LEAK_B | indirectly lost | lost per request | first frame in mcpgate of each definite loss record |"
		echo "|---|---|---|---|---|"
		for id in "${leak_ids[@]}"; do
			printf '| `%s` | %s B | %s B | %s B | %s |\n' "$id" "$(fmt "${L_DEF[$id]}")" "$(fmt "${L_IND[$id]}")" "${L_PER[$id]}" "${L_WHERE[$id]:-–}"
		done
		echo
	fi
	echo "## The top functions of each endpoint"
	echo
	echo "Of the median steady-state request (the dump whose total is the median). Self: the function's own instructions; inclusive: with everything it calls. Functions of stripped libraries (cJSON, libfcgi, libsodium) have no name: they are shown with their nearest named caller (in cJSON, the static function under cJSON_PrintUnformatted is print_value, under cJSON_ParseWithLengthOpts parse_value). The inner levels of recursive calls are left out of the inclusive table."
	for id in "${IDS[@]}"; do
		echo
		echo "### \`$id\`: ${E_LABEL[$id]} — $(fmt "${C_MED[$id]}") Ir"
		echo
		echo "Dominated by ${P_DOM[$id]}."
		echo
		echo "| self Ir | % | function | object |"
		echo "|---|---|---|---|"
		top_rows "$CG/$id.self.tsv" 12 "$CG/$id.calls.tsv" "${C_MED[$id]}"
		echo
		echo "| inclusive Ir | % | function | object |"
		echo "|---|---|---|---|"
		top_rows "$CG/$id.incl.tsv" 18 "$CG/$id.calls.tsv" "${C_MED[$id]}"
	done
} >"$OUT"
cat "$OUT"
say "report: $OUT (callgrind: ${T_CG} s, memory: ${T_MEM} s, all: ${SECONDS} s)"
