/* SPDX-License-Identifier: BSD-3-Clause */
/* VXLAN (RFC 7348) tunnel driver: outer UDP + 8-byte VXLAN header build, patch and parse. */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "vtep_tunnel_provider.h"

/*
 * Transmit: UDP source port 49152 + hash % 16384 (the RFC 7348 range), destination port
 * from the params; UDP checksum 0 over IPv4, computed in software over IPv6 (the whole
 * datagram, every segment). VXLAN flags 0x08 (I), reserved bits 0, VNI << 8.
 *
 * Receive: the UDP checksum is not verified (over IPv4 zero is allowed and veth peers
 * send CHECKSUM_PARTIAL garbage; over IPv6 a zero checksum is accepted as RFC 6935/6936
 * allow for tunnels, and non-zero values are not checked either). The UDP length must
 * equal the IP payload length. The flags byte must be exactly 0x08 and the 24 reserved
 * bits after it and the 8 after the VNI must be zero: RFC 7348 says to ignore reserved
 * bits, but set bits announce extensions (GBP, GPE with a non-Ethernet payload) that we
 * do not implement, and Linux and Open vSwitch drop such packets too.
 */

#define VXLAN_HDR_LEN 8
#define UDP_HDR_LEN 8
#define VXLAN_FLAGS_I 0x08
#define VXLAN_SPORT_BASE 49152
#define VXLAN_SPORT_RANGE 16384

/* Write UDP + VXLAN headers for p->vni; source port, length, checksum are per packet. */
static int
vxlan_build(struct vtep_tnl_template *t, const struct vtep_tnl_params *p)
{
	uint8_t *l4 = t->hdr + t->l4_off;
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)l4;
	uint8_t *vx = l4 + UDP_HDR_LEN;
	uint32_t w;

	if (p->vni > VTEP_VNI_MAX)
		return -EINVAL;
	udp->src_port = 0;
	udp->dst_port = rte_cpu_to_be_16(p->udp_port ? p->udp_port : VTEP_VXLAN_PORT);
	udp->dgram_len = 0;
	udp->dgram_cksum = 0;
	w = rte_cpu_to_be_32((uint32_t)VXLAN_FLAGS_I << 24);
	memcpy(vx, &w, 4);
	w = rte_cpu_to_be_32(p->vni << 8);
	memcpy(vx + 4, &w, 4);
	t->tnl_off = t->l4_off + UDP_HDR_LEN;
	/* Over IPv4 a packet needs only its source port and UDP length (checksum 0). */
	t->fast.ok = !t->ipv6;
	t->fast.ent_size = 2;
	t->fast.ent_off = t->l4_off;
	t->fast.ent_base = VXLAN_SPORT_BASE;
	t->fast.ent_mask = VXLAN_SPORT_RANGE - 1;
	t->fast.len_off = t->l4_off + 4;
	return 0;
}

/*
 * One's complement sum (folded, memory order) of @p len bytes of @p m from @p off.
 * DPDK 22.11's rte_raw_cksum_mbuf() truncates a segment's unfolded sum to 16 bits
 * before byte-swapping it when the segment starts at an odd offset, which gives wrong
 * checksums for chains with odd-length segments; this folds each segment first.
 */
static uint32_t
vxlan_mbuf_sum(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	const struct rte_mbuf *seg = m;
	uint32_t sum = 0, done = 0;

	while (seg != NULL && off >= seg->data_len) {
		off -= seg->data_len;
		seg = seg->next;
	}
	for (; seg != NULL && done < len; seg = seg->next) {
		uint32_t n = RTE_MIN((uint32_t)seg->data_len - off, len - done);
		uint32_t s = rte_raw_cksum(rte_pktmbuf_mtod_offset(seg, const uint8_t *, off), n);

		if (done & 1)
			s = rte_bswap16((uint16_t)s);
		sum += s;
		done += n;
		off = 0;
	}
	return sum;
}

/* Per packet: entropy source port, UDP length, and the UDP checksum over IPv6. */
static void
vxlan_patch(const struct vtep_tnl_template *t, struct rte_mbuf *m, uint8_t *pkt,
	    uint32_t l4_len, uint32_t hash)
{
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(pkt + t->l4_off);
	uint32_t sum;

	udp->src_port = rte_cpu_to_be_16(VXLAN_SPORT_BASE + hash % VXLAN_SPORT_RANGE);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)l4_len);
	udp->dgram_cksum = 0;
	if (!t->ipv6)
		return;
	/* The template's checksum field is 0, so summing the datagram as is is right. */
	sum = t->l4_csum_base + rte_cpu_to_be_16((uint16_t)l4_len) +
		vxlan_mbuf_sum(m, t->l4_off, l4_len);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (uint16_t)~sum;
	udp->dgram_cksum = sum == 0 ? 0xffff : (uint16_t)sum;
}

/* Validate UDP + VXLAN at @p l4 (@p len = IP payload length). */
static enum vtep_ul_class
vxlan_parse(const struct vtep_tnl_rx_cfg *cfg, const uint8_t *l4, uint32_t len,
	    struct vtep_tnl_rx *rx)
{
	const uint8_t *vx = l4 + UDP_HDR_LEN;
	uint16_t ulen;

	RTE_SET_USED(cfg);  /* the core dispatched on cfg->vxlan_ports already */
	if (len < UDP_HDR_LEN) {
		rx->drop = VTEP_DROP_TNL_TRUNCATED;
		return VTEP_UL_DROP;
	}
	ulen = (uint16_t)((l4[4] << 8) | l4[5]);
	if (ulen != len) {
		rx->drop = VTEP_DROP_TNL_BAD_LENGTH;
		return VTEP_UL_DROP;
	}
	if (len < UDP_HDR_LEN + VXLAN_HDR_LEN) {
		rx->drop = VTEP_DROP_TNL_TRUNCATED;
		return VTEP_UL_DROP;
	}
	if (vx[0] != VXLAN_FLAGS_I || vx[1] != 0 || vx[2] != 0 || vx[3] != 0 || vx[7] != 0) {
		rx->drop = VTEP_DROP_TNL_BAD_FLAGS;
		return VTEP_UL_DROP;
	}
	if (len < UDP_HDR_LEN + VXLAN_HDR_LEN + RTE_ETHER_HDR_LEN) {
		rx->drop = VTEP_DROP_TNL_BAD_INNER;
		return VTEP_UL_DROP;
	}
	rx->type = VTEP_TUNNEL_VXLAN;
	rx->vni = ((uint32_t)vx[4] << 16) | ((uint32_t)vx[5] << 8) | vx[6];
	rx->inner_off = UDP_HDR_LEN + VXLAN_HDR_LEN;
	return VTEP_UL_TUNNEL;
}

const struct vtep_tunnel_ops vtep_tunnel_vxlan_ops = {
	.type = VTEP_TUNNEL_VXLAN,
	.name = "vxlan",
	.ip_proto = IPPROTO_UDP,
	.hdr_len = UDP_HDR_LEN + VXLAN_HDR_LEN,
	.build = vxlan_build,
	.patch = vxlan_patch,
	.encap_stt = NULL,
	.parse = vxlan_parse,
	/* flags 0x08, reserved bytes 0 (the core checks the UDP port and length) */
	.rx_fast = true,
	.rx_word_off = UDP_HDR_LEN,
	.rx_vni_off = UDP_HDR_LEN + 4,
	.rx_inner_off = UDP_HDR_LEN + VXLAN_HDR_LEN,
	.rx_mask = 0xffffffff000000ffull,
	.rx_value = (uint64_t)VXLAN_FLAGS_I << 56,
};
