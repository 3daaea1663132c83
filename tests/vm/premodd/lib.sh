# tests/vm/premodd/lib.sh - premodd fixtures for the VM scenarios; sourced
# after ../lib.sh (groups, fail, PM_WORK, TD).
#
# A scenario runs the real thing: premodd in the foreground (its
# diagnostics in $PM_WORK/premodd.err), a real systemd-journald and a real
# rsyslogd. The arrangement of the log sockets: journald keeps its own
# sockets under /run/systemd/journal and does not take /dev/log (that is
# the job of a systemd socket unit, and there is no systemd here); rsyslogd
# listens on /dev/log, where premodd's syslog sink (openlog) writes. So
# each sink is read back from exactly one daemon.
#
# Waiting is always bounded polling on an observable condition (a line in
# a file, a socket appearing), never a fixed sleep: under TCG every step
# takes a different, long time. Bounds are by the clock ($SECONDS), never
# by a count of tries: one try can take seconds on a loaded machine.

PREMODD=${PREMODD:-$PM_BUILD/premodd}
PMD_FIX=$PM_REPO/tests/vm/premodd
PMD_KO=${PM_KO:-$PM_REPO/kmod/premod.ko}
# premodctl stats reads the daemon's counters here by default.
PMD_STATS=/run/premod/premodd.stats.json
PMD_PID=
JOURNALD_PID=
RSYSLOG_PID=
PMD_SYSLOG=$PM_WORK/syslog.log

# wait_until SECONDS WHAT CMD...: polls CMD every 0.1 s; fails the group
# naming WHAT when it has not succeeded within SECONDS.
# The deadline is by the clock: one try of CMD (journalctl) can take
# seconds under TCG.
wait_until() {
	local secs=$1 what=$2 end
	shift 2
	end=$((SECONDS + secs))
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.1
	done
	fail "$what: not within ${secs}s"
	return 1
}

# pmd_module: the module is loaded (run-scenarios loads it, but an earlier
# scenario may have unloaded it).
pmd_module() {
	pm_loaded && return 0
	local out
	out=$(insmod "$PMD_KO" 2>&1) || { fail "insmod $PMD_KO: $out"; return 1; }
}

# pmd_subst TEMPLATE DEST: a fixture with @DIR@ replaced by $TD (the
# scenario's test tree) and @WORK@ by $PM_WORK.
pmd_subst() {
	sed -e "s|@DIR@|$TD|g" -e "s|@WORK@|$PM_WORK|g" "$1" >"$2" ||
		fail "cannot write $2 from $1"
}

# --- journald ------------------------------------------------------------------
journald_socket() { [ -S /run/systemd/journal/socket ]; }

# journald_start: a real systemd-journald, volatile storage (/run/log/journal).
# Needs cgroup2 on /sys/fs/cgroup (vm-run mounts it).
journald_start() {
	if journald_socket && [ -n "$JOURNALD_PID" ]; then
		return 0
	fi
	local bin=/lib/systemd/systemd-journald
	[ -x "$bin" ] || { fail "$bin not found (install systemd)"; return 1; }
	mkdir -p /run/systemd/journal /run/log/journal
	"$bin" >"$PM_WORK/journald.out" 2>&1 &
	JOURNALD_PID=$!
	wait_until 60 "systemd-journald socket /run/systemd/journal/socket ($(tail -c 200 "$PM_WORK/journald.out" 2>/dev/null))" \
		journald_socket
}

# journal_query ARGS...: journalctl over what journald has, as JSON lines.
journal_query() {
	journalctl --no-pager -o json "$@" 2>>"$PM_WORK/journalctl.err"
}

# --- rsyslogd ------------------------------------------------------------------
# rsyslog_start: a real rsyslogd on /dev/log writing every message to
# $PMD_SYSLOG as "facility.severity TAG MSG", rate limit off (a flood of
# records must not be thinned by the reader).
rsyslog_start() {
	[ -n "$RSYSLOG_PID" ] && return 0
	command -v rsyslogd >/dev/null || { fail "rsyslogd not found (install rsyslog)"; return 1; }
	mkdir -p "$PM_WORK/rsyslog"
	rm -f /dev/log
	: >"$PMD_SYSLOG"
	cat >"$PM_WORK/rsyslog.conf" <<-EOF
	global(workDirectory="$PM_WORK/rsyslog" maxMessageSize="64k")
	module(load="imuxsock" SysSock.Name="/dev/log" SysSock.RateLimit.Interval="0")
	template(name="pm" type="string"
	         string="%syslogfacility-text%.%syslogseverity-text% %syslogtag%%msg%\n")
	*.* action(type="omfile" file="$PMD_SYSLOG" template="pm")
	EOF
	rsyslogd -n -f "$PM_WORK/rsyslog.conf" -i "$PM_WORK/rsyslog.pid" \
		>"$PM_WORK/rsyslog.out" 2>&1 &
	RSYSLOG_PID=$!
	wait_until 60 "rsyslogd listening on /dev/log ($(tail -c 200 "$PM_WORK/rsyslog.out" 2>/dev/null))" \
		test -S /dev/log || return 1
	# Listening is not yet writing: a probe line proves the whole path.
	logger -u /dev/log -t pm-probe "rsyslog probe $$"
	wait_until 60 "rsyslogd writing $PMD_SYSLOG" \
		grep -qF "rsyslog probe $$" "$PMD_SYSLOG"
}

