/*
 * response.c: the response side of struct req (see http.h).
 *
 * A handler sets a status, headers and a body; resp_send() writes them in
 * one go with the headers every response needs:
 *  - an explicit "Status:" line always: with "Location:" and no Status,
 *    Apache performs an internal redirect instead (deploy README §2.5);
 *  - Content-Length, since the body is complete before we write it;
 *  - Cache-Control (no-store unless the handler chose otherwise: OAuth
 *    responses carry credentials, SPEC S-17);
 *  - the security headers, from this one place (kcgi-framework http_open).
 * A HEAD response carries the headers of the GET, without the body.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "app.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "xmalloc.h"

/* RFC 9110 §15 reason phrases for the codes we send. */
const char *
http_reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

void
resp_status(struct req *r, int code)
{
	r->status = code;
}

/*
 * Add a response header.  Returns 0, or -1 (and adds nothing) when the
 * formatted value contains CR, LF or NUL, which would let a value end the
 * header block (response splitting), or when the headers are full.
 */
int
resp_header(struct req *r, const char *name, const char *fmt, ...)
{
	va_list	 ap;
	char	*v, *p;
	int	 n, rc = -1;
	size_t	 old;

	if (r->failed)
		return -1;
	va_start(ap, fmt);
	/* most values are one string: no printf for them (bench/cost.sh) */
	if (strcmp(fmt, "%s") == 0) {
		v = xstrdup(va_arg(ap, const char *));
		n = (int)strlen(v);
	} else
		n = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("vasprintf");
	/* RFC 9110 §5.5: no control characters (CR LF would split it) */
	for (p = v; *p != '\0'; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			break;
	if (*p != '\0' || strlen(v) != (size_t)n) {
		log_warnx("refused a %s header with a control character", name);
		goto out;
	}
	old = r->headers.len;
	if (buf_adds(&r->headers, name) == -1 ||
	    buf_add(&r->headers, ": ", 2) == -1 ||
	    buf_add(&r->headers, v, (size_t)n) == -1 ||
	    buf_add(&r->headers, "\r\n", 2) == -1) {
		/* all or nothing: no half header */
		r->headers.len = old;
		if (r->headers.ptr != NULL)
			r->headers.ptr[old] = '\0';
		log_warnx("response headers too large at %s", name);
		goto out;
	}
	if (strcasecmp(name, "Cache-Control") == 0)
		r->cache_set = 1;
	rc = 0;
out:
	free(v);
	return rc;
}

void
resp_cache(struct req *r, const char *value)
{
	(void)resp_header(r, "Cache-Control", "%s", value);
}

/* Append to the body.  A body past HTTP_RESPONSE_MAX is a bug: 500. */
void
resp_body(struct req *r, const char *p, size_t n)
{
	if (r->failed)
		return;
	if (buf_add(&r->content, p, n) == -1) {
		log_warnx("response body larger than %u bytes",
		    HTTP_RESPONSE_MAX);
		buf_reset(&r->content);
		buf_reset(&r->headers);
		r->cache_set = 0;
		r->status = 500;
		if (buf_adds(&r->content, "{\"error\":\"server_error\","
		    "\"error_description\":\"response too large\"}") == -1)
			fatalx("resp_body: cannot happen");
		(void)resp_header(r, "Content-Type", "application/json");
		r->failed = 1;		/* nothing may be added after this */
	}
}

/* A complete JSON response from ready-made text. */
void
resp_json_text(struct req *r, int status, const char *json, size_t len)
{
	r->status = status;
	(void)resp_header(r, "Content-Type", "application/json");
	resp_body(r, json, len);
}

/*
 * An error in the OAuth shape every endpoint of ours uses for JSON
 * errors (RFC 6749 §5.2): {"error": code, "error_description": desc}.
 * desc is for the client; details that might help an attacker, or that
 * name files and SQL, go to the log instead.
 */
void
resp_json_error(struct req *r, int status, const char *code, const char *desc)
{
	cJSON	*j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "error", code);
	if (desc != NULL)
		cJSON_AddStringToObject(j, "error_description", desc);
	r->status = status;
	(void)resp_header(r, "Content-Type", "application/json");
	if (json_print(j, &r->content) == -1)
		log_warnx("error response too large");
	cJSON_Delete(j);
}

