// SPDX-License-Identifier: MIT
/*
 * check_sink_journal.c - the JSONL change journal: whole lines only (short
 * writes cut back, crash fragments removed), reopen for logrotate, sync
 * modes, and a full disk end to end: failed records are counted and then
 * reported in the file itself.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fixture_record.h"
#include "record_ecs.h"
#include "sink.h"

static char dir[64];
static char path[256];

static void setup(void)
{
	umask(022);
	snprintf(dir, sizeof(dir), "/tmp/check_journal.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/log/premod/audit.jsonl", dir);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "%s/mnt", dir);
	umount2(cmd, MNT_DETACH);	/* test_real_full_tmpfs, if it failed */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static char *slurp(const char *p)
{
	FILE *f = fopen(p, "r");
	char *buf = calloc(1, 1 << 20);
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void write_file(const char *p, const char *text)
{
	FILE *f;

	{
		char d[128];

		snprintf(d, sizeof(d), "%s/log", dir);
		mkdir(d, 0750);
		snprintf(d, sizeof(d), "%s/log/premod", dir);
		mkdir(d, 0750);
	}
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* A sink used directly, without the thread: ops called by hand. */
static void *open_journal(int sync, unsigned int interval_ms, struct sink *s)
{
	struct journal_config cfg = { .path = path, .sync = sync,
				      .sync_interval_ms = interval_ms };
	void *priv = NULL;

	ck_assert_int_eq(sink_journal_open(&cfg, &priv), 0);
	memset(s, 0, sizeof(*s));
	s->ops = &sink_journal_ops;
	s->priv = priv;
	return priv;
}

static int write_rec(struct sink *s, uint64_t seq)
{
	struct record *r = fx_lost(seq, 1);
	int rc = sink_journal_ops.write(s, r);

	record_put(r);
	return rc;
}

static const char *line_of(uint64_t seq)
{
	static char buf[8][1024];
	static int k;
	struct record *r = fx_lost(seq, 1);
	char *b = buf[k++ % 8];

	snprintf(b, sizeof(buf[0]), "%s\n", r->json);
	record_put(r);
	return b;
}

START_TEST(test_lines_and_modes)
{
	struct sink s;
	struct stat st;
	char want[4096], *got;

	open_journal(JOURNAL_SYNC_EVERY, 0, &s);
	for (uint64_t i = 1; i <= 3; i++)
		ck_assert_int_eq(write_rec(&s, i), 0);
	sink_journal_ops.close(&s);
	ck_assert_ptr_null(s.priv);

	snprintf(want, sizeof(want), "%s%s%s", line_of(1), line_of(2),
		 line_of(3));
	got = slurp(path);
	ck_assert_str_eq(got, want);
	free(got);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0640);
	*strrchr(path, '/') = '\0';
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0750);
}
END_TEST

/* format "ecs": the ECS line of each record instead of its JSON, whole
 * lines the same way (also one longer than the first buffer). */
START_TEST(test_ecs_lines)
{
	struct journal_config cfg = { .path = path,
				      .sync = JOURNAL_SYNC_NONE, .ecs = true };
	struct policy *p = fx_policy_load();
	size_t n = 6000;
	static char want[65536];
	char *long_path = malloc(n + 1), *got;
	struct record *r[2];
	struct sink s = { .ops = &sink_journal_ops };

	memset(long_path, 'a', n);
	long_path[0] = '/';
	long_path[n] = '\0';
	r[0] = fx_lost(5, 1);
	r[1] = fx_match(p, long_path);
	ck_assert_int_eq(sink_journal_open(&cfg, &s.priv), 0);
	want[0] = '\0';
	for (int i = 0; i < 2; i++) {
		size_t len = strlen(want);

		ck_assert_int_eq(sink_journal_ops.write(&s, r[i]), 0);
		record_ecs_format(r[i], want + len, sizeof(want) - len);
		strcat(want, "\n");
		record_put(r[i]);
	}
	sink_journal_ops.close(&s);
	got = slurp(path);
	ck_assert_str_eq(got, want);
	ck_assert_ptr_nonnull(strstr(got, "\"event\":{\"kind\":\"event\""));
	free(got);
	free(long_path);
	policy_free(p);
}
END_TEST

