// SPDX-License-Identifier: MIT
/* check_exe_cache - TTL, comm change, vanished processes, over a fake
 * /proc made of symlinks. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exe_cache.h"

#define S 1000000000ULL

static char root[] = "/tmp/check_exe.XXXXXX";

static void set_exe(unsigned int pid, const char *target)
{
	char d[128], l[160];

	snprintf(d, sizeof(d), "%s/%u", root, pid);
	mkdir(d, 0755);
	snprintf(l, sizeof(l), "%s/exe", d);
	unlink(l);
	if (target)
		ck_assert_int_eq(symlink(target, l), 0);
}

START_TEST(test_cache)
{
	struct exe_cache *c;
	uint64_t lookups = 0;

	ck_assert_ptr_nonnull(mkdtemp(root));
	set_exe(42, "/usr/bin/vim");
	c = exe_cache_new(16, 1 * S);
	ck_assert_ptr_nonnull(c);
	exe_cache_set_proc_root(c, root);

	ck_assert_str_eq(exe_cache_get(c, 42, "vim", 0, &lookups),
			 "/usr/bin/vim");
	ck_assert_uint_eq(lookups, 1);
	/* within the TTL, same comm: cached even though /proc changed */
	set_exe(42, "/usr/bin/nano");
	ck_assert_str_eq(exe_cache_get(c, 42, "vim", S / 2, &lookups),
			 "/usr/bin/vim");
	ck_assert_uint_eq(lookups, 1);
	/* a different comm (exec) resolves again */
	ck_assert_str_eq(exe_cache_get(c, 42, "nano", S / 2, &lookups),
			 "/usr/bin/nano");
	ck_assert_uint_eq(lookups, 2);
	/* the process is gone: absent, after the TTL */
	set_exe(42, NULL);
	ck_assert_str_eq(exe_cache_get(c, 42, "nano", S, &lookups),
			 "/usr/bin/nano");
	ck_assert_ptr_null(exe_cache_get(c, 42, "nano", 2 * S, &lookups));
	ck_assert_ptr_null(exe_cache_get(c, 7, "x", 2 * S, &lookups));
	ck_assert_ptr_null(exe_cache_get(c, 0, "x", 2 * S, &lookups));
	exe_cache_free(c);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
		ck_assert_int_eq(system(cmd), 0);
	}
}
END_TEST

START_TEST(test_real_proc)
{
	struct exe_cache *c = exe_cache_new(4, 0);
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	ck_assert_int_gt(n, 0);
	self[n] = '\0';
	ck_assert_str_eq(exe_cache_get(c, (uint32_t)getpid(), NULL, 0, NULL),
			 self);
	exe_cache_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("exe_cache");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_cache);
	tcase_add_test(tc, test_real_proc);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
