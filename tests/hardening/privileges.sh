#!/bin/sh
# privileges.sh - uksmtop never runs a shell; as an ordinary user it monitors (exit 0, what it
# can read shown, the rest null with one line saying why) and refuses every action in one line;
# with -s it refuses every action, on the command line and in the view.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hardening/common.sh"

[ -x "$UKSMTOP" ] || skip "no uksmtop binary at $UKSMTOP"
hd_need python3 python3

# ---- no shell, ever: neither in the sources nor in what the binary imports --------------
# Every C file of the program (the tests may use system() for their fixtures), comments
# taken out so that a comment naming system() does not count.
python3 - "$top_srcdir" >"$hd_tmp/shell" <<'EOF'
import os, re, sys
top = sys.argv[1]
bad = re.compile(r'\b(system|popen)\s*\(|"/bin/sh"|\bexec[lv]p?e?\s*\(\s*"(/bin/)?sh"')
comment = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)
n = 0
for d, dirs, files in os.walk(top):
    rel = os.path.relpath(d, top)
    dirs[:] = [x for x in dirs if not x.startswith(('.', '_')) and not (rel == '.' and x == 'tests')]
    for f in files:
        if not f.endswith(('.c', '.h')):
            continue
        p = os.path.join(d, f)
        n += 1
        text = comment.sub(lambda m: '\n' * m.group(0).count('\n'), open(p, errors='replace').read())
        for no, line in enumerate(text.split('\n'), 1):
            if bad.search(line):
                print("%s:%d: %s" % (os.path.relpath(p, top), no, line.strip()))
print("# %d C files of the program searched" % n, file=sys.stderr)
EOF
check "no system(), popen() or exec of /bin/sh in the program's C sources" test ! -s "$hd_tmp/shell"
hd_show "$hd_tmp/shell" "found: "
if command -v nm >/dev/null 2>&1; then
	nm -D --undefined-only "$UKSMTOP" >"$hd_tmp/imports" 2>&1
	check "nm reads the binary's imports" grep -q ' U ' "$hd_tmp/imports"
	check "the binary imports neither system nor popen" \
		sh -c "! sed 's/@.*//' '$hd_tmp/imports' | awk '{ print \$NF }' | grep -qx -e system -e popen"
else
	skip "nm not found (package: binutils)"
fi

need_root
hd_need setpriv util-linux
hd_lock
hd_ksm_save
KSM_RUN=/sys/kernel/mm/ksm/run

# ---- as nobody ------------------------------------------------------------------------------
NOBODY=65534
home=$hd_tmp/home
mkdir -p "$home" && chown "$NOBODY:$NOBODY" "$home"
as_nobody() {
	setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$home" \
		XDG_CONFIG_HOME="$home/config" XDG_STATE_HOME="$home/state" "$@"
}
# nobody must reach the binary; a build under /root may not be reachable.
bin=$UKSMTOP
if ! as_nobody test -x "$bin"; then
	cp "$UKSMTOP" "$hd_tmp/uksmtop"
	bin=$hd_tmp/uksmtop
fi

# One container of root's: its statm is world-readable, its smaps_rollup and ksm_stat are not.
hd_instances 0 1
lxcpath=$(lxc-config lxc.lxcpath)
cpid=$(container_pid uksmtest-c1)

out=$hd_tmp/nobody.json
as_nobody "$bin" -b -o json -n 3 -d 0.2 --pss-interval 0 --no-libvirt -P "$lxcpath" >"$out" 2>"$out.err"
rc=$?
check "as nobody: monitoring exits 0 (got $rc)" test "$rc" = 0
check "as nobody: 3 samples" test "$(wc -l <"$out")" = 3
check "as nobody: nothing on stderr" test ! -s "$out.err"
hd_show "$out.err" "stderr: "
python3 - "$out" "$cpid" "$(cat /sys/kernel/mm/ksm/run 2>/dev/null)" >"$hd_tmp/verdicts" <<'EOF'
import json, sys
path, cpid, ksm_run = sys.argv[1], int(sys.argv[2] or 0), sys.argv[3]
try:
    s = [json.loads(l) for l in open(path)]
except ValueError as e:
    print("not_ok every line is JSON (%s)" % e); sys.exit(0)
