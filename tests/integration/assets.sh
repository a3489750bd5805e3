#!/bin/sh
# assets.sh - idempotent setup and teardown of the real TCG guests and LXC containers the integration tests use.
#
# usage: assets.sh ensure-daemons | setup-kvm N | setup-lxc N | start-transient NAME | teardown | status
#        assets.sh guest-xml NAME MIB CONSOLE_LOG   (the guest definition, for other scripts' guests)
#
# Everything comes from Debian packages (apt only). Every instance made here is
# named uksmtest-*, and teardown removes exactly those. The guest kernel and
# initramfs are cached under $UKSMTOP_TEST_CACHE (default /var/cache/uksmtop-test)
# so a second setup is fast.

set -eu

# The daemons and container monitors started here outlive this script: they
# must not inherit a caller's descriptors (a test's lock, say).
for it_fd in 3 4 5 6 7 8 9; do
	eval "exec $it_fd>&-"
done

CACHE=${UKSMTOP_TEST_CACHE:-/var/cache/uksmtop-test}
URI=qemu:///system
PREFIX=uksmtest-
GUEST_MIB=128
BOOT_TIMEOUT=${UKSMTOP_TEST_BOOT_TIMEOUT:-120}
DAEMON_TIMEOUT=${UKSMTOP_TEST_DAEMON_TIMEOUT:-90}
GUEST_READY="uksmtest guest up"

say() { echo "assets: $*" >&2; }
die() { echo "assets: error: $*" >&2; exit 1; }

# poll SECONDS COMMAND...: retry every 0.2 s until the command succeeds.
poll() {
	limit=$1; shift
	end=$(( $(date +%s) + limit ))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

need_root() { [ "$(id -u)" = 0 ] || die "must run as root"; }

virsh_q() { virsh -q -c "$URI" "$@"; }

# --- daemons -----------------------------------------------------------------

# Without udev /dev/kvm stays root-only (0600). QEMU's capability probe runs as
# root and sees KVM, libvirt then finds it unusable for the qemu user, drops its
# capability cache and probes again on every define: 40 s each. Give the node
# the group and mode udev would. The guests are type='qemu' (TCG) either way.
fix_kvm_node() {
	[ -c /dev/kvm ] || return 0
	getent group kvm >/dev/null || return 0
	[ "$(stat -c %G:%a /dev/kvm)" = kvm:660 ] && return 0
	say "giving /dev/kvm the group and mode udev would (kvm, 0660)"
	chgrp kvm /dev/kvm && chmod 660 /dev/kvm
}

# A killed daemon lingers as a zombie until init reaps it (here that takes a
# while): only a live process counts.
daemon_running() { pgrep -x -r R,S,D,T "$1" >/dev/null; }

# No systemd here: libvirtd needs virtlogd for the guests' logs, so start it first.
ensure_daemons() {
	need_root
	command -v libvirtd >/dev/null || die "libvirtd not found: install libvirt-daemon-system"
	fix_kvm_node
	if ! daemon_running virtlogd; then
		say "starting virtlogd"
		virtlogd -d || die "virtlogd -d failed"
	fi
	if ! daemon_running libvirtd; then
		say "starting libvirtd"
		libvirtd -d || die "libvirtd -d failed"
	fi
	poll "$DAEMON_TIMEOUT" virsh -c "$URI" list ||
		die "libvirtd does not answer on $URI after ${DAEMON_TIMEOUT}s"
}

# --- guest kernel and initramfs ------------------------------------------------

# The kernel package named by linux-image-amd64's dependency, e.g. linux-image-6.1.0-56-amd64.
kernel_pkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1
}

# Extracting the .deb avoids installing it, which would build a slow initramfs.
ensure_kernel() {
	[ -s "$CACHE/vmlinuz" ] && return 0
	pkg=$(kernel_pkg)
	[ -n "$pkg" ] || die "cannot resolve linux-image-amd64 to a kernel package (apt-get update?)"
	say "fetching $pkg (apt-get download)"
	tmp=$(mktemp -d)
	# _apt must be able to write into the download directory.
	chmod 777 "$tmp"
	( cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>&1 ) ||
		{ rm -rf "$tmp"; die "apt-get download $pkg failed"; }
	dpkg-deb -x "$tmp"/"$pkg"_*.deb "$tmp/x" ||
		{ rm -rf "$tmp"; die "dpkg-deb -x failed for $pkg"; }
	vm=
	for f in "$tmp"/x/boot/vmlinuz-*; do [ -f "$f" ] && vm=$f; done
	[ -n "$vm" ] || { rm -rf "$tmp"; die "no vmlinuz in $pkg"; }
	cp "$vm" "$CACHE/vmlinuz.tmp" && mv "$CACHE/vmlinuz.tmp" "$CACHE/vmlinuz"
	rm -rf "$tmp"
}

