#!/usr/bin/env node
// sdk-authorize.mjs -- the official MCP TypeScript SDK client
// (@modelcontextprotocol/sdk, pinned in package.json) authorizing itself
// against an MCP server's OAuth 2.1 authorization server, up to the
// authorization code. Used by tests/integration/t80-sdk-client.t.
//
// The OAuth work is the SDK's own auth() (client/auth.js), run with an
// OAuthClientProvider implemented here: RFC 9728 protected-resource
// metadata, RFC 8414 authorization-server metadata, RFC 7591 dynamic client
// registration (with the requested token_endpoint_auth_method), PKCE S256,
// state, scope and the RFC 8707 resource parameter. When auth() needs the
// user it calls provider.redirectToAuthorization(url); there a headless
// user agent (this file) does what a person with a browser would: GET the
// URL, keep cookies, parse each HTML page with parse5 (the WHATWG parser: a
// browser's form ownership), fill in the login form (hidden inputs kept,
// username, password), press Approve (or Deny) on the consent form, follow
// redirects by hand, and stop at the first redirect to the redirect_uri,
// which is never followed (nothing needs to listen there): code, state, iss
// and error are read from its Location header.
//
// The flow ends at the authorization code: the token endpoint is not
// called unless --exchange is given, and then its outcome is only reported
// (token_exchange), never counted in "ok".
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
//   --redirect URI      redirect_uri to register and use
//                       (default http://127.0.0.1:18199/callback)
//   --scope S           scope for the client metadata (the SDK prefers the
//                       PRM's scopes_supported)
//   --client-name N     client_name to register
//   --client-id ID [--client-secret S]
//                       use this already registered client: no registration
//                       (e.g. to see a remembered consent skip the consent page)
//   --exchange          after the code, let the SDK's auth() exchange it at the
//                       token endpoint; reported, not counted
//   --timeout MS        give up after MS milliseconds (default 30000)
//   --verbose           log each HTTP exchange to stderr
//
// Prints one JSON object on stdout:
//   ok, expected ("code" | "denied" | "login_rejected"), outcome (the same
//   words, or "error"), discovery, registration (the response's fields, the
//   secret's value replaced by client_secret_present), sdk_client (what the
//   SDK stored), authorization_request (the URL's parameters as the SDK built
//   them, pkce check), pages (each hop of the user agent), http (every
//   request with its status, SDK's and user agent's), statuses, callback
//   (code, state, iss, error, error_description, state_matches, iss_matches),
//   login_status (the status of the answer to the login POST), errors.
// Exit status: 0 when the outcome is the expected one, 1 otherwise, 2 on
// bad usage.

import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { parse as parseHtml } from 'parse5';
import { createHash, randomBytes } from 'node:crypto';

// ------------------------------------------------------------- arguments
const USAGE = 'usage: node sdk-authorize.mjs MCP_URL USERNAME PASSWORD [none|client_secret_post|client_secret_basic]\n' +
  '       [--deny] [--wrong-password] [--redirect URI] [--scope S] [--client-name N]\n' +
  '       [--client-id ID [--client-secret S]] [--exchange] [--timeout MS] [--verbose]\n';

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
      case '--redirect': o.redirect = next(); break;
      case '--scope': o.scope = next(); break;
      case '--client-name': o.clientName = next(); break;
      case '--client-id': o.clientId = next(); break;
      case '--client-secret': o.clientSecret = next(); break;
      case '--exchange': o.exchange = true; break;
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
  if (!['none', 'client_secret_post', 'client_secret_basic'].includes(o.authMethod)) {
    throw new Error(`unknown auth method ${o.authMethod}`);
  }
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

const expected = opts.deny ? 'denied' : opts.wrongPassword ? 'login_rejected' : 'code';
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
  errors: [],
};
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
      if (h.get('authorization')) entry.authorization_scheme = h.get('authorization').split(' ')[0];
    }
  }
  return res;
}
let registrationEndpoint;
const sameEndpoint = (a, b) => {
  const x = new URL(a), y = new URL(b);
  return x.origin === y.origin && x.pathname === y.pathname;
};

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

