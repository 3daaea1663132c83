// SPDX-License-Identifier: GPL-2.0
/*
 * What every event carries: the acting task and the path(s), taken in the
 * task's own context at the hook, before the operation happens.
 *
 * Everything here runs with preemption disabled (kprobe handler): no
 * sleeping, no allocation; d_path() and dentry_path_raw() only take
 * seqlocks and RCU. Paths are built in per-CPU scratch buffers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/audit.h>
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/mm_types.h>
#include <linux/kdev_t.h>
#include <linux/magic.h>
#include <linux/mnt_namespace.h>
#include <linux/namei.h>
#include <linux/ns_common.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/proc_ns.h>
#include <linux/rcupdate.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seqlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uidgid.h>
#include <linux/vmalloc.h>

#include "pm_capture.h"
#include "pm_drain.h"
#include "pm_filter.h"
#include "pm_genl.h"
#include "pm_ring.h"

static DEFINE_PER_CPU(struct pm_cap *, caps);
static DEFINE_PER_CPU(int, busy);

/*
 * "Initial" root and mount namespace: PID 1's (of the initial pid
 * namespace) when the module is loaded, the ones whose mount table
 * (/proc/1/mountinfo) premodd maps names with. The root is held so that
 * comparing pointers with it stays meaningful.
 */
static struct path init_root;
static u32 init_mntns;

static u32 mntns_inum(struct task_struct *t);

static void init_identity(void)
{
	struct task_struct *t;

	rcu_read_lock();
	t = READ_ONCE(init_pid_ns.child_reaper);
	if (t)
		get_task_struct(t);
	rcu_read_unlock();
	if (!t)
		return;
	task_lock(t);
	if (t->fs)
		get_fs_root(t->fs, &init_root);
	init_mntns = mntns_inum(t);
	task_unlock(t);
	put_task_struct(t);
}

static int mntns_check(void);

int pm_capture_init(void)
{
	int cpu, err;

	err = mntns_check();
	if (err)
		return err;

	for_each_possible_cpu(cpu) {
		struct pm_cap *c = vzalloc_node(sizeof(*c), cpu_to_node(cpu));

		if (!c) {
			pm_capture_exit();
			return -ENOMEM;
		}
		per_cpu(caps, cpu) = c;
	}
	init_identity();
	return 0;
}

void pm_capture_exit(void)
{
	int cpu;

	if (init_root.dentry) {
		path_put(&init_root);
		memset(&init_root, 0, sizeof(init_root));
	}

	for_each_possible_cpu(cpu) {
		vfree(per_cpu(caps, cpu));
		per_cpu(caps, cpu) = NULL;
	}
}

/*
 * struct mnt_namespace is private to fs/ (fs/mount.h) and no exported
 * function gives a task's mount namespace number without taking
 * task_lock (a sleeping lock on PREEMPT_RT). Its first member has been
 * "struct ns_common ns" since 5.11, so the number is read through the
 * nsproxy's pointer as a struct ns_common - but only once the load has
 * proven that layout on the running kernel: the loading task's
 * /proc/self/ns/mnt is an nsfs inode whose i_private is that namespace's
 * ns_common (get_proc_ns(), public), so it must be the very address of
 * nsproxy->mnt_ns, and its inode number the ns.inum read there. A kernel
 * that moved the member fails this and the module refuses to load rather
 * than report garbage.
 */
static_assert(__same_type(((struct nsproxy *)NULL)->mnt_ns,
			  struct mnt_namespace *));
static bool mntns_known;

static int mntns_check(void)
{
	struct nsproxy *nsp = current->nsproxy;
	struct ns_common *ns;
	struct inode *inode;
	struct path p;
	int err;

	err = kern_path("/proc/self/ns/mnt", LOOKUP_FOLLOW, &p);
	if (err) {
		pr_warn("no /proc/self/ns/mnt (%d): mount namespaces are reported as 0\n",
			err);
		return 0;
	}
	inode = d_backing_inode(p.dentry);
	ns = inode && inode->i_sb->s_magic == NSFS_MAGIC ?
		get_proc_ns(inode) : NULL;
	if (!nsp || !ns || (void *)nsp->mnt_ns != (void *)ns ||
	    ns->inum != inode->i_ino) {
		pr_err("struct mnt_namespace does not start with its ns_common on this kernel: cannot report mount namespaces\n");
		err = -EINVAL;
	} else {
		mntns_known = true;
	}
	path_put(&p);
	return err;
}

