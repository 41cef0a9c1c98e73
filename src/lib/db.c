/*
 * db.c: one persistent PostgreSQL connection per process (see db.h).
 *
 * The connection is made on the first request that needs it (the
 * conninfo comes from the configuration, which comes with the request),
 * and checked before every later one.  When PostgreSQL restarts, the
 * first statement on the old connection fails with the connection marked
 * bad: we reconnect at once and, for statements marked safe to repeat,
 * run the statement again, so that the first request after a restart
 * already succeeds.  While the database is down, every request makes one
 * quick connection attempt (a refused socket returns at once, and
 * connect_timeout bounds the rest) and is answered 503.
 *
 * All statements and the session settings are sent in one libpq pipeline
 * (PostgreSQL 14+): one round trip at connection time however many
 * statements the registry holds, which matters in plain CGI mode where
 * every request is a new process.
 */
#include "config.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>
#include <libpq-fe.h>

#include "conf.h"
#include "db.h"
#include "log.h"
#include "valid.h"
#include "xmalloc.h"

static PGresult	*db_exec_once(enum stmt, const char *const *);
static int	 schema_version(PGresult *, int *);

static PGconn	*conn;
/*
 * Plain CGI: one request per process, which runs two or three of the
 * registry's statements. Preparing all of them at connect would cost
 * PostgreSQL more than the request (3.5-6 ms of CPU per CGI request,
 * bench/results/cgi-2026-11-26.md), so under CGI each statement is sent
 * with its SQL when it runs (PQexecParams: the same parameters, types
 * inferred the same way as by PREPARE). FastCGI prepares once per process.
 */
static int	 lazy = -1;
static char	*conn_info;		/* the conninfo conn was made with */
static char	*conn_prog;		/* application_name */
static const struct conf *conn_conf;	/* the request's configuration */
static long long conn_timeout;		/* statement_timeout it was set up with */
static int	 listen_wanted;		/* db_listen_auth(): the program caches */
static int	 listening;		/* conn LISTENs on mcpgate_auth */
static unsigned long auth_epoch = 1;	/* see db_auth_epoch() */
static int	 last_unavailable;	/* kind of the last failure */
static char	 last_state[6];		/* SQLSTATE of the last failure */
static char	 last_message[512];	/* its first line */

/* The SQLSTATE and message of the last failure ("" if none). */
const char *
db_last_sqlstate(void)
{
	return last_state;
}

const char *
db_last_message(void)
{
	return last_message;
}

/*
 * Run statement s and copy its rows into out (text values, NULL for SQL
 * NULL; free with db_rows_free).  Returns the number of rows, or -1.
 */
int
db_fetch(enum stmt s, int n, const char *const *vals, const int *lens,
    struct db_rows *out)
{
	PGresult	*res;
	int		 r, c;

	memset(out, 0, sizeof(*out));
	if ((res = db_run(s, n, vals, lens)) == NULL)
		return -1;
	out->nrows = PQntuples(res);
	out->ncols = PQnfields(res);
	if (out->nrows > 0 && out->ncols > 0) {
		out->v = xcalloc((size_t)out->nrows * (size_t)out->ncols,
		    sizeof(char *));
		for (r = 0; r < out->nrows; r++)
			for (c = 0; c < out->ncols; c++)
				if (!PQgetisnull(res, r, c))
					out->v[r * out->ncols + c] =
					    xstrdup(PQgetvalue(res, r, c));
	}
	PQclear(res);
	return out->nrows;
}

void
db_rows_free(struct db_rows *rows)
{
	int	i;

	for (i = 0; i < rows->nrows * rows->ncols; i++)
		free(rows->v[i]);
	free(rows->v);
	memset(rows, 0, sizeof(*rows));
}

/* Whether the last failure was the database being unavailable (503). */
int
db_unavailable(void)
{
	return last_unavailable;
}

void
db_close(void)
{
	if (conn != NULL)
		PQfinish(conn);
	conn = NULL;
	/* what a closed connection was told is lost with it */
	listening = 0;
	auth_epoch++;
	free(conn_info);
	conn_info = NULL;
}

/*
 * SQLSTATE classes that mean "try again later", not "bug": 08 connection
 * exception, 53 insufficient resources, 57 operator intervention (admin
 * shutdown, statement timeout), 40 transaction rollback (serialization,
 * deadlock), and 55P03 lock not available.
 */
