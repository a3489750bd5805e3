# common.sh - what the hardening tests share (sourced after tests/lib.sh): a temporary
# directory, cleanups run in reverse order on exit, the integration lock, the test
# instances, small tmpfs mounts, KSM's run state, and verdicts printed by Python checks.

ASSETS="$top_srcdir/tests/integration/assets.sh"
hd_cleanups=
hd_tmp=$(mktemp -d "${TMPDIR:-/tmp}/uksmtop-hard.XXXXXX") || exit 1
# Readable by nobody (privileges.sh) and by QEMU's user.
chmod 755 "$hd_tmp"

# hd_at_exit COMMAND: run COMMAND on exit, before the cleanups registered earlier.
hd_at_exit() { hd_cleanups="$1
$hd_cleanups"; }

hd_exit() {
	rc=$?
	trap - EXIT
	eval "$hd_cleanups"
	rm -rf "$hd_tmp"
	exit "$rc"
}
trap hd_exit EXIT
trap 'exit 1' INT TERM HUP

# hd_need COMMAND PACKAGE...: skip (a failure under CI) when a command is missing.
hd_need() {
	cmd=$1; shift
	command -v "$cmd" >/dev/null 2>&1 || skip "$cmd not found (package: $*)"
}

# hd_lock: one at a time with the integration, boot and view tests, which share the
# uksmtest-* instances, libvirtd and KSM's settings (the lock of tests/integration/common.sh).
hd_lock() {
	hd_need flock util-linux
	lock=/run/lock/uksmtop-integration.lock
	[ -d /run/lock ] || lock=/tmp/uksmtop-integration.lock
	exec 9>"$lock"
	t0=$(date +%s)
	flock -w 1800 9 || skip "cannot take $lock"
	[ "$(date +%s)" -gt "$t0" ] && echo "# waited $(( $(date +%s) - t0 )) s for $lock"
	return 0
}

assets() { sh "$ASSETS" "$@"; }

# hd_instances KVM_N LXC_N: the uksmtest-* guests and containers, removed on exit; or fail.
hd_instances() {
	for c in virsh libvirtd virtlogd lxc-create lxc-start lxc-info python3; do
		command -v "$c" >/dev/null 2>&1 ||
			skip "$c not found (packages: libvirt-daemon-system qemu-system-x86 lxc python3)"
	done
	hd_at_exit 'hd_teardown'
	if [ "$1" -gt 0 ]; then
		assets ensure-daemons || { not_ok "libvirtd and virtlogd running"; done_testing; }
		t0=$(date +%s)
		assets setup-kvm "$1" || { not_ok "$1 guest(s) boot"; done_testing; }
		echo "# $1 guest(s) up in $(( $(date +%s) - t0 )) s"
	fi
	if [ "$2" -gt 0 ]; then
		assets setup-lxc "$2" || { not_ok "$2 container(s) start"; done_testing; }
	fi
}

hd_teardown() {
	if [ -n "${UKSMTOP_KEEP_ASSETS:-}" ]; then
		echo "# keeping the uksmtest-* instances (UKSMTOP_KEEP_ASSETS)"
		return 0
	fi
	assets teardown >/dev/null 2>&1
}

# guest_pid NAME, container_pid NAME: the instance's main process as its manager knows it.
guest_pid() { cat "/run/libvirt/qemu/$1.pid" 2>/dev/null; }
container_pid() { lxc-info -pH -n "$1" 2>/dev/null; }

# hd_tmpfs DIR SIZE: a tmpfs of SIZE at DIR (made), unmounted on exit.
hd_tmpfs() {
	mkdir -p "$1" && mount -t tmpfs -o "size=$2,mode=0755" tmpfs "$1" || return 1
	hd_at_exit "umount -l '$1' 2>/dev/null"
}

# hd_fill DIR: fill the filesystem at DIR until not one block is left.
hd_fill() {
	dd if=/dev/zero of="$1/.fill" bs=4096 2>/dev/null
	dd if=/dev/zero of="$1/.fill2" bs=1 2>/dev/null
	[ "$(df -P "$1" | awk 'NR == 2 { print $4 }')" = 0 ]
}

# hd_unfill DIR: give the space back.
hd_unfill() { rm -f "$1/.fill" "$1/.fill2"; }

# hd_ksm_save: put KSM's run state back on exit (a test that fails must not leave it changed).
hd_ksm_save() {
	[ -w /sys/kernel/mm/ksm/run ] || return 0
	hd_ksm_run=$(cat /sys/kernel/mm/ksm/run)
	hd_at_exit 'echo "$hd_ksm_run" >/sys/kernel/mm/ksm/run'
}

# hd_one_line FILE: FILE holds exactly one line.
hd_one_line() { [ "$(wc -l <"$1")" = 1 ]; }

# hd_rss_kb PID: the process's resident memory (VmRSS) in KiB.
hd_rss_kb() { sed -n 's/^VmRSS:[^0-9]*\([0-9]*\) kB$/\1/p' "/proc/$1/status" 2>/dev/null; }

# hd_no_tmp DIR: no temporary file of an atomic write is left in DIR.
hd_no_tmp() { ! ls -a "$1" 2>/dev/null | grep -q '\.tmp\.'; }

# hd_show FILE PREFIX: print a file as comments (stderr of a run, say).
hd_show() { [ -s "$1" ] && sed "s/^/# $2/" "$1"; return 0; }
