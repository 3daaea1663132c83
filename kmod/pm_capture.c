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
#include <linux/kdev_t.h>
#include <linux/magic.h>
#include <linux/mnt_namespace.h>
#include <linux/namei.h>
#include <linux/ns_common.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/proc_ns.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
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
	return 0;
}

void pm_capture_exit(void)
{
	int cpu;

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

struct pm_cap *pm_cap_begin(enum pm_hook_id h, u32 op,
			    struct dentry *d1, struct dentry *d2)
{
	struct pm_cap *c;

	this_cpu_inc(pm_stats.hits[h]);
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
	if (!pm_filter_match(d1, d2)) {
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
	return c;
}

void pm_cap_commit(struct pm_cap *c)
{
	pm_ring_commit(&c->ev, c->str);
	this_cpu_write(busy, 0);
	pm_drain_kick();
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
	c->ev.flags |= PREMOD_F_PATH_ERROR;
	pm_stat_inc(PREMOD_STAT_PATH_ERROR);
	set_str(c, which, buf, n + 1, false);
}

void pm_cap_path(struct pm_cap *c, enum pm_str which, const struct path *p)
{
	char *buf = strbuf(c, which);
	bool cut = false;
	char *s;

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

	if (!current->fs) {
		s = ERR_PTR(-ENOENT);
	} else {
		s = d_path(dir, buf, slash - buf + 1);
		if (IS_ERR(s) && PTR_ERR(s) == -ENAMETOOLONG) {
			s = tail_walk(dir->dentry, buf, slash - buf + 1);
			cut = true;
		}
	}
	if (IS_ERR(s)) {
		c->ev.flags |= PREMOD_F_PATH_ERROR;
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
	s = dentry_path_raw(d, buf, PM_PATHBUF);
	if (IS_ERR(s)) {
		if (PTR_ERR(s) != -ENAMETOOLONG) {
			name_only(c, PM_STR_PATH, d);
			return;
		}
		s = tail_walk(d, buf, PM_PATHBUF);
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
