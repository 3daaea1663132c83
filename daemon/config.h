/* SPDX-License-Identifier: MIT */
/*
 * config.h - /etc/premod/premodd.json, the daemon's configuration.
 *
 * Every key is optional; a missing default file means all defaults.
 * Mistakes are errors, never ignored: unknown keys, wrong types, values
 * out of range, each reported as "file:line:column: what" (all of them,
 * not just the first), and the daemon refuses to start. The reference is
 * daemon/premodd.json (the installed default) and README.md.
 *
 *   {
 *     "policy_dir": "/etc/premod/policy.d",
 *     "host": null,                     (record "host"; null = hostname)
 *     "queue_size": 65536,              (events between receiver/evaluator)
 *     "sink_queue_size": 16384,         (records queued per sink)
 *     "receive_buffer": 67108864,       (bytes, SO_RCVBUFFORCE)
 *     "sinks": {
 *       "journal":  {"enabled": true, "path": "/var/log/premod/changes.jsonl",
 *                    "sync": "interval", "interval_ms": 1000,
 *                    "format": "json"},       (or "ecs")
 *       "journald": {"enabled": true},
 *       "syslog":   {"enabled": true, "facility": "authpriv",
 *                    "format": "bsd",         (or "rfc5424", which uses:)
 *                    "socket": "/dev/log", "sd_id": "premod@32473"},
 *       "stdout":   {"enabled": false, "format": "json"},  (text, json, ecs)
 *       "alerts":   {"enabled": true}
 *     },
 *     "stats": {"file": "/run/premod/premodd.stats.json",
 *               "prometheus": "/run/premod/premodd.prom",
 *               "interval_ms": 5000}
 *   }
 *
 * A stats path of null or "" disables that file.
 */
#ifndef PREMOD_DAEMON_CONFIG_H
#define PREMOD_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sink.h"

#define CONFIG_DEFAULT_PATH "/etc/premod/premodd.json"

struct config {
	char *policy_dir;
	char *host;			/* NULL: gethostname() */
	size_t queue_size;
	size_t sink_queue_size;
	unsigned int receive_buffer;
	struct {
		bool enabled;
		char *path;
		int sync;		/* JOURNAL_SYNC_* */
		unsigned int interval_ms;
		int ecs;		/* format: 0 "json", 1 "ecs" */
	} journal;
	struct {
		bool enabled;
	} journald;
	struct {
		bool enabled;
		int facility;		/* LOG_* facility value */
		int format;		/* enum syslog_format */
		char *socket;		/* rfc5424 */
		char *sd_id;		/* rfc5424 */
	} syslog;
	struct {
		bool enabled;
		int format;		/* enum stdout_format */
	} out;
	struct {
		bool enabled;
	} alerts;
	struct {
		char *file;		/* NULL: none */
		char *prometheus;	/* NULL: none */
		unsigned int interval_ms;
	} stats;
};

/* Fills the defaults. Returns -ENOMEM on failure. */
int config_init(struct config *c);
void config_free(struct config *c);

/*
 * Reads a file over the current values. -ENOENT when it does not exist
 * (nothing printed: the caller decides whether that is an error); -EINVAL
 * with every mistake printed to err as "file:line:column: what"; other
 * -errno when it cannot be read (printed).
 */
int config_load(struct config *c, const char *path, FILE *err);
/* The same from memory; name is the file name in messages. */
int config_load_buffer(struct config *c, const char *name, const char *text,
		       size_t len, FILE *err);

/* Replaces a string setting (NULL or "" clears it). -ENOMEM on failure. */
int config_set_str(char **slot, const char *value);

/* syslog facility by name ("authpriv", "local0"...); -1 if unknown. */
int config_facility_lookup(const char *name);
const char *config_facility_name(int facility);

#endif /* PREMOD_DAEMON_CONFIG_H */
