#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The tunnel interop tests with the uplink on AF_XDP (net_af_xdp and vtepsw's XDP steering
# program) instead of net_af_packet: vxlan_kernel.sh (Linux kernel VXLAN, ports 4789/8472,
# IPv4/IPv6 underlay, multicast group) and nvgre_ovs.sh (Open vSwitch NVGRE), unchanged but
# for IT_UPLINK=af_xdp, which lib.sh's it_uplink honours and under which it_vtepsw_stop
# also checks that the XDP program redirected frames. Both builds run it (the scripts call
# it_vtepsw_start).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
VTEPSW=${VTEPSW:-$TOP/build/app/vtepsw/vtepsw}
XDP_OBJ=$(cd "$(dirname "$VTEPSW")/../.." && pwd)/drivers/port/af_xdp/vtep_xdp.o
if [ ! -f "$XDP_OBJ" ]; then
	echo "SKIP: vtepsw was built without AF_XDP support ($XDP_OBJ is missing)"
	exit 77
fi
export VTEPSW IT_UPLINK=af_xdp
# Full malloc stacks under ASan, so test/lsan.supp can name the af_xdp PMD's own leaks.
[ -z "${ASAN_OPTIONS:-}" ] || export ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
rc=0 ran=0
for t in vxlan_kernel nvgre_ovs; do
	echo "== $t.sh with IT_UPLINK=af_xdp"
	bash "$HERE/$t.sh"
	case $? in
	0) ran=$((ran + 1)) ;;
	77) echo "[af_xdp_interop] $t.sh skipped" ;;
	*) rc=1 ;;
	esac
done
[ "$rc" = 0 ] && [ "$ran" = 0 ] && { echo "SKIP: every interop test skipped"; exit 77; }
exit "$rc"
