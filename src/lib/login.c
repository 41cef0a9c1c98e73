/*
 * login.c: the login session, its CSRF token, and the password check with
 * its rate limits (see login.h).  Moved here from authorize.c when the
 * doctor page (src/doctor.c) needed the same sign-in: one implementation,
 * so the two pages cannot drift apart in what they protect.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "app.h"
#include "conf.h"
#include "cookie.h"
#include "db_oauth.h"
#include "http.h"
#include "log.h"
#include "login.h"
#include "password.h"
#include "secret.h"
#include "xmalloc.h"

/*
 * The session cookie's name: __Host- on https, which the browser only
 * accepts with Secure, Path=/ and no Domain (RFC 6265bis §4.1.3.2), so a
 * sibling subdomain cannot plant one.  Browsers refuse it over plain
 * http, hence the plain name on a loopback issuer.
 */
const char *
login_cookie_name(const struct conf *c)
{
	return strncmp(c->issuer, "https:", 6) == 0 ?
	    "__Host-mcpgate_session" : "mcpgate_session";
}

/*
 * The CSRF token of a session: a keyed BLAKE2b of a constant under the
 * session id, so it needs no storage, changes with the session, and
 * cannot be computed without the HttpOnly cookie.
 */
void
login_csrf_of(const char *sid, char out[SECRET_STRLEN + 1])
{
	unsigned char	mac[SECRET_BYTES];
	static const char msg[] = "mcpgate csrf v1";

	crypto_generichash(mac, sizeof(mac), (const unsigned char *)msg,
	    sizeof(msg) - 1, (const unsigned char *)sid, SECRET_STRLEN);
	(void)secret_b64url(mac, sizeof(mac), out, SECRET_STRLEN + 1);
	sodium_memzero(mac, sizeof(mac));
}

/*
 * Load the session named by the request's cookie into l (l->found says
 * whether there is a live one).  0, or -1 when a database failure has
 * been answered.  Release l with login_free() either way.
 */
int
login_load(struct req *r, struct login *l)
{
	char	*v;
	int	 rc;

	memset(l, 0, sizeof(*l));
	v = cookie_get(req_var(r, RV_HTTP_COOKIE), login_cookie_name(r->conf));
	if (v != NULL && secret_b64url_valid(v, strlen(v))) {
		memcpy(l->sid, v, SECRET_STRLEN + 1);
		secret_hash(l->sid, SECRET_STRLEN, l->sid_hash);
		if ((rc = db_session_get(l->sid_hash,
		    r->conf->session_idle_lifetime, &l->s)) == -1) {
			free(v);
			app_db_error(r);
			return -1;
		}
		l->found = rc == 1;
		if (l->found)
			login_csrf_of(l->sid, l->csrf);
	}
	free(v);
	if (!l->found)
		l->sid[0] = '\0';
	return 0;
}

/*
 * Start a pre-login session: store it, set its cookie, and derive the
 * CSRF token the form will carry.  0, or -1 (a database failure,
 * answered).
 */
int
login_start(struct req *r, struct login *l)
{
	unsigned char	csrf_hash[SECRET_HASHBYTES];

	secret_random(l->sid);
	secret_hash(l->sid, SECRET_STRLEN, l->sid_hash);
	login_csrf_of(l->sid, l->csrf);
	secret_hash(l->csrf, SECRET_STRLEN, csrf_hash);
	if (db_session_create(l->sid_hash, csrf_hash, LOGIN_PRELOGIN_LIFETIME,
	    r->remote_addr, req_var(r, RV_HTTP_USER_AGENT)) == -1) {
		app_db_error(r);
		return -1;
	}
	cookie_set_session(r, login_cookie_name(r->conf), l->sid,
	    LOGIN_PRELOGIN_LIFETIME);
	l->found = 1;
	return 0;
}

/*
 * Whether a form's CSRF value is the one of this browser's session (S-04):
 * only a page we served to it can post.  Constant-time comparison.
 */
int
login_csrf_ok(const struct login *l, const char *csrf)
{
	return l->found && csrf != NULL && strlen(csrf) == SECRET_STRLEN &&
	    secret_equal(csrf, l->csrf, SECRET_STRLEN);
}

void
login_free(struct login *l)
{
	session_free(&l->s);
	sodium_memzero(l, sizeof(*l));
}

/*
 * Check a username and password (S-18): count the attempt against the
 * per-user and per-address limits first (the username bucket is
 * lower-cased, as the user look-up is case-insensitive), then verify the
 * password with the same argon2id work whether or not the user exists.
 * A failure is written to the audit log with the username (never the
 * password); page names the page in the entry when it is not the OAuth
 * login (NULL).
 *
 * LOGIN_OK sets *uid and *display (the caller frees it); LOGIN_LIMITED
 * sets *wait (seconds); LOGIN_FAILED means a database failure that has
 * been answered (app_db_error).  LOGIN_WRONG and LOGIN_LIMITED leave the
 * answer to the caller, whose page says it in its own words.
 */
enum login_verdict
login_password(struct req *r, const char *user, const char *pw,
    const char *client_id, const char *page, long long *uid, char **display,
    long long *wait)
{
	char	*hash = NULL, *ub, *ab, *s;
	cJSON	*d;
	int	 rc, ok;

	*uid = 0;
	*display = NULL;
	*wait = 0;
	ub = xasprintf("login:user:%s", user);
	ab = xasprintf("login:ip:%s", r->remote_addr ? r->remote_addr : "unknown");
	for (char *p = ub; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	rc = db_login_limit(ub, ab, LOGIN_WINDOW, r->conf->login_limit_user,
	    r->conf->login_limit_ip, wait);
	free(ub);
	free(ab);
	if (rc == -1) {
		app_db_error(r);
		return LOGIN_FAILED;
	}
	if (*wait > 0)
		return LOGIN_LIMITED;
	if ((rc = db_user_get(user, uid, &hash, display)) == -1) {
		app_db_error(r);
		return LOGIN_FAILED;
	}
	/* the same argon2id work for unknown users (password_verify) */
	ok = password_verify(rc == 1 ? hash : NULL, pw, strlen(pw));
	free(hash);
	if (ok)
		return LOGIN_OK;
	free(*display);
	*display = NULL;
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "username", user);
	if (page != NULL)
		cJSON_AddStringToObject(d, "page", page);
	/*
	 * The printed object as it is: a fixed buffer would cut a long
	 * username's escapes into invalid JSON, and the insert would fail.
	 */
	s = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	rc = db_audit("login_failed", rc == 1 ? *uid : 0, client_id,
	    r->remote_addr, s != NULL ? s : "{}");
	cJSON_free(s);
	*uid = 0;
	if (rc == -1) {
		app_db_error(r);
		return LOGIN_FAILED;
	}
	return LOGIN_WRONG;
}
