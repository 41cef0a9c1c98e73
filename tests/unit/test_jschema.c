/*
 * test_jschema.c: the JSON Schema subset (src/lib/jschema.c).
 *
 * Most cases are rows of (schema, value, expected result, a substring of
 * the expected message): jschema_check() must return the result, put the
 * substring in err, and agree with jschema_valid_schema() on whether the
 * schema is usable.  Cases too big to write out (long strings, deep
 * nesting, large arrays) are built by the helpers below.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jschema.h"
#include "tap.h"
#include "valid.h"
#include "xmalloc.h"

struct row {
	const char	*schema;
	const char	*value;
	int		 want;		/* 1 valid, 0 invalid, -1 bad schema */
	const char	*msg;		/* in err; NULL: err must be empty */
};

/*
 * One row: it passes only if the result, the message and the schema's
 * usability all agree with it.
 */
static void
run_row(const char *group, size_t i, const struct row *r)
{
	cJSON	*s, *v;
	char	 err[256], err2[256];
	int	 rc, usable, pass;

	s = cJSON_ParseWithOpts(r->schema, NULL, 1);
	v = cJSON_ParseWithOpts(r->value, NULL, 1);
	if (s == NULL || v == NULL) {
		ok(0, "%s %zu: test data parses", group, i);
		cJSON_Delete(s);
		cJSON_Delete(v);
		return;
	}
	memset(err, 'x', sizeof(err));
	rc = jschema_check(s, v, err, sizeof(err));
	usable = jschema_valid_schema(s, err2, sizeof(err2));
	pass = rc == r->want && usable == (r->want != -1) &&
	    (r->msg == NULL ? err[0] == '\0' : strstr(err, r->msg) != NULL);
	if (!ok(pass, "%s %zu: %.50s against %.30s -> %d %s", group, i,
	    r->schema, r->value, r->want, r->msg ? r->msg : ""))
		note("got %d \"%s\" (schema usable: %d)", rc, err, usable);
	cJSON_Delete(s);
	cJSON_Delete(v);
}

static void
run(const char *group, const struct row *rows, size_t n)
{
	size_t	i;

	note("%s", group);
	for (i = 0; i < n; i++)
		run_row(group, i, &rows[i]);
}

/* A new string of n copies of each of pre and post around mid. */
static char *
nest(const char *pre, size_t n, const char *mid, const char *post)
{
	size_t	 lp = strlen(pre), lm = strlen(mid), lq = strlen(post), i;
	char	*s, *p;

	s = p = xmalloc(n * (lp + lq) + lm + 1);
	for (i = 0; i < n; i++, p += lp)
		memcpy(p, pre, lp);
	memcpy(p, mid, lm);
	p += lm;
	for (i = 0; i < n; i++, p += lq)
		memcpy(p, post, lq);
	*p = '\0';
	return s;
}

/* A JSON string of n copies of unit, in quotes; between pre and post. */
static char *
longstr(const char *pre, const char *unit, size_t n, const char *post)
{
	size_t	 lu = strlen(unit), lp = strlen(pre), lq = strlen(post), i;
	char	*s, *p;

	s = p = xmalloc(lp + n * lu + lq + 3);
	memcpy(p, pre, lp);
	p += lp;
	*p++ = '"';
	for (i = 0; i < n; i++, p += lu)
		memcpy(p, unit, lu);
	*p++ = '"';
	memcpy(p, post, lq + 1);
	return s;
}

/* [start, start + step, …], n numbers. */
static char *
intarray(size_t n, long start, long step)
{
	char	*s, *p;
	size_t	 i;

	s = p = xmalloc(n * 24 + 3);
	*p++ = '[';
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s%ld", i ? "," : "", start + step * (long)i);
	*p++ = ']';
	*p = '\0';
	return s;
}

/* One check on texts built at run time; the texts are freed. */
static void
check1(const char *name, char *schema, char *value, int want,
    const char *msg)
{
	static const char	*last;
	static size_t		 nth;
	struct row		 r = { schema, value, want, msg };

	if (last == NULL || strcmp(last, name) != 0) {
		last = name;
		nth = 0;
	}
	run_row(name, nth++, &r);
	free(schema);
	free(value);
}

static const struct row types[] = {
	{ "{\"type\":\"string\"}", "\"x\"", 1, NULL },
	{ "{\"type\":\"string\"}", "1", 0, "$: must be a string" },
	{ "{\"type\":\"string\"}", "null", 0, "$: must be a string" },
	{ "{\"type\":\"integer\"}", "1", 1, NULL },
	{ "{\"type\":\"integer\"}", "1.0", 1, NULL },
	{ "{\"type\":\"integer\"}", "-7.000", 1, NULL },
	{ "{\"type\":\"integer\"}", "1e2", 1, NULL },
	{ "{\"type\":\"integer\"}", "1e300", 1, NULL },
	{ "{\"type\":\"integer\"}", "1.5", 0, "$: must be an integer" },
	{ "{\"type\":\"integer\"}", "-0.0000001", 0, "must be an integer" },
	{ "{\"type\":\"integer\"}", "4503599627370495.5", 0,
	    "must be an integer" },
	{ "{\"type\":\"integer\"}", "\"1\"", 0, "must be an integer" },
	{ "{\"type\":\"number\"}", "1", 1, NULL },
	{ "{\"type\":\"number\"}", "-1.5e-3", 1, NULL },
	{ "{\"type\":\"number\"}", "\"1\"", 0, "$: must be a number" },
	{ "{\"type\":\"number\"}", "true", 0, "must be a number" },
	{ "{\"type\":\"object\"}", "{}", 1, NULL },
	{ "{\"type\":\"object\"}", "[]", 0, "$: must be an object" },
	{ "{\"type\":\"array\"}", "[]", 1, NULL },
	{ "{\"type\":\"array\"}", "{}", 0, "$: must be an array" },
	{ "{\"type\":\"boolean\"}", "false", 1, NULL },
	{ "{\"type\":\"boolean\"}", "0", 0, "$: must be a boolean" },
	{ "{\"type\":\"null\"}", "null", 1, NULL },
	{ "{\"type\":\"null\"}", "false", 0, "$: must be null" },
	{ "{\"type\":[\"string\",\"null\"]}", "null", 1, NULL },
	{ "{\"type\":[\"string\",\"null\"]}", "\"a\"", 1, NULL },
	{ "{\"type\":[\"string\",\"null\"]}", "3", 0,
	    "$: must be a string or null" },
	{ "{\"type\":[\"object\",\"array\",\"string\"]}", "1", 0,
	    "must be an object, an array or a string" },
	{ "{\"type\":[\"integer\",\"boolean\"]}", "2.5", 0,
	    "must be an integer or a boolean" },
	{ "{\"type\":[\"integer\",\"boolean\"]}", "2.0", 1, NULL },
	{ "{\"type\":[\"number\",\"integer\"]}", "[]", 0,
	    "$: must be a number" },
};

