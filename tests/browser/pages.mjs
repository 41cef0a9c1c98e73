#!/usr/bin/env node
// tests/browser/pages.mjs -- drive mcpgate's authorization pages (login,
// consent, error) in headless Chromium, on a desktop and a phone viewport,
// and report what a person would see and get, as one JSON object on
// stdout. The assertions (and the SPEC ids) are in the test that runs it,
// tests/integration/t75-pages-browser.t; this script only observes, takes
// screenshots, and clicks like a person would.
//
// Usage:
//   node pages.mjs --out DIR --user NAME --password PASS
//                  --authorize desktop=URL --authorize phone=URL
//                  [--client NAME=URL]... [--error NAME=URL]...
//                  [--viewport desktop|phone]... [--chromium PATH]
//
//   --authorize VP=URL  the authorization URL of a client used only by
//                       viewport VP (consent is remembered per client, so
//                       each viewport needs its own to see a consent page)
//   --client NAME=URL   an authorization URL of another client whose name
//                       the login and consent pages must show literally
//                       (a hostile name, a long one); JavaScript is on
//                       there, so that injected markup would run
//   --error NAME=URL    a URL that must give an error page
//   --out DIR           screenshots go to DIR/<page>-<viewport>.png
//   --chromium PATH     the browser (default $MCPGATE_TEST_CHROMIUM, else
//                       /usr/bin/chromium); playwright-core never downloads one
//
// Per viewport, in a context with JavaScript OFF (the pages need none):
//   login page -> wrong password (401 + notice) -> sign in -> consent page
//   -> Deny (303 back with error=access_denied) -> the same URL again:
//   consent page without signing in -> Allow (303 back with code) -> the
//   same URL again: remembered consent goes straight back (302) with a code;
//   then each --error URL.
// Then, in a context with JavaScript ON, for each --client: its login page;
// sign in once; then its consent page. Dialogs, <img> elements, console
// messages, page errors and Content-Security-Policy violations (console
// and securitypolicyviolation events) are recorded on every page.
//
// Navigations to the clients' redirect URIs never leave the machine: every
// https request (the server under test is plain http on 127.0.0.1) is
// answered with a tiny page through the DevTools Fetch domain, and recorded
// ("callbacks").
//
// Exit status: 0 when the run completed (whatever it observed), 1 when it
// could not (then the JSON has "fatal"), 2 on a usage error.

import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

const VIEWPORTS = {
	desktop: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, isMobile: false, hasTouch: false },
	phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
};

// The flags the machine notes require for Chromium here (no network
// besides the test server; root needs --no-sandbox, which Playwright adds
// unless chromiumSandbox is set). Playwright gives it a new empty profile.
const CHROMIUM_ARGS = [
	'--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// What the "client" answers at its redirect URI.
const CLIENT_PAGE = '<!doctype html><title>client</title><h1>The client got the answer</h1>';

function usage(msg) {
	process.stderr.write(`pages.mjs: ${msg}\n` +
		'usage: node pages.mjs --out DIR --user NAME --password PASS ' +
		'--authorize desktop=URL --authorize phone=URL [--client NAME=URL]... ' +
		'[--error NAME=URL]... [--viewport VP]... [--chromium PATH]\n');
	process.exit(2);
}

function parseArgs(argv) {
	const o = { authorize: {}, client: [], error: [], viewport: [] };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const val = () => {
			if (i + 1 >= argv.length) usage(`${a} needs a value`);
			return argv[++i];
		};
		const pair = () => {
			const v = val();
			const eq = v.indexOf('=');
			if (eq < 1) usage(`${a} wants NAME=URL, got ${v}`);
			return [v.slice(0, eq), v.slice(eq + 1)];
		};
		switch (a) {
		case '--out': o.out = val(); break;
		case '--user': o.user = val(); break;
		case '--password': o.password = val(); break;
		case '--chromium': o.chromium = val(); break;
		case '--viewport': o.viewport.push(val()); break;
		case '--authorize': { const [k, v] = pair(); o.authorize[k] = v; break; }
		case '--client': o.client.push(pair()); break;
		case '--error': o.error.push(pair()); break;
		default: usage(`unknown argument ${a}`);
		}
	}
	if (!o.out || !o.user || o.password === undefined) usage('--out, --user and --password are required');
	if (o.viewport.length === 0) o.viewport = Object.keys(VIEWPORTS);
	for (const vp of o.viewport) {
		if (!VIEWPORTS[vp]) usage(`unknown viewport ${vp}`);
		if (!o.authorize[vp]) usage(`--authorize ${vp}=URL is missing`);
	}
	o.chromium ??= process.env.MCPGATE_TEST_CHROMIUM || '/usr/bin/chromium';
	return o;
}