static u32 mntns_inum(struct task_struct *t)
{
	struct nsproxy *nsp = t->nsproxy;

	if (!mntns_known || !nsp || !nsp->mnt_ns)
		return 0;
	return ((struct ns_common *)nsp->mnt_ns)->inum;
}

/*
 * The sequence counts of rename_lock and of fs_struct, read without ever
 * waiting: the seqlock helpers take the writer's lock on a retry, and on
 * PREEMPT_RT even on the first read while a writer is active, and a lock
 * is a sleeping one there. An odd count (a writer is busy) is a failed
 * try; a caller tries a bounded number of times, then gives up.
 */
#define WALK_TRIES	4

static const seqcount_t *rename_seq(void)
{
	return &rename_lock.seqcount.seqcount;
}

/*
 * Prepends to @start (inside @buf, already holding what follows, at least
 * a NUL) the path of @d from the root of its filesystem, by its d_parent
 * chain under RCU; the rename_lock count says whether a rename moved
 * anything meanwhile. Returns the new start, or NULL when the path does
 * not fit, the chain does not end at the filesystem's root (a
 * disconnected dentry, as open_by_handle_at may give) or no try saw a
 * quiet count. Never "/": an empty result means @d is the root.
 */
static char *fs_walk(const struct dentry *d, char *buf, char *start)
{
	const seqcount_t *rs = rename_seq();
	int tries;

	for (tries = 0; tries < WALK_TRIES; tries++) {
		const struct dentry *cur = d;
		unsigned int seq;
		char *p = start;
		bool ok = true;

		seq = raw_read_seqcount(rs);
		if (seq & 1)
			continue;
		rcu_read_lock();
		while (!IS_ROOT(cur)) {
			const struct dentry *parent = READ_ONCE(cur->d_parent);
			const char *name = smp_load_acquire(&cur->d_name.name);
			u32 n = READ_ONCE(cur->d_name.len);

			n = strnlen(name, min_t(u32, n, NAME_MAX));
			if (p - buf < n + 1) {
				ok = false;
				break;
			}
			p -= n;
			memcpy(p, name, n);
			*--p = '/';
			cur = parent;
		}
		if (ok && cur != cur->d_sb->s_root)
			ok = false;
		rcu_read_unlock();
		if (!read_seqcount_retry(rs, seq))
			return ok ? p : NULL;
	}
	return NULL;
}

/* FS_PATH/FS_PATH2 of @d, or of @name in directory @d when @name is set. */
static void cap_fs_path(struct pm_cap *c, enum pm_str which,
			const struct dentry *d, const char *name, u32 n)
{
	char *buf = which == PM_STR_FS_PATH2 ? c->fspath2 : c->fspath;
	char *end = buf + PREMOD_PATH_MAX - 1, *p;

	*end = '\0';
	p = end;
	if (name) {
		if (n + 2 > PREMOD_PATH_MAX)
			goto fail;
		p -= n;
		memcpy(p, name, n);
		*--p = '/';
	}
	p = fs_walk(d, buf, p);
	if (!p)
		goto fail;
	if (p == end)
		*--p = '/';
	c->str[which] = p;
	c->ev.slen[which] = end - p + 1;
	return;
fail:
	c->ev.flags |= PREMOD_F_FS_PATH_ERROR;
}

/*
 * The acting task's executable: mm->exe_file under RCU (its struct file
 * is freed after a grace period; get_mm_exe_file() would take a
 * reference, which we need not: the task is in a system call of its own,
 * so its mm and exe stay). Kernel threads have none. io_uring workers
 * share the submitter's mm, so their exe is the submitter's.
 */