static int
sqlstate_unavailable(const char *state)
{
	if (state == NULL)
		return 1;		/* no server answer at all */
	return strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 ||
	    strncmp(state, "57", 2) == 0 || strncmp(state, "40", 2) == 0 ||
	    strcmp(state, "55P03") == 0;
}

/*
 * Record why the connection could not be used (for db_last_message(),
 * which the connector doctor shows the administrator) and log it.
 */
static void __attribute__((__format__(__printf__, 2, 3)))
connect_failed(int unavailable, const char *fmt, ...)
{
	va_list	ap;

	last_unavailable = unavailable;
	last_state[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(last_message, sizeof(last_message), fmt, ap);
	va_end(ap);
	log_warnx("database: %s", last_message);
}

/* Record and log a failed result. */
static void
result_failed(const PGresult *res, const char *what)
{
	const char	*state = NULL, *msg;

	if (res != NULL)
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	msg = res != NULL ? PQresultErrorMessage(res) : "";
	if (msg == NULL || *msg == '\0')
		msg = PQerrorMessage(conn);
	last_unavailable = PQstatus(conn) != CONNECTION_OK ||
	    sqlstate_unavailable(state);
	snprintf(last_state, sizeof(last_state), "%s", state != NULL ? state : "");
	snprintf(last_message, sizeof(last_message), "%.*s",
	    (int)strcspn(msg, "\n"), msg);
	/*
	 * Class 22 (data exception) messages may quote the offending input:
	 * log only the code.  Parameters can carry secrets.
	 */
	if (state != NULL && strncmp(state, "22", 2) == 0)
		log_warnx("database: %s: %s (data exception)", what, state);
	else
		log_warnx("database: %s: %s%s%.*s", what, state ? state : "",
		    state ? " " : "", (int)strcspn(msg, "\n"), msg);
}

/*
 * After an error that is not an outage (a constraint, a type mismatch, a
 * statement invalidated by a migration under a running process), start
 * over with a fresh connection on the next request: it re-prepares and
 * re-checks the schema version.  Cheap, and only on the error path.
 */
static void
drop_if_stale(void)
{
	static const char *const stale[] = {
		"0A000",	/* cached plan must not change result type */
		"26000",	/* prepared statement does not exist */
		"42P01",	/* undefined table */
		"42703",	/* undefined column */
		"42883",	/* undefined function */
		"42804",	/* datatype mismatch */
	};
	size_t	i;

	if (last_unavailable || conn == NULL)
		return;
	for (i = 0; i < sizeof(stale) / sizeof(stale[0]); i++)
		if (strcmp(last_state, stale[i]) == 0) {
			db_close();
			return;
		}
}

/*
 * For a program that caches token checks (db_listen_auth()), under
 * FastCGI: LISTEN on mcpgate_auth, but only if the triggers that notify
 * it are there and enabled; a database whose triggers are missing or
 * were disabled by hand would never notify, and then nothing is cached.
 * A failure here only means no cache (logged).
 */
static void
listen_auth(void)
{
	PGresult	*res;
	int		 ok;

	listening = 0;
	if (!listen_wanted || lazy)
		return;
	res = PQexec(conn, "SELECT count(*) FROM pg_catalog.pg_trigger "
	    "WHERE tgenabled <> 'D' AND ((tgrelid = 'mcpgate.tokens'::pg_catalog.regclass "
	    "AND tgname IN ('tokens_notify_auth_update', 'tokens_notify_auth_delete')) "
	    "OR (tgrelid = 'mcpgate.tools'::pg_catalog.regclass "
	    "AND tgname = 'tools_bump_generation'))");
	ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
	    strcmp(PQgetvalue(res, 0, 0), "3") == 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		result_failed(res, "token cache triggers");
	else if (!ok)
		log_warnx("database: the triggers that notify mcpgate_auth are "
		    "missing or disabled: access tokens are not cached "
		    "(sql/schema.sql)");
	PQclear(res);
	if (!ok)
		return;
	res = PQexec(conn, "LISTEN mcpgate_auth");
	if (PQresultStatus(res) == PGRES_COMMAND_OK)
		listening = 1;
	else
		result_failed(res, "LISTEN mcpgate_auth");
	PQclear(res);
}

/* The end of a pipeline segment: 0, or -1 if what came is not its sync. */
static int
pipeline_sync(void)
{
	PGresult	*res;
	int		 ok;

	res = PQgetResult(conn);
	ok = res != NULL && PQresultStatus(res) == PGRES_PIPELINE_SYNC;
	PQclear(res);
	return ok ? 0 : -1;
}

/*
 * Send the session settings and every PREPARE in one pipeline and read
 * the results.  0, or -1 (logged).
 */
static int
db_prepare_all(const struct conf *c)
{
	char		 timeout[32];
	const char	*params[1] = { timeout };
	PGresult	*res;
	size_t		 i, n = 0;
	int		 rc = 0;

	snprintf(timeout, sizeof(timeout), "%lld", c->db_statement_timeout);
	if (PQenterPipelineMode(conn) != 1)
		goto broken;
	/* statement_timeout bounds every request (never a hung process) */
	if (PQsendQueryParams(conn,
	    "SELECT set_config('statement_timeout', $1, false)",
	    1, NULL, params, NULL, NULL, 0) != 1)
		goto broken;
	n++;
	if (lazy == -1)
		lazy = FCGX_IsCGI();
	for (i = 0; !lazy && i < STMT__MAX; i++, n++)
		if (PQsendPrepare(conn, db_stmts[i].name, db_stmts[i].sql,
		    db_stmts[i].nparams, NULL) != 1)
			goto broken;
	if (PQpipelineSync(conn) != 1)
		goto broken;
	/*
	 * Last, in a transaction of its own (a pipeline's statements up to a
	 * sync are one: its failure would roll back statement_timeout with
	 * it), and allowed to fail (PostgreSQL 14+ on Linux, macOS and the
	 * BSDs): while a statement runs, the server checks every second that
	 * we are still there.  If the front end killed this process in the
	 * middle of a request (SIGKILL, a crash), the statement is cancelled
	 * and its transaction rolled back instead of going on to commit a
	 * grant nobody will receive: a code stays redeemable by the client's
	 * retry (t130-faults.t).
	 */
	if (PQsendQueryParams(conn,
	    "SELECT set_config('client_connection_check_interval', '1000', false)",
	    0, NULL, NULL, NULL, NULL, 0) != 1)
		goto broken;
	if (PQpipelineSync(conn) != 1)
		goto broken;
	for (i = 0; i < n; i++) {
		if ((res = PQgetResult(conn)) == NULL)
			goto broken;
		if (PQresultStatus(res) != PGRES_COMMAND_OK &&
		    PQresultStatus(res) != PGRES_TUPLES_OK) {
			if (rc == 0)
				result_failed(res, i == 0 ?
				    "session settings" : db_stmts[i - 1].name);
			rc = -1;
		}
		PQclear(res);
		/* each command's results end with a NULL */
		while ((res = PQgetResult(conn)) != NULL)
			PQclear(res);
	}
	if (pipeline_sync() == -1)
		goto broken;
	if ((res = PQgetResult(conn)) == NULL)
		goto broken;
	if (PQresultStatus(res) == PGRES_FATAL_ERROR)
		/* the platform has no check: go without it */
		log_debug("database: client_connection_check_interval: %.*s",
		    (int)strcspn(PQresultErrorMessage(res), "\n"),
		    PQresultErrorMessage(res));
	else if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		if (rc == 0)
			result_failed(res, "session settings");
		rc = -1;
	}
	PQclear(res);
	while ((res = PQgetResult(conn)) != NULL)
		PQclear(res);
	if (pipeline_sync() == -1 || PQexitPipelineMode(conn) != 1)
		goto broken;
	return rc;
broken:
	result_failed(NULL, "preparing statements");
	return -1;
}

