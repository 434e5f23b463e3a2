#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Live changes under traffic: two continuous ping streams on segment VLAN 100 / VNI 5000
# (one between two local VMs, one over VXLAN to a Linux kernel VTEP) run while vtepctl adds
# and removes ports, tunnels, segments and static MACs of other VLANs, and changes the VTEP's
# MTU, gateway and STT limits (every tunnel re-templated), again and again. The
# unaffected segment must lose nothing (every ping answered, vtepsw drops nothing on its
# ports), and its ports are never restarted (same ethdev, device counters only grow).
# Run with a single lcore and with a separate worker lcore.
. "$(dirname "$0")/lib.sh"
it_init
PINGS=${IT_LIVE_PINGS:-1000}

SWNS=$(it_netns sw)
KP=$(it_netns kp)
it_link sw ul0 kp ul1
it_vm vm1 p-vm1 192.168.50.1/24
it_vm vm2 p-vm2 192.168.50.3/24
it_vm vm3 p-vm3 192.168.70.3/24
it_vm vm4 p-vm4 ""
it_kernel_vtep kp ul1
# a second remote VTEP address on the kernel side for the tunnels that come and go
ip -n "$KP" addr add 10.99.0.3/24 dev ul1

cat >"$IT_DIR/cfg.json" <<'JSON'
{"vtep": {"local_ip": "10.99.0.1/24", "uplink": "up0"},
 "ports": [{"name": "up0", "devargs": "net_af_packet0,iface=ul0", "role": "uplink"},
           {"name": "vm1", "devargs": "net_af_packet1,iface=p-vm1", "vlan": 100},
           {"name": "vm2", "devargs": "net_af_packet2,iface=p-vm2", "vlan": 100}],
 "tunnels": [{"name": "kern", "type": "vxlan", "remote_ip": "10.99.0.2"}],
 "segments": [{"vlan": 100, "vni": 5000, "flood": ["kern"]}]}
JSON

# churn TAG: add and remove everything around segment 100 until $IT_DIR/stop exists
churn() {
	local tag=$1 n=0
	local c=("$VTEPCTL" --socket "$IT_DIR/ctl-$tag.sock")
	while [ ! -e "$IT_DIR/stop" ]; do
		"${c[@]}" add-tunnel t2 vxlan 10.99.0.3 &&
		"${c[@]}" add-segment 300 7000 --flood t2 &&
		"${c[@]}" set-vtep mtu=1400 gateway=10.99.0.254 stt_reassembly_kb=1024 &&
		"${c[@]}" add-port vm3 net_af_packet3,iface=p-vm3 --vlan 300 &&
		"${c[@]}" add-port vm4 net_af_packet4,iface=p-vm4 --trunks 300,400 &&
		"${c[@]}" fdb-add 300 02:00:00:00:03:01 t2 &&
		"${c[@]}" add-tunnel t3 nvgre 10.99.0.3 &&
		"${c[@]}" add-segment 400 8000 --flood t2,t3 &&
		"${c[@]}" fdb-flush --vlan 300 &&
		"${c[@]}" set-vtep mtu= gateway= stt_reassembly_kb= &&
		"${c[@]}" del-segment 400 &&
		"${c[@]}" del-tunnel t3 &&
		"${c[@]}" fdb-del 300 02:00:00:00:03:01 &&
		"${c[@]}" del-port vm4 &&
		"${c[@]}" del-port vm3 &&
		"${c[@]}" del-segment 300 &&
		"${c[@]}" del-tunnel t2 || { echo "churn: a change failed" >&2; return 1; }
		n=$((n + 17))
		echo "$n" >"$IT_DIR/changes"
	done
	return 0
}

# ping_stats NS DST: run the stream, print "sent received"
ping_stream() {
	ip netns exec "${IT_ID}-$1" ping -q -n -i 0.01 -c "$PINGS" -W 2 "$2" 2>&1 |
		sed -nE 's/^([0-9]+) packets transmitted, ([0-9]+) received.*/\1 \2/p'
}

run() { # tag lcores
	local tag=$1 ethdev_before ipk_before
	IT_LCORES=$2 it_vtepsw_start "$tag" "$IT_DIR/cfg.json" || { IT_FAILS=$((IT_FAILS + 1)); return; }
	it_check "[$tag] the streams' paths work before the changes" it_ping vm1 192.168.50.2 2
	it_ping vm2 192.168.50.3 1
	ethdev_before=$(it_ctl "$tag" --json dump-ports | jq_ports "p['ethdev']")
	ipk_before=$(it_ctl "$tag" --json dump-ports | jq_ports "p['device']['ipackets']")
	rm -f "$IT_DIR/stop" "$IT_DIR/changes"
	churn "$tag" >"$IT_DIR/churn-$tag.log" 2>&1 &
	local cpid=$!
	ping_stream vm1 192.168.50.3 >"$IT_DIR/local-$tag" &
	local p1=$!
	ping_stream vm2 192.168.50.2 >"$IT_DIR/vxlan-$tag" &
	local p2=$!
	wait "$p1" "$p2"
	touch "$IT_DIR/stop"
	wait "$cpid"
	it_eq "[$tag] the churn of changes never failed" 0 "$?"
	it_check "[$tag] changes made while the streams ran: $(cat "$IT_DIR/changes" 2>/dev/null)" \
		test "$(cat "$IT_DIR/changes" 2>/dev/null || echo 0)" -ge 30
	it_eq "[$tag] local stream vm1 -> vm2: sent == received" "$PINGS $PINGS" "$(cat "$IT_DIR/local-$tag")"
	it_eq "[$tag] VXLAN stream vm2 -> kernel VTEP: sent == received" "$PINGS $PINGS" \
		"$(cat "$IT_DIR/vxlan-$tag")"
	it_eq "[$tag] no drop on the unaffected segment's ports and tunnel" "0 0 0" \
		"$(it_ctl "$tag" --json dump-ports | jq_ports "p['drops']" | tr '\n' ' ' | cut -d' ' -f2-3) $(it_ctl "$tag" --json dump-tunnels kern | $PY -c "import json,sys; print(json.load(sys.stdin)['tunnels'][0]['drops'])")"
	it_eq "[$tag] the unaffected ports were not restarted (same ethdev ids)" "$ethdev_before" \
		"$(it_ctl "$tag" --json dump-ports | jq_ports "p['ethdev']")"
	it_check "[$tag] ... and their device counters only grew" $PY -c "
import sys
b = [int(x) for x in '''$ipk_before'''.split()]
a = [int(x) for x in '''$(it_ctl "$tag" --json dump-ports | jq_ports "p['device']['ipackets']")'''.split()]
sys.exit(0 if len(a) == len(b) == 3 and all(y >= x + $PINGS for x, y in zip(b[1:], a[1:])) else 1)"
	it_eq "[$tag] after the churn the configuration is back to the start" "up0 vm1 vm2 / kern / 100" \
		"$(it_ctl "$tag" list-ports | tr '\n' ' ')/ $(it_ctl "$tag" list-tunnels | tr '\n' ' ')/ $(it_ctl "$tag" list-segments)"
	it_vtepsw_stop "$tag"
}

# jq_ports EXPR: EXPR for up0, vm1, vm2 (in that order), one per line
jq_ports() {
	$PY -c "import json,sys; d=json.load(sys.stdin); [print($1) for n in ('up0', 'vm1', 'vm2') for p in d['ports'] if p['name'] == n]"
}

run single 0
run workers 0-1
it_finish
