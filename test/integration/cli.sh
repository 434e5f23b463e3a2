#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The daemon's command-line contract: --help/--version, usage and config errors exit 2 with
# one line naming file:line:column and key, devargs that do not probe are reported the same
# way, and SIGTERM stops a running vtepsw cleanly with its final counters.
. "$(dirname "$0")/lib.sh"
it_init

out=$("$VTEPSW" --help 2>&1); rc=$?
it_eq "--help exits 0" 0 "$rc"
it_check "--help shows the usage line" grep -q 'Usage: vtepsw \[EAL options\] -- --config FILE' <<<"$out"
out=$("$VTEPSW" --version 2>&1); rc=$?
it_eq "--version exits 0" 0 "$rc"
it_check "--version names vtepsw and DPDK" grep -qE '^vtepsw [0-9.]+ \(DPDK [0-9.]+\)$' <<<"$out"

expect_err() { # description, expected stderr regex, args...
	local what=$1 re=$2 rc
	shift 2
	"$VTEPSW" "$@" >/dev/null 2>"$IT_DIR/err"; rc=$?
	out=$(grep -v '^EAL:\|^TELEMETRY:' "$IT_DIR/err")
	it_eq "$what: exit status" 2 "$rc"
	it_check "$what: message '$re'" grep -qE "$re" <<<"$out"
	it_eq "$what: one line" 1 "$(grep -c . <<<"$out")"
}

EAL="-l 0 --no-huge -m 128 --no-pci --file-prefix ${IT_ID}-cli --log-level lib.eal:crit"
expect_err "no app arguments" "missing '-- --config FILE'" -l 0
expect_err "unknown option" "unknown option '--bogus'" -- --bogus
expect_err "missing file" "^vtepsw: $IT_DIR/none.json: cannot open: No such file" \
	-- --config "$IT_DIR/none.json"
printf '{"ports": [\n  {"name": "p", "devargs": "net_ring0", "vlan": 5000}]}\n' >"$IT_DIR/v.json"
expect_err "VLAN out of range" "v.json:2:49: ports\[0\]\.vlan: VLAN ID 5000 is outside 1\.\.4094" \
	-- --config "$IT_DIR/v.json"
printf '{"ports": [{"name": "p", "devargs": "net_ring0", "vlna": 5}]}' >"$IT_DIR/k.json"
expect_err "unknown key" "k.json:1:[0-9]+: ports\[0\]\.vlna: unknown key" -- --config "$IT_DIR/k.json"
printf '{"ports": [{"name": "p", "devargs": "net_nosuch0"}]}' >"$IT_DIR/d.json"
# shellcheck disable=SC2086
expect_err "devargs that do not probe" \
	"d.json:1:37: ports\[0\]\.devargs: port 'p': devargs 'net_nosuch0' did not probe" \
	$EAL -- --config "$IT_DIR/d.json"

# A running switch stops cleanly on SIGTERM and logs its counters.
printf '{"ports": [{"name": "r0", "devargs": "net_ring0"}, {"name": "r1", "devargs": "net_ring1", "vlan": 7}]}' \
	>"$IT_DIR/ok.json"
SWNS=$(it_netns sw)
it_vtepsw_start t "$IT_DIR/ok.json" || exit 1
eval "pid=\$VTEPSW_PID_t"
kill -TERM "$pid"
wait "$pid"; rc=$?
it_eq "SIGTERM: exit status" 0 "$rc"
it_check "SIGTERM: final counters logged for each port" \
	test "$(grep -cE 'vtepsw: port (r0|r1) +rx [0-9]+ pkts' "$IT_DIR/vtepsw-t.log")" -eq 2
it_check "SIGTERM: no sanitizer report" bash -c "! grep -q 'Sanitizer\|runtime error' '$IT_DIR/vtepsw-t.log'"
it_finish