static const struct row properties[] = {
	{ "{\"properties\":{\"a\":{\"type\":\"string\"}}}", "{\"a\":\"x\"}", 1,
	    NULL },
	{ "{\"properties\":{\"a\":{\"type\":\"string\"}}}", "{\"a\":1}", 0,
	    "$.a: must be a string" },
	{ "{\"properties\":{\"a\":{\"type\":\"string\"}}}", "{\"b\":1}", 1,
	    NULL },
	{ "{\"properties\":{\"a\":{\"type\":\"string\"}}}", "{}", 1, NULL },
	/* keywords for objects say nothing about other types */
	{ "{\"properties\":{\"a\":{\"type\":\"string\"}}}", "5", 1, NULL },
	{ "{\"type\":\"object\",\"properties\":{\"filter\":{\"type\":"
	    "\"object\",\"properties\":{\"tags\":{\"type\":\"array\","
	    "\"items\":{\"type\":\"string\",\"maxLength\":3}}}}}}",
	    "{\"filter\":{\"tags\":[\"a\",\"bb\",\"cccc\"]}}", 0,
	    "$.filter.tags[2]: must be at most 3 characters" },
	{ "{\"properties\":{\"o\":{\"properties\":{\"p\":{\"properties\":"
	    "{\"q\":{\"type\":\"null\"}}}}}}}",
	    "{\"o\":{\"p\":{\"q\":0}}}", 0, "$.o.p.q: must be null" },
	/* names that cannot follow a dot are quoted */
	{ "{\"properties\":{\"a b\":{\"type\":\"string\"}}}", "{\"a b\":1}", 0,
	    "$[\"a b\"]: must be a string" },
	{ "{\"properties\":{\"a\\\"b\":{\"type\":\"string\"}}}",
	    "{\"a\\\"b\":1}", 0, "$[\"a\\\"b\"]: must be a string" },
	{ "{\"properties\":{\"1st\":{\"type\":\"string\"}}}", "{\"1st\":1}",
	    0, "$[\"1st\"]: must be a string" },
	{ "{\"properties\":{\"_x9\":{\"type\":\"string\"}}}", "{\"_x9\":1}",
	    0, "$._x9: must be a string" },
	{ "{\"properties\":{\"\":{\"type\":\"string\"}}}", "{\"\":1}", 0,
	    "$[\"\"]: must be a string" },
};

static const struct row required[] = {
	{ "{\"required\":[\"query\"]}", "{\"query\":null}", 1, NULL },
	{ "{\"required\":[\"query\"]}", "{}", 0, "$.query: required" },
	{ "{\"required\":[\"a\",\"b\"]}", "{\"a\":1}", 0, "$.b: required" },
	{ "{\"required\":[\"a\",\"b\"]}", "{\"b\":1,\"a\":1}", 1, NULL },
	{ "{\"required\":[\"a\"]}", "[]", 1, NULL },
	{ "{\"required\":[]}", "{}", 1, NULL },
	{ "{\"required\":[\"a b\"]}", "{}", 0, "$[\"a b\"]: required" },
	{ "{\"properties\":{\"o\":{\"required\":[\"x\"]}}}", "{\"o\":{}}", 0,
	    "$.o.x: required" },
	{ "{\"properties\":{\"o\":{\"items\":{\"required\":[\"x\"]}}}}",
	    "{\"o\":[{\"x\":1},{\"y\":1}]}", 0, "$.o[1].x: required" },
};

static const struct row additional[] = {
	{ "{\"properties\":{\"a\":{}},\"additionalProperties\":false}",
	    "{\"a\":1}", 1, NULL },
	{ "{\"properties\":{\"a\":{}},\"additionalProperties\":false}",
	    "{}", 1, NULL },
	{ "{\"properties\":{\"a\":{}},\"additionalProperties\":false}",
	    "{\"a\":1,\"foo\":2}", 0, "$: unexpected property \"foo\"" },
	{ "{\"additionalProperties\":false}", "{\"x\":1}", 0,
	    "$: unexpected property \"x\"" },
	{ "{\"additionalProperties\":false}", "[1]", 1, NULL },
	{ "{\"additionalProperties\":true}", "{\"x\":{\"y\":[1]}}", 1, NULL },
	{ "{\"properties\":{\"a\":{}},\"additionalProperties\":"
	    "{\"type\":\"integer\"}}", "{\"a\":\"x\",\"b\":2,\"c\":-3}", 1,
	    NULL },
	{ "{\"properties\":{\"a\":{}},\"additionalProperties\":"
	    "{\"type\":\"integer\"}}", "{\"a\":\"x\",\"b\":\"y\"}", 0,
	    "$.b: must be an integer" },
	{ "{\"additionalProperties\":{\"maxLength\":2}}", "{\"k\":\"abc\"}", 0,
	    "$.k: must be at most 2 characters" },
	{ "{\"properties\":{\"o\":{\"additionalProperties\":false}}}",
	    "{\"o\":{\"z\":1}}", 0, "$.o: unexpected property \"z\"" },
	/* names are quoted with escapes, and cut short when long */
	{ "{\"additionalProperties\":false}", "{\"a\\nb\\\"c\":1}", 0,
	    "$: unexpected property \"a\\u000ab\\\"c\"" },
	{ "{\"additionalProperties\":false}",
	    "{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":1}",
	    0, "$: unexpected property "
	    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"" },
};

