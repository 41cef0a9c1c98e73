/*
 * mcpgate-passwd: print the argon2id hash of a password, for the admin
 * scripts (sql/admin/user-create.sql takes it as -v password_hash=...).
 *
 *   mcpgate-passwd            asks for the password twice (no echo)
 *   echo pw | mcpgate-passwd  reads one line from standard input
 *
 * The hash is libsodium's crypto_pwhash_str (argon2id, the "interactive"
 * limits: 2 passes over 64 MiB), a self-describing string with its own
 * salt; the login page verifies it with crypto_pwhash_str_verify.  The
 * password never appears on a command line (where ps would show it).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "password.h"

static int
read_line(const char *prompt, char *buf, size_t bufsz)
{
	struct termios	 old, noecho;
	int		 tty = isatty(STDIN_FILENO), rc = 0;
	size_t		 n;

	if (tty) {
		fputs(prompt, stderr);
		if (tcgetattr(STDIN_FILENO, &old) == 0) {
			noecho = old;
			noecho.c_lflag &= ~(tcflag_t)ECHO;
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho);
		}
	}
	if (fgets(buf, (int)bufsz, stdin) == NULL)
		rc = -1;
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (rc == 0) {
		n = strcspn(buf, "\r\n");
		if (buf[n] == '\0' && n == bufsz - 1)
			return -1;	/* longer than the buffer */
		buf[n] = '\0';
	}
	return rc;
}

int
main(int argc, char *argv[])
{
	char	pw[PASSWORD_MAX + 2], again[PASSWORD_MAX + 2];
	char	hash[PASSWORD_HASHLEN];

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: mcpgate-passwd  (the password on standard input)\n");
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "mcpgate-passwd: libsodium failed to initialise\n");
		return 1;
	}
	if (read_line("Password: ", pw, sizeof(pw)) == -1) {
		fprintf(stderr, "mcpgate-passwd: no password, or longer than %d bytes\n",
		    PASSWORD_MAX);
		return 1;
	}
	if (isatty(STDIN_FILENO)) {
		if (read_line("Again: ", again, sizeof(again)) == -1 ||
		    strcmp(pw, again) != 0) {
			fprintf(stderr, "mcpgate-passwd: the passwords differ\n");
			return 1;
		}
		sodium_memzero(again, sizeof(again));
	}
	if (!password_acceptable(pw, strlen(pw))) {
		fprintf(stderr, "mcpgate-passwd: a password needs %d to %d bytes of text\n",
		    PASSWORD_MIN, PASSWORD_MAX);
		sodium_memzero(pw, sizeof(pw));
		return 1;
	}
	if (password_hash(pw, strlen(pw), hash) == -1) {
		fprintf(stderr, "mcpgate-passwd: out of memory for argon2id\n");
		sodium_memzero(pw, sizeof(pw));
		return 1;
	}
	sodium_memzero(pw, sizeof(pw));
	puts(hash);
	return 0;
}
