#!/bin/bash
# A chroot with an /etc/passwd of its own: writing it is not a write of
# the host's /etc/passwd, and no record may say so. The jail's file is
# named as the host names it (premodctl monitor with no filter shows it).
. "$(dirname "$0")/../lib.sh"
. "$PM_REPO/tests/vm/premodd/lib.sh"
ID_NAME=identity_chroot
. "$PM_REPO/tests/vm/premodd/identity.sh"

JAIL=$TD/jail
mkdir -p "$JAIL/etc" "$JAIL/usr"
echo "root:x:0:0::/root:/bin/sh" >"$JAIL/etc/passwd"
for l in bin sbin lib lib64; do
	[ -L "/$l" ] && ln -s "$(readlink "/$l")" "$JAIL/$l"
done
id_mount --bind /usr "$JAIL/usr"
id_setup

group "$ID_NAME: the jail's /etc/passwd is not the host's"
mon_start j || exit 1
chroot "$JAIL" /bin/sh -c 'echo "x:x:1:1::/:/bin/sh" >>/etc/passwd' \
	>"$PM_WORK/chroot.out" 2>&1 || fail "chroot write: $(head -c 300 "$PM_WORK/chroot.out")"
id_control
n=$(jsonl_count "$J" '.path == "/etc/passwd" and .task_path == "/etc/passwd" and .op == "open_write" and ((.flags / '"$(id_bit TASK_ROOT)"' | floor) % 2) == 1')
assert_eq "$n" 0 "records naming the host's /etc/passwd for the jail's write"
n=$(jsonl_count "$J" '.rule == "cred-files-write" and .path == "/etc/passwd"')
assert_eq "$n" 1 "cred-files-write records on /etc/passwd (the control only)"

group "$ID_NAME: the jail's write is named as the host names it"
premodctl_filter_off() { "$PREMODCTL" filter clear >/dev/null 2>&1; }
pmd_stop
premodctl_filter_off || fail "filter clear"
mon_sync j "$TD"
chroot "$JAIL" /bin/sh -c 'echo "y:x:2:2::/:/bin/sh" >>/etc/passwd' \
	>"$PM_WORK/chroot.out" 2>&1 || fail "chroot write: $(head -c 300 "$PM_WORK/chroot.out")"
mon_sync j "$TD"
ev=$(mon_events j | jq -c --arg p "$JAIL/etc/passwd" 'select(.op == "open_write" and .path == $p)' | tail -n 1)
[ -n "$ev" ] || fail "no open_write of $JAIL/etc/passwd: $(mon_events j | jq -c '{op,path,task_path}' | tail -n 4 | tr '\n' ' ')"
[ -z "$ev" ] || {
	assert_eq "$(id_field "$ev" task_path)" /etc/passwd "task_path (the jail's view)"
	assert_eq "$(id_flag "$ev" TASK_ROOT)" 1 "flag TASK_ROOT"
}
mon_stop j
group_end
