// SPDX-License-Identifier: MIT
/*
 * premodctl - operator CLI for premod.ko: watch events and alerts, read
 * counters, show and set the in-kernel prefilter, run a command
 * registered as the daemon.
 *
 * Requests go through libnl-genl-3. Events are received on the same
 * socket but read with recvmsg() into one large buffer and decoded by
 * decode.c, the daemon's own decoder, so what premodctl shows is what
 * premodd sees.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <jansson.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "decode.h"
#include "event.h"
#include "event_json.h"
#include "event_text.h"
#include "premod.h"

#ifndef PREMOD_VERSION
#define PREMOD_VERSION "0.1"
#endif

#define DAEMON_STATS_FILE	"/run/premod/premodd.stats.json"
#define RCVBUF_SIZE		(32 << 20)
#define DGRAM_MAX		(1 << 20)

static const char *prog = "premodctl";

__attribute__((format(printf, 1, 2)))
static void errmsg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Help. */

static const char usage_main[] =
"Usage: premodctl COMMAND [OPTIONS]\n"
"\n"
"Operator tool for premod.ko, which reports attempts to modify files before\n"
"they happen. Every command but 'version' talks to the kernel module over\n"
"generic netlink and needs CAP_NET_ADMIN in the initial user namespace.\n"
"\n"
"Commands:\n"
"  monitor [--json] [--alerts]   print events (or daemon alerts) as they come\n"
"  stats [--json]                kernel counters, per-hook hits, daemon counters\n"
"  filter [show] [--json]        the active in-kernel prefilter\n"
"  filter set [OPTIONS]          replace the prefilter (see filter --help)\n"
"  filter clear                  remove the prefilter: report everything\n"
"  register --exec CMD [ARGS]    run CMD registered as the daemon (no events)\n"
"  version                       versions of premodctl and of the module\n"
"  help [COMMAND]                this text, or a command's\n"
"\n"
"'premodctl COMMAND --help' describes a command.\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

static const char usage_monitor[] =
"Usage: premodctl monitor [--json] [--alerts] [--rcvbuf SIZE]\n"
"\n"
"Joins the \"events\" multicast group and prints one line per event until\n"
"SIGINT or SIGTERM, then a summary on stderr. Once joined it prints\n"
"'premodctl: monitoring events' on stderr.\n"
"\n"
"Human format:\n"
"  TIME #SEQ OP COMM[TGID] uid=UID PATH [details]\n"
"  TIME is UTC, RFC 3339 with nanoseconds; modes are octal; 'A -> B' is a\n"
"  rename, 'A => B' a new hard link B to A; '...' before a path means the\n"
"  kernel cut its start (too long); '(unresolved)' a path the kernel could\n"
"  not resolve; '(fs-relative, dev M:N)' a path from its filesystem's root.\n"
"\n"
"Options:\n"
"  --json     one JSON object per line, the stable format premodd --replay\n"
"             reads: keys are the lowercase PREMOD_A_* names, \"op\" by name,\n"
"             numbers (modes too) as integers. A string that is not UTF-8\n"
"             gets a \"<key>_hex\" companion with its exact bytes.\n"
"  --alerts   join \"alerts\" instead: the audit records premodd republishes\n"
"             (policy matches), printed as they are, one JSON line each.\n"
"  --rcvbuf SIZE  socket receive buffer (bytes, or with K or M; default\n"
"             32M). Raised past net.core.rmem_max with CAP_NET_ADMIN; the\n"
"             kernel doubles it for its bookkeeping.\n"
"\n"
"Loss is never silent: a jump in sequence numbers no LOST record explains\n"
"(a gap), a receive buffer overflow (ENOBUFS) and the kernel's LOST records\n"
"(op \"lost\" in JSON) are reported on stderr, and inline in the human\n"
"format. On exit the summary counts them, and the sequence numbers this\n"
"listener never received as events: its exact loss (with several listeners\n"
"a LOST record may also count events this one did receive).\n";

static const char usage_stats[] =
"Usage: premodctl stats [--json] [--daemon-stats FILE]\n"
"\n"
"Prints every counter of premod.ko (captured, sent, drop_* by reason, ...),\n"
"each hook's hits and kprobe nmissed, then the counters premodd writes to\n"
DAEMON_STATS_FILE " when that file exists.\n"
"\n"
"Options:\n"
"  --json                one JSON object: {\"version\", \"counters\", \"hooks\",\n"
"                        \"premodd\"} (premodd null when it has no stats file)\n"
"  --daemon-stats FILE   read the daemon's counters from FILE\n";

static const char usage_filter[] =
"Usage: premodctl filter [show] [--json]\n"
"       premodctl filter set [--ops OP,...] [--include DIR]... [--exclude DIR]...\n"
"                            [--exclude-uid UID]...\n"
"       premodctl filter clear\n"
"\n"
"The prefilter decides in the kernel which events are reported at all.\n"
"'set' replaces it as a whole; options not given are cleared. A running\n"
"premodd pushes its own prefilter (derived from its policy) at start and on\n"
"every reload, replacing what was set here.\n"
"\n"
"Options of set:\n"
"  --ops OP,...       report only these ops: create mkdir rmdir unlink rename\n"
"                     link symlink truncate chmod chown setattr open_write\n"
"                     setxattr removexattr; \"all\" for every op\n"
"  --include DIR      report only events under DIR (repeatable, at most " "64)\n"
"  --exclude DIR      never report events whose paths all lie under DIR\n"
"  --exclude-uid UID  never report events of this fsuid (number or user name)\n"
"Subtrees are decided by the kernel by directory ancestry, so a bind mount\n"
"or another mount namespace of DIR is inside it too. A relative DIR is made\n"
"absolute from the current directory.\n"
"\n"
"Options of show:\n"
"  --json             {\"ops\", \"ops_all\", \"include\", \"exclude\", \"exclude_uids\"}\n";

