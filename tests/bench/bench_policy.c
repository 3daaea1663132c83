// SPDX-License-Identifier: MIT
/*
 * bench_policy - how fast the policy engine judges events, and how much
 * memory it takes.
 *
 * Generates policies of 10, 100 and 1000 rules shaped like real ones (op
 * sets with path prefixes and package-manager exceptions, exact files,
 * globs over home directories, anchored regexes, setuid checks, a few
 * rules bounded by op only) and a corpus of decoded events in which a
 * minority touches watched trees, as on a real host. Prints, per policy:
 * events/s on one core (thread CPU time) for the indexed matcher and, for
 * the ratio, the naive one; then the end-to-end replay rate, which adds
 * decoding each event from its `premodctl monitor --json` line; and the
 * process's peak RSS. Never fails on speed: the numbers are the result.
 *
 * Usage: bench_policy [seconds-per-measurement]   (default 0.5)
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "event_json.h"
#include "policy.h"
#include "premod.h"

#define NEVENTS 65536

static uint64_t rng = 0x853c49e6748fea9bULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const svc[] = {
	"nginx", "ssh", "postfix", "cron.d", "systemd", "apt", "sudoers.d", "pam.d",
	"security", "docker", "ssl", "default", "logrotate.d", "rsyslog.d", "sysctl.d",
	"modprobe.d", "udev", "network", "audit", "selinux",
};
static const char *const write_ops[] = {
	"\"open_write\",\"truncate\"", "\"unlink\",\"rename\"", "\"create\",\"open_write\",\"rename\"",
	"\"chmod\",\"chown\"", "\"open_write\",\"unlink\",\"rename\",\"truncate\"",
};

struct sbuf {
	char *s;
	size_t len, cap;
};

static void put(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len)
			break;
		b->cap = b->cap * 2 + (size_t)n + 64;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	b->len += (size_t)n;
}

static char *make_policy(int nrules)
{
	struct sbuf b = { 0 };

	put(&b, "{\"version\":1,"
		"\"lists\":{\"pm\":[\"/usr/bin/dpkg\",\"/usr/bin/rpm\",\"/usr/bin/apt\"],"
		"\"admins\":[0,1000,1001]},"
		"\"macros\":{\"pkg\":{\"field\":\"exe\",\"in\":\"@pm\"},"
		"\"root\":{\"field\":\"uid\",\"eq\":0}},\"rules\":[");
	for (int i = 0; i < nrules; i++) {
		int kind = (int)(rnd() % 20);
		const char *s = svc[i % 20];

		put(&b, "%s{\"id\":\"rule-%04d\",\"severity\":\"warning\",\"tags\":[\"bench\"],"
			"\"message\":\"{comm}[{tgid}] uid={uid} {op} {path}\",\"match\":",
			i ? "," : "", i);
		if (kind < 8) {		/* op set + subtree, package manager exception */
			put(&b, "{\"all\":[{\"field\":\"op\",\"in\":[%s]},"
				"{\"field\":\"path\",\"prefix\":\"/etc/%s/%d/\"}]},"
				"\"except\":[{\"macro\":\"pkg\"}]}",
				write_ops[rnd() % 5], s, i);
		} else if (kind < 12) {	/* one file */
			put(&b, "{\"all\":[{\"field\":\"op\",\"in\":[%s]},"
				"{\"any\":[{\"field\":\"path\",\"eq\":\"/etc/%s/conf%d\"},"
				"{\"field\":\"path2\",\"eq\":\"/etc/%s/conf%d\"}]}]}}",
				write_ops[rnd() % 5], s, i, s, i);
		} else if (kind < 15) {	/* glob over homes */
			put(&b, "{\"all\":[{\"field\":\"op\",\"in\":[%s]},"
				"{\"field\":\"path\",\"glob\":\"/home/*/.config/app%d/*\"}]}}",
				write_ops[rnd() % 5], i);
		} else if (kind < 17) {	/* anchored regex */
			put(&b, "{\"all\":[{\"field\":\"op\",\"eq\":\"open_write\"},"
				"{\"field\":\"path\",\"regex\":\"^/var/lib/svc%d/[a-z]+\\\\.db$\"},"
				"{\"not\":{\"macro\":\"root\"}}]}}", i);
		} else if (kind < 19) {	/* setuid added under a tree */
			put(&b, "{\"all\":[{\"field\":\"op\",\"eq\":\"chmod\"},"
				"{\"field\":\"path\",\"prefix\":\"/opt/vendor%d/\"},"
				"{\"field\":\"new_mode\",\"bits_added\":\"4000\"}]}}", i);
		} else {		/* bounded by op only */
			put(&b, "{\"all\":[{\"field\":\"op\",\"eq\":\"%s\"},"
				"{\"field\":\"comm\",\"eq\":\"tool%d\"},{\"field\":\"uid\",\"in\":\"@admins\"}]}}",
				i % 2 ? "symlink" : "link", i);
		}
	}
	put(&b, "]}");
	return b.s;
}

