#!/bin/bash
# Evasion from another mount namespace: unshare -m, bind /etc at /run/e2
# inside it (the host never sees that mount), append to /run/e2/shadow.
. "$(dirname "$0")/../lib.sh"
. "$PM_REPO/tests/vm/premodd/lib.sh"
ID_NAME=identity_unshare
. "$PM_REPO/tests/vm/premodd/identity.sh"
id_setup

group "$ID_NAME: a private namespace's bind of /etc writes /etc/shadow"
mkdir -p /run/e2
unshare -m --propagation private bash -c '
	set -e
	mount --bind /etc /run/e2
	"$1" open /run/e2/shadow wronly,append
' _ "$FSOP" >"$PM_WORK/ns.out" 2>&1 ||
	fail "unshare -m: $(head -c 300 "$PM_WORK/ns.out")"
grep -q ' /run/e2 ' /proc/1/mountinfo && fail "the namespace's mount leaked to the host"
rec=$(id_record cred-files-write open_write /etc/shadow)
[ -z "$rec" ] || {
	assert_eq "$(id_field "$rec" task_path)" /run/e2/shadow "task_path"
	assert_eq "$(id_flag "$rec" TASK_MNTNS)" 1 "flag TASK_MNTNS"
	assert_eq "$(id_flag "$rec" NO_HOST_PATH)" 0 "flag NO_HOST_PATH"
}

group "$ID_NAME: a file on a mount only the namespace has keeps its name, flagged"
# The example policy watches no such place: without premodd's prefilter,
# premodctl monitor (which names events as premodd does) shows it.
pmd_stop
"$PREMODCTL" filter clear >"$PM_WORK/clear.out" 2>&1 ||
	fail "filter clear: $(head -c 300 "$PM_WORK/clear.out")"
mon_start ns || exit 1
unshare -m --propagation private bash -c '
	set -e
	mount -t tmpfs pm-ns-only /run/e2
	"$1" create /run/e2/only-here 0644
' _ "$FSOP" >"$PM_WORK/ns2.out" 2>&1 ||
	fail "unshare -m tmpfs: $(head -c 300 "$PM_WORK/ns2.out")"
mon_sync ns "$TD"
ev=$(mon_events ns | jq -c 'select(.op == "create" and .task_path == "/run/e2/only-here")' | head -n 1)
[ -n "$ev" ] || fail "no create event of /run/e2/only-here: $(mon_events ns | tail -n 3 | tr '\n' ' ')"
[ -z "$ev" ] || {
	assert_eq "$(id_field "$ev" path)" /run/e2/only-here "path (the task's, no host name)"
	assert_eq "$(id_flag "$ev" NO_HOST_PATH)" 1 "flag NO_HOST_PATH"
	assert_eq "$(id_field "$ev" fs_path)" /only-here "fs_path"
}
mon_stop ns
group_end
