#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Multiqueue vhost-user ports: two VMs with 2 queue pairs each on a vtepsw with two worker
# lcores (lcores 1 and 2 share CPU 1 beside the control lcore). vmA sends 200 frames to vmB,
# alternating its two queues. Proves: vtepsw receives on both of vmA's queues (each polled
# by its own worker) and transmits to vmB on both of vmB's queues, and every frame arrives
# byte-identical; then vmB restarts with only one queue pair enabled (a guest with fewer
# queues than the port offers, e.g. one vCPU): vtepsw notices from the vring state, sends on
# the one enabled queue only, and all 200 frames still arrive with no tx drop; the driver's
# per-queue counters add up to the port counters.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vhost.inc"
it_init

one_host
cat >"$IT_DIR/h1.json" <<JSON
{"ports": [{"name": "vmA", "devargs": "net_vhost0,iface=$IT_DIR/a.sock", "vlan": 100,
            "rx_queues": 2},
           {"name": "vmB", "devargs": "net_vhost1,iface=$IT_DIR/b.sock,queues=2", "vlan": 100},
           {"name": "ns", "devargs": "net_af_packet0,iface=p100", "vlan": 100}]}
JSON
# shellcheck disable=SC2086
IT_VTEPSW_ARGS="--stats-period 1" IT_LCORES="0@0,1@1,2@1" it_vtepsw_start h1 "$IT_DIR/h1.json" $EAL_LOG ||
	{ IT_FAILS=$((IT_FAILS + 1)); it_finish; }
it_check "vtepsw runs two workers" grep -q "2 worker(s)" "$IT_DIR/vtepsw-h1.log"
it_check "vmA gets 2 queue pairs from rx_queues" \
	grep -q "port vmA: vhost-user server mode on .*, 2 queue pair(s)" "$IT_DIR/vtepsw-h1.log"

$FR gen "$IT_DIR/a-out.pcap" 02:00:00:00:00:0a 02:00:00:00:00:0b 200 7777 3

# run QB: vmB with QB queue pairs enabled receives while vmA (2 queues) sends the 200
# frames, after the pings that teach vtepsw vmB's MAC.
run() {
	local qb=$1
	vm_start "vmB$qb" "path=$IT_DIR/b.sock,queues=$qb" --queues "$qb" --ip 192.168.100.2 \
		--mac 02:00:00:00:00:0b --duration 60 --recv "$IT_DIR/b$qb.pcap"
	vm_start "vmA$qb" "path=$IT_DIR/a.sock,queues=2" --queues 2 --ip 192.168.100.1 \
		--mac 02:00:00:00:00:0a --duration 60 --send "$IT_DIR/a-out.pcap" --pps 400 \
		--send-after 6
	it_check "($qb) ping vmB" ping_retry h1v 192.168.100.2
	it_check "($qb) ping vmA" ping_retry h1v 192.168.100.1
	it_eq "($qb) vtepsw transmits to vmB on $qb queue(s)" "$qb" \
		"$(xstat_live h1 vmB tx_queues_used)"
	sleep 6
	kill -INT "$(eval echo "\$VM_PID_vmA$qb")" "$(eval echo "\$VM_PID_vmB$qb")"
	it_check "($qb) vmA exits 0" vm_wait "vmA$qb"
	it_check "($qb) vmB exits 0" vm_wait "vmB$qb"
	it_eq "($qb) vmA sent 100 frames on each queue" "[100, 100]" "$(vm_json "vmA$qb" "j['tx_q']")"
	it_check "($qb) the 200 frames arrive in vmB byte-identical" \
		$FR cmpset "$IT_DIR/a-out.pcap" "$IT_DIR/b$qb.pcap" 7777
}

run 2
it_check "(2) vmB received on both of its queues" \
	test "$(vm_json vmB2 "min(j['rx_q'])")" -ge 50
run 1

it_vtepsw_stop h1
rx0=$(it_xstat h1 vmA rxq0_packets)
rx1=$(it_xstat h1 vmA rxq1_packets)
it_check "vmA's two rx queues each carried its 2 x 100 frames" \
	test "$rx0" -ge 200 -a "$rx1" -ge 200
it_eq "vmA: rxq0 + rxq1 = port rx" "$(it_counter h1 vmA rx)" "$((rx0 + rx1))"
tx0=$(it_xstat h1 vmB txq0_packets)
tx1=$(it_xstat h1 vmB txq1_packets)
it_check "vmB's two tx queues were both used (2-queue guest)" test "$tx0" -gt 0 -a "$tx1" -gt 0
it_eq "vmB: txq0 + txq1 = port tx" "$(it_counter h1 vmB tx)" "$((tx0 + tx1))"
it_finish
