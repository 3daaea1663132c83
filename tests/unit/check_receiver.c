// SPDX-License-Identifier: MIT
/*
 * check_receiver - crafted netlink datagrams through the receiver's
 * per-datagram path: events queued in order with their strings copied,
 * gaps and kernel LOST records turned into loss items ahead of the event
 * that revealed them, malformed messages counted and skipped, a full
 * queue counted as "queue" loss.
 */
#include <check.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <stdlib.h>
#include <string.h>

#include "premod.h"
#include "receiver.h"

#define FAMILY 0x1c

static char dgram[65536];
static size_t dlen;

static void dg_reset(void)
{
	dlen = 0;
}

static struct nlmsghdr *msg_start(uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(dgram + dlen);
	struct genlmsghdr *g;

	nlh->nlmsg_type = FAMILY;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = PREMOD_GENL_VERSION;
	return nlh;
}

static void msg_end(struct nlmsghdr *nlh)
{
	dlen += MNL_ALIGN(nlh->nlmsg_len);
}

static void add_event(uint64_t seq, const char *path)
{
	struct nlmsghdr *nlh = msg_start(PREMOD_CMD_EVENT);

	mnl_attr_put_u64(nlh, PREMOD_A_SEQ, seq);
	mnl_attr_put_u64(nlh, PREMOD_A_TIME, 1000 + seq);
	mnl_attr_put_u32(nlh, PREMOD_A_OP, PREMOD_OP_UNLINK);
	mnl_attr_put_u32(nlh, PREMOD_A_TGID, 42);
	mnl_attr_put_strz(nlh, PREMOD_A_PATH, path);
	msg_end(nlh);
}

static void add_lost(uint64_t count, uint64_t first, uint64_t last)
{
	struct nlmsghdr *nlh = msg_start(PREMOD_CMD_EVENT);

	mnl_attr_put_u64(nlh, PREMOD_A_SEQ, last);
	mnl_attr_put_u64(nlh, PREMOD_A_TIME, 5);
	mnl_attr_put_u32(nlh, PREMOD_A_OP, PREMOD_OP_LOST);
	mnl_attr_put_u32(nlh, PREMOD_A_FLAGS, 0);
	mnl_attr_put_u64(nlh, PREMOD_A_LOST_COUNT, count);
	mnl_attr_put_u64(nlh, PREMOD_A_LOST_FIRST, first);
	mnl_attr_put_u64(nlh, PREMOD_A_LOST_LAST, last);
	msg_end(nlh);
}

static void add_bad(void)
{
	struct nlmsghdr *nlh = msg_start(PREMOD_CMD_EVENT);

	/* a u32 where a u64 belongs, and no OP */
	mnl_attr_put_u32(nlh, PREMOD_A_SEQ, 1);
	msg_end(nlh);
}

struct fixture {
	struct evq q;
	struct stats st;
	struct receiver r;
};

static void setup(struct fixture *f, size_t cap)
{
	ck_assert_int_eq(evq_init(&f->q, cap), 0);
	ck_assert_int_eq(stats_init(&f->st), 0);
	ck_assert_int_eq(receiver_init(&f->r, -1, FAMILY, &f->q, &f->st), 0);
}

static void teardown(struct fixture *f)
{
	receiver_destroy(&f->r);
	evq_destroy(&f->q);
	stats_destroy(&f->st);
}

/* Flattens the queue into "e<seq>" / "l<first>-<last>:<count>:<reason>". */
static void drain(struct fixture *f, char *out, size_t len)
{
	struct evq_item *it, *next;
	size_t n;
	bool closed;

	out[0] = '\0';
	for (it = evq_pop_all(&f->q, 0, &n, &closed); it; it = next) {
		char one[96];

		next = it->next;
		if (it->kind == EVQ_EVENT)
			snprintf(one, sizeof(one), "e%llu ",
				 (unsigned long long)it->ev.num[PM_F_SEQ]);
		else
			snprintf(one, sizeof(one), "l%llu-%llu:%llu:%s ",
				 (unsigned long long)it->lost.first,
				 (unsigned long long)it->lost.last,
				 (unsigned long long)it->lost.count,
				 it->lost.reason);
		strncat(out, one, len - strlen(out) - 1);
		evq_item_free(it);
	}
}

