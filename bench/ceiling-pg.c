/*
 * ceiling-pg.c: the reference ceilings of bench/run.sh. Not part of
 * mcpgate; the least a FastCGI program behind lighttpd can do for an
 * authenticated MCP request, to set mcpgate's numbers against.
 *
 * Built twice by bench/run.sh (and bench/cost.sh, for the memory table):
 *   cc -O2 -o ceiling-pg   ceiling-pg.c -lfcgi -lpq -lsodium
 *   cc -O2 -DCEILING_BARE -o ceiling-bare ceiling-pg.c -lfcgi -lsodium
 *
 * Per request (an FCGX_Accept_r loop, libfcgi's fcgiapp interface as
 * mcpgate uses it): read the body (CONTENT_LENGTH bytes), take the
 * bearer token from HTTP_AUTHORIZATION, hash it (SHA-256, libsodium) and
 * -- ceiling-pg only -- run one prepared statement over a persistent
 * libpq connection:
 *   SELECT client_id, scope, expires_at FROM mcpgate.tokens
 *    WHERE token_hash = $1        (binary bytea parameter)
 * Then answer 200 with a fixed JSON body of about 600 bytes, or 401 when
 * the token is missing or not found. ceiling-bare answers 200 with the
 * same bytes to every request, without a database: with a bearer token
 * (hashed, as above) or without one (the reference for a GET of a
 * metadata document: run.sh's lighttpd also serves these bytes as a
 * static file).
 *
 * The conninfo comes from the environment variable CEILING_PG, read
 * before the first FCGX_Accept_r (which replaces the environment), set
 * with lighttpd's bin-environment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <fcgiapp.h>
#include <sodium.h>
#ifndef CEILING_BARE
#include <libpq-fe.h>
#endif

#define BODY_MAX	65536

/* A tools/list-shaped answer, 600 bytes or so. */
static const char answer[] =
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":[{\"name\":\"search\","
    "\"title\":\"Search the knowledge base\",\"description\":\"Search the "
    "documents of this knowledge base by keywords or a phrase. Returns the "
    "best matches with their id, title and url; pass an id to fetch to read "
    "a document.\",\"inputSchema\":{\"type\":\"object\",\"properties\":"
    "{\"query\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":1000,"
    "\"description\":\"What to look for: words, quoted phrases, or "
    "-excluded words.\"}},\"required\":[\"query\"],\"additionalProperties\":"
    "false},\"annotations\":{\"title\":\"Search the knowledge base\","
    "\"readOnlyHint\":true,\"destructiveHint\":false,\"idempotentHint\":true,"
    "\"openWorldHint\":false}}]}}";

static const char unauthorized[] =
    "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
    "\"message\":\"invalid access token\"}}";

#ifndef CEILING_BARE
static PGconn	*conn;
static char	*conninfo;

static int
db_connect(void)
{
	PGresult	*res;

	if (conn != NULL)
		PQfinish(conn);
	conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "ceiling-pg: connect: %s", PQerrorMessage(conn));
		return -1;
	}
	res = PQprepare(conn, "tok",
	    "SELECT client_id, scope, expires_at FROM mcpgate.tokens "
	    "WHERE token_hash = $1", 1, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "ceiling-pg: prepare: %s", PQerrorMessage(conn));
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

/* 1 found, 0 not, -1 database failure. */
static int
lookup(const unsigned char hash[crypto_hash_sha256_BYTES])
{
	const char	*vals[1] = { (const char *)hash };
	int		 lens[1] = { crypto_hash_sha256_BYTES }, fmts[1] = { 1 };
	PGresult	*res;
	int		 n, attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
			if (db_connect() == -1)
				return -1;
		res = PQexecPrepared(conn, "tok", 1, vals, lens, fmts, 0);
		if (PQresultStatus(res) == PGRES_TUPLES_OK) {
			n = PQntuples(res);
			PQclear(res);
			return n == 1;
		}
		PQclear(res);
		if (PQstatus(conn) == CONNECTION_OK)
			return -1;
	}
	return -1;
}
#endif

static void
respond(FCGX_Stream *out, const char *status, const char *body, size_t len)
{
	char	head[160];
	int	n;

	n = snprintf(head, sizeof(head), "Status: %s\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
	    status, len);
	FCGX_PutStr(head, n, out);
	FCGX_PutStr(body, (int)len, out);
}

int
main(void)
{
	FCGX_Request	 fr;
	static char	 body[BODY_MAX];
	unsigned char	 hash[crypto_hash_sha256_BYTES];
	const char	*auth, *cl;
	long		 want;
	int		 got, n, ok;

	if (sodium_init() < 0)
		return 1;
#ifndef CEILING_BARE
	if ((conninfo = getenv("CEILING_PG")) == NULL)
		conninfo = "";
	conninfo = strdup(conninfo);
#endif
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&fr) >= 0) {
		/* the body, as an MCP endpoint must read it */
		cl = FCGX_GetParam("CONTENT_LENGTH", fr.envp);
		want = cl != NULL ? strtol(cl, NULL, 10) : 0;
		if (want < 0 || want > BODY_MAX)
			want = 0;
		for (got = 0; got < want; got += n)
			if ((n = FCGX_GetStr(body + got, (int)(want - got), fr.in)) <= 0)
				break;

		auth = FCGX_GetParam("HTTP_AUTHORIZATION", fr.envp);
#ifdef CEILING_BARE
		if (auth == NULL) {
			respond(fr.out, "200 OK", answer, sizeof(answer) - 1);
			FCGX_Finish_r(&fr);
			continue;
		}
#endif
		if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0) {
			respond(fr.out, "401 Unauthorized", unauthorized,
			    sizeof(unauthorized) - 1);
			FCGX_Finish_r(&fr);
			continue;
		}
		auth += 7;
		crypto_hash_sha256(hash, (const unsigned char *)auth, strlen(auth));
#ifdef CEILING_BARE
		ok = 1;
#else
		ok = lookup(hash);
#endif
		if (ok == 1)
			respond(fr.out, "200 OK", answer, sizeof(answer) - 1);
		else if (ok == 0)
			respond(fr.out, "401 Unauthorized", unauthorized,
			    sizeof(unauthorized) - 1);
		else
			respond(fr.out, "503 Service Unavailable", unauthorized,
			    sizeof(unauthorized) - 1);
		FCGX_Finish_r(&fr);
	}
	return 0;
}
