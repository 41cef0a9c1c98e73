#!/usr/bin/env node
// tests/mcp-clients/sdk-clients.mjs -- drive mcpgate's /mcp with an official
// MCP TypeScript SDK client and print what happened as one JSON object
// (tests/integration/t110-sdk-mcp.t checks it).
//
//   node sdk-clients.mjs --sdk v1|v2 --url http://127.0.0.1:PORT/mcp --token-file FILE
//        [--mode legacy|auto|pin] [--query WORDS] [--timeout MS]
//
// --sdk v1  @modelcontextprotocol/sdk (1.x): Client + StreamableHTTPClientTransport,
//           the token as a static "Authorization: Bearer" header (requestInit).
// --sdk v2  @modelcontextprotocol/client (2.x): Client + StreamableHTTPClientTransport
//           with an AuthProvider whose token() returns the token, and
//           versionNegotiation.mode (default auto: probe with server/discover,
//           2026-07-28 if the server proves it speaks it, else fall back to
//           initialize; pin: 2026-07-28 or fail; legacy: initialize only).
//
// Then: list the tools, call search (--query) and fetch (the first result's
// id), fetch an unknown id, list the resources, read the fetched document as
// the resource mcpgate://doc/<id>, list the resource templates and the
// prompts. Each step's
// raw result goes into the output; so does every HTTP exchange the SDK made
// (method, the MCP headers it sent, the JSON-RPC method, status, content
// type, and for initialize/server/discover the version the server answered).
// The token is never printed. Exit 0 when every step ran, 1 otherwise
// (the output then has "errors").
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const opt = (name, def) => {
	const i = argv.indexOf(name);
	return i >= 0 && i + 1 < argv.length ? argv[i + 1] : def;
};
const sdk = opt('--sdk', 'v1');
const url = opt('--url');
const tokenFile = opt('--token-file');
const mode = opt('--mode', 'auto');
const query = opt('--query', 'ChatGPT connector');
const timeout = Number(opt('--timeout', '20000'));
if (!url || !tokenFile || !['v1', 'v2'].includes(sdk)) {
	console.error('usage: sdk-clients.mjs --sdk v1|v2 --url URL --token-file FILE [--mode legacy|auto|pin] [--query Q]');
	process.exit(2);
}
const token = readFileSync(tokenFile, 'utf8').trim();

const out = { sdk, mode: sdk === 'v2' ? mode : 'legacy', url, http: [], steps: {}, errors: [] };

// Every exchange, without secrets.
async function loggingFetch(input, init = {}) {
	const u = typeof input === 'string' ? input : input.url ?? String(input);
	const h = new Headers(init.headers ?? {});
	const rec = {
		method: init.method ?? 'GET',
		url: u,
		authorization: h.has('authorization') ? h.get('authorization').replace(/\s.*/, ' …') : null,
		mcp_protocol_version: h.get('mcp-protocol-version'),
		mcp_method: h.get('mcp-method'),
		mcp_name: h.get('mcp-name'),
		accept: h.get('accept'),
	};
	let body = null;
	if (typeof init.body === 'string') {
		try { body = JSON.parse(init.body); } catch { /* not JSON */ }
	}
	if (body && !Array.isArray(body)) {
		rec.rpc_method = body.method ?? null;
		rec.rpc_id = body.id ?? null;
		rec.meta_version = body.params?._meta?.['io.modelcontextprotocol/protocolVersion'] ?? null;
		if (body.method === 'initialize') rec.requested_version = body.params?.protocolVersion;
	}
	const res = await fetch(input, init);
	rec.status = res.status;
	rec.content_type = res.headers.get('content-type');
	rec.session_id = res.headers.get('mcp-session-id');
	rec.response_protocol_version = res.headers.get('mcp-protocol-version');
	if ((res.headers.get('content-type') ?? '').includes('application/json')) {
		try {
			const j = await res.clone().json();
			if (j?.error) rec.rpc_error = { code: j.error.code, message: j.error.message };
			if (j?.result?.protocolVersion) rec.answered_version = j.result.protocolVersion;
			if (j?.result?.supportedVersions) rec.answered_versions = j.result.supportedVersions;
			if (j?.result?.resultType) rec.result_type = j.result.resultType;
		} catch { /* not JSON after all */ }
	}
	out.http.push(rec);
	return res;
}

