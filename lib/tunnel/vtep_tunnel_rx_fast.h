/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtep_tnl_classify_fast(), inline for the datapath's uplink loop: the common case of
 * vtep_tnl_classify() (see vtep_tunnel.h) without a call, so the compiler keeps the
 * result in registers and drops the fields the caller does not read.
 */
#ifndef VTEP_TUNNEL_RX_FAST_H
#define VTEP_TUNNEL_RX_FAST_H

#include <stdbool.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "vtep_tunnel.h"
#include "vtep_tunnel_provider.h"

#define VTEP_TNL_RXF_IP4 20

static inline uint16_t
vtep_tnl_rxf_rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/** What vtep_tnl_classify_fast() returns, inline. */
static __rte_always_inline bool
vtep_tnl_rx_fast(const struct vtep_tnl_rx_cfg *cfg, const struct rte_mbuf *m,
		 struct vtep_tnl_rx *rx)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *), *ip = p + RTE_ETHER_HDR_LEN, *l4;
	const struct vtep_tunnel_ops *ops;
	uint32_t plen = m->pkt_len, tot, dst;
	uint16_t port;
	uint64_t word;

	/* Flat, long enough for any fast header, IPv4 without options to our MAC. */
	if (m->data_len != plen ||
	    plen < RTE_ETHER_HDR_LEN + VTEP_TNL_RXF_IP4 + 16 + RTE_ETHER_HDR_LEN ||
	    vtep_tnl_rxf_rd16(p + 12) != RTE_ETHER_TYPE_IPV4 || ip[0] != 0x45 ||
	    memcmp(p, cfg->local_mac, RTE_ETHER_ADDR_LEN) != 0)
		return false;
	memcpy(&dst, ip + 16, 4);
	tot = vtep_tnl_rxf_rd16(ip + 2);
	if (cfg->local.family != AF_INET || dst != cfg->local.v4.s_addr ||
	    (vtep_tnl_rxf_rd16(ip + 6) & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) ||
	    tot < VTEP_TNL_RXF_IP4 + 16 + RTE_ETHER_HDR_LEN || RTE_ETHER_HDR_LEN + tot > plen)
		return false;
	l4 = ip + VTEP_TNL_RXF_IP4;
	if (ip[9] == IPPROTO_UDP) {
		/* The first accepted port (4789 when none is set) and the UDP length equal to
		 * the IP payload's. */
		port = cfg->vxlan_ports[0];
		if (port == 0 && !cfg->vxlan_ports[1] && !cfg->vxlan_ports[2] &&
		    !cfg->vxlan_ports[3])
			port = VTEP_VXLAN_PORT;
		if (port == 0 || vtep_tnl_rxf_rd16(l4 + 2) != port ||
		    vtep_tnl_rxf_rd16(l4 + 4) != tot - VTEP_TNL_RXF_IP4)
			return false;
		ops = &vtep_tunnel_vxlan_ops;
	} else if (ip[9] == IPPROTO_GRE) {
		ops = &vtep_tunnel_nvgre_ops;
	} else {
		return false;
	}
	if (!ops->rx_fast ||
	    tot - VTEP_TNL_RXF_IP4 < ops->rx_inner_off + (uint32_t)RTE_ETHER_HDR_LEN)
		return false;
	memcpy(&word, l4 + ops->rx_word_off, 8);
	if ((rte_be_to_cpu_64(word) & ops->rx_mask) != ops->rx_value)
		return false;
	/* Every field, as vtep_tnl_classify() leaves it (a memset here costs more than
	 * the rest of this function: rep stos). */
	rx->type = (uint8_t)ops->type;
	rx->ipv6 = 0;
	rx->drop = 0;
	rx->vni = (uint32_t)l4[ops->rx_vni_off] << 16 | (uint32_t)l4[ops->rx_vni_off + 1] << 8 |
		  l4[ops->rx_vni_off + 2];
	memset(&rx->remote, 0, sizeof(rx->remote));
	rx->remote.family = AF_INET;
	memcpy(&rx->remote.v4.s_addr, ip + 12, 4);
	rx->l4_off = RTE_ETHER_HDR_LEN + VTEP_TNL_RXF_IP4;
	rx->inner_off = (uint16_t)(rx->l4_off + ops->rx_inner_off);
	rx->stt_sport = 0;
	rx->stt_frame_len = 0;
	rx->stt_frag_off = 0;
	rx->stt_payload_len = 0;
	rx->stt_frame_id = 0;
	return true;
}

#endif /* VTEP_TUNNEL_RX_FAST_H */
