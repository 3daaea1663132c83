/* SPDX-License-Identifier: MIT */
/*
 * event_text.h - the human one-line form of an event, as `premodctl
 * monitor` prints it:
 *
 *   TIME #SEQ OP COMM[TGID] uid=UID [euid=EUID] PATH [details]
 *
 * TIME is UTC, RFC 3339 with nanoseconds. Details by op: create/mkdir
 * mode=0100644 (octal, type bits kept) [rdev=M:N]; unlink nlink= size=;
 * rename "A -> B" [flags=noreplace|exchange|whiteout] [replaces ino=N];
 * link "A => B" (B is the new name); symlink target=T; truncate
 * size=OLD->NEW (or size=OLD); chmod mode=OLD->NEW; chown uid=O->N
 * gid=O->N; setattr atime=/mtime= (a time or "now"); open_write
 * flags=O_WRONLY|O_TRUNC|... size=N; setxattr/removexattr xattr=NAME
 * [size=N]. A LOST record reads "TIME #SEQ LOST N events (seq A..B)".
 * Path notes: "..." before a path the kernel cut at its start,
 * " (unresolved)" for a name the kernel could not resolve, " (fs-relative,
 * dev M:N)" for a path from its filesystem's root.
 *
 * Strings are escaped: control bytes, DEL, backslash and bytes that are
 * not valid UTF-8 (C1 controls included) print as \xNN.
 */
#ifndef PREMOD_DAEMON_EVENT_TEXT_H
#define PREMOD_DAEMON_EVENT_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"

/* One line, newline included. */
void pm_text_event(FILE *f, const struct pm_event *ev);

/* A string, escaped as above. */
void pm_text_escape(FILE *f, const char *s);

/* "2026-11-24T22:28:46.123456789Z"; a time before 1970 as "-123ns". */
void pm_text_time(uint64_t ns, char *buf, size_t len);

#endif /* PREMOD_DAEMON_EVENT_TEXT_H */
