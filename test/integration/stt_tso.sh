#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# STT segmentation by the uplink device (TSO): vtepsw's uplink is net_tap, which takes TSO
# (DPDK cuts with librte_gso inside the PMD), and a VM port (net_tap too) sends inner frames
# of 9000, 30000 and 65000 bytes built by scapy into STT over a 1500-byte IPv4 underlay. The
# capture on the uplink's tap is checked by tshark (every IP and TCP checksum valid) and by
# stt_tso_check.py (sizes, seq = frame_len << 16 | offset, one ACK per frame, payloads =
# STT header + inner frame). The offload must really be taken: the start log says so, and
# only the last segment of a frame carries PSH (the device's cut; vtepsw's own segments all
# carry it). net_tap's TSO is software inside the PMD, so vtepsw uses it only when told to
# (--uplink-tso on); by default it segments itself, and the same frames then give the same
# packets on the wire (modulo IP ID and PSH). A second vtepsw fed the capture decapsulates
# the frames.
. "$(dirname "$0")/lib.sh"
it_init
command -v tshark >/dev/null || it_skip "tshark is not installed"

SWNS=$(it_netns sw)
UL="${IT_ID}u" VM="${IT_ID}v"
RMAC=02:00:00:00:00:02
CHECK=("$PY" "$HERE/stt_tso_check.py")

# config FILE [6]: STT to 10.99.0.2 (or fd99::2 over IPv6; static neighbours) for VLAN 300 /
# VNI 7000.
# net_tap counts the Ethernet header in its MTU for TSO and allows 1504 at most: with
# vtep.mtu 1490 its segments are the 1450 bytes vtepsw's own would be. The VM port's
# kernel side gets a 65200-byte MTU (net_tap reads frames of any size into mbuf chains).
config() {
	local r=10.99.0.2
	[ "${2:-}" = 6 ] && r=fd99::2
	cat >"$1" <<JSON
{"vtep": {"local_ip": "10.99.0.1/24", "local_ip6": "fd99::1/64", "uplink": "up0", "mtu": 1490,
          "neighbours": [{"ip": "$r", "mac": "$RMAC"}]},
 "ports": [{"name": "up0", "devargs": "net_tap0,iface=$UL", "role": "uplink", "mtu": 1504},
           {"name": "vm1", "devargs": "net_tap1,iface=$VM", "vlan": 300}],
 "tunnels": [{"name": "stt", "type": "stt", "remote_ip": "$r"}],
 "segments": [{"vlan": 300, "vni": 7000, "flood": ["stt"]}]}
JSON
}

# The inner frames: UDP and TCP over IPv4, a small one (a single STT packet), and one
# near the 64 KiB limit of an STT frame.
$PY - "$IT_DIR/inner.pcap" <<'EOF'
import sys
from scapy.all import Ether, IP, UDP, TCP, Raw, wrpcap
f = []
for n, l4 in ((9000, UDP(sport=1000, dport=2000)), (30000, TCP(sport=3000, dport=4000, flags="A")),
              (200, UDP(sport=5, dport=6)), (65000, UDP(sport=7, dport=8))):
    hdr = Ether(src="02:00:00:00:01:01", dst="02:00:00:00:01:02") / IP(src="192.168.30.1", dst="192.168.30.2") / l4
    f.append(hdr / Raw(bytes((i * 7 + n) & 0xff for i in range(n - len(hdr)))))
wrpcap(sys.argv[1], f)
EOF

# run TAG [6]: vtepsw with the uplink tap captured while the VM port sends the frames.
run() {
	local tag=$1
	config "$IT_DIR/$tag.json" "${2:-}"
	it_vtepsw_start "$tag" "$IT_DIR/$tag.json" || return 1
	ip -n "$SWNS" link set "$VM" mtu 65200
	it_capture_start sw "$UL" "$IT_DIR/$tag.pcap"
	ip netns exec "$SWNS" $PY -c "
import logging; logging.getLogger('scapy.runtime').setLevel(logging.ERROR)
from scapy.all import rdpcap, sendp
for p in rdpcap('$IT_DIR/inner.pcap'):
    sendp(p, iface='$VM', verbose=0)"
	sleep 0.5
	it_capture_stop "$IT_DIR/$tag.pcap"
	it_ctl "$tag" --json dump-ports up0 >"$IT_DIR/$tag-up0.json"
	it_ctl "$tag" dump-ports up0 >"$IT_DIR/$tag-up0.txt"
	it_vtepsw_stop "$tag"
}

# wire_checks TAG PSH [SEGMENTS SIZES]: the capture of run TAG against the inner frames, and
# its checksums (IPv4 unless SIZES are given: IPv6).
wire_checks() {
	local tag=$1 psh=$2 out rc=0 cko=(-o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE)
	local segs=${3:-74} sizes=${4:-7,21,1,45} good="ip.checksum.status == 1 && "
	[ -n "${4:-}" ] && good=""
	out=$("${CHECK[@]}" "$IT_DIR/$tag.pcap" "$IT_DIR/inner.pcap" 7000 1490 "$psh") || rc=$?
	it_eq "[$tag] segments fit the MTU, seq = len<<16|off, one ACK per frame, payloads = STT header + inner frame, PSH on $psh: $out" 0 "$rc"
	it_eq "[$tag] frames and segments on the wire" "frames 4 segments $segs sizes $sizes" \
		"$(echo "$out" | tail -1)"
	it_eq "[$tag] valid IP and TCP checksums ($segs STT packets)" "$segs" \
		"$(it_tcount "$IT_DIR/$tag.pcap" "tcp.dstport == 7471 && ${good}tcp.checksum.status == 1" "${cko[@]}")"
	it_eq "[$tag] no bad checksum" 0 \
		"$(it_tcount "$IT_DIR/$tag.pcap" "ip.checksum.status == 0 || tcp.checksum.status == 0" "${cko[@]}")"
}

