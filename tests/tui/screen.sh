#!/bin/sh
# screen.sh - the full-screen view in tmux at 120x40, 80x24 and 40x12: header, sparklines, table, help, resize, keys, themes, exit.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tmux.sh"
trap tm_cleanup EXIT

# Instances are not needed here (tests/tui/instances.sh has them): no backends, a quick start.
NOINST="--no-libvirt --no-lxc"
backend=$(tm_backend)
HELP_KEYS='q  F10|h  \?  F1|space|d |<  >  , .  F6|R |Up Down|PgUp PgDn|Home End|/  F4|Esc|u |B |T |W |n |t |x '

help_lists_every_key() {
	tm_screen >"$TM_DIR/help"
	echo "$HELP_KEYS" | tr '|' '\n' | while IFS= read -r k; do
		grep -Eq "^ $k" "$TM_DIR/help" || { echo "help lacks '$k'" >&2; exit 1; }
	done
}

settings_written() {
	f=$TM_DIR/config/uksmtop/uksmtop.ini
	grep -Eq '^delay *= *2.5' "$f" && grep -Eq '^theme *= *light' "$f"
}

# --- 120x40: everything shows --------------------------------------------------
tm_start 120 40 "" $NOINST
check "120x40: the header appears" tm_wait "$backend +(ON|OFF|UNMERGE|none)"
check "120x40: header shows backend $backend and the run state sysfs has" wait_for 5 tm_header_matches_sysfs
check "120x40: memory line" tm_has "used .*iB / .*iB .*baseline .*overhead"
if [ "$backend" != none ]; then
	check "120x40: pages line" tm_has "shared .*sharing .*unshared .*saved .*ratio .*scans"
fi
check "120x40: three sparklines" tm_all "cpu .* max " "^scan rate .* max " "^overhead .* max "
check "120x40: the time axis" tm_has "^last .* on .* off"
check "120x40: every column" tm_has "^NAME +TYPE +STATE +PID +.?RSS +PSS +SHR +KSM +KSM%"
check "120x40: totals row" tm_has "^TOTAL 0"
check "120x40: function bar on the last line" tm_line_has 40 "hHelp.*qQuit"
check "120x40: sparklines use block glyphs in UTF-8" wait_for 5 tm_has "▁"

# --- help ----------------------------------------------------------------------
tm_keys h
check "h shows the help" tm_wait "help: keys"
check "the help lists every key" help_lists_every_key
tm_keys Escape
check "any key leaves the help" tm_wait "^NAME "

# --- resize -----------------------------------------------------------------------
tm_resize 80 24
check "resize to 80x24: redrawn at once, every column" tm_wait "^NAME +TYPE +STATE +PID +.?RSS +PSS +SHR +KSM +KSM%"
check "80x24: bar on line 24" tm_line_has 24 "qQuit"
check "80x24: sparklines still there" tm_has "^scan rate"
tm_resize 40 12
check "resize to 40x12: fewer columns" tm_wait "^NAME +.?RSS +KSM +KSM%"
check "40x12: no PID column" tm_lacks "PID"
check "40x12: no sparklines" tm_lacks "^scan rate"
check "40x12: bar on line 12" tm_line_has 12 "qQuit"
check "40x12: header still names backend and state" tm_header_matches_sysfs
tm_resize 30 10
check "30x10: terminal too small" tm_wait "terminal too small"
tm_resize 120 40
check "back to 120x40" tm_wait "^scan rate"
check "still running after the resizes" test ! -s "$TM_DIR/exit"

# --- keys -----------------------------------------------------------------------
before=$(tm_screen_e)
tm_keys T
check "T: next theme, said on the bottom line" tm_wait "theme high-contrast"
after=$(tm_screen_e)
check "T: the colours changed" [ "$before" != "$after" ]
tm_keys T
check "T again: the one after" tm_wait "theme light"

tm_keys d
check "d asks for the delay" tm_wait "Delay in seconds"
tm_keys a b c Enter
check "d: a bad delay is refused" tm_wait "'abc' is not a number of seconds from 0.05 to 3600"
tm_keys d 9 9 9 9 Enter
check "d: out of range is refused" tm_wait "'9999' is not a number"
tm_keys d 2 . 5 Enter
check "d: 2.5 s taken, the header follows" tm_wait "every 2.5s"

tm_keys /
check "/ asks for a filter" tm_wait "Filter by name"
tm_keys z z z Enter
check "/: the filter shows in the header" tm_wait "filter zzz"
tm_keys Escape
check "Esc clears the filter" wait_for 5 tm_lacks "filter zzz"

# No config here, so no template: n and t say how to make one (or, not root, that root is needed).
tm_keys n
check "n without a template says how to make one" \
	tm_wait "no templates to boot: tests/demo/setup.sh writes demo-lxc and demo-kvm|booting instances needs root"
tm_keys t
check "t without a template says so too" tm_wait "no templates to boot|a boot storm needs root"
check "n, t: no prompt is left open" tm_line_has 40 "hHelp.*qQuit"

