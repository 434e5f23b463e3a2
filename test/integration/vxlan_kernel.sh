#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# VXLAN interop with the Linux kernel's vxlan device as the remote VTEP: ping both ways
# between a VM behind vtepsw (VLAN 100 -> VNI 5000) and an address behind the kernel VTEP,
# on port 4789 and 8472, over an IPv4 and an IPv6 underlay, with head-end replication and
# with a multicast group; the underlay capture is checked with tshark (vxlan.vni).
. "$(dirname "$0")/lib.sh"
it_init

# pmtu_checks TAG FAMILY: an inner packet one byte too big for the tunnel, with DF, gets
# ICMP "fragmentation needed" (IPv4) or "packet too big" (IPv6) naming the tunnel's MTU,
# and the VM's kernel takes it: its route cache records that MTU and a packet of exactly
# that size then crosses the tunnel.
pmtu_checks() {
	local tag=$1 fam=$2 pmtu vmns
	pmtu=$([ "$fam" = 4 ] && echo 1450 || echo 1430)
	vmns="${IT_ID}-vm-$tag"
	ip -n "$vmns" addr add fd50::1/64 dev eth0 nodad
	ip -n "${IT_ID}-kp-$tag" addr add fd50::2/64 dev vx0 nodad
	ip netns exec "$vmns" ping -M do -c 2 -i 0.3 -W 1 -s $((pmtu - 27)) 192.168.50.2 \
		>"$IT_DIR/$tag.pmtu4" 2>&1
	it_check "[$tag] a DF ping 1 byte too big gets ICMP frag-needed, mtu $pmtu" \
		grep -q "mtu = $pmtu" "$IT_DIR/$tag.pmtu4"
	it_check "[$tag] the VM's kernel cached path MTU $pmtu" \
		bash -c "ip -n $vmns route get 192.168.50.2 | grep -q 'mtu $pmtu'"
	it_check "[$tag] a DF ping of exactly $pmtu bytes crosses the tunnel" \
		bash -c "ip netns exec $vmns ping -q -M do -c 2 -i 0.2 -W 2 -s $((pmtu - 28)) 192.168.50.2 >/dev/null"
	it_check "[$tag] IPv6 inner: the VM reaches fd50::2" it_ping "vm-$tag" fd50::2 3
	ip netns exec "$vmns" ping -6 -M do -c 2 -i 0.3 -W 1 -s $((pmtu - 47)) fd50::2 \
		>"$IT_DIR/$tag.pmtu6" 2>&1
	it_check "[$tag] an IPv6 ping 1 byte too big gets packet-too-big, mtu $pmtu" \
		grep -q "Packet too big: mtu=$pmtu" "$IT_DIR/$tag.pmtu6"
	it_check "[$tag] an IPv6 ping of exactly $pmtu bytes crosses the tunnel" \
		bash -c "ip netns exec $vmns ping -6 -q -M do -c 2 -i 0.2 -W 2 -s $((pmtu - 48)) fd50::2 >/dev/null"
}

# up0_count TAG NAME: an uplink drop reason (af_packet) or XDP xstat (af_xdp) of vtepsw.
up0_count() {
	it_ctl "$1" --json dump-ports up0 | $PY -c "import json,sys; p=json.load(sys.stdin)['ports'][0]; print(p['drop_reasons'].get('$2', p.get('xstats', {}).get('$2', 0)))"
}
seg_rx() { it_ctl "$1" --json dump-segments 100 | $PY -c "import json,sys; print(json.load(sys.stdin)['segments'][0]['rx_packets'])"; }

