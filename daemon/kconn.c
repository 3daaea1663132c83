// SPDX-License-Identifier: MIT
/*
 * kconn.c - connecting premodd to the premod module. See kconn.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "kconn.h"
#include "log.h"

static const char *ack(const struct pm_genl *g)
{
	return *pm_genl_error(g) ? pm_genl_error(g) : "";
}

/* NULL clears it; include_all sends no subtrees */
static int set_filter(struct kconn *k, const struct policy_prefilter *pf)
{
	if (!pf)
		return pm_genl_set_filter(&k->ctrl, 0, NULL, 0);
	return pm_genl_set_filter(&k->ctrl, pf->ops,
				  (const char *const *)pf->include,
				  pf->include_all ? 0 : pf->n_include);
}

int kconn_push_filter(struct kconn *k)
{
	struct policy_prefilter wide;
	int ret = set_filter(k, k->pf);

	if (ret == 0)
		return 0;
	log_msg(LOG_WARNING, "the kernel refused the prefilter: %s%s%s",
		strerror(-ret), *ack(&k->ctrl) ? ": " : "", ack(&k->ctrl));
	if (!k->pf || k->pf->include_all)
		return ret;
	/* wider, never narrower: nothing the policy needs is filtered out */
	wide = *k->pf;
	wide.include_all = true;
	wide.n_include = 0;
	ret = set_filter(k, &wide);
	if (ret == 0)
		log_msg(LOG_WARNING, "pushed a wider prefilter (ops only, "
				     "every subtree) instead");
	else
		log_msg(LOG_ERR, "the kernel refused the wider prefilter "
				 "too: %s", strerror(-ret));
	return ret;
}

static bool dir_exists(const char *path, void *arg)
{
	struct stat st;

	(void)arg;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int kconn_derive_prefilter(const struct policy *p, struct policy_prefilter *pf)
{
	int ret = policy_prefilter(p, pf);

	if (ret == 0)
		ret = policy_prefilter_resolve(pf, dir_exists, NULL);
	if (ret < 0)
		policy_prefilter_free(pf);
	return ret;
}

/* REGISTER, SET_FILTER, join: in that order, see kconn.h. */
static int attach(struct kconn *k)
{
	int ret = pm_genl_register(&k->ctrl);

	if (ret == -EPERM) {
		log_msg(LOG_ERR, "the premod module refused REGISTER: it needs "
				 "CAP_NET_ADMIN (run premodd as root)");
		return ret;
	}
	if (ret < 0) {
		log_msg(LOG_ERR, "REGISTER with the premod module failed: "
				 "%s%s%s", strerror(-ret),
			*ack(&k->ctrl) ? ": " : "", ack(&k->ctrl));
		return ret;
	}
	kconn_push_filter(k);
	k->events.family = k->ctrl.family;
	k->events.grp_events = k->ctrl.grp_events;
	/* a new instance numbers its events from the start again */
	if (k->rx)
		receiver_restart(k->rx, k->ctrl.family);
	ret = pm_genl_join(&k->events, k->ctrl.grp_events);
	if (ret == -EPERM || ret == -EACCES) {
		log_msg(LOG_ERR, "joining the premod \"events\" group needs "
				 "CAP_NET_ADMIN (run premodd as root)");
		return -EPERM;
	}
	if (ret < 0) {
		log_msg(LOG_ERR, "cannot join the premod \"events\" group: %s",
			strerror(-ret));
		return ret;
	}
	k->connected = true;
	atomic_store(&k->stats->connected, true);
	return 0;
}

int kconn_open(struct kconn *k, unsigned int rcvbuf,
	       const struct policy_prefilter *pf, struct stats *stats)
{
	bool forced;
	int actual = 0, ret;

	memset(k, 0, sizeof(*k));
	k->pf = pf;
	k->stats = stats;
	ret = pm_genl_open(&k->ctrl);
	if (ret == -ENOENT) {
		log_msg(LOG_ERR, "the premod kernel module is not loaded "
				 "(generic netlink family \"%s\" not found); "
				 "load it with: modprobe premod",
			PREMOD_GENL_NAME);
		goto err;
	}
	if (ret < 0) {
		log_msg(LOG_ERR, "cannot open a generic netlink socket: %s",
			strerror(-ret));
		return ret;
	}
	if (k->ctrl.version && k->ctrl.version != PREMOD_GENL_VERSION) {
		log_msg(LOG_ERR, "the premod kernel module speaks protocol "
				 "version %u, this premodd speaks %d: install "
				 "matching versions of the module and premodd",
			k->ctrl.version, PREMOD_GENL_VERSION);
		ret = -EPROTO;
		goto err;
	}
	if (!k->ctrl.grp_events) {
		log_msg(LOG_ERR, "the premod family has no \"%s\" group: "
				 "module and premodd do not match",
			PREMOD_MCGRP_EVENTS);
		ret = -EPROTO;
		goto err;
	}
	ret = pm_genl_open(&k->events);
	if (ret < 0) {
		log_msg(LOG_ERR, "cannot open the events socket: %s",
			strerror(-ret));
		goto err;
	}
	if (pm_genl_set_broadcast_error(&k->events) < 0)
		log_msg(LOG_WARNING, "NETLINK_BROADCAST_ERROR: %s; the module "
				     "will not learn of our overruns",
			strerror(errno));
	ret = pm_genl_set_rcvbuf(&k->events, (int)rcvbuf, &forced, &actual);
	if (ret < 0)
		log_msg(LOG_WARNING, "cannot size the events socket's receive "
				     "buffer: %s", strerror(-ret));
	else if (!forced)
		log_msg(LOG_WARNING, "SO_RCVBUFFORCE refused (needs "
				     "CAP_NET_ADMIN); the receive buffer is "
				     "%d bytes (net.core.rmem_max): expect "
				     "losses under bursts", actual);
	ret = attach(k);
	if (ret < 0)
		goto err;
	return 0;
err:
	pm_genl_close(&k->events);
	pm_genl_close(&k->ctrl);
	return ret;
}

void kconn_close(struct kconn *k)
{
	if (k->connected)
		pm_genl_unregister(&k->ctrl);
	k->connected = false;
	pm_genl_close(&k->events);
	pm_genl_close(&k->ctrl);
}

enum kconn_change kconn_check(struct kconn *k)
{
	enum kconn_change change = KCONN_SAME;
	uint16_t id = 0;
	int ret = pm_genl_family_id(&k->ctrl, &id);

	if (k->connected && ret == 0 && id == k->ctrl.family)
		return KCONN_SAME;
	if (k->connected) {
		k->connected = false;
		atomic_store(&k->stats->connected, false);
		log_msg(LOG_ERR, "the premod kernel module went away%s; sinks "
				 "stay up, premodd reconnects when it is back",
			ret == 0 ? " (replaced by a new instance)" : "");
		change = KCONN_LOST;
	}
	if (ret < 0 || pm_genl_resolve(&k->ctrl) < 0 || attach(k) < 0)
		return change;
	stats_inc(&k->stats->reconnects, 1);
	log_msg(LOG_NOTICE, "reconnected to the premod kernel module");
	return KCONN_RECONNECTED;
}
