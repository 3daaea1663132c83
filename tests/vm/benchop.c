// SPDX-License-Identifier: GPL-2.0
/*
 * benchop - one workload of the VM benchmark, timed from inside.
 *
 *   benchop OP DIR ITER     ITER rounds of OP in DIR; prints the median
 *                           nanoseconds per round over 9 slices of the run
 *
 * OP (each round is one logical change; the events premod raises for it
 * in brackets):
 *   create_unlink   open(O_CREAT|O_EXCL|O_WRONLY) + close + unlink
 *                   [create, open_write, unlink]
 *   trunc_write     open(O_WRONLY|O_TRUNC) of an existing file + write
 *                   4 KiB + close [open_write, truncate]
 *   rename          rename(a, b) [rename]; the next round renames back
 *   chmod           chmod 0600 / 0644 alternately [chmod]
 *
 * Every call is checked: a failing workload is an error (exit 1), never a
 * fast one. The median of slices keeps a stray stall of the VM (TCG, a
 * loaded host) out of the figure; the harness interleaves configurations
 * and takes medians again across rounds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SLICES 9

static char buf[4096];

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int fail(const char *what, const char *path)
{
	fprintf(stderr, "benchop: %s %s: %s\n", what, path, strerror(errno));
	return -1;
}

static int round_of(const char *op, const char *a, const char *b, long i)
{
	int fd;

	if (strcmp(op, "create_unlink") == 0) {
		fd = open(a, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0)
			return fail("open(O_CREAT)", a);
		close(fd);
		if (unlink(a) < 0)
			return fail("unlink", a);
	} else if (strcmp(op, "trunc_write") == 0) {
		fd = open(a, O_WRONLY | O_TRUNC);
		if (fd < 0)
			return fail("open(O_TRUNC)", a);
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			close(fd);
			return fail("write", a);
		}
		close(fd);
	} else if (strcmp(op, "rename") == 0) {
		if (rename(i & 1 ? b : a, i & 1 ? a : b) < 0)
			return fail("rename", a);
	} else if (strcmp(op, "chmod") == 0) {
		if (chmod(a, i & 1 ? 0644 : 0600) < 0)
			return fail("chmod", a);
	} else {
		errno = EINVAL;
		return fail("unknown op", op);
	}
	return 0;
}

static int cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

int main(int argc, char **argv)
{
	double slice[SLICES];
	char a[4096], b[4096];
	long iter, per, i = 0;

	if (argc != 4 || (iter = atol(argv[3])) < SLICES) {
		fprintf(stderr, "usage: benchop OP DIR ITER (ITER >= %d)\n",
			SLICES);
		return 2;
	}
	snprintf(a, sizeof(a), "%s/benchop.a", argv[2]);
	snprintf(b, sizeof(b), "%s/benchop.b", argv[2]);
	unlink(a);
	unlink(b);
	if (strcmp(argv[1], "create_unlink") != 0) {
		int fd = open(a, O_CREAT | O_WRONLY, 0644);

		if (fd < 0)
			return fail("open", a), 1;
		close(fd);
	}
	per = iter / SLICES;
	for (int s = 0; s < SLICES; s++) {
		double t0 = now_ns();

		for (long k = 0; k < per; k++, i++)
			if (round_of(argv[1], a, b, i) < 0)
				return 1;
		slice[s] = (now_ns() - t0) / (double)per;
	}
	unlink(a);
	unlink(b);
	qsort(slice, SLICES, sizeof(slice[0]), cmp);
	printf("%.0f\n", slice[SLICES / 2]);
	return 0;
}
