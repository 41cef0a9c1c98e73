/*
 * test_doctor.c: the connector doctor's judgements (src/lib/doctor.c),
 * fed the answers real servers give and some they rarely do: Bearer
 * challenges with and without error= (RS-04), metadata documents that are
 * ours, another configuration's, another application's or blocked, the
 * issuer against the page's own origin, https, the database, clocks,
 * FastCGI or CGI; and the small parsers (WWW-Authenticate, HTTP-date,
 * admin_users, the Server header).  No network: doctor_run itself is
 * exercised by tests/integration/t48-doctor.t.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "doctor.h"
#include "tap.h"
#include "xmalloc.h"

static const char base_conf[] =
    "issuer = https://kb.example.org\n"
    "database = dbname=x\n";

static void
load_text(struct conf *c, const char *text)
{
	char	 err[512];

	memset(c, 0, sizeof(*c));
	if (conf_parse(text, strlen(text), "/etc/mcpgate.conf", c, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "test config refused: %s\n", err);
		exit(1);
	}
}

static void
load(struct conf *c, const char *extra)
{
	char	*text = xasprintf("%s%s", base_conf, extra);

	load_text(c, text);
	free(text);
}

static int
has(const char *s, const char *needle)
{
	return s != NULL && strstr(s, needle) != NULL;
}

/* An answer with status, content type and body (answered). */
static struct doctor_http
answer(long status, const char *ctype, const char *body)
{
	struct doctor_http	h;

	memset(&h, 0, sizeof(h));
	h.answered = 1;
	h.status = status;
	h.content_type = ctype;
	h.body = body != NULL ? body : "";
	h.bodysz = strlen(h.body);
	return h;
}

static struct doctor_item
item(const char *key)
{
	struct doctor_item	it;

	memset(&it, 0, sizeof(it));
	it.key = key;
	it.title = key;
	return it;
}

static void
test_challenge(void)
{
	static const struct {
		const char	*v;
		int		 found;
		const char	*error, *rm, *scope;
	} t[] = {
		{ "Bearer resource_metadata=\"https://h/.well-known/oauth-protected-resource/mcp\", scope=\"mcp:read\"",
		    1, NULL, "https://h/.well-known/oauth-protected-resource/mcp", "mcp:read" },
		{ "Bearer error=\"invalid_token\", error_description=\"malformed, really\", resource_metadata=\"https://h/x\", scope=\"a b\"",
		    1, "invalid_token", "https://h/x", "a b" },
		/* scheme case-insensitive (RFC 9110 §11.1), token form of a value */
		{ "bearer error=invalid_token", 1, "invalid_token", NULL, NULL },
		{ "BEARER   error = \"invalid_token\"", 1, "invalid_token", NULL, NULL },
		/* quoted-pair */
		{ "Bearer error_description=\"a \\\"quoted\\\" word\", error=\"x\\\\y\"", 1, "x\\y", NULL, NULL },
		/* another challenge first, in the same field */
		{ "Basic realm=\"site, with comma\", Bearer error=\"invalid_token\"", 1, "invalid_token", NULL, NULL },
		/* Bearer first, then another scheme whose params must not count */
		{ "Bearer scope=\"s\", Basic realm=\"r\", error=\"nope\"", 1, NULL, NULL, "s" },
		/* a repeated parameter: the first counts */
		{ "Bearer error=\"invalid_token\", error=\"other\"", 1, "invalid_token", NULL, NULL },
		{ "Bearer", 1, NULL, NULL, NULL },
		{ "Basic realm=\"x\"", 0, NULL, NULL, NULL },
		{ "Negotiate abc==", 0, NULL, NULL, NULL },
		{ "", 0, NULL, NULL, NULL },
		{ "Bearerx error=\"invalid_token\"", 0, NULL, NULL, NULL },
		/* an unterminated quoted string is skipped, not read past */
		{ "Bearer error=\"invalid_token", 1, NULL, NULL, NULL },
		{ ",,, Bearer ,, scope=\"z\"", 1, NULL, NULL, "z" },
	};
	struct doctor_challenge	c;
	size_t			i;
	int			f;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		f = doctor_parse_challenge(t[i].v, &c);
		is_int(f, t[i].found, "challenge %zu: Bearer %s", i,
		    t[i].found ? "found" : "absent");
		ok((c.error == NULL && t[i].error == NULL) ||
		    (c.error != NULL && t[i].error != NULL &&
		    strcmp(c.error, t[i].error) == 0),
		    "challenge %zu: error %s", i, c.error ? c.error : "(none)");
		ok((c.resource_metadata == NULL && t[i].rm == NULL) ||
		    (c.resource_metadata != NULL && t[i].rm != NULL &&
		    strcmp(c.resource_metadata, t[i].rm) == 0),
		    "challenge %zu: resource_metadata", i);
		ok((c.scope == NULL && t[i].scope == NULL) ||
		    (c.scope != NULL && t[i].scope != NULL &&
		    strcmp(c.scope, t[i].scope) == 0),
		    "challenge %zu: scope", i);
		doctor_challenge_free(&c);
	}
	is_int(doctor_parse_challenge(NULL, &c), 0, "challenge: NULL header");
	doctor_challenge_free(&c);
}

