/*
 * test_response.c: what response.c writes (in CGI mode, to stdout): the
 * Status line first, headers, Content-Length, the security headers, the
 * default Cache-Control, HEAD without a body, 204 without Content-Length,
 * redirects always with Status (deploy README requirement 5), header
 * injection refused, JSON errors in the OAuth shape.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "json.h"
#include "tap.h"

static char	outpath[] = "/tmp/mcpgate-test-resp.XXXXXX";

/* Run fn on a fresh GET (or method m) request; return what it wrote. */
static char *
capture(enum http_method m, void (*fn)(struct req *))
{
	static char	*env[] = { NULL };
	struct req	 r;
	FILE		*f;
	char		*buf;
	long		 n;

	int		 saved;

	fflush(stdout);
	if ((saved = dup(STDOUT_FILENO)) == -1 ||
	    freopen(outpath, "w", stdout) == NULL)
		abort();
	req_init(&r, env, NULL, NULL);
	r.method = m;
	fn(&r);
	(void)resp_send(&r);
	req_free(&r);
	fflush(stdout);
	/* back to the TAP stream */
	if (dup2(saved, STDOUT_FILENO) == -1)
		abort();
	close(saved);
	clearerr(stdout);
	f = fopen(outpath, "r");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	return buf;
}

static void
json_ok(struct req *r)
{
	resp_json_text(r, 200, "{\"a\":1}", 7);
}

static void
error_400(struct req *r)
{
	resp_json_error(r, 400, "invalid_request", "bad \"thing\"");
}

static void
redirect(struct req *r)
{
	resp_redirect(r, 303, "https://client.example/cb?code=x&state=y");
}

static void
injected(struct req *r)
{
	int	rc;

	rc = resp_header(r, "X-Test", "a\r\nSet-Cookie: evil=1");
	resp_json_text(r, rc == -1 ? 200 : 599, "{}", 2);
}

/* Headers past HTTP_HEADERS_MAX: the one that does not fit is left out whole. */
static void
too_many_headers(struct req *r)
{
	char	v[1000];
	int	i, refused = 0;

	memset(v, 'x', sizeof(v) - 1);
	v[sizeof(v) - 1] = '\0';
	for (i = 0; i < 12; i++)
		if (resp_header(r, "X-Fill", "%s", v) == -1)
			refused++;
	(void)resp_header(r, "X-Last", "%d-%s", refused, "tail");
	resp_json_text(r, 200, "{}", 2);
}

static void
no_content(struct req *r)
{
	r->status = 204;
	resp_cors_public(r, HTTP_M(HTTP_GET) | HTTP_M(HTTP_OPTIONS));
}

static void
cached(struct req *r)
{
	resp_cache(r, "public, max-age=60");
	resp_json_text(r, 200, "{}", 2);
}

static void
not_allowed(struct req *r)
{
	resp_allow(r, HTTP_M(HTTP_GET) | HTTP_M(HTTP_HEAD) | HTTP_M(HTTP_POST));
	resp_json_error(r, 405, "invalid_request", "method not allowed");
}

static void
too_big(struct req *r)
{
	char	*big = malloc(HTTP_RESPONSE_MAX + 1);

	memset(big, 'x', HTTP_RESPONSE_MAX + 1);
	resp_json_text(r, 200, big, HTTP_RESPONSE_MAX + 1);
	free(big);
}

