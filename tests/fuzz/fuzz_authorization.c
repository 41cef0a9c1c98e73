/*
 * fuzz_authorization.c: the Authorization header's schemes
 * (req_auth_bearer and req_auth_basic, src/lib/request.c) over any value.
 *
 * The input is the header value (cut at a NUL, as the environment would
 * cut it).  Invariants: at most one scheme matches, and exactly when the
 * value starts with its name; a bearer token points into the value past
 * the blanks, and a well-formed one is 43 base64url characters; Basic
 * credentials are NUL-free valid UTF-8, and encoding them again (each
 * part form-urlencoded, RFC 6749 §2.3.1) gives them back.
 */
#include "config.h"

#include <strings.h>

#include <sodium.h>

#include "http.h"
#include "secret.h"
#include "valid.h"

#include "fuzz.h"

/* Percent-encode every byte but unreserved ones. */
static size_t
encode(const char *s, char *o)
{
	static const char	hex[] = "0123456789ABCDEF";
	size_t			k = 0;
	unsigned char		c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			o[k++] = (char)c;
		else {
			o[k++] = '%';
			o[k++] = hex[c >> 4];
			o[k++] = hex[c & 15];
		}
	}
	return k;
}

static void
check_basic_again(const char *id, const char *secret)
{
	char	*raw, *h, *id2, *secret2;
	size_t	 n, b64len;

	raw = malloc(3 * (strlen(id) + strlen(secret)) + 2);
	n = encode(id, raw);
	raw[n++] = ':';
	n += encode(secret, raw + n);
	if (n > 1023) {		/* more than req_auth_basic takes */
		free(raw);
		return;
	}
	b64len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	h = malloc(6 + b64len);
	memcpy(h, "basic ", 6);
	sodium_bin2base64(h + 6, b64len, (const unsigned char *)raw, n,
	    sodium_base64_VARIANT_ORIGINAL);
	FUZZ_CHECK(req_auth_basic(h, &id2, &secret2) == 1);
	FUZZ_CHECK(strcmp(id, id2) == 0 && strcmp(secret, secret2) == 0);
	free(id2);
	free(secret2);
	free(h);
	free(raw);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*h = fuzz_strndup(data, size), *id, *secret;
	const char	*t;
	size_t		 i;
	int		 rc;

	t = req_auth_bearer(h);
	FUZZ_CHECK((t != NULL) == (strncasecmp(h, "Bearer ", 7) == 0));
	if (t != NULL) {
		FUZZ_CHECK(t >= h + 7 && t <= h + strlen(h) && *t != ' ');
		if (secret_b64url_valid(t, strlen(t))) {
			FUZZ_CHECK(strlen(t) == SECRET_STRLEN);
			for (i = 0; t[i] != '\0'; i++)
				FUZZ_CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789-_",
				    t[i]) != NULL);
		}
	}

	rc = req_auth_basic(h, &id, &secret);
	FUZZ_CHECK(rc >= -1 && rc <= 1);
	FUZZ_CHECK((rc != 0) == (strncasecmp(h, "Basic ", 6) == 0));
	FUZZ_CHECK(rc == 0 || t == NULL);
	if (rc == 1) {
		FUZZ_CHECK(valid_utf8(id, strlen(id)));
		FUZZ_CHECK(valid_utf8(secret, strlen(secret)));
		FUZZ_CHECK(strlen(id) + strlen(secret) < 1024);
		check_basic_again(id, secret);
		free(id);
		free(secret);
	} else
		FUZZ_CHECK(id == NULL && secret == NULL);
	FUZZ_CHECK(req_auth_bearer(NULL) == NULL);
	free(h);
	return 0;
}
