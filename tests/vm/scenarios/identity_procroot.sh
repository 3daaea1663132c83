#!/bin/bash
# Evasion through /proc/PID/root: a process in a private mount namespace
# binds /etc at /run/e3; from the host, /proc/PID/root/run/e3/shadow is
# appended to.
. "$(dirname "$0")/../lib.sh"
. "$PM_REPO/tests/vm/premodd/lib.sh"
ID_NAME=identity_procroot
. "$PM_REPO/tests/vm/premodd/identity.sh"
id_setup

group "$ID_NAME: /proc/PID/root of another namespace writes /etc/shadow"
mkdir -p /run/e3
rm -f "$PM_WORK/ns-ready"
unshare -m --propagation private bash -c '
	mount --bind /etc /run/e3 && touch "$1" && exec sleep 600
' _ "$PM_WORK/ns-ready" >"$PM_WORK/ns.out" 2>&1 &
holder=$!
wait_until 60 "the namespace's bind mount" test -e "$PM_WORK/ns-ready"
"$FSOP" open "/proc/$holder/root/run/e3/shadow" wronly,append ||
	fail "append via /proc/$holder/root"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
rec=$(id_record cred-files-write open_write /etc/shadow)
[ -z "$rec" ] || assert_eq "$(id_flag "$rec" NO_HOST_PATH)" 0 "flag NO_HOST_PATH"
pmd_stop
group_end
