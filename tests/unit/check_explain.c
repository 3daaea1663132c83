// SPDX-License-Identifier: MIT
/*
 * check_explain - premodd --explain and --check --json on the example
 * policy: per rule the verdict and its reason, the prefilter's decision;
 * the JSON check result with its errors and warnings by position.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modes.h"
#include "policy.h"

static char *run_explain(const char *policy, const char *event, int *rc)
{
	char *s = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&s, &len), *err = fopen("/dev/null", "w");

	ck_assert_ptr_nonnull(out);
	*rc = modes_explain(policy, event, out, err);
	fclose(out);
	fclose(err);
	return s;
}

static void want_line(const char *text, const char *line)
{
	ck_assert_msg(strstr(text, line), "want the line\n  %s\nin\n%s", line, text);
}

START_TEST(test_explain_examples)
{
	int rc;
	char *s;

	/* chmod of the watched directory itself: under matches it */
	s = run_explain("policy/examples",
			"{\"op\":\"chmod\",\"path\":\"/etc/sudoers.d\",\"old_mode\":\"040750\",\"new_mode\":\"040777\",\"comm\":\"chmod\",\"uid\":0}",
			&rc);
	ck_assert_int_eq(rc, 0);
	want_line(s, "event: chmod /etc/sudoers.d\n");
	want_line(s, "prefilter: passes (path is in /etc)\n");
	want_line(s, "rule sudoers-change: match\n");
	want_line(s, "rule system-binary-write: no match: op in [create, unlink, rename, link, symlink, truncate, chown, open_write] is false (op is chmod)\n");
	want_line(s, "rule pam-config-change: no match: none of these holds: path under \"/etc/pam.d\" is false (path is \"/etc/sudoers.d\"); path2 under \"/etc/pam.d\" is false (the event has no path2)\n");
	want_line(s, "\n1 rule matches\n");
	free(s);

	/* the package manager: excepted, and which exception says so */
	s = run_explain("policy/examples",
			"{\"op\":\"open_write\",\"path\":\"/etc/passwd\",\"comm\":\"dpkg\",\"uid\":0,\"exe\":\"/usr/bin/dpkg\"}",
			&rc);
	want_line(s, "rule cred-files-write: excepted: the exception exe in [9 values] holds\n");
	want_line(s, "\n0 rules match\n");
	free(s);

	/* outside every watched subtree: the prefilter drops it */
	s = run_explain("policy/examples", "{\"op\":\"create\",\"path\":\"/opt/x\"}", &rc);
	want_line(s, "prefilter: drops it: neither path nor path2 is in an included subtree\n");
	free(s);
	s = run_explain("policy/examples", "{\"op\":\"setattr\",\"path\":\"/etc/shadow\"}", &rc);
	want_line(s, "prefilter: drops it: op setattr is not reported (no enabled rule can match it)\n");
	free(s);

	/* a bad event is an error */
	s = run_explain("policy/examples", "{\"op\":\"nope\"}", &rc);
	ck_assert_int_eq(rc, 1);
	free(s);
}
END_TEST

START_TEST(test_check_json)
{
	char dir[] = "/tmp/check_explain.XXXXXX", path[600];
	json_t *root, *w;
	json_error_t je;
	char *s = NULL;
	size_t len = 0;
	FILE *out, *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.json", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"version\": 1, \"rules\": [\n"
	      " {\"id\": \"r\", \"enabled\": false, \"match\": {\"field\": \"comm\", \"eq\": \"x\"}}]}\n", f);
	fclose(f);
	out = open_memstream(&s, &len);
	ck_assert_int_eq(modes_check_json(dir, out), 0);
	fclose(out);
	root = json_loads(s, 0, &je);
	ck_assert_msg(root, "%s: %s", je.text, s);
	ck_assert(json_is_true(json_object_get(root, "valid")));
	ck_assert_uint_eq(json_array_size(json_object_get(root, "errors")), 0);
	w = json_array_get(json_object_get(root, "warnings"), 0);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(json_integer_value(json_object_get(w, "line")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(w, "column")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(w, "rule")), "r");
	ck_assert(json_is_false(json_object_get(json_array_get(json_object_get(root, "rules"), 0), "enabled")));
	ck_assert(json_is_array(json_object_get(json_object_get(root, "prefilter"), "include")));
	json_decref(root);
	free(s);

	/* an error: not valid, exit 1, the error by position */
	f = fopen(path, "w");
	fputs("{\"version\": 1, \"rules\": [{\"id\": \"r\", \"match\": {\"field\": \"pth\", \"eq\": 1}}]}", f);
	fclose(f);
	s = NULL;
	out = open_memstream(&s, &len);
	ck_assert_int_eq(modes_check_json(dir, out), 1);
	fclose(out);
	root = json_loads(s, 0, &je);
	ck_assert_ptr_nonnull(root);
	ck_assert(json_is_false(json_object_get(root, "valid")));
	w = json_array_get(json_object_get(root, "errors"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(w, "column")), 57);
	ck_assert_msg(strstr(json_string_value(json_object_get(w, "message")), "did you mean \"path\""), "%s", s);
	ck_assert_ptr_null(json_object_get(root, "prefilter"));
	json_decref(root);
	free(s);
	unlink(path);
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("explain");
	TCase *t = tcase_create("explain");
	SRunner *r;
	int failed;

	tcase_add_test(t, test_explain_examples);
	tcase_add_test(t, test_check_json);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
