/*
 * doctor.c: the connector doctor page, for the site's administrators.
 *
 *   GET|HEAD <mcp_path>/doctor   the sign-in form
 *   POST     <mcp_path>/doctor   username + password of an administrator
 *                                (admin_users) → the report
 *
 * The report runs the checks of src/lib/doctor.c (the same ones
 * mcpgate-doctor runs on the host) from inside the web server: whether
 * the Authorization header reaches the programs, whether the well-known
 * URLs give this server's documents, the issuer, https, the database,
 * the clocks, FastCGI or CGI; each with what was seen and how to fix it
 * for Apache, .htaccess and lighttpd.
 *
 * Only a user whose username is listed in admin_users, whose account is
 * enabled and who gives the right password sees the report.  The sign-in
 * is the authorization page's (src/lib/login.c): the same session cookie
 * carries the CSRF token of the form (S-04), the same per-user and
 * per-address limits count the attempts (S-18), the same argon2id check
 * runs for unknown users too.  A wrong password, an unknown user and a
 * user who is not an administrator all get the same answer, so the form
 * tells nobody which usernames exist or which are administrators.  The
 * report is shown once, in the answer to the POST, and never stored or
 * cached (Cache-Control: no-store, as every answer).
 *
 * The database is checked by the report, so this program does not need
 * it to answer: while it is down the page says so (200) instead of
 * failing with a 503, and points at mcpgate-doctor, which needs no
 * sign-in.  (A schema of another version is refused when db.c connects,
 * so it looks the same here; the CLI tells them apart.)  Nothing the page shows before sign-in depends on the
 * configuration beyond the issuer and the site's name.
 *
 * Raises 200 (the form, the report, or a notice), 400, 401 (refused),
 * 403 (bad CSRF), 404, 405, 413, 415, 429, 500 (bad configuration).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <fcgiapp.h>

#include "app.h"
#include "buf.h"
#include "conf.h"
#include "db.h"
#include "doctor.h"
#include "html.h"
#include "log.h"
#include "login.h"
#include "page.h"
#include "password.h"
#include "templates.h"
#include "xmalloc.h"

enum dfield {
	F_CSRF,
	F_USERNAME,
	F_PASSWORD,
	F__MAX
};

static const struct field_spec fields[F__MAX] = {
	[F_CSRF] = { "csrf", NULL, 64 },
	[F_USERNAME] = { "username", NULL, 256 },
	[F_PASSWORD] = { "password", NULL, PASSWORD_MAX },
};

/* The form posts to this page only; no script anywhere (S-05). */
static const char csp[] = "default-src 'none'; style-src 'self'; "
    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'";

/* One message for every refusal: no oracle for usernames or admins. */
static const char refused[] =
    "Wrong username or password, or not an administrator of this site.";

/* A field's value, or NULL when absent or empty. */
static const char *
fv(const struct req *r, enum dfield f)
{
	const struct field *x = &r->fields[f];

	return x->val != NULL && x->len > 0 ? x->val : NULL;
}

/* A page of heading, message and a fine-print line (error.html). */
static void
notice_page(struct req *r, int status, const char *heading, const char *msg,
    const char *detail)
{
	struct buf	 body;
	struct tmpl_var	 v[3];

	v[0] = (struct tmpl_var){ "heading", heading, 0 };
	v[1] = (struct tmpl_var){ "message", msg, 0 };
	v[2] = (struct tmpl_var){ "detail", detail, 0 };
	buf_init(&body, 65536);
	if (tmpl_render(&body, tmpl_error, v, 3) == 0)
		page_send(r, status, heading, &body, csp);
	buf_free(&body);
}

/*
 * Without a database nobody can sign in; say so, and where the checks
 * run without signing in.  Not a 503: the page itself works, and hosts
 * that replace 5xx bodies with their own page would hide the message.
 */
static void
db_down_page(struct req *r)
{
	notice_page(r, 200, "The database cannot be reached",
	    "Signing in needs the database, and the programs cannot use it "
	    "right now, so the report cannot be shown here.",
	    "Run mcpgate-doctor on the server: it runs every check, the "
	    "database's included, without signing in.");
}

/*
 * How app.c and this file report errors: a page, never JSON.  A 503 is
 * app_db_error() finding the database gone in the middle of a request:
 * the same notice as when it is gone from the start.
 */
static void
error_page(struct req *r, int status, const char *code, const char *desc)
{
	const char	*heading;

	if (status == 503) {
		db_down_page(r);
		return;
	}
	switch (status) {
	case 429: heading = "Too many attempts"; break;
	case 404: heading = "Page not found"; break;
	case 403: heading = "This form has expired"; break;
	default: heading = status >= 500 ? "Something went wrong" :
	    "This request cannot be completed"; break;
	}
	notice_page(r, status, heading, desc != NULL ? desc : code,
	    "Open the page again and sign in.");
}

static char *
action(const struct req *r)
{
	return xasprintf("%s/doctor", r->conf->mcp_path);
}

