/*
 * db_oauth.c: typed access to the authorization server's tables (see
 * db_oauth.h).  Each function runs one registered statement (db_stmt.c)
 * and copies what it needs out of the result.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "db.h"
#include "db_oauth.h"
#include "json.h"
#include "log.h"
#include "valid.h"
#include "xmalloc.h"

#define HASHLEN	SECRET_HASHBYTES

static char *
dupval(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL :
	    xstrdup(PQgetvalue(res, row, col));
}

static long long
numval(const PGresult *res, int row, int col)
{
	unsigned long long	v;
	const char		*s;

	if (PQgetisnull(res, row, col))
		return 0;
	s = PQgetvalue(res, row, col);
	if (!valid_uint(s, strlen(s), 0, (unsigned long long)1 << 62, &v))
		return 0;
	return (long long)v;
}

void
client_free(struct client *c)
{
	size_t	i;

	free(c->client_id);
	free(c->auth_method);
	free(c->client_name);
	free(c->scope);
	for (i = 0; i < c->redirect_urisz; i++)
		free(c->redirect_uris[i]);
	free(c->redirect_uris);
	memset(c, 0, sizeof(*c));
}

int
db_client_get(const char *client_id, struct client *c)
{
	const char	*p[1] = { client_id };
	PGresult	*res;
	cJSON		*arr, *it;
	char		 err[64];
	const char	*js;

	memset(c, 0, sizeof(*c));
	if ((res = (PGresult *)db_run(STMT_CLIENT_GET, 1, p, NULL)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return 0;
	}
	c->client_id = dupval(res, 0, 0);
	c->auth_method = dupval(res, 0, 1);
	c->client_name = dupval(res, 0, 3);
	c->scope = dupval(res, 0, 4);
	c->disabled = strcmp(PQgetvalue(res, 0, 5), "t") == 0;
	js = PQgetvalue(res, 0, 2);
	if ((arr = json_parse(js, strlen(js), 1 << 20, 4, err, sizeof(err))) != NULL) {
		cJSON_ArrayForEach(it, arr) {
			if (!cJSON_IsString(it))
				continue;
			c->redirect_uris = xreallocarray(c->redirect_uris,
			    c->redirect_urisz + 1, sizeof(char *));
			c->redirect_uris[c->redirect_urisz++] =
			    xstrdup(it->valuestring);
		}
		cJSON_Delete(arr);
	}
	PQclear(res);
	return 1;
}

/*
 * Register a client, if the address's hourly limit allows.  Returns -1,
 * 0 when over the limit (*wait set), or 1 (*issued_at set).
 */
int
db_client_register(const struct client_registration *cr, const char *addr,
    long long limit, long long *wait, long long *issued_at)
{
	char		 lim[32];
	const char	*p[13];
	int		 l[13] = { 0 };
	PGresult	*res;
	int		 rc;

	snprintf(lim, sizeof(lim), "%lld", limit);
	p[0] = cr->client_id;
	p[1] = (const char *)cr->secret_hash;
	l[1] = cr->secret_hash != NULL ? HASHLEN : 0;
	p[2] = cr->auth_method;
	p[3] = cr->redirect_uris_json;
	p[4] = cr->client_name;
	p[5] = cr->client_uri;
	p[6] = cr->logo_uri;
	p[7] = cr->scope;
	p[8] = cr->grant_types_json;
	p[9] = cr->application_type;
	p[10] = cr->metadata_json;
	p[11] = addr;
	p[12] = lim;
	if ((res = (PGresult *)db_run(STMT_CLIENT_REGISTER, 13, p, l)) == NULL)
		return -1;
	*wait = numval(res, 0, 0);
	*issued_at = numval(res, 0, 1);
	rc = *wait > 0 ? 0 : 1;
	PQclear(res);
	return rc;
}

void
session_free(struct session *s)
{
	free(s->user_name);
	memset(s, 0, sizeof(*s));
}

int
db_session_get(const unsigned char *hash, long long idle, struct session *s)
{
	char		 idl[32];
	const char	*p[2] = { (const char *)hash, idl };
	int		 l[2] = { HASHLEN, 0 };
	PGresult	*res;

	memset(s, 0, sizeof(*s));
	snprintf(idl, sizeof(idl), "%lld", idle);
	if ((res = (PGresult *)db_run(STMT_SESSION_GET, 2, p, l)) == NULL)
		return -1;
	if (PQntuples(res) != 1 || PQgetlength(res, 0, 0) < 2 + 2 * HASHLEN) {
		PQclear(res);
		return 0;
	}
	/* bytea in text form: \x and hex digits */
	if (sodium_hex2bin(s->csrf_hash, HASHLEN, PQgetvalue(res, 0, 0) + 2,
	    2 * HASHLEN, NULL, NULL, NULL) != 0) {
		PQclear(res);
		return 0;
	}
	s->user_id = numval(res, 0, 1);
	s->user_name = dupval(res, 0, 2);
	PQclear(res);
	return 1;
}

int
db_session_create(const unsigned char *hash, const unsigned char *csrf,
    long long lifetime, const char *addr, const char *agent)
{
	char		 lt[32];
	const char	*p[5] = { (const char *)hash, (const char *)csrf, lt, addr, agent };
	int		 l[5] = { HASHLEN, HASHLEN, 0, 0, 0 };
	PGresult	*res;

	snprintf(lt, sizeof(lt), "%lld", lifetime);
	if ((res = (PGresult *)db_run(STMT_SESSION_CREATE, 5, p, l)) == NULL)
		return -1;
	PQclear(res);
	return 1;
}

