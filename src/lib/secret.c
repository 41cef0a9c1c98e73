/*
 * secret.c: random secrets, hashing and comparison over libsodium.
 *
 * We hand-roll none of it: randombytes_buf for randomness,
 * crypto_hash_sha256 for storage hashes, sodium_memcmp for constant-time
 * comparison, sodium_bin2base64 for the encoding, sodium_memzero to wipe.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "secret.h"

/* Call once per process before any other function here.  0 or -1. */
int
secret_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

/*
 * Fill out with a fresh secret: 256 random bits as 43 base64url
 * characters and a NUL.
 */
void
secret_random(char out[SECRET_STRLEN + 1])
{
	unsigned char	raw[SECRET_BYTES];

	randombytes_buf(raw, sizeof(raw));
	(void)secret_b64url(raw, sizeof(raw), out, SECRET_STRLEN + 1);
	sodium_memzero(raw, sizeof(raw));
}

/*
 * The storage hash of a secret: SHA-256 of its bytes as sent by the
 * client.  A 256-bit random value needs no salt or slow hash; passwords,
 * which are not random, use argon2id instead (issue 3).
 */
void
secret_hash(const void *p, size_t len, unsigned char out[SECRET_HASHBYTES])
{
	crypto_hash_sha256(out, p, len);
}

/* Constant-time equality of two buffers of the same length: 1 or 0. */
int
secret_equal(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len) == 0;
}

/*
 * Unpadded base64url of in[0..inlen) into out, which must hold
 * 4 * ceil(inlen / 3) + 1 bytes.  Returns the string's length, or 0 when
 * out is too small (out is then "").
 */
size_t
secret_b64url(const unsigned char *in, size_t inlen, char *out, size_t outsz)
{
	size_t	need;

	need = sodium_base64_ENCODED_LEN(inlen,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (outsz < need) {
		if (outsz > 0)
			out[0] = '\0';
		return 0;
	}
	sodium_bin2base64(out, outsz, in, inlen,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return strlen(out);
}

/*
 * Whether s[0..len) has the shape of a secret we issued: exactly 43
 * base64url characters.  Lets callers refuse junk before hashing it.
 */
int
secret_b64url_valid(const char *s, size_t len)
{
	size_t	i;

	if (len != SECRET_STRLEN)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	/*
	 * 43 characters carry 258 bits; the last one may only use the values
	 * whose two low bits are zero, as sodium_bin2base64 writes them.
	 */
	return strchr("AEIMQUYcgkosw048", s[len - 1]) != NULL;
}

/*
 * A short, non-reversible tag of a secret for log lines: the first
 * SECRET_FPLEN hex digits of its SHA-256.  Logging this instead of the
 * secret lets an operator correlate events without the log holding
 * anything that could be replayed.
 */
void
secret_fingerprint(const void *p, size_t len, char out[SECRET_FPLEN + 1])
{
	unsigned char	h[SECRET_HASHBYTES];

	secret_hash(p, len, h);
	sodium_bin2hex(out, SECRET_FPLEN + 1, h, SECRET_FPLEN / 2);
}

void
secret_wipe(void *p, size_t len)
{
	sodium_memzero(p, len);
}
