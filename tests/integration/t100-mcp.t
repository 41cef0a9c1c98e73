#!/bin/bash
# t100-mcp.t -- the MCP endpoint through lighttpd against real PostgreSQL
# with raw requests, both eras (SPEC T-01..T-17, L-01..L-05, RS-01..RS-05,
# TV-01..TV-05, F-01..F-16, OA-01..OA-07): bearer protection, version
# negotiation, batches, tools from SQL (search and fetch, a site owner's
# own tool), argument validation, resources, prompts, the 2026-07-28 era.
. "$top_srcdir/tests/integration/lib.sh"
it_require postgres lighttpd jq perl sha256sum
it_db t100 "$top_srcdir/sql/demo.sql"
it_user demo 'demo password 1'
it_user eve 'eve password 12'
it_config scopes="mcp:read mcp:write" login_limit_user=1000 login_limit_ip=1000
it_lighttpd
B=$IT_URL
CB=https://client.example/cb
http POST /mcp/register -H 'Content-Type: application/json' --data-binary '{"redirect_uris":["'$CB'"],"token_endpoint_auth_method":"none"}'
CID=$(http_json .client_id)
TOK=$(it_token "$CID" "$CB" demo 'demo password 1')
like "$TOK" '^[A-Za-z0-9_-]{43}$' "an access token from the token endpoint"
EVE=$(it_token "$CID" "$CB" eve 'eve password 12')
PRM="$B/.well-known/oauth-protected-resource/mcp"

# mcp JSON [curl args] -- POST a message with the token (2025-06-18 unless told)
mcp() {
	local body=$1
	shift
	http POST /mcp -H 'Content-Type: application/json' -H "Authorization: Bearer ${T:-$TOK}" \
	    -H "MCP-Protocol-Version: ${V:-2025-06-18}" "$@" --data-binary "$body"
}
call() {	# call TOOL ARGS-JSON
	mcp '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"'"$1"'","arguments":'"$2"'}}'
}

# ---- bearer protection (RS-01..RS-04, TV-01..TV-05) --------------------------------
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}'
http POST /mcp -H 'Content-Type: application/json' --data-binary "$init"
is "$HTTP_STATUS" 401 "RS-01: initialize without a token → 401 (TV-01: every request)"
is "$(http_header WWW-Authenticate)" "Bearer resource_metadata=\"$PRM\", scope=\"mcp:read\"" \
    "RS-02, RS-03, RS-10: Bearer challenge with resource_metadata and scope, no error (RS-04)"
http POST /mcp -H 'Content-Type: application/json' -H 'Authorization: Bearer not-a-token' --data-binary "$init"
is "$HTTP_STATUS" 401 "RS-01: a malformed token → 401"
like "$(http_header WWW-Authenticate)" '^Bearer error="invalid_token"' "RS-04: error=\"invalid_token\""
T=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA mcp "$init"
is "$HTTP_STATUS" 401 "an unknown token → 401"
http POST "/mcp?access_token=$TOK" -H 'Content-Type: application/json' --data-binary "$init"
is "$HTTP_STATUS" 401 "TV-05: a token in the query is not accepted"
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
it_psql "UPDATE mcpgate.tokens SET resource = 'https://other.example/mcp' WHERE token_hash = decode('$(sha "$EVE")', 'hex')" >/dev/null
T=$EVE mcp "$init"
is "$HTTP_STATUS" 401 "TV-03: a token for another resource (audience) → 401"
it_psql "UPDATE mcpgate.tokens SET resource = '$B/mcp', expires_at = now() - interval '1 second', created_at = now() - interval '2 hours' WHERE token_hash = decode('$(sha "$EVE")', 'hex')" >/dev/null
T=$EVE mcp "$init"
is "$HTTP_STATUS" 401 "TV-02: an expired token → 401"
EVE=$(it_token "$CID" "$CB" eve 'eve password 12')
it_psql "UPDATE mcpgate.token_families SET revoked_at = now(), revoke_reason = 'test' WHERE user_id = (SELECT user_id FROM mcpgate.users WHERE username = 'eve')" >/dev/null
T=$EVE mcp "$init"
is "$HTTP_STATUS" 401 "TV-02: a token of a revoked family (e.g. user-disable.sql) → 401"
EVE=$(it_token "$CID" "$CB" eve 'eve password 12')

