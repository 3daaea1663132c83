/* SPDX-License-Identifier: MIT */
/*
 * sinkset.h - the sinks premodd's configuration enables, as one set: open
 * and start them, fan a record out to all (each takes its own reference,
 * none blocks), pass on reloads and reopen requests, stop them draining.
 */
#ifndef PREMOD_DAEMON_SINKSET_H
#define PREMOD_DAEMON_SINKSET_H

#include <stddef.h>

#include "config.h"
#include "sink.h"

enum { SINKSET_JOURNAL, SINKSET_JOURNALD, SINKSET_SYSLOG, SINKSET_STDOUT,
       SINKSET_ALERTS, SINKSET_MAX };

struct sinkset {
	struct sink sinks[SINKSET_MAX];
	struct sink *active[SINKSET_MAX];	/* started, in this order */
	size_t n;
};

/*
 * Starts every sink cfg enables; on the first failure (logged, with how to
 * disable that sink; config_path names the file) stops those started and
 * returns -errno.
 */
int sinkset_open(struct sinkset *ss, const struct config *cfg,
		 const char *config_path, const char *host);
/* engine_emit_fn: queues r in every sink whose output it names. */
void sinkset_emit(struct record *r, void *arg);
/* Host and generation of the sinks' own `lost` records, after a reload. */
void sinkset_set_ctx(struct sinkset *ss, const char *host,
		     uint64_t generation);
void sinkset_reopen(struct sinkset *ss);
/* Drains and stops every sink. */
void sinkset_stop(struct sinkset *ss);

#endif /* PREMOD_DAEMON_SINKSET_H */
