/*
 * jschema.c: the JSON Schema subset of jschema.h over cJSON trees.
 *
 * Two walks share one context.  vschema() goes over a schema and checks
 * every keyword's value; check() goes over a value and applies, at each
 * level, the keywords of the schema that governs it.  jschema_check()
 * runs the first before the second, so check() only ever meets keywords
 * it knows, with values of the right type, and never has to decide what
 * to do with a constraint it cannot enforce.
 *
 * check() walks the whole value even where the schema says nothing (a
 * true schema, an absent items): the bounds on depth, size and numbers
 * hold for everything that reaches a tool, not only for the parts a site
 * owner thought to describe.
 *
 * Both walks keep the path to the current place as a stack of segments
 * that is formatted only when a problem is reported: a valid call pays
 * nothing for messages.  The first problem ends the walk.
 *
 * No libm: the build links none, and the few operations needed (is a
 * double integral, the remainder of two doubles) are done exactly below.
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jschema.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Steps (member look-ups and node comparisons for enum, const,
 * uniqueItems; keywords read) allowed per walk.  A million steps is a few
 * milliseconds; ordinary tool calls use a few hundred.  uniqueItems over
 * about 1400 items is the first ordinary thing to hit it.
 */
#define MAXWORK		1000000
#define NAMEMAX		32	/* bytes of a member name quoted in a message */
#define STRSTEP		64	/* string bytes compared per step */
/* 2^52: every double of at least this magnitude is an integer */
#define TWO52		4503599627370496.0

/* The keywords of the subset: a schema may use these and nothing else. */
enum kw {
	KW_TYPE,
	KW_ENUM,
	KW_CONST,
	KW_PROPERTIES,
	KW_REQUIRED,
	KW_ADDITIONALPROPERTIES,
	KW_MINLENGTH,
	KW_MAXLENGTH,
	KW_MINIMUM,
	KW_MAXIMUM,
	KW_EXCLUSIVEMINIMUM,
	KW_EXCLUSIVEMAXIMUM,
	KW_MULTIPLEOF,
	KW_ITEMS,
	KW_MINITEMS,
	KW_MAXITEMS,
	KW_UNIQUEITEMS,
	KW__MAX
};

static const char *const kwnames[] = {
	[KW_TYPE]			= "type",
	[KW_ENUM]			= "enum",
	[KW_CONST]			= "const",
	[KW_PROPERTIES]			= "properties",
	[KW_REQUIRED]			= "required",
	[KW_ADDITIONALPROPERTIES]	= "additionalProperties",
	[KW_MINLENGTH]			= "minLength",
	[KW_MAXLENGTH]			= "maxLength",
	[KW_MINIMUM]			= "minimum",
	[KW_MAXIMUM]			= "maximum",
	[KW_EXCLUSIVEMINIMUM]		= "exclusiveMinimum",
	[KW_EXCLUSIVEMAXIMUM]		= "exclusiveMaximum",
	[KW_MULTIPLEOF]			= "multipleOf",
	[KW_ITEMS]			= "items",
	[KW_MINITEMS]			= "minItems",
	[KW_MAXITEMS]			= "maxItems",
	[KW_UNIQUEITEMS]		= "uniqueItems",
};
_Static_assert(nitems(kwnames) == KW__MAX, "kwnames[] and enum kw differ");

/*
 * Annotations: they describe and never constrain (draft 2020-12
 * meta-data and core vocabularies), so ignoring them loses nothing.
 * Their values are not even looked at.
 */
static const char *const annotations[] = {
	"title", "description", "default", "examples", "$schema", "$id",
	"$comment", "deprecated", "readOnly", "writeOnly",
};

/* The values of "type", in the order messages list them. */
enum jtype {
	JT_OBJECT,
	JT_ARRAY,
	JT_STRING,
	JT_NUMBER,
	JT_INTEGER,
	JT_BOOLEAN,
	JT_NULL,
	JT__MAX
};

static const struct {
	const char	*name;		/* as written in a schema */
	const char	*phrase;	/* as said in a message */
} jtypes[] = {
	[JT_OBJECT]	= { "object", "an object" },
	[JT_ARRAY]	= { "array", "an array" },
	[JT_STRING]	= { "string", "a string" },
	[JT_NUMBER]	= { "number", "a number" },
	[JT_INTEGER]	= { "integer", "an integer" },
	[JT_BOOLEAN]	= { "boolean", "a boolean" },
	[JT_NULL]	= { "null", "null" },
};
_Static_assert(nitems(jtypes) == JT__MAX, "jtypes[] and enum jtype differ");

