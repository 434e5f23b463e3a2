#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# vtepsw-bench smoke test: every workload runs for about a second on vdevs, starts,
# forwards and reports non-zero rates in its JSON; never a pass/fail on speed.
#   forwarding (encap/decap for VXLAN, NVGRE, STT incl. 9000-byte STT frames segmented
#   over a 1500-byte underlay, bridge, learning of 16 MACs): a finite pcap of 48 frames
#   from tools/bench_workloads.py goes in, every frame that comes out is compared by
#   bench_smoke_check.py with what scapy expects and dissected by tshark; then the same
#   file replayed forever (net_pcap infinite_rx) into net_null must give rates > 0, drops 0.
#   generator: txonly for every template (vlan, untagged, vxlan, nvgre, stt) must write the
#   frames tools/bench_workloads.py writes (timestamps and tunnel entropy aside); rxonly
#   must count them and read their timestamps.
. "$(dirname "$0")/lib.sh"
it_init

BENCH=${VTEPSW_BENCH:-$(cd "$(dirname "$VTEPSW")/.." && pwd)/vtepsw-bench/vtepsw-bench}
[ -x "$BENCH" ] || { echo "FAIL: vtepsw-bench not found at $BENCH"; exit 1; }
command -v tshark >/dev/null || it_skip "tshark is not installed"
GEN=("$PY" "$TOP/tools/bench_workloads.py")
CHECK=("$PY" "$HERE/bench_smoke_check.py")
RUNS=0

# bench TAG ARGS...: vtepsw-bench with the test EAL options (one lcore, no hugepages);
# output in $IT_DIR/TAG.log. Returns its exit status.
bench() {
	local tag=$1
	shift
	RUNS=$((RUNS + 1))
	timeout -s INT 60 "$BENCH" -l 0 --no-huge -m 512 --no-pci --file-prefix "${IT_ID}-b$RUNS" \
		--log-level lib.eal:warning "$@" >"$IT_DIR/$tag.log" 2>&1
}

# jq-like: evaluate a Python expression over the JSON document d of FILE.
jget() {
	"$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval("(" + sys.argv[2] + ")"))' "$@" \
		2>/dev/null || echo "unreadable"
}

# jtrue DESCRIPTION FILE EXPR: the expression over the JSON report is true.
jtrue() {
	local v
	v=$(jget "$2" "$3")
	IT_CHECKS=$((IT_CHECKS + 1))
	if [ "$v" = True ]; then
		it_log "ok   - $1"
	else
		it_log "FAIL - $1 ($3 is $v in $(basename "$2"))"
		IT_FAILS=$((IT_FAILS + 1))
	fi
}

# fwd_case NAME WORKLOAD TUNNEL PKT_SIZE MACS [bench_workloads args] -- [vtepsw-bench args]
fwd_case() {
	local name=$1 wl=$2 tnl=$3 size=$4 macs=$5 d="$IT_DIR/$1" rc=0 n
	shift 5
	local gargs=() bargs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do gargs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	bargs=("$@")
	mkdir -p "$d"
	"${GEN[@]}" --workload "$wl" --tunnel "$tnl" --pkt-size "$size" --flows 16 --macs "$macs" \
		--packets 48 "${gargs[@]}" -o "$d/in.pcap" >/dev/null || { it_check "$name: input" false; return; }
	n=$(jget "$d/in.pcap.json" "d['packets']")

	bench "$name-file" --vdev "net_pcap0,rx_pcap=$d/in.pcap" --vdev "net_pcap1,tx_pcap=$d/out.pcap" \
		-- -w "$wl" -t "$tnl" -s "$size" -m "$macs" -d 0.5 --warmup 0 -q --json "$d/file.json" \
		"${bargs[@]}" || rc=$?
	it_eq "$name: pcap run exits 0" 0 "$rc"
	it_check "$name: every frame out is what scapy expects (tshark dissects it)" \
		"${CHECK[@]}" fwd "$wl" "$tnl" "$d/in.pcap" "$d/out.pcap"
	jtrue "$name: the report counts the $n input packets" "$d/file.json" \
		"d['total']['rx_packets'] == $n and d['total']['drops'] == 0"
	if [ "$macs" -gt 1 ]; then
		jtrue "$name: $macs source MACs learned" "$d/file.json" "d['fdb_learned'] == $macs"
	fi

	rc=0
	bench "$name-rate" --vdev "net_pcap0,rx_pcap=$d/in.pcap,infinite_rx=1" --vdev net_null0,no-rx=1 \
		-- -w "$wl" -t "$tnl" -s "$size" -m "$macs" -d 1 --warmup 0.2 --stats-period 0.5 \
		--json "$d/rate.json" "${bargs[@]}" || rc=$?
	it_eq "$name: replay run exits 0" 0 "$rc"
	jtrue "$name: forwards at a non-zero rate with no drops" "$d/rate.json" \
		"d['total']['mpps'] > 0 and d['total']['tx_packets'] > 0 and d['total']['drops'] == 0"
	jtrue "$name: cycles/packet, per-lcore rate and latency are reported" "$d/rate.json" \
		"d['total']['cycles_per_packet'] > 0 and d['lcores'][0]['packets'] > 0 and
		 d['latency_ns']['residence']['samples'] > 0 and
		 d['latency_ns']['residence']['p50'] <= d['latency_ns']['residence']['p999']"
	it_check "$name: periodic statistics were printed" \
		grep -q "lcore 0  worker 0 .* Mpps .* cycles/pkt" "$IT_DIR/$name-rate.log"
}

