/*
 * mcp.c: the MCP endpoint, Streamable HTTP, JSON-RPC 2.0, both eras on
 * one URL, stateless, bearer-protected.
 *
 *   POST <mcp_path>   one JSON-RPC message (a batch only under 2025-03-26)
 *   GET, DELETE       405 with Allow: POST (no server-initiated stream)
 *   OPTIONS           CORS preflight for allowed origins
 *
 * The eras (SPEC §4.1, §4.7): a request with MCP-Protocol-Version
 * 2026-07-28, or with the protocol version in params._meta, is served as
 * the stateless 2026-07-28 revision (server/discover, Mcp-Method and
 * Mcp-Name checked against the body, resultType, unknown methods 404);
 * anything else as the 2025 revisions (initialize negotiates 2025-03-26,
 * 2025-06-18 or 2025-11-25; no MCP-Protocol-Version header means
 * 2025-03-26, T-11).  An unknown version is 400 with -32022 and the
 * supported list, which a dual-era client reads as "fall back" (T-12).
 * No session ids are issued (T-17); every POST is authenticated (TV-01).
 *
 * Every request needs an access token issued for this MCP URL (TV-03),
 * from the Authorization header only (TV-05): missing → 401 with
 * WWW-Authenticate: Bearer resource_metadata=…, scope=… (RS-02, RS-03);
 * bad or expired → the same with error="invalid_token" (RS-04); a tool
 * whose scope the token lacks → 403 insufficient_scope (RS-05).  The token
 * check and the tool list are one database round trip.
 *
 * Tools are rows (sql/schema.sql): arguments are validated against the
 * tool's input schema (jschema.c), then its SQL function runs through
 * mcpgate.call_tool under the statement timeout.  Invalid arguments and
 * tool failures are isError results (F-10), never 5xx.
 *
 * Raises 200, 202, 204, 400, 401, 403, 404, 405, 413, 415, 500, 503.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "app.h"
#include "authcache.h"
#include "conf.h"
#include "db.h"
#include "jschema.h"
#include "json.h"
#include "log.h"
#include "mcpproto.h"
#include "secret.h"
#include "xmalloc.h"

#define V_MODERN	MCP_V_MODERN
#define V_DEFAULT	MCP_V_DEFAULT
#define META_VERSION	MCP_META_VERSION
#define META_SERVER	"io.modelcontextprotocol/serverInfo"
#define DOC_URI		"mcpgate://doc/"
#define PAGE_SIZE	50
#define BATCH_MAX	32
/*
 * A tool's result, printed as the JSON-RPC result (structuredContent and
 * its text copy), must leave room for the envelope in the answer
 * (HTTP_RESPONSE_MAX); results whose output is shorter than the check
 * size cannot come near it and are not measured.
 */
#define TOOL_RESULT_MAX		(HTTP_RESPONSE_MAX - 65536)
#define TOOL_RESULT_CHECK	(256u * 1024)

#define E_PARSE		RPC_PARSE
#define E_REQUEST	RPC_REQUEST
#define E_METHOD	RPC_METHOD
#define E_PARAMS	RPC_PARAMS
#define E_INTERNAL	RPC_INTERNAL
#define E_NOTFOUND	RPC_NOTFOUND
#define E_HEADER	RPC_HEADER
#define E_VERSION	RPC_VERSION

/* One request's state. */
struct mcp {
	struct req	*r;
	int		 modern;	/* the 2026-07-28 era */
	const char	*version;	/* the header's, or V_DEFAULT */
	unsigned char	 token_hash[SECRET_HASHBYTES];
	int		 authed;
	long long	 user_id;
	char		*client_id;
	char		*scope;
	long long	 tools_gen;	/* the tools' generation, with the token */
	const cJSON	*tools;		/* the cached list (not owned) */
	int		 http_status;	/* set by a message that decides it */
};

/* ---- small helpers ------------------------------------------------------ */

static void
send_json(struct req *r, int status, cJSON *j)
{
	struct buf	b;

	buf_init(&b, HTTP_RESPONSE_MAX);
	if (json_print(j, &b) == -1) {
		cJSON_Delete(j);
		j = rpc_error(NULL, E_INTERNAL, "response too large", NULL);
		buf_reset(&b);
		if (json_print(j, &b) == -1)
			fatalx("send_json: cannot happen");
		status = 500;
	}
	/* the database went away during the message: as app_db_error */
	if (status == 503)
		(void)resp_header(r, "Retry-After", "5");
	resp_json_text(r, status, buf_str(&b), b.len);
	buf_free(&b);
	cJSON_Delete(j);
}

/* The WWW-Authenticate challenge (RS-02..RS-04, RS-10). */
static void
challenge(struct req *r, const char *error, const char *desc, const char *scope)
{
	const struct conf	*c = r->conf;

	if (error == NULL)
		(void)resp_header(r, "WWW-Authenticate",
		    "Bearer resource_metadata=\"%s\", scope=\"%s\"",
		    c->prm_url, scope);
	else
		(void)resp_header(r, "WWW-Authenticate",
		    "Bearer error=\"%s\", error_description=\"%s\", "
		    "resource_metadata=\"%s\", scope=\"%s\"",
		    error, desc, c->prm_url, scope);
}

static int
scope_has(const char *scopes, const char *want)
{
	const char	*p = scopes;
	size_t		 n, wl = strlen(want);

	while (*p != '\0') {
		n = strcspn(p, " ");
		if (n == wl && memcmp(p, want, wl) == 0)
			return 1;
		p += n;
		while (*p == ' ')
			p++;
	}
	return 0;
}

/* ---- the token ---------------------------------------------------------- */

/*
 * Check the bearer token: from this process's cache of tokens it checked
 * (authcache.c: only while PostgreSQL has notified no change since, and
 * for token_cache_seconds at most), else in the database.  1 valid, 0
 * not (401 answered), -1 database failure (answered).  The database's
 * answer carries the tools' generation, so that the cached list is known
 * to be current without a second round trip; a cached token carries the
 * generation it was checked with, still current as long as the cache is
 * (a change of the tools notifies too).
 */
