// SPDX-License-Identifier: MIT
/*
 * premodctl register: run a command registered as the daemon.
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

const char usage_register[] =
"Usage: premodctl register --exec CMD [ARGS...]\n"
"\n"
"Registers this process as the premod daemon, then executes CMD in it: the\n"
"operations of CMD (its thread group) raise no events for as long as it\n"
"runs. A test and debugging aid.\n"
"\n"
"There is one registration: while another registered process (premodd)\n"
"is alive, REGISTER is refused (EBUSY), and the attempt is reported as a\n"
"config event. Needs CAP_NET_ADMIN and CAP_AUDIT_CONTROL.\n";

int cmd_register(int argc, char **argv)
{
	struct req r = { .what = "REGISTER" };
	struct nl_msg *msg;
	struct ctl nl;
	int ret;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
			 strcmp(argv[1], "-h") == 0)) {
		fputs(usage_register, stdout);
		return 0;
	}
	if (argc < 3 || strcmp(argv[1], "--exec") != 0) {
		errmsg("register: expected --exec CMD [ARGS...]");
		fputs(usage_register, stderr);
		return 2;
	}
	if (ctl_open(&nl, false))
		return 1;
	msg = ctl_new(&nl, PREMOD_CMD_REGISTER);
	ret = msg ? ctl_request(&nl, msg, &r) : -ENOMEM;
	/* The registration is the process's, not the socket's. */
	ctl_close(&nl);
	if (ret)
		return 1;
	execvp(argv[2], argv + 2);
	errmsg("register: cannot execute '%s': %s", argv[2], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
