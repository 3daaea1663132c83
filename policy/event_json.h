/* SPDX-License-Identifier: MIT */
/*
 * event_json.h - the JSON form of an event: `premodctl monitor --json`
 * writes it, `premodd --replay` reads it, records embed its fields.
 *
 * The format is stable. One JSON object per event:
 *   - keys are the field names of event.h (the lowercase PREMOD_A_* names),
 *     in the order of the attribute numbers; only fields the event carries;
 *     derived fields (name, dir, exe) are not written;
 *   - "op" is the op's lowercase name ("open_write"), a LOST record has
 *     op "lost";
 *   - every other number, modes included, is a JSON integer. Numbers are
 *     64-bit; a value of 2^63 or more (an overlayfs xino inode number, a
 *     time before 1970 in atime/mtime) is written as the negative number
 *     with the same 64 bits, the range a JSON parser with 64-bit signed
 *     integers (jansson) reads back exactly;
 *   - strings are written as JSON strings when they are valid UTF-8. A
 *     path is bytes, not text: when a string is not valid UTF-8, each
 *     invalid byte is written as U+FFFD and a second key "<name>_hex"
 *     carries the exact bytes in lowercase hex ("path_hex": "2f746d70ff").
 *     Readers that want the exact bytes prefer "<name>_hex".
 *   - compact: no whitespace ({"seq":1,"time":...}).
 *
 * Reading (pm_event_from_json) accepts any subset of the fields, ignores
 * unknown keys, takes "op" by name, a mode as an integer or an octal
 * string ("4755"), null as absent, and also "exe" (so a replay can test
 * rules on the executable, which the daemon otherwise resolves from /proc).
 * A wrong type or an out-of-range value is an error naming the key.
 */
#ifndef PREMOD_POLICY_EVENT_JSON_H
#define PREMOD_POLICY_EVENT_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "event.h"

/*
 * Buffer size that always suffices for pm_event_render_json() of an event
 * decoded from the kernel (string lengths within the contract's limits).
 */
#define PM_EVENT_JSON_MAX	(512 * 1024)

/* New reference, or NULL on allocation failure. */
json_t *pm_event_to_json(const struct pm_event *ev);

/*
 * Renders the same JSON as json_dumps(pm_event_to_json(ev), JSON_COMPACT),
 * byte for byte, without allocating. Writes a NUL-terminated object into
 * buf and returns its length, or -ENOSPC when len does not suffice.
 */
int pm_event_render_json(const struct pm_event *ev, char *buf, size_t len);

/*
 * The members alone, `"seq":1,"time":2,...` without braces, for writers
 * that embed the event's fields in a larger object (audit records).
 * Returns the length or -ENOSPC; an event without fields renders "".
 */
int pm_event_render_json_fields(const struct pm_event *ev, char *buf,
				size_t len);

/*
 * Fills *ev (cleared first) from a JSON object. String fields are copied
 * into `store` (storelen bytes, owned by the caller, must outlive the
 * event); the sum of the strings' lengths plus one NUL each suffices.
 * Derived name/dir are not set: call pm_event_derive() afterwards.
 * Returns 0; -EINVAL with a message in err naming the key ("key \"uid\":
 * expected an integer, got a string"); -ENOSPC when store is too small.
 */
int pm_event_from_json(const json_t *obj, struct pm_event *ev, char *store,
		       size_t storelen, char *err, size_t errlen);

/*
 * One line of `premodctl monitor --json` output: parses it and fills *ev
 * as above. JSON syntax errors are reported with their column.
 */
int pm_event_from_json_line(const char *line, size_t len,
			    struct pm_event *ev, char *store, size_t storelen,
			    char *err, size_t errlen);

/*
 * Length of the valid UTF-8 sequence that starts s (n bytes left), 0 when
 * s[0] does not start one (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF, which is what jansson accepts). Whatever emits
 * text (JSON, syslog, stdout) escapes a path's other bytes with it.
 */
size_t pm_utf8_len(const unsigned char *s, size_t n);

#endif /* PREMOD_POLICY_EVENT_JSON_H */