static int
authenticate(struct mcp *m)
{
	struct req		*r = m->r;
	const char		*p[2] = { (const char *)m->token_hash, r->conf->mcp_url };
	int			 l[2] = { SECRET_HASHBYTES, 0 };
	struct db_rows		 rows;
	struct authcache_hit	 hit;
	unsigned long		 epoch;
	long long		 now = authcache_now(), left;
	long long		 ttl = r->conf->token_cache_seconds;
	int			 n;

	if (m->authed)
		return 1;
	/*
	 * Read before the statement is sent (authcache.c), and on every
	 * request even with the cache off: it frees what arrived.
	 */
	epoch = db_auth_epoch(r->conf);
	if (authcache_get(m->token_hash, r->conf->mcp_url, epoch, now, ttl,
	    &hit)) {
		m->user_id = hit.user_id;
		m->client_id = xstrdup(hit.client_id);
		m->scope = xstrdup(hit.scope);
		m->tools_gen = hit.tools_gen;
		m->authed = 1;
		return 1;
	}
	if ((n = db_fetch(STMT_MCP_AUTH, 2, p, l, &rows)) == -1) {
		app_db_error(r);
		return -1;
	}
	if (n != 1) {
		db_rows_free(&rows);
		challenge(r, "invalid_token", "the access token is invalid, expired or revoked",
		    r->conf->default_scopes);
		send_json(r, 401, rpc_error(NULL, E_REQUEST, "invalid access token", NULL));
		return 0;
	}
	m->user_id = strtoll(rows.v[0], NULL, 10);
	m->client_id = xstrdup(rows.v[1]);
	m->scope = xstrdup(rows.v[2]);
	m->tools_gen = rows.v[3] != NULL ? strtoll(rows.v[3], NULL, 10) : -1;
	left = rows.v[4] != NULL ? strtoll(rows.v[4], NULL, 10) : 0;
	db_rows_free(&rows);
	m->authed = 1;
	if (ttl > 0 && m->tools_gen != -1)
		authcache_put(m->token_hash, r->conf->mcp_url, epoch, now, left,
		    m->user_id, m->client_id, m->scope, m->tools_gen);
	return 1;
}

/*
 * The enabled tools, from this process's cache, reloaded when the
 * generation the token check saw differs from the cached one (an
 * administrator changed mcpgate.tools).  0, or -1 (database failure).
 */
static int
tools_load(struct mcp *m)
{
	static cJSON		*cache;
	static long long	 cache_gen = -1;
	static char		*cache_db;
	struct db_rows		 rows;
	char			 err[128];
	int			 n;

	if (cache != NULL && cache_gen == m->tools_gen && m->tools_gen >= 0 &&
	    cache_db != NULL && strcmp(cache_db, m->r->conf->database) == 0) {
		m->tools = cache;
		return 0;
	}
	if ((n = db_fetch(STMT_MCP_TOOLS, 0, NULL, NULL, &rows)) == -1)
		return -1;
	cJSON_Delete(cache);
	cache = NULL;
	if (n == 1 && rows.v[1] != NULL)
		cache = json_parse(rows.v[1], strlen(rows.v[1]), 1 << 24, 64, err,
		    sizeof(err));
	if (cache == NULL)
		cache = cJSON_CreateArray();
	cache_gen = n == 1 && rows.v[0] != NULL ? strtoll(rows.v[0], NULL, 10) : -1;
	free(cache_db);
	cache_db = xstrdup(m->r->conf->database);
	db_rows_free(&rows);
	m->tools = cache;
	return 0;
}

static char	*context_json(const struct mcp *);

/* ---- methods ---------------------------------------------------------- */

static cJSON *
capabilities(void)
{
	cJSON	*c = cJSON_CreateObject(), *t = cJSON_CreateObject();

	/* F-02: only what is implemented; no listChanged (no stream) */
	cJSON_AddFalseToObject(t, "listChanged");
	cJSON_AddItemToObject(c, "tools", t);
	cJSON_AddItemToObject(c, "resources", cJSON_CreateObject());
	cJSON_AddItemToObject(c, "prompts", cJSON_CreateObject());
	cJSON_AddItemToObject(c, "completions", cJSON_CreateObject());
	return c;
}

static cJSON *
server_info(const struct mcp *m)
{
	cJSON	*s = cJSON_CreateObject();

	cJSON_AddStringToObject(s, "name", "mcpgate");
	cJSON_AddStringToObject(s, "title", m->r->conf->resource_name);
	cJSON_AddStringToObject(s, "version", PACKAGE_VERSION);
	return s;
}

static const char instructions[] =
    "Use search to find documents of this knowledge base by keywords, "
    "then fetch with a result's id to read one in full.";

static cJSON *
m_initialize(struct mcp *m, const cJSON *params, int *code, const char **msg)
{
	cJSON	*res = cJSON_CreateObject();

	(void)code;
	(void)msg;
	cJSON_AddStringToObject(res, "protocolVersion",
	    mcp_negotiate(json_get_str(params, "protocolVersion")));
	cJSON_AddItemToObject(res, "capabilities", capabilities());
	cJSON_AddItemToObject(res, "serverInfo", server_info(m));
	cJSON_AddStringToObject(res, "instructions", instructions);
	return res;
}

static cJSON *
m_discover(struct mcp *m, const cJSON *params, int *code, const char **msg)
{
	cJSON	*res = cJSON_CreateObject(), *meta = cJSON_CreateObject();

	(void)params;
	(void)code;
	(void)msg;
	cJSON_AddItemToObject(res, "supportedVersions", mcp_supported_versions());
	cJSON_AddItemToObject(res, "capabilities", capabilities());
	cJSON_AddStringToObject(res, "instructions", instructions);
	cJSON_AddItemToObject(meta, META_SERVER, server_info(m));
	cJSON_AddItemToObject(res, "_meta", meta);
	return res;
}

static cJSON *
m_ping(struct mcp *m, const cJSON *params, int *code, const char **msg)
{
	(void)m;
	(void)params;
	(void)code;
	(void)msg;
	return cJSON_CreateObject();	/* F-03 */
}

