// SPDX-License-Identifier: MIT
/*
 * check_record.c - audit records: the exact JSONL text of every kind, the
 * key/value list in JSON order, independence from the event and policy,
 * and reference counting.
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "fixture_record.h"
#include "premod.h"

static const struct {
	uint64_t ns;
	const char *text;
} time_cases[] = {
	{ 0, "1970-01-01T00:00:00.000000000Z" },
	{ 1, "1970-01-01T00:00:00.000000001Z" },
	{ 999999999, "1970-01-01T00:00:00.999999999Z" },
	{ FX_TIME, "2025-11-24T22:28:46.123456789Z" },
	{ 951782400000000000ULL, "2000-02-29T00:00:00.000000000Z" },
	{ 4102444799999999999ULL, "2099-12-31T23:59:59.999999999Z" },
};

START_TEST(test_format_time)
{
	char buf[64];
	size_t n = record_format_time(time_cases[_i].ns, buf, sizeof(buf));

	ck_assert_str_eq(buf, time_cases[_i].text);
	ck_assert_uint_eq(n, strlen(time_cases[_i].text));
}
END_TEST

START_TEST(test_format_time_small_buffer)
{
	char buf[8];
	size_t n = record_format_time(FX_TIME, buf, sizeof(buf));

	ck_assert_uint_eq(n, 30);
	ck_assert_uint_eq(strlen(buf), 7);
}
END_TEST

START_TEST(test_match_json)
{
	struct policy *p = fx_policy_load();
	struct record *r = fx_match(p, "/usr/bin/su");

	ck_assert_str_eq(r->json, FX_MATCH_JSON);
	ck_assert_uint_eq(r->json_len, strlen(FX_MATCH_JSON));
	ck_assert_int_eq(r->kind, RECORD_MATCH);
	ck_assert_int_eq(r->priority, LOG_WARNING);
	ck_assert_uint_eq(r->outputs, POLICY_OUT_ALL);
	ck_assert_uint_eq(r->seq, 42);
	ck_assert_str_eq(r->rule, "setuid-added");
	ck_assert_str_eq(r->message, "chmod made /usr/bin/su setuid");
	record_put(r);
	policy_free(p);
}
END_TEST

/* The key/value list is the JSON object, in order, as exact strings. */
static void assert_kv_follows_json(const struct record *r)
{
	json_error_t err;
	json_t *o = json_loads(r->json, JSON_PRESERVE_ORDER, &err);
	const char *key;
	json_t *v;
	size_t i = 0;

	ck_assert_msg(o, "record is not JSON: %s: %s", err.text, r->json);
	json_object_foreach(o, key, v) {
		size_t kl = strlen(key);

		/* exact bytes are the kv value itself, no _hex twin */
		if (kl > 4 && strcmp(key + kl - 4, "_hex") == 0)
			continue;
		ck_assert_uint_lt(i, r->n_kv);
		ck_assert_str_eq(r->kv[i].key, key);
		/* a lossy JSON string (U+FFFD) differs from the exact bytes */
		if (json_is_string(v) &&
		    !strstr(json_string_value(v), "\xEF\xBF\xBD"))
			ck_assert_msg(strcmp(r->kv[i].value,
					     json_string_value(v)) == 0,
				      "kv %s differs from JSON", key);
		i++;
	}
	ck_assert_uint_eq(i, r->n_kv);
	json_decref(o);
}

static const struct {
	const char *key, *value;
} match_kv[] = {
	{ "seq", "42" },
	{ "time", "2025-11-24T22:28:46.123456789Z" },
	{ "host", "testhost" },
	{ "op", "chmod" },
	{ "flags", "0" },
	{ "uid", "0" },
	{ "auid", "1000" },
	{ "mode", "0100755" },
	{ "path", "/usr/bin/su" },
	{ "old_mode", "0100755" },
	{ "new_mode", "0104755" },
	{ "kind", "match" },
	{ "rule", "setuid-added" },
	{ "severity", "warning" },
	{ "tags", "integrity,setuid" },
	{ "message", "chmod made /usr/bin/su setuid" },
	{ "generation", "7" },
};

START_TEST(test_match_kv)
{
	struct policy *p = fx_policy_load();
	struct record *r = fx_match(p, "/usr/bin/su");
	const char *v = fx_kv(r, match_kv[_i].key);

	ck_assert_msg(v, "no kv %s", match_kv[_i].key);
	ck_assert_str_eq(v, match_kv[_i].value);
	assert_kv_follows_json(r);
	record_put(r);
	policy_free(p);
}
END_TEST

