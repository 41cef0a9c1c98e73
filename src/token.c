/*
 * token.c: the token endpoint and the revocation endpoint.
 *
 *   POST <mcp_path>/token   (and /token, SPEC AS-04)
 *	grant_type=authorization_code (PKCE S256) or refresh_token
 *   POST <mcp_path>/revoke  RFC 7009
 *
 * Form bodies only (TK-01), JSON answers with Cache-Control: no-store,
 * errors too (TK-02).  Client authentication (TK-04): "none" (client_id
 * in the body), client_secret_post or client_secret_basic (the Basic
 * credentials are form-urldecoded after base64, RFC 6749 §2.3.1); a
 * request using two methods is invalid_request; a failed authentication
 * is 401 invalid_client, with WWW-Authenticate when Basic was used
 * (TK-11), and tells Claude and the SDK to register again (TK-12).  A
 * client registered with either secret method may use either.  Failed
 * authentications are counted per address in PostgreSQL and answered 429
 * past token_failure_limit in 15 minutes (TK-05).
 *
 * The grants are SQL functions (sql/schema.sql) that check and change in
 * one transaction with the row locked:
 *  - authorization_code: the code (by hash) must match the client, the
 *    PKCE verifier (BASE64URL(SHA256(verifier)) against the stored
 *    challenge; every code of ours has one, so a verifier for a code
 *    without a challenge cannot occur, TK-07), the redirect URI when sent
 *    (TK-09), the resource (TK-10) and be unexpired.  It works once.  A
 *    later valid redemption revokes what the code produced (TK-08),
 *    except within code_duplicate_window seconds (default 10) of the
 *    first: ChatGPT sends two token requests for one code, and the second
 *    is refused (invalid_grant) without revoking the first answer.  An
 *    invalid replay changes nothing (RFC 9700 §4.2.4).
 *  - refresh_token: rotation for every client (RT-03): each refresh
 *    retires the token and returns a new pair.  Concurrent refreshes with
 *    the same token within refresh_grace seconds all get that same new
 *    pair (RT-06), which is kept for the window sealed
 *    (crypto_secretbox) under a key derived from the old refresh token:
 *    only its holder can open it and no token is stored in plaintext.
 *    After the window, presenting a retired token revokes the family.
 *    Scope may narrow, never widen; the resource must be the family's;
 *    idle and absolute expiry.
 *
 * Raises 200, 204 (CORS preflight), 400, 401, 405, 413, 415, 429, 500,
 * 503.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "app.h"
#include "conf.h"
#include "db.h"
#include "db_token.h"
#include "form.h"
#include "json.h"
#include "log.h"
#include "oauth.h"
#include "secret.h"
#include "xmalloc.h"

enum tfield {
	T_GRANT_TYPE,
	T_CODE,
	T_REDIRECT_URI,
	T_CODE_VERIFIER,
	T_CLIENT_ID,
	T_CLIENT_SECRET,
	T_REFRESH_TOKEN,
	T_SCOPE,
	T_RESOURCE,
	T_TOKEN,
	T_TOKEN_TYPE_HINT,
	T__MAX
};

static const struct field_spec fields[T__MAX] = {
	[T_GRANT_TYPE] = { "grant_type", NULL, 128 },
	[T_CODE] = { "code", NULL, 256 },
	[T_REDIRECT_URI] = { "redirect_uri", NULL, OAUTH_URI_MAX },
	[T_CODE_VERIFIER] = { "code_verifier", NULL, 256 },
	[T_CLIENT_ID] = { "client_id", NULL, 256 },
	[T_CLIENT_SECRET] = { "client_secret", NULL, 256 },
	[T_REFRESH_TOKEN] = { "refresh_token", NULL, 256 },
	[T_SCOPE] = { "scope", NULL, 1024 },
	[T_RESOURCE] = { "resource", NULL, OAUTH_URI_MAX },
	[T_TOKEN] = { "token", NULL, 4096 },
	[T_TOKEN_TYPE_HINT] = { "token_type_hint", NULL, 64 },
};

#define FAIL_WINDOW_NOTE	"15 minutes"

enum auth_method { AUTH_NONE, AUTH_POST, AUTH_BASIC };

struct authn {
	char			*client_id;	/* owned */
	char			*secret;	/* owned, wiped */
	enum auth_method	 method;
	struct client_secret	 client;
};

static const char *
fv(const struct req *r, enum tfield f)
{
	const struct field *x = &r->fields[f];

	return x->val != NULL && x->len > 0 ? x->val : NULL;
}

