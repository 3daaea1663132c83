// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel prefilter the daemon sets: ops to report, subtrees to
 * include and exclude, fsuids to exclude. No filter = report everything.
 *
 * Subtree membership is dentry ancestry (is_subdir(): RCU and the
 * rename_lock seqlock, fine in a kprobe handler) against the dentries the
 * paths resolved to when the filter was set. So a directory reached
 * through a bind mount, from another mount namespace or inside a chroot
 * is the same subtree. For hooks that have the mount, mount ancestry too
 * (see mount_under()): a filesystem mounted inside a watched directory is
 * inside it. The filter holds references on its paths; it is
 * replaced as a whole under RCU, and the old one is released after a
 * grace period from process context (path_put() may sleep).
 */
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include <net/genetlink.h>

#include "pm_filter.h"
#include "pm_internal.h"

struct root {
	struct path path;
	char *name;		/* as given, for GET_FILTER */
	bool exclude;
};

struct pm_filter {
	u32 ops;		/* 0 = all */
	unsigned int n_roots, n_include, n_uids;
	struct root roots[PREMOD_FILTER_MAX_PATHS];
	kuid_t uids[PREMOD_FILTER_MAX_UIDS];
};

static struct pm_filter __rcu *active;

/* Bits of the ops an event can have (not LOST, which is the drain's). */
#define OPS_VALID	(GENMASK(PREMOD_OP_REMOVEXATTR, PREMOD_OP_CREATE))

bool pm_filter_op(u32 op)
{
	struct pm_filter *f;
	bool pass;

	rcu_read_lock();
	f = rcu_dereference(active);
	pass = !f || !f->ops || (f->ops & BIT(op));
	rcu_read_unlock();
	return pass;
}

/*
 * Mount ancestry: @d on @mnt lies under @root through the mounts above
 * @mnt (a filesystem mounted inside a watched directory). path_is_under()
 * is the exported way; it holds mount_lock's spinlock for the walk, which
 * is fine with preemption disabled but a sleeping lock on PREEMPT_RT, so
 * there only dentry ancestry is judged. It follows the mount tree the
 * root was resolved in (the setter's namespace): a mount only another
 * namespace has is judged by dentry ancestry alone.
 */
static bool mount_under(struct vfsmount *mnt, struct dentry *d,
			const struct path *root)
{
	struct path p = { .mnt = mnt, .dentry = d };

	if (IS_ENABLED(CONFIG_PREEMPT_RT) || !mnt)
		return false;
	/* The root's own mount: dentry ancestry has decided already. */
	if (mnt == root->mnt)
		return false;
	return path_is_under(&p, root);
}

/*
 * Dentry ancestry. is_subdir() retries under rename_lock's spinlock when a
 * rename races with it (6.12), a sleeping lock on PREEMPT_RT. There the
 * d_parent chain is walked under RCU and checked against rename_lock's
 * count a bounded number of times; when no try saw a quiet count the
 * answer is @undecided: "inside" for an include (a racing rename costs an
 * extra event, never a lost one), "outside" for an exclude.
 */
static bool subdir(struct dentry *d, struct dentry *root, bool undecided)
{
	const seqcount_t *rs = &rename_lock.seqcount.seqcount;
	int tries;

	if (!IS_ENABLED(CONFIG_PREEMPT_RT))
		return is_subdir(d, root);
	for (tries = 0; tries < 4; tries++) {
		unsigned int seq = raw_read_seqcount(rs);
		const struct dentry *cur = d;
		bool in = false;

		if (seq & 1)
			continue;
		rcu_read_lock();
		for (;;) {
			if (cur == root) {
				in = true;
				break;
			}
			if (IS_ROOT(cur))
				break;
			cur = READ_ONCE(cur->d_parent);
		}
		rcu_read_unlock();
		if (!read_seqcount_retry(rs, seq))
			return in;
	}
	return undecided;
}

static bool inside(const struct pm_filter *f, struct vfsmount *mnt,
		   struct dentry *d, bool exclude)
{
	unsigned int i;