static void
test_date(void)
{
	static const struct {
		const char	*s;
		int		 good;
		long long	 t;
	} t[] = {
		{ "Sun, 06 Nov 1994 08:49:37 GMT", 1, 784111777 },	/* RFC 9110 §5.6.7 */
		{ "Thu, 01 Jan 1970 00:00:00 GMT", 1, 0 },
		{ "Thu, 26 Nov 2026 18:39:45 GMT", 1, 1795718385 },
		{ "Sat, 29 Feb 2020 23:59:59 GMT", 1, 1583020799 },
		{ "Sunday, 06-Nov-94 08:49:37 GMT", 0, 0 },	/* RFC 850, obsolete */
		{ "Sun Nov  6 08:49:37 1994", 0, 0 },		/* asctime, obsolete */
		{ "Mon, 06 Nov 1994 08:49:37 GMT", 0, 0 },	/* wrong weekday */
		{ "Sun, 31 Feb 1994 08:49:37 GMT", 0, 0 },	/* no such day */
		{ "Sun, 06 Nov 1994 24:49:37 GMT", 0, 0 },
		{ "Sun, 06 Nov 1994 08:49:37 UTC", 0, 0 },
		{ "Sun, 06 Foo 1994 08:49:37 GMT", 0, 0 },
		{ "Sun, 06 Nov 1994 08:49:37 GMT ", 0, 0 },
		{ "", 0, 0 },
	};
	time_t	v;
	size_t	i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		v = 0;
		is_int(doctor_http_date(t[i].s, &v), t[i].good, "date \"%s\" %s",
		    t[i].s, t[i].good ? "read" : "refused");
		if (t[i].good)
			is_int((long long)v, t[i].t, "  = %lld", t[i].t);
	}
	is_int(doctor_http_date(NULL, &v), 0, "date: NULL");
}

static void
test_small(void)
{
	is_int(doctor_is_admin("alice bob", "bob"), 1, "admin: listed");
	is_int(doctor_is_admin("alice bob", "BOB"), 1, "admin: case-insensitive, like the user look-up");
	is_int(doctor_is_admin("  alice\tbob  ", "alice"), 1, "admin: blanks around");
	is_int(doctor_is_admin("alice bob", "bo"), 0, "admin: a prefix is not a name");
	is_int(doctor_is_admin("alice bob", "alice bob"), 0, "admin: two names are not one");
	is_int(doctor_is_admin("alice", ""), 0, "admin: empty name");
	is_int(doctor_is_admin(NULL, "alice"), 0, "admin: unset means nobody");
	is_int(doctor_is_admin("", "alice"), 0, "admin: empty list");

	is_int(doctor_frontend_of("Apache/2.4.71 (Debian) mod_fcgid/2.3.9"), DOCTOR_FE_APACHE, "Server: Apache/…");
	is_int(doctor_frontend_of("Apache"), DOCTOR_FE_APACHE, "Server: Apache (ServerTokens Prod)");
	is_int(doctor_frontend_of("lighttpd/1.4.69"), DOCTOR_FE_LIGHTTPD, "Server: lighttpd/…");
	is_str(doctor_frontend_name(doctor_frontend_of("lighttpd/1.4.69")), "lighttpd", "its name: lighttpd");
	is_str(doctor_frontend_name(DOCTOR_FE_APACHE), "Apache", "its name: Apache");
	is_str(doctor_frontend_name(doctor_frontend_of("cloudflare")), "not recognised", "its name: not recognised");
	is_int(doctor_frontend_of("nginx/1.22.1"), DOCTOR_FE_UNKNOWN, "Server: nginx");
	is_int(doctor_frontend_of("cloudflare"), DOCTOR_FE_UNKNOWN, "Server: a CDN");
	is_int(doctor_frontend_of("ApacheTrafficServer"), DOCTOR_FE_UNKNOWN, "Server: not Apache httpd");
	is_int(doctor_frontend_of(NULL), DOCTOR_FE_UNKNOWN, "no Server header");

	ok(doctor_fix_shown(DOCTOR_FE_APACHE, DOCTOR_FIX_HTACCESS) &&
	    doctor_fix_shown(DOCTOR_FE_APACHE, DOCTOR_FIX_APACHE) &&
	    doctor_fix_shown(DOCTOR_FE_APACHE, DOCTOR_FIX_ANY) &&
	    !doctor_fix_shown(DOCTOR_FE_APACHE, DOCTOR_FIX_LIGHTTPD),
	    "Apache: both Apache forms and the general advice, not lighttpd's");
	ok(doctor_fix_shown(DOCTOR_FE_LIGHTTPD, DOCTOR_FIX_LIGHTTPD) &&
	    !doctor_fix_shown(DOCTOR_FE_LIGHTTPD, DOCTOR_FIX_HTACCESS),
	    "lighttpd: its own");
	ok(doctor_fix_shown(DOCTOR_FE_UNKNOWN, DOCTOR_FIX_LIGHTTPD) &&
	    doctor_fix_shown(DOCTOR_FE_UNKNOWN, DOCTOR_FIX_APACHE),
	    "unknown front end: every fix");
	is_str(doctor_status_name(DOCTOR_WARN), "warning", "status names");
}

