// SPDX-License-Identifier: MIT
/*
 * check_decode.c - netlink decoding from crafted buffers, well-formed and
 * malformed. The builder below writes messages the way the kernel's
 * nla_put_* do (4-byte aligned, zero padded), so the good cases are what
 * premod.ko sends and each bad case changes one thing.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "decode.h"
#include "premod.h"

#define FAMILY 0x1d

struct msgbuf {
	_Alignas(8) unsigned char b[3 * PREMOD_PATH_MAX * 2];
	size_t len;		/* bytes of the datagram */
	size_t msg;		/* offset of the message being built */
};

static void msg_begin(struct msgbuf *m, uint16_t type, uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *gh;

	m->len = NLMSG_ALIGN(m->len);
	m->msg = m->len;
	nlh = (struct nlmsghdr *)(m->b + m->msg);
	memset(nlh, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_type = type;
	gh = (struct genlmsghdr *)(m->b + m->msg + NLMSG_HDRLEN);
	gh->cmd = cmd;
	gh->version = PREMOD_GENL_VERSION;
	m->len += NLMSG_HDRLEN + GENL_HDRLEN;
}

static void msg_end(struct msgbuf *m)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(m->b + m->msg);

	nlh->nlmsg_len = (uint32_t)(m->len - m->msg);
}

static void put_attr(struct msgbuf *m, uint16_t type, const void *data,
		     size_t len)
{
	struct nlattr nla = { .nla_len = (uint16_t)(NLA_HDRLEN + len),
			      .nla_type = type };

	ck_assert_uint_lt(m->len + NLA_ALIGN(NLA_HDRLEN + len), sizeof(m->b));
	memcpy(m->b + m->len, &nla, sizeof(nla));
	if (len)
		memcpy(m->b + m->len + NLA_HDRLEN, data, len);
	memset(m->b + m->len + NLA_HDRLEN + len, 0,
	       NLA_ALIGN(len) - len);
	m->len += NLA_ALIGN(NLA_HDRLEN + len);
}

static void put_u32(struct msgbuf *m, uint16_t type, uint32_t v)
{
	put_attr(m, type, &v, sizeof(v));
}

static void put_u64(struct msgbuf *m, uint16_t type, uint64_t v)
{
	put_attr(m, type, &v, sizeof(v));
}

static void put_str(struct msgbuf *m, uint16_t type, const char *s)
{
	put_attr(m, type, s, strlen(s) + 1);
}

/* A complete CHMOD event, as the kernel would send it. */
static void put_chmod_attrs(struct msgbuf *m, uint64_t seq)
{
	put_u64(m, PREMOD_A_SEQ, seq);
	put_u64(m, PREMOD_A_TIME, 1764023326123456789ULL);
	put_u32(m, PREMOD_A_OP, PREMOD_OP_CHMOD);
	put_u32(m, PREMOD_A_FLAGS, 0);
	put_u32(m, PREMOD_A_PID, 4242);
	put_u32(m, PREMOD_A_TGID, 4241);
	put_u32(m, PREMOD_A_PPID, 1);
	put_u32(m, PREMOD_A_UID, 1000);
	put_u32(m, PREMOD_A_AUID, 4294967295U);
	put_str(m, PREMOD_A_COMM, "chmod");
	put_u64(m, PREMOD_A_CGROUP, 1ULL << 40);
	put_u64(m, PREMOD_A_INO, 131);
	put_u32(m, PREMOD_A_MODE, 0100644);
	put_str(m, PREMOD_A_PATH, "/etc/shadow");
	put_u32(m, PREMOD_A_OLD_MODE, 0100640);
	put_u32(m, PREMOD_A_NEW_MODE, 0104755);
}

static struct msgbuf *chmod_msg(void)
{
	struct msgbuf *m = calloc(1, sizeof(*m));

	msg_begin(m, FAMILY, PREMOD_CMD_EVENT);
	put_chmod_attrs(m, 7);
	msg_end(m);
	return m;
}

static const struct nlmsghdr *first(struct msgbuf *m)
{
	return (const struct nlmsghdr *)m->b;
}

