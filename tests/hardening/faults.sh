#!/bin/sh
# faults.sh - faults injected during runs at -d 0.05: a guest's QEMU killed with SIGKILL, a
# container destroyed, libvirtd killed with SIGKILL and started again, and (in a second run on a
# copy of a fixture tree) sysfs files that disappear and come back. Each run goes on, says each
# fault once, recovers its figures, writes only whole JSON lines and exits 0 on SIGTERM.
# With a sanitizer build beside this one (tests/run.sh's _build/asan), it runs too.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hardening/common.sh"

need_root
[ -x "$UKSMTOP" ] || skip "no uksmtop binary at $UKSMTOP"
hd_need python3 python3
hd_lock
hd_instances 2 2
# Whatever happens below, libvirtd is running again before the instances go.
hd_at_exit 'assets ensure-daemons >/dev/null 2>&1'

faults=0
# fault WHAT: count it, and note when it came (to tell which fault a slow sample followed).
fault() {
	faults=$((faults + 1))
	echo "# fault $faults: $*"
	echo "$(date +%s.%N) $*" >>"$hd_tmp/marks"
}

# q WHAT FILE ARGS...: a question about the last whole line of a run's output; the exit status answers.
cat >"$hd_tmp/q.py" <<'EOF'
import json, sys
what, path, args = sys.argv[1], sys.argv[2], sys.argv[3:]
lines = open(path, "rb").read().split(b"\n")[:-1]
if not lines:
    sys.exit(1)
d = json.loads(lines[-1])
rows = {i["name"]: i for i in d["instances"]}
if what == "running":       # NAME...: each listed and running
    sys.exit(0 if all(rows.get(n, {}).get("state") == "running" for n in args) else 1)
if what == "stopped":       # NAME: listed, not running, no pid
    r = rows.get(args[0])
    sys.exit(0 if r and r["state"] != "running" and not r["pid"] else 1)
if what == "absent":        # NAME...: none of them listed
    sys.exit(0 if not set(args) & set(rows) else 1)
if what == "null":          # FIELD...: each dedup figure null
    sys.exit(0 if all(d["dedup"][f] is None for f in args) else 1)
if what == "known":         # FIELD...: each dedup figure known
    sys.exit(0 if all(d["dedup"][f] is not None for f in args) else 1)
sys.exit(2)
EOF
q() { python3 "$hd_tmp/q.py" "$@" 2>/dev/null; }
lines() { wc -l <"$1"; }

# The sysfs run: a copy of the uKSM fixture tree, whose files this test takes away.
fx=$hd_tmp/sysfs
cp -r "$top_srcdir/tests/fixtures/sysfs-uksm" "$fx"
ud=$fx/kernel/mm/uksm
mkdir "$hd_tmp/away"

a=$hd_tmp/instances.json
b=$hd_tmp/sysfs.json
"$UKSMTOP" -b -o json -d 0.05 >"$a" 2>"$a.err" &
pa=$!
"$UKSMTOP" -b -o json -d 0.05 --no-libvirt --no-lxc --sysfs-root "$fx" >"$b" 2>"$b.err" &
pb=$!
asan=$top_builddir/../asan/uksmtop
pc=
if [ -x "$asan" ]; then
	c=$hd_tmp/asan.json
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "$asan" -b -o json -d 0.05 >"$c" 2>"$c.err" &
	pc=$!
	echo "# the sanitizer build ($asan) runs beside"
fi
hd_at_exit "kill $pa $pb $pc 2>/dev/null"

check "every instance listed before the faults" wait_for 30 q running "$a" uksmtest-g1 uksmtest-g2 uksmtest-c1 uksmtest-c2
check "the sysfs run has its figures before the faults" wait_for 10 q known "$b" run pages_scanned
[ -n "$pc" ] && check "the sanitizer run lists every instance" wait_for 60 q running "$c" uksmtest-g1 uksmtest-c1

# ---- a guest's QEMU killed ----------------------------------------------------------------
gpid=$(guest_pid uksmtest-g1)
fault "uksmtest-g1's QEMU (pid $gpid) killed with SIGKILL"
kill -KILL "$gpid"
check "uksmtest-g1 is shown stopped, without a pid" wait_for 20 q stopped "$a" uksmtest-g1
mark_g1=$(lines "$a")

# ---- a container destroyed ------------------------------------------------------------------
fault "uksmtest-c1 stopped (lxc-stop -k) and destroyed (lxc-destroy)"
lxc-stop -k -n uksmtest-c1 >/dev/null 2>&1
lxc-destroy -n uksmtest-c1 >/dev/null 2>&1
check "uksmtest-c1's row is gone" wait_for 20 q absent "$a" uksmtest-c1
mark_c1=$(lines "$a")

