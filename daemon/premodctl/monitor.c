// SPDX-License-Identifier: MIT
/*
 * premodctl monitor: print events (or the daemon's alerts) as they
 * come; received with recvmsg() into one large buffer and decoded by the
 * daemon's own decoder, so what premodctl shows is what premodd sees.
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
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <jansson.h>

#include "decode.h"
#include "event.h"
#include "event_json.h"
#include "event_text.h"
#include "hostmap.h"
#include <netlink/genl/ctrl.h>

#define RCVBUF_SIZE		(32 << 20)
#define DGRAM_MAX		(1 << 20)

const char usage_monitor[] =
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
	/* names as the initial mount namespace has them (as premodd) */
	struct pm_hostmap *hm;
	struct pm_hostmap_names *names;
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
			if (r == 0 && m->hm &&
			    ev.num[PM_F_OP] != PREMOD_OP_LOST)
				pm_hostmap_apply(m->hm, &ev, m->names);
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

int cmd_monitor(int argc, char **argv)
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
	m.hm = pm_hostmap_new(NULL);
	m.names = malloc(sizeof(*m.names));
	if (!m.line || !m.hm || !m.names) {
		errmsg("out of memory");
		free(m.line);
		pm_hostmap_free(m.hm);
		free(m.names);
		goto fail;
	}
	ret = pm_hostmap_refresh(m.hm);
	if (ret < 0)
		errmsg("cannot read /proc/1/mountinfo (%s): paths stay as the "
		       "acting tasks named them", strerror(-ret));
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
	pm_hostmap_free(m.hm);
	free(m.names);
	ctl_close(&nl);
	close(sfd);
	return ret;
fail:
	ctl_close(&nl);
	close(sfd);
	return 1;
}
