// SPDX-License-Identifier: MIT
/* check_event.c - the field table, name lookups and derived fields. */
#include <check.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "premod.h"

/* Field name -> attribute number: the table must follow the header. */
static const struct {
	const char *name;
	int attr;
	enum pm_field field;
	enum pm_field_kind kind;
} wire_fields[] = {
	{ "seq", PREMOD_A_SEQ, PM_F_SEQ, PM_KIND_NUM },
	{ "time", PREMOD_A_TIME, PM_F_TIME, PM_KIND_NUM },
	{ "op", PREMOD_A_OP, PM_F_OP, PM_KIND_OP },
	{ "flags", PREMOD_A_FLAGS, PM_F_FLAGS, PM_KIND_NUM },
	{ "pid", PREMOD_A_PID, PM_F_PID, PM_KIND_NUM },
	{ "tgid", PREMOD_A_TGID, PM_F_TGID, PM_KIND_NUM },
	{ "ppid", PREMOD_A_PPID, PM_F_PPID, PM_KIND_NUM },
	{ "uid", PREMOD_A_UID, PM_F_UID, PM_KIND_ID },
	{ "gid", PREMOD_A_GID, PM_F_GID, PM_KIND_ID },
	{ "euid", PREMOD_A_EUID, PM_F_EUID, PM_KIND_ID },
	{ "egid", PREMOD_A_EGID, PM_F_EGID, PM_KIND_ID },
	{ "fsuid", PREMOD_A_FSUID, PM_F_FSUID, PM_KIND_ID },
	{ "fsgid", PREMOD_A_FSGID, PM_F_FSGID, PM_KIND_ID },
	{ "auid", PREMOD_A_AUID, PM_F_AUID, PM_KIND_ID },
	{ "session", PREMOD_A_SESSION, PM_F_SESSION, PM_KIND_NUM },
	{ "comm", PREMOD_A_COMM, PM_F_COMM, PM_KIND_STR },
	{ "cgroup", PREMOD_A_CGROUP, PM_F_CGROUP, PM_KIND_NUM },
	{ "mntns", PREMOD_A_MNTNS, PM_F_MNTNS, PM_KIND_NUM },
	{ "dev", PREMOD_A_DEV, PM_F_DEV, PM_KIND_NUM },
	{ "ino", PREMOD_A_INO, PM_F_INO, PM_KIND_NUM },
	{ "mode", PREMOD_A_MODE, PM_F_MODE, PM_KIND_MODE },
	{ "path", PREMOD_A_PATH, PM_F_PATH, PM_KIND_PATH },
	{ "path2", PREMOD_A_PATH2, PM_F_PATH2, PM_KIND_PATH },
	{ "target", PREMOD_A_TARGET, PM_F_TARGET, PM_KIND_STR },
	{ "xattr_name", PREMOD_A_XATTR_NAME, PM_F_XATTR_NAME, PM_KIND_STR },
	{ "xattr_size", PREMOD_A_XATTR_SIZE, PM_F_XATTR_SIZE, PM_KIND_NUM },
	{ "old_mode", PREMOD_A_OLD_MODE, PM_F_OLD_MODE, PM_KIND_MODE },
	{ "new_mode", PREMOD_A_NEW_MODE, PM_F_NEW_MODE, PM_KIND_MODE },
	{ "old_uid", PREMOD_A_OLD_UID, PM_F_OLD_UID, PM_KIND_ID },
	{ "new_uid", PREMOD_A_NEW_UID, PM_F_NEW_UID, PM_KIND_ID },
	{ "old_gid", PREMOD_A_OLD_GID, PM_F_OLD_GID, PM_KIND_ID },
	{ "new_gid", PREMOD_A_NEW_GID, PM_F_NEW_GID, PM_KIND_ID },
	{ "old_size", PREMOD_A_OLD_SIZE, PM_F_OLD_SIZE, PM_KIND_NUM },
	{ "new_size", PREMOD_A_NEW_SIZE, PM_F_NEW_SIZE, PM_KIND_NUM },
	{ "nlink", PREMOD_A_NLINK, PM_F_NLINK, PM_KIND_NUM },
	{ "rdev", PREMOD_A_RDEV, PM_F_RDEV, PM_KIND_NUM },
	{ "rename_flags", PREMOD_A_RENAME_FLAGS, PM_F_RENAME_FLAGS,
	  PM_KIND_NUM },
	{ "target_ino", PREMOD_A_TARGET_INO, PM_F_TARGET_INO, PM_KIND_NUM },
	{ "open_flags", PREMOD_A_OPEN_FLAGS, PM_F_OPEN_FLAGS, PM_KIND_NUM },
	{ "time_flags", PREMOD_A_TIME_FLAGS, PM_F_TIME_FLAGS, PM_KIND_NUM },
	{ "atime", PREMOD_A_ATIME, PM_F_ATIME, PM_KIND_NUM },
	{ "mtime", PREMOD_A_MTIME, PM_F_MTIME, PM_KIND_NUM },
	{ "lost_count", PREMOD_A_LOST_COUNT, PM_F_LOST_COUNT, PM_KIND_NUM },
	{ "lost_first", PREMOD_A_LOST_FIRST, PM_F_LOST_FIRST, PM_KIND_NUM },
	{ "lost_last", PREMOD_A_LOST_LAST, PM_F_LOST_LAST, PM_KIND_NUM },
	{ "fs_path", PREMOD_A_FS_PATH, PM_F_FS_PATH, PM_KIND_PATH },
	{ "fs_path2", PREMOD_A_FS_PATH2, PM_F_FS_PATH2, PM_KIND_PATH },
	{ "exe_dev", PREMOD_A_EXE_DEV, PM_F_EXE_DEV, PM_KIND_NUM },
	{ "exe_ino", PREMOD_A_EXE_INO, PM_F_EXE_INO, PM_KIND_NUM },
	{ "exe_fs_path", PREMOD_A_EXE_FS_PATH, PM_F_EXE_FS_PATH, PM_KIND_PATH },
	{ "config_action", PREMOD_A_CONFIG_ACTION, PM_F_CONFIG_ACTION, PM_KIND_NUM },
	{ "config_detail", PREMOD_A_CONFIG_DETAIL, PM_F_CONFIG_DETAIL, PM_KIND_STR },
};
#define N_WIRE (sizeof(wire_fields) / sizeof(wire_fields[0]))

