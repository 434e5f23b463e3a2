#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Compare vtepsw with dpdk-testpmd (io forwarding, the I/O ceiling) and Open vSwitch with
# DPDK (Debian's openvswitch-switch-dpdk) on the same inputs, one forwarding core each.
#
#   tools/bench-compare.sh [--quick] [--out DIR] [--repeat N] [--duration S] [--warmup S]
#                          [--legs testpmd,ovs,vtepsw] [--cases SUBSTR,...] [--no-memory]
#                          [--bench PATH] [--profile] [--plot-only]
#
#   --quick       fewer cases (1 and 1,000 flows, 64 and 1500 bytes, STT 9000), 1 repeat,
#                 1 s runs: a few minutes, for development
#   --out DIR     results directory (default bench/results, or bench/results/quick)
#   --repeat N    runs of every case and leg, alternating legs (default 2)
#   --duration S  measured seconds per run (default 2); --warmup S before it (default 1)
#   --legs L      which legs to run (default all three)
#   --cases S     only cases whose id contains one of the substrings (e.g. encap-vxlan)
#   --no-memory   skip the memory run (1,000,000 flows and 100,000 learned MACs)
#   --bench PATH  the vtepsw-bench binary to measure (default build/'s)
#   --profile     also profile vtepsw's first run of every case (perf, cpu-clock) and
#                 write where its cycles go, by fast-path stage, to DIR/profile/CASE.md
#                 (tools/bench_profile.py); a profiled run is a little slower
#   --plot-only   only redo results.md and the PNGs from DIR/results.json
#
# Inputs come from tools/bench_workloads.py (scapy, deterministic) and are cached in
# build/bench-work. Every leg replays them with net_pcap (infinite_rx=1) into net_null,
# without hugepages, lcore 0 for control and lcore 1 forwarding. Writes DIR/results.json
# (every run, the command, the machine), DIR/results.md (the table and the targets),
# DIR/summary.json, DIR/mpps_vs_flows.png, DIR/mpps_vs_size.png and DIR/logs/.
# Needs root. The full comparison takes about 15 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
TOP=$(pwd)
orig_args="$*"

out="" quick=0 plot_only=0 args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1; args+=(--quick --repeat 1 --duration 1 --warmup 0.5) ;;
	--out) out=$2; shift ;;
	--repeat|--duration|--warmup|--legs|--cases|--bench) args+=("$1" "$2"); shift ;;
	--no-memory) args+=(--no-memory) ;;
	--profile) args+=(--profile) ;;
	--plot-only) plot_only=1 ;;
	-h|--help) awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0"; exit 0 ;;
	*) echo "bench-compare: unknown option '$1' (try --help)" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$out" ] || { [ "$quick" = 1 ] && out=bench/results/quick || out=bench/results; }

if [ "$plot_only" = 1 ]; then
	exec /usr/bin/python3 tools/bench_plot.py "$out"
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "bench-compare: must run as root (DPDK, network namespaces)" >&2
	exit 1
fi
tools/setup.sh --no-hugepages
if [ ! -f build/build.ninja ]; then
	meson setup build >/dev/null
fi
ninja -C build app/vtepsw-bench/vtepsw-bench >/dev/null
mkdir -p "$out" build/bench-work
/usr/bin/python3 tools/bench_compare.py --out "$out" --work "$TOP/build/bench-work" \
	--command "tools/bench-compare.sh${orig_args:+ $orig_args}" "${args[@]}"
/usr/bin/python3 tools/bench_plot.py "$out"
echo "bench-compare: results in $out/results.md"