static const struct row enums[] = {
	{ "{\"enum\":[\"asc\",\"desc\"]}", "\"asc\"", 1, NULL },
	{ "{\"enum\":[\"asc\",\"desc\"]}", "\"up\"", 0,
	    "$: must be one of the allowed values" },
	{ "{\"enum\":[\"asc\",\"desc\"]}", "\"ASC\"", 0, "allowed values" },
	{ "{\"enum\":[1,2,3]}", "2", 1, NULL },
	{ "{\"enum\":[1,2,3]}", "2.0", 1, NULL },
	{ "{\"enum\":[1,2,3]}", "2.5", 0, "allowed values" },
	{ "{\"enum\":[\"1\"]}", "1", 0, "allowed values" },
	{ "{\"enum\":[null,true]}", "null", 1, NULL },
	{ "{\"enum\":[null,true]}", "true", 1, NULL },
	{ "{\"enum\":[null,true]}", "false", 0, "allowed values" },
	{ "{\"enum\":[null,true]}", "0", 0, "allowed values" },
	/* objects: structurally, members in any order */
	{ "{\"enum\":[{\"a\":1,\"b\":[1,2]}]}", "{\"b\":[1,2],\"a\":1}", 1,
	    NULL },
	{ "{\"enum\":[{\"a\":1,\"b\":[1,2]}]}", "{\"a\":1,\"b\":[2,1]}", 0,
	    "allowed values" },
	{ "{\"enum\":[{\"a\":1}]}", "{\"a\":1,\"c\":2}", 0, "allowed values" },
	{ "{\"enum\":[{\"a\":1,\"c\":2}]}", "{\"a\":1}", 0, "allowed values" },
	{ "{\"enum\":[{\"a\":{\"b\":null}}]}", "{\"a\":{\"b\":null}}", 1,
	    NULL },
	{ "{\"enum\":[{\"a\":{\"b\":null}}]}", "{\"a\":{\"b\":false}}", 0,
	    "allowed values" },
	{ "{\"enum\":[{}]}", "[]", 0, "allowed values" },
	{ "{\"enum\":[[1,[2]]]}", "[1,[2]]", 1, NULL },
	{ "{\"enum\":[[1,[2]]]}", "[1,[2],3]", 0, "allowed values" },
	{ "{\"enum\":[[1,[2]]]}", "[1]", 0, "allowed values" },
	{ "{\"enum\":[]}", "1", 0, "allowed values" },
	{ "{\"properties\":{\"tags\":{\"items\":{\"enum\":[\"x\",\"y\"]}}}}",
	    "{\"tags\":[\"x\",\"y\",\"z\"]}", 0,
	    "$.tags[2]: must be one of the allowed values" },
	/* the message never repeats the value */
	{ "{\"enum\":[\"a\"]}", "\"secret-value\"", 0, "allowed values" },
};

static const struct row consts[] = {
	{ "{\"const\":\"v1\"}", "\"v1\"", 1, NULL },
	{ "{\"const\":\"v1\"}", "\"v2\"", 0,
	    "$: must be the allowed constant value" },
	{ "{\"const\":1}", "1.0", 1, NULL },
	{ "{\"const\":1}", "true", 0, "constant value" },
	{ "{\"const\":null}", "null", 1, NULL },
	{ "{\"const\":null}", "{}", 0, "constant value" },
	{ "{\"const\":{\"k\":[1,{\"x\":null}]}}", "{\"k\":[1,{\"x\":null}]}",
	    1, NULL },
	{ "{\"const\":{\"k\":[1,{\"x\":null}]}}", "{\"k\":[1,{\"x\":0}]}", 0,
	    "constant value" },
	{ "{\"properties\":{\"v\":{\"const\":2}}}", "{\"v\":3}", 0,
	    "$.v: must be the allowed constant value" },
};

static const struct row lengths[] = {
	{ "{\"minLength\":2,\"maxLength\":3}", "\"a\"", 0,
	    "$: must be at least 2 characters" },
	{ "{\"minLength\":2,\"maxLength\":3}", "\"ab\"", 1, NULL },
	{ "{\"minLength\":2,\"maxLength\":3}", "\"abc\"", 1, NULL },
	{ "{\"minLength\":2,\"maxLength\":3}", "\"abcd\"", 0,
	    "$: must be at most 3 characters" },
	{ "{\"minLength\":1}", "\"\"", 0, "must be at least 1 character" },
	{ "{\"maxLength\":0}", "\"\"", 1, NULL },
	{ "{\"maxLength\":0}", "\" \"", 0, "must be at most 0 characters" },
	/* code points, not bytes: é is two bytes, one character */
	{ "{\"maxLength\":1}", "\"\xc3\xa9\"", 1, NULL },
	{ "{\"maxLength\":1}", "\"\\u00e9\"", 1, NULL },
	{ "{\"minLength\":2}", "\"\xc3\xa9\"", 0,
	    "must be at least 2 characters" },
	{ "{\"maxLength\":1}", "\"\xc3\xa9" "e\"", 0,
	    "must be at most 1 character" },
	{ "{\"maxLength\":2,\"minLength\":2}", "\"\xe6\x97\xa5\xe6\x9c\xac\"",
	    1, NULL },
	/* one code point beyond the BMP, two UTF-16 units, four bytes */
	{ "{\"maxLength\":1}", "\"\xf0\x9f\x98\x80\"", 1, NULL },
	{ "{\"maxLength\":1}", "\"\\ud83d\\ude00\"", 1, NULL },
	{ "{\"minLength\":2}", "\"\\ud83d\\ude00\"", 0, "at least 2" },
	{ "{\"maxLength\":3}", "12345", 1, NULL },
	{ "{\"minLength\":3}", "[]", 1, NULL },
	{ "{\"minLength\":1.0}", "\"\"", 0, "must be at least 1 character" },
};

