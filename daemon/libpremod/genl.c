// SPDX-License-Identifier: MIT
/*
 * genl.c - premod generic netlink requests over libmnl. See genl.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "genl.h"

/* Room for a PUBLISH of the largest record plus headers, and for replies. */
#define GENL_BUFLEN (PREMOD_RECORD_MAX + 8192)

int pm_genl_open(struct pm_genl *g)
{
	int one = 1;

	memset(g, 0, sizeof(*g));
	g->buflen = GENL_BUFLEN;
	g->buf = malloc(g->buflen);
	if (!g->buf)
		return -ENOMEM;
	g->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!g->nl)
		goto err;
	if (mnl_socket_bind(g->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err;
	g->portid = mnl_socket_get_portid(g->nl);
	g->seq = (uint32_t)time(NULL);
	/* best effort: older kernels just give bare errnos */
	mnl_socket_setsockopt(g->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(g->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	return pm_genl_resolve(g);
err:
	{
		int err = -errno;

		pm_genl_close(g);
		return err ? err : -EIO;
	}
}

void pm_genl_close(struct pm_genl *g)
{
	if (g->nl)
		mnl_socket_close(g->nl);
	free(g->buf);
	g->nl = NULL;
	g->buf = NULL;
}

int pm_genl_fd(const struct pm_genl *g)
{
	return g->nl ? mnl_socket_get_fd(g->nl) : -1;
}

const char *pm_genl_error(const struct pm_genl *g)
{
	return g->err;
}

static struct nlmsghdr *put_request(struct pm_genl *g, uint16_t type,
				    uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(g->buf);
	struct genlmsghdr *gh;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++g->seq;
	gh = mnl_nlmsg_put_extra_header(nlh, sizeof(*gh));
	gh->cmd = cmd;
	gh->version = version;
	return nlh;
}

/* Keeps the kernel's extended ack message of an error, if it sent one. */
static void save_ext_ack(struct pm_genl *g, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	size_t off;

	g->err[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	mnl_attr_for_each(attr, nlh, off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0) {
			snprintf(g->err, sizeof(g->err), "%s",
				 mnl_attr_get_str(attr));
			return;
		}
	}
}

/*
 * Sends the request in g->buf and reads until its ack; data replies go to
 * cb. Messages of other sequence numbers (a late ack) are skipped.
 */
static int transact(struct pm_genl *g, mnl_cb_t cb, void *data)
{
	struct nlmsghdr *req = (struct nlmsghdr *)g->buf;
	uint32_t seq = req->nlmsg_seq;
	ssize_t n;

	g->err[0] = '\0';
	if (mnl_socket_sendto(g->nl, req, req->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *nlh;
		int len;

		n = mnl_socket_recvfrom(g->nl, g->buf, g->buflen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		len = (int)n;
		for (nlh = (struct nlmsghdr *)g->buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e =
					mnl_nlmsg_get_payload(nlh);

				if (e->error)
					save_ext_ack(g, nlh);
				return e->error;
			}
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (cb && cb(nlh, data) < 0)
				return -EPROTO;
		}
	}
}

struct family_info {
	uint16_t id;
	uint32_t version;
	uint32_t events, alerts;
};

static int group_cb(const struct nlattr *attr, void *data)
{
	struct family_info *fi = data;
	const char *name = NULL;
	uint32_t id = 0;
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, attr) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_MCAST_GRP_NAME:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
				name = mnl_attr_get_str(a);
			break;
		case CTRL_ATTR_MCAST_GRP_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				id = mnl_attr_get_u32(a);
			break;
		}
	}
	if (name && !strcmp(name, PREMOD_MCGRP_EVENTS))
		fi->events = id;
	else if (name && !strcmp(name, PREMOD_MCGRP_ALERTS))
		fi->alerts = id;
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct family_info *fi = data;
	const struct nlattr *a;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			fi->id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			fi->version = mnl_attr_get_u32(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		mnl_attr_for_each_nested(a, attr)
			group_cb(a, data);
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb,
			      data);
}

static int get_family(struct pm_genl *g, struct family_info *fi)
{
	struct nlmsghdr *nlh = put_request(g, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
					   1);
	int ret;

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, PREMOD_GENL_NAME);
	memset(fi, 0, sizeof(*fi));
	ret = transact(g, family_cb, fi);
	if (ret == 0 && !fi->id)
		ret = -ENOENT;
	return ret;
}

int pm_genl_resolve(struct pm_genl *g)
{
	struct family_info fi;
	int ret = get_family(g, &fi);

	if (ret < 0) {
		g->family = 0;
		g->grp_events = g->grp_alerts = 0;
		return ret;
	}
	g->family = fi.id;
	g->version = fi.version;
	g->grp_events = fi.events;
	g->grp_alerts = fi.alerts;
	return 0;
}

int pm_genl_family_id(struct pm_genl *g, uint16_t *id)
{
	struct family_info fi;
	int ret = get_family(g, &fi);

	if (ret == 0)
		*id = fi.id;
	return ret;
}

