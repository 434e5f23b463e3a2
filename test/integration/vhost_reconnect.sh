#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# vhost-user VMs and vtepsw survive each other's crashes. One vtepsw with two VM ports on
# VLAN 100 and a namespace VM that pings them:
#   vmc: vtepsw is the client (client=1), the VM (vmsim) the server, as with QEMU server=on;
#   vms: vtepsw is the server, the VM the client.
# Proves: kill -9 of a VM takes its port down (logged, counted) without disturbing the other
# VM; when the VM comes back, traffic resumes without touching vtepsw (client mode: vtepsw
# reconnects by itself every second); after three crash/restart rounds of each VM vtepsw
# holds exactly the file descriptors and DPDK heap allocations it held before; kill -9 of
# vtepsw: the restarted vtepsw removes its stale server socket and starts, and the
# client-mode VM, never restarted, gets traffic again by itself; a third VM port added and
# removed twice with vtepctl comes and goes without disturbing the others; vtepsw exits
# cleanly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vhost.inc"
it_init

one_host
cat >"$IT_DIR/h1.json" <<JSON
{"ports": [{"name": "vmc", "devargs": "net_vhost0,iface=$IT_DIR/vmc.sock,client=1", "vlan": 100},
           {"name": "vms", "devargs": "net_vhost1,iface=$IT_DIR/vms.sock", "vlan": 100},
           {"name": "ns", "devargs": "net_af_packet0,iface=p100", "vlan": 100}]}
JSON
# shellcheck disable=SC2086
it_vtepsw_start h1 "$IT_DIR/h1.json" $EAL_LOG || { IT_FAILS=$((IT_FAILS + 1)); it_finish; }

vmc_start() {
	vm_start vmc "path=$IT_DIR/vmc.sock,server=1" --ip 192.168.100.3 --mac 02:00:00:00:00:03 \
		--duration 300 --wait-link 60
}
vms_start() {
	vm_start vms "path=$IT_DIR/vms.sock" --ip 192.168.100.4 --mac 02:00:00:00:00:04 \
		--duration 300
}
# mark PORT, then connected/disconnected PORT: wait for one more "VM connected" /
# "VM disconnected" line of PORT than there was at mark time.
mark() {
	eval "MARK_$1=$(grep -c "port $1: VM connected on" "$IT_DIR/vtepsw-h1.log")"
	eval "MARKD_$1=$(grep -c "port $1: VM disconnected" "$IT_DIR/vtepsw-h1.log")"
}
connected() {
	local m
	eval "m=\$MARK_$1"
	WAIT_COUNT=$((m + 1)) wait_log h1 "port $1: VM connected on" 20
}
disconnected() {
	local m
	eval "m=\$MARKD_$1"
	WAIT_COUNT=$((m + 1)) wait_log h1 "port $1: VM disconnected" 10
}
fds() { ls "/proc/$VTEPSW_PID_h1/fd" | wc -l; }
heap() { $FR telemetry "/var/run/dpdk/${IT_ID}-h1/dpdk_telemetry.v2" /eal/heap_info,0 "$1"; }

mark vmc
mark vms
vmc_start
vms_start
it_check "vmc connects (vtepsw client, VM server)" connected vmc
it_check "vms connects (vtepsw server, VM client)" connected vms
it_check "ping vmc" it_ping h1v 192.168.100.3 2
it_check "ping vms" it_ping h1v 192.168.100.4 2
sleep 1
FDS0=$(fds)
HEAPN0=$(heap Alloc_count)
HEAPB0=$(heap Alloc_size)
it_log "baseline: $FDS0 fds, $HEAPN0 heap allocations ($HEAPB0 bytes)"

