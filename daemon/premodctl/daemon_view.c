// SPDX-License-Identifier: MIT
/*
 * daemon_view.c - status and rules from premodd's stats file. See
 * daemon_view.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon_view.h"
#include "event_text.h"

static json_int_t int_at(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* Sum of the integers of an object, or of one key of its sub-objects. */
static json_int_t sum(const json_t *o, const char *sub, const char *skip)
{
	const char *k;
	json_t *v;
	json_int_t n = 0;

	json_object_foreach((json_t *)o, k, v) {
		if (skip && !strcmp(k, skip))
			continue;
		n += sub ? int_at(v, sub) : json_integer_value(v);
	}
	return n;
}

static json_int_t kernel_loss(const json_t *counters)
{
	const char *k;
	json_t *v;
	json_int_t n = 0;

	json_object_foreach((json_t *)counters, k, v)
		if (!strncmp(k, "drop_", 5))
			n += json_integer_value(v);
	return n;
}

static const char *const status_names[] = {
	[STATUS_OK] = "ok",
	[STATUS_ERROR] = "unknown",
	[STATUS_USAGE] = "usage",
	[STATUS_MODULE_ABSENT] = "module_absent",
	[STATUS_DAEMON_DOWN] = "daemon_down",
	[STATUS_DISCONNECTED] = "disconnected",
	[STATUS_RELOAD_FAILED] = "reload_failed",
	[STATUS_LOSS] = "loss",
};

static void problem(json_t *problems, int *code, int c, const char *what)
{
	json_array_append_new(problems, json_string(what));
	/* STATUS_ERROR (could not tell) is the least basic but must not hide
	 * behind OK */
	if (*code == STATUS_OK || *code == STATUS_ERROR ||
	    (c != STATUS_ERROR && c < *code))
		*code = c;
}

int status_report(const struct status_input *in, json_t **report)
{
	const json_t *d = in->daemon;
	json_t *r = json_object(), *problems = json_array(), *o;
	int code = STATUS_OK;
	char buf[256];

	/* module */
	o = json_object();
	json_object_set_new(o, "loaded", in->module < 0 ? json_null()
					 : json_boolean(in->module > 0));
	if (in->module > 0) {
		json_object_set_new(o, "version", in->module_version
				    ? json_string(in->module_version)
				    : json_null());
		json_object_set_new(o, "protocol",
				    json_integer(in->module_protocol));
	}
	json_object_set_new(r, "module", o);
	if (in->module == 0)
		problem(problems, &code, STATUS_MODULE_ABSENT,
			"the premod kernel module is not loaded");
	else if (in->module < 0)
		problem(problems, &code, STATUS_ERROR,
			"cannot tell whether the premod module is loaded");

	/* daemon */
	o = json_object();
	json_object_set_new(o, "running", json_boolean(in->daemon_alive));
	json_object_set_new(o, "stats_file", json_string(in->daemon_file));
	if (d) {
		json_object_set(o, "pid", json_object_get(d, "pid"));
		json_object_set(o, "started", json_object_get(d, "started"));
		json_object_set(o, "stats_time", json_object_get(d, "time"));
		json_object_set(o, "connected", json_object_get(d, "connected"));
	}
	json_object_set_new(r, "daemon", o);
	if (!in->daemon_alive) {
		snprintf(buf, sizeof(buf), "premodd is not running (%s)",
			 d ? "its pid is gone" : "no stats file");
		problem(problems, &code, STATUS_DAEMON_DOWN, buf);
	} else if (!json_is_true(json_object_get(d, "connected")) &&
		   in->module != 0) {
		problem(problems, &code, STATUS_DISCONNECTED,
			"premodd is not connected to the module");
	}

	/* policy */
	if (d) {
		const json_t *pol = json_object_get(d, "policy");
		const json_t *last = json_object_get(d, "last_reload");

		o = json_object();
		json_object_set(o, "generation",
				json_object_get(d, "generation"));
		json_object_set(o, "path", json_object_get(pol, "path"));
		json_object_set_new(o, "rules", json_integer(
			(json_int_t)json_array_size(json_object_get(pol, "rules"))));
		json_object_set(o, "reloads", json_object_get(d, "reloads"));
		json_object_set(o, "last_reload",
				last ? (json_t *)last : json_null());
		json_object_set_new(r, "policy", o);
		if (in->daemon_alive && json_is_object(last) &&
		    !strcmp(json_string_value(json_object_get(last, "result"))
			    ?: "", "failed")) {
			snprintf(buf, sizeof(buf), "the last policy reload "
				 "failed; generation %" JSON_INTEGER_FORMAT
				 " stays active", int_at(last, "generation"));
			problem(problems, &code, STATUS_RELOAD_FAILED, buf);
		}
	} else {
		json_object_set_new(r, "policy", json_null());
	}

	/* loss */
	o = json_object();
	json_object_set_new(o, "kernel", in->kernel_counters
			    ? json_integer(kernel_loss(in->kernel_counters))
			    : json_null());
	json_object_set_new(o, "daemon", d
			    ? json_integer(sum(json_object_get(d, "dropped"),
					       NULL, "kernel"))
			    : json_null());
	json_object_set_new(o, "sinks", d
			    ? json_integer(sum(json_object_get(d, "sinks"),
					       "dropped", NULL) +
					   sum(json_object_get(d, "sinks"),
					       "failed", NULL))
			    : json_null());
	{
		json_int_t k = int_at(o, "kernel"), dd = int_at(o, "daemon"),
			   s = int_at(o, "sinks");

		if (k || dd || s) {
			snprintf(buf, sizeof(buf), "lost: %" JSON_INTEGER_FORMAT
				 " events in the kernel, %" JSON_INTEGER_FORMAT
				 " in premodd, %" JSON_INTEGER_FORMAT
				 " records in sinks", k, dd, s);
			problem(problems, &code, STATUS_LOSS, buf);
		}
	}
	json_object_set_new(r, "loss", o);

	json_object_set_new(r, "status", json_string(status_names[code]));
	json_object_set_new(r, "exit", json_integer(code));
	json_object_set_new(r, "problems", problems);
	*report = r;
	return code;
}

