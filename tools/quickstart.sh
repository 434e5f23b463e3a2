#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Quickstart: install what is missing, build vtepsw, then run a two-host VTEP demo in network
# namespaces. Two simulated hypervisors (qs-host1, qs-host2), each with its own vtepsw, share
# an underlay veth; "VMs" on VLANs 100/200/300 are mapped to VNIs 5000/6000/7000 carried over
# VXLAN, NVGRE and STT. Each step says what it does and what it proved; everything it created
# is removed at the end (or kept with --keep).
#
#   tools/quickstart.sh [--keep | --cleanup | --help]
#
#   --keep      leave the topology and both vtepsw running to poke at; remove it later
#               with tools/quickstart.sh --cleanup
#   --cleanup   remove everything a previous (kept or interrupted) run left behind
#   --help      this text
#
# Needs root and a Debian 12 machine. Exits 0 only if every check passed.
set -u

cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
VTEPSW=$TOP/build/app/vtepsw/vtepsw
WORK=/run/vtepsw-quickstart
HP_SYS=/sys/kernel/mm/hugepages/hugepages-2048kB
HP_DIR=/dev/hugepages
HP_NEED=256 # 2 MiB pages: two vtepsw with -m 256 each

keep=0
interrupted=0
finished=0
checks=0
passed=0
failed_names=()
EAL_MEM=()
declare -A VTEPSW_PID=()

# ---------------------------------------------------------------- output helpers

say() { printf '%s\n' "$*"; }
step() { printf '\n== %s\n' "$*"; }
info() { printf '   %s\n' "$*"; }
die() {
	printf 'quickstart: ERROR: %s\n' "$*" >&2
	exit 1
}

# ok/fail MESSAGE: record the result of one check.
ok() {
	checks=$((checks + 1))
	passed=$((passed + 1))
	printf '[ok] %s\n' "$*"
}
fail() { # fail LABEL MESSAGE...
	checks=$((checks + 1))
	failed_names+=("$1")
	shift
	printf '[FAIL] %s\n' "$*"
}

usage() { awk 'NR < 3 { next } !/^#/ { exit } { sub(/^# ?/, ""); print }' "$0"; }

# ---------------------------------------------------------------- cleanup

