#!/bin/bash
# scripts/stack.sh -- start and stop the pieces of an mcpgate test stack:
# a private PostgreSQL cluster, a private lighttpd, a private Apache.
#
# A bash library, meant to be *sourced* (by scripts/run and by
# tests/integration/lib.sh):   . "$top_srcdir/scripts/stack.sh"
# Executed directly it runs one function, for poking at a stack by hand:
#   bash scripts/stack.sh stack_pg_stop /tmp/mystack
#
# Rules every function keeps:
# - All state lives under the DIR it is given; nothing in /etc, /var or the
#   system services is touched; servers listen on 127.0.0.1 (or only on a
#   Unix socket) on the port they are given.
# - Errors go to stderr, prefixed "stack: "; failure is a non-zero return,
#   never an exit, so callers decide (safe under set -eu).
# - Stop functions are idempotent: stopping what is not running succeeds.
# - Call the start functions in the shell that will later stop them, not in
#   $(...) or a pipeline: servers run in the foreground (-D, FOREGROUND,
#   postgres itself) as background children of that shell, so it can reap
#   them. Letting them daemonize would hand them to PID 1, which may not
#   reap (Docker without --init, CI job containers), leaving zombies.
#   Each server runs in its own session (setsid), so a terminal's Ctrl-C
#   reaches the caller's trap, not the servers, and everything a server
#   spawned can be found again by session id when it is stopped.
#
# Running as root (CI does): PostgreSQL runs as the "postgres" user (initdb
# refuses root), lighttpd and its programs as root, Apache's workers and
# programs as www-data. See each function for what must be reachable.
#
# Tunables (environment):
#   STACK_PG_FAST=1        fsync=off etc. for throwaway clusters
#   STACK_PG_BINDIR        PostgreSQL programs (default: the newest
#                          /usr/lib/postgresql/*/bin, or initdb on PATH)
#   STACK_PG_OSUSER        OS user for PostgreSQL when root (postgres)
#   STACK_APACHE           apache2/httpd binary (default: found on PATH or
#                          in /usr/sbin)
#   STACK_APACHE_MODULES   Apache module directory (/usr/lib/apache2/modules)
#   STACK_APACHE_USER      worker user when root (www-data)
#   STACK_APACHE_LOGLEVEL  (warn)
#   STACK_APACHE_EXTRA     directives added to the virtual host (tests)
#   STACK_HTACCESS_CGI, STACK_HTACCESS_OVERRIDE, STACK_HTACCESS_OPTIONS,
#   STACK_HTACCESS_ACME    the shared host of stack_apache_start's
#                          htaccess mode (see there)
#   STACK_LIGHTTPD         lighttpd binary
#   STACK_LIGHTTPD_MAX_PROCS  FastCGI processes per program (2)
#   STACK_START_TIMEOUT    seconds to wait for a server to answer (10)
#   STACK_PASS_ENV         names of environment variables the programs get
#                          at exec time from every front end, e.g.
#                          "ASAN_OPTIONS UBSAN_OPTIONS" (scripts/test's
#                          sanitizer run): lighttpd gets them in its own
#                          environment (it hands that to its FastCGI
#                          programs), Apache as FcgidInitialEnv (mod_fcgid)
#                          and a server-wide SetEnv (CGI)

# ---- internal helpers --------------------------------------------------

_stack_err() { printf 'stack: %s\n' "$*" >&2; }

# Refuse paths that would need quoting inside lighttpd/Apache/PostgreSQL
# config strings; mktemp and ordinary checkouts never produce them.
_stack_check_path() {
	case $2 in
	/*) ;;
	*) _stack_err "$1: need an absolute path, got '$2'"; return 1 ;;
	esac
	case $2 in
	*[\"\'\\\$\`]* | *"
"*)
		_stack_err "$1: path has a quote, backslash, \$ or newline: '$2'"
		return 1 ;;
	esac
	return 0
}

# Absolute path of an existing or creatable directory (no symlink games:
# the configs we write must name the same place the caller meant).
_stack_abs() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$(pwd)" "$1" ;;
	esac
}

_stack_is_root() { [ "$(id -u)" = 0 ]; }

_stack_now() { date +%s.%N; }

# Find a program: an override variable, then PATH, then sbin directories
# (Debian keeps apache2 and lighttpd in /usr/sbin, off a user's PATH).
_stack_find() {
	local override=$1 name
	shift
	if [ -n "$override" ]; then
		[ -x "$override" ] && { printf '%s\n' "$override"; return 0; }
		_stack_err "not executable: $override"
		return 1
	fi
	for name in "$@"; do
		if command -v "$name" >/dev/null 2>&1; then
			command -v "$name"
			return 0
		fi
		if [ -x "/usr/sbin/$name" ]; then
			printf '%s\n' "/usr/sbin/$name"
			return 0
		fi
	done
	return 1
}

# Directory of the PostgreSQL server programs. Debian puts initdb, pg_ctl
# and postgres in /usr/lib/postgresql/N/bin, not on PATH.
_stack_pg_bindir() {
	local d best=''
	if [ -n "${STACK_PG_BINDIR:-}" ]; then
		printf '%s\n' "$STACK_PG_BINDIR"
		return 0
	fi
	# initdb on PATH may be a lone symlink (this image links initdb, pg_ctl
	# and postgres into /usr/local/bin, but not pg_isready): follow it and
	# take the directory only if it has every program we use.
	if command -v initdb >/dev/null 2>&1; then
		d=$(dirname "$(readlink -f "$(command -v initdb)")")
		_stack_pg_bindir_ok "$d" && best=$d
	fi
	if [ -z "$best" ]; then
		for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V); do
			_stack_pg_bindir_ok "$d" && best=$d
		done
	fi
	if [ -z "$best" ]; then
		_stack_err "no PostgreSQL server programs (initdb, postgres, pg_ctl, pg_isready, psql, createdb) found; set STACK_PG_BINDIR"
		return 1
	fi
	printf '%s\n' "$best"
}
_stack_pg_bindir_ok() {
	local p
	for p in initdb postgres pg_ctl pg_isready psql createdb dropdb; do
		[ -x "$1/$p" ] || return 1
	done
}

# Run a command as the PostgreSQL OS user (when root) from DIR: postgres
# refuses to run as root, and a cwd it cannot enter (/root) makes initdb
# and pg_ctl complain.
_stack_as_pg() {
	local dir=$1
	shift
	if _stack_is_root; then
		(cd "$dir" && exec runuser -u "${STACK_PG_OSUSER:-postgres}" -- "$@")
	else
		(cd "$dir" && exec "$@")
	fi
}

# Start "$@" in the background, in a new session, with stdin from
# /dev/null and stdout/stderr appended to LOG, from directory DIR. The pid
# of the background child goes to DIR/NAME.bgpid; it is the server itself,
# or setsid waiting for it when setsid had to fork (when the caller's shell
# put the job in a process group of its own). Output must not stay on the
# caller's stdout: a TAP driver reading that pipe would wait for the server.
# Every other inherited descriptor is closed too: a server holding a copy
# of a pipe (the TAP driver's, make's jobserver, a saved stdout) would keep
# the reader waiting for as long as the server runs.
_stack_bg() {
	local dir=$1 name=$2 log=$3
	shift 3
	(
		cd "$dir" || exit 1
		for fd in /proc/self/fd/*; do
			fd=${fd##*/}
			case $fd in '' | *[!0-9]* | [012]) continue ;; esac
			eval "exec $fd>&-"
		done
		exec setsid -w "$@"
	) </dev/null >>"$log" 2>&1 &
	printf '%s\n' "$!" >"$dir/$name.bgpid"
}