/* A redirect, always with an explicit Status (see the top of the file). */
void
resp_redirect(struct req *r, int status, const char *url)
{
	r->status = status;
	if (resp_header(r, "Location", "%s", url) == -1) {
		r->status = 500;
		log_warnx("refused to redirect to a URL with a line break");
	}
}

static void
methods_list(struct buf *b, unsigned methods)
{
	int	i, first = 1;

	for (i = 0; i < HTTP_OTHER; i++)
		if (methods & HTTP_M(i)) {
			if (buf_printf(b, "%s%s", first ? "" : ", ",
			    http_method_name((enum http_method)i)) == -1)
				return;
			first = 0;
		}
}

/* The Allow header of a 405 (RFC 9110 §15.5.6). */
void
resp_allow(struct req *r, unsigned methods)
{
	struct buf	b;

	buf_init(&b, 128);
	methods_list(&b, methods);
	(void)resp_header(r, "Allow", "%s", buf_str(&b));
	buf_free(&b);
}

/*
 * CORS for public, credential-free documents and for endpoints browser
 * clients call with a bearer token (SPEC DEP-03): any origin may read the
 * response, and WWW-Authenticate is exposed so that a browser client can
 * find the resource metadata after a 401.  With preflight set, also the
 * answer to an OPTIONS preflight for the given methods.
 */
void
resp_cors_public(struct req *r, unsigned preflight_methods)
{
	struct buf	b;

	(void)resp_header(r, "Access-Control-Allow-Origin", "*");
	(void)resp_header(r, "Access-Control-Expose-Headers",
	    "WWW-Authenticate, Mcp-Session-Id, MCP-Protocol-Version");
	if (preflight_methods == 0)
		return;
	buf_init(&b, 128);
	methods_list(&b, preflight_methods);
	(void)resp_header(r, "Access-Control-Allow-Methods", "%s", buf_str(&b));
	buf_free(&b);
	(void)resp_header(r, "Access-Control-Allow-Headers",
	    "Authorization, Content-Type, Accept, MCP-Protocol-Version, "
	    "Mcp-Session-Id, Mcp-Method, Mcp-Name, Last-Event-ID");
	(void)resp_header(r, "Access-Control-Max-Age", "86400");
}

static int
out_write(struct req *r, const char *p, size_t n)
{
	if (n == 0)
		return 0;
	if (r->out == NULL)
		return fwrite(p, 1, n, stdout) == n ? 0 : -1;
	while (n > 0) {
		int chunk = n > 65536 ? 65536 : (int)n;
		if (FCGX_PutStr(p, chunk, r->out) != chunk)
			return -1;
		p += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

/*
 * Write the response.  Returns 0, or -1 when the front end went away
 * (logged; nothing else to do).  Calling it twice sends nothing more.
 */
int
resp_send(struct req *r)
{
	struct buf	h;
	int		rc, nobody = r->status == 204 || r->status == 304;

	if (r->sent)
		return 0;
	r->sent = 1;
	buf_init(&h, HTTP_HEADERS_MAX + 1024);
	if (buf_printf(&h, "Status: %d %s\r\n", r->status,
	    http_reason(r->status)) == -1 ||
	    buf_add(&h, buf_str(&r->headers), r->headers.len) == -1 ||
	    (!r->cache_set && buf_adds(&h, "Cache-Control: no-store\r\n") == -1) ||
	    buf_adds(&h,
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Referrer-Policy: no-referrer\r\n"
	    "Content-Security-Policy: ") == -1 ||
	    buf_adds(&h, r->csp != NULL ? r->csp :
	    "default-src 'none'; frame-ancestors 'none'") == -1 ||
	    buf_add(&h, "\r\n", 2) == -1 ||
	    /* RFC 9110 §8.6: no Content-Length (and no body) with a 204 */
	    (nobody ? buf_adds(&h, "\r\n") :
	    buf_printf(&h, "Content-Length: %zu\r\n\r\n", r->content.len)) == -1)
		fatalx("response headers overflow");
	rc = out_write(r, buf_str(&h), h.len);
	if (rc == 0 && r->method != HTTP_HEAD && !nobody)
		rc = out_write(r, buf_str(&r->content), r->content.len);
	if (rc == 0 && r->out == NULL)
		rc = fflush(stdout) == 0 ? 0 : -1;
	if (rc == -1)
		log_warnx("the front end closed the connection before the response was written");
	buf_free(&h);
	return rc;
}
