# bench/lib.sh -- what bench/run.sh, bench/cgi.sh and bench/cost.sh share:
# their directories, exit handling, the release build of a copy of the
# work tree, the private PostgreSQL, and small helpers for the
# measurements and the reports. Not a program: each script sources it
# right after it sets BENCH (its own directory),
#
#   # shellcheck source=lib.sh
#   . "$BENCH/lib.sh"
#
# and defines say and die (their prefixes differ), which these functions
# call. The PostgreSQL functions need scripts/stack.sh sourced as well.
# Only functions and variables: sourcing it starts nothing.
# shellcheck shell=bash disable=SC2034 # the variables set are the scripts'

# ---- directories ---------------------------------------------------------------

# bench_dirs NAME: the directories of a script that builds and runs in
# bench/NAME: TOP (the work tree), BUILD (bench/NAME, kept between runs:
# the build is incremental), BIN (programs the script compiles), RUN (the
# run's servers, logs and raw output: removed and made anew each run) and
# RESULTS (bench/results, where the reports go).
bench_dirs() {
	TOP=$(dirname "$BENCH")
	BUILD=$BENCH/$1
	BIN=$BUILD/bin
	RUN=$BUILD/run
	RESULTS=$BENCH/results
}

# ---- exit ----------------------------------------------------------------------

# bench_traps: run the script's cleanup function on exit, whatever happens:
# an interrupt or a kill exits with the usual status 128 + signal, which
# then runs cleanup too.
bench_traps() {
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# bench_finish STATUS KEEP: the end of cleanup, once everything the script
# started is stopped: remove $RUN unless KEEP (the script's *_KEEP) is 1,
# and exit with STATUS, the one the script was exiting with.
bench_finish() {
	if [ "$2" != 1 ] && [ -d "$RUN" ]; then
		rm -rf "$RUN"
	fi
	exit "$1"
}

# ---- build ---------------------------------------------------------------------

# bench_copy_tree DIR: the work tree as git sees it (tracked and untracked
# files, not ignored ones, not bench/) in DIR/src, for a build in DIR/obj.
# autoreconf writes its files into the copy, so the work tree itself stays
# untouched; tar keeps the times, so make stays incremental. Sets
# WORKTREE_MEASURED, what the reports say they measured when it builds:
# its commit and how many files in src/ sql/ conf/ Makefile.am
# configure.ac differ from it.
bench_copy_tree() {
	local rev dirty
	mkdir -p "$1/src" "$1/obj"
	(cd "$TOP" && git ls-files -z -co --exclude-standard -- . ':!bench' |
		tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | (cd "$1/src" && tar -xf -)
	rev=$(cd "$TOP" && git rev-parse --short HEAD 2>/dev/null || echo '?')
	dirty=$(cd "$TOP" && git status --porcelain -- src sql conf Makefile.am configure.ac 2>/dev/null | wc -l)
	WORKTREE_MEASURED="the work tree (commit $rev)"
	[ "$dirty" -eq 0 ] || WORKTREE_MEASURED="the work tree (commit $rev plus $dirty uncommitted changed files in src/ sql/ conf/ Makefile.am configure.ac)"
}

# bench_rev_tree REVID DIR: git's revision REVID (all but bench/) in
# DIR/src instead, for when the work tree does not build (someone in the
# middle of a change) or a script is told to build a revision. DIR/rev
# records the revision: a different one than last time is configured
# again (DIR/obj starts empty).
bench_rev_tree() {
	rm -rf "$2/src"
	[ "$(cat "$2/rev" 2>/dev/null)" = "$1" ] || rm -rf "$2/obj"
	mkdir -p "$2/src" "$2/obj"
	(cd "$TOP" && git archive "$1" -- . ':!bench') | tar -x -C "$2/src"
	echo "$1" >"$2/rev"
}

# bench_build_tree DIR LOGDIR CFLAGS PROGRAM...: autoreconf, configure
# (once, with CFLAGS) and make in DIR/src -> DIR/obj, with their output in
# LOGDIR/autoreconf.log, configure.log and make.log; fails unless every
# PROGRAM (cgi-bin/PROGRAM) was built.
bench_build_tree() {
	local d=$1 log=$2 cflags=$3 p
	shift 3
	(cd "$d/src" && autoreconf -fi >"$log/autoreconf.log" 2>&1) || return 1
	if [ ! -f "$d/obj/Makefile" ]; then
		(cd "$d/obj" && "$d/src/configure" CFLAGS="$cflags" >"$log/configure.log" 2>&1) || return 1
	fi
	make -C "$d/obj" -j"$(nproc)" >"$log/make.log" 2>&1 || return 1
	for p in "$@"; do
		[ -x "$d/obj/cgi-bin/$p" ] || return 1
	done
}

# ---- PostgreSQL ----------------------------------------------------------------

# bench_pg_start DB: start the private PostgreSQL in $RUN/pg (scripts/stack.sh;
# STACK_PG_FAST as the caller set it) and create the database DB with
# $SRC/sql's schema. Sets DB and CONNINFO (the programs' conninfo) and
# defines psql (psql on DB that stops at the first error).
bench_pg_start() {
	stack_pg_start "$RUN/pg" || die "PostgreSQL did not start"
	DB=$1
	CONNINFO="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$DB"
	# shellcheck disable=SC2317 # the scripts call it
	psql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
	stack_db_create "$DB" "$SRC/sql" 2>"$RUN/db-create.log" || die "loading the schema failed: $RUN/db-create.log"
}

# ---- measurements --------------------------------------------------------------

# row_field ROW N: field N (from 0) of a row of a table of requests, its
# fields separated by "|" (a field may hold newlines: headers)
row_field() { local IFS='|'; local -a f; read -r -a f <<<"$(printf '%s' "$1" | tr '\n' '\001')"; printf '%s' "${f[$2]}" | tr '\001' '\n'; }
# busy_ticks: "busy total" CPU ticks of the machine so far (/proc/stat)
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
# self_child_ticks: CPU ticks of the children this script waited for (wrk)
self_child_ticks() { awk '{ s = $0; sub(/^.*\) /, "", s); split(s, f, " "); print f[14] + f[15] }' "/proc/$$/stat"; }
# to_ms TIME: one of wrk's times (12.5us, 3.2ms, 1.1s) in ms
to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) sub(/ms$/, "", v); else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f", v }' <<<"$1"; }
# wrk_figures FILE: wrk's figures in its output FILE, into the caller's
# (local) variables: rps, p50 and p99 (ms), n (requests), non2xx and serr
# (socket errors; both 0 when wrk does not mention them). rps and n are
# empty when wrk failed.
wrk_figures() {
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$1")
	p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$1")")
	p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$1")")
	n=$(awk '/requests in/ { print $1 }' "$1")
	non2xx=$(awk '/Non-2xx/ { print $NF }' "$1"); non2xx=${non2xx:-0}
	serr=$(awk '/Socket errors/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$1"); serr=${serr:-0}
}
# cg_total FILE: the instructions of a callgrind_annotate output
cg_total() { awk '/^(summary|totals):/ { print $2; exit }' "$1"; }

