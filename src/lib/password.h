/*
 * password.h: user passwords, hashed with argon2id through libsodium.
 */
#ifndef PASSWORD_H
#define PASSWORD_H

#include <stddef.h>

#include <sodium.h>

#define PASSWORD_MIN		8	/* bytes */
#define PASSWORD_MAX		1024
#define PASSWORD_HASHLEN	crypto_pwhash_STRBYTES

int	password_acceptable(const char *, size_t);
int	password_hash(const char *, size_t, char [PASSWORD_HASHLEN])
	    __attribute__((__warn_unused_result__));
int	password_verify(const char *, const char *, size_t);

#endif
