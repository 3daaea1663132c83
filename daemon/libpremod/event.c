// SPDX-License-Identifier: MIT
/*
 * event.c - the field table of a decoded event, op names, derived fields.
 *
 * The names here are a stable interface: they are the JSON keys of
 * `premodctl monitor --json`, the input of `premodd --replay`, and the field
 * names policies are written against. They are the lowercase names of the
 * PREMOD_A_* attributes, so the header stays the one reference.
 */
#include <string.h>

#include "event.h"
#include "premod.h"

#define F(id, n, k) [PM_F_##id] = { .name = n, .kind = PM_KIND_##k }
#define D(id, n, k) [PM_F_##id] = { .name = n, .kind = PM_KIND_##k, \
				    .derived = true }

const struct pm_field_info pm_fields[PM_F_COUNT] = {
	F(SEQ, "seq", NUM),
	F(TIME, "time", NUM),
	F(OP, "op", OP),
	F(FLAGS, "flags", NUM),
	F(PID, "pid", NUM),
	F(TGID, "tgid", NUM),
	F(PPID, "ppid", NUM),
	F(UID, "uid", ID),
	F(GID, "gid", ID),
	F(EUID, "euid", ID),
	F(EGID, "egid", ID),
	F(FSUID, "fsuid", ID),
	F(FSGID, "fsgid", ID),
	F(AUID, "auid", ID),
	F(SESSION, "session", NUM),
	F(CGROUP, "cgroup", NUM),
	F(MNTNS, "mntns", NUM),
	F(DEV, "dev", NUM),
	F(INO, "ino", NUM),
	F(MODE, "mode", MODE),
	F(XATTR_SIZE, "xattr_size", NUM),
	F(OLD_MODE, "old_mode", MODE),
	F(NEW_MODE, "new_mode", MODE),
	F(OLD_UID, "old_uid", ID),
	F(NEW_UID, "new_uid", ID),
	F(OLD_GID, "old_gid", ID),
	F(NEW_GID, "new_gid", ID),
	F(OLD_SIZE, "old_size", NUM),
	F(NEW_SIZE, "new_size", NUM),
	F(NLINK, "nlink", NUM),
	F(RDEV, "rdev", NUM),
	F(RENAME_FLAGS, "rename_flags", NUM),
	F(TARGET_INO, "target_ino", NUM),
	F(OPEN_FLAGS, "open_flags", NUM),
	F(TIME_FLAGS, "time_flags", NUM),
	F(ATIME, "atime", NUM),
	F(MTIME, "mtime", NUM),
	F(LOST_COUNT, "lost_count", NUM),
	F(LOST_FIRST, "lost_first", NUM),
	F(LOST_LAST, "lost_last", NUM),
	F(EXE_DEV, "exe_dev", NUM),
	F(EXE_INO, "exe_ino", NUM),
	F(CONFIG_ACTION, "config_action", NUM),
	F(COMM, "comm", STR),
	F(PATH, "path", PATH),
	F(PATH2, "path2", PATH),
	F(TARGET, "target", STR),
	F(XATTR_NAME, "xattr_name", STR),
	F(TASK_PATH, "task_path", PATH),
	F(TASK_PATH2, "task_path2", PATH),
	F(FS_PATH, "fs_path", PATH),
	F(FS_PATH2, "fs_path2", PATH),
	F(EXE_FS_PATH, "exe_fs_path", PATH),
	F(CONFIG_DETAIL, "config_detail", STR),
	D(NAME, "name", STR),
	D(DIR, "dir", PATH),
	F(EXE, "exe", PATH),
};

#undef F
#undef D

static const char *const op_names[__PREMOD_OP_MAX] = {
	[PREMOD_OP_CREATE] = "create",
	[PREMOD_OP_MKDIR] = "mkdir",
	[PREMOD_OP_RMDIR] = "rmdir",
	[PREMOD_OP_UNLINK] = "unlink",
	[PREMOD_OP_RENAME] = "rename",
	[PREMOD_OP_LINK] = "link",
	[PREMOD_OP_SYMLINK] = "symlink",
	[PREMOD_OP_TRUNCATE] = "truncate",
	[PREMOD_OP_CHMOD] = "chmod",
	[PREMOD_OP_CHOWN] = "chown",
	[PREMOD_OP_SETATTR] = "setattr",
	[PREMOD_OP_OPEN_WRITE] = "open_write",
	[PREMOD_OP_SETXATTR] = "setxattr",
	[PREMOD_OP_REMOVEXATTR] = "removexattr",
	[PREMOD_OP_LOST] = "lost",
	[PREMOD_OP_CONFIG] = "config",
};

/*
 * A new op or attribute in premod.h must get its name here; these catch
 * the tables falling behind the header at compile time.
 */
_Static_assert(PREMOD_OP_MAX == PREMOD_OP_CONFIG,
	       "op_names: a new premod_op needs a name");
_Static_assert(PREMOD_A_LOST_LAST == 45 && PM_F_NUM_COUNT == 43 &&
	       PREMOD_A_CONFIG_DETAIL == PAD_PREMOD_A + 7,
	       "pm_fields: a new event attribute needs a field");

int pm_field_lookup(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < PM_F_COUNT; i++)
		if (strcmp(pm_fields[i].name, name) == 0)
			return i;
	return -1;
}

int pm_op_lookup(const char *name)
{
	if (!name)
		return -1;
	for (int i = 1; i < __PREMOD_OP_MAX; i++)
		if (strcmp(op_names[i], name) == 0)
			return i;
	return -1;
}

const char *pm_op_name(unsigned int op)
{
	if (op == PREMOD_OP_UNSPEC || op >= __PREMOD_OP_MAX)
		return NULL;
	return op_names[op];
}

/*
 * name points into path (a suffix is already NUL-terminated); dir needs a
 * copy. POSIX basename/dirname semantics for the shapes the kernel sends:
 * "/etc/shadow" -> "shadow", "/etc"; "/etc" -> "etc", "/"; "/" -> "/", "/".
 * A bare name (PREMOD_F_PATH_ERROR) has a name and no dir. Derived fields
 * are recomputed from scratch so a reused event never keeps stale ones.
 */
void pm_event_derive(struct pm_event *ev, char *dirbuf, size_t dirbuf_len)
{
	const char *path, *slash;
	size_t dlen;

	ev->has &= ~((1ULL << PM_F_NAME) | (1ULL << PM_F_DIR));
	ev->str[PM_F_NAME - PM_F_NUM_COUNT] = NULL;
	ev->str[PM_F_DIR - PM_F_NUM_COUNT] = NULL;

	path = pm_event_str(ev, PM_F_PATH);
	if (!path || !*path)
		return;

	slash = strrchr(path, '/');
	if (!slash) {
		pm_event_set_str(ev, PM_F_NAME, path);
		return;
	}
	if (slash == path && path[1] == '\0') {
		pm_event_set_str(ev, PM_F_NAME, path);
		dlen = 1;
	} else {
		pm_event_set_str(ev, PM_F_NAME, slash + 1);
		dlen = slash == path ? 1 : (size_t)(slash - path);
	}
	if (!dirbuf || dirbuf_len < dlen + 1)
		return;
	memcpy(dirbuf, path, dlen);
	dirbuf[dlen] = '\0';
	pm_event_set_str(ev, PM_F_DIR, dirbuf);
}
