/*
 * clientmeta.c: RFC 7591 client metadata (see clientmeta.h).
 *
 * What is accepted and how it is reduced (the rule ids are SPEC.md's):
 *  - redirect_uris: required, 1..10, each oauth_redirect_uri_valid()
 *    (absolute https, or http on a loopback host; no fragment, no
 *    wildcard); repeats are dropped; else invalid_redirect_uri.
 *  - token_endpoint_auth_method: none, client_secret_post or
 *    client_secret_basic; omitted means client_secret_basic (RFC 7591 §2),
 *    and the answer echoes exactly the method registered (DCR-06).
 *  - grant_types: the subset of authorization_code and refresh_token
 *    asked for (others are dropped: DCR-04 lets us replace values), which
 *    must include authorization_code; omitted means both.
 *  - response_types: only ["code"] (S-19: no implicit flow).
 *  - client_name, software_id, software_version: text of at most 200
 *    bytes on one line; client_uri, logo_uri, tos_uri, policy_uri: https
 *    (or loopback http) URLs without user information; they are shown to
 *    users on the consent page.
 *  - application_type: web or native; contacts: at most 10 texts.
 *  - scope: the requested scopes we offer, each once (unknown and OpenID
 *    ones are dropped, AS-08).
 *  - Unknown members are ignored (DCR-04), and so are a client_id or a
 *    client_secret in the request (DCR-10).
 * Registering the answer again gives the same answer (the fuzz target
 * tests/fuzz/fuzz_register.c checks that).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clientmeta.h"
#include "json.h"
#include "oauth.h"
#include "url.h"
#include "valid.h"
#include "xmalloc.h"

#define E_META		"invalid_client_metadata"
#define E_REDIRECT	"invalid_redirect_uri"

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

/* Add key: s to j when s is not NULL. */
static void
add_opt(cJSON *j, const char *key, const char *s)
{
	if (s != NULL)
		cJSON_AddStringToObject(j, key, s);
}

/*
 * The registration the request req (a JSON object) asks for, with the
 * scopes a space-separated list of those the server offers.  Returns the
 * metadata as it is registered and answered, without client_id and
 * secret (the caller cJSON_Delete()s it), or NULL with *error the OAuth
 * error code (invalid_redirect_uri or invalid_client_metadata) and *desc
 * its description, both static strings fit for the client.
 */
