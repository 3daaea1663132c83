/* SPDX-License-Identifier: MIT */
/*
 * genl.h - a small libmnl client of the premod generic netlink family.
 *
 * One struct pm_genl is one netlink socket used by one thread. premodd uses
 * three: a control socket (REGISTER, SET_FILTER, GET_STATS, family
 * checks), the events socket the receiver reads, and the alerts sink's
 * PUBLISH socket, so multicast traffic never interleaves with replies.
 *
 * Every request asks for an ack; a failure returns -errno and keeps the
 * kernel's extended ack text (pm_genl_error()) so messages can say why.
 */
#ifndef PREMOD_DAEMON_GENL_H
#define PREMOD_DAEMON_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "premod.h"

struct mnl_socket;

struct pm_genl {
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
 * pm_genl_resolve(). Other -errno: the socket itself failed.
 */
int pm_genl_open(struct pm_genl *g);
void pm_genl_close(struct pm_genl *g);
int pm_genl_fd(const struct pm_genl *g);
/* (Re)resolves family id, version and group ids; -ENOENT when gone. */
int pm_genl_resolve(struct pm_genl *g);
/* The family's id as the controller reports it now (no state change);
 * -ENOENT when gone. */
int pm_genl_family_id(struct pm_genl *g, uint16_t *id);

int pm_genl_join(struct pm_genl *g, uint32_t group);
int pm_genl_leave(struct pm_genl *g, uint32_t group);
/* SO_RCVBUFFORCE, falling back to SO_RCVBUF (*forced = false). Sets
 * *actual to what the kernel granted (doubled, as getsockopt reports). */
int pm_genl_set_rcvbuf(struct pm_genl *g, int bytes, bool *forced, int *actual);
/* NETLINK_BROADCAST_ERROR: the module learns when our buffer overflowed
 * (ENOBUFS) and reports the batch as lost instead of counting it as
 * undelivered to nobody. */
int pm_genl_set_broadcast_error(struct pm_genl *g);

int pm_genl_register(struct pm_genl *g);
int pm_genl_unregister(struct pm_genl *g);
/*
 * SET_FILTER: replaces the module's prefilter as a whole. ops: bit
 * (1 << PREMOD_OP_x) per op to report, 0 for every op; include: absolute
 * directory paths (at most PREMOD_FILTER_MAX_PATHS) outside which nothing
 * is reported, n_include 0 for everywhere. ops 0 and no include clears it.
 * The kernel refuses a directory that does not exist (-ENOENT).
 */
int pm_genl_set_filter(struct pm_genl *g, uint32_t ops,
		       const char *const *include, size_t n_include);
/* stats[i] for enum premod_stat i, n = PREMOD_STAT_MAX + 1 entries. */
int pm_genl_get_stats(struct pm_genl *g, uint64_t *stats, size_t n);
int pm_genl_publish(struct pm_genl *g, const char *json, size_t len, uint64_t seq);

/* Extended ack text of the last failed request ("" if none). */
const char *pm_genl_error(const struct pm_genl *g);

#endif /* PREMOD_DAEMON_GENL_H */
