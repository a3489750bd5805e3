# batch.sh - batch mode against fixture sysfs trees: every format parsed back, rates,
# baselines, the run-state switch, a closed pipe and SIGTERM.
. "$top_srcdir/tests/lib.sh"

tmp=$(mktemp -d)
trap 'umount "$tmp/full" 2>/dev/null; rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state"
fixtures="$top_srcdir/tests/fixtures"
run() { "$UKSMTOP" -b --no-libvirt --no-lxc "$@"; }

# py SCRIPT FILE: run a python check over FILE; its exit status is the verdict.
py() { python3 -c "$1" "$2"; }

# ---- JSON: names, nulls on the first sample, the N * 2^B expansion ----
run -o json -n 3 -d 0.05 --sysfs-root "$fixtures/sysfs-uksm-shifted" >"$tmp/j" 2>"$tmp/err"
check "json run exits 0" test $? = 0
check "json: 3 lines, each an object with exactly the documented names" py '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 3, len(lines)
for l in lines:
    o = json.loads(l)
    assert set(o) >= {"time", "interval_s", "host", "dedup", "instances", "events"}, set(o)
    assert set(o["host"]) == {"mem_total_kb", "mem_used_kb", "baseline_kb", "baseline_source", "overhead_kb", "cpu_pct"}, o["host"]
    assert set(o["dedup"]) == {"backend", "run", "pages_shared", "pages_sharing", "pages_unshared", "pages_volatile", "pages_scanned", "full_scans", "scan_rate_pps", "cpu_pct", "saved_kb"}, o["dedup"]
    assert o["time"].endswith("Z") and len(o["time"]) == 24, o["time"]
' "$tmp/j"
check "json: uksm figures, pages_scanned N * 2^B expanded, saved_kb from pages_sharing" py '
import json, os, sys
o = json.loads(open(sys.argv[1]).readline())
d = o["dedup"]
page_kb = os.sysconf("SC_PAGESIZE") // 1024
assert d["backend"] == "uksm", d
assert d["pages_scanned"] == 1717986918 << 4, d["pages_scanned"]
assert d["pages_shared"] == 40960 and d["pages_sharing"] == 401408, d
assert d["pages_volatile"] is None, d
assert d["saved_kb"] == 401408 * page_kb, d
' "$tmp/j"
check "json: the first sample has null rates, later ones are measured" py '
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
assert s[0]["interval_s"] is None and s[0]["dedup"]["scan_rate_pps"] is None, s[0]
assert s[0]["host"]["cpu_pct"] is None, s[0]["host"]
assert 0.02 < s[1]["interval_s"] < 1.0, s[1]["interval_s"]
assert s[1]["dedup"]["scan_rate_pps"] == 0.0, s[1]["dedup"]  # a fixture does not move
assert s[1]["host"]["cpu_pct"] is not None and 0 <= s[1]["host"]["cpu_pct"] <= 100
' "$tmp/j"
check "json: host figures are the kernel's (used = total - available)" py '
import json, sys
o = json.loads(open(sys.argv[1]).readline())
h = o["host"]
mi = dict(l.split(":", 1) for l in open("/proc/meminfo"))
total = int(mi["MemTotal"].split()[0]); avail = int(mi["MemAvailable"].split()[0])
assert h["mem_total_kb"] == total, (h, total)
assert abs(h["mem_used_kb"] - (total - avail)) < 65536, (h, total - avail)
assert h["baseline_source"] == "auto" and h["baseline_kb"] == h["mem_used_kb"] and h["overhead_kb"] == 0, h
' "$tmp/j"