# --- premodd ------------------------------------------------------------------
pmd_running() { [ -n "$PMD_PID" ] && kill -0 "$PMD_PID" 2>/dev/null; }

# pmd_start ARGS...: premodd -f with the scenarios' configuration
# (premodd.json here, or $PMD_CONFIG) and ARGS; returns once premodd says
# it started. Its stdout goes to $PMD_STDOUT when set.
pmd_start() {
	: >"$PM_WORK/premodd.err"
	mkdir -p /run/premod
	rm -f "$PMD_STATS"
	"$PREMODD" -f -c "${PMD_CONFIG:-$PMD_FIX/premodd.json}" "$@" \
		>"${PMD_STDOUT:-$PM_WORK/premodd.out}" 2>"$PM_WORK/premodd.err" &
	PMD_PID=$!
	local end=$((SECONDS + 60))
	while [ "$SECONDS" -lt "$end" ]; do
		grep -qsE '^premodd: .*started: [0-9]+ rules' "$PM_WORK/premodd.err" && return 0
		if ! kill -0 "$PMD_PID" 2>/dev/null; then
			wait "$PMD_PID"
			fail "premodd exited ($?) before it started: $(tail -c 400 "$PM_WORK/premodd.err" | tr '\n' ' ')"
			PMD_PID=
			return 1
		fi
		sleep 0.1
	done
	fail "premodd did not say it started within 60s: $(tail -c 400 "$PM_WORK/premodd.err" | tr '\n' ' ')"
	kill -KILL "$PMD_PID" 2>/dev/null
	wait "$PMD_PID" 2>/dev/null
	PMD_PID=
	return 1
}

# pmd_stop: SIGTERM; premodd must drain and exit 0 within 60s.
PMD_RC=
pmd_stop() {
	[ -n "$PMD_PID" ] || return 0
	kill -TERM "$PMD_PID" 2>/dev/null
	pmd_wait_exit
}

# pmd_wait_exit: premodd (already told to stop) exits 0 within 60s.
pmd_wait_exit() {
	local end=$((SECONDS + 60))
	PMD_RC=
	[ -n "$PMD_PID" ] || return 0
	while [ "$SECONDS" -lt "$end" ]; do
		kill -0 "$PMD_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$PMD_PID" 2>/dev/null; then
		fail "premodd still running 60s after SIGTERM"
		kill -KILL "$PMD_PID" 2>/dev/null
	fi
	wait "$PMD_PID"
	PMD_RC=$?
	PMD_PID=
	[ "$PMD_RC" = 0 ] ||
		fail "premodd exited $PMD_RC on SIGTERM: $(tail -c 400 "$PM_WORK/premodd.err" | tr '\n' ' ')"
}

# pmd_err_count PATTERN: lines of premodd's diagnostics matching PATTERN.
pmd_err_count() { grep -c -- "$1" "$PM_WORK/premodd.err" 2>/dev/null; }

# pmd_stat JQ: a value from the daemon's stats file, freshly written
# (SIGUSR1 asks premodd to write it now).
pmd_stat() {
	local before
	before=$(stat -c %Y.%i "$PMD_STATS" 2>/dev/null)
	if pmd_running; then
		kill -USR1 "$PMD_PID"
		# The file is replaced by rename: a new inode says it was rewritten.
		local end=$((SECONDS + 10))
		while [ "$SECONDS" -lt "$end" ]; do
			[ "$(stat -c %Y.%i "$PMD_STATS" 2>/dev/null)" != "$before" ] && break
			sleep 0.05
		done
	fi
	jq -r "$1" "$PMD_STATS" 2>/dev/null
}

# jsonl_has FILE JQ-CONDITION: some line of a JSONL file satisfies it (jq -e
# cannot say so: with no output at all it exits 0 in jq 1.6).
jsonl_has() {
	[ -n "$(jq -c "select($2)" "$1" 2>/dev/null | head -c 1)" ]
}

# jsonl_count FILE JQ-FILTER: lines of a JSONL file the filter selects.
jsonl_count() {
	jq -c "select($2)" "$1" 2>/dev/null | wc -l
}

pmd_cleanup() {
	if [ -n "$PMD_PID" ]; then
		kill -KILL "$PMD_PID" 2>/dev/null
		wait "$PMD_PID" 2>/dev/null
	fi
	local p
	for p in $RSYSLOG_PID $JOURNALD_PID; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -f /dev/log
	pm_cleanup
}
trap pmd_cleanup EXIT
