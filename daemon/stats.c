// SPDX-License-Identifier: MIT
/*
 * stats.c - premodd counters and their JSON / Prometheus files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "policy.h"
#include "record.h"
#include "stats.h"

static const char *const drop_names[STATS_DROP_COUNT] = {
	[STATS_DROP_QUEUE] = "queue",
	[STATS_DROP_GAP] = "gap",
	[STATS_DROP_KERNEL] = "kernel",
	[STATS_DROP_ENOBUFS] = "enobufs",
};

static const char *const kind_names[STATS_RECORD_KINDS] = {
	[RECORD_MATCH] = "match", [RECORD_LOST] = "lost",
	[RECORD_SUPPRESSED] = "suppressed", [RECORD_CONFIG] = "config",
};

static uint64_t now_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int stats_init(struct stats *s)
{
	memset(s, 0, sizeof(*s));
	s->started_ns = now_realtime_ns();
	if (pthread_mutex_init(&s->lock, NULL))
		return -ENOMEM;
	return 0;
}

static void free_active(struct stats_active_rule *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].description);
		free(v[i].file);
	}
	free(v);
}

static void free_reload(struct stats_reload *r)
{
	size_t i;

	for (i = 0; i < r->n_errors; i++)
		free(r->errors[i]);
	free(r->errors);
	memset(r, 0, sizeof(*r));
}

void stats_destroy(struct stats *s)
{
	size_t i;

	free_active(s->active, s->n_active);
	s->active = NULL;
	s->n_active = 0;
	free(s->policy_path);
	s->policy_path = NULL;
	free_reload(&s->last_reload);

	for (i = 0; i < s->n_rules; i++) {
		free(s->rules[i]->id);
		free(s->rules[i]);
	}
	free(s->rules);
	s->rules = NULL;
	s->n_rules = s->cap_rules = 0;
	pthread_mutex_destroy(&s->lock);
}

struct stats_rule *stats_rule(struct stats *s, const char *id)
{
	struct stats_rule *r = NULL;
	size_t i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->n_rules; i++) {
		if (!strcmp(s->rules[i]->id, id)) {
			r = s->rules[i];
			goto out;
		}
	}
	if (s->n_rules == s->cap_rules) {
		size_t cap = s->cap_rules ? s->cap_rules * 2 : 16;
		struct stats_rule **v = realloc(s->rules, cap * sizeof(*v));

		if (!v)
			goto out;
		s->rules = v;
		s->cap_rules = cap;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		goto out;
	r->id = strdup(id);
	if (!r->id) {
		free(r);
		r = NULL;
		goto out;
	}
	s->rules[s->n_rules++] = r;
out:
	pthread_mutex_unlock(&s->lock);
	return r;
}

static char *dup_or_null(const char *s, bool *oom)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*oom = true;
	return d;
}

int stats_set_active_policy(struct stats *s, const struct policy *p,
			    uint64_t generation)
{
	size_t n = policy_rule_count(p), i;
	struct stats_active_rule *v = calloc(n ? n : 1, sizeof(*v));
	bool oom = !v;

	for (i = 0; i < n && !oom; i++) {
		const struct policy_rule *r = policy_rule_at(p, i);
		const char *file, *desc;
		int line, col;

		policy_rule_location(r, &file, &line, &col);
		v[i].counters = stats_rule(s, policy_rule_id(r));
		desc = policy_rule_description(r);
		v[i].description = dup_or_null(desc && *desc ? desc : NULL,
					       &oom);
		v[i].file = dup_or_null(file, &oom);
		v[i].line = line;
		v[i].severity = policy_rule_severity(r);
		v[i].enabled = policy_rule_enabled(r);
		if (!v[i].counters)
			oom = true;
	}
	if (oom) {
		if (v)
			free_active(v, n);
		return -ENOMEM;
	}
	pthread_mutex_lock(&s->lock);
	free_active(s->active, s->n_active);
	s->active = v;
	s->n_active = n;
	s->active_generation = generation;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

int stats_set_policy_path(struct stats *s, const char *path)
{
	char *d = strdup(path);

	if (!d)
		return -ENOMEM;
	pthread_mutex_lock(&s->lock);
	free(s->policy_path);
	s->policy_path = d;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* One diagnostic as policy_diags_print() writes it, without the newline. */
