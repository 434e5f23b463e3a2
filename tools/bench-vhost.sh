#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# What vhost-user costs: vtepsw's datapath (one worker lcore on CPU 1) between a VM port and
# a VXLAN uplink, with the VM port a vhost-user port (the VM: dpdk-testpmd on
# net_virtio_user, CPU 0) or a plain ring port fed from CPU 0 the same way. Both
# directions (encap: VM -> VXLAN; decap: VXLAN -> VM), 64- and 1500-byte frames.
#
#   tools/bench-vhost.sh [--duration S] [--runs N] [--out FILE.json]
#
# Prints a table of the measured Mpps, the worker's cycles per packet in polls the scheduler
# did not interrupt ("clean", what counts on a shared machine) and the capacity they imply
# (TSC Hz / clean cycles), and writes every run as a JSON line to --out (default
# build/bench-vhost.json; the commands to build/bench-vhost.json.cmds). Needs a build
# (build/test/vtep-vhost-bench) and dpdk-testpmd. Each configuration runs --runs times
# (default 3); the run with the fewest clean cycles per packet counts.
set -u
cd "$(dirname "$0")/.." || exit 1
duration=5 runs=3 out=build/bench-vhost.json
while [ $# -gt 0 ]; do
	case "$1" in
	--duration) duration=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	-h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench-vhost.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
	esac
done
BENCH=${BENCH:-build/test/vtep-vhost-bench}
[ -x "$BENCH" ] || { echo "bench-vhost.sh: $BENCH not built (ninja -C build)" >&2; exit 1; }
command -v dpdk-testpmd >/dev/null || { echo "bench-vhost.sh: dpdk-testpmd missing (apt-get install dpdk-dev)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/vtep-bench-vhost.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null; done
	sleep 0.5
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$tmp" /var/run/dpdk/vvb$$-*
}
trap cleanup EXIT
trap 'exit 1' INT TERM
: >"$out"

# one VM DIR SIZE: one measured run; prints its JSON line (empty on failure).
one() {
	local vm=$1 dir=$2 size=$3 sock="$tmp/vm.sock" tp=
	local cmd=("$BENCH" -l 0-1 --no-huge -m 1024 --no-pci --file-prefix "vvb$$-b"
		--log-level '*:error' -- --vm "$vm" --dir "$dir" --size "$size"
		--duration "$duration" --warmup 2 --socket "$sock")
	rm -f "$sock"
	"${cmd[@]}" >"$tmp/run.json" 2>"$tmp/run.err" &
	local bpid=$!
	pids+=("$bpid")
	if [ "$vm" = vhost ]; then
		for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
		local mode=(--forward-mode=rxonly)
		[ "$dir" = encap ] && mode=(--forward-mode=txonly "--txpkts=$size" --eth-peer=0,02:00:00:00:aa:01)
		dpdk-testpmd --lcores '0@0,1@0' --main-lcore 0 --no-huge -m 512 --no-pci \
			--file-prefix "vvb$$-t" --log-level '*:error' \
			--vdev "net_virtio_user0,path=$sock,queues=1" -- "${mode[@]}" --nb-cores=1 \
			--total-num-mbufs=16384 --auto-start --stats-period 1 </dev/null \
			>"$tmp/testpmd.log" 2>&1 &
		tp=$!
		pids+=("$tp")
	fi
	wait "$bpid"
	[ -n "$tp" ] && { kill -INT "$tp" 2>/dev/null; wait "$tp" 2>/dev/null; }
	grep "^{" "$tmp/run.json" || sed 's/^/    /' "$tmp/run.err" >&2
	echo "# ${cmd[*]}${tp:+ (VM: dpdk-testpmd ${mode[*]} on net_virtio_user0,path=$sock)}" >>"$out.cmds"
}

: >"$out.cmds"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %5s | %-26s | %-26s | %s\n' dir size "ring: Mpps cyc/pkt cap." \
	"vhost: Mpps cyc/pkt cap." "vhost-user cost (cycles/pkt)"
for dir in encap decap; do
	for size in 64 1500; do
		declare -A best=()
		for vm in ring vhost; do
			for _ in $(seq "$runs"); do
				line=$(one "$vm" "$dir" "$size")
				[ -n "$line" ] || continue
				echo "$line" >>"$out"
				best[$vm]=$(printf '%s\n%s\n' "${best[$vm]:-}" "$line" | grep . | \
					/usr/bin/python3 -c 'import json,sys; r=[json.loads(l) for l in sys.stdin]; print(json.dumps(min(r, key=lambda x: x["clean_cycles_per_packet"] or 1e9)))')
			done
		done
		/usr/bin/python3 - "${best[ring]:-{\}}" "${best[vhost]:-{\}}" "$dir" "$size" <<'PY'
import json, sys
r, v = (json.loads(a) for a in sys.argv[1:3])
def col(x):
    return ("%6.2f %7.0f %7.2f" % (x["mpps"], x["clean_cycles_per_packet"], x["capacity_mpps"])
            if x else "%22s" % "failed")
cost = ("%+.0f" % (v["clean_cycles_per_packet"] - r["clean_cycles_per_packet"])
        if r and v else "-")
print("%-6s %5s | %-26s | %-26s | %s" % (sys.argv[3], sys.argv[4], col(r), col(v), cost))
PY
		unset best
	done
done
# TSO: 64 KiB TCP frames from the VM port, segmented in software into VXLAN
tso=$("$BENCH" -l 0-1 --no-huge -m 1024 --no-pci --file-prefix "vvb$$-b" --log-level '*:error' \
	-- --vm ring --dir encap --size 65549 --tso 1448 --duration "$duration" --warmup 2 2>/dev/null |
	grep "^{")
[ -n "$tso" ] && echo "$tso" >>"$out" && /usr/bin/python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print("TSO 65549-byte TCP frames -> VXLAN segments: %.2f Gbit/s of TCP payload (busy-cycle capacity %.2f Gbit/s)" % (j["tcp_gbps"], j["tcp_capacity_gbps"]))' "$tso"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); runs: $out, commands: $out.cmds"
