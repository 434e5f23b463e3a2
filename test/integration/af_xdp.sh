#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# AF_XDP uplink sharing its NIC (a veth) with the host's kernel. vtepsw's uplink is
# net_af_xdp on ul0 in the "hv" namespace, whose kernel keeps its own address 10.99.0.10
# on ul0 and also holds the VTEP address 10.99.0.1 on lo. A kernel VXLAN VTEP in "kp" is
# the remote. Proved, with tunnel traffic and host traffic at the same time:
#   - VXLAN for the VTEP address, ARP and ping for it reach vtepsw (pings through the
#     tunnel; the kernel's listener on 10.99.0.1:4789 gets nothing; the kernel's echo
#     counter does not move for pings to the VTEP address);
#   - SSH-like TCP to port 22 (host and VTEP address), UDP to other ports and to port 4789
#     of the host address, and ping to the host address reach the kernel (its listener and
#     its echo counter);
#   - vtepsw receives exactly what the program redirected and nothing else (no drops);
# then: clean detach on exit; after SIGKILL the program stays, host traffic still flows, and
# the next start replaces the stale program; a second instance and a foreign XDP program
# are refused; a missing, a verifier-rejected and a foreign program file are clear start-up
# errors; rx_queues beyond the NIC's channels are refused. The run-time VTEP address
# change is tested by test/unit/test_af_xdp.c.
. "$(dirname "$0")/lib.sh"
it_init
# Full malloc stacks under ASan, so test/lsan.supp can name the af_xdp PMD's own leaks.
[ -z "${ASAN_OPTIONS:-}" ] || export ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"

BUILD=$(cd "$(dirname "$VTEPSW")/../.." && pwd)
XDP_OBJ=$BUILD/drivers/port/af_xdp/vtep_xdp.o
BAD_OBJ=$BUILD/test/xdp_bad.o
FOREIGN_OBJ=/usr/lib/x86_64-linux-gnu/bpf/xsk_def_xdp_prog.o
[ -f "$XDP_OBJ" ] || it_skip "vtepsw was built without AF_XDP support ($XDP_OBJ is missing)"

VTEP=10.99.0.1 HOST=10.99.0.10 PEER=10.99.0.2
it_netns hv >/dev/null
it_netns kp >/dev/null
it_netns vm >/dev/null
HV="${IT_ID}-hv" KP="${IT_ID}-kp"
SWNS=$HV
it_link hv ul0 kp ul1
it_vm vm p-vm 192.168.50.1/24
ip -n "$HV" addr add "$HOST/24" dev ul0
ip -n "$HV" addr add "$VTEP/32" dev lo
# The kernel may hold the VTEP address too (for other services); it must then neither
# answer ARP for it on ul0 nor use it as the source of its own ARP requests.
ip netns exec "$HV" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.ul0.arp_ignore=1 \
	net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.ul0.arp_announce=2
ip -n "$KP" addr add "$PEER/24" dev ul1
ip -n "$KP" link add vx0 type vxlan id 5000 local "$PEER" remote "$VTEP" dstport 4789
ip -n "$KP" addr add 192.168.50.2/24 dev vx0
ip -n "$KP" link set vx0 up

# cfg FILE DEVARGS [uplink extra JSON]
cfg() {
	cat >"$1" <<JSON
{"vtep": {"local_ip": "$VTEP/24", "uplink": "up0"},
 "ports": [{"name": "up0", "devargs": "$2", "role": "uplink"${3:-}},
           {"name": "vm", "devargs": "net_af_packet1,iface=p-vm", "vlan": 100}],
 "tunnels": [{"name": "kern", "type": "vxlan", "remote_ip": "$PEER"}],
 "segments": [{"vlan": 100, "vni": 5000, "flood": ["kern"]}]}
JSON
}
CFG=$IT_DIR/up.json
cfg "$CFG" "net_af_xdp0,iface=ul0"

xdp_prog() { ip -n "$HV" link show "${1:-ul0}" | grep -o 'prog/xdp id [0-9]* name [a-z_]*'; }
in_echos() { ip netns exec "$HV" nstat -az IcmpInEchos | awk '/IcmpInEchos/ {print $2}'; }
# xstat TAG NAME: a driver counter of up0 from the exit summary (0 when not listed).
xstat() {
	grep -E "vtepsw: port up0 +xstats:" "$IT_DIR/vtepsw-$1.log" | tail -1 |
		grep -oE " $2=[0-9]+" | cut -d= -f2 | grep . || echo 0
}
heard() { grep -c "^$1 $2" "$IT_DIR/listen.log"; }

