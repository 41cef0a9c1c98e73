/*
 * test_json.c: bounded JSON parsing and typed getters (src/lib/json.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tap.h"

int
main(void)
{
	static const struct {
		const char	*in;
		const char	*err;
	} bad[] = {
		{ "", "malformed JSON" },
		{ "{", "malformed JSON" },
		{ "{\"a\":1} x", "text after the value" },
		{ "{\"a\":1}{}", "text after the value" },
		{ "{\"a\":1,\"a\":2}", "repeated member name" },
		{ "{\"o\":{\"k\":1,\"k\":1}}", "repeated member name" },
		{ "{\"b\":1,\"a\":2,\"c\":[],\"b\":3}", "repeated member name" },
		{ "[{},{\"x\":{\"y\":1,\"\\u0079\":2}}]", "repeated member name" },
		{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "nested deeper" },
		{ "\"\xc3\"", "not valid UTF-8" },
		{ "{'a':1}", "malformed JSON" },
	};
	cJSON		*j;
	const char	*s;
	char		 err[256], big[300];
	size_t		 i;
	int		 b;
	struct buf	 out;

	json_init();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		j = json_parse(bad[i].in, strlen(bad[i].in), 1024, JSON_MAXDEPTH,
		    err, sizeof(err));
		ok(j == NULL && strstr(err, bad[i].err) != NULL,
		    "refuses case %zu: %s", i, bad[i].err);
		cJSON_Delete(j);
	}
	memset(big, ' ', sizeof(big));
	memcpy(big, "{}", 2);
	j = json_parse(big, sizeof(big), 256, JSON_MAXDEPTH, err, sizeof(err));
	ok(j == NULL && strstr(err, "longer than 256") != NULL, "size limit");
	cJSON_Delete(j);

	/*
	 * 30000 members, as many as fit in an MCP body: names are checked
	 * for repeats by sorting them (pairwise took seconds); a repeat of
	 * the first name at the very end is still found.
	 */
	{
		size_t	 n = 0, max = 4 * 65536;
		char	*t = malloc(max + 32);
		int	 k;

		t[n++] = '{';
		for (k = 0; n + 24 < max; k++)
			n += (size_t)sprintf(t + n, "%s\"%x\":0", k ? "," : "", k);
		t[n] = '}';
		j = json_parse(t, n + 1, max, JSON_MAXDEPTH, err, sizeof(err));
		ok(j != NULL && cJSON_GetArraySize(j) == k,
		    "an object of %d distinct members parses", k);
		cJSON_Delete(j);
		n += (size_t)sprintf(t + n, ",\"0\":1}");
		j = json_parse(t, n, max + 32, JSON_MAXDEPTH, err, sizeof(err));
		ok(j == NULL && strstr(err, "repeated") != NULL,
		    "  with its first name repeated last, refused");
		cJSON_Delete(j);
		free(t);
	}

	/* brackets inside strings do not count toward depth */
	s = "{\"s\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[\"}";
	j = json_parse(s, strlen(s), 1024, 4, err, sizeof(err));
	ok(j != NULL, "brackets inside strings are not nesting");
	cJSON_Delete(j);

	s = " {\"name\":\"x\",\"n\":3,\"t\":true,\"a\":[1],\"o\":{}} \n";
	j = json_parse(s, strlen(s), 1024, JSON_MAXDEPTH, err, sizeof(err));
	if (!ok(j != NULL, "a valid object parses, whitespace around it"))
		note("%s", err);
	is_str(json_get_str(j, "name"), "x", "string member");
	ok(json_get_str(j, "n") == NULL, "a number is not a string");
	ok(json_get_str(j, "missing") == NULL, "absent member");
	ok(json_get_bool(j, "t", &b) == 1 && b == 1, "boolean member");
	ok(json_get_bool(j, "name", &b) == -1, "a string is not a boolean");
	ok(json_get_bool(j, "missing", &b) == 0, "absent boolean");
	ok(json_get_array(j, "a") != NULL && json_get_array(j, "o") == NULL,
	    "array getter checks the type");
	ok(json_get_object(j, "o") != NULL && json_get_object(j, "a") == NULL,
	    "object getter checks the type");
	cJSON_Delete(j);

	j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "w", json_strarray(" a  b c "));
	cJSON_AddStringToObject(j, "s", "q\"</script>");
	buf_init(&out, 1024);
	ok(json_print(j, &out) == 0, "json_print");
	is_str(buf_str(&out), "{\"w\":[\"a\",\"b\",\"c\"],\"s\":\"q\\\"</script>\"}",
	    "strarray splits on spaces; strings are escaped");
	buf_free(&out);
	buf_init(&out, 10);
	ok(json_print(j, &out) == -1 && out.len == 0,
	    "json_print respects the buffer's ceiling");
	buf_free(&out);
	cJSON_Delete(j);
	return done_testing();
}
