// SPDX-License-Identifier: MIT
/*
 * check_modes - premodd --replay end to end over the fixtures in
 * tests/unit/data/premodd/ (policy directory + recorded events), and
 * premodd --check on a valid and a broken policy.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modes.h"

#define DATA "tests/unit/data/premodd"

struct run {
	char *out, *err;
	size_t out_len, err_len;
	int status;
};

static void replay(struct run *r, const char *events, const char *policy)
{
	FILE *in = fopen(events, "r");
	FILE *out = open_memstream(&r->out, &r->out_len);
	FILE *err = open_memstream(&r->err, &r->err_len);

	ck_assert_ptr_nonnull(in);
	r->status = modes_replay(policy, in, events, "testhost", out, err);
	fclose(in);
	fclose(out);
	fclose(err);
}

/* What each output line must be, in order. */
static const struct {
	const char *kind, *rule;
	long long seq;		/* -1: no seq */
	const char *key;	/* one more field to check, or NULL */
	const char *sval;
	long long ival;
} want[] = {
	{ "match", "credentials", 1, "message", "vipw[4242] uid=0 open_write /etc/shadow" },
	{ "match", "setuid-added", 3, "message", "chmod made /home/u/sh setuid (0755 -> 4755)" },
	{ "match", "log-deleted", 5, "path", "/var/log/auth.log" },
	{ "match", "log-deleted", 6, "path", "/var/log/syslog" },
	{ "lost", NULL, 9, "lost_count", NULL, 4 },
	{ "match", "credentials", -1, "path", "/etc/group" },
	{ "suppressed", "log-deleted", -1, "suppressed", NULL, 2 },
	{ "match", "log-deleted", 15, "path2", "/var/log/messages.1" },
};

START_TEST(test_replay_fixture)
{
	struct run r = { 0 };
	char *line, *save = NULL;
	size_t i = 0;

	replay(&r, DATA "/events.jsonl", DATA "/policy");
	ck_assert_int_eq(r.status, 1);	/* two bad lines */
	/* line 10's text is the JSON parser's; its position is ours */
	ck_assert_msg(!strncmp(r.err, DATA "/events.jsonl:10: column 4: ",
			       strlen(DATA "/events.jsonl:10: column 4: ")),
		      "got: %s", r.err);
	ck_assert_ptr_nonnull(strstr(r.err,
		"\n" DATA "/events.jsonl:12: key \"op\": unknown op \"teleport\"\n"
		DATA "/events.jsonl: 2 bad lines skipped\n"));
	for (line = strtok_r(r.out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), i++) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je);
		json_t *v;

		ck_assert_msg(o != NULL, "line %zu is not JSON: %s", i, line);
		ck_assert_uint_lt(i, sizeof(want) / sizeof(want[0]));
		ck_assert_str_eq(json_string_value(json_object_get(o, "kind")),
				 want[i].kind);
		ck_assert_str_eq(json_string_value(json_object_get(o, "host")),
				 "testhost");
		ck_assert_int_eq(json_integer_value(json_object_get(o, "generation")), 1);
		if (want[i].rule)
			ck_assert_str_eq(json_string_value(json_object_get(o, "rule")),
					 want[i].rule);
		v = json_object_get(o, "seq");
		if (want[i].seq < 0)
			ck_assert_ptr_null(v);
		else
			ck_assert_int_eq(json_integer_value(v), want[i].seq);
		v = json_object_get(o, want[i].key);
		ck_assert_ptr_nonnull(v);
		if (want[i].sval)
			ck_assert_str_eq(json_string_value(v), want[i].sval);
		else
			ck_assert_int_eq(json_integer_value(v), want[i].ival);
		json_decref(o);
	}
	ck_assert_uint_eq(i, sizeof(want) / sizeof(want[0]));
	free(r.out);
	free(r.err);
}
END_TEST

/* Deterministic: the same input gives byte-identical output. */
START_TEST(test_replay_deterministic)
{
	struct run a = { 0 }, b = { 0 };

	replay(&a, DATA "/events.jsonl", DATA "/policy");
	replay(&b, DATA "/events.jsonl", DATA "/policy");
	ck_assert_str_eq(a.out, b.out);
	free(a.out);
	free(a.err);
	free(b.out);
	free(b.err);
}
END_TEST

START_TEST(test_replay_bad_policy)
{
	char dir[] = "/tmp/check_modes.XXXXXX", path[64];
	struct run r = { 0 };
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.json", dir);
	f = fopen(path, "w");
	fputs("{\"version\": 1, \"rules\": [{\"id\": \"x\", \"bogus\": 1}]}", f);
	fclose(f);
	replay(&r, DATA "/events.jsonl", dir);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.out, "");
	ck_assert_ptr_nonnull(strstr(r.err, "a.json:1:"));
	ck_assert_ptr_nonnull(strstr(r.err, "policy not valid, nothing replayed"));
	free(r.out);
	free(r.err);

	{
		char *out = NULL, *err = NULL;
		size_t ol = 0, el = 0;
		FILE *o = open_memstream(&out, &ol), *e = open_memstream(&err, &el);

		ck_assert_int_eq(modes_check(dir, o, e), 1);
		fclose(o);
		fclose(e);
		ck_assert_str_eq(out, "");
		ck_assert_ptr_nonnull(strstr(err, "a.json:1:"));
		ck_assert_ptr_nonnull(strstr(err, "policy not valid"));
		free(out);
		free(err);
	}
	unlink(path);
	rmdir(dir);
}
END_TEST

/* Replays text (not a file) against the fixture policy. */
static void replay_text(struct run *r, const char *text)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	FILE *out = open_memstream(&r->out, &r->out_len);
	FILE *err = open_memstream(&r->err, &r->err_len);

	ck_assert_ptr_nonnull(in);
	r->status = modes_replay(DATA "/policy", in, "in", "testhost", out, err);
	fclose(in);
	fclose(out);
	fclose(err);
}

