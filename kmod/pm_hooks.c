// SPDX-License-Identifier: GPL-2.0
/*
 * The kprobes: one at the entry of each LSM hook (and vfs_utimes), each
 * turning the hook's arguments into one event. Signatures are those of
 * include/linux/security.h and fs.h in 6.1 and 6.12 (the same argument
 * positions; 6.3 made the user_namespace an mnt_idmap, which no handler
 * reads); arguments are read with regs_get_kernel_argument(). A handler
 * runs with preemption disabled, on PREEMPT_RT too.
 *
 * 6.2 moved ftruncate(2) and open(O_TRUNC) to security_file_truncate and
 * POSIX ACL changes to security_inode_set_acl/_remove_acl: the table has
 * both generations, the ones a kernel lacks are left out at load, and
 * each operation passes exactly one of them on any kernel.
 *
 * Like the LSM hooks themselves (security/security.c), the security_path_*
 * and xattr handlers ignore IS_PRIVATE inodes (filesystem internals).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/cred.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/stat.h>
#include <linux/time64.h>
#include <uapi/linux/fs.h>
#ifdef CONFIG_X86_64
#include <asm/syscall.h>
#include <linux/compat.h>
#endif

#include "pm_capture.h"
#include "pm_internal.h"

#define ARG(regs, n)	regs_get_kernel_argument(regs, n)

static inline void hit(enum pm_hook_id h)
{
	this_cpu_inc(pm_stats.hits[h]);
}

static bool private_dentry(const struct dentry *d)
{
	return d_is_positive(d) && IS_PRIVATE(d_backing_inode(d));
}

/* int security_path_mknod(const struct path *dir, struct dentry *dentry,
 *			   umode_t mode, unsigned int dev) */
static int kp_mknod(struct kprobe *kp, struct pt_regs *regs)
{
	const struct path *dir = (const struct path *)ARG(regs, 0);
	struct dentry *dentry = (struct dentry *)ARG(regs, 1);
	umode_t mode = ARG(regs, 2);
	struct pm_cap *c;

	hit(PM_HOOK_MKNOD);
	if (private_dentry(dir->dentry))
		return 0;
	c = pm_cap_begin_mnt(PM_HOOK_MKNOD, PREMOD_OP_CREATE, dir->mnt,
			     dir->dentry, NULL);
	if (!c)
		return 0;
	pm_cap_inode(c, d_backing_inode(dir->dentry));
	/* mknod(path, perms, 0) without a type makes a regular file. */
	c->ev.mode = (mode & S_IFMT) ? mode : mode | S_IFREG;
	/* dev is still the syscall's, in userspace encoding. */
	if (S_ISCHR(mode) || S_ISBLK(mode))
		c->ev.rdev = (u32)ARG(regs, 3);
	pm_cap_child(c, PM_STR_PATH, dir, dentry);
	pm_cap_commit(c);
	return 0;
}

/* int security_path_mkdir(const struct path *dir, struct dentry *dentry,
 *			   umode_t mode) */
static int kp_mkdir(struct kprobe *kp, struct pt_regs *regs)
{
	const struct path *dir = (const struct path *)ARG(regs, 0);
	struct dentry *dentry = (struct dentry *)ARG(regs, 1);
	umode_t mode = ARG(regs, 2);
	struct pm_cap *c;

	hit(PM_HOOK_MKDIR);
	if (private_dentry(dir->dentry))
		return 0;
	c = pm_cap_begin_mnt(PM_HOOK_MKDIR, PREMOD_OP_MKDIR, dir->mnt,
			     dir->dentry, NULL);
	if (!c)
		return 0;
	pm_cap_inode(c, d_backing_inode(dir->dentry));
	c->ev.mode = (mode & ~S_IFMT) | S_IFDIR;
	pm_cap_child(c, PM_STR_PATH, dir, dentry);
	pm_cap_commit(c);
	return 0;
}

