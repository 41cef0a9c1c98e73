#!/usr/bin/env node
// o4w-client.mjs -- a strict, independent OAuth 2.1 client against mcpgate,
// built on oauth4webapi (pinned in package.json; panva's library validates
// what it receives and refuses what the specs forbid). Used by
// tests/integration/t82-oauth4webapi.t, which makes the assertions: this
// script drives the client and reports, per step, what it sent, what came
// back and whether oauth4webapi accepted it ("o4w": "accepted", or the
// error it raised).
//
// Steps (keys of "steps" in the report):
//   prm          RFC 9728: resourceDiscoveryRequest / processResourceDiscoveryResponse
//                (the metadata's resource must be the MCP URL we started from)
//   as           RFC 8414: discoveryRequest(issuer from the PRM, algorithm oauth2) /
//                processDiscoveryResponse (issuer must match), plus the raw issuer string
//   dcr          RFC 7591: dynamicClientRegistrationRequest / ...Response (201, JSON, client_id)
//   authorize    PKCE S256 + state + scope + resource; the pages walked by the
//                headless user (headless-user.mjs, the same one the SDK test uses:
//                cookie jar, login form, consent form); validateAuthResponse
//                (state; iss required and compared, RFC 9207, since advertised);
//                and, as a self-check, that the same response with iss altered
//                or removed is refused by the client
//   token        authorization_code grant (redirect_uri, verifier, resource) with the
//                registered client authentication; processAuthorizationCodeResponse
//   refresh      refresh_token grant: a new pair (rotation)
//   replay       the old refresh token again, at once:
//                  --refresh-grace > 0: inside the grace window, the same new pair
//                  --refresh-grace 0:   refused (invalid_grant), and then the new
//                                       refresh token is refused too (family revoked)
//   refresh2     (grace > 0) the chain goes on from the new refresh token
//   revoke       RFC 7009 (revocationRequest / processRevocationResponse): the access
//                token, then the refresh token (200 each), an unknown token (200), and
//                the revoked refresh token no longer refreshes. When the main chain
//                is already dead (grace 0), on a fresh authorization's tokens.
// With --negative, the attacks the AS must refuse:
//   code_replay  a second exchange of a redeemed code (invalid_grant); then the first
//                exchange's refresh token: still good inside --code-duplicate-window
//                (> 0), revoked with the family when the window is 0
//   wrong_verifier  a random code_verifier (invalid_grant); then the right one still
//                redeems the code (the failed try consumed nothing)
//   no_pkce      an authorization request without code_challenge: an error redirect
//                with state and iss (validateAuthResponse checks both, then raises the error)
//   bad_redirect an unregistered redirect_uri (another host; another path on the
//                registered host): an error page, no redirect at all
//   wrong_secret (secret methods) a token request with a wrong secret, Basic and in the
//                body: 401 invalid_client (with WWW-Authenticate: Basic for Basic); the
//                revocation endpoint alike; then the right secret redeems the code
//
// Usage:
//   node o4w-client.mjs --resource MCP_URL --user U --password P [options]
// Options:
//   --auth-method M            none (default), client_secret_post, client_secret_basic
//   --redirect URI             default http://127.0.0.1:18199/callback (nothing listens)
//   --refresh-grace N          the server's refresh_grace in seconds (default 60)
//   --code-duplicate-window N  the server's code_duplicate_window (default 10)
//   --negative                 run the attack cases too
//   --reveal-secrets           add "secrets" (client secret, codes, every token) to
//                              the report, for a test that looks for them where they
//                              must not be
//   --timeout MS               default 60000
//   --verbose                  each HTTP exchange on stderr
// http:// URLs are allowed (allowInsecureRequests) for loopback hosts only.
// Prints one JSON object: ok (the flow ran to its end without an unexpected
// error), steps, http (every exchange: method, path, status, grant_type,
// client authentication used, response headers and non-secret fields),
// errors. Exit 0 when ok, 1 otherwise, 2 on bad usage.
import * as o from 'oauth4webapi';
import { createUserAgent } from './headless-user.mjs';

// ------------------------------------------------------------- arguments
const USAGE = 'usage: node o4w-client.mjs --resource MCP_URL --user U --password P\n' +
  '       [--auth-method none|client_secret_post|client_secret_basic] [--redirect URI]\n' +
  '       [--refresh-grace N] [--code-duplicate-window N] [--negative] [--reveal-secrets] [--timeout MS] [--verbose]\n';