START_TEST(test_wire_field)
{
	int i = _i;
	int f = pm_field_lookup(wire_fields[i].name);

	ck_assert_int_eq(f, wire_fields[i].field);
	ck_assert_str_eq(pm_fields[f].name, wire_fields[i].name);
	ck_assert_int_eq(pm_fields[f].kind, wire_fields[i].kind);
	ck_assert(!pm_fields[f].derived);
	/* String fields live after the numbers: event.h relies on it. */
	ck_assert_int_eq(f >= PM_F_NUM_COUNT,
			 wire_fields[i].kind == PM_KIND_STR ||
			 wire_fields[i].kind == PM_KIND_PATH);
}
END_TEST

START_TEST(test_every_attribute_has_a_field)
{
	/* Every event attribute of the header appears in the table above. */
	for (int a = PREMOD_A_SEQ; a <= PREMOD_A_LOST_LAST; a++) {
		bool found = false;

		for (size_t i = 0; i < N_WIRE; i++)
			found |= wire_fields[i].attr == a;
		ck_assert_msg(found, "attribute %d has no field", a);
	}
	for (int a = PREMOD_A_FS_PATH; a <= PREMOD_A_CONFIG_DETAIL; a++) {
		bool found = false;

		for (size_t i = 0; i < N_WIRE; i++)
			found |= wire_fields[i].attr == a;
		ck_assert_msg(found, "attribute %d has no field", a);
	}
	/* not on the wire: name, dir (derived), task_path/2, exe (mapped) */
	ck_assert_uint_eq(N_WIRE, PM_F_COUNT - 5);
}
END_TEST