// ------------------------------------------------------- headless user agent
// Cookies: name=value per host (enough for one AS); Max-Age<=0 or an
// Expires in the past deletes. Set-Cookie attributes are reported per page.
const jar = new Map();
function storeCookies(url, res, page) {
  const host = new URL(url).host;
  // Headers.getSetCookie: Node >= 18.14 / 19.7; else split the joined header
  // before each "name=" (our cookies carry Max-Age, not a comma-bearing Expires)
  const list = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie()
    : (res.headers.get('set-cookie') || '').split(/,(?=\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+=)/).filter((x) => x.trim());
  for (const sc of list) {
    const [pair, ...attrs] = sc.split(';');
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let m = jar.get(host);
    if (!m) jar.set(host, (m = new Map()));
    // value: whether it replaces the one held (e.g. a session id rotated at login)
    const held = m.get(name);
    (page.cookies_set ??= []).push({ name, attributes: attrs.map((a) => a.trim()).filter(Boolean), value: held === undefined ? 'new' : held === value ? 'same' : 'changed' });
    const expired = attrs.some((a) => {
      const [k, v] = a.split('=').map((s) => s && s.trim());
      if (/^max-age$/i.test(k)) return Number(v) <= 0;
      if (/^expires$/i.test(k)) return Date.parse(v) < Date.now();
      return false;
    });
    if (expired || value === '') m.delete(name); else m.set(name, value);
  }
}
function cookieHeader(url) {
  const m = jar.get(new URL(url).host);
  return m && m.size ? [...m].map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
}

const attr = (node, name) => node?.attrs?.find((x) => x.name === name)?.value;
const textOf = (n) => (n.nodeName === '#text' ? n.value : (n.childNodes || []).map(textOf).join(''));
function walk(node, fn) {
  fn(node);
  for (const c of node.childNodes || []) walk(c, fn);
  if (node.content) walk(node.content, fn); // <template>
}
const isControl = (n) => ['input', 'button', 'select', 'textarea'].includes(n.nodeName);
function controlType(n) {
  if (n.nodeName === 'button') return (attr(n, 'type') || 'submit').toLowerCase();
  if (n.nodeName === 'input') return (attr(n, 'type') || 'text').toLowerCase();
  return n.nodeName;
}
const label = (b) => [attr(b, 'name'), attr(b, 'value'), b.nodeName === 'button' ? textOf(b).trim() : ''].filter(Boolean).join(' ');

// The forms of a page as a browser sees them (form="id" owners included).
function extractForms(html) {
  const doc = parseHtml(html);
  const forms = [];
  const byId = new Map();
  let title = '';
  walk(doc, (n) => {
    if (n.nodeName === 'title' && !title) title = textOf(n).trim();
    if (n.nodeName === 'form') {
      const f = { node: n, action: attr(n, 'action'), method: (attr(n, 'method') || 'get').toLowerCase(), controls: [] };
      forms.push(f);
      if (attr(n, 'id')) byId.set(attr(n, 'id'), f);
    }
  });
  for (const f of forms) walk(f.node, (n) => { if (isControl(n) && !attr(n, 'form')) f.controls.push(n); });
  walk(doc, (n) => { if (isControl(n) && byId.has(attr(n, 'form'))) byId.get(attr(n, 'form')).controls.push(n); });
  for (const f of forms) {
    f.buttons = f.controls.filter((n) => ['submit', 'image'].includes(controlType(n)) && attr(n, 'disabled') === undefined);
    f.hasPassword = f.controls.some((n) => controlType(n) === 'password');
  }
  return { forms, title };
}

const DENY_RE = /deny|cancel|reject|decline|abort|refuse/i;
const APPROVE_RE = /approve|allow|accept|consent|authori[sz]e|grant|continue|confirm|yes/i;
const USER_RE = /user|login|email|account|identifier|name/i;

// login: the form with a password field; consent: a form with an approve
// button and a deny button (the deny one may be in a form of its own).
function classify(forms) {
  const login = forms.find((f) => f.hasPassword);
  if (login) return { kind: 'login', form: login };
  const approveForm = forms.find((f) => f.buttons.some((b) => APPROVE_RE.test(label(b)) && !DENY_RE.test(label(b))));
  const denyForm = forms.find((f) => f.buttons.some((b) => DENY_RE.test(label(b))));
  if (approveForm || denyForm) return { kind: 'consent', form: opts.deny ? denyForm : approveForm };
  return { kind: forms.length ? 'other' : 'no-form' };
}

