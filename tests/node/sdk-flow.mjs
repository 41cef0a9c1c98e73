#!/usr/bin/env node
// sdk-flow.mjs -- the whole flow as an MCP client does it with the official
// MCP TypeScript SDK (@modelcontextprotocol/sdk, pinned in package.json):
// Client + StreamableHTTPClientTransport with an OAuthClientProvider as the
// transport's authProvider, so that the SDK itself drives every step. Used by
// tests/integration/t84-sdk-frontends.t, once per front end.
//
//  1. connect to MCP_URL with no token: the initialize POST gets 401; the
//     transport runs the SDK's auth(): RFC 9728 protected-resource metadata
//     (from WWW-Authenticate resource_metadata), RFC 8414 AS metadata, RFC
//     7591 registration, PKCE S256, then provider.redirectToAuthorization():
//     a headless user (headless-user.mjs) walks the HTML login and consent
//     forms and stops at the redirect to the redirect_uri (never followed);
//     the transport then throws UnauthorizedError, as it does in a real app;
//  2. transport.finishAuth(code) (the SDK's code exchange with the verifier),
//     then a new Client + transport connect with the saved token;
//  3. tools/call search (--query) and tools/call fetch of the first result;
//  4. --expire-cmd runs (sh -c) with MCPGATE_ACCESS_SHA256 = the hex SHA-256
//     of the access token in the environment: the test makes that token
//     expire in the database;
//  5. tools/call search again: the server answers 401, the transport runs
//     auth() again, which refreshes with the saved refresh token (rotating:
//     the answer carries a new one, which the SDK saves) and retries the
//     call, which must then succeed. No new authorization may happen.
//
// Usage:
//   node sdk-flow.mjs MCP_URL USERNAME PASSWORD [--query Q] [--expire-cmd CMD]
//        [--redirect URI] [--reveal-secrets] [--timeout MS] [--verbose]
//
// Prints one JSON object: ok, errors, outcome ("refreshed" when every step
// ran), http (every request the SDK and the user agent made: who, method,
// URL, JSON-RPC method, grant_type, which token it carried -- "none",
// "access#0", "access#1", ... -- status, WWW-Authenticate), phases (the
// requests of each step), discovery, registration, callback, tokens (what
// the SDK saved, no values), search/fetch results (before and after the
// refresh), expire (the hook's status and output), authorizations (how often
// the user was sent to the authorization page). With --reveal-secrets also
// "secrets" (code, access and refresh tokens, client secret) so that the
// test can look them up by hash and look for them where they must not be.
// Exit 0 when the outcome is "refreshed", 1 otherwise, 2 on bad usage.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createUserAgent } from './headless-user.mjs';

const USAGE = 'usage: node sdk-flow.mjs MCP_URL USERNAME PASSWORD [--query Q] [--expire-cmd CMD]\n' +
  '       [--redirect URI] [--reveal-secrets] [--timeout MS] [--verbose]\n';
