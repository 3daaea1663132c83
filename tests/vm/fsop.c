// SPDX-License-Identifier: GPL-2.0
/*
 * fsop - perform exactly the file system calls asked for, nothing else.
 *
 * The VM scenarios assert "exactly one event per operation"; coreutils
 * cannot be trusted for that (mv uses RENAME_NOREPLACE, mknod -m adds a
 * chmod, truncate opens the file first). fsop makes one system call per
 * operation, in its own process (or, with -t, in a new thread of it), so
 * the actor's tgid is fsop's pid.
 *
 *   fsop [-p PIDFILE] [-t] OP ARGS... [-- OP ARGS...]...
 *
 * -p writes the pid to PIDFILE before the first operation; -t runs each
 * operation in a thread of its own (same thread group). Operations:
 *
 *   create PATH MODE          open(O_CREAT|O_EXCL|O_RDONLY, MODE)
 *   open PATH FLAGS           open(); FLAGS: comma list of rdonly wronly
 *                             rdwr append trunc creat excl
 *   open_handle DIR NAME FLAGS  name_to_handle_at(DIR/NAME) (no event),
 *                             then open_by_handle_at() with DIR as the
 *                             mount fd: the open names no path at all
 *   tmpfile_link DIR NEWPATH  open(DIR, O_TMPFILE|O_WRONLY, 0600), then
 *                             linkat() of it to NEWPATH
 *   mkdir PATH MODE           mkdir()
 *   rmdir PATH / unlink PATH
 *   rename OLD NEW [FLAG]     renameat2(); FLAG: noreplace exchange whiteout
 *   link OLD NEW / symlink TARGET LINK
 *   truncate PATH SIZE        truncate() by path
 *   ftruncate PATH SIZE       open(O_WRONLY), then ftruncate() (two calls)
 *   chmod PATH MODE / chown PATH UID GID (-1 keeps one)
 *   utimes PATH ATIME MTIME   utimensat(); seconds, "now" or "omit"
 *   setxattr PATH NAME VALUE / removexattr PATH NAME
 *   cd PATH                   chdir(), one component at a time, so a
 *                             path longer than PATH_MAX can be reached
 *                             (makes no event; for the ops after it)
 *
 * Exit status: 0 when every operation succeeded, 1 at the first failure
 * (message on stderr), 2 on a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#define RENAME_WHITEOUT (1 << 2)
#endif

struct fsop_call {
	char **argv;
	int argc;
	int err; /* 0 or -errno */
};

static void fsop_usage(void)
{
	fprintf(stderr,
		"usage: fsop [-p PIDFILE] [-t] OP ARGS... [-- OP ARGS...]...\n"
		"ops: create open open_handle tmpfile_link mkdir rmdir unlink rename link symlink\n"
		"     truncate ftruncate chmod chown utimes setxattr removexattr cd (see the source)\n");
	exit(2);
}

static int fsop_number(const char *s, int base, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, base);
	if (errno || end == s || *end)
		return -EINVAL;
	return 0;
}

static int fsop_open_flags(const char *list, int *flags)
{
	static const struct {
		const char *name;
		int flag;
	} names[] = {
		{ "rdonly", O_RDONLY }, { "wronly", O_WRONLY },
		{ "rdwr", O_RDWR },     { "append", O_APPEND },
		{ "trunc", O_TRUNC },   { "creat", O_CREAT },
		{ "excl", O_EXCL },
	};
	char buf[256], *tok, *save;

	if (strlen(list) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, list);
	*flags = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -EINVAL;
		*flags |= names[i].flag;
	}
	return 0;
}

static int fsop_time(const char *s, struct timespec *ts)
{
	long long v;

	if (!strcmp(s, "now")) {
		ts->tv_sec = 0;
		ts->tv_nsec = UTIME_NOW;
		return 0;
	}
	if (!strcmp(s, "omit")) {
		ts->tv_sec = 0;
		ts->tv_nsec = UTIME_OMIT;
		return 0;
	}
	if (fsop_number(s, 10, &v))
		return -EINVAL;
	ts->tv_sec = v;
	ts->tv_nsec = 0;
	return 0;
}

