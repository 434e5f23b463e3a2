/* SPDX-License-Identifier: BSD-3-Clause */
/* The tunnel core: outer Ethernet/IP templates, encap, uplink classification and decap. */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "vtep_tunnel.h"
#include "vtep_tunnel_provider.h"
#include "vtep_tunnel_rx_fast.h"

/*
 * Choices this file makes (the contract header leaves them open):
 *  - Outer IPv4: ID 0 with DF set, so no two packets need distinct IDs (RFC 6864).
 *    The header checksum is ~(t->ip_csum_base + tot_len), folded: one addition per packet.
 *  - Outer IPv6: the flow label carries 20 bits of the inner flow hash (RFC 6438), so
 *    ECMP on the underlay spreads tunnels even when it ignores the UDP source port.
 *  - t->ip_csum_base (IPv4 header with tot_len and checksum 0) and t->l4_csum_base
 *    (pseudo-header without its length: addresses + protocol, IPv4 and IPv6) are folded
 *    one's complement sums of 16-bit words as loaded from memory, like rte_raw_cksum():
 *    add rte_cpu_to_be_16(length), fold, complement, store without byte swapping.
 *  - Encap writes the template into m's headroom when m is a direct mbuf we own alone
 *    (refcnt 1) with room; otherwise (indirect or shared mbuf, e.g. one frame flooded to
 *    several tunnels, or no headroom) it takes a new head segment from ctx->pool (m->pool
 *    when ctx or ctx->pool is NULL) and chains m behind it. out[0] is then that new head.
 *  - Encap requests no NIC offload: every checksum is final in software, TX offload flags
 *    are cleared, and outer_l2_len/outer_l3_len/l2_len describe the packet for tools.
 *  - Classify reads the outer headers through one rte_pktmbuf_read() into a stack buffer
 *    when the first segment is short; a driver's parse op may read at least
 *    min(len, VTEP_TNL_PARSE_MIN) bytes at l4 (more only if it knows the frame is flat).
 *  - An rx config whose vxlan_ports are all 0 accepts 4789.
 *  - Decap strips within the first segment: outer headers split over segments give
 *    -EINVAL (no NIC or PMD we use splits headers that way).
 */

/** Bytes a parse op may always read at its l4 pointer (capped by its len). */
#define VTEP_TNL_PARSE_MIN 96
/** Outer header bytes classify makes contiguous: Eth + IPv4 with options + parse room. */
#define VTEP_TNL_RX_HDR (RTE_ETHER_HDR_LEN + 60 + VTEP_TNL_PARSE_MIN)

#define IPV4_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define ETH_HDR_LEN RTE_ETHER_HDR_LEN
#define GRE_PROTO 47

/* The STT driver is compiled into this library only when its file exists (see
 * lib/tunnel/meson.build). Until then a zero-filled weak table stands in, whose NULL ops
 * mean "type not available". It must not exist once the real table does: a weak
 * definition already present in this object would keep the linker from pulling
 * vtep_stt.o out of the static archive, silently replacing the real table by zeros. */
#if defined(__has_include)
#if !__has_include("../../drivers/tunnel/stt/vtep_stt.c")
__attribute__((weak)) const struct vtep_tunnel_ops vtep_tunnel_stt_ops;
#endif
#endif

/* The fixed set of tunnel protocols, indexed by enum vtep_tunnel_type. */
static const struct vtep_tunnel_ops *const tunnel_ops[VTEP_TUNNEL__MAX] = {
	[VTEP_TUNNEL_VXLAN] = &vtep_tunnel_vxlan_ops,
	[VTEP_TUNNEL_NVGRE] = &vtep_tunnel_nvgre_ops,
	[VTEP_TUNNEL_STT] = &vtep_tunnel_stt_ops,
};