/* Shared by rmdir and unlink: (const struct path *dir, struct dentry *) */
static void remove_event(struct pt_regs *regs, enum pm_hook_id h, u32 op)
{
	const struct path *dir = (const struct path *)ARG(regs, 0);
	struct dentry *dentry = (struct dentry *)ARG(regs, 1);
	struct path p = { .mnt = dir->mnt, .dentry = dentry };
	struct inode *inode = d_backing_inode(dentry);
	struct pm_cap *c;

	hit(h);
	if (private_dentry(dentry))
		return;
	c = pm_cap_begin_mnt(h, op, dir->mnt, dentry, NULL);
	if (!c)
		return;
	pm_cap_inode(c, inode);
	if (op == PREMOD_OP_UNLINK && inode) {
		c->ev.nlink = inode->i_nlink;
		c->ev.old_size = i_size_read(inode);
	}
	pm_cap_path(c, PM_STR_PATH, &p);
	pm_cap_commit(c);
}

static int kp_rmdir(struct kprobe *kp, struct pt_regs *regs)
{
	remove_event(regs, PM_HOOK_RMDIR, PREMOD_OP_RMDIR);
	return 0;
}

static int kp_unlink(struct kprobe *kp, struct pt_regs *regs)
{
	remove_event(regs, PM_HOOK_UNLINK, PREMOD_OP_UNLINK);
	return 0;
}

/* int security_path_rename(const struct path *old_dir,
 *			    struct dentry *old_dentry,
 *			    const struct path *new_dir,
 *			    struct dentry *new_dentry, unsigned int flags) */
static int kp_rename(struct kprobe *kp, struct pt_regs *regs)
{
	const struct path *old_dir = (const struct path *)ARG(regs, 0);
	struct dentry *old_dentry = (struct dentry *)ARG(regs, 1);
	const struct path *new_dir = (const struct path *)ARG(regs, 2);
	struct dentry *new_dentry = (struct dentry *)ARG(regs, 3);
	unsigned int flags = ARG(regs, 4);
	struct path p = { .mnt = old_dir->mnt, .dentry = old_dentry };
	struct pm_cap *c;

	hit(PM_HOOK_RENAME);
	if (private_dentry(old_dentry) || private_dentry(new_dentry))
		return 0;
	c = pm_cap_begin_mnt(PM_HOOK_RENAME, PREMOD_OP_RENAME, old_dir->mnt,
			     old_dentry, new_dir->dentry);
	if (!c)
		return 0;
	pm_cap_inode(c, d_backing_inode(old_dentry));
	c->ev.rename_flags = flags &
		(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT);
	if (d_is_positive(new_dentry)) {
		c->ev.flags |= PREMOD_F_REPLACES;
		c->ev.target_ino = d_backing_inode(new_dentry)->i_ino;
	}
	pm_cap_path(c, PM_STR_PATH, &p);
	pm_cap_child(c, PM_STR_PATH2, new_dir, new_dentry);
	pm_cap_commit(c);
	return 0;
}

/* int security_path_link(struct dentry *old_dentry,
 *			  const struct path *new_dir,
 *			  struct dentry *new_dentry) */
static int kp_link(struct kprobe *kp, struct pt_regs *regs)
{
	struct dentry *old_dentry = (struct dentry *)ARG(regs, 0);
	const struct path *new_dir = (const struct path *)ARG(regs, 1);
	struct dentry *new_dentry = (struct dentry *)ARG(regs, 2);
	/* No vfsmount for the old name, but link(2) requires one mount. */
	struct path p = { .mnt = new_dir->mnt, .dentry = old_dentry };
	struct pm_cap *c;

	hit(PM_HOOK_LINK);
	if (private_dentry(old_dentry))
		return 0;
	c = pm_cap_begin_mnt(PM_HOOK_LINK, PREMOD_OP_LINK, new_dir->mnt,
			     old_dentry, new_dir->dentry);
	if (!c)
		return 0;
	pm_cap_inode(c, d_backing_inode(old_dentry));
	pm_cap_path(c, PM_STR_PATH, &p);
	pm_cap_child(c, PM_STR_PATH2, new_dir, new_dentry);
	pm_cap_commit(c);
	return 0;
}

