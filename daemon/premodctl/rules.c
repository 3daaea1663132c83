// SPDX-License-Identifier: MIT
/*
 * premodctl rules: the rules the running premodd enforces, with their
 * hit counts, from its stats file (daemon_view.c renders them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include <jansson.h>

#include "daemon_view.h"
#include "premodctl.h"

const char usage_rules[] =
"Usage: premodctl rules [--json] [--daemon-stats FILE]\n"
"\n"
"Lists the rules of the policy the running premodd enforces (its active\n"
"generation), in policy order, with each rule's counters since premodd\n"
"started: MATCHED records passed to the sinks, SUPPRESSED matches held\n"
"back by the rule's rate limit. A rule's counters survive reloads that keep\n"
"its id. Read from premodd's stats file (" DAEMON_STATS_FILE "),\n"
"which premodd rewrites every few seconds and right after a reload.\n"
"\n"
"Options:\n"
"  --json                the stats file's \"policy\" object: {\"path\",\n"
"                        \"generation\", \"rules\": [{\"id\", \"enabled\",\n"
"                        \"severity\", \"description\", \"file\", \"line\",\n"
"                        \"matched\", \"suppressed\"}, ...]}\n"
"  --daemon-stats FILE   premodd's stats file\n"
"\n"
"Exit status: 0 listed, 1 premodd is not running or its stats file cannot\n"
"be read, 2 usage error.\n";

int cmd_rules(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "daemon-stats", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *file = DAEMON_STATS_FILE;
	bool json = false, alive;
	json_t *daemon;
	char err[512];
	int c, ret;

	while ((c = getopt_long(argc, argv, "+jd:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'd': file = optarg; break;
		case 'h': fputs(usage_rules, stdout); return 0;
		default: fputs(usage_rules, stderr); return 2;
		}
	}
	if (optind < argc) {
		errmsg("rules: unexpected argument '%s'", argv[optind]);
		fputs(usage_rules, stderr);
		return 2;
	}
	daemon = daemon_stats_load(file, err, sizeof(err));
	if (!daemon) {
		errmsg("rules: %s%s", err, errno == ENOENT
		       ? " (is premodd running?)" : "");
		return 1;
	}
	alive = daemon_alive(daemon, NULL);
	if (!alive)
		errmsg("rules: warning: premodd (pid %" JSON_INTEGER_FORMAT
		       ") is not running; these are its last rules",
		       json_integer_value(json_object_get(daemon, "pid")));
	ret = rules_print(stdout, daemon, json);
	if (ret == -ENOENT)
		errmsg("rules: %s has no rule list (a premodd older than "
		       "this premodctl?)", file);
	json_decref(daemon);
	return ret || !alive ? 1 : 0;
}
