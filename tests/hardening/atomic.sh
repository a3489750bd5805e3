#!/bin/sh
# atomic.sh - the files uksmtop writes (the baseline state, the config with W, the boot-storm
# results) on a full disk: a clear message, the old file byte for byte as it was, and no
# temporary file left behind; with room again the same write succeeds.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hardening/common.sh"

need_root
[ -x "$UKSMTOP" ] || skip "no uksmtop binary at $UKSMTOP"
hd_lock

mnt=$hd_tmp/mnt
export HOME="$hd_tmp/home" XDG_CONFIG_HOME="$hd_tmp/home/config" XDG_STATE_HOME="$mnt/state"
mkdir -p "$HOME"
# No instance, a fixed merging daemon: only the writes matter here.
S="--no-libvirt --no-lxc --sysfs-root $top_srcdir/tests/fixtures/sysfs-ksm"

# same FILE: FILE is byte for byte its copy FILE.before.
same() { cmp -s "$1" "$1.before"; }

# ---- the baseline state: --baseline-now ------------------------------------------------
hd_tmpfs "$mnt/state" 64k || { not_ok "mount a 64 KiB tmpfs"; done_testing; }
base=$XDG_STATE_HOME/uksmtop/baseline
"$UKSMTOP" -b -n 1 $S --baseline-now >/dev/null 2>"$hd_tmp/err"
check "--baseline-now with room: exit 0" test $? = 0
check "--baseline-now with room: the state file is written" test -s "$base"
cp -p "$base" "$base.before"
check "the state tmpfs is full" hd_fill "$mnt/state"
"$UKSMTOP" -b -n 1 $S --baseline-now >"$hd_tmp/out" 2>"$hd_tmp/err"
st=$?
hd_show "$hd_tmp/err" "stderr: "
check "--baseline-now on a full disk: exit 1 (got $st)" test "$st" = 1
check "--baseline-now on a full disk: one line naming the file and the reason" \
	sh -c "test \$(wc -l <'$hd_tmp/err') = 1 && grep -q '$base: No space left on device' '$hd_tmp/err'"
check "--baseline-now on a full disk: the line says the old file is unchanged" grep -q "old file is unchanged" "$hd_tmp/err"
check "--baseline-now on a full disk: the old file is byte-identical" same "$base"
check "--baseline-now on a full disk: no temporary file left" hd_no_tmp "$(dirname "$base")"

# ---- the view: W (config) and B (baseline) on full disks ---------------------------------
if command -v tmux >/dev/null 2>&1; then
	. "$top_srcdir/tests/tui/tmux.sh"
	hd_at_exit tm_cleanup
	hd_tmpfs "$mnt/config" 64k || { not_ok "mount a 64 KiB tmpfs"; done_testing; }
	cfg=$mnt/config/uksmtop.ini
	printf '; my own settings, by hand\n[uksmtop]\ndelay = 1\ntheme = default\n' >"$cfg"
	chmod 644 "$cfg"
	tm_start 200 50 "XDG_STATE_HOME=$mnt/state" -C "$cfg" $S
	check "view: comes up" tm_wait "^NAME "
	tm_keys d 2 . 5 Enter
	tm_wait "every 2.5s" >/dev/null
	tm_keys W
	check "view, W with room: written" tm_wait "settings written to $cfg"
	check "view, W with room: the file holds delay = 2.5" grep -Eq '^delay *= *2.5$' "$cfg"
	cp -p "$cfg" "$cfg.before"
	check "the config tmpfs is full" hd_fill "$mnt/config"
	tm_keys d 3 Enter
	tm_wait "every 3s" >/dev/null
	tm_keys W
	check "view, W on a full disk: the message names the file and the reason" \
		tm_wait "cannot write $cfg: No space left on device"
	check "view, W on a full disk: the message says the old file is unchanged" tm_has "old file is unchanged"
	check "view, W on a full disk: the old file is byte-identical" same "$cfg"
	check "view, W on a full disk: no temporary file left" hd_no_tmp "$mnt/config"
	tm_keys B
	check "view, B on a full disk: the message says the baseline was not stored" \
		tm_wait "$base: No space left on device"
	check "view, B on a full disk: the old state file is byte-identical" same "$base"
	check "view, B on a full disk: no temporary file left" hd_no_tmp "$(dirname "$base")"
	hd_unfill "$mnt/config"
	tm_keys W
	check "view, W with room again: written" tm_wait "settings written to $cfg"
	check "view, W with room again: the file holds delay = 3" grep -Eq '^delay *= *3$' "$cfg"
	check "view, W with room again: no temporary file left" hd_no_tmp "$mnt/config"
	check "view: still running" test ! -s "$TM_DIR/exit"
	tm_keys q
	check "view: q exits 0" tm_exit_is 0
	check "view: nothing on stderr" test ! -s "$TM_DIR/stderr"
	hd_show "$TM_DIR/stderr" "stderr: "
else
	skip "tmux not found (package: tmux)"
fi

# ---- the boot-storm results file -------------------------------------------------------------
if ! "$UKSMTOP" --help | grep -q -- '--results'; then
	echo "# no --results option in this build: the results file is not tested"
	done_testing
fi
# A stopped busybox container is the source; its clones are uksmtest-bs-N, which the
# instances' teardown removes too, should --cleanup not.
hd_instances 0 1
lxc-stop -k -n uksmtest-c1 >/dev/null 2>&1
bcfg=$hd_tmp/boot.ini
printf '[template hard]\ntype = lxc\nsource = uksmtest-c1\nready = state\ntimeout = 60\nprefix = uksmtest-bs-\n' >"$bcfg"
hd_at_exit "'$UKSMTOP' -C '$bcfg' --cleanup >/dev/null 2>&1"
hd_tmpfs "$mnt/results" 64k || { not_ok "mount a 64 KiB tmpfs"; done_testing; }
res=$mnt/results/bootstorm.csv

"$UKSMTOP" -C "$bcfg" -o json --boot-storm 1 --template hard --results "$res" >"$hd_tmp/out" 2>"$hd_tmp/err"
st=$?
hd_show "$hd_tmp/err" "stderr: "
check "a storm with room: exit 0 (got $st)" test "$st" = 0
check "a storm with room: header and one line in the results" test "$(wc -l <"$res" 2>/dev/null)" = 2
cp -p "$res" "$res.before"
check "the results tmpfs is full" hd_fill "$mnt/results"
"$UKSMTOP" -C "$bcfg" -o json --boot-storm 1 --template hard --results "$res" >"$hd_tmp/out" 2>"$hd_tmp/err"
st=$?
hd_show "$hd_tmp/err" "stderr: "
check "a storm on a full disk: exit 1, the results are unwritten (got $st)" test "$st" = 1
check "a storm on a full disk: its result is still printed" grep -q '^{"boot"' "$hd_tmp/out"
check "a storm on a full disk: one line says the results were not written, naming the file and why" \
	sh -c "test \$(grep -c 'results not written' '$hd_tmp/err') = 1 &&
		grep -q 'results not written: cannot write $res: No space left on device' '$hd_tmp/err'"
check "a storm on a full disk: the old results file is byte-identical" same "$res"
check "a storm on a full disk: no temporary file left" hd_no_tmp "$mnt/results"
"$UKSMTOP" -C "$bcfg" --cleanup >"$hd_tmp/out" 2>&1
check "--cleanup removes the two clones" grep -q "removed 2 clones" "$hd_tmp/out"
hd_show "$hd_tmp/out" ""
done_testing
