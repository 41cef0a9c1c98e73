# tests/integration/lib.sh -- sourced by every integration test (bash).
# shellcheck shell=bash disable=SC2034,SC2119,SC2120
# (SC2034: the IT_* and HTTP_* variables are for the test scripts.)
#
# A test is tests/integration/tNN-name.t, run by bash from the build
# directory with top_srcdir and top_builddir in the environment (as the
# automake TAP driver does). It starts like this:
#
#   . "$top_srcdir/tests/integration/lib.sh"
#   it_require postgres lighttpd apache fcgid   # or skip the whole test
#   plan 5                                      # or done_testing at the end
#   it_db t30                                   # PostgreSQL + schema
#   it_lighttpd                                 # sets IT_URL, IT_CONFIG, ...
#   http GET /.well-known/oauth-authorization-server
#   is "$HTTP_STATUS" 200 "metadata answers"
#   like "$(http_json .issuer)" '^http://127\.0\.0\.1:' "issuer"
#
# done_testing also adds a check that no secret the test was handed leaked
# into a log or the database (S-24; "secrets" at the end of this file).
#
# Do not use set -e in tests (a failing check must not end the test, and
# ok/is/like return non-zero on failure so you can add "|| diag ..."), and
# do not set traps on EXIT/INT/TERM/HUP: lib.sh owns them and, whatever
# happens, stops every server the test started and removes the scratch
# directory. Register extra clean-up with it_at_exit. Call the it_*
# functions in the test's own shell, not inside $(...): they set variables
# and start servers that this shell must stop.
#
# Environment:
#   MCPGATE_TEST_CGIBIN   the built programs (default $top_builddir/cgi-bin)
#   MCPGATE_TEST_SQLDIR   where install.sql is (default $top_srcdir/sql)
#   MCPGATE_TEST_PGHOST   use this running cluster (socket directory or host)
#                         instead of starting one per test; each test then
#                         creates uniquely named databases and drops them.
#                         Also MCPGATE_TEST_PGPORT (5432), _PGUSER (mcpgate,
#                         must be allowed to create databases).
#   MCPGATE_TEST_KEEP=1   keep the scratch directory (its path is printed)
#   REQUIRE_INTEGRATION=1 a missing prerequisite fails instead of skipping
#   STACK_PG_FAST         defaults to 1 here (fsync off: throwaway clusters)

if [ -z "${top_srcdir:-}" ]; then
	top_srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fi
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir

# shellcheck source=../../scripts/stack.sh
. "$top_srcdir/scripts/stack.sh"

: "${STACK_PG_FAST:=1}"
export STACK_PG_FAST
# Scratch files must be readable by www-data and postgres when we are root.
umask 022

IT_NAME=$(basename "$0" .t)
IT_CGIBIN_SRC=${MCPGATE_TEST_CGIBIN:-$top_builddir/cgi-bin}
IT_SQLDIR=${MCPGATE_TEST_SQLDIR:-$top_srcdir/sql}
IT_CONNINFO="dbname=mcpgate_test_no_database_yet"
IT_URL='' IT_PORT='' IT_CONFIG='' IT_FE='' IT_FE_DIR='' IT_START_SECONDS=''
IT_DB='' IT_PGDIR='' IT_PG_SHARED=0
HTTP_STATUS='' HTTP_HEADERS='' HTTP_BODY=''

_it_n=0 _it_failed=0 _it_plan='' _it_done=0 _it_cleaned=0 _it_http_n=0
_it_leak_scanned=0
_it_services=()         # "kind arg", stopped in reverse order
_it_fes=()              # "name port" of the front ends, for their configs
_it_config_extra=()     # key=value pairs from it_config
_it_at_exit=()
_it_sleep_pid=

# ---- TAP ---------------------------------------------------------------

# plan N -- announce N tests (before the first one).
plan() {
	_it_plan=$1
	echo "1..$1"
}

# done_testing -- at the end, when there was no plan: announce what ran.
# First, if the test recorded secrets and has not scanned for them yet,
# it_leak_scan adds its check (below; a test with a plan calls it itself).
done_testing() {
	if [ -z "$_it_plan" ] && [ "$_it_leak_scanned" = 0 ] && [ -s "$IT_SECRETS" ]; then
		it_leak_scan
	fi
	if [ -z "$_it_plan" ]; then
		_it_plan=$_it_n
		echo "1..$_it_n"
	fi
}

