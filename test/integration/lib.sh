# SPDX-License-Identifier: BSD-3-Clause
# Shared helpers for integration tests: unique names, namespaces, vtepsw start/stop,
# captures, assertions. Each test sources this file, calls it_init, and exits through
# it_finish (0 pass, 1 fail, 77 skip). Everything created is removed by the EXIT trap.

set -u
IT_NAME=$(basename "$0" .sh)
IT_ID="vt$$"
IT_DIR=$(mktemp -d "/tmp/vtepsw-it-${IT_NAME}.XXXXXX")
IT_NETNS=()
IT_PIDS=()
IT_FAILS=0
IT_CHECKS=0
PY=/usr/bin/python3
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VTEPSW=${VTEPSW:-$TOP/build/app/vtepsw/vtepsw}
# vtepctl of the same build as vtepsw
VTEPCTL=${VTEPCTL:-$(cd "$(dirname "$VTEPSW")/../.." 2>/dev/null && pwd)/tools/vtepctl/vtepctl}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

it_log() { printf '[%s] %s\n' "$IT_NAME" "$*"; }

it_skip() {
	echo "SKIP: $*"
	exit 77
}

it_cleanup() {
	local p ns
	for p in "${IT_PIDS[@]}"; do kill -INT "$p" 2>/dev/null; done
	sleep 0.3
	for p in "${IT_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	# namespaces made in $(...) subshells are not in IT_NETNS: remove by prefix
	for ns in "${IT_NETNS[@]}" $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${IT_ID}-"); do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "/var/run/dpdk/${IT_ID}"-* 2>/dev/null
	rm -f "/dev/hugepages/${IT_ID}"-* 2>/dev/null
	[ -n "${KEEP_IT_DIR:-}" ] || rm -rf "$IT_DIR"
}

it_init() {
	[ "$(id -u)" = 0 ] || it_skip "needs root (network namespaces)"
	[ -x "$VTEPSW" ] || { echo "FAIL: vtepsw binary not found at $VTEPSW"; exit 1; }
	trap it_cleanup EXIT
	trap 'exit 1' INT TERM
}

# it_check DESCRIPTION COMMAND...: run COMMAND; record pass/fail.
it_check() {
	local what=$1
	shift
	IT_CHECKS=$((IT_CHECKS + 1))
	if "$@"; then
		it_log "ok   - $what"
	else
		it_log "FAIL - $what"
		IT_FAILS=$((IT_FAILS + 1))
	fi
}

# it_eq DESCRIPTION EXPECTED ACTUAL
it_eq() {
	IT_CHECKS=$((IT_CHECKS + 1))
	if [ "$2" = "$3" ]; then
		it_log "ok   - $1 ($3)"
	else
		it_log "FAIL - $1: expected '$2', got '$3'"
		IT_FAILS=$((IT_FAILS + 1))
	fi
}

# it_eq_settled DESCRIPTION EXPECTED_CMD ACTUAL_CMD: it_eq on the outputs of two shell
# commands, read again (up to 20 times, 0.3 s apart) while they differ: counters of traffic
# still in flight (a late ARP) settle, real mismatches stay.
it_eq_settled() {
	local e a
	for _ in $(seq 20); do
		e=$(eval "$2")
		a=$(eval "$3")
		[ "$e" = "$a" ] && break
		sleep 0.3
	done
	it_eq "$1" "$e" "$a"
}

it_finish() {
	if [ "$IT_FAILS" -gt 0 ]; then
		it_log "$IT_FAILS of $IT_CHECKS checks failed"
		[ -f "$IT_DIR/vtepsw.log" ] && { echo "--- vtepsw log ---"; tail -40 "$IT_DIR"/vtepsw*.log; }
		exit 1
	fi
	it_log "all $IT_CHECKS checks passed"
	exit 0
}

# it_netns NAME [v6]: create a namespace named ${IT_ID}-NAME with lo up; IPv6 is off
# unless the second argument is "v6" (keeps captures to what a test sends).
it_netns() {
	local ns="${IT_ID}-$1"
	ip netns add "$ns"
	IT_NETNS+=("$ns")
	ip -n "$ns" link set lo up
	if [ "${2:-}" != v6 ]; then
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
	fi
	echo "$ns"
}

