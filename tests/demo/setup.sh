#!/bin/sh
# setup.sh - idempotent demo templates for uksmtop's boot and boot-storm actions: a bridge, a busybox LXC container and a tiny TCG guest, each serving HTTP on :80.
#
# usage: setup.sh [OPTIONS] [CONFIG]          create (or repair) the demo, write its templates
#        setup.sh --remove [OPTIONS] [CONFIG] remove the demo, its clones and its templates
#
# OPTIONS
#   --bridge NAME   the bridge to create (default uksmbr0)
#   --net A.B.C     its private /24: the host is A.B.C.1, the LXC source .10 and its clones
#                   .11 up, the KVM source .100 and its clones .101 up (default 10.213.77)
#   --name BASE     names: BASE-lxc, BASE-kvm, clones BASE-lxc-N, BASE-kvm-N (default uksm-demo)
#   --no-kvm, --no-lxc   leave that half out
# CONFIG is the uksmtop config file to write the [template demo-lxc] and [template demo-kvm]
# sections into (other sections are kept); default: the file uksmtop reads by default,
# $XDG_CONFIG_HOME/uksmtop/uksmtop.ini (~/.config/uksmtop/uksmtop.ini).
#
# Everything comes from Debian packages: the guest kernel is the one tests/integration/assets.sh
# extracts from linux-image-amd64, plus its e1000 network driver taken from the same package.
# Nothing here survives a reboot but the definitions: run setup.sh again to bring the bridge back.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
ASSETS="$here/../integration/assets.sh"
CACHE=${UKSMTOP_DEMO_CACHE:-/var/cache/uksmtop-demo}
URI=qemu:///system
BRIDGE=uksmbr0
NET=10.213.77
BASE=uksm-demo
DO_KVM=1
DO_LXC=1
REMOVE=0
CONFIG=
GUEST_MIB=128
READY_TEXT="uksm-demo guest up"

say() { echo "demo: $*" >&2; }
die() { echo "demo: error: $*" >&2; exit 1; }

usage() {
	sed -n '4,15s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--bridge) [ $# -ge 2 ] || usage; BRIDGE=$2; shift 2 ;;
	--net) [ $# -ge 2 ] || usage; NET=$2; shift 2 ;;
	--name) [ $# -ge 2 ] || usage; BASE=$2; shift 2 ;;
	--no-kvm) DO_KVM=0; shift ;;
	--no-lxc) DO_LXC=0; shift ;;
	--remove) REMOVE=1; shift ;;
	-h|--help) usage ;;
	-*) echo "demo: unknown option $1" >&2; usage ;;
	*) [ -z "$CONFIG" ] || usage; CONFIG=$1; shift ;;
	esac
done

case $NET in
*[!0-9.]*|*..*|.*|*.) die "--net $NET: expected three numbers, e.g. 10.213.77" ;;
esac
[ "$(echo "$NET" | tr -cd . | wc -c)" = 2 ] || die "--net $NET: expected three numbers, e.g. 10.213.77"
case $BASE in
''|*[!A-Za-z0-9_.-]*) die "--name $BASE: letters, digits, '-', '_' or '.'" ;;
esac

[ "$(id -u)" = 0 ] || die "must run as root (it creates a bridge, a container and a domain)"

if [ -z "$CONFIG" ]; then
	if [ -n "${XDG_CONFIG_HOME:-}" ]; then
		CONFIG=$XDG_CONFIG_HOME/uksmtop/uksmtop.ini
	else
		CONFIG=${HOME:-/root}/.config/uksmtop/uksmtop.ini
	fi
fi

LXC_NAME=$BASE-lxc
KVM_NAME=$BASE-kvm

# --- the bridge ----------------------------------------------------------------------

ensure_bridge() {
	if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
		say "creating bridge $BRIDGE ($NET.1/24)"
		ip link add "$BRIDGE" type bridge || die "ip link add $BRIDGE type bridge failed"
	fi
	ip -4 addr show dev "$BRIDGE" | grep -q "inet $NET.1/24" ||
		ip addr add "$NET.1/24" dev "$BRIDGE" || die "cannot give $BRIDGE the address $NET.1/24"
	ip link set "$BRIDGE" up
	# A ping probe waits for ARP: the kernel retries an unanswered ARP every second,
	# which would round every ready time up to a whole second. This bridge is ours.
	nf=/proc/sys/net/ipv4/neigh/$BRIDGE/retrans_time_ms
	[ -w "$nf" ] && echo 100 >"$nf"
	return 0
}

