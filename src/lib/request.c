/*
 * request.c: the request side of struct req (see http.h).
 *
 * What front ends actually hand us (../shared/deploy/README.md, each
 * point tested in tests/integration):
 *  - route on REQUEST_URI's path: SCRIPT_NAME is "/mcp", "/oauth/mcp.fcgi"
 *    or "/_mcpgate/mcp" depending on the front end;
 *  - Authorization is HTTP_AUTHORIZATION, or only REDIRECT_HTTP_AUTHORIZATION
 *    after an .htaccess rewrite with [END];
 *  - CONTENT_LENGTH is absent for a chunked body under mod_cgid: read to EOF;
 *  - mod_fcgid with LimitRequestBody passes an empty or truncated body
 *    without a word, so an empty body where one is required is a 400.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "http.h"
#include "form.h"
#include "log.h"
#include "secret.h"
#include "valid.h"
#include "xmalloc.h"

static const char *const method_names[HTTP__MAX] = {
	[HTTP_GET] = "GET",
	[HTTP_HEAD] = "HEAD",
	[HTTP_POST] = "POST",
	[HTTP_PUT] = "PUT",
	[HTTP_DELETE] = "DELETE",
	[HTTP_OPTIONS] = "OPTIONS",
	[HTTP_PATCH] = "PATCH",
	[HTTP_OTHER] = "OTHER",
};

const char *
http_method_name(enum http_method m)
{
	if (m >= HTTP__MAX)
		abort();
	return method_names[m];
}

/*
 * The names of enum req_var.  req_init() looks them all up in one pass
 * over the environment: libfcgi's FCGX_GetParam() is a linear search
 * with a strncmp() per variable, ~600 instructions a call with the 28
 * variables lighttpd passes, and a request needs ten or more of them
 * (bench/results/cost-*.md).
 */
static const struct {
	const char	*name;
	size_t		 len;
} var_names[RV__MAX] = {
#define V(n) [RV_##n] = { #n, sizeof(#n) - 1 }
	V(REQUEST_METHOD),
	V(REQUEST_URI),
	V(PATH_INFO),
	V(QUERY_STRING),
	V(HTTP_AUTHORIZATION),
	V(REDIRECT_HTTP_AUTHORIZATION),
	V(HTTP_ORIGIN),
	V(REMOTE_ADDR),
	V(REMOTE_USER),
	V(CONTENT_LENGTH),
	V(CONTENT_TYPE),
	V(HTTP_COOKIE),
	V(HTTP_USER_AGENT),
	V(HTTP_MCP_METHOD),
	V(HTTP_MCP_NAME),
	V(HTTP_MCP_PROTOCOL_VERSION),
	V(MCPGATE_CONFIG),
#undef V
};

/* A request variable, or NULL.  Borrowed. */
const char *
req_env(const struct req *r, const char *name)
{
	return FCGX_GetParam(name, r->env);
}

/* One of the variables req_init() found, or NULL.  Borrowed. */
const char *
req_var(const struct req *r, enum req_var v)
{
	if ((unsigned)v >= RV__MAX)
		abort();
	return r->var[v];
}

/*
 * Fill r->var from r->env in one pass.  Like FCGX_GetParam() the first
 * "NAME=value" of a name wins, and an entry without "=" is no variable.
 * Only the names of an entry's length are compared: chained by length,
 * the chains made on the first call (the programs are single-threaded).
 */
