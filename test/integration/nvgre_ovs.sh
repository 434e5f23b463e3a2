#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# NVGRE interop with Open vSwitch's userspace datapath as the remote VTEP: a VM behind
# vtepsw (VLAN 100 -> VSID 6000) and an internal port of a private ovs-vswitchd
# (datapath_type=netdev, GRE port on br-int, underlay on br-phy) ping each other both ways.
# vtepsw's key is VSID << 8 | FlowID with a per-flow FlowID (RFC 7637), and OVS matches
# the whole 32-bit key of a GRE port with a fixed key, so OVS is set up in the two ways that
# accept any FlowID:
#   flow  - options:key=flow; OpenFlow rules match tun_id=VSID<<8/0xffffff00 and send with
#           FlowID 0xa5 (vtepsw must ignore it); a frame OVS sends with VSID 6001 must not
#           reach the VLAN 100 VM (isolation).
#   inkey - options:in_key=flow options:out_key=VSID<<8 with the default NORMAL rule.
# The underlay capture proves the wire format with tshark: first 16 GRE bits 0x2000, protocol
# 0x6558, key >> 8 == 6000 both ways, inner ICMP between the two VMs, 16 UDP flows spread
# over several FlowIDs and all delivered by OVS.
# ONLY_CASE=fixed runs the same checks against options:key=VSID<<8; it fails by design and
# shows OVS dropping vtepsw's frames ("receive tunnel port not found") when FlowID != 0.
. "$(dirname "$0")/lib.sh"
it_init

VSID=6000
VTEP_IP=10.99.0.1
OVS_IP=10.99.0.2
VM_IP=192.168.60.1
OVS_VM_IP=192.168.60.2
OVS_TX_KEY=$(printf '0x%x' $(((VSID << 8) | 0xa5)))        # flow case: FlowID 0xa5
OTHER_KEY=$(printf '0x%x' $(((VSID + 1) << 8)))             # VSID 6001
OVSD=""
OVS_DAEMON_PIDS=()

ovs_env() { env OVS_RUNDIR="$OVSD" OVS_DBDIR="$OVSD" OVS_LOGDIR="$OVSD" OVS_SYSCONFDIR="$OVSD" "$@"; }
vsctl() { ovs_env ovs-vsctl --db="unix:$OVSD/db.sock" --timeout=30 "$@"; }
ofctl() { ovs_env ovs-ofctl "$1" "unix:$OVSD/$2.mgmt" "${@:3}"; }
appctl() { ovs_env ovs-appctl -t ovs-vswitchd --timeout=30 "$@"; }

ovs_daemons_gone() {
	local p
	for p in "$@"; do kill -0 "$p" 2>/dev/null && return 1; done
	return 0
}

# ovs_start NS DIR: ovsdb-server (outside the namespace: it only has a unix socket) and
# ovs-vswitchd inside NS; database, sockets, logs and pid files all under DIR.
ovs_start() {
	local ns=$1
	OVSD=$2
	mkdir -p "$OVSD"
	ovs_env ovsdb-tool create "$OVSD/conf.db" /usr/share/openvswitch/vswitch.ovsschema || return 1
	ovs_env ovsdb-server "$OVSD/conf.db" --remote="punix:$OVSD/db.sock" \
		--pidfile="$OVSD/ovsdb-server.pid" --log-file="$OVSD/ovsdb-server.log" \
		-vconsole:off --detach --no-chdir 2>>"$OVSD/start.err" || { cat "$OVSD/start.err"; return 1; }
	OVS_DAEMON_PIDS+=("$(cat "$OVSD/ovsdb-server.pid")")
	vsctl --no-wait init || return 1
	ip netns exec "$ns" env OVS_RUNDIR="$OVSD" OVS_DBDIR="$OVSD" OVS_LOGDIR="$OVSD" \
		OVS_SYSCONFDIR="$OVSD" ovs-vswitchd "unix:$OVSD/db.sock" \
		--pidfile="$OVSD/ovs-vswitchd.pid" --log-file="$OVSD/ovs-vswitchd.log" \
		-vconsole:off --detach --no-chdir 2>>"$OVSD/start.err" || { cat "$OVSD/start.err"; return 1; }
	OVS_DAEMON_PIDS+=("$(cat "$OVSD/ovs-vswitchd.pid")")
}

# ovs_stop: SIGTERM both daemons, wait up to 10 s, then SIGKILL. Safe to call twice.
ovs_stop() {
	local p
	[ "${#OVS_DAEMON_PIDS[@]}" -gt 0 ] || return 0
	for p in "${OVS_DAEMON_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for _ in $(seq 100); do
		ovs_daemons_gone "${OVS_DAEMON_PIDS[@]}" && break
		sleep 0.1
	done
	for p in "${OVS_DAEMON_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	OVS_DAEMON_PIDS=()
}

