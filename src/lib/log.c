/*
 * log.c: logging to stderr, one line per event (see log.h).
 *
 * Each line is "mcpgate-<program>[pid]: req N: message", so that lines
 * from many FastCGI processes in one error log can be told apart.  Control
 * characters in messages are replaced: a request value quoted in a message
 * must not be able to forge a log line.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static const char	*log_prog = "mcpgate";
static enum log_level	 log_level = LOG_LEVEL_WARN;
static unsigned long	 log_req;

void
log_init(const char *prog)
{
	log_prog = prog;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

void
log_set_request(unsigned long id)
{
	log_req = id;
}

static void	vlog(const char *, int, const char *, va_list)
		    __attribute__((__format__(__printf__, 3, 0)));

static void
vlog(const char *tag, int errnum, const char *fmt, va_list ap)
{
	char	 msg[1024], line[1280];
	char	*p;
	int	 n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (p = msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (log_req != 0)
		n = snprintf(line, sizeof(line), "mcpgate-%s[%ld]: req %lu: %s%s%s%s\n",
		    log_prog, (long)getpid(), log_req, tag, msg,
		    errnum ? ": " : "", errnum ? strerror(errnum) : "");
	else
		n = snprintf(line, sizeof(line), "mcpgate-%s[%ld]: %s%s%s%s\n",
		    log_prog, (long)getpid(), tag, msg,
		    errnum ? ": " : "", errnum ? strerror(errnum) : "");
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1, line[n - 1] = '\n';
	/* One write(2), so that concurrent processes do not interleave. */
	if (write(STDERR_FILENO, line, (size_t)n) == -1)
		return;		/* nowhere left to report it */
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vlog("", saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog("", 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	if (log_level < LOG_LEVEL_INFO)
		return;
	va_start(ap, fmt);
	vlog("info: ", 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_level < LOG_LEVEL_DEBUG)
		return;
	va_start(ap, fmt);
	vlog("debug: ", 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vlog("fatal: ", saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog("fatal: ", 0, fmt, ap);
	va_end(ap);
	exit(1);
}
