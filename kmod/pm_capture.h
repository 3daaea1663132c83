/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PM_CAPTURE_H
#define _PM_CAPTURE_H

#include <linux/dcache.h>
#include <linux/path.h>

#include "pm_internal.h"

/* d_path() works from the end of its buffer; leave room to cut the start. */
#define PM_PATHBUF	(2 * PREMOD_PATH_MAX)

/*
 * Per-CPU capture scratch. A kprobe handler runs with preemption disabled,
 * so between pm_cap_begin() and pm_cap_commit() the CPU's scratch is its
 * own; a per-CPU flag refuses re-entry anyway.
 */
struct pm_cap {
	const char *str[PM_STR_N];
	char path[PM_PATHBUF];
	char path2[PM_PATHBUF];
	char fspath[PREMOD_PATH_MAX];
	char fspath2[PREMOD_PATH_MAX];
	struct pm_event ev;
	/*
	 * The acting task's executable, kept across events: its path is
	 * rebuilt only when the exe (dentry, inode) changes or a rename
	 * happened anywhere since (rename_lock's sequence moved on).
	 */
	struct {
		const struct dentry *dentry;
		const struct inode *inode;
		unsigned int seq;
		const char *s;		/* in buf, NUL-terminated */
		char buf[PREMOD_PATH_MAX];
	} exe;
};

int pm_capture_init(void);
void pm_capture_exit(void);

/*
 * Decides whether the event is wanted (listeners, op filter, daemon's own,
 * fsuid, subtrees; d1/d2 are the dentries the subtree filter judges, NULL
 * if none) and if so returns the scratch with the task filled in.
 */
struct pm_cap *pm_cap_begin_mnt(enum pm_hook_id h, u32 op,
				struct vfsmount *mnt, struct dentry *d1,
				struct dentry *d2);
/*
 * Without the mount (hooks that have only a dentry): the subtree filter
 * judges dentry ancestry alone. With it (d1 and d2 on @mnt), also mount
 * ancestry: a filesystem mounted inside a watched directory is inside.
 */
static inline struct pm_cap *pm_cap_begin(enum pm_hook_id h, u32 op,
					  struct dentry *d1, struct dentry *d2)
{
	return pm_cap_begin_mnt(h, op, NULL, d1, d2);
}
void pm_cap_commit(struct pm_cap *c);
/* PREMOD_OP_CONFIG event (process context); @detail may be NULL. */
void pm_cap_config(u32 action, const char *detail);

void pm_cap_inode(struct pm_cap *c, const struct inode *inode);
/*
 * Absolute path of an existing object, as the task sees it (PATH/PATH2),
 * and its path within its filesystem (FS_PATH/FS_PATH2).
 */
void pm_cap_path(struct pm_cap *c, enum pm_str which, const struct path *p);
/* Absolute path of @name in @dir: for objects that do not exist yet. */
void pm_cap_child(struct pm_cap *c, enum pm_str which,
		  const struct path *dir, const struct dentry *child);
/* Path from the filesystem root, for hooks that have only a dentry. */
void pm_cap_dentry(struct pm_cap *c, const struct dentry *d);
/*
 * TARGET or XATTR name, referenced, not copied: the caller's string lives
 * until the hook returns, and the commit copies it. A too long one keeps
 * its end.
 */
void pm_cap_string(struct pm_cap *c, enum pm_str which, const char *s);

#endif /* _PM_CAPTURE_H */
