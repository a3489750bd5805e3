#!/bin/sh
# ksm_real.sh - on the real kernel: uksmtop switches KSM on and sees it merge a helper's identical pages.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

KSM=/sys/kernel/mm/ksm
HELPER=$top_builddir/tests/helpers/ksm_helper
REGION_MIB=32

need_root
[ -w "$KSM/run" ] || skip "no writable $KSM/run (kernel without KSM?)"
[ -e /sys/kernel/mm/uksm/run ] && skip "uKSM kernel: uksmtop would watch uKSM, not KSM"
[ -x "$UKSMTOP" ] || skip "no uksmtop binary at $UKSMTOP"
[ -x "$HELPER" ] || skip "no helper at $HELPER"
command -v python3 >/dev/null 2>&1 || skip "needs python3"

# KSM's run state and counters are shared: wait for any other test that uses them.
ksm_lock=/run/lock/uksmtop-integration.lock
[ -d /run/lock ] || ksm_lock=/tmp/uksmtop-integration.lock
exec 9>"$ksm_lock"
flock -w 1800 9 || skip "cannot take $ksm_lock"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/uksmtop-ksm.XXXXXX") || exit 1
saved_run=$(cat "$KSM/run")
saved_sharing=$(cat "$KSM/pages_sharing")
saved_pages=$(cat "$KSM/pages_to_scan")
saved_sleep=$(cat "$KSM/sleep_millisecs")
helper_pid=
top_pid=
unmerged_first=

# running PID: exists and is no zombie waiting to be reaped.
running() {
	state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -n "$state" ] && [ "$state" != Z ]
}