# --- The kernel's listener: SSH-like TCP on every address, UDP on host and VTEP address.
: >"$IT_DIR/listen.log"
ip netns exec "$HV" "$PY" "$HERE/af_xdp_listen.py" "$IT_DIR/listen.log" tcp:0.0.0.0:22 \
	"udp:$HOST:4789" "udp:$HOST:5555" "udp:$VTEP:4789" "udp:$VTEP:5555" >"$IT_DIR/listen.out" 2>&1 &
IT_PIDS+=("$!")
for _ in $(seq 50); do grep -q listening "$IT_DIR/listen.out" && break; sleep 0.1; done

# --- 1. Tunnel traffic and host traffic at once.
it_vtepsw_start share "$CFG" || { it_log "FAIL - vtepsw did not start"; exit 1; }
it_check "vtepsw's program is attached to ul0" \
	bash -c "ip -n $HV link show ul0 | grep -q 'prog/xdp id [0-9]* name vtep_xdp_steer'"
echos0=$(in_echos)
ip netns exec "${IT_ID}-vm" ping -q -c 40 -i 0.05 -W 1 192.168.50.2 >"$IT_DIR/tunnel-ping.txt" 2>&1 &
tping=$!
sleep 0.3
it_check "the host address answers ping (kernel)" it_ping kp "$HOST" 5
ip netns exec "$KP" bash -c "
	echo ssh-host >/dev/tcp/$HOST/22; echo ssh-vtep >/dev/tcp/$VTEP/22
	for i in 1 2 3; do echo udp-host-4789 >/dev/udp/$HOST/4789; echo udp-host-5555 >/dev/udp/$HOST/5555
		echo udp-vtep-5555 >/dev/udp/$VTEP/5555; done" 2>>"$IT_DIR/sender.err"
it_check "the VTEP address answers ping (vtepsw)" it_ping kp "$VTEP" 3
it_check "40 pings through the VXLAN tunnel meanwhile, none lost" wait "$tping"
sleep 0.3
echos1=$(in_echos)
it_eq "TCP to port 22 of the host address reached the kernel" 1 "$(heard tcp "$HOST:22 ssh-host")"
it_eq "TCP to port 22 of the VTEP address reached the kernel" 1 "$(heard tcp "$VTEP:22 ssh-vtep")"
it_eq "UDP to port 4789 of the host address reached the kernel" 3 "$(heard udp "$HOST:4789")"
it_eq "UDP to port 5555 of the host address reached the kernel" 3 "$(heard udp "$HOST:5555")"
it_eq "UDP to port 5555 of the VTEP address reached the kernel" 3 "$(heard udp "$VTEP:5555")"
it_eq "VXLAN to the VTEP address that reached the kernel" 0 "$(heard udp "$VTEP:4789")"
it_eq "echo requests the kernel answered (only the 5 to the host address)" 5 \
	"$((echos1 - echos0))"
it_vtepsw_stop share
it_eq "no XDP program left on ul0 after a clean exit" "" "$(xdp_prog)"
redirected=0
for r in vxlan nvgre stt arp nd echo all; do
	redirected=$((redirected + $(xstat share "xdp_redirect_$r")))
done
it_check "VXLAN redirected to vtepsw: at least the 40 tunnel replies" \
	test "$(xstat share xdp_redirect_vxlan)" -ge 40
it_eq "echo requests redirected to vtepsw" 3 "$(xstat share xdp_redirect_echo)"
it_check "ARP for the VTEP address redirected to vtepsw" test "$(xstat share xdp_redirect_arp)" -ge 1
it_check "frames for other addresses passed to the kernel" \
	test "$(xstat share xdp_pass_other_addr)" -ge 11
it_check "frames for the VTEP address on other ports passed to the kernel" \
	test "$(xstat share xdp_pass_other_l4)" -ge 5
it_eq "frames vtepsw's uplink received == frames the program redirected" "$redirected" \
	"$(it_counter share up0 rx)"
it_eq "uplink drops (vtepsw got nothing that is not its own)" 0 "$(it_counter share up0 drops)"
it_check "the tunnel carried the pings both ways" \
	test "$(it_seg share 100 rx)" -ge 40 -a "$(it_seg share 100 tx)" -ge 40

# --- 2. Crash and restart: the stale program is replaced, a live one is not.
it_vtepsw_start crash "$CFG" || { it_log "FAIL - vtepsw did not start"; exit 1; }
kill -KILL "$VTEPSW_PID_crash"
wait "$VTEPSW_PID_crash" 2>/dev/null
stale=$(xdp_prog)
it_check "after SIGKILL the program is still attached ($stale)" \
	bash -c "echo '$stale' | grep -q vtep_xdp_steer"
it_check "with the stale program, the host address still answers ping" it_ping kp "$HOST" 2
it_vtepsw_start restart "$CFG" || { it_log "FAIL - vtepsw did not restart"; exit 1; }
it_check "the restart removed the stale program" \
	grep -q "removed the stale XDP program (id $(echo "$stale" | awk '{print $3}'))" \
	"$IT_DIR/vtepsw-restart.log"