START_TEST(test_good_event)
{
	struct msgbuf *m = chmod_msg();
	struct pm_event ev;
	char err[256] = "";

	ck_assert_int_eq(pm_decode_event(first(m), FAMILY, &ev, err,
					 sizeof(err)), 0);
	ck_assert_uint_eq(ev.num[PM_F_SEQ], 7);
	ck_assert_uint_eq(ev.num[PM_F_TIME], 1764023326123456789ULL);
	ck_assert_uint_eq(ev.num[PM_F_OP], PREMOD_OP_CHMOD);
	ck_assert_uint_eq(ev.num[PM_F_PID], 4242);
	ck_assert_uint_eq(ev.num[PM_F_TGID], 4241);
	ck_assert_uint_eq(ev.num[PM_F_AUID], 4294967295U);
	ck_assert_uint_eq(ev.num[PM_F_CGROUP], 1ULL << 40);
	ck_assert_uint_eq(ev.num[PM_F_OLD_MODE], 0100640);
	ck_assert_uint_eq(ev.num[PM_F_NEW_MODE], 0104755);
	ck_assert_str_eq(pm_event_str(&ev, PM_F_COMM), "chmod");
	ck_assert_str_eq(pm_event_str(&ev, PM_F_PATH), "/etc/shadow");
	/* Zero copy: the string points into the message. */
	ck_assert((const unsigned char *)pm_event_str(&ev, PM_F_PATH) > m->b);
	ck_assert((const unsigned char *)pm_event_str(&ev, PM_F_PATH) <
		  m->b + m->len);
	/* Only what was sent is present. */
	ck_assert(!pm_event_has(&ev, PM_F_GID));
	ck_assert(!pm_event_has(&ev, PM_F_PATH2));
	ck_assert(!pm_event_has(&ev, PM_F_NAME));
	ck_assert_ptr_null(pm_event_str(&ev, PM_F_PATH2));
	free(m);
}
END_TEST

/* Every event attribute at once, each value distinct: the mapping. */
START_TEST(test_every_attribute)
{
	struct msgbuf *m = calloc(1, sizeof(*m));
	struct pm_event ev;
	char err[256] = "";

	msg_begin(m, FAMILY, PREMOD_CMD_EVENT);
	for (int a = PREMOD_A_SEQ; a <= PREMOD_A_LOST_LAST; a++) {
		const char *name = pm_attr_name(a);
		int f = pm_field_lookup(name);

		ck_assert_int_ge(f, 0);
		if (f >= PM_F_NUM_COUNT) {
			put_str(m, a, name);
		} else if (a == PREMOD_A_OP) {
			put_u32(m, a, PREMOD_OP_RENAME);
		} else {
			/* u64 or u32 according to the header comment. */
			switch (a) {
			case PREMOD_A_SEQ: case PREMOD_A_TIME:
			case PREMOD_A_CGROUP: case PREMOD_A_INO:
			case PREMOD_A_OLD_SIZE: case PREMOD_A_NEW_SIZE:
			case PREMOD_A_TARGET_INO: case PREMOD_A_ATIME:
			case PREMOD_A_MTIME: case PREMOD_A_LOST_COUNT:
			case PREMOD_A_LOST_FIRST: case PREMOD_A_LOST_LAST:
				put_u64(m, a, 0x100000000ULL * a + a);
				break;
			default:
				put_u32(m, a, 1000 + a);
			}
		}
	}
	msg_end(m);
	ck_assert_int_eq(pm_decode_event(first(m), 0, &ev, err, sizeof(err)),
			 0);
	for (int a = PREMOD_A_SEQ; a <= PREMOD_A_LOST_LAST; a++) {
		int f = pm_field_lookup(pm_attr_name(a));

		ck_assert_msg(pm_event_has(&ev, f), "field %s",
			      pm_fields[f].name);
		if (f >= PM_F_NUM_COUNT)
			ck_assert_str_eq(pm_event_str(&ev, f), pm_attr_name(a));
		else if (a != PREMOD_A_OP)
			ck_assert_uint_eq(ev.num[f] & 0xffffffff,
					  (ev.num[f] >> 32) ? (uint64_t)a
							    : 1000U + a);
	}
	ck_assert_uint_eq(ev.num[PM_F_OP], PREMOD_OP_RENAME);
	free(m);
}
END_TEST

