// SPDX-License-Identifier: MIT
/*
 * premodctl status: is everything running, in one look and one exit
 * status for monitoring (daemon_view.c decides and renders).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "daemon_view.h"
#include "premodctl.h"

const char usage_status[] =
"Usage: premodctl status [--json] [--daemon-stats FILE]\n"
"\n"
"Whether premod runs as it should: the kernel module (loaded, version,\n"
"protocol), premodd (running, since when, connected to the module), the\n"
"policy (generation, rules, the last reload's result and errors) and loss\n"
"at a glance (events the module dropped, events premodd dropped, records\n"
"its sinks could not write; counted since each started). premodd's part\n"
"comes from its stats file (" DAEMON_STATS_FILE ").\n"
"\n"
"Options:\n"
"  --json                one JSON object: {\"status\", \"exit\", \"problems\",\n"
"                        \"module\", \"daemon\", \"policy\", \"loss\"}\n"
"  --daemon-stats FILE   premodd's stats file\n"
"\n"
"Exit status (with several problems, the first that applies):\n"
"  0  all good\n"
"  1  could not tell (no permission to ask the module, ...)\n"
"  2  usage error\n"
"  3  the premod module is not loaded\n"
"  4  premodd is not running\n"
"  5  premodd is running but not connected to the module\n"
"  6  the last policy reload failed (the previous policy is still active)\n"
"  7  events or records were lost\n";

/* MODULE_VERSION as sysfs shows it; NULL if unknown. */
static char *module_version(void)
{
	char buf[64];
	FILE *f = fopen("/sys/module/premod/version", "r");

	if (!f)
		return NULL;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return strdup(buf);
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "daemon-stats", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct status_input in = { .daemon_file = DAEMON_STATS_FILE };
	json_t *counters = json_object(), *hooks = json_array();
	json_t *daemon = NULL, *report = NULL;
	char *version = NULL, err[512];
	bool json = false;
	struct ctl nl;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+jd:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'd': in.daemon_file = optarg; break;
		case 'h': fputs(usage_status, stdout); ret = 0; goto out;
		default: fputs(usage_status, stderr); ret = 2; goto out;
		}
	}
	if (optind < argc) {
		errmsg("status: unexpected argument '%s'", argv[optind]);
		fputs(usage_status, stderr);
		ret = 2;
		goto out;
	}

	ret = ctl_open(&nl, true);
	if (ret == -ENOENT) {
		in.module = 0;
	} else if (ret) {
		in.module = -1;
	} else {
		in.module = 1;
		in.module_protocol = nl.version;
		version = module_version();
		in.module_version = version;
		if (ctl_get_stats(&nl, counters, hooks) == 0)
			in.kernel_counters = counters;
		ctl_close(&nl);
	}
	daemon = daemon_stats_load(in.daemon_file, err, sizeof(err));
	if (!daemon && errno != ENOENT)
		errmsg("status: %s", err);
	in.daemon = daemon;
	in.daemon_alive = daemon && daemon_alive(daemon, NULL);

	ret = status_report(&in, &report);
	if (json) {
		json_dumpf(report, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		status_print(stdout, report);
	}
out:
	free(version);
	json_decref(report);
	json_decref(daemon);
	json_decref(counters);
	json_decref(hooks);
	return ret;
}
