/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The inner flow hash used for tunnel entropy (VXLAN source port, NVGRE FlowID, STT source
 * port), inline so the encap fast path hashes without a call. A multiplicative hash of the
 * fields read straight from the headers: MACs, the ethertype after up to two VLAN tags (the
 * VLAN ID is not part of the flow), IPv4/IPv6 addresses and protocol, and TCP/UDP/SCTP
 * ports unless this is a non-first IPv4 fragment. The same headers give the same hash
 * whether they are in one segment or spread over several (vtep_tnl_flow_hash()).
 */
#ifndef VTEP_FLOW_HASH_H
#define VTEP_FLOW_HASH_H

#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ip.h>

/** Bytes the hash reads at most: Eth + two VLAN tags + IPv4 with options + ports (more
 *  than IPv6 + ports). */
#define VTEP_FLOW_HASH_SPAN (RTE_ETHER_HDR_LEN + 8 + 60 + 4)

static inline uint64_t
vtep_fh_ld64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint32_t
vtep_fh_ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline uint16_t
vtep_fh_rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/*
 * The fields are folded into four 64-bit words, each multiplied by its own odd constant;
 * the products are independent (no serial chain as with CRC). Their sum is folded and
 * multiplied once more, and the result's high half, which every input bit reaches, is the
 * hash: its low bits (what the entropy fields take) spread as well as its high ones.
 */
#define VTEP_FH_K0 0x9e3779b97f4a7c15ull
#define VTEP_FH_K1 0xc2b2ae3d27d4eb4full
#define VTEP_FH_K2 0x165667b19e3779f9ull
#define VTEP_FH_K3 0xd6e8feb86659fd93ull

/* The L3/L4 words of the inner header at @p l3 (@p len bytes available): addresses into
 * *w2, protocol and ports (unless a non-first fragment) into *w3. */
static __rte_always_inline void
vtep_fh_l3(uint16_t etype, const uint8_t *l3, uint32_t len, uint64_t *w2, uint64_t *w3)
{
	uint32_t ihl, avail;
	const uint8_t *l4;
	uint8_t proto;

	if (etype == RTE_ETHER_TYPE_IPV4) {
		if (len < 20 || (l3[0] >> 4) != 4)
			return;
		proto = l3[9];
		*w2 = vtep_fh_ld64(l3 + 12);
		*w3 = (uint64_t)proto << 32;
		/* Only the first fragment has ports. */
		if (vtep_fh_rd16(l3 + 6) & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
			return;
		ihl = (l3[0] & 0xf) * 4u;
		if (ihl < 20 || len < ihl)
			return;
		l4 = l3 + ihl;
		avail = len - ihl;
	} else if (etype == RTE_ETHER_TYPE_IPV6) {
		if (len < 40 || (l3[0] >> 4) != 6)
			return;
		proto = l3[6];
		*w2 = vtep_fh_ld64(l3 + 8) ^ vtep_fh_ld64(l3 + 16) * VTEP_FH_K3 ^
		      vtep_fh_ld64(l3 + 24) * VTEP_FH_K1 ^ vtep_fh_ld64(l3 + 32) * VTEP_FH_K0;
		*w3 = (uint64_t)proto << 32;
		l4 = l3 + 40;
		avail = len - 40;
	} else {
		return;
	}
	if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP) && avail >= 4)
		*w3 |= vtep_fh_ld32(l4);
}

/** The hash of the frame in @p p, @p len = min(frame length, VTEP_FLOW_HASH_SPAN) bytes,
 *  len >= 14. */
static __rte_always_inline uint32_t
vtep_flow_hash_bytes(const uint8_t *p, uint32_t len)
{
	uint64_t w0, w1, w2 = 0, w3 = 0, x;
	uint32_t off = 12;
	uint16_t etype;

	w0 = vtep_fh_ld64(p);
	/*
	 * The common frame, untagged IPv4 without options, at fixed offsets with one test:
	 * the same words as the general walk below makes of it (the unit tests compare it
	 * with the same frame tagged, which takes the walk).
	 */
	if (likely(len >= RTE_ETHER_HDR_LEN + 24 && p[12] == 0x08 && p[13] == 0x00 &&
		   p[14] == 0x45)) {
		uint8_t proto = p[23];

		w1 = (uint64_t)vtep_fh_ld32(p + 8) << 16 | RTE_ETHER_TYPE_IPV4;
		w2 = vtep_fh_ld64(p + 26);
		w3 = (uint64_t)proto << 32;
		if (!(vtep_fh_rd16(p + 20) & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) &&
		    (proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP))
			w3 |= vtep_fh_ld32(p + 34);
		goto mix;
	}
	etype = vtep_fh_rd16(p + off);
	for (int tags = 0; tags < 2 && (etype == RTE_ETHER_TYPE_VLAN ||
					etype == RTE_ETHER_TYPE_QINQ) && len >= off + 6; tags++) {
		off += 4;
		etype = vtep_fh_rd16(p + off);
	}
	w1 = (uint64_t)vtep_fh_ld32(p + 8) << 16 | etype;
	off += 2;
	vtep_fh_l3(etype, p + off, len - off, &w2, &w3);
mix:
	x = w0 * VTEP_FH_K0 + w1 * VTEP_FH_K1 + w2 * VTEP_FH_K2 + w3 * VTEP_FH_K3;
	x ^= x >> 32;
	return (uint32_t)((x * VTEP_FH_K0) >> 32);
}

#endif /* VTEP_FLOW_HASH_H */
