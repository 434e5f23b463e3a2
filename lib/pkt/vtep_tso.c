/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP segmentation in software (see vtep_pkt.h).
 *
 * Why not DPDK's librte_gso: in 22.11 it segments TCP over IPv4 only, its tunnel modes want
 * an IPv4 outer header already in place, and it computes no checksum. Segmenting the inner
 * frame before encapsulation handles IPv4 and IPv6 guests alike, lets the tunnel core build
 * each outer header (and its checksums) as for any other frame, and gives every segment a
 * flat buffer any PMD can send.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_memcpy.h>
#include <rte_tcp.h>

#include "vtep_pkt.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_QINQ 0x88a8
#define IPPROTO_TCP_NUM 6

static inline uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int
vtep_tso_parse(const struct rte_mbuf *m, struct vtep_tso_hdr *h)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), off = VTEP_ETH_HLEN;
	uint16_t et;
	int tags;

	if (len < VTEP_ETH_HLEN)
		return -EINVAL;
	et = be16(p + 12);
	for (tags = 0; tags < 2 && (et == VTEP_ETHERTYPE_VLAN || et == ETHERTYPE_QINQ); tags++) {
		if (len < off + VTEP_VLAN_HLEN)
			return -EINVAL;
		et = be16(p + off + 2);
		off += VTEP_VLAN_HLEN;
	}
	h->l2_len = (uint16_t)off;
	if (et == ETHERTYPE_IPV4) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(p + off);

		if (len < off + sizeof(*ip) || (ip->version_ihl >> 4) != 4 ||
		    rte_ipv4_hdr_len(ip) < sizeof(*ip) || ip->next_proto_id != IPPROTO_TCP_NUM ||
		    (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
							      RTE_IPV4_HDR_OFFSET_MASK)))
			return -EINVAL;
		h->l3_len = (uint16_t)rte_ipv4_hdr_len(ip);
		h->ipv6 = false;
	} else if (et == ETHERTYPE_IPV6) {
		const struct rte_ipv6_hdr *ip6 = (const struct rte_ipv6_hdr *)(p + off);

		if (len < off + sizeof(*ip6) || ip6->proto != IPPROTO_TCP_NUM)
			return -EINVAL;
		h->l3_len = sizeof(*ip6);
		h->ipv6 = true;
	} else {
		return -EINVAL;
	}
	off += h->l3_len;
	if (len < off + sizeof(struct rte_tcp_hdr))
		return -EINVAL;
	h->l4_len = (uint16_t)((p[off + 12] >> 4) * 4);
	if (h->l4_len < sizeof(struct rte_tcp_hdr) || len < off + h->l4_len)
		return -EINVAL;
	return 0;
}

/* Set the IP length fields of a frame whose L3 header is at @p l3 for @p l4_bytes of L4
 * header and payload (IPv4: also ID and header checksum). */
static void
fix_ip(uint8_t *l3, const struct vtep_tso_hdr *h, uint32_t l4_bytes, uint16_t id_add)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;

	if (h->ipv6) {
		((struct rte_ipv6_hdr *)l3)->payload_len = rte_cpu_to_be_16((uint16_t)l4_bytes);
		return;
	}
	ip->total_length = rte_cpu_to_be_16((uint16_t)(h->l3_len + l4_bytes));
	ip->packet_id = rte_cpu_to_be_16((uint16_t)(rte_be_to_cpu_16(ip->packet_id) + id_add));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* Full TCP checksum of the frame @p m (any chain) whose IP header at @p l3 already carries
 * the length of its @p l4_bytes bytes of TCP header and payload. */
static int
tcp_checksum(struct rte_mbuf *m, const struct vtep_tso_hdr *h, uint8_t *l3, uint32_t l4_bytes)
{
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(l3 + h->l3_len);
	uint16_t raw = 0;
	uint32_t sum;

	th->cksum = 0;
	if (rte_raw_cksum_mbuf(m, h->l2_len + h->l3_len, l4_bytes, &raw) < 0)
		return -EINVAL;
	sum = raw + (h->ipv6 ? rte_ipv6_phdr_cksum((struct rte_ipv6_hdr *)l3, 0) :
			       rte_ipv4_phdr_cksum((struct rte_ipv4_hdr *)l3, 0));
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	th->cksum = (uint16_t)~sum;
	return 0;
}

/*
 * A segment of @p m: the headers, then @p len payload bytes from offset @p off. Flat (one
 * buffer) when @p flat, else the payload is a deep copy chained behind the headers.
 */
