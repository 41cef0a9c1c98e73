/*
 * register.c: RFC 7591 dynamic client registration.
 *
 *   POST <mcp_path>/register   (and /register at the origin, SPEC AS-04)
 *	Content-Type: application/json, at most 64 KiB
 *
 * Open registration, no initial access token (DCR-02: Claude fails
 * otherwise).  What is accepted and what is answered (DCR-03..DCR-10):
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
#include "conf.h"
#include "db.h"
#include "db_oauth.h"
#include "json.h"
#include "log.h"
#include "oauth.h"
#include "secret.h"
#include "url.h"
#include "valid.h"
#include "xmalloc.h"

#define NAME_MAX_LEN	200	/* client_name, software_id, ... */
#define CONTACTS_MAX	10

static void
refuse(struct req *r, const char *error, const char *desc)
{
	resp_json_error(r, 400, error, desc);
}

/* An optional string member of at most max bytes of text; -1 if bad. */
static int
opt_text(const cJSON *j, const char *key, size_t max, const char **out)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(j, key);

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || strlen(v->valuestring) > max ||
	    !valid_text(v->valuestring, strlen(v->valuestring)) ||
	    strpbrk(v->valuestring, "\r\n\t") != NULL)
		return -1;
	*out = v->valuestring;
	return 0;
}

/* An optional https (or loopback http) URL member; -1 if bad. */
static int
opt_url(const cJSON *j, const char *key, const char **out)
{
	struct url	u;
	int		ok;

	if (opt_text(j, key, OAUTH_URI_MAX, out) == -1)
		return -1;
	if (*out == NULL)
		return 0;
	if (url_parse(*out, strlen(*out), &u) == -1)
		return -1;
	ok = url_is_secure(&u) && !u.userinfo;
	url_free(&u);
	return ok ? 0 : -1;
}

