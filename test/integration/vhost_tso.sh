#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Guest offloads through vtepsw. vmA (a trunk port, VLANs 100/200/300) hands vtepsw what a
# guest kernel with TSO and checksum offload does: 64 KiB TCP frames marked for segmentation
# (virtio GSO) and small frames with partial checksums. Static FDB entries send each flow
# to its place; the underlay (1500-byte MTU) is captured at its far end.
#   40001 IPv4, 65483 bytes -> VXLAN        40002 IPv6, 60000 bytes -> VXLAN
#   40003 IPv4, 30000 bytes -> NVGRE        40004 IPv4, 65483 bytes -> STT
#   40005 IPv4, 20000 bytes -> vmB (guest without offloads)
#   40006 IPv4, 20000 bytes -> vmC (guest with TSO/checksum offloads)
#   40007, 40008: 300-byte TCP frames with partial checksums -> VXLAN
# Proves: no underlay frame exceeds 1514 bytes; VXLAN and NVGRE carry exactly the segments
# the MTU allows (47, 44, 22), every inner and outer checksum correct (tshark) and the
# payload complete and in order (scapy); STT carries one frame of 65549 bytes in segments
# that tshark reassembles, with a correct inner checksum (two STT frames: a 65549-byte
# frame does not fit one); vmB gets MTU-sized segments with
# correct checksums, vmC one 20066-byte GSO frame; partial checksums are completed; the
# driver counts the TSO frames and checksum completions; nothing is dropped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vhost.inc"
it_init

SWNS=$(it_netns h1)
it_netns h2 >/dev/null
it_link h1 ul0 h2 ul0
# (h2's kernel answers ARP for the tunnels' remote; its ICMP port unreachable replies,
# which quote our packets, are left out of every count below)
ip -n "${IT_ID}-h2" addr add 10.99.0.2/24 dev ul0
AA=02:00:00:00:aa
cat >"$IT_DIR/h1.json" <<JSON
{"vtep": {"local_ip": "10.99.0.1/24", "uplink": "up0", "mtu": 1500},
 "ports": [{"name": "up0", "devargs": "net_af_packet0,iface=ul0", "role": "uplink"},
           {"name": "vmA", "devargs": "net_vhost0,iface=$IT_DIR/a.sock", "trunks": [100, 200, 300]},
           {"name": "vmB", "devargs": "net_vhost1,iface=$IT_DIR/b.sock", "vlan": 100},
           {"name": "vmC", "devargs": "net_vhost2,iface=$IT_DIR/c.sock", "vlan": 100}],
 "tunnels": [{"name": "vx", "type": "vxlan", "remote_ip": "10.99.0.2"},
             {"name": "gre", "type": "nvgre", "remote_ip": "10.99.0.2"},
             {"name": "stt", "type": "stt", "remote_ip": "10.99.0.2"}],
 "segments": [{"vlan": 100, "vni": 5000, "flood": ["vx"]},
              {"vlan": 200, "vni": 6000, "flood": ["gre"]},
              {"vlan": 300, "vni": 7000, "flood": ["stt"]}],
 "fdb": [{"vlan": 100, "mac": "$AA:01", "tunnel": "vx"},
         {"vlan": 200, "mac": "$AA:02", "tunnel": "gre"},
         {"vlan": 300, "mac": "$AA:03", "tunnel": "stt"},
         {"vlan": 100, "mac": "02:00:00:00:00:0b", "port": "vmB"},
         {"vlan": 100, "mac": "02:00:00:00:00:0c", "port": "vmC"}]}
JSON
# shellcheck disable=SC2086
it_vtepsw_start h1 "$IT_DIR/h1.json" $EAL_LOG || { IT_FAILS=$((IT_FAILS + 1)); it_finish; }

$FR tsoframes "$IT_DIR/a.pcap" "100,$AA:01,40001,65483" "100,$AA:01,40002,60000,v6" \
	"200,$AA:02,40003,30000" "300,$AA:03,40004,65483" "100,02:00:00:00:00:0b,40005,20000" \
	"100,02:00:00:00:00:0c,40006,20000" "100,$AA:01,40007,300" "100,$AA:01,40008,300,v6"
it_capture_start h2 ul0 "$IT_DIR/ul.pcap"
vm_start vmB "path=$IT_DIR/b.sock" --mac 02:00:00:00:00:0b --duration 30 --recv "$IT_DIR/b.pcap"
vm_start vmC "path=$IT_DIR/c.sock" --mac 02:00:00:00:00:0c --duration 30 --recv "$IT_DIR/c.pcap" \
	--guest-offloads
WAIT_COUNT=2 it_check "vmB and vmC connect" wait_log h1 "port vm[BC]: VM connected on" 20
it_check "vmC negotiated guest TSO" \
	wait_log h1 "port vmC: VM connected on .*guest_tso4 guest_tso6" 10
vm_start vmA "path=$IT_DIR/a.sock" --mac 02:00:00:00:00:0a --duration 4 --send "$IT_DIR/a.pcap" \
	--pps 20 --tso 1448 --csum --send-after 1
it_check "vmA exits 0" vm_wait vmA
it_eq "vmA sent 8 frames, 6 of them as TSO" "8/6" \
	"$(vm_json vmA "j['tx']")/$(vm_json vmA "j['tx_tso']")"