static void cap_exe(struct pm_cap *c)
{
	struct mm_struct *mm = current->mm;
	const struct dentry *d;
	const struct inode *inode;
	struct file *f;
	unsigned int seq;
	char *p;

	if (!mm)
		return;
	rcu_read_lock();
	f = rcu_dereference(mm->exe_file);
	if (!f) {
		rcu_read_unlock();
		return;
	}
	d = f->f_path.dentry;
	inode = file_inode(f);
	c->ev.has_exe = 1;
	c->ev.exe_dev = new_encode_dev(inode->i_sb->s_dev);
	c->ev.exe_ino = inode->i_ino;
	seq = raw_read_seqcount(rename_seq());
	if (c->exe.s && c->exe.dentry == d && c->exe.inode == inode &&
	    c->exe.seq == seq && !(seq & 1)) {
		p = (char *)c->exe.s;
	} else {
		c->exe.s = NULL;
		c->exe.buf[PREMOD_PATH_MAX - 1] = '\0';
		p = fs_walk(d, c->exe.buf, c->exe.buf + PREMOD_PATH_MAX - 1);
		if (p && p == c->exe.buf + PREMOD_PATH_MAX - 1)
			*--p = '/';
		if (p) {
			c->exe.dentry = d;
			c->exe.inode = inode;
			c->exe.seq = seq;
			c->exe.s = p;
		}
	}
	rcu_read_unlock();
	if (!p) {
		c->ev.flags |= PREMOD_F_EXE_ERROR;
		return;
	}
	c->str[PM_STR_EXE] = p;
	c->ev.slen[PM_STR_EXE] = c->exe.buf + PREMOD_PATH_MAX - p;
}

/* Whether the task's root and mount namespace are the initial ones. */
static u32 task_view_flags(void)
{
	struct fs_struct *fs = current->fs;
	u32 flags = 0;

	if (init_mntns && mntns_inum(current) != init_mntns)
		flags |= PREMOD_F_TASK_MNTNS;
	if (fs && init_root.dentry) {
		const seqcount_t *sc = &fs->seq.seqcount;
		struct path root = {};
		unsigned int seq;
		int tries;

		for (tries = 0; tries < WALK_TRIES; tries++) {
			seq = raw_read_seqcount(sc);
			if (seq & 1)
				continue;
			root.mnt = READ_ONCE(fs->root.mnt);
			root.dentry = READ_ONCE(fs->root.dentry);
			if (!read_seqcount_retry(sc, seq))
				break;
		}
		/* Unknown (a chroot racing with us) counts as not initial. */
		if (root.mnt != init_root.mnt || root.dentry != init_root.dentry)
			flags |= PREMOD_F_TASK_ROOT;
	}
	return flags;
}

static void fill_task(struct pm_event *ev)
{
	const struct cred *cred = current_cred();

	ev->time = ktime_get_real_ns();
	ev->pid = task_pid_nr(current);
	ev->tgid = task_tgid_nr(current);
	rcu_read_lock();
	ev->ppid = task_tgid_nr(rcu_dereference(current->real_parent));
	ev->cgroup = cgroup_id(task_dfl_cgroup(current));
	rcu_read_unlock();
	ev->uid = from_kuid(&init_user_ns, cred->uid);
	ev->gid = from_kgid(&init_user_ns, cred->gid);
	ev->euid = from_kuid(&init_user_ns, cred->euid);
	ev->egid = from_kgid(&init_user_ns, cred->egid);
	ev->fsuid = from_kuid(&init_user_ns, cred->fsuid);
	ev->fsgid = from_kgid(&init_user_ns, cred->fsgid);
	ev->auid = from_kuid(&init_user_ns, audit_get_loginuid(current));
	ev->session = audit_get_sessionid(current);
	ev->mntns = mntns_inum(current);
	ev->flags |= task_view_flags();
	/* comm may change under us (prctl); strscpy bounds it either way. */
	strscpy(ev->comm, current->comm, sizeof(ev->comm));
}

static bool is_daemon(void)
{
	bool self;

	rcu_read_lock();
	self = rcu_dereference(pm_daemon) == task_tgid(current);
	rcu_read_unlock();
	return self;
}

