/*
 * json.c: bounded JSON parsing, typed getters, printing (see json.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "valid.h"
#include "xmalloc.h"

static void *
json_malloc(size_t n)
{
	return xmalloc(n ? n : 1);
}

/*
 * Route cJSON's allocations through xmalloc: cJSON reports an allocation
 * failure as a parse failure, which would turn memory exhaustion into a
 * misleading 400.  Call once per process.
 */
void
json_init(void)
{
	cJSON_Hooks	hooks = { json_malloc, free };

	cJSON_InitHooks(&hooks);
}

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((__format__(__printf__, 3, 4)));

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/*
 * The deepest nesting of arrays and objects in s[0..len), counting only
 * brackets outside strings.  Cheap, and run before cJSON recurses.
 */
static size_t
json_depth(const char *s, size_t len)
{
	size_t	i, depth = 0, max = 0;
	int	instr = 0;

	for (i = 0; i < len; i++) {
		if (instr) {
			if (s[i] == '\\') {
				/* \u0000 would become a NUL inside a C string */
				if (len - i >= 6 && s[i + 1] == 'u' &&
				    memcmp(s + i + 2, "0000", 4) == 0)
					return (size_t)-1;
				i++;
			} else if (s[i] == '"')
				instr = 0;
			continue;
		}
		switch (s[i]) {
		case '"':
			instr = 1;
			break;
		case '[':
		case '{':
			if (++depth > max)
				max = depth;
			break;
		case ']':
		case '}':
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
	}
	return max;
}

static int
cmpname(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Whether any object in the tree has two members with the same name.
 * An object's names are sorted, not compared in pairs: pairwise, the
 * 30000 members that fit in a 256 KiB MCP body took 4 s of CPU.
 */
static int
json_has_duplicates(const cJSON *j)
{
	const cJSON	 *a;
	const char	**names;
	size_t		  n = 0, i;
	int		  dup = 0;

	if (cJSON_IsObject(j)) {
		for (a = j->child; a != NULL; a = a->next)
			n++;
		if (n > 1) {
			names = xreallocarray(NULL, n, sizeof(*names));
			for (i = 0, a = j->child; a != NULL; a = a->next)
				names[i++] = a->string;
			qsort(names, n, sizeof(*names), cmpname);
			for (i = 1; i < n && !dup; i++)
				dup = strcmp(names[i - 1], names[i]) == 0;
			free(names);
			if (dup)
				return 1;
		}
	}
	for (a = j->child; a != NULL; a = a->next)
		if (json_has_duplicates(a))
			return 1;
	return 0;
}

/*
 * Parse s[0..len) as one JSON value within maxlen bytes and maxdepth
 * levels.  Returns the tree (the caller cJSON_Delete()s it) or NULL with
 * a message fit for the client in err.
 */
cJSON *
json_parse(const char *s, size_t len, size_t maxlen, size_t maxdepth, char *err,
    size_t errsz)
{
	cJSON		*j;
	const char	*end = NULL;
	size_t		 i, depth;

	if (len > maxlen) {
		seterr(err, errsz, "JSON text longer than %zu bytes", maxlen);
		return NULL;
	}
	if (!valid_utf8(s, len)) {
		seterr(err, errsz, "JSON text is not valid UTF-8");
		return NULL;
	}
	if ((depth = json_depth(s, len)) == (size_t)-1) {
		seterr(err, errsz, "JSON string with a NUL character (\\u0000)");
		return NULL;
	}
	if (depth > maxdepth) {
		seterr(err, errsz, "JSON nested deeper than %zu levels", maxdepth);
		return NULL;
	}
	if ((j = cJSON_ParseWithLengthOpts(s, len, &end, 0)) == NULL) {
		seterr(err, errsz, "malformed JSON");
		return NULL;
	}
	for (i = (size_t)(end - s); i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') {
			cJSON_Delete(j);
			seterr(err, errsz, "malformed JSON: text after the value");
			return NULL;
		}
	if (json_has_duplicates(j)) {
		cJSON_Delete(j);
		seterr(err, errsz, "JSON object with a repeated member name");
		return NULL;
	}
	return j;
}

/* The string member key of obj; NULL when absent or not a string. */
const char *
json_get_str(const cJSON *obj, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The boolean member key: 1 (set *out), 0 absent, -1 not a boolean. */
int
json_get_bool(const cJSON *obj, const char *key, int *out)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (v == NULL)
		return 0;
	if (!cJSON_IsBool(v))
		return -1;
	*out = cJSON_IsTrue(v);
	return 1;
}

const cJSON *
json_get_array(const cJSON *obj, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsArray(v) ? v : NULL;
}

const cJSON *
json_get_object(const cJSON *obj, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsObject(v) ? v : NULL;
}

/* Append the compact text of j to b.  0, or -1 when b's ceiling is hit. */
int
json_print(const cJSON *j, struct buf *b)
{
	char	*s;
	int	 rc;

	if ((s = cJSON_PrintUnformatted(j)) == NULL)
		return -1;
	rc = buf_adds(b, s);
	cJSON_free(s);
	return rc;
}

/* A new JSON array of the space-separated words of s (may be empty). */
cJSON *
json_strarray(const char *s)
{
	cJSON	*a = cJSON_CreateArray();
	size_t	 n;
	char	*w;

	while (*s != '\0') {
		while (*s == ' ')
			s++;
		if ((n = strcspn(s, " ")) == 0)
			break;
		w = xstrndup(s, n);
		cJSON_AddItemToArray(a, cJSON_CreateString(w));
		free(w);
		s += n;
	}
	return a;
}
