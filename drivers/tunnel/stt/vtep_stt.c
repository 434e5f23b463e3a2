/* SPDX-License-Identifier: BSD-3-Clause */
/* STT tunnel driver: outer TCP-like + STT header template, segmentation on transmit, parse. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "vtep_cksum.h"
#include "vtep_stt.h"
#include "vtep_tunnel_provider.h"

#define STT_TCP_PSH 0x08
#define STT_TCP_ACK 0x10
#define STT_ETH_HLEN 14
#define STT_ETHERTYPE_IPV4 0x0800
#define STT_ETHERTYPE_IPV6 0x86dd
#define STT_ETHERTYPE_VLAN 0x8100
#define STT_ETHERTYPE_QINQ 0x88a8
/* Inner bytes looked at for the STT flags: Eth + two tags + IPv6 header. */
#define STT_INNER_PEEK 64
/* Most segments the zero-copy path builds at once (the datapath passes 64 slots). */
#define STT_ZC_MAX 64

/* Per-packet values written into every segment of one STT frame. */
struct stt_pkt {
	rte_be16_t sport;
	rte_be32_t ack;
	uint32_t hash;
	uint32_t frame_len;
	uint8_t flags;
	uint8_t l4_offset;
	bool csum_ofl;              /* segments: the device fills in IP and TCP checksums */
};

/* Big-endian 16-bit load from a byte buffer. */
static inline uint16_t
stt_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

