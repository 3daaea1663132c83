// SPDX-License-Identifier: MIT
/*
 * policy_flags.c - names for the bits of the flag fields (open_flags,
 * rename_flags, time_flags, flags), so a rule can say
 * {"field": "open_flags", "bits_set": "O_TRUNC"} instead of a number that
 * differs between architectures and is easy to get wrong.
 *
 * open_flags are the kernel's O_* values of the architecture premod runs on
 * (include/premod.h), which are this C library's: the table takes them from
 * <fcntl.h> of the build, not from a copy.
 */
#define _GNU_SOURCE	/* O_DIRECT, O_NOATIME, O_PATH, O_TMPFILE */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "premod.h"
#include "policy_int.h"

struct flag_name {
	const char *name;
	uint64_t bits;
};

static const struct flag_name open_flags[] = {
	{ "O_WRONLY", O_WRONLY }, { "O_RDWR", O_RDWR },
	{ "O_CREAT", O_CREAT }, { "O_EXCL", O_EXCL }, { "O_NOCTTY", O_NOCTTY },
	{ "O_TRUNC", O_TRUNC }, { "O_APPEND", O_APPEND },
	{ "O_NONBLOCK", O_NONBLOCK }, { "O_DSYNC", O_DSYNC },
	{ "O_DIRECT", O_DIRECT }, { "O_DIRECTORY", O_DIRECTORY },
	{ "O_NOFOLLOW", O_NOFOLLOW }, { "O_NOATIME", O_NOATIME },
	{ "O_CLOEXEC", O_CLOEXEC }, { "O_SYNC", O_SYNC }, { "O_PATH", O_PATH },
	{ "O_TMPFILE", O_TMPFILE },
};

static const struct flag_name rename_flags[] = {
	/* renameat2(2); <linux/fs.h> values, fixed by the ABI */
	{ "RENAME_NOREPLACE", 1 }, { "RENAME_EXCHANGE", 2 },
	{ "RENAME_WHITEOUT", 4 },
	{ "noreplace", 1 }, { "exchange", 2 }, { "whiteout", 4 },
};

static const struct flag_name time_flags[] = {
	{ "atime", PREMOD_T_ATIME }, { "mtime", PREMOD_T_MTIME },
	{ "atime_now", PREMOD_T_ATIME_NOW }, { "mtime_now", PREMOD_T_MTIME_NOW },
};

static const struct flag_name event_flags[] = {
	{ "path_truncated", PREMOD_F_PATH_TRUNCATED },
	{ "path2_truncated", PREMOD_F_PATH2_TRUNCATED },
	{ "target_truncated", PREMOD_F_TARGET_TRUNCATED },
	{ "fs_relative", PREMOD_F_FS_RELATIVE },
	{ "replaces", PREMOD_F_REPLACES },
	{ "path_error", PREMOD_F_PATH_ERROR },
};

static const struct flag_name *table(enum pm_field f, size_t *n)
{
	switch (f) {
	case PM_F_OPEN_FLAGS: *n = sizeof(open_flags) / sizeof(open_flags[0]);
		return open_flags;
	case PM_F_RENAME_FLAGS: *n = sizeof(rename_flags) / sizeof(rename_flags[0]);
		return rename_flags;
	case PM_F_TIME_FLAGS: *n = sizeof(time_flags) / sizeof(time_flags[0]);
		return time_flags;
	case PM_F_FLAGS: *n = sizeof(event_flags) / sizeof(event_flags[0]);
		return event_flags;
	default:
		*n = 0;
		return NULL;
	}
}

bool pf_is_flag_field(enum pm_field f)
{
	size_t n;

	return table(f, &n) != NULL;
}

const char *pf_flag_names(enum pm_field f, char *buf, size_t len)
{
	size_t n, o = 0;
	const struct flag_name *t = table(f, &n);

	buf[0] = 0;
	for (size_t i = 0; t && i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
				      t[i].name);
	return buf;
}

int pf_flag_lookup(enum pm_field f, const char *name, uint64_t *bits,
		   const char **suggest)
{
	size_t n;
	const struct flag_name *t = table(f, &n);
	const char *names[32];

	*suggest = NULL;
	for (size_t i = 0; t && i < n; i++)
		if (!strcmp(t[i].name, name) ||
		    (f == PM_F_FLAGS && !strncasecmp(name, "PREMOD_F_", 9) &&
		     !strcasecmp(t[i].name, name + 9)) ||
		    (f == PM_F_TIME_FLAGS && !strncasecmp(name, "PREMOD_T_", 9) &&
		     !strcasecmp(t[i].name, name + 9))) {
			*bits = t[i].bits;
			return 0;
		}
	for (size_t i = 0; t && i < n && i < 32; i++)
		names[i] = t[i].name;
	*suggest = t ? pol_suggest(name, names, n < 32 ? n : 32) : NULL;
	return -1;
}