static void
handle(struct req *r)
{
	const struct conf	*c = r->conf;
	cJSON			*in = NULL, *out = NULL, *uris, *grants, *contacts = NULL;
	const cJSON		*v, *it;
	const char		*method, *why, *name, *client_uri, *logo_uri;
	const char		*tos_uri, *policy_uri, *software_id, *software_version;
	const char		*app_type = NULL;
	char			 err[256], client_id[SECRET_STRLEN + 1];
	char			 secret[SECRET_STRLEN + 1];
	unsigned char		 shash[SECRET_HASHBYTES];
	char			*scope = NULL, *uris_json = NULL, *grants_json = NULL;
	char			*meta_json = NULL;
	struct buf		 body, sb;
	struct client_registration cr;
	long long		 wait = 0, issued = 0;
	int			 want_code = 0, want_refresh = 0, rc, n;
	size_t			 i;

	buf_init(&body, 256 * 1024);
	buf_init(&sb, 4096);
	secret[0] = '\0';

	if ((in = json_parse(r->body, r->bodysz, APP_BODY_MAX, 8, err,
	    sizeof(err))) == NULL) {
		refuse(r, "invalid_client_metadata", err);
		goto out;
	}
	if (!cJSON_IsObject(in)) {
		refuse(r, "invalid_client_metadata", "the request must be a JSON object");
		goto out;
	}

	/* redirect_uris (AZ-07, DCR-08) */
	v = cJSON_GetObjectItemCaseSensitive(in, "redirect_uris");
	if (!cJSON_IsArray(v) || (n = cJSON_GetArraySize(v)) < 1) {
		refuse(r, "invalid_redirect_uri", "redirect_uris must be a non-empty array of URLs");
		goto out;
	}
	if (n > OAUTH_REDIRECTS_MAX) {
		refuse(r, "invalid_redirect_uri", "at most 10 redirect_uris");
		goto out;
	}
	uris = cJSON_CreateArray();
	cJSON_ArrayForEach(it, v) {
		const cJSON *d;
		int dup = 0;
		why = "redirect_uris must hold strings";
		if (!cJSON_IsString(it) ||
		    !oauth_redirect_uri_valid(it->valuestring,
		    strlen(it->valuestring), &why)) {
			cJSON_Delete(uris);
			refuse(r, "invalid_redirect_uri", why);
			goto out;
		}
		cJSON_ArrayForEach(d, uris)
			if (strcmp(d->valuestring, it->valuestring) == 0)
				dup = 1;
		if (!dup)
			cJSON_AddItemToArray(uris, cJSON_CreateString(it->valuestring));
	}
	out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "redirect_uris", uris);

	/* token_endpoint_auth_method (DCR-03, DCR-06) */
	v = cJSON_GetObjectItemCaseSensitive(in, "token_endpoint_auth_method");
	if (v == NULL || cJSON_IsNull(v))
		method = "client_secret_basic";		/* RFC 7591 §2 */
	else if (cJSON_IsString(v) &&
	    (strcmp(v->valuestring, "none") == 0 ||
	    strcmp(v->valuestring, "client_secret_post") == 0 ||
	    strcmp(v->valuestring, "client_secret_basic") == 0))
		method = v->valuestring;
	else {
		refuse(r, "invalid_client_metadata",
		    "token_endpoint_auth_method must be none, client_secret_post or client_secret_basic");
		goto out;
	}

	/* grant_types and response_types (S-19: no implicit, no password) */
	v = cJSON_GetObjectItemCaseSensitive(in, "grant_types");
	if (v == NULL || cJSON_IsNull(v))
		want_code = want_refresh = 1;
	else if (!cJSON_IsArray(v)) {
		refuse(r, "invalid_client_metadata", "grant_types must be an array");
		goto out;
	} else
		cJSON_ArrayForEach(it, v) {
			if (!cJSON_IsString(it))
				continue;
			if (strcmp(it->valuestring, "authorization_code") == 0)
				want_code = 1;
			else if (strcmp(it->valuestring, "refresh_token") == 0)
				want_refresh = 1;
		}
	if (!want_code) {
		refuse(r, "invalid_client_metadata",
		    "grant_types must include authorization_code (the only way to get tokens here)");
		goto out;
	}
	grants = json_strarray(want_refresh ?
	    "authorization_code refresh_token" : "authorization_code");
	v = cJSON_GetObjectItemCaseSensitive(in, "response_types");
	if (v != NULL && !cJSON_IsNull(v)) {
		int only_code = cJSON_IsArray(v) && cJSON_GetArraySize(v) >= 1;
		cJSON_ArrayForEach(it, v)
			if (!cJSON_IsString(it) || strcmp(it->valuestring, "code") != 0)
				only_code = 0;
		if (!only_code) {
			cJSON_Delete(grants);
			refuse(r, "invalid_client_metadata", "response_types must be [\"code\"]");
			goto out;
		}
	}

	/* what users will see on the consent page: bounded text, https URLs */
	if (opt_text(in, "client_name", NAME_MAX_LEN, &name) == -1 ||
	    opt_text(in, "software_id", NAME_MAX_LEN, &software_id) == -1 ||
	    opt_text(in, "software_version", NAME_MAX_LEN, &software_version) == -1) {
		cJSON_Delete(grants);
		refuse(r, "invalid_client_metadata",
		    "client_name, software_id and software_version must be text of at most 200 characters");
		goto out;
	}
	if (opt_url(in, "client_uri", &client_uri) == -1 ||
	    opt_url(in, "logo_uri", &logo_uri) == -1 ||
	    opt_url(in, "tos_uri", &tos_uri) == -1 ||
	    opt_url(in, "policy_uri", &policy_uri) == -1) {
		cJSON_Delete(grants);
		refuse(r, "invalid_client_metadata",
		    "client_uri, logo_uri, tos_uri and policy_uri must be https URLs");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(in, "application_type");
	if (v != NULL && !cJSON_IsNull(v)) {
		if (!cJSON_IsString(v) || (strcmp(v->valuestring, "web") != 0 &&
		    strcmp(v->valuestring, "native") != 0)) {
			cJSON_Delete(grants);
			refuse(r, "invalid_client_metadata", "application_type must be web or native");
			goto out;
		}
		app_type = v->valuestring;
	}
	v = cJSON_GetObjectItemCaseSensitive(in, "contacts");
	if (v != NULL && !cJSON_IsNull(v)) {
		if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > CONTACTS_MAX) {
			cJSON_Delete(grants);
			refuse(r, "invalid_client_metadata", "contacts must be an array of at most 10 strings");
			goto out;
		}
		contacts = cJSON_CreateArray();
		cJSON_ArrayForEach(it, v) {
			if (!cJSON_IsString(it) || strlen(it->valuestring) > NAME_MAX_LEN ||
			    !valid_text(it->valuestring, strlen(it->valuestring))) {
				cJSON_Delete(grants);
				refuse(r, "invalid_client_metadata", "contacts must be an array of at most 10 strings");
				goto out;
			}
			cJSON_AddItemToArray(contacts, cJSON_CreateString(it->valuestring));
		}
	}

	/* scope: keep what we offer, drop the rest (DCR-04, AS-08) */
	v = cJSON_GetObjectItemCaseSensitive(in, "scope");
	if (v != NULL && cJSON_IsString(v)) {
		const char *p = v->valuestring;
		size_t wl;
		while (*p != '\0') {
			while (*p == ' ' || *p == '\t')
				p++;
			wl = strcspn(p, " \t");
			if (wl == 0)
				break;
			if (valid_scope_token(p, wl)) {
				char *w = xstrndup(p, wl);
				if (oauth_scope_subset(w, c->scopes) &&
				    !oauth_scope_subset(w, buf_str(&sb)))
					if ((sb.len > 0 && buf_addc(&sb, ' ') == -1) ||
					    buf_adds(&sb, w) == -1) {
						free(w);
						break;
					}
				free(w);
			}
			p += wl;
		}
		if (sb.len > 0)
			scope = xstrdup(buf_str(&sb));
	} else if (v != NULL && !cJSON_IsNull(v)) {
		cJSON_Delete(grants);
		refuse(r, "invalid_client_metadata", "scope must be a string");
		goto out;
	}

	/* The registration as it will be answered (and stored, minus secret). */
	secret_random(client_id);
	cJSON_AddStringToObject(out, "token_endpoint_auth_method", method);
	cJSON_AddItemToObject(out, "grant_types", grants);
	cJSON_AddItemToObject(out, "response_types", json_strarray("code"));
	if (name != NULL)
		cJSON_AddStringToObject(out, "client_name", name);
	if (client_uri != NULL)
		cJSON_AddStringToObject(out, "client_uri", client_uri);
	if (logo_uri != NULL)
		cJSON_AddStringToObject(out, "logo_uri", logo_uri);
	if (tos_uri != NULL)
		cJSON_AddStringToObject(out, "tos_uri", tos_uri);
	if (policy_uri != NULL)
		cJSON_AddStringToObject(out, "policy_uri", policy_uri);
	if (scope != NULL)
		cJSON_AddStringToObject(out, "scope", scope);
	if (contacts != NULL) {
		cJSON_AddItemToObject(out, "contacts", contacts);
		contacts = NULL;
	}
	if (software_id != NULL)
		cJSON_AddStringToObject(out, "software_id", software_id);
	if (software_version != NULL)
		cJSON_AddStringToObject(out, "software_version", software_version);
	if (app_type != NULL)
		cJSON_AddStringToObject(out, "application_type", app_type);

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
	cr.client_name = name;
	cr.client_uri = client_uri;
	cr.logo_uri = logo_uri;
	cr.scope = scope;
	cr.grant_types_json = grants_json;
	cr.application_type = app_type;
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
	buf_free(&sb);
	cJSON_Delete(in);
	cJSON_Delete(out);
	cJSON_Delete(contacts);
	free(scope);
	cJSON_free(uris_json);
	cJSON_free(grants_json);
	cJSON_free(meta_json);
	(void)i;
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
