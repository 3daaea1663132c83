#!/bin/bash
# Who may listen and steer: only CAP_NET_ADMIN in the initial user
# namespace. An unprivileged user and root inside `unshare -Ur` can neither
# join the events group nor call admin commands, and say so (exit 1, a
# message about permission); root can (the control, so that a premodctl
# that always fails cannot pass).
. "$(dirname "$0")/../lib.sh"

pm_filter_clear

# expect_denied WHAT PREFIX...: premodctl with each admin command under the
# PREFIX (setpriv..., unshare...) fails with status 1 and a permission
# message, and the monitor never reports being subscribed.
expect_denied() {
	local what=$1 args out rc
	shift
	local cmds=("monitor --json" "stats" "stats --json" "filter"
		"filter set --include $TD" "filter clear" "register --exec true")
	for args in "${cmds[@]}"; do
		rc=0
		# shellcheck disable=SC2086
		out=$(timeout 60 "$@" "$PREMODCTL" $args 2>&1 </dev/null) || rc=$?
		if [ "$rc" = 124 ]; then
			fail "$what: 'premodctl $args' did not exit within 60s (joined?)"
			return 1
		fi
		if [ "$rc" != 1 ]; then
			fail "$what: 'premodctl $args' exit status $rc, want 1: $(head -c 200 <<<"$out")"
			return 1
		fi
		if ! grep -qiE 'permission|CAP_NET_ADMIN' <<<"$out"; then
			fail "$what: 'premodctl $args' message does not say permission: $(head -c 200 <<<"$out")"
			return 1
		fi
		if grep -q 'premodctl: monitoring' <<<"$out"; then
			fail "$what: 'premodctl $args' reported a subscription"
			return 1
		fi
		if [ "$(wc -l <<<"$out")" != 1 ]; then
			fail "$what: 'premodctl $args' wants one line of error, got: $(head -c 300 <<<"$out" | tr '\n' '|')"
			return 1
		fi
	done
}

group "permissions: root may do all of it (control)"
assert_status 0 "premodctl stats" "$PREMODCTL" stats
assert_status 0 "premodctl filter" "$PREMODCTL" filter
assert_status 0 "premodctl register --exec true" "$PREMODCTL" register --exec true
mon_start ctl && mon_stop ctl

group "permissions: unprivileged user is refused"
expect_denied "uid $NOBODY" "${AS_NOBODY[@]}"

group "permissions: root in unshare -Ur is refused"
# Sanity: the namespace root really believes it is root.
inner=$(unshare -Ur id -u 2>&1)
assert_eq "$inner" 0 "id -u inside unshare -Ur"
expect_denied "unshare -Ur" unshare -Ur

group "permissions: root in unshare -Ur with a new mount namespace is refused"
expect_denied "unshare -Urm" unshare -Urm

group "permissions: refused calls changed nothing"
# A SET_FILTER that slipped through would show here.
out=$("$PREMODCTL" filter 2>&1)
if grep -qF "$TD" <<<"$out"; then
	fail "the filter names $TD after refused calls: $out"
fi
group_end
