#!/bin/bash
# tests/lib/check-pkgconfig.sh BUILD - proves libpremod installs as a
# consumer expects: `make install-lib` into a scratch PREFIX, then
# examples/monitor.c compiled outside the tree with nothing but
# `pkg-config premod`, once against the shared library and once
# statically, and both binaries run. Without the module loaded (this
# machine) the example must say so and exit 3; with it, it would wait for
# events, so the test runs only --help and the no-module path.
set -euo pipefail

build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check-pkgconfig: FAIL: $*" >&2; exit 1; }

make -C "$top" --no-print-directory BUILD="$build" PREFIX="$tmp/prefix" \
	install-lib >/dev/null
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"

pkg-config --exists premod || fail "pkg-config does not find premod.pc"
ver=$(pkg-config --modversion premod)
[ -n "$ver" ] || fail "premod.pc has no version"
[ "$(pkg-config --variable=prefix premod)" = "$tmp/prefix" ] ||
	fail "premod.pc prefix is not the install prefix"
for h in libpremod.h premod.h event.h decode.h genl.h event_text.h; do
	[ -f "$tmp/prefix/include/premod/$h" ] || fail "header $h not installed"
done
so=$(readlink -f "$tmp/prefix/lib/libpremod.so")
objdump -p "$so" | grep -q 'SONAME *libpremod\.so\.[0-9]' ||
	fail "libpremod.so has no versioned soname"
# Only the library's own names are exported.
bad=$(nm -D --defined-only "$so" | awk '$2 ~ /[TDRB]/ && $3 !~ /^pm_/ {print $3}' |
	grep -v '^_' || true)
[ -z "$bad" ] || fail "exports names outside pm_*: $bad"

cd "$tmp"
# shellcheck disable=SC2046
cc -Wall -Wextra -Werror -o monitor-shared "$top/examples/monitor.c" \
	$(pkg-config --cflags --libs premod) || fail "shared build"
# shellcheck disable=SC2046
cc -Wall -Wextra -Werror -o monitor-static "$top/examples/monitor.c" \
	$(pkg-config --cflags premod) "$tmp/prefix/lib/libpremod.a" \
	$(pkg-config --static --libs-only-l premod | sed 's/-lpremod//') ||
	fail "static build"

for bin in monitor-shared monitor-static; do
	LD_LIBRARY_PATH="$tmp/prefix/lib" "./$bin" -h | grep -q "libpremod $ver" ||
		fail "$bin -h does not report libpremod $ver"
	rc=0
	LD_LIBRARY_PATH="$tmp/prefix/lib" "./$bin" -x 2>/dev/null || rc=$?
	[ $rc -eq 2 ] || fail "$bin: usage error exits $rc, not 2"
	if [ ! -d /sys/module/premod ]; then
		rc=0
		err=$(LD_LIBRARY_PATH="$tmp/prefix/lib" "./$bin" 2>&1) || rc=$?
		[ $rc -eq 3 ] || fail "$bin without the module exits $rc, not 3: $err"
		grep -q 'not loaded' <<<"$err" || fail "$bin: '$err'"
	fi
done
deps=$(LD_LIBRARY_PATH="$tmp/prefix/lib" ldd ./monitor-shared)
grep -q "libpremod\.so\.[0-9]* => $tmp/prefix/lib/" <<<"$deps" ||
	fail "monitor-shared does not load the installed libpremod.so: $deps"
deps=$(ldd ./monitor-static)
! grep -q libpremod <<<"$deps" || fail "monitor-static needs libpremod.so"
echo "check-pkgconfig: ok (premod $ver: headers, .pc, .so, .a, examples/monitor.c)"
