/*
 * fcgi-drive.c: feed N FastCGI requests to one FastCGI program, for the
 * instruction counts of bench/mcp.sh and bench/cost.sh (callgrind) and
 * the memory figures of bench/cost.sh. Not part of mcpgate.
 *
 *   fcgi-drive [-r REQFILE] [-m COUNTS] SOCKET N ENVFILE BODYFILE -- PROGRAM [ARG...]
 *
 * Creates a listening Unix socket at SOCKET, starts PROGRAM with it as
 * standard input (what lighttpd and spawn-fcgi do: libfcgi then serves
 * FastCGI), sends N requests one after the other, each on a new
 * connection as lighttpd's mod_fastcgi does, then sends SIGTERM and
 * waits for PROGRAM. Each request carries the variables of ENVFILE
 * (KEY=VALUE lines), CONTENT_LENGTH, and BODYFILE as its body (BODYFILE
 * "-": no body). Exits 0 when every answer had the status in
 * FCGI_DRIVE_EXPECT (default 200; no Status line counts as 200), and
 * prints the first answer, and the first unexpected one, to stderr for
 * the caller to check.
 *
 * -r REQFILE: requests of their own. One request per line; a line is
 * TAB-separated fields: NAME=VALUE adds the FastCGI parameter NAME, or
 * replaces ENVFILE's; <TEXT makes TEXT the body instead of BODYFILE.
 * In VALUE and TEXT, \t \n \r and \\ stand for a TAB, a newline, a
 * carriage return and a backslash. Empty lines and lines starting with #
 * are skipped. Request i uses line i; past the last line the lines
 * start again from the first (so one line = the same request N times).
 * CONTENT_LENGTH is always the body's length.
 *
 * -m COUNTS: after each request whose number is in the comma-separated
 * COUNTS (e.g. 1,100,1000,10000), print to standard output one line
 * "COUNT VmRSS VmHWM RssAnon RssFile Pss" (kB, from /proc/PID/status and
 * smaps_rollup of PROGRAM, read after the answer was complete): the
 * memory figures of a program run natively (not under valgrind, whose
 * process would be measured instead). With FCGI_DRIVE_SMAPS=FILE, after
 * the last request /proc/PID/smaps is copied to FILE.
 *
 * After the last answer it waits until PROGRAM is back in accept(2), so
 * that a callgrind dump at FCGX_Accept_r ends the last request too.
 * FCGI_DRIVE_WAIT: seconds to wait for PROGRAM to exit after SIGTERM (5).
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

#define PARAMS_MAX	(1 << 20)

struct kv {
	char	*k, *v;
	size_t	 kl, vl;
};

struct request {
	struct kv	*kv;
	size_t		 nkv;
	char		*body;		/* NULL: the default body */
	size_t		 bodylen;
};

static void
die(const char *what)
{
	perror(what);
	exit(2);
}

static void
dief(const char *what)
{
	fprintf(stderr, "fcgi-drive: %s\n", what);
	exit(2);
}

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL)
		die("realloc");
	return p;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*b;
	long	 n;

	if (strcmp(path, "-") == 0) {
		*len = 0;
		return calloc(1, 1);
	}
	if ((f = fopen(path, "rb")) == NULL)
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

/* Undo the \t \n \r \\ escapes of a REQFILE field in place; the length. */
static size_t
unescape(char *s)
{
	char	*o = s, *i = s;

	for (; *i != '\0'; i++) {
		if (*i != '\\' || i[1] == '\0') {
			*o++ = *i;
			continue;
		}
		switch (*++i) {
		case 't': *o++ = '\t'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		default: *o++ = *i; break;
		}
	}
	*o = '\0';
	return (size_t)(o - s);
}

/* Add or replace NAME=VALUE (NAME compared exactly). */
static void
kv_set(struct kv **kv, size_t *n, char *k, size_t kl, char *v, size_t vl)
{
	size_t	i;

	for (i = 0; i < *n; i++)
		if ((*kv)[i].kl == kl && memcmp((*kv)[i].k, k, kl) == 0) {
			(*kv)[i].v = v;
			(*kv)[i].vl = vl;
			return;
		}
	*kv = xrealloc(*kv, (*n + 1) * sizeof(**kv));
	(*kv)[*n] = (struct kv){ k, v, kl, vl };
	(*n)++;
}