/*
 * Connect with c's conninfo and prepare everything.  0, or -1 (logged,
 * db_unavailable() set).  Our own defaults for connect_timeout and
 * application_name come before the user's conninfo, so the user's win.
 */
static int
db_connect(const struct conf *c)
{
	const char	*kw[] = { "connect_timeout", "application_name",
			    "dbname", NULL };
	const char	*val[] = { "5", conn_prog, c->database, NULL };
	PGresult	*res;
	int		 version, rc;

	db_close();
	conn = PQconnectdbParams(kw, val, 1);
	if (conn == NULL)
		fatalx("PQconnectdbParams: out of memory");
	if (PQstatus(conn) != CONNECTION_OK) {
		char	msg[400];

		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(conn));
		msg[strcspn(msg, "\n")] = '\0';
		connect_failed(1, "cannot connect: %s", msg);
		db_close();
		return -1;
	}
	/*
	 * The schema version first: a schema of another release would fail
	 * some PREPARE with a misleading error.  Binaries and schema from
	 * different releases are refused both ways, as 503, which is what
	 * an upgrade in progress is.
	 */
	res = PQexec(conn, db_stmts[STMT_SCHEMA_VERSION].sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (state != NULL && strcmp(state, "42P01") == 0)
			connect_failed(0, "%s", "no mcpgate schema in this database: run sql/install.sql");
		else
			result_failed(res, "schema version");
		PQclear(res);
		db_close();
		return -1;
	}
	rc = schema_version(res, &version);
	if (rc != 1 || version != DB_SCHEMA_VERSION) {
		char	msg[200];

		if (rc == 1)
			snprintf(msg, sizeof(msg),
			    "schema version %d, these programs need %d: %s",
			    version, DB_SCHEMA_VERSION, version < DB_SCHEMA_VERSION ?
			    "run sql/upgrade.sql" : "install the matching programs");
		else
			snprintf(msg, sizeof(msg), "%s", "mcpgate.schema_version is empty: restore the database or run sql/install.sql on a fresh one");
		connect_failed(1, "%s", msg);
		db_close();
		return -1;
	}
	if (db_prepare_all(c) == -1) {
		db_close();
		return -1;
	}
	listen_auth();
	conn_info = xstrdup(c->database);
	conn_timeout = c->db_statement_timeout;
	return 0;
}

