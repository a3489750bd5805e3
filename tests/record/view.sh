#!/bin/sh
# view.sh - -r in the view (tmux): the recorded time shown, stepping, jumping, playing, the sparklines' window, a damaged file; -w in the view.
. "$top_srcdir/tests/record/common.sh"
. "$top_srcdir/tests/tui/tmux.sh"
T=$rt_tmp
trap 'tm_cleanup; rt_cleanup' EXIT

# A recording of 120 samples a second apart from 10:00:00 UTC: merging off for a minute, then
# on (pages sharing climbing by 100 a sample), two instances whose RSS is 1000 + the sample's index.
python3 - "$T/syn.jsonl" <<'PY'
import json, sys
t0 = 1767261600  # 2026-01-01T10:00:00Z
def iso(t):
    import datetime
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"uksmtop_recording": 1, "program": "uksmtop test", "host": "replayhost",
                        "started": iso(t0), "delay_s": 1, "page_size": 4096, "backend": "ksm",
                        "command": ["synthetic"], "experiment": None}) + "\n")
    for i in range(120):
        on = i >= 60
        if i == 60:
            f.write(json.dumps({"phase": {"index": 2, "of": 2, "name": "merging", "time": iso(t0 + i - 0.5)}}) + "\n")
        s = {"time": iso(t0 + i), "interval_s": None if i == 0 else 1.0,
             "host": {"mem_total_kb": 24000000, "mem_used_kb": 1500000 - (i - 60) * 100 * 4 if on else 1500000,
                      "baseline_kb": 1000000, "baseline_source": "manual",
                      "overhead_kb": 500000 - (i - 60) * 400 if on else 500000, "cpu_pct": 5.0},
             "dedup": {"backend": "ksm", "run": 1 if on else 0, "pages_shared": 50 * (i - 59) if on else 0,
                       "pages_sharing": 100 * (i - 59) if on else 0, "pages_unshared": 0, "pages_volatile": 0,
                       "pages_scanned": 4000 * i, "full_scans": i // 10, "scan_rate_pps": 4000.0 if on else 0.0,
                       "cpu_pct": 2.0 if on else 0.0, "saved_kb": 400 * (i - 59) if on else 0},
             "instances": [{"name": "guest-%d" % k, "type": "kvm", "state": "running", "pid": 100 + k,
                            "rss_kb": 1000 + i, "pss_kb": 900, "shared_kb": 10, "ksm_kb": 0, "pss_age_s": 0.5,
                            "cgroup_mem_kb": None, "nproc": 1, "vcpus": 1, "mem_cfg_kb": 131072,
                            "domain_type": "qemu", "mergeable": True} for k in (1, 2)],
             "totals": {}, "note": None, "events": [],
             "rec": {"uptime_s": 5000 + i}}
        f.write(json.dumps(s) + "\n")
PY

start() { tm_start 120 40 "TZ=UTC" "$@"; }
start -r "$T/syn.jsonl"
check "the view opens on the first sample, paused, at its recorded time" tm_wait 'REPLAY 1/120 paused' 10
check "... the header shows the recorded host and time (10:00:00)" tm_has '^ replayhost +REPLAY 1/120 paused +10:00:00 '
check "... and the recorded instances" tm_has '^guest-1 +kvm +running'
tm_keys Right
check "Right steps to the next sample: 10:00:01, 2/120" tm_wait 'REPLAY 2/120 paused +10:00:01 ' 5
tm_keys Left
check "Left steps back: 10:00:00, 1/120" tm_wait 'REPLAY 1/120 paused +10:00:00 ' 5
tm_keys Left
check "Left at the start says so" tm_wait 'the start of the recording' 5
tm_keys J
check "J asks where to jump" tm_wait 'Jump to \(HH:MM\[:SS\], \+SECS, -SECS, start, end\)' 5
tm_keys 10:01:30 Enter
check "J 10:01:30 jumps there: sample 91" tm_wait 'REPLAY 91/120 paused +10:01:30 ' 5
check "... with that sample's figures (sharing 3100)" tm_has 'sharing 3100'
check "... and the merging-on mark in the sparklines' window" tm_has '▲'
tm_keys J
tm_keys -- -45 Enter
check "J -45 goes back 45 s: 10:00:45, sample 46" tm_wait 'REPLAY 46/120 paused +10:00:45 ' 5
check "... where the window ends before merging was turned on: no mark" tm_lacks '─+▲'
tm_keys J
tm_keys -l end
tm_keys Enter
check "J end: the last sample" tm_wait 'REPLAY 120/120 paused +10:01:59 ' 5
tm_keys J soon Enter
check "J with a bad time says what it takes" tm_wait "jump: 'soon' is none of" 5
tm_keys J start Enter
tm_wait 'REPLAY 1/120 paused' 5
tm_keys Space
check "space plays at the recorded pace" tm_wait 'REPLAY [2-9]/120 ▶ x1' 5
tm_keys +
check "+ plays twice as fast" tm_wait 'x2' 5
tm_keys Space
check "space pauses" tm_wait 'REPLAY [0-9]+/120 paused' 5
tm_keys u
check "u does nothing to a recording, and says so" tm_wait 'a replay' 5
tm_keys q
wait_for 5 tm_exited
check "q quits, exit status 0" test "$(tm_exit_status)" = 0

# A damaged recording: the view shows what came before, and the message slot says where it stopped.
head -n 50 "$T/syn.jsonl" >"$T/cut.jsonl"
sed -n 51p "$T/syn.jsonl" | head -c 100 >>"$T/cut.jsonl"
start -r "$T/cut.jsonl"
check "a cut recording opens with its whole samples (49)" tm_wait 'REPLAY 1/49 paused' 10
check "... and says where it stopped" tm_has 'line 51 \(byte [0-9]+\): cut short'

# -w in the view: every sample shown is recorded.
start --sysfs-root "$top_srcdir/tests/fixtures/sysfs-uksm" --no-libvirt --no-lxc -d 0.2 -w "$T/view.jsonl"
tm_wait 'uksm' 10
sleep 1.5
tm_keys q
wait_for 5 tm_exited
check "-w in the view: exit 0" test "$(tm_exit_status)" = 0
n=$(kind_count "$T/view.jsonl" sample)
check "... and the recording holds its samples ($n)" test "$n" -ge 3
"$UKSMTOP" -r "$T/view.jsonl" -b -o json >/dev/null 2>&1
check "... which replay" test $? = 0
done_testing