/*
 * Injectable write(2): a script of what each call does. n > 0 writes the
 * first n bytes really, n == 0 returns 0, n < 0 fails with errno -n,
 * ALL writes everything.
 */
#define ALL	100000
static int script[4];
static int script_pos;

static ssize_t scripted_write(int fd, const void *buf, size_t len)
{
	int act = script_pos < 4 ? script[script_pos++] : ALL;

	if (act < 0) {
		errno = -act;
		return -1;
	}
	if (act == 0)
		return 0;
	return write(fd, buf, (size_t)act < len ? (size_t)act : len);
}

static const struct {
	const char *what;
	int script[4];
	int rc;			/* of the scripted write */
} short_cases[] = {
	{ "all at once", { ALL }, 0 },
	{ "half, then the rest", { 20, ALL }, 0 },
	{ "half, then ENOSPC", { 20, -ENOSPC }, -ENOSPC },
	{ "half, then nothing", { 20, 0 }, -ENOSPC },
	{ "half, then a bit more, then ENOSPC", { 20, 10, -ENOSPC }, -ENOSPC },
	{ "ENOSPC at once", { -ENOSPC }, -ENOSPC },
	{ "EIO at once", { -EIO }, -EIO },
	{ "EINTR, then all", { -EINTR, ALL }, 0 },
	{ "1 byte, then EIO", { 1, -EIO }, -EIO },
};

/* Whatever a write does, the file holds whole lines only. */
START_TEST(test_short_write_never_leaves_a_fragment)
{
	struct sink s;
	void *priv = open_journal(JOURNAL_SYNC_NONE, 0, &s);
	char want[4096], *got;

	ck_assert_int_eq(write_rec(&s, 1), 0);
	memcpy(script, short_cases[_i].script, sizeof(script));
	script_pos = 0;
	sink_journal_set_write(priv, scripted_write);
	ck_assert_msg(write_rec(&s, 2) == short_cases[_i].rc, "%s",
		      short_cases[_i].what);
	sink_journal_set_write(priv, NULL);
	ck_assert_int_eq(write_rec(&s, 3), 0);
	sink_journal_ops.close(&s);

	snprintf(want, sizeof(want), "%s%s%s", line_of(1),
		 short_cases[_i].rc == 0 ? line_of(2) : "", line_of(3));
	got = slurp(path);
	ck_assert_msg(strcmp(got, want) == 0, "%s: got\n%s",
		      short_cases[_i].what, got);
	free(got);
}
END_TEST

static const struct {
	const char *before, *after;
} crash_cases[] = {
	{ "", "" },
	{ "{\"a\":1}\n", "{\"a\":1}\n" },
	{ "{\"a\":1}\n{\"b\":", "{\"a\":1}\n" },
	{ "{\"a\":1}\n{\"b\":2}\n{", "{\"a\":1}\n{\"b\":2}\n" },
	{ "{\"partial", "" },
};

/* A crash mid-write leaves a fragment; opening the journal removes it. */
START_TEST(test_crash_fragment_removed_on_open)
{
	struct sink s;
	char *got;

	write_file(path, crash_cases[_i].before);
	open_journal(JOURNAL_SYNC_NONE, 0, &s);
	sink_journal_ops.close(&s);
	got = slurp(path);
	ck_assert_str_eq(got, crash_cases[_i].after);
	free(got);
}
END_TEST

/* A fragment longer than one read-back block. */
START_TEST(test_long_crash_fragment)
{
	size_t n = 10000;
	char *text = malloc(n + 16), *got;
	struct sink s;

	strcpy(text, "{\"a\":1}\n{");
	memset(text + 9, 'x', n);
	text[n + 9] = '\0';
	write_file(path, text);
	open_journal(JOURNAL_SYNC_NONE, 0, &s);
	sink_journal_ops.close(&s);
	got = slurp(path);
	ck_assert_str_eq(got, "{\"a\":1}\n");
	free(got);
	free(text);
}
END_TEST

