#!/bin/sh
# tests/browser/setup.sh -- install what the browser tests need into
# tests/browser/node_modules: playwright-core at the version package.json
# pins. Idempotent, and quick when that version is already there.
#
# playwright-core drives the system's Chromium (Debian: apt-get install
# chromium, /usr/bin/chromium; or set MCPGATE_TEST_CHROMIUM); it never
# downloads a browser, and neither does this script (no "playwright
# install"). No lock file is written: lock files record registry
# addresses, and the one dependency is pinned exactly in package.json.
#
# Usage: sh tests/browser/setup.sh [--force]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

command -v node >/dev/null 2>&1 || { echo "setup.sh: node is not installed" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "setup.sh: npm is not installed" >&2; exit 1; }

want=$(node -p 'require("./package.json").dependencies["playwright-core"]')
have=$(node -p 'try { require("./node_modules/playwright-core/package.json").version } catch (e) { "" }')
if [ "${1:-}" != --force ] && [ "$have" = "$want" ]; then
	echo "setup.sh: playwright-core $have already installed in $here/node_modules"
	exit 0
fi

PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-package-lock --no-audit --no-fund --loglevel=warn
have=$(node -p 'require("./node_modules/playwright-core/package.json").version')
[ "$have" = "$want" ] || { echo "setup.sh: installed playwright-core $have, wanted $want" >&2; exit 1; }
echo "setup.sh: playwright-core $have installed in $here/node_modules"
if ! command -v chromium >/dev/null 2>&1 && [ -z "${MCPGATE_TEST_CHROMIUM:-}" ]; then
	echo "setup.sh: note: no chromium on PATH; install Debian's (apt-get install chromium) to run the tests" >&2
fi
