// SPDX-License-Identifier: MIT
/*
 * premodd - the premod policy daemon.
 *
 * main() reads as the startup sequence: configuration, policy, kernel
 * connection (events socket, REGISTER, SET_FILTER), sinks, evaluator,
 * receiver, then the main loop. The main thread owns signals (signalfd)
 * and the periodic jobs; it never touches an event.
 *
 *   receiver thread  -> evqueue -> evaluator thread -> sink threads
 *
 * premodd never forks: under systemd it is Type=notify, elsewhere run it
 * under a supervisor or in a terminal.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "config.h"
#include "engine.h"
#include "evqueue.h"
#include "genl.h"
#include "log.h"
#include "modes.h"
#include "receiver.h"
#include "sink.h"
#include "sink_alerts.h"
#include "stats.h"

#ifndef PREMOD_VERSION
#define PREMOD_VERSION "0.1"
#endif

#define TICK_MS 1000
#define CONNECT_CHECK_MS 2000

enum { S_JOURNAL, S_JOURNALD, S_SYSLOG, S_STDOUT, S_ALERTS, S_COUNT };

struct daemon {
	struct config cfg;
	const char *config_path;
	bool foreground;
	char host[256];
	struct stats stats;
	struct genl ctrl;		/* main thread's requests */
	struct genl events;		/* the receiver's socket */
	bool connected;
	struct sink sinks[S_COUNT];
	struct sink *active[S_COUNT];	/* started sinks, in order */
	size_t n_active;
	struct evq q;
	struct engine *engine;
	struct receiver rx;
	struct policy_prefilter pf;	/* the one pushed (or to push) */
	bool watchdog;
	uint64_t last_stats_ms, last_check_ms;
	int stats_err, prom_err;	/* last errors, logged once each */
};

