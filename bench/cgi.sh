#!/bin/bash
# bench/cgi.sh -- mcpgate in plain-CGI mode (Apache mod_cgid, a process per
# request, as on a shared host without mod_fcgid), with the same requests
# through Apache mod_fcgid for comparison, in one command:
#
#   bench/cgi.sh            (5-6 minutes; not a test; run it as root
#                            for the CPU of the CGI processes, see 3.)
#
# What it does, all on 127.0.0.1 and in bench/build-cgi/ (its run/ is
# removed and made anew each run; the build is incremental):
#  1. builds mcpgate in release mode as bench/mcp.sh does (a copy of the
#     work tree in bench/build-cgi/tree/src: autoreconf -fi; configure
#     CFLAGS=-O2 in tree/obj; make), never in bench/build (mcp.sh's). If
#     the work tree does not build (someone in the middle of a change), it
#     builds BENCH_REV (default HEAD) from git instead and the report says
#     so. Also bench/build-cgi/bin/cgi-run (fork, exec, wait4 in a loop,
#     from a C file this script writes) and a few tiny reference programs;
#  2. starts a private PostgreSQL (scripts/stack.sh, durable defaults) that
#     also listens on 127.0.0.1:5432 when that is free (for the TCP
#     variants of step 7), with the same 10 000 generated documents, tokens
#     and query as bench/mcp.sh, and a role that logs in with SCRAM;
#  3. starts two private Apaches, stack_apache_start ... cgi (mod_cgid) and
#     ... fcgid (mod_fcgid), both with conf/apache/mcpgate.conf unchanged.
#     mod_cgid's daemon does not wait for its CGI processes, so /proc never
#     shows their CPU: when /sys/fs/cgroup/cpuacct is writable, the cgi
#     Apache goes into a cpuacct cgroup of its own (removed on exit);
#  4. checks each request once, then for each of two low loads (wrk -t1 -c1:
#     one request at a time; wrk -t2 -c4) and each row (metadata GET,
#     tools/call search; mod_cgid and mod_fcgid; at -c1 also the CGI rows
#     with "Connection: close") warms up and measures BENCH_ROUNDS
#     round-robin rounds of BENCH_DURATION seconds: p50/p99 latency, req/s,
#     Apache's own time (%D), server CPU, and "other %" (busy CPU that is
#     neither the servers nor wrk); then counts mod_cgid's clean-up sleeps
#     with perf trace (3 s);
#  5. takes one CGI request apart without Apache: the programs run directly
#     as CGI programs (cgi-run: wall time and the program's CPU from wait4,
#     PostgreSQL's CPU from the postmaster's reaped children) for requests
#     that stop after start-up (405), after the database set-up (401) and
#     after the whole search, beside a libc-only program, one linking libpq
#     (and parts of its library chain), and a bare libpq connection;
#  6. profiles 60 direct searches with perf record (cpu-clock), program and
#     PostgreSQL side, LD_DEBUG=statistics and strace -c -f;
#  7. measures options on scratch configurations and builds (never src/):
#     conninfo variants (Unix socket or TCP, sslmode/gssencmode, SCRAM),
#     lazy PREPARE (a patched copy of db.c), well-known without libpq;
#  8. writes bench/results/cgi-YYYY-MM-DD.md (and the raw runs,
#     cgi-YYYY-MM-DD.runs.tsv) and prints the report.
# Everything it started is stopped on exit, whatever happens.
#
# Environment:
#   BENCH_DURATION  seconds per wrk run (10)      BENCH_ROUNDS  rounds (2)
#   BENCH_WARMUP    seconds of warm-up per mod_fcgid row and load (2; +4 at
#                   -c4; CGI rows: 1)
#   BENCH_DOCS      documents (10000)             BENCH_TOKENS  token rows (5000)
#   BENCH_QUERY     the search query (as bench/mcp.sh: "database migration")
#   BENCH_DIRECT_N  direct CGI runs per variant in steps 5 and 7 (60)
#   BENCH_REV       the git revision built when the work tree does not (HEAD)
#   BENCH_KEEP=1    keep bench/build-cgi/run after the run (logs, raw output)
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$BENCH/lib.sh"
bench_dirs build-cgi

DURATION=${BENCH_DURATION:-10}
ROUNDS=${BENCH_ROUNDS:-2}
WARMUP=${BENCH_WARMUP:-2}
NDOCS=${BENCH_DOCS:-10000}
NTOKENS=${BENCH_TOKENS:-5000}
QUERY=${BENCH_QUERY:-database migration}
DIRECT_N=${BENCH_DIRECT_N:-60}
# the two loads: "threads connections"
LOADS=("1 1" "2 4")

