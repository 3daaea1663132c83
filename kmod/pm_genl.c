// SPDX-License-Identifier: GPL-2.0
/*
 * The "premod" generic netlink family: the commands of include/premod.h,
 * its two multicast groups, and the encoding of events.
 *
 * Every command requires CAP_NET_ADMIN (GENL_ADMIN_PERM), joining either
 * group too (GENL_MCAST_CAP_NET_ADMIN). Each command has its own policy,
 * so an attribute that does not belong to the command is rejected: new
 * families get strict validation (resv_start_op 0), under which an
 * attribute whose policy entry is NLA_UNSPEC is refused. State-changing
 * commands are serialised by lock; the family runs them in parallel
 * otherwise, so SET_FILTER's grace period stalls no other family.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/stat.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "pm_capture.h"
#include "pm_filter.h"
#include "pm_genl.h"
#include "pm_ring.h"

enum { GRP_EVENTS, GRP_ALERTS };

static DEFINE_MUTEX(lock);
static struct genl_family family;

/*
 * GENL_MCAST_CAP_NET_ADMIN (6.7, backported to the stable series Debian
 * ships) is the only way a family can keep a group to the privileged: a
 * family's bind callback (6.4+) is told of a join but cannot refuse it,
 * generic netlink ignores what it returns. A kernel without the flag would
 * hand every user the events of the whole machine, so the module builds
 * there but refuses to load (pm_genl_init()).
 */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define PM_MCAST_FLAGS	GENL_MCAST_CAP_NET_ADMIN
#else
#define PM_MCAST_FLAGS	0
#endif

static const struct genl_multicast_group mcgrps[] = {
	[GRP_EVENTS] = { .name = PREMOD_MCGRP_EVENTS, .flags = PM_MCAST_FLAGS },
	[GRP_ALERTS] = { .name = PREMOD_MCGRP_ALERTS, .flags = PM_MCAST_FLAGS },
};

/* GET_STATS, GET_FILTER: no attribute at all. */
static const struct nla_policy none_policy[PREMOD_A_MAX + 1] = {};

static const struct nla_policy register_policy[PREMOD_A_MAX + 1] = {
	[PREMOD_A_UNREGISTER] = { .type = NLA_FLAG },
};

static const struct nla_policy path_list_policy[PREMOD_FA_MAX + 1] = {
	[PREMOD_FA_PATH] = { .type = NLA_NUL_STRING,
			     .len = PREMOD_PATH_MAX - 1 },
};

static const struct nla_policy uid_list_policy[PREMOD_FA_MAX + 1] = {
	[PREMOD_FA_UID] = { .type = NLA_U32 },
};

static const struct nla_policy filter_policy[PREMOD_A_MAX + 1] = {
	[PREMOD_A_FILTER_OPS] = { .type = NLA_U32 },
	[PREMOD_A_FILTER_INCLUDE] = NLA_POLICY_NESTED(path_list_policy),
	[PREMOD_A_FILTER_EXCLUDE] = NLA_POLICY_NESTED(path_list_policy),
	[PREMOD_A_FILTER_EXCLUDE_UIDS] = NLA_POLICY_NESTED(uid_list_policy),
};

static const struct nla_policy publish_policy[PREMOD_A_MAX + 1] = {
	[PREMOD_A_RECORD] = { .type = NLA_NUL_STRING,
			      .len = PREMOD_RECORD_MAX - 1 },
	[PREMOD_A_SEQ] = { .type = NLA_U64 },
};

bool pm_genl_listening(void)
{
	return genl_has_listeners(&family, &init_net, GRP_EVENTS) > 0;
}

static bool is_daemon(void)
{
	return rcu_access_pointer(pm_daemon) == task_tgid(current);
}

static int put_u64(struct sk_buff *skb, int type, u64 v)
{
	return nla_put_u64_64bit(skb, type, v, PAD_PREMOD_A);
}

