/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TSO frames on their way out (cold path: one call per 64 KiB frame, not per packet).
 *  - STT carries the frame whole: its own segmentation fits the underlay, and the receiver
 *    reassembles. Only the checksums the guest left to the "NIC" are completed here. A
 *    frame too big for one STT frame goes as two (whole multiples of the guest's MSS).
 *  - VXLAN and NVGRE: segments whose outer packets fit the underlay MTU (tmpl->mtu), each
 *    then encapsulated like any frame, so inner and outer checksums are all complete.
 *  - Ethernet ports: whole if the device takes TSO now (a guest that negotiated TSO; the
 *    driver keeps port->offloads current), else segments that fit the port's MTU.
 */
#include <errno.h>

#include <rte_ether.h>

#include "vtep_dp_offload.h"
#include "vtep_drop.h"
#include "vtep_pkt.h"

int
dp_tso_resolve(struct rte_mbuf *m, const struct vtep_tnl_template *tmpl,
	       const struct vtep_port *eth, struct rte_mempool *pool, struct rte_mbuf **segs,
	       unsigned int max, unsigned int *reason)
{
	struct vtep_tso_hdr h;
	uint32_t mtu, seg;
	int n;

	if (tmpl != NULL && tmpl->type == VTEP_TUNNEL_STT) {
		if (m->pkt_len + VTEP_STT_HDR_LEN <= VTEP_STT_FRAME_MAX) {
			if (vtep_tso_checksum(m) == 0)
				return 0;
			*reason = VTEP_DROP_TSO_UNSUPPORTED;
			return -1;
		}
		/* An STT frame holds 64 KiB at most, headers included, and a guest's biggest TSO
		 * frame (a 65535-byte IP packet) does not fit: cut it into pieces that do, each a
		 * whole number of the guest's segments. */
		mtu = VTEP_STT_FRAME_MAX - VTEP_STT_HDR_LEN - RTE_ETHER_HDR_LEN;
		if (vtep_tso_parse(m, &h) == 0 && m->tso_segsz != 0) {
			seg = (mtu - h.l3_len - h.l4_len) / m->tso_segsz * m->tso_segsz;
			m->tso_segsz = (uint16_t)RTE_MAX(seg, (uint32_t)m->tso_segsz);
		}
	} else if (tmpl != NULL) {
		/* the outer headers, then the untagged inner Ethernet header, then the segment */
		mtu = tmpl->mtu > tmpl->len - tmpl->l3_off + RTE_ETHER_HDR_LEN ?
		      tmpl->mtu - (tmpl->len - tmpl->l3_off) - RTE_ETHER_HDR_LEN : 0;
	} else if (__atomic_load_n(&eth->offloads, __ATOMIC_RELAXED) & VTEP_PORT_OFL_TSO) {
		if (vtep_tso_prepare(m) == 0)
			return 0;
		*reason = VTEP_DROP_TSO_UNSUPPORTED;
		return -1;
	} else {
		mtu = eth->mtu ? eth->mtu : RTE_ETHER_MTU;
	}
	n = vtep_tso_segment(m, mtu, pool, segs, max);
	if (n > 0)
		return n;
	*reason = n == -ENOBUFS ? VTEP_DROP_NO_MBUF : VTEP_DROP_TSO_UNSUPPORTED;
	return -1;
}
