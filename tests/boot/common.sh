# common.sh - what the boot tests share (sourced): preconditions, the lock, a bridge and sources of their own, JSON queries, cleanup.
#
# Everything a test makes is named uksm-bt-*: the sources uksm-bt-lxc and
# uksm-bt-kvm on the bridge uksmtbr0 (10.213.78.0/24, made by tests/demo/setup.sh),
# and their clones uksm-bt-lxc-N / uksm-bt-kvm-N. Traffic goes only there.
. "$top_srcdir/tests/lib.sh"

BT_BASE=uksm-bt
BT_BRIDGE=uksmtbr0
BT_NET=10.213.78
BT_LXC=$BT_BASE-lxc
BT_KVM=$BT_BASE-kvm
DEMO="$top_srcdir/tests/demo/setup.sh"
URI=qemu:///system
bt_tmp=
bt_parts=

need_root
[ -x "$UKSMTOP" ] || skip "no uksmtop binary at $UKSMTOP"

# One at a time with the integration and view tests: a boot storm is a timing,
# and they share the host's CPU, KSM and libvirtd.
bt_lock=/run/lock/uksmtop-integration.lock
[ -d /run/lock ] || bt_lock=/tmp/uksmtop-integration.lock
exec 9>"$bt_lock"
flock -w 1800 9 || skip "cannot take $bt_lock"

bt_tmp=$(mktemp -d)
chmod 755 "$bt_tmp"
CFG=$bt_tmp/uksmtop.ini
# Results, baselines and any default config stay in here.
export HOME="$bt_tmp" XDG_STATE_HOME="$bt_tmp/state" XDG_CONFIG_HOME="$bt_tmp/config"

# need_tools PART: the commands that part of the demo needs, or skip.
need_tools() {
	for c in python3 ip flock lxc-create lxc-ls; do
		command -v "$c" >/dev/null 2>&1 || skip "$c not found (packages: python3 iproute2 util-linux lxc)"
	done
	if [ "$1" = kvm ]; then
		for c in virsh libvirtd virtlogd; do
			command -v "$c" >/dev/null 2>&1 || skip "$c not found (packages: libvirt-daemon-system qemu-system-x86)"
		done
	fi
}

# remove everything this test made: clones first (through uksmtop, then by
# the demo script, which also takes the marked clones it finds), then the
# sources, the bridge and the temporary directory.
bt_cleanup() {
	if [ -n "$bt_parts" ] && [ -f "$CFG" ]; then
		"$UKSMTOP" -C "$CFG" --cleanup >/dev/null 2>&1
	fi
	if [ -n "$bt_parts" ]; then
		opts=
		case $bt_parts in *kvm*) ;; *) opts="$opts --no-kvm" ;; esac
		case $bt_parts in *lxc*) ;; *) opts="$opts --no-lxc" ;; esac
		sh "$DEMO" --remove --name "$BT_BASE" --bridge "$BT_BRIDGE" --net "$BT_NET" $opts "$CFG" >/dev/null 2>&1
	fi
	rm -rf "$bt_tmp"
}
trap bt_cleanup EXIT
trap 'exit 1' INT TERM HUP

# setup_demo lxc|kvm|"lxc kvm": the bridge, the sources and the templates
# demo-lxc / demo-kvm in $CFG; or fail the test with the reason.
setup_demo() {
	need_tools "$1"
	opts=
	case $1 in *kvm*) ;; *) opts="$opts --no-kvm" ;; esac
	case $1 in *lxc*) ;; *) opts="$opts --no-lxc" ;; esac
	bt_parts=$1
	if ! sh "$DEMO" --name "$BT_BASE" --bridge "$BT_BRIDGE" --net "$BT_NET" $opts "$CFG" >"$bt_tmp/setup.log" 2>&1; then
		cat "$bt_tmp/setup.log" >&2
		not_ok "tests/demo/setup.sh makes the $1 demo"
		done_testing
	fi
}

# add_template NAME KEY=VALUE...: one more [template NAME] section in $CFG.
add_template() {
	{
		printf '\n[template %s]\n' "$1"
		shift
		for kv in "$@"; do
			printf '%s = %s\n' "${kv%%=*}" "${kv#*=}"
		done
	} >>"$CFG"
}

