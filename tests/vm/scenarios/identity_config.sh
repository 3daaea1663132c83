#!/bin/bash
# The monitor cannot be blinded silently: while premodd is registered a
# second REGISTER is refused, and every change of what premod reports
# while someone listens (a SET_FILTER from premodctl, a refused REGISTER)
# is a sequenced config event that premodd records in its journal with
# the caller's identity, whatever its policy.
. "$(dirname "$0")/../lib.sh"
. "$PM_REPO/tests/vm/premodd/lib.sh"
ID_NAME=identity_config
. "$PM_REPO/tests/vm/premodd/identity.sh"
id_setup

cfg() { jq -c "select(.kind == \"config\" and ($1))" "$J" 2>/dev/null | head -n 1; }

group "$ID_NAME: REGISTER from a second process is refused, and recorded"
rc=0
"$PREMODCTL" register --exec true >"$PM_WORK/reg.out" 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "a second REGISTER succeeded while premodd runs"
grep -qi 'busy' "$PM_WORK/reg.out" || fail "the refusal does not say busy: $(head -c 300 "$PM_WORK/reg.out")"
wait_until 60 "a config record of the refused register" \
	jsonl_has "$J" '.kind == "config" and (.message | contains("register refused")) and .comm == "premodctl"'

group "$ID_NAME: SET_FILTER from premodctl is a config record with the caller"
"$PREMODCTL" filter set --include /etc --exclude-uid 4242 >"$PM_WORK/set.out" 2>&1 ||
	fail "filter set: $(head -c 300 "$PM_WORK/set.out")"
wait_until 60 "a config record of premodctl's set_filter" \
	jsonl_has "$J" '.kind == "config" and .comm == "premodctl" and (.message | contains("set_filter"))'
rec=$(cfg '.comm == "premodctl" and (.message | contains("set_filter"))')
[ -z "$rec" ] || {
	assert_eq "$(id_field "$rec" config_detail)" "ops=0x0 include=/etc exclude=- exclude_uids=4242" "config_detail"
	assert_eq "$(id_field "$rec" exe)" "$(readlink -f "$PREMODCTL")" "exe of the caller"
	assert_eq "$(id_field "$rec" uid)" 0 "uid of the caller"
	assert_eq "$(id_field "$rec" severity)" notice "severity"
	[ -n "$(id_field "$rec" seq)" ] || fail "the config record has no seq"
}
pmd_stop
group_end