# ---- transport (T-01..T-13) -------------------------------------------------------------
mcp "$init"
is "$HTTP_STATUS" 200 "initialize with a token → 200"
like "$(http_header Content-Type)" '^application/json' "T-04: application/json"
is "$(http_json .result.protocolVersion)" 2025-06-18 "L-02: a supported version is echoed"
is "$(http_json '.result.capabilities | keys | join(",")')" "completions,prompts,resources,tools" "F-02: capabilities of what is implemented"
is "$(http_json .result.serverInfo.name)" mcpgate "F-01: serverInfo"
is "$(http_header Mcp-Session-Id)" "" "T-17: no session id (stateless)"
mcp '{"jsonrpc":"2.0","id":2,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{}}}'
is "$(http_json .result.protocolVersion)" 2025-11-25 "L-02: an old version → our latest"
V=2025-03-26 mcp "$init"
is "$(http_json .result.protocolVersion)" 2025-06-18 "L-02: the body's version decides, not the header's"
mcp '{"jsonrpc":"2.0","method":"notifications/initialized"}'
is "$HTTP_STATUS/$(wc -c <"$HTTP_BODY" | tr -d ' ')" "202/0" "T-03, L-01: a notification → 202 without a body"
mcp '{"jsonrpc":"2.0","id":3,"result":{}}'
is "$HTTP_STATUS" 202 "T-03: a response from the client → 202"
mcp '{"jsonrpc":"2.0","id":4,"method":"ping"}'
is "$HTTP_STATUS/$(http_json '.result | length')" "200/0" "F-03: ping → {}"
for a in '' '*/*' 'application/json' 'text/event-stream, application/json'; do
	mcp '{"jsonrpc":"2.0","id":5,"method":"ping"}' -H "Accept: $a"
	is "$HTTP_STATUS" 200 "T-09: Accept '$a' is fine"
done
http GET /mcp -H "Authorization: Bearer $TOK"
is "$HTTP_STATUS/$(http_header Allow)" "405/POST" "T-06: GET → 405 with Allow: POST"
http DELETE /mcp -H "Authorization: Bearer $TOK"
is "$HTTP_STATUS" 405 "T-07: DELETE → 405"
http POST /mcp -H 'Content-Type: text/plain' -H "Authorization: Bearer $TOK" --data 'x'
is "$HTTP_STATUS" 415 "T-10: a body that is not JSON by Content-Type → 415"
mcp '{"jsonrpc":"2.0","id":1,'
is "$HTTP_STATUS/$(http_json .error.code)/$(http_json .id)" "400/-32700/null" "§4.6: invalid JSON → 400, -32700, id null"
mcp '{"jsonrpc":"2.0","id":1,"method":"ping"}' -H 'Origin: https://evil.example'
is "$HTTP_STATUS" 403 "T-13: a foreign Origin → 403"
mcp '{"jsonrpc":"2.0","id":1,"method":"ping"}' -H "Origin: $B"
is "$HTTP_STATUS/$(http_header Access-Control-Allow-Origin)" "200/$B" "T-13: our own Origin is allowed, and may read the answer"
it_config scopes="mcp:read mcp:write" login_limit_user=1000 login_limit_ip=1000 allowed_origins=https://inspector.example
http OPTIONS /mcp -H 'Origin: https://inspector.example' -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: authorization,mcp-protocol-version'
is "$HTTP_STATUS" 204 "DEP-03: preflight from a configured origin → 204 (never 401)"
like "$(http_header Access-Control-Allow-Headers)" 'Authorization.*MCP-Protocol-Version.*Mcp-Method' "  allowing Authorization, MCP-Protocol-Version, Mcp-Method"
like "$(http_header Access-Control-Expose-Headers)" 'WWW-Authenticate' "  exposing WWW-Authenticate"
V=2099-01-01 mcp '{"jsonrpc":"2.0","id":1,"method":"ping"}'
is "$HTTP_STATUS/$(http_json .error.code)" "400/-32022" "T-11: an unsupported MCP-Protocol-Version → 400 (-32022)"
like "$(http_json '.error.data.supported | join(",")')" '2026-07-28.*2025-03-26' "  listing the supported versions"

