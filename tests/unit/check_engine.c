// SPDX-License-Identifier: MIT
/*
 * check_engine - the evaluator with a fake sink: one record per matching
 * rule, loss records and their counters, rate-limit summaries, reload
 * between two events, exe resolution, and the threaded path end to end.
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "premod.h"

#define SEC 1000000000ULL
#define T0 (1764000000ULL * SEC)

static const char *policy_a =
	"{\"version\": 1, \"rules\": ["
	" {\"id\": \"shadow\", \"severity\": \"crit\", \"tags\": [\"cred\"],"
	"  \"match\": {\"field\": \"path\", \"eq\": \"/etc/shadow\"},"
	"  \"message\": \"{comm} touched {path}\"},"
	" {\"id\": \"etc\", \"severity\": \"notice\","
	"  \"match\": {\"field\": \"path\", \"prefix\": \"/etc/\"},"
	"  \"message\": \"{op} {path}\","
	"  \"rate_limit\": {\"max\": 2, \"interval\": \"1s\", \"key\": \"rule\"}}"
	"]}";

static const char *policy_b =
	"{\"version\": 1, \"rules\": ["
	" {\"id\": \"tmp\", \"severity\": \"info\","
	"  \"match\": {\"field\": \"path\", \"prefix\": \"/tmp/\"},"
	"  \"message\": \"{path}\"}"
	"]}";

static const char *policy_exe =
	"{\"version\": 1, \"rules\": ["
	" {\"id\": \"by-exe\", \"severity\": \"info\","
	"  \"match\": {\"field\": \"exe\", \"prefix\": \"/\"},"
	"  \"message\": \"{exe}\"}"
	"]}";

/* The fake sink: every record as parsed JSON, in order. */
static json_t *got[64];
static size_t n_got;

static void collect(struct record *r, void *arg)
{
	json_error_t je;

	(void)arg;
	ck_assert_uint_lt(n_got, 64);
	got[n_got] = json_loadb(r->json, r->json_len, 0, &je);
	ck_assert_msg(got[n_got] != NULL, "record is not JSON: %.*s",
		      (int)r->json_len, r->json);
	n_got++;
}

static void reset(void)
{
	size_t i;

	for (i = 0; i < n_got; i++)
		json_decref(got[i]);
	n_got = 0;
}

static const char *sget(size_t i, const char *key)
{
	return json_string_value(json_object_get(got[i], key));
}

static long long iget(size_t i, const char *key)
{
	return json_integer_value(json_object_get(got[i], key));
}

static struct policy *load(const char *json)
{
	struct policy_diags d = { 0 };
	struct policy *p = NULL;
	int ret = policy_load_buffer("test.json", json, strlen(json), &p, &d);

	if (ret < 0)
		policy_diags_print(&d, stderr);
	policy_diags_free(&d);
	ck_assert_int_eq(ret, 0);
	return p;
}

static struct engine *make(const char *json, struct stats *st, bool exe)
{
	struct engine_config ec = { .host = "testhost", .stats = st,
				    .emit = collect, .resolve_exe = exe };
	struct engine *e = engine_new(&ec, load(json));

	ck_assert_ptr_nonnull(e);
	return e;
}

static void event(struct engine *e, uint64_t seq, uint64_t t,
		  const char *path)
{
	struct pm_event ev = { 0 };
	char dir[256];

	pm_event_set_num(&ev, PM_F_SEQ, seq);
	pm_event_set_num(&ev, PM_F_TIME, t);
	pm_event_set_num(&ev, PM_F_OP, PREMOD_OP_UNLINK);
	pm_event_set_num(&ev, PM_F_TGID, (uint64_t)getpid());
	pm_event_set_str(&ev, PM_F_COMM, "rm");
	pm_event_set_str(&ev, PM_F_PATH, path);
	engine_event(e, &ev, dir, sizeof(dir));
}

