#!/usr/bin/env node
// tests/mcp-clients/bearer-proxy.mjs -- a loopback HTTP proxy that adds
// "Authorization: Bearer <token>" to every request it forwards, so that a
// client without OAuth (the conformance suite in server mode sends no
// credentials) can talk to mcpgate's bearer-protected /mcp.
//
//   node bearer-proxy.mjs --target http://127.0.0.1:PORT --token-file FILE \
//        [--listen PORT] [--port-file FILE] [--log FILE]
//
// --listen 0 (the default) takes a free port; the port is written to
// --port-file (atomically: a temporary file renamed) once the proxy listens.
// Requests and responses are streamed both ways, unchanged except:
//   - Authorization is added when the client sent none (one it sent is kept);
//   - Host and Origin that name the proxy itself (127.0.0.1, localhost or
//     [::1] with the proxy's port) are rewritten to the target's, as if the
//     client had talked to the target directly. Any other Host or Origin (the
//     conformance dns-rebinding check's evil.example.com) passes unchanged, so
//     the server's own Origin check is what gets tested.
// --log FILE appends one line per exchange: method, path, JSON-RPC method,
// status (never the token). Stops on SIGTERM/SIGINT.
import http from 'node:http';
import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const opt = (name, def) => {
	const i = argv.indexOf(name);
	return i >= 0 && i + 1 < argv.length ? argv[i + 1] : def;
};
const target = new URL(opt('--target', ''));
const tokenFile = opt('--token-file');
const portFile = opt('--port-file');
const logFile = opt('--log');
const token = (tokenFile ? readFileSync(tokenFile, 'utf8') : process.env.MCP_BEARER_TOKEN ?? '').trim();
if (!token || !target.host) {
	console.error('usage: bearer-proxy.mjs --target URL --token-file FILE [--listen PORT] [--port-file FILE] [--log FILE]');
	process.exit(2);
}

let own = new Set();
const server = http.createServer((req, res) => {
	const headers = { ...req.headers };
	if (!headers.host || own.has(headers.host)) headers.host = target.host;
	if (headers.origin && own.has(headers.origin.replace(/^http:\/\//, ''))) headers.origin = target.origin;
	if (!headers.authorization) headers.authorization = `Bearer ${token}`;
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	const up = http.request({
		hostname: target.hostname,
		port: target.port || 80,
		method: req.method,
		path: req.url,
		headers,
	}, (ur) => {
		res.writeHead(ur.statusCode, ur.rawHeaders);
		ur.pipe(res);
		if (logFile) {
			let m = '';
			try { m = JSON.parse(Buffer.concat(chunks).toString('utf8')).method ?? ''; } catch { /* not JSON */ }
			appendFileSync(logFile, `${req.method} ${req.url} ${m} host=${req.headers.host ?? ''} origin=${req.headers.origin ?? ''} -> ${ur.statusCode}\n`);
		}
	});
	up.on('error', (e) => {
		if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
		res.end(`bearer-proxy: ${e.message}\n`);
	});
	req.pipe(up);
	res.on('close', () => up.destroy());
});
server.listen(Number(opt('--listen', '0')), '127.0.0.1', () => {
	const port = server.address().port;
	own = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
	if (portFile) {
		writeFileSync(`${portFile}.tmp`, `${port}\n`);
		renameSync(`${portFile}.tmp`, portFile);
	}
	console.log(`bearer-proxy 127.0.0.1:${port} -> ${target.origin}`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)).closeAllConnections?.());