struct pm_cap *pm_cap_begin_mnt(enum pm_hook_id h, u32 op,
				struct vfsmount *mnt, struct dentry *d1,
				struct dentry *d2)
{
	struct pm_cap *c;

	/* The hook counted its hit: it sees some it never offers here. */
	if (!pm_genl_listening())
		return NULL;
	if (!pm_filter_op(op)) {
		pm_stat_inc(PREMOD_STAT_FILTERED);
		return NULL;
	}
	if (is_daemon()) {
		pm_stat_inc(PREMOD_STAT_SELF);
		return NULL;
	}
	if (!pm_filter_match(mnt, d1, d2)) {
		pm_stat_inc(PREMOD_STAT_FILTERED);
		return NULL;
	}
	if (this_cpu_xchg(busy, 1)) {
		this_cpu_inc(pm_stats.reentry);
		return NULL;
	}
	c = this_cpu_read(caps);
	memset(c->str, 0, sizeof(c->str));
	memset(&c->ev, 0, sizeof(c->ev));
	c->ev.op = op;
	fill_task(&c->ev);
	cap_exe(c);
	return c;
}

void pm_cap_commit(struct pm_cap *c)
{
	pm_ring_commit(&c->ev, c->str);
	this_cpu_write(busy, 0);
	pm_drain_kick();
}

/*
 * A config event, from process context (a genl command, module exit):
 * the caller's identity, the action and what changed. It bypasses the
 * prefilter and the self-exclusion: the daemon's own changes are what it
 * must not be able to make silently.
 */
void pm_cap_config(u32 action, const char *detail)
{
	struct pm_cap *c;

	if (!pm_genl_listening())
		return;
	preempt_disable();
	if (this_cpu_xchg(busy, 1)) {
		this_cpu_inc(pm_stats.reentry);
		preempt_enable();
		return;
	}
	c = this_cpu_read(caps);
	memset(c->str, 0, sizeof(c->str));
	memset(&c->ev, 0, sizeof(c->ev));
	c->ev.op = PREMOD_OP_CONFIG;
	c->ev.config_action = action;
	fill_task(&c->ev);
	cap_exe(c);
	if (detail) {
		c->str[PM_STR_DETAIL] = detail;
		c->ev.slen[PM_STR_DETAIL] = min_t(size_t, strlen(detail) + 1,
						  PREMOD_PATH_MAX);
	}
	pm_cap_commit(c);
	preempt_enable();
}

void pm_cap_inode(struct pm_cap *c, const struct inode *inode)
{
	if (!inode)
		return;
	c->ev.dev = new_encode_dev(inode->i_sb->s_dev);
	c->ev.ino = inode->i_ino;
	c->ev.mode = inode->i_mode;
}

static u32 trunc_flag(enum pm_str which)
{
	switch (which) {
	case PM_STR_PATH:
		return PREMOD_F_PATH_TRUNCATED;
	case PM_STR_PATH2:
		return PREMOD_F_PATH2_TRUNCATED;
	case PM_STR_TARGET:
		return PREMOD_F_TARGET_TRUNCATED;
	default:
		return 0;
	}
}

static u32 error_flag(enum pm_str which)
{
	return which == PM_STR_PATH2 ? PREMOD_F_PATH2_ERROR :
				       PREMOD_F_PATH_ERROR;
}

static enum pm_str fs_which(enum pm_str which)
{
	return which == PM_STR_PATH2 ? PM_STR_FS_PATH2 : PM_STR_FS_PATH;
}

static char *strbuf(struct pm_cap *c, enum pm_str which)
{
	return which == PM_STR_PATH2 ? c->path2 : c->path;
}

/* @s has @len bytes with its NUL; a too long one is cut at its start. */
static void set_str(struct pm_cap *c, enum pm_str which, const char *s,
		    size_t len, bool cut)
{
	if (len > PREMOD_PATH_MAX) {
		s += len - PREMOD_PATH_MAX;
		len = PREMOD_PATH_MAX;
		cut = true;
	}
	if (cut) {
		c->ev.flags |= trunc_flag(which);
		pm_stat_inc(PREMOD_STAT_PATH_TRUNCATED);
	}
	c->str[which] = s;
	c->ev.slen[which] = len;
}

