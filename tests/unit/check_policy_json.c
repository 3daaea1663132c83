// SPDX-License-Identifier: MIT
/*
 * check_policy_json - json_pos, the strict JSON parser under the policy
 * loader: what it accepts, every rejection with its line:column, values
 * and their positions, limits.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_pos.h"

struct bad_case {
	const char *text;
	int line, col;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	{ "", 1, 1, "empty document" },
	{ "  \n ", 2, 2, "empty document" },
	{ "{", 1, 2, "expected a string key, found end of input" },
	{ "{\"a\" 1}", 1, 6, "expected ':' after key \"a\"" },
	{ "{\"a\": 1,}", 1, 9, "trailing comma before '}'" },
	{ "[1,]", 1, 4, "trailing comma before ']'" },
	{ "[1 2]", 1, 4, "expected ',' or ']'" },
	{ "{'a': 1}", 1, 2, "expected a string key, found '''" },
	{ "['a']", 1, 2, "strings take double quotes" },
	{ "{\"a\": 1, \"b\": 2, \"a\": 3}", 1, 18, "duplicate key \"a\" (first at line 1, column 2)" },
	{ "[01]", 1, 2, "leading zero" },
	{ "[1.]", 1, 4, "expected a digit after '.'" },
	{ "[1e]", 1, 4, "expected a digit in the exponent" },
	{ "[-]", 1, 3, "expected a digit" },
	{ "[+1]", 1, 2, "expected a value, found '+'" },
	{ "[.5]", 1, 2, "expected a value" },
	{ "[NaN]", 1, 2, "expected a value" },
	{ "[tru]", 1, 2, "expected a value" },
	{ "[\"a\nb\"]", 1, 4, "control character 0x0a in string" },
	{ "[\"\\x\"]", 1, 4, "invalid escape '\\x'" },
	{ "[\"\\u12G4\"]", 1, 7, "invalid \\u escape" },
	{ "[\"\\uDC00\"]", 1, 3, "lone low surrogate" },
	{ "[\"\\uD800x\"]", 1, 3, "not followed by a low surrogate" },
	{ "[\"\\uD800\\u0041\"]", 1, 3, "not followed by a low surrogate" },
	{ "[\"\xff\"]", 1, 3, "invalid UTF-8" },
	{ "[\"\xc0\xaf\"]", 1, 3, "invalid UTF-8" },		/* overlong '/' */
	{ "[\"\xed\xa0\x80\"]", 1, 3, "invalid UTF-8" },	/* encoded surrogate */
	{ "[\"abc", 1, 6, "unterminated string" },
	{ "{} x", 1, 4, "unexpected 'x' after the end of the document" },
	{ "[1] // c", 1, 5, "comments are not JSON" },
	{ "[\n  1,\n  /* c */ 2]", 3, 3, "comments are not JSON" },
	{ "{\"é\": 1, \"é\": 2}", 1, 10, "duplicate key" },	/* columns are characters */
};

START_TEST(test_rejects)
{
	const struct bad_case *c = &bad_cases[_i];
	struct jp_doc *doc = (struct jp_doc *)1;
	struct jp_error err;
	int rc = jp_parse(c->text, strlen(c->text), NULL, &doc, &err);

	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_null(doc);
	ck_assert_msg(err.line == c->line && err.col == c->col && strstr(err.msg, c->msg),
		      "case %d: got %d:%d: %s; want %d:%d: %s", _i, err.line, err.col,
		      err.msg, c->line, c->col, c->msg);
}
END_TEST

