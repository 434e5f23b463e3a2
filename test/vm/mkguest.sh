#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build the guest of the QEMU vhost-user test: Debian's cloud kernel (fetched with apt-get
# download, not installed) and a small busybox initramfs that loads virtio-net, gets an
# address (DHCP or static) and pings a peer, printing markers on the serial console.
#
#   test/vm/mkguest.sh CACHE_DIR      prints "KERNEL INITRD" (paths inside CACHE_DIR)
#
# Guest kernel command line understood by /init:
#   vm.ip=dhcp | A.B.C.D/LEN   how eth0 gets its address
#   vm.peer=A.B.C.D            address to ping
#   vm.count=N                 pings to send (default 5)
# Console markers: "VM-UP", "VM-ADDR <addr>", "VM-PING <received>/<sent>", "VM-DONE".
# Exit status: 0, or 1 with a one-line reason on stderr (no busybox-static, no kernel).
set -euo pipefail
cache=${1:?usage: mkguest.sh CACHE_DIR}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
fail() { echo "mkguest: $*" >&2; exit 1; }

busybox=/bin/busybox
dpkg -s busybox-static >/dev/null 2>&1 && "$busybox" --list | grep -qx udhcpc ||
	fail "a static busybox with udhcpc is needed (apt-get install busybox-static)"

# The kernel: the version Debian's linux-image-cloud-amd64 points at, unpacked once.
kpkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
[ -n "$kpkg" ] || fail "apt-cache knows no linux-image-cloud-amd64 (apt-get update?)"
kdir="$cache/$kpkg"
if [ ! -d "$kdir/boot" ]; then
	rm -rf "$kdir.tmp"
	mkdir -p "$kdir.tmp"
	(cd "$kdir.tmp" && apt-get download "$kpkg" >/dev/null 2>&1) ||
		fail "cannot download $kpkg from the Debian archive"
	dpkg-deb -x "$kdir.tmp"/*.deb "$kdir.tmp/x" || fail "cannot unpack $kpkg"
	mv "$kdir.tmp/x" "$kdir"
	rm -rf "$kdir.tmp"
fi
kernel=$(ls "$kdir"/boot/vmlinuz-* | head -1)
kver=${kernel##*/vmlinuz-}
mods="$kdir/lib/modules/$kver/kernel"

initrd="$cache/guest-$kver.cpio.gz"
if [ ! -s "$initrd" ] || [ "$0" -nt "$initrd" ]; then
	root=$(mktemp -d)
	trap 'rm -rf "$root"' EXIT
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc,lib/modules}
	cp "$busybox" "$root/bin/busybox"
	# virtio-net and what it depends on (modinfo -F depends), in load order
	for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci \
		failover net_failover virtio_net; do
		f=$(find "$mods" -name "$m.ko" -o -name "$m.ko.xz" | head -1)
		[ -n "$f" ] || fail "module $m not found in $kpkg"
		case "$f" in *.xz) xz -dc "$f" >"$root/lib/modules/$m.ko" ;; *) cp "$f" "$root/lib/modules/" ;; esac
	done
	cat >"$root/udhcpc.sh" <<'EOF'
#!/bin/busybox sh
case "$1" in bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/$mask" dev "$interface" ;; esac
EOF
	cat >"$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover \
	net_failover virtio_net; do
	insmod /lib/modules/$m.ko || echo "VM-ERROR insmod $m"
done
ip=dhcp peer= count=5
for a in $(cat /proc/cmdline); do
	case "$a" in vm.ip=*) ip=${a#vm.ip=} ;; vm.peer=*) peer=${a#vm.peer=} ;; vm.count=*) count=${a#vm.count=} ;; esac
done
ip link set lo up
for i in 1 2 3 4 5 6 7 8 9 10; do ip link show eth0 >/dev/null 2>&1 && break; sleep 1; done
ip link set eth0 up && echo "VM-UP $(cat /sys/class/net/eth0/address)"
if [ "$ip" = dhcp ]; then
	udhcpc -i eth0 -s /udhcpc.sh -n -q -t 30 -T 2 >/dev/null 2>&1 || echo "VM-ERROR no DHCP lease"
else
	ip addr add "$ip" dev eth0
fi
echo "VM-ADDR $(ip -4 -o addr show dev eth0 | awk '{print $4}')"
if [ -n "$peer" ]; then
	got=$(ping -c "$count" -W 3 "$peer" 2>/dev/null | awk '/packets received/ {print $4}')
	echo "VM-PING ${got:-0}/$count"
fi
echo VM-DONE
poweroff -f
EOF
	chmod +x "$root/init" "$root/udhcpc.sh"
	(cd "$root" && find . | "$busybox" cpio -o -H newc 2>/dev/null | gzip -9) >"$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
fi
echo "$kernel $initrd"