static void
form_page(struct req *r, int status, const char *csrf, const char *error)
{
	struct buf	 body, err;
	struct tmpl_var	 v[6];
	char		*act = action(r);

	buf_init(&body, 65536);
	buf_init(&err, 4096);
	if (error != NULL && (buf_adds(&err, "<p class=\"notice error\" role=\"alert\">") == -1 ||
	    html_escape(&err, error) == -1 || buf_adds(&err, "</p>") == -1))
		buf_reset(&err);
	v[0] = (struct tmpl_var){ "site", r->conf->resource_name, 0 };
	v[1] = (struct tmpl_var){ "issuer", r->conf->issuer, 0 };
	/* raw: built above from escaped text */
	v[2] = (struct tmpl_var){ "error", buf_str(&err), 1 };
	v[3] = (struct tmpl_var){ "action", act, 0 };
	v[4] = (struct tmpl_var){ "csrf", csrf, 0 };
	v[5] = (struct tmpl_var){ "username", fv(r, F_USERNAME), 0 };
	if (tmpl_render(&body, tmpl_doctor_login, v, 6) == 0)
		page_send(r, status, "Connector doctor", &body, csp);
	free(act);
	buf_free(&body);
	buf_free(&err);
}

/* One check as an <li>; every value escaped here. */
static int
render_item(struct buf *b, const struct doctor_report *rep,
    const struct doctor_item *it)
{
	const char	*st = doctor_status_name(it->status);
	size_t		 f;

	if (buf_printf(b, "<li class=\"check %s\">\n<p class=\"check-head\">"
	    "<span class=\"badge %s\">%s</span> <strong>", st, st, st) == -1 ||
	    html_escape(b, it->title) == -1 ||
	    buf_adds(b, "</strong> <span class=\"key\">") == -1 ||
	    html_escape(b, it->key) == -1 ||
	    buf_adds(b, "</span></p>\n<p class=\"detail\">") == -1 ||
	    html_escape(b, it->detail) == -1 ||
	    buf_adds(b, "</p>\n") == -1)
		return -1;
	for (f = 0; f < DOCTOR_FIX__MAX; f++) {
		if (it->fix[f] == NULL || !doctor_fix_shown(rep->frontend, f))
			continue;
		if (buf_adds(b, "<div class=\"fix\"><p class=\"fix-for\">") == -1 ||
		    html_escape(b, doctor_fix_name(f)) == -1 ||
		    buf_adds(b, f == DOCTOR_FIX_ANY ? "</p><p>" : "</p><pre>") == -1 ||
		    html_escape(b, it->fix[f]) == -1 ||
		    buf_adds(b, f == DOCTOR_FIX_ANY ? "</p></div>\n" :
		    "</pre></div>\n") == -1)
			return -1;
	}
	return buf_adds(b, "</li>\n");
}

static void
report_page(struct req *r, const char *user, const struct doctor_report *rep)
{
	struct buf	 body, checks;
	struct tmpl_var	 v[7];
	size_t		 i, n[DOCTOR_STATUS__MAX] = { 0 };
	char		*summary, *fe, when[64];
	time_t		 t = time(NULL);
	struct tm	 tm;

	buf_init(&body, HTTP_RESPONSE_MAX);
	buf_init(&checks, HTTP_RESPONSE_MAX);
	for (i = 0; i < rep->itemsz; i++) {
		n[rep->items[i].status]++;
		if (render_item(&checks, rep, &rep->items[i]) == -1) {
			error_page(r, 500, "server_error", "The report is too long.");
			goto out;
		}
	}
	if (n[DOCTOR_FAIL] + n[DOCTOR_WARN] == 0)
		summary = xasprintf("All %zu checks passed.", rep->itemsz);
	else
		summary = xasprintf("%zu of %zu checks failed, %zu gave a "
		    "warning: what to do is under each.", n[DOCTOR_FAIL],
		    rep->itemsz, n[DOCTOR_WARN]);
	fe = xasprintf("%s (%s)%s", doctor_frontend_name(rep->frontend),
	    rep->server != NULL ? rep->server : "no SERVER_SOFTWARE",
	    rep->frontend == DOCTOR_FE_UNKNOWN ?
	    ": the fixes for every front end are shown" : "");
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	v[0] = (struct tmpl_var){ "summary", summary, 0 };
	v[1] = (struct tmpl_var){ "issuer", r->conf->issuer, 0 };
	v[2] = (struct tmpl_var){ "config", r->conf->path, 0 };
	v[3] = (struct tmpl_var){ "frontend", fe, 0 };
	v[4] = (struct tmpl_var){ "when", when, 0 };
	v[5] = (struct tmpl_var){ "username", user, 0 };
	/* raw: render_item escapes every value */
	v[6] = (struct tmpl_var){ "checks", buf_str(&checks), 1 };
	if (tmpl_render(&body, tmpl_doctor, v, 7) == 0)
		page_send(r, 200, "Connector doctor", &body, csp);
	free(summary);
	free(fe);
out:
	buf_free(&body);
	buf_free(&checks);
}

