#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Two simulated hypervisors, each a namespace running its own vtepsw, joined by a 1500-byte
# underlay veth (10.99.0.1 <-> 10.99.0.2, resolved with ARP by vtepsw itself). Each host has
# three VMs: VLAN 100 <-> VNI 5000 over VXLAN, VLAN 200 <-> VNI 6000 over NVGRE, VLAN 300 <->
# VNI 7000 over STT. Proves: same-segment VMs ping across hosts for all three tunnel types;
# a VM cannot reach another segment even with an address in its subnet; STT carries 9000-
# and 64000-byte frames over the 1500-byte underlay by segmenting and reassembling (no
# underlay frame above 1514 bytes, STT context 7000 segments on the wire); and random
# scapy traffic (random MACs, broadcast/multicast, random VLAN tags) injected into one
# VM of each segment on h1 never shows up in another segment's VM on h2.
. "$(dirname "$0")/lib.sh"
it_init

SEGS="100 200 300"
declare -A NET=([100]=192.168.100 [200]=192.168.200 [300]=192.168.30)
declare -A OUI=([100]=02:00:01 [200]=02:00:02 [300]=02:00:03)
declare -A VNI=([100]=5000 [200]=6000 [300]=7000)
declare -A TUN=([100]=vx [200]=gre [300]=stt)
# The STT VM ports carry frames of up to 64000 bytes. net_af_packet copies a frame into one
# mbuf, so vtepsw's buffers (--mbuf-size) must hold the largest frame, and the ring slot
# (framesz) must hold it plus 32 bytes of TPACKET header while framesz - 32 still fits the
# buffer; framesz must divide blocksz, a multiple of the page size: 65280 * 16 = 1044480.
STT_VM_ARGS=${STT_VM_ARGS:-,framesz=65280,blocksz=1044480,framecnt=16}
export IT_VTEPSW_ARGS="--mbuf-size 65535 --mbufs 2048"
export IT_MEM=700

it_netns h1 >/dev/null
it_netns h2 >/dev/null
it_link h1 ul0 h2 ul0

