/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private definitions of the STT driver (draft-davie-stt-08), shared by the encap/parse
 * ops (vtep_stt.c), the reassembly context (vtep_stt_reasm.c) and the unit test.
 *
 * Wire layout after the outer IP header: a 20-byte TCP-like header (dst port 7471,
 * seq = STT frame length << 16 | segment offset, ack = frame id) and then the payload of
 * the "STT frame" = 18-byte STT header + inner Ethernet frame. Only the segment at offset
 * 0 carries the STT header.
 */
#ifndef VTEP_STT_H
#define VTEP_STT_H

#include <stdint.h>

#include <rte_byteorder.h>

#include "vtep_tunnel.h"

/** Length of the TCP-like header we send (data offset 5, no options). */
#define VTEP_STT_TCP_LEN 20

/** STT header flags (bit 0 is the least significant bit). */
#define VTEP_STT_F_CSUM_VERIFIED 0x01
#define VTEP_STT_F_CSUM_PARTIAL  0x02
#define VTEP_STT_F_IPV4          0x04
#define VTEP_STT_F_TCP           0x08

/** Entropy source ports: 49152 + hash % 16384. */
#define VTEP_STT_SPORT_BASE 49152u
#define VTEP_STT_SPORT_RANGE 16384u

/** Smallest STT frame: STT header + an Ethernet header. */
#define VTEP_STT_FRAME_MIN (VTEP_STT_HDR_LEN + 14)

/** Most segments one reassembled frame may be made of (64 KiB at MTU 576 needs 128). */
#define VTEP_STT_REASM_MAX_SEGS 256

/** The 18-byte STT frame header, as on the wire. */
struct vtep_stt_hdr {
	uint8_t version;
	uint8_t flags;
	uint8_t l4_offset;
	uint8_t reserved;
	rte_be16_t mss;
	rte_be16_t vlan_tci;
	uint8_t context[8];         /* 64-bit big endian; unaligned in the frame */
	uint8_t padding[2];
} __rte_packed;

/** The TCP-like header, as on the wire. */
struct vtep_stt_tcp {
	rte_be16_t src_port;
	rte_be16_t dst_port;
	rte_be32_t seq;
	rte_be32_t ack;
	uint8_t data_off;           /* header length in 32-bit words, high nibble */
	uint8_t flags;
	rte_be16_t window;
	rte_be16_t cksum;
	rte_be16_t urgent;
} __rte_packed;

/** Read the 64-bit context ID of an STT header. */
static inline uint64_t
vtep_stt_hdr_context(const struct vtep_stt_hdr *h)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < sizeof(h->context); i++)
		v = (v << 8) | h->context[i];
	return v;
}

/**
 * Validate an STT header of a complete frame and extract the VNI.
 * @return 0, or the drop reason (TNL_BAD_FLAGS for a version other than 0,
 *         TNL_UNKNOWN_VNI for a context ID wider than 24 bits).
 */
static inline unsigned int
vtep_stt_hdr_check(const struct vtep_stt_hdr *h, uint32_t *vni)
{
	uint64_t ctx;

	if (h->version != 0)
		return VTEP_DROP_TNL_BAD_FLAGS;
	ctx = vtep_stt_hdr_context(h);
	if (ctx > VTEP_VNI_MAX)
		return VTEP_DROP_TNL_UNKNOWN_VNI;
	*vni = (uint32_t)ctx;
	return 0;
}

/**
 * STT flags and L4 offset for inner frame @p m (flags IPv4/TCP, l4_offset from the start
 * of the inner frame when it is IPv4/IPv6 carrying TCP/UDP, else 0). Reads at most the
 * first headers of @p m; multi-segment safe.
 */
void vtep_stt_inner_info(const struct rte_mbuf *m, uint8_t *flags, uint8_t *l4_offset);

#endif