const struct vtep_tunnel_ops *
vtep_tunnel_ops_get(enum vtep_tunnel_type type)
{
	const struct vtep_tunnel_ops *ops;

	if ((unsigned int)type >= VTEP_TUNNEL__MAX)
		return NULL;
	ops = tunnel_ops[type];
	/* A weak placeholder table has no name: the driver is not linked in. */
	if (ops == NULL || ops->name == NULL)
		return NULL;
	return ops;
}

/* Fold a 32-bit one's complement sum to 16 bits. */
static inline uint32_t
csum_fold32(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* Write the outer Ethernet header and IPv4 header (tot_len and checksum left 0). */
static void
template_ipv4(struct vtep_tnl_template *t, const struct vtep_tnl_params *p, uint8_t proto)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(t->hdr + t->l3_off);
	uint32_t sum;

	ip->version_ihl = 0x45;
	ip->type_of_service = p->tos;
	ip->total_length = 0;
	ip->packet_id = 0;
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = p->ttl ? p->ttl : 64;
	ip->next_proto_id = proto;
	ip->hdr_checksum = 0;
	ip->src_addr = p->local.v4.s_addr;
	ip->dst_addr = p->remote.v4.s_addr;
	/* rte_raw_cksum sums in host order of 16-bit words read from memory. */
	t->ip_csum_base = (uint16_t)csum_fold32(rte_raw_cksum(ip, IPV4_HDR_LEN));
	sum = rte_raw_cksum(&ip->src_addr, 8);
	sum += rte_cpu_to_be_16(proto);
	t->l4_csum_base = csum_fold32(sum);
}

/* Write the IPv6 header (payload length and flow label left 0). */
static void
template_ipv6(struct vtep_tnl_template *t, const struct vtep_tnl_params *p, uint8_t proto)
{
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(t->hdr + t->l3_off);
	uint32_t sum;

	ip->vtc_flow = rte_cpu_to_be_32((6u << 28) | ((uint32_t)p->tos << 20));
	ip->payload_len = 0;
	ip->proto = proto;
	ip->hop_limits = p->ttl ? p->ttl : 64;
	memcpy(ip->src_addr, &p->local.v6, 16);
	memcpy(ip->dst_addr, &p->remote.v6, 16);
	t->ip_csum_base = 0;
	sum = rte_raw_cksum(ip->src_addr, 32);
	sum += rte_cpu_to_be_16(proto);
	t->l4_csum_base = csum_fold32(sum);
}

int
vtep_tnl_template_build(const struct vtep_tnl_params *p, struct vtep_tnl_template *t)
{
	const struct vtep_tunnel_ops *ops;
	struct rte_ether_hdr *eth;
	uint16_t ip_len;
	int ret;

	if (p == NULL || t == NULL)
		return -EINVAL;
	if ((unsigned int)p->type >= VTEP_TUNNEL__MAX || p->vni > VTEP_VNI_MAX)
		return -EINVAL;
	if (p->local.family != p->remote.family ||
	    (p->local.family != AF_INET && p->local.family != AF_INET6))
		return -EINVAL;
	ops = vtep_tunnel_ops_get(p->type);
	if (ops == NULL || ops->build == NULL)
		return -ENOTSUP;

	ip_len = p->local.family == AF_INET ? IPV4_HDR_LEN : IPV6_HDR_LEN;
	if (ETH_HDR_LEN + ip_len + ops->hdr_len > VTEP_TNL_HDR_MAX)
		return -EINVAL;

	memset(t, 0, sizeof(*t));
	t->type = p->type;
	t->vni = p->vni;
	t->ipv6 = p->local.family == AF_INET6;
	t->mtu = p->mtu ? p->mtu : 1500;
	t->l3_off = ETH_HDR_LEN;
	t->l4_off = ETH_HDR_LEN + ip_len;
	t->len = t->l4_off + ops->hdr_len;

	eth = (struct rte_ether_hdr *)t->hdr;
	memcpy(&eth->dst_addr, p->dst_mac, RTE_ETHER_ADDR_LEN);
	memcpy(&eth->src_addr, p->src_mac, RTE_ETHER_ADDR_LEN);
	eth->ether_type = rte_cpu_to_be_16(t->ipv6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);

	if (t->ipv6)
		template_ipv6(t, p, ops->ip_proto);
	else
		template_ipv4(t, p, ops->ip_proto);

	ret = ops->build(t, p);
	if (ret != 0) {
		memset(t, 0, sizeof(*t));
		return ret;
	}
	/* What encap writes into every mbuf: no offload requested, lengths for tools. */
	t->tx_offload = rte_mbuf_tx_offload(t->len - t->l4_off + ETH_HDR_LEN, 0, 0, 0,
					    t->l4_off - t->l3_off, ETH_HDR_LEN, 0);
	t->ptype = RTE_PTYPE_L2_ETHER | (t->ipv6 ? RTE_PTYPE_L3_IPV6 : RTE_PTYPE_L3_IPV4) |
		(t->type == VTEP_TUNNEL_VXLAN ? RTE_PTYPE_L4_UDP | RTE_PTYPE_TUNNEL_VXLAN :
						RTE_PTYPE_TUNNEL_NVGRE);
	/* The fast path copies the header as two overlapping 32-byte blocks. */
	if (t->ipv6 || t->len < 32 || t->len > 64)
		t->fast.ok = 0;
	return 0;
}