void
vtep_stt_inner_info(const struct rte_mbuf *m, uint8_t *flags, uint8_t *l4_offset)
{
	uint8_t buf[STT_INNER_PEEK];
	const uint8_t *p;
	uint32_t n = RTE_MIN(rte_pktmbuf_pkt_len(m), (uint32_t)STT_INNER_PEEK);
	uint32_t off = STT_ETH_HLEN;
	unsigned int tags = 0;
	uint16_t et;
	uint8_t proto;

	*flags = 0;
	*l4_offset = 0;
	if (n < STT_ETH_HLEN)
		return;
	p = rte_pktmbuf_read(m, 0, n, buf);
	if (p == NULL)
		return;
	et = stt_be16(p + 12);
	while ((et == STT_ETHERTYPE_VLAN || et == STT_ETHERTYPE_QINQ) && tags < 2) {
		if (n < off + 4)
			return;
		et = stt_be16(p + off + 2);
		off += 4;
		tags++;
	}
	if (et == STT_ETHERTYPE_IPV4) {
		uint32_t ihl;

		if (n < off + sizeof(struct rte_ipv4_hdr) || (p[off] >> 4) != 4)
			return;
		*flags |= VTEP_STT_F_IPV4;
		ihl = (p[off] & 0xf) * 4u;
		/* Non-first fragments and bad header lengths have no L4 header to point at. */
		if (ihl < sizeof(struct rte_ipv4_hdr) || (stt_be16(p + off + 6) & 0x1fff) != 0)
			return;
		proto = p[off + 9];
		off += ihl;
	} else if (et == STT_ETHERTYPE_IPV6) {
		if (n < off + sizeof(struct rte_ipv6_hdr) || (p[off] >> 4) != 6)
			return;
		proto = p[off + 6];
		off += sizeof(struct rte_ipv6_hdr);
	} else {
		return;
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return;
	if (proto == IPPROTO_TCP)
		*flags |= VTEP_STT_F_TCP;
	*l4_offset = (uint8_t)off;
}

/* Template: TCP-like header (dst 7471, doff 5, PSH|ACK, window 65535) and STT header. */
static int
stt_build(struct vtep_tnl_template *t, const struct vtep_tnl_params *p)
{
	struct vtep_stt_tcp *th;
	struct vtep_stt_hdr *sh;
	uint64_t ctx;
	unsigned int i;

	if (p->vni > VTEP_VNI_MAX ||
	    t->l4_off + VTEP_STT_TCP_LEN + VTEP_STT_HDR_LEN > VTEP_TNL_HDR_MAX)
		return -EINVAL;
	th = (struct vtep_stt_tcp *)(t->hdr + t->l4_off);
	sh = (struct vtep_stt_hdr *)(th + 1);
	memset(th, 0, VTEP_STT_TCP_LEN + VTEP_STT_HDR_LEN);
	th->dst_port = rte_cpu_to_be_16(VTEP_STT_PORT);
	th->data_off = (VTEP_STT_TCP_LEN / 4) << 4;
	th->flags = STT_TCP_PSH | STT_TCP_ACK;
	th->window = RTE_BE16(0xffff);
	ctx = p->vni;
	for (i = 0; i < sizeof(sh->context); i++)
		sh->context[i] = (uint8_t)(ctx >> (8 * (sizeof(sh->context) - 1 - i)));
	t->tnl_off = t->l4_off + VTEP_STT_TCP_LEN;
	return 0;
}

/*
 * Patch one packet whose outer headers start at @p pkt (a copy of the template) and
 * which carries @p seg_len bytes of the STT frame from offset @p seg_off: IP length and
 * checksum, TCP ports/seq/ack, then the TCP checksum: the pseudo-header, the @p l4_hdr
 * bytes from the TCP header on at @p pkt (TCP header, and the STT header in the first
 * segment), and @p psum, the unfolded sum of the rest (starting at an even offset).
 * With sp->csum_ofl the device computes both checksums: IP checksum 0, the TCP one the
 * pseudo-header sum it starts from, and @p l4_hdr and @p psum unused.
 */
static void
stt_patch(const struct vtep_tnl_template *t, struct rte_mbuf *m, uint8_t *pkt,
	  const struct stt_pkt *sp, uint32_t seg_off, uint32_t seg_len, uint32_t l4_hdr,
	  uint64_t psum)
{
	struct vtep_stt_tcp *th = (struct vtep_stt_tcp *)(pkt + t->l4_off);
	uint32_t l4_len = VTEP_STT_TCP_LEN + seg_len;
	uint64_t sum;

	th->src_port = sp->sport;
	th->seq = rte_cpu_to_be_32(sp->frame_len << 16 | seg_off);
	th->ack = sp->ack;
	th->cksum = 0;
	/* The template's sums: the IPv4 header and the pseudo-header without their lengths
	 * (see vtep_tunnel.c); each length is one more 16-bit word in memory order. */
	sum = t->l4_csum_base + rte_cpu_to_be_16((uint16_t)l4_len);
	if (t->ipv6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(pkt + t->l3_off);

		const struct rte_ipv6_hdr *tip6 =
			(const struct rte_ipv6_hdr *)(t->hdr + t->l3_off);

		/* Flow label from the inner hash, as the core does for VXLAN. */
		ip6->vtc_flow = tip6->vtc_flow |
			rte_cpu_to_be_32(sp->hash & RTE_IPV6_HDR_FL_MASK);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)l4_len);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(pkt + t->l3_off);
		uint16_t tot = (uint16_t)(t->l4_off - t->l3_off + l4_len);

		ip->total_length = rte_cpu_to_be_16(tot);
		ip->hdr_checksum = sp->csum_ofl ? 0 :
			(uint16_t)~vtep_cksum_fold((uint64_t)t->ip_csum_base +
						   rte_cpu_to_be_16(tot));
	}
	m->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
	if (sp->csum_ofl) {
		th->cksum = vtep_cksum_fold(sum);
		m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM | (t->ipv6 ? RTE_MBUF_F_TX_IPV6 :
			       RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM);
	} else {
		sum = vtep_cksum_add(th, l4_hdr, sum + psum);
		th->cksum = (uint16_t)~vtep_cksum_fold(sum);
	}
	m->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L4_TCP |
		(t->ipv6 ? RTE_PTYPE_L3_IPV6 : RTE_PTYPE_L3_IPV4);
	m->l2_len = t->l3_off;
	m->l3_len = t->l4_off - t->l3_off;
	m->l4_len = VTEP_STT_TCP_LEN;
}

