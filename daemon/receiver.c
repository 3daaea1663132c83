// SPDX-License-Identifier: MIT
/*
 * receiver.c - the events socket reader thread. See receiver.h.
 */
#define _GNU_SOURCE	/* recvmmsg */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "decode.h"
#include "log.h"
#include "receiver.h"

/* A gap waits this long for the kernel's LOST record naming it. */
#define GAP_HOLD_NS (500ULL * 1000000ULL)

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void emit_lost(const struct evq_lost *l, void *arg)
{
	struct receiver *r = arg;
	struct evq_item *it = evq_item_lost(l);

	if (!it) {
		log_msg(LOG_ERR, "out of memory: cannot queue the report of "
				 "%llu lost events (seq %llu-%llu, %s)",
			(unsigned long long)l->count,
			(unsigned long long)l->first,
			(unsigned long long)l->last, l->reason);
		return;
	}
	evq_push(r->q, it);
}

int receiver_init(struct receiver *r, int fd, uint16_t family,
		  struct evq *q, struct stats *stats)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->q = q;
	r->stats = stats;
	atomic_store(&r->family, family);
	seqtrack_init(&r->st, GAP_HOLD_NS, emit_lost, r);
	r->buf = malloc((size_t)RECEIVER_VLEN * RECEIVER_DGRAM);
	if (!r->buf)
		return -ENOMEM;
	r->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->wake_fd < 0) {
		free(r->buf);
		r->buf = NULL;
		return -errno;
	}
	return 0;
}

int receiver_hostmap(struct receiver *r, const char *mountinfo)
{
	int ret;

	r->hm = pm_hostmap_new(mountinfo);
	r->names = malloc(sizeof(*r->names));
	if (!r->hm || !r->names) {
		pm_hostmap_free(r->hm);
		free(r->names);
		r->hm = NULL;
		r->names = NULL;
		return -ENOMEM;
	}
	ret = pm_hostmap_refresh(r->hm);
	if (ret < 0)
		log_msg(LOG_ERR, "cannot read the mount table %s (%s): events "
				 "keep the names the acting tasks used",
			mountinfo ? mountinfo : "/proc/1/mountinfo",
			strerror(-ret));
	return 0;
}

void receiver_destroy(struct receiver *r)
{
	pm_hostmap_free(r->hm);
	free(r->names);
	r->hm = NULL;
	r->names = NULL;
	if (r->wake_fd >= 0)
		close(r->wake_fd);
	r->wake_fd = -1;
	free(r->buf);
	r->buf = NULL;
}

void receiver_restart(struct receiver *r, uint16_t family)
{
	atomic_store(&r->family, family);
	atomic_store(&r->restart, true);
}

static void decode_error(struct receiver *r, const char *err)
{
	uint64_t n;

	stats_inc(&r->stats->decode_errors, 1);
	/* a stream of bad messages must not flood the log */
	n = ++r->decode_logged;
	if (n <= 10 || n % 10000 == 0)
		log_msg(LOG_ERR, "malformed event message skipped (%llu so "
				 "far): %s",
			(unsigned long long)n, err);
}

