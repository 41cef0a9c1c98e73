/*
 * well-known.c: the discovery documents every MCP client fetches first.
 *
 *   GET|HEAD /.well-known/oauth-authorization-server
 *	RFC 8414 authorization-server metadata (SPEC AS-01..AS-10)
 *   GET|HEAD /.well-known/oauth-protected-resource
 *   GET|HEAD /.well-known/oauth-protected-resource<mcp_path>
 *	RFC 9728 protected-resource metadata of the MCP endpoint, at the
 *	path-suffixed URL (PRM-02) and at the root (PRM-03)
 *   GET|HEAD <mcp_path>/oauth-protected-resource
 *	the same document, for hosts whose edge blocks /.well-known: with
 *	well_known_blocked = yes the MCP endpoint's challenges name this URL
 *	(RFC 9728 §5.1) and clients fall back to /authorize, /token and
 *	/register at the origin for the authorization server (README)
 *
 * Both documents depend only on the configuration, so they are built once
 * per configuration and served from memory: no database, nothing per
 * request but the routing.  Every URL in them comes from the configured
 * issuer, never from the Host header (deploy README, requirement 4).
 * Any other path routed here gets a JSON 404.  Readable from any origin
 * (DEP-03): browser-based clients fetch these before they hold a token.
 *
 * Raises 200, 204 (CORS preflight), 404, 405, 500 (bad configuration).
 *
 * The root protected-resource document names the MCP endpoint as its
 * resource, not the origin: RFC 9728 §3.3 would have a client that
 * derived the root URL from an origin resource reject it, but MCP
 * clients fall back to the root for the MCP URL (PRM-03), which is the
 * case it serves.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "app.h"
#include "conf.h"
#include "json.h"
#include "log.h"
#include "xmalloc.h"

#define AS_PATH		"/.well-known/oauth-authorization-server"
#define PRM_PATH	"/.well-known/oauth-protected-resource"

/* The client authentication methods the token endpoint accepts (AS-09). */
static const char *const auth_methods =
    "none client_secret_post client_secret_basic";

static struct buf	 as_doc, prm_doc;
static unsigned long	 docs_generation;

/* RFC 8414 §2 fields; SPEC AS-07 says which and why. */
static int
build_as(const struct conf *c, struct buf *b)
{
	cJSON	*j = cJSON_CreateObject();
	char	*u;
	int	 rc;

	cJSON_AddStringToObject(j, "issuer", c->issuer);
	u = xasprintf("%s%s/authorize", c->issuer, c->mcp_path);
	cJSON_AddStringToObject(j, "authorization_endpoint", u);
	free(u);
	u = xasprintf("%s%s/token", c->issuer, c->mcp_path);
	cJSON_AddStringToObject(j, "token_endpoint", u);
	free(u);
	u = xasprintf("%s%s/register", c->issuer, c->mcp_path);
	cJSON_AddStringToObject(j, "registration_endpoint", u);
	free(u);
	u = xasprintf("%s%s/revoke", c->issuer, c->mcp_path);
	cJSON_AddStringToObject(j, "revocation_endpoint", u);
	free(u);
	cJSON_AddItemToObject(j, "scopes_supported", json_strarray(c->scopes));
	cJSON_AddItemToObject(j, "response_types_supported",
	    json_strarray("code"));
	cJSON_AddItemToObject(j, "response_modes_supported",
	    json_strarray("query"));
	/* listed, since the default when omitted includes "implicit" */
	cJSON_AddItemToObject(j, "grant_types_supported",
	    json_strarray("authorization_code refresh_token"));
	/* listed, since the default when omitted is client_secret_basic only */
	cJSON_AddItemToObject(j, "token_endpoint_auth_methods_supported",
	    json_strarray(auth_methods));
	cJSON_AddItemToObject(j, "revocation_endpoint_auth_methods_supported",
	    json_strarray(auth_methods));
	/* S256 only: clients must refuse to proceed without it (S-10) */
	cJSON_AddItemToObject(j, "code_challenge_methods_supported",
	    json_strarray("S256"));
	/* every redirect of ours carries iss (RFC 9207, SPEC AZ-14, S-13) */
	cJSON_AddTrueToObject(j, "authorization_response_iss_parameter_supported");
	if (c->service_documentation != NULL)
		cJSON_AddStringToObject(j, "service_documentation",
		    c->service_documentation);
	rc = json_print(j, b);
	cJSON_Delete(j);
	return rc;
}

/* RFC 9728 §2 fields (PRM-01, PRM-05..PRM-07). */
static int
build_prm(const struct conf *c, struct buf *b)
{
	cJSON	*j = cJSON_CreateObject();
	int	 rc;

	/* exactly the MCP URL, the resource identifier clients send (PRM-05) */
	cJSON_AddStringToObject(j, "resource", c->mcp_url);
	cJSON_AddItemToObject(j, "authorization_servers",
	    json_strarray(c->issuer));
	/* the minimal scopes for basic use, never offline_access (PRM-07, RS-11) */
	cJSON_AddItemToObject(j, "scopes_supported",
	    json_strarray(c->default_scopes));
	cJSON_AddItemToObject(j, "bearer_methods_supported",
	    json_strarray("header"));
	cJSON_AddStringToObject(j, "resource_name", c->resource_name);
	if (c->service_documentation != NULL)
		cJSON_AddStringToObject(j, "resource_documentation",
		    c->service_documentation);
	rc = json_print(j, b);
	cJSON_Delete(j);
	return rc;
}

static void
handle(struct req *r)
{
	const struct conf	*c = r->conf;
	const struct buf	*doc = NULL;
	size_t			 pl = strlen(PRM_PATH), ml = strlen(c->mcp_path);

	if (docs_generation != c->generation) {
		buf_free(&as_doc);
		buf_free(&prm_doc);
		buf_init(&as_doc, 65536);
		buf_init(&prm_doc, 65536);
		if (build_as(c, &as_doc) == -1 || build_prm(c, &prm_doc) == -1) {
			log_warnx("metadata documents larger than 64 KiB: shorten the configuration");
			docs_generation = 0;
			app_error(r, 500, "server_error", "metadata too large");
			return;
		}
		docs_generation = c->generation;
	}
	if (strcmp(r->path, AS_PATH) == 0)
		doc = &as_doc;
	else if (strncmp(r->path, PRM_PATH, pl) == 0 &&
	    (r->path[pl] == '\0' || strcmp(r->path + pl, c->mcp_path) == 0))
		doc = &prm_doc;
	else if (strncmp(r->path, c->mcp_path, ml) == 0 &&
	    strcmp(r->path + ml, PRM_UNDER_MCP_PATH) == 0)
		doc = &prm_doc;	/* for hosts that block /.well-known */
	if (doc == NULL) {
		app_error(r, 404, "not_found", "no such metadata document");
		return;
	}
	/* a short cache: an edited configuration shows within minutes */
	resp_cache(r, "public, max-age=300");
	resp_json_text(r, 200, buf_str(doc), doc->len);
}

static const struct endpoint endpoint = {
	.name = "well-known",
	.methods = HTTP_M(HTTP_GET) | HTTP_M(HTTP_HEAD),
	.body = BODY_NONE,
	.flags = EP_CORS,
	.handle = handle,
};

int
main(void)
{
	return app_run(&endpoint);
}