/*
 * Unfolded checksum of @p len bytes of chain @p m from offset @p off, as if they started
 * at an even offset (one pass, pieces at odd positions shifted).
 */
static uint64_t
stt_sum_chain(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint64_t sum = 0;
	uint32_t pos = 0;

	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (m != NULL && len > 0) {
		uint32_t n = RTE_MIN(len, (uint32_t)(m->data_len - off));
		uint64_t part = vtep_cksum_add(rte_pktmbuf_mtod_offset(m, const uint8_t *, off),
					       n, 0);

		sum += (pos & 1) ? vtep_cksum_shift(part) : part;
		pos += n;
		len -= n;
		off = 0;
		m = m->next;
	}
	return sum;
}

/* Copy @p len bytes of the mbuf chain at cursor (*seg, *off) to @p dst and advance it. */
static void
stt_copy_advance(const struct rte_mbuf **seg, uint32_t *off, uint8_t *dst, uint32_t len)
{
	while (len > 0) {
		uint32_t n;

		while (*off >= (*seg)->data_len) {
			*off -= (*seg)->data_len;
			*seg = (*seg)->next;
		}
		n = RTE_MIN(len, (uint32_t)((*seg)->data_len - *off));
		rte_memcpy(dst, rte_pktmbuf_mtod_offset(*seg, const uint8_t *, *off), n);
		dst += n;
		*off += n;
		len -= n;
	}
}

/* Write the per-packet STT header fields into a copied header at @p sh. */
static inline void
stt_patch_hdr(uint8_t *sh, const struct stt_pkt *sp)
{
	struct vtep_stt_hdr *h = (struct vtep_stt_hdr *)sh;

	h->flags = sp->flags;
	h->l4_offset = sp->l4_offset;
}

/*
 * The packet that carries the whole STT frame @p m: the outer and STT headers of @p t
 * (@p hlen bytes, the STT header patched) prepended to @p m when it owns its buffer alone
 * and has the headroom, else in a header mbuf from @p hp (or @p pool) chained to it.
 * @return the head with *pkt at its headers, or NULL (no mbuf; @p m untouched).
 */
static struct rte_mbuf *
stt_prepend(const struct vtep_tnl_template *t, struct rte_mbuf *m, const struct stt_pkt *sp,
	    uint16_t hlen, struct rte_mempool *hp, struct rte_mempool *pool, uint8_t **pkt)
{
	struct rte_mbuf *head;

	/* Prepending writes into the buffer: only when m owns it alone. */
	if (RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1 &&
	    rte_pktmbuf_headroom(m) >= hlen) {
		head = m;
		*pkt = (uint8_t *)rte_pktmbuf_prepend(m, hlen);
	} else {
		head = rte_pktmbuf_alloc(hp);
		if (head == NULL && hp != pool)
			head = rte_pktmbuf_alloc(pool);
		if (head == NULL)
			return NULL;
		*pkt = (uint8_t *)rte_pktmbuf_append(head, hlen);
		if (*pkt == NULL || rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free_seg(head);
			return NULL;
		}
		head->port = m->port;
		head->hash = m->hash;
	}
	rte_memcpy(*pkt, t->hdr, hlen);
	stt_patch_hdr(*pkt + t->tnl_off, sp);
	return head;
}

/* The whole STT frame fits in one packet: prepend the outer headers (or chain them). */
static int
stt_encap_one(const struct vtep_tnl_template *t, struct rte_mbuf *m,
	      struct vtep_tnl_encap_ctx *ctx, const struct stt_pkt *sp, struct rte_mbuf **out,
	      unsigned int *reason)
{
	uint16_t hlen = t->tnl_off + VTEP_STT_HDR_LEN;
	uint64_t psum = stt_sum_chain(m, 0, rte_pktmbuf_pkt_len(m));
	struct rte_mbuf *head;
	uint8_t *pkt;

	head = stt_prepend(t, m, sp, hlen, ctx->pool, ctx->pool, &pkt);
	if (head == NULL) {
		*reason = VTEP_DROP_NO_MBUF;
		return -1;
	}
	stt_patch(t, head, pkt, sp, 0, sp->frame_len, VTEP_STT_TCP_LEN + VTEP_STT_HDR_LEN,
		  psum);
	out[0] = head;
	return 1;
}

