// SPDX-License-Identifier: MIT
/*
 * premodctl stats: the module's counters and hooks, and premodd's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "premodctl.h"
#include <jansson.h>

#include "event_text.h"

const char usage_stats[] =
"Usage: premodctl stats [--json] [--daemon-stats FILE]\n"
"\n"
"Prints every counter of premod.ko (captured, sent, drop_* by reason, ...),\n"
"each hook's hits and kprobe nmissed, then the counters premodd writes to\n"
DAEMON_STATS_FILE " when that file exists. Without the module\n"
"(not loaded, or no permission to ask it) premodd's counters are still\n"
"shown.\n"
"\n"
"Options:\n"
"  --json                one JSON object: {\"version\", \"module\", \"counters\",\n"
"                        \"hooks\", \"premodd\"}; \"module\" is true when the\n"
"                        counters were read (else they are null), premodd is\n"
"                        null when there is no stats file\n"
"  --daemon-stats FILE   read the daemon's counters from FILE\n"
"\n"
"Exit status: 0 when some counters were shown (the module's or premodd's),\n"
"1 when neither could be read, 2 usage error.\n";

static const char *const stat_names[__PREMOD_STAT_MAX] = {
	[PREMOD_STAT_CAPTURED] = "captured",
	[PREMOD_STAT_SENT] = "sent",
	[PREMOD_STAT_FILTERED] = "filtered",
	[PREMOD_STAT_SELF] = "self",
	[PREMOD_STAT_DROP_BUFFER_FULL] = "drop_buffer_full",
	[PREMOD_STAT_DROP_TOO_BIG] = "drop_too_big",
	[PREMOD_STAT_DROP_ALLOC] = "drop_alloc",
	[PREMOD_STAT_DROP_SEND] = "drop_send",
	[PREMOD_STAT_DROP_NO_LISTENER] = "drop_no_listener",
	[PREMOD_STAT_DROP_UNLOAD] = "drop_unload",
	[PREMOD_STAT_KPROBE_MISSED] = "kprobe_missed",
	[PREMOD_STAT_LOST_RECORDS] = "lost_records",
	[PREMOD_STAT_PATH_TRUNCATED] = "path_truncated",
	[PREMOD_STAT_PATH_ERROR] = "path_error",
	[PREMOD_STAT_BATCHES] = "batches",
	[PREMOD_STAT_PUBLISHED] = "published",
	[PREMOD_STAT_PUBLISH_FAILED] = "publish_failed",
	[PREMOD_STAT_BUFFER_BYTES] = "buffer_bytes",
};

_Static_assert(PREMOD_STAT_MAX == PAD_PREMOD_STAT,
	       "stat_names: a new counter needs a name");

struct stats {
	json_t *counters;	/* name -> integer, in kernel order */
	json_t *hooks;		/* array of {name, enabled, probed, hits, nmissed} */
};

