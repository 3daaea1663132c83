// SPDX-License-Identifier: MIT
/* check_stats - the stats JSON premodctl reads and the Prometheus text. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int main(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_prometheus);
	tcase_add_test(tc, test_write_atomic);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