/* Count a login attempt.  -1, or 0 with *wait (0: allowed). */
int
db_login_limit(const char *user_bucket, const char *addr_bucket,
    long long window, long long user_limit, long long addr_limit,
    long long *wait)
{
	char		 w[32], ul[32], al[32];
	const char	*p[5] = { user_bucket, addr_bucket, w, ul, al };
	PGresult	*res;

	snprintf(w, sizeof(w), "%lld", window);
	snprintf(ul, sizeof(ul), "%lld", user_limit);
	snprintf(al, sizeof(al), "%lld", addr_limit);
	if ((res = (PGresult *)db_run(STMT_LOGIN_LIMIT, 5, p, NULL)) == NULL)
		return -1;
	*wait = numval(res, 0, 0);
	PQclear(res);
	return 0;
}

int
db_user_get(const char *name, long long *user_id, char **password_hash,
    char **display)
{
	const char	*p[1] = { name };
	PGresult	*res;

	*password_hash = *display = NULL;
	if ((res = (PGresult *)db_run(STMT_USER_GET, 1, p, NULL)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return 0;
	}
	*user_id = numval(res, 0, 0);
	*password_hash = dupval(res, 0, 1);
	*display = dupval(res, 0, 2);
	PQclear(res);
	return 1;
}

int
db_login_ok(const unsigned char *old, const unsigned char *hash,
    long long user_id, const unsigned char *csrf, long long lifetime,
    const char *addr, const char *agent, const char *client_id)
{
	char		 uid[32], lt[32];
	const char	*p[8] = { (const char *)old, (const char *)hash, uid,
			    (const char *)csrf, lt, addr, agent, client_id };
	int		 l[8] = { old != NULL ? HASHLEN : 0, HASHLEN, 0, HASHLEN,
			    0, 0, 0, 0 };
	PGresult	*res;

	snprintf(uid, sizeof(uid), "%lld", user_id);
	snprintf(lt, sizeof(lt), "%lld", lifetime);
	if ((res = (PGresult *)db_run(STMT_LOGIN_OK, 8, p, l)) == NULL)
		return -1;
	PQclear(res);
	return 1;
}

/* An audit entry; detail is a JSON object text or NULL.  Never a secret. */
int
db_audit(const char *event, long long user_id, const char *client_id,
    const char *addr, const char *detail)
{
	char		 uid[32];
	const char	*p[5] = { event, user_id > 0 ? uid : NULL, client_id,
			    addr, detail };
	PGresult	*res;

	snprintf(uid, sizeof(uid), "%lld", user_id);
	if ((res = (PGresult *)db_run(STMT_AUDIT, 5, p, NULL)) == NULL)
		return -1;
	PQclear(res);
	return 1;
}

static int
code_stmt(enum stmt s, const struct code_grant *g)
{
	char		 uid[32], lt[32];
	const char	*p[10] = { uid, g->client_id, g->registered_redirect,
			    g->resource, g->scope, (const char *)g->code_hash,
			    g->challenge, g->redirect_uri, lt, g->remote_addr };
	int		 l[10] = { 0, 0, 0, 0, 0, HASHLEN, 0, 0, 0, 0 };
	PGresult	*res;
	int		 rc;

	snprintf(uid, sizeof(uid), "%lld", g->user_id);
	snprintf(lt, sizeof(lt), "%lld", g->lifetime);
	if ((res = (PGresult *)db_run(s, db_stmts[s].nparams, p, l)) == NULL)
		return -1;
	rc = PQntuples(res) == 1;
	PQclear(res);
	return rc;
}

/* Issue a code if consent was remembered: -1, 0 (not), 1 (issued). */
int
db_code_if_consented(const struct code_grant *g)
{
	return code_stmt(STMT_CODE_IF_CONSENTED, g);
}

/* Record the consent and issue the code: -1 or 1. */
int
db_consent_grant(const struct code_grant *g)
{
	return code_stmt(STMT_CONSENT_GRANT, g);
}

int
db_password_link(const unsigned char *hash, long long *user_id, char **name)
{
	const char	*p[1] = { (const char *)hash };
	int		 l[1] = { HASHLEN };
	PGresult	*res;

	*name = NULL;
	if ((res = (PGresult *)db_run(STMT_PASSWORD_LINK, 1, p, l)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return 0;
	}
	*user_id = numval(res, 0, 0);
	*name = dupval(res, 0, 1);
	PQclear(res);
	return 1;
}

int
db_password_set(const unsigned char *hash, const char *pwhash, const char *addr)
{
	const char	*p[3] = { (const char *)hash, pwhash, addr };
	int		 l[3] = { HASHLEN, 0, 0 };
	PGresult	*res;
	int		 rc;

	if ((res = (PGresult *)db_run(STMT_PASSWORD_SET, 3, p, l)) == NULL)
		return -1;
	rc = PQntuples(res) == 1;
	PQclear(res);
	return rc;
}

int
db_remote_user(const char *name, long long *user_id)
{
	const char	*p[1] = { name };
	PGresult	*res;

	if ((res = (PGresult *)db_run(STMT_REMOTE_USER, 1, p, NULL)) == NULL)
		return -1;
	if (PQntuples(res) < 1) {
		PQclear(res);
		return 0;
	}
	*user_id = numval(res, 0, 0);
	PQclear(res);
	return 1;
}