for round in 1 2 3; do
	# the client-mode port: the VM crashes; vtepsw retries until the VM's socket is back
	mark vmc
	vm_kill vmc
	it_check "round $round: kill -9 of vmc takes its port down" disconnected vmc
	# frames flooded to vmc before vtepsw saw it go count as tx_full; the link state reaches
	# the workers within 250 ms, and from then on they count as link_down
	if [ "$round" = 1 ]; then
		sleep 0.5
		vmc_drops() { it_ctl h1 --json dump-ports vmc | $PY -c "import json,sys; r=json.load(sys.stdin)['ports'][0]['drop_reasons']; print(r.get('link_down', 0), r.get('tx_full', 0))"; }
		read -r ld0 tf0 <<<"$(vmc_drops)"
	fi
	it_check "round $round: vmc unreachable while down" it_noping h1v 192.168.100.3 1
	if [ "$round" = 1 ]; then
		read -r ld1 tf1 <<<"$(vmc_drops)"
		it_eq "frames for the absent VM count as link_down, not tx_full (new drops of each)" \
			"link_down>0 tx_full+0" \
			"link_down$( [ "$ld1" -gt "$ld0" ] && echo '>0' || echo "+$((ld1 - ld0))") tx_full+$((tf1 - tf0))"
	fi
	it_check "round $round: vms undisturbed while vmc is down" it_ping h1v 192.168.100.4 2
	rm -f "$IT_DIR/vmc.sock"  # what QEMU does with a stale server socket
	vmc_start
	it_check "round $round: vtepsw reconnects to the restarted vmc by itself" connected vmc
	it_check "round $round: traffic to vmc resumes" it_ping h1v 192.168.100.3 2
	# the server-mode port: the VM crashes and reconnects when it is back
	mark vms
	vm_kill vms
	it_check "round $round: kill -9 of vms takes its port down" disconnected vms
	it_check "round $round: vmc undisturbed while vms is down" it_ping h1v 192.168.100.3 2
	vms_start
	it_check "round $round: the restarted vms connects" connected vms
	it_check "round $round: traffic to vms resumes" it_ping h1v 192.168.100.4 2
done
sleep 1
it_eq "no file descriptor leaked over 6 VM crashes" "$FDS0" "$(fds)"
it_eq "no DPDK heap allocation leaked (count)" "$HEAPN0" "$(heap Alloc_count)"
it_eq "no DPDK heap allocation leaked (bytes)" "$HEAPB0" "$(heap Alloc_size)"

# vtepsw crashes. The VMs stay.
kill -KILL "$VTEPSW_PID_h1"
wait "$VTEPSW_PID_h1" 2>/dev/null
mv "$IT_DIR/vtepsw-h1.log" "$IT_DIR/vtepsw-h1-first.log"
it_check "the server socket is left behind by kill -9" test -S "$IT_DIR/vms.sock"
# shellcheck disable=SC2086
it_check "vtepsw restarts over its stale server socket" \
	it_vtepsw_start h1 "$IT_DIR/h1.json" $EAL_LOG
it_check "the stale socket removal is logged" \
	grep -q "port vms: removed stale vhost-user socket" "$IT_DIR/vtepsw-h1.log"
MARK_vmc=0
MARK_vms=0
it_check "client mode: vtepsw connects to the VM that kept running" connected vmc
it_check "client mode: traffic to the never-restarted VM resumes by itself" \
	it_ping h1v 192.168.100.3 3
# A virtio-user client does not reconnect (QEMU's reconnect=N does): restart it.
vm_kill vms
vms_start
it_check "server mode: the VM connects to the restarted vtepsw" connected vms
it_check "server mode: traffic resumes" it_ping h1v 192.168.100.4 2

it_check "...and it is the same VM process as before the crash" kill -0 "$VM_PID_vmc"

# A VM port added and removed at run time with vtepctl, twice, while the others forward.
vm_start vm3 "path=$IT_DIR/vm3.sock,server=1" --ip 192.168.100.5 --mac 02:00:00:00:00:05 \
	--duration 300 --wait-link 60
for round in 1 2; do
	mark vm3
	it_check "vtepctl round $round: add-port vm3 (client mode)" \
		it_ctl h1 add-port vm3 "net_vhost3,iface=$IT_DIR/vm3.sock,client=1" --vlan 100
	it_check "vtepctl round $round: vtepsw connects to the running VM" connected vm3
	it_check "vtepctl round $round: ping vm3" ping_retry h1v 192.168.100.5 10
	it_check "vtepctl round $round: dump-ports shows vm3's queue state" \
		sh -c "'$VTEPCTL' --socket '$IT_DIR/ctl-h1.sock' dump-ports vm3 | grep -q 'rxq0_enabled'"
	it_check "vtepctl round $round: del-port vm3" it_ctl h1 del-port vm3
	it_check "vtepctl round $round: vm3 unreachable once removed" it_noping h1v 192.168.100.5 1
	it_check "vtepctl round $round: vmc and vms undisturbed" \
		eval "it_ping h1v 192.168.100.3 2 && it_ping h1v 192.168.100.4 2"
done
# (DPDK 22.11's virtio-user server, our stand-in for QEMU, may panic in its interrupt
# thread once it has reconnected: its exit status says nothing about vtepsw)
vm_kill vm3
vm_kill vmc
it_vtepsw_stop h1
it_check "the server socket is removed on a clean exit" test ! -e "$IT_DIR/vms.sock"
it_finish
