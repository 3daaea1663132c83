// SPDX-License-Identifier: MIT
/*
 * premodctl version.
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

const char usage_version[] =
"Usage: premodctl version\n"
"\n"
"Prints premodctl's version and netlink protocol version, and the\n"
"protocol version of the loaded premod.ko when it can be read.\n";

int cmd_version(int argc, char **argv)
{
	struct ctl nl;
	int ret;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
			 strcmp(argv[1], "-h") == 0)) {
		fputs(usage_version, stdout);
		return 0;
	}
	if (argc > 1) {
		errmsg("version: unexpected argument '%s'", argv[1]);
		fputs(usage_version, stderr);
		return 2;
	}
	printf("premodctl %s (netlink protocol %d)\n", PREMOD_VERSION,
	       PREMOD_GENL_VERSION);
	fflush(stdout);
	ret = ctl_open(&nl, true);
	if (ret == -ENOENT) {
		printf("premod.ko: not loaded\n");
		return 0;
	}
	if (ret)
		return 1;
	printf("premod.ko: loaded (netlink protocol %d)\n", nl.version);
	ctl_close(&nl);
	return 0;
}
