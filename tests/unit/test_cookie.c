/*
 * test_cookie.c: reading cookies (src/lib/cookie.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cookie.h"
#include "tap.h"

int
main(void)
{
	static const struct {
		const char	*header, *want;
	} cases[] = {
		{ "mcpgate_session=abc", "abc" },
		{ "a=1; mcpgate_session=abc; b=2", "abc" },
		{ "a=1;mcpgate_session=abc", "abc" },
		{ "mcpgate_session=\"abc\"", "abc" },
		{ "mcpgate_session=abc  ", "abc" },
		{ "xmcpgate_session=abc", NULL },
		{ "mcpgate_sessionx=abc", NULL },
		{ "mcpgate_session=", NULL },
		{ "mcpgate_session", NULL },
		{ "mcpgate_session=a; mcpgate_session=b", NULL },	/* ambiguous */
		{ "", NULL },
	};
	char	*v, *big;
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = cookie_get(cases[i].header, "mcpgate_session");
		is_str(v, cases[i].want, "cookie \"%s\"", cases[i].header);
		free(v);
	}
	ok(cookie_get(NULL, "mcpgate_session") == NULL, "no Cookie header");
	big = malloc(5000);
	memset(big, 'a', 4999);
	big[4999] = '\0';
	memcpy(big, "mcpgate_session=", 16);
	ok(cookie_get(big, "mcpgate_session") == NULL, "an oversized header is not parsed");
	free(big);
	return done_testing();
}
