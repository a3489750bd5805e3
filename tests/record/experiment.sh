#!/bin/sh
# experiment.sh - the example experiment (tests/demo/study-idle.ini, shortened: n = 2 LXC, 3-5 s phases) end to end on a demo of its own: recording, replay, damage, summary, plots, cleanup.
#
# Like tests/boot/storm_lxc.sh it makes its own bridge (uksmrtbr0, 10.213.81.0/24) and busybox
# source (uksm-rt-lxc, clones uksm-rt-lxc-N) with tests/demo/setup.sh; the trap removes them
# and puts KSM's run, pages_to_scan and sleep_millisecs back.
. "$top_srcdir/tests/record/common.sh"
need_root
. "$top_srcdir/tests/tui/tmux.sh"
for c in flock ip lxc-create lxc-ls gnuplot; do
	command -v "$c" >/dev/null 2>&1 || skip "$c not found (packages: util-linux iproute2 lxc gnuplot-nox)"
done
KSM=/sys/kernel/mm/ksm
[ -w "$KSM/run" ] || skip "no writable $KSM/run: the experiment turns merging off and on"
grep -q ksm_merge_any /proc/self/ksm_stat 2>/dev/null || skip "no ksm_merge_any in /proc/PID/ksm_stat (Linux 6.4+): containers would not be merged"

# One at a time with the other tests that boot, time and toggle KSM.
lock=/run/lock/uksmtop-integration.lock
[ -d /run/lock ] || lock=/tmp/uksmtop-integration.lock
exec 9>"$lock"
flock -w 1800 9 || skip "cannot take $lock"

BASE=uksm-rt
BRIDGE=uksmrtbr0
NET=10.213.81
DEMO=$top_srcdir/tests/demo/setup.sh
T=$rt_tmp
CFG=$T/uksmtop.ini
ksm_saved="$(cat $KSM/run) $(cat $KSM/pages_to_scan) $(cat $KSM/sleep_millisecs)"
made=

cleanup() {
	if [ -n "$made" ]; then
		"$UKSMTOP" -C "$CFG" --cleanup >/dev/null 2>&1
		sh "$DEMO" --remove --name "$BASE" --bridge "$BRIDGE" --net "$NET" --no-kvm "$CFG" >/dev/null 2>&1
	fi
	set -- $ksm_saved
	echo "$2" >"$KSM/pages_to_scan"
	echo "$3" >"$KSM/sleep_millisecs"
	echo "$1" >"$KSM/run"
	tm_cleanup
	rt_cleanup
}
trap cleanup EXIT

made=1
if ! sh "$DEMO" --name "$BASE" --bridge "$BRIDGE" --net "$NET" --no-kvm "$CFG" >"$T/setup.log" 2>&1; then
	sed 's/^/# /' "$T/setup.log"
	not_ok "tests/demo/setup.sh makes the LXC demo"
	done_testing
fi
clones() { lxc-ls -1 2>/dev/null | grep -E "^$BASE-lxc-[0-9]+\$"; }

# A quicker KSM, so a 5-second phase shows merging.
echo 5000 >"$KSM/pages_to_scan"
echo 10 >"$KSM/sleep_millisecs"

# ---- the example experiment, shortened --------------------------------------------------------

REC=$T/idle.jsonl.gz
SVG=$T/idle.svg
sed -e 's/^n = .*/n = 2/' -e "s|^record = .*|record = $REC|" -e "s|^plot = .*|plot = $SVG|" \
	-e '/^\[phase boot\]/,/^\[/s/^duration = .*/duration = 3/' -e 's/^duration = 60/duration = 5/' \
	"$top_srcdir/tests/demo/study-idle.ini" >"$T/idle.ini"
check "the shortened example keeps its phases boot, off, on" \
	test "$(grep -c '^\[phase \(boot\|off\|on\)\]$' "$T/idle.ini")" = 3
t0=$(date +%s)
"$UKSMTOP" -C "$CFG" --experiment "$T/idle.ini" >"$T/out.txt" 2>"$T/err.txt"
rc=$?
echo "# the experiment took $(( $(date +%s) - t0 )) s, exit $rc"
sed 's/^/# stderr: /' "$T/err.txt"
sed -n '/^Experiment/,$p' "$T/out.txt" | sed 's/^/# /'
check "the experiment exits 0" test "$rc" = 0
check "it announces its three phases" test "$(grep -c '^== phase [123]/3 ' "$T/out.txt")" = 3
check "it prints a line per sample" test "$(grep -c '^  \(boot\|off\|on\) .* overhead ' "$T/out.txt")" -ge 10
check "the summary compares the phases off and on" \
	grep -Eq '^Overhead: +[-+][0-9.]+ MiB with merging off \(off\), [-+][0-9.]+ MiB with merging on \(on\)' "$T/out.txt"
check "the summary has the pages, the ratio and the CPU cost" \
	sh -c "grep -q '^Pages: *shared .* sharing (saved) .* shared:sharing ' '$T/out.txt' && grep -q '^CPU cost: *ksmd ' '$T/out.txt'"