tm_keys '>'
check "> sorts by the next column" tm_wait "▼PSS"
tm_keys R
check "R reverses it" tm_wait "▲PSS"
tm_keys '<' '<'
check "< < goes back past RSS to PID" tm_wait "▼PID"

tm_keys W
check "W writes the settings" tm_wait "settings written to $TM_DIR/config/uksmtop/uksmtop.ini"
check "W: the file holds the delay and the theme" settings_written

tm_keys q
check "q: exit status 0" tm_exit_is 0
check "q: the terminal is restored (alternate screen left)" tm_restored
check "nothing on stderr" test ! -s "$TM_DIR/stderr"
[ -s "$TM_DIR/stderr" ] && head -n 20 "$TM_DIR/stderr" >&2

# --- starting small ------------------------------------------------------------------
tm_start 80 24 "" $NOINST
check "80x24 from the start: header with backend and run state" wait_for 10 tm_header_matches_sysfs
check "80x24 from the start: sparklines and every column" wait_for 5 tm_all "^scan rate" "^NAME +TYPE +STATE +PID"
tm_keys q
check "80x24: q exits 0" tm_exit_is 0

tm_start 40 12 "" $NOINST
check "40x12 from the start: header with backend and run state" wait_for 10 tm_header_matches_sysfs
check "40x12 from the start: the table" tm_wait "^NAME +.?RSS"
check "40x12 from the start: no sparklines" tm_lacks "^scan rate"
tm_keys q
check "40x12: q exits 0" tm_exit_is 0

# --- no Unicode, no colour, a poor terminal -------------------------------------------
tm_start 80 24 "LC_ALL=C" $NOINST
check "C locale: the view comes up" tm_wait "^scan rate"
check "C locale: ASCII sparkline ramp and time axis" wait_for 5 tm_all "max .* _+\$" "^last .* -+\$"
check "C locale: nothing but ASCII on the screen" tm_ascii_only
tm_keys q
check "C locale: q exits 0" tm_exit_is 0

tm_start 80 24 "NO_COLOR=1" $NOINST
check "NO_COLOR: the view comes up and says why it is plain" tm_wait "NO_COLOR is set"
check "NO_COLOR: no colour on the screen" tm_no_colour
check "NO_COLOR: reverse video still marks header and selection" tm_has_reverse
tm_keys q
check "NO_COLOR: q exits 0" tm_exit_is 0

tm_start 80 24 "TERM=vt100" $NOINST
check "TERM=vt100: the view comes up" tm_wait "^NAME "
check "TERM=vt100: it says there are no colours" tm_has "no colours"
check "TERM=vt100: no colour on the screen" tm_no_colour
tm_keys q
check "TERM=vt100: q exits 0" tm_exit_is 0

tm_start 80 24 "TERM=xterm" $NOINST -t high-contrast
check "8 colours: the view comes up" tm_wait "^NAME "
check "8 colours: bright colours become basic ones (bold)" tm_basic_colours_only
check "8 colours: but still colour" eval '! tm_no_colour'
tm_keys q
check "8 colours: q exits 0" tm_exit_is 0

# --- themes from the command line -------------------------------------------------------
tm_start 120 40 "" $NOINST -t nosuch
check "-t nosuch: a message naming the theme" tm_wait "theme 'nosuch' not found"
check "-t nosuch: the view runs with the default" tm_has "^NAME "
tm_keys q
check "-t nosuch: q exits 0" tm_exit_is 0

mkdir -p "$TM_DIR/badthemes"
printf '[colors]\nrow = purple,black\n' >"$TM_DIR/badthemes/broken.ini"
tm_start 120 40 "UKSMTOP_THEMES_DIR=$TM_DIR/badthemes" $NOINST -t broken
check "a bad colour: message naming file, key and value" \
	tm_wait "broken.ini: \[colors\] row = purple,black: unknown colour 'purple'"
tm_keys q
check "a bad theme: q exits 0" tm_exit_is 0

# --- secure mode ----------------------------------------------------------------------
tm_start 120 40 "" $NOINST -s
tm_wait "^NAME " >/dev/null
tm_keys u
check "-s: u is refused with a message" tm_wait "secure mode: turning merging on or off is refused"
check "-s: nothing was changed (no run-state event)" tm_lacks "run set to"
tm_keys W
check "-s: W is refused" tm_wait "secure mode: writing the config file is refused"
tm_keys q
check "-s: q exits 0" tm_exit_is 0

# --- signals ------------------------------------------------------------------------------
tm_start 120 40 "" $NOINST
tm_wait "^NAME " >/dev/null
pid=$(tm_pid)
check "SIGTERM: found the program's pid" [ -n "$pid" ]
[ -n "$pid" ] && kill -TERM "$pid"
check "SIGTERM: exit status 128+15" tm_exit_is 143
check "SIGTERM: the terminal is restored" tm_restored

done_testing