START_TEST(test_values_and_positions)
{
	const char *text = "\xEF\xBB\xBF{\n"
			   "  \"n\": -0, \"u\": 18446744073709551615, \"big\": 18446744073709551616,\n"
			   "  \"f\": 1.5e1, \"s\": \"a\\u00e9\\ud83d\\ude00\\n\\/\", \"z\": \"\\u0000x\",\n"
			   "\t\"a\": [true, false, null, {}, []]\n"
			   "}";
	const struct jp_value *root, *v;
	struct jp_error err;
	struct jp_doc *doc;

	ck_assert_int_eq(jp_parse(text, strlen(text), NULL, &doc, &err), 0);
	root = jp_root(doc);
	ck_assert_int_eq(root->type, JP_OBJ);
	ck_assert_int_eq(root->line, 1);
	ck_assert_int_eq(root->col, 1);	/* the BOM is not a column */
	ck_assert_uint_eq(root->obj.n, 7);
	ck_assert_int_eq(root->obj.v[1].line, 2);
	ck_assert_int_eq(root->obj.v[1].col, 12);

	v = jp_get(root, "n");
	ck_assert(v->num.is_int && v->num.fits && !v->num.neg && v->num.u == 0);
	ck_assert_int_eq(v->line, 2);
	ck_assert_int_eq(v->col, 8);
	v = jp_get(root, "u");
	ck_assert(v->num.fits && v->num.u == UINT64_MAX);
	v = jp_get(root, "big");
	ck_assert(v->num.is_int && !v->num.fits);
	v = jp_get(root, "f");
	ck_assert(!v->num.is_int && !v->num.fits && v->num.d == 15.0);
	v = jp_get(root, "s");
	ck_assert_str_eq(v->str.s, "a\xc3\xa9\xf0\x9f\x98\x80\n/");
	ck_assert_uint_eq(v->str.len, 9);
	v = jp_get(root, "z");
	ck_assert_uint_eq(v->str.len, 2);	/* \u0000 kept, length tells */
	ck_assert_uint_eq(strlen(v->str.s), 0);
	v = jp_get(root, "a");
	ck_assert_int_eq(v->line, 4);
	ck_assert_int_eq(v->col, 7);	/* a tab is one column */
	ck_assert_uint_eq(v->arr.n, 5);
	ck_assert(v->arr.v[0]->type == JP_BOOL && v->arr.v[0]->b);
	ck_assert(v->arr.v[1]->type == JP_BOOL && !v->arr.v[1]->b);
	ck_assert_int_eq(v->arr.v[2]->type, JP_NULL);
	ck_assert_int_eq(v->arr.v[3]->col, 27);
	ck_assert_ptr_null(jp_get(root, "missing"));
	ck_assert_ptr_null(jp_get(v, "a"));	/* not an object */
	ck_assert_str_eq(jp_type_name(JP_ARR), "array");
	jp_free(doc);
}
END_TEST

START_TEST(test_limits)
{
	struct jp_limits lim = { .max_depth = 4, .max_size = 64 };
	struct jp_error err;
	struct jp_doc *doc;
	char deep[4096];
	int n = 0;

	ck_assert_int_eq(jp_parse("[[[[1]]]]", 9, &lim, &doc, &err), 0);
	jp_free(doc);
	ck_assert_int_eq(jp_parse("[[[[[1]]]]]", 11, &lim, &doc, &err), -E2BIG);
	ck_assert_int_eq(err.col, 5);
	ck_assert(strstr(err.msg, "nesting deeper than 4"));
	memset(deep, ' ', 100);
	deep[0] = '1';
	ck_assert_int_eq(jp_parse(deep, 100, &lim, &doc, &err), -E2BIG);
	/* the default depth protects the stack against a hostile file */
	for (n = 0; n < 2000; n++)
		deep[n] = '[';
	ck_assert_int_eq(jp_parse(deep, 2000, NULL, &doc, &err), -E2BIG);
}
END_TEST

START_TEST(test_duplicates_in_large_object)
{
	/* past the small-object path the duplicate check sorts; it must still
	 * name the later key and point at the first */
	char text[8192];
	size_t o = 0;
	struct jp_error err;
	struct jp_doc *doc;

	o += (size_t)snprintf(text + o, sizeof(text) - o, "{");
	for (int i = 0; i < 100; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s\"k%03d\":%d", i ? "," : "",
				      i == 70 ? 5 : i, i);
	o += (size_t)snprintf(text + o, sizeof(text) - o, "}");
	ck_assert_int_eq(jp_parse(text, o, NULL, &doc, &err), -EINVAL);
	ck_assert(strstr(err.msg, "duplicate key \"k005\""));
	ck_assert_int_eq(err.col, strstr(text, "\"k005\":70") - text + 1);
	strstr(text, "\"k005\":70")[2] = 'x';	/* kx05: no duplicate now */
	ck_assert_int_eq(jp_parse(text, o, NULL, &doc, &err), 0);
	jp_free(doc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy_json");
	TCase *t = tcase_create("json_pos");
	SRunner *r;
	int failed;

	tcase_add_loop_test(t, test_rejects, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(t, test_values_and_positions);
	tcase_add_test(t, test_limits);
	tcase_add_test(t, test_duplicates_in_large_object);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
