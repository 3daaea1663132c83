// SPDX-License-Identifier: MIT
/*
 * check_policy_patch - "append" and "override" from a later file: lists
 * extended and replaced, macros replaced, rules disabled, re-graded and
 * given more exceptions, without editing the shipped files; every mistake
 * at its position in the file that made it; the notes --check prints.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "event_json.h"
#include "policy.h"

static char dir[] = "/tmp/check_policy_patch.XXXXXX";

static void write_file(const char *name, const char *text)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static char *diag_text(const struct policy_diags *d)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	ck_assert_ptr_nonnull(f);
	policy_diags_print(d, f);
	fclose(f);
	return s;
}

/* The shipped part: a list, a macro, two rules. */
static const char *const base =
	"{\"version\": 1,\n"
	" \"lists\": {\"pm\": [\"/usr/bin/dpkg\"]},\n"
	" \"macros\": {\"by_pm\": {\"field\": \"exe\", \"in\": \"@pm\"}},\n"
	" \"rules\": [\n"
	"  {\"id\": \"etc\", \"severity\": \"crit\", \"tags\": [\"a\"],\n"
	"   \"match\": {\"field\": \"paths\", \"under\": \"/etc\"},\n"
	"   \"except\": [{\"macro\": \"by_pm\"}]},\n"
	"  {\"id\": \"tmp\", \"match\": {\"field\": \"path\", \"prefix\": \"/tmp/\"}}\n"
	" ]}\n";

static void setup(void)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'/*", dir);
	ck_assert_int_eq(system(cmd), 0);
	write_file("00-base.json", base);
}

static size_t matches(struct policy *p, const char *line, const char **first)
{
	struct pm_event ev;
	char store[1024], dirbuf[512], err[160];
	const struct policy_rule *out[4];
	size_t n;

	ck_assert_msg(!pm_event_from_json_line(line, strlen(line), &ev, store,
					       sizeof(store), err, sizeof(err)), "%s", err);
	pm_event_derive(&ev, dirbuf, sizeof(dirbuf));
	n = policy_match(p, &ev, out, 4);
	ck_assert_uint_eq(n, policy_match_naive(p, &ev, out, 4));
	*first = n ? policy_rule_id(out[0]) : "";
	return n;
}

static struct policy *load_ok(void)
{
	struct policy_diags d = { 0 };
	struct policy *p = NULL;
	char *got;
	int rc = policy_load(dir, &p, &d);

	got = diag_text(&d);
	ck_assert_msg(rc == 0, "%s", got);
	free(got);
	policy_diags_free(&d);
	return p;
}