static const char usage_register[] =
"Usage: premodctl register --exec CMD [ARGS...]\n"
"\n"
"Registers this process as the premod daemon, then executes CMD in it: the\n"
"operations of CMD (its thread group) raise no events for as long as it\n"
"runs. A test and debugging aid.\n"
"\n"
"There is one registration: this takes it from a running premodd, whose own\n"
"operations then raise events and whose alerts are refused until it\n"
"registers again (restart or reload it).\n";

static const char usage_version[] =
"Usage: premodctl version\n"
"\n"
"Prints premodctl's version and netlink protocol version, and the\n"
"protocol version of the loaded premod.ko when it can be read.\n";

/* Netlink session. */

struct ctl {
	struct nl_sock *sk;
	int family;
	int version;		/* the family's version, from the controller */
};

static const char msg_not_loaded[] =
	"the premod kernel module is not loaded (no generic netlink family "
	"\"" PREMOD_GENL_NAME "\"); load it with: modprobe premod";

static void report_perm(const char *what)
{
	errmsg("permission denied: %s needs CAP_NET_ADMIN in the initial user "
	       "namespace; run as root", what);
}

/*
 * Connects and resolves the family; checks the protocol version the
 * module registered. Prints the error and returns nonzero on failure:
 * -ENOENT when the module is not loaded.
 */
static int ctl_open(struct ctl *nl, bool quiet_missing)
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

