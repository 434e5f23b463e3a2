#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Malformed tunnel traffic against one vtepsw: an "attacker" namespace on the uplink (the
# remote VTEP address 10.99.0.2, a static neighbour) injects with scapy a corpus of VXLAN,
# NVGRE and STT packets truncated at every header boundary, with wrong flags, bad IP/UDP/STT
# lengths, outer IP fragments, unknown VNIs, other IP/MAC destinations, short inner frames,
# STT oversize/overlap/duplicate segments and a frame with too many segments, then a flood of
# thousands of random STT segments. Proves that valid traffic sent before and after still
# reaches the VMs of VLANs 100/200/300, that vtepsw stays up and exits cleanly (no sanitizer
# report with the build-san binary), and that up0 counts every class under its drop reason
# (exactly where the corpus makes the count deterministic).
. "$(dirname "$0")/lib.sh"
it_init

CORPUS="$HERE/malformed_corpus.py"
VMAC=02:99:00:00:00:01
# The uplink uses the pcap PMD on purpose: net_af_packet joins a PACKET_FANOUT group with
# PACKET_FANOUT_FLAG_DEFRAG, so the kernel holds (and reassembles) outer IP fragments and
# vtepsw would never see them. rx_iface_in keeps vtepsw's own transmissions out of its rx.
UPLINK=${UPLINK:-net_pcap0,rx_iface_in=ul0,tx_iface=ul0}
# The reassembly timeout is 2.5 s, not the default 1 s: the corpus sends one frame as 300
# segments (the cap_reached case), and on a loaded machine scapy may need over a second for
# them; the frame must not expire before segment 257 arrives.
SW=$(it_netns sw)
it_netns attacker >/dev/null
SWNS=$SW
it_link sw ul0 attacker ul1
AMAC=$(it_mac attacker ul1)
for v in 100 200 300; do
	it_vm "vm$v" "p$v" ""
done
cat >"$IT_DIR/sw.json" <<JSON
{"vtep": {"local_ip": "10.99.0.1/24", "uplink": "up0", "stt_reassembly_timeout_ms": 2500,
          "neighbours": [{"ip": "10.99.0.2", "mac": "$AMAC"}]},
 "ports": [{"name": "up0", "devargs": "$UPLINK", "role": "uplink", "mac": "$VMAC"},
           {"name": "v100", "devargs": "net_af_packet1,iface=p100", "vlan": 100},
           {"name": "v200", "devargs": "net_af_packet2,iface=p200", "vlan": 200},
           {"name": "v300", "devargs": "net_af_packet3,iface=p300", "vlan": 300}],
 "tunnels": [{"name": "vx", "type": "vxlan", "remote_ip": "10.99.0.2"},
             {"name": "gre", "type": "nvgre", "remote_ip": "10.99.0.2"},
             {"name": "stt", "type": "stt", "remote_ip": "10.99.0.2"}],
 "segments": [{"vlan": 100, "vni": 5000, "flood": ["vx"]},
              {"vlan": 200, "vni": 6000, "flood": ["gre"]},
              {"vlan": 300, "vni": 7000, "flood": ["stt"]}]}
JSON
it_vtepsw_start sw "$IT_DIR/sw.json" || { IT_FAILS=$((IT_FAILS + 1)); it_finish; }
PID=$VTEPSW_PID_sw

inject() { ip netns exec "${IT_ID}-attacker" "$PY" "$CORPUS" ul1 "$VMAC" "$AMAC" "$@"; }
# vm_count VLAN FILE: inner frames of the segment's valid generator in a VM capture.
vm_count() {
	it_tcount "$2" "eth.src == 02:aa:00:00:0$(($1 / 100)):01 && udp.dstport == 9"
}

for v in 100 200 300; do
	it_capture_start "vm$v" eth0 "$IT_DIR/vm$v.pcap"
done
it_capture_start sw ul0 "$IT_DIR/ul.pcap"

