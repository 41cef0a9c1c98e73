/*
 * authorize.c: the authorization endpoint, the only one a person sees.
 *
 *   GET|POST <mcp_path>/authorize   (and /authorize, SPEC AS-04)
 *   GET|POST <mcp_path>/password    a one-time set-password link
 *
 * An authorization request (authorization code + PKCE S256 only) is
 * checked in the order OAuth 2.1 requires (AZ-01..AZ-16):
 *  1. the client and the redirect URI; if either is wrong the user sees
 *     an error page and is never redirected (AZ-04, S-03: no open
 *     redirect);
 *  2. then response_type, PKCE, resource (RFC 8707) and scope; an error
 *     there goes back to the client as a redirect carrying error, state
 *     and iss (AZ-14, AZ-15).
 * Then the user signs in (login page), and approves or denies (consent
 * page).  Consent is remembered per user, client, registered redirect
 * URI, resource and scope: a returning client with a live login session
 * goes straight back with a code.  Every redirect carries state and iss;
 * after a POST it is a 303, never a 307 (AZ-12, S-14).
 *
 * The login session is a random id in a cookie (__Host- and Secure on
 * https, HttpOnly, SameSite=Lax), stored hashed, with an idle and an
 * absolute lifetime; a successful login replaces it (session fixation).
 * Every POST carries a CSRF token derived from the session id with a
 * keyed hash, so that only a page we served to that browser can post
 * (S-04).  Login attempts are limited per user and per address in
 * PostgreSQL (S-18); an unknown user costs the same argon2id work as a
 * wrong password.  The session, CSRF and password code is
 * src/lib/login.c, shared with the doctor page.  Pages are escaped at the sink (html.c), framed by
 * nobody (CSP frame-ancestors 'none', X-Frame-Options DENY, S-05) and
 * carry no CORS headers (DEP-04).
 *
 * Raises 200 (a page), 302/303 (back to the client), 400, 401 (wrong
 * password), 403 (bad CSRF), 404, 405, 413, 415, 429, 500, 503.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "buf.h"
#include "conf.h"
#include "cookie.h"
#include "db.h"
#include "db_oauth.h"
#include "html.h"
#include "json.h"
#include "log.h"
#include "login.h"
#include "oauth.h"
#include "page.h"
#include "password.h"
#include "secret.h"
#include "templates.h"
#include "url.h"
#include "valid.h"
#include "xmalloc.h"

enum afield {
	F_RESPONSE_TYPE,
	F_CLIENT_ID,
	F_REDIRECT_URI,
	F_SCOPE,
	F_STATE,
	F_CODE_CHALLENGE,
	F_CODE_CHALLENGE_METHOD,
	F_RESOURCE,
	F_CSRF,
	F_STEP,
	F_USERNAME,
	F_PASSWORD,
	F_DECISION,
	F_TOKEN,
	F_PASSWORD2,
	F__MAX
};

static int
valid_token_hex(struct field *f)
{
	size_t	i;

	if (f->len != 64)
		return 0;
	for (i = 0; i < f->len; i++)
		if (!((f->val[i] >= '0' && f->val[i] <= '9') ||
		    (f->val[i] >= 'a' && f->val[i] <= 'f')))
			return 0;
	return 1;
}

/* The OAuth parameters travel through the login and consent forms. */
static const struct field_spec fields[F__MAX] = {
	[F_RESPONSE_TYPE] = { "response_type", NULL, 64 },
	[F_CLIENT_ID] = { "client_id", NULL, 256 },
	[F_REDIRECT_URI] = { "redirect_uri", NULL, OAUTH_URI_MAX },
	[F_SCOPE] = { "scope", NULL, 1024 },
	[F_STATE] = { "state", NULL, 2048 },
	[F_CODE_CHALLENGE] = { "code_challenge", NULL, 128 },
	[F_CODE_CHALLENGE_METHOD] = { "code_challenge_method", NULL, 16 },
	[F_RESOURCE] = { "resource", NULL, OAUTH_URI_MAX },
	[F_CSRF] = { "csrf", NULL, 64 },
	[F_STEP] = { "step", NULL, 16 },
	[F_USERNAME] = { "username", NULL, 256 },
	[F_PASSWORD] = { "password", NULL, PASSWORD_MAX },
	[F_DECISION] = { "decision", NULL, 16 },
	[F_TOKEN] = { "token", valid_token_hex, 64 },
	[F_PASSWORD2] = { "password2", NULL, PASSWORD_MAX },
};