trap 'ovs_stop; it_cleanup' EXIT

command -v ovs-vswitchd >/dev/null 2>&1 || [ -x /usr/lib/openvswitch-switch/ovs-vswitchd ] ||
	it_skip "ovs-vswitchd is not installed"
PATH=$PATH:/usr/lib/openvswitch-switch

# run_case TAG (flow|inkey|fixed)
run_case() {
	local tag=$1 hv ovns started gre_opts
	# Not $(it_netns ...): a subshell would lose the IT_NETNS entry that cleanup needs.
	it_netns "hv-$tag" >/dev/null
	it_netns "ovs-$tag" >/dev/null
	it_netns "vm-$tag" >/dev/null
	hv="${IT_ID}-hv-$tag"
	ovns="${IT_ID}-ovs-$tag"
	SWNS=$hv
	it_link "hv-$tag" ul0 "ovs-$tag" ul1
	it_vm "vm-$tag" p-vm "$VM_IP/24"
	case "$tag" in
	flow) gre_opts="options:key=flow" ;;
	inkey) gre_opts="options:in_key=flow options:out_key=$((VSID << 8))" ;;
	*) gre_opts="options:key=$((VSID << 8))" ;;
	esac

	# --- Open vSwitch: br-phy owns the underlay veth and address, br-int the tunnel and "VM".
	ovs_start "$ovns" "$IT_DIR/ovs-$tag" || { it_log "FAIL - [$tag] OVS did not start"; exit 1; }
	started=("${OVS_DAEMON_PIDS[@]}")
	vsctl add-br br-phy -- set bridge br-phy datapath_type=netdev \
		other_config:hwaddr="$(it_mac "ovs-$tag" ul1)" -- add-port br-phy ul1 || exit 1
	ip -n "$ovns" addr flush dev ul1
	# ul1 also feeds the namespace's own IP stack, which would answer ARP for the underlay
	# address and send "protocol unreachable" for every GRE frame: only br-phy may.
	ip netns exec "$ovns" sysctl -qw net.ipv4.conf.all.rp_filter=1 \
		net.ipv4.conf.ul1.rp_filter=1 net.ipv4.conf.ul1.arp_ignore=8
	ip -n "$ovns" addr add "$OVS_IP/24" dev br-phy
	ip -n "$ovns" link set br-phy up
	# shellcheck disable=SC2086
	vsctl add-br br-int -- set bridge br-int datapath_type=netdev \
		-- add-port br-int gre0 -- set interface gre0 type=gre ofport_request=10 \
		options:remote_ip="$VTEP_IP" options:local_ip="$OVS_IP" $gre_opts || exit 1
	ip -n "$ovns" addr add "$OVS_VM_IP/24" dev br-int
	ip -n "$ovns" link set br-int up
	if [ "$tag" = flow ]; then
		# In: VSID 6000 with any FlowID. Out: VSID 6000 with FlowID 0xa5, except UDP to
		# port 7, which goes out with VSID 6001 (must not reach VLAN 100).
		ofctl del-flows br-int || exit 1
		ofctl add-flow br-int "priority=100,in_port=10,tun_id=$((VSID << 8))/0xffffff00,actions=output:LOCAL" || exit 1
		ofctl add-flow br-int "priority=100,in_port=LOCAL,actions=set_field:$OVS_TX_KEY->tun_id,output:10" || exit 1
		ofctl add-flow br-int "priority=200,in_port=LOCAL,udp,tp_dst=7,actions=set_field:$OTHER_KEY->tun_id,output:10" || exit 1
	fi
	# OVS learns the underlay route from the namespace's routing table: wait for it.
	for _ in $(seq 100); do
		appctl ovs/route/show 2>/dev/null | grep -q "10.99.0.0/24 dev br-phy" && break
		sleep 0.1
	done
	local ovs_vm_mac vm_mac
	ovs_vm_mac=$(it_mac "ovs-$tag" br-int)
	vm_mac=$(it_mac "vm-$tag" eth0)

	# --- vtepsw: uplink to OVS, one NVGRE tunnel, VLAN 100 <-> VSID 6000.
	cat >"$IT_DIR/$tag.json" <<JSON
{"vtep": {"local_ip": "$VTEP_IP/24", "uplink": "up0"},
 "ports": [{"name": "up0", "devargs": "$(it_uplink ul0)", "role": "uplink"},
           {"name": "vm", "devargs": "net_af_packet1,iface=p-vm", "vlan": 100}],
 "tunnels": [{"name": "ovs", "type": "nvgre", "remote_ip": "$OVS_IP"}],
 "segments": [{"vlan": 100, "vni": $VSID, "flood": ["ovs"]}]}