# ---- reports -------------------------------------------------------------------

# BENCH_AWK_STATS: awk functions for the statistics of the rounds of a
# row, for the start of an awk program: med, mn and mx (ARRAY, ID, COUNT)
# are the median, minimum and maximum of ARRAY[ID, 1..COUNT].
BENCH_AWK_STATS='
function med(a, id, cnt,    i, j, t, v) {
	for (i = 1; i <= cnt; i++) v[i] = a[id, i]
	for (i = 1; i <= cnt; i++) for (j = i + 1; j <= cnt; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
	return cnt % 2 ? v[(cnt + 1) / 2] : (v[cnt / 2] + v[cnt / 2 + 1]) / 2
}
function mn(a, id, cnt,   i, x) { x = a[id, 1]; for (i = 2; i <= cnt; i++) if (a[id, i] + 0 < x + 0) x = a[id, i]; return x }
function mx(a, id, cnt,   i, x) { x = a[id, 1]; for (i = 2; i <= cnt; i++) if (a[id, i] + 0 > x + 0) x = a[id, i]; return x }
'
# bench_machine: the machine, for the reports: CPUs, model, memory, kernel
# and distribution
# shellcheck source=/dev/null # (/etc/os-release, the machine's own)
bench_machine() { echo "$(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); kernel $(uname -r); $(. /etc/os-release && echo "$PRETTY_NAME")"; }
fmt() {   # 12345 -> 12,345 (empty -> –)
	awk -v v="$1" 'BEGIN { if (v == "") { print "–"; exit }
		s = sprintf("%.0f", v); neg = s ~ /^-/; if (neg) s = substr(s, 2); o = ""
		while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
		print (neg ? "-" : "") s o }'
}
# v COMMAND...: the first line COMMAND prints (a version), stderr included
v() { "$@" 2>&1 | sed -n 1p; }
