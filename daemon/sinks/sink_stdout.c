// SPDX-License-Identifier: MIT
/*
 * sink_stdout.c - records on standard output, for `premodd -f` and
 * containers: JSON lines, ECS lines, or one short human line each.
 *
 * Each record is one write(2) of a whole line, no stdio buffer: a pipe
 * reader (a container log collector) gets every record as soon as it is
 * written and never half a line, and a failed write is counted against
 * the record it failed for.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event_json.h"
#include "record_ecs.h"
#include "sink.h"

struct stdout_sink {
	int fd;
	int format;		/* STDOUT_FORMAT_* */
	char *line;
	size_t cap;
};

static const char *kv_find(const struct record *r, const char *key)
{
	for (size_t i = 0; i < r->n_kv; i++)
		if (strcmp(r->kv[i].key, key) == 0)
			return r->kv[i].value;
	return NULL;
}

/* A terminal or log line must not be forged by a name with a newline,
 * nor garbled by bytes that are not UTF-8. */
static void put_text(struct sink_text *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	for (size_t k; n; p += k, n -= k) {
		k = pm_utf8_len(p, n);
		if (k == 1 && *p >= 0x20 && *p != 0x7f) {
			sink_text_put(o, (const char *)p, 1);
		} else if (k > 1) {
			sink_text_put(o, (const char *)p, k);
		} else {
			char e[4] = { '\\', 'x', hex[*p >> 4], hex[*p & 15] };

			sink_text_put(o, e, 4);
			k = 1;
		}
	}
}

/*
 * "<time> <severity> <rule>: <message>\n"; a lost record names its kind
 * where a match names its rule.
 */
size_t sink_stdout_format(const struct record *r, char *buf, size_t len)
{
	struct sink_text o = { .buf = buf, .len = len };
	const char *time = kv_find(r, "time"), *sev = kv_find(r, "severity");
	const char *what = r->rule ? r->rule :
			   r->kind == RECORD_LOST ? "lost" :
			   r->kind == RECORD_CONFIG ? "config" : "suppressed";

	if (time) {
		sink_text_put(&o, time, strlen(time));
		sink_text_put(&o, " ", 1);
	}
	if (sev) {
		sink_text_put(&o, sev, strlen(sev));
		sink_text_put(&o, " ", 1);
	}
	put_text(&o, what);
	sink_text_put(&o, ": ", 2);
	put_text(&o, r->message);
	sink_text_put(&o, "\n", 1);
	if (len)
		buf[o.pos < len ? o.pos : len - 1] = '\0';
	return o.pos;
}

int sink_stdout_open_fd(int fd, int format, void **priv)
{
	struct stdout_sink *so = calloc(1, sizeof(*so));

	if (!so)
		return -ENOMEM;
	so->fd = fd;
	so->format = format;
	*priv = so;
	return 0;
}

int sink_stdout_open(int format, void **priv)
{
	return sink_stdout_open_fd(STDOUT_FILENO, format, priv);
}

static int reserve(struct stdout_sink *so, size_t n)
{
	char *p;

	if (n <= so->cap)
		return 0;
	p = realloc(so->line, n);
	if (!p)
		return -ENOMEM;
	so->line = p;
	so->cap = n;
	return 0;
}

static int stdout_write(struct sink *s, const struct record *r)
{
	struct stdout_sink *so = s->priv;
	size_t len, done = 0;
	int rc;

	if (so->format == STDOUT_FORMAT_ECS) {
		len = record_ecs_format(r, so->line, so->cap) + 1;
		if (len == 1)
			return -ENOMEM;
		if (len > so->cap) {
			rc = reserve(so, len);
			if (rc < 0)
				return rc;
			record_ecs_format(r, so->line, so->cap);
		}
		so->line[len - 1] = '\n';
	} else if (so->format == STDOUT_FORMAT_JSON) {
		len = r->json_len + 1;
		rc = reserve(so, len);
		if (rc < 0)
			return rc;
		memcpy(so->line, r->json, r->json_len);
		so->line[r->json_len] = '\n';
	} else {
		len = sink_stdout_format(r, so->line, so->cap);
		if (len >= so->cap) {
			rc = reserve(so, len + 1);
			if (rc < 0)
				return rc;
			sink_stdout_format(r, so->line, so->cap);
		}
	}
	/* A pipe may take a long line in parts; the line is finished. */
	while (done < len) {
		ssize_t n = write(so->fd, so->line + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	return 0;
}

static void stdout_close(struct sink *s)
{
	struct stdout_sink *so = s->priv;

	if (!so)
		return;
	free(so->line);
	free(so);
	s->priv = NULL;
}

const struct sink_ops sink_stdout_ops = {
	.name = "stdout",
	.output = POLICY_OUT_STDOUT,
	.write = stdout_write,
	.close = stdout_close,
};