/* Read a big-endian 16-bit value at any alignment. */
static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* The flow hash of a frame whose headers are not all in its first segment. */
uint32_t
vtep_tnl_flow_hash_slow(const struct rte_mbuf *m)
{
	uint8_t buf[VTEP_FLOW_HASH_SPAN];
	uint32_t len = RTE_MIN(m->pkt_len, (uint32_t)sizeof(buf));
	const uint8_t *p;

	if (len < ETH_HDR_LEN)
		return 0;
	p = rte_pktmbuf_read(m, 0, len, buf);
	return p != NULL ? vtep_flow_hash_bytes(p, len) : 0;
}

/*
 * Get writable room for @p t->len header bytes in front of @p m: the headroom of m when
 * m is a direct mbuf owned only by us, else a new head segment chained before m.
 * @return the head mbuf (m or the new one), or NULL (m untouched).
 */
static struct rte_mbuf *
encap_head(const struct vtep_tnl_template *t, struct rte_mbuf *m, struct vtep_tnl_encap_ctx *ctx)
{
	struct rte_mempool *pool;
	struct rte_mbuf *h;

	if (RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1 &&
	    rte_pktmbuf_headroom(m) >= t->len) {
		rte_pktmbuf_prepend(m, t->len);
		return m;
	}
	pool = ctx != NULL && ctx->pool != NULL ? ctx->pool : m->pool;
	if (pool == NULL)
		return NULL;
	h = rte_pktmbuf_alloc(pool);
	if (h == NULL)
		return NULL;
	if (rte_pktmbuf_append(h, t->len) == NULL || rte_pktmbuf_chain(h, m) != 0) {
		rte_pktmbuf_free(h);
		return NULL;
	}
	h->port = m->port;
	h->hash = m->hash;
	return h;
}

/* Patch the outer IP lengths (and IPv4 checksum, IPv6 flow label) of a copied template. */
static inline void
encap_patch_ip(const struct vtep_tnl_template *t, uint8_t *pkt, uint32_t l4_len, uint32_t hash)
{
	if (t->ipv6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(pkt + t->l3_off);
		const struct rte_ipv6_hdr *tip6 = (const struct rte_ipv6_hdr *)(t->hdr + t->l3_off);

		ip6->payload_len = rte_cpu_to_be_16((uint16_t)l4_len);
		ip6->vtc_flow = tip6->vtc_flow | rte_cpu_to_be_32(hash & RTE_IPV6_HDR_FL_MASK);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(pkt + t->l3_off);
		uint16_t tot = (uint16_t)(l4_len + IPV4_HDR_LEN);

		ip->total_length = rte_cpu_to_be_16(tot);
		ip->hdr_checksum = (uint16_t)~csum_fold32((uint32_t)t->ip_csum_base +
							 rte_cpu_to_be_16(tot));
	}
}