fwd_case encap-vxlan encap vxlan 64 1
fwd_case encap-nvgre encap nvgre 64 1
fwd_case encap-stt encap stt 64 1
fwd_case decap-vxlan decap vxlan 64 1
fwd_case decap-nvgre decap nvgre 64 1
fwd_case decap-stt decap stt 64 1
fwd_case bridge bridge vxlan 64 1
fwd_case learn-vxlan encap vxlan 512 16
fwd_case encap-stt-9000 encap stt 9000 1 -- --mbuf-size 9344 --mbufs 4096
fwd_case decap-stt-9000 decap stt 9000 1 --mtu 1500 -- --mbufs 4096

# gen_case TEMPLATE REFERENCE-ARGS...: txonly's frames against the script's.
gen_case() {
	local tm=$1 d="$IT_DIR/gen-$1" rc=0 n
	shift
	mkdir -p "$d"
	"${GEN[@]}" "$@" --flows 8 --macs 4 --packets 32 -o "$d/ref.pcap" >/dev/null ||
		{ it_check "gen $tm: reference" false; return; }
	n=$(jget "$d/ref.pcap.json" "d['packets']")
	bench "gen-$tm" --vdev "net_pcap0,tx_pcap=$d/out.pcap" --vdev net_null0,no-rx=1 \
		-- -w txonly --template "$tm" -f 8 -m 4 --count 32 -d 0.5 --warmup 0 -q \
		--json "$d/gen.json" || rc=$?
	it_eq "txonly $tm: exits 0" 0 "$rc"
	it_check "txonly $tm: frames equal tools/bench_workloads.py's (tshark dissects them)" \
		"${CHECK[@]}" gen "$tm" "$d/out.pcap" "$d/ref.pcap"
	jtrue "txonly $tm: the report counts $n packets sent" "$d/gen.json" \
		"d['ports'][0]['tx_packets'] == $n"
}

gen_case vlan --workload encap
gen_case untagged --workload encap --vlan 0
gen_case vxlan --workload decap --tunnel vxlan
gen_case nvgre --workload decap --tunnel nvgre
gen_case stt --workload decap --tunnel stt

rc=0
bench txonly-rate --vdev net_null0,no-rx=1 -- -w txonly --template vxlan -f 1000 -d 1 --warmup 0.2 \
	-q --json "$IT_DIR/txonly-rate.json" || rc=$?
it_eq "txonly into net_null: exits 0" 0 "$rc"
jtrue "txonly into net_null: sends at a non-zero rate" "$IT_DIR/txonly-rate.json" \
	"d['total']['tx_mpps'] > 0 and d['ports'][0]['drops'] == 0"

rc=0
bench rxonly --vdev "net_pcap0,rx_pcap=$IT_DIR/gen-vlan/out.pcap" -- -w rxonly -d 0.5 --warmup 0 -q \
	--json "$IT_DIR/rxonly.json" || rc=$?
it_eq "rxonly: exits 0" 0 "$rc"
jtrue "rxonly: counts the 32 frames and reads 32 timestamps" "$IT_DIR/rxonly.json" \
	"d['total']['rx_packets'] == 32 and d['latency_ns']['timestamp']['samples'] == 32 and
	 d['latency_ns']['no_trailer'] == 0"

# The command-line contract.
rc=0
"$BENCH" --help >"$IT_DIR/help.log" 2>&1 || rc=$?
it_eq "--help exits 0" 0 "$rc"
it_check "--help lists every workload" grep -q "rxonly" "$IT_DIR/help.log"
rc=0
"$BENCH" -l 0 --no-huge --no-pci -- -w nosuch >"$IT_DIR/bad.log" 2>&1 || rc=$?
it_eq "an unknown workload exits 2" 2 "$rc"
it_check "and says which" grep -q "unknown workload 'nosuch'" "$IT_DIR/bad.log"

it_finish
