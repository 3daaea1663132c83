// SPDX-License-Identifier: MIT
/*
 * check_ratelimit - fixed windows per key, suppression summaries, expiry,
 * the overflow bucket past max_keys, and state kept across a reload.
 * Time is passed in, so every window edge is exact.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "premod.h"
#include "ratelimit.h"

#define S 1000000000ULL

struct seen {
	int n;
	struct {
		char rule[32], path[64];
		bool has_path;
		uint32_t tgid;
		uint64_t suppressed, start, end;
	} v[16];
};

static void on_summary(const struct ratelimit_summary *s, void *arg)
{
	struct seen *seen = arg;

	ck_assert_int_lt(seen->n, 16);
	strcpy(seen->v[seen->n].rule, s->rule_id);
	seen->v[seen->n].has_path = s->path != NULL;
	if (s->path)
		strcpy(seen->v[seen->n].path, s->path);
	seen->v[seen->n].tgid = s->tgid;
	seen->v[seen->n].suppressed = s->suppressed;
	seen->v[seen->n].start = s->window_start_ns;
	seen->v[seen->n].end = s->window_end_ns;
	seen->n++;
}

static struct policy *load(const char *rl_rule, const char *rl_path, const char *rl_tgid)
{
	char text[2048];
	struct policy_diags d = { 0 };
	struct policy *p = NULL;

	snprintf(text, sizeof(text),
		 "{\"version\":1,\"rules\":["
		 "{\"id\":\"per-rule\",\"match\":{\"field\":\"uid\",\"ge\":0}%s},"
		 "{\"id\":\"per-path\",\"match\":{\"field\":\"uid\",\"ge\":0}%s},"
		 "{\"id\":\"per-tgid\",\"match\":{\"field\":\"uid\",\"ge\":0}%s},"
		 "{\"id\":\"free\",\"match\":{\"field\":\"uid\",\"ge\":0}}]}",
		 rl_rule, rl_path, rl_tgid);
	ck_assert_int_eq(policy_load_buffer("rl.json", text, strlen(text), &p, &d), 0);
	policy_diags_free(&d);
	return p;
}

static struct policy *load_default(void)
{
	return load(",\"rate_limit\":{\"max\":2,\"interval\":10}",
		    ",\"rate_limit\":{\"max\":1,\"interval\":\"10s\",\"key\":\"rule+path\"}",
		    ",\"rate_limit\":{\"max\":1,\"interval\":\"500ms\",\"key\":\"rule+tgid\"}");
}

static struct pm_event ev_of(const char *path, uint32_t tgid)
{
	struct pm_event ev = { 0 };

	pm_event_set_num(&ev, PM_F_OP, PREMOD_OP_UNLINK);
	pm_event_set_num(&ev, PM_F_UID, 0);
	pm_event_set_num(&ev, PM_F_TGID, tgid);
	if (path)
		pm_event_set_str(&ev, PM_F_PATH, path);
	return ev;
}

START_TEST(test_per_rule_window)
{
	struct policy *p = load_default();
	const struct policy_rule *r = policy_rule_at(p, 0);
	struct ratelimit *rl = ratelimit_new(100);
	struct pm_event ev = ev_of("/etc/a", 1);
	struct seen seen = { 0 };
	/* time, expected pass */
	static const struct { uint64_t t; bool pass; } steps[] = {
		{ 0, true }, { 1 * S, true }, { 2 * S, false }, { 9 * S, false },
		{ 10 * S - 1, false },
		{ 10 * S, true },	/* new window; the old one owes a summary */
		{ 11 * S, true }, { 12 * S, false },
	};

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		ev = ev_of(i % 2 ? "/etc/a" : "/etc/b", (uint32_t)i);	/* key ignores both */
		ck_assert_msg(ratelimit_check(rl, r, &ev, steps[i].t, on_summary, &seen) ==
			      steps[i].pass, "step %zu", i);
		ck_assert_int_eq(seen.n, i < 5 ? 0 : 1);
	}
	ck_assert_str_eq(seen.v[0].rule, "per-rule");
	ck_assert_uint_eq(seen.v[0].suppressed, 3);
	ck_assert_uint_eq(seen.v[0].start, 0);
	ck_assert_uint_eq(seen.v[0].end, 10 * S);
	ck_assert(!seen.v[0].has_path);
	ck_assert_uint_eq(seen.v[0].tgid, 0);
	/* expiry: nothing before the window ends, the summary at its end */
	ratelimit_expire(rl, 19 * S, on_summary, &seen);
	ck_assert_int_eq(seen.n, 1);
	ratelimit_expire(rl, 20 * S, on_summary, &seen);
	ck_assert_int_eq(seen.n, 2);
	ck_assert_uint_eq(seen.v[1].suppressed, 1);
	ck_assert_uint_eq(seen.v[1].start, 10 * S);
	/* forgotten: a new window starts fresh, nothing more to report */
	ck_assert(ratelimit_check(rl, r, &ev, 21 * S, on_summary, &seen));
	ratelimit_expire(rl, UINT64_MAX, on_summary, &seen);
	ck_assert_int_eq(seen.n, 2);	/* a window without suppression owes nothing */
	ratelimit_free(rl);
	policy_free(p);
}
END_TEST

