// SPDX-License-Identifier: MIT
/* check_hostmap - mount table parsing and (dev, fs path) to host names:
 * bind mounts with other roots, hidden mounts, escaped names, mounts
 * appearing and disappearing, and events named the host's way. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hostmap.h"
#include "premod.h"

#define DEV(a, b) ((uint32_t)makedev(a, b))

/* A host: ext4 root (8:1), /var/log its own ext4 (8:2), /etc an overlay
 * (0:40), a bind of /srv/data at /mnt/d, a tmpfs at "/run/my dir". */
static const char table[] =
	"21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"22 21 8:2 / /var/log rw,relatime shared:2 - ext4 /dev/sda2 rw\n"
	"23 21 0:40 / /etc rw - overlay pm-etc rw,lowerdir=/etc\n"
	"24 21 8:1 /srv/data /mnt/d rw shared:1 - ext4 /dev/sda1 rw\n"
	"25 21 0:41 / /run/my\\040dir rw - tmpfs tmpfs rw\n"
	"garbage line\n";

static struct pm_hostmap *load(const char *t)
{
	struct pm_hostmap *m = pm_hostmap_new("/nonexistent");

	ck_assert_ptr_nonnull(m);
	ck_assert_int_ge(pm_hostmap_load_text(m, t, strlen(t)), 0);
	return m;
}

static const char *look(struct pm_hostmap *m, uint32_t dev, const char *p)
{
	static char buf[4096];
	int r = pm_hostmap_lookup(m, dev, p, buf, sizeof(buf));

	return r == 0 ? buf : r == -ENOENT ? "ENOENT" : "ERR";
}

START_TEST(test_parse)
{
	struct pm_hostmap *m = pm_hostmap_new("/nonexistent");

	ck_assert_int_eq(pm_hostmap_load_text(m, table, strlen(table)), 1);
	ck_assert_uint_eq(pm_hostmap_count(m), 5);
	pm_hostmap_free(m);
}
END_TEST

START_TEST(test_lookup)
{
	struct pm_hostmap *m = load(table);

	ck_assert_str_eq(look(m, DEV(8, 1), "/usr/bin/ls"), "/usr/bin/ls");
	ck_assert_str_eq(look(m, DEV(8, 1), "/"), "/");
	/* the overlay's root is /etc */
	ck_assert_str_eq(look(m, DEV(0, 40), "/passwd"), "/etc/passwd");
	ck_assert_str_eq(look(m, DEV(0, 40), "/"), "/etc");
	/* a file on its own filesystem mounted inside another */
	ck_assert_str_eq(look(m, DEV(8, 2), "/syslog"), "/var/log/syslog");
	/* the root fs's own /var/log/x is hidden by the mount there */
	ck_assert_str_eq(look(m, DEV(8, 1), "/var/log/x"), "ENOENT");
	ck_assert_str_eq(look(m, DEV(8, 1), "/etc/passwd"), "ENOENT");
	/* but /var/logs is not inside /var/log */
	ck_assert_str_eq(look(m, DEV(8, 1), "/var/logs"), "/var/logs");
	/* a bind of a subdirectory: the whole-fs mount names it first */
	ck_assert_str_eq(look(m, DEV(8, 1), "/srv/data/f"), "/srv/data/f");
	/* escaped mount point */
	ck_assert_str_eq(look(m, DEV(0, 41), "/a"), "/run/my dir/a");
	/* unknown device: a mount only a container has */
	ck_assert_str_eq(look(m, DEV(0, 99), "/x"), "ENOENT");
	ck_assert_str_eq(look(m, DEV(8, 1), "relative"), "ENOENT");
	pm_hostmap_free(m);
}
END_TEST

START_TEST(test_bind_only)
{
	/* only a bind of /srv/data is visible: names go through it */
	static const char t[] =
		"21 1 0:30 / / rw - tmpfs r rw\n"
		"24 21 8:1 /srv/data /mnt/d rw - ext4 /dev/sda1 rw\n"
		"26 21 8:1 /srv /mnt/s rw - ext4 /dev/sda1 rw\n";
	struct pm_hostmap *m = load(t);

	/* the shorter root (/srv) wins over the deeper bind */
	ck_assert_str_eq(look(m, DEV(8, 1), "/srv/data/f"), "/mnt/s/data/f");
	ck_assert_str_eq(look(m, DEV(8, 1), "/srv/x"), "/mnt/s/x");
	ck_assert_str_eq(look(m, DEV(8, 1), "/srvx"), "ENOENT");
	ck_assert_str_eq(look(m, DEV(8, 1), "/etc/passwd"), "ENOENT");
	pm_hostmap_free(m);
}
END_TEST

