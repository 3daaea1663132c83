#!/bin/bash
# Unloading while events flow: rmmod under writer loops - with a listener
# reading, with one stopped (buffers full), with none - succeeds, the
# writers never notice, no kprobe stays behind, and dmesg has no warning,
# BUG, Oops or leak report. Runs last: it leaves the module unloaded.
. "$(dirname "$0")/../lib.sh"

ko=${PM_KO:-$PM_REPO/kmod/premod.ko}
U=$TD/unload
mkdir -p "$U/a" "$U/b"
# Kernel messages since the module was first loaded (run-scenarios
# recorded where the boot messages end).
base=$(cat /tmp/pm-dmesg-base 2>/dev/null || echo 0)
bad='WARNING|BUG|Oops|general protection|Call Trace|RIP:|leak|refcount_t|use-after-free|double free|list_(add|del) corruption|stack-protector|scheduling while atomic|sleeping function called|lockdep|INFO: task|soft lockup|hard LOCKUP|rcu.*stall|Tainted: .*[DW]'

mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

writers=()
start_writers() {
	local d
	writers=()
	for d in a b; do
		"$FLOOD" -t 120 "$U/$d" >/dev/null 2>"$PM_WORK/writer-$d.err" &
		writers+=($!)
	done
	# Running means making files: wait for the first ones.
	local i
	for ((i = 0; i < 600; i++)); do
		ls "$U/a" "$U/b" 2>/dev/null | grep -q . && return 0
		sleep 0.05
	done
	fail "the writers made no file in 30s"
}

stop_writers() {
	local w alive=0
	for w in "${writers[@]}"; do
		kill -0 "$w" 2>/dev/null && alive=$((alive + 1))
		kill "$w" 2>/dev/null
		wait "$w" 2>/dev/null
	done
	[ "$alive" = "${#writers[@]}" ] ||
		fail "only $alive of ${#writers[@]} writers were still running after rmmod"
	writers=()
}

unload_round() { # MODE: reading | stopped | none
	local mode=$1 out
	if ! pm_loaded; then
		out=$(insmod "$ko" 2>&1) || { fail "insmod: $out"; return 1; }
	fi
	if [ "$mode" != none ]; then
		mon_start "u-$mode" || return 1
		[ "$mode" = stopped ] && kill -STOP "${MON_PID[u-$mode]}"
	fi
	start_writers || return 1
	# Let the buffers fill where a listener is stopped: wait until the
	# kernel counts a drop (bounded), not a fixed time.
	if [ "$mode" = stopped ]; then
		local d end=$((SECONDS + 60))
		while [ "$SECONDS" -lt "$end" ]; do
			d=$(pm_stat drop_send)
			[ "${d:-0}" -gt 0 ] && break
			sleep 0.5
		done
	fi
	out=$(timeout 120 rmmod premod 2>&1) || fail "rmmod ($mode listener) failed: $out"
	pm_loaded && fail "premod still loaded after rmmod ($mode listener)"
	stop_writers
	if [ "$mode" != none ]; then
		kill -CONT "${MON_PID[u-$mode]}" 2>/dev/null
		mon_kill_all
	fi
	if [ -r /sys/kernel/debug/kprobes/list ]; then
		out=$(grep -E 'security_|vfs_utimes' /sys/kernel/debug/kprobes/list)
		[ -z "$out" ] || fail "kprobes left after rmmod: $(head -c 300 <<<"$out")"
	fi
}

group "unload: rmmod under writers, listener reading"
unload_round reading
group "unload: rmmod under writers, listener stopped (buffers full)"
unload_round stopped
group "unload: rmmod under writers, no listener"
unload_round none

group "unload: the module loads again and reports"
out=$(insmod "$ko" 2>&1) || fail "insmod after unloads: $out"
if pm_loaded; then
	mon_start again && mon_sync again && mon_stop again
	rmmod premod || fail "final rmmod failed"
fi

group "unload: dmesg has no warning, BUG, Oops or leak"
dmesg >"$PM_WORK/dmesg"
found=$(tail -n "+$((base + 1))" "$PM_WORK/dmesg" | grep -E "$bad")
[ -z "$found" ] || fail "$(head -n 5 <<<"$found" | tr '\n' '|')"
group_end