const opt = {};
try {
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => { if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`); return argv[++i]; };
    switch (a) {
      case '--resource': opt.resource = v(); break;
      case '--user': opt.user = v(); break;
      case '--password': opt.password = v(); break;
      case '--auth-method': opt.authMethod = v(); break;
      case '--redirect': opt.redirect = v(); break;
      case '--refresh-grace': opt.grace = Number(v()); break;
      case '--code-duplicate-window': opt.dupWindow = Number(v()); break;
      case '--negative': opt.negative = true; break;
      case '--reveal-secrets': opt.reveal = true; break;
      case '--timeout': opt.timeout = Number(v()); break;
      case '--verbose': opt.verbose = true; break;
      case '-h': case '--help': process.stdout.write(USAGE); process.exit(0); break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  opt.authMethod ??= 'none';
  opt.redirect ??= 'http://127.0.0.1:18199/callback';
  opt.grace ??= 60;
  opt.dupWindow ??= 10;
  opt.timeout ??= 60000;
  if (!opt.resource || opt.user === undefined || opt.password === undefined) throw new Error('--resource, --user and --password are required');
  if (!['none', 'client_secret_post', 'client_secret_basic'].includes(opt.authMethod)) throw new Error(`unknown auth method ${opt.authMethod}`);
  if (!(opt.grace >= 0) || !(opt.dupWindow >= 0)) throw new Error('--refresh-grace and --code-duplicate-window take seconds >= 0');
} catch (e) {
  process.stderr.write(`o4w-client: ${e.message}\n${USAGE}`);
  process.exit(2);
}

const out = {
  ok: false,
  mcp_url: opt.resource,
  auth_method: opt.authMethod,
  server_config: { refresh_grace: opt.grace, code_duplicate_window: opt.dupWindow },
  negative: !!opt.negative,
  steps: {},
  http: [],
  errors: [],
};
const S = out.steps;
const secrets = { client_secret: undefined, codes: [], tokens: [] };
const keep = (label, t) => { if (t) secrets.tokens.push({ label, access_token: t.access_token, refresh_token: t.refresh_token }); return t; };
const log = (...a) => { if (opt.verbose) console.error('[o4w-client]', ...a); };

// ------------------------------------------------------------ HTTP, traced
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const insecure = (u) => new URL(u).protocol === 'http:' && LOOPBACK.has(new URL(u).hostname);
const pathOf = (u) => { const x = new URL(u); return x.pathname + (x.search ? '?…' : ''); };

// Every request oauth4webapi makes goes through here: the report shows what
// it sent (never a secret) and what it got (headers, error fields, the
// names of the fields of a token answer).
async function traced(url, init = {}) {
  const method = (init.method || 'GET').toUpperCase();
  const entry = { by: 'o4w', method, url: pathOf(url) };
  const headers = new Headers(init.headers || {});
  const az = headers.get('authorization');
  if (az) {
    entry.authorization_scheme = az.split(' ')[0];
    if (/^basic$/i.test(entry.authorization_scheme)) {
      const dec = Buffer.from(az.slice(6).trim(), 'base64').toString('utf8');
      entry.basic_client_id = decodeURIComponent(dec.slice(0, Math.max(0, dec.indexOf(':'))).replace(/\+/g, ' '));
    }
  }
  if (init.body instanceof URLSearchParams) {
    entry.form_keys = [...init.body.keys()];
    entry.grant_type = init.body.get('grant_type') ?? undefined;
    entry.token_type_hint = init.body.get('token_type_hint') ?? undefined;
    entry.body_client_id = init.body.get('client_id') ?? undefined;
    entry.body_has_client_secret = init.body.has('client_secret');
    entry.content_type = headers.get('content-type') ?? undefined;
  }
  const res = await fetch(url, init);
  entry.status = res.status;
  const rh = {};
  for (const h of ['content-type', 'cache-control', 'pragma', 'www-authenticate', 'location']) {
    const v = res.headers.get(h);
    if (v !== null) rh[h] = v;
  }
  entry.response_headers = rh;
  if (/json/i.test(rh['content-type'] || '')) {
    try {
      const j = await res.clone().json();
      if (j && typeof j === 'object') {
        entry.response_fields = Object.keys(j).sort();
        for (const k of ['error', 'error_description', 'token_type', 'expires_in', 'scope']) if (k in j) entry[`response_${k}`] = j[k];
      }
    } catch { /* the client reports a bad body */ }
  }
  out.http.push(entry);
  log(method, entry.url, '->', res.status, entry.response_error ?? '');
  return res;
}
const httpOpts = (u, extra = {}) => ({ ...(insecure(u) ? { [o.allowInsecureRequests]: true } : {}), [o.customFetch]: traced, ...extra });
const lastHttp = () => out.http.at(-1);

// What an error from oauth4webapi says, for the report.
async function errInfo(e) {
  const r = { class: e?.name ?? e?.constructor?.name, code: e?.code, message: String(e?.message || e).slice(0, 300) };
  if (e instanceof o.ResponseBodyError) Object.assign(r, { status: e.status, error: e.error, error_description: e.error_description });
  else if (e instanceof o.AuthorizationResponseError) Object.assign(r, { error: e.error, error_description: e.error_description });
  else if (e instanceof o.WWWAuthenticateChallengeError) {
    r.status = e.status;
    r.challenges = e.cause?.map((c) => ({ scheme: c.scheme, parameters: c.parameters }));
    try { const j = await e.response.json(); r.error = j.error; r.error_description = j.error_description; } catch { /* no JSON body */ }
  }
  return r;
}
// Run fn; "accepted" with its value, or the error it raised.
async function attempt(fn) {
  try { return { o4w: 'accepted', value: await fn() }; } catch (e) { return { o4w: 'refused', err: await errInfo(e) }; }
}
const respInfo = (h) => ({ status: h?.status, cache_control: h?.response_headers?.['cache-control'], pragma: h?.response_headers?.pragma, content_type: h?.response_headers?.['content-type'], www_authenticate: h?.response_headers?.['www-authenticate'], fields: h?.response_fields, token_type: h?.response_token_type, expires_in: h?.response_expires_in, scope: h?.response_scope, error: h?.response_error });
const reqInfo = (h) => ({ grant_type: h?.grant_type, form_keys: h?.form_keys, authorization_scheme: h?.authorization_scheme, basic_client_id: h?.basic_client_id, body_client_id: h?.body_client_id, body_has_client_secret: h?.body_has_client_secret, content_type: h?.content_type });

// ------------------------------------------------------------------ main
async function main() {
  const mcp = new URL(opt.resource);

  // ---- RFC 9728 protected-resource metadata
  const prmRes = await o.resourceDiscoveryRequest(mcp, httpOpts(mcp));
  S.prm = { url: prmRes.url || undefined, ...respInfo(lastHttp()) };
  const prmA = await attempt(() => o.processResourceDiscoveryResponse(mcp, prmRes));
  S.prm.o4w = prmA.o4w;
  if (prmA.err) { S.prm.error = prmA.err; throw new Error(`PRM refused: ${prmA.err.message}`); }
  const prm = prmA.value;
  Object.assign(S.prm, { well_known_url: lastHttp().url, resource: prm.resource, authorization_servers: prm.authorization_servers, scopes_supported: prm.scopes_supported });
  if (!Array.isArray(prm.authorization_servers) || typeof prm.authorization_servers[0] !== 'string') throw new Error('the PRM names no authorization server');
  const issuerString = prm.authorization_servers[0];
  const resource = prm.resource;

  // ---- RFC 8414 authorization-server metadata
  const issuer = new URL(issuerString);
  const asRes = await o.discoveryRequest(issuer, httpOpts(issuer, { algorithm: 'oauth2' }));
  S.as = { ...respInfo(lastHttp()), well_known_url: lastHttp().url };
  const asA = await attempt(() => o.processDiscoveryResponse(issuer, asRes));
  S.as.o4w = asA.o4w;
  if (asA.err) { S.as.error = asA.err; throw new Error(`AS metadata refused: ${asA.err.message}`); }
  const as = asA.value;
  Object.assign(S.as, {
    issuer: as.issuer,
    issuer_identical: as.issuer === issuerString, // RFC 8414 §3.3 / AS-06: code-point equality
    authorization_endpoint: as.authorization_endpoint, token_endpoint: as.token_endpoint,
    registration_endpoint: as.registration_endpoint, revocation_endpoint: as.revocation_endpoint,
    response_types_supported: as.response_types_supported, grant_types_supported: as.grant_types_supported,
    code_challenge_methods_supported: as.code_challenge_methods_supported,
    token_endpoint_auth_methods_supported: as.token_endpoint_auth_methods_supported,
    revocation_endpoint_auth_methods_supported: as.revocation_endpoint_auth_methods_supported,
    authorization_response_iss_parameter_supported: as.authorization_response_iss_parameter_supported,
    scopes_supported: as.scopes_supported,
  });

  // ---- RFC 7591 registration
  const scope = prm.scopes_supported?.join(' ');
  const regRes = await o.dynamicClientRegistrationRequest(as, {
    client_name: `o4w-client (mcpgate t82, ${opt.authMethod})`, redirect_uris: [opt.redirect],
    grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
    token_endpoint_auth_method: opt.authMethod, ...(scope ? { scope } : {}),
  }, httpOpts(as.registration_endpoint));
  S.dcr = respInfo(lastHttp());
  const regA = await attempt(() => o.processDynamicClientRegistrationResponse(regRes));
  S.dcr.o4w = regA.o4w;
  if (regA.err) { S.dcr.error = regA.err; throw new Error(`registration refused: ${regA.err.message}`); }
  const client = regA.value;
  secrets.client_secret = client.client_secret;
  Object.assign(S.dcr, { client_id: client.client_id, token_endpoint_auth_method: client.token_endpoint_auth_method, has_client_secret: typeof client.client_secret === 'string', client_secret_expires_at: client.client_secret_expires_at });
  // the method the registration answer names is the one used (DCR-06)
  const method = client.token_endpoint_auth_method;
  const authFor = (m, secret) => (m === 'client_secret_basic' ? o.ClientSecretBasic(secret) : m === 'client_secret_post' ? o.ClientSecretPost(secret) : o.None());
  const clientAuth = authFor(method, client.client_secret);
  const tokenOpts = (extra = {}) => httpOpts(as.token_endpoint, { additionalParameters: { resource, ...extra } });

  // ---- the authorization request, walked by the headless user
  const authorize = async ({ pkce = true, redirect = opt.redirect } = {}) => {
    const verifier = o.generateRandomCodeVerifier();
    const state = o.generateRandomState();
    const u = new URL(as.authorization_endpoint);
    u.searchParams.set('response_type', 'code');
    u.searchParams.set('client_id', client.client_id);
    u.searchParams.set('redirect_uri', redirect);
    u.searchParams.set('state', state);
    if (scope) u.searchParams.set('scope', scope);
    u.searchParams.set('resource', resource);
    if (pkce) {
      u.searchParams.set('code_challenge', await o.calculatePKCECodeChallenge(verifier));
      u.searchParams.set('code_challenge_method', 'S256');
    }
    const record = (e) => { out.http.push({ ...e, url: pathOf(e.url) }); log('user', e.method, pathOf(e.url), '->', e.status); };
    const ua = createUserAgent({ user: opt.user, password: opt.password, redirect, record, userAgent: 'mcpgate-t82-headless-user/1.0' });
    let r, thrown;
    try { r = await ua.actAsUser(u); } catch (e) { thrown = e; }
    const pages = ua.pages.map((p) => ({ method: p.method, path: pathOf(p.url), status: p.status, kind: p.kind, title: p.title, content_type: p.content_type, location_host: p.location ? new URL(p.location, u).host : undefined }));
    return { r, thrown, pages, verifier, state };
  };
  // a code the client can use: authorize + validateAuthResponse
  const getCode = async (label) => {
    const a = await authorize();
    if (!a.r?.callback) throw new Error(`${label}: the authorization did not come back to the redirect_uri: ${a.thrown?.message ?? JSON.stringify(a.r)}`);
    const params = o.validateAuthResponse(as, client, new URL(a.r.callback.url), a.state);
    secrets.codes.push(params.get('code'));
    return { ...a, params };
  };

  const a1 = await authorize();
  S.authorize = { pages: a1.pages };
  if (!a1.r?.callback) throw new Error(`the authorization did not come back to the redirect_uri: ${a1.thrown?.message ?? JSON.stringify(a1.r)}`);
  const cb = a1.r.callback;
  Object.assign(S.authorize, { redirect_status: cb.status, params: cb.params, iss: cb.iss, state_matches: cb.state === a1.state, error: cb.error });
  const vA = await attempt(() => o.validateAuthResponse(as, client, new URL(cb.url), a1.state));
  S.authorize.o4w = vA.o4w;
  if (vA.err) { S.authorize.error_o4w = vA.err; throw new Error(`authorization response refused: ${vA.err.message}`); }
  const params = vA.value;
  secrets.codes.push(params.get('code'));
  // self-check: the client's RFC 9207 check is live (a wrong or missing iss is refused)
  const tamper = (fn) => { const x = new URL(cb.url); fn(x.searchParams); return x; };
  S.authorize.o4w_refuses_wrong_iss = (await attempt(() => o.validateAuthResponse(as, client, tamper((p) => p.set('iss', 'https://attacker.example')), a1.state))).o4w === 'refused';
  S.authorize.o4w_refuses_missing_iss = (await attempt(() => o.validateAuthResponse(as, client, tamper((p) => p.delete('iss')), a1.state))).o4w === 'refused';

  // ---- the token request
  const exchange = async (p, verifier, auth = clientAuth, extra = {}) => {
    const res = await o.authorizationCodeGrantRequest(as, client, auth, p, opt.redirect, verifier, tokenOpts(extra));
    const h = lastHttp();
    const a = await attempt(() => o.processAuthorizationCodeResponse(as, client, res));
    return { request: reqInfo(h), response: respInfo(h), o4w: a.o4w, tokens: a.value, error: a.err };
  };
  const refresh = async (rt, auth = clientAuth) => {
    const res = await o.refreshTokenGrantRequest(as, client, auth, rt, tokenOpts());
    const h = lastHttp();
    const a = await attempt(() => o.processRefreshTokenResponse(as, client, res));
    return { request: reqInfo(h), response: respInfo(h), o4w: a.o4w, tokens: a.value, error: a.err };
  };
  const revoke = async (token, hint, auth = clientAuth) => {
    const res = await o.revocationRequest(as, client, auth, token, httpOpts(as.revocation_endpoint, hint ? { additionalParameters: { token_type_hint: hint } } : {}));
    const h = lastHttp();
    const a = await attempt(() => o.processRevocationResponse(res));
    return { request: { ...reqInfo(h), token_type_hint: h?.token_type_hint }, response: respInfo(h), o4w: a.o4w, error: a.err };
  };
  const strip = ({ tokens, ...rest }) => ({ ...rest, ...(tokens ? { token_type: tokens.token_type, expires_in: tokens.expires_in, scope: tokens.scope, has_refresh_token: typeof tokens.refresh_token === 'string' } : {}) });

  const ex = await exchange(params, a1.verifier);
  S.token = strip(ex);
  if (ex.o4w !== 'accepted') throw new Error(`token response refused: ${ex.error?.message}`);
  const t1 = keep('exchange', ex.tokens);

  // ---- refresh with rotation, then the old refresh token again
  let alive; // the chain's live tokens for the revocation step
  const r1 = await refresh(t1.refresh_token);
  S.refresh = strip(r1);
  if (r1.o4w !== 'accepted') throw new Error(`refresh refused: ${r1.error?.message}`);
  const t2 = keep('refresh', r1.tokens);
  Object.assign(S.refresh, {
    rotated: typeof t2.refresh_token === 'string' && t2.refresh_token !== t1.refresh_token,
    new_access_token: t2.access_token !== t1.access_token,
  });
  const rp = await refresh(t1.refresh_token);
  S.replay = strip(rp);
  if (rp.tokens) {
    keep('replay', rp.tokens);
    Object.assign(S.replay, { same_access_token: rp.tokens.access_token === t2.access_token, same_refresh_token: rp.tokens.refresh_token === t2.refresh_token });
  }
  if (opt.grace > 0) {
    // inside the window the same pair came back; the chain goes on from it
    const r2 = await refresh(t2.refresh_token);
    S.refresh2 = strip(r2);
    if (r2.tokens) {
      keep('refresh2', r2.tokens);
      S.refresh2.rotated = r2.tokens.refresh_token !== t2.refresh_token;
      alive = r2.tokens;
    }
  } else {
    // reuse after the window: the family is revoked, the new refresh token with it
    const after = await refresh(t2.refresh_token);
    S.after_reuse = strip(after);
  }

  // ---- revocation (RFC 7009)
  S.revoke = {};
  if (!alive) {
    // the main chain is dead (grace 0): a fresh authorization's tokens
    const a = await getCode('revoke');
    const e = await exchange(a.params, a.verifier);
    if (e.o4w !== 'accepted') throw new Error(`exchange for the revocation step refused: ${e.error?.message}`);
    alive = keep('for revocation', e.tokens);
    S.revoke.fresh_authorization = true;
  }
  S.revoke.access_token = await revoke(alive.access_token, 'access_token');
  S.revoke.refresh_token = await revoke(alive.refresh_token, 'refresh_token');
  S.revoke.unknown_token = await revoke(o.generateRandomCodeVerifier());
  S.revoke.refresh_after = strip(await refresh(alive.refresh_token));
  S.revoke.tokens_label = secrets.tokens.at(-1).label;

  if (opt.negative) {
    // ---- a redeemed code again
    const a2 = await getCode('code_replay');
    const e2 = await exchange(a2.params, a2.verifier);
    S.code_replay = { first: strip(e2) };
    if (e2.tokens) keep('code_replay first', e2.tokens);
    S.code_replay.second = strip(await exchange(a2.params, a2.verifier));
    if (e2.tokens) S.code_replay.first_refresh_after = strip(await refresh(e2.tokens.refresh_token));

    // ---- a wrong code_verifier, then the right one
    const a3 = await getCode('wrong_verifier');
    S.wrong_verifier = { wrong: strip(await exchange(a3.params, o.generateRandomCodeVerifier())) };
    const e3 = await exchange(a3.params, a3.verifier);
    S.wrong_verifier.right_after = strip(e3);
    if (e3.tokens) keep('wrong_verifier right', e3.tokens);

    // ---- no PKCE: an error back at the redirect_uri, with state and iss
    const a4 = await authorize({ pkce: false });
    S.no_pkce = { pages: a4.pages, thrown: a4.thrown ? String(a4.thrown.message) : undefined };
    if (a4.r?.callback) {
      const c4 = a4.r.callback;
      Object.assign(S.no_pkce, { redirected: true, redirect_status: c4.status, params: c4.params, error: c4.error, error_description: c4.error_description, has_code: c4.code !== undefined, iss: c4.iss, state_matches: c4.state === a4.state, logins: a4.pages.filter((p) => p.kind === 'login').length });
      const v4 = await attempt(() => o.validateAuthResponse(as, client, new URL(c4.url), a4.state));
      S.no_pkce.o4w = v4.o4w;
      S.no_pkce.o4w_error = v4.err; // AuthorizationResponseError: state and iss passed, then the error
    } else S.no_pkce.redirected = false;

    // ---- unregistered redirect_uris: an error page, no redirect at all
    S.bad_redirect = {};
    for (const [k, evil] of [['other_host', 'https://attacker.example/callback'], ['other_path', new URL('/evil', opt.redirect).href]]) {
      const a = await authorize({ redirect: evil });
      const last = a.thrown?.page ?? {};
      S.bad_redirect[k] = {
        redirect_uri: evil,
        redirected: !!a.r?.callback,
        pages: a.pages,
        any_location: a.pages.some((p) => p.location_host !== undefined),
        status: last.status, content_type: last.content_type, title: last.title, kind: last.kind,
      };
    }

    // ---- a wrong client secret
    if (method !== 'none') {
      const sec = client.client_secret;
      const wrong = sec.slice(0, -1) + (sec.endsWith('A') ? 'B' : 'A');
      const a5 = await getCode('wrong_secret');
      S.wrong_secret = {
        basic: strip(await exchange(a5.params, a5.verifier, o.ClientSecretBasic(wrong))),
        post: strip(await exchange(a5.params, a5.verifier, o.ClientSecretPost(wrong))),
        revoke_basic: await revoke(o.generateRandomCodeVerifier(), undefined, o.ClientSecretBasic(wrong)),
      };
      const e5 = await exchange(a5.params, a5.verifier);
      S.wrong_secret.right_after = strip(e5);
      if (e5.tokens) keep('wrong_secret right', e5.tokens);
    }
  }
}

function finish() {
  clearTimeout(timer);
  out.ok = out.errors.length === 0;
  if (opt.reveal) out.secrets = secrets;
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  process.exitCode = out.ok ? 0 : 1;
}
const timer = setTimeout(() => { out.errors.push(`timeout after ${opt.timeout} ms`); finish(); process.exit(1); }, opt.timeout);
main().then(finish, (e) => {
  out.errors.push(String(e?.message || e));
  if (opt.verbose) console.error(e?.stack || e);
  finish();
});