START_TEST(test_overmount)
{
	/* a second mount on the same point hides the first; a bind of the
	 * same filesystem over a directory shows the same object there */
	static const char t[] =
		"21 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
		"30 21 0:50 / /mnt rw - tmpfs a rw\n"
		"31 21 0:51 / /mnt rw - tmpfs b rw\n"
		"32 21 8:1 /home /home rw - ext4 /dev/sda1 rw\n";
	struct pm_hostmap *m = load(t);

	ck_assert_str_eq(look(m, DEV(0, 50), "/f"), "ENOENT");
	ck_assert_str_eq(look(m, DEV(0, 51), "/f"), "/mnt/f");
	ck_assert_str_eq(look(m, DEV(8, 1), "/home/u"), "/home/u");
	pm_hostmap_free(m);
}
END_TEST

START_TEST(test_appear_disappear)
{
	static const char before[] = "21 1 8:1 / / rw - ext4 /dev/sda1 rw\n";
	static const char after[] =
		"21 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
		"40 21 8:1 /etc /run/e rw - ext4 /dev/sda1 rw\n"
		"41 21 0:60 / /srv/app rw - tmpfs t rw\n";
	struct pm_hostmap *m = load(before);

	ck_assert_str_eq(look(m, DEV(0, 60), "/b"), "ENOENT");
	ck_assert_str_eq(look(m, DEV(8, 1), "/srv/app/b"), "/srv/app/b");
	ck_assert_int_eq(pm_hostmap_load_text(m, after, strlen(after)), 0);
	ck_assert_uint_eq(pm_hostmap_count(m), 3);
	/* the bind mount of /etc does not rename /etc/passwd */
	ck_assert_str_eq(look(m, DEV(8, 1), "/etc/passwd"), "/etc/passwd");
	ck_assert_str_eq(look(m, DEV(0, 60), "/b"), "/srv/app/b");
	ck_assert_str_eq(look(m, DEV(8, 1), "/srv/app/b"), "ENOENT");
	ck_assert_int_eq(pm_hostmap_load_text(m, before, strlen(before)), 0);
	ck_assert_str_eq(look(m, DEV(0, 60), "/b"), "ENOENT");
	pm_hostmap_free(m);
}
END_TEST

START_TEST(test_too_long)
{
	struct pm_hostmap *m = load(table);
	char buf[8];

	ck_assert_int_eq(pm_hostmap_lookup(m, DEV(0, 40), "/passwd", buf,
					sizeof(buf)), -ENAMETOOLONG);
	pm_hostmap_free(m);
}
END_TEST

START_TEST(test_refresh_file)
{
	char path[] = "/tmp/check_hostmap.XXXXXX";
	int fd = mkstemp(path);
	struct pm_hostmap *m;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, table, strlen(table)), (int)strlen(table));
	close(fd);
	m = pm_hostmap_new(path);
	ck_assert_int_eq(pm_hostmap_refresh(m), 1);
	ck_assert_uint_eq(pm_hostmap_count(m), 5);
	/* a regular file never signals a change */
	ck_assert_int_eq(pm_hostmap_refresh(m), 0);
	unlink(path);
	pm_hostmap_free(m);

	m = pm_hostmap_new("/nonexistent/mountinfo");
	ck_assert_int_eq(pm_hostmap_refresh(m), -ENOENT);
	pm_hostmap_free(m);
}
END_TEST

