/*
 * test_url.c: URL parsing, loopback detection, origins (src/lib/url.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "url.h"

int
main(void)
{
	static const struct {
		const char	*in;
		int		 ok;
		const char	*scheme, *host;
		unsigned	 port;
		const char	*path, *query, *fragment;
	} cases[] = {
		{ "https://example.org", 1, "https", "example.org", 0, "", NULL, NULL },
		{ "HTTPS://Example.ORG:8443/a/b?x=1#f", 1, "https", "example.org", 8443, "/a/b", "x=1", "f" },
		{ "http://127.0.0.1:8080/cb", 1, "http", "127.0.0.1", 8080, "/cb", NULL, NULL },
		{ "http://[::1]:3000/callback", 1, "http", "[::1]", 3000, "/callback", NULL, NULL },
		{ "https://chatgpt.com/connector/oauth/abc_123", 1, "https", "chatgpt.com", 0, "/connector/oauth/abc_123", NULL, NULL },
		{ "https://claude.ai/api/mcp/auth_callback", 1, "https", "claude.ai", 0, "/api/mcp/auth_callback", NULL, NULL },
		{ "https://a.example/%7Euser", 1, "https", "a.example", 0, "/%7Euser", NULL, NULL },
		{ "https://", 0, NULL, NULL, 0, NULL, NULL, NULL },
		{ "https:///path", 0, NULL, NULL, 0, NULL, NULL, NULL },
		{ "https:example.org", 0, NULL, NULL, 0, NULL, NULL, NULL },
		{ "/relative/path", 0, NULL, NULL, 0, NULL, NULL, NULL },
		{ "javascript:alert(1)", 0, NULL, NULL, 0, NULL, NULL, NULL },
		{ "data:text/html,hi", 0, NULL, NULL, 0, NULL, NULL, NULL },
		{ "https://exa mple.org/", 0, NULL, NULL, 0, NULL, NULL, NULL },
		{ "https://example.org/\xc3\xa9", 0, NULL, NULL, 0, NULL, NULL, NULL },
		{ "https://example.org:0/", 0, NULL, NULL, 0, NULL, NULL, NULL },
		{ "https://example.org:65536/", 0, NULL, NULL, 0, NULL, NULL, NULL },
		{ "https://example.org:/", 0, NULL, NULL, 0, NULL, NULL, NULL },
		{ "https://example.org/%zz", 0, NULL, NULL, 0, NULL, NULL, NULL },
		{ "https://example.org/a\"b", 0, NULL, NULL, 0, NULL, NULL, NULL },
		{ "https://example.org/<script>", 0, NULL, NULL, 0, NULL, NULL, NULL },
		{ "https://[zz::1]/", 0, NULL, NULL, 0, NULL, NULL, NULL },
		/* a host's %-escapes are checked like a path's */
		{ "https://ex%41mple.org/", 1, "https", "ex%41mple.org", 0, "/", NULL, NULL },
		{ "https://ex%zzmple.org/", 0, NULL, NULL, 0, NULL, NULL, NULL },
		{ "https://example.org%4/", 0, NULL, NULL, 0, NULL, NULL, NULL },
		{ "https://example.org%:8/", 0, NULL, NULL, 0, NULL, NULL, NULL },
		{ "1https://example.org", 0, NULL, NULL, 0, NULL, NULL, NULL },
	};
	static const struct {
		const char	*host;
		int		 loop;
	} loops[] = {
		{ "localhost", 1 }, { "127.0.0.1", 1 }, { "127.1.2.3", 1 },
		{ "[::1]", 1 }, { "127.0.0.256", 0 }, { "127.0.0", 0 },
		{ "127.0.0.1.", 0 }, { "localhost.example", 0 },
		{ "128.0.0.1", 0 }, { "127.0.0.1.evil.com", 0 }, { "[::2]", 0 },
	};
	struct url	 u;
	char		*o;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = url_parse(cases[i].in, strlen(cases[i].in), &u);
		if (!cases[i].ok) {
			ok(rc == -1, "refuses \"%s\"", cases[i].in);
			continue;
		}
		if (!ok(rc == 0, "parses \"%s\"", cases[i].in))
			continue;
		is_str(u.scheme, cases[i].scheme, "  scheme");
		is_str(u.host, cases[i].host, "  host");
		is_int(u.port, cases[i].port, "  port");
		is_str(u.path, cases[i].path, "  path");
		is_str(u.query, cases[i].query, "  query");
		is_str(u.fragment, cases[i].fragment, "  fragment");
		url_free(&u);
	}
	rc = url_parse("https://user:pw@example.org/", 28, &u);
	ok(rc == 0 && u.userinfo == 1 && strcmp(u.host, "example.org") == 0,
	    "notes userinfo and parses the host after it");
	if (rc == 0)
		url_free(&u);

	for (i = 0; i < sizeof(loops) / sizeof(loops[0]); i++)
		is_int(url_host_is_loopback(loops[i].host), loops[i].loop,
		    "loopback(\"%s\")", loops[i].host);

	if (url_parse("http://example.org", 18, &u) == 0) {
		is_int(url_is_secure(&u), 0, "http on a public host is not secure");
		url_free(&u);
	}
	if (url_parse("http://localhost:9/", 19, &u) == 0) {
		is_int(url_is_secure(&u), 1, "http on localhost is allowed (RFC 8252 §7.3)");
		o = url_origin(&u);
		is_str(o, "http://localhost:9", "origin keeps a non-default port");
		free(o);
		url_free(&u);
	}
	if (url_parse("HTTPS://Example.org:443/x", 25, &u) == 0) {
		o = url_origin(&u);
		is_str(o, "https://example.org", "origin drops the default port and lower-cases");
		free(o);
		url_free(&u);
	}
	return done_testing();
}