/* int security_path_symlink(const struct path *dir, struct dentry *dentry,
 *			     const char *old_name) */
static int kp_symlink(struct kprobe *kp, struct pt_regs *regs)
{
	const struct path *dir = (const struct path *)ARG(regs, 0);
	struct dentry *dentry = (struct dentry *)ARG(regs, 1);
	const char *target = (const char *)ARG(regs, 2);
	struct pm_cap *c;

	hit(PM_HOOK_SYMLINK);
	if (private_dentry(dir->dentry))
		return 0;
	c = pm_cap_begin_mnt(PM_HOOK_SYMLINK, PREMOD_OP_SYMLINK, dir->mnt,
			     dir->dentry, NULL);
	if (!c)
		return 0;
	pm_cap_inode(c, d_backing_inode(dir->dentry));
	c->ev.mode = S_IFLNK | 0777;
	pm_cap_child(c, PM_STR_PATH, dir, dentry);
	pm_cap_string(c, PM_STR_TARGET, target);
	pm_cap_commit(c);
	return 0;
}

/*
 * The size a truncate asks for is not among the hook's arguments in 6.1,
 * but on x86_64 the syscall that got here is known exactly: truncate(2)
 * and ftruncate(2) carry it as their second argument, an open with O_TRUNC
 * truncates to 0. Anything else (io_uring workers, compat tasks, kernel
 * threads) leaves it unknown rather than guessed.
 */
static bool truncate_new_size(u64 *size)
{
#ifdef CONFIG_X86_64
	struct pt_regs *uregs;

	if (current->flags & (PF_KTHREAD | PF_IO_WORKER) || in_compat_syscall())
		return false;
	uregs = task_pt_regs(current);
	switch (syscall_get_nr(current, uregs)) {
	case __NR_truncate:
	case __NR_ftruncate:
		*size = uregs->si;
		return true;
	case __NR_open:
	case __NR_openat:
	case __NR_openat2:
	case __NR_creat:
		*size = 0;
		return true;
	}
#endif
	return false;
}

static void truncate_event(enum pm_hook_id h, const struct path *path)
{
	struct inode *inode = d_backing_inode(path->dentry);
	struct pm_cap *c;

	hit(h);
	if (private_dentry(path->dentry))
		return;
	c = pm_cap_begin_mnt(h, PREMOD_OP_TRUNCATE, path->mnt, path->dentry, NULL);
	if (!c)
		return;
	pm_cap_inode(c, inode);
	if (inode)
		c->ev.old_size = i_size_read(inode);
	c->ev.has_new_size = truncate_new_size(&c->ev.new_size);
	pm_cap_path(c, PM_STR_PATH, path);
	pm_cap_commit(c);
}

/*
 * int security_path_truncate(const struct path *path): truncate(2); before
 * 6.2 also ftruncate(2) and open(O_TRUNC).
 */
static int kp_truncate(struct kprobe *kp, struct pt_regs *regs)
{
	truncate_event(PM_HOOK_TRUNCATE, (const struct path *)ARG(regs, 0));
	return 0;
}

/*
 * int security_file_truncate(struct file *file), since 6.2: ftruncate(2)
 * and open(O_TRUNC), which no longer reach security_path_truncate.
 */
static int kp_file_truncate(struct kprobe *kp, struct pt_regs *regs)
{
	struct file *file = (struct file *)ARG(regs, 0);

	truncate_event(PM_HOOK_FILE_TRUNCATE, &file->f_path);
	return 0;
}