/* An event past PM_EVENT_JSON_MAX (only a replay can hold one) still
 * gets its record, never a silent "out of memory" and exit 0. */
START_TEST(test_replay_big_event)
{
	size_t n = 200 * 1024;
	char *text = malloc(n + 256);
	struct run r = { 0 };
	size_t o;

	o = (size_t)sprintf(text, "{\"seq\":5,\"time\":1764023326004000000,\"op\":\"unlink\","
			    "\"tgid\":600,\"comm\":\"rm\",\"path\":\"/var/log/");
	memset(text + o, 'a', n);
	strcpy(text + o + n, "\"}\n");
	replay_text(&r, text);
	ck_assert_msg(r.status == 0, "err: %s", r.err);
	ck_assert_str_eq(r.err, "");
	ck_assert_uint_gt(r.out_len, n);
	ck_assert_ptr_nonnull(strstr(r.out, "\"rule\":\"log-deleted\""));
	free(text);
	free(r.out);
	free(r.err);
}
END_TEST

/* A UTF-8 BOM starts a replay file as it may start a policy file. */
START_TEST(test_replay_bom)
{
	struct run r = { 0 };

	replay_text(&r, "\xEF\xBB\xBF{\"seq\":5,\"time\":1764023326004000000,\"op\":\"unlink\","
		    "\"tgid\":600,\"comm\":\"rm\",\"path\":\"/var/log/auth.log\"}\n");
	ck_assert_msg(r.status == 0, "err: %s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "\"rule\":\"log-deleted\""));
	free(r.out);
	free(r.err);
}
END_TEST

static const struct { const char *line, *want; } bad_lost[] = {
	{ "{\"seq\":9,\"op\":\"lost\",\"lost_count\":-4,\"lost_first\":5,\"lost_last\":8}",
	  "in:1: lost_count is negative\n" },
	{ "{\"seq\":9,\"op\":\"lost\",\"lost_count\":4,\"lost_first\":8,\"lost_last\":5}",
	  "in:1: lost_first is after lost_last\n" },
};

START_TEST(test_replay_bad_lost)
{
	struct run r = { 0 };

	replay_text(&r, bad_lost[_i].line);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.out, "");
	ck_assert_msg(!strncmp(r.err, bad_lost[_i].want, strlen(bad_lost[_i].want)),
		      "got: %s", r.err);
	free(r.out);
	free(r.err);
}
END_TEST

START_TEST(test_check_valid)
{
	char *out = NULL, *err = NULL;
	size_t ol = 0, el = 0;
	FILE *o = open_memstream(&out, &ol), *e = open_memstream(&err, &el);

	ck_assert_int_eq(modes_check(DATA "/policy", o, e), 0);
	fclose(o);
	fclose(e);
	/* valid, with the warnings about what it means: the fixture's
	 * rules are not bounded to subtrees */
	ck_assert_msg(strstr(err, DATA "/policy/10-files.json:21:5: warning: rule setuid-added: widens the kernel prefilter to everywhere"),
		      "%s", err);
	ck_assert_ptr_nonnull(strstr(out, "valid: 2 files, 3 rules, 1 list, 1 macro\n"));
	ck_assert_ptr_nonnull(strstr(out, "  rule setuid-added (alert)\n"));
	ck_assert_ptr_nonnull(strstr(out, "prefilter ops:"));
	ck_assert_ptr_nonnull(strstr(out, "prefilter include:"));
	/* the bounds it enforces */
	ck_assert_ptr_nonnull(strstr(out, "\nbound: regex: at most 1024 bytes"));
	ck_assert_ptr_nonnull(strstr(out, "\nbound: macros nested at most 64 deep"));
	free(out);
	free(err);
}
END_TEST

/* --check names the rule that widened the prefilter to everywhere. */
START_TEST(test_check_names_widening_rule)
{
	char dir[] = "/tmp/check_modes.XXXXXX", path[64];
	char *out = NULL, *err = NULL;
	size_t ol = 0, el = 0;
	FILE *f, *o, *e;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.json", dir);
	f = fopen(path, "w");
	fputs("{\"version\": 1, \"rules\": ["
	      "{\"id\": \"bounded\", \"match\": {\"all\": [{\"field\": \"op\", \"eq\": \"unlink\"},"
	      "{\"field\": \"path\", \"prefix\": \"/etc/\"}]}},"
	      "{\"id\": \"by-comm\", \"match\": {\"all\": [{\"field\": \"op\", \"eq\": \"unlink\"},"
	      "{\"field\": \"comm\", \"eq\": \"rm\"}]}}]}", f);
	fclose(f);
	o = open_memstream(&out, &ol);
	e = open_memstream(&err, &el);
	ck_assert_int_eq(modes_check(dir, o, e), 0);
	fclose(o);
	fclose(e);
	ck_assert_msg(strstr(out, "prefilter include: everywhere (rule by-comm is not bounded to subtrees)\n"),
		      "got:\n%s", out);
	free(out);
	free(err);
	unlink(path);
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("modes");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_replay_fixture);
	tcase_add_test(tc, test_replay_deterministic);
	tcase_add_test(tc, test_replay_bad_policy);
	tcase_add_test(tc, test_check_valid);
	tcase_add_test(tc, test_check_names_widening_rule);
	tcase_add_test(tc, test_replay_big_event);
	tcase_add_test(tc, test_replay_bom);
	tcase_add_loop_test(tc, test_replay_bad_lost, 0,
			    sizeof(bad_lost) / sizeof(bad_lost[0]));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
