// SPDX-License-Identifier: MIT
/*
 * event_text.c - the human one-line form of an event (see event_text.h).
 *
 * File names are attacker-chosen bytes: everything that could break the
 * line or drive a terminal is escaped, so one event is one line and cannot
 * forge another.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <time.h>

#include "event_text.h"
#include "premod.h"

/* Valid UTF-8 sequence length at s, 0 if invalid (for safe printing). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t k;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xC2 || s[0] > 0xF4)
		return 0;
	k = s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
	if (n < k)
		return 0;
	cp = s[0] & (0x7F >> k);
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF ||
	    (cp >= 0x80 && cp < 0xA0))
		return 0;
	return k;
}

/*
 * A file name may hold newlines or terminal escapes: print control bytes,
 * backslashes and invalid UTF-8 as \xNN so one event stays one line and
 * cannot forge another.
 */
void pm_text_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	while (n) {
		size_t k = utf8_len(p, n);

		if (k == 1 && (*p < 0x20 || *p == 0x7F || *p == '\\'))
			k = 0;
		if (k) {
			fwrite(p, 1, k, f);
		} else {
			fprintf(f, "\\x%02x", *p);
			k = 1;
		}
		p += k;
		n -= k;
	}
}

void pm_text_time(uint64_t ns, char *buf, size_t len)
{
	time_t sec = (time_t)(int64_t)(ns / 1000000000ULL);
	struct tm tm;
	char date[32];

	if ((int64_t)ns < 0) {
		snprintf(buf, len, "%" PRId64 "ns", (int64_t)ns);
		return;
	}
	gmtime_r(&sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09" PRIu64 "Z", date,
		 (uint64_t)(ns % 1000000000U));
}

/* glibc's O_LARGEFILE is 0 on 64-bit; the kernel sets its own bit. */
#if defined(__x86_64__) || defined(__i386__)
#define K_O_LARGEFILE 0100000
#elif defined(__aarch64__)
#define K_O_LARGEFILE 0400000
#else
#define K_O_LARGEFILE O_LARGEFILE
#endif

static const struct {
	int flag;
	const char *name;
} open_flag_names[] = {
	/* Multi-bit flags first: a flag is named when all its bits are set. */
	{ O_TMPFILE, "O_TMPFILE" }, { O_SYNC, "O_SYNC" },
	{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_NOCTTY, "O_NOCTTY" },
	{ O_TRUNC, "O_TRUNC" }, { O_APPEND, "O_APPEND" },
	{ O_NONBLOCK, "O_NONBLOCK" }, { O_DSYNC, "O_DSYNC" },
	{ O_DIRECT, "O_DIRECT" }, { K_O_LARGEFILE, "O_LARGEFILE" },
	{ O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" },
	{ O_NOATIME, "O_NOATIME" }, { O_CLOEXEC, "O_CLOEXEC" },
	{ O_PATH, "O_PATH" },
};

static void print_open_flags(FILE *f, uint64_t fl)
{
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR",
					   "O_ACCMODE" };

	fputs(acc[fl & O_ACCMODE], f);
	fl &= ~(uint64_t)O_ACCMODE;
	for (size_t i = 0; i < sizeof(open_flag_names) /
			       sizeof(open_flag_names[0]); i++) {
		uint64_t bits = (uint64_t)open_flag_names[i].flag;

		if (bits && (fl & bits) == bits) {
			fprintf(f, "|%s", open_flag_names[i].name);
			fl &= ~bits;
		}
	}
	if (fl)
		fprintf(f, "|%#" PRIx64, fl);
}

static void print_path(FILE *f, const struct pm_event *ev, enum pm_field pf,
		       uint32_t trunc_flag)
{
	const char *p = pm_event_str(ev, pf);

	if (!p) {
		fputs("?", f);
		return;
	}
	if (pm_event_has(ev, PM_F_FLAGS) && (ev->num[PM_F_FLAGS] & trunc_flag))
		fputs("...", f);
	pm_text_escape(f, p);
}