# True when PID is a child of this shell. Only our own children get
# waited for or signalled through a .bgpid file: the file may be stale and
# the number reused by an unrelated process.
_stack_is_our_child() {
	local ppid
	ppid=$(ps -o ppid= -p "$1" 2>/dev/null | tr -d ' ') || return 1
	[ -n "$ppid" ] && { [ "$ppid" = "$$" ] || [ "$ppid" = "${BASHPID:-$$}" ]; }
}

# Reap the background child recorded in DIR/NAME.bgpid (once the server is
# gone, it exits by itself; give it a moment, then insist).
_stack_reap() {
	local f=$1/$2.bgpid pid i
	[ -f "$f" ] || return 0
	pid=$(cat "$f" 2>/dev/null)
	rm -f "$f"
	[ -n "$pid" ] || return 0
	_stack_is_our_child "$pid" || return 0
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# Session id of a running process (empty if gone).
_stack_sid_of() { ps -o sid= -p "$1" 2>/dev/null | tr -d ' '; }

# End every process left in session SID (what a server spawned and did not
# take down with it), TERM first, KILL after 2 s. Never our own session.
_stack_kill_session() {
	local sid=$1 pids i
	[ -n "$sid" ] || return 0
	[ "$sid" = "$(_stack_sid_of $$)" ] && return 0
	pids=$(ps -eo pid=,sid=,stat= | awk -v s="$sid" '$2 == s && $3 !~ /^Z/ { print $1 }')
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086 # a list of pids
	kill -TERM $pids 2>/dev/null
	for i in $(seq 20); do
		pids=$(ps -eo pid=,sid=,stat= | awk -v s="$sid" '$2 == s && $3 !~ /^Z/ { print $1 }')
		[ -n "$pids" ] || return 0
		sleep 0.1
	done
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null
	return 0
}

# TERM a process, wait up to SECONDS for it to go, then KILL it.
_stack_term_wait() {
	local pid=$1 secs=${2:-10} i
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq $((secs * 10))); do
		kill -0 "$pid" 2>/dev/null || return 0
		# a zombie child of ours is gone for our purposes; _stack_reap
		# collects it
		case $(ps -o stat= -p "$pid" 2>/dev/null) in Z*) return 0 ;; esac
		sleep 0.1
	done
	_stack_err "pid $pid did not stop in ${secs}s; killing it"
	kill -KILL "$pid" 2>/dev/null
	return 0
}

# Pid from a pid file if that process is alive, else nothing (status 1).
_stack_live_pid() {
	local pid
	[ -s "$1" ] || return 1
	pid=$(head -n1 "$1" 2>/dev/null | tr -d ' \r')
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	kill -0 "$pid" 2>/dev/null || return 1
	printf '%s\n' "$pid"
}

# Wait until the server answers http://127.0.0.1:PORT/stack-ready.txt with
# our token. Checking the token, not just any answer, matters when ports
# race: if someone else grabbed PORT, their server would answer too.
# Fails early when the background child exits (bind error, bad config).
# LOGS: the files to show on failure (a bind error goes to the server's
# stderr, not to its error log, which is not open yet).
_stack_wait_http() {
	local dir=$1 name=$2 port=$3 token=$4 i body bg
	local tries=$(( ${STACK_START_TIMEOUT:-10} * 10 ))
	shift 4
	bg=$(cat "$dir/$name.bgpid" 2>/dev/null)
	for i in $(seq "$tries"); do
		body=$(curl -s --noproxy '*' --max-time 2 "http://127.0.0.1:$port/stack-ready.txt" 2>/dev/null) || body=
		[ "$body" = "$token" ] && return 0
		if [ -n "$bg" ] && ! kill -0 "$bg" 2>/dev/null; then
			_stack_err "$name exited during start-up"
			_stack_tail_logs "$@"
			return 1
		fi
		sleep 0.1
	done
	_stack_err "$name did not answer on 127.0.0.1:$port within ${STACK_START_TIMEOUT:-10}s"
	_stack_tail_logs "$@"
	return 1
}

# Show the last lines of each non-empty log on stderr.
_stack_tail_logs() {
	local f
	for f in "$@"; do
		[ -s "$f" ] || continue
		printf 'stack: ---- last lines of %s:\n' "$f" >&2
		tail -n 15 "$f" >&2
	done
}

# Unix socket paths are limited to 107 bytes.
_stack_check_sock_len() {
	if [ "${#2}" -gt 107 ]; then
		_stack_err "$1: socket path too long (${#2} > 107 bytes): $2; use a shorter directory"
		return 1
	fi
}