# Instances by type, one name a line, sorted: what a refused run must leave as it was.
list_lxc() { lxc-ls -1 2>/dev/null | sort; }
list_kvm() { virsh -q -c "$URI" list --all --name 2>/dev/null | sed '/^$/d' | sort; }

# boot_json FILE EXPR: evaluate a Python expression over the {"boot": ...}
# line of FILE (b is that object, c its clones); prints the value.
boot_json() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
path, expr = sys.argv[1], sys.argv[2]
b = None
for line in open(path):
    line = line.strip()
    if line.startswith('{"boot"'):
        b = json.loads(line)["boot"]
if b is None:
    print("no-boot-line")
    sys.exit(0)
c = b["clones"]
print(eval(expr))
EOF
}

# listed FILE NAME...: every NAME is a running instance in the last JSON sample of FILE.
listed() {
	python3 - "$@" <<'EOF'
import json, sys
path, names = sys.argv[1], sys.argv[2:]
lines = [l for l in open(path) if l.startswith('{"time"')]
rows = {i["name"]: i for i in json.loads(lines[-1])["instances"]} if lines else {}
missing = [n for n in names if rows.get(n, {}).get("state") != "running"]
if missing:
    print("not listed as running:", " ".join(missing), file=sys.stderr)
sys.exit(1 if missing else 0)
EOF
}

# list_has NAME...: one sample lists every NAME as running.
list_has() {
	"$UKSMTOP" -C "$CFG" -b -o json -n 1 >"$bt_tmp/list.json" 2>/dev/null
	listed "$bt_tmp/list.json" "$@" 2>/dev/null
}

# nothing_left PART: no clone of that part, no container directory (its
# overlay lives there), no console log of a clone.
nothing_left() {
	case $1 in
	lxc)
		! list_lxc | grep -q "^$BT_LXC-" &&
			! ls -d "$(lxc-config lxc.lxcpath)/$BT_LXC-"* >/dev/null 2>&1 ;;
	kvm)
		! list_kvm | grep -q "^$BT_KVM-" &&
			! ls /var/cache/uksmtop-demo/"$BT_KVM"-*.console.log >/dev/null 2>&1 ;;
	esac
}

# sources_gone PART: after setup.sh --remove, neither the source nor the bridge.
sources_gone() {
	case $1 in
	lxc) ! list_lxc | grep -q "^$BT_LXC\$" ;;
	kvm) ! list_kvm | grep -q "^$BT_KVM\$" ;;
	esac && ! ip link show "$BT_BRIDGE" >/dev/null 2>&1
}

# teardown_demo: remove the demo now (the trap would too), so a test can check that.
teardown_demo() {
	"$UKSMTOP" -C "$CFG" --cleanup >/dev/null 2>&1
	opts=
	case $bt_parts in *kvm*) ;; *) opts="$opts --no-kvm" ;; esac
	case $bt_parts in *lxc*) ;; *) opts="$opts --no-lxc" ;; esac
	sh "$DEMO" --remove --name "$BT_BASE" --bridge "$BT_BRIDGE" --net "$BT_NET" $opts "$CFG" >/dev/null 2>&1
	bt_parts=
}

# le A B: A <= B, for decimals.
le() { python3 -c "import sys; sys.exit(0 if float('$1') <= float('$2') else 1)"; }