say() { printf '== %s %s\n' "$(date -u +%T)" "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# ---- 0. tools ----------------------------------------------------------------

need=()
for c in cc autoreconf make pkg-config apache2 curl jq awk wrk git; do
	command -v "$c" >/dev/null 2>&1 || [ -x "/usr/sbin/$c" ] || need+=("$c")
done
[ ${#need[@]} -eq 0 ] || die "missing: ${need[*]} (bench/mcp.sh installs wrk; apt-get install apache2 libapache2-mod-fcgid)"
[ -f /usr/lib/apache2/modules/mod_fcgid.so ] || [ -n "${STACK_APACHE_MODULES:-}" ] ||
	die "mod_fcgid is missing: apt-get install libapache2-mod-fcgid"
HAVE_STRACE=0; command -v strace >/dev/null 2>&1 && HAVE_STRACE=1

# shellcheck source=../scripts/stack.sh
. "$TOP/scripts/stack.sh"
PGBIN=$(_stack_pg_bindir) || die "no PostgreSQL server programs"

# ---- clean-up ----------------------------------------------------------------

CG='' PT_PID='' PR_PID=''
cleanup() {
	local rc=$? p
	trap '' INT TERM HUP
	# the perf processes this script started (trace, record), if still running
	for p in "$PT_PID" "$PR_PID"; do
		[ -n "$p" ] && kill -INT "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	[ -d "$RUN/apache-cgi" ] && stack_apache_stop "$RUN/apache-cgi"
	if [ -n "$CG" ] && [ -d "$CG" ]; then
		for _ in 1 2 3 4 5; do rmdir "$CG" 2>/dev/null && break; sleep 0.2; done
	fi
	[ -d "$RUN/apache-fcgid" ] && stack_apache_stop "$RUN/apache-fcgid"
	[ -d "$RUN/pg" ] && stack_pg_stop "$RUN/pg"
	bench_finish "$rc" "${BENCH_KEEP:-0}"
}
bench_traps

# ---- 1. build ------------------------------------------------------------------

mkdir -p "$BUILD" "$BIN"
chmod 755 "$BUILD"
# build DIR: the release build in DIR/src -> DIR/obj, logs in DIR
build_tree() { bench_build_tree "$1" "$1" -O2 well-known mcp; }
say "building mcpgate (release: CFLAGS=-O2) in $BUILD"
# The work tree as git sees it, as bench/mcp.sh copies it.
TREE=$BUILD/tree
bench_copy_tree "$TREE"
if build_tree "$TREE"; then
	MEASURED=$WORKTREE_MEASURED
else
	REV=${BENCH_REV:-HEAD}
	REVID=$(cd "$TOP" && git rev-parse --short "$REV") || die "no revision $REV"
	say "the work tree does not build ($TREE/make.log); building $REV ($REVID) instead"
	TREE=$BUILD/rev
	bench_rev_tree "$REVID" "$TREE"
	build_tree "$TREE" || die "building $REV failed too: $TREE/make.log"
	MEASURED="commit $REVID ($REV; the work tree did not build at the time: it was in the middle of a change)"
fi
SRC=$TREE/src
OBJ=$TREE/obj

# cgi-run N BODY OUT -- PROGRAM: run PROGRAM N times one after the other as
# a CGI program (the environment as given; stdin BODY or /dev/null; the
# first run's stdout to OUT, the others' to /dev/null) and print, per run,
# wall µs (fork to wait4), the program's user and system µs (wait4's
# rusage), and its exit status.
cat >"$BIN/cgi-run.c" <<'EOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long us(struct timeval t) { return t.tv_sec * 1000000LL + t.tv_usec; }

int
main(int argc, char **argv)
{
	struct timespec a, b;
	struct rusage ru;
	int i, n, st, fd;
	pid_t pid;

	if (argc < 6 || strcmp(argv[4], "--") != 0) {
		fprintf(stderr, "usage: cgi-run N BODY|- OUT -- PROGRAM [ARGS]\n");
		return 2;
	}
	n = atoi(argv[1]);
	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		if ((pid = fork()) == -1) { perror("fork"); return 1; }
		if (pid == 0) {
			fd = open(strcmp(argv[2], "-") ? argv[2] : "/dev/null", O_RDONLY);
			if (fd == -1 || dup2(fd, 0) == -1) _exit(126);
			fd = open(i == 0 ? argv[3] : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd == -1 || dup2(fd, 1) == -1) _exit(126);
			execv(argv[5], argv + 5);
			_exit(127);
		}
		if (wait4(pid, &st, 0, &ru) == -1) { perror("wait4"); return 1; }
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("%lld %lld %lld %d\n",
		    (b.tv_sec - a.tv_sec) * 1000000LL + (b.tv_nsec - a.tv_nsec) / 1000,
		    us(ru.ru_utime), us(ru.ru_stime), WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	return 0;
}
EOF
cc -O2 -Wall -o "$BIN/cgi-run" "$BIN/cgi-run.c" || die "building cgi-run failed"

# ---- 2. PostgreSQL and data ------------------------------------------------------

rm -rf "$RUN"
mkdir -p "$RUN/raw" "$RUN/req"
chmod 755 "$RUN"
say "starting PostgreSQL (durable defaults) in $RUN/pg"
unset STACK_PG_FAST
bench_pg_start mcpgate_bench

# The ports are needed now: a token's resource is the MCP URL.
PORT_CGI=$(stack_free_port) || die "no free port"
PORT_FCGID=$(stack_free_port) || die "no free port"
[ "$PORT_CGI" != "$PORT_FCGID" ] || PORT_FCGID=$(stack_free_port)
# The token the load uses: 256 random bits, base64url, as /token issues.
# One per front end (a token's resource is the MCP URL, which has the port).
TOKEN=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
TOKEN_F=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
MCP_URL=http://127.0.0.1:$PORT_CGI/mcp
MCP_URL_F=http://127.0.0.1:$PORT_FCGID/mcp

say "generating $NDOCS documents and $NTOKENS tokens"
# From here to NMATCH: copied from bench/mcp.sh, step 2 (the same
# documents, tokens and query; factoring it out would mean changing
# mcp.sh), plus the second bench token for the mod_fcgid port.
awk -v docs="$NDOCS" -v seed=42 -f "$BENCH/gen-docs.awk" "$BENCH/words.txt" >"$RUN/docs.tsv"
psql -c "\\copy mcpgate.documents (doc_id, title, body, metadata, language) FROM '$RUN/docs.tsv'"
psql -v token="$TOKEN" -v resource="$MCP_URL" -v ntokens="$NTOKENS" \
	-v token_f="$TOKEN_F" -v resource_f="$MCP_URL_F" <<'EOF'
BEGIN;
INSERT INTO mcpgate.clients (client_id, token_endpoint_auth_method, redirect_uris, client_name, registration)
VALUES ('bench-client', 'none', '{http://127.0.0.1/callback}', 'bench', 'admin');
INSERT INTO mcpgate.users (username) VALUES ('bench');
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
-- (not in mcp.sh) the token for the mod_fcgid Apache, in a family of its own
WITH f AS (INSERT INTO mcpgate.token_families (client_id, user_id, scope, resource)
           SELECT 'bench-client', user_id, 'mcp:read', :'resource_f' FROM mcpgate.users WHERE username = 'bench'
           RETURNING *)
INSERT INTO mcpgate.tokens (token_hash, kind, family_id, client_id, user_id, scope, resource, expires_at)
SELECT sha256(convert_to(:'token_f', 'UTF8')), 'access', family_id, client_id, user_id, scope, resource,
       now() + interval '1 day' FROM f;
COMMIT;
VACUUM ANALYZE;
EOF
NDOC_ROWS=$(psql -A -t -c 'SELECT count(*) FROM mcpgate.documents')
NTOK_ROWS=$(psql -A -t -c 'SELECT count(*) FROM mcpgate.tokens')
NMATCH=$(psql -A -t -v q="$QUERY" <<<"SELECT count(*) FROM mcpgate.documents WHERE tsv @@ websearch_to_tsquery('english', :'q')")
[ "$NMATCH" -gt 0 ] || die "the query '$QUERY' matches no document"
NSTMTS=$(grep -c '^[[:space:]]*\[STMT_[A-Z0-9_]*\] *= *{' "$SRC/src/lib/db_stmt.c" || true)

# TCP on 127.0.0.1:5432 as well (for the conninfo variants of step 7), and
# a role that logs in with SCRAM (as a shared host's database user does);
# the benchmark itself uses the Unix socket with trust, as mcp.sh.
PG_TCP=0
if [ -z "$(ss -Htln 'sport = :5432' 2>/dev/null)" ]; then
	psql -c "ALTER SYSTEM SET listen_addresses = '127.0.0.1'"
	stack_pg_restart "$RUN/pg" || die "PostgreSQL did not restart"
	"$PGBIN/pg_isready" -q -h 127.0.0.1 -p 5432 && PG_TCP=1
fi
[ "$PG_TCP" = 1 ] || say "127.0.0.1:5432 is taken: the TCP variants are skipped"
SCRAM_PW=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
psql -v pw="$SCRAM_PW" <<'EOF'
SET password_encryption = 'scram-sha-256';
CREATE ROLE bench_scram LOGIN PASSWORD :'pw' IN ROLE mcpgate;
EOF
HBA=$RUN/pg/pgdata/pg_hba.conf
{ printf 'local all bench_scram scram-sha-256\nhost all bench_scram 127.0.0.1/32 scram-sha-256\n'; cat "$HBA"; } >"$HBA.new"
[ "$(id -u)" = 0 ] && chown --reference="$HBA" "$HBA.new"
mv "$HBA.new" "$HBA"
psql -A -t -c 'SELECT pg_reload_conf()' >/dev/null

# ---- 3. front ends ------------------------------------------------------------------

CGIBIN=$RUN/cgi-bin
stack_install_programs "$OBJ/cgi-bin" "$CGIBIN" well-known mcp || die "installing the programs failed"
# log_level warn as in mcp.sh's runs (the default)
stack_write_config "$RUN/mcpgate-cgi.conf" "http://127.0.0.1:$PORT_CGI" "$CONNINFO" || die "config"
stack_write_config "$RUN/mcpgate-fcgid.conf" "http://127.0.0.1:$PORT_FCGID" "$CONNINFO" || die "config"
export STACK_MCPGATE_HTDOCS=$SRC/htdocs
say "starting Apache mod_cgid on 127.0.0.1:$PORT_CGI and Apache mod_fcgid on 127.0.0.1:$PORT_FCGID"
stack_apache_start "$RUN/apache-cgi" "$PORT_CGI" "$CGIBIN" "$RUN/mcpgate-cgi.conf" "$SRC" cgi ||
	die "Apache (cgi) did not start"
stack_apache_start "$RUN/apache-fcgid" "$PORT_FCGID" "$CGIBIN" "$RUN/mcpgate-fcgid.conf" "$SRC" fcgid ||
	die "Apache (fcgid) did not start"
# mod_cgid's daemon does not wait for its CGI processes (the kernel reaps
# them), so their CPU reaches no parent's children ticks in /proc. When a
# cgroup v1 cpuacct hierarchy is writable (root), the cgi Apache's
# processes go into a group of their own, whose usage counts every CGI
# process, finished or not; the group is removed on exit. Otherwise the CGI
# processes' CPU shows up in "other %" and the report says so.
if [ -w /sys/fs/cgroup/cpuacct/cgroup.procs ] && mkdir "/sys/fs/cgroup/cpuacct/mcpgate-bench-cgi.$$" 2>/dev/null; then
	CG=/sys/fs/cgroup/cpuacct/mcpgate-bench-cgi.$$
	for pid in $(ps -eo pid=,sid= | awk -v s="$(cat "$RUN/apache-cgi/apache.sid")" '$2 == s { print $1 }'); do
		echo "$pid" >"$CG/cgroup.procs" 2>/dev/null || true
	done
fi
grep -q 'cgid_module' "$RUN/apache-cgi/httpd.conf" && ! grep -q '^[[:space:]]*LoadModule fcgid' "$RUN/apache-cgi/httpd.conf" ||
	die "the cgi Apache loads mod_fcgid"

# ---- 4. the rows -----------------------------------------------------------------------

REQ=$RUN/req
jq -cn --arg q "$QUERY" '{jsonrpc:"2.0",id:2,method:"tools/call",params:{name:"search",arguments:{query:$q}}}' >"$REQ/search.json"
printf '%s' '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}' >"$REQ/list.json"
H_JSON=$'Content-Type: application/json\nAccept: application/json, text/event-stream'
H25=$'\nMCP-Protocol-Version: 2025-06-18'
META_PATH=/.well-known/oauth-protected-resource/mcp
H_CLOSE=$'\nConnection: close'

# id|what|method|url|body|headers|expected status|expected body text
# The *_close rows (the same requests, a new connection each) run at
# -t1 -c1 only: they show what keep-alive costs under mod_cgid (see the
# report).
ROWS=(
"cgi_meta|**CGI** (mod_cgid): GET $META_PATH|GET|http://127.0.0.1:$PORT_CGI$META_PATH|-|Accept: application/json|200|authorization_servers"
"cgi_search|**CGI** (mod_cgid): POST /mcp tools/call search|POST|$MCP_URL|search.json|$H_JSON"$'\n'"Authorization: Bearer $TOKEN$H25|200|\"doc-"
"fcgid_meta|FastCGI (mod_fcgid): GET $META_PATH|GET|http://127.0.0.1:$PORT_FCGID$META_PATH|-|Accept: application/json|200|authorization_servers"
"fcgid_search|FastCGI (mod_fcgid): POST /mcp tools/call search|POST|$MCP_URL_F|search.json|$H_JSON"$'\n'"Authorization: Bearer $TOKEN_F$H25|200|\"doc-"
"cgi_meta_close|CGI (mod_cgid): GET $META_PATH, \`Connection: close\`|GET|http://127.0.0.1:$PORT_CGI$META_PATH|-|Accept: application/json$H_CLOSE|200|authorization_servers"
"cgi_search_close|CGI (mod_cgid): tools/call search, \`Connection: close\`|POST|$MCP_URL|search.json|$H_JSON"$'\n'"Authorization: Bearer $TOKEN$H25$H_CLOSE|200|\"doc-"
)
declare -A R_WHAT R_METHOD R_URL R_BODY R_HDR R_STATUS R_EXPECT
IDS=()
for row in "${ROWS[@]}"; do
	id=$(row_field "$row" 0)
	IDS+=("$id")
	R_WHAT[$id]=$(row_field "$row" 1); R_METHOD[$id]=$(row_field "$row" 2)
	R_URL[$id]=$(row_field "$row" 3); R_BODY[$id]=$(row_field "$row" 4)
	R_HDR[$id]=$(row_field "$row" 5); R_STATUS[$id]=$(row_field "$row" 6)
	R_EXPECT[$id]=$(row_field "$row" 7)
done
ids_for() {   # CONNS -> the row ids run at that load
	local id
	for id in "${IDS[@]}"; do
		[ "$1" != 1 ] && [[ $id == *_close ]] && continue
		printf '%s\n' "$id"
	done
}

probe() {   # ID: prints the status; the body goes to $REQ/ID.answer
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
		tail -n 5 "$RUN"/apache-*/apache-error.log >&2 2>/dev/null || true
		die "row $id does not answer as expected (${R_STATUS[$id]} with '${R_EXPECT[$id]}')"
	fi
	printf '   %-16s %s  %6d bytes\n' "$id" "$st" "$(wc -c <"$REQ/$id.answer")" >&2
done
NRESULTS=$(jq -r '.result.structuredContent.results // (.result.content[0].text | fromjson | .results) | length' "$REQ/cgi_search.answer" 2>/dev/null || echo '?')

# ---- 5. load ---------------------------------------------------------------------------

# "pid sid ppid comm own-ticks children-ticks" of every process: own =
# utime+stime, children = cutime+cstime (the children it waited for: the
# backends the postmaster reaps, the FastCGI processes mod_fcgid reaps).
ticks_all() {
	{ cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk '{
		pid = $1; s = $0; c = s; sub(/^[^(]*\(/, "", c); sub(/\) [^)]*$/, "", c); gsub(/ /, "_", c)
		sub(/^.*\) /, "", s); split(s, f, " ")
		print pid, f[4], f[2], c, f[12] + f[13], f[14] + f[15] }'
}
HZ=$(getconf CLK_TCK)
AC_SID=$(cat "$RUN/apache-cgi/apache.sid")
AF_SID=$(cat "$RUN/apache-fcgid/apache.sid")
pm_pid() { head -n 1 "$RUN/pg/pgdata/postmaster.pid"; }
PG_PM=$(pm_pid)

# Server CPU in ticks: "front app pg cgfront": front = the apache2
# processes of both Apaches, app = mcpgate's programs (live ones, and those
# reaped by their parent: mod_fcgid's), pg = the postmaster, its processes
# and the backends it reaped; cgfront = the cgi Apache's own apache2
# processes (subtracted from its cgroup's usage to get its CGI processes).
split_ticks() {
	awk -v a="$AC_SID" -v b="$AF_SID" -v pm="$PG_PM" '
		($2 == a || $2 == b) && $4 ~ /^apache2|^httpd/ { front += $5; app += $6; if ($2 == a) cgf += $5; next }
		$2 == a || $2 == b { app += $5 + $6; next }
		$1 == pm { pgt += $5 + $6; next }
		$3 == pm { pgt += $5 + $6; next }
		END { printf "%d %d %d %d\n", front, app, pgt, cgf }' "$1"
}
cg_usage() { if [ -n "$CG" ]; then cat "$CG/cpuacct.usage"; else echo 0; fi; }   # ns
access_log() { case $1 in cgi_*) echo "$RUN/apache-cgi/apache-access.log" ;; *) echo "$RUN/apache-fcgid/apache-access.log" ;; esac; }
# p50 of Apache's own time per request (%D: request read to logged) of
# the access log lines after line FROM, in ms
apache_p50() {
	tail -n +"$(($2 + 1))" "$1" | awk '{ v = $(NF - 1); sub(/us$/, "", v); print v }' | sort -n |
		awk '{ a[NR] = $1 } END { if (NR) printf "%.2f", a[int((NR + 1) / 2)] / 1000; else print "" }'
}

TSV=$RUN/raw/runs.tsv
printf 'id\tload\tround\treq_s\tp50_ms\tp99_ms\trequests\tnon2xx\tsocket_errors\tfront_us\tapp_us\tpg_us\twrk_us\tbusy_pct\tother_pct\tapache_p50_ms\n' >"$TSV"

wrk_run() {   # ID THREADS CONNS SECONDS OUTFILE
	local id=$1 body=
	[ "${R_BODY[$id]}" != - ] && body=$REQ/${R_BODY[$id]}
	BENCH_METHOD=${R_METHOD[$id]} BENCH_BODY_FILE=$body BENCH_HEADERS=${R_HDR[$id]} \
		wrk -t"$2" -c"$3" -d"${4}s" --latency -s "$BENCH/wrk/request.lua" "${R_URL[$id]}" >"$5" 2>&1
}

measure() {   # ID THREADS CONNS ROUND
	local id=$1 t=$2 c=$3 round=$4 out=$RUN/raw/$1.c$3.$4.txt
	local b0 b1 c0 c1 s0 s1 g0 g1 rps p50 p99 n non2xx serr log l0 ap50
	log=$(access_log "$id"); l0=$(wc -l <"$log")
	ticks_all >"$RUN/raw/t0"; read -r -a b0 <<<"$(busy_ticks)"; c0=$(self_child_ticks); g0=$(cg_usage)
	wrk_run "$id" "$t" "$c" "$DURATION" "$out"
	g1=$(cg_usage); c1=$(self_child_ticks); read -r -a b1 <<<"$(busy_ticks)"; ticks_all >"$RUN/raw/t1"
	read -r -a s0 <<<"$(split_ticks "$RUN/raw/t0")"
	read -r -a s1 <<<"$(split_ticks "$RUN/raw/t1")"
	ap50=$(apache_p50 "$log" "$l0")
	wrk_figures "$out"
	[ -n "$rps" ] && [ -n "$n" ] && [ "$n" -gt 0 ] || { cat "$out" >&2; die "wrk failed for $id"; }
	awk -v id="$id" -v load="t${t}c${c}" -v r="$round" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v n="$n" \
	    -v non2xx="$non2xx" -v serr="$serr" -v hz="$HZ" -v ap50="$ap50" \
	    -v fr=$((s1[0] - s0[0])) -v ap=$((s1[1] - s0[1])) -v pg=$((s1[2] - s0[2])) \
	    -v cgf=$((s1[3] - s0[3])) -v cg=$((g1 - g0)) \
	    -v wr=$((c1 - c0)) -v busy=$((b1[0] - b0[0])) -v tot=$((b1[1] - b0[1])) -v ncpu="$(nproc)" 'BEGIN {
		us = 1e6 / hz / n
		# the cgi Apache cgroup (ns): all but its apache2 processes are
		# CGI processes (in ticks, as the rest)
		if (cg > 0) { x = cg / 1e9 * hz - cgf; if (x > 0) ap += x }
		bp = tot > 0 ? 100 * busy / tot * ncpu : 0
		# busy CPU that is neither the servers nor wrk (other tenants,
		# kernel threads), as a share of one core
		op = tot > 0 ? 100 * (busy - fr - ap - pg - wr) / tot * ncpu : 0
		printf "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.0f\t%.0f\t%s\n",
		    id, load, r, rps, p50, p99, n, non2xx, serr, fr * us, ap * us, pg * us, wr * us, bp, op, ap50
	}' >>"$TSV"
	tail -n 1 "$TSV" | awk -F'\t' '{ printf "   %-16s %-5s round %s: %7.0f req/s  p50 %s ms (Apache %s)  p99 %s ms  server %.0f us/req  other %s%%\n", $1, $2, $3, $4, $5, $16, $6, $10 + $11 + $12, $15 }' >&2
}

say "warm-up: 1s per CGI row and load, ${WARMUP}s per mod_fcgid row (at -c4 $((WARMUP + 4))s, so it has started its processes)"
for l in "${LOADS[@]}"; do
	read -r t c <<<"$l"
	for id in $(ids_for "$c"); do
		[[ $id == *_close ]] && continue   # the keep-alive row warmed the same
		w=1   # a CGI row: nothing stays running to warm up
		[[ $id == fcgid_* ]] && w=$WARMUP
		[ "$c" -gt 1 ] && [[ $id == fcgid_* ]] && w=$((WARMUP + 4))
		wrk_run "$id" "$t" "$c" "$w" "$RUN/raw/$id.c$c.warmup.txt"
	done
done
T_START=$(date -u '+%Y-%m-%d %H:%M')
for round in $(seq "$ROUNDS"); do
	say "round $round of $ROUNDS (${DURATION}s per row and load)"
	for l in "${LOADS[@]}"; do
		read -r t c <<<"$l"
		for id in $(ids_for "$c"); do measure "$id" "$t" "$c" "$round"; done
	done
done
T_END=$(date -u '+%H:%M')
# the FastCGI processes mod_fcgid ran at the end (it starts them on demand)
NFCGID=$(ps -eo sid=,comm= | awk -v s="$AF_SID" '$1 == s && $2 == "mcp"' | wc -l)

# mod_cgid's clean-up at the end of each request (modules/generators/
# mod_cgid.c, cleanup_script -> cleanup_nonchild_process -> dead_yet):
# SIGTERM to the CGI process, and while kill(pid, 0) still finds it, a
# sleep of 10 ms (then 20, 40, ...). Counted with perf trace over a short
# -t1 -c1 run of the metadata GET: the requests, the kill(pid, 0) that
# found the process still there, the worker sleeps of about 10 ms.
PT_REQ='' PT_ALIVE='' PT_SLEEP=''
if command -v perf >/dev/null 2>&1; then
	say "perf trace of mod_cgid's clean-up (3 s)"
	pids=$(ps -eo pid=,sid=,comm= | awk -v s="$AC_SID" '$2 == s && $3 ~ /^apache2|^httpd/ { printf "%s%s", (n++ ? "," : ""), $1 }')
	perf trace -e kill,pselect6,select -p "$pids" -o "$RUN/raw/perf-trace.txt" >"$RUN/raw/perf-trace.log" 2>&1 &
	PT_PID=$!
	sleep 1.5
	wrk_run cgi_meta 1 1 3 "$RUN/raw/perf-trace.wrk.txt"
	sleep 0.3
	kill -INT "$PT_PID" 2>/dev/null || true
	wait "$PT_PID" 2>/dev/null || true
	PT_PID=''
	if [ -s "$RUN/raw/perf-trace.txt" ]; then
		PT_REQ=$(grep -c 'sig: TERM)' "$RUN/raw/perf-trace.txt" || true)
		PT_ALIVE=$(grep 'kill(pid:' "$RUN/raw/perf-trace.txt" | grep -v 'sig:' | grep -c '= 0$' || true)
		PT_SLEEP=$(awk '/select/ && /\( *[0-9.]+ ms\)/ { d = $0; sub(/^[^(]*\( */, "", d); sub(/ ms\).*/, "", d); if (d + 0 >= 9 && d + 0 < 500) n++ } END { print n + 0 }' "$RUN/raw/perf-trace.txt")
	fi
fi

# ---- 6. one CGI request, without Apache ----------------------------------------------

D=$RUN/direct
mkdir -p "$D"
# The environment mod_cgid gives the program (as mcp.sh's callgrind runs).
cgi_env() {   # METHOD-AND-PATH CONFIG [VAR=VALUE...]
	local uri=$1 conf=$2
	shift 2
	printf '%s\n' PATH=/usr/bin:/bin "REQUEST_METHOD=${uri%% *}" "REQUEST_URI=${uri#* }" \
		"SCRIPT_NAME=${uri#* }" SERVER_NAME=127.0.0.1 "SERVER_PORT=$PORT_CGI" REMOTE_ADDR=127.0.0.1 \
		GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 "MCPGATE_CONFIG=$conf" "$@"
}
pm_ticks() { awk '{ s = $0; sub(/^.*\) /, "", s); split(s, f, " "); print f[14] + f[15] }' "/proc/$(pm_pid)/stat"; }
pm_children() { ps -o pid= --ppid "$(pm_pid)" | wc -l; }
# direct NAME PROGRAM BODY|- EXPECT CONFIG METHOD-AND-PATH [VAR=VALUE...]
# registers a variant; run_direct runs them all, interleaved: DIRECT_PASSES
# passes over the variants, DIRECT_N / DIRECT_PASSES runs of each per pass,
# so that a disturbance of the machine spreads over all of them. Results:
# $D/NAME.runs (per run: wall user sys status, µs) and $D/NAME.pg
# (PostgreSQL ticks: the backends the postmaster reaped meanwhile).
DIRECT_PASSES=4
DV_NAMES=()
declare -A DV_ARGS
direct() {
	local IFS=$'\037'
	DV_NAMES+=("$1")
	DV_ARGS[$1]="$*"
}
direct_chunk() {   # NAME COUNT FIRST(1|0)
	local name=$1 count=$2 first=$3 p0 p1 n0 len="" out=/dev/null
	local -a a env
	IFS=$'\037' read -r -a a <<<"${DV_ARGS[$name]}"
	set -- "${a[@]}"
	local prog=$2 body=$3 expect=$4 conf=$5 uri=$6
	shift 6
	[ "$body" != - ] && len=CONTENT_LENGTH=$(wc -c <"$body")
	[ -n "$len" ] && set -- "$len" CONTENT_TYPE=application/json "$@"
	mapfile -t env < <(cgi_env "$uri" "$conf" "$@")
	[ "$first" = 1 ] && { out=$D/$name.answer; : >"$D/$name.runs"; echo 0 >"$D/$name.pg"; }
	n0=$(pm_children); p0=$(pm_ticks)
	env -i "${env[@]}" "$BIN/cgi-run" "$count" "$body" "$out" -- "$prog" >>"$D/$name.runs"
	# the last backend exits after its client: wait until it is reaped
	for _ in $(seq 100); do [ "$(pm_children)" -le "$n0" ] && break; sleep 0.01; done
	p1=$(pm_ticks)
	echo $(($(cat "$D/$name.pg") + p1 - p0)) >"$D/$name.pg"
	if [ "$first" = 1 ] && { { [ -n "$expect" ] && ! grep -qF -- "$expect" "$D/$name.answer"; } ||
		awk '$4 != 0 { bad = 1 } END { exit !bad }' "$D/$name.runs"; }; then
		head -c 400 "$D/$name.answer" >&2; echo >&2
		die "direct run $name: expected '$expect' (answer in $D/$name.answer)"
	fi
}
run_direct() {
	local pass name per=$(((DIRECT_N + DIRECT_PASSES - 1) / DIRECT_PASSES))
	say "one CGI request taken apart, and the options: ${#DV_NAMES[@]} variants, $((per * DIRECT_PASSES)) direct runs each in $DIRECT_PASSES interleaved passes"
	for pass in $(seq "$DIRECT_PASSES"); do
		for name in "${DV_NAMES[@]}"; do
			direct_chunk "$name" "$per" "$([ "$pass" = 1 ] && echo 1 || echo 0)"
		done
	done
}
# NAME -> "wall-p50 wall-p90 cpu-median(user+sys) pg-per-run", in ms
dstat() {
	awk -v pg="$(cat "$D/$1.pg")" -v hz="$HZ" '
		{ w[NR] = $1; c[NR] = $2 + $3 }
		function q(a, n, p,   i, j, t) {
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
			return a[int(p * (n - 1)) + 1]
		}
		END { n = NR; printf "%.2f %.2f %.2f %.2f\n", q(w, n, 0.5) / 1000, q(w, n, 0.9) / 1000, q(c, n, 0.5) / 1000, pg * 1000 / hz / n }' "$D/$1.runs"
}
CONF=$RUN/mcpgate-cgi.conf
AUTH="HTTP_AUTHORIZATION=Bearer $TOKEN"
ACCEPT='HTTP_ACCEPT=application/json, text/event-stream'
MPV=HTTP_MCP_PROTOCOL_VERSION=2025-06-18
# The floor: fork, exec and exit of a program that links only libc.
printf 'int main(void) { return 0; }\n' >"$BIN/nop.c"
cc -O2 -o "$BIN/nop" "$BIN/nop.c"
# The same with libpq linked and called once (its whole library chain is
# loaded and relocated at exec; nothing is connected).
printf '#include <libpq-fe.h>\nint main(void) { return PQlibVersion() > 0 ? 0 : 1; }\n' >"$BIN/nop-pq.c"
PQINC=$(pkg-config --cflags libpq 2>/dev/null || echo "-I$(pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)")
FCGI_LIBS=$(pkg-config --libs fcgi 2>/dev/null || echo -lfcgi)
# shellcheck disable=SC2086
cc -O2 $PQINC -o "$BIN/nop-pq" "$BIN/nop-pq.c" -lpq
# libpq's chain by part: the empty program with only some of the libraries
# linked (kept with --no-as-needed; each brings its own dependencies)
LIBDIR=$(dirname "$(ldd "$BIN/nop-pq" | awk '$1 ~ /^libpq\.so/ { print $3 }')")
CHAIN=()   # "name|description"
nop_with() {   # NAME DESCRIPTION LIBRARY...
	local name=$1 desc=$2
	shift 2
	cc -O2 -o "$BIN/nop-$name" "$BIN/nop.c" -Wl,--no-as-needed "$@" 2>/dev/null || return 0
	direct "nop_$name" "$BIN/nop-$name" - '' "$CONF" 'GET /'
	CHAIN+=("$name|$desc ($(ldd "$BIN/nop-$name" | grep -c '=>') libraries)")
}
direct nop "$BIN/nop" - '' "$CONF" 'GET /'
direct nop_pq "$BIN/nop-pq" - '' "$CONF" 'GET /'
nop_with own "libfcgi, libsodium, libcjson: mcpgate's own" -lfcgi -lsodium -lcjson
nop_with ssl "libssl, libcrypto: libpq's TLS (and SCRAM hashing)" "$LIBDIR/libssl.so.3" "$LIBDIR/libcrypto.so.3"
nop_with gss "libgssapi_krb5 with its Kerberos libraries: libpq's GSSAPI" "$LIBDIR/libgssapi_krb5.so.2"
nop_with ldap "libldap with liblber, libsasl2, libgnutls and what they need: libpq's LDAP service lookup" "$LIBDIR/libldap-2.5.so.0"
direct meta "$CGIBIN/well-known" - authorization_servers "$CONF" "GET $META_PATH" 'HTTP_ACCEPT=application/json'
# 405 before anything else: process start, linking, libsodium, config
direct m405 "$CGIBIN/mcp" - 'Status: 405' "$CONF" 'PUT /mcp' "$ACCEPT"
# 401: + connect, schema check, session settings and PREPARE of every statement
direct m401 "$CGIBIN/mcp" "$REQ/list.json" 'Status: 401' "$CONF" 'POST /mcp' "$ACCEPT" "$MPV"
direct search "$CGIBIN/mcp" "$REQ/search.json" '"doc-' "$CONF" 'POST /mcp' "$ACCEPT" "$MPV" "$AUTH"
# A bare PostgreSQL session (libpq connect and finish, nothing else), and
# the same running one query BENCH_REPEAT times: the schema check; the
# search as mcp_call runs it (mcpgate.call_tool), once (a new backend's
# first call: PL/pgSQL compiles, the text-search dictionary loads, the
# catalog caches fill) and twice (the second is what a warm session pays).
cat >"$BIN/pq-conn.c" <<'EOC'
#include <libpq-fe.h>
#include <stdlib.h>
int
main(void)
{
	PGconn *c = PQconnectdb(getenv("BENCH_CONNINFO"));
	const char *sql = getenv("BENCH_SQL"), *rep = getenv("BENCH_REPEAT");
	int ok = PQstatus(c) == CONNECTION_OK, i, n = rep ? atoi(rep) : 1;

	for (i = 0; ok && sql != NULL && i < n; i++) {
		PGresult *r = PQexec(c, sql);
		ok = PQresultStatus(r) == PGRES_TUPLES_OK;
		PQclear(r);
	}
	PQfinish(c);
	return ok ? 0 : 1;
}
EOC
# shellcheck disable=SC2086
cc -O2 $PQINC -o "$BIN/pq-conn" "$BIN/pq-conn.c" -lpq
CALL_ARGS=$(jq -cn --arg q "$QUERY" '{query:$q}')
CALL_CTX='{"user_id":1,"client_id":"bench-client","scopes":["mcp:read"],"search_config":"english","fetch_max_chars":100000}'
SQ="'"
CALL_SQL="SELECT mcpgate.call_tool('search', '${CALL_ARGS//$SQ/$SQ$SQ}'::jsonb, '$CALL_CTX'::jsonb)::text"
direct conn "$BIN/pq-conn" - '' "$CONF" 'GET /' "BENCH_CONNINFO=$CONNINFO"
direct conn_q "$BIN/pq-conn" - '' "$CONF" 'GET /' "BENCH_CONNINFO=$CONNINFO" 'BENCH_SQL=SELECT max(version) FROM mcpgate.schema_version'
direct conn_call "$BIN/pq-conn" - '' "$CONF" 'GET /' "BENCH_CONNINFO=$CONNINFO" "BENCH_SQL=$CALL_SQL"
direct conn_call2 "$BIN/pq-conn" - '' "$CONF" 'GET /' "BENCH_CONNINFO=$CONNINFO" "BENCH_SQL=$CALL_SQL" BENCH_REPEAT=2

# Where the CPU goes (perf record, cpu-clock sampling: this VM has no
# hardware counters): the mcp processes of 60 direct searches, and the
# PostgreSQL processes serving them (the postmaster, followed into the
# backends it forks).
PERF_OK=0
if command -v perf >/dev/null 2>&1 && perf record -e cpu-clock -o "$D/perf-probe.data" -- true >/dev/null 2>&1; then
	say "perf record of 60 direct searches"
	perf record -e cpu-clock -F 2000 -g -p "$(pm_pid)" -o "$D/perf-pg.data" >"$D/perf-pg.log" 2>&1 &
	PR_PID=$!
	sleep 1.5
	mapfile -t env < <(cgi_env 'POST /mcp' "$CONF" "CONTENT_LENGTH=$(wc -c <"$REQ/search.json")" CONTENT_TYPE=application/json "$ACCEPT" "$MPV" "$AUTH")
	perf record -e cpu-clock -F 2000 -g -o "$D/perf-prog.data" -- \
		env -i "${env[@]}" "$BIN/cgi-run" 60 "$REQ/search.json" /dev/null -- "$CGIBIN/mcp" >/dev/null 2>"$D/perf-prog.log" || true
	sleep 0.5
	kill -INT "$PR_PID" 2>/dev/null || true
	wait "$PR_PID" 2>/dev/null || true
	PR_PID=''
	[ -s "$D/perf-prog.data" ] && [ -s "$D/perf-pg.data" ] && PERF_OK=1
fi
# share (%) of the samples of the processes named COMM in FILE: in an
# object (dso), or in a kernel function with what it calls (sym). (perf's
# own --comm with --percentage relative drops entries: normalised here.)
perf_tot() {   # FILE COMM -> % of all samples
	perf report -i "$1" --no-children --sort comm,dso --stdio -g none 2>/dev/null |
		awk -v c="$2" '$1 ~ /%$/ && $2 == c { sub(/%/, "", $1); s += $1 } END { print s + 0 }'
}
perf_dso() {   # FILE COMM OBJECT
	perf report -i "$1" --no-children --sort comm,dso --stdio -g none 2>/dev/null |
		awk -v c="$2" -v d="$3" -v t="$(perf_tot "$1" "$2")" '$1 ~ /%$/ && $2 == c && $3 == d { sub(/%/, "", $1); s += $1 }
			END { printf "%.0f", (t > 0 ? 100 * s / t : 0) }'
}
perf_sym() {   # FILE COMM SYMBOL
	perf report -i "$1" --children --sort comm,sym --stdio -g none 2>/dev/null |
		awk -v c="$2" -v f="$3" -v t="$(perf_tot "$1" "$2")" '!n && $1 ~ /%$/ && $3 == c && $NF == f { sub(/%/, "", $1); s = $1; n = 1 }
			END { printf "%.0f", (t > 0 ? 100 * s / t : 0) }'
}
perf_samples() {   # FILE -> samples
	perf report -i "$1" --no-children --sort comm --stdio -g none 2>/dev/null | awk '/^# Samples:/ && !n++ { print $3 }'
}
if [ "$PERF_OK" = 1 ]; then
	P_K=$(perf_dso "$D/perf-prog.data" mcp '[kernel.kallsyms]')
	P_LD=$(perf_dso "$D/perf-prog.data" mcp ld-linux-x86-64.so.2)
	P_MCP=$(perf_dso "$D/perf-prog.data" mcp mcp)
	P_PF=$(perf_sym "$D/perf-prog.data" mcp asm_exc_page_fault)
	P_MMAP=$(perf_sym "$D/perf-prog.data" mcp ksys_mmap_pgoff)
	P_EXEC=$(perf_sym "$D/perf-prog.data" mcp __x64_sys_execve)
	P_EXIT=$(perf_sym "$D/perf-prog.data" mcp __x64_sys_exit_group)
	G_K=$(perf_dso "$D/perf-pg.data" postgres '[kernel.kallsyms]')
	G_PG=$(perf_dso "$D/perf-pg.data" postgres postgres)
	G_PF=$(perf_sym "$D/perf-pg.data" postgres asm_exc_page_fault)
	G_FORK=$(perf_sym "$D/perf-pg.data" postgres kernel_clone)
	G_EXIT=$(perf_sym "$D/perf-pg.data" postgres __x64_sys_exit_group)
fi

# ---- 7. options, measured on scratch configurations and builds ----------------------

say "options: conninfo variants, lazy PREPARE, linking (built and registered; run with the rest)"
optconf() {   # NAME CONNINFO -> config file path
	stack_write_config "$D/$1.conf" "http://127.0.0.1:$PORT_CGI" "$2" >/dev/null && printf '%s\n' "$D/$1.conf"
}
OPTS=()   # "name|description"
opt() {   # NAME DESCRIPTION CONNINFO [PROGRAM]
	direct "o_$1" "${4:-$CGIBIN/mcp}" "$REQ/search.json" '"doc-' "$(optconf "$1" "$3")" 'POST /mcp' "$ACCEPT" "$MPV" "$AUTH"
	OPTS+=("$1|$2")
}
opt unix_off "Unix socket, trust, \`sslmode=disable gssencmode=disable\`" "$CONNINFO sslmode=disable gssencmode=disable"
opt unix_scram "Unix socket, SCRAM-SHA-256 password" "host=$PGHOST port=$PGPORT user=bench_scram password=$SCRAM_PW dbname=$DB"
if [ "$PG_TCP" = 1 ]; then
	opt tcp "TCP 127.0.0.1, trust, libpq defaults (sslmode=prefer, gssencmode=prefer)" "host=127.0.0.1 port=5432 user=$PGUSER dbname=$DB"
	opt tcp_off "TCP 127.0.0.1, trust, \`sslmode=disable gssencmode=disable\`" "host=127.0.0.1 port=5432 user=$PGUSER dbname=$DB sslmode=disable gssencmode=disable"
	opt tcp_scram "TCP 127.0.0.1, SCRAM-SHA-256, libpq defaults (as on a typical shared host)" "host=127.0.0.1 port=5432 user=bench_scram password=$SCRAM_PW dbname=$DB"
fi
# Lazy PREPARE, emulated on a patched copy of db.c (src/ untouched): no
# PREPARE at connection time (the session-settings round trip stays), each
# statement sent with its SQL when it runs (PQexecParams: what preparing
# on first use costs in a process that runs each statement once).
LAZY=$BUILD/lazy
rm -rf "$LAZY"; mkdir -p "$LAZY"
LAZY_OK=0
if grep -q 'i < STMT__MAX; i++, n++)' "$SRC/src/lib/db.c" &&
	grep -q '^#include "xmalloc.h"' "$SRC/src/lib/db.c"; then
	sed -e 's/i < STMT__MAX; i++, n++)/i < 0; i++, n++)/' \
	    -e '/^#include "xmalloc.h"/a\
/* bench/cgi.sh: every statement sent with its SQL, none prepared */\
static const char *bench_sql(const char *name) { int i; for (i = 0; i < STMT__MAX; i++) if (strcmp(db_stmts[i].name, name) == 0) return db_stmts[i].sql; return name; }\
#define PQexecPrepared(c, nm, n, v, l, f, r) PQexecParams((c), bench_sql(nm), (n), NULL, (v), (l), (f), (r))' \
	    "$SRC/src/lib/db.c" >"$LAZY/db.c"
	# shellcheck disable=SC2086
	if cc -O2 -DHAVE_CONFIG_H -I"$OBJ" -I"$SRC/src/lib" -I"$SRC/src" $PQINC -c -o "$LAZY/db.o" "$LAZY/db.c" 2>"$LAZY/cc.log" &&
		cc -O2 -o "$LAZY/mcp" "$OBJ/src/mcp.o" "$LAZY/db.o" "$OBJ/src/lib/libmcpgate.a" \
			$FCGI_LIBS -lsodium -lcjson -lpq 2>>"$LAZY/cc.log"; then
		LAZY_OK=1
	fi
fi
if [ "$LAZY_OK" = 1 ]; then
	cp "$LAZY/mcp" "$CGIBIN/.mcp-lazy"
	opt lazy "**lazy PREPARE** (scratch build: nothing prepared at connect, each statement sent with its SQL when run), Unix socket" "$CONNINFO" "$CGIBIN/.mcp-lazy"
	direct o_lazy401 "$CGIBIN/.mcp-lazy" "$REQ/list.json" 'Status: 401' "$CONF" 'POST /mcp' "$ACCEPT" "$MPV"
else
	say "lazy PREPARE variant skipped (db.c changed shape: $LAZY/cc.log)"
fi
# well-known linked without libpq (a scratch link: the PQ* functions it
# never calls replaced by stubs that abort): what keeping the database code
# out of the programs that need no database would give.
WK_NOPQ=0
NOPQ=$BUILD/nopq
rm -rf "$NOPQ"; mkdir -p "$NOPQ"
# shellcheck disable=SC2086
{ cc -o "$NOPQ/x" "$OBJ/src/well-known.o" "$OBJ/src/lib/libmcpgate.a" $FCGI_LIBS -lsodium -lcjson 2>&1 || true; } |
	grep -o "undefined reference to \`PQ[A-Za-z_]*'" | sed "s/.*\`//; s/'//" | sort -u |
	awk 'BEGIN { print "#include <stdlib.h>" } { printf "void %s(void) { abort(); }\n", $1 }' >"$NOPQ/stubs.c" || true
# shellcheck disable=SC2086
if cc -O2 -o "$NOPQ/well-known" "$OBJ/src/well-known.o" "$NOPQ/stubs.c" "$OBJ/src/lib/libmcpgate.a" \
	$FCGI_LIBS -lsodium -lcjson 2>"$NOPQ/cc.log" && ! ldd "$NOPQ/well-known" | grep -q libpq; then
	cp "$NOPQ/well-known" "$CGIBIN/.well-known-nopq"
	direct meta_nopq "$CGIBIN/.well-known-nopq" - authorization_servers "$CONF" "GET $META_PATH" 'HTTP_ACCEPT=application/json'
	WK_NOPQ=1
	# and through the cgi Apache: the scratch binary installed as its
	# well-known for two short -t1 -c1 runs (keep-alive, new connections),
	# then the real one back
	say "metadata through mod_cgid with well-known linked without libpq (2 x 4 s)"
	mkdir -p "$NOPQ/cgi-bin"
	cp "$NOPQ/well-known" "$NOPQ/cgi-bin/well-known"
	stack_install_programs "$NOPQ/cgi-bin" "$CGIBIN" well-known || die "installing the scratch well-known failed"
	for id in cgi_meta cgi_meta_close; do
		l0=$(wc -l <"$RUN/apache-cgi/apache-access.log")
		wrk_run "$id" 1 1 4 "$RUN/raw/$id.nopq.txt"
		grep -q '^Requests/sec' "$RUN/raw/$id.nopq.txt" || die "wrk failed for $id (scratch well-known)"
		printf '%s %s %s\n' "$id" "$(to_ms "$(awk '$1 == "50%" { print $2 }' "$RUN/raw/$id.nopq.txt")")" \
			"$(apache_p50 "$RUN/apache-cgi/apache-access.log" "$l0")" >>"$NOPQ/apache.txt"
	done
	stack_install_programs "$OBJ/cgi-bin" "$CGIBIN" well-known || die "reinstalling well-known failed"
	read -r _ NQ_KA NQ_KA_A <<<"$(grep '^cgi_meta ' "$NOPQ/apache.txt")"
	read -r _ NQ_CL _ <<<"$(grep '^cgi_meta_close ' "$NOPQ/apache.txt")"
fi

# autovacuum off for the direct runs: its workers are children of the
# postmaster too, and would be counted as a variant's PostgreSQL CPU
psql -c 'ALTER SYSTEM SET autovacuum = off' -c 'SELECT pg_reload_conf()' >/dev/null
run_direct

# The dynamic loader's own count (one run each).
ldstat() {   # PROGRAM -> "cycles relocations"
	rm -f "$D"/ld.*
	env -i LD_DEBUG=statistics LD_DEBUG_OUTPUT="$D/ld" "$1" </dev/null >/dev/null 2>&1 || true
	cat "$D"/ld.* 2>/dev/null | awk '
		/total startup time in dynamic loader/ { if (match($0, /loader: *[0-9]+/)) { s = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", s); cyc = s } }
		/number of relocations:/ { r = $NF }
		END { printf "%s %s\n", cyc, r }'
	rm -f "$D"/ld.*
}
read -r LD_CYC_MCP LD_REL_MCP <<<"$(ldstat "$CGIBIN/mcp")"
read -r LD_CYC_NOP LD_REL_NOP <<<"$(ldstat "$BIN/nop")"
NLIBS_MCP=$(ldd "$CGIBIN/mcp" | grep -c '=>' || true)
NLIBS_PQ=$(ldd "$BIN/nop-pq" | grep -c '=>' || true)

# strace -c -f of one direct CGI search
STRACE_TOP='' STRACE_N=''
if [ "$HAVE_STRACE" = 1 ]; then
	mapfile -t env < <(cgi_env 'POST /mcp' "$CONF" "CONTENT_LENGTH=$(wc -c <"$REQ/search.json")" CONTENT_TYPE=application/json "$ACCEPT" "$MPV" "$AUTH")
	env -i "${env[@]}" strace -f -c -o "$D/strace-c.txt" "$CGIBIN/mcp" <"$REQ/search.json" >"$D/strace.answer" 2>/dev/null || true
	STRACE_N=$(awk '$NF == "total" { print $4 }' "$D/strace-c.txt" | tail -n 1)
	STRACE_TOP=$(awk '$1 ~ /^[0-9.]+$/ && $NF != "total" { print $4, $NF }' "$D/strace-c.txt" | sort -rn |
		awk 'NR <= 8 { printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1 }')
fi

# ---- 8. the report ---------------------------------------------------------------------

say "writing the report"
mkdir -p "$RESULTS"
DAY=$(date -u +%F)
OUT=$RESULTS/cgi-$DAY.md
cp "$TSV" "$RESULTS/cgi-$DAY.runs.tsv"
STATS=$RUN/raw/stats.tsv
# per row and load: median (min-max) of req/s; medians of p50, p99, CPU
# and Apache's p50; other % of every run
awk -F'\t' "$BENCH_AWK_STATS"'NR > 1 {
	id = $1 "\t" $2; n[id]++; k = n[id]
	rps[id, k] = $4; p50[id, k] = $5; p99[id, k] = $6; non[id] += $8; serr[id] += $9
	fr[id, k] = $10; ap[id, k] = $11; pg[id, k] = $12; a50[id, k] = $16
	ol[id] = ol[id] (k > 1 ? " / " : "") ($15 < 0 ? 0 : $15)
	if (!(id in seen)) { seen[id] = 1; order[++m] = id }
}
END {
	for (i = 1; i <= m; i++) {
		id = order[i]; c = n[id]
		printf "%s\t%.0f\t%.0f\t%.0f\t%.2f\t%.2f\t%.2f\t%.0f\t%.0f\t%.0f\t%d\t%d\t%s\n", id,
		    med(rps, id, c), mn(rps, id, c), mx(rps, id, c), med(p50, id, c), med(p99, id, c),
		    med(a50, id, c), med(fr, id, c), med(ap, id, c), med(pg, id, c), non[id], serr[id], ol[id]
	}
}' "$TSV" >"$STATS"
# st ID LOAD FIELD: 3 req/s, 6 p50, 7 p99, 8 Apache p50
st() { awk -F'\t' -v id="$1" -v l="$2" -v c="$3" '$1 == id && $2 == l { print $c }' "$STATS"; }
sub_ms() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "–"; else printf "%.2f", a - b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "–"; else printf "%.1f", a / b }'; }
for x in nop nop_pq meta m405 m401 search conn conn_q conn_call conn_call2; do
	read -r "W_$x" "W90_$x" "C_$x" "PG_$x" <<<"$(dstat "$x")"
done
C1_META=$(st cgi_meta t1c1 6); C1_SEARCH=$(st cgi_search t1c1 6)
C1_META_A=$(st cgi_meta t1c1 8); C1_SEARCH_A=$(st cgi_search t1c1 8)
C1_META_CL=$(st cgi_meta_close t1c1 6); C1_SEARCH_CL=$(st cgi_search_close t1c1 6)
F1_META=$(st fcgid_meta t1c1 6); F1_SEARCH=$(st fcgid_search t1c1 6)
verdict() { awk -v v="$1" 'BEGIN { print (v != "" && v + 0 <= 5 ? "met" : "**missed**") }'; }
HAVE_CG=$([ -n "$CG" ] && echo 1 || echo 0)
# shellcheck disable=SC2154 # W_*, C_*, PG_* of the direct runs are set by read in a loop
{
	echo "# Plain-CGI benchmark of mcpgate (Apache mod_cgid), $DAY"
	echo
	echo "Written by \`bench/cgi.sh\` (load $T_START–$T_END UTC; the direct runs right after). Every number below comes from that one run. Issue 6's target: **p50 ≤ 5 ms** for the metadata GET and for tools/call search in plain-CGI mode on this hardware: $(verdict "$C1_META") for the metadata (p50 $C1_META ms), $(verdict "$C1_SEARCH") for search (p50 $C1_SEARCH ms) (\`wrk -t1 -c1\`, keep-alive)."
	echo
	OTHER_MAX=$(awk -F'\t' 'NR > 1 && $15 > m { m = $15 } END { print m + 0 }' "$TSV")
	OTHER_MED=$(awk -F'\t' 'NR > 1 { v[++n] = $15 } END { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }; print n ? v[int((n + 1) / 2)] + 0 : 0 }' "$TSV")
	if [ "$OTHER_MAX" -gt 10 ]; then
		echo "**This run was disturbed:** other work on the machine used a median $OTHER_MED % of one CPU (up to $OTHER_MAX %) during the load runs (*other %* below; the machine has $(nproc) CPUs). Latencies and req/s are inflated by waiting for a CPU and vary between rounds; the CPU figures (µs or ms per request) and their differences hold up better, and the server CPU per request is a floor for the latency on any machine like this one."
		echo
	fi
	echo "## Machine, versions, settings"
	echo
	echo "- **Machine:** $(bench_machine). Shared with other work during the run: see *other %*."
	echo "- **mcpgate:** $MEASURED, built with \`CFLAGS=-O2\` ($(cc --version | sed -n 1p)) in bench/build-cgi; log_level warn. The mcp program links $NLIBS_MCP shared libraries (\`ldd\`), $NLIBS_PQ of them through libpq."
	echo "- **Software:** $(v apache2 -v | sed 's/^Server version: //') (event MPM, scripts/stack.sh's configuration with conf/apache/mcpgate.conf unchanged, access log on, CGI processes run as www-data); PostgreSQL $("$PGBIN/postgres" --version | awk '{ print $3 }') (private cluster, durable defaults; the programs connect over its Unix socket with trust authentication, as in bench/mcp.sh; it also listened on 127.0.0.1 for the TCP variants); $(dpkg-query -W -f='mod_fcgid ${Version}, ' libapache2-mod-fcgid 2>/dev/null)$(dpkg-query -W -f='libfcgi ${Version}, ' libfcgi0ldbl 2>/dev/null)$(dpkg-query -W -f='libpq ${Version}, ' libpq5 2>/dev/null)$(dpkg-query -W -f='libsodium ${Version}, ' libsodium23 2>/dev/null)$(dpkg-query -W -f='cJSON ${Version}' libcjson1 2>/dev/null); $(wrk -v 2>&1 | awk 'NR == 1 { print "wrk", $2 }'); $(perf --version 2>/dev/null || echo 'no perf')."
	echo "- **Front ends:** two Apaches side by side: \`stack_apache_start … cgi\` (mod_cgid only: a new process per request) and \`stack_apache_start … fcgid\` (mod_fcgid, \`FcgidMaxProcessesPerClass 4\` from mcpgate.conf; $NFCGID mcp processes running at the end)."
	echo "- **Data and requests:** as bench/mcp.sh: $NDOC_ROWS generated documents, $NTOK_ROWS token rows; tools/call search \"$QUERY\" ($NMATCH documents match, the best $NRESULTS returned) with a bearer token checked in PostgreSQL; the metadata GET needs no database."
	echo "- **Load:** \`wrk --latency\` with bench/wrk/request.lua, keep-alive, over loopback, at two low loads: \`-t1 -c1\` (one request at a time: pure latency) and \`-t2 -c4\`; plus, at \`-t1 -c1\` only, the two CGI requests with \`Connection: close\` (a new connection per request). ${DURATION} s per run after a warm-up (1 s per CGI row and load, ${WARMUP} s per mod_fcgid row, $((WARMUP + 4)) s at \`-c4\` so that mod_fcgid has started its processes), $ROUNDS round-robin rounds. req/s: median (min–max); p50/p99: medians of the runs' wrk percentiles; *Apache p50*: the median of Apache's own time per request (\`%D\` in the access log: request read to logged)."
	if [ "$HAVE_CG" = 1 ]; then
		echo "- **CPU µs/req:** over each run, per request: *Apache* = utime+stime of the apache2 processes (/proc); *program* = mcpgate's processes: for mod_cgid the cpuacct usage of a cgroup holding the cgi Apache (its daemon does not wait for its CGI processes, so /proc never sees their CPU; the script puts that Apache in a cgroup of its own and removes it at the end), for mod_fcgid /proc; *PG* = the postmaster, its processes and the backends it reaped (/proc). *other %*: busy CPU that is neither these nor wrk (other tenants, kernel threads), in % of one CPU, per run in round order: above ~10 % a run was disturbed."
	else
		echo "- **CPU µs/req:** utime+stime from /proc over each run, per request: *Apache*, *program* (mcpgate's processes), *PG* (the postmaster, its processes and the backends it reaped). No writable cpuacct cgroup: mod_cgid's daemon does not wait for its CGI processes, so their CPU is missing from *program* and counted in *other %* for the CGI rows. *other %*: busy CPU that is neither these nor wrk, in % of one CPU, per run in round order."
	fi
	echo
	echo "## Results"
	echo
	echo "| row | load | p50 ms | p99 ms | Apache p50 ms | req/s median (min–max) | CPU µs/req: Apache + program + PG | other % per run |"
	echo "|---|---|---|---|---|---|---|---|"
	for l in "${LOADS[@]}"; do
		read -r t c <<<"$l"
		for id in $(ids_for "$c"); do
			IFS=$'\t' read -r _ _ med lo hi p50 p99 a50 fr ap pgc non serr ol <<<"$(grep -P "^$id\tt${t}c${c}\t" "$STATS")"
			errs=''
			[ "$serr" -gt 0 ] && errs=" ($serr socket errors)"
			[ "$non" -gt 0 ] && errs="$errs ($non non-2xx)"
			printf '| %s `%s` | -t%s -c%s | **%s** | %s | %s | %s (%s–%s)%s | %s = %s + %s + %s | %s |\n' \
				"${R_WHAT[$id]}" "$id" "$t" "$c" "$p50" "$p99" "$a50" "$(fmt "$med")" "$(fmt "$lo")" "$(fmt "$hi")" "$errs" \
				"$((fr + ap + pgc))" "$fr" "$ap" "$pgc" "$ol"
		done
	done
	echo
	echo "Every run had 0 non-2xx answers and 0 socket errors unless the table says otherwise. Raw runs: \`bench/results/cgi-$DAY.runs.tsv\`."
	echo
	echo "## Target"
	echo
	[ "$WK_NOPQ" = 1 ] && read -r W_wn W90_wn C_wn _ <<<"$(dstat meta_nopq)"
	cpu_ms() { awk -F'\t' -v id="$1" '$1 == id && $2 == "t1c1" { printf "%.1f", ($9 + $10 + $11) / 1000 }' "$STATS"; }
	echo "| plain CGI, \`-t1 -c1\` | p50, keep-alive | p50, new connection each | Apache's own p50 | server CPU per request (Apache + program + PG) | FastCGI (mod_fcgid) p50 | target ≤ 5 ms |"
	echo "|---|---|---|---|---|---|---|"
	echo "| GET $META_PATH | $C1_META ms | $C1_META_CL ms | $C1_META_A ms | $(cpu_ms cgi_meta) ms | $F1_META ms | $(verdict "$C1_META") |"
	echo "| tools/call search | $C1_SEARCH ms | $C1_SEARCH_CL ms | $C1_SEARCH_A ms | $(cpu_ms cgi_search) ms | $F1_SEARCH ms | $(verdict "$C1_SEARCH") |"
	if [ "$WK_NOPQ" = 1 ]; then
		echo "| GET $META_PATH, scratch build: well-known linked without libpq (4 s runs, see the options) | $NQ_KA ms | $NQ_CL ms | $NQ_KA_A ms | program alone: $C_wn ms | – | $(verdict "$NQ_KA") |"
	fi
	echo
	echo "The server CPU per request is a floor for the latency: the program and PostgreSQL run one after the other for a request."
	echo
	echo "## Where the time goes"
	echo
	echo "### 1. mod_cgid's clean-up after each request (keep-alive only)"
	echo
	echo "At \`-t1 -c1\` with keep-alive, wrk's p50 was $(sub_ms "$C1_META" "$C1_META_A") ms (metadata) and $(sub_ms "$C1_SEARCH" "$C1_SEARCH_A") ms (search) above Apache's own time per request (%D: $C1_META_A and $C1_SEARCH_A ms); with a new connection per request the p50 was $C1_META_CL and $C1_SEARCH_CL ms. The cause: Apache's mod_cgid (modules/generators/mod_cgid.c: \`cleanup_script\` → \`cleanup_nonchild_process\` → \`dead_yet\`) ends every request by sending SIGTERM to the CGI process and, while \`kill(pid, 0)\` still finds it, sleeping 10 ms (then 20, 40, …), after the answer is complete and before the worker reads the connection's next request. The process has closed its output but is often still exiting (Linux unmaps a process's memory before it closes its files, so Apache sees the end of the answer while the process still exists). With a new connection per request another worker serves the next one meanwhile, which hides it. How often the sleep hits depends on that race."
	if [ -n "$PT_REQ" ]; then
		echo "Counted with \`perf trace\` over a 3 s \`-t1 -c1\` run of the metadata GET: $PT_REQ requests (SIGTERMs), $PT_ALIVE times \`kill(pid, 0)\` found the process still there, $PT_SLEEP worker sleeps of 10 ms or more."
	fi
	echo "This is Apache's, not mcpgate's: a CGI program cannot be gone before its output is closed. MCP clients keep connections alive, so they pay it whenever the race is lost."
	echo
	echo "### 2. The program: one CGI request taken apart"
	echo
	echo "The programs run directly as CGI programs (as root, not through Apache) with the environment mod_cgid gives them (bench/build-cgi/bin/cgi-run: fork, exec, wait4, one run after the other), $DIRECT_N times each, in $DIRECT_PASSES passes over all the variants of this section and of the options (so that a disturbance of the machine is spread over all of them); PostgreSQL's autovacuum was off meanwhile. Medians: *wall*: fork to wait4; *program CPU*: the process's user+system time (wait4); *PG CPU*: the CPU of the backends the postmaster reaped, per run (tick resolution ±$(awk -v h="$HZ" -v n="$DIRECT_N" 'BEGIN { printf "%.2f", 1000 / h / n }') ms)."
	echo
	echo "| run | wall p50 ms | wall p90 ms | program CPU ms | PG CPU ms |"
	echo "|---|---|---|---|---|"
	row_d() { local w w9 c p; read -r w w9 c p <<<"$(dstat "$1")"; printf '| %s | %s | %s | %s | %s |\n' "$2" "$w" "$w9" "$c" "${3:-$p}"; }
	row_d nop "a program linking only libc (\`int main(void) { return 0; }\`): fork, exec, exit" –
	row_d nop_pq "the same linking libpq, calling PQlibVersion() ($NLIBS_PQ libraries loaded and relocated)" –
	row_d conn "libpq connect and PQfinish, nothing else (a bare PostgreSQL session)"
	row_d conn_q "the same plus one query (the schema check's)"
	row_d conn_call "the same plus the search as mcp_call runs it (\`mcpgate.call_tool('search', …)\`), once: a new backend's first call"
	row_d conn_call2 "the same, the search twice in the session"
	row_d meta "well-known: the metadata document (no database)" –
	row_d m405 "mcp, PUT → 405: start-up only (linking, libsodium, config), no database"
	row_d m401 "mcp, POST without a token → 401: + connect, schema check, session settings and PREPARE of all $NSTMTS statements (one pipeline)"
	row_d search "**mcp, tools/call search**: + token check and search"
	echo
	echo "A CGI search splits into the parts below: differences of the medians above. CPU is the robust measure on a shared machine (wall time also counts waiting for a CPU: on a quiet machine it is close to program + PostgreSQL CPU, the two run one after the other)."
	echo
	echo "| part | program CPU ms | PG CPU ms | CPU total ms | wall ms |"
	echo "|---|---|---|---|---|"
	part() {   # LABEL PROGRAM-CPU PG-CPU WALL
		printf '| %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" \
			"$(awk -v a="$2" -v b="$3" 'BEGIN { if (a == "–" && b == "–") print "–"; else printf "%.2f", (a == "–" ? 0 : a) + (b == "–" ? 0 : b) }')" "$4"
	}
	part "fork, exec, exit of a libc-only program (the floor)" "$C_nop" – "$W_nop"
	part "loading and relocating libpq's library chain (nop-pq − nop)" "$(sub_ms "$C_nop_pq" "$C_nop")" – "$(sub_ms "$W_nop_pq" "$W_nop")"
	part "the rest of mcp's start-up: its own libraries, libsodium, config (405 − nop-pq)" "$(sub_ms "$C_m405" "$C_nop_pq")" – "$(sub_ms "$W_m405" "$W_nop_pq")"
	part "**start-up, no database (mcp 405)**" "$C_m405" "$PG_m405" "$W_m405"
	part "a bare PostgreSQL session: connect, backend start, authenticate, finish (conn − nop-pq)" "$(sub_ms "$C_conn" "$C_nop_pq")" "$PG_conn" "$(sub_ms "$W_conn" "$W_nop_pq")"
	part "**database set-up: connect, schema check, session settings, PREPARE all (401 − 405)**" "$(sub_ms "$C_m401" "$C_m405")" "$(sub_ms "$PG_m401" "$PG_m405")" "$(sub_ms "$W_m401" "$W_m405")"
	if [ "$LAZY_OK" = 1 ]; then
		read -r W_l401 _ C_l401 PG_l401 <<<"$(dstat o_lazy401)"
		part "… of which PREPARE of the $NSTMTS statements (401 − 401 of the lazy build)" "$(sub_ms "$C_m401" "$C_l401")" "$(sub_ms "$PG_m401" "$PG_l401")" "$(sub_ms "$W_m401" "$W_l401")"
	fi
	part "**the request: token check, search, answer (search − 401)**" "$(sub_ms "$C_search" "$C_m401")" "$(sub_ms "$PG_search" "$PG_m401")" "$(sub_ms "$W_search" "$W_m401")"
	part "… the search alone, a new backend's first (conn + call − conn)" "$(sub_ms "$C_conn_call" "$C_conn")" "$(sub_ms "$PG_conn_call" "$PG_conn")" "$(sub_ms "$W_conn_call" "$W_conn")"
	part "… the same search again in that session, warm (call twice − once)" "$(sub_ms "$C_conn_call2" "$C_conn_call")" "$(sub_ms "$PG_conn_call2" "$PG_conn_call")" "$(sub_ms "$W_conn_call2" "$W_conn_call")"
	part "**the whole CGI search**" "$C_search" "$PG_search" "$W_search"
	echo
	echo "Through Apache the programs cost the same CPU as run directly (the *program* column of the results: $(st cgi_meta t1c1 10) and $(st cgi_search t1c1 10) µs per request at \`-t1 -c1\`, against $C_meta and $C_search ms here). mod_cgid's own part (the request to its daemon, the daemon's fork, the pipes, the HTTP answer) is the *Apache* column: $(st cgi_meta t1c1 9) µs per CGI request against $(st fcgid_meta t1c1 9) µs per mod_fcgid request. Apache's own time (%D) was $C1_META_A ms (metadata) and $C1_SEARCH_A ms (search), against $W_meta and $W_search ms wall run directly."
	echo
	if [ "$PERF_OK" = 1 ]; then
		echo "Where the CPU goes (\`perf record -e cpu-clock\`, 60 direct searches; this VM has no hardware counters): of the mcp processes' samples, $P_K % are in the kernel (page faults $P_PF %, mmap $P_MMAP %, execve $P_EXEC %, exit $P_EXIT %), $P_LD % in the dynamic loader, $P_MCP % in mcpgate's own code. Of PostgreSQL's (the postmaster and the backends it forked: $(perf_samples "$D/perf-pg.data") samples at 2 kHz against $(perf_samples "$D/perf-prog.data") for the program side), $G_K % are in the kernel (page faults $G_PF %: a new backend touching its memory and the shared memory; the postmaster's fork $G_FORK %; exit $G_EXIT %), $G_PG % in PostgreSQL's own code."
		echo
	fi
	echo "Instructions (callgrind, user space of the mcp program only, from bench/mcp.sh's run, \`bench/results/mcp-2026-11-26.md\`, not redone here): a CGI tools/list request is 12.2 M instructions, of which 10.9 M are the dynamic loader (\`_dl_relocate_object\` 10.5 M, \`_dl_lookup_symbol_x\` 9.0 M: symbol lookups for the libraries' relocations; libpq, libgnutls, libldap and libcrypto are linked \`BIND_NOW\`, so everything is resolved at exec) and 0.6 M libgnutls's initialisation (\`asn1_array2tree\` of libtasn1), which libpq loads through libldap; mcpgate's own \`app_run\` is 0.5 M. A CGI tools/call search is 12.3 M; the same request in a running FastCGI process 0.30 M."
	echo
	echo "The dynamic loader's own count (\`LD_DEBUG=statistics\`, one run): mcp $(fmt "$LD_CYC_MCP") cycles and $(fmt "$LD_REL_MCP") relocations; the libc-only program $(fmt "$LD_CYC_NOP") cycles, $(fmt "$LD_REL_NOP") relocations."
	if [ -n "$STRACE_N" ]; then
		echo
		echo "System calls of one direct CGI search (\`strace -c -f\`): $STRACE_N in all; the most frequent: $STRACE_TOP (the mmap, openat and mprotect calls are the $NLIBS_MCP libraries being mapped)."
	fi
	echo
	echo "libpq's library chain by part (the libc-only program linked with some of the libraries, $DIRECT_N runs each):"
	echo
	echo "| linked | wall p50 ms | program CPU ms | over libc-only: wall | CPU |"
	echo "|---|---|---|---|---|"
	echo "| nothing but libc | $W_nop | $C_nop | – | – |"
	for o in "${CHAIN[@]}"; do
		name=${o%%|*} desc=${o#*|}
		read -r w _ c _ <<<"$(dstat "nop_$name")"
		printf '| %s | %s | %s | %+.2f | %+.2f |\n' "$desc" "$w" "$c" "$(sub_ms "$w" "$W_nop")" "$(sub_ms "$c" "$C_nop")"
	done
	printf '| libpq (all of the above and more) | %s | %s | %+.2f | %+.2f |\n' "$W_nop_pq" "$C_nop_pq" "$(sub_ms "$W_nop_pq" "$W_nop")" "$(sub_ms "$C_nop_pq" "$C_nop")"
	echo
	echo "## Options, measured"
	echo
	echo "The same direct tools/call search ($DIRECT_N runs each) with a scratch configuration (conninfo) or a scratch build in bench/build-cgi; src/ unchanged. *vs baseline*: the differences of CPU (program + PostgreSQL) and of the wall p50 (negative: cheaper). The first variant only adds settings that libpq ignores on a Unix socket: its difference is the spread between two identical runs."
	echo
	echo "| variant | program CPU ms | PG CPU ms | wall p50 ms | wall p90 ms | vs baseline: CPU | wall |"
	echo "|---|---|---|---|---|---|---|"
	echo "| baseline: Unix socket, trust, libpq defaults | $C_search | $PG_search | $W_search | $W90_search | – | – |"
	for o in "${OPTS[@]}"; do
		name=${o%%|*} desc=${o#*|}
		read -r w w9 c p <<<"$(dstat "o_$name")"
		printf '| %s | %s | %s | %s | %s | %+.2f | %+.2f |\n' "$desc" "$c" "$p" "$w" "$w9" \
			"$(awk -v a="$c" -v b="$p" -v x="$C_search" -v y="$PG_search" 'BEGIN { printf "%.2f", a + b - x - y }')" "$(sub_ms "$w" "$W_search")"
	done
	if [ "$WK_NOPQ" = 1 ]; then
		read -r W_wn W90_wn C_wn _ <<<"$(dstat meta_nopq)"
		echo "| *metadata*, baseline: well-known as built | $C_meta | – | $W_meta | $W90_meta | – | – |"
		printf '| *metadata*: **well-known linked without libpq** (scratch link, the PQ* functions it never calls stubbed out) | %s | – | %s | %s | %+.2f | %+.2f |\n' "$C_wn" "$W_wn" "$W90_wn" "$(sub_ms "$C_wn" "$C_meta")" "$(sub_ms "$W_wn" "$W_meta")"
	fi
	echo
	read -r W_uo _ C_uo PG_uo <<<"$(dstat o_unix_off)"
	NOISE_CPU=$(awk -v a="$C_uo" -v b="$PG_uo" -v x="$C_search" -v y="$PG_search" 'BEGIN { d = a + b - x - y; printf "%.2f", d < 0 ? -d : d }')
	NOISE_W=$(awk -v a="$W_uo" -v b="$W_search" 'BEGIN { d = a - b; printf "%.2f", d < 0 ? -d : d }')
	echo "What they say (from the tables above; the two identical Unix-socket rows differ by $NOISE_CPU ms of CPU and $NOISE_W ms of wall time: differences of that size are noise in this run):"
	echo
	echo "- **The target needs the process start and the database session to shrink, not the request.** Of a CGI search's $(awk -v a="$C_search" -v b="$PG_search" 'BEGIN { printf "%.1f", a + b }') ms of CPU, start-up without the database takes $C_m405 ms (of which libpq's library chain $(sub_ms "$C_nop_pq" "$C_nop") ms), the database set-up $(awk -v a="$C_m401" -v b="$C_m405" -v c="$PG_m401" -v d="$PG_m405" 'BEGIN { printf "%.1f", a - b + c - d }') ms, the request $(awk -v a="$C_search" -v b="$C_m401" -v c="$PG_search" -v d="$PG_m401" 'BEGIN { printf "%.1f", a - b + c - d }') ms, most of that the new backend's first search; the same search in a warm FastCGI process costs $(st fcgid_search t1c1 9)+$(st fcgid_search t1c1 10)+$(st fcgid_search t1c1 11) µs (Apache + program + PG, results table). Even the floor of a dynamically linked process is $C_nop ms of CPU here ($W_nop ms wall)."
	echo "- **libpq's library chain** costs $(sub_ms "$C_nop_pq" "$C_nop") ms of CPU per exec ($(sub_ms "$W_nop_pq" "$W_nop") ms wall), in every program, whether it connects or not. The parts: see the chain table (LDAP with GnuTLS and SASL, OpenSSL, Kerberos). Not linking libpq into programs that never connect (well-known, and any request answered before the database) is the cheap part$([ "$WK_NOPQ" = 1 ] && echo ": the metadata GET drops from $C_meta to $C_wn ms of CPU ($W_meta to $W_wn ms wall); through mod_cgid at \`-t1 -c1\` (a 4 s run each) its p50 was $NQ_KA ms with keep-alive (Apache's own time $NQ_KA_A ms) and $NQ_CL ms with a new connection per request, against $C1_META and $C1_META_CL ms with the program as built"). For mcp itself only a libpq built without LDAP and GSSAPI (a packaging choice: Debian's is built with both) or a PostgreSQL client of mcpgate's own would remove it; neither is measured here beyond the chain table."
	if [ "$LAZY_OK" = 1 ]; then
		read -r W_lz _ C_lz PG_lz <<<"$(dstat o_lazy)"
		echo "- **Lazy PREPARE** (only the statements a request runs, sent with their SQL when run): PostgreSQL CPU $PG_lz against $PG_search ms, program CPU $C_lz against $C_search ms, wall $W_lz against $W_search ms. In CGI mode every PREPARE of the $NSTMTS statements is parsed and analysed for a process that uses two of them."
	fi
	echo "- **The PostgreSQL session itself** (connect to PQfinish, nothing else): $(sub_ms "$W_conn" "$W_nop_pq") ms wall, $PG_conn ms of PostgreSQL CPU per request (a backend is a fork of the postmaster that faults in its memory and the shared memory$([ "$PERF_OK" = 1 ] && echo ": $G_PF % of PostgreSQL's samples in the search profile are page faults")). **And a new session's first search** costs $(sub_ms "$PG_conn_call" "$PG_conn") ms of PostgreSQL CPU, against $(sub_ms "$PG_conn_call2" "$PG_conn_call") ms for the same search warm (PL/pgSQL compiles call_tool and the tool function, the text-search dictionary and its stop words load, the catalog caches fill). Only a session kept open between requests avoids both: FastCGI, or a pooler in session mode (pgbouncer) between the CGI processes and PostgreSQL, whose server connections keep their caches across clients; not measured here (and rarely offered on shared hosts)."
	if [ "$PG_TCP" = 1 ]; then
		read -r W_t _ C_t _ <<<"$(dstat o_tcp)"; read -r W_to _ C_to _ <<<"$(dstat o_tcp_off)"
		read -r W_ts _ C_ts PG_ts <<<"$(dstat o_tcp_scram)"; read -r W_us _ C_us PG_us <<<"$(dstat o_unix_scram)"
		echo "- **Unix socket or TCP, sslmode, gssencmode:** over TCP with libpq's defaults the search's program CPU was $C_t ms ($W_t ms wall), with \`sslmode=disable gssencmode=disable\` $C_to ms ($W_to ms), against $C_search ms ($W_search ms) on the Unix socket; compare with the noise above. libpq's defaults look for a Kerberos credential cache (for GSSAPI encryption; there is none here) and send one SSLRequest, which this server refuses, before the plain start-up; on a Unix socket both settings are ignored."
		echo "- **SCRAM-SHA-256** (a shared host's usual password login): program CPU $C_us ms on the Unix socket and $C_ts ms over TCP against $C_search ms with trust (wall $W_us and $W_ts ms against $W_search). The client derives the key (PBKDF2, 4 096 iterations of HMAC-SHA-256) on every connection, so every CGI request pays it; the server keeps the derived keys (PG CPU $PG_us and $PG_ts ms against $PG_search). Where the host allows it, peer or trust authentication on the Unix socket avoids it (not measured: peer needs a database role named like the CGI user); PostgreSQL 16's \`scram_iterations\` lowers it for passwords set afterwards (this is PostgreSQL $("$PGBIN/postgres" --version | awk '{ print $3 }'))."
	fi
	if [ -f "$D/nop_own.runs" ]; then
		read -r W_own _ _ _ <<<"$(dstat nop_own)"
		read -r _ _ C_own _ <<<"$(dstat nop_own)"
		echo "- **mcpgate's own libraries** (libfcgi, libsodium, libcjson) add $(sub_ms "$C_own" "$C_nop") ms of CPU ($(sub_ms "$W_own" "$W_nop") ms wall) to the floor: linking them statically would gain at most that."
	fi
	echo "- **Apache:** mod_fcgid keeps the process and its connection: p50 $F1_META ms (metadata) and $F1_SEARCH ms (search) at \`-t1 -c1\` in this run. Where a host offers mod_fcgid (or mod_proxy_fcgi), that is worth more than all of the above together. Under mod_cgid, clients that keep connections alive lose up to 10 ms per request to mod_cgid's clean-up (section 1), which no change to mcpgate removes."
	F4_P99=$(st fcgid_meta t2c4 7)
	if awk -v v="$F4_P99" 'BEGIN { exit !(v + 0 > 100) }'; then
		echo "- **mod_fcgid at \`-c4\`:** p99 $F4_P99 ms (metadata), $(st fcgid_search t2c4 7) ms (search): with \`FcgidMaxProcessesPerClass 4\` (conf/apache/mcpgate.conf) and 4 connections, a request now and then finds no idle process (the previous request's is not yet back in mod_fcgid's idle list) and mod_fcgid looks again about a second later, as mcpgate.conf's comment warns: keep the limit above the expected concurrency."
	fi
	echo
} >"$OUT"
cat "$OUT"
say "report: $OUT (raw runs: ${OUT%.md}.runs.tsv)"