static void ctl_close(struct ctl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

/* One request/reply exchange. */
struct req {
	const char *what;		/* "GET_STATS", for messages */
	int (*parse)(struct nlattr **tb, void *arg);
	void *arg;
	bool acked;
	int error;			/* errno from the kernel, 0 if none */
	char ext[256];			/* the kernel's extended ack message */
	long ext_offs;			/* offset of the culprit attribute in
					 * the request, -1 if not given */
	int parse_ret;
};

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
static int ctl_request(struct ctl *nl, struct nl_msg *msg, struct req *r)
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

static struct nl_msg *ctl_new(struct ctl *nl, uint8_t cmd)
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

/* monitor */

struct mon {
	bool json, alerts;
	bool unloaded;		/* the family went away under us */
	uint64_t received;	/* events (alerts), LOST records not */
	uint64_t lost_records, lost_events;
	uint64_t gaps, gap_events;
	uint64_t enobufs, malformed, truncated, out_of_order;
	uint64_t next;		/* expected next seq; 0 before the first */
	/*
	 * Exact loss for this listener: sequence numbers never received as
	 * events. With several listeners the kernel's LOST counts may cover
	 * events this one did receive (see premod.h, "Loss").
	 */
	uint64_t ev_next, missing;
	char *line;		/* JSON line buffer */
};

static void mon_gap(struct mon *m, uint64_t first, uint64_t last)
{
	uint64_t n = last - first + 1;

	m->gaps++;
	m->gap_events += n;
	errmsg("sequence gap: %" PRIu64 " event%s missing (seq %" PRIu64
	       "..%" PRIu64 ")", n, n == 1 ? "" : "s", first, last);
	if (!m->json)
		printf("--- gap: %" PRIu64 " event%s missing (seq %" PRIu64
		       "..%" PRIu64 ") ---\n", n, n == 1 ? "" : "s", first,
		       last);
}

/*
 * Sequence numbers arrive strictly increasing (the kernel merges its
 * per-CPU buffers), so any jump is loss. A LOST record accounts for a
 * range; it moves the expectation past that range.
 */
static void mon_track(struct mon *m, const struct pm_event *ev)
{
	uint64_t seq = ev->num[PM_F_SEQ];

	if (ev->num[PM_F_OP] == PREMOD_OP_LOST) {
		uint64_t first = ev->num[PM_F_LOST_FIRST];
		uint64_t last = ev->num[PM_F_LOST_LAST];

		m->lost_records++;
		m->lost_events += ev->num[PM_F_LOST_COUNT];
		if (m->json)
			errmsg("kernel LOST record: %" PRIu64 " events lost "
			       "(seq %" PRIu64 "..%" PRIu64 ")",
			       ev->num[PM_F_LOST_COUNT], first, last);
		/* Numbers up to a LOST record's last never come as events. */
		if (last + 1 > m->ev_next && last >= first) {
			m->missing += last + 1 -
				(m->ev_next ? m->ev_next : first);
			m->ev_next = last + 1;
		}
		if (pm_event_has(ev, PM_F_LOST_FIRST) && m->next &&
		    first > m->next)
			mon_gap(m, m->next, first - 1);
		if (pm_event_has(ev, PM_F_LOST_LAST) && last + 1 > m->next)
			m->next = last + 1;
		return;
	}
	if (m->ev_next && seq > m->ev_next)
		m->missing += seq - m->ev_next;
	if (seq + 1 > m->ev_next)
		m->ev_next = seq + 1;
	if (m->next && seq > m->next)
		mon_gap(m, m->next, seq - 1);
	if (m->next && seq < m->next) {
		m->out_of_order++;
		errmsg("sequence number %" PRIu64 " arrived after %" PRIu64
		       " (out of order or repeated)", seq, m->next - 1);
	}
	if (seq + 1 > m->next)
		m->next = seq + 1;
}

static void mon_event(struct mon *m, const struct pm_event *ev)
{
	int n;

	if (ev->num[PM_F_OP] != PREMOD_OP_LOST)
		m->received++;
	/* Gaps are printed before the event that reveals them. */
	mon_track(m, ev);
	if (!m->json) {
		pm_text_event(stdout, ev);
		return;
	}
	n = pm_event_render_json(ev, m->line, PM_EVENT_JSON_MAX);
	if (n < 0) {
		errmsg("event seq %" PRIu64 " too large to render",
		       ev->num[PM_F_SEQ]);
		return;
	}
	m->line[n] = '\n';
	fwrite(m->line, 1, (size_t)n + 1, stdout);
}

/*
 * The controller announces CTRL_CMD_DELFAMILY on its "notify" group when
 * the module is unloaded; without it a monitor would wait forever.
 */
static bool is_our_delfamily(const struct nlmsghdr *nlh, uint16_t family)
{
	const struct genlmsghdr *gh;
	const struct nlattr *a;
	size_t off;

	if (nlh->nlmsg_type != GENL_ID_CTRL ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return false;
	gh = (const struct genlmsghdr *)((const char *)nlh + NLMSG_HDRLEN);
	if (gh->cmd != CTRL_CMD_DELFAMILY)
		return false;
	for (off = NLMSG_HDRLEN + GENL_HDRLEN;
	     off + NLA_HDRLEN <= nlh->nlmsg_len;
	     off += NLA_ALIGN(a->nla_len)) {
		uint16_t id;

		a = (const struct nlattr *)((const char *)nlh + off);
		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > nlh->nlmsg_len)
			return false;
		if ((a->nla_type & NLA_TYPE_MASK) != CTRL_ATTR_FAMILY_ID ||
		    a->nla_len != NLA_HDRLEN + 2)
			continue;
		memcpy(&id, (const char *)a + NLA_HDRLEN, 2);
		return id == family;
	}
	return false;
}

static void mon_datagram(struct mon *m, const void *buf, size_t len,
			 uint16_t family)
{
	struct pm_nl_iter it;
	const struct nlmsghdr *nlh;
	struct pm_event ev;
	char err[256];
	int r;

	pm_nl_iter_init(&it, buf, len);
	while ((r = pm_nl_iter_next(&it, &nlh, err, sizeof(err))) > 0) {
		if (is_our_delfamily(nlh, family)) {
			m->unloaded = true;
			continue;
		}
		if (m->alerts) {
			const char *rec;
			uint64_t seq;

			r = pm_decode_alert(nlh, family, &rec, &seq, err,
					    sizeof(err));
			if (r == 0) {
				m->received++;
				fputs(rec, stdout);
				fputc('\n', stdout);
			}
		} else {
			r = pm_decode_event(nlh, family, &ev, err,
					    sizeof(err));
			if (r == 0)
				mon_event(m, &ev);
		}
		if (r == -EBADMSG) {
			m->malformed++;
			errmsg("malformed message skipped: %s", err);
		}
	}
	if (r < 0) {
		m->malformed++;
		errmsg("malformed datagram, rest skipped: %s", err);
	}
}

static void set_rcvbuf(int fd, int size)
{
	int one = 1;

	/* Beyond net.core.rmem_max only with CAP_NET_ADMIN. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	/*
	 * Without this, a multicast our full buffer refused still counts as
	 * delivered (or as "nobody listens" when we are the only listener),
	 * and the module would not report the loss in a LOST record.
	 */
	setsockopt(fd, SOL_NETLINK, NETLINK_BROADCAST_ERROR, &one, sizeof(one));
}

static int mon_loop(struct mon *m, struct ctl *nl, int sfd)
{
	int fd = nl_socket_get_fd(nl->sk);
	unsigned char *buf = malloc(DGRAM_MAX);
	struct pollfd pfd[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
	};

	if (!buf) {
		errmsg("out of memory");
		return 1;
	}
	for (;;) {
		struct sockaddr_nl sa;
		struct iovec iov = { buf, DGRAM_MAX };
		struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa),
				     .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			errmsg("poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents)
			break;
		if (!(pfd[0].revents & (POLLIN | POLLERR)))
			continue;

		n = recvmsg(fd, &mh, MSG_TRUNC | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				m->enobufs++;
				errmsg("receive buffer overflow (ENOBUFS): "
				       "events were dropped by the kernel; the "
				       "next gap or LOST record says how many");
				if (!m->json)
					printf("--- receive buffer overflow "
					       "(ENOBUFS): events lost ---\n");
				fflush(stdout);
				continue;
			}
			errmsg("receiving events: %s", strerror(errno));
			free(buf);
			return 1;
		}
		/* Only the kernel speaks on this socket. */
		if (sa.nl_pid != 0)
			continue;
		if ((size_t)n > DGRAM_MAX) {
			m->truncated++;
			errmsg("datagram of %zd bytes cut to %d: its last "
			       "messages are lost", n, DGRAM_MAX);
			n = DGRAM_MAX;
		}
		mon_datagram(m, buf, (size_t)n, (uint16_t)nl->family);
		/* A full disk or a closed pipe must not eat events quietly. */
		if (fflush(stdout) || ferror(stdout)) {
			errmsg("writing events to stdout failed: %s",
			       strerror(errno));
			free(buf);
			return 1;
		}
		if (m->unloaded) {
			errmsg("the premod kernel module was unloaded; no more "
			       "events will come (start premodctl again after "
			       "modprobe premod)");
			free(buf);
			return 1;
		}
	}
	free(buf);
	return 0;
}