START_TEST(test_apply)
{
	struct pm_hostmap *m = load(table);
	struct pm_hostmap_names *n = malloc(sizeof(*n));
	struct pm_event ev = { 0 };

	ck_assert_ptr_nonnull(n);
	/* a rename seen from a chroot-like view over the overlay */
	pm_event_set_num(&ev, PM_F_OP, PREMOD_OP_RENAME);
	pm_event_set_num(&ev, PM_F_FLAGS, PREMOD_F_TASK_ROOT);
	pm_event_set_num(&ev, PM_F_DEV, DEV(0, 40));
	pm_event_set_str(&ev, PM_F_PATH, "/run/e/passwd");
	pm_event_set_str(&ev, PM_F_FS_PATH, "/passwd");
	pm_event_set_str(&ev, PM_F_PATH2, "/run/e/passwd-");
	pm_event_set_str(&ev, PM_F_FS_PATH2, "/passwd-");
	pm_event_set_num(&ev, PM_F_EXE_DEV, DEV(8, 1));
	pm_event_set_num(&ev, PM_F_EXE_INO, 7);
	pm_event_set_str(&ev, PM_F_EXE_FS_PATH, "/usr/bin/mv");
	pm_hostmap_apply(m, &ev, n);
	ck_assert_str_eq(pm_event_str(&ev, PM_F_PATH), "/etc/passwd");
	ck_assert_str_eq(pm_event_str(&ev, PM_F_PATH2), "/etc/passwd-");
	ck_assert_str_eq(pm_event_str(&ev, PM_F_TASK_PATH), "/run/e/passwd");
	ck_assert_str_eq(pm_event_str(&ev, PM_F_TASK_PATH2),
			 "/run/e/passwd-");
	ck_assert_str_eq(pm_event_str(&ev, PM_F_EXE), "/usr/bin/mv");
	ck_assert_uint_eq(ev.num[PM_F_FLAGS], PREMOD_F_TASK_ROOT);

	/* no mount names it: the task's view stays, flagged */
	memset(&ev, 0, sizeof(ev));
	pm_event_set_num(&ev, PM_F_OP, PREMOD_OP_CREATE);
	pm_event_set_num(&ev, PM_F_FLAGS, 0);
	pm_event_set_num(&ev, PM_F_DEV, DEV(0, 99));
	pm_event_set_str(&ev, PM_F_PATH, "/etc/passwd");
	pm_event_set_str(&ev, PM_F_FS_PATH, "/etc/passwd");
	pm_hostmap_apply(m, &ev, n);
	ck_assert_str_eq(pm_event_str(&ev, PM_F_PATH), "/etc/passwd");
	ck_assert_str_eq(pm_event_str(&ev, PM_F_TASK_PATH), "/etc/passwd");
	ck_assert_uint_eq(ev.num[PM_F_FLAGS], PREMOD_F_NO_HOST_PATH);
	ck_assert(!pm_event_has(&ev, PM_F_EXE));

	/* the kernel could not build the fs path: flagged */
	memset(&ev, 0, sizeof(ev));
	pm_event_set_num(&ev, PM_F_FLAGS, PREMOD_F_FS_PATH_ERROR);
	pm_event_set_num(&ev, PM_F_DEV, DEV(8, 1));
	pm_event_set_str(&ev, PM_F_PATH, "/x");
	pm_hostmap_apply(m, &ev, n);
	ck_assert_uint_eq(ev.num[PM_F_FLAGS],
			  PREMOD_F_FS_PATH_ERROR | PREMOD_F_NO_HOST_PATH);

	/* an older module's event is left alone */
	memset(&ev, 0, sizeof(ev));
	pm_event_set_num(&ev, PM_F_FLAGS, 0);
	pm_event_set_num(&ev, PM_F_DEV, DEV(8, 1));
	pm_event_set_str(&ev, PM_F_PATH, "/x");
	pm_hostmap_apply(m, &ev, n);
	ck_assert_str_eq(pm_event_str(&ev, PM_F_PATH), "/x");
	ck_assert(!pm_event_has(&ev, PM_F_TASK_PATH));
	ck_assert_uint_eq(ev.num[PM_F_FLAGS], 0);

	/* xattr events: the path is fs-relative, there is no task view */
	memset(&ev, 0, sizeof(ev));
	pm_event_set_num(&ev, PM_F_FLAGS, PREMOD_F_FS_RELATIVE);
	pm_event_set_num(&ev, PM_F_DEV, DEV(8, 2));
	pm_event_set_str(&ev, PM_F_PATH, "/auth.log");
	pm_event_set_str(&ev, PM_F_FS_PATH, "/auth.log");
	pm_hostmap_apply(m, &ev, n);
	ck_assert_str_eq(pm_event_str(&ev, PM_F_PATH), "/var/log/auth.log");
	ck_assert(!pm_event_has(&ev, PM_F_TASK_PATH));
	free(n);
	pm_hostmap_free(m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hostmap");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_lookup);
	tcase_add_test(tc, test_bind_only);
	tcase_add_test(tc, test_overmount);
	tcase_add_test(tc, test_appear_disappear);
	tcase_add_test(tc, test_too_long);
	tcase_add_test(tc, test_refresh_file);
	tcase_add_test(tc, test_apply);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