# Stop one process we started (recorded in $WORK/pids), only if it is still ours: its command
# line must mention $WORK (the vtepsw config and the tshark capture file live there).
stop_recorded() {
	local pid=$1 i
	[ -r "/proc/$pid/cmdline" ] || return 0
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$WORK" || return 0
	kill -INT "$pid" 2>/dev/null
	for i in $(seq 50); do
		[ -d "/proc/$pid" ] || return 0
		[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
}

# Remove everything this script (this run or an earlier one) created.
teardown() {
	local pid ns
	if [ -f "$WORK/pids" ]; then
		while read -r pid; do stop_recorded "$pid"; done <"$WORK/pids"
	fi
	for pid in "${VTEPSW_PID[@]}"; do wait "$pid" 2>/dev/null; done
	for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^qs-/ {print $1}'); do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf /var/run/dpdk/qs-h[12]-* 2>/dev/null
	rm -f "$HP_DIR"/qs-h[12]-*map_* 2>/dev/null
	rm -rf "$WORK"
}

on_exit() {
	local rc=$?
	if [ "$keep" = 1 ] && [ "$finished" = 1 ] && [ "$interrupted" = 0 ]; then
		return
	fi
	if [ -d "$WORK" ] || ip netns list 2>/dev/null | grep -q '^qs-'; then
		[ "$interrupted" = 1 ] && say "quickstart: interrupted, cleaning up"
		teardown
	fi
	exit "$rc"
}

# ---------------------------------------------------------------- topology helpers

# ns_add NAME: a namespace with lo up and IPv6 off (keeps the demo's traffic to what it sends).
ns_add() {
	ip netns add "$1" || die "cannot create namespace $1"
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
}

# veth NS1 IF1 NS2 IF2: a veth pair between two namespaces, both ends up, tx checksum offload
# off (a userspace switch forwards the frames, so the kernel must fill in real checksums).
veth() {
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3" ||
		die "cannot create veth $1/$2 <-> $3/$4"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
	ip netns exec "$1" ethtool -K "$2" tx off >/dev/null 2>&1
	ip netns exec "$3" ethtool -K "$4" tx off >/dev/null 2>&1
}

# vm HOST NAME ADDR/PLEN: a "VM" namespace qs-NAME whose eth0 is cabled to port p-NAME in
# namespace qs-HOST, where that host's vtepsw picks it up with net_af_packet.
vm() {
	local host=$1 name=$2 addr=$3
	ns_add "qs-$name"
	veth "qs-$host" "p-${name#vm-}" "qs-$name" eth0
	ip -n "qs-$name" addr add "$addr" dev eth0
}

# vm_ports_json HOST: the JSON port list of one host's VMs, from $WORK/HOST.vms.
vm_ports_json() {
	local n=1 name vlan sep=""
	while read -r name vlan; do
		printf '%s\n  {"name": "%s", "devargs": "net_af_packet%d,iface=p-%s", "vlan": %d}' \
			"$sep" "$name" "$n" "${name#vm-}" "$vlan"
		sep=","
		n=$((n + 1))
	done <"$WORK/$1.vms"
}

# write_config HOST LOCAL_IP REMOTE_IP: the vtepsw config of one host.
write_config() {
	local host=$1 local_ip=$2 remote=$3 peer
	peer=$([ "$host" = host1 ] && echo host2 || echo host1)
	cat >"$WORK/$host.json" <<JSON
{"bridge": {"name": "br-$host", "fail_mode": "standalone", "mac_aging_s": 300},
 "vtep": {"local_ip": "$local_ip/24", "uplink": "ul"},
 "ports": [
  {"name": "ul", "devargs": "net_af_packet0,iface=ul", "role": "uplink"},$(vm_ports_json "$host")],
 "tunnels": [
  {"name": "vxlan-$peer", "type": "vxlan", "remote_ip": "$remote"},
  {"name": "nvgre-$peer", "type": "nvgre", "remote_ip": "$remote"},
  {"name": "stt-$peer", "type": "stt", "remote_ip": "$remote"}],
 "segments": [
  {"vlan": 100, "vni": 5000, "flood": ["vxlan-$peer"]},
  {"vlan": 200, "vni": 6000, "flood": ["nvgre-$peer"]},
  {"vlan": 300, "vni": 7000, "flood": ["stt-$peer"]}]}
JSON
}

# start_vtepsw HOST: run vtepsw in qs-HOST and wait until it prints "running".
start_vtepsw() {
	local host=$1 log=$WORK/$1.log pid i
	setsid ip netns exec "qs-$host" "$VTEPSW" -l 0 "${EAL_MEM[@]}" --no-pci \
		--file-prefix "qs-${host/host/h}-$$" --log-level "lib.eal:warning" \
		-- --config "$WORK/$host.json" --ctl-socket "$WORK/$host.sock" --idle-sleep 20 \
		>"$log" 2>&1 </dev/null 9>&- &
	pid=$!
	VTEPSW_PID[$host]=$pid
	echo "$pid" >>"$WORK/pids"
	for i in $(seq 200); do
		grep -q "running" "$log" 2>/dev/null && return 0
		if [ ! -d "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ]; then
			say "vtepsw on $host exited early; its log ($log):"
			sed 's/^/   | /' "$log"
			return 1
		fi
		sleep 0.1
	done
	say "vtepsw on $host did not say \"running\" within 20 s; its log:"
	sed 's/^/   | /' "$log"
	return 1
}

# replies NS DST: ping 3 times from namespace NS, print how many replies came back.
replies() {
	ip netns exec "$1" ping -n -c 3 -i 0.3 -W 2 "$2" 2>/dev/null |
		awk '/packets transmitted/ {print $4; found=1} END {if (!found) print 0}'
}

# warm NS DST: one untimed ping so both kernels and both VTEPs resolve ARP first.
warm() { ip netns exec "$1" ping -n -c 1 -W 2 "$2" >/dev/null 2>&1; }

# reach_check LABEL NS DST TEXT: expect 3/3 replies.
reach_check() {
	local label=$1 ns=$2 dst=$3 text=$4 got
	warm "$ns" "$dst"
	got=$(replies "$ns" "$dst")
	if [ "$got" = 3 ]; then
		ok "$text: $got/3 replies"
	else
		fail "$label" "$text: $got/3 replies (expected 3)"
	fi
}

# ---------------------------------------------------------------- steps

do_setup_and_build() {
	step "1. setup and build"
	info "tools/setup.sh (installs missing Debian packages, reserves hugepages)"
	tools/setup.sh || die "tools/setup.sh failed"
	if [ ! -f build/build.ninja ]; then
		info "meson setup build"
		meson setup build >"$WORK/meson.log" 2>&1 ||
			{ tail -30 "$WORK/meson.log"; die "meson setup build failed"; }
	fi
	info "ninja -C build"
	ninja -C build >"$WORK/ninja.log" 2>&1 ||
		{ tail -30 "$WORK/ninja.log"; die "the build failed (ninja -C build)"; }
	[ -x "$VTEPSW" ] || die "the build did not produce $VTEPSW"
	info "built $("$VTEPSW" --version 2>/dev/null | head -1)"
}

do_hugepages() {
	local total free mounted=no
	step "2. hugepages"
	total=$(cat "$HP_SYS/nr_hugepages" 2>/dev/null || echo 0)
	free=$(cat "$HP_SYS/free_hugepages" 2>/dev/null || echo 0)
	mountpoint -q "$HP_DIR" && mounted=yes
	if [ "$total" -gt 0 ] && [ "$mounted" = yes ] && [ "$free" -ge "$HP_NEED" ]; then
		EAL_MEM=(--huge-dir "$HP_DIR" -m 256)
		info "using 2 MiB hugepages: $free of $total free, $HP_DIR mounted" \
			"(each vtepsw: --huge-dir $HP_DIR -m 256)"
	else
		EAL_MEM=(--no-huge -m 256)
		say "WARNING: no usable 2 MiB hugepages (reserved $total, free $free, need $HP_NEED;"
		say "WARNING: $HP_DIR mounted: $mounted), so vtepsw runs with --no-huge -m 256."
		say "WARNING: That is fine for this demo but slow for real traffic. To fix, as root:"
		say "WARNING:   echo 512 > $HP_SYS/nr_hugepages"
		say "WARNING:   mountpoint -q $HP_DIR || mount -t hugetlbfs -o pagesize=2M nodev $HP_DIR"
		say "WARNING: (tools/setup.sh does both; add vm.nr_hugepages=512 to /etc/sysctl.conf"
		say "WARNING: to keep them after a reboot)"
	fi
}

do_topology() {
	step "3. topology"
	ns_add qs-host1
	ns_add qs-host2
	veth qs-host1 ul qs-host2 ul
	info "qs-host1 <-- underlay veth 'ul' --> qs-host2 (10.99.0.1/24 and 10.99.0.2/24," \
		"owned by each host's vtepsw, not by the kernel)"
	# name VLAN HOST ADDRESS
	while read -r name vlan host addr; do
		vm "$host" "$name" "$addr"
		echo "$name $vlan" >>"$WORK/$host.vms"
		info "$(printf '%-6s on %s  VLAN %s  %s' "$name" "$host" "$vlan" "$addr")"
	done <<'VMS'
vm-a1 100 host1 10.1.0.1/24
vm-a3 100 host1 10.1.0.3/24
vm-b1 200 host1 10.2.0.1/24
vm-c1 300 host1 10.3.0.1/24
vm-a2 100 host2 10.1.0.2/24
vm-b2 200 host2 10.2.0.2/24
vm-c2 300 host2 10.3.0.2/24
VMS
	info "VLAN 100 <-> VNI 5000 over VXLAN, VLAN 200 <-> VNI 6000 over NVGRE," \
		"VLAN 300 <-> VNI 7000 over STT"
	write_config host1 10.99.0.1 10.99.0.2
	write_config host2 10.99.0.2 10.99.0.1
	info "configs: $WORK/host1.json, $WORK/host2.json"
	start_vtepsw host1 || die "vtepsw on host1 did not start"
	start_vtepsw host2 || die "vtepsw on host2 did not start"
	info "vtepsw running on host1 (pid ${VTEPSW_PID[host1]}) and host2" \
		"(pid ${VTEPSW_PID[host2]}); logs in $WORK/host{1,2}.log"
}

# Capture the underlay on both hosts' "ul". Each side's capture holds the frames that side
# received: DPDK's af_packet PMD transmits with PACKET_QDISC_BYPASS, which packet taps on the
# sending interface never see, so one capture alone would show one direction only.
capture_start() {
	local host i
	CAP_PIDS=()
	command -v tshark >/dev/null 2>&1 || return 0
	for host in host1 host2; do
		ip netns exec "qs-$host" tshark -q -i ul -w "$WORK/underlay-$host.pcap" \
			>"$WORK/tshark-$host.log" 2>&1 </dev/null 9>&- &
		CAP_PIDS+=("$!")
		echo "$!" >>"$WORK/pids"
	done
	for host in host1 host2; do
		for i in $(seq 50); do
			grep -q "Capturing on" "$WORK/tshark-$host.log" 2>/dev/null && break
			sleep 0.1
		done
	done
	sleep 0.3
}

capture_stop() {
	local pid
	[ "${#CAP_PIDS[@]}" -gt 0 ] || return 0
	sleep 0.5
	for pid in "${CAP_PIDS[@]}"; do kill -INT "$pid" 2>/dev/null; done
	for pid in "${CAP_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
	mergecap -w "$WORK/underlay.pcap" "$WORK"/underlay-host[12].pcap 2>/dev/null
}

do_pings() {
	step "4. traffic"
	info "capturing the underlay (tshark on 'ul' in both hosts) while the VMs ping"
	capture_start
	info "vm-a1 pings vm-a3: both on host1, VLAN 100 (host1's vtepsw bridges it locally)"
	reach_check local qs-vm-a1 10.1.0.3 \
		"vm-a1 (VLAN 100, host1) -> vm-a3 (VLAN 100, host1), bridged locally"
	info "vm-a1 pings vm-a2 across the underlay: VLAN 100 -> VXLAN VNI 5000 -> VLAN 100"
	reach_check vxlan qs-vm-a1 10.1.0.2 \
		"vm-a1 (VLAN 100, host1) -> vm-a2 (VLAN 100, host2) over VXLAN VNI 5000"
	info "vm-b1 pings vm-b2 across the underlay: VLAN 200 -> NVGRE VSID 6000 -> VLAN 200"
	reach_check nvgre qs-vm-b1 10.2.0.2 \
		"vm-b1 (VLAN 200, host1) -> vm-b2 (VLAN 200, host2) over NVGRE VSID 6000"
	info "vm-c1 pings vm-c2 across the underlay: VLAN 300 -> STT context 7000 -> VLAN 300"
	reach_check stt qs-vm-c1 10.3.0.2 \
		"vm-c1 (VLAN 300, host1) -> vm-c2 (VLAN 300, host2) over STT context 7000"

	info "isolation: vm-a1 (VLAN 100) gets 10.2.0.99/24, an address in VLAN 200's subnet," \
		"and pings vm-b1 (same host) and vm-b2 (other host)"
	ip -n qs-vm-a1 addr add 10.2.0.99/24 dev eth0
	local r1 r2
	r1=$(replies qs-vm-a1 10.2.0.1)
	r2=$(replies qs-vm-a1 10.2.0.2)
	ip -n qs-vm-a1 addr del 10.2.0.99/24 dev eth0
	if [ "$r1" = 0 ] && [ "$r2" = 0 ]; then
		ok "isolation: vm-a1 (VLAN 100) -> vm-b1 and vm-b2 (VLAN 200): $r1/3 and $r2/3" \
			"replies, as it must"
	else
		fail isolation "isolation: vm-a1 (VLAN 100) reached VLAN 200: vm-b1 $r1/3," \
			"vm-b2 $r2/3 replies (must be 0)"
	fi
	capture_stop
}

# tcount FILTER: frames of the underlay capture matching a display filter.
tcount() {
	tshark -r "$WORK/underlay.pcap" -o ip.try_heuristic_first:TRUE -Y "$1" 2>/dev/null | wc -l
}

do_capture_summary() {
	local vx gre stt leak bad
	step "5. underlay capture (tshark)"
	if [ "${#CAP_PIDS[@]}" = 0 ] || [ ! -s "$WORK/underlay.pcap" ]; then
		info "tshark is not available (or captured nothing): no capture summary (not a check)"
		return 0
	fi
	info "$(tshark -r "$WORK/underlay.pcap" 2>/dev/null | wc -l) frames crossed the underlay" \
		"(captured on 'ul' in qs-host1 and qs-host2, merged)"
	vx=$(tcount 'vxlan.vni == 5000 && icmp')
	# NVGRE key = VSID << 8 | FlowID, so VSID 6000 (0x1770) is a key in 0x177000..0x1770ff
	gre=$(tcount 'gre.key >= 0x177000 && gre.key <= 0x1770ff && gre.proto == 0x6558 && icmp')
	stt=$(tcount 'stt.context_id == 0x1b58 && icmp')
	# the isolation ARP from 10.2.0.99 may only travel in VLAN 100's VNI 5000
	leak=$(tcount 'arp.src.proto_ipv4 == 10.2.0.99 && !vxlan.vni == 5000')
	bad=$(tcount '(vxlan && vxlan.vni != 5000) || (gre && !(gre.key >= 0x177000 &&
		gre.key <= 0x1770ff)) || (stt && stt.context_id != 0x1b58)')
	info "$(printf '%-44s %s' 'ICMP in VXLAN, vxlan.vni == 5000:' "$vx")"
	info "$(printf '%-44s %s' 'ICMP in NVGRE, gre.key VSID 6000 (0x1770):' "$gre")"
	info "$(printf '%-44s %s' 'ICMP in STT, stt.context_id == 0x1b58:' "$stt")"
	info "$(printf '%-44s %s' 'ARP from 10.2.0.99 outside VNI 5000:' "$leak")"
	info "$(printf '%-44s %s' 'tunnel frames with any other VNI:' "$bad")"
	if [ "$vx" -ge 6 ] && [ "$gre" -ge 6 ] && [ "$stt" -ge 6 ] && [ "$leak" = 0 ] &&
	   [ "$bad" = 0 ]; then
		ok "underlay capture: tshark decodes VXLAN VNI 5000, NVGRE VSID 6000 and STT" \
			"context 0x1b58 ($vx/$gre/$stt ICMP frames), nothing in another segment"
	else
		fail capture "underlay capture: VXLAN $vx, NVGRE $gre, STT $stt ICMP frames" \
			"(want >= 6 each), $leak leaked ARP, $bad frames in other segments (want 0)"
	fi
}

do_stop() {
	local host pid rc bad=""
	step "6. stop both vtepsw (SIGINT) and read their counters"
	for host in host1 host2; do
		kill -INT "${VTEPSW_PID[$host]}" 2>/dev/null
	done
	for host in host1 host2; do
		pid=${VTEPSW_PID[$host]}
		for _ in $(seq 100); do
			[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && break
			[ -d "/proc/$pid" ] || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		rc=0
		wait "$pid" || rc=$?
		say "   $host:"
		grep -E "vtepsw: port +[^ ]+ +rx " "$WORK/$host.log" | sed 's/^.*vtepsw: /     /'
		[ "$rc" = 0 ] || bad="$bad $host(exit $rc)"
	done
	: >"$WORK/pids"
	if [ -z "$bad" ]; then
		ok "both vtepsw stopped cleanly on SIGINT (exit 0)"
	else
		fail stop "vtepsw did not stop cleanly:$bad"
	fi
}

do_keep_notes() {
	step "6. the topology is still running (--keep)"
	cat <<EOF
   VMs:     qs-vm-a1 qs-vm-a3 qs-vm-b1 qs-vm-c1 (host1)   qs-vm-a2 qs-vm-b2 qs-vm-c2 (host2)
   ping:    ip netns exec qs-vm-a1 ping 10.1.0.2        (VXLAN VNI 5000)
            ip netns exec qs-vm-b1 ping 10.2.0.2        (NVGRE VSID 6000)
            ip netns exec qs-vm-c1 ping 10.3.0.2        (STT context 7000)
   watch:   ip netns exec qs-host2 tshark -i ul -o ip.try_heuristic_first:TRUE
   vtepsw:  pids ${VTEPSW_PID[host1]} (host1), ${VTEPSW_PID[host2]} (host2); configs and logs in $WORK
            (per-port counters are logged when vtepsw stops)
   cleanup: tools/quickstart.sh --cleanup
EOF
}

# ---------------------------------------------------------------- main

for a in "$@"; do
	case "$a" in
	-h|--help) usage; exit 0 ;;
	--keep) keep=1 ;;
	--cleanup) cleanup_only=1 ;;
	*) echo "quickstart: unknown option '$a' (try --help)" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || die "must run as root (installs packages, creates network namespaces)"