# ---- batches (L-04) ---------------------------------------------------------------------------------
batch='[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":2,"method":"tools/list"}]'
V=2025-06-18 mcp "$batch"
is "$HTTP_STATUS/$(http_json .error.code)" "400/-32600" "L-04: no batches after 2025-03-26"
http POST /mcp -H 'Content-Type: application/json' -H "Authorization: Bearer $TOK" --data-binary "$batch"
is "$HTTP_STATUS/$(http_json 'length')" "200/2" "L-04: a 2025-03-26 batch (no header) → the two responses"
is "$(http_json '[.[].id] | sort | join(",")')" "1,2" "  by id"
http POST /mcp -H 'Content-Type: application/json' -H "Authorization: Bearer $TOK" --data-binary "[$init]"
is "$(http_json '.[0].error.code')" -32600 "L-04: initialize inside a batch is refused"
http POST /mcp -H 'Content-Type: application/json' -H "Authorization: Bearer $TOK" --data-binary '[{"jsonrpc":"2.0","method":"notifications/initialized"}]'
is "$HTTP_STATUS" 202 "  a batch of notifications → 202"
mcp '{"jsonrpc":"1.0","id":1,"method":"ping"}'
is "$(http_json .error.code)" -32600 "§4.6: not JSON-RPC 2.0 → -32600"
mcp '{"jsonrpc":"2.0","id":null,"method":"ping"}'
is "$(http_json .error.code)" -32600 "L-05: id null → -32600"
mcp '{"jsonrpc":"2.0","id":1,"method":"sampling/createMessage"}'
is "$HTTP_STATUS/$(http_json .error.code)" "200/-32601" "§4.6: an unknown method → -32601"
mcp '{"jsonrpc":"2.0","id":1,"method":"server/discover"}'
is "$(http_json .error.code)" -32601 "T-12: server/discover without the 2026 header → -32601 (a dual-era client falls back)"

# ---- tools (F-05..F-11, OA-01..OA-07) ------------------------------------------------------------
mcp '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
is "$(http_json '[.result.tools[].name] | join(",")')" "search,fetch" "F-05: tools/list → search and fetch"
is "$(http_json '.result.tools[0].inputSchema.required | join(",")')" query "OA-01: search takes query"
is "$(http_json '.result.tools[1].inputSchema.required | join(",")')" id "OA-03: fetch takes id"
is "$(http_json '[.result.tools[].annotations.readOnlyHint] | join(",")')" "true,true" "F-07: readOnlyHint on both"
is "$(http_json '.result.tools[0] | has("requiredScope")')" false "  internal fields are not published"
call search '{"query":"ChatGPT"}'
is "$(http_json '.result.content | length')" 1 "OA-02: search → exactly one content item"
is "$(http_json '.result.content[0].type')" text "  of type text"
res=$(http_json '.result.content[0].text')
like "$(printf '%s' "$res" | jq -r '.results[0] | [.id, .title, .url] | map(type) | join(",")')" 'string,string,string' "OA-02: {results:[{id,title,url}]}"
is "$(printf '%s' "$res" | jq -c .)" "$(http_json '.result.structuredContent' | jq -c .)" "OA-06: the same object as structuredContent"
is "$(http_json '.result.isError // false')" false "  not an error"
did=$(printf '%s' "$res" | jq -r '.results[0].id')
call fetch '{"id":"'"$did"'"}'
is "$(http_json '.result.content | length')" 1 "OA-04: fetch → exactly one content item"
like "$(http_json '.result.content[0].text' | jq -r '[.id, .title, .text, .url] | map(type) | join(",")')" 'string,string,string,string' "OA-04: {id,title,text,url,metadata}"
is "$(http_json '.result.content[0].text' | jq -r '.metadata | type')" object "  metadata a map"
call fetch '{"id":"no-such-doc"}'
is "$(http_json .result.isError)" true "F-10: an unknown document → isError"
like "$(http_json '.result.content[0].text')" 'no document' "  saying so"
call search '{}'
is "$(http_json .result.isError)" true "F-11: a missing argument → isError (not a JSON-RPC error)"
like "$(http_json '.result.content[0].text')" 'query' "  naming the argument"
call search '{"query":42}'
is "$(http_json .result.isError)" true "F-11: a wrong type → isError"
call search '{"query":"x","extra":1}'
is "$(http_json .result.isError)" true "F-11: an unexpected argument → isError"
call search "{\"query\":\"$(head -c 10240 /dev/zero | tr '\0' a)\"}"
is "$HTTP_STATUS/$(http_json .result.isError)" "200/true" "a 10 kB query → isError (limit 1000), not 5xx"
call search '{"query":"x'"'"'; DROP TABLE mcpgate.documents; --"}'
is "$HTTP_STATUS/$(http_json '.result.isError // false')" "200/false" "SQL metacharacters are just text"
is "$(it_psql 'SELECT count(*) > 0 FROM mcpgate.documents')" t "  and the documents are still there"
call search '{"query":"\"unterminated OR -"}'
is "$HTTP_STATUS" 200 "websearch syntax oddities do not fail"
mcp '{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"nope","arguments":{}}}'
is "$(http_json .error.code)" -32602 "F-10: an unknown tool → -32602"
mcp '{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"search","arguments":"q"}}'
is "$(http_json .error.code)" -32602 "arguments not an object → -32602"
mcp '{"jsonrpc":"2.0","id":9,"method":"tools/list","params":{"cursor":"bogus"}}'
is "$(http_json .error.code)" -32602 "F-04: an invalid cursor → -32602"