/* The lines of REQFILE, parsed. */
static struct request *
read_requests(const char *path, size_t *nreq)
{
	struct request	*rq = NULL;
	size_t		 len, n = 0;
	char		*text = slurp(path, &len), *line, *next, *f, *fe, *eq;

	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '\0' || *line == '#')
			continue;
		rq = xrealloc(rq, (n + 1) * sizeof(*rq));
		memset(&rq[n], 0, sizeof(rq[n]));
		for (f = line; f != NULL; f = fe) {
			if ((fe = strchr(f, '\t')) != NULL)
				*fe++ = '\0';
			if (*f == '<') {
				rq[n].body = f + 1;
				rq[n].bodylen = unescape(f + 1);
			} else if ((eq = strchr(f, '=')) != NULL && eq != f) {
				*eq = '\0';
				kv_set(&rq[n].kv, &rq[n].nkv, f, (size_t)(eq - f),
				    eq + 1, unescape(eq + 1));
			} else if (*f != '\0') {
				fprintf(stderr, "fcgi-drive: %s: request %zu: field without '=': %s\n",
				    path, n + 1, f);
				exit(2);
			}
		}
		n++;
	}
	if (n == 0)
		dief("the request file has no request");
	*nreq = n;
	return rq;
}

/* Copy the file from to the file to (for /proc files: no size known). */
static void
copyfile(const char *from, const char *to)
{
	char	 b[8192];
	size_t	 n;
	FILE	*i, *o;

	if ((i = fopen(from, "r")) == NULL || (o = fopen(to, "w")) == NULL)
		die(to);
	while ((n = fread(b, 1, sizeof(b), i)) > 0)
		if (fwrite(b, 1, n, o) != n)
			die(to);
	fclose(i);
	if (fclose(o) != 0)
		die(to);
}

/*
 * Print "COUNT VmRSS VmHWM RssAnon RssFile Pss" of pid (kB), from
 * /proc/PID/status and /proc/PID/smaps_rollup.
 */
static void
memline(pid_t pid, int count)
{
	char	 path[64], line[256];
	long	 rss = -1, hwm = -1, anon = -1, file = -1, pss = -1;
	FILE	*f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		die(path);
	while (fgets(line, sizeof(line), f) != NULL) {
		(void)(sscanf(line, "VmRSS: %ld", &rss) == 1 ||
		    sscanf(line, "VmHWM: %ld", &hwm) == 1 ||
		    sscanf(line, "RssAnon: %ld", &anon) == 1 ||
		    sscanf(line, "RssFile: %ld", &file) == 1);
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%ld/smaps_rollup", (long)pid);
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "Pss: %ld", &pss) == 1)
				break;
		fclose(f);
	}
	printf("%d %ld %ld %ld %ld %ld\n", count, rss, hwm, anon, file, pss);
	fflush(stdout);
}

/*
 * Wait (up to 10 s) until pid is blocked in accept(2) again, that is back
 * in FCGX_Accept_r after the last answer. A program that blocks its stop
 * signals while it serves a request (mcpgate's app.c does) and gets
 * SIGTERM before it is back would end without entering FCGX_Accept_r
 * once more, and callgrind's --dump-before=FCGX_Accept_r would then fold
 * the last request into the final dump. /proc/PID/syscall names the
 * system call a blocked process is in (43 accept, 288 accept4 on
 * x86-64); where it cannot be read, wait 200 ms instead.
 */
static void
back_in_accept(pid_t pid)
{
	char	 path[64], line[128];
	FILE	*f;
	int	 i, nr;

	snprintf(path, sizeof(path), "/proc/%ld/syscall", (long)pid);
	for (i = 0; i < 1000; i++) {
		if ((f = fopen(path, "r")) == NULL) {
			usleep(200000);
			return;
		}
		nr = -1;
		if (fgets(line, sizeof(line), f) != NULL && sscanf(line, "%d", &nr) != 1)
			nr = -1;
		fclose(f);
		if (nr == 43 || nr == 288)
			return;
		usleep(10000);
	}
}

