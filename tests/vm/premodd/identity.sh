# tests/vm/premodd/identity.sh - the evasion scenarios' fixture; sourced
# after ../lib.sh and lib.sh here.
#
# Each identity_* scenario tries one route an attacker takes to change a
# file the shipped example policy (policy/examples) watches under another
# name, and asserts the record premodd writes to its JSONL journal: the
# rule, the op and the *host's* name of the file (path), the name the task
# used kept in task_path. /etc is made writable as an overlay over itself
# (as premodd_examples does) before premodd pushes its prefilter.

EX=$PM_REPO/policy/examples
# The program the scenarios' writes are made by, as the host names it.
FSOP_REAL=$(readlink -f "$FSOP")
J=$PM_WORK/changes.jsonl
ID_STAGE=/run/pm-identity
ID_MOUNTS=()

id_unmount_all() {
	local i
	for ((i = ${#ID_MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${ID_MOUNTS[$i]}" 2>/dev/null || umount -l "${ID_MOUNTS[$i]}"
	done
	ID_MOUNTS=()
}
trap 'pmd_cleanup; id_unmount_all' EXIT

# id_mount ARGS... MOUNTPOINT: mount, remembered for the cleanup.
id_mount() {
	local out
	out=$(mount "$@" 2>&1) || { fail "mount $*: $out"; return 1; }
	ID_MOUNTS+=("${!#}")
}

# id_setup: writable /etc, premodd with the example policy, journal only.
id_setup() {
	group "$ID_NAME: setup: /etc writable, premodd runs the example policy"
	mkdir -p "$ID_STAGE"
	id_mount -t tmpfs -o mode=0755 pm-id "$ID_STAGE" &&
	mkdir -p "$ID_STAGE/etc/upper" "$ID_STAGE/etc/work" &&
	id_mount -t overlay pm-id-etc \
		-o "lowerdir=/etc,upperdir=$ID_STAGE/etc/upper,workdir=$ID_STAGE/etc/work" /etc &&
	pmd_module &&
	pmd_start --policy "$EX" --journal "$J" --no-journald --no-syslog --no-alerts
	[ -z "$PM_GROUP_ERR" ] || { group_end; exit 1; }
}

# id_record RULE OP PATH: prints the first record of RULE for OP on PATH
# (the host's name) once the journal has it; fails after 60 s.
id_record() {
	local q=".rule == \"$1\" and .op == \"$2\" and .path == \"$3\""
	wait_until 60 "a $1 record of $2 $3 in the journal" jsonl_has "$J" "$q" ||
		{ fail "records there: $(jq -c '{rule, op, path, task_path, exe}' "$J" 2>/dev/null | tail -n 4 | tr '\n' ' ')"; return 1; }
	jq -c "select($q)" "$J" | head -n 1
}

# id_field RECORD KEY: one value of a record ("" when absent).
id_field() { jq -r --arg k "$2" '.[$k] // ""' <<<"$1"; }

# id_bit NAME: the value of flag PREMOD_F_NAME, read from the header.
id_bit() {
	local n
	n=$(sed -n "s/^[[:space:]]*PREMOD_F_$1[[:space:]]*= 1U << \([0-9]*\),.*/\1/p" \
		"$PM_REPO/include/premod.h")
	[ -n "$n" ] && echo $((1 << n))
}

# id_flag RECORD NAME: 0/1, whether the record's flags have PREMOD_F_NAME.
id_flag() {
	local bit
	bit=$(id_bit "$2") || { fail "PREMOD_F_$2 not in premod.h"; return 1; }
	jq -r --argjson b "$bit" '((.flags / $b | floor) % 2)' <<<"$1"
}

# id_control: a plain append to the real /etc/passwd is recorded; proves
# premodd is alive and the journal current after a "nothing" assertion.
id_control() {
	local rec
	"$FSOP" open /etc/passwd wronly,append ||
		{ fail "cannot open /etc/passwd for the control"; return 1; }
	rec=$(id_record cred-files-write open_write /etc/passwd) || return 1
	[ -n "$rec" ]
}