/* "262144", "256K", "32M": 4 KiB to 1 GiB. */
static int parse_size(const char *arg, int *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || arg[0] == '-')
		return -EINVAL;
	if (v > (1ULL << 30))
		return -EINVAL;
	if (*end == 'K' || *end == 'k') {
		v <<= 10;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		v <<= 20;
		end++;
	}
	if (*end || v < 4096 || v > (1ULL << 30))
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static int cmd_monitor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "alerts", no_argument, NULL, 'a' },
		{ "rcvbuf", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct mon m = { 0 };
	int rcvbuf = RCVBUF_SIZE;
	const char *group;
	struct ctl nl;
	sigset_t mask;
	int c, grp, ret, sfd;

	while ((c = getopt_long(argc, argv, "+jar:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': m.json = true; break;
		case 'a': m.alerts = true; break;
		case 'r':
			if (parse_size(optarg, &rcvbuf)) {
				errmsg("monitor: --rcvbuf: '%s' is not a size "
				       "(bytes, or with K or M, 4K..1G)", optarg);
				return 2;
			}
			break;
		case 'h': fputs(usage_monitor, stdout); return 0;
		default: fputs(usage_monitor, stderr); return 2;
		}
	}
	if (optind < argc) {
		errmsg("monitor: unexpected argument '%s'", argv[optind]);
		fputs(usage_monitor, stderr);
		return 2;
	}
	group = m.alerts ? PREMOD_MCGRP_ALERTS : PREMOD_MCGRP_EVENTS;

	/* Signals through a signalfd: no race between a check and recv. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		errmsg("signalfd: %s", strerror(errno));
		return 1;
	}

	if (ctl_open(&nl, false)) {
		close(sfd);
		return 1;
	}
	grp = genl_ctrl_resolve_grp(nl.sk, PREMOD_GENL_NAME, group);
	if (grp < 0) {
		errmsg("the premod kernel module has no multicast group \"%s\" "
		       "(%s): is it an older build? install a matching module",
		       group, nl_geterror(grp));
		goto fail;
	}
	nl_socket_disable_seq_check(nl.sk);
	set_rcvbuf(nl_socket_get_fd(nl.sk), rcvbuf);
	ret = nl_socket_add_membership(nl.sk, grp);
	if (ret == -NLE_PERM) {
		char what[64];

		snprintf(what, sizeof(what), "joining the \"%s\" group", group);
		report_perm(what);
		goto fail;
	}
	if (ret < 0) {
		errmsg("cannot join the \"%s\" group: %s", group,
		       nl_geterror(ret));
		goto fail;
	}
	/* Best effort: only to notice an unload (see is_our_delfamily). */
	grp = genl_ctrl_resolve_grp(nl.sk, "nlctrl", "notify");
	if (grp >= 0)
		nl_socket_add_membership(nl.sk, grp);
	m.line = malloc(PM_EVENT_JSON_MAX + 1);
	if (!m.line) {
		errmsg("out of memory");
		goto fail;
	}
	errmsg("monitoring %s", m.alerts ? "alerts" : "events");

	ret = mon_loop(&m, &nl, sfd);
	fflush(stdout);
	if (m.alerts)
		errmsg("received %" PRIu64 " alerts; %" PRIu64
		       " receive buffer overflows (ENOBUFS), %" PRIu64
		       " malformed", m.received, m.enobufs, m.malformed);
	else
		errmsg("received %" PRIu64 " events; lost per LOST records: %"
		       PRIu64 " (in %" PRIu64 " records); gaps seen: %" PRIu64
		       " (%" PRIu64 " events missing, no LOST record); "
		       "sequence numbers skipped: %" PRIu64 "; ENOBUFS: %"
		       PRIu64 "; malformed: %" PRIu64, m.received,
		       m.lost_events, m.lost_records, m.gaps, m.gap_events,
		       m.missing, m.enobufs, m.malformed);
	free(m.line);
	ctl_close(&nl);
	close(sfd);
	return ret;
fail:
	ctl_close(&nl);
	close(sfd);
	return 1;
}

/* stats */

static const char *const stat_names[__PREMOD_STAT_MAX] = {
	[PREMOD_STAT_CAPTURED] = "captured",
	[PREMOD_STAT_SENT] = "sent",
	[PREMOD_STAT_FILTERED] = "filtered",
	[PREMOD_STAT_SELF] = "self",
	[PREMOD_STAT_DROP_BUFFER_FULL] = "drop_buffer_full",
	[PREMOD_STAT_DROP_TOO_BIG] = "drop_too_big",
	[PREMOD_STAT_DROP_ALLOC] = "drop_alloc",
	[PREMOD_STAT_DROP_SEND] = "drop_send",
	[PREMOD_STAT_DROP_NO_LISTENER] = "drop_no_listener",
	[PREMOD_STAT_DROP_UNLOAD] = "drop_unload",
	[PREMOD_STAT_KPROBE_MISSED] = "kprobe_missed",
	[PREMOD_STAT_LOST_RECORDS] = "lost_records",
	[PREMOD_STAT_PATH_TRUNCATED] = "path_truncated",
	[PREMOD_STAT_PATH_ERROR] = "path_error",
	[PREMOD_STAT_BATCHES] = "batches",
	[PREMOD_STAT_PUBLISHED] = "published",
	[PREMOD_STAT_PUBLISH_FAILED] = "publish_failed",
	[PREMOD_STAT_BUFFER_BYTES] = "buffer_bytes",
};

_Static_assert(PREMOD_STAT_MAX == PAD_PREMOD_STAT,
	       "stat_names: a new counter needs a name");

struct stats {
	json_t *counters;	/* name -> integer, in kernel order */
	json_t *hooks;		/* array of {name, enabled, hits, nmissed} */
};

static json_t *u64_json(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static int parse_stats(struct nlattr **tb, void *arg)
{
	struct stats *st = arg;
	struct nlattr *a;
	int rem;

	if (!tb[PREMOD_A_STATS]) {
		errmsg("GET_STATS: the reply has no counters");
		return -EBADMSG;
	}
	nla_for_each_nested(a, tb[PREMOD_A_STATS], rem) {
		int type = nla_type(a);
		char name[32];

		if (type == PAD_PREMOD_STAT || type == 0)
			continue;
		if (nla_len(a) != 8) {
			errmsg("GET_STATS: counter %d has %d bytes, expected 8",
			       type, nla_len(a));
			return -EBADMSG;
		}
		if (type < __PREMOD_STAT_MAX && stat_names[type])
			snprintf(name, sizeof(name), "%s", stat_names[type]);
		else	/* a newer module: show it rather than hide it */
			snprintf(name, sizeof(name), "stat_%d", type);
		json_object_set_new(st->counters, name,
				    u64_json(nla_get_u64(a)));
	}
	if (!tb[PREMOD_A_HOOKS])
		return 0;
	nla_for_each_nested(a, tb[PREMOD_A_HOOKS], rem) {
		struct nlattr *h[PREMOD_HA_MAX + 1];
		json_t *o;

		if (nla_type(a) != PREMOD_HA_HOOK)
			continue;
		if (nla_parse_nested(h, PREMOD_HA_MAX, a, NULL) < 0 ||
		    !h[PREMOD_HA_NAME]) {
			errmsg("GET_STATS: malformed hook entry");
			return -EBADMSG;
		}
		o = json_object();
		json_object_set_new(o, "name",
				    json_string(nla_get_string(h[PREMOD_HA_NAME])));
		if (h[PREMOD_HA_ENABLED])
			json_object_set_new(o, "enabled",
					    json_boolean(nla_get_u8(h[PREMOD_HA_ENABLED])));
		if (h[PREMOD_HA_HITS] && nla_len(h[PREMOD_HA_HITS]) == 8)
			json_object_set_new(o, "hits",
					    u64_json(nla_get_u64(h[PREMOD_HA_HITS])));
		if (h[PREMOD_HA_NMISSED] && nla_len(h[PREMOD_HA_NMISSED]) == 8)
			json_object_set_new(o, "nmissed",
					    u64_json(nla_get_u64(h[PREMOD_HA_NMISSED])));
		json_array_append_new(st->hooks, o);
	}
	return 0;
}

/* "a.b[2].c  value" lines for whatever premodd writes. */
static void print_flat(const char *prefix, const json_t *v)
{
	char key[512];

	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *sub;

		json_object_foreach((json_t *)v, k, sub) {
			snprintf(key, sizeof(key), "%s%s%s", prefix,
				 *prefix ? "." : "", k);
			print_flat(key, sub);
		}
		return;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *sub;

		json_array_foreach(v, i, sub) {
			snprintf(key, sizeof(key), "%s[%zu]", prefix, i);
			print_flat(key, sub);
		}
		return;
	}
	default:
		break;
	}
	printf("  %-36s ", prefix);
	switch (json_typeof(v)) {
	case JSON_STRING:
		pm_text_escape(stdout, json_string_value(v));
		break;
	case JSON_INTEGER:
		printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		printf("%g", json_real_value(v));
		break;
	case JSON_TRUE: fputs("true", stdout); break;
	case JSON_FALSE: fputs("false", stdout); break;
	default: fputs("null", stdout); break;
	}
	putchar('\n');
}