START_TEST(test_unknown_attributes_skipped)
{
	struct msgbuf *m = calloc(1, sizeof(*m));
	struct pm_event ev;
	char err[256] = "";
	unsigned char blob[13] = "future stuff";

	msg_begin(m, FAMILY, PREMOD_CMD_EVENT);
	put_attr(m, __PREMOD_A_MAX + 3, blob, sizeof(blob));
	put_u64(m, PREMOD_A_SEQ, 1);
	put_attr(m, 1000, blob, 3);
	put_u32(m, PREMOD_A_OP, PREMOD_OP_UNLINK);
	put_u32(m, PREMOD_A_VERSION, 1);	/* not an event attribute */
	put_attr(m, PAD_PREMOD_A, NULL, 0);
	put_attr(m, 0, blob, 5);		/* UNSPEC */
	put_str(m, PREMOD_A_PATH, "/x");
	msg_end(m);
	ck_assert_int_eq(pm_decode_event(first(m), FAMILY, &ev, err,
					 sizeof(err)), 0);
	ck_assert_str_eq(pm_event_str(&ev, PM_F_PATH), "/x");
	ck_assert_uint_eq(ev.num[PM_F_OP], PREMOD_OP_UNLINK);
	free(m);
}
END_TEST

START_TEST(test_nested_flag_masked)
{
	struct msgbuf *m = calloc(1, sizeof(*m));
	struct pm_event ev;

	msg_begin(m, FAMILY, PREMOD_CMD_EVENT);
	put_u64(m, PREMOD_A_SEQ | NLA_F_NET_BYTEORDER, 9);
	put_u32(m, PREMOD_A_OP, PREMOD_OP_MKDIR);
	msg_end(m);
	ck_assert_int_eq(pm_decode_event(first(m), FAMILY, &ev, NULL, 0), 0);
	ck_assert_uint_eq(ev.num[PM_F_SEQ], 9);
	free(m);
}
END_TEST

START_TEST(test_not_ours)
{
	struct msgbuf *m = chmod_msg();
	struct pm_event ev;
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->b;
	struct genlmsghdr *gh = (struct genlmsghdr *)(m->b + NLMSG_HDRLEN);

	/* Another family. */
	ck_assert_int_eq(pm_decode_event(nlh, FAMILY + 1, &ev, NULL, 0),
			 -ENOMSG);
	/* Family 0 accepts any. */
	ck_assert_int_eq(pm_decode_event(nlh, 0, &ev, NULL, 0), 0);
	/* Another command. */
	gh->cmd = PREMOD_CMD_ALERT;
	ck_assert_int_eq(pm_decode_event(nlh, FAMILY, &ev, NULL, 0), -ENOMSG);
	gh->cmd = PREMOD_CMD_EVENT;
	/* Control messages. */
	nlh->nlmsg_type = NLMSG_NOOP;
	ck_assert_int_eq(pm_decode_event(nlh, 0, &ev, NULL, 0), -ENOMSG);
	nlh->nlmsg_type = NLMSG_ERROR;
	ck_assert_int_eq(pm_decode_event(nlh, 0, &ev, NULL, 0), -ENOMSG);
	free(m);
}
END_TEST

START_TEST(test_short_for_genl_header)
{
	struct msgbuf *m = chmod_msg();
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->b;
	struct pm_event ev;
	char err[256] = "";

	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	ck_assert_int_eq(pm_decode_event(nlh, FAMILY, &ev, err, sizeof(err)),
			 -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "too short"));
	free(m);
}
END_TEST

/*
 * Malformed attribute streams: each case builds a message with one defect
 * and names the text the error must contain.
 */
enum defect {
	D_U32_SHORT, D_U32_LONG, D_U64_SHORT, D_U64_AS_U32, D_STR_NO_NUL,
	D_STR_EMPTY, D_STR_EMBEDDED_NUL, D_STR_TOO_LONG, D_COMM_TOO_LONG,
	D_DUPLICATE, D_NO_SEQ, D_NO_OP, D_OP_ZERO, D_OP_UNKNOWN,
	D_ATTR_PAST_END, D_ATTR_LEN_BELOW_HDR, D_TRAILING_BYTES,
	D_PATH_MAX_OK, D_COMM_MAX_OK, D_EMPTY_STR_OK, D_UNPADDED_LAST_OK,
};