check "the summary has the boot: 2 of 2 ready" grep -Eq '^Boot: +2 of 2 ready in [0-9.]+ s' "$T/out.txt"
check "the clones were removed at the end (cleanup = yes)" test -z "$(clones)"

# The recording.
rec_kinds "$REC" | sed 's/^/# recording: /'
check "the recording is gzip" test "$(head -c 2 "$REC" | od -An -tx1 | tr -d ' \n')" = 1f8b
check "it holds the header, 3 phases, 1 boot result, 1 summary" \
	test "$(rec_kinds "$REC" | grep -v '^sample' | tr '\n' ' ')" = "boot 1 header 1 phase 3 summary 1 "
check "and at least 10 samples" test "$(kind_count "$REC" sample)" -ge 10
python3 - "$REC" >"$T/facts" 2>&1 <<'EOF'
import gzip, json, sys
lines = [json.loads(l) for l in gzip.open(sys.argv[1], "rt")]
head, rest = lines[0], lines[1:]
phase = None
runs = {}
inst = set()
events = []
for d in rest:
    if "phase" in d:
        phase = d["phase"]["name"]
    elif "time" in d:
        runs.setdefault(phase, set()).add(d["dedup"]["run"])
        if phase in ("off", "on"):
            inst.update(i["name"] for i in d["instances"] if i["state"] == "running" and i["type"] == "lxc")
        events += [e["what"] for e in d["events"]]
    elif "boot" in d:
        boot = d["boot"]
    elif "summary" in d:
        s = d["summary"]
print("experiment", head["experiment"]["name"], head["experiment"]["n"], ",".join(head["experiment"]["phases"]))
print("runs-off", sorted(runs.get("off", [])))
print("runs-on", sorted(runs.get("on", [])))
print("clones", " ".join(sorted(inst)))
print("dedup-events", events.count("dedup"))
print("boot", boot["mode"], boot["n"], sum(c["state"] == "ready" for c in boot["clones"]))
print("summary", s["before"], s["after"], s["boot"]["n"], s["boot"]["ready"],
      s["overhead_before_kb"] is not None, s["overhead_after_kb"] is not None)
print("sharing", s["pages_sharing_before"], s["pages_sharing_after"])
EOF
sed 's/^/# /' "$T/facts"
fact() { sed -n "s/^$1 //p" "$T/facts"; }
check "the header describes the experiment" test "$(fact experiment)" = "idle 2 boot,off,on"
check "merging was off (run 0) all through phase off" test "$(fact runs-off)" = "[0]"
check "and on (run 1) all through phase on" test "$(fact runs-on)" = "[1]"
check "the toggles are events of the samples (unmerge, off, on)" test "$(fact dedup-events)" -ge 3
check "the samples list both clones as running containers" test "$(fact clones)" = "$BASE-lxc-1 $BASE-lxc-2"
check "the boot result is recorded: a storm of 2, both ready" test "$(fact boot)" = "storm 2 2"
check "the summary line: before off, after on, boot 2 of 2, both overheads known" \
	test "$(fact summary)" = "off on 2 2 True True"
set -- $(fact sharing)
check "merging shared pages: pages sharing $1 with merging off, $2 with it on" test "$2" -gt "$1"

# Replay: the replayed figures are the recorded ones.
"$UKSMTOP" -r "$REC" -b -o json >"$T/replay.json" 2>"$T/err"
check "-r -b -o json exits 0" test $? = 0
a=$(sample_lines "$REC" | md5sum) b=$(sample_lines "$T/replay.json" | md5sum)
check "its samples are the recorded samples" test "$a" = "$b"
check "its boot, phase and summary lines are the recorded ones" \
	test "$(grep -c -e '^{"boot"' -e '^{"phase"' -e '^{"summary"' "$T/replay.json")" = 5
"$UKSMTOP" -r "$REC" -b -o csv >"$T/replay.csv"
python3 - "$REC" "$T/replay.csv" >"$T/csvcmp" 2>&1 <<'EOF'
import csv, gzip, json, sys
js = [json.loads(l) for l in gzip.open(sys.argv[1], "rt") if l.startswith('{"time"')]
rows = [r for r in csv.DictReader(l for l in open(sys.argv[2]) if not l.startswith(("kind,time,mode", "boot,", "clone,")))
        if r["kind"] == "host"]
def cell(v):
    return "" if v is None else str(v)
bad = 0
for j, r in zip(js, rows):
    for k in ("mem_used_kb", "overhead_kb"):
        bad += cell(j["host"][k]) != r["host." + k]
    for k in ("run", "pages_shared", "pages_sharing", "pages_scanned"):
        bad += cell(j["dedup"][k]) != r["dedup." + k]
print(len(js), len(rows), bad)
EOF
set -- $(cat "$T/csvcmp")
check "-r -b -o csv: a host row per sample ($1 samples, $2 rows), the same figures ($3 differ)" \
	sh -c "test '$1' = '$2' && test '$3' = 0"