// ---- what the page shows ------------------------------------------------

// Everything the assertions need, read from the rendered page (runs in the
// page through the DevTools protocol, so it works with JavaScript off).
function readPage() {
	const q = (s) => document.querySelector(s);
	const txt = (e) => (e ? e.textContent.replace(/\s+/g, ' ').trim() : null);
	const box = (e) => {
		if (!e) return null;
		const r = e.getBoundingClientRect();
		return { x: Math.round(r.x), y: Math.round(r.y), w: Math.round(r.width), h: Math.round(r.height) };
	};
	const style = (e, props) => {
		if (!e) return null;
		const s = getComputedStyle(e);
		return Object.fromEntries(props.map((p) => [p, s.getPropertyValue(p)]));
	};
	const W = document.documentElement.clientWidth;
	const overflowing = [];
	for (const e of document.querySelectorAll('body *')) {
		const r = e.getBoundingClientRect();
		if (r.width === 0 && r.height === 0) continue;
		if (r.right > W + 0.5 || r.left < -0.5)
			overflowing.push(`${e.tagName.toLowerCase()}${e.className ? '.' + e.className : ''} [${Math.round(r.left)},${Math.round(r.right)}]`);
	}
	// elements whose text is wider than their box (text sticking out)
	const clipped = [];
	for (const e of document.querySelectorAll('h1, p, dd, li, label, button, strong, span, footer')) {
		if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).display !== 'inline')
			clipped.push(`${e.tagName.toLowerCase()}${e.className ? '.' + e.className : ''}`);
	}
	const onAttrs = [];
	for (const e of document.querySelectorAll('*'))
		for (const a of e.attributes)
			if (a.name.startsWith('on')) onAttrs.push(`${e.tagName.toLowerCase()}[${a.name}]`);
	const card = q('main.card');
	return {
		url: location.href,
		title: document.title,
		lang: document.documentElement.lang,
		viewportMeta: q('meta[name=viewport]')?.content ?? null,
		h1: txt(q('h1')),
		h1Count: document.querySelectorAll('h1').length,
		lead: txt(q('.lead')),
		client: txt(q('.client')),
		clientChildElements: q('.client') ? q('.client').children.length : null,
		leadStrong: [...document.querySelectorAll('.lead strong')].map(txt),
		notice: txt(q('.notice')),
		noticeClass: q('.notice')?.className ?? null,
		noticeRole: q('.notice')?.getAttribute('role') ?? null,
		facts: [...document.querySelectorAll('.facts dt')].map((dt) => ({ dt: txt(dt), dd: txt(dt.nextElementSibling) })),
		scopes: [...document.querySelectorAll('.scopes li')].map(txt),
		host: txt(q('.host')),
		fine: txt(q('.fine')),
		footer: txt(q('footer')),
		site: txt(q('.brand .site')),
		forms: [...document.forms].map((f) => ({
			method: f.method,
			action: f.getAttribute('action'),
			actionResolved: f.action,
			hidden: [...f.querySelectorAll('input[type=hidden]')].map((i) => ({ name: i.name, length: i.value.length, value: i.name === 'csrf' ? undefined : i.value })),
		})),
		inputs: [...document.querySelectorAll('input:not([type=hidden])')].map((i) => ({
			id: i.id, name: i.name, type: i.type, autocomplete: i.autocomplete,
			required: i.required, labelled: i.labels.length > 0 ? txt(i.labels[0]) : null,
			value: i.type === 'password' ? undefined : i.value,
			box: box(i), ...style(i, ['font-size', 'border-radius']),
		})),
		buttons: [...document.querySelectorAll('button')].map((b) => ({
			text: txt(b), type: b.type, name: b.name, value: b.value, className: b.className,
			box: box(b), ...style(b, ['background-color', 'color', 'font-size', 'border-radius']),
		})),
		activeElement: document.activeElement && document.activeElement !== document.body ? document.activeElement.id || document.activeElement.tagName : null,
		counts: {
			img: document.querySelectorAll('img').length,
			script: document.querySelectorAll('script').length,
			iframe: document.querySelectorAll('iframe, object, embed').length,
			styleElements: document.querySelectorAll('style').length,
			styleAttributes: document.querySelectorAll('[style]').length,
			eventHandlerAttributes: onAttrs.length,
		},
		eventHandlerAttributes: onAttrs,
		stylesheets: [...document.styleSheets].map((s) => {
			let rules = -1;
			try { rules = s.cssRules.length; } catch (e) { /* cross-origin */ }
			return { href: s.href, rules };
		}),
		style: {
			body: style(document.body, ['background-color', 'font-family', 'display', 'color']),
			card: style(card, ['max-width', 'border-radius', 'background-color', 'box-shadow', 'padding-left', 'padding-top']),
			primary: style(q('button.primary'), ['background-color', 'color', 'border-radius', 'font-weight']),
			h1: style(q('h1'), ['font-size', 'line-height']),
			buttons: style(q('.buttons'), ['display', 'flex-direction', 'gap']),
		},
		layout: {
			innerWidth, innerHeight, clientWidth: W,
			scrollWidth: document.documentElement.scrollWidth,
			scrollHeight: document.documentElement.scrollHeight,
			card: box(card), h1: box(q('h1')), client: box(q('.client')), footer: box(q('footer')),
			overflowing, clipped,
		},
		text: document.body.innerText,
	};
}