// An error's message on one line; a schema validation failure (a zod issue
// list after "Invalid result for METHOD:") as "path: message; ...".
function oneLine(e) {
	const m = String(e?.message ?? e);
	const i = m.indexOf('[');
	if (i > 0) {
		try {
			const issues = JSON.parse(m.slice(i));
			if (Array.isArray(issues))
				return `${m.slice(0, i).trim()} ${issues.map((x) => `${(x.path ?? []).join('.')}: ${x.message}`).join('; ')}`;
		} catch { /* not an issue list */ }
	}
	return m.replace(/\s+/g, ' ');
}

async function step(name, fn) {
	try {
		out.steps[name] = await fn();
		return out.steps[name];
	} catch (e) {
		const msg = oneLine(e);
		out.errors.push(`${name}: ${msg}`);
		out.steps[name] = { error: msg, code: e?.code };
		return undefined;
	}
}

let client;
try {
	const clientInfo = { name: `mcpgate-t110-${sdk}`, version: '1.0.0' };
	if (sdk === 'v1') {
		const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
		const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
		const pkg = JSON.parse(readFileSync(new URL('./node_modules/@modelcontextprotocol/sdk/package.json', import.meta.url)));
		out.package = `@modelcontextprotocol/sdk@${pkg.version}`;
		client = new Client(clientInfo, { capabilities: {} });
		const transport = new StreamableHTTPClientTransport(new URL(url), {
			requestInit: { headers: { Authorization: `Bearer ${token}` } },
			fetch: loggingFetch,
		});
		await step('connect', async () => {
			await client.connect(transport, { timeout });
			return { ok: true };
		});
		out.negotiated_version = transport.protocolVersion ?? null;
		out.era = 'legacy';
	} else {
		const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
		const pkg = JSON.parse(readFileSync(new URL('./node_modules/@modelcontextprotocol/client/package.json', import.meta.url)));
		out.package = `@modelcontextprotocol/client@${pkg.version}`;
		const negotiation = mode === 'pin' ? { mode: { pin: '2026-07-28' } } : { mode };
		client = new Client(clientInfo, { capabilities: {}, versionNegotiation: negotiation });
		const transport = new StreamableHTTPClientTransport(new URL(url), {
			authProvider: { token: async () => token },
			fetch: loggingFetch,
		});
		await step('connect', async () => {
			await client.connect(transport, { timeout });
			return { ok: true };
		});
		out.negotiated_version = client.getNegotiatedProtocolVersion?.() ?? null;
		out.era = client.getProtocolEra?.() ?? null;
		out.discover = client.getDiscoverResult?.() ?? null;
	}
	if (out.errors.length === 0) {
		out.server_version = client.getServerVersion() ?? null;
		out.server_capabilities = client.getServerCapabilities() ?? null;
		const ro = { timeout };
		const tools = await step('tools_list', () => client.listTools(undefined, ro));
		const search = await step('search', () => client.callTool({ name: 'search', arguments: { query } }, undefined, ro));
		let id = null;
		try { id = JSON.parse(search.content[0].text).results[0].id; } catch { /* checked by the test */ }
		out.fetched_id = id;
		if (id !== null)
			await step('fetch', () => client.callTool({ name: 'fetch', arguments: { id } }, undefined, ro));
		else
			out.errors.push('fetch: search gave no result id to fetch');
		await step('fetch_unknown', () => client.callTool({ name: 'fetch', arguments: { id: 'no-such-document' } }, undefined, ro));
		const res = await step('resources_list', () => client.listResources(undefined, ro));
		const uri = id !== null ? `mcpgate://doc/${id}` : res?.resources?.[0]?.uri;
		if (uri)
			await step('resource_read', () => client.readResource({ uri }, ro));
		else
			out.errors.push('resource_read: no resource to read');
		await step('templates_list', () => client.listResourceTemplates(undefined, ro));
		await step('prompts_list', () => client.listPrompts(undefined, ro));
		void tools;
	}
} catch (e) {
	out.errors.push(`fatal: ${oneLine(e)}`);
} finally {
	try { await client?.close(); } catch { /* closing a stateless connection */ }
}
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
process.exit(out.errors.length ? 1 : 0);