START_TEST(test_append_and_override)
{
	const char *id;
	struct policy *p;

	setup();
	write_file("90-local.json",
		   "{\"version\": 1,\n"
		   " \"append\": {\n"
		   "  \"lists\": {\"pm\": [\"/opt/pm/bin/pm\"]},\n"
		   "  \"rules\": {\"etc\": {\"except\": [{\"field\": \"comm\", \"eq\": \"etckeeper\"}],\n"
		   "                      \"tags\": [\"local\"]}}},\n"
		   " \"override\": {\n"
		   "  \"rules\": {\"tmp\": {\"enabled\": false},\n"
		   "            \"etc\": {\"severity\": \"notice\"}}}}\n");
	p = load_ok();
	/* the appended list element counts through the macro */
	ck_assert_uint_eq(matches(p, "{\"op\":\"create\",\"path\":\"/etc/x\",\"exe\":\"/opt/pm/bin/pm\"}", &id), 0);
	ck_assert_uint_eq(matches(p, "{\"op\":\"create\",\"path\":\"/etc/x\",\"exe\":\"/usr/bin/dpkg\"}", &id), 0);
	/* the appended exception, and the rule's own still hold */
	ck_assert_uint_eq(matches(p, "{\"op\":\"create\",\"path\":\"/etc/x\",\"comm\":\"etckeeper\"}", &id), 0);
	ck_assert_uint_eq(matches(p, "{\"op\":\"create\",\"path\":\"/etc/x\",\"comm\":\"vi\"}", &id), 1);
	ck_assert_str_eq(id, "etc");
	/* disabled by override */
	ck_assert_uint_eq(matches(p, "{\"op\":\"create\",\"path\":\"/tmp/x\"}", &id), 0);
	ck_assert(!policy_rule_enabled(policy_rule_at(p, 1)));
	ck_assert_int_eq(policy_rule_severity(policy_rule_at(p, 0)), LOG_NOTICE);
	ck_assert_uint_eq(policy_rule_tag_count(policy_rule_at(p, 0)), 2);
	ck_assert_str_eq(policy_rule_tag(policy_rule_at(p, 0), 1), "local");
	/* what happened, for --check */
	ck_assert_uint_eq(policy_note_count(p), 4);
	ck_assert_msg(strstr(policy_note_at(p, 0), "list pm: 1 value appended by ") &&
		      strstr(policy_note_at(p, 0), "90-local.json:3:13 (now 2)"),
		      "%s", policy_note_at(p, 0));
	ck_assert_msg(strstr(policy_note_at(p, 1), "rule etc: except appended, tags appended by "),
		      "%s", policy_note_at(p, 1));
	ck_assert_msg(strstr(policy_note_at(p, 2), "rule etc: severity overridden by "),
		      "%s", policy_note_at(p, 2));
	ck_assert_msg(strstr(policy_note_at(p, 3), "rule tmp: enabled overridden by "),
		      "%s", policy_note_at(p, 3));
	policy_free(p);

	/* override replaces: a list, a macro, a rule's exceptions */
	write_file("90-local.json",
		   "{\"version\": 1,\n"
		   " \"override\": {\n"
		   "  \"lists\": {\"pm\": [\"/usr/bin/apt\"]},\n"
		   "  \"macros\": {\"by_pm\": {\"field\": \"comm\", \"in\": \"@pm\"}},\n"
		   "  \"rules\": {\"tmp\": {\"match\": {\"field\": \"path\", \"under\": \"/var/tmp\"}}}}}\n");
	p = load_ok();
	ck_assert_uint_eq(matches(p, "{\"op\":\"create\",\"path\":\"/etc/x\",\"exe\":\"/usr/bin/dpkg\"}", &id), 1);
	ck_assert_uint_eq(matches(p, "{\"op\":\"create\",\"path\":\"/etc/x\",\"comm\":\"/usr/bin/apt\"}", &id), 0);
	ck_assert_uint_eq(matches(p, "{\"op\":\"create\",\"path\":\"/tmp/x\"}", &id), 0);
	ck_assert_uint_eq(matches(p, "{\"op\":\"rmdir\",\"path\":\"/var/tmp\"}", &id), 1);
	ck_assert_str_eq(id, "tmp");
	policy_free(p);
}
END_TEST

START_TEST(test_patches_in_order)
{
	const char *id;
	struct policy *p;
	char name[32], text[256];

	/* many files append to one list (the arrays grow, every element
	 * stays); a later override of "except" drops earlier appends */
	setup();
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "%02d-more.json", 10 + i);
		snprintf(text, sizeof(text),
			 "{\"version\": 1, \"append\": {\"lists\": {\"pm\": [\"/opt/pm%d\"]},"
			 " \"rules\": {\"etc\": {\"except\": [{\"field\": \"uid\", \"eq\": %d}]}}}}",
			 i, 100 + i);
		write_file(name, text);
	}
	p = load_ok();
	ck_assert_uint_eq(matches(p, "{\"op\":\"create\",\"path\":\"/etc/x\",\"exe\":\"/opt/pm0\"}", &id), 0);
	ck_assert_uint_eq(matches(p, "{\"op\":\"create\",\"path\":\"/etc/x\",\"exe\":\"/opt/pm39\"}", &id), 0);
	ck_assert_uint_eq(matches(p, "{\"op\":\"create\",\"path\":\"/etc/x\",\"uid\":139}", &id), 0);
	ck_assert_uint_eq(matches(p, "{\"op\":\"create\",\"path\":\"/etc/x\",\"uid\":140}", &id), 1);
	ck_assert_uint_eq(policy_note_count(p), 80);
	policy_free(p);
	write_file("90-override.json",
		   "{\"version\": 1, \"override\": {\"rules\": {\"etc\": {\"except\": [{\"field\": \"uid\", \"eq\": 7}]}}}}");
	p = load_ok();
	ck_assert_uint_eq(matches(p, "{\"op\":\"create\",\"path\":\"/etc/x\",\"uid\":139}", &id), 1);
	ck_assert_uint_eq(matches(p, "{\"op\":\"create\",\"path\":\"/etc/x\",\"exe\":\"/usr/bin/dpkg\"}", &id), 1);
	ck_assert_uint_eq(matches(p, "{\"op\":\"create\",\"path\":\"/etc/x\",\"uid\":7}", &id), 0);
	policy_free(p);
}
END_TEST

