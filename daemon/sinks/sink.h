/* SPDX-License-Identifier: MIT */
/*
 * sink.h - where audit records go. Each sink runs on a thread of its own
 * behind a bounded queue, so a slow or failing sink (a stuck journald, a
 * full disk) costs only its own records, each one counted; the evaluator
 * never waits for a sink.
 *
 * A sink implementation provides struct sink_ops; sink.c provides the
 * queue, the thread and the counters around it.
 */
#ifndef PREMOD_DAEMON_SINK_H
#define PREMOD_DAEMON_SINK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "record.h"

struct sink;

struct sink_ops {
	const char *name;	/* "journal", "journald", "syslog", "stdout",
				 * "alerts" */
	unsigned int output;	/* POLICY_OUT_* bit */
	/* Writes one record; -errno on failure (the record is then counted
	 * as failed, not retried). Runs on the sink's thread. */
	int (*write)(struct sink *s, const struct record *r);
	/* Optional: after a burst of writes (the queue ran empty). A positive
	 * return asks to be called again after that many milliseconds if the
	 * queue stays empty (a sync deferred to its interval). */
	int (*flush)(struct sink *s);
	/* Optional: SIGHUP (reopen files for logrotate). Sink thread. */
	int (*reopen)(struct sink *s);
	/* Optional: last call, on the sink thread, after the queue drained. */
	void (*close)(struct sink *s);
};

struct sink_stats {
	_Atomic uint64_t written;	/* records written */
	_Atomic uint64_t dropped;	/* queue full: never queued */
	_Atomic uint64_t failed;	/* write returned an error */
	_Atomic uint64_t depth;		/* records queued now (gauge) */
	_Atomic int last_error;		/* last errno of write, 0 if none */
};

struct sink {
	const struct sink_ops *ops;
	void *priv;			/* the implementation's state */
	struct sink_stats stats;
	/* queue, owned by sink.c */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct record **ring;
	size_t cap, head, len;
	bool stopping, reopen_pending, running;
	/* Records this sink lost (queue full, write failed) and has not yet
	 * reported in its own output with a `lost` record (reason
	 * "sink:<name>"); owned by sink.c, under lock. */
	uint64_t gap_count, gap_first, gap_last;
	size_t gap_after;	/* queued records that precede the gap */
	bool gap_retry_wait;	/* its last report failed: next record first */
	struct record_ctx ctx;	/* host and generation of that record */
	char ctx_host[256];
};

/*
 * A bounded text builder for the sinks' line formats: it stores what fits,
 * always leaving room for the NUL, and counts the whole length, as
 * snprintf does, so a caller learns the size a cut line needed.
 */
struct sink_text {
	char *buf;
	size_t len, pos;
};

static inline void sink_text_put(struct sink_text *o, const char *s, size_t n)
{
	if (o->pos < o->len) {
		size_t room = o->len - o->pos - 1;

		memcpy(o->buf + o->pos, s, n < room ? n : room);
	}
	o->pos += n;
}

/* Starts the sink's thread with a queue of `capacity` records. */
int sink_start(struct sink *s, const struct sink_ops *ops, void *priv,
	       size_t capacity);
/* Never blocks: queues a reference to r, or counts a drop and returns
 * -ENOBUFS. Records whose outputs lack the sink's bit are ignored (0). */
int sink_submit(struct sink *s, struct record *r);
/* Host and policy generation for the sink's own `lost` records (copied;
 * call again after a reload). Without it: gethostname(), generation 0. */
void sink_set_ctx(struct sink *s, const struct record_ctx *ctx);
/* Asks the thread to run ops->reopen before its next write. */
void sink_request_reopen(struct sink *s);
/* Drains the queue, calls ops->close, joins the thread. */
void sink_stop(struct sink *s);

/* The implementations. Each *_open fills priv for sink_start. */
struct journal_config {
	const char *path;	/* JSONL file */
	enum { JOURNAL_SYNC_NONE, JOURNAL_SYNC_INTERVAL, JOURNAL_SYNC_EVERY }
		sync;
	unsigned int sync_interval_ms;
	bool ecs;		/* ECS lines (record_ecs.h) instead of JSON */
};
extern const struct sink_ops sink_journal_ops;
int sink_journal_open(const struct journal_config *cfg, void **priv);
/* Tests: the write(2) the journal uses (NULL restores write). */
void sink_journal_set_write(void *priv,
			    ssize_t (*fn)(int fd, const void *buf, size_t len));

extern const struct sink_ops sink_journald_ops;
int sink_journald_open(void **priv);
/* The entry a record becomes: "FIELD=value" iovecs for sd_journal_sendv
 * (MESSAGE, MESSAGE_ID, PRIORITY, SYSLOG_IDENTIFIER, then PREMOD_<KEY> for
 * every record field). Buffers are reused across calls. */
struct sink_journald_msg {
	struct iovec *iov;
	size_t n_iov, iov_cap;
	char *buf;
	size_t cap;
};
int sink_journald_build(const struct record *r, struct sink_journald_msg *m);
void sink_journald_msg_free(struct sink_journald_msg *m);
/* The fixed MESSAGE_ID of each record kind (32 hex digits). */
const char *sink_journald_message_id(enum record_kind kind);

enum syslog_format { SYSLOG_FORMAT_BSD, SYSLOG_FORMAT_RFC5424 };
/* The SD-ID of the record's structured data: a name at the project's
 * enterprise number (32473 is RFC 5612's documentation number: a
 * placeholder until one is registered; configurable). */
#define SYSLOG_SD_ID_DEFAULT "premod@32473"
#define SYSLOG_SOCKET_DEFAULT "/dev/log"
struct syslog_config {
	int facility;		/* LOG_AUTHPRIV by default */
	const char *ident;	/* "premodd" */
	enum syslog_format format;
	const char *socket;	/* RFC 5424: the unix datagram socket */
	const char *sd_id;	/* RFC 5424: SD-ID */
};
extern const struct sink_ops sink_syslog_ops;
int sink_syslog_open(const struct syslog_config *cfg, void **priv);
/* The line syslog gets: message, then " key=value" per field (quoted and
 * escaped when needed). snprintf-like: returns the full length. */
size_t sink_syslog_format(const struct record *r, char *buf, size_t len);
/* Whether s is a valid private RFC 5424 SD-ID: "name@number" with at most
 * 32 printable US-ASCII characters, no '=', ' ', ']', '"', the number
 * digits and dots. */
bool sink_syslog_sd_id_valid(const char *s);
/*
 * The RFC 5424 message: "<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG",
 * the record's fields as SD-PARAMs of one SD-ELEMENT sd_id, in record
 * order. snprintf-like.
 */
size_t sink_syslog_format_5424(const struct record *r, int facility,
			       const char *app, long procid,
			       const char *sd_id, char *buf, size_t len);

/* What a line-per-record sink writes; the order is the configuration's. */
enum stdout_format { STDOUT_FORMAT_TEXT, STDOUT_FORMAT_JSON, STDOUT_FORMAT_ECS };
extern const struct sink_ops sink_stdout_ops;
int sink_stdout_open(int format, void **priv);
/* The same on another descriptor (tests, a pipe). */
int sink_stdout_open_fd(int fd, int format, void **priv);
/* The human line "<time> <severity> <rule>: <message>\n", snprintf-like. */
size_t sink_stdout_format(const struct record *r, char *buf, size_t len);

#endif /* PREMOD_DAEMON_SINK_H */
