// SPDX-License-Identifier: MIT
/*
 * check_prefilter - the in-kernel filter derived from a policy: a table of
 * policies with the exact filter each allows, the merge to the kernel's
 * path limit, resolving missing directories, and a property test that no
 * event any rule matches is ever filtered out.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_policy_gen.h"
#include "policy.h"
#include "premod.h"

#define OP(x) (1u << PREMOD_OP_##x)
#define KOPS 0x7ffeu	/* create..removexattr */

struct pf_case {
	const char *rules;	/* the "rules" array's members */
	uint32_t ops;
	bool all;
	const char *include;	/* space-separated, sorted */
	const char *why;	/* unbounded_rule */
};

static const struct pf_case pf_cases[] = {
	/* ops: eq narrows; ne and not widen; any unites; all intersects */
	{ "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"unlink\"},{\"field\":\"path\",\"prefix\":\"/etc/\"}]}}",
	  OP(UNLINK), false, "/etc", NULL },
	{ "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"in\":[\"unlink\",\"rename\"]},{\"field\":\"op\",\"in\":[\"rename\",\"chmod\"]},{\"field\":\"path\",\"prefix\":\"/etc/\"}]}}",
	  OP(RENAME), false, "/etc", NULL },
	{ "{\"id\":\"a\",\"match\":{\"any\":[{\"all\":[{\"field\":\"op\",\"eq\":\"unlink\"},{\"field\":\"path\",\"eq\":\"/etc/shadow\"}]},{\"all\":[{\"field\":\"op\",\"eq\":\"chmod\"},{\"field\":\"path\",\"prefix\":\"/usr/bin/\"}]}]}}",
	  OP(UNLINK) | OP(CHMOD), false, "/etc /usr/bin", NULL },
	{ "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"ne\":\"unlink\"},{\"field\":\"op\",\"ne\":\"setxattr\"},{\"field\":\"op\",\"ne\":\"removexattr\"},{\"field\":\"path\",\"prefix\":\"/etc/\"}]}}",
	  KOPS & ~OP(UNLINK) & ~OP(SETXATTR) & ~OP(REMOVEXATTR), false, "/etc", NULL },
	/* a rule that can see xattr events is never path-bounded */
	{ "{\"id\":\"x\",\"match\":{\"field\":\"path\",\"prefix\":\"/etc/\"}}", KOPS, true, "", "x" },
	{ "{\"id\":\"x\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"setxattr\"},{\"field\":\"path\",\"prefix\":\"/etc/\"}]}}",
	  OP(SETXATTR), true, "", "x" },
	/* not bounded: widened, and the rule is named */
	{ "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"unlink\"},{\"field\":\"path\",\"prefix\":\"/etc/\"}]}},"
	  "{\"id\":\"b\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"chmod\"},{\"field\":\"comm\",\"eq\":\"vi\"}]}}",
	  OP(UNLINK) | OP(CHMOD), true, "", "b" },
	{ "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"unlink\"},{\"not\":{\"field\":\"path\",\"prefix\":\"/etc/\"}}]}}",
	  OP(UNLINK), true, "", "a" },
	{ "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"unlink\"},{\"field\":\"path\",\"regex\":\"shadow$\"}]}}",
	  OP(UNLINK), true, "", "a" },
	{ "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"unlink\"},{\"field\":\"path\",\"regex\":\"^/var/(log)|/tmp\"}]}}",
	  OP(UNLINK), true, "", "a" },	/* a top-level | escapes the anchor */
	{ "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"unlink\"},{\"field\":\"path\",\"regex\":\"^/var/lo?g/\"}]}}",
	  OP(UNLINK), false, "/var", NULL },	/* an optional char is not literal */
	{ "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"unlink\"},{\"field\":\"path\",\"prefix\":\"/etc\"}]}}",
	  OP(UNLINK), true, "", "a" },	/* "/etc" also matches "/etcx": bounded by / */
	{ "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"unlink\"},{\"any\":[{\"field\":\"path\",\"prefix\":\"/etc/\"},{\"field\":\"uid\",\"eq\":0}]}]}}",
	  OP(UNLINK), true, "", "a" },
	/* bounds: eq -> parent, prefix -> up to the last '/', glob and
	 * anchored regex -> their literal start, path2 and dir count too */
	{ "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"rename\"},{\"any\":["
	  "{\"field\":\"path\",\"eq\":\"/etc/ssh/sshd_config\"},"
	  "{\"field\":\"path2\",\"prefix\":\"/var/spool/cron/crontabs/\"},"
	  "{\"field\":\"path\",\"glob\":\"/home/*/.ssh/authorized_keys\"},"
	  "{\"field\":\"path\",\"regex\":\"^/opt/app/(bin|lib)/\"},"
	  "{\"field\":\"dir\",\"eq\":\"/srv/www\"},"
	  "{\"field\":\"path\",\"prefix\":\"/etc/cron\"},"
	  "{\"field\":\"path\",\"in\":[\"/boot/grub/grub.cfg\",\"/etc/fstab\"]}]}]}}",
	  OP(RENAME), false, "/boot/grub /etc /home /opt/app /srv/www /var/spool/cron/crontabs", NULL },
	/* all: the tightest bounded child */
	{ "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"unlink\"},{\"field\":\"path\",\"prefix\":\"/etc/\"},{\"field\":\"path\",\"prefix\":\"/etc/ssh/\"}]}}",
	  OP(UNLINK), false, "/etc/ssh", NULL },
	/* normalisation: duplicates, nested, double slashes, dot-dot */
	{ "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"unlink\"},{\"any\":["
	  "{\"field\":\"path\",\"prefix\":\"/etc/ssh/\"},{\"field\":\"path\",\"prefix\":\"/etc//\"},"
	  "{\"field\":\"path\",\"prefix\":\"/usr/lib/../bin/\"},{\"field\":\"path\",\"prefix\":\"/etc/\"},"
	  "{\"field\":\"path\",\"prefix\":\"/a-b/\"},{\"field\":\"path\",\"prefix\":\"/a/c/\"},{\"field\":\"path\",\"prefix\":\"/a/\"}]}]}}",
	  OP(UNLINK), false, "/a /a-b /etc /usr/lib", NULL },
	/* disabled rules do not count (rules on op lost are refused) */
	{ "{\"id\":\"a\",\"enabled\":false,\"match\":{\"field\":\"comm\",\"eq\":\"x\"}},"
	  "{\"id\":\"b\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"mkdir\"},{\"field\":\"path\",\"prefix\":\"/srv/\"}]}}",
	  OP(MKDIR), false, "/srv", NULL },
	/* under D: D itself (the kernel's subtree of D holds D, and a mount
	 * at D); "paths" and lists of values bound by each of their values */
	{ "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"chmod\"},{\"field\":\"path\",\"under\":\"/etc/sudoers.d/\"}]}}",
	  OP(CHMOD), false, "/etc/sudoers.d", NULL },
	{ "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"chmod\"},{\"field\":\"paths\",\"under\":[\"/srv/a/b\",\"/opt/x\"]}]}}",
	  OP(CHMOD), false, "/opt/x /srv/a/b", NULL },
	{ "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"chmod\"},{\"field\":\"path\",\"under\":\"/tmp\"}]}}",
	  OP(CHMOD), false, "/tmp", NULL },
	{ "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"chmod\"},{\"field\":\"dir\",\"under\":\"/srv\"}]}}",
	  OP(CHMOD), false, "/srv", NULL },
	{ "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"chmod\"},{\"field\":\"path\",\"under\":\"/\"}]}}",
	  OP(CHMOD), true, "", "a" },
	{ "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"unlink\"},{\"field\":\"path\",\"glob\":[\"/srv/*/x\",\"/opt/y/*\"]}]}}",
	  OP(UNLINK), false, "/opt/y /srv", NULL },
	/* no rule at all: nothing can match */
	{ "", 0, false, "", NULL },
	/* except never narrows */
	{ "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"unlink\"},{\"field\":\"path\",\"prefix\":\"/etc/\"}]},"
	  "\"except\":[{\"field\":\"path\",\"prefix\":\"/etc/x/\"}]}",
	  OP(UNLINK), false, "/etc", NULL },
};

