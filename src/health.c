/*
 * health.c: GET|HEAD <mcp_path>/health, a liveness check for monitors
 * and for the operator: 200 {"status":"ok"} when the programs can reach
 * the database and its schema is the version they were built for; 503
 * with Retry-After while it is down or being upgraded (the reason is in
 * the error log, not in the answer: this URL is public).
 *
 * It runs one statement per request on the process's persistent
 * connection, so it also shows that a restarted PostgreSQL is picked up
 * again without restarting any program.
 *
 * The answer also says whether the programs run under FastCGI or plain
 * CGI ("mode": "fastcgi" or "cgi"): the connector doctor reports it, and
 * a front end that silently fell back to CGI costs a process and a
 * database connection per request.  Nothing more: the URL is public.
 *
 * Raises 200, 405, 500 (bad configuration), 503.
 */
#include "config.h"

#include <fcgiapp.h>

#include "app.h"
#include "db.h"
#include "log.h"

static void
handle(struct req *r)
{
	static const char	fcgi[] = "{\"status\":\"ok\",\"mode\":\"fastcgi\"}";
	static const char	cgi[] = "{\"status\":\"ok\",\"mode\":\"cgi\"}";
	int			version;

	if (db_schema_version(&version) != 1) {
		app_db_error(r);
		return;
	}
	if (version != DB_SCHEMA_VERSION) {
		/* migrated (or rolled back) under a running process */
		log_warnx("database: schema version %d, these programs need %d",
		    version, DB_SCHEMA_VERSION);
		(void)resp_header(r, "Retry-After", "5");
		app_error(r, 503, "temporarily_unavailable",
		    "the database is being upgraded; try again shortly");
		return;
	}
	/* libfcgi decided this once, when app_run started (FCGX_IsCGI) */
	if (FCGX_IsCGI())
		resp_json_text(r, 200, cgi, sizeof(cgi) - 1);
	else
		resp_json_text(r, 200, fcgi, sizeof(fcgi) - 1);
}

static const struct endpoint endpoint = {
	.name = "health",
	.methods = HTTP_M(HTTP_GET) | HTTP_M(HTTP_HEAD),
	.body = BODY_NONE,
	.flags = EP_DB,
	.handle = handle,
};

int
main(void)
{
	return app_run(&endpoint);
}
