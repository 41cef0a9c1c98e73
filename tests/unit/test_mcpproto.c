/*
 * test_mcpproto.c: JSON-RPC framing, version negotiation, tool-result
 * mapping and 2026-07-28 header decoding (src/lib/mcpproto.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mcpproto.h"
#include "tap.h"

static cJSON *
J(const char *s)
{
	char	err[128];
	cJSON	*j = json_parse(s, strlen(s), 1 << 20, 32, err, sizeof(err));

	if (j == NULL) {
		note("bad test JSON %s: %s", s, err);
		abort();
	}
	return j;
}

static char *
P(const cJSON *j)
{
	return cJSON_PrintUnformatted(j);
}

int
main(void)
{
	static const struct {
		const char	*want, *got;
	} neg[] = {
		{ "2025-03-26", "2025-03-26" },
		{ "2025-06-18", "2025-06-18" },
		{ "2025-11-25", "2025-11-25" },
		{ "2024-11-05", "2025-11-25" },	/* L-02: our latest */
		{ "2026-07-28", "2025-11-25" },	/* no initialize in 2026 */
		{ "bogus", "2025-11-25" },
		{ NULL, "2025-11-25" },
	};
	static const struct {
		const char	*msg;
		enum rpc_kind	 kind;
	} cls[] = {
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", RPC_KIND_REQUEST },
		{ "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"ping\",\"params\":{}}", RPC_KIND_REQUEST },
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", RPC_KIND_NOTIFICATION },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", RPC_KIND_RESPONSE },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":1,\"message\":\"x\"}}", RPC_KIND_RESPONSE },
		{ "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", RPC_KIND_INVALID },
		{ "{\"id\":1,\"method\":\"ping\"}", RPC_KIND_INVALID },
		{ "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", RPC_KIND_INVALID },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", RPC_KIND_INVALID },
		{ "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}", RPC_KIND_INVALID },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", RPC_KIND_INVALID },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":[1]}", RPC_KIND_INVALID },
		{ "[1]", RPC_KIND_INVALID },
		{ "{\"jsonrpc\":\"2.0\",\"id\":-9007199254740993,\"method\":\"ping\"}", RPC_KIND_REQUEST },
		/*
		 * ids past long long's range: converting them was undefined
		 * behaviour (tests/fuzz/regressions/fuzz_jsonrpc/id-*)
		 */
		{ "{\"jsonrpc\":\"2.0\",\"id\":1e400,\"method\":\"ping\"}", RPC_KIND_INVALID },
		{ "{\"jsonrpc\":\"2.0\",\"id\":-1e400,\"method\":\"ping\"}", RPC_KIND_INVALID },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1e19,\"method\":\"ping\"}", RPC_KIND_INVALID },
		{ "{\"jsonrpc\":\"2.0\",\"id\":55555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555551,\"method\":\"tools/ca1l\"}", RPC_KIND_INVALID },
		{ "{\"jsonrpc\":\"2.0\",\"id\":-9223372036854775808,\"method\":\"ping\"}", RPC_KIND_REQUEST },
	};
	static const struct {
		const char	*out, *tool, *want;
	} map[] = {
		/* OA-02: an object → one text item and structuredContent */
		{ "{\"results\":[]}", "{\"name\":\"search\"}",
		  "{\"content\":[{\"type\":\"text\",\"text\":\"{\\\"results\\\":[]}\"}],\"structuredContent\":{\"results\":[]}}" },
		/* content given → as it is */
		{ "{\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],\"isError\":true}", "{\"name\":\"t\"}",
		  "{\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],\"isError\":true}" },
		/* not an object → text only (structuredContent must be an object) */
		{ "[1,2]", "{\"name\":\"t\"}",
		  "{\"content\":[{\"type\":\"text\",\"text\":\"[1,2]\"}]}" },
		{ "null", "{\"name\":\"t\"}",
		  "{\"content\":[{\"type\":\"text\",\"text\":\"null\"}]}" },
		/* F-09: conforming to outputSchema */
		{ "{\"n\":1}", "{\"name\":\"t\",\"outputSchema\":{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}}",
		  "{\"content\":[{\"type\":\"text\",\"text\":\"{\\\"n\\\":1}\"}],\"structuredContent\":{\"n\":1}}" },
	};
	cJSON		*m, *r, *t;
	char		*s, *d, err[256];
	const char	*why;
	size_t		 i;

	json_init();
	for (i = 0; i < sizeof(neg) / sizeof(neg[0]); i++)
		is_str(mcp_negotiate(neg[i].want), neg[i].got, "L-02 negotiate %s",
		    neg[i].want ? neg[i].want : "(none)");
	ok(mcp_version_known("2026-07-28") && mcp_version_known("2025-03-26") &&
	    !mcp_version_known("2024-11-05") && !mcp_version_known(""),
	    "T-11: the versions we serve");
	r = mcp_supported_versions();
	s = P(r);
	is_str(s, "[\"2026-07-28\",\"2025-11-25\",\"2025-06-18\",\"2025-03-26\"]",
	    "-32022 data.supported, newest first");
	cJSON_free(s);
	cJSON_Delete(r);

	for (i = 0; i < sizeof(cls) / sizeof(cls[0]); i++) {
		m = J(cls[i].msg);
		is_int(rpc_classify(m, &why), cls[i].kind, "L-05 classify %s", cls[i].msg);
		if (cls[i].kind == RPC_KIND_INVALID)
			ok(why != NULL, "  with a reason");
		cJSON_Delete(m);
	}
	m = J("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}}}");
	is_str(mcp_meta_version(m), "2026-07-28", "§4.7: the version in params._meta");
	cJSON_Delete(m);
	m = J("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"_meta\":{}}}");
	ok(mcp_meta_version(m) == NULL, "  absent");
	cJSON_Delete(m);

	m = J("\"abc\"");
	r = rpc_error(m, -32602, "bad", NULL);
	s = P(r);
	is_str(s, "{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"error\":{\"code\":-32602,\"message\":\"bad\"}}", "rpc_error echoes the id");
	cJSON_free(s);
	cJSON_Delete(r);
	r = rpc_error(NULL, -32700, "Parse error", NULL);
	s = P(r);
	is_str(s, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}", "§4.6: parse errors carry id null");
	cJSON_free(s);
	cJSON_Delete(r);
	r = rpc_result(m, cJSON_CreateObject());
	s = P(r);
	is_str(s, "{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"result\":{}}", "rpc_result");
	cJSON_free(s);
	cJSON_Delete(r);
	cJSON_Delete(m);

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		m = J(map[i].out);
		t = J(map[i].tool);
		r = mcp_tool_result(m, t, err, sizeof(err));
		s = P(r);
		is_str(s, map[i].want, "F-08 result mapping %zu", i);
		cJSON_free(s);
		cJSON_Delete(r);
		cJSON_Delete(m);
		cJSON_Delete(t);
	}
	m = J("{\"n\":\"one\"}");
	t = J("{\"name\":\"t\",\"outputSchema\":{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}}");
	r = mcp_tool_result(m, t, err, sizeof(err));
	ok(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "isError")) && err[0] != '\0',
	    "F-09: a result the outputSchema refuses → isError, reason for the log");
	cJSON_Delete(r);
	cJSON_Delete(m);
	cJSON_Delete(t);
	r = mcp_tool_error("no such document");
	s = P(r);
	is_str(s, "{\"content\":[{\"type\":\"text\",\"text\":\"no such document\"}],\"isError\":true}", "F-10: isError result");
	cJSON_free(s);
	cJSON_Delete(r);

	d = mcp_header_decode("tools/call");
	is_str(d, "tools/call", "a plain header value");
	free(d);
	d = mcp_header_decode("=?base64?c2VhcmNo?=");
	is_str(d, "search", "§4.7: the base64 sentinel is decoded");
	free(d);
	d = mcp_header_decode("=?base64?!!!?=");
	is_str(d, "", "  a broken sentinel never matches");
	free(d);
	d = mcp_header_decode("=?base64?YQBi?=");
	is_str(d, "", "  nor one hiding a NUL");
	free(d);
	ok(mcp_header_decode(NULL) == NULL, "an absent header stays absent");
	ok(mcp_header_matches("tools/call", "tools/call"), "a header repeating the body matches");
	ok(mcp_header_matches("=?base64?c2VhcmNo?=", "search"), "  also in the base64 sentinel");
	ok(!mcp_header_matches("tools/list", "tools/call"), "a different header does not");
	ok(!mcp_header_matches(NULL, "search") && !mcp_header_matches("search", NULL),
	    "  nor an absent header, nor a body without the value");
	ok(!mcp_header_matches("=?base64?!!!?=", ""), "  nor a broken sentinel, even against \"\"");
	return done_testing();
}