static struct policy *load(const char *rules)
{
	char text[8192];
	struct policy_diags d = { 0 };
	struct policy *p = NULL;

	snprintf(text, sizeof(text), "{\"version\":1,\"rules\":[%s]}", rules);
	if (policy_load_buffer("pf.json", text, strlen(text), &p, &d))
		policy_diags_print(&d, stderr);
	ck_assert_ptr_nonnull(p);
	policy_diags_free(&d);
	return p;
}

static char *joined(const struct policy_prefilter *pf)
{
	static char buf[4096];
	size_t o = 0;

	buf[0] = 0;
	for (size_t i = 0; i < pf->n_include; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? " " : "",
				      pf->include[i]);
	return buf;
}

START_TEST(test_table)
{
	const struct pf_case *c = &pf_cases[_i];
	struct policy *p = load(c->rules);
	struct policy_prefilter pf;

	ck_assert_int_eq(policy_prefilter(p, &pf), 0);
	ck_assert_msg(pf.ops == c->ops, "case %d: ops %#x, want %#x", _i, pf.ops, c->ops);
	ck_assert_msg(pf.include_all == c->all, "case %d: include_all %d", _i, pf.include_all);
	ck_assert_msg(!strcmp(joined(&pf), c->include), "case %d: include \"%s\", want \"%s\"",
		      _i, joined(&pf), c->include);
	if (c->why)
		ck_assert_str_eq(pf.unbounded_rule, c->why);
	else
		ck_assert_ptr_null(pf.unbounded_rule);
	policy_prefilter_free(&pf);
	policy_free(p);
}
END_TEST