START_TEST(test_names_lowercase_unique)
{
	for (int i = 0; i < PM_F_COUNT; i++) {
		const char *n = pm_fields[i].name;

		ck_assert_ptr_nonnull(n);
		ck_assert(*n);
		for (const char *p = n; *p; p++)
			ck_assert_msg(islower((unsigned char)*p) ||
				      isdigit((unsigned char)*p) || *p == '_',
				      "field %s", n);
		ck_assert_int_eq(pm_field_lookup(n), i);
	}
}
END_TEST

START_TEST(test_derived)
{
	ck_assert_int_eq(pm_field_lookup("name"), PM_F_NAME);
	ck_assert_int_eq(pm_field_lookup("dir"), PM_F_DIR);
	ck_assert_int_eq(pm_field_lookup("exe"), PM_F_EXE);
	ck_assert(pm_fields[PM_F_NAME].derived);
	ck_assert(pm_fields[PM_F_DIR].derived);
	/* exe is the host's name of the kernel's exe: not derived. */
	ck_assert(!pm_fields[PM_F_EXE].derived);
	ck_assert_int_eq(pm_fields[PM_F_NAME].kind, PM_KIND_STR);
	ck_assert_int_eq(pm_fields[PM_F_DIR].kind, PM_KIND_PATH);
	ck_assert_int_eq(pm_fields[PM_F_EXE].kind, PM_KIND_PATH);
}
END_TEST

START_TEST(test_field_lookup_unknown)
{
	ck_assert_int_eq(pm_field_lookup("PATH"), -1);
	ck_assert_int_eq(pm_field_lookup("path "), -1);
	ck_assert_int_eq(pm_field_lookup(""), -1);
	ck_assert_int_eq(pm_field_lookup("version"), -1);
	ck_assert_int_eq(pm_field_lookup(NULL), -1);
}
END_TEST

static const struct {
	const char *name;
	int op;
} ops[] = {
	{ "create", PREMOD_OP_CREATE },
	{ "mkdir", PREMOD_OP_MKDIR },
	{ "rmdir", PREMOD_OP_RMDIR },
	{ "unlink", PREMOD_OP_UNLINK },
	{ "rename", PREMOD_OP_RENAME },
	{ "link", PREMOD_OP_LINK },
	{ "symlink", PREMOD_OP_SYMLINK },
	{ "truncate", PREMOD_OP_TRUNCATE },
	{ "chmod", PREMOD_OP_CHMOD },
	{ "chown", PREMOD_OP_CHOWN },
	{ "setattr", PREMOD_OP_SETATTR },
	{ "open_write", PREMOD_OP_OPEN_WRITE },
	{ "setxattr", PREMOD_OP_SETXATTR },
	{ "removexattr", PREMOD_OP_REMOVEXATTR },
	{ "lost", PREMOD_OP_LOST },
	{ "config", PREMOD_OP_CONFIG },
};

START_TEST(test_op)
{
	int i = _i;

	ck_assert_int_eq(pm_op_lookup(ops[i].name), ops[i].op);
	ck_assert_str_eq(pm_op_name(ops[i].op), ops[i].name);
}
END_TEST

START_TEST(test_op_unknown)
{
	ck_assert_uint_eq(sizeof(ops) / sizeof(ops[0]), PREMOD_OP_MAX);
	ck_assert_ptr_null(pm_op_name(PREMOD_OP_UNSPEC));
	ck_assert_ptr_null(pm_op_name(PREMOD_OP_MAX + 1));
	ck_assert_ptr_null(pm_op_name(~0U));
	ck_assert_int_eq(pm_op_lookup("CREATE"), -1);
	ck_assert_int_eq(pm_op_lookup("open-write"), -1);
	ck_assert_int_eq(pm_op_lookup(""), -1);
	ck_assert_int_eq(pm_op_lookup(NULL), -1);
}
END_TEST

