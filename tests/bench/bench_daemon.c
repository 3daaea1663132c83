// SPDX-License-Identifier: MIT
/*
 * bench_daemon - premodd's userspace pipeline without a kernel: how many
 * events per second one core takes from a netlink datagram to a line in
 * the JSONL journal, and how much memory it needs.
 *
 * The datagrams are built as premod.ko builds them (batches of generic
 * netlink messages of at most PREMOD_BATCH_MAX bytes, every attribute a
 * real create or unlink carries) and handed to the receiver's per-datagram
 * path (receiver_datagram: decode, sequence tracking, queueing), then the
 * evaluator thread (policy, record rendering) and the journal sink's
 * thread (JSON line, write(2) to a file on disk) do what they do in
 * premodd. Only recvmmsg() is left out. The feeder waits while the queues
 * are more than half full, so nothing is lost and every event is judged.
 *
 * Two workloads against the same 1000-rule policy: "none" (no rule matches:
 * the daemon's cost for events the prefilter let through) and "all" (one
 * more rule matches every event: a record per event, the journal's cost).
 * Per workload it prints events/s per CPU-second (all threads' CPU time:
 * the cost per core) and per wall second, and at the end the process's
 * peak RSS. Never fails on speed: the numbers are the result.
 *
 * Usage: bench_daemon [EVENTS] [RULES]   (defaults 400000, 1000)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "engine.h"
#include "evqueue.h"
#include "policy.h"
#include "premod.h"
#include "receiver.h"
#include "sink.h"
#include "stats.h"

#define FAMILY 0x1c

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *policy_text(int nrules, int match_all)
{
	size_t cap = (size_t)nrules * 256 + 1024, len = 0;
	char *s = malloc(cap);

	if (!s)
		abort();
	len += (size_t)snprintf(s + len, cap - len, "{\"version\":1,\"rules\":[");
	for (int i = 0; i < nrules; i++)
		len += (size_t)snprintf(s + len, cap - len,
			"%s{\"id\":\"r%04d\",\"severity\":\"warning\","
			"\"message\":\"{comm}[{tgid}] {op} {path}\",\"match\":"
			"{\"all\":[{\"field\":\"op\",\"in\":[\"create\",\"unlink\",\"open_write\"]},"
			"{\"field\":\"path\",\"prefix\":\"/etc/svc%d/\"}]}}",
			i ? "," : "", i, i);
	if (match_all)
		len += (size_t)snprintf(s + len, cap - len,
			",{\"id\":\"bench-all\",\"severity\":\"notice\","
			"\"message\":\"{comm}[{tgid}] {op} {path}\",\"match\":"
			"{\"field\":\"path\",\"prefix\":\"/srv/bench/\"}}");
	snprintf(s + len, cap - len, "]}");
	return s;
}

/* One batch: as many events as fit PREMOD_BATCH_MAX, from *seq on. */
static size_t build_batch(char *buf, uint64_t *seq, uint64_t last)
{
	size_t len = 0;

	while (*seq <= last) {
		char path[96];
		struct nlmsghdr *nlh;
		struct genlmsghdr *g;
		int create = (*seq & 1) == 0;

		if (len + 512 > PREMOD_BATCH_MAX)
			break;
		nlh = mnl_nlmsg_put_header(buf + len);
		nlh->nlmsg_type = FAMILY;
		g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		g->cmd = PREMOD_CMD_EVENT;
		g->version = PREMOD_GENL_VERSION;
		mnl_attr_put_u64(nlh, PREMOD_A_SEQ, *seq);
		mnl_attr_put_u64(nlh, PREMOD_A_TIME, 1795990126000000000ULL + *seq);
		mnl_attr_put_u32(nlh, PREMOD_A_OP,
				 create ? PREMOD_OP_CREATE : PREMOD_OP_UNLINK);
		mnl_attr_put_u32(nlh, PREMOD_A_FLAGS, 0);
		mnl_attr_put_u32(nlh, PREMOD_A_PID, 4242);
		mnl_attr_put_u32(nlh, PREMOD_A_TGID, 4242);
		mnl_attr_put_u32(nlh, PREMOD_A_PPID, 4200);
		for (int a = PREMOD_A_UID; a <= PREMOD_A_FSGID; a++)
			mnl_attr_put_u32(nlh, (uint16_t)a, 1000);
		mnl_attr_put_u32(nlh, PREMOD_A_AUID, 1000);
		mnl_attr_put_u32(nlh, PREMOD_A_SESSION, 3);
		mnl_attr_put_strz(nlh, PREMOD_A_COMM, "bench-writer");
		mnl_attr_put_u64(nlh, PREMOD_A_CGROUP, 7321);
		mnl_attr_put_u32(nlh, PREMOD_A_MNTNS, 4026531841U);
		mnl_attr_put_u32(nlh, PREMOD_A_DEV, 0x800001);
		mnl_attr_put_u64(nlh, PREMOD_A_INO, 131072 + *seq / 2);
		mnl_attr_put_u32(nlh, PREMOD_A_MODE, 0100644);
		snprintf(path, sizeof(path), "/srv/bench/d%02u/file-%llu",
			 (unsigned)(*seq % 64), (unsigned long long)(*seq / 2));
		mnl_attr_put_strz(nlh, PREMOD_A_PATH, path);
		if (!create) {
			mnl_attr_put_u32(nlh, PREMOD_A_NLINK, 1);
			mnl_attr_put_u64(nlh, PREMOD_A_OLD_SIZE, 0);
		}
		len += MNL_ALIGN(nlh->nlmsg_len);
		(*seq)++;
	}
	return len;
}

