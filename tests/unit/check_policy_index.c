// SPDX-License-Identifier: MIT
/*
 * check_policy_index - property test: the indexed matcher (op buckets and
 * path-prefix trie) returns exactly what evaluating every enabled rule in
 * order returns, over random policies and random events (fixed seeds), for
 * every `max` including truncation.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_policy_gen.h"
#include "policy.h"

#define POLICIES 400
#define EVENTS 400
#define MAXOUT 64

static void check_policy_seed(uint64_t seed, int nrules, size_t *matched)
{
	static char text[1 << 20];
	const struct policy_rule *a[MAXOUT], *b[MAXOUT];
	struct policy_diags d = { 0 };
	struct policy *p;
	uint64_t s = seed;
	int rc;

	gen_policy(&s, text, sizeof(text), nrules, 50);
	rc = policy_load_buffer("gen.json", text, strlen(text), &p, &d);
	if (rc) {
		policy_diags_print(&d, stderr);
		fprintf(stderr, "%s\n", text);
		ck_abort_msg("seed %llu: generated policy did not load",
			     (unsigned long long)seed);
	}
	for (int e = 0; e < EVENTS; e++) {
		struct gen_event g;
		size_t max = gen_rand(&s) % 4 ? MAXOUT : gen_rand(&s) % 3;
		size_t na, nb;

		gen_event(&s, &g);
		na = policy_match(p, &g.ev, a, max);
		nb = policy_match_naive(p, &g.ev, b, max);
		if (na != nb)
			fprintf(stderr, "%s\n", text);
		ck_assert_msg(na == nb, "seed %llu event %d: indexed %zu naive %zu",
			      (unsigned long long)seed, e, na, nb);
		for (size_t i = 0; i < na && i < max; i++)
			ck_assert_msg(a[i] == b[i], "seed %llu event %d: result %zu differs (%s vs %s)",
				      (unsigned long long)seed, e, i,
				      policy_rule_id(a[i]), policy_rule_id(b[i]));
		*matched += nb;
	}
	policy_free(p);
	policy_diags_free(&d);
}

START_TEST(test_index_equals_naive)
{
	size_t matched = 0;

	for (uint64_t seed = 1; seed <= POLICIES; seed++)
		check_policy_seed(seed * 0x9E3779B97F4A7C15ULL, 1 + (int)(seed % 60), &matched);
	/* the corpus must exercise matching, not only misses */
	ck_assert_uint_gt(matched, POLICIES * EVENTS / 10);
}
END_TEST

START_TEST(test_index_large_policy)
{
	size_t matched = 0;

	check_policy_seed(42, 1000, &matched);
	ck_assert_uint_gt(matched, 0);
}
END_TEST

/* A glob's component hangs its rule only when the glob alone bounds it:
 * here the key "/etc/" of the second glob absorbs "/etc/a/", and /etc/a/x
 * has no component "b". */
START_TEST(test_index_glob_absorbs_key)
{
	static const char *const pols[] = {
		"{\"version\":1,\"rules\":[{\"id\":\"r\",\"match\":{\"field\":\"path\",\"glob\":[\"/etc/a/*\",\"/etc/*/b\"]}}]}",
		"{\"version\":1,\"rules\":[{\"id\":\"r\",\"match\":{\"any\":[{\"field\":\"path\",\"prefix\":\"/etc/a/\"},{\"field\":\"path\",\"glob\":\"/etc/*/b\"}]}}]}",
	};

	for (size_t i = 0; i < sizeof(pols) / sizeof(pols[0]); i++) {
		struct policy_diags d = { 0 };
		const struct policy_rule *out[1];
		struct gen_event g = { 0 };
		struct policy *p;

		ck_assert_int_eq(policy_load_buffer("g.json", pols[i], strlen(pols[i]), &p, &d), 0);
		pm_event_set_num(&g.ev, PM_F_OP, PREMOD_OP_CREATE);
		pm_event_set_str(&g.ev, PM_F_PATH, "/etc/a/x");
		ck_assert_uint_eq(policy_match_naive(p, &g.ev, out, 1), 1);
		ck_assert_uint_eq(policy_match(p, &g.ev, out, 1), 1);
		policy_free(p);
		policy_diags_free(&d);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy_index");
	TCase *t = tcase_create("property");
	SRunner *r;
	int failed;

	tcase_set_timeout(t, 120);
	tcase_add_test(t, test_index_equals_naive);
	tcase_add_test(t, test_index_large_policy);
	tcase_add_test(t, test_index_glob_absorbs_key);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
