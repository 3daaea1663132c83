// SPDX-License-Identifier: MIT
/*
 * decode.c - premod netlink messages to struct pm_event (see decode.h).
 *
 * Plain <linux/netlink.h> arithmetic instead of a library: this runs for
 * every event, and the checks are ours to define. Every length is checked
 * before it is used, so a message is read only within its nlmsg_len.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>

#include "decode.h"
#include "premod.h"

enum wire { W_NONE, W_U32, W_U64, W_STR };

struct attr_info {
	const char *name;
	enum wire wire;
	int field;		/* enum pm_field, -1 for non-event attributes */
	unsigned int max;	/* strings: limit in bytes, NUL included */
};

#define N32(a, f, n) [PREMOD_A_##a] = { n, W_U32, PM_F_##f, 0 }
#define N64(a, f, n) [PREMOD_A_##a] = { n, W_U64, PM_F_##f, 0 }
#define STR(a, f, n, m) [PREMOD_A_##a] = { n, W_STR, PM_F_##f, m }
#define OTHER(a, n) [PREMOD_A_##a] = { n, W_NONE, -1, 0 }

static const struct attr_info attrs[__PREMOD_A_MAX] = {
	N64(SEQ, SEQ, "seq"),
	N64(TIME, TIME, "time"),
	N32(OP, OP, "op"),
	N32(FLAGS, FLAGS, "flags"),
	N32(PID, PID, "pid"),
	N32(TGID, TGID, "tgid"),
	N32(PPID, PPID, "ppid"),
	N32(UID, UID, "uid"),
	N32(GID, GID, "gid"),
	N32(EUID, EUID, "euid"),
	N32(EGID, EGID, "egid"),
	N32(FSUID, FSUID, "fsuid"),
	N32(FSGID, FSGID, "fsgid"),
	N32(AUID, AUID, "auid"),
	N32(SESSION, SESSION, "session"),
	STR(COMM, COMM, "comm", 16),
	N64(CGROUP, CGROUP, "cgroup"),
	N32(MNTNS, MNTNS, "mntns"),
	N32(DEV, DEV, "dev"),
	N64(INO, INO, "ino"),
	N32(MODE, MODE, "mode"),
	STR(PATH, PATH, "path", PREMOD_PATH_MAX),
	STR(PATH2, PATH2, "path2", PREMOD_PATH_MAX),
	STR(TARGET, TARGET, "target", PREMOD_PATH_MAX),
	STR(XATTR_NAME, XATTR_NAME, "xattr_name", PREMOD_PATH_MAX),
	N32(XATTR_SIZE, XATTR_SIZE, "xattr_size"),
	N32(OLD_MODE, OLD_MODE, "old_mode"),
	N32(NEW_MODE, NEW_MODE, "new_mode"),
	N32(OLD_UID, OLD_UID, "old_uid"),
	N32(NEW_UID, NEW_UID, "new_uid"),
	N32(OLD_GID, OLD_GID, "old_gid"),
	N32(NEW_GID, NEW_GID, "new_gid"),
	N64(OLD_SIZE, OLD_SIZE, "old_size"),
	N64(NEW_SIZE, NEW_SIZE, "new_size"),
	N32(NLINK, NLINK, "nlink"),
	N32(RDEV, RDEV, "rdev"),
	N32(RENAME_FLAGS, RENAME_FLAGS, "rename_flags"),
	N64(TARGET_INO, TARGET_INO, "target_ino"),
	N32(OPEN_FLAGS, OPEN_FLAGS, "open_flags"),
	N32(TIME_FLAGS, TIME_FLAGS, "time_flags"),
	N64(ATIME, ATIME, "atime"),
	N64(MTIME, MTIME, "mtime"),
	N64(LOST_COUNT, LOST_COUNT, "lost_count"),
	N64(LOST_FIRST, LOST_FIRST, "lost_first"),
	N64(LOST_LAST, LOST_LAST, "lost_last"),
	OTHER(VERSION, "version"),
	OTHER(STATS, "stats"),
	OTHER(HOOKS, "hooks"),
	OTHER(UNREGISTER, "unregister"),
	OTHER(FILTER_OPS, "filter_ops"),
	OTHER(FILTER_INCLUDE, "filter_include"),
	OTHER(FILTER_EXCLUDE, "filter_exclude"),
	OTHER(FILTER_EXCLUDE_UIDS, "filter_exclude_uids"),
	OTHER(RECORD, "record"),
	[PAD_PREMOD_A] = { "pad", W_NONE, -1, 0 },
	STR(FS_PATH, FS_PATH, "fs_path", PREMOD_PATH_MAX),
	STR(FS_PATH2, FS_PATH2, "fs_path2", PREMOD_PATH_MAX),
	N32(EXE_DEV, EXE_DEV, "exe_dev"),
	N64(EXE_INO, EXE_INO, "exe_ino"),
	STR(EXE_FS_PATH, EXE_FS_PATH, "exe_fs_path", PREMOD_PATH_MAX),
	N32(CONFIG_ACTION, CONFIG_ACTION, "config_action"),
	STR(CONFIG_DETAIL, CONFIG_DETAIL, "config_detail", PREMOD_PATH_MAX),
};

