#!/bin/sh
# resize.sh - the view at -d 0.05 resized 200 times in 10 s (40x12 to 200x60, and below the
# minimum) while keys arrive all the time: it stays up, the final screen is a whole frame
# that a full redraw does not change, and q exits 0.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hardening/common.sh"

need_root
[ -x "$UKSMTOP" ] || skip "no uksmtop binary at $UKSMTOP"
hd_need tmux tmux
hd_need awk mawk
. "$top_srcdir/tests/tui/tmux.sh"
hd_lock
# u is among the keys (always answered by something other than y); KSM's run is put back anyway.
hd_ksm_save
hd_at_exit tm_cleanup
# A few rows in the table: containers start in a second.
hd_instances 0 3

RESIZES=${RESIZE_COUNT:-200}
SECONDS_FOR_ALL=10

tm_start 120 40 "" --no-libvirt -d 0.05
check "the view comes up with the containers" tm_wait "^uksmtest-c3 " 20

# Sizes from a fixed pseudo-random sequence; every tenth is below the minimum (40x12).
awk -v n="$RESIZES" 'BEGIN {
	srand(7)
	for (i = 1; i <= n; i++) {
		if (i % 10 == 0) { printf "%d %d\n", 10 + int(rand() * 30), 3 + int(rand() * 9); continue }
		printf "%d %d\n", 40 + int(rand() * 161), 12 + int(rand() * 49)
	}
}' >"$hd_tmp/sizes"

# Keys all the time: moves, sorts, help, themes, the prompts and their Escape, redraw,
# and u (answered by the next key, never y: nothing is switched).
keys_spam() {
	while [ ! -e "$hd_tmp/stop" ]; do
		tm_keys j j k Down Up '<' '>' R g G PPage NPage Home End Space 2>/dev/null
		tm_keys T h x n t u x / u k s Escape d 9 Escape C-l 2>/dev/null
		sleep 0.02
	done
}
keys_spam &
spam=$!
hd_at_exit "touch '$hd_tmp/stop'; kill $spam 2>/dev/null"

pause=$(awk -v n="$RESIZES" -v t="$SECONDS_FOR_ALL" 'BEGIN { printf "%.3f", t / n }')
t0=$(date +%s.%N)
done_n=0
next=$(awk -v t="$t0" 'BEGIN { printf "%.3f", t }')
while read -r cols rows; do
	tm_resize "$cols" "$rows" 2>/dev/null && done_n=$((done_n + 1))
	# Keep to the pace: RESIZES in SECONDS_FOR_ALL whatever a resize costs.
	next=$(awk -v a="$next" -v p="$pause" 'BEGIN { printf "%.3f", a + p }')
	wait_s=$(awk -v a="$next" -v now="$(date +%s.%N)" 'BEGIN { d = a - now; if (d < 0) d = 0; printf "%.3f", d }')
	sleep "$wait_s"
done <"$hd_tmp/sizes"
t1=$(date +%s.%N)
touch "$hd_tmp/stop"
wait "$spam"
echo "# $done_n resizes in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s, keys sent all along"
check "all $RESIZES resizes done" test "$done_n" = "$RESIZES"

pid=$(tm_pid)
check "uksmtop is alive after the storm" sh -c "test -n '$pid' && kill -0 '$pid'"
check "it has not exited" test ! -s "$TM_DIR/exit"

# Back to a known size and a calm state: out of any prompt or help, no filter, no message,
# and no new samples (the delay set to an hour) so that the screen stands still.
tm_resize 120 40
sleep 0.5
tm_keys Escape
sleep 0.3
tm_keys Escape
sleep 0.3
tm_keys d 3 6 0 0 Enter
check "the delay prompt still works after the storm" tm_wait "every 3600s"
sleep 0.5
tm_keys Escape
sleep 0.5

tm_screen >"$hd_tmp/final"
tm_screen_e >"$hd_tmp/final.e"
sed 's/^/# | /' "$hd_tmp/final"
check "final screen: the header names the backend and its run state as sysfs has it" tm_header_matches_sysfs
check "final screen: the table header" grep -Eq "^NAME +TYPE +STATE +PID" "$hd_tmp/final"
check "final screen: the three containers" \
	sh -c "grep -c '^uksmtest-c[123] ' '$hd_tmp/final' | grep -qx 3"
check "final screen: the last line is the function bar" tm_line_has 40 "hHelp.*qQuit"
check "final screen: no escape character in the text" sh -c "! grep -q \"\$(printf '\\033')\" '$hd_tmp/final'"
check "final screen: no escape sequence printed as text" sh -c "! grep -Eq '\\[[0-9;?]+[A-HJKSTfhlmr]' '$hd_tmp/final'"
check "final screen: not 'terminal too small'" sh -c "! grep -q 'terminal too small' '$hd_tmp/final'"
# What the terminal shows is what the program believes it shows: a full redraw changes nothing.
tm_keys C-l
sleep 0.5
tm_screen_e >"$hd_tmp/redrawn.e"
# tmux writes a return to the default attributes either at the end of one line or at
# the start of the next, and trims a line's trailing blanks only when no such sequence
# follows them: that is how the capture is written, not what the cells hold.
for f in final.e redrawn.e; do
	sed -i -e "s/\(\x1b\[[0-9;]*m\| \)*\$//" -e "s/^\(\x1b\[\(0\|39\|49\)m\)*//" "$hd_tmp/$f"
done
check "final screen: a full redraw (Ctrl-L) leaves every cell and colour as it was" \
	cmp -s "$hd_tmp/final.e" "$hd_tmp/redrawn.e"
cmp -s "$hd_tmp/final.e" "$hd_tmp/redrawn.e" || diff "$hd_tmp/final.e" "$hd_tmp/redrawn.e" | sed 's/^/# diff: /' | head -20

tm_keys q
check "q exits 0" tm_exit_is 0
check "nothing on stderr" test ! -s "$TM_DIR/stderr"
hd_show "$TM_DIR/stderr" "stderr: "
done_testing
