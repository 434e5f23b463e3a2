#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# DPDK telemetry: dpdk-telemetry.py (the DPDK tool, unchanged) reads the /vtepsw/ commands
# of a running vtepsw; the numbers equal the kernel's counters of the VMs, vtepctl's, and the
# drops we provoke. Telemetry reads while vtepctl changes the configuration never crash or
# return torn data (the callbacks run in DPDK's telemetry thread, under the model lock).
. "$(dirname "$0")/lib.sh"
it_init
TEL=/usr/bin/dpdk-telemetry.py
[ -r "$TEL" ] || it_skip "$TEL not installed (Debian package dpdk)"

SWNS=$(it_netns sw)
it_netns kp >/dev/null
it_link sw ul0 kp ul1
it_vm vm1 p-vm1 192.168.50.1/24
it_vm vm2 p-vm2 192.168.50.3/24
it_kernel_vtep kp ul1
VM2_MAC=$(it_mac vm2 eth0)
cat >"$IT_DIR/cfg.json" <<'JSON'
{"vtep": {"local_ip": "10.99.0.1/24", "uplink": "up0"},
 "ports": [{"name": "up0", "devargs": "net_af_packet0,iface=ul0", "role": "uplink"},
           {"name": "vm1", "devargs": "net_af_packet1,iface=p-vm1", "vlan": 100},
           {"name": "vm2", "devargs": "net_af_packet2,iface=p-vm2", "vlan": 100}],
 "tunnels": [{"name": "kern", "type": "vxlan", "remote_ip": "10.99.0.2"}],
 "segments": [{"vlan": 100, "vni": 5000, "flood": ["kern"]}]}
JSON
it_vtepsw_start a "$IT_DIR/cfg.json" || exit 1

# tel CMD...: run dpdk-telemetry.py against this vtepsw; one JSON line per command
tel() {
	printf '%s\n' "$@" | $PY "$TEL" -f "${IT_ID}-a" 2>"$IT_DIR/tel.err"
}
# tget CMD EXPR: EXPR over the reply d of one command
tget() {
	tel "$1" | $PY -c "import json,sys; d=json.loads(sys.stdin.readline())['$(echo "$1" | cut -d, -f1)']; print($2)"
}

it_check "vm1 pings vm2" it_ping vm1 192.168.50.3 5
it_check "vm1 pings the kernel VTEP's address over VXLAN" it_ping vm1 192.168.50.2 3
ip netns exec "${IT_ID}-vm2" "$HERE/scapy_send.py" eth0 4 \
	"Ether(src='$VM2_MAC', dst='ff:ff:ff:ff:ff:ff')/Dot1Q(vlan=100)/IP()/ICMP()"
sleep 0.5

it_check "/ lists every /vtepsw/ command" sh -c "printf '/\n' | $PY $TEL -f ${IT_ID}-a | grep -q '\"/vtepsw/drops\", \"/vtepsw/info\", \"/vtepsw/port\", \"/vtepsw/ports\", \"/vtepsw/segment\", \"/vtepsw/segments\", \"/vtepsw/tunnels\", \"/vtepsw/workers\"'"
it_eq "/vtepsw/info" "0.1.0 3 1 1" "$(tget /vtepsw/info "d['version'], d['ports'], d['tunnels'], d['segments']" | tr -d "(),'")"
it_eq "/vtepsw/ports" "['up0', 'vm1', 'vm2']" "$(tget /vtepsw/ports d)"
it_eq "/vtepsw/tunnels" "['kern']" "$(tget /vtepsw/tunnels d)"
it_eq "/vtepsw/segments" "[100]" "$(tget /vtepsw/segments d)"
for vm in vm1 vm2; do
	it_eq_settled "/vtepsw/port,$vm: rx/tx == what the VM sent/received" \
		"ip netns exec ${IT_ID}-$vm cat /sys/class/net/eth0/statistics/tx_packets /sys/class/net/eth0/statistics/rx_packets | tr '\n' ' ' | sed 's/ \$//'" \
		"tget /vtepsw/port,$vm \"d['rx_packets'], d['tx_packets']\" | tr -d '(),'"
done
it_eq "/vtepsw/port,vm2: the 4 tagged frames counted as drop_tagged_on_access" "4 4" \
	"$(tget /vtepsw/port,vm2 "d['drops'], d['drop_tagged_on_access']" | tr -d '(),')"
it_eq "/vtepsw/drops: tagged_on_access" "4" "$(tget /vtepsw/drops "d['tagged_on_access']")"
it_eq_settled "/vtepsw/port,kern and /vtepsw/segment,100 agree (one tunnel)" \
	"tget /vtepsw/port,kern \"d['tx_packets'], d['rx_packets']\"" \
	"tget /vtepsw/segment,100 \"d['tx_packets'], d['rx_packets']\""
it_check "/vtepsw/port,kern: VXLAN traffic both ways" test \
	"$(tget /vtepsw/port,kern "min(d['tx_packets'], d['rx_packets'])")" -ge 3
it_eq_settled "telemetry and vtepctl report the same counters" \
	"it_ctl a --json dump-ports vm1 | \$PY -c \"import json,sys; p=json.load(sys.stdin)['ports'][0]; print(p['rx_packets'], p['tx_packets'])\"" \
	"tget /vtepsw/port,vm1 \"d['rx_packets'], d['tx_packets']\" | tr -d '(),'"
it_check "/vtepsw/workers: cycles and packets of worker 0" test \
	"$(tget /vtepsw/workers "int(d['workers'] == 1 and d['w0_packets'] > 10 and d['w0_busy_cycles'] > 0 and d['w0_idle_cycles'] > 0 and d['w0_cycles_per_packet'] > 0)")" = 1
it_eq "/vtepsw/port,nope: no data for an unknown name" "None" "$(tget /vtepsw/port,nope d)"
it_eq "/vtepsw/segment,4095: no data for an invalid VLAN" "None" "$(tget /vtepsw/segment,4095 d)"

# telemetry reads racing with changes: every reply is complete and consistent
(
	for _ in $(seq 30); do
		it_ctl a add-port vmx net_ring7 --vlan 100 >/dev/null &&
		it_ctl a add-tunnel tx vxlan 10.99.0.7 >/dev/null &&
		it_ctl a del-tunnel tx >/dev/null &&
		it_ctl a del-port vmx >/dev/null || exit 1
	done
) &
cpid=$!
n=0 badr=0
while kill -0 "$cpid" 2>/dev/null; do
	out=$(tel /vtepsw/ports /vtepsw/port,vm1 /vtepsw/info /vtepsw/tunnels)
	n=$((n + 1))
	$PY -c "
import json, sys
r = [json.loads(l) for l in sys.stdin.read().splitlines()]
ports = r[0]['/vtepsw/ports']
assert ports[:3] == ['up0', 'vm1', 'vm2'] and set(ports[3:]) <= {'vmx'}, ports
assert r[1]['/vtepsw/port']['name'] == 'vm1'
assert r[2]['/vtepsw/info']['ports'] in (3, 4)
assert set(r[3]['/vtepsw/tunnels']) <= {'kern', 'tx'}
" <<<"$out" || badr=$((badr + 1))
done
wait "$cpid"
it_eq "changes made while telemetry was read succeeded" 0 "$?"
it_check "telemetry was read during the changes ($n rounds)" test "$n" -ge 3
it_eq "every telemetry reply during the changes was consistent" 0 "$badr"
it_vtepsw_stop a
it_finish
