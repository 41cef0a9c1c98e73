/*
 * test_form.c: form and query decoding into declared fields
 * (src/lib/form.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "tap.h"

enum { F_GRANT, F_CODE, F_NUM, F__MAX };

static int
valid_num(struct field *f)
{
	if (f->len != 1 || f->val[0] < '0' || f->val[0] > '9')
		return 0;
	f->num = f->val[0] - '0';
	return 1;
}

static const struct field_spec spec[F__MAX] = {
	[F_GRANT] = { "grant_type", NULL, 0 },
	[F_CODE] = { "code", NULL, 8 },
	[F_NUM] = { "n", valid_num, 0 },
};

int
main(void)
{
	static const struct {
		const char	*in;
		const char	*err;
	} bad[] = {
		{ "code=a&code=b", "parameter code: repeated" },
		{ "grant_type=%00x", "parameter grant_type: not valid" },
		{ "grant_type=%zz", "parameter grant_type: not valid" },
		{ "grant_type=%4", "parameter grant_type: not valid" },
		{ "grant_type=%c3%28", "parameter grant_type: not valid" },
		{ "code=123456789", "parameter code: longer than 8 bytes" },
		{ "n=x", "parameter n: invalid value" },
		{ "%zz=1", "a parameter name is not valid" },
	};
	struct field	 f[F__MAX];
	char		 err[256], *big, *p;
	size_t		 i;
	int		 rc;

	rc = form_parse("grant_type=authorization_code&code=a%2Bb+c&n=7",
	    46, spec, F__MAX, f, err, sizeof(err));
	ok(rc == 0, "a well-formed form parses");
	is_str(f[F_GRANT].val, "authorization_code", "grant_type");
	is_str(f[F_CODE].val, "a+b c", "%%2B is '+', '+' is a space");
	is_int(f[F_NUM].num, 7, "validator filled the parsed value");
	form_free(f, F__MAX);

	rc = form_parse("other=1&grant_type=x&other=2&&junk", 34, spec, F__MAX,
	    f, err, sizeof(err));
	ok(rc == 0, "undeclared fields are dropped, even repeated");
	is_str(f[F_GRANT].val, "x", "declared field kept");
	ok(f[F_CODE].val == NULL, "absent field is NULL");
	form_free(f, F__MAX);

	rc = form_parse("code&grant_type=", 16, spec, F__MAX, f, err, sizeof(err));
	ok(rc == 0 && f[F_CODE].val != NULL && f[F_CODE].len == 0 &&
	    f[F_GRANT].val != NULL && f[F_GRANT].len == 0,
	    "a name without a value is present and empty");
	form_free(f, F__MAX);

	rc = form_parse("", 0, spec, F__MAX, f, err, sizeof(err));
	ok(rc == 0 && f[F_GRANT].val == NULL, "an empty form is valid and empty");
	form_free(f, F__MAX);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		rc = form_parse(bad[i].in, strlen(bad[i].in), spec, F__MAX, f,
		    err, sizeof(err));
		ok(rc == -1 && strstr(err, bad[i].err) != NULL,
		    "refused \"%s\": %s", bad[i].in, bad[i].err);
		form_free(f, F__MAX);
	}

	rc = form_parse("grant_type=a\0b", 14, spec, F__MAX, f, err, sizeof(err));
	ok(rc == -1 && strstr(err, "NUL") != NULL, "a raw NUL byte is refused");
	form_free(f, F__MAX);

	/* FORM_MAXPAIRS + 1 pairs */
	big = malloc((FORM_MAXPAIRS + 1) * 4 + 1);
	for (p = big, i = 0; i <= FORM_MAXPAIRS; i++)
		p += sprintf(p, "x=1&");
	rc = form_parse(big, strlen(big), spec, F__MAX, f, err, sizeof(err));
	ok(rc == -1 && strstr(err, "more than") != NULL, "too many pairs refused");
	form_free(f, F__MAX);
	free(big);
	return done_testing();
}