static const struct row numbers[] = {
	{ "{\"minimum\":1,\"maximum\":50}", "1", 1, NULL },
	{ "{\"minimum\":1,\"maximum\":50}", "0", 0, "$: must be at least 1" },
	{ "{\"minimum\":1,\"maximum\":50}", "0.999", 0, "must be at least 1" },
	{ "{\"minimum\":1,\"maximum\":50}", "50", 1, NULL },
	{ "{\"minimum\":1,\"maximum\":50}", "50.0", 1, NULL },
	{ "{\"minimum\":1,\"maximum\":50}", "50.5", 0,
	    "$: must be at most 50" },
	{ "{\"minimum\":1,\"maximum\":50}", "51", 0, "must be at most 50" },
	{ "{\"minimum\":-2.5}", "-2.5", 1, NULL },
	{ "{\"minimum\":-2.5}", "-2.6", 0, "must be at least -2.5" },
	{ "{\"maximum\":0.1}", "0.1", 1, NULL },
	{ "{\"maximum\":0.1}", "0.2", 0, "must be at most 0.1" },
	{ "{\"maximum\":1e300}", "1e299", 1, NULL },
	{ "{\"exclusiveMinimum\":0,\"exclusiveMaximum\":1}", "0", 0,
	    "$: must be greater than 0" },
	{ "{\"exclusiveMinimum\":0,\"exclusiveMaximum\":1}", "1e-300", 1,
	    NULL },
	{ "{\"exclusiveMinimum\":0,\"exclusiveMaximum\":1}", "0.5", 1, NULL },
	{ "{\"exclusiveMinimum\":0,\"exclusiveMaximum\":1}", "0.9999999", 1,
	    NULL },
	{ "{\"exclusiveMinimum\":0,\"exclusiveMaximum\":1}", "1", 0,
	    "$: must be less than 1" },
	{ "{\"exclusiveMinimum\":0,\"exclusiveMaximum\":1}", "-3", 0,
	    "must be greater than 0" },
	/* both kinds together: the stricter one speaks */
	{ "{\"minimum\":5,\"exclusiveMinimum\":5}", "5", 0,
	    "must be greater than 5" },
	{ "{\"minimum\":5}", "\"abc\"", 1, NULL },
	{ "{\"maximum\":5}", "[9]", 1, NULL },
	{ "{\"properties\":{\"limit\":{\"type\":\"integer\",\"minimum\":1,"
	    "\"maximum\":50}}}", "{\"limit\":51}", 0,
	    "$.limit: must be at most 50" },
	{ "{\"properties\":{\"limit\":{\"type\":\"integer\",\"minimum\":1,"
	    "\"maximum\":50}}}", "{\"limit\":10.5}", 0,
	    "$.limit: must be an integer" },
	/* 1e999 is infinity to cJSON: refused, whatever the schema */
	{ "{\"type\":\"number\"}", "1e999", 0, "$: number out of range" },
	{ "{\"maximum\":5}", "-1e999", 0, "number out of range" },
	{ "true", "[1,-1e999]", 0, "$[1]: number out of range" },
	{ "{}", "{\"n\":1e400}", 0, "$.n: number out of range" },
};

static const struct row multiples[] = {
	{ "{\"multipleOf\":3}", "9", 1, NULL },
	{ "{\"multipleOf\":3}", "-9", 1, NULL },
	{ "{\"multipleOf\":3}", "0", 1, NULL },
	{ "{\"multipleOf\":3}", "10", 0, "$: must be a multiple of 3" },
	{ "{\"multipleOf\":3}", "9.5", 0, "must be a multiple of 3" },
	{ "{\"multipleOf\":3}", "2", 0, "must be a multiple of 3" },
	/* exact beyond 2^53: 10^20 is a double, and leaves 1 modulo 3 */
	{ "{\"multipleOf\":3}", "1e20", 0, "multiple of 3" },
	{ "{\"multipleOf\":5}", "1e20", 1, NULL },
	{ "{\"multipleOf\":0.5}", "2.5", 1, NULL },
	{ "{\"multipleOf\":0.5}", "2.25", 0, "must be a multiple of 0.5" },
	/* decimal steps that no double holds exactly */
	{ "{\"multipleOf\":0.1}", "0.3", 1, NULL },
	{ "{\"multipleOf\":0.1}", "7", 1, NULL },
	{ "{\"multipleOf\":0.1}", "-0.7", 1, NULL },
	{ "{\"multipleOf\":0.1}", "0.35", 0, "must be a multiple of 0.1" },
	{ "{\"multipleOf\":0.1}", "1e-9", 0, "multiple of 0.1" },
	{ "{\"multipleOf\":0.01}", "4.35", 1, NULL },
	{ "{\"multipleOf\":0.01}", "19.99", 1, NULL },
	{ "{\"multipleOf\":0.01}", "0.30000000000000004", 1, NULL },
	{ "{\"multipleOf\":0.01}", "0.005", 0, "multiple of 0.01" },
	{ "{\"multipleOf\":0.01}", "1234.567", 0, "multiple of 0.01" },
	/* far-apart exponents finish, and without undefined behaviour */
	{ "{\"multipleOf\":1e-300}", "1e300", 1, NULL },
	{ "{\"multipleOf\":1e300}", "1e-300", 0, "multiple of 1e+300" },
	{ "{\"multipleOf\":5e-324}", "1.7976931348623157e308", 1, NULL },
	{ "{\"multipleOf\":2}", "\"4\"", 1, NULL },
};

static const struct row arrays[] = {
	{ "{\"items\":{\"type\":\"integer\"}}", "[1,2,3]", 1, NULL },
	{ "{\"items\":{\"type\":\"integer\"}}", "[1,2,\"x\"]", 0,
	    "$[2]: must be an integer" },
	{ "{\"items\":{\"type\":\"integer\"}}", "[]", 1, NULL },
	{ "{\"items\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}",
	    "[[\"a\"],[\"b\",2]]", 0, "$[1][1]: must be a string" },
	{ "{\"items\":{\"properties\":{\"n\":{\"minimum\":0}}}}",
	    "[{\"n\":1},{\"n\":-1}]", 0, "$[1].n: must be at least 0" },
	{ "{\"minItems\":1,\"maxItems\":2}", "[]", 0,
	    "$: must have at least 1 item" },
	{ "{\"minItems\":1,\"maxItems\":2}", "[1]", 1, NULL },
	{ "{\"minItems\":1,\"maxItems\":2}", "[1,2]", 1, NULL },
	{ "{\"minItems\":1,\"maxItems\":2}", "[1,2,3]", 0,
	    "$: must have at most 2 items" },
	{ "{\"maxItems\":0}", "[]", 1, NULL },
	{ "{\"maxItems\":0}", "[null]", 0, "must have at most 0 items" },
	{ "{\"minItems\":2}", "\"x\"", 1, NULL },
	{ "{\"uniqueItems\":true}", "[1,2,3]", 1, NULL },
	{ "{\"uniqueItems\":true}", "[]", 1, NULL },
	{ "{\"uniqueItems\":true}", "[1,2,1]", 0,
	    "$: items 0 and 2 are equal (must be unique)" },
	{ "{\"uniqueItems\":true}", "[1,1.0]", 0, "items 0 and 1 are equal" },
	{ "{\"uniqueItems\":true}", "[1,\"1\",true,null,[1],{\"1\":1}]", 1,
	    NULL },
	{ "{\"uniqueItems\":true}", "[{\"a\":1,\"b\":2},{\"b\":2,\"a\":1}]", 0,
	    "items 0 and 1 are equal" },
	{ "{\"uniqueItems\":true}", "[[1],[1,2]]", 1, NULL },
	{ "{\"uniqueItems\":true}", "[\"a\",\"b\",\"c\",\"b\"]", 0,
	    "items 1 and 3 are equal" },
	{ "{\"uniqueItems\":false}", "[1,1]", 1, NULL },
	{ "{\"properties\":{\"t\":{\"uniqueItems\":true}}}", "{\"t\":[0,0]}",
	    0, "$.t: items 0 and 1 are equal" },
	{ "{\"items\":false}", "[]", 1, NULL },
	{ "{\"items\":false}", "[1]", 0, "$[0]: not allowed" },
	{ "{\"items\":true}", "[1,{},[]]", 1, NULL },
};