int
vtep_tnl_encap(const struct vtep_tnl_template *t, struct rte_mbuf *m, uint32_t hash,
	       struct vtep_tnl_encap_ctx *ctx, struct rte_mbuf **out, unsigned int max_out,
	       unsigned int *reason)
{
	const struct vtep_tunnel_ops *ops = vtep_tunnel_ops_get(t->type);
	struct rte_mbuf *h;
	uint32_t l4_len, ip_total;
	uint8_t *pkt;

	if (ops == NULL || max_out == 0) {
		*reason = VTEP_DROP_NO_OUTPUT;
		return -1;
	}
	if (t->type == VTEP_TUNNEL_STT) {
		if (ops->encap_stt == NULL) {
			*reason = VTEP_DROP_NO_OUTPUT;
			return -1;
		}
		return ops->encap_stt(t, m, hash, ctx, out, max_out, reason);
	}

	/* Everything is checked before m is modified. */
	l4_len = (uint32_t)(t->len - t->l4_off) + m->pkt_len;
	ip_total = l4_len + (t->ipv6 ? IPV6_HDR_LEN : IPV4_HDR_LEN);
	if (ip_total > t->mtu || l4_len > UINT16_MAX) {
		*reason = VTEP_DROP_MTU_EXCEEDED;
		return -1;
	}
	h = encap_head(t, m, ctx);
	if (h == NULL) {
		*reason = VTEP_DROP_NO_MBUF;
		return -1;
	}

	pkt = rte_pktmbuf_mtod(h, uint8_t *);
	rte_memcpy(pkt, t->hdr, t->len);
	encap_patch_ip(t, pkt, l4_len, hash);
	ops->patch(t, h, pkt, l4_len, hash);

	h->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
	h->tx_offload = t->tx_offload;  /* l2_len: L4 + tunnel header + inner Eth */
	h->packet_type = t->ptype;
	out[0] = h;
	return 1;
}

/* True if @p a (network order) is one of the IPv4 groups joined on the uplink. */
static bool
rx_group4(const struct vtep_tnl_rx_cfg *cfg, uint32_t a)
{
	unsigned int i, n = RTE_MIN(cfg->n_groups, (unsigned int)VTEP_ARRAY_SIZE(cfg->groups));

	for (i = 0; i < n; i++)
		if (cfg->groups[i].family == AF_INET && cfg->groups[i].v4.s_addr == a)
			return true;
	return false;
}

/* True if @p a is one of the IPv6 groups joined on the uplink. */
static bool
rx_group6(const struct vtep_tnl_rx_cfg *cfg, const uint8_t *a)
{
	unsigned int i, n = RTE_MIN(cfg->n_groups, (unsigned int)VTEP_ARRAY_SIZE(cfg->groups));

	for (i = 0; i < n; i++)
		if (cfg->groups[i].family == AF_INET6 && memcmp(&cfg->groups[i].v6, a, 16) == 0)
			return true;
	return false;
}

/* True if @p port is an accepted VXLAN destination port. */
static bool
rx_vxlan_port(const struct vtep_tnl_rx_cfg *cfg, uint16_t port)
{
	unsigned int i;
	bool any = false;

	for (i = 0; i < VTEP_ARRAY_SIZE(cfg->vxlan_ports); i++) {
		if (cfg->vxlan_ports[i] == 0)
			continue;
		any = true;
		if (cfg->vxlan_ports[i] == port)
			return true;
	}
	return !any && port == VTEP_VXLAN_PORT;
}

/* Set a drop reason and return VTEP_UL_DROP. */
static inline enum vtep_ul_class
rx_drop(struct vtep_tnl_rx *rx, unsigned int reason)
{
	rx->drop = (uint16_t)reason;
	return VTEP_UL_DROP;
}

