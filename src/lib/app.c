/*
 * app.c: the request loop every program runs (see app.h).
 *
 * Under FastCGI (lighttpd mod_fastcgi, Apache mod_fcgid or
 * mod_proxy_fcgi) the process serves requests until the front end stops
 * it; started as plain CGI (mod_cgid) it serves exactly one, from the
 * environment and stdin.  libfcgi tells which (FCGX_IsCGI); we use its
 * fcgiapp interface, not fcgi_stdio.h, which redefines printf.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "app.h"
#include "conf.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "secret.h"
#include "xmalloc.h"

/*
 * The database layer is referenced weakly: a program that never touches
 * the database (well-known) is linked without db.o and so without libpq,
 * whose chain of 23 libraries costs a CGI request 5 ms of loading and a
 * FastCGI process 5 MiB (bench/results/cgi-2026-11-26.md,
 * cost-2026-11-26.md).  Every program that uses the database calls db_*
 * itself, which links db.o and resolves these.
 */
#pragma weak db_ensure
#pragma weak db_unavailable
#pragma weak db_set_name
#pragma weak db_close

extern char **environ;

/*
 * Report an error in the endpoint's own way (JSON by default; the
 * authorization endpoint shows a page).
 */
void
app_error(struct req *r, int status, const char *code, const char *desc)
{
	buf_reset(&r->content);
	if (r->ep != NULL && r->ep->error != NULL)
		r->ep->error(r, status, code, desc);
	else
		resp_json_error(r, status, code, desc);
}

/*
 * Answer a database failure: 503 with Retry-After while the database is
 * unavailable, else 500.  Never the database's message (it is logged).
 */
void
app_db_error(struct req *r)
{
	if (db_unavailable != NULL && db_unavailable()) {
		(void)resp_header(r, "Retry-After", "5");
		app_error(r, 503, "temporarily_unavailable",
		    "the database is unavailable; try again shortly");
	} else
		app_error(r, 500, "server_error",
		    "internal error; see the server's error log");
}

/*
 * The scheme of an Authorization value for the log ("Bearer", "Basic"):
 * only a short token followed by a space, so that a value without a
 * scheme (a raw token) is never logged.
 */
static const char *
auth_scheme(const char *v)
{
	static char	scheme[24];
	size_t		n;

	if (v == NULL)
		return "none";
	n = strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+");
	if (n == 0 || n >= sizeof(scheme) || (v[n] != ' ' && v[n] != '\t'))
		return "(unparsed)";
	memcpy(scheme, v, n);
	scheme[n] = '\0';
	return scheme;
}

static int
has_body(enum http_method m)
{
	return m == HTTP_POST || m == HTTP_PUT || m == HTTP_PATCH;
}

/* Everything between accepting a request and sending its response. */
static void
serve(const struct endpoint *ep, struct req *r)
{
	const char	*path, *ctype = NULL;
	const char	*src = NULL;
	size_t		 srclen = 0, max;
	char		 err[256];
	int		 status;

	/*
	 * Configuration: the front end's per-request variable; else the
	 * process environment (FcgidInitialEnv, lighttpd bin-environment,
	 * plain CGI); else the compiled-in default.
	 */
	if (((path = req_var(r, RV_MCPGATE_CONFIG)) == NULL || *path == '\0') &&
	    ((path = getenv("MCPGATE_CONFIG")) == NULL || *path == '\0'))
		path = MCPGATE_CONFIG_DEFAULT;
	if ((r->conf = conf_current(path)) == NULL) {
		app_error(r, 500, "server_error",
		    "the server is misconfigured; see its error log");
		return;
	}
	/*
	 * Whether credentials reached us, by scheme only: the first thing to
	 * check when Apache strips Authorization (SPEC DEP-01).  Never the
	 * credentials themselves.
	 */
	log_debug("%s %s authorization=%s", http_method_name(r->method),
	    r->path, auth_scheme(r->authorization));
	if (ep->flags & EP_CORS) {
		resp_cors_public(r, r->method == HTTP_OPTIONS ?
		    ep->methods | HTTP_M(HTTP_OPTIONS) : 0);
		if (r->method == HTTP_OPTIONS) {
			r->status = 204;
			return;
		}
	}
	if (r->method == HTTP_OTHER) {
		/* RFC 9110 §9.1: a method we do not know at all */
		app_error(r, 501, "invalid_request", "method not implemented");
		return;
	}
	if (!(ep->methods & HTTP_M(r->method))) {
		resp_allow(r, ep->methods);
		app_error(r, 405, "invalid_request", "method not allowed");
		return;
	}

	/* The body, checked before anything is built from it. */
	if (has_body(r->method) && ep->body != BODY_NONE) {
		ctype = ep->body == BODY_FORM ?
		    "application/x-www-form-urlencoded" : "application/json";
		if (!req_content_type_is(r, ctype)) {
			snprintf(err, sizeof(err), "Content-Type must be %s",
			    ctype);
			app_error(r, 415, "invalid_request", err);
			return;
		}
		max = ep->body_max ? ep->body_max : APP_BODY_MAX;
		status = req_read_body(r, max);
		/*
		 * What the front end really handed us: mod_cgid passes a
		 * chunked body without CONTENT_LENGTH, mod_fcgid behind
		 * LimitRequestBody an empty or cut one (deploy notes).
		 */
		if (r->conf->log_level >= LOG_LEVEL_DEBUG) {
			const char *cl = req_var(r, RV_CONTENT_LENGTH);

			log_debug("body: %zu bytes read, CONTENT_LENGTH %s",
			    r->bodysz, cl != NULL ? cl : "absent");
		}
		if (status != 0) {
			app_error(r, status, "invalid_request", status == 413 ?
			    "request body too large" :
			    "request body incomplete or malformed");
			return;
		}
		if (r->bodysz == 0) {
			app_error(r, 400, "invalid_request",
			    "request body required");
			return;
		}
	}

	/* Fields: from the form body, or from the query string. */
	if (ep->fieldsz > 0) {
		if (ctype != NULL && ep->body == BODY_FORM) {
			src = r->body;
			srclen = r->bodysz;
		} else if (!has_body(r->method)) {
			src = r->query;
			srclen = strlen(r->query);
		}
		r->fields = xcalloc(ep->fieldsz, sizeof(struct field));
		r->fieldsz = ep->fieldsz;
		if (src != NULL && form_parse(src, srclen, ep->fields,
		    ep->fieldsz, r->fields, err, sizeof(err)) == -1) {
			app_error(r, 400, "invalid_request", err);
			return;
		}
	}

	if ((ep->flags & EP_DB) && (db_ensure == NULL ||
	    db_ensure(r->conf) == -1)) {
		app_db_error(r);
		return;
	}
	ep->handle(r);
}

