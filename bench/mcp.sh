#!/bin/bash
# bench/mcp.sh -- the former name of bench/run.sh, kept so that notes and
# habits that name it still work: it runs bench/run.sh with the same
# arguments and environment (see bench/run.sh for both). The report is
# now bench/results/run-YYYY-MM-DD.md (earlier runs of this script wrote
# mcp-YYYY-MM-DD.md). BENCH_TOKENS is gone: the data set has
# BENCH_ACCESS_TOKENS access tokens (100 000) and pools sized to the run.
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" "$@"
