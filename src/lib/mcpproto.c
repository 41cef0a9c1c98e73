/*
 * mcpproto.c: MCP protocol pieces without I/O (see mcpproto.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jschema.h"
#include "json.h"
#include "mcpproto.h"
#include "xmalloc.h"

static const char *const legacy_versions[] = {
	"2025-11-25", "2025-06-18", "2025-03-26"
};
#define NLEGACY	(sizeof(legacy_versions) / sizeof(legacy_versions[0]))

/* Whether v is a protocol version we serve (either era). */
int
mcp_version_known(const char *v)
{
	size_t	i;

	if (strcmp(v, MCP_V_MODERN) == 0)
		return 1;
	for (i = 0; i < NLEGACY; i++)
		if (strcmp(v, legacy_versions[i]) == 0)
			return 1;
	return 0;
}

/*
 * The version to answer an initialize with (SPEC L-02): the client's when
 * it is a 2025-era one we support, else our latest (never a hard-coded
 * one, never the 2026 revision, which has no initialize).
 */
const char *
mcp_negotiate(const char *want)
{
	size_t	i;

	for (i = 0; want != NULL && i < NLEGACY; i++)
		if (strcmp(want, legacy_versions[i]) == 0)
			return legacy_versions[i];
	return MCP_V_LATEST;
}

/* Every version we serve, newest first (-32022's data.supported). */
cJSON *
mcp_supported_versions(void)
{
	cJSON	*a = cJSON_CreateArray();
	size_t	 i;

	cJSON_AddItemToArray(a, cJSON_CreateString(MCP_V_MODERN));
	for (i = 0; i < NLEGACY; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(legacy_versions[i]));
	return a;
}

/* The protocol version in params._meta (the 2026-07-28 era), or NULL. */
const char *
mcp_meta_version(const cJSON *msg)
{
	const cJSON	*p, *meta;

	if (!cJSON_IsObject(msg))
		return NULL;
	p = cJSON_GetObjectItemCaseSensitive(msg, "params");
	meta = cJSON_IsObject(p) ? cJSON_GetObjectItemCaseSensitive(p, "_meta") : NULL;
	return cJSON_IsObject(meta) ? json_get_str(meta, MCP_META_VERSION) : NULL;
}

/*
 * Whether the number d is an integer that a long long holds, tested in
 * that order: converting a double outside the range (1e19, 1e400 read as
 * infinity) is undefined behaviour (found by tests/fuzz/fuzz_jsonrpc).
 */
static int
is_integer_id(double d)
{
	return d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
	    (double)(long long)d == d;
}

/*
 * What a JSON-RPC 2.0 message is (SPEC L-05): a request needs a method
 * and an id that is a string or an integer (never null); params, when
 * present, must be an object.  On RPC_KIND_INVALID *why says why.
 */
enum rpc_kind
rpc_classify(const cJSON *msg, const char **why)
{
	const cJSON	*id, *params;
	const char	*jv;

	*why = NULL;
	if (!cJSON_IsObject(msg) || (jv = json_get_str(msg, "jsonrpc")) == NULL ||
	    strcmp(jv, "2.0") != 0) {
		*why = "Invalid Request: not a JSON-RPC 2.0 message";
		return RPC_KIND_INVALID;
	}
	id = cJSON_GetObjectItemCaseSensitive(msg, "id");
	if (json_get_str(msg, "method") == NULL) {
		if (cJSON_GetObjectItemCaseSensitive(msg, "result") != NULL ||
		    cJSON_GetObjectItemCaseSensitive(msg, "error") != NULL)
			return RPC_KIND_RESPONSE;
		*why = "Invalid Request: no method";
		return RPC_KIND_INVALID;
	}
	if (id != NULL && !cJSON_IsString(id) && !(cJSON_IsNumber(id) &&
	    is_integer_id(id->valuedouble))) {
		*why = "Invalid Request: id must be a string or an integer";
		return RPC_KIND_INVALID;
	}
	params = cJSON_GetObjectItemCaseSensitive(msg, "params");
	if (params != NULL && !cJSON_IsObject(params) && !cJSON_IsNull(params)) {
		*why = "Invalid params: params must be an object";
		return RPC_KIND_INVALID;
	}
	return id != NULL ? RPC_KIND_REQUEST : RPC_KIND_NOTIFICATION;
}

/* A JSON-RPC error response (id NULL → null); takes data. */
cJSON *
rpc_error(const cJSON *id, int code, const char *msg, cJSON *data)
{
	cJSON	*j = cJSON_CreateObject(), *e = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "jsonrpc", "2.0");
	cJSON_AddItemToObject(j, "id", id != NULL ? cJSON_Duplicate(id, 1) :
	    cJSON_CreateNull());
	cJSON_AddNumberToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
	if (data != NULL)
		cJSON_AddItemToObject(e, "data", data);
	cJSON_AddItemToObject(j, "error", e);
	return j;
}

