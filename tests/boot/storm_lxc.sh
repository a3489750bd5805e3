#!/bin/sh
# storm_lxc.sh - a boot storm of 3 LXC clones with ping readiness over the test's own bridge; the results file; --cleanup.
. "$top_srcdir/tests/boot/common.sh"

setup_demo lxc
storm_test lxc 3

# --boot (one after another) with --cleanup-after: ready, then gone.
setup_demo lxc
out=$bt_tmp/boot.json
"$UKSMTOP" -C "$CFG" -o json --boot 2 --template demo-lxc --cleanup-after >"$out" 2>"$out.err"
rc=$?
grep '^{' "$out" | sed 's/^/# /'
check "--boot 2 --cleanup-after exits 0" test "$rc" = 0
check "--boot 2: both clones ready" test "$(boot_json "$out" 'b["mode"] == "boot" and [x["state"] for x in c] == ["ready", "ready"]')" = True
check "--boot 2: the second started after the first was ready" \
	test "$(boot_json "$out" 'c[1]["start_s"] >= c[0]["ready_s"]')" = True
check "--cleanup-after removed both" grep -q '"cleanup":{"removed":2' "$out"
check "nothing of theirs is left" nothing_left lxc
check "--boot writes no results line" test "$(grep -c ',demo-lxc,lxc,2,' "$XDG_STATE_HOME/uksmtop/bootstorm.csv")" = 0
done_testing