function fill(form, kind, baseUrl) {
  const params = new URLSearchParams();
  const fields = [];
  const textLike = form.controls.filter((n) => ['text', 'email'].includes(controlType(n)) && attr(n, 'name'));
  for (const n of form.controls) {
    const name = attr(n, 'name');
    const t = controlType(n);
    if (!name || attr(n, 'disabled') !== undefined) continue;
    if (['submit', 'image', 'reset', 'button'].includes(t)) continue;
    let value;
    if (t === 'password') value = password;
    else if (t === 'hidden') value = attr(n, 'value') ?? '';
    else if (t === 'checkbox' || t === 'radio') { if (attr(n, 'checked') === undefined) continue; value = attr(n, 'value') ?? 'on'; }
    else if (t === 'select') {
      const o = []; walk(n, (c) => { if (c.nodeName === 'option') o.push(c); });
      const sel = o.find((c) => attr(c, 'selected') !== undefined) || o[0];
      if (!sel) continue;
      value = attr(sel, 'value') ?? textOf(sel).trim();
    } else if (t === 'textarea') value = textOf(n);
    else if (USER_RE.test(name) || textLike.length === 1) value = opts.user;
    else value = attr(n, 'value') ?? '';
    params.append(name, value);
    fields.push({ name, type: t, ...(t === 'hidden' ? { value: name === 'csrf' ? `(${value.length} chars)` : value } : {}) });
  }
  let btn;
  if (kind === 'consent' && opts.deny) btn = form.buttons.find((b) => DENY_RE.test(label(b)));
  else btn = form.buttons.find((b) => APPROVE_RE.test(label(b)) && !DENY_RE.test(label(b))) || form.buttons.find((b) => !DENY_RE.test(label(b)));
  if (form.buttons.length && !btn) throw new Error(`no ${opts.deny && kind === 'consent' ? 'deny' : 'approve/submit'} button among: ${form.buttons.map(label).join(', ')}`);
  if (btn && attr(btn, 'name')) params.append(attr(btn, 'name'), attr(btn, 'value') ?? '');
  const action = new URL(attr(btn, 'formaction') || form.action || baseUrl, baseUrl);
  const method = (attr(btn, 'formmethod') || form.method).toLowerCase();
  return { action, method, params, fields, button: btn ? { name: attr(btn, 'name'), value: attr(btn, 'value'), text: btn.nodeName === 'button' ? textOf(btn).trim() : undefined } : undefined };
}

// Walks from the authorization URL to the redirect_uri. Returns
// { callback } or { loginRejected }.
async function actAsUser(authorizationUrl) {
  const redirect = new URL(opts.redirect);
  const isCallback = (u) => u.origin === redirect.origin && u.pathname === redirect.pathname;
  let url = new URL(authorizationUrl);
  let method = 'GET';
  let body;
  let sentPassword = false;
  let lastPost;
  for (let hop = 0; hop < 20; hop++) {
    const headers = { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8', 'user-agent': 'mcpgate-t80-headless-user/1.0' };
    const ck = cookieHeader(url);
    if (ck) headers.cookie = ck;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method, headers, body, redirect: 'manual' });
    const page = { method, url: redact(url.href), status: res.status, sent_cookies: ck ? ck.split('; ').map((c) => c.split('=')[0]) : [] };
    if (lastPost) { page.answer_to = lastPost; lastPost = undefined; }
    storeCookies(url, res, page);
    out.pages.push(page);
    const entry = { by: 'user', method, url: page.url, status: res.status };
    const loc = res.headers.get('location');
    if (loc) entry.location = page.location = loc;
    record(entry);
    if (page.answer_to === 'login') out.login_status = res.status;

    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      if (!loc) throw new Error(`${method} ${url.href} answered ${res.status} without a Location header`);
      const next = new URL(loc, url);
      if (isCallback(next)) {
        const sp = next.searchParams;
        page.kind = 'redirect to redirect_uri';
        return {
          callback: {
            status: res.status,
            url: next.href,
            params: [...sp.keys()],
            code: sp.get('code') ?? undefined,
            state: sp.get('state') ?? undefined,
            iss: sp.get('iss') ?? undefined,
            error: sp.get('error') ?? undefined,
            error_description: sp.get('error_description') ?? undefined,
          },
        };
      }
      page.kind = 'redirect';
      if (res.status !== 307 && res.status !== 308) { method = 'GET'; body = undefined; }
      url = next;
      continue;
    }

    const text = await res.text();
    const ctype = res.headers.get('content-type') || '';
    page.content_type = ctype;
    for (const h of ['cache-control', 'x-frame-options', 'content-security-policy', 'referrer-policy']) {
      const v = res.headers.get(h);
      if (v) (page.headers ??= {})[h] = v;
    }
    if (!/html/i.test(ctype) && !/<form/i.test(text)) {
      page.kind = 'not html';
      page.body = text.slice(0, 500);
      throw new Error(`${method} ${url.href} answered ${res.status} ${ctype}, not an HTML page: ${text.slice(0, 300)}`);
    }
    const { forms, title } = extractForms(text);
    page.title = title;
    page.forms = forms.length;
    const c = classify(forms);
    page.kind = c.kind;
    if (c.kind === 'login' && sentPassword) {
      // the login form again after the password went in: rejected
      return { loginRejected: { status: res.status, title } };
    }
    if (c.kind === 'no-form' || c.kind === 'other' || !c.form) {
      page.body = text.replace(/\s+/g, ' ').slice(0, 500);
      throw new Error(`${method} ${url.href} answered ${res.status} with no ${opts.deny ? 'deny' : 'login or consent'} form (title "${title}")`);
    }
    if (!res.ok && !(c.kind === 'login' && res.status === 401)) {
      throw new Error(`${method} ${url.href} answered HTTP ${res.status} (title "${title}")`);
    }
    const sub = fill(c.form, c.kind, url);
    page.form = { action: redact(sub.action.href), method: sub.method, fields: sub.fields, button: sub.button };
    if (isCallback(sub.action)) throw new Error('a form posts to the redirect_uri (response_mode=form_post?): not expected');
    if (c.kind === 'login') sentPassword = true;
    lastPost = c.kind;
    if (sub.method === 'post') { url = sub.action; method = 'POST'; body = sub.params.toString(); }
    else { url = sub.action; url.search = sub.params.toString(); method = 'GET'; body = undefined; }
  }
  throw new Error('more than 20 steps without reaching the redirect_uri');
}