static void usage(FILE *out)
{
	fprintf(out,
"Usage: premodd [OPTION]...\n"
"       premodd --check DIR\n"
"       premodd --replay FILE [--policy DIR]\n"
"\n"
"The premod policy daemon: reads the pre-modify file events of the premod\n"
"kernel module, matches them against the JSON policy and writes audit\n"
"records to the configured sinks (JSONL journal, journald, syslog, stdout,\n"
"the module's \"alerts\" group). Losses are reported in-band as `lost`\n"
"records in every sink.\n"
"\n"
"premodd never forks. Under systemd it runs as Type=notify with the\n"
"watchdog; by hand, run it in the foreground with -f. SIGHUP reloads the\n"
"policy (the old one stays active if the new one has errors) and reopens\n"
"the journal file; SIGTERM or SIGINT drains every queue and exits 0.\n"
"\n"
"Options:\n"
"  -f, --foreground     log diagnostics to stderr instead of syslog\n"
"  -c, --config FILE    configuration (default " CONFIG_DEFAULT_PATH ";\n"
"                       a missing default file means built-in defaults)\n"
"      --policy DIR     policy directory (or one file); overrides the\n"
"                       configuration's policy_dir\n"
"      --journal FILE   JSONL change journal file (enables it)\n"
"      --no-journal     disable the JSONL journal\n"
"      --stdout         also print records on stdout (format from the\n"
"                       configuration, default json)\n"
"      --no-journald    disable the journald sink\n"
"      --no-syslog      disable the syslog sink\n"
"      --no-alerts      disable republishing on the alerts group\n"
"      --check DIR      validate a policy: print its errors, or a summary\n"
"                       and the prefilter it would push; exit 0 if valid\n"
"      --replay FILE    evaluate recorded events (premodctl monitor --json\n"
"                       lines, FILE - for stdin) and print the records as\n"
"                       JSONL; bad lines are reported as FILE:LINE: on\n"
"                       stderr and make the exit status 1. No kernel needed.\n"
"  -h, --help           this help\n"
"      --version        print the version\n"
"\n"
"Exit status: 0 on success or clean shutdown, 1 on an error (invalid\n"
"configuration or policy, kernel module not loaded, missing privileges).\n"
"Needs CAP_NET_ADMIN (netlink) and, for the exe field, CAP_SYS_PTRACE.\n");
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

enum {
	OPT_POLICY = 256,
	OPT_JOURNAL,
	OPT_NO_JOURNAL,
	OPT_STDOUT,
	OPT_NO_JOURNALD,
	OPT_NO_SYSLOG,
	OPT_NO_ALERTS,
	OPT_CHECK,
	OPT_REPLAY,
	OPT_VERSION,
};

struct args {
	const char *config;
	const char *policy;
	const char *journal;
	const char *check;
	const char *replay;
	bool no_journal, to_stdout, no_journald, no_syslog, no_alerts;
	bool foreground;
};

/* 0 to go on, 1/2 to exit with status 0/1 */
static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "journal", required_argument, NULL, OPT_JOURNAL },
		{ "no-journal", no_argument, NULL, OPT_NO_JOURNAL },
		{ "stdout", no_argument, NULL, OPT_STDOUT },
		{ "no-journald", no_argument, NULL, OPT_NO_JOURNALD },
		{ "no-syslog", no_argument, NULL, OPT_NO_SYSLOG },
		{ "no-alerts", no_argument, NULL, OPT_NO_ALERTS },
		{ "check", required_argument, NULL, OPT_CHECK },
		{ "replay", required_argument, NULL, OPT_REPLAY },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "fc:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': a->foreground = true; break;
		case 'c': a->config = optarg; break;
		case OPT_POLICY: a->policy = optarg; break;
		case OPT_JOURNAL: a->journal = optarg; break;
		case OPT_NO_JOURNAL: a->no_journal = true; break;
		case OPT_STDOUT: a->to_stdout = true; break;
		case OPT_NO_JOURNALD: a->no_journald = true; break;
		case OPT_NO_SYSLOG: a->no_syslog = true; break;
		case OPT_NO_ALERTS: a->no_alerts = true; break;
		case OPT_CHECK: a->check = optarg; break;
		case OPT_REPLAY: a->replay = optarg; break;
		case 'h': usage(stdout); return 1;
		case OPT_VERSION:
			printf("premodd %s (netlink protocol version %d)\n",
			       PREMOD_VERSION, PREMOD_GENL_VERSION);
			return 1;
		default:
			fprintf(stderr, "Try 'premodd --help'.\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "premodd: unexpected argument '%s'; try "
				"'premodd --help'.\n", argv[optind]);
		return 2;
	}
	if (a->check && a->replay) {
		fprintf(stderr, "premodd: --check and --replay exclude each "
				"other\n");
		return 2;
	}
	if (a->journal && a->no_journal) {
		fprintf(stderr, "premodd: --journal and --no-journal exclude "
				"each other\n");
		return 2;
	}
	return 0;
}

/* Configuration file, then the flags over it. 0 or exit status. */
static int load_config(struct daemon *d, const struct args *a)
{
	int ret;

	if (config_init(&d->cfg) < 0) {
		fprintf(stderr, "premodd: out of memory\n");
		return 1;
	}
	d->config_path = a->config ? a->config : CONFIG_DEFAULT_PATH;
	ret = config_load(&d->cfg, d->config_path, stderr);
	if (ret == -ENOENT && !a->config) {
		ret = 0;	/* no file: the defaults */
	} else if (ret == -ENOENT) {
		fprintf(stderr, "premodd: %s: no such configuration file\n",
			d->config_path);
		return 1;
	} else if (ret < 0) {
		fprintf(stderr, "premodd: %s: invalid configuration, not "
				"starting\n", d->config_path);
		return 1;
	}
	if ((a->policy && config_set_str(&d->cfg.policy_dir, a->policy)) ||
	    (a->journal && config_set_str(&d->cfg.journal.path, a->journal))) {
		fprintf(stderr, "premodd: out of memory\n");
		return 1;
	}
	if (a->journal)
		d->cfg.journal.enabled = true;
	if (a->no_journal)
		d->cfg.journal.enabled = false;
	if (a->to_stdout)
		d->cfg.out.enabled = true;
	if (a->no_journald)
		d->cfg.journald.enabled = false;
	if (a->no_syslog)
		d->cfg.syslog.enabled = false;
	if (a->no_alerts)
		d->cfg.alerts.enabled = false;
	return 0;
}