static int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "daemon-stats", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *dfile = DAEMON_STATS_FILE;
	struct stats st = { json_object(), json_array() };
	json_t *daemon = NULL;
	struct nl_msg *msg;
	struct req r = { .what = "GET_STATS", .parse = parse_stats, .arg = &st };
	bool json = false;
	struct ctl nl;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+jd:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'd': dfile = optarg; break;
		case 'h': fputs(usage_stats, stdout); ret = 0; goto out;
		default: fputs(usage_stats, stderr); ret = 2; goto out;
		}
	}
	if (optind < argc) {
		errmsg("stats: unexpected argument '%s'", argv[optind]);
		fputs(usage_stats, stderr);
		ret = 2;
		goto out;
	}

	ret = 1;
	if (ctl_open(&nl, false))
		goto out;
	msg = ctl_new(&nl, PREMOD_CMD_GET_STATS);
	if (!msg || ctl_request(&nl, msg, &r)) {
		ctl_close(&nl);
		goto out;
	}
	ctl_close(&nl);

	if (access(dfile, F_OK) == 0) {
		json_error_t jerr;

		daemon = json_load_file(dfile, 0, &jerr);
		if (!daemon)
			errmsg("cannot read premodd's counters from %s: line "
			       "%d: %s", dfile, jerr.line, jerr.text);
	} else if (errno != ENOENT) {
		errmsg("cannot read premodd's counters from %s: %s", dfile,
		       strerror(errno));
	}

	if (json) {
		json_t *o = json_object();

		json_object_set_new(o, "version",
				    json_integer(PREMOD_GENL_VERSION));
		json_object_set(o, "counters", st.counters);
		json_object_set(o, "hooks", st.hooks);
		json_object_set(o, "premodd", daemon ? daemon : json_null());
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else {
		const char *k;
		json_t *v;
		size_t i;

		printf("premod.ko (netlink protocol %d)\n", PREMOD_GENL_VERSION);
		json_object_foreach(st.counters, k, v)
			printf("  %-36s %" JSON_INTEGER_FORMAT "\n", k,
			       json_integer_value(v));
		printf("hooks %31s %8s %14s %10s\n", "", "enabled", "hits",
		       "nmissed");
		json_array_foreach(st.hooks, i, v) {
			json_t *e = json_object_get(v, "enabled");

			printf("  %-36s %8s %14" JSON_INTEGER_FORMAT
			       " %10" JSON_INTEGER_FORMAT "\n",
			       json_string_value(json_object_get(v, "name")),
			       !e ? "?" : json_is_true(e) ? "yes" : "no",
			       json_integer_value(json_object_get(v, "hits")),
			       json_integer_value(json_object_get(v, "nmissed")));
		}
		if (daemon) {
			printf("premodd (%s)\n", dfile);
			print_flat("", daemon);
		} else {
			printf("premodd: no counters (%s absent: premodd not "
			       "running?)\n", dfile);
		}
	}
	ret = 0;
out:
	json_decref(daemon);
	json_decref(st.counters);
	json_decref(st.hooks);
	return ret;
}