struct bad_case {
	const char *file;	/* 90-local.json */
	const char *want;	/* "LINE:COL: message" within that file */
};

static const struct bad_case bad_cases[] = {
	{ "{\"version\": 1, \"append\": {\"lists\": {\"pn\": [\"x\"]}}}",
	  "1:37: append: no list \"pn\" to append (did you mean \"pm\"?)" },
	{ "{\"version\": 1, \"override\": {\"rules\": {\"etx\": {\"enabled\": false}}}}",
	  "1:39: override: no rule \"etx\" to override (did you mean \"etc\"?)" },
	{ "{\"version\": 1, \"append\": {\"macros\": {\"by_pm\": {}}}}",
	  "1:27: a macro cannot be appended to" },
	{ "{\"version\": 1, \"append\": {\"rules\": {\"etc\": {\"severity\": \"err\"}}}}",
	  "1:45: rule etc: only \"except\" and \"tags\" can be appended to; override \"severity\" instead" },
	{ "{\"version\": 1, \"override\": {\"rules\": {\"etc\": {\"id\": \"x\"}}}}",
	  "1:47: rule etc: the id of a rule cannot be overridden" },
	/* errors in patched values point into the patching file */
	{ "{\"version\": 1, \"override\": {\"rules\": {\"etc\": {\"severity\": \"loud\"}}}}",
	  "1:59: rule etc: \"severity\" is one of" },
	{ "{\"version\": 1,\n \"append\": {\"rules\": {\"etc\": {\"except\": [{\"field\": \"pth\", \"eq\": \"/x\"}]}}}}",
	  "2:52: rule etc: unknown field \"pth\" (did you mean \"path\"?)" },
	{ "{\"version\": 1, \"append\": {\"lists\": {\"pm\": [{}]}}}",
	  "1:44: list \"pm\": elements are strings or numbers" },
	{ "{\"version\": 1, \"overide\": {}}",
	  "1:16: unknown key \"overide\" at the top of a policy file (did you mean \"override\"?)" },
};

START_TEST(test_patch_errors)
{
	const struct bad_case *c = &bad_cases[_i];
	struct policy_diags d = { 0 };
	struct policy *p = NULL;
	char want[600], *got;

	setup();
	write_file("90-local.json", c->file);
	ck_assert_int_eq(policy_load(dir, &p, &d), -EINVAL);
	ck_assert_ptr_null(p);
	got = diag_text(&d);
	snprintf(want, sizeof(want), "%s/90-local.json:%s", dir, c->want);
	ck_assert_msg(strstr(got, want), "case %d: want\n  %s\ngot\n%s", _i, want, got);
	free(got);
	policy_diags_free(&d);
}
END_TEST

START_TEST(test_patch_needs_earlier_file)
{
	struct policy_diags d = { 0 };
	struct policy *p = NULL;
	char want[600], *got;

	/* a patch in a file that sorts before the rule's: refused, so the
	 * result never depends on which file defines what */
	setup();
	write_file("00-aaa.json",
		   "{\"version\": 1, \"override\": {\"rules\": {\"etc\": {\"enabled\": false}}}}");
	ck_assert_int_eq(policy_load(dir, &p, &d), -EINVAL);
	got = diag_text(&d);
	snprintf(want, sizeof(want),
		 "%s/00-aaa.json:1:39: override of rule \"etc\": it is defined at %s/00-base.json:5:10, not in an earlier file",
		 dir, dir);
	ck_assert_msg(strstr(got, want), "want\n  %s\ngot\n%s", want, got);
	free(got);
	policy_diags_free(&d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy_patch");
	TCase *t = tcase_create("patch");
	SRunner *r;
	int failed;
	char cmd[200];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	tcase_add_test(t, test_append_and_override);
	tcase_add_test(t, test_patches_in_order);
	tcase_add_loop_test(t, test_patch_errors, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(t, test_patch_needs_earlier_file);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		failed++;
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