#define TBIT(t)		(1u << (t))

/* One step of the path: a member name, or (name NULL) an array index. */
struct seg {
	const char	*name;
	size_t		 idx;
};

struct ctx {
	char		*err;
	size_t		 errsz;
	int		 schema;	/* paths are JSON Pointers (a schema) */
	int		 over;		/* the work budget ran out */
	size_t		 nodes;		/* values or schema nodes seen */
	size_t		 work;		/* steps, against MAXWORK */
	size_t		 nseg;
	/* a schema level takes two segments ("properties", name) */
	struct seg	 seg[2 * (JSCHEMA_MAXDEPTH + 2)];
};

/* A bounded string under construction; it never overflows its buffer. */
struct out {
	char		*p;
	size_t		 sz;
	size_t		 len;
};

static int	check(struct ctx *, const cJSON *, const cJSON *, size_t);
static int	vschema(struct ctx *, const cJSON *, size_t);

static void
ctx_init(struct ctx *c, char *err, size_t errsz, int schema)
{
	memset(c, 0, sizeof(*c));
	c->err = err;
	c->errsz = err == NULL ? 0 : errsz;
	c->schema = schema;
	if (c->errsz > 0)
		c->err[0] = '\0';
}

/*
 * The stack never holds more than the depth bounds allow, but should it,
 * the extra segments are counted and left out of messages rather than
 * written past the array.
 */
static void
push(struct ctx *c, const char *name, size_t idx)
{
	if (c->nseg < nitems(c->seg)) {
		c->seg[c->nseg].name = name;
		c->seg[c->nseg].idx = idx;
	}
	c->nseg++;
}

static void
pop(struct ctx *c)
{
	c->nseg--;
}

/* Charge n steps; 1 while within MAXWORK, 0 (and c->over) past it. */
static int
charge(struct ctx *c, size_t n)
{
	if (c->over || n > MAXWORK - c->work) {
		c->over = 1;
		return 0;
	}
	c->work += n;
	return 1;
}