static char *diag_text(const struct policy_diag *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct policy_diags one = { .v = (struct policy_diag *)d, .n = 1 };

	if (!f)
		return NULL;
	policy_diags_print(&one, f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	if (len && text[len - 1] == '\n')
		text[len - 1] = '\0';
	return text;
}

void stats_set_reload(struct stats *s, bool ok, uint64_t generation,
		      size_t rules, const struct policy_diags *diags,
		      const char *error)
{
	struct stats_reload r = { 0 };
	size_t n = diags ? diags->n : 0, i;

	r.time_ns = now_realtime_ns();
	r.ok = ok;
	r.generation = generation;
	r.rules = ok ? rules : 0;
	if (!ok && (n || error)) {
		r.errors = calloc(n ? n : 1, sizeof(*r.errors));
		if (r.errors) {
			for (i = 0; i < n; i++) {
				/* warnings did not fail the reload */
				if (diags->v[i].warning)
					continue;
				r.errors[r.n_errors] = diag_text(&diags->v[i]);
				if (r.errors[r.n_errors])
					r.n_errors++;
			}
			if (!n && (r.errors[0] = strdup(error)))
				r.n_errors = 1;
		}
	}
	pthread_mutex_lock(&s->lock);
	free_reload(&s->last_reload);
	s->last_reload = r;
	pthread_mutex_unlock(&s->lock);
}

void stats_count_drop(struct stats *s, const char *reason, uint64_t n)
{
	int i;

	for (i = 0; i < STATS_DROP_COUNT; i++) {
		if (!strcmp(reason, drop_names[i])) {
			stats_inc(&s->dropped[i], n);
			return;
		}
	}
}

static uint64_t ld(_Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static json_t *sink_json(struct sink *sk)
{
	int err = atomic_load(&sk->stats.last_error);

	return json_pack("{s:I,s:I,s:I,s:I,s:s}",
			 "written", (json_int_t)ld(&sk->stats.written),
			 "dropped", (json_int_t)ld(&sk->stats.dropped),
			 "failed", (json_int_t)ld(&sk->stats.failed),
			 "depth", (json_int_t)ld(&sk->stats.depth),
			 "last_error", err ? strerror(err) : "");
}

/* Under s->lock. */
static json_t *reload_json(const struct stats_reload *r)
{
	char tbuf[64];
	json_t *o, *errs;
	size_t i;

	if (!r->time_ns)
		return json_null();
	record_format_time(r->time_ns, tbuf, sizeof(tbuf));
	errs = json_array();
	for (i = 0; i < r->n_errors; i++)
		json_array_append_new(errs, json_string(r->errors[i]));
	o = json_pack("{s:s,s:s,s:I,s:I,s:o}", "time", tbuf, "result",
		      r->ok ? "ok" : "failed", "generation",
		      (json_int_t)r->generation, "rules", (json_int_t)r->rules,
		      "errors", errs);
	return o ? o : json_null();
}

/* Under s->lock. */
static json_t *policy_json(struct stats *s)
{
	json_t *o = json_object(), *rules = json_array();
	size_t i;

	json_object_set_new(o, "path", s->policy_path
				       ? json_string(s->policy_path)
				       : json_null());
	json_object_set_new(o, "generation",
			    json_integer((json_int_t)s->active_generation));
	for (i = 0; i < s->n_active; i++) {
		const struct stats_active_rule *a = &s->active[i];
		const char *sev = policy_severity_name(a->severity);
		json_t *r = json_object();

		json_object_set_new(r, "id", json_string(a->counters->id));
		json_object_set_new(r, "enabled", json_boolean(a->enabled));
		json_object_set_new(r, "severity",
				    sev ? json_string(sev) : json_null());
		json_object_set_new(r, "description",
				    a->description ? json_string(a->description)
						   : json_null());
		json_object_set_new(r, "file", a->file ? json_string(a->file)
						       : json_null());
		json_object_set_new(r, "line", json_integer(a->line));
		json_object_set_new(r, "matched", json_integer((json_int_t)
				    ld(&a->counters->matched)));
		json_object_set_new(r, "suppressed", json_integer((json_int_t)
				    ld(&a->counters->suppressed)));
		json_array_append_new(rules, r);
	}
	json_object_set_new(o, "rules", rules);
	return o;
}

char *stats_render_json(struct stats *s, struct sink *const *sinks,
			size_t n_sinks)
{
	json_t *o, *obj;
	char tbuf[64], sbuf[64];
	char *text;
	size_t i;
	int k;

	record_format_time(now_realtime_ns(), tbuf, sizeof(tbuf));
	record_format_time(s->started_ns, sbuf, sizeof(sbuf));
	o = json_pack("{s:i,s:s,s:I,s:s,s:b,s:I}", "version", 1, "time", tbuf,
		      "pid", (json_int_t)getpid(), "started", sbuf,
		      "connected", (int)atomic_load(&s->connected),
		      "generation", (json_int_t)ld(&s->generation));
	if (!o)
		return NULL;
#define SET(name, c) json_object_set_new(o, name, json_integer((json_int_t)ld(c)))
	SET("received", &s->received);
	SET("lost_records", &s->lost_records);
	SET("decode_errors", &s->decode_errors);
	SET("truncated", &s->truncated);
	SET("evaluated", &s->evaluated);
	SET("matched", &s->matched);
	SET("suppressed", &s->suppressed);
	SET("exe_lookups", &s->exe_lookups);
	SET("reconnects", &s->reconnects);
	SET("stream_restarts", &s->stream_restarts);
#undef SET
	obj = json_object();
	for (k = 0; k < STATS_RECORD_KINDS; k++)
		json_object_set_new(obj, kind_names[k],
				    json_integer((json_int_t)ld(&s->records[k])));
	json_object_set_new(o, "records", obj);
	obj = json_object();
	for (k = 0; k < STATS_DROP_COUNT; k++)
		json_object_set_new(obj, drop_names[k],
				    json_integer((json_int_t)ld(&s->dropped[k])));
	json_object_set_new(o, "dropped", obj);
	json_object_set_new(o, "queue",
			    json_pack("{s:I,s:I}", "depth",
				      (json_int_t)ld(&s->queue_depth),
				      "capacity",
				      (json_int_t)ld(&s->queue_capacity)));
	json_object_set_new(o, "reloads",
			    json_pack("{s:I,s:I}", "ok",
				      (json_int_t)ld(&s->reloads_ok), "failed",
				      (json_int_t)ld(&s->reloads_failed)));
	json_object_set_new(o, "stats_interval_ms",
			    json_integer((json_int_t)s->interval_ms));
	pthread_mutex_lock(&s->lock);
	json_object_set_new(o, "last_reload", reload_json(&s->last_reload));
	json_object_set_new(o, "policy", policy_json(s));
	obj = json_object();
	for (i = 0; i < s->n_rules; i++)
		json_object_set_new(
			obj, s->rules[i]->id,
			json_pack("{s:I,s:I}", "matched",
				  (json_int_t)ld(&s->rules[i]->matched),
				  "suppressed",
				  (json_int_t)ld(&s->rules[i]->suppressed)));
	pthread_mutex_unlock(&s->lock);
	json_object_set_new(o, "rules", obj);
	obj = json_object();
	for (i = 0; i < n_sinks; i++)
		if (sinks[i] && sinks[i]->ops)
			json_object_set_new(obj, sinks[i]->ops->name,
					    sink_json(sinks[i]));
	json_object_set_new(o, "sinks", obj);
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}

/* A growing string for the textfile. */
struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		{
			size_t cap = (b->cap + (size_t)n + 1) * 2;
			char *p = realloc(b->p, cap);

			if (!p) {
				b->oom = true;
				return;
			}
			b->p = p;
			b->cap = cap;
		}
	}
}