/* A validated authorization request. */
struct authz {
	struct client	 client;
	const char	*redirect_uri;	/* where to send the user back */
	const char	*registered;	/* the registered URI it matched */
	const char	*state;		/* NULL when absent */
	const char	*challenge;
	const char	*resource;	/* the canonical MCP URL */
	char		*scope;		/* what would be granted */
};

static char	*page_csp;	/* this request's Content-Security-Policy */

/* A field's value, or NULL when absent or empty (AZ-01). */
static const char *
fv(const struct req *r, enum afield f)
{
	const struct field *x = &r->fields[f];

	return x->val != NULL && x->len > 0 ? x->val : NULL;
}

/* ---- pages ------------------------------------------------------------- */

/* Send a page: the frame around an already rendered body. */
static void
page(struct req *r, int status, const char *title, const struct buf *body)
{
	page_send(r, status, title, body, page_csp);
}

/*
 * The error page, also the endpoint's way of reporting the errors app.c
 * finds (405, 413, 415, a malformed form): never a redirect.
 */
static void
error_page(struct req *r, int status, const char *code, const char *desc)
{
	struct buf	 body;
	const char	*heading;
	struct tmpl_var	 v[3];

	switch (status) {
	case 429: heading = "Too many attempts"; break;
	case 503: heading = "Temporarily unavailable"; break;
	case 404: heading = "Page not found"; break;
	case 403: heading = "This form has expired"; break;
	default: heading = status >= 500 ? "Something went wrong" :
	    "This request cannot be completed"; break;
	}
	v[0] = (struct tmpl_var){ "heading", heading, 0 };
	v[1] = (struct tmpl_var){ "message", desc != NULL ? desc : code, 0 };
	v[2] = (struct tmpl_var){ "detail", status < 500 ?
	    "Go back to the application you came from and try again. If this keeps happening, contact the site's administrator." :
	    "Please try again in a moment.", 0 };
	buf_init(&body, 65536);
	if (tmpl_render(&body, tmpl_error, v, 3) == 0)
		page(r, status, heading, &body);
	buf_free(&body);
}

/* The hidden inputs that carry the authorization request through a form. */
static void
hidden_inputs(const struct req *r, const char *csrf, struct buf *b)
{
	static const enum afield carried[] = { F_RESPONSE_TYPE, F_CLIENT_ID,
	    F_REDIRECT_URI, F_SCOPE, F_STATE, F_CODE_CHALLENGE,
	    F_CODE_CHALLENGE_METHOD, F_RESOURCE };
	size_t	i;

	for (i = 0; i < sizeof(carried) / sizeof(carried[0]); i++) {
		if (r->fields[carried[i]].val == NULL)
			continue;
		if (buf_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"",
		    fields[carried[i]].name) == -1 ||
		    html_escape(b, r->fields[carried[i]].val) == -1 ||
		    buf_adds(b, "\">\n") == -1)
			return;
	}
	if (buf_adds(b, "<input type=\"hidden\" name=\"csrf\" value=\"") == -1 ||
	    html_escape(b, csrf) == -1 || buf_adds(b, "\">") == -1)
		log_warnx("hidden form fields too long");
}

static const char *
client_label(const struct authz *a)
{
	return a->client.client_name != NULL ? a->client.client_name :
	    "An unnamed application";
}

static const char *
form_action(const struct req *r)
{
	static char	*action;

	free(action);
	action = xasprintf("%s/authorize", r->conf->mcp_path);
	return action;
}

static void
login_page(struct req *r, int status, const struct authz *a, const char *csrf,
    const char *error)
{
	struct buf	 body, hidden, err;
	struct tmpl_var	 v[6];

	buf_init(&body, 65536);
	buf_init(&hidden, 65536);
	buf_init(&err, 4096);
	hidden_inputs(r, csrf, &hidden);
	if (error != NULL && (buf_adds(&err, "<p class=\"notice error\" role=\"alert\">") == -1 ||
	    html_escape(&err, error) == -1 || buf_adds(&err, "</p>") == -1))
		buf_reset(&err);
	v[0] = (struct tmpl_var){ "client_name", client_label(a), 0 };
	/* raw: built above from escaped text */
	v[1] = (struct tmpl_var){ "error", buf_str(&err), 1 };
	v[2] = (struct tmpl_var){ "action", form_action(r), 0 };
	/* raw: hidden_inputs escapes every value */
	v[3] = (struct tmpl_var){ "hidden", buf_str(&hidden), 1 };
	v[4] = (struct tmpl_var){ "username", fv(r, F_USERNAME), 0 };
	v[5] = (struct tmpl_var){ "site", r->conf->resource_name, 0 };
	if (tmpl_render(&body, tmpl_login, v, 6) == 0)
		page(r, status, "Sign in", &body);
	buf_free(&body);
	buf_free(&hidden);
	buf_free(&err);
}

