// SPDX-License-Identifier: MIT
/*
 * sink_alerts.c - PUBLISH records to the "alerts" group. See sink_alerts.h.
 *
 * Runs on its own sink thread with its own socket, so a PUBLISH waiting
 * for its ack never delays the receiver or another sink. When the module
 * is gone the writes fail (counted by sink.c) and the family is resolved
 * again, at most every few seconds, until it is back.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "genl.h"
#include "sink_alerts.h"

#define RESOLVE_INTERVAL_NS (2ULL * 1000000000ULL)

struct alerts {
	struct pm_genl g;
	bool sock_ok;
	uint64_t next_resolve_ns;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int sink_alerts_open(void **priv)
{
	struct alerts *a = calloc(1, sizeof(*a));
	int ret;

	if (!a)
		return -ENOMEM;
	ret = pm_genl_open(&a->g);
	if (ret < 0 && ret != -ENOENT) {
		free(a);
		return ret;
	}
	a->sock_ok = true;
	*priv = a;
	return 0;
}

static int alerts_write(struct sink *s, const struct record *r)
{
	struct alerts *a = s->priv;
	int ret;

	if (!a->g.family) {
		uint64_t now = mono_ns();

		if (now < a->next_resolve_ns)
			return -ENOTCONN;
		a->next_resolve_ns = now + RESOLVE_INTERVAL_NS;
		if (pm_genl_resolve(&a->g) < 0)
			return -ENOTCONN;
	}
	ret = pm_genl_publish(&a->g, r->json, r->json_len, r->seq);
	/*
	 * The family went away or was replaced (module reloaded): look it up
	 * again at once and retry this record, so a reload costs nothing
	 * when the new module is already there.
	 */
	if (ret == -ENOENT || ret == -EOPNOTSUPP || ret == -EINVAL) {
		a->g.family = 0;
		a->next_resolve_ns = mono_ns() + RESOLVE_INTERVAL_NS;
		if (pm_genl_resolve(&a->g) == 0)
			ret = pm_genl_publish(&a->g, r->json, r->json_len,
					   r->seq);
	}
	/* nobody subscribed to the group is not a failure of this sink */
	if (ret == -ESRCH)
		return 0;
	return ret;
}

static void alerts_close(struct sink *s)
{
	struct alerts *a = s->priv;

	if (!a)
		return;
	pm_genl_close(&a->g);
	free(a);
	s->priv = NULL;
}

const struct sink_ops sink_alerts_ops = {
	.name = "alerts",
	.output = POLICY_OUT_ALERTS,
	.write = alerts_write,
	.close = alerts_close,
};
