#!/bin/sh
# cli.sh - the boot options' usage errors and refusals, without root or daemons: each names what is wrong, exit 2.
. "$top_srcdir/tests/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state"
quick="--no-libvirt --no-lxc --sysfs-root $top_srcdir/tests/fixtures/sysfs-ksm"
cfg=$tmp/t.ini
printf '[template demo]\ntype = lxc\nsource = somewhere\nready = tcp:80\n' >"$cfg"

# expect STATUS PATTERN ARGS...: exit status, a stderr line matching PATTERN, nothing on stdout.
expect() {
	want=$1 pat=$2
	shift 2
	"$UKSMTOP" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" = "$want" ] && grep -q -e "$pat" "$tmp/err" && [ ! -s "$tmp/out" ]; then
		ok "uksmtop $* -> $want, names '$pat'"
	else
		not_ok "uksmtop $*: status $got (want $want), stderr: $(cat "$tmp/err"), stdout: $(head -c 200 "$tmp/out")"
	fi
}

"$UKSMTOP" --help >"$tmp/help"
for opt in --boot --boot-storm --template --cleanup --cleanup-after --results; do
	check "--help lists $opt" grep -q -e "^ *$opt " "$tmp/help"
done

expect 2 "'0' for --boot" --boot 0 --template demo
expect 2 "'x' for --boot-storm" --boot-storm x --template demo
expect 2 "'2000' for --boot-storm" --boot-storm 2000 --template demo
expect 2 "'a/b' for --template" --template a/b --cleanup
expect 2 "'' for --results" --results "" --boot 1 --template demo
expect 2 "--boot needs --template" --boot 2
expect 2 "--boot-storm needs --template" --boot-storm 2
expect 2 "exclude each other" --boot 1 --boot-storm 2 --template demo
expect 2 "--cleanup-after goes with --boot" --cleanup-after
expect 2 "--template goes with --boot" --template demo
expect 2 "requires an argument" --boot-storm

# Refusals come before anything else, so they need neither root nor a daemon.
expect 2 "--boot-storm: refused in secure mode" -C "$cfg" $quick -s --boot-storm 2 --template demo
expect 2 "--cleanup: refused in secure mode" -C "$cfg" $quick --secure --cleanup
if [ "$(id -u)" != 0 ]; then
	expect 2 "--boot: refused: .*needs root" -C "$cfg" $quick --boot 1 --template demo
	expect 2 "--cleanup: refused: .*needs root" -C "$cfg" $quick --cleanup
else
	expect 2 "no template 'other' in $cfg (templates: demo)" -C "$cfg" $quick --boot 1 --template other
	printf '[uksmtop]\nmax_boot = 2\n' >"$tmp/max.ini"
	cat "$cfg" >>"$tmp/max.ini"
	expect 2 "refused: 3 clones asked, at most 2 at once (max_boot" -C "$tmp/max.ini" $quick --boot-storm 3 --template demo
	expect 2 "type = lxc: lxc is turned off" -C "$cfg" $quick --boot-storm 1 --template DEMO
fi
check "no results file from a refused run" test ! -e "$XDG_STATE_HOME/uksmtop/bootstorm.csv"
done_testing