# live_vtep_checks TAG: set-vtep moves the VTEP to another address and UDP port while it
# runs. On the wire: vtepsw announces the new address, encapsulates from it to the new
# port, decapsulates what the kernel VTEP sends there once it is moved too, and answers
# ARP/ping on the new address only. Frames still sent to the old address or old port are
# not decapsulated: they are counted as drops (af_packet) or, on AF_XDP, left to the kernel
# by the XDP program, whose maps followed the change.
live_vtep_checks() {
	local tag=$1 nl=10.99.0.5 np=4790 kp="${IT_ID}-kp-$1" upmac kmac vxmac rx0 a0 p0 a1 p1
	local old_addr=tnl_not_for_us old_port=uplink_other
	[ "${IT_UPLINK:-af_packet}" = af_xdp ] && old_addr=xdp_pass_other_addr old_port=xdp_pass_other_l4
	upmac=$(it_mac "hv-$tag" ul0)
	kmac=$(it_mac "kp-$tag" ul1)
	vxmac=$(it_mac "kp-$tag" vx0)
	it_capture_start "kp-$tag" ul1 "$IT_DIR/$tag-live.pcap"
	it_check "[$tag] set-vtep local_ip=$nl/24 udp_port=$np" \
		it_ctl "$tag" set-vtep local_ip=$nl/24 udp_port=$np
	it_noping "vm-$tag" 192.168.50.2 2 # leaves from the new address; the kernel is not there yet
	ip -n "$kp" link del vx0 # quiet: only our frames reach the old address now
	rx0=$(seg_rx "$tag") a0=$(up0_count "$tag" $old_addr) p0=$(up0_count "$tag" $old_port)
	ip netns exec "$kp" "$HERE/scapy_send.py" ul1 5 \
		"Ether(src='$kmac', dst='$upmac')/IP(src='10.99.0.2', dst='10.99.0.1')/UDP(sport=40000, dport=4789)/VXLAN(vni=5000)/Ether(src='$vxmac', dst='ff:ff:ff:ff:ff:ff')/IP(src='192.168.50.2', dst='192.168.50.255')/UDP(dport=9)" \
		"Ether(src='$kmac', dst='$upmac')/IP(src='10.99.0.2', dst='$nl')/UDP(sport=40000, dport=4789)/VXLAN(vni=5000)/Ether(src='$vxmac', dst='ff:ff:ff:ff:ff:ff')/IP(src='192.168.50.2', dst='192.168.50.255')/UDP(dport=9)"
	sleep 0.5
	a1=$(up0_count "$tag" $old_addr) p1=$(up0_count "$tag" $old_port)
	# at least: the kernel's own ARP probes for the old address and IPv6 chatter count too
	it_check "[$tag] 5 frames to the old address: $old_addr (got $((a1 - a0)))" \
		test $((a1 - a0)) -ge 5
	it_check "[$tag] 5 frames to the old UDP port: $old_port (got $((p1 - p0)))" test $((p1 - p0)) -ge 5
	it_eq "[$tag] none of them was decapsulated into the segment" "$rx0" "$(seg_rx "$tag")"
	# move the kernel VTEP to the new address and port (same MAC, so the VM's ARP holds)
	ip -n "$kp" link add vx0 address "$vxmac" type vxlan id 5000 local 10.99.0.2 remote "$nl" \
		dstport $np dev ul1
	ip -n "$kp" addr add 192.168.50.2/24 dev vx0
	ip -n "$kp" link set vx0 up
	it_check "[$tag] after the move, the kernel side pings the VM" it_ping "kp-$tag" 192.168.50.1 4
	it_check "[$tag] ... and the VM pings the kernel side" it_ping "vm-$tag" 192.168.50.2 3
	it_check "[$tag] the new VTEP address answers ping" it_ping "kp-$tag" $nl 2
	it_check "[$tag] the old one no longer does" it_noping "kp-$tag" 10.99.0.1 1
	it_check "[$tag] the segment received the kernel's frames" test "$(seg_rx "$tag")" -gt "$rx0"
	it_capture_stop "$IT_DIR/$tag-live.pcap"
	local dec="-d udp.port==$np,vxlan" f="$IT_DIR/$tag-live.pcap"
	it_check "[$tag] vtepsw announced $nl with a gratuitous ARP from its uplink MAC" test \
		"$(it_tcount "$f" "arp.src.proto_ipv4 == $nl && arp.dst.proto_ipv4 == $nl && eth.src == $upmac")" -ge 1
	it_check "[$tag] encapsulated frames leave from $nl to UDP port $np (VNI 5000)" test \
		"$(it_tcount "$f" "ip.src == $nl && ip.dst == 10.99.0.2 && udp.dstport == $np && vxlan.vni == 5000 && icmp" $dec)" -ge 6
	local garp
	garp=$(tshark -r "$f" -Y "arp.src.proto_ipv4 == $nl && arp.dst.proto_ipv4 == $nl" \
		-T fields -e frame.number 2>/dev/null | head -1)
	it_eq "[$tag] no frame leaves from the old address after the announcement" 0 \
		"$(it_tcount "$f" "frame.number > ${garp:-0} && (ip.src == 10.99.0.1 || arp.src.proto_ipv4 == 10.99.0.1)")"
	it_check "[$tag] the kernel's frames to $nl:$np were answered (ICMP replies from the VM)" test \
		"$(it_tcount "$f" "ip.src == $nl && udp.dstport == $np && icmp.type == 0 && ip.src == 192.168.50.1" $dec)" -ge 4
}