/* A scope in words, for the consent page. */
static const char *
scope_words(const char *s)
{
	if (strcmp(s, "mcp:read") == 0)
		return "Search and read the documents you have access to";
	if (strcmp(s, "mcp:write") == 0)
		return "Make changes through this server's tools";
	return NULL;
}

static void
consent_page(struct req *r, const struct authz *a, const char *csrf,
    const char *user)
{
	struct buf	 body, hidden, scopes, warn;
	struct tmpl_var	 v[8];
	struct url	 u;
	char		*host = NULL, *w;
	const char	*p, *words;
	size_t		 i, n;
	int		 all_loopback = 1;

	buf_init(&body, 65536);
	buf_init(&hidden, 65536);
	buf_init(&scopes, 16384);
	buf_init(&warn, 4096);
	hidden_inputs(r, csrf, &hidden);
	for (p = a->scope; *p != '\0'; p += n) {
		while (*p == ' ')
			p++;
		if ((n = strcspn(p, " ")) == 0)
			break;
		w = xstrndup(p, n);
		if ((words = scope_words(w)) != NULL) {
			if (buf_adds(&scopes, "<li>") == -1 ||
			    html_escape(&scopes, words) == -1 ||
			    buf_adds(&scopes, "</li>") == -1)
				break;
		} else if (buf_adds(&scopes, "<li>Use the permission “") == -1 ||
		    html_escape(&scopes, w) == -1 ||
		    buf_adds(&scopes, "”</li>") == -1)
			break;
		free(w);
	}
	/* S-26, CM-08: warn when the client can only run on this computer */
	for (i = 0; i < a->client.redirect_urisz; i++)
		if (!oauth_redirect_uri_is_loopback(a->client.redirect_uris[i]))
			all_loopback = 0;
	if (all_loopback && buf_adds(&warn,
	    "<p class=\"notice warning\" role=\"note\"><strong>Check that you started this application yourself.</strong> "
	    "It receives the answer on your own computer (localhost), so the name above is not verified. "
	    "If you did not just connect an app, choose Deny.</p>") == -1)
		buf_reset(&warn);
	if (url_parse(a->redirect_uri, strlen(a->redirect_uri), &u) == 0) {
		host = u.port ? xasprintf("%s:%u", u.host, u.port) : xstrdup(u.host);
		url_free(&u);
	}
	v[0] = (struct tmpl_var){ "client_name", client_label(a), 0 };
	v[1] = (struct tmpl_var){ "username", user, 0 };
	/* raw: fixed text */
	v[2] = (struct tmpl_var){ "warning", buf_str(&warn), 1 };
	/* raw: each scope escaped above */
	v[3] = (struct tmpl_var){ "scopes", buf_str(&scopes), 1 };
	v[4] = (struct tmpl_var){ "redirect_host", host, 0 };
	v[5] = (struct tmpl_var){ "action", form_action(r), 0 };
	/* raw: hidden_inputs escapes every value */
	v[6] = (struct tmpl_var){ "hidden", buf_str(&hidden), 1 };
	v[7] = (struct tmpl_var){ "site", r->conf->resource_name, 0 };
	if (tmpl_render(&body, tmpl_consent, v, 8) == 0)
		page(r, 200, "Allow access?", &body);
	free(host);
	buf_free(&body);
	buf_free(&hidden);
	buf_free(&scopes);
	buf_free(&warn);
}

/* ---- redirects back to the client ------------------------------------ */

static int
add_param(struct buf *b, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	if (buf_printf(b, "&%s=", name) == -1)
		return -1;
	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~') {
			if (buf_addc(b, (char)*p) == -1)
				return -1;
		} else if (buf_addc(b, '%') == -1 ||
		    buf_addc(b, hex[*p >> 4]) == -1 ||
		    buf_addc(b, hex[*p & 15]) == -1)
			return -1;
	}
	return 0;
}