static void
test_authorization(void)
{
	struct conf		c;
	struct doctor_http	h;
	struct doctor_item	it;

	load(&c, "");
	memset(&h, 0, sizeof(h));
	h.error = "Failed to connect to kb.example.org port 443";
	it = item("authorization");
	doctor_judge_authorization(&c, &h, &it);
	is_int(it.status, DOCTOR_FAIL, "auth: no answer fails");
	ok(has(it.detail, "Failed to connect"), "  says why");
	ok(has(it.fix[DOCTOR_FIX_ANY], "Nothing answered at kb.example.org"), "  the fix names the host");
	doctor_item_free(&it);

	h.tls_error = 1;
	h.error = "SSL certificate problem: self-signed certificate";
	it = item("authorization");
	doctor_judge_authorization(&c, &h, &it);
	is_int(it.status, DOCTOR_FAIL, "auth: TLS failure fails");
	ok(has(it.fix[DOCTOR_FIX_APACHE], "SSLCertificateFile") &&
	    has(it.fix[DOCTOR_FIX_LIGHTTPD], "ssl.pemfile"),
	    "  the fix: a certificate, for Apache and lighttpd");
	doctor_item_free(&it);

	/* the header stripped: 401 without error (RS-04) */
	h = answer(401, "application/json", "{}");
	h.www_authenticate = "Bearer resource_metadata=\"https://kb.example.org/.well-known/oauth-protected-resource/mcp\", scope=\"mcp:read\"";
	it = item("authorization");
	doctor_judge_authorization(&c, &h, &it);
	is_int(it.status, DOCTOR_FAIL, "auth: 401 without error= → stripped, failed");
	ok(has(it.detail, "stripped"), "  says stripped");
	ok(has(it.fix[DOCTOR_FIX_APACHE], "CGIPassAuth On"), "  Apache: CGIPassAuth On");
	ok(has(it.fix[DOCTOR_FIX_HTACCESS], "[E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]"),
	    "  .htaccess: the rewrite E= rule");
	ok(has(it.fix[DOCTOR_FIX_LIGHTTPD], "setenv.set-request-header"), "  lighttpd: what could drop it");
	doctor_item_free(&it);

	/* arrived */
	h.www_authenticate = "Bearer error=\"invalid_token\", error_description=\"malformed access token\", resource_metadata=\"https://kb.example.org/.well-known/oauth-protected-resource/mcp\", scope=\"mcp:read\"";
	it = item("authorization");
	doctor_judge_authorization(&c, &h, &it);
	is_int(it.status, DOCTOR_OK, "auth: 401 with error=\"invalid_token\" → ok");
	ok(it.fix[DOCTOR_FIX_ANY] == NULL, "  no fix");
	doctor_item_free(&it);

	/* arrived, but the programs name another metadata URL */
	h.www_authenticate = "Bearer error=\"invalid_token\", resource_metadata=\"https://other.example/.well-known/oauth-protected-resource/mcp\"";
	it = item("authorization");
	doctor_judge_authorization(&c, &h, &it);
	is_int(it.status, DOCTOR_WARN, "auth: token arrives, other resource_metadata → warning");
	ok(has(it.fix[DOCTOR_FIX_APACHE], "Define MCPGATE_CONFIG /etc/mcpgate.conf") &&
	    has(it.fix[DOCTOR_FIX_LIGHTTPD], "var.mcpgate_config = \"/etc/mcpgate.conf\"") &&
	    has(it.fix[DOCTOR_FIX_HTACCESS], "SetEnv MCPGATE_CONFIG /etc/mcpgate.conf"),
	    "  the fix: point the front end at this file");
	doctor_item_free(&it);

	h.www_authenticate = "Bearer error=\"insufficient_scope\"";
	it = item("authorization");
	doctor_judge_authorization(&c, &h, &it);
	is_int(it.status, DOCTOR_FAIL, "auth: another error → not ours, failed");
	doctor_item_free(&it);

	h.www_authenticate = "Basic realm=\"members\"";
	it = item("authorization");
	doctor_judge_authorization(&c, &h, &it);
	is_int(it.status, DOCTOR_FAIL, "auth: 401 Basic (the site's own password) → failed");
	ok(has(it.detail, "without a Bearer challenge"), "  says so");
	doctor_item_free(&it);

	h.www_authenticate = NULL;
	it = item("authorization");
	doctor_judge_authorization(&c, &h, &it);
	is_int(it.status, DOCTOR_FAIL, "auth: 401 without any challenge → failed");
	doctor_item_free(&it);

	h = answer(503, "application/json", "{}");
	it = item("authorization");
	doctor_judge_authorization(&c, &h, &it);
	is_int(it.status, DOCTOR_WARN, "auth: 503 (no database) → not known, a warning");
	ok(has(it.fix[DOCTOR_FIX_ANY], "database check"), "  points at the database check");
	doctor_item_free(&it);

	h = answer(500, "application/json", "{}");
	it = item("authorization");
	doctor_judge_authorization(&c, &h, &it);
	is_int(it.status, DOCTOR_FAIL, "auth: 500 → failed");
	ok(has(it.fix[DOCTOR_FIX_ANY], "error log"), "  the error log says why");
	doctor_item_free(&it);

	h = answer(404, "text/html", "<html>");
	it = item("authorization");
	doctor_judge_authorization(&c, &h, &it);
	is_int(it.status, DOCTOR_FAIL, "auth: 404 → not routed, failed");
	ok(has(it.fix[DOCTOR_FIX_LIGHTTPD], "url.rewrite-once"), "  lighttpd: the include's rewrite");
	doctor_item_free(&it);

	h = answer(200, "application/json", "{}");
	it = item("authorization");
	doctor_judge_authorization(&c, &h, &it);
	is_int(it.status, DOCTOR_FAIL, "auth: 200 to an invalid token → not mcpgate, failed");
	doctor_item_free(&it);

	h = answer(301, "text/html", "");
	h.location = "https://kb.example.org/mcp/";
	it = item("authorization");
	doctor_judge_authorization(&c, &h, &it);
	is_int(it.status, DOCTOR_FAIL, "auth: a redirect → failed");
	ok(has(it.detail, "https://kb.example.org/mcp/") &&
	    has(it.fix[DOCTOR_FIX_ANY], "do not follow"), "  reported, not followed");
	doctor_item_free(&it);
	conf_free(&c);
}