/* A tool's definition as published (without our requiredScope). */
static cJSON *
tool_public(const cJSON *t)
{
	cJSON		*o = cJSON_Duplicate(t, 1);
	const cJSON	*v;

	cJSON_DeleteItemFromObjectCaseSensitive(o, "requiredScope");
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "title")) != NULL && cJSON_IsNull(v))
		cJSON_DeleteItemFromObjectCaseSensitive(o, "title");
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "outputSchema")) != NULL && cJSON_IsNull(v))
		cJSON_DeleteItemFromObjectCaseSensitive(o, "outputSchema");
	return o;
}

static int
tool_allowed(const struct mcp *m, const cJSON *t)
{
	const char	*rs = json_get_str(t, "requiredScope");

	return rs == NULL || scope_has(m->scope, rs);
}

static cJSON *
m_tools_list(struct mcp *m, const cJSON *params, int *code, const char **msg)
{
	cJSON		*res, *list;
	const cJSON	*t;

	/* F-04: we publish one page; a cursor we never issued is invalid */
	if (cJSON_GetObjectItemCaseSensitive(params, "cursor") != NULL &&
	    !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(params, "cursor"))) {
		*code = E_PARAMS;
		*msg = "invalid cursor";
		return NULL;
	}
	res = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(res, "tools");
	cJSON_ArrayForEach(t, m->tools)
		if (tool_allowed(m, t))
			cJSON_AddItemToArray(list, tool_public(t));
	return res;
}

/* The isError result for a tool's result that is too large to send. */
static cJSON *
too_large(const char *name, size_t len)
{
	char	msg[200];

	log_warnx("tool %s: a result of %zu bytes, more than %u can be sent",
	    name, len, (unsigned)TOOL_RESULT_MAX);
	snprintf(msg, sizeof(msg), "The tool's result is too large to send "
	    "(%zu bytes; at most %u). Ask for less.", len,
	    (unsigned)TOOL_RESULT_MAX);
	return mcp_tool_error(msg);
}

static cJSON *
m_tools_call(struct mcp *m, const cJSON *params, int *code, const char **msg)
{
	struct req	*r = m->r;
	const char	*name = json_get_str(params, "name"), *rs;
	const cJSON	*t, *args, *schema;
	cJSON		*ctx = NULL, *out = NULL, *res = NULL;
	char		*argtext = NULL, *ctxtext = NULL, err[256];
	const char	*p[3];
	struct db_rows	 rows;
	size_t		 rawlen;
	int		 n;

	if (name == NULL) {
		*code = E_PARAMS;
		*msg = "params.name must be a tool name";
		return NULL;
	}
	cJSON_ArrayForEach(t, m->tools)
		if (strcmp(json_get_str(t, "name"), name) == 0)
			break;
	if (t == NULL) {
		*code = E_PARAMS;	/* F-10 */
		*msg = "Unknown tool";
		return NULL;
	}
	if (!tool_allowed(m, t)) {
		/* RS-05: the scope needed, with what the token has (RS-06) */
		rs = json_get_str(t, "requiredScope");
		char *need = xasprintf("%s %s", m->scope, rs);
		challenge(r, "insufficient_scope", "this tool needs a scope the token lacks", need);
		free(need);
		m->http_status = 403;
		*code = E_REQUEST;
		*msg = "insufficient scope";
		return NULL;
	}
	args = cJSON_GetObjectItemCaseSensitive(params, "arguments");
	if (args != NULL && !cJSON_IsObject(args) && !cJSON_IsNull(args)) {
		*code = E_PARAMS;
		*msg = "params.arguments must be an object";
		return NULL;
	}
	if (args == NULL || cJSON_IsNull(args))
		args = NULL;
	/* F-11: validate before anything runs */
	schema = cJSON_GetObjectItemCaseSensitive(t, "inputSchema");
	{
		cJSON *empty = cJSON_CreateObject();
		int v = jschema_check(schema, args != NULL ? args : empty, err, sizeof(err));
		cJSON_Delete(empty);
		if (v == 0)
			return mcp_tool_error(err);
		if (v == -1) {
			log_warnx("tool %s: unusable input schema: %s", name, err);
			return mcp_tool_error("This tool's input schema cannot be enforced; the site's administrator must fix it.");
		}
	}
	argtext = args != NULL ? cJSON_PrintUnformatted(args) : xstrdup("{}");
	ctxtext = context_json(m);
	p[0] = name;
	p[1] = argtext;
	p[2] = ctxtext;
	n = db_fetch(STMT_MCP_CALL, 3, p, NULL, &rows);
	if (n == -1) {
		const char *st = db_last_sqlstate();
		if (strcmp(st, "P0001") == 0) {
			/* the tool's own message (RAISE EXCEPTION) */
			const char *em = db_last_message();
			if (strncmp(em, "ERROR:  ", 8) == 0)
				em += 8;
			res = mcp_tool_error(em);
		} else if (strcmp(st, "57014") == 0)
			res = mcp_tool_error("The tool took too long and was stopped.");
		else if (db_unavailable()) {
			m->http_status = 503;
			*code = E_INTERNAL;
			*msg = "the database is unavailable; try again shortly";
		} else
			res = mcp_tool_error("The tool failed; the site's administrator can find the reason in the server's error log.");
		goto out;
	}
	rawlen = n == 1 && rows.v[0] != NULL ? strlen(rows.v[0]) : 0;
	if (n != 1 || rows.v[0] == NULL)
		out = cJSON_CreateNull();
	else if (rawlen > TOOL_RESULT_MAX) {
		db_rows_free(&rows);
		res = too_large(name, rawlen);
		goto out;
	} else if ((out = json_parse(rows.v[0], rawlen, HTTP_RESPONSE_MAX,
	    64, err, sizeof(err))) == NULL) {
		log_warnx("tool %s: result not JSON: %s", name, err);
		res = mcp_tool_error("The tool returned an unreadable result.");
		db_rows_free(&rows);
		goto out;
	}
	db_rows_free(&rows);
	res = mcp_tool_result(out, t, err, sizeof(err));
	if (err[0] != '\0')
		log_warnx("tool %s returned a result its outputSchema refuses: %s",
		    name, err);
	/*
	 * F-11, DEP-06: a result too large to send is the tool's error (the
	 * model can read it), not a 500 for the whole message.
	 */
	if (res != NULL && rawlen > TOOL_RESULT_CHECK) {
		char	*pr = cJSON_PrintUnformatted(res);
		size_t	 pl = pr != NULL ? strlen(pr) : (size_t)-1;

		cJSON_free(pr);
		if (pl > TOOL_RESULT_MAX) {
			cJSON_Delete(res);
			res = too_large(name, pl);
		}
	}
out:
	cJSON_Delete(ctx);
	cJSON_Delete(out);
	cJSON_free(argtext);
	cJSON_free(ctxtext);
	return res;
}