# A recording cut short: it replays to the break and says where.
size=$(wc -c <"$REC")
head -c $((size * 2 / 3)) "$REC" >"$T/cut.jsonl.gz"
"$UKSMTOP" -r "$T/cut.jsonl.gz" -b -o json >"$T/cut.json" 2>"$T/err"
rc=$?
sed 's/^/# /' "$T/err"
n_cut=$(grep -c '^{"time"' "$T/cut.json")
check "a recording cut at 2/3: exit 1 and $n_cut samples, the first ones" \
	sh -c "test $rc = 1 && test $n_cut -ge 3 && test \"\$(grep '^{\"time\"' '$T/cut.json' | md5sum)\" = \"\$(grep '^{\"time\"' '$T/replay.json' | head -n $n_cut | md5sum)\""
check "... stderr says where it stopped" grep -Eq -- "--read: .*cut.jsonl.gz: line [0-9]+ \(byte [0-9]+.*; replayed $n_cut samples" "$T/err"

# The plots: the experiment drew the SVG; --plot draws a PNG from the recording.
check "the experiment drew $SVG, with its script and data" test -s "$SVG" -a -s "$T/idle.gp" -a -s "$T/idle-samples.dat" -a -s "$T/idle-boot.dat"
check "... a valid SVG" python3 -c "import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])" "$SVG"
svg_series "$SVG" >"$T/series"
sed 's/^/# series: /' "$T/series"
check "... 7 series: overhead; shared, sharing; ksmd CPU, scan rate; LXC boot time and CPU" \
	test "$(wc -l <"$T/series")" = 7
for title in overhead "pages shared" "pages sharing (saved)" "ksmd CPU %" "scan rate" "LXC boot time" "LXC host CPU mean"; do
	check "... '$title' is one" grep -q " $title\$" "$T/series"
done
check "... the merging toggle is marked" grep -q '>merging on<' "$SVG"
check "... and the phases" sh -c "grep -q '>off<' '$SVG' && grep -q '>on<' '$SVG'"
"$UKSMTOP" -r "$REC" --plot "$T/idle.png" >/dev/null 2>"$T/err"
check "--plot FILE.png from the recording: a PNG" png_ok "$T/idle.png"

# --boot-storm with -w: the boot result goes into the recording, then the samples.
"$UKSMTOP" -C "$CFG" --boot-storm 1 --template demo-lxc --cleanup-after -b -n 2 -d 0.2 -o json -w "$T/storm.jsonl" \
	>"$T/storm.out" 2>"$T/err"
rc=$?
sed 's/^/# stderr: /' "$T/err"
check "--boot-storm 1 -w FILE -b -n 2 exits 0" test "$rc" = 0
check "... the recording holds the storm and 2 samples" \
	test "$(rec_kinds "$T/storm.jsonl" | tr '\n' ' ')" = "boot 1 header 1 sample 2 "
check "... the storm's line is the one printed" \
	test "$(grep '^{"boot"' "$T/storm.jsonl")" = "$(grep '^{"boot"' "$T/storm.out")"
check "... --cleanup-after removed the clone" test -z "$(clones)"

# -w in the view: u toggles merging, t times a storm; the recording has both.
echo 0 >"$KSM/run"
tm_start 120 40 "" -C "$CFG" --no-libvirt -d 0.5 -w "$T/view.jsonl"
check "the view comes up, recording" tm_wait "^NAME " 10
tm_keys u
tm_wait "\(y/n\)" 5 >/dev/null
tm_keys y
check "u y turns merging on" tm_wait "ksm +ON" 10
tm_keys t Enter 1 Enter
check "t: a storm of 1 ends with its result panel" tm_wait "Boot storm of demo-lxc \(lxc, 1 clone\): done" 60
tm_keys Space
sleep 1
tm_keys q
wait_for 5 tm_exited
check "q: exit 0" test "$(tm_exit_status)" = 0
rec_kinds "$T/view.jsonl" | sed 's/^/# view recording: /'
check "the view's recording holds the storm's result" test "$(kind_count "$T/view.jsonl" boot)" = 1
python3 - "$T/view.jsonl" >"$T/toggle" <<'EOF'
import json, sys
runs, events = [], 0
for l in open(sys.argv[1]):
    d = json.loads(l)
    if "time" in d:
        runs.append(d["dedup"]["run"])
        events += sum(e["what"] == "dedup" for e in d["events"])
i = runs.index(1) if 1 in runs else -1
print("yes" if 0 < i and set(runs[:i]) == {0} and set(runs[i:]) == {1} and events == 1 else "no", runs[:3], events)
EOF
sed 's/^/# toggle: /' "$T/toggle"
check "... and the merging toggle: samples with run 0, then 1, and one dedup event" grep -q '^yes' "$T/toggle"
"$UKSMTOP" -C "$CFG" --cleanup >/dev/null 2>&1
check "--cleanup removes the view's clone" test -z "$(clones)"
done_testing