NVALID=5
inject valid $NVALID
sleep 1
inject corpus >"$IT_DIR/expect.txt"
inject flood 3000 >>"$IT_DIR/expect.txt"
it_check "vtepsw is still running after the corpus and the flood" kill -0 "$PID"
# Valid traffic right after the flood, while the reassembly table is full of junk.
inject valid $NVALID
sleep 4 # the STT reassembly timeout (2.5 s) passes; held frames expire
inject valid $NVALID
sleep 1
it_capture_stop "$IT_DIR/ul.pcap"
for v in 100 200 300; do
	it_capture_stop "$IT_DIR/vm$v.pcap"
done
it_check "vtepsw is still running after the valid traffic" kill -0 "$PID"

# What arrives on vtepsw's side of the veth: frames are not padded to 60 bytes, so the
# 14-byte "Ethernet only" truncation reaches vtepsw as 14 bytes.
it_eq "shortest frame on vtepsw's uplink veth (no padding)" 14 \
	"$(tshark -r "$IT_DIR/ul.pcap" -T fields -e frame.len 2>/dev/null | sort -n | head -1)"

it_eq "VLAN 100 VM got every valid VXLAN frame" $((3 * NVALID)) "$(vm_count 100 "$IT_DIR/vm100.pcap")"
it_eq "VLAN 200 VM got every valid NVGRE frame" $((3 * NVALID)) "$(vm_count 200 "$IT_DIR/vm200.pcap")"
it_eq "VLAN 300 VM got every valid STT frame (whole and two-segment)" $((6 * NVALID)) \
	"$(vm_count 300 "$IT_DIR/vm300.pcap")"
it_eq "VLAN 300 VM: two-segment STT frames reassembled to full size" $((3 * NVALID)) \
	"$(it_tcount "$IT_DIR/vm300.pcap" "eth.src == 02:aa:00:00:03:01 && frame.len > 1400")"
for v in 100 200 300; do
	it_eq "VLAN $v VM received nothing but its valid frames" 0 \
		"$(it_tcount "$IT_DIR/vm$v.pcap" "!(eth.src == 02:aa:00:00:0$((v / 100)):01 && udp.dstport == 9)")"
done

it_vtepsw_stop sw
cat "$IT_DIR/expect.txt" | sed 's/^/    /'
declare -A EXP=()
while read -r _ reason n; do
	EXP[$reason]=$((${EXP[$reason]:-0} + n))
done <"$IT_DIR/expect.txt"
for reason in tnl_truncated tnl_bad_flags tnl_bad_length tnl_ip_fragment tnl_unknown_vni \
	tnl_not_for_us tnl_bad_inner stt_oversize stt_overlap stt_duplicate stt_cap_reached; do
	it_eq "up0 drop counter $reason" "${EXP[$reason]:-0}" "$(it_counter sw up0 "$reason")"
done
it_check "up0 drop counter stt_expired counts the flood's abandoned frames" test \
	"$(it_counter sw up0 stt_expired)" -ge 1
for reason in uplink_other no_resources no_mbuf control_queue_full runt; do
	it_eq "up0 drop counter $reason" 0 "$(it_counter sw up0 "$reason")"
done
# The corpus and valid frames must all arrive; the flood may lose a few to a full rx ring.
it_check "up0 received every corpus and valid frame and most of the flood" test \
	"$(it_counter sw up0 rx)" -ge $(( ${EXP[frames]} + ${EXP[flood]} * 9 / 10 + 3 * 5 * NVALID ))
for v in 100 200 300; do
	it_eq "VM port v$v drops" 0 "$(it_counter sw "v$v" drops)"
done
# Every packet the uplink received was delivered or counted as a drop, STT segments one by
# one (held segments of dropped and expired frames too): 3 rounds of NVALID x (VXLAN,
# NVGRE, a whole STT frame, a two-segment STT frame) were delivered.
it_eq "up0 rx - drops = the valid packets (STT counted per segment)" $((3 * NVALID * 5)) \
	$(( $(it_counter sw up0 rx) - $(it_counter sw up0 drops) ))
it_finish
