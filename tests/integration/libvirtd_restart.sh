#!/bin/sh
# libvirtd_restart.sh - libvirtd killed during a batch run and started again: the run goes on,
# says once that libvirt is unreachable, and lists the guests again after the restart.
. "$top_srcdir/tests/integration/common.sh"

GUESTS="uksmtest-g1 uksmtest-g2"
N=100   # at -d 0.2: 20 s, room for the outage and the longest backoff (8 s)

# libvirtd must be up again before the assets are removed, whatever happened.
it_restart_cleanup() {
	assets ensure-daemons >/dev/null 2>&1
	it_cleanup
}
trap it_restart_cleanup EXIT

setup 2 0
out=$it_tmp/run.json

# count_lines FILE WITH|WITHOUT: lines that list every guest, or none of them.
count_lines() {
	python3 - "$1" "$2" $GUESTS <<'EOF'
import json, sys
path, mode, guests = sys.argv[1], sys.argv[2], set(sys.argv[3:])
n = 0
for line in open(path):
    try:
        names = {i["name"] for i in json.loads(line)["instances"]}
    except (ValueError, KeyError):
        continue
    n += (guests <= names) if mode == "with" else not (guests & names)
print(n)
EOF
}
at_least() { [ "$(count_lines "$1" "$2")" -ge "$3" ]; }

"$UKSMTOP" -b -o json -d 0.2 -n "$N" --no-lxc >"$out" 2>"$out.err" &
it_bg=$!
wait_for 30 at_least "$out" with 3
check "the guests are listed before the kill" at_least "$out" with 3

before=$(wc -l <"$out")
pkill -KILL -x libvirtd
echo "# killed libvirtd after $before lines"
wait_for 20 at_least "$out" without 5
check "samples go on without the guests while libvirtd is gone" at_least "$out" without 5
check "uksmtop is alive while libvirtd is gone" kill -0 "$it_bg"

t0=$(date +%s)
assets ensure-daemons
back=$(count_lines "$out" with)
relisted() { [ "$(count_lines "$out" with)" -gt "$back" ]; }
# Reconnection waits at most the longest backoff (8 s) plus one attempt.
wait_for 30 relisted
check "the guests are listed again after libvirtd restarts" relisted
echo "# listed again $(( $(date +%s) - t0 )) s after the restart"

wait "$it_bg"
rc=$?
it_bg=
check "the run exits 0 after -n $N (got $rc)" [ "$rc" = 0 ]
check "all $N samples were written" [ "$(wc -l <"$out")" = "$N" ]

python3 - "$out" $GUESTS <<'EOF' >"$it_tmp/verdicts"
import datetime, json, sys
path, guests = sys.argv[1], sys.argv[2:]
lines = [json.loads(l) for l in open(path) if l.strip()]

def when(d):
    return datetime.datetime.strptime(d["time"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()

# A list() that blocked would show as a gap between samples.
gaps = [when(b) - when(a) for a, b in zip(lines, lines[1:])]
print("ok" if max(gaps) < 1.5 else "not_ok", "no sample came more than 1.5 s after the previous (max %.2f s)" % max(gaps))

events = [e for d in lines for e in d.get("events", [])]
for e in events:
    print("# event:", e.get("what"), "|", e.get("detail"))
down = [e for e in events if e.get("detail", "").startswith("libvirt:") and "again" not in e.get("detail", "")]
up = [e for e in events if e.get("detail", "").startswith("libvirt") and "again" in e.get("detail", "")]
print("ok" if len(down) == 1 else "not_ok", "one event says libvirt is unreachable (got %d)" % len(down))
print("ok" if len(up) == 1 else "not_ok", "one event says libvirt is back (got %d)" % len(up))

last = {i["name"]: i for i in lines[-1]["instances"]}
for g in guests:
    try:
        pid = int(open("/run/libvirt/qemu/%s.pid" % g).read())
    except (OSError, ValueError):
        pid = -1
    r = last.get(g, {})
    print("ok" if r.get("state") == "running" and r.get("pid") == pid else "not_ok",
          "%s running with pid %d after the restart (got %s, %s)" % (g, pid, r.get("state"), r.get("pid")))
EOF
verdicts "$it_tmp/verdicts"
done_testing
