/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Path MTU feedback for VMs: when an inner packet cannot be encapsulated because the
 * outer packet would exceed the uplink MTU, the VM gets an ICMP "fragmentation needed"
 * (IPv4 with DF) or ICMPv6 "packet too big", as if the tunnel were a router hop with a
 * smaller MTU. The message comes from the inner destination's addresses (MAC and IP), the
 * way a bridged Linux VXLAN device does it, so the VM's stack accepts it for that path.
 *
 * This is a cold path of the fast path: one mbuf allocation per message, no syscalls; the
 * caller rate-limits it per worker so a VM that ignores the messages cannot make us amplify.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "vtep_dp_pmtu.h"

/* RFC 1812 4.3.2.3: quote as much of the original datagram as fits in 576 bytes. */
#define PMTU_V4_MAX_QUOTE (576 - sizeof(struct rte_ipv4_hdr) - 8)
/* RFC 4443 2.4(c): the error message must not exceed the IPv6 minimum MTU (1280). */
#define PMTU_V6_MAX_QUOTE (1280 - sizeof(struct rte_ipv6_hdr) - 8)

#define ICMP4_DEST_UNREACH 3
#define ICMP6_PACKET_TOO_BIG 2
#define ICMP6_ERROR_MAX 127     /* ICMPv6 types below 128 are errors */

/* Multicast (224/4) or limited broadcast; DPDK's RTE_IS_IPV4_MCAST shifts a signed int. */
static bool
ipv4_is_group(rte_be32_t a)
{
	uint32_t h = rte_be_to_cpu_32(a);

	return (h >> 28) == 0xe || h == UINT32_MAX;
}

static bool
mac_is_unicast(const struct rte_ether_addr *a)
{
	return !(a->addr_bytes[0] & 1);
}

/* Copy @p len bytes of the original packet after its Ethernet header into @p dst. */
static int
copy_quote(const struct rte_mbuf *m, uint8_t *dst, uint32_t len)
{
	const void *src = rte_pktmbuf_read(m, sizeof(struct rte_ether_hdr), len, dst);

	if (src == NULL)
		return -1;
	if (src != dst)
		memcpy(dst, src, len);
	return 0;
}

/* Start the reply frame: Ethernet with the addresses swapped. */
static uint8_t *
reply_start(struct rte_mbuf *r, const struct rte_ether_hdr *eh, uint16_t ether_type,
	    uint16_t len)
{
	struct rte_ether_hdr *reh = (struct rte_ether_hdr *)rte_pktmbuf_append(r, len);

	if (reh == NULL)
		return NULL;
	rte_ether_addr_copy(&eh->src_addr, &reh->dst_addr);
	rte_ether_addr_copy(&eh->dst_addr, &reh->src_addr);
	reh->ether_type = rte_cpu_to_be_16(ether_type);
	return (uint8_t *)(reh + 1);
}

static struct rte_mbuf *
too_big_v4(struct rte_mempool *pool, const struct rte_mbuf *m, uint16_t mtu)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct rte_ipv4_hdr iph_buf;
	const struct rte_ipv4_hdr *ip;
	struct rte_ipv4_hdr *rip;
	struct rte_icmp_hdr *ric;
	struct rte_mbuf *r;
	uint32_t quote, avail, ihl;
	uint8_t *p;

	ip = rte_pktmbuf_read(m, sizeof(*eh), sizeof(iph_buf), &iph_buf);
	if (ip == NULL || (ip->version_ihl >> 4) != 4)
		return NULL;
	ihl = (ip->version_ihl & 0xf) * 4u;
	if (ihl < sizeof(*ip))
		return NULL;
	/* DF set, first fragment only, never to multicast/broadcast or unspecified sources */
	if (!(ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) ||
	    (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK)) != 0)
		return NULL;
	if (ip->src_addr == 0 || ipv4_is_group(ip->dst_addr) || ipv4_is_group(ip->src_addr))
		return NULL;
	/* never answer an ICMP error with an ICMP error (RFC 1122 3.2.2) */
	if (ip->next_proto_id == IPPROTO_ICMP) {
		uint8_t type_buf;
		const uint8_t *type = rte_pktmbuf_read(m, sizeof(*eh) + ihl, 1, &type_buf);

		if (type == NULL || (*type != RTE_IP_ICMP_ECHO_REQUEST &&
				     *type != RTE_IP_ICMP_ECHO_REPLY))
			return NULL;
	}
	avail = m->pkt_len - (uint32_t)sizeof(*eh);
	quote = RTE_MIN(avail, (uint32_t)PMTU_V4_MAX_QUOTE);
	r = rte_pktmbuf_alloc(pool);
	if (r == NULL)
		return NULL;
	p = reply_start(r, eh, RTE_ETHER_TYPE_IPV4,
			(uint16_t)(sizeof(*eh) + sizeof(*rip) + sizeof(*ric) + 4 + quote));
	if (p == NULL)
		goto fail;
	rip = (struct rte_ipv4_hdr *)p;
	memset(rip, 0, sizeof(*rip));
	rip->version_ihl = RTE_IPV4_VHL_DEF;
	rip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*rip) + sizeof(*ric) + 4 + quote));
	rip->time_to_live = 64;
	rip->next_proto_id = IPPROTO_ICMP;
	rip->src_addr = ip->dst_addr;
	rip->dst_addr = ip->src_addr;
	rip->hdr_checksum = rte_ipv4_cksum(rip);
	ric = (struct rte_icmp_hdr *)(rip + 1);
	ric->icmp_type = ICMP4_DEST_UNREACH;
	ric->icmp_code = 4;                               /* fragmentation needed, DF set */
	ric->icmp_cksum = 0;
	ric->icmp_ident = 0;                              /* unused (RFC 1191) */
	ric->icmp_seq_nb = rte_cpu_to_be_16(mtu);          /* next-hop MTU */
	if (copy_quote(m, (uint8_t *)(ric + 1), quote) < 0)
		goto fail;
	ric->icmp_cksum = (uint16_t)~rte_raw_cksum(ric, sizeof(*ric) + quote);
	return r;