static const struct {
	enum defect d;
	const char *expect;	/* substring of err; NULL: must decode */
} bad_cases[] = {
	{ D_U32_SHORT, "attribute uid (8): u32 with a payload of 2 bytes" },
	{ D_U32_LONG, "attribute uid (8): u32 with a payload of 8 bytes" },
	{ D_U64_SHORT, "attribute seq (1): u64 with a payload of 7 bytes" },
	{ D_U64_AS_U32, "attribute ino (20): u64 with a payload of 4 bytes" },
	{ D_STR_NO_NUL, "attribute path (22): string not NUL-terminated" },
	{ D_STR_EMPTY, "attribute path2 (23): empty string payload" },
	{ D_STR_EMBEDDED_NUL, "attribute path (22): NUL at byte 4 of 9" },
	{ D_STR_TOO_LONG, "attribute target (24): string of 4097 bytes" },
	{ D_COMM_TOO_LONG, "attribute comm (16): string of 17 bytes" },
	{ D_DUPLICATE, "attribute path (22): given twice" },
	{ D_NO_SEQ, "event without attribute seq" },
	{ D_NO_OP, "event without attribute op" },
	{ D_OP_ZERO, "op 0 is unknown" },
	{ D_OP_UNKNOWN, "op 99 is unknown" },
	{ D_ATTR_PAST_END, "does not fit" },
	{ D_ATTR_LEN_BELOW_HDR, "does not fit" },
	{ D_TRAILING_BYTES, "trailing bytes" },
	{ D_PATH_MAX_OK, NULL },
	{ D_COMM_MAX_OK, NULL },
	{ D_EMPTY_STR_OK, NULL },
	{ D_UNPADDED_LAST_OK, NULL },
};

START_TEST(test_malformed)
{
	enum defect d = bad_cases[_i].d;
	const char *expect = bad_cases[_i].expect;
	struct msgbuf *m = calloc(1, sizeof(*m));
	static char big[PREMOD_PATH_MAX + 1];
	struct pm_event ev;
	char err[256] = "";
	int ret;

	msg_begin(m, FAMILY, PREMOD_CMD_EVENT);
	if (d != D_NO_SEQ)
		put_u64(m, PREMOD_A_SEQ, 5);
	if (d != D_NO_OP)
		put_u32(m, PREMOD_A_OP, d == D_OP_ZERO ? 0 :
			d == D_OP_UNKNOWN ? 99 : PREMOD_OP_RENAME);
	put_str(m, PREMOD_A_PATH, "/a");

	switch (d) {
	case D_U32_SHORT:
		put_attr(m, PREMOD_A_UID, "\1\2", 2);
		break;
	case D_U32_LONG:
		put_u64(m, PREMOD_A_UID, 1);
		break;
	case D_U64_SHORT:
		/* seq given first by the builder: rebuild with a bad one. */
		m->len = m->msg + NLMSG_HDRLEN + GENL_HDRLEN;
		put_attr(m, PREMOD_A_SEQ, "1234567", 7);
		break;
	case D_U64_AS_U32:
		put_u32(m, PREMOD_A_INO, 1);
		break;
	case D_STR_NO_NUL:
		m->len = m->msg + NLMSG_HDRLEN + GENL_HDRLEN;
		put_attr(m, PREMOD_A_PATH, "/etc", 4);
		break;
	case D_STR_EMPTY:
		put_attr(m, PREMOD_A_PATH2, NULL, 0);
		break;
	case D_STR_EMBEDDED_NUL:
		m->len = m->msg + NLMSG_HDRLEN + GENL_HDRLEN;
		put_attr(m, PREMOD_A_PATH, "/etc\0abc", 9);
		break;
	case D_STR_TOO_LONG:
		memset(big, 'a', PREMOD_PATH_MAX);
		big[PREMOD_PATH_MAX] = '\0';
		put_str(m, PREMOD_A_TARGET, big);
		break;
	case D_COMM_TOO_LONG:
		put_str(m, PREMOD_A_COMM, "0123456789abcdef");
		break;
	case D_DUPLICATE:
		put_str(m, PREMOD_A_PATH, "/b");
		break;
	case D_ATTR_PAST_END:
		put_str(m, PREMOD_A_PATH2, "/b");
		/* Claim more than the message holds. */
		((struct nlattr *)(m->b + m->len - 8))->nla_len = 64;
		break;
	case D_ATTR_LEN_BELOW_HDR:
		put_str(m, PREMOD_A_PATH2, "/b");
		((struct nlattr *)(m->b + m->len - 8))->nla_len = 2;
		break;
	case D_TRAILING_BYTES:
		memset(m->b + m->len, 0, 3);
		m->len += 3;
		break;
	case D_PATH_MAX_OK:
		memset(big, 'a', PREMOD_PATH_MAX - 1);
		big[PREMOD_PATH_MAX - 1] = '\0';
		put_str(m, PREMOD_A_PATH2, big);
		break;
	case D_COMM_MAX_OK:
		put_str(m, PREMOD_A_COMM, "0123456789abcde");
		break;
	case D_EMPTY_STR_OK:
		put_str(m, PREMOD_A_TARGET, "");
		break;
	case D_UNPADDED_LAST_OK:
		put_attr(m, PREMOD_A_PATH2, "/b", 3);
		m->len -= 1;	/* the pad byte is not sent */
		break;
	default:
		break;
	}
	msg_end(m);

	ret = pm_decode_event(first(m), FAMILY, &ev, err, sizeof(err));
	if (!expect) {
		ck_assert_msg(ret == 0, "case %d: %s", d, err);
	} else {
		ck_assert_int_eq(ret, -EBADMSG);
		ck_assert_msg(strstr(err, expect), "case %d: got \"%s\", want \"%s\"",
			      d, err, expect);
	}
	/* The error text is always a full sentence, never empty. */
	if (ret)
		ck_assert_uint_gt(strlen(err), 10);
	/* NULL err is allowed. */
	ck_assert_int_eq(pm_decode_event(first(m), FAMILY, &ev, NULL, 0), ret);
	free(m);
}
END_TEST

