// SPDX-License-Identifier: MIT
/*
 * sinkset.c - premodd's set of sinks. See sinkset.h.
 */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "sink_alerts.h"
#include "sinkset.h"

static const char *const disable_flag[SINKSET_MAX] = {
	[SINKSET_JOURNAL] = "--no-journal",
	[SINKSET_JOURNALD] = "--no-journald",
	[SINKSET_SYSLOG] = "--no-syslog",
	[SINKSET_STDOUT] = "leaving out --stdout",
	[SINKSET_ALERTS] = "--no-alerts",
};

/* 0 when started or disabled, -errno on failure (logged). */
static int open_one(struct sinkset *ss, int which, const struct config *cfg,
		    const char *config_path, const char *host)
{
	const struct sink_ops *ops = NULL;
	struct record_ctx ctx = { .host = host, .generation = 1 };
	struct journal_config jc;
	struct syslog_config sc;
	void *priv = NULL;
	int ret = 0;

	switch (which) {
	case SINKSET_JOURNAL:
		if (!cfg->journal.enabled)
			return 0;
		jc.path = cfg->journal.path;
		jc.sync = cfg->journal.sync;
		jc.sync_interval_ms = cfg->journal.interval_ms;
		jc.ecs = cfg->journal.ecs == 1;
		ops = &sink_journal_ops;
		ret = sink_journal_open(&jc, &priv);
		break;
	case SINKSET_JOURNALD:
		if (!cfg->journald.enabled)
			return 0;
		ops = &sink_journald_ops;
		ret = sink_journald_open(&priv);
		break;
	case SINKSET_SYSLOG:
		if (!cfg->syslog.enabled)
			return 0;
		sc.facility = cfg->syslog.facility;
		sc.ident = "premodd";
		sc.format = (enum syslog_format)cfg->syslog.format;
		sc.socket = cfg->syslog.socket;
		sc.sd_id = cfg->syslog.sd_id;
		ops = &sink_syslog_ops;
		ret = sink_syslog_open(&sc, &priv);
		break;
	case SINKSET_STDOUT:
		if (!cfg->out.enabled)
			return 0;
		ops = &sink_stdout_ops;
		ret = sink_stdout_open(cfg->out.format, &priv);
		break;
	case SINKSET_ALERTS:
		if (!cfg->alerts.enabled)
			return 0;
		ops = &sink_alerts_ops;
		ret = sink_alerts_open(&priv);
		break;
	default:
		return -EINVAL;
	}
	if (ret < 0) {
		log_msg(LOG_ERR, "cannot open the %s sink%s%s: %s (disable it "
				 "in %s or with %s)",
			ops->name, which == SINKSET_JOURNAL ? " " : "",
			which == SINKSET_JOURNAL ? cfg->journal.path : "",
			strerror(-ret), config_path, disable_flag[which]);
		return ret;
	}
	sink_set_ctx(&ss->sinks[which], &ctx);
	ret = sink_start(&ss->sinks[which], ops, priv, cfg->sink_queue_size);
	if (ret < 0) {
		struct sink tmp = { .ops = ops, .priv = priv };

		if (ops->close)
			ops->close(&tmp);
		log_msg(LOG_ERR, "cannot start the %s sink: %s", ops->name,
			strerror(-ret));
		return ret;
	}
	ss->active[ss->n++] = &ss->sinks[which];
	return 0;
}

int sinkset_open(struct sinkset *ss, const struct config *cfg,
		 const char *config_path, const char *host)
{
	int i, ret;

	memset(ss, 0, sizeof(*ss));
	for (i = 0; i < SINKSET_MAX; i++) {
		ret = open_one(ss, i, cfg, config_path, host);
		if (ret < 0) {
			sinkset_stop(ss);
			return ret;
		}
	}
	return 0;
}

void sinkset_emit(struct record *r, void *arg)
{
	struct sinkset *ss = arg;
	size_t i;

	for (i = 0; i < ss->n; i++)
		sink_submit(ss->active[i], r);
}

void sinkset_set_ctx(struct sinkset *ss, const char *host,
		     uint64_t generation)
{
	struct record_ctx ctx = { .host = host, .generation = generation };
	size_t i;

	for (i = 0; i < ss->n; i++)
		sink_set_ctx(ss->active[i], &ctx);
}

void sinkset_reopen(struct sinkset *ss)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		sink_request_reopen(ss->active[i]);
}

void sinkset_stop(struct sinkset *ss)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		sink_stop(ss->active[i]);
}
