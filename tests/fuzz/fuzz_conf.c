/*
 * fuzz_conf.c: conf_parse (src/lib/conf.c) over any configuration text.
 *
 * Invariants: a refusal names the file; an accepted configuration has an
 * https (or loopback http) origin as issuer, the derived URLs built from
 * it, durations and counts within their ranges, valid scope lists with
 * the defaults among the scopes and no OpenID Connect scope, non-empty
 * text values without surrounding blanks; and, written out again as a
 * file, it parses to the same configuration.
 */
#include "config.h"

#include "buf.h"
#include "conf.h"
#include "oauth.h"
#include "url.h"
#include "valid.h"
#include "xmalloc.h"

#include "fuzz.h"

#define DAY	86400LL

/* The numeric keys, their place and range (as conf.c's table says). */
static const struct {
	const char	*name;
	size_t		 off;
	long long	 min, max;
	int		 seconds;	/* written with an "s" */
} nums[] = {
	{ "code_lifetime", offsetof(struct conf, code_lifetime), 10, 600, 1 },
	{ "access_token_lifetime", offsetof(struct conf, access_token_lifetime), 60, DAY, 1 },
	{ "refresh_token_lifetime", offsetof(struct conf, refresh_token_lifetime), 3600, 3650 * DAY, 1 },
	{ "refresh_token_idle_lifetime", offsetof(struct conf, refresh_token_idle_lifetime), 3600, 3650 * DAY, 1 },
	{ "refresh_grace", offsetof(struct conf, refresh_grace), 0, 600, 1 },
	{ "session_lifetime", offsetof(struct conf, session_lifetime), 60, 30 * DAY, 1 },
	{ "session_idle_lifetime", offsetof(struct conf, session_idle_lifetime), 60, 30 * DAY, 1 },
	{ "client_expiry", offsetof(struct conf, client_expiry), DAY, 3650 * DAY, 1 },
	{ "db_statement_timeout", offsetof(struct conf, db_statement_timeout), 100, 600000, 0 },
	{ "register_limit", offsetof(struct conf, register_limit), 1, 100000, 0 },
	{ "token_failure_limit", offsetof(struct conf, token_failure_limit), 1, 100000, 0 },
	{ "code_duplicate_window", offsetof(struct conf, code_duplicate_window), 0, 60, 1 },
	{ "login_limit_user", offsetof(struct conf, login_limit_user), 1, 100000, 0 },
	{ "login_limit_ip", offsetof(struct conf, login_limit_ip), 1, 100000, 0 },
	{ "fetch_max_chars", offsetof(struct conf, fetch_max_chars), 1000, 10000000, 0 },
};

/* The text keys and their place; opt: may be NULL. */
static const struct {
	const char	*name;
	size_t		 off;
	int		 opt;
} strs[] = {
	{ "issuer", offsetof(struct conf, issuer), 0 },
	{ "database", offsetof(struct conf, database), 0 },
	{ "mcp_path", offsetof(struct conf, mcp_path), 0 },
	{ "resource_name", offsetof(struct conf, resource_name), 0 },
	{ "service_documentation", offsetof(struct conf, service_documentation), 1 },
	{ "scopes", offsetof(struct conf, scopes), 0 },
	{ "default_scopes", offsetof(struct conf, default_scopes), 0 },
	{ "search_config", offsetof(struct conf, search_config), 0 },
	{ "admin_users", offsetof(struct conf, admin_users), 1 },
};

static const char *const log_levels[] = { "warn", "info", "debug" };

static long long
num(const struct conf *c, size_t i)
{
	return *(const long long *)(const void *)((const char *)c +
	    nums[i].off);
}