struct corpus {
	struct pm_event ev[NEVENTS];
	char *store;		/* strings of all events */
	char **json;		/* monitor --json lines */
};

static const char *const comms[] = { "bash", "vim", "dpkg", "python3", "nginx", "cc1", "tool7" };
static const unsigned int ops[] = {
	PREMOD_OP_OPEN_WRITE, PREMOD_OP_OPEN_WRITE, PREMOD_OP_OPEN_WRITE, PREMOD_OP_CREATE,
	PREMOD_OP_UNLINK, PREMOD_OP_RENAME, PREMOD_OP_TRUNCATE, PREMOD_OP_CHMOD,
	PREMOD_OP_SETATTR, PREMOD_OP_MKDIR, PREMOD_OP_LINK,
};

/* A quarter of the events fall in watched trees, the rest is the noise
 * of builds, caches and logs that any host makes. */
static void make_path(char *p, size_t len, int nrules)
{
	int i = (int)(rnd() % (unsigned)nrules), k = (int)(rnd() % 16);

	switch (rnd() % 16) {
	case 0: snprintf(p, len, "/etc/%s/%d/file%d", svc[i % 20], i, k); break;
	case 1: snprintf(p, len, "/etc/%s/conf%d", svc[i % 20], i); break;
	case 2: snprintf(p, len, "/home/user%d/.config/app%d/state", k, i); break;
	case 3: snprintf(p, len, "/var/lib/svc%d/data.db", i); break;
	case 4: snprintf(p, len, "/etc/%s/other%d", svc[k], k); break;
	case 5: case 6: case 7:
		snprintf(p, len, "/home/user%d/src/project/build/obj%d/file%u.o", k, i, rnd() % 1000);
		break;
	case 8: case 9:
		snprintf(p, len, "/tmp/tmp.%08x/cache%d", rnd(), k);
		break;
	case 10: snprintf(p, len, "/var/log/app%d.log", k); break;
	case 11: snprintf(p, len, "/opt/vendor%d/bin/tool", i); break;
	default:
		snprintf(p, len, "/home/user%d/.cache/mozilla/firefox/%08x.default/cache2/entries/%08X%08X",
			 k, rnd(), rnd(), rnd());
		break;
	}
}