static void
test_documents(void)
{
	static const char as_ok[] = "{\"issuer\":\"https://kb.example.org\",\"token_endpoint\":\"https://kb.example.org/mcp/token\"}";
	static const char prm_ok[] = "{\"resource\":\"https://kb.example.org/mcp\",\"authorization_servers\":[\"https://other.example\",\"https://kb.example.org\"]}";
	static const char *const wk = "https://kb.example.org/.well-known/oauth-authorization-server";
	static const char *const wkp = "https://kb.example.org/.well-known/oauth-protected-resource/mcp";
	static const struct {
		enum doctor_doc	 kind;
		long		 status;
		const char	*ctype, *body;
		int		 want;
		const char	*detail;
	} t[] = {
		{ DOCTOR_DOC_AS, 200, "application/json", as_ok, DOCTOR_OK, "issuer https://kb.example.org" },
		{ DOCTOR_DOC_AS, 200, "application/json; charset=utf-8", as_ok, DOCTOR_OK, "this server's" },
		{ DOCTOR_DOC_AS, 200, "application/json", "{\"issuer\":\"https://kb.example.org/\"}", DOCTOR_FAIL, "discard" },
		{ DOCTOR_DOC_AS, 200, "application/json", "{\"issuer\":\"http://kb.example.org\"}", DOCTOR_FAIL, "issuer is http://kb.example.org" },
		{ DOCTOR_DOC_AS, 200, "application/json", "{\"token_endpoint\":\"x\"}", DOCTOR_FAIL, "without an issuer" },
		{ DOCTOR_DOC_AS, 200, "application/json", "[]", DOCTOR_FAIL, "not a JSON object" },
		{ DOCTOR_DOC_AS, 200, "application/json", "{\"issuer\":", DOCTOR_FAIL, "not JSON" },
		{ DOCTOR_DOC_AS, 200, "text/html; charset=UTF-8", "<!doctype html><title>My blog</title>", DOCTOR_FAIL, "an HTML page" },
		{ DOCTOR_DOC_AS, 200, "text/plain", as_ok, DOCTOR_FAIL, "Content-Type text/plain" },
		{ DOCTOR_DOC_AS, 200, NULL, as_ok, DOCTOR_FAIL, "Content-Type (none)" },
		{ DOCTOR_DOC_AS, 403, "text/html", "<html>Forbidden</html>", DOCTOR_FAIL, "403 (an HTML page)" },
		{ DOCTOR_DOC_AS, 404, "application/json", "{\"error\":\"not_found\"}", DOCTOR_FAIL, "404" },
		{ DOCTOR_DOC_AS, 302, "text/html", "", DOCTOR_FAIL, "a redirect" },
		{ DOCTOR_DOC_AS, 500, "application/json", "{}", DOCTOR_FAIL, "500" },
		{ DOCTOR_DOC_PRM, 200, "application/json", prm_ok, DOCTOR_OK, "resource https://kb.example.org/mcp" },
		{ DOCTOR_DOC_PRM, 200, "application/json", "{\"resource\":\"https://kb.example.org/mcp/\",\"authorization_servers\":[\"https://kb.example.org\"]}", DOCTOR_FAIL, "MCP URL is https://kb.example.org/mcp" },
		{ DOCTOR_DOC_PRM, 200, "application/json", "{\"resource\":\"https://kb.example.org/mcp\",\"authorization_servers\":[\"https://as.example\"]}", DOCTOR_FAIL, "does not list" },
		{ DOCTOR_DOC_PRM, 200, "application/json", "{\"resource\":\"https://kb.example.org/mcp\"}", DOCTOR_FAIL, "does not list" },
		{ DOCTOR_DOC_PRM, 200, "application/json", as_ok, DOCTOR_FAIL, "without a resource" },
	};
	struct conf		c, cb;
	struct doctor_http	h;
	struct doctor_item	it;
	size_t			i;

	load(&c, "");
	load(&cb, "well_known_blocked = yes\n");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		h = answer(t[i].status, t[i].ctype, t[i].body);
		h.location = "https://elsewhere.example/";
		it = item("doc");
		doctor_judge_document(&c, t[i].kind, t[i].kind == DOCTOR_DOC_AS ?
		    wk : wkp, &h, &it);
		is_int(it.status, t[i].want, "document %zu: %ld %s → %s", i,
		    t[i].status, t[i].ctype ? t[i].ctype : "-",
		    doctor_status_name(t[i].want));
		ok(has(it.detail, t[i].detail), "  detail \"%s\" has \"%s\"",
		    it.detail, t[i].detail);
		ok((it.status == DOCTOR_OK) == (it.fix[DOCTOR_FIX_ANY] == NULL),
		    "  a fix exactly when not ok");
		doctor_item_free(&it);
	}

	/* blocked or taken: the fix suggests well_known_blocked */
	h = answer(403, "text/html", "<html>");
	it = item("doc");
	doctor_judge_document(&c, DOCTOR_DOC_AS, wk, &h, &it);
	ok(has(it.fix[DOCTOR_FIX_ANY], "well_known_blocked = yes in /etc/mcpgate.conf"),
	    "blocked: suggests well_known_blocked = yes");
	ok(has(it.fix[DOCTOR_FIX_APACHE], "Require all granted") &&
	    has(it.fix[DOCTOR_FIX_HTACCESS], ".well-known/") &&
	    has(it.fix[DOCTOR_FIX_LIGHTTPD], "/_mcpgate/well-known"),
	    "  with the directives for Apache, .htaccess and lighttpd");
	doctor_item_free(&it);
	/* … which, when set, makes a blocked well-known URL a warning */
	it = item("doc");
	doctor_judge_document(&cb, DOCTOR_DOC_AS, wk, &h, &it);
	is_int(it.status, DOCTOR_WARN, "well_known_blocked = yes: a blocked /.well-known URL is a warning");
	ok(has(it.fix[DOCTOR_FIX_ANY], "https://kb.example.org/mcp/oauth-protected-resource"),
	    "  naming the copy clients use instead");
	doctor_item_free(&it);
	/* … but not the copy under the MCP path */
	h = answer(404, "text/html", "<html>");
	it = item("doc");
	doctor_judge_document(&cb, DOCTOR_DOC_PRM, cb.prm_url, &h, &it);
	is_int(it.status, DOCTOR_FAIL, "well_known_blocked = yes: the copy under the MCP path must answer");
	ok(has(it.fix[DOCTOR_FIX_ANY], "/mcp/oauth-protected-resource"), "  routing fix names the path");
	doctor_item_free(&it);
	/* and a document of another configuration is never excused */
	h = answer(200, "application/json", "{\"issuer\":\"https://old.example\"}");
	it = item("doc");
	doctor_judge_document(&cb, DOCTOR_DOC_AS, wk, &h, &it);
	is_int(it.status, DOCTOR_FAIL, "well_known_blocked = yes: another issuer still fails");
	doctor_item_free(&it);

	memset(&h, 0, sizeof(h));
	h.error = "Operation timed out after 5001 milliseconds";
	it = item("doc");
	doctor_judge_document(&c, DOCTOR_DOC_PRM, wkp, &h, &it);
	is_int(it.status, DOCTOR_FAIL, "document: no answer fails");
	ok(has(it.detail, "timed out"), "  says why");
	doctor_item_free(&it);
	conf_free(&c);
	conf_free(&cb);
}

