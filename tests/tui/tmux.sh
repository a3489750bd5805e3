# tmux.sh - helpers for the view's tmux tests: run uksmtop in a private tmux server and read its screen (sourced).
# Needs tests/lib.sh sourced first. Each test gets its own socket (-L) and
# temporary directory; tm_cleanup (set as the EXIT trap) kills both.

command -v tmux >/dev/null 2>&1 || skip "tmux not installed"
[ -x "$UKSMTOP" ] || skip "$UKSMTOP not built"

# A new server (socket) for every start: a server being killed still holds its
# socket for a moment, and a new session must not reach it.
TM_N=0
TM_SOCK=uksmtest-$$-0
TM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/uksmtop-tui.XXXXXX")
# Every file the program may write (config with W, baseline with B) stays here.
TM_ENV="HOME=$TM_DIR XDG_CONFIG_HOME=$TM_DIR/config XDG_STATE_HOME=$TM_DIR/state UKSMTOP_THEMES_DIR=$top_srcdir/themes"

tm() { tmux -L "$TM_SOCK" -f /dev/null "$@"; }

# tm_lock: one at a time with the integration tests, which share the uksmtest-*
# instances and KSM's settings (the lock of tests/integration/common.sh).
tm_lock() {
	lock=/run/lock/uksmtop-integration.lock
	[ -d /run/lock ] || lock=/tmp/uksmtop-integration.lock
	exec 9>"$lock"
	flock -w 1800 9 || skip "cannot take $lock"
}

tm_cleanup() {
	n=0
	while [ "$n" -le "$TM_N" ]; do
		tmux -L "uksmtest-$$-$n" kill-server >/dev/null 2>&1
		n=$((n + 1))
	done
	rm -rf "$TM_DIR"
}

# tm_start COLS ROWS "VAR=value ..." [ARGS...]: run uksmtop at that size, with
# those variables set (LC_ALL=C.UTF-8 unless given) and ARGS on its command line;
# $TM_WRAP, when set, is a command put in front (e.g. to drop root).
# Its exit status lands in $TM_DIR/exit; the pane then stays, so the screen
# after exit can be read.
tm_start() {
	cols=$1; rows=$2; vars=$3; shift 3
	tm kill-server >/dev/null 2>&1
	TM_N=$((TM_N + 1))
	TM_SOCK=uksmtest-$$-$TM_N
	rm -f "$TM_DIR/exit"
	{
		echo '#!/bin/sh'
		printf 'env LC_ALL=C.UTF-8 %s %s %s' "$TM_ENV" "$vars" "${TM_WRAP:-}"
		printf ' "%s"' "$UKSMTOP" "$@"
		printf ' 2>"%s/stderr"\n' "$TM_DIR"
		printf 'echo "EXIT=$?" >"%s/exit"\n' "$TM_DIR"
		echo 'exec sleep 3600'
	} >"$TM_DIR/run.sh"
	LC_ALL=C.UTF-8 tm new-session -d -s v -x "$cols" -y "$rows" "sh $TM_DIR/run.sh"
}

tm_screen() { LC_ALL=C.UTF-8 tm capture-pane -p -t v 2>/dev/null; }
tm_screen_e() { LC_ALL=C.UTF-8 tm capture-pane -p -e -t v 2>/dev/null; }
tm_keys() { tm send-keys -t v "$@"; }
tm_resize() { tm resize-window -t v -x "$1" -y "$2"; }
# Line N (1-based) of the screen.
tm_line() { tm_screen | sed -n "${1}p"; }
# tm_has REGEX: the screen shows it (extended regular expression).
tm_has() { tm_screen | grep -Eq -- "$1"; }
tm_lacks() { ! tm_has "$1"; }
# tm_wait REGEX [SECONDS]: wait until the screen shows it.
tm_wait() { wait_for "${2:-10}" tm_has "$1"; }
tm_exited() { [ -s "$TM_DIR/exit" ]; }
tm_exit_status() { sed -n 's/^EXIT=//p' "$TM_DIR/exit" 2>/dev/null; }
# The program's pid: the only child of the pane's shell.
tm_pid() {
	pane=$(tm display -p -t v '#{pane_pid}' 2>/dev/null)
	[ -n "$pane" ] && pgrep -P "$pane" | head -n 1
}

# The merging daemon as uksmtop names it, and its run state as the header shows it.
tm_backend() {
	if [ -d /sys/kernel/mm/uksm ]; then echo uksm
	elif [ -d /sys/kernel/mm/ksm ]; then echo ksm
	else echo none
	fi
}
tm_run_word() {
	b=$(tm_backend)
	[ "$b" = none ] && { echo none; return; }
	case $(cat "/sys/kernel/mm/$b/run") in
	0) echo OFF ;;
	1) echo ON ;;
	2) echo UNMERGE ;;
	*) echo '?' ;;
	esac
}
# The header (its first lines) names the backend and its run state as sysfs has it now.
tm_header_matches_sysfs() { tm_screen | head -n 4 | grep -Eq -- "$(tm_backend) +$(tm_run_word)( |\$)"; }

# tm_line_has N REGEX: line N shows it.
tm_line_has() { tm_line "$1" | grep -Eq -- "$2"; }
# tm_all REGEX...: the screen shows every one.
tm_all() {
	for re in "$@"; do
		tm_has "$re" || return 1
	done
}
# tm_exit_is STATUS: the program ends (within 10 s) with that status.
tm_exit_is() { wait_for 10 tm_exited && [ "$(tm_exit_status)" = "$1" ]; }
# The terminal was given back: the pane left the alternate screen.
tm_restored() { [ "$(tm display -p -t v '#{alternate_on}' 2>/dev/null)" = 0 ]; }
tm_ascii_only() { ! tm_screen | LC_ALL=C grep -q '[^ -~]'; }
# No foreground or background colour in the screen's escape sequences.
tm_no_colour() { ! tm_screen_e | grep -Eq '\[([0-9;]*;)?(3[0-7]|4[0-7]|38;5|48;5|9[0-7]|10[0-7])[;m]'; }
# Reverse video somewhere (the table header and the selected row in mono).
tm_has_reverse() { tm_screen_e | grep -Eq '\[([0-9;]*;)?7[;m]'; }
# Only the 8 basic colours: no bright (90-97, 100-107) and no 256-palette codes.
tm_basic_colours_only() { ! tm_screen_e | grep -Eq '\[([0-9;]*;)?(9[0-7]|10[0-7]|38;5|48;5)[;m]'; }