static void
authn_free(struct authn *a)
{
	free(a->client_id);
	if (a->secret != NULL) {
		sodium_memzero(a->secret, strlen(a->secret));
		free(a->secret);
	}
	client_secret_free(&a->client);
	memset(a, 0, sizeof(*a));
}

/* 401 invalid_client; the Basic challenge when Basic was used (TK-11). */
static void
invalid_client(struct req *r, const struct authn *a, const char *desc)
{
	if (a->method == AUTH_BASIC)
		(void)resp_header(r, "WWW-Authenticate",
		    "Basic realm=\"mcpgate\", charset=\"UTF-8\"");
	resp_json_error(r, 401, "invalid_client", desc);
}

/*
 * Read the client's credentials (TK-04): Basic header, or client_id and
 * client_secret in the body.  0, or -1 when the answer has been made.
 */
static int
credentials(struct req *r, struct authn *a)
{
	const char	*h = r->authorization;
	char		*id, *sec;
	int		 rc;

	memset(a, 0, sizeof(*a));
	a->method = AUTH_NONE;
	if ((rc = req_auth_basic(h, &id, &sec)) != 0) {
		a->method = AUTH_BASIC;
		if (rc == -1) {
			invalid_client(r, a, "malformed Basic credentials");
			return -1;
		}
		a->client_id = id;
		a->secret = sec;
		if (fv(r, T_CLIENT_SECRET) != NULL) {
			resp_json_error(r, 400, "invalid_request",
			    "more than one client authentication method (Basic and client_secret)");
			return -1;
		}
		if (fv(r, T_CLIENT_ID) != NULL &&
		    strcmp(fv(r, T_CLIENT_ID), a->client_id) != 0) {
			resp_json_error(r, 400, "invalid_request",
			    "client_id differs from the Basic credentials");
			return -1;
		}
		return 0;
	}
	if (h != NULL) {
		/* a Bearer token or anything else is not client authentication */
		resp_json_error(r, 400, "invalid_request",
		    "unsupported Authorization scheme at the token endpoint");
		return -1;
	}
	if (fv(r, T_CLIENT_ID) == NULL) {
		invalid_client(r, a, "client_id is required");
		return -1;
	}
	a->client_id = xstrdup(fv(r, T_CLIENT_ID));
	if (fv(r, T_CLIENT_SECRET) != NULL) {
		a->method = AUTH_POST;
		a->secret = xstrdup(fv(r, T_CLIENT_SECRET));
	}
	return 0;
}

static const char *
method_name(enum auth_method m)
{
	switch (m) {
	case AUTH_NONE: return "none";
	case AUTH_POST: return "client_secret_post";
	case AUTH_BASIC: return "client_secret_basic";
	default: abort();
	}
}

/*
 * Authenticate the client (TK-04, TK-05).  0, or -1 when the answer
 * (401, 429, 503) has been made.
 */
static int
authenticate(struct req *r, struct authn *a)
{
	char		*bucket;
	unsigned char	 h[SECRET_HASHBYTES];
	const char	*why = NULL;
	int		 ok;

	if (credentials(r, a) == -1)
		return -1;
	bucket = xasprintf("token:fail:ip:%s", r->remote_addr ? r->remote_addr : "unknown");
	if (db_client_auth(a->client_id, bucket, &a->client) == -1) {
		free(bucket);
		app_db_error(r);
		return -1;
	}
	if (a->client.failures >= r->conf->token_failure_limit) {
		free(bucket);
		(void)resp_header(r, "Retry-After", "900");
		resp_json_error(r, 429, "too_many_requests",
		    "too many failed client authentications from this address; try again later");
		return -1;
	}
	if (!a->client.found || a->client.disabled)
		why = "unknown client";
	else if (a->client.has_secret) {
		if (a->secret == NULL)
			why = "this client must authenticate with its client_secret";
		else {
			secret_hash(a->secret, strlen(a->secret), h);
			ok = secret_equal(h, a->client.secret_hash, sizeof(h));
			if (!ok)
				why = "wrong client_secret";
		}
	} else if (a->secret != NULL)
		why = "this client has no client_secret (it registered as a public client)";
	if (why != NULL) {
		if (db_client_auth_failed(bucket, r->conf->token_failure_limit,
		    a->client_id, r->remote_addr, method_name(a->method)) == -1) {
			free(bucket);
			app_db_error(r);
			return -1;
		}
		free(bucket);
		invalid_client(r, a, why);
		return -1;
	}
	free(bucket);
	return 0;
}