/* Cursors for resources/list: the last id, base64url (opaque, F-04). */
static char *
cursor_decode(const cJSON *params, int *bad)
{
	const char	*c = json_get_str(params, "cursor");
	unsigned char	 raw[256];
	size_t		 n;

	*bad = 0;
	if (cJSON_GetObjectItemCaseSensitive(params, "cursor") == NULL ||
	    cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(params, "cursor")))
		return xstrdup("");
	if (c == NULL || sodium_base642bin(raw, sizeof(raw) - 1, c, strlen(c),
	    NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n == 0) {
		*bad = 1;
		return NULL;
	}
	raw[n] = '\0';
	if (memchr(raw, '\0', n) != NULL) {
		*bad = 1;
		return NULL;
	}
	return xstrdup((const char *)raw);
}

static char *
cursor_encode(const char *last)
{
	size_t	 n = strlen(last);
	size_t	 sz = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char	*out = xmalloc(sz);

	sodium_bin2base64(out, sz, (const unsigned char *)last, n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

/* The context a tool or resource function gets. */
static char *
context_json(const struct mcp *m)
{
	cJSON	*ctx = cJSON_CreateObject();
	char	*s;

	cJSON_AddNumberToObject(ctx, "user_id", (double)m->user_id);
	cJSON_AddStringToObject(ctx, "client_id", m->client_id);
	cJSON_AddItemToObject(ctx, "scopes", json_strarray(m->scope));
	cJSON_AddStringToObject(ctx, "search_config", m->r->conf->search_config);
	cJSON_AddNumberToObject(ctx, "fetch_max_chars", (double)m->r->conf->fetch_max_chars);
	s = cJSON_PrintUnformatted(ctx);
	cJSON_Delete(ctx);
	return s;
}

static cJSON *
m_resources_list(struct mcp *m, const cJSON *params, int *code, const char **msg)
{
	char		 uid[32], lim[16], *after, *nc;
	const char	*p[3];
	struct db_rows	 rows;
	cJSON		*res, *list, *it;
	int		 n, i, bad;
	char		**v;

	if ((after = cursor_decode(params, &bad)) == NULL) {
		*code = E_PARAMS;
		*msg = "invalid cursor";
		return NULL;
	}
	snprintf(uid, sizeof(uid), "%lld", m->user_id);
	snprintf(lim, sizeof(lim), "%d", PAGE_SIZE + 1);
	p[0] = uid;
	p[1] = after;
	p[2] = lim;
	n = db_fetch(STMT_MCP_RESOURCES, 3, p, NULL, &rows);
	free(after);
	if (n == -1) {
		m->http_status = db_unavailable() ? 503 : 500;
		*code = E_INTERNAL;
		*msg = "database error";
		return NULL;
	}
	res = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(res, "resources");
	for (i = 0; i < n && i < PAGE_SIZE; i++) {
		v = rows.v + i * 6;
		it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "uri", v[0]);
		cJSON_AddStringToObject(it, "name", v[1]);
		if (v[2] != NULL)
			cJSON_AddStringToObject(it, "title", v[2]);
		if (v[5] != NULL)
			cJSON_AddStringToObject(it, "description", v[5]);
		cJSON_AddStringToObject(it, "mimeType", v[3]);
		if (v[4] != NULL)
			cJSON_AddNumberToObject(it, "size", (double)strtoll(v[4], NULL, 10));
		cJSON_AddItemToArray(list, it);
	}
	if (n > PAGE_SIZE) {
		nc = cursor_encode(rows.v[(PAGE_SIZE - 1) * 6]);
		cJSON_AddStringToObject(res, "nextCursor", nc);
		free(nc);
	}
	db_rows_free(&rows);
	return res;
}

static cJSON *
m_resources_read(struct mcp *m, const cJSON *params, int *code, const char **msg)
{
	const char	*uri = json_get_str(params, "uri");
	char		*ctx, err[128];
	const char	*p[2];
	struct db_rows	 rows;
	cJSON		*res, *list, *c;
	int		 n;

	if (uri == NULL) {
		*code = E_PARAMS;
		*msg = "params.uri must be a resource URI";
		return NULL;
	}
	ctx = context_json(m);
	p[0] = uri;
	p[1] = ctx;
	n = db_fetch(STMT_MCP_RESOURCE_READ, 2, p, NULL, &rows);
	cJSON_free(ctx);
	if (n == -1) {
		m->http_status = db_unavailable() ? 503 : 500;
		*code = E_INTERNAL;
		*msg = strcmp(db_last_sqlstate(), "P0001") == 0 ?
		    "the resource could not be read" : "database error";
		if (!db_unavailable())
			m->http_status = 0;
		return NULL;
	}
	c = n == 1 && rows.v[0] != NULL ? json_parse(rows.v[0], strlen(rows.v[0]),
	    HTTP_RESPONSE_MAX, 8, err, sizeof(err)) : NULL;
	db_rows_free(&rows);
	if (c == NULL) {
		/* F-16; the 2026-07-28 revision uses -32602 */
		*code = m->modern ? E_PARAMS : E_NOTFOUND;
		*msg = "Resource not found";
		return NULL;
	}
	res = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(res, "contents");
	cJSON_AddItemToArray(list, c);
	return res;
}

static cJSON *
m_templates_list(struct mcp *m, const cJSON *params, int *code, const char **msg)
{
	cJSON		*res = cJSON_CreateObject(), *list, *it;
	struct db_rows	 rows;
	int		 n, i;
	char		**v;

	(void)params;
	list = cJSON_AddArrayToObject(res, "resourceTemplates");
	it = cJSON_CreateObject();
	cJSON_AddStringToObject(it, "uriTemplate", DOC_URI "{id}");
	cJSON_AddStringToObject(it, "name", "document");
	cJSON_AddStringToObject(it, "title", "A document of the knowledge base");
	cJSON_AddStringToObject(it, "mimeType", "text/plain");
	cJSON_AddItemToArray(list, it);
	if ((n = db_fetch(STMT_MCP_TEMPLATES, 0, NULL, NULL, &rows)) == -1) {
		cJSON_Delete(res);
		m->http_status = db_unavailable() ? 503 : 500;
		*code = E_INTERNAL;
		*msg = "database error";
		return NULL;
	}
	for (i = 0; i < n; i++) {
		v = rows.v + i * 5;
		it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "uriTemplate", v[0]);
		cJSON_AddStringToObject(it, "name", v[1]);
		if (v[2] != NULL)
			cJSON_AddStringToObject(it, "title", v[2]);
		if (v[3] != NULL)
			cJSON_AddStringToObject(it, "description", v[3]);
		cJSON_AddStringToObject(it, "mimeType", v[4]);
		cJSON_AddItemToArray(list, it);
	}
	db_rows_free(&rows);
	return res;
}

