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

#endif
