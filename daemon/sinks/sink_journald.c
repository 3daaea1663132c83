// SPDX-License-Identifier: MIT
/*
 * sink_journald.c - native structured journald entries.
 *
 * Every record field becomes a journal field PREMOD_<KEY> (key uppercased)
 * with the record's key/value string, so `journalctl PREMOD_RULE=etc-shadow`
 * selects records and `-o json` returns all of them. The rule's tags come
 * joined in PREMOD_TAGS and once more as one PREMOD_TAG per tag. MESSAGE_ID is fixed
 * per record kind (RECORDS.md lists them) so a catalog entry or an alert
 * can key on it without parsing text.
 *
 * Building the iovec is separate from sending it so it can be tested
 * without a journal.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CODE_FILE/CODE_LINE of this file are noise in an audit entry. */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "sink.h"

/* Generated once (128-bit random ids); never change them. */
#define MID_MATCH	"a08c06a31f6a4a3d8a1be2a635fd0841"
#define MID_LOST	"4ed4d013f85d45589deca10ac3e33853"
#define MID_SUPPRESSED	"f40d4151194047dfb3d8ebf087757bb5"
#define MID_CONFIG	"6c2b9a4e0d7f4e61a3c5b8d19e2f7a40"

const char *sink_journald_message_id(enum record_kind kind)
{
	switch (kind) {
	case RECORD_MATCH:
		return MID_MATCH;
	case RECORD_LOST:
		return MID_LOST;
	case RECORD_SUPPRESSED:
		return MID_SUPPRESSED;
	case RECORD_CONFIG:
		return MID_CONFIG;
	}
	return MID_MATCH;
}

/* The fields before the record's own, and how long their names are. */
enum { FIXED_FIELDS = 4 };

static size_t field_len(const char *key, const char *value)
{
	return strlen("PREMOD_") + strlen(key) + 1 + strlen(value);
}

/* Journal field names: uppercase letters, digits, underscore. */
static char *put_field(char *p, const char *key, const char *value)
{
	p = stpcpy(p, "PREMOD_");
	for (const char *k = key; *k; k++)
		*p++ = isalnum((unsigned char)*k) ?
			(char)toupper((unsigned char)*k) : '_';
	*p++ = '=';
	return stpcpy(p, value);
}

int sink_journald_build(const struct record *r, struct sink_journald_msg *m)
{
	char prio[16];
	const char *fixed[FIXED_FIELDS][2] = {
		{ "MESSAGE=", r->message },
		{ "MESSAGE_ID=", sink_journald_message_id(r->kind) },
		{ "PRIORITY=", prio },
		{ "SYSLOG_IDENTIFIER=", "premodd" },
	};
	size_t need = 0, n = FIXED_FIELDS;
	char *p;

	snprintf(prio, sizeof(prio), "%d", r->priority & 7);
	for (size_t i = 0; i < FIXED_FIELDS; i++)
		need += strlen(fixed[i][0]) + strlen(fixed[i][1]);
	for (size_t i = 0; i < r->n_kv; i++) {
		/* MESSAGE carries it already. */
		if (strcmp(r->kv[i].key, "message") == 0)
			continue;
		need += field_len(r->kv[i].key, r->kv[i].value);
		n++;
	}
	/* PREMOD_TAG, once per tag: journald keeps repeated fields, and
	 * `journalctl PREMOD_TAG=x` matches any of them. */
	for (size_t i = 0, off = 0; i < r->n_tags; i++) {
		size_t tl = strlen(r->tags + off);

		need += field_len("tag", r->tags + off);
		off += tl + 1;
		n++;
	}
	/* Strings are built back to back; iovecs point into them. */
	need += n;
	if (need > m->cap) {
		char *b = realloc(m->buf, need);

		if (!b)
			return -ENOMEM;
		m->buf = b;
		m->cap = need;
	}
	if (n > m->iov_cap) {
		struct iovec *v = realloc(m->iov, n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		m->iov = v;
		m->iov_cap = n;
	}

	p = m->buf;
	m->n_iov = 0;
	for (size_t i = 0; i < FIXED_FIELDS; i++) {
		char *start = p;

		p = stpcpy(stpcpy(p, fixed[i][0]), fixed[i][1]);
		m->iov[m->n_iov++] = (struct iovec){ start, (size_t)(p - start) };
		p++;
	}
	for (size_t i = 0; i < r->n_kv; i++) {
		char *start = p;

		if (strcmp(r->kv[i].key, "message") == 0)
			continue;
		p = put_field(p, r->kv[i].key, r->kv[i].value);
		m->iov[m->n_iov++] = (struct iovec){ start, (size_t)(p - start) };
		p++;
	}
	for (size_t i = 0, off = 0; i < r->n_tags; i++) {
		char *start = p;
		const char *t = r->tags + off;

		off += strlen(t) + 1;
		p = put_field(p, "tag", t);
		m->iov[m->n_iov++] = (struct iovec){ start, (size_t)(p - start) };
		p++;
	}
	return 0;
}

void sink_journald_msg_free(struct sink_journald_msg *m)
{
	free(m->buf);
	free(m->iov);
	memset(m, 0, sizeof(*m));
}

int sink_journald_open(void **priv)
{
	struct sink_journald_msg *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	*priv = m;
	return 0;
}

static int journald_write(struct sink *s, const struct record *r)
{
	struct sink_journald_msg *m = s->priv;
	int rc = sink_journald_build(r, m);

	if (rc < 0)
		return rc;
	rc = sd_journal_sendv(m->iov, (int)m->n_iov);
	return rc < 0 ? rc : 0;
}

static void journald_close(struct sink *s)
{
	struct sink_journald_msg *m = s->priv;

	if (!m)
		return;
	sink_journald_msg_free(m);
	free(m);
	s->priv = NULL;
}

const struct sink_ops sink_journald_ops = {
	.name = "journald",
	.output = POLICY_OUT_JOURNALD,
	.write = journald_write,
	.close = journald_close,
};
