/*
 * test_oauth.c: the OAuth validators (src/lib/oauth.c) from tables of
 * good and bad inputs: redirect URIs at registration (AZ-07, DCR-08) and
 * at authorization (AZ-05 with the loopback port exception), PKCE
 * challenge syntax (AZ-08), the resource indicator (AZ-09, PRM-05,
 * PRM-09), scopes (AZ-10, AS-08).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "oauth.h"
#include "tap.h"

int
main(void)
{
	static const struct {
		const char	*uri;
		int		 ok;
	} reg[] = {
		{ "https://claude.ai/api/mcp/auth_callback", 1 },
		{ "https://chatgpt.com/connector/oauth/abc123", 1 },
		{ "https://chatgpt.com/connector_platform_oauth_redirect", 1 },
		{ "https://client.example/cb?tenant=1", 1 },
		{ "http://127.0.0.1/callback", 1 },
		{ "http://127.0.0.1:33418/callback", 1 },
		{ "http://localhost:3000/callback", 1 },
		{ "http://[::1]:8080/cb", 1 },
		{ "http://client.example/cb", 0 },		/* plain http */
		{ "javascript:alert(1)", 0 },
		{ "data:text/html,<script>alert(1)</script>", 0 },
		{ "/relative/cb", 0 },
		{ "cb", 0 },
		{ "https://*.example.com/cb", 0 },		/* wildcard */
		{ "https://client.example/*", 0 },
		{ "https://client.example/cb#frag", 0 },
		{ "https://user:pw@client.example/cb", 0 },
		{ "cursor://anysphere.cursor-retrieval/oauth", 0 },
		{ "https://client.example/c b", 0 },
		{ "", 0 },
	};
	static const struct {
		const char	*registered, *requested;
		int		 match;
	} match[] = {
		{ "https://claude.ai/api/mcp/auth_callback", "https://claude.ai/api/mcp/auth_callback", 1 },
		{ "https://claude.ai/api/mcp/auth_callback", "https://claude.ai/api/mcp/auth_callback/", 0 },
		{ "https://claude.ai/api/mcp/auth_callback", "https://CLAUDE.ai/api/mcp/auth_callback", 0 },
		{ "https://client.example/cb", "https://client.example/cb?x=1", 0 },
		{ "https://client.example/cb", "https://client.example:443/cb", 0 },
		{ "https://client.example/cb", "https://client.example.evil/cb", 0 },
		{ "http://127.0.0.1/callback", "http://127.0.0.1:51234/callback", 1 },
		{ "http://127.0.0.1:3000/callback", "http://127.0.0.1:51234/callback", 1 },
		{ "http://localhost:3000/callback", "http://localhost:4000/callback", 1 },
		{ "http://[::1]:3000/cb", "http://[::1]:4000/cb", 1 },
		{ "http://127.0.0.1:3000/callback", "http://127.0.0.1:4000/other", 0 },
		{ "http://127.0.0.1:3000/callback", "http://localhost:4000/callback", 0 },
		{ "http://127.0.0.1:3000/callback", "http://127.0.0.1:4000/callback?x", 0 },
		{ "http://127.0.0.1:3000/callback", "http://127.0.0.1:4000/callback#f", 0 },
		{ "http://127.0.0.1:3000/callback", "https://127.0.0.1:4000/callback", 0 },
		{ "https://127.0.0.1:3000/callback", "https://127.0.0.1:4000/callback", 0 },
		{ "http://127.0.0.1:3000/callback", "http://127.0.0.1.evil.com:4000/callback", 0 },
		/* but for the port, written alike (tests/fuzz/regressions/fuzz_url) */
		{ "httP://127.0.0.1/callback", "http://127.0.0.1:4/callback", 0 },
		{ "http://127.0.0.1/callback", "HTTP://127.0.0.1:4/callback", 0 },
		{ "http://127.0.0.1/cb", "http://127.0.0.1@127.0.0.1:5/cb", 0 },
		{ "http://localhost/cb", "http://LOCALHOST:5/cb", 0 },
		{ "http://[::1]/cb?a=1", "http://[::1]:5/cb?a=1", 1 },
		{ "http://[::1]/cb?a=1", "http://[::1]:5/cb?a=2", 0 },
	};
	static const struct {
		const char	*ch;
		int		 ok;
	} pkce[] = {
		{ "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", 1 },	/* RFC 7636 B */
		{ "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ", 1 },	/* 43 */
		{ "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP", 0 },	/* 42 */
		{ "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM", 0 },	/* '+' */
		{ "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw=cM", 0 },
		{ "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw cM", 0 },
		{ "", 0 },
	};
	static const struct {
		const char	*res;
		int		 ours;
	} res[] = {
		{ "https://kb.example.org/mcp", 1 },
		{ "HTTPS://KB.Example.ORG/mcp", 1 },		/* PRM-09 */
		{ "https://kb.example.org:443/mcp", 1 },
		{ "https://kb.example.org/mcp/", 0 },		/* PRM-05: exact */
		{ "https://kb.example.org/MCP", 0 },
		{ "https://kb.example.org/", 0 },
		{ "https://kb.example.org", 0 },
		{ "https://kb.example.org/mcp#x", 0 },
		{ "https://kb.example.org/mcp?x=1", 0 },
		{ "https://other.example/mcp", 0 },
		{ "http://kb.example.org/mcp", 0 },
		{ "https://kb.example.org:8443/mcp", 0 },
		{ "mcp", 0 },
	};
	static const struct {
		const char	*client, *req, *want, *why;
	} scopes[] = {
		{ NULL, "", "mcp:read", NULL },			/* empty: default */
		{ NULL, NULL, "mcp:read", NULL },
		{ NULL, "  mcp:read  ", "mcp:read", NULL },	/* trimmed */
		{ NULL, "mcp:write mcp:read", "mcp:read mcp:write", NULL },
		{ NULL, "mcp:read\tmcp:write", "mcp:read mcp:write", NULL },
		{ NULL, "openid profile email offline_access", "mcp:read", NULL },
		{ NULL, "openid mcp:write", "mcp:write", NULL },
		{ NULL, " offline_access", "mcp:read", NULL },	/* Claude, mcpb#188 */
		{ NULL, "mcp:admin", NULL, "not offered" },
		{ NULL, "mcp\"read", NULL, "malformed" },
		{ "mcp:read", "mcp:write", NULL, "not registered" },
		{ "mcp:read", "", "mcp:read", NULL },
		{ "mcp:write", "", NULL, "registered none of the default" },
		{ "mcp:read mcp:write", "mcp:write", "mcp:write", NULL },
	};
	struct conf	 c;
	char		 err[256], *g;
	const char	*why;
	size_t		 i;

	for (i = 0; i < sizeof(reg) / sizeof(reg[0]); i++) {
		why = NULL;
		is_int(oauth_redirect_uri_valid(reg[i].uri, strlen(reg[i].uri), &why),
		    reg[i].ok, "AZ-07 register \"%s\"", reg[i].uri);
		if (!reg[i].ok)
			ok(why != NULL, "  with a reason");
	}
	for (i = 0; i < sizeof(match) / sizeof(match[0]); i++)
		is_int(oauth_redirect_uri_matches(match[i].registered, match[i].requested),
		    match[i].match, "AZ-05 %s vs %s", match[i].registered,
		    match[i].requested);
	is_int(oauth_redirect_uri_is_loopback("http://127.0.0.1:9/cb"), 1, "loopback URI");
	is_int(oauth_redirect_uri_is_loopback("https://127.0.0.1:9/cb"), 0, "https loopback is not the http exception");
	is_int(oauth_redirect_uri_is_loopback("https://claude.ai/cb"), 0, "public URI");
	for (i = 0; i < sizeof(pkce) / sizeof(pkce[0]); i++)
		is_int(oauth_pkce_challenge_valid(pkce[i].ch, strlen(pkce[i].ch)),
		    pkce[i].ok, "AZ-08 challenge \"%s\"", pkce[i].ch);

	const char *text = "issuer = https://kb.example.org\ndatabase = x\n"
	    "scopes = mcp:read mcp:write\n";
	if (conf_parse(text, strlen(text), "t", &c, err, sizeof(err)) != 0) {
		ok(0, "config: %s", err);
		return done_testing();
	}
	for (i = 0; i < sizeof(res) / sizeof(res[0]); i++)
		is_int(oauth_resource_is_ours(&c, res[i].res, strlen(res[i].res)),
		    res[i].ours, "AZ-09 resource \"%s\"", res[i].res);
	for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		why = NULL;
		g = oauth_scope_request(&c, scopes[i].client, scopes[i].req, &why);
		if (scopes[i].want != NULL)
			is_str(g, scopes[i].want, "AZ-10 scope \"%s\" (client %s)",
			    scopes[i].req ? scopes[i].req : "(none)",
			    scopes[i].client ? scopes[i].client : "any");
		else
			ok(g == NULL && why != NULL && strstr(why, scopes[i].why) != NULL,
			    "AZ-10 scope \"%s\" refused: %s", scopes[i].req,
			    scopes[i].why);
		free(g);
	}
	ok(oauth_scope_subset("mcp:read", "mcp:read mcp:write"), "subset");
	ok(!oauth_scope_subset("mcp:write", "mcp:read"), "not a subset");
	ok(oauth_scope_subset("", "mcp:read"), "empty is a subset");
	conf_free(&c);
	return done_testing();
}