// ---- one browser context, with its event log ---------------------------

class Tab {
	constructor(ctx, page, origin) {
		this.ctx = ctx;
		this.page = page;
		this.origin = origin;
		this.external = [];	// https requests answered through the Fetch domain
		this.reset();
		page.on('console', (m) => this.console.push({ type: m.type(), text: m.text(), url: m.location()?.url ?? '' }));
		page.on('pageerror', (e) => this.pageErrors.push(String(e && e.message || e)));
		page.on('dialog', (d) => { this.dialogs.push({ type: d.type(), message: d.message() }); d.dismiss().catch(() => {}); });
		page.on('requestfailed', (r) => this.failed.push({ url: r.url(), error: r.failure()?.errorText ?? '' }));
		page.on('response', (r) => {
			if (r.request().resourceType() !== 'document')
				this.subresources.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] ?? '' });
		});
	}

	reset() {
		this.console = [];
		this.pageErrors = [];
		this.dialogs = [];
		this.failed = [];
		this.subresources = [];
	}

	static async open(browser, vp, origin, javaScriptEnabled) {
		const ctx = await browser.newContext({ ...VIEWPORTS[vp], javaScriptEnabled, locale: 'en-US' });
		ctx.setDefaultTimeout(20000);
		if (javaScriptEnabled) {
			// runs before the page's own code, CSP or not (DevTools injection)
			await ctx.addInitScript(() => {
				window.__cspViolations = [];
				document.addEventListener('securitypolicyviolation', (e) => {
					window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI}`);
				});
			});
		}
		const page = await ctx.newPage();
		const tab = new Tab(ctx, page, origin);
		// Every https request to another origin than the server's is answered
		// here: the clients' redirect URIs (nothing listens there, and there
		// is no network) and anything else the browser might try. This uses
		// the DevTools Fetch domain, not page.route(): Playwright's routes do
		// not see the targets of redirects, and the answers to the clients
		// are redirects (302/303).
		const cdp = await ctx.newCDPSession(page);
		cdp.on('Fetch.requestPaused', (ev) => {
			if (new URL(ev.request.url).origin === origin) {	// an https server under test
				cdp.send('Fetch.continueRequest', { requestId: ev.requestId }).catch(() => {});
				return;
			}
			tab.external.push({ url: ev.request.url, method: ev.request.method, type: ev.resourceType });
			cdp.send('Fetch.fulfillRequest', {
				requestId: ev.requestId,
				responseCode: 200,
				responseHeaders: [{ name: 'Content-Type', value: 'text/html; charset=utf-8' }],
				body: Buffer.from(CLIENT_PAGE).toString('base64'),
			}).catch(() => {});
		});
		await cdp.send('Fetch.enable', { patterns: [{ urlPattern: 'https://*', requestStage: 'Request' }] });
		return tab;
	}

	// The facts of the page now shown, plus what happened since the last step.
	async snapshot(name, vp, outDir, resp, extra = {}) {
		const page = this.page;
		await page.waitForLoadState('load');
		const facts = await page.evaluate(readPage);
		const cspEvents = await page.evaluate(() => window.__cspViolations ?? null).catch(() => null);
		const visible = {};
		const vis = async (k, loc) => { visible[k] = await loc.first().isVisible().catch(() => false); };
		await vis('h1', page.locator('h1'));
		await vis('username', page.getByLabel('Username', { exact: true }));
		await vis('password', page.getByLabel('Password', { exact: true }));
		await vis('signIn', page.getByRole('button', { name: 'Sign in', exact: true }));
		await vis('allow', page.getByRole('button', { name: 'Allow', exact: true }));
		await vis('deny', page.getByRole('button', { name: 'Deny', exact: true }));
		let screenshot = null;
		if (outDir) {
			screenshot = path.join(outDir, `${name}-${vp}.png`);
			await page.screenshot({ path: screenshot, fullPage: true });
		}
		const h = resp ? resp.headers() : {};
		const step = {
			status: resp ? resp.status() : null,
			headers: resp ? {
				'content-type': h['content-type'] ?? null,
				'content-security-policy': h['content-security-policy'] ?? null,
				'x-frame-options': h['x-frame-options'] ?? null,
				'cache-control': h['cache-control'] ?? null,
				'x-content-type-options': h['x-content-type-options'] ?? null,
				'referrer-policy': h['referrer-policy'] ?? null,
			} : null,
			...facts,
			visible,
			screenshot,
			console: this.console,
			// Chromium logs a 4xx/5xx answer to the page itself as a console
			// error ("Failed to load resource"); the status is checked
			// separately, so those are kept apart from the real errors.
			// The browser's own /favicon.ico request (the pages name no icon)
			// is kept apart too.
			consoleErrors: this.console.filter((m) => (m.type === 'error' || m.type === 'warning') &&
				!isOwnStatus(m, page.url()) && !isFavicon(m)),
			documentStatusLogs: this.console.filter((m) => isOwnStatus(m, page.url())).map((m) => m.text),
			faviconLogs: this.console.filter(isFavicon).map((m) => `${m.text} (${m.url})`),
			cspConsole: this.console.filter((m) => /Content Security Policy/i.test(m.text)).map((m) => m.text),
			cspEvents,
			pageErrors: this.pageErrors,
			dialogs: this.dialogs,
			failedRequests: this.failed,
			subresources: this.subresources,
			...extra,
		};
		this.reset();
		return step;
	}

	// Submit the form by clicking a button; the response to the POST.
	async submit(buttonName) {
		const posted = this.page.waitForResponse((r) => r.request().method() === 'POST' &&
			r.request().resourceType() === 'document');
		await this.page.getByRole('button', { name: buttonName, exact: true }).click();
		const resp = await posted;
		await this.page.waitForLoadState('load');
		return resp;
	}

	async signIn(user, password) {
		await this.page.getByLabel('Username', { exact: true }).fill(user);
		await this.page.getByLabel('Password', { exact: true }).fill(password);
		return this.submit('Sign in');
	}
}

function isFavicon(m) {
	return /\/favicon\.ico$/.test(m.url) && /^Failed to load resource/.test(m.text);
}

function isOwnStatus(m, url) {
	return m.url === url && /^Failed to load resource: the server responded with a status of \d+/.test(m.text);
}

// A redirect back to the client: the first answer's status and Location,
// and the URL the browser arrived at (answered through the Fetch domain).
function backToClient(first, page) {
	const url = page.url();
	let params = null;
	try {
		const u = new URL(url);
		params = Object.fromEntries(u.searchParams);
		params.__origin = u.origin;
		params.__path = u.pathname;
	} catch (e) { /* not a URL */ }
	return {
		status: first ? first.status() : null,
		location: first ? first.headers().location ?? null : null,
		arrivedAt: url,
		params,
	};
}

// The first response of a navigation that went through redirects.
function firstResponse(resp) {
	let req = resp.request();
	while (req.redirectedFrom()) req = req.redirectedFrom();
	return req.response();
}

// ---- the runs -------------------------------------------------------------

async function mainFlow(browser, vp, o, origin) {
	const r = { steps: {}, callbacks: [] };
	const tab = await Tab.open(browser, vp, origin, false);
	const page = tab.page;
	const authz = o.authorize[vp];
	try {
		let resp = await page.goto(authz);
		r.steps.login = await tab.snapshot('login', vp, o.out, resp);

		resp = await tab.signIn(o.user, `${o.password} (wrong)`);
		r.steps.loginWrong = await tab.snapshot('login-error', vp, o.out, resp);

		resp = await tab.signIn(o.user, o.password);
		r.steps.consent = await tab.snapshot('consent', vp, o.out, resp);

		let post = await tab.submit('Deny');
		await page.waitForURL((u) => u.origin !== origin);
		r.steps.deny = { ...backToClient(post, page), method: 'POST', console: tab.console };
		tab.reset();

		resp = await page.goto(authz);
		r.steps.consentAgain = await tab.snapshot('consent-again', vp, null, resp);

		post = await tab.submit('Allow');
		await page.waitForURL((u) => u.origin !== origin);
		r.steps.allow = { ...backToClient(post, page), method: 'POST', console: tab.console };
		tab.reset();

		resp = await page.goto(authz);
		r.steps.remembered = { ...backToClient(await firstResponse(resp), page), method: 'GET', console: tab.console };
		tab.reset();

		for (const [name, url] of o.error) {
			resp = await page.goto(url);
			r.steps[name] = await tab.snapshot(name, vp, o.out, resp);
		}
	} catch (e) {
		r.error = `${e.message}\n(at ${page.url()})`;
		await page.screenshot({ path: path.join(o.out, `failed-main-${vp}.png`), fullPage: true }).catch(() => {});
	}
	r.callbacks = tab.external;
	await tab.ctx.close();
	return r;
}

async function clientFlow(browser, vp, o, origin) {
	const r = { steps: {} };
	if (o.client.length === 0) return r;
	const tab = await Tab.open(browser, vp, origin, true);
	const page = tab.page;
	try {
		for (const [name, url] of o.client) {
			const resp = await page.goto(url);
			await page.waitForTimeout(200);	// let an injected handler fire, if any
			r.steps[`${name}Login`] = await tab.snapshot(`${name}-login`, vp, o.out, resp);
		}
		// sign in once (on the first client's page); the session then
		// serves every client's consent page
		const [first] = o.client;
		await page.goto(first[1]);
		const signed = await tab.signIn(o.user, o.password);
		r.signInStatus = signed.status();
		tab.reset();
		for (const [name, url] of o.client) {
			const resp = await page.goto(url);
			await page.waitForTimeout(200);
			r.steps[`${name}Consent`] = await tab.snapshot(`${name}-consent`, vp, o.out, resp);
		}
	} catch (e) {
		r.error = `${e.message}\n(at ${page.url()})`;
		await page.screenshot({ path: path.join(o.out, `failed-clients-${vp}.png`), fullPage: true }).catch(() => {});
	}
	r.callbacks = tab.external;
	await tab.ctx.close();
	return r;
}

async function main() {
	const o = parseArgs(process.argv.slice(2));
	mkdirSync(o.out, { recursive: true });
	const origin = new URL(o.authorize[o.viewport[0]]).origin;
	const out = {
		playwright: require('playwright-core/package.json').version,
		chromium: o.chromium,
		origin,
		viewports: {},
	};
	let browser;
	try {
		browser = await chromium.launch({ executablePath: o.chromium, headless: true, args: CHROMIUM_ARGS });
		out.browser = browser.version();
		for (const vp of o.viewport) {
			out.viewports[vp] = {
				...VIEWPORTS[vp],
				main: await mainFlow(browser, vp, o, origin),
				clients: await clientFlow(browser, vp, o, origin),
			};
		}
	} catch (e) {
		out.fatal = String(e && e.stack || e);
	} finally {
		if (browser) await browser.close().catch(() => {});
	}
	process.stdout.write(JSON.stringify(out, null, 1) + '\n');
	process.exit(out.fatal ? 1 : 0);
}

main();
