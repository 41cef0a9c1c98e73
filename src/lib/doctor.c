/*
 * doctor.c: the connector doctor's checks (see doctor.h), run by the
 * doctor page and by mcpgate-doctor alike.
 *
 * What shared hosts get wrong, and how each check finds it
 * (CLIENTS.md, "connector doctor"; deploy README §2):
 *  1. the Authorization header never reaches the programs (Apache hides
 *     it from CGI and FastCGI unless told, SPEC DEP-01): a POST to the MCP
 *     URL with a bogus bearer token.  The MCP program answers 401 either
 *     way, but its challenge carries error="invalid_token" only when it
 *     saw a token (RS-04), so the challenge tells "arrived" from
 *     "stripped";
 *  2. /.well-known blocked at the edge or taken by another application:
 *     the three metadata URLs must give this server's documents (200,
 *     JSON, issuer and resource equal to the configuration; RFC 8414
 *     §3.3, RFC 9728 §3.3);
 *  3. the issuer is not the public base URL (AS-06), or the page was
 *     reached under another scheme or host (proxies, CLIENTS.md);
 *  4. no https, or a certificate clients will not accept;
 *  5. the database unreachable or its schema of another version (db.c
 *     checks the version when it connects);
 *  6. clocks that disagree: codes, tokens and sessions expire by
 *     PostgreSQL's now(), cookies and the Date header by the web
 *     server's clock;
 *  7. FastCGI or plain CGI (the page knows its own mode; the others
 *     report theirs in /health).
 *
 * The probes never send a real secret (the bearer token is random junk
 * of a shape no token has), never log what they send, never follow a
 * redirect (a client would not either, for a POST; they are reported),
 * and never use a proxy: the question is what this server answers.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>	/* isfinite (a macro: no libm) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "buf.h"
#include "conf.h"
#include "db.h"
#include "doctor.h"
#include "json.h"
#include "secret.h"
#include "url.h"
#include "xmalloc.h"

#define AS_PATH		"/.well-known/oauth-authorization-server"
#define PRM_PATH	"/.well-known/oauth-protected-resource"

#define PROBE_CONNECT_MS	3000	/* connect timeout of a probe */
#define PROBE_TOTAL_MS		5000	/* whole-request timeout */
#define PROBE_BODY_MAX		65536	/* bytes of an answer kept */
#define PROBE_HEADER_MAX	4096	/* bytes of a header value kept */
/*
 * WWW-Authenticate is judged (is error= in it?), so it is kept whole up to
 * a larger cap; a longer one is dropped and judged as unknown, rather than
 * cut into something that would read as "no error=".
 */
#define PROBE_WWW_MAX		65536

/* What a probe, or a judgement, found: selects the detail and the fix. */
enum seen {
	SEEN_OK = 0,
	SEEN_NO_ANSWER,		/* no connection, timeout, DNS */
	SEEN_TLS,		/* TLS handshake or certificate failed */
	SEEN_REDIRECT,		/* 3xx (not followed) */
	SEEN_BLOCKED,		/* 401/403/404/405/410/451 from something else */
	SEEN_FOREIGN,		/* an answer that is not ours */
	SEEN_MISMATCH,		/* ours, but for another configuration */
	SEEN_STRIPPED,		/* the MCP program saw no token */
	SEEN_UNAVAILABLE,	/* 503: the programs lack their database */
	SEEN_SERVER_ERROR,	/* another 5xx */
	SEEN_UNEXPECTED		/* any other status */
};

/* ---- small helpers --------------------------------------------------- */

const char *
doctor_status_name(enum doctor_status s)
{
	switch (s) {
	case DOCTOR_OK: return "ok";
	case DOCTOR_WARN: return "warning";
	case DOCTOR_FAIL: return "failed";
	default: abort();
	}
}

/* The front end's name as the page and the command print it. */
const char *
doctor_frontend_name(enum doctor_frontend fe)
{
	switch (fe) {
	case DOCTOR_FE_APACHE: return "Apache";
	case DOCTOR_FE_LIGHTTPD: return "lighttpd";
	default: return "not recognised";
	}
}

const char *
doctor_fix_name(enum doctor_fix f)
{
	switch (f) {
	case DOCTOR_FIX_ANY: return "What to do";
	case DOCTOR_FIX_APACHE: return "Apache (vhost, the include)";
	case DOCTOR_FIX_HTACCESS: return "Apache on a shared host (.htaccess)";
	case DOCTOR_FIX_LIGHTTPD: return "lighttpd";
	default: abort();
	}
}

/*
 * Whether to show the fix for f when the front end looks like fe: the
 * general advice always, Apache's two forms for Apache, lighttpd's for
 * lighttpd, and all of them when the Server header says nothing useful
 * (a proxy or CDN in front, ServerTokens hidden).
 */
int
doctor_fix_shown(enum doctor_frontend fe, enum doctor_fix f)
{
	switch (fe) {
	case DOCTOR_FE_APACHE:
		return f == DOCTOR_FIX_ANY || f == DOCTOR_FIX_APACHE ||
		    f == DOCTOR_FIX_HTACCESS;
	case DOCTOR_FE_LIGHTTPD:
		return f == DOCTOR_FIX_ANY || f == DOCTOR_FIX_LIGHTTPD;
	default:
		return 1;
	}
}

/* The front end named by a Server header or SERVER_SOFTWARE value. */
enum doctor_frontend
doctor_frontend_of(const char *server)
{
	if (server == NULL)
		return DOCTOR_FE_UNKNOWN;
	if (strncasecmp(server, "Apache", 6) == 0 &&
	    (server[6] == '\0' || server[6] == '/' || server[6] == ' '))
		return DOCTOR_FE_APACHE;
	if (strncasecmp(server, "lighttpd", 8) == 0 &&
	    (server[8] == '\0' || server[8] == '/' || server[8] == ' '))
		return DOCTOR_FE_LIGHTTPD;
	return DOCTOR_FE_UNKNOWN;
}

/*
 * Whether username is one of the space-separated admin_users (NULL: no
 * one).  Case-insensitive, like the user look-up (lower(username)).
 */
int
doctor_is_admin(const char *admin_users, const char *username)
{
	const char	*p = admin_users;
	size_t		 n, ul;

	if (p == NULL || username == NULL || (ul = strlen(username)) == 0)
		return 0;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, " \t");
		if (n == ul && strncasecmp(p, username, n) == 0)
			return 1;
		p += n;
	}
	return 0;
}

static void
doctor_item_free_fixes(struct doctor_item *it)
{
	size_t	i;

	for (i = 0; i < DOCTOR_FIX__MAX; i++)
		free(it->fix[i]);
	memset(it->fix, 0, sizeof(it->fix));
}

void
doctor_item_free(struct doctor_item *it)
{
	free(it->detail);
	it->detail = NULL;
	doctor_item_free_fixes(it);
}

void
doctor_report_free(struct doctor_report *rep)
{
	size_t	i;

	for (i = 0; i < rep->itemsz; i++)
		doctor_item_free(&rep->items[i]);
	free(rep->items);
	free(rep->server);
	memset(rep, 0, sizeof(*rep));
}

/* The worst status of the report (DOCTOR_OK for an empty one). */
enum doctor_status
doctor_worst(const struct doctor_report *rep)
{
	enum doctor_status	w = DOCTOR_OK;
	size_t			i;

	for (i = 0; i < rep->itemsz; i++)
		if (rep->items[i].status > w)
			w = rep->items[i].status;
	return w;
}

static void
set(struct doctor_item *it, enum doctor_status st, char *detail)
{
	it->status = st;
	free(it->detail);
	it->detail = detail;
}

static void
fix(struct doctor_item *it, enum doctor_fix f, char *text)
{
	free(it->fix[f]);
	it->fix[f] = text;
}

/* The host (and port) of the issuer, for messages and directives. */
static char *
issuer_host(const struct conf *c)
{
	const char	*p = strstr(c->issuer, "://");

	return xstrdup(p != NULL ? p + 3 : c->issuer);
}

/* A header value, for messages: "(none)" when absent. */
static const char *
or_none(const char *s)
{
	return s != NULL ? s : "(none)";
}

