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
#include "kconn.h"
#include "log.h"
#include "modes.h"
#include "receiver.h"
#include "sinkset.h"
#include "stats.h"

#ifndef PREMOD_VERSION
#define PREMOD_VERSION "0.1"
#endif

#define TICK_MS 1000
#define CONNECT_CHECK_MS 2000

struct daemon {
	struct config cfg;
	const char *config_path;
	char host[256];
	struct stats stats;
	struct kconn k;			/* the module: control + events */
	struct sinkset sinks;
	struct evq q;
	struct engine *engine;
	struct receiver rx;
	struct policy_prefilter pf;	/* the one pushed (or to push) */
	bool watchdog;
	unsigned int tick_ms;		/* main loop period */
	uint64_t last_stats_ms, last_check_ms;
	uint64_t stats_at_gen;		/* write the stats once the evaluator
					 * reaches this generation (its stats
					 * say so, rules published); 0: none */
	int stats_err, prom_err;	/* last errors, logged once each */
};

static void usage(FILE *out)
{
	fprintf(out,
"Usage: premodd [OPTION]...\n"
"       premodd --check DIR [--json]\n"
"       premodd --explain EVENT [--policy DIR]\n"
"       premodd --replay FILE [--policy DIR] [-c FILE]\n"
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
"the journal file; the configuration file is read at start only. SIGUSR1\n"
"writes the stats files now. SIGTERM or SIGINT drains every queue and\n"
"exits 0.\n"
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
"      --json           with --check: the result as one JSON object\n"
"      --explain EVENT  one event (a premodctl monitor --json line, or a\n"
"                       file holding one, - for stdin): per rule, why it\n"
"                       matched or which condition failed, and whether the\n"
"                       prefilter passes it\n"
"      --replay FILE    evaluate recorded events (premodctl monitor --json\n"
"                       lines, FILE - for stdin) and print the records as\n"
"                       JSONL; bad lines are reported as FILE:LINE: on\n"
"                       stderr and make the exit status 1. No kernel needed.\n"
"  -h, --help           this help\n"
"      --version        print the version\n"
"\n"
"An option's argument may not start with '-' (write ./-x for such a file),\n"
"except FILE - for stdin; -h or --help in its place shows this help.\n"
"\n"
"Exit status: 0 on success or clean shutdown, 1 on an error (invalid\n"
"configuration or policy, kernel module not loaded, missing privileges),\n"
"2 on a usage error (unknown option, missing or conflicting arguments).\n"
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
	OPT_JSON,
	OPT_EXPLAIN,
};

struct args {
	const char *config;
	const char *policy;
	const char *journal;
	const char *check;
	const char *replay;
	const char *explain;
	bool json;
	bool no_journal, to_stdout, no_journald, no_syslog, no_alerts;
	bool foreground;
};

/*
 * An option's argument that looks like an option is a slip (`premodd
 * --replay --help`, `--check --policy DIR`), not a file name: -h/--help
 * there asks for the help, anything else is a usage error.
 */
static int check_optarg(const char *opt, const char *arg)
{
	if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
		usage(stdout);
		return 0;
	}
	if (arg[0] == '-' && arg[1]) {
		fprintf(stderr, "premodd: --%s needs an argument, not the option "
				"'%s' (a file of that name: ./%s); try "
				"'premodd --help'.\n", opt, arg, arg);
		return 2;
	}
	return -1;
}

/* -1 to go on, else the exit status: 0 (--help, --version), 2 (usage) */
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
		{ "json", no_argument, NULL, OPT_JSON },
		{ "explain", required_argument, NULL, OPT_EXPLAIN },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c, idx, ret;

	while ((c = getopt_long(argc, argv, "fc:h", opts, &idx)) != -1) {
		if (optarg) {
			/* idx is set for long options only, and -c is one */
			ret = check_optarg(c == 'c' ? "config" : opts[idx].name,
					   optarg);
			if (ret >= 0)
				return ret;
		}
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
		case OPT_JSON: a->json = true; break;
		case OPT_EXPLAIN: a->explain = optarg; break;
		case 'h': usage(stdout); return 0;
		case OPT_VERSION:
			printf("premodd %s (netlink protocol version %d)\n",
			       PREMOD_VERSION, PREMOD_GENL_VERSION);
			return 0;
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
	if (!!a->check + !!a->replay + !!a->explain > 1) {
		fprintf(stderr, "premodd: --check, --replay and --explain "
				"exclude each other\n");
		return 2;
	}
	if (a->json && !a->check) {
		fprintf(stderr, "premodd: --json goes with --check\n");
		return 2;
	}
	if (a->journal && a->no_journal) {
		fprintf(stderr, "premodd: --journal and --no-journal exclude "
				"each other\n");
		return 2;
	}
	return -1;
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
	for (size_t i = 0; i < diags->n; i++) {
		struct policy_diags one = { .v = &diags->v[i], .n = 1 };
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		if (!f)
			return;
		policy_diags_print(&one, f);
		fclose(f);
		text[strcspn(text, "\n")] = '\0';
		log_msg(diags->v[i].warning ? LOG_WARNING : LOG_ERR, "%s", text);
		free(text);
	}
}