cJSON *
clientmeta_parse(const cJSON *req, const char *scopes, const char **error,
    const char **desc)
{
	cJSON		*out = cJSON_CreateObject(), *uris, *contacts;
	const cJSON	*v, *it, *d;
	const char	*method, *name, *software_id, *software_version;
	const char	*client_uri, *logo_uri, *tos_uri, *policy_uri;
	const char	*app_type = NULL, *p;
	struct buf	 sb;
	size_t		 wl;
	int		 want_code = 0, want_refresh = 0, n, dup, only_code;
	char		*w;

	buf_init(&sb, 4096);
	*error = E_META;
	if (!cJSON_IsObject(req)) {
		*desc = "the request must be a JSON object";
		goto fail;
	}

	/* redirect_uris (AZ-07, DCR-08) */
	*error = E_REDIRECT;
	v = cJSON_GetObjectItemCaseSensitive(req, "redirect_uris");
	if (!cJSON_IsArray(v) || (n = cJSON_GetArraySize(v)) < 1) {
		*desc = "redirect_uris must be a non-empty array of URLs";
		goto fail;
	}
	if (n > OAUTH_REDIRECTS_MAX) {
		*desc = "at most 10 redirect_uris";
		goto fail;
	}
	uris = cJSON_AddArrayToObject(out, "redirect_uris");
	cJSON_ArrayForEach(it, v) {
		*desc = "redirect_uris must hold strings";
		if (!cJSON_IsString(it) ||
		    !oauth_redirect_uri_valid(it->valuestring,
		    strlen(it->valuestring), desc))
			goto fail;
		dup = 0;
		cJSON_ArrayForEach(d, uris)
			if (strcmp(d->valuestring, it->valuestring) == 0)
				dup = 1;
		if (!dup)
			cJSON_AddItemToArray(uris,
			    cJSON_CreateString(it->valuestring));
	}
	*error = E_META;

	/* token_endpoint_auth_method (DCR-03, DCR-06) */
	v = cJSON_GetObjectItemCaseSensitive(req, "token_endpoint_auth_method");
	if (v == NULL || cJSON_IsNull(v))
		method = "client_secret_basic";		/* RFC 7591 §2 */
	else if (cJSON_IsString(v) &&
	    (strcmp(v->valuestring, "none") == 0 ||
	    strcmp(v->valuestring, "client_secret_post") == 0 ||
	    strcmp(v->valuestring, "client_secret_basic") == 0))
		method = v->valuestring;
	else {
		*desc = "token_endpoint_auth_method must be none, client_secret_post or client_secret_basic";
		goto fail;
	}

	/* grant_types and response_types (S-19: no implicit, no password) */
	v = cJSON_GetObjectItemCaseSensitive(req, "grant_types");
	if (v == NULL || cJSON_IsNull(v))
		want_code = want_refresh = 1;
	else if (!cJSON_IsArray(v)) {
		*desc = "grant_types must be an array";
		goto fail;
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
		*desc = "grant_types must include authorization_code (the only way to get tokens here)";
		goto fail;
	}
	v = cJSON_GetObjectItemCaseSensitive(req, "response_types");
	if (v != NULL && !cJSON_IsNull(v)) {
		only_code = cJSON_IsArray(v) && cJSON_GetArraySize(v) >= 1;
		cJSON_ArrayForEach(it, v)
			if (!cJSON_IsString(it) ||
			    strcmp(it->valuestring, "code") != 0)
				only_code = 0;
		if (!only_code) {
			*desc = "response_types must be [\"code\"]";
			goto fail;
		}
	}

	/* what users will see on the consent page: bounded text, https URLs */
	if (opt_text(req, "client_name", CLIENTMETA_TEXT_MAX, &name) == -1 ||
	    opt_text(req, "software_id", CLIENTMETA_TEXT_MAX,
	    &software_id) == -1 ||
	    opt_text(req, "software_version", CLIENTMETA_TEXT_MAX,
	    &software_version) == -1) {
		*desc = "client_name, software_id and software_version must be text of at most 200 characters";
		goto fail;
	}
	if (opt_url(req, "client_uri", &client_uri) == -1 ||
	    opt_url(req, "logo_uri", &logo_uri) == -1 ||
	    opt_url(req, "tos_uri", &tos_uri) == -1 ||
	    opt_url(req, "policy_uri", &policy_uri) == -1) {
		*desc = "client_uri, logo_uri, tos_uri and policy_uri must be https URLs";
		goto fail;
	}
	v = cJSON_GetObjectItemCaseSensitive(req, "application_type");
	if (v != NULL && !cJSON_IsNull(v)) {
		if (!cJSON_IsString(v) || (strcmp(v->valuestring, "web") != 0 &&
		    strcmp(v->valuestring, "native") != 0)) {
			*desc = "application_type must be web or native";
			goto fail;
		}
		app_type = v->valuestring;
	}
	contacts = NULL;
	v = cJSON_GetObjectItemCaseSensitive(req, "contacts");
	if (v != NULL && !cJSON_IsNull(v)) {
		*desc = "contacts must be an array of at most 10 strings";
		if (!cJSON_IsArray(v) ||
		    cJSON_GetArraySize(v) > CLIENTMETA_CONTACTS_MAX)
			goto fail;
		cJSON_ArrayForEach(it, v)
			if (!cJSON_IsString(it) ||
			    strlen(it->valuestring) > CLIENTMETA_TEXT_MAX ||
			    !valid_text(it->valuestring,
			    strlen(it->valuestring)))
				goto fail;
		contacts = cJSON_Duplicate(v, 1);
	}

	/* scope: keep what we offer, drop the rest (DCR-04, AS-08) */
	v = cJSON_GetObjectItemCaseSensitive(req, "scope");
	if (v != NULL && cJSON_IsString(v)) {
		for (p = v->valuestring; *p != '\0'; p += wl) {
			while (*p == ' ' || *p == '\t')
				p++;
			if ((wl = strcspn(p, " \t")) == 0)
				break;
			if (!valid_scope_token(p, wl))
				continue;
			w = xstrndup(p, wl);
			if (oauth_scope_subset(w, scopes) &&
			    !oauth_scope_subset(w, buf_str(&sb)) &&
			    ((sb.len > 0 && buf_addc(&sb, ' ') == -1) ||
			    buf_adds(&sb, w) == -1)) {
				free(w);
				break;
			}
			free(w);
		}
	} else if (v != NULL && !cJSON_IsNull(v)) {
		cJSON_Delete(contacts);
		*desc = "scope must be a string";
		goto fail;
	}

	/* the answer, in the order clients have always seen it */
	cJSON_AddStringToObject(out, "token_endpoint_auth_method", method);
	cJSON_AddItemToObject(out, "grant_types", json_strarray(want_refresh ?
	    "authorization_code refresh_token" : "authorization_code"));
	cJSON_AddItemToObject(out, "response_types", json_strarray("code"));
	add_opt(out, "client_name", name);
	add_opt(out, "client_uri", client_uri);
	add_opt(out, "logo_uri", logo_uri);
	add_opt(out, "tos_uri", tos_uri);
	add_opt(out, "policy_uri", policy_uri);
	if (sb.len > 0)
		cJSON_AddStringToObject(out, "scope", buf_str(&sb));
	if (contacts != NULL)
		cJSON_AddItemToObject(out, "contacts", contacts);
	add_opt(out, "software_id", software_id);
	add_opt(out, "software_version", software_version);
	add_opt(out, "application_type", app_type);
	buf_free(&sb);
	*error = *desc = NULL;
	return out;
fail:
	buf_free(&sb);
	cJSON_Delete(out);
	return NULL;
}