/* Whether a Content-Type is JSON (application/json, or +json). */
static int
is_json_type(const char *ct)
{
	size_t	n;

	if (ct == NULL)
		return 0;
	n = strcspn(ct, ";");
	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	return (n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
	    (n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0);
}

static int
is_html(const struct doctor_http *h)
{
	const char	*p = h->body;

	if (h->content_type != NULL &&
	    strncasecmp(h->content_type, "text/html", 9) == 0)
		return 1;
	if (p == NULL)
		return 0;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return *p == '<';
}

/* ---- WWW-Authenticate ------------------------------------------------ */

/* RFC 9110 §5.6.2 tchar */
static int
is_tchar(int ch)
{
	return isalnum(ch) || (ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

/*
 * One auth-param value (RFC 9110 §11.2): a token or a quoted-string, whose
 * backslash escapes are undone.  Advances *pp; NULL when malformed.
 */
static char *
param_value(const char **pp)
{
	const char	*p = *pp;
	struct buf	 b;
	size_t		 n;

	buf_init(&b, PROBE_HEADER_MAX);
	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\0')
				goto bad;
			if (*p == '\\' && p[1] != '\0')
				p++;
			if (buf_addc(&b, *p) == -1)
				goto bad;
		}
		p++;
	} else {
		for (n = 0; is_tchar((unsigned char)p[n]) || p[n] == '/' ||
		    p[n] == '='; n++)
			;
		if (n == 0 || buf_add(&b, p, n) == -1)
			goto bad;
		p += n;
	}
	*pp = p;
	if (b.len == 0)
		return xstrdup("");
	return buf_steal(&b);
bad:
	buf_free(&b);
	return NULL;
}

/*
 * Find the Bearer challenge in a WWW-Authenticate value (RFC 9110
 * §11.6.1: several challenges may share one field, separated by commas,
 * as several fields are joined) and read its error, resource_metadata
 * (RFC 9728 §5.1) and scope parameters (RFC 6750 §3; the first of a
 * repeated one).  1 when there is a Bearer challenge, 0 when not (c is
 * then empty).  Free c with doctor_challenge_free either way.
 */
int
doctor_parse_challenge(const char *v, struct doctor_challenge *c)
{
	const char	*p = v, *tok;
	char		*name, *val;
	size_t		 n;
	int		 in_bearer = 0, found = 0;

	memset(c, 0, sizeof(*c));
	if (v == NULL)
		return 0;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		for (tok = p, n = 0; is_tchar((unsigned char)p[n]); n++)
			;
		if (n == 0) {
			/* not a token: skip to the next element */
			p += strcspn(p, ",");
			continue;
		}
		p += n;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=') {
			/* a new challenge: its auth-scheme */
			in_bearer = n == 6 && strncasecmp(tok, "Bearer", 6) == 0 &&
			    !found;
			found |= in_bearer;
			continue;
		}
		/* an auth-param of the current challenge (or token68) */
		for (p++; *p == ' ' || *p == '\t'; p++)
			;
		if ((val = param_value(&p)) == NULL) {
			p += strcspn(p, ",");
			continue;
		}
		if (!in_bearer) {
			free(val);
			continue;
		}
		name = xstrndup(tok, n);
		if (strcasecmp(name, "error") == 0 && c->error == NULL)
			c->error = val;
		else if (strcasecmp(name, "resource_metadata") == 0 &&
		    c->resource_metadata == NULL)
			c->resource_metadata = val;
		else if (strcasecmp(name, "scope") == 0 && c->scope == NULL)
			c->scope = val;
		else
			free(val);
		free(name);
	}
	return found;
}

void
doctor_challenge_free(struct doctor_challenge *c)
{
	free(c->error);
	free(c->resource_metadata);
	free(c->scope);
	memset(c, 0, sizeof(*c));
}

/* ---- the HTTP-date ------------------------------------------------------ */

/*
 * An IMF-fixdate (RFC 9110 §5.6.7: "Sun, 06 Nov 1994 08:49:37 GMT", the
 * only form a server may send) as seconds since the epoch.  1, or 0 when
 * s is not one (the obsolete forms are not read: no server we judge sends
 * them).
 */