static const struct row booleans[] = {
	{ "true", "1", 1, NULL },
	{ "true", "{\"a\":[null,\"x\"]}", 1, NULL },
	{ "false", "1", 0, "$: not allowed" },
	{ "false", "{}", 0, "$: not allowed" },
	{ "{}", "[1,\"x\",{\"y\":null}]", 1, NULL },
	{ "{\"properties\":{\"x\":false}}", "{\"x\":1}", 0,
	    "$.x: not allowed" },
	{ "{\"properties\":{\"x\":false}}", "{}", 1, NULL },
	{ "{\"properties\":{\"x\":true}}", "{\"x\":[]}", 1, NULL },
	{ "{\"additionalProperties\":{\"items\":false}}", "{\"a\":[1]}", 0,
	    "$.a[0]: not allowed" },
};

static const struct row annotations[] = {
	{ "{\"title\":\"T\",\"description\":\"d\",\"default\":3,"
	    "\"examples\":[1],\"$schema\":"
	    "\"https://json-schema.org/draft/2020-12/schema\",\"$id\":\"x\","
	    "\"$comment\":\"c\",\"deprecated\":true,\"readOnly\":false,"
	    "\"writeOnly\":false,\"type\":\"integer\"}", "3", 1, NULL },
	{ "{\"title\":\"T\",\"description\":\"d\",\"type\":\"integer\"}",
	    "\"3\"", 0, "must be an integer" },
	/* their values are not looked at: they constrain nothing */
	{ "{\"title\":5,\"default\":{\"$ref\":1},\"examples\":\"x\"}", "0", 1,
	    NULL },
	{ "{\"properties\":{\"a\":{\"description\":\"why\",\"type\":\"string\""
	    "}}}", "{\"a\":1}", 0, "$.a: must be a string" },
};

/* Keywords we cannot enforce: the whole schema is refused, naming them. */
static const struct row unsupported[] = {
	{ "{\"$ref\":\"#/$defs/a\"}", "1", -1,
	    "#: unsupported keyword \"$ref\"" },
	{ "{\"$defs\":{}}", "1", -1, "unsupported keyword \"$defs\"" },
	{ "{\"definitions\":{}}", "1", -1,
	    "unsupported keyword \"definitions\"" },
	{ "{\"oneOf\":[{}]}", "1", -1, "unsupported keyword \"oneOf\"" },
	{ "{\"anyOf\":[{}]}", "1", -1, "unsupported keyword \"anyOf\"" },
	{ "{\"allOf\":[{}]}", "1", -1, "unsupported keyword \"allOf\"" },
	{ "{\"not\":{}}", "1", -1, "unsupported keyword \"not\"" },
	{ "{\"if\":{},\"then\":{}}", "1", -1, "unsupported keyword \"if\"" },
	{ "{\"then\":{}}", "1", -1, "unsupported keyword \"then\"" },
	{ "{\"else\":{}}", "1", -1, "unsupported keyword \"else\"" },
	{ "{\"type\":\"string\",\"format\":\"uri\"}", "\"x\"", -1,
	    "unsupported keyword \"format\"" },
	{ "{\"type\":\"string\",\"pattern\":\"^a\"}", "\"a\"", -1,
	    "unsupported keyword \"pattern\"" },
	{ "{\"patternProperties\":{}}", "{}", -1,
	    "unsupported keyword \"patternProperties\"" },
	{ "{\"dependentRequired\":{}}", "{}", -1,
	    "unsupported keyword \"dependentRequired\"" },
	{ "{\"dependentSchemas\":{}}", "{}", -1,
	    "unsupported keyword \"dependentSchemas\"" },
	{ "{\"propertyNames\":{}}", "{}", -1,
	    "unsupported keyword \"propertyNames\"" },
	{ "{\"minProperties\":1}", "{}", -1,
	    "unsupported keyword \"minProperties\"" },
	{ "{\"maxProperties\":1}", "{}", -1,
	    "unsupported keyword \"maxProperties\"" },
	{ "{\"prefixItems\":[]}", "[]", -1,
	    "unsupported keyword \"prefixItems\"" },
	{ "{\"additionalItems\":false}", "[]", -1,
	    "unsupported keyword \"additionalItems\"" },
	{ "{\"contains\":{}}", "[]", -1, "unsupported keyword \"contains\"" },
	{ "{\"unevaluatedProperties\":false}", "{}", -1,
	    "unsupported keyword \"unevaluatedProperties\"" },
	{ "{\"nullable\":true}", "null", -1,
	    "unsupported keyword \"nullable\"" },
	{ "{\"Type\":\"string\"}", "1", -1, "unsupported keyword \"Type\"" },
	{ "{\"properties\":{\"q\":{\"type\":\"string\",\"pattern\":\"x\"}}}",
	    "{}", -1, "#/properties/q: unsupported keyword \"pattern\"" },
	{ "{\"items\":{\"format\":\"uri\"}}", "[]", -1,
	    "#/items: unsupported keyword \"format\"" },
	{ "{\"additionalProperties\":{\"anyOf\":[]}}", "{}", -1,
	    "#/additionalProperties: unsupported keyword \"anyOf\"" },
	{ "{\"properties\":{\"a/b~c\":{\"oneOf\":[]}}}", "{}", -1,
	    "#/properties/a~1b~0c: unsupported keyword \"oneOf\"" },
	/* refused even where the value would never reach it */
	{ "{\"properties\":{\"unused\":{\"not\":{}}}}", "{}", -1, "\"not\"" },
};

