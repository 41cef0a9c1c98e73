/*
 * xmalloc.h: allocation that never returns failure.
 *
 * A FastCGI program that cannot allocate a few kilobytes cannot answer
 * anything useful either; like tmux and kcgi we log and exit, and the
 * front end's process manager starts a fresh process.  A bad request never
 * reaches these paths with an unbounded size: every caller bounds its
 * input first (see buf.h).
 */
#ifndef XMALLOC_H
#define XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...)
	    __attribute__((__format__(__printf__, 1, 2)));

#endif
