/*
 * log.h: one line per event on stderr, which every front end we support
 * sends to its error log (mod_fcgid, mod_cgid and lighttpd all do).
 *
 * Names and semantics from OpenBSD httpd's log.c: log_warn appends
 * strerror(errno), log_warnx does not; fatal/fatalx log and exit(1).
 * Never pass a secret (token, code, password, client secret, cookie) to
 * any of these: log a short hash prefix instead (secret_fingerprint()).
 */
#ifndef LOG_H
#define LOG_H

enum log_level {
	LOG_LEVEL_WARN = 0,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
	LOG_LEVEL__MAX
};

void	log_init(const char *);
void	log_set_level(enum log_level);
void	log_set_request(unsigned long);
void	log_warn(const char *, ...)
	    __attribute__((__format__(__printf__, 1, 2)));
void	log_warnx(const char *, ...)
	    __attribute__((__format__(__printf__, 1, 2)));
void	log_info(const char *, ...)
	    __attribute__((__format__(__printf__, 1, 2)));
void	log_debug(const char *, ...)
	    __attribute__((__format__(__printf__, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((__format__(__printf__, 1, 2), __noreturn__));
void	fatalx(const char *, ...)
	    __attribute__((__format__(__printf__, 1, 2), __noreturn__));

#endif