JSON
	it_vtepsw_start "$tag" "$IT_DIR/$tag.json" || { it_log "FAIL - [$tag] vtepsw did not start"; exit 1; }

	# --- Traffic: pings both ways; 16 UDP flows (distinct source ports, so distinct
	# FlowIDs) that must all come out of OVS's internal port; UDP from OVS to the VM.
	local pcap="$IT_DIR/ul-$tag.pcap" ipcap="$IT_DIR/int-$tag.pcap" vpcap="$IT_DIR/vm-$tag.pcap"
	it_capture_start "ovs-$tag" ul1 "$pcap"
	it_check "[$tag] VM behind vtepsw pings the VM behind OVS" it_ping "vm-$tag" "$OVS_VM_IP" 5
	it_check "[$tag] the VM behind OVS pings the VM behind vtepsw" it_ping "ovs-$tag" "$VM_IP" 5
	it_capture_start "ovs-$tag" br-int "$ipcap"
	it_capture_start "vm-$tag" eth0 "$vpcap"
	local udp=() sp
	for sp in $(seq 40000 40015); do
		udp+=("Ether(src='$vm_mac', dst='$ovs_vm_mac')/IP(src='$VM_IP', dst='$OVS_VM_IP')/UDP(sport=$sp, dport=9)/Raw(b'nvgre-flowid')")
	done
	ip netns exec "${IT_ID}-vm-$tag" "$PY" "$HERE/scapy_send.py" eth0 1 "${udp[@]}"
	ip netns exec "$ovns" bash -c "for i in 1 2 3; do echo vsid6000 >/dev/udp/$VM_IP/9; \
		echo vsid6001 >/dev/udp/$VM_IP/7; done" 2>/dev/null
	sleep 0.5
	it_capture_stop "$vpcap"
	it_capture_stop "$ipcap"
	it_capture_stop "$pcap"

	# --- The wire format, judged by tshark (#1 = outer IP header, #2 = inner).
	local v2o o2v
	v2o="ip.proto#1 == 47 && ip.src#1 == $VTEP_IP && ip.dst#1 == $OVS_IP && gre.proto == 0x6558"
	o2v="ip.proto#1 == 47 && ip.src#1 == $OVS_IP && ip.dst#1 == $VTEP_IP && gre.proto == 0x6558"
	it_check "[$tag] vtepsw -> OVS: NVGRE with inner ICMP requests $VM_IP -> $OVS_VM_IP" test \
		"$(it_tcount "$pcap" "$v2o && icmp.type == 8 && ip.src#2 == $VM_IP && ip.dst#2 == $OVS_VM_IP")" -ge 5
	it_check "[$tag] vtepsw -> OVS: NVGRE with inner ICMP replies $VM_IP -> $OVS_VM_IP" test \
		"$(it_tcount "$pcap" "$v2o && icmp.type == 0 && ip.src#2 == $VM_IP && ip.dst#2 == $OVS_VM_IP")" -ge 5
	it_check "[$tag] OVS -> vtepsw: NVGRE with inner ICMP requests $OVS_VM_IP -> $VM_IP" test \
		"$(it_tcount "$pcap" "$o2v && icmp.type == 8 && ip.src#2 == $OVS_VM_IP && ip.dst#2 == $VM_IP")" -ge 5
	it_check "[$tag] OVS -> vtepsw: NVGRE with inner ICMP replies $OVS_VM_IP -> $VM_IP" test \
		"$(it_tcount "$pcap" "$o2v && icmp.type == 0 && ip.src#2 == $OVS_VM_IP && ip.dst#2 == $VM_IP")" -ge 5
	it_eq "[$tag] GRE frames whose first 16 bits are not 0x2000 (K bit only, version 0)" 0 \
		"$(it_tcount "$pcap" "ip.proto#1 == 47 && gre.flags_and_version != 0x2000")"
	it_eq "[$tag] GRE frames with a protocol other than 0x6558" 0 \
		"$(it_tcount "$pcap" "ip.proto#1 == 47 && gre.proto != 0x6558")"
	it_eq "[$tag] ICMP errors on the underlay" 0 \
		"$(it_tcount "$pcap" "ip.proto#1 == 1 && icmp.type == 3")"

	# gre.key >> 8 cannot be written in a tshark 4.0 filter: list the keys, shift in bash.
	local src key k n_v2o=0 n_o2v=0 bad=0 ovs_bad=0 n_flowids
	tshark -r "$pcap" -Y "ip.proto#1 == 47" -T fields -E occurrence=f \
		-e ip.src -e gre.key 2>/dev/null >"$IT_DIR/keys-$tag.txt"
	tshark -r "$pcap" -Y "$v2o && ip.proto#2 == 17 && udp.dstport == 9 && ip.src#2 == $VM_IP" \
		-T fields -e gre.key 2>/dev/null | while read -r key; do echo $((key & 0xff)); done \
		>"$IT_DIR/flowids-$tag.txt"
	while read -r src key; do
		[ -n "$key" ] || { bad=$((bad + 1)); continue; }
		k=$((key))
		if [ "$src" = "$VTEP_IP" ]; then
			n_v2o=$((n_v2o + 1))
			[ $((k >> 8)) -eq "$VSID" ] || bad=$((bad + 1))
		else
			n_o2v=$((n_o2v + 1))
			case "$tag" in
			flow) [ "$k" -eq $((OVS_TX_KEY)) ] || [ "$k" -eq $((OTHER_KEY)) ] || ovs_bad=$((ovs_bad + 1)) ;;
			*) [ "$k" -eq $((VSID << 8)) ] || ovs_bad=$((ovs_bad + 1)) ;;
			esac
			[ "$k" -eq $((OTHER_KEY)) ] || [ $((k >> 8)) -eq "$VSID" ] || bad=$((bad + 1))
		fi
	done <"$IT_DIR/keys-$tag.txt"
	it_check "[$tag] GRE frames from vtepsw listed ($n_v2o)" test "$n_v2o" -ge 26
	it_check "[$tag] GRE frames from OVS listed ($n_o2v)" test "$n_o2v" -ge 13
	it_eq "[$tag] GRE frames whose key >> 8 is not VSID $VSID (both directions)" 0 "$bad"
	it_eq "[$tag] OVS frames with a key other than the one configured" 0 "$ovs_bad"
	n_flowids=$(sort -un "$IT_DIR/flowids-$tag.txt" | wc -l)
	it_log "[$tag] FlowIDs vtepsw gave the 16 UDP flows: $(sort -n "$IT_DIR/flowids-$tag.txt" | tr '\n' ' ')"
	it_eq "[$tag] UDP flows vtepsw tunnelled to OVS" 16 "$(wc -l <"$IT_DIR/flowids-$tag.txt")"
	it_check "[$tag] vtepsw spread them over more than one FlowID ($n_flowids)" test "$n_flowids" -ge 2
	it_eq "[$tag] UDP flows OVS delivered to its internal port (any FlowID)" 16 \
		"$(it_tcount "$ipcap" "ip.proto#1 == 17 && udp.dstport == 9 && ip.src == $VM_IP && udp.srcport >= 40000 && udp.srcport <= 40015")"
	it_eq "[$tag] UDP datagrams from OVS on VSID 6000 that reached the VM" 3 \
		"$(it_tcount "$vpcap" "ip.proto#1 == 17 && udp.dstport == 9 && ip.src == $OVS_VM_IP")"
	if [ "$tag" = flow ]; then
		it_check "[$tag] OVS sent UDP to port 7 with VSID 6001 (key $OTHER_KEY)" test \
			"$(it_tcount "$pcap" "$o2v && gre.key == $OTHER_KEY && udp.dstport == 7")" -ge 3
		it_eq "[$tag] VSID 6001 datagrams that reached the VLAN 100 VM" 0 \
			"$(it_tcount "$vpcap" "udp.dstport == 7")"
	fi

	if [ "$IT_FAILS" -gt 0 ]; then
		echo "--- [$tag] OVS state ---"
		ofctl dump-flows br-int
		appctl dpctl/dump-flows | grep -v '^tunnel(tun_id' | head -20
		appctl coverage/show | grep -i drop
		grep -m3 'tunnel|WARN' "$OVSD/ovs-vswitchd.log"
	fi

	# --- Shut down: vtepsw exits cleanly with no VM-port drops; no OVS daemon is left.
	it_vtepsw_stop "$tag"
	it_eq "[$tag] VM port drops" 0 "$(it_counter "$tag" vm drops)"
	ovs_stop
	it_check "[$tag] ovsdb-server and ovs-vswitchd have exited" ovs_daemons_gone "${started[@]}"
}

[ -z "${ONLY_CASE:-}" ] || { run_case "$ONLY_CASE"; it_finish; }
run_case flow
run_case inkey
it_finish
