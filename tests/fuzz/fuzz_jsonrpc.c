/*
 * fuzz_jsonrpc.c: the pure MCP protocol pieces (src/lib/mcpproto.c) the
 * way src/mcp.c applies them to a POST, in both eras.
 *
 * Input: three header lines and the body,
 *	MCP-Protocol-Version \n Mcp-Method \n Mcp-Name \n JSON body
 * (an empty line is an absent header; without three newlines the whole
 * input is the body and every header is absent).  The body goes through
 * json_parse with the endpoint's limits; then the era is found (header,
 * params._meta), each message (or each of a batch) is classified, the
 * 2026-07-28 headers are compared with the body, the answer is built and
 * printed, and the message's arguments are mapped as a tool result.
 *
 * Invariants: the classification agrees with the message's members; a
 * header equal to the body's value, plain or in the base64 sentinel,
 * matches; every answer printed parses back with the same id; the
 * negotiated version is a 2025-era one we serve; a tool result always
 * has content, and its text and structuredContent are the value mapped.
 */
#include "config.h"

#include <sodium.h>

#include "json.h"
#include "mcpproto.h"

#include "fuzz.h"

#define BODY_MAX	(65536 * 4)	/* as src/mcp.c: APP_BODY_MAX * 4 */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	json_init();
	return 0;
}

static char *
opt_header(const struct fuzz_part *p)
{
	return p->len == 0 ? NULL : fuzz_strndup(p->p, p->len);
}

/* Whether a and b print alike (cJSON_Compare never finds 1e400 equal). */
static int
same_printed(const cJSON *a, const cJSON *b)
{
	char	*s = cJSON_PrintUnformatted(a), *t = cJSON_PrintUnformatted(b);
	int	 rc;

	FUZZ_CHECK(s != NULL && t != NULL);
	rc = strcmp(s, t) == 0;
	cJSON_free(s);
	cJSON_free(t);
	return rc;
}

/* j printed parses back, with the same id. */
static void
check_printed(const cJSON *j, const cJSON *id)
{
	char	*s, err[128];
	cJSON	*k;

	FUZZ_CHECK((s = cJSON_PrintUnformatted(j)) != NULL);
	k = json_parse(s, strlen(s), (size_t)-1, 70, err, sizeof(err));
	FUZZ_CHECK(k != NULL);
	FUZZ_CHECK(strcmp(json_get_str(k, "jsonrpc"), "2.0") == 0);
	if (id != NULL)
		FUZZ_CHECK(same_printed(cJSON_GetObjectItemCaseSensitive(k,
		    "id"), id));
	else
		FUZZ_CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(k,
		    "id")));
	cJSON_Delete(k);
	cJSON_free(s);
}

/* A header holding v, plain or as "=?base64?…?=", matches v. */
static void
check_header_forms(const char *v)
{
	size_t	 n = strlen(v), b64;
	char	*h;

	if (strncmp(v, "=?base64?", 9) != 0)
		FUZZ_CHECK(mcp_header_matches(v, v));
	if (n > 1500)
		return;
	b64 = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	h = malloc(9 + b64 + 2);
	memcpy(h, "=?base64?", 9);
	sodium_bin2base64(h + 9, b64, (const unsigned char *)v, n,
	    sodium_base64_VARIANT_ORIGINAL);
	strcat(h, "?=");
	FUZZ_CHECK(mcp_header_matches(h, v));
	free(h);
}

static void
check_header(const char *h, const char *v)
{
	char	*d;
	int	 m = mcp_header_matches(h, v);

	if (h == NULL || v == NULL) {
		FUZZ_CHECK(!m);
		return;
	}
	d = mcp_header_decode(h);
	FUZZ_CHECK(d != NULL);
	/* equal once decoded, except a sentinel that does not decode */
	if (m)
		FUZZ_CHECK(strcmp(d, v) == 0);
	else
		FUZZ_CHECK(strcmp(d, v) != 0 ||
		    (d[0] == '\0' && strncmp(h, "=?base64?", 9) == 0));
	if (strncmp(h, "=?base64?", 9) != 0)
		FUZZ_CHECK(strcmp(d, h) == 0);
	free(d);
}

/* The arguments (or the message) as a tool's output, params as the tool. */
static void
check_tool_result(const cJSON *out, const cJSON *tool)
{
	cJSON		*res;
	const cJSON	*c, *it, *sc;
	const char	*text;
	char		 err[256], *s;
	int		 iserr;

	res = mcp_tool_result(out, tool, err, sizeof(err));
	FUZZ_CHECK(cJSON_IsObject(res));
	c = cJSON_GetObjectItemCaseSensitive(res, "content");
	FUZZ_CHECK(cJSON_IsArray(c));
	if (cJSON_IsObject(out) &&
	    cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(out, "content"))) {
		FUZZ_CHECK(same_printed(res, out));
		cJSON_Delete(res);
		return;
	}
	FUZZ_CHECK(cJSON_GetArraySize(c) == 1);
	it = cJSON_GetArrayItem(c, 0);
	FUZZ_CHECK(strcmp(json_get_str(it, "type"), "text") == 0);
	FUZZ_CHECK((text = json_get_str(it, "text")) != NULL);
	iserr = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "isError"));
	sc = cJSON_GetObjectItemCaseSensitive(res, "structuredContent");
	if (iserr) {
		FUZZ_CHECK(err[0] != '\0' && sc == NULL);
	} else {
		s = cJSON_PrintUnformatted(out);
		FUZZ_CHECK(strcmp(text, s != NULL ? s : "null") == 0);
		cJSON_free(s);
		FUZZ_CHECK(cJSON_IsObject(out) ? sc != NULL &&
		    same_printed(sc, out) : sc == NULL);
	}
	cJSON_Delete(res);
}