/* Schemas that are not schemas of the subset at all. */
static const struct row malformed[] = {
	{ "5", "1", -1, "#: a schema must be an object or a boolean" },
	{ "null", "1", -1, "a schema must be an object or a boolean" },
	{ "\"string\"", "1", -1, "a schema must be an object or a boolean" },
	{ "[]", "1", -1, "a schema must be an object or a boolean" },
	{ "{\"type\":\"strin\"}", "1", -1, "#/type: must be one of object" },
	{ "{\"type\":5}", "1", -1, "#/type: must be one of" },
	{ "{\"type\":[]}", "1", -1, "#/type: must be one of" },
	{ "{\"type\":[\"string\",\"string\"]}", "1", -1, "#/type: must be" },
	{ "{\"type\":[\"string\",1]}", "1", -1, "#/type: must be" },
	{ "{\"type\":\"string\",\"type\":\"number\"}", "1", -1,
	    "#: repeated keyword \"type\"" },
	{ "{\"required\":\"a\"}", "{}", -1,
	    "#/required: must be an array of strings" },
	{ "{\"required\":[1]}", "{}", -1,
	    "#/required: must be an array of strings" },
	{ "{\"required\":[\"a\",\"b\",\"a\"]}", "{}", -1,
	    "#/required: \"a\" listed twice" },
	{ "{\"properties\":[]}", "{}", -1, "#/properties: must be an object" },
	{ "{\"properties\":{\"a\":5}}", "{}", -1,
	    "#/properties/a: a schema must be an object or a boolean" },
	{ "{\"additionalProperties\":\"no\"}", "{}", -1,
	    "#/additionalProperties: a schema must be" },
	{ "{\"items\":[{\"type\":\"string\"}]}", "[]", -1,
	    "#/items: must be a schema (the array form is not supported)" },
	{ "{\"items\":1}", "[]", -1, "#/items: a schema must be" },
	{ "{\"minLength\":-1}", "\"\"", -1,
	    "#/minLength: must be a non-negative integer" },
	{ "{\"maxLength\":1.5}", "\"\"", -1,
	    "#/maxLength: must be a non-negative integer" },
	{ "{\"minItems\":\"3\"}", "[]", -1,
	    "#/minItems: must be a non-negative integer" },
	{ "{\"maxItems\":1e999}", "[]", -1,
	    "#/maxItems: must be a non-negative integer" },
	{ "{\"minimum\":\"1\"}", "1", -1, "#/minimum: must be a number" },
	{ "{\"maximum\":null}", "1", -1, "#/maximum: must be a number" },
	{ "{\"maximum\":1e999}", "1", -1, "#/maximum: must be a number" },
	/* draft 4's boolean modifier, which 2020-12 replaced */
	{ "{\"maximum\":5,\"exclusiveMaximum\":true}", "1", -1,
	    "#/exclusiveMaximum: must be a number" },
	{ "{\"minimum\":5,\"exclusiveMinimum\":false}", "1", -1,
	    "#/exclusiveMinimum: must be a number" },
	{ "{\"multipleOf\":0}", "1", -1,
	    "#/multipleOf: must be a number greater than 0" },
	{ "{\"multipleOf\":-2}", "1", -1, "greater than 0" },
	{ "{\"multipleOf\":\"2\"}", "1", -1, "greater than 0" },
	{ "{\"uniqueItems\":1}", "[]", -1, "#/uniqueItems: must be a boolean" },
	{ "{\"enum\":\"a\"}", "1", -1, "#/enum: must be an array" },
	{ "{\"enum\":[1,1e999]}", "1", -1, "#/enum/1: number out of range" },
	{ "{\"const\":-1e999}", "1", -1, "#/const: number out of range" },
	{ "{\"properties\":{\"a\":{\"properties\":{\"b\":"
	    "{\"minLength\":-2}}}}}",
	    "{}", -1, "#/properties/a/properties/b/minLength: must be" },
};

static const char search[] = "{\"type\":\"object\",\"properties\":{\"query\":"
    "{\"type\":\"string\",\"minLength\":1,\"maxLength\":1000}},"
    "\"required\":[\"query\"],\"additionalProperties\":false}";
static const char fetch[] = "{\"type\":\"object\",\"properties\":{\"id\":"
    "{\"type\":\"string\",\"minLength\":1,\"maxLength\":200}},"
    "\"required\":[\"id\"],\"additionalProperties\":false}";

/* The two tools the product ships. */
static const struct row shipped[] = {
	{ search, "{\"query\":\"hello\"}", 1, NULL },
	{ search, "{\"query\":\"x\"}", 1, NULL },
	{ search, "{}", 0, "$.query: required" },
	{ search, "{\"query\":\"\"}", 0,
	    "$.query: must be at least 1 character" },
	{ search, "{\"query\":5}", 0, "$.query: must be a string" },
	{ search, "{\"query\":null}", 0, "$.query: must be a string" },
	{ search, "{\"query\":\"x\",\"limit\":5}", 0,
	    "$: unexpected property \"limit\"" },
	{ search, "{\"limit\":5}", 0, "$.query: required" },
	{ search, "[]", 0, "$: must be an object" },
	{ search, "\"hello\"", 0, "$: must be an object" },
	{ fetch, "{\"id\":\"doc-1\"}", 1, NULL },
	{ fetch, "{\"id\":\"\"}", 0, "$.id: must be at least 1 character" },
	{ fetch, "{}", 0, "$.id: required" },
	{ fetch, "{\"id\":42}", 0, "$.id: must be a string" },
	{ fetch, "{\"id\":\"a\",\"query\":\"b\"}", 0,
	    "$: unexpected property \"query\"" },
	{ fetch, "null", 0, "$: must be an object" },
};

#define RUN(t)	run(#t, t, sizeof(t) / sizeof(t[0]))

/* Exact messages for the examples the MCP endpoint documents. */
static void
exact(const char *schema, const char *value, const char *want)
{
	cJSON	*s = cJSON_Parse(schema), *v = cJSON_Parse(value);
	char	 err[256];
	int	 rc;

	rc = jschema_check(s, v, err, sizeof(err));
	is_str(rc == 1 ? "(valid)" : err, want, "message: %s", want);
	cJSON_Delete(s);
	cJSON_Delete(v);
}

