// SPDX-License-Identifier: MIT
/*
 * premodctl: the netlink session (connect, one request/reply exchange,
 * the kernel's errors and extended acks) and the messages every
 * subcommand shares.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "premodctl.h"
#include <stdarg.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/genl.h>

const char *prog = "premodctl";

__attribute__((format(printf, 1, 2)))
void errmsg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}


static const char msg_not_loaded[] =
	"the premod kernel module is not loaded (no generic netlink family "
	"\"" PREMOD_GENL_NAME "\"); load it with: modprobe premod";

void report_perm(const char *what)
{
	errmsg("permission denied: %s needs CAP_NET_ADMIN in the initial user "
	       "namespace; run as root", what);
}

/*
 * Connects and resolves the family; checks the protocol version the
 * module registered. Prints the error and returns nonzero on failure:
 * -ENOENT when the module is not loaded.
 */
int ctl_open(struct ctl *nl, bool quiet_missing)
{
	struct nl_cache *cache = NULL;
	struct genl_family *fam;
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		errmsg("out of memory");
		return -1;
	}
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		errmsg("cannot open a generic netlink socket: %s",
		       nl_geterror(ret));
		goto fail;
	}
	/* The kernel explains refused requests in extended acks. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));

	nl->family = genl_ctrl_resolve(nl->sk, PREMOD_GENL_NAME);
	if (nl->family == -NLE_OBJ_NOTFOUND) {
		if (!quiet_missing)
			errmsg("%s", msg_not_loaded);
		ret = -ENOENT;
		goto fail;
	}
	if (nl->family < 0) {
		errmsg("cannot resolve the generic netlink family \"%s\": %s",
		       PREMOD_GENL_NAME, nl_geterror(nl->family));
		goto fail;
	}

	ret = genl_ctrl_alloc_cache(nl->sk, &cache);
	if (ret < 0) {
		errmsg("cannot list generic netlink families: %s",
		       nl_geterror(ret));
		goto fail;
	}
	fam = genl_ctrl_search_by_name(cache, PREMOD_GENL_NAME);
	if (!fam) {	/* unloaded since it was resolved */
		nl_cache_free(cache);
		if (!quiet_missing)
			errmsg("%s", msg_not_loaded);
		ret = -ENOENT;
		goto fail;
	}
	nl->version = genl_family_get_version(fam);
	genl_family_put(fam);
	nl_cache_free(cache);
	if (nl->version != PREMOD_GENL_VERSION) {
		errmsg("version mismatch: the loaded premod.ko speaks netlink "
		       "protocol %d, premodctl speaks %d; install matching "
		       "builds of the module and the tools and reload the "
		       "module (rmmod premod && modprobe premod)",
		       nl->version, PREMOD_GENL_VERSION);
		ret = -EPROTO;
		goto fail;
	}
	return 0;
fail:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return ret < 0 ? ret : -1;
}

void ctl_close(struct ctl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}


