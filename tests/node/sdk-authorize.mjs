#!/usr/bin/env node
// sdk-authorize.mjs -- the official MCP TypeScript SDK client
// (@modelcontextprotocol/sdk, pinned in package.json) authorizing itself
// against an MCP server's OAuth 2.1 authorization server: discovery,
// registration, the user's pages, the code, the SDK's own token exchange
// and then the SDK's own refresh. Used by tests/integration/t80-sdk-client.t.
//
// The OAuth work is the SDK's own auth() (client/auth.js), run with an
// OAuthClientProvider implemented here: RFC 9728 protected-resource
// metadata, RFC 8414 authorization-server metadata, RFC 7591 dynamic client
// registration (with the requested token_endpoint_auth_method), PKCE S256,
// state, scope and the RFC 8707 resource parameter. When auth() needs the
// user it calls provider.redirectToAuthorization(url); there a headless
// user agent (headless-user.mjs) does what a person with a browser would:
// GET the URL, keep cookies, fill in the login form, press Approve (or
// Deny) on the consent form, and stop at the redirect to the redirect_uri,
// which is never followed: code, state, iss and error are read from its
// Location header.
//
// Then, as an MCP client does after the redirect (the transport's
// finishAuth), auth() is called again with the code: the SDK posts it to the
// token endpoint with the PKCE verifier, the redirect_uri and the resource,
// authenticating with the method the registration answer echoed
// (selectClientAuthMethod prefers it), and saves the tokens. Then the
// refresh, N times (--refreshes, default 1): the saved tokens are marked
// expired and auth() is called once more, which is what the SDK's transport
// does when the MCP endpoint answers 401. (mcpgate has no MCP endpoint yet:
// /mcp answers 404, so a real "401 from an MCP call, then refresh" cannot be
// driven; calling auth() with saved tokens runs the same code path:
// authInternal -> refreshAuthorization -> saveTokens. The SDK 1.32.2 auth()
// refreshes whenever it holds a refresh token; the expiry mark is only
// what a real provider would store.) Each refresh must rotate: the token
// response carries a new refresh token and the SDK saves it (SPEC RT-03,
// RT-07: the SDK keeps the old one when the response has none).
//
// Usage:
//   node sdk-authorize.mjs MCP_URL USERNAME PASSWORD [AUTH_METHOD] [options]
//   node sdk-authorize.mjs --url MCP_URL --user U --password P --auth-method M
// Options:
//   --auth-method M     token_endpoint_auth_method to register: none (default),
//                       client_secret_post, client_secret_basic
//   --deny              log in, then press the consent form's Deny button;
//                       success means a redirect with error=access_denied
//   --wrong-password    submit the password with "-wrong" appended; success
//                       means the login form comes back (no redirect, no code)
//   --code-only         stop at the authorization code (no token request)
//   --refreshes N       refreshes after the exchange (default 1; 0: none)
//   --redirect URI      redirect_uri to register and use
//                       (default http://127.0.0.1:18199/callback)
//   --scope S           scope for the client metadata (the SDK prefers the
//                       PRM's scopes_supported)
//   --client-name N     client_name to register
//   --client-id ID [--client-secret S]
//                       use this already registered client: no registration
//                       (e.g. to see a remembered consent skip the consent page)
//   --reveal-secrets    add "secrets" to the report: the client secret and
//                       every token received (for a test that then looks for
//                       them where they must not be); otherwise the report
//                       names no token or secret
//   --timeout MS        give up after MS milliseconds (default 30000)
//   --verbose           log each HTTP exchange to stderr
//
// Prints one JSON object on stdout:
//   ok, expected ("refreshed" | "tokens" | "code" | "denied" |
//   "login_rejected"), outcome (the same words, or "error"), discovery,
//   registration (the response's fields, the secret's value replaced by
//   client_secret_present), sdk_client (what the SDK stored),
//   authorization_request (the URL's parameters as the SDK built them, pkce
//   check), pages (each hop of the user agent), http (every request with its
//   status, SDK's and user agent's), statuses, callback (code, state, iss,
//   error, error_description, state_matches, iss_matches), login_status (the
//   status of the answer to the login POST), token_exchange and refreshes
//   (each: auth()'s result, the token requests the SDK made and their
//   answers, what the SDK saved, rotation checks), errors.
// Exit status: 0 when the outcome is the expected one, 1 otherwise, 2 on
// bad usage.