static cJSON *
m_prompts_list(struct mcp *m, const cJSON *params, int *code, const char **msg)
{
	char		 lim[16], *after, *nc;
	const char	*p[2];
	struct db_rows	 rows;
	cJSON		*res, *list, *it, *args;
	char		 err[64];
	int		 n, i, bad;

	(void)m;
	if ((after = cursor_decode(params, &bad)) == NULL) {
		*code = E_PARAMS;
		*msg = "invalid cursor";
		return NULL;
	}
	snprintf(lim, sizeof(lim), "%d", PAGE_SIZE + 1);
	p[0] = after;
	p[1] = lim;
	n = db_fetch(STMT_MCP_PROMPTS, 2, p, NULL, &rows);
	free(after);
	if (n == -1) {
		m->http_status = db_unavailable() ? 503 : 500;
		*code = E_INTERNAL;
		*msg = "database error";
		return NULL;
	}
	res = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(res, "prompts");
	for (i = 0; i < n && i < PAGE_SIZE; i++) {
		it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "name", rows.v[i * 4]);
		if (rows.v[i * 4 + 1] != NULL)
			cJSON_AddStringToObject(it, "title", rows.v[i * 4 + 1]);
		if (rows.v[i * 4 + 2] != NULL)
			cJSON_AddStringToObject(it, "description", rows.v[i * 4 + 2]);
		if ((args = json_parse(rows.v[i * 4 + 3], strlen(rows.v[i * 4 + 3]),
		    1 << 20, 16, err, sizeof(err))) != NULL)
			cJSON_AddItemToObject(it, "arguments", args);
		cJSON_AddItemToArray(list, it);
	}
	if (n > PAGE_SIZE) {
		nc = cursor_encode(rows.v[(PAGE_SIZE - 1) * 4]);
		cJSON_AddStringToObject(res, "nextCursor", nc);
		free(nc);
	}
	db_rows_free(&rows);
	return res;
}

/* Replace each {{name}} in s by the argument's value. */
static char *
fill(const char *s, const cJSON *args)
{
	struct buf	 b;
	const char	*p = s, *o, *e;
	const char	*v;
	char		*name;

	buf_init(&b, 1 << 20);
	while ((o = strstr(p, "{{")) != NULL && (e = strstr(o + 2, "}}")) != NULL) {
		if (buf_add(&b, p, (size_t)(o - p)) == -1)
			break;
		name = xstrndup(o + 2, (size_t)(e - o - 2));
		v = args != NULL ? json_get_str(args, name) : NULL;
		if (buf_adds(&b, v != NULL ? v : "") == -1) {
			free(name);
			break;
		}
		free(name);
		p = e + 2;
	}
	if (buf_adds(&b, p) == -1)
		log_warnx("prompt too long");
	return buf_steal(&b);
}

/* Fill the arguments into every string of a message's content. */
static void
fill_all(cJSON *j, const cJSON *args, int depth)
{
	cJSON	*it;
	char	*f;

	if (depth > 16)
		return;
	cJSON_ArrayForEach(it, j) {
		if (cJSON_IsString(it) && strstr(it->valuestring, "{{") != NULL) {
			f = fill(it->valuestring, args);
			cJSON_SetValuestring(it, f);
			free(f);
		} else if (cJSON_IsObject(it) || cJSON_IsArray(it))
			fill_all(it, args, depth + 1);
	}
}

