#!/bin/sh
# valgrind.sh - memcheck over 500 samples at -d 0.05 in batch JSON mode with two containers
# and a guest, one container stopped and started again meanwhile: no invalid read or write, no
# use of uninitialised memory, no definite leak. Third-party noise is suppressed only with a
# reason (tests/hardening/valgrind.supp); possibly lost and still reachable blocks do not count.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hardening/common.sh"

need_root
[ -x "$UKSMTOP" ] || skip "no uksmtop binary at $UKSMTOP"
hd_need valgrind valgrind
hd_need python3 python3
N=${VALGRIND_SAMPLES:-500}
hd_lock
hd_instances 1 2
export HOME="$hd_tmp" XDG_CONFIG_HOME="$hd_tmp/config" XDG_STATE_HOME="$hd_tmp/state"

out=$hd_tmp/vg.json
log=$hd_tmp/vg.log
t0=$(date +%s)
valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite \
	--error-exitcode=99 --num-callers=40 --track-origins=yes \
	--suppressions="$top_srcdir/tests/hardening/valgrind.supp" --log-file="$log" \
	"$UKSMTOP" -b -o json -n "$N" -d 0.05 --pss-interval 1 >"$out" 2>"$hd_tmp/vg.err" &
vg=$!
hd_at_exit "kill $vg 2>/dev/null"

# A container stopped and started again while memcheck watches: rows that change state.
wait_for 120 sh -c "test \$(wc -l <'$out') -ge 50"
lxc-stop -k -n uksmtest-c2 >/dev/null 2>&1
wait_for 60 sh -c "test \$(wc -l <'$out') -ge 150"
lxc-start -d -n uksmtest-c2 >/dev/null 2>&1
wait "$vg"
rc=$?
echo "# $N samples under memcheck in $(( $(date +%s) - t0 )) s"
check "uksmtop under memcheck exits 0, not 99 (valgrind's error status) (got $rc)" test "$rc" = 0
check "all $N samples written" test "$(wc -l <"$out")" = "$N"
check "nothing on stderr" test ! -s "$hd_tmp/vg.err"
hd_show "$hd_tmp/vg.err" "stderr: "

python3 - "$log" "$out" >"$hd_tmp/verdicts" <<'EOF'
import json, re, sys
log, out = open(sys.argv[1]).read(), sys.argv[2]
def say(good, desc):
    print(("ok " if good else "not_ok ") + desc)
def figure(label):
    m = re.search(r"==\d+==\s+" + label + r":\s+([\d,]+) bytes in ([\d,]+) blocks", log)
    return (int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))) if m else (0, 0)
m = re.search(r"ERROR SUMMARY: (\d+) errors from (\d+) contexts \(suppressed: (\d+) from (\d+)\)", log)
if not m:
    say(False, "memcheck wrote its error summary"); sys.exit(0)
errors, contexts, supp, supp_ctx = map(int, m.groups())
heap = re.search(r"total heap usage: ([\d,]+) allocs, ([\d,]+) frees, ([\d,]+) bytes allocated", log)
print("# memcheck: %d errors from %d contexts (suppressed: %d from %d)" % (errors, contexts, supp, supp_ctx))
if heap:
    print("# heap: %s allocs, %s frees, %s bytes allocated" % heap.groups())
for label in ("definitely lost", "indirectly lost", "possibly lost", "still reachable", "suppressed"):
    b, n = figure(label)
    print("# %s: %d bytes in %d blocks" % (label, b, n))
kinds = {k: len(re.findall(k, log)) for k in (
    "Invalid read", "Invalid write", "Invalid free", "Mismatched free",
    "uninitialised value", "Uninitialised value", "Syscall param", "Source and destination overlap")}
for k, n in kinds.items():
    say(n == 0, "no '%s' reported (got %d)" % (k, n))
say(figure("definitely lost") == (0, 0), "no definite leak (%d bytes in %d blocks)" % figure("definitely lost"))
say(errors == 0, "error summary: 0 errors (got %d from %d contexts)" % (errors, contexts))
try:
    n = sum(1 for l in open(out) if json.loads(l))
    say(True, "every one of the %d lines is JSON" % n)
except ValueError as e:
    say(False, "every line is JSON (%s)" % e)
EOF
verdicts "$hd_tmp/verdicts"
# The reports themselves, for whoever has to fix them.
if grep -q "ERROR SUMMARY: [1-9]" "$log"; then
	sed -n '/^==[0-9]*== [A-Z]/,/^==[0-9]*== $/p' "$log" | head -200 | sed 's/^/# vg: /'
fi
done_testing
