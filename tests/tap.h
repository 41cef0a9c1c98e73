/*
 * tap.h: a small Test Anything Protocol emitter for the C tests
 * (after h2o's picotest): each check prints "ok N - name" or
 * "not ok N - name", done_testing() prints the plan and returns the exit
 * status.  automake's tap-driver.sh reads the output.
 */
#ifndef TAP_H
#define TAP_H

#include <stddef.h>

int	ok(int, const char *, ...) __attribute__((__format__(__printf__, 2, 3)));
int	is_int(long long, long long, const char *, ...)
	    __attribute__((__format__(__printf__, 3, 4)));
int	is_str(const char *, const char *, const char *, ...)
	    __attribute__((__format__(__printf__, 3, 4)));
void	note(const char *, ...) __attribute__((__format__(__printf__, 1, 2)));
void	skip_all(const char *);
int	done_testing(void);

#endif
