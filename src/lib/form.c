/*
 * form.c: form and query decoding (see form.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "secret.h"
#include "valid.h"
#include "xmalloc.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode one form component s[0..len): '+' is a space, %XX a byte.
 * Returns 0 with *out (NUL-terminated, the caller frees) and *outlen, or
 * -1 for a broken escape, a NUL byte or invalid UTF-8.
 */
int
form_decode(const char *s, size_t len, char **out, size_t *outlen)
{
	char	*p = xmalloc(len + 1);
	size_t	 i, o = 0;
	int	 hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '+')
			p[o++] = ' ';
		else if (s[i] == '%') {
			if (len - i < 3 || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				goto bad;
			p[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			p[o++] = s[i];
	}
	p[o] = '\0';
	if (!valid_utf8(p, o))	/* also refuses NUL */
		goto bad;
	*out = p;
	*outlen = o;
	return 0;
bad:
	free(p);
	return -1;
}

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((__format__(__printf__, 3, 4)));

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/*
 * Decode s[0..len) into out[0..nspec), one slot per declared field.
 * Returns 0, or -1 with a message fit for the client in err (it names the
 * field, never echoes a value).  out is zeroed first and always released
 * with form_free(), whatever the result.
 */
int
form_parse(const char *s, size_t len, const struct field_spec *spec,
    size_t nspec, struct field *out, char *err, size_t errsz)
{
	const char	*p = s, *end = s + len, *amp, *eq;
	char		*name, *val;
	size_t		 namelen, vallen, i, pairs = 0, max;

	memset(out, 0, nspec * sizeof(*out));
	if (memchr(s, '\0', len) != NULL) {
		seterr(err, errsz, "the form contains a NUL byte");
		return -1;
	}
	for (; p < end; p = amp == end ? end : amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p)
			continue;		/* "a=1&&b=2" */
		if (++pairs > FORM_MAXPAIRS) {
			seterr(err, errsz, "more than %d parameters",
			    FORM_MAXPAIRS);
			return -1;
		}
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		if (form_decode(p, (size_t)(eq - p), &name, &namelen) == -1) {
			seterr(err, errsz, "a parameter name is not valid "
			    "percent-encoded UTF-8");
			return -1;
		}
		for (i = 0; i < nspec; i++)
			if (strcmp(spec[i].name, name) == 0)
				break;
		free(name);
		if (i == nspec)
			continue;		/* undeclared: dropped */
		if (out[i].val != NULL) {
			seterr(err, errsz, "parameter %s: repeated",
			    spec[i].name);
			return -1;
		}
		if (form_decode(eq == amp ? eq : eq + 1,
		    eq == amp ? 0 : (size_t)(amp - eq - 1), &val, &vallen) == -1) {
			seterr(err, errsz, "parameter %s: not valid "
			    "percent-encoded UTF-8", spec[i].name);
			return -1;
		}
		out[i].val = val;
		out[i].len = vallen;
		max = spec[i].maxlen ? spec[i].maxlen : FORM_MAXLEN;
		if (vallen > max) {
			seterr(err, errsz, "parameter %s: longer than %zu bytes",
			    spec[i].name, max);
			return -1;
		}
		if (spec[i].valid != NULL && !spec[i].valid(&out[i])) {
			seterr(err, errsz, "parameter %s: invalid value",
			    spec[i].name);
			return -1;
		}
	}
	return 0;
}

void
form_free(struct field *f, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (f[i].val != NULL)
			secret_wipe(f[i].val, f[i].len);	/* passwords, codes */
		free(f[i].val);
		f[i].val = NULL;
		f[i].len = 0;
	}
}