/* A JSON-RPC result response; takes result. */
cJSON *
rpc_result(const cJSON *id, cJSON *result)
{
	cJSON	*j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "jsonrpc", "2.0");
	cJSON_AddItemToObject(j, "id", cJSON_Duplicate(id, 1));
	cJSON_AddItemToObject(j, "result", result);
	return j;
}

/* A tool result with one text item and isError (SPEC F-10). */
cJSON *
mcp_tool_error(const char *text)
{
	cJSON	*res = cJSON_CreateObject(), *c, *it;

	c = cJSON_AddArrayToObject(res, "content");
	it = cJSON_CreateObject();
	cJSON_AddStringToObject(it, "type", "text");
	cJSON_AddStringToObject(it, "text", text);
	cJSON_AddItemToArray(c, it);
	cJSON_AddTrueToObject(res, "isError");
	return res;
}

/*
 * The result of a tool's SQL function as an MCP tool result (SPEC F-08,
 * F-09): an object with a content array is taken as it is; anything else
 * is the structured result, also given as one text item of its JSON
 * (OA-02, OA-04: exactly one text item for search and fetch).  When the
 * tool declares an outputSchema the result must conform, else an isError
 * result (why in err, for the log).  The caller cJSON_Delete()s it.
 */
cJSON *
mcp_tool_result(const cJSON *out, const cJSON *tool, char *err, size_t errsz)
{
	cJSON		*res, *c, *it;
	const cJSON	*os;
	char		*text;

	err[0] = '\0';
	if (cJSON_IsObject(out) &&
	    cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(out, "content")))
		return cJSON_Duplicate(out, 1);
	os = cJSON_GetObjectItemCaseSensitive(tool, "outputSchema");
	if (cJSON_IsObject(os) && jschema_check(os, out, err, errsz) != 1)
		return mcp_tool_error("The tool produced a result that does not match its declared output schema.");
	res = cJSON_CreateObject();
	c = cJSON_AddArrayToObject(res, "content");
	it = cJSON_CreateObject();
	cJSON_AddStringToObject(it, "type", "text");
	text = cJSON_PrintUnformatted(out);
	cJSON_AddStringToObject(it, "text", text != NULL ? text : "null");
	cJSON_AddItemToArray(c, it);
	/*
	 * The structured result is the text's JSON: kept as those bytes (a
	 * raw item, printed as it is) rather than a copy of the tree printed
	 * a second time with the answer (a sixth of a fetch's instructions,
	 * a fifth of a search's: bench/results/cost-*.md).
	 */
	if (cJSON_IsObject(out))
		cJSON_AddItemToObject(res, "structuredContent", text != NULL ?
		    cJSON_CreateRaw(text) : cJSON_Duplicate(out, 1));
	cJSON_free(text);
	return res;
}

/*
 * A 2026-07-28 header value with the base64 sentinel "=?base64?...?="
 * decoded; *bad set when it is a sentinel that does not decode to text
 * (then the result is "").  NULL stays NULL.  The caller frees.
 */
static char *
header_decode(const char *v, int *bad)
{
	unsigned char	 raw[2048];
	size_t		 n, l;

	*bad = 0;
	if (v == NULL)
		return NULL;
	l = strlen(v);
	if (l >= 11 && strncmp(v, "=?base64?", 9) == 0 &&
	    strcmp(v + l - 2, "?=") == 0) {
		if (sodium_base642bin(raw, sizeof(raw) - 1, v + 9, l - 11, NULL,
		    &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    memchr(raw, '\0', n) != NULL) {
			*bad = 1;
			return xstrdup("");
		}
		raw[n] = '\0';
		return xstrdup((const char *)raw);
	}
	return xstrdup(v);
}

/*
 * A 2026-07-28 header value (Mcp-Name), with the base64 sentinel
 * "=?base64?...?=" decoded; NULL stays NULL.  The caller frees.  A
 * sentinel that does not decode to text gives "".
 */
char *
mcp_header_decode(const char *v)
{
	int	bad;

	return header_decode(v, &bad);
}

/*
 * Whether a 2026-07-28 header that repeats the body (Mcp-Method, Mcp-Name),
 * as received (NULL when absent), equals the body's value v (NULL when
 * absent) once decoded.  A sentinel that does not decode never matches,
 * not even an empty value (found by tests/unit/test_mcpproto.c while
 * writing tests/fuzz/fuzz_jsonrpc.c).  When it does not match, the answer
 * is -32020 (§4.7).
 */
int
mcp_header_matches(const char *header, const char *v)
{
	char	*d;
	int	 bad, rc;

	if (header == NULL || v == NULL)
		return 0;
	d = header_decode(header, &bad);
	rc = !bad && strcmp(d, v) == 0;
	free(d);
	return rc;
}