# ---- CSV: one header, rows of kind host, parsed by a CSV reader, same figures ----
run -o csv -n 2 -d 0.05 --sysfs-root "$fixtures/sysfs-uksm-shifted" --baseline 100 >"$tmp/c" 2>"$tmp/err"
check "csv: parsed back, one header, same column count, kind host" py '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
head = rows[0]
assert head[0] == "kind" and "dedup.pages_scanned" in head and "host.baseline_source" in head, head
assert all(len(r) == len(head) for r in rows), [len(r) for r in rows]
body = [dict(zip(head, r)) for r in rows[1:]]
hosts = [r for r in body if r["kind"] == "host"]
assert len(hosts) == 2, body
assert hosts[0]["dedup.pages_scanned"] == str(1717986918 << 4)
assert hosts[0]["host.baseline_kb"] == "102400" and hosts[0]["host.baseline_source"] == "manual"
assert hosts[0]["interval_s"] == "" and hosts[1]["interval_s"] != ""
assert sum(1 for r in rows if r[0] == "kind") == 1
' "$tmp/c"

# ---- text: one block per sample, a blank line between ----
run -n 2 -d 0.05 --sysfs-root "$fixtures/sysfs-uksm" >"$tmp/t" 2>"$tmp/err"
check "text: two blocks separated by a blank line" py '
import sys
blocks = open(sys.argv[1]).read().strip("\n").split("\n\n")
assert len(blocks) == 2, blocks
for b in blocks:
    assert b.startswith("uksmtop - "), b
    assert "Dedup: uksm, run 1" in b, b
    assert "baseline" in b and "(auto)" in b, b
' "$tmp/t"

# ---- detection: uksm before ksm, else none ----
run -o json -n 1 --sysfs-root "$fixtures/sysfs-both" >"$tmp/o"
check "uksm is preferred when both exist" grep -q '"backend":"uksm"' "$tmp/o"
run -o json -n 1 --sysfs-root "$fixtures/sysfs-ksm" >"$tmp/o"
check "ksm is found" grep -q '"backend":"ksm"' "$tmp/o"
run -o json -n 1 --sysfs-root "$fixtures/sysfs-none" >"$tmp/o"
check "none: all merging figures null, an event says why" py '
import json, sys
o = json.loads(open(sys.argv[1]).readline())
d = o["dedup"]
assert d["backend"] == "none" and all(d[k] is None for k in d if k != "backend"), d
assert any(e["what"] == "backend" and "no merging daemon" in e["detail"] for e in o["events"]), o["events"]
' "$tmp/o"

# ---- baselines: manual from the option, stored by --baseline-now and reused ----
run -o json -n 1 --sysfs-root "$fixtures/sysfs-ksm" --baseline 500 >"$tmp/o"
check "--baseline MB has source manual" grep -q '"baseline_kb":512000,"baseline_source":"manual"' "$tmp/o"
run -o json -n 1 --sysfs-root "$fixtures/sysfs-ksm" --baseline-now >"$tmp/o"
check "--baseline-now stores the baseline" test -s "$XDG_STATE_HOME/uksmtop/baseline"
stored=$(sed -n 's/^baseline_kb = //p' "$XDG_STATE_HOME/uksmtop/baseline")
run -o json -n 1 --sysfs-root "$fixtures/sysfs-ksm" >"$tmp/o"
check "a later run reuses the stored baseline as manual" grep -q "\"baseline_kb\":$stored,\"baseline_source\":\"manual\"" "$tmp/o"
run -o json -n 1 --secure --baseline-now --sysfs-root "$fixtures/sysfs-ksm" >"$tmp/o" 2>"$tmp/err"
check "--secure refuses --baseline-now, exit 2" test $? = 2
check "--secure names the refusal" grep -q "secure mode" "$tmp/err"

# ---- the run state: set before sampling, an event in the log ----
cp -r "$fixtures/sysfs-uksm" "$tmp/rw"
run_file="$tmp/rw/kernel/mm/uksm/run"
echo 0 >"$run_file"
if [ "$(id -u)" = 0 ]; then
	run -o json -n 1 --dedup on --sysfs-root "$tmp/rw" >"$tmp/o" 2>"$tmp/err"
	check "--dedup on exits 0" test $? = 0
	check "--dedup on wrote 1" test "$(cat "$run_file")" = 1
	check "the change is an event, and the sample shows run 1" py '
