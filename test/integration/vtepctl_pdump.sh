#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Packet capture with dpdk-dumpcap (a DPDK secondary process) on a running vtepsw: a VM
# port and the uplink are captured while a VM pings over VXLAN; tshark finds the VM's
# echo requests (inbound) and replies (outbound) on the VM port and the VXLAN packets of
# VNI 5000 on the uplink. A secondary process shares the primary's memory, so this vtepsw
# runs on hugepages (not --no-huge) with its own --file-prefix, which dumpcap is given too.
. "$(dirname "$0")/lib.sh"
it_init
DUMPCAP=$(command -v dpdk-dumpcap) || it_skip "dpdk-dumpcap not installed (Debian package dpdk)"
# An ASan primary's shadow memory sits where the secondary must map the shared hugepage
# memory, so dumpcap's EAL fails at random ("Cannot reserve ... please use
# --base-virtaddr"), and vtepsw then hung at exit once: run this with the normal binary.
ldd "$VTEPSW" 2>/dev/null | grep -q libasan &&
	it_skip "dpdk-dumpcap cannot attach to an ASan-instrumented vtepsw (address space taken by ASan's shadow)"
free=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
[ "$free" -ge 96 ] && mountpoint -q /dev/hugepages ||
	it_skip "needs 96 free 2 MiB hugepages on /dev/hugepages (have $free; run tools/setup.sh)"

SWNS=$(it_netns sw)
it_netns kp >/dev/null
it_link sw ul0 kp ul1
it_vm vm1 p-vm1 192.168.50.1/24
it_kernel_vtep kp ul1
cat >"$IT_DIR/cfg.json" <<'JSON'
{"vtep": {"local_ip": "10.99.0.1/24", "uplink": "up0"},
 "ports": [{"name": "up0", "devargs": "net_af_packet0,iface=ul0", "role": "uplink"},
           {"name": "vm1", "devargs": "net_af_packet1,iface=p-vm1", "vlan": 100}],
 "tunnels": [{"name": "kern", "type": "vxlan", "remote_ip": "10.99.0.2"}],
 "segments": [{"vlan": 100, "vni": 5000, "flood": ["kern"]}]}
JSON
IT_HUGE_MB=160 IT_VTEPSW_ARGS="--mbufs 4096" it_vtepsw_start a "$IT_DIR/cfg.json" || exit 1
it_check "pdump is enabled (no warning at start)" bash -c "! grep -q 'pdump) unavailable' '$IT_DIR/vtepsw-a.log'"
it_check "vm1 reaches the kernel VTEP's address (warms up ARP and the FDB)" it_ping vm1 192.168.50.2 2

# the ethdev names to capture on come from vtepctl
VMDEV=$(it_ctl a --json dump-ports vm1 | $PY -c "import json,sys; print(json.load(sys.stdin)['ports'][0]['ethdev_name'])")
ULDEV=$(it_ctl a --json dump-ports up0 | $PY -c "import json,sys; print(json.load(sys.stdin)['ports'][0]['ethdev_name'])")
it_eq "dpdk-dumpcap -D lists vtepsw's ports" "0. $ULDEV 1. $VMDEV" \
	"$(ip netns exec "$SWNS" "$DUMPCAP" --file-prefix="${IT_ID}-a" -D 2>/dev/null | grep -E '^[0-9]+\. ' | tr '\n' ' ' | sed 's/ $//')"

# capture DEV FILE: dpdk-dumpcap on DEV while vm1 pings the kernel side 5 times
capture() {
	local dev=$1 file=$2 dpid
	ip netns exec "$SWNS" "$DUMPCAP" --file-prefix="${IT_ID}-a" -i "$dev" -w "$file" \
		>"$file.log" 2>&1 &
	dpid=$!
	IT_PIDS+=("$dpid")
	for _ in $(seq 50); do
		grep -q "Capturing on" "$file.log" && break
		sleep 0.1
	done
	sleep 0.5
	it_check "vm1 pings over VXLAN while dumpcap captures on $dev" it_ping vm1 192.168.50.2 5
	sleep 0.5
	kill -INT "$dpid"
	wait "$dpid"
	it_eq "dumpcap on $dev stops cleanly on SIGINT" 0 "$?"
	grep -E "^Packets|^Capturing" "$file.log"
}
capture "$VMDEV" "$IT_DIR/vm.pcapng"
capture "$ULDEV" "$IT_DIR/ul.pcapng"
cnt() { tshark -r "$1" -Y "$2" 2>/dev/null | wc -l; }
it_eq "on $VMDEV: vm1's 5 echo requests, inbound" 5 \
	"$(cnt "$IT_DIR/vm.pcapng" "frame.packet_flags_direction == 1 && icmp.type == 8 && ip.src == 192.168.50.1")"
it_eq "on $VMDEV: the 5 echo replies, outbound" 5 \
	"$(cnt "$IT_DIR/vm.pcapng" "frame.packet_flags_direction == 2 && icmp.type == 0 && ip.dst == 192.168.50.1")"
it_eq "on $ULDEV: the requests leave in VXLAN VNI 5000 to 10.99.0.2" 5 \
	"$(cnt "$IT_DIR/ul.pcapng" "frame.packet_flags_direction == 2 && ip.dst == 10.99.0.2 && vxlan.vni == 5000 && icmp.type == 8")"
it_eq "on $ULDEV: the replies arrive in VXLAN VNI 5000" 5 \
	"$(cnt "$IT_DIR/ul.pcapng" "frame.packet_flags_direction == 1 && ip.src == 10.99.0.2 && vxlan.vni == 5000 && icmp.type == 0")"
it_check "forwarding went on while captured (vtepctl counters)" test \
	"$(it_ctl a --json dump-ports vm1 | $PY -c "import json,sys; print(json.load(sys.stdin)['ports'][0]['drops'])")" -eq 0
it_vtepsw_stop a

# A secondary process that dies holding the shared memory lock (as a dumpcap killed in its
# EAL init does) must not make vtepsw hang at exit: the shutdown watchdog ends it.
DEAD=$(cd "$(dirname "$VTEPSW")/../.." && pwd)/test/vtep-dead-secondary
IT_HUGE_MB=160 IT_VTEPSW_ARGS="--mbufs 4096" it_vtepsw_start b "$IT_DIR/cfg.json" || exit 1
(ip netns exec "$SWNS" "$DEAD" --file-prefix="${IT_ID}-b" --proc-type=secondary --no-pci \
	>"$IT_DIR/dead.log" 2>&1) 2>/dev/null
it_check "the secondary took the lock and died of SIGKILL" grep -q "holding the memory lock" "$IT_DIR/dead.log"
kill -INT "$VTEPSW_PID_b"
t0=$SECONDS
timeout 30 tail --pid="$VTEPSW_PID_b" -f /dev/null
it_check "vtepsw stops within 20 s although the lock is held" test $((SECONDS - t0)) -le 20
kill -0 "$VTEPSW_PID_b" 2>/dev/null && kill -9 "$VTEPSW_PID_b"
wait "$VTEPSW_PID_b"
it_eq "vtepsw exits with status 0 after a clean stop" 0 "$?"
it_check "it names the cause" grep -q "shutdown stuck .*died holding a shared-memory lock" "$IT_DIR/vtepsw-b.log"
it_finish
