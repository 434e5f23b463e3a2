#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Throughput of vtepsw's uplink on AF_XDP (net_af_xdp + the XDP steering program) against
# net_af_packet, on the same veth pair, in one run:
#   decap: dpdk-testpmd replays VXLAN frames (VNI 5000, 64-byte inner frames, 64 flows)
#          into the peer of vtepsw's uplink; rate = frames vtepsw delivered to the VM port
#   encap: the VM port replays the inner frames (net_pcap, infinite); rate = VXLAN frames
#          the uplink device accepted
# The VM port is the same in both modes (decap: net_null; encap: net_pcap), so the ratio
# is the uplink's. Prints one line per mode and direction and the AF_XDP/af_packet ratios.
#
#   tools/bench-af-xdp.sh [--seconds N] [--rounds N] [--xdp-args 'K=V,...'] [--build DIR]
#
# Each round measures both uplinks for N seconds (default 5) per direction; the medians of
# the rounds (default 3) give the ratio. --xdp-args adds af_xdp PMD devargs (busy_budget=0).
# Needs root and a built vtepsw (build/ by default). vtepsw runs on lcore 1, testpmd on
# lcore 0, both --no-huge; on a shared 2-vCPU machine the absolute numbers are noisy:
# compare the ratio.
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
secs=5
rounds=3
xdp_args=""
build=$TOP/build
while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) secs=$2; shift ;;
	--rounds) rounds=$2; shift ;;
	--xdp-args) xdp_args=",$2"; shift ;;
	--build) build=$(cd "$2" && pwd); shift ;;
	-h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench-af-xdp.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
	esac
	shift
done
VTEPSW=$build/app/vtepsw/vtepsw
[ "$(id -u)" = 0 ] || { echo "bench-af-xdp.sh: needs root" >&2; exit 1; }
[ -x "$VTEPSW" ] || { echo "bench-af-xdp.sh: no vtepsw at $VTEPSW (build first)" >&2; exit 1; }
[ -f "$build/drivers/port/af_xdp/vtep_xdp.o" ] ||
	{ echo "bench-af-xdp.sh: vtepsw was built without AF_XDP support" >&2; exit 1; }
command -v dpdk-testpmd >/dev/null || { echo "bench-af-xdp.sh: dpdk-testpmd missing (tools/setup.sh)" >&2; exit 1; }

ID="bx$$"
DIR=$(mktemp -d "/tmp/vtepsw-bench-af-xdp.XXXXXX")
HV="$ID-hv" GEN="$ID-gen"
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -INT "$p" 2>/dev/null; done
	sleep 0.5
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	ip netns del "$HV" 2>/dev/null
	ip netns del "$GEN" 2>/dev/null
	rm -rf "/var/run/dpdk/$ID"-*
	[ -n "${KEEP:-}" ] && echo "kept $DIR" || rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ip netns add "$HV"
ip netns add "$GEN"
ip -n "$HV" link add ul0 type veth peer name ul1 netns "$GEN"
ip -n "$HV" link set ul0 up
ip -n "$GEN" link set ul1 up
for ns in "$HV" "$GEN"; do
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
ip netns exec "$GEN" ethtool -K ul1 tx off >/dev/null 2>&1
UL_MAC=$(ip -n "$HV" -br link show ul0 | awk '{print $3}')
GEN_MAC=$(ip -n "$GEN" -br link show ul1 | awk '{print $3}')
VM_A=52:54:00:aa:00:01 VM_B=52:54:00:bb:00:02

# The frames, built by scapy: inner A->B (64 UDP flows), and the same inside VXLAN.
/usr/bin/python3 - "$DIR" "$UL_MAC" "$GEN_MAC" "$VM_A" "$VM_B" <<'PY'
import sys
from scapy.all import Ether, IP, UDP, Raw, wrpcap
from scapy.layers.vxlan import VXLAN
d, ul, gen, a, b = sys.argv[1:6]
inner = [Ether(src=a, dst=b) / IP(src="192.168.50.1", dst="192.168.50.2")
         / UDP(sport=10000 + i, dport=9) / Raw(b"\0" * 18) for i in range(64)]
wrpcap(d + "/inner.pcap", inner)
wrpcap(d + "/vxlan.pcap", [Ether(src=gen, dst=ul) / IP(src="10.99.0.2", dst="10.99.0.1", flags="DF")
                           / UDP(sport=49152 + i, dport=4789) / VXLAN(flags="Instance", vni=5000) / f
                           for i, f in enumerate(inner)])
PY

