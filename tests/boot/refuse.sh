#!/bin/sh
# refuse.sh - refused boots change nothing: secure mode, an unprivileged user, too many clones, too little memory, an unknown source.
. "$top_srcdir/tests/boot/common.sh"

command -v setpriv >/dev/null 2>&1 || skip "setpriv not found (package util-linux)"
setup_demo "lxc kvm"
add_template nosource type=lxc source=uksm-bt-absent ready=ping address=$BT_NET.60
# Config and temporary directory must be readable by the unprivileged user.
chmod 644 "$CFG"

before=$bt_tmp/before
{ list_lxc; echo --; list_kvm; } >"$before"

# expect_refused DESCRIPTION PATTERN COMMAND...: exit 2, a stderr line matching PATTERN.
expect_refused() {
	what=$1 pat=$2
	shift 2
	"$@" >"$bt_tmp/out" 2>"$bt_tmp/err"
	rc=$?
	if [ "$rc" = 2 ] && grep -q -e "$pat" "$bt_tmp/err"; then
		ok "$what: exit 2, '$(head -n 1 "$bt_tmp/err")'"
	else
		not_ok "$what: exit $rc (want 2), stderr: $(cat "$bt_tmp/err")"
	fi
	{ list_lxc; echo --; list_kvm; } >"$bt_tmp/after"
	check "$what: no container or domain made or removed" cmp -s "$before" "$bt_tmp/after"
	check "$what: nothing on stdout" test ! -s "$bt_tmp/out"
}

nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"

expect_refused "secure mode, LXC storm" "refused in secure mode" \
	"$UKSMTOP" -C "$CFG" -s --boot-storm 2 --template demo-lxc
expect_refused "secure mode, KVM boot" "refused in secure mode" \
	"$UKSMTOP" -C "$CFG" --secure --boot 1 --template demo-kvm
printf '[uksmtop]\nsecure = yes\n' >"$bt_tmp/secure.ini"
cat "$CFG" >>"$bt_tmp/secure.ini"
expect_refused "secure = yes in the config, --cleanup" "refused in secure mode" \
	"$UKSMTOP" -C "$bt_tmp/secure.ini" --cleanup
expect_refused "an unprivileged user, LXC storm" "needs root" \
	$nobody "$UKSMTOP" -C "$CFG" --boot-storm 2 --template demo-lxc
expect_refused "an unprivileged user, KVM storm" "needs root" \
	$nobody "$UKSMTOP" -C "$CFG" --boot-storm 2 --template demo-kvm
expect_refused "an unprivileged user, --cleanup" "needs root" \
	$nobody "$UKSMTOP" -C "$CFG" --cleanup
expect_refused "more than max_boot clones" "refused: 65 clones asked, at most 64 at once" \
	"$UKSMTOP" -C "$CFG" --boot-storm 65 --template demo-lxc
expect_refused "an unknown template" "no template 'nope' in $CFG (templates: demo-lxc, demo-kvm, nosource)" \
	"$UKSMTOP" -C "$CFG" --boot-storm 1 --template nope
expect_refused "an unknown LXC source" "\[template nosource\] source = 'uksm-bt-absent': no such LXC container" \
	"$UKSMTOP" -C "$CFG" --boot-storm 1 --template nosource

# Memory: 40 guests of 1/20 of MemAvailable each cannot fit; the figures are given.
avail_kb=$(sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo)
limit_mb=$((avail_kb / 20 / 1024))
conf=$(lxc-config lxc.lxcpath)/$BT_LXC/config
echo "lxc.cgroup.memory.limit_in_bytes = ${limit_mb}M" >>"$conf"
expect_refused "40 clones of ${limit_mb} MiB" \
	"refused: 40 clones x $limit_mb MiB (lxc.cgroup.memory.limit_in_bytes) = $((40 * limit_mb)) MiB, but MemAvailable is [0-9]* MiB" \
	"$UKSMTOP" -C "$CFG" --boot-storm 40 --template demo-lxc
sed -i '/^lxc\.cgroup\.memory\.limit_in_bytes/d' "$conf"

check "no results file was written by a refused run" test ! -e "$XDG_STATE_HOME/uksmtop/bootstorm.csv"
done_testing
