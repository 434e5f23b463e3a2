/* SPDX-License-Identifier: BSD-3-Clause */
/* L2 parsing and 802.1Q push/pop on mbufs. */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>

#include "vtep_pkt.h"

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int
vtep_pkt_parse_l2(const struct rte_mbuf *m, struct vtep_l2 *l2)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = m->data_len;
	uint16_t off = 12;
	uint16_t et;

	memset(l2, 0, sizeof(*l2));
	if (len < VTEP_ETH_HLEN)
		return -1;
	if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
		l2->tag_in_meta = true;
		l2->tci = m->vlan_tci;
		l2->n_tags = 1;
	}
	et = rd16(p + off);
	while (et == VTEP_ETHERTYPE_VLAN) {
		if (len < (uint32_t)off + 2 + VTEP_VLAN_HLEN)
			return -1;
		if (l2->n_tags == 0)
			l2->tci = rd16(p + off + 2);
		if (l2->n_tags < 2)
			l2->n_tags++;
		off += VTEP_VLAN_HLEN;
		et = rd16(p + off);
		if (off > 12 + 2 * VTEP_VLAN_HLEN)
			break; /* deeper tags are payload to us */
	}
	l2->ethertype = et;
	l2->l2_len = off + 2;
	return 0;
}

int
vtep_vlan_pop(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

	if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
		m->ol_flags &= ~(RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_VLAN);
		m->vlan_tci = 0;
		return 0;
	}
	if (m->data_len < VTEP_ETH_HLEN + VTEP_VLAN_HLEN || rd16(p + 12) != VTEP_ETHERTYPE_VLAN)
		return -EINVAL;
	memmove(p + VTEP_VLAN_HLEN, p, 12);
	rte_pktmbuf_adj(m, VTEP_VLAN_HLEN);
	return 0;
}

int
vtep_vlan_push(struct rte_mbuf *m, uint16_t tci)
{
	uint8_t *p;

	if (m->data_len < VTEP_ETH_HLEN)
		return -EINVAL;
	p = (uint8_t *)rte_pktmbuf_prepend(m, VTEP_VLAN_HLEN);
	if (p == NULL)
		return -ENOSPC;
	memmove(p, p + VTEP_VLAN_HLEN, 12);
	p[12] = VTEP_ETHERTYPE_VLAN >> 8;
	p[13] = VTEP_ETHERTYPE_VLAN & 0xff;
	p[14] = tci >> 8;
	p[15] = tci & 0xff;
	return 0;
}
