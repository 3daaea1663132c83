#!/bin/bash
# premodd on the real kernel, end to end: live events become records in
# the JSONL journal, on stdout and on the alerts group; the stats files are
# written; a broken policy on SIGHUP keeps the old one, a good one takes
# over with the next generation; the module going away and coming back is
# survived; SIGTERM drains and exits 0; without the module premodd refuses
# to start with a message that says what to do.
. "$(dirname "$0")/../lib.sh"

PREMODD=${PREMODD:-$PM_BUILD/premodd}
W=$PM_WORK
POL=$W/policy
JOURNAL=$W/changes.jsonl
PD_PID=

write_policy() { # RULE-ID-PREFIX
	cat >"$POL/10-smoke.json" <<JSON
{"version": 1, "rules": [
  {"id": "$1-any", "severity": "notice",
   "match": {"field": "path", "prefix": "$TD/"},
   "message": "{comm}[{tgid}] {op} {path}"},
  {"id": "$1-setuid", "severity": "alert", "tags": ["privesc"],
   "match": {"all": [{"field": "op", "eq": "chmod"},
                     {"field": "new_mode", "bits_added": "4000"}]},
   "message": "setuid added to {path}"}
]}
JSON
}

# wait_for FILE PATTERN [SECONDS]: until grep finds it (premodd's log).
# Deadlines are in seconds of SECONDS: under TCG a poll costs a lot more
# than its sleep.
wait_for() {
	local end=$((SECONDS + ${3:-60}))
	while [ "$SECONDS" -lt "$end" ]; do
		grep -qs -- "$2" "$1" && return 0
		sleep 0.1
	done
	grep -qs -- "$2" "$1"
}

# wait_record JQ-FILTER [SECONDS]: until the journal has a matching record.
wait_record() {
	local end=$((SECONDS + ${2:-60}))
	while [ "$SECONDS" -lt "$end" ]; do
		[ -n "$(jq -c "select($1)" "$JOURNAL" 2>/dev/null | head -n1)" ] && return 0
		sleep 0.2
	done
	return 1
}

count() { jq -c "select($1)" "$JOURNAL" 2>/dev/null | wc -l; }

premodd_stop() {
	[ -n "$PD_PID" ] || return 0
	kill -TERM "$PD_PID" 2>/dev/null
	wait "$PD_PID" 2>/dev/null
	PD_PID=
}
trap 'premodd_stop; pm_cleanup' EXIT

mkdir -p "$POL"
write_policy smoke
cat >"$W/premodd.json" <<JSON
{"policy_dir": "$POL", "host": "smoke-host",
 "sinks": {"journal": {"path": "$JOURNAL", "sync": "every-record"},
           "journald": {"enabled": false}, "syslog": {"enabled": false},
           "stdout": {"enabled": true, "format": "json"},
           "alerts": {"enabled": true}},
 "stats": {"file": "$W/stats.json", "prometheus": "$W/premodd.prom",
           "interval_ms": 500}}
JSON

group "premodd: --check accepts the policy"
assert_status 0 "premodd --check" "$PREMODD" --check "$POL"

group "premodd: starts and registers"
[ -x "$PREMODD" ] || fail "$PREMODD not built"
mon_start alerts --alerts || true
"$PREMODD" -f -c "$W/premodd.json" >"$W/stdout.jsonl" 2>"$W/premodd.log" &
PD_PID=$!
wait_for "$W/premodd.log" "started" ||
	fail "not started after 60s: $(head -c 400 "$W/premodd.log")"

group "premodd: events become records"
mkdir "$TD/a"
: >"$TD/a/f"
chmod 4755 "$TD/a/f"
rm "$TD/a/f"
wait_record '.kind == "match" and .op == "unlink" and .path == "'"$TD/a/f"'"' ||
	fail "no record of the unlink in $JOURNAL: $(tail -c 400 "$JOURNAL" 2>/dev/null)"
assert_eq "$(count '.rule == "smoke-any" and .op == "mkdir" and .path == "'"$TD/a"'"')" 1 "mkdir records"
assert_eq "$(count '.rule == "smoke-any" and .op == "chmod"')" 1 "chmod records"
assert_eq "$(count '.rule == "smoke-setuid" and .path == "'"$TD/a/f"'"')" 1 "setuid records"
assert_eq "$(count '.rule == "smoke-setuid" and .severity == "alert" and .generation == 1 and .host == "smoke-host"')" 1 "setuid record fields"
[ "$(count '.tgid == '"$PD_PID")" = 0 ] || fail "records of premodd's own operations (self-exclusion)"
[ "$(count '.kind == "lost"')" = 0 ] || fail "lost records on a quiet system: $(jq -c 'select(.kind == "lost")' "$JOURNAL" | head -c 300)"
n_journal=$(count '.kind == "match"')
n_stdout=$(jq -c 'select(.kind == "match")' "$W/stdout.jsonl" 2>/dev/null | wc -l)
assert_eq "$n_stdout" "$n_journal" "stdout records vs journal records"

group "premodd: alerts group carries the records"
wait_for "$(mon_file alerts)" '"rule":"smoke-setuid"' 20 ||
	fail "premodctl monitor --alerts saw no smoke-setuid record: $(tail -c 300 "$(mon_file alerts)") $(tail -c 200 "$PM_WORK/mon-alerts.err")"