static void print_int_or(FILE *out, const json_t *v, const char *absent)
{
	if (json_is_integer(v))
		fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else
		fputs(absent, out);
}

static void put_esc(FILE *out, const char *s)
{
	pm_text_escape(out, s ? s : "?");
}

void status_print(FILE *out, const json_t *r)
{
	const json_t *m = json_object_get(r, "module"),
		     *d = json_object_get(r, "daemon"),
		     *p = json_object_get(r, "policy"),
		     *l = json_object_get(r, "loss"),
		     *problems = json_object_get(r, "problems"), *v;
	size_t i;

	fprintf(out, "status:  %s (exit %" JSON_INTEGER_FORMAT ")\n",
		json_string_value(json_object_get(r, "status")),
		int_at(r, "exit"));
	json_array_foreach(problems, i, v)
		fprintf(out, "  - %s\n", json_string_value(v));

	fputs("module:  ", out);
	if (json_is_null(json_object_get(m, "loaded"))) {
		fputs("unknown\n", out);
	} else if (json_is_true(json_object_get(m, "loaded"))) {
		fputs("loaded, version ", out);
		put_esc(out, json_string_value(json_object_get(m, "version")));
		fprintf(out, ", netlink protocol %" JSON_INTEGER_FORMAT "\n",
			int_at(m, "protocol"));
	} else {
		fputs("not loaded\n", out);
	}

	fputs("daemon:  ", out);
	if (json_is_true(json_object_get(d, "running"))) {
		fprintf(out, "running, pid %" JSON_INTEGER_FORMAT ", since ",
			int_at(d, "pid"));
		put_esc(out, json_string_value(json_object_get(d, "started")));
		fprintf(out, ", %s\n",
			json_is_true(json_object_get(d, "connected"))
				? "connected to the module"
				: "NOT connected to the module");
	} else {
		fputs("not running (", out);
		put_esc(out, json_string_value(json_object_get(d, "stats_file")));
		fputs(json_is_integer(json_object_get(d, "pid"))
			      ? " names a pid that is gone)\n"
			      : " absent)\n",
		      out);
	}

	if (json_is_object(p)) {
		const json_t *last = json_object_get(p, "last_reload");
		const json_t *errs = json_object_get(last, "errors");

		fputs("policy:  generation ", out);
		print_int_or(out, json_object_get(p, "generation"), "?");
		fputs(", ", out);
		print_int_or(out, json_object_get(p, "rules"), "?");
		fputs(" rules from ", out);
		put_esc(out, json_string_value(json_object_get(p, "path")));
		fputc('\n', out);
		fputs("reload:  ", out);
		if (!json_is_object(last)) {
			fputs("none since start\n", out);
		} else {
			fputs("last at ", out);
			put_esc(out, json_string_value(json_object_get(last,
								       "time")));
			fprintf(out, ": %s, generation %" JSON_INTEGER_FORMAT
				     "%s\n",
				json_string_value(json_object_get(last,
								  "result")),
				int_at(last, "generation"),
				json_array_size(errs) ? " stays active" : "");
			json_array_foreach(errs, i, v) {
				fputs("    ", out);
				put_esc(out, json_string_value(v));
				fputc('\n', out);
			}
		}
	}

	fputs("loss:    kernel ", out);
	print_int_or(out, json_object_get(l, "kernel"), "?");
	fputs(" events, premodd ", out);
	print_int_or(out, json_object_get(l, "daemon"), "?");
	fputs(" events, sinks ", out);
	print_int_or(out, json_object_get(l, "sinks"), "?");
	fputs(" records\n", out);
}

