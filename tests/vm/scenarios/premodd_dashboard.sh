#!/bin/bash
# examples/dashboard.py, the pyroute2 dashboard, against the real thing:
# premodd publishes its records on the alerts group, the dashboard (which
# knows the protocol only from include/premod.h) counts them per rule.
# Three chmods and two mkdirs in the watched tree must show as exactly 3
# and 2, and nothing else may be counted.
. "$(dirname "$0")/../lib.sh"
. "$PM_REPO/tests/vm/premodd/lib.sh"

POL=$PM_WORK/policy
W=$TD/watched
DASH=$PM_REPO/examples/dashboard.py
OUT=$PM_WORK/dashboard.out
ERR=$PM_WORK/dashboard.err
DASH_PID=
mkdir -p "$POL" "$W"
for i in 1 2 3; do : >"$W/f$i"; done

dash_cleanup() {
	if [ -n "$DASH_PID" ]; then
		kill -TERM "$DASH_PID" 2>/dev/null
		wait "$DASH_PID" 2>/dev/null
	fi
	pmd_cleanup
}
trap dash_cleanup EXIT

group "premodd_dashboard: premodd and the dashboard start"
pmd_module &&
pmd_subst "$PMD_FIX/dashboard-policy.json" "$POL/10-dash.json" &&
pmd_start --policy "$POL" --no-journal --no-journald --no-syslog
[ -z "$PM_GROUP_ERR" ] || { group_end; exit 1; }
# Python's own interpreter, not whatever python3 the PATH finds first.
/usr/bin/python3 "$DASH" --header "$PM_REPO/include/premod.h" >"$OUT" 2>"$ERR" &
DASH_PID=$!
# Importing pyroute2 takes seconds under TCG: wait for its ready line.
wait_until 120 "the dashboard's ready line ($(tail -c 300 "$ERR" 2>/dev/null))" \
	grep -q '^dashboard: ready' "$ERR"
kill -0 "$DASH_PID" 2>/dev/null || fail "the dashboard exited: $(tail -c 300 "$ERR")"
[ -z "$PM_GROUP_ERR" ] || { group_end; exit 1; }
group_end

group "premodd_dashboard: per-rule counts of the operations"
for i in 1 2 3; do
	"$FSOP" chmod "$W/f$i" 0600 || fail "fsop chmod $W/f$i"
done
for i in 1 2; do
	"$FSOP" mkdir "$W/d$i" 0755 || fail "fsop mkdir $W/d$i"
done
wait_until 60 "vm-dash-chmod counted 3 and vm-dash-mkdir 2 ($(tr '\n' ' ' <"$OUT"))" \
	sh -c "grep -qx 'vm-dash-chmod	3' '$OUT' && grep -qx 'vm-dash-mkdir	2' '$OUT'"
# A barrier: one more chmod; once it is counted, anything the earlier
# operations made has been counted too.
"$FSOP" chmod "$W/f1" 0644 || fail "fsop chmod $W/f1"
wait_until 60 "the barrier chmod counted ($(tr '\n' ' ' <"$OUT"))" \
	grep -qx 'vm-dash-chmod	4' "$OUT"
# Every line is a rule of the policy with a count one higher than before.
want=$(printf 'vm-dash-chmod\t%s\n' 1 2 3; printf 'vm-dash-mkdir\t%s\n' 1 2;
	printf 'vm-dash-chmod\t4\n')
assert_eq "$(sort "$OUT")" "$(sort <<<"$want")" "the dashboard's lines"

group "premodd_dashboard: SIGTERM stops the dashboard (exit 0) and premodd"
kill -TERM "$DASH_PID"
wait "$DASH_PID"
rc=$?
DASH_PID=
assert_eq "$rc" 0 "the dashboard's exit status"
grep -v '^dashboard: ready' "$ERR" | grep -q . && fail "the dashboard complained: $(head -c 300 "$ERR")"
pmd_stop
group_end