static void print_num(FILE *f, const struct pm_event *ev, enum pm_field fld,
		      const char *label, const char *fmt)
{
	if (!pm_event_has(ev, fld))
		return;
	fprintf(f, " %s=", label);
	fprintf(f, fmt, ev->num[fld]);
}

static void print_change(FILE *f, const struct pm_event *ev,
			 const char *label, enum pm_field a, enum pm_field b,
			 const char *fmt)
{
	if (!pm_event_has(ev, a) && !pm_event_has(ev, b))
		return;
	fprintf(f, " %s=", label);
	if (pm_event_has(ev, a))
		fprintf(f, fmt, ev->num[a]);
	else
		fputs("?", f);
	fputs("->", f);
	if (pm_event_has(ev, b))
		fprintf(f, fmt, ev->num[b]);
	else
		fputs("?", f);
}

static void print_settime(FILE *f, const struct pm_event *ev,
			  const char *label, uint32_t set, uint32_t now,
			  enum pm_field val)
{
	uint64_t tf = ev->num[PM_F_TIME_FLAGS];
	char t[64];

	if (!(tf & set) && !(tf & now) && !pm_event_has(ev, val))
		return;
	if (tf & now) {
		fprintf(f, " %s=now", label);
	} else if (pm_event_has(ev, val)) {
		pm_text_time(ev->num[val], t, sizeof(t));
		fprintf(f, " %s=%s", label, t);
	}
}

