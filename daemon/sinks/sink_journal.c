// SPDX-License-Identifier: MIT
/*
 * sink_journal.c - the JSONL change journal: one record per line.
 *
 * The promise is "never a partial line, except possibly the very last
 * after a crash". Each line goes out with a single write() of line+"\n"
 * on an O_APPEND descriptor. If the kernel takes only part of it (the
 * disk filled up in between) the rest is tried once; when that fails the
 * file is cut back to where the line began, so a later line never follows
 * a fragment. A partial line found at the end of the file when it is
 * opened (a crash mid-write) is cut off the same way, with a warning.
 * Only from a journal: a file that does not start with '{' (every record
 * is a JSON object), or whose fragment does not, is another file named by
 * mistake and is refused untouched.
 *
 * A record that cannot be written is not retried: sink.c counts it as
 * failed and writes a `lost` record (reason "sink:journal") into this
 * file as soon as writing works again.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "record_ecs.h"
#include "sink.h"

#define REOPEN_RETRY_MS	1000

struct journal {
	char *path;
	int fd;
	int sync;
	bool ecs;		/* ECS lines instead of the record's JSON */
	unsigned int interval_ms;
	uint64_t last_sync_ms;
	bool unsynced;
	bool reopen_failed;	/* writing to the old file; retry */
	uint64_t reopen_at_ms;
	bool cut_pending;	/* a fragment could not be cut yet */
	off_t cut_to;
	ssize_t (*write_fn)(int fd, const void *buf, size_t len);
	char *line;
	size_t line_cap;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* mkdir -p of the file's directory; the journal is private (0750). */
static int make_parent(const char *path)
{
	char dir[PATH_MAX];
	size_t n;

	n = (size_t)snprintf(dir, sizeof(dir), "%s", path);
	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	while (n && dir[n - 1] != '/')
		n--;
	if (n <= 1)
		return 0;
	dir[n - 1] = '\0';
	for (char *p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(dir, 0750) < 0 && errno != EEXIST)
			return -errno;
		*p = c;
		if (!c)
			break;
	}
	return 0;
}

/* -EMEDIUMTYPE unless the byte at off is '{' (where every record starts). */
static int record_start(int fd, off_t off)
{
	char c;
	ssize_t got = pread(fd, &c, 1, off);

	if (got < 0)
		return -errno;
	return got == 1 && c == '{' ? 0 : -EMEDIUMTYPE;
}

/*
 * Cuts a fragment off the end of a regular file: everything after its
 * last newline. A crash in the middle of a write leaves one. Refuses
 * (-EMEDIUMTYPE) a file that is not a journal, without touching it.
 */
static int cut_fragment(int fd, const char *path)
{
	char buf[4096];
	struct stat st;
	off_t end, pos;
	int rc;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size == 0)
		return 0;
	rc = record_start(fd, 0);
	if (rc < 0)
		return rc;
	end = pos = st.st_size;
	while (pos > 0) {
		size_t n = pos < (off_t)sizeof(buf) ? (size_t)pos : sizeof(buf);
		ssize_t got = pread(fd, buf, n, pos - (off_t)n);

		if (got != (ssize_t)n)
			return got < 0 ? -errno : -EIO;
		for (size_t i = n; i > 0; i--) {
			if (buf[i - 1] != '\n')
				continue;
			pos = pos - (off_t)n + (off_t)i;
			goto found;
		}
		pos -= (off_t)n;
	}
found:
	if (pos == end)
		return 0;
	rc = record_start(fd, pos);	/* a fragment is a record's start */
	if (rc < 0)
		return rc;
	if (ftruncate(fd, pos) < 0)
		return -errno;
	log_msg(LOG_WARNING,
		"journal %s: removed %lld bytes of an incomplete last line (an interrupted write)",
		path, (long long)(end - pos));
	return 0;
}

static int journal_open_fd(const char *path, int *fdp)
{
	int fd, rc;

	rc = make_parent(path);
	if (rc < 0)
		return rc;
	/* O_RDWR: reading the tail back is how a fragment is found. */
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY,
		  0640);
	if (fd < 0 && errno == EACCES)
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
			  O_NOCTTY, 0640);
	if (fd < 0)
		return -errno;
	rc = cut_fragment(fd, path);
	if (rc == -EMEDIUMTYPE) {
		log_msg(LOG_ERR,
			"journal %s: not a premod journal (not JSON lines); refusing to write to it or cut it",
			path);
		close(fd);
		return rc;
	}
	if (rc < 0 && rc != -EBADF)
		log_msg(LOG_WARNING,
			"journal %s: cannot check the last line: %s",
			path, strerror(-rc));
	*fdp = fd;
	return 0;
}

int sink_journal_open(const struct journal_config *cfg, void **priv)
{
	struct journal *j;
	int rc;

	if (!cfg || !cfg->path || !*cfg->path)
		return -EINVAL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->path = strdup(cfg->path);
	if (!j->path) {
		free(j);
		return -ENOMEM;
	}
	j->sync = cfg->sync;
	j->ecs = cfg->ecs;
	j->interval_ms = cfg->sync_interval_ms ? cfg->sync_interval_ms : 1000;
	j->write_fn = write;
	j->last_sync_ms = mono_ms();
	rc = journal_open_fd(j->path, &j->fd);
	if (rc < 0) {
		free(j->path);
		free(j);
		return rc;
	}
	*priv = j;
	return 0;
}