/*
 * Send the user back to the client with code or error, always with state
 * (when the client sent one) and iss (RFC 9207).  302 after a GET, 303
 * after a POST (never 307: the POST carried a password, S-14).
 */
static void
back_to_client(struct req *r, const struct authz *a, const char *code,
    const char *error, const char *desc)
{
	struct buf	b;
	size_t		start;

	buf_init(&b, 16384);
	if (buf_adds(&b, a->redirect_uri) == -1)
		goto fail;
	start = b.len;
	if ((code != NULL && add_param(&b, "code", code) == -1) ||
	    (error != NULL && add_param(&b, "error", error) == -1) ||
	    (desc != NULL && add_param(&b, "error_description", desc) == -1) ||
	    (a->state != NULL && add_param(&b, "state", a->state) == -1) ||
	    add_param(&b, "iss", r->conf->issuer) == -1)
		goto fail;
	/* the first parameter joins with '?' unless the URI has a query */
	b.ptr[start] = strchr(a->redirect_uri, '?') != NULL ? '&' : '?';
	resp_redirect(r, r->method == HTTP_POST ? 303 : 302, buf_str(&b));
	buf_free(&b);
	return;
fail:
	buf_free(&b);
	error_page(r, 500, "server_error", "The answer to the application was too long.");
}

/* ---- the authorization request --------------------------------------- */

/*
 * Check the request.  0 with a filled in, or -1 when the answer (an
 * error page or an error redirect) has been made.  authz_free either way.
 */
static int
authz_check(struct req *r, struct authz *a)
{
	const struct conf	*c = r->conf;
	const char		*cid = fv(r, F_CLIENT_ID), *ru = fv(r, F_REDIRECT_URI);
	const char		*rt, *ch, *m, *res, *why = NULL;
	size_t			 i;
	int			 rc;

	memset(a, 0, sizeof(*a));
	/* 1. client and redirect URI: errors here never redirect (AZ-04) */
	if (cid == NULL) {
		error_page(r, 400, "invalid_request", "The request does not name an application (client_id is missing).");
		return -1;
	}
	if ((rc = db_client_get(cid, &a->client)) == -1) {
		app_db_error(r);
		return -1;
	}
	if (rc == 0 || a->client.disabled) {
		error_page(r, 400, "invalid_client", "The application is not registered here (unknown client_id).");
		return -1;
	}
	if (ru != NULL) {
		for (i = 0; i < a->client.redirect_urisz; i++)
			if (oauth_redirect_uri_matches(a->client.redirect_uris[i], ru))
				break;
		if (i == a->client.redirect_urisz) {
			error_page(r, 400, "invalid_request", "The application asked to send you to an address it did not register (redirect_uri mismatch).");
			return -1;
		}
		a->redirect_uri = ru;
		a->registered = a->client.redirect_uris[i];
	} else if (a->client.redirect_urisz == 1) {
		/* AZ-06: optional when exactly one is registered */
		a->redirect_uri = a->registered = a->client.redirect_uris[0];
	} else {
		error_page(r, 400, "invalid_request", "The request does not say where to send you back (redirect_uri is missing).");
		return -1;
	}
	a->state = fv(r, F_STATE);

	/* 2. the rest: errors go back to the client (AZ-15) */
	rt = fv(r, F_RESPONSE_TYPE);
	if (rt == NULL) {
		back_to_client(r, a, NULL, "invalid_request", "response_type is required");
		return -1;
	}
	if (strcmp(rt, "code") != 0) {
		back_to_client(r, a, NULL, "unsupported_response_type", "only response_type=code is supported");
		return -1;
	}
	ch = fv(r, F_CODE_CHALLENGE);
	m = fv(r, F_CODE_CHALLENGE_METHOD);
	if (ch == NULL) {
		back_to_client(r, a, NULL, "invalid_request", "code_challenge is required (PKCE with S256)");
		return -1;
	}
	/* AZ-08: an absent method means plain, which we refuse */
	if (m == NULL || strcmp(m, "S256") != 0) {
		back_to_client(r, a, NULL, "invalid_request", "code_challenge_method must be S256");
		return -1;
	}
	if (!oauth_pkce_challenge_valid(ch, strlen(ch))) {
		back_to_client(r, a, NULL, "invalid_request", "code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~]");
		return -1;
	}
	a->challenge = ch;
	res = fv(r, F_RESOURCE);
	if (res != NULL && !oauth_resource_is_ours(c, res, strlen(res))) {
		back_to_client(r, a, NULL, "invalid_target", "resource must be this server's MCP endpoint");
		return -1;
	}
	a->resource = c->mcp_url;	/* AZ-09: absent means ours */
	if ((a->scope = oauth_scope_request(c, a->client.scope, fv(r, F_SCOPE),
	    &why)) == NULL) {
		back_to_client(r, a, NULL, "invalid_scope", why);
		return -1;
	}
	return 0;
}

