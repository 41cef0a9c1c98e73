#!/bin/sh
# run.sh FUZZDIR SECONDS TARGET... -- make check-fuzz: run each libFuzzer
# target for SECONDS over a copy of its seeds and regression inputs, with
# its dictionary, and print one TAP line per target:
#	ok N - fuzz_x: R runs, no crash
#	not ok N - fuzz_x: crash, leak or broken invariant (...)
# Exit status 1 when any target failed.  Nothing is written to FUZZDIR:
# the corpus grows in a temporary directory, and an input that fails is
# copied to tests/fuzz/ of the build tree (crash-fuzz_x-*).
set -u
dir=$1 secs=$2
shift 2
n=0 failed=0
echo "1..$#"
for t in "$@"; do
	n=$((n + 1))
	name=$(basename "$t")
	work=$(mktemp -d "${TMPDIR:-/tmp}/mcpgate-$name.XXXXXX") || exit 1
	mkdir "$work/corpus"
	for d in "$dir/corpus/$name" "$dir/regressions/$name"; do
		[ -d "$d" ] && find "$d" -type f -exec cp {} "$work/corpus/" \;
	done
	set -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=8192 -close_fd_mask=2 -print_final_stats=1 \
	    -artifact_prefix="$work/"
	[ -f "$dir/$name.dict" ] && set -- "$@" -dict="$dir/$name.dict"
	# the library logs to stderr (-close_fd_mask=2 drops that); the
	# sanitizers' reports and libFuzzer's own lines still come through
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	    "./$t" "$@" "$work/corpus" >"$work/log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
	if [ $rc -eq 0 ] && [ -n "$runs" ]; then
		echo "ok $n - $name: $runs runs, no crash"
	else
		failed=1
		kept=
		for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
			[ -f "$a" ] || continue
			cp "$a" "$(dirname "$t")/$(basename "$a" | sed "s/^\([a-z]*\)-/\1-$name-/")"
			kept="$kept $(dirname "$t")/$(basename "$a" | sed "s/^\([a-z]*\)-/\1-$name-/")"
		done
		echo "not ok $n - $name: crash, leak or broken invariant (exit $rc; input kept:${kept:- none})"
		grep -E '^==[0-9]+==ERROR|^SUMMARY|invariant failed|runtime error|^    #[0-9] ' \
		    "$work/log" | head -n 20 | sed 's/^/# /'
	fi
	rm -rf "$work"
done
exit $failed
