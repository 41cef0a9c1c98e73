/*
 * conf.c: configuration file parsing, validation and per-process caching
 * (see conf.h for the format).
 *
 * Keys are a table: name, kind, where the value goes, its default and its
 * range.  Defaults are strings run through the same parser as the file,
 * so a default cannot be invalid without a test noticing.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "url.h"
#include "valid.h"
#include "xmalloc.h"

#define CONF_MAXSIZE	65536	/* bytes in a configuration file */
#define CONF_MAXLINE	4096	/* bytes in one line */

enum conf_kind {
	CK_ISSUER,		/* an origin: https, or http on loopback */
	CK_PATH,		/* an absolute URL path */
	CK_STRING,		/* any non-empty printable text */
	CK_URL,			/* an https (or loopback http) URL */
	CK_SCOPES,		/* a scope list (RFC 6749 §3.3) */
	CK_ORIGINS,		/* a space-separated list of origins */
	CK_SECONDS,		/* a duration, stored in seconds */
	CK_MILLIS,		/* a duration in milliseconds (plain number) */
	CK_COUNT,		/* a whole number within min..max */
	CK_BOOL,		/* yes or no */
	CK_LOGLEVEL		/* warn, info or debug */
};

struct conf_key {
	const char	*name;
	enum conf_kind	 kind;
	size_t		 off;		/* offsetof(struct conf, …) */
	const char	*def;		/* NULL: required (or optional if opt) */
	int		 opt;		/* may stay unset */
	long long	 min, max;	/* for durations */
};

#define OFF(f)	offsetof(struct conf, f)
#define DAY	86400LL

static const struct conf_key keys[] = {
	{ "issuer", CK_ISSUER, OFF(issuer), NULL, 0, 0, 0 },
	{ "database", CK_STRING, OFF(database), NULL, 0, 0, 0 },
	{ "mcp_path", CK_PATH, OFF(mcp_path), "/mcp", 0, 0, 0 },
	{ "resource_name", CK_STRING, OFF(resource_name), "mcpgate", 0, 0, 0 },
	{ "service_documentation", CK_URL, OFF(service_documentation), NULL, 1, 0, 0 },
	{ "scopes", CK_SCOPES, OFF(scopes), "mcp:read", 0, 0, 0 },
	{ "default_scopes", CK_SCOPES, OFF(default_scopes), "mcp:read", 0, 0, 0 },
	{ "allowed_origins", CK_ORIGINS, OFF(origins), "", 0, 0, 0 },
	/* OAUTH21 §4.1.2 / SPEC AZ-13: codes live 10 minutes at the most */
	{ "code_lifetime", CK_SECONDS, OFF(code_lifetime), "10m", 0, 10, 600 },
	{ "access_token_lifetime", CK_SECONDS, OFF(access_token_lifetime), "1h", 0, 60, DAY },
	{ "refresh_token_lifetime", CK_SECONDS, OFF(refresh_token_lifetime), "90d", 0, 3600, 3650 * DAY },
	{ "refresh_token_idle_lifetime", CK_SECONDS, OFF(refresh_token_idle_lifetime), "30d", 0, 3600, 3650 * DAY },
	{ "refresh_grace", CK_SECONDS, OFF(refresh_grace), "60s", 0, 0, 600 },
	{ "token_cache_seconds", CK_SECONDS, OFF(token_cache_seconds), "60s", 0, 0, 3600 },
	{ "session_lifetime", CK_SECONDS, OFF(session_lifetime), "12h", 0, 60, 30 * DAY },
	{ "session_idle_lifetime", CK_SECONDS, OFF(session_idle_lifetime), "30m", 0, 60, 30 * DAY },
	{ "client_expiry", CK_SECONDS, OFF(client_expiry), "90d", 0, DAY, 3650 * DAY },
	{ "db_statement_timeout", CK_MILLIS, OFF(db_statement_timeout), "5000", 0, 100, 600000 },
	{ "register_limit", CK_COUNT, OFF(register_limit), "20", 0, 1, 100000 },
	{ "token_failure_limit", CK_COUNT, OFF(token_failure_limit), "30", 0, 1, 100000 },
	{ "code_duplicate_window", CK_SECONDS, OFF(code_duplicate_window), "10s", 0, 0, 60 },
	{ "login_limit_user", CK_COUNT, OFF(login_limit_user), "10", 0, 1, 100000 },
	{ "login_limit_ip", CK_COUNT, OFF(login_limit_ip), "50", 0, 1, 100000 },
	{ "trust_remote_user", CK_BOOL, OFF(trust_remote_user), "no", 0, 0, 0 },
	{ "search_config", CK_STRING, OFF(search_config), "english", 0, 0, 0 },
	{ "fetch_max_chars", CK_COUNT, OFF(fetch_max_chars), "100000", 0, 1000, 10000000 },
	{ "log_level", CK_LOGLEVEL, OFF(log_level), "warn", 0, 0, 0 },
	{ "well_known_blocked", CK_BOOL, OFF(well_known_blocked), "no", 0, 0, 0 },
	{ "admin_users", CK_STRING, OFF(admin_users), NULL, 1, 0, 0 },
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

/* OpenID Connect scopes: never advertised, we do not implement OIDC (AS-08). */
static const char *const oidc_scopes[] = {
	"openid", "profile", "email", "address", "phone", "offline_access"
};

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((__format__(__printf__, 3, 4)));

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

static char **
strfield(struct conf *c, const struct conf_key *k)
{
	return (char **)(void *)((char *)c + k->off);
}

static long long *
numfield(struct conf *c, const struct conf_key *k)
{
	return (long long *)(void *)((char *)c + k->off);
}

static int
valid_path(const char *v, size_t len)
{
	size_t	i;

	/* "/x[/y…]": no empty, "." or ".." segment, no trailing slash */
	if (len < 2 || v[0] != '/' || v[len - 1] == '/' || len > 200)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~' || c == '/'))
			return 0;
		/* v is not NUL-terminated at len: bound every look-ahead */
		if (c == '/' && i + 1 < len && (v[i + 1] == '/' ||
		    (v[i + 1] == '.' && (i + 2 == len || v[i + 2] == '/' ||
		    (v[i + 2] == '.' && (i + 3 == len || v[i + 3] == '/'))))))
			return 0;
	}
	/*
	 * The well-known space is ours to route, not the resource's.  memcmp
	 * within len: strncmp read past a value at the end of the text
	 * (found by tests/fuzz/fuzz_conf).
	 */
	return len < 12 || memcmp(v, "/.well-known", 12) != 0;
}