/* The successful token response (TK-03). */
static void
token_response(struct req *r, const char *access, const char *refresh,
    long long expires_in, const char *scope)
{
	cJSON		*j = cJSON_CreateObject();
	struct buf	 b;

	cJSON_AddStringToObject(j, "access_token", access);
	cJSON_AddStringToObject(j, "token_type", "Bearer");
	cJSON_AddNumberToObject(j, "expires_in", (double)expires_in);
	if (refresh != NULL)
		cJSON_AddStringToObject(j, "refresh_token", refresh);
	if (scope != NULL)
		cJSON_AddStringToObject(j, "scope", scope);
	buf_init(&b, 8192);
	if (json_print(j, &b) == -1)
		resp_json_error(r, 500, "server_error", "response too large");
	else
		resp_json_text(r, 200, buf_str(&b), b.len);
	secret_wipe(b.ptr, b.len);
	buf_free(&b);
	cJSON_Delete(j);
}

/* The resource a request names (TK-10): ours, or NULL when it is not. */
static const char *
resource_of(struct req *r)
{
	const char	*res = fv(r, T_RESOURCE);

	if (res == NULL || oauth_resource_is_ours(r->conf, res, strlen(res)))
		return r->conf->mcp_url;
	return NULL;
}

static void
grant_code(struct req *r, const struct authn *a)
{
	const struct conf	*c = r->conf;
	const char		*code = fv(r, T_CODE), *v = fv(r, T_CODE_VERIFIER);
	const char		*res;
	char			 access[SECRET_STRLEN + 1], refresh[SECRET_STRLEN + 1];
	char			 challenge[SECRET_STRLEN + 1];
	unsigned char		 ch[SECRET_HASHBYTES], ah[SECRET_HASHBYTES];
	unsigned char		 rh[SECRET_HASHBYTES], vh[SECRET_HASHBYTES];
	char			*outcome = NULL, *scope = NULL;
	struct token_issue	 ti;

	if (code == NULL) {
		resp_json_error(r, 400, "invalid_request", "code is required");
		return;
	}
	if (v == NULL) {
		resp_json_error(r, 400, "invalid_request", "code_verifier is required (PKCE)");
		return;
	}
	if ((res = resource_of(r)) == NULL) {
		resp_json_error(r, 400, "invalid_target", "resource must be this server's MCP endpoint");
		return;
	}
	/* RFC 7636 §4.1 syntax, then BASE64URL(SHA256(verifier)) */
	if (!secret_b64url_valid(code, strlen(code)) ||
	    !oauth_pkce_challenge_valid(v, strlen(v))) {
		resp_json_error(r, 400, "invalid_grant", "invalid code or code_verifier");
		return;
	}
	secret_hash(v, strlen(v), vh);
	(void)secret_b64url(vh, sizeof(vh), challenge, sizeof(challenge));
	secret_hash(code, strlen(code), ch);
	secret_random(access);
	secret_hash(access, SECRET_STRLEN, ah);
	secret_random(refresh);
	secret_hash(refresh, SECRET_STRLEN, rh);
	memset(&ti, 0, sizeof(ti));
	ti.access_hash = ah;
	ti.refresh_hash = a->client.refresh_allowed ? rh : NULL;
	ti.access_ttl = c->access_token_lifetime;
	ti.refresh_idle = c->refresh_token_idle_lifetime;
	ti.refresh_absolute = c->refresh_token_lifetime;
	ti.remote_addr = r->remote_addr;
	if (db_code_redeem(ch, a->client_id, challenge, fv(r, T_REDIRECT_URI),
	    res, &ti, c->code_duplicate_window, &outcome, &scope) == -1) {
		app_db_error(r);
		goto out;
	}
	if (strcmp(outcome, "issued") == 0)
		token_response(r, access, ti.refresh_hash != NULL ? refresh : NULL,
		    c->access_token_lifetime, scope);
	else {
		/* invalid, duplicate or replay: all invalid_grant to the client */
		log_info("authorization code refused: %s", outcome);
		resp_json_error(r, 400, "invalid_grant",
		    strcmp(outcome, "invalid") == 0 ?
		    "the code is invalid, expired, or does not match this request" :
		    "the code was already used");
	}
out:
	secret_wipe(access, sizeof(access));
	secret_wipe(refresh, sizeof(refresh));
	free(outcome);
	free(scope);
}

