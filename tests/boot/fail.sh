#!/bin/sh
# fail.sh - a probe that cannot succeed (tcp on a port nothing listens on): exit 1 naming every clone, within the timeout, nothing left after --cleanup.
. "$top_srcdir/tests/boot/common.sh"

TIMEOUT=3
setup_demo lxc
add_template closed type=lxc source=$BT_LXC ready=tcp:81 timeout=$TIMEOUT prefix=$BT_LXC- address=$BT_NET.11

out=$bt_tmp/closed.json
t0=$(date +%s.%N)
"$UKSMTOP" -C "$CFG" -o json --boot-storm 2 --template closed >"$out" 2>"$out.err"
rc=$?
t1=$(date +%s.%N)
wall=$(python3 -c "print(round($t1 - $t0, 2))")
echo "# exit $rc after $wall s"
sed 's/^/# stderr: /' "$out.err"
check "the storm exits 1" test "$rc" = 1
check "stderr names both clones as not ready" \
	grep -q "not ready: $BT_LXC-1 (not ready within $TIMEOUT s (tcp $BT_NET.11:81)); $BT_LXC-2 (not ready within $TIMEOUT s (tcp $BT_NET.12:81))" "$out.err"
check "both are failed in the result, failed = 2" \
	test "$(boot_json "$out" 'b["failed"] == 2 and all(x["state"] == "failed" for x in c)')" = True
check "the storm gave up at its timeout: $TIMEOUT s <= total_s < $TIMEOUT.5 s" \
	test "$(boot_json "$out" "$TIMEOUT <= b['total_s'] < $TIMEOUT + 0.5")" = True
check "the whole run took less than the timeout + 10 s ($wall s)" le "$wall" "$((TIMEOUT + 10))"
check "the results file records failed = 2" \
	grep -q ",closed,lxc,2,[0-9.]*,,,,[0-9.]*,[0-9.]*,2\$" "$XDG_STATE_HOME/uksmtop/bootstorm.csv"

# The clones stay (they run, only the probe failed) until --cleanup.
check "the failed clones still exist before --cleanup" sh -c "lxc-ls -1 | grep -qx '$BT_LXC-2'"
"$UKSMTOP" -C "$CFG" --cleanup --template closed >"$bt_tmp/cleanup.out" 2>&1
check "--cleanup --template closed removes 2 clones" grep -q "removed 2 clones" "$bt_tmp/cleanup.out"
check "nothing of theirs is left" nothing_left lxc
teardown_demo
check "the demo's removal leaves neither source nor bridge" sources_gone lxc
done_testing