/* ARP: CONTROL when it asks about (or answers for) our IPv4 address. */
static enum vtep_ul_class
rx_arp(const struct vtep_tnl_rx_cfg *cfg, const uint8_t *arp, uint32_t len,
       struct vtep_tnl_rx *rx)
{
	if (len < sizeof(struct rte_arp_hdr))
		return rx_drop(rx, VTEP_DROP_TNL_TRUNCATED);
	if (rd16(arp) != RTE_ARP_HRD_ETHER || rd16(arp + 2) != RTE_ETHER_TYPE_IPV4 ||
	    arp[4] != RTE_ETHER_ADDR_LEN || arp[5] != 4)
		return rx_drop(rx, VTEP_DROP_UPLINK_OTHER);
	/* Target protocol address at 24. */
	if (cfg->local.family != AF_INET || memcmp(arp + 24, &cfg->local.v4.s_addr, 4) != 0)
		return rx_drop(rx, VTEP_DROP_TNL_NOT_FOR_US);
	return VTEP_UL_CONTROL;
}

/* Dispatch the L4 payload of an IP packet for us to a tunnel driver. */
static enum vtep_ul_class
rx_l4(const struct vtep_tnl_rx_cfg *cfg, uint8_t proto, const uint8_t *l4, uint32_t l4_len,
      uint32_t avail, struct vtep_tnl_rx *rx)
{
	const struct vtep_tunnel_ops *ops;
	enum vtep_ul_class c;

	switch (proto) {
	case IPPROTO_UDP:
		if (avail < 4 || l4_len < 4)
			return rx_drop(rx, VTEP_DROP_TNL_TRUNCATED);
		if (!rx_vxlan_port(cfg, rd16(l4 + 2)))
			return rx_drop(rx, VTEP_DROP_UPLINK_OTHER);
		rx->type = VTEP_TUNNEL_VXLAN;
		break;
	case GRE_PROTO:
		rx->type = VTEP_TUNNEL_NVGRE;
		break;
	case IPPROTO_TCP:
		if (avail < 4 || l4_len < 4)
			return rx_drop(rx, VTEP_DROP_TNL_TRUNCATED);
		if (rd16(l4 + 2) != VTEP_STT_PORT)
			return rx_drop(rx, VTEP_DROP_UPLINK_OTHER);
		rx->type = VTEP_TUNNEL_STT;
		break;
	default:
		return rx_drop(rx, VTEP_DROP_UPLINK_OTHER);
	}
	ops = vtep_tunnel_ops_get(rx->type);
	if (ops == NULL || ops->parse == NULL)
		return rx_drop(rx, VTEP_DROP_UPLINK_OTHER);
	c = ops->parse(cfg, l4, l4_len, rx);
	/* inner_off 0 means "not known yet" (an STT segment before reassembly). */
	if (c == VTEP_UL_TUNNEL && rx->inner_off != 0)
		rx->inner_off = (uint16_t)(rx->inner_off + rx->l4_off);
	return c;
}

/* Outer IPv4 at @p ip (@p avail contiguous bytes, @p frame bytes to the frame's end). */
static enum vtep_ul_class
rx_ipv4(const struct vtep_tnl_rx_cfg *cfg, const uint8_t *ip, uint32_t avail, uint32_t frame,
	struct vtep_tnl_rx *rx)
{
	uint32_t ihl, tot, dst;
	bool for_us, to_local;
	uint8_t proto;

	if (avail < IPV4_HDR_LEN)
		return rx_drop(rx, VTEP_DROP_TNL_TRUNCATED);
	if ((ip[0] >> 4) != 4)
		return rx_drop(rx, VTEP_DROP_UPLINK_OTHER);
	ihl = (ip[0] & 0xf) * 4u;
	tot = rd16(ip + 2);
	if (ihl < IPV4_HDR_LEN || tot < ihl)
		return rx_drop(rx, VTEP_DROP_TNL_BAD_LENGTH);
	if (avail < ihl || tot > frame)
		return rx_drop(rx, VTEP_DROP_TNL_TRUNCATED);