/*
 * The device segments (TSO): the whole STT frame goes as one packet, headers prepended in
 * place (or in a header mbuf chained to @p m), with IP checksum 0 and the TCP checksum
 * field holding the pseudo-header sum without the length, as DPDK's TSO contract asks.
 * The device copies the headers into every segment, adds each segment's payload offset
 * to seq (which gives STT's frame_len << 16 | offset) and fills in lengths and checksums.
 */
static int
stt_encap_tso(const struct vtep_tnl_template *t, struct rte_mbuf *m,
	      struct vtep_tnl_encap_ctx *ctx, const struct stt_pkt *sp, uint32_t seg,
	      struct rte_mbuf **out, unsigned int *reason)
{
	uint16_t hlen = t->tnl_off + VTEP_STT_HDR_LEN;
	uint32_t tot = t->l4_off - t->l3_off + VTEP_STT_TCP_LEN + sp->frame_len;
	struct rte_mempool *hp = ctx->hdr_pool != NULL &&
		rte_pktmbuf_data_room_size(ctx->hdr_pool) >= RTE_PKTMBUF_HEADROOM + hlen ?
		ctx->hdr_pool : ctx->pool;
	struct rte_ipv4_hdr *ip;
	struct vtep_stt_tcp *th;
	struct rte_mbuf *head;
	uint8_t *pkt;

	head = stt_prepend(t, m, sp, hlen, hp, ctx->pool, &pkt);
	if (head == NULL) {
		*reason = VTEP_DROP_NO_MBUF;
		return -1;
	}
	ip = (struct rte_ipv4_hdr *)(pkt + t->l3_off);
	/* above 64 KiB (a 65535-byte STT frame) the length cannot be said: 0, as in BIG TCP */
	ip->total_length = tot <= UINT16_MAX ? rte_cpu_to_be_16((uint16_t)tot) : 0;
	ip->hdr_checksum = 0;
	th = (struct vtep_stt_tcp *)(pkt + t->l4_off);
	th->src_port = sp->sport;
	th->seq = rte_cpu_to_be_32(sp->frame_len << 16);
	th->ack = sp->ack;
	th->cksum = vtep_cksum_fold(t->l4_csum_base);
	head->ol_flags = (head->ol_flags & ~RTE_MBUF_F_TX_OFFLOAD_MASK) | RTE_MBUF_F_TX_IPV4 |
		RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_TCP_SEG;
	head->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_TCP;
	head->tx_offload = 0;
	head->l2_len = t->l3_off;
	head->l3_len = t->l4_off - t->l3_off;
	head->l4_len = VTEP_STT_TCP_LEN;
	head->tso_segsz = (uint16_t)seg;
	out[0] = head;
	return 1;
}

/* Split the STT frame into @p n segments of at most @p seg_max bytes of payload. */
static int
stt_encap_segs(const struct vtep_tnl_template *t, struct rte_mbuf *m,
	       struct vtep_tnl_encap_ctx *ctx, const struct stt_pkt *sp, uint32_t seg_max,
	       unsigned int n, struct rte_mbuf **out, unsigned int *reason)
{
	const struct rte_mbuf *cur = m;
	uint32_t cur_off = 0;
	unsigned int i;

	if (rte_pktmbuf_alloc_bulk(ctx->pool, out, n) != 0) {
		*reason = VTEP_DROP_NO_MBUF;
		return -1;
	}
	for (i = 0; i < n; i++) {
		uint32_t off = i * seg_max;
		uint32_t len = RTE_MIN(seg_max, sp->frame_len - off);
		uint8_t *pkt = (uint8_t *)rte_pktmbuf_append(out[i], t->tnl_off + len);
		uint8_t *dst = pkt + t->tnl_off;

		uint32_t h = i == 0 ? VTEP_STT_HDR_LEN : 0;

		/* seg_max was bounded by the pool's data room, so append cannot fail. */
		rte_memcpy(pkt, t->hdr, t->tnl_off);
		if (i == 0) {
			rte_memcpy(dst, t->hdr + t->tnl_off, VTEP_STT_HDR_LEN);
			stt_patch_hdr(dst, sp);
		}
		stt_copy_advance(&cur, &cur_off, dst + h, len - h);
		stt_patch(t, out[i], pkt, sp, off, len, VTEP_STT_TCP_LEN + h,
			  sp->csum_ofl ? 0 : vtep_cksum_add(dst + h, len - h, 0));
	}
	rte_pktmbuf_free(m);
	return (int)n;
}

