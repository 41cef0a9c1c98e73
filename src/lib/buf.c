/*
 * buf.c: bounded growable buffer (see buf.h).
 *
 * Functions returning int give 0 on success and -1 when the append would
 * pass the buffer's ceiling; then nothing is appended.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

void
buf_init(struct buf *b, size_t max)
{
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
buf_free(struct buf *b)
{
	free(b->ptr);
	buf_init(b, b->max);
}

/* Empty the buffer but keep its memory for the next request. */
void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->ptr != NULL)
		b->ptr[0] = '\0';
}

static int
buf_grow(struct buf *b, size_t more)
{
	size_t	need, cap;

	if (more > b->max - b->len)
		return -1;
	need = b->len + more + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > (size_t)-1 / 2 ? need : cap * 2;
	b->ptr = xreallocarray(b->ptr, cap, 1);
	b->cap = cap;
	return 0;
}

int
buf_add(struct buf *b, const void *p, size_t n)
{
	if (buf_grow(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->ptr + b->len, p, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	 small[256];
	char	*big;
	int	 n, rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return buf_add(b, small, (size_t)n);
	big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	(void)vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = buf_add(b, big, (size_t)n);
	free(big);
	return rc;
}

/* The contents as a string; "" for an empty buffer.  Borrowed. */
const char *
buf_str(const struct buf *b)
{
	return b->ptr != NULL ? b->ptr : "";
}

/*
 * Hand the contents to the caller, who must free() them; the buffer is
 * left empty.  Never NULL.
 */
char *
buf_steal(struct buf *b)
{
	char	*p = b->ptr;

	if (p == NULL)
		p = xstrdup("");
	buf_init(b, b->max);
	return p;
}