/*
 * Nothing in a record points into the event or the policy: both are freed
 * (and their memory scribbled over) before the record is read. ASan turns
 * a dangling pointer into a failure.
 */
START_TEST(test_match_owns_its_memory)
{
	struct policy *p = fx_policy_load();
	char *path = strdup("/usr/bin/su"), *comm = strdup("chmod");
	char *host = strdup(FX_HOST);
	struct record_ctx ctx = { .host = host, .generation = 7 };
	struct pm_event ev;
	struct record *r;

	fx_event(&ev, path);
	pm_event_set_str(&ev, PM_F_COMM, comm);
	r = record_match(&ctx, &ev, policy_rule_at(p, 0));
	ck_assert_ptr_nonnull(r);
	memset(path, 'x', strlen(path));
	memset(comm, 'x', strlen(comm));
	memset(host, 'x', strlen(host));
	free(path);
	free(comm);
	free(host);
	memset(&ev, 0xa5, sizeof(ev));
	policy_free(p);

	ck_assert_str_eq(r->json, FX_MATCH_JSON);
	for (size_t i = 0; i < r->n_kv; i++)
		ck_assert_ptr_nonnull(r->kv[i].value);
	ck_assert_str_eq(r->rule, "setuid-added");
	record_put(r);
}
END_TEST

/* A path is bytes: invalid UTF-8 gives U+FFFD plus path_hex in JSON, the
 * exact bytes in the kv value. */
START_TEST(test_match_invalid_utf8)
{
	struct policy *p = fx_policy_load();
	struct record *r = fx_match(p, "/tmp/\xff\"x\n");

	ck_assert_ptr_nonnull(strstr(r->json,
		"\"path\":\"/tmp/\xEF\xBF\xBD\\\"x\\n\","
		"\"path_hex\":\"2f746d702fff22780a\""));
	ck_assert_str_eq(fx_kv(r, "path"), "/tmp/\xff\"x\n");
	assert_kv_follows_json(r);
	record_put(r);
	policy_free(p);
}
END_TEST

/* Longer than the stack buffers: the rendering falls back to the heap. */
START_TEST(test_match_long_path)
{
	struct policy *p = fx_policy_load();
	size_t n = PREMOD_PATH_MAX - 1;
	char *path = malloc(n + 1);
	struct record *r;

	path[0] = '/';
	for (size_t i = 1; i < n; i++)
		path[i] = (char)(i % 3 ? 'a' : 0xfe);
	path[n] = '\0';
	r = fx_match(p, path);
	ck_assert_str_eq(fx_kv(r, "path"), path);
	ck_assert_uint_gt(r->json_len, 3 * n);
	ck_assert_uint_gt(strlen(r->message), n);
	assert_kv_follows_json(r);
	record_put(r);
	free(path);
	policy_free(p);
}
END_TEST

START_TEST(test_config)
{
	struct pm_event ev = { 0 };
	struct record *r;

	pm_event_set_num(&ev, PM_F_SEQ, 9);
	pm_event_set_num(&ev, PM_F_TIME, 1);
	pm_event_set_num(&ev, PM_F_OP, PREMOD_OP_CONFIG);
	pm_event_set_num(&ev, PM_F_TGID, 77);
	pm_event_set_num(&ev, PM_F_UID, 0);
	pm_event_set_num(&ev, PM_F_AUID, 1000);
	pm_event_set_str(&ev, PM_F_COMM, "premodctl");
	pm_event_set_str(&ev, PM_F_EXE, "/usr/sbin/premodctl");
	pm_event_set_num(&ev, PM_F_CONFIG_ACTION, PREMOD_CONFIG_SET_FILTER);
	pm_event_set_str(&ev, PM_F_CONFIG_DETAIL, "ops=0 include=/etc");
	r = record_config(&fx_ctx, &ev);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->kind, RECORD_CONFIG);
	ck_assert_ptr_null(r->rule);
	ck_assert_uint_eq(r->seq, 9);
	ck_assert_int_eq(r->priority, LOG_NOTICE);
	ck_assert_ptr_nonnull(strstr(r->json, "\"op\":\"config\""));
	ck_assert_ptr_nonnull(strstr(r->json,
		"\"exe\":\"/usr/sbin/premodctl\",\"kind\":\"config\","
		"\"severity\":\"notice\",\"tags\":[],"));
	ck_assert_str_eq(fx_kv(r, "message"),
			 "premod config: set_filter by premodctl[77] uid=0 "
			 "auid=1000 exe=/usr/sbin/premodctl: ops=0 include=/etc");
	ck_assert_str_eq(fx_kv(r, "config_detail"), "ops=0 include=/etc");
	assert_kv_follows_json(r);
	record_put(r);
}
END_TEST

