/*
 * test_request.c: what request.c makes of the variables and bodies front
 * ends actually send (../shared/deploy/README.md, requirements 1-3): body
 * reads exact, to EOF without a length, over the limit, truncated; the
 * Authorization fallback; routing on REQUEST_URI; Content-Type matching.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "tap.h"

/* A request environment as libfcgi hands it over (mutable strings). */
static char **
mkenv(const char *const *src)
{
	static char	**env;
	size_t		  n = 0, i;

	if (env != NULL) {
		for (i = 0; env[i] != NULL; i++)
			free(env[i]);
		free(env);
	}
	while (src[n] != NULL)
		n++;
	env = calloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++)
		env[i] = strdup(src[i]);
	return env;
}

/*
 * Make stdin read body (as in CGI mode).  freopen, not dup2 + rewind:
 * glibc's stdin keeps stale state across a dup2 (seen here).
 */
static void
set_stdin(const char *body, size_t len)
{
	char	 path[] = "/tmp/mcpgate-test-body.XXXXXX";
	int	 fd;

	if ((fd = mkstemp(path)) == -1 ||
	    write(fd, body, len) != (ssize_t)len || close(fd) == -1 ||
	    freopen(path, "r", stdin) == NULL)
		abort();
	unlink(path);
}

static int
read_body(const char *const *env, const char *body, size_t len, size_t max,
    size_t *got)
{
	struct req	r;
	int		rc;

	set_stdin(body, len);
	req_init(&r, mkenv(env), NULL, NULL);
	rc = req_read_body(&r, max);
	*got = r.bodysz;
	req_free(&r);
	return rc;
}