/* A file that is not a journal (a path set by mistake) is refused and
 * left exactly as it was: never cut to its last newline. */
static const char *const not_journals[] = {
	"root:x:0:0:root:/root:/bin/bash\nno newline at the end",
	"root:x:0:0:root:/root:/bin/bash\n",
	"{\"a\":1}\nsome text after a record",
	"\x7f" "ELF\x02\x01\x01",
};

START_TEST(test_not_a_journal_untouched)
{
	struct journal_config cfg = { .path = path };
	void *priv = NULL;
	char *got;

	write_file(path, not_journals[_i]);
	ck_assert_int_eq(sink_journal_open(&cfg, &priv), -EMEDIUMTYPE);
	ck_assert_ptr_null(priv);
	got = slurp(path);
	ck_assert_str_eq(got, not_journals[_i]);
	free(got);
}
END_TEST

/* logrotate: rename, then SIGHUP; the directory may be gone too. */
START_TEST(test_reopen_after_rotation)
{
	char rotated[160], logdir[160], *got;
	struct sink s;

	open_journal(JOURNAL_SYNC_NONE, 0, &s);
	ck_assert_int_eq(write_rec(&s, 1), 0);
	snprintf(rotated, sizeof(rotated), "%s/audit.jsonl.1", dir);
	ck_assert_int_eq(rename(path, rotated), 0);
	snprintf(logdir, sizeof(logdir), "%s/log/premod", dir);
	ck_assert_int_eq(rmdir(logdir), 0);

	ck_assert_int_eq(write_rec(&s, 2), 0);	/* still the old file */
	ck_assert_int_eq(sink_journal_ops.reopen(&s), 0);
	ck_assert_int_eq(write_rec(&s, 3), 0);
	sink_journal_ops.close(&s);

	got = slurp(path);
	ck_assert_str_eq(got, line_of(3));
	free(got);
	{
		char want[4096];

		snprintf(want, sizeof(want), "%s%s", line_of(1), line_of(2));
		got = slurp(rotated);
		ck_assert_str_eq(got, want);
		free(got);
	}
}
END_TEST

/* A reopen that fails keeps writing to the old file: nothing is lost. */
START_TEST(test_reopen_failure_keeps_old_file)
{
	char rotated[160], logdir[160], want[4096], *got;
	struct sink s;

	open_journal(JOURNAL_SYNC_NONE, 0, &s);
	ck_assert_int_eq(write_rec(&s, 1), 0);
	snprintf(rotated, sizeof(rotated), "%s/audit.jsonl.1", dir);
	ck_assert_int_eq(rename(path, rotated), 0);
	snprintf(logdir, sizeof(logdir), "%s/log/premod", dir);
	ck_assert_int_eq(rmdir(logdir), 0);
	/* a file where the directory must be */
	ck_assert_int_eq(close(open(logdir, O_CREAT | O_WRONLY, 0600)), 0);
	ck_assert_int_lt(sink_journal_ops.reopen(&s), 0);
	ck_assert_int_eq(write_rec(&s, 2), 0);

	ck_assert_int_eq(unlink(logdir), 0);
	ck_assert_int_eq(sink_journal_ops.reopen(&s), 0);
	ck_assert_int_eq(write_rec(&s, 3), 0);
	sink_journal_ops.close(&s);

	snprintf(want, sizeof(want), "%s%s", line_of(1), line_of(2));
	got = slurp(rotated);
	ck_assert_str_eq(got, want);
	free(got);
	got = slurp(path);
	ck_assert_str_eq(got, line_of(3));
	free(got);
}
END_TEST

START_TEST(test_sync_interval_deferred)
{
	struct sink s;

	open_journal(JOURNAL_SYNC_INTERVAL, 200, &s);
	ck_assert_int_eq(sink_journal_ops.flush(&s), 0);	/* clean */
	ck_assert_int_eq(write_rec(&s, 1), 0);
	{
		int ms = sink_journal_ops.flush(&s);

		ck_assert_int_gt(ms, 0);
		ck_assert_int_le(ms, 200);
	}
	nanosleep(&(struct timespec){ 0, 250000000 }, NULL);
	ck_assert_int_eq(sink_journal_ops.flush(&s), 0);	/* synced */
	ck_assert_int_eq(sink_journal_ops.flush(&s), 0);
	sink_journal_ops.close(&s);
}
END_TEST

