/*
 * test_buf.c: the bounded buffer (src/lib/buf.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tap.h"

int
main(void)
{
	struct buf	 b;
	char		*s, big[1000];

	buf_init(&b, 10);
	is_str(buf_str(&b), "", "an empty buffer reads as \"\"");
	ok(buf_adds(&b, "hello") == 0 && b.len == 5, "append within the ceiling");
	ok(buf_printf(&b, "%d", 1234) == 0 && b.len == 9, "printf within");
	ok(buf_adds(&b, "xy") == -1, "append past the ceiling fails");
	is_str(buf_str(&b), "hello1234", "a failed append changes nothing");
	ok(buf_addc(&b, '!') == 0 && b.len == 10, "exactly at the ceiling");
	ok(buf_addc(&b, '!') == -1, "one more fails");
	buf_reset(&b);
	ok(b.len == 0 && strcmp(buf_str(&b), "") == 0, "reset empties");
	buf_free(&b);

	buf_init(&b, 4096);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(buf_printf(&b, "<%s>", big) == 0 && b.len == 1001,
	    "printf longer than its stack buffer");
	ok(b.ptr[0] == '<' && b.ptr[1000] == '>' && b.ptr[1001] == '\0',
	    "long printf content and terminator");
	s = buf_steal(&b);
	ok(strlen(s) == 1001 && b.ptr == NULL && b.len == 0,
	    "steal hands over the contents");
	free(s);
	s = buf_steal(&b);
	is_str(s, "", "stealing from an empty buffer gives \"\"");
	free(s);
	ok(buf_add(&b, "a\0b", 3) == 0 && b.len == 3 && b.ptr[1] == '\0' &&
	    b.ptr[3] == '\0', "binary content keeps its length");
	buf_free(&b);
	return done_testing();
}