# it_link NS1 IF1 NS2 IF2: a veth pair between two namespaces (short names), both up,
# transmit checksum offload off (userspace peers then see valid checksums).
it_link() {
	ip -n "${IT_ID}-$1" link add "$2" type veth peer name "$4" netns "${IT_ID}-$3"
	ip -n "${IT_ID}-$1" link set "$2" up
	ip -n "${IT_ID}-$3" link set "$4" up
	ip netns exec "${IT_ID}-$1" ethtool -K "$2" tx off >/dev/null 2>&1 || true
	ip netns exec "${IT_ID}-$3" ethtool -K "$4" tx off >/dev/null 2>&1 || true
}

# it_vm NS_SHORT IFNAME ADDR/PLEN: a "VM": namespace with eth0, whose peer IFNAME stays in
# the switch namespace $SWNS. Checksum offload off so userspace sees valid checksums.
it_vm() {
	local ns="${IT_ID}-$1" ifname=$2 addr=$3
	ip netns list | grep -qw "$ns" || it_netns "$1" >/dev/null
	ip -n "$SWNS" link add "$ifname" type veth peer name eth0 netns "$ns"
	ip -n "$SWNS" link set "$ifname" up
	ip -n "$ns" link set eth0 up
	[ -n "$addr" ] && ip -n "$ns" addr add "$addr" dev eth0
	ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null 2>&1 || true
	ip netns exec "$SWNS" ethtool -K "$ifname" tx off >/dev/null 2>&1 || true
}

# it_kernel_vtep NS_SHORT IFACE: the Linux kernel as the remote VTEP 10.99.0.2/24 on IFACE,
# VXLAN VNI 5000 on port 4789 to vtepsw at 10.99.0.1, with the "VM" address 192.168.50.2/24.
it_kernel_vtep() {
	local ns="${IT_ID}-$1"
	ip -n "$ns" addr add 10.99.0.2/24 dev "$2"
	ip -n "$ns" link add vx0 type vxlan id 5000 local 10.99.0.2 remote 10.99.0.1 dstport 4789 \
		dev "$2"
	ip -n "$ns" addr add 192.168.50.2/24 dev vx0
	ip -n "$ns" link set vx0 up
}

# it_uplink IFACE: devargs of the underlay uplink on IFACE: net_af_packet, or net_af_xdp
# (the AF_XDP uplink with its XDP program) when IT_UPLINK=af_xdp.
it_uplink() {
	case "${IT_UPLINK:-af_packet}" in
	af_xdp) echo "net_af_xdp0,iface=$1" ;;
	*) echo "net_af_packet0,iface=$1" ;;
	esac
}

it_mac() { ip -n "${IT_ID}-$1" -br link show "$2" | awk '{print $3}'; }

# it_vtepsw_start TAG CONFIG [extra EAL args]: run vtepsw in $SWNS, wait until it runs.
# IT_HUGE_MB=N runs it on N MiB of hugepages instead of --no-huge (for secondary processes).
it_vtepsw_start() {
	local tag=$1 cfg=$2
	shift 2
	local log="$IT_DIR/vtepsw-$tag.log" lc=(-l "${IT_LCORES:-0}")
	[[ "${IT_LCORES:-}" == *@* ]] && lc=(--lcores "$IT_LCORES") # e.g. 0@0,1@1,2@1
	local mem=(--no-huge -m "${IT_MEM:-256}")
	[ -n "${IT_HUGE_MB:-}" ] && mem=(-m "$IT_HUGE_MB")
	ip netns exec "$SWNS" "$VTEPSW" "${lc[@]}" "${mem[@]}" --no-pci \
		--file-prefix "${IT_ID}-$tag" --log-level "lib.eal:warning" "$@" \
		-- --config "$cfg" --ctl-socket "$IT_DIR/ctl-$tag.sock" \
		--idle-sleep "${IT_IDLE_SLEEP:-20}" ${IT_VTEPSW_ARGS:-} >"$log" 2>&1 &
	local pid=$!
	IT_PIDS+=("$pid")
	eval "VTEPSW_PID_$tag=$pid"
	for _ in $(seq 100); do
		grep -q "running" "$log" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || { it_log "vtepsw ($tag) exited early:"; cat "$log"; return 1; }
		sleep 0.1
	done
	it_log "vtepsw ($tag) did not start"; cat "$log"; return 1
}

