/* SPDX-License-Identifier: MIT */
/*
 * receiver.h - the thread that reads the "events" group.
 *
 * It only reads, decodes and enqueues: batched reads (recvmmsg) from a
 * socket with a large receive buffer, one queue item per event, loss
 * attributed by seqtrack and queued in stream order. It never waits for
 * the evaluator (a full queue drops and counts) and never logs per event.
 *
 * The socket is the caller's (struct pm_genl already joined to the group);
 * on a reconnect the main thread joins the new group and calls
 * receiver_restart() so the sequence tracking starts afresh.
 */
#ifndef PREMOD_DAEMON_RECEIVER_H
#define PREMOD_DAEMON_RECEIVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "evqueue.h"
#include "genl.h"
#include "hostmap.h"
#include "seqtrack.h"
#include "stats.h"

#define RECEIVER_VLEN 8			/* datagrams per recvmmsg */
#define RECEIVER_DGRAM (64 * 1024)	/* bytes per datagram buffer */

struct receiver {
	int fd;
	struct evq *q;
	struct stats *stats;
	struct seqtrack st;
	_Atomic uint16_t family;
	_Atomic bool stop;
	_Atomic bool restart;
	int wake_fd;			/* eventfd: stop */
	pthread_t thread;
	bool running;
	unsigned char *buf;		/* RECEIVER_VLEN * RECEIVER_DGRAM */
	uint64_t decode_logged;
	/* host names: path/path2/exe as the initial mount namespace has them */
	struct pm_hostmap *hm;
	struct pm_hostmap_names *names;
	uint64_t hostmap_logged;
};

int receiver_init(struct receiver *r, int fd, uint16_t family,
		  struct evq *q, struct stats *stats);
int receiver_start(struct receiver *r);
/* Stops reading, reports gaps still held, returns when the thread ended. */
void receiver_stop(struct receiver *r);
void receiver_destroy(struct receiver *r);
/* New module instance (family id may differ): restart seq tracking. */
void receiver_restart(struct receiver *r, uint16_t family);

/* One datagram, as the thread handles it (tests feed crafted buffers). */
void receiver_datagram(struct receiver *r, const void *buf, size_t len,
		       uint64_t now_ns);

/*
 * Map paths with the mount table @mountinfo (NULL: /proc/1/mountinfo)
 * from now on; without it, events keep the task's names. 0 or -ENOMEM.
 */
int receiver_hostmap(struct receiver *r, const char *mountinfo);

#endif /* PREMOD_DAEMON_RECEIVER_H */
