// SPDX-License-Identifier: MIT
/* check_stats - the stats JSON premodctl reads and the Prometheus text. */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"
#include "stats.h"

static int fake_write(struct sink *s, const struct record *r)
{
	(void)s;
	(void)r;
	return 0;
}

static const struct sink_ops fake_ops = { .name = "journal",
					  .write = fake_write };

static void fill(struct stats *s, struct sink *sk)
{
	struct stats_rule *r;

	ck_assert_int_eq(stats_init(s), 0);
	stats_inc(&s->received, 10);
	stats_count_drop(s, "queue", 3);
	stats_count_drop(s, "enobufs", 2);
	stats_count_drop(s, "nonsense", 100);	/* unknown: not counted */
	stats_inc(&s->records[1], 4);
	r = stats_rule(s, "etc-shadow");
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_eq(stats_rule(s, "etc-shadow"), r);
	stats_inc(&r->matched, 7);
	stats_inc(&stats_rule(s, "we\"ird")->suppressed, 1);
	memset(sk, 0, sizeof(*sk));
	sk->ops = &fake_ops;
	atomic_store(&sk->stats.dropped, 5);
	atomic_store(&sk->stats.written, 9);
}

START_TEST(test_json)
{
	struct stats s;
	struct sink sk, *sinks[1] = { &sk };
	char *text;
	json_t *o;
	json_error_t je;

	fill(&s, &sk);
	text = stats_render_json(&s, sinks, 1);
	ck_assert_ptr_nonnull(text);
	o = json_loads(text, 0, &je);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "received")),
			 10);
	ck_assert_int_eq(json_integer_value(json_object_get(
				 json_object_get(o, "dropped"), "queue")),
			 3);
	ck_assert_int_eq(json_integer_value(json_object_get(
				 json_object_get(o, "dropped"), "enobufs")),
			 2);
	ck_assert_int_eq(json_integer_value(json_object_get(
				 json_object_get(o, "records"), "lost")),
			 4);
	ck_assert_int_eq(
		json_integer_value(json_object_get(
			json_object_get(json_object_get(o, "rules"),
					"etc-shadow"),
			"matched")),
		7);
	ck_assert_int_eq(
		json_integer_value(json_object_get(
			json_object_get(json_object_get(o, "sinks"),
					"journal"),
			"dropped")),
		5);
	json_decref(o);
	free(text);
	stats_destroy(&s);
}
END_TEST

START_TEST(test_prometheus)
{
	struct stats s;
	struct sink sk, *sinks[1] = { &sk };
	char *text;

	fill(&s, &sk);
	text = stats_render_prometheus(&s, sinks, 1);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text,
		"# TYPE premod_events_received_total counter\n"
		"premod_events_received_total 10\n"));
	ck_assert_ptr_nonnull(strstr(text,
		"premod_events_lost_total{reason=\"queue\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(text,
		"premod_rule_records_total{rule=\"etc-shadow\"} 7\n"));
	/* label values are escaped */
	ck_assert_ptr_nonnull(strstr(text,
		"premod_rule_suppressed_total{rule=\"we\\\"ird\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(text,
		"premod_sink_records_total{sink=\"journal\",result=\"dropped\"} 5\n"));
	/* every metric family has HELP and TYPE */
	{
		const char *p = text;
		int types = 0, helps = 0;

		while ((p = strstr(p, "# TYPE ")) && ++types)
			p++;
		p = text;
		while ((p = strstr(p, "# HELP ")) && ++helps)
			p++;
		ck_assert_int_eq(types, helps);
		ck_assert_int_ge(types, 20);
	}
	free(text);
	stats_destroy(&s);
}
END_TEST

