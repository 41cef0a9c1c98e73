/*
 * page.c: one HTML page in the shared frame (see page.h).
 */
#include "config.h"

#include "buf.h"
#include "conf.h"
#include "html.h"
#include "http.h"
#include "page.h"
#include "templates.h"

/*
 * Send body (already rendered: every value in it escaped by tmpl_render
 * or html_escape) inside the frame, with status and title, under the
 * Content-Security-Policy csp (NULL: PAGE_CSP_DEFAULT).  The pages load
 * no script and cannot be framed (S-05); the other security headers come
 * from resp_send.  A frame that cannot be rendered becomes a JSON 500.
 */
void
page_send(struct req *r, int status, const char *title, const struct buf *body,
    const char *csp)
{
	struct tmpl_var	 v[] = {
		{ "title", title, 0 },
		{ "site", r->conf != NULL ? r->conf->resource_name : "mcpgate", 0 },
		/* raw: rendered by tmpl_render, every value escaped there */
		{ "content", buf_str(body), 1 },
	};
	struct buf	 out;

	buf_init(&out, HTTP_RESPONSE_MAX);
	if (tmpl_render(&out, tmpl_page, v, sizeof(v) / sizeof(v[0])) == -1) {
		buf_free(&out);
		resp_json_error(r, 500, "server_error", "page rendering failed");
		return;
	}
	r->status = status;
	r->csp = csp != NULL ? csp : PAGE_CSP_DEFAULT;
	(void)resp_header(r, "Content-Type", "text/html; charset=utf-8");
	resp_body(r, buf_str(&out), out.len);
	buf_free(&out);
}