START_TEST(test_one_record_per_rule)
{
	struct stats st;
	struct engine *e;

	ck_assert_int_eq(stats_init(&st), 0);
	e = make(policy_a, &st, false);
	event(e, 1, T0, "/etc/shadow");
	ck_assert_uint_eq(n_got, 2);
	ck_assert_str_eq(sget(0, "kind"), "match");
	ck_assert_str_eq(sget(0, "rule"), "shadow");
	ck_assert_str_eq(sget(0, "severity"), "crit");
	ck_assert_str_eq(sget(0, "message"), "rm touched /etc/shadow");
	ck_assert_str_eq(sget(0, "host"), "testhost");
	ck_assert_int_eq(iget(0, "seq"), 1);
	ck_assert_int_eq(iget(0, "generation"), 1);
	ck_assert_str_eq(sget(1, "rule"), "etc");
	/* derived fields are available to rules but the record has the
	 * event's own fields */
	ck_assert_str_eq(sget(1, "path"), "/etc/shadow");
	event(e, 2, T0 + 1, "/var/x");
	ck_assert_uint_eq(n_got, 2);
	ck_assert_uint_eq(atomic_load(&st.evaluated), 2);
	ck_assert_uint_eq(atomic_load(&st.matched), 2);
	ck_assert_uint_eq(atomic_load(&st.records[RECORD_MATCH]), 2);
	ck_assert_uint_eq(atomic_load(&stats_rule(&st, "shadow")->matched), 1);
	engine_free(e);
	stats_destroy(&st);
	reset();
}
END_TEST

START_TEST(test_lost_records)
{
	struct stats st;
	struct engine *e;
	struct evq_lost l = { .seq = 5, .time_ns = T0, .count = 3,
			      .first = 5, .last = 7, .reason = "enobufs" };

	ck_assert_int_eq(stats_init(&st), 0);
	e = make(policy_a, &st, false);
	engine_lost(e, &l);
	l.reason = "queue";
	l.count = 1;
	engine_lost(e, &l);
	ck_assert_uint_eq(n_got, 2);
	ck_assert_str_eq(sget(0, "kind"), "lost");
	ck_assert_str_eq(sget(0, "reason"), "enobufs");
	ck_assert_int_eq(iget(0, "lost_count"), 3);
	ck_assert_int_eq(iget(0, "lost_first"), 5);
	ck_assert_int_eq(iget(0, "lost_last"), 7);
	ck_assert_uint_eq(atomic_load(&st.dropped[STATS_DROP_ENOBUFS]), 3);
	ck_assert_uint_eq(atomic_load(&st.dropped[STATS_DROP_QUEUE]), 1);
	ck_assert_uint_eq(atomic_load(&st.records[RECORD_LOST]), 2);
	engine_free(e);
	stats_destroy(&st);
	reset();
}
END_TEST

START_TEST(test_rate_limit_summary)
{
	struct stats st;
	struct engine *e;
	size_t i, supp = 0, etc = 0;

	ck_assert_int_eq(stats_init(&st), 0);
	e = make(policy_a, &st, false);
	for (i = 0; i < 5; i++)
		event(e, i + 1, T0 + i, "/etc/hosts");
	ck_assert_uint_eq(n_got, 2);
	/* the window closes in event time: the next event reports it */
	event(e, 6, T0 + 3 * SEC, "/var/y");
	engine_expire(e, UINT64_MAX);
	for (i = 0; i < n_got; i++) {
		if (!strcmp(sget(i, "kind"), "suppressed")) {
			supp++;
			ck_assert_int_eq(iget(i, "suppressed"), 3);
			ck_assert_str_eq(sget(i, "rule"), "etc");
		} else {
			etc++;
		}
	}
	ck_assert_uint_eq(supp, 1);
	ck_assert_uint_eq(etc, 2);
	ck_assert_uint_eq(atomic_load(&st.suppressed), 3);
	ck_assert_uint_eq(atomic_load(&stats_rule(&st, "etc")->suppressed), 3);
	engine_free(e);
	stats_destroy(&st);
	reset();
}
END_TEST

static uint64_t swapped_gen;

static void on_swap(uint64_t gen, void *arg)
{
	(void)arg;
	swapped_gen = gen;
}