int pm_genl_join(struct pm_genl *g, uint32_t group)
{
	if (!group)
		return -ENOENT;
	if (mnl_socket_setsockopt(g->nl, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return -errno;
	return 0;
}

int pm_genl_leave(struct pm_genl *g, uint32_t group)
{
	if (!group)
		return -ENOENT;
	if (mnl_socket_setsockopt(g->nl, NETLINK_DROP_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return -errno;
	return 0;
}

int pm_genl_set_rcvbuf(struct pm_genl *g, int bytes, bool *forced, int *actual)
{
	int fd = pm_genl_fd(g);
	socklen_t sl = sizeof(*actual);

	*forced = true;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes,
		       sizeof(bytes)) < 0) {
		*forced = false;
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes,
			       sizeof(bytes)) < 0)
			return -errno;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, actual, &sl) < 0)
		return -errno;
	return 0;
}

int pm_genl_set_broadcast_error(struct pm_genl *g)
{
	int one = 1;

	if (mnl_socket_setsockopt(g->nl, NETLINK_BROADCAST_ERROR, &one,
				  sizeof(one)) < 0)
		return -errno;
	return 0;
}

static int need_family(struct pm_genl *g)
{
	return g->family ? 0 : -ENOENT;
}

int pm_genl_register(struct pm_genl *g)
{
	int ret = need_family(g);

	if (ret)
		return ret;
	put_request(g, g->family, PREMOD_CMD_REGISTER, PREMOD_GENL_VERSION);
	return transact(g, NULL, NULL);
}

int pm_genl_unregister(struct pm_genl *g)
{
	struct nlmsghdr *nlh;
	int ret = need_family(g);

	if (ret)
		return ret;
	nlh = put_request(g, g->family, PREMOD_CMD_REGISTER,
			  PREMOD_GENL_VERSION);
	mnl_attr_put(nlh, PREMOD_A_UNREGISTER, 0, NULL);
	return transact(g, NULL, NULL);
}

int pm_genl_set_filter(struct pm_genl *g, uint32_t ops,
		       const char *const *include, size_t n_include)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	size_t i;
	int ret = need_family(g);

	if (ret)
		return ret;
	if (n_include > PREMOD_FILTER_MAX_PATHS)
		return -E2BIG;
	nlh = put_request(g, g->family, PREMOD_CMD_SET_FILTER,
			  PREMOD_GENL_VERSION);
	if (ops)
		mnl_attr_put_u32(nlh, PREMOD_A_FILTER_OPS, ops);
	if (n_include) {
		nest = mnl_attr_nest_start(nlh, PREMOD_A_FILTER_INCLUDE);
		for (i = 0; i < n_include; i++) {
			if (!mnl_attr_put_strz_check(nlh, g->buflen,
						     PREMOD_FA_PATH,
						     include[i]))
				return -E2BIG;
		}
		mnl_attr_nest_end(nlh, nest);
	}
	return transact(g, NULL, NULL);
}

struct stats_req {
	uint64_t *stats;
	size_t n;
};

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct stats_req *sr = data;
	const struct nlattr *attr, *a;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) != PREMOD_A_STATS)
			continue;
		mnl_attr_for_each_nested(a, attr) {
			uint16_t t = mnl_attr_get_type(a);

			if (t < sr->n &&
			    mnl_attr_validate(a, MNL_TYPE_U64) == 0)
				sr->stats[t] = mnl_attr_get_u64(a);
		}
	}
	return MNL_CB_OK;
}

int pm_genl_get_stats(struct pm_genl *g, uint64_t *stats, size_t n)
{
	struct stats_req sr = { stats, n };
	int ret = need_family(g);

	if (ret)
		return ret;
	memset(stats, 0, n * sizeof(*stats));
	put_request(g, g->family, PREMOD_CMD_GET_STATS, PREMOD_GENL_VERSION);
	return transact(g, stats_cb, &sr);
}

int pm_genl_publish(struct pm_genl *g, const char *json, size_t len, uint64_t seq)
{
	struct nlmsghdr *nlh;
	int ret = need_family(g);

	if (ret)
		return ret;
	if (len + 1 > PREMOD_RECORD_MAX)
		return -EMSGSIZE;
	nlh = put_request(g, g->family, PREMOD_CMD_PUBLISH,
			  PREMOD_GENL_VERSION);
	/* the record need not be NUL-terminated in memory: copy and add it */
	{
		struct nlattr *a = mnl_nlmsg_get_payload_tail(nlh);
		size_t alen = MNL_ATTR_HDRLEN + len + 1;

		a->nla_type = PREMOD_A_RECORD;
		a->nla_len = (uint16_t)alen;
		memcpy(mnl_attr_get_payload(a), json, len);
		memset((char *)mnl_attr_get_payload(a) + len, 0,
		       MNL_ALIGN(alen) - alen + 1);
		nlh->nlmsg_len += MNL_ALIGN(alen);
	}
	if (seq)
		mnl_attr_put_u64(nlh, PREMOD_A_SEQ, seq);
	return transact(g, NULL, NULL);
}