/* Evaluator thread, right after a reload took effect. */
static void policy_swapped(uint64_t generation, void *arg)
{
	struct daemon *d = arg;

	sinkset_set_ctx(&d->sinks, d->host, generation);
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
			  stats_render_json(&d->stats, d->sinks.active, d->sinks.n),
			  &d->stats_err);
	if (d->cfg.stats.prometheus)
		write_one(d->cfg.stats.prometheus,
			  stats_render_prometheus(&d->stats, d->sinks.active,
						  d->sinks.n),
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

/* Logs every diagnostic; the caller frees diags. */
static int load_policy(const char *path, struct policy **p,
		       struct policy_diags *diags)
{
	int ret = policy_load(path, p, diags);

	log_diags(diags);
	if (ret < 0 && !diags->n)
		log_msg(LOG_ERR, "%s: cannot load the policy: %s", path,
			strerror(-ret));
	return ret;
}

/*
 * The result goes to the stats file at once (`premodctl reload` waits for
 * it), and again when the evaluator has adopted the new policy, so the
 * file's "policy" shows the rules that run.
 */
static void reload(struct daemon *d)
{
	struct policy_prefilter pf = { 0 };
	struct policy_diags diags = { 0 };
	struct policy *p = NULL;
	char why[128] = "";
	uint64_t gen = engine_generation(d->engine);
	int ret;

	sd_notify(0, "RELOADING=1");
	log_msg(LOG_INFO, "SIGHUP: reloading the policy from %s",
		d->cfg.policy_dir);
	ret = load_policy(d->cfg.policy_dir, &p, &diags);
	if (ret < 0)
		snprintf(why, sizeof(why), "%s: cannot load the policy: %s",
			 d->cfg.policy_dir, strerror(-ret));
	if (ret == 0 && (ret = kconn_derive_prefilter(p, &pf)) < 0) {
		log_msg(LOG_ERR, "cannot derive the prefilter: %s",
			strerror(-ret));
		snprintf(why, sizeof(why), "cannot derive the prefilter: %s",
			 strerror(-ret));
	}
	if (ret < 0) {
		policy_free(p);
		stats_inc(&d->stats.reloads_failed, 1);
		stats_set_reload(&d->stats, false, gen, 0, &diags, why);
		log_msg(LOG_ERR, "policy reload failed; the previous policy "
				 "(generation %llu) stays active",
			(unsigned long long)engine_generation(d->engine));
		goto out;
	}
	log_msg(LOG_INFO, "policy loaded: %zu rules; it takes effect at "
			  "the next event (generation %llu)",
		policy_rule_count(p),
		(unsigned long long)engine_generation(d->engine) + 1);
	stats_set_reload(&d->stats, true, gen + 1, policy_rule_count(p), NULL,
			 NULL);
	d->stats_at_gen = gen + 1;
	engine_set_policy(d->engine, p);
	policy_prefilter_free(&d->pf);
	d->pf = pf;
	if (d->k.connected)
		kconn_push_filter(&d->k);
	stats_inc(&d->stats.reloads_ok, 1);
out:
	policy_diags_free(&diags);
	write_stats(d);
	/* the journal reopens on every SIGHUP (logrotate) */
	sinkset_reopen(&d->sinks);
	sd_notify(0, "READY=1");
	notify_status(d, ret < 0 ? "reload failed, previous policy active"
				 : "running");
}

static void tick(struct daemon *d)
{
	uint64_t now = mono_ms();

	if (d->watchdog)
		sd_notify(0, "WATCHDOG=1");
	if (now - d->last_check_ms >= CONNECT_CHECK_MS) {
		d->last_check_ms = now;
		switch (kconn_check(&d->k)) {
		case KCONN_LOST:
			notify_status(d, "kernel module gone, waiting for it");
			break;
		case KCONN_RECONNECTED:
			notify_status(d, "running");
			break;
		case KCONN_SAME:
			break;
		}
	}
	if (now - d->last_stats_ms >= d->cfg.stats.interval_ms ||
	    (d->stats_at_gen &&
	     atomic_load(&d->stats.generation) >= d->stats_at_gen)) {
		d->last_stats_ms = now;
		d->stats_at_gen = 0;
		write_stats(d);
	}
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
		.it_interval = { d->tick_ms / 1000,
				 (long)(d->tick_ms % 1000) * 1000000L },
		.it_value = { d->tick_ms / 1000,
			      (long)(d->tick_ms % 1000) * 1000000L },
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
	struct policy_diags diags = { 0 };
	struct policy *p = NULL;
	int ret;
	uint64_t usec = 0;
	sigset_t mask;
	int sfd, status = 1;

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

	d->stats.interval_ms = d->cfg.stats.interval_ms;
	if (stats_set_policy_path(&d->stats, d->cfg.policy_dir) < 0) {
		log_msg(LOG_ERR, "out of memory");
		goto out_stats;
	}
	ret = load_policy(d->cfg.policy_dir, &p, &diags);
	policy_diags_free(&diags);
	if (ret < 0) {
		log_msg(LOG_ERR, "%s: invalid policy, not starting (check it "
				 "with: premodd --check %s)",
			d->cfg.policy_dir, d->cfg.policy_dir);
		goto out_stats;
	}
	if (kconn_derive_prefilter(p, &d->pf) < 0) {
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
	if (kconn_open(&d->k, d->cfg.receive_buffer, &d->pf, &d->stats) < 0) {
		policy_free(p);
		goto out_signals;
	}
	make_parent(d->cfg.stats.file, 0755);
	make_parent(d->cfg.stats.prometheus, 0755);
	if (d->cfg.journal.enabled)
		make_parent(d->cfg.journal.path, 0750);
	if (sinkset_open(&d->sinks, &d->cfg, d->config_path, d->host) < 0) {
		policy_free(p);
		goto out_sinks;
	}
	if (!d->sinks.n)
		log_msg(LOG_WARNING, "every sink is disabled: records are "
				     "counted but written nowhere");

	ec.host = d->host;
	ec.stats = &d->stats;
	ec.emit = sinkset_emit;
	ec.emit_arg = &d->sinks;
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
	    receiver_init(&d->rx, pm_genl_fd(&d->k.events), d->k.events.family,
			  &d->q, &d->stats) < 0 ||
	    receiver_hostmap(&d->rx, NULL) < 0 ||
	    receiver_start(&d->rx) < 0) {
		log_msg(LOG_ERR, "cannot start the threads");
		goto out_engine;
	}
	d->k.rx = &d->rx;

	d->watchdog = sd_watchdog_enabled(0, &usec) > 0;
	/* pet the watchdog at least twice per period */
	d->tick_ms = TICK_MS;
	if (d->watchdog && usec / 2000 < d->tick_ms)
		d->tick_ms = usec / 2000 ? (unsigned int)(usec / 2000) : 1;
	d->last_check_ms = d->last_stats_ms = mono_ms();
	write_stats(d);
	log_msg(LOG_INFO, "version %s started: %zu rules from %s, %zu sinks, "
			  "queue %zu",
		PREMOD_VERSION, policy_rule_count(p), d->cfg.policy_dir,
		d->sinks.n, d->cfg.queue_size);
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
	sinkset_stop(&d->sinks);
	write_stats(d);
	kconn_close(&d->k);
out_signals:
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
	if (ret >= 0)
		return ret;
	ret = load_config(&d, &a);
	if (ret)
		goto out;
	if (a.check) {
		ret = a.json ? modes_check_json(a.check, stdout)
			     : modes_check(a.check, stdout, stderr);
		goto out;
	}
	if (a.explain) {
		ret = modes_explain(d.cfg.policy_dir, a.explain, stdout, stderr);
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
