#!/bin/sh
# instances.sh - the view lists the real test instances (two LXC containers; a TCG guest too with UKSMTOP_TEST_KVM=1) by name, with totals and a filter.
. "$top_srcdir/tests/lib.sh"
need_root
. "$top_srcdir/tests/tui/tmux.sh"

ASSETS=$top_srcdir/tests/integration/assets.sh
[ -f "$ASSETS" ] || skip "no $ASSETS"
command -v lxc-create >/dev/null 2>&1 || skip "lxc not installed (package lxc)"
command -v flock >/dev/null 2>&1 || skip "flock not found (util-linux)"
tm_lock
# As the integration tests do: the instances go at the end unless UKSMTOP_KEEP_ASSETS is set.
cleanup() {
	tm_cleanup
	if [ -n "${UKSMTOP_KEEP_ASSETS:-}" ]; then
		echo "# keeping the uksmtest-* instances (UKSMTOP_KEEP_ASSETS)"
	else
		sh "$ASSETS" teardown
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
sh "$ASSETS" setup-lxc 2 || { not_ok "assets.sh setup-lxc 2"; done_testing; }
names="uksmtest-c1 uksmtest-c2"
opts=--no-libvirt
if [ "${UKSMTOP_TEST_KVM:-0}" = 1 ]; then
	sh "$ASSETS" setup-kvm 1 || { not_ok "assets.sh setup-kvm 1"; done_testing; }
	names="$names uksmtest-g1"
	opts=
fi

row_of() { tm_has "^$1 +(lxc|kvm) +running +[0-9]+ +[0-9.]+ [KMG]iB"; }
all_rows() {
	for n in $names; do
		row_of "$n" || return 1
	done
}
# At 40 columns: NAME RSS KSM KSM% only.
all_names() {
	for n in $names; do
		tm_has "^$n +[0-9.]+ [KMG]iB " || return 1
	done
}

for size in "120 40" "80 24" "40 12"; do
	set -- $size
	tm_start "$1" "$2" "" $opts
	if [ "$1" -ge 80 ]; then
		check "$1x$2: every instance has its row (name, type, state, pid, RSS)" wait_for 15 all_rows
	else
		check "$1x$2: every instance's name shows, with its RSS" wait_for 15 all_names
	fi
	check "$1x$2: the totals row counts them" tm_has "^TOTAL [0-9]+"
	if [ "$1" = 120 ]; then
		tm_keys /
		tm_keys u k s m t e s t - c 2 Enter
		check "filter c2: only that row" wait_for 5 tm_all "^uksmtest-c2 " "^TOTAL 1 of [0-9]+"
		check "filter c2: c1 hidden" tm_lacks "^uksmtest-c1 "
		tm_keys Escape
		check "Esc: c1 back" tm_wait "^uksmtest-c1 "
	fi
	tm_keys q
	check "$1x$2: q exits 0" tm_exit_is 0
done

done_testing