int
doctor_http_date(const char *s, time_t *t)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed",
	    "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	static const char pattern[] = "www, dd mmm yyyy dd:dd:dd GMT";
	struct tm	 tm;
	size_t		 i;
	int		 mon = -1, wday = -1;
	time_t		 v;

	if (s == NULL || strlen(s) != sizeof(pattern) - 1)
		return 0;
	for (i = 0; i < sizeof(pattern) - 1; i++)
		if (pattern[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    pattern[i] == 'y' ? !isdigit((unsigned char)s[i]) :
		    (pattern[i] == 'w' || pattern[i] == 'm') ?
		    !isalpha((unsigned char)s[i]) : s[i] != pattern[i])
			return 0;
	for (i = 0; i < 7; i++)
		if (strncmp(s, days[i], 3) == 0)
			wday = (int)i;
	for (i = 0; i < 12; i++)
		if (strncmp(s + 8, months[i], 3) == 0)
			mon = (int)i;
	if (wday == -1 || mon == -1)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_mday = (s[5] - '0') * 10 + (s[6] - '0');
	tm.tm_mon = mon;
	tm.tm_year = (s[12] - '0') * 1000 + (s[13] - '0') * 100 +
	    (s[14] - '0') * 10 + (s[15] - '0') - 1900;
	tm.tm_hour = (s[17] - '0') * 10 + (s[18] - '0');
	tm.tm_min = (s[20] - '0') * 10 + (s[21] - '0');
	tm.tm_sec = (s[23] - '0') * 10 + (s[24] - '0');
	if (tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return 0;
	if ((v = timegm(&tm)) == (time_t)-1)
		return 0;
	/* timegm normalises 31 Feb into March: refuse what moved */
	if (tm.tm_mon != mon || tm.tm_wday != wday)
		return 0;
	*t = v;
	return 1;
}

/* ---- fixes shared by several checks ------------------------------------ */

/* No HTTP answer at all: DNS, firewall, listening port, or hairpinning. */
static void
fix_no_answer(const struct conf *c, struct doctor_item *it)
{
	char	*host = issuer_host(c);

	fix(it, DOCTOR_FIX_ANY, xasprintf(
	    "Nothing answered at %s. Check that the name resolves to this "
	    "server, that a firewall lets the port in, and that the web server "
	    "listens there for this name. The doctor page probes from the server "
	    "itself, and some hosts do not let a site connect to its own public "
	    "address: then run mcpgate-doctor from another machine.", host));
	free(host);
}

static void
fix_tls(const struct conf *c, struct doctor_item *it)
{
	char	*host = issuer_host(c);

	fix(it, DOCTOR_FIX_ANY, xasprintf(
	    "Clients accept only https with a certificate that is valid for %s "
	    "and chains to a public CA (OAuth 2.1 §1.5): install one, e.g. "
	    "from Let's Encrypt (certbot), with its intermediate certificates.",
	    host));
	fix(it, DOCTOR_FIX_APACHE, xasprintf(
	    "In the <VirtualHost *:443> of %s (mod_ssl):\n"
	    "  SSLEngine on\n"
	    "  SSLCertificateFile    /etc/letsencrypt/live/%s/fullchain.pem\n"
	    "  SSLCertificateKeyFile /etc/letsencrypt/live/%s/privkey.pem",
	    host, host, host));
	fix(it, DOCTOR_FIX_HTACCESS, xstrdup(
	    "Certificates are not set in .htaccess: turn on the host's "
	    "certificate for this domain in its control panel (most offer "
	    "Let's Encrypt)."));
	fix(it, DOCTOR_FIX_LIGHTTPD, xasprintf(
	    "server.modules += ( \"mod_openssl\" )\n"
	    "$SERVER[\"socket\"] == \":443\" {\n"
	    "  ssl.engine  = \"enable\"\n"
	    "  ssl.pemfile = \"/etc/letsencrypt/live/%s/fullchain.pem\"\n"
	    "  ssl.privkey = \"/etc/letsencrypt/live/%s/privkey.pem\"\n"
	    "}", host, host));
	free(host);
}

/* The programs read another configuration than this one. */
static void
fix_other_config(const struct conf *c, struct doctor_item *it)
{
	fix(it, DOCTOR_FIX_ANY, xasprintf(
	    "The programs under the web server read a configuration whose "
	    "issuer or mcp_path differs from %s. Make the front end name this "
	    "file, or set issuer to the public base URL in the file it names "
	    "(the issuer must be exactly the URL clients use, RFC 8414 §3.3).",
	    c->path));
	fix(it, DOCTOR_FIX_APACHE, xasprintf(
	    "Define MCPGATE_CONFIG %s\n"
	    "(before the Include of conf/apache/mcpgate.conf, which passes it "
	    "with SetEnv MCPGATE_CONFIG)", c->path));
	fix(it, DOCTOR_FIX_HTACCESS, xasprintf(
	    "SetEnv MCPGATE_CONFIG %s\n"
	    "(the line at the end of conf/htaccess/root.htaccess, in "
	    "public_html/.htaccess)", c->path));
	fix(it, DOCTOR_FIX_LIGHTTPD, xasprintf(
	    "var.mcpgate_config = \"%s\"\n"
	    "(before the include of conf/lighttpd/mcpgate.conf, which passes it "
	    "with setenv.add-environment)", c->path));
}

static void
fix_server_error(const struct doctor_http *h, struct doctor_item *it)
{
	fix(it, DOCTOR_FIX_ANY, xasprintf(
	    "The answer was %ld: the web server's error log says why "
	    "(mcpgate's lines start with \"mcpgate-\"). A 500 from mcpgate is a "
	    "configuration error, and its log line names the file, the line and "
	    "the key.", h->status));
}

static void
fix_unavailable(struct doctor_item *it)
{
	fix(it, DOCTOR_FIX_ANY, xstrdup(
	    "The programs answer 503 while they cannot use the database: see "
	    "the database check, then run the doctor again."));
}

/* Not our program answers a URL that should be routed to it. */
static void
fix_routing(const struct conf *c, const char *what, struct doctor_item *it)
{
	fix(it, DOCTOR_FIX_ANY, xasprintf(
	    "The web server does not hand %s to mcpgate: the routes are "
	    "missing for this host, or something earlier (another application, "
	    "a CMS, the host's firewall or bot protection) answers it.", what));
	fix(it, DOCTOR_FIX_APACHE, xasprintf(
	    "Include conf/apache/mcpgate.conf inside the <VirtualHost> that "
	    "serves %s (it routes %s with AliasMatch), and make sure no earlier "
	    "Alias, ProxyPass, RewriteRule or Require rule takes the path.",
	    c->issuer, what));
	fix(it, DOCTOR_FIX_HTACCESS, xasprintf(
	    "Put the block of conf/htaccess/root.htaccess (from RewriteEngine On "
	    "to the end) at the top of public_html/.htaccess of %s, before a "
	    "CMS's rules, and the programs with conf/htaccess/cgi-bin.htaccess "
	    "in public_html/mcpgate/cgi-bin/.", c->issuer));
	fix(it, DOCTOR_FIX_LIGHTTPD, xstrdup(
	    "include \"…/conf/lighttpd/mcpgate.conf\" (after setting its five "
	    "var.mcpgate_* variables): it rewrites each public path with an "
	    "anchored url.rewrite-once rule to a fastcgi.server entry. An "
	    "earlier url.rewrite-once rule of yours that matches the path wins."));
}

static void
fix_redirect(const struct doctor_http *h, struct doctor_item *it)
{
	fix(it, DOCTOR_FIX_ANY, xasprintf(
	    "This URL answers %ld with Location: %s. Clients use exactly the "
	    "URLs built from the issuer and do not follow redirects for them (a "
	    "301 or 302 turns the MCP POST into a GET, and metadata must come "
	    "from the issuer's own URL, RFC 8414 §3.3). If it redirects to "
	    "https, set issuer = https://…; if it adds a slash or a prefix, "
	    "remove that rule for these paths.", h->status,
	    or_none(h->location)));
}

/* ---- (1) the Authorization header ------------------------------------- */

static void
fix_stripped(struct doctor_item *it)
{
	fix(it, DOCTOR_FIX_ANY, xstrdup(
	    "Something between the client and the programs removes the "
	    "Authorization header, and every MCP request carries its token there "
	    "(RFC 6750 §2.1): every client will get 401 forever. Apache hides it "
	    "from CGI and FastCGI programs unless told otherwise; a proxy or "
	    "CDN in front may drop it too."));
	fix(it, DOCTOR_FIX_APACHE, xstrdup(
	    "conf/apache/mcpgate.conf passes it with CGIPassAuth On in the "
	    "programs' <Directory>; if you wrote your own configuration, add it:\n"
	    "  <Directory \"/path/to/mcpgate/cgi-bin\">\n"
	    "    CGIPassAuth On\n"
	    "  </Directory>\n"
	    "and remove any CGIPassAuth Off or RequestHeader unset Authorization "
	    "that covers these paths (also in <Location> sections). "
	    "Before Apache 2.4.13, with mod_fcgid: FcgidPassHeader Authorization."));
	fix(it, DOCTOR_FIX_HTACCESS, xstrdup(
	    "conf/htaccess/root.htaccess (public_html/.htaccess) and "
	    "conf/htaccess/cgi-bin.htaccess (next to the programs) copy the "
	    "header with\n"
	    "  RewriteEngine On\n"
	    "  RewriteCond %{HTTP:Authorization} .\n"
	    "  RewriteRule ^ - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]\n"
	    "Keep these lines in both files, before a CMS's rules; mcpgate's "
	    "endpoint rules end in [L] (with [END] only "
	    "REDIRECT_HTTP_AUTHORIZATION arrives, which mcpgate reads too). "
	    "CGIPassAuth On does the same only where the host allows "
	    "AllowOverride AuthConfig; elsewhere it is a 500."));
	fix(it, DOCTOR_FIX_LIGHTTPD, xstrdup(
	    "lighttpd passes Authorization to FastCGI programs as it is: look "
	    "for a setenv.set-request-header or setenv.add-request-header that "
	    "sets \"Authorization\" for these paths, and for a proxy in front of "
	    "lighttpd that drops it (nginx: proxy_set_header Authorization \"\")."));
}

/*
 * Judge the answer to the bogus-token POST to the MCP URL (RS-01, RS-04):
 * 401 with a Bearer challenge carrying error="invalid_token" means the
 * token reached the MCP program; the same challenge without error means
 * the header was lost on the way.  The challenge must name the metadata
 * URL this configuration names (RS-02): otherwise the programs read
 * another configuration.
 */
void
doctor_judge_authorization(const struct conf *c, const struct doctor_http *h,
    struct doctor_item *it)
{
	struct doctor_challenge	ch;
	int			bearer;

	if (!h->answered) {
		set(it, DOCTOR_FAIL, xasprintf("%s did not answer: %s",
		    c->mcp_url, or_none(h->error)));
		if (h->tls_error)
			fix_tls(c, it);
		else
			fix_no_answer(c, it);
		return;
	}
	if (h->status >= 300 && h->status < 400) {
		set(it, DOCTOR_FAIL, xasprintf("POST %s answered %ld, a redirect "
		    "to %s", c->mcp_url, h->status, or_none(h->location)));
		fix_redirect(h, it);
		return;
	}
	if (h->status == 503) {
		/* EP_DB: the MCP program needs its database before it looks */
		set(it, DOCTOR_WARN, xasprintf("not known: the MCP endpoint "
		    "answered 503 (the programs cannot use the database) before "
		    "looking at the token"));
		fix_unavailable(it);
		return;
	}
	if (h->status >= 500) {
		set(it, DOCTOR_FAIL, xasprintf("POST %s answered %ld",
		    c->mcp_url, h->status));
		fix_server_error(h, it);
		return;
	}
	if (h->status != 401) {
		set(it, DOCTOR_FAIL, xasprintf("POST %s with an invalid token "
		    "answered %ld, not 401: %s", c->mcp_url, h->status,
		    h->status == 403 || h->status == 404 || h->status == 405 ?
		    "the URL is not routed to mcpgate's MCP program, or is blocked" :
		    "this is not mcpgate's MCP endpoint"));
		fix_routing(c, c->mcp_path, it);
		return;
	}
	bearer = doctor_parse_challenge(h->www_authenticate, &ch);
	if (!bearer) {
		set(it, DOCTOR_FAIL, xasprintf("401 without a Bearer challenge "
		    "(WWW-Authenticate: %s): the web server asks for its own "
		    "authentication before mcpgate sees the request",
		    or_none(h->www_authenticate)));
		fix(it, DOCTOR_FIX_ANY, xasprintf("Exempt %s and the paths under "
		    "it from the site's HTTP authentication (a password-protected "
		    "directory, the host's \"protect this site\" switch): MCP "
		    "clients bring their own token and cannot answer it.",
		    c->mcp_path));
		fix(it, DOCTOR_FIX_APACHE, xasprintf(
		    "<LocationMatch \"^%s(/|$)\">\n"
		    "  Require all granted\n"
		    "</LocationMatch>\n"
		    "(and no AuthType for these paths)", c->mcp_path));
		doctor_challenge_free(&ch);
		return;
	}
	if (ch.error == NULL) {
		set(it, DOCTOR_FAIL, xasprintf("the header was stripped: POST %s "
		    "with \"Authorization: Bearer <random junk>\" got 401 without "
		    "error=\"invalid_token\", which mcpgate sends only when no token "
		    "arrived (RS-04)", c->mcp_url));
		fix_stripped(it);
	} else if (strcmp(ch.error, "invalid_token") != 0) {
		set(it, DOCTOR_FAIL, xasprintf("401 with error=\"%s\", not "
		    "invalid_token: not mcpgate's MCP endpoint", ch.error));
		fix_routing(c, c->mcp_path, it);
	} else if (ch.resource_metadata == NULL ||
	    strcmp(ch.resource_metadata, c->prm_url) != 0) {
		set(it, DOCTOR_WARN, xasprintf("the header arrives (401 with "
		    "error=\"invalid_token\"), but the challenge names "
		    "resource_metadata %s where this configuration names %s",
		    or_none(ch.resource_metadata), c->prm_url));
		fix_other_config(c, it);
	} else
		set(it, DOCTOR_OK, xasprintf("the header arrives: POST %s with "
		    "a bogus bearer token got 401 with error=\"invalid_token\" "
		    "(RS-04), so the MCP program saw the token", c->mcp_url));
	doctor_challenge_free(&ch);
}

/* ---- (2) the metadata documents ---------------------------------------- */

static void
fix_well_known(const struct conf *c, struct doctor_item *it)
{
	fix(it, DOCTOR_FIX_ANY, xasprintf(
	    "Clients fetch this document before anything else (RFC 8414 §3, "
	    "RFC 9728 §3); without it they cannot find the authorization "
	    "server. If the host's edge blocks /.well-known/ or another "
	    "application owns it and you cannot change that, set "
	    "well_known_blocked = yes in %s (see the README): the MCP endpoint's "
	    "challenge then names a copy of the protected-resource metadata "
	    "under %s, which clients fetch instead.", c->path, c->mcp_path));
	fix(it, DOCTOR_FIX_APACHE, xstrdup(
	    "conf/apache/mcpgate.conf routes the three URLs with\n"
	    "  AliasMatch \"^/\\.well-known/oauth-authorization-server$\" …/well-known\n"
	    "  AliasMatch \"^/\\.well-known/oauth-protected-resource(?:/mcp)?$\" …/well-known\n"
	    "Include it in the vhost of this host, before another application's "
	    "Alias, ProxyPass or RewriteRule for /.well-known/. If a "
	    "<LocationMatch> or <Directory> denies /.well-known/, allow these:\n"
	    "  <LocationMatch \"^/\\.well-known/oauth-(authorization-server|protected-resource)\">\n"
	    "    Require all granted\n"
	    "  </LocationMatch>"));
	fix(it, DOCTOR_FIX_HTACCESS, xstrdup(
	    "conf/htaccess/root.htaccess rewrites the three URLs:\n"
	    "  RewriteRule ^\\.well-known/oauth-authorization-server$ mcpgate/cgi-bin/well-known [L]\n"
	    "  RewriteRule ^\\.well-known/oauth-protected-resource(/mcp)?$ mcpgate/cgi-bin/well-known [L]\n"
	    "Its block must come before a CMS's rules in public_html/.htaccess. "
	    "If public_html/.well-known/.htaccess exists and says RewriteEngine "
	    "On (certificate tools create it), the root's rules no longer apply "
	    "under it: append conf/htaccess/well-known.htaccess to that file. "
	    "If the host blocks /.well-known/ before your .htaccess is read, use "
	    "well_known_blocked = yes."));
	fix(it, DOCTOR_FIX_LIGHTTPD, xstrdup(
	    "conf/lighttpd/mcpgate.conf rewrites the three URLs:\n"
	    "  url.rewrite-once += ( \"^/\\.well-known/oauth-authorization-server(\\?.*)?$\" => \"/_mcpgate/well-known$1\", … )\n"
	    "An earlier url.rewrite-once rule of yours that matches /.well-known/ "
	    "wins: exclude these paths from it, and remove any url.access-deny "
	    "or $HTTP[\"url\"] =~ \"^/\\.well-known/\" block that covers them."));
}

/*
 * Judge a metadata document fetched from url: 200, JSON, an object whose
 * issuer (RFC 8414 §3.3, AS-06) or resource and authorization_servers
 * (RFC 9728 §3.3, PRM-05) are this configuration's.  When
 * well_known_blocked is set, a blocked /.well-known URL is what the
 * operator told us: a warning, not a failure.
 */
void
doctor_judge_document(const struct conf *c, enum doctor_doc kind,
    const char *url, const struct doctor_http *h, struct doctor_item *it)
{
	cJSON		*j = NULL, *v;
	const char	*got = NULL;
	int		 wk = strstr(url, "/.well-known/") != NULL, i, n;
	enum seen	 seen;
	char		*detail;

	if (!h->answered) {
		seen = h->tls_error ? SEEN_TLS : SEEN_NO_ANSWER;
		detail = xasprintf("no answer: %s", or_none(h->error));
	} else if (h->status >= 300 && h->status < 400) {
		seen = SEEN_REDIRECT;
		detail = xasprintf("%ld, a redirect to %s", h->status,
		    or_none(h->location));
	} else if (h->status == 503) {
		seen = SEEN_UNAVAILABLE;
		detail = xstrdup("503: the programs cannot use the database");
	} else if (h->status >= 500) {
		seen = SEEN_SERVER_ERROR;
		detail = xasprintf("%ld", h->status);
	} else if (h->status != 200) {
		seen = SEEN_BLOCKED;
		detail = xasprintf("%ld%s: blocked before mcpgate, or not routed "
		    "to it", h->status, is_html(h) ? " (an HTML page)" : "");
	} else if (!is_json_type(h->content_type) ||
	    (j = cJSON_ParseWithLength(h->body, h->bodysz)) == NULL ||
	    !cJSON_IsObject(j)) {
		seen = SEEN_FOREIGN;
		detail = xasprintf("200, but %s (Content-Type %s): another "
		    "application answers this URL", is_html(h) ? "an HTML page" :
		    j == NULL ? "not JSON" : "not a JSON object",
		    or_none(h->content_type));
	} else if (kind == DOCTOR_DOC_AS) {
		v = cJSON_GetObjectItemCaseSensitive(j, "issuer");
		got = cJSON_IsString(v) ? v->valuestring : NULL;
		if (got == NULL) {
			seen = SEEN_FOREIGN;
			detail = xstrdup("200 JSON without an issuer: not "
			    "authorization-server metadata");
		} else if (strcmp(got, c->issuer) != 0) {
			seen = SEEN_MISMATCH;
			detail = xasprintf("the document's issuer is %s, this "
			    "configuration's is %s: clients discard it (RFC 8414 "
			    "§3.3)", got, c->issuer);
		} else {
			seen = SEEN_OK;
			detail = xasprintf("200, this server's metadata (issuer %s)",
			    got);
		}
	} else {
		v = cJSON_GetObjectItemCaseSensitive(j, "resource");
		got = cJSON_IsString(v) ? v->valuestring : NULL;
		v = cJSON_GetObjectItemCaseSensitive(j, "authorization_servers");
		n = cJSON_IsArray(v) ? cJSON_GetArraySize(v) : 0;
		for (i = 0; i < n; i++) {
			cJSON *e = cJSON_GetArrayItem(v, i);
			if (cJSON_IsString(e) && strcmp(e->valuestring,
			    c->issuer) == 0)
				break;
		}
		if (got == NULL) {
			seen = SEEN_FOREIGN;
			detail = xstrdup("200 JSON without a resource: not "
			    "protected-resource metadata");
		} else if (strcmp(got, c->mcp_url) != 0) {
			seen = SEEN_MISMATCH;
			detail = xasprintf("the document's resource is %s, this "
			    "configuration's MCP URL is %s (RFC 9728 §3.3)", got,
			    c->mcp_url);
		} else if (i == n) {
			seen = SEEN_MISMATCH;
			detail = xasprintf("authorization_servers does not list "
			    "%s", c->issuer);
		} else {
			seen = SEEN_OK;
			detail = xasprintf("200, this server's metadata (resource "
			    "%s)", got);
		}
	}
	cJSON_Delete(j);

	switch (seen) {
	case SEEN_OK:
		set(it, DOCTOR_OK, detail);
		return;
	case SEEN_NO_ANSWER:
		set(it, DOCTOR_FAIL, detail);
		fix_no_answer(c, it);
		return;
	case SEEN_TLS:
		set(it, DOCTOR_FAIL, detail);
		fix_tls(c, it);
		return;
	case SEEN_UNAVAILABLE:
		/* the well-known program needs no database: not ours */
		set(it, DOCTOR_FAIL, detail);
		fix_unavailable(it);
		return;
	case SEEN_SERVER_ERROR:
		set(it, DOCTOR_FAIL, detail);
		fix_server_error(h, it);
		return;
	case SEEN_MISMATCH:
		set(it, DOCTOR_FAIL, detail);
		fix_other_config(c, it);
		return;
	case SEEN_REDIRECT:
	case SEEN_BLOCKED:
	case SEEN_FOREIGN:
		if (wk && c->well_known_blocked) {
			set(it, DOCTOR_WARN, xasprintf("%s; expected with "
			    "well_known_blocked = yes", detail));
			free(detail);
			fix(it, DOCTOR_FIX_ANY, xasprintf("Clients that follow "
			    "the MCP endpoint's challenge find the metadata at %s "
			    "(checked separately). Clients that only look under "
			    "/.well-known/ cannot connect: see the README on "
			    "well_known_blocked.", c->prm_url));
			return;
		}
		set(it, DOCTOR_FAIL, detail);
		if (seen == SEEN_REDIRECT)
			fix_redirect(h, it);
		else if (wk)
			fix_well_known(c, it);
		else
			fix_routing(c, url + strlen(c->issuer), it);
		return;
	default:
		abort();
	}
}

/* ---- (3) the issuer ------------------------------------------------------ */

/* "scheme://host[:port]" of a scheme and a Host header, normalised. */
static char *
origin_of(const char *scheme, const char *host)
{
	struct url	 u;
	char		*s, *o = NULL;

	s = xasprintf("%s://%s", scheme, host);
	if (url_parse(s, strlen(s), &u) == 0) {
		if (*u.path == '\0' && u.query == NULL && !u.userinfo)
			o = url_origin(&u);
		url_free(&u);
	}
	free(s);
	return o;
}

/*
 * The issuer against the public base URL: the authorization-server
 * metadata's issuer (what the programs under the web server use) must be
 * this configuration's (AS-06); on the page, the scheme and host the
 * administrator reached it at should be the issuer's, which finds the
 * scheme mix-ups of TLS-terminating proxies and a Host the issuer does
 * not name.  doc_issuer is NULL when the metadata could not be read.
 */
void
doctor_judge_issuer(const struct conf *c, const char *doc_issuer,
    const struct doctor_page *page, struct doctor_item *it)
{
	const char	*scheme;
	char		*req = NULL, *iss = NULL;

	if (doc_issuer != NULL && strcmp(doc_issuer, c->issuer) != 0) {
		set(it, DOCTOR_FAIL, xasprintf("the server publishes issuer %s, "
		    "this configuration says %s", doc_issuer, c->issuer));
		fix_other_config(c, it);
		return;
	}
	if (page == NULL || page->host == NULL) {
		if (doc_issuer != NULL)
			set(it, DOCTOR_OK, xasprintf("the server publishes issuer "
			    "%s, as configured", c->issuer));
		else {
			set(it, DOCTOR_WARN, xasprintf("not compared: the "
			    "authorization-server metadata could not be read (see "
			    "above); the configuration says %s", c->issuer));
			fix(it, DOCTOR_FIX_ANY, xstrdup("Fix the metadata check "
			    "first, then run the doctor again."));
		}
		return;
	}
	scheme = page->scheme != NULL ? page->scheme : "http";
	req = origin_of(scheme, page->host);
	iss = origin_of(strncmp(c->issuer, "https:", 6) == 0 ? "https" : "http",
	    strstr(c->issuer, "://") + 3);
	if (req == NULL || iss == NULL) {
		set(it, DOCTOR_WARN, xasprintf("this page was reached with a Host "
		    "header that is not a host name (%s)", page->host));
		fix(it, DOCTOR_FIX_ANY, xasprintf("Open this page at %s%s/doctor.",
		    c->issuer, c->mcp_path));
	} else if (strcmp(req, iss) == 0) {
		set(it, DOCTOR_OK, xasprintf("this page was reached at %s, the "
		    "issuer%s", req, doc_issuer != NULL ?
		    ", and the server publishes it" : ""));
	} else if (strcmp(strstr(req, "://"), strstr(iss, "://")) == 0 &&
	    strcmp(scheme, "http") == 0 && page->forwarded_proto != NULL &&
	    strcasecmp(page->forwarded_proto, "https") == 0) {
		set(it, DOCTOR_OK, xasprintf("this page was reached at %s through "
		    "a proxy that ends TLS (X-Forwarded-Proto: https); the issuer is "
		    "%s", req, c->issuer));
	} else if (strcmp(strstr(req, "://"), strstr(iss, "://")) == 0) {
		set(it, DOCTOR_WARN, xasprintf("this page came over %s, the issuer "
		    "is %s", scheme, c->issuer));
		fix(it, DOCTOR_FIX_ANY, xstrdup("If a proxy or CDN ends TLS in "
		    "front of this server, keep the hop from it to this server "
		    "private (a token crosses it, DEP-05), and let it send "
		    "X-Forwarded-Proto. Otherwise redirect plain http to https for "
		    "everything but the MCP POSTs' clients, which use the issuer's "
		    "https URLs directly."));
		fix(it, DOCTOR_FIX_APACHE, xasprintf(
		    "<VirtualHost *:80>\n  ServerName %s\n  Redirect permanent / "
		    "%s/\n</VirtualHost>", strstr(iss, "://") + 3, c->issuer));
		fix(it, DOCTOR_FIX_LIGHTTPD, xstrdup(
		    "$HTTP[\"scheme\"] == \"http\" {\n"
		    "  url.redirect = ( \"\" => \"https://${url.authority}${url.path}${qsa}\" )\n"
		    "}"));
	} else {
		set(it, DOCTOR_WARN, xasprintf("this page was reached at %s, but "
		    "the issuer is %s: clients use the issuer", req, c->issuer));
		fix(it, DOCTOR_FIX_ANY, xasprintf("If %s is the public address "
		    "clients should use, set issuer = %s in %s; if not, nothing "
		    "to do (open this page at %s%s/doctor).", req, req, c->path,
		    c->issuer, c->mcp_path));
	}
	free(req);
	free(iss);
}

/* ---- (4) https ----------------------------------------------------------- */

/*
 * https with a certificate the probe accepted (libcurl verifies the chain
 * and the name, as clients do), or http only on a loopback host (SPEC
 * S-01, AS-10; conf.c refuses anything else, but the check says so
 * anyway).  first is the first probe's answer.
 */
void
doctor_judge_https(const struct conf *c, const struct doctor_http *first,
    struct doctor_item *it)
{
	struct url	u;
	int		loopback = 0;

	if (url_parse(c->issuer, strlen(c->issuer), &u) == 0) {
		loopback = url_host_is_loopback(u.host);
		url_free(&u);
	}
	if (strncmp(c->issuer, "https:", 6) != 0) {
		if (loopback) {
			set(it, DOCTOR_OK, xasprintf("%s is http on a loopback "
			    "host: fine for testing on this machine; clients "
			    "elsewhere need https", c->issuer));
			return;
		}
		set(it, DOCTOR_FAIL, xasprintf("%s is plain http: clients refuse "
		    "it (OAuth 2.1 §1.5)", c->issuer));
		fix(it, DOCTOR_FIX_ANY, xasprintf("Serve the site over https and "
		    "set issuer = https://… in %s.", c->path));
		return;
	}
	if (first->answered) {
		set(it, DOCTOR_OK, xasprintf("https, and the certificate is valid "
		    "for %s", c->issuer));
		return;
	}
	if (first->tls_error) {
		set(it, DOCTOR_FAIL, xasprintf("TLS failed: %s",
		    or_none(first->error)));
		fix_tls(c, it);
		return;
	}
	set(it, DOCTOR_WARN, xasprintf("not known: %s did not answer (%s)",
	    c->issuer, or_none(first->error)));
	fix_no_answer(c, it);
}

/* ---- (5) the database ------------------------------------------------------ */

/*
 * ok: whether db_ensure() succeeded (it connects, checks the schema
 * version and prepares every statement); version: the schema version
 * read afterwards (-1 unknown); message: db_last_message() on failure.
 */
void
doctor_judge_database(const struct conf *c, int ok, int version,
    const char *message, struct doctor_item *it)
{
	if (ok && version == DB_SCHEMA_VERSION) {
		set(it, DOCTOR_OK, xasprintf("connected; schema version %d, the "
		    "one these programs need", version));
		return;
	}
	if (ok)
		set(it, DOCTOR_FAIL, xasprintf("connected, but the schema version "
		    "is %d and these programs need %d", version, DB_SCHEMA_VERSION));
	else
		set(it, DOCTOR_FAIL, xasprintf("%s", message != NULL &&
		    *message != '\0' ? message : "cannot use the database"));
	fix(it, DOCTOR_FIX_ANY, xasprintf("The programs answer 503 until this "
	    "works. Check the database line of %s: psql with that connection "
	    "string must work as the user the programs run as (www-data on "
	    "Debian's Apache). No schema yet: psql -d … -f sql/install.sql; an "
	    "older schema: psql -d … -f sql/upgrade.sql; a newer one: install the "
	    "programs of the same release.", c->path));
}

/* ---- (6) the clocks ---------------------------------------------------------- */

static double
dabs(double x)
{
	return x < 0 ? -x : x;
}

/*
 * db and web: PostgreSQL's clock and the web server's (Date header) minus
 * this host's, in seconds, or NULL when not measured.  Codes, tokens and
 * sessions expire by PostgreSQL's now(); cookies' Max-Age and clients'
 * own expiry by other clocks: a few seconds apart is a warning, a
 * minute (a code's lifetime is 10 s to 10 min) a failure.
 */
void
doctor_judge_clock(const double *db, const double *web, struct doctor_item *it)
{
	char	d[96] = "", w[96] = "";
	double	worst = 0;

	if (db != NULL) {
		snprintf(d, sizeof(d), "PostgreSQL's clock is %+.1f s from "
		    "this host's", *db);
		worst = dabs(*db);
	}
	if (web != NULL) {
		snprintf(w, sizeof(w), "the web server's Date header %+.0f s",
		    *web);
		if (dabs(*web) > worst)
			worst = dabs(*web);
	}
	if (db == NULL && web == NULL) {
		set(it, DOCTOR_WARN, xstrdup("not compared: neither the database "
		    "nor a Date header could be read"));
		fix(it, DOCTOR_FIX_ANY, xstrdup("Fix the database and HTTP checks "
		    "first."));
		return;
	}
	set(it, worst <= DOCTOR_CLOCK_WARN ? DOCTOR_OK :
	    worst > DOCTOR_CLOCK_FAIL ? DOCTOR_FAIL : DOCTOR_WARN,
	    xasprintf("%s%s%s", d, *d != '\0' && *w != '\0' ? "; " : "", w));
	if (it->status == DOCTOR_OK)
		return;
	fix(it, DOCTOR_FIX_ANY, xstrdup("Turn on time synchronisation on this "
	    "host, the web server and the database server (timedatectl "
	    "set-ntp true, or chrony). Codes, tokens and login sessions expire "
	    "by PostgreSQL's clock; clients and cookies go by theirs."));
}

/* ---- (7) FastCGI or CGI ------------------------------------------------------ */

/*
 * The page knows its own mode; the other programs' comes from /health
 * ({"status":"ok","mode":"fastcgi"}).  Plain CGI works, at the cost of a
 * process and a database connection per request: a warning.
 */
void
doctor_judge_mode(const struct doctor_page *page,
    const struct doctor_http *health, struct doctor_item *it)
{
	cJSON		*j = NULL, *m;
	const char	*mode = NULL;
	int		 cgi;
	char		*hs;

	if (health != NULL && health->answered && health->status == 200 &&
	    (j = cJSON_ParseWithLength(health->body, health->bodysz)) != NULL &&
	    cJSON_IsString(m = cJSON_GetObjectItemCaseSensitive(j, "mode")) &&
	    (strcmp(m->valuestring, "fastcgi") == 0 ||
	    strcmp(m->valuestring, "cgi") == 0))
		mode = strcmp(m->valuestring, "fastcgi") == 0 ? "FastCGI" : "CGI";
	cJSON_Delete(j);
	if (mode != NULL)
		hs = xasprintf("the programs run under %s (health)", mode);
	else if (health == NULL || !health->answered)
		hs = xstrdup("health did not answer");
	else if (health->status == 200)
		hs = xstrdup("health does not say its mode (an older health program?)");
	else
		hs = xasprintf("health answered %ld", health->status);
	cgi = (mode != NULL && strcmp(mode, "CGI") == 0) ||
	    (page != NULL && page->is_cgi);
	if (page != NULL)
		set(it, DOCTOR_OK, xasprintf("this page runs under %s; %s",
		    page->is_cgi ? "CGI" : "FastCGI", hs));
	else
		set(it, DOCTOR_OK, xstrdup(hs));
	free(hs);
	if (cgi) {
		it->status = DOCTOR_WARN;
		fix(it, DOCTOR_FIX_ANY, xstrdup("Plain CGI works, but starts a "
		    "process and a database connection for every request: slower, "
		    "and more load on PostgreSQL. FastCGI keeps them running."));
		fix(it, DOCTOR_FIX_APACHE, xstrdup("a2enmod fcgid, then reload "
		    "Apache: conf/apache/mcpgate.conf uses SetHandler fcgid-script "
		    "whenever mod_fcgid is loaded."));
		fix(it, DOCTOR_FIX_HTACCESS, xstrdup("conf/htaccess/cgi-bin.htaccess "
		    "uses SetHandler fcgid-script whenever the host has mod_fcgid; "
		    "without it CGI is what the host offers (ask the host for "
		    "mod_fcgid)."));
		fix(it, DOCTOR_FIX_LIGHTTPD, xstrdup("Use conf/lighttpd/mcpgate.conf: "
		    "it runs every program under mod_fastcgi (fastcgi.server with "
		    "bin-path); mod_cgi would start one process per request."));
	} else if (mode == NULL) {
		it->status = DOCTOR_WARN;
		if (health != NULL && health->answered && health->status == 503)
			fix_unavailable(it);
		else
			fix(it, DOCTOR_FIX_ANY, xstrdup("GET <mcp_path>/health "
			    "should answer 200 {\"status\":\"ok\",\"mode\":…}: "
			    "install the health program of this release, and see "
			    "the other checks."));
	}
}

/* ---- the probes -------------------------------------------------------------- */

struct probe {
	struct doctor_http	 h;
	char			*content_type, *location, *www, *date, *server;
	struct buf		 body;
	char			 err[CURL_ERROR_SIZE];
	char			*errmsg;
	double			 t0, t1;	/* this host's clock around it */
};

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
keep(char **dst, const char *v, size_t n, int join)
{
	char	*s;

	if (join) {
		/* all or nothing (PROBE_WWW_MAX) */
		if (n > PROBE_WWW_MAX || (*dst != NULL &&
		    strlen(*dst) + 2 + n > PROBE_WWW_MAX)) {
			free(*dst);
			*dst = xstrdup("(too long to judge)");
			return;
		}
	} else if (n > PROBE_HEADER_MAX)
		n = PROBE_HEADER_MAX;
	if (join && *dst != NULL) {
		/* RFC 9110 §5.3: repeated fields combine with commas */
		s = xasprintf("%s, %.*s", *dst, (int)n, v);
		free(*dst);
		*dst = s;
	} else {
		free(*dst);
		*dst = xstrndup(v, n);
	}
}

/* curl_slist_append, freeing the list when it fails. */
static struct curl_slist *
slist_add(struct curl_slist *l, const char *line)
{
	struct curl_slist	*n;

	if ((n = curl_slist_append(l, line)) == NULL)
		curl_slist_free_all(l);
	return n;
}

/* libcurl's header callback: one line at a time, the status line first. */
static size_t
on_header(char *line, size_t size, size_t nitems, void *arg)
{
	struct probe	*p = arg;
	size_t		 n = size * nitems, nl, vl;
	const char	*v;

	if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		/* a new response (after a 1xx): forget the last one's */
		free(p->content_type);
		free(p->location);
		free(p->www);
		free(p->date);
		free(p->server);
		p->content_type = p->location = p->www = p->date = NULL;
		p->server = NULL;
		return n;
	}
	if ((v = memchr(line, ':', n)) == NULL)
		return n;
	nl = (size_t)(v - line);
	for (v++; v < line + n && (*v == ' ' || *v == '\t'); v++)
		;
	for (vl = (size_t)(line + n - v); vl > 0 && (v[vl - 1] == '\r' ||
	    v[vl - 1] == '\n' || v[vl - 1] == ' ' || v[vl - 1] == '\t'); vl--)
		;
#define IS(name) (nl == sizeof(name) - 1 && strncasecmp(line, name, nl) == 0)
	if (IS("Content-Type"))
		keep(&p->content_type, v, vl, 0);
	else if (IS("Location"))
		keep(&p->location, v, vl, 0);
	else if (IS("WWW-Authenticate"))
		keep(&p->www, v, vl, 1);
	else if (IS("Date"))
		keep(&p->date, v, vl, 0);
	else if (IS("Server"))
		keep(&p->server, v, vl, 0);
#undef IS
	return n;
}