# --- the LXC source --------------------------------------------------------------------

# A MAC from a name, so a second setup writes the same config.
name_mac() {
	h=$(printf '%s' "$2" | cksum | cut -d' ' -f1)
	printf '%s:%02x:%02x:%02x\n' "$1" $((h % 256)) $((h / 256 % 256)) $((h / 65536 % 256))
}

ensure_lxc() {
	command -v lxc-create >/dev/null || die "lxc-create not found: install lxc"
	lxcpath=$(lxc-config lxc.lxcpath)
	if ! lxc-info -n "$LXC_NAME" >/dev/null 2>&1; then
		say "creating container $LXC_NAME (busybox)"
		lxc-create -q -t busybox -n "$LXC_NAME" >/dev/null 2>&1 ||
			die "lxc-create -t busybox -n $LXC_NAME failed"
	fi
	conf=$lxcpath/$LXC_NAME/config
	rootfs=$lxcpath/$LXC_NAME/rootfs
	[ -f "$conf" ] && [ -d "$rootfs" ] || die "$LXC_NAME: no config or rootfs under $lxcpath"
	# The busybox template links to lxcbr0 and asks for AppArmor: neither is here (DESIGN.md §4).
	sed -i -e '/^lxc\.net\./d' -e '/^lxc\.apparmor\./d' "$conf"
	cat >>"$conf" <<EOF
lxc.net.0.type = veth
lxc.net.0.link = $BRIDGE
lxc.net.0.flags = up
lxc.net.0.name = eth0
lxc.net.0.hwaddr = $(name_mac 00:16:3e "$LXC_NAME")
lxc.net.0.ipv4.address = $NET.10/24
lxc.apparmor.profile = unconfined
EOF
	# The template's rcS waits for a DHCP server that is not there: a static address
	# (above) and a web server instead.
	mkdir -p "$rootfs/var/www"
	echo "uksmtop demo container" >"$rootfs/var/www/index.html"
	cat >"$rootfs/etc/init.d/rcS" <<'EOF'
#!/bin/sh
/bin/mount -a
/bin/httpd -p 80 -h /var/www
EOF
	chmod 755 "$rootfs/etc/init.d/rcS"
}

# --- the KVM (TCG) source ----------------------------------------------------------------

# The version in the bzImage header, e.g. 6.1.0-56-amd64.
kernel_version() {
	LC_ALL=C grep -a -o -m 1 '[0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*-[0-9][0-9]*-amd64 (' "$1" |
		head -n 1 | sed 's/ ($//'
}

# The guest's network driver: Debian builds every NIC driver as a module, so the
# initramfs carries e1000.ko from the very package the kernel came from.
ensure_e1000() {
	ver=$1
	[ -s "$CACHE/e1000-$ver.ko" ] && return 0
	say "fetching linux-image-$ver for its e1000 driver (apt-get download)"
	tmp=$(mktemp -d)
	chmod 777 "$tmp" # _apt writes the download
	( cd "$tmp" && apt-get download -q "linux-image-$ver" >/dev/null 2>&1 ) ||
		{ rm -rf "$tmp"; die "apt-get download linux-image-$ver failed (apt-get update?)"; }
	dpkg-deb --fsys-tarfile "$tmp"/linux-image-"$ver"_*.deb |
		tar -x -O "./lib/modules/$ver/kernel/drivers/net/ethernet/intel/e1000/e1000.ko" \
		>"$CACHE/e1000.tmp" 2>/dev/null || true
	rm -rf "$tmp"
	[ -s "$CACHE/e1000.tmp" ] || { rm -f "$CACHE/e1000.tmp"; die "no e1000.ko in linux-image-$ver"; }
	mv "$CACHE/e1000.tmp" "$CACHE/e1000-$ver.ko"
}

