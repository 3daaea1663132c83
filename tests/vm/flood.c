// SPDX-License-Identifier: GPL-2.0
/*
 * flood - raise premod events as fast as possible.
 *
 *   flood COUNT DIR      COUNT chmod() calls on DIR/flood.file, each one
 *                        exactly one CHMOD event; prints the number of
 *                        events emitted (COUNT, plus one when the file
 *                        had to be created)
 *   flood -t SEC DIR     for SEC seconds, a mix of create, write-open,
 *                        chmod, rename and unlink in DIR (the writer loop of
 *                        the unload test); prints the number of operations
 *
 * The loss accounting test compares what a stopped listener received with
 * what was emitted, so the counting mode makes one event per call and
 * nothing else: the file is created before the first call and every call
 * is checked. The last line on stdout is the number; the rate goes to
 * stderr.
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

static double flood_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int flood_count(long count, const char *file)
{
	long i;

	for (i = 0; i < count; i++) {
		if (chmod(file, (i & 1) ? 0644 : 0600) < 0) {
			fprintf(stderr, "flood: chmod %s (call %ld): %s\n",
				file, i + 1, strerror(errno));
			return -errno;
		}
	}
	return 0;
}

/* One round: create+open, chmod, rename, unlink. Failures are reported but
 * do not stop the loop: the unload test wants syscalls running throughout. */
static long flood_round(const char *dir, long n)
{
	char a[4096], b[4096];
	long ops = 0;
	int fd;

	snprintf(a, sizeof(a), "%s/w%ld", dir, n % 16);
	snprintf(b, sizeof(b), "%s/r%ld", dir, n % 16);
	fd = open(a, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd >= 0)
		close(fd);
	ops++;
	chmod(a, 0640);
	ops++;
	rename(a, b);
	ops++;
	unlink(b);
	ops++;
	return ops;
}

int main(int argc, char **argv)
{
	double seconds = 0, t0, t1;
	char file[4096];
	long count = 0, ops = 0;
	int opt, fd;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		switch (opt) {
		case 't':
			seconds = atof(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (seconds > 0 ? argc - optind != 1 : argc - optind != 2)
		goto usage;

	t0 = flood_now();
	if (seconds > 0) {
		const char *dir = argv[optind];

		/* A short pause per round: under qemu's TCG a vCPU that never
		 * idles was seen to spin for minutes on the int3 of a kprobe
		 * that rmmod had already removed (the restored instruction in
		 * memory, the old translation still executed: an emulator
		 * artefact, soft lockups on both vCPUs). The writers still
		 * run thousands of syscalls a second through the unload. */
		while (flood_now() - t0 < seconds) {
			ops += flood_round(dir, ops);
			nanosleep(&(struct timespec){ .tv_nsec = 100000 }, NULL);
		}
	} else {
		char *end;

		count = strtol(argv[optind], &end, 10);
		if (*end || count <= 0)
			goto usage;
		snprintf(file, sizeof(file), "%s/flood.file", argv[optind + 1]);
		/* Creating the file is an event too (CREATE): counted when
		 * it happens, so the number printed is exactly what was
		 * emitted. */
		fd = open(file, O_CREAT | O_EXCL | O_RDONLY, 0600);
		if (fd >= 0)
			ops = 1;
		else if (errno == EEXIST)
			fd = open(file, O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "flood: cannot create %s: %s\n", file,
				strerror(errno));
			return 1;
		}
		close(fd);
		if (flood_count(count, file))
			return 1;
		ops += count;
	}
	t1 = flood_now();
	fprintf(stderr, "flood: %ld operations in %.2fs (%.0f/s)\n", ops,
		t1 - t0, ops / (t1 - t0 > 0 ? t1 - t0 : 1e-9));
	printf("%ld\n", ops);
	return 0;
usage:
	fprintf(stderr, "usage: flood COUNT DIR | flood -t SECONDS DIR\n");
	return 2;
}
