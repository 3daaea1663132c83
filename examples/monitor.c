// SPDX-License-Identifier: MIT
/*
 * monitor.c - a complete, small consumer of premod events built on
 * libpremod: connect to the module, subscribe to the "events" group,
 * decode every event of every datagram and print it in the one-line human
 * form. Losses are printed too: the module's LOST records, gaps in the
 * sequence numbers, and our own socket's overruns (ENOBUFS).
 *
 *   cc monitor.c $(pkg-config --cflags --libs premod) -o premod-monitor
 *   sudo ./premod-monitor [-n COUNT]
 *
 * Says "premod-monitor: listening" on stderr once subscribed.
 * Needs CAP_NET_ADMIN (joining the group). Exit status: 0 after COUNT
 * events or SIGINT/SIGTERM, 1 on an error, 2 on a usage error, 3 when the
 * premod module is not loaded.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <premod/libpremod.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: premod-monitor [-n COUNT]\n"
		   "Prints premod events as they happen (libpremod %s).\n"
		   "  -n COUNT  exit after COUNT events\n", pm_library_version());
}

int main(int argc, char **argv)
{
	/* a datagram holds one batch of at most PREMOD_BATCH_MAX bytes */
	static char buf[PREMOD_BATCH_MAX];
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned long want = 0, seen = 0;
	uint64_t next_seq = 0;
	struct pm_genl g;
	int opt, ret;

	while ((opt = getopt(argc, argv, "n:h")) != -1) {
		switch (opt) {
		case 'n':
			want = strtoul(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}

	ret = pm_genl_open(&g);
	if (ret == -ENOENT) {
		fprintf(stderr, "premod-monitor: the premod module is not "
				"loaded\n");
		pm_genl_close(&g);
		return 3;
	}
	if (ret < 0) {
		fprintf(stderr, "premod-monitor: netlink: %s\n", strerror(-ret));
		return 1;
	}
	if (g.version != PREMOD_GENL_VERSION)
		fprintf(stderr, "premod-monitor: module speaks protocol %u, "
				"built for %d\n", g.version, PREMOD_GENL_VERSION);
	/* our overruns come back as ENOBUFS and as LOST records */
	pm_genl_set_broadcast_error(&g);
	ret = pm_genl_join(&g, g.grp_events);
	if (ret < 0) {
		fprintf(stderr, "premod-monitor: joining \"events\": %s\n",
			strerror(-ret));
		pm_genl_close(&g);
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* joined: from here on, every event is ours to see */
	fprintf(stderr, "premod-monitor: listening\n");

	while (!stop && (!want || seen < want)) {
		ssize_t n = recv(pm_genl_fd(&g), buf, sizeof(buf), 0);
		const struct nlmsghdr *nlh;
		struct pm_nl_iter it;
		struct pm_event ev;
		char err[256];

		if (n < 0 && errno == ENOBUFS) {
			fprintf(stderr, "premod-monitor: receive buffer "
					"overrun: events lost\n");
			continue;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("premod-monitor: recv");
			break;
		}
		pm_nl_iter_init(&it, buf, (size_t)n);
		while ((ret = pm_nl_iter_next(&it, &nlh, err, sizeof(err))) > 0) {
			ret = pm_decode_event(nlh, g.family, &ev, err,
					      sizeof(err));
			if (ret == -ENOMSG)
				continue;	/* not an event */
			if (ret < 0) {
				fprintf(stderr, "premod-monitor: %s\n", err);
				continue;
			}
			if (ev.num[PM_F_OP] != PREMOD_OP_LOST && next_seq &&
			    ev.num[PM_F_SEQ] > next_seq)
				printf("gap: seq %llu..%llu not received\n",
				       (unsigned long long)next_seq,
				       (unsigned long long)ev.num[PM_F_SEQ] - 1);
			if (ev.num[PM_F_SEQ] >= next_seq)
				next_seq = ev.num[PM_F_SEQ] + 1;
			pm_text_event(stdout, &ev);
			if (ev.num[PM_F_OP] != PREMOD_OP_LOST)
				seen++;
		}
		if (ret < 0)
			fprintf(stderr, "premod-monitor: %s\n", err);
		fflush(stdout);
	}
	pm_genl_close(&g);
	return 0;
}