/* Serve one request already set up in r, and release it. */
void
app_serve(const struct endpoint *ep, struct req *r)
{
	static unsigned long	id;

	r->ep = ep;
	r->id = ++id;
	log_set_request(r->id);
	serve(ep, r);
	(void)resp_send(r);
	log_info("%s %s -> %d", http_method_name(r->method), r->path,
	    r->status);
	req_free(r);
	log_set_request(0);
}

/*
 * Stopping.  The front ends stop a FastCGI program with SIGTERM: mod_fcgid
 * when a process has been idle for FcgidIdleTimeout, has served
 * FcgidMaxRequestsPerProcess requests, or on a graceful restart; lighttpd
 * when it shuts down.  Left to itself, a process either dies of it (the
 * default action) or, with the handler libfcgi 2.4.2 installs in
 * FCGX_Init (SIGTERM and SIGUSR1 set its shutdown flag, no SA_RESTART),
 * has the request's own reads and writes interrupted: a write blocked on
 * a client that reads slowly fails with EINTR, and the client gets a 200
 * cut short (t44-host-behaviour.t).  So, after FCGX_Init:
 *
 *  - SIGTERM (and SIGINT, which a terminal sends to lighttpd -D and its
 *    children) only set a flag, and libfcgi's (FCGX_ShutdownPending);
 *  - they are blocked while a request is served, together with libfcgi's
 *    other shutdown signal SIGUSR1: nothing interrupts the request, it
 *    completes, and the loop ends after it;
 *  - they are unblocked only around FCGX_Accept_r, and installed without
 *    SA_RESTART, so that an idle process blocked in accept() wakes up
 *    (EINTR; libfcgi's accept loop gives up once shutdown is pending) and
 *    exits with status 0 at once.
 *
 * A signal that arrives between libfcgi's check of its flag and accept()
 * is seen only after the next request; one that arrives while
 * FCGX_Accept_r reads a new request's parameters drops that connection
 * (the front end answers 5xx).  Both windows are a few instructions wide.
 * Plain CGI is left as it is: there SIGTERM means that the front end has
 * given up on the one request (mod_cgid), and libfcgi's handler turns it
 * into a failed read or write.  SIGPIPE stays ignored, so that a client
 * that hangs up cannot kill the process mid-write (libfcgi 2.4.2 replaces
 * SIG_IGN with an empty handler of its own: the write fails with EPIPE
 * all the same).
 */
static volatile sig_atomic_t	 stop_requested;

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
	FCGX_ShutdownPending();
}

/*
 * Run the program: every request the front end sends (FastCGI), or the
 * one in our environment (CGI).  Returns the exit status for main().
 */
int
app_run(const struct endpoint *ep)
{
	FCGX_Request	 fr;
	struct req	 r;
	struct sigaction sa;
	sigset_t	 stopsigs;
	int		 rc;

	log_init(ep->name);
	if (db_set_name != NULL)
		db_set_name(ep->name);
	/* A client that hangs up must not kill the process mid-write. */
	signal(SIGPIPE, SIG_IGN);
	if (secret_init() == -1)
		fatalx("libsodium failed to initialise");
	json_init();

	if (FCGX_IsCGI()) {
		req_init(&r, environ, NULL, NULL);
		app_serve(ep, &r);
		if (db_close != NULL)
			db_close();
		return 0;
	}
	if (FCGX_Init() != 0)
		fatalx("FCGX_Init failed");
	if (FCGX_InitRequest(&fr, 0, 0) != 0)
		fatalx("FCGX_InitRequest failed");

	sigemptyset(&stopsigs);
	sigaddset(&stopsigs, SIGTERM);
	sigaddset(&stopsigs, SIGINT);
	sigaddset(&stopsigs, SIGUSR1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigfillset(&sa.sa_mask);
	sa.sa_flags = 0;		/* no SA_RESTART: accept() must return */
	if (pthread_sigmask(SIG_BLOCK, &stopsigs, NULL) != 0 ||
	    sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		fatal("signal set-up");

	for (;;) {
		/* Idle: a stop signal pending or arriving now ends the loop. */
		(void)pthread_sigmask(SIG_UNBLOCK, &stopsigs, NULL);
		rc = stop_requested ? -1 : FCGX_Accept_r(&fr);
		(void)pthread_sigmask(SIG_BLOCK, &stopsigs, NULL);
		if (rc < 0)
			break;
		req_init(&r, fr.envp, fr.in, fr.out);
		app_serve(ep, &r);
		FCGX_Finish_r(&fr);
	}
	if (stop_requested)
		log_info("stop signal: exiting after the last request");
	if (db_close != NULL)
		db_close();
	return 0;
}