/*
 * The key that seals the replay copy of a new pair: a keyed BLAKE2b of
 * the old refresh token, so only a holder of that token can open it.
 */
static void
seal_key(const char *old_refresh, unsigned char key[crypto_secretbox_KEYBYTES])
{
	static const char ctx[] = "mcpgate refresh replay v1";

	crypto_generichash(key, crypto_secretbox_KEYBYTES,
	    (const unsigned char *)old_refresh, strlen(old_refresh),
	    (const unsigned char *)ctx, sizeof(ctx) - 1);
}

static void
grant_refresh(struct req *r, const struct authn *a)
{
	const struct conf	*c = r->conf;
	const char		*rt = fv(r, T_REFRESH_TOKEN), *res;
	char			 access[SECRET_STRLEN + 1], refresh[SECRET_STRLEN + 1];
	unsigned char		 oh[SECRET_HASHBYTES], ah[SECRET_HASHBYTES];
	unsigned char		 rh[SECRET_HASHBYTES];
	unsigned char		 key[crypto_secretbox_KEYBYTES];
	unsigned char		*seal = NULL, *box = NULL, *plain = NULL;
	char			*outcome = NULL, *scope = NULL, *pj = NULL;
	size_t			 pl, sealsz = 0, boxsz = 0;
	cJSON			*p = NULL, *q = NULL;
	struct token_issue	 ti;
	const char		*sc;
	long long		 exp;

	if (rt == NULL) {
		resp_json_error(r, 400, "invalid_request", "refresh_token is required");
		return;
	}
	if (!a->client.refresh_allowed) {
		resp_json_error(r, 400, "unauthorized_client",
		    "this client did not register the refresh_token grant");
		return;
	}
	if ((res = resource_of(r)) == NULL) {
		resp_json_error(r, 400, "invalid_target", "resource must be this server's MCP endpoint");
		return;
	}
	if (!secret_b64url_valid(rt, strlen(rt))) {
		resp_json_error(r, 400, "invalid_grant", "invalid refresh token");
		return;
	}
	secret_hash(rt, strlen(rt), oh);
	secret_random(access);
	secret_hash(access, SECRET_STRLEN, ah);
	secret_random(refresh);
	secret_hash(refresh, SECRET_STRLEN, rh);
	seal_key(rt, key);

	/*
	 * The new pair, sealed for the grace window before we know whether it
	 * will be used: the database keeps it only if this request rotates
	 * the token.  It holds what a repeated request must be answered: the
	 * tokens, the access token's expiry and the scope asked for (none:
	 * the grant's own, which the answer may then leave out, TK-03).
	 */
	exp = (long long)time(NULL) + c->access_token_lifetime;
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "a", access);
	cJSON_AddStringToObject(p, "r", refresh);
	cJSON_AddNumberToObject(p, "e", (double)exp);
	if (fv(r, T_SCOPE) != NULL)
		cJSON_AddStringToObject(p, "s", fv(r, T_SCOPE));
	pj = cJSON_PrintUnformatted(p);
	pl = strlen(pj);
	sealsz = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + pl;
	seal = xmalloc(sealsz);
	randombytes_buf(seal, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(seal + crypto_secretbox_NONCEBYTES,
	    (const unsigned char *)pj, pl, seal, key);

	memset(&ti, 0, sizeof(ti));
	ti.access_hash = ah;
	ti.refresh_hash = rh;
	ti.access_ttl = c->access_token_lifetime;
	ti.refresh_idle = c->refresh_token_idle_lifetime;
	ti.refresh_absolute = c->refresh_token_lifetime;
	ti.remote_addr = r->remote_addr;
	if (db_token_refresh(oh, a->client_id, fv(r, T_SCOPE),
	    fv(r, T_RESOURCE) != NULL ? res : NULL, &ti, seal, sealsz,
	    c->refresh_grace, &outcome, &scope, &box, &boxsz) == -1) {
		app_db_error(r);
		goto out;
	}
	if (strcmp(outcome, "rotated") == 0) {
		token_response(r, access, refresh, c->access_token_lifetime, scope);
		goto out;
	}
	if (strcmp(outcome, "replay") == 0 && box != NULL &&
	    boxsz > crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
		pl = boxsz - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
		plain = xmalloc(pl + 1);
		if (crypto_secretbox_open_easy(plain,
		    box + crypto_secretbox_NONCEBYTES,
		    boxsz - crypto_secretbox_NONCEBYTES, box, key) == 0) {
			char err[64];
			plain[pl] = '\0';
			q = json_parse((const char *)plain, pl, 4096, 2, err, sizeof(err));
		}
		if (q != NULL && json_get_str(q, "a") != NULL &&
		    json_get_str(q, "r") != NULL) {
			const cJSON *e = cJSON_GetObjectItemCaseSensitive(q, "e");
			long long left = cJSON_IsNumber(e) ?
			    (long long)e->valuedouble - (long long)time(NULL) : 0;
			sc = json_get_str(q, "s");
			log_info("refresh inside the grace window: the same pair again");
			token_response(r, json_get_str(q, "a"), json_get_str(q, "r"),
			    left > 0 ? left : 1, sc);
			goto out;
		}
		log_warnx("a sealed refresh pair did not open");
	}
	if (strcmp(outcome, "invalid_target") == 0)
		resp_json_error(r, 400, "invalid_target", "the resource differs from the grant's");
	else if (strcmp(outcome, "invalid_scope") == 0)
		resp_json_error(r, 400, "invalid_scope", "a refresh may narrow the scope, never widen it");
	else {
		if (strcmp(outcome, "reuse") == 0)
			log_warnx("refresh token reused after rotation: its family is revoked");
		resp_json_error(r, 400, "invalid_grant",
		    "the refresh token is invalid, expired or revoked");
	}
out:
	secret_wipe(access, sizeof(access));
	secret_wipe(refresh, sizeof(refresh));
	sodium_memzero(key, sizeof(key));
	if (pj != NULL) {
		sodium_memzero(pj, strlen(pj));
		cJSON_free(pj);
	}
	if (plain != NULL) {
		sodium_memzero(plain, pl);
		free(plain);
	}
	free(seal);
	free(box);
	free(outcome);
	free(scope);
	cJSON_Delete(p);
	cJSON_Delete(q);
}