# The guest: busybox, the driver, an address from uksm.ip= on the kernel command line
# (each clone gets its own there), httpd on :80, and a line on the serial console.
ensure_initramfs() {
	ver=$1
	out=$CACHE/initramfs-$ver.cpio.gz
	[ -s "$out" ] && return 0
	bb=$(command -v busybox || true)
	[ -n "$bb" ] || die "busybox not found: install busybox-static"
	! ldd "$bb" >/dev/null 2>&1 || die "$bb is dynamically linked: install busybox-static"
	say "building the demo guest's initramfs"
	tmp=$(mktemp -d)
	mkdir -p "$tmp/bin" "$tmp/proc" "$tmp/sys" "$tmp/dev" "$tmp/lib" "$tmp/www"
	cp "$bb" "$tmp/bin/busybox"
	ln -s busybox "$tmp/bin/sh"
	cp "$CACHE/e1000-$ver.ko" "$tmp/lib/e1000.ko"
	cat >"$tmp/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
insmod /lib/e1000.ko
addr=
for w in \$(cat /proc/cmdline); do
	case \$w in uksm.ip=*) addr=\${w#uksm.ip=} ;; esac
done
ip link set lo up
ip link set eth0 up
[ -n "\$addr" ] && ip addr add "\$addr" dev eth0
echo "uksmtop demo guest \$addr" >/www/index.html
httpd -p 80 -h /www
echo "$READY_TEXT \$addr"
while :; do sleep 3600; done
EOF
	chmod 755 "$tmp/init"
	( cd "$tmp" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -9 ) >"$CACHE/initramfs.tmp" ||
		{ rm -rf "$tmp"; die "cpio failed"; }
	rm -rf "$tmp"
	mv "$CACHE/initramfs.tmp" "$out"
}

domain_xml() {
	uuid=$1 ver=$2
	cat <<EOF
<domain type='qemu'>
  <name>$KVM_NAME</name>
  ${uuid:+<uuid>$uuid</uuid>}
  <memory unit='MiB'>$GUEST_MIB</memory>
  <currentMemory unit='MiB'>$GUEST_MIB</currentMemory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$CACHE/vmlinuz-$ver</kernel>
    <initrd>$CACHE/initramfs-$ver.cpio.gz</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet uksm.ip=$NET.100/24</cmdline>
  </os>
  <on_crash>destroy</on_crash>
  <devices>
    <interface type='bridge'>
      <source bridge='$BRIDGE'/>
      <mac address='$(name_mac 52:54:00 "$KVM_NAME")'/>
      <model type='e1000'/>
    </interface>
    <serial type='file'>
      <source path='$CACHE/$KVM_NAME.console.log'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}

ensure_kvm() {
	command -v virsh >/dev/null || die "virsh not found: install libvirt-daemon-system"
	[ -f "$ASSETS" ] || die "$ASSETS not found"
	# The daemons and the guest kernel, as the integration tests make them.
	sh "$ASSETS" setup-kvm 0 || die "assets.sh setup-kvm 0 failed"
	kernel=${UKSMTOP_TEST_CACHE:-/var/cache/uksmtop-test}/vmlinuz
	[ -s "$kernel" ] || die "no guest kernel at $kernel"
	ver=$(kernel_version "$kernel")
	[ -n "$ver" ] || die "cannot read the kernel version of $kernel"
	[ -s "$CACHE/vmlinuz-$ver" ] || cp "$kernel" "$CACHE/vmlinuz-$ver"
	ensure_e1000 "$ver"
	ensure_initramfs "$ver"
	uuid=$(virsh -q -c "$URI" domuuid "$KVM_NAME" 2>/dev/null || true)
	xml=$(mktemp)
	domain_xml "$uuid" "$ver" >"$xml"
	virsh -q -c "$URI" define "$xml" >/dev/null || { rm -f "$xml"; die "virsh define $KVM_NAME failed"; }
	rm -f "$xml"
	say "domain $KVM_NAME defined (not started: clones are made from its definition)"
}

# --- the config file -----------------------------------------------------------------------