#undef N32
#undef N64
#undef STR
#undef OTHER

_Static_assert(__PREMOD_A_MAX == PREMOD_A_CONFIG_DETAIL + 1,
	       "decode: a new attribute needs an entry in attrs[]");

const char *pm_attr_name(unsigned int type)
{
	if (type == 0 || type >= __PREMOD_A_MAX)
		return NULL;
	return attrs[type].name;
}

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

int pm_nl_iter_next(struct pm_nl_iter *it, const struct nlmsghdr **nlh,
		    char *err, size_t errlen)
{
	const struct nlmsghdr *h;
	size_t step;

	*nlh = NULL;
	if (it->left == 0)
		return 0;
	if (it->left < sizeof(*h)) {
		size_t n = it->left;

		it->left = 0;
		return fail(err, errlen,
			    "datagram: %zu trailing bytes, too few for a netlink header",
			    n);
	}
	h = (const struct nlmsghdr *)it->pos;
	if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > it->left) {
		size_t n = it->left;

		it->left = 0;
		return fail(err, errlen,
			    "datagram: netlink message length %u does not fit the %zu bytes left",
			    h->nlmsg_len, n);
	}
	/* The last message of a datagram need not be padded. */
	step = NLMSG_ALIGN(h->nlmsg_len);
	if (step > it->left)
		step = it->left;
	it->pos += step;
	it->left -= step;
	*nlh = h;
	return 1;
}

static uint64_t get_u64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t get_u32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int check_string(const struct attr_info *ai, unsigned int type,
			const char *s, size_t len, char *err, size_t errlen)
{
	const char *nul;

	if (len == 0)
		return fail(err, errlen,
			    "attribute %s (%u): empty string payload, not even a NUL",
			    ai->name, type);
	if (len > ai->max)
		return fail(err, errlen,
			    "attribute %s (%u): string of %zu bytes, the limit is %u with the NUL",
			    ai->name, type, len, ai->max);
	nul = memchr(s, '\0', len);
	if (!nul)
		return fail(err, errlen,
			    "attribute %s (%u): string not NUL-terminated within its %zu bytes",
			    ai->name, type, len);
	if ((size_t)(nul - s) != len - 1)
		return fail(err, errlen,
			    "attribute %s (%u): NUL at byte %zu of %zu, strings end at their first NUL",
			    ai->name, type, (size_t)(nul - s), len);
	return 0;
}

int pm_decode_event_attrs(const void *buf, size_t len, struct pm_event *ev,
			  char *err, size_t errlen)
{
	const unsigned char *pos = buf;
	size_t left = len;
	uint64_t seen = 0;
	int ret;

	memset(ev, 0, sizeof(*ev));

	while (left > 0) {
		const struct nlattr *nla = (const struct nlattr *)pos;
		const struct attr_info *ai;
		const unsigned char *data;
		unsigned int type;
		size_t plen, step;

		if (left < NLA_HDRLEN)
			return fail(err, errlen,
				    "attributes: %zu trailing bytes at offset %zu, too few for an attribute header",
				    left, len - left);
		if (nla->nla_len < NLA_HDRLEN || nla->nla_len > left)
			return fail(err, errlen,
				    "attribute type %u at offset %zu: length %u does not fit the %zu bytes left",
				    nla->nla_type & NLA_TYPE_MASK, len - left,
				    nla->nla_len, left);
		type = nla->nla_type & NLA_TYPE_MASK;
		data = pos + NLA_HDRLEN;
		plen = nla->nla_len - NLA_HDRLEN;
		step = NLA_ALIGN(nla->nla_len);
		if (step > left)
			step = left;
		pos += step;
		left -= step;

		/* Numbers are append-only: skip what a newer module adds. */
		if (type == 0 || type >= __PREMOD_A_MAX)
			continue;
		ai = &attrs[type];
		if (ai->field < 0)
			continue;

		if (seen & (1ULL << ai->field))
			return fail(err, errlen,
				    "attribute %s (%u): given twice", ai->name,
				    type);
		seen |= 1ULL << ai->field;

		switch (ai->wire) {
		case W_U32:
			if (plen != 4)
				return fail(err, errlen,
					    "attribute %s (%u): u32 with a payload of %zu bytes, expected 4",
					    ai->name, type, plen);
			pm_event_set_num(ev, ai->field, get_u32(data));
			break;
		case W_U64:
			if (plen != 8)
				return fail(err, errlen,
					    "attribute %s (%u): u64 with a payload of %zu bytes, expected 8",
					    ai->name, type, plen);
			pm_event_set_num(ev, ai->field, get_u64(data));
			break;
		case W_STR:
			ret = check_string(ai, type, (const char *)data, plen,
					   err, errlen);
			if (ret)
				return ret;
			pm_event_set_str(ev, ai->field, (const char *)data);
			break;
		case W_NONE:
			break;
		}
	}

	if (!pm_event_has(ev, PM_F_SEQ))
		return fail(err, errlen, "event without attribute seq (%u)",
			    PREMOD_A_SEQ);
	if (!pm_event_has(ev, PM_F_OP))
		return fail(err, errlen, "event without attribute op (%u)",
			    PREMOD_A_OP);
	if (ev->num[PM_F_OP] == PREMOD_OP_UNSPEC ||
	    ev->num[PM_F_OP] > PREMOD_OP_MAX)
		return fail(err, errlen,
			    "attribute op (%u): op %llu is unknown to this build (a newer module?)",
			    PREMOD_A_OP,
			    (unsigned long long)ev->num[PM_F_OP]);
	return 0;
}