static void
test_issuer(void)
{
	struct conf		c, local;
	struct doctor_page	p;
	struct doctor_item	it;

	load(&c, "");
	it = item("issuer");
	doctor_judge_issuer(&c, "https://kb.example.org", NULL, &it);
	is_int(it.status, DOCTOR_OK, "issuer: published as configured");
	doctor_item_free(&it);
	it = item("issuer");
	doctor_judge_issuer(&c, "https://www.kb.example.org", NULL, &it);
	is_int(it.status, DOCTOR_FAIL, "issuer: another one published → failed");
	ok(has(it.detail, "www.kb.example.org"), "  names it");
	doctor_item_free(&it);
	it = item("issuer");
	doctor_judge_issuer(&c, NULL, NULL, &it);
	is_int(it.status, DOCTOR_WARN, "issuer: nothing readable → not compared, a warning");
	doctor_item_free(&it);

	memset(&p, 0, sizeof(p));
	p.scheme = "https";
	p.host = "KB.example.org:443";
	it = item("issuer");
	doctor_judge_issuer(&c, "https://kb.example.org", &p, &it);
	is_int(it.status, DOCTOR_OK, "issuer: page reached at the issuer (case, default port)");
	doctor_item_free(&it);

	p.scheme = "http";
	p.host = "kb.example.org";
	it = item("issuer");
	doctor_judge_issuer(&c, "https://kb.example.org", &p, &it);
	is_int(it.status, DOCTOR_WARN, "issuer: page over http, issuer https → warning (scheme mix-up)");
	ok(has(it.fix[DOCTOR_FIX_ANY], "X-Forwarded-Proto") &&
	    has(it.fix[DOCTOR_FIX_LIGHTTPD], "url.redirect"), "  fix: the proxy hop, or a redirect");
	doctor_item_free(&it);

	p.forwarded_proto = "https";
	it = item("issuer");
	doctor_judge_issuer(&c, "https://kb.example.org", &p, &it);
	is_int(it.status, DOCTOR_OK, "issuer: http behind a proxy that says https → ok");
	doctor_item_free(&it);

	p.forwarded_proto = NULL;
	p.scheme = "https";
	p.host = "mcp.internal.example:8443";
	it = item("issuer");
	doctor_judge_issuer(&c, "https://kb.example.org", &p, &it);
	is_int(it.status, DOCTOR_WARN, "issuer: page reached under another host → warning");
	ok(has(it.fix[DOCTOR_FIX_ANY], "issuer = https://mcp.internal.example:8443"),
	    "  suggests that origin as the issuer, if it is the public one");
	doctor_item_free(&it);

	p.host = "bad host/";
	it = item("issuer");
	doctor_judge_issuer(&c, "https://kb.example.org", &p, &it);
	is_int(it.status, DOCTOR_WARN, "issuer: a Host that is not a host → warning");
	doctor_item_free(&it);

	/* the published issuer is judged before the page's origin */
	p.host = "kb.example.org";
	it = item("issuer");
	doctor_judge_issuer(&c, "https://other.example", &p, &it);
	is_int(it.status, DOCTOR_FAIL, "issuer: another published issuer fails even at the right origin");
	doctor_item_free(&it);

	load_text(&local, "issuer = http://127.0.0.1:8080\ndatabase = x\n");
	p.scheme = "http";
	p.host = "127.0.0.1:8080";
	it = item("issuer");
	doctor_judge_issuer(&local, "http://127.0.0.1:8080", &p, &it);
	is_int(it.status, DOCTOR_OK, "issuer: loopback http with a port");
	doctor_item_free(&it);
	p.host = "localhost:8080";
	it = item("issuer");
	doctor_judge_issuer(&local, "http://127.0.0.1:8080", &p, &it);
	is_int(it.status, DOCTOR_WARN, "issuer: localhost is not 127.0.0.1 (another origin)");
	doctor_item_free(&it);
	conf_free(&local);
	conf_free(&c);
}