/* int security_path_chmod(const struct path *path, umode_t mode) */
static int kp_chmod(struct kprobe *kp, struct pt_regs *regs)
{
	const struct path *path = (const struct path *)ARG(regs, 0);
	umode_t mode = ARG(regs, 1);
	struct inode *inode = d_backing_inode(path->dentry);
	struct pm_cap *c;

	hit(PM_HOOK_CHMOD);
	if (!inode || IS_PRIVATE(inode))
		return 0;
	c = pm_cap_begin_mnt(PM_HOOK_CHMOD, PREMOD_OP_CHMOD, path->mnt,
			     path->dentry, NULL);
	if (!c)
		return 0;
	pm_cap_inode(c, inode);
	c->ev.old_mode = inode->i_mode;
	c->ev.new_mode = (mode & S_IALLUGO) | (inode->i_mode & ~S_IALLUGO);
	pm_cap_path(c, PM_STR_PATH, path);
	pm_cap_commit(c);
	return 0;
}

/* int security_path_chown(const struct path *path, kuid_t uid, kgid_t gid):
 * an id left unchanged (-1 in chown(2)) arrives invalid. */
static int kp_chown(struct kprobe *kp, struct pt_regs *regs)
{
	const struct path *path = (const struct path *)ARG(regs, 0);
	kuid_t uid = KUIDT_INIT((uid_t)ARG(regs, 1));
	kgid_t gid = KGIDT_INIT((gid_t)ARG(regs, 2));
	struct inode *inode = d_backing_inode(path->dentry);
	struct pm_cap *c;

	hit(PM_HOOK_CHOWN);
	if (!inode || IS_PRIVATE(inode))
		return 0;
	c = pm_cap_begin_mnt(PM_HOOK_CHOWN, PREMOD_OP_CHOWN, path->mnt,
			     path->dentry, NULL);
	if (!c)
		return 0;
	pm_cap_inode(c, inode);
	c->ev.old_uid = from_kuid(&init_user_ns, inode->i_uid);
	c->ev.old_gid = from_kgid(&init_user_ns, inode->i_gid);
	c->ev.new_uid = uid_valid(uid) ? from_kuid(&init_user_ns, uid) :
					 c->ev.old_uid;
	c->ev.new_gid = gid_valid(gid) ? from_kgid(&init_user_ns, gid) :
					 c->ev.old_gid;
	pm_cap_path(c, PM_STR_PATH, path);
	pm_cap_commit(c);
	return 0;
}

static void utime_one(struct pm_event *ev, const struct timespec64 *t,
		      u32 set, u32 now, u64 *val)
{
	if (t->tv_nsec == UTIME_OMIT)
		return;
	ev->time_flags |= set;
	if (t->tv_nsec == UTIME_NOW)
		ev->time_flags |= now;
	else
		*val = (u64)t->tv_sec * NSEC_PER_SEC + t->tv_nsec;
}

/* int vfs_utimes(const struct path *path, struct timespec64 *times):
 * times NULL sets both to now, else [0] atime, [1] mtime. */
static int kp_utimes(struct kprobe *kp, struct pt_regs *regs)
{
	const struct path *path = (const struct path *)ARG(regs, 0);
	const struct timespec64 *times = (const struct timespec64 *)ARG(regs, 1);
	struct pm_cap *c;

	hit(PM_HOOK_UTIMES);
	c = pm_cap_begin_mnt(PM_HOOK_UTIMES, PREMOD_OP_SETATTR, path->mnt,
			     path->dentry, NULL);
	if (!c)
		return 0;
	pm_cap_inode(c, d_backing_inode(path->dentry));
	if (!times) {
		c->ev.time_flags = PREMOD_T_ATIME | PREMOD_T_MTIME |
				   PREMOD_T_ATIME_NOW | PREMOD_T_MTIME_NOW;
	} else {
		utime_one(&c->ev, &times[0], PREMOD_T_ATIME,
			  PREMOD_T_ATIME_NOW, &c->ev.atime);
		utime_one(&c->ev, &times[1], PREMOD_T_MTIME,
			  PREMOD_T_MTIME_NOW, &c->ev.mtime);
	}
	pm_cap_path(c, PM_STR_PATH, path);
	pm_cap_commit(c);
	return 0;
}