static void
authz_free(struct authz *a)
{
	client_free(&a->client);
	free(a->scope);
	memset(a, 0, sizeof(*a));
}

/* The page's CSP: our forms may post to us, and end at the client. */
static void
set_page_csp(const struct authz *a)
{
	struct url	 u;
	char		*origin = NULL;

	free(page_csp);
	page_csp = NULL;
	if (url_parse(a->redirect_uri, strlen(a->redirect_uri), &u) == 0) {
		origin = url_origin(&u);
		url_free(&u);
	}
	/*
	 * form-action also governs where the form's redirect may lead
	 * (browsers apply it to the 303 back to the client), so the
	 * client's origin is listed.
	 */
	page_csp = xasprintf("default-src 'none'; style-src 'self'; "
	    "img-src 'self'; form-action 'self' %s; frame-ancestors 'none'; "
	    "base-uri 'none'", origin != NULL ? origin : "");
	free(origin);
}

/* ---- sessions (login.c) -------------------------------------------------- */

/* The user the front end authenticated, when we trust it; else 0. */
static long long
remote_user(struct req *r, int *failed)
{
	const char	*ru;
	long long	 uid = 0;
	int		 rc;

	*failed = 0;
	if (!r->conf->trust_remote_user ||
	    (ru = req_var(r, RV_REMOTE_USER)) == NULL || *ru == '\0' ||
	    strlen(ru) > 256 || !valid_text(ru, strlen(ru)))
		return 0;
	if ((rc = db_remote_user(ru, &uid)) == -1) {
		*failed = 1;
		app_db_error(r);
		return 0;
	}
	return rc == 1 ? uid : 0;
}

/* ---- outcomes ------------------------------------------------------------ */

/*
 * Issue a code (consent given now, or remembered) and send the user
 * back.  Returns 1 (sent), 0 (remembered consent does not cover it:
 * nothing sent) or -1 (an error answered).
 */
static int
issue(struct req *r, const struct authz *a, long long uid, int remembered)
{
	char			code[SECRET_STRLEN + 1];
	unsigned char		hash[SECRET_HASHBYTES];
	struct code_grant	g;
	int			rc;

	secret_random(code);
	secret_hash(code, SECRET_STRLEN, hash);
	memset(&g, 0, sizeof(g));
	g.user_id = uid;
	g.client_id = a->client.client_id;
	g.registered_redirect = a->registered;
	g.redirect_uri = a->redirect_uri;
	g.resource = a->resource;
	g.scope = a->scope;
	g.challenge = a->challenge;
	g.code_hash = hash;
	g.lifetime = r->conf->code_lifetime;
	g.remote_addr = r->remote_addr;
	rc = remembered ? db_code_if_consented(&g) : db_consent_grant(&g);
	if (rc == -1)
		app_db_error(r);
	else if (rc == 1)
		back_to_client(r, a, code, NULL, NULL);
	else if (!remembered) {
		error_page(r, 500, "server_error", "The code could not be issued.");
		rc = -1;
	}
	secret_wipe(code, sizeof(code));
	return rc;
}

/*
 * The user is known (uid): go back with a code if consent is remembered,
 * else show the consent page.
 */
static void
known_user(struct req *r, const struct authz *a, long long uid,
    const char *name, const char *csrf)
{
	if (issue(r, a, uid, 1) != 0)
		return;		/* a code went back, or an error was answered */
	consent_page(r, a, csrf, name != NULL ? name : "you");
}

