#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Persistence under kill -9: vtepctl applies a cycle of changes (tunnels, segments, ports,
# static MACs added and removed) while vtepsw is killed with SIGKILL at a random moment,
# over and over. After each kill the config file must load (vtepsw restarts from it) and
# be exactly the state before or after the change that was in flight, never anything
# else. The states are recorded first by running the cycle once without a kill.
. "$(dirname "$0")/lib.sh"
it_init
LOOPS=${IT_KILL_LOOPS:-50}

SWNS=$(it_netns sw)
CFG=$IT_DIR/cfg.json
cat >"$CFG" <<'JSON'
{"bridge": {"name": "br0"},
 "vtep": {"local_ip": "10.99.0.1/24", "uplink": "up0"},
 "ports": [{"name": "up0", "devargs": "net_ring0", "role": "uplink"},
           {"name": "vm1", "devargs": "net_ring1", "vlan": 100}],
 "tunnels": [{"name": "h2", "type": "vxlan", "remote_ip": "10.99.0.2"}],
 "segments": [{"vlan": 100, "vni": 5000, "flood": ["h2"]}]}
JSON

# The cycle: STEPS[i] takes state i to state i+1; the last one returns to state 0.
STEPS=(
	"add-tunnel t1 vxlan 10.99.0.11"
	"add-segment 201 9201 --flood t1"
	"add-port p1 net_ring11 --vlan 201"
	"fdb-add 201 02:00:00:00:01:01 t1"
	"add-tunnel t2 nvgre 10.99.0.12"
	"add-segment 202 9202 --flood t1,t2"
	"fdb-add 201 02:00:00:00:01:02 p1"
	"fdb-del 201 02:00:00:00:01:01"
	"del-segment 202"
	"del-tunnel t2"
	"del-segment 201"
	"del-tunnel t1"
	"del-port p1"
)
N=${#STEPS[@]}

# norm FILE: the config as one canonical line (lists sorted, keys sorted)
norm() {
	$PY - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k, key in (("ports", "name"), ("tunnels", "name"), ("segments", "vlan")):
    d[k] = sorted(d.get(k, []), key=lambda e: e[key])
d["fdb"] = sorted(d.get("fdb", []), key=lambda e: (e["vlan"], e["mac"]))
print(json.dumps(d, sort_keys=True, separators=(",", ":")))
PY
}

# 1. The oracle: every state of the cycle, from one uninterrupted run.
cp "$CFG" "$IT_DIR/oracle.json"
it_vtepsw_start o "$IT_DIR/oracle.json" || exit 1
STATE[0]=$(norm "$IT_DIR/oracle.json")
for ((i = 0; i < N; i++)); do
	# shellcheck disable=SC2086
	if ! it_ctl o ${STEPS[$i]} >/dev/null; then
		it_log "FAIL - oracle step '${STEPS[$i]}' failed"
		exit 1
	fi
	STATE[$((i + 1))]=$(norm "$IT_DIR/oracle.json")
done
it_vtepsw_stop o
# the start file was written by hand; the state after the full cycle is its canonical form
it_eq "the cycle returns to the first state" "$(norm "$CFG" | $PY -c "import json,sys; d=json.loads(sys.stdin.read()); print(sorted(p['name'] for p in d['ports']), d['segments'])")" \
	"$(echo "${STATE[$N]}" | $PY -c "import json,sys; d=json.loads(sys.stdin.read()); print(sorted(p['name'] for p in d['ports']), d['segments'])")"
STATE[0]=${STATE[$N]}
cp "$IT_DIR/oracle.json" "$CFG"
distinct=$(printf '%s\n' "${STATE[@]:0:$N}" | sort -u | wc -l)
it_eq "the states of the cycle are all different" "$N" "$distinct"

# state_of TEXT: index of a state (0..N-1), or -1
state_of() {
	for ((k = 0; k < N; k++)); do
		[ "$1" = "${STATE[$k]}" ] && { echo "$k"; return; }
	done
	echo -1
}

# 2. Change, kill -9 at a random moment, restart, check; LOOPS times.
# run_changes FROM: apply the cycle from state FROM on, recording each acknowledged state
run_changes() {
	local s=$1
	while :; do
		# shellcheck disable=SC2086
		"$VTEPCTL" --socket "$IT_DIR/ctl-p.sock" --timeout 5 ${STEPS[$s]} >/dev/null 2>&1 || return 0
		s=$(((s + 1) % N))
		echo "$s" >>"$IT_DIR/acked"
	done
}

cur=0
bad=0 old=0 new=0 tmpleft=0 total=0
for ((loop = 1; loop <= LOOPS; loop++)); do
	if ! it_vtepsw_start p "$CFG" >"$IT_DIR/start.log" 2>&1; then
		it_log "FAIL - loop $loop: vtepsw does not start from the saved file:"
		cat "$IT_DIR/start.log"
		IT_FAILS=$((IT_FAILS + 1))
		break
	fi
	eval "pid=\$VTEPSW_PID_p"
	: >"$IT_DIR/acked"
	run_changes "$cur" &
	cpid=$!
	sleep "0.$(printf '%03d' $((RANDOM % 400)))"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	wait "$cpid"
	total=$((total + $(wc -l <"$IT_DIR/acked")))
	acked=$(tail -1 "$IT_DIR/acked")
	[ -n "$acked" ] || acked=$cur
	got=$(state_of "$(norm "$CFG" 2>/dev/null)")
	if [ "$got" = "$acked" ]; then
		old=$((old + 1))
	elif [ "$got" = $(((acked + 1) % N)) ]; then
		new=$((new + 1))
	else
		bad=$((bad + 1))
		it_log "FAIL - loop $loop: after kill -9 with state $acked acknowledged the file is state $got:"
		head -c 2000 "$CFG"
		echo
		break
	fi
	ls "$CFG".tmp.* >/dev/null 2>&1 && tmpleft=$((tmpleft + 1))
	cur=$got
done
it_log "kills: $((old + new + bad)); file held the acknowledged state $old times, the" \
	"in-flight change $new times; a temporary file was left $tmpleft times"
it_eq "after every kill -9 the file is the old or the new state" 0 "$bad"
it_eq "all $LOOPS kills were made" "$LOOPS" "$((old + new + bad))"
it_check "changes were made between the kills (at least two full cycles acknowledged)" \
	test "$total" -ge $((2 * N))
# the last file loads and the running switch shows exactly that state
touch "$CFG.tmp.999999999"
it_vtepsw_start p "$CFG" || exit 1
it_eq "temporary files of killed instances are removed at start" "" "$(ls "$CFG".tmp.* 2>/dev/null)"
it_eq "vtepsw runs the saved state (list-tunnels)" \
	"$($PY -c "import json; print(' '.join(t['name'] for t in json.load(open('$CFG')).get('tunnels', [])))")" \
	"$(it_ctl p list-tunnels | tr '\n' ' ' | sed 's/ $//')"
it_vtepsw_stop p
it_finish