# per-user visibility (F-11)
it_psql "INSERT INTO mcpgate.documents (doc_id, owner_id, title, body) SELECT 'eve-secret', user_id, 'Eve private zebra notes', 'zebra zebra' FROM mcpgate.users WHERE username = 'eve'" >/dev/null
call search '{"query":"zebra"}'
is "$(http_json '.result.content[0].text' | jq '.results | length')" 0 "F-11: another user's document is not found by search"
call fetch '{"id":"eve-secret"}'
is "$(http_json .result.isError)" true "  nor by fetch"
T=$EVE call search '{"query":"zebra"}'
is "$(http_json '.result.content[0].text' | jq -r '.results[0].id')" eve-secret "  its owner finds it"

# a site owner's tool: a SQL function and a row (the README's example)
it_psql "CREATE FUNCTION public.word_count(args jsonb, ctx jsonb) RETURNS jsonb LANGUAGE sql AS \$\$
  SELECT jsonb_build_object('words', coalesce(array_length(regexp_split_to_array(trim(args->>'text'), '\s+'), 1), 0)) \$\$" >/dev/null
it_psql "INSERT INTO mcpgate.tools (name, title, description, input_schema, output_schema, annotations, function)
  VALUES ('word_count', 'Count words', 'Counts the words of a text.',
  '{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\",\"maxLength\":10000}},\"required\":[\"text\"],\"additionalProperties\":false}',
  '{\"type\":\"object\",\"properties\":{\"words\":{\"type\":\"integer\"}},\"required\":[\"words\"]}',
  '{\"readOnlyHint\":true}', 'public.word_count(jsonb,jsonb)')" >/dev/null
mcp '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
like "$(http_json '[.result.tools[].name] | join(",")')" 'word_count' "tools are data: a new row is listed without a rebuild"
call word_count '{"text":"one two  three"}'
is "$(http_json .result.structuredContent.words)" 3 "F-09: the function's result as structuredContent"
is "$(http_json '.result.content[0].text' | jq -r .words)" 3 "  and as text"
it_psql "CREATE OR REPLACE FUNCTION public.word_count(args jsonb, ctx jsonb) RETURNS jsonb LANGUAGE plpgsql AS \$\$
  BEGIN RAISE EXCEPTION 'texts about % are not counted', left(args->>'text', 10); END \$\$" >/dev/null
call word_count '{"text":"cats"}'
is "$(http_json .result.isError)/$(http_json '.result.content[0].text')" "true/texts about cats are not counted" \
    "F-10: a tool's own RAISE EXCEPTION becomes its isError message"