int
main(void)
{
	static const char *const e_exact[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=5", NULL };
	static const char *const e_short[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=10", NULL };
	static const char *const e_none[] = { "REQUEST_METHOD=POST", "HTTP_TRANSFER_ENCODING=chunked", NULL };
	static const char *const e_big[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=1048577", NULL };
	static const char *const e_bad[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=12abc", NULL };
	static const char *const e_neg[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=-1", NULL };
	static const char *const e_zero[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=0", NULL };
	static const char *const e_route[] = {
		"REQUEST_METHOD=GET",
		"REQUEST_URI=/.well-known/oauth-protected-resource/mcp?x=1",
		"SCRIPT_NAME=/_mcpgate/well-known",
		"PATH_INFO=/ignored",
		"QUERY_STRING=x=1",
		"REDIRECT_HTTP_AUTHORIZATION=Bearer abc",
		"CONTENT_TYPE=Application/JSON ; charset=utf-8",
		NULL
	};
	static const char *const e_auth[] = { "REQUEST_METHOD=DELETE", "HTTP_AUTHORIZATION=Bearer one",
		"REDIRECT_HTTP_AUTHORIZATION=Bearer two", "CONTENT_TYPE=application/jsonx", NULL };
	static const char *const e_empty_auth[] = { "REQUEST_METHOD=BREW", "HTTP_AUTHORIZATION=",
		"REDIRECT_HTTP_AUTHORIZATION=Bearer two", "PATH_INFO=/p", NULL };
	size_t		 got;
	struct req	 r;

	is_int(read_body(e_exact, "hello", 5, 64, &got), 0, "exact CONTENT_LENGTH");
	is_int((long long)got, 5, "  5 bytes read");
	is_int(read_body(e_exact, "hello world", 11, 64, &got), 0,
	    "reads exactly CONTENT_LENGTH, not what follows");
	is_int((long long)got, 5, "  still 5 bytes");
	is_int(read_body(e_short, "hello", 5, 64, &got), 400,
	    "a body shorter than CONTENT_LENGTH is 400 (truncated by the front end)");
	is_int(read_body(e_none, "chunked!", 8, 64, &got), 0,
	    "no CONTENT_LENGTH (chunked under mod_cgid): read to EOF");
	is_int((long long)got, 8, "  8 bytes read");
	is_int(read_body(e_none, "0123456789", 10, 9, &got), 413,
	    "no CONTENT_LENGTH and more than the limit: 413");
	is_int(read_body(e_none, "012345678", 9, 9, &got), 0,
	    "no CONTENT_LENGTH, exactly the limit: accepted");
	is_int(read_body(e_big, "x", 1, 1048576, &got), 413,
	    "CONTENT_LENGTH over the limit: 413 before reading");
	is_int(read_body(e_bad, "x", 1, 64, &got), 400, "malformed CONTENT_LENGTH: 400");
	is_int(read_body(e_neg, "x", 1, 64, &got), 400, "negative CONTENT_LENGTH: 400");
	is_int(read_body(e_zero, "", 0, 64, &got), 0, "CONTENT_LENGTH 0 reads nothing");
	is_int((long long)got, 0, "  0 bytes");

	req_init(&r, mkenv(e_route), NULL, NULL);
	is_int(r.method, HTTP_GET, "method GET");
	is_str(r.path, "/.well-known/oauth-protected-resource/mcp",
	    "path from REQUEST_URI without the query, not SCRIPT_NAME");
	is_str(r.query, "x=1", "query string");
	is_str(r.authorization, "Bearer abc",
	    "Authorization falls back to REDIRECT_HTTP_AUTHORIZATION (DEP-01)");
	ok(req_content_type_is(&r, "application/json"),
	    "Content-Type compared case-insensitively, parameters ignored");
	ok(!req_content_type_is(&r, "application/x-www-form-urlencoded"),
	    "another Content-Type does not match");
	req_free(&r);

	req_init(&r, mkenv(e_auth), NULL, NULL);
	is_int(r.method, HTTP_DELETE, "method DELETE");
	is_str(r.authorization, "Bearer one", "HTTP_AUTHORIZATION wins when present");
	ok(!req_content_type_is(&r, "application/json"),
	    "application/jsonx is not application/json");
	is_str(r.path, "", "no REQUEST_URI nor PATH_INFO: empty path");
	req_free(&r);

	req_init(&r, mkenv(e_empty_auth), NULL, NULL);
	is_int(r.method, HTTP_OTHER, "unknown method");
	is_str(r.authorization, "Bearer two", "an empty HTTP_AUTHORIZATION counts as absent");
	is_str(r.path, "/p", "PATH_INFO when REQUEST_URI is absent");
	req_free(&r);

	/*
	 * req_var() finds what libfcgi's FCGX_GetParam() would (request.c
	 * looks them up in one pass): the first of a duplicated name, not a
	 * longer or shorter name sharing a prefix, an empty value, nothing for
	 * an entry without "=".
	 */
	{
		static const char *const e_vars[] = {
			"HTTP_MCP_NAMEX=longer",
			"HTTP_MCP_NAM=shorter",
			"HTTP_MCP_NAME",
			"HTTP_MCP_NAME=first",
			"HTTP_MCP_NAME=second",
			"http_cookie=lower case",
			"HTTP_COOKIE=",
			"REMOTE_ADDR=127.0.0.1",
			"MCPGATE_CONFIG=/etc/a=b.conf",
			"HTTP_MCP_PROTOCOL_VERSION=2025-06-18",
			"REQUEST_URI=/mcp",
			"=no name",
			NULL
		};
		static const char *const names[RV__MAX] = {
			"REQUEST_METHOD", "REQUEST_URI", "PATH_INFO",
			"QUERY_STRING", "HTTP_AUTHORIZATION",
			"REDIRECT_HTTP_AUTHORIZATION", "HTTP_ORIGIN",
			"REMOTE_ADDR", "REMOTE_USER", "CONTENT_LENGTH",
			"CONTENT_TYPE", "HTTP_COOKIE", "HTTP_USER_AGENT",
			"HTTP_MCP_METHOD", "HTTP_MCP_NAME",
			"HTTP_MCP_PROTOCOL_VERSION", "MCPGATE_CONFIG",
		};
		size_t		 i, same = 0;
		const char	*a, *b;

		req_init(&r, mkenv(e_vars), NULL, NULL);
		is_str(req_var(&r, RV_HTTP_MCP_NAME), "first",
		    "the first of a repeated name, not a longer or shorter one");
		is_str(req_var(&r, RV_HTTP_COOKIE), "", "an empty value is a value");
		is_str(req_var(&r, RV_MCPGATE_CONFIG), "/etc/a=b.conf",
		    "the value is everything after the first =");
		ok(req_var(&r, RV_HTTP_USER_AGENT) == NULL, "an absent name is NULL");
		for (i = 0; i < RV__MAX; i++) {
			a = req_var(&r, (enum req_var)i);
			b = FCGX_GetParam(names[i], r.env);
			same += a == b;
		}
		is_int((long long)same, RV__MAX,
		    "every req_var() is what FCGX_GetParam() returns, pointer for pointer");
		is_str(req_env(&r, "http_cookie"), "lower case",
		    "req_env() reads any other name");
		req_free(&r);
	}
	mkenv((const char *const[]){ NULL });

	/* the Authorization schemes (tests/fuzz/fuzz_authorization.c) */
	is_str(req_auth_bearer("Bearer abc"), "abc", "Bearer token");
	is_str(req_auth_bearer("bEARER   abc "), "abc ",
	    "scheme case-insensitive, blanks before the token skipped");
	is_str(req_auth_bearer("Bearer "), "", "an empty token is the caller's to refuse");
	ok(req_auth_bearer("Bearerabc") == NULL, "no space after the scheme: not Bearer");
	ok(req_auth_bearer("Basic abc") == NULL, "another scheme: not Bearer");
	ok(req_auth_bearer(NULL) == NULL, "no header: not Bearer");
	{
		static const struct {
			const char	*h, *id, *secret;
			int		 rc;
		} basic[] = {
			/* "client%3A1:s%2Bcr%3Dt%C3%A9" (RFC 6749 §2.3.1) */
			{ "Basic Y2xpZW50JTNBMTpzJTJCY3IlM0R0JUMzJUE5", "client:1", "s+cr=t\xc3\xa9", 1 },
			{ "basic   YTpi", "a", "b", 1 },
			{ "Basic Og==", "", "", 1 },
			{ "Basic YTpiOmM=", "a", "b:c", 1 },	/* the first colon splits */
			{ "Basic YWI=", NULL, NULL, -1 },	/* no colon */
			{ "Basic !!!!", NULL, NULL, -1 },	/* not base64 */
			{ "Basic YTpi ", NULL, NULL, -1 },	/* trailing blank */
			{ "Basic JXp6OmI=", NULL, NULL, -1 },	/* "%zz:b" */
			{ "Basic YTolMDA=", NULL, NULL, -1 },	/* "a:%00" */
			{ "Basic YTrD", NULL, NULL, -1 },	/* "a:\xc3": not UTF-8 */
			{ "Bearer YTpi", NULL, NULL, 0 },
			{ "BasicYTpi", NULL, NULL, 0 },
		};
		char	*id, *secret;
		size_t	 i;
		int	 rc;

		for (i = 0; i < sizeof(basic) / sizeof(basic[0]); i++) {
			rc = req_auth_basic(basic[i].h, &id, &secret);
			ok(rc == basic[i].rc && (rc != 1 ||
			    (strcmp(id, basic[i].id) == 0 &&
			    strcmp(secret, basic[i].secret) == 0)) &&
			    (rc == 1 || (id == NULL && secret == NULL)),
			    "Basic case %zu: %d", i, basic[i].rc);
			free(id);
			free(secret);
		}
		ok(req_auth_basic(NULL, &id, &secret) == 0, "no header: not Basic");
	}
	return done_testing();
}
