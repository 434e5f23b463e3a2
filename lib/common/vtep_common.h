/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Limits and small helpers shared by every vtepsw component.
 */
#ifndef VTEP_COMMON_H
#define VTEP_COMMON_H

#include <stdint.h>

/** Longest name of a port, tunnel or bridge, including the NUL. */
#define VTEP_NAME_MAX 32
/** Most ports (physical, vhost and tunnel ports together) one switch carries. */
#define VTEP_MAX_PORTS 256
/** Most worker lcores (the main lcore counts as one when it forwards). */
#define VTEP_MAX_WORKERS 16
/** Packets per rx/tx burst. */
#define VTEP_BURST 32
/** Number of 802.1Q VLAN IDs (0 and 4095 are reserved). */
#define VTEP_VLAN_COUNT 4096
/** The largest valid VNI/VSID (24 bits). */
#define VTEP_VNI_MAX 0xffffffu

#define VTEP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
