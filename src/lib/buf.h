/*
 * buf.h: a growable byte buffer with a hard ceiling (curl's dynbuf).
 *
 * Every buffer is given, at init, the largest size it may ever reach; an
 * append past it fails and leaves the buffer as it was, so that input
 * size limits are enforced where the bytes are stored and not only where
 * someone remembered to check.  The contents are always NUL-terminated.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>

struct buf {
	char	*ptr;		/* NUL-terminated contents, or NULL when empty */
	size_t	 len;		/* bytes used, without the NUL */
	size_t	 cap;		/* bytes allocated */
	size_t	 max;		/* the ceiling for len */
};

void	buf_init(struct buf *, size_t);
void	buf_free(struct buf *);
void	buf_reset(struct buf *);
int	buf_add(struct buf *, const void *, size_t)
	    __attribute__((__warn_unused_result__));
int	buf_adds(struct buf *, const char *)
	    __attribute__((__warn_unused_result__));
int	buf_addc(struct buf *, char)
	    __attribute__((__warn_unused_result__));
int	buf_printf(struct buf *, const char *, ...)
	    __attribute__((__format__(__printf__, 2, 3), __warn_unused_result__));
const char *buf_str(const struct buf *);
char	*buf_steal(struct buf *);

#endif