START_TEST(test_match_exe_and_missing_seq)
{
	struct policy *p = fx_policy_load();
	struct pm_event ev;
	struct record *r;

	fx_event(&ev, "/usr/bin/su");
	ev.has &= ~(1ULL << PM_F_SEQ | 1ULL << PM_F_TIME);
	pm_event_set_str(&ev, PM_F_EXE, "/usr/bin/chmod");
	r = record_match(&fx_ctx, &ev, policy_rule_at(p, 0));
	ck_assert_ptr_nonnull(r);
	/* a replayed event without seq/time has neither in its record */
	ck_assert_msg(strncmp(r->json, "{\"host\":\"testhost\",\"op\":", 24) == 0,
		      "%s", r->json);
	ck_assert_ptr_nonnull(strstr(r->json,
		"\"new_mode\":35309,\"exe\":\"/usr/bin/chmod\",\"kind\""));
	ck_assert_uint_eq(r->seq, 0);
	ck_assert_str_eq(fx_kv(r, "exe"), "/usr/bin/chmod");
	assert_kv_follows_json(r);
	record_put(r);
	policy_free(p);
}
END_TEST

static const struct {
	uint64_t seq, count, first, last;
	const char *reason, *json;
} lost_cases[] = {
	{ 100, 5, 95, 99, "kernel",
	  "{\"seq\":100,\"time\":\"2025-11-24T22:28:46.123456789Z\","
	  "\"host\":\"testhost\",\"kind\":\"lost\",\"severity\":\"warning\","
	  "\"lost_count\":5,\"lost_first\":95,\"lost_last\":99,"
	  "\"reason\":\"kernel\","
	  "\"message\":\"5 events lost in the kernel (seq 95..99)\","
	  "\"generation\":7}" },
	{ 0, 3, 10, 12, "gap",
	  "{\"time\":\"2025-11-24T22:28:46.123456789Z\","
	  "\"host\":\"testhost\",\"kind\":\"lost\",\"severity\":\"warning\","
	  "\"lost_count\":3,\"lost_first\":10,\"lost_last\":12,"
	  "\"reason\":\"gap\","
	  "\"message\":\"3 events missing from the sequence (seq 10..12)\","
	  "\"generation\":7}" },
	{ 0, 1, 0, 0, "enobufs",
	  "{\"time\":\"2025-11-24T22:28:46.123456789Z\","
	  "\"host\":\"testhost\",\"kind\":\"lost\",\"severity\":\"warning\","
	  "\"lost_count\":1,\"lost_first\":0,\"lost_last\":0,"
	  "\"reason\":\"enobufs\","
	  "\"message\":\"1 event lost: netlink receive buffer overflow\","
	  "\"generation\":7}" },
	{ 0, 7, 1, 9, "queue",
	  "{\"time\":\"2025-11-24T22:28:46.123456789Z\","
	  "\"host\":\"testhost\",\"kind\":\"lost\",\"severity\":\"warning\","
	  "\"lost_count\":7,\"lost_first\":1,\"lost_last\":9,"
	  "\"reason\":\"queue\","
	  "\"message\":\"7 events dropped: daemon event queue full (seq 1..9)\","
	  "\"generation\":7}" },
	{ 0, 2, 4, 8, "sink:journal",
	  "{\"time\":\"2025-11-24T22:28:46.123456789Z\","
	  "\"host\":\"testhost\",\"kind\":\"lost\",\"severity\":\"warning\","
	  "\"lost_count\":2,\"lost_first\":4,\"lost_last\":8,"
	  "\"reason\":\"sink:journal\","
	  "\"message\":\"2 records lost by sink journal (queue full or write failed) (seq 4..8)\","
	  "\"generation\":7}" },
};

START_TEST(test_lost)
{
	struct record *r = record_lost(&fx_ctx, lost_cases[_i].seq, FX_TIME,
				       lost_cases[_i].count,
				       lost_cases[_i].first,
				       lost_cases[_i].last,
				       lost_cases[_i].reason);

	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->json, lost_cases[_i].json);
	ck_assert_int_eq(r->kind, RECORD_LOST);
	ck_assert_int_eq(r->priority, LOG_WARNING);
	ck_assert_uint_eq(r->outputs, POLICY_OUT_ALL);
	ck_assert_uint_eq(r->seq, lost_cases[_i].seq);
	ck_assert_ptr_null(r->rule);
	ck_assert_str_eq(fx_kv(r, "reason"), lost_cases[_i].reason);
	ck_assert_str_eq(r->message, fx_kv(r, "message"));
	assert_kv_follows_json(r);
	record_put(r);
}
END_TEST