static cJSON *
m_prompts_get(struct mcp *m, const cJSON *params, int *code, const char **msg)
{
	const char	*name = json_get_str(params, "name");
	const cJSON	*args = cJSON_GetObjectItemCaseSensitive(params, "arguments");
	const char	*p[1];
	struct db_rows	 rows;
	cJSON		*decl = NULL, *msgs = NULL, *res = NULL, *it, *content;
	const cJSON	*d;
	char		 err[64];
	int		 n, req;

	if (name == NULL || (args != NULL && !cJSON_IsObject(args) && !cJSON_IsNull(args))) {
		*code = E_PARAMS;
		*msg = "params.name must be a prompt name and params.arguments an object";
		return NULL;
	}
	p[0] = name;
	if ((n = db_fetch(STMT_MCP_PROMPT_GET, 1, p, NULL, &rows)) == -1) {
		m->http_status = db_unavailable() ? 503 : 500;
		*code = E_INTERNAL;
		*msg = "database error";
		return NULL;
	}
	if (n != 1) {
		db_rows_free(&rows);
		*code = E_PARAMS;
		*msg = "Unknown prompt";
		return NULL;
	}
	decl = json_parse(rows.v[2], strlen(rows.v[2]), 1 << 20, 16, err, sizeof(err));
	msgs = json_parse(rows.v[3], strlen(rows.v[3]), 1 << 22, 32, err, sizeof(err));
	cJSON_ArrayForEach(d, decl) {
		if (json_get_bool(d, "required", &req) == 1 && req &&
		    (args == NULL || json_get_str(args, json_get_str(d, "name") ?
		    json_get_str(d, "name") : "") == NULL)) {
			*code = E_PARAMS;
			*msg = "a required prompt argument is missing";
			goto out;
		}
	}
	res = cJSON_CreateObject();
	if (rows.v[1] != NULL)
		cJSON_AddStringToObject(res, "description", rows.v[1]);
	/* each message's content gets the arguments filled in */
	cJSON_ArrayForEach(it, msgs) {
		content = cJSON_GetObjectItemCaseSensitive(it, "content");
		if (cJSON_IsObject(content))
			fill_all(content, args, 0);
	}
	cJSON_AddItemToObject(res, "messages", msgs != NULL ? msgs : cJSON_CreateArray());
	msgs = NULL;
out:
	db_rows_free(&rows);
	cJSON_Delete(decl);
	cJSON_Delete(msgs);
	return res;
}

/*
 * completion/complete for prompt arguments: the values an argument
 * declares ("values" in the prompt's arguments, our extension) that start
 * with what was typed, case-insensitively.  Other references get none.
 */
static cJSON *
m_complete(struct mcp *m, const cJSON *params, int *code, const char **msg)
{
	const cJSON	*ref = json_get_object(params, "ref");
	const cJSON	*arg = json_get_object(params, "argument");
	const char	*type, *name, *an, *typed, *p[1];
	struct db_rows	 rows;
	cJSON		*res, *c, *vals, *decl = NULL;
	const cJSON	*d, *v;
	char		 err[64];
	int		 n, total = 0;

	if (ref == NULL || arg == NULL || (type = json_get_str(ref, "type")) == NULL ||
	    (an = json_get_str(arg, "name")) == NULL) {
		*code = E_PARAMS;
		*msg = "params.ref and params.argument are required";
		return NULL;
	}
	typed = json_get_str(arg, "value");
	res = cJSON_CreateObject();
	c = cJSON_AddObjectToObject(res, "completion");
	vals = cJSON_AddArrayToObject(c, "values");
	if (strcmp(type, "ref/prompt") == 0 && (name = json_get_str(ref, "name")) != NULL) {
		p[0] = name;
		if ((n = db_fetch(STMT_MCP_PROMPT_GET, 1, p, NULL, &rows)) == -1) {
			cJSON_Delete(res);
			m->http_status = db_unavailable() ? 503 : 500;
			*code = E_INTERNAL;
			*msg = "database error";
			return NULL;
		}
		if (n == 1)
			decl = json_parse(rows.v[2], strlen(rows.v[2]), 1 << 20, 16, err, sizeof(err));
		db_rows_free(&rows);
		cJSON_ArrayForEach(d, decl) {
			const char *dn = json_get_str(d, "name");
			if (dn == NULL || strcmp(dn, an) != 0)
				continue;
			cJSON_ArrayForEach(v, json_get_array(d, "values")) {
				if (!cJSON_IsString(v) || (typed != NULL &&
				    strncasecmp(v->valuestring, typed, strlen(typed)) != 0))
					continue;
				if (++total <= 100)
					cJSON_AddItemToArray(vals, cJSON_CreateString(v->valuestring));
			}
		}
		cJSON_Delete(decl);
	}
	cJSON_AddNumberToObject(c, "total", total);
	if (total > 100)
		cJSON_AddTrueToObject(c, "hasMore");
	else
		cJSON_AddFalseToObject(c, "hasMore");
	return res;
}

/* ---- dispatch ------------------------------------------------------------ */

struct method {
	const char	*name;
	int		 eras;		/* 1 legacy, 2 modern */
	int		 tools;		/* needs the tool list with the token */
	const char	*name_param;	/* the Mcp-Name header's source */
	cJSON		*(*fn)(struct mcp *, const cJSON *, int *, const char **);
};

static const struct method methods[] = {
	{ "initialize", 1, 0, NULL, m_initialize },
	{ "ping", 1, 0, NULL, m_ping },
	{ "server/discover", 2, 0, NULL, m_discover },
	{ "tools/list", 3, 1, NULL, m_tools_list },
	{ "tools/call", 3, 1, "name", m_tools_call },
	{ "resources/list", 3, 0, NULL, m_resources_list },
	{ "resources/read", 3, 0, "uri", m_resources_read },
	{ "resources/templates/list", 3, 0, NULL, m_templates_list },
	{ "prompts/list", 3, 0, NULL, m_prompts_list },
	{ "prompts/get", 3, 0, "name", m_prompts_get },
	{ "completion/complete", 3, 0, NULL, m_complete },
};

static const struct method *
find_method(const char *name, int modern)
{
	size_t	i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, name) == 0 &&
		    (methods[i].eras & (modern ? 2 : 1)))
			return &methods[i];
	return NULL;
}

/*
 * Handle one message.  Returns the response object, or NULL for a
 * notification or a response (202, T-03).
 */
