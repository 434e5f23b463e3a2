#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A real VM on a vhost-user port: Debian's cloud kernel under QEMU (TCG: KVM does not work
# on the CI machines) with a busybox initramfs built by test/vm/mkguest.sh. Two hosts over
# VXLAN (VNI 5000); behind h2's vtepsw a namespace runs a DHCP server (busybox udhcpd).
#   1. vtepsw as vhost-user server, QEMU connects (reconnect=1), memfd shared memory;
#   2. vtepsw as client (client=1), QEMU owns the socket (server=on), guest memory on
#      hugetlbfs when 2 MiB pages are free, else memfd;
#   3. QEMU without shared memory.
# Proves: in both modes the guest's virtio-net comes up with mergeable buffers, multiqueue
# and offloads negotiated, gets an address by DHCP across the tunnel and pings the remote
# VM 5/5; without shared memory the guest never gets a working port and vtepsw says why in
# one line (after 30 s: booting guests are not mistaken for it). Skipped (77) only when QEMU
# or the guest cannot be had.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vhost.inc"
it_init

QEMU=$(command -v qemu-system-x86_64) ||
	it_skip "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
"$QEMU" -version >/dev/null 2>&1 || it_skip "qemu-system-x86_64 does not run here"
guest=$("$TOP/test/vm/mkguest.sh" "${VTEPSW_VM_CACHE:-$TOP/build/vm-cache}" 2>"$IT_DIR/mkguest.err") ||
	it_skip "cannot build the guest: $(head -1 "$IT_DIR/mkguest.err")"
read -r KERNEL INITRD <<<"$guest"

it_netns h1 >/dev/null
it_netns h2 >/dev/null
it_link h1 ul0 h2 ul0
SWNS="${IT_ID}-h1"
cat >"$IT_DIR/h1.json" <<JSON
{"vtep": {"local_ip": "10.99.0.1/24", "uplink": "up0"},
 "ports": [{"name": "up0", "devargs": "net_af_packet0,iface=ul0", "role": "uplink"},
           {"name": "vms", "devargs": "net_vhost0,iface=$IT_DIR/s.sock,queues=2", "vlan": 100},
           {"name": "vmc", "devargs": "net_vhost1,iface=$IT_DIR/c.sock,client=1,queues=2", "vlan": 100}],
 "tunnels": [{"name": "vx", "type": "vxlan", "remote_ip": "10.99.0.2"}],
 "segments": [{"vlan": 100, "vni": 5000, "flood": ["vx"]}]}
JSON
# shellcheck disable=SC2086
it_vtepsw_start h1 "$IT_DIR/h1.json" $EAL_LOG || { IT_FAILS=$((IT_FAILS + 1)); it_finish; }
SWNS="${IT_ID}-h2"
it_vm h2v p100 192.168.100.12/24
cat >"$IT_DIR/h2.json" <<JSON
{"vtep": {"local_ip": "10.99.0.2/24", "uplink": "up0"},
 "ports": [{"name": "up0", "devargs": "net_af_packet0,iface=ul0", "role": "uplink"},
           {"name": "ns", "devargs": "net_af_packet1,iface=p100", "vlan": 100}],
 "tunnels": [{"name": "vx", "type": "vxlan", "remote_ip": "10.99.0.1"}],
 "segments": [{"vlan": 100, "vni": 5000, "flood": ["vx"]}]}
JSON
it_vtepsw_start h2 "$IT_DIR/h2.json" || { IT_FAILS=$((IT_FAILS + 1)); it_finish; }
cat >"$IT_DIR/udhcpd.conf" <<EOF
start 192.168.100.50
end 192.168.100.60
interface eth0
lease_file $IT_DIR/udhcpd.leases
option subnet 255.255.255.0
EOF
touch "$IT_DIR/udhcpd.leases"
ip netns exec "${IT_ID}-h2v" busybox udhcpd -f "$IT_DIR/udhcpd.conf" >"$IT_DIR/udhcpd.log" 2>&1 &
UDHCPD=$!
IT_PIDS+=("$UDHCPD")