static int on_valid(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;
	struct nlattr *tb[PREMOD_A_MAX + 1];
	int ret;

	ret = genlmsg_parse(nlmsg_hdr(msg), 0, tb, PREMOD_A_MAX, NULL);
	if (ret < 0) {
		errmsg("%s: malformed reply from the kernel: %s", r->what,
		       nl_geterror(ret));
		r->parse_ret = -EBADMSG;
		return NL_SKIP;
	}
	if (tb[PREMOD_A_VERSION] &&
	    nla_len(tb[PREMOD_A_VERSION]) == 4 &&
	    nla_get_u32(tb[PREMOD_A_VERSION]) != PREMOD_GENL_VERSION) {
		errmsg("version mismatch: premod.ko replied with protocol %u, "
		       "premodctl speaks %d; install matching builds of the "
		       "module and the tools",
		       nla_get_u32(tb[PREMOD_A_VERSION]), PREMOD_GENL_VERSION);
		r->parse_ret = -EPROTO;
		return NL_SKIP;
	}
	if (r->parse && !r->parse_ret)
		r->parse_ret = r->parse(tb, r->arg);
	return NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;

	(void)msg;
	r->acked = true;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)
		((const char *)e - NLMSG_HDRLEN);
	struct req *r = arg;
	size_t off;

	(void)nla;
	r->error = -e->error;
	r->acked = true;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*e));
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	while (off + NLA_HDRLEN <= nlh->nlmsg_len) {
		const struct nlattr *a = (const void *)((const char *)nlh + off);
		size_t plen;

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > nlh->nlmsg_len)
			break;
		plen = a->nla_len - NLA_HDRLEN;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG && plen) {
			snprintf(r->ext, sizeof(r->ext), "%.*s", (int)plen,
				 (const char *)a + NLA_HDRLEN);
		}
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_OFFS &&
		    plen == 4) {
			uint32_t o;

			memcpy(&o, (const char *)a + NLA_HDRLEN, 4);
			r->ext_offs = o;
		}
		off += NLA_ALIGN(a->nla_len);
	}
	return NL_STOP;
}

/*
 * The kernel points at the attribute it refused by its offset in our
 * request: name it, a path when it is one ("filter path does not exist"
 * says which).
 */
static void culprit(const struct nl_msg *msg, long offs, char *buf,
		    size_t len)
{
	const struct nlmsghdr *nlh = nlmsg_hdr((struct nl_msg *)msg);
	const struct nlattr *a;
	const char *data;
	int plen;

	buf[0] = '\0';
	if (offs < 0 || (size_t)offs + NLA_HDRLEN > nlh->nlmsg_len)
		return;
	a = (const struct nlattr *)((const char *)nlh + offs);
	if (a->nla_len < NLA_HDRLEN || offs + a->nla_len > nlh->nlmsg_len)
		return;
	data = (const char *)a + NLA_HDRLEN;
	plen = a->nla_len - NLA_HDRLEN;
	if (plen > 1 && data[plen - 1] == '\0' && data[0] == '/')
		snprintf(buf, len, ": %s", data);
	else
		snprintf(buf, len, " (attribute %u)",
			 a->nla_type & NLA_TYPE_MASK);
}

/*
 * Sends msg (consumed) and collects the reply. Prints the error with what
 * to do; returns 0 or -errno.
 */
int ctl_request(struct ctl *nl, struct nl_msg *msg, struct req *r)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	if (!cb) {
		nlmsg_free(msg);
		errmsg("out of memory");
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, r);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, r);

	r->ext_offs = -1;
	ret = nl_send_auto(nl->sk, msg);
	if (ret < 0) {
		errmsg("%s: cannot send the request: %s", r->what,
		       nl_geterror(ret));
		nlmsg_free(msg);
		nl_cb_put(cb);
		return -EIO;
	}
	while (!r->acked) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !r->error) {
			errmsg("%s: receiving the reply failed: %s", r->what,
			       nl_geterror(ret));
			nlmsg_free(msg);
			nl_cb_put(cb);
			return -EIO;
		}
		if (ret < 0)
			break;
	}
	nl_cb_put(cb);

	if (r->error == EPERM || r->error == EACCES) {
		report_perm(r->what);
		nlmsg_free(msg);
		return -EPERM;
	}
	if (r->error) {
		char at[PREMOD_PATH_MAX + 32];

		culprit(msg, r->ext_offs, at, sizeof(at));
		if (r->ext[0])
			errmsg("%s: the kernel refused the request: %s%s (%s)",
			       r->what, r->ext, at, strerror(r->error));
		else
			errmsg("%s: the kernel refused the request%s: %s",
			       r->what, at, strerror(r->error));
		nlmsg_free(msg);
		return -r->error;
	}
	nlmsg_free(msg);
	return r->parse_ret;
}

struct nl_msg *ctl_new(struct ctl *nl, uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, 0, cmd,
			 PREMOD_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}
