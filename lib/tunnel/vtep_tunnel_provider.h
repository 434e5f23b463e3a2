/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Implementer's side of the tunnel core: one ops table per tunnel protocol, in
 * drivers/tunnel/<name>. The core owns Ethernet/IP (template, classify, decap, lengths
 * and IPv4 checksum); a driver owns its L4 + tunnel header. The set of drivers is fixed
 * and listed in one static table in lib/tunnel/vtep_tunnel.c.
 */
#ifndef VTEP_TUNNEL_PROVIDER_H
#define VTEP_TUNNEL_PROVIDER_H

#include "vtep_tunnel.h"

struct vtep_tunnel_ops {
	enum vtep_tunnel_type type;
	const char *name;           /* "vxlan", "nvgre", "stt" */
	uint8_t ip_proto;           /* IPPROTO_UDP, IPPROTO_GRE, IPPROTO_TCP */
	uint16_t hdr_len;           /* L4 + tunnel header bytes in the template */

	/**
	 * Write the L4 + tunnel header at t->hdr + t->l4_off for p->vni, and set
	 * t->tnl_off. Per-packet fields may be left zero. @return 0 or -EINVAL.
	 */
	int (*build)(struct vtep_tnl_template *t, const struct vtep_tnl_params *p);

	/**
	 * Patch the per-packet L4/tunnel fields of a packet whose outer headers (copied from
	 * @p t) start at @p pkt, total outer-IP payload length @p l4_len. The core has
	 * already patched Ethernet and IP lengths/checksum. VXLAN/NVGRE only (STT
	 * segments through encap_stt).
	 */
	void (*patch)(const struct vtep_tnl_template *t, struct rte_mbuf *m, uint8_t *pkt,
		      uint32_t l4_len, uint32_t hash);

	/**
	 * STT only: build the segments for inner frame @p m. Same contract as
	 * vtep_tnl_encap(). NULL for other types.
	 */
	int (*encap_stt)(const struct vtep_tnl_template *t, struct rte_mbuf *m, uint32_t hash,
			 struct vtep_tnl_encap_ctx *ctx, struct rte_mbuf **out,
			 unsigned int max_out, unsigned int *reason);

	/**
	 * Parse the L4 + tunnel header at @p l4 (@p len bytes to the end of the IP payload).
	 * Fill rx->vni / rx->inner_off (relative to @p l4; the core adds l4_off) or the STT
	 * fields. @return VTEP_UL_TUNNEL, or VTEP_UL_DROP with rx->drop set.
	 * @p cfg gives the accepted VXLAN ports.
	 */
	enum vtep_ul_class (*parse)(const struct vtep_tnl_rx_cfg *cfg, const uint8_t *l4,
				    uint32_t len, struct vtep_tnl_rx *rx);

	/*
	 * For vtep_tnl_classify_fast(), when rx_fast is set: a packet whose 8 bytes at
	 * l4 + rx_word_off, read big-endian, equal rx_value under rx_mask is one parse()
	 * accepts, with the 24-bit VNI at l4 + rx_vni_off and the inner frame at
	 * l4 + rx_inner_off (given an Ethernet header's worth of bytes after it).
	 */
	bool rx_fast;
	uint8_t rx_word_off;
	uint8_t rx_vni_off;
	uint8_t rx_inner_off;
	uint64_t rx_mask;
	uint64_t rx_value;
};

extern const struct vtep_tunnel_ops vtep_tunnel_vxlan_ops;
extern const struct vtep_tunnel_ops vtep_tunnel_nvgre_ops;
extern const struct vtep_tunnel_ops vtep_tunnel_stt_ops;

/** The ops of a type, or NULL. */
const struct vtep_tunnel_ops *vtep_tunnel_ops_get(enum vtep_tunnel_type type);

#endif