void sink_journal_set_write(void *priv,
			    ssize_t (*fn)(int fd, const void *buf, size_t len))
{
	struct journal *j = priv;

	j->write_fn = fn ? fn : write;
}

static int journal_sync(struct journal *j)
{
	j->last_sync_ms = mono_ms();
	j->unsynced = false;
	if (fdatasync(j->fd) < 0 && errno != EINVAL && errno != EROFS)
		return -errno;
	return 0;
}

static int journal_reopen(struct sink *s)
{
	struct journal *j = s->priv;
	int fd, rc;

	/* The old file stays open until the new one is: nothing is lost. */
	rc = journal_open_fd(j->path, &fd);
	if (rc < 0) {
		if (!j->reopen_failed)
			log_msg(LOG_ERR,
				"journal %s: cannot reopen: %s; still writing to the previous file, retrying",
				j->path, strerror(-rc));
		j->reopen_failed = true;
		j->reopen_at_ms = mono_ms() + REOPEN_RETRY_MS;
		return rc;
	}
	if (j->unsynced && j->sync != JOURNAL_SYNC_NONE)
		journal_sync(j);
	close(j->fd);
	j->fd = fd;
	j->cut_pending = false;
	if (j->reopen_failed)
		log_msg(LOG_NOTICE, "journal %s: reopened", j->path);
	j->reopen_failed = false;
	return 0;
}

/*
 * One write() for the line. A short one is followed by exactly one more for
 * the rest (a full disk answers it with ENOSPC); the caller sees how much
 * went out, and errno says why when it was not everything.
 */
static ssize_t write_line(struct journal *j, const char *buf, size_t len)
{
	ssize_t n, m;

	do
		n = j->write_fn(j->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n == len)
		return n;
	do
		m = j->write_fn(j->fd, buf + n, len - (size_t)n);
	while (m < 0 && errno == EINTR);
	if (m > 0)
		n += m;
	if ((size_t)n < len && m >= 0)
		errno = ENOSPC;
	return n;
}

static int journal_write(struct sink *s, const struct record *r)
{
	struct journal *j = s->priv;
	size_t len = r->json_len + 1;
	ssize_t n;
	int err;

	if (j->ecs) {
		len = record_ecs_format(r, j->line, j->line_cap) + 1;
		if (len == 1)
			return -ENOMEM;
	}

	if (j->reopen_failed && mono_ms() >= j->reopen_at_ms)
		journal_reopen(s);
	if (j->cut_pending) {
		if (ftruncate(j->fd, j->cut_to) < 0)
			return -errno;
		j->cut_pending = false;
	}
	if (len > j->line_cap) {
		size_t cap = len < 4096 ? 4096 : len * 2;
		char *p = realloc(j->line, cap);

		if (!p)
			return -ENOMEM;
		j->line = p;
		j->line_cap = cap;
		if (j->ecs)
			record_ecs_format(r, j->line, j->line_cap);
	}
	if (j->ecs) {
		j->line[len - 1] = '\n';
	} else {
		memcpy(j->line, r->json, r->json_len);
		j->line[r->json_len] = '\n';
	}

	n = write_line(j, j->line, len);
	if (n == (ssize_t)len) {
		j->unsynced = true;
		if (j->sync == JOURNAL_SYNC_EVERY ||
		    (j->sync == JOURNAL_SYNC_INTERVAL &&
		     mono_ms() - j->last_sync_ms >= j->interval_ms))
			return journal_sync(j);
		return 0;
	}
	if (n < 0)
		return (int)n;

	/* Part of the line is in the file: cut back to where it began. */
	err = errno ? -errno : -ENOSPC;
	if (n > 0) {
		/* O_APPEND left the offset at the end of what went out. */
		off_t end = lseek(j->fd, 0, SEEK_CUR);

		if (end >= n) {
			j->cut_to = end - n;
			/* EINVAL: not a regular file, nothing to cut. */
			if (ftruncate(j->fd, j->cut_to) < 0 && errno != EINVAL)
				j->cut_pending = true;
		}
	}
	return err;
}

static int journal_flush(struct sink *s)
{
	struct journal *j = s->priv;
	uint64_t now, due;

	if (j->sync != JOURNAL_SYNC_INTERVAL || !j->unsynced)
		return 0;
	now = mono_ms();
	due = j->last_sync_ms + j->interval_ms;
	if (now >= due)
		return journal_sync(j);
	return (int)(due - now);
}

static void journal_close(struct sink *s)
{
	struct journal *j = s->priv;

	if (!j)
		return;
	if (j->unsynced && j->sync != JOURNAL_SYNC_NONE)
		journal_sync(j);
	close(j->fd);
	free(j->line);
	free(j->path);
	free(j);
	s->priv = NULL;
}

const struct sink_ops sink_journal_ops = {
	.name = "journal",
	.output = POLICY_OUT_JOURNAL,
	.write = journal_write,
	.flush = journal_flush,
	.reopen = journal_reopen,
	.close = journal_close,
};
