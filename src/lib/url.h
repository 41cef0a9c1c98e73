/*
 * url.h: absolute URLs as this server needs them (RFC 3986 §3): the
 * configured issuer and origins now, registered redirect URIs later.
 *
 * The parser is deliberately strict: printable ASCII only (anything else
 * must arrive percent-encoded), a scheme, "//", an authority, and the
 * usual optional path, query and fragment.  What a URL is *for* (https
 * only? a fragment allowed?) is the caller's decision.
 */
#ifndef URL_H
#define URL_H

#include <stddef.h>

struct url {
	char		*scheme;	/* lower-cased */
	char		*host;		/* lower-cased; IPv6 with its brackets */
	unsigned	 port;		/* 0 when absent */
	char		*path;		/* "" when absent */
	char		*query;		/* NULL when absent */
	char		*fragment;	/* NULL when absent */
	int		 userinfo;	/* 1 when "user@" was present */
};

int	url_parse(const char *, size_t, struct url *)
	    __attribute__((__warn_unused_result__));
void	url_free(struct url *);
int	url_host_is_loopback(const char *);
int	url_is_secure(const struct url *);
char	*url_origin(const struct url *);

#endif