/* The body, up to PROBE_BODY_MAX bytes (the rest is read and dropped). */
static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct probe	*p = arg;
	size_t		 n = size * nmemb;

	size_t		 room = PROBE_BODY_MAX - p->body.len;

	/*
	 * buf_add cannot fail (the buffer's ceiling is above PROBE_BODY_MAX);
	 * if it did, the body is only shorter. Past the cap the rest is read
	 * and dropped, not refused: refusing would turn a big HTML page (a
	 * CMS answering /.well-known) into "no answer" (CURLE_WRITE_ERROR).
	 */
	if (room > 0 && buf_add(&p->body, data, n < room ? n : room) == -1)
		return n;
	return n;
}

static int
tls_failure(CURLcode e)
{
	switch (e) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return 1;
	default:
		return 0;
	}
}

/*
 * One request: GET url, or POST body to it with the bogus bearer token
 * (auth) when body is not NULL.  Fills p (probe_free() it).  skip: do
 * not send anything, only say why (the first probe got no answer).
 */
static void
probe(const char *url, const char *body, const char *auth, const char *skip,
    struct probe *p)
{
	CURL			*cu;
	struct curl_slist	*hdr = NULL;
	CURLcode		 e;
	long			 status = 0;

	memset(p, 0, sizeof(*p));
	buf_init(&p->body, PROBE_BODY_MAX + 1);
	if (skip != NULL) {
		p->errmsg = xstrdup(skip);
		goto out;
	}
	if ((cu = curl_easy_init()) == NULL) {
		p->errmsg = xstrdup("libcurl failed to initialise");
		goto out;
	}
	(void)curl_easy_setopt(cu, CURLOPT_URL, url);
	(void)curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(cu, CURLOPT_CONNECTTIMEOUT_MS, (long)PROBE_CONNECT_MS);
	(void)curl_easy_setopt(cu, CURLOPT_TIMEOUT_MS, (long)PROBE_TOTAL_MS);
	(void)curl_easy_setopt(cu, CURLOPT_FOLLOWLOCATION, 0L);
	/* what this server answers, not a proxy: no proxy from the environment */
	(void)curl_easy_setopt(cu, CURLOPT_PROXY, "");
#if LIBCURL_VERSION_NUM >= 0x075500
	(void)curl_easy_setopt(cu, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	(void)curl_easy_setopt(cu, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	(void)curl_easy_setopt(cu, CURLOPT_USERAGENT,
	    "mcpgate-doctor/" PACKAGE_VERSION);
	(void)curl_easy_setopt(cu, CURLOPT_ERRORBUFFER, p->err);
	(void)curl_easy_setopt(cu, CURLOPT_HEADERFUNCTION, on_header);
	(void)curl_easy_setopt(cu, CURLOPT_HEADERDATA, p);
	(void)curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, on_body);
	(void)curl_easy_setopt(cu, CURLOPT_WRITEDATA, p);
	/* a lost line (out of memory) would make a false finding: fail instead */
	if ((hdr = slist_add(hdr, "Accept: application/json, text/event-stream")) == NULL ||
	    (body != NULL && (
	    (hdr = slist_add(hdr, "Content-Type: application/json")) == NULL ||
	    (hdr = slist_add(hdr, auth)) == NULL ||
	    /* no "Expect: 100-continue" round trip */
	    (hdr = slist_add(hdr, "Expect:")) == NULL)))
		abort();	/* out of memory: nothing sensible to report */
	if (body != NULL) {
		(void)curl_easy_setopt(cu, CURLOPT_POSTFIELDS, body);
		(void)curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	(void)curl_easy_setopt(cu, CURLOPT_HTTPHEADER, hdr);
	p->t0 = now();
	e = curl_easy_perform(cu);
	p->t1 = now();
	if (e == CURLE_OK) {
		(void)curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &status);
		p->h.answered = 1;
		p->h.status = status;
	} else {
		p->h.tls_error = tls_failure(e);
		p->errmsg = xstrdup(p->err[0] != '\0' ? p->err :
		    curl_easy_strerror(e));
	}
	curl_easy_cleanup(cu);
	curl_slist_free_all(hdr);
out:
	p->h.error = p->errmsg;
	p->h.content_type = p->content_type;
	p->h.location = p->location;
	p->h.www_authenticate = p->www;
	p->h.date = p->date;
	p->h.server = p->server;
	p->h.body = buf_str(&p->body);
	p->h.bodysz = p->body.len;
}

static void
probe_free(struct probe *p)
{
	free(p->content_type);
	free(p->location);
	free(p->www);
	free(p->date);
	free(p->server);
	free(p->errmsg);
	buf_free(&p->body);
	memset(p, 0, sizeof(*p));
}

/*
 * The issuer the server publishes: the authorization-server metadata's
 * issuer, else (when /.well-known is blocked) the first of the
 * protected-resource metadata's authorization_servers.  NULL when no
 * document was readable.
 */
static char *
published_issuer(const struct conf *c, const struct probe *as,
    const struct probe *const *prms, size_t n)
{
	cJSON		*j, *v, *e;
	char		*s = NULL;
	size_t		 i;
	const char	*name = "issuer";
	const struct probe *p = as;

	for (i = 0; s == NULL && p != NULL; i++) {
		if (p->h.answered && p->h.status == 200 &&
		    (j = cJSON_ParseWithLength(p->h.body, p->h.bodysz)) != NULL) {
			v = cJSON_GetObjectItemCaseSensitive(j, name);
			/*
			 * The entry equal to ours when there is one, as the
			 * document check accepts any entry; else the first.
			 */
			if (cJSON_IsArray(v)) {
				e = cJSON_GetArrayItem(v, 0);
				cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(j, name))
					if (cJSON_IsString(v) &&
					    strcmp(v->valuestring, c->issuer) == 0)
						break;
				if (v == NULL)
					v = e;
			}
			if (cJSON_IsString(v))
				s = xstrdup(v->valuestring);
			cJSON_Delete(j);
		}
		name = "authorization_servers";
		p = i < n ? prms[i] : NULL;
	}
	return s;
}