START_TEST(test_fit_kernel_limit)
{
	/* 100 sibling directories under two parents: merged, never dropped */
	static char rules[16384];
	size_t o = 0;
	struct policy *p;
	struct policy_prefilter pf;

	o += (size_t)snprintf(rules + o, sizeof(rules) - o,
			      "{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"unlink\"},{\"any\":[");
	for (int i = 0; i < 100; i++)
		o += (size_t)snprintf(rules + o, sizeof(rules) - o,
				      "%s{\"field\":\"path\",\"prefix\":\"/%s/d%02d/\"}",
				      i ? "," : "", i % 2 ? "srv" : "opt/x", i);
	snprintf(rules + o, sizeof(rules) - o, "]}]}}");
	p = load(rules);
	ck_assert_int_eq(policy_prefilter(p, &pf), 0);
	ck_assert(!pf.include_all);
	ck_assert_uint_le(pf.n_include, PREMOD_FILTER_MAX_PATHS);
	ck_assert_uint_ge(pf.n_include, 2);
	/* every original directory is still covered */
	for (int i = 0; i < 100; i++) {
		char d[64];
		bool in = false;

		snprintf(d, sizeof(d), "/%s/d%02d", i % 2 ? "srv" : "opt/x", i);
		for (size_t j = 0; j < pf.n_include && !in; j++) {
			size_t n = strlen(pf.include[j]);

			in = !strncmp(d, pf.include[j], n) && (d[n] == '/' || !d[n]);
		}
		ck_assert_msg(in, "%s not covered", d);
	}
	policy_prefilter_free(&pf);
	policy_free(p);
}
END_TEST

static bool fake_exists(const char *path, void *arg)
{
	const char *const *have = arg;

	for (; *have; have++)
		if (!strcmp(*have, path))
			return true;
	return false;
}

START_TEST(test_resolve)
{
	static const char *const have[] = { "/etc", "/home", "/root", NULL };
	struct policy *p = load(
		"{\"id\":\"a\",\"match\":{\"all\":[{\"field\":\"op\",\"eq\":\"unlink\"},{\"any\":["
		"{\"field\":\"path\",\"prefix\":\"/root/.ssh/\"},{\"field\":\"path\",\"prefix\":\"/etc/sudoers.d/\"},"
		"{\"field\":\"path\",\"prefix\":\"/etc/\"},{\"field\":\"path\",\"prefix\":\"/home/\"}]}]}}");
	struct policy_prefilter pf;

	ck_assert_int_eq(policy_prefilter(p, &pf), 0);
	ck_assert_str_eq(joined(&pf), "/etc /home /root/.ssh");
	ck_assert_int_eq(policy_prefilter_resolve(&pf, fake_exists, (void *)have), 0);
	ck_assert_str_eq(joined(&pf), "/etc /home /root");
	ck_assert(!pf.include_all);
	policy_prefilter_free(&pf);

	/* nothing exists: everywhere, never nothing */
	static const char *const none[] = { NULL };

	ck_assert_int_eq(policy_prefilter(p, &pf), 0);
	ck_assert_int_eq(policy_prefilter_resolve(&pf, fake_exists, (void *)none), 0);
	ck_assert(pf.include_all);
	ck_assert_uint_eq(pf.n_include, 0);
	policy_prefilter_free(&pf);
	policy_free(p);
}
END_TEST