/* What the page knows of its own request (struct doctor_page). */
static void
page_facts(const struct req *r, struct doctor_page *p)
{
	const char	*https = req_env(r, "HTTPS"), *rs;

	memset(p, 0, sizeof(*p));
	p->is_cgi = FCGX_IsCGI();
	if (https != NULL && (strcasecmp(https, "on") == 0 ||
	    strcmp(https, "1") == 0))
		p->scheme = "https";
	else if ((rs = req_env(r, "REQUEST_SCHEME")) != NULL &&
	    strcmp(rs, "https") == 0)
		p->scheme = "https";
	else
		p->scheme = "http";
	p->host = req_env(r, "HTTP_HOST");
	p->forwarded_proto = req_env(r, "HTTP_X_FORWARDED_PROTO");
	p->server_software = req_env(r, "SERVER_SOFTWARE");
}

static void
signed_in(struct req *r, long long uid, const char *user)
{
	struct doctor_page	p;
	struct doctor_report	rep;

	if (db_audit("doctor_report", uid, NULL, r->remote_addr, NULL) == -1) {
		app_db_error(r);
		return;
	}
	log_info("doctor report for user %lld", uid);
	page_facts(r, &p);
	doctor_run(r->conf, &p, &rep);
	report_page(r, user, &rep);
	doctor_report_free(&rep);
}

static void
doctor(struct req *r)
{
	struct login	 l;
	const char	*user, *pw;
	char		*display = NULL;
	long long	 uid, wait;
	int		 version;

	memset(&l, 0, sizeof(l));
	/*
	 * A statement, not only db_ensure(): a FastCGI process's connection
	 * looks fine until it is used after PostgreSQL went away (db.c
	 * reconnects once for a statement marked retry, like this one).
	 */
	if (db_ensure(r->conf) == -1 || db_schema_version(&version) == -1) {
		db_down_page(r);
		return;
	}
	if (r->conf->admin_users == NULL) {
		notice_page(r, 200, "No administrators",
		    "Nobody may see this page yet: add the usernames of the "
		    "administrators to mcpgate's configuration file, as in "
		    "\"admin_users = alice\" (space-separated), then open this "
		    "page again.",
		    "Or run mcpgate-doctor on the server, which needs no sign-in.");
		return;
	}
	if (login_load(r, &l) == -1)
		goto out;
	if (r->method != HTTP_POST) {
		if (!l.found && login_start(r, &l) == -1)
			goto out;
		form_page(r, 200, l.csrf, NULL);
		goto out;
	}
	/* only from a form we served to this browser (S-04) */
	if (!login_csrf_ok(&l, fv(r, F_CSRF))) {
		error_page(r, 403, "invalid_request", "This form is no longer "
		    "valid (it expired, or did not come from this site).");
		goto out;
	}
	user = fv(r, F_USERNAME);
	pw = fv(r, F_PASSWORD);
	if (user == NULL || pw == NULL) {
		form_page(r, 400, l.csrf, "Enter your username and password.");
		goto out;
	}
	switch (login_password(r, user, pw, NULL, "doctor", &uid, &display,
	    &wait)) {
	case LOGIN_OK:
		/* after the password check: the same work for everyone */
		if (!doctor_is_admin(r->conf->admin_users, user)) {
			if (db_audit("doctor_refused", uid, NULL, r->remote_addr,
			    NULL) == -1) {
				app_db_error(r);
				break;
			}
			form_page(r, 401, l.csrf, refused);
			break;
		}
		signed_in(r, uid, display != NULL ? display : user);
		break;
	case LOGIN_WRONG:
		form_page(r, 401, l.csrf, refused);
		break;
	case LOGIN_LIMITED:
		(void)resp_header(r, "Retry-After", "%lld", wait);
		error_page(r, 429, "too_many_requests",
		    "Too many sign-in attempts. Wait a few minutes, then try again.");
		break;
	case LOGIN_FAILED:
		break;		/* answered */
	default:
		abort();
	}
out:
	free(display);
	login_free(&l);
}

static void
handle(struct req *r)
{
	const char	*mp = r->conf->mcp_path;
	size_t		 ml = strlen(mp);

	if (strncmp(r->path, mp, ml) == 0 && strcmp(r->path + ml, "/doctor") == 0)
		doctor(r);
	else
		error_page(r, 404, "not_found", "There is no page at this address.");
}

static const struct endpoint endpoint = {
	.name = "doctor",
	.methods = HTTP_M(HTTP_GET) | HTTP_M(HTTP_HEAD) | HTTP_M(HTTP_POST),
	.body = BODY_FORM,
	.body_max = 16384,
	.fields = fields,
	.fieldsz = F__MAX,
	/* not EP_DB: the page answers while the database is down */
	.flags = 0,
	.handle = handle,
	.error = error_page,
};

int
main(void)
{
	return app_run(&endpoint);
}
