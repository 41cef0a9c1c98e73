#!/bin/bash
# bench/mcp.sh -- the MCP benchmark of mcpgate, with its reference points,
# in one command:
#
#   bench/mcp.sh            (as root on Debian 12 it installs wrk if missing)
#
# What it does, all on 127.0.0.1 and in bench/build/ (removed and made anew
# each run, except the build itself, which is incremental):
#  1. builds mcpgate in release mode (a copy of the work tree in
#     bench/build/src: autoreconf -fi; configure CFLAGS=-O2 in
#     bench/build/obj; make), the reference FastCGI programs
#     (bench/ceiling-pg.c, twice) and bench/fcgi-drive.c;
#  2. installs the official MCP SDKs for bench/sdk/ (npm install
#     --no-package-lock, exact pins in bench/sdk/package.json);
#  3. starts a private PostgreSQL (scripts/stack.sh, durable defaults:
#     STACK_PG_FAST unset) with sql/install.sql, 10 000 generated documents
#     (bench/gen-docs.awk over bench/words.txt) and a few thousand tokens
#     inserted directly (hash rows, as the token endpoint would store them);
#  4. starts lighttpd (stack_lighttpd_start, 2 FastCGI processes per
#     program) serving mcpgate plus the two ceiling programs, and the two
#     SDK servers as node:cluster pairs;
#  5. checks every request once (status and body), warms each up, then runs
#     wrk -t2 -c32 --latency, BENCH_ROUNDS round-robin rounds of
#     BENCH_DURATION seconds, and reports medians with min-max;
#  6. measures instructions with callgrind (CGI: one request; FastCGI: per
#     request, steady state) and system calls per request (strace), the
#     search's plans (auto_explain), and the database alone with pgbench
#     (mcpgate's statements as src/lib/db_stmt.c has them, and the search
#     query on a scratch copy with its tsvector kept out of TOAST);
#  7. writes bench/results/mcp-YYYY-MM-DD.md (and the raw runs,
#     mcp-YYYY-MM-DD.runs.tsv) and prints the report.
# Everything it started is stopped on exit, whatever happens.
#
# Environment:
#   BENCH_DURATION  seconds per wrk run (10)      BENCH_ROUNDS  rounds (3)
#   BENCH_WARMUP    seconds of warm-up per row (3)
#   BENCH_DOCS      documents (10000)             BENCH_TOKENS  token rows (5000)
#   BENCH_QUERY, BENCH_QUERY_BROAD  the two search queries (see below)
#   BENCH_ONLY      space-separated row ids to run (default: all)
#   BENCH_KEEP=1    keep bench/build/run after the run (logs, raw wrk output)
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$BENCH")
BUILD=$BENCH/build
SRC=$BUILD/src
OBJ=$BUILD/obj
BIN=$BUILD/bin
RUN=$BUILD/run
RESULTS=$BENCH/results

DURATION=${BENCH_DURATION:-10}
ROUNDS=${BENCH_ROUNDS:-3}
WARMUP=${BENCH_WARMUP:-3}
THREADS=2
CONNS=32
NDOCS=${BENCH_DOCS:-10000}
NTOKENS=${BENCH_TOKENS:-5000}
PROCS=2                         # FastCGI processes per program, node workers
# The search queries (websearch_to_tsquery: all words must match). QUERY,
# two words of middle frequency, matches about 1 % of the documents (the
# run reports how many): a typical search. QUERY_BROAD has a word found in
# 43 % of them and matches about 9 %: the same search with ten times the
# candidates to rank.
QUERY=${BENCH_QUERY:-database migration}
QUERY_BROAD=${BENCH_QUERY_BROAD:-refresh rotation}
SDK_V1=1.32.2
SDK_V2=2.4.0

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# ---- 0. tools ----------------------------------------------------------------

need=()
for c in cc autoreconf make pkg-config lighttpd curl jq node npm valgrind awk; do
	command -v "$c" >/dev/null 2>&1 || [ -x "/usr/sbin/$c" ] || need+=("$c")