/* Take @p n references on the buffer @p m's data lives in (its own, the one it is attached
 * to, or an external one): one per slice made of it. */
static inline void
stt_ref_buf(struct rte_mbuf *m, uint16_t n)
{
	if (n == 0)
		return;
	if (RTE_MBUF_HAS_EXTBUF(m))
		rte_mbuf_ext_refcnt_update(m->shinfo, (int16_t)n);
	else
		rte_mbuf_refcnt_update(rte_mbuf_from_indirect(m), (int16_t)n);
}

/*
 * Make fresh mbuf @p mi an indirect view of @p len bytes of @p src's data from @p off,
 * as rte_pktmbuf_attach() would (freeing it detaches as usual), but without the atomic
 * reference update per slice: the caller takes them per buffer with stt_ref_buf().
 */
static inline void
stt_slice(struct rte_mbuf *mi, const struct rte_mbuf *src, uint32_t off, uint32_t len)
{
	if (RTE_MBUF_HAS_EXTBUF(src)) {
		mi->shinfo = src->shinfo;
		mi->ol_flags = src->ol_flags & (RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_INDIRECT);
	} else {
		mi->priv_size = src->priv_size;
		mi->ol_flags = RTE_MBUF_F_INDIRECT;
	}
	mi->buf_addr = src->buf_addr;
	mi->buf_iova = src->buf_iova;
	mi->buf_len = src->buf_len;
	mi->data_off = (uint16_t)(src->data_off + off);
	mi->data_len = (uint16_t)len;
	mi->pkt_len = len;
}

/*
 * Zero-copy segments: each is a header mbuf (outer headers, TCP header, and the STT header
 * in the first) chained to indirect mbufs attached to the slices of @p m's buffers it
 * carries, so the payload is only read, once, for the checksum. The reference to @p m is
 * released at the end; its buffers live until the last segment that points into them has
 * been sent. Needs an uplink that transmits chains; n <= STT_ZC_MAX.
 */