int
main(void)
{
	char	*o;
	int	 fd;

	json_init();
	if ((fd = mkstemp(outpath)) == -1)
		abort();
	close(fd);

	o = capture(HTTP_GET, json_ok);
	ok(strncmp(o, "Status: 200 OK\r\n", 16) == 0, "the Status line comes first");
	ok(strstr(o, "Content-Type: application/json\r\n") != NULL, "Content-Type");
	ok(strstr(o, "Content-Length: 7\r\n") != NULL, "Content-Length");
	ok(strstr(o, "Cache-Control: no-store\r\n") != NULL,
	    "Cache-Control: no-store by default (S-17)");
	ok(strstr(o, "X-Content-Type-Options: nosniff\r\n") != NULL, "nosniff");
	ok(strstr(o, "X-Frame-Options: DENY\r\n") != NULL, "X-Frame-Options (S-05)");
	ok(strstr(o, "Referrer-Policy: no-referrer\r\n") != NULL, "Referrer-Policy (S-15)");
	ok(strstr(o, "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n") != NULL,
	    "CSP with frame-ancestors 'none' (S-05)");
	ok(strstr(o, "\r\n\r\n{\"a\":1}") != NULL && o[strlen(o) - 1] == '}',
	    "a blank line, then exactly the body");
	free(o);

	o = capture(HTTP_HEAD, json_ok);
	ok(strstr(o, "Content-Length: 7\r\n") != NULL, "HEAD: the GET's Content-Length");
	ok(strlen(o) > 4 && strcmp(o + strlen(o) - 4, "\r\n\r\n") == 0, "HEAD: no body");
	free(o);

	o = capture(HTTP_GET, error_400);
	ok(strncmp(o, "Status: 400 Bad Request\r\n", 25) == 0, "error status");
	ok(strstr(o, "{\"error\":\"invalid_request\",\"error_description\":\"bad \\\"thing\\\"\"}") != NULL,
	    "JSON error in the OAuth shape, escaped");
	free(o);

	o = capture(HTTP_POST, redirect);
	ok(strncmp(o, "Status: 303 See Other\r\n", 23) == 0,
	    "a redirect carries an explicit Status (else Apache redirects internally)");
	ok(strstr(o, "Location: https://client.example/cb?code=x&state=y\r\n") != NULL, "Location");
	free(o);

	o = capture(HTTP_GET, injected);
	ok(strncmp(o, "Status: 200", 11) == 0 && strstr(o, "evil") == NULL,
	    "a header value with CR LF is refused (no response splitting)");
	free(o);

	o = capture(HTTP_GET, too_many_headers);
	{
		const char	*p = o;
		int		 n = 0, whole = 1;

		while ((p = strstr(p, "X-Fill: ")) != NULL) {
			/* every X-Fill line is whole: 999 x's and CR LF */
			if (strspn(p + 8, "x") != 999 || strncmp(p + 8 + 999, "\r\n", 2) != 0)
				whole = 0;
			n++;
			p += 8;
		}
		ok(strncmp(o, "Status: 200", 11) == 0 && n > 0 && n < 12 && whole,
		    "headers past HTTP_HEADERS_MAX are refused whole, the rest kept (%d of 12)", n);
		ok(strstr(o, "X-Last: ") != NULL && strstr(o, "-tail\r\n") != NULL,
		    "  a short header after a refused one still fits");
	}
	free(o);

	o = capture(HTTP_OPTIONS, no_content);
	ok(strncmp(o, "Status: 204 No Content\r\n", 24) == 0, "204");
	ok(strstr(o, "Content-Length") == NULL, "204: no Content-Length (RFC 9110 §8.6)");
	ok(strstr(o, "Access-Control-Allow-Methods: GET, OPTIONS\r\n") != NULL,
	    "preflight lists the methods");
	ok(strstr(o, "Access-Control-Allow-Origin: *\r\n") != NULL, "Allow-Origin");
	free(o);

	o = capture(HTTP_GET, cached);
	ok(strstr(o, "Cache-Control: public, max-age=60\r\n") != NULL &&
	    strstr(o, "no-store") == NULL, "a handler's Cache-Control replaces the default");
	free(o);

	o = capture(HTTP_PUT, not_allowed);
	ok(strstr(o, "Allow: GET, HEAD, POST\r\n") != NULL, "405 with Allow");
	free(o);

	o = capture(HTTP_GET, too_big);
	ok(strncmp(o, "Status: 500", 11) == 0 && strstr(o, "response too large") != NULL &&
	    strlen(o) < 2000, "a body past the limit becomes a short 500");
	free(o);

	is_str(http_reason(429), "Too Many Requests", "reason phrase 429");
	is_str(http_reason(599), "Unknown", "unknown code");
	unlink(outpath);
	return done_testing();
}