fail:
	rte_pktmbuf_free(r);
	return NULL;
}

static struct rte_mbuf *
too_big_v6(struct rte_mempool *pool, const struct rte_mbuf *m, uint16_t mtu)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct rte_ipv6_hdr iph_buf;
	const struct rte_ipv6_hdr *ip;
	struct rte_ipv6_hdr *rip;
	struct rte_mbuf *r;
	uint32_t quote, avail, mtu32;
	uint8_t *p, *ic;
	static const uint8_t zero[16];

	ip = rte_pktmbuf_read(m, sizeof(*eh), sizeof(iph_buf), &iph_buf);
	if (ip == NULL || (rte_be_to_cpu_32(ip->vtc_flow) >> 28) != 6)
		return NULL;
	if (ip->dst_addr[0] == 0xff || ip->src_addr[0] == 0xff ||
	    memcmp(ip->src_addr, zero, 16) == 0)
		return NULL;
	if (ip->proto == IPPROTO_ICMPV6) {
		uint8_t type_buf;
		const uint8_t *type = rte_pktmbuf_read(m, sizeof(*eh) + sizeof(*ip), 1, &type_buf);

		if (type == NULL || *type <= ICMP6_ERROR_MAX)
			return NULL;
	}
	avail = m->pkt_len - (uint32_t)sizeof(*eh);
	quote = RTE_MIN(avail, (uint32_t)PMTU_V6_MAX_QUOTE);
	r = rte_pktmbuf_alloc(pool);
	if (r == NULL)
		return NULL;
	p = reply_start(r, eh, RTE_ETHER_TYPE_IPV6,
			(uint16_t)(sizeof(*eh) + sizeof(*rip) + 8 + quote));
	if (p == NULL)
		goto fail;
	rip = (struct rte_ipv6_hdr *)p;
	rip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	rip->payload_len = rte_cpu_to_be_16((uint16_t)(8 + quote));
	rip->proto = IPPROTO_ICMPV6;
	rip->hop_limits = 64;
	memcpy(rip->src_addr, ip->dst_addr, 16);
	memcpy(rip->dst_addr, ip->src_addr, 16);
	ic = (uint8_t *)(rip + 1);
	ic[0] = ICMP6_PACKET_TOO_BIG;
	ic[1] = 0;
	ic[2] = ic[3] = 0;
	mtu32 = rte_cpu_to_be_32(mtu);
	memcpy(ic + 4, &mtu32, 4);
	if (copy_quote(m, ic + 8, quote) < 0)
		goto fail;
	{
		uint16_t ck = rte_ipv6_udptcp_cksum(rip, ic);

		memcpy(ic + 2, &ck, 2);
	}
	return r;
fail:
	rte_pktmbuf_free(r);
	return NULL;
}

struct rte_mbuf *
vtep_dp_pmtu_reply(struct rte_mempool *pool, const struct rte_mbuf *m, uint16_t mtu)
{
	const struct rte_ether_hdr *eh;

	if (rte_pktmbuf_data_len(m) < sizeof(*eh))
		return NULL;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (!mac_is_unicast(&eh->dst_addr) || !mac_is_unicast(&eh->src_addr))
		return NULL;
	if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return mtu >= 68 ? too_big_v4(pool, m, mtu) : NULL;
	if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6))
		return too_big_v6(pool, m, RTE_MAX(mtu, (uint16_t)1280));
	return NULL;
}