/* Diagnostics of a policy load, one log line each. */
static void log_diags(const struct policy_diags *diags)
{
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	policy_diags_print(diags, f);
	fclose(f);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		log_msg(LOG_ERR, "%s", line);
	free(text);
}

static void emit_to_sinks(struct record *r, void *arg)
{
	struct daemon *d = arg;
	size_t i;

	for (i = 0; i < d->n_active; i++)
		sink_submit(d->active[i], r);
}

/* Evaluator thread, right after a reload took effect. */
static void policy_swapped(uint64_t generation, void *arg)
{
	struct daemon *d = arg;
	struct record_ctx ctx = { .host = d->host, .generation = generation };
	size_t i;

	for (i = 0; i < d->n_active; i++)
		sink_set_ctx(d->active[i], &ctx);
}

/* A failing stats file is logged when it starts and when it recovers, not
 * every few seconds. */
static void write_one(const char *path, char *text, int *last_err)
{
	int ret = text ? stats_write_file(path, text) : -ENOMEM;

	free(text);
	if (ret < 0 && ret != *last_err)
		log_msg(LOG_WARNING, "cannot write %s: %s", path,
			strerror(-ret));
	else if (ret == 0 && *last_err)
		log_msg(LOG_NOTICE, "writing %s again", path);
	*last_err = ret;
}

static void write_stats(struct daemon *d)
{
	atomic_store(&d->stats.queue_depth, evq_depth(&d->q));
	if (d->cfg.stats.file)
		write_one(d->cfg.stats.file,
			  stats_render_json(&d->stats, d->active, d->n_active),
			  &d->stats_err);
	if (d->cfg.stats.prometheus)
		write_one(d->cfg.stats.prometheus,
			  stats_render_prometheus(&d->stats, d->active,
						  d->n_active),
			  &d->prom_err);
}

/*
 * systemd creates /run/premod and /var/log/premod; by hand, premodd makes
 * the last directory level itself rather than fail on it.
 */
static void make_parent(const char *path, mode_t mode)
{
	char *dir;
	char *slash;

	if (!path)
		return;
	dir = strdup(path);
	if (!dir)
		return;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, mode) < 0 && errno != EEXIST && errno != ENOENT)
			log_msg(LOG_WARNING, "cannot create %s: %s", dir,
				strerror(errno));
	}
	free(dir);
}

static void notify_status(struct daemon *d, const char *what)
{
	char buf[256];

	snprintf(buf, sizeof(buf),
		 "STATUS=%s; policy generation %llu, %llu events received",
		 what,
		 (unsigned long long)atomic_load(&d->stats.generation),
		 (unsigned long long)atomic_load(&d->stats.received));
	sd_notify(0, buf);
}

/*
 * Pushes d->pf. A subtree that does not exist makes the kernel refuse the
 * whole filter (ENOENT); a wider filter without subtrees is then pushed,
 * so nothing the policy needs is filtered out.
 */
static int push_filter(struct daemon *d)
{
	struct policy_prefilter wide;
	int ret = genl_set_filter(&d->ctrl, &d->pf);

	if (ret == 0)
		return 0;
	log_msg(LOG_WARNING, "the kernel refused the prefilter: %s%s%s",
		strerror(-ret), *genl_error(&d->ctrl) ? ": " : "",
		genl_error(&d->ctrl));
	if (d->pf.include_all)
		return ret;
	wide = d->pf;
	wide.include_all = true;
	wide.n_include = 0;
	ret = genl_set_filter(&d->ctrl, &wide);
	if (ret == 0)
		log_msg(LOG_WARNING, "pushed a wider prefilter (ops only, "
				     "every subtree) instead");
	else
		log_msg(LOG_ERR, "the kernel refused the wider prefilter "
				 "too: %s", strerror(-ret));
	return ret;
}

static int load_policy(const char *path, struct policy **p)
{
	struct policy_diags diags = { 0 };
	int ret = policy_load(path, p, &diags);

	log_diags(&diags);
	if (ret < 0 && !diags.n)
		log_msg(LOG_ERR, "%s: cannot load the policy: %s", path,
			strerror(-ret));
	policy_diags_free(&diags);
	return ret;
}