static int put_task_attrs(struct sk_buff *skb, const struct pm_event *ev)
{
	if (put_u64(skb, PREMOD_A_SEQ, ev->seq) ||
	    put_u64(skb, PREMOD_A_TIME, ev->time) ||
	    nla_put_u32(skb, PREMOD_A_OP, ev->op) ||
	    nla_put_u32(skb, PREMOD_A_FLAGS, ev->flags) ||
	    nla_put_u32(skb, PREMOD_A_PID, ev->pid) ||
	    nla_put_u32(skb, PREMOD_A_TGID, ev->tgid) ||
	    nla_put_u32(skb, PREMOD_A_PPID, ev->ppid) ||
	    nla_put_u32(skb, PREMOD_A_UID, ev->uid) ||
	    nla_put_u32(skb, PREMOD_A_GID, ev->gid) ||
	    nla_put_u32(skb, PREMOD_A_EUID, ev->euid) ||
	    nla_put_u32(skb, PREMOD_A_EGID, ev->egid) ||
	    nla_put_u32(skb, PREMOD_A_FSUID, ev->fsuid) ||
	    nla_put_u32(skb, PREMOD_A_FSGID, ev->fsgid) ||
	    nla_put_u32(skb, PREMOD_A_AUID, ev->auid) ||
	    nla_put_u32(skb, PREMOD_A_SESSION, ev->session) ||
	    nla_put_string(skb, PREMOD_A_COMM, ev->comm) ||
	    put_u64(skb, PREMOD_A_CGROUP, ev->cgroup) ||
	    nla_put_u32(skb, PREMOD_A_MNTNS, ev->mntns))
		return -EMSGSIZE;
	if (ev->has_exe &&
	    (nla_put_u32(skb, PREMOD_A_EXE_DEV, ev->exe_dev) ||
	     put_u64(skb, PREMOD_A_EXE_INO, ev->exe_ino)))
		return -EMSGSIZE;
	return 0;
}

