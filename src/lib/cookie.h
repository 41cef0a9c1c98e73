/*
 * cookie.h: reading a cookie from the Cookie header (RFC 6265 §5.4) and
 * writing the login-session cookie.
 */
#ifndef COOKIE_H
#define COOKIE_H

#include <stddef.h>

struct req;

char	*cookie_get(const char *, const char *);
void	 cookie_set_session(struct req *, const char *, const char *, long long);

#endif
