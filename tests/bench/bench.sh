#!/bin/sh
# bench.sh - what a uksmtop sample costs as LXC containers and TCG guests are added, measured against top in one run (issue 6).
#
# usage: bench.sh        (as root; `make bench` runs it with the freshly built binary)
#
# For every step (containers:guests) it starts the benchmark's own instances
# (tests/bench/instances.sh, all named uksmbench-*), then, REPS times in turn:
#   - uksmtop -b at -d 0.1 with --pss-interval 3600 (only the first PSS pass, at start)
#     and with --pss-interval 0 (a PSS pass in every sample), each as a short run of N0
#     samples and a long one of N samples: CPU per sample = (long - short) / (N - N0),
#     so start-up and the one first PSS pass cancel out;
#   - top -b -d 0.1 the same way, per frame;
#   - virsh -c qemu:///system list, for its peak RSS.
# CPU time and peak RSS come from getrusage (wait4) in tests/bench/brun, which also
# times the first complete output line (start to first sample). Then the view runs
# in a private tmux server at -d 3600: its idle CPU over IDLE_S seconds, the CPU of
# its drawing (main) thread per frame redrawn on a key, and, under strace attached
# to that thread alone, every open it makes while redrawing and while drawing new
# samples (space). At the last step the sample and top frame are measured again,
# with and without SLEEPERS sleep processes outside any instance in turn; then, when KSM was
# found stopped (run 0), once more with ksmd scanning (run 1 at its own pace), the
# case where uksmtop reads every process's ksm_merging_pages each sample. Its
# pages are unmerged after (run 2) when it was found with nothing merged, and run
# is put back as it was, also on failure or interrupt.
# tests/bench/report.py turns the raw figures into the table, the slope and the
# targets; all of it lands in $BENCH_OUT (default: a new /tmp/uksmtop-bench.XXXXXX).
#
# Environment: UKSMTOP (binary), BRUN (helper), BENCH_STEPS ("0:0 10:0 50:0 100:0
# 100:2 100:5"), BENCH_REPS (5), BENCH_N (110), BENCH_N0 (10), BENCH_SLEEPERS (200),
# BENCH_VIEW_FRAMES (200), BENCH_IDLE_S (20), BENCH_KEEP=1 leaves the instances up,
# BENCH_BEFORE=BINARY also measures another build's sample (no PSS) in every
# repetition, interleaved, for a before/after comparison on the same load,
# BENCH_KSM=0 leaves out the measurement with ksmd scanning.
# Every instance made here is removed on exit, also on failure or interrupt.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
UKSMTOP=${UKSMTOP:-$here/../../uksmtop}
BRUN=${BRUN:-$here/brun}
STEPS=${BENCH_STEPS:-"0:0 10:0 50:0 100:0 100:2 100:5"}
REPS=${BENCH_REPS:-5}
N=${BENCH_N:-110}
N0=${BENCH_N0:-10}
DELAY=0.1
SLEEPERS=${BENCH_SLEEPERS:-200}
VIEW_FRAMES=${BENCH_VIEW_FRAMES:-200}
IDLE_S=${BENCH_IDLE_S:-20}
export BENCH_LXCPATH=${BENCH_LXCPATH:-/var/lib/uksmtop-bench}
LXCPATH=$BENCH_LXCPATH
URI=qemu:///system
INSTANCES="$here/instances.sh"