# ---- a sysfs attribute disappears --------------------------------------------------------------
fault "pages_scanned removed from the uKSM tree"
mv "$ud/pages_scanned" "$hd_tmp/away/"
check "pages_scanned becomes null" wait_for 10 q null "$b" pages_scanned

# ---- libvirtd killed ---------------------------------------------------------------------------
lpid=$(cat /run/libvirtd.pid 2>/dev/null || pgrep -o -x libvirtd)
check "libvirtd's pid is known" test -n "$lpid"
fault "libvirtd (pid $lpid) killed with SIGKILL"
kill -KILL "$lpid"
check "the guests' rows go while libvirtd is gone" wait_for 20 q absent "$a" uksmtest-g1 uksmtest-g2
check "the containers stay while libvirtd is gone" q running "$a" uksmtest-c2

# ---- then the run file too ------------------------------------------------------------------------
fault "run removed from the uKSM tree"
mv "$ud/run" "$hd_tmp/away/"
check "run becomes null" wait_for 10 q null "$b" run pages_scanned

# ---- recovery ----------------------------------------------------------------------------------------
sleep 1
echo "$(date +%s.%N) libvirtd started again" >>"$hd_tmp/marks"
echo "# libvirtd started again"
assets ensure-daemons
check "uksmtest-g2 is listed again after libvirtd is back" wait_for 30 q running "$a" uksmtest-g2
check "uksmtest-g1 is listed again, stopped" wait_for 10 q stopped "$a" uksmtest-g1
echo "# the sysfs files put back"
mv "$hd_tmp/away/pages_scanned" "$hd_tmp/away/run" "$ud/"
check "the sysfs figures come back" wait_for 10 q known "$b" run pages_scanned
sleep 1
if [ -n "$pc" ]; then
	check "the sanitizer run lists uksmtest-g2 again" wait_for 60 q running "$c" uksmtest-g2
fi

check "the instances run is alive after every fault" kill -0 "$pa"
check "the sysfs run is alive after every fault" kill -0 "$pb"
kill -TERM "$pa" "$pb" $pc
wait "$pa"; ra=$?
wait "$pb"; rb=$?
check "the instances run exits 0 on SIGTERM (got $ra)" test "$ra" = 0
check "the sysfs run exits 0 on SIGTERM (got $rb)" test "$rb" = 0
check "the instances run wrote nothing on stderr" test ! -s "$a.err"
check "the sysfs run wrote nothing on stderr" test ! -s "$b.err"
hd_show "$a.err" "stderr: "
hd_show "$b.err" "stderr: "
if [ -n "$pc" ]; then
	wait "$pc"; rc=$?
	check "the sanitizer run exits 0 on SIGTERM (got $rc)" test "$rc" = 0
	check "the sanitizer run reports nothing" test ! -s "$c.err"
	hd_show "$c.err" "asan: "
fi
echo "# $faults faults injected; $(lines "$a") + $(lines "$b") samples written"

gpid2=$(guest_pid uksmtest-g2)
cpid2=$(container_pid uksmtest-c2)
python3 - "$a" "$mark_g1" "$mark_c1" "$gpid2" "$cpid2" "$hd_tmp/marks" >"$hd_tmp/verdicts" <<'EOF'
import calendar, datetime, json, sys
path, mark_g1, mark_c1, gpid2, cpid2 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4] or 0), int(sys.argv[5] or 0)
marks = [(float(l.split(" ", 1)[0]), l.split(" ", 1)[1].strip()) for l in open(sys.argv[6])]
def say(good, desc):
    print(("ok " if good else "not_ok ") + desc)
raw = open(path).read()
say(raw.endswith("\n"), "instances run: the output ends with a whole line")
try:
    s = [json.loads(l) for l in raw.splitlines()]
except ValueError as e:
    say(False, "instances run: every line is JSON (%s)" % e); sys.exit(0)
say(True, "instances run: every one of %d lines is JSON" % len(s))
def when(d):
    return calendar.timegm(datetime.datetime.strptime(d["time"], "%Y-%m-%dT%H:%M:%S.%fZ").utctimetuple()) + int(d["time"][20:23]) / 1000.0
gaps = sorted(((when(y) - when(x), when(x)) for x, y in zip(s, s[1:])), reverse=True)
for g, t in gaps[:3]:
    after = [m for m in marks if m[0] <= t + g]
    print("# gap of %.2f s after the sample at %.2f; the last fault before: %s" % (g, t, "%s (%.2f s before the gap)" % (after[-1][1], t - after[-1][0]) if after else "none"))
