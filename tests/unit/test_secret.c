/*
 * test_secret.c: random secrets, hashes, comparison (src/lib/secret.c).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "secret.h"
#include "tap.h"

int
main(void)
{
	char		 a[SECRET_STRLEN + 1], b[SECRET_STRLEN + 1];
	char		 fp[SECRET_FPLEN + 1], enc[16];
	unsigned char	 h[SECRET_HASHBYTES], h2[SECRET_HASHBYTES];
	static const unsigned char abc_sha256[SECRET_HASHBYTES] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41,
		0x40, 0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3,
		0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00,
		0x15, 0xad
	};
	int		 i, allvalid = 1;

	if (!ok(secret_init() == 0, "libsodium initialises"))
		return done_testing();
	secret_random(a);
	secret_random(b);
	is_int((long long)strlen(a), SECRET_STRLEN, "a secret is 43 characters");
	ok(strcmp(a, b) != 0, "two secrets differ");
	for (i = 0; i < 200; i++) {
		secret_random(a);
		if (!secret_b64url_valid(a, strlen(a)))
			allvalid = 0;
	}
	ok(allvalid, "200 fresh secrets all have the base64url shape");
	ok(!secret_b64url_valid(a, SECRET_STRLEN - 1), "shorter is refused");
	memcpy(b, a, sizeof(b));
	b[5] = '+';
	ok(!secret_b64url_valid(b, SECRET_STRLEN), "'+' (standard base64) is refused");
	memcpy(b, a, sizeof(b));
	b[SECRET_STRLEN - 1] = 'B';
	ok(!secret_b64url_valid(b, SECRET_STRLEN), "non-canonical last character refused");

	secret_hash("abc", 3, h);
	ok(memcmp(h, abc_sha256, sizeof(h)) == 0, "SHA-256(\"abc\") test vector (FIPS 180-2)");
	ok(secret_equal(h, abc_sha256, sizeof(h)), "secret_equal on equal buffers");
	memcpy(h2, h, sizeof(h2));
	h2[31] ^= 1;
	ok(!secret_equal(h, h2, sizeof(h)), "secret_equal on a one-bit difference");

	/* RFC 7636 appendix B: the S256 challenge of the example verifier */
	secret_hash("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", 43, h);
	secret_b64url(h, sizeof(h), a, sizeof(a));
	is_str(a, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
	    "base64url(SHA-256(verifier)) matches RFC 7636 appendix B");
	is_int((long long)secret_b64url(h, sizeof(h), enc, sizeof(enc)), 0,
	    "base64url into a too-small buffer fails cleanly");
	is_str(enc, "", "and leaves an empty string");

	secret_fingerprint("abc", 3, fp);
	is_str(fp, "ba7816bf", "fingerprint is the hash's first 8 hex digits");
	memcpy(b, "sensitive", 10);
	secret_wipe(b, 10);
	ok(b[0] == 0 && b[9] == 0, "wipe zeroes");
	return done_testing();
}