START_TEST(test_sync_every_and_none_never_defer)
{
	struct sink s;

	open_journal(JOURNAL_SYNC_EVERY, 0, &s);
	ck_assert_int_eq(write_rec(&s, 1), 0);
	ck_assert_int_eq(sink_journal_ops.flush(&s), 0);
	sink_journal_ops.close(&s);
	open_journal(JOURNAL_SYNC_NONE, 0, &s);
	ck_assert_int_eq(write_rec(&s, 2), 0);
	ck_assert_int_eq(sink_journal_ops.flush(&s), 0);
	sink_journal_ops.close(&s);
}
END_TEST

START_TEST(test_open_errors)
{
	struct journal_config cfg = { .path = "" };
	void *priv = NULL;

	ck_assert_int_eq(sink_journal_open(&cfg, &priv), -EINVAL);
	cfg.path = "/proc/self/no/such/dir/x.jsonl";
	ck_assert_int_lt(sink_journal_open(&cfg, &priv), 0);
	ck_assert_ptr_null(priv);
}
END_TEST

/* /dev/full: every write fails with ENOSPC, every failure is counted. */
START_TEST(test_dev_full_counts_failures)
{
	struct journal_config cfg = { .path = "/dev/full",
				      .sync = JOURNAL_SYNC_EVERY };
	struct sink s = { 0 };
	void *priv = NULL;

	if (access("/dev/full", W_OK) != 0)
		return;
	ck_assert_int_eq(sink_journal_open(&cfg, &priv), 0);
	ck_assert_int_eq(sink_start(&s, &sink_journal_ops, priv, 8), 0);
	for (uint64_t i = 1; i <= 3; i++) {
		struct record *r = fx_lost(i, 1);

		ck_assert_int_eq(sink_submit(&s, r), 0);
		record_put(r);
	}
	sink_stop(&s);
	ck_assert_uint_eq(atomic_load(&s.stats.failed), 3);
	ck_assert_uint_eq(atomic_load(&s.stats.written), 0);
	ck_assert_int_eq(atomic_load(&s.stats.last_error), ENOSPC);
}
END_TEST

static bool disk_full;

static ssize_t full_disk_write(int fd, const void *buf, size_t len)
{
	if (__atomic_load_n(&disk_full, __ATOMIC_SEQ_CST)) {
		/* the kernel takes a few bytes, then the disk is full */
		if (len > 8 && write(fd, buf, 8) == 8)
			return 8;
		errno = ENOSPC;
		return -1;
	}
	return write(fd, buf, len);
}

/*
 * End to end: the disk fills up, records fail, the disk frees up; the file
 * holds whole lines only and, where the failed records would be, a lost
 * record of the journal sink with their exact count and range.
 */
