#!/bin/bash
# The example policy (policy/examples/), proven rule by rule: premodd loads
# it unchanged, and for every enabled rule this script performs one
# operation at the rule's real path that the rule must match, then checks
# that the JSONL journal holds a record of that rule for that operation.
# The rule ids come from the policy files: a rule without a trigger below
# fails the scenario, so a new rule cannot go untested.
#
# The VM root is the host's, read-only. The watched places are made
# writable before premodd starts (the kernel's prefilter resolves its
# paths when it is set, so the new mounts must be in place by then):
# /etc and /usr/bin become overlays over themselves, /var/spool a fresh
# tmpfs; /tmp, /var/log, /root and /home are tmpfs in
# the VM already.
. "$(dirname "$0")/../lib.sh"
. "$PM_REPO/tests/vm/premodd/lib.sh"

EX=$PM_REPO/policy/examples
J=$PM_WORK/changes.jsonl
STAGE=/run/pm-examples
MOUNTS=()

unmount_all() {
	local i
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}"
	done
	MOUNTS=()
}
trap 'pmd_cleanup; unmount_all' EXIT

# --- triggers: one function per rule id (dashes as underscores) ------------------
# Each performs one operation the rule matches and sets EXPECT_OP and
# EXPECT_PATH to what the record must carry. fsop makes exactly the system
# call named; its exe (the build's fsop) is no package manager.
trigger_cred_files_write() {
	EXPECT_OP=open_write EXPECT_PATH=/etc/shadow
	"$FSOP" open /etc/shadow wronly,append
}
trigger_sudoers_change() {
	EXPECT_OP=create EXPECT_PATH=/etc/sudoers.d/pm-test
	"$FSOP" create /etc/sudoers.d/pm-test 0440
}
trigger_pam_config_change() {
	EXPECT_OP=create EXPECT_PATH=/etc/pam.d/pm-test
	"$FSOP" create /etc/pam.d/pm-test 0644
}
trigger_ld_so_preload() {
	# An empty preload file preloads nothing; it is gone again at once.
	EXPECT_OP=create EXPECT_PATH=/etc/ld.so.preload
	"$FSOP" create /etc/ld.so.preload 0644 -- unlink /etc/ld.so.preload
}
trigger_sshd_config_change() {
	EXPECT_OP=create EXPECT_PATH=/etc/ssh/sshd_config.d/pm-test.conf
	"$FSOP" create /etc/ssh/sshd_config.d/pm-test.conf 0644
}
trigger_ssh_authorized_keys() {
	EXPECT_OP=create EXPECT_PATH=/root/.ssh/authorized_keys
	"$FSOP" create /root/.ssh/authorized_keys 0600
}
trigger_cron_change() {
	EXPECT_OP=create EXPECT_PATH=/etc/cron.d/pm-test
	"$FSOP" create /etc/cron.d/pm-test 0644
}
trigger_system_binary_write() {
	EXPECT_OP=create EXPECT_PATH=/usr/bin/pm-test-binary
	"$FSOP" create /usr/bin/pm-test-binary 0755
}
trigger_system_binary_setuid() {
	EXPECT_OP=chmod EXPECT_PATH=/usr/bin/pm-test-suid
	"$FSOP" chmod /usr/bin/pm-test-suid 4755
}
trigger_tmp_setuid() {
	EXPECT_OP=chmod EXPECT_PATH=$TD/suid
	"$FSOP" chmod "$TD/suid" 2755
}
trigger_log_deletion() {
	EXPECT_OP=unlink EXPECT_PATH=/var/log/pm-test.log
	"$FSOP" unlink /var/log/pm-test.log
}

