/*
 * fuzz_register.c: RFC 7591 client metadata (clientmeta_parse,
 * src/lib/clientmeta.c) from any registration body, parsed as
 * src/register.c parses it.
 *
 * Invariants: a refusal is invalid_redirect_uri or
 * invalid_client_metadata with a description; an accepted registration
 * has 1..10 distinct valid redirect URIs, one of the three methods (the
 * one asked for, DCR-06), authorization_code among its grants, ["code"]
 * as response_types, display texts within their bounds and on one line,
 * only scopes we offer, and no member of the request's own choosing
 * (client_id, client_secret, anything unknown); and registering the
 * answer again gives the same answer.
 */
#include "config.h"

#include "clientmeta.h"
#include "json.h"
#include "oauth.h"
#include "valid.h"

#include "fuzz.h"

#define SCOPES		"mcp:read mcp:write"
#define BODY_MAX	65536	/* APP_BODY_MAX, as src/register.c */

static const char *const answered[] = {
	"redirect_uris", "token_endpoint_auth_method", "grant_types",
	"response_types", "client_name", "client_uri", "logo_uri", "tos_uri",
	"policy_uri", "scope", "contacts", "software_id", "software_version",
	"application_type",
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	json_init();
	return 0;
}

static void
check_text(const cJSON *out, const char *key, size_t max)
{
	const char	*s = json_get_str(out, key);

	FUZZ_CHECK(s != NULL || cJSON_GetObjectItemCaseSensitive(out, key) ==
	    NULL);
	if (s == NULL)
		return;
	FUZZ_CHECK(strlen(s) <= max);
	FUZZ_CHECK(valid_text(s, strlen(s)) && strpbrk(s, "\r\n\t") == NULL);
}

static void
check_answer(const cJSON *in, const cJSON *out)
{
	const cJSON	*v, *it, *d, *m;
	const char	*method, *asked, *s;
	size_t		 i;
	int		 n;

	FUZZ_CHECK(cJSON_IsObject(out));
	for (m = out->child; m != NULL; m = m->next) {
		for (i = 0; i < sizeof(answered) / sizeof(answered[0]); i++)
			if (strcmp(m->string, answered[i]) == 0)
				break;
		FUZZ_CHECK(i < sizeof(answered) / sizeof(answered[0]));
	}

	v = cJSON_GetObjectItemCaseSensitive(out, "redirect_uris");
	FUZZ_CHECK(cJSON_IsArray(v));
	n = cJSON_GetArraySize(v);
	FUZZ_CHECK(n >= 1 && n <= OAUTH_REDIRECTS_MAX);
	cJSON_ArrayForEach(it, v) {
		FUZZ_CHECK(cJSON_IsString(it));
		FUZZ_CHECK(oauth_redirect_uri_valid(it->valuestring,
		    strlen(it->valuestring), NULL));
		for (d = it->next; d != NULL; d = d->next)
			FUZZ_CHECK(strcmp(d->valuestring, it->valuestring) != 0);
	}

	method = json_get_str(out, "token_endpoint_auth_method");
	FUZZ_CHECK(method != NULL && (strcmp(method, "none") == 0 ||
	    strcmp(method, "client_secret_post") == 0 ||
	    strcmp(method, "client_secret_basic") == 0));
	asked = json_get_str(in, "token_endpoint_auth_method");
	FUZZ_CHECK(strcmp(method, asked != NULL ? asked :
	    "client_secret_basic") == 0);

	v = cJSON_GetObjectItemCaseSensitive(out, "grant_types");
	FUZZ_CHECK(cJSON_IsArray(v) && cJSON_GetArraySize(v) >= 1);
	FUZZ_CHECK(strcmp(cJSON_GetArrayItem(v, 0)->valuestring,
	    "authorization_code") == 0);
	v = cJSON_GetObjectItemCaseSensitive(out, "response_types");
	FUZZ_CHECK(cJSON_IsArray(v) && cJSON_GetArraySize(v) == 1 &&
	    strcmp(cJSON_GetArrayItem(v, 0)->valuestring, "code") == 0);

	for (i = 4; i < sizeof(answered) / sizeof(answered[0]); i++)
		if (strcmp(answered[i], "contacts") != 0)
			check_text(out, answered[i], strstr(answered[i], "_uri") ?
			    OAUTH_URI_MAX : CLIENTMETA_TEXT_MAX);
	if ((s = json_get_str(out, "scope")) != NULL) {
		FUZZ_CHECK(valid_scope_list(s, strlen(s)) && s[0] != '\0');
		FUZZ_CHECK(oauth_scope_subset(s, SCOPES));
	}
	v = cJSON_GetObjectItemCaseSensitive(out, "contacts");
	if (v != NULL) {
		FUZZ_CHECK(cJSON_IsArray(v) &&
		    cJSON_GetArraySize(v) <= CLIENTMETA_CONTACTS_MAX);
		cJSON_ArrayForEach(it, v)
			FUZZ_CHECK(cJSON_IsString(it) &&
			    strlen(it->valuestring) <= CLIENTMETA_TEXT_MAX);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON		*in, *out, *again, *back;
	const char	*error, *desc;
	char		*b = fuzz_exact(data, size), *s, err[256];

	if ((in = json_parse(b, size, BODY_MAX, 8, err, sizeof(err))) == NULL) {
		free(b);
		return 0;
	}
	error = desc = NULL;
	if ((out = clientmeta_parse(in, SCOPES, &error, &desc)) == NULL) {
		FUZZ_CHECK(error != NULL && desc != NULL && desc[0] != '\0');
		FUZZ_CHECK(strcmp(error, "invalid_redirect_uri") == 0 ||
		    strcmp(error, "invalid_client_metadata") == 0);
		cJSON_Delete(in);
		free(b);
		return 0;
	}
	FUZZ_CHECK(error == NULL && desc == NULL);
	check_answer(in, out);

	/* the answer, sent back as a registration, is answered the same */
	FUZZ_CHECK((s = cJSON_PrintUnformatted(out)) != NULL);
	back = json_parse(s, strlen(s), BODY_MAX * 4, 8, err, sizeof(err));
	FUZZ_CHECK(back != NULL);
	again = clientmeta_parse(back, SCOPES, &error, &desc);
	FUZZ_CHECK(again != NULL);
	FUZZ_CHECK(cJSON_Compare(out, again, 1));
	cJSON_Delete(again);
	cJSON_Delete(back);
	cJSON_free(s);
	cJSON_Delete(out);
	cJSON_Delete(in);
	free(b);
	return 0;
}