START_TEST(test_write_atomic)
{
	char dir[] = "/tmp/check_stats.XXXXXX", path[64], buf[64];
	FILE *f;
	size_t n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.json", dir);
	ck_assert_int_eq(stats_write_file(path, "{\"a\":1}"), 0);
	ck_assert_int_eq(stats_write_file(path, "{\"a\":2}"), 0);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	ck_assert_str_eq(buf, "{\"a\":2}");
	/* no temporary left behind */
	snprintf(buf, sizeof(buf), "%s/s.json.tmp.%ld", dir, (long)getpid());
	ck_assert_int_ne(access(buf, F_OK), 0);
	ck_assert_int_lt(stats_write_file("/nonexistent/dir/x", "1"), 0);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* What premodctl status/rules/reload read: the active policy's rules with
 * their counters, the last reload's result, the write interval. */
START_TEST(test_policy_and_reload)
{
	static const char pol[] =
		"{\"version\": 1, \"rules\": ["
		" {\"id\": \"shadow\", \"severity\": \"crit\","
		"  \"description\": \"the shadow file\","
		"  \"match\": {\"field\": \"path\", \"eq\": \"/etc/shadow\"},"
		"  \"message\": \"{path}\"},"
		" {\"id\": \"off\", \"severity\": \"info\", \"enabled\": false,"
		"  \"match\": {\"field\": \"path\", \"prefix\": \"/tmp/\"},"
		"  \"message\": \"{path}\"}]}";
	static const char bad[] =
		"{\"version\": 1, \"rules\": [{\"id\": \"x\"}]}";
	struct policy_diags diags = { 0 };
	struct policy *p = NULL, *q = NULL;
	struct stats s;
	const json_t *rules, *r, *last;
	json_t *o;
	char *text;

	ck_assert_int_eq(stats_init(&s), 0);
	s.interval_ms = 5000;
	ck_assert_int_eq(policy_load_buffer("a.json", pol, strlen(pol), &p,
					    &diags), 0);
	policy_diags_free(&diags);	/* the disabled rule's warning */
	ck_assert_int_eq(stats_set_policy_path(&s, "/etc/premod/policy.d"), 0);
	ck_assert_int_eq(stats_set_active_policy(&s, p, 4), 0);
	stats_inc(&stats_rule(&s, "shadow")->matched, 3);
	stats_inc(&stats_rule(&s, "gone")->matched, 1);	/* an older rule */

	text = stats_render_json(&s, NULL, 0);
	o = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(json_integer_value(json_object_get(o,
				"stats_interval_ms")), 5000);
	ck_assert(json_is_null(json_object_get(o, "last_reload")));
	r = json_object_get(o, "policy");
	ck_assert_str_eq(json_string_value(json_object_get(r, "path")),
			 "/etc/premod/policy.d");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "generation")),
			 4);
	rules = json_object_get(r, "rules");
	ck_assert_uint_eq(json_array_size(rules), 2);	/* not "gone" */
	r = json_array_get(rules, 0);
	ck_assert_str_eq(json_string_value(json_object_get(r, "id")), "shadow");
	ck_assert(json_is_true(json_object_get(r, "enabled")));
	ck_assert_str_eq(json_string_value(json_object_get(r, "severity")),
			 "crit");
	ck_assert_str_eq(json_string_value(json_object_get(r, "description")),
			 "the shadow file");
	ck_assert_str_eq(json_string_value(json_object_get(r, "file")),
			 "a.json");
	ck_assert_int_gt(json_integer_value(json_object_get(r, "line")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "matched")), 3);
	r = json_array_get(rules, 1);
	ck_assert_str_eq(json_string_value(json_object_get(r, "id")), "off");
	ck_assert(json_is_false(json_object_get(r, "enabled")));
	ck_assert(json_is_null(json_object_get(r, "description")));
	/* every rule ever loaded keeps its counters */
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
		json_object_get(o, "rules"), "gone"), "matched")), 1);
	json_decref(o);
	free(text);

	/* a failed reload: the diagnostics, the generation that stays */
	ck_assert_int_eq(policy_load_buffer("b.json", bad, strlen(bad), &q,
					    &diags), -EINVAL);
	ck_assert_uint_gt(diags.n, 0);
	stats_set_reload(&s, false, 4, 0, &diags, "fallback");
	text = stats_render_json(&s, NULL, 0);
	o = json_loads(text, 0, NULL);
	last = json_object_get(o, "last_reload");
	ck_assert_str_eq(json_string_value(json_object_get(last, "result")),
			 "failed");
	ck_assert_int_eq(json_integer_value(json_object_get(last, "generation")),
			 4);
	ck_assert_uint_eq(json_array_size(json_object_get(last, "errors")),
			  diags.n);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(
		json_object_get(last, "errors"), 0)), "b.json:"));
	ck_assert_ptr_null(strchr(json_string_value(json_array_get(
		json_object_get(last, "errors"), 0)), '\n'));
	ck_assert_int_gt(strlen(json_string_value(json_object_get(last,
								  "time"))), 0);
	json_decref(o);
	free(text);
	policy_diags_free(&diags);

	/* no diagnostics: the error text stands in */
	stats_set_reload(&s, false, 4, 0, NULL, "cannot derive the prefilter");
	text = stats_render_json(&s, NULL, 0);
	o = json_loads(text, 0, NULL);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(
		json_object_get(o, "last_reload"), "errors"), 0)),
		"cannot derive the prefilter");
	json_decref(o);
	free(text);

	/* success: the new generation and its rule count, no errors */
	stats_set_reload(&s, true, 5, 2, NULL, NULL);
	text = stats_render_json(&s, NULL, 0);
	o = json_loads(text, 0, NULL);
	last = json_object_get(o, "last_reload");
	ck_assert_str_eq(json_string_value(json_object_get(last, "result")),
			 "ok");
	ck_assert_int_eq(json_integer_value(json_object_get(last, "generation")),
			 5);
	ck_assert_int_eq(json_integer_value(json_object_get(last, "rules")), 2);
	ck_assert_uint_eq(json_array_size(json_object_get(last, "errors")), 0);
	json_decref(o);
	free(text);

	policy_free(p);
	stats_destroy(&s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_prometheus);
	tcase_add_test(tc, test_write_atomic);
	tcase_add_test(tc, test_policy_and_reload);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