say() { echo "bench: $*" >&2; }
die() { echo "bench: error: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (containers, guests, /proc of every process)"
for cmd in python3 strace tmux top virsh lxc-start lxc-copy; do
	command -v "$cmd" >/dev/null 2>&1 || die "$cmd not found"
done
[ -x "$UKSMTOP" ] || die "no uksmtop at $UKSMTOP (make first)"
[ -x "$BRUN" ] || die "no brun at $BRUN (make tests/bench/brun)"

OUT=${BENCH_OUT:-$(mktemp -d /tmp/uksmtop-bench.XXXXXX)}
mkdir -p "$OUT/home"
# Copies: a `make` or `make clean` elsewhere during the run must not swap or remove them.
cp "$UKSMTOP" "$OUT/uksmtop" && cp "$BRUN" "$OUT/brun" || die "cannot copy $UKSMTOP and $BRUN to $OUT"
UKSMTOP=$OUT/uksmtop BRUN=$OUT/brun
BEFORE=
if [ -n "${BENCH_BEFORE:-}" ]; then
	cp "$BENCH_BEFORE" "$OUT/uksmtop-before" || die "cannot copy $BENCH_BEFORE"
	BEFORE=$OUT/uksmtop-before
fi
RAW=$OUT/raw.txt
: >"$RAW"
# Nobody's config, baseline or toprc: every program here starts from its defaults.
: >"$OUT/empty.ini"
export HOME="$OUT/home" XDG_CONFIG_HOME="$OUT/home/config" XDG_STATE_HOME="$OUT/home/state"
TMUX_SOCK=uksmbench-$$
TMUX_N=0
KSM_RUN=/sys/kernel/mm/ksm/run
ksm_before=$(cat "$KSM_RUN" 2>/dev/null || true)
ksm_sharing_before=$(cat /sys/kernel/mm/ksm/pages_sharing 2>/dev/null || true)
ksm_on=
sleepers=

# ksm_put_back: ksmd as this script found it (after its own run 1), its pages unmerged
# when there were none before.
ksm_put_back() {
	[ -n "$ksm_on" ] || return 0
	[ "$ksm_sharing_before" = 0 ] && echo 2 >"$KSM_RUN"
	echo "$ksm_before" >"$KSM_RUN"
	ksm_on=
}

cleanup() {
	rc=$?
	trap - EXIT INT TERM HUP
	set +e   # every step below is tried, whatever the one before did
	[ -n "$sleepers" ] && kill $sleepers 2>/dev/null
	n=0
	while [ "$n" -le "$TMUX_N" ]; do
		tmux -L "$TMUX_SOCK-$n" kill-server >/dev/null 2>&1
		rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TMUX_SOCK-$n"
		n=$((n + 1))
	done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		say "keeping the uksmbench-* instances (BENCH_KEEP=1); remove them with $INSTANCES down"
	else
		sh "$INSTANCES" down || say "could not remove every uksmbench-* instance: see $INSTANCES status"
	fi
	ksm_put_back
	# Beyond its own measurement with ksmd scanning (undone above), nothing here writes
	# KSM's run. Another user of the machine may have meanwhile, and that is theirs to
	# undo: only said, as it changes what the figures mean.
	ksm_after=$(cat "$KSM_RUN" 2>/dev/null || true)
	[ "$ksm_after" = "$ksm_before" ] ||
		say "note: $KSM_RUN went from $ksm_before to $ksm_after during the run (not by this script)"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

raw() { echo "$*" >>"$RAW"; }

# brun_rec LABEL COMMAND...: run it through brun, append "LABEL key=value..." to the raw file.
brun_rec() {
	label=$1; shift
	line=$("$BRUN" -- "$@" 2>>"$OUT/stderr.txt") || { say "failed ($label): $*"; line=${line:-status=fail}; }
	raw "$label $line"
}

uk() { brun_rec "$1" "${4:-$UKSMTOP}" -C "$OUT/empty.ini" -P "$LXCPATH" -b -o json -d "$DELAY" -n "$2" --pss-interval "$3"; }
topb() { brun_rec "$1" top -b -d "$DELAY" -n "$2"; }

# seen STEP: what uksmtop sees now (rows, running instances, theirs and ours, processes).
seen() {
	raw "step=$1 kind=ksm run=$(cat "$KSM_RUN" 2>/dev/null || echo none)"
	"$UKSMTOP" -C "$OUT/empty.ini" -P "$LXCPATH" -b -o json -n 1 --pss-interval 3600 >"$OUT/seen-$1.json" 2>>"$OUT/stderr.txt" || true
	python3 - "$OUT/seen-$1.json" "$1" "$(ps -e --no-headers | wc -l)" >>"$RAW" <<'EOF'
import json, sys
path, step, nps = sys.argv[1:4]
try:
    d = json.loads(open(path).readline())
except ValueError:
    print(f"step={step} kind=seen rows=0 running=0 mine=0 procs=0 host_procs={nps}"); sys.exit()
ins = d.get("instances", [])
run = [i for i in ins if i.get("pid")]
mine = [i for i in run if i["name"].startswith("uksmbench-")]
procs = sum(i.get("nproc") or 0 for i in run)
rss = sum(i.get("rss_kb") or 0 for i in run)
print(f"step={step} kind=seen rows={len(ins)} running={len(run)} mine={len(mine)} "
      f"kvm={sum(1 for i in run if i['type'] == 'kvm')} procs={procs} rss_kb={rss} host_procs={nps}")
EOF
}

# One repetition of the batch measurements at this step; kinds are interleaved so
# drift on a shared machine touches each alike.
batch_rep() {
	s=$1 r=$2 tag=$3
	uk "step=$s rep=$r kind=uk_nopss_short$tag" "$N0" 3600
	topb "step=$s rep=$r kind=top_short$tag" "$N0"
	uk "step=$s rep=$r kind=uk_nopss_long$tag" "$N" 3600
	topb "step=$s rep=$r kind=top_long$tag" "$N"
	[ -n "$tag" ] && return 0
	if [ -n "$BEFORE" ]; then
		uk "step=$s rep=$r kind=before_nopss_short" "$N0" 3600 "$BEFORE"
		uk "step=$s rep=$r kind=before_nopss_long" "$N" 3600 "$BEFORE"
	fi
	uk "step=$s rep=$r kind=uk_pss_short" "$N0" 0
	uk "step=$s rep=$r kind=uk_pss_long" "$N" 0
	brun_rec "step=$s rep=$r kind=virsh" virsh -c "$URI" list
}

# measure_reps ROW STEP TAG: what uksmtop sees (as row ROW), then REPS repetitions at STEP.
measure_reps() {
	seen "$1"
	r=1
	while [ "$r" -le "$REPS" ]; do
		batch_rep "$2" "$r" "$3"
		r=$((r + 1))
	done
}

# --- the view ---------------------------------------------------------------------

tm() { tmux -L "$TMUX_SOCK-$TMUX_N" -f /dev/null "$@"; }
tm_screen() { LC_ALL=C.UTF-8 tm capture-pane -p -t v 2>/dev/null; }
view_pid() {
	pane=$(tm display -p -t v '#{pane_pid}' 2>/dev/null) || return 1
	[ -n "$pane" ] && pgrep -P "$pane" | head -n 1
}
# CPU of one thread in ns (schedstat: time on CPU), and of the whole process in ticks.
thread_ns() { cut -d' ' -f1 "/proc/$1/task/$1/schedstat"; }
proc_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

wait_screen() {
	i=0
	while [ "$i" -lt 100 ]; do
		tm_screen | grep -q "$1" && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

# send_keys COUNT KEYS...: COUNT keys, cycling through KEYS, each its own wake-up and frame.
send_keys() {
	count=$1; shift
	i=0
	while [ "$i" -lt "$count" ]; do
		for k in "$@"; do
			tm send-keys -t v "$k" 2>/dev/null || true
			sleep 0.03
			i=$((i + 1))
			[ "$i" -lt "$count" ] || break
		done
	done
}

# trace_keys STEP WHAT PID COUNT KEYS...: the opens and screen writes of the drawing
# thread while COUNT keys are handled; appends WHAT_keys= WHAT_opens= ... to $traced.
trace_keys() {
	ts=$1 what=$2 tpid=$3 count=$4
	shift 4
	log="$OUT/view-strace-$ts-$what.txt"
	strace -qq -p "$tpid" -e trace=open,openat,openat2,creat,write -o "$log" &
	spid=$!
	sleep 1
	send_keys "$count" "$@"
	sleep 1
	kill -INT "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	o=$(grep -c '^open' "$log" || true)
	ps=$(grep '^open' "$log" | grep -c '"/proc\|"/sys' || true)
	w=$(grep -c '^write(1,' "$log" || true)
	traced="$traced ${what}_keys=$count ${what}_opens=$o ${what}_proc_sys_opens=$ps ${what}_writes=$w"
}

view_fail() {
	say "step $1: $2"
	raw "step=$1 kind=view status=fail"
	tm kill-server >/dev/null 2>&1 || true
}

view_measure() {
	s=$1
	# A server being killed still holds its socket a moment: a new one for every start.
	TMUX_N=$((TMUX_N + 1))
	LC_ALL=C.UTF-8 tm new-session -d -s v -x 120 -y 40 \
		"env LC_ALL=C.UTF-8 '$UKSMTOP' -C '$OUT/empty.ini' -P '$LXCPATH' -d 3600 2>>'$OUT/stderr.txt'; sleep 3600" ||
		{ view_fail "$s" "tmux did not start"; return 0; }
	wait_screen TOTAL || { view_fail "$s" "the view showed no table"; return 0; }
	pid=$(view_pid) || true
	[ -n "$pid" ] || { view_fail "$s" "no uksmtop process in the pane"; return 0; }
	sleep 2   # the first PSS pass is over
	# Idle: no key, no sample (the next is an hour away).
	gone="uksmtop left the view early"
	traced=
	t0=$(thread_ns "$pid") && p0=$(proc_ticks "$pid") || { view_fail "$s" "$gone"; return 0; }
	sleep "$IDLE_S"
	t1=$(thread_ns "$pid") && p1=$(proc_ticks "$pid") || { view_fail "$s" "$gone"; return 0; }
	# Frames redrawn on a key: j and k move the selection, so each frame changes the screen.
	f0=$(thread_ns "$pid") || { view_fail "$s" "$gone"; return 0; }
	send_keys "$VIEW_FRAMES" j k
	sleep 0.3
	f1=$(thread_ns "$pid") || { view_fail "$s" "$gone"; return 0; }
	# The same under strace, attached to the drawing thread only: redraws on keys
	# (no new sample), then new samples (space) drawn as they come.
	trace_keys "$s" idle "$pid" 100 j k
	trace_keys "$s" samples "$pid" 10 ' '
	raw "step=$s kind=view idle_s=$IDLE_S idle_main_ns=$((t1 - t0)) idle_proc_ticks=$((p1 - p0)) hz=$(getconf CLK_TCK)" \
		"frames=$VIEW_FRAMES frames_main_ns=$((f1 - f0)) $traced"
	tm send-keys -t v q 2>/dev/null || true
	sleep 0.5
	tm kill-server >/dev/null 2>&1 || true
}

# --- the run ----------------------------------------------------------------------

raw "machine nproc=$(nproc) kernel=$(uname -r) mem_kb=$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)" \
	"cpu=\"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)\"" \
	"top=\"$(top -V 2>/dev/null | head -n 1)\" lxc=$(lxc-start --version 2>/dev/null)" \
	"libvirt=\"$(virsh --version 2>/dev/null)\" uksmtop=\"$("$UKSMTOP" -V 2>/dev/null | head -n 1)\""
raw "params reps=$REPS n=$N n0=$N0 delay=$DELAY sleepers=$SLEEPERS view_frames=$VIEW_FRAMES idle_s=$IDLE_S"
say "results and logs in $OUT"

last=
for s in $STEPS; do
	c=${s%%:*} g=${s##*:}
	say "step $s: $c container(s), $g guest(s)"
	t0=$(date +%s.%N)
	sh "$INSTANCES" up "$c" "$g" || die "could not start $c container(s) and $g guest(s)"
	t1=$(date +%s.%N)
	raw "step=$s kind=setup seconds=$(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }")"
	sleep 3   # let what just started settle
	measure_reps "$s" "$s" ""
	view_measure "$s"
	last=$s
done

start_sleepers() {
	i=0
	while [ "$i" -lt "$SLEEPERS" ]; do
		sleep 3600 &
		sleepers="$sleepers $!"
		i=$((i + 1))
	done
	sleep 1
}

stop_sleepers() {
	kill $sleepers 2>/dev/null || true
	wait 2>/dev/null || true
	sleepers=
}

# With and without the sleepers in turn, rep by rep: the step's own figures were taken
# minutes earlier, and drift on the machine over minutes is as large as the effect sought.
if [ -n "$last" ] && [ "$SLEEPERS" -gt 0 ]; then
	say "step $last again, with and without $SLEEPERS sleep processes outside any instance in turn"
	seen "$last+quiet"
	start_sleepers
	seen "$last+sleepers"
	stop_sleepers
	r=1
	while [ "$r" -le "$REPS" ]; do
		batch_rep "$last" "$r" "_quiet"
		start_sleepers
		batch_rep "$last" "$r" "_sleepers"
		stop_sleepers
		r=$((r + 1))
	done
fi

if [ -n "$last" ] && [ "${BENCH_KSM:-1}" != 0 ] && [ "$ksm_before" = 0 ] && [ -w "$KSM_RUN" ]; then
	say "step $last again with ksmd scanning (run 1 at pages_to_scan $(cat /sys/kernel/mm/ksm/pages_to_scan), sleep_millisecs $(cat /sys/kernel/mm/ksm/sleep_millisecs))"
	ksm_on=1
	echo 1 >"$KSM_RUN"
	sleep 3
	measure_reps "$last+ksmon" "$last" "_ksmon"
	raw "step=$last+ksmon kind=ksmd pages_sharing=$(cat /sys/kernel/mm/ksm/pages_sharing)" \
		"pages_to_scan=$(cat /sys/kernel/mm/ksm/pages_to_scan) sleep_ms=$(cat /sys/kernel/mm/ksm/sleep_millisecs)"
	ksm_put_back
fi

python3 "$here/report.py" "$RAW" | tee "$OUT/results.md"
say "raw figures: $RAW; table: $OUT/results.md"