static void make_corpus(struct corpus *c, int nrules)
{
	size_t cap = (size_t)NEVENTS * 320, o = 0;

	c->store = malloc(cap);
	c->json = calloc(NEVENTS, sizeof(*c->json));
	if (!c->store || !c->json)
		abort();
	for (int i = 0; i < NEVENTS; i++) {
		struct pm_event *ev = &c->ev[i];
		char *path = c->store + o, *dir;
		unsigned int op = ops[rnd() % (sizeof(ops) / sizeof(ops[0]))];
		char line[PM_EVENT_JSON_MAX < 8192 ? PM_EVENT_JSON_MAX : 8192];

		memset(ev, 0, sizeof(*ev));
		make_path(path, 200, nrules);
		o += strlen(path) + 1;
		dir = c->store + o;
		o += strlen(path) + 1;
		pm_event_set_num(ev, PM_F_SEQ, (uint64_t)i);
		pm_event_set_num(ev, PM_F_TIME, 1700000000000000000ULL + (uint64_t)i);
		pm_event_set_num(ev, PM_F_OP, op);
		pm_event_set_num(ev, PM_F_PID, 1000 + rnd() % 100);
		pm_event_set_num(ev, PM_F_TGID, 1000 + rnd() % 100);
		pm_event_set_num(ev, PM_F_UID, rnd() % 4 ? 1000 : 0);
		pm_event_set_num(ev, PM_F_EUID, 1000);
		pm_event_set_num(ev, PM_F_AUID, 1000);
		pm_event_set_num(ev, PM_F_INO, rnd());
		pm_event_set_num(ev, PM_F_DEV, 2049);
		pm_event_set_num(ev, PM_F_MODE, 0100644);
		pm_event_set_str(ev, PM_F_COMM, comms[rnd() % 7]);
		pm_event_set_str(ev, PM_F_PATH, path);
		if (op == PREMOD_OP_CHMOD) {
			pm_event_set_num(ev, PM_F_OLD_MODE, 0100755);
			pm_event_set_num(ev, PM_F_NEW_MODE, rnd() % 2 ? 0104755 : 0100700);
		}
		if (op == PREMOD_OP_RENAME || op == PREMOD_OP_LINK) {
			char *p2 = c->store + o;

			make_path(p2, 200, nrules);
			o += strlen(p2) + 1;
			pm_event_set_str(ev, PM_F_PATH2, p2);
		}
		pm_event_derive(ev, dir, strlen(path) + 1);
		if (pm_event_render_json(ev, line, sizeof(line)) < 0 ||
		    !(c->json[i] = strdup(line)))
			abort();
		if (o + 1024 > cap)
			abort();
	}
}

static void free_corpus(struct corpus *c)
{
	for (int i = 0; i < NEVENTS; i++)
		free(c->json[i]);
	free(c->json);
	free(c->store);
}

static size_t sink;	/* keeps the compiler from dropping the work */

static double rate(const struct policy *p, const struct corpus *c, bool naive,
		   double secs, double *matched_per_event)
{
	const struct policy_rule *out[16];
	double t0 = cpu_now(), t;
	size_t n = 0, m = 0;

	do {
		for (int i = 0; i < NEVENTS; i++) {
			m += naive ? policy_match_naive(p, &c->ev[i], out, 16)
				   : policy_match(p, &c->ev[i], out, 16);
		}
		n += NEVENTS;
		t = cpu_now() - t0;
	} while (t < secs);
	sink += m;
	*matched_per_event = (double)m / (double)n;
	return (double)n / t;
}

/* Decoding the monitor --json line, deriving, matching: what --replay and
 * a JSON-fed pipeline pay per event. */
static double rate_e2e(const struct policy *p, const struct corpus *c, double secs)
{
	const struct policy_rule *out[16];
	static char store[8192], dirbuf[4200];
	double t0 = cpu_now(), t;
	size_t n = 0, m = 0;
	char err[128];

	do {
		for (int i = 0; i < NEVENTS; i++) {
			struct pm_event ev;

			if (pm_event_from_json_line(c->json[i], strlen(c->json[i]), &ev, store,
						    sizeof(store), err, sizeof(err))) {
				fprintf(stderr, "bench: decoding failed: %s\n", err);
				exit(1);
			}
			pm_event_derive(&ev, dirbuf, sizeof(dirbuf));
			m += policy_match(p, &ev, out, 16);
		}
		n += NEVENTS;
		t = cpu_now() - t0;
	} while (t < secs);
	sink += m;
	return (double)n / t;
}

static long vm_kib(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = strtol(line + strlen(key), NULL, 10);
	fclose(f);
	return v;
}

