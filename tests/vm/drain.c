// SPDX-License-Identifier: MIT
/*
 * drain - the cheapest consumer of premod's "events" group: join it and
 * read datagrams into a buffer, decoding nothing. The VM benchmark's
 * baseline for what the kernel channel alone costs, and the ceiling a
 * full consumer is measured against.
 *
 *   drain     prints "drain: ready" on stderr once joined; on SIGTERM or
 *             SIGINT prints "<datagrams> <bytes> <enobufs>" on stdout
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "genl.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(void)
{
	static char buf[PREMOD_BATCH_MAX * 2];
	unsigned long long dgrams = 0, bytes = 0, enobufs = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	struct pm_genl g;
	int rc, actual;
	bool forced;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	rc = pm_genl_open(&g);
	if (rc < 0) {
		fprintf(stderr, "drain: cannot reach premod: %s\n", strerror(-rc));
		return 1;
	}
	pm_genl_set_rcvbuf(&g, 64 << 20, &forced, &actual);
	pm_genl_set_broadcast_error(&g);
	rc = pm_genl_join(&g, g.grp_events);
	if (rc < 0) {
		fprintf(stderr, "drain: cannot join events: %s\n", strerror(-rc));
		return 1;
	}
	fprintf(stderr, "drain: ready\n");
	while (!stop) {
		ssize_t n = recv(pm_genl_fd(&g), buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == ENOBUFS)
				enobufs++;
			else if (errno != EINTR)
				break;
			continue;
		}
		dgrams++;
		bytes += (unsigned long long)n;
	}
	printf("%llu %llu %llu\n", dgrams, bytes, enobufs);
	pm_genl_close(&g);
	return 0;
}