START_TEST(test_batch_in_order)
{
	struct fixture f;
	char got[512];

	setup(&f, 64);
	dg_reset();
	add_event(1, "/etc/a");
	add_event(2, "/etc/b");
	add_event(3, "/etc/c");
	receiver_datagram(&f.r, dgram, dlen, 0);
	{
		size_t n;
		bool closed;
		struct evq_item *it = evq_pop_all(&f.q, 0, &n, &closed), *nx;

		ck_assert_uint_eq(n, 3);
		/* strings were copied out of the datagram */
		memset(dgram, 0, sizeof(dgram));
		ck_assert_str_eq(pm_event_str(&it->ev, PM_F_PATH), "/etc/a");
		ck_assert_uint_eq(it->ev.num[PM_F_TGID], 42);
		for (; it; it = nx) {
			nx = it->next;
			evq_item_free(it);
		}
	}
	ck_assert_uint_eq(atomic_load(&f.st.received), 3);
	drain(&f, got, sizeof(got));
	ck_assert_str_eq(got, "");
	teardown(&f);
}
END_TEST

START_TEST(test_kernel_lost_in_place)
{
	struct fixture f;
	char got[512];

	setup(&f, 64);
	dg_reset();
	add_event(1, "/a");
	add_lost(3, 2, 4);	/* the kernel's LOST takes the place of 2..4 */
	add_event(5, "/a");
	receiver_datagram(&f.r, dgram, dlen, 0);
	drain(&f, got, sizeof(got));
	ck_assert_str_eq(got, "e1 l2-4:3:kernel e5 ");
	ck_assert_uint_eq(atomic_load(&f.st.lost_records), 1);
	ck_assert_uint_eq(atomic_load(&f.st.received), 2);
	teardown(&f);
}
END_TEST

START_TEST(test_gap_then_flush)
{
	struct fixture f;
	char got[512];

	setup(&f, 64);
	dg_reset();
	add_event(10, "/a");
	add_event(13, "/a");
	receiver_datagram(&f.r, dgram, dlen, 0);
	drain(&f, got, sizeof(got));
	/* held for a LOST record that may still come */
	ck_assert_str_eq(got, "e10 e13 ");
	seqtrack_flush(&f.r.st);
	drain(&f, got, sizeof(got));
	ck_assert_str_eq(got, "l11-12:2:gap ");
	teardown(&f);
}
END_TEST

START_TEST(test_malformed_counted)
{
	struct fixture f;
	char got[512];

	setup(&f, 64);
	dg_reset();
	add_event(1, "/a");
	add_bad();
	add_event(2, "/a");
	receiver_datagram(&f.r, dgram, dlen, 0);
	drain(&f, got, sizeof(got));
	ck_assert_str_eq(got, "e1 e2 ");
	ck_assert_uint_eq(atomic_load(&f.st.decode_errors), 1);
	/* a truncated datagram: the cut message is counted */
	dg_reset();
	add_event(3, "/a");
	add_event(4, "/abcdefgh");
	receiver_datagram(&f.r, dgram, dlen - 8, 0);
	drain(&f, got, sizeof(got));
	ck_assert_str_eq(got, "e3 ");
	ck_assert_uint_eq(atomic_load(&f.st.decode_errors), 2);
	teardown(&f);
}
END_TEST

START_TEST(test_queue_full)
{
	struct fixture f;
	char got[512];
	uint64_t s;

	setup(&f, 2);
	dg_reset();
	for (s = 1; s <= 5; s++)
		add_event(s, "/a");
	receiver_datagram(&f.r, dgram, dlen, 0);
	drain(&f, got, sizeof(got));
	ck_assert_str_eq(got, "e1 e2 l3-5:3:queue ");
	teardown(&f);
}
END_TEST

/* Messages of another family or command are not ours, not errors. */
START_TEST(test_foreign_messages)
{
	struct fixture f;
	char got[512];
	struct nlmsghdr *nlh;

	setup(&f, 8);
	dg_reset();
	nlh = msg_start(PREMOD_CMD_ALERT);
	mnl_attr_put_strz(nlh, PREMOD_A_RECORD, "{}");
	msg_end(nlh);
	add_event(1, "/a");
	receiver_datagram(&f.r, dgram, dlen, 0);
	drain(&f, got, sizeof(got));
	ck_assert_str_eq(got, "e1 ");
	ck_assert_uint_eq(atomic_load(&f.st.decode_errors), 0);
	teardown(&f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("receiver");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_batch_in_order);
	tcase_add_test(tc, test_kernel_lost_in_place);
	tcase_add_test(tc, test_gap_then_flush);
	tcase_add_test(tc, test_malformed_counted);
	tcase_add_test(tc, test_queue_full);
	tcase_add_test(tc, test_foreign_messages);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
