/* SPDX-License-Identifier: MIT */
/*
 * genl.h - a small libmnl client of the premod generic netlink family.
 *
 * One struct genl is one netlink socket used by one thread. premodd uses
 * three: a control socket (REGISTER, SET_FILTER, GET_STATS, family
 * checks), the events socket the receiver reads, and the alerts sink's
 * PUBLISH socket, so multicast traffic never interleaves with replies.
 *
 * Every request asks for an ack; a failure returns -errno and keeps the
 * kernel's extended ack text (genl_error()) so messages can say why.
 */
#ifndef PREMOD_DAEMON_GENL_H
#define PREMOD_DAEMON_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "premod.h"
#include "policy.h"

struct mnl_socket;

struct genl {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;	/* 0: not resolved */
	uint32_t version;	/* family version the controller reports */
	uint32_t grp_events, grp_alerts;	/* 0: group absent */
	char *buf;
	size_t buflen;
	char err[256];		/* extended ack of the last failure, or "" */
};

/*
 * Opens the socket and resolves the family. -ENOENT: the family does not
 * exist (module not loaded); the socket is then still usable for a later
 * genl_resolve(). Other -errno: the socket itself failed.
 */
int genl_open(struct genl *g);
void genl_close(struct genl *g);
int genl_fd(const struct genl *g);
/* (Re)resolves family id, version and group ids; -ENOENT when gone. */
int genl_resolve(struct genl *g);
/* The family's id as the controller reports it now (no state change);
 * -ENOENT when gone. */
int genl_family_id(struct genl *g, uint16_t *id);

int genl_join(struct genl *g, uint32_t group);
int genl_leave(struct genl *g, uint32_t group);
/* SO_RCVBUFFORCE, falling back to SO_RCVBUF (*forced = false). Sets
 * *actual to what the kernel granted (doubled, as getsockopt reports). */
int genl_set_rcvbuf(struct genl *g, int bytes, bool *forced, int *actual);
/* NETLINK_BROADCAST_ERROR: the module learns when our buffer overflowed
 * (ENOBUFS) and reports the batch as lost instead of counting it as
 * undelivered to nobody. */
int genl_set_broadcast_error(struct genl *g);

int genl_register(struct genl *g);
int genl_unregister(struct genl *g);
/* Pushes the prefilter (NULL = clear): ops mask, include list unless
 * include_all. */
int genl_set_filter(struct genl *g, const struct policy_prefilter *pf);
/* stats[i] for enum premod_stat i, n = PREMOD_STAT_MAX + 1 entries. */
int genl_get_stats(struct genl *g, uint64_t *stats, size_t n);
int genl_publish(struct genl *g, const char *json, size_t len, uint64_t seq);

/* Extended ack text of the last failed request ("" if none). */
const char *genl_error(const struct genl *g);

#endif /* PREMOD_DAEMON_GENL_H */
