#!/bin/sh
# instances.sh - the benchmark's own busybox LXC containers and 256 MiB TCG guests (uksmbench-*), grown step by step and removed.
#
# usage: instances.sh up CONTAINERS GUESTS | down | status | purge
#
#   up C G   make sure uksmbench-c1..cC and uksmbench-g1..gG run (only grows: a step
#            never stops what an earlier one started)
#   down     stop and remove every uksmbench-* container and guest (what `up` made)
#   status   list them
#   purge    down, then remove the cached base container as well
#
# The containers live in their own lxcpath ($BENCH_LXCPATH, default
# /var/lib/uksmtop-bench), so neither the integration tests' teardown nor
# anyone's default `lxc-ls` meets them; each is an overlay snapshot clone
# (lxc-copy -s) of one busybox base container kept, never started, in a second
# lxcpath under $BENCH_CACHE (default /var/cache/uksmtop-bench): the base is made
# once and reused by later runs. The guests are transient libvirt domains
# (virsh create) booting the kernel and busybox initramfs that
# tests/integration/assets.sh caches in /var/cache/uksmtop-test.

set -eu

# Daemons and container monitors started here outlive this script: keep the
# caller's descriptors (a lock, a pipe) out of them.
for ib_fd in 3 4 5 6 7 8 9; do
	eval "exec $ib_fd>&-"
done

here=$(cd "$(dirname "$0")" && pwd)
ASSETS="$here/../integration/assets.sh"
URI=qemu:///system
PREFIX=uksmbench-
LXCPATH=${BENCH_LXCPATH:-/var/lib/uksmtop-bench}
CACHE=${BENCH_CACHE:-/var/cache/uksmtop-bench}
BASE_PATH=$CACHE/lxc
BASE=${PREFIX}base
GUEST_MIB=${BENCH_GUEST_MIB:-256}
GUEST_READY="uksmtest guest up"   # what the assets.sh initramfs prints when up
BOOT_TIMEOUT=${BENCH_BOOT_TIMEOUT:-180}

say() { echo "instances: $*" >&2; }
die() { echo "instances: error: $*" >&2; exit 1; }

