/*
 * json.h: JSON in and out over cJSON, with the limits cJSON leaves to us.
 *
 * Parsing refuses, before cJSON builds anything: text over the caller's
 * size limit, invalid UTF-8, nesting deeper than the caller's limit, and
 * afterwards trailing bytes and duplicate object keys (two parsers may
 * disagree on which duplicate wins; we accept neither).  Getters treat a
 * value of the wrong type as absent, so a handler never dereferences a
 * number as a string.
 *
 * Ownership follows cJSON.h: the caller cJSON_Delete()s a parsed tree.
 * json_get_bool tells a wrong type (-1) from an absent member (0).
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "buf.h"

#define JSON_MAXDEPTH	32	/* default nesting limit */

void		 json_init(void);
cJSON		*json_parse(const char *, size_t, size_t, size_t, char *, size_t);
const char	*json_get_str(const cJSON *, const char *);
int		 json_get_bool(const cJSON *, const char *, int *);
const cJSON	*json_get_array(const cJSON *, const char *);
const cJSON	*json_get_object(const cJSON *, const char *);
int		 json_print(const cJSON *, struct buf *)
		    __attribute__((__warn_unused_result__));
cJSON		*json_strarray(const char *);

#endif