/* Whether two items have the same fixes (for dedupe_fixes). */
static int
same_fixes(const struct doctor_item *a, const struct doctor_item *b)
{
	size_t	f;

	for (f = 0; f < DOCTOR_FIX__MAX; f++)
		if ((a->fix[f] == NULL) != (b->fix[f] == NULL) ||
		    (a->fix[f] != NULL && strcmp(a->fix[f], b->fix[f]) != 0))
			return 0;
	return 1;
}

/*
 * The fixes of several items are often the same (three blocked
 * well-known URLs): say them once, and point back to them.
 */
static void
dedupe_fixes(struct doctor_report *rep)
{
	size_t	i, j;

	for (i = 1; i < rep->itemsz; i++) {
		if (rep->items[i].fix[DOCTOR_FIX_ANY] == NULL)
			continue;
		for (j = 0; j < i; j++)
			if (same_fixes(&rep->items[j], &rep->items[i]))
				break;
		if (j == i)
			continue;
		doctor_item_free_fixes(&rep->items[i]);
		rep->items[i].fix[DOCTOR_FIX_ANY] = xasprintf("The same as for "
		    "%s above.", rep->items[j].key);
	}
}

static struct doctor_item *
add(struct doctor_report *rep, const char *key, const char *title)
{
	struct doctor_item	*it;

	rep->items = xreallocarray(rep->items, rep->itemsz + 1,
	    sizeof(*rep->items));
	it = &rep->items[rep->itemsz++];
	memset(it, 0, sizeof(*it));
	it->key = key;
	it->title = title;
	return it;
}