done
[ ${#need[@]} -eq 0 ] || die "missing: ${need[*]} (see README.md: scripts/run installs the build packages; apt-get install nodejs npm valgrind)"
if ! command -v wrk >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		say "installing wrk"
		DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >/dev/null 2>&1 ||
			{ apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >/dev/null; } ||
			die "apt-get install wrk failed"
	else
		die "wrk is missing: apt-get install wrk"
	fi
fi

# shellcheck source=../scripts/stack.sh
. "$TOP/scripts/stack.sh"
PGBIN=$(_stack_pg_bindir) || die "no PostgreSQL server programs"

# ---- clean-up ----------------------------------------------------------------

node_dirs=()
cleanup() {
	local rc=$? d
	trap '' INT TERM HUP
	for d in "${node_dirs[@]}"; do
		[ -f "$d/node.sid" ] && _stack_kill_session "$(cat "$d/node.sid")"
		_stack_reap "$d" node
	done
	[ -d "$RUN/lighttpd" ] && stack_lighttpd_stop "$RUN/lighttpd"
	[ -d "$RUN/pg" ] && stack_pg_stop "$RUN/pg"
	if [ "${BENCH_KEEP:-0}" != 1 ] && [ -d "$RUN" ]; then
		rm -rf "$RUN"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---- 1. build ------------------------------------------------------------------

say "building mcpgate (release: CFLAGS=-O2) in $BUILD"
mkdir -p "$SRC" "$OBJ" "$BIN"
chmod 755 "$BUILD"
# The work tree as git sees it (tracked and untracked files, not ignored
# ones, not bench/): autoreconf writes its files into the copy, so the work
# tree itself stays untouched. tar keeps the times, so make stays incremental.
(cd "$TOP" && git ls-files -z -co --exclude-standard -- . ':!bench' |
	tar --null -T - -cf -) | (cd "$SRC" && tar -xf -)
(cd "$SRC" && autoreconf -fi >"$BUILD/autoreconf.log" 2>&1) || die "autoreconf failed: $BUILD/autoreconf.log"
if [ ! -f "$OBJ/Makefile" ]; then
	(cd "$OBJ" && "$SRC/configure" CFLAGS=-O2 >"$BUILD/configure.log" 2>&1) ||
		die "configure failed: $BUILD/configure.log"
fi
make -C "$OBJ" -j"$(nproc)" >"$BUILD/make.log" 2>&1 || die "make failed: $BUILD/make.log"
for p in well-known health register authorize token mcp; do
	[ -x "$OBJ/cgi-bin/$p" ] || die "not built: $OBJ/cgi-bin/$p"
done
PQINC=$(pkg-config --cflags libpq 2>/dev/null || echo "-I$(pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)")
# shellcheck disable=SC2086 # flags
cc -O2 -Wall -Wextra $PQINC -o "$BIN/ceiling-pg" "$BENCH/ceiling-pg.c" -lfcgi -lpq -lsodium
# shellcheck disable=SC2086
cc -O2 -Wall -Wextra -DCEILING_BARE $PQINC -o "$BIN/ceiling-bare" "$BENCH/ceiling-pg.c" -lfcgi -lpq -lsodium
cc -O2 -Wall -Wextra -o "$BIN/fcgi-drive" "$BENCH/fcgi-drive.c"

say "installing the SDK peers (npm install --no-package-lock in bench/sdk)"
(cd "$BENCH/sdk" && npm install --no-package-lock --no-audit --no-fund --loglevel=error >"$BUILD/npm.log" 2>&1) ||
	die "npm install failed: $BUILD/npm.log"
pkgver() { node -p "require('$BENCH/sdk/node_modules/$1/package.json').version" 2>/dev/null || echo '?'; }
[ "$(pkgver @modelcontextprotocol/sdk)" = "$SDK_V1" ] || die "@modelcontextprotocol/sdk is not $SDK_V1"
[ "$(pkgver @modelcontextprotocol/server)" = "$SDK_V2" ] || die "@modelcontextprotocol/server is not $SDK_V2"

# ---- 2. PostgreSQL and data ------------------------------------------------------

rm -rf "$RUN"
mkdir -p "$RUN/raw" "$RUN/req"
chmod 755 "$RUN"
say "starting PostgreSQL (durable defaults) in $RUN/pg"
unset STACK_PG_FAST
stack_pg_start "$RUN/pg" || die "PostgreSQL did not start"
DB=mcpgate_bench
CONNINFO="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$DB"
psql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
stack_db_create "$DB" "$SRC/sql" 2>"$RUN/db-create.log" || die "loading the schema failed: $RUN/db-create.log"

# The port is needed now: a token's resource is the MCP URL.
PORT=$(stack_free_port) || die "no free port"
MCP_URL=http://127.0.0.1:$PORT/mcp
# The token the load uses: 256 random bits, base64url, as /token issues.
TOKEN=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')

say "generating $NDOCS documents and $NTOKENS tokens"
awk -v docs="$NDOCS" -v seed=42 -f "$BENCH/gen-docs.awk" "$BENCH/words.txt" >"$RUN/docs.tsv"
t0=$(date +%s.%N)
psql -c "\\copy mcpgate.documents (doc_id, title, body, metadata, language) FROM '$RUN/docs.tsv'"
psql -v token="$TOKEN" -v resource="$MCP_URL" -v ntokens="$NTOKENS" <<'EOF'
BEGIN;
INSERT INTO mcpgate.clients (client_id, token_endpoint_auth_method, redirect_uris, client_name, registration)
VALUES ('bench-client', 'none', '{http://127.0.0.1/callback}', 'bench', 'admin');
INSERT INTO mcpgate.users (username) VALUES ('bench');
-- One grant (token family) per access + refresh token pair, as
-- code_redeem writes them; the bench token is one more access token.
INSERT INTO mcpgate.token_families (client_id, user_id, scope, resource)
SELECT 'bench-client', u.user_id, 'mcp:read', :'resource'
  FROM mcpgate.users u, generate_series(1, :ntokens / 2) WHERE u.username = 'bench';
INSERT INTO mcpgate.tokens (token_hash, kind, family_id, client_id, user_id, scope, resource, expires_at)
SELECT sha256(convert_to('bench-filler-' || g || '-' || random(), 'UTF8')),
       CASE WHEN g % 2 = 0 THEN 'access' ELSE 'refresh' END,
       f.family_id, f.client_id, f.user_id, f.scope, f.resource,
       now() + CASE WHEN g % 2 = 0 THEN interval '1 hour' ELSE interval '30 days' END
  FROM generate_series(0, :ntokens - 2) g
  JOIN (SELECT row_number() OVER (ORDER BY family_id) - 1 AS n, * FROM mcpgate.token_families) f
    ON f.n = g / 2;
INSERT INTO mcpgate.tokens (token_hash, kind, family_id, client_id, user_id, scope, resource, expires_at)
SELECT sha256(convert_to(:'token', 'UTF8')), 'access', family_id, client_id, user_id, scope, resource,
       now() + interval '1 day'
  FROM mcpgate.token_families ORDER BY family_id LIMIT 1;
COMMIT;
VACUUM ANALYZE;
EOF
LOAD_SECONDS=$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
NDOC_ROWS=$(psql -A -t -c 'SELECT count(*) FROM mcpgate.documents')
NTOK_ROWS=$(psql -A -t -c 'SELECT count(*) FROM mcpgate.tokens')
NFAM_ROWS=$(psql -A -t -c 'SELECT count(*) FROM mcpgate.token_families')
NMATCH=$(psql -A -t -v q="$QUERY" <<<"SELECT count(*) FROM mcpgate.documents WHERE tsv @@ websearch_to_tsquery('english', :'q')")
DB_SIZE=$(psql -A -t -c "SELECT pg_size_pretty(pg_database_size(current_database()))")
NMATCH_BROAD=$(psql -A -t -v q="$QUERY_BROAD" <<<"SELECT count(*) FROM mcpgate.documents WHERE tsv @@ websearch_to_tsquery('english', :'q')")
[ "$NMATCH" -gt 0 ] || die "the query '$QUERY' matches no document"

# ---- 3. front ends ------------------------------------------------------------------

say "starting lighttpd on 127.0.0.1:$PORT ($PROCS FastCGI processes per program)"
CGIBIN=$RUN/cgi-bin
stack_install_programs "$OBJ/cgi-bin" "$CGIBIN" || die "installing the programs failed"
cp "$BIN/ceiling-pg" "$BIN/ceiling-bare" "$CGIBIN/"
stack_write_config "$RUN/mcpgate.conf" "http://127.0.0.1:$PORT" "$CONNINFO" || die "config"
# lighttpd includes SRCDIR/conf/lighttpd/mcpgate.conf: give it a directory
# whose file includes mcpgate's unchanged and adds the two ceiling programs
# the same way (a rewrite to an internal name, the same FastCGI options).
mkdir -p "$RUN/lconf/conf/lighttpd"
cat >"$RUN/lconf/conf/lighttpd/mcpgate.conf" <<EOF
include "$SRC/conf/lighttpd/mcpgate.conf"

# bench/mcp.sh: the reference programs, beside mcpgate's
url.rewrite-once += (
  "^/ceiling/pg(\\?.*)?\$"   => "/_ceiling/pg\$1",
  "^/ceiling/bare(\\?.*)?\$" => "/_ceiling/bare\$1",
)
fastcgi.server += ( "/_ceiling/pg" => ((
  "bin-path"        => var.mcpgate_cgibin + "/ceiling-pg",
  "socket"          => var.mcpgate_rundir + "/ceiling-pg.sock",
  "bin-environment" => ( "CEILING_PG" => "$CONNINFO" ),
) + var.mcpgate_fastcgi ))
fastcgi.server += ( "/_ceiling/bare" => ((
  "bin-path"        => var.mcpgate_cgibin + "/ceiling-bare",
  "socket"          => var.mcpgate_rundir + "/ceiling-bare.sock",
) + var.mcpgate_fastcgi ))
EOF
export STACK_LIGHTTPD_MAX_PROCS=$PROCS STACK_MCPGATE_HTDOCS=$SRC/htdocs
stack_lighttpd_start "$RUN/lighttpd" "$PORT" "$CGIBIN" "$RUN/mcpgate.conf" "$RUN/lconf" ||
	die "lighttpd did not start"
BASE=http://127.0.0.1:$PORT

# node:cluster peers, each in its own session (stopped by session id)
start_node() {
	local name=$1 flavour=$2 port=$3 dir=$RUN/$1 i
	mkdir -p "$dir"
	node_dirs+=("$dir")
	_stack_bg "$dir" node "$dir/node.log" node "$BENCH/sdk/server.mjs" "$flavour" "$port" "$PROCS" "$TOKEN"
	_stack_sid_of "$(cat "$dir/node.bgpid")" >"$dir/node.sid"
	for i in $(seq 100); do
		grep -q 'listening on' "$dir/node.log" 2>/dev/null && return 0
		kill -0 "$(cat "$dir/node.bgpid")" 2>/dev/null || break
		sleep 0.1
	done
	cat "$dir/node.log" >&2
	die "$name did not start"
}
V1_PORT=$(stack_free_port); start_node sdk-v1 v1 "$V1_PORT"
V2_PORT=$(stack_free_port); start_node sdk-v2 v2 "$V2_PORT"
say "SDK v1 cluster on 127.0.0.1:$V1_PORT, v2 cluster on 127.0.0.1:$V2_PORT"

# ---- 4. the rows -----------------------------------------------------------------------

# Bodies. 2025 era: a plain JSON-RPC request. 2026-07-28 (SDK v2): the
# per-request _meta envelope, as @modelcontextprotocol/client 2.x sends it.
REQ=$RUN/req
printf '%s' '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}' >"$REQ/list.json"
jq -cn --arg q "$QUERY" '{jsonrpc:"2.0",id:2,method:"tools/call",params:{name:"search",arguments:{query:$q}}}' >"$REQ/search.json"
jq -cn --arg q "$QUERY_BROAD" '{jsonrpc:"2.0",id:2,method:"tools/call",params:{name:"search",arguments:{query:$q}}}' >"$REQ/search-broad.json"
printf '%s' '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}' >"$REQ/echo.json"
META='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"bench","version":"1.0.0"},"io.modelcontextprotocol/clientCapabilities":{}}'
printf '%s' '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{'"$META"'}}' >"$REQ/list26.json"
printf '%s' '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"},'"$META"'}}' >"$REQ/echo26.json"
for f in "$REQ"/*.json; do jq -e . "$f" >/dev/null || die "bad JSON: $f"; done

H_JSON=$'Content-Type: application/json\nAccept: application/json, text/event-stream'
H_AUTH="Authorization: Bearer $TOKEN"
H25=$'\nMCP-Protocol-Version: 2025-06-18'

# id|what|kind|method|url|body|headers|expected status|expected body text
# kind: list or call (which SDK row a ratio compares with), - for none
ROWS=(
"a|ceiling (a): C FastCGI + SHA-256 + 1 prepared PG lookup, POST|list|POST|$BASE/ceiling/pg|list.json|$H_JSON"$'\n'"$H_AUTH|200|\"tools\""
"b|ceiling (b): bare C FastCGI (no database), POST|list|POST|$BASE/ceiling/bare|list.json|$H_JSON"$'\n'"$H_AUTH|200|\"tools\""
"v1_list|SDK v1 $SDK_V1, node:cluster ×2: tools/list|list|POST|http://127.0.0.1:$V1_PORT/mcp|list.json|$H_JSON"$'\n'"$H_AUTH$H25|200|\"echo\""
"v1_call|SDK v1 $SDK_V1, cluster ×2: tools/call echo|call|POST|http://127.0.0.1:$V1_PORT/mcp|echo.json|$H_JSON"$'\n'"$H_AUTH$H25|200|hello"
"v2_list|SDK v2 $SDK_V2, cluster ×2: tools/list (2026-07-28)|list|POST|http://127.0.0.1:$V2_PORT/mcp|list26.json|$H_JSON"$'\n'"$H_AUTH"$'\nMCP-Protocol-Version: 2026-07-28\nMcp-Method: tools/list|200|"echo"'
"v2_call|SDK v2 $SDK_V2, cluster ×2: tools/call echo (2026-07-28)|call|POST|http://127.0.0.1:$V2_PORT/mcp|echo26.json|$H_JSON"$'\n'"$H_AUTH"$'\nMCP-Protocol-Version: 2026-07-28\nMcp-Method: tools/call\nMcp-Name: echo|200|hello'
"m_list|**mcpgate: POST /mcp tools/list** (2025-06-18, token checked in PG)|list|POST|$BASE/mcp|list.json|$H_JSON"$'\n'"$H_AUTH$H25|200|\"fetch\""
"m_search|**mcpgate: tools/call search** \"$QUERY\" ($NMATCH of $NDOC_ROWS documents match)|call|POST|$BASE/mcp|search.json|$H_JSON"$'\n'"$H_AUTH$H25|200|\"doc-"
"m_broad|mcpgate: tools/call search \"$QUERY_BROAD\" (broad: $NMATCH_BROAD documents match)|call|POST|$BASE/mcp|search-broad.json|$H_JSON"$'\n'"$H_AUTH$H25|200|\"doc-"
"m_401|mcpgate: POST /mcp without a token (401)|-|POST|$BASE/mcp|list.json|$H_JSON$H25|401|authorization required"
"m_meta|mcpgate: GET /.well-known/oauth-protected-resource/mcp|-|GET|$BASE/.well-known/oauth-protected-resource/mcp|-|Accept: application/json|200|authorization_servers"
)
row_field() { local IFS='|'; local -a f; read -r -a f <<<"$(printf '%s' "$1" | tr '\n' '\001')"; printf '%s' "${f[$2]}" | tr '\001' '\n'; }

declare -A R_WHAT R_KIND R_METHOD R_URL R_BODY R_HDR R_STATUS R_EXPECT
IDS=()
for row in "${ROWS[@]}"; do
	id=$(row_field "$row" 0)
	if [ -n "${BENCH_ONLY:-}" ] && ! [[ " $BENCH_ONLY " == *" $id "* ]]; then continue; fi
	IDS+=("$id")
	R_WHAT[$id]=$(row_field "$row" 1); R_KIND[$id]=$(row_field "$row" 2)
	R_METHOD[$id]=$(row_field "$row" 3); R_URL[$id]=$(row_field "$row" 4)
	R_BODY[$id]=$(row_field "$row" 5); R_HDR[$id]=$(row_field "$row" 6)
	R_STATUS[$id]=$(row_field "$row" 7); R_EXPECT[$id]=$(row_field "$row" 8)
done

# One request with curl: prints the status; the body goes to $REQ/ID.answer.
probe() {
	local id=$1 h
	local -a args=(-s --noproxy '*' --max-time 10 -o "$REQ/$id.answer" -w '%{http_code}' -X "${R_METHOD[$id]}")
	while IFS= read -r h; do [ -n "$h" ] && args+=(-H "$h"); done <<<"${R_HDR[$id]}"
	[ "${R_BODY[$id]}" != - ] && args+=(--data-binary "@$REQ/${R_BODY[$id]}")
	curl "${args[@]}" "${R_URL[$id]}" || true
}

say "checking every request once"
for id in "${IDS[@]}"; do
	st=$(probe "$id")
	if [ "$st" != "${R_STATUS[$id]}" ] || ! grep -qF -- "${R_EXPECT[$id]}" "$REQ/$id.answer"; then
		echo "---- $id: status $st, answer:" >&2; head -c 600 "$REQ/$id.answer" >&2; echo >&2
		tail -n 5 "$RUN/lighttpd/lighttpd-error.log" >&2 2>/dev/null || true
		die "row $id does not answer as expected (${R_STATUS[$id]} with '${R_EXPECT[$id]}')"
	fi
	printf '   %-8s %s  %6d bytes\n' "$id" "$st" "$(wc -c <"$REQ/$id.answer")" >&2
done
NRESULTS=$(jq -r '.result.structuredContent.results // (.result.content[0].text | fromjson | .results) | length' "$REQ/m_search.answer" 2>/dev/null || echo '?')

# ---- 5. load ---------------------------------------------------------------------------

# CPU ticks (utime+stime) of every process: "pid sid ppid ticks" lines.
ticks_all() {
	# (a process may end between the glob and cat: not an error)
	{ cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk '{
		pid = $1; s = $0; sub(/^.*\) /, "", s); split(s, f, " ")
		print pid, f[4], f[2], f[12] + f[13] }'
}
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
self_child_ticks() { awk '{ s = $0; sub(/^.*\) /, "", s); split(s, f, " "); print f[14] + f[15] }' "/proc/$$/stat"; }
LT_SID=$(cat "$RUN/lighttpd/lighttpd.sid")
LT_PID=$(cat "$RUN/lighttpd/lighttpd.pid")
# PostgreSQL's processes each make a session of their own (setsid in
# InitPostmasterChild): count the postmaster and its children.
PG_PM=$(head -n 1 "$RUN/pg/pgdata/postmaster.pid")
V1_SID=$(cat "$RUN/sdk-v1/node.sid")
V2_SID=$(cat "$RUN/sdk-v2/node.sid")
HZ=$(getconf CLK_TCK)

# Server CPU of one row: front (lighttpd itself), app (its FastCGI
# programs, or node), pg (every PostgreSQL process), in ticks.
split_ticks() {   # FILE -> "front app pg other"
	awk -v lt="$LT_SID" -v ltp="$LT_PID" -v pm="$PG_PM" -v v1="$V1_SID" -v v2="$V2_SID" '
		$2 == lt && $1 == ltp { front += $4; next }
		$2 == lt { app += $4; next }
		$1 == pm || $3 == pm { pgt += $4; next }
		$2 == v1 { n1 += $4; next }
		$2 == v2 { n2 += $4; next }
		END { printf "%d %d %d %d %d\n", front, app, pgt, n1, n2 }' "$1"
}

to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) sub(/ms$/, "", v); else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f", v }' <<<"$1"; }

TSV=$RUN/raw/runs.tsv
printf 'id\tround\treq_s\tp50_ms\tp99_ms\trequests\tnon2xx\tsocket_errors\tfront_us\tapp_us\tpg_us\tnode_us\twrk_us\tbusy_pct\tother_pct\n' >"$TSV"

# wrk_run ID SECONDS OUTFILE
wrk_run() {
	local id=$1 secs=$2 out=$3 body=
	[ "${R_BODY[$id]}" != - ] && body=$REQ/${R_BODY[$id]}
	BENCH_METHOD=${R_METHOD[$id]} BENCH_BODY_FILE=$body BENCH_HEADERS=${R_HDR[$id]} \
		wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" --latency -s "$BENCH/wrk/request.lua" "${R_URL[$id]}" >"$out" 2>&1
}

measure() {   # ID ROUND
	local id=$1 round=$2 out=$RUN/raw/$1.$2.txt
	local b0 b1 c0 c1 s0 s1 rps p50 p99 n non2xx serr
	ticks_all >"$RUN/raw/t0"; read -r -a b0 <<<"$(busy_ticks)"; c0=$(self_child_ticks)
	wrk_run "$id" "$DURATION" "$out"
	c1=$(self_child_ticks); read -r -a b1 <<<"$(busy_ticks)"; ticks_all >"$RUN/raw/t1"
	read -r -a s0 <<<"$(split_ticks "$RUN/raw/t0")"
	read -r -a s1 <<<"$(split_ticks "$RUN/raw/t1")"
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
	p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
	n=$(awk '/requests in/ { print $1 }' "$out")
	non2xx=$(awk '/Non-2xx/ { print $NF }' "$out"); non2xx=${non2xx:-0}
	serr=$(awk '/Socket errors/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$out"); serr=${serr:-0}
	[ -n "$rps" ] && [ -n "$n" ] && [ "$n" -gt 0 ] || { cat "$out" >&2; die "wrk failed for $id"; }
	local node_t=$(( (s1[3] - s0[3]) + (s1[4] - s0[4]) ))
	awk -v id="$id" -v r="$round" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v n="$n" \
	    -v non2xx="$non2xx" -v serr="$serr" -v hz="$HZ" \
	    -v fr=$((s1[0] - s0[0])) -v ap=$((s1[1] - s0[1])) -v pg=$((s1[2] - s0[2])) -v nd="$node_t" \
	    -v wr=$((c1 - c0)) -v busy=$((b1[0] - b0[0])) -v tot=$((b1[1] - b0[1])) -v ncpu="$(nproc)" 'BEGIN {
		us = 1e6 / hz / n
		bp = tot > 0 ? 100 * busy / tot * ncpu : 0
		# everything busy that is neither the server under test nor wrk,
		# as a share of one core: other tenants, idle peers, kernel threads
		op = tot > 0 ? 100 * (busy - fr - ap - pg - nd - wr) / tot * ncpu : 0
		printf "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.0f\t%.0f\n",
		    id, r, rps, p50, p99, n, non2xx, serr, fr * us, ap * us, pg * us, nd * us, wr * us, bp, op
	}' >>"$TSV"
	tail -n 1 "$TSV" | awk -F'\t' '{ printf "   %-8s round %s: %9.0f req/s  p50 %s ms  p99 %s ms  server %.0f us/req  other %s%%\n", $1, $2, $3, $4, $5, $9 + $10 + $11 + $12, $15 }' >&2
}

say "warm-up: ${WARMUP}s per row"
for id in "${IDS[@]}"; do wrk_run "$id" "$WARMUP" "$RUN/raw/$id.warmup.txt"; done
T_START=$(date -u '+%Y-%m-%d %H:%M')
for round in $(seq "$ROUNDS"); do
	say "round $round of $ROUNDS (${DURATION}s per row)"
	for id in "${IDS[@]}"; do measure "$id" "$round"; done
done
T_END=$(date -u '+%H:%M')
mkdir -p "$RESULTS"
cp "$TSV" "$RESULTS/mcp-$(date -u +%F).runs.tsv"

# ---- 6. instructions, plans, the database alone -----------------------------------------

say "callgrind: CGI runs and FastCGI steady state"
CG=$RUN/callgrind
mkdir -p "$CG"
cg_total() { awk '/^(summary|totals):/ { print $2; exit }' "$1"; }
# One CGI request: NAME BODYFILE [extra env...]
cgi_run() {
	local name=$1 body=$2
	shift 2
	env -i PATH=/usr/bin:/bin REQUEST_METHOD=POST CONTENT_TYPE=application/json \
		CONTENT_LENGTH="$(wc -c <"$body")" REQUEST_URI=/mcp SCRIPT_NAME=/mcp \
		SERVER_NAME=127.0.0.1 SERVER_PORT="$PORT" REMOTE_ADDR=127.0.0.1 \
		GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 \
		HTTP_ACCEPT='application/json, text/event-stream' \
		HTTP_MCP_PROTOCOL_VERSION=2025-06-18 MCPGATE_CONFIG="$RUN/mcpgate.conf" "$@" \
		valgrind --tool=callgrind --callgrind-out-file="$CG/cgi-$name.out" \
		"$CGIBIN/mcp" <"$body" >"$CG/cgi-$name.answer" 2>"$CG/cgi-$name.log" || true
	grep -q '^Status: 200\|"jsonrpc"' "$CG/cgi-$name.answer" || { cat "$CG/cgi-$name.answer" "$CG/cgi-$name.log" >&2; die "CGI run $name failed"; }
}
cgi_run list "$REQ/list.json" HTTP_AUTHORIZATION="Bearer $TOKEN"
cgi_run search "$REQ/search.json" HTTP_AUTHORIZATION="Bearer $TOKEN"
cgi_run 401 "$REQ/list.json"
CGI_LIST=$(cg_total "$CG/cgi-list.out")
CGI_SEARCH=$(cg_total "$CG/cgi-search.out")
CGI_401=$(cg_total "$CG/cgi-401.out")

# FastCGI: N requests through one process (fcgi-drive, a new connection
# each, as lighttpd does); callgrind dumps at every entry to
# FCGX_Accept_r, so each dump is exactly one request, accept to finish.
# The median of dumps 6..N+1 (the first request pays the connect).
FCGI_N=25
fcgi_run() {   # NAME PROGRAM BODYFILE [env lines...]
	local name=$1 prog=$2 body=$3 f
	shift 3
	{
		printf '%s\n' REQUEST_METHOD=POST CONTENT_TYPE=application/json REQUEST_URI=/mcp \
			SCRIPT_NAME=/mcp SERVER_NAME=127.0.0.1 "SERVER_PORT=$PORT" REMOTE_ADDR=127.0.0.1 \
			GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 \
			'HTTP_ACCEPT=application/json, text/event-stream' HTTP_MCP_PROTOCOL_VERSION=2025-06-18 \
			"MCPGATE_CONFIG=$RUN/mcpgate.conf" "$@"
	} >"$CG/fcgi-$name.env"
	rm -f "$CG/fcgi-$name.out"*
	CEILING_PG=$CONNINFO "$BIN/fcgi-drive" "$CG/$name.sock" "$FCGI_N" "$CG/fcgi-$name.env" "$body" -- \
		valgrind --tool=callgrind --dump-before=FCGX_Accept_r \
		--callgrind-out-file="$CG/fcgi-$name.out" "$prog" 2>"$CG/fcgi-$name.log" ||
		{ tail -n 20 "$CG/fcgi-$name.log" >&2; die "FastCGI run $name failed"; }
	for f in $(seq 7 $((FCGI_N + 1))); do cg_total "$CG/fcgi-$name.out.$f"; done | sort -n |
		awk '{ v[NR] = $1 } END { printf "%d %d %d\n", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
read -r FC_LIST FC_LIST_MIN FC_LIST_MAX <<<"$(fcgi_run list "$CGIBIN/mcp" "$REQ/list.json" "HTTP_AUTHORIZATION=Bearer $TOKEN")"
read -r FC_SEARCH FC_SEARCH_MIN FC_SEARCH_MAX <<<"$(fcgi_run search "$CGIBIN/mcp" "$REQ/search.json" "HTTP_AUTHORIZATION=Bearer $TOKEN")"
read -r FC_BROAD _ _ <<<"$(fcgi_run broad "$CGIBIN/mcp" "$REQ/search-broad.json" "HTTP_AUTHORIZATION=Bearer $TOKEN")"
read -r FC_401 _ _ <<<"$(FCGI_DRIVE_EXPECT=401 fcgi_run 401 "$CGIBIN/mcp" "$REQ/list.json")"
read -r FC_CPG _ _ <<<"$(fcgi_run cpg "$BIN/ceiling-pg" "$REQ/list.json" "HTTP_AUTHORIZATION=Bearer $TOKEN")"
read -r FC_CBARE _ _ <<<"$(fcgi_run cbare "$BIN/ceiling-bare" "$REQ/list.json" "HTTP_AUTHORIZATION=Bearer $TOKEN")"
# the top of one steady-state request's profile: INCLUSIVE(yes|no) COUNT FILE
# (the outer frames a mid-run dump shows at 100 % are left out)
cg_top() {
	callgrind_annotate --inclusive="$1" --threshold=100 "$3" 2>/dev/null |
		awk -v max="$2" '/^-+$/ { sep++; next }
		sep >= 5 && $1 ~ /^[0-9,]+$/ && $0 !~ /\(100\.0%\)/ {
			c = $1; gsub(/,/, "", c)
			obj = $0; sub(/^.*\[/, "", obj); sub(/\]$/, "", obj); sub(/^.*\//, "", obj)
			fn = $0; sub(/ \[[^]]*\]$/, "", fn); sub(/^.*%\) +/, "", fn); sub(/^.*:/, "", fn)
			if (fn == "main" || fn ~ /below main/) next
			if (n++ < max) printf "| %s | %s | %s |\n", c, fn, obj }'
}
MID=$(( (FCGI_N + 8) / 2 ))
INC_CGI=$(cg_top yes 25 "$CG/cgi-list.out")
# System calls per request of the program, the same N1/N2 difference:
# strace -ff writes one file per process; count the program's calls.
sys_per_req() {   # NAME PROGRAM BODYFILE
	local name=$1 prog=$2 body=$3 n c=0 c5=0 c25=0 f
	for n in 5 25; do
		rm -rf "$CG/strace-$name.$n"; mkdir -p "$CG/strace-$name.$n"
		CEILING_PG=$CONNINFO strace -ff -o "$CG/strace-$name.$n/t" "$BIN/fcgi-drive" "$CG/$name-st.sock" "$n" \
			"$CG/fcgi-$name.env" "$body" -- "$prog" 2>/dev/null || die "strace run $name failed"
		# the program's file: the one whose execve is not fcgi-drive's
		for f in "$CG/strace-$name.$n"/t.*; do
			grep -q '^execve("[^"]*fcgi-drive"' "$f" && continue
			c=$(grep -cE '^[a-z_0-9]+\(' "$f")
		done
		if [ "$n" = 5 ]; then c5=$c; else c25=$c; fi
	done
	awk -v a="$c5" -v b="$c25" 'BEGIN { printf "%.1f", (b - a) / 20 }'
}
SYS_LIST=$(sys_per_req list "$CGIBIN/mcp" "$REQ/list.json")
SYS_SEARCH=$(sys_per_req search "$CGIBIN/mcp" "$REQ/search.json")
SYS_CPG=$(sys_per_req cpg "$BIN/ceiling-pg" "$REQ/list.json")
SYS_CBARE=$(sys_per_req cbare "$BIN/ceiling-bare" "$REQ/list.json")
TOP_LIST=$(cg_top no 12 "$CG/fcgi-list.out.$MID")
TOP_SEARCH=$(cg_top no 12 "$CG/fcgi-search.out.$MID")
INC_LIST=$(cg_top yes 25 "$CG/fcgi-list.out.$MID")
INC_SEARCH=$(cg_top yes 25 "$CG/fcgi-search.out.$MID")

say "EXPLAIN ANALYZE of the search, and the database alone (pgbench)"
# The plans PL/pgSQL really runs inside mcpgate.tool_search (auto_explain,
# nested statements, analyze), on the 7th call in the session: PL/pgSQL
# may switch to a generic plan after the 5th.
explain_search() {   # QUERY
	psql -v q="$1" 2>&1 <<'EOF' | sed -n '/^NOTICE:  duration/,$p' | sed 's/^NOTICE:  //'
\pset pager off
\o /dev/null
SELECT mcpgate.call_tool('search', jsonb_build_object('query', :'q'), '{"user_id":1,"search_config":"english"}') FROM generate_series(1, 6);
\o
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = on;
SET auto_explain.log_level = notice;
\o /dev/null
SELECT mcpgate.call_tool('search', jsonb_build_object('query', :'q'), '{"user_id":1,"search_config":"english"}');
EOF
}
EXPLAIN=$(explain_search "$QUERY")
EXPLAIN_BROAD=$(explain_search "$QUERY_BROAD")
# pgbench: the statements of each row alone, prepared, 2 clients, on the
# same 2 cores (no HTTP, no FastCGI): what PostgreSQL itself allows.
# Values go in as pgbench variables (-D): pgbench would read the colons
# of literal JSON or URLs as variable references.
TOKHEX=$(printf '%s' "$TOKEN" | sha256sum | cut -d' ' -f1)
CTX=$(jq -cn '{user_id:1,client_id:"bench-client",scopes:["mcp:read"],search_config:"english",fetch_max_chars:100000}')
ARGS=$(jq -cn --arg q "$QUERY" '{query:$q}')
ARGS_BROAD=$(jq -cn --arg q "$QUERY_BROAD" '{query:$q}')
cat >"$RUN/pgb-lookup.sql" <<'EOF'
SELECT client_id, scope, expires_at FROM mcpgate.tokens WHERE token_hash = :tok::bytea;
EOF
# mcpgate's own statements, taken from the source that was built
# (src/lib/db_stmt.c), with pgbench variables for their parameters.
stmt_sql() {   # STATEMENT-NAME
	awk -v name="\"$1\"," '
		!on && index($0, "{ " name) { on = 1; $0 = substr($0, index($0, name) + length(name)) }
		on {
			s = $0
			while (match(s, /"([^"\\]|\\.)*"/)) {
				sql = sql substr(s, RSTART + 1, RLENGTH - 2); s = substr(s, RSTART + RLENGTH)
			}
			if (s ~ /[0-9]+, *[01] *},?[ \t]*$/) { gsub(/\\"/, "\"", sql); print sql ";"; exit }
		}' "$SRC/src/lib/db_stmt.c"
}
stmt_sql mcp_auth | sed 's/\$1/:tok/g; s/\$2/:res/g' >"$RUN/pgb-auth.sql"
stmt_sql mcp_call | sed 's/\$1/:tool/g; s/\$2/:args/g; s/\$3/:ctx/g' >"$RUN/pgb-call.sql"
for f in auth call; do
	grep -q '^SELECT' "$RUN/pgb-$f.sql" || die "could not read statement mcp_$f from src/lib/db_stmt.c"
done
cat "$RUN/pgb-auth.sql" "$RUN/pgb-call.sql" >"$RUN/pgb-search.sql"
# What a change of the search's SQL would buy, measured on a scratch copy
# in this throwaway database (mcpgate's own schema is not touched): the
# tool's ranking query as it is, against a narrow side table whose
# tsvector stays inline (no TOAST fetch per candidate), and that with
# ts_rank instead of ts_rank_cd. Same shape for all three: the tsquery
# computed once (a MATERIALIZED CTE, as tool_search's variable does).
psql <<'EOF'
CREATE SCHEMA bench_exp;
CREATE TABLE bench_exp.docidx (doc_id text PRIMARY KEY, owner_id bigint, tsv tsvector)
  WITH (toast_tuple_target = 8160);
ALTER TABLE bench_exp.docidx ALTER tsv SET STORAGE MAIN;
INSERT INTO bench_exp.docidx SELECT doc_id, owner_id, tsv FROM mcpgate.documents;
CREATE INDEX ON bench_exp.docidx USING gin (tsv);
VACUUM ANALYZE bench_exp.docidx;
EOF
search_sql() {   # TABLE RANKFUNCTION
	cat <<EOF
WITH q AS MATERIALIZED (SELECT websearch_to_tsquery('english', :qtext::text) AS q)
SELECT jsonb_agg(jsonb_build_object('id', d.doc_id, 'title', d.title, 'url', mcpgate.doc_url(d)) ORDER BY r.rank DESC, d.doc_id) FROM (SELECT x.doc_id, $2(x.tsv, q.q) AS rank FROM $1 x, q WHERE x.tsv @@ q.q AND (x.owner_id IS NULL OR x.owner_id = 1) ORDER BY rank DESC, x.doc_id LIMIT 10) r JOIN mcpgate.documents d ON d.doc_id = r.doc_id;
EOF
}
search_sql mcpgate.documents ts_rank_cd >"$RUN/pgb-q-now.sql"
search_sql bench_exp.docidx ts_rank_cd >"$RUN/pgb-q-narrow.sql"
search_sql bench_exp.docidx ts_rank >"$RUN/pgb-q-narrow-rank.sql"
PGB_SECS=5
pgb() {
	"$PGBIN/pgbench" -n -M prepared -c 2 -j 2 -T "$PGB_SECS" -D "tok=\\x$TOKHEX" -D "res=$MCP_URL" \
		-D "args=${2:-$ARGS}" -D "ctx=$CTX" -D "qtext=${3:-$QUERY}" -D tool=search -f "$1" "$DB" >"$1.out" 2>&1 || { cat "$1.out" >&2; die "pgbench $1 failed"; }
	awk '/^tps/ { printf "%.0f", $3 }' "$1.out"
}
PGB_LOOKUP=$(pgb "$RUN/pgb-lookup.sql")
PGB_AUTH=$(pgb "$RUN/pgb-auth.sql")
PLAN_AUTH=$(psql 2>&1 <<EOF
\\pset pager off
PREPARE a(bytea, text) AS $(stmt_sql mcp_auth | sed 's/;$//');
SET plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE a('\\x$TOKHEX', '$MCP_URL');
EOF
)
PGB_CALL=$(pgb "$RUN/pgb-call.sql")
PGB_SEARCH=$(pgb "$RUN/pgb-search.sql")
PGB_CALL_BROAD=$(pgb "$RUN/pgb-call.sql" "$ARGS_BROAD")
PGB_Q_NOW=$(pgb "$RUN/pgb-q-now.sql")
PGB_Q_NARROW=$(pgb "$RUN/pgb-q-narrow.sql")
PGB_Q_NARROW_RANK=$(pgb "$RUN/pgb-q-narrow-rank.sql")
PGB_QB_NOW=$(pgb "$RUN/pgb-q-now.sql" "$ARGS" "$QUERY_BROAD")
PGB_QB_NARROW=$(pgb "$RUN/pgb-q-narrow.sql" "$ARGS" "$QUERY_BROAD")
PGB_QB_NARROW_RANK=$(pgb "$RUN/pgb-q-narrow-rank.sql" "$ARGS" "$QUERY_BROAD")
PLAN_NARROW=$(psql -v q="$QUERY" 2>&1 <<'EOF'
\pset pager off
PREPARE s(text) AS WITH q AS MATERIALIZED (SELECT websearch_to_tsquery('english', $1) AS q)
SELECT x.doc_id, ts_rank_cd(x.tsv, q.q) AS rank FROM bench_exp.docidx x, q
 WHERE x.tsv @@ q.q AND (x.owner_id IS NULL OR x.owner_id = 1) ORDER BY rank DESC, x.doc_id LIMIT 10;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE s(:'q');
EOF
)

# ---- 7. the report ---------------------------------------------------------------------

say "writing the report"
mkdir -p "$RESULTS"
OUT=$RESULTS/mcp-$(date -u +%F).md
# per-row statistics: median (min-max) of req/s; medians of the rest
STATS=$RUN/raw/stats.tsv
awk -F'\t' 'NR > 1 {
	id = $1; n[id]++; k = n[id]
	rps[id, k] = $3; p50[id, k] = $4; p99[id, k] = $5; non[id] += $7; serr[id] += $8
	cpu[id, k] = $9 + $10 + $11 + $12; fr[id, k] = $9; ap[id, k] = $10; pg[id, k] = $11; nd[id, k] = $12
	if (!(id in oth) || $15 > oth[id]) oth[id] = $15 < 0 ? 0 : $15
	runs[id] = runs[id] (k > 1 ? " / " : "") sprintf("%.0f", $3)
	if (!(id in seen)) { seen[id] = 1; order[++m] = id }
}
function med(a, id, cnt,    i, j, t, v) {
	for (i = 1; i <= cnt; i++) v[i] = a[id, i]
	for (i = 1; i <= cnt; i++) for (j = i + 1; j <= cnt; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
	return cnt % 2 ? v[(cnt + 1) / 2] : (v[cnt / 2] + v[cnt / 2 + 1]) / 2
}
function mn(a, id, cnt,   i, x) { x = a[id, 1]; for (i = 2; i <= cnt; i++) if (a[id, i] + 0 < x + 0) x = a[id, i]; return x }
function mx(a, id, cnt,   i, x) { x = a[id, 1]; for (i = 2; i <= cnt; i++) if (a[id, i] + 0 > x + 0) x = a[id, i]; return x }
END {
	for (i = 1; i <= m; i++) {
		id = order[i]; c = n[id]
		printf "%s\t%.0f\t%.0f\t%.0f\t%.2f\t%.2f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d\t%.0f\t%s\n", id,
		    med(rps, id, c), mn(rps, id, c), mx(rps, id, c), med(p50, id, c), med(p99, id, c),
		    med(cpu, id, c), med(fr, id, c), med(ap, id, c), med(pg, id, c), med(nd, id, c),
		    non[id], serr[id], oth[id], runs[id]
	}
}' "$TSV" >"$STATS"
st() { awk -F'\t' -v id="$1" -v c="$2" '$1 == id { print $c }' "$STATS"; }
CEIL_A=$(st a 2)
best_sdk() {   # list|call -> "id median"
	local best='' bv=0 id v
	for id in "v1_$1" "v2_$1"; do
		v=$(st "$id" 2); [ -n "$v" ] || continue
		if [ "$v" -gt "$bv" ]; then best=$id; bv=$v; fi
	done
	printf '%s %s\n' "$best" "$bv"
}
read -r SDK_LIST_ID SDK_LIST <<<"$(best_sdk list)"
read -r SDK_CALL_ID SDK_CALL <<<"$(best_sdk call)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "–"; else printf "%.2f", a / b }'; }
fmt() {   # 12345 -> 12,345
	awk -v v="$1" 'BEGIN { if (v == "") { print "–"; exit }
		s = sprintf("%.0f", v); o = ""
		while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
		print s o }'
}

v() { "$@" 2>&1 | sed -n 1p; }
GIT_REV=$(cd "$TOP" && git rev-parse --short HEAD 2>/dev/null || echo '?')
GIT_DIRTY=$(cd "$TOP" && git status --porcelain -- src sql conf Makefile.am configure.ac 2>/dev/null | wc -l)
{
	echo "# MCP benchmark of mcpgate, $(date -u +%F)"
	echo
	echo "Written by \`bench/mcp.sh\` ($T_START–$T_END UTC). Every number below comes from that one run."
	echo
	echo "## Machine, versions, settings"
	echo
	echo "- **Machine:** $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); kernel $(uname -r); $(. /etc/os-release && echo "$PRETTY_NAME")."
	echo "- **mcpgate:** commit $GIT_REV$([ "$GIT_DIRTY" -gt 0 ] && echo " plus $GIT_DIRTY uncommitted changed files in src/ sql/ conf/ (the work tree was measured)"), built with \`CFLAGS=-O2\` ($(cc --version | sed -n 1p)); log_level warn."
	echo "- **Software:** $(v lighttpd -v | sed 's/ - a light.*//'); PostgreSQL $("$PGBIN/postgres" --version | awk '{ print $3 }') (private cluster, durable defaults: fsync on, synchronous_commit on; Unix socket); $(dpkg-query -W -f='libfcgi ${Version}, ' libfcgi0ldbl 2>/dev/null)$(dpkg-query -W -f='libpq ${Version}, ' libpq5 2>/dev/null)$(dpkg-query -W -f='libsodium ${Version}, ' libsodium23 2>/dev/null)$(dpkg-query -W -f='cJSON ${Version}' libcjson1 2>/dev/null); $(wrk -v 2>&1 | awk 'NR == 1 { print "wrk", $2 }'); $(valgrind --version); Node $(node -v)."
	echo "- **SDK peers** (bench/sdk/, stateless, JSON answers, a bearer check against one fixed token, one zod-typed \`echo\` tool, a new McpServer per request as each SDK's docs do it; node:cluster ×$PROCS): @modelcontextprotocol/sdk $(pkgver @modelcontextprotocol/sdk) (\`enableJsonResponse: true\`, requests in the 2025-06-18 form); @modelcontextprotocol/server $(pkgver @modelcontextprotocol/server) with @modelcontextprotocol/node $(pkgver @modelcontextprotocol/node), @modelcontextprotocol/express $(pkgver @modelcontextprotocol/express) (\`createMcpHandler(…, { responseMode: 'json' })\`, requests in the 2026-07-28 form, which v2 answers with JSON); express $(pkgver express), zod $(pkgver zod)."
	echo "- **Front end:** lighttpd with mod_fastcgi, $PROCS processes per program (\`STACK_LIGHTTPD_MAX_PROCS=$PROCS\`), scripts/stack.sh's configuration (access log on). The ceilings run behind the same lighttpd, routed like mcpgate's programs (a rewrite to an internal FastCGI prefix)."
	echo "- **Data:** $NDOC_ROWS generated documents (bench/gen-docs.awk: words drawn with their frequencies from bench/words.txt, $(awk '!/^#/' "$BENCH/words.txt" | wc -l) words; about 260 words each), $NTOK_ROWS token rows (access and refresh) in $NFAM_ROWS token families; database $DB_SIZE; loaded in $LOAD_SECONDS s. The search query \"$QUERY\" matches $NMATCH documents; search returns the best $NRESULTS."
	echo "- **Load:** \`wrk -t$THREADS -c$CONNS -d${DURATION}s --latency\` with bench/wrk/request.lua (fixed method, body and headers: no Lua per request), keep-alive, over loopback, on the same $(nproc) CPUs as the servers. Each row was checked once with curl (status and body), warmed for ${WARMUP} s, then measured in $ROUNDS round-robin rounds (every row once per round). req/s: median of the $ROUNDS runs (min–max); p50/p99: medians of the runs' wrk percentiles."
	echo "- **Server CPU µs/req:** utime+stime from /proc of lighttpd, its FastCGI programs, all PostgreSQL processes, and the node clusters, over the run, divided by the requests (median of the rounds). *other %*: the highest, over the rounds, of the busy CPU that is neither the servers nor wrk (other tenants, idle peers, kernel threads), in % of one CPU: above ~10 % a row was disturbed."
	echo
	echo "## Results"
	echo
	echo "Ratios are of medians: *÷ (a)* to ceiling (a); *÷ SDK* to the faster SDK server for the same kind of request (tools/list rows and the other non-tool rows: $SDK_LIST_ID, $(fmt "$SDK_LIST") req/s; tools/call rows: $SDK_CALL_ID, $(fmt "$SDK_CALL") req/s)."
	echo
	echo "| row | req/s median (min–max) | p50 ms | p99 ms | ÷ (a) | ÷ SDK | server CPU µs/req (lighttpd + program + PostgreSQL, or node) | other % | runs (req/s, in round order) |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for id in "${IDS[@]}"; do
		IFS=$'\t' read -r _ med lo hi p50 p99 cpu fr ap pgc nd non serr oth runs <<<"$(grep -P "^$id\t" "$STATS")"
		if [ "${R_KIND[$id]}" = call ]; then sdk=$SDK_CALL; else sdk=$SDK_LIST; fi
		case $id in v1_* | v2_*) split="node $nd" ;; b) split="$fr + $ap" ;; *) split="$fr + $ap + $pgc" ;; esac
		errs=''
		[ "$serr" -gt 0 ] && errs=" ($serr socket errors)"
		[ "$non" -gt 0 ] && [ "${R_STATUS[$id]}" = 200 ] && errs="$errs ($non non-2xx)"
		printf '| %s `%s` | **%s** (%s–%s)%s | %s | %s | %s | %s | %s = %s | %s | %s |\n' \
			"${R_WHAT[$id]}" "$id" "$(fmt "$med")" "$(fmt "$lo")" "$(fmt "$hi")" "$errs" "$p50" "$p99" \
			"$(ratio "$med" "$CEIL_A")" "$(ratio "$med" "$sdk")" "$cpu" "$split" "$oth" "$runs"
	done
	echo
	echo "All answers of the 401 row are 401 by design; every other row had 0 non-2xx answers and 0 socket errors unless the table says otherwise."
	echo
	M_LIST=$(st m_list 2); M_SEARCH=$(st m_search 2)
	if [ -n "$M_LIST" ] && [ -n "$CEIL_A" ] && [ -n "$M_SEARCH" ] && [ -n "$SDK_CALL" ]; then
		echo "## Targets"
		echo
		echo "| target | measured | result |"
		echo "|---|---|---|"
		awk -v m="$M_LIST" -v c="$CEIL_A" 'BEGIN { r = m / c; printf "| tools/list with its token check ≥ 90 %% of ceiling (a) | %d / %d = **%.0f %%** | %s |\n", m, c, 100 * r, (r >= 0.9 ? "met" : "**missed**") }'
		awk -v m="$M_SEARCH" -v c="$SDK_CALL" -v id="$SDK_CALL_ID" 'BEGIN { r = m / c; printf "| tools/call search over the documents ≥ 3× the faster SDK server'"'"'s trivial tool (%s) | %d / %d = **%.2f×** | %s |\n", id, m, c, r, (r >= 3 ? "met" : "**missed**") }'
		echo
	fi
	echo "## Instructions (callgrind, user space of the mcp program only)"
	echo
	echo "PostgreSQL's side and the kernel are not in these counts (see the CPU column above for them)."
	echo
	echo "| what | Ir |"
	echo "|---|---|"
	echo "| CGI, one tools/list request (process start, dynamic linking, config, connect, schema check, PREPARE of every statement, the request) | $(fmt "$CGI_LIST") |"
	echo "| CGI, one tools/call search request | $(fmt "$CGI_SEARCH") |"
	echo "| CGI, one request without a token (401) | $(fmt "$CGI_401") |"
	echo "| **FastCGI, one tools/list request, steady state** (median of requests 6–$FCGI_N in one process; min–max $(fmt "$FC_LIST_MIN")–$(fmt "$FC_LIST_MAX")) | **$(fmt "$FC_LIST")** |"
	echo "| **FastCGI, one tools/call search request, steady state** (min–max $(fmt "$FC_SEARCH_MIN")–$(fmt "$FC_SEARCH_MAX")) | **$(fmt "$FC_SEARCH")** |"
	echo "| FastCGI, one tools/call search request, broad query | $(fmt "$FC_BROAD") |"
	echo "| FastCGI, one 401 request | $(fmt "$FC_401") |"
	echo "| FastCGI, ceiling (a) per request (SHA-256 + one lookup) | $(fmt "$FC_CPG") |"
	echo "| FastCGI, ceiling (b) per request | $(fmt "$FC_CBARE") |"
	echo
	echo "System calls per request of the FastCGI process (strace -ff, 25 requests minus 5, / 20): mcpgate tools/list $SYS_LIST, tools/call search $SYS_SEARCH; ceiling (a) $SYS_CPG, ceiling (b) $SYS_CBARE."
	echo
	echo "FastCGI counts: bench/fcgi-drive.c feeds $FCGI_N requests to one process over a new Unix-socket connection each (as lighttpd does) and callgrind dumps at every entry to \`FCGX_Accept_r\` (\`--dump-before\`), so each dump is one whole request: accept, parameters, body, handling, answer. So a CGI request costs its CGI count, and a request in a running FastCGI process its steady-state count; the difference ($(fmt $((CGI_LIST - FC_LIST))) for tools/list) is the start-up that FastCGI pays once."
	echo
	echo "Where the CGI tools/list request's $(fmt "$CGI_LIST") go (inclusive Ir):"
	echo
	echo "| Ir | function | object |"
	echo "|---|---|---|"
	echo "$INC_CGI"
	echo
	echo "Top of one steady-state FastCGI tools/list request (self Ir by function):"
	echo
	echo "| Ir | function | object |"
	echo "|---|---|---|"
	echo "$TOP_LIST"
	echo
	echo "The same request, inclusive Ir (a function with everything it calls):"
	echo
	echo "| Ir | function | object |"
	echo "|---|---|---|"
	echo "$INC_LIST"
	echo
	echo "Top of one steady-state FastCGI tools/call search request:"
	echo
	echo "| Ir | function | object |"
	echo "|---|---|---|"
	echo "$TOP_SEARCH"
	echo
	echo "Inclusive:"
	echo
	echo "| Ir | function | object |"
	echo "|---|---|---|"
	echo "$INC_SEARCH"
	echo
	echo "## The database alone (pgbench, prepared, 2 clients, ${PGB_SECS:-5} s, same machine)"
	echo
	echo "| statements per transaction | transactions/s |"
	echo "|---|---|"
	echo "| ceiling (a)'s lookup by token hash | $(fmt "$PGB_LOOKUP") |"
	echo "| mcpgate's \`mcp_auth\`, the one statement of a tools/list: \`$(cat "$RUN/pgb-auth.sql")\` | $(fmt "$PGB_AUTH") |"
	echo "| mcpgate's \`mcp_call\` with the search tool: \`$(cat "$RUN/pgb-call.sql")\` | $(fmt "$PGB_CALL") |"
	echo "| \`mcp_auth\` then \`mcp_call\` search: the statements of a tools/call search | $(fmt "$PGB_SEARCH") |"
	echo "| \`mcp_call\` search alone, broad query | $(fmt "$PGB_CALL_BROAD") |"
	echo
	echo "Plan of \`mcp_auth\` (generic, as the prepared statement runs):"
	echo
	echo '```'
	echo "$PLAN_AUTH"
	echo '```'
	echo
	echo "What a change of the search's SQL would buy (the ranking query alone, tsquery computed once; on a scratch copy \`bench_exp.docidx(doc_id, owner_id, tsv)\` with \`STORAGE MAIN\` and \`toast_tuple_target = 8160\`, so the tsvector stays in the heap row instead of TOAST):"
	echo
	echo "| ranking query | \"$QUERY\" ($NMATCH matches), q/s | \"$QUERY_BROAD\" ($NMATCH_BROAD matches), q/s |"
	echo "|---|---|---|"
	echo "| as in tool_search: mcpgate.documents, ts_rank_cd | $(fmt "$PGB_Q_NOW") | $(fmt "$PGB_QB_NOW") |"
	echo "| narrow table, tsvector inline, ts_rank_cd (same results) | $(fmt "$PGB_Q_NARROW") | $(fmt "$PGB_QB_NARROW") |"
	echo "| narrow table, ts_rank instead of ts_rank_cd (other ranking) | $(fmt "$PGB_Q_NARROW_RANK") | $(fmt "$PGB_QB_NARROW_RANK") |"
	echo
	echo "Plan of the narrow-table query (generic parameter, as a prepared statement):"
	echo
	echo '```'
	echo "$PLAN_NARROW"
	echo '```'
	echo
	echo "## EXPLAIN ANALYZE of the search"
	echo
	echo "auto_explain (nested statements, analyze, buffers) of one \`mcpgate.call_tool('search', …)\`, the 7th in its session, as PL/pgSQL runs it. \"$QUERY\" ($NMATCH matches):"
	echo
	echo '```'
	echo "$EXPLAIN"
	echo '```'
	echo
	echo "\"$QUERY_BROAD\" ($NMATCH_BROAD matches):"
	echo
	echo '```'
	echo "$EXPLAIN_BROAD"
	echo '```'
} >"$OUT"
cat "$OUT"
say "report: $OUT (raw runs: ${OUT%.md}.runs.tsv)"