# libvirtd holds a domain's lock for 1.5 to 4 s while it tears a killed QEMU down; the listing
# that waits for it runs on the libvirt backend's own thread, so no sample may wait: a gap of a
# second at -d 0.05 would be uksmtop's own stall.
say(gaps[0][0] < 1, "instances run: no sample came more than 1 s after the previous (max %.2f s)" % gaps[0][0])
ev = [e for d in s for e in d["events"]]
for e in ev:
    print("# event: %s | %s" % (e["what"], e["detail"]))
down = [e for e in ev if e["detail"].startswith("libvirt:") and "again" not in e["detail"]]
up = [e for e in ev if e["detail"].startswith("libvirt") and "again" in e["detail"]]
say(len(down) == 1, "libvirt unreachable: said once (got %d)" % len(down))
say(len(up) == 1, "libvirt back: said once (got %d)" % len(up))
say(len(ev) == len(set(e["detail"] for e in ev)), "no event said twice")
rows = [{i["name"]: i for i in d["instances"]} for d in s]
late_g1 = [r.get("uksmtest-g1") for r in rows[mark_g1:]]
say(all(r is None or (r["state"] != "running" and not r["pid"]) for r in late_g1),
    "uksmtest-g1 never shown running after its QEMU was killed")
say(all("uksmtest-c1" not in r for r in rows[mark_c1:]), "uksmtest-c1 never listed after it was destroyed")
c2 = [r.get("uksmtest-c2") for r in rows]
say(all(r and r["state"] == "running" and r["pid"] == cpid2 for r in c2),
    "uksmtest-c2 listed running with pid %d in every sample, libvirtd's outage notwithstanding" % cpid2)
g2 = rows[-1].get("uksmtest-g2") or {}
say(g2.get("state") == "running" and g2.get("pid") == gpid2 and isinstance(g2.get("rss_kb"), int),
    "uksmtest-g2 back with its figures after the restart: pid %d (got %s, rss %s)" % (gpid2, g2.get("pid"), g2.get("rss_kb")))
g1 = rows[-1].get("uksmtest-g1") or {}
say(g1.get("state") == "shut off", "uksmtest-g1 shut off at the end (got %s)" % g1.get("state"))
EOF
verdicts "$hd_tmp/verdicts"

python3 - "$b" "$(cat "$ud/run")" "$(cat "$ud/pages_scanned")" >"$hd_tmp/verdicts" <<'EOF'
import json, sys
path, run, scanned = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def say(good, desc):
    print(("ok " if good else "not_ok ") + desc)
raw = open(path).read()
say(raw.endswith("\n"), "sysfs run: the output ends with a whole line")
try:
    s = [json.loads(l) for l in raw.splitlines()]
except ValueError as e:
    say(False, "sysfs run: every line is JSON (%s)" % e); sys.exit(0)
say(True, "sysfs run: every one of %d lines is JSON" % len(s))
ev = [e for d in s for e in d["events"]]
for e in ev:
    print("# event: %s | %s" % (e["what"], e["detail"]))
gone = lambda f: [e for e in ev if "no longer readable" in e["detail"] and f in e["detail"].split(" no longer")[0]]
back = lambda f: [e for e in ev if "readable again" in e["detail"] and f in e["detail"]]
for f in ("pages_scanned", "run"):
    say(len(gone(f)) == 1, "sysfs run: %s gone, said once (got %d)" % (f, len(gone(f))))
    say(len(back(f)) == 1, "sysfs run: %s back, said once (got %d)" % (f, len(back(f))))
other = [e for e in ev if "no longer readable" not in e["detail"] and "readable again" not in e["detail"]]
say(not other, "sysfs run: no other event (got %d)" % len(other))
say(any(d["dedup"]["run"] is None for d in s), "sysfs run: run was null while its file was away")
last = s[-1]["dedup"]
say(last["run"] == run and last["pages_scanned"] == scanned,
    "sysfs run: run and pages_scanned back to the files' %d and %d (got %s, %s)" % (run, scanned, last["run"], last["pages_scanned"]))
say(last["scan_rate_pps"] is not None, "sysfs run: the scan rate is measured again (got %s)" % last["scan_rate_pps"])
EOF
verdicts "$hd_tmp/verdicts"

if [ -n "$pc" ]; then
	python3 -c '
import json, sys
raw = open(sys.argv[1]).read()
n = sum(1 for l in raw.splitlines() if json.loads(l))
print(("ok" if raw.endswith("\n") else "not_ok") + " sanitizer run: %d whole JSON lines" % n)
' "$c" >"$hd_tmp/verdicts" 2>&1 || echo "not_ok sanitizer run: every line is JSON" >>"$hd_tmp/verdicts"
	verdicts "$hd_tmp/verdicts"
fi
done_testing