#define NEED(n) do { if (argc != (n)) return -EINVAL; } while (0)
#define SYS(expr) ((expr) < 0 ? -errno : 0)

/* Returns 0, -errno from the call, or -EINVAL for bad arguments (which
 * fsop_check() has already ruled out). */
static int fsop_do(char **argv, int argc)
{
	const char *op = argv[0];
	long long a = 0, b = 0;
	int fd, flags;

	if (!strcmp(op, "create")) {
		NEED(3);
		if (fsop_number(argv[2], 8, &a))
			return -EINVAL;
		fd = open(argv[1], O_CREAT | O_EXCL | O_RDONLY, (mode_t)a);
		if (fd < 0)
			return -errno;
		close(fd);
		return 0;
	}
	if (!strcmp(op, "open")) {
		NEED(3);
		if (fsop_open_flags(argv[2], &flags))
			return -EINVAL;
		fd = open(argv[1], flags, 0600);
		if (fd < 0)
			return -errno;
		close(fd);
		return 0;
	}
	if (!strcmp(op, "open_handle")) {
		struct file_handle *fh;
		int dirfd, mnt_id;

		NEED(4);
		if (fsop_open_flags(argv[3], &flags))
			return -EINVAL;
		fh = malloc(sizeof(*fh) + MAX_HANDLE_SZ);
		if (!fh)
			return -ENOMEM;
		fh->handle_bytes = MAX_HANDLE_SZ;
		dirfd = open(argv[1], O_RDONLY | O_DIRECTORY);
		if (dirfd < 0 ||
		    name_to_handle_at(dirfd, argv[2], fh, &mnt_id, 0) < 0) {
			a = -errno;
			if (dirfd >= 0)
				close(dirfd);
			free(fh);
			return (int)a;
		}
		fd = open_by_handle_at(dirfd, fh, flags);
		a = fd < 0 ? -errno : 0;
		if (fd >= 0)
			close(fd);
		close(dirfd);
		free(fh);
		return (int)a;
	}
	if (!strcmp(op, "tmpfile_link")) {
		char proc[64];

		NEED(3);
		fd = open(argv[1], O_TMPFILE | O_WRONLY, 0600);
		if (fd < 0)
			return -errno;
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		a = linkat(AT_FDCWD, proc, AT_FDCWD, argv[2],
			   AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
		close(fd);
		return (int)a;
	}
	if (!strcmp(op, "mkdir")) {
		NEED(3);
		if (fsop_number(argv[2], 8, &a))
			return -EINVAL;
		return SYS(mkdir(argv[1], (mode_t)a));
	}
	if (!strcmp(op, "rmdir")) {
		NEED(2);
		return SYS(rmdir(argv[1]));
	}
	if (!strcmp(op, "unlink")) {
		NEED(2);
		return SYS(unlink(argv[1]));
	}
	if (!strcmp(op, "rename")) {
		unsigned int rflags = 0;

		if (argc == 4) {
			if (!strcmp(argv[3], "noreplace"))
				rflags = RENAME_NOREPLACE;
			else if (!strcmp(argv[3], "exchange"))
				rflags = RENAME_EXCHANGE;
			else if (!strcmp(argv[3], "whiteout"))
				rflags = RENAME_WHITEOUT;
			else
				return -EINVAL;
		} else {
			NEED(3);
		}
		return SYS(renameat2(AT_FDCWD, argv[1], AT_FDCWD, argv[2],
				     rflags));
	}
	if (!strcmp(op, "link")) {
		NEED(3);
		return SYS(link(argv[1], argv[2]));
	}
	if (!strcmp(op, "symlink")) {
		NEED(3);
		return SYS(symlink(argv[1], argv[2]));
	}
	if (!strcmp(op, "truncate")) {
		NEED(3);
		if (fsop_number(argv[2], 10, &a))
			return -EINVAL;
		return SYS(truncate(argv[1], (off_t)a));
	}
	if (!strcmp(op, "ftruncate")) {
		int err = 0;

		NEED(3);
		if (fsop_number(argv[2], 10, &a))
			return -EINVAL;
		fd = open(argv[1], O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (ftruncate(fd, (off_t)a))
			err = -errno;
		close(fd);
		return err;
	}
	if (!strcmp(op, "chmod")) {
		NEED(3);
		if (fsop_number(argv[2], 8, &a))
			return -EINVAL;
		return SYS(chmod(argv[1], (mode_t)a));
	}
	if (!strcmp(op, "chown")) {
		NEED(4);
		if (fsop_number(argv[2], 10, &a) || fsop_number(argv[3], 10, &b))
			return -EINVAL;
		return SYS(chown(argv[1], (uid_t)a, (gid_t)b));
	}
	if (!strcmp(op, "utimes")) {
		struct timespec ts[2];

		NEED(4);
		if (fsop_time(argv[2], &ts[0]) || fsop_time(argv[3], &ts[1]))
			return -EINVAL;
		return SYS(utimensat(AT_FDCWD, argv[1], ts, 0));
	}
	if (!strcmp(op, "setxattr")) {
		NEED(4);
		return SYS(setxattr(argv[1], argv[2], argv[3], strlen(argv[3]),
				    0));
	}
	if (!strcmp(op, "cd")) {
		char *copy, *comp, *save;
		int err = 0;

		NEED(2);
		copy = strdup(argv[1]);
		if (!copy)
			return -ENOMEM;
		if (argv[1][0] == '/' && chdir("/") < 0)
			err = -errno;
		for (comp = strtok_r(copy, "/", &save); comp && !err;
		     comp = strtok_r(NULL, "/", &save))
			if (chdir(comp) < 0)
				err = -errno;
		free(copy);
		return err;
	}
	if (!strcmp(op, "removexattr")) {
		NEED(3);
		return SYS(removexattr(argv[1], argv[2]));
	}
	return -EINVAL;
}

static void *fsop_thread(void *arg)
{
	struct fsop_call *c = arg;

	c->err = fsop_do(c->argv, c->argc);
	return NULL;
}

static void fsop_report(char **argv, int argc, int err)
{
	int i;

	fprintf(stderr, "fsop:");
	for (i = 0; i < argc; i++)
		fprintf(stderr, " %s", argv[i]);
	fprintf(stderr, ": %s\n", err == -EINVAL ?
		"Invalid argument (or bad usage)" : strerror(-err));
}

int main(int argc, char **argv)
{
	const char *pidfile = NULL;
	int threaded = 0, opt, i, start;

	while ((opt = getopt(argc, argv, "+p:t")) != -1) {
		switch (opt) {
		case 'p':
			pidfile = optarg;
			break;
		case 't':
			threaded = 1;
			break;
		default:
			fsop_usage();
		}
	}
	if (optind >= argc)
		fsop_usage();
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");

		if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
			fprintf(stderr, "fsop: cannot write %s: %s\n", pidfile,
				strerror(errno));
			return 1;
		}
	}

	for (start = i = optind; i <= argc; i++) {
		struct fsop_call c;
		pthread_t t;

		if (i < argc && strcmp(argv[i], "--"))
			continue;
		c.argv = argv + start;
		c.argc = i - start;
		c.err = 0;
		if (c.argc == 0)
			fsop_usage();
		if (threaded) {
			if (pthread_create(&t, NULL, fsop_thread, &c) ||
			    pthread_join(t, NULL)) {
				fprintf(stderr, "fsop: cannot run a thread\n");
				return 1;
			}
		} else {
			c.err = fsop_do(c.argv, c.argc);
		}
		if (c.err) {
			fsop_report(c.argv, c.argc, c.err);
			return 1;
		}
		start = i + 1;
	}
	return 0;
}
