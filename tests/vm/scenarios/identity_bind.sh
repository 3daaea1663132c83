#!/bin/bash
# Evasion by bind mount: /etc bound at /run/e, /run/e/passwd appended to.
# The record names /etc/passwd (the host's name of the file); the name
# the writer used is task_path.
. "$(dirname "$0")/../lib.sh"
. "$PM_REPO/tests/vm/premodd/lib.sh"
ID_NAME=identity_bind
. "$PM_REPO/tests/vm/premodd/identity.sh"
id_setup

group "$ID_NAME: append through a bind mount of /etc is cred-files-write on /etc/passwd"
mkdir -p /run/e && id_mount --bind /etc /run/e &&
"$FSOP" open /run/e/passwd wronly,append || fail "append to /run/e/passwd"
rec=$(id_record cred-files-write open_write /etc/passwd)
[ -z "$rec" ] || {
	assert_eq "$(id_field "$rec" task_path)" /run/e/passwd "task_path"
	assert_eq "$(id_field "$rec" severity)" crit "severity"
	assert_eq "$(id_field "$rec" exe)" "$FSOP_REAL" "exe (the writer's program)"
}

group "$ID_NAME: rename over a bound name is named by both host names"
"$FSOP" create /run/e/pm-id-new 0644 -- rename /run/e/pm-id-new /run/e/group ||
	fail "rename through the bind mount"
rec=$(id_record cred-files-write rename /etc/pm-id-new)
[ -z "$rec" ] || {
	assert_eq "$(id_field "$rec" path2)" /etc/group "path2"
	assert_eq "$(id_field "$rec" task_path2)" /run/e/group "task_path2"
}
pmd_stop
group_end
