/*
 * test_log.c: log lines (src/lib/log.c): one line per event with the
 * program, pid and request, levels, errno text, and control characters
 * replaced so that a logged request value cannot forge a line.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"

static char	path[] = "/tmp/mcpgate-test-log.XXXXXX";

static char *
slurp(void)
{
	FILE	*f = fopen(path, "r");
	char	*buf = calloc(1, 8192);

	if (f == NULL || buf == NULL)
		abort();
	if (fread(buf, 1, 8191, f) == 0)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

int
main(void)
{
	char	*s, pid[32], want[256];
	int	 fd;

	if ((fd = mkstemp(path)) == -1 || dup2(fd, STDERR_FILENO) == -1)
		abort();
	snprintf(pid, sizeof(pid), "[%ld]", (long)getpid());

	log_init("tester");
	log_warnx("plain %d", 42);
	log_set_request(7);
	log_warnx("in a request");
	errno = ENOENT;
	log_warn("opening x");
	log_info("hidden at warn level");
	log_set_level(LOG_LEVEL_INFO);
	log_info("shown at info");
	log_debug("hidden at info level");
	log_set_level(LOG_LEVEL_DEBUG);
	log_debug("shown at debug");
	log_warnx("forged\nmcpgate-x[1]: admin logged in\r\x1b[31m");
	log_set_request(0);

	s = slurp();
	snprintf(want, sizeof(want), "mcpgate-tester%s: plain 42\n", pid);
	ok(strstr(s, want) != NULL, "program and pid, no request outside one");
	snprintf(want, sizeof(want), "mcpgate-tester%s: req 7: in a request\n", pid);
	ok(strstr(s, want) != NULL, "the request number inside one");
	ok(strstr(s, "req 7: opening x: No such file or directory\n") != NULL,
	    "log_warn appends strerror(errno)");
	ok(strstr(s, "hidden") == NULL, "levels below the set one are dropped");
	ok(strstr(s, "req 7: info: shown at info\n") != NULL, "info lines tagged");
	ok(strstr(s, "req 7: debug: shown at debug\n") != NULL, "debug lines tagged");
	ok(strstr(s, "forged?mcpgate-x[1]: admin logged in??[31m\n") != NULL,
	    "control characters replaced: a value cannot start a new log line");
	free(s);
	unlink(path);
	return done_testing();
}