static void
test_https(void)
{
	struct conf		c;
	struct doctor_http	h;
	struct doctor_item	it;
	char			*saved, plain[] = "http://kb.example.org",
				 local[] = "http://localhost:8080";

	load(&c, "");
	h = answer(200, "application/json", "{}");
	it = item("https");
	doctor_judge_https(&c, &h, &it);
	is_int(it.status, DOCTOR_OK, "https: answered over verified TLS");
	doctor_item_free(&it);
	memset(&h, 0, sizeof(h));
	h.tls_error = 1;
	h.error = "SSL: no alternative certificate subject name matches target host name 'kb.example.org'";
	it = item("https");
	doctor_judge_https(&c, &h, &it);
	is_int(it.status, DOCTOR_FAIL, "https: a certificate for another name fails");
	ok(has(it.detail, "subject name"), "  with curl's reason");
	doctor_item_free(&it);
	h.tls_error = 0;
	h.error = "Could not resolve host: kb.example.org";
	it = item("https");
	doctor_judge_https(&c, &h, &it);
	is_int(it.status, DOCTOR_WARN, "https: no answer at all → not known");
	doctor_item_free(&it);

	/* conf.c refuses these, but the check must not depend on it */
	saved = c.issuer;
	c.issuer = plain;
	it = item("https");
	doctor_judge_https(&c, &h, &it);
	is_int(it.status, DOCTOR_FAIL, "https: plain http on a public host fails");
	doctor_item_free(&it);
	c.issuer = local;
	it = item("https");
	doctor_judge_https(&c, &h, &it);
	is_int(it.status, DOCTOR_OK, "https: http on localhost is fine for testing");
	doctor_item_free(&it);
	c.issuer = saved;
	conf_free(&c);
}