static void
do_login(struct req *r, const struct authz *a, struct login *l)
{
	const char	*user = fv(r, F_USERNAME), *pw = fv(r, F_PASSWORD);
	char		*display = NULL;
	char		 sid[SECRET_STRLEN + 1], csrf[SECRET_STRLEN + 1];
	unsigned char	 sid_hash[SECRET_HASHBYTES], csrf_hash[SECRET_HASHBYTES];
	long long	 uid = 0, wait = 0;

	if (user == NULL || pw == NULL) {
		login_page(r, 400, a, l->csrf, "Enter your username and password.");
		return;
	}
	/* S-18: limited per user and per address; argon2id (login.c) */
	switch (login_password(r, user, pw, a->client.client_id, NULL, &uid,
	    &display, &wait)) {
	case LOGIN_OK:
		break;
	case LOGIN_WRONG:
		login_page(r, 401, a, l->csrf, "Wrong username or password.");
		return;
	case LOGIN_LIMITED:
		(void)resp_header(r, "Retry-After", "%lld", wait);
		error_page(r, 429, "too_many_requests",
		    "Too many sign-in attempts. Wait a few minutes, then try again.");
		return;
	case LOGIN_FAILED:
		return;		/* answered */
	default:
		abort();
	}
	/* a fresh session for the signed-in user (session fixation) */
	secret_random(sid);
	secret_hash(sid, SECRET_STRLEN, sid_hash);
	login_csrf_of(sid, csrf);
	secret_hash(csrf, SECRET_STRLEN, csrf_hash);
	if (db_login_ok(l->sid_hash, sid_hash, uid, csrf_hash,
	    r->conf->session_lifetime, r->remote_addr,
	    req_var(r, RV_HTTP_USER_AGENT), a->client.client_id) == -1) {
		free(display);
		app_db_error(r);
		return;
	}
	cookie_set_session(r, login_cookie_name(r->conf), sid,
	    r->conf->session_lifetime);
	log_info("login ok for user %lld", uid);
	/* the same name later visits show (the session's) */
	known_user(r, a, uid, display != NULL ? display : user, csrf);
	free(display);
	secret_wipe(sid, sizeof(sid));
}

static void
do_consent(struct req *r, const struct authz *a, long long uid)
{
	const char	*d = fv(r, F_DECISION);

	if (d != NULL && strcmp(d, "approve") == 0) {
		(void)issue(r, a, uid, 0);
		return;
	}
	if (d != NULL && strcmp(d, "deny") == 0) {
		if (db_audit("consent_denied", uid, a->client.client_id,
		    r->remote_addr, NULL) == -1) {
			app_db_error(r);
			return;
		}
		back_to_client(r, a, NULL, "access_denied", "the user denied the request");
		return;
	}
	error_page(r, 400, "invalid_request", "Choose Allow or Deny.");
}

static void
authorize(struct req *r)
{
	struct authz	a;
	struct login	l;
	long long	uid, ruid;
	const char	*step, *csrf;
	int		failed;

	memset(&l, 0, sizeof(l));
	if (authz_check(r, &a) == -1)
		goto out;
	set_page_csp(&a);
	if (login_load(r, &l) == -1)
		goto out;
	ruid = remote_user(r, &failed);
	if (failed)
		goto out;

	if (r->method != HTTP_POST) {
		if (!l.found && login_start(r, &l) == -1)
			goto out;
		uid = ruid ? ruid : l.s.user_id;
		if (uid != 0)
			known_user(r, &a, uid, ruid ? req_var(r, RV_REMOTE_USER) :
			    l.s.user_name, l.csrf);
		else
			login_page(r, 200, &a, l.csrf, NULL);
		goto out;
	}

	/* POST: only from a page we served to this browser (S-04) */
	csrf = fv(r, F_CSRF);
	if (!login_csrf_ok(&l, csrf)) {
		error_page(r, 403, "invalid_request",
		    "This form is no longer valid (it expired, or did not come from this site). Start again from the application.");
		goto out;
	}
	step = fv(r, F_STEP);
	uid = ruid ? ruid : l.s.user_id;
	if (step != NULL && strcmp(step, "login") == 0)
		do_login(r, &a, &l);
	else if (step != NULL && strcmp(step, "consent") == 0) {
		if (uid == 0)
			login_page(r, 401, &a, l.csrf, "Your session ended. Sign in again.");
		else
			do_consent(r, &a, uid);
	} else
		error_page(r, 400, "invalid_request", "Unknown form step.");
out:
	login_free(&l);
	authz_free(&a);
}

/* ---- set-password links ---------------------------------------------- */