static const struct {
	const char *path;	/* NULL: no path */
	const char *name;	/* NULL: absent */
	const char *dir;	/* NULL: absent */
} derive_cases[] = {
	{ "/etc/shadow", "shadow", "/etc" },
	{ "/etc/ssh/sshd_config", "sshd_config", "/etc/ssh" },
	{ "/etc", "etc", "/" },
	{ "/", "/", "/" },
	{ "shadow", "shadow", NULL },	/* PREMOD_F_PATH_ERROR: name alone */
	{ "/tmp/a b/c\nd", "c\nd", "/tmp/a b" },
	{ "", NULL, NULL },
	{ NULL, NULL, NULL },
};

START_TEST(test_derive)
{
	int i = _i;
	struct pm_event ev = { 0 };
	char dirbuf[64];

	/* Stale derived values must not survive. */
	pm_event_set_str(&ev, PM_F_NAME, "stale");
	pm_event_set_str(&ev, PM_F_DIR, "stale");
	if (derive_cases[i].path)
		pm_event_set_str(&ev, PM_F_PATH, derive_cases[i].path);
	pm_event_derive(&ev, dirbuf, sizeof(dirbuf));

	if (derive_cases[i].name)
		ck_assert_str_eq(pm_event_str(&ev, PM_F_NAME),
				 derive_cases[i].name);
	else
		ck_assert_ptr_null(pm_event_str(&ev, PM_F_NAME));
	if (derive_cases[i].dir)
		ck_assert_str_eq(pm_event_str(&ev, PM_F_DIR),
				 derive_cases[i].dir);
	else
		ck_assert_ptr_null(pm_event_str(&ev, PM_F_DIR));
	ck_assert(!pm_event_has(&ev, PM_F_EXE));
}
END_TEST

START_TEST(test_derive_small_buffer)
{
	struct pm_event ev = { 0 };
	char dirbuf[5];

	/* "/etc/ssh" needs 9 bytes: dir is left absent, name still set. */
	pm_event_set_str(&ev, PM_F_PATH, "/etc/ssh/x");
	pm_event_derive(&ev, dirbuf, sizeof(dirbuf));
	ck_assert_str_eq(pm_event_str(&ev, PM_F_NAME), "x");
	ck_assert(!pm_event_has(&ev, PM_F_DIR));

	/* Exactly strlen(path) + 1 always suffices, as documented. */
	{
		const char *p = "/a/b/c";
		char *exact = malloc(strlen(p) + 1);

		pm_event_set_str(&ev, PM_F_PATH, p);
		pm_event_derive(&ev, exact, strlen(p) + 1);
		ck_assert_str_eq(pm_event_str(&ev, PM_F_DIR), "/a/b");
		free(exact);
	}
}
END_TEST

static Suite *event_suite(void)
{
	Suite *s = suite_create("event");
	TCase *tc = tcase_create("fields");

	tcase_add_loop_test(tc, test_wire_field, 0, N_WIRE);
	tcase_add_test(tc, test_every_attribute_has_a_field);
	tcase_add_test(tc, test_names_lowercase_unique);
	tcase_add_test(tc, test_derived);
	tcase_add_test(tc, test_field_lookup_unknown);
	suite_add_tcase(s, tc);

	tc = tcase_create("ops");
	tcase_add_loop_test(tc, test_op, 0, sizeof(ops) / sizeof(ops[0]));
	tcase_add_test(tc, test_op_unknown);
	suite_add_tcase(s, tc);

	tc = tcase_create("derive");
	tcase_add_loop_test(tc, test_derive, 0,
			    sizeof(derive_cases) / sizeof(derive_cases[0]));
	tcase_add_test(tc, test_derive_small_buffer);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(event_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
