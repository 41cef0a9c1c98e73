/*
 * valid.c: validators (see valid.h).  No atoi, no bare strtol: numbers
 * are digits only, range-checked without overflow (style(9): "Numerical
 * arguments should be checked for accuracy").
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include "valid.h"

/*
 * A decimal number in [min, max]: one or more ASCII digits and nothing
 * else (no sign, no space, no hex).  CONTENT_LENGTH and configuration
 * values go through here.
 */
int
valid_uint(const char *s, size_t len, unsigned long long min,
    unsigned long long max, unsigned long long *out)
{
	unsigned long long	v = 0;
	unsigned		d;
	size_t			i;

	if (len == 0 || len > 20)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		d = (unsigned)(s[i] - '0');
		if (v > (ULLONG_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return 0;
	*out = v;
	return 1;
}

/*
 * A duration in seconds within [min, max]: digits with an optional unit,
 * s (seconds), m (minutes), h (hours) or d (days): "600", "10m", "30d".
 */
int
valid_duration(const char *s, size_t len, long long min, long long max,
    long long *out)
{
	unsigned long long	v, mult = 1;

	if (len == 0)
		return 0;
	switch (s[len - 1]) {
	case 's':
		mult = 1;
		len--;
		break;
	case 'm':
		mult = 60;
		len--;
		break;
	case 'h':
		mult = 3600;
		len--;
		break;
	case 'd':
		mult = 86400;
		len--;
		break;
	default:
		break;
	}
	if (!valid_uint(s, len, 0, (unsigned long long)max, &v))
		return 0;
	if (v > (unsigned long long)max / mult)
		return 0;
	v *= mult;
	if ((long long)v < min || (long long)v > max)
		return 0;
	*out = (long long)v;
	return 1;
}

/*
 * Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
 * above U+10FFFF, and no NUL.
 */
int
valid_utf8(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n, k;
	unsigned long		 cp;

	while (i < len) {
		if (p[i] == 0)
			return 0;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf) {
			n = 1;
			cp = p[i] & 0x1f;
		} else if (p[i] >= 0xe0 && p[i] <= 0xef) {
			n = 2;
			cp = p[i] & 0x0f;
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
			n = 3;
			cp = p[i] & 0x07;
		} else
			return 0;
		if (len - i <= n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/*
 * Text a person typed or a client sent as a display value: valid UTF-8
 * without control characters other than tab, CR and LF.
 */
int
valid_text(const char *s, size_t len)
{
	size_t	i;

	if (!valid_utf8(s, len))
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') ||
		    c == 0x7f)
			return 0;
	}
	return 1;
}

/*
 * One scope token: 1*( %x21 / %x23-5B / %x5D-7E ) (RFC 6749 §3.3,
 * SPEC RS-08), so never a space, a double quote or a backslash.
 */
int
valid_scope_token(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > 128)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x21 || c > 0x7e || c == '"' || c == '\\')
			return 0;
	}
	return 1;
}

/*
 * A scope value as it is published and stored: tokens separated by
 * single spaces, no leading or trailing space, no repeated token.
 * The empty list is valid (the caller decides what it means).
 */
int
valid_scope_list(const char *s, size_t len)
{
	size_t	i = 0, j, start, tl;

	while (i < len) {
		start = i;
		while (i < len && s[i] != ' ')
			i++;
		tl = i - start;
		if (!valid_scope_token(s + start, tl))
			return 0;
		/* repeated token? look back over the earlier ones */
		for (j = 0; j < start;) {
			size_t js = j;
			while (j < start && s[j] != ' ')
				j++;
			if (j - js == tl && memcmp(s + js, s + start, tl) == 0)
				return 0;
			j++;
		}
		if (i < len) {
			i++;		/* the separator */
			if (i == len)
				return 0;	/* trailing space */
		}
	}
	return 1;
}