/*
 * An origin as configured: "scheme://host[:port]", https or loopback
 * http, no path.  Returns the normalised origin (free it) or NULL.
 */
static char *
parse_origin(const char *v, size_t len, const char **why)
{
	struct url	 u;
	char		*o;

	if (url_parse(v, len, &u) == -1) {
		*why = "not an absolute URL";
		return NULL;
	}
	if (u.userinfo || u.query != NULL || u.fragment != NULL ||
	    (u.path[0] != '\0' && strcmp(u.path, "/") != 0)) {
		*why = "must be an origin (scheme://host[:port]) with no path, query or fragment";
		url_free(&u);
		return NULL;
	}
	if (!url_is_secure(&u)) {
		*why = "must use https (http only on a loopback host: localhost, 127.0.0.1, [::1])";
		url_free(&u);
		return NULL;
	}
	o = url_origin(&u);
	url_free(&u);
	return o;
}

static int
set_value(struct conf *c, const struct conf_key *k, const char *v, size_t len,
    char *err, size_t errsz)
{
	const char	*why = NULL;
	char		*o;
	long long	 n;
	unsigned long long un;
	size_t		 i, start;

	switch (k->kind) {
	case CK_ISSUER:
		if ((o = parse_origin(v, len, &why)) == NULL)
			goto bad;
		*strfield(c, k) = o;
		return 0;
	case CK_PATH:
		if (!valid_path(v, len)) {
			why = "must be a path like /mcp (letters, digits, - _ . ~ /; no trailing slash; not under /.well-known)";
			goto bad;
		}
		break;
	case CK_STRING:
		/*
		 * One line of text: a CR left inside a value (a line ending
		 * "\r\r\n") reached a conninfo or a page unseen, and the value
		 * written back read differently (found by tests/fuzz/fuzz_conf).
		 */
		if (len == 0 || !valid_text(v, len) ||
		    memchr(v, '\r', len) != NULL) {
			why = "must be non-empty text on one line";
			goto bad;
		}
		break;
	case CK_URL: {
		struct url u;
		int good;
		if (url_parse(v, len, &u) == -1) {
			why = "not an absolute URL";
			goto bad;
		}
		good = url_is_secure(&u) && u.fragment == NULL && !u.userinfo;
		url_free(&u);
		if (!good) {
			why = "must be an https URL without a fragment";
			goto bad;
		}
		break;
	}
	case CK_SCOPES:
		if (len == 0 || !valid_scope_list(v, len)) {
			why = "must be scope names separated by single spaces, each of printable ASCII without '\"' or '\\', none repeated";
			goto bad;
		}
		/* walk the tokens within len (v is not NUL-terminated) */
		for (start = 0; start < len; start = i + 1) {
			size_t tl, j;
			for (i = start; i < len && v[i] != ' '; i++)
				;
			tl = i - start;
			for (j = 0; j < sizeof(oidc_scopes) / sizeof(oidc_scopes[0]); j++)
				if (strlen(oidc_scopes[j]) == tl &&
				    memcmp(oidc_scopes[j], v + start, tl) == 0) {
					seterr(err, errsz, "%s: \"%s\" is an OpenID Connect scope, which mcpgate does not implement (SPEC AS-08, RS-11)",
					    k->name, oidc_scopes[j]);
					return -1;
				}
		}
		break;
	case CK_ORIGINS:
		for (i = 0; i < len;) {
			while (i < len && v[i] == ' ')
				i++;
			if (i == len)
				break;
			start = i;
			while (i < len && v[i] != ' ')
				i++;
			if ((o = parse_origin(v + start, i - start, &why)) == NULL) {
				seterr(err, errsz, "%s: \"%.*s\" %s", k->name,
				    (int)(i - start), v + start, why);
				return -1;
			}
			c->origins = xreallocarray(c->origins,
			    c->originsz + 1, sizeof(char *));
			c->origins[c->originsz++] = o;
		}
		return 0;
	case CK_SECONDS:
		if (!valid_duration(v, len, k->min, k->max, &n)) {
			seterr(err, errsz, "%s: must be a duration from %llds to %llds (a number with an optional unit s, m, h or d)",
			    k->name, k->min, k->max);
			return -1;
		}
		*numfield(c, k) = n;
		return 0;
	case CK_MILLIS:
	case CK_COUNT:
		if (!valid_uint(v, len, (unsigned long long)k->min,
		    (unsigned long long)k->max, &un)) {
			seterr(err, errsz, "%s: must be a %s from %lld to %lld",
			    k->name, k->kind == CK_MILLIS ?
			    "number of milliseconds" : "whole number",
			    k->min, k->max);
			return -1;
		}
		*numfield(c, k) = (long long)un;
		return 0;
	case CK_BOOL:
		if (len == 3 && memcmp(v, "yes", 3) == 0)
			*(int *)(void *)((char *)c + k->off) = 1;
		else if (len == 2 && memcmp(v, "no", 2) == 0)
			*(int *)(void *)((char *)c + k->off) = 0;
		else {
			why = "must be yes or no";
			goto bad;
		}
		return 0;
	case CK_LOGLEVEL:
		if (len == 4 && memcmp(v, "warn", 4) == 0)
			c->log_level = LOG_LEVEL_WARN;
		else if (len == 4 && memcmp(v, "info", 4) == 0)
			c->log_level = LOG_LEVEL_INFO;
		else if (len == 5 && memcmp(v, "debug", 5) == 0)
			c->log_level = LOG_LEVEL_DEBUG;
		else {
			why = "must be warn, info or debug";
			goto bad;
		}
		return 0;
	default:
		abort();
	}
	*strfield(c, k) = xstrndup(v, len);
	return 0;
bad:
	seterr(err, errsz, "%s: %s", k->name, why);
	return -1;
}