ensure_initramfs() {
	[ -s "$CACHE/initramfs.cpio.gz" ] && return 0
	bb=$(command -v busybox || true)
	[ -n "$bb" ] || die "busybox not found: install busybox-static"
	# The initramfs has no libc: a dynamic busybox would not run there.
	! ldd "$bb" >/dev/null 2>&1 || die "$bb is dynamically linked: install busybox-static"
	say "building the busybox initramfs"
	tmp=$(mktemp -d)
	mkdir -p "$tmp/bin" "$tmp/proc" "$tmp/sys" "$tmp/dev"
	cp "$bb" "$tmp/bin/busybox"
	ln -s busybox "$tmp/bin/sh"
	# The guest only has to stay up: mount proc and sys, say so on the console, sleep.
	cat >"$tmp/init" <<EOF
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
echo "$GUEST_READY"
while :; do /bin/busybox sleep 3600; done
EOF
	chmod 755 "$tmp/init"
	( cd "$tmp" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -9 ) \
		>"$CACHE/initramfs.tmp" || { rm -rf "$tmp"; die "cpio failed"; }
	mv "$CACHE/initramfs.tmp" "$CACHE/initramfs.cpio.gz"
	rm -rf "$tmp"
}

ensure_cache() {
	mkdir -p "$CACHE"
	# qemu runs as libvirt-qemu and must reach the kernel and the console log.
	chmod 755 "$CACHE"
	ensure_kernel
	ensure_initramfs
}

# --- KVM (TCG) guests ------------------------------------------------------------

# guest_xml NAME [MIB [CONSOLE_LOG]]: a TCG guest booting the cached kernel and initramfs.
guest_xml() {
	name=$1
	mib=${2:-$GUEST_MIB}
	console=${3:-$CACHE/$name.console.log}
	cat <<EOF
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>$mib</memory>
  <currentMemory unit='MiB'>$mib</currentMemory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$CACHE/vmlinuz</kernel>
    <initrd>$CACHE/initramfs.cpio.gz</initrd>
    <cmdline>console=ttyS0 panic=-1</cmdline>
  </os>
  <on_crash>destroy</on_crash>
  <devices>
    <serial type='file'>
      <source path='$console'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}

domain_state() { virsh_q domstate "$1" 2>/dev/null | head -n 1; }

guest_booted() { grep -q "$GUEST_READY" "$CACHE/$1.console.log" 2>/dev/null; }

start_guest() {
	name=$1
	state=$(domain_state "$name")
	if [ -z "$state" ]; then
		xml=$(mktemp)
		guest_xml "$name" >"$xml"
		virsh_q define "$xml" >/dev/null || { rm -f "$xml"; die "virsh define $name failed"; }
		rm -f "$xml"
		state="shut off"
	fi
	[ "$state" = running ] && return 0
	rm -f "$CACHE/$name.console.log"
	virsh_q start "$name" >/dev/null || die "virsh start $name failed"
}

setup_kvm() {
	n=$1
	need_root
	ensure_daemons
	ensure_cache
	i=1
	while [ "$i" -le "$n" ]; do
		start_guest "${PREFIX}g$i"
		i=$((i + 1))
	done
	i=1
	while [ "$i" -le "$n" ]; do
		name="${PREFIX}g$i"
		poll "$BOOT_TIMEOUT" guest_booted "$name" || {
			tail -n 20 "$CACHE/$name.console.log" >&2 2>/dev/null || true
			die "$name did not boot within ${BOOT_TIMEOUT}s (console: $CACHE/$name.console.log)"
		}
		i=$((i + 1))
	done
	say "$n guest(s) running"
}