it_psql "CREATE OR REPLACE FUNCTION public.word_count(args jsonb, ctx jsonb) RETURNS jsonb LANGUAGE sql AS \$\$ SELECT jsonb_build_object('words', 'many') \$\$" >/dev/null
call word_count '{"text":"x"}'
is "$(http_json .result.isError)" true "F-09: a result its outputSchema refuses → isError"
it_psql "CREATE OR REPLACE FUNCTION public.word_count(args jsonb, ctx jsonb) RETURNS jsonb LANGUAGE sql AS \$\$ SELECT (1/0)::text::jsonb \$\$" >/dev/null
call word_count '{"text":"x"}'
is "$HTTP_STATUS/$(http_json .result.isError)" "200/true" "an SQL error in a tool → isError, not 5xx"
unlike "$(http_json '.result.content[0].text')" 'division' "  without the SQL detail"
it_config scopes="mcp:read mcp:write" login_limit_user=1000 login_limit_ip=1000 db_statement_timeout=300
it_psql "CREATE OR REPLACE FUNCTION public.word_count(args jsonb, ctx jsonb) RETURNS jsonb LANGUAGE sql AS \$\$ SELECT jsonb_build_object('words', (SELECT count(*) FROM pg_sleep(2))) \$\$" >/dev/null
call word_count '{"text":"x"}'
is "$HTTP_STATUS/$(http_json .result.isError)" "200/true" "a tool over the statement timeout → isError"
like "$(http_json '.result.content[0].text')" 'too long' "  saying it took too long"
it_config scopes="mcp:read mcp:write" login_limit_user=1000 login_limit_ip=1000
mcp '{"jsonrpc":"2.0","id":1,"method":"ping"}'
is "$HTTP_STATUS" 200 "  and the process serves on"
it_psql "UPDATE mcpgate.tools SET required_scope = 'mcp:write' WHERE name = 'word_count'" >/dev/null
mcp '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
unlike "$(http_json '[.result.tools[].name] | join(",")')" 'word_count' "tools/list hides tools the token's scope does not allow"
call word_count '{"text":"x"}'
is "$HTTP_STATUS" 403 "RS-05: calling one → 403"
like "$(http_header WWW-Authenticate)" '^Bearer error="insufficient_scope".*scope="mcp:read mcp:write"' "  insufficient_scope with the scopes needed (RS-06)"

# ---- resources (F-12..F-16) and prompts -----------------------------------------------------------
mcp '{"jsonrpc":"2.0","id":1,"method":"resources/list"}'
like "$(http_json '.result.resources[0].uri')" '^mcpgate://doc/' "F-12: documents are resources"
it_psql "INSERT INTO mcpgate.documents (doc_id, title, body) SELECT 'bulk-' || lpad(i::text, 3, '0'), 'Bulk ' || i, 'text ' || i FROM generate_series(1, 60) i" >/dev/null
mcp '{"jsonrpc":"2.0","id":1,"method":"resources/list"}'
n1=$(http_json '.result.resources | length'); cur=$(http_json .result.nextCursor)
is "$n1" 50 "F-04: a page of 50"
mcp '{"jsonrpc":"2.0","id":1,"method":"resources/list","params":{"cursor":"'"$cur"'"}}'
total=$(it_psql "SELECT count(*) FROM mcpgate.documents WHERE owner_id IS NULL OR owner_id = (SELECT user_id FROM mcpgate.users WHERE username = 'demo')")
is "$((n1 + $(http_json '.result.resources | length')))" "$total" "F-04: the next page with the cursor, then no more"
is "$(http_json '.result | has("nextCursor")')" false "  (no nextCursor on the last page)"
mcp '{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"mcpgate://doc/doc-1"}}'
is "$(http_json '.result.contents[0].uri')" "mcpgate://doc/doc-1" "F-13: resources/read"
like "$(http_json '.result.contents[0].text')" '.' "  with the text"
mcp '{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"mcpgate://doc/eve-secret"}}'
is "$(http_json .error.code)" -32002 "F-16: another user's document → -32002 (not found)"
mcp '{"jsonrpc":"2.0","id":1,"method":"resources/templates/list"}'
is "$(http_json '.result.resourceTemplates[0].uriTemplate')" "mcpgate://doc/{id}" "F-14: a URI template"
it_psql "INSERT INTO mcpgate.prompts (name, title, description, arguments, messages) VALUES ('summarize', 'Summarize', 'Summarize a topic',
  '[{\"name\":\"topic\",\"description\":\"what\",\"required\":true,\"values\":[\"backups\",\"billing\",\"upgrades\"]}]',
  '[{\"role\":\"user\",\"content\":{\"type\":\"text\",\"text\":\"Search the knowledge base for {{topic}} and summarize.\"}}]')" >/dev/null