static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Whether each scope of sub appears in super (both valid scope lists). */
static int
scopes_subset(const char *sub, const char *super)
{
	const char	*p = sub, *q;
	size_t		 tl, sl = strlen(super);

	while (*p != '\0') {
		tl = strcspn(p, " ");
		for (q = super; q < super + sl; q += strcspn(q, " ") + 1)
			if (strcspn(q, " ") == tl && memcmp(p, q, tl) == 0)
				break;
		if (q >= super + sl)
			return 0;
		p += tl;
		if (*p == ' ')
			p++;
	}
	return 1;
}

/*
 * Parse the configuration text[0..len) (name is used in messages) into c,
 * which the caller later releases with conf_free() whatever the outcome.
 * Returns 0, or -1 with a message in err ("name:line: key: why").
 */
int
conf_parse(const char *text, size_t len, const char *name, struct conf *c,
    char *err, size_t errsz)
{
	unsigned char	 seen[NKEYS];
	const char	*line = text, *end = text + len, *eol, *eq, *ks, *ke;
	const char	*vs, *ve;
	size_t		 i, lineno = 0;
	char		 msg[512];

	memset(c, 0, sizeof(*c));
	memset(seen, 0, sizeof(seen));
	c->path = xstrdup(name);
	if (len > CONF_MAXSIZE) {
		seterr(err, errsz, "%s: larger than %d bytes", name, CONF_MAXSIZE);
		return -1;
	}
	if (memchr(text, '\0', len) != NULL) {
		seterr(err, errsz, "%s: contains a NUL byte", name);
		return -1;
	}
	for (; line < end; line = eol == end ? end : eol + 1) {
		lineno++;
		if ((eol = memchr(line, '\n', (size_t)(end - line))) == NULL)
			eol = end;
		if (eol - line > CONF_MAXLINE) {
			seterr(err, errsz, "%s:%zu: line longer than %d bytes",
			    name, lineno, CONF_MAXLINE);
			return -1;
		}
		ve = eol;
		if (ve > line && ve[-1] == '\r')
			ve--;
		for (ks = line; ks < ve && is_blank(*ks); ks++)
			;
		if (ks == ve || *ks == '#')
			continue;
		if ((eq = memchr(ks, '=', (size_t)(ve - ks))) == NULL) {
			seterr(err, errsz, "%s:%zu: expected \"key = value\"",
			    name, lineno);
			return -1;
		}
		for (ke = eq; ke > ks && is_blank(ke[-1]); ke--)
			;
		for (vs = eq + 1; vs < ve && is_blank(*vs); vs++)
			;
		while (ve > vs && is_blank(ve[-1]))
			ve--;
		for (i = 0; i < NKEYS; i++)
			if (strlen(keys[i].name) == (size_t)(ke - ks) &&
			    memcmp(keys[i].name, ks, (size_t)(ke - ks)) == 0)
				break;
		if (i == NKEYS) {
			seterr(err, errsz, "%s:%zu: unknown key \"%.*s\"", name,
			    lineno, (int)((ke - ks) > 64 ? 64 : ke - ks), ks);
			return -1;
		}
		if (seen[i]) {
			seterr(err, errsz, "%s:%zu: %s: set twice", name,
			    lineno, keys[i].name);
			return -1;
		}
		seen[i] = 1;
		if (set_value(c, &keys[i], vs, (size_t)(ve - vs), msg,
		    sizeof(msg)) == -1) {
			seterr(err, errsz, "%s:%zu: %s", name, lineno, msg);
			return -1;
		}
	}
	for (i = 0; i < NKEYS; i++) {
		if (seen[i])
			continue;
		if (keys[i].def == NULL) {
			if (keys[i].opt)
				continue;
			seterr(err, errsz, "%s: %s: required, not set", name,
			    keys[i].name);
			return -1;
		}
		if (set_value(c, &keys[i], keys[i].def, strlen(keys[i].def),
		    msg, sizeof(msg)) == -1) {
			seterr(err, errsz, "%s: default of %s", name, msg);
			return -1;
		}
	}
	if (!scopes_subset(c->default_scopes, c->scopes)) {
		seterr(err, errsz, "%s: default_scopes: every default scope must also be in scopes", name);
		return -1;
	}
	c->mcp_url = xasprintf("%s%s", c->issuer, c->mcp_path);
	/*
	 * RFC 9728 §5.1: a client fetches the metadata from the URL the
	 * challenge names. Where the host's edge blocks /.well-known, that is
	 * the copy served under the MCP path (README, "/.well-known blocked").
	 */
	if (c->well_known_blocked)
		c->prm_url = xasprintf("%s" PRM_UNDER_MCP_PATH, c->mcp_url);
	else
		c->prm_url = xasprintf("%s/.well-known/oauth-protected-resource%s",
		    c->issuer, c->mcp_path);
	return 0;
}