static int
in_list(const char *list, int n)
{
	const char	*p = list;
	char		*end;
	long		 v;

	while (list != NULL && *p != '\0') {
		v = strtol(p, &end, 10);
		if (end == p)
			dief("-m: a comma-separated list of request counts");
		if (v == n)
			return 1;
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un	 sun;
	static unsigned char	 params[PARAMS_MAX];
	static char		 out[1 << 20];
	unsigned char		 h[8], begin[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };
	char			*env, *defbody, *line, *eq, cl[32], want[32];
	const char		*expect = getenv("FCGI_DRIVE_EXPECT");
	const char		*reqfile = NULL, *memlist = NULL, *body;
	struct kv		*base = NULL, *kv = NULL;
	struct request		*rq = NULL, one;
	size_t			 envlen, defbodylen, bodylen, nbase = 0, nkv, nreq = 1;
	size_t			 plen, outlen, clen, off, j;
	int			 ls, fd, n, i, c, bad = 0, status, shown = 0, wait10;
	pid_t			 pid;

	while ((c = getopt(argc, argv, "+r:m:")) != -1)
		switch (c) {
		case 'r': reqfile = optarg; break;
		case 'm': memlist = optarg; break;
		default: goto usage;
		}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 7 || strcmp(argv[5], "--") != 0) {
usage:
		fprintf(stderr, "usage: fcgi-drive [-r REQFILE] [-m COUNTS] SOCKET N ENVFILE BODYFILE -- PROGRAM [ARG...]\n");
		return 2;
	}
	n = atoi(argv[2]);
	snprintf(want, sizeof(want), "Status: %s", expect != NULL ? expect : "200");
	env = slurp(argv[3], &envlen);
	defbody = slurp(argv[4], &defbodylen);

	for (line = strtok(env, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		if ((eq = strchr(line, '=')) == NULL)
			continue;
		kv_set(&base, &nbase, line, (size_t)(eq - line), eq + 1, strlen(eq + 1));
	}
	if (reqfile != NULL)
		rq = read_requests(reqfile, &nreq);
	else {
		memset(&one, 0, sizeof(one));
		rq = &one;
	}

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(argv[1]) >= sizeof(sun.sun_path))
		dief("socket path too long");
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
		const struct request *q = &rq[(size_t)i % nreq];

		/* ENVFILE's parameters, then the line's (which replace them) */
		nkv = 0;
		kv = xrealloc(kv, (nbase + q->nkv + 1) * sizeof(*kv));
		for (j = 0; j < nbase; j++)
			kv[nkv++] = base[j];
		for (j = 0; j < q->nkv; j++)
			kv_set(&kv, &nkv, q->kv[j].k, q->kv[j].kl, q->kv[j].v, q->kv[j].vl);
		body = q->body != NULL ? q->body : defbody;
		bodylen = q->body != NULL ? q->bodylen : defbodylen;
		snprintf(cl, sizeof(cl), "%zu", bodylen);
		kv_set(&kv, &nkv, "CONTENT_LENGTH", 14, cl, strlen(cl));
		plen = 0;
		for (j = 0; j < nkv; j++) {
			if (plen + kv[j].kl + kv[j].vl + 8 > sizeof(params))
				dief("parameters too long");
			plen += pair(params + plen, kv[j].k, kv[j].kl, kv[j].v, kv[j].vl);
		}

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
				kill(pid, SIGKILL);
				return 1;
			}
			clen = ((size_t)h[4] << 8) | h[5];
			if (clen + h[6] > sizeof(out) - outlen - 1)
				dief("answer too long");
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
		    strncmp(out, want, strlen(want)) != 0 : strcmp(want, "Status: 200") != 0) {
			if (bad++ == 0 && i > 0)
				fprintf(stderr, "fcgi-drive: request %d, the first unexpected answer:\n%s\n",
				    i + 1, out);
		}
		if (i == 0 && !shown++)
			fprintf(stderr, "%s\n", out);
		if (memlist != NULL && in_list(memlist, i + 1)) {
			memline(pid, i + 1);
			if (i + 1 == n && getenv("FCGI_DRIVE_SMAPS") != NULL) {
				char path[64];

				snprintf(path, sizeof(path), "/proc/%ld/smaps", (long)pid);
				copyfile(path, getenv("FCGI_DRIVE_SMAPS"));
			}
		}
	}
	/*
	 * libfcgi ends its accept loop on SIGTERM, unless the signal comes
	 * before it is back in accept(2) (it only looks at the flag on
	 * EINTR): then the program stays blocked. Give it 5 s (or
	 * FCGI_DRIVE_WAIT seconds: memcheck's leak check at exit takes
	 * longer), then kill it; callers that need a profile of every request
	 * use callgrind's --dump-before=FCGX_Accept_r, which does not depend
	 * on the exit.
	 */
	wait10 = getenv("FCGI_DRIVE_WAIT") != NULL ? 10 * atoi(getenv("FCGI_DRIVE_WAIT")) : 50;
	back_in_accept(pid);
	kill(pid, SIGTERM);
	for (i = 0; i < wait10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(100000);
	}
	if (i == wait10) {
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
