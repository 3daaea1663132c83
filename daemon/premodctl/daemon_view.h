/* SPDX-License-Identifier: MIT */
/*
 * daemon_view.h - what premodctl status and rules make of premodd's stats
 * file (daemon/stats.h documents it) and the module's state. Pure: the
 * callers gather the inputs, so the unit tests render fixtures.
 */
#ifndef PREMODCTL_DAEMON_VIEW_H
#define PREMODCTL_DAEMON_VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <jansson.h>

/*
 * `premodctl status` exit statuses, for monitoring. With several problems
 * the most basic one wins (the first in this list that applies).
 */
enum status_code {
	STATUS_OK = 0,			/* everything below is fine */
	STATUS_ERROR = 1,		/* could not tell (e.g. no permission) */
	STATUS_USAGE = 2,
	STATUS_MODULE_ABSENT = 3,	/* premod.ko is not loaded */
	STATUS_DAEMON_DOWN = 4,		/* premodd is not running */
	STATUS_DISCONNECTED = 5,	/* premodd runs but is not connected */
	STATUS_RELOAD_FAILED = 6,	/* the last reload failed: an older
					 * policy than the one on disk runs */
	STATUS_LOSS = 7,		/* events or records were lost since
					 * the module or premodd started */
};

struct status_input {
	int module;			/* 1 loaded, 0 not loaded, -1 unknown */
	int module_protocol;		/* when loaded */
	const char *module_version;	/* MODULE_VERSION, NULL if unknown */
	const json_t *kernel_counters;	/* GET_STATS by name, NULL if unread */
	const json_t *daemon;		/* premodd's stats file, NULL: none */
	const char *daemon_file;
	bool daemon_alive;		/* its pid runs premodd */
};

/* Builds the report object (see `premodctl status --help`) and returns
 * the exit status. */
int status_report(const struct status_input *in, json_t **report);
void status_print(FILE *out, const json_t *report);

/*
 * The running policy's rules with their counters, from premodd's stats
 * file: a table, or (json) the stats file's "policy" object. -ENOENT when
 * the file has no "policy" (a premodd older than this premodctl).
 */
int rules_print(FILE *out, const json_t *daemon, bool json);

/* Loads premodd's stats file; NULL with errno set (ENOENT: no file) and
 * a message in err. */
json_t *daemon_stats_load(const char *path, char *err, size_t errlen);
/* The stats file's pid, when that process runs and is premodd. */
bool daemon_alive(const json_t *daemon, pid_t *pid);
/* reloads.ok + reloads.failed: changes with every SIGHUP's result. */
uint64_t daemon_reload_count(const json_t *daemon);

#endif /* PREMODCTL_DAEMON_VIEW_H */
