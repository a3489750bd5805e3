# cli.sh - command-line and config error paths: each bad input is named, exit 2.
. "$top_srcdir/tests/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state"
fix="$top_srcdir/tests/fixtures/sysfs-uksm"
quick="-b -n 1 --no-libvirt --no-lxc --sysfs-root $fix"

# expect STATUS PATTERN ARGS...: exit status and a stderr line matching PATTERN.
expect() {
	want=$1 pat=$2; shift 2
	"$UKSMTOP" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" = "$want" ] && grep -q -e "$pat" "$tmp/err"; then
		ok "uksmtop $* -> $want, names '$pat'"
	else
		not_ok "uksmtop $*: status $got (want $want), stderr: $(cat "$tmp/err")"
	fi
}

"$UKSMTOP" --help >"$tmp/help" 2>&1
check "--help exits 0" test $? = 0
for opt in --batch --iterations --delay --output-format --config --sysfs-root --dedup \
	--baseline --baseline-now --connect --lxcpath --pss-interval --type --filter --theme \
	--secure --version --help; do
	check "--help lists $opt" grep -q -e "$opt" "$tmp/help"
done
check "--version prints the version" sh -c "'$UKSMTOP' --version | grep -q '^uksmtop [0-9]'"

expect 2 "bogus" --bogus
expect 2 "'0.01' for --delay" -d 0.01
expect 2 "'abc' for --delay" -d abc
expect 2 "'4000' for --delay" --delay 4000
expect 2 "'xml' for --output-format" -o xml
expect 2 "'0' for --iterations" -n 0
expect 2 "'2x' for --iterations" --iterations 2x
expect 2 "'maybe' for --dedup" --dedup maybe
expect 2 "'-1' for --baseline" --baseline -1
expect 2 "'soon' for --pss-interval" --pss-interval soon
expect 2 "'xen' for --type" --type xen
expect 2 "unexpected argument 'extra'" extra
expect 2 "requires an argument" -d

mkdir -p "$tmp/c"
printf '[uksmtop]\ndelay = fast\n' >"$tmp/c/bad.ini"
expect 2 "bad.ini.*\[uksmtop\].*delay.*fast" -C "$tmp/c/bad.ini" $quick
printf '[filter]\ntype = xen\n' >"$tmp/c/badtype.ini"
expect 2 "badtype.ini.*\[filter\].*type.*xen" -C "$tmp/c/badtype.ini" $quick
printf '[uksmtop\n' >"$tmp/c/syntax.ini"
expect 2 "syntax.ini" -C "$tmp/c/syntax.ini" $quick
expect 2 "absent.ini" -C "$tmp/c/absent.ini" $quick

# An unknown key: a warning that names it, then the run goes on.
printf '[uksmtop]\ncolour = red\ndelay = 0.2\n' >"$tmp/c/unknown.ini"
expect 0 "unknown key 'colour'" -C "$tmp/c/unknown.ini" $quick
check "the run after the warning wrote a sample" grep -q "^Dedup: uksm" "$tmp/out"

# The default config path: $XDG_CONFIG_HOME/uksmtop/uksmtop.ini; the command line wins.
mkdir -p "$XDG_CONFIG_HOME/uksmtop"
printf '[uksmtop]\noutput_format = json\nbaseline_mb = 100\n' >"$XDG_CONFIG_HOME/uksmtop/uksmtop.ini"
"$UKSMTOP" $quick >"$tmp/out" 2>"$tmp/err"
check "the default config file is read (json output)" grep -q '^{"time"' "$tmp/out"
check "a config baseline has source config" grep -q '"baseline_kb":102400,"baseline_source":"config"' "$tmp/out"
"$UKSMTOP" $quick -o csv >"$tmp/out" 2>"$tmp/err"
check "the command line wins over the config file" grep -q '^kind,time' "$tmp/out"
# -C however written: abbreviated, glued, or inside a group of short options.
printf '[uksmtop]\noutput_format = csv\n' >"$tmp/c/csv.ini"
for form in "--conf=$tmp/c/csv.ini" "-C$tmp/c/csv.ini" "-bC $tmp/c/csv.ini"; do
	"$UKSMTOP" $quick $form >"$tmp/out" 2>"$tmp/err"
	check "config given as '$form' is read" grep -q '^kind,time' "$tmp/out"
done

# As root, a config file another user could have written is refused, naming why.
if [ "$(id -u)" = 0 ]; then
	printf '[uksmtop]\ndelay = 0.5\n' >"$tmp/c/open.ini"
	chmod 666 "$tmp/c/open.ini"
	expect 2 "open.ini: refused.*world-writable" -C "$tmp/c/open.ini" $quick
	chmod 664 "$tmp/c/open.ini"
	expect 2 "open.ini: refused.*group-writable" -C "$tmp/c/open.ini" $quick
	chmod 644 "$tmp/c/open.ini"
	chown 65534 "$tmp/c/open.ini"
	expect 2 "open.ini: refused.*owned by uid 65534" -C "$tmp/c/open.ini" $quick
	chown 0 "$tmp/c/open.ini"
	"$UKSMTOP" -C "$tmp/c/open.ini" $quick >/dev/null 2>&1
	check "a root-owned 0644 config is accepted" test $? = 0
fi

# The shipped sample config holds every key, all valid: no warning, no error.
"$UKSMTOP" -C "$top_srcdir/uksmtop.ini.sample" $quick >"$tmp/out" 2>"$tmp/err"
check "the sample config loads with status 0" test $? = 0
check "the sample config gives no warning" test ! -s "$tmp/err"

done_testing
