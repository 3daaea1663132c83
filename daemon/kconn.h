/* SPDX-License-Identifier: MIT */
/*
 * kconn.h - premodd's connection to the premod module: the control socket
 * (REGISTER, SET_FILTER, presence checks) and the events socket the
 * receiver reads.
 *
 * Connecting is always REGISTER, SET_FILTER, then joining "events", so
 * premodd's own operations and unfiltered events never reach it. When the
 * module goes away (unloaded, or replaced by a new instance) premodd keeps
 * running, sinks and all: kconn_check() notices within a check period and
 * connects again once the family is back, restarting the receiver's
 * sequence tracking for the new instance.
 */
#ifndef PREMOD_DAEMON_KCONN_H
#define PREMOD_DAEMON_KCONN_H

#include <stdbool.h>

#include "genl.h"
#include "policy.h"
#include "receiver.h"
#include "stats.h"

struct kconn {
	struct pm_genl ctrl;
	struct pm_genl events;
	bool connected;
	struct stats *stats;
	struct receiver *rx;		/* NULL until the receiver exists */
	const struct policy_prefilter *pf;	/* the caller's, current */
};

enum kconn_change {
	KCONN_SAME,
	KCONN_LOST,		/* the module went away */
	KCONN_RECONNECTED,
};

/*
 * Opens both sockets and connects. -ENOENT: module not loaded; -EPERM:
 * missing CAP_NET_ADMIN; other -errno. Every failure is logged with what
 * to do about it.
 */
int kconn_open(struct kconn *k, unsigned int rcvbuf,
	       const struct policy_prefilter *pf, struct stats *stats);
/* Unregisters (when connected) and closes. */
void kconn_close(struct kconn *k);
/* Pushes k->pf, falling back to an ops-only filter if the kernel refuses
 * its subtrees (a watched path that does not exist). */
int kconn_push_filter(struct kconn *k);
/*
 * The prefilter premodd pushes for policy p: policy_prefilter() with each
 * include that does not exist on this machine (the kernel refuses those)
 * replaced by its nearest existing ancestor, so one missing directory
 * (say /root/.ssh) widens only its own branch, not the whole filter.
 */
int kconn_derive_prefilter(const struct policy *p, struct policy_prefilter *pf);
/* Periodic: is the module still there, the same instance? Reconnects. */
enum kconn_change kconn_check(struct kconn *k);

#endif /* PREMOD_DAEMON_KCONN_H */