static void reload(struct daemon *d)
{
	struct policy_prefilter pf = { 0 };
	struct policy *p = NULL;
	size_t i;
	int ret;

	sd_notify(0, "RELOADING=1");
	log_msg(LOG_INFO, "SIGHUP: reloading the policy from %s",
		d->cfg.policy_dir);
	ret = load_policy(d->cfg.policy_dir, &p);
	if (ret == 0 && (ret = policy_prefilter(p, &pf)) < 0)
		log_msg(LOG_ERR, "cannot derive the prefilter: %s",
			strerror(-ret));
	if (ret < 0) {
		policy_free(p);
		stats_inc(&d->stats.reloads_failed, 1);
		log_msg(LOG_ERR, "policy reload failed; the previous policy "
				 "(generation %llu) stays active",
			(unsigned long long)engine_generation(d->engine));
		goto out;
	}
	log_msg(LOG_INFO, "policy loaded: %zu rules; it takes effect at "
			  "the next event (generation %llu)",
		policy_rule_count(p),
		(unsigned long long)engine_generation(d->engine) + 1);
	engine_set_policy(d->engine, p);
	policy_prefilter_free(&d->pf);
	d->pf = pf;
	if (d->connected)
		push_filter(d);
	stats_inc(&d->stats.reloads_ok, 1);
out:
	/* the journal reopens on every SIGHUP (logrotate) */
	for (i = 0; i < d->n_active; i++)
		sink_request_reopen(d->active[i]);
	sd_notify(0, "READY=1");
	notify_status(d, ret < 0 ? "reload failed, previous policy active"
				 : "running");
}

/* The module's state went from gone to present: join, register, filter. */
static int connect_kernel(struct daemon *d)
{
	int ret;

	ret = genl_resolve(&d->ctrl);
	if (ret < 0)
		return ret;
	/* registered and filtered before the first event arrives */
	ret = genl_register(&d->ctrl);
	if (ret < 0) {
		log_msg(LOG_ERR, "REGISTER failed: %s%s%s", strerror(-ret),
			*genl_error(&d->ctrl) ? ": " : "",
			genl_error(&d->ctrl));
		return ret;
	}
	push_filter(d);
	d->events.family = d->ctrl.family;
	d->events.grp_events = d->ctrl.grp_events;
	/* the new instance numbers its events from the start again */
	receiver_restart(&d->rx, d->ctrl.family);
	ret = genl_join(&d->events, d->ctrl.grp_events);
	if (ret < 0) {
		log_msg(LOG_ERR, "cannot join the premod \"events\" group: %s",
			strerror(-ret));
		return ret;
	}
	return 0;
}

/* Every few seconds: is the module still there, and the same instance? */
static void check_connection(struct daemon *d)
{
	uint16_t id = 0;
	int ret = genl_family_id(&d->ctrl, &id);

	if (d->connected && ret == 0 && id == d->ctrl.family)
		return;
	if (d->connected) {
		d->connected = false;
		atomic_store(&d->stats.connected, false);
		log_msg(LOG_ERR, "the premod kernel module went away%s; sinks "
				 "stay up, reconnecting every %d s",
			ret == 0 ? " (replaced by a new instance)" : "",
			CONNECT_CHECK_MS / 1000);
		notify_status(d, "kernel module gone, waiting for it");
	}
	if (ret < 0)
		return;
	if (connect_kernel(d) < 0)
		return;
	d->connected = true;
	atomic_store(&d->stats.connected, true);
	stats_inc(&d->stats.reconnects, 1);
	log_msg(LOG_NOTICE, "reconnected to the premod kernel module");
	notify_status(d, "running");
}

static void tick(struct daemon *d)
{
	uint64_t now = mono_ms();

	if (d->watchdog)
		sd_notify(0, "WATCHDOG=1");
	if (now - d->last_check_ms >= CONNECT_CHECK_MS) {
		d->last_check_ms = now;
		check_connection(d);
	}
	if (now - d->last_stats_ms >= d->cfg.stats.interval_ms) {
		d->last_stats_ms = now;
		write_stats(d);
	}
}

