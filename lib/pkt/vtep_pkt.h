/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet helpers: one-pass L2 parsing and 802.1Q tag edits on mbufs.
 *
 * The datapath normalises every frame on ingress: the outer 802.1Q tag (in the frame or
 * stripped into mbuf metadata by the PMD) is removed and its VLAN carried beside the
 * packet; egress pushes the tag back where the port needs it. These helpers are pure
 * functions of the frame (and the mbuf header): no state, no allocation, safe in the fast
 * path on any thread. They never read past the first segment's data_len.
 */
#ifndef VTEP_PKT_H
#define VTEP_PKT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#define VTEP_ETH_HLEN 14
#define VTEP_VLAN_HLEN 4
#define VTEP_ETHERTYPE_VLAN 0x8100
#define VTEP_VID_MASK 0x0fff

/** What vtep_pkt_parse_l2() found about a frame. */
struct vtep_l2 {
	uint16_t tci;        /* TCI of the outer tag (valid when n_tags > 0) */
	uint16_t ethertype;  /* the ethertype after all 802.1Q tags */
	uint8_t n_tags;      /* 802.1Q (0x8100) tags: 0, 1, or 2 for two or more */
	bool tag_in_meta;    /* the outer tag was stripped by the PMD (mbuf vlan_tci) */
	uint16_t l2_len;     /* bytes of Ethernet header including in-frame tags */
};

/**
 * Parse the Ethernet header and 802.1Q tags of the frame in @p m (first segment).
 * A tag the PMD stripped (RTE_MBUF_F_RX_VLAN_STRIPPED) counts as the outer tag.
 * @return 0, or -1 if the frame is a runt (shorter than its Ethernet header or a
 *         tag it announces).
 */
int vtep_pkt_parse_l2(const struct rte_mbuf *m, struct vtep_l2 *l2);

/** VLAN ID of a TCI. */
static inline uint16_t
vtep_tci_vid(uint16_t tci)
{
	return tci & VTEP_VID_MASK;
}

/**
 * Remove the outer 802.1Q tag: from the frame if it is there, otherwise clear the
 * PMD-stripped metadata. @return 0, or -EINVAL if the frame carries no tag or is too short.
 */
int vtep_vlan_pop(struct rte_mbuf *m);

/**
 * Insert an 802.1Q tag with @p tci after the MAC addresses. Needs 4 bytes of headroom and a
 * writable (not shared) mbuf. @return 0, -ENOSPC without headroom, -EINVAL on a runt.
 */
int vtep_vlan_push(struct rte_mbuf *m, uint16_t tci);

/** Destination MAC is group (multicast or broadcast). */
static inline bool
vtep_mac_is_group(const uint8_t *mac)
{
	return mac[0] & 1;
}

/** Pack a VLAN ID and MAC address into the 64-bit FDB key (vlan << 48 | mac). */
static inline uint64_t
vtep_l2_key(uint16_t vlan, const uint8_t *mac)
{
	return (uint64_t)vlan << 48 | (uint64_t)mac[0] << 40 | (uint64_t)mac[1] << 32 |
	       (uint64_t)mac[2] << 24 | (uint64_t)mac[3] << 16 | (uint64_t)mac[4] << 8 | mac[5];
}

#endif
