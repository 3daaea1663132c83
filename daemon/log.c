// SPDX-License-Identifier: MIT
/*
 * log.c - diagnostics to stderr or syslog. See log.h.
 */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

/* stderr until log_init says otherwise: early errors must be seen */
static bool use_stderr = true;
static const char *log_ident = "premodd";

void log_init(const char *ident, bool to_stderr)
{
	log_ident = ident;
	use_stderr = to_stderr;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_msg(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (use_stderr) {
		char line[1024];

		/* one write per line keeps threads' lines whole */
		vsnprintf(line, sizeof(line), fmt, ap);
		fprintf(stderr, "%s: %s\n", log_ident, line);
	} else {
		/* explicit facility: the syslog sink's openlog() sets the
		 * default to the records' (authpriv); diagnostics are the
		 * daemon's own */
		vsyslog(LOG_DAEMON | LOG_PRI(priority), fmt, ap);
	}
	va_end(ap);
}
