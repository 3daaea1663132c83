/* SPDX-License-Identifier: GPL-2.0 */
/*
 * premod.ko internals shared between its files.
 *
 * Data flow: a kprobe handler (pm_hooks.c) fills the per-CPU capture
 * scratch (pm_capture.c) and commits one record into its CPU's ring
 * (pm_ring.c), where it gets its sequence number. The drain work
 * (pm_drain.c) merges the rings by sequence number and multicasts batches
 * of PREMOD_CMD_EVENT messages (pm_genl.c). pm_filter.c holds the
 * prefilter the daemon sets.
 */
#ifndef _PM_INTERNAL_H
#define _PM_INTERNAL_H

#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/xattr.h>
#include <premod.h>

/* The hooks, in the order of the module parameters and PREMOD_A_HOOKS. */
enum pm_hook_id {
	PM_HOOK_MKNOD,
	PM_HOOK_MKDIR,
	PM_HOOK_RMDIR,
	PM_HOOK_UNLINK,
	PM_HOOK_RENAME,
	PM_HOOK_LINK,
	PM_HOOK_SYMLINK,
	PM_HOOK_TRUNCATE,
	PM_HOOK_CHMOD,
	PM_HOOK_CHOWN,
	PM_HOOK_UTIMES,
	PM_HOOK_OPEN,
	PM_HOOK_SETXATTR,
	PM_HOOK_REMOVEXATTR,
	/* Since 6.2; a kernel that lacks them takes their operations above. */
	PM_HOOK_FILE_TRUNCATE,
	PM_HOOK_SET_ACL,
	PM_HOOK_REMOVE_ACL,
	PM_HOOK_N
};

/* Variable-length strings of a record, in this order after the header. */
enum pm_str {
	PM_STR_PATH,
	PM_STR_PATH2,
	PM_STR_TARGET,
	PM_STR_XATTR,
	PM_STR_FS_PATH,
	PM_STR_FS_PATH2,
	PM_STR_EXE,
	PM_STR_DETAIL,
	PM_STR_N
};

/*
 * One captured event as stored in a ring: this header, then the strings
 * (each with its NUL, lengths in slen[], 0 = absent), padded to 8 bytes.
 * Which per-op fields are meaningful is decided by op when it is encoded.
 * len and op come first: a record with op PREMOD_OP_UNSPEC is ring padding.
 */
struct pm_event {
	u32 len;
	u32 op;
	u64 seq;
	u64 time;
	u32 flags;
	u32 pid, tgid, ppid;
	u32 uid, gid, euid, egid, fsuid, fsgid, auid, session;
	u32 mntns, dev;
	u64 cgroup;
	u64 ino;
	u32 mode;
	/* per op */
	u32 rdev, nlink, rename_flags, open_flags, time_flags, xattr_size;
	u32 old_mode, new_mode, old_uid, new_uid, old_gid, new_gid;
	u64 old_size, new_size, target_ino, atime, mtime;
	u32 exe_dev;
	u32 config_action;
	u64 exe_ino;
	u8 has_new_size;
	u8 has_exe;
	char comm[TASK_COMM_LEN];
	u16 slen[PM_STR_N];
};

/* The strings follow the header (sizeof, not a flexible array's offset). */
static inline const char *pm_event_strings(const struct pm_event *ev)
{
	return (const char *)(ev + 1);
}

/*
 * Room for strings: PATH, PATH2, TARGET, FS_PATH, FS_PATH2, EXE, DETAIL at
 * PREMOD_PATH_MAX, xattr name.
 */
#define PM_XATTR_NAME_MAX	(XATTR_NAME_MAX + 1)
#define PM_EVENT_MAX \
	ALIGN(sizeof(struct pm_event) + 7 * PREMOD_PATH_MAX + PM_XATTR_NAME_MAX, 8)

/* A loss report, built by the drain, never stored in a ring. */
struct pm_lost {
	u64 count;
	u64 first, last;	/* inclusive sequence range */
};

/* Counters: per CPU, summed on GET_STATS. */
struct pm_stats {
	u64 v[__PREMOD_STAT_MAX];
	u64 hits[PM_HOOK_N];
	u64 reentry;		/* hits refused by our own re-entry guard */
};
DECLARE_PER_CPU(struct pm_stats, pm_stats);

static inline void pm_stat_add(enum premod_stat s, u64 n)
{
	this_cpu_add(pm_stats.v[s], n);
}

static inline void pm_stat_inc(enum premod_stat s)
{
	this_cpu_inc(pm_stats.v[s]);
}

u64 pm_stat_sum(enum premod_stat s);
u64 pm_stat_hits(enum pm_hook_id h);

/* pm_hooks.c */
int pm_hooks_init(void);
void pm_hooks_exit(void);
const char *pm_hook_name(enum pm_hook_id h);
bool pm_hook_enabled(enum pm_hook_id h);
bool pm_hook_probed(enum pm_hook_id h);
u64 pm_hook_nmissed(enum pm_hook_id h);

/* pm_main.c: the daemon's registration (self-exclusion) */
extern struct pid __rcu *pm_daemon;

#endif /* _PM_INTERNAL_H */
