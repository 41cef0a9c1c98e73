/*
 * db_token.h: what the token endpoint asks of the database (client
 * authentication, code redemption, refresh rotation, revocation).
 * Functions return -1 on failure (see db_unavailable()).
 */
#ifndef DB_TOKEN_H
#define DB_TOKEN_H

#include <stddef.h>

#include "secret.h"

struct client_secret {
	int		 found;		/* the client exists */
	char		*client_id;
	char		*auth_method;
	int		 has_secret;
	unsigned char	 secret_hash[SECRET_HASHBYTES];
	int		 disabled;
	int		 refresh_allowed;	/* registered the refresh_token grant */
	long long	 failures;	/* failed authentications of the address */
};

/* The hashed secrets and lifetimes of one grant. */
struct token_issue {
	const unsigned char	*access_hash;
	const unsigned char	*refresh_hash;	/* NULL: no refresh token */
	long long		 access_ttl;
	long long		 refresh_idle;
	long long		 refresh_absolute;
	const char		*remote_addr;
};

int	db_client_auth(const char *, const char *, struct client_secret *);
void	client_secret_free(struct client_secret *);
int	db_client_auth_failed(const char *, long long, const char *,
	    const char *, const char *);
int	db_code_redeem(const unsigned char *, const char *, const char *,
	    const char *, const char *, const struct token_issue *, long long,
	    char **, char **);
int	db_token_refresh(const unsigned char *, const char *, const char *,
	    const char *, const struct token_issue *, const unsigned char *,
	    size_t, long long, char **, char **, unsigned char **, size_t *);
int	db_token_revoke(const unsigned char *, const char *, const char *);

#endif
