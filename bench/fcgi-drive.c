/*
 * fcgi-drive.c: feed N FastCGI requests to one FastCGI program, for the
 * instruction counts of bench/mcp.sh (callgrind). Not part of mcpgate.
 *
 *   fcgi-drive SOCKET N ENVFILE BODYFILE -- PROGRAM [ARG...]
 *
 * Creates a listening Unix socket at SOCKET, starts PROGRAM with it as
 * standard input (what lighttpd and spawn-fcgi do: libfcgi then serves
 * FastCGI), sends N requests one after the other, each on a new
 * connection as lighttpd's mod_fastcgi does, then sends SIGTERM and
 * waits for PROGRAM. Each request carries the variables of ENVFILE
 * (KEY=VALUE lines), CONTENT_LENGTH, and BODYFILE as its body. Exits 0
 * when every answer had the status in FCGI_DRIVE_EXPECT (default 200; no
 * Status line counts as 200), and prints the first answer to stderr for
 * the caller to check.
 *
 * Build: cc -O2 -o fcgi-drive fcgi-drive.c
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T_BEGIN		1
#define T_END		3
#define T_PARAMS	4
#define T_STDIN		5
#define T_STDOUT	6
#define T_STDERR	7

static void
die(const char *what)
{
	perror(what);
	exit(2);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f = fopen(path, "rb");
	char	*b;
	long	 n;

	if (f == NULL)
		die(path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if ((b = malloc((size_t)n + 1)) == NULL)
		die("malloc");
	if (n > 0 && fread(b, 1, (size_t)n, f) != (size_t)n)
		die(path);
	b[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void
writeall(int fd, const void *p, size_t n)
{
	const char	*c = p;
	ssize_t		 w;

	while (n > 0) {
		if ((w = write(fd, c, n)) == -1) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		c += w;
		n -= (size_t)w;
	}
}

static void
record(int fd, int type, const void *p, size_t n)
{
	unsigned char	h[8] = { 1, (unsigned char)type, 0, 1,
			    (unsigned char)(n >> 8), (unsigned char)n, 0, 0 };

	writeall(fd, h, 8);
	if (n > 0)
		writeall(fd, p, n);
}

/* FastCGI name-value pair, short or long lengths. */
static size_t
pair(unsigned char *o, const char *k, size_t kl, const char *v, size_t vl)
{
	size_t	i = 0;

	if (kl < 128)
		o[i++] = (unsigned char)kl;
	else {
		o[i++] = (unsigned char)(0x80 | (kl >> 24));
		o[i++] = (unsigned char)(kl >> 16);
		o[i++] = (unsigned char)(kl >> 8);
		o[i++] = (unsigned char)kl;
	}
	if (vl < 128)
		o[i++] = (unsigned char)vl;
	else {
		o[i++] = (unsigned char)(0x80 | (vl >> 24));
		o[i++] = (unsigned char)(vl >> 16);
		o[i++] = (unsigned char)(vl >> 8);
		o[i++] = (unsigned char)vl;
	}
	memcpy(o + i, k, kl);
	memcpy(o + i + kl, v, vl);
	return i + kl + vl;
}

static int
readall(int fd, void *p, size_t n)
{
	char	*c = p;
	ssize_t	 r;

	while (n > 0) {
		if ((r = read(fd, c, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un	 sun;
	unsigned char		 params[65536], h[8], begin[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };
	char			*env, *body, *line, *eq, cl[32], want[32], out[1 << 20];
	const char		*expect = getenv("FCGI_DRIVE_EXPECT");
	size_t			 envlen, bodylen, plen = 0, outlen, clen, off;
	int			 ls, fd, n, i, bad = 0, status;
	pid_t			 pid;

	if (argc < 7 || strcmp(argv[5], "--") != 0) {
		fprintf(stderr, "usage: fcgi-drive SOCKET N ENVFILE BODYFILE -- PROGRAM [ARG...]\n");
		return 2;
	}
	n = atoi(argv[2]);
	snprintf(want, sizeof(want), "Status: %s", expect != NULL ? expect : "200");
	env = slurp(argv[3], &envlen);
	body = slurp(argv[4], &bodylen);

	for (line = strtok(env, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		if ((eq = strchr(line, '=')) == NULL)
			continue;
		if (plen + strlen(line) + 16 > sizeof(params))
			die("params too long");
		plen += pair(params + plen, line, (size_t)(eq - line), eq + 1, strlen(eq + 1));
	}
	snprintf(cl, sizeof(cl), "%zu", bodylen);
	plen += pair(params + plen, "CONTENT_LENGTH", 14, cl, strlen(cl));

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(argv[1]) >= sizeof(sun.sun_path))
		die("socket path too long");
	strcpy(sun.sun_path, argv[1]);
	unlink(argv[1]);
	if ((ls = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(ls, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(ls, 16) == -1)
		die("listen");
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0) {
		if (dup2(ls, 0) == -1)
			die("dup2");
		close(ls);
		execvp(argv[6], argv + 6);
		die(argv[6]);
	}
	close(ls);

	for (i = 0; i < n; i++) {
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
		    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
			die("connect");
		record(fd, T_BEGIN, begin, 8);
		for (off = 0; off < plen; off += 65535 > plen - off ? plen - off : 65535)
			record(fd, T_PARAMS, params + off, plen - off > 65535 ? 65535 : plen - off);
		record(fd, T_PARAMS, NULL, 0);
		for (off = 0; off < bodylen; off += 65535 > bodylen - off ? bodylen - off : 65535)
			record(fd, T_STDIN, body + off, bodylen - off > 65535 ? 65535 : bodylen - off);
		record(fd, T_STDIN, NULL, 0);
		outlen = 0;
		for (;;) {
			if (readall(fd, h, 8) == -1) {
				fprintf(stderr, "fcgi-drive: request %d: connection closed early\n", i + 1);
				return 1;
			}
			clen = ((size_t)h[4] << 8) | h[5];
			if (clen + h[6] > sizeof(out) - outlen - 1)
				die("answer too long");
			if (readall(fd, out + outlen, clen + h[6]) == -1)
				die("read");
			if (h[1] == T_STDOUT)
				outlen += clen;
			else if (h[1] == T_STDERR)
				fprintf(stderr, "%.*s", (int)clen, out + outlen);
			else if (h[1] == T_END)
				break;
		}
		close(fd);
		out[outlen] = '\0';
		if (strncmp(out, "Status:", 7) == 0 ?
		    strncmp(out, want, strlen(want)) != 0 : strcmp(want, "Status: 200") != 0)
			bad++;
		if (i == 0)
			fprintf(stderr, "%s\n", out);
	}
	/*
	 * libfcgi ends its accept loop on SIGTERM, unless the signal comes
	 * before it is back in accept(2) (it only looks at the flag on
	 * EINTR): then the program stays blocked. Give it 5 s, then kill it;
	 * callers that need a profile of every request use callgrind's
	 * --dump-before=FCGX_Accept_r, which does not depend on the exit.
	 */
	kill(pid, SIGTERM);
	for (i = 0; i < 50; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(100000);
	}
	if (i == 50) {
		kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) == -1)
			die("waitpid");
	}
	unlink(argv[1]);
	if (bad > 0) {
		fprintf(stderr, "fcgi-drive: %d of %d answers were not %s\n", bad, n, want);
		return 1;
	}
	return 0;
}