/*
 * int security_file_open(struct file *file)
 *
 * Only opens for writing, and only of regular files, directories and
 * block devices: writes to character devices (ttys, /dev/null), FIFOs and
 * sockets are streams, not changes to stored data, and would flood the
 * stream. Opens a stacking filesystem makes internally on the real file
 * (FMODE_NOACCOUNT, overlayfs) are skipped: the open of the overlay file
 * itself was reported already.
 */
static int kp_open(struct kprobe *kp, struct pt_regs *regs)
{
	struct file *file = (struct file *)ARG(regs, 0);
	struct inode *inode = file->f_inode;
	struct pm_cap *c;

	hit(PM_HOOK_OPEN);
	if (!(file->f_mode & FMODE_WRITE) || (file->f_mode & FMODE_NOACCOUNT))
		return 0;
	if (!inode || !(S_ISREG(inode->i_mode) || S_ISDIR(inode->i_mode) ||
			S_ISBLK(inode->i_mode)))
		return 0;
	c = pm_cap_begin_mnt(PM_HOOK_OPEN, PREMOD_OP_OPEN_WRITE,
			     file->f_path.mnt, file->f_path.dentry, NULL);
	if (!c)
		return 0;
	pm_cap_inode(c, inode);
	c->ev.open_flags = file->f_flags;
	c->ev.old_size = i_size_read(inode);
	if (file->f_mode & FMODE_CREATED)
		c->ev.flags |= PREMOD_F_CREATED;
	pm_cap_path(c, PM_STR_PATH, &file->f_path);
	pm_cap_commit(c);
	return 0;
}

/*
 * Overlayfs serves an operation on its merged directory by calling the
 * VFS on its layers itself, in the user's task with the mounter's
 * credentials put in place (ovl_override_creds()): copy-up marks the upper
 * copy with xattrs of its own (trusted.overlay.*, user.overlay.* for
 * unprivileged mounts). The operation was reported on the merged path
 * already, so that bookkeeping is not reported again. Only with overridden
 * credentials: a task's own setxattr(2) of such a name on a layer (forging
 * a redirect, say) is reported like any other.
 */
static bool overlay_bookkeeping(const char *name)
{
	if (rcu_access_pointer(current->cred) ==
	    rcu_access_pointer(current->real_cred))
		return false;
	return !strncmp(name, XATTR_TRUSTED_PREFIX "overlay.",
			XATTR_TRUSTED_PREFIX_LEN + 8) ||
	       !strncmp(name, XATTR_USER_PREFIX "overlay.",
			XATTR_USER_PREFIX_LEN + 8);
}

/*
 * The xattr and ACL hooks have a dentry only: one event of @op on @name,
 * the path from the filesystem's root (premodd maps it to the host's).
 * @size is the value's size for SETXATTR, unused for REMOVEXATTR.
 */
static void xattr_event(enum pm_hook_id h, u32 op, struct dentry *dentry,
			const char *name, u32 size)
{
	struct pm_cap *c;

	hit(h);
	if (private_dentry(dentry) || overlay_bookkeeping(name))
		return;
	c = pm_cap_begin(h, op, dentry, NULL);
	if (!c)
		return;
	pm_cap_inode(c, d_backing_inode(dentry));
	if (op == PREMOD_OP_SETXATTR)
		c->ev.xattr_size = size;
	pm_cap_dentry(c, dentry);
	pm_cap_string(c, PM_STR_XATTR, name);
	pm_cap_commit(c);
}

/* int security_inode_setxattr(struct user_namespace *mnt_userns,
 *			       struct dentry *dentry, const char *name,
 *			       const void *value, size_t size, int flags) */
static int kp_setxattr(struct kprobe *kp, struct pt_regs *regs)
{
	xattr_event(PM_HOOK_SETXATTR, PREMOD_OP_SETXATTR,
		    (struct dentry *)ARG(regs, 1), (const char *)ARG(regs, 2),
		    min_t(size_t, ARG(regs, 4), U32_MAX));
	return 0;
}

