/*
 * login.h: signing a person in with a username and password, for every
 * page that needs it (authorize.c: the OAuth login; doctor.c: the
 * administrator's report), so that the session cookie, the CSRF token,
 * the rate limits and the password check exist once.
 *
 * A login session is a random id in a cookie, stored hashed; before the
 * person signs in it is a "pre-login" session whose only use is to bind
 * the CSRF token of the form (S-04).  Attempts are counted per user and
 * per address in PostgreSQL (S-18) before the password is checked, and an
 * unknown user costs the same argon2id work as a wrong password.
 */
#ifndef LOGIN_H
#define LOGIN_H

#include "db_oauth.h"
#include "secret.h"

struct conf;
struct req;

#define LOGIN_PRELOGIN_LIFETIME	3600	/* seconds for a session before login */
#define LOGIN_WINDOW		900	/* seconds of the login-attempt window */

struct login {
	char		 sid[SECRET_STRLEN + 1];	/* "" when none */
	unsigned char	 sid_hash[SECRET_HASHBYTES];
	char		 csrf[SECRET_STRLEN + 1];
	struct session	 s;				/* from the database */
	int		 found;
};

/* What login_password decided. */
enum login_verdict {
	LOGIN_OK,		/* the password is right; *uid set */
	LOGIN_WRONG,		/* unknown user or wrong password (audited) */
	LOGIN_LIMITED,		/* too many attempts; *wait seconds */
	LOGIN_FAILED		/* database failure, already answered */
};

const char	*login_cookie_name(const struct conf *);
void		 login_csrf_of(const char *, char [SECRET_STRLEN + 1]);
int		 login_load(struct req *, struct login *);
int		 login_start(struct req *, struct login *);
int		 login_csrf_ok(const struct login *, const char *);
void		 login_free(struct login *);
enum login_verdict login_password(struct req *, const char *, const char *,
		    const char *, const char *, long long *, char **,
		    long long *);

#endif