static int
stt_encap_segs_zc(const struct vtep_tnl_template *t, struct rte_mbuf *m,
		  struct rte_mempool *pool, const struct stt_pkt *sp, uint32_t seg_max,
		  unsigned int n, struct rte_mbuf **out, unsigned int *reason)
{
	struct rte_mbuf *ind[STT_ZC_MAX];
	struct rte_mbuf *cur = m;
	uint32_t cur_off = 0;
	unsigned int i, k = 0;
	uint16_t refs = 0;          /* slices of cur's buffer not yet referenced */

	if (rte_pktmbuf_alloc_bulk(pool, out, n) != 0)
		goto nombuf;
	if (rte_pktmbuf_alloc_bulk(pool, ind, n) != 0) {
		rte_pktmbuf_free_bulk(out, n);
		goto nombuf;
	}
	for (i = 0; i < n; i++) {
		uint32_t off = i * seg_max;
		uint32_t len = RTE_MIN(seg_max, sp->frame_len - off);
		uint32_t h = i == 0 ? VTEP_STT_HDR_LEN : 0;
		uint32_t rem = len - h, pos = 0;
		struct rte_mbuf *hdr = out[i], *last = hdr;
		uint8_t *pkt = (uint8_t *)rte_pktmbuf_append(hdr, t->tnl_off + h);
		uint64_t psum = 0;

		/* the data room holds the headers: stt_encap() checked it */
		rte_memcpy(pkt, t->hdr, t->tnl_off + h);
		if (i == 0)
			stt_patch_hdr(pkt + t->tnl_off, sp);
		while (rem > 0) {
			struct rte_mbuf *mi;
			uint64_t part;
			uint32_t nb;

			while (cur_off >= cur->data_len) {
				cur_off -= cur->data_len;
				stt_ref_buf(cur, refs);
				refs = 0;
				cur = cur->next;
			}
			nb = RTE_MIN(rem, (uint32_t)(cur->data_len - cur_off));
			/* a chained input can need more slices than segments */
			mi = k < n ? ind[k++] : rte_pktmbuf_alloc(pool);
			if (mi == NULL)
				goto undo;
			stt_slice(mi, cur, cur_off, nb);
			refs++;
			/* the payload is read only for its checksum, if vtepsw computes it */
			if (!sp->csum_ofl) {
				part = vtep_cksum_add(rte_pktmbuf_mtod(mi, const uint8_t *), nb,
						      0);
				psum += (pos & 1) ? vtep_cksum_shift(part) : part;
			}
			last->next = mi;
			last = mi;
			hdr->nb_segs++;
			hdr->pkt_len += nb;
			pos += nb;
			rem -= nb;
			cur_off += nb;
		}
		stt_patch(t, hdr, pkt, sp, off, len, VTEP_STT_TCP_LEN + h, psum);
	}
	stt_ref_buf(cur, refs);
	if (k < n)
		rte_pktmbuf_free_bulk(ind + k, n - k);
	rte_pktmbuf_free(m);
	return (int)n;
undo:
	stt_ref_buf(cur, refs);
	/* every out[] is a valid chain: freeing detaches the slices built so far */
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(out[i]);
	if (k < n)
		rte_pktmbuf_free_bulk(ind + k, n - k);
nombuf:
	*reason = VTEP_DROP_NO_MBUF;
	return -1;
}

/* Whether @p seg and the byte count of every mbuf of @p m are even. */
static bool
stt_even(const struct rte_mbuf *m, uint32_t seg)
{
	uint32_t odd = seg & 1;

	for (; m != NULL; m = m->next)
		odd |= m->data_len & 1u;
	return odd == 0;
}

/*
 * Whether the uplink of @p ctx can segment frame @p m (with a header mbuf in front) into
 * segments of @p seg bytes: its mbuf count within the device's limits, a segment's bytes
 * spread over no more mbufs than it allows (bounded through the smallest mbuf), and even
 * sizes where the device needs them.
 */
static bool
stt_tso_ok(const struct vtep_tnl_encap_ctx *ctx, const struct rte_mbuf *m, uint32_t seg)
{
	uint32_t nsegs = m->nb_segs + 1u, min_len = UINT16_MAX;
	const struct rte_mbuf *s;

	for (s = m; s->next != NULL; s = s->next)
		min_len = RTE_MIN(min_len, (uint32_t)s->data_len);
	if (ctx->stt_tso_even && !stt_even(m, seg))
		return false;
	if (ctx->stt_tso_max_segs != 0 && nsegs > ctx->stt_tso_max_segs)
		return false;
	/* a window of seg bytes touches at most seg / min_len + 2 mbufs, + the header's */
	return ctx->stt_tso_max_mtu_segs == 0 || m->nb_segs == 1 ||
		(min_len != 0 && seg / min_len + 3 <= ctx->stt_tso_max_mtu_segs);
}

/* The TSO segment size for the uplink of @p ctx: @p seg_max within the device's limits
 * (0: they leave too little). */
