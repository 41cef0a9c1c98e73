/*
 * secret.h: random secrets, their storage hashes and constant-time
 * comparison, all through libsodium (DESIGN §3: secrets are stored only
 * as SHA-256 hashes of 256-bit random values; SPEC S-24).
 *
 * A secret as handed to a client is 32 random bytes in unpadded base64url
 * (43 characters, RFC 4648 §5), which is safe in URLs, forms and headers
 * without further encoding.
 */
#ifndef SECRET_H
#define SECRET_H

#include <stddef.h>

#define SECRET_BYTES		32	/* 256 bits of entropy */
#define SECRET_STRLEN		43	/* base64url of 32 bytes, no padding */
#define SECRET_HASHBYTES	32	/* SHA-256 */
#define SECRET_FPLEN		8	/* hex characters of a log fingerprint */

int	secret_init(void) __attribute__((__warn_unused_result__));
void	secret_random(char [SECRET_STRLEN + 1]);
void	secret_hash(const void *, size_t, unsigned char [SECRET_HASHBYTES]);
int	secret_equal(const void *, const void *, size_t);
size_t	secret_b64url(const unsigned char *, size_t, char *, size_t);
int	secret_b64url_valid(const char *, size_t);
void	secret_fingerprint(const void *, size_t, char [SECRET_FPLEN + 1]);
void	secret_wipe(void *, size_t);

#endif
