/*
 * clientmeta.h: the client metadata of an RFC 7591 registration request,
 * checked and reduced to what mcpgate registers (SPEC DCR-03..DCR-10).
 *
 * A pure function of the request's JSON and the configured scopes, kept
 * out of src/register.c (which adds the client_id and the secret, and
 * stores the result) so that it can be unit-tested and fuzzed on its own.
 */
#ifndef CLIENTMETA_H
#define CLIENTMETA_H

#include <cjson/cJSON.h>

#define CLIENTMETA_TEXT_MAX	200	/* client_name, software_id, a contact */
#define CLIENTMETA_CONTACTS_MAX	10

cJSON	*clientmeta_parse(const cJSON *, const char *, const char **,
	    const char **);

#endif
