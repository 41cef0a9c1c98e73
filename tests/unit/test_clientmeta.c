/*
 * test_clientmeta.c: RFC 7591 client metadata (src/lib/clientmeta.c):
 * what real clients send (Claude, ChatGPT, the SDK's mcp-remote) and what
 * they get back, what is dropped, and what is refused with which error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clientmeta.h"
#include "json.h"
#include "tap.h"

#define SCOPES	"mcp:read mcp:write"

/* The answer to body, printed, or NULL with *error and *desc. */
static char *
answer(const char *body, const char **error, const char **desc)
{
	cJSON	*in, *out;
	char	*s, err[256];

	*error = *desc = NULL;
	if ((in = json_parse(body, strlen(body), 65536, 8, err,
	    sizeof(err))) == NULL)
		return NULL;
	out = clientmeta_parse(in, SCOPES, error, desc);
	cJSON_Delete(in);
	if (out == NULL)
		return NULL;
	s = cJSON_PrintUnformatted(out);
	cJSON_Delete(out);
	return s;
}

int
main(void)
{
	static const struct {
		const char	*body, *out;
	} good[] = {
		/* Claude (CLIENTS.md: client_secret_post, echoed) */
		{ "{\"redirect_uris\":[\"https://claude.ai/api/mcp/auth_callback\"],\"token_endpoint_auth_method\":\"client_secret_post\",\"client_name\":\"Claude\",\"grant_types\":[\"authorization_code\",\"refresh_token\"],\"response_types\":[\"code\"]}",
		  "{\"redirect_uris\":[\"https://claude.ai/api/mcp/auth_callback\"],\"token_endpoint_auth_method\":\"client_secret_post\",\"grant_types\":[\"authorization_code\",\"refresh_token\"],\"response_types\":[\"code\"],\"client_name\":\"Claude\"}" },
		/* ChatGPT: none, two redirect URIs, a scope */
		{ "{\"client_name\":\"ChatGPT\",\"redirect_uris\":[\"https://chatgpt.com/connector_platform_oauth_redirect\",\"https://chatgpt.com/connector/oauth/abc_123\"],\"token_endpoint_auth_method\":\"none\",\"scope\":\"mcp:read\"}",
		  "{\"redirect_uris\":[\"https://chatgpt.com/connector_platform_oauth_redirect\",\"https://chatgpt.com/connector/oauth/abc_123\"],\"token_endpoint_auth_method\":\"none\",\"grant_types\":[\"authorization_code\",\"refresh_token\"],\"response_types\":[\"code\"],\"client_name\":\"ChatGPT\",\"scope\":\"mcp:read\"}" },
		/* nothing but the URIs: client_secret_basic (RFC 7591 §2), both grants */
		{ "{\"redirect_uris\":[\"https://c.example/cb\"]}",
		  "{\"redirect_uris\":[\"https://c.example/cb\"],\"token_endpoint_auth_method\":\"client_secret_basic\",\"grant_types\":[\"authorization_code\",\"refresh_token\"],\"response_types\":[\"code\"]}" },
		/* repeats, unknown grants and scopes dropped; the client's own id ignored */
		{ "{\"redirect_uris\":[\"https://c.example/cb\",\"https://c.example/cb\"],\"token_endpoint_auth_method\":\"none\",\"grant_types\":[\"authorization_code\",\"password\",1],\"scope\":\"mcp:write openid\\tunknown mcp:write mcp:read\",\"client_id\":\"mine\",\"client_secret\":\"x\",\"jwks_uri\":\"https://x/j\"}",
		  "{\"redirect_uris\":[\"https://c.example/cb\"],\"token_endpoint_auth_method\":\"none\",\"grant_types\":[\"authorization_code\"],\"response_types\":[\"code\"],\"scope\":\"mcp:write mcp:read\"}" },
		/* everything shown to users, native loopback */
		{ "{\"redirect_uris\":[\"http://127.0.0.1/cb\",\"http://[::1]:9/cb\"],\"token_endpoint_auth_method\":null,\"client_name\":\"MCP CLI Proxy\",\"client_uri\":\"https://github.com/geelen/mcp-remote\",\"logo_uri\":\"https://a.example/l.png\",\"tos_uri\":\"https://a.example/t\",\"policy_uri\":\"http://localhost/p\",\"contacts\":[\"ops@example.com\"],\"software_id\":\"2e6dc280\",\"software_version\":\"0.1.29\",\"application_type\":\"native\",\"scope\":null}",
		  "{\"redirect_uris\":[\"http://127.0.0.1/cb\",\"http://[::1]:9/cb\"],\"token_endpoint_auth_method\":\"client_secret_basic\",\"grant_types\":[\"authorization_code\",\"refresh_token\"],\"response_types\":[\"code\"],\"client_name\":\"MCP CLI Proxy\",\"client_uri\":\"https://github.com/geelen/mcp-remote\",\"logo_uri\":\"https://a.example/l.png\",\"tos_uri\":\"https://a.example/t\",\"policy_uri\":\"http://localhost/p\",\"contacts\":[\"ops@example.com\"],\"software_id\":\"2e6dc280\",\"software_version\":\"0.1.29\",\"application_type\":\"native\"}" },
	};
	static const struct {
		const char	*body, *error, *desc;
	} bad[] = {
		{ "[]", "invalid_client_metadata", "must be a JSON object" },
		{ "{}", "invalid_redirect_uri", "non-empty array" },
		{ "{\"redirect_uris\":[]}", "invalid_redirect_uri", "non-empty array" },
		{ "{\"redirect_uris\":\"https://c.example/cb\"}", "invalid_redirect_uri", "non-empty array" },
		{ "{\"redirect_uris\":[1,2,3,4,5,6,7,8,9,10,11]}", "invalid_redirect_uri", "at most 10" },
		{ "{\"redirect_uris\":[1]}", "invalid_redirect_uri", "must hold strings" },
		{ "{\"redirect_uris\":[\"https://c.example/cb#f\"]}", "invalid_redirect_uri", "fragment" },
		{ "{\"redirect_uris\":[\"http://c.example/cb\"]}", "invalid_redirect_uri", "https" },
		{ "{\"redirect_uris\":[\"https://c.example/cb\"],\"token_endpoint_auth_method\":\"private_key_jwt\"}", "invalid_client_metadata", "token_endpoint_auth_method" },
		{ "{\"redirect_uris\":[\"https://c.example/cb\"],\"grant_types\":\"authorization_code\"}", "invalid_client_metadata", "must be an array" },
		{ "{\"redirect_uris\":[\"https://c.example/cb\"],\"grant_types\":[\"refresh_token\"]}", "invalid_client_metadata", "must include authorization_code" },
		{ "{\"redirect_uris\":[\"https://c.example/cb\"],\"response_types\":[\"code\",\"token\"]}", "invalid_client_metadata", "response_types" },
		{ "{\"redirect_uris\":[\"https://c.example/cb\"],\"response_types\":[]}", "invalid_client_metadata", "response_types" },
		{ "{\"redirect_uris\":[\"https://c.example/cb\"],\"client_name\":\"a\\nb\"}", "invalid_client_metadata", "client_name" },
		{ "{\"redirect_uris\":[\"https://c.example/cb\"],\"software_id\":7}", "invalid_client_metadata", "software_id" },
		{ "{\"redirect_uris\":[\"https://c.example/cb\"],\"logo_uri\":\"javascript:alert(1)\"}", "invalid_client_metadata", "logo_uri" },
		{ "{\"redirect_uris\":[\"https://c.example/cb\"],\"client_uri\":\"https://u@c.example/\"}", "invalid_client_metadata", "client_uri" },
		{ "{\"redirect_uris\":[\"https://c.example/cb\"],\"application_type\":\"desktop\"}", "invalid_client_metadata", "application_type" },
		{ "{\"redirect_uris\":[\"https://c.example/cb\"],\"contacts\":\"a@b\"}", "invalid_client_metadata", "contacts" },
		{ "{\"redirect_uris\":[\"https://c.example/cb\"],\"contacts\":[\"a\\u0001\"]}", "invalid_client_metadata", "contacts" },
		{ "{\"redirect_uris\":[\"https://c.example/cb\"],\"scope\":[\"mcp:read\"]}", "invalid_client_metadata", "scope must be a string" },
	};
	const char	*error, *desc;
	char		*s, name[256];
	size_t		 i;

	json_init();
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		s = answer(good[i].body, &error, &desc);
		is_str(s, good[i].out, "accepted %zu, answered as registered", i);
		ok(error == NULL && desc == NULL, "  no error");
		free(s);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = answer(bad[i].body, &error, &desc);
		ok(s == NULL && error != NULL && strcmp(error, bad[i].error) == 0 &&
		    desc != NULL && strstr(desc, bad[i].desc) != NULL,
		    "refused %zu: %s (%s)", i, bad[i].error, bad[i].desc);
		free(s);
	}

	/* a name of exactly 200 bytes is text enough; 201 is not */
	memset(name, 'n', 200);
	name[200] = '\0';
	s = malloc(512);
	snprintf(s, 512, "{\"redirect_uris\":[\"https://c.example/cb\"],\"client_name\":\"%s\"}", name);
	free(answer(s, &error, &desc));
	ok(error == NULL, "a 200-byte client_name is accepted");
	snprintf(s, 512, "{\"redirect_uris\":[\"https://c.example/cb\"],\"client_name\":\"%sn\"}", name);
	free(answer(s, &error, &desc));
	ok(error != NULL, "a 201-byte client_name is refused");
	free(s);
	return done_testing();
}