# One demo at a time (the namespace names are fixed): lock this script file itself.
exec 9<"$0"
flock -w 5 9 || die "another tools/quickstart.sh is running"

if [ "${cleanup_only:-0}" = 1 ]; then
	teardown
	say "quickstart: removed the demo topology (qs-* namespaces, vtepsw, $WORK)"
	exit 0
fi

trap on_exit EXIT
trap 'interrupted=1; exit 130' INT TERM

start=$(date +%s)
if ip netns list 2>/dev/null | grep -q '^qs-' || [ -d "$WORK" ]; then
	say "quickstart: removing what an earlier run left behind"
	teardown
fi
mkdir -p "$WORK"
: >"$WORK/pids"

do_setup_and_build
do_hugepages
do_topology
do_pings
do_capture_summary
if [ "$keep" = 1 ]; then
	do_keep_notes
else
	do_stop
fi

echo
if [ "${#failed_names[@]}" -gt 0 ] && [ "$keep" = 0 ]; then
	for h in host1 host2; do
		say "--- last lines of vtepsw's log on $h ---"
		tail -15 "$WORK/$h.log" | sed 's/^/   | /'
	done
fi
for n in "${failed_names[@]}"; do say "failed: $n"; done
say "quickstart: $passed of $checks checks passed ($(($(date +%s) - start)) s)"
finished=1
[ "$passed" = "$checks" ]
