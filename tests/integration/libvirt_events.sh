#!/bin/sh
# libvirt_events.sh - the libvirt listing follows lifecycle events off the sample path: during a run at
# -d 0.2 a transient guest shows within 2 s of virsh create and goes within 2 s of virsh destroy, and
# samples keep their pace while libvirtd is frozen (SIGSTOP) for 3 s.
. "$top_srcdir/tests/integration/common.sh"

GUEST=uksmtest-e1
LATE=2.0     # seconds from virsh returning to the first sample that shows it
FREEZE=3     # seconds libvirtd stays stopped
MAX_GAP=0.6  # the longest gap allowed between samples at -d 0.2
frozen=

# libvirtd must never stay frozen, whatever happens below.
it_events_cleanup() {
	[ -n "$frozen" ] && kill -CONT "$frozen" 2>/dev/null
	it_cleanup
}
trap it_events_cleanup EXIT

setup 1 0
out=$it_tmp/run.json
marks=$it_tmp/marks
: >"$marks"
mark() { echo "$(date +%s.%N) $*" >>"$marks"; }

# listed NAME STATE: the last sample lists NAME in STATE ("absent": does not list it).
listed() {
	python3 - "$out" "$1" "$2" <<'EOF'
import json, sys
path, name, want = sys.argv[1:4]
lines = open(path, "rb").read().split(b"\n")[:-1]
if not lines:
    sys.exit(1)
rows = {i["name"]: i for i in json.loads(lines[-1])["instances"]}
sys.exit(0 if (name not in rows if want == "absent" else rows.get(name, {}).get("state") == want) else 1)
EOF
}

"$UKSMTOP" -b -o json -d 0.2 -n 1000 --no-lxc >"$out" 2>"$out.err" &
it_bg=$!
wait_for 30 listed uksmtest-g1 running
check "uksmtest-g1 is listed running before the events" listed uksmtest-g1 running
check "$GUEST is not listed before it starts" listed "$GUEST" absent

# ---- a transient guest started, then destroyed ------------------------------------------------
assets start-transient "$GUEST" || { not_ok "transient guest $GUEST starts"; done_testing; }
mark created
gpid=$(guest_pid "$GUEST")
wait_for 10 listed "$GUEST" running
sleep 1
virsh -q -c qemu:///system destroy "$GUEST" >/dev/null || not_ok "virsh destroy $GUEST"
mark destroyed
wait_for 10 listed "$GUEST" absent
sleep 1

# ---- libvirtd frozen ---------------------------------------------------------------------------
lpid=$(pgrep -n -x -r R,S,D libvirtd)
check "libvirtd's pid is known" test -n "$lpid"
mark stop
frozen=$lpid
kill -STOP "$lpid"
sleep "$FREEZE"
kill -CONT "$lpid"
frozen=
mark cont
check "uksmtop is alive after libvirtd was frozen" kill -0 "$it_bg"
check "uksmtest-g1 is listed running again after libvirtd thaws" wait_for 30 listed uksmtest-g1 running
sleep 1

kill -TERM "$it_bg"
wait "$it_bg"
rc=$?
it_bg=
check "the run exits 0 on SIGTERM (got $rc)" test "$rc" = 0
check "nothing on stderr" test ! -s "$out.err"
[ -s "$out.err" ] && sed 's/^/# stderr: /' "$out.err"

python3 - "$out" "$marks" "$GUEST" "${gpid:-0}" "$(guest_pid uksmtest-g1)" "$LATE" "$FREEZE" "$MAX_GAP" \
	>"$it_tmp/verdicts" <<'EOF'
import calendar, datetime, json, sys
path, marks_path, guest = sys.argv[1:4]
gpid, g1pid = int(sys.argv[4] or 0), int(sys.argv[5] or 0)
late, freeze, max_gap = map(float, sys.argv[6:9])
marks = {l.split()[1]: float(l.split()[0]) for l in open(marks_path)}

def say(good, desc):
    print(("ok " if good else "not_ok ") + desc)

def when(d):
    t = datetime.datetime.strptime(d["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
    return calendar.timegm(t.utctimetuple()) + t.microsecond / 1e6

s = [json.loads(l) for l in open(path) if l.strip()]
say(len(s) > 0, "%d samples written" % len(s))
if not s:
    sys.exit(0)
rows = [(when(d), {i["name"]: i for i in d["instances"]}) for d in s]

# (a) The guest shows, with its QEMU, soon after virsh create returns...
shown = [(t, r[guest]) for t, r in rows if guest in r]
first = shown[0][0] - marks["created"] if shown else float("inf")
say(first <= late, "%s first listed %.2f s after virsh create returned (at most %.1f)" % (guest, first, late))
before = [r for t, r in shown if t < marks["destroyed"]]
row = before[-1] if before else {}
say(row.get("state") == "running" and row.get("pid") == gpid,
    "%s listed running with its QEMU, pid %d (got %s, %s)" % (guest, gpid, row.get("state"), row.get("pid")))
# ...and goes soon after virsh destroy returns, for good.
last = shown[-1][0] - marks["destroyed"] if shown else float("-inf")
say(last <= late, "%s last listed %.2f s after virsh destroy returned (at most %.1f)" % (guest, last, late))
after = [t for t, r in rows if t > marks["destroyed"] + late]
say(len(after) > 0, "samples came after that (%d)" % len(after))

# (b) Frozen libvirtd: the samples keep their pace.
win = [t for t, r in rows if marks["stop"] - 1 <= t <= marks["cont"] + 1]
gaps = [b - a for a, b in zip(win, win[1:])]
worst = max(gaps) if gaps else float("inf")
say(worst <= max_gap, "no gap between samples above %.1f s around the freeze (max %.2f s)" % (max_gap, worst))
during = [t for t in win if marks["stop"] <= t <= marks["cont"]]
say(len(during) >= int(freeze / 0.2 * 0.8),
    "%d samples while libvirtd was stopped for %.0f s" % (len(during), freeze))
g1 = rows[-1][1].get("uksmtest-g1", {})
say(g1.get("state") == "running" and g1.get("pid") == g1pid,
    "uksmtest-g1 running with pid %d at the end (got %s, %s)" % (g1pid, g1.get("state"), g1.get("pid")))

# A keepalive may give the frozen daemon up: then each outage is said once and so is its end.
ev = [e for d in s for e in d.get("events", [])]
for e in ev:
    print("# event: %s | %s" % (e.get("what"), e.get("detail")))
down = [e for e in ev if e["detail"].startswith("libvirt:") and "again" not in e["detail"]]
up = [e for e in ev if e["detail"].startswith("libvirt") and "again" in e["detail"]]
say(len(down) <= 1 and len(up) == len(down),
    "libvirt unreachable said %d time(s), connected again %d time(s)" % (len(down), len(up)))
EOF
verdicts "$it_tmp/verdicts"
done_testing
