#!/bin/sh
# ksm_instances.sh - a container's merged pages in uksmtop -b match the kernel's count while ksmd
# merges, after it stops, when a process execs, and after an unmerge; uksmtop reads a process's
# ksm_merging_pages again only when ksmd's counters or the process's statm say it may have changed.
. "$top_srcdir/tests/integration/common.sh"

HELPER=$top_builddir/tests/helpers/ksm_helper
REGION_MIB=16
C=uksmtest-c1
[ -x "$HELPER" ] || skip "no helper at $HELPER"
[ -w "$KSM/run" ] || skip "no writable $KSM/run (kernel without KSM?)"
[ -r "$KSM/pages_scanned" ] || skip "no $KSM/pages_scanned (kernel before 6.6)"
[ -e /sys/kernel/mm/uksm/run ] && skip "uKSM kernel: uksmtop would watch uKSM, not KSM"

helpers=
stop_helpers() {
	for p in $helpers; do
		kill "$p" 2>/dev/null
	done
	helpers=
}
saved_sharing=$(cat "$KSM/pages_sharing")
finish() {
	stop_helpers
	# Found with nothing merged: leave nothing merged (the helpers are gone).
	[ "$saved_sharing" = 0 ] && echo 2 >"$KSM/run"
	it_cleanup
}
trap finish EXIT

setup 0 1
ksm_save
echo 0 >"$KSM/run"
echo 5000 >"$KSM/pages_to_scan"
echo 10 >"$KSM/sleep_millisecs"
page_kb=$(( $(getconf PAGESIZE) / 1024 ))
region_pages=$(( REGION_MIB * 1024 / page_kb ))

# helper_in_container OUT: start the helper inside the container's cgroups (every hierarchy
# its init is in), so uksmtop counts it among the container's processes; prints its pid.
helper_in_container() {
	init=$(container_pid "$C")
	sh -c '
		python3 - "$1" "$$" <<EOF || exit 1
import os, sys
init, me = sys.argv[1:3]
paths = {}
for line in open("/proc/%s/cgroup" % init):
    hid, ctrls, path = line.rstrip("\n").split(":", 2)
    paths[ctrls] = path
for line in open("/proc/self/mountinfo"):
    f = line.split()
    dash = f.index("-")
    fstype, root, point = f[dash + 1], f[3], f[4]
    if fstype == "cgroup2":
        key = ""
    elif fstype == "cgroup":
        opts = f[dash + 3].split(",")
        key = next((k for k in paths if k and set(k.split(",")) <= set(opts)), None)
    else:
        continue
    if key is None or key not in paths:
        continue
    rel = os.path.relpath(paths[key], root)
    with open(os.path.join(point, rel, "cgroup.procs"), "w") as out:
        out.write(me)
EOF
		exec "$2" "$3"' sh "$init" "$HELPER" "$REGION_MIB" >"$1" 2>&1 &
	wait_for 20 grep -q '^ready' "$1" || return 1
	sed -n 's/^ready .* pid \([0-9]*\)$/\1/p' "$1"
}

# kernel_kb PID...: the merged pages the kernel counts for these processes, in KiB.
kernel_kb() {
	sum=0
	for p in "$@"; do
		v=$(cat "/proc/$p/ksm_merging_pages" 2>/dev/null || echo 0)
		sum=$(( sum + v ))
	done
	echo $(( sum * page_kb ))
}

# The container's process set, from its cgroup on the unified hierarchy.
procs_file() { echo "$(container_cgroup2 "$C")/cgroup.procs"; }

# What the kernel counts for the whole container, in KiB.
container_kb() { kernel_kb $(cat "$(procs_file)"); }

out=$it_tmp/run.json
"$UKSMTOP" -b -o json -d 0.3 --no-libvirt --filter "$C" --pss-interval 3600 >"$out" 2>"$out.err" &
it_bg=$!
running() { [ "$(inst "$out" "$C" state)" = running ]; }
check "$C listed as running" wait_for 30 running

ksm_is() { [ "$(inst "$out" "$C" ksm_kb)" = "$1" ]; }
ksm_at_least() { v=$(inst "$out" "$C" ksm_kb); [ "$v" -ge "$1" ] 2>/dev/null; }
# pages_scanned in the newest complete sample.
scanned() { sed -n 's/.*"pages_scanned":\([0-9]*\).*"events".*/\1/p' "$out" | tail -n 1; }

# expect_exact WHAT: within 3 s the newest sample gives what the kernel counts now.
expect_exact() {
	want=$(container_kb)
	if wait_for 3 ksm_is "$want"; then
		ok "$1: ksm_kb = $want, the kernel's count"
	else
		not_ok "$1: ksm_kb $(inst "$out" "$C" ksm_kb), the kernel counts $want"
	fi
}

# merge_now: ksmd on until the helpers' pages are merged, then off, with the pages kept.
merge_now() {
	echo 1 >"$KSM/run"
	want=$(( region_pages * page_kb * 9 / 10 * $# ))
	check "helper $1's pages merged in uksmtop's view (>= $want KiB) while ksmd runs" wait_for 60 ksm_at_least "$want"
	echo 0 >"$KSM/run"
	sleep 1
}

h1=$(helper_in_container "$it_tmp/h1.out") || not_ok "helper starts in $C"
helpers="$h1"
check "helper runs in $C's cgroup" grep -qx "$h1" "$(procs_file)"
merge_now "$h1"
s0=$(scanned)
expect_exact "ksmd stopped, pages kept"
check "the kernel counts the helper's pages (>= 90 %)" [ "$(kernel_kb "$h1")" -ge $(( region_pages * page_kb * 9 / 10 )) ]

# exec: a new mm with nothing merged; ksmd's counters do not move.
kill -USR1 "$h1"
check "helper execs sleep" wait_for 5 grep -q '^sleep' "/proc/$h1/comm"
expect_exact "after exec"
check "ksm_kb after exec is 0" ksm_is 0
check "ksmd scanned nothing meanwhile (pages_scanned $s0)" [ "$(scanned)" = "$s0" ]

# unmerge (run = 2): pages leave the stable tree without ksmd scanning.
h2=$(helper_in_container "$it_tmp/h2.out") || not_ok "second helper starts in $C"
helpers="$helpers $h2"
merge_now "$h2"
expect_exact "second helper merged, ksmd stopped"
s1=$(scanned)
echo 2 >"$KSM/run"
echo 0 >"$KSM/run"
expect_exact "after unmerge"
check "ksm_kb after unmerge is 0" ksm_is 0
check "ksmd scanned nothing meanwhile (pages_scanned $s1)" [ "$(scanned)" = "$s1" ]

stop_batch "$out"
done_testing
