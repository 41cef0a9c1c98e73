/*
 * test_stmt.c: prepare every statement in the registry (src/lib/db_stmt.c)
 * against a freshly installed schema, so that an SQL typo or a column the
 * schema lacks fails the tests, not a request in production.  Checks too
 * that each entry is filled in, that names are unique and that the
 * declared parameter count is what PostgreSQL infers.
 *
 * Run by tests/integration/t10-schema.t, which creates the database and
 * passes its conninfo in MCPGATE_TEST_CONNINFO.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db.h"
#include "tap.h"

int
main(void)
{
	const char	*ci = getenv("MCPGATE_TEST_CONNINFO");
	PGconn		*c;
	PGresult	*res;
	size_t		 i, j;
	int		 filled;

	if (ci == NULL)
		skip_all("MCPGATE_TEST_CONNINFO not set (run through t10-schema.t)");
	c = PQconnectdb(ci);
	if (!ok(PQstatus(c) == CONNECTION_OK, "connect to the test database")) {
		note("%s", PQerrorMessage(c));
		PQfinish(c);
		return done_testing();
	}
	for (i = 0; i < STMT__MAX; i++) {
		filled = db_stmts[i].name != NULL && db_stmts[i].sql != NULL;
		if (!ok(filled, "registry entry %zu is filled in", i))
			continue;
		for (j = 0; j < i; j++)
			if (db_stmts[j].name != NULL &&
			    strcmp(db_stmts[j].name, db_stmts[i].name) == 0)
				break;
		ok(j == i, "%s: name is unique", db_stmts[i].name);
		res = PQprepare(c, db_stmts[i].name, db_stmts[i].sql,
		    db_stmts[i].nparams, NULL);
		if (!ok(PQresultStatus(res) == PGRES_COMMAND_OK, "%s: prepares",
		    db_stmts[i].name))
			note("%s", PQresultErrorMessage(res));
		PQclear(res);
		res = PQdescribePrepared(c, db_stmts[i].name);
		is_int(PQresultStatus(res) == PGRES_COMMAND_OK ? PQnparams(res) : -1,
		    db_stmts[i].nparams, "%s: takes %d parameters",
		    db_stmts[i].name, db_stmts[i].nparams);
		PQclear(res);
	}
	PQfinish(c);
	return done_testing();
}