	for (i = 0; i < f->n_roots; i++)
		if (f->roots[i].exclude == exclude &&
		    (subdir(d, f->roots[i].path.dentry, !exclude) ||
		     mount_under(mnt, d, &f->roots[i].path)))
			return true;
	return false;
}

bool pm_filter_match(struct vfsmount *mnt, struct dentry *d1,
		     struct dentry *d2)
{
	struct pm_filter *f;
	bool pass = true;
	kuid_t fsuid;
	unsigned int i;

	rcu_read_lock();
	f = rcu_dereference(active);
	if (!f)
		goto out;
	fsuid = current_fsuid();
	for (i = 0; i < f->n_uids; i++) {
		if (uid_eq(fsuid, f->uids[i])) {
			pass = false;
			goto out;
		}
	}
	if (f->n_include && !((d1 && inside(f, mnt, d1, false)) ||
			      (d2 && inside(f, mnt, d2, false)))) {
		pass = false;
		goto out;
	}
	if (f->n_roots > f->n_include && (d1 || d2) &&
	    (!d1 || inside(f, mnt, d1, true)) &&
	    (!d2 || inside(f, mnt, d2, true)))
		pass = false;
out:
	rcu_read_unlock();
	return pass;
}

static void filter_free(struct pm_filter *f)
{
	unsigned int i;

	if (!f)
		return;
	for (i = 0; i < f->n_roots; i++) {
		path_put(&f->roots[i].path);
		kfree(f->roots[i].name);
	}
	kfree(f);
}

static int add_roots(struct pm_filter *f, struct nlattr *nest, bool exclude,
		     struct netlink_ext_ack *extack)
{
	struct nlattr *a;
	int rem, err;

	if (!nest)
		return 0;
	nla_for_each_nested(a, nest, rem) {
		struct root *r;
		const char *p = nla_data(a);

		if (nla_type(a) != PREMOD_FA_PATH) {
			NL_SET_ERR_MSG_ATTR(extack, a, "only PREMOD_FA_PATH belongs in a path list");
			return -EINVAL;
		}
		if (f->n_roots == PREMOD_FILTER_MAX_PATHS) {
			NL_SET_ERR_MSG_ATTR(extack, a, "too many filter paths (PREMOD_FILTER_MAX_PATHS)");
			return -E2BIG;
		}
		if (p[0] != '/') {
			NL_SET_ERR_MSG_ATTR(extack, a, "filter path must be absolute");
			return -EINVAL;
		}
		r = &f->roots[f->n_roots];
		r->name = kstrdup(p, GFP_KERNEL);
		if (!r->name)
			return -ENOMEM;
		err = kern_path(p, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &r->path);
		if (err) {
			kfree(r->name);
			r->name = NULL;
			if (err == -ENOENT)
				NL_SET_ERR_MSG_ATTR(extack, a, "filter path does not exist");
			else if (err == -ENOTDIR)
				NL_SET_ERR_MSG_ATTR(extack, a, "filter path is not a directory");
			else
				NL_SET_ERR_MSG_ATTR(extack, a, "filter path cannot be resolved");
			return err;
		}
		r->exclude = exclude;
		f->n_roots++;
		if (!exclude)
			f->n_include++;
	}
	return 0;
}

static int add_uids(struct pm_filter *f, struct nlattr *nest,
		    struct netlink_ext_ack *extack)
{
	struct nlattr *a;
	int rem;

	if (!nest)
		return 0;
	nla_for_each_nested(a, nest, rem) {
		kuid_t uid;

		if (nla_type(a) != PREMOD_FA_UID) {
			NL_SET_ERR_MSG_ATTR(extack, a, "only PREMOD_FA_UID belongs in the uid list");
			return -EINVAL;
		}
		if (f->n_uids == PREMOD_FILTER_MAX_UIDS) {
			NL_SET_ERR_MSG_ATTR(extack, a, "too many filter uids (PREMOD_FILTER_MAX_UIDS)");
			return -E2BIG;
		}
		uid = make_kuid(&init_user_ns, nla_get_u32(a));
		if (!uid_valid(uid)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "invalid uid");
			return -EINVAL;
		}
		f->uids[f->n_uids++] = uid;
	}
	return 0;
}

