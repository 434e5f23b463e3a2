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

/*
 * TCP segmentation offload done in software, for TSO frames a VM handed to a vhost-user port
 * (RTE_MBUF_F_TX_TCP_SEG with tso_segsz) that go where nothing segments them: tunnels
 * (VXLAN/NVGRE, which must fit the underlay MTU) and ports that do not take TSO. The frame
 * is Ethernet (up to two VLAN tags), IPv4 or IPv6 without extension headers, then TCP,
 * all headers in the first segment. These run on the fast path: no locks, no logs; they
 * only take mbufs from the given pool.
 */

/** Header lengths of a TSO frame. */
struct vtep_tso_hdr {
	uint16_t l2_len;
	uint16_t l3_len;
	uint16_t l4_len;
	bool ipv6;
};

/** Most segments vtep_tso_segment() makes of one frame (64 KiB at ~340-byte segments). */
#define VTEP_TSO_MAX_SEGS 192

/** Find the header lengths of TSO frame @p m. @return 0, or -EINVAL if it is not a TCP
 *  frame this code can segment (other L3/L4, IPv6 extension headers, IPv4 fragment,
 *  headers beyond the first segment). */
int vtep_tso_parse(const struct rte_mbuf *m, struct vtep_tso_hdr *h);

/**
 * Cut TSO frame @p m into segments whose IP packets fit @p mtu bytes, with at most
 * m->tso_segsz bytes of TCP payload each. A segment is one buffer from @p pool, with headroom
 * for a tunnel header, when it fits the pool's buffers; otherwise its payload is chained
 * behind the headers (e.g. the 64000-byte pieces of a frame too big for STT). Every
 * segment gets its own IP length (IPv4: ID + i and header checksum), TCP sequence number,
 * flags (FIN/PSH on the last, CWR on the first only) and a complete TCP checksum; no
 * offload flags remain.
 * @return the number of segments in @p out; @p m is then freed. -EINVAL (not segmentable,
 *         see vtep_tso_parse(), or no room for payload), -E2BIG (more than @p max_out
 *         segments) or -ENOBUFS (pool empty): @p m is untouched.
 */
int vtep_tso_segment(struct rte_mbuf *m, uint32_t mtu, struct rte_mempool *pool,
		     struct rte_mbuf **out, unsigned int max_out);

/**
 * Turn TSO frame @p m into one ordinary large frame: complete IPv4 header checksum and a
 * full TCP checksum over the whole payload; offload flags cleared. For carriers that take
 * the frame whole (STT). @return 0 or -EINVAL (not segmentable, see vtep_tso_parse()).
 */
int vtep_tso_checksum(struct rte_mbuf *m);

/**
 * Fill l2/l3/l4_len and the RTE_MBUF_F_TX_IPV4/IPV6 flag of TSO frame @p m (as its headers
 * are now, e.g. after a VLAN tag was pushed) for a port that segments itself, and put the
 * pseudo-header sum DPDK's TSO contract asks for in the TCP checksum (addresses and
 * protocol, no length; DPDK 22.11's vhost library writes the same for the guest).
 * @return 0 or -EINVAL.
 */
int vtep_tso_prepare(struct rte_mbuf *m);

#endif
