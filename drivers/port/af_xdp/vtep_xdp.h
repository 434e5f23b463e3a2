/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The contract between the XDP steering program (vtep_xdp_steer.bpf.c, run by the kernel
 * on every frame the NIC receives) and the af_xdp port driver that loads it and fills its
 * maps (vtep_port_af_xdp.c). Included by both, so it uses only <linux/types.h> types.
 *
 * The program hands to vtepsw's AF_XDP socket only what vtepsw owns on a NIC it shares
 * with the host: tunnel packets (VXLAN to a configured UDP port, NVGRE, STT) addressed to
 * a VTEP address or a joined multicast group, and ARP, ND and ICMP echo requests for a
 * VTEP address. Everything else is passed to the kernel stack. Every frame is counted
 * under exactly one reason (VTEP_XDP_REASONS), per CPU.
 *
 * The maps are the program's whole configuration: changing an address or a port is a
 * map update, never a program reload. Entries are replaced one by one (new ones first),
 * so a change never opens a window in which the kept addresses are not steered.
 */
#ifndef VTEP_XDP_H
#define VTEP_XDP_H

#include <linux/types.h>

/* Name of the program (its function) as the kernel reports it: stale-program detection. */
#define VTEP_XDP_PROG_NAME "vtep_xdp_steer"

/* Map names (the af_xdp PMD inserts its sockets into "xsks_map", keyed by rx queue). */
#define VTEP_XDP_MAP_XSKS "xsks_map"
#define VTEP_XDP_MAP_CFG "vtep_cfg"
#define VTEP_XDP_MAP_ADDR4 "vtep_addr4"
#define VTEP_XDP_MAP_ADDR6 "vtep_addr6"
#define VTEP_XDP_MAP_UDP "vtep_udp"
#define VTEP_XDP_MAP_STATS "vtep_stats"
#define VTEP_XDP_MAP_QSTATS "vtep_qstats"

#define VTEP_XDP_MAX_QUEUES 64   /* xsks_map and vtep_qstats entries */
#define VTEP_XDP_MAX_ADDRS 64    /* vtep_addr4 / vtep_addr6 entries */
#define VTEP_XDP_MAX_UDP 16      /* vtep_udp entries */

/* vtep_cfg flags */
#define VTEP_XDP_F_ALL 0x1u      /* every frame is vtepsw's (a port that is not the uplink) */
#define VTEP_XDP_F_NVGRE 0x2u    /* steer GRE (K bit, protocol 0x6558) to VTEP addresses */
#define VTEP_XDP_F_STT 0x4u      /* steer TCP to port 7471 to VTEP addresses */

/* Values of vtep_addr4 / vtep_addr6 entries */
#define VTEP_XDP_ADDR_LOCAL 0x1u /* a VTEP address: tunnels, ARP/ND, ICMP echo */
#define VTEP_XDP_ADDR_GROUP 0x2u /* a joined multicast group: tunnels only */

/* The single entry (key 0) of vtep_cfg. */
struct vtep_xdp_cfg {
	__u32 flags;                 /* VTEP_XDP_F_* */
	__u32 owner_pid;             /* process whose sockets the program feeds */
};

/* Key of vtep_addr6: an IPv6 address in network order. */
struct vtep_xdp_addr6 {
	__u8 a[16];
};

/*
 * Per-reason counters (vtep_stats, per-CPU array indexed by the reason). Redirect
 * reasons come first: a reason below VTEP_XDP__REDIRECT_END sends the frame to vtepsw.
 */
#define VTEP_XDP_REASONS(X) \
	X(REDIRECT_VXLAN, "redirect_vxlan") \
	X(REDIRECT_NVGRE, "redirect_nvgre") \
	X(REDIRECT_STT, "redirect_stt") \
	X(REDIRECT_ARP, "redirect_arp") \
	X(REDIRECT_ND, "redirect_nd") \
	X(REDIRECT_ECHO, "redirect_echo") \
	X(REDIRECT_ALL, "redirect_all") \
	X(PASS_OTHER_L3, "pass_other_l3") \
	X(PASS_OTHER_ADDR, "pass_other_addr") \
	X(PASS_OTHER_L4, "pass_other_l4") \
	X(PASS_FRAGMENT, "pass_fragment") \
	X(PASS_MALFORMED, "pass_malformed") \
	X(PASS_NO_SOCKET, "pass_no_socket")

#define VTEP_XDP_REASON_ENUM(id, name) VTEP_XDP_##id,
enum vtep_xdp_reason {
	VTEP_XDP_REASONS(VTEP_XDP_REASON_ENUM)
	VTEP_XDP__MAX
};
#undef VTEP_XDP_REASON_ENUM

#define VTEP_XDP__REDIRECT_END VTEP_XDP_PASS_OTHER_L3

#endif
