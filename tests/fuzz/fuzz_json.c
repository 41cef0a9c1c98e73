/*
 * fuzz_json.c: json_parse (src/lib/json.c) with its limits, and the
 * getters and printer the programs use on what it returns.
 *
 * Input: one byte that picks the depth limit (its low 6 bits), then the
 * JSON text.  Invariants: a refusal says why; an accepted tree is no
 * deeper than the limit, has no object with a repeated member name and
 * no string or name that is not NUL-free valid UTF-8; printed, it parses
 * back (within the same limits) to a tree that prints the same; the
 * getters never return a value of another type; json_strarray keeps the
 * words of a string.
 */
#include "config.h"

#include "json.h"
#include "valid.h"

#include "fuzz.h"

#define MAXLEN	(1u << 20)

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	json_init();
	return 0;
}

/* Depth of j (a scalar is 0, [] is 1); checks names and strings. */
static size_t
walk(const cJSON *j, int in_object)
{
	const cJSON	*a, *b;
	size_t		 d, max = 0;

	if (in_object)
		FUZZ_CHECK(j->string != NULL &&
		    valid_utf8(j->string, strlen(j->string)));
	if (cJSON_IsString(j))
		FUZZ_CHECK(valid_utf8(j->valuestring, strlen(j->valuestring)));
	if (!cJSON_IsArray(j) && !cJSON_IsObject(j))
		return 0;
	for (a = j->child; a != NULL; a = a->next) {
		if (cJSON_IsObject(j))
			for (b = a->next; b != NULL; b = b->next)
				FUZZ_CHECK(strcmp(a->string, b->string) != 0);
		if ((d = walk(a, cJSON_IsObject(j))) > max)
			max = d;
	}
	return max + 1;
}

/* The words of s, as json_strarray makes them, joined, are s's words. */
static void
check_strarray(const char *s)
{
	cJSON		*a = json_strarray(s);
	const cJSON	*w;
	const char	*p = s;
	size_t		 n;

	FUZZ_CHECK(cJSON_IsArray(a));
	cJSON_ArrayForEach(w, a) {
		FUZZ_CHECK(cJSON_IsString(w));
		n = strlen(w->valuestring);
		FUZZ_CHECK(n > 0 && strchr(w->valuestring, ' ') == NULL);
		while (*p == ' ')
			p++;
		FUZZ_CHECK(strncmp(p, w->valuestring, n) == 0);
		p += n;
	}
	while (*p == ' ')
		p++;
	FUZZ_CHECK(*p == '\0');
	cJSON_Delete(a);
}

static void
check_getters(const cJSON *j)
{
	static const char *const keys[] = {
		"jsonrpc", "method", "id", "params", "name", "redirect_uris",
		"a", "",
	};
	const cJSON	*v;
	const char	*s;
	size_t		 i;
	int		 bv, rc;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = cJSON_GetObjectItemCaseSensitive(j, keys[i]);
		s = json_get_str(j, keys[i]);
		FUZZ_CHECK(s == NULL || (cJSON_IsString(v) &&
		    s == v->valuestring));
		FUZZ_CHECK((json_get_array(j, keys[i]) != NULL) ==
		    cJSON_IsArray(v));
		FUZZ_CHECK((json_get_object(j, keys[i]) != NULL) ==
		    cJSON_IsObject(v));
		bv = 7;
		rc = json_get_bool(j, keys[i], &bv);
		FUZZ_CHECK(rc == (v == NULL ? 0 : cJSON_IsBool(v) ? 1 : -1));
		FUZZ_CHECK(rc == 1 ? bv == cJSON_IsTrue(v) : bv == 7);
		if (s != NULL)
			check_strarray(s);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON		*j, *k;
	struct buf	 b1, b2;
	size_t		 maxdepth;
	char		*s, err[256];

	if (size == 0)
		return 0;
	maxdepth = data[0] & 63;
	s = fuzz_exact(data + 1, size - 1);
	err[0] = '\0';
	if ((j = json_parse(s, size - 1, MAXLEN, maxdepth, err,
	    sizeof(err))) == NULL) {
		FUZZ_CHECK(err[0] != '\0');
		free(s);
		return 0;
	}
	FUZZ_CHECK(walk(j, 0) <= maxdepth);
	check_getters(j);

	buf_init(&b1, 8 * MAXLEN);
	buf_init(&b2, 8 * MAXLEN);
	FUZZ_CHECK(json_print(j, &b1) == 0);
	k = json_parse(buf_str(&b1), b1.len, 8 * MAXLEN, maxdepth, err,
	    sizeof(err));
	if (k == NULL)
		fuzz_fail(__FILE__, __LINE__, err);
	FUZZ_CHECK(json_print(k, &b2) == 0);
	FUZZ_CHECK(b1.len == b2.len && memcmp(b1.ptr, b2.ptr, b1.len) == 0);
	cJSON_Delete(k);
	buf_free(&b1);
	buf_free(&b2);

	/* the same text with less room is refused, never truncated */
	if (size > 2)
		FUZZ_CHECK(json_parse(s, size - 1, size - 2, maxdepth, err,
		    sizeof(err)) == NULL);
	cJSON_Delete(j);
	free(s);
	return 0;
}
