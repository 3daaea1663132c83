/* SPDX-License-Identifier: MIT */
/*
 * event.h - a decoded premod event (part of libpremod).
 *
 * The wire format is include/premod.h; decode.c turns a netlink message
 * into a struct pm_event, and every consumer reads that struct: premodd's
 * policy engine, premodctl, and any tool built on libpremod. (The policy
 * library's event_json.c turns a `premodctl monitor --json` line into one
 * and back.) A field the event does not carry has its bit clear in `has`.
 *
 * Field names are the lowercase names of the PREMOD_A_* attributes (the
 * JSON keys), plus `task_path`/`task_path2` and `exe` (host naming, see
 * hostmap.h), and the derived `name` and `dir`. `path`/`path2` hold the
 * host's names once a consumer mapped them, the task's view moved to
 * `task_path`/`task_path2`.
 */
#ifndef LIBPREMOD_EVENT_H
#define LIBPREMOD_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Numeric fields first, then string fields; PM_F_NUM_COUNT splits them. */
enum pm_field {
	PM_F_SEQ,
	PM_F_TIME,
	PM_F_OP,
	PM_F_FLAGS,
	PM_F_PID,
	PM_F_TGID,
	PM_F_PPID,
	PM_F_UID,
	PM_F_GID,
	PM_F_EUID,
	PM_F_EGID,
	PM_F_FSUID,
	PM_F_FSGID,
	PM_F_AUID,
	PM_F_SESSION,
	PM_F_CGROUP,
	PM_F_MNTNS,
	PM_F_DEV,
	PM_F_INO,
	PM_F_MODE,
	PM_F_XATTR_SIZE,
	PM_F_OLD_MODE,
	PM_F_NEW_MODE,
	PM_F_OLD_UID,
	PM_F_NEW_UID,
	PM_F_OLD_GID,
	PM_F_NEW_GID,
	PM_F_OLD_SIZE,
	PM_F_NEW_SIZE,
	PM_F_NLINK,
	PM_F_RDEV,
	PM_F_RENAME_FLAGS,
	PM_F_TARGET_INO,
	PM_F_OPEN_FLAGS,
	PM_F_TIME_FLAGS,
	PM_F_ATIME,
	PM_F_MTIME,
	PM_F_LOST_COUNT,
	PM_F_LOST_FIRST,
	PM_F_LOST_LAST,
	PM_F_EXE_DEV,
	PM_F_EXE_INO,
	PM_F_CONFIG_ACTION,
	PM_F_NUM_COUNT,
	/* strings */
	PM_F_COMM = PM_F_NUM_COUNT,
	PM_F_PATH,
	PM_F_PATH2,
	PM_F_TARGET,
	PM_F_XATTR_NAME,
	PM_F_TASK_PATH,	/* path as the task named it (the wire's PATH) */
	PM_F_TASK_PATH2,
	PM_F_FS_PATH,	/* path within the filesystem (wire) */
	PM_F_FS_PATH2,
	PM_F_EXE_FS_PATH,	/* exe's path within its filesystem (wire) */
	PM_F_CONFIG_DETAIL,
	PM_F_NAME,	/* derived: basename of path */
	PM_F_DIR,	/* derived: dirname of path */
	/*
	 * The acting program's host path: mapped from exe_dev/exe_fs_path
	 * (the kernel's, taken at the hook); from /proc/<tgid>/exe only for
	 * input that has no exe_ino (an older module's events).
	 */
	PM_F_EXE,
	PM_F_COUNT
};
#define PM_F_STR_COUNT (PM_F_COUNT - PM_F_NUM_COUNT)

enum pm_field_kind {
	PM_KIND_NUM,	/* plain number */
	PM_KIND_ID,	/* uid/gid-like number */
	PM_KIND_MODE,	/* file mode: accepts octal strings, bits_set/_added */
	PM_KIND_OP,	/* enum premod_op: accepts op names */
	PM_KIND_STR,	/* string */
	PM_KIND_PATH,	/* string that is a path: prefix indexable */
};

struct pm_field_info {
	const char *name;	/* JSON key / policy field name */
	enum pm_field_kind kind;
	bool derived;		/* not on the wire, not in monitor JSON */
};

struct pm_event {
	uint64_t has;			/* bit (1ULL << enum pm_field) */
	uint64_t num[PM_F_NUM_COUNT];
	const char *str[PM_F_STR_COUNT];	/* index: field - PM_F_NUM_COUNT */
};

_Static_assert(PM_F_COUNT <= 64, "pm_event.has holds one bit per field");

extern const struct pm_field_info pm_fields[PM_F_COUNT];

/* Field by JSON/policy name; -1 if unknown. */
int pm_field_lookup(const char *name);

/* Op by lowercase name ("create", "open_write", "lost"); -1 if unknown. */
int pm_op_lookup(const char *name);
/* Lowercase name of an op; NULL when out of range. */
const char *pm_op_name(unsigned int op);

static inline bool pm_event_has(const struct pm_event *ev, enum pm_field f)
{
	return ev->has & (1ULL << f);
}

static inline void pm_event_set_num(struct pm_event *ev, enum pm_field f,
				    uint64_t v)
{
	ev->num[f] = v;
	ev->has |= 1ULL << f;
}

static inline void pm_event_set_str(struct pm_event *ev, enum pm_field f,
				    const char *s)
{
	ev->str[f - PM_F_NUM_COUNT] = s;
	ev->has |= 1ULL << f;
}

static inline const char *pm_event_str(const struct pm_event *ev,
				       enum pm_field f)
{
	return pm_event_has(ev, f) ? ev->str[f - PM_F_NUM_COUNT] : NULL;
}

/*
 * Fills the derived `name` and `dir` from `path`. `dir` needs storage: the
 * caller passes a buffer of at least strlen(path) + 1 bytes that must live
 * as long as the event.
 */
void pm_event_derive(struct pm_event *ev, char *dirbuf, size_t dirbuf_len);

#endif /* LIBPREMOD_EVENT_H */