/* filter */

struct filter {
	uint32_t ops;
	bool has_ops;
	json_t *include, *exclude, *uids;
};

static int parse_paths(struct nlattr *nest, json_t *arr, const char *what)
{
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != PREMOD_FA_PATH)
			continue;
		if (nla_len(a) < 1 || ((char *)nla_data(a))[nla_len(a) - 1]) {
			errmsg("GET_FILTER: malformed %s path", what);
			return -EBADMSG;
		}
		json_array_append_new(arr, json_string(nla_get_string(a)));
	}
	return 0;
}

static int parse_filter(struct nlattr **tb, void *arg)
{
	struct filter *f = arg;
	struct nlattr *a;
	int rem, ret;

	if (tb[PREMOD_A_FILTER_OPS] && nla_len(tb[PREMOD_A_FILTER_OPS]) == 4) {
		f->ops = nla_get_u32(tb[PREMOD_A_FILTER_OPS]);
		f->has_ops = true;
	}
	if (tb[PREMOD_A_FILTER_INCLUDE]) {
		ret = parse_paths(tb[PREMOD_A_FILTER_INCLUDE], f->include,
				  "include");
		if (ret)
			return ret;
	}
	if (tb[PREMOD_A_FILTER_EXCLUDE]) {
		ret = parse_paths(tb[PREMOD_A_FILTER_EXCLUDE], f->exclude,
				  "exclude");
		if (ret)
			return ret;
	}
	if (tb[PREMOD_A_FILTER_EXCLUDE_UIDS]) {
		nla_for_each_nested(a, tb[PREMOD_A_FILTER_EXCLUDE_UIDS], rem) {
			if (nla_type(a) != PREMOD_FA_UID || nla_len(a) != 4)
				continue;
			json_array_append_new(f->uids,
					      json_integer(nla_get_u32(a)));
		}
	}
	return 0;
}

static void print_list(const char *label, const json_t *arr,
		       const char *none)
{
	size_t i;
	json_t *v;

	printf("%-14s", label);
	if (json_array_size(arr) == 0)
		printf("%s\n", none);
	json_array_foreach(arr, i, v) {
		if (i)
			printf("%-14s", "");
		if (json_is_string(v))
			pm_text_escape(stdout, json_string_value(v));
		else
			printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
		putchar('\n');
	}
}

static int filter_show(struct ctl *nl, bool json)
{
	struct filter f = { 0, false, json_array(), json_array(),
			    json_array() };
	struct req r = { .what = "GET_FILTER", .parse = parse_filter,
			 .arg = &f };
	struct nl_msg *msg = ctl_new(nl, PREMOD_CMD_GET_FILTER);
	bool all;
	json_t *ops = json_array();
	int ret = 1;

	if (!msg || ctl_request(nl, msg, &r))
		goto out;
	all = !f.has_ops || f.ops == 0;
	for (unsigned int op = 1; op <= PREMOD_OP_MAX; op++)
		if (op != PREMOD_OP_LOST && (all || (f.ops & (1U << op))))
			json_array_append_new(ops, json_string(pm_op_name(op)));

	if (json) {
		json_t *o = json_pack("{s:O,s:b,s:O,s:O,s:O}", "ops", ops,
				      "ops_all", all, "include", f.include,
				      "exclude", f.exclude, "exclude_uids",
				      f.uids);

		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else {
		size_t i;
		json_t *v;

		printf("%-14s", "ops:");
		if (all)
			fputs("all", stdout);
		else
			json_array_foreach(ops, i, v)
				printf("%s%s", i ? "," : "",
				       json_string_value(v));
		putchar('\n');
		print_list("include:", f.include, "(everywhere)");
		print_list("exclude:", f.exclude, "-");
		print_list("exclude-uids:", f.uids, "-");
	}
	ret = 0;
out:
	json_decref(ops);
	json_decref(f.include);
	json_decref(f.exclude);
	json_decref(f.uids);
	return ret;
}

static int parse_ops(const char *arg, uint32_t *mask)
{
	char *copy = strdup(arg), *save = NULL, *tok;

	*mask = 0;
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int op;

		if (strcmp(tok, "all") == 0) {
			*mask = 0;
			free(copy);
			return 0;
		}
		op = pm_op_lookup(tok);
		if (op < 0 || op == PREMOD_OP_LOST) {
			errmsg("filter set: --ops: unknown op '%s' (one of "
			       "create mkdir rmdir unlink rename link symlink "
			       "truncate chmod chown setattr open_write "
			       "setxattr removexattr, or all)", tok);
			free(copy);
			return -EINVAL;
		}
		*mask |= 1U << op;
	}
	free(copy);
	if (!*mask) {
		errmsg("filter set: --ops: no op given");
		return -EINVAL;
	}
	return 0;
}