void pm_text_event(FILE *f, const struct pm_event *ev)
{
	uint64_t op = ev->num[PM_F_OP];
	uint64_t flags = pm_event_has(ev, PM_F_FLAGS) ? ev->num[PM_F_FLAGS] : 0;
	char t[64];

	pm_text_time(ev->num[PM_F_TIME], t, sizeof(t));
	if (op == PREMOD_OP_LOST) {
		fprintf(f, "%s #%" PRIu64 " LOST %" PRIu64 " events (seq %"
			PRIu64 "..%" PRIu64 ")\n", t, ev->num[PM_F_SEQ],
			ev->num[PM_F_LOST_COUNT], ev->num[PM_F_LOST_FIRST],
			ev->num[PM_F_LOST_LAST]);
		return;
	}
	fprintf(f, "%s #%" PRIu64 " %s ", t, ev->num[PM_F_SEQ],
		pm_op_name((unsigned int)op));
	if (pm_event_has(ev, PM_F_COMM))
		pm_text_escape(f, pm_event_str(ev, PM_F_COMM));
	else
		fputs("?", f);
	fprintf(f, "[%" PRIu64 "]", ev->num[PM_F_TGID]);
	print_num(f, ev, PM_F_UID, "uid", "%" PRIu64);
	if (pm_event_has(ev, PM_F_EUID) && pm_event_has(ev, PM_F_UID) &&
	    ev->num[PM_F_EUID] != ev->num[PM_F_UID])
		print_num(f, ev, PM_F_EUID, "euid", "%" PRIu64);
	fputc(' ', f);
	print_path(f, ev, PM_F_PATH, PREMOD_F_PATH_TRUNCATED);
	if (flags & PREMOD_F_PATH_ERROR)
		fputs(" (unresolved)", f);
	if (flags & PREMOD_F_FS_RELATIVE)
		fprintf(f, " (fs-relative, dev %u:%u)",
			major((dev_t)ev->num[PM_F_DEV]),
			minor((dev_t)ev->num[PM_F_DEV]));

	switch (op) {
	case PREMOD_OP_CREATE:
		print_num(f, ev, PM_F_MODE, "mode", "%#" PRIo64);
		if (pm_event_has(ev, PM_F_RDEV) && ev->num[PM_F_RDEV])
			fprintf(f, " rdev=%u:%u",
				major((dev_t)ev->num[PM_F_RDEV]),
				minor((dev_t)ev->num[PM_F_RDEV]));
		break;
	case PREMOD_OP_MKDIR:
		print_num(f, ev, PM_F_MODE, "mode", "%#" PRIo64);
		break;
	case PREMOD_OP_UNLINK:
		print_num(f, ev, PM_F_NLINK, "nlink", "%" PRIu64);
		print_num(f, ev, PM_F_OLD_SIZE, "size", "%" PRIu64);
		break;
	case PREMOD_OP_RENAME:
		fputs(" -> ", f);
		print_path(f, ev, PM_F_PATH2, PREMOD_F_PATH2_TRUNCATED);
		if (pm_event_has(ev, PM_F_RENAME_FLAGS) &&
		    ev->num[PM_F_RENAME_FLAGS]) {
			uint64_t rf = ev->num[PM_F_RENAME_FLAGS];

			fputs(" flags=", f);
			fputs(rf & 1 ? "noreplace" : "", f);
			fputs(rf & 2 ? (rf & 1 ? "|exchange" : "exchange") : "", f);
			fputs(rf & 4 ? (rf & 3 ? "|whiteout" : "whiteout") : "", f);
			if (rf & ~7ULL)
				fprintf(f, "%s%#" PRIx64, rf & 7 ? "|" : "",
					(uint64_t)(rf & ~(uint64_t)7));
		}
		if (flags & PREMOD_F_REPLACES) {
			fputs(" replaces", f);
			print_num(f, ev, PM_F_TARGET_INO, "ino", "%" PRIu64);
		}
		break;
	case PREMOD_OP_LINK:
		fputs(" => ", f);
		print_path(f, ev, PM_F_PATH2, PREMOD_F_PATH2_TRUNCATED);
		break;
	case PREMOD_OP_SYMLINK:
		fputs(" target=", f);
		print_path(f, ev, PM_F_TARGET, PREMOD_F_TARGET_TRUNCATED);
		break;
	case PREMOD_OP_TRUNCATE:
		if (pm_event_has(ev, PM_F_NEW_SIZE))
			print_change(f, ev, "size", PM_F_OLD_SIZE,
				     PM_F_NEW_SIZE, "%" PRIu64);
		else
			print_num(f, ev, PM_F_OLD_SIZE, "size", "%" PRIu64);
		break;
	case PREMOD_OP_CHMOD:
		print_change(f, ev, "mode", PM_F_OLD_MODE, PM_F_NEW_MODE,
			     "%#" PRIo64);
		break;
	case PREMOD_OP_CHOWN:
		print_change(f, ev, "uid", PM_F_OLD_UID, PM_F_NEW_UID,
			     "%" PRIu64);
		print_change(f, ev, "gid", PM_F_OLD_GID, PM_F_NEW_GID,
			     "%" PRIu64);
		break;
	case PREMOD_OP_SETATTR:
		print_settime(f, ev, "atime", PREMOD_T_ATIME,
			      PREMOD_T_ATIME_NOW, PM_F_ATIME);
		print_settime(f, ev, "mtime", PREMOD_T_MTIME,
			      PREMOD_T_MTIME_NOW, PM_F_MTIME);
		break;
	case PREMOD_OP_OPEN_WRITE:
		if (pm_event_has(ev, PM_F_OPEN_FLAGS)) {
			fputs(" flags=", f);
			print_open_flags(f, ev->num[PM_F_OPEN_FLAGS]);
		}
		print_num(f, ev, PM_F_OLD_SIZE, "size", "%" PRIu64);
		break;
	case PREMOD_OP_SETXATTR:
	case PREMOD_OP_REMOVEXATTR:
		if (pm_event_has(ev, PM_F_XATTR_NAME)) {
			fputs(" xattr=", f);
			pm_text_escape(f, pm_event_str(ev, PM_F_XATTR_NAME));
		}
		print_num(f, ev, PM_F_XATTR_SIZE, "size", "%" PRIu64);
		break;
	default:
		break;
	}
	fputc('\n', f);
}