/*
 * Read and parse the file at path into c (see conf_parse).  The caller
 * releases c with conf_free() whatever the outcome.
 */
int
conf_load(const char *path, struct conf *c, char *err, size_t errsz)
{
	FILE		*f;
	struct buf	 b;
	char		 chunk[4096];
	size_t		 n;
	int		 rc;

	memset(c, 0, sizeof(*c));
	if ((f = fopen(path, "r")) == NULL) {
		seterr(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf_init(&b, CONF_MAXSIZE);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&b, chunk, n) == -1) {
			seterr(err, errsz, "%s: larger than %d bytes", path,
			    CONF_MAXSIZE);
			buf_free(&b);
			fclose(f);
			return -1;
		}
	if (ferror(f)) {
		seterr(err, errsz, "%s: %s", path, strerror(errno));
		buf_free(&b);
		fclose(f);
		return -1;
	}
	fclose(f);
	rc = conf_parse(buf_str(&b), b.len, path, c, err, errsz);
	buf_free(&b);
	return rc;
}

void
conf_free(struct conf *c)
{
	size_t	i;

	free(c->path);
	free(c->issuer);
	free(c->mcp_path);
	free(c->mcp_url);
	free(c->prm_url);
	free(c->database);
	free(c->resource_name);
	free(c->service_documentation);
	free(c->scopes);
	free(c->default_scopes);
	free(c->search_config);
	free(c->admin_users);
	for (i = 0; i < c->originsz; i++)
		free(c->origins[i]);
	free(c->origins);
	memset(c, 0, sizeof(*c));
}