if not s:
    print("not_ok a sample to check"); sys.exit(0)
last = s[-1]
def say(good, desc):
    print(("ok " if good else "not_ok ") + desc)
h, d = last["host"], last["dedup"]
say(all(isinstance(h[k], int) and h[k] > 0 for k in ("mem_total_kb", "mem_used_kb")),
    "as nobody: host memory shown (%s / %s kB)" % (h["mem_used_kb"], h["mem_total_kb"]))
say(isinstance(h["cpu_pct"], (int, float)), "as nobody: host CPU shown (%s %%)" % h["cpu_pct"])
if ksm_run:
    say(d["backend"] == "ksm" and str(d["run"]) == ksm_run and all(
        isinstance(d[k], int) for k in ("pages_shared", "pages_sharing", "pages_scanned", "full_scans")),
        "as nobody: KSM's world-readable figures shown (run %s, sharing %s)" % (d["run"], d["pages_sharing"]))
    say(isinstance(d["cpu_pct"], (int, float)), "as nobody: ksmd's CPU shown (%s %%)" % d["cpu_pct"])
r = {i["name"]: i for i in last["instances"]}.get("uksmtest-c1")
if r is None:
    say(False, "as nobody: root's container uksmtest-c1 listed")
else:
    say(r["state"] == "running" and r["pid"] == cpid, "as nobody: uksmtest-c1 running, pid %d (got %s, %s)"
        % (cpid, r["state"], r["pid"]))
    say(isinstance(r["rss_kb"], int) and r["rss_kb"] > 0, "as nobody: its RSS shown (%s kB)" % r["rss_kb"])
    say(r["pss_kb"] is None and r["shared_kb"] is None and r["ksm_kb"] is None,
        "as nobody: its PSS, shared and KSM null (got %s, %s, %s)" % (r["pss_kb"], r["shared_kb"], r["ksm_kb"]))
note = last.get("note")
say(isinstance(note, str) and note and "\n" not in note and "root" in note,
    "as nobody: one line says why figures are null (%s)" % note)
EOF
verdicts "$hd_tmp/verdicts"

# refused NAME EXPECT-STATUS REGEX COMMAND...: the command exits with that status, writes
# nothing on stdout and exactly one line on stderr matching REGEX.
refused() {
	name=$1 want=$2 re=$3
	shift 3
	"$@" >"$hd_tmp/r.out" 2>"$hd_tmp/r.err"
	st=$?
	check "$name: exit $want (got $st)" test "$st" = "$want"
	check "$name: one line on stderr" hd_one_line "$hd_tmp/r.err"
	check "$name: the line says why" grep -Eq -- "$re" "$hd_tmp/r.err"
	check "$name: no sample written" test ! -s "$hd_tmp/r.out"
	hd_show "$hd_tmp/r.err" "stderr: "
}

run_before=$(cat "$KSM_RUN" 2>/dev/null)
if [ -n "$run_before" ]; then
	refused "as nobody, --dedup on" 2 "root" as_nobody "$bin" -b -n 1 --no-libvirt --no-lxc --dedup on
	check "as nobody, --dedup on: KSM's run unchanged ($run_before)" test "$(cat "$KSM_RUN")" = "$run_before"
fi
refused "as nobody, --cleanup" 2 "needs root" as_nobody "$bin" --no-libvirt --no-lxc --cleanup
refused "as nobody, --boot 1" 2 "needs root" as_nobody "$bin" --no-libvirt --no-lxc --boot 1 --template t
refused "as nobody, --boot-storm 2" 2 "needs root" as_nobody "$bin" --no-libvirt --no-lxc --boot-storm 2 --template t

# --baseline-now writes only the user's own state file: allowed, and stored there.
as_nobody "$bin" -b -o json -n 1 --no-libvirt --no-lxc --baseline-now >"$out" 2>"$out.err"
rc=$?
check "as nobody, --baseline-now: exit 0 (got $rc)" test "$rc" = 0
check "as nobody, --baseline-now: stored in the user's own state directory" \
	test "$(stat -c %u "$home/state/uksmtop/baseline" 2>/dev/null)" = "$NOBODY"