/* Events: flat attributes, see include/premod.h. */
static int put_event_attrs(struct sk_buff *skb, const struct pm_event *ev)
{
	static const int str_type[PM_STR_N] = {
		[PM_STR_PATH] = PREMOD_A_PATH,
		[PM_STR_PATH2] = PREMOD_A_PATH2,
		[PM_STR_TARGET] = PREMOD_A_TARGET,
		[PM_STR_XATTR] = PREMOD_A_XATTR_NAME,
		[PM_STR_FS_PATH] = PREMOD_A_FS_PATH,
		[PM_STR_FS_PATH2] = PREMOD_A_FS_PATH2,
		[PM_STR_EXE] = PREMOD_A_EXE_FS_PATH,
		[PM_STR_DETAIL] = PREMOD_A_CONFIG_DETAIL,
	};
	const char *s = pm_event_strings(ev);
	int i;

	if (put_task_attrs(skb, ev))
		return -EMSGSIZE;
	/* A config event has no object: the action instead. */
	if (ev->op == PREMOD_OP_CONFIG) {
		if (nla_put_u32(skb, PREMOD_A_CONFIG_ACTION, ev->config_action))
			return -EMSGSIZE;
	} else if (nla_put_u32(skb, PREMOD_A_DEV, ev->dev) ||
		   put_u64(skb, PREMOD_A_INO, ev->ino) ||
		   nla_put_u32(skb, PREMOD_A_MODE, ev->mode)) {
		return -EMSGSIZE;
	}

	for (i = 0; i < PM_STR_N; i++) {
		if (!ev->slen[i])
			continue;
		if (nla_put(skb, str_type[i], ev->slen[i], s))
			return -EMSGSIZE;
		s += ev->slen[i];
	}

	switch (ev->op) {
	case PREMOD_OP_CREATE:
		if ((S_ISCHR(ev->mode) || S_ISBLK(ev->mode)) &&
		    nla_put_u32(skb, PREMOD_A_RDEV, ev->rdev))
			return -EMSGSIZE;
		break;
	case PREMOD_OP_UNLINK:
		if (nla_put_u32(skb, PREMOD_A_NLINK, ev->nlink) ||
		    put_u64(skb, PREMOD_A_OLD_SIZE, ev->old_size))
			return -EMSGSIZE;
		break;
	case PREMOD_OP_RENAME:
		if (nla_put_u32(skb, PREMOD_A_RENAME_FLAGS, ev->rename_flags))
			return -EMSGSIZE;
		if ((ev->flags & PREMOD_F_REPLACES) &&
		    put_u64(skb, PREMOD_A_TARGET_INO, ev->target_ino))
			return -EMSGSIZE;
		break;
	case PREMOD_OP_TRUNCATE:
		if (put_u64(skb, PREMOD_A_OLD_SIZE, ev->old_size))
			return -EMSGSIZE;
		if (ev->has_new_size &&
		    put_u64(skb, PREMOD_A_NEW_SIZE, ev->new_size))
			return -EMSGSIZE;
		break;
	case PREMOD_OP_CHMOD:
		if (nla_put_u32(skb, PREMOD_A_OLD_MODE, ev->old_mode) ||
		    nla_put_u32(skb, PREMOD_A_NEW_MODE, ev->new_mode))
			return -EMSGSIZE;
		break;
	case PREMOD_OP_CHOWN:
		if (nla_put_u32(skb, PREMOD_A_OLD_UID, ev->old_uid) ||
		    nla_put_u32(skb, PREMOD_A_NEW_UID, ev->new_uid) ||
		    nla_put_u32(skb, PREMOD_A_OLD_GID, ev->old_gid) ||
		    nla_put_u32(skb, PREMOD_A_NEW_GID, ev->new_gid))
			return -EMSGSIZE;
		break;
	case PREMOD_OP_SETATTR:
		if (nla_put_u32(skb, PREMOD_A_TIME_FLAGS, ev->time_flags))
			return -EMSGSIZE;
		if ((ev->time_flags & (PREMOD_T_ATIME | PREMOD_T_ATIME_NOW)) ==
		    PREMOD_T_ATIME && put_u64(skb, PREMOD_A_ATIME, ev->atime))
			return -EMSGSIZE;
		if ((ev->time_flags & (PREMOD_T_MTIME | PREMOD_T_MTIME_NOW)) ==
		    PREMOD_T_MTIME && put_u64(skb, PREMOD_A_MTIME, ev->mtime))
			return -EMSGSIZE;
		break;
	case PREMOD_OP_OPEN_WRITE:
		if (nla_put_u32(skb, PREMOD_A_OPEN_FLAGS, ev->open_flags) ||
		    put_u64(skb, PREMOD_A_OLD_SIZE, ev->old_size))
			return -EMSGSIZE;
		break;
	case PREMOD_OP_SETXATTR:
		if (nla_put_u32(skb, PREMOD_A_XATTR_SIZE, ev->xattr_size))
			return -EMSGSIZE;
		break;
	default:
		break;
	}
	return 0;
}

struct sk_buff *pm_genl_batch_new(size_t size)
{
	return alloc_skb(size, GFP_KERNEL | __GFP_NOWARN);
}