sleep 1
kill -INT "$VM_PID_vmB" "$VM_PID_vmC"
vm_wait vmB
vm_wait vmC
it_capture_stop "$IT_DIR/ul.pcap"
it_vtepsw_stop h1

UL="$IT_DIR/ul.pcap"
CK="-o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE"
STT="-o ip.try_heuristic_first:TRUE"
it_eq "no underlay frame above 1514 bytes" 0 "$(it_tcount "$UL" "frame.len > 1514")"
# shellcheck disable=SC2086
it_eq "no bad checksum anywhere on the underlay (outer and inner IP, TCP)" 0 \
	"$(it_tcount "$UL" "!icmp && (ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0)" $CK)"
# tcp_seg SPORT FILTER: inner TCP segments of a flow with a good checksum
tcp_seg() {
	# shellcheck disable=SC2086
	it_tcount "$UL" "!icmp && tcp.srcport == $1 && tcp.checksum.status == 1 && $2" $CK
}
it_eq "40001 IPv4 -> VXLAN: 47 segments (1398 bytes: 1500 - 50 - 20 - 32), checksums good" \
	47 "$(tcp_seg 40001 "vxlan.vni == 5000 && ip.checksum.status == 1")"
it_eq "40001: payload complete and in order" "segments=47 bytes=65483 max_frame=1514 content_ok=1" \
	"$($FR tcpcheck "$UL" 40001)"
it_eq "40002 IPv6 -> VXLAN: 44 segments (1378 bytes), checksums good" 44 \
	"$(tcp_seg 40002 "vxlan.vni == 5000 && ipv6")"
it_eq "40002: payload complete and in order" "segments=44 bytes=60000 max_frame=1514 content_ok=1" \
	"$($FR tcpcheck "$UL" 40002)"
it_eq "40003 IPv4 -> NVGRE: 22 segments (1406 bytes), checksums good" 22 \
	"$(tcp_seg 40003 "gre.proto == 0x6558 && gre.key >= 0x00177000 && gre.key <= 0x001770ff")"
it_eq "40003: payload complete and in order" "segments=22 bytes=30000 max_frame=1514 content_ok=1" \
	"$($FR tcpcheck "$UL" 40003)"
# shellcheck disable=SC2086
it_eq "40004 -> STT: two frames (the 65549-byte one does not fit one) in 45 + 1 segments" 46 \
	"$(it_tcount "$UL" "!icmp && stt" $STT -o stt.reassemble:FALSE)"
# shellcheck disable=SC2086
it_eq "40004: the STT segments carry two frame ids" 2 \
	"$(tshark -r "$UL" $STT -o stt.reassemble:FALSE -Y "!icmp && stt" -T fields -e stt.pkt_id 2>/dev/null | sort -u | wc -l)"
# shellcheck disable=SC2086
it_eq "40004: tshark reassembles 45 x 1448 + 323 bytes, inner TCP checksums good" \
	"323 65160" "$(tshark -r "$UL" $STT $CK -Y "!icmp && stt.context_id == 0x1b58 && tcp.srcport == 40004 && tcp.checksum.status == 1" -T fields -e tcp.len 2>/dev/null | sort -n | xargs)"
it_eq "40007/40008: partial checksums completed (TCP over IPv4, IPv6), VXLAN" 2 \
	"$(tcp_seg "40007 || tcp.srcport == 40008" "vxlan.vni == 5000")"

B="$IT_DIR/b.pcap"
# shellcheck disable=SC2086
it_eq "vmB (no guest offloads): 14 segments of 1448 bytes, checksums good" 14 \
	"$(it_tcount "$B" "tcp.srcport == 40005 && tcp.checksum.status == 1 && ip.checksum.status == 1" $CK)"
it_eq "vmB: payload complete and in order" "segments=14 bytes=20000 max_frame=1514 content_ok=1" \
	"$($FR tcpcheck "$B" 40005)"
it_eq "vmB: no GSO frame, no partial checksum" "0/0" \
	"$(vm_json vmB "j['rx_gso']")/$(vm_json vmB "j['rx_partial_csum']")"
it_eq "vmC (guest TSO): one GSO frame with a partial checksum" "1/1" \
	"$(vm_json vmC "j['rx_gso']")/$(vm_json vmC "j['rx_partial_csum']")"
# shellcheck disable=SC2086
it_eq "vmC: the 20066-byte frame, checksum right once completed as a guest does" 1 \
	"$(it_tcount "$IT_DIR/c.pcap" "tcp.srcport == 40006 && frame.len == 20066 && tcp.checksum.status == 1" $CK)"
it_eq "vmC: payload intact" "segments=1 bytes=20000 max_frame=20066 content_ok=1" \
	"$($FR tcpcheck "$IT_DIR/c.pcap" 40006)"

it_eq "vtepsw counted 6 TSO frames from vmA" 6 "$(it_xstat h1 vmA rxq0_tso_frames)"
it_eq "vtepsw completed 2 partial checksums from vmA" 2 "$(it_xstat h1 vmA rxq0_csum_completed)"
for p in vmA vx gre stt; do
	it_eq "port $p: no drops" 0 "$(it_counter h1 $p drops)"
done
it_finish