/* int security_inode_removexattr(struct user_namespace *mnt_userns,
 *				  struct dentry *dentry, const char *name) */
static int kp_removexattr(struct kprobe *kp, struct pt_regs *regs)
{
	xattr_event(PM_HOOK_REMOVEXATTR, PREMOD_OP_REMOVEXATTR,
		    (struct dentry *)ARG(regs, 1), (const char *)ARG(regs, 2), 0);
	return 0;
}

/*
 * Since 6.2 a POSIX ACL change no longer passes the xattr hooks:
 * int security_inode_set_acl(struct mnt_idmap *idmap, struct dentry *dentry,
 *			      const char *acl_name, struct posix_acl *kacl)
 * int security_inode_remove_acl(struct mnt_idmap *idmap,
 *				 struct dentry *dentry, const char *acl_name)
 * They raise what the xattr hooks raise for the same change before 6.2
 * (include/premod.h): SETXATTR / REMOVEXATTR of the ACL's xattr name, the
 * size being that of the ACL in its xattr form.
 */
static int kp_set_acl(struct kprobe *kp, struct pt_regs *regs)
{
	const struct posix_acl *acl = (const struct posix_acl *)ARG(regs, 3);

	xattr_event(PM_HOOK_SET_ACL, PREMOD_OP_SETXATTR,
		    (struct dentry *)ARG(regs, 1), (const char *)ARG(regs, 2),
		    acl ? posix_acl_xattr_size(acl->a_count) : 0);
	return 0;
}

static int kp_remove_acl(struct kprobe *kp, struct pt_regs *regs)
{
	xattr_event(PM_HOOK_REMOVE_ACL, PREMOD_OP_REMOVEXATTR,
		    (struct dentry *)ARG(regs, 1), (const char *)ARG(regs, 2), 0);
	return 0;
}

/* One parameter per hook: 0 leaves it unregistered. */
static bool hook_mknod = true;
static bool hook_mkdir = true;
static bool hook_rmdir = true;
static bool hook_unlink = true;
static bool hook_rename = true;
static bool hook_link = true;
static bool hook_symlink = true;
static bool hook_truncate = true;
static bool hook_chmod = true;
static bool hook_chown = true;
static bool hook_utimes = true;
static bool hook_open = true;
static bool hook_setxattr = true;
static bool hook_removexattr = true;
static bool hook_file_truncate = true;
static bool hook_set_acl = true;
static bool hook_remove_acl = true;