static const char *
str(const struct conf *c, size_t i)
{
	return *(char *const *)(const void *)((const char *)c + strs[i].off);
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void
check_conf(const struct conf *c)
{
	struct url	 u;
	const char	*s;
	char		*o;
	size_t		 i, l;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		if ((s = str(c, i)) == NULL) {
			FUZZ_CHECK(strs[i].opt);
			continue;
		}
		l = strlen(s);
		FUZZ_CHECK(l > 0 && valid_text(s, l));
		FUZZ_CHECK(!is_blank(s[0]) && !is_blank(s[l - 1]));
		FUZZ_CHECK(strchr(s, '\n') == NULL && strchr(s, '\r') == NULL);
	}
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		FUZZ_CHECK(num(c, i) >= nums[i].min && num(c, i) <= nums[i].max);

	FUZZ_CHECK(url_parse(c->issuer, strlen(c->issuer), &u) == 0);
	FUZZ_CHECK(url_is_secure(&u) && u.path[0] == '\0' && !u.userinfo);
	o = url_origin(&u);
	FUZZ_CHECK(strcmp(o, c->issuer) == 0);
	free(o);
	url_free(&u);
	for (i = 0; i < c->originsz; i++) {
		FUZZ_CHECK(url_parse(c->origins[i], strlen(c->origins[i]),
		    &u) == 0);
		o = url_origin(&u);
		FUZZ_CHECK(strcmp(o, c->origins[i]) == 0 && url_is_secure(&u));
		free(o);
		url_free(&u);
		FUZZ_CHECK(conf_origin_allowed(c, c->origins[i]));
	}
	FUZZ_CHECK(conf_origin_allowed(c, c->issuer));

	FUZZ_CHECK(c->mcp_path[0] == '/' && strlen(c->mcp_path) >= 2);
	FUZZ_CHECK(strncmp(c->mcp_url, c->issuer, strlen(c->issuer)) == 0 &&
	    strcmp(c->mcp_url + strlen(c->issuer), c->mcp_path) == 0);
	FUZZ_CHECK(strncmp(c->prm_url, c->issuer, strlen(c->issuer)) == 0);
	FUZZ_CHECK(url_parse(c->mcp_url, strlen(c->mcp_url), &u) == 0);
	url_free(&u);
	FUZZ_CHECK(url_parse(c->prm_url, strlen(c->prm_url), &u) == 0);
	url_free(&u);

	FUZZ_CHECK(valid_scope_list(c->scopes, strlen(c->scopes)));
	FUZZ_CHECK(valid_scope_list(c->default_scopes,
	    strlen(c->default_scopes)));
	FUZZ_CHECK(oauth_scope_subset(c->default_scopes, c->scopes));
	FUZZ_CHECK(!oauth_scope_subset("openid", c->scopes) &&
	    !oauth_scope_subset("offline_access", c->scopes));
	FUZZ_CHECK(c->trust_remote_user == 0 || c->trust_remote_user == 1);
	FUZZ_CHECK(c->well_known_blocked == 0 || c->well_known_blocked == 1);
	FUZZ_CHECK(c->log_level < LOG_LEVEL__MAX);
}

/* c written out as a configuration file. */
static void
unparse(const struct conf *c, struct buf *b)
{
	size_t	i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (str(c, i) != NULL)
			FUZZ_CHECK(buf_printf(b, "%s = %s\n", strs[i].name,
			    str(c, i)) == 0);
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		FUZZ_CHECK(buf_printf(b, "%s = %lld%s\n", nums[i].name,
		    num(c, i), nums[i].seconds ? "s" : "") == 0);
	FUZZ_CHECK(buf_adds(b, "allowed_origins =") == 0);
	for (i = 0; i < c->originsz; i++)
		FUZZ_CHECK(buf_printf(b, " %s", c->origins[i]) == 0);
	FUZZ_CHECK(buf_printf(b, "\ntrust_remote_user = %s\n"
	    "well_known_blocked = %s\nlog_level = %s\n",
	    c->trust_remote_user ? "yes" : "no",
	    c->well_known_blocked ? "yes" : "no",
	    log_levels[c->log_level]) == 0);
}

static void
check_same(const struct conf *a, const struct conf *b)
{
	size_t	i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		FUZZ_CHECK((str(a, i) == NULL) == (str(b, i) == NULL));
		FUZZ_CHECK(str(a, i) == NULL ||
		    strcmp(str(a, i), str(b, i)) == 0);
	}
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		FUZZ_CHECK(num(a, i) == num(b, i));
	FUZZ_CHECK(a->originsz == b->originsz);
	for (i = 0; i < a->originsz; i++)
		FUZZ_CHECK(strcmp(a->origins[i], b->origins[i]) == 0);
	FUZZ_CHECK(strcmp(a->mcp_url, b->mcp_url) == 0);
	FUZZ_CHECK(strcmp(a->prm_url, b->prm_url) == 0);
	FUZZ_CHECK(a->trust_remote_user == b->trust_remote_user &&
	    a->well_known_blocked == b->well_known_blocked &&
	    a->log_level == b->log_level);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf	 c, c2;
	struct buf	 b;
	char		*text = fuzz_exact(data, size), err[1024];

	err[0] = '\0';
	if (conf_parse(text, size, "fuzz.conf", &c, err, sizeof(err)) == -1) {
		FUZZ_CHECK(strncmp(err, "fuzz.conf", 9) == 0);
		conf_free(&c);
		free(text);
		return 0;
	}
	check_conf(&c);
	buf_init(&b, 1 << 20);
	unparse(&c, &b);
	if (conf_parse(buf_str(&b), b.len, "again.conf", &c2, err,
	    sizeof(err)) == -1)
		fuzz_fail(__FILE__, __LINE__, err);
	check_same(&c, &c2);
	conf_free(&c2);
	buf_free(&b);
	conf_free(&c);
	free(text);
	return 0;
}
