/*
 * mcpgate-doctor: the connector doctor on the command line.
 *
 *   mcpgate-doctor [-c CONFIG] [-q]
 *
 * Runs the checks of the doctor page (src/lib/doctor.c) from the host:
 * the database directly with the configuration's connection string, and
 * the HTTP probes against the public URLs built from its issuer.  Needs no
 * sign-in and no web server of its own, so it also works when the
 * database is down or the page is unreachable, and from cron.
 *
 * The configuration is the file -c names, else $MCPGATE_CONFIG, else the
 * compiled-in default: the programs' own order, minus the per-request
 * variable only a front end can set.
 *
 * Prints one line per check ("ok", "WARNING" or "FAILED", its key, what
 * was checked and what was seen), the fixes under each check that is not
 * ok, and a summary; -q prints only the checks that are not ok, with
 * their fixes.  Exit status: 0 when nothing failed (warnings allowed), 1
 * when a check failed, 2 on a usage or configuration error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "db.h"
#include "doctor.h"
#include "json.h"
#include "log.h"
#include "secret.h"

static void
usage(void)
{
	fprintf(stderr, "usage: mcpgate-doctor [-c CONFIG] [-q]\n");
	exit(2);
}

/*
 * Text that may come from the probed server (Server, Location, issuer):
 * control bytes are printed as \xNN, so that an answer can neither drive
 * the terminal nor forge a line ("ok …") for a cron job reading -q.
 */
static void
put_safe(const char *p, size_t n)
{
	for (; n > 0; p++, n--) {
		unsigned char ch = (unsigned char)*p;

		if (ch < 0x20 || ch == 0x7f)
			printf("\\x%02x", ch);
		else
			putchar(ch);
	}
}

/* text, each line indented by ind spaces */
static void
indented(const char *text, int ind)
{
	const char	*p = text;
	size_t		 n;

	while (*p != '\0') {
		n = strcspn(p, "\n");
		printf("%*s", ind, "");
		put_safe(p, n);
		putchar('\n');
		p += n;
		if (*p == '\n')
			p++;
	}
}

static void
print_item(const struct doctor_report *rep, const struct doctor_item *it)
{
	static const char *const label[DOCTOR_STATUS__MAX] = {
		[DOCTOR_OK] = "ok",
		[DOCTOR_WARN] = "WARNING",
		[DOCTOR_FAIL] = "FAILED",
	};
	size_t	f;

	printf("%-8s %-20s %s: ", label[it->status], it->key, it->title);
	put_safe(it->detail, strlen(it->detail));
	putchar('\n');
	for (f = 0; f < DOCTOR_FIX__MAX; f++) {
		if (it->fix[f] == NULL || !doctor_fix_shown(rep->frontend, f))
			continue;
		printf("%*s%s:\n", 9, "", doctor_fix_name(f));
		indented(it->fix[f], 11);
	}
}

int
main(int argc, char *argv[])
{
	struct conf		 conf;
	struct doctor_report	 rep;
	const char		*path = NULL;
	char			 err[1024];
	size_t			 i, n[DOCTOR_STATUS__MAX] = { 0 };
	int			 ch, quiet = 0;

	while ((ch = getopt(argc, argv, "c:q")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (path == NULL && ((path = getenv("MCPGATE_CONFIG")) == NULL ||
	    *path == '\0'))
		path = MCPGATE_CONFIG_DEFAULT;

	log_init("doctor");
	if (secret_init() == -1) {
		fprintf(stderr, "mcpgate-doctor: libsodium failed to initialise\n");
		return 2;
	}
	json_init();
	if (conf_load(path, &conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "mcpgate-doctor: configuration error: %s\n", err);
		conf_free(&conf);
		return 2;
	}
	log_set_level(conf.log_level);
	db_set_name("doctor");

	doctor_run(&conf, NULL, &rep);
	if (!quiet) {
		printf("mcpgate-doctor: %s (configuration %s)\n", conf.issuer,
		    conf.path);
		printf("front end: %s", doctor_frontend_name(rep.frontend));
		if (rep.server != NULL) {
			printf(" (Server: ");
			put_safe(rep.server, strlen(rep.server));
			putchar(')');
		}
		putchar('\n');
	}
	for (i = 0; i < rep.itemsz; i++) {
		n[rep.items[i].status]++;
		if (!quiet || rep.items[i].status != DOCTOR_OK)
			print_item(&rep, &rep.items[i]);
	}
	if (!quiet)
		printf("%zu ok, %zu warning%s, %zu failed\n", n[DOCTOR_OK],
		    n[DOCTOR_WARN], n[DOCTOR_WARN] == 1 ? "" : "s",
		    n[DOCTOR_FAIL]);
	fflush(stdout);
	doctor_report_free(&rep);
	db_close();
	conf_free(&conf);
	return n[DOCTOR_FAIL] > 0 ? 1 : 0;
}
