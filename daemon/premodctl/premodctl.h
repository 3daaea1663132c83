/* SPDX-License-Identifier: MIT */
/*
 * premodctl.h - what premodctl's subcommands share: the netlink session
 * (ctl.c), messages, and each subcommand's entry point and help text.
 */
#ifndef PREMODCTL_H
#define PREMODCTL_H

#include <stdbool.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "premod.h"

#ifndef PREMOD_VERSION
#define PREMOD_VERSION "0.1"
#endif

#define DAEMON_STATS_FILE	"/run/premod/premodd.stats.json"

extern const char *prog;

__attribute__((format(printf, 1, 2)))
void errmsg(const char *fmt, ...);
void report_perm(const char *what);

struct ctl {
	struct nl_sock *sk;
	int family;
	int version;		/* the family's version, from the controller */
};

/* One request/reply exchange. */
struct req {
	const char *what;		/* "GET_STATS", for messages */
	int (*parse)(struct nlattr **tb, void *arg);
	void *arg;
	bool acked;
	int error;			/* errno from the kernel, 0 if none */
	char ext[256];			/* the kernel's extended ack message */
	long ext_offs;			/* offset of the culprit attribute in
					 * the request, -1 if not given */
	int parse_ret;
};

/*
 * Connects and resolves the family; checks the protocol version the
 * module registered. Prints the error and returns nonzero on failure:
 * -ENOENT when the module is not loaded.
 */
int ctl_open(struct ctl *nl, bool quiet_missing);
void ctl_close(struct ctl *nl);
int ctl_request(struct ctl *nl, struct nl_msg *msg, struct req *r);
struct nl_msg *ctl_new(struct ctl *nl, uint8_t cmd);

int cmd_monitor(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_filter(int argc, char **argv);
int cmd_register(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_reload(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_search(int argc, char **argv);

extern const char usage_monitor[], usage_stats[], usage_filter[],
		  usage_register[], usage_version[];
extern const char usage_status[], usage_reload[], usage_rules[],
		  usage_search[];

/* GET_STATS into counters (name -> integer) and hooks (array); prints
 * its errors. 0 or -errno. */
#include <jansson.h>
int ctl_get_stats(struct ctl *nl, json_t *counters, json_t *hooks);

#endif