/*
 * Whether a browser Origin may call us: our own origin, or one listed in
 * allowed_origins.  Exact comparison of the serialised origin (RFC 6454
 * §5); the caller passes the header value as received.
 */
int
conf_origin_allowed(const struct conf *c, const char *origin)
{
	size_t	i;

	if (strcmp(origin, c->issuer) == 0)
		return 1;
	for (i = 0; i < c->originsz; i++)
		if (strcmp(origin, c->origins[i]) == 0)
			return 1;
	return 0;
}

/*
 * The configuration for this request: the file at path, parsed the first
 * time it is seen and again whenever it changes on disk (a stat(2) per
 * request, so that an edited file takes effect without restarting the
 * FastCGI processes).  Returns NULL, after logging why, when the file
 * cannot be read or is invalid; the caller answers 500.  The result is
 * owned here and valid until the next call.
 */
const struct conf *
conf_current(const char *path)
{
	static struct conf	 cur;
	static int		 loaded;
	static struct stat	 cur_st;
	static unsigned long	 generation;
	struct conf		 next;
	struct stat		 st;
	char			 err[1024];

	if (stat(path, &st) == -1) {
		log_warn("configuration %s", path);
		return NULL;
	}
	if (loaded && strcmp(cur.path, path) == 0 &&
	    st.st_ino == cur_st.st_ino && st.st_dev == cur_st.st_dev &&
	    st.st_size == cur_st.st_size &&
	    st.st_mtim.tv_sec == cur_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == cur_st.st_mtim.tv_nsec)
		return &cur;
	if (conf_load(path, &next, err, sizeof(err)) == -1) {
		log_warnx("configuration error: %s", err);
		conf_free(&next);
		return NULL;
	}
	if (loaded)
		conf_free(&cur);
	cur = next;
	cur.generation = ++generation;
	cur_st = st;
	loaded = 1;
	log_set_level(cur.log_level);
	log_info("configuration loaded from %s", path);
	return &cur;
}
