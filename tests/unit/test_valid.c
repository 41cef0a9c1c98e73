/*
 * test_valid.c: the validators in src/lib/valid.c, from tables of good and
 * bad inputs.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "valid.h"

int
main(void)
{
	static const struct {
		const char		*in;
		unsigned long long	 min, max;
		int			 ok;
		unsigned long long	 want;
	} uints[] = {
		{ "0", 0, 10, 1, 0 },
		{ "10", 0, 10, 1, 10 },
		{ "11", 0, 10, 0, 0 },
		{ "007", 0, 10, 1, 7 },
		{ "", 0, 10, 0, 0 },
		{ "-1", 0, 10, 0, 0 },
		{ "+1", 0, 10, 0, 0 },
		{ " 1", 0, 10, 0, 0 },
		{ "1 ", 0, 10, 0, 0 },
		{ "0x10", 0, 100, 0, 0 },
		{ "1e3", 0, 10000, 0, 0 },
		{ "18446744073709551615", 0, (unsigned long long)-1, 1, (unsigned long long)-1 },
		{ "18446744073709551616", 0, (unsigned long long)-1, 0, 0 },
		{ "99999999999999999999999", 0, (unsigned long long)-1, 0, 0 },
		{ "4", 5, 10, 0, 0 },
	};
	static const struct {
		const char	*in;
		int		 ok;
		long long	 want;
	} durations[] = {
		{ "600", 1, 600 },
		{ "10m", 1, 600 },
		{ "1h", 1, 3600 },
		{ "1d", 1, 86400 },
		{ "45s", 1, 45 },
		{ "5", 0, 0 },		/* below min 10 */
		{ "2d", 0, 0 },		/* above max */
		{ "m", 0, 0 },
		{ "10 m", 0, 0 },
		{ "10M", 0, 0 },
		{ "1w", 0, 0 },
		{ "99999999999999999999d", 0, 0 },
	};
	static const struct {
		const char	*in;
		size_t		 len;
		int		 ok;
	} utf8[] = {
		{ "plain", 5, 1 },
		{ "caf\xc3\xa9", 5, 1 },
		{ "\xe2\x82\xac", 3, 1 },		/* U+20AC */
		{ "\xf0\x9f\x98\x80", 4, 1 },		/* U+1F600 */
		{ "\xc3", 1, 0 },			/* truncated */
		{ "\xc0\xaf", 2, 0 },			/* overlong '/' */
		{ "\xe0\x80\xaf", 3, 0 },		/* overlong */
		{ "\xed\xa0\x80", 3, 0 },		/* surrogate */
		{ "\xf4\x90\x80\x80", 4, 0 },		/* > U+10FFFF */
		{ "\xff", 1, 0 },
		{ "a\0b", 3, 0 },			/* embedded NUL */
	};
	static const struct {
		const char	*in;
		int		 ok;
	} scopes[] = {
		{ "mcp:read", 1 },
		{ "mcp:read mcp:write", 1 },
		{ "a b c", 1 },
		{ "", 1 },
		{ " mcp:read", 0 },
		{ "mcp:read ", 0 },
		{ "a  b", 0 },
		{ "a b a", 0 },			/* repeated */
		{ "mcp\"read", 0 },		/* RS-08: no DQUOTE */
		{ "mcp\\read", 0 },		/* RS-08: no backslash */
		{ "mcp\tread", 0 },
		{ "caf\xc3\xa9", 0 },		/* ASCII only */
	};
	unsigned long long	u;
	long long		d;
	size_t			i;

	for (i = 0; i < sizeof(uints) / sizeof(uints[0]); i++) {
		u = 12345;
		ok(valid_uint(uints[i].in, strlen(uints[i].in), uints[i].min,
		    uints[i].max, &u) == uints[i].ok &&
		    (!uints[i].ok || u == uints[i].want),
		    "valid_uint(\"%s\", %llu..%llu) %s", uints[i].in,
		    uints[i].min, uints[i].max, uints[i].ok ? "accepted" : "refused");
	}
	for (i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		d = -1;
		ok(valid_duration(durations[i].in, strlen(durations[i].in), 10,
		    86400, &d) == durations[i].ok &&
		    (!durations[i].ok || d == durations[i].want),
		    "valid_duration(\"%s\") %s", durations[i].in,
		    durations[i].ok ? "accepted" : "refused");
	}
	for (i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++)
		is_int(valid_utf8(utf8[i].in, utf8[i].len), utf8[i].ok,
		    "valid_utf8 case %zu", i);
	for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
		is_int(valid_scope_list(scopes[i].in, strlen(scopes[i].in)),
		    scopes[i].ok, "valid_scope_list(\"%s\")", scopes[i].in);
	is_int(valid_text("line\nnext\ttab", 13), 1, "valid_text allows tab and LF");
	is_int(valid_text("bell\a", 5), 0, "valid_text refuses control characters");
	is_int(valid_text("del\x7f", 4), 0, "valid_text refuses DEL");
	return done_testing();
}
