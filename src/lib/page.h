/*
 * page.h: sending an HTML page in the shared frame (src/templates/
 * page.html, the stylesheet /mcpgate/mcpgate.css), for the programs that
 * show pages to people (authorize, doctor).
 */
#ifndef PAGE_H
#define PAGE_H

struct buf;
struct req;

/* The pages' policy when a page names none: no script, no form target. */
#define PAGE_CSP_DEFAULT \
	"default-src 'none'; style-src 'self'; img-src 'self'; " \
	"form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

void	page_send(struct req *, int, const char *, const struct buf *,
	    const char *);

#endif