/*
 * d_path() refuses a path longer than its buffer. Keep what we can of the
 * end instead: the names from @d up to the root of its filesystem. Mount
 * crossings are not followed; the result is flagged as cut anyway, and
 * with PM_PATHBUF twice the sent size the part sent is nearly always
 * inside the last mount. Names are read the way d_path() reads them
 * (RCU, the name pointer before its length, stop at NUL).
 */
static char *tail_walk(const struct dentry *d, char *buf, int size)
{
	char *p = buf + size;

	*--p = '\0';
	rcu_read_lock();
	while (!IS_ROOT(d)) {
		const char *name = smp_load_acquire(&d->d_name.name);
		u32 n = READ_ONCE(d->d_name.len);

		n = strnlen(name, n);
		if (p - buf < n + 1)
			break;
		p -= n;
		memcpy(p, name, n);
		*--p = '/';
		d = READ_ONCE(d->d_parent);
	}
	rcu_read_unlock();
	return p;
}

/* The path could not be resolved: send the name alone. */
static void name_only(struct pm_cap *c, enum pm_str which,
		      const struct dentry *d)
{
	char *buf = strbuf(c, which);
	const char *name;
	u32 n;

	rcu_read_lock();
	name = smp_load_acquire(&d->d_name.name);
	n = min_t(u32, READ_ONCE(d->d_name.len), NAME_MAX);
	n = strnlen(name, n);
	memcpy(buf, name, n);
	rcu_read_unlock();
	buf[n] = '\0';
	c->ev.flags |= error_flag(which);
	pm_stat_inc(PREMOD_STAT_PATH_ERROR);
	set_str(c, which, buf, n + 1, false);
}

/*
 * An object that was unlinked while open (or hard-linked from it) has no
 * name: d_path() appends " (deleted)" to its last one. Send the last name
 * without that and flag the object instead; a file whose name really ends
 * in " (deleted)" keeps it.
 */
static void strip_deleted(struct pm_cap *c, const struct dentry *d, char *s)
{
	static const char sfx[] = " (deleted)";
	size_t len, n = sizeof(sfx) - 1;

	if (!d_unlinked(d))
		return;
	c->ev.flags |= PREMOD_F_UNLINKED;
	len = strlen(s);
	if (len > n && !memcmp(s + len - n, sfx, n))
		s[len - n] = '\0';
}

/*
 * On PREEMPT_RT the task's view is not built: d_path()'s second pass,
 * taken when a rename or a mount change races with it, locks rename_lock
 * or mount_lock, and those spinlocks sleep there ("BUG: scheduling while
 * atomic" from prepend_path(), seen on Debian's 6.12-rt under concurrent
 * writers). PATH is then the path within the filesystem, flagged
 * PREMOD_F_FS_RELATIVE as the xattr hooks' paths are, and premodd names the
 * object by its host path from DEV and FS_PATH, as on every kernel.
 * Returns true when it set PATH (or PATH2) so.
 */
static bool rt_fs_view(struct pm_cap *c, enum pm_str which)
{
	enum pm_str fw = fs_which(which);

	c->ev.flags |= PREMOD_F_FS_RELATIVE;
	if (!c->str[fw])
		return false;
	set_str(c, which, c->str[fw], c->ev.slen[fw], false);
	return true;
}

