// SPDX-License-Identifier: MIT
/*
 * check_premodctl - premodctl's argument checks that need no kernel:
 * `filter set --ops` that would silently mean something else is a usage
 * error (exit 2) before any connection is tried. Runs the premodctl
 * built next to this test (BUILD/premodctl).
 */
#include <check.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char ctl[PATH_MAX];

/* Exit status of premodctl with args; its stderr into err. */
static int run(char *const args[], char *err, size_t errlen)
{
	int pfd[2], st;
	pid_t pid;
	ssize_t n;
	size_t o = 0;

	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		dup2(pfd[1], 2);
		close(pfd[0]);
		execv(ctl, args);
		_exit(127);
	}
	close(pfd[1]);
	while (o + 1 < errlen && (n = read(pfd[0], err + o, errlen - 1 - o)) > 0)
		o += (size_t)n;
	err[o] = 0;
	close(pfd[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static const struct {
	const char *a1, *a2, *a3, *a4, *want;
} usage_cases[] = {
	{ "--ops", "create,all", NULL, NULL, "'all' cannot be combined" },
	{ "--ops", "all,unlink", NULL, NULL, "'all' cannot be combined" },
	{ "--ops", "create", "--ops", "unlink", "--ops given twice" },
	{ "--ops", "all", "--ops", "all", "--ops given twice" },
	{ "--ops", "lost", NULL, NULL, "unknown op 'lost'" },
};

START_TEST(test_ops_usage_errors)
{
	char *const args[] = { "premodctl", "filter", "set", (char *)usage_cases[_i].a1,
			       (char *)usage_cases[_i].a2, (char *)usage_cases[_i].a3,
			       (char *)usage_cases[_i].a4, NULL };
	char err[4096];

	ck_assert_int_eq(run(args, err, sizeof(err)), 2);
	ck_assert_msg(strstr(err, usage_cases[_i].want), "got: %s", err);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("premodctl");
	TCase *tc = tcase_create("args");
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	SRunner *sr;
	int failed;

	(void)argc;
	(void)argv;
	if (n <= 0)
		return 1;
	self[n] = 0;
	/* BUILD/tests/unit/check_premodctl -> BUILD/premodctl */
	snprintf(ctl, sizeof(ctl), "%s/../../premodctl", dirname(self));
	if (access(ctl, X_OK)) {
		fprintf(stderr, "check_premodctl: %s not built\n", ctl);
		return 1;	/* a test that cannot run fails */
	}
	tcase_add_loop_test(tc, test_ops_usage_errors, 0,
			    sizeof(usage_cases) / sizeof(usage_cases[0]));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