static const struct {
	const char *path;
	uint32_t tgid;
	const char *json;
} supp_cases[] = {
	{ NULL, 0,
	  "{\"time\":\"2025-11-24T22:28:46.123456789Z\",\"host\":\"testhost\","
	  "\"kind\":\"suppressed\",\"rule\":\"setuid-added\","
	  "\"severity\":\"warning\",\"suppressed\":12,"
	  "\"window_start\":\"2025-11-24T22:28:36.123456789Z\","
	  "\"window_end\":\"2025-11-24T22:28:46.123456789Z\","
	  "\"message\":\"12 similar records suppressed (rule setuid-added)\","
	  "\"generation\":7}" },
	{ "/etc/shadow", 0,
	  "{\"time\":\"2025-11-24T22:28:46.123456789Z\",\"host\":\"testhost\","
	  "\"kind\":\"suppressed\",\"rule\":\"setuid-added\","
	  "\"severity\":\"warning\",\"suppressed\":12,"
	  "\"window_start\":\"2025-11-24T22:28:36.123456789Z\","
	  "\"window_end\":\"2025-11-24T22:28:46.123456789Z\","
	  "\"path\":\"/etc/shadow\","
	  "\"message\":\"12 similar records suppressed (rule setuid-added, same path)\","
	  "\"generation\":7}" },
	{ NULL, 4321,
	  "{\"time\":\"2025-11-24T22:28:46.123456789Z\",\"host\":\"testhost\","
	  "\"kind\":\"suppressed\",\"rule\":\"setuid-added\","
	  "\"severity\":\"warning\",\"suppressed\":12,"
	  "\"window_start\":\"2025-11-24T22:28:36.123456789Z\","
	  "\"window_end\":\"2025-11-24T22:28:46.123456789Z\","
	  "\"tgid\":4321,"
	  "\"message\":\"12 similar records suppressed (rule setuid-added, tgid 4321)\","
	  "\"generation\":7}" },
};

START_TEST(test_suppressed)
{
	struct record *r = fx_suppressed(supp_cases[_i].path,
					 supp_cases[_i].tgid);

	ck_assert_str_eq(r->json, supp_cases[_i].json);
	ck_assert_int_eq(r->kind, RECORD_SUPPRESSED);
	ck_assert_int_eq(r->priority, LOG_WARNING);
	ck_assert_uint_eq(r->seq, 0);
	ck_assert_str_eq(r->rule, "setuid-added");
	ck_assert_str_eq(fx_kv(r, "suppressed"), "12");
	assert_kv_follows_json(r);
	record_put(r);
}
END_TEST

START_TEST(test_suppressed_outputs)
{
	struct ratelimit_summary s = { .rule_id = "r", .suppressed = 1 };
	struct record *r = record_suppressed(&fx_ctx, &s, LOG_ERR,
					     POLICY_OUT_SYSLOG);

	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->outputs, POLICY_OUT_SYSLOG);
	ck_assert_int_eq(r->priority, LOG_ERR);
	ck_assert_str_eq(fx_kv(r, "severity"), "err");
	record_put(r);
}
END_TEST

START_TEST(test_refcount)
{
	struct record *r = fx_lost(10, 1);

	ck_assert_ptr_eq(record_get(r), r);
	ck_assert_int_eq(atomic_load(&r->refs), 2);
	record_put(r);
	ck_assert_int_eq(atomic_load(&r->refs), 1);
	record_put(r);		/* freed: ASan reports a leak otherwise */
	record_put(NULL);
}
END_TEST

static Suite *record_suite(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("record");

	tcase_add_loop_test(tc, test_format_time, 0,
			    sizeof(time_cases) / sizeof(time_cases[0]));
	tcase_add_test(tc, test_format_time_small_buffer);
	tcase_add_test(tc, test_match_json);
	tcase_add_loop_test(tc, test_match_kv, 0,
			    sizeof(match_kv) / sizeof(match_kv[0]));
	tcase_add_test(tc, test_match_owns_its_memory);
	tcase_add_test(tc, test_match_invalid_utf8);
	tcase_add_test(tc, test_match_long_path);
	tcase_add_test(tc, test_match_exe_and_missing_seq);
	tcase_add_test(tc, test_config);
	tcase_add_loop_test(tc, test_lost, 0,
			    sizeof(lost_cases) / sizeof(lost_cases[0]));
	tcase_add_loop_test(tc, test_suppressed, 0,
			    sizeof(supp_cases) / sizeof(supp_cases[0]));
	tcase_add_test(tc, test_suppressed_outputs);
	tcase_add_test(tc, test_refcount);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(record_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