function parseArgs(argv) {
  const o = { positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`);
      return argv[++i];
    };
    switch (a) {
      case '--query': o.query = next(); break;
      case '--expire-cmd': o.expireCmd = next(); break;
      case '--redirect': o.redirect = next(); break;
      case '--reveal-secrets': o.revealSecrets = true; break;
      case '--timeout': o.timeout = Number(next()); break;
      case '--verbose': o.verbose = true; break;
      default:
        if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
        o.positional.push(a);
    }
  }
  if (o.positional.length !== 3) throw new Error('MCP_URL, USERNAME and PASSWORD are required');
  [o.url, o.user, o.password] = o.positional;
  o.query ??= 'backup';
  o.redirect ??= 'http://127.0.0.1:18199/callback';
  o.timeout ??= 60000;
  return o;
}
let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`sdk-flow: ${e.message}\n${USAGE}`);
  process.exit(2);
}

const sdkVersion = JSON.parse(readFileSync(new URL('./node_modules/@modelcontextprotocol/sdk/package.json', import.meta.url))).version;
const out = {
  ok: false, outcome: undefined, sdk: `@modelcontextprotocol/sdk@${sdkVersion}`, mcp_url: opts.url,
  query: opts.query, redirect_uri: opts.redirect, http: [], phases: {}, authorizations: 0, errors: [],
};
const secrets = { code: undefined, client_secret: undefined, access_tokens: [], refresh_tokens: [] };
const log = (...a) => { if (opts.verbose) console.error('[sdk-flow]', ...a); };
const sha256hex = (s) => createHash('sha256').update(s, 'utf8').digest('hex');

// Which of the tokens the SDK saved a request carried (never the value).
const accessSeen = [];
function bearerLabel(h) {
  const az = h.get('authorization');
  if (!az) return 'none';
  const m = /^Bearer\s+(.+)$/i.exec(az);
  if (!m) return az.split(' ')[0];
  const i = accessSeen.indexOf(m[1]);
  return i >= 0 ? `access#${i}` : 'unknown bearer';
}

let phase = 'start';
// entry.phase: the step during which the request was sent (set by the caller
// when the request started), else the current one
function record(entry) {
  entry.phase ??= phase;
  out.http.push(entry);
  (out.phases[phase] ??= []).push(out.http.length - 1);
  log(entry.by, entry.method, entry.url, entry.rpc_method ?? entry.grant_type ?? '', '->', entry.status);
}

// The SDK's fetch (the transport's MCP requests and, through the transport,
// auth()'s discovery, registration and token requests), traced.
async function sdkFetch(input, init = {}) {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const method = (init.method || 'GET').toUpperCase();
  const h = new Headers(init.headers ?? {});
  const entry = { by: 'sdk', phase, method, url: url.replace(/([?&]code_challenge=)[^&]*/, '$1(pkce)'), bearer: bearerLabel(h) };
  if (typeof init.body === 'string') {
    try {
      const j = JSON.parse(init.body);
      if (j && !Array.isArray(j) && j.jsonrpc) {
        entry.rpc_method = j.method;
        if (j.method === 'tools/call') entry.tool = j.params?.name;
      }
    } catch { /* not JSON */ }
  }
  if (init.body instanceof URLSearchParams) {
    entry.grant_type = init.body.get('grant_type') ?? undefined;
    entry.form_fields = [...init.body.keys()].sort();
    entry.resource = init.body.get('resource') ?? undefined;
    const rt = init.body.get('refresh_token');
    if (rt) entry.refresh_token = `refresh#${secrets.refresh_tokens.indexOf(rt)}`;
  }
  const res = await fetch(input, init);
  entry.status = res.status;
  entry.content_type = res.headers.get('content-type') ?? undefined;
  const wa = res.headers.get('www-authenticate');
  if (wa) entry.www_authenticate = wa;
  if (/\/register$/.test(new URL(url).pathname) && method === 'POST') {
    try {
      const j = await res.clone().json();
      out.registration = { status: res.status, client_id: j.client_id, token_endpoint_auth_method: j.token_endpoint_auth_method, has_client_secret: typeof j.client_secret === 'string' };
      if (typeof j.client_secret === 'string') secrets.client_secret = j.client_secret;
    } catch (e) { out.registration = { status: res.status, error: String(e) }; }
  }
  if (entry.grant_type) {
    try {
      const j = await res.clone().json();
      entry.response = { fields: Object.keys(j).sort(), token_type: j.token_type, expires_in: j.expires_in, scope: j.scope, error: j.error, cache_control: res.headers.get('cache-control') ?? undefined };
    } catch { /* checked by status */ }
  }
  record(entry);
  return res;
}

// ------------------------------------------------------------ the provider
class Provider {
  constructor() { this.callback = undefined; this.saved = []; this.invalidated = []; }
  get redirectUrl() { return opts.redirect; }
  get clientMetadata() {
    return {
      client_name: 'sdk-flow (mcpgate t84)',
      redirect_uris: [opts.redirect],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  state() { this._state = randomBytes(16).toString('base64url'); return this._state; }
  clientInformation() { return this._client; }
  saveClientInformation(ci) { this._client = ci; }
  tokens() { return this._tokens; }
  saveTokens(t) {
    this._tokens = t;
    if (t.access_token && !accessSeen.includes(t.access_token)) accessSeen.push(t.access_token);
    if (!secrets.access_tokens.includes(t.access_token)) secrets.access_tokens.push(t.access_token);
    if (t.refresh_token && !secrets.refresh_tokens.includes(t.refresh_token)) secrets.refresh_tokens.push(t.refresh_token);
    this.saved.push({
      phase, token_type: t.token_type, expires_in: t.expires_in, scope: t.scope,
      access: `access#${accessSeen.indexOf(t.access_token)}`,
      refresh: t.refresh_token ? `refresh#${secrets.refresh_tokens.indexOf(t.refresh_token)}` : null,
    });
  }
  saveCodeVerifier(v) { this._verifier = v; }
  codeVerifier() { if (!this._verifier) throw new Error('no code verifier saved'); return this._verifier; }
  invalidateCredentials(scope) {
    this.invalidated.push({ phase, scope });
    if (scope === 'all' || scope === 'client') this._client = undefined;
    if (scope === 'all' || scope === 'tokens') this._tokens = undefined;
    if (scope === 'all' || scope === 'verifier') this._verifier = undefined;
  }
  saveDiscoveryState(s) {
    const m = s.authorizationServerMetadata;
    out.discovery = {
      resource_metadata_url: s.resourceMetadataUrl,
      resource: s.resourceMetadata?.resource,
      authorization_servers: s.resourceMetadata?.authorization_servers,
      authorization_server: s.authorizationServerUrl,
      issuer: m?.issuer,
      authorization_endpoint: m?.authorization_endpoint,
      token_endpoint: m?.token_endpoint,
      registration_endpoint: m?.registration_endpoint,
    };
  }
  async redirectToAuthorization(authorizationUrl) {
    out.authorizations++;
    const u = new URL(authorizationUrl);
    const p = u.searchParams;
    out.authorization_request = {
      endpoint: u.origin + u.pathname,
      client_id: p.get('client_id'), resource: p.get('resource'), scope: p.get('scope'),
      code_challenge_method: p.get('code_challenge_method'),
      challenge_is_s256_of_verifier: !!this._verifier && p.get('code_challenge') === createHash('sha256').update(this._verifier).digest('base64url'),
      state_from_provider: !!this._state && p.get('state') === this._state,
    };
    const ua = createUserAgent({
      user: opts.user, password: opts.password, redirect: opts.redirect, userAgent: 'mcpgate-t84-headless-user/1.0',
      record: (e) => record({ ...e, url: e.url.replace(/([?&]code_challenge=)[^&]*/, '$1(pkce)') }),
    });
    try {
      this.callback = await ua.actAsUser(u);
    } finally {
      out.pages = ua.pages.map((pg) => ({ method: pg.method, url: pg.url, status: pg.status, kind: pg.kind, title: pg.title, body: pg.body }));
    }
  }
}

const oneLine = (e) => String(e?.message ?? e).replace(/\s+/g, ' ').slice(0, 600);
// tools/call result → the JSON in its one text item (OA-02, OA-04)
function toolJson(r) {
  const c = r?.content;
  const s = { is_error: r?.isError === true, content_types: Array.isArray(c) ? c.map((x) => x.type) : null };
  try { s.json = JSON.parse(c[0].text); } catch { s.json = null; }
  return s;
}

const provider = new Provider();
async function main() {
  const url = new URL(opts.url);
  const mk = () => new StreamableHTTPClientTransport(url, { authProvider: provider, fetch: sdkFetch });
  const info = { name: 'mcpgate-t84-sdk-flow', version: '1.0.0' };

  // 1. no token: 401, then the SDK's auth() up to the user's redirect
  phase = 'connect without token';
  let transport = mk();
  let client = new Client(info, { capabilities: {} });
  try {
    await client.connect(transport);
    out.errors.push('connect without a token succeeded: no 401 from the MCP endpoint');
    return;
  } catch (e) {
    out.first_connect_error = { class: e?.constructor?.name, unauthorized: e instanceof UnauthorizedError, message: oneLine(e) };
    if (!(e instanceof UnauthorizedError)) throw e;
  }
  const cb = provider.callback?.callback;
  if (!cb) throw new Error(`no redirect to the redirect_uri was captured${provider.callback?.loginRejected ? ' (login rejected)' : ''}`);
  out.callback = { status: cb.status, params: cb.params, has_code: !!cb.code, state_matches: cb.state === provider._state, iss: cb.iss, error: cb.error };
  if (!cb.code) throw new Error(`authorization ended without a code: ${cb.error} ${cb.error_description ?? ''}`);
  if (cb.state !== provider._state) throw new Error('state in the redirect differs from the one sent');
  secrets.code = cb.code;

  // 2. the SDK's code exchange, then connect with the token
  phase = 'code exchange';
  await transport.finishAuth(cb.code);
  await transport.close().catch(() => {});
  phase = 'connect with token';
  transport = mk();
  client = new Client(info, { capabilities: {} });
  await client.connect(transport);
  out.protocol_version = transport.protocolVersion ?? null;
  out.server = client.getServerVersion() ?? null;

  // 3. search and fetch
  phase = 'search';
  out.search = toolJson(await client.callTool({ name: 'search', arguments: { query: opts.query } }));
  const id = out.search.json?.results?.[0]?.id;
  if (typeof id !== 'string') throw new Error('search gave no result id to fetch');
  phase = 'fetch';
  out.fetch = { id, ...toolJson(await client.callTool({ name: 'fetch', arguments: { id } })) };

  // 4. the access token expires (the test does it in the database)
  phase = 'expire';
  if (opts.expireCmd) {
    const r = spawnSync('/bin/sh', ['-c', opts.expireCmd], {
      env: { ...process.env, MCPGATE_ACCESS_SHA256: sha256hex(provider.tokens().access_token) },
      encoding: 'utf8', timeout: 30000,
    });
    out.expire = { status: r.status, stdout: (r.stdout ?? '').trim(), stderr: (r.stderr ?? '').trim().slice(0, 500) };
    if (r.status !== 0) throw new Error(`--expire-cmd failed with status ${r.status}: ${out.expire.stderr}`);
  }

  // 5. the next call: 401, the SDK refreshes by itself and retries
  phase = 'search after expiry';
  const a0 = out.authorizations;
  out.search_after = toolJson(await client.callTool({ name: 'search', arguments: { query: opts.query } }));
  out.authorizations_during_refresh = out.authorizations - a0;
  await client.close().catch(() => {});
  if (out.authorizations_during_refresh !== 0) throw new Error('the SDK sent the user to the authorization page again instead of refreshing');
  const refreshed = out.http.filter((e) => e.phase === phase && e.grant_type === 'refresh_token' && e.status === 200);
  if (refreshed.length !== 1 || provider.saved.at(-1)?.phase !== phase) throw new Error(`expected one refresh and new tokens saved, saw ${refreshed.length} refresh(es)`);
  out.outcome = 'refreshed';
}

function finish() {
  clearTimeout(timer);
  if (!out.outcome) out.outcome = 'error';
  out.ok = out.outcome === 'refreshed' && out.errors.length === 0;
  out.tokens = provider.saved;
  out.invalidated = provider.invalidated;
  if (opts.revealSecrets) out.secrets = secrets;
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  process.exitCode = out.ok ? 0 : 1;
}
const timer = setTimeout(() => { out.errors.push(`timeout after ${opts.timeout} ms (phase ${phase})`); finish(); process.exit(1); }, opts.timeout);
main().then(finish, (e) => {
  out.errors.push(`${phase}: ${oneLine(e)}`);
  if (e?.page) out.failed_page = e.page;
  if (opts.verbose) console.error(e?.stack || e);
  finish();
});