static inline uint32_t
stt_tso_seg(const struct vtep_tnl_encap_ctx *ctx, const struct vtep_tnl_template *t,
	    uint32_t seg_max)
{
	if (ctx->stt_tso_frame_max != 0)
		seg_max = RTE_MIN(seg_max, ctx->stt_tso_frame_max > t->tnl_off ?
				  (uint32_t)(ctx->stt_tso_frame_max - t->tnl_off) : 0);
	if (ctx->stt_tso_even)
		seg_max &= ~1u;
	return seg_max >= VTEP_STT_HDR_LEN ? seg_max : 0;
}

/* Encapsulate one inner frame: one packet when it fits the MTU, else segments. */
static int
stt_encap(const struct vtep_tnl_template *t, struct rte_mbuf *m, uint32_t hash,
	  struct vtep_tnl_encap_ctx *ctx, struct rte_mbuf **out, unsigned int max_out,
	  unsigned int *reason)
{
	uint32_t inner_len = rte_pktmbuf_pkt_len(m);
	uint32_t ip_len = t->l4_off - t->l3_off;
	uint32_t mtu = t->mtu != 0 ? t->mtu : 1500;
	uint32_t seg_max, room, tso_seg;
	struct stt_pkt sp;
	unsigned int n;
	int ret;

	if (inner_len < STT_ETH_HLEN) {
		*reason = VTEP_DROP_TNL_BAD_INNER;
		return -1;
	}
	if (inner_len + VTEP_STT_HDR_LEN > VTEP_STT_FRAME_MAX) {
		*reason = VTEP_DROP_STT_OVERSIZE;
		return -1;
	}
	if (mtu < ip_len + VTEP_STT_TCP_LEN + VTEP_STT_HDR_LEN || max_out == 0) {
		*reason = VTEP_DROP_MTU_EXCEEDED;
		return -1;
	}
	sp.frame_len = inner_len + VTEP_STT_HDR_LEN;
	sp.sport = rte_cpu_to_be_16(VTEP_STT_SPORT_BASE + hash % VTEP_STT_SPORT_RANGE);
	sp.ack = rte_cpu_to_be_32(ctx->stt_frame_id);
	sp.hash = hash;
	sp.csum_ofl = false;
	vtep_stt_inner_info(m, &sp.flags, &sp.l4_offset);

	seg_max = mtu - ip_len - VTEP_STT_TCP_LEN;
	tso_seg = ctx->stt_tso && !t->ipv6 ? stt_tso_seg(ctx, t, seg_max) : 0;
	if (sp.frame_len <= seg_max) {
		ret = stt_encap_one(t, m, ctx, &sp, out, reason);
	} else if (tso_seg != 0 && (sp.frame_len + tso_seg - 1) / tso_seg <= max_out &&
		   stt_tso_ok(ctx, m, tso_seg)) {
		/* (no more segments than the software path may make: net_tap's GSO takes 64) */
		ret = stt_encap_tso(t, m, ctx, &sp, tso_seg, out, reason);
	} else {
		/* A segment is one mbuf: never more payload than its data room holds. */
		room = rte_pktmbuf_data_room_size(ctx->pool);
		room = room > (uint32_t)RTE_PKTMBUF_HEADROOM + t->tnl_off ?
			room - RTE_PKTMBUF_HEADROOM - t->tnl_off : 0;
		seg_max = RTE_MIN(seg_max, room);
		if (seg_max < VTEP_STT_HDR_LEN) {
			*reason = VTEP_DROP_NO_MBUF;
			return -1;
		}
		n = (sp.frame_len + seg_max - 1) / seg_max;
		if (n > max_out) {
			*reason = VTEP_DROP_MTU_EXCEEDED;
			return -1;
		}
		sp.csum_ofl = ctx->stt_csum && (!ctx->stt_tso_even || stt_even(m, seg_max));
		struct rte_mempool *hp = ctx->hdr_pool != NULL ? ctx->hdr_pool : ctx->pool;
		bool zc = ctx->stt_chain && n <= STT_ZC_MAX &&
			rte_pktmbuf_data_room_size(hp) >=
			RTE_PKTMBUF_HEADROOM + t->tnl_off + VTEP_STT_HDR_LEN;

		ret = -1;
		/* the small pool may run dry under a burst of big frames: then the big one */
		if (zc)
			ret = stt_encap_segs_zc(t, m, hp, &sp, seg_max, n, out, reason);
		if (zc && ret < 0 && hp != ctx->pool)
			ret = stt_encap_segs_zc(t, m, ctx->pool, &sp, seg_max, n, out, reason);
		if (!zc)
			ret = stt_encap_segs(t, m, ctx, &sp, seg_max, n, out, reason);
	}
	if (ret > 0)
		ctx->stt_frame_id++;
	return ret;
}

