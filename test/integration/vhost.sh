#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# vhost-user VM ports, frames both ways, in both modes and across a tunnel. Two hosts (h1,
# h2: namespaces with a vtepsw each, joined by a 1500-byte underlay, VLAN 100 <-> VNI 5000
# over VXLAN). On each host a "VM" on a vhost-user port (test/vm/vmsim.c over
# net_virtio_user, answering ARP and ping) and a namespace VM on a veth:
#   h1: vm1, vtepsw is the vhost-user server (owns the socket), vmsim the client;
#   h2: vm2, vtepsw is the client (client=1), vmsim the server (server=1), QEMU's usual way.
# Proves: the port comes up with the mode it was given; ping works VM <-> local namespace and
# VM <-> remote host across VXLAN, both ways, in both modes; 60 frames of random sizes from
# vm1 arrive byte-identical at h2's namespace VM across the tunnel and 60 from there arrive
# byte-identical in vm1; vtepsw's port counters equal what the VMs sent and received; the
# port's queue counters agree; vtepsw exits cleanly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vhost.inc"
it_init

it_netns h1 >/dev/null
it_netns h2 >/dev/null
it_link h1 ul0 h2 ul0

# host N MODE: the vtepsw of host N with its vhost-user port vmN (devargs tail MODE).
host() {
	local n=$1 mode=$2 peer=$((3 - $1))
	SWNS="${IT_ID}-h$n"
	it_vm "h${n}v" p100 "192.168.100.1$n/24"
	cat >"$IT_DIR/h$n.json" <<JSON
{"vtep": {"local_ip": "10.99.0.$n/24", "uplink": "up0"},
 "ports": [{"name": "up0", "devargs": "net_af_packet0,iface=ul0", "role": "uplink"},
           {"name": "vm$n", "devargs": "net_vhost$n,iface=$IT_DIR/vm$n.sock$mode", "vlan": 100},
           {"name": "ns$n", "devargs": "net_af_packet1,iface=p100", "vlan": 100}],
 "tunnels": [{"name": "vx", "type": "vxlan", "remote_ip": "10.99.0.$peer"}],
 "segments": [{"vlan": 100, "vni": 5000, "flood": ["vx"]}]}
JSON
	# shellcheck disable=SC2086
	it_vtepsw_start "h$n" "$IT_DIR/h$n.json" $EAL_LOG
}
host 1 "" || { IT_FAILS=$((IT_FAILS + 1)); it_finish; }
host 2 ",client=1" || { IT_FAILS=$((IT_FAILS + 1)); it_finish; }

H2V_MAC=$(it_mac h2v eth0)
$FR gen "$IT_DIR/vm1-out.pcap" 02:00:00:00:01:01 "$H2V_MAC" 60 7777 1
$FR gen "$IT_DIR/h2v-out.pcap" "$H2V_MAC" 02:00:00:00:01:01 60 9999 2
it_capture_start h2v eth0 "$IT_DIR/h2v.pcap"

vm_start vm2 "path=$IT_DIR/vm2.sock,server=1" --ip 192.168.100.2 --mac 02:00:00:00:02:02 \
	--duration 40 --recv "$IT_DIR/vm2.pcap"
# vm1 sends its 60 frames 3 s after its link comes up (pings first teach h2 its MAC)
vm_start vm1 "path=$IT_DIR/vm1.sock" --ip 192.168.100.1 --mac 02:00:00:00:01:01 \
	--duration 40 --recv "$IT_DIR/vm1.pcap"
it_check "h1: vm1 connects, vtepsw as vhost-user server" \
	wait_log h1 "port vm1: VM connected on .*(server mode, link up)"
it_check "h2: vm2 connects, vtepsw as vhost-user client" \
	wait_log h2 "port vm2: VM connected on .*(client mode, link up)"