/* Label values escape backslash, double quote and newline. */
static void sb_label(struct sbuf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			sb_printf(b, "\\%c", *v);
		else if (*v == '\n')
			sb_printf(b, "\\n");
		else
			sb_printf(b, "%c", *v);
	}
}

static void metric_head(struct sbuf *b, const char *name, const char *type,
			const char *help)
{
	sb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void metric(struct sbuf *b, const char *name, const char *type,
		   const char *help, uint64_t v)
{
	metric_head(b, name, type, help);
	sb_printf(b, "%s %llu\n", name, (unsigned long long)v);
}

static void sink_metric(struct sbuf *b, struct sink *const *sinks, size_t n,
			const char *result, size_t off)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!sinks[i] || !sinks[i]->ops)
			continue;
		sb_printf(b, "premod_sink_records_total{sink=\"");
		sb_label(b, sinks[i]->ops->name);
		sb_printf(b, "\",result=\"%s\"} %llu\n", result,
			  (unsigned long long)ld((_Atomic uint64_t *)
			  ((char *)&sinks[i]->stats + off)));
	}
}

char *stats_render_prometheus(struct stats *s, struct sink *const *sinks,
			      size_t n_sinks)
{
	struct sbuf b = { 0 };
	size_t i;
	int k;

	b.cap = 4096;
	b.p = malloc(b.cap);
	if (!b.p)
		return NULL;
	b.p[0] = '\0';
	metric(&b, "premod_daemon_connected", "gauge",
	       "1 while premodd is connected to the premod kernel module.",
	       atomic_load(&s->connected) ? 1 : 0);
	metric(&b, "premod_daemon_start_time_seconds", "gauge",
	       "Start time of premodd, seconds since the epoch.",
	       s->started_ns / 1000000000ULL);
	metric(&b, "premod_policy_generation", "gauge",
	       "Generation of the active policy (1 at start, +1 per reload).",
	       ld(&s->generation));
	metric(&b, "premod_events_received_total", "counter",
	       "Events read from the kernel.", ld(&s->received));
	metric(&b, "premod_kernel_lost_records_total", "counter",
	       "Kernel LOST records read.", ld(&s->lost_records));
	metric(&b, "premod_decode_errors_total", "counter",
	       "Malformed netlink messages skipped.", ld(&s->decode_errors));
	metric(&b, "premod_truncated_datagrams_total", "counter",
	       "Datagrams larger than the receive buffer.", ld(&s->truncated));
	metric(&b, "premod_events_evaluated_total", "counter",
	       "Events evaluated against the policy.", ld(&s->evaluated));
	metric(&b, "premod_rule_matches_total", "counter",
	       "Rule matches, before rate limiting.", ld(&s->matched));
	metric(&b, "premod_records_suppressed_total", "counter",
	       "Matches held back by rate limits.", ld(&s->suppressed));
	metric(&b, "premod_exe_lookups_total", "counter",
	       "Executable paths resolved from /proc.", ld(&s->exe_lookups));
	metric(&b, "premod_reconnects_total", "counter",
	       "Times premodd reconnected to the kernel module.",
	       ld(&s->reconnects));
	metric(&b, "premod_stream_restarts_total", "counter",
	       "Times the event sequence restarted (module reloaded).",
	       ld(&s->stream_restarts));
	metric(&b, "premod_queue_depth", "gauge",
	       "Events waiting for the evaluator.", ld(&s->queue_depth));
	metric(&b, "premod_queue_capacity", "gauge",
	       "Capacity of the evaluator queue.", ld(&s->queue_capacity));

	metric_head(&b, "premod_records_total", "counter",
		    "Audit records produced, by kind.");
	for (k = 0; k < STATS_RECORD_KINDS; k++)
		sb_printf(&b, "premod_records_total{kind=\"%s\"} %llu\n",
			  kind_names[k],
			  (unsigned long long)ld(&s->records[k]));
	metric_head(&b, "premod_events_lost_total", "counter",
		    "Events lost before evaluation, by reason.");
	for (k = 0; k < STATS_DROP_COUNT; k++)
		sb_printf(&b, "premod_events_lost_total{reason=\"%s\"} %llu\n",
			  drop_names[k],
			  (unsigned long long)ld(&s->dropped[k]));
	metric_head(&b, "premod_policy_reloads_total", "counter",
		    "Policy reloads, by result.");
	sb_printf(&b, "premod_policy_reloads_total{result=\"ok\"} %llu\n",
		  (unsigned long long)ld(&s->reloads_ok));
	sb_printf(&b, "premod_policy_reloads_total{result=\"failed\"} %llu\n",
		  (unsigned long long)ld(&s->reloads_failed));

	pthread_mutex_lock(&s->lock);
	metric_head(&b, "premod_rule_records_total", "counter",
		    "Records of a rule passed to the sinks.");
	for (i = 0; i < s->n_rules; i++) {
		sb_printf(&b, "premod_rule_records_total{rule=\"");
		sb_label(&b, s->rules[i]->id);
		sb_printf(&b, "\"} %llu\n",
			  (unsigned long long)ld(&s->rules[i]->matched));
	}
	metric_head(&b, "premod_rule_suppressed_total", "counter",
		    "Matches of a rule held back by its rate limit.");
	for (i = 0; i < s->n_rules; i++) {
		sb_printf(&b, "premod_rule_suppressed_total{rule=\"");
		sb_label(&b, s->rules[i]->id);
		sb_printf(&b, "\"} %llu\n",
			  (unsigned long long)ld(&s->rules[i]->suppressed));
	}
	pthread_mutex_unlock(&s->lock);

	metric_head(&b, "premod_sink_records_total", "counter",
		    "Records per sink: written, dropped (queue full), failed.");
	sink_metric(&b, sinks, n_sinks, "written",
		    offsetof(struct sink_stats, written));
	sink_metric(&b, sinks, n_sinks, "dropped",
		    offsetof(struct sink_stats, dropped));
	sink_metric(&b, sinks, n_sinks, "failed",
		    offsetof(struct sink_stats, failed));
	metric_head(&b, "premod_sink_queue_depth", "gauge",
		    "Records waiting in a sink's queue.");
	for (i = 0; i < n_sinks; i++) {
		if (!sinks[i] || !sinks[i]->ops)
			continue;
		sb_printf(&b, "premod_sink_queue_depth{sink=\"");
		sb_label(&b, sinks[i]->ops->name);
		sb_printf(&b, "\"} %llu\n",
			  (unsigned long long)ld(&sinks[i]->stats.depth));
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

int stats_write_file(const char *path, const char *text)
{
	size_t plen = strlen(path), len = strlen(text), off = 0;
	char *tmp = malloc(plen + 32);
	int fd, err = 0;

	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	/* counters are for scrapers (node_exporter runs as its own user),
	 * whatever the service's umask */
	fchmod(fd, 0644);
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		off += (size_t)n;
	}
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
out:
	free(tmp);
	return err;
}
