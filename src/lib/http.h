/*
 * http.h: one HTTP request and its response, as a CGI or FastCGI program
 * sees them (RFC 3875 variables), and the functions that read the one and
 * write the other (request.c, response.c).
 *
 * The request owns its memory: everything hanging off struct req is
 * released by req_free() at the bottom of the request loop (kcgi's
 * khttp_free).  Strings marked "borrowed" point into the environment the
 * front end gave us and live as long as the request.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>

#include <fcgiapp.h>

#include "buf.h"
#include "form.h"

struct conf;
struct endpoint;

enum http_method {
	HTTP_GET = 0,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_PUT,
	HTTP_DELETE,
	HTTP_OPTIONS,
	HTTP_PATCH,
	HTTP_OTHER,
	HTTP__MAX
};
#define HTTP_M(m)	(1u << (m))

#define HTTP_HEADERS_MAX	8192	/* bytes of response headers */
#define HTTP_RESPONSE_MAX	(4u << 20) /* bytes of response body */

/*
 * The request variables the programs read, found in one pass over the
 * request's environment by req_init() (see request.c's var_names);
 * req_var() returns them.  Any other name: req_env().
 */
enum req_var {
	RV_REQUEST_METHOD,
	RV_REQUEST_URI,
	RV_PATH_INFO,
	RV_QUERY_STRING,
	RV_HTTP_AUTHORIZATION,
	RV_REDIRECT_HTTP_AUTHORIZATION,
	RV_HTTP_ORIGIN,
	RV_REMOTE_ADDR,
	RV_REMOTE_USER,
	RV_CONTENT_LENGTH,
	RV_CONTENT_TYPE,
	RV_HTTP_COOKIE,
	RV_HTTP_USER_AGENT,
	RV_HTTP_MCP_METHOD,
	RV_HTTP_MCP_NAME,
	RV_HTTP_MCP_PROTOCOL_VERSION,
	RV_MCPGATE_CONFIG,
	RV__MAX
};

struct req {
	unsigned long		 id;		/* per process, for log lines */
	const struct endpoint	*ep;
	const struct conf	*conf;
	char			**env;		/* borrowed: the request's variables */
	const char		*var[RV__MAX];	/* borrowed from env, or NULL */
	FCGX_Stream		*in, *out;	/* NULL in CGI mode: stdin, stdout */

	enum http_method	 method;
	char			*path;		/* REQUEST_URI's path, not decoded */
	const char		*query;		/* borrowed; "" when absent */
	const char		*authorization;	/* borrowed or NULL */
	const char		*origin;	/* borrowed or NULL */
	const char		*remote_addr;	/* borrowed or NULL */
	char			*body;		/* NUL-terminated; NULL if none */
	size_t			 bodysz;
	struct field		*fields;	/* validated values, one per declared */
	size_t			 fieldsz;	/* field (endpoint.fields) */

	/* the response, sent once by resp_send() */
	int			 status;
	struct buf		 headers;	/* "Name: value\r\n" lines */
	struct buf		 content;
	const char		*csp;		/* Content-Security-Policy override */
	int			 cache_set;	/* the handler set Cache-Control */
	int			 failed;	/* the body overflowed: a 500 is final */
	int			 sent;
};

/* request.c */
void		 req_init(struct req *, char **, FCGX_Stream *, FCGX_Stream *);
void		 req_free(struct req *);
const char	*req_env(const struct req *, const char *);
const char	*req_var(const struct req *, enum req_var);
int		 req_read_body(struct req *, size_t)
		    __attribute__((__warn_unused_result__));
int		 req_content_type_is(const struct req *, const char *);
const char	*req_auth_bearer(const char *);
int		 req_auth_basic(const char *, char **, char **)
		    __attribute__((__warn_unused_result__));
const char	*http_method_name(enum http_method);

/* response.c */
const char	*http_reason(int);
void		 resp_status(struct req *, int);
int		 resp_header(struct req *, const char *, const char *, ...)
		    __attribute__((__format__(__printf__, 3, 4)));
void		 resp_cache(struct req *, const char *);
void		 resp_body(struct req *, const char *, size_t);
void		 resp_json_text(struct req *, int, const char *, size_t);
void		 resp_json_error(struct req *, int, const char *, const char *);
void		 resp_redirect(struct req *, int, const char *);
void		 resp_cors_public(struct req *, unsigned);
void		 resp_allow(struct req *, unsigned);
int		 resp_send(struct req *);

#endif