# TAP descriptions must not contain a bare '#' (it starts a directive).
_it_desc() { local d=$*; printf '%s' "${d//#/\\#}"; }

# ok STATUS NAME -- passes when STATUS (an exit status) is 0:
#   grep -q x file; ok $? "file has x"
ok() {
	local st=$1
	shift
	_it_n=$((_it_n + 1))
	if [ "$st" = 0 ]; then
		echo "ok $_it_n - $(_it_desc "$*")"
		return 0
	fi
	echo "not ok $_it_n - $(_it_desc "$*")"
	_it_failed=$((_it_failed + 1))
	return 1
}

# is GOT WANT NAME -- string equality.
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "       got: '$1'"
		diag "  expected: '$2'"
		return 1
	fi
}

# isnt GOT UNWANTED NAME
isnt() {
	if [ "$1" != "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "  got '$1', which it should not be"
		return 1
	fi
}

# like GOT REGEX NAME -- bash extended regular expression (=~).
like() {
	if [[ $1 =~ $2 ]]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "  '$1'"
		diag "  does not match '$2'"
		return 1
	fi
}

# unlike GOT REGEX NAME
unlike() {
	if [[ $1 =~ $2 ]]; then
		ok 1 "$3"
		diag "  '$1'"
		diag "  matches '$2'"
		return 1
	fi
	ok 0 "$3"
}

# skip REASON [N] -- count N (1) tests as skipped.
skip() {
	local i
	for i in $(seq "${2:-1}"); do
		_it_n=$((_it_n + 1))
		echo "ok $_it_n # SKIP $(_it_desc "$1")"
	done
}

# diag MESSAGE... -- a TAP comment on stderr (ends up in the test's .log).
diag() {
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line" >&2
	done <<<"$*"
}

# bail_out REASON -- stop the whole test now (setup failed).
bail_out() {
	echo "Bail out! $(_it_desc "$*")"
	_it_failed=$((_it_failed + 1))
	exit 1
}

# skip_all REASON -- before any test: skip this whole file (TAP "1..0 #
# SKIP"), or fail it when REQUIRE_INTEGRATION=1 (CI must not skip silently).
skip_all() {
	if [ "$_it_n" -gt 0 ] || [ -n "$_it_plan" ]; then
		bail_out "skip_all after tests had started: $*"
	fi
	# MCPGATE_INTEGRATION=skip (make distcheck from scripts/test): skip
	# quietly even in CI; the same tests ran in the main make check.
	if [ "${REQUIRE_INTEGRATION:-0}" = 1 ] && [ "${MCPGATE_INTEGRATION:-}" != skip ]; then
		echo "1..1"
		echo "not ok 1 - REQUIRE_INTEGRATION=1 but: $(_it_desc "$*")"
		_it_plan=1 _it_n=1 _it_failed=1
		exit 1
	fi
	echo "1..0 # SKIP $(_it_desc "$*")"
	_it_done=1
	exit 0
}

# ---- prerequisites --------------------------------------------------------

# it_require WHAT... -- skip_all unless everything is there. WHAT is a
# command name, or: postgres (server programs; not needed with
# MCPGATE_TEST_PGHOST), lighttpd, apache (apache2 + mod_cgid), fcgid
# (mod_fcgid for Apache), rewrite (mod_rewrite for Apache).
it_require() {
	local w missing=() mods=${STACK_APACHE_MODULES:-/usr/lib/apache2/modules}
	[ "${MCPGATE_INTEGRATION:-}" = skip ] &&
		skip_all "integration tests skipped (MCPGATE_INTEGRATION=skip)"
	for w in "$@"; do
		case $w in
		postgres)
			[ -n "${MCPGATE_TEST_PGHOST:-}" ] && continue
			_stack_pg_bindir >/dev/null 2>&1 || missing+=("PostgreSQL server (initdb)")
			if _stack_is_root && ! id "${STACK_PG_OSUSER:-postgres}" >/dev/null 2>&1; then
				missing+=("a postgres user to run PostgreSQL as")
			fi ;;
		lighttpd)
			_stack_find "${STACK_LIGHTTPD:-}" lighttpd >/dev/null 2>&1 || missing+=(lighttpd) ;;
		apache)
			_stack_find "${STACK_APACHE:-}" apache2 httpd >/dev/null 2>&1 || missing+=(apache2)
			[ -f "$mods/mod_cgid.so" ] || missing+=("mod_cgid ($mods)") ;;
		fcgid)
			[ -f "$mods/mod_fcgid.so" ] || missing+=("mod_fcgid ($mods)") ;;
		rewrite)
			[ -f "$mods/mod_rewrite.so" ] || missing+=("mod_rewrite ($mods)") ;;
		*)
			command -v "$w" >/dev/null 2>&1 || missing+=("$w") ;;
		esac
	done
	[ ${#missing[@]} -eq 0 ] || skip_all "missing: ${missing[*]}"
}

# ---- scratch directory and clean-up ------------------------------------------

# it_at_exit COMMAND -- run COMMAND (a string, eval'd) at clean-up, before
# the servers are stopped.
it_at_exit() { _it_at_exit+=("$1"); }

_it_register() { _it_services+=("$1 $2"); }

# Stop everything, newest first; on failure show the servers' logs.
_it_cleanup() {
	local i kind arg f
	[ "$_it_cleaned" = 1 ] && return 0
	_it_cleaned=1
	trap '' INT TERM HUP        # a second Ctrl-C must not cut clean-up short
	for i in "${!_it_at_exit[@]}"; do
		eval "${_it_at_exit[$i]}" || true
	done
	if [ -n "$_it_sleep_pid" ]; then
		kill "$_it_sleep_pid" 2>/dev/null
		wait "$_it_sleep_pid" 2>/dev/null
	fi
	for ((i = ${#_it_services[@]} - 1; i >= 0; i--)); do
		kind=${_it_services[$i]%% *}
		arg=${_it_services[$i]#* }
		case $kind in
		lighttpd) stack_lighttpd_stop "$arg" ;;
		apache) stack_apache_stop "$arg" ;;
		pg) stack_pg_stop "$arg" ;;
		db) "$(_stack_pg_bindir)/dropdb" --if-exists --force "$arg" >/dev/null 2>&1 ;;
		esac
	done
	if [ "$_it_failed" -gt 0 ] && [ -d "${IT_DIR:-}" ]; then
		for f in "$IT_DIR"/*/*error.log "$IT_DIR"/*/*-stderr.log "$IT_DIR"/*/pg.log; do
			[ -s "$f" ] || continue
			diag "---- ${f#"$IT_DIR"/} (last 20 lines)"
			diag "$(tail -n 20 "$f")"
		done
	fi
	if [ -d "${IT_DIR:-}" ]; then
		if [ "${MCPGATE_TEST_KEEP:-0}" = 1 ]; then
			diag "scratch directory kept: $IT_DIR"
		else
			rm -rf "$IT_DIR"
		fi
	fi
}

# Traps may run while a function call has stdout/stderr redirected (bash
# runs a trap after the foreground child ends, still inside e.g.
# "stack_pg_start ... 2>file"): put the test's own stdout/stderr back first,
# or "Bail out!" and the diagnostics end up in a log file about to be removed.
exec {_it_stdout}>&1 {_it_stderr}>&2
_it_restore_fds() { exec 1>&"$_it_stdout" 2>&"$_it_stderr"; }

_it_on_exit() {
	local rc=$?
	_it_restore_fds
	_it_cleanup
	[ "$_it_done" = 1 ] && exit "$rc"
	if [ -n "$_it_plan" ] && [ "$_it_plan" != "$_it_n" ]; then
		diag "planned $_it_plan tests but ran $_it_n"
		[ "$rc" = 0 ] && rc=255
	fi
	if [ -z "$_it_plan" ] && [ "$_it_n" -gt 0 ]; then
		diag "tests ran, but there was no plan and no done_testing"
		[ "$rc" = 0 ] && rc=255
	fi
	[ "$_it_failed" -gt 0 ] && [ "$rc" = 0 ] && rc=1
	exit "$rc"
}

_it_on_signal() {
	_it_restore_fds
	echo "Bail out! killed by SIG$1"
	_it_failed=$((_it_failed + 1))
	_it_cleanup
	trap - EXIT
	exit "$2"
}

trap _it_on_exit EXIT
trap '_it_on_signal INT 130' INT
trap '_it_on_signal TERM 143' TERM
trap '_it_on_signal HUP 129' HUP

# curl and jq are needed by every test.
it_require curl jq

# The scratch directory: 755 so that postgres and www-data can reach what
# the test puts there (mktemp makes it 700).
IT_DIR=$(mktemp -d "${MCPGATE_TEST_TMPDIR:-${TMPDIR:-/tmp}}/mcpgate-$IT_NAME.XXXXXX") ||
	bail_out "mktemp -d failed"
chmod 755 "$IT_DIR"
mkdir -p "$IT_DIR/http"
IT_SECRETS=$IT_DIR/secrets	# see "secrets" below
IT_LEAK_FILES=()

# it_sleep SECONDS -- sleep, but let a signal interrupt it (bash delays
# traps until a foreground command ends; wait is interruptible).
it_sleep() {
	sleep "$1" &
	_it_sleep_pid=$!
	wait "$_it_sleep_pid"
	_it_sleep_pid=
}

# ---- PostgreSQL -------------------------------------------------------------

# it_pg -- a PostgreSQL cluster for this test: a private one in
# $IT_DIR/pg (IT_PGDIR), or the shared MCPGATE_TEST_PGHOST. Exports
# PGHOST, PGPORT, PGUSER. Bails out on failure.
it_pg() {
	if [ "$IT_PG_SHARED" = 1 ] || [ -n "$IT_PGDIR" ]; then return 0; fi
	if [ -n "${MCPGATE_TEST_PGHOST:-}" ]; then
		export PGHOST=$MCPGATE_TEST_PGHOST
		export PGPORT=${MCPGATE_TEST_PGPORT:-5432}
		export PGUSER=${MCPGATE_TEST_PGUSER:-mcpgate}
		unset PGDATABASE
		IT_PG_SHARED=1
		"$(_stack_pg_bindir)/psql" -X -q -d postgres -c 'select 1' >/dev/null 2>&1 ||
			bail_out "cannot connect to the shared cluster MCPGATE_TEST_PGHOST=$PGHOST"
		return 0
	fi
	IT_PGDIR=$IT_DIR/pg
	_it_register pg "$IT_PGDIR"
	stack_pg_start "$IT_PGDIR" || bail_out "PostgreSQL did not start (see above)"
}

# it_pg_stop / it_pg_start -- stop and start the private cluster again
# (data kept), e.g. to test reconnection under a running front end.
it_pg_stop() {
	[ -n "$IT_PGDIR" ] || { diag "it_pg_stop: no private cluster"; return 1; }
	stack_pg_stop "$IT_PGDIR"
}
it_pg_start() {
	[ -n "$IT_PGDIR" ] || { diag "it_pg_start: no private cluster"; return 1; }
	stack_pg_start "$IT_PGDIR"
}

# it_db NAME [EXTRA.sql...] -- a database with the schema loaded
# ($IT_SQLDIR/install.sql, then each EXTRA file). In a shared cluster the
# name gets a unique suffix and the database is dropped at exit. Sets IT_DB
# and IT_CONNINFO (used in the front ends' configs from now on). Starts
# PostgreSQL first if needed. Bails out on failure.
it_db() {
	local db=${1:?it_db NAME}
	shift
	it_pg
	if [ "$IT_PG_SHARED" = 1 ]; then
		db=$(printf '%s_%s_%s_%s' "$db" "$IT_NAME" "$$" "$RANDOM" | tr -c 'a-zA-Z0-9_\n' _ | tr '[:upper:]' '[:lower:]' | cut -c1-63)
		_it_register db "$db"
	fi
	stack_db_create "$db" "$IT_SQLDIR" "$@" || bail_out "could not create database $db"
	IT_DB=$db
	IT_CONNINFO="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$db"
	_it_write_configs
}

# it_psql SQL -- run SQL in $IT_DB, unaligned, tuples only: prints the result.
it_psql() {
	"$(_stack_pg_bindir)/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$IT_DB" -c "$1"
}

# ---- mcpgate configuration and programs ----------------------------------------

# it_config KEY=VALUE... -- extra config keys for every front end's config
# file (added to earlier ones; a repeated key takes the new value). Config
# files of running front ends are rewritten at once (the programs read the
# file on each request). issuer and database are set by lib.sh.
it_config() {
	_it_config_extra+=("$@")
	_it_write_configs
}

# One config file per front end: the issuer is its own origin.
_it_write_configs() {
	local fe
	for fe in "${_it_fes[@]}"; do
		_it_write_config "${fe% *}" "${fe#* }" || bail_out "could not write the config of ${fe% *}"
	done
}
_it_write_config() {
	stack_write_config "$IT_DIR/$1/mcpgate.conf" "http://127.0.0.1:$2" \
		"$IT_CONNINFO" "${_it_config_extra[@]}"
}

# it_install_programs [NAME...] -- (re)install the built programs into
# $IT_DIR/cgi-bin, which every front end of this test serves (atomic
# renames: fine under running servers). Done by the first front end.
it_install_programs() {
	stack_install_programs "$IT_CGIBIN_SRC" "$IT_DIR/cgi-bin" "$@" ||
		bail_out "could not install the programs from $IT_CGIBIN_SRC (built?)"
	# the pages' static files, where www-data can read them
	mkdir -p "$IT_DIR/htdocs-mcpgate" && cp "$top_srcdir"/htdocs/* "$IT_DIR/htdocs-mcpgate/" &&
		chmod -R a+rX "$IT_DIR/htdocs-mcpgate" || bail_out "could not copy htdocs"
	export STACK_MCPGATE_HTDOCS=$IT_DIR/htdocs-mcpgate
}

# ---- front ends -----------------------------------------------------------------

# Start front end KIND (lighttpd|apache) as NAME in $IT_DIR/NAME on a free
# port, retrying with another port if someone else took it meanwhile.
_it_frontend() {
	local kind=$1 name=$2 mode=${3:-} dir=$IT_DIR/$2 port t0 rc
	[ -d "$IT_DIR/cgi-bin" ] || it_install_programs
	mkdir -p "$dir" && chmod 755 "$dir"
	_it_register "$kind" "$dir"
	for _ in 1 2 3; do
		port=$(stack_free_port) || bail_out "no free port"
		_it_write_config "$name" "$port" || bail_out "could not write $dir/mcpgate.conf"
		t0=$(_stack_now)
		if [ "$kind" = lighttpd ]; then
			stack_lighttpd_start "$dir" "$port" "$IT_DIR/cgi-bin" "$dir/mcpgate.conf" "$top_srcdir" 2>"$dir/start.err"
		else
			stack_apache_start "$dir" "$port" "$IT_DIR/cgi-bin" "$dir/mcpgate.conf" "$top_srcdir" "$mode" 2>"$dir/start.err"
		fi
		rc=$?
		[ "$rc" = 0 ] && break
		grep -q 'Address already in use' "$dir/start.err" || break
		diag "$name: port $port was taken, trying another"
	done
	if [ "$rc" != 0 ]; then
		diag "$(cat "$dir/start.err")"
		bail_out "$name did not start"
	fi
	IT_START_SECONDS=$(awk -v a="$(_stack_now)" -v b="$t0" 'BEGIN { printf "%.2f", a - b }')
	_it_fes+=("$name $port")
	IT_FE=$name IT_FE_DIR=$dir IT_PORT=$port
	IT_URL=http://127.0.0.1:$port
	IT_CONFIG=$dir/mcpgate.conf
}

# it_lighttpd [NAME] -- start lighttpd (in $IT_DIR/NAME, default
# "lighttpd") serving the programs. Sets IT_URL (http://127.0.0.1:PORT),
# IT_PORT, IT_CONFIG (its mcpgate config file; issuer = IT_URL), IT_FE,
# IT_FE_DIR and IT_START_SECONDS. Bails out on failure.
it_lighttpd() {
	it_require lighttpd
	_it_frontend lighttpd "${1:-lighttpd}"
}

# it_apache MODE [NAME] -- the same with Apache; MODE is fcgid or cgi
# (the shipped conf/apache/mcpgate.conf in a virtual host), or htaccess (a
# shared host serving only the shipped conf/htaccess files; the variables
# STACK_HTACCESS_CGI, _OVERRIDE, _OPTIONS and _ACME of scripts/stack.sh
# choose the host: e.g. STACK_HTACCESS_CGI=cgid it_apache htaccess ht-cgid).
# The document root is then $IT_FE_DIR/public_html (default NAME:
# apache-MODE).
it_apache() {
	local mode=${1:?it_apache fcgid|cgi|htaccess}
	it_require apache
	[ "$mode" = fcgid ] && it_require fcgid
	if [ "$mode" = htaccess ]; then
		it_require rewrite
		[ "${STACK_HTACCESS_CGI:-fcgid}" = fcgid ] && it_require fcgid
	fi
	_it_frontend apache "${2:-apache-$mode}" "$mode"
}

# ---- HTTP ---------------------------------------------------------------------------

# http METHOD URL [CURL-ARGS...] -- one request. A URL starting with / is
# relative to $IT_URL. Sets HTTP_STATUS (000 if there was no answer),
# HTTP_HEADERS and HTTP_BODY (names of files holding the response headers
# and body; each request gets new files). Returns curl's exit status.
# Examples: http POST /token -d grant_type=x -H 'Authorization: Basic ...'
#           http HEAD /.well-known/oauth-authorization-server
http() {
	local method=${1:?http METHOD URL} url=${2:?http METHOD URL} rc
	local -a m
	shift 2
	case $url in /*) url=$IT_URL$url ;; esac
	_it_http_n=$((_it_http_n + 1))
	HTTP_HEADERS=$IT_DIR/http/$_it_http_n.headers
	HTTP_BODY=$IT_DIR/http/$_it_http_n.body
	case $method in
	GET) m=() ;;
	# -X HEAD would make curl wait for the body announced by
	# Content-Length; -I does not read one. The body file stays empty.
	HEAD) m=(-I) ;;
	*) m=(-X "$method") ;;
	esac
	: >"$HTTP_BODY"
	HTTP_STATUS=$(curl -sS --noproxy '*' --max-time "${IT_HTTP_TIMEOUT:-30}" \
		"${m[@]}" -D "$HTTP_HEADERS" -o "$HTTP_BODY" -w '%{http_code}' \
		"$@" "$url")
	rc=$?
	[ -n "$HTTP_STATUS" ] || HTTP_STATUS=000
	[ "$method" = HEAD ] && : >"$HTTP_BODY"
	_it_http_secrets "$url"
	return "$rc"
}

# http_header NAME -- the value of a header of the last response (the
# final one, after any 100 Continue), without the trailing CR.
http_header() {
	awk -v h="$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')" '
		/^HTTP\// { v = ""; found = 0; next }
		{
			sub(/\r$/, "")
			i = index($0, ":")
			if (i && tolower(substr($0, 1, i - 1)) == h && !found) {
				v = substr($0, i + 1); sub(/^[ \t]+/, "", v); found = 1
			}
		}
		END { if (found) print v }' "$HTTP_HEADERS"
}

# http_json FILTER -- jq -r FILTER on the last response body.
http_json() { jq -r "$1" "$HTTP_BODY" 2>/dev/null; }

# ---- HTML forms ---------------------------------------------------------------

# it_form_fields FILE -- the hidden inputs of the (first) form in an HTML
# file as a urlencoded string, ready for curl --data: what a browser would
# send back (entities decoded, values percent-encoded).
it_form_fields() {
	perl -0777 -ne '
		my %ent = (amp => "&", lt => "<", gt => ">", quot => "\"", "#39" => "\x27");
		my @out;
		while (/<input type="hidden" name="([^"]*)" value="([^"]*)"/g) {
			my ($n, $v) = ($1, $2);
			for ($n, $v) {
				s/&(amp|lt|gt|quot|#39);/$ent{$1}/g;
				s/([^A-Za-z0-9\-._~])/sprintf("%%%02X", ord($1))/ge;
			}
			push @out, "$n=$v";
		}
		print join("&", @out);' "$1"
}

# it_urlencode STRING -- percent-encode for a query or form value.
it_urlencode() {
	printf '%s' "$1" | perl -pe 's/([^A-Za-z0-9\-._~])/sprintf("%%%02X", ord($1))/ge'
}

# it_user NAME PASSWORD -- a user with that password (through mcpgate-passwd).
# The password is recorded as a secret (it_secret).
it_user() {
	local h
	it_secret "$2"
	h=$(printf '%s\n' "$2" | "$top_builddir/mcpgate-passwd") || bail_out "mcpgate-passwd failed"
	it_psql "INSERT INTO mcpgate.users (username, password_hash) VALUES ('$1', '$h')" >/dev/null ||
		bail_out "could not create user $1"
}

# The PKCE pair of RFC 7636 appendix B, for tests that need one.
IT_VERIFIER=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk
IT_CHALLENGE=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM

# it_code CLIENT_ID REDIRECT_URI USER PASSWORD [EXTRA-QUERY] -- go through
# the login and consent pages as a browser would (a fresh cookie jar) and
# print the authorization code the client would receive (nothing on
# failure). Uses IT_CHALLENGE; EXTRA-QUERY like "&scope=mcp:read".
it_code() {
	local jar=$IT_DIR/code-jar.$RANDOM f l
	local q="/mcp/authorize?response_type=code&client_id=$1&redirect_uri=$(it_urlencode "$2")&code_challenge=$IT_CHALLENGE&code_challenge_method=S256&state=s${5:-}"
	http GET "$q" -c "$jar" -b "$jar" || return 1
	f=$(it_form_fields "$HTTP_BODY")
	http POST /mcp/authorize -c "$jar" -b "$jar" --data "$f&username=$(it_urlencode "$3")&password=$(it_urlencode "$4")" || return 1
	if [ "$HTTP_STATUS" = 200 ]; then
		f=$(it_form_fields "$HTTP_BODY")
		http POST /mcp/authorize -c "$jar" -b "$jar" --data "$f&decision=approve" || return 1
	fi
	l=$(http_header Location)
	rm -f "$jar"
	printf '%s' "$l" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p'
}

# it_token CLIENT_ID REDIRECT_URI USER PASSWORD [EXTRA-QUERY] -- sign in,
# consent, redeem the code (public client) and print the access token.
it_token() {
	local c
	c=$(it_code "$@") || return 1
	[ -n "$c" ] || return 1
	http POST /mcp/token --data "grant_type=authorization_code&code=$c&client_id=$1&code_verifier=$IT_VERIFIER&redirect_uri=$(it_urlencode "$2")" || return 1
	http_json .access_token
}

# ---- secrets: nothing a test creates may leak (SPEC S-24) ---------------------------
#
# Every code, access token, refresh token and client secret the programs
# hand out through `http` (JSON members access_token, refresh_token,
# client_secret; code= in a Location header), and every password given to
# it_user, is recorded in $IT_SECRETS, one a line (a file: helpers such as
# it_token run in $(...) subshells). it_secret records more. done_testing
# then calls it_leak_scan when the test has not: one TAP check that none of
# them appears in a dump of $IT_DB, in the front ends' logs (the programs'
# stderr, error and access logs; IT_LEAK_FILES adds more) or in
# PostgreSQL's log, and that no
# SHA-256 of one (hex) appears in the front ends' logs, where the programs
# log. (The dump holds the hashes by design.) A value the test itself put
# into a request URL (a client's mistake, e.g. ?access_token=...) is not
# looked for in access logs, which record URLs as sent. Values shorter than
# 8 characters are not recorded: they would match by chance.

# it_secret VALUE... -- record secrets for it_leak_scan.
it_secret() {
	local s
	for s in "$@"; do
		[ "${#s}" -ge 8 ] && [ "$s" != null ] && printf '%s\n' "$s" >>"$IT_SECRETS"
	done
	return 0
}

# After each request (http): what it revealed, and what its URL carried.
_it_http_secrets() {
	local q=${1#*\?} p
	local -a parts
	if [[ $1 == *\?* ]]; then
		IFS='&' read -r -a parts <<<"$q"
		for p in "${parts[@]}"; do
			p=${p#*=}
			[ "${#p}" -ge 8 ] && printf '%s\n' "$p" >>"$IT_SECRETS.inurl"
		done
	fi
	if [ -s "$HTTP_BODY" ] && grep -q -e '"access_token"' -e '"refresh_token"' -e '"client_secret"' "$HTTP_BODY" 2>/dev/null; then
		jq -r '.. | objects | (.access_token?, .refresh_token?, .client_secret?) | strings | select(length >= 8)' \
			"$HTTP_BODY" >>"$IT_SECRETS" 2>/dev/null
	fi
	if grep -q -i -E '^location:.*[?&]code=' "$HTTP_HEADERS" 2>/dev/null; then
		sed -n -E 's/^[Ll][Oo][Cc][Aa][Tt][Ii][Oo][Nn]:.*[?&]code=([^&#[:space:]]{8,}).*/\1/p' \
			"$HTTP_HEADERS" >>"$IT_SECRETS"
	fi
	return 0
}

# _it_leak_find -- search for the recorded secrets (see above) in the dump,
# the logs and IT_LEAK_FILES; print one line per finding ("FILE: VALUE",
# or "FILE: sha256 of VALUE"). Returns 0 when there is none, 1 when there
# are, 2 when the scan itself failed (said on stdout).
_it_leak_find() {
	local d=$IT_DIR/leak-scan f f2 fe rel rc=0 hit
	local -a logs=() felogs=()
	mkdir -p "$d" || { echo "cannot make $d"; return 2; }
	sort -u "$IT_SECRETS" >"$d/plain" 2>/dev/null
	[ -s "$d/plain" ] || { echo "no secrets were recorded ($IT_SECRETS)"; return 2; }
	# secret -> hex SHA-256, and back for the report
	perl -MDigest::SHA=sha256_hex -ne 'chomp; print sha256_hex($_), " $_\n"' "$d/plain" >"$d/map" ||
		{ echo "perl Digest::SHA failed"; return 2; }
	cut -d' ' -f1 "$d/map" >"$d/hex"
	if [ -s "$IT_SECRETS.inurl" ]; then
		grep -v -x -F -f "$IT_SECRETS.inurl" "$d/plain" >"$d/plain-noturl"
	else
		cp "$d/plain" "$d/plain-noturl"
	fi
	# the logs the front ends write as configured by scripts/stack.sh
	# (*-error.log, *-access.log, the programs' stderr in *-stderr.log);
	# not logs a test adds to watch something (t42's auth-env.log
	# records Authorization headers on purpose)
	for fe in "${_it_fes[@]}"; do
		for f in "$IT_DIR/${fe% *}"/*-error.log "$IT_DIR/${fe% *}"/*-access.log \
		    "$IT_DIR/${fe% *}"/*-stderr.log; do
			[ -f "$f" ] && felogs+=("$f")
		done
	done
	[ -n "$IT_PGDIR" ] && [ -f "$IT_PGDIR/pg.log" ] && logs+=("$IT_PGDIR/pg.log")
	for f in "${IT_LEAK_FILES[@]}"; do
		[ -f "$f" ] && logs+=("$f")
	done
	if [ -n "$IT_DB" ]; then
		if ! "$(_stack_pg_bindir)/pg_dump" -d "$IT_DB" >"$d/dump.sql" 2>"$d/dump.err"; then
			echo "pg_dump $IT_DB failed: $(head -c 300 "$d/dump.err")"
			return 2
		fi
		logs+=("$d/dump.sql")
	fi
	for f in "${felogs[@]}" "${logs[@]}"; do
		rel=${f#"$IT_DIR"/}
		case $f in
		*access.log) hit=$(grep -o -F -f "$d/plain-noturl" "$f" 2>/dev/null | sort -u) ;;
		*) hit=$(grep -o -F -f "$d/plain" "$f" 2>/dev/null | sort -u) ;;
		esac
		[ -n "$hit" ] || continue
		rc=1
		for f2 in $hit; do
			printf '%s: %s\n' "$rel" "$f2"
		done
	done
	for f in "${felogs[@]}"; do
		hit=$(grep -o -i -F -f "$d/hex" "$f" 2>/dev/null | tr 'A-F' 'a-f' | sort -u)
		[ -n "$hit" ] || continue
		rc=1
		for f2 in $hit; do
			printf '%s: sha256 of %s\n' "${f#"$IT_DIR"/}" "$(grep "^$f2 " "$d/map" | cut -d' ' -f2-)"
		done
	done
	return "$rc"
}

# it_leak_scan [NAME] -- the TAP check described above (done_testing runs
# it when the test has not).
it_leak_scan() {
	local name=${1:-"S-24: no code, token, client secret or password this test created is in the database dump or a log"}
	local out rc n
	_it_leak_scanned=1
	out=$(_it_leak_find)
	rc=$?
	n=$(sort -u "$IT_SECRETS" 2>/dev/null | wc -l)
	case $rc in
	0) ok 0 "$name ($n secrets)" ;;
	1) ok 1 "$name ($n secrets)"
	   diag "LEAK: $out" ;;
	*) ok 1 "$name: the scan failed"
	   diag "$out" ;;
	esac
}