/*
 * The epoch of cached token checks (authcache.c): a number that moves on
 * whenever something a cached check depends on may have changed.  It
 * reads what PostgreSQL has sent on the idle connection, without a round
 * trip: each notification on mcpgate_auth (sql/schema.sql's triggers: an
 * access token revoked, changed or deleted, the tools changed) moves it
 * on, and so does every closed connection (what it would have been told
 * is lost).  0 when there is nothing to trust: no connection listening for
 * c's database, or a broken one (PostgreSQL went away: the next statement
 * reconnects).  A program that LISTENs must call it on every request: it
 * also frees what arrived.
 *
 * Between a revocation's commit and its notification reaching this
 * process there is a window of the order of a millisecond in which a
 * cached check still passes; a lookup running at the moment of the commit
 * has the same window, and RFC 7009 §2.2 allows such propagation delay.
 */
unsigned long
db_auth_epoch(const struct conf *c)
{
	PGnotify	*n;
	struct pollfd	 pfd;
	int		 i, rc;

	if (conn == NULL || !listening || conn_info == NULL ||
	    strcmp(conn_info, c->database) != 0 ||
	    conn_timeout != c->db_statement_timeout ||
	    PQstatus(conn) != CONNECTION_OK ||
	    PQtransactionStatus(conn) != PQTRANS_IDLE)
		return 0;
	/*
	 * Read until nothing more is waiting: a server that went away sends
	 * an error and then closes, and libpq sees the close only on a read
	 * after the one that returned the error.  A bounded number of rounds:
	 * more than that is not an idle connection.
	 */
	for (i = 0; ; i++) {
		if (i == 8 || PQconsumeInput(conn) != 1 ||
		    PQstatus(conn) != CONNECTION_OK) {
			auth_epoch++;
			return 0;
		}
		while ((n = PQnotifies(conn)) != NULL) {
			auth_epoch++;
			PQfreemem(n);
		}
		pfd.fd = PQsocket(conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if ((rc = poll(&pfd, 1, 0)) == 0)
			break;
		if (rc == -1) {
			auth_epoch++;
			return 0;
		}
	}
	if (auth_epoch == 0)		/* wrapped: 0 means "none" */
		auth_epoch = 1;
	return auth_epoch;
}

/*
 * The program caches token checks (mcp): its connections LISTEN on
 * mcpgate_auth (FastCGI only), and it must call db_auth_epoch() on every
 * request, which also drains what arrived.  Other programs never LISTEN:
 * notifications nobody reads would pile up in libpq.
 */
void
db_listen_auth(void)
{
	listen_wanted = 1;
}

/* The application_name connections show in pg_stat_activity. */
void
db_set_name(const char *prog)
{
	free(conn_prog);
	conn_prog = xasprintf("mcpgate-%s", prog);
}

/*
 * Make sure the connection is up, for the configuration c (a changed
 * conninfo means a new connection).  0, or -1 (logged).  c must stay
 * valid until the request ends.
 */
int
db_ensure(const struct conf *c)
{
	last_unavailable = 0;
	conn_conf = c;
	if (conn_prog == NULL)
		db_set_name("program");
	/* a new conninfo or statement timeout means a new connection */
	if (conn != NULL && conn_info != NULL &&
	    strcmp(conn_info, c->database) == 0 &&
	    conn_timeout == c->db_statement_timeout &&
	    PQstatus(conn) == CONNECTION_OK)
		return 0;
	return db_connect(c);
}

/*
 * Run a prepared statement once with text parameters.  Returns the result
 * (the caller PQclear()s it) or NULL (logged, db_unavailable() set).
 */
/* Run statement s: prepared (FastCGI) or with its SQL (CGI; see lazy). */
static PGresult *
exec_stmt(enum stmt s, int n, const char *const *vals, const int *lens,
    const int *formats)
{
	if (lazy == 1)
		return PQexecParams(conn, db_stmts[s].sql, n, NULL, vals, lens,
		    formats, 0);
	return PQexecPrepared(conn, db_stmts[s].name, n, vals, lens,
	    formats, 0);
}

static PGresult *
db_exec_once(enum stmt s, const char *const *params)
{
	PGresult	*res;
	ExecStatusType	 st;

	if (s >= STMT__MAX)
		abort();
	if (conn == NULL) {
		last_unavailable = 1;
		return NULL;
	}
	res = exec_stmt(s, db_stmts[s].nparams, params, NULL, NULL);
	st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		last_unavailable = 0;
		return res;
	}
	result_failed(res, db_stmts[s].name);
	PQclear(res);
	drop_if_stale();
	return NULL;
}

