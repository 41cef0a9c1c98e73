/*
 * register.c: RFC 7591 dynamic client registration.
 *
 *   POST <mcp_path>/register   (and /register at the origin, SPEC AS-04)
 *	Content-Type: application/json, at most 64 KiB
 *
 * Open registration, no initial access token (DCR-02: Claude fails
 * otherwise).  What is accepted and what is answered (DCR-03..DCR-10;
 * checked by clientmeta_parse, src/lib/clientmeta.c):
 *  - token_endpoint_auth_method: none, client_secret_post or
 *    client_secret_basic; omitted means client_secret_basic (RFC 7591 §2).
 *    A secret method gets a fresh secret, stored only as its SHA-256 and
 *    shown once; the answer echoes exactly the method registered (Claude
 *    asks for client_secret_post; ChatGPT checks the echo, DCR-06); a
 *    "none" client never gets a secret.
 *  - redirect_uris: required, 1..10, each absolute https (or http on a
 *    loopback host, any port later), no fragment, no wildcard
 *    (oauth_redirect_uri_valid); else invalid_redirect_uri.
 *  - grant_types: the subset of authorization_code and refresh_token
 *    asked for (others are dropped: DCR-04 lets us replace values), which
 *    must include authorization_code; omitted means both, because the
 *    token endpoint gives every client a rotating refresh token.
 *  - response_types: only ["code"].  scope: the requested scopes we
 *    offer (unknown ones dropped; OpenID ones too).  client_name and the
 *    URIs are length- and syntax-checked: they are shown to users.
 *  - Unknown members are ignored (DCR-04); a client_id or client_secret
 *    in the request is never used (DCR-10).
 * Success is 201 with the full registered metadata (DCR-05); errors are
 * 400 invalid_client_metadata / invalid_redirect_uri (DCR-07), 413, 415,
 * 429 with Retry-After when an address registers more than
 * register_limit clients an hour (DCR-08; counted in PostgreSQL, since
 * a process per request cannot count in memory).  Never a 5xx for bad
 * input.  A refused request leaves nothing in the database.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "app.h"
#include "buf.h"
#include "clientmeta.h"
#include "conf.h"
#include "db.h"
#include "db_oauth.h"
#include "json.h"
#include "log.h"
#include "secret.h"

static void
refuse(struct req *r, const char *error, const char *desc)
{
	resp_json_error(r, 400, error, desc);
}

static void
handle(struct req *r)
{
	const struct conf	*c = r->conf;
	cJSON			*in = NULL, *out = NULL;
	const char		*method, *error, *why;
	char			 err[256], client_id[SECRET_STRLEN + 1];
	char			 secret[SECRET_STRLEN + 1];
	unsigned char		 shash[SECRET_HASHBYTES];
	char			*uris_json = NULL, *grants_json = NULL;
	char			*meta_json = NULL;
	struct buf		 body;
	struct client_registration cr;
	long long		 wait = 0, issued = 0;
	int			 rc;

	buf_init(&body, 256 * 1024);
	secret[0] = '\0';

	if ((in = json_parse(r->body, r->bodysz, APP_BODY_MAX, 8, err,
	    sizeof(err))) == NULL) {
		refuse(r, "invalid_client_metadata", err);
		goto out;
	}
	/* what is accepted, and how it is reduced: src/lib/clientmeta.c */
	if ((out = clientmeta_parse(in, c->scopes, &error, &why)) == NULL) {
		refuse(r, error, why);
		goto out;
	}
	method = json_get_str(out, "token_endpoint_auth_method");

	/* The registration as it will be answered (and stored, minus secret). */
	secret_random(client_id);
	uris_json = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(out, "redirect_uris"));
	grants_json = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(out, "grant_types"));
	cJSON_AddStringToObject(out, "client_id", client_id);
	meta_json = cJSON_PrintUnformatted(out);

	memset(&cr, 0, sizeof(cr));
	cr.client_id = client_id;
	cr.auth_method = method;
	if (strcmp(method, "none") != 0) {
		secret_random(secret);
		secret_hash(secret, SECRET_STRLEN, shash);
		cr.secret_hash = shash;
	}
	cr.redirect_uris_json = uris_json;
	cr.client_name = json_get_str(out, "client_name");
	cr.client_uri = json_get_str(out, "client_uri");
	cr.logo_uri = json_get_str(out, "logo_uri");
	cr.scope = json_get_str(out, "scope");
	cr.grant_types_json = grants_json;
	cr.application_type = json_get_str(out, "application_type");
	cr.metadata_json = meta_json;
	rc = db_client_register(&cr, r->remote_addr, c->register_limit, &wait,
	    &issued);
	if (rc == -1) {
		app_db_error(r);
		goto out;
	}
	if (rc == 0) {
		(void)resp_header(r, "Retry-After", "%lld", wait);
		resp_json_error(r, 429, "too_many_requests",
		    "too many registrations from this address; try again later");
		goto out;
	}
	cJSON_AddNumberToObject(out, "client_id_issued_at", (double)issued);
	if (secret[0] != '\0') {
		cJSON_AddStringToObject(out, "client_secret", secret);
		/* REQUIRED with a secret; 0: it does not expire (DCR-05) */
		cJSON_AddNumberToObject(out, "client_secret_expires_at", 0);
	}
	if (json_print(out, &body) == -1) {
		app_error(r, 500, "server_error", "response too large");
		goto out;
	}
	log_info("registered client %.8s… (%s)", client_id, method);
	resp_json_text(r, 201, buf_str(&body), body.len);
out:
	secret_wipe(secret, sizeof(secret));
	if (body.ptr != NULL)
		secret_wipe(body.ptr, body.len);
	buf_free(&body);
	cJSON_Delete(in);
	cJSON_Delete(out);
	cJSON_free(uris_json);
	cJSON_free(grants_json);
	cJSON_free(meta_json);
}

static const struct endpoint endpoint = {
	.name = "register",
	.methods = HTTP_M(HTTP_POST),
	.body = BODY_JSON,
	.body_max = APP_BODY_MAX,
	.flags = EP_DB | EP_CORS,
	.handle = handle,
};

int
main(void)
{
	return app_run(&endpoint);
}
