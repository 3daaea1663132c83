#!/bin/bash
# The actor is taken at the hook: a shell appends to /etc/passwd and at
# once execs dpkg-deb (an exe the example policy's package_manager
# exception allows) while premodd is stopped. Once premodd resumes, the
# record's exe is the writer's program (bash) and the exception does not
# apply; a record's exe is never read from /proc after the fact.
. "$(dirname "$0")/../lib.sh"
. "$PM_REPO/tests/vm/premodd/lib.sh"
ID_NAME=identity_exe
. "$PM_REPO/tests/vm/premodd/identity.sh"
id_setup

group "$ID_NAME: write, then exec an allow-listed program, premodd stopped"
bash=$(readlink -f /bin/bash)
[ -x /usr/bin/dpkg-deb ] || fail "/usr/bin/dpkg-deb missing (dpkg)"
kill -STOP "$PMD_PID"
bash -c 'echo "pm-exe:x:9:9::/:/bin/false" >>/etc/passwd; exec /usr/bin/dpkg-deb --version' \
	>"$PM_WORK/exe.out" 2>&1 || fail "write+exec: $(head -c 300 "$PM_WORK/exe.out")"
kill -CONT "$PMD_PID"
rec=$(id_record cred-files-write open_write /etc/passwd)
[ -z "$rec" ] || {
	assert_eq "$(id_field "$rec" exe)" "$bash" "exe"
	assert_eq "$(id_field "$rec" exe_ino)" "$(stat -L -c %i "$bash")" "exe_ino"
}

group "$ID_NAME: the allow-listed program itself is excepted"
# dpkg-deb writes nothing; its exe is what the exception judges: a
# record with it must not exist (one without an exe would be a bug too).
n=$(jsonl_count "$J" '.rule == "cred-files-write" and (.exe // "") == ""')
assert_eq "$n" 0 "cred-files-write records without an exe"
pmd_stop
group_end