# The NAME=VALUE pairs of STACK_PASS_ENV (set variables only), one a line.
# Values go into Apache's config in double quotes: refuse what would need
# escaping there.
_stack_pass_env() {
	local n
	for n in ${STACK_PASS_ENV:-}; do
		[[ $n =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || { _stack_err "STACK_PASS_ENV: bad name '$n'"; return 1; }
		[ -n "${!n+set}" ] || continue
		case ${!n} in *[\"\\]* | *"
"*) _stack_err "STACK_PASS_ENV: $n has a quote, backslash or newline"; return 1 ;; esac
		printf '%s=%s\n' "$n" "${!n}"
	done
}

# ---- ports ---------------------------------------------------------------

# stack_free_port
# Prints a TCP port on 127.0.0.1 that nothing listens on. Ports are drawn
# at random from 20000-32767 (below Linux's ephemeral range, so outgoing
# connections do not take them), which keeps parallel runs from picking the
# same one; a start can still lose a race, so callers retry on "Address
# already in use". Checked with ss when present, else by connecting with
# bash's /dev/tcp (refused = free).
stack_free_port() {
	local i port
	for i in $(seq 200); do
		port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 12768 ))
		if command -v ss >/dev/null 2>&1; then
			[ -z "$(ss -Htan "sport = :$port" 2>/dev/null)" ] || continue
		fi
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			continue
		fi
		printf '%s\n' "$port"
		return 0
	done
	_stack_err "stack_free_port: no free port found"
	return 1
}

# ---- PostgreSQL ------------------------------------------------------------

# stack_pg_start DIR
# Starts a private PostgreSQL cluster in DIR/pgdata, creating it first if
# DIR/pgdata does not exist (initdb -U mcpgate -A trust --no-sync -E UTF8
# --locale=C). It listens only on a Unix socket in DIR/pgsock (mode 755,
# socket 0777, so Apache workers running as www-data can connect too); log
# in DIR/pg.log. STACK_PG_FAST=1 turns off fsync, synchronous_commit and
# full_page_writes (decided at each start, not stored in the cluster).
# Starting a running cluster is a no-op. On success exports PGHOST=DIR/pgsock,
# PGPORT=5432, PGUSER=mcpgate and unsets PGDATABASE.
# As root, the server runs as STACK_PG_OSUSER (postgres), which must be able
# to reach DIR: every parent directory needs search (x) permission for it.
# The server runs as a child of the calling shell (see the top of the file).
stack_pg_start() {
	local dir=${1:-} bindir osuser sock i bg pmpid
	[ -n "$dir" ] || { _stack_err "usage: stack_pg_start DIR"; return 2; }
	dir=$(_stack_abs "$dir")
	_stack_check_path stack_pg_start "$dir" || return 1
	bindir=$(_stack_pg_bindir) || return 1
	osuser=${STACK_PG_OSUSER:-postgres}
	sock=$dir/pgsock
	_stack_check_sock_len stack_pg_start "$sock/.s.PGSQL.5432" || return 1
	mkdir -p "$dir" || return 1

	if _stack_is_root; then
		if ! id "$osuser" >/dev/null 2>&1; then
			_stack_err "stack_pg_start: running as root, but there is no '$osuser' user to run PostgreSQL (set STACK_PG_OSUSER)"
			return 1
		fi
		command -v runuser >/dev/null 2>&1 || { _stack_err "stack_pg_start: runuser not found"; return 1; }
		if ! runuser -u "$osuser" -- test -x "$dir"; then
			_stack_err "stack_pg_start: user $osuser cannot reach $dir; every parent directory needs o+x (mktemp -d makes 700 directories: chmod 755 it)"
			return 1
		fi
	fi

	if [ ! -d "$dir/pgdata" ]; then
		# initdb into a side directory and rename it: a failed initdb must
		# not leave a half cluster that the next call would try to start.
		rm -rf "$dir/pgdata.init"
		mkdir -p "$dir/pgdata.init" "$sock" || return 1
		chmod 700 "$dir/pgdata.init"
		chmod 755 "$sock"
		if _stack_is_root; then
			chown "$osuser:" "$dir/pgdata.init" "$sock" || return 1
		fi
		if ! _stack_as_pg "$dir" "$bindir/initdb" -D "$dir/pgdata.init" \
			-U mcpgate -A trust --no-sync -E UTF8 --locale=C \
			--no-instructions >>"$dir/pg.log" 2>&1; then
			_stack_err "stack_pg_start: initdb failed; last lines of $dir/pg.log:"
			tail -n 15 "$dir/pg.log" >&2
			rm -rf "$dir/pgdata.init"
			return 1
		fi
		# Settings that belong to the cluster go into its own file, so a
		# human can also start it with pg_ctl -D DIR/pgdata.
		cat >>"$dir/pgdata.init/postgresql.conf" <<-EOF

		# ---- added by scripts/stack.sh: Unix socket only ----
		listen_addresses = ''
		unix_socket_directories = '$sock'
		unix_socket_permissions = 0777
		port = 5432
		EOF
		mv "$dir/pgdata.init" "$dir/pgdata" || return 1
	fi

	export PGHOST=$sock PGPORT=5432 PGUSER=mcpgate
	unset PGDATABASE

	if _stack_as_pg "$dir" "$bindir/pg_ctl" status -D "$dir/pgdata" >/dev/null 2>&1; then
		return 0        # already running
	fi

	set --
	if [ "${STACK_PG_FAST:-0}" = 1 ]; then
		set -- -c fsync=off -c synchronous_commit=off -c full_page_writes=off
	fi
	# postgres itself rather than pg_ctl start: pg_ctl would leave the
	# postmaster orphaned (see the top of the file). pg_ctl stop still works.
	if _stack_is_root; then
		_stack_bg "$dir" pg "$dir/pg.log" runuser -u "$osuser" -- \
			"$bindir/postgres" -D "$dir/pgdata" "$@"
	else
		_stack_bg "$dir" pg "$dir/pg.log" "$bindir/postgres" -D "$dir/pgdata" "$@"
	fi
	bg=$(cat "$dir/pg.bgpid")
	for i in $(seq 300); do
		if "$bindir/pg_isready" -q -h "$sock" -p 5432 -U mcpgate -d postgres; then
			pmpid=$(_stack_live_pid "$dir/pgdata/postmaster.pid") &&
				_stack_sid_of "$pmpid" >"$dir/pg.sid"
			return 0
		fi
		if ! kill -0 "$bg" 2>/dev/null; then
			_stack_err "stack_pg_start: postgres exited; last lines of $dir/pg.log:"
			tail -n 15 "$dir/pg.log" >&2
			_stack_reap "$dir" pg
			return 1
		fi
		sleep 0.1
	done
	_stack_err "stack_pg_start: PostgreSQL not ready after 30s; last lines of $dir/pg.log:"
	tail -n 15 "$dir/pg.log" >&2
	stack_pg_stop "$dir"
	return 1
}

# stack_pg_stop DIR
# Stops the cluster in DIR (fast shutdown: open sessions are ended) and
# waits until it is down. The data stays: stack_pg_start DIR starts it
# again, and that is how tests restart PostgreSQL under a running server.
# Succeeds when nothing is running.
stack_pg_stop() {
	local dir=${1:-} bindir
	[ -n "$dir" ] || { _stack_err "usage: stack_pg_stop DIR"; return 2; }
	dir=$(_stack_abs "$dir")
	if [ -d "$dir/pgdata" ] && [ -f "$dir/pgdata/postmaster.pid" ]; then
		bindir=$(_stack_pg_bindir) || return 1
		if _stack_as_pg "$dir" "$bindir/pg_ctl" status -D "$dir/pgdata" >/dev/null 2>&1; then
			if ! _stack_as_pg "$dir" "$bindir/pg_ctl" stop -D "$dir/pgdata" \
				-m fast -w -t 60 >>"$dir/pg.log" 2>&1; then
				_stack_err "stack_pg_stop: pg_ctl stop failed; see $dir/pg.log"
			fi
		fi
	fi
	[ -f "$dir/pg.sid" ] && { _stack_kill_session "$(cat "$dir/pg.sid")"; rm -f "$dir/pg.sid"; }
	_stack_reap "$dir" pg
	return 0
}

# stack_pg_restart DIR
# stack_pg_stop DIR, then stack_pg_start DIR: same data, same socket.
stack_pg_restart() {
	stack_pg_stop "${1:-}" && stack_pg_start "${1:-}"
}

# stack_db_create NAME SQLDIR [EXTRA.sql...]
# Creates database NAME in the cluster PGHOST/PGPORT/PGUSER point at, then
# loads SQLDIR/install.sql and each EXTRA file in order with ON_ERROR_STOP.
# psql runs from SQLDIR (so \i inside install.sql finds its files); its
# output goes to stderr, keeping the caller's stdout (TAP) clean.
stack_db_create() {
	local name=${1:-} sqldir=${2:-} bindir f
	if [ -z "$name" ] || [ -z "$sqldir" ]; then
		_stack_err "usage: stack_db_create NAME SQLDIR [extra.sql...]"
		return 2
	fi
	shift 2
	sqldir=$(_stack_abs "$sqldir")
	[ -f "$sqldir/install.sql" ] || { _stack_err "stack_db_create: no $sqldir/install.sql"; return 1; }
	bindir=$(_stack_pg_bindir) || return 1
	set -- "$sqldir/install.sql" "$@"
	for f in "$@"; do
		[ -f "$f" ] || { _stack_err "stack_db_create: no such file: $f"; return 1; }
	done
	"$bindir/createdb" -E UTF8 "$name" >&2 || { _stack_err "stack_db_create: createdb $name failed"; return 1; }
	for f in "$@"; do
		f=$(_stack_abs "$f")
		if ! (cd "$sqldir" && "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$name" -f "$f") >&2; then
			_stack_err "stack_db_create: loading $f into $name failed"
			return 1
		fi
	done
	return 0
}

# ---- mcpgate configuration ---------------------------------------------------

# stack_write_config FILE ISSUER CONNINFO [KEY=VALUE...]
# Writes an mcpgate config file: issuer, database (a libpq conninfo) and
# any further keys. A KEY=VALUE for issuer or database replaces the
# positional one, and a repeated key keeps its last value (mcpgate rejects
# repeated keys). Written to a temporary file and renamed into place, since
# the programs read it on every request. Mode 644.
stack_write_config() {
	local file=${1:-} issuer=${2:-} conninfo=${3:-} kv key val tmp i
	local -a keys=() vals=()
	if [ -z "$file" ] || [ -z "$issuer" ] || [ $# -lt 3 ]; then
		_stack_err "usage: stack_write_config FILE ISSUER CONNINFO [key=value...]"
		return 2
	fi
	shift 3
	keys=(issuer database)
	vals=("$issuer" "$conninfo")
	for kv in "$@"; do
		case $kv in
		*=*) ;;
		*) _stack_err "stack_write_config: not key=value: '$kv'"; return 2 ;;
		esac
		key=${kv%%=*}
		val=${kv#*=}
		if ! [[ $key =~ ^[a-z][a-z0-9_]*$ ]]; then
			_stack_err "stack_write_config: bad key '$key'"
			return 2
		fi
		case $val in *"
"*) _stack_err "stack_write_config: newline in value of $key"; return 2 ;; esac
		for i in "${!keys[@]}"; do
			[ "${keys[$i]}" = "$key" ] && { vals[i]=$val; continue 2; }
		done
		keys+=("$key")
		vals+=("$val")
	done
	for i in 0 1; do
		case ${vals[$i]} in *"
"*) _stack_err "stack_write_config: newline in value of ${keys[$i]}"; return 2 ;; esac
	done
	mkdir -p "$(dirname "$file")" || return 1
	tmp=$(dirname "$file")/.$(basename "$file").tmp.$$
	{
		printf '# mcpgate configuration, written by scripts/stack.sh\n'
		for i in "${!keys[@]}"; do
			printf '%s = %s\n' "${keys[$i]}" "${vals[$i]}"
		done
	} >"$tmp" || { rm -f "$tmp"; return 1; }
	chmod 644 "$tmp" && mv -f "$tmp" "$file"
}

# ---- programs ----------------------------------------------------------------

# stack_install_programs SRC_CGIBIN DEST [NAME...]
# Copies the built programs (every executable regular file in SRC_CGIBIN
# whose name has no dot, or just the NAMEs given) into DEST, mode 755.
# Each is copied to a temporary name and renamed over the old one: a
# running binary cannot be overwritten ("Text file busy"), and a rename is
# atomic, so a front end never starts a half-copied file. mod_fcgid keys its
# process classes by file, so the next request starts the new binary.
# Use a DEST inside the stack's DIR: as root, Apache's workers (www-data)
# must be able to reach it.
stack_install_programs() {
	local src=${1:-} dest=${2:-} f name n=0 tmp
	if [ -z "$src" ] || [ -z "$dest" ]; then
		_stack_err "usage: stack_install_programs SRC_CGIBIN DEST [name...]"
		return 2
	fi
	shift 2
	[ -d "$src" ] || { _stack_err "stack_install_programs: no directory $src (build the programs first)"; return 1; }
	mkdir -p "$dest" && chmod 755 "$dest" || return 1
	if [ $# -eq 0 ]; then
		for f in "$src"/*; do
			name=${f##*/}
			case $name in *.*) continue ;; esac
			[ -f "$f" ] && [ -x "$f" ] && set -- "$@" "$name"
		done
	fi
	for name in "$@"; do
		f=$src/$name
		[ -f "$f" ] && [ -x "$f" ] || { _stack_err "stack_install_programs: not an executable file: $f"; return 1; }
		tmp=$dest/.$name.new.$$
		if ! cp "$f" "$tmp" || ! chmod 755 "$tmp" || ! mv -f "$tmp" "$dest/$name"; then
			rm -f "$tmp"
			_stack_err "stack_install_programs: could not install $name into $dest"
			return 1
		fi
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || { _stack_err "stack_install_programs: no programs in $src"; return 1; }
	return 0
}

