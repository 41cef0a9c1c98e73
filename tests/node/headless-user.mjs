// headless-user.mjs -- the person with a browser in the real-client tests
// (sdk-authorize.mjs, o4w-client.mjs): given an authorization URL, do what
// a user would do in a browser, without a browser.
//
// GET the URL, keep cookies (a jar per host), parse each HTML page with
// parse5 (the WHATWG parser: the form ownership a browser sees, form="id"
// included), fill in the login form (hidden inputs kept, username,
// password), press Approve (or Deny) on the consent form, follow redirects
// by hand, and stop at the first redirect to the redirect_uri (same origin
// and path), which is never followed (nothing needs to listen there): code,
// state, iss, error and error_description are read from its Location.
//
//   const ua = createUserAgent({ user, password, redirect, deny, record, redact, onLoginAnswer });
//   const r = await ua.actAsUser(authorizationUrl);
//   // r = { callback: { status, url, params, code, state, iss, error, error_description } }
//   //  or { loginRejected: { status, title } } (the login form came back after the password)
//   // ua.pages: each hop (method, url, status, kind, form, cookies_set, ...)
//
// A page with no usable form (an error page, JSON, ...) throws an Error
// whose .page is that hop (status, content_type, title, body excerpt): an
// authorization request the server refuses without redirecting ends there.
//
// Options:
//   user, password   what to type into the login form
//   redirect         the redirect_uri the client registered and sent
//   deny             press the consent form's Deny button instead of Approve
//   record(entry)    called for every HTTP exchange { by: 'user', method, url, status, location }
//   redact(url)      how a URL is written into pages/record (default: as is)
//   onLoginAnswer(status)  called with the status of the answer to the login POST
//   userAgent        the User-Agent header (default mcpgate-headless-user/1.0)
//   maxHops          give up after this many requests (default 20)
import { parse as parseHtml } from 'parse5';

