/*
 * db_stmt.c: every SQL statement the programs run, in one table indexed
 * by enum stmt (kcaldav's sqls[], ksql's registry).  All are prepared at
 * connection time and checked against a fresh schema by the tests
 * (tests/db/test_stmt.c), so an SQL typo fails "make check", not a
 * request in production.
 *
 * Every name is qualified with the mcpgate schema: no statement depends
 * on the connection's search_path, which the site owner controls.
 * Secrets arrive only as their SHA-256 hashes ($n::bytea, sent binary).
 * A change that must be atomic is one statement (CTEs), one round trip.
 * "retry" marks statements that are safe to run again when the first try
 * met a dead connection (reads, and writes that cannot apply twice).
 */
#include "config.h"

#include "db.h"

const struct stmt_def db_stmts[STMT__MAX] = {
	[STMT_SCHEMA_VERSION] = { "schema_version",
	    "SELECT max(version) FROM mcpgate.schema_version",
	    0, 1 },

	/* A client by id: its redirect URIs as a JSON array. */
	[STMT_CLIENT_GET] = { "client_get",
	    "SELECT client_id, token_endpoint_auth_method, "
	    "array_to_json(redirect_uris)::text, client_name, scope, "
	    "disabled_at IS NOT NULL "
	    "FROM mcpgate.clients WHERE client_id = $1",
	    1, 1 },

	/*
	 * RFC 7591 registration: count the hit against the per-IP limit
	 * (DCR-08), and only when allowed insert the client and its audit
	 * entry.  $1 client_id, $2 secret hash or NULL, $3 method,
	 * $4 redirect_uris (JSON array), $5 name, $6 client_uri,
	 * $7 logo_uri, $8 scope, $9 grant_types (JSON), $10 application
	 * type, $11 metadata (JSON), $12 remote address, $13 limit.
	 * Returns the seconds to wait (0: registered) and issued_at.
	 */
	[STMT_CLIENT_REGISTER] = { "client_register",
	    "WITH rl AS (SELECT mcpgate.rate_limit_hit('register:ip:' || "
	    "coalesce($12, 'unknown'), interval '1 hour', $13::int) AS wait), "
	    "ins AS (INSERT INTO mcpgate.clients (client_id, secret_hash, "
	    "token_endpoint_auth_method, redirect_uris, client_name, "
	    "client_uri, logo_uri, scope, grant_types, application_type, "
	    "metadata, registration, registered_from) "
	    "SELECT $1, $2::bytea, $3, ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), "
	    "$5, $6, $7, $8, ARRAY(SELECT jsonb_array_elements_text($9::jsonb)), "
	    "$10, $11::jsonb, 'dynamic', $12::inet FROM rl WHERE rl.wait = 0 "
	    "RETURNING client_id, created_at), "
	    "aud AS (INSERT INTO mcpgate.audit_log (event, client_id, "
	    "remote_addr, detail) SELECT 'register', client_id, $12::inet, "
	    "jsonb_build_object('method', $3::text, 'client_name', $5::text) "
	    "FROM ins) "
	    "SELECT (SELECT wait FROM rl), "
	    "(SELECT extract(epoch FROM created_at)::bigint FROM ins)",
	    13, 0 },

	/*
	 * A live login session ($1 hash), touched; $2 the idle lifetime in
	 * seconds.  A session of a disabled user no longer counts as
	 * logged in.
	 */
	[STMT_SESSION_GET] = { "session_get",
	    "UPDATE mcpgate.login_sessions s SET last_seen_at = now() "
	    "WHERE s.session_hash = $1::bytea AND s.expires_at > now() "
	    "AND s.last_seen_at > now() - make_interval(secs => $2::int) "
	    "RETURNING s.csrf_hash, "
	    "(SELECT u.user_id FROM mcpgate.users u WHERE u.user_id = s.user_id "
	    "AND u.disabled_at IS NULL), "
	    "(SELECT coalesce(u.display_name, u.username) FROM mcpgate.users u "
	    "WHERE u.user_id = s.user_id AND u.disabled_at IS NULL)",
	    2, 0 },

	/* A pre-login session: $1 hash, $2 CSRF hash, $3 lifetime, $4 address, $5 agent. */
	[STMT_SESSION_CREATE] = { "session_create",
	    "INSERT INTO mcpgate.login_sessions (session_hash, csrf_hash, "
	    "expires_at, remote_addr, user_agent) VALUES ($1::bytea, $2::bytea, "
	    "now() + make_interval(secs => $3::int), $4::inet, $5)",
	    5, 0 },

	/*
	 * Count a login attempt against the user's and the address's limits
	 * (S-18): $1 user bucket, $2 address bucket, $3 window seconds,
	 * $4 user limit, $5 address limit.  Returns the longer wait.
	 */
	[STMT_LOGIN_LIMIT] = { "login_limit",
	    "SELECT greatest(mcpgate.rate_limit_hit($1, make_interval(secs => $3::int), $4::int), "
	    "mcpgate.rate_limit_hit($2, make_interval(secs => $3::int), $5::int))",
	    5, 0 },

	/* An enabled user by name, case-insensitively. */
	[STMT_USER_GET] = { "user_get",
	    "SELECT user_id, password_hash, coalesce(display_name, username) FROM mcpgate.users "
	    "WHERE lower(username) = lower($1) AND disabled_at IS NULL",
	    1, 1 },

	/*
	 * A successful login: the pre-login session ($1, may be NULL) is
	 * replaced by a new one ($2) bound to the user ($3), so that a
	 * session id planted before login is worthless after it (session
	 * fixation); $4 CSRF hash, $5 lifetime, $6 address, $7 agent,
	 * $8 client_id for the audit entry.
	 */
	[STMT_LOGIN_OK] = { "login_ok",
	    "WITH del AS (DELETE FROM mcpgate.login_sessions WHERE session_hash = $1::bytea), "
	    "ins AS (INSERT INTO mcpgate.login_sessions (session_hash, user_id, "
	    "csrf_hash, expires_at, remote_addr, user_agent) VALUES ($2::bytea, "
	    "$3::bigint, $4::bytea, now() + make_interval(secs => $5::int), $6::inet, $7)) "
	    "INSERT INTO mcpgate.audit_log (event, user_id, client_id, remote_addr) "
	    "VALUES ('login_ok', $3::bigint, $8, $6::inet)",
	    8, 0 },

	/* An audit entry: $1 event, $2 user, $3 client, $4 address, $5 detail. */
	[STMT_AUDIT] = { "audit",
	    "INSERT INTO mcpgate.audit_log (event, user_id, client_id, "
	    "remote_addr, detail) VALUES ($1, $2::bigint, $3, $4::inet, "
	    "coalesce($5::jsonb, '{}'))",
	    5, 0 },

	/*
	 * Remembered consent: if the user ($1) granted this client ($2),
	 * registered redirect URI ($3) and resource ($4) at least the scope
	 * $5, issue the code at once.  $6 code hash, $7 challenge,
	 * $8 redirect URI as requested, $9 code lifetime.  A row back means
	 * a code was issued.
	 */
	[STMT_CODE_IF_CONSENTED] = { "code_if_consented",
	    "WITH c AS (UPDATE mcpgate.consents SET last_used_at = now() "
	    "WHERE user_id = $1::bigint AND client_id = $2 AND redirect_uri = $3 "
	    "AND resource = $4 AND revoked_at IS NULL "
	    "AND string_to_array($5, ' ') <@ string_to_array(scope, ' ') RETURNING 1), "
	    "cl AS (UPDATE mcpgate.clients SET last_used_at = now() "
	    "WHERE client_id = $2 AND EXISTS (SELECT 1 FROM c)) "
	    "INSERT INTO mcpgate.authorization_codes (code_hash, client_id, "
	    "user_id, redirect_uri, code_challenge, scope, resource, expires_at) "
	    "SELECT $6::bytea, $2, $1::bigint, $8, $7, $5, $4, "
	    "now() + make_interval(secs => $9::int) FROM c RETURNING 1",
	    9, 0 },

	/*
	 * The user approved: remember the consent (the union with what was
	 * granted before), issue the code, audit.  Parameters as above;
	 * $10 the remote address.
	 */
	[STMT_CONSENT_GRANT] = { "consent_grant",
	    "WITH c AS (INSERT INTO mcpgate.consents (user_id, client_id, "
	    "redirect_uri, resource, scope, last_used_at) VALUES ($1::bigint, $2, $3, $4, $5, now()) "
	    "ON CONFLICT (user_id, client_id, redirect_uri, resource) WHERE revoked_at IS NULL "
	    "DO UPDATE SET last_used_at = now(), scope = array_to_string(ARRAY("
	    "SELECT DISTINCT unnest(string_to_array(mcpgate.consents.scope, ' ') || "
	    "string_to_array(EXCLUDED.scope, ' ')) ORDER BY 1), ' ') RETURNING 1), "
	    "cl AS (UPDATE mcpgate.clients SET last_used_at = now() WHERE client_id = $2), "
	    "a AS (INSERT INTO mcpgate.audit_log (event, user_id, client_id, remote_addr, detail) "
	    "VALUES ('consent', $1::bigint, $2, $10::inet, jsonb_build_object("
	    "'scope', $5::text, 'redirect_uri', $3::text, 'resource', $4::text))) "
	    "INSERT INTO mcpgate.authorization_codes (code_hash, client_id, "
	    "user_id, redirect_uri, code_challenge, scope, resource, expires_at) "
	    "SELECT $6::bytea, $2, $1::bigint, $8, $7, $5, $4, "
	    "now() + make_interval(secs => $9::int) FROM c RETURNING 1",
	    10, 0 },

	/* A live set-password link ($1 token hash): the user's name. */
	[STMT_PASSWORD_LINK] = { "password_link",
	    "SELECT user_id, username FROM mcpgate.users "
	    "WHERE set_password_hash = $1::bytea AND set_password_expires_at > now() "
	    "AND disabled_at IS NULL",
	    1, 1 },

	/*
	 * Use a set-password link once: $1 token hash, $2 argon2id hash,
	 * $3 address.  The link is cleared, the user's sessions end, and
	 * the change is audited.  A row back means it worked.
	 */
	[STMT_PASSWORD_SET] = { "password_set",
	    "WITH u AS (UPDATE mcpgate.users SET password_hash = $2, "
	    "set_password_hash = NULL, set_password_expires_at = NULL "
	    "WHERE set_password_hash = $1::bytea AND set_password_expires_at > now() "
	    "AND disabled_at IS NULL RETURNING user_id), "
	    "s AS (DELETE FROM mcpgate.login_sessions WHERE user_id IN (SELECT user_id FROM u)), "
	    "a AS (INSERT INTO mcpgate.audit_log (event, user_id, remote_addr) "
	    "SELECT 'password_set', user_id, $3::inet FROM u) "
	    "SELECT user_id FROM u",
	    3, 0 },

	/*
	 * trust_remote_user: the front end authenticated $1; make sure a
	 * user row exists (without a password) and return it, unless that
	 * user is disabled.
	 */
	[STMT_REMOTE_USER] = { "remote_user",
	    "WITH i AS (INSERT INTO mcpgate.users (username) VALUES ($1) "
	    "ON CONFLICT ((lower(username))) DO NOTHING RETURNING user_id) "
	    "SELECT user_id FROM i UNION ALL "
	    "SELECT user_id FROM mcpgate.users WHERE lower(username) = lower($1) "
	    "AND disabled_at IS NULL LIMIT 1",
	    1, 0 },

	/*
	 * Client authentication at the token endpoint: the client (if any,
	 * hence the outer join) and how many failed authentications the
	 * address $2 has in its current windows (TK-05).
	 */
	[STMT_CLIENT_AUTH] = { "client_auth",
	    "SELECT c.client_id, c.token_endpoint_auth_method, "
	    "encode(c.secret_hash, 'hex'), c.disabled_at IS NOT NULL, "
	    "'refresh_token' = ANY (c.grant_types), "
	    "(SELECT coalesce(sum(hits), 0) FROM mcpgate.rate_limits "
	    "WHERE bucket = $2 AND window_end > now()) "
	    "FROM (SELECT 1) one LEFT JOIN mcpgate.clients c ON c.client_id = $1",
	    2, 1 },

	/* A failed client authentication: counted ($1 bucket, $2 limit) and audited. */
	[STMT_CLIENT_AUTH_FAILED] = { "client_auth_failed",
	    "WITH a AS (INSERT INTO mcpgate.audit_log (event, client_id, remote_addr, detail) "
	    "SELECT 'client_auth_failed', client_id, $4::inet, "
	    "jsonb_build_object('method', $5::text) FROM mcpgate.clients WHERE client_id = $3) "
	    "SELECT mcpgate.rate_limit_hit($1, interval '15 minutes', $2::int)",
	    5, 0 },

	/* The authorization_code grant (sql/schema.sql: code_redeem). */
	[STMT_CODE_REDEEM] = { "code_redeem",
	    "SELECT outcome, granted_scope FROM mcpgate.code_redeem($1::bytea, $2, $3, $4, $5, "
	    "$6::bytea, $7::bytea, $8::int, $9::int, $10::int, $11::int, $12::inet)",
	    12, 0 },

	/* The refresh_token grant (sql/schema.sql: token_refresh). */
	[STMT_TOKEN_REFRESH] = { "token_refresh",
	    "SELECT outcome, granted_scope, encode(box, 'hex') FROM mcpgate.token_refresh("
	    "$1::bytea, $2, $3, $4, $5::bytea, $6::bytea, $7::bytea, $8::int, $9::int, "
	    "$10::int, $11::int, $12::inet)",
	    12, 0 },

	/* RFC 7009 revocation (sql/schema.sql: token_revoke). */
	[STMT_TOKEN_REVOKE] = { "token_revoke",
	    "SELECT mcpgate.token_revoke($1::bytea, $2, $3::inet)",
	    3, 0 },

	/*
	 * The MCP endpoint.  A bearer token is valid (TV-01..TV-03) when it
	 * is an access token, unexpired, unrevoked and its audience ($2) this
	 * MCP URL; revoking a family revokes its tokens (a trigger), so no
	 * join is needed.  No row back: 401.  The seconds left until it
	 * expires, by the database's clock and rounded down, bound how long
	 * it may be cached (authcache.c): the web host's clock never enters.
	 */
	[STMT_MCP_AUTH] = { "mcp_auth",
	    "SELECT t.user_id, t.client_id, t.scope, "
	    "(SELECT gen FROM mcpgate.tools_generation), "
	    "floor(extract(epoch FROM t.expires_at - now()))::bigint "
	    "FROM mcpgate.tokens t "
	    "WHERE t.token_hash = $1::bytea AND t.kind = 'access' "
	    "AND t.revoked_at IS NULL AND t.expires_at > now() AND t.resource = $2",
	    2, 1 },

	/*
	 * Every enabled tool, in order, as a JSON array, with the generation
	 * it belongs to (one snapshot): what the programs cache.
	 */
	[STMT_MCP_TOOLS] = { "mcp_tools",
	    "SELECT (SELECT gen FROM mcpgate.tools_generation), "
	    "(SELECT coalesce(json_agg("
	    "json_build_object('name', x.name, 'title', x.title, 'description', "
	    "x.description, 'inputSchema', x.input_schema, 'outputSchema', "
	    "x.output_schema, 'annotations', x.annotations, 'requiredScope', "
	    "x.required_scope) ORDER BY x.position, x.name), '[]')::text "
	    "FROM mcpgate.tools x WHERE x.enabled)",
	    0, 1 },

	/* Run a tool: $1 name, $2 arguments, $3 context (sql/schema.sql). */
	[STMT_MCP_CALL] = { "mcp_call",
	    "SELECT mcpgate.call_tool($1, $2::jsonb, $3::jsonb)::text",
	    3, 0 },

	/*
	 * A page of the resources user $1 may see (documents and resources
	 * rows), by URI after $2.
	 */
	[STMT_MCP_RESOURCES] = { "mcp_resources",
	    "SELECT uri, name, title, mime_type, size, description FROM ("
	    "SELECT 'mcpgate://doc/' || doc_id AS uri, title AS name, title, "
	    "'text/plain' AS mime_type, octet_length(body) AS size, NULL AS description "
	    "FROM mcpgate.documents WHERE owner_id IS NULL OR owner_id = $1::bigint "
	    "UNION ALL SELECT uri, name, title, mime_type, "
	    "coalesce(octet_length(text), octet_length(blob)), description "
	    "FROM mcpgate.resources WHERE owner_id IS NULL OR owner_id = $1::bigint) r "
	    "WHERE uri > $2 ORDER BY uri LIMIT $3::int",
	    3, 1 },

	/* resources/read: $1 URI, $2 context (sql/schema.sql: read_resource). */
	[STMT_MCP_RESOURCE_READ] = { "mcp_resource_read",
	    "SELECT mcpgate.read_resource($1, $2::jsonb)::text",
	    2, 0 },

	/* The resource templates besides the documents'. */
	[STMT_MCP_TEMPLATES] = { "mcp_templates",
	    "SELECT uri_template, name, title, description, mime_type "
	    "FROM mcpgate.resource_templates ORDER BY position, uri_template",
	    0, 1 },

	/* A page of the enabled prompts after name $1. */
	[STMT_MCP_PROMPTS] = { "mcp_prompts",
	    "SELECT name, title, description, arguments::text FROM mcpgate.prompts "
	    "WHERE enabled AND name > $1 ORDER BY name LIMIT $2::int",
	    2, 1 },

	/* One enabled prompt. */
	[STMT_MCP_PROMPT_GET] = { "mcp_prompt_get",
	    "SELECT name, description, arguments::text, messages::text "
	    "FROM mcpgate.prompts WHERE enabled AND name = $1",
	    1, 1 },

	/*
	 * The connector doctor: PostgreSQL's clock, in seconds since the
	 * epoch with microseconds, to compare with the programs' (token and
	 * code expiry are judged by now() in SQL, cookies and the Date
	 * header by the web server's clock).  clock_timestamp(), not now():
	 * the time of this statement, not of its transaction.
	 */
	[STMT_DOCTOR_CLOCK] = { "doctor_clock",
	    "SELECT extract(epoch FROM clock_timestamp())::text",
	    0, 1 },
};