static void
password_form(struct req *r, int status, const char *user, const char *token,
    const char *error)
{
	struct buf	 body, err;
	struct tmpl_var	 v[4];
	char		*action = xasprintf("%s/password", r->conf->mcp_path);

	buf_init(&body, 65536);
	buf_init(&err, 4096);
	if (error != NULL && (buf_adds(&err, "<p class=\"notice error\" role=\"alert\">") == -1 ||
	    html_escape(&err, error) == -1 || buf_adds(&err, "</p>") == -1))
		buf_reset(&err);
	v[0] = (struct tmpl_var){ "username", user, 0 };
	/* raw: built above from escaped text */
	v[1] = (struct tmpl_var){ "error", buf_str(&err), 1 };
	v[2] = (struct tmpl_var){ "action", action, 0 };
	v[3] = (struct tmpl_var){ "token", token, 0 };
	free(page_csp);
	page_csp = xstrdup("default-src 'none'; style-src 'self'; img-src 'self'; "
	    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
	if (tmpl_render(&body, tmpl_password, v, 4) == 0)
		page(r, status, "Choose a password", &body);
	free(action);
	buf_free(&body);
	buf_free(&err);
}

static void
set_password(struct req *r)
{
	const char	*tok = fv(r, F_TOKEN), *pw, *pw2;
	unsigned char	 th[SECRET_HASHBYTES];
	char		 hash[PASSWORD_HASHLEN], *user = NULL;
	long long	 uid;
	int		 rc;
	struct buf	 body;
	struct tmpl_var	 v[3];

	if (tok == NULL) {
		error_page(r, 400, "invalid_request", "This link is incomplete. Copy the whole link you were given.");
		return;
	}
	secret_hash(tok, strlen(tok), th);
	if ((rc = db_password_link(th, &uid, &user)) == -1) {
		app_db_error(r);
		return;
	}
	if (rc == 0) {
		error_page(r, 400, "invalid_request", "This link is invalid, was already used, or has expired. Ask the administrator for a new one.");
		return;
	}
	if (r->method != HTTP_POST) {
		password_form(r, 200, user, tok, NULL);
		goto out;
	}
	pw = fv(r, F_PASSWORD);
	pw2 = fv(r, F_PASSWORD2);
	if (pw == NULL || pw2 == NULL || strcmp(pw, pw2) != 0) {
		password_form(r, 400, user, tok, "The two passwords differ.");
		goto out;
	}
	if (!password_acceptable(pw, strlen(pw))) {
		password_form(r, 400, user, tok, "Use at least 8 characters.");
		goto out;
	}
	if (password_hash(pw, strlen(pw), hash) == -1) {
		error_page(r, 500, "server_error", "The password could not be stored.");
		goto out;
	}
	if ((rc = db_password_set(th, hash, r->remote_addr)) == -1) {
		app_db_error(r);
		goto out;
	}
	if (rc == 0) {
		error_page(r, 400, "invalid_request", "This link is invalid, was already used, or has expired.");
		goto out;
	}
	v[0] = (struct tmpl_var){ "heading", "Password set", 0 };
	v[1] = (struct tmpl_var){ "message", "Your password is set. Go back to the application and sign in.", 0 };
	v[2] = (struct tmpl_var){ "detail", "You can close this page.", 0 };
	buf_init(&body, 65536);
	if (tmpl_render(&body, tmpl_error, v, 3) == 0)
		page(r, 200, "Password set", &body);
	buf_free(&body);
out:
	sodium_memzero(hash, sizeof(hash));
	free(user);
}

static void
handle(struct req *r)
{
	const char	*mp = r->conf->mcp_path;
	size_t		 ml = strlen(mp);

	free(page_csp);
	page_csp = NULL;
	if (strncmp(r->path, mp, ml) == 0 && strcmp(r->path + ml, "/password") == 0)
		set_password(r);
	else if ((strncmp(r->path, mp, ml) == 0 &&
	    strcmp(r->path + ml, "/authorize") == 0) ||
	    strcmp(r->path, "/authorize") == 0)
		authorize(r);
	else
		error_page(r, 404, "not_found", "There is no page at this address.");
}

static const struct endpoint endpoint = {
	.name = "authorize",
	.methods = HTTP_M(HTTP_GET) | HTTP_M(HTTP_HEAD) | HTTP_M(HTTP_POST),
	.body = BODY_FORM,
	.body_max = 16384,
	.fields = fields,
	.fieldsz = F__MAX,
	.flags = EP_DB,
	.handle = handle,
	.error = error_page,
};

int
main(void)
{
	return app_run(&endpoint);
}