import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { createHash, randomBytes } from 'node:crypto';
import { createUserAgent } from './headless-user.mjs';

// ------------------------------------------------------------- arguments
const USAGE = 'usage: node sdk-authorize.mjs MCP_URL USERNAME PASSWORD [none|client_secret_post|client_secret_basic]\n' +
  '       [--deny] [--wrong-password] [--code-only] [--refreshes N] [--redirect URI] [--scope S]\n' +
  '       [--client-name N] [--client-id ID [--client-secret S]] [--reveal-secrets] [--timeout MS] [--verbose]\n';

function parseArgs(argv) {
  const o = { positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`);
      return argv[++i];
    };
    switch (a) {
      case '--url': o.url = next(); break;
      case '--user': case '--username': o.user = next(); break;
      case '--password': o.password = next(); break;
      case '--auth-method': o.authMethod = next(); break;
      case '--deny': o.deny = true; break;
      case '--wrong-password': o.wrongPassword = true; break;
      case '--code-only': o.codeOnly = true; break;
      case '--refreshes': o.refreshes = Number(next()); break;
      case '--redirect': o.redirect = next(); break;
      case '--scope': o.scope = next(); break;
      case '--client-name': o.clientName = next(); break;
      case '--client-id': o.clientId = next(); break;
      case '--client-secret': o.clientSecret = next(); break;
      case '--reveal-secrets': o.revealSecrets = true; break;
      case '--timeout': o.timeout = Number(next()); break;
      case '--verbose': o.verbose = true; break;
      case '-h': case '--help': o.help = true; break;
      default:
        if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
        o.positional.push(a);
    }
  }
  const [pUrl, pUser, pPass, pMethod, ...rest] = o.positional;
  if (rest.length) throw new Error(`too many arguments: ${rest.join(' ')}`);
  o.url ??= pUrl;
  o.user ??= pUser;
  o.password ??= pPass;
  o.authMethod ??= pMethod ?? 'none';
  o.redirect ??= 'http://127.0.0.1:18199/callback';
  o.clientName ??= 'sdk-authorize (mcpgate t80)';
  o.timeout ??= 30000;
  o.refreshes ??= 1;
  if (!['none', 'client_secret_post', 'client_secret_basic'].includes(o.authMethod)) {
    throw new Error(`unknown auth method ${o.authMethod}`);
  }
  if (!Number.isInteger(o.refreshes) || o.refreshes < 0 || o.refreshes > 10) throw new Error('--refreshes takes 0..10');
  if (o.deny && o.wrongPassword) throw new Error('--deny and --wrong-password exclude each other');
  if (o.clientSecret !== undefined && !o.clientId) throw new Error('--client-secret needs --client-id');
  if (!o.help && (!o.url || o.user === undefined || o.password === undefined)) throw new Error('MCP_URL, USERNAME and PASSWORD are required');
  return o;
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`sdk-authorize: ${e.message}\n${USAGE}`);
  process.exit(2);
}
if (opts.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const expected = opts.deny ? 'denied' : opts.wrongPassword ? 'login_rejected'
  : opts.codeOnly ? 'code' : opts.refreshes > 0 ? 'refreshed' : 'tokens';
const password = opts.wrongPassword ? `${opts.password}-wrong` : opts.password;
const out = {
  ok: false,
  expected,
  outcome: undefined,
  mcp_url: opts.url,
  auth_method: opts.authMethod,
  redirect_uri: opts.redirect,
  discovery: undefined,
  registration: undefined,
  sdk_client: undefined,
  authorization_request: undefined,
  pages: [],
  http: [],
  statuses: [],
  callback: undefined,
  login_status: undefined,
  token_exchange: undefined,
  refreshes: [],
  errors: [],
};
// the secrets, reported only with --reveal-secrets
const secrets = { client_secret: undefined, tokens: [] };
const log = (...a) => { if (opts.verbose) console.error('[sdk-authorize]', ...a); };
const redact = (u) => {
  // a URL for the report: the authorization code and the PKCE challenge are
  // reported separately; nothing else in our URLs is a secret
  try {
    const x = new URL(u);
    if (x.searchParams.has('code_challenge')) x.searchParams.set('code_challenge', '(pkce)');
    return x.href;
  } catch { return String(u); }
};
function record(entry) {
  out.http.push(entry);
  out.statuses.push(entry.status);
  log(entry.by, entry.method, entry.url, '->', entry.status, entry.location ? `Location: ${entry.location}` : '');
}

// -------------------------------------------------- the SDK's fetch, traced
// Every request auth() makes (metadata, registration, token) goes through
// here, so the report shows exactly what the SDK did and what it got.
let registrationEndpoint, tokenEndpoint;
const sameEndpoint = (a, b) => {
  const x = new URL(a), y = new URL(b);
  return x.origin === y.origin && x.pathname === y.pathname;
};
// Each token request: its report entry, and the raw answer (kept here, not
// in the report) to compare with what the SDK saved.
const tokenCalls = [];

async function sdkFetch(input, init = {}) {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const method = (init.method || 'GET').toUpperCase();
  const entry = { by: 'sdk', method, url: redact(url) };
  const res = await fetch(input, init);
  entry.status = res.status;
  entry.content_type = res.headers.get('content-type') ?? undefined;
  const loc = res.headers.get('location');
  if (loc) entry.location = loc;
  record(entry);
  if (method === 'POST' && typeof init.body === 'string' && registrationEndpoint && sameEndpoint(url, registrationEndpoint)) {
    await noteRegistration(init.body, res);
  }
  if (method === 'POST' && init.body instanceof URLSearchParams) {
    const p = Object.fromEntries(init.body);
    for (const k of ['code', 'code_verifier', 'refresh_token', 'client_secret']) if (p[k]) p[k] = '(redacted)';
    entry.form = p;
    if (init.headers) {
      const h = new Headers(init.headers);
      const az = h.get('authorization');
      if (az) {
        entry.authorization_scheme = az.split(' ')[0];
        if (/^basic$/i.test(entry.authorization_scheme)) {
          // the client_id half is not a secret: report it
          const dec = Buffer.from(az.slice(6).trim(), 'base64').toString('utf8');
          entry.basic_client_id = dec.slice(0, Math.max(0, dec.indexOf(':')));
          entry.basic_has_secret = dec.indexOf(':') >= 0 && dec.length > dec.indexOf(':') + 1;
        }
      }
    }
    if (tokenEndpoint && sameEndpoint(url, tokenEndpoint)) await noteTokenResponse(entry, res);
  }
  return res;
}

// The SDK's registration schema strips unknown fields and accepts any 2xx:
// keep the raw answer (a clone) to check status, type and fields.
async function noteRegistration(body, res) {
  const r = { status: res.status, content_type: res.headers.get('content-type') ?? undefined, cache_control: res.headers.get('cache-control') ?? undefined };
  try { r.request = JSON.parse(body); } catch { r.request = body; }
  let text = '';
  try { text = await res.clone().text(); } catch (e) { r.read_error = String(e); }
  let j;
  try { j = JSON.parse(text); } catch { r.body_not_json = text.slice(0, 500); }
  if (j && typeof j === 'object') {
    r.fields = Object.keys(j).sort();
    r.client_secret_present = typeof j.client_secret === 'string' && j.client_secret.length > 0;
    r.client_secret_length = typeof j.client_secret === 'string' ? j.client_secret.length : undefined;
    for (const k of Object.keys(j)) if (k !== 'client_secret' && k !== 'registration_access_token') r[k] = j[k];
    if ('client_secret' in j && !r.client_secret_present) r.client_secret_value_type = typeof j.client_secret;
    if ('registration_access_token' in j) r.registration_access_token_present = true;
  }
  out.registration = r;
}

// The token endpoint's answer as it came (the SDK's schema parse hides
// extra or missing fields): headers, field names, non-secret values.
async function noteTokenResponse(entry, res) {
  const r = {
    status: res.status,
    content_type: res.headers.get('content-type') ?? undefined,
    cache_control: res.headers.get('cache-control') ?? undefined,
    www_authenticate: res.headers.get('www-authenticate') ?? undefined,
  };
  let raw;
  try { raw = JSON.parse(await res.clone().text()); } catch (e) { r.body_not_json = String(e); }
  if (raw && typeof raw === 'object') {
    r.fields = Object.keys(raw).sort();
    for (const k of ['token_type', 'expires_in', 'scope', 'error', 'error_description']) if (k in raw) r[k] = raw[k];
    r.has_access_token = typeof raw.access_token === 'string' && raw.access_token.length > 0;
    r.has_refresh_token = typeof raw.refresh_token === 'string' && raw.refresh_token.length > 0;
  }
  entry.response = r;
  entry.grant_type = entry.form?.grant_type;
  tokenCalls.push({ entry, raw });
}

// ------------------------------------------------------- OAuth client provider
// In memory, for one run, as a real client keeps it between runs.
// redirectToAuthorization is where the "browser" goes to the authorization
// server; after the first authorization it only records the call (a refresh
// that falls back to a new authorization has failed).
class HeadlessProvider {
  constructor() {
    this.result = undefined;
    this.redirects = 0;
    this.walkOnRedirect = true;
    this.invalidated = [];
    this.saved = [];
    if (opts.clientId) {
      // known to the AS already: auth() skips registration
      this._client = { client_id: opts.clientId, token_endpoint_auth_method: opts.authMethod, ...(opts.clientSecret !== undefined ? { client_secret: opts.clientSecret } : {}) };
      out.sdk_client = { client_id: opts.clientId, has_secret: opts.clientSecret !== undefined, token_endpoint_auth_method: opts.authMethod, preregistered: true };
    }
  }
  get redirectUrl() { return opts.redirect; }
  get clientMetadata() {
    const m = {
      client_name: opts.clientName,
      redirect_uris: [opts.redirect],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: opts.authMethod,
    };
    if (opts.scope) m.scope = opts.scope;
    return m;
  }
  state() { this._state = randomBytes(16).toString('base64url'); return this._state; }
  clientInformation() { return this._client; }
  saveClientInformation(ci) {
    this._client = ci;
    if (typeof ci.client_secret === 'string') secrets.client_secret = ci.client_secret;
    out.sdk_client = { client_id: ci.client_id, has_secret: typeof ci.client_secret === 'string', token_endpoint_auth_method: ci.token_endpoint_auth_method, issuer: ci.issuer, ...(opts.clientId ? { preregistered: true } : {}) };
  }
  tokens() { return this._tokens; }
  saveTokens(t) {
    this._tokens = t;
    this.saved.push(t);
  }
  // What a provider records when the access token has expired; the SDK
  // 1.32.2 auth() does not look at it (see the header).
  markExpired() {
    if (this._tokens) this._tokens = { ...this._tokens, expires_in: 0 };
  }
  invalidateCredentials(scope) {
    this.invalidated.push(scope);
    if (scope === 'all' || scope === 'client') this._client = undefined;
    if (scope === 'all' || scope === 'tokens') this._tokens = undefined;
    if (scope === 'all' || scope === 'verifier') this._verifier = undefined;
  }
  saveCodeVerifier(v) { this._verifier = v; }
  codeVerifier() { if (!this._verifier) throw new Error('no code verifier saved'); return this._verifier; }
  saveDiscoveryState(s) {
    const m = s.authorizationServerMetadata;
    registrationEndpoint = m?.registration_endpoint;
    tokenEndpoint = m?.token_endpoint;
    out.discovery = {
      resource: s.resourceMetadata?.resource,
      authorization_servers: s.resourceMetadata?.authorization_servers,
      prm_scopes_supported: s.resourceMetadata?.scopes_supported,
      authorization_server: s.authorizationServerUrl,
      issuer: m?.issuer,
      authorization_endpoint: m?.authorization_endpoint,
      token_endpoint: m?.token_endpoint,
      registration_endpoint: m?.registration_endpoint,
      revocation_endpoint: m?.revocation_endpoint,
      code_challenge_methods_supported: m?.code_challenge_methods_supported,
      token_endpoint_auth_methods_supported: m?.token_endpoint_auth_methods_supported,
      grant_types_supported: m?.grant_types_supported,
      authorization_response_iss_parameter_supported: m?.authorization_response_iss_parameter_supported,
    };
  }
  discoveryState() { return undefined; }
  async redirectToAuthorization(authorizationUrl) {
    this.redirects++;
    if (!this.walkOnRedirect) return; // recorded by the caller's step
    const u = new URL(authorizationUrl);
    const p = Object.fromEntries(u.searchParams);
    const challenge = p.code_challenge;
    const expectChallenge = this._verifier ? createHash('sha256').update(this._verifier).digest('base64url') : undefined;
    out.authorization_request = {
      endpoint: u.origin + u.pathname,
      params: { ...p, code_challenge: challenge ? `(${challenge.length} chars)` : undefined },
      param_names: [...u.searchParams.keys()],
      pkce: { method: p.code_challenge_method, challenge_length: challenge?.length, challenge_is_s256_of_verifier: !!challenge && challenge === expectChallenge },
      state_from_provider: p.state === this._state,
    };
    const ua = createUserAgent({
      user: opts.user, password, redirect: opts.redirect, deny: opts.deny, record, redact,
      userAgent: 'mcpgate-t80-headless-user/1.0',
      onLoginAnswer: (st) => { out.login_status = st; },
    });
    out.pages = ua.pages;
    this.result = await ua.actAsUser(u);
  }
}

// ------------------------------------------------------------- SDK steps
const summary = (t) => (t ? {
  token_type: t.token_type, expires_in: t.expires_in, scope: t.scope, issuer: t.issuer,
  has_access_token: typeof t.access_token === 'string' && t.access_token.length > 0,
  has_refresh_token: typeof t.refresh_token === 'string' && t.refresh_token.length > 0,
} : undefined);

// One auth() call, with what it did at the token endpoint and what it saved.
async function sdkStep(provider, name, run) {
  const calls0 = tokenCalls.length, redirects0 = provider.redirects, inval0 = provider.invalidated.length, saved0 = provider.saved.length;
  const before = provider.tokens();
  const step = { name };
  try {
    step.result = await run();
  } catch (e) {
    step.error = String(e?.message || e);
    step.error_class = e?.constructor?.name;
  }
  const calls = tokenCalls.slice(calls0);
  step.token_requests = calls.map((c) => ({
    grant_type: c.entry.grant_type, status: c.entry.status, form: c.entry.form,
    authorization_scheme: c.entry.authorization_scheme, basic_client_id: c.entry.basic_client_id,
    basic_has_secret: c.entry.basic_has_secret, response: c.entry.response,
  }));
  step.authorization_redirects = provider.redirects - redirects0;
  step.invalidated = provider.invalidated.slice(inval0);
  step.saves = provider.saved.length - saved0;
  const after = provider.tokens();
  step.saved = summary(after);
  const last = calls.at(-1)?.raw;
  // the SDK saved exactly what the token endpoint answered (RT-07: it keeps
  // the old refresh token when the answer has none, so compare with the answer)
  step.saved_equals_response = !!(last && after && after.access_token === last.access_token && after.refresh_token === last.refresh_token);
  if (before?.access_token) {
    step.previous = summary(before);
    step.new_access_token = !!after?.access_token && after.access_token !== before.access_token;
    step.rotated = !!after?.refresh_token && after.refresh_token !== before.refresh_token;
    step.response_had_refresh_token = !!(last && typeof last.refresh_token === 'string' && last.refresh_token.length > 0);
    step.response_refresh_token_is_new = !!(last && last.refresh_token && last.refresh_token !== before.refresh_token);
  }
  if (after) secrets.tokens.push({ step: name, access_token: after.access_token, refresh_token: after.refresh_token });
  return step;
}

function stepProblems(step, grant) {
  const p = [];
  if (step.error) p.push(`auth() threw ${step.error_class ?? ''}: ${step.error}`);
  if (step.result !== 'AUTHORIZED') p.push(`auth() returned ${step.result}, expected AUTHORIZED`);
  const reqs = step.token_requests.filter((r) => r.grant_type === grant);
  if (reqs.length !== 1) p.push(`${reqs.length} token requests with grant_type=${grant}, expected 1`);
  else if (reqs[0].status !== 200) p.push(`the token endpoint answered ${reqs[0].status} to grant_type=${grant}: ${reqs[0].response?.error ?? ''} ${reqs[0].response?.error_description ?? ''}`.trim());
  if (step.authorization_redirects) p.push('auth() started a new authorization (redirectToAuthorization)');
  if (step.invalidated.length) p.push(`auth() invalidated credentials: ${step.invalidated.join(', ')}`);
  if (!step.saved?.has_access_token) p.push('the SDK saved no access token');
  if (!step.saved_equals_response) p.push('the SDK did not save the token response it got');
  if (grant === 'refresh_token') {
    if (!step.response_had_refresh_token) p.push('the refresh answer has no refresh_token (no rotation, RT-03/RT-07)');
    else if (!step.response_refresh_token_is_new) p.push('the refresh answer repeats the old refresh token (no rotation)');
    if (!step.rotated) p.push('the SDK did not save a new refresh token');
    if (!step.new_access_token) p.push('no new access token after the refresh');
  } else if (!step.saved?.has_refresh_token) p.push('no refresh token with the code exchange');
  return p;
}

// ------------------------------------------------------------------ main
async function main() {
  const provider = new HeadlessProvider();
  const serverUrl = new URL(opts.url);
  // 1. discovery, registration, PKCE, authorization request: the SDK
  const r = await auth(provider, { serverUrl, fetchFn: sdkFetch });
  out.auth_result = r;
  if (r !== 'REDIRECT') throw new Error(`auth() returned ${r}, expected REDIRECT (an authorization was needed)`);
  const res = provider.result;
  if (!res) throw new Error('auth() returned REDIRECT but the user agent came back with nothing');
  if (res.loginRejected) {
    out.outcome = 'login_rejected';
    out.login_rejected = res.loginRejected;
    return;
  }
  const cb = res.callback;
  const issuer = out.discovery?.issuer;
  out.callback = { ...cb, state_sent: provider._state, state_matches: cb.state === provider._state, iss_expected: issuer, iss_matches: issuer !== undefined && cb.iss === issuer };
  if (cb.error) {
    out.outcome = cb.error === 'access_denied' ? 'denied' : 'error';
    if (out.outcome === 'error') out.errors.push(`authorization error: ${cb.error} ${cb.error_description ?? ''}`.trim());
    return;
  }
  if (!cb.code) {
    out.outcome = 'error';
    out.errors.push('redirect to the redirect_uri has neither code nor error');
    return;
  }
  out.outcome = 'code';
  if (opts.codeOnly) {
    out.token_exchange = { attempted: false, note: 'stopped at the authorization code (--code-only)' };
    return;
  }
  // From here on a call to redirectToAuthorization means a step failed.
  provider.walkOnRedirect = false;

  // 2. the code for tokens: auth() with the code, as the transport's finishAuth does
  const ex = await sdkStep(provider, 'exchange', () => auth(provider, { serverUrl, authorizationCode: cb.code, fetchFn: sdkFetch }));
  out.token_exchange = ex;
  const exProblems = stepProblems(ex, 'authorization_code');
  if (exProblems.length) {
    out.errors.push(...exProblems.map((p) => `exchange: ${p}`));
    return;
  }
  out.outcome = 'tokens';

  // 3. refreshes through auth(), as after a 401 from the MCP endpoint
  for (let i = 1; i <= opts.refreshes; i++) {
    provider.markExpired();
    const st = await sdkStep(provider, `refresh ${i}`, () => auth(provider, { serverUrl, fetchFn: sdkFetch }));
    out.refreshes.push(st);
    const p = stepProblems(st, 'refresh_token');
    if (p.length) {
      out.errors.push(...p.map((x) => `refresh ${i}: ${x}`));
      return;
    }
  }
  if (opts.refreshes > 0) out.outcome = 'refreshed';
}

function finish() {
  clearTimeout(timer);
  if (!out.outcome) out.outcome = 'error';
  out.ok = out.outcome === expected;
  if (!out.ok && out.outcome === 'login_rejected') out.errors.push('the login form came back after the password was submitted (credentials rejected?)');
  if (!out.ok) out.errors.push(`outcome ${out.outcome}, expected ${expected}`);
  if (out.callback && (out.callback.code || out.callback.error === 'access_denied')) {
    // state (OAuth 2.1 4.1.2, 4.1.2.1) and iss (RFC 9207, when advertised)
    // must come back in success and error redirects alike
    if (!out.callback.state_matches) { out.ok = false; out.errors.push('state in the redirect differs from the one sent'); }
    if (!out.callback.iss_matches) { out.ok = false; out.errors.push('iss in the redirect differs from the metadata issuer'); }
  }
  if (opts.revealSecrets) out.secrets = secrets;
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  process.exitCode = out.ok ? 0 : 1;
}
const timer = setTimeout(() => { out.errors.push(`timeout after ${opts.timeout} ms`); finish(); process.exit(1); }, opts.timeout);
main().then(finish, (e) => {
  out.errors.push(String(e?.message || e));
  if (e?.page) out.failed_page = e.page;
  if (opts.verbose) console.error(e?.stack || e);
  finish();
});