#define VAR_LEN_MAX	32
static void
find_vars(struct req *r)
{
	static signed char	 first[VAR_LEN_MAX], next[RV__MAX];
	static int		 chained;
	char			**e;
	const char		*eq;
	size_t			 len;
	int			 i;

	if (!chained) {
		memset(first, -1, sizeof(first));
		for (i = RV__MAX - 1; i >= 0; i--) {
			if (var_names[i].len >= VAR_LEN_MAX)
				abort();
			next[i] = first[var_names[i].len];
			first[var_names[i].len] = (signed char)i;
		}
		chained = 1;
	}
	if (r->env == NULL)
		return;
	for (e = r->env; *e != NULL; e++) {
		if ((eq = strchr(*e, '=')) == NULL ||
		    (len = (size_t)(eq - *e)) >= VAR_LEN_MAX)
			continue;
		for (i = first[len]; i != -1; i = next[i])
			if (r->var[i] == NULL &&
			    memcmp(*e, var_names[i].name, len) == 0) {
				r->var[i] = eq + 1;
				break;
			}
	}
}

/*
 * Set up r for the request whose variables are env; in and out are the
 * FastCGI streams, or NULL for plain CGI (stdin and stdout).
 */
void
req_init(struct req *r, char **env, FCGX_Stream *in, FCGX_Stream *out)
{
	const char	*m, *uri;
	size_t		 i;

	memset(r, 0, sizeof(*r));
	r->env = env;
	r->in = in;
	r->out = out;
	r->status = 200;
	buf_init(&r->headers, HTTP_HEADERS_MAX);
	buf_init(&r->content, HTTP_RESPONSE_MAX);
	find_vars(r);

	r->method = HTTP_OTHER;
	if ((m = req_var(r, RV_REQUEST_METHOD)) != NULL)
		for (i = 0; i < HTTP_OTHER; i++)
			if (strcmp(m, method_names[i]) == 0) {
				r->method = (enum http_method)i;
				break;
			}

	/*
	 * The path as the client sent it.  Without REQUEST_URI (not seen on
	 * any supported front end) fall back to PATH_INFO, never to
	 * SCRIPT_NAME, which names the program and not the URL.
	 */
	if ((uri = req_var(r, RV_REQUEST_URI)) != NULL)
		r->path = xstrndup(uri, strcspn(uri, "?#"));
	else if ((uri = req_var(r, RV_PATH_INFO)) != NULL)
		r->path = xstrdup(uri);
	else
		r->path = xstrdup("");
	if ((r->query = req_var(r, RV_QUERY_STRING)) == NULL)
		r->query = "";

	/* DEP-01: Apache passes it under the REDIRECT_ name after rewrites */
	if ((r->authorization = req_var(r, RV_HTTP_AUTHORIZATION)) == NULL ||
	    *r->authorization == '\0')
		r->authorization = req_var(r, RV_REDIRECT_HTTP_AUTHORIZATION);
	if (r->authorization != NULL && *r->authorization == '\0')
		r->authorization = NULL;
	r->origin = req_var(r, RV_HTTP_ORIGIN);
	r->remote_addr = req_var(r, RV_REMOTE_ADDR);
}

void
req_free(struct req *r)
{
	if (r->fields != NULL) {
		form_free(r->fields, r->fieldsz);
		free(r->fields);
	}
	free(r->path);
	if (r->body != NULL) {
		/* bodies carry secrets (codes, passwords): wipe before free */
		secret_wipe(r->body, r->bodysz);
		free(r->body);
	}
	/* responses can carry secrets too (a client secret, a code) */
	if (r->content.ptr != NULL)
		secret_wipe(r->content.ptr, r->content.len);
	buf_free(&r->headers);
	buf_free(&r->content);
	r->path = r->body = NULL;
	r->fields = NULL;
}

static size_t
read_some(struct req *r, char *p, size_t n)
{
	int	got;

	if (r->in == NULL)
		return fread(p, 1, n, stdin);
	got = FCGX_GetStr(p, (int)(n > 65536 ? 65536 : n), r->in);
	return got > 0 ? (size_t)got : 0;
}

/*
 * Read the request body, at most max bytes, into r->body.  Returns 0, or
 * the HTTP status to answer: 413 when it is (or says it is) larger than
 * max, 400 when CONTENT_LENGTH is malformed or the body ends early.
 */
