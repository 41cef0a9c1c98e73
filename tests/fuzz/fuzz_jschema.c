/*
 * fuzz_jschema.c: the JSON Schema subset (src/lib/jschema.c) with both
 * the schema and the value from the input.
 *
 * Input: schema JSON, a NUL byte, value JSON (without the NUL, the whole
 * input is the schema and the value is {}).  Both go through json_parse
 * as src/mcp.c parses a body.
 *
 * Invariants: jschema_check is -1 exactly when jschema_valid_schema
 * refuses the schema; the verdict does not depend on the message buffer
 * (none, tiny, ample); every message is NUL-terminated valid UTF-8 that
 * starts with its path ("#" for a schema, "$" for a value); a value the
 * true schema accepts is accepted by {"const": value} and by
 * {"enum": [value]} unless that is too large to check, and refused by
 * false and by {"not-a-keyword": 1}, which is no usable schema.
 */
#include "config.h"

#include "jschema.h"
#include "json.h"
#include "valid.h"

#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	json_init();
	return 0;
}

static void
check_msg(const char *err, size_t errsz, char root)
{
	size_t	n = strlen(err);

	FUZZ_CHECK(n < errsz);
	FUZZ_CHECK(valid_utf8(err, n));
	if (n > 0)
		FUZZ_CHECK(err[0] == root);
}

static int
checked(const cJSON *schema, const cJSON *value)
{
	static const size_t	 sizes[] = { 1, 2, 7, 41, 80, 512 };
	char			 err[512];
	size_t			 i;
	int			 rc, rc2;

	rc = jschema_check(schema, value, NULL, 0);
	FUZZ_CHECK(rc >= -1 && rc <= 1);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(err, 'x', sizeof(err));
		rc2 = jschema_check(schema, value, err, sizes[i]);
		FUZZ_CHECK(rc2 == rc);
		check_msg(err, sizes[i], rc == -1 ? '#' : '$');
		if (rc != 1 && sizes[i] > 40)
			FUZZ_CHECK(strlen(err) > 3);
		if (rc == 1)
			FUZZ_CHECK(err[0] == '\0');
	}
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part	 part[2];
	cJSON			*schema, *value, *s2, *arr;
	char			*a, *b, err[512];
	int			 valid, rc, rc2;

	if (fuzz_split(data, size, '\0', part, 2) == 1) {
		part[1].p = "{}";
		part[1].len = 2;
	}
	a = fuzz_exact(part[0].p, part[0].len);
	b = fuzz_exact(part[1].p, part[1].len);
	schema = json_parse(a, part[0].len, 65536, 64, err, sizeof(err));
	value = json_parse(b, part[1].len, 65536, 64, err, sizeof(err));
	if (schema == NULL || value == NULL)
		goto out;

	memset(err, 'x', sizeof(err));
	valid = jschema_valid_schema(schema, err, sizeof(err));
	FUZZ_CHECK(valid == 0 || valid == 1);
	check_msg(err, sizeof(err), '#');
	FUZZ_CHECK(valid == 0 ? err[0] != '\0' : err[0] == '\0');
	FUZZ_CHECK(jschema_valid_schema(schema, NULL, 0) == valid);

	rc = checked(schema, value);
	FUZZ_CHECK(valid ? rc != -1 : rc == -1);

	/* the value on its own, against schemas made of it */
	s2 = cJSON_CreateTrue();
	rc = checked(s2, value);
	cJSON_Delete(s2);
	s2 = cJSON_CreateFalse();
	FUZZ_CHECK(checked(s2, value) == 0);
	cJSON_Delete(s2);
	s2 = cJSON_CreateObject();
	cJSON_AddNumberToObject(s2, "not-a-keyword", 1);
	FUZZ_CHECK(checked(s2, value) == -1);
	cJSON_Delete(s2);
	if (rc == 1) {
		s2 = cJSON_CreateObject();
		cJSON_AddItemToObject(s2, "const", cJSON_Duplicate(value, 1));
		rc2 = jschema_check(s2, value, err, sizeof(err));
		FUZZ_CHECK(rc2 == 1 || strstr(err, "too large") != NULL ||
		    strstr(err, "deeper") != NULL);
		cJSON_Delete(s2);
		s2 = cJSON_CreateObject();
		arr = cJSON_AddArrayToObject(s2, "enum");
		cJSON_AddItemToArray(arr, cJSON_CreateNull());
		cJSON_AddItemToArray(arr, cJSON_Duplicate(value, 1));
		rc2 = jschema_check(s2, value, err, sizeof(err));
		FUZZ_CHECK(rc2 == 1 || strstr(err, "too large") != NULL ||
		    strstr(err, "deeper") != NULL);
		cJSON_Delete(s2);
	}
out:
	cJSON_Delete(schema);
	cJSON_Delete(value);
	free(a);
	free(b);
	return 0;
}
