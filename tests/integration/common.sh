# common.sh - what the instance integration tests share (sourced): preconditions, a lock, assets, JSON queries, cleanup.
. "$top_srcdir/tests/lib.sh"

ASSETS="$top_srcdir/tests/integration/assets.sh"
KSM=/sys/kernel/mm/ksm
it_tmp=
it_bg=
it_ksm_saved=

need_root
[ -x "$UKSMTOP" ] || skip "no uksmtop binary at $UKSMTOP"
for it_cmd in python3 virsh libvirtd virtlogd lxc-create lxc-start lxc-info flock; do
	command -v "$it_cmd" >/dev/null 2>&1 ||
		skip "$it_cmd not found (packages: python3 libvirt-daemon-system qemu-system-x86 lxc util-linux)"
done

# The tests share the uksmtest-* instances and KSM's settings: one at a time,
# also under make -j.
it_lock=/run/lock/uksmtop-integration.lock
[ -d /run/lock ] || it_lock=/tmp/uksmtop-integration.lock
exec 9>"$it_lock"
it_t0=$(date +%s)
flock -w 1800 9 || skip "cannot take $it_lock"
[ "$(date +%s)" -gt "$it_t0" ] && echo "# waited $(( $(date +%s) - it_t0 )) s for $it_lock"

it_tmp=$(mktemp -d)
chmod 755 "$it_tmp"

assets() { sh "$ASSETS" "$@"; }

ksm_save() {
	[ -w "$KSM/run" ] || return 0
	it_ksm_saved="$(cat $KSM/run) $(cat $KSM/pages_to_scan) $(cat $KSM/sleep_millisecs)"
}

ksm_restore() {
	[ -n "$it_ksm_saved" ] || return 0
	set -- $it_ksm_saved
	echo "$2" >"$KSM/pages_to_scan"
	echo "$3" >"$KSM/sleep_millisecs"
	echo "$1" >"$KSM/run"
	it_ksm_saved=
}

it_cleanup() {
	[ -n "$it_bg" ] && kill "$it_bg" 2>/dev/null
	ksm_restore
	if [ -n "${UKSMTOP_KEEP_ASSETS:-}" ]; then
		echo "# keeping the uksmtest-* instances (UKSMTOP_KEEP_ASSETS)"
	else
		assets teardown
	fi
	rm -rf "$it_tmp"
}
trap it_cleanup EXIT
trap 'exit 1' INT TERM HUP

# setup KVM_N LXC_N: daemons, guests and containers, or fail the test with the reason.
setup() {
	assets ensure-daemons || { not_ok "libvirtd and virtlogd running"; done_testing; }
	if [ "$1" -gt 0 ]; then
		t0=$(date +%s)
		assets setup-kvm "$1" || { not_ok "$1 guest(s) boot"; done_testing; }
		echo "# $1 guest(s) up in $(( $(date +%s) - t0 )) s"
	fi
	if [ "$2" -gt 0 ]; then
		assets setup-lxc "$2" || { not_ok "$2 container(s) start"; done_testing; }
	fi
}

# jq-free JSON queries over one line of uksmtop -o json.
# inst FILE NAME FIELD: the field of the named instance in the newest complete line
# ("null", "absent"); a line still being written by a running uksmtop is skipped.
inst() {
	python3 - "$@" <<'EOF'
import json, sys
path, name, field = sys.argv[1:4]
d = None
for line in open(path):
    try:
        d = json.loads(line)
    except ValueError:
        pass
if d is None:
    print("absent"); sys.exit(0)
for i in d.get("instances", []):
    if i.get("name") == name:
        v = i.get(field, "absent")
        print("null" if v is None else v)
        break
else:
    print("absent")
EOF
}

# container_cgroup2 NAME: the container's cgroup directory on the unified (v2) hierarchy,
# where its init is.
container_cgroup2() {
	echo "$(findmnt -n -t cgroup2 -o TARGET | head -n 1)$(sed -n 's/^0:://p' "/proc/$(container_pid "$1")/cgroup")"
}

# guest_pid NAME: the pid libvirt recorded for a running guest.
guest_pid() { cat "/run/libvirt/qemu/$1.pid" 2>/dev/null; }

# container_pid NAME: the container's init as lxc-info reports it.
container_pid() { lxc-info -pH -n "$1" 2>/dev/null; }

# stop_batch OUT: stop the batch run left in the background ($it_bg, writing OUT and
# OUT.err); nothing may have come on its stderr.
stop_batch() {
	kill "$it_bg" 2>/dev/null
	wait "$it_bg" 2>/dev/null
	it_bg=
	check "no errors on stderr" [ ! -s "$1.err" ]
	if [ -s "$1.err" ]; then
		sed 's/^/# stderr: /' "$1.err"
	fi
}

# run_json N DELAY OUTFILE [ARGS...]: a batch run; its exit status is returned.
run_json() {
	n=$1 d=$2 out=$3
	shift 3
	"$UKSMTOP" -b -o json -n "$n" -d "$d" "$@" >"$out" 2>"$out.err"
}