static void
test_shipped_lengths(void)
{
	/* both boundaries of both limits, in characters, not bytes */
	check1("search", xstrdup(search),
	    longstr("{\"query\":", "q", 1000, "}"), 1, NULL);
	check1("search", xstrdup(search),
	    longstr("{\"query\":", "q", 1001, "}"), 0,
	    "$.query: must be at most 1000 characters");
	check1("search", xstrdup(search),
	    longstr("{\"query\":", "\xc3\xa9", 1000, "}"), 1, NULL);
	check1("search", xstrdup(search),
	    longstr("{\"query\":", "\xc3\xa9", 1001, "}"), 0,
	    "$.query: must be at most 1000 characters");
	check1("search", xstrdup(search),
	    longstr("{\"query\":", "\xf0\x9f\x98\x80", 1000, "}"), 1, NULL);
	check1("fetch", xstrdup(fetch),
	    longstr("{\"id\":", "i", 200, "}"), 1, NULL);
	check1("fetch", xstrdup(fetch),
	    longstr("{\"id\":", "i", 201, "}"), 0,
	    "$.id: must be at most 200 characters");
	check1("fetch", xstrdup(fetch),
	    longstr("{\"id\":", "\xe6\x97\xa5", 200, "}"), 1, NULL);
	check1("fetch", xstrdup(fetch),
	    longstr("{\"id\":", "\xe6\x97\xa5", 201, "}"), 0,
	    "$.id: must be at most 200 characters");
}

static void
test_depth(void)
{
	char	 want[256];
	size_t	 i;

	note("depth: values");
	/* JSCHEMA_MAXDEPTH levels of containers pass, one more does not */
	check1("depth", xstrdup("true"), nest("[", 16, "1", "]"), 1, NULL);
	check1("depth", xstrdup("true"), nest("[", 16, "", "]"), 1, NULL);
	check1("depth", xstrdup("true"), nest("[", 17, "", "]"), 0,
	    "nested deeper than 16 levels");
	check1("depth", xstrdup("true"), nest("[", 40, "", "]"), 0,
	    "nested deeper than 16 levels");
	check1("depth", xstrdup("{}"), nest("{\"a\":", 40, "1", "}"), 0,
	    "$.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a: nested deeper than 16");
	check1("depth", xstrdup("{\"type\":\"array\"}"),
	    nest("[", 40, "", "]"), 0, "nested deeper than 16 levels");
	check1("depth", xstrdup("{\"additionalProperties\":true}"),
	    nest("{\"a\":[", 20, "", "]}"), 0, "nested deeper");
	/* comparing with a shallow enum item stops at the item's depth */
	check1("depth", xstrdup("{\"enum\":[[[[1]]]]}"), nest("[", 40, "", "]"),
	    0, "$: must be one of the allowed values");

	note("depth: schemas");
	/* items 16 deep with a scalar at the bottom: usable, and it bites */
	check1("depth", nest("{\"items\":", 16, "{\"type\":\"integer\"}", "}"),
	    nest("[", 16, "1", "]"), 1, NULL);
	strcpy(want, "$");
	for (i = 0; i < 16; i++)
		strcat(want, "[0]");
	strcat(want, ": must be a string");
	check1("depth", nest("{\"items\":", 16, "{\"type\":\"string\"}", "}"),
	    nest("[", 16, "1", "]"), 0, want);
	check1("depth", nest("{\"items\":", 17, "{}", "}"), xstrdup("[]"), -1,
	    "schema nested deeper than 16 levels");
	check1("depth", nest("{\"properties\":{\"a\":", 16, "{}", "}}"),
	    xstrdup("{}"), 1, NULL);
	check1("depth", nest("{\"properties\":{\"a\":", 17, "{}", "}}"),
	    xstrdup("{}"), -1, "schema nested deeper than 16 levels");
	check1("depth", nest("{\"properties\":{\"a\":", 40, "{}", "}}"),
	    xstrdup("{}"), -1, "#/.../a/properties/a/properties/a");
	check1("depth", nest("{\"properties\":{\"a\":", 40, "{}", "}}"),
	    xstrdup("{}"), -1,
	    "/properties/a: schema nested deeper than 16 levels");
	/* a long path loses its start, never the message */
	check1("depth", nest("{\"additionalProperties\":", 15,
	    "{\"type\":\"string\"}", "}"),
	    nest("{\"abcdefghijklmnopqrstuvwxyz\":", 15, "1", "}"), 0,
	    "$..abcdefghijklmnopqrstuvwxyz.abcdefghijklmnopqrstuvwxyz.");
	check1("depth", nest("{\"additionalProperties\":", 15,
	    "{\"type\":\"string\"}", "}"),
	    nest("{\"abcdefghijklmnopqrstuvwxyz\":", 15, "1", "}"), 0,
	    ".abcdefghijklmnopqrstuvwxyz: must be a string");
	check1("depth", nest("{\"additionalProperties\":", 40, "true", "}"),
	    xstrdup("{}"), -1, "schema nested deeper than 16 levels");
	/* values inside a schema are bounded too */
	{
		char *lit = nest("[", 17, "", "]"), *s;

		s = xasprintf("{\"enum\":[%s]}", lit);
		free(lit);
		check1("depth", s, xstrdup("1"), -1,
		    "#/enum/0: value nested deeper than 16 levels");
	}
}

static void
test_size(void)
{
	char	*s;
	size_t	 i, n;

	note("size and work");
	/* the root counts: an array of MAXNODES - 1 items is the largest */
	check1("size", xstrdup("{\"items\":{\"type\":\"integer\"}}"),
	    intarray(JSCHEMA_MAXNODES - 1, 0, 1), 1, NULL);
	check1("size", xstrdup("{\"items\":{\"type\":\"integer\"}}"),
	    intarray(JSCHEMA_MAXNODES, 0, 1), 0,
	    "$[4095]: too many values (at most 4096 in all)");
	check1("size", xstrdup("true"), intarray(100000, 0, 1), 0,
	    "$: too many values (at most 4096 in all)");
	/* maxItems speaks before the size bound */
	check1("size", xstrdup("{\"maxItems\":10}"), intarray(10000, 0, 1), 0,
	    "$: must have at most 10 items");
	/* an object with too many members */
	s = xmalloc(5000 * 16 + 3);
	n = 0;
	s[n++] = '{';
	for (i = 0; i < 5000; i++)
		n += (size_t)sprintf(s + n, "%s\"k%zu\":0", i ? "," : "", i);
	s[n++] = '}';
	s[n] = '\0';
	check1("size", xstrdup("{}"), s, 0, "too many values");

	/* uniqueItems is quadratic: a thousand items pass, two refuse */
	check1("work", xstrdup("{\"uniqueItems\":true}"),
	    intarray(1000, 0, 1), 1, NULL);
	check1("work", xstrdup("{\"uniqueItems\":true}"),
	    intarray(2000, 0, 1), 0, "$: too large to check");
	check1("work", xstrdup("{\"uniqueItems\":true}"),
	    intarray(2000, 7, 0), 0, "$: items 0 and 1 are equal");
	/* long equal strings cost in proportion to their length */
	{
		char *a = longstr("", "z", 200000, "");

		s = xasprintf("[%s,%s,%s]", a, a, a);
		free(a);
		check1("work", xstrdup("{\"uniqueItems\":true}"), s, 0,
		    "items 0 and 1 are equal");
	}
	/* a big enum: a miss costs 3000 steps, a late hit nearly as many */
	{
		char *e = intarray(3000, 0, 1);

		s = xasprintf("{\"items\":{\"enum\":%s}}", e);
		check1("work", xstrdup(s), intarray(50, -1, 0), 0,
		    "$[0]: must be one of the allowed values");
		check1("work", xstrdup(s), intarray(250, 2999, 0), 1, NULL);
		check1("work", s, intarray(1000, 2999, 0), 0,
		    "too large to check");
		free(e);
	}
	/* and schemas are bounded in size */
	{
		char *e = intarray(5000, 0, 1);

		s = xasprintf("{\"enum\":%s}", e);
		free(e);
		check1("size", s, xstrdup("1"), -1, "schema too large");
	}
}