// ------------------------------------------------------- OAuth client provider
// In memory, for one run. redirectToAuthorization is where the "browser"
// goes to the authorization server.
class HeadlessProvider {
  constructor() {
    this.result = undefined;
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
    out.sdk_client = { client_id: ci.client_id, has_secret: typeof ci.client_secret === 'string', token_endpoint_auth_method: ci.token_endpoint_auth_method, issuer: ci.issuer };
  }
  tokens() { return this._tokens; }
  saveTokens(t) {
    this._tokens = t;
    Object.assign(out.token_exchange ??= {}, { token_type: t.token_type, expires_in: t.expires_in, scope: t.scope, has_access_token: !!t.access_token, has_refresh_token: !!t.refresh_token });
  }
  saveCodeVerifier(v) { this._verifier = v; }
  codeVerifier() { if (!this._verifier) throw new Error('no code verifier saved'); return this._verifier; }
  saveDiscoveryState(s) {
    const m = s.authorizationServerMetadata;
    registrationEndpoint = m?.registration_endpoint;
    out.discovery = {
      resource: s.resourceMetadata?.resource,
      authorization_servers: s.resourceMetadata?.authorization_servers,
      prm_scopes_supported: s.resourceMetadata?.scopes_supported,
      authorization_server: s.authorizationServerUrl,
      issuer: m?.issuer,
      authorization_endpoint: m?.authorization_endpoint,
      token_endpoint: m?.token_endpoint,
      registration_endpoint: m?.registration_endpoint,
      code_challenge_methods_supported: m?.code_challenge_methods_supported,
      token_endpoint_auth_methods_supported: m?.token_endpoint_auth_methods_supported,
      authorization_response_iss_parameter_supported: m?.authorization_response_iss_parameter_supported,
    };
  }
  discoveryState() { return undefined; }
  async redirectToAuthorization(authorizationUrl) {
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
    this.result = await actAsUser(u);
  }
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
  // 2. optional: the code for tokens through the same auth() (reported only)
  if (opts.exchange) {
    out.token_exchange = { attempted: true };
    try {
      out.token_exchange.result = await auth(provider, { serverUrl, authorizationCode: cb.code, fetchFn: sdkFetch });
    } catch (e) {
      out.token_exchange.error = String(e?.message || e);
    }
  } else {
    out.token_exchange = { attempted: false, note: 'stopped at the authorization code (no --exchange)' };
  }
}

function finish() {
  clearTimeout(timer);
  if (!out.outcome) out.outcome = 'error';
  out.ok = out.outcome === expected;
  if (!out.ok && out.outcome === 'login_rejected') out.errors.push('the login form came back after the password was submitted (credentials rejected?)');
  if (!out.ok) out.errors.push(`outcome ${out.outcome}, expected ${expected}`);
  if (out.callback && (out.outcome === 'code' || out.outcome === 'denied')) {
    // state (OAuth 2.1 4.1.2, 4.1.2.1) and iss (RFC 9207, when advertised)
    // must come back in success and error redirects alike
    if (!out.callback.state_matches) { out.ok = false; out.errors.push('state in the redirect differs from the one sent'); }
    if (!out.callback.iss_matches) { out.ok = false; out.errors.push('iss in the redirect differs from the metadata issuer'); }
  }
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  process.exitCode = out.ok ? 0 : 1;
}
const timer = setTimeout(() => { out.errors.push(`timeout after ${opts.timeout} ms`); finish(); process.exit(1); }, opts.timeout);
main().then(finish, (e) => {
  out.errors.push(String(e?.message || e));
  if (opts.verbose) console.error(e?.stack || e);
  finish();
});
