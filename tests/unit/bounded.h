/* SPDX-License-Identifier: MIT */
/*
 * bounded.h - run a piece of a test in a child under a time bound (and,
 * without ASan, which needs its large virtual reservations, a memory
 * bound), so a crash or a hang fails the test instead of killing or
 * stalling the run. The bounds are generous: they catch an explosion or
 * a hang, not a slow machine.
 */
#ifndef CHECK_BOUNDED_H
#define CHECK_BOUNDED_H

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* fn returns 0 for success; anything else fails, with its own message on
 * stderr. */
static inline void bounded(const char *what, unsigned int secs, size_t mem_mb,
			   int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	ck_assert_int_ge(pid, 0);
	if (!pid) {
#ifndef __SANITIZE_ADDRESS__
		struct rlimit rl = { mem_mb << 20, mem_mb << 20 };

		setrlimit(RLIMIT_AS, &rl);
#else
		(void)mem_mb;
#endif
		/* check's runner may have left its own SIGALRM handler
		 * (which kills the whole test): the default kills only us */
		signal(SIGALRM, SIG_DFL);
		alarm(secs);
		_exit(fn(arg) ? 1 : 0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(!WIFSIGNALED(st) || WTERMSIG(st) != SIGALRM,
		      "%s: not done within %u s", what, secs);
	ck_assert_msg(!WIFSIGNALED(st), "%s: killed by signal %d (%s)", what,
		      WTERMSIG(st), strsignal(WTERMSIG(st)));
	ck_assert_msg(WEXITSTATUS(st) == 0, "%s: failed (see above)", what);
}

#endif /* CHECK_BOUNDED_H */