int rules_print(FILE *out, const json_t *daemon, bool json)
{
	const json_t *pol = json_object_get(daemon, "policy");
	const json_t *rules = json_object_get(pol, "rules"), *r;
	size_t i, w = 4;

	if (!json_is_array(rules))
		return -ENOENT;
	if (json) {
		json_dumpf(pol, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
		fputc('\n', out);
		return 0;
	}
	fputs("policy generation ", out);
	print_int_or(out, json_object_get(pol, "generation"), "?");
	fprintf(out, ", %zu rules from ", json_array_size(rules));
	put_esc(out, json_string_value(json_object_get(pol, "path")));
	fputc('\n', out);
	json_array_foreach(rules, i, r) {
		size_t n = strlen(json_string_value(json_object_get(r, "id"))
				  ?: "");

		if (n > w)
			w = n;
	}
	if (w > 40)
		w = 40;
	fprintf(out, "%-*s %-8s %12s %12s  %s\n", (int)w, "RULE", "SEVERITY",
		"MATCHED", "SUPPRESSED", "DESCRIPTION");
	json_array_foreach(rules, i, r) {
		const char *id = json_string_value(json_object_get(r, "id"));
		const char *desc = json_string_value(json_object_get(r,
								     "description"));

		fprintf(out, "%-*s %-8s %12" JSON_INTEGER_FORMAT
			     " %12" JSON_INTEGER_FORMAT "  ",
			(int)w, id ? id : "?",
			json_string_value(json_object_get(r, "severity")) ?: "?",
			int_at(r, "matched"), int_at(r, "suppressed"));
		if (!json_is_true(json_object_get(r, "enabled")))
			fputs(desc ? "(disabled) " : "(disabled)", out);
		if (desc)
			pm_text_escape(out, desc);
		fputc('\n', out);
	}
	return 0;
}

json_t *daemon_stats_load(const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *d;
	FILE *f = fopen(path, "r");

	if (!f) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return NULL;
	}
	d = json_loadf(f, 0, &je);
	fclose(f);
	if (!json_is_object(d)) {
		snprintf(err, errlen, "%s: line %d: %s", path, je.line,
			 d ? "not a JSON object" : je.text);
		json_decref(d);
		errno = EINVAL;
		return NULL;
	}
	return d;
}

bool daemon_alive(const json_t *daemon, pid_t *pid)
{
	json_int_t p = int_at(daemon, "pid");
	char path[64], comm[32] = "";
	FILE *f;

	if (p <= 0 || p > INT32_MAX)
		return false;
	if (pid)
		*pid = (pid_t)p;
	if (kill((pid_t)p, 0) < 0 && errno != EPERM)
		return false;
	/* a pid reused by another program is not premodd */
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)p);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	return !strcmp(comm, "premodd");
}

uint64_t daemon_reload_count(const json_t *daemon)
{
	const json_t *r = json_object_get(daemon, "reloads");

	return (uint64_t)(int_at(r, "ok") + int_at(r, "failed"));
}