# ---- lighttpd -------------------------------------------------------------------

# stack_lighttpd_start DIR PORT CGIBIN CONFIG SRCDIR
# Writes DIR/lighttpd.conf (127.0.0.1:PORT, document root DIR/htdocs, logs
# DIR/lighttpd-error.log and -access.log, pid file, sockets in DIR/run)
# that includes SRCDIR/conf/lighttpd/mcpgate.conf with CGIBIN and CONFIG,
# checks it with lighttpd -tt, starts lighttpd -D in the background and
# waits until it answers. Prints nothing on success. As root, lighttpd and
# the programs it spawns run as root (no server.username), which keeps the
# log and socket directories simple. STACK_LIGHTTPD_MAX_PROCS processes per
# program (2). The config file is read per request: it may be (re)written
# after the start.
stack_lighttpd_start() {
	local dir=${1:-} port=${2:-} cgibin=${3:-} config=${4:-} srcdir=${5:-}
	local bin token p penv
	local -a envs
	if [ -z "$dir" ] || [ -z "$port" ] || [ -z "$cgibin" ] || [ -z "$config" ] || [ -z "$srcdir" ]; then
		_stack_err "usage: stack_lighttpd_start DIR PORT CGIBIN CONFIG SRCDIR"
		return 2
	fi
	dir=$(_stack_abs "$dir"); cgibin=$(_stack_abs "$cgibin")
	config=$(_stack_abs "$config"); srcdir=$(_stack_abs "$srcdir")
	for p in "$dir" "$cgibin" "$config" "$srcdir"; do
		_stack_check_path stack_lighttpd_start "$p" || return 1
	done
	case $port in '' | *[!0-9]*) _stack_err "stack_lighttpd_start: bad port '$port'"; return 2 ;; esac
	[ -f "$srcdir/conf/lighttpd/mcpgate.conf" ] || { _stack_err "stack_lighttpd_start: no $srcdir/conf/lighttpd/mcpgate.conf"; return 1; }
	bin=$(_stack_find "${STACK_LIGHTTPD:-}" lighttpd) || { _stack_err "stack_lighttpd_start: lighttpd not found"; return 1; }
	_stack_check_sock_len stack_lighttpd_start "$dir/run/authorize.sock-99" || return 1
	if p=$(_stack_live_pid "$dir/lighttpd.pid"); then
		_stack_err "stack_lighttpd_start: lighttpd already running in $dir (pid $p); stop it first"
		return 1
	fi

	mkdir -p "$dir/htdocs" "$dir/run" "$dir/tmp" || return 1
	token="lighttpd $$ $RANDOM $(_stack_now)"
	printf '%s\n' "$token" >"$dir/htdocs/stack-ready.txt"
	rm -f "$dir/lighttpd.pid"
	cat >"$dir/lighttpd.conf" <<-EOF
	# private lighttpd for mcpgate, written by scripts/stack.sh
	server.bind             = "127.0.0.1"
	server.port             = $port
	server.document-root    = "$dir/htdocs"
	server.errorlog         = "$dir/lighttpd-error.log"
	server.pid-file         = "$dir/lighttpd.pid"
	server.upload-dirs      = ( "$dir/tmp" )
	server.max-request-size = 4096
	server.modules         += ( "mod_accesslog" )
	accesslog.filename      = "$dir/lighttpd-access.log"

	var.mcpgate_cgibin    = "$cgibin"
	var.mcpgate_rundir    = "$dir/run"
	var.mcpgate_config    = "$config"
	var.mcpgate_max_procs = ${STACK_LIGHTTPD_MAX_PROCS:-2}
	var.mcpgate_htdocs    = "${STACK_MCPGATE_HTDOCS:-$srcdir/htdocs}"
	include "$srcdir/conf/lighttpd/mcpgate.conf"
	EOF
	if ! "$bin" -tt -f "$dir/lighttpd.conf" >"$dir/lighttpd-check.log" 2>&1; then
		_stack_err "stack_lighttpd_start: lighttpd -tt rejected $dir/lighttpd.conf:"
		cat "$dir/lighttpd-check.log" >&2
		return 1
	fi
	# STACK_PASS_ENV: lighttpd hands its own environment to the programs
	# it spawns (no bin-environment or bin-copy-environment is set)
	penv=$(_stack_pass_env) || return 1
	envs=()
	[ -n "$penv" ] && mapfile -t envs <<<"$penv"
	_stack_bg "$dir" lighttpd "$dir/lighttpd-stderr.log" env "${envs[@]}" "$bin" -D -f "$dir/lighttpd.conf"
	if ! _stack_wait_http "$dir" lighttpd "$port" "$token" \
		"$dir/lighttpd-error.log" "$dir/lighttpd-stderr.log"; then
		stack_lighttpd_stop "$dir"
		return 1
	fi
	p=$(_stack_live_pid "$dir/lighttpd.pid") && _stack_sid_of "$p" >"$dir/lighttpd.sid"
	return 0
}