static cJSON *
message(struct mcp *m, const cJSON *msg, int in_batch)
{
	const cJSON		*id = cJSON_GetObjectItemCaseSensitive(msg, "id");
	const cJSON		*params;
	const char		*method, *why, *emsg = NULL;
	const struct method	*me;
	cJSON			*res, *meta;
	int			 code = 0;

	switch (rpc_classify(msg, &why)) {
	case RPC_KIND_INVALID:
		return rpc_error(cJSON_IsString(id) || cJSON_IsNumber(id) ? id : NULL,
		    strncmp(why, "Invalid params", 14) == 0 ? E_PARAMS : E_REQUEST,
		    why, NULL);
	case RPC_KIND_RESPONSE:
	case RPC_KIND_NOTIFICATION:
		return NULL;		/* 202 (T-03) */
	case RPC_KIND_REQUEST:
		break;
	default:
		abort();
	}
	method = json_get_str(msg, "method");
	params = cJSON_GetObjectItemCaseSensitive(msg, "params");

	if (m->modern) {
		/* 2026-07-28: the headers repeat the body (-32020) */
		if (!mcp_header_matches(req_var(m->r, RV_HTTP_MCP_METHOD), method)) {
			m->http_status = 400;
			return rpc_error(id, E_HEADER, "Mcp-Method header missing or different from the body's method", NULL);
		}
	}
	if ((me = find_method(method, m->modern)) == NULL) {
		if (m->modern)
			m->http_status = 404;
		return rpc_error(id, E_METHOD, "Method not found", NULL);
	}
	if (m->modern && me->name_param != NULL &&
	    !mcp_header_matches(req_var(m->r, RV_HTTP_MCP_NAME),
	    json_get_str(params, me->name_param))) {
		m->http_status = 400;
		return rpc_error(id, E_HEADER, "Mcp-Name header missing or different from the body", NULL);
	}
	if (in_batch && strcmp(method, "initialize") == 0)
		return rpc_error(id, E_REQUEST, "initialize must not be in a batch (L-04)", NULL);
	if (me->tools && m->tools == NULL && tools_load(m) == -1) {
		m->http_status = db_unavailable() ? 503 : 500;
		return rpc_error(id, E_INTERNAL, "database error", NULL);
	}
	res = me->fn(m, params, &code, &emsg);
	if (res == NULL) {
		cJSON *data = NULL;
		if (code == E_NOTFOUND || (m->modern && strcmp(method, "resources/read") == 0 &&
		    code == E_PARAMS && json_get_str(params, "uri") != NULL)) {
			data = cJSON_CreateObject();	/* F-16: data.uri */
			cJSON_AddStringToObject(data, "uri", json_get_str(params, "uri"));
		}
		return rpc_error(id, code != 0 ? code : E_INTERNAL,
		    emsg != NULL ? emsg : "Internal error", data);
	}
	if (m->modern) {
		/*
		 * §4.7: list and read results say how long they may be cached;
		 * they depend on the token's user, and an administrator may
		 * change them at any time: not cached, and only per user.
		 */
		if (strstr(method, "/list") != NULL || strcmp(method, "resources/read") == 0 ||
		    strcmp(method, "prompts/get") == 0 || strcmp(method, "server/discover") == 0) {
			cJSON_AddNumberToObject(res, "ttlMs", 0);
			cJSON_AddStringToObject(res, "cacheScope", "private");
		}
		cJSON_AddStringToObject(res, "resultType", "complete");
		if (cJSON_GetObjectItemCaseSensitive(res, "_meta") == NULL) {
			meta = cJSON_CreateObject();
			cJSON_AddStringToObject(meta, META_VERSION, V_MODERN);
			cJSON_AddItemToObject(res, "_meta", meta);
		}
	}
	return rpc_result(id, res);
}

/*
 * tools/list in the 2025 era, the request clients repeat most: the answer
 * is the cached, already printed tool list for the token's scope, spliced
 * into the JSON-RPC envelope, instead of a cJSON tree built and printed
 * per request.  1 answered, 0 not this case (the general path answers),
 * -1 database failure (answered).
 */
static int
fast_tools_list(struct mcp *m, const cJSON *body)
{
	static char		*printed;	/* the "tools" array, printed */
	static long long	 printed_gen = -1; /* for this generation, */
	static char		*printed_scope;	/* this scope */
	static char		*printed_db;	/* and this database */
	const cJSON		*id, *params, *t;
	const char		*meth, *why;
	cJSON			*arr;
	char			*ids;
	struct buf		 b;

	if ((meth = json_get_str(body, "method")) == NULL ||
	    strcmp(meth, "tools/list") != 0 ||
	    rpc_classify(body, &why) != RPC_KIND_REQUEST)
		return 0;
	params = cJSON_GetObjectItemCaseSensitive(body, "params");
	if (cJSON_IsObject(params) && cJSON_GetObjectItemCaseSensitive(params, "cursor") != NULL)
		return 0;	/* the general path judges cursors */
	if (m->tools_gen < 0)
		return 0;
	if (tools_load(m) == -1) {
		m->http_status = db_unavailable() ? 503 : 500;
		return 0;
	}
	if (printed == NULL || printed_gen != m->tools_gen ||
	    strcmp(printed_scope, m->scope) != 0 ||
	    strcmp(printed_db, m->r->conf->database) != 0) {
		free(printed);
		free(printed_scope);
		free(printed_db);
		printed = printed_scope = printed_db = NULL;
		arr = cJSON_CreateArray();
		cJSON_ArrayForEach(t, m->tools)
			if (tool_allowed(m, t))
				cJSON_AddItemToArray(arr, tool_public(t));
		printed = cJSON_PrintUnformatted(arr);
		cJSON_Delete(arr);
		if (printed == NULL)
			return 0;
		printed_gen = m->tools_gen;
		printed_scope = xstrdup(m->scope);
		printed_db = xstrdup(m->r->conf->database);
	}
	id = cJSON_GetObjectItemCaseSensitive(body, "id");
	if ((ids = cJSON_PrintUnformatted(id)) == NULL)
		return 0;
	/*
	 * Appended, not printed: vsnprintf of the cached list would walk it
	 * twice byte by byte, the largest cost of a tools/list (bench/).
	 */
	buf_init(&b, HTTP_RESPONSE_MAX);
	if (buf_adds(&b, "{\"jsonrpc\":\"2.0\",\"id\":") == -1 ||
	    buf_adds(&b, ids) == -1 ||
	    buf_adds(&b, ",\"result\":{\"tools\":") == -1 ||
	    buf_adds(&b, printed) == -1 ||
	    buf_adds(&b, "}}") == -1) {
		buf_free(&b);
		cJSON_free(ids);
		return 0;
	}
	resp_json_text(m->r, 200, buf_str(&b), b.len);
	buf_free(&b);
	cJSON_free(ids);
	return 1;
}