check "as nobody, --baseline-now: the sample has the manual baseline" grep -q '"baseline_source":"manual"' "$out"
# Where the user may not write, nothing is stored: one line naming the place, status 1.
mkdir -p "$hd_tmp/rootonly"
refused "as nobody, --baseline-now into root's directory" 1 "$hd_tmp/rootonly.*Permission denied" \
	setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups env -i PATH=/usr/bin:/bin HOME="$home" \
	XDG_STATE_HOME="$hd_tmp/rootonly" "$bin" -b -n 1 --no-libvirt --no-lxc --baseline-now
check "as nobody, --baseline-now into root's directory: nothing written there" \
	test -z "$(ls -A "$hd_tmp/rootonly")"

# ---- root with -s (or secure = yes): every action refused ----------------------------------
export HOME="$hd_tmp/root" XDG_CONFIG_HOME="$hd_tmp/root/config" XDG_STATE_HOME="$hd_tmp/root/state"
mkdir -p "$HOME"
# A copy of a fixture tree: a refusal that did write would show there, not on the host.
fx=$hd_tmp/sysfs
cp -r "$top_srcdir/tests/fixtures/sysfs-ksm" "$fx"
echo 0 >"$fx/kernel/mm/ksm/run"
S="--no-libvirt --no-lxc --sysfs-root $fx"
refused "-s --dedup on" 2 "secure mode" "$UKSMTOP" -b -n 1 $S -s --dedup on
check "-s --dedup on: run unchanged" test "$(cat "$fx/kernel/mm/ksm/run")" = 0
refused "-s --baseline-now" 2 "secure mode" "$UKSMTOP" -b -n 1 $S -s --baseline-now
check "-s --baseline-now: nothing stored" test ! -e "$XDG_STATE_HOME/uksmtop/baseline"
refused "-s --cleanup" 2 "secure mode" "$UKSMTOP" $S -s --cleanup
refused "-s --boot 1" 2 "secure mode" "$UKSMTOP" $S -s --boot 1 --template t
refused "-s --boot-storm 2" 2 "secure mode" "$UKSMTOP" $S -s --boot-storm 2 --template t
printf '[uksmtop]\nsecure = yes\n' >"$hd_tmp/secure.ini"
refused "secure = yes, --dedup on" 2 "secure mode" "$UKSMTOP" -C "$hd_tmp/secure.ini" -b -n 1 $S --dedup on
check "secure = yes, --dedup on: run unchanged" test "$(cat "$fx/kernel/mm/ksm/run")" = 0
check "container uksmtest-c1 still there after the refused --cleanup" \
	test "$(lxc-info -sH -n uksmtest-c1 2>/dev/null)" = RUNNING

# ---- the view with -s: u, B and W refused with a message ------------------------------------
if command -v tmux >/dev/null 2>&1; then
	. "$top_srcdir/tests/tui/tmux.sh"
	hd_at_exit tm_cleanup
	tm_start 160 40 "" $S -s -d 0.2
	check "view -s: comes up" tm_wait "^NAME "
	tm_keys u
	check "view -s: u refused with a message" tm_wait "secure mode: turning merging on or off is refused"
	tm_keys y
	sleep 0.5
	check "view -s: u then y: no question asked, run unchanged" \
		sh -c "test \"\$(cat '$fx/kernel/mm/ksm/run')\" = 0"
	check "view -s: no y/n question on screen" tm_lacks "\(y/n\)"
	tm_keys B
	check "view -s: B refused with a message" tm_wait "secure mode: storing a baseline is refused"
	tm_keys W
	check "view -s: W refused with a message" tm_wait "secure mode: writing the config file is refused"
	sleep 0.3
	check "view -s: no baseline stored" test ! -e "$TM_DIR/state/uksmtop/baseline"
	check "view -s: no config written" test ! -e "$TM_DIR/config/uksmtop/uksmtop.ini"
	check "view -s: run still 0" test "$(cat "$fx/kernel/mm/ksm/run")" = 0
	tm_keys q
	check "view -s: q exits 0" tm_exit_is 0
	check "view -s: nothing on stderr" test ! -s "$TM_DIR/stderr"
else
	skip "tmux not found (package: tmux)"
fi
done_testing
