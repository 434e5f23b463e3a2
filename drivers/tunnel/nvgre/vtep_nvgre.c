/* SPDX-License-Identifier: BSD-3-Clause */
/* NVGRE (RFC 7637) tunnel driver: GRE with key = VSID << 8 | FlowID, protocol 0x6558. */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "vtep_tunnel_provider.h"

/*
 * Transmit: GRE flags/version 0x2000 (K bit only: no checksum, no sequence number),
 * protocol 0x6558 (transparent Ethernet bridging), key = VSID << 8 | (hash & 0xff).
 * Receive: the first 16 bits must be exactly 0x2000 and the protocol 0x6558, both
 * otherwise TNL_BAD_FLAGS; the FlowID byte is entropy and ignored.
 */

#define GRE_HDR_LEN 8           /* flags/version, protocol, key */
#define GRE_FLAGS_K 0x2000

/* Write the GRE header for p->vni; the FlowID byte is per packet. */
static int
nvgre_build(struct vtep_tnl_template *t, const struct vtep_tnl_params *p)
{
	uint8_t *gre = t->hdr + t->l4_off;
	uint16_t v16;
	uint32_t v32;

	if (p->vni > VTEP_VNI_MAX)
		return -EINVAL;
	v16 = rte_cpu_to_be_16(GRE_FLAGS_K);
	memcpy(gre, &v16, 2);
	v16 = rte_cpu_to_be_16(RTE_ETHER_TYPE_TEB);
	memcpy(gre + 2, &v16, 2);
	v32 = rte_cpu_to_be_32(p->vni << 8);
	memcpy(gre + 4, &v32, 4);
	t->tnl_off = t->l4_off + 4;
	/* A packet needs only its FlowID. */
	t->fast.ok = !t->ipv6;
	t->fast.ent_size = 1;
	t->fast.ent_off = t->tnl_off + 3;
	t->fast.ent_mask = 0xff;
	return 0;
}

/* Per packet: only the FlowID (the low byte of the key). */
static void
nvgre_patch(const struct vtep_tnl_template *t, struct rte_mbuf *m, uint8_t *pkt,
	    uint32_t l4_len, uint32_t hash)
{
	RTE_SET_USED(m);
	RTE_SET_USED(l4_len);
	pkt[t->tnl_off + 3] = (uint8_t)(hash & 0xff);
}

/* Validate the GRE header at @p gre (@p len = IP payload length). */
static enum vtep_ul_class
nvgre_parse(const struct vtep_tnl_rx_cfg *cfg, const uint8_t *gre, uint32_t len,
	    struct vtep_tnl_rx *rx)
{
	RTE_SET_USED(cfg);
	if (len < GRE_HDR_LEN) {
		rx->drop = VTEP_DROP_TNL_TRUNCATED;
		return VTEP_UL_DROP;
	}
	if (gre[0] != (GRE_FLAGS_K >> 8) || gre[1] != 0 ||
	    gre[2] != (RTE_ETHER_TYPE_TEB >> 8) || gre[3] != (RTE_ETHER_TYPE_TEB & 0xff)) {
		rx->drop = VTEP_DROP_TNL_BAD_FLAGS;
		return VTEP_UL_DROP;
	}
	if (len < GRE_HDR_LEN + RTE_ETHER_HDR_LEN) {
		rx->drop = VTEP_DROP_TNL_BAD_INNER;
		return VTEP_UL_DROP;
	}
	rx->type = VTEP_TUNNEL_NVGRE;
	rx->vni = ((uint32_t)gre[4] << 16) | ((uint32_t)gre[5] << 8) | gre[6];
	rx->inner_off = GRE_HDR_LEN;
	return VTEP_UL_TUNNEL;
}

const struct vtep_tunnel_ops vtep_tunnel_nvgre_ops = {
	.type = VTEP_TUNNEL_NVGRE,
	.name = "nvgre",
	.ip_proto = IPPROTO_GRE,
	.hdr_len = GRE_HDR_LEN,
	.build = nvgre_build,
	.patch = nvgre_patch,
	.encap_stt = NULL,
	.parse = nvgre_parse,
	/* flags 0x2000 (K), protocol 0x6558; the FlowID byte is not looked at */
	.rx_fast = true,
	.rx_word_off = 0,
	.rx_vni_off = 4,
	.rx_inner_off = GRE_HDR_LEN,
	.rx_mask = 0xffffffff00000000ull,
	.rx_value = (uint64_t)GRE_FLAGS_K << 48 | (uint64_t)RTE_ETHER_TYPE_TEB << 32,
};