# stack_lighttpd_stop DIR
# Stops the lighttpd started in DIR and everything it spawned, and waits
# until they are gone. Succeeds when nothing is running. (lighttpd signals
# its FastCGI programs but exits without waiting for them, so for a moment
# they are zombies handed to PID 1.)
stack_lighttpd_stop() {
	local dir=${1:-} pid
	[ -n "$dir" ] || { _stack_err "usage: stack_lighttpd_stop DIR"; return 2; }
	dir=$(_stack_abs "$dir")
	if pid=$(_stack_live_pid "$dir/lighttpd.pid"); then
		_stack_term_wait "$pid" 10
	fi
	[ -f "$dir/lighttpd.sid" ] && { _stack_kill_session "$(cat "$dir/lighttpd.sid")"; rm -f "$dir/lighttpd.sid"; }
	_stack_reap "$dir" lighttpd
	rm -f "$dir/lighttpd.pid"
	return 0
}

# ---- Apache ---------------------------------------------------------------------

# stack_apache_start DIR PORT CGIBIN CONFIG SRCDIR MODE
# A private Apache 2.4 (ServerRoot DIR; pid file, mutexes, sockets in
# DIR/run; logs DIR/apache-error.log and -access.log) with one virtual
# host on 127.0.0.1:PORT. MODE:
#   fcgid     the host includes SRCDIR/conf/apache/mcpgate.conf unchanged,
#             with MCPGATE_CGIBIN=CGIBIN and MCPGATE_CONFIG=CONFIG defined;
#             mod_fcgid loaded (FastCGI)
#   cgi       the same with mod_cgid only (plain CGI, a process per request)
#   htaccess  a shared host as cPanel-style hosting sets one up: document
#             root DIR/public_html with "AllowOverride FileInfo Options",
#             mod_rewrite, mod_env, mod_alias, mod_dir, mod_autoindex,
#             mod_cgid and mod_fcgid with its defaults, nothing of
#             mcpgate's in the server configuration. Into the document
#             root go what a user uploads (conf/htaccess/*): the shipped
#             root.htaccess as public_html/.htaccess (its MCPGATE_CONFIG
#             placeholder replaced by CONFIG, nothing else changed), the
#             programs of CGIBIN and the shipped cgi-bin.htaccess into
#             public_html/mcpgate/cgi-bin/, the pages' files into
#             public_html/mcpgate/. The files are plain copies: a test may
#             edit them while Apache runs (read on every request).
#             Variants (environment):
#               STACK_HTACCESS_CGI=fcgid|cgid|none  the host's CGI modules:
#                 fcgid (default: mod_fcgid and mod_cgid), cgid (mod_cgid
#                 only), none (neither: the guard must refuse the programs)
#               STACK_HTACCESS_OVERRIDE  AllowOverride of the document root
#                 ("FileInfo Options")
#               STACK_HTACCESS_OPTIONS  Options of the document root
#                 ("Indexes SymLinksIfOwnerMatch")
#               STACK_HTACCESS_ACME=1  public_html/.well-known/.htaccess
#                 exists with "RewriteEngine On", as certificate tools
#                 leave it (and acme-challenge/ with a test file)
# Checks the config (apache2 -t), starts apache2 -D FOREGROUND in the
# background and waits until it answers.
# As root, the workers and programs run as STACK_APACHE_USER (www-data):
# CGIBIN's programs must be executable and CONFIG readable by that user, and
# so must every parent directory be searchable -- simplest is a CGIBIN
# inside DIR filled by stack_install_programs. This is checked. The
# PostgreSQL socket must be reachable too (stack_pg_start sees to that).
stack_apache_start() {
	local dir=${1:-} port=${2:-} cgibin=${3:-} config=${4:-} srcdir=${5:-} mode=${6:-}
	local bin mods user='' token p f fcgid_line='' cgid_line='' progdir docroot
	local modules vhost server_extra='' htcgi='' htdocs penv kv name val pass_env=''
	if [ -z "$dir" ] || [ -z "$port" ] || [ -z "$cgibin" ] || [ -z "$config" ] || [ -z "$srcdir" ] || [ -z "$mode" ]; then
		_stack_err "usage: stack_apache_start DIR PORT CGIBIN CONFIG SRCDIR fcgid|cgi|htaccess"
		return 2
	fi
	dir=$(_stack_abs "$dir"); cgibin=$(_stack_abs "$cgibin")
	config=$(_stack_abs "$config"); srcdir=$(_stack_abs "$srcdir")
	for p in "$dir" "$cgibin" "$config" "$srcdir"; do
		_stack_check_path stack_apache_start "$p" || return 1
	done
	case $port in '' | *[!0-9]*) _stack_err "stack_apache_start: bad port '$port'"; return 2 ;; esac
	bin=$(_stack_find "${STACK_APACHE:-}" apache2 httpd) || { _stack_err "stack_apache_start: apache2/httpd not found"; return 1; }
	mods=${STACK_APACHE_MODULES:-/usr/lib/apache2/modules}
	htdocs=${STACK_MCPGATE_HTDOCS:-$srcdir/htdocs}
	cgid_line="LoadModule cgid_module       $mods/mod_cgid.so"
	case $mode in
	fcgid)
		[ -f "$mods/mod_fcgid.so" ] || { _stack_err "stack_apache_start: no $mods/mod_fcgid.so (Debian: libapache2-mod-fcgid)"; return 1; }
		fcgid_line="LoadModule fcgid_module $mods/mod_fcgid.so" ;;
	cgi) ;;
	htaccess)
		htcgi=${STACK_HTACCESS_CGI:-fcgid}
		case $htcgi in
		fcgid) fcgid_line="LoadModule fcgid_module      $mods/mod_fcgid.so" ;;
		cgid) ;;
		none) cgid_line='' ;;
		*) _stack_err "stack_apache_start: STACK_HTACCESS_CGI must be fcgid, cgid or none, not '$htcgi'"; return 2 ;;
		esac
		for f in rewrite dir autoindex ${fcgid_line:+fcgid}; do
			[ -f "$mods/mod_$f.so" ] || { _stack_err "stack_apache_start: no $mods/mod_$f.so"; return 1; }
		done
		for f in root.htaccess cgi-bin.htaccess; do
			[ -f "$srcdir/conf/htaccess/$f" ] || { _stack_err "stack_apache_start: no $srcdir/conf/htaccess/$f"; return 1; }
		done
		case $config in *' '* | *'	'*)
			_stack_err "stack_apache_start: htaccess: the config path must not contain blanks: $config"; return 1 ;;
		esac ;;
	*) _stack_err "stack_apache_start: MODE must be fcgid, cgi or htaccess, not '$mode'"; return 2 ;;
	esac
	if [ -n "$cgid_line" ] && [ ! -f "$mods/mod_cgid.so" ]; then
		_stack_err "stack_apache_start: no $mods/mod_cgid.so (set STACK_APACHE_MODULES)"; return 1
	fi
	if [ "$mode" != htaccess ] && [ ! -f "$srcdir/conf/apache/mcpgate.conf" ]; then
		_stack_err "stack_apache_start: no $srcdir/conf/apache/mcpgate.conf"; return 1
	fi
	_stack_check_sock_len stack_apache_start "$dir/run/cgid.sock" || return 1
	if p=$(_stack_live_pid "$dir/run/httpd.pid"); then
		_stack_err "stack_apache_start: Apache already running in $dir (pid $p); stop it first"
		return 1
	fi

	docroot=$dir/htdocs progdir=$cgibin
	if [ "$mode" = htaccess ]; then
		docroot=$dir/public_html progdir=$docroot/mcpgate/cgi-bin
		_stack_htaccess_site "$docroot" "$cgibin" "$config" "$srcdir" "$htdocs" || return 1
	fi
	mkdir -p "$docroot" "$dir/run" || return 1
	if _stack_is_root; then
		user=${STACK_APACHE_USER:-www-data}
		id "$user" >/dev/null 2>&1 || { _stack_err "stack_apache_start: no user '$user' for the workers (set STACK_APACHE_USER)"; return 1; }
		# The workers must reach DIR (htdocs, cgid socket), run the
		# programs and read the config; say which one they cannot.
		chmod 755 "$dir" "$docroot" "$dir/run"
		if ! runuser -u "$user" -- test -x "$dir/run"; then
			_stack_err "stack_apache_start: user $user cannot reach $dir; every parent directory needs o+x"
			return 1
		fi
		for f in "$progdir"/*; do
			[ -f "$f" ] && [ -x "$f" ] || continue
			runuser -u "$user" -- test -x "$f" ||
				{ _stack_err "stack_apache_start: user $user cannot execute $f (install the programs inside DIR with stack_install_programs)"; return 1; }
		done
		runuser -u "$user" -- test -r "$config" ||
			{ _stack_err "stack_apache_start: user $user cannot read $config"; return 1; }
		if [ -n "${PGHOST:-}" ] && [ "${PGHOST#/}" != "$PGHOST" ] &&
			! runuser -u "$user" -- test -x "$PGHOST"; then
			_stack_err "stack_apache_start: warning: user $user cannot reach the PostgreSQL socket directory $PGHOST"
		fi
	fi

	# STACK_PASS_ENV: mod_fcgid starts its programs with FcgidInitialEnv
	# only; a CGI program's environment is the request's (SetEnv)
	penv=$(_stack_pass_env) || return 1
	while IFS= read -r kv; do
		[ -n "$kv" ] || continue
		name=${kv%%=*} val=${kv#*=}
		if [ "${#val}" -gt 127 ]; then
			_stack_err "stack_apache_start: STACK_PASS_ENV: $name is longer than 127 bytes, which mod_fcgid cuts (FcgidInitialEnv); ASan and UBSan take include=FILE"
			return 1
		fi
		pass_env="$pass_env
SetEnv $name \"$val\"
<IfModule fcgid_module>
  FcgidInitialEnv $name \"$val\"
</IfModule>"
	done <<<"$penv"
	token="apache $$ $RANDOM $(_stack_now)"
	printf '%s\n' "$token" >"$docroot/stack-ready.txt"
	chmod 644 "$docroot/stack-ready.txt"
	rm -f "$dir/run/httpd.pid"
	if [ "$mode" = htaccess ]; then
		modules="LoadModule rewrite_module    $mods/mod_rewrite.so
LoadModule dir_module        $mods/mod_dir.so
LoadModule autoindex_module  $mods/mod_autoindex.so"
		# What a shared host's server configuration holds; nothing of
		# mcpgate's. mod_fcgid keeps every default (no FcgidMaxRequestLen,
		# FcgidOutputBufferSize, ...): only its runtime paths are ours.
		server_extra="<Files \".ht*\">
  Require all denied
</Files>
DirectoryIndex index.html
<Directory \"$docroot\">
  AllowOverride ${STACK_HTACCESS_OVERRIDE:-FileInfo Options}
  Options ${STACK_HTACCESS_OPTIONS:-Indexes SymLinksIfOwnerMatch}
  Require all granted
</Directory>"
		vhost="DocumentRoot \"$docroot\""
	else
		modules=''
		server_extra="<Directory \"$docroot\">
  Require all granted
</Directory>

Define MCPGATE_CGIBIN \"$cgibin\"
Define MCPGATE_CONFIG \"$config\"
Define MCPGATE_HTDOCS \"$htdocs\""
		vhost="DocumentRoot \"$docroot\"
  Include \"$srcdir/conf/apache/mcpgate.conf\""
	fi
	cat >"$dir/httpd.conf" <<-EOF
	# private Apache for mcpgate ($mode${htcgi:+, $htcgi}), written by scripts/stack.sh
	ServerRoot "$dir"
	ServerName 127.0.0.1
	Listen 127.0.0.1:$port
	PidFile "$dir/run/httpd.pid"
	DefaultRuntimeDir "$dir/run"
	Mutex "file:$dir/run" default
	ErrorLog "$dir/apache-error.log"
	LogLevel ${STACK_APACHE_LOGLEVEL:-warn}
	LogFormat "%h \"%r\" %>s %b %Dus pid=%P" stack
	CustomLog "$dir/apache-access.log" stack

	LoadModule mpm_event_module  $mods/mod_mpm_event.so
	LoadModule authz_core_module $mods/mod_authz_core.so
	LoadModule mime_module       $mods/mod_mime.so
	LoadModule alias_module      $mods/mod_alias.so
	LoadModule env_module        $mods/mod_env.so
	$modules
	$cgid_line
	$fcgid_line
	${user:+User $user}
	${user:+Group $(id -gn "$user" 2>/dev/null || echo "$user")}

	$( [ -f /etc/mime.types ] && echo "TypesConfig /etc/mime.types" )
	<IfModule cgid_module>
	  ScriptSock "$dir/run/cgid.sock"
	</IfModule>
	<IfModule fcgid_module>
	  FcgidIPCDir           "$dir/run/fcgid"
	  FcgidProcessTableFile "$dir/run/fcgid_shm"
	</IfModule>
	# small footprint: one child process, a few threads
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
	$server_extra
	$pass_env

	<VirtualHost 127.0.0.1:$port>
	  ServerName 127.0.0.1
	  $vhost
	  # STACK_APACHE_EXTRA: more directives for this host (tests of what
	  # hosts do, e.g. a LimitRequestBody)
	  ${STACK_APACHE_EXTRA:-}
	</VirtualHost>
	EOF
	if ! "$bin" -t -d "$dir" -f "$dir/httpd.conf" >"$dir/apache-check.log" 2>&1; then
		_stack_err "stack_apache_start: apache2 -t rejected $dir/httpd.conf:"
		cat "$dir/apache-check.log" >&2
		return 1
	fi
	_stack_bg "$dir" apache "$dir/apache-stderr.log" "$bin" -d "$dir" -f "$dir/httpd.conf" -D FOREGROUND
	if ! _stack_wait_http "$dir" apache "$port" "$token" \
		"$dir/apache-error.log" "$dir/apache-stderr.log"; then
		stack_apache_stop "$dir"
		return 1
	fi
	p=$(_stack_live_pid "$dir/run/httpd.pid") && _stack_sid_of "$p" >"$dir/apache.sid"
	return 0
}

# _stack_htaccess_site DOCROOT CGIBIN CONFIG SRCDIR HTDOCS
# Lays out a shared host's document root as the shipped conf/htaccess
# files describe it, the way a user would upload it: the .htaccess files
# copied unchanged but for the config path placeholder of root.htaccess,
# the programs, the pages' static files.
_stack_htaccess_site() {
	local docroot=$1 cgibin=$2 config=$3 srcdir=$4 htdocs=$5 n text
	local placeholder=/home/USERNAME/mcpgate/mcpgate.conf
	mkdir -p "$docroot/mcpgate/cgi-bin" || return 1
	stack_install_programs "$cgibin" "$docroot/mcpgate/cgi-bin" || return 1
	if [ -d "$htdocs" ]; then
		cp "$htdocs"/* "$docroot/mcpgate/" || return 1
	fi
	# The one edit a user makes: the SetEnv MCPGATE_CONFIG placeholder.
	n=$(grep -c -F "SetEnv MCPGATE_CONFIG $placeholder" "$srcdir/conf/htaccess/root.htaccess")
	if [ "$n" != 1 ]; then
		_stack_err "_stack_htaccess_site: expected one 'SetEnv MCPGATE_CONFIG $placeholder' line in conf/htaccess/root.htaccess, found ${n:-0}"
		return 1
	fi
	text=$(cat "$srcdir/conf/htaccess/root.htaccess") || return 1
	printf '%s\n' "${text//"$placeholder"/"$config"}" >"$docroot/.htaccess" || return 1
	cp "$srcdir/conf/htaccess/cgi-bin.htaccess" "$docroot/mcpgate/cgi-bin/.htaccess" || return 1
	rm -rf "$docroot/.well-known"
	if [ "${STACK_HTACCESS_ACME:-0}" = 1 ]; then
		# as a certificate tool leaves it: its own rewrite rules
		mkdir -p "$docroot/.well-known/acme-challenge" || return 1
		printf 'acme-test-token\n' >"$docroot/.well-known/acme-challenge/stack-acme-test"
		cat >"$docroot/.well-known/.htaccess" <<-'EOF'
		# written by the host's certificate tool (emulated by scripts/stack.sh)
		RewriteEngine On
		RewriteRule ^acme-challenge/ - [L]
		EOF
	fi
	chmod -R a+rX "$docroot" && chmod 755 "$docroot/mcpgate/cgi-bin"
}

# stack_apache_stop DIR
# Stops the Apache started in DIR (its pid file), waits until it is gone,
# and ends anything it left behind in its session (FastCGI and CGI
# processes). Succeeds when nothing is running.
stack_apache_stop() {
	local dir=${1:-} pid
	[ -n "$dir" ] || { _stack_err "usage: stack_apache_stop DIR"; return 2; }
	dir=$(_stack_abs "$dir")
	if pid=$(_stack_live_pid "$dir/run/httpd.pid"); then
		_stack_term_wait "$pid" 15
	fi
	[ -f "$dir/apache.sid" ] && { _stack_kill_session "$(cat "$dir/apache.sid")"; rm -f "$dir/apache.sid"; }
	_stack_reap "$dir" apache
	rm -f "$dir/run/httpd.pid"
	return 0
}

# Executed rather than sourced: run one function (for use by hand).
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case ${1:-} in
	stack_*) "$@" ;;
	*) echo "usage: bash $0 stack_FUNCTION ARGS...   (normally sourced)" >&2; exit 2 ;;
	esac
fi