void pm_cap_path(struct pm_cap *c, enum pm_str which, const struct path *p)
{
	char *buf = strbuf(c, which);
	bool cut = false;
	char *s;

	cap_fs_path(c, fs_which(which), p->dentry, NULL, 0);
	if (IS_ENABLED(CONFIG_PREEMPT_RT)) {
		if (d_unlinked(p->dentry))
			c->ev.flags |= PREMOD_F_UNLINKED;
		if (rt_fs_view(c, which))
			return;
		/* too long for FS_PATH: its tail, cut at the start */
		s = tail_walk(p->dentry, buf, PM_PATHBUF);
		if (!*s) {
			name_only(c, which, p->dentry);
			return;
		}
		set_str(c, which, s, strlen(s) + 1, true);
		return;
	}
	/* d_path() resolves against current->fs, gone late in exit(). */
	if (!current->fs) {
		name_only(c, which, p->dentry);
		return;
	}
	s = d_path(p, buf, PM_PATHBUF);
	if (IS_ERR(s)) {
		if (PTR_ERR(s) != -ENAMETOOLONG) {
			name_only(c, which, p->dentry);
			return;
		}
		s = tail_walk(p->dentry, buf, PM_PATHBUF);
		cut = true;
	}
	strip_deleted(c, p->dentry, s);
	set_str(c, which, s, strlen(s) + 1, cut);
}

/*
 * d_path() of a dentry that is not (yet) hashed, such as the in-lookup one
 * open(O_CREAT) passes to security_path_mknod, ends in " (deleted)". So the
 * path of a new object is its directory's path, "/", and its name: the
 * name is put at the end of the buffer first, and d_path() of the
 * directory is given the space in front, its NUL landing on the slash.
 */
void pm_cap_child(struct pm_cap *c, enum pm_str which,
		  const struct path *dir, const struct dentry *child)
{
	char *buf = strbuf(c, which);
	char *name, *slash, *s;
	bool cut = false;
	u32 n;

	/* The name is stable: the caller holds the directory's lock. */
	n = min_t(u32, child->d_name.len, NAME_MAX);
	name = buf + PM_PATHBUF - 1 - n;
	memcpy(name, child->d_name.name, n);
	name[n] = '\0';
	slash = name - 1;
	cap_fs_path(c, fs_which(which), dir->dentry, name, n);

	if (IS_ENABLED(CONFIG_PREEMPT_RT)) {
		if (rt_fs_view(c, which))
			return;
		/* too long for FS_PATH: its tail, cut at the start */
		s = tail_walk(dir->dentry, buf, slash - buf + 1);
		if (!*s)
			s = ERR_PTR(-ENOENT);
		cut = true;
	} else if (!current->fs) {
		s = ERR_PTR(-ENOENT);
	} else {
		s = d_path(dir, buf, slash - buf + 1);
		if (IS_ERR(s) && PTR_ERR(s) == -ENAMETOOLONG) {
			s = tail_walk(dir->dentry, buf, slash - buf + 1);
			cut = true;
		}
	}
	if (IS_ERR(s)) {
		c->ev.flags |= error_flag(which);
		pm_stat_inc(PREMOD_STAT_PATH_ERROR);
		set_str(c, which, name, n + 1, false);
		return;
	}
	if (s == slash - 1 && s[0] == '/')
		s = slash;	/* the directory is "/" */
	*slash = '/';
	set_str(c, which, s, buf + PM_PATHBUF - s, cut);
}

void pm_cap_dentry(struct pm_cap *c, const struct dentry *d)
{
	char *buf = c->path;
	bool cut = false;
	char *s;

	c->ev.flags |= PREMOD_F_FS_RELATIVE;
	if (d_unlinked(d))
		c->ev.flags |= PREMOD_F_UNLINKED;
	/* PATH is the same path from the filesystem's root, cut if need be. */
	cap_fs_path(c, PM_STR_FS_PATH, d, NULL, 0);
	s = (char *)c->str[PM_STR_FS_PATH];
	if (!s) {
		s = tail_walk(d, buf, PM_PATHBUF);
		if (!*s) {
			name_only(c, PM_STR_PATH, d);
			return;
		}
		cut = true;
	}
	set_str(c, PM_STR_PATH, s, strlen(s) + 1, cut);
}

void pm_cap_string(struct pm_cap *c, enum pm_str which, const char *s)
{
	size_t len = strlen(s) + 1;

	if (which == PM_STR_XATTR) {
		/* The VFS caps names at XATTR_NAME_MAX before the hook. */
		c->str[which] = s;
		c->ev.slen[which] = min_t(size_t, len, PM_XATTR_NAME_MAX);
		return;
	}
	set_str(c, which, s, len, false);
}
