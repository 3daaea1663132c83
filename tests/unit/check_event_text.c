// SPDX-License-Identifier: MIT
/*
 * check_event_text.c - the human line of every op, escaping of hostile
 * names, time formatting.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_text.h"
#include "premod.h"

#define T0 1764023326123456789ULL	/* 2025-11-24T22:28:46.123456789Z */
#define STAMP "2025-11-24T22:28:46.123456789Z"

static char *render(const struct pm_event *ev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	pm_text_event(f, ev);
	fclose(f);
	return buf;
}

/* Common header of every case: seq 7 by bash[100] uid 1000. */
static void base(struct pm_event *ev, unsigned int op, const char *path)
{
	memset(ev, 0, sizeof(*ev));
	pm_event_set_num(ev, PM_F_SEQ, 7);
	pm_event_set_num(ev, PM_F_TIME, T0);
	pm_event_set_num(ev, PM_F_OP, op);
	pm_event_set_num(ev, PM_F_FLAGS, 0);
	pm_event_set_num(ev, PM_F_TGID, 100);
	pm_event_set_num(ev, PM_F_UID, 1000);
	pm_event_set_num(ev, PM_F_EUID, 1000);
	pm_event_set_str(ev, PM_F_COMM, "bash");
	pm_event_set_str(ev, PM_F_PATH, path);
}

#define HEAD(op) STAMP " #7 " op " bash[100] uid=1000 "

