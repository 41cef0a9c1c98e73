/*
 * app.h: what a program is, and the loop that runs it.
 *
 * Each program (src/<name>.c) declares one struct endpoint: the methods it
 * answers, the body it takes, the fields it accepts, whether it needs the
 * database, and its handler; then main() calls app_run(&endpoint).
 * app_run rejects in a fixed order before the handler runs (kcgi-framework's
 * "front line of defence"):
 *
 *   configuration -> CORS preflight -> method (405) -> Content-Type (415)
 *   -> body size (413) / truncation (400) -> fields (400)
 *   -> database (503) -> handler
 *
 * so that a handler only ever sees an allowed method, a well-formed body
 * within its limit, validated fields and a live database connection.
 */
#ifndef APP_H
#define APP_H

#include <stddef.h>

#include "form.h"
#include "http.h"

enum app_body {
	BODY_NONE,		/* no body; fields come from the query string */
	BODY_FORM,		/* application/x-www-form-urlencoded */
	BODY_JSON		/* application/json, parsed by the handler */
};

#define EP_DB		0x01	/* needs the database; 503 while it is down */
#define EP_CORS		0x02	/* readable from any origin; OPTIONS answered */

struct endpoint {
	const char		*name;		/* program name, for the log */
	unsigned		 methods;	/* HTTP_M(HTTP_GET) | … */
	enum app_body		 body;		/* for POST, PUT and PATCH */
	size_t			 body_max;	/* bytes; 0: 64 KiB */
	const struct field_spec	*fields;	/* query (GET) or form (POST) */
	size_t			 fieldsz;
	unsigned		 flags;		/* EP_* */
	void			(*handle)(struct req *);
	/* how to report an error; NULL: JSON (resp_json_error) */
	void			(*error)(struct req *, int, const char *,
				    const char *);
};

#define APP_BODY_MAX	65536

int	app_run(const struct endpoint *);
void	app_serve(const struct endpoint *, struct req *);
void	app_error(struct req *, int, const char *, const char *);
void	app_db_error(struct req *);

#endif
