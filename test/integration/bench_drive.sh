#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# vtepsw-bench as a traffic generator in its own process, driving a running vtepsw over
# veth pairs (the two-process set-up of the README): txonly sends VLAN 100 frames with
# timestamp trailers into vtepsw's trunk port and receives what vtepsw encapsulates on the
# uplink side; the report must count every frame back and time it, tshark must see VXLAN
# VNI 5000 from the VTEP address on that wire, and vtepsw's own counters must agree. Then
# the reverse: VXLAN packets from the "remote VTEP" in, VLAN frames timed on the VM side.
. "$(dirname "$0")/lib.sh"
it_init
BENCH=${VTEPSW_BENCH:-$(cd "$(dirname "$VTEPSW")/.." && pwd)/vtepsw-bench/vtepsw-bench}
[ -x "$BENCH" ] || it_skip "vtepsw-bench not built ($BENCH)"
COUNT=200

SWNS=$(it_netns sw)
GENNS=$(it_netns gen)
it_link sw p-vm gen g-vm
it_link sw ul0 gen g-ul
GMAC=$(it_mac gen g-ul)
cat >"$IT_DIR/cfg.json" <<JSON
{"vtep": {"local_ip": "10.0.0.1/24", "uplink": "up0",
          "neighbours": [{"ip": "10.0.0.2", "mac": "$GMAC"}]},
 "ports": [{"name": "up0", "devargs": "net_af_packet0,iface=ul0", "role": "uplink",
            "mac": "02:00:00:00:01:01"},
           {"name": "vm1", "devargs": "net_af_packet1,iface=p-vm", "trunks": [100]}],
 "tunnels": [{"name": "t", "type": "vxlan", "remote_ip": "10.0.0.2"}],
 "segments": [{"vlan": 100, "vni": 5000, "flood": ["t"]}]}
JSON
it_vtepsw_start a "$IT_DIR/cfg.json" || exit 1
it_capture_start gen g-ul "$IT_DIR/ul.pcap"

# port 0 faces vtepsw's VM port, port 1 its uplink; txonly sends COUNT frames on port 0
rc=0
ip netns exec "$GENNS" timeout -s INT 60 "$BENCH" -l 0 --no-huge -m 256 --no-pci \
	--file-prefix "${IT_ID}-gen" --log-level lib.eal:warning \
	--vdev net_af_packet0,iface=g-vm --vdev net_af_packet1,iface=g-ul \
	-- -w txonly --template vlan -f 16 -m 4 --count "$COUNT" -d 2 --warmup 0 \
	--stats-period 1 --json "$IT_DIR/gen.json" >"$IT_DIR/gen.log" 2>&1 || rc=$?
it_eq "txonly against a running vtepsw exits 0" 0 "$rc"
it_capture_stop "$IT_DIR/ul.pcap"

jget() {
	$PY -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$IT_DIR/gen.json" "$1" 2>/dev/null || echo unreadable
}
it_eq "the generator sent $COUNT frames on port 0" "$COUNT" "$(jget "d['ports'][0]['tx_packets']")"
it_eq "every frame came back encapsulated on port 1 and was timed" "$COUNT" \
	"$(jget "d['latency_ns']['timestamp']['samples']")"
it_eq "the latency percentiles are ordered" True \
	"$(jget "0 < d['latency_ns']['timestamp']['p50'] <= d['latency_ns']['timestamp']['p99'] <= d['latency_ns']['timestamp']['max']")"
it_check "the final table was printed" grep -q "vtepsw-bench txonly" "$IT_DIR/gen.log"
it_eq "tshark: $COUNT VXLAN VNI 5000 frames from 10.0.0.1 to 10.0.0.2 with VLAN 100's inner frames" \
	"$COUNT" "$(it_tcount "$IT_DIR/ul.pcap" "vxlan.vni == 5000 && ip.src == 10.0.0.1 && ip.dst == 10.0.0.2 && udp.dstport == 4789 && !vlan")"

# the other way: VXLAN packets from the remote VTEP into the uplink, VLAN frames back
rc=0
ip netns exec "$GENNS" timeout -s INT 60 "$BENCH" -l 0 --no-huge -m 256 --no-pci \
	--file-prefix "${IT_ID}-gen" --log-level lib.eal:warning \
	--vdev net_af_packet0,iface=g-vm --vdev net_af_packet1,iface=g-ul \
	-- -w txonly --template vxlan --tx-port 1 -f 16 -m 4 --count "$COUNT" -d 2 --warmup 0 \
	-q --json "$IT_DIR/gen.json" >"$IT_DIR/gen-decap.log" 2>&1 || rc=$?
it_eq "txonly of VXLAN packets into the uplink exits 0" 0 "$rc"
it_eq "the generator sent $COUNT VXLAN packets on port 1" "$COUNT" "$(jget "d['ports'][1]['tx_packets']")"
it_eq "every one came back decapsulated on port 0 and was timed" "$COUNT" \
	"$(jget "d['latency_ns']['timestamp']['samples']")"

it_vtepsw_stop a
it_eq "vtepsw's VM port received what the generator sent" "$COUNT" "$(it_counter a vm1 rx)"
it_eq "vtepsw's tunnel sent as many" "$COUNT" "$(it_counter a t tx)"
it_eq "vtepsw's tunnel received the $COUNT VXLAN packets" "$COUNT" "$(it_counter a t rx)"
it_eq "and its VM port sent them on" "$COUNT" "$(it_counter a vm1 tx)"
it_finish
