#!/bin/sh
# toggle.sh - u then y in the view changes the merging daemon's run state, the header follows and the time axis marks it; refused cleanly without root.
. "$top_srcdir/tests/lib.sh"
need_root
. "$top_srcdir/tests/tui/tmux.sh"

command -v flock >/dev/null 2>&1 || skip "flock not found (util-linux)"
tm_lock
backend=$(tm_backend)
[ "$backend" != none ] || skip "no merging daemon (neither uksm nor ksm) in this kernel"
RUN=/sys/kernel/mm/$backend/run
saved=$(cat "$RUN")
restore() {
	echo "$saved" >"$RUN"
	tm_cleanup
}
trap restore EXIT
trap 'exit 1' INT TERM HUP

run_is() { [ "$(cat "$RUN")" = "$1" ]; }
# A toggle on the time axis: a mark in the rule after the legend.
axis_marked() { tm_has "^last .* off +[ ─]*[▲▼]"; }

tm_start 120 40 "" --no-libvirt --no-lxc -d 0.2
check "the header shows the run state sysfs has" wait_for 10 tm_header_matches_sysfs

before=$(cat "$RUN")
if [ "$before" = 1 ]; then want=0 word=OFF; else want=1 word=ON; fi

tm_keys u
check "u asks before changing anything" tm_wait "Turn $backend merging $word\? \(y/n\)"
tm_keys n
check "n: merging left as it was" tm_wait "merging left as it was"
check "n: $RUN unchanged" run_is "$before"

tm_keys u
tm_wait "\(y/n\)" >/dev/null
tm_keys y
check "y: $RUN becomes $want" wait_for 5 run_is "$want"
check "y: the header follows ($backend $word)" wait_for 5 tm_header_matches_sysfs
check "y: the change is reported" tm_wait "run set to"
check "y: the time axis marks the toggle" wait_for 5 axis_marked

# And back, through the view again.
tm_keys u
tm_wait "\(y/n\)" >/dev/null
tm_keys y
check "u y again: $RUN back to $before" wait_for 5 run_is "$before"
check "u y again: the header follows" wait_for 5 tm_header_matches_sysfs
tm_keys q
check "q exits 0" tm_exit_is 0

# Without root: a clear message, and nothing changes.
if command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1 && su -s /bin/sh nobody -c "test -x '$UKSMTOP'"; then
	TM_WRAP="setpriv --reuid=$(id -u nobody) --regid=$(id -g nobody) --clear-groups"
	tm_start 120 40 "" --no-libvirt --no-lxc
	TM_WRAP=
	check "not root: the view comes up" tm_wait "^NAME "
	tm_keys u
	tm_wait "\(y/n\)" >/dev/null
	tm_keys y
	check "not root: a message says root is needed" tm_wait "Permission denied.*needs root"
	check "not root: $RUN unchanged" run_is "$before"
	tm_keys q
	check "not root: q exits 0" tm_exit_is 0
else
	echo "# not-root part left out: no setpriv, no user nobody, or $UKSMTOP not reachable by nobody"
fi

done_testing