void receiver_datagram(struct receiver *r, const void *buf, size_t len,
		       uint64_t now_ns)
{
	uint16_t family = atomic_load_explicit(&r->family,
					       memory_order_relaxed);
	struct pm_nl_iter it;
	const struct nlmsghdr *nlh;
	struct pm_event ev;
	char err[256];
	int rc;

	pm_nl_iter_init(&it, buf, len);
	while ((rc = pm_nl_iter_next(&it, &nlh, err, sizeof(err))) > 0) {
		struct evq_item *item;
		uint64_t seq, tm;

		rc = pm_decode_event(nlh, family, &ev, err, sizeof(err));
		if (rc == -ENOMSG)
			continue;
		if (rc < 0) {
			decode_error(r, err);
			continue;
		}
		seq = ev.num[PM_F_SEQ];
		tm = pm_event_has(&ev, PM_F_TIME) ? ev.num[PM_F_TIME] : 0;
		if (ev.num[PM_F_OP] == PREMOD_OP_LOST) {
			stats_inc(&r->stats->lost_records, 1);
			seqtrack_lost(&r->st, seq, tm,
				      ev.num[PM_F_LOST_COUNT],
				      ev.num[PM_F_LOST_FIRST],
				      ev.num[PM_F_LOST_LAST], now_ns);
			continue;
		}
		stats_inc(&r->stats->received, 1);
		/* names are mapped as the event arrives: the table is now's */
		if (r->hm)
			pm_hostmap_apply(r->hm, &ev, r->names);
		/* the gap's report goes into the queue before this event */
		seqtrack_event(&r->st, seq, tm, now_ns);
		item = evq_item_event(&ev);
		if (!item)
			evq_drop(r->q, seq, tm);
		else
			evq_push(r->q, item);
	}
	if (rc < 0)
		decode_error(r, err);
}

static void *receiver_thread(void *arg)
{
	struct receiver *r = arg;
	struct mmsghdr msgs[RECEIVER_VLEN];
	struct iovec iov[RECEIVER_VLEN];
	uint64_t enobufs_logged = 0;
	int i;

	while (!atomic_load(&r->stop)) {
		struct pollfd pfd[2] = {
			{ .fd = r->fd, .events = POLLIN },
			{ .fd = r->wake_fd, .events = POLLIN },
		};
		int n;

		if (atomic_exchange(&r->restart, false)) {
			if (r->st.started)
				stats_inc(&r->stats->stream_restarts, 1);
			seqtrack_reset(&r->st);
		}
		seqtrack_tick(&r->st, mono_ns());
		n = poll(pfd, 2, 200);
		if (n < 0 && errno != EINTR) {
			log_msg(LOG_ERR, "poll on the events socket: %s",
				strerror(errno));
			usleep(100000);
			continue;
		}
		if (n <= 0 || !(pfd[0].revents & (POLLIN | POLLERR)))
			continue;
		for (i = 0; i < RECEIVER_VLEN; i++) {
			iov[i].iov_base = r->buf + (size_t)i * RECEIVER_DGRAM;
			iov[i].iov_len = RECEIVER_DGRAM;
			memset(&msgs[i].msg_hdr, 0, sizeof(msgs[i].msg_hdr));
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(r->fd, msgs, RECEIVER_VLEN, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == ENOBUFS) {
				/* our buffer overflowed: the next gap is ours */
				seqtrack_enobufs(&r->st);
				if (enobufs_logged++ % 1000 == 0)
					log_msg(LOG_WARNING,
						"events socket overflowed "
						"(ENOBUFS, %llu times): events "
						"were lost and are reported as "
						"lost records",
						(unsigned long long)
							enobufs_logged);
			} else if (errno != EAGAIN && errno != EINTR) {
				log_msg(LOG_ERR, "reading the events socket: "
						 "%s",
					strerror(errno));
				usleep(100000);
			}
			continue;
		}
		for (i = 0; i < n; i++) {
			size_t len = msgs[i].msg_len;

			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				/* what was cut shows up as a gap */
				stats_inc(&r->stats->truncated, 1);
				len = RECEIVER_DGRAM;
			}
			receiver_datagram(r, iov[i].iov_base, len, mono_ns());
		}
	}
	/* gaps still waiting for a LOST record are reported as they are */
	seqtrack_flush(&r->st);
	return NULL;
}

int receiver_start(struct receiver *r)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&r->thread, NULL, receiver_thread, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return -rc;
	r->running = true;
	return 0;
}

void receiver_stop(struct receiver *r)
{
	uint64_t one = 1;

	if (!r->running)
		return;
	atomic_store(&r->stop, true);
	if (write(r->wake_fd, &one, sizeof(one)) < 0) {
		/* poll wakes within 200 ms anyway */
	}
	pthread_join(r->thread, NULL);
	r->running = false;
}