import json, sys
o = json.loads(open(sys.argv[1]).readline())
assert o["dedup"]["run"] == 1, o["dedup"]
assert any(e["what"] == "dedup" and "on" in e["detail"] for e in o["events"]), o["events"]
' "$tmp/o"
	run -o json -n 1 --dedup unmerge --sysfs-root "$tmp/rw" >"$tmp/o" 2>"$tmp/err"
	check "uKSM has no unmerge: exit 2 with a message" sh -c "test $? = 2 && grep -q unmerge '$tmp/err'"
	check "a refused unmerge leaves run as it was" test "$(cat "$run_file")" = 1
	# Without permission: one line saying root is needed, exit 2, nothing changed.
	echo 0 >"$run_file"
	chmod 644 "$run_file"
	chmod -R a+rX "$tmp"
	setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$tmp" XDG_STATE_HOME="$tmp/nobody" \
		"$UKSMTOP" -b --no-libvirt --no-lxc -n 1 --dedup on --sysfs-root "$tmp/rw" >"$tmp/o" 2>"$tmp/err"
	st=$?
	check "--dedup without permission exits 2" test "$st" = 2
	check "--dedup without permission says root is needed, in one line" \
		sh -c "grep -qi 'root' '$tmp/err' && test \$(wc -l <'$tmp/err') = 1"
	check "--dedup without permission writes no sample" test ! -s "$tmp/o"
	check "--dedup without permission leaves run unchanged" test "$(cat "$run_file")" = 0
elif [ "${CI:-}" = true ]; then
	not_ok "the run-state tests need root, and CI runs as root"
fi

# ---- a closed pipe ends quietly with status 0 ----
( "$UKSMTOP" -b --no-libvirt --no-lxc -d 0.05 --sysfs-root "$fixtures/sysfs-ksm" 2>"$tmp/err"; echo $? >"$tmp/st" ) | head -1 >/dev/null
check "a closed pipe: status 0" test "$(cat "$tmp/st")" = 0
check "a closed pipe: nothing on stderr" test ! -s "$tmp/err"

# ---- a full disk: a clear message, status 1, no partial line left behind ----
if [ "$(id -u)" = 0 ]; then
	mkdir -p "$tmp/full"
	if mount -t tmpfs -o size=16k uksmtest-full "$tmp/full"; then
		timeout 60 "$UKSMTOP" -b --no-libvirt --no-lxc -o json -d 0.05 --sysfs-root "$fixtures/sysfs-ksm" \
			>"$tmp/full/out" 2>"$tmp/err"
		st=$?
		check "a full disk: status 1" test "$st" = 1
		check "a full disk: the message says so" grep -q "cannot write the output: No space left on device" "$tmp/err"
		check "a full disk: only whole JSON lines are left" py '
import json, sys
text = open(sys.argv[1]).read()
assert text.endswith("\n") and len(text) > 1000, len(text)
for l in text.splitlines(): json.loads(l)
' "$tmp/full/out"
		umount "$tmp/full"
	else
		not_ok "cannot mount a small tmpfs for the full-disk test"
	fi
fi

# ---- SIGTERM and SIGINT end the run after the current sample, output complete ----
for sig in TERM INT; do
	"$UKSMTOP" -b --no-libvirt --no-lxc -o json -d 0.05 --sysfs-root "$fixtures/sysfs-ksm" >"$tmp/s" 2>"$tmp/err" &
	pid=$!
	wait_for 10 sh -c "test \$(wc -l <'$tmp/s') -ge 3"
	kill -$sig $pid
	wait $pid
	check "SIG$sig: status 0" test $? = 0
	check "SIG$sig: every line is complete JSON" py '
import json, sys
lines = open(sys.argv[1]).read().split("\n")
assert lines[-1] == "", "last line not terminated"
assert len(lines) >= 4
for l in lines[:-1]: json.loads(l)
' "$tmp/s"
done

done_testing
