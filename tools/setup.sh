#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Install what vtepsw needs to build and test (Debian 12), reserve hugepages.
# Idempotent: a machine that already has everything returns in well under a second.
#   tools/setup.sh [--no-hugepages]
set -euo pipefail

BUILD_PKGS="gcc meson ninja-build pkg-config libdpdk-dev dpdk-dev dpdk libbpf-dev libxdp-dev
	libjansson-dev check clang llvm"
TEST_PKGS="iproute2 ethtool iputils-ping tshark python3-scapy openvswitch-switch
	openvswitch-testcontroller python3-os-ken xdp-tools procps psmisc
	qemu-system-x86 busybox-static openvswitch-switch-dpdk python3-matplotlib"

want_huge=1
for a in "$@"; do
	case "$a" in
	--no-hugepages) want_huge=0 ;;
	-h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "setup.sh: unknown option '$a' (try --help)" >&2; exit 2 ;;
	esac
done

if [ "$(id -u)" -ne 0 ]; then
	echo "setup.sh: must run as root (installs Debian packages, reserves hugepages)" >&2
	exit 1
fi

# shellcheck disable=SC2086
if ! dpkg -s $BUILD_PKGS $TEST_PKGS >/dev/null 2>&1; then
	echo "setup: installing missing Debian packages..."
	export DEBIAN_FRONTEND=noninteractive
	apt-get -o DPkg::Lock::Timeout=300 update -qq
	apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
		$BUILD_PKGS $TEST_PKGS >/dev/null
	echo "setup: packages installed"
fi

if [ "$want_huge" = 1 ]; then
	nr=${VTEPSW_HUGEPAGES:-512}
	h=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	if [ -w "$h" ] && [ "$(cat "$h")" -lt "$nr" ]; then
		echo "$nr" >"$h" 2>/dev/null || true
	fi
	mkdir -p /dev/hugepages
	mountpoint -q /dev/hugepages ||
		mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages 2>/dev/null || true
	if [ ! -r "$h" ] || [ "$(cat "$h")" -lt 64 ] || ! mountpoint -q /dev/hugepages; then
		echo "setup: WARNING: no usable 2 MiB hugepages; vtepsw will need --no-huge" >&2
	fi
fi
exit 0