int
req_read_body(struct req *r, size_t max)
{
	const char		*cl;
	unsigned long long	 want = 0;
	int			 known;
	size_t			 got = 0, n, cap;
	char			*p;

	cl = req_var(r, RV_CONTENT_LENGTH);
	known = cl != NULL && *cl != '\0';
	if (known && strspn(cl, "0123456789") == strlen(cl) && strlen(cl) > 18)
		return 413;	/* digits, but more than any body we take */
	if (known && !valid_uint(cl, strlen(cl), 0, (unsigned long long)-1 / 2,
	    &want)) {
		log_warnx("malformed CONTENT_LENGTH");
		return 400;
	}
	if (known && want > max)
		return 413;
	/* Without a length (chunked under mod_cgid) read to EOF, one over. */
	cap = known ? (size_t)want : max + 1;
	p = xmalloc(cap + 1);
	while (got < cap) {
		if ((n = read_some(r, p + got, cap - got)) == 0)
			break;
		got += n;
	}
	p[got] = '\0';
	r->body = p;
	r->bodysz = got;
	if (!known && got > max)
		return 413;
	if (known && got < want) {
		log_warnx("request body truncated: %zu of %llu bytes", got, want);
		return 400;
	}
	return 0;
}

/*
 * Whether the request's Content-Type has the media type type (compared
 * case-insensitively, parameters such as "; charset=utf-8" ignored,
 * RFC 9110 §8.3.1).
 */
int
req_content_type_is(const struct req *r, const char *type)
{
	const char	*ct = req_var(r, RV_CONTENT_TYPE);
	size_t		 tl = strlen(type), i;

	if (ct == NULL)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, type, tl) != 0)
		return 0;
	for (i = tl; ct[i] == ' ' || ct[i] == '\t'; i++)
		;
	return ct[i] == '\0' || ct[i] == ';';
}

/*
 * The credentials of an Authorization header value h (NULL when the
 * request had none), for the two schemes we take.  The scheme name is
 * case-insensitive (RFC 9110 §11.1) and followed by one space and any
 * more spaces.
 *
 * req_auth_bearer: the token of "Bearer <token>" (RFC 6750 §2.1), possibly
 * empty, pointing into h; NULL when h is absent or of another scheme.
 * Whether the token is well formed is the caller's question.
 */
const char *
req_auth_bearer(const char *h)
{
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	for (h += 7; *h == ' '; h++)
		;
	return h;
}

/*
 * req_auth_basic: "Basic base64(id:secret)" as a client authenticates at
 * the token endpoint (RFC 6749 §2.3.1: id and secret are each
 * form-urlencoded before they are joined).  Returns 1 with *id and
 * *secret set (NUL-terminated UTF-8, the caller frees both and wipes the
 * secret), 0 when h is absent or of another scheme, -1 when it is Basic
 * but malformed: not base64, more than 1 KiB decoded, no colon, a broken
 * %-escape, a NUL or invalid UTF-8.
 */
int
req_auth_basic(const char *h, char **id, char **secret)
{
	unsigned char	 raw[1024];
	const char	*b64, *colon;
	size_t		 rawlen, idl, dl;
	int		 rc = -1;

	*id = *secret = NULL;
	if (h == NULL || strncasecmp(h, "Basic ", 6) != 0)
		return 0;
	for (b64 = h + 6; *b64 == ' '; b64++)
		;
	if (sodium_base642bin(raw, sizeof(raw) - 1, b64, strlen(b64), NULL,
	    &rawlen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    (colon = memchr(raw, ':', rawlen)) == NULL)
		goto out;
	idl = (size_t)(colon - (const char *)raw);
	if (form_decode((const char *)raw, idl, id, &dl) == -1)
		goto out;
	if (form_decode(colon + 1, rawlen - idl - 1, secret, &dl) == -1) {
		free(*id);
		*id = NULL;
		goto out;
	}
	rc = 1;
out:
	sodium_memzero(raw, sizeof(raw));
	return rc;
}
