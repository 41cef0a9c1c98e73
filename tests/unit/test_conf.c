/*
 * test_conf.c: configuration parsing and validation (src/lib/conf.c):
 * good files with their parsed values and defaults, and bad files whose
 * error must name the line and the key.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "tap.h"

/*
 * Parse text from a buffer of exactly its length, with no NUL after it,
 * as conf_parse may be given: a read past a value at the end of the text
 * shows under valgrind (make check-valgrind) and the sanitizers.
 */
static int
parse(const char *text, struct conf *c, char *err, size_t errsz)
{
	size_t	 n = strlen(text);
	char	*copy = malloc(n > 0 ? n : 1);
	int	 rc;

	memcpy(copy, text, n);
	rc = conf_parse(copy, n, "test.conf", c, err, errsz);
	free(copy);
	return rc;
}

int
main(void)
{
	static const struct {
		const char	*text;
		const char	*err;	/* expected substring of the error */
	} bad[] = {
		{ "database = x\n", "issuer: required" },
		{ "issuer = https://a.example\n", "database: required" },
		{ "issuer = http://a.example\ndatabase = x\n", "test.conf:1: issuer: must use https" },
		{ "issuer = https://a.example/base\ndatabase = x\n", "test.conf:1: issuer: must be an origin" },
		{ "issuer = https://a.example?x\ndatabase = x\n", "issuer: must be an origin" },
		{ "issuer = https://a.example#f\ndatabase = x\n", "issuer: must be an origin" },
		{ "issuer = not a url\ndatabase = x\n", "issuer: not an absolute URL" },
		{ "issuer = https://a.example\ndatabase = x\nisuer = y\n", "test.conf:3: unknown key \"isuer\"" },
		{ "issuer = https://a.example\ndatabase = x\ndatabase = y\n", "test.conf:3: database: set twice" },
		{ "issuer = https://a.example\n\n  justtext\n", "test.conf:3: expected \"key = value\"" },
		{ "issuer = https://a.example\ndatabase = x\nmcp_path = mcp\n", "test.conf:3: mcp_path" },
		{ "issuer = https://a.example\ndatabase = x\nmcp_path = /mcp/\n", "mcp_path" },
		{ "issuer = https://a.example\ndatabase = x\nmcp_path = /a/../b\n", "mcp_path" },
		{ "issuer = https://a.example\ndatabase = x\nmcp_path = /.well-known/x\n", "mcp_path" },
		{ "issuer = https://a.example\ndatabase = x\nmcp_path = /a//b\n", "mcp_path" },
		/* a path at the very end of the text (tests/fuzz/regressions/fuzz_conf) */
		{ "issuer = https://a.example\ndatabase = x\nmcp_path = /.well-known", "mcp_path" },
		{ "issuer = https://a.example\ndatabase = x\ncode_lifetime = 11m\n", "test.conf:3: code_lifetime: must be a duration from 10s to 600s" },
		{ "issuer = https://a.example\ndatabase = x\naccess_token_lifetime = soon\n", "access_token_lifetime" },
		{ "issuer = https://a.example\ndatabase = x\nscopes = mcp:read openid\n", "\"openid\" is an OpenID Connect scope" },
		{ "issuer = https://a.example\ndatabase = x\nscopes = offline_access\n", "offline_access" },
		{ "issuer = https://a.example\ndatabase = x\nscopes = a  b\n", "scopes:" },
		{ "issuer = https://a.example\ndatabase = x\ndefault_scopes = other\n", "default_scopes: every default scope must also be in scopes" },
		{ "issuer = https://a.example\ndatabase = x\nallowed_origins = https://ok.example http://bad.example\n", "allowed_origins: \"http://bad.example\" must use https" },
		{ "issuer = https://a.example\ndatabase = x\nlog_level = loud\n", "log_level: must be warn, info or debug" },
		{ "issuer = https://a.example\ndatabase = x\ndb_statement_timeout = 5s\n", "db_statement_timeout" },
		{ "issuer = https://a.example\ndatabase =\n", "database: must be non-empty" },
		/* a CR left in a value (tests/fuzz/regressions/fuzz_conf/value-trailing-cr) */
		{ "issuer = https://a.example\r\ndatabase = dbname=x\r\r\n", "test.conf:2: database: must be non-empty text on one line" },
		{ "issuer = https://a.example\ndatabase = x\nresource_name = a\rb\n", "test.conf:3: resource_name: must be non-empty text on one line" },
		{ "# comt\nissuer = https://kbexample.org:8443\ndatabase =e= https\r\r\r\nscopes = mcp:read\n", "test.conf:3: database" },
		{ "issuer = https://a.example\ndatabase = x\nservice_documentation = http://docs.example/\n", "service_documentation" },
	};
	struct conf	 c;
	char		 err[512];
	size_t		 i;
	char		 path[] = "/tmp/mcpgate-test-conf.XXXXXX";
	int		 fd, rc;
	FILE		*f;
	const struct conf *cur;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		rc = parse(bad[i].text, &c, err, sizeof(err));
		ok(rc == -1 && strstr(err, bad[i].err) != NULL,
		    "bad config %zu refused: %s", i, bad[i].err);
		if (rc != -1 || strstr(err, bad[i].err) == NULL)
			note("error was: %s", err);
		conf_free(&c);
	}

	/* A minimal file: the defaults fill in, validated like values. */
	rc = parse("issuer = http://127.0.0.1:8080/\n"
	    "database = host=/tmp dbname=mcpgate password=a#b\n", &c, err,
	    sizeof(err));
	if (!ok(rc == 0, "minimal config accepted"))
		note("%s", err);
	is_str(c.issuer, "http://127.0.0.1:8080", "issuer loses its trailing slash");
	is_str(c.database, "host=/tmp dbname=mcpgate password=a#b",
	    "a # inside a value is kept");
	is_str(c.mcp_path, "/mcp", "mcp_path default");
	is_str(c.mcp_url, "http://127.0.0.1:8080/mcp", "mcp_url is issuer + mcp_path (PRM-05)");
	is_str(c.prm_url, "http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp",
	    "challenges name the path-suffixed well-known PRM URL (RS-02, PRM-02)");
	is_int(c.well_known_blocked, 0, "well_known_blocked default no");
	ok(c.admin_users == NULL, "admin_users unset by default: nobody");
	is_str(c.scopes, "mcp:read", "scopes default");
	is_str(c.default_scopes, "mcp:read", "default_scopes default");
	is_int(c.code_lifetime, 600, "code_lifetime default 10 minutes (AZ-13)");
	is_int(c.access_token_lifetime, 3600, "access_token_lifetime default 1 hour");
	is_int(c.refresh_grace, 60, "refresh_grace default 60 s");
	is_int(c.refresh_token_idle_lifetime, 30 * 86400, "refresh idle default 30 days");
	is_int(c.refresh_token_lifetime, 90 * 86400, "refresh absolute default 90 days");
	is_int(c.client_expiry, 90 * 86400, "client_expiry default 90 days");
	is_int(c.db_statement_timeout, 5000, "db_statement_timeout default");
	is_int(c.log_level, LOG_LEVEL_WARN, "log_level default");
	is_int((long long)c.originsz, 0, "no extra origins by default");
	ok(c.service_documentation == NULL, "service_documentation optional");
	conf_free(&c);

	/* Every key set, with comments, CRLF and blanks around values. */
	rc = parse("# a comment\r\n"
	    "  issuer   =   HTTPS://KB.Example.ORG  \r\n"
	    "database=dbname=kb\n"
	    "\t# indented comment\n"
	    "mcp_path = /kb/mcp\n"
	    "resource_name = Team knowledge base\n"
	    "service_documentation = https://kb.example.org/docs\n"
	    "scopes = mcp:read mcp:write\n"
	    "default_scopes = mcp:read\n"
	    "allowed_origins = https://inspector.example http://localhost:6274\n"
	    "code_lifetime = 5m\n"
	    "access_token_lifetime = 2h\n"
	    "refresh_token_lifetime = 60d\n"
	    "refresh_token_idle_lifetime = 7d\n"
	    "refresh_grace = 0\n"
	    "session_lifetime = 1d\n"
	    "session_idle_lifetime = 15m\n"
	    "client_expiry = 30d\n"
	    "db_statement_timeout = 2500\n"
	    "log_level = debug\n"
	    "well_known_blocked = yes\n"
	    "admin_users = alice bob\n", &c, err, sizeof(err));
	if (!ok(rc == 0, "full config accepted"))
		note("%s", err);
	is_str(c.issuer, "https://kb.example.org", "scheme and host lower-cased (PRM-05)");
	is_str(c.mcp_url, "https://kb.example.org/kb/mcp", "mcp_url with a custom path");
	is_str(c.prm_url, "https://kb.example.org/kb/mcp/oauth-protected-resource",
	    "well_known_blocked: challenges name the PRM copy under the MCP path (RFC 9728 §5.1)");
	is_str(c.admin_users, "alice bob", "admin_users");
	is_str(c.resource_name, "Team knowledge base", "resource_name with spaces");
	is_str(c.scopes, "mcp:read mcp:write", "scopes");
	is_int((long long)c.originsz, 2, "two extra origins");
	if (c.originsz == 2) {
		is_str(c.origins[0], "https://inspector.example", "first origin");
		is_str(c.origins[1], "http://localhost:6274", "loopback http origin");
	}
	is_int(c.code_lifetime, 300, "code_lifetime 5m");
	is_int(c.refresh_grace, 0, "refresh_grace 0 disables");
	is_int(c.db_statement_timeout, 2500, "db_statement_timeout");
	is_int(c.log_level, LOG_LEVEL_DEBUG, "log_level debug");
	is_int(conf_origin_allowed(&c, "https://kb.example.org"), 1, "own origin allowed");
	is_int(conf_origin_allowed(&c, "http://localhost:6274"), 1, "listed origin allowed");
	is_int(conf_origin_allowed(&c, "https://evil.example"), 0, "other origin refused");
	is_int(conf_origin_allowed(&c, "https://kb.example.org/"), 0, "origin compared exactly");
	conf_free(&c);

	/* the regression input itself: a short path ends the text */
	rc = parse("issuer = https://a.example\ndatabase = x\nmcp_path = /.w",
	    &c, err, sizeof(err));
	ok(rc == 0 && strcmp(c.mcp_path, "/.w") == 0,
	    "a path that ends the text is read within it");
	conf_free(&c);

	rc = conf_parse("issuer = https://a.example\0\ndatabase = x\n", 40,
	    "nul.conf", &c, err, sizeof(err));
	ok(rc == -1 && strstr(err, "NUL") != NULL, "a NUL byte is refused");
	conf_free(&c);

	/* conf_current: load, cache, reload when the file changes. */
	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		ok(0, "temporary file");
		return done_testing();
	}
	fputs("issuer = https://one.example\ndatabase = x\n", f);
	fclose(f);
	cur = conf_current(path);
	ok(cur != NULL && strcmp(cur->issuer, "https://one.example") == 0,
	    "conf_current loads the file");
	ok(cur != NULL && conf_current(path) == cur &&
	    cur->generation == 1, "an unchanged file is not parsed again");
	f = fopen(path, "w");
	fputs("issuer = https://two.example:8443\ndatabase = x\n", f);
	fclose(f);
	cur = conf_current(path);
	ok(cur != NULL && strcmp(cur->issuer, "https://two.example:8443") == 0 &&
	    cur->generation == 2, "an edited file is loaded again");
	f = fopen(path, "w");
	fputs("issuer = ftp://bad\ndatabase = x\n", f);
	fclose(f);
	ok(conf_current(path) == NULL, "an invalid edit is refused, not half-applied");
	unlink(path);
	ok(conf_current(path) == NULL, "a missing file is refused");
	return done_testing();
}
