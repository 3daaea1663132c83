/* SPDX-License-Identifier: MIT */
/*
 * log.h - premodd's own diagnostics (not audit records): to syslog when
 * running as a service, to stderr in the foreground (-f) and in the
 * --check/--replay modes. Thread-safe.
 */
#ifndef PREMOD_DAEMON_LOG_H
#define PREMOD_DAEMON_LOG_H

#include <stdbool.h>
#include <syslog.h>

void log_init(const char *ident, bool to_stderr);
void log_msg(int priority, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* PREMOD_DAEMON_LOG_H */
