#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# 802.1Q learning bridge: access ports on VLAN 100 and 200, a trunk carrying both, VLAN
# isolation proved by capture, drops counted by reason, counters equal to what was sent.
. "$(dirname "$0")/lib.sh"
it_init

SWNS=$(it_netns sw)
it_vm vm1 p-vm1 192.168.10.1/24
it_vm vm2 p-vm2 192.168.10.2/24
it_vm vm3 p-vm3 192.168.20.3/24
it_vm trk p-trk ""
TRK_MAC=$(it_mac trk eth0)
VM1_MAC=$(it_mac vm1 eth0)
VM2_MAC=$(it_mac vm2 eth0)
VM3_MAC=$(it_mac vm3 eth0)

cat >"$IT_DIR/cfg.json" <<JSON
{"bridge": {"name": "br0", "mac_aging_s": 300},
 "ports": [
  {"name": "vm1", "devargs": "net_af_packet0,iface=p-vm1", "vlan": 100},
  {"name": "vm2", "devargs": "net_af_packet1,iface=p-vm2", "vlan": 100},
  {"name": "vm3", "devargs": "net_af_packet2,iface=p-vm3", "vlan": 200},
  {"name": "trunk", "devargs": "net_af_packet3,iface=p-trk", "trunks": [100, 200]}]}
JSON
it_vtepsw_start a "$IT_DIR/cfg.json" || exit 1

# 1. VLAN 100 VMs reach each other; the VLAN 200 VM sees none of their frames.
it_capture_start vm3 eth0 "$IT_DIR/vm3.pcap"
it_check "vm1 pings vm2 on VLAN 100" it_ping vm1 192.168.10.2 5
it_check "vm2 pings vm1 on VLAN 100" it_ping vm2 192.168.10.1 3
ip -n "${IT_ID}-vm3" addr add 192.168.10.3/24 dev eth0
it_check "vm3 (VLAN 200) cannot reach vm1 even with an address in its subnet" \
	it_noping vm3 192.168.10.1 3
it_capture_stop "$IT_DIR/vm3.pcap"
it_eq "frames from vm1/vm2 seen on the VLAN 200 VM" 0 \
	"$(it_tcount "$IT_DIR/vm3.pcap" "eth.src == $VM1_MAC || eth.src == $VM2_MAC")"
it_check "the VLAN 200 capture holds vm3's own traffic (capture worked)" \
	test "$(it_tcount "$IT_DIR/vm3.pcap" "eth.src == $VM3_MAC")" -gt 0

# 2. The trunk carries both VLANs tagged: echo requests in, tagged replies out.
ip -n "${IT_ID}-vm1" neigh replace 192.168.10.4 lladdr "$TRK_MAC" dev eth0
ip -n "${IT_ID}-vm3" neigh replace 192.168.20.4 lladdr "$TRK_MAC" dev eth0
it_capture_start trk eth0 "$IT_DIR/trk.pcap"
ip netns exec "${IT_ID}-trk" "$HERE/scapy_send.py" eth0 3 \
	"Ether(src='$TRK_MAC', dst='$VM1_MAC')/Dot1Q(vlan=100)/IP(src='192.168.10.4', dst='192.168.10.1')/ICMP()" \
	"Ether(src='$TRK_MAC', dst='$VM3_MAC')/Dot1Q(vlan=200)/IP(src='192.168.20.4', dst='192.168.20.3')/ICMP()"
# a VLAN the trunk does not allow, and a tagged frame on an access port
ip netns exec "${IT_ID}-trk" "$HERE/scapy_send.py" eth0 2 \
	"Ether(src='$TRK_MAC', dst='ff:ff:ff:ff:ff:ff')/Dot1Q(vlan=300)/IP()/ICMP()"
ip netns exec "${IT_ID}-vm2" "$HERE/scapy_send.py" eth0 4 \
	"Ether(src='$VM2_MAC', dst='ff:ff:ff:ff:ff:ff')/Dot1Q(vlan=100)/IP()/ICMP()"
# an untagged frame on the trunk, and a frame with a multicast source MAC
ip netns exec "${IT_ID}-trk" "$HERE/scapy_send.py" eth0 1 \
	"Ether(src='$TRK_MAC', dst='ff:ff:ff:ff:ff:ff')/IP()/ICMP()"
ip netns exec "${IT_ID}-vm1" "$HERE/scapy_send.py" eth0 1 \
	"Ether(src='01:00:5e:00:00:01', dst='ff:ff:ff:ff:ff:ff')/IP()/ICMP()"
sleep 0.5
it_capture_stop "$IT_DIR/trk.pcap"
it_eq "tagged VLAN 100 echo replies from vm1 on the trunk" 3 \
	"$(it_tcount "$IT_DIR/trk.pcap" "vlan.id == 100 && icmp.type == 0 && ip.src == 192.168.10.1")"
it_eq "tagged VLAN 200 echo replies from vm3 on the trunk" 3 \
	"$(it_tcount "$IT_DIR/trk.pcap" "vlan.id == 200 && icmp.type == 0 && ip.src == 192.168.20.3")"
it_eq "untagged frames leaving the trunk" 0 \
	"$(it_tcount "$IT_DIR/trk.pcap" "!vlan && eth.src != $TRK_MAC")"

# 3. Counters: stop, then compare with the kernel's counters of the VM ends.
it_vtepsw_stop a
for vm in vm1 vm2 vm3; do
	read -r k_rx k_tx < <(ip netns exec "${IT_ID}-$vm" cat /sys/class/net/eth0/statistics/rx_packets \
		/sys/class/net/eth0/statistics/tx_packets | tr '\n' ' ')
	it_eq "$vm: packets the VM sent == vtepsw rx" "$k_tx" "$(it_counter a "$vm" rx)"
	it_eq "$vm: packets the VM received == vtepsw tx" "$k_rx" "$(it_counter a "$vm" tx)"
done
it_eq "trunk: VLAN 300 frames dropped as vlan_not_allowed" 2 "$(it_counter a trunk vlan_not_allowed)"
it_eq "trunk: untagged frame dropped as untagged_on_trunk" 1 "$(it_counter a trunk untagged_on_trunk)"
it_eq "vm2: tagged frames dropped as tagged_on_access" 4 "$(it_counter a vm2 tagged_on_access)"
it_eq "vm1: multicast source MAC dropped as src_mac_invalid" 1 "$(it_counter a vm1 src_mac_invalid)"
it_eq "vm1: link state reported" up "$(it_counter a vm1 link)"
it_finish
