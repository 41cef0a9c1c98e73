/*
 * db_token.c: typed access for the token endpoint (see db_token.h).  The
 * state changes themselves are the SQL functions code_redeem,
 * token_refresh and token_revoke in sql/schema.sql: one call, one
 * transaction each.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "db.h"
#include "db_token.h"
#include "valid.h"
#include "xmalloc.h"

#define HASHLEN	SECRET_HASHBYTES

static char *
dupval(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL :
	    xstrdup(PQgetvalue(res, row, col));
}

void
client_secret_free(struct client_secret *c)
{
	free(c->client_id);
	free(c->auth_method);
	sodium_memzero(c, sizeof(*c));
}

/*
 * The client and its secret's hash, and the failure count of the
 * address bucket.  0 (c filled; c->found says whether the client
 * exists), or -1.
 */
int
db_client_auth(const char *client_id, const char *bucket,
    struct client_secret *c)
{
	const char		*p[2] = { client_id, bucket };
	PGresult		*res;
	unsigned long long	 n;
	const char		*v;

	memset(c, 0, sizeof(*c));
	if ((res = db_run(STMT_CLIENT_AUTH, 2, p, NULL)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return -1;
	}
	v = PQgetvalue(res, 0, 5);
	if (valid_uint(v, strlen(v), 0, 1ULL << 40, &n))
		c->failures = (long long)n;
	if (!PQgetisnull(res, 0, 0)) {
		c->found = 1;
		c->client_id = dupval(res, 0, 0);
		c->auth_method = dupval(res, 0, 1);
		if (!PQgetisnull(res, 0, 2) &&
		    sodium_hex2bin(c->secret_hash, HASHLEN, PQgetvalue(res, 0, 2),
		    (size_t)PQgetlength(res, 0, 2), NULL, NULL, NULL) == 0)
			c->has_secret = 1;
		c->disabled = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
		c->refresh_allowed = strcmp(PQgetvalue(res, 0, 4), "t") == 0;
	}
	PQclear(res);
	return 0;
}

/* Count and audit a failed client authentication.  0 or -1. */
int
db_client_auth_failed(const char *bucket, long long limit,
    const char *client_id, const char *addr, const char *method)
{
	char		 lim[32];
	const char	*p[5] = { bucket, lim, client_id, addr, method };
	PGresult	*res;

	snprintf(lim, sizeof(lim), "%lld", limit);
	if ((res = db_run(STMT_CLIENT_AUTH_FAILED, 5, p, NULL)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

/*
 * The authorization_code grant.  0 with *outcome (issued, invalid,
 * duplicate, replay) and *scope (when issued), both to free; or -1.
 */
int
db_code_redeem(const unsigned char *code_hash, const char *client_id,
    const char *challenge, const char *redirect_uri, const char *resource,
    const struct token_issue *ti, long long dup_window, char **outcome,
    char **scope)
{
	char		 at[32], ri[32], ra[32], dw[32];
	const char	*p[12] = { (const char *)code_hash, client_id, challenge,
			    redirect_uri, resource, (const char *)ti->access_hash,
			    (const char *)ti->refresh_hash, at, ri, ra, dw,
			    ti->remote_addr };
	int		 l[12] = { HASHLEN, 0, 0, 0, 0, HASHLEN,
			    ti->refresh_hash != NULL ? HASHLEN : 0, 0, 0, 0, 0, 0 };
	PGresult	*res;

	snprintf(at, sizeof(at), "%lld", ti->access_ttl);
	snprintf(ri, sizeof(ri), "%lld", ti->refresh_idle);
	snprintf(ra, sizeof(ra), "%lld", ti->refresh_absolute);
	snprintf(dw, sizeof(dw), "%lld", dup_window);
	*outcome = *scope = NULL;
	if ((res = db_run(STMT_CODE_REDEEM, 12, p, l)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return -1;
	}
	*outcome = dupval(res, 0, 0);
	*scope = dupval(res, 0, 1);
	PQclear(res);
	return *outcome != NULL ? 0 : -1;
}

/*
 * The refresh_token grant.  0 with *outcome (rotated, invalid,
 * invalid_target, invalid_scope, replay, reuse), *scope (when rotated)
 * and, on replay, the sealed box (*box, *boxsz); all to free.  Or -1.
 */
int
db_token_refresh(const unsigned char *hash, const char *client_id,
    const char *scope_req, const char *resource, const struct token_issue *ti,
    const unsigned char *seal, size_t sealsz, long long grace,
    char **outcome, char **scope, unsigned char **box, size_t *boxsz)
{
	char		 at[32], ri[32], ra[32], gr[32];
	const char	*p[12] = { (const char *)hash, client_id, scope_req,
			    resource, (const char *)ti->access_hash,
			    (const char *)ti->refresh_hash, (const char *)seal,
			    at, ri, ra, gr, ti->remote_addr };
	int		 l[12] = { HASHLEN, 0, 0, 0, HASHLEN, HASHLEN,
			    (int)sealsz, 0, 0, 0, 0, 0 };
	PGresult	*res;
	const char	*hex;
	size_t		 hl;

	snprintf(at, sizeof(at), "%lld", ti->access_ttl);
	snprintf(ri, sizeof(ri), "%lld", ti->refresh_idle);
	snprintf(ra, sizeof(ra), "%lld", ti->refresh_absolute);
	snprintf(gr, sizeof(gr), "%lld", grace);
	*outcome = *scope = NULL;
	*box = NULL;
	*boxsz = 0;
	if ((res = db_run(STMT_TOKEN_REFRESH, 12, p, l)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return -1;
	}
	*outcome = dupval(res, 0, 0);
	*scope = dupval(res, 0, 1);
	if (!PQgetisnull(res, 0, 2)) {
		hex = PQgetvalue(res, 0, 2);
		hl = (size_t)PQgetlength(res, 0, 2);
		*box = xmalloc(hl / 2 + 1);
		if (sodium_hex2bin(*box, hl / 2 + 1, hex, hl, NULL, boxsz,
		    NULL) != 0) {
			free(*box);
			*box = NULL;
			*boxsz = 0;
		}
	}
	PQclear(res);
	return *outcome != NULL ? 0 : -1;
}

/* RFC 7009 revocation.  0 or -1 (the outcome does not matter: 200). */
int
db_token_revoke(const unsigned char *hash, const char *client_id,
    const char *addr)
{
	const char	*p[3] = { (const char *)hash, client_id, addr };
	int		 l[3] = { HASHLEN, 0, 0 };
	PGresult	*res;

	if ((res = db_run(STMT_TOKEN_REVOKE, 3, p, l)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}