static void
out_add(struct out *o, const char *s, size_t n)
{
	size_t	room;

	if (o->sz == 0)
		return;
	room = o->sz - 1 - o->len;
	if (n > room)
		n = room;
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

/*
 * Drop a UTF-8 sequence cut short by the end of the buffer: the message
 * ends up in a JSON string, which must stay valid UTF-8.
 */
static void
out_trim(struct out *o)
{
	size_t		i = o->len, need;
	unsigned char	ch;

	while (i > 0 && o->len - i < 3 &&
	    ((unsigned char)o->p[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0)
		return;
	ch = (unsigned char)o->p[i - 1];
	need = ch >= 0xf0 ? 4 : ch >= 0xe0 ? 3 : ch >= 0xc0 ? 2 : 1;
	if (o->len - (i - 1) < need) {
		o->len = i - 1;
		o->p[o->len] = '\0';
	}
}

/*
 * A member name as quoted in a message: at most NAMEMAX bytes, cut at a
 * character boundary and marked "...", control characters as \u00XX (a
 * name may hold a newline), and in a JSON Pointer ~ and / as ~0 and ~1
 * (RFC 6901 §3), else " and \ escaped as in JSON.
 */
static void
out_name(struct out *o, const char *s, int pointer)
{
	char		esc[8];
	size_t		i, n, cut;
	unsigned char	ch;

	if (s == NULL)
		s = "";
	for (n = 0; n <= NAMEMAX && s[n] != '\0'; n++)
		continue;
	cut = n;
	if (n > NAMEMAX) {
		cut = NAMEMAX;
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
	}
	for (i = 0; i < cut; i++) {
		ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", ch);
			out_add(o, esc, 6);
		} else if (pointer && ch == '~')
			out_add(o, "~0", 2);
		else if (pointer && ch == '/')
			out_add(o, "~1", 2);
		else if (!pointer && (ch == '"' || ch == '\\')) {
			esc[0] = '\\';
			esc[1] = (char)ch;
			out_add(o, esc, 2);
		} else
			out_add(o, s + i, 1);
	}
	if (cut < n)
		out_add(o, "...", 3);
}

/* Whether name can follow a dot in a path ($.limit) unquoted. */
static int
is_ident(const char *s)
{
	size_t	i;

	if (s == NULL || !(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z') ||
	    (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (i >= NAMEMAX || !(s[i] == '_' ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

/*
 * Segment i of the path: [2] or .name or ["odd name"] in a value, /name
 * in a schema.  bare leaves out the dot, after the "$.." of a shortened
 * path.
 */
static void
out_seg(const struct ctx *c, struct out *o, size_t i, int bare)
{
	const struct seg	*s = &c->seg[i];
	char			 num[32];

	if (s->name == NULL) {
		snprintf(num, sizeof(num), c->schema ? "/%zu" : "[%zu]",
		    s->idx);
		out_add(o, num, strlen(num));
	} else if (c->schema) {
		out_add(o, "/", 1);
		out_name(o, s->name, 1);
	} else if (is_ident(s->name)) {
		if (!bare)
			out_add(o, ".", 1);
		out_add(o, s->name, strlen(s->name));
	} else {
		out_add(o, "[\"", 2);
		out_name(o, s->name, 0);
		out_add(o, "\"]", 2);
	}
}

/*
 * Put "path: msg" in err.  A path too long to leave room for the message
 * (sixteen levels of long names would fill any buffer) loses its first
 * segments, which matter least: "$..c.d" (JSONPath for "a c somewhere
 * below, then d") or "#/.../c/d".  The message itself is cut last.
 */
static void
report(struct ctx *c, const char *msg)
{
	struct out	 o = { c->err, c->errsz, 0 }, t;
	char		 tmp[256];
	size_t		 len[nitems(c->seg)], n, i, first, used, total = 1;
	size_t		 budget, ml = strlen(msg);

	n = c->nseg < nitems(c->seg) ? c->nseg : nitems(c->seg);
	for (i = 0; i < n; i++) {
		t.p = tmp;
		t.sz = sizeof(tmp);
		t.len = 0;
		out_seg(c, &t, i, 0);
		total += len[i] = t.len;
	}
	/* the place matters more than the end of the message: keep 40 */
	budget = c->errsz > ml + 3 + 40 ? c->errsz - ml - 3 : 40;
	first = 0;
	if (total > budget) {
		used = 5;	/* root, elision mark */
		for (first = n; first > 0 && used + len[first - 1] <= budget;
		    first--)
			used += len[first - 1];
		if (first == n && n > 0)
			first = n - 1;	/* the last one, whatever it costs */
	}
	out_add(&o, c->schema ? "#" : "$", 1);
	if (first > 0)
		out_add(&o, c->schema ? "/..." : "..", c->schema ? 4 : 2);
	for (i = first; i < n; i++)
		out_seg(c, &o, i, first > 0 && i == first);
	out_add(&o, ": ", 2);
	out_add(&o, msg, ml);
	out_trim(&o);
}

static int	fail(struct ctx *, const char *, ...)
		    __attribute__((__format__(__printf__, 2, 3)));

/* Report "path: message".  Returns 0, so callers can return fail(…). */
static int
fail(struct ctx *c, const char *fmt, ...)
{
	char	msg[160];
	va_list	ap;

	if (c->errsz == 0)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report(c, msg);
	return 0;
}

/* Report "path: before<name>after", the name quoted by out_name(). */
static int
fail_name(struct ctx *c, const char *before, const char *name,
    const char *after)
{
	char		msg[256];
	struct out	o = { msg, sizeof(msg), 0 };

	if (c->errsz == 0)
		return 0;
	msg[0] = '\0';
	out_add(&o, before, strlen(before));
	out_name(&o, name, 0);
	out_add(&o, after, strlen(after));
	report(c, msg);
	return 0;
}

static int
fail_costly(struct ctx *c)
{
	return fail(c, "too large to check");
}

static double
dabs(double d)
{
	return d < 0 ? -d : d;
}

/* Whether d is finite with no fractional part (1.0 is, 1.5 is not). */
static int
is_integral(double d)
{
	if (!isfinite(d))
		return 0;
	if (dabs(d) >= TWO52)
		return 1;
	/* in range of long long, so the conversion is defined */
	return (double)(long long)d == d;
}

/*
 * d for a message: the shortest of %.15g..%.17g that reads back as d, so
 * a schema's 0.1 prints as 0.1 and not 0.10000000000000001.
 */
static const char *
fmtnum(char *buf, size_t sz, double d)
{
	int	prec;

	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, sz, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return buf;
}

/*
 * Whether d is a multiple of m (m > 0, both finite).  The remainder of
 * the two doubles is found exactly by shifted subtraction: t runs down
 * from the largest m * 2^k not above |d| to m, and each r - t with
 * t <= r < 2t is exact (Sterbenz).  At most about 2100 steps, however
 * far apart the exponents.
 *
 * For an integral m the exact answer is the answer.  A fractional m
 * such as 0.01 is not what the author wrote but the nearest double, and
 * so is d: 0.3 / 0.1 leaves a remainder just below 0.1.  Those errors are
 * at most about |d| * 2^-52, so a remainder that close to 0 or to m is
 * taken as none.  Beyond 2^52 / m every such d passes: doubles cannot
 * tell there.
 */
static int
is_multiple(double d, double m)
{
	double	r = dabs(d), t = m, eps;

	while (t <= r / 2)
		t *= 2;
	for (; t >= m; t /= 2)
		if (r >= t)
			r -= t;
	if (r == 0)
		return 1;
	if (is_integral(m))
		return 0;
	eps = dabs(d) * 4 * DBL_EPSILON;
	return r <= eps || m - r <= eps;
}

/* Unicode code points in a UTF-8 string: bytes that do not continue one. */
static size_t
codepoints(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * The member name of obj, or NULL when absent or the budget ran out
 * (c->over tells which).  Linear, like cJSON's own look-up, but charged.
 */
static const cJSON *
member(struct ctx *c, const cJSON *obj, const char *name)
{
	const cJSON	*m;

	for (m = obj->child; m != NULL; m = m->next) {
		if (!charge(c, 1))
			return NULL;
		if (m->string != NULL && strcmp(m->string, name) == 0)
			return m;
	}
	return NULL;
}

static int	equal(struct ctx *, const cJSON *, const cJSON *);

/* Whether every member of a has a member of b by that name, equal to it. */
static int
contains(struct ctx *c, const cJSON *a, const cJSON *b)
{
	const cJSON	*x, *y;

	for (x = a->child; x != NULL; x = x->next)
		if ((y = member(c, b, x->string != NULL ? x->string : "")) ==
		    NULL || !equal(c, x, y))
			return 0;
	return 1;
}

/*
 * Structural equality as JSON Schema defines it (draft 2020-12 core
 * §4.2.2): same type; numbers by value, so 1 and 1.0 are equal; strings
 * byte for byte; arrays item by item; objects by member, in any order.
 * 0 also when the budget runs out (c->over).  The recursion goes no
 * deeper than the shallower of a and b, and one of them is always a
 * schema literal or an already checked value, both bounded in depth.
 */
static int
equal(struct ctx *c, const cJSON *a, const cJSON *b)
{
	const cJSON	*x, *y;
	const char	*p, *q;
	size_t		 i;

	if (!charge(c, 1) || (a->type & 0xff) != (b->type & 0xff))
		return 0;
	switch (a->type & 0xff) {
	case cJSON_False:
	case cJSON_True:
	case cJSON_NULL:
		return 1;
	case cJSON_Number:
		return a->valuedouble == b->valuedouble;
	case cJSON_String:
		p = a->valuestring;
		q = b->valuestring;
		if (p == NULL || q == NULL)
			return 0;
		/* long strings cost in proportion to their length */
		for (i = 1; p[i - 1] == q[i - 1]; i++) {
			if (p[i - 1] == '\0')
				return 1;
			if (i % STRSTEP == 0 && !charge(c, 1))
				return 0;
		}
		return 0;
	case cJSON_Array:
		for (x = a->child, y = b->child; x != NULL && y != NULL;
		    x = x->next, y = y->next)
			if (!equal(c, x, y))
				return 0;
		return x == NULL && y == NULL;
	case cJSON_Object:
		/* both ways, so that neither has a member the other lacks */
		return contains(c, a, b) && contains(c, b, a);
	default:
		return 0;	/* cJSON_Raw, cJSON_Invalid: never equal */
	}
}

/*
 * Fill kw[] with the keywords of the schema s (NULL where absent; all
 * NULL for a boolean schema or none).  Returns NULL, or the member of s
 * that is not a keyword of the subset (*repeated 0) or repeats one
 * (*repeated 1: two parsers may disagree on which one counts).
 */
static const cJSON *
load(struct ctx *c, const cJSON *s, const cJSON *kw[KW__MAX], int *repeated)
{
	const cJSON	*m;
	size_t		 i;

	for (i = 0; i < KW__MAX; i++)
		kw[i] = NULL;
	*repeated = 0;
	if (!cJSON_IsObject(s))
		return NULL;
	for (m = s->child; m != NULL; m = m->next) {
		(void)charge(c, 1);
		if (m->string == NULL)
			return m;
		for (i = 0; i < KW__MAX; i++)
			if (strcmp(m->string, kwnames[i]) == 0)
				break;
		if (i < KW__MAX) {
			if (kw[i] != NULL) {
				*repeated = 1;
				return m;
			}
			kw[i] = m;
			continue;
		}
		for (i = 0; i < nitems(annotations); i++)
			if (strcmp(m->string, annotations[i]) == 0)
				break;
		if (i == nitems(annotations))
			return m;
	}
	return NULL;
}

/* The JT_* bits of a schema's "type" (string or array of strings); 0 if bad. */
static unsigned
typemask(const cJSON *t)
{
	const cJSON	*e;
	unsigned	 mask = 0, bit;
	size_t		 i;

	for (e = cJSON_IsArray(t) ? t->child : t; e != NULL;
	    e = cJSON_IsArray(t) ? e->next : NULL) {
		if (!cJSON_IsString(e) || e->valuestring == NULL)
			return 0;
		for (i = 0; i < JT__MAX; i++)
			if (strcmp(e->valuestring, jtypes[i].name) == 0)
				break;
		if (i == JT__MAX)
			return 0;
		bit = TBIT(i);
		if (mask & bit)
			return 0;	/* 2020-12 §6.1.1: MUST be unique */
		mask |= bit;
	}
	return mask;
}

/* The JT_* bits that describe v: 1.0 is a number and an integer. */
static unsigned
valuetype(const cJSON *v)
{
	switch (v->type & 0xff) {
	case cJSON_NULL:
		return TBIT(JT_NULL);
	case cJSON_False:
	case cJSON_True:
		return TBIT(JT_BOOLEAN);
	case cJSON_Number:
		return TBIT(JT_NUMBER) |
		    (is_integral(v->valuedouble) ? TBIT(JT_INTEGER) : 0);
	case cJSON_String:
		return v->valuestring != NULL ? TBIT(JT_STRING) : 0;
	case cJSON_Array:
		return TBIT(JT_ARRAY);
	case cJSON_Object:
		return TBIT(JT_OBJECT);
	default:
		return 0;
	}
}

/*
 * A value held in a schema (const, an enum item): any JSON, within the
 * same depth and size bounds as a checked value, numbers finite.
 */
static int
vliteral(struct ctx *c, const cJSON *v, size_t depth)
{
	const cJSON	*e;
	unsigned	 t;

	if (++c->nodes > JSCHEMA_MAXNODES)
		return fail(c, "schema too large (more than %d nodes)",
		    JSCHEMA_MAXNODES);
	if ((t = valuetype(v)) == 0)
		return fail(c, "not a JSON value");
	if ((t & TBIT(JT_NUMBER)) && !isfinite(v->valuedouble))
		return fail(c, "number out of range");
	if ((t & (TBIT(JT_ARRAY) | TBIT(JT_OBJECT))) == 0)
		return 1;
	if (depth >= JSCHEMA_MAXDEPTH)
		return fail(c, "value nested deeper than %d levels",
		    JSCHEMA_MAXDEPTH);
	for (e = v->child; e != NULL; e = e->next)
		if (!vliteral(c, e, depth + 1))
			return 0;
	return 1;
}

/* The value of keyword k, the current segment of the path. */
static int
vkeyword(struct ctx *c, enum kw k, const cJSON *v, size_t depth)
{
	const cJSON	*e, *f;
	size_t		 i;

	switch (k) {
	case KW_TYPE:
		if (typemask(v) == 0)
			return fail(c, "must be one of object, array, string, "
			    "number, integer, boolean, null, or a non-empty "
			    "array of them without repeats");
		return 1;
	case KW_ENUM:
		if (!cJSON_IsArray(v))
			return fail(c, "must be an array");
		for (e = v->child, i = 0; e != NULL; e = e->next, i++) {
			push(c, NULL, i);
			if (!vliteral(c, e, 0))
				return 0;
			pop(c);
		}
		return 1;
	case KW_CONST:
		return vliteral(c, v, 0);
	case KW_PROPERTIES:
		if (!cJSON_IsObject(v))
			return fail(c, "must be an object");
		for (e = v->child; e != NULL; e = e->next) {
			push(c, e->string, 0);
			if (!vschema(c, e, depth + 1))
				return 0;
			pop(c);
		}
		return 1;
	case KW_REQUIRED:
		if (!cJSON_IsArray(v))
			return fail(c, "must be an array of strings");
		for (e = v->child; e != NULL; e = e->next) {
			if (++c->nodes > JSCHEMA_MAXNODES)
				return fail(c, "schema too large (more than "
				    "%d nodes)", JSCHEMA_MAXNODES);
			if (!cJSON_IsString(e) || e->valuestring == NULL)
				return fail(c, "must be an array of strings");
			/* 2020-12 §6.5.3: the names MUST be unique */
			for (f = v->child; f != e; f = f->next) {
				if (!charge(c, 1))
					return fail(c, "schema too large to "
					    "check");
				if (strcmp(f->valuestring, e->valuestring) == 0)
					return fail_name(c, "\"",
					    e->valuestring, "\" listed twice");
			}
		}
		return 1;
	case KW_ADDITIONALPROPERTIES:
		return vschema(c, v, depth + 1);
	case KW_ITEMS:
		/* draft 2019-09's array form is prefixItems in 2020-12 */
		if (cJSON_IsArray(v))
			return fail(c, "must be a schema (the array form is "
			    "not supported)");
		return vschema(c, v, depth + 1);
	case KW_MINLENGTH:
	case KW_MAXLENGTH:
	case KW_MINITEMS:
	case KW_MAXITEMS:
		if (!cJSON_IsNumber(v) || !is_integral(v->valuedouble) ||
		    v->valuedouble < 0)
			return fail(c, "must be a non-negative integer");
		return 1;
	case KW_MINIMUM:
	case KW_MAXIMUM:
	case KW_EXCLUSIVEMINIMUM:
	case KW_EXCLUSIVEMAXIMUM:
		/* draft 4's boolean modifier: say what 2020-12 wants instead */
		if (cJSON_IsBool(v) && (k == KW_EXCLUSIVEMINIMUM ||
		    k == KW_EXCLUSIVEMAXIMUM))
			return fail(c, "must be a number (the bound itself, as "
			    "in draft 2020-12), not a boolean");
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
			return fail(c, "must be a number");
		return 1;
	case KW_MULTIPLEOF:
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
		    v->valuedouble <= 0)
			return fail(c, "must be a number greater than 0");
		return 1;
	case KW_UNIQUEITEMS:
		if (!cJSON_IsBool(v))
			return fail(c, "must be a boolean");
		return 1;
	case KW__MAX:
	default:
		abort();
	}
}

/*
 * Whether s is a schema of the subset, depth levels below the root
 * (each properties member, additionalProperties and items is a level).
 */
static int
vschema(struct ctx *c, const cJSON *s, size_t depth)
{
	const cJSON	*kw[KW__MAX], *bad;
	size_t		 i;
	int		 repeated, rc;

	if (depth > JSCHEMA_MAXDEPTH)
		return fail(c, "schema nested deeper than %d levels",
		    JSCHEMA_MAXDEPTH);
	if (++c->nodes > JSCHEMA_MAXNODES)
		return fail(c, "schema too large (more than %d nodes)",
		    JSCHEMA_MAXNODES);
	if (cJSON_IsBool(s))
		return 1;
	if (!cJSON_IsObject(s))
		return fail(c, "a schema must be an object or a boolean");
	if ((bad = load(c, s, kw, &repeated)) != NULL)
		return fail_name(c, repeated ? "repeated keyword \"" :
		    "unsupported keyword \"", bad->string, "\"");
	if (c->over)
		return fail(c, "schema too large to check");
	for (i = 0; i < KW__MAX; i++) {
		if (kw[i] == NULL)
			continue;
		push(c, kwnames[i], 0);
		rc = vkeyword(c, (enum kw)i, kw[i], depth);
		pop(c);
		if (!rc)
			return 0;
	}
	return 1;
}

static int
check_type(struct ctx *c, unsigned want, unsigned have)
{
	char		 msg[128];
	struct out	 o = { msg, sizeof(msg), 0 };
	const char	*ph[JT__MAX];
	size_t		 i, n = 0;

	if (want & have)
		return 1;
	/* "a number or an integer" says no more than "a number" */
	if (want & TBIT(JT_NUMBER))
		want &= ~TBIT(JT_INTEGER);
	for (i = 0; i < JT__MAX; i++)
		if (want & TBIT(i))
			ph[n++] = jtypes[i].phrase;
	msg[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			out_add(&o, i == n - 1 ? " or " : ", ",
			    i == n - 1 ? 4 : 2);
		out_add(&o, ph[i], strlen(ph[i]));
	}
	return fail(c, "must be %s", msg);
}

static int
check_string(struct ctx *c, const cJSON *kw[KW__MAX], const char *s)
{
	char	num[32];
	size_t	n;
	double	lim;

	if (kw[KW_MINLENGTH] == NULL && kw[KW_MAXLENGTH] == NULL)
		return 1;
	/* 2020-12 §6.3.1: length in characters (code points), not bytes */
	n = codepoints(s);
	if (kw[KW_MAXLENGTH] != NULL &&
	    (double)n > (lim = kw[KW_MAXLENGTH]->valuedouble))
		return fail(c, "must be at most %s character%s",
		    fmtnum(num, sizeof(num), lim), lim == 1 ? "" : "s");
	if (kw[KW_MINLENGTH] != NULL &&
	    (double)n < (lim = kw[KW_MINLENGTH]->valuedouble))
		return fail(c, "must be at least %s character%s",
		    fmtnum(num, sizeof(num), lim), lim == 1 ? "" : "s");
	return 1;
}

/* 2020-12 §6.2: the exclusive bounds are numbers, not draft 4 flags. */
static int
check_number(struct ctx *c, const cJSON *kw[KW__MAX], double d)
{
	char	num[32];

	if (kw[KW_MINIMUM] != NULL && d < kw[KW_MINIMUM]->valuedouble)
		return fail(c, "must be at least %s",
		    fmtnum(num, sizeof(num), kw[KW_MINIMUM]->valuedouble));
	if (kw[KW_MAXIMUM] != NULL && d > kw[KW_MAXIMUM]->valuedouble)
		return fail(c, "must be at most %s",
		    fmtnum(num, sizeof(num), kw[KW_MAXIMUM]->valuedouble));
	if (kw[KW_EXCLUSIVEMINIMUM] != NULL &&
	    d <= kw[KW_EXCLUSIVEMINIMUM]->valuedouble)
		return fail(c, "must be greater than %s", fmtnum(num,
		    sizeof(num), kw[KW_EXCLUSIVEMINIMUM]->valuedouble));
	if (kw[KW_EXCLUSIVEMAXIMUM] != NULL &&
	    d >= kw[KW_EXCLUSIVEMAXIMUM]->valuedouble)
		return fail(c, "must be less than %s", fmtnum(num,
		    sizeof(num), kw[KW_EXCLUSIVEMAXIMUM]->valuedouble));
	if (kw[KW_MULTIPLEOF] != NULL &&
	    !is_multiple(d, kw[KW_MULTIPLEOF]->valuedouble))
		return fail(c, "must be a multiple of %s",
		    fmtnum(num, sizeof(num), kw[KW_MULTIPLEOF]->valuedouble));
	return 1;
}

static int
check_array(struct ctx *c, const cJSON *kw[KW__MAX], const cJSON *v,
    size_t depth)
{
	const cJSON	*e, *f;
	char		 num[32];
	size_t		 n, i, j;
	double		 lim;

	/* count no further than the size bound: past it, v is refused */
	for (n = 0, e = v->child; e != NULL && n <= JSCHEMA_MAXNODES;
	    e = e->next)
		n++;
	if (kw[KW_MAXITEMS] != NULL &&
	    (double)n > (lim = kw[KW_MAXITEMS]->valuedouble))
		return fail(c, "must have at most %s item%s",
		    fmtnum(num, sizeof(num), lim), lim == 1 ? "" : "s");
	if (n > JSCHEMA_MAXNODES)
		return fail(c, "too many values (at most %d in all)",
		    JSCHEMA_MAXNODES);
	if (kw[KW_MINITEMS] != NULL &&
	    (double)n < (lim = kw[KW_MINITEMS]->valuedouble))
		return fail(c, "must have at least %s item%s",
		    fmtnum(num, sizeof(num), lim), lim == 1 ? "" : "s");
	for (e = v->child, i = 0; e != NULL; e = e->next, i++) {
		push(c, NULL, i);
		if (!check(c, kw[KW_ITEMS], e, depth + 1))
			return 0;
		pop(c);
	}
	/* after the items: equal() may then trust their depth */
	if (!cJSON_IsTrue(kw[KW_UNIQUEITEMS]))
		return 1;
	for (e = v->child, i = 0; e != NULL; e = e->next, i++)
		for (f = e->next, j = i + 1; f != NULL; f = f->next, j++) {
			if (equal(c, e, f))
				return fail(c, "items %zu and %zu are equal "
				    "(must be unique)", i, j);
			if (c->over)
				return fail_costly(c);
		}
	return 1;
}

static int
check_object(struct ctx *c, const cJSON *kw[KW__MAX], const cJSON *v,
    size_t depth)
{
	const cJSON	*r, *m, *sub, *props = kw[KW_PROPERTIES];
	const cJSON	*addl = kw[KW_ADDITIONALPROPERTIES];
	const char	*name;

	if (kw[KW_REQUIRED] != NULL)
		for (r = kw[KW_REQUIRED]->child; r != NULL; r = r->next)
			if (member(c, v, r->valuestring) == NULL) {
				if (c->over)
					return fail_costly(c);
				push(c, r->valuestring, 0);
				return fail(c, "required");
			}
	for (m = v->child; m != NULL; m = m->next) {
		name = m->string != NULL ? m->string : "";
		sub = props != NULL ? member(c, props, name) : NULL;
		if (c->over)
			return fail_costly(c);
		/* with additionalProperties false the object is the place */
		if (sub == NULL && cJSON_IsFalse(addl))
			return fail_name(c, "unexpected property \"", name,
			    "\"");
		push(c, name, 0);
		if (!check(c, sub != NULL ? sub : addl, m, depth + 1))
			return 0;
		pop(c);
	}
	return 1;
}

/*
 * Whether v, depth containers below the root of the value, satisfies s
 * (already vetted by vschema(); NULL means "anything", as true does).
 */
static int
check(struct ctx *c, const cJSON *s, const cJSON *v, size_t depth)
{
	const cJSON	*kw[KW__MAX], *e;
	unsigned	 t;
	int		 repeated;

	if (c->over)
		return fail_costly(c);
	if (++c->nodes > JSCHEMA_MAXNODES)
		return fail(c, "too many values (at most %d in all)",
		    JSCHEMA_MAXNODES);
	if ((t = valuetype(v)) == 0)
		return fail(c, "not a JSON value");
	/*
	 * 1e999 parses as infinity: it passes any one-sided bound, and
	 * cJSON would print it as null to the tool.
	 */
	if ((t & TBIT(JT_NUMBER)) && !isfinite(v->valuedouble))
		return fail(c, "number out of range");
	if ((t & (TBIT(JT_ARRAY) | TBIT(JT_OBJECT))) &&
	    depth >= JSCHEMA_MAXDEPTH)
		return fail(c, "nested deeper than %d levels",
		    JSCHEMA_MAXDEPTH);
	if (cJSON_IsFalse(s))
		return fail(c, "not allowed");
	(void)load(c, s, kw, &repeated);

	if (kw[KW_TYPE] != NULL && !check_type(c, typemask(kw[KW_TYPE]), t))
		return 0;
	if (kw[KW_CONST] != NULL && !equal(c, kw[KW_CONST], v))
		return c->over ? fail_costly(c) :
		    fail(c, "must be the allowed constant value");
	if (kw[KW_ENUM] != NULL) {
		for (e = kw[KW_ENUM]->child; e != NULL; e = e->next)
			if (equal(c, e, v))
				break;
		if (c->over)
			return fail_costly(c);
		if (e == NULL)
			return fail(c, "must be one of the allowed values");
	}

	/* the other keywords apply to their own type only (2020-12 §7.6.1) */
	if (t & TBIT(JT_STRING))
		return check_string(c, kw, v->valuestring);
	if (t & TBIT(JT_NUMBER))
		return check_number(c, kw, v->valuedouble);
	if (t & TBIT(JT_ARRAY))
		return check_array(c, kw, v, depth);
	if (t & TBIT(JT_OBJECT))
		return check_object(c, kw, v, depth);
	return 1;
}

int
jschema_valid_schema(const cJSON *schema, char *err, size_t errsz)
{
	struct ctx	c;

	ctx_init(&c, err, errsz, 1);
	if (schema == NULL)
		return fail(&c, "no schema");
	return vschema(&c, schema, 0);
}

int
jschema_check(const cJSON *schema, const cJSON *value, char *err,
    size_t errsz)
{
	struct ctx	c;

	/* vetted on every call: the check below trusts the schema's shape */
	if (!jschema_valid_schema(schema, err, errsz))
		return -1;
	ctx_init(&c, err, errsz, 0);
	if (value == NULL)
		return fail(&c, "no value");
	return check(&c, schema, value, 0);
}