# Print the file without the demo's template sections.
config_without_demo() {
	[ -f "$CONFIG" ] || return 0
	awk '
		/^[ \t]*\[/ {
			s = tolower($0); gsub(/[ \t]/, "", s)
			skip = (s == "[templatedemo-lxc]" || s == "[templatedemo-kvm]")
		}
		!skip { print }
	' "$CONFIG" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

config_templates() {
	if [ "$DO_LXC" = 1 ]; then
		cat <<EOF
[template demo-lxc]
; busybox container $LXC_NAME on $BRIDGE, httpd on :80 (tests/demo/setup.sh)
type = lxc
source = $LXC_NAME
ready = ping
timeout = 30
prefix = $LXC_NAME-
address = $NET.11
EOF
	fi
	if [ "$DO_KVM" = 1 ]; then
		[ "$DO_LXC" = 0 ] || echo
		cat <<EOF
[template demo-kvm]
; TCG guest $KVM_NAME on $BRIDGE, busybox initramfs, httpd on :80 (tests/demo/setup.sh)
type = kvm
source = $KVM_NAME
ready = ping
timeout = 120
prefix = $KVM_NAME-
address = $NET.101
EOF
	fi
}

# write_config WITH_TEMPLATES: through a temporary file and a rename, mode 0644
# (uksmtop refuses, as root, a config file others could write).
write_config() {
	dir=$(dirname "$CONFIG")
	mkdir -p "$dir"
	tmp=$(mktemp "$CONFIG.tmp.XXXXXX")
	config_without_demo >"$tmp" || { rm -f "$tmp"; die "cannot write $tmp"; }
	if [ "$1" != 0 ]; then
		{
			[ ! -s "$tmp" ] || echo
			config_templates
		} >>"$tmp" || { rm -f "$tmp"; die "cannot write $tmp"; }
	fi
	chmod 644 "$tmp"
	mv "$tmp" "$CONFIG"
}

# --- removal -----------------------------------------------------------------------------------

MARK_NS=urn:uksmtop:clone:1

# Clones are removed only when named after the demo and marked as uksmtop's.
remove_lxc() {
	command -v lxc-ls >/dev/null || return 0
	lxcpath=$(lxc-config lxc.lxcpath)
	for name in $(lxc-ls -1 2>/dev/null || true); do
		case $name in "$LXC_NAME"-*) ;; *) continue ;; esac
		[ -f "$lxcpath/$name/uksmtop.clone" ] || continue
		lxc-stop -k -n "$name" >/dev/null 2>&1 || true
		lxc-destroy -n "$name" >/dev/null 2>&1 || say "cannot destroy clone $name"
	done
	if lxc-info -n "$LXC_NAME" >/dev/null 2>&1; then
		lxc-stop -k -n "$LXC_NAME" >/dev/null 2>&1 || true
		lxc-destroy -n "$LXC_NAME" >/dev/null 2>&1 || die "cannot destroy $LXC_NAME"
		say "container $LXC_NAME removed"
	fi
}

remove_kvm() {
	command -v virsh >/dev/null || return 0
	virsh -c "$URI" list >/dev/null 2>&1 || { say "libvirtd not answering: KVM part left alone"; return 0; }
	for name in $(virsh -q -c "$URI" list --all --name 2>/dev/null || true); do
		case $name in "$KVM_NAME"-*) ;; *) continue ;; esac
		virsh -q -c "$URI" metadata "$name" "$MARK_NS" >/dev/null 2>&1 || continue
		virsh -q -c "$URI" destroy "$name" >/dev/null 2>&1 || true
		virsh -q -c "$URI" undefine "$name" >/dev/null 2>&1 || true
	done
	if virsh -q -c "$URI" domstate "$KVM_NAME" >/dev/null 2>&1; then
		virsh -q -c "$URI" destroy "$KVM_NAME" >/dev/null 2>&1 || true
		virsh -q -c "$URI" undefine "$KVM_NAME" >/dev/null || die "cannot undefine $KVM_NAME"
		say "domain $KVM_NAME removed"
	fi
	rm -f "$CACHE/$KVM_NAME".console.log "$CACHE/$KVM_NAME"-*.console.log
}

remove_bridge() {
	ip link show "$BRIDGE" >/dev/null 2>&1 || return 0
	ip -d link show "$BRIDGE" | grep -q ' bridge ' || die "$BRIDGE is not a bridge: left alone"
	ip link del "$BRIDGE"
	say "bridge $BRIDGE removed"
}

# --- main ------------------------------------------------------------------------------------

mkdir -p "$CACHE"
chmod 755 "$CACHE" # QEMU runs as libvirt-qemu and reads the kernel from here

if [ "$REMOVE" = 1 ]; then
	[ "$DO_LXC" = 0 ] || remove_lxc
	[ "$DO_KVM" = 0 ] || remove_kvm
	remove_bridge
	[ ! -f "$CONFIG" ] || write_config 0
	exit 0
fi

ensure_bridge
[ "$DO_LXC" = 0 ] || ensure_lxc
[ "$DO_KVM" = 0 ] || ensure_kvm
write_config 1
say "templates demo-lxc and demo-kvm written to $CONFIG"
say "try: uksmtop -C $CONFIG --boot-storm 3 --template demo-lxc"
