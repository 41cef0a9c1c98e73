#!/bin/bash
# bench/run.sh -- the benchmark of mcpgate, with its reference points, in
# one command:
#
#   bench/run.sh        (as root on Debian 12 it installs what is missing;
#                        about 13 minutes with the defaults, plus
#                        bench/cgi.sh's few; not a test)
#
# What it does, all on 127.0.0.1 and in bench/build/ (its run/ is removed
# and made anew each run; the build is incremental):
#  1. installs the Debian packages it needs when missing (wrk, Apache with
#     mod_fcgid, node and npm, valgrind, ...) and the pinned MCP SDKs for
#     bench/sdk/ (npm install --no-package-lock, exact pins in
#     bench/sdk/package.json);
#  2. builds mcpgate in release mode (a copy of the work tree in
#     bench/build/src: autoreconf -fi; configure CFLAGS=-O2 in
#     bench/build/obj; make; when the work tree does not build, git's
#     BENCH_REV, default HEAD, and the report says so), the reference
#     FastCGI programs (bench/ceiling-pg.c, twice), bench/fcgi-drive.c and
#     a small FastCGI process pool (fcgi-pool, written below);
#  3. starts a private PostgreSQL (scripts/stack.sh, durable defaults:
#     fsync and synchronous_commit on) and loads, with set-based SQL, a
#     realistic data set: 10 000 clients, 1 000 users, 100 000 access
#     tokens (one grant each), 10 000 generated documents
#     (bench/gen-docs.awk over bench/words.txt), and two pools of
#     single-use credentials with known raw values: refresh tokens (each in
#     a grant of its own) and authorization codes (PKCE S256 challenges
#     computed in SQL from one known verifier), as many as the run can use
#     at BENCH_POOL_RATE requests/s; reports the load time;
#  4. starts the servers: lighttpd with BENCH_PROCS FastCGI processes per
#     program (mcpgate's programs, the two ceiling programs, a static
#     file); the official MCP TypeScript SDK servers (bench/sdk/server.mjs)
#     v1 and v2, each as a single process and as a node:cluster of 2;
#     Apache with mod_proxy_fcgi in front of fcgi-pool pools (BENCH_PROCS
#     processes each) of the well-known and mcp programs; Apache with
#     mod_fcgid and conf/apache/mcpgate.conf unchanged;
#  5. checks every row once with curl (status and body), warms each up,
#     then runs wrk -t2 -c32 --latency, BENCH_ROUNDS round-robin rounds of
#     BENCH_DURATION seconds each, with the server CPU of each run from
#     /proc and "other %" (busy CPU that is neither the servers nor wrk);
#     the token endpoint and code rows send a fresh credential with every
#     request (bench/wrk/pool.lua) and say when a pool ran out;
#  6. (BENCH_SKIP_CALLGRIND=1 skips it) instructions with callgrind (CGI:
#     one request; FastCGI: per request, steady state), system calls per
#     request (strace), the search's plans (auto_explain), and the
#     database alone with pgbench;
#  7. stops everything, then runs bench/cgi.sh (plain CGI under Apache
#     mod_cgid; BENCH_SKIP_CGI=1 skips it) with short settings, if it is
#     there;
#  8. writes bench/results/run-YYYY-MM-DD.md (and the raw runs,
#     run-YYYY-MM-DD.tsv) and prints the report: the table, the ratios,
#     the issue's targets, the Apache comparison.
# Everything it started is stopped on exit, whatever happens.
#
# Environment:
#   BENCH_DURATION  seconds per wrk run (7)       BENCH_ROUNDS  rounds (3)
#   BENCH_WARMUP    seconds of warm-up per row (2)
#   BENCH_PROCS     FastCGI processes per program (2)
#   BENCH_DOCS      documents (10000)   BENCH_ACCESS_TOKENS  (100000)
#   BENCH_CLIENTS   clients (10000)     BENCH_USERS          (1000)
#   BENCH_POOL_RATE requests/s the credential pools are sized for (3000)
#   BENCH_QUERY, BENCH_QUERY_BROAD  the search queries (see below)
#   BENCH_ONLY      space-separated row ids to run (default: all)
#   BENCH_SKIP_CALLGRIND=1  no step 6     BENCH_SKIP_CGI=1  no step 7
#   BENCH_CGI_DURATION, BENCH_CGI_ROUNDS  bench/cgi.sh's settings (3, 1)
#   BENCH_KEEP=1    keep bench/build/run after the run (logs, raw wrk output)
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$BENCH/lib.sh"
bench_dirs build
SRC=$BUILD/src
OBJ=$BUILD/obj

DURATION=${BENCH_DURATION:-7}
ROUNDS=${BENCH_ROUNDS:-3}
WARMUP=${BENCH_WARMUP:-2}
THREADS=2
CONNS=32
PROCS=${BENCH_PROCS:-2}
NDOCS=${BENCH_DOCS:-10000}
NACCESS=${BENCH_ACCESS_TOKENS:-100000}
NCLIENTS=${BENCH_CLIENTS:-10000}
NUSERS=${BENCH_USERS:-1000}
POOL_RATE=${BENCH_POOL_RATE:-3000}
# every pool row runs WARMUP + ROUNDS * DURATION seconds, plus a probe
NPOOL=$(( (WARMUP + ROUNDS * DURATION + 2) * POOL_RATE ))
# The search queries (websearch_to_tsquery: all words must match). QUERY,
# two words of middle frequency, matches about 1 % of the documents (the
# run reports how many): a typical search. QUERY_BROAD (pgbench and
# callgrind only) has a word found in 43 % of them and matches about 9 %.
QUERY=${BENCH_QUERY:-database migration}
QUERY_BROAD=${BENCH_QUERY_BROAD:-refresh rotation}
FETCH_ID=doc-$(printf '%05d' $((NDOCS / 2)))
SDK_V1=1.32.2
SDK_V2=2.4.0
T0_ALL=$(date +%s)

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
for v in DURATION ROUNDS WARMUP PROCS NDOCS NACCESS NCLIENTS NUSERS POOL_RATE; do
	case ${!v} in '' | *[!0-9]*) die "BENCH_$v must be a whole number" ;; esac
done
[ "$NDOCS" -ge 1 ] && [ "$NCLIENTS" -ge 1 ] && [ "$NUSERS" -ge 1 ] && [ "$PROCS" -ge 1 ] || die "counts must be at least 1"

# ---- 0. packages -------------------------------------------------------------

mkdir -p "$BUILD" "$BIN"
chmod 755 "$BUILD"
PACKAGES="build-essential autoconf automake pkg-config libfcgi-dev libsodium-dev
libcjson-dev libpq-dev libcurl4-openssl-dev postgresql postgresql-client lighttpd
curl procps git jq wrk apache2 libapache2-mod-fcgid"
[ "${BENCH_SKIP_CALLGRIND:-0}" = 1 ] || PACKAGES="$PACKAGES valgrind strace"
missing=
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
# node and npm: Debian's packages unless a node is there already (a
# NodeSource nodejs brings its own npm)
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
	[ "$(id -u)" = 0 ] || die "missing Debian packages; run: sudo apt-get install --no-install-recommends$missing"
	say "installing:$missing"
	# shellcheck disable=SC2086 # a list of packages
	{ DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing; } \
		>"$BUILD/apt.log" 2>&1 || die "apt-get install failed: $BUILD/apt.log"
fi

# shellcheck source=../scripts/stack.sh
. "$TOP/scripts/stack.sh"
PGBIN=$(_stack_pg_bindir) || die "no PostgreSQL server programs"

# ---- clean-up ----------------------------------------------------------------

node_dirs=()
pool_dirs=()
STOPPED=0
stop_all() {
	local d
	[ "$STOPPED" = 1 ] && return 0
	STOPPED=1
	for d in "${node_dirs[@]}" "${pool_dirs[@]}"; do
		for n in node pool; do
			[ -f "$d/$n.sid" ] && _stack_kill_session "$(cat "$d/$n.sid")"
			_stack_reap "$d" "$n"
		done
	done
	[ -d "$RUN/apache-proxy" ] && stack_apache_stop "$RUN/apache-proxy"
	[ -d "$RUN/apache-fcgid" ] && stack_apache_stop "$RUN/apache-fcgid"
	[ -d "$RUN/lighttpd" ] && stack_lighttpd_stop "$RUN/lighttpd"
	[ -d "$RUN/pg" ] && stack_pg_stop "$RUN/pg"
	return 0
}
cleanup() {
	local rc=$?
	trap '' INT TERM HUP
	stop_all
	bench_finish "$rc" "${BENCH_KEEP:-0}"
}
bench_traps

# ---- 1. build ------------------------------------------------------------------

say "building mcpgate (release: CFLAGS=-O2) in $BUILD"
build_tree() {   # DIR: the release build in DIR/src -> DIR/obj, logs in $BUILD
	bench_build_tree "$1" "$BUILD" -O2 well-known health register authorize token mcp
}
# The work tree as git sees it, in $SRC (lib.sh says how and why)
bench_copy_tree "$BUILD"
if build_tree "$BUILD"; then
	MEASURED=$WORKTREE_MEASURED
else
	REV=${BENCH_REV:-HEAD}
	REVID=$(cd "$TOP" && git rev-parse --short "$REV") || die "no revision $REV"
	say "the work tree does not build ($BUILD/make.log); building $REV ($REVID) instead"
	SRC=$BUILD/rev/src OBJ=$BUILD/rev/obj
	bench_rev_tree "$REVID" "$BUILD/rev"
	build_tree "$BUILD/rev" || die "building $REV failed too: $BUILD/make.log"
	MEASURED="commit $REVID ($REV; the work tree did not build at the time)"
fi
PQINC=$(pkg-config --cflags libpq 2>/dev/null || echo "-I$(pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)")
# shellcheck disable=SC2086 # flags
cc -O2 -Wall -Wextra $PQINC -o "$BIN/ceiling-pg" "$BENCH/ceiling-pg.c" -lfcgi -lpq -lsodium
# ceiling-bare without libpq, which it does not use (and which would only
# add start-up and resident memory)
cc -O2 -Wall -Wextra -DCEILING_BARE -o "$BIN/ceiling-bare" "$BENCH/ceiling-pg.c" -lfcgi -lsodium
cc -O2 -Wall -Wextra -o "$BIN/fcgi-drive" "$BENCH/fcgi-drive.c"