START_TEST(test_full_disk_reported_in_file)
{
	struct journal_config cfg = { .path = path,
				      .sync = JOURNAL_SYNC_NONE };
	struct sink s = { 0 };
	void *priv = NULL;
	char *got, *line, *save = NULL;
	const char *want_kind[] = { "r1", "lost", "r4" };
	int n = 0;

	ck_assert_int_eq(sink_journal_open(&cfg, &priv), 0);
	sink_journal_set_write(priv, full_disk_write);
	ck_assert_int_eq(sink_start(&s, &sink_journal_ops, priv, 8), 0);
	{
		struct record *r = fx_lost(1, 1);

		sink_submit(&s, r);
		record_put(r);
	}
	for (int i = 0; i < 500 && atomic_load(&s.stats.written) < 1; i++)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	__atomic_store_n(&disk_full, true, __ATOMIC_SEQ_CST);
	for (uint64_t i = 2; i <= 3; i++) {
		struct record *r = fx_lost(i, 1);

		sink_submit(&s, r);
		record_put(r);
	}
	for (int i = 0; i < 500 && atomic_load(&s.stats.failed) < 2; i++)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	ck_assert_uint_eq(atomic_load(&s.stats.failed), 2);
	__atomic_store_n(&disk_full, false, __ATOMIC_SEQ_CST);
	{
		struct record *r = fx_lost(4, 1);

		sink_submit(&s, r);
		record_put(r);
	}
	sink_stop(&s);

	got = slurp(path);
	for (line = strtok_r(got, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), n++) {
		json_t *o = json_loads(line, 0, NULL);
		const char *reason;

		ck_assert_msg(o, "not a JSON line: %s", line);
		ck_assert_int_lt(n, 3);
		reason = json_string_value(json_object_get(o, "reason"));
		if (strcmp(want_kind[n], "lost") == 0) {
			ck_assert_str_eq(reason, "sink:journal");
			ck_assert_int_eq(json_integer_value(
				json_object_get(o, "lost_count")), 2);
			ck_assert_int_eq(json_integer_value(
				json_object_get(o, "lost_first")), 2);
			ck_assert_int_eq(json_integer_value(
				json_object_get(o, "lost_last")), 3);
		} else {
			ck_assert_str_eq(reason, "kernel");
			ck_assert_int_eq(json_integer_value(
				json_object_get(o, "seq")),
				want_kind[n][1] - '0');
		}
		json_decref(o);
	}
	ck_assert_int_eq(n, 3);
	free(got);
}
END_TEST

/*
 * A real full filesystem (a 16 KiB tmpfs; needs root): the kernel's own
 * short writes at the edge leave no fragment. Skipped when it cannot mount.
 */
START_TEST(test_real_full_tmpfs)
{
	char mnt[96], *got, *p;
	struct sink s;
	int failed = 0, lines = 0;

	snprintf(mnt, sizeof(mnt), "%s/mnt", dir);
	ck_assert_int_eq(mkdir(mnt, 0700), 0);
	if (mount("premod-test", mnt, "tmpfs", 0, "size=16k") != 0) {
		fprintf(stderr, "test_real_full_tmpfs: skipped (mount: %s)\n",
			strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/audit.jsonl", mnt);
	open_journal(JOURNAL_SYNC_NONE, 0, &s);
	for (uint64_t i = 1; i <= 200; i++)
		if (write_rec(&s, 1000000000000 + i) == -ENOSPC)
			failed++;
	sink_journal_ops.close(&s);
	got = slurp(path);
	ck_assert_int_gt(failed, 0);
	ck_assert_uint_gt(strlen(got), 0);
	ck_assert_int_eq(got[strlen(got) - 1], '\n');
	for (p = got; *p; p = strchr(p, '\n') + 1, lines++)
		ck_assert_int_eq(*p, '{');
	ck_assert_int_eq(lines + failed, 200);
	free(got);
	umount2(mnt, MNT_DETACH);
}
END_TEST

static Suite *journal_suite(void)
{
	Suite *s = suite_create("sink_journal");
	TCase *tc = tcase_create("journal");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lines_and_modes);
	tcase_add_test(tc, test_ecs_lines);
	tcase_add_loop_test(tc, test_short_write_never_leaves_a_fragment, 0,
			    sizeof(short_cases) / sizeof(short_cases[0]));
	tcase_add_loop_test(tc, test_crash_fragment_removed_on_open, 0,
			    sizeof(crash_cases) / sizeof(crash_cases[0]));
	tcase_add_test(tc, test_long_crash_fragment);
	tcase_add_loop_test(tc, test_not_a_journal_untouched, 0,
			    sizeof(not_journals) / sizeof(not_journals[0]));
	tcase_add_test(tc, test_reopen_after_rotation);
	tcase_add_test(tc, test_reopen_failure_keeps_old_file);
	tcase_add_test(tc, test_sync_interval_deferred);
	tcase_add_test(tc, test_sync_every_and_none_never_defer);
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_dev_full_counts_failures);
	tcase_add_test(tc, test_full_disk_reported_in_file);
	tcase_add_test(tc, test_real_full_tmpfs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(journal_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