static void
revoke(struct req *r, const struct authn *a)
{
	const char	*t = fv(r, T_TOKEN);
	unsigned char	 h[SECRET_HASHBYTES];

	if (t == NULL) {
		resp_json_error(r, 400, "invalid_request", "token is required");
		return;
	}
	/* token_type_hint is only a hint (RFC 7009 §2.1): both kinds are looked up */
	secret_hash(t, strlen(t), h);
	if (db_token_revoke(h, a->client_id, r->remote_addr) == -1) {
		app_db_error(r);
		return;
	}
	/* RFC 7009 §2.2: 200 whether or not the token was known */
	resp_json_text(r, 200, "{}", 2);
}

static void
handle(struct req *r)
{
	const char	*mp = r->conf->mcp_path, *gt;
	size_t		 ml = strlen(mp);
	struct authn	 a;
	int		 is_revoke;

	is_revoke = strncmp(r->path, mp, ml) == 0 &&
	    strcmp(r->path + ml, "/revoke") == 0;
	if (!is_revoke && !(strncmp(r->path, mp, ml) == 0 &&
	    strcmp(r->path + ml, "/token") == 0) && strcmp(r->path, "/token") != 0) {
		resp_json_error(r, 404, "not_found", "no such endpoint");
		return;
	}
	gt = fv(r, T_GRANT_TYPE);
	if (!is_revoke) {
		if (gt == NULL) {
			resp_json_error(r, 400, "invalid_request", "grant_type is required");
			return;
		}
		/* S-19: no password, implicit or client_credentials grants */
		if (strcmp(gt, "authorization_code") != 0 &&
		    strcmp(gt, "refresh_token") != 0) {
			resp_json_error(r, 400, "unsupported_grant_type",
			    "grant_type must be authorization_code or refresh_token");
			return;
		}
	}
	if (authenticate(r, &a) == -1) {
		authn_free(&a);
		return;
	}
	if (is_revoke)
		revoke(r, &a);
	else if (strcmp(gt, "authorization_code") == 0)
		grant_code(r, &a);
	else
		grant_refresh(r, &a);
	authn_free(&a);
}

static const struct endpoint endpoint = {
	.name = "token",
	.methods = HTTP_M(HTTP_POST),
	.body = BODY_FORM,
	.body_max = 16384,
	.fields = fields,
	.fieldsz = T__MAX,
	.flags = EP_DB | EP_CORS,
	.handle = handle,
};

int
main(void)
{
	return app_run(&endpoint);
}
