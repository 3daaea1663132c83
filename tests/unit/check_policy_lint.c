// SPDX-License-Identifier: MIT
/*
 * check_policy_lint - warnings: valid policies that are probably not what
 * their author meant. Each case loads (warnings never fail a load) and
 * gives exactly one warning, at the position marked with a backtick; the
 * shipped example policy gives none.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

struct lint_case {
	const char *msg;	/* substring of the warning */
	const char *policy;	/* the "rules" members, one backtick */
};

#define T(x) "{\"field\": \"op\", \"eq\": \"" x "\"}"

static const struct lint_case cases[] = {
	{ "\"/etc/sudoers.d/\" ends with '/', which no path does: this never matches (for the directory and what is below it, use \"under\")",
	  "{\"id\": \"r\", \"match\": {\"all\": [" T("chmod") ", {\"field\": \"path\", \"eq\": `\"/etc/sudoers.d/\"}]}}" },
	{ "\"/etc/x/\" ends with '/'",
	  "{\"id\": \"r\", \"match\": {\"all\": [" T("chmod") ", {\"field\": \"paths\", \"in\": [\"/etc/a\", `\"/etc/x/\"]}]}}" },
	{ "glob \"/etc/**/x\": there is no \"**\"",
	  "{\"id\": \"r\", \"match\": {\"all\": [" T("chmod") ", {\"field\": \"path\", \"glob\": `\"/etc/**/x\"}]}}" },
	{ "field new_mode: the JSON number 644 is decimal (01204); if octal was meant, write \"644\"",
	  "{\"id\": \"r\", \"match\": {\"all\": [" T("chmod") ", {\"field\": \"path\", \"prefix\": \"/etc/\"}, {\"field\": \"new_mode\", \"eq\": `644}]}}" },
	{ "disabled (\"enabled\": false)",
	  "`{\"id\": \"r\", \"enabled\": false, \"match\": {\"all\": [" T("chmod") ", {\"field\": \"path\", \"prefix\": \"/etc/\"}]}}" },
	{ "its op tests exclude each other",
	  "`{\"id\": \"r\", \"match\": {\"all\": [" T("chmod") ", " T("unlink") ", {\"field\": \"path\", \"prefix\": \"/etc/\"}]}}" },
	{ "never matches: it needs new_mode, which none of the ops it can match (unlink) carries",
	  "`{\"id\": \"r\", \"match\": {\"all\": [" T("unlink") ", {\"field\": \"path\", \"prefix\": \"/etc/\"}, {\"field\": \"new_mode\", \"bits_set\": \"4000\"}]}}" },
	{ "never matches: it needs open_flags, path2",
	  "`{\"id\": \"r\", \"match\": {\"all\": [" T("chmod") ", {\"field\": \"path\", \"prefix\": \"/etc/\"}, {\"any\": [{\"field\": \"path2\", \"prefix\": \"/x/\"}, {\"field\": \"open_flags\", \"bits_set\": \"O_TRUNC\"}]}]}}" },
	{ "widens the kernel prefilter to everywhere: it is not bounded to subtrees, so every chmod event is sent to the daemon",
	  "`{\"id\": \"r\", \"match\": {\"all\": [" T("chmod") ", {\"field\": \"comm\", \"eq\": \"vi\"}]}}" },
	{ "widens the kernel prefilter to everywhere: it is not bounded to subtrees, so every chmod event",
	  "`{\"id\": \"r\", \"match\": {\"all\": [" T("chmod") ", {\"field\": \"path\", \"prefix\": \"/etc\"}]}}" },
	{ "it can match setxattr or removexattr",
	  "`{\"id\": \"r\", \"match\": {\"field\": \"path\", \"prefix\": \"/etc/\"}}" },
};

START_TEST(test_lint)
{
	const struct lint_case *c = &cases[_i];
	char text[4096], *mark, want[256], *got = NULL;
	struct policy_diags d = { 0 };
	struct policy *p = NULL;
	int line = 1, col = 1;
	size_t len = 0;
	FILE *f;

	snprintf(text, sizeof(text), "{\"version\": 1, \"rules\": [%s]}", c->policy);
	mark = strchr(text, '`');
	ck_assert_ptr_nonnull(mark);
	for (const char *q = text; q < mark; q++)
		col++;
	memmove(mark, mark + 1, strlen(mark));
	ck_assert_msg(policy_load_buffer("w.json", text, strlen(text), &p, &d) == 0,
		      "case %d did not load", _i);
	f = open_memstream(&got, &len);
	policy_diags_print(&d, f);
	fclose(f);
	ck_assert_uint_eq(policy_diags_errors(&d), 0);
	ck_assert_msg(d.n == 1, "case %d: %zu diagnostics:\n%s", _i, d.n, got);
	snprintf(want, sizeof(want), "w.json:%d:%d: warning: ", line, col);
	ck_assert_msg(!strncmp(got, want, strlen(want)) && strstr(got, c->msg),
		      "case %d: want %s...%s\ngot %s", _i, want, c->msg, got);
	free(got);
	policy_free(p);
	policy_diags_free(&d);
}
END_TEST

START_TEST(test_macro_once)
{
	/* a warning in a macro used by two rules: once, in the macro */
	const char *text =
		"{\"version\": 1, \"macros\": {\"m\": {\"not\": {\"field\": \"path\", \"eq\": \"/x/\"}}},\n"
		" \"rules\": [{\"id\": \"a\", \"match\": {\"all\": [" T("chmod") ", {\"field\": \"path\", \"prefix\": \"/etc/\"}, {\"macro\": \"m\"}]}},\n"
		" {\"id\": \"b\", \"match\": {\"all\": [" T("chmod") ", {\"field\": \"path\", \"prefix\": \"/etc/\"}, {\"macro\": \"m\"}]}}]}";
	struct policy_diags d = { 0 };
	struct policy *p = NULL;

	ck_assert_int_eq(policy_load_buffer("m.json", text, strlen(text), &p, &d), 0);
	ck_assert_uint_eq(d.n, 1);
	ck_assert(d.v[0].warning);
	ck_assert_int_eq(d.v[0].line, 1);
	ck_assert_int_eq(d.v[0].column, 64);
	ck_assert_ptr_null(d.v[0].rule);
	ck_assert_msg(strstr(d.v[0].msg, "macro \"m\": \"/x/\" ends with '/'"), "%s", d.v[0].msg);
	policy_free(p);
	policy_diags_free(&d);
}
END_TEST

START_TEST(test_examples_clean)
{
	struct policy_diags d = { 0 };
	struct policy *p = NULL;

	ck_assert_int_eq(policy_load("policy/examples", &p, &d), 0);
	if (d.n)
		policy_diags_print(&d, stderr);
	ck_assert_uint_eq(d.n, 0);
	policy_free(p);
	policy_diags_free(&d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy_lint");
	TCase *t = tcase_create("lint");
	SRunner *r;
	int failed;

	tcase_add_loop_test(t, test_lint, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(t, test_macro_once);
	tcase_add_test(t, test_examples_clean);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
