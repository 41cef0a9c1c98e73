/*
 * html.c: HTML escaping and templates (see html.h).
 *
 * Every value is escaped where it enters the page, for both text and
 * double- or single-quoted attribute contexts: & < > " ' all become
 * entities (kcgi's khtml_putc; cgit's history shows what partial
 * escaping costs).  A value marked raw is inserted as it is: only for
 * fragments that the program itself built from escaped values (hidden
 * form fields, a list of scopes), and each such use says so.
 */
#include "config.h"

#include <string.h>

#include "html.h"
#include "log.h"

/* Append s to b, escaped.  0, or -1 when b is full. */
int
html_escape(struct buf *b, const char *s)
{
	const char	*p, *run = s;
	const char	*ent;

	for (p = s; *p != '\0'; p++) {
		switch (*p) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default: continue;
		}
		if (buf_add(b, run, (size_t)(p - run)) == -1 ||
		    buf_adds(b, ent) == -1)
			return -1;
		run = p + 1;
	}
	return buf_add(b, run, (size_t)(p - run));
}

/*
 * Append template tmpl to b with each @@name@@ replaced by its value from
 * vars, escaped unless the var is raw.  A marker without a var is a bug
 * in the program: -1 (logged), like a full buffer.
 */
int
tmpl_render(struct buf *b, const char *tmpl, const struct tmpl_var *vars,
    size_t nvars)
{
	const char	*p = tmpl, *m, *e;
	size_t		 i, nl;

	while ((m = strstr(p, "@@")) != NULL) {
		if (buf_add(b, p, (size_t)(m - p)) == -1)
			return -1;
		if ((e = strstr(m + 2, "@@")) == NULL) {
			log_warnx("template: unterminated marker");
			return -1;
		}
		nl = (size_t)(e - m - 2);
		for (i = 0; i < nvars; i++)
			if (strlen(vars[i].name) == nl &&
			    memcmp(vars[i].name, m + 2, nl) == 0)
				break;
		if (i == nvars) {
			log_warnx("template: no value for @@%.*s@@", (int)nl, m + 2);
			return -1;
		}
		if (vars[i].value != NULL &&
		    (vars[i].raw ? buf_adds(b, vars[i].value) :
		    html_escape(b, vars[i].value)) == -1)
			return -1;
		p = e + 2;
	}
	return buf_adds(b, p);
}
