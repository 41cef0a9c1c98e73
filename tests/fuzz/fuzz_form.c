/*
 * fuzz_form.c: form_parse and form_decode (src/lib/form.c) over any
 * bytes, as a query string or an application/x-www-form-urlencoded body.
 *
 * Invariants: a parsed form holds only declared fields, each value
 * NUL-free valid UTF-8 of the length stated, within its limit and
 * accepted by its validator; a refusal says why in printable ASCII
 * without quoting the input; the fields of a parsed form, encoded again,
 * parse to the same values; and what form_decode returns, percent-encoded
 * again, decodes to itself.
 */
#include "config.h"

#include "form.h"
#include "valid.h"

#include "fuzz.h"

enum { F_GRANT, F_CODE, F_REDIRECT, F_STATE, F_DIGIT, F__MAX };

static int
valid_digit(struct field *f)
{
	if (f->len != 1 || f->val[0] < '0' || f->val[0] > '9')
		return 0;
	f->num = f->val[0] - '0';
	return 1;
}

static const struct field_spec spec[F__MAX] = {
	[F_GRANT] = { "grant_type", NULL, 0 },
	[F_CODE] = { "code", NULL, 64 },
	[F_REDIRECT] = { "redirect_uri", NULL, 2000 },
	[F_STATE] = { "state", NULL, 8 },
	[F_DIGIT] = { "n", valid_digit, 0 },
};

/* Append s[0..n) to o percent-encoded (every byte but unreserved ones). */
static size_t
encode(const char *s, size_t n, char *o)
{
	static const char	hex[] = "0123456789ABCDEF";
	size_t			i, k = 0;
	unsigned char		c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			o[k++] = (char)c;
		else if (c == ' ')
			o[k++] = '+';
		else {
			o[k++] = '%';
			o[k++] = hex[c >> 4];
			o[k++] = hex[c & 15];
		}
	}
	return k;
}

static void
check_parsed(const struct field *f)
{
	struct field	 g;
	size_t		 i, max;

	for (i = 0; i < F__MAX; i++) {
		if (f[i].val == NULL) {
			FUZZ_CHECK(f[i].len == 0);
			continue;
		}
		max = spec[i].maxlen ? spec[i].maxlen : FORM_MAXLEN;
		FUZZ_CHECK(strlen(f[i].val) == f[i].len);
		FUZZ_CHECK(f[i].len <= max);
		FUZZ_CHECK(valid_utf8(f[i].val, f[i].len));
		if (spec[i].valid != NULL) {
			g = f[i];
			FUZZ_CHECK(spec[i].valid(&g) && g.num == f[i].num);
		}
	}
}

/* The parsed fields, encoded as a form again, parse to the same values. */
static void
check_reparse(const struct field *f)
{
	struct field	 g[F__MAX];
	char		*s, *p, err[128];
	size_t		 i, n = 1;

	for (i = 0; i < F__MAX; i++)
		n += strlen(spec[i].name) + 2 + 3 * f[i].len;
	p = s = malloc(n);
	for (i = 0; i < F__MAX; i++) {
		if (f[i].val == NULL)
			continue;
		if (p != s)
			*p++ = '&';
		p += encode(spec[i].name, strlen(spec[i].name), p);
		*p++ = '=';
		p += encode(f[i].val, f[i].len, p);
	}
	FUZZ_CHECK(form_parse(s, (size_t)(p - s), spec, F__MAX, g, err,
	    sizeof(err)) == 0);
	for (i = 0; i < F__MAX; i++) {
		FUZZ_CHECK((f[i].val == NULL) == (g[i].val == NULL));
		FUZZ_CHECK(g[i].len == f[i].len);
		FUZZ_CHECK(f[i].val == NULL ||
		    memcmp(g[i].val, f[i].val, f[i].len) == 0);
	}
	form_free(g, F__MAX);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct field	 f[F__MAX];
	char		*s = fuzz_exact(data, size), *d, *d2, *e, err[128];
	size_t		 i, dl, dl2, el;
	int		 rc;

	err[0] = '\0';
	rc = form_parse(s, size, spec, F__MAX, f, err, sizeof(err));
	if (rc == 0) {
		check_parsed(f);
		check_reparse(f);
	} else {
		FUZZ_CHECK(rc == -1);
		FUZZ_CHECK(err[0] != '\0');
		for (i = 0; err[i] != '\0'; i++)
			FUZZ_CHECK(err[i] >= 0x20 && err[i] < 0x7f);
	}
	form_free(f, F__MAX);
	for (i = 0; i < F__MAX; i++)
		FUZZ_CHECK(f[i].val == NULL);

	/* the whole input as one component */
	if (form_decode(s, size, &d, &dl) == 0) {
		FUZZ_CHECK(dl <= size && d[dl] == '\0');
		FUZZ_CHECK(valid_utf8(d, dl));
		e = malloc(3 * dl + 1);
		el = encode(d, dl, e);
		FUZZ_CHECK(form_decode(e, el, &d2, &dl2) == 0);
		FUZZ_CHECK(dl2 == dl && memcmp(d, d2, dl) == 0);
		free(d2);
		free(e);
		free(d);
	}
	free(s);
	return 0;
}