/*
 * db_exec_once, and for a statement marked retry that failed because the
 * connection was lost (PostgreSQL restarted since the last request), once
 * more on a fresh connection.
 */
static PGresult *
db_exec(enum stmt s, const char *const *params)
{
	PGresult	*res;

	if ((res = db_exec_once(s, params)) != NULL)
		return res;
	if (conn == NULL || PQstatus(conn) == CONNECTION_OK ||
	    !db_stmts[s].retry || conn_conf == NULL)
		return NULL;
	if (db_connect(conn_conf) == -1)
		return NULL;
	log_info("database: reconnected");
	return db_exec_once(s, params);
}

/*
 * Run statement s with n parameters; a parameter with lens[i] > 0 is sent
 * as binary (bytea), the others as text.  See db.h.
 */
PGresult *
db_run(enum stmt s, int n, const char *const *vals, const int *lens)
{
	int		formats[16];
	int		i;
	PGresult	*res;
	ExecStatusType	 st;
	int		 attempt;

	if (s >= STMT__MAX || n != db_stmts[s].nparams || n > 16)
		abort();
	for (i = 0; i < n; i++)
		formats[i] = lens != NULL && lens[i] > 0;
	for (attempt = 0; attempt < 2; attempt++) {
		if (conn == NULL) {
			last_unavailable = 1;
			return NULL;
		}
		res = exec_stmt(s, n, vals, lens, formats);
		st = PQresultStatus(res);
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
			last_unavailable = 0;
			return res;
		}
		result_failed(res, db_stmts[s].name);
		PQclear(res);
		drop_if_stale();
		if (attempt > 0 || PQstatus(conn) == CONNECTION_OK ||
		    !db_stmts[s].retry || conn_conf == NULL ||
		    db_connect(conn_conf) == -1)
			break;
		log_info("database: reconnected");
	}
	return NULL;
}

/* Read a schema version result (and clear it): 1, 0 (empty) or -1. */
static int
schema_version(PGresult *res, int *version)
{
	unsigned long long	v;
	int			rc = 0;

	if (res == NULL)
		return -1;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
		if (valid_uint(PQgetvalue(res, 0, 0),
		    (size_t)PQgetlength(res, 0, 0), 0, 1000000, &v)) {
			*version = (int)v;
			rc = 1;
		} else
			rc = -1;
	}
	PQclear(res);
	return rc;
}

/*
 * The installed schema version: 1 (set *version), 0 when the table is
 * empty, -1 on failure.
 */
int
db_schema_version(int *version)
{
	return schema_version(db_exec(STMT_SCHEMA_VERSION, NULL), version);
}