static bool under(const struct policy_prefilter *pf, const char *path)
{
	if (!path)
		return false;
	for (size_t i = 0; i < pf->n_include; i++) {
		size_t n = strlen(pf->include[i]);

		if (!strncmp(path, pf->include[i], n) && (path[n] == '/' || !path[n]))
			return true;
	}
	return false;
}

START_TEST(test_never_hides_a_match)
{
	static char text[1 << 18];
	size_t checked = 0, bounded = 0;

	for (uint64_t seed = 1; seed <= 300; seed++) {
		uint64_t s = seed * 0x2545F4914F6CDD1DULL;
		struct policy_diags d = { 0 };
		struct policy_prefilter pf;
		struct policy *p;

		gen_policy(&s, text, sizeof(text), 1 + (int)(seed % 6), 90);
		ck_assert_int_eq(policy_load_buffer("g.json", text, strlen(text), &p, &d), 0);
		ck_assert_int_eq(policy_prefilter(p, &pf), 0);
		bounded += !pf.include_all;
		for (int e = 0; e < 300; e++) {
			struct gen_event g;
			uint64_t op;

			gen_event(&s, &g);
			if (!pm_event_has(&g.ev, PM_F_OP))
				continue;
			op = g.ev.num[PM_F_OP];
			if (op < 1 || op > PREMOD_OP_REMOVEXATTR)
				continue;	/* not filtered by the kernel */
			if (!policy_match_naive(p, &g.ev, NULL, 0))
				continue;
			checked++;
			if (!(pf.ops >> op & 1) ||
			    (!pf.include_all &&
			     !under(&pf, pm_event_str(&g.ev, PM_F_PATH)) &&
			     !under(&pf, pm_event_str(&g.ev, PM_F_PATH2)))) {
				fprintf(stderr, "%s\n", text);
				ck_abort_msg("seed %llu: a matched event (op %llu path %s path2 %s) "
					     "would be filtered (ops %#x, include %s)",
					     (unsigned long long)seed, (unsigned long long)op,
					     pm_event_str(&g.ev, PM_F_PATH),
					     pm_event_str(&g.ev, PM_F_PATH2), pf.ops,
					     pf.include_all ? "everywhere" : joined(&pf));
			}
		}
		policy_prefilter_free(&pf);
		policy_free(p);
		policy_diags_free(&d);
	}
	ck_assert_uint_gt(checked, 1000);
	ck_assert_uint_gt(bounded, 100);	/* the property is not vacuous */
}
END_TEST

START_TEST(test_examples_bounded)
{
	struct policy_diags d = { 0 };
	struct policy_prefilter pf;
	struct policy *p;

	ck_assert_int_eq(policy_load("policy/examples", &p, &d), 0);
	ck_assert_int_eq(policy_prefilter(p, &pf), 0);
	ck_assert(!pf.include_all);
	ck_assert(!(pf.ops & OP(SETATTR)));
	/* "under" /usr/bin and /var/log: the directories themselves (the
	 * kernel's subtree test holds for the directory too, and a
	 * filesystem mounted there is covered, which its parent is not) */
	ck_assert_str_eq(joined(&pf),
			 "/bin /dev/shm /etc /home /root/.ssh /sbin /tmp /usr/bin /usr/sbin "
			 "/var/log /var/spool/cron /var/tmp");
	policy_prefilter_free(&pf);
	policy_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("prefilter");
	TCase *t = tcase_create("prefilter");
	SRunner *r;
	int failed;

	tcase_set_timeout(t, 60);
	tcase_add_loop_test(t, test_table, 0, sizeof(pf_cases) / sizeof(pf_cases[0]));
	tcase_add_test(t, test_fit_kernel_limit);
	tcase_add_test(t, test_resolve);
	tcase_add_test(t, test_never_hides_a_match);
	tcase_add_test(t, test_examples_bounded);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
