/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transmit offloads the datapath finishes for the VMs that asked for them: where a TSO frame
 * (RTE_MBUF_F_TX_TCP_SEG, from a vhost-user guest) can go whole and where it must be cut
 * into segments (see vtep_dp_offload.c). Internal to lib/dp.
 */
#ifndef VTEP_DP_OFFLOAD_H
#define VTEP_DP_OFFLOAD_H

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vtep_port.h"
#include "vtep_tunnel.h"

/**
 * Resolve TSO frame @p m for its egress: a tunnel (@p tmpl, @p eth NULL) or an Ethernet
 * port (@p eth, after any VLAN tag was pushed; @p tmpl NULL).
 * @return 0: send @p m whole as it now is (STT: checksums completed, offload flags cleared;
 *         a port that takes TSO: lengths and flags set for the device);
 *         n > 0: @p m was cut into the n frames in @p segs (freed), which carry no offload;
 *         -1: drop @p m (untouched) for *reason.
 */
int dp_tso_resolve(struct rte_mbuf *m, const struct vtep_tnl_template *tmpl,
		   const struct vtep_port *eth, struct rte_mempool *pool, struct rte_mbuf **segs,
		   unsigned int max, unsigned int *reason);

/**
 * What the uplink @p ul takes now, for STT encapsulation into @p ctx: mbuf chains (zero-copy
 * segments) and TCP segmentation of IPv4 (one TSO packet per STT frame). Per frame that
 * needs it; @p ul->offloads may change from another thread.
 */
static inline void
dp_encap_uplink(struct vtep_tnl_encap_ctx *ctx, const struct vtep_port *ul)
{
	uint32_t ofl = __atomic_load_n(&ul->offloads, __ATOMIC_RELAXED);

	ctx->stt_chain = (ofl & VTEP_PORT_OFL_MULTI_SEGS) != 0;
	ctx->stt_tso = (ofl & VTEP_PORT_OFL_TSO4) != 0;
	ctx->stt_csum = (ofl & VTEP_PORT_OFL_CSUM) != 0;
	ctx->stt_tso_frame_max = ul->tso_frame_max;
	ctx->stt_tso_even = ul->tso_even;
	ctx->stt_tso_max_segs = ul->tso_max_segs;
	ctx->stt_tso_max_mtu_segs = ul->tso_max_mtu_segs;
}

#endif
