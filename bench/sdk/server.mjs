// bench/sdk/server.mjs -- the official MCP TypeScript SDK peers that
// bench/run.sh measures mcpgate against. Not part of mcpgate.
//
//   node server.mjs v1|v2 PORT WORKERS TOKEN
//
// WORKERS 1: a single node process serving 127.0.0.1:PORT itself (no
// cluster). WORKERS 2 or more: a node:cluster of that many worker
// processes sharing 127.0.0.1:PORT (the primary only forks). Each serves
// POST /mcp statelessly, the way each SDK's own documentation does it:
// a new McpServer with one zod-typed tool ("echo") for every request,
// JSON answers (no SSE), behind the SDK's own requireBearerAuth with a
// verifier that accepts the one fixed TOKEN (scope mcp:read).
//
// v1: @modelcontextprotocol/sdk 1.x -- createMcpExpressApp,
//     StreamableHTTPServerTransport({ sessionIdGenerator: undefined,
//     enableJsonResponse: true }). Requests in the 2025 form.
// v2: @modelcontextprotocol/server 2.x (the 2026-07-28 revision) --
//     @modelcontextprotocol/express createMcpExpressApp and
//     requireBearerAuth, toNodeHandler(createMcpHandler(factory,
//     { responseMode: 'json' })) from @modelcontextprotocol/node. Requests
//     in the 2026-07-28 form (MCP-Protocol-Version, Mcp-Method and
//     params._meta), which v2 answers with application/json; 2025-form
//     requests would go to its legacy fallback, which answers with SSE.
import cluster from 'node:cluster';

const [flavour, portArg, workersArg, token] = process.argv.slice(2);
const port = Number(portArg);
const workers = Number(workersArg || 2);
if (!['v1', 'v2'].includes(flavour) || !port || !token) {
	console.error('usage: node server.mjs v1|v2 PORT WORKERS TOKEN');
	process.exit(2);
}

if (workers <= 1) {
	// single process: no cluster, the app in this process
	const base = `http://127.0.0.1:${port}`;
	const app = flavour === 'v1' ? await v1App(base) : await v2App(base);
	const stop = () => process.exit(0);
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
	app.listen(port, '127.0.0.1', () =>
		console.log(`${flavour} single process listening on 127.0.0.1:${port}`));
} else if (cluster.isPrimary) {
	let ready = 0;
	for (let i = 0; i < workers; i++) {
		const w = cluster.fork();
		w.on('message', (m) => {
			if (m === 'listening' && ++ready === workers)
				console.log(`${flavour} cluster of ${workers} listening on 127.0.0.1:${port}`);
		});
	}
	cluster.on('exit', (w, code, signal) => {
		console.error(`worker ${w.process.pid} exited (${signal || code})`);
	});
	const stop = () => {
		for (const id in cluster.workers) cluster.workers[id].kill('SIGTERM');
		process.exit(0);
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
} else {
	const base = `http://127.0.0.1:${port}`;
	const app = flavour === 'v1' ? await v1App(base) : await v2App(base);
	app.listen(port, '127.0.0.1', () => process.send('listening'));
}

function authInfo() {
	return {
		token, clientId: 'bench', scopes: ['mcp:read'],
		expiresAt: Math.floor(Date.now() / 1000) + 3600,
		resource: new URL(`http://127.0.0.1:${port}/mcp`),
	};
}

async function v1App(base) {
	const { createMcpExpressApp } = await import('@modelcontextprotocol/sdk/server/express.js');
	const { requireBearerAuth } = await import('@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js');
	const { InvalidTokenError } = await import('@modelcontextprotocol/sdk/server/auth/errors.js');
	const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js');
	const { StreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
	const { z } = await import('zod');

	const app = createMcpExpressApp({ host: '127.0.0.1' });
	const auth = requireBearerAuth({
		verifier: {
			async verifyAccessToken(t) {
				if (t !== token) throw new InvalidTokenError('invalid token');
				return authInfo();
			},
		},
		resourceMetadataUrl: `${base}/.well-known/oauth-protected-resource/mcp`,
	});
	app.post('/mcp', auth, async (req, res) => {
		const server = new McpServer({ name: 'bench-v1', version: '1.0.0' });
		server.registerTool('echo', {
			title: 'Echo', description: 'Echoes the text back.',
			inputSchema: { text: z.string() },
		}, async ({ text }) => ({ content: [{ type: 'text', text }] }));
		const transport = new StreamableHTTPServerTransport({
			sessionIdGenerator: undefined, enableJsonResponse: true,
		});
		res.on('close', () => { transport.close(); server.close(); });
		await server.connect(transport);
		await transport.handleRequest(req, res, req.body);
	});
	return app;
}

async function v2App(base) {
	const { createMcpExpressApp, requireBearerAuth } = await import('@modelcontextprotocol/express');
	const { toNodeHandler } = await import('@modelcontextprotocol/node');
	const { McpServer, createMcpHandler, OAuthError, OAuthErrorCode } = await import('@modelcontextprotocol/server');
	const { z } = await import('zod');

	const app = createMcpExpressApp({ host: '127.0.0.1' });
	const auth = requireBearerAuth({
		verifier: {
			async verifyAccessToken(t) {
				if (t !== token) throw new OAuthError(OAuthErrorCode.InvalidToken, 'invalid token');
				return authInfo();
			},
		},
		resourceMetadataUrl: `${base}/.well-known/oauth-protected-resource/mcp`,
	});
	// v2's stateless model: the factory runs once per HTTP request.
	const build = () => {
		const server = new McpServer({ name: 'bench-v2', version: '1.0.0' });
		server.registerTool('echo', {
			title: 'Echo', description: 'Echoes the text back.',
			inputSchema: z.object({ text: z.string() }),
		}, async ({ text }) => ({ content: [{ type: 'text', text }] }));
		return server;
	};
	const node = toNodeHandler(createMcpHandler(build, { responseMode: 'json' }));
	app.all('/mcp', auth, (req, res) => node(req, res, req.body));
	return app;
}