static int open_sink(struct daemon *d, int which)
{
	const struct sink_ops *ops = NULL;
	struct journal_config jc;
	struct syslog_config sc;
	void *priv = NULL;
	int ret = 0;

	switch (which) {
	case S_JOURNAL:
		if (!d->cfg.journal.enabled)
			return 0;
		jc.path = d->cfg.journal.path;
		jc.sync = d->cfg.journal.sync;
		jc.sync_interval_ms = d->cfg.journal.interval_ms;
		ops = &sink_journal_ops;
		ret = sink_journal_open(&jc, &priv);
		break;
	case S_JOURNALD:
		if (!d->cfg.journald.enabled)
			return 0;
		ops = &sink_journald_ops;
		ret = sink_journald_open(&priv);
		break;
	case S_SYSLOG:
		if (!d->cfg.syslog.enabled)
			return 0;
		sc.facility = d->cfg.syslog.facility;
		sc.ident = "premodd";
		ops = &sink_syslog_ops;
		ret = sink_syslog_open(&sc, &priv);
		break;
	case S_STDOUT:
		if (!d->cfg.out.enabled)
			return 0;
		ops = &sink_stdout_ops;
		ret = sink_stdout_open(d->cfg.out.json, &priv);
		break;
	case S_ALERTS:
		if (!d->cfg.alerts.enabled)
			return 0;
		ops = &sink_alerts_ops;
		ret = sink_alerts_open(&priv);
		break;
	}
	if (ret < 0) {
		log_msg(LOG_ERR, "cannot open the %s sink%s%s: %s (disable it "
				 "in %s or with --no-%s)",
			ops->name, which == S_JOURNAL ? " " : "",
			which == S_JOURNAL ? d->cfg.journal.path : "",
			strerror(-ret), d->config_path, ops->name);
		return ret;
	}
	{
		struct record_ctx ctx = { .host = d->host, .generation = 1 };

		sink_set_ctx(&d->sinks[which], &ctx);
	}
	ret = sink_start(&d->sinks[which], ops, priv, d->cfg.sink_queue_size);
	if (ret < 0) {
		struct sink tmp = { .ops = ops, .priv = priv };

		if (ops->close)
			ops->close(&tmp);
		log_msg(LOG_ERR, "cannot start the %s sink: %s", ops->name,
			strerror(-ret));
		return ret;
	}
	d->active[d->n_active++] = &d->sinks[which];
	return 0;
}

