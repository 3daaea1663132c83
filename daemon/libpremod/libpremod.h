/* SPDX-License-Identifier: MIT */
/*
 * libpremod.h - the client library of premod.ko: connect to the module,
 * subscribe to its events, decode them and render them. premodd and
 * premodctl are built on it; so can any other consumer, without copying
 * code. `pkg-config --cflags --libs premod` gives the flags:
 *
 *	#include <premod/libpremod.h>
 *	cc prog.c $(pkg-config --cflags --libs premod)
 *
 * What is where (each header documents its functions):
 *
 *   premod.h      the wire contract: commands, attributes, ops, the loss
 *                 semantics, multicast groups (the module's uapi header)
 *   genl.h        struct pm_genl, one generic netlink socket: pm_genl_open()
 *                 resolves the family and its groups, pm_genl_join() a group,
 *                 pm_genl_register/_set_filter/_get_stats/_publish requests
 *   decode.h      pm_nl_iter over a received datagram, pm_decode_event()
 *                 into a struct pm_event (zero copy), pm_decode_alert()
 *   event.h       struct pm_event: fields by enum pm_field, their names and
 *                 kinds (pm_fields[]), op names (pm_op_name/pm_op_lookup)
 *   event_text.h  the one-line human form (`premodctl monitor`)
 *
 * Conventions: functions return 0 or a negative errno; nothing allocates
 * on the receive path (a decoded event points into the caller's receive
 * buffer and lives as long as it); a struct pm_genl belongs to one thread.
 * The library knows nothing of policies or record sinks: those are
 * premodd's.
 *
 * A complete consumer (examples/monitor.c in the source tree):
 *
 *	struct pm_genl g;
 *	static char buf[PREMOD_BATCH_MAX];	// at least one batch
 *	int ret = pm_genl_open(&g);		// -ENOENT: module not loaded
 *	pm_genl_set_broadcast_error(&g);	// overruns reported in-band
 *	pm_genl_join(&g, g.grp_events);		// needs CAP_NET_ADMIN
 *	for (;;) {
 *		ssize_t n = recv(pm_genl_fd(&g), buf, sizeof(buf), 0);
 *		struct pm_nl_iter it;
 *		const struct nlmsghdr *nlh;
 *		struct pm_event ev;
 *
 *		pm_nl_iter_init(&it, buf, n);
 *		while (pm_nl_iter_next(&it, &nlh, NULL, 0) > 0)
 *			if (pm_decode_event(nlh, g.family, &ev, NULL, 0) == 0)
 *				pm_text_event(stdout, &ev);
 *	}
 *
 * Loss: a consumer sees every loss either as a PREMOD_OP_LOST event (its
 * count and sequence range in PM_F_LOST_*) or as a gap in PM_F_SEQ, and
 * recv() failing with ENOBUFS when its own socket buffer overflowed; see
 * premod.h's top comment.
 *
 * Versioning: the shared library's soname changes when an existing
 * function or struct changes incompatibly; additions keep it.
 * PREMOD_GENL_VERSION (premod.h) is the wire protocol's version; after
 * pm_genl_open(), g.version is the loaded module's, to compare with it.
 */
#ifndef LIBPREMOD_H
#define LIBPREMOD_H

#define LIBPREMOD_VERSION_MAJOR 0
#define LIBPREMOD_VERSION_MINOR 1
#define LIBPREMOD_VERSION_PATCH 0

#include "premod.h"
#include "event.h"
#include "decode.h"
#include "genl.h"
#include "event_text.h"

/* The library's version as built ("0.1.0"), which may differ from the
 * LIBPREMOD_VERSION_* a program was compiled with. */
const char *pm_library_version(void);

#endif /* LIBPREMOD_H */