int pm_genl_put_event(struct sk_buff *skb, const struct pm_event *ev)
{
	void *hdr = genlmsg_put(skb, 0, 0, &family, 0, PREMOD_CMD_EVENT);

	if (!hdr)
		return -EMSGSIZE;
	if (put_event_attrs(skb, ev)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int pm_genl_put_lost(struct sk_buff *skb, const struct pm_lost *lost)
{
	void *hdr = genlmsg_put(skb, 0, 0, &family, 0, PREMOD_CMD_EVENT);

	if (!hdr)
		return -EMSGSIZE;
	/* Its seq is the last lost one: the stream stays increasing. */
	if (put_u64(skb, PREMOD_A_SEQ, lost->last) ||
	    put_u64(skb, PREMOD_A_TIME, ktime_get_real_ns()) ||
	    nla_put_u32(skb, PREMOD_A_OP, PREMOD_OP_LOST) ||
	    nla_put_u32(skb, PREMOD_A_FLAGS, 0) ||
	    put_u64(skb, PREMOD_A_LOST_COUNT, lost->count) ||
	    put_u64(skb, PREMOD_A_LOST_FIRST, lost->first) ||
	    put_u64(skb, PREMOD_A_LOST_LAST, lost->last)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Consumes @skb. 0, -ESRCH (nobody listens) or -ENOBUFS (not delivered). */
int pm_genl_batch_send(struct sk_buff *skb)
{
	return genlmsg_multicast(&family, skb, 0, GRP_EVENTS, GFP_KERNEL);
}

static int put_stats(struct sk_buff *skb)
{
	struct nlattr *nest;
	int s;

	nest = nla_nest_start(skb, PREMOD_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (s = PREMOD_STAT_UNSPEC + 1; s <= PREMOD_STAT_MAX; s++) {
		u64 v;

		if (s == PAD_PREMOD_STAT)
			continue;
		v = pm_stat_sum(s);
		if (nla_put_u64_64bit(skb, s, v, PAD_PREMOD_STAT))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_hooks(struct sk_buff *skb)
{
	struct nlattr *nest, *hook;
	int h;

	nest = nla_nest_start(skb, PREMOD_A_HOOKS);
	if (!nest)
		return -EMSGSIZE;
	for (h = 0; h < PM_HOOK_N; h++) {
		hook = nla_nest_start(skb, PREMOD_HA_HOOK);
		/* PREMOD_HA_UNSPEC pads: the hook nest has no PAD attribute. */
		if (!hook ||
		    nla_put_string(skb, PREMOD_HA_NAME, pm_hook_name(h)) ||
		    nla_put_u8(skb, PREMOD_HA_ENABLED, pm_hook_enabled(h)) ||
		    nla_put_u64_64bit(skb, PREMOD_HA_NMISSED,
				      pm_hook_nmissed(h), PREMOD_HA_UNSPEC) ||
		    nla_put_u64_64bit(skb, PREMOD_HA_HITS, pm_stat_hits(h),
				      PREMOD_HA_UNSPEC) ||
		    nla_put_u8(skb, PREMOD_HA_PROBED, pm_hook_probed(h)))
			return -EMSGSIZE;
		nla_nest_end(skb, hook);
	}
	nla_nest_end(skb, nest);
	return 0;
}

static struct sk_buff *reply_new(struct genl_info *info, void **hdr)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &family, 0, info->genlhdr->cmd);
	if (!*hdr || nla_put_u32(msg, PREMOD_A_VERSION, PREMOD_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int reply_send(struct sk_buff *msg, void *hdr, struct genl_info *info)
{
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int cmd_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = reply_new(info, &hdr);
	if (!msg)
		return -ENOMEM;
	if (put_stats(msg) || put_hooks(msg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return reply_send(msg, hdr, info);
}

static int cmd_register(struct sk_buff *skb, struct genl_info *info)
{
	struct pid *old = NULL, *me = task_tgid(current);
	bool changed = false;
	struct sk_buff *msg;
	void *hdr;
	int err = 0;

	if (!netlink_capable(skb, CAP_AUDIT_CONTROL)) {
		NL_SET_ERR_MSG(info->extack, "REGISTER needs CAP_AUDIT_CONTROL");
		return -EPERM;
	}
	msg = reply_new(info, &hdr);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&lock);
	if (info->attrs[PREMOD_A_UNREGISTER]) {
		if (!is_daemon()) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[PREMOD_A_UNREGISTER],
					    "only the registered process may unregister");
			err = -EPERM;
		} else {
			old = rcu_replace_pointer(pm_daemon, NULL,
						  lockdep_is_held(&lock));
		}
	} else if (!is_daemon()) {
		struct pid *cur = rcu_dereference_protected(pm_daemon,
						lockdep_is_held(&lock));

		/* One daemon: a second one would silently blind the first. */
		if (cur && pid_has_task(cur, PIDTYPE_TGID)) {
			NL_SET_ERR_MSG(info->extack,
				       "another process is registered and alive");
			err = -EBUSY;
		} else {
			old = rcu_replace_pointer(pm_daemon, get_pid(me),
						  lockdep_is_held(&lock));
			changed = true;
		}
	}
	mutex_unlock(&lock);
	if (old) {
		/* Hooks compare the pointer: no reuse until they are done. */
		synchronize_rcu();
		put_pid(old);
	}
	if (err == -EBUSY)
		pm_cap_config(PREMOD_CONFIG_REGISTER_REFUSED, NULL);
	else if (!err && info->attrs[PREMOD_A_UNREGISTER])
		pm_cap_config(PREMOD_CONFIG_UNREGISTER, NULL);
	else if (!err && changed)
		pm_cap_config(PREMOD_CONFIG_REGISTER, NULL);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return reply_send(msg, hdr, info);
}

static int cmd_set_filter(struct sk_buff *skb, struct genl_info *info)
{
	char *detail;
	int err;

	if (!netlink_capable(skb, CAP_AUDIT_CONTROL)) {
		NL_SET_ERR_MSG(info->extack, "SET_FILTER needs CAP_AUDIT_CONTROL");
		return -EPERM;
	}
	detail = kmalloc(PREMOD_PATH_MAX, GFP_KERNEL);
	mutex_lock(&lock);
	err = pm_filter_set(info);
	if (!err && detail)
		pm_filter_describe(detail, PREMOD_PATH_MAX);
	mutex_unlock(&lock);
	if (!err)
		pm_cap_config(PREMOD_CONFIG_SET_FILTER,
			      detail ? detail : "(no memory to describe it)");
	kfree(detail);
	return err;
}

static int cmd_get_filter(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = reply_new(info, &hdr);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&lock);
	err = pm_filter_fill(msg);
	mutex_unlock(&lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return reply_send(msg, hdr, info);
}

static int cmd_publish(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *rec = info->attrs[PREMOD_A_RECORD];
	struct nlattr *seq = info->attrs[PREMOD_A_SEQ];
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (!rec) {
		NL_SET_ERR_MSG(info->extack, "PUBLISH needs PREMOD_A_RECORD");
		return -EINVAL;
	}
	if (!is_daemon()) {
		NL_SET_ERR_MSG(info->extack, "only the registered process may publish: REGISTER first");
		return -EPERM;
	}
	msg = genlmsg_new(nla_total_size(nla_len(rec)) +
			  nla_total_size_64bit(sizeof(u64)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, 0, 0, &family, 0, PREMOD_CMD_ALERT);
	if (!hdr || nla_put(msg, PREMOD_A_RECORD, nla_len(rec), nla_data(rec)) ||
	    (seq && put_u64(msg, PREMOD_A_SEQ, nla_get_u64(seq)))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	/* No listener, or one too slow, is not the publisher's error. */
	err = genlmsg_multicast(&family, msg, 0, GRP_ALERTS, GFP_KERNEL);
	pm_stat_inc(err ? PREMOD_STAT_PUBLISH_FAILED : PREMOD_STAT_PUBLISHED);
	return 0;
}

static const struct genl_ops ops[] = {
	{
		.cmd = PREMOD_CMD_GET_STATS,
		.doit = cmd_get_stats,
		.policy = none_policy,
		.maxattr = PREMOD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PREMOD_CMD_REGISTER,
		.doit = cmd_register,
		.policy = register_policy,
		.maxattr = PREMOD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PREMOD_CMD_SET_FILTER,
		.doit = cmd_set_filter,
		.policy = filter_policy,
		.maxattr = PREMOD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PREMOD_CMD_GET_FILTER,
		.doit = cmd_get_filter,
		.policy = none_policy,
		.maxattr = PREMOD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PREMOD_CMD_PUBLISH,
		.doit = cmd_publish,
		.policy = publish_policy,
		.maxattr = PREMOD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family family = {
	.name = PREMOD_GENL_NAME,
	.version = PREMOD_GENL_VERSION,
	.netnsok = false,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = ops,
	.n_ops = ARRAY_SIZE(ops),
	.mcgrps = mcgrps,
	.n_mcgrps = ARRAY_SIZE(mcgrps),
};

int pm_genl_init(void)
{
#ifndef GENL_MCAST_CAP_NET_ADMIN
	pr_err("this kernel lets any user join a generic netlink group (no GENL_MCAST_CAP_NET_ADMIN, Linux 6.7 and stable backports): refusing to publish events to everyone\n");
	return -EPERM;
#endif
	return genl_register_family(&family);
}

void pm_genl_exit(void)
{
	genl_unregister_family(&family);
}