/* Truncating a good message anywhere never reads past the cut. */
START_TEST(test_truncated_everywhere)
{
	struct msgbuf *m = chmod_msg();
	size_t full = m->len;

	for (size_t cut = 0; cut < full; cut++) {
		unsigned char *copy = malloc(cut ? cut : 1);
		struct nlmsghdr *nlh;
		struct pm_nl_iter it;
		const struct nlmsghdr *got;
		struct pm_event ev;
		char err[256];
		int r;

		memcpy(copy, m->b, cut);
		/* A datagram cut short: the iterator refuses it. */
		pm_nl_iter_init(&it, copy, cut);
		r = pm_nl_iter_next(&it, &got, err, sizeof(err));
		ck_assert_msg(r == (cut == 0 ? 0 : -EBADMSG), "cut %zu: %d",
			      cut, r);
		/* A message whose own length says it was cut. */
		if (cut >= NLMSG_HDRLEN) {
			nlh = (struct nlmsghdr *)copy;
			nlh->nlmsg_len = (uint32_t)cut;
			r = pm_decode_event(nlh, FAMILY, &ev, err,
					    sizeof(err));
			/* Cutting at an attribute boundary leaves a valid
			 * message only once seq and op are in. */
			ck_assert_msg(r == 0 || r == -EBADMSG, "cut %zu", cut);
		}
		free(copy);
	}
	free(m);
}
END_TEST

START_TEST(test_batch)
{
	struct msgbuf *m = calloc(1, sizeof(*m));
	struct pm_nl_iter it;
	const struct nlmsghdr *nlh;
	struct pm_event ev;
	char err[256];
	uint64_t want = 100;
	int n = 0, r;

	for (int i = 0; i < 5; i++) {
		msg_begin(m, FAMILY, PREMOD_CMD_EVENT);
		put_chmod_attrs(m, 100 + i);
		if (i == 2)	/* odd length: the next message is padded */
			put_str(m, PREMOD_A_PATH2, "/odd");
		msg_end(m);
	}
	pm_nl_iter_init(&it, m->b, m->len);
	while ((r = pm_nl_iter_next(&it, &nlh, err, sizeof(err))) > 0) {
		ck_assert_int_eq(pm_decode_event(nlh, FAMILY, &ev, err,
						 sizeof(err)), 0);
		ck_assert_uint_eq(ev.num[PM_F_SEQ], want++);
		n++;
	}
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(n, 5);
	ck_assert_ptr_null(nlh);
	free(m);
}
END_TEST