/* Common header checks; returns the attribute stream of a `cmd` message. */
static int genl_payload(const struct nlmsghdr *nlh, uint16_t family,
			uint8_t cmd, const void **attrs_out, size_t *len_out,
			char *err, size_t errlen)
{
	const struct genlmsghdr *gh;

	if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
		return -ENOMSG;
	if (family && nlh->nlmsg_type != family)
		return -ENOMSG;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return fail(err, errlen,
			    "netlink message of %u bytes, too short for a generic netlink header",
			    nlh->nlmsg_len);
	gh = (const struct genlmsghdr *)((const char *)nlh + NLMSG_HDRLEN);
	if (gh->cmd != cmd)
		return -ENOMSG;
	*attrs_out = (const char *)gh + GENL_HDRLEN;
	*len_out = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	return 0;
}

int pm_decode_event(const struct nlmsghdr *nlh, uint16_t family,
		    struct pm_event *ev, char *err, size_t errlen)
{
	const void *a = NULL;
	size_t len = 0;
	int ret;

	ret = genl_payload(nlh, family, PREMOD_CMD_EVENT, &a, &len, err,
			   errlen);
	if (ret)
		return ret;
	return pm_decode_event_attrs(a, len, ev, err, errlen);
}

int pm_decode_alert(const struct nlmsghdr *nlh, uint16_t family,
		    const char **record, uint64_t *seq, char *err,
		    size_t errlen)
{
	static const struct attr_info rec_info = {
		"record", W_STR, -1, PREMOD_RECORD_MAX
	};
	const unsigned char *pos;
	const void *a = NULL;
	size_t len = 0, left;
	int ret;

	*record = NULL;
	*seq = 0;
	ret = genl_payload(nlh, family, PREMOD_CMD_ALERT, &a, &len, err,
			   errlen);
	if (ret)
		return ret;

	pos = a;
	left = len;
	while (left > 0) {
		const struct nlattr *nla = (const struct nlattr *)pos;
		const unsigned char *data;
		unsigned int type;
		size_t plen, step;

		if (left < NLA_HDRLEN || nla->nla_len < NLA_HDRLEN ||
		    nla->nla_len > left)
			return fail(err, errlen,
				    "alert: attribute at offset %zu runs past the message",
				    len - left);
		type = nla->nla_type & NLA_TYPE_MASK;
		data = pos + NLA_HDRLEN;
		plen = nla->nla_len - NLA_HDRLEN;
		step = NLA_ALIGN(nla->nla_len);
		if (step > left)
			step = left;
		pos += step;
		left -= step;

		if (type == PREMOD_A_SEQ) {
			if (plen != 8)
				return fail(err, errlen,
					    "alert: attribute seq (%u): u64 with a payload of %zu bytes, expected 8",
					    type, plen);
			*seq = get_u64(data);
		} else if (type == PREMOD_A_RECORD) {
			if (*record)
				return fail(err, errlen,
					    "alert: attribute record (%u): given twice",
					    type);
			ret = check_string(&rec_info, type,
					   (const char *)data, plen, err,
					   errlen);
			if (ret)
				return ret;
			*record = (const char *)data;
		}
	}
	if (!*record)
		return fail(err, errlen, "alert without attribute record (%u)",
			    PREMOD_A_RECORD);
	return 0;
}