mcp '{"jsonrpc":"2.0","id":1,"method":"prompts/list"}'
is "$(http_json '.result.prompts[0].name')" summarize "prompts/list from the prompts table"
mcp '{"jsonrpc":"2.0","id":1,"method":"prompts/get","params":{"name":"summarize","arguments":{"topic":"backups"}}}'
is "$(http_json '.result.messages[0].content.text')" "Search the knowledge base for backups and summarize." "prompts/get fills in the arguments"
mcp '{"jsonrpc":"2.0","id":1,"method":"prompts/get","params":{"name":"summarize"}}'
is "$(http_json .error.code)" -32602 "  a missing required argument → -32602"
mcp '{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"summarize"},"argument":{"name":"topic","value":"B"}}}'
is "$(http_json '.result.completion.values | join(",")')" "backups,billing" "completion/complete offers the declared values that match"
it_psql "INSERT INTO mcpgate.resources (uri, name, mime_type, blob) VALUES ('files://logo.png', 'logo', 'image/png', '\\x89504e47')" >/dev/null
mcp '{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"files://logo.png"}}'
is "$(http_json '.result.contents[0].blob')/$(http_json '.result.contents[0].mimeType')" "iVBORw==/image/png" "F-13: a binary resource row is sent base64"
mcp '{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"files://nothing"}}'
is "$(http_json .error.code)/$(http_json .error.data.uri)" "-32002/files://nothing" "F-16: not found carries data.uri"

# ---- the 2026-07-28 era (§4.7) -----------------------------------------------------------------------------
V=2026-07-28 mcp '{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}' -H 'Mcp-Method: server/discover'
is "$HTTP_STATUS" 200 "§4.7: server/discover → 200"
like "$(http_json '.result.supportedVersions | join(",")')" '2026-07-28' "  supportedVersions"
is "$(http_json .result.resultType)" complete "  resultType complete"
is "$(http_json '.result._meta["io.modelcontextprotocol/serverInfo"].name')" mcpgate "  serverInfo in _meta"
V=2026-07-28 mcp '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' -H 'Mcp-Method: tools/call'
is "$HTTP_STATUS/$(http_json .error.code)" "400/-32020" "§4.7: Mcp-Method differing from the body → 400 -32020"
V=2026-07-28 mcp '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search","arguments":{"query":"backup"}}}' -H 'Mcp-Method: tools/call'
is "$HTTP_STATUS/$(http_json .error.code)" "400/-32020" "§4.7: Mcp-Name missing → -32020"
V=2026-07-28 mcp '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search","arguments":{"query":"backup"}}}' -H 'Mcp-Method: tools/call' -H "Mcp-Name: =?base64?$(printf search | base64)?="
is "$HTTP_STATUS/$(http_json .result.resultType)" "200/complete" "§4.7: tools/call with Mcp-Name (base64 sentinel)"
V=2026-07-28 mcp '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}' -H 'Mcp-Method: initialize'
is "$HTTP_STATUS/$(http_json .error.code)" "404/-32601" "§4.7: initialize in the 2026 era → 404 -32601"
V=2026-07-28 mcp '{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"mcpgate://doc/nope"}}' -H 'Mcp-Method: resources/read' -H 'Mcp-Name: mcpgate://doc/nope'
is "$(http_json .error.code)" -32602 "§4.7: resource not found → -32602 in this era"
http POST /mcp -H 'Content-Type: application/json' -H "Authorization: Bearer $TOK" -H 'Mcp-Method: tools/list' \
    --data-binary '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}'
is "$HTTP_STATUS/$(http_json .result.resultType)" "200/complete" "§4.7: the version in _meta alone selects the era"
done_testing