START_TEST(test_per_path_and_tgid)
{
	struct policy *p = load_default();
	const struct policy_rule *rp = policy_rule_at(p, 1), *rt = policy_rule_at(p, 2);
	struct ratelimit *rl = ratelimit_new(100);
	struct seen seen = { 0 };
	struct pm_event a = ev_of("/etc/a", 7), b = ev_of("/etc/b", 8), none = ev_of(NULL, 7);

	ck_assert(ratelimit_check(rl, rp, &a, 0, on_summary, &seen));
	ck_assert(ratelimit_check(rl, rp, &b, 0, on_summary, &seen));	/* other key */
	ck_assert(!ratelimit_check(rl, rp, &a, 1, on_summary, &seen));
	ck_assert(!ratelimit_check(rl, rp, &a, 2, on_summary, &seen));
	ck_assert(ratelimit_check(rl, rp, &none, 2, on_summary, &seen));	/* no path: own key */
	ck_assert(ratelimit_check(rl, rt, &a, 0, on_summary, &seen));
	ck_assert(ratelimit_check(rl, rt, &b, 1, on_summary, &seen));	/* tgid 8 */
	ck_assert(!ratelimit_check(rl, rt, &a, 1, on_summary, &seen));
	ck_assert_int_eq(seen.n, 0);
	ratelimit_expire(rl, UINT64_MAX, on_summary, &seen);
	ck_assert_int_eq(seen.n, 2);
	for (int i = 0; i < 2; i++) {
		if (!strcmp(seen.v[i].rule, "per-path")) {
			ck_assert(seen.v[i].has_path);
			ck_assert_str_eq(seen.v[i].path, "/etc/a");
			ck_assert_uint_eq(seen.v[i].suppressed, 2);
		} else {
			ck_assert_str_eq(seen.v[i].rule, "per-tgid");
			ck_assert(!seen.v[i].has_path);
			ck_assert_uint_eq(seen.v[i].tgid, 7);
			ck_assert_uint_eq(seen.v[i].suppressed, 1);
			ck_assert_uint_eq(seen.v[i].end, 500000000ULL);
		}
	}
	ratelimit_free(rl);
	policy_free(p);
}
END_TEST

START_TEST(test_no_limit_passes)
{
	struct policy *p = load_default();
	struct ratelimit *rl = ratelimit_new(1);
	struct pm_event ev = ev_of("/x", 1);
	struct seen seen = { 0 };

	for (int i = 0; i < 1000; i++)
		ck_assert(ratelimit_check(rl, policy_rule_at(p, 3), &ev, 0, on_summary, &seen));
	ratelimit_expire(rl, UINT64_MAX, on_summary, &seen);
	ck_assert_int_eq(seen.n, 0);
	ratelimit_free(rl);
	policy_free(p);
}
END_TEST

START_TEST(test_overflow_bucket)
{
	/* max_keys 2: paths past the second share one bucket of the rule,
	 * limited together and summarised without a path. */
	struct policy *p = load_default();
	const struct policy_rule *rp = policy_rule_at(p, 1);
	struct ratelimit *rl = ratelimit_new(2);
	struct seen seen = { 0 };
	char path[32];
	int passed = 0;

	for (int i = 0; i < 10; i++) {
		struct pm_event ev;

		snprintf(path, sizeof(path), "/f%d", i);
		ev = ev_of(path, 1);
		passed += ratelimit_check(rl, rp, &ev, 0, on_summary, &seen);
	}
	ck_assert_int_eq(passed, 3);	/* /f0, /f1, and one for the bucket */
	ratelimit_expire(rl, UINT64_MAX, on_summary, &seen);
	ck_assert_int_eq(seen.n, 1);
	ck_assert(!seen.v[0].has_path);
	ck_assert_uint_eq(seen.v[0].suppressed, 7);
	ratelimit_free(rl);
	policy_free(p);
}
END_TEST

START_TEST(test_survives_reload)
{
	/* A new policy with the same rule id continues the same window. */
	struct policy *p1 = load_default(), *p2;
	struct ratelimit *rl = ratelimit_new(100);
	struct pm_event ev = ev_of("/x", 1);
	struct seen seen = { 0 };

	ck_assert(ratelimit_check(rl, policy_rule_at(p1, 0), &ev, 0, on_summary, &seen));
	ck_assert(ratelimit_check(rl, policy_rule_at(p1, 0), &ev, 1, on_summary, &seen));
	policy_free(p1);
	p2 = load_default();
	ck_assert(!ratelimit_check(rl, policy_rule_at(p2, 0), &ev, 2, on_summary, &seen));
	ratelimit_expire(rl, UINT64_MAX, on_summary, &seen);
	ck_assert_int_eq(seen.n, 1);
	ck_assert_uint_eq(seen.v[0].suppressed, 1);
	ratelimit_free(rl);
	policy_free(p2);
}
END_TEST

START_TEST(test_many_keys)
{
	/* growth of the table and expiry of many keys keep counts exact */
	struct policy *p = load_default();
	const struct policy_rule *rt = policy_rule_at(p, 2);
	struct ratelimit *rl = ratelimit_new(100000);
	struct seen seen = { 0 };
	int passed = 0;

	for (uint32_t t = 0; t < 5000; t++) {
		struct pm_event ev = ev_of("/x", t);

		passed += ratelimit_check(rl, rt, &ev, 0, NULL, NULL);
		passed += ratelimit_check(rl, rt, &ev, 1, NULL, NULL);
	}
	ck_assert_int_eq(passed, 5000);
	ratelimit_expire(rl, UINT64_MAX, NULL, NULL);
	ratelimit_expire(rl, UINT64_MAX, on_summary, &seen);
	ck_assert_int_eq(seen.n, 0);	/* all forgotten by the first expire */
	ratelimit_free(rl);
	policy_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *t = tcase_create("ratelimit");
	SRunner *r;
	int failed;

	tcase_add_test(t, test_per_rule_window);
	tcase_add_test(t, test_per_path_and_tgid);
	tcase_add_test(t, test_no_limit_passes);
	tcase_add_test(t, test_overflow_bucket);
	tcase_add_test(t, test_survives_reload);
	tcase_add_test(t, test_many_keys);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
