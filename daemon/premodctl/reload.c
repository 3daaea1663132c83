// SPDX-License-Identifier: MIT
/*
 * premodctl reload: SIGHUP to premodd, then wait (bounded) for the result
 * it publishes in its stats file: the reload counters move when premodd
 * has loaded (or refused) the policy, and on success the active
 * generation reaches the new one once the evaluator adopted it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "daemon_view.h"
#include "event_text.h"
#include "premodctl.h"

const char usage_reload[] =
"Usage: premodctl reload [--json] [--timeout SECONDS] [--daemon-stats FILE]\n"
"\n"
"Asks the running premodd to reload its policy (SIGHUP to the pid in its\n"
"stats file, " DAEMON_STATS_FILE ") and waits for the result:\n"
"success with the new policy's generation and rule count once it is\n"
"active, or the policy's errors (the previous policy then stays active).\n"
"premodd also reopens its journal file on SIGHUP.\n"
"\n"
"Options:\n"
"  --json                the result as the stats file's \"last_reload\" object:\n"
"                        {\"time\", \"result\": \"ok\"|\"failed\", \"generation\",\n"
"                        \"rules\", \"errors\": [...]}\n"
"  --timeout SECONDS     how long to wait for the result (default 10)\n"
"  --daemon-stats FILE   premodd's stats file\n"
"\n"
"Exit status: 0 reloaded, 1 the policy has errors (not reloaded), 2 usage\n"
"error, 3 premodd is not running (or cannot be signalled), 4 no result\n"
"within the timeout.\n";

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void nap(void)
{
	struct timespec ts = { 0, 100 * 1000000L };

	nanosleep(&ts, NULL);
}

static void print_result(const json_t *last, bool json)
{
	const json_t *errs = json_object_get(last, "errors"), *v;
	bool ok = !strcmp(json_string_value(json_object_get(last, "result"))
			  ?: "", "ok");
	size_t i;

	if (json) {
		json_dumpf(last, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		putchar('\n');
		return;
	}
	if (ok) {
		printf("reloaded: policy generation %" JSON_INTEGER_FORMAT
		       " is active, %" JSON_INTEGER_FORMAT " rules\n",
		       json_integer_value(json_object_get(last, "generation")),
		       json_integer_value(json_object_get(last, "rules")));
		return;
	}
	printf("reload failed: the policy has %zu error%s; generation %"
	       JSON_INTEGER_FORMAT " stays active\n", json_array_size(errs),
	       json_array_size(errs) == 1 ? "" : "s",
	       json_integer_value(json_object_get(last, "generation")));
	json_array_foreach(errs, i, v) {
		fputs("  ", stdout);
		pm_text_escape(stdout, json_string_value(v) ?: "?");
		putchar('\n');
	}
}

int cmd_reload(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "daemon-stats", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *file = DAEMON_STATS_FILE;
	json_t *d = NULL, *last;
	uint64_t before, deadline;
	unsigned long timeout = 10;
	bool json = false, ok;
	char err[512], *end;
	json_int_t want_gen;
	pid_t pid;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+jt:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 't':
			errno = 0;
			timeout = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || !timeout ||
			    timeout > 86400) {
				errmsg("reload: bad --timeout '%s' (1 to 86400 "
				       "seconds)", optarg);
				return 2;
			}
			break;
		case 'd': file = optarg; break;
		case 'h': fputs(usage_reload, stdout); return 0;
		default: fputs(usage_reload, stderr); return 2;
		}
	}
	if (optind < argc) {
		errmsg("reload: unexpected argument '%s'", argv[optind]);
		fputs(usage_reload, stderr);
		return 2;
	}
	d = daemon_stats_load(file, err, sizeof(err));
	if (!d) {
		errmsg("reload: %s: premodd is not running?", err);
		return 3;
	}
	if (!daemon_alive(d, &pid)) {
		errmsg("reload: premodd is not running (%s names pid %d)", file,
		       (int)pid);
		json_decref(d);
		return 3;
	}
	before = daemon_reload_count(d);
	json_decref(d);
	d = NULL;
	if (kill(pid, SIGHUP) < 0) {
		errmsg("reload: cannot signal premodd (pid %d): %s", (int)pid,
		       strerror(errno));
		return 3;
	}

	deadline = mono_ms() + timeout * 1000;
	/* 1: premodd published this reload's result */
	for (;;) {
		json_decref(d);
		d = daemon_stats_load(file, err, sizeof(err));
		if (d && daemon_reload_count(d) != before)
			break;
		if (mono_ms() >= deadline) {
			errmsg("reload: no result from premodd within %lus "
			       "(pid %d)", timeout, (int)pid);
			ret = 4;
			goto out;
		}
		nap();
	}
	last = json_object_get(d, "last_reload");
	ok = !strcmp(json_string_value(json_object_get(last, "result")) ?: "",
		     "ok");
	want_gen = json_integer_value(json_object_get(last, "generation"));
	/* 2: on success, the evaluator adopted it (it does so between two
	 * events, or within a second when idle) */
	while (ok && json_integer_value(json_object_get(d, "generation")) <
			     want_gen) {
		if (mono_ms() >= deadline) {
			errmsg("reload: premodd loaded generation %"
			       JSON_INTEGER_FORMAT " but has not reported it "
			       "active within %lus", want_gen, timeout);
			ret = 4;
			goto out;
		}
		nap();
		json_decref(d);
		d = NULL;
		while (!d) {
			d = daemon_stats_load(file, err, sizeof(err));
			if (!d && mono_ms() >= deadline)
				break;
			if (!d)
				nap();
		}
		if (!d) {
			errmsg("reload: %s", err);
			ret = 4;
			goto out;
		}
		last = json_object_get(d, "last_reload");
	}
	print_result(last, json);
	ret = ok ? 0 : 1;
out:
	json_decref(d);
	return ret;
}