static int parse_uid(const char *arg, uint32_t *uid)
{
	struct passwd *pw;
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (*arg && !*end && !errno && v <= UINT32_MAX && arg[0] != '-') {
		*uid = (uint32_t)v;
		return 0;
	}
	pw = getpwnam(arg);
	if (!pw) {
		errmsg("filter set: --exclude-uid: '%s' is neither a number "
		       "nor a known user", arg);
		return -EINVAL;
	}
	*uid = pw->pw_uid;
	return 0;
}

/* Absolute form of a path given on the command line, malloc'd. */
static char *abs_path(const char *opt, const char *p)
{
	char *cwd, *out;

	if (!*p) {
		errmsg("filter set: %s: empty path", opt);
		return NULL;
	}
	if (strlen(p) >= PREMOD_PATH_MAX) {
		errmsg("filter set: %s: path longer than %d bytes", opt,
		       PREMOD_PATH_MAX - 1);
		return NULL;
	}
	if (p[0] == '/')
		return strdup(p);
	cwd = getcwd(NULL, 0);
	if (!cwd) {
		errmsg("filter set: %s %s: cannot get the current directory: "
		       "%s", opt, p, strerror(errno));
		return NULL;
	}
	if (asprintf(&out, "%s%s%s", cwd, strcmp(cwd, "/") ? "/" : "", p) < 0)
		out = NULL;
	free(cwd);
	return out;
}

static int put_path_nest(struct nl_msg *msg, int type, char **paths, int n)
{
	struct nlattr *nest;

	if (!n)
		return 0;
	nest = nla_nest_start(msg, type | NLA_F_NESTED);
	if (!nest)
		return -EMSGSIZE;
	for (int i = 0; i < n; i++)
		if (nla_put_string(msg, PREMOD_FA_PATH, paths[i]) < 0)
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int filter_set(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ops", required_argument, NULL, 'o' },
		{ "include", required_argument, NULL, 'i' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "exclude-uid", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char *inc[PREMOD_FILTER_MAX_PATHS], *exc[PREMOD_FILTER_MAX_PATHS];
	uint32_t uids[PREMOD_FILTER_MAX_UIDS], ops = 0;
	int ninc = 0, nexc = 0, nuid = 0, c, ret = 2;
	struct req r = { .what = "SET_FILTER" };
	struct nl_msg *msg = NULL;
	struct ctl ctl = { 0 };

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:i:x:u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (parse_ops(optarg, &ops))
				goto out;
			break;
		case 'i':
		case 'x': {
			char **arr = c == 'i' ? inc : exc;
			int *n = c == 'i' ? &ninc : &nexc;
			const char *o = c == 'i' ? "--include" : "--exclude";

			if (*n == PREMOD_FILTER_MAX_PATHS) {
				errmsg("filter set: at most %d %s paths", 
				       PREMOD_FILTER_MAX_PATHS, o);
				goto out;
			}
			arr[*n] = abs_path(o, optarg);
			if (!arr[*n])
				goto out;
			(*n)++;
			break;
		}
		case 'u':
			if (nuid == PREMOD_FILTER_MAX_UIDS) {
				errmsg("filter set: at most %d --exclude-uid",
				       PREMOD_FILTER_MAX_UIDS);
				goto out;
			}
			if (parse_uid(optarg, &uids[nuid]))
				goto out;
			nuid++;
			break;
		case 'h':
			fputs(usage_filter, stdout);
			ret = 0;
			goto out;
		default:
			fputs(usage_filter, stderr);
			goto out;
		}
	}
	if (optind < argc) {
		errmsg("filter set: unexpected argument '%s'", argv[optind]);
		fputs(usage_filter, stderr);
		goto out;
	}

	ret = 1;
	if (ctl_open(&ctl, false))
		goto out;
	msg = ctl_new(&ctl, PREMOD_CMD_SET_FILTER);
	if (!msg)
		goto nomem;
	if (ops && nla_put_u32(msg, PREMOD_A_FILTER_OPS, ops) < 0)
		goto nomem;
	if (put_path_nest(msg, PREMOD_A_FILTER_INCLUDE, inc, ninc) ||
	    put_path_nest(msg, PREMOD_A_FILTER_EXCLUDE, exc, nexc))
		goto nomem;
	if (nuid) {
		struct nlattr *nest = nla_nest_start(msg,
			PREMOD_A_FILTER_EXCLUDE_UIDS | NLA_F_NESTED);

		if (!nest)
			goto nomem;
		for (int i = 0; i < nuid; i++)
			if (nla_put_u32(msg, PREMOD_FA_UID, uids[i]) < 0)
				goto nomem;
		nla_nest_end(msg, nest);
	}
	ret = ctl_request(&ctl, msg, &r) ? 1 : 0;
	goto out;
nomem:
	errmsg("filter set: the filter does not fit a netlink message");
	nlmsg_free(msg);
out:
	ctl_close(&ctl);
	for (int i = 0; i < ninc; i++)
		free(inc[i]);
	for (int i = 0; i < nexc; i++)
		free(exc[i]);
	return ret;
}