# qemu TAG MAC CHARDEV MEMORY [GUEST_ARGS]: boot the guest on h1 (in vtepsw's namespace),
# wait for it to power off; its console is $IT_DIR/TAG.console. (vectors=0: QEMU 7.2 under
# TCG crashes with vhost-user and MSI-X.)
qemu() {
	local tag=$1 mac=$2 chardev=$3 mem=$4 pid rc=0
	local args=${5:-vm.ip=dhcp vm.peer=192.168.100.12 vm.count=5}
	# shellcheck disable=SC2086
	ip netns exec "${IT_ID}-h1" timeout -k 5 "${QEMU_TIMEOUT:-180}" "$QEMU" \
		-machine pc,accel=tcg -m 128 -smp 1 -display none -monitor none -no-reboot \
		-serial "file:$IT_DIR/$tag.console" -kernel "$KERNEL" -initrd "$INITRD" \
		-append "console=ttyS0 ipv6.disable=1 panic=-1 quiet $args" \
		$mem -chardev "socket,id=chr0,$chardev" \
		-netdev type=vhost-user,id=net0,chardev=chr0,queues=2 \
		-device "virtio-net-pci,netdev=net0,mac=$mac,mrg_rxbuf=on,mq=on,vectors=0,romfile=" \
		>"$IT_DIR/$tag.qemu" 2>&1 &
	pid=$!
	IT_PIDS+=("$pid")
	wait "$pid" || rc=$?
	it_log "QEMU ($tag) exited with $rc; console:"
	grep "VM-" "$IT_DIR/$tag.console" | sed 's/^/    /'
}
marker() { grep -o "$2.*" "$IT_DIR/$1.console" | tr -d '\r' | head -1; }

# 1. server mode: vtepsw owns the socket, QEMU connects (and would reconnect)
qemu server 52:54:00:99:00:01 "path=$IT_DIR/s.sock,reconnect=1" \
	"-object memory-backend-memfd,id=mem,size=128M,share=on -numa node,memdev=mem"
it_check "server mode: vtepsw saw the guest connect with mrg_rxbuf, mq and offloads" \
	grep -q "port vms: VM connected on .*(server mode, link up).*mrg_rxbuf mq csum guest_csum.*guest_tso4" \
	"$IT_DIR/vtepsw-h1.log"
it_eq "server mode: the guest's eth0 came up" "VM-UP 52:54:00:99:00:01" "$(marker server VM-UP)"
it_check "server mode: the guest got a DHCP address across VXLAN ($(marker server VM-ADDR))" \
	grep -q "VM-ADDR 192.168.100.5[0-9]/24" "$IT_DIR/server.console"
it_eq "server mode: the guest pings the VM behind h2" "VM-PING 5/5" "$(marker server VM-PING)"

# 2. client mode: QEMU owns the socket; vtepsw connects by itself
if mountpoint -q /dev/hugepages && [ "$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages)" -ge 80 ]; then
	mem="-object memory-backend-file,id=mem,size=128M,mem-path=/dev/hugepages,share=on,prealloc=on -numa node,memdev=mem"
	it_log "client mode: guest memory on hugetlbfs"
else
	mem="-object memory-backend-memfd,id=mem,size=128M,share=on -numa node,memdev=mem"
	it_log "client mode: too few free 2 MiB pages, guest memory on memfd"
fi
qemu client 52:54:00:99:00:02 "path=$IT_DIR/c.sock,server=on,wait=off" "$mem"
it_check "client mode: vtepsw connected to QEMU's socket by itself" \
	grep -q "port vmc: VM connected on .*(client mode, link up).*mrg_rxbuf mq" "$IT_DIR/vtepsw-h1.log"
it_check "client mode: the guest got a DHCP address across VXLAN ($(marker client VM-ADDR))" \
	grep -q "VM-ADDR 192.168.100.5[0-9]/24" "$IT_DIR/client.console"
it_eq "client mode: the guest pings the VM behind h2" "VM-PING 5/5" "$(marker client VM-PING)"

# 3. no shared memory: the guest cannot use the port; vtepsw says why
# (the guest pings for 40 s: vtepsw waits 30 s before it suspects the memory)
QEMU_TIMEOUT=120 qemu noshare 52:54:00:99:00:03 "path=$IT_DIR/s.sock,reconnect=1" "" \
	"vm.ip=192.168.100.9/24 vm.peer=192.168.100.12 vm.count=40"
it_check "no shared memory: QEMU refuses the vhost-user memory map" \
	grep -q "Failed initializing vhost-user memory map" "$IT_DIR/noshare.qemu"
it_check "no shared memory: vtepsw logs one clear warning naming the fix" \
	grep -q "port vms: a VM has been connected to .* without finishing vhost-user setup: .*shares no memory with vtepsw.*share=on" \
	"$IT_DIR/vtepsw-h1.log"
it_eq "no shared memory: the guest's pings fail" "VM-PING 0/40" "$(marker noshare VM-PING)"

kill "$UDHCPD" 2>/dev/null
wait "$UDHCPD" 2>/dev/null
it_vtepsw_stop h1
it_vtepsw_stop h2
it_check "vtepsw counted traffic on both VM ports" \
	test "$(it_counter h1 vms rx)" -gt 5 -a "$(it_counter h1 vmc rx)" -gt 5
it_eq "vtepsw counted one setup stall (the booting guests did not count)" 1/0 \
	"$(it_xstat h1 vms setup_stalls)/$(it_xstat h1 vmc setup_stalls)"
it_finish
