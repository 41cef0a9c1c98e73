/*
 * db.h: the process's one PostgreSQL connection, and typed functions for
 * what the programs ask of the database.
 *
 * Every statement is in one registry (db_stmt.c), prepared when the
 * connection is made, and executed with parameters only.  PGresult never
 * leaves db.c: callers get C values (kcaldav's db.c).
 *
 * Failures come in two kinds, and callers answer them differently:
 *  - the database is unavailable (down, restarting, unreachable, a
 *    statement timeout, a schema of another version): 503 + Retry-After,
 *    and the next request tries again (db_unavailable() is true);
 *  - anything else is a bug or a misconfiguration: 500.
 * Details go to the log only.
 */
#ifndef DB_H
#define DB_H

#include <stddef.h>

struct conf;

/* The schema version these programs are built for (sql/schema.sql). */
#define DB_SCHEMA_VERSION	1

enum stmt {
	STMT_SCHEMA_VERSION,
	STMT_CLIENT_GET,
	STMT_CLIENT_REGISTER,
	STMT_SESSION_GET,
	STMT_SESSION_CREATE,
	STMT_LOGIN_LIMIT,
	STMT_USER_GET,
	STMT_LOGIN_OK,
	STMT_AUDIT,
	STMT_CODE_IF_CONSENTED,
	STMT_CONSENT_GRANT,
	STMT_PASSWORD_LINK,
	STMT_PASSWORD_SET,
	STMT_REMOTE_USER,
	STMT_CLIENT_AUTH,
	STMT_CLIENT_AUTH_FAILED,
	STMT_CODE_REDEEM,
	STMT_TOKEN_REFRESH,
	STMT_TOKEN_REVOKE,
	STMT_MCP_AUTH,
	STMT_MCP_TOOLS,
	STMT_MCP_CALL,
	STMT_MCP_RESOURCES,
	STMT_MCP_RESOURCE_READ,
	STMT_MCP_PROMPTS,
	STMT_MCP_PROMPT_GET,
	STMT_MCP_TEMPLATES,
	STMT_DOCTOR_CLOCK,
	STMT__MAX
};

struct stmt_def {
	const char	*name;		/* prepared statement name */
	const char	*sql;
	int		 nparams;
	int		 retry;		/* safe to run again after a lost connection */
};

extern const struct stmt_def db_stmts[STMT__MAX];

void	db_set_name(const char *);
int	db_ensure(const struct conf *) __attribute__((__warn_unused_result__));
int	db_unavailable(void);
void	db_close(void);
int	db_schema_version(int *) __attribute__((__warn_unused_result__));
unsigned long db_auth_epoch(const struct conf *);
void	db_listen_auth(void);

/*
 * For the db_*.c files only: run statement s with n parameters (text, or
 * binary where lens[i] > 0 and the value is raw bytes, e.g. a hash).
 * Returns the result (PQclear it) or NULL (logged, db_unavailable()).
 */
/* Rows copied out of a result: v[row * ncols + col], NULL for SQL NULL. */
struct db_rows {
	int	 nrows, ncols;
	char	**v;
};

int		 db_fetch(enum stmt, int, const char *const *, const int *,
		    struct db_rows *);
void		 db_rows_free(struct db_rows *);
const char	*db_last_sqlstate(void);
const char	*db_last_message(void);

struct pg_result;
struct pg_result *db_run(enum stmt, int, const char *const *, const int *);

#endif