static void case_event(int i, struct pm_event *ev, const char **want)
{
	switch (i) {
	case 0:
		base(ev, PREMOD_OP_CREATE, "/etc/x");
		pm_event_set_num(ev, PM_F_MODE, 0100644);
		*want = HEAD("create") "/etc/x mode=0100644\n";
		break;
	case 1:
		base(ev, PREMOD_OP_CREATE, "/dev/sdz");
		pm_event_set_num(ev, PM_F_MODE, 060600);
		pm_event_set_num(ev, PM_F_RDEV, (8 << 8) | 1);
		*want = HEAD("create") "/dev/sdz mode=060600 rdev=8:1\n";
		break;
	case 2:
		base(ev, PREMOD_OP_MKDIR, "/etc/d");
		pm_event_set_num(ev, PM_F_MODE, 040755);
		*want = HEAD("mkdir") "/etc/d mode=040755\n";
		break;
	case 3:
		base(ev, PREMOD_OP_RMDIR, "/etc/d");
		*want = HEAD("rmdir") "/etc/d\n";
		break;
	case 4:
		base(ev, PREMOD_OP_UNLINK, "/var/log/auth.log");
		pm_event_set_num(ev, PM_F_NLINK, 1);
		pm_event_set_num(ev, PM_F_OLD_SIZE, 4096);
		*want = HEAD("unlink") "/var/log/auth.log nlink=1 size=4096\n";
		break;
	case 5:
		base(ev, PREMOD_OP_RENAME, "/etc/a");
		pm_event_set_str(ev, PM_F_PATH2, "/etc/b");
		pm_event_set_num(ev, PM_F_RENAME_FLAGS, 2);
		ev->num[PM_F_FLAGS] = PREMOD_F_REPLACES;
		pm_event_set_num(ev, PM_F_TARGET_INO, 99);
		*want = HEAD("rename") "/etc/a -> /etc/b flags=exchange "
			"replaces ino=99\n";
		break;
	case 6:
		base(ev, PREMOD_OP_RENAME, "/etc/a");
		pm_event_set_str(ev, PM_F_PATH2, "/etc/b");
		pm_event_set_num(ev, PM_F_RENAME_FLAGS, 0);
		*want = HEAD("rename") "/etc/a -> /etc/b\n";
		break;
	case 7:
		base(ev, PREMOD_OP_LINK, "/etc/shadow");
		pm_event_set_str(ev, PM_F_PATH2, "/tmp/s");
		*want = HEAD("link") "/etc/shadow => /tmp/s\n";
		break;
	case 8:
		base(ev, PREMOD_OP_SYMLINK, "/tmp/l");
		pm_event_set_str(ev, PM_F_TARGET, "../etc/shadow");
		*want = HEAD("symlink") "/tmp/l target=../etc/shadow\n";
		break;
	case 9:
		base(ev, PREMOD_OP_TRUNCATE, "/etc/f");
		pm_event_set_num(ev, PM_F_OLD_SIZE, 10);
		pm_event_set_num(ev, PM_F_NEW_SIZE, 0);
		*want = HEAD("truncate") "/etc/f size=10->0\n";
		break;
	case 10:
		base(ev, PREMOD_OP_TRUNCATE, "/etc/f");
		pm_event_set_num(ev, PM_F_OLD_SIZE, 10);
		*want = HEAD("truncate") "/etc/f size=10\n";
		break;
	case 11:
		base(ev, PREMOD_OP_CHMOD, "/usr/bin/x");
		pm_event_set_num(ev, PM_F_OLD_MODE, 0100755);
		pm_event_set_num(ev, PM_F_NEW_MODE, 0104755);
		*want = HEAD("chmod") "/usr/bin/x mode=0100755->0104755\n";
		break;
	case 12:
		base(ev, PREMOD_OP_CHOWN, "/etc/f");
		pm_event_set_num(ev, PM_F_OLD_UID, 0);
		pm_event_set_num(ev, PM_F_NEW_UID, 1000);
		pm_event_set_num(ev, PM_F_OLD_GID, 0);
		pm_event_set_num(ev, PM_F_NEW_GID, 0);
		*want = HEAD("chown") "/etc/f uid=0->1000 gid=0->0\n";
		break;
	case 13:
		base(ev, PREMOD_OP_SETATTR, "/etc/f");
		pm_event_set_num(ev, PM_F_TIME_FLAGS, PREMOD_T_ATIME |
				 PREMOD_T_ATIME_NOW | PREMOD_T_MTIME);
		pm_event_set_num(ev, PM_F_MTIME, 1000000000000ULL);
		*want = HEAD("setattr") "/etc/f atime=now "
			"mtime=1970-01-01T00:16:40.000000000Z\n";
		break;
	case 14:
		base(ev, PREMOD_OP_OPEN_WRITE, "/etc/passwd");
		pm_event_set_num(ev, PM_F_OPEN_FLAGS, 01 | 01000 | 02000 |
				 0100000);
		pm_event_set_num(ev, PM_F_OLD_SIZE, 1234);
		*want = HEAD("open_write") "/etc/passwd "
			"flags=O_WRONLY|O_TRUNC|O_APPEND|O_LARGEFILE size=1234\n";
		break;
	case 15:
		base(ev, PREMOD_OP_OPEN_WRITE, "/etc/passwd");
		pm_event_set_num(ev, PM_F_OPEN_FLAGS, 02 | 010000000000);
		*want = HEAD("open_write") "/etc/passwd "
			"flags=O_RDWR|0x40000000\n";
		break;
	case 16:
		base(ev, PREMOD_OP_SETXATTR, "/bin/ping");
		ev->num[PM_F_FLAGS] = PREMOD_F_FS_RELATIVE;
		pm_event_set_num(ev, PM_F_DEV, (8 << 8) | 2);
		pm_event_set_str(ev, PM_F_XATTR_NAME, "security.capability");
		pm_event_set_num(ev, PM_F_XATTR_SIZE, 20);
		*want = HEAD("setxattr") "/bin/ping (fs-relative, dev 8:2) "
			"xattr=security.capability size=20\n";
		break;
	case 17:
		base(ev, PREMOD_OP_REMOVEXATTR, "/bin/ping");
		pm_event_set_str(ev, PM_F_XATTR_NAME, "user.x");
		*want = HEAD("removexattr") "/bin/ping xattr=user.x\n";
		break;
	case 18:
		memset(ev, 0, sizeof(*ev));
		pm_event_set_num(ev, PM_F_SEQ, 50);
		pm_event_set_num(ev, PM_F_TIME, T0);
		pm_event_set_num(ev, PM_F_OP, PREMOD_OP_LOST);
		pm_event_set_num(ev, PM_F_LOST_COUNT, 3);
		pm_event_set_num(ev, PM_F_LOST_FIRST, 48);
		pm_event_set_num(ev, PM_F_LOST_LAST, 50);
		*want = STAMP " #50 LOST 3 events (seq 48..50)\n";
		break;
	case 19:	/* cut path, different euid */
		base(ev, PREMOD_OP_UNLINK, "/deep/name");
		ev->num[PM_F_FLAGS] = PREMOD_F_PATH_TRUNCATED;
		ev->num[PM_F_EUID] = 0;
		*want = STAMP " #7 unlink bash[100] uid=1000 euid=0 "
			".../deep/name\n";
		break;
	case 20:	/* unresolved: the name alone */
		base(ev, PREMOD_OP_UNLINK, "name");
		ev->num[PM_F_FLAGS] = PREMOD_F_PATH_ERROR;
		*want = HEAD("unlink") "name (unresolved)\n";
		break;
	case 21:	/* a hostile name: newline, escape, invalid UTF-8 */
		base(ev, PREMOD_OP_CREATE, "/tmp/a\nb\x1b[31m\\\xff\xc2\x9b"
					    "\xc3\xa9");
		pm_event_set_str(ev, PM_F_COMM, "x\ty");
		*want = STAMP " #7 create x\\x09y[100] uid=1000 "
			"/tmp/a\\x0ab\\x1b[31m\\x5c\\xff\\xc2\\x9b\xc3\xa9\n";
		break;
	default:
		ck_abort();
	}
}

#define N_CASES 22

START_TEST(test_line)
{
	struct pm_event ev;
	const char *want;
	char *got;

	case_event(_i, &ev, &want);
	got = render(&ev);
	ck_assert_str_eq(got, want);
	/* One event, one line. */
	ck_assert_ptr_eq(strchr(got, '\n'), got + strlen(got) - 1);
	free(got);
}
END_TEST

START_TEST(test_time)
{
	char buf[64];

	pm_text_time(T0, buf, sizeof(buf));
	ck_assert_str_eq(buf, STAMP);
	pm_text_time(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1970-01-01T00:00:00.000000000Z");
	pm_text_time((uint64_t)-5, buf, sizeof(buf));
	ck_assert_str_eq(buf, "-5ns");
}
END_TEST

static Suite *event_text_suite(void)
{
	Suite *s = suite_create("event_text");
	TCase *tc = tcase_create("lines");

	tcase_add_loop_test(tc, test_line, 0, N_CASES);
	tcase_add_test(tc, test_time);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(event_text_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