IT_VTEPSW_ARGS="--uplink-tso on" run tso
it_check "[tso] start log: STT segmentation offloaded to up0's device" \
	grep -q "uplink 'up0': STT segmentation offloaded to the device (TSO, IPv4 underlay, 1450-byte" \
	"$IT_DIR/vtepsw-tso.log"
wire_checks tso last
it_eq "[tso] vtepsw handed the uplink one packet per STT frame" 4 "$(it_counter tso up0 tx)"

# net_tap (DPDK 22.11) gets TCP checksums wrong for a TSO packet whose mbufs hold odd byte
# counts (2049-byte buffers here): such frames get vtepsw's own segments, valid ones.
IT_VTEPSW_ARGS="--uplink-tso on --mbuf-size 2177" run odd
wire_checks odd all
it_eq "[odd] vtepsw segmented the frames in odd-sized buffers itself" 74 "$(it_counter odd up0 tx)"

# An IPv6 underlay: net_tap cannot segment IPv6, so vtepsw does, leaving the TCP checksums
# to the device (its checksum offload), which fills them in right.
IT_VTEPSW_ARGS="--uplink-tso on" run tso6 6
it_check "[tso6] start log: IPv6 segmented in software, checksums by the device" \
	grep -q "IPv6 underlay segmented in software, checksums by the device)" "$IT_DIR/vtepsw-tso6.log"
wire_checks tso6 all 75 7,21,1,46
it_eq "[tso6] vtepsw handed the uplink every segment" 75 "$(it_counter tso6 up0 tx)"

# The software path for comparison: every segment has PSH, else the same packets. It is
# the default on net_tap (--uplink-tso auto), whose TSO is software in the PMD.
run sw
it_check "[sw] start log: STT segmented in software, net_tap's TSO left alone by default" \
	grep -q "uplink 'up0': STT segmented in software (the device's TSO is software in its driver" \
	"$IT_DIR/vtepsw-sw.log"
wire_checks sw all
it_eq "[sw] vtepsw handed the uplink every segment" 74 "$(it_counter sw up0 tx)"
it_check "vtepctl dump-ports up0: offloads multi_segs,stt_tso,stt_csum with --uplink-tso on" \
	grep -qE "^up0 +offloads +multi_segs,stt_tso,stt_csum$" "$IT_DIR/tso-up0.txt"
it_eq "vtepctl dump-ports up0: no stt_tso by default on net_tap" "['multi_segs']" \
	"$($PY -c "import json; print(json.load(open('$IT_DIR/sw-up0.json'))['ports'][0]['offloads'])")"
opackets() { $PY -c "import json; print(json.load(open('$IT_DIR/$1-up0.json'))['ports'][0]['device']['opackets'])"; }
it_eq "the device's own tx counter is the same with TSO (segments, not frames)" \
	"$(opackets sw)" "$(opackets tso)"
it_check "the device's segments are vtepsw's own but for IP ID and PSH" \
	"${CHECK[@]}" --same "$IT_DIR/tso.pcap" "$IT_DIR/sw.pcap"

# A second vtepsw, the remote VTEP, fed the offloaded capture, gives back the inner frames.
cat >"$IT_DIR/rx.json" <<JSON
{"vtep": {"local_ip": "10.99.0.2/24", "uplink": "up0", "mtu": 1490,
          "neighbours": [{"ip": "10.99.0.1", "mac": "02:00:00:00:00:01"}]},
 "ports": [{"name": "up0", "devargs": "net_pcap0,rx_pcap=$IT_DIR/tso.pcap,tx_pcap=$IT_DIR/rx-up.pcap",
            "role": "uplink", "mac": "$RMAC"},
           {"name": "vm1", "devargs": "net_pcap1,rx_pcap=$IT_DIR/empty.pcap,tx_pcap=$IT_DIR/rx-vm.pcap", "vlan": 300}],
 "tunnels": [{"name": "stt", "type": "stt", "remote_ip": "10.99.0.1"}],
 "segments": [{"vlan": 300, "vni": 7000, "flood": ["stt"]}]}
JSON
$PY -c "from scapy.all import Ether, wrpcap; wrpcap('$IT_DIR/empty.pcap', [], linktype=1)"
if it_vtepsw_start rx "$IT_DIR/rx.json"; then
	sleep 1
	it_vtepsw_stop rx
	# net_pcap writes at most 16128 bytes of a chained frame: its length and that much
	it_check "the remote vtepsw decapsulates the 4 inner frames, byte for byte" $PY -c "
import sys
from scapy.all import rdpcap
a = [bytes(p) for p in rdpcap('$IT_DIR/inner.pcap')]
b = rdpcap('$IT_DIR/rx-vm.pcap')
ok = len(a) == len(b) and all(p.wirelen == len(x) and len(p) >= min(len(x), 9000) and x.startswith(bytes(p))
                             for x, p in zip(a, b))
print('frames', [(p.wirelen, len(p)) for p in b])
sys.exit(not ok)"
else
	it_check "remote vtepsw starts" false
fi

it_finish
