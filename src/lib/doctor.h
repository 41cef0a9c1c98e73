/*
 * doctor.h: the connector doctor (CLIENTS.md, "connector doctor"): the
 * checks that find what shared hosts break, shared by the doctor page
 * (src/doctor.c) and the command-line program (src/mcpgate-doctor.c).
 *
 * doctor_run() probes the public URLs built from the configured issuer
 * the way an MCP client would (libcurl: TLS verified, short timeouts, no
 * redirects followed, no proxy, a random bogus bearer token and never a
 * real secret), reads the database directly, and judges what it saw.
 * Each judgement is a pure function of what was seen, exported so the unit
 * tests can feed it answers a real server would rarely give
 * (tests/unit/test_doctor.c).
 *
 * Every item of a report has a status, a detail saying what was seen, and
 * for anything but "ok" the fix: general advice and the directives for
 * an Apache vhost include, an .htaccess and lighttpd, consistent with the
 * shipped conf/apache/mcpgate.conf and conf/lighttpd/mcpgate.conf.
 */
#ifndef DOCTOR_H
#define DOCTOR_H

#include <stddef.h>
#include <time.h>

struct conf;

enum doctor_status {
	DOCTOR_OK = 0,
	DOCTOR_WARN,
	DOCTOR_FAIL,
	DOCTOR_STATUS__MAX
};

/* Who a fix is for. */
enum doctor_fix {
	DOCTOR_FIX_ANY = 0,	/* whatever the front end */
	DOCTOR_FIX_APACHE,	/* an Apache vhost (the include) */
	DOCTOR_FIX_HTACCESS,	/* Apache on a shared host: .htaccess only */
	DOCTOR_FIX_LIGHTTPD,
	DOCTOR_FIX__MAX
};

/* The front end, as far as its Server header (or SERVER_SOFTWARE) tells. */
enum doctor_frontend {
	DOCTOR_FE_UNKNOWN = 0,
	DOCTOR_FE_APACHE,
	DOCTOR_FE_LIGHTTPD
};

/* One item of a report. */
struct doctor_item {
	const char		*key;		/* stable id: "authorization", ... */
	const char		*title;		/* what is checked, in words */
	enum doctor_status	 status;
	char			*detail;	/* what was seen */
	char			*fix[DOCTOR_FIX__MAX];	/* NULL: nothing to say */
};

struct doctor_report {
	struct doctor_item	*items;
	size_t			 itemsz;
	enum doctor_frontend	 frontend;
	char			*server;	/* Server header seen, or NULL */
};

/*
 * What the doctor page knows about the request it answers, which the
 * command-line program cannot know (NULL there): its own FastCGI/CGI
 * mode and the origin the administrator reached it at.  Borrowed.
 */
struct doctor_page {
	int		 is_cgi;
	const char	*scheme;		/* "http" or "https", as served */
	const char	*host;			/* Host header, or NULL */
	const char	*forwarded_proto;	/* X-Forwarded-Proto, or NULL */
	const char	*server_software;	/* SERVER_SOFTWARE, or NULL */
};

/* What one HTTP probe saw (borrowed strings; NULL when absent). */
struct doctor_http {
	int		 answered;	/* 0: no HTTP answer, see error */
	int		 tls_error;	/* the failure was TLS */
	const char	*error;		/* why there was no answer */
	long		 status;
	const char	*content_type;
	const char	*location;
	const char	*www_authenticate;
	const char	*date;
	const char	*server;
	const char	*body;		/* NUL-terminated */
	size_t		 bodysz;
};

/* A Bearer challenge (RFC 6750 §3, RFC 9728 §5.1). */
struct doctor_challenge {
	char	*error;			/* error="…", or NULL */
	char	*resource_metadata;	/* resource_metadata="…", or NULL */
	char	*scope;
};

/* Which metadata document a probe fetched. */
enum doctor_doc {
	DOCTOR_DOC_AS,		/* RFC 8414 authorization-server metadata */
	DOCTOR_DOC_PRM		/* RFC 9728 protected-resource metadata */
};

#define DOCTOR_CLOCK_WARN	5	/* seconds off: a warning */
#define DOCTOR_CLOCK_FAIL	60	/* seconds off: failed */

/* Running the checks. */
void		 doctor_run(const struct conf *, const struct doctor_page *,
		    struct doctor_report *);
void		 doctor_report_free(struct doctor_report *);
enum doctor_status doctor_worst(const struct doctor_report *);
const char	*doctor_status_name(enum doctor_status);
const char	*doctor_fix_name(enum doctor_fix);
int		 doctor_fix_shown(enum doctor_frontend, enum doctor_fix);

/*
 * Pure judgements (unit-tested): each fills the status, detail and fixes
 * of an item whose key and title the caller has set.
 */
void		 doctor_judge_authorization(const struct conf *,
		    const struct doctor_http *, struct doctor_item *);
void		 doctor_judge_document(const struct conf *, enum doctor_doc,
		    const char *, const struct doctor_http *,
		    struct doctor_item *);
void		 doctor_judge_issuer(const struct conf *, const char *,
		    const struct doctor_page *, struct doctor_item *);
void		 doctor_judge_https(const struct conf *,
		    const struct doctor_http *, struct doctor_item *);
void		 doctor_judge_database(const struct conf *, int, int,
		    const char *, struct doctor_item *);
void		 doctor_judge_clock(const double *, const double *,
		    struct doctor_item *);
void		 doctor_judge_mode(const struct doctor_page *,
		    const struct doctor_http *, struct doctor_item *);
void		 doctor_item_free(struct doctor_item *);
int		 doctor_parse_challenge(const char *, struct doctor_challenge *);
void		 doctor_challenge_free(struct doctor_challenge *);
int		 doctor_http_date(const char *, time_t *);
enum doctor_frontend doctor_frontend_of(const char *);
const char	*doctor_frontend_name(enum doctor_frontend);
int		 doctor_is_admin(const char *, const char *);

#endif