static json_t *u64_json(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static int parse_stats(struct nlattr **tb, void *arg)
{
	struct stats *st = arg;
	struct nlattr *a;
	int rem;

	if (!tb[PREMOD_A_STATS]) {
		errmsg("GET_STATS: the reply has no counters");
		return -EBADMSG;
	}
	nla_for_each_nested(a, tb[PREMOD_A_STATS], rem) {
		int type = nla_type(a);
		char name[32];

		if (type == PAD_PREMOD_STAT || type == 0)
			continue;
		if (nla_len(a) != 8) {
			errmsg("GET_STATS: counter %d has %d bytes, expected 8",
			       type, nla_len(a));
			return -EBADMSG;
		}
		if (type < __PREMOD_STAT_MAX && stat_names[type])
			snprintf(name, sizeof(name), "%s", stat_names[type]);
		else	/* a newer module: show it rather than hide it */
			snprintf(name, sizeof(name), "stat_%d", type);
		json_object_set_new(st->counters, name,
				    u64_json(nla_get_u64(a)));
	}
	if (!tb[PREMOD_A_HOOKS])
		return 0;
	nla_for_each_nested(a, tb[PREMOD_A_HOOKS], rem) {
		struct nlattr *h[PREMOD_HA_MAX + 1];
		json_t *o;

		if (nla_type(a) != PREMOD_HA_HOOK)
			continue;
		if (nla_parse_nested(h, PREMOD_HA_MAX, a, NULL) < 0 ||
		    !h[PREMOD_HA_NAME]) {
			errmsg("GET_STATS: malformed hook entry");
			return -EBADMSG;
		}
		o = json_object();
		json_object_set_new(o, "name",
				    json_string(nla_get_string(h[PREMOD_HA_NAME])));
		if (h[PREMOD_HA_ENABLED])
			json_object_set_new(o, "enabled",
					    json_boolean(nla_get_u8(h[PREMOD_HA_ENABLED])));
		if (h[PREMOD_HA_PROBED])
			json_object_set_new(o, "probed",
					    json_boolean(nla_get_u8(h[PREMOD_HA_PROBED])));
		if (h[PREMOD_HA_HITS] && nla_len(h[PREMOD_HA_HITS]) == 8)
			json_object_set_new(o, "hits",
					    u64_json(nla_get_u64(h[PREMOD_HA_HITS])));
		if (h[PREMOD_HA_NMISSED] && nla_len(h[PREMOD_HA_NMISSED]) == 8)
			json_object_set_new(o, "nmissed",
					    u64_json(nla_get_u64(h[PREMOD_HA_NMISSED])));
		json_array_append_new(st->hooks, o);
	}
	return 0;
}

int ctl_get_stats(struct ctl *nl, json_t *counters, json_t *hooks)
{
	struct stats st = { counters, hooks };
	struct req r = { .what = "GET_STATS", .parse = parse_stats, .arg = &st };
	struct nl_msg *msg = ctl_new(nl, PREMOD_CMD_GET_STATS);

	if (!msg) {
		errmsg("out of memory");
		return -ENOMEM;
	}
	return ctl_request(nl, msg, &r);
}

/* "a.b[2].c  value" lines for whatever premodd writes. */
static void print_flat(const char *prefix, const json_t *v)
{
	char key[512];

	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *sub;

		json_object_foreach((json_t *)v, k, sub) {
			snprintf(key, sizeof(key), "%s%s%s", prefix,
				 *prefix ? "." : "", k);
			print_flat(key, sub);
		}
		return;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *sub;

		json_array_foreach(v, i, sub) {
			snprintf(key, sizeof(key), "%s[%zu]", prefix, i);
			print_flat(key, sub);
		}
		return;
	}
	default:
		break;
	}
	printf("  %-36s ", prefix);
	switch (json_typeof(v)) {
	case JSON_STRING:
		pm_text_escape(stdout, json_string_value(v));
		break;
	case JSON_INTEGER:
		printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		printf("%g", json_real_value(v));
		break;
	case JSON_TRUE: fputs("true", stdout); break;
	case JSON_FALSE: fputs("false", stdout); break;
	default: fputs("null", stdout); break;
	}
	putchar('\n');
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "daemon-stats", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *dfile = DAEMON_STATS_FILE;
	struct stats st = { json_object(), json_array() };
	json_t *daemon = NULL;
	bool json = false, module = false;
	struct ctl nl;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+jd:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'd': dfile = optarg; break;
		case 'h': fputs(usage_stats, stdout); ret = 0; goto out;
		default: fputs(usage_stats, stderr); ret = 2; goto out;
		}
	}
	if (optind < argc) {
		errmsg("stats: unexpected argument '%s'", argv[optind]);
		fputs(usage_stats, stderr);
		ret = 2;
		goto out;
	}

	/* the module's counters when it answers; premodd's in any case */
	ret = ctl_open(&nl, true);
	if (ret == -ENOENT) {
		errmsg("premod.ko is not loaded: no kernel counters");
	} else if (ret == 0) {
		module = ctl_get_stats(&nl, st.counters, st.hooks) == 0;
		ctl_close(&nl);
	}

	if (access(dfile, F_OK) == 0) {
		json_error_t jerr;

		daemon = json_load_file(dfile, 0, &jerr);
		if (!daemon)
			errmsg("cannot read premodd's counters from %s: line "
			       "%d: %s", dfile, jerr.line, jerr.text);
	} else if (errno != ENOENT) {
		errmsg("cannot read premodd's counters from %s: %s", dfile,
		       strerror(errno));
	}
	ret = 1;
	if (!module && !daemon)
		goto out;

	if (json) {
		json_t *o = json_object();

		json_object_set_new(o, "version",
				    json_integer(PREMOD_GENL_VERSION));
		json_object_set_new(o, "module", json_boolean(module));
		json_object_set(o, "counters", module ? st.counters
						      : json_null());
		json_object_set(o, "hooks", module ? st.hooks : json_null());
		json_object_set(o, "premodd", daemon ? daemon : json_null());
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else {
		const char *k;
		json_t *v;
		size_t i;

		if (!module)
			printf("premod.ko: no counters (not loaded or not "
			       "answering)\n");
		else
			printf("premod.ko (netlink protocol %d)\n",
			       PREMOD_GENL_VERSION);
		json_object_foreach(st.counters, k, v)
			printf("  %-36s %" JSON_INTEGER_FORMAT "\n", k,
			       json_integer_value(v));
		if (module)
			printf("hooks %31s %8s %7s %14s %10s\n", "", "enabled",
			       "probed", "hits", "nmissed");
		json_array_foreach(st.hooks, i, v) {
			json_t *e = json_object_get(v, "enabled");
			json_t *p = json_object_get(v, "probed");

			printf("  %-36s %8s %7s %14" JSON_INTEGER_FORMAT
			       " %10" JSON_INTEGER_FORMAT "\n",
			       json_string_value(json_object_get(v, "name")),
			       !e ? "?" : json_is_true(e) ? "yes" : "no",
			       !p ? "?" : json_is_true(p) ? "yes" : "no",
			       json_integer_value(json_object_get(v, "hits")),
			       json_integer_value(json_object_get(v, "nmissed")));
		}
		if (daemon) {
			printf("premodd (%s)\n", dfile);
			print_flat("", daemon);
		} else {
			printf("premodd: no counters (%s absent: premodd not "
			       "running?)\n", dfile);
		}
	}
	ret = 0;
out:
	json_decref(daemon);
	json_decref(st.counters);
	json_decref(st.hooks);
	return ret;
}