# it_ctl TAG ARGS...: vtepctl against the instance started as TAG.
it_ctl() {
	local tag=$1
	shift
	"$VTEPCTL" --socket "$IT_DIR/ctl-$tag.sock" "$@"
}

# it_vtepsw_stop TAG: SIGINT, wait, and check it exited 0 (ASan reports make it non-zero).
it_vtepsw_stop() {
	local tag=$1 pid rc=0
	eval "pid=\$VTEPSW_PID_$tag"
	kill -INT "$pid" 2>/dev/null
	wait "$pid" || rc=$?
	it_eq "vtepsw ($tag) exits cleanly" 0 "$rc"
	if [ "${IT_UPLINK:-}" = af_xdp ]; then
		it_check "vtepsw ($tag): the uplink's XDP program redirected frames to it" \
			grep -qE "xstats:.* xdp_redirect_[a-z]+=[1-9]" "$IT_DIR/vtepsw-$tag.log"
	fi
	if grep -q "ERROR: \(Address\|Leak\)Sanitizer\|runtime error:" "$IT_DIR/vtepsw-$tag.log"; then
		it_log "FAIL - sanitizer report in vtepsw ($tag) log"
		grep -A5 "Sanitizer\|runtime error" "$IT_DIR/vtepsw-$tag.log" | head -30
		IT_FAILS=$((IT_FAILS + 1))
	fi
}

# it_counter TAG PORT FIELD: from the exit summary, FIELD in rx|tx|drops|<reason>.
it_counter() {
	local log="$IT_DIR/vtepsw-$1.log" port=$2 field=$3
	local line
	line=$(grep -E "vtepsw: port $port +rx" "$log" | tail -1)
	case "$field" in
	rx) echo "$line" | sed -E 's/.* rx ([0-9]+) pkts.*/\1/' ;;
	tx) echo "$line" | sed -E 's/.* tx ([0-9]+) pkts.*/\1/' ;;
	drops) echo "$line" | sed -E 's/.* drops ([0-9]+).*/\1/' ;;
	link) echo "$line" | sed -E 's/.*\(link ([a-z]+)\)/\1/' ;;
	*) echo "$line" | grep -oE " $field=[0-9]+" | cut -d= -f2 | grep . || echo 0 ;;
	esac
}

# it_capture_start NS_SHORT IFACE FILE: tshark in the background; waits until it captures.
it_capture_start() {
	local ns="${IT_ID}-$1" ifc=$2 file=$3
	ip netns exec "$ns" tshark -q -i "$ifc" -w "$file" >"$file.log" 2>&1 &
	IT_PIDS+=("$!")
	eval "CAP_PID_$(basename "$file" .pcap | tr -c 'a-zA-Z0-9\n' _)=$!"
	for _ in $(seq 50); do
		grep -q "Capturing on" "$file.log" 2>/dev/null && { sleep 0.5; return 0; }
		sleep 0.1
	done
	return 0
}

it_capture_stop() {
	local file=$1 pid
	eval "pid=\$CAP_PID_$(basename "$file" .pcap | tr -c 'a-zA-Z0-9\n' _)"
	sleep 0.5
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# it_tcount FILE FILTER [tshark opts]: number of frames matching a display filter.
it_tcount() {
	local f=$1 flt=$2
	shift 2
	tshark -r "$f" "$@" -Y "$flt" 2>/dev/null | wc -l
}

it_ping() { ip netns exec "${IT_ID}-$1" ping -q -c "${3:-3}" -i 0.2 -W 1 "$2" >/dev/null 2>&1; }
it_noping() { ! it_ping "$@"; }

# it_seg TAG VLAN FIELD: a segment's exit counter, FIELD in rx|tx|drops.
it_seg() {
	local line
	line=$(grep -E "vtepsw: segment vlan $2 vni" "$IT_DIR/vtepsw-$1.log" | tail -1)
	case "$3" in
	rx) echo "$line" | sed -E 's/.* rx ([0-9]+) pkts.*/\1/' ;;
	tx) echo "$line" | sed -E 's/.* tx ([0-9]+) pkts.*/\1/' ;;
	drops) echo "$line" | sed -E 's/.* drops ([0-9]+).*/\1/' ;;
	esac
}