group "premodd: stats files"
wait_for "$W/premodd.prom" "premod_events_received_total" 10 || fail "no Prometheus file"
sleep 1
rcv=$(jq -r .received "$W/stats.json" 2>/dev/null)
[ "${rcv:-0}" -gt 0 ] 2>/dev/null || fail "stats.json received=$rcv"
assert_eq "$(jq -r .rules.\"smoke-setuid\".matched "$W/stats.json")" 1 "stats per-rule counter"
assert_eq "$(jq -r .connected "$W/stats.json")" true "stats connected"
grep -q '^# TYPE premod_events_lost_total counter$' "$W/premodd.prom" || fail "prom: no TYPE line for lost"

group "premodd: a broken policy on SIGHUP keeps the old one"
echo '{"version": 1, "rules": [{"id": "x", "match": {"field": "nope", "eq": 1}}]}' >"$POL/20-bad.json"
kill -HUP "$PD_PID"
wait_for "$W/premodd.log" "reload failed" 30 || fail "no 'reload failed' in the log"
grep -q "20-bad.json:1:" "$W/premodd.log" || fail "the error does not name 20-bad.json:1:"
mkdir "$TD/b"
wait_record '.op == "mkdir" and .path == "'"$TD/b"'"' 30 || fail "no record after the failed reload"
assert_eq "$(count '.path == "'"$TD/b"'" and .rule == "smoke-any" and .generation == 1')" 1 "old policy still active"

group "premodd: SIGHUP swaps in a new policy"
rm -f "$POL/20-bad.json"
write_policy reloaded
kill -HUP "$PD_PID"
wait_for "$W/premodd.log" "policy loaded" 30 || fail "no 'policy loaded' in the log"
mkdir "$TD/c"
wait_record '.path == "'"$TD/c"'"' 30 || fail "no record after the reload"
assert_eq "$(count '.path == "'"$TD/c"'" and .rule == "reloaded-any" and .generation == 2')" 1 "new policy, generation 2"
assert_eq "$(count '.path == "'"$TD/c"'" and .rule == "smoke-any"')" 0 "old rule after the reload"

group "premodd: survives the module going away and coming back"
mon_stop alerts
rmmod premod 2>"$W/rmmod.err" || fail "rmmod: $(cat "$W/rmmod.err")"
wait_for "$W/premodd.log" "went away" 30 || fail "premodd did not notice the module left"
kill -0 "$PD_PID" 2>/dev/null || fail "premodd exited when the module left"
insmod "$PM_KO" || fail "insmod $PM_KO"
wait_for "$W/premodd.log" "reconnected" 30 || fail "premodd did not reconnect"
mkdir "$TD/d"
wait_record '.path == "'"$TD/d"'"' 30 || fail "no record after reconnecting"
sleep 1
assert_eq "$(jq -r .reconnects "$W/stats.json")" 1 "stats reconnects"

group "premodd: SIGTERM drains and exits 0"
kill -TERM "$PD_PID"
rc=0
wait "$PD_PID" || rc=$?
PD_PID=
assert_eq "$rc" 0 "exit status"
tail -c1 "$JOURNAL" | od -An -c | grep -q '\\n' || fail "the journal does not end with a whole line"

group "premodd: sd_notify READY, STATUS, WATCHDOG and STOPPING"
python3 - "$W/notify.sock" "$W/notify.log" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.5)
end = time.time() + 120
with open(sys.argv[2], "w") as out:
    while time.time() < end:
        try:
            m = s.recv(4096)
        except socket.timeout:
            continue
        out.write(m.decode() + "\n")
        out.flush()
PY
npid=$!
wait_for_sock() {
	local end=$((SECONDS + 30))
	until [ -S "$W/notify.sock" ] || [ "$SECONDS" -ge "$end" ]; do sleep 0.1; done
	[ -S "$W/notify.sock" ]
}
if wait_for_sock; then
	NOTIFY_SOCKET=$W/notify.sock WATCHDOG_USEC=2000000 \
		"$PREMODD" -f -c "$W/premodd.json" >/dev/null 2>"$W/notify-premodd.log" &
	PD_PID=$!
	wait_for "$W/notify.log" "READY=1" 60 || fail "no READY=1: $(head -c 300 "$W/notify-premodd.log")"
	wait_for "$W/notify.log" "STATUS=running" 10 || fail "no STATUS=running"
	wait_for "$W/notify.log" "WATCHDOG=1" 10 || fail "no WATCHDOG=1 with WATCHDOG_USEC set"
	kill -TERM "$PD_PID"
	wait "$PD_PID" || fail "premodd exit status $?"
	PD_PID=
	wait_for "$W/notify.log" "STOPPING=1" 10 || fail "no STOPPING=1"
else
	fail "the notify socket listener did not start"
fi
kill "$npid" 2>/dev/null
wait "$npid" 2>/dev/null

group "premodd: without the module it says what to do"
rmmod premod || fail "rmmod"
rc=0
"$PREMODD" -f -c "$W/premodd.json" >/dev/null 2>"$W/nomod.log" || rc=$?
assert_eq "$rc" 1 "exit status without the module"
grep -q "modprobe premod" "$W/nomod.log" || fail "message: $(cat "$W/nomod.log")"
insmod "$PM_KO" || fail "insmod $PM_KO back"
group_end
