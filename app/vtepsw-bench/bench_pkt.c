/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Generated frames: an Ethernet [+ 802.1Q] + IPv4 + UDP template per run, patched per packet
 * with the flow's source address and port, the MAC index, and a timestamp trailer.
 * tools/bench_workloads.py writes the same frames (without meaningful timestamps).
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "bench.h"

/* Fold a 32-bit one's complement sum to 16 bits. */
static inline uint32_t
fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	return (s & 0xffff) + (s >> 16);
}

int
bench_frame_init(struct bench_frame_tmpl *t, uint32_t frame_len, uint16_t vlan, bool from_local)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)t->hdr;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	uint16_t l3 = RTE_ETHER_HDR_LEN + (vlan ? 4 : 0);

	memset(t, 0, sizeof(*t));
	if (frame_len < RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN ||
	    frame_len < l3 + sizeof(*ip) + sizeof(*udp) + BENCH_STAMP_LEN ||
	    frame_len - l3 > UINT16_MAX)
		return -EINVAL;
	t->l3_off = l3;
	t->hdr_len = (uint16_t)(l3 + sizeof(*ip) + sizeof(*udp));
	t->frame_len = frame_len;
	t->src_mac[0] = 0x02;
	t->src_mac[2] = from_local ? BENCH_LOCAL_VM_OUI : BENCH_REMOTE_VM_OUI;
	memcpy(eh->src_addr.addr_bytes, t->src_mac, 6);
	eh->dst_addr.addr_bytes[0] = 0x02;
	eh->dst_addr.addr_bytes[2] = from_local ? BENCH_REMOTE_VM_OUI : BENCH_LOCAL_VM_OUI;
	if (vlan) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(eh + 1);

		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = rte_cpu_to_be_16(vlan);
		vh->eth_proto = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	} else {
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	}
	ip = (struct rte_ipv4_hdr *)(t->hdr + l3);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(frame_len - l3));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->dst_addr = rte_cpu_to_be_32(BENCH_FLOW_DST_IP);
	/* Sum of the header with source address and checksum 0: add the source per packet. */
	t->ip_sum_base = rte_raw_cksum(ip, sizeof(*ip));
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->dst_port = rte_cpu_to_be_16(BENCH_FLOW_DPORT);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(frame_len - l3 - sizeof(*ip)));
	udp->dgram_cksum = 0; /* the trailer changes per packet; 0 = no checksum (IPv4) */
	return 0;
}

uint32_t
bench_flow_hash(uint64_t seq, uint32_t flows)
{
	return rte_hash_crc_4byte((uint32_t)(seq % flows), 0x9e3779b9u);
}

int
bench_frame_fill(const struct bench_frame_tmpl *t, struct rte_mbuf *m, uint64_t seq,
		 uint32_t flows, uint32_t macs, uint64_t tsc)
{
	uint32_t flow = (uint32_t)(seq % flows), mac = (uint32_t)(seq % macs);
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	uint8_t *p, *tail;
	uint32_t src, w;

	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)RTE_MIN(t->frame_len, (uint32_t)UINT16_MAX));
	if (p == NULL || t->frame_len > UINT16_MAX)
		return -ENOSPC;
	memcpy(p, t->hdr, t->hdr_len);
	memset(p + t->hdr_len, 0, t->frame_len - t->hdr_len - BENCH_STAMP_LEN);
	p[9] = (uint8_t)(mac >> 16);
	p[10] = (uint8_t)(mac >> 8);
	p[11] = (uint8_t)mac;
	ip = (struct rte_ipv4_hdr *)(p + t->l3_off);
	src = rte_cpu_to_be_32(BENCH_FLOW_SRC_IP + (flow & 0xffff));
	ip->src_addr = src;
	ip->hdr_checksum = (uint16_t)~fold(t->ip_sum_base + (src & 0xffff) + (src >> 16));
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16((uint16_t)(BENCH_FLOW_SPORT + (flow >> 16)));
	tail = p + t->frame_len - BENCH_STAMP_LEN;
	w = rte_cpu_to_be_32(BENCH_STAMP_MAGIC);
	memcpy(tail, &w, 4);
	w = rte_cpu_to_be_32((uint32_t)seq);
	memcpy(tail + 4, &w, 4);
	memcpy(tail + 8, &tsc, 8);
	return 0;
}

bool
bench_frame_stamp(const struct rte_mbuf *m, uint64_t *tsc, uint32_t *seq)
{
	uint8_t buf[BENCH_STAMP_LEN];
	const uint8_t *p;
	uint32_t w;

	if (m->pkt_len < BENCH_STAMP_LEN)
		return false;
	p = rte_pktmbuf_read(m, m->pkt_len - BENCH_STAMP_LEN, BENCH_STAMP_LEN, buf);
	if (p == NULL)
		return false;
	memcpy(&w, p, 4);
	if (w != rte_cpu_to_be_32(BENCH_STAMP_MAGIC))
		return false;
	memcpy(&w, p + 4, 4);
	*seq = rte_be_to_cpu_32(w);
	memcpy(tsc, p + 8, 8);
	return *tsc != 0;   /* files written by tools/bench_workloads.py carry no time */
}