/* Opens the kernel side at start. Exit status or 0. */
static int open_kernel(struct daemon *d)
{
	bool forced;
	int actual = 0, ret;

	ret = genl_open(&d->ctrl);
	if (ret == -ENOENT) {
		log_msg(LOG_ERR, "the premod kernel module is not loaded "
				 "(generic netlink family \"%s\" not found); "
				 "load it with: modprobe premod",
			PREMOD_GENL_NAME);
		return 1;
	}
	if (ret < 0) {
		log_msg(LOG_ERR, "cannot open a generic netlink socket: %s",
			strerror(-ret));
		return 1;
	}
	if (d->ctrl.version && d->ctrl.version != PREMOD_GENL_VERSION) {
		log_msg(LOG_ERR, "the premod kernel module speaks protocol "
				 "version %u, this premodd speaks %d: install "
				 "matching versions of the module and premodd",
			d->ctrl.version, PREMOD_GENL_VERSION);
		return 1;
	}
	if (!d->ctrl.grp_events) {
		log_msg(LOG_ERR, "the premod family has no \"%s\" group: "
				 "module and premodd do not match",
			PREMOD_MCGRP_EVENTS);
		return 1;
	}
	ret = genl_open(&d->events);
	if (ret < 0) {
		log_msg(LOG_ERR, "cannot open the events socket: %s",
			strerror(-ret));
		return 1;
	}
	ret = genl_set_broadcast_error(&d->events);
	if (ret < 0)
		log_msg(LOG_WARNING, "NETLINK_BROADCAST_ERROR: %s; the module "
				     "will not learn of our overruns",
			strerror(-ret));
	ret = genl_set_rcvbuf(&d->events, (int)d->cfg.receive_buffer, &forced,
			      &actual);
	if (ret < 0)
		log_msg(LOG_WARNING, "cannot size the events socket's receive "
				     "buffer: %s", strerror(-ret));
	else if (!forced)
		log_msg(LOG_WARNING, "SO_RCVBUFFORCE refused (needs "
				     "CAP_NET_ADMIN); the receive buffer is "
				     "%d bytes (net.core.rmem_max): expect "
				     "losses under bursts", actual);
	ret = genl_register(&d->ctrl);
	if (ret == -EPERM) {
		log_msg(LOG_ERR, "the premod module refused REGISTER: it needs "
				 "CAP_NET_ADMIN (run premodd as root)");
		return 1;
	}
	if (ret < 0) {
		log_msg(LOG_ERR, "REGISTER with the premod module failed: "
				 "%s%s%s", strerror(-ret),
			*genl_error(&d->ctrl) ? ": " : "",
			genl_error(&d->ctrl));
		return 1;
	}
	push_filter(d);
	/* joined last: registered and filtered before the first event */
	ret = genl_join(&d->events, d->ctrl.grp_events);
	if (ret == -EPERM || ret == -EACCES) {
		log_msg(LOG_ERR, "joining the premod \"events\" group needs "
				 "CAP_NET_ADMIN (run premodd as root)");
		return 1;
	}
	if (ret < 0) {
		log_msg(LOG_ERR, "cannot join the premod \"events\" group: %s",
			strerror(-ret));
		return 1;
	}
	d->connected = true;
	atomic_store(&d->stats.connected, true);
	return 0;
}

static int setup_signals(sigset_t *mask)
{
	int fd;

	sigemptyset(mask);
	sigaddset(mask, SIGHUP);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGUSR1);
	/* blocked before any thread starts, so every thread inherits it */
	if (pthread_sigmask(SIG_BLOCK, mask, NULL))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	fd = signalfd(-1, mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd;
}

static int main_loop(struct daemon *d, int sfd)
{
	struct itimerspec its = {
		.it_interval = { TICK_MS / 1000, (TICK_MS % 1000) * 1000000L },
		.it_value = { TICK_MS / 1000, (TICK_MS % 1000) * 1000000L },
	};
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	if (tfd < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0) {
		log_msg(LOG_ERR, "timerfd: %s", strerror(errno));
		if (tfd >= 0)
			close(tfd);
		return -1;
	}
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = tfd, .events = POLLIN },
		};
		struct signalfd_siginfo si;
		uint64_t ticks;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_ERR, "poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents & POLLIN) {
			if (read(tfd, &ticks, sizeof(ticks)) > 0)
				tick(d);
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
			switch (si.ssi_signo) {
			case SIGHUP:
				reload(d);
				break;
			case SIGUSR1:
				write_stats(d);
				break;
			case SIGTERM:
			case SIGINT:
				log_msg(LOG_INFO, "%s: draining and exiting",
					strsignal((int)si.ssi_signo));
				close(tfd);
				return 0;
			}
		}
	}
	close(tfd);
	return -1;
}