# A transient guest (virsh create): it has no definition, so when it stops its row must go.
start_transient() {
	name=$1
	case $name in "$PREFIX"*) ;; *) die "transient guest names must start with $PREFIX" ;; esac
	need_root
	ensure_daemons
	ensure_cache
	[ "$(domain_state "$name")" = running ] && return 0
	xml=$(mktemp)
	guest_xml "$name" >"$xml"
	rm -f "$CACHE/$name.console.log"
	virsh_q create "$xml" >/dev/null || { rm -f "$xml"; die "virsh create $name failed"; }
	rm -f "$xml"
}

teardown_kvm() {
	# A test may have killed libvirtd: bring it back so the definitions go too.
	daemon_running libvirtd || ( ensure_daemons ) || { teardown_kvm_orphans; return 0; }
	for name in $(virsh_q list --all --name 2>/dev/null | grep "^$PREFIX" || true); do
		virsh_q destroy "$name" >/dev/null 2>&1 || true
		virsh_q undefine "$name" >/dev/null 2>&1 || true
	done
	rm -f "$CACHE"/"$PREFIX"*.console.log
}

# With libvirtd gone (a test killed it), only our own QEMU processes are stopped.
teardown_kvm_orphans() {
	for pid in $(pgrep -f "guest=$PREFIX" || true); do
		kill "$pid" 2>/dev/null || true
	done
}

# --- LXC containers -----------------------------------------------------------

# The busybox template links to lxcbr0 and asks for AppArmor; neither exists here.
fix_container_config() {
	conf=$(lxc-config lxc.lxcpath)/$1/config
	[ -f "$conf" ] || die "no config for $1 at $conf"
	sed -i -e '/^lxc\.net\.0\./d' -e '/^lxc\.apparmor\./d' "$conf"
	printf 'lxc.net.0.type = empty\nlxc.apparmor.profile = unconfined\n' >>"$conf"
}

container_state() { lxc-info -sH -n "$1" 2>/dev/null || true; }

container_running() { [ "$(container_state "$1")" = RUNNING ]; }

start_container() {
	name=$1
	if ! lxc-info -n "$name" >/dev/null 2>&1; then
		lxc-create -q -t busybox -n "$name" >/dev/null 2>&1 ||
			die "lxc-create -t busybox -n $name failed"
		fix_container_config "$name"
	fi
	container_running "$name" && return 0
	lxc-start -d -n "$name" || die "lxc-start $name failed"
}

setup_lxc() {
	n=$1
	need_root
	command -v lxc-create >/dev/null || die "lxc-create not found: install lxc"
	i=1
	while [ "$i" -le "$n" ]; do
		start_container "${PREFIX}c$i"
		i=$((i + 1))
	done
	i=1
	while [ "$i" -le "$n" ]; do
		name="${PREFIX}c$i"
		poll "$BOOT_TIMEOUT" container_running "$name" ||
			die "$name not RUNNING within ${BOOT_TIMEOUT}s (state: $(container_state "$name"))"
		i=$((i + 1))
	done
	say "$n container(s) running"
}

teardown_lxc() {
	command -v lxc-ls >/dev/null || return 0
	for name in $(lxc-ls -1 2>/dev/null | grep "^$PREFIX" || true); do
		lxc-stop -k -n "$name" >/dev/null 2>&1 || true
		lxc-destroy -n "$name" >/dev/null 2>&1 || true
	done
}

teardown() {
	need_root
	teardown_kvm
	teardown_lxc
}

status() {
	virsh_q list --all 2>/dev/null | grep " $PREFIX" || true
	lxc-ls -f 2>/dev/null | grep "^$PREFIX" || true
}

count_arg() {
	case ${1:-} in
	''|*[!0-9]*) die "usage: $0 $cmd N (a number)" ;;
	esac
}

cmd=${1:-}
case $cmd in
ensure-daemons) ensure_daemons ;;
setup-kvm) count_arg "${2:-}"; setup_kvm "$2" ;;
setup-lxc) count_arg "${2:-}"; setup_lxc "$2" ;;
start-transient) [ -n "${2:-}" ] || die "usage: $0 start-transient NAME"; start_transient "$2" ;;
guest-xml) [ $# -eq 4 ] || die "usage: $0 guest-xml NAME MIB CONSOLE_LOG"; count_arg "$3"; guest_xml "$2" "$3" "$4" ;;
teardown) teardown ;;
status) status ;;
*) echo "usage: $0 ensure-daemons | setup-kvm N | setup-lxc N | start-transient NAME | teardown | status | guest-xml NAME MIB CONSOLE_LOG" >&2; exit 2 ;;
esac