group "premodd_examples: every enabled rule of policy/examples has a trigger"
RULES=$(jq -r '.rules[]? | select(.enabled != false) | .id' "$EX"/*.json 2>"$PM_WORK/jq.err")
[ -n "$RULES" ] || fail "no rule ids read from $EX/*.json: $(head -c 300 "$PM_WORK/jq.err")"
missing=
for id in $RULES; do
	declare -F "trigger_${id//-/_}" >/dev/null || missing="$missing $id"
done
[ -z "$missing" ] || fail "rules without a trigger in $(basename "$0"):$missing"
echo "# rules: $(tr '\n' ' ' <<<"$RULES")"
disabled=$(jq -r '.rules[]? | select(.enabled == false) | .id' "$EX"/*.json)
[ -z "$disabled" ] || echo "# disabled rules (never match, not triggered): $(tr '\n' ' ' <<<"$disabled")"

group "premodd_examples: the watched system directories are made writable"
mkdir -p "$STAGE"
mount -t tmpfs -o mode=0755 pm-stage "$STAGE" && MOUNTS+=("$STAGE") ||
	fail "cannot mount a tmpfs on $STAGE"
# overlay_over DIR: DIR becomes an overlay of itself with a tmpfs upper
# layer: writable, same content, and no copy to make (copying /etc over 9p
# takes minutes under TCG).
overlay_over() {
	local n=${1//\//-}
	mkdir -p "$STAGE/$n/upper" "$STAGE/$n/work" &&
	mount -t overlay "pm$n" \
		-o "lowerdir=$1,upperdir=$STAGE/$n/upper,workdir=$STAGE/$n/work" "$1" &&
	MOUNTS+=("$1") ||
		fail "cannot mount an overlay on $1: $(dmesg | grep -i overlay | tail -n 2 | tr '\n' ' ')"
}
overlay_over /etc
overlay_over /usr/bin
mount -t tmpfs -o mode=0755 pm-spool /var/spool && MOUNTS+=(/var/spool) ||
	fail "cannot mount a tmpfs on /var/spool"
# What the rules' subtrees need to exist before premodd (and its prefilter).
mkdir -p -m 0750 /etc/sudoers.d && mkdir -p /etc/pam.d /etc/cron.d \
	/etc/ssh/sshd_config.d /var/spool/cron/crontabs /home &&
mkdir -p -m 0700 /root/.ssh &&
: >/var/log/pm-test.log && : >"$TD/suid" && chmod 0755 "$TD/suid" &&
"$FSOP" create /usr/bin/pm-test-suid 0755 ||
	fail "cannot prepare the files the triggers use"
[ -z "$PM_GROUP_ERR" ] || { group_end; exit 1; }

group "premodd_examples: premodd loads policy/examples and the kernel takes its prefilter"
pmd_module &&
pmd_start --policy "$EX" --journal "$J" --no-journald --no-syslog --no-alerts
[ -z "$PM_GROUP_ERR" ] || { group_end; exit 1; }
want=$("$PREMODD" --check "$EX" | sed -n '/^prefilter include:/,/^[^ ]/{s/^  *//p}' | sort)
got=$("$PREMODCTL" filter --json 2>&1 | jq -r '.include[]' | sort)
assert_eq "$(tr '\n' ' ' <<<"$got")" "$(tr '\n' ' ' <<<"$want")" "kernel filter include list vs premodd --check"
! grep -q 'refused the prefilter\|wider prefilter' "$PM_WORK/premodd.err" ||
	fail "premodd: $(grep 'prefilter' "$PM_WORK/premodd.err" | head -n 2 | tr '\n' ' ')"

declare -A WANT_OP WANT_PATH
for id in $RULES; do
	f=trigger_${id//-/_}
	declare -F "$f" >/dev/null || continue
	group "premodd_examples: rule $id fires"
	EXPECT_OP= EXPECT_PATH=
	"$f" >"$PM_WORK/trigger.out" 2>&1 ||
		fail "the trigger failed: $(head -c 300 "$PM_WORK/trigger.out")"
	WANT_OP[$id]=$EXPECT_OP
	WANT_PATH[$id]=$EXPECT_PATH
	wait_until 60 "a record of rule $id ($EXPECT_OP $EXPECT_PATH) in the journal" \
		jsonl_has "$J" ".rule == \"$id\""
	rec=$(jq -c --arg r "$id" --arg op "$EXPECT_OP" --arg p "$EXPECT_PATH" \
		'select(.rule == $r and .op == $op and .path == $p)' "$J")
	[ -n "$rec" ] || fail "records of $id, none for $EXPECT_OP $EXPECT_PATH: $(jq -c --arg r "$id" 'select(.rule == $r) | {op, path, comm}' "$J" | head -n 3 | tr '\n' ' ')"
	# The record names the rule's own severity.
	sev=$(jq -r --arg r "$id" '.rules[]? | select(.id == $r) | .severity' "$EX"/*.json)
	[ -z "$rec" ] || assert_eq "$(jq -r .severity <<<"$rec" | head -n 1)" "$sev" "severity of the $id record"
done

# Beyond one trigger per rule: the traps the language's "under" and the
# created-setuid case close. Each must give a record of its rule.
extra_case() {	# RULE OP PATH -- command...
	local id=$1 op=$2 path=$3
	shift 4
	group "premodd_examples: $id fires on $op $path"
	"$@" >"$PM_WORK/trigger.out" 2>&1 ||
		fail "the trigger failed: $(head -c 300 "$PM_WORK/trigger.out")"
	wait_until 60 "a record of rule $id ($op $path) in the journal" \
		jsonl_has "$J" ".rule == \"$id\" and .op == \"$op\" and .path == \"$path\""
}
extra_case sudoers-change chmod /etc/sudoers.d -- "$FSOP" chmod /etc/sudoers.d 0755
extra_case tmp-setuid create "$TD/suid-new" -- "$FSOP" create "$TD/suid-new" 4755

group "premodd_examples: no lost records; SIGTERM, exit 0"
assert_eq "$(jsonl_count "$J" '.kind == "lost"')" 0 "lost records"
pmd_stop
rm -f /etc/sudoers.d/pm-test /etc/pam.d/pm-test /etc/cron.d/pm-test \
	/usr/bin/pm-test-binary /usr/bin/pm-test-suid 2>/dev/null
group_end