static struct rte_mbuf *
make_segment(struct rte_mbuf *m, struct rte_mempool *pool, uint32_t hdrs, uint32_t off,
	     uint32_t len, bool flat)
{
	struct rte_mbuf *s = rte_pktmbuf_alloc(pool), *body;
	const void *src;
	uint8_t *p;

	if (s == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(s, (uint16_t)(flat ? hdrs + len : hdrs));
	if (p == NULL)
		goto fail;
	rte_memcpy(p, rte_pktmbuf_mtod(m, const uint8_t *), hdrs);
	if (flat) {
		/* read() copies only when the range spans buffers */
		src = rte_pktmbuf_read(m, off, len, p + hdrs);
		if (src != p + hdrs)
			rte_memcpy(p + hdrs, src, len);
		return s;
	}
	body = rte_pktmbuf_copy(m, pool, off, len);
	if (body == NULL || rte_pktmbuf_chain(s, body) != 0) {
		rte_pktmbuf_free(body);
		goto fail;
	}
	return s;
fail:
	rte_pktmbuf_free(s);
	return NULL;
}

int
vtep_tso_segment(struct rte_mbuf *m, uint32_t mtu, struct rte_mempool *pool,
		 struct rte_mbuf **out, unsigned int max_out)
{
	const struct rte_tcp_hdr *mth;
	struct vtep_tso_hdr h;
	uint32_t hdrs, payload, mss, room;
	unsigned int n;
	bool flat;

	if (vtep_tso_parse(m, &h) < 0)
		return -EINVAL;
	hdrs = (uint32_t)h.l2_len + h.l3_len + h.l4_len;
	if (m->pkt_len < hdrs)
		return -EINVAL;
	payload = m->pkt_len - hdrs;
	mss = mtu > (uint32_t)h.l3_len + h.l4_len ? mtu - h.l3_len - h.l4_len : 0;
	mss = RTE_MIN(mss, (uint32_t)m->tso_segsz);
	if (mss == 0)
		return -EINVAL;
	/* one buffer per segment, with headroom for a tunnel header, when it fits */
	room = rte_pktmbuf_data_room_size(pool);
	flat = room >= RTE_PKTMBUF_HEADROOM + hdrs + mss;
	n = payload == 0 ? 1 : (payload + mss - 1) / mss;
	if (n > max_out)
		return -E2BIG;
	mth = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, h.l2_len + h.l3_len);
	for (unsigned int i = 0; i < n; i++) {
		uint32_t len = RTE_MIN(mss, payload - i * mss);
		struct rte_tcp_hdr *th;
		uint8_t *l3;

		out[i] = make_segment(m, pool, hdrs, hdrs + i * mss, len, flat);
		if (out[i] == NULL) {
			rte_pktmbuf_free_bulk(out, i);
			return -ENOBUFS;
		}
		l3 = rte_pktmbuf_mtod_offset(out[i], uint8_t *, h.l2_len);
		th = (struct rte_tcp_hdr *)(l3 + h.l3_len);
		fix_ip(l3, &h, h.l4_len + len, (uint16_t)i);
		th->sent_seq = rte_cpu_to_be_32(rte_be_to_cpu_32(mth->sent_seq) + i * mss);
		if (i + 1 < n)
			th->tcp_flags &= (uint8_t)~(RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG);
		if (i > 0)
			th->tcp_flags &= (uint8_t)~RTE_TCP_CWR_FLAG;
		tcp_checksum(out[i], &h, l3, h.l4_len + len);
		out[i]->port = m->port;
		out[i]->hash = m->hash;
	}
	rte_pktmbuf_free(m);
	return (int)n;
}

int
vtep_tso_checksum(struct rte_mbuf *m)
{
	struct vtep_tso_hdr h;
	uint32_t l4_bytes;
	uint8_t *l3;

	if (vtep_tso_parse(m, &h) < 0 || m->pkt_len < (uint32_t)h.l2_len + h.l3_len + h.l4_len)
		return -EINVAL;
	l4_bytes = m->pkt_len - h.l2_len - h.l3_len;
	if (l4_bytes + (h.ipv6 ? 0u : h.l3_len) > UINT16_MAX)
		return -EINVAL;
	l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, h.l2_len);
	fix_ip(l3, &h, l4_bytes, 0);
	if (tcp_checksum(m, &h, l3, l4_bytes) < 0)
		return -EINVAL;
	m->ol_flags &= ~(RTE_MBUF_F_TX_OFFLOAD_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK);
	m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	return 0;
}

int
vtep_tso_prepare(struct rte_mbuf *m)
{
	struct vtep_tso_hdr h;
	struct rte_tcp_hdr *th;
	uint8_t *l3;

	if (vtep_tso_parse(m, &h) < 0)
		return -EINVAL;
	m->l2_len = h.l2_len;
	m->l3_len = h.l3_len;
	m->l4_len = h.l4_len;
	m->ol_flags &= ~(RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_IP_CKSUM);
	m->ol_flags |= (h.ipv6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4) | RTE_MBUF_F_TX_TCP_SEG;
	l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, h.l2_len);
	th = (struct rte_tcp_hdr *)(l3 + h.l3_len);
	th->cksum = h.ipv6 ? rte_ipv6_phdr_cksum((struct rte_ipv6_hdr *)l3, m->ol_flags) :
			     rte_ipv4_phdr_cksum((struct rte_ipv4_hdr *)l3, m->ol_flags);
	return 0;
}