# stop PID: TERM, then KILL if it is still there after 5 s.
stop() {
	kill "$1" 2>/dev/null || return 0
	n=0
	while running "$1" && [ $n -lt 25 ]; do
		sleep 0.2
		n=$((n + 1))
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# Put back everything this test changed, on success, failure or signal.
restore() {
	[ -n "$top_pid" ] && stop "$top_pid"
	[ -n "$helper_pid" ] && stop "$helper_pid"
	echo "$saved_pages" > "$KSM/pages_to_scan"
	echo "$saved_sleep" > "$KSM/sleep_millisecs"
	# Found stopped with nothing merged (or emptied above): undo the merging of
	# other processes' pages (QEMU guests are mergeable) too, not only stop ksmd.
	if [ "$saved_run" = 0 ] && { [ "$saved_sharing" = 0 ] || [ -n "$unmerged_first" ]; }; then
		echo 2 > "$KSM/run"
	fi
	echo "$saved_run" > "$KSM/run"
	rm -rf "$tmp"
}
trap 'restore' EXIT
trap 'exit 1' INT TERM HUP

# Reads uksmtop's JSON lines (complete lines only: the last may be cut short).
cat > "$tmp/check.py" <<'EOF'
import json, sys

def samples(path):
    text = open(path).read()
    lines = text.split("\n")[:-1]
    out, bad = [], 0
    for line in lines:
        try:
            out.append(json.loads(line))
        except ValueError:
            bad += 1
    return out, bad

def dedup(s, key):
    v = s.get("dedup", {}).get(key)
    return v if isinstance(v, (int, float)) else None

mode, path = sys.argv[1], sys.argv[2]
region_kb = int(sys.argv[3]) if len(sys.argv) > 3 else 0
s, bad = samples(path)
if mode == "started":
    sys.exit(0 if s else 1)
first = s[0] if s else {}
if mode == "merged":
    # the helper's share of saved memory: the rise since the first sample
    if not s or dedup(first, "saved_kb") is None:
        sys.exit(1)
    rise = max((dedup(x, "saved_kb") or 0) for x in s) - dedup(first, "saved_kb")
    sys.exit(0 if rise >= 0.9 * region_kb else 1)
if mode == "report":
    sharing = [dedup(x, "pages_sharing") for x in s]
    saved = [dedup(x, "saved_kb") for x in s]
    last = s[-1] if s else {}
    print("samples=%d unparsable=%d" % (len(s), bad))
    print("backend=%s run=%s" % (last.get("dedup", {}).get("backend"), dedup(last, "run")))
    print("pages_sharing first=%s max=%s" % (sharing[0] if s else None,
          max((v for v in sharing if v is not None), default=None)))
    print("saved_kb first=%s max=%s" % (saved[0] if s else None,
          max((v for v in saved if v is not None), default=None)))
    print("pages_scanned last=%s full_scans last=%s scan_rate_pps last=%s" % (
          dedup(last, "pages_scanned"), dedup(last, "full_scans"), dedup(last, "scan_rate_pps")))
    sys.exit(0)
# single checks, by name
if mode == "parsable":
    sys.exit(0 if s and bad == 0 else 1)
if mode == "backend":
    sys.exit(0 if all(x.get("dedup", {}).get("backend") == "ksm" for x in s) else 1)
if mode == "run":
    sys.exit(0 if s and dedup(s[-1], "run") == 1 else 1)
if mode == "rises":
    v = [dedup(x, "pages_sharing") for x in s]
    sys.exit(0 if v and None not in v and max(v) > v[0] else 1)
if mode == "saved":
    v = [dedup(x, "saved_kb") for x in s if dedup(x, "saved_kb") is not None]
    sys.exit(0 if v and max(v) >= 0.9 * region_kb else 1)
if mode == "host":
    h = first.get("host", {})
    t, u = h.get("mem_total_kb"), h.get("mem_used_kb")
    sys.exit(0 if isinstance(t, int) and isinstance(u, int) and t > u > 0 else 1)
sys.exit(2)
EOF
jcheck() { python3 "$tmp/check.py" "$@" "$tmp/top.jsonl" "$region_kb"; }

# ksmd stopped with pages still counted: processes merged before it stopped, perhaps
# long gone (ksmd drops a dead process's share only while it runs). Seen on kernel 6.18:
# with such a share, the helper's pages merged (its ksm_merging_pages says so) while
# pages_sharing did not move at all. Unmerging everything first, as restore does after
# the test when it found KSM stopped and empty, gives the helper counters from zero.
if [ "$saved_run" = 0 ] && [ "$saved_sharing" != 0 ]; then
	echo "# KSM stopped with pages_sharing $saved_sharing: unmerging them first"
	echo 2 > "$KSM/run" || not_ok "unmerge the stale pages (run = 2)"
	echo 0 > "$KSM/run"
	unmerged_first=1
fi

# ksmd at its default pace needs minutes for 32 MiB; make it quick.
echo 5000 > "$KSM/pages_to_scan" || not_ok "speed up ksmd (pages_to_scan)"
echo 10 > "$KSM/sleep_millisecs" || not_ok "speed up ksmd (sleep_millisecs)"

page_kb=$(( $(getconf PAGESIZE) / 1024 ))
region_kb=$(( REGION_MIB * 1024 ))

# uksmtop first, so its first sample is taken before the helper's pages exist.
"$UKSMTOP" -b --dedup on -o json -d 0.5 -n 120 > "$tmp/top.jsonl" 2> "$tmp/top.err" &
top_pid=$!
check "uksmtop writes a first sample" wait_for 10 jcheck started

"$HELPER" "$REGION_MIB" > "$tmp/helper.out" &
helper_pid=$!
check "helper maps its ${REGION_MIB} MiB" wait_for 10 grep -q '^ready' "$tmp/helper.out"

check "ksmd merges the helper's pages (saved rises by >= 90% of ${region_kb} kB)" \
	wait_for 50 jcheck merged

# what the helper itself was told, independently of uksmtop
merging=$(sed -n 's/^ksm_merging_pages //p' "/proc/$helper_pid/ksm_stat" 2>/dev/null)
region_pages=$(( region_kb / page_kb ))
echo "helper ksm_merging_pages=${merging:-?} (region $region_pages pages)"
check "the kernel counts the helper's pages as merging" \
	[ "${merging:-0}" -ge $(( region_pages * 9 / 10 )) ]

stop "$top_pid"
top_pid=

jcheck report
check "every line is one JSON object" jcheck parsable
check "backend is ksm" jcheck backend
check "--dedup on left run = 1" jcheck run
check "pages_sharing rises" jcheck rises
check "saved_kb reaches 90% of the region" jcheck saved
check "host total > used > 0" jcheck host
if [ -s "$tmp/top.err" ]; then
	echo "uksmtop stderr:"
	sed 's/^/  /' "$tmp/top.err"
fi

done_testing
