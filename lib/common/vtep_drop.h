/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Drop reasons: every packet vtepsw does not deliver is counted under exactly one reason.
 *
 * The list is an X-macro so the enum, the short names (used as JSON/telemetry keys and in
 * vtepctl) and the one-line descriptions cannot drift apart. Append new reasons at the end
 * of their group; the numbering is internal (never on the wire or in config).
 */
#ifndef VTEP_DROP_H
#define VTEP_DROP_H

#define VTEP_DROP_REASONS(X) \
	X(RUNT,              "runt",              "frame shorter than its headers claim") \
	X(VLAN_INVALID,      "vlan_invalid",      "802.1Q tag with reserved VLAN ID 4095") \
	X(VLAN_NOT_ALLOWED,  "vlan_not_allowed",  "VLAN not allowed on the ingress port") \
	X(TAGGED_ON_ACCESS,  "tagged_on_access",  "tagged frame received on an access port") \
	X(UNTAGGED_ON_TRUNK, "untagged_on_trunk", "untagged frame received on a trunk port") \
	X(SRC_MAC_INVALID,   "src_mac_invalid",   "multicast or all-zero source MAC") \
	X(NO_PORT,           "no_port",           "destination port no longer exists") \
	X(HAIRPIN,           "hairpin",           "destination is the ingress port") \
	X(NO_OUTPUT,         "no_output",         "nowhere to flood (no other port in the VLAN)") \
	X(PORT_DOWN,         "port_down",         "egress port is administratively down") \
	X(TX_FULL,           "tx_full",           "egress queue full") \
	X(NO_MBUF,           "no_mbuf",           "packet buffer pool exhausted") \
	X(UPLINK_OTHER,      "uplink_other",      "uplink frame that is not tunnel or underlay traffic") \
	X(NO_SEGMENT,        "no_segment",        "VLAN is not mapped to a VNI") \
	X(TNL_TRUNCATED,     "tnl_truncated",     "tunnel packet truncated at a header boundary") \
	X(TNL_NOT_FOR_US,    "tnl_not_for_us",    "tunnel packet not addressed to the local VTEP") \
	X(TNL_BAD_FLAGS,     "tnl_bad_flags",     "tunnel header flags invalid") \
	X(TNL_BAD_LENGTH,    "tnl_bad_length",    "IP/UDP/tunnel length fields inconsistent") \
	X(TNL_UNKNOWN_VNI,   "tnl_unknown_vni",   "VNI not configured on this VTEP") \
	X(TNL_UNKNOWN_REMOTE, "tnl_unknown_remote", "tunnel packet from an unknown remote VTEP") \
	X(TNL_IP_FRAGMENT,   "tnl_ip_fragment",   "outer IP fragment (not reassembled)") \
	X(TNL_BAD_INNER,     "tnl_bad_inner",     "inner frame shorter than an Ethernet header") \
	X(MTU_EXCEEDED,      "mtu_exceeded",      "encapsulated packet exceeds the uplink MTU") \
	X(NEIGH_UNRESOLVED,  "neigh_unresolved",  "next hop not resolved (ARP/ND) and queue full") \
	X(STT_REASM_PENDING, "stt_reasm_held",    "STT segment held for reassembly (not a loss)") \
	X(STT_EXPIRED,       "stt_expired",       "STT frame reassembly timed out") \
	X(STT_OVERLAP,       "stt_overlap",       "STT segment overlaps another") \
	X(STT_OVERSIZE,      "stt_oversize",      "STT frame larger than 64 KiB or beyond its length") \
	X(STT_CAP_REACHED,   "stt_cap_reached",   "STT reassembly memory cap reached") \
	X(STT_DUPLICATE,     "stt_duplicate",     "STT segment already held (exact duplicate)") \
	X(CONTROL_QUEUE_FULL, "control_queue_full", "queue to the control thread full") \
	X(SPLIT_HORIZON,     "split_horizon",     "tunnel-to-tunnel forwarding is never done") \
	X(NO_RESOURCES,      "no_resources",      "feature not available (e.g. no STT reassembly)") \
	X(TSO_UNSUPPORTED,   "tso_unsupported",   "TSO frame that cannot be segmented (not TCP/IP)") \
	X(LINK_DOWN,         "link_down",         "egress port's link is down (e.g. its VM is not connected)")

enum vtep_drop_reason {
#define VTEP_DROP_ENUM(id, name, desc) VTEP_DROP_##id,
	VTEP_DROP_REASONS(VTEP_DROP_ENUM)
#undef VTEP_DROP_ENUM
	VTEP_DROP__MAX
};

/** Short name of a drop reason ("vlan_not_allowed"), or "unknown". */
const char *vtep_drop_name(unsigned int reason);
/** One-line description of a drop reason. */
const char *vtep_drop_desc(unsigned int reason);

#endif
