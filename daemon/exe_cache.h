/* SPDX-License-Identifier: MIT */
/*
 * exe_cache.h - the `exe` field: /proc/<tgid>/exe, resolved when the event
 * is evaluated and cached per process.
 *
 * Events are evaluated after the fact, so the answer is best effort: the
 * process may have exited (then `exe` is absent) or exec'd since. A
 * readlink per event would cost more than the whole match, so answers are
 * cached by tgid for a short time (ttl_ns, 1 s by default) and dropped
 * earlier when the event's comm differs from the one the entry was
 * resolved with (an exec usually changes comm). Pid reuse within the TTL
 * with the same comm is the residual risk, accepted for an audit field.
 *
 * Not thread-safe: the evaluator thread owns it. The returned string is
 * valid until the next call.
 */
#ifndef PREMOD_DAEMON_EXE_CACHE_H
#define PREMOD_DAEMON_EXE_CACHE_H

#include <stdint.h>

struct exe_cache;

/* slots: rounded up to a power of two; ttl_ns 0 = default (1 s). */
struct exe_cache *exe_cache_new(unsigned int slots, uint64_t ttl_ns);
void exe_cache_free(struct exe_cache *c);
/*
 * The executable of tgid, or NULL when it cannot be read (gone, kernel
 * thread, no permission). comm may be NULL. now_ns: a monotonic clock.
 * *lookups (may be NULL) is incremented for each readlink done.
 */
const char *exe_cache_get(struct exe_cache *c, uint32_t tgid,
			  const char *comm, uint64_t now_ns, uint64_t *lookups);
/* Test hook: the /proc root (default "/proc"). */
void exe_cache_set_proc_root(struct exe_cache *c, const char *root);

#endif /* PREMOD_DAEMON_EXE_CACHE_H */
