/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP "fragmentation needed" / ICMPv6 "packet too big" for inner packets that do not fit
 * the tunnel (see vtep_dp_pmtu.c). Internal to lib/dp.
 */
#ifndef VTEP_DP_PMTU_H
#define VTEP_DP_PMTU_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

/**
 * Build the ICMP error telling the sender of @p m (an untagged Ethernet frame, IPv4 or
 * IPv6) that the path MTU is @p mtu. @return a new frame to send back toward the sender,
 * or NULL when none is due (no DF, not IP, multicast, an ICMP error, no mbuf).
 */
struct rte_mbuf *vtep_dp_pmtu_reply(struct rte_mempool *pool, const struct rte_mbuf *m,
				    uint16_t mtu);

#endif
