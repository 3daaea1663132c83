/* SPDX-License-Identifier: MIT */
/*
 * decode.h - premod netlink messages to struct pm_event, without a library.
 *
 * The receive hot path of premodd and premodctl: no allocation, no copy.
 * String fields of the decoded event point into the message, so the
 * event lives only as long as the receive buffer.
 *
 * The kernel is trusted but its messages are still checked completely:
 * every attribute's length exactly (u32 is 4 bytes, u64 8), strings
 * NUL-terminated as their last byte with no NUL before it and within their
 * limit (comm 16 bytes, every other string PREMOD_PATH_MAX, the NUL
 * included), attributes that run past the message or past each other,
 * known attributes given twice, and the required SEQ and OP. Unknown
 * attribute types are skipped: attribute numbers are append-only, so a
 * newer module may send more than this build knows. An op number this build
 * does not know is rejected, though, because consumers index tables by op.
 *
 * Errors are -EBADMSG with a one-line description in `err` naming the
 * attribute ("attribute path (22): ..."); `err` may be NULL.
 *
 * A multicast datagram carries several netlink messages (a batch); walk
 * it with pm_nl_iter:
 *
 *	struct pm_nl_iter it;
 *	const struct nlmsghdr *nlh;
 *	pm_nl_iter_init(&it, buf, n);
 *	while ((r = pm_nl_iter_next(&it, &nlh, err, sizeof(err))) > 0)
 *		if (pm_decode_event(nlh, family, &ev, err, sizeof(err)) == 0)
 *			...;
 *	if (r < 0) the rest of the datagram was malformed (err says how).
 */
#ifndef PREMOD_DAEMON_DECODE_H
#define PREMOD_DAEMON_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "event.h"

struct pm_nl_iter {
	const unsigned char *pos;
	size_t left;
};

static inline void pm_nl_iter_init(struct pm_nl_iter *it, const void *buf,
				   size_t len)
{
	it->pos = buf;
	it->left = len;
}

/*
 * Next message of the datagram: 1 with *nlh set, 0 at the end, -EBADMSG
 * when a header or a length does not fit (the rest is skipped).
 * The iterator yields every message, NLMSG_ERROR/NOOP/DONE included: the
 * decoders below tell what is not theirs.
 */
int pm_nl_iter_next(struct pm_nl_iter *it, const struct nlmsghdr **nlh,
		    char *err, size_t errlen);

/*
 * Decodes one PREMOD_CMD_EVENT message into *ev (cleared first).
 * `family` is the resolved generic netlink family id; 0 accepts any.
 * Returns 0; -ENOMSG when the message is not a premod event (another
 * type or command: skip it, not an error); -EBADMSG when it is malformed.
 */
int pm_decode_event(const struct nlmsghdr *nlh, uint16_t family,
		    struct pm_event *ev, char *err, size_t errlen);

/*
 * The same over the attribute stream of an event (the bytes after the
 * genlmsghdr), for callers that parse the headers themselves.
 */
int pm_decode_event_attrs(const void *attrs, size_t len, struct pm_event *ev,
			  char *err, size_t errlen);

/*
 * Decodes one PREMOD_CMD_ALERT message: *record points at the JSON text
 * in the message (NUL-terminated, at most PREMOD_RECORD_MAX bytes with
 * the NUL); *seq is the event's sequence number or 0 if absent.
 * Returns 0, -ENOMSG or -EBADMSG as pm_decode_event.
 */
int pm_decode_alert(const struct nlmsghdr *nlh, uint16_t family,
		    const char **record, uint64_t *seq, char *err,
		    size_t errlen);

/* Lowercase name of an attribute ("path", "version"); NULL if unknown. */
const char *pm_attr_name(unsigned int type);

#endif /* PREMOD_DAEMON_DECODE_H */