# fcgi-pool SOCKET N PROGRAM [ARG...]: what spawn-fcgi -F N does (a
# listening Unix socket, mode 0777, as standard input of N copies of
# PROGRAM: libfcgi then serves FastCGI on it), but it stays their parent:
# it waits for them, passes SIGTERM or SIGINT on, and removes the socket.
# (spawn-fcgi exits after forking, and a PID 1 that does not reap leaves
# its children as zombies when they end.)
cat >"$BIN/fcgi-pool.c" <<'EOF'
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_signal(int s) { stop = s; }

int
main(int argc, char **argv)
{
	struct sockaddr_un a;
	struct sigaction sa;
	pid_t kids[64], pid;
	int fd, i, n, alive = 0, st;

	if (argc < 4 || (n = atoi(argv[2])) < 1 || n > 64) {
		fprintf(stderr, "usage: fcgi-pool SOCKET N(1-64) PROGRAM [ARG...]\n");
		return 2;
	}
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	if (strlen(argv[1]) >= sizeof(a.sun_path)) {
		fprintf(stderr, "fcgi-pool: socket path too long\n");
		return 2;
	}
	strcpy(a.sun_path, argv[1]);
	unlink(argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    listen(fd, 1024) == -1 || chmod(argv[1], 0777) == -1) {
		perror("fcgi-pool");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (i = 0; i < n; i++) {
		if ((pid = fork()) == -1) {
			perror("fcgi-pool: fork");
			break;
		}
		if (pid == 0) {
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			if (fd != 0 && (dup2(fd, 0) == -1 || close(fd) == -1))
				_exit(126);
			execv(argv[3], argv + 3);
			perror("fcgi-pool: exec");
			_exit(127);
		}
		kids[alive++] = pid;
	}
	close(fd);
	fprintf(stderr, "fcgi-pool: %d processes of %s on %s\n", alive, argv[3], argv[1]);
	n = alive;
	while (alive > 0) {
		if ((pid = wait(&st)) == -1) {
			if (errno != EINTR)
				break;
			if (stop)
				for (i = 0; i < n; i++)
					kill(kids[i], SIGTERM);
			continue;
		}
		alive--;
		if (!stop)
			fprintf(stderr, "fcgi-pool: process %d ended (status %d)\n", (int)pid, st);
	}
	unlink(argv[1]);
	return 0;
}
EOF
cc -O2 -Wall -Wextra -o "$BIN/fcgi-pool" "$BIN/fcgi-pool.c"

say "installing the SDK peers (npm install --no-package-lock in bench/sdk)"
(cd "$BENCH/sdk" && npm install --no-package-lock --no-audit --no-fund --loglevel=error >"$BUILD/npm.log" 2>&1) ||
	die "npm install failed: $BUILD/npm.log"
pkgver() { node -p "require('$BENCH/sdk/node_modules/$1/package.json').version" 2>/dev/null || echo '?'; }
[ "$(pkgver @modelcontextprotocol/sdk)" = "$SDK_V1" ] || die "@modelcontextprotocol/sdk is not $SDK_V1"
[ "$(pkgver @modelcontextprotocol/server)" = "$SDK_V2" ] || die "@modelcontextprotocol/server is not $SDK_V2"

# ---- 2. PostgreSQL and data ------------------------------------------------------

rm -rf "$RUN"
mkdir -p "$RUN/raw" "$RUN/req" "$RUN/pool"
chmod 755 "$RUN" "$RUN/pool"
say "starting PostgreSQL (durable defaults) in $RUN/pg"
unset STACK_PG_FAST
bench_pg_start mcpgate_bench

# The port is needed now: a token's resource is the MCP URL.
PORT=$(stack_free_port) || die "no free port"
BASE=http://127.0.0.1:$PORT
MCP_URL=$BASE/mcp
SEED=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
VERIFIER=bench-pkce-verifier-$SEED-0123456789abcdefghijklmnopqrstuvwxyz
REDIRECT=http://127.0.0.1/callback

say "loading the data set: $NCLIENTS clients, $NUSERS users, $NACCESS access tokens, $NDOCS documents, 2 × $NPOOL pool credentials"
awk -v docs="$NDOCS" -v seed=42 -f "$BENCH/gen-docs.awk" "$BENCH/words.txt" >"$RUN/docs.tsv"
secs_since() { awk -v a="$(date +%s.%N)" -v b="$1" 'BEGIN { printf "%.1f", a - b }'; }
t0=$(date +%s.%N)
psql -c "\\copy mcpgate.documents (doc_id, title, body, metadata, language) FROM '$RUN/docs.tsv'"
LOAD_DOCS=$(secs_since "$t0")
t1=$(date +%s.%N)
# b64url(x): unpadded base64url, as mcpgate writes its secrets; a raw
# credential is b64url of 32 bytes (sha256 of a seeded counter), stored as
# sha256 of its 43 characters.
psql -v seed="$SEED" -v resource="$MCP_URL" -v nclients="$NCLIENTS" -v nusers="$NUSERS" \
	-v naccess="$NACCESS" -v npool="$NPOOL" -v verifier="$VERIFIER" -v redirect="$REDIRECT" <<'EOF'
BEGIN;
CREATE FUNCTION pg_temp.b64url(b bytea) RETURNS text LANGUAGE sql IMMUTABLE
  AS $$ SELECT translate(encode(b, 'base64'), E'+/=\n', '-_') $$;
INSERT INTO mcpgate.users (username)
SELECT 'user-' || g FROM generate_series(1, :nusers) g;
-- public clients, as dynamic registration makes them
INSERT INTO mcpgate.clients (client_id, token_endpoint_auth_method, redirect_uris, client_name,
                             registration, registered_from, metadata, created_at)
SELECT 'bench-c-' || g, 'none', ARRAY[:'redirect'], 'bench client ' || g, 'dynamic', '127.0.0.1',
       jsonb_build_object('client_name', 'bench client ' || g, 'redirect_uris', jsonb_build_array(:'redirect'),
                          'token_endpoint_auth_method', 'none',
                          'grant_types', '["authorization_code","refresh_token"]'::jsonb,
                          'response_types', '["code"]'::jsonb),
       now() - interval '1 day'
  FROM generate_series(0, :nclients - 1) g;
CREATE TEMP TABLE u AS SELECT row_number() OVER (ORDER BY user_id) - 1 AS n, user_id FROM mcpgate.users;
-- n: the access tokens (one grant each), then the refresh pool (one grant
-- each): family, client and user of each
CREATE TEMP TABLE g AS
SELECT x.n, gen_random_uuid() AS fid, 'bench-c-' || (x.n % :nclients) AS cid, u.user_id AS uid
  FROM generate_series(0, :naccess + :npool - 1) AS x(n) JOIN u ON u.n = x.n % :nusers;
INSERT INTO mcpgate.token_families (family_id, client_id, user_id, scope, resource, created_at)
SELECT fid, cid, uid, 'mcp:read', :'resource', now() - interval '10 minutes' FROM g;
INSERT INTO mcpgate.tokens (token_hash, kind, family_id, client_id, user_id, scope, resource, created_at, expires_at)
SELECT sha256(convert_to(pg_temp.b64url(sha256(convert_to('at-' || :'seed' || '-' || n, 'UTF8'))), 'UTF8')),
       'access', fid, cid, uid, 'mcp:read', :'resource', now() - interval '10 minutes', now() + interval '1 day'
  FROM g WHERE n < :naccess;
CREATE TEMP TABLE rpool AS
SELECT n - :naccess AS i, pg_temp.b64url(sha256(convert_to('rt-' || :'seed' || '-' || n, 'UTF8'))) AS raw, fid, cid, uid
  FROM g WHERE n >= :naccess;
INSERT INTO mcpgate.tokens (token_hash, kind, family_id, client_id, user_id, scope, resource, created_at, expires_at)
SELECT sha256(convert_to(raw, 'UTF8')), 'refresh', fid, cid, uid, 'mcp:read', :'resource',
       now() - interval '10 minutes', now() + interval '30 days'
  FROM rpool;
-- the code pool: one verifier, its S256 challenge
CREATE TEMP TABLE cpool AS
SELECT x.i, pg_temp.b64url(sha256(convert_to('code-' || :'seed' || '-' || x.i, 'UTF8'))) AS raw,
       'bench-c-' || (x.i % :nclients) AS cid, u.user_id AS uid
  FROM generate_series(0, :npool - 1) AS x(i) JOIN u ON u.n = x.i % :nusers;
INSERT INTO mcpgate.authorization_codes (code_hash, client_id, user_id, redirect_uri, code_challenge,
                                         scope, resource, expires_at)
SELECT sha256(convert_to(raw, 'UTF8')), cid, uid, :'redirect',
       pg_temp.b64url(sha256(convert_to(:'verifier', 'UTF8'))), 'mcp:read', :'resource',
       now() + interval '1 day'
  FROM cpool;
COMMIT;
EOF
LOAD_AUTH=$(secs_since "$t1")
t1=$(date +%s.%N)
psql -c 'VACUUM ANALYZE' -c 'CHECKPOINT'
LOAD_VACUUM=$(secs_since "$t1")
LOAD_SECONDS=$(secs_since "$t0")
# The bodies of the pools, in order, and the token the /mcp rows use.
ENC_REDIRECT=$(jq -rn --arg v "$REDIRECT" '$v|@uri')
ENC_RESOURCE=$(jq -rn --arg v "$MCP_URL" '$v|@uri')
psql -A -t -v seed="$SEED" -v naccess="$NACCESS" -v npool="$NPOOL" -v nclients="$NCLIENTS" \
	-o "$RUN/pool/refresh.txt" <<'EOF'
SELECT 'grant_type=refresh_token&refresh_token='
       || translate(encode(sha256(convert_to('rt-' || :'seed' || '-' || n, 'UTF8')), 'base64'), E'+/=\n', '-_')
       || '&client_id=bench-c-' || (n % :nclients)
  FROM generate_series(:naccess, :naccess + :npool - 1) n ORDER BY n;
EOF
psql -A -t -v seed="$SEED" -v npool="$NPOOL" -v nclients="$NCLIENTS" -v verifier="$VERIFIER" \
	-v redir="$ENC_REDIRECT" -v res="$ENC_RESOURCE" -o "$RUN/pool/code.txt" <<'EOF'
SELECT 'grant_type=authorization_code&code='
       || translate(encode(sha256(convert_to('code-' || :'seed' || '-' || i, 'UTF8')), 'base64'), E'+/=\n', '-_')
       || '&code_verifier=' || :'verifier' || '&client_id=bench-c-' || (i % :nclients)
       || '&redirect_uri=' || :'redir' || '&resource=' || :'res'
  FROM generate_series(0, :npool - 1) i ORDER BY i;
EOF
sed -i '/^$/d' "$RUN/pool/refresh.txt" "$RUN/pool/code.txt"
[ "$(wc -l <"$RUN/pool/refresh.txt")" = "$NPOOL" ] && [ "$(wc -l <"$RUN/pool/code.txt")" = "$NPOOL" ] ||
	die "the pool files do not have $NPOOL lines"
TOKEN=$(psql -A -t -v seed="$SEED" <<<"SELECT translate(encode(sha256(convert_to('at-' || :'seed' || '-0', 'UTF8')), 'base64'), E'+/=\\n', '-_')")
[ "${#TOKEN}" = 43 ] || die "bad bench token '$TOKEN'"
NDOC_ROWS=$(psql -A -t -c 'SELECT count(*) FROM mcpgate.documents')
NTOK_ROWS=$(psql -A -t -c "SELECT count(*) FILTER (WHERE kind = 'access') || ' access and ' || count(*) FILTER (WHERE kind = 'refresh') || ' refresh' FROM mcpgate.tokens")
NFAM_ROWS=$(psql -A -t -c 'SELECT count(*) FROM mcpgate.token_families')
NCLI_ROWS=$(psql -A -t -c 'SELECT count(*) FROM mcpgate.clients')
NCODE_ROWS=$(psql -A -t -c 'SELECT count(*) FROM mcpgate.authorization_codes')
NMATCH=$(psql -A -t -v q="$QUERY" <<<"SELECT count(*) FROM mcpgate.documents WHERE tsv @@ websearch_to_tsquery('english', :'q')")
NMATCH_BROAD=$(psql -A -t -v q="$QUERY_BROAD" <<<"SELECT count(*) FROM mcpgate.documents WHERE tsv @@ websearch_to_tsquery('english', :'q')")
DB_SIZE=$(psql -A -t -c "SELECT pg_size_pretty(pg_database_size(current_database()))")
[ "$NMATCH" -gt 0 ] || die "the query '$QUERY' matches no document"
say "loaded in $LOAD_SECONDS s (documents $LOAD_DOCS s, clients/users/tokens/codes $LOAD_AUTH s, VACUUM ANALYZE + CHECKPOINT $LOAD_VACUUM s); database $DB_SIZE"

# ---- 3. servers ----------------------------------------------------------------------

say "starting lighttpd on 127.0.0.1:$PORT ($PROCS FastCGI processes per program)"
CGIBIN=$RUN/cgi-bin
stack_install_programs "$OBJ/cgi-bin" "$CGIBIN" || die "installing the programs failed"
cp "$BIN/ceiling-pg" "$BIN/ceiling-bare" "$CGIBIN/"
# register_limit: registrations per address and hour; the load comes from
# one address (default 20)
stack_write_config "$RUN/mcpgate.conf" "$BASE" "$CONNINFO" register_limit=100000 || die "config"
# lighttpd includes SRCDIR/conf/lighttpd/mcpgate.conf: give it a directory
# whose file includes mcpgate's unchanged and adds the two ceiling programs
# the same way (a rewrite to an internal name, the same FastCGI options)
# and the static file's type.
mkdir -p "$RUN/lconf/conf/lighttpd"
cat >"$RUN/lconf/conf/lighttpd/mcpgate.conf" <<EOF
include "$SRC/conf/lighttpd/mcpgate.conf"

# bench/run.sh: the reference programs, beside mcpgate's
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
\$HTTP["url"] =~ "^/static/" {
  mimetype.assign = ( ".json" => "application/json" )
}
EOF
export STACK_LIGHTTPD_MAX_PROCS=$PROCS STACK_MCPGATE_HTDOCS=$SRC/htdocs
stack_lighttpd_start "$RUN/lighttpd" "$PORT" "$CGIBIN" "$RUN/mcpgate.conf" "$RUN/lconf" ||
	die "lighttpd did not start"
# (r1): the very bytes of (r2), as a file in lighttpd's document root
mkdir -p "$RUN/lighttpd/htdocs/static"
curl -sf --noproxy '*' -o "$RUN/lighttpd/htdocs/static/answer.json" "$BASE/ceiling/bare" ||
	die "ceiling (b) does not answer"
STATIC_BYTES=$(wc -c <"$RUN/lighttpd/htdocs/static/answer.json")

# SDK peers, each in its own session (stopped by session id)
start_node() {   # NAME FLAVOUR WORKERS PORT
	local name=$1 flavour=$2 workers=$3 port=$4 dir=$RUN/$1 i
	mkdir -p "$dir"
	node_dirs+=("$dir")
	_stack_bg "$dir" node "$dir/node.log" node "$BENCH/sdk/server.mjs" "$flavour" "$port" "$workers" "$TOKEN"
	_stack_sid_of "$(cat "$dir/node.bgpid")" >"$dir/node.sid"
	for i in $(seq 150); do
		grep -q 'listening on' "$dir/node.log" 2>/dev/null && return 0
		kill -0 "$(cat "$dir/node.bgpid")" 2>/dev/null || break
		sleep 0.1
	done
	cat "$dir/node.log" >&2
	die "$name did not start"
}
declare -A NODE_PORT
for n in v1s:v1:1 v1c:v1:2 v2s:v2:1 v2c:v2:2; do
	IFS=: read -r name flavour workers <<<"$n"
	NODE_PORT[$name]=$(stack_free_port)
	start_node "sdk-$name" "$flavour" "$workers" "${NODE_PORT[$name]}"
done
say "SDK peers: v1 single :${NODE_PORT[v1s]}, cluster :${NODE_PORT[v1c]}; v2 single :${NODE_PORT[v2s]}, cluster :${NODE_PORT[v2c]}"

# Apache + mod_proxy_fcgi in front of fcgi-pool pools of the well-known
# and mcp programs (PROCS processes each), and Apache + mod_fcgid with
# conf/apache/mcpgate.conf unchanged (FcgidMaxProcessesPerClass 4: its
# processes are started on demand, up to 4 per program).
APACHE_OK=1
APACHE_WHY=
if [ "$(id -u)" != 0 ]; then
	APACHE_OK=0 APACHE_WHY="not run as root (Apache's workers run as www-data here)"
fi
MODS=${STACK_APACHE_MODULES:-/usr/lib/apache2/modules}
for m in proxy proxy_fcgi fcgid mpm_event; do
	[ -f "$MODS/mod_$m.so" ] || { APACHE_OK=0 APACHE_WHY="no $MODS/mod_$m.so"; }
done
if [ "$APACHE_OK" = 1 ]; then
	for p in well-known mcp; do
		d=$RUN/pool-$p
		mkdir -p "$d"
		chmod 755 "$d"
		pool_dirs+=("$d")
		_stack_bg "$d" pool "$d/pool.log" env MCPGATE_CONFIG="$RUN/mcpgate.conf" \
			"$BIN/fcgi-pool" "$d/s" "$PROCS" "$CGIBIN/$p"
		for i in $(seq 50); do [ -S "$d/s" ] && break; sleep 0.1; done
		[ -S "$d/s" ] || { cat "$d/pool.log" >&2; die "fcgi-pool $p did not start"; }
		_stack_sid_of "$(cat "$d/pool.bgpid")" >"$d/pool.sid"
	done
	APX_PORT=$(stack_free_port)
	AD=$RUN/apache-proxy
	mkdir -p "$AD/run" "$AD/htdocs"
	chmod 755 "$AD" "$AD/run" "$AD/htdocs"
	atoken="apache-proxy $$ $RANDOM"
	printf '%s\n' "$atoken" >"$AD/htdocs/stack-ready.txt"
	chmod 644 "$AD/htdocs/stack-ready.txt"
	# The same server settings as scripts/stack.sh's Apache (event MPM, one
	# child, 16 threads, access log on); a distinct worker name per socket
	# (fcgi://well-known/, fcgi://mcp/): two workers of the same name are
	# one worker, and every request would go to the first socket.
	cat >"$AD/httpd.conf" <<EOF
# private Apache with mod_proxy_fcgi, written by bench/run.sh
ServerRoot "$AD"
ServerName 127.0.0.1
Listen 127.0.0.1:$APX_PORT
PidFile "$AD/run/httpd.pid"
DefaultRuntimeDir "$AD/run"
Mutex "file:$AD/run" default
ErrorLog "$AD/apache-error.log"
LogLevel warn
LogFormat "%h \"%r\" %>s %b %Dus pid=%P" stack
CustomLog "$AD/apache-access.log" stack
LoadModule mpm_event_module  $MODS/mod_mpm_event.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule mime_module       $MODS/mod_mime.so
LoadModule env_module        $MODS/mod_env.so
LoadModule proxy_module      $MODS/mod_proxy.so
LoadModule proxy_fcgi_module $MODS/mod_proxy_fcgi.so
$( [ -f /etc/mime.types ] && echo "TypesConfig /etc/mime.types" )
User www-data
Group www-data
StartServers        1
ServerLimit         2
ThreadsPerChild     16
MaxRequestWorkers   32
MinSpareThreads     1
MaxSpareThreads     32
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory "$AD/htdocs">
  Require all granted
</Directory>
<VirtualHost 127.0.0.1:$APX_PORT>
  ServerName 127.0.0.1
  DocumentRoot "$AD/htdocs"
  <LocationMatch "^/\.well-known/oauth-(?:authorization-server|protected-resource(?:/mcp)?)\$">
    SetHandler "proxy:unix:$RUN/pool-well-known/s|fcgi://well-known/"
    SetEnv MCPGATE_CONFIG "$RUN/mcpgate.conf"
    Require all granted
  </LocationMatch>
  <LocationMatch "^/mcp\$">
    SetHandler "proxy:unix:$RUN/pool-mcp/s|fcgi://mcp/"
    SetEnv MCPGATE_CONFIG "$RUN/mcpgate.conf"
    CGIPassAuth On
    Require all granted
  </LocationMatch>
</VirtualHost>
EOF
	APACHE_BIN=$(_stack_find "${STACK_APACHE:-}" apache2 httpd) || die "apache2 not found"
	"$APACHE_BIN" -t -d "$AD" -f "$AD/httpd.conf" >"$AD/apache-check.log" 2>&1 ||
		{ cat "$AD/apache-check.log" >&2; die "apache2 -t rejected $AD/httpd.conf"; }
	_stack_bg "$AD" apache "$AD/apache-stderr.log" "$APACHE_BIN" -d "$AD" -f "$AD/httpd.conf" -D FOREGROUND
	_stack_wait_http "$AD" apache "$APX_PORT" "$atoken" "$AD/apache-error.log" "$AD/apache-stderr.log" ||
		die "Apache (mod_proxy_fcgi) did not start"
	p=$(_stack_live_pid "$AD/run/httpd.pid") && _stack_sid_of "$p" >"$AD/apache.sid"

	AFC_PORT=$(stack_free_port)
	stack_apache_start "$RUN/apache-fcgid" "$AFC_PORT" "$CGIBIN" "$RUN/mcpgate.conf" "$SRC" fcgid ||
		die "Apache (mod_fcgid) did not start"
	say "Apache: mod_proxy_fcgi on 127.0.0.1:$APX_PORT, mod_fcgid on 127.0.0.1:$AFC_PORT"
else
	say "no Apache rows: $APACHE_WHY"
fi

# ---- 4. the rows -----------------------------------------------------------------------

# Bodies. 2025 era: a plain JSON-RPC request. 2026-07-28 (SDK v2): the
# per-request _meta envelope, as @modelcontextprotocol/client 2.x sends it.
REQ=$RUN/req
printf '%s' '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1.0.0"}}}' >"$REQ/init.json"
printf '%s' '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}' >"$REQ/list.json"
jq -cn --arg q "$QUERY" '{jsonrpc:"2.0",id:2,method:"tools/call",params:{name:"search",arguments:{query:$q}}}' >"$REQ/search.json"
jq -cn --arg q "$QUERY_BROAD" '{jsonrpc:"2.0",id:2,method:"tools/call",params:{name:"search",arguments:{query:$q}}}' >"$REQ/search-broad.json"
jq -cn --arg id "$FETCH_ID" '{jsonrpc:"2.0",id:3,method:"tools/call",params:{name:"fetch",arguments:{id:$id}}}' >"$REQ/fetch.json"
printf '%s' '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}' >"$REQ/echo.json"
META='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"bench","version":"1.0.0"},"io.modelcontextprotocol/clientCapabilities":{}}'
printf '%s' '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{'"$META"'}}' >"$REQ/list26.json"
printf '%s' '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"},'"$META"'}}' >"$REQ/echo26.json"
jq -cn --arg r "$REDIRECT" '{redirect_uris:[$r],client_name:"bench",token_endpoint_auth_method:"none",grant_types:["authorization_code","refresh_token"],response_types:["code"]}' >"$REQ/register.json"
for f in "$REQ"/*.json; do jq -e . "$f" >/dev/null || die "bad JSON: $f"; done

H_JSON=$'Content-Type: application/json\nAccept: application/json, text/event-stream'
H_AUTH="Authorization: Bearer $TOKEN"
H25=$'\nMCP-Protocol-Version: 2025-06-18'
H_FORM='Content-Type: application/x-www-form-urlencoded'
NL=$'\n'
H26L="$H_JSON$NL$H_AUTH${NL}MCP-Protocol-Version: 2026-07-28${NL}Mcp-Method: tools/list"
H26C="$H_JSON$NL$H_AUTH${NL}MCP-Protocol-Version: 2026-07-28${NL}Mcp-Method: tools/call${NL}Mcp-Name: echo"

# id|what|ceiling|sdk|group|method|url|body|headers|status|expected body text
#  ceiling: r1, r2, r3 or - (the reference the ratio is taken to)
#  sdk: list or call (which SDK rows the ratio is taken to), or -
#  group: whose CPU is the server's: lt (lighttpd, its programs,
#    PostgreSQL), node:NAME, apx (Apache + the pools + PostgreSQL), afc
#    (Apache + mod_fcgid's processes + PostgreSQL)
#  body: a file in $REQ, - for none, pool:NAME for a fresh line of
#    $RUN/pool/NAME.txt per request
ROWS=(
"r1|(r1) lighttpd: static ${STATIC_BYTES}-byte JSON file, GET|-|-|lt|GET|$BASE/static/answer.json|-|Accept: application/json|200|\"tools\""
"r2|(r2) lighttpd + minimal C FastCGI program, the same bytes, GET|-|-|lt|GET|$BASE/ceiling/bare|-|Accept: application/json|200|\"tools\""
"r3|(r3) the same + SHA-256 + 1 prepared PG lookup by hash, POST tools/list|-|-|lt|POST|$BASE/ceiling/pg|list.json|$H_JSON$NL$H_AUTH|200|\"tools\""
"v1s_list|(r4) SDK v1 $SDK_V1, 1 process: tools/list|-|-|node:v1s|POST|http://127.0.0.1:${NODE_PORT[v1s]}/mcp|list.json|$H_JSON$NL$H_AUTH$H25|200|\"echo\""
"v1s_call|(r4) SDK v1, 1 process: tools/call echo|-|-|node:v1s|POST|http://127.0.0.1:${NODE_PORT[v1s]}/mcp|echo.json|$H_JSON$NL$H_AUTH$H25|200|hello"
"v1c_list|(r5) SDK v1, node:cluster ×2: tools/list|-|-|node:v1c|POST|http://127.0.0.1:${NODE_PORT[v1c]}/mcp|list.json|$H_JSON$NL$H_AUTH$H25|200|\"echo\""
"v1c_call|(r5) SDK v1, cluster ×2: tools/call echo|-|-|node:v1c|POST|http://127.0.0.1:${NODE_PORT[v1c]}/mcp|echo.json|$H_JSON$NL$H_AUTH$H25|200|hello"
"v2s_list|(r6) SDK v2 $SDK_V2, 1 process: tools/list (2026-07-28)|-|-|node:v2s|POST|http://127.0.0.1:${NODE_PORT[v2s]}/mcp|list26.json|$H26L|200|\"echo\""
"v2s_call|(r6) SDK v2, 1 process: tools/call echo (2026-07-28)|-|-|node:v2s|POST|http://127.0.0.1:${NODE_PORT[v2s]}/mcp|echo26.json|$H26C|200|hello"
"v2c_list|(r7) SDK v2, cluster ×2: tools/list (2026-07-28)|-|-|node:v2c|POST|http://127.0.0.1:${NODE_PORT[v2c]}/mcp|list26.json|$H26L|200|\"echo\""
"v2c_call|(r7) SDK v2, cluster ×2: tools/call echo (2026-07-28)|-|-|node:v2c|POST|http://127.0.0.1:${NODE_PORT[v2c]}/mcp|echo26.json|$H26C|200|hello"
"m_as|**mcpgate: GET /.well-known/oauth-authorization-server**|r2|-|lt|GET|$BASE/.well-known/oauth-authorization-server|-|Accept: application/json|200|token_endpoint"
"m_prm|**mcpgate: GET /.well-known/oauth-protected-resource/mcp**|r2|-|lt|GET|$BASE/.well-known/oauth-protected-resource/mcp|-|Accept: application/json|200|authorization_servers"
"m_init|mcpgate: POST /mcp initialize|r3|list|lt|POST|$BASE/mcp|init.json|$H_JSON$NL$H_AUTH|200|protocolVersion"
"m_list|**mcpgate: POST /mcp tools/list**|r3|list|lt|POST|$BASE/mcp|list.json|$H_JSON$NL$H_AUTH$H25|200|\"fetch\""
"m_search|**mcpgate: tools/call search** \"$QUERY\" ($NMATCH of $NDOC_ROWS documents match)|r3|call|lt|POST|$BASE/mcp|search.json|$H_JSON$NL$H_AUTH$H25|200|\"doc-"
"m_fetch|mcpgate: tools/call fetch $FETCH_ID|r3|call|lt|POST|$BASE/mcp|fetch.json|$H_JSON$NL$H_AUTH$H25|200|$FETCH_ID"
"m_401|mcpgate: POST /mcp without a token (401)|r2|-|lt|POST|$BASE/mcp|list.json|$H_JSON$H25|401|authorization required"
"m_refresh|**mcpgate: POST /mcp/token refresh_token grant** (a fresh refresh token per request, rotated)|r3|-|lt|POST|$BASE/mcp/token|pool:refresh|$H_FORM|200|refresh_token"
"m_code|mcpgate: POST /mcp/token authorization_code grant (a fresh code per request, PKCE S256)|r3|-|lt|POST|$BASE/mcp/token|pool:code|$H_FORM|200|access_token"
"m_register|mcpgate: POST /mcp/register (public client)|r3|-|lt|POST|$BASE/mcp/register|register.json|Content-Type: application/json|201|client_id"
)
if [ "$APACHE_OK" = 1 ]; then
	ROWS+=(
"apx_prm|Apache + mod_proxy_fcgi → pool ×$PROCS: GET protected-resource metadata|r2|-|apx|GET|http://127.0.0.1:$APX_PORT/.well-known/oauth-protected-resource/mcp|-|Accept: application/json|200|authorization_servers"
"apx_list|Apache + mod_proxy_fcgi → pool ×$PROCS: tools/list|r3|list|apx|POST|http://127.0.0.1:$APX_PORT/mcp|list.json|$H_JSON$NL$H_AUTH$H25|200|\"fetch\""
"afc_prm|Apache + mod_fcgid (≤ 4 per program): GET protected-resource metadata|r2|-|afc|GET|http://127.0.0.1:$AFC_PORT/.well-known/oauth-protected-resource/mcp|-|Accept: application/json|200|authorization_servers"
"afc_list|Apache + mod_fcgid (≤ 4 per program): tools/list|r3|list|afc|POST|http://127.0.0.1:$AFC_PORT/mcp|list.json|$H_JSON$NL$H_AUTH$H25|200|\"fetch\""
	)
fi

declare -A R_WHAT R_CEIL R_SDK R_GROUP R_METHOD R_URL R_BODY R_HDR R_STATUS R_EXPECT
IDS=()
for row in "${ROWS[@]}"; do
	id=$(row_field "$row" 0)
	if [ -n "${BENCH_ONLY:-}" ] && ! [[ " $BENCH_ONLY " == *" $id "* ]]; then continue; fi
	IDS+=("$id")
	R_WHAT[$id]=$(row_field "$row" 1); R_CEIL[$id]=$(row_field "$row" 2)
	R_SDK[$id]=$(row_field "$row" 3); R_GROUP[$id]=$(row_field "$row" 4)
	R_METHOD[$id]=$(row_field "$row" 5); R_URL[$id]=$(row_field "$row" 6)
	R_BODY[$id]=$(row_field "$row" 7); R_HDR[$id]=$(row_field "$row" 8)
	R_STATUS[$id]=$(row_field "$row" 9); R_EXPECT[$id]=$(row_field "$row" 10)
done
[ ${#IDS[@]} -gt 0 ] || die "BENCH_ONLY selects no row"

# the next unused line of each pool
declare -A FAILED_RUNS=()
declare -A POOL_NEXT=([refresh]=0 [code]=0)
declare -A POOL_SHORT=([refresh]=0 [code]=0)

# A pool row's probe takes the pool's next line (in this shell, not in
# the $(...) of probe).
probe_body() {   # ID
	local b=${R_BODY[$1]} pool
	case $b in
	pool:*)
		pool=${b#pool:}
		sed -n "$((POOL_NEXT[$pool] + 1))p" "$RUN/pool/$pool.txt" | tr -d '\n' >"$REQ/$1.body"
		POOL_NEXT[$pool]=$((POOL_NEXT[$pool] + 1)) ;;
	esac
}
# One request with curl: prints the status; the body goes to $REQ/ID.answer.
probe() {
	local id=$1 h b=${R_BODY[$1]}
	local -a args=(-s --noproxy '*' --max-time 10 -o "$REQ/$id.answer" -w '%{http_code}' -X "${R_METHOD[$id]}")
	while IFS= read -r h; do [ -n "$h" ] && args+=(-H "$h"); done <<<"${R_HDR[$id]}"
	case $b in
	-) ;;
	pool:*) args+=(--data-binary "@$REQ/$id.body") ;;
	*) args+=(--data-binary "@$REQ/$b") ;;
	esac
	curl "${args[@]}" "${R_URL[$id]}" || true
}
reset_register_limit() { psql -c "DELETE FROM mcpgate.rate_limits WHERE bucket LIKE 'register:%'"; }

say "checking every row once"
for id in "${IDS[@]}"; do
	[ "$id" = m_register ] && reset_register_limit
	probe_body "$id"
	st=$(probe "$id")
	if [ "$st" != "${R_STATUS[$id]}" ] || ! grep -qF -- "${R_EXPECT[$id]}" "$REQ/$id.answer"; then
		echo "---- $id: status $st, answer:" >&2; head -c 600 "$REQ/$id.answer" >&2; echo >&2
		tail -n 5 "$RUN/lighttpd/lighttpd-error.log" >&2 2>/dev/null || true
		die "row $id does not answer as expected (${R_STATUS[$id]} with '${R_EXPECT[$id]}')"
	fi
	printf '   %-10s %s  %6d bytes\n' "$id" "$st" "$(wc -c <"$REQ/$id.answer")" >&2
done
NRESULTS=$(jq -r '.result.structuredContent.results // (.result.content[0].text | fromjson | .results) | length' "$REQ/m_search.answer" 2>/dev/null || echo '?')
# The refresh answer must carry a new pair, and the code answer too.
if [[ " ${IDS[*]} " == *" m_refresh "* ]]; then
	jq -e '.access_token and .refresh_token' "$REQ/m_refresh.answer" >/dev/null || die "the refresh answer has no new pair"
fi

# ---- 5. load ---------------------------------------------------------------------------

# CPU ticks of every process: "pid sid ppid ticks comm" lines. ticks:
# utime+stime+cutime+cstime, so that a process that ends during a run
# (mod_fcgid's, or an Apache child) still counts, through its parent.
ticks_all() {
	# (a process may end between the glob and cat: not an error)
	{ cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk '{
		pid = $1; c = $0; sub(/^[^(]*\(/, "", c); sub(/\).*$/, "", c); gsub(/ /, "_", c)
		s = $0; sub(/^.*\) /, "", s); split(s, f, " ")
		print pid, f[4], f[2], f[12] + f[13] + f[14] + f[15], c }'
}
sid_file() { [ -f "$1" ] && cat "$1" || echo -1; }
LT_SID=$(cat "$RUN/lighttpd/lighttpd.sid")
LT_PID=$(cat "$RUN/lighttpd/lighttpd.pid")
# PostgreSQL's processes each make a session of their own (setsid in
# InitPostmasterChild): count the postmaster and its children.
PG_PM=$(head -n 1 "$RUN/pg/pgdata/postmaster.pid")
SIDS_NODE="$(sid_file "$RUN/sdk-v1s/node.sid") $(sid_file "$RUN/sdk-v1c/node.sid") $(sid_file "$RUN/sdk-v2s/node.sid") $(sid_file "$RUN/sdk-v2c/node.sid")"
APX_SID=$(sid_file "$RUN/apache-proxy/apache.sid")
AFC_SID=$(sid_file "$RUN/apache-fcgid/apache.sid")
POOL_SIDS="$(sid_file "$RUN/pool-well-known/pool.sid") $(sid_file "$RUN/pool-mcp/pool.sid")"
HZ=$(getconf CLK_TCK)

# Ticks of every group of servers: "lt_front lt_app pg v1s v1c v2s v2c
# apx_front apx_app afc_front afc_app".
split_ticks() {   # FILE
	awk -v lt="$LT_SID" -v ltp="$LT_PID" -v pm="$PG_PM" -v nodes="$SIDS_NODE" \
	    -v apx="$APX_SID" -v afc="$AFC_SID" -v pools="$POOL_SIDS" '
		BEGIN { split(nodes, ns, " "); for (i in ns) node[ns[i]] = i; split(pools, ps, " "); for (i in ps) pool[ps[i]] = 1 }
		$2 == lt && $1 == ltp { t["lt_front"] += $4; next }
		$2 == lt { t["lt_app"] += $4; next }
		$1 == pm || $3 == pm { t["pg"] += $4; next }
		$2 in node { t["n" node[$2]] += $4; next }
		$2 == apx { t["apx_front"] += $4; next }
		$2 in pool { t["apx_app"] += $4; next }
		$2 == afc && $5 == "apache2" { t["afc_front"] += $4; next }
		$2 == afc { t["afc_app"] += $4; next }
		END { printf "%d %d %d %d %d %d %d %d %d %d %d\n", t["lt_front"], t["lt_app"], t["pg"],
			t["n1"], t["n2"], t["n3"], t["n4"], t["apx_front"], t["apx_app"], t["afc_front"], t["afc_app"] }' "$1"
}

TSV=$RUN/raw/runs.tsv
printf 'id\tround\treq_s\tp50_ms\tp99_ms\trequests\tnon2xx\tsocket_errors\tfront_us\tapp_us\tpg_us\twrk_us\tbusy_pct\tother_pct\tpool_exhausted\n' >"$TSV"

# wrk_run ID SECONDS OUTFILE (in this shell: a pool row moves POOL_NEXT on)
wrk_run() {
	local id=$1 secs=$2 out=$3 b=${R_BODY[$1]} pool next short
	[ "$id" = m_register ] && reset_register_limit
	case $b in
	pool:*)
		pool=${b#pool:}
		BENCH_METHOD=${R_METHOD[$id]} BENCH_HEADERS=${R_HDR[$id]} BENCH_THREADS=$THREADS \
			BENCH_POOL_FILE=$RUN/pool/$pool.txt BENCH_POOL_START=${POOL_NEXT[$pool]} \
			wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" --latency -s "$BENCH/wrk/pool.lua" "${R_URL[$id]}" >"$out" 2>&1 || true
		next=$(awk '$1 == "pool_next" { print $2 }' "$out")
		short=$(awk '$1 == "pool_exhausted" { print $2 }' "$out")
		[ -n "$next" ] || { cat "$out" >&2; die "wrk (pool.lua) failed for $id"; }
		POOL_NEXT[$pool]=$next
		POOL_SHORT[$pool]=$((POOL_SHORT[$pool] + short))
		;;
	*)
		local body=
		[ "$b" != - ] && body=$REQ/$b
		BENCH_METHOD=${R_METHOD[$id]} BENCH_BODY_FILE=$body BENCH_HEADERS=${R_HDR[$id]} \
			wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" --latency -s "$BENCH/wrk/request.lua" "${R_URL[$id]}" >"$out" 2>&1 || true
		;;
	esac
}

measure() {   # ID ROUND
	local id=$1 round=$2 out=$RUN/raw/$1.$2.txt
	local b0 b1 c0 c1 s0 s1 rps p50 p99 n non2xx serr ex i fr ap pg all
	ticks_all >"$RUN/raw/t0"; read -r -a b0 <<<"$(busy_ticks)"; c0=$(self_child_ticks)
	wrk_run "$id" "$DURATION" "$out"
	c1=$(self_child_ticks); read -r -a b1 <<<"$(busy_ticks)"; ticks_all >"$RUN/raw/t1"
	read -r -a s0 <<<"$(split_ticks "$RUN/raw/t0")"
	read -r -a s1 <<<"$(split_ticks "$RUN/raw/t1")"
	wrk_figures "$out"
	ex=$(awk '$1 == "pool_exhausted" { print $2 }' "$out"); ex=${ex:-0}
	if ! { [ -n "$rps" ] && [ -n "$n" ] && [ "$n" -gt 0 ]; }; then
		# Not one answer. On an Apache row that is Apache's own failure
		# (mod_fcgid with "Mutex file:" loses its process-table lock under
		# load; see the report): the run is recorded as failed and the
		# other rows go on. Anywhere else it is ours: stop.
		case ${R_GROUP[$id]} in
		apx | afc)
			FAILED_RUNS[$id]=$((${FAILED_RUNS[$id]:-0} + 1))
			printf '   %-10s round %s: no answer at all (the front end stopped answering)\n' "$id" "$round" >&2
			return 0
			;;
		esac
		cat "$out" >&2
		die "wrk failed for $id"
	fi
	local -a d=()
	for i in "${!s1[@]}"; do d[i]=$((s1[i] - s0[i])); done
	# d: 0 lt_front 1 lt_app 2 pg 3-6 node v1s v1c v2s v2c 7 apx_front 8 apx_app 9 afc_front 10 afc_app
	case ${R_GROUP[$id]} in
	lt) fr=${d[0]} ap=${d[1]} pg=${d[2]} ;;
	node:v1s) fr=0 ap=${d[3]} pg=0 ;;
	node:v1c) fr=0 ap=${d[4]} pg=0 ;;
	node:v2s) fr=0 ap=${d[5]} pg=0 ;;
	node:v2c) fr=0 ap=${d[6]} pg=0 ;;
	apx) fr=${d[7]} ap=${d[8]} pg=${d[2]} ;;
	afc) fr=${d[9]} ap=${d[10]} pg=${d[2]} ;;
	esac
	all=0
	for i in "${!d[@]}"; do all=$((all + d[i])); done
	awk -v id="$id" -v r="$round" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v n="$n" \
	    -v non2xx="$non2xx" -v serr="$serr" -v hz="$HZ" -v ex="$ex" \
	    -v fr="$fr" -v ap="$ap" -v pg="$pg" -v all="$all" \
	    -v wr=$((c1 - c0)) -v busy=$((b1[0] - b0[0])) -v tot=$((b1[1] - b0[1])) -v ncpu="$(nproc)" 'BEGIN {
		us = 1e6 / hz / n
		bp = tot > 0 ? 100 * busy / tot * ncpu : 0
		# everything busy that is neither one of our servers nor wrk, as
		# a share of one core: other tenants, kernel threads
		op = tot > 0 ? 100 * (busy - all - wr) / tot * ncpu : 0
		printf "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.0f\t%.0f\t%d\n",
		    id, r, rps, p50, p99, n, non2xx, serr, fr * us, ap * us, pg * us, wr * us, bp, op, ex
	}' >>"$TSV"
	tail -n 1 "$TSV" | awk -F'\t' '{ printf "   %-10s round %s: %9.0f req/s  p50 %s ms  p99 %s ms  server %.0f us/req  other %s%%%s%s\n", $1, $2, $3, $4, $5, $9 + $10 + $11, $14, ($7 > 0 ? "  non-2xx " $7 : ""), ($8 > 0 ? "  socket errors " $8 : "") }' >&2
}

say "warm-up: ${WARMUP}s per row"
for id in "${IDS[@]}"; do wrk_run "$id" "$WARMUP" "$RUN/raw/$id.warmup.txt"; done
T_START=$(date -u '+%Y-%m-%d %H:%M')
for round in $(seq "$ROUNDS"); do
	say "round $round of $ROUNDS (${DURATION}s per row)"
	for id in "${IDS[@]}"; do measure "$id" "$round"; done
done
T_END=$(date -u '+%H:%M')
TODAY=$(date -u +%F)
mkdir -p "$RESULTS"
cp "$TSV" "$RESULTS/run-$TODAY.tsv"
# what the pools had left
POOL_USED_REFRESH=${POOL_NEXT[refresh]} POOL_USED_CODE=${POOL_NEXT[code]}

# ---- 6. instructions, plans, the database alone -----------------------------------------

CALLGRIND=0
if [ "${BENCH_SKIP_CALLGRIND:-0}" != 1 ]; then
CALLGRIND=1
say "callgrind: CGI runs and FastCGI steady state"
CG=$RUN/callgrind
mkdir -p "$CG"
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
# The median of dumps 7..N+1 (the first requests pay the connect).
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
# System calls per request of the program: strace -ff of 5 and of 25
# requests, the difference / 20.
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
CTX=$(jq -cn '{user_id:1,client_id:"bench-c-0",scopes:["mcp:read"],search_config:"english",fetch_max_chars:100000}')
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
	"$PGBIN/pgbench" -n -M prepared -c "${PGB_CLIENTS:-2}" -j 2 -T "$PGB_SECS" -D "tok=\\x$TOKHEX" -D "res=$MCP_URL" \
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
# the durable commit alone: one single-row INSERT per transaction
psql -c 'CREATE TABLE bench_exp.commits (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())'
echo 'INSERT INTO bench_exp.commits DEFAULT VALUES;' >"$RUN/pgb-commit.sql"
PGB_COMMIT=$(pgb "$RUN/pgb-commit.sql")
PGB_COMMIT32=$(PGB_CLIENTS=32 pgb "$RUN/pgb-commit.sql")
# The refresh grant's two statements (client_auth, then token_refresh from
# src/lib/db_stmt.c, as the token program sends them), each transaction
# with a refresh token of its own from a pool minted here (a grant each,
# as the wrk row's), from as many clients as the token program has
# processes: what PostgreSQL allows the grant row with nothing in front.
PGB_RT_N=$((PGB_SECS * 12000))
psql -v n="$PGB_RT_N" -v nclients="$NCLIENTS" -v resource="$MCP_URL" <<'EOF'
CREATE SEQUENCE bench_exp.rseq;
CREATE TABLE bench_exp.rpool AS
SELECT g AS i, sha256(convert_to('pgbench-rt-' || g, 'UTF8')) AS h,
       'bench-c-' || (g % :nclients) AS c, gen_random_uuid() AS fid,
       (SELECT min(user_id) FROM mcpgate.users) AS uid
  FROM generate_series(1, :n) g;
CREATE UNIQUE INDEX ON bench_exp.rpool (i);
INSERT INTO mcpgate.token_families (family_id, client_id, user_id, scope, resource, created_at)
SELECT fid, c, uid, 'mcp:read', :'resource', now() - interval '10 minutes' FROM bench_exp.rpool;
INSERT INTO mcpgate.tokens (token_hash, kind, family_id, client_id, user_id, scope, resource, created_at, expires_at)
SELECT h, 'refresh', fid, c, uid, 'mcp:read', :'resource', now() - interval '10 minutes', now() + interval '30 days'
  FROM bench_exp.rpool;
VACUUM ANALYZE bench_exp.rpool, mcpgate.tokens, mcpgate.token_families;
EOF
{
	echo "SELECT h, c FROM bench_exp.rpool WHERE i = (SELECT nextval('bench_exp.rseq')) \\gset"
	stmt_sql client_auth | sed 's/\$1/:c/g; s/\$2/:bucket/g'
	# the new pair's hashes random, the sealed replay copy a blob of its size
	stmt_sql token_refresh | sed "s/\\\$12/:remote/g; s/\\\$11/60/g; s/\\\$10/7776000/g; s/\\\$9/2592000/g;
		s/\\\$8/3600/g; s/\\\$7/:box/g; s/\\\$6/sha256(convert_to(random()::text, 'UTF8'))/g;
		s/\\\$5/sha256(convert_to(random()::text, 'UTF8'))/g; s/\\\$4/:res/g; s/\\\$3/NULL/g;
		s/\\\$2/:c/g; s/\\\$1/:h/g"
} >"$RUN/pgb-refresh.sql"
grep -q 'mcpgate.token_refresh(:h' "$RUN/pgb-refresh.sql" && grep -q 'mcpgate.clients c ON c.client_id = :c' "$RUN/pgb-refresh.sql" ||
	die "could not read statements client_auth and token_refresh from src/lib/db_stmt.c"
"$PGBIN/pgbench" -n -M prepared -c "$((PROCS * 2))" -j 2 -T "$PGB_SECS" -D "res=$MCP_URL" -D "bucket=token:fail:ip:127.0.0.1" \
	-D "remote=127.0.0.1" -D "box=\\x$(printf '%0300d' 0)" -f "$RUN/pgb-refresh.sql" "$DB" >"$RUN/pgb-refresh.out" 2>&1 ||
	{ cat "$RUN/pgb-refresh.out" >&2; die "pgbench of the refresh grant failed"; }
PGB_REFRESH=$(awk '/^tps/ { printf "%.0f", $3 }' "$RUN/pgb-refresh.out")
[ "$(psql -A -t -c "SELECT count(*) FROM bench_exp.rpool p JOIN mcpgate.tokens t ON t.token_hash = p.h WHERE t.rotated_at IS NOT NULL")" -gt 0 ] ||
	die "the refresh grant's pgbench rotated nothing"
fi   # BENCH_SKIP_CALLGRIND

# ---- 7. stop; plain CGI (bench/cgi.sh) ------------------------------------------------

# mod_fcgid with scripts/stack.sh's (and Debian's) "Mutex file:" fails
# now and then to lock its process table ("Resource deadlock avoided") and
# the Apache child that logs it exits: count them
AFC_EMERG=$(grep -c "can't lock process table" "$RUN/apache-fcgid/apache-error.log" 2>/dev/null || true)
APACHE_V=$( ("$(_stack_find "${STACK_APACHE:-}" apache2 httpd 2>/dev/null || echo apache2)" -v 2>/dev/null || true) | sed -n 's/^Server version: //p')
say "stopping the servers"
stop_all
CGI_NOTE=
if [ "${BENCH_SKIP_CGI:-0}" = 1 ]; then
	CGI_NOTE="not run (BENCH_SKIP_CGI=1)."
elif [ ! -x "$BENCH/cgi.sh" ]; then
	CGI_NOTE="not run: there is no executable bench/cgi.sh."
elif p=$(_stack_live_pid "$BENCH/build-cgi/run/pg/pgdata/postmaster.pid"); then
	# another bench/cgi.sh is running: a second one would remove its run/
	CGI_NOTE="not run: another bench/cgi.sh was running at the time (its PostgreSQL, pid $p, in bench/build-cgi/run)."
else
	say "plain CGI: bench/cgi.sh (BENCH_DURATION=${BENCH_CGI_DURATION:-3} BENCH_ROUNDS=${BENCH_CGI_ROUNDS:-1})"
	if env BENCH_DURATION="${BENCH_CGI_DURATION:-3}" BENCH_ROUNDS="${BENCH_CGI_ROUNDS:-1}" \
		BENCH_WARMUP=1 BENCH_ONLY= BENCH_KEEP= "$BENCH/cgi.sh" >"$RUN/cgi.out" 2>&1; then
		CGI_REPORT=$(ls -t "$RESULTS"/cgi-*.md 2>/dev/null | head -n 1 || true)
		CGI_NOTE="bench/cgi.sh ran after this run's servers were stopped (BENCH_DURATION=${BENCH_CGI_DURATION:-3}, BENCH_ROUNDS=${BENCH_CGI_ROUNDS:-1}); its report: \`${CGI_REPORT#"$TOP"/}\`."
	else
		cp "$RUN/cgi.out" "$BUILD/cgi-step.log"
		CGI_NOTE="bench/cgi.sh failed (its output: bench/build/cgi-step.log); no plain-CGI figures from this run."
	fi
fi

# ---- 8. the report ---------------------------------------------------------------------

say "writing the report"
OUT=$RESULTS/run-$TODAY.md
# per-row statistics: median (min-max) of req/s; medians of the rest
STATS=$RUN/raw/stats.tsv
awk -F'\t' "$BENCH_AWK_STATS"'NR > 1 {
	id = $1; n[id]++; k = n[id]
	rps[id, k] = $3; p50[id, k] = $4; p99[id, k] = $5; non[id] += $7; serr[id] += $8; ex[id] += $15
	cpu[id, k] = $9 + $10 + $11; fr[id, k] = $9; ap[id, k] = $10; pg[id, k] = $11
	if (!(id in oth) || $14 > oth[id]) oth[id] = $14 < 0 ? 0 : $14
	runs[id] = runs[id] (k > 1 ? " / " : "") sprintf("%.0f", $3)
	if (!(id in seen)) { seen[id] = 1; order[++m] = id }
}
END {
	for (i = 1; i <= m; i++) {
		id = order[i]; c = n[id]
		printf "%s\t%.0f\t%.0f\t%.0f\t%.2f\t%.2f\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d\t%.0f\t%s\t%d\n", id,
		    med(rps, id, c), mn(rps, id, c), mx(rps, id, c), med(p50, id, c), med(p99, id, c),
		    med(cpu, id, c), med(fr, id, c), med(ap, id, c), med(pg, id, c),
		    non[id], serr[id], oth[id], runs[id], ex[id]
	}
}' "$TSV" >"$STATS"
st() { awk -F'\t' -v id="$1" -v c="$2" '$1 == id { print $c }' "$STATS"; }
best_sdk() {   # list|call -> "id median"
	local best='' bv=0 id v
	for id in "v1s_$1" "v1c_$1" "v2s_$1" "v2c_$1"; do
		v=$(st "$id" 2); [ -n "$v" ] || continue
		if [ "$v" -gt "$bv" ]; then best=$id; bv=$v; fi
	done
	printf '%s %s\n' "${best:--}" "$bv"
}
read -r SDK_LIST_ID SDK_LIST <<<"$(best_sdk list)"
read -r SDK_CALL_ID SDK_CALL <<<"$(best_sdk call)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "–"; else printf "%.2f", a / b }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "–"; else printf "%.0f %%", 100 * a / b }'; }
met() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "not measured"; else if (a >= b) print "**met**"; else print "**missed**" }'; }
has() { [ -n "$(st "$1" 2)" ]; }
R1=$(st r1 2) R2=$(st r2 2) R3=$(st r3 2)
declare -A CEIL_V=([r1]="$R1" [r2]="$R2" [r3]="$R3")
TOTAL_MIN=$(( ($(date +%s) - T0_ALL + 30) / 60 ))
{
	echo "# Benchmark of mcpgate, $TODAY"
	echo
	echo "Written by \`bench/run.sh\` (load $T_START–$T_END UTC; $TOTAL_MIN minutes in all). Every number below comes from that one run; only ratios within one run mean much on a shared machine."
	echo
	echo "## Machine, versions, settings"
	echo
	echo "- **Machine:** $(bench_machine). Shared with other work during the run: see *other %*."
	echo "- **mcpgate:** $MEASURED, built with \`CFLAGS=-O2\` ($(cc --version | sed -n 1p)); log_level warn, register_limit 100000 (the load comes from one address)."
	echo "- **Software:** $(v lighttpd -v | sed 's/ - a light.*//'); ${APACHE_V:-Apache ?} (event MPM); PostgreSQL $("$PGBIN/postgres" --version | awk '{ print $3 }') (private cluster, durable defaults: fsync on, synchronous_commit on; Unix socket); $(dpkg-query -W -f='libfcgi ${Version}, ' libfcgi0ldbl 2>/dev/null)$(dpkg-query -W -f='libpq ${Version}, ' libpq5 2>/dev/null)$(dpkg-query -W -f='libsodium ${Version}, ' libsodium23 2>/dev/null)$(dpkg-query -W -f='cJSON ${Version}' libcjson1 2>/dev/null); $(wrk -v 2>&1 | awk 'NR == 1 { print "wrk", $2 }'); Node $(node -v)."
	echo "- **SDK peers** (bench/sdk/server.mjs: stateless, JSON answers, the SDK's own bearer middleware with a verifier that accepts one fixed token, one zod-typed \`echo\` tool, a new McpServer per request as each SDK's docs do it), each as one node process and as a node:cluster of 2 workers: (r4, r5) @modelcontextprotocol/sdk $(pkgver @modelcontextprotocol/sdk) (\`enableJsonResponse: true\`, requests in the 2025-06-18 form); (r6, r7) @modelcontextprotocol/server $(pkgver @modelcontextprotocol/server) with @modelcontextprotocol/node $(pkgver @modelcontextprotocol/node), @modelcontextprotocol/express $(pkgver @modelcontextprotocol/express) (\`createMcpHandler(…, { responseMode: 'json' })\`, requests in the 2026-07-28 form, which v2 answers with JSON); express $(pkgver express), zod $(pkgver zod)."
	echo "- **Front ends:** lighttpd with mod_fastcgi, $PROCS processes per program (\`BENCH_PROCS\`; the token program $((PROCS * 2)), as conf/lighttpd/mcpgate.conf sets it), scripts/stack.sh's configuration (access log on); the reference programs run behind the same lighttpd, routed like mcpgate's (a rewrite to an internal FastCGI prefix). Apache rows: Apache's event MPM as scripts/stack.sh sets it up (one child, 16 threads, access log on), (a) with mod_proxy_fcgi to the well-known and mcp programs run as FastCGI daemons, $PROCS processes each on one Unix socket (fcgi-pool, what \`spawn-fcgi -F $PROCS\` does), a new backend connection per request; (b) with mod_fcgid and conf/apache/mcpgate.conf unchanged (\`FcgidMaxProcessesPerClass 4\`, processes started on demand)."
	echo "- **Data** (loaded in **$LOAD_SECONDS s**: documents $LOAD_DOCS s, clients, users, grants, tokens and codes $LOAD_AUTH s with set-based SQL, VACUUM ANALYZE and CHECKPOINT $LOAD_VACUUM s): $NCLI_ROWS clients (public, as registration makes them), $NUSERS users, $NTOK_ROWS tokens in $NFAM_ROWS grants (token families) — $NACCESS access tokens, one grant each, and a pool of $NPOOL refresh tokens, one grant each, with known raw values —, $NCODE_ROWS authorization codes (the code pool, PKCE S256 challenges computed in SQL for one known verifier), $NDOC_ROWS generated documents (bench/gen-docs.awk: words drawn with their frequencies from bench/words.txt; about 260 words each); database $DB_SIZE after loading. The search query \"$QUERY\" matches $NMATCH documents; search returns the best $NRESULTS."
	echo "- **Load:** \`wrk -t$THREADS -c$CONNS -d${DURATION}s --latency\`, keep-alive, over loopback, on the same $(nproc) CPUs as the servers. Fixed requests: bench/wrk/request.lua (no Lua per request). The two grant rows: bench/wrk/pool.lua, a different line of a pool file per request (each refresh token and each code is used once; the pools hold $NPOOL each, sized for $POOL_RATE req/s; a request sent after its thread ran out would count as non-2xx and in *pool short*). Each row was checked once with curl (status and body), warmed for ${WARMUP} s, then measured in $ROUNDS round-robin rounds (every row once per round). req/s: median of the $ROUNDS runs (min–max); p50/p99: medians of the runs' wrk percentiles."
	echo "- **Server CPU µs/req:** utime+stime from /proc over each run, divided by the requests (median of the rounds): front end (lighttpd or Apache) + program (the FastCGI processes, or node) + PostgreSQL (all its processes). *other %*: the highest, over the rounds, of the busy CPU that is neither one of this run's servers nor wrk (other tenants, kernel threads), in % of one CPU: above ~10 % a row was disturbed."
	echo
	echo "## Results"
	echo
	echo "*÷ ceiling*: the row's median over the median of its reference: (r2) for the requests that need no database (metadata, 401), (r3) for those that need one (for the grant and registration rows, which write and commit durably, (r3)'s one read is only a yardstick). *÷ SDK*: over the faster of the four SDK servers for the same kind of request (tools/list: \`$SDK_LIST_ID\`, $(fmt "$SDK_LIST") req/s; tools/call: \`$SDK_CALL_ID\`, $(fmt "$SDK_CALL") req/s)."
	echo
	echo "| row | req/s median (min–max) | p50 ms | p99 ms | ÷ ceiling | ÷ SDK | server CPU µs/req = front + program + PG | other % | runs (req/s, in round order) |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for id in "${IDS[@]}"; do
		if ! grep -qP "^$id\t" "$STATS"; then
			printf '| %s `%s` | **failed**: no answer in any of the %s rounds (the front end stopped answering) | – | – | – | – | – | – | – |\n' "${R_WHAT[$id]}" "$id" "$ROUNDS"
			continue
		fi
		IFS=$'\t' read -r _ med lo hi p50 p99 cpu fr ap pgc non serr oth runs ex <<<"$(grep -P "^$id\t" "$STATS")"
		c=${R_CEIL[$id]} cr='–' sr='–' errs=''
		[ "${FAILED_RUNS[$id]:-0}" -gt 0 ] && errs=" (${FAILED_RUNS[$id]} of $ROUNDS runs had no answer at all: not counted)"
		[ "$c" != - ] && cr="$(ratio "$med" "${CEIL_V[$c]}") ($c)"
		case ${R_SDK[$id]} in list) sr=$(ratio "$med" "$SDK_LIST") ;; call) sr=$(ratio "$med" "$SDK_CALL") ;; esac
		[ "$serr" -gt 0 ] && errs="$errs ($serr socket errors)"
		[ "$non" -gt 0 ] && [ "${R_STATUS[$id]}" != 401 ] && errs="$errs ($non non-2xx)"
		[ "$ex" -gt 0 ] && errs="$errs (pool short: $ex)"
		printf '| %s `%s` | **%s** (%s–%s)%s | %s | %s | %s | %s | %s = %s + %s + %s | %s | %s |\n' \
			"${R_WHAT[$id]}" "$id" "$(fmt "$med")" "$(fmt "$lo")" "$(fmt "$hi")" "$errs" "$p50" "$p99" \
			"$cr" "$sr" "$cpu" "$fr" "$ap" "$pgc" "$oth" "$runs"
	done
	echo
	echo "All answers of the 401 row are 401 by design; every other row had 0 non-2xx answers and 0 socket errors unless the table says otherwise. A socket error is a wrk timeout (no answer within 2 s: mod_fcgid's second) or, on the Apache rows, a read error: Apache closes a keep-alive connection after 100 requests (its default MaxKeepAliveRequests) and wrk counts the request it had sent on it. Every registration comes from the one address, so each one also updates the same rate-limit row (register_limit), which serialises them. The pools: $POOL_USED_REFRESH of $NPOOL refresh tokens and $POOL_USED_CODE of $NPOOL codes were handed out (warm-up and probe included); requests sent without a fresh one: refresh ${POOL_SHORT[refresh]}, code ${POOL_SHORT[code]}."
	echo
	echo "## Targets"
	echo
	echo "| target | measured | result |"
	echo "|---|---|---|"
	M_LIST=$(st m_list 2) M_SEARCH=$(st m_search 2) M_PRM=$(st m_prm 2) M_AS=$(st m_as 2) M_REF=$(st m_refresh 2)
	echo "| tools/list ≥ 90 % of (r3) | $(fmt "$M_LIST") / $(fmt "$R3") = **$(pct "$M_LIST" "$R3")** | $(met "$(awk -v a="$M_LIST" 'BEGIN { print a / 0.9 }')" "$R3") |"
	echo "| tools/call search ≥ 3× the faster SDK peer's trivial tool (\`$SDK_CALL_ID\`) | $(fmt "$M_SEARCH") / $(fmt "$SDK_CALL") = **$(ratio "$M_SEARCH" "$SDK_CALL")×** | $(met "$M_SEARCH" "$((3 * ${SDK_CALL:-0}))") |"
	echo "| metadata GET ≥ 90 % of (r2): protected-resource metadata | $(fmt "$M_PRM") / $(fmt "$R2") = **$(pct "$M_PRM" "$R2")** | $(met "$(awk -v a="$M_PRM" 'BEGIN { print a / 0.9 }')" "$R2") |"
	echo "| metadata GET ≥ 90 % of (r2): authorization-server metadata | $(fmt "$M_AS") / $(fmt "$R2") = **$(pct "$M_AS" "$R2")** | $(met "$(awk -v a="$M_AS" 'BEGIN { print a / 0.9 }')" "$R2") |"
	echo "| refresh grant ≥ 2 000 req/s (a fresh refresh token per request) | **$(fmt "$M_REF") req/s**$( [ "${POOL_SHORT[refresh]}" -gt 0 ] && echo " (pool ran short: not valid)") | $(met "$M_REF" 2000) |"
	if [ "$CALLGRIND" = 1 ]; then
		echo "| *for the grant rows:* the durable commit alone (pgbench, one single-row INSERT per transaction) | 2 clients $(fmt "$PGB_COMMIT") tx/s, 32 clients $(fmt "$PGB_COMMIT32") tx/s | (context) |"
		echo "| *for the refresh row:* its two statements alone (pgbench, $((PROCS * 2)) clients as the token program has processes, a fresh refresh token each) | $(fmt "$PGB_REFRESH") tx/s, the most PostgreSQL allows it on these CPUs with nothing in front | (context) |"
	fi
	COST=$(ls -t "$RESULTS"/cost-*.md 2>/dev/null | head -n 1 || true)
	if [ -n "$COST" ]; then
		echo "| instructions per request and RSS after 10 000 requests | see \`${COST#"$TOP"/}\` (bench/cost.sh, not this run) | see there |"
	else
		echo "| instructions per request and RSS after 10 000 requests | not measured by bench/run.sh: bench/cost.sh measures them (no report found in bench/results/) | – |"
	fi
	echo
	if [ "$APACHE_OK" = 1 ] && has apx_list && has afc_list; then
		echo "## Front ends: lighttpd, Apache + mod_proxy_fcgi, Apache + mod_fcgid"
		echo
		echo "The same programs, configuration and database; wrk -c$CONNS."
		echo
		echo "| request | front end | req/s | p50 ms | p99 ms | server CPU µs/req (front end) | socket errors |"
		echo "|---|---|---|---|---|---|---|"
		for pair in "m_prm:apx_prm:afc_prm:GET protected-resource metadata" "m_list:apx_list:afc_list:POST tools/list"; do
			IFS=: read -r a b c what <<<"$pair"
			for id in "$a" "$b" "$c"; do
				case $id in m_*) fe="lighttpd + mod_fastcgi ×$PROCS" ;; apx_*) fe="Apache + mod_proxy_fcgi → pool ×$PROCS" ;; afc_*) fe="Apache + mod_fcgid (≤ 4)" ;; esac
				if ! grep -qP "^$id\t" "$STATS"; then
					echo "| $what | $fe | failed: no answer | – | – | – | – |"
					continue
				fi
				IFS=$'\t' read -r _ med _ _ p50 p99 cpu fr _ _ _ serr _ _ _ <<<"$(grep -P "^$id\t" "$STATS")"
				echo "| $what | $fe | $(fmt "$med")$([ "${FAILED_RUNS[$id]:-0}" -eq 0 ] || echo " (${FAILED_RUNS[$id]} runs without an answer)") | $p50 | $p99 | $cpu ($fr) | $serr |"
			done
		done
		echo
		echo "During the run mod_fcgid logged \"can't lock process table … Resource deadlock avoided\" ${AFC_EMERG:-0} times (each time the Apache child that logs it exits and its connections break): scripts/stack.sh's Apache, like Debian's apache2.conf, has \`Mutex file:… default\` (fcntl locks); \`Mutex pthread\` avoids it."
		echo
		echo "mod_fcgid sends a request to one of its processes only when one is idle; when none is, it sleeps a whole second (\`apr_sleep(apr_time_from_sec(1))\` in fcgid_bridge.c) before it looks again. With more concurrent requests than processes, that second shows in p99 (and as wrk timeouts). mod_proxy_fcgi connects to the daemons' socket, whose backlog queues the request for microseconds."
		echo
	fi
	echo "## Plain CGI"
	echo
	echo "$CGI_NOTE"
	echo
	if [ "$CALLGRIND" = 1 ]; then
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
	echo "| FastCGI, one tools/call search request, broad query \"$QUERY_BROAD\" ($NMATCH_BROAD matches) | $(fmt "$FC_BROAD") |"
	echo "| FastCGI, one 401 request | $(fmt "$FC_401") |"
	echo "| FastCGI, (r3)'s program per request (SHA-256 + one lookup) | $(fmt "$FC_CPG") |"
	echo "| FastCGI, (r2)'s program per request (POST with a bearer token) | $(fmt "$FC_CBARE") |"
	echo
	echo "System calls per request of the FastCGI process (strace -ff, 25 requests minus 5, / 20): mcpgate tools/list $SYS_LIST, tools/call search $SYS_SEARCH; (r3)'s program $SYS_CPG, (r2)'s $SYS_CBARE."
	echo
	echo "FastCGI counts: bench/fcgi-drive.c feeds $FCGI_N requests to one process over a new Unix-socket connection each (as lighttpd does) and callgrind dumps at every entry to \`FCGX_Accept_r\` (\`--dump-before\`), so each dump is one whole request: accept, parameters, body, handling, answer. A CGI request costs its CGI count, a request in a running FastCGI process its steady-state count; the difference ($(fmt $((CGI_LIST - FC_LIST))) for tools/list) is the start-up that FastCGI pays once."
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
	echo "## The database alone (pgbench, prepared, 2 clients, ${PGB_SECS} s, same machine, after the load)"
	echo
	echo "| statements per transaction | transactions/s |"
	echo "|---|---|"
	echo "| one single-row INSERT, committed (fsync on), 2 clients: what durable commits allow to 2 processes that wait for theirs | $(fmt "$PGB_COMMIT") |"
	echo "| the same, 32 clients (commits that wait together share a WAL flush) | $(fmt "$PGB_COMMIT32") |"
	echo "| (r3)'s lookup by token hash | $(fmt "$PGB_LOOKUP") |"
	echo "| mcpgate's \`mcp_auth\`, the one statement of a tools/list: \`$(cat "$RUN/pgb-auth.sql")\` | $(fmt "$PGB_AUTH") |"
	echo "| mcpgate's \`mcp_call\` with the search tool: \`$(cat "$RUN/pgb-call.sql")\` | $(fmt "$PGB_CALL") |"
	echo "| \`mcp_auth\` then \`mcp_call\` search: the statements of a tools/call search | $(fmt "$PGB_SEARCH") |"
	echo "| \`mcp_call\` search alone, broad query | $(fmt "$PGB_CALL_BROAD") |"
	echo "| the refresh grant: \`client_auth\` then \`token_refresh\` (a fresh refresh token each, rotated and committed, fsync on; $((PROCS * 2)) clients, as many as token processes) | $(fmt "$PGB_REFRESH") |"
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
	else
	echo "## Instructions, plans, the database alone"
	echo
	echo "Not measured in this run (BENCH_SKIP_CALLGRIND=1)."
	fi
	echo
	echo "Raw runs: \`bench/results/run-$TODAY.tsv\` (one line per wrk run: req/s, p50, p99, requests, non-2xx, socket errors, CPU µs/req of front end, program, PostgreSQL and wrk, machine busy %, other %, pool short)."
} >"$OUT"
cat "$OUT"
say "report: $OUT (raw runs: $RESULTS/run-$TODAY.tsv)"