static int run_daemon(struct daemon *d)
{
	struct engine_config ec = { 0 };
	struct policy *p = NULL;
	uint64_t usec = 0;
	sigset_t mask;
	int sfd, i, status = 1;

	d->rx.wake_fd = -1;
	if (d->cfg.host)
		snprintf(d->host, sizeof(d->host), "%s", d->cfg.host);
	else if (gethostname(d->host, sizeof(d->host) - 1) < 0)
		snprintf(d->host, sizeof(d->host), "localhost");
	if (stats_init(&d->stats) < 0 || evq_init(&d->q, d->cfg.queue_size)) {
		log_msg(LOG_ERR, "out of memory");
		return 1;
	}
	atomic_store(&d->stats.queue_capacity, d->cfg.queue_size);

	if (load_policy(d->cfg.policy_dir, &p) < 0) {
		log_msg(LOG_ERR, "%s: invalid policy, not starting (check it "
				 "with: premodd --check %s)",
			d->cfg.policy_dir, d->cfg.policy_dir);
		goto out_stats;
	}
	if (policy_prefilter(p, &d->pf) < 0) {
		log_msg(LOG_ERR, "cannot derive the prefilter");
		policy_free(p);
		goto out_stats;
	}
	sfd = setup_signals(&mask);
	if (sfd < 0) {
		log_msg(LOG_ERR, "signalfd: %s", strerror(errno));
		policy_free(p);
		goto out_stats;
	}
	if (open_kernel(d)) {
		policy_free(p);
		goto out_kernel;
	}
	make_parent(d->cfg.stats.file, 0755);
	make_parent(d->cfg.stats.prometheus, 0755);
	if (d->cfg.journal.enabled)
		make_parent(d->cfg.journal.path, 0750);
	for (i = 0; i < S_COUNT; i++) {
		if (open_sink(d, i) < 0) {
			policy_free(p);
			goto out_sinks;
		}
	}
	if (!d->n_active)
		log_msg(LOG_WARNING, "every sink is disabled: records are "
				     "counted but written nowhere");

	ec.host = d->host;
	ec.stats = &d->stats;
	ec.emit = emit_to_sinks;
	ec.emit_arg = d;
	ec.swapped = policy_swapped;
	ec.swapped_arg = d;
	ec.resolve_exe = true;
	d->engine = engine_new(&ec, p);
	if (!d->engine) {
		log_msg(LOG_ERR, "out of memory");
		policy_free(p);
		goto out_sinks;
	}
	if (engine_start(d->engine, &d->q) < 0 ||
	    receiver_init(&d->rx, genl_fd(&d->events), d->events.family,
			  &d->q, &d->stats) < 0 ||
	    receiver_start(&d->rx) < 0) {
		log_msg(LOG_ERR, "cannot start the threads");
		goto out_engine;
	}

	d->watchdog = sd_watchdog_enabled(0, &usec) > 0;
	d->last_check_ms = d->last_stats_ms = mono_ms();
	write_stats(d);
	log_msg(LOG_INFO, "premodd %s started: %zu rules from %s, %zu sinks, "
			  "queue %zu",
		PREMOD_VERSION, policy_rule_count(p), d->cfg.policy_dir,
		d->n_active, d->cfg.queue_size);
	sd_notify(0, "READY=1");
	notify_status(d, "running");

	status = main_loop(d, sfd) < 0 ? 1 : 0;

	sd_notify(0, "STOPPING=1");
	receiver_stop(&d->rx);
out_engine:
	/* the evaluator drains what was queued, then closes rate windows */
	evq_close(&d->q);
	engine_join(d->engine);
	receiver_destroy(&d->rx);
	engine_free(d->engine);
out_sinks:
	for (i = 0; i < (int)d->n_active; i++)
		sink_stop(d->active[i]);
	write_stats(d);
	if (d->connected)
		genl_unregister(&d->ctrl);
out_kernel:
	genl_close(&d->events);
	genl_close(&d->ctrl);
	close(sfd);
out_stats:
	policy_prefilter_free(&d->pf);
	evq_destroy(&d->q);
	stats_destroy(&d->stats);
	return status;
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	static struct daemon d;
	int ret;

	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret - 1;
	ret = load_config(&d, &a);
	if (ret)
		goto out;
	if (a.check) {
		ret = modes_check(a.check, stdout, stderr);
		goto out;
	}
	if (a.replay) {
		FILE *in = strcmp(a.replay, "-") ? fopen(a.replay, "r") : stdin;

		if (!in) {
			fprintf(stderr, "premodd: %s: %s\n", a.replay,
				strerror(errno));
			ret = 1;
			goto out;
		}
		ret = modes_replay(d.cfg.policy_dir, in,
				   in == stdin ? "stdin" : a.replay,
				   d.cfg.host, stdout, stderr);
		if (in != stdin)
			fclose(in);
		goto out;
	}
	log_init("premodd", a.foreground);
	ret = run_daemon(&d);
out:
	config_free(&d.cfg);
	return ret;
}