static void
test_database_clock_mode(void)
{
	struct conf		c;
	struct doctor_item	it;
	struct doctor_http	h;
	struct doctor_page	p;
	double			a, b;

	load(&c, "");
	it = item("database");
	doctor_judge_database(&c, 1, 1, NULL, &it);
	is_int(it.status, DOCTOR_OK, "database: connected, schema current");
	doctor_item_free(&it);
	it = item("database");
	doctor_judge_database(&c, 0, -1, "cannot connect: connection to server on socket \"/x/.s.PGSQL.5432\" failed: No such file or directory", &it);
	is_int(it.status, DOCTOR_FAIL, "database: down fails");
	ok(has(it.detail, "cannot connect: connection to server"), "  with the database's reason");
	ok(has(it.fix[DOCTOR_FIX_ANY], "/etc/mcpgate.conf") &&
	    !has(it.fix[DOCTOR_FIX_ANY], "dbname=x"),
	    "  the fix names the file, never the connection string (it may hold a password)");
	doctor_item_free(&it);
	it = item("database");
	doctor_judge_database(&c, 0, -1, "", &it);
	is_int(it.status, DOCTOR_FAIL, "database: failed without a message");
	ok(has(it.detail, "cannot use the database"), "  still says something");
	doctor_item_free(&it);
	it = item("database");
	doctor_judge_database(&c, 1, 2, NULL, &it);
	is_int(it.status, DOCTOR_FAIL, "database: another schema version fails");
	doctor_item_free(&it);

	a = 0.3, b = -1;
	it = item("clock");
	doctor_judge_clock(&a, &b, &it);
	is_int(it.status, DOCTOR_OK, "clock: within a second");
	ok(has(it.detail, "+0.3 s") && has(it.detail, "-1 s"), "  both offsets shown");
	doctor_item_free(&it);
	a = -DOCTOR_CLOCK_WARN;
	it = item("clock");
	doctor_judge_clock(&a, NULL, &it);
	is_int(it.status, DOCTOR_OK, "clock: exactly the warning threshold is ok");
	doctor_item_free(&it);
	a = -7.2;
	it = item("clock");
	doctor_judge_clock(&a, NULL, &it);
	is_int(it.status, DOCTOR_WARN, "clock: 7 s → warning");
	ok(has(it.fix[DOCTOR_FIX_ANY], "timedatectl"), "  fix: time synchronisation");
	doctor_item_free(&it);
	b = DOCTOR_CLOCK_FAIL;
	it = item("clock");
	doctor_judge_clock(NULL, &b, &it);
	is_int(it.status, DOCTOR_WARN, "clock: exactly 60 s → warning");
	doctor_item_free(&it);
	a = 0, b = 3600;
	it = item("clock");
	doctor_judge_clock(&a, &b, &it);
	is_int(it.status, DOCTOR_FAIL, "clock: an hour off (the web server) → failed");
	doctor_item_free(&it);
	it = item("clock");
	doctor_judge_clock(NULL, NULL, &it);
	is_int(it.status, DOCTOR_WARN, "clock: nothing to compare → warning");
	doctor_item_free(&it);

	h = answer(200, "application/json", "{\"status\":\"ok\",\"mode\":\"fastcgi\"}");
	it = item("mode");
	doctor_judge_mode(NULL, &h, &it);
	is_int(it.status, DOCTOR_OK, "mode: FastCGI");
	doctor_item_free(&it);
	memset(&p, 0, sizeof(p));
	p.is_cgi = 1;
	it = item("mode");
	doctor_judge_mode(&p, &h, &it);
	is_int(it.status, DOCTOR_WARN, "mode: the page itself under CGI → warning");
	ok(has(it.detail, "this page runs under CGI"), "  says which");
	doctor_item_free(&it);
	h = answer(200, "application/json", "{\"status\":\"ok\",\"mode\":\"cgi\"}");
	it = item("mode");
	doctor_judge_mode(NULL, &h, &it);
	is_int(it.status, DOCTOR_WARN, "mode: health under CGI → warning");
	ok(has(it.fix[DOCTOR_FIX_APACHE], "a2enmod fcgid") &&
	    has(it.fix[DOCTOR_FIX_LIGHTTPD], "fastcgi.server"), "  fix: FastCGI");
	doctor_item_free(&it);
	h = answer(200, "application/json", "{\"status\":\"ok\"}");
	it = item("mode");
	doctor_judge_mode(NULL, &h, &it);
	is_int(it.status, DOCTOR_WARN, "mode: health without a mode → warning");
	doctor_item_free(&it);
	h = answer(503, "application/json", "{\"error\":\"temporarily_unavailable\"}");
	it = item("mode");
	doctor_judge_mode(NULL, &h, &it);
	is_int(it.status, DOCTOR_WARN, "mode: health 503 → not known");
	ok(has(it.fix[DOCTOR_FIX_ANY], "database"), "  points at the database");
	doctor_item_free(&it);
	conf_free(&c);
}

static void
test_worst(void)
{
	struct doctor_item	items[3];
	struct doctor_report	rep;

	memset(items, 0, sizeof(items));
	memset(&rep, 0, sizeof(rep));
	is_int(doctor_worst(&rep), DOCTOR_OK, "worst of nothing: ok");
	rep.items = items;
	rep.itemsz = 3;
	items[1].status = DOCTOR_WARN;
	is_int(doctor_worst(&rep), DOCTOR_WARN, "worst: a warning");
	items[2].status = DOCTOR_FAIL;
	is_int(doctor_worst(&rep), DOCTOR_FAIL, "worst: a failure");
}

int
main(void)
{
	test_challenge();
	test_date();
	test_small();
	test_authorization();
	test_documents();
	test_issuer();
	test_https();
	test_database_clock_mode();
	test_worst();
	return done_testing();
}