/* Whether the request's Origin may call us (T-13); absent is allowed. */
static int
origin_ok(struct req *r)
{
	if (r->origin == NULL)
		return 1;
	return conf_origin_allowed(r->conf, r->origin);
}

static void
cors(struct req *r)
{
	if (r->origin == NULL)
		return;
	(void)resp_header(r, "Access-Control-Allow-Origin", "%s", r->origin);
	(void)resp_header(r, "Vary", "Origin");
	(void)resp_header(r, "Access-Control-Expose-Headers",
	    "WWW-Authenticate, MCP-Protocol-Version");
}

static void
handle(struct req *r)
{
	struct mcp	 m;
	const char	*auth = r->authorization, *hv, *mv;
	cJSON		*body = NULL, *out = NULL, *res;
	const cJSON	*it;
	char		 err[256];
	int		 is_batch, n;

	memset(&m, 0, sizeof(m));
	m.r = r;
	if (!origin_ok(r)) {
		send_json(r, 403, rpc_error(NULL, E_REQUEST, "Origin not allowed", NULL));
		return;
	}
	cors(r);
	if (r->method == HTTP_OPTIONS) {
		(void)resp_header(r, "Access-Control-Allow-Methods", "POST, OPTIONS");
		(void)resp_header(r, "Access-Control-Allow-Headers",
		    "Authorization, Content-Type, Accept, MCP-Protocol-Version, Mcp-Method, Mcp-Name, Mcp-Session-Id, Last-Event-ID");
		(void)resp_header(r, "Access-Control-Max-Age", "86400");
		r->status = 204;
		return;
	}
	if (r->method != HTTP_POST) {
		/* T-06, T-07: no server-initiated stream, no sessions */
		resp_allow(r, HTTP_M(HTTP_POST));
		send_json(r, 405, rpc_error(NULL, E_REQUEST, "Method not allowed: use POST", NULL));
		return;
	}

	/* RS-01, TV-05: a bearer token from the Authorization header only */
	if ((auth = req_auth_bearer(auth)) == NULL) {
		challenge(r, NULL, NULL, r->conf->default_scopes);
		send_json(r, 401, rpc_error(NULL, E_REQUEST, "authorization required", NULL));
		return;
	}
	if (!secret_b64url_valid(auth, strlen(auth))) {
		challenge(r, "invalid_token", "malformed access token", r->conf->default_scopes);
		send_json(r, 401, rpc_error(NULL, E_REQUEST, "invalid access token", NULL));
		return;
	}
	secret_hash(auth, strlen(auth), m.token_hash);

	if ((body = json_parse(r->body, r->bodysz, APP_BODY_MAX * 4, 64, err,
	    sizeof(err))) == NULL) {
		send_json(r, 400, rpc_error(NULL, E_PARSE, "Parse error", NULL));
		goto out;
	}
	is_batch = cJSON_IsArray(body);

	/* the era and the version (T-11, T-12, §4.7) */
	hv = req_var(r, RV_HTTP_MCP_PROTOCOL_VERSION);
	mv = is_batch ? NULL : mcp_meta_version(body);
	if ((hv != NULL && !mcp_version_known(hv)) || (mv != NULL && !mcp_version_known(mv))) {
		cJSON *data = cJSON_CreateObject();
		cJSON_AddItemToObject(data, "supported", mcp_supported_versions());
		send_json(r, 400, rpc_error(NULL, E_VERSION, "Unsupported protocol version", data));
		goto out;
	}
	m.modern = (hv != NULL && strcmp(hv, V_MODERN) == 0) ||
	    (mv != NULL && strcmp(mv, V_MODERN) == 0);
	m.version = hv != NULL ? hv : V_DEFAULT;
	if (is_batch && (m.modern || strcmp(m.version, "2025-03-26") != 0)) {
		/* L-04: batches only under 2025-03-26 */
		send_json(r, 400, rpc_error(NULL, E_REQUEST, "batches are not allowed in this protocol version", NULL));
		goto out;
	}
	if (is_batch && (cJSON_GetArraySize(body) == 0 || cJSON_GetArraySize(body) > BATCH_MAX)) {
		send_json(r, 400, rpc_error(NULL, E_REQUEST, "a batch must hold 1 to 32 messages", NULL));
		goto out;
	}

	/* the token: one round trip (with the tools' generation) */
	if ((n = authenticate(&m)) != 1)
		goto out;

	if (!is_batch && !m.modern && fast_tools_list(&m, body) == 1)
		goto out;
	if (!is_batch) {
		res = message(&m, body, 0);
		if (r->sent || r->status == 401 || r->status == 503 || r->status == 500) {
			cJSON_Delete(res);
			goto out;	/* answered already */
		}
		if (res == NULL) {
			r->status = m.http_status ? m.http_status : 202;
			goto out;
		}
		if (m.modern)
			(void)resp_header(r, "MCP-Protocol-Version", V_MODERN);
		send_json(r, m.http_status ? m.http_status : 200, res);
		goto out;
	}
	out = cJSON_CreateArray();
	cJSON_ArrayForEach(it, body) {
		res = message(&m, it, 1);
		if (res != NULL)
			cJSON_AddItemToArray(out, res);
	}
	if (cJSON_GetArraySize(out) == 0)
		r->status = 202;
	else {
		send_json(r, 200, out);
		out = NULL;
	}
out:
	cJSON_Delete(body);
	cJSON_Delete(out);
	free(m.client_id);
	free(m.scope);
}

static const struct endpoint endpoint = {
	.name = "mcp",
	.methods = HTTP_M(HTTP_POST) | HTTP_M(HTTP_GET) | HTTP_M(HTTP_DELETE) |
	    HTTP_M(HTTP_OPTIONS),
	.body = BODY_JSON,
	.body_max = APP_BODY_MAX * 4,
	.flags = EP_DB,
	.handle = handle,
};

int
main(void)
{
	db_listen_auth();
	return app_run(&endpoint);
}