	memcpy(&dst, ip + 16, 4);
	proto = ip[9];
	to_local = cfg->local.family == AF_INET && cfg->local.v4.s_addr == dst;
	for_us = to_local || rx_group4(cfg, dst);
	/* IGMP queries go to 224.0.0.1 and friends, which are never "joined". */
	if (proto == IPPROTO_IGMP && (for_us || (ip[16] & 0xf0) == 0xe0))
		return VTEP_UL_CONTROL;
	if (!for_us)
		return rx_drop(rx, VTEP_DROP_TNL_NOT_FOR_US);
	if (rd16(ip + 6) & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		return rx_drop(rx, VTEP_DROP_TNL_IP_FRAGMENT);

	rx->ipv6 = 0;
	rx->remote.family = AF_INET;
	memcpy(&rx->remote.v4.s_addr, ip + 12, 4);
	rx->l4_off = (uint16_t)(ETH_HDR_LEN + ihl);
	if (proto == IPPROTO_ICMP) {
		if (tot == ihl || avail == ihl)
			return rx_drop(rx, VTEP_DROP_TNL_TRUNCATED);
		if (to_local && ip[ihl] == RTE_IP_ICMP_ECHO_REQUEST)
			return VTEP_UL_CONTROL;
		return rx_drop(rx, VTEP_DROP_UPLINK_OTHER);
	}
	return rx_l4(cfg, proto, ip + ihl, tot - ihl, avail - ihl, rx);
}

/* True if @p a is ff02::1 or the solicited-node group of @p local. */
static bool
rx_nd_group(const uint8_t *a, const struct vtep_ip *local6)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
	static const uint8_t sol_node[13] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };

	if (memcmp(a, all_nodes, 16) == 0)
		return true;
	return local6->family == AF_INET6 && memcmp(a, sol_node, 13) == 0 &&
		memcmp(a + 13, (const uint8_t *)&local6->v6 + 13, 3) == 0;
}

/* Outer IPv6 at @p ip (@p avail contiguous bytes, @p frame bytes to the frame's end). */
static enum vtep_ul_class
rx_ipv6(const struct vtep_tnl_rx_cfg *cfg, const uint8_t *ip, uint32_t avail, uint32_t frame,
	struct vtep_tnl_rx *rx)
{
	const uint8_t *dst = ip + 24;
	bool to_local, for_us;
	uint32_t plen;
	uint8_t nh;

	if (avail < IPV6_HDR_LEN)
		return rx_drop(rx, VTEP_DROP_TNL_TRUNCATED);
	if ((ip[0] >> 4) != 6)
		return rx_drop(rx, VTEP_DROP_UPLINK_OTHER);
	plen = rd16(ip + 4);
	if (IPV6_HDR_LEN + plen > frame)
		return rx_drop(rx, VTEP_DROP_TNL_TRUNCATED);
	nh = ip[6];
	to_local = cfg->local6.family == AF_INET6 && memcmp(&cfg->local6.v6, dst, 16) == 0;
	for_us = to_local || rx_group6(cfg, dst);

	rx->ipv6 = 1;
	rx->remote.family = AF_INET6;
	memcpy(&rx->remote.v6, ip + 8, 16);
	rx->l4_off = ETH_HDR_LEN + IPV6_HDR_LEN;

	if (nh == IPPROTO_ICMPV6) {
		uint8_t type;

		if (!for_us && !rx_nd_group(dst, &cfg->local6))
			return rx_drop(rx, VTEP_DROP_TNL_NOT_FOR_US);
		if (plen == 0 || avail == IPV6_HDR_LEN)
			return rx_drop(rx, VTEP_DROP_TNL_TRUNCATED);
		type = ip[IPV6_HDR_LEN];
		/* Echo request, MLD query/report/done, RS, RA, NS, NA, MLDv2 report. */
		if (type == 128 || (type >= 130 && type <= 136) || type == 143)
			return VTEP_UL_CONTROL;
		return rx_drop(rx, VTEP_DROP_UPLINK_OTHER);
	}
	if (!for_us)
		return rx_drop(rx, VTEP_DROP_TNL_NOT_FOR_US);
	/* No extension headers: a fragment header or anything else is not tunnel traffic. */
	return rx_l4(cfg, nh, ip + IPV6_HDR_LEN, plen, avail - IPV6_HDR_LEN, rx);
}

