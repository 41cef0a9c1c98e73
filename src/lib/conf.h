/*
 * conf.h: the configuration file, read and validated before it is used,
 * then treated as immutable.
 *
 * Format: one "key = value" per line; blank lines and lines whose first
 * non-blank character is '#' are ignored; the value runs to the end of
 * the line with surrounding blanks removed (so a '#' inside a conninfo
 * password is kept).  Unknown and repeated keys are errors, so a typo
 * cannot silently leave a default in force.  Every error names the file,
 * the line and the key.
 *
 * The path comes from the per-request variable MCPGATE_CONFIG, which the
 * front end sets (SetEnv works even in .htaccess, and it is what every
 * tested front end passes per request), else the same variable in the
 * process environment, else the compiled-in default.  See the README.
 */
#ifndef CONF_H
#define CONF_H

#include <stddef.h>

#include "log.h"

/*
 * The protected-resource metadata is also served here, under the MCP path,
 * for hosts whose edge blocks /.well-known (well_known_blocked).
 */
#define PRM_UNDER_MCP_PATH	"/oauth-protected-resource"

struct conf {
	char		*path;		/* the file this came from */
	unsigned long	 generation;	/* changes whenever a file is (re)loaded */

	char		*issuer;	/* origin, no trailing slash (AS-04, AS-06) */
	char		*mcp_path;	/* "/mcp" */
	char		*mcp_url;	/* issuer + mcp_path: the resource (PRM-05) */
	char		*prm_url;	/* the PRM URL challenges name (RS-02) */
	char		*database;	/* libpq conninfo */
	char		*resource_name;	/* PRM resource_name */
	char		*service_documentation; /* URL or NULL */
	char		*scopes;	/* every scope the AS grants */
	char		*default_scopes; /* granted for an empty request; PRM (PRM-07) */
	char		**origins;	/* extra allowed browser origins */
	size_t		 originsz;

	long long	 access_token_lifetime;	/* seconds */
	long long	 code_lifetime;
	long long	 refresh_token_lifetime;
	long long	 refresh_token_idle_lifetime;
	long long	 refresh_grace;
	long long	 token_cache_seconds;	/* 0: check every token with PostgreSQL */
	long long	 session_lifetime;
	long long	 session_idle_lifetime;
	long long	 client_expiry;
	long long	 db_statement_timeout;	/* milliseconds */
	long long	 register_limit;	/* registrations per IP per hour */
	long long	 token_failure_limit;	/* failed client auths per IP per 15 min */
	long long	 code_duplicate_window;	/* seconds: a repeat is refused quietly */
	long long	 login_limit_user;	/* login attempts per user per 15 min */
	long long	 login_limit_ip;	/* login attempts per IP per 15 min */
	int		 trust_remote_user;	/* REMOTE_USER authenticates */
	char		*search_config;		/* text search configuration */
	long long	 fetch_max_chars;	/* fetch cuts documents here */
	enum log_level	 log_level;
	int		 well_known_blocked;	/* the host's edge blocks /.well-known */
	char		*admin_users;		/* usernames that may see the doctor page */
};

int	conf_parse(const char *, size_t, const char *, struct conf *,
	    char *, size_t) __attribute__((__warn_unused_result__));
int	conf_load(const char *, struct conf *, char *, size_t)
	    __attribute__((__warn_unused_result__));
void	conf_free(struct conf *);
const struct conf *conf_current(const char *);
int	conf_origin_allowed(const struct conf *, const char *);

#endif
