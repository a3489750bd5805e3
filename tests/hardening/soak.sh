#!/bin/sh
# soak.sh - SOAK_SECONDS (default 300; 3600 for the long soak) of batch JSON at -d 0.05 while
# containers are stopped and started without pause and a TCG guest is destroyed and started
# again now and then. uksmtop's VmRSS, read every 5 s, grows by less than 1 MiB after the
# warm-up (60 s, or a tenth of a soak of 10 minutes or more); nothing on stderr; exit 0.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hardening/common.sh"

need_root
[ -x "$UKSMTOP" ] || skip "no uksmtop binary at $UKSMTOP"
hd_need python3 python3
SOAK=${SOAK_SECONDS:-300}
case $SOAK in ''|*[!0-9]*) not_ok "SOAK_SECONDS is a whole number of seconds (got '$SOAK')"; done_testing ;; esac
if [ "$SOAK" -ge 600 ]; then WARM=$((SOAK / 10)); elif [ "$SOAK" -ge 120 ]; then WARM=60; else WARM=$((SOAK / 2)); fi
GUEST_EVERY=${SOAK_GUEST_EVERY:-45}
RSS_EVERY=5
LIMIT_KB=1024
hd_lock
hd_instances 1 3
export HOME="$hd_tmp" XDG_CONFIG_HOME="$hd_tmp/config" XDG_STATE_HOME="$hd_tmp/state"
echo "# soak of $SOAK s, warm-up $WARM s, VmRSS every $RSS_EVERY s, the guest restarted every $GUEST_EVERY s"

# churn: the containers stopped and started in turn, the guest destroyed and started now and then.
churn() {
	i=0 ops=0 gops=0
	last=$(date +%s)
	while [ ! -e "$hd_tmp/stop" ]; do
		i=$((i % 3 + 1))
		lxc-stop -k -n "uksmtest-c$i" >/dev/null 2>&1
		sleep 0.5
		lxc-start -d -n "uksmtest-c$i" >/dev/null 2>&1
		ops=$((ops + 1))
		if [ $(( $(date +%s) - last )) -ge "$GUEST_EVERY" ]; then
			virsh -q -c qemu:///system destroy uksmtest-g1 >/dev/null 2>&1
			sleep 1
			virsh -q -c qemu:///system start uksmtest-g1 >/dev/null 2>&1
			gops=$((gops + 1))
			last=$(date +%s)
		fi
		echo "$ops $gops" >"$hd_tmp/churn"
		sleep 0.5
	done
}

out=$hd_tmp/soak.json
"$UKSMTOP" -b -o json -d 0.05 >"$out" 2>"$hd_tmp/soak.err" &
pid=$!
hd_at_exit "kill $pid 2>/dev/null"
churn &
cp=$!
hd_at_exit "touch '$hd_tmp/stop'; wait $cp 2>/dev/null"

t0=$(date +%s)
: >"$hd_tmp/rss"
while [ $(( $(date +%s) - t0 )) -lt "$SOAK" ] && kill -0 "$pid" 2>/dev/null; do
	echo "$(( $(date +%s) - t0 )) $(hd_rss_kb "$pid") $(ls "/proc/$pid/fd" 2>/dev/null | wc -l)" >>"$hd_tmp/rss"
	sleep "$RSS_EVERY"
done
echo "$(( $(date +%s) - t0 )) $(hd_rss_kb "$pid") $(ls "/proc/$pid/fd" 2>/dev/null | wc -l)" >>"$hd_tmp/rss"
alive=0
kill -0 "$pid" 2>/dev/null && alive=1
touch "$hd_tmp/stop"
wait "$cp"
kill -TERM "$pid"
wait "$pid"
rc=$?
read -r ops gops <"$hd_tmp/churn" 2>/dev/null
echo "# churn: $ops container stop+start, $gops guest destroy+start"
check "uksmtop alive after $SOAK s" test "$alive" = 1
check "exit 0 on SIGTERM (got $rc)" test "$rc" = 0
check "nothing on stderr" test ! -s "$hd_tmp/soak.err"
hd_show "$hd_tmp/soak.err" "stderr: "

python3 - "$hd_tmp/rss" "$WARM" "$LIMIT_KB" "$out" "$SOAK" >"$hd_tmp/verdicts" <<'EOF'
import json, sys
rss_path, warm, limit, out, soak = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
def say(good, desc):
    print(("ok " if good else "not_ok ") + desc)
rss = [tuple(map(int, f)) for f in (l.split() for l in open(rss_path)) if len(f) == 3]
after = [r for r in rss if r[0] >= warm]
if len(after) < 2:
    say(False, "VmRSS read after the warm-up (%d readings)" % len(after)); sys.exit(0)
w, e = after[0], after[-1]
peak = max(r[1] for r in after)
print("# VmRSS: %d KiB at %d s (warm-up), %d KiB at %d s (end), %d KiB at most after the warm-up; first %d KiB"
      % (w[1], w[0], e[1], e[0], peak, rss[0][1]))
print("# readings (s:VmRSS KiB:descriptors): " + " ".join("%d:%d:%d" % r for r in rss))
say(e[1] - w[1] < limit, "VmRSS grew by %+d KiB from the warm-up to the end (less than %d KiB)" % (e[1] - w[1], limit))
# Descriptors kept open per instance process come and go with the churn; a leak would pile up.
say(e[2] - w[2] < 16, "open descriptors: %d at the warm-up, %d at the end (fewer than 16 more)" % (w[2], e[2]))
n = bad = 0
events = {}
instances = set()
with open(out) as f:
    for line in f:
        n += 1
        try:
            d = json.loads(line)
        except ValueError:
            bad += 1
            continue
        instances.update(i["name"] for i in d["instances"])
        for ev in d["events"]:
            events[ev["detail"]] = events.get(ev["detail"], 0) + 1
print("# %d samples in %d s (%.1f a second); instances seen: %s" % (n, soak, n / soak, " ".join(sorted(instances))))
for k, c in events.items():
    print("# event x%d: %s" % (c, k))
say(bad == 0, "every line is JSON (%d of %d are not)" % (bad, n))
say(n >= soak * 10, "at least 10 samples a second on average (%d in %d s)" % (n, soak))
EOF
verdicts "$hd_tmp/verdicts"
done_testing