# run_vtepsw TAG UPLINK_DEVARGS VM_DEVARGS FDB_PORT: vtepsw on lcore 1 with stats every 1 s.
run_vtepsw() {
	cat >"$DIR/$1.json" <<JSON
{"vtep": {"local_ip": "10.99.0.1/24", "uplink": "up0",
          "neighbours": [{"ip": "10.99.0.2", "mac": "$GEN_MAC"}]},
 "ports": [{"name": "up0", "devargs": "$2", "role": "uplink"},
           {"name": "vm", "devargs": "$3", "vlan": 100}],
 "tunnels": [{"name": "remote", "type": "vxlan", "remote_ip": "10.99.0.2"}],
 "segments": [{"vlan": 100, "vni": 5000, "flood": ["remote"]}],
 "fdb": [{"vlan": 100, "mac": "$VM_B", "$4": "$5"}]}
JSON
	ip netns exec "$HV" "$VTEPSW" -l 1 --no-huge -m 512 --no-pci --file-prefix "$ID-$1" \
		--log-level lib.eal:error -- --config "$DIR/$1.json" --stats-period 1 \
		>"$DIR/$1.log" 2>&1 &
	VPID=$!
	PIDS+=("$VPID")
	for _ in $(seq 100); do grep -q running "$DIR/$1.log" && return 0; sleep 0.1; done
	echo "vtepsw ($1) did not start:"; cat "$DIR/$1.log"; exit 1
}

# rate LOG PORT FIELD(rx|tx): packets per second from the periodic counter lines, over the
# measured window (the first line after the warm-up to the last one).
rate() {
	sed '/vtepsw: stopping/q' "$1" | grep -E "vtepsw: port $2 +rx" |
		sed -E "s/.* $3 ([0-9]+) pkts.*/\1/" | tail -n "$((secs + 1))" |
		awk 'NR == 1 {first = $1} {last = $1; n = NR} END {if (n > 1) printf "%.0f", (last - first) / (n - 1); else print 0}'
}

stop() { kill -INT "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

declare -A R
for round in $(seq "$rounds"); do
	for mode in af_packet af_xdp; do
		up="net_af_packet0,iface=ul0"
		[ "$mode" = af_xdp ] && up="net_af_xdp0,iface=ul0$xdp_args"
		tag="$mode-$round"
		# decap: testpmd replays VXLAN into ul1 (AF_PACKET)
		run_vtepsw "decap-$tag" "$up" "net_null0,no-rx=1" port vm
		ip netns exec "$GEN" dpdk-testpmd --lcores '0@0,1@0' --no-huge -m 512 --no-pci \
			--file-prefix "$ID-gen" --log-level '*:error' \
			--vdev "net_pcap0,rx_pcap=$DIR/vxlan.pcap,infinite_rx=1" \
			--vdev "net_af_packet1,iface=ul1,qpairs=1" -- --forward-mode=io --auto-start \
			--total-num-mbufs=16384 --nb-cores=1 --no-lsc-interrupt --stats-period 1 \
			>"$DIR/gen-$tag.log" 2>&1 </dev/null &
		GPID=$!
		PIDS+=("$GPID")
		sleep $((secs + 2))
		stop "$GPID"
		stop "$VPID"
		R[decap-$tag]=$(rate "$DIR/decap-$tag.log" vm tx)
		# encap: the VM port replays inner frames; VXLAN leaves through the uplink
		run_vtepsw "encap-$tag" "$up" "net_pcap1,rx_pcap=$DIR/inner.pcap,infinite_rx=1" \
			tunnel remote
		sleep $((secs + 2))
		stop "$VPID"
		R[encap-$tag]=$(rate "$DIR/encap-$tag.log" up0 tx)
		echo "round $round: $mode decap ${R[decap-$tag]} pkts/s, encap ${R[encap-$tag]} pkts/s"
		[ "${R[decap-$tag]}" != 0 ] && [ "${R[encap-$tag]}" != 0 ] ||
			echo "round $round: $mode: a direction measured nothing (left out; logs: KEEP=1)"
	done
done

# median DIR MODE: the median over the rounds that measured something
median() {
	local r
	for r in $(seq "$rounds"); do echo "${R[$1-$2-$r]}"; done | grep -v '^0*$' | sort -n |
		awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)}'
}

echo
printf '%-6s %-10s %14s\n' dir uplink "pkts/s median"
for d in decap encap; do
	for mode in af_packet af_xdp; do printf '%-6s %-10s %14s\n' "$d" "$mode" "$(median "$d" "$mode")"; done
done
for d in decap encap; do
	awk -v x="$(median "$d" af_xdp)" -v p="$(median "$d" af_packet)" -v d="$d" \
		'BEGIN {if (p > 0) printf "%s ratio af_xdp/af_packet: %.2f\n", d, x / p}'
done