export const DENY_RE = /deny|cancel|reject|decline|abort|refuse/i;
export const APPROVE_RE = /approve|allow|accept|consent|authori[sz]e|grant|continue|confirm|yes/i;
const USER_RE = /user|login|email|account|identifier|name/i;

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
export function extractForms(html) {
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

export function createUserAgent(opts) {
  const o = { deny: false, record: () => {}, redact: (u) => String(u), onLoginAnswer: () => {}, userAgent: 'mcpgate-headless-user/1.0', maxHops: 20, ...opts };
  const pages = [];

  // ---------------------------------------------------------- cookie jar
  // name=value per host (enough for one AS); Max-Age<=0 or an Expires in
  // the past deletes. Set-Cookie attributes are reported per page.
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

  // login: the form with a password field; consent: a form with an approve
  // button and a deny button (the deny one may be in a form of its own).
  function classify(forms) {
    const login = forms.find((f) => f.hasPassword);
    if (login) return { kind: 'login', form: login };
    const approveForm = forms.find((f) => f.buttons.some((b) => APPROVE_RE.test(label(b)) && !DENY_RE.test(label(b))));
    const denyForm = forms.find((f) => f.buttons.some((b) => DENY_RE.test(label(b))));
    if (approveForm || denyForm) return { kind: 'consent', form: o.deny ? denyForm : approveForm };
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
      if (t === 'password') value = o.password;
      else if (t === 'hidden') value = attr(n, 'value') ?? '';
      else if (t === 'checkbox' || t === 'radio') { if (attr(n, 'checked') === undefined) continue; value = attr(n, 'value') ?? 'on'; }
      else if (t === 'select') {
        const opt = []; walk(n, (c) => { if (c.nodeName === 'option') opt.push(c); });
        const sel = opt.find((c) => attr(c, 'selected') !== undefined) || opt[0];
        if (!sel) continue;
        value = attr(sel, 'value') ?? textOf(sel).trim();
      } else if (t === 'textarea') value = textOf(n);
      else if (USER_RE.test(name) || textLike.length === 1) value = o.user;
      else value = attr(n, 'value') ?? '';
      params.append(name, value);
      fields.push({ name, type: t, ...(t === 'hidden' ? { value: name === 'csrf' ? `(${value.length} chars)` : value } : {}) });
    }
    let btn;
    if (kind === 'consent' && o.deny) btn = form.buttons.find((b) => DENY_RE.test(label(b)));
    else btn = form.buttons.find((b) => APPROVE_RE.test(label(b)) && !DENY_RE.test(label(b))) || form.buttons.find((b) => !DENY_RE.test(label(b)));
    if (form.buttons.length && !btn) throw new Error(`no ${o.deny && kind === 'consent' ? 'deny' : 'approve/submit'} button among: ${form.buttons.map(label).join(', ')}`);
    if (btn && attr(btn, 'name')) params.append(attr(btn, 'name'), attr(btn, 'value') ?? '');
    const action = new URL(attr(btn, 'formaction') || form.action || baseUrl, baseUrl);
    const method = (attr(btn, 'formmethod') || form.method).toLowerCase();
    return { action, method, params, fields, button: btn ? { name: attr(btn, 'name'), value: attr(btn, 'value'), text: btn.nodeName === 'button' ? textOf(btn).trim() : undefined } : undefined };
  }

  const fail = (msg, page) => Object.assign(new Error(msg), { page });

  // Walks from the authorization URL to the redirect_uri. Returns
  // { callback } or { loginRejected }.
  async function actAsUser(authorizationUrl) {
    const redirect = new URL(o.redirect);
    const isCallback = (u) => u.origin === redirect.origin && u.pathname === redirect.pathname;
    let url = new URL(authorizationUrl);
    let method = 'GET';
    let body;
    let sentPassword = false;
    let lastPost;
    for (let hop = 0; hop < o.maxHops; hop++) {
      const headers = { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8', 'user-agent': o.userAgent };
      const ck = cookieHeader(url);
      if (ck) headers.cookie = ck;
      if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await fetch(url, { method, headers, body, redirect: 'manual' });
      const page = { method, url: o.redact(url.href), status: res.status, sent_cookies: ck ? ck.split('; ').map((c) => c.split('=')[0]) : [] };
      if (lastPost) { page.answer_to = lastPost; lastPost = undefined; }
      storeCookies(url, res, page);
      pages.push(page);
      const entry = { by: 'user', method, url: page.url, status: res.status };
      const loc = res.headers.get('location');
      if (loc) entry.location = page.location = loc;
      o.record(entry);
      if (page.answer_to === 'login') o.onLoginAnswer(res.status);

      if (res.status >= 300 && res.status < 400) {
        await res.body?.cancel();
        if (!loc) throw fail(`${method} ${url.href} answered ${res.status} without a Location header`, page);
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
        throw fail(`${method} ${url.href} answered ${res.status} ${ctype}, not an HTML page: ${text.slice(0, 300)}`, page);
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
        throw fail(`${method} ${url.href} answered ${res.status} with no ${o.deny ? 'deny' : 'login or consent'} form (title "${title}")`, page);
      }
      if (!res.ok && !(c.kind === 'login' && res.status === 401)) {
        throw fail(`${method} ${url.href} answered HTTP ${res.status} (title "${title}")`, page);
      }
      const sub = fill(c.form, c.kind, url);
      page.form = { action: o.redact(sub.action.href), method: sub.method, fields: sub.fields, button: sub.button };
      if (isCallback(sub.action)) throw fail('a form posts to the redirect_uri (response_mode=form_post?): not expected', page);
      if (c.kind === 'login') sentPassword = true;
      lastPost = c.kind;
      if (sub.method === 'post') { url = sub.action; method = 'POST'; body = sub.params.toString(); }
      else { url = sub.action; url.search = sub.params.toString(); method = 'GET'; body = undefined; }
    }
    throw new Error(`more than ${o.maxHops} steps without reaching the redirect_uri`);
  }

  return { pages, actAsUser };
}
