/*
 * mcpproto.h: the pure parts of the MCP protocol (JSON-RPC 2.0 framing,
 * protocol versions, tool-result mapping), kept apart from the endpoint
 * so that they can be tested on their own (tests/unit/test_mcpproto.c).
 */
#ifndef MCPPROTO_H
#define MCPPROTO_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define MCP_V_MODERN	"2026-07-28"
#define MCP_V_LATEST	"2025-11-25"	/* the latest 2025-era revision */
#define MCP_V_DEFAULT	"2025-03-26"	/* no header (SPEC T-11) */
#define MCP_META_VERSION "io.modelcontextprotocol/protocolVersion"

/* JSON-RPC error codes (SPEC §4.6). */
#define RPC_PARSE	-32700
#define RPC_REQUEST	-32600
#define RPC_METHOD	-32601
#define RPC_PARAMS	-32602
#define RPC_INTERNAL	-32603
#define RPC_NOTFOUND	-32002
#define RPC_HEADER	-32020
#define RPC_VERSION	-32022

enum rpc_kind {
	RPC_KIND_REQUEST,	/* method and id */
	RPC_KIND_NOTIFICATION,	/* method, no id */
	RPC_KIND_RESPONSE,	/* result or error from the client */
	RPC_KIND_INVALID
};

int		 mcp_version_known(const char *);
const char	*mcp_negotiate(const char *);
cJSON		*mcp_supported_versions(void);
const char	*mcp_meta_version(const cJSON *);
enum rpc_kind	 rpc_classify(const cJSON *, const char **);
cJSON		*rpc_error(const cJSON *, int, const char *, cJSON *);
cJSON		*rpc_result(const cJSON *, cJSON *);
cJSON		*mcp_tool_error(const char *);
cJSON		*mcp_tool_result(const cJSON *, const cJSON *, char *, size_t);
char		*mcp_header_decode(const char *);
int		 mcp_header_matches(const char *, const char *);

#endif