static int cmd_filter(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "show";
	bool json = false;
	struct ctl nl;
	int ret;

	if (argc > 1 && argv[1][0] == '-') {
		sub = "show";
		argc++;		/* options of an implicit "show" */
		argv--;
	}
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 ||
	    strcmp(sub, "help") == 0) {
		fputs(usage_filter, stdout);
		return 0;
	}
	if (strcmp(sub, "show") == 0) {
		for (int i = 2; i < argc; i++) {
			if (strcmp(argv[i], "--json") == 0) {
				json = true;
			} else if (strcmp(argv[i], "--help") == 0 ||
				   strcmp(argv[i], "-h") == 0) {
				fputs(usage_filter, stdout);
				return 0;
			} else {
				errmsg("filter show: unexpected argument '%s'",
				       argv[i]);
				fputs(usage_filter, stderr);
				return 2;
			}
		}
		if (ctl_open(&nl, false))
			return 1;
		ret = filter_show(&nl, json);
		ctl_close(&nl);
		return ret;
	}
	if (strcmp(sub, "set") == 0) {
		for (int i = 2; i < argc; i++)
			if (strcmp(argv[i], "--help") == 0 ||
			    strcmp(argv[i], "-h") == 0) {
				fputs(usage_filter, stdout);
				return 0;
			}
		return filter_set(argc - 1, argv + 1);
	}
	if (strcmp(sub, "clear") == 0) {
		struct req r = { .what = "SET_FILTER" };
		struct nl_msg *msg;

		if (argc > 2) {
			if (strcmp(argv[2], "--help") == 0 ||
			    strcmp(argv[2], "-h") == 0) {
				fputs(usage_filter, stdout);
				return 0;
			}
			errmsg("filter clear: unexpected argument '%s'",
			       argv[2]);
			fputs(usage_filter, stderr);
			return 2;
		}
		if (ctl_open(&nl, false))
			return 1;
		msg = ctl_new(&nl, PREMOD_CMD_SET_FILTER);
		ret = msg && ctl_request(&nl, msg, &r) == 0 ? 0 : 1;
		ctl_close(&nl);
		return ret;
	}
	errmsg("filter: unknown subcommand '%s' (show, set or clear)", sub);
	fputs(usage_filter, stderr);
	return 2;
}

/* register */

static int cmd_register(int argc, char **argv)
{
	struct req r = { .what = "REGISTER" };
	struct nl_msg *msg;
	struct ctl nl;
	int ret;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
			 strcmp(argv[1], "-h") == 0)) {
		fputs(usage_register, stdout);
		return 0;
	}
	if (argc < 3 || strcmp(argv[1], "--exec") != 0) {
		errmsg("register: expected --exec CMD [ARGS...]");
		fputs(usage_register, stderr);
		return 2;
	}
	if (ctl_open(&nl, false))
		return 1;
	msg = ctl_new(&nl, PREMOD_CMD_REGISTER);
	ret = msg ? ctl_request(&nl, msg, &r) : -ENOMEM;
	/* The registration is the process's, not the socket's. */
	ctl_close(&nl);
	if (ret)
		return 1;
	execvp(argv[2], argv + 2);
	errmsg("register: cannot execute '%s': %s", argv[2], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

/* version */

static int cmd_version(int argc, char **argv)
{
	struct ctl nl;
	int ret;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
			 strcmp(argv[1], "-h") == 0)) {
		fputs(usage_version, stdout);
		return 0;
	}
	if (argc > 1) {
		errmsg("version: unexpected argument '%s'", argv[1]);
		fputs(usage_version, stderr);
		return 2;
	}
	printf("premodctl %s (netlink protocol %d)\n", PREMOD_VERSION,
	       PREMOD_GENL_VERSION);
	fflush(stdout);
	ret = ctl_open(&nl, true);
	if (ret == -ENOENT) {
		printf("premod.ko: not loaded\n");
		return 0;
	}
	if (ret)
		return 1;
	printf("premod.ko: loaded (netlink protocol %d)\n", nl.version);
	ctl_close(&nl);
	return 0;
}

/* main */

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "monitor", cmd_monitor, usage_monitor },
	{ "stats", cmd_stats, usage_stats },
	{ "filter", cmd_filter, usage_filter },
	{ "register", cmd_register, usage_register },
	{ "version", cmd_version, usage_version },
};

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		fputs(usage_main, stderr);
		return 2;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		fputs(usage_main, stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0)
		return cmd_version(1, argv + 1);
	if (strcmp(cmd, "help") == 0) {
		if (argc < 3) {
			fputs(usage_main, stdout);
			return 0;
		}
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]);
		     i++)
			if (strcmp(argv[2], commands[i].name) == 0) {
				fputs(commands[i].usage, stdout);
				return 0;
			}
		errmsg("help: unknown command '%s'", argv[2]);
		fputs(usage_main, stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char name[64];

		if (strcmp(cmd, commands[i].name) != 0)
			continue;
		/* getopt names the command in its messages. */
		snprintf(name, sizeof(name), "%s %s", prog, cmd);
		argv[1] = name;
		return commands[i].fn(argc - 1, argv + 1);
	}
	errmsg("unknown command '%s'", cmd);
	fputs(usage_main, stderr);
	return 2;
}
