/*
 * html.h: HTML output: escaping at the sink, and the template renderer.
 */
#ifndef HTML_H
#define HTML_H

#include <stddef.h>

#include "buf.h"

/* One @@name@@ of a template and its value. */
struct tmpl_var {
	const char	*name;
	const char	*value;		/* NULL renders as "" */
	int		 raw;		/* 1: already HTML, see tmpl_render */
};

int	html_escape(struct buf *, const char *)
	    __attribute__((__warn_unused_result__));
int	tmpl_render(struct buf *, const char *, const struct tmpl_var *,
	    size_t) __attribute__((__warn_unused_result__));

#endif