START_TEST(test_batch_bad_length)
{
	struct msgbuf *m = calloc(1, sizeof(*m));
	struct pm_nl_iter it;
	const struct nlmsghdr *nlh;
	char err[256] = "";
	size_t second;

	msg_begin(m, FAMILY, PREMOD_CMD_EVENT);
	put_chmod_attrs(m, 1);
	msg_end(m);
	second = NLMSG_ALIGN(m->len);
	msg_begin(m, FAMILY, PREMOD_CMD_EVENT);
	put_chmod_attrs(m, 2);
	msg_end(m);
	((struct nlmsghdr *)(m->b + second))->nlmsg_len = 4096;

	pm_nl_iter_init(&it, m->b, m->len);
	ck_assert_int_eq(pm_nl_iter_next(&it, &nlh, err, sizeof(err)), 1);
	ck_assert_int_eq(pm_nl_iter_next(&it, &nlh, err, sizeof(err)),
			 -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "length 4096"));
	/* The rest of the datagram is abandoned, not re-read. */
	ck_assert_int_eq(pm_nl_iter_next(&it, &nlh, err, sizeof(err)), 0);

	/* A length below the header is refused too (no endless loop). */
	((struct nlmsghdr *)(m->b + second))->nlmsg_len = 0;
	pm_nl_iter_init(&it, m->b, m->len);
	ck_assert_int_eq(pm_nl_iter_next(&it, &nlh, err, sizeof(err)), 1);
	ck_assert_int_eq(pm_nl_iter_next(&it, &nlh, err, sizeof(err)),
			 -EBADMSG);
	free(m);
}
END_TEST

START_TEST(test_alert)
{
	struct msgbuf *m = calloc(1, sizeof(*m));
	const char *rec = "{\"rule\":\"etc-shadow\"}";
	const char *got;
	uint64_t seq;
	char err[256] = "";

	msg_begin(m, FAMILY, PREMOD_CMD_ALERT);
	put_str(m, PREMOD_A_RECORD, rec);
	put_u64(m, PREMOD_A_SEQ, 77);
	msg_end(m);
	ck_assert_int_eq(pm_decode_alert(first(m), FAMILY, &got, &seq, err,
					 sizeof(err)), 0);
	ck_assert_str_eq(got, rec);
	ck_assert_uint_eq(seq, 77);

	/* An event is not an alert. */
	{
		struct msgbuf *ev = chmod_msg();

		ck_assert_int_eq(pm_decode_alert(first(ev), FAMILY, &got, &seq,
						 err, sizeof(err)), -ENOMSG);
		free(ev);
	}

	/* No record. */
	m->len = 0;
	msg_begin(m, FAMILY, PREMOD_CMD_ALERT);
	put_u64(m, PREMOD_A_SEQ, 77);
	msg_end(m);
	ck_assert_int_eq(pm_decode_alert(first(m), FAMILY, &got, &seq, err,
					 sizeof(err)), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "without attribute record"));

	/* Record not terminated. */
	m->len = 0;
	msg_begin(m, FAMILY, PREMOD_CMD_ALERT);
	put_attr(m, PREMOD_A_RECORD, "{}", 2);
	msg_end(m);
	ck_assert_int_eq(pm_decode_alert(first(m), FAMILY, &got, &seq, err,
					 sizeof(err)), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "record"));
	free(m);
}
END_TEST

static Suite *decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *tc = tcase_create("event");

	tcase_add_test(tc, test_good_event);
	tcase_add_test(tc, test_every_attribute);
	tcase_add_test(tc, test_unknown_attributes_skipped);
	tcase_add_test(tc, test_nested_flag_masked);
	tcase_add_test(tc, test_not_ours);
	tcase_add_test(tc, test_short_for_genl_header);
	tcase_add_loop_test(tc, test_malformed, 0,
			    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_truncated_everywhere);
	suite_add_tcase(s, tc);

	tc = tcase_create("datagram");
	tcase_add_test(tc, test_batch);
	tcase_add_test(tc, test_batch_bad_length);
	tcase_add_test(tc, test_alert);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(decode_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