enum vtep_ul_class
vtep_tnl_classify(const struct vtep_tnl_rx_cfg *cfg, const struct rte_mbuf *m,
		  struct vtep_tnl_rx *rx)
{
	uint8_t buf[VTEP_TNL_RX_HDR];
	const uint8_t *p;
	uint32_t hlen, plen = m->pkt_len;
	uint16_t etype;

	memset(rx, 0, sizeof(*rx));
	if (plen < ETH_HDR_LEN)
		return rx_drop(rx, VTEP_DROP_TNL_TRUNCATED);
	/* Flat first segment: parse in place; otherwise copy the header part. */
	if (m->data_len >= plen || m->data_len >= VTEP_TNL_RX_HDR) {
		hlen = RTE_MIN((uint32_t)m->data_len, plen);
		p = rte_pktmbuf_mtod(m, const uint8_t *);
	} else {
		hlen = RTE_MIN(plen, (uint32_t)sizeof(buf));
		p = rte_pktmbuf_read(m, 0, hlen, buf);
		if (p == NULL)
			return rx_drop(rx, VTEP_DROP_TNL_TRUNCATED);
	}

	/* Unicast to another MAC is not ours; broadcast and multicast are looked at. */
	if (!(p[0] & 0x01) && memcmp(p, cfg->local_mac, RTE_ETHER_ADDR_LEN) != 0)
		return rx_drop(rx, VTEP_DROP_TNL_NOT_FOR_US);
	etype = rd16(p + 12);
	switch (etype) {
	case RTE_ETHER_TYPE_IPV4:
		return rx_ipv4(cfg, p + ETH_HDR_LEN, hlen - ETH_HDR_LEN, plen - ETH_HDR_LEN, rx);
	case RTE_ETHER_TYPE_IPV6:
		return rx_ipv6(cfg, p + ETH_HDR_LEN, hlen - ETH_HDR_LEN, plen - ETH_HDR_LEN, rx);
	case RTE_ETHER_TYPE_ARP:
		return rx_arp(cfg, p + ETH_HDR_LEN, hlen - ETH_HDR_LEN, rx);
	default:
		return rx_drop(rx, VTEP_DROP_UPLINK_OTHER);
	}
}

bool
vtep_tnl_classify_fast(const struct vtep_tnl_rx_cfg *cfg, const struct rte_mbuf *m,
		       struct vtep_tnl_rx *rx)
{
	return vtep_tnl_rx_fast(cfg, m, rx);
}

int
vtep_tnl_decap(struct rte_mbuf *m, const struct vtep_tnl_rx *rx)
{
	if (rx->inner_off == 0 || rx->inner_off > m->data_len)
		return -EINVAL;
	/* The inner frame must still be a full Ethernet header long. */
	if (m->pkt_len < (uint32_t)rx->inner_off + ETH_HDR_LEN)
		return -EINVAL;
	if (rte_pktmbuf_adj(m, rx->inner_off) == NULL)
		return -EINVAL;
	/* What the NIC said about the outer headers no longer applies. */
	m->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK |
			 RTE_MBUF_F_RX_OUTER_L4_CKSUM_MASK | RTE_MBUF_F_RX_OUTER_IP_CKSUM_BAD |
			 RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED |
			 RTE_MBUF_F_RX_QINQ | RTE_MBUF_F_RX_QINQ_STRIPPED);
	m->packet_type = 0;
	m->l2_len = 0;
	m->l3_len = 0;
	m->l4_len = 0;
	m->outer_l2_len = 0;
	m->outer_l3_len = 0;
	return 0;
}
