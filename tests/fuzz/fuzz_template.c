/*
 * fuzz_template.c: HTML escaping and the template renderer (html_escape
 * and tmpl_render, src/lib/html.c) with fuzzed values and templates.
 *
 * Input: a template, then up to four values, cut at NUL bytes; the
 * values fill the markers @@a@@, @@b@@, @@name@@ and @@x@@, and also
 * every marker of one of the real pages (src/templates, chosen by the
 * input's length).
 *
 * Invariants: an escaped value holds none of < > " ' and no '&' that
 * does not start one of our five entities, and unescapes to the value;
 * a template renders or fails alike whatever the (escaped) values, and a
 * rendering holds exactly as many < > " ' as the template does with
 * every value empty: a value never adds markup, in text or in a quoted
 * attribute; a raw value is inserted as it is; a buffer ceiling is never
 * passed.
 */
#include "config.h"

#include "html.h"
#include "templates.h"

#include "fuzz.h"

#define NVARS	4
#define OUTMAX	(1u << 22)

static const char *const pages[] = {
	tmpl_page, tmpl_login, tmpl_consent, tmpl_error, tmpl_password,
	tmpl_doctor_login, tmpl_doctor,
};

static const struct {
	const char	*ent;
	char		 c;
} ents[] = {
	{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
	{ "&quot;", '"' }, { "&#39;", '\'' },
};

static void
count(const char *s, size_t n[4])
{
	memset(n, 0, 4 * sizeof(n[0]));
	for (; *s != '\0'; s++)
		switch (*s) {
		case '<': n[0]++; break;
		case '>': n[1]++; break;
		case '"': n[2]++; break;
		case '\'': n[3]++; break;
		default: break;
		}
}

/* The escaped value, unescaped, is the value; no markup survives. */
static void
check_escape(const char *v)
{
	struct buf	 b;
	const char	*p;
	char		*u, *q;
	size_t		 i, n[4];

	buf_init(&b, OUTMAX);
	FUZZ_CHECK(html_escape(&b, v) == 0);
	count(buf_str(&b), n);
	FUZZ_CHECK(n[0] == 0 && n[1] == 0 && n[2] == 0 && n[3] == 0);
	q = u = malloc(b.len + 1);
	for (p = buf_str(&b); *p != '\0';) {
		if (*p != '&') {
			*q++ = *p++;
			continue;
		}
		for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
			if (strncmp(p, ents[i].ent, strlen(ents[i].ent)) == 0)
				break;
		FUZZ_CHECK(i < sizeof(ents) / sizeof(ents[0]));
		*q++ = ents[i].c;
		p += strlen(ents[i].ent);
	}
	*q = '\0';
	FUZZ_CHECK(strcmp(u, v) == 0);
	free(u);
	buf_free(&b);

	/* a small ceiling is refused, never passed */
	buf_init(&b, strlen(v) / 2);
	if (html_escape(&b, v) == 0)
		FUZZ_CHECK(b.len <= strlen(v) / 2);
	FUZZ_CHECK(b.len <= b.max);
	buf_free(&b);
}

/*
 * Render tmpl with vars, and with every value empty; compare.  Returns
 * tmpl_render's result.
 */
static int
check_render(const char *tmpl, const struct tmpl_var *vars, size_t nvars)
{
	struct tmpl_var	*empty;
	struct buf	 b, s;
	size_t		 i, nb[4], ns[4];
	int		 rc, rcs;

	empty = calloc(nvars + 1, sizeof(*empty));
	for (i = 0; i < nvars; i++)
		empty[i].name = vars[i].name;
	buf_init(&b, OUTMAX);
	buf_init(&s, OUTMAX);
	rc = tmpl_render(&b, tmpl, vars, nvars);
	rcs = tmpl_render(&s, tmpl, empty, nvars);
	FUZZ_CHECK(rc == rcs);
	if (rc == 0) {
		count(buf_str(&b), nb);
		count(buf_str(&s), ns);
		FUZZ_CHECK(memcmp(nb, ns, sizeof(nb)) == 0);
		FUZZ_CHECK(b.len >= s.len);
	}
	buf_free(&b);
	buf_free(&s);

	/* a ceiling is never passed */
	buf_init(&b, strlen(tmpl) / 2 + 1);
	(void)tmpl_render(&b, tmpl, vars, nvars);
	FUZZ_CHECK(b.len <= b.max);
	buf_free(&b);
	free(empty);
	return rc;
}

/* Every @@marker@@ of page, bound to the values in turn. */
static void
check_page(const char *page, const char *const *val)
{
	struct tmpl_var	 vars[16];
	char		 names[16][32];
	const char	*p = page, *m, *e;
	size_t		 n = 0, i, l;

	while ((m = strstr(p, "@@")) != NULL && n < 16) {
		e = strstr(m + 2, "@@");
		FUZZ_CHECK(e != NULL);
		l = (size_t)(e - m - 2);
		FUZZ_CHECK(l < sizeof(names[0]));
		memcpy(names[n], m + 2, l);
		names[n][l] = '\0';
		for (i = 0; i < n; i++)
			if (strcmp(names[i], names[n]) == 0)
				break;
		if (i == n) {
			vars[n].name = names[n];
			vars[n].value = val[n % NVARS];
			vars[n].raw = 0;
			n++;
		}
		p = e + 2;
	}
	FUZZ_CHECK(check_render(page, vars, n) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[NVARS] = { "a", "b", "name", "x" };
	struct fuzz_part	 part[1 + NVARS];
	struct tmpl_var		 vars[NVARS];
	struct buf		 b;
	char			*tmpl, *val[NVARS];
	size_t			 n, i;

	n = fuzz_split(data, size, '\0', part, 1 + NVARS);
	tmpl = fuzz_strndup(part[0].p, part[0].len);
	for (i = 0; i < NVARS; i++) {
		val[i] = i + 1 < n ? fuzz_strndup(part[i + 1].p,
		    part[i + 1].len) : NULL;
		vars[i].name = names[i];
		vars[i].value = val[i];
		vars[i].raw = 0;
		if (val[i] != NULL)
			check_escape(val[i]);
	}
	(void)check_render(tmpl, vars, NVARS);
	check_page(pages[size % (sizeof(pages) / sizeof(pages[0]))],
	    (const char *const *)val);

	/* a raw value goes in as it is */
	if (val[0] != NULL && strstr(val[0], "@@") == NULL) {
		vars[0].raw = 1;
		buf_init(&b, OUTMAX);
		FUZZ_CHECK(tmpl_render(&b, "[@@a@@]", vars, NVARS) == 0);
		FUZZ_CHECK(b.len == strlen(val[0]) + 2 &&
		    memcmp(b.ptr + 1, val[0], strlen(val[0])) == 0);
		buf_free(&b);
	}
	for (i = 0; i < NVARS; i++)
		free(val[i]);
	free(tmpl);
	return 0;
}
