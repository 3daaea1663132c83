#!/bin/bash
# Evasion by file handle: open_by_handle_at() names no path at all, and
# the mount fd is a bind mount elsewhere. /root is a tmpfs in the VM,
# which hands out file handles (the overlay over /etc would not).
. "$(dirname "$0")/../lib.sh"
. "$PM_REPO/tests/vm/premodd/lib.sh"
ID_NAME=identity_handle
. "$PM_REPO/tests/vm/premodd/identity.sh"
mkdir -p -m 0700 /root/.ssh && : >/root/.ssh/authorized_keys ||
	fail_now "$ID_NAME" "cannot make /root/.ssh/authorized_keys"
id_setup

group "$ID_NAME: open_by_handle_at of authorized_keys is named /root/.ssh/authorized_keys"
mkdir -p /run/e4 && id_mount --bind /root/.ssh /run/e4 &&
"$FSOP" open_handle /run/e4 authorized_keys wronly,append ||
	fail "open_by_handle_at"
rec=$(id_record ssh-authorized-keys open_write /root/.ssh/authorized_keys)
[ -z "$rec" ] || assert_eq "$(id_field "$rec" task_path)" /run/e4/authorized_keys "task_path"
pmd_stop
rm -f /root/.ssh/authorized_keys
group_end