#define HOOK_PARAM(n, what) \
	module_param(hook_##n, bool, 0444); \
	MODULE_PARM_DESC(hook_##n, "report " what " (default 1)")

HOOK_PARAM(mknod, "CREATE: security_path_mknod");
HOOK_PARAM(mkdir, "MKDIR: security_path_mkdir");
HOOK_PARAM(rmdir, "RMDIR: security_path_rmdir");
HOOK_PARAM(unlink, "UNLINK: security_path_unlink");
HOOK_PARAM(rename, "RENAME: security_path_rename");
HOOK_PARAM(link, "LINK: security_path_link");
HOOK_PARAM(symlink, "SYMLINK: security_path_symlink");
HOOK_PARAM(truncate, "TRUNCATE: security_path_truncate");
HOOK_PARAM(chmod, "CHMOD: security_path_chmod");
HOOK_PARAM(chown, "CHOWN: security_path_chown");
HOOK_PARAM(utimes, "SETATTR (times): vfs_utimes");
HOOK_PARAM(open, "OPEN_WRITE: security_file_open");
HOOK_PARAM(setxattr, "SETXATTR: security_inode_setxattr");
HOOK_PARAM(removexattr, "REMOVEXATTR: security_inode_removexattr");
HOOK_PARAM(file_truncate, "TRUNCATE: security_file_truncate (6.2+)");
HOOK_PARAM(set_acl, "SETXATTR (ACL): security_inode_set_acl (6.2+)");
HOOK_PARAM(remove_acl, "REMOVEXATTR (ACL): security_inode_remove_acl (6.2+)");

/*
 * since: the hook is not in every kernel premod supports; a kernel without
 * it takes the operation through another hook of the table (the VFS calls
 * it at the same place), so its absence is no error. Resolved at load.
 */
#define HOOK(id, s, n, ...) \
	[PM_HOOK_##id] = { .sym = s, .param = #n, .enabled = &hook_##n, \
			   .handler = kp_##n, __VA_ARGS__ }

static const struct {
	const char *sym;
	const char *param;
	bool *enabled;
	kprobe_pre_handler_t handler;
	const char *since;
} hooks[PM_HOOK_N] = {
	HOOK(MKNOD, "security_path_mknod", mknod),
	HOOK(MKDIR, "security_path_mkdir", mkdir),
	HOOK(RMDIR, "security_path_rmdir", rmdir),
	HOOK(UNLINK, "security_path_unlink", unlink),
	HOOK(RENAME, "security_path_rename", rename),
	HOOK(LINK, "security_path_link", link),
	HOOK(SYMLINK, "security_path_symlink", symlink),
	HOOK(TRUNCATE, "security_path_truncate", truncate),
	HOOK(CHMOD, "security_path_chmod", chmod),
	HOOK(CHOWN, "security_path_chown", chown),
	HOOK(UTIMES, "vfs_utimes", utimes),
	HOOK(OPEN, "security_file_open", open),
	HOOK(SETXATTR, "security_inode_setxattr", setxattr),
	HOOK(REMOVEXATTR, "security_inode_removexattr", removexattr),
	HOOK(FILE_TRUNCATE, "security_file_truncate", file_truncate,
	     .since = "6.2"),
	HOOK(SET_ACL, "security_inode_set_acl", set_acl, .since = "6.2"),
	HOOK(REMOVE_ACL, "security_inode_remove_acl", remove_acl,
	     .since = "6.2"),
};

static struct kprobe kps[PM_HOOK_N];
static struct kprobe *active[PM_HOOK_N];
static bool probed[PM_HOOK_N];
static int n_active;

const char *pm_hook_name(enum pm_hook_id h)
{
	return hooks[h].sym;
}

bool pm_hook_enabled(enum pm_hook_id h)
{
	return *hooks[h].enabled;
}

bool pm_hook_probed(enum pm_hook_id h)
{
	return probed[h];
}

u64 pm_hook_nmissed(enum pm_hook_id h)
{
	return probed[h] ? READ_ONCE(kps[h].nmissed) : 0;
}

/*
 * One probe at a time (register_kprobes() would do the same, without
 * saying which one failed): an optional hook the kernel does not have is
 * left out, any other failure undoes what was registered.
 */
int pm_hooks_init(void)
{
	int i, err;

	n_active = 0;
	memset(probed, 0, sizeof(probed));
	for (i = 0; i < PM_HOOK_N; i++) {
		if (!*hooks[i].enabled)
			continue;
		memset(&kps[i], 0, sizeof(kps[i]));
		kps[i].symbol_name = hooks[i].sym;
		kps[i].pre_handler = hooks[i].handler;
		err = register_kprobe(&kps[i]);
		if (err == -ENOENT && hooks[i].since) {
			pr_info("%s: not in this kernel (new in %s), not needed\n",
				hooks[i].sym, hooks[i].since);
			continue;
		}
		if (err) {
			pr_err("cannot probe %s (%d); load with hook_%s=0 to go without it\n",
			       hooks[i].sym, err, hooks[i].param);
			pm_hooks_exit();
			return err;
		}
		active[n_active++] = &kps[i];
		probed[i] = true;
	}
	if (!n_active)
		pr_warn("every hook is disabled: no events will be raised\n");
	return 0;
}

void pm_hooks_exit(void)
{
	/* One batch: one grace period waits out every running handler. */
	if (n_active)
		unregister_kprobes(active, n_active);
	n_active = 0;
	memset(probed, 0, sizeof(probed));
}