int pm_filter_set(struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct pm_filter *f, *old;
	int err;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	if (attrs[PREMOD_A_FILTER_OPS]) {
		f->ops = nla_get_u32(attrs[PREMOD_A_FILTER_OPS]);
		if (f->ops & ~OPS_VALID) {
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[PREMOD_A_FILTER_OPS],
					    "unknown op bits in the op mask");
			err = -EOPNOTSUPP;
			goto fail;
		}
	}
	/* Includes first: n_include counts the leading include roots. */
	err = add_roots(f, attrs[PREMOD_A_FILTER_INCLUDE], false, info->extack);
	if (!err)
		err = add_roots(f, attrs[PREMOD_A_FILTER_EXCLUDE], true,
				info->extack);
	if (!err)
		err = add_uids(f, attrs[PREMOD_A_FILTER_EXCLUDE_UIDS],
			       info->extack);
	if (err)
		goto fail;

	if (!f->ops && !f->n_roots && !f->n_uids) {
		kfree(f);
		f = NULL;	/* empty request: report everything */
	}
	/* The caller serialises setters: a plain exchange is enough. */
	old = rcu_replace_pointer(active, f, true);
	if (old) {
		synchronize_rcu();
		filter_free(old);
	}
	return 0;
fail:
	filter_free(f);
	return err;
}

static int put_roots(struct sk_buff *skb, const struct pm_filter *f,
		     int type, bool exclude)
{
	struct nlattr *nest;
	unsigned int i;

	if (exclude ? f->n_roots == f->n_include : !f->n_include)
		return 0;
	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < f->n_roots; i++) {
		if (f->roots[i].exclude != exclude)
			continue;
		if (nla_put_string(skb, PREMOD_FA_PATH, f->roots[i].name)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

int pm_filter_fill(struct sk_buff *skb)
{
	struct pm_filter *f = rcu_dereference_protected(active, true);
	struct nlattr *nest;
	unsigned int i;

	if (!f)
		return 0;
	if (f->ops && nla_put_u32(skb, PREMOD_A_FILTER_OPS, f->ops))
		return -EMSGSIZE;
	if (put_roots(skb, f, PREMOD_A_FILTER_INCLUDE, false) ||
	    put_roots(skb, f, PREMOD_A_FILTER_EXCLUDE, true))
		return -EMSGSIZE;
	if (!f->n_uids)
		return 0;
	nest = nla_nest_start(skb, PREMOD_A_FILTER_EXCLUDE_UIDS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < f->n_uids; i++)
		if (nla_put_u32(skb, PREMOD_FA_UID,
				from_kuid(&init_user_ns, f->uids[i])))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* "ops=0x... include=a,b exclude=- exclude_uids=0,1", cut to @len. */
void pm_filter_describe(char *buf, size_t len)
{
	struct pm_filter *f = rcu_dereference_protected(active, true);
	size_t n = 0;
	unsigned int i, k;

	if (!f) {
		strscpy(buf, "none", len);
		return;
	}
	n += scnprintf(buf + n, len - n, "ops=%#x", f->ops);
	for (k = 0; k < 2; k++) {
		bool first = true;

		n += scnprintf(buf + n, len - n, k ? " exclude=" : " include=");
		for (i = 0; i < f->n_roots; i++) {
			if (f->roots[i].exclude != (k == 1))
				continue;
			n += scnprintf(buf + n, len - n, "%s%s",
				       first ? "" : ",", f->roots[i].name);
			first = false;
		}
		if (first)
			n += scnprintf(buf + n, len - n, "-");
	}
	n += scnprintf(buf + n, len - n, " exclude_uids=");
	for (i = 0; i < f->n_uids; i++)
		n += scnprintf(buf + n, len - n, "%s%u", i ? "," : "",
			       from_kuid(&init_user_ns, f->uids[i]));
	if (!f->n_uids)
		scnprintf(buf + n, len - n, "-");
}

void pm_filter_exit(void)
{
	struct pm_filter *old = rcu_replace_pointer(active, NULL, true);

	synchronize_rcu();
	filter_free(old);
}
