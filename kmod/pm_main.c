// SPDX-License-Identifier: GPL-2.0
/*
 * premod.ko: pre-modify filesystem events over generic netlink.
 *
 * Load order: buffers, capture scratch, drain, netlink family, and only
 * then the kprobes, so a hook never sees a half-built module. Unload runs
 * it backwards: kprobes first (one batch, waiting out running handlers),
 * then the drain (a last send; what cannot go is DROP_UNLOAD), the family,
 * the filter's path references and the daemon's pid, the buffers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sizes.h>

#include "pm_capture.h"
#include "pm_drain.h"
#include "pm_filter.h"
#include "pm_genl.h"
#include "pm_internal.h"
#include "pm_ring.h"

static unsigned int buffer_size = SZ_512K;
module_param(buffer_size, uint, 0444);
MODULE_PARM_DESC(buffer_size,
		 "bytes of event buffer per CPU, rounded up to a power of two, 16 KiB..64 MiB (default 512 KiB)");

DEFINE_PER_CPU(struct pm_stats, pm_stats);
struct pid __rcu *pm_daemon;

static u64 sum(size_t off)
{
	u64 v = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		v += *(u64 *)((char *)per_cpu_ptr(&pm_stats, cpu) + off);
	return v;
}

u64 pm_stat_hits(enum pm_hook_id h)
{
	return sum(offsetof(struct pm_stats, hits[h]));
}

u64 pm_stat_sum(enum premod_stat s)
{
	u64 v;
	int h;

	switch (s) {
	case PREMOD_STAT_BUFFER_BYTES:
		return pm_ring_size();
	case PREMOD_STAT_KPROBE_MISSED:
		/* Re-entry our own guard refused is a miss of the same kind. */
		v = sum(offsetof(struct pm_stats, reentry));
		for (h = 0; h < PM_HOOK_N; h++)
			v += pm_hook_nmissed(h);
		return v;
	default:
		return sum(offsetof(struct pm_stats, v[s]));
	}
}

static int __init pm_init(void)
{
	int err;

	if (buffer_size < SZ_16K || buffer_size > SZ_64M) {
		pr_err("buffer_size=%u is outside 16 KiB..64 MiB\n",
		       buffer_size);
		return -EINVAL;
	}
	err = pm_ring_init(buffer_size);
	if (err)
		goto fail;
	err = pm_capture_init();
	if (err)
		goto fail_ring;
	err = pm_drain_init();
	if (err)
		goto fail_capture;
	err = pm_genl_init();
	if (err) {
		pr_err("cannot register generic netlink family \"%s\" (%d)\n",
		       PREMOD_GENL_NAME, err);
		goto fail_drain;
	}
	err = pm_hooks_init();
	if (err)
		goto fail_genl;
	pr_info("loaded: %u bytes of buffer per CPU, genl family \"%s\" v%d\n",
		pm_ring_size(), PREMOD_GENL_NAME, PREMOD_GENL_VERSION);
	return 0;

fail_genl:
	/*
	 * As at unload: the family was up, so a caller may have set a filter
	 * or registered; the drain's last send needs the family.
	 */
	pm_drain_exit();
	pm_genl_exit();
	pm_filter_exit();
	put_pid(rcu_replace_pointer(pm_daemon, NULL, true));
	goto fail_capture;
fail_drain:
	pm_drain_exit();
fail_capture:
	pm_capture_exit();
fail_ring:
	pm_ring_exit();
fail:
	if (err == -ENOMEM)
		pr_err("out of memory for %u bytes of buffer per CPU; try a smaller buffer_size\n",
		       buffer_size);
	return err;
}

static void __exit pm_exit(void)
{
	struct pid *daemon;

	/* Sequenced before the last events; the final drain sends it. */
	pm_cap_config(PREMOD_CONFIG_UNLOAD, NULL);
	pm_hooks_exit();
	pm_drain_exit();
	pm_genl_exit();
	pm_filter_exit();
	daemon = rcu_replace_pointer(pm_daemon, NULL, true);
	put_pid(daemon);	/* no hook left to look at it */
	pm_capture_exit();
	pm_ring_exit();
	pr_info("unloaded: %llu events captured, %llu sent, %llu lost (buffer full %llu, send %llu, no listener %llu, unload %llu)\n",
		pm_stat_sum(PREMOD_STAT_CAPTURED), pm_stat_sum(PREMOD_STAT_SENT),
		pm_stat_sum(PREMOD_STAT_DROP_BUFFER_FULL) +
		pm_stat_sum(PREMOD_STAT_DROP_TOO_BIG) +
		pm_stat_sum(PREMOD_STAT_DROP_ALLOC) +
		pm_stat_sum(PREMOD_STAT_DROP_SEND) +
		pm_stat_sum(PREMOD_STAT_DROP_NO_LISTENER) +
		pm_stat_sum(PREMOD_STAT_DROP_UNLOAD),
		pm_stat_sum(PREMOD_STAT_DROP_BUFFER_FULL),
		pm_stat_sum(PREMOD_STAT_DROP_SEND),
		pm_stat_sum(PREMOD_STAT_DROP_NO_LISTENER),
		pm_stat_sum(PREMOD_STAT_DROP_UNLOAD));
}

module_init(pm_init);
module_exit(pm_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("premod: pre-modify filesystem events over generic netlink");
MODULE_VERSION("0.1");
