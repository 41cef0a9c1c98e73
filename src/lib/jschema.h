/*
 * jschema.h: a small subset of JSON Schema (draft 2020-12), enough for the
 * input schemas of MCP tools (doc/json-schema-subset.md lists it).
 *
 * The MCP endpoint checks a tools/call's arguments against the tool's
 * input schema before the tool's SQL function runs.  A schema that uses a
 * keyword outside the subset is refused as a whole rather than checked in
 * part: a constraint the site owner wrote but we silently skip would let
 * through exactly the calls it was meant to stop.
 *
 * Everything is bounded: schema and value nesting by JSCHEMA_MAXDEPTH,
 * their size by JSCHEMA_MAXNODES, and the comparisons done for enum,
 * const and uniqueItems by an internal work budget.  A value beyond a
 * bound is invalid; a schema beyond one is unusable.  No function here
 * allocates, recurses deeper than the bound, or keeps state.
 *
 * Messages go to err (always NUL-terminated, cut at a UTF-8 boundary;
 * err may be NULL when errsz is 0).  Those about a value name its place
 * as a path ("$.tags[2]: must be one of the allowed values") and never
 * quote the value itself; those about a schema name the place as a JSON
 * Pointer ("#/properties/q: unsupported keyword \"pattern\"").
 */
#ifndef JSCHEMA_H
#define JSCHEMA_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Levels of subschemas in a schema; levels of arrays and objects in a value. */
#define JSCHEMA_MAXDEPTH	16
/* Values (containers, members, items) in a value; nodes in a schema. */
#define JSCHEMA_MAXNODES	4096

/*
 * Whether schema lies within the subset and its bounds: 1 usable, 0 not
 * (err says why, for the site owner or the log).
 */
int	jschema_valid_schema(const cJSON *, char *, size_t)
	    __attribute__((__warn_unused_result__));

/*
 * Check value against schema: 1 valid; 0 invalid (err: one short message
 * with the path, fit for the model that made the call); -1 the schema is
 * unusable (err as from jschema_valid_schema, for the log, not the
 * caller).  The first problem found is the one reported.
 */
int	jschema_check(const cJSON *, const cJSON *, char *, size_t)
	    __attribute__((__warn_unused_result__));

#endif
