#!/bin/sh
# vanish.sh - containers stopped or destroyed and guests destroyed during a run at -d 0.1:
# no crash, and their rows change to stopped / shut off, or go when nothing defines them.
. "$top_srcdir/tests/integration/common.sh"

N=80    # at -d 0.1: 8 s

setup 2 2
assets start-transient uksmtest-t1 || { not_ok "transient guest uksmtest-t1 starts"; done_testing; }
out=$it_tmp/run.json

listed() {
	python3 - "$out" "$@" <<'EOF'
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
try:
    names = {i["name"] for i in json.loads(lines[-1])["instances"]} if lines else set()
except ValueError:
    names = set()
sys.exit(0 if set(sys.argv[2:]) <= names else 1)
EOF
}

"$UKSMTOP" -b -o json -d 0.1 -n "$N" >"$out" 2>"$out.err" &
it_bg=$!
wait_for 20 listed uksmtest-g1 uksmtest-g2 uksmtest-t1 uksmtest-c1 uksmtest-c2
check "every instance is listed before the stops" listed uksmtest-g1 uksmtest-g2 uksmtest-t1 uksmtest-c1 uksmtest-c2

# All at once, while samples are being taken.
lxc-stop -k -n uksmtest-c1 &
p1=$!
( lxc-stop -k -n uksmtest-c2 && lxc-destroy -n uksmtest-c2 ) >/dev/null 2>&1 &
p2=$!
virsh -q -c qemu:///system destroy uksmtest-g1 >/dev/null &
p3=$!
virsh -q -c qemu:///system destroy uksmtest-t1 >/dev/null &
p4=$!
wait "$p1" "$p2" "$p3" "$p4"
stopped_at=$(wc -l <"$out")
echo "# stops done after $stopped_at lines"

wait "$it_bg"
rc=$?
it_bg=
check "the run exits 0 after -n $N (got $rc)" [ "$rc" = 0 ]
check "all $N samples were written" [ "$(wc -l <"$out")" = "$N" ]
check "nothing on stderr" [ ! -s "$out.err" ]
[ -s "$out.err" ] && sed 's/^/# stderr: /' "$out.err"

python3 - "$out" "$stopped_at" <<'EOF' >"$it_tmp/verdicts"
import json, sys
path, stopped_at = sys.argv[1], int(sys.argv[2])
lines = [json.loads(l) for l in open(path) if l.strip()]
print("ok every line is a JSON sample")
last = {i["name"]: i for i in lines[-1]["instances"]}

def row(name, want_state):
    r = last.get(name)
    good = r is not None and r.get("state") == want_state and not r.get("pid") and not r.get("rss_kb")
    got = r and "state=%s pid=%s rss_kb=%s" % (r.get("state"), r.get("pid"), r.get("rss_kb"))
    print("ok" if good else "not_ok", "%s is %s with no pid or rss (got %s)" % (name, want_state, got))

def gone(name):
    print("ok" if name not in last else "not_ok", "%s's row is gone" % name)

row("uksmtest-g1", "shut off")
row("uksmtest-c1", "stopped")
gone("uksmtest-t1")
gone("uksmtest-c2")
for name in ("uksmtest-g2",):
    r = last.get(name, {})
    print("ok" if r.get("state") == "running" and r.get("pid") else "not_ok",
          "%s still running (got %s)" % (name, r.get("state")))
# Once the stops are done, no later sample may show a vanished instance running.
late = [n for d in lines[stopped_at + 1:] for i in d["instances"] if i["name"] in
        ("uksmtest-g1", "uksmtest-c1", "uksmtest-t1", "uksmtest-c2") and i.get("state") == "running"
        for n in [i["name"]]]
print("ok" if not late else "not_ok", "no sample after the stops shows them running (got %s)" % sorted(set(late)))
EOF
verdicts "$it_tmp/verdicts"
done_testing