# storm_test PART N: a boot storm of N clones of demo-PART with ping readiness,
# then the listing, the results file, --cleanup, and the demo's removal.
storm_test() {
	part=$1 n=$2
	src=$BT_BASE-$part
	timeout=$(sed -n "/^\[template demo-$part\]/,/^\[/s/^timeout = //p" "$CFG")
	out=$bt_tmp/storm-$part.json
	t0=$(date +%s)
	"$UKSMTOP" -C "$CFG" -o json --boot-storm "$n" --template "demo-$part" >"$out" 2>"$out.err"
	rc=$?
	echo "# storm of $n $part clones: exit $rc after $(( $(date +%s) - t0 )) s"
	grep '^{"boot"' "$out" | sed 's/^/# /'
	sed 's/^/# stderr: /' "$out.err"
	check "the storm exits 0" test "$rc" = 0
	check "it reports $n clones" test "$(boot_json "$out" 'len(c)')" = "$n"
	check "every clone is ready" test "$(boot_json "$out" 'all(x["state"] == "ready" for x in c)')" = True
	check "ready times > 0 and below the timeout ($timeout s)" \
		test "$(boot_json "$out" "all(0 < x['ready_s'] < $timeout for x in c)")" = True
	check "total_s is the largest ready time" \
		test "$(boot_json "$out" 'b["total_s"] == max(x["ready_s"] for x in c)')" = True
	check "min <= median <= max" \
		test "$(boot_json "$out" 'b["min_s"] <= b["median_s"] <= b["max_s"]')" = True
	check "host CPU mean and peak are percentages, mean <= peak" \
		test "$(boot_json "$out" '0 <= b["cpu_mean_pct"] <= b["cpu_peak_pct"] <= 100')" = True
	check "failed is 0" test "$(boot_json "$out" 'b["failed"]')" = 0
	i=0
	names=
	while [ "$i" -lt "$n" ]; do
		i=$((i + 1))
		names="$names $src-$i"
	done
	check "the clones are${names}" \
		test "$(boot_json "$out" '" ".join(sorted(x["name"] for x in c))')" = "$(echo $names | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"
	check "each clone has its own address on the test's bridge" \
		test "$(boot_json "$out" "len(set(x['address'] for x in c)) == $n and all(x['address'].startswith('$BT_NET.') for x in c)")" = True
	if [ "$part" = lxc ] && grep -q ksm_merge_any /proc/self/ksm_stat 2>/dev/null && [ -d /sys/kernel/mm/ksm ]; then
		check "merge = auto on KSM: every container's init shows ksm_merge_any: yes" \
			test "$(boot_json "$out" 'all(x["merge_any"] == "yes" for x in c)')" = True
	fi

	# The results file: a header once, and this storm's line.
	res=$XDG_STATE_HOME/uksmtop/bootstorm.csv
	check "the results file starts with its header" \
		test "$(head -n 1 "$res" 2>/dev/null)" = "time,template,type,n,total_s,min_s,median_s,max_s,cpu_mean_pct,cpu_peak_pct,failed"
	check "the results file has the storm's row" \
		grep -q "^[0-9T:.Z-]*,demo-$part,$part,$n,[0-9.]*,[0-9.]*,[0-9.]*,[0-9.]*,[0-9.]*,[0-9.]*,0\$" "$res"
	check "the header is there once" test "$(grep -c '^time,' "$res")" = 1

	# The clones are instances like any other while they run. The monitor waits
	# at most ~1 s for libvirtd in a sample, and the host is busy right after a
	# storm: a few tries.
	check "uksmtop -b -o json -n 1 lists the clones as running" wait_for 15 list_has $names

	# A second storm appends a row under the same header, and takes the next names.
	"$UKSMTOP" -C "$CFG" -o json --boot-storm 1 --template "demo-$part" >"$out.2" 2>&1
	check "a second storm takes the next free name ($src-$((n + 1)))" \
		test "$(boot_json "$out.2" 'c[0]["name"]')" = "$src-$((n + 1))"
	check "its row is appended under the same header" \
		sh -c "test \$(grep -c ',demo-$part,$part,' '$res') = 2 && test \$(grep -c '^time,' '$res') = 1"

	"$UKSMTOP" -C "$CFG" --cleanup >"$bt_tmp/cleanup.out" 2>&1
	rc=$?
	sed 's/^/# /' "$bt_tmp/cleanup.out"
	check "--cleanup exits 0" test "$rc" = 0
	check "--cleanup says how many it removed ($((n + 1)))" grep -q "removed $((n + 1)) clones" "$bt_tmp/cleanup.out"
	check "--cleanup leaves no clone, container directory or console log" nothing_left "$part"
	check "--cleanup leaves the source $src" sh -c "{ lxc-ls -1 2>/dev/null; virsh -q -c $URI list --all --name 2>/dev/null; } | grep -qx '$src'"
	teardown_demo
	check "the demo's removal leaves neither $src nor the bridge $BT_BRIDGE" sources_gone "$part"
}
