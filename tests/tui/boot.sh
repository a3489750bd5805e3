#!/bin/sh
# boot.sh - n, t and x in the view: a storm of 2 LXC clones and its result panel, x removing them, n booting one, Esc cancelling, refusals.
#
# Like tests/boot/storm_lxc.sh it makes its own bridge (uksmttbr0, 10.213.79.0/24),
# its own busybox source (uksm-tt-lxc, clones uksm-tt-lxc-N) and its own config
# file, with tests/demo/setup.sh; the trap removes them all.
. "$top_srcdir/tests/lib.sh"
need_root
. "$top_srcdir/tests/tui/tmux.sh"

for c in flock ip lxc-create lxc-ls python3; do
	command -v "$c" >/dev/null 2>&1 || skip "$c not found (packages: util-linux iproute2 lxc python3)"
done
tm_lock

TT_BASE=uksm-tt
TT_BRIDGE=uksmttbr0
TT_NET=10.213.79
DEMO=$top_srcdir/tests/demo/setup.sh
CFG=$TM_DIR/uksmtop.ini
RES=$TM_DIR/state/uksmtop/bootstorm.csv
made=

cleanup() {
	if [ -n "$made" ]; then
		"$UKSMTOP" -C "$CFG" --cleanup >/dev/null 2>&1
		sh "$DEMO" --remove --name "$TT_BASE" --bridge "$TT_BRIDGE" --net "$TT_NET" --no-kvm "$CFG" >/dev/null 2>&1
	fi
	tm_cleanup
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

made=1
if ! sh "$DEMO" --name "$TT_BASE" --bridge "$TT_BRIDGE" --net "$TT_NET" --no-kvm "$CFG" >"$TM_DIR/setup.log" 2>&1; then
	sed 's/^/# /' "$TM_DIR/setup.log"
	not_ok "tests/demo/setup.sh makes the LXC demo"
	done_testing
fi
# A template whose probe never succeeds (nothing listens on port 9): a storm to cancel.
cat >>"$CFG" <<EOF

[template never]
type = lxc
source = $TT_BASE-lxc
ready = tcp:9
timeout = 20
prefix = $TT_BASE-nv-
address = $TT_NET.50
EOF

clones() { lxc-ls -1 2>/dev/null | grep -E "^$TT_BASE-(lxc|nv)-[0-9]+\$"; }
no_clones() { [ -z "$(clones)" ]; }
row_running() { tm_has "^$1 +lxc +running "; }
rows_running() {
	for n in "$@"; do
		row_running "$n" || return 1
	done
}
no_rows() { tm_lacks "^$TT_BASE-(lxc|nv)-[0-9]+ "; }
storm_lines() { grep -c ",$1,lxc,$2," "$RES" 2>/dev/null; }

# --- t: a storm of two clones, its result panel ------------------------------------------
tm_start 120 40 "" -C "$CFG" --no-libvirt -d 0.5
check "the view comes up" tm_wait "^NAME "
tm_keys t
check "t asks for the template, listing them" tm_wait "Boot storm: which template"
check "t: the templates are listed" tm_all "> 1  demo-lxc +lxc  source $TT_BASE-lxc  ready ping" " 2  never "
tm_keys Enter
check "Enter takes it, then n is asked" tm_wait "Boot storm of demo-lxc: how many clones \(1 to 64\)\?"
tm_keys 0 Enter
check "n = 0 is refused" tm_wait "'0' is not a number of clones from 1 to 64"
check "nothing was booted" no_clones
tm_keys t Enter 2 Enter
check "the storm ends with its result panel" tm_wait "Boot storm of demo-lxc \(lxc, 2 clones\): done .*any key closes" 60
tm_screen >"$TM_DIR/result.txt"
sed 's/^/# /' "$TM_DIR/result.txt"
check "result: total time, 2 of 2 ready" tm_has "total +[0-9]+\.[0-9]+ s +2 of 2 ready, 0 failed"
check "result: min, median and max per clone" tm_has "per clone +min [0-9.]+ s +median [0-9.]+ s +max [0-9.]+ s"
check "result: mean and peak host CPU" tm_has "host CPU +mean [0-9.]+% +peak [0-9.]+%"
check "result: the line appended to the results file, by path" tm_has "a line was appended to $RES"
check "result: the table's totals row still shows above the panel" tm_has "^TOTAL [0-9]+ "
check "result: each clone's ready time" tm_all "$TT_BASE-lxc-1 +$TT_NET\.[0-9]+ +ready [0-9.]+ s" "$TT_BASE-lxc-2 +$TT_NET\.[0-9]+ +ready"
check "the results file got the storm's line" test "$(storm_lines demo-lxc 2)" = 1
tm_resize 80 24
check "80x24: the result panel still shows total and times per clone" \
	tm_wait "total +[0-9.]+ s +2 of 2 ready" && tm_has "per clone +min "
tm_resize 120 40
check "the clones are listed in the table, running" wait_for 10 rows_running "$TT_BASE-lxc-1" "$TT_BASE-lxc-2"
tm_keys Space
check "any key closes the result panel" wait_for 5 tm_lacks "any key closes"

# --- x: remove them ----------------------------------------------------------------------------
tm_keys x
c1=$TT_BASE-lxc-1 c2=$TT_BASE-lxc-2
check "x asks first, saying how many clones it sees" tm_wait "Remove uksmtop's clones \(y/n\)\? The table shows 2: ($c1, $c2|$c2, $c1);"
tm_keys n
check "x n: nothing removed" tm_wait "nothing removed"
check "x n: the clones are still there" test "$(clones | wc -l)" = 2
tm_keys x
tm_wait "\(y/n\)" >/dev/null
tm_keys y
check "x y: says how many it removed" tm_wait "removed 2 clones: ($c1, $c2|$c2, $c1)" 30
check "x y: lxc-ls shows none of them" no_clones
check "x y: their rows go" wait_for 10 no_rows

# --- n: one clone, one by one -----------------------------------------------------------------------
tm_keys n
check "n asks for the template" tm_wait "Boot one by one: which template"
tm_keys 1
check "a digit picks the template" tm_wait "Boot one by one of demo-lxc: how many clones"
tm_keys 1 Enter
check "n 1: booted, all ready" tm_wait "booted 1 clone of demo-lxc one by one: all ready" 60
check "n 1: its row appears" wait_for 10 row_running "$TT_BASE-lxc-1"
check "n writes no line to the results file" test "$(grep -c ',demo-lxc,lxc,1,' "$RES")" = 0

# --- Esc cancels a storm that cannot end by itself -------------------------------------------------
tm_keys t 2 1 Enter
check "a storm whose probe never succeeds shows live figures" tm_wait "elapsed [0-9.]+ s +0 of 1 ready +1 started" 30
check "live: host CPU now, mean and peak" tm_has "host CPU +now [0-9.-]+%? +mean [0-9.-]+%? +peak"
check "live: its clone, probing" tm_has "$TT_BASE-nv-1 +$TT_NET\.50 +probing"
check "live: the table and its totals row stay above the panel" wait_for 5 tm_all "^$TT_BASE-nv-1 +lxc " "^TOTAL [0-9]+ "
tm_keys Escape
check "Esc cancels: the panel says so" tm_wait "Boot storm of never \(lxc, 1 clone\): cancelled" 10
check "cancelled: nothing written to the results file" tm_has "nothing written"
check "cancelled: no line for it" test "$(storm_lines never 1)" = 0
tm_keys Escape
check "a key closes it" wait_for 5 tm_lacks "any key closes"
tm_keys x
tm_wait "\(y/n\)" >/dev/null
tm_keys y
check "x y: the one-by-one clone and the cancelled one are removed" tm_wait "removed 2 clones" 30
check "x y: lxc-ls shows no clone" no_clones
tm_keys q
check "q exits 0" tm_exit_is 0
check "nothing on stderr" test ! -s "$TM_DIR/stderr"

# --- refusals: secure mode, not root ---------------------------------------------------------------
before=$(lxc-ls -1 2>/dev/null | sort)
tm_start 120 40 "" -C "$CFG" --no-libvirt -s
tm_wait "^NAME " >/dev/null
tm_keys t
check "-s: t is refused with a message" tm_wait "secure mode: a boot storm is refused"
check "-s: no prompt" tm_lacks "which template"
tm_keys n
check "-s: n is refused" tm_wait "secure mode: booting instances is refused"
tm_keys x
check "-s: x is refused" tm_wait "secure mode: removing uksmtop's clones is refused"
check "-s: nothing changed" test "$(lxc-ls -1 2>/dev/null | sort)" = "$before"
tm_keys q
check "-s: q exits 0" tm_exit_is 0

if command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1 && su -s /bin/sh nobody -c "test -x '$UKSMTOP'"; then
	TM_WRAP="setpriv --reuid=$(id -u nobody) --regid=$(id -g nobody) --clear-groups"
	tm_start 120 40 "" --no-libvirt --no-lxc
	TM_WRAP=
	tm_wait "^NAME " >/dev/null
	tm_keys t
	check "not root: t is refused, root named" tm_wait "a boot storm needs root"
	tm_keys x
	check "not root: x is refused" tm_wait "removing uksmtop's clones needs root"
	tm_keys q
	check "not root: q exits 0" tm_exit_is 0
else
	echo "# not-root part left out: no setpriv, no user nobody, or $UKSMTOP not reachable by nobody"
fi
check "the refused runs changed nothing" test "$(lxc-ls -1 2>/dev/null | sort)" = "$before"

done_testing