# host_setup N: VMs h<N>v<vlan> with addresses .<N>, the vtepsw config, and vtepsw itself.
host_setup() {
	local n=$1 peer=$((3 - $1)) v ports="" i=1
	SWNS="${IT_ID}-h$n"
	for v in $SEGS; do
		it_vm "h${n}v$v" "p$v" "${NET[$v]}.$n/24"
		local extra=""
		[ "$v" = 300 ] && extra=$STT_VM_ARGS
		ports="$ports,
  {\"name\": \"v$v\", \"devargs\": \"net_af_packet$i,iface=p$v$extra\", \"vlan\": $v}"
		i=$((i + 1))
	done
	cat >"$IT_DIR/h$n.json" <<JSON
{"vtep": {"local_ip": "10.99.0.$n/24", "uplink": "up0", "mtu": 1500},
 "ports": [{"name": "up0", "devargs": "net_af_packet0,iface=ul0", "role": "uplink"}$ports],
 "tunnels": [{"name": "vx", "type": "vxlan", "remote_ip": "10.99.0.$peer"},
             {"name": "gre", "type": "nvgre", "remote_ip": "10.99.0.$peer"},
             {"name": "stt", "type": "stt", "remote_ip": "10.99.0.$peer"}],
 "segments": [{"vlan": 100, "vni": 5000, "flood": ["vx"]},
              {"vlan": 200, "vni": 6000, "flood": ["gre"]},
              {"vlan": 300, "vni": 7000, "flood": ["stt"]}]}
JSON
	it_vtepsw_start "h$n" "$IT_DIR/h$n.json"
}

host_setup 1 || { IT_FAILS=$((IT_FAILS + 1)); it_finish; }
host_setup 2 || { IT_FAILS=$((IT_FAILS + 1)); it_finish; }

# 1. Same segment across hosts, every tunnel type, both directions. af_packet sends with
# PACKET_QDISC_BYPASS, so a tap on the sender's side never sees vtepsw's own transmissions:
# capture each direction on the receiving end of the underlay.
it_capture_start h1 ul0 "$IT_DIR/ping1.pcap"
it_capture_start h2 ul0 "$IT_DIR/ping2.pcap"
for v in $SEGS; do
	it_check "VLAN $v (${TUN[$v]}, VNI ${VNI[$v]}): h1 VM pings h2 VM" \
		it_ping "h1v$v" "${NET[$v]}.2" 4
	it_check "VLAN $v (${TUN[$v]}, VNI ${VNI[$v]}): h2 VM pings h1 VM" \
		it_ping "h2v$v" "${NET[$v]}.1" 3
done
it_capture_stop "$IT_DIR/ping1.pcap"
it_capture_stop "$IT_DIR/ping2.pcap"
STT="-o ip.try_heuristic_first:TRUE"
for n in 1 2; do
	f="$IT_DIR/ping$n.pcap"
	src="10.99.0.$((3 - n))"
	it_check "underlay into h$n: VXLAN VNI 5000 ICMP from $src" test \
		"$(it_tcount "$f" "ip.src == $src && vxlan.vni == 5000 && icmp")" -ge 6
	it_check "underlay into h$n: NVGRE (0x6558, key 6000<<8|flow) ICMP from $src" test \
		"$(it_tcount "$f" "ip.src == $src && gre.proto == 0x6558 && gre.key >= 0x00177000 && gre.key <= 0x001770ff && icmp")" -ge 6
	it_check "underlay into h$n: STT context 7000 ICMP from $src" test \
		"$(it_tcount "$f" "ip.src == $src && stt.context_id == 0x1b58 && icmp" $STT)" -ge 6
	it_eq "underlay into h$n: a VNI on the wrong tunnel type" 0 \
		"$(it_tcount "$f" "(vxlan && vxlan.vni != 5000) || (gre && (gre.key < 0x00177000 || gre.key > 0x001770ff)) || (stt && stt.context_id && stt.context_id != 0x1b58)" $STT)"
done

# 2. Isolation at L3: a VLAN 100 VM with addresses in the other segments' subnets.
ip -n "${IT_ID}-h1v100" addr add "${NET[200]}.11/24" dev eth0
ip -n "${IT_ID}-h1v100" addr add "${NET[300]}.11/24" dev eth0
it_check "VLAN 100 VM cannot reach the VLAN 200 VM on h2" it_noping h1v100 "${NET[200]}.2" 3
it_check "VLAN 100 VM cannot reach the VLAN 300 VM on h2" it_noping h1v100 "${NET[300]}.2" 3
it_check "VLAN 100 VM cannot reach the VLAN 200 VM on h1" it_noping h1v100 "${NET[200]}.1" 2
it_check "VLAN 100 VM cannot reach the VLAN 300 VM on h1" it_noping h1v100 "${NET[300]}.1" 2
ip -n "${IT_ID}-h1v100" addr del "${NET[200]}.11/24" dev eth0
ip -n "${IT_ID}-h1v100" addr del "${NET[300]}.11/24" dev eth0

# 3. STT with large frames over the 1500-byte underlay (VM ports sized for 64000 above).
# big_ping MTU SIZE: raise the STT VMs' and vtepsw-side veth MTUs, ping h1 -> h2 with DF set,
# capture the requests where they arrive (h2's end of the underlay).
big_ping() {
	local mtu=$1 size=$2 n f="$IT_DIR/big$1.pcap"
	for n in 1 2; do
		ip -n "${IT_ID}-h$n" link set p300 mtu "$mtu"
		ip -n "${IT_ID}-h${n}v300" link set eth0 mtu "$mtu"
	done
	it_capture_start h2 ul0 "$f"
	it_check "STT: $size-byte ping (MTU $mtu, DF) h1 -> h2 across the 1500 underlay" \
		ip netns exec "${IT_ID}-h1v300" ping -q -c 3 -i 0.5 -W 2 -s "$size" -M do \
		"${NET[300]}.2" >"$IT_DIR/big$mtu.ping" 2>&1
	it_capture_stop "$f"
	it_check "STT ($mtu): reassembled STT frames of context 7000 longer than 1500 bytes" test \
		"$(it_tcount "$f" "stt.context_id == 0x1b58 && stt.pkt_len > $((size + 28))" $STT)" -ge 3
	it_check "STT ($mtu): segments with a non-zero offset on the underlay" test \
		"$(it_tcount "$f" "stt.seg_off > 0" $STT)" -ge 3
	it_eq "STT ($mtu): underlay frames larger than 1514 bytes" 0 \
		"$(it_tcount "$f" "frame.len > 1514")"
}
big_ping 1968 1900
big_ping 9000 8900
big_ping 64000 $((64000 - 42))  # a 64000-byte Ethernet frame: 45 STT segments each way
for n in 1 2; do
	ip -n "${IT_ID}-h$n" link set p300 mtu 1500
	ip -n "${IT_ID}-h${n}v300" link set eth0 mtu 1500
done

# 4. Isolation under random traffic from one VM of each segment on h1.
for v in $SEGS; do
	it_capture_start "h2v$v" eth0 "$IT_DIR/iso$v.pcap"
done
for v in $SEGS; do
	ip netns exec "${IT_ID}-h1v$v" "$PY" - "${OUI[$v]}" 300 <<'PYEOF'
import random, sys, logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import Ether, Dot1Q, IP, UDP, Raw, sendp, conf
conf.verb = 0
oui, count = sys.argv[1], int(sys.argv[2])
rnd = random.Random(oui)
def mac(prefix):
    return prefix + "".join(":%02x" % rnd.randrange(256) for _ in range(6 - len(prefix.split(":"))))
frames = []
for i in range(count):
    kind = i % 6
    if kind == 0:
        dst = "ff:ff:ff:ff:ff:ff"
    elif kind == 1:
        dst = mac("01:00:5e")
    elif kind == 2:
        dst = mac("33:33")
    elif kind == 3:
        dst = mac("%02x" % (rnd.randrange(256) | 1))
    else:
        dst = mac("%02x" % (rnd.randrange(256) & 0xfe))
    e = Ether(src=mac(oui), dst=dst)
    if i % 4 == 3:
        e = e / Dot1Q(vlan=rnd.randrange(4096))
    body = IP(src="10.%d.0.1" % rnd.randrange(256), dst="10.0.0.%d" % rnd.randrange(256)) / \
        UDP(sport=rnd.randrange(1, 65536), dport=rnd.randrange(1, 65536)) / Raw(b"x" * rnd.randrange(64))
    frames.append(e / body)
sendp(frames, iface="eth0")
PYEOF
done
sleep 2
for v in $SEGS; do
	it_capture_stop "$IT_DIR/iso$v.pcap"
done
for v in $SEGS; do
	for o in $SEGS; do
		[ "$o" = "$v" ] && continue
		it_eq "h2 VLAN $v VM: frames from the VLAN $o generator (${OUI[$o]})" 0 \
			"$(it_tcount "$IT_DIR/iso$v.pcap" "eth.src[0:3] == ${OUI[$o]}")"
	done
	it_check "h2 VLAN $v VM: received its own segment's broadcasts (capture works)" test \
		"$(it_tcount "$IT_DIR/iso$v.pcap" "eth.src[0:3] == ${OUI[$v]} && eth.dst == ff:ff:ff:ff:ff:ff")" -ge 10
	it_eq "h2 VLAN $v VM: tagged frames received (access port strips/denies tags)" 0 \
		"$(it_tcount "$IT_DIR/iso$v.pcap" "vlan")"
done

it_vtepsw_stop h1
it_vtepsw_stop h2
for v in $SEGS; do
	it_check "h1 VLAN $v port counted tagged_on_access drops for random VLAN tags" test \
		"$(it_counter h1 "v$v" tagged_on_access)" -ge 1
done
it_finish