it_check "vm1 <-> h1 namespace VM (local, server mode)" it_ping h1v 192.168.100.1 3
it_check "vm2 <-> h2 namespace VM (local, client mode)" it_ping h2v 192.168.100.2 3
it_check "h2 namespace VM -> vm1 across VXLAN" it_ping h2v 192.168.100.1 3
it_check "h1 namespace VM -> vm2 across VXLAN" it_ping h1v 192.168.100.2 3

# Frames of random sizes: h2's namespace VM -> vm1, and vm1 -> h2's namespace VM, across
# the tunnel. vm1 sends by replaying a pcap: a second vmsim run on the same port would be
# a reconnect, so vm1 is restarted here as a sender (that is a VM restart, which vtepsw
# must take without a hitch, too).
ip netns exec "${IT_ID}-h2v" $FR send eth0 "$IT_DIR/h2v-out.pcap"
sleep 1
kill -INT "$VM_PID_vm1" 2>/dev/null
vm_wait vm1
mv "$IT_DIR/vm1.json" "$IT_DIR/vm1-first.json"
n=$(grep -c "port vm1: VM connected on" "$IT_DIR/vtepsw-h1.log")
vm_start vm1 "path=$IT_DIR/vm1.sock" --ip 192.168.100.1 --mac 02:00:00:00:01:01 \
	--duration 6 --send "$IT_DIR/vm1-out.pcap" --pps 200
WAIT_COUNT=$((n + 1)) it_check "h1: vm1 connects again after the VM restarted" \
	wait_log h1 "port vm1: VM connected on"
it_check "vm1 (restarted) exits 0" vm_wait vm1
it_capture_stop "$IT_DIR/h2v.pcap"
kill -INT "$VM_PID_vm2" 2>/dev/null
it_check "vm2 exits 0" vm_wait vm2

it_check "60 frames h2 namespace VM -> vm1 arrive byte-identical (VXLAN, server mode)" \
	$FR cmp "$IT_DIR/h2v-out.pcap" "$IT_DIR/vm1.pcap" 9999
it_check "60 frames vm1 -> h2 namespace VM arrive byte-identical (VXLAN)" \
	$FR cmp "$IT_DIR/vm1-out.pcap" "$IT_DIR/h2v.pcap" 7777
it_eq "vm1 sent all 60 frames" 60 "$(vm_json vm1 "j['tx']")"
it_eq "vm2 answered every ping (client mode)" 6 "$(vm_json vm2 "j['echo_replies']")"

it_vtepsw_stop h1
it_vtepsw_stop h2
sent1=$(( $(vm_json vm1-first "j['tx_all']") + $(vm_json vm1 "j['tx_all']") ))
got1=$(( $(vm_json vm1-first "j['rx']") + $(vm_json vm1 "j['rx']") ))
it_eq "h1: vtepsw rx on vm1 = frames the VM sent" "$sent1" "$(it_counter h1 vm1 rx)"
it_eq "h1: vtepsw tx on vm1 = frames the VM received" "$got1" "$(it_counter h1 vm1 tx)"
it_eq "h2: vtepsw rx on vm2 = frames the VM sent" "$(vm_json vm2 "j['tx_all']")" \
	"$(it_counter h2 vm2 rx)"
it_eq "h2: vtepsw tx on vm2 = frames the VM received" "$(vm_json vm2 "j['rx']")" \
	"$(it_counter h2 vm2 tx)"
it_eq "h2: queue 0 rx counter = port rx" "$(it_counter h2 vm2 rx)" "$(it_xstat h2 vm2 rxq0_packets)"
it_eq "h1: vm1 connects counter = connects logged" \
	"$(grep -c "port vm1: VM connected on" "$IT_DIR/vtepsw-h1.log")" "$(it_xstat h1 vm1 connects)"
it_eq "h1: vm1 disconnects counter = disconnects logged" \
	"$(grep -c "port vm1: VM disconnected" "$IT_DIR/vtepsw-h1.log")" \
	"$(it_xstat h1 vm1 disconnects)"
it_finish