static const char *
name_param(const char *method)
{
	if (strcmp(method, "tools/call") == 0 ||
	    strcmp(method, "prompts/get") == 0)
		return "name";
	if (strcmp(method, "resources/read") == 0)
		return "uri";
	return NULL;
}

static void
message(const cJSON *msg, int modern, const char *hm, const char *hn)
{
	const cJSON	*id = cJSON_GetObjectItemCaseSensitive(msg, "id");
	const cJSON	*params, *args;
	const char	*why, *method, *np, *v;
	enum rpc_kind	 k;
	cJSON		*ans;

	k = rpc_classify(msg, &why);
	method = cJSON_IsObject(msg) ? json_get_str(msg, "method") : NULL;
	params = cJSON_IsObject(msg) ?
	    cJSON_GetObjectItemCaseSensitive(msg, "params") : NULL;
	switch (k) {
	case RPC_KIND_INVALID:
		FUZZ_CHECK(why != NULL && (strncmp(why, "Invalid Request", 15)
		    == 0 || strncmp(why, "Invalid params", 14) == 0));
		id = cJSON_IsString(id) || cJSON_IsNumber(id) ? id : NULL;
		ans = rpc_error(id, RPC_REQUEST, why, NULL);
		check_printed(ans, id);
		cJSON_Delete(ans);
		return;
	case RPC_KIND_RESPONSE:
		FUZZ_CHECK(why == NULL && method == NULL);
		FUZZ_CHECK(cJSON_GetObjectItemCaseSensitive(msg, "result") !=
		    NULL || cJSON_GetObjectItemCaseSensitive(msg, "error") !=
		    NULL);
		return;
	case RPC_KIND_NOTIFICATION:
		FUZZ_CHECK(why == NULL && method != NULL && id == NULL);
		return;
	case RPC_KIND_REQUEST:
		FUZZ_CHECK(why == NULL && method != NULL && id != NULL);
		FUZZ_CHECK(cJSON_IsString(id) || cJSON_IsNumber(id));
		FUZZ_CHECK(params == NULL || cJSON_IsObject(params) ||
		    cJSON_IsNull(params));
		break;
	default:
		abort();
	}

	/* 2026-07-28: the headers repeat the body (§4.7) */
	check_header(hm, method);
	check_header_forms(method);
	if ((np = name_param(method)) != NULL) {
		v = json_get_str(params, np);
		check_header(hn, v);
		if (v != NULL)
			check_header_forms(v);
	}
	if (modern && !mcp_header_matches(hm, method)) {
		ans = rpc_error(id, RPC_HEADER, "Mcp-Method header missing or different from the body's method", NULL);
		check_printed(ans, id);
		cJSON_Delete(ans);
	}

	if (strcmp(method, "initialize") == 0) {
		v = json_get_str(params, "protocolVersion");
		FUZZ_CHECK(mcp_version_known(mcp_negotiate(v)));
		FUZZ_CHECK(strcmp(mcp_negotiate(v), MCP_V_MODERN) != 0);
	}
	ans = rpc_result(id, params != NULL ? cJSON_Duplicate(params, 1) :
	    cJSON_CreateObject());
	check_printed(ans, id);
	cJSON_Delete(ans);
	args = cJSON_GetObjectItemCaseSensitive(params, "arguments");
	check_tool_result(args != NULL ? args : msg, params);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part	 part[4];
	char			*hv = NULL, *hm = NULL, *hn = NULL, *b, err[256];
	const char		*mv, *version;
	const cJSON		*m;
	cJSON			*body, *ans, *sup;
	size_t			 n;
	int			 modern, is_batch;

	n = fuzz_split(data, size, '\n', part, 4);
	if (n == 4) {
		hv = opt_header(&part[0]);
		hm = opt_header(&part[1]);
		hn = opt_header(&part[2]);
	} else {
		part[3].p = (const char *)data;
		part[3].len = size;
	}
	b = fuzz_exact(part[3].p, part[3].len);
	err[0] = '\0';
	if ((body = json_parse(b, part[3].len, BODY_MAX, 64, err,
	    sizeof(err))) == NULL) {
		FUZZ_CHECK(err[0] != '\0');
		goto out;
	}
	is_batch = cJSON_IsArray(body);
	mv = is_batch ? NULL : mcp_meta_version(body);
	if ((hv != NULL && !mcp_version_known(hv)) ||
	    (mv != NULL && !mcp_version_known(mv))) {
		sup = mcp_supported_versions();
		FUZZ_CHECK(cJSON_GetArraySize(sup) == 4);
		ans = rpc_error(NULL, RPC_VERSION, "Unsupported protocol version",
		    sup);
		check_printed(ans, NULL);
		cJSON_Delete(ans);
		goto out;
	}
	modern = (hv != NULL && strcmp(hv, MCP_V_MODERN) == 0) ||
	    (mv != NULL && strcmp(mv, MCP_V_MODERN) == 0);
	version = hv != NULL ? hv : MCP_V_DEFAULT;
	FUZZ_CHECK(mcp_version_known(version));
	if (is_batch) {
		cJSON_ArrayForEach(m, body)
			message(m, modern, hm, hn);
	} else
		message(body, modern, hm, hn);
out:
	cJSON_Delete(body);
	free(b);
	free(hv);
	free(hm);
	free(hn);
	return 0;
}
