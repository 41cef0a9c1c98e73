/*
 * password.c: argon2id password hashes (libsodium crypto_pwhash_str).
 *
 * Verification takes the same time whether or not the user exists: for
 * an unknown user (hash NULL) we verify against a fixed hash made with
 * the same parameters, so that the login page cannot be used to find
 * out which usernames exist (issue 3: "unknown users take the same time
 * as wrong passwords").
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "password.h"
#include "valid.h"

/*
 * The hash of a random password nobody knows, with the parameters
 * password_hash uses (argon2id, opslimit 2, memlimit 64 MiB).  Made once
 * with mcpgate-passwd; it only has to cost the same to verify.
 */
static const char dummy_hash[crypto_pwhash_STRBYTES] =
    "$argon2id$v=19$m=65536,t=2,p=1$6WGMhcDS1qZG3tdKvLLPsg$"
    "BQHiWwBmQe9VuPT1HgJQnyp0Va3ThYJa0QB43tJPEHM";

/* Whether a new password is acceptable: 8..1024 bytes of valid text. */
int
password_acceptable(const char *pw, size_t len)
{
	return len >= PASSWORD_MIN && len <= PASSWORD_MAX &&
	    valid_text(pw, len);
}

/* Hash pw into out.  0, or -1 when argon2id could not get its memory. */
int
password_hash(const char *pw, size_t len, char out[PASSWORD_HASHLEN])
{
	return crypto_pwhash_str(out, pw, len,
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0 ? 0 : -1;
}

/*
 * Whether pw matches hash (a crypto_pwhash_str string).  With hash NULL
 * (no such user, or no password set yet) it does the same work against
 * the dummy hash and returns 0.
 */
int
password_verify(const char *hash, const char *pw, size_t len)
{
	if (len > PASSWORD_MAX)
		return 0;
	if (hash == NULL || strncmp(hash, "$argon2id$", 10) != 0) {
		if (crypto_pwhash_str_verify(dummy_hash, pw, len) == 0)
			return 0;	/* nobody knows that password */
		return 0;
	}
	return crypto_pwhash_str_verify(hash, pw, len) == 0;
}