START_TEST(test_reload_between_events)
{
	struct stats st;
	struct engine_config ec = { .host = "h", .emit = collect,
				    .swapped = on_swap };
	struct engine *e;

	ck_assert_int_eq(stats_init(&st), 0);
	ec.stats = &st;
	e = engine_new(&ec, load(policy_a));
	event(e, 1, T0, "/etc/shadow");
	ck_assert_uint_eq(n_got, 2);
	engine_set_policy(e, load(policy_b));
	/* two reloads in a row: the last wins, the first is freed */
	engine_set_policy(e, load(policy_b));
	ck_assert_uint_eq(engine_generation(e), 1);
	event(e, 2, T0 + 1, "/etc/shadow");
	ck_assert_uint_eq(n_got, 2);	/* the new policy ignores /etc */
	ck_assert_uint_eq(engine_generation(e), 2);
	ck_assert_uint_eq(swapped_gen, 2);
	ck_assert_uint_eq(atomic_load(&st.generation), 2);
	event(e, 3, T0 + 2, "/tmp/a");
	ck_assert_uint_eq(n_got, 3);
	ck_assert_str_eq(sget(2, "rule"), "tmp");
	ck_assert_int_eq(iget(2, "generation"), 2);
	engine_free(e);
	stats_destroy(&st);
	reset();
}
END_TEST

START_TEST(test_exe_only_when_used)
{
	struct stats st;
	struct engine *e;
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	ck_assert_int_gt(n, 0);
	self[n] = '\0';
	ck_assert_int_eq(stats_init(&st), 0);
	e = make(policy_exe, &st, true);
	event(e, 1, T0, "/x");
	ck_assert_uint_eq(n_got, 1);
	ck_assert_str_eq(sget(0, "message"), self);
	ck_assert_uint_eq(atomic_load(&st.exe_lookups), 1);
	engine_free(e);
	reset();
	/* a policy that does not read exe never looks it up */
	e = make(policy_a, &st, true);
	event(e, 2, T0, "/etc/shadow");
	ck_assert_uint_eq(atomic_load(&st.exe_lookups), 1);
	engine_free(e);
	stats_destroy(&st);
	reset();
}
END_TEST

/* The thread: queue in, every record out in order, drained at close. */
START_TEST(test_thread_drains)
{
	struct stats st;
	struct evq q;
	struct engine *e;
	uint64_t s;
	struct evq_lost l = { .seq = 3, .count = 1, .first = 3, .last = 3,
			      .reason = "gap" };

	ck_assert_int_eq(stats_init(&st), 0);
	ck_assert_int_eq(evq_init(&q, 16), 0);
	e = make(policy_b, &st, false);
	ck_assert_int_eq(engine_start(e, &q), 0);
	for (s = 1; s <= 5; s++) {
		struct pm_event ev = { 0 };

		if (s == 3) {
			ck_assert_int_eq(evq_push(&q, evq_item_lost(&l)), 0);
			continue;
		}
		pm_event_set_num(&ev, PM_F_SEQ, s);
		pm_event_set_num(&ev, PM_F_TIME, T0 + s);
		pm_event_set_str(&ev, PM_F_PATH, "/tmp/f");
		ck_assert_int_eq(evq_push(&q, evq_item_event(&ev)), 0);
	}
	evq_close(&q);
	engine_join(e);
	ck_assert_uint_eq(n_got, 5);
	ck_assert_int_eq(iget(0, "seq"), 1);
	ck_assert_int_eq(iget(1, "seq"), 2);
	ck_assert_str_eq(sget(2, "kind"), "lost");
	ck_assert_int_eq(iget(3, "seq"), 4);
	ck_assert_int_eq(iget(4, "seq"), 5);
	engine_free(e);
	evq_destroy(&q);
	stats_destroy(&st);
	reset();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_one_record_per_rule);
	tcase_add_test(tc, test_lost_records);
	tcase_add_test(tc, test_rate_limit_summary);
	tcase_add_test(tc, test_reload_between_events);
	tcase_add_test(tc, test_exe_only_when_used);
	tcase_add_test(tc, test_thread_drains);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
