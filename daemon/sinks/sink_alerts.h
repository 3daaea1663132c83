/* SPDX-License-Identifier: MIT */
/*
 * sink_alerts.h - the "alerts" sink: republishes records through the
 * module (PREMOD_CMD_PUBLISH) on the "alerts" multicast group, so
 * dashboards can subscribe to policy-matched records
 * (`premodctl monitor --alerts`). Only the registered daemon may publish.
 *
 * Which records: the matches of rules whose "outputs" name "alerts" (all
 * rules without "outputs") and their `suppressed` summaries, and every
 * `lost` record, so a dashboard that sees only this group still learns when
 * it saw less than everything. Consumers tell them apart by "kind".
 */
#ifndef PREMOD_DAEMON_SINK_ALERTS_H
#define PREMOD_DAEMON_SINK_ALERTS_H

#include "sink.h"

extern const struct sink_ops sink_alerts_ops;
/* Opens its own netlink socket; the module need not be loaded yet (the
 * sink resolves the family again when it appears). */
int sink_alerts_open(void **priv);

#endif /* PREMOD_DAEMON_SINK_ALERTS_H */