static void emit_journal(struct record *r, void *arg)
{
	sink_submit(arg, r);
}

struct result {
	double cpu, wall;
	uint64_t written, dropped, lost;
};

static int run(const char *dir, const char *name, int nrules, int match_all,
	       uint64_t nevents, struct result *res)
{
	struct engine_config ec = { .host = "bench" };
	struct journal_config jc = { .sync = JOURNAL_SYNC_INTERVAL,
				     .sync_interval_ms = 1000 };
	struct policy_diags diags = { 0 };
	char path[512], *text, *batch;
	struct policy *p = NULL;
	struct receiver rx;
	struct engine *e;
	struct stats st;
	struct sink js;
	struct evq q;
	uint64_t seq = 1;
	void *priv;
	double c0, w0;

	text = policy_text(nrules, match_all);
	if (policy_load_buffer(name, text, strlen(text), &p, &diags) < 0) {
		policy_diags_print(&diags, stderr);
		return -1;
	}
	free(text);
	policy_diags_free(&diags);
	snprintf(path, sizeof(path), "%s/%s.jsonl", dir, name);
	jc.path = path;
	memset(&js, 0, sizeof(js));
	if (stats_init(&st) < 0 || evq_init(&q, 65536) < 0 ||
	    sink_journal_open(&jc, &priv) < 0 ||
	    sink_start(&js, &sink_journal_ops, priv, 16384) < 0 ||
	    receiver_init(&rx, -1, FAMILY, &q, &st) < 0)
		return -1;
	ec.stats = &st;
	ec.emit = emit_journal;
	ec.emit_arg = &js;
	e = engine_new(&ec, p);
	if (!e || engine_start(e, &q) < 0)
		return -1;
	batch = malloc(PREMOD_BATCH_MAX);
	if (!batch)
		return -1;

	c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	w0 = clock_s(CLOCK_MONOTONIC);
	while (seq <= nevents) {
		size_t len = build_batch(batch, &seq, nevents);

		receiver_datagram(&rx, batch, len, 0);
		while (evq_depth(&q) > 32768 ||
		       atomic_load(&js.stats.depth) > 8192)
			usleep(50);
	}
	evq_close(&q);
	engine_join(e);
	sink_stop(&js);
	res->wall = clock_s(CLOCK_MONOTONIC) - w0;
	res->cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	res->written = atomic_load(&js.stats.written);
	res->dropped = atomic_load(&js.stats.dropped);
	res->lost = 0;
	for (size_t i = 0; i < STATS_DROP_COUNT; i++)
		res->lost += atomic_load(&st.dropped[i]);
	engine_free(e);
	receiver_destroy(&rx);
	evq_destroy(&q);
	stats_destroy(&st);
	free(batch);
	unlink(path);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t nevents = argc > 1 ? strtoull(argv[1], NULL, 10) : 400000;
	int nrules = argc > 2 ? atoi(argv[2]) : 1000;
	char dir[] = "/tmp/bench_daemon.XXXXXX";
	static const char *const names[] = { "none", "all" };
	struct rusage ru;

	if (!mkdtemp(dir)) {
		perror("bench_daemon: mkdtemp");
		return 1;
	}
	printf("bench_daemon: %llu events, %d rules, journal in %s\n",
	       (unsigned long long)nevents, nrules, dir);
	/* Building the datagrams is the kernel's work, not premodd's: measure
	 * it alone and take it out of the pipeline's CPU time. */
	char *batch = malloc(PREMOD_BATCH_MAX);
	double b0 = clock_s(CLOCK_THREAD_CPUTIME_ID), build;
	uint64_t seq = 1;

	if (!batch)
		return 1;
	while (seq <= nevents)
		build_batch(batch, &seq, nevents);
	build = clock_s(CLOCK_THREAD_CPUTIME_ID) - b0;
	free(batch);
	for (int m = 0; m < 2; m++) {
		struct result r;

		if (run(dir, names[m], nrules, m, nevents, &r) < 0) {
			fprintf(stderr, "bench_daemon: %s: setup failed\n",
				names[m]);
			return 1;
		}
		r.cpu -= build;
		printf("%-5s matching: %9.0f events/s per CPU-second, %9.0f "
		       "events/s wall; %llu records written, %llu dropped, "
		       "%llu lost\n", names[m], nevents / r.cpu,
		       nevents / r.wall, (unsigned long long)r.written,
		       (unsigned long long)r.dropped,
		       (unsigned long long)r.lost);
	}
	rmdir(dir);
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS: %.1f MiB\n", ru.ru_maxrss / 1024.0);
	return 0;
}
