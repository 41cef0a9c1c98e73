#!/bin/bash
# tests/node/setup.sh -- install the pinned Node packages of the integration
# tests (package.json beside this file) into tests/node/node_modules, from
# the npm registry. Idempotent: when every dependency is already installed
# at its pinned version it only says so (well under a second).
#
# No package-lock.json is written or kept (lock files record registry
# addresses); package.json pins the direct dependencies exactly.
# Needs node and npm (Node >= 20). Usable from any directory:
#   bash tests/node/setup.sh
# Exit status 0 when the packages are there, non-zero otherwise.
set -u
cd "$(dirname "$0")" || exit 1

command -v node >/dev/null 2>&1 || { echo "tests/node/setup.sh: node not found" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "tests/node/setup.sh: npm not found" >&2; exit 1; }

# Prints the dependencies not installed at their pinned version.
missing() {
	# shellcheck disable=SC2016 # JavaScript, not shell
	node -e '
		const fs = require("fs");
		const deps = JSON.parse(fs.readFileSync("package.json", "utf8")).dependencies || {};
		for (const [name, want] of Object.entries(deps)) {
			let have = "";
			try { have = JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, "utf8")).version; } catch {}
			if (have !== want) console.log(`${name}@${want}` + (have ? ` (have ${have})` : ""));
		}'
}

m=$(missing) || exit 1
if [ -z "$m" ]; then
	echo "tests/node: pinned packages already installed"
	exit 0
fi
echo "tests/node: installing: $m"
npm install --no-package-lock --no-audit --no-fund --loglevel=error || {
	echo "tests/node/setup.sh: npm install failed" >&2
	exit 1
}
m=$(missing) || exit 1
if [ -n "$m" ]; then
	echo "tests/node/setup.sh: still not installed after npm install: $m" >&2
	exit 1
fi
echo "tests/node: installed"
