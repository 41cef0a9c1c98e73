/*
 * test_html.c: escaping at the sink and the template renderer
 * (src/lib/html.c), with hostile values (SPEC S-16).
 */
#include "config.h"

#include <string.h>

#include "html.h"
#include "tap.h"

int
main(void)
{
	static const struct {
		const char	*in, *out;
	} esc[] = {
		{ "plain", "plain" },
		{ "\"><script>alert(1)</script>", "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" },
		{ "' onmouseover='x", "&#39; onmouseover=&#39;x" },
		{ "&amp;", "&amp;amp;" },
		{ "a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&#39;f" },
		{ "café ✓", "café ✓" },
		{ "", "" },
	};
	struct buf	 b;
	size_t		 i;
	struct tmpl_var	 v[] = {
		{ "name", "<b>x</b>", 0 },
		{ "attr", "\" onclick=\"evil", 0 },
		{ "raw", "<em>ok</em>", 1 },
		{ "none", NULL, 0 },
	};

	for (i = 0; i < sizeof(esc) / sizeof(esc[0]); i++) {
		buf_init(&b, 4096);
		ok(html_escape(&b, esc[i].in) == 0, "escape case %zu", i);
		is_str(buf_str(&b), esc[i].out, "  bytes");
		buf_free(&b);
	}
	buf_init(&b, 4096);
	ok(tmpl_render(&b, "<p>@@name@@</p><a title=\"@@attr@@\">@@raw@@</a>@@none@@.",
	    v, 4) == 0, "render");
	is_str(buf_str(&b),
	    "<p>&lt;b&gt;x&lt;/b&gt;</p><a title=\"&quot; onclick=&quot;evil\"><em>ok</em></a>.",
	    "values escaped in text and attributes; raw only when marked; NULL is empty");
	buf_free(&b);
	buf_init(&b, 4096);
	ok(tmpl_render(&b, "a @@missing@@ b", v, 4) == -1, "a marker without a value is an error");
	buf_free(&b);
	buf_init(&b, 4096);
	ok(tmpl_render(&b, "a @@name b", v, 4) == -1, "an unterminated marker is an error");
	buf_free(&b);
	buf_init(&b, 8);
	ok(tmpl_render(&b, "@@name@@", v, 4) == -1, "a full buffer is an error");
	buf_free(&b);
	buf_init(&b, 64);
	ok(tmpl_render(&b, "no markers", v, 0) == 0 && strcmp(buf_str(&b), "no markers") == 0,
	    "text without markers passes through");
	buf_free(&b);
	return done_testing();
}
