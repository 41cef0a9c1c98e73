/*
 * db_oauth.h: what the authorization server reads and writes (clients,
 * users, login sessions, consents, codes, the audit log), as C values.
 * Look-ups return -1 on failure (see db_unavailable()), 0 when not found,
 * 1 when found; the caller frees what a *_free function names.
 */
#ifndef DB_OAUTH_H
#define DB_OAUTH_H

#include <stddef.h>

#include "secret.h"

struct client {
	char	 *client_id;
	char	 *auth_method;
	char	 *client_name;		/* NULL when unnamed */
	char	 *scope;		/* NULL: no restriction */
	char	**redirect_uris;
	size_t	  redirect_urisz;
	int	  disabled;
};

struct client_registration {
	const char	*client_id;
	const unsigned char *secret_hash;	/* NULL for "none" */
	const char	*auth_method;
	const char	*redirect_uris_json;
	const char	*client_name, *client_uri, *logo_uri, *scope;
	const char	*grant_types_json;
	const char	*application_type;
	const char	*metadata_json;
};

struct session {
	unsigned char	 csrf_hash[SECRET_HASHBYTES];
	long long	 user_id;	/* 0: not logged in */
	char		*user_name;
};

/* The parameters shared by the two ways a code is issued. */
struct code_grant {
	long long		 user_id;
	const char		*client_id;
	const char		*registered_redirect;	/* consent key */
	const char		*redirect_uri;		/* as requested */
	const char		*resource;
	const char		*scope;
	const char		*challenge;
	const unsigned char	*code_hash;
	long long		 lifetime;
	const char		*remote_addr;
};

int	db_client_get(const char *, struct client *);
void	client_free(struct client *);
int	db_client_register(const struct client_registration *, const char *,
	    long long, long long *, long long *);
int	db_session_get(const unsigned char *, long long, struct session *);
void	session_free(struct session *);
int	db_session_create(const unsigned char *, const unsigned char *,
	    long long, const char *, const char *);
int	db_login_limit(const char *, const char *, long long, long long,
	    long long, long long *);
int	db_user_get(const char *, long long *, char **, char **);
int	db_login_ok(const unsigned char *, const unsigned char *, long long,
	    const unsigned char *, long long, const char *, const char *,
	    const char *);
int	db_audit(const char *, long long, const char *, const char *,
	    const char *);
int	db_code_if_consented(const struct code_grant *);
int	db_consent_grant(const struct code_grant *);
int	db_password_link(const unsigned char *, long long *, char **);
int	db_password_set(const unsigned char *, const char *, const char *);
int	db_remote_user(const char *, long long *);

#endif
