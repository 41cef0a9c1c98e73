/*
 * db_stmt.c: every SQL statement the programs run, in one table indexed
 * by enum stmt (kcaldav's sqls[], ksql's registry).  All are prepared at
 * connection time and checked against a fresh schema by the tests, so an
 * SQL typo fails "make check", not a request in production.
 *
 * Every name is qualified with the mcpgate schema: no statement depends
 * on the connection's search_path, which the site owner controls.
 */
#include "config.h"

#include "db.h"

const struct stmt_def db_stmts[STMT__MAX] = {
	[STMT_SCHEMA_VERSION] = { "schema_version",
	    "SELECT max(version) FROM mcpgate.schema_version",
	    0, 1 },
};