static void
test_messages(void)
{
	cJSON	*s, *v;
	char	 err[30], big[256];
	int	 rc;

	note("messages");
	exact("{\"properties\":{\"limit\":{\"maximum\":50}}}", "{\"limit\":51}",
	    "$.limit: must be at most 50");
	exact(search, "{}", "$.query: required");
	exact("{\"properties\":{\"tags\":{\"items\":{\"enum\":[\"a\"]}}}}",
	    "{\"tags\":[\"a\",\"a\",\"b\"]}",
	    "$.tags[2]: must be one of the allowed values");
	exact("{\"additionalProperties\":false}", "{\"foo\":1}",
	    "$: unexpected property \"foo\"");
	exact("{\"properties\":{\"limit\":{\"type\":\"integer\"}}}",
	    "{\"limit\":\"5\"}", "$.limit: must be an integer");
	exact("{\"properties\":{\"q\":{\"pattern\":\"x\"}}}", "{}",
	    "#/properties/q: unsupported keyword \"pattern\"");
	exact("{\"multipleOf\":0.01}", "0.001",
	    "$: must be a multiple of 0.01");
	exact(search, "{\"query\":\"ok\"}", "(valid)");

	/* a long value is never echoed */
	s = cJSON_Parse("{\"properties\":{\"q\":{\"enum\":[\"a\"]}}}");
	v = cJSON_CreateObject();
	{
		char *l = longstr("", "x", 5000, "");

		l[strlen(l) - 1] = '\0';
		cJSON_AddStringToObject(v, "q", l + 1);
		free(l);
	}
	rc = jschema_check(s, v, big, sizeof(big));
	ok(rc == 0 && strlen(big) < 60 && strstr(big, "xxx") == NULL,
	    "a 5000-byte value is not quoted: \"%s\"", big);
	cJSON_Delete(v);
	cJSON_Delete(s);

	/* cut to the buffer, on a character boundary */
	s = cJSON_Parse("{\"additionalProperties\":false}");
	v = cJSON_Parse("{\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\":1}");
	rc = jschema_check(s, v, err, sizeof(err));
	ok(rc == 0 && strlen(err) == 28 && valid_utf8(err, strlen(err)),
	    "a cut message stays valid UTF-8 (%zu bytes)", strlen(err));
	is_str(err, "$: unexpected property \"\xc3\xa9\xc3\xa9", "cut message");
	rc = jschema_check(s, v, err, 1);
	ok(rc == 0 && err[0] == '\0', "a one-byte buffer holds the NUL");
	rc = jschema_check(s, v, NULL, 0);
	ok(rc == 0, "no buffer at all: same result");
	cJSON_Delete(v);
	/* the valid case leaves err empty */
	v = cJSON_Parse("{}");
	memset(err, 'x', sizeof(err));
	rc = jschema_check(s, v, err, sizeof(err));
	ok(rc == 1 && err[0] == '\0', "valid: err is empty");
	cJSON_Delete(v);
	cJSON_Delete(s);

	/* NaN cannot be parsed, but a tree built in C may hold one */
	s = cJSON_Parse("{\"type\":\"number\"}");
	v = cJSON_CreateNumber(NAN);
	rc = jschema_check(s, v, err, sizeof(err));
	ok(rc == 0 && strcmp(err, "$: number out of range") == 0,
	    "a NaN value is refused: \"%s\"", err);
	cJSON_Delete(s);
	s = cJSON_CreateObject();
	cJSON_AddItemToObject(s, "maximum", cJSON_CreateNumber(NAN));
	rc = jschema_check(s, v, err, sizeof(err));
	ok(rc == -1 && strstr(err, "#/maximum: must be a number") != NULL,
	    "a NaN bound makes the schema unusable: \"%s\"", err);
	cJSON_Delete(s);
	s = cJSON_CreateObject();
	cJSON_AddItemToObject(s, "enum", cJSON_CreateArray());
	cJSON_AddItemToArray(cJSON_GetObjectItem(s, "enum"), v);
	rc = jschema_check(s, s, err, sizeof(err));
	ok(rc == -1 && strstr(err, "#/enum/0: number out of range") != NULL,
	    "a NaN in enum makes the schema unusable: \"%s\"", err);
	cJSON_Delete(s);

	/* NULL in, no crash */
	ok(jschema_valid_schema(NULL, err, sizeof(err)) == 0,
	    "no schema is not usable");
	v = cJSON_Parse("1");
	ok(jschema_check(NULL, v, err, sizeof(err)) == -1,
	    "no schema: -1");
	s = cJSON_Parse("true");
	ok(jschema_check(s, NULL, err, sizeof(err)) == 0 &&
	    strcmp(err, "$: no value") == 0, "no value: invalid");
	cJSON_Delete(s);
	cJSON_Delete(v);
}

int
main(void)
{
	RUN(types);
	RUN(properties);
	RUN(required);
	RUN(additional);
	RUN(enums);
	RUN(consts);
	RUN(lengths);
	RUN(numbers);
	RUN(multiples);
	RUN(arrays);
	RUN(booleans);
	RUN(annotations);
	RUN(unsupported);
	RUN(malformed);
	RUN(shipped);
	test_shipped_lengths();
	test_depth();
	test_size();
	test_messages();
	return done_testing();
}
