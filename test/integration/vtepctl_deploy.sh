#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Deployment files: the sample configs for a hypervisor host and for a gateway load and run
# (their NICs and vhost-user sockets replaced by ring devices) and vtepctl shows exactly
# what they say; the systemd unit passes systemd-analyze verify; the bash completion
# completes commands, options and the names of the running switch's ports and tunnels.
. "$(dirname "$0")/lib.sh"
it_init
DEPLOY=$TOP/deploy
SWNS=$(it_netns sw)

# sample NAME: load deploy/NAME.json with ring devices, compare vtepctl show with the file
sample() {
	local name=$1
	$PY - "$DEPLOY/$name.json" "$IT_DIR/$name.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for i, p in enumerate(d["ports"]):
    p["devargs"] = "net_ring%d" % (40 + i)
json.dump(d, open(sys.argv[2], "w"), indent=2)
PY
	it_vtepsw_start "$name" "$IT_DIR/$name.json" || { IT_FAILS=$((IT_FAILS + 1)); return; }
	it_ctl "$name" --json show >"$IT_DIR/$name.show"
	it_eq "[$name] ports, VLANs and roles as in the sample" \
		"$($PY -c "
import json
d = json.load(open('$DEPLOY/$name.json'))
print([(p['name'], p.get('role', 'normal'), p.get('vlan'), p.get('trunks')) for p in d['ports']])")" \
		"$($PY -c "
import json
d = json.load(open('$IT_DIR/$name.show'))
print([(p['name'], p['role'], p.get('vlan'), p.get('trunks')) for p in d['ports']])")"
	it_eq "[$name] tunnels and segments as in the sample" \
		"$($PY -c "
import json
d = json.load(open('$DEPLOY/$name.json'))
print([(t['name'], t['type'], t['remote_ip']) for t in d['tunnels']], [(s['vlan'], s['vni'], s['flood'], s.get('mcast_group')) for s in d['segments']], len(d.get('fdb', [])))")" \
		"$($PY -c "
import json
d = json.load(open('$IT_DIR/$name.show'))
print([(t['name'], t['type'], t['remote_ip']) for t in d['tunnels']], [(s['vlan'], s['vni'], s['flood'], s['mcast_group']) for s in d['segments']], d['fdb']['static'])")"
	it_eq "[$name] the VTEP address and uplink" \
		"$($PY -c "import json; v=json.load(open('$DEPLOY/$name.json'))['vtep']; print(v['local_ip'], v['uplink'], v['mtu'])")" \
		"$($PY -c "import json; v=json.load(open('$IT_DIR/$name.show'))['vtep']; print(v['local_ip'], v['uplink'], v['mtu'])")"
}
sample hypervisor
sample gateway

# bash completion, against the running gateway
comp() { # words... (the last one is being completed)
	bash -c '
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_vtepctl
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " " | sed "s/ $//"
	' _ "$DEPLOY/vtepctl.bash-completion" "$VTEPCTL" "$@"
}
S=$IT_DIR/ctl-gateway.sock
it_eq "completion: every command" 22 "$(comp "" | wc -w)"
it_eq "completion: commands starting with add-" "add-port add-segment add-tunnel" "$(comp add-)"
it_eq "completion: port names of the running switch" "rack-a rack-b storage underlay" \
	"$(comp --socket "$S" del-port "")"
it_eq "completion: tunnel names" "dc2-gre hv11 hv12 hv13" "$(comp --socket "$S" dump-tunnels "")"
it_eq "completion: VLANs with a segment" "100 200 300 400" "$(comp -s "$S" del-segment "")"
it_eq "completion: the flood list's last element" "hv11,hv12 hv11,hv13" \
	"$(comp --socket "$S" add-segment 500 9000 --flood hv11,hv1)"
it_eq "completion: a tunnel already listed is not offered again" "hv13,hv11,dc2-gre hv13,hv11,hv12" \
	"$(comp --socket "$S" add-segment 500 9000 --flood hv13,hv11,)"
it_eq "completion: fdb-add's target after VLAN and MAC" "rack-a rack-b" \
	"$(comp --socket "$S" fdb-add 300 52:54:00:00:00:01 rack)"
it_eq "completion: tunnel types" "nvgre stt vxlan" "$(comp add-tunnel t9 "")"
it_eq "completion: set-vtep's keys" "local_ip6= local_ip=" "$(comp set-vtep mtu=1400 local)"
it_eq "completion: set-vtep uplink= offers ports" "uplink=rack-a uplink=rack-b" \
	"$(comp --socket "$S" set-vtep uplink=rack)"
it_eq "completion: set-vtep with '=' as a word break" "no yes" \
	"$(comp set-vtep require_known_remote = "")"
it_eq "completion: add-port's options" "--help --json --mac --mtu --ofport --rx-queues --trunks --uplink --vlan" \
	"$(comp add-port p x --)"
it_check "completion: log components and levels" sh -c "echo '$(comp set-log-level "")' | grep -q 'debug' &&
	echo '$(comp set-log-level "")' | grep -q 'underlay'"
it_vtepsw_stop hypervisor
it_vtepsw_stop gateway

# the default management socket, in a private mount namespace with its own /run: vtepsw
# creates /run/vtepsw and the socket with mode 0660, and vtepctl finds it with no --socket
echo '{"ports": [{"name": "p0", "devargs": "net_ring60"}]}' >"$IT_DIR/min.json"
out=$(env -u VTEPCTL_SOCKET unshare -m --propagation private sh -c '
	mount -t tmpfs tmpfs /run || exit 10
	"$1" -l 0 --no-huge -m 128 --no-pci --file-prefix "$2" --log-level lib.eal:warning \
		-- --config "$3" >"$4" 2>&1 &
	pid=$!
	for _ in $(seq 100); do [ -S /run/vtepsw/vtepsw.sock ] && break; sleep 0.1; done
	echo "$(stat -c %a /run/vtepsw) $(stat -c %a /run/vtepsw/vtepsw.sock) $("$5" list-ports)"
	kill -INT $pid
	wait $pid
	echo "exit $?"
' _ "$VTEPSW" "${IT_ID}-def" "$IT_DIR/min.json" "$IT_DIR/vtepsw-def.log" "$VTEPCTL" 2>&1)
it_eq "default socket: /run/vtepsw (0755) holds vtepsw.sock (0660), vtepctl finds it" \
	"755 660 p0 exit 0" "$(echo $out)"

# the systemd unit, with ExecStart pointing at this build
if command -v systemd-analyze >/dev/null; then
	sed "s|/usr/local/bin/vtepsw|$VTEPSW|" "$DEPLOY/vtepsw.service" >"$IT_DIR/vtepsw.service"
	out=$(systemd-analyze verify "$IT_DIR/vtepsw.service" 2>&1)
	it_eq "systemd-analyze verify vtepsw.service: no complaint" "" "$out"
	it_check "the unit starts vtepsw with the default socket and config" \
		grep -q -- "-- --config /etc/vtepsw/vtepsw.json" "$DEPLOY/vtepsw.service"
else
	it_log "systemd-analyze not installed: the unit file is not verified"
fi
it_finish