/*
 * Parse the TCP-like header at @p l4 (@p len bytes of IP payload). A segment whose
 * offset + payload runs past the frame length is STT_OVERSIZE; a frame length below
 * STT header + Ethernet header, a data offset below 5, or an empty payload is
 * TNL_BAD_LENGTH; a data offset beyond @p len is TNL_TRUNCATED.
 */
static enum vtep_ul_class
stt_parse(const struct vtep_tnl_rx_cfg *cfg, const uint8_t *l4, uint32_t len,
	  struct vtep_tnl_rx *rx)
{
	const struct vtep_stt_tcp *th = (const struct vtep_stt_tcp *)l4;
	uint32_t doff, seq, frame_len, frag_off, payload;
	unsigned int why;
	uint32_t vni;

	RTE_SET_USED(cfg);
	rx->type = VTEP_TUNNEL_STT;
	if (len < VTEP_STT_TCP_LEN) {
		rx->drop = VTEP_DROP_TNL_TRUNCATED;
		return VTEP_UL_DROP;
	}
	if (th->dst_port != RTE_BE16(VTEP_STT_PORT)) {
		rx->drop = VTEP_DROP_UPLINK_OTHER;
		return VTEP_UL_DROP;
	}
	doff = (th->data_off >> 4) * 4u;
	if (doff < VTEP_STT_TCP_LEN) {
		rx->drop = VTEP_DROP_TNL_BAD_LENGTH;
		return VTEP_UL_DROP;
	}
	if (doff > len) {
		rx->drop = VTEP_DROP_TNL_TRUNCATED;
		return VTEP_UL_DROP;
	}
	seq = rte_be_to_cpu_32(th->seq);
	frame_len = seq >> 16;
	frag_off = seq & 0xffff;
	payload = len - doff;
	if (frame_len < VTEP_STT_FRAME_MIN || payload == 0) {
		rx->drop = VTEP_DROP_TNL_BAD_LENGTH;
		return VTEP_UL_DROP;
	}
	if (frag_off + payload > frame_len) {
		rx->drop = VTEP_DROP_STT_OVERSIZE;
		return VTEP_UL_DROP;
	}
	rx->stt_sport = rte_be_to_cpu_16(th->src_port);
	rx->stt_frame_len = (uint16_t)frame_len;
	rx->stt_frag_off = (uint16_t)frag_off;
	rx->stt_payload_len = (uint16_t)payload;
	rx->stt_frame_id = rte_be_to_cpu_32(th->ack);
	rx->vni = 0;
	rx->inner_off = 0;
	if (frag_off == 0 && payload == frame_len) {
		why = vtep_stt_hdr_check((const struct vtep_stt_hdr *)(l4 + doff), &vni);
		if (why != 0) {
			rx->drop = (uint16_t)why;
			return VTEP_UL_DROP;
		}
		rx->vni = vni;
		rx->inner_off = (uint16_t)(doff + VTEP_STT_HDR_LEN);
	}
	return VTEP_UL_TUNNEL;
}

const struct vtep_tunnel_ops vtep_tunnel_stt_ops = {
	.type = VTEP_TUNNEL_STT,
	.name = "stt",
	.ip_proto = IPPROTO_TCP,
	.hdr_len = VTEP_STT_TCP_LEN + VTEP_STT_HDR_LEN,
	.build = stt_build,
	.patch = NULL,
	.encap_stt = stt_encap,
	.parse = stt_parse,
};