poll() {
	limit=$1; shift
	end=$(( $(date +%s) + limit ))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# --- containers ---------------------------------------------------------------

ensure_base() {
	[ -f "$BASE_PATH/$BASE/config" ] && return 0
	command -v lxc-create >/dev/null || die "lxc-create not found: install lxc"
	mkdir -p "$BASE_PATH"
	say "creating the base container $BASE_PATH/$BASE (once; later runs reuse it)"
	lxc-create -q -P "$BASE_PATH" -t busybox -n "$BASE" >/dev/null 2>&1 ||
		die "lxc-create -t busybox -n $BASE failed"
	conf=$BASE_PATH/$BASE/config
	# No bridge and no AppArmor here (DESIGN.md §4); no network is needed.
	sed -i -e '/^lxc\.net\.0\./d' -e '/^lxc\.apparmor\./d' "$conf"
	printf 'lxc.net.0.type = empty\nlxc.apparmor.profile = unconfined\n' >>"$conf"
}

c_running() { [ "$(lxc-info -P "$LXCPATH" -sH -n "$1" 2>/dev/null)" = RUNNING ]; }

start_container() {
	name=$1
	if [ ! -f "$LXCPATH/$name/config" ]; then
		lxc-copy -P "$BASE_PATH" -n "$BASE" -p "$LXCPATH" -N "$name" -s -B overlay >/dev/null 2>&1 ||
			die "lxc-copy -s $BASE -> $name failed"
	fi
	c_running "$name" && return 0
	lxc-start -P "$LXCPATH" -d -n "$name" || die "lxc-start $name failed"
}

up_lxc() {
	n=$1
	[ "$n" -gt 0 ] || return 0
	ensure_base
	mkdir -p "$LXCPATH"
	i=1
	while [ "$i" -le "$n" ]; do
		start_container "${PREFIX}c$i"
		i=$((i + 1))
	done
	i=1
	while [ "$i" -le "$n" ]; do
		poll "$BOOT_TIMEOUT" c_running "${PREFIX}c$i" || die "${PREFIX}c$i not RUNNING"
		i=$((i + 1))
	done
}

down_lxc() {
	command -v lxc-ls >/dev/null || return 0
	[ -d "$LXCPATH" ] || return 0
	for name in $(lxc-ls -P "$LXCPATH" -1 2>/dev/null | grep "^$PREFIX" || true); do
		lxc-stop -P "$LXCPATH" -k -n "$name" >/dev/null 2>&1 || true
		lxc-destroy -P "$LXCPATH" -n "$name" >/dev/null 2>&1 || true
	done
	rmdir "$LXCPATH" 2>/dev/null || true
}

# --- guests -------------------------------------------------------------------

# The guest definition is assets.sh's, with this script's memory size and console log.
guest_xml() { sh "$ASSETS" guest-xml "$1" "$GUEST_MIB" "$CACHE/$1.console.log"; }

g_running() { [ "$(virsh -q -c "$URI" domstate "$1" 2>/dev/null | head -n 1)" = running ]; }
g_booted() { grep -q "$GUEST_READY" "$CACHE/$1.console.log" 2>/dev/null; }

up_kvm() {
	n=$1
	[ "$n" -gt 0 ] || return 0
	# The daemons, and the cached kernel and initramfs (assets.sh makes them; no guest of its own).
	sh "$ASSETS" setup-kvm 0 >/dev/null 2>&1 || sh "$ASSETS" setup-kvm 0
	mkdir -p "$CACHE"
	chmod 755 "$CACHE"
	i=1
	while [ "$i" -le "$n" ]; do
		name=${PREFIX}g$i
		if ! g_running "$name"; then
			rm -f "$CACHE/$name.console.log"
			xml=$(mktemp)
			guest_xml "$name" >"$xml" || { rm -f "$xml"; die "cannot write the definition of $name"; }
			virsh -q -c "$URI" create "$xml" >/dev/null || { rm -f "$xml"; die "virsh create $name failed"; }
			rm -f "$xml"
		fi
		i=$((i + 1))
	done
	i=1
	while [ "$i" -le "$n" ]; do
		name=${PREFIX}g$i
		poll "$BOOT_TIMEOUT" g_booted "$name" || die "$name did not boot (console: $CACHE/$name.console.log)"
		i=$((i + 1))
	done
}

down_kvm() {
	command -v virsh >/dev/null || return 0
	for name in $(virsh -q -c "$URI" list --all --name 2>/dev/null | grep "^$PREFIX" || true); do
		virsh -q -c "$URI" destroy "$name" >/dev/null 2>&1 || true
		virsh -q -c "$URI" undefine "$name" >/dev/null 2>&1 || true
	done
	rm -f "$CACHE"/"$PREFIX"*.console.log
}

status() {
	virsh -q -c "$URI" list --all 2>/dev/null | grep " $PREFIX" || true
	[ -d "$LXCPATH" ] && lxc-ls -P "$LXCPATH" -f 2>/dev/null | grep "^$PREFIX" || true
}

[ "$(id -u)" = 0 ] || die "must run as root"
case ${1:-} in
up)
	case "${2:-}:${3:-}" in *[!0-9:]*|:*|*:) die "usage: $0 up CONTAINERS GUESTS" ;; esac
	up_lxc "$2"
	up_kvm "$3"
	;;
down) down_kvm; down_lxc ;;
status) status ;;
purge)
	down_kvm
	down_lxc
	lxc-destroy -P "$BASE_PATH" -n "$BASE" >/dev/null 2>&1 || true
	rm -rf "$CACHE"
	;;
*) echo "usage: $0 up CONTAINERS GUESTS | down | status | purge" >&2; exit 2 ;;
esac