/*
 * Peak RSS of a process that only loads the largest policy and judges a
 * stream of events built one at a time, as the daemon does (no corpus):
 * the engine's share of the daemon's memory. In a child, so the corpus of
 * the rate measurements is not counted.
 */
static long engine_rss(int nrules)
{
	int fds[2];
	long v = -1;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct policy_diags d = { 0 };
		const struct policy_rule *out[16];
		char *text = make_policy(nrules);
		char path[256], path2[256], dir[256];
		struct policy *p;

		if (policy_load_buffer("bench.json", text, strlen(text), &p, &d))
			_exit(1);
		free(text);
		for (int i = 0; i < 200000; i++) {
			struct pm_event ev = { 0 };

			make_path(path, sizeof(path), nrules);
			pm_event_set_num(&ev, PM_F_OP, ops[rnd() % (sizeof(ops) / sizeof(ops[0]))]);
			pm_event_set_num(&ev, PM_F_UID, 1000);
			pm_event_set_str(&ev, PM_F_COMM, comms[rnd() % 7]);
			pm_event_set_str(&ev, PM_F_PATH, path);
			if (i % 8 == 0) {
				make_path(path2, sizeof(path2), nrules);
				pm_event_set_str(&ev, PM_F_PATH2, path2);
			}
			pm_event_derive(&ev, dir, sizeof(dir));
			sink += policy_match(p, &ev, out, 16);
		}
		v = vm_kib("VmHWM:");
		if (write(fds[1], &v, sizeof(v)) != sizeof(v))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (pid > 0 && read(fds[0], &v, sizeof(v)) != sizeof(v))
		v = -1;
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return v;
}

int main(int argc, char **argv)
{
	static const int sizes[] = { 10, 100, 1000 };
	static struct corpus corpus;
	double secs = argc > 1 ? atof(argv[1]) : 0.5;

	if (secs <= 0)
		secs = 0.5;
	/* first, while this process is still small (a child inherits the
	 * parent's peak) */
	long rss = engine_rss(1000);

	printf("premod policy engine benchmark: %d decoded events per pass, "
	       "%.2f s CPU per measurement, one thread\n", NEVENTS, secs);
	printf("%-6s %14s %14s %8s %9s %16s %10s\n", "rules", "indexed ev/s",
	       "naive ev/s", "ratio", "match/ev", "replay ev/s", "load ms");
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct policy_diags d = { 0 };
		struct policy *p;
		char *text = make_policy(sizes[k]);
		double t0 = cpu_now(), load_ms, fast, slow, mpe, e2e;
		int rc = policy_load_buffer("bench.json", text, strlen(text), &p, &d);

		load_ms = (cpu_now() - t0) * 1e3;
		if (rc) {
			policy_diags_print(&d, stderr);
			fprintf(stderr, "bench: the generated policy does not load\n");
			return 1;
		}
		rng = 0x853c49e6748fea9bULL + (uint64_t)k;
		make_corpus(&corpus, sizes[k]);
		fast = rate(p, &corpus, false, secs, &mpe);
		slow = rate(p, &corpus, true, secs / 2, &mpe);
		e2e = rate_e2e(p, &corpus, secs);
		printf("%-6d %14.0f %14.0f %7.1fx %9.3f %16.0f %10.1f\n", sizes[k], fast, slow,
		       fast / slow, mpe, e2e, load_ms);
		fflush(stdout);
		free_corpus(&corpus);
		policy_free(p);
		policy_diags_free(&d);
		free(text);
	}
	printf("engine peak RSS (VmHWM), 1000 rules loaded, 200000 events judged one by one: %ld KiB\n",
	       rss);
	printf("benchmark peak RSS (VmHWM), corpus of %d events and their JSON included: %ld KiB\n",
	       NEVENTS, vm_kib("VmHWM:"));
	printf("targets: >= 1000000 ev/s/core at 100 rules, >= 300000 at 1000, RSS < 16 MiB\n");
	return sink == (size_t)-1;
}