it_check "after the restart, pings through the tunnel pass" it_ping vm 192.168.50.2 3
out=$(ip netns exec "$HV" "$VTEPSW" -l 0 --no-huge -m 256 --no-pci --file-prefix "${IT_ID}-second" \
	--log-level lib.eal:warning -- --config "$CFG" 2>&1)
rc=$?
it_eq "a second vtepsw on the same interface exits with status 2" 2 "$rc"
it_check "... naming the running one" \
	grep -q "interface 'ul0' is in use by vtepsw process $VTEPSW_PID_restart" <<<"$out"
it_check "... and leaving its program alone" it_ping vm 192.168.50.2 2
it_vtepsw_stop restart
it_eq "no XDP program left on ul0 after the restarted vtepsw exits" "" "$(xdp_prog)"

# --- 3. Start-up errors: each names its cause, exits 2 and leaves no program behind.
# expect_error TAG DEVARGS MESSAGE-REGEX [uplink extra JSON]
expect_error() {
	local tag=$1 out rc
	cfg "$IT_DIR/$tag.json" "$2" "${4:-}"
	out=$(ip netns exec "$HV" "$VTEPSW" -l 0 --no-huge -m 256 --no-pci \
		--file-prefix "${IT_ID}-$tag" --log-level lib.eal:warning -- \
		--config "$IT_DIR/$tag.json" 2>&1)
	rc=$?
	it_log "[$tag] $(grep 'vtepsw:' <<<"$out" | tail -1)"
	it_eq "[$tag] exit status" 2 "$rc"
	it_check "[$tag] the message names the cause" grep -qE "$3" <<<"$out"
	it_eq "[$tag] lines on stderr from vtepsw" 1 "$(grep -c '^vtepsw:' <<<"$out")"
}
expect_error missing "net_af_xdp0,iface=ul0,xdp_prog=$IT_DIR/none.o" \
	"ports\[0\]\.devargs: port 'up0': XDP program '$IT_DIR/none.o' cannot be read: No such file or directory"
expect_error verifier "net_af_xdp0,iface=ul0,xdp_prog=$BAD_OBJ" \
	"XDP program '$BAD_OBJ' was rejected by the kernel verifier: .*(packet|invalid|access)"
echo "not an ELF file" >"$IT_DIR/junk.o"
expect_error junk "net_af_xdp0,iface=ul0,xdp_prog=$IT_DIR/junk.o" \
	"XDP program '$IT_DIR/junk.o' is not a BPF object file"
expect_error noiface "net_af_xdp0,iface=nosuch0" "interface 'nosuch0' does not exist"
it_eq "no XDP program on ul0 after the failed starts" "" "$(xdp_prog)"
if [ -f "$FOREIGN_OBJ" ]; then
	expect_error foreignfile "net_af_xdp0,iface=ul0,xdp_prog=$FOREIGN_OBJ" \
		"is not a vtepsw steering program \(it has no map 'vtep_cfg'\)"
	ip -n "$HV" link set dev ul0 xdp obj "$FOREIGN_OBJ" sec xdp
	expect_error foreign "net_af_xdp0,iface=ul0" \
		"interface 'ul0' already has XDP program 'xsk_def_prog' \(id [0-9]+\), not vtepsw's"
	it_check "the foreign program is still attached" \
		bash -c "ip -n $HV link show ul0 | grep -q 'name xsk_def_prog'"
	ip -n "$HV" link set dev ul0 xdp off
else
	it_log "skip - foreign program checks: $FOREIGN_OBJ (libxdp) is missing"
fi

# --- 4. Queues: a veth with 2 rx queues has no combined channels for a second socket.
ip -n "$HV" link add mq0 numtxqueues 2 numrxqueues 2 type veth peer name mq1 \
	numtxqueues 2 numrxqueues 2
ip -n "$HV" link set mq0 up
ip -n "$HV" link set mq1 up
expect_error queues "net_af_xdp0,iface=mq0" \
	"rx_queues 2: interface 'mq0' has 1 combined queue channel\(s\)" ', "rx_queues": 2'
cfg "$IT_DIR/mq.json" "net_af_xdp0,iface=mq0"
sed -i "s/p-vm/p-vm2/" "$IT_DIR/mq.json"
ip -n "$HV" link add p-vm2 type veth peer name p-vm2b
ip -n "$HV" link set p-vm2 up
it_vtepsw_start mq "$IT_DIR/mq.json" || IT_FAILS=$((IT_FAILS + 1))
it_check "one socket on a 2-queue NIC: a warning names the command that fixes it" \
	grep -q "interface mq0 receives on 2 queues but the port uses 1.*ethtool -L mq0 rx 1" \
	"$IT_DIR/vtepsw-mq.log"
it_vtepsw_stop mq
it_finish