# run_case TAG PORT FAMILY MODE(unicast|mcast)
run_case() {
	local tag=$1 port=$2 fam=$3 mode=$4
	local hv kp vm l r plen vtep tunnels flood seg_extra bridge_extra kdev grp ipf=ip
	hv=$(it_netns "hv-$tag")
	kp=$(it_netns "kp-$tag" v6)
	vm=$(it_netns "vm-$tag" v6)
	SWNS=$hv
	it_link "hv-$tag" ul0 "kp-$tag" ul1
	it_vm "vm-$tag" p-vm 192.168.50.1/24
	if [ "$fam" = 4 ]; then
		l=10.99.0.1 r=10.99.0.2 plen=24
		vtep="\"local_ip\": \"$l/$plen\""
		ip -n "$kp" addr add "$r/$plen" dev ul1
	else
		l=fd00:99::1 r=fd00:99::2 plen=64 ipf=ipv6
		vtep="\"local_ip6\": \"$l/$plen\""
		ip -n "$kp" addr add "$r/$plen" dev ul1 nodad
	fi
	if [ "$mode" = mcast ]; then
		grp=239.1.1.1
		[ "$fam" = 6 ] && grp=ff0e::5000
		kdev="group $grp dev ul1"
		tunnels=""
		flood="[]"
		seg_extra=", \"mcast_group\": \"$grp\""
		bridge_extra='"bridge": {"mac_aging_s": 10},'
	else
		kdev="remote $l dev ul1"
		tunnels="{\"name\": \"kern\", \"type\": \"vxlan\", \"remote_ip\": \"$r\"}"
		flood="[\"kern\"]"
		seg_extra=""
		bridge_extra=""
	fi
	ip -n "$kp" link add vx0 type vxlan id 5000 local "$r" $kdev dstport "$port"
	ip -n "$kp" addr add 192.168.50.2/24 dev vx0
	ip -n "$kp" link set vx0 up
	cat >"$IT_DIR/$tag.json" <<JSON
{$bridge_extra "vtep": {$vtep, "uplink": "up0", "udp_port": $port},
 "ports": [{"name": "up0", "devargs": "$(it_uplink ul0)", "role": "uplink"},
           {"name": "vm", "devargs": "net_af_packet1,iface=p-vm", "vlan": 100}],
 "tunnels": [$tunnels],
 "segments": [{"vlan": 100, "vni": 5000, "flood": $flood$seg_extra}]}
JSON
	it_vtepsw_start "$tag" "$IT_DIR/$tag.json" || { IT_FAILS=$((IT_FAILS + 1)); return; }
	it_capture_start "kp-$tag" ul1 "$IT_DIR/$tag.pcap"
	it_check "[$tag] VM behind vtepsw pings the kernel VTEP's address" \
		it_ping "vm-$tag" 192.168.50.2 4
	it_check "[$tag] the kernel side pings the VM" it_ping "kp-$tag" 192.168.50.1 3
	it_check "[$tag] the VTEP address answers ping" it_ping "kp-$tag" "$l" 2
	[ "$mode" = unicast ] && pmtu_checks "$tag" "$fam"
	it_capture_stop "$IT_DIR/$tag.pcap"
	local dec="-d udp.port==$port,vxlan"
	it_check "[$tag] tshark decodes VXLAN VNI 5000 ICMP from vtepsw" test \
		"$(it_tcount "$IT_DIR/$tag.pcap" "vxlan.vni == 5000 && icmp && ip.src == 192.168.50.1 && udp.dstport == $port" $dec)" -ge 4
	it_eq "[$tag] VXLAN frames with a VNI other than 5000" 0 \
		"$(it_tcount "$IT_DIR/$tag.pcap" "vxlan && vxlan.vni != 5000" $dec)"
	it_eq "[$tag] outer UDP checksums that are bad" 0 \
		"$(it_tcount "$IT_DIR/$tag.pcap" "udp.checksum.status == \"Bad\"" -o udp.check_checksum:TRUE $dec)"
	if [ "$mode" = mcast ]; then
		it_check "[$tag] flooded frames went to the group $grp" test \
			"$(it_tcount "$IT_DIR/$tag.pcap" "$ipf.dst == $grp && vxlan.vni == 5000 && $ipf.src == $l" $dec)" -ge 1
		if [ "$fam" = 4 ]; then
			it_check "[$tag] vtepsw joined the group with IGMP" test \
				"$(it_tcount "$IT_DIR/$tag.pcap" "igmp.type == 0x16 && igmp.maddr == $grp")" -ge 1
		else
			it_check "[$tag] vtepsw joined the group with an MLDv1 report (link-local source, hop limit 1, router alert, good checksum)" test \
				"$(it_tcount "$IT_DIR/$tag.pcap" "icmpv6.type == 131 && icmpv6.mld.multicast_address == $grp && ipv6.dst == $grp && ipv6.src == fe80::/64 && ipv6.hlim == 1 && ipv6.opt.type == 5 && icmpv6.checksum.status == \"Good\"")" -ge 1
		fi
		it_check "[$tag] unicast to the learned MAC goes straight to the kernel VTEP" test \
			"$(it_tcount "$IT_DIR/$tag.pcap" "$ipf.dst == $r && $ipf.src == $l && vxlan.vni == 5000 && icmp.type == 0" $dec)" -ge 3
	else
		it_check "[$tag] replies from vtepsw are unicast to the kernel VTEP" test \
			"$(it_tcount "$IT_DIR/$tag.pcap" "vxlan && ip$( [ "$fam" = 6 ] && echo v6).dst == $r && ip$( [ "$fam" = 6 ] && echo v6).src == $l" $dec)" -ge 4
	fi
	[ "$tag" = v4 ] && live_vtep_checks "$tag"
	if [ "$tag" = mc ]; then
		# the MACs behind the learned tunnel age out after 10 s, then the tunnel goes
		for _ in $(seq 30); do
			grep -q "learned tunnel vxlan@$r removed" "$IT_DIR/vtepsw-$tag.log" && break
			sleep 1
		done
		it_check "[$tag] the learned tunnel is removed once its MACs aged out" \
			grep -q "learned tunnel vxlan@$r removed (its MAC addresses aged out)" \
			"$IT_DIR/vtepsw-$tag.log"
		it_check "[$tag] after that the VM still reaches the kernel side" \
			it_ping "vm-$tag" 192.168.50.2 3
		# a learned remote (not in the file, so not checked by the loader) whose address
		# becomes the VTEP's own goes with the change; set back, it is learned again
		it_check "[$tag] set-vtep local_ip=$r/24: the learned remote's address" \
			it_ctl "$tag" set-vtep local_ip=$r/24
		it_check "[$tag] ... removes the learned tunnel with the change" grep -q \
			"learned tunnel vxlan@$r removed (the VTEP address changed)" "$IT_DIR/vtepsw-$tag.log"
		it_eq "[$tag] ... dump-tunnels no longer lists it" 0 \
			"$(it_ctl "$tag" --json dump-tunnels | $PY -c "import json,sys; print(sum(t['name'] == 'vxlan@$r' for t in json.load(sys.stdin)['tunnels']))")"
		it_check "[$tag] set-vtep local_ip=$l/24 again" it_ctl "$tag" set-vtep local_ip=$l/24
		it_check "[$tag] the VM reaches the kernel side again" it_ping "vm-$tag" 192.168.50.2 4
		it_check "[$tag] set-vtep require_known_remote=yes" \
			it_ctl "$tag" set-vtep require_known_remote=yes
		it_check "[$tag] ... removes the learned tunnel too" grep -q \
			"learned tunnel vxlan@$r removed (require_known_remote is set)" \
			"$IT_DIR/vtepsw-$tag.log"
		it_check "[$tag] ... and nothing from the kernel VTEP is decapsulated any more" \
			it_noping "kp-$tag" 192.168.50.1 1
		it_check "[$tag] set back to no, the kernel side reaches the VM again" sh -c \
			"'$VTEPCTL' -s '$IT_DIR/ctl-$tag.sock' set-vtep require_known_remote=no >/dev/null &&
			 ip netns exec '${IT_ID}-kp-$tag' ping -q -c 4 -i 0.2 -W 1 192.168.50.1 >/dev/null"
	fi
	it_vtepsw_stop "$tag"
	it_eq "[$tag] VM port drops" 0 "$(it_counter "$tag" vm drops)"
	if [ "$mode" = mcast ]; then
		it_check "[$tag] vtepsw learned the remote VTEP $r from the group traffic" \
			grep -q "learned remote VTEP $r (vxlan): tunnel vxlan@$r" "$IT_DIR/vtepsw-$tag.log"
		it_check "[$tag] the learned tunnel carried traffic both ways" test \
			"$(it_counter "$tag" "vxlan@$r" rx)" -gt 0 -a "$(it_counter "$tag" "vxlan@$r" tx)" -gt 0
	fi
	if [ "$mode" = unicast ]; then
		it_eq "[$tag] segment tx == tunnel tx" "$(it_counter "$tag" kern tx)" \
			"$(it_seg "$tag" 100 tx)"
		it_eq "[$tag] segment rx == tunnel rx" "$(it_counter "$tag" kern rx)" \
			"$(it_seg "$tag" 100 rx)"
		it_check "[$tag] oversized inner packets counted as mtu_exceeded" \
			test "$(it_counter "$tag" kern mtu_exceeded)" -ge 2
		it_check "[$tag] ICMP too-big messages counted" \
			grep -qE "path mtu: [1-9][0-9]* ICMP" "$IT_DIR/vtepsw-$tag.log"
		it_check "[$tag] segment carried traffic both ways" \
			test "$(it_seg "$tag" 100 rx)" -gt 0 -a "$(it_seg "$tag" 100 tx)" -gt 0
	fi
}

[ -z "${ONLY_CASE:-}" ] || { run_case $ONLY_CASE; it_finish; }
run_case v4 4789 4 unicast
run_case p8472 8472 4 unicast
run_case v6 4789 6 unicast
run_case mc 4789 4 mcast
run_case mc6 4789 6 mcast
it_finish
