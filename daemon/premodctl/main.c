// SPDX-License-Identifier: MIT
/*
 * premodctl - operator CLI for premod.ko: watch events and alerts, read
 * counters, show and set the in-kernel prefilter, run a command
 * registered as the daemon. One file per subcommand; ctl.c is the
 * netlink session they share.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "premodctl.h"

static const char usage_main[] =
"Usage: premodctl COMMAND [OPTIONS]\n"
"\n"
"Operator tool for premod.ko, which reports attempts to modify files before\n"
"they happen, and for premodd, the daemon that applies the policy. The\n"
"commands that talk to the kernel module (monitor, stats, status, filter,\n"
"register) need CAP_NET_ADMIN in the initial user namespace; rules, reload\n"
"and search read premodd's stats file and journal.\n"
"\n"
"Commands:\n"
"  status [--json]               module, premodd, policy, loss; exit status\n"
"                                for monitoring (see status --help)\n"
"  reload [--timeout S]          reload premodd's policy and wait for the result\n"
"  rules [--json]                the running policy's rules with hit counts\n"
"  search [CRITERIA] [FILE]...   records of the JSONL journal by rule, path,\n"
"                                user, time, seq, op (see search --help)\n"
"  monitor [--json] [--alerts]   print events (or daemon alerts) as they come\n"
"  stats [--json]                kernel counters, per-hook hits, daemon counters\n"
"  filter [show] [--json]        the active in-kernel prefilter\n"
"  filter set [OPTIONS]          replace the prefilter (see filter --help)\n"
"  filter clear                  remove the prefilter: report everything\n"
"  register --exec CMD [ARGS]    run CMD registered as the daemon (no events)\n"
"  version                       versions of premodctl and of the module\n"
"  help [COMMAND]                this text, or a command's\n"
"\n"
"'premodctl COMMAND --help' describes a command.\n"
"Exit status: 0 success, 1 failure, 2 usage error; status, reload and\n"
"search document further codes.\n";

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "monitor", cmd_monitor, usage_monitor },
	{ "stats", cmd_stats, usage_stats },
	{ "filter", cmd_filter, usage_filter },
	{ "register", cmd_register, usage_register },
	{ "version", cmd_version, usage_version },
	{ "status", cmd_status, usage_status },
	{ "reload", cmd_reload, usage_reload },
	{ "rules", cmd_rules, usage_rules },
	{ "search", cmd_search, usage_search },
};

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		fputs(usage_main, stderr);
		return 2;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		fputs(usage_main, stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0)
		return cmd_version(1, argv + 1);
	if (strcmp(cmd, "help") == 0) {
		if (argc < 3 || strcmp(argv[2], "--help") == 0 ||
		    strcmp(argv[2], "-h") == 0) {
			fputs(usage_main, stdout);
			return 0;
		}
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]);
		     i++)
			if (strcmp(argv[2], commands[i].name) == 0) {
				fputs(commands[i].usage, stdout);
				return 0;
			}
		errmsg("help: unknown command '%s'", argv[2]);
		fputs(usage_main, stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char name[64];

		if (strcmp(cmd, commands[i].name) != 0)
			continue;
		/* getopt names the command in its messages. */
		snprintf(name, sizeof(name), "%s %s", prog, cmd);
		argv[1] = name;
		return commands[i].fn(argc - 1, argv + 1);
	}
	errmsg("unknown command '%s'", cmd);
	fputs(usage_main, stderr);
	return 2;
}