/*
 * Run every check against the configuration c and fill rep (free it with
 * doctor_report_free).  page: the doctor page's own request, or NULL for
 * mcpgate-doctor.  The database connection is the process's (db.c); the
 * HTTP probes go to the public URLs built from the issuer, one after the
 * other (at most 5 s each; after a first probe without any answer the
 * others are not sent, since they would wait as long for nothing).
 */
void
doctor_run(const struct conf *c, const struct doctor_page *page,
    struct doctor_report *rep)
{
	static int		 curl_ready;
	static const char	 init[] = "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
	    "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":"
	    "\"mcpgate-doctor\",\"version\":\"" PACKAGE_VERSION "\"}}}";
	struct probe		 as, mcp, prm, root, chal, health;
	struct db_rows		 rows;
	char			*u, *skip = NULL, *iss, junk[SECRET_STRLEN + 1];
	char			 auth[128];
	double			 dbo = 0, webo = 0, t0, t1, pgnow;
	int			 have_db = 0, have_web = 0, ok, rc, version = -1;
	time_t			 date;
	const struct probe	*dated[4], *prms[3];
	size_t			 i;
	char			*end;

	memset(rep, 0, sizeof(*rep));
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			skip = xstrdup("libcurl failed to initialise");
		else
			curl_ready = 1;
	}

	/*
	 * The first probe says whether the issuer answers at all; the bogus
	 * token is random junk of a shape no token has (a token is 43
	 * base64url characters), so no real secret can ever be sent.
	 */
	u = xasprintf("%s" AS_PATH, c->issuer);
	probe(u, NULL, NULL, skip, &as);
	free(u);
	if (!as.h.answered && skip == NULL)
		skip = xasprintf("not sent: the first request to %s got no answer "
		    "(%s)", c->issuer, or_none(as.h.error));
	secret_random(junk);
	snprintf(auth, sizeof(auth), "Authorization: Bearer doctor-probe.%s", junk);
	probe(c->mcp_url, init, auth, skip, &mcp);
	secret_wipe(auth, sizeof(auth));
	secret_wipe(junk, sizeof(junk));
	u = xasprintf("%s" PRM_PATH "%s", c->issuer, c->mcp_path);
	probe(u, NULL, NULL, skip, &prm);
	free(u);
	u = xasprintf("%s" PRM_PATH, c->issuer);
	probe(u, NULL, NULL, skip, &root);
	free(u);
	if (c->well_known_blocked)
		probe(c->prm_url, NULL, NULL, skip, &chal);
	u = xasprintf("%s/health", c->mcp_url);
	probe(u, NULL, NULL, skip, &health);
	free(u);

	rep->server = page != NULL && page->server_software != NULL ?
	    xstrdup(page->server_software) :
	    as.h.server != NULL ? xstrdup(as.h.server) :
	    mcp.h.server != NULL ? xstrdup(mcp.h.server) : NULL;
	rep->frontend = doctor_frontend_of(rep->server);

	/* (1) */
	doctor_judge_authorization(c, &mcp.h, add(rep, "authorization",
	    "The Authorization header reaches the programs"));
	/* (2) */
	u = xasprintf("%s" AS_PATH, c->issuer);
	doctor_judge_document(c, DOCTOR_DOC_AS, u, &as.h, add(rep,
	    "well-known-as", "Authorization-server metadata at "
	    AS_PATH));
	free(u);
	u = xasprintf("%s" PRM_PATH "%s", c->issuer, c->mcp_path);
	doctor_judge_document(c, DOCTOR_DOC_PRM, u, &prm.h, add(rep,
	    "well-known-prm", "Protected-resource metadata at "
	    PRM_PATH "<mcp_path>"));
	free(u);
	u = xasprintf("%s" PRM_PATH, c->issuer);
	doctor_judge_document(c, DOCTOR_DOC_PRM, u, &root.h, add(rep,
	    "well-known-prm-root", "Protected-resource metadata at "
	    PRM_PATH));
	free(u);
	if (c->well_known_blocked)
		doctor_judge_document(c, DOCTOR_DOC_PRM, c->prm_url, &chal.h,
		    add(rep, "prm-mcp-path", "Protected-resource metadata under "
		    "the MCP path (well_known_blocked)"));
	/* (3) */
	prms[0] = c->well_known_blocked ? &chal : &prm;
	prms[1] = c->well_known_blocked ? &prm : &root;
	prms[2] = c->well_known_blocked ? &root : NULL;
	iss = published_issuer(c, &as, prms, prms[2] != NULL ? 3 : 2);
	doctor_judge_issuer(c, iss, page, add(rep, "issuer",
	    "The issuer is the public base URL"));
	free(iss);
	/* (4) */
	doctor_judge_https(c, &as.h, add(rep, "https",
	    "https, with a certificate clients accept"));

	/* (5), and PostgreSQL's clock for (6) */
	/*
	 * db_ensure() trusts a connection that has not failed yet; the
	 * schema version is a statement, which finds out (and reconnects
	 * once, db.c) when PostgreSQL went away under a running process.
	 */
	ok = db_ensure(c) == 0;
	if (ok && (rc = db_schema_version(&version)) != 1) {
		ok = rc == 0;
		version = 0;	/* 0: the table is empty */
	}
	t0 = now();
	if (ok && db_fetch(STMT_DOCTOR_CLOCK, 0, NULL, NULL, &rows) == 1 &&
	    rows.v[0] != NULL) {
		t1 = now();
		pgnow = strtod(rows.v[0], &end);
		if (end != rows.v[0] && *end == '\0' && isfinite(pgnow)) {
			/* the server read its clock about half way */
			dbo = pgnow - (t0 + t1) / 2;
			have_db = 1;
		}
	}
	if (ok)
		db_rows_free(&rows);
	doctor_judge_database(c, ok, version, ok ? NULL : db_last_message(),
	    add(rep, "database", "The database is reachable and its schema "
	    "current"));

	/*
	 * (6) The web server's Date has a resolution of one second: compare
	 * its middle with the middle of the request.
	 */
	dated[0] = &as;
	dated[1] = &mcp;
	dated[2] = &prm;
	dated[3] = &health;
	for (i = 0; i < 4 && !have_web; i++)
		if (dated[i]->h.answered &&
		    doctor_http_date(dated[i]->h.date, &date)) {
			webo = (double)date + 0.5 - (dated[i]->t0 + dated[i]->t1) / 2;
			have_web = 1;
		}
	doctor_judge_clock(have_db ? &dbo : NULL, have_web ? &webo : NULL,
	    add(rep, "clock", "The clocks agree"));

	/* (7) */
	doctor_judge_mode(page, &health.h, add(rep, "mode",
	    "The programs run under FastCGI"));
	dedupe_fixes(rep);

	probe_free(&as);
	probe_free(&mcp);
	probe_free(&prm);
	probe_free(&root);
	if (c->well_known_blocked)
		probe_free(&chal);
	probe_free(&health);
	free(skip);
}
