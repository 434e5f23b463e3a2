/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the STT driver: scapy golden vectors, segmentation, parse and reassembly. */
#include <arpa/inet.h>
#include <check.h>

#include "vtep_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vtep_tunnel.h"
#include "vtep_tunnel_provider.h"
#include "../../drivers/tunnel/stt/vtep_stt.h"
#include "../data/stt/stt_vectors.h"

#define POOL_SIZE 8191
#define MAX_SEGS 64
#define T0 1000000u

static struct rte_mempool *g_pool;
/* Zero-copy encap knobs (test_segment_zero_copy): the uplink takes chains, the small
 * pool for segment heads, and the bytes per buffer of the inputs mk_mbuf() builds. */
#define HDR_POOL_SIZE 4095
static struct rte_mempool *g_small_pool, *g_hdr_pool;
static bool g_chain;
static uint32_t g_piece;
static const uint8_t g_src_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t g_dst_mac[6] = {0x02, 0, 0, 0, 0, 0x02};

/* Outer template matching the scapy vectors (VNI 5000, 10.0.0.1 -> 10.0.0.2 / fd00::). */
static void
mk_template(int ipv6, uint16_t mtu, struct vtep_tnl_template *t)
{
	struct vtep_tnl_params p;

	memset(&p, 0, sizeof(p));
	p.type = VTEP_TUNNEL_STT;
	p.vni = 5000;
	p.mtu = mtu;
	memcpy(p.src_mac, g_src_mac, 6);
	memcpy(p.dst_mac, g_dst_mac, 6);
	if (ipv6) {
		p.local.family = p.remote.family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, "fd00::1", &p.local.v6), 1);
		ck_assert_int_eq(inet_pton(AF_INET6, "fd00::2", &p.remote.v6), 1);
	} else {
		p.local.family = p.remote.family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, "10.0.0.1", &p.local.v4), 1);
		ck_assert_int_eq(inet_pton(AF_INET, "10.0.0.2", &p.remote.v4), 1);
	}
	ck_assert_int_eq(vtep_tnl_template_build(&p, t), 0);
}

/* The receive config of the 10.0.0.2 / fd00::2 VTEP. */
static void
mk_rx_cfg(struct vtep_tnl_rx_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->local.family = AF_INET;
	inet_pton(AF_INET, "10.0.0.2", &c->local.v4);
	c->local6.family = AF_INET6;
	inet_pton(AF_INET6, "fd00::2", &c->local6.v6);
	memcpy(c->local_mac, g_dst_mac, 6);
}

/* An mbuf (chained when longer than one buffer) holding @p data. */
static struct rte_mbuf *
mk_mbuf(struct rte_mempool *pool, const uint8_t *data, uint32_t len)
{
	struct rte_mbuf *head = NULL;
	uint32_t off = 0;

	do {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		uint32_t n;
		char *p;

		ck_assert_ptr_nonnull(m);
		n = RTE_MIN(len - off, (uint32_t)rte_pktmbuf_tailroom(m));
		if (g_piece != 0)
			n = RTE_MIN(n, g_piece);
		p = rte_pktmbuf_append(m, (uint16_t)n);
		ck_assert_ptr_nonnull(p);
		memcpy(p, data + off, n);
		off += n;
		if (head == NULL)
			head = m;
		else
			ck_assert_int_eq(rte_pktmbuf_chain(head, m), 0);
	} while (off < len);
	return head;
}

/* The bytes of @p m, in a malloc'd buffer. */
static uint8_t *
mbuf_bytes(const struct rte_mbuf *m)
{
	uint8_t *b = malloc(rte_pktmbuf_pkt_len(m) + 1);
	const void *p;

	ck_assert_ptr_nonnull(b);
	p = rte_pktmbuf_read(m, 0, rte_pktmbuf_pkt_len(m), b);
	ck_assert_ptr_nonnull(p);
	if (p != b)
		memcpy(b, p, rte_pktmbuf_pkt_len(m));
	return b;
}

/* Deterministic inner Ethernet/IPv4/UDP frame of @p len bytes. */
static uint8_t *
mk_inner(uint32_t len)
{
	uint8_t *b = malloc(len);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(b + 14);
	uint32_t i;

	ck_assert_ptr_nonnull(b);
	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 13 + 5);
	memset(b, 0x52, 12);
	b[12] = 0x08;
	b[13] = 0x00;
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = htons((uint16_t)(len - 14));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	return b;
}

/* Verify the TCP checksum of an STT packet (pseudo-header + TCP header + payload). */
static int
tcp_cksum_ok(const uint8_t *pkt, int ipv6)
{
	uint32_t sum = 0, l4_len, l4_off, i;

	if (ipv6) {
		const struct rte_ipv6_hdr *ip6 = (const struct rte_ipv6_hdr *)(pkt + 14);
		const uint8_t *a = pkt + 14 + 8; /* source then destination address */

		for (i = 0; i < 32; i += 2)
			sum += (uint32_t)(a[i] << 8 | a[i + 1]);
		l4_len = ntohs(ip6->payload_len);
		l4_off = 54;
	} else {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(pkt + 14);
		const uint8_t *a = (const uint8_t *)&ip->src_addr;

		l4_len = ntohs(ip->total_length) - 20;
		l4_off = 34;
		for (i = 0; i < 8; i += 2)
			sum += (uint32_t)(a[i] << 8 | a[i + 1]);
	}
	sum += IPPROTO_TCP + l4_len;
	for (i = 0; i + 1 < l4_len; i += 2)
		sum += (uint32_t)(pkt[l4_off + i] << 8 | pkt[l4_off + i + 1]);
	if (l4_len & 1)
		sum += (uint32_t)pkt[l4_off + l4_len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* Optional capture for tshark: VTEP_STT_PCAP=file writes every encapsulated packet. */
static FILE *g_pcap;

static void
pcap_write(const struct rte_mbuf *m)
{
	uint32_t rec[4];
	uint8_t *b;

	if (g_pcap == NULL)
		return;
	b = mbuf_bytes(m);
	rec[0] = 0;
	rec[1] = 0;
	rec[2] = rte_pktmbuf_pkt_len(m);
	rec[3] = rte_pktmbuf_pkt_len(m);
	fwrite(rec, sizeof(rec), 1, g_pcap);
	fwrite(b, 1, rte_pktmbuf_pkt_len(m), g_pcap);
	free(b);
}

static void
check_no_leak(void)
{
	ck_assert_uint_eq(rte_mempool_avail_count(g_pool), POOL_SIZE);
	if (g_hdr_pool != NULL)
		ck_assert_uint_eq(rte_mempool_avail_count(g_hdr_pool), HDR_POOL_SIZE);
}

/* Encapsulate @p inner (@p len bytes) into segments; @return their count. */
static int
encap(int ipv6, uint16_t mtu, const uint8_t *inner, uint32_t len, uint32_t hash, uint32_t id,
      struct rte_mbuf **out)
{
	struct vtep_tnl_template t;
	struct vtep_tnl_encap_ctx ctx = {.pool = g_pool, .stt_frame_id = id,
					 .stt_chain = g_chain, .hdr_pool = g_hdr_pool};
	struct rte_mbuf *m;
	unsigned int reason = 0;
	int n, i;

	mk_template(ipv6, mtu, &t);
	m = mk_mbuf(g_pool, inner, len);
	n = vtep_tnl_encap(&t, m, hash, &ctx, out, MAX_SEGS, &reason);
	ck_assert_msg(n > 0, "encap failed: reason %u", reason);
	ck_assert_uint_eq(ctx.stt_frame_id, id + 1);
	/* zero copy: every segment is a header buffer chained to slices of the frame */
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(out[i]->nb_segs > 1, g_chain && n > 1);
	for (i = 0; i < n; i++)
		pcap_write(out[i]);
	return n;
}

static void
free_all(struct rte_mbuf **v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		rte_pktmbuf_free(v[i]);
}

START_TEST(test_template)
{
	struct vtep_tnl_template t;
	struct vtep_tnl_params p;
	const uint8_t *th, *sh;

	mk_template(0, 1500, &t);
	ck_assert_uint_eq(t.len, 14 + 20 + 20 + 18);
	ck_assert_uint_eq(t.tnl_off, 54);
	th = t.hdr + t.l4_off;
	sh = t.hdr + t.tnl_off;
	ck_assert_uint_eq(t.hdr[14 + 9], IPPROTO_TCP);
	ck_assert_uint_eq(th[2] << 8 | th[3], 7471);
	ck_assert_uint_eq(th[12], 0x50);
	ck_assert_uint_eq(th[13], 0x18);
	ck_assert_uint_eq(th[14] << 8 | th[15], 0xffff);
	ck_assert_uint_eq(sh[0], 0);
	ck_assert_uint_eq(vtep_stt_hdr_context((const struct vtep_stt_hdr *)sh), 0x1388);

	mk_template(1, 1500, &t);
	ck_assert_uint_eq(t.tnl_off, 74);
	memset(&p, 0, sizeof(p));
	p.type = VTEP_TUNNEL_STT;
	p.local.family = p.remote.family = AF_INET;
	p.vni = 0x1000000;
	ck_assert_int_eq(vtep_tnl_template_build(&p, &t), -EINVAL);
}
END_TEST

START_TEST(test_golden)
{
	unsigned int v;

	for (v = 0; v < VTEP_ARRAY_SIZE(stt_vecs); v++) {
		const struct stt_vec *sv = &stt_vecs[v];
		struct rte_mbuf *out[MAX_SEGS];
		int n, i;

		n = encap(sv->ipv6, sv->mtu, sv->inner, sv->inner_len, sv->hash, sv->frame_id,
			  out);
		ck_assert_msg(n == (int)sv->nsegs, "%s: %d segments, want %u", sv->name, n,
			      sv->nsegs);
		for (i = 0; i < n; i++) {
			uint8_t *b = mbuf_bytes(out[i]);
			uint32_t k;

			ck_assert_msg(rte_pktmbuf_pkt_len(out[i]) == sv->seg_lens[i],
				      "%s seg %d: len %u want %u", sv->name, i,
				      rte_pktmbuf_pkt_len(out[i]), sv->seg_lens[i]);
			for (k = 0; k < sv->seg_lens[i]; k++)
				ck_assert_msg(b[k] == sv->segs[i][k],
					      "%s seg %d byte %u: %02x want %02x", sv->name, i, k,
					      b[k], sv->segs[i][k]);
			free(b);
		}
		free_all(out, n);
	}
	check_no_leak();
}
END_TEST

/* A shared inner mbuf must not be written: the outer headers go in a new head buffer. */
START_TEST(test_encap_shared)
{
	const struct stt_vec *sv = &stt_vecs[0];
	struct vtep_tnl_template t;
	struct vtep_tnl_encap_ctx ctx = {.pool = g_pool, .stt_frame_id = sv->frame_id};
	struct rte_mbuf *out[MAX_SEGS], *m;
	unsigned int reason;
	uint8_t *b;

	mk_template(0, 1500, &t);
	m = mk_mbuf(g_pool, sv->inner, sv->inner_len);
	rte_mbuf_refcnt_update(m, 1);
	ck_assert_int_eq(vtep_tnl_encap(&t, m, sv->hash, &ctx, out, MAX_SEGS, &reason), 1);
	ck_assert_ptr_ne(out[0], m);
	ck_assert_uint_eq(out[0]->nb_segs, 2);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(out[0]), sv->seg_lens[0]);
	b = mbuf_bytes(out[0]);
	ck_assert_int_eq(memcmp(b, sv->segs[0], sv->seg_lens[0]), 0);
	free(b);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(m), sv->inner_len);
	rte_pktmbuf_free(out[0]);
	rte_pktmbuf_free(m);
	check_no_leak();
}
END_TEST

/* Segment a large frame and check every segment's headers; then reassemble it. */
static void
check_big(int ipv6, uint32_t inner_len, unsigned int want_segs)
{
	struct rte_mbuf *out[MAX_SEGS], *m;
	struct vtep_stt_reasm_params rp = {
		.mem_cap_bytes = 1 << 22, .timeout_ms = 1000, .max_frames = 64,
		.socket_id = SOCKET_ID_ANY};
	struct vtep_stt_reasm *r;
	struct vtep_tnl_rx_cfg cfg;
	struct vtep_tnl_rx rx;
	uint32_t frame_len = inner_len + 18, seg_max = 1500 - (ipv6 ? 40 : 20) - 20;
	uint8_t *inner = mk_inner(inner_len), *got;
	unsigned int reason;
	int n, i;

	n = encap(ipv6, 1500, inner, inner_len, 0xabcdef, 77, out);
	ck_assert_int_eq(n, (int)want_segs);
	for (i = 0; i < n; i++) {
		uint8_t *b = mbuf_bytes(out[i]);
		uint32_t l3 = ipv6 ? 40 : 20, want = RTE_MIN(seg_max, frame_len - i * seg_max);
		const struct vtep_stt_tcp *th = (const struct vtep_stt_tcp *)(b + 14 + l3);

		ck_assert_uint_eq(rte_pktmbuf_pkt_len(out[i]), 14 + l3 + 20 + want);
		ck_assert_uint_le(rte_pktmbuf_pkt_len(out[i]) - 14, 1500);
		if (ipv6) {
			ck_assert_uint_eq(b[18] << 8 | b[19], 20 + want);
		} else {
			ck_assert_uint_eq(b[16] << 8 | b[17], 20 + 20 + want);
			ck_assert_uint_eq(rte_ipv4_cksum((const struct rte_ipv4_hdr *)(b + 14)), 0);
		}
		ck_assert_uint_eq(ntohl(th->seq), frame_len << 16 | (i * seg_max));
		ck_assert_uint_eq(ntohl(th->ack), 77);
		ck_assert_uint_eq(ntohs(th->src_port), 49152 + 0xabcdef % 16384);
		ck_assert_msg(tcp_cksum_ok(b, ipv6), "segment %d: bad TCP checksum", i);
		free(b);
	}

	mk_rx_cfg(&cfg);
	ck_assert_int_eq(vtep_stt_reasm_create(&rp, &r), 0);
	m = NULL;
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(vtep_tnl_classify(&cfg, out[i], &rx), VTEP_UL_TUNNEL);
		ck_assert_uint_eq(rx.type, VTEP_TUNNEL_STT);
		m = vtep_stt_reasm_input(r, out[i], &rx, T0, &reason);
		if (i < n - 1) {
			ck_assert_ptr_null(m);
			ck_assert_uint_eq(reason, VTEP_DROP_STT_REASM_PENDING);
		}
	}
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(rx.vni, 5000);
	ck_assert_int_eq(vtep_tnl_decap(m, &rx), 0);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(m), inner_len);
	got = mbuf_bytes(m);
	ck_assert_int_eq(memcmp(got, inner, inner_len), 0);
	free(got);
	free(inner);
	rte_pktmbuf_free(m);
	vtep_stt_reasm_free(r);
	check_no_leak();
}

START_TEST(test_segment_9000)
{
	check_big(0, 9000, 7);
	check_big(1, 9000, 7);
}
END_TEST

/* Zero-copy segments (an uplink that sends chains), from inputs whose buffers hold 1001
 * bytes each (slices at odd offsets, several per segment) and from whole buffers, with the
 * small head pool and without it. */
START_TEST(test_segment_zero_copy)
{
	static const uint32_t pieces[] = { 0, 1001, 7 };
	unsigned int i, h;

	g_chain = true;
	for (h = 0; h < 2; h++) {
		g_hdr_pool = h ? g_small_pool : NULL;
		for (i = 0; i < RTE_DIM(pieces); i++) {
			g_piece = pieces[i];
			check_big(0, 9000, 7);
			check_big(1, 9000, 7);
			if (pieces[i] != 7)
				check_big(0, 64000, 44);
		}
	}
	g_piece = 0;
	g_hdr_pool = NULL;
	g_chain = false;
}
END_TEST

START_TEST(test_segment_64000)
{
	check_big(0, 64000, 44);      /* 64018 / 1460 */
	check_big(1, 64000, 45);      /* 64018 / 1440 */
	check_big(0, 65535 - 18, 45); /* the largest STT frame */
}
END_TEST

/* tso_encap: @p inner into one TSO packet with ctx.stt_tso (frame_max: the device's limit);
 * @return the packet (its fields checked against DPDK's own pseudo-header sum). */
static struct rte_mbuf *
tso_encap(const uint8_t *inner, uint32_t len, uint16_t frame_max, bool shared,
	  uint16_t want_segsz)
{
	struct vtep_tnl_template t;
	struct vtep_tnl_encap_ctx ctx = {.pool = g_pool, .stt_frame_id = 9, .stt_chain = true,
					 .stt_tso = true, .stt_tso_frame_max = frame_max};
	struct rte_mbuf *out[MAX_SEGS], *m;
	const struct vtep_stt_tcp *th;
	struct rte_ipv4_hdr *ip;
	unsigned int reason = 0;
	uint8_t *b;

	mk_template(0, 1500, &t);
	m = mk_mbuf(g_pool, inner, len);
	if (shared)
		rte_mbuf_refcnt_update(m, 1);
	ck_assert_int_eq(vtep_tnl_encap(&t, m, 0xabcdef, &ctx, out, MAX_SEGS, &reason), 1);
	ck_assert_uint_eq(ctx.stt_frame_id, 10);
	/* a buffer another holder shares is not written: the headers come in a mbuf of their own */
	ck_assert(shared ? out[0] != m : out[0] == m);
	if (shared)
		rte_mbuf_refcnt_update(m, -1);
	ck_assert_uint_eq(out[0]->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK,
			  RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM |
			  RTE_MBUF_F_TX_TCP_SEG);
	ck_assert_uint_eq(out[0]->l2_len, 14);
	ck_assert_uint_eq(out[0]->l3_len, 20);
	ck_assert_uint_eq(out[0]->l4_len, 20);
	ck_assert_uint_eq(out[0]->tso_segsz, want_segsz);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(out[0]), 14 + 20 + 20 + 18 + len);
	b = mbuf_bytes(out[0]);
	ip = (struct rte_ipv4_hdr *)(b + 14);
	th = (const struct vtep_stt_tcp *)(b + 34);
	ck_assert_uint_eq(ip->hdr_checksum, 0);
	/* beyond 16 bits (the largest STT frame): 0 */
	ck_assert_uint_eq(ntohs(ip->total_length), 58 + len <= 65535 ? 58 + len : 0);
	ck_assert_uint_eq(ntohl(th->seq), (len + 18) << 16);
	ck_assert_uint_eq(ntohl(th->ack), 9);
	ck_assert_uint_eq(ntohs(th->src_port), 49152 + 0xabcdef % 16384);
	/* DPDK's TSO contract: the pseudo-header sum without the length, not inverted */
	ck_assert_uint_eq(th->cksum, rte_ipv4_phdr_cksum(ip, out[0]->ol_flags));
	ck_assert_int_eq(memcmp(b + 14 + 20 + 20 + 18, inner, len), 0);
	free(b);
	return out[0];
}

/* Segmentation by the uplink (TSO): one packet per frame that the software path would
 * cut, with the same STT header; frames that fit and IPv6 underlays are not offloaded. */
START_TEST(test_encap_tso)
{
	uint8_t *inner = mk_inner(65535 - 18);
	struct rte_mbuf *sw[MAX_SEGS], *m, *out[MAX_SEGS];
	struct vtep_tnl_template t6;
	struct vtep_tnl_encap_ctx ctx = {.pool = g_pool, .stt_tso = true};
	unsigned int reason = 0;
	uint8_t *a, *b;
	int n;

	m = tso_encap(inner, 9000, 0, false, 1460);
	/* its STT header is the one the first software segment carries */
	n = encap(0, 1500, inner, 9000, 0xabcdef, 9, sw);
	ck_assert_int_eq(n, 7);
	a = mbuf_bytes(m);
	b = mbuf_bytes(sw[0]);
	ck_assert_int_eq(memcmp(a + 54, b + 54, 18), 0);
	free(a);
	free(b);
	free_all(sw, n);
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(tso_encap(inner, 9000, 1504, true, 1450));  /* net_tap's limit */
	rte_pktmbuf_free(tso_encap(inner, 65535 - 18, 0, false, 1460));
	/* a frame that fits one packet: complete checksums, no offload */
	m = mk_mbuf(g_pool, inner, 200);
	mk_template(0, 1500, &t6);
	ck_assert_int_eq(vtep_tnl_encap(&t6, m, 1, &ctx, out, MAX_SEGS, &reason), 1);
	ck_assert_uint_eq(out[0]->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK, 0);
	rte_pktmbuf_free(out[0]);
	/* a device that needs even pieces (net_tap): TSO for 1000-byte buffers, vtepsw's own
	 * segments for 1001-byte ones */
	ctx.stt_tso_even = true;
	ctx.stt_chain = true;
	g_piece = 1000;
	m = mk_mbuf(g_pool, inner, 9000);
	ck_assert_int_eq(vtep_tnl_encap(&t6, m, 1, &ctx, out, MAX_SEGS, &reason), 1);
	ck_assert(out[0]->ol_flags & RTE_MBUF_F_TX_TCP_SEG);
	rte_pktmbuf_free(out[0]);
	g_piece = 1001;
	m = mk_mbuf(g_pool, inner, 9000);
	ck_assert_int_eq(vtep_tnl_encap(&t6, m, 1, &ctx, out, MAX_SEGS, &reason), 7);
	free_all(out, 7);
	/* the device's descriptor limits: 10 mbufs (9 pieces + the headers) in all, and a
	 * 1460-byte segment over 1000-byte pieces touches up to 4 of them with the headers */
	g_piece = 1000;
	for (n = 0; n < 4; n++) {
		static const uint16_t lim[4][2] = { {9, 0}, {10, 0}, {0, 3}, {0, 4} };

		ctx.stt_tso_max_segs = lim[n][0];
		ctx.stt_tso_max_mtu_segs = lim[n][1];
		m = mk_mbuf(g_pool, inner, 9000);
		ck_assert_int_eq(vtep_tnl_encap(&t6, m, 1, &ctx, out, MAX_SEGS, &reason),
				 n & 1 ? 1 : 7);
		free_all(out, n & 1 ? 1 : 7);
	}
	ctx.stt_tso_max_segs = 0;
	ctx.stt_tso_max_mtu_segs = 0;
	g_piece = 0;
	ctx.stt_tso_even = false;
	ctx.stt_chain = false;
	/* segments vtepsw cuts itself, checksums left to the device (IPv6 underlay or no TSO),
	 * copied or zero-copy: the pseudo-header sums DPDK's checksum offload starts from */
	for (n = 0; n < 4; n++) {
		struct rte_mbuf *o[MAX_SEGS];
		int k, i;

		mk_template(n & 1, 1500, &t6);
		ctx.stt_tso = false;
		ctx.stt_csum = true;
		ctx.stt_chain = n >= 2;
		m = mk_mbuf(g_pool, inner, 9000);
		k = vtep_tnl_encap(&t6, m, 1, &ctx, o, MAX_SEGS, &reason);
		ck_assert_int_eq(k, 7);
		for (i = 0; i < k; i++) {
			uint8_t *p = mbuf_bytes(o[i]);
			const struct vtep_stt_tcp *th =
				(const struct vtep_stt_tcp *)(p + 14 + (n & 1 ? 40 : 20));

			ck_assert_uint_eq(o[i]->l2_len, 14);
			ck_assert_uint_eq(o[i]->l4_len, 20);
			if (n & 1) {
				ck_assert_uint_eq(o[i]->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK,
						  RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_TCP_CKSUM);
				ck_assert_uint_eq(th->cksum, rte_ipv6_phdr_cksum(
					(const struct rte_ipv6_hdr *)(p + 14), o[i]->ol_flags));
			} else {
				const struct rte_ipv4_hdr *ip = (const void *)(p + 14);

				ck_assert_uint_eq(o[i]->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK,
						  RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
						  RTE_MBUF_F_TX_TCP_CKSUM);
				ck_assert_uint_eq(ip->hdr_checksum, 0);
				ck_assert_uint_eq(th->cksum, rte_ipv4_phdr_cksum(ip, o[i]->ol_flags));
			}
			free(p);
		}
		free_all(o, k);
	}
	ctx.stt_csum = false;
	ctx.stt_chain = false;
	ctx.stt_tso = true;
	/* IPv6 underlay: segmented here */
	mk_template(1, 1500, &t6);
	m = mk_mbuf(g_pool, inner, 9000);
	ck_assert_int_eq(vtep_tnl_encap(&t6, m, 1, &ctx, out, MAX_SEGS, &reason), 7);
	for (n = 0; n < 7; n++)
		ck_assert_uint_eq(out[n]->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK, 0);
	free_all(out, 7);
	free(inner);
	check_no_leak();
}
END_TEST

START_TEST(test_encap_errors)
{
	struct vtep_tnl_template t;
	struct vtep_tnl_encap_ctx ctx = {.pool = g_pool, .stt_frame_id = 5};
	struct rte_mempool *small;
	struct rte_mbuf *out[MAX_SEGS], *m;
	uint8_t *inner = mk_inner(65535);
	unsigned int reason = 0;

	mk_template(0, 1500, &t);
	/* STT frame of 65536 bytes. */
	m = mk_mbuf(g_pool, inner, 65535 - 17);
	ck_assert_int_eq(vtep_tnl_encap(&t, m, 1, &ctx, out, MAX_SEGS, &reason), -1);
	ck_assert_uint_eq(reason, VTEP_DROP_STT_OVERSIZE);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(m), 65535 - 17);
	rte_pktmbuf_free(m);

	/* Not enough room in out[]. */
	m = mk_mbuf(g_pool, inner, 9000);
	ck_assert_int_eq(vtep_tnl_encap(&t, m, 1, &ctx, out, 6, &reason), -1);
	ck_assert_uint_eq(reason, VTEP_DROP_MTU_EXCEEDED);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(m), 9000);

	/* Pool exhausted: m untouched, nothing leaked from either pool. */
	small = rte_pktmbuf_pool_create("ckstt_small", 5, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					SOCKET_ID_ANY);
	ck_assert_ptr_nonnull(small);
	ctx.pool = small;
	ck_assert_int_eq(vtep_tnl_encap(&t, m, 1, &ctx, out, MAX_SEGS, &reason), -1);
	ck_assert_uint_eq(reason, VTEP_DROP_NO_MBUF);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(m), 9000);
	ck_assert_uint_eq(rte_mempool_avail_count(small), 5);
	ck_assert_uint_eq(ctx.stt_frame_id, 5);
	/* The same, zero copy: 7 heads and 7 slices fit (2 x 7 of 16 buffers), the slices of
	 * 1001-byte input buffers do not, so the slices made so far are undone. */
	rte_pktmbuf_free(m);
	rte_mempool_free(small);
	small = rte_pktmbuf_pool_create("ckstt_small", 16, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					SOCKET_ID_ANY);
	ck_assert_ptr_nonnull(small);
	g_piece = 1001;
	m = mk_mbuf(g_pool, inner, 9000);
	g_piece = 0;
	ctx.pool = small;
	ctx.stt_chain = true;
	ck_assert_int_eq(vtep_tnl_encap(&t, m, 1, &ctx, out, MAX_SEGS, &reason), -1);
	ck_assert_uint_eq(reason, VTEP_DROP_NO_MBUF);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(m), 9000);
	ck_assert_uint_eq(rte_mbuf_refcnt_read(m), 1);
	ck_assert_uint_eq(rte_mempool_avail_count(small), 16);
	ck_assert_uint_eq(ctx.stt_frame_id, 5);
	rte_pktmbuf_free(m);
	rte_mempool_free(small);
	free(inner);
	check_no_leak();
}
END_TEST

/* Run the parse op over a hand-made TCP-like header + STT header. */
static enum vtep_ul_class
parse(uint32_t seq, uint8_t doff, uint8_t version, uint64_t ctx, uint32_t payload,
      struct vtep_tnl_rx *rx)
{
	static uint8_t buf[256];
	struct vtep_tnl_rx_cfg cfg;
	unsigned int i;

	memset(buf, 0, sizeof(buf));
	buf[0] = 0xc0;
	buf[1] = 0x01;
	buf[2] = 7471 >> 8;
	buf[3] = 7471 & 0xff;
	buf[4] = seq >> 24;
	buf[5] = seq >> 16;
	buf[6] = seq >> 8;
	buf[7] = seq;
	buf[11] = 9;
	buf[12] = doff << 4;
	buf[20] = version;
	for (i = 0; i < 8; i++)
		buf[20 + 8 + i] = (uint8_t)(ctx >> (56 - 8 * i));
	mk_rx_cfg(&cfg);
	memset(rx, 0, sizeof(*rx));
	return vtep_tunnel_stt_ops.parse(&cfg, buf, 20 + payload, rx);
}

START_TEST(test_parse)
{
	struct vtep_tnl_rx rx;

	ck_assert_int_eq(parse(100u << 16, 5, 0, 0x1388, 100, &rx), VTEP_UL_TUNNEL);
	ck_assert_uint_eq(rx.vni, 5000);
	ck_assert_uint_eq(rx.inner_off, 38);
	ck_assert_uint_eq(rx.stt_frame_len, 100);
	ck_assert_uint_eq(rx.stt_frame_id, 9);
	ck_assert_uint_eq(rx.stt_sport, 0xc001);
	/* A middle segment: no header checks, no VNI. */
	ck_assert_int_eq(parse(1000u << 16 | 500, 5, 7, 0, 100, &rx), VTEP_UL_TUNNEL);
	ck_assert_uint_eq(rx.stt_frag_off, 500);
	ck_assert_uint_eq(rx.stt_payload_len, 100);
	ck_assert_uint_eq(rx.inner_off, 0);
	/* Errors. */
	ck_assert_int_eq(parse(100u << 16, 5, 1, 0x1388, 100, &rx), VTEP_UL_DROP);
	ck_assert_uint_eq(rx.drop, VTEP_DROP_TNL_BAD_FLAGS);
	ck_assert_int_eq(parse(100u << 16, 5, 0, 0x1000000, 100, &rx), VTEP_UL_DROP);
	ck_assert_uint_eq(rx.drop, VTEP_DROP_TNL_UNKNOWN_VNI);
	ck_assert_int_eq(parse(31u << 16, 5, 0, 1, 31, &rx), VTEP_UL_DROP);
	ck_assert_uint_eq(rx.drop, VTEP_DROP_TNL_BAD_LENGTH);
	ck_assert_int_eq(parse(100u << 16 | 50, 5, 0, 1, 51, &rx), VTEP_UL_DROP);
	ck_assert_uint_eq(rx.drop, VTEP_DROP_STT_OVERSIZE);
	ck_assert_int_eq(parse(100u << 16, 4, 0, 1, 100, &rx), VTEP_UL_DROP);
	ck_assert_uint_eq(rx.drop, VTEP_DROP_TNL_BAD_LENGTH);
	ck_assert_int_eq(parse(100u << 16, 15, 0, 1, 10, &rx), VTEP_UL_DROP);
	ck_assert_uint_eq(rx.drop, VTEP_DROP_TNL_TRUNCATED);
	ck_assert_int_eq(parse(100u << 16, 5, 0, 1, 0, &rx), VTEP_UL_DROP);
	ck_assert_uint_eq(rx.drop, VTEP_DROP_TNL_BAD_LENGTH);
}
END_TEST

START_TEST(test_classify_golden)
{
	struct vtep_tnl_rx_cfg cfg;
	struct vtep_tnl_rx rx;
	unsigned int v;

	mk_rx_cfg(&cfg);
	for (v = 0; v < VTEP_ARRAY_SIZE(stt_vecs); v++) {
		const struct stt_vec *sv = &stt_vecs[v];
		struct rte_mbuf *m;
		uint8_t *b;

		if (sv->nsegs != 1)
			continue;
		m = mk_mbuf(g_pool, sv->segs[0], sv->seg_lens[0]);
		ck_assert_int_eq(vtep_tnl_classify(&cfg, m, &rx), VTEP_UL_TUNNEL);
		ck_assert_uint_eq(rx.vni, 5000);
		ck_assert_uint_eq(rx.stt_frame_id, sv->frame_id);
		ck_assert_int_eq(vtep_tnl_decap(m, &rx), 0);
		b = mbuf_bytes(m);
		ck_assert_uint_eq(rte_pktmbuf_pkt_len(m), sv->inner_len);
		ck_assert_int_eq(memcmp(b, sv->inner, sv->inner_len), 0);
		free(b);
		rte_pktmbuf_free(m);
	}
	check_no_leak();
}
END_TEST

/* Reassembly fixture: the 7 segments of one 9000-byte frame. */
struct frame_segs {
	struct rte_mbuf *seg[MAX_SEGS];
	int n;
	uint8_t *inner;
};

static void
mk_segs(struct frame_segs *fs, uint32_t hash, uint32_t id, uint16_t mtu)
{
	fs->inner = mk_inner(9000);
	fs->n = encap(0, mtu, fs->inner, 9000, hash, id, fs->seg);
}

static void
free_segs(struct frame_segs *fs)
{
	free_all(fs->seg, fs->n);
	free(fs->inner);
	fs->n = 0;
}

/* Classify a copy of @p seg and feed it. */
static struct rte_mbuf *
feed(struct vtep_stt_reasm *r, const struct rte_mbuf *seg, uint64_t now,
     unsigned int *reason, struct vtep_tnl_rx *rx)
{
	struct vtep_tnl_rx_cfg cfg;
	struct rte_mbuf *m = rte_pktmbuf_copy(seg, g_pool, 0, UINT32_MAX);

	ck_assert_ptr_nonnull(m);
	mk_rx_cfg(&cfg);
	ck_assert_int_eq(vtep_tnl_classify(&cfg, m, rx), VTEP_UL_TUNNEL);
	return vtep_stt_reasm_input(r, m, rx, now, reason);
}

static struct vtep_stt_reasm *
mk_reasm(uint32_t cap, uint32_t max_frames)
{
	struct vtep_stt_reasm_params rp = {
		.mem_cap_bytes = cap, .timeout_ms = 1000, .max_frames = max_frames,
		.socket_id = SOCKET_ID_ANY};
	struct vtep_stt_reasm *r = NULL;

	ck_assert_int_eq(vtep_stt_reasm_create(&rp, &r), 0);
	return r;
}

/* Check a reassembled frame against the original inner frame. */
static void
check_frame(struct rte_mbuf *m, const struct vtep_tnl_rx *rx, const uint8_t *inner)
{
	const char *why = NULL;
	uint8_t *b;

	ck_assert_ptr_nonnull(m);
	/* nb_segs and pkt_len must agree with the chain the reassembly linked */
	ck_assert_msg(rte_mbuf_check(m, 1, &why) == 0, "bad chain: %s", why);
	ck_assert_uint_eq(rx->vni, 5000);
	ck_assert_uint_eq(rx->inner_off, 18);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(m), 9018);
	b = mbuf_bytes(m);
	ck_assert_int_eq(memcmp(b + 18, inner, 9000), 0);
	free(b);
	rte_pktmbuf_free(m);
}

/* Feed the segments of @p fs in @p order; the last one must complete the frame. */
static void
feed_order(struct vtep_stt_reasm *r, struct frame_segs *fs, const int *order)
{
	struct vtep_tnl_rx rx;
	struct rte_mbuf *m = NULL;
	unsigned int reason;
	int i;

	for (i = 0; i < fs->n; i++) {
		m = feed(r, fs->seg[order[i]], T0 + i, &reason, &rx);
		if (i < fs->n - 1) {
			ck_assert_ptr_null(m);
			ck_assert_uint_eq(reason, VTEP_DROP_STT_REASM_PENDING);
		}
	}
	check_frame(m, &rx, fs->inner);
}

START_TEST(test_reasm_orders)
{
	struct vtep_stt_reasm *r = mk_reasm(1 << 20, 16);
	struct vtep_stt_reasm_stats st;
	struct frame_segs fs;
	int order[MAX_SEGS], i, j, k;
	uint32_t seed = 12345;

	mk_segs(&fs, 1, 100, 1500);
	ck_assert_int_eq(fs.n, 7);
	for (i = 0; i < fs.n; i++)
		order[i] = i;
	feed_order(r, &fs, order);
	for (i = 0; i < fs.n; i++)
		order[i] = fs.n - 1 - i;
	feed_order(r, &fs, order);
	/* Random permutations with a fixed seed (Fisher-Yates over an LCG). */
	for (k = 0; k < 20; k++) {
		for (i = 0; i < fs.n; i++)
			order[i] = i;
		for (i = fs.n - 1; i > 0; i--) {
			int tmp;

			seed = seed * 1103515245u + 12345u;
			j = (int)((seed >> 16) % (uint32_t)(i + 1));
			tmp = order[i];
			order[i] = order[j];
			order[j] = tmp;
		}
		feed_order(r, &fs, order);
	}
	vtep_stt_reasm_stats(r, &st);
	ck_assert_uint_eq(st.frames_done, 22);
	ck_assert_uint_eq(st.frames_held, 0);
	ck_assert_uint_eq(st.bytes_held, 0);
	vtep_stt_reasm_free(r);
	free_segs(&fs);
	check_no_leak();
}
END_TEST

/* Drops are counted per segment: a frame dropped while held reports every segment it held
 * (vtep_stt_reasm_take_drops), the segment passed in reports itself, and a completed or
 * refused frame tells how many segments it was (vtep_stt_reasm_nsegs). */
START_TEST(test_reasm_segment_drops)
{
	struct vtep_stt_reasm *r = mk_reasm(1 << 20, 16);
	struct vtep_stt_reasm_drops d;
	struct frame_segs fs, fs2;
	struct vtep_tnl_rx rx;
	struct rte_mbuf *m = NULL, *ov;
	unsigned int reason;
	uint8_t *seq;
	uint16_t off;
	int i;

	mk_segs(&fs, 2, 300, 1500);
	mk_segs(&fs2, 3, 301, 1500);
	memset(&d, 0, sizeof(d));
	ck_assert(!vtep_stt_reasm_take_drops(r, &d));
	/* 3 held, then an overlapping segment: 3 held drops + the segment itself */
	for (i = 0; i < 3; i++)
		ck_assert_ptr_null(feed(r, fs.seg[i], T0, &reason, &rx));
	/* segment 3 moved 100 bytes back (IPv4 outer: seq at byte 38) overlaps segment 2 */
	ov = rte_pktmbuf_copy(fs.seg[3], g_pool, 0, UINT32_MAX);
	ck_assert_ptr_nonnull(ov);
	seq = rte_pktmbuf_mtod_offset(ov, uint8_t *, 38);
	off = (uint16_t)((seq[2] << 8 | seq[3]) - 100);
	seq[2] = (uint8_t)(off >> 8);
	seq[3] = (uint8_t)off;
	m = feed(r, ov, T0, &reason, &rx);
	rte_pktmbuf_free(ov);
	ck_assert_ptr_null(m);
	ck_assert_uint_eq(reason, VTEP_DROP_STT_OVERLAP);
	ck_assert_uint_eq(vtep_stt_reasm_nsegs(r), 1);
	ck_assert(vtep_stt_reasm_take_drops(r, &d));
	ck_assert_uint_eq(d.overlap, 3);
	ck_assert_uint_eq(d.cap_reached + d.expired, 0);
	ck_assert(!vtep_stt_reasm_take_drops(r, &d));
	/* 4 held segments expire: 4 drops */
	for (i = 0; i < 4; i++)
		ck_assert_ptr_null(feed(r, fs2.seg[i], T0, &reason, &rx));
	ck_assert_uint_eq(vtep_stt_reasm_expire(r, T0 + 1000), 1);
	memset(&d, 0, sizeof(d));
	ck_assert(vtep_stt_reasm_take_drops(r, &d));
	ck_assert_uint_eq(d.expired, 4);
	/* a complete frame was made of fs.n segments */
	for (i = 0; i < fs.n; i++)
		m = feed(r, fs.seg[i], T0 + 2000, &reason, &rx);
	ck_assert_uint_eq(vtep_stt_reasm_nsegs(r), fs.n);
	check_frame(m, &rx, fs.inner);
	vtep_stt_reasm_free(r);
	free_segs(&fs);
	free_segs(&fs2);
	check_no_leak();
}
END_TEST

START_TEST(test_reasm_duplicates)
{
	struct vtep_stt_reasm *r = mk_reasm(1 << 20, 16);
	struct vtep_stt_reasm_stats st;
	struct frame_segs fs;
	struct vtep_tnl_rx rx;
	struct rte_mbuf *m = NULL;
	unsigned int reason;
	int i;

	mk_segs(&fs, 2, 200, 1500);
	ck_assert_ptr_null(feed(r, fs.seg[0], T0, &reason, &rx));
	ck_assert_ptr_null(feed(r, fs.seg[0], T0, &reason, &rx));
	ck_assert_uint_eq(reason, VTEP_DROP_STT_DUPLICATE);
	ck_assert_ptr_null(feed(r, fs.seg[3], T0, &reason, &rx));
	ck_assert_ptr_null(feed(r, fs.seg[3], T0, &reason, &rx));
	ck_assert_uint_eq(reason, VTEP_DROP_STT_DUPLICATE);
	for (i = 1; i < fs.n; i++) {
		if (i == 3)
			continue;
		m = feed(r, fs.seg[i], T0, &reason, &rx);
	}
	check_frame(m, &rx, fs.inner);
	vtep_stt_reasm_stats(r, &st);
	ck_assert_uint_eq(st.duplicates, 2);
	ck_assert_uint_eq(st.frames_done, 1);
	/* A duplicate of an already completed frame starts a new (doomed) frame. */
	ck_assert_ptr_null(feed(r, fs.seg[1], T0, &reason, &rx));
	ck_assert_uint_eq(vtep_stt_reasm_expire(r, T0 + 1000), 1);
	vtep_stt_reasm_free(r);
	free_segs(&fs);
	check_no_leak();
}
END_TEST

START_TEST(test_reasm_timeout)
{
	struct vtep_stt_reasm *r = mk_reasm(1 << 20, 16);
	struct vtep_stt_reasm_stats st;
	struct frame_segs fs;
	struct vtep_tnl_rx rx;
	unsigned int reason;
	int i;

	mk_segs(&fs, 3, 300, 1500);
	for (i = 0; i < fs.n; i++)
		if (i != 4)
			ck_assert_ptr_null(feed(r, fs.seg[i], T0 + 10 * i, &reason, &rx));
	vtep_stt_reasm_stats(r, &st);
	ck_assert_uint_eq(st.frames_held, 1);
	ck_assert_uint_gt(st.bytes_held, 6 * 1460);
	ck_assert_uint_eq(vtep_stt_reasm_expire(r, T0 + 999), 0);
	ck_assert_uint_eq(vtep_stt_reasm_expire(r, T0 + 1000), 1);
	vtep_stt_reasm_stats(r, &st);
	ck_assert_uint_eq(st.expired, 1);
	ck_assert_uint_eq(st.frames_held, 0);
	ck_assert_uint_eq(st.bytes_held, 0);
	/* The late segment alone starts a new frame, which a stale check on input drops. */
	ck_assert_ptr_null(feed(r, fs.seg[4], T0 + 2000, &reason, &rx));
	ck_assert_ptr_null(feed(r, fs.seg[5], T0 + 3000, &reason, &rx));
	vtep_stt_reasm_stats(r, &st);
	ck_assert_uint_eq(st.expired, 2);
	ck_assert_uint_eq(st.frames_held, 1);
	vtep_stt_reasm_free(r);
	free_segs(&fs);
	check_no_leak();
}
END_TEST

START_TEST(test_reasm_bad_segments)
{
	struct vtep_stt_reasm *r = mk_reasm(1 << 20, 16);
	struct vtep_stt_reasm_stats st;
	struct frame_segs a, b;
	struct vtep_tnl_rx rx, rx2;
	struct vtep_tnl_rx_cfg cfg;
	struct rte_mbuf *m;
	unsigned int reason;

	mk_rx_cfg(&cfg);
	/* Same frame (same key), segmented at two MTUs: boundaries differ. */
	mk_segs(&a, 4, 400, 1500);
	mk_segs(&b, 4, 400, 1000);
	ck_assert_ptr_null(feed(r, a.seg[0], T0, &reason, &rx));
	ck_assert_ptr_null(feed(r, b.seg[1], T0, &reason, &rx));
	ck_assert_uint_eq(reason, VTEP_DROP_STT_OVERLAP);
	vtep_stt_reasm_stats(r, &st);
	ck_assert_uint_eq(st.overlap, 1);
	ck_assert_uint_eq(st.frames_held, 0);
	ck_assert_uint_eq(st.bytes_held, 0);
	/* Same offset, different length. */
	ck_assert_ptr_null(feed(r, a.seg[0], T0, &reason, &rx));
	ck_assert_ptr_null(feed(r, b.seg[0], T0, &reason, &rx));
	ck_assert_uint_eq(reason, VTEP_DROP_STT_OVERLAP);

	/* Frame length mismatch for the same key. */
	ck_assert_ptr_null(feed(r, a.seg[1], T0, &reason, &rx));
	m = rte_pktmbuf_copy(a.seg[2], g_pool, 0, UINT32_MAX);
	ck_assert_int_eq(vtep_tnl_classify(&cfg, m, &rx2), VTEP_UL_TUNNEL);
	rx2.stt_frame_len = 9500;
	ck_assert_ptr_null(vtep_stt_reasm_input(r, m, &rx2, T0, &reason));
	ck_assert_uint_eq(reason, VTEP_DROP_STT_OVERLAP);

	/* Beyond the frame length. */
	m = rte_pktmbuf_copy(a.seg[6], g_pool, 0, UINT32_MAX);
	ck_assert_int_eq(vtep_tnl_classify(&cfg, m, &rx2), VTEP_UL_TUNNEL);
	rx2.stt_frag_off = (uint16_t)(9018 - rx2.stt_payload_len + 1);
	ck_assert_ptr_null(vtep_stt_reasm_input(r, m, &rx2, T0, &reason));
	ck_assert_uint_eq(reason, VTEP_DROP_STT_OVERSIZE);

	vtep_stt_reasm_stats(r, &st);
	ck_assert_uint_eq(st.overlap, 3);
	ck_assert_uint_eq(st.oversize, 1);
	ck_assert_uint_eq(st.frames_held, 0);
	ck_assert_uint_eq(st.bytes_held, 0);
	vtep_stt_reasm_free(r);
	free_segs(&a);
	free_segs(&b);
	check_no_leak();
}
END_TEST

START_TEST(test_reasm_cap)
{
	uint32_t bl = rte_pktmbuf_data_room_size(g_pool);
	struct vtep_stt_reasm *r = mk_reasm(3 * bl, 16);
	struct vtep_stt_reasm_stats st;
	struct frame_segs a, b;
	struct vtep_tnl_rx rx;
	struct rte_mbuf *m = NULL;
	unsigned int reason;
	int i;

	mk_segs(&a, 5, 500, 1500);
	mk_segs(&b, 6, 600, 1500);
	/* A 7-segment frame never fits a cap of 3 buffers: dropped at its 4th segment. */
	for (i = 0; i < 3; i++)
		ck_assert_ptr_null(feed(r, a.seg[i], T0, &reason, &rx));
	ck_assert_ptr_null(feed(r, a.seg[3], T0, &reason, &rx));
	ck_assert_uint_eq(reason, VTEP_DROP_STT_CAP_REACHED);
	vtep_stt_reasm_stats(r, &st);
	ck_assert_uint_eq(st.cap_reached, 1);
	ck_assert_uint_eq(st.bytes_held, 0);
	ck_assert_uint_eq(st.frames_held, 0);
	vtep_stt_reasm_free(r);

	/* Cap of 8 buffers: a newer frame evicts the older partial one and completes. */
	r = mk_reasm(8 * bl, 16);
	for (i = 0; i < 3; i++)
		ck_assert_ptr_null(feed(r, a.seg[i], T0, &reason, &rx));
	for (i = 0; i < b.n; i++) {
		m = feed(r, b.seg[i], T0 + 1, &reason, &rx);
		vtep_stt_reasm_stats(r, &st);
		ck_assert_uint_le(st.bytes_held, 8 * bl);
	}
	check_frame(m, &rx, b.inner);
	vtep_stt_reasm_stats(r, &st);
	ck_assert_uint_eq(st.cap_reached, 1);
	ck_assert_uint_eq(st.frames_done, 1);
	ck_assert_uint_eq(st.frames_held, 0);
	vtep_stt_reasm_free(r);
	free_segs(&a);
	free_segs(&b);
	check_no_leak();
}
END_TEST

/* vtep_stt_reasm_set_limits(): a shorter timeout and a lower cap apply to held frames. */
START_TEST(test_reasm_set_limits)
{
	uint32_t bl = rte_pktmbuf_data_room_size(g_pool);
	struct vtep_stt_reasm *r = mk_reasm(1 << 20, 16);
	struct vtep_stt_reasm_stats st;
	struct frame_segs a, b;
	struct vtep_tnl_rx rx;
	unsigned int reason;
	int i;

	mk_segs(&a, 7, 700, 1500);
	mk_segs(&b, 8, 800, 1500);
	for (i = 0; i < 3; i++)
		ck_assert_ptr_null(feed(r, a.seg[i], T0, &reason, &rx));
	vtep_stt_reasm_set_limits(r, 1 << 20, 100);
	ck_assert_uint_eq(vtep_stt_reasm_expire(r, T0 + 99), 0);
	ck_assert_uint_eq(vtep_stt_reasm_expire(r, T0 + 100), 1);
	/* 0 is not a limit: ignored */
	vtep_stt_reasm_set_limits(r, 0, 0);
	for (i = 0; i < 3; i++)
		ck_assert_ptr_null(feed(r, a.seg[i], T0 + 200, &reason, &rx));
	ck_assert_uint_eq(vtep_stt_reasm_expire(r, T0 + 299), 0);
	/* cap lowered to 4 buffers below 3 held: the second segment of b evicts frame a */
	vtep_stt_reasm_set_limits(r, 4 * bl, 100);
	ck_assert_ptr_null(feed(r, b.seg[0], T0 + 201, &reason, &rx));
	vtep_stt_reasm_stats(r, &st);
	ck_assert_uint_eq(st.frames_held, 2);
	ck_assert_uint_eq(st.cap_reached, 0);
	ck_assert_ptr_null(feed(r, b.seg[1], T0 + 202, &reason, &rx));
	vtep_stt_reasm_stats(r, &st);
	ck_assert_uint_eq(st.frames_held, 1);
	ck_assert_uint_eq(st.cap_reached, 1);
	ck_assert_uint_le(st.bytes_held, 4 * bl);
	vtep_stt_reasm_free(r);
	free_segs(&a);
	free_segs(&b);
	check_no_leak();
}
END_TEST

START_TEST(test_reasm_table_full)
{
	struct vtep_stt_reasm *r = mk_reasm(1 << 22, 2);
	struct vtep_stt_reasm_stats st;
	struct frame_segs f[3];
	struct vtep_tnl_rx rx;
	struct rte_mbuf *m = NULL;
	unsigned int reason;
	int i;

	for (i = 0; i < 3; i++) {
		mk_segs(&f[i], 7, 700 + i, 1500);
		ck_assert_ptr_null(feed(r, f[i].seg[0], T0 + i, &reason, &rx));
	}
	vtep_stt_reasm_stats(r, &st);
	ck_assert_uint_eq(st.frames_held, 2);
	ck_assert_uint_eq(st.expired, 1);
	/* The oldest (frame 0) was evicted; frames 1 and 2 still complete. */
	for (i = 1; i < f[2].n; i++)
		m = feed(r, f[2].seg[i], T0 + 3, &reason, &rx);
	check_frame(m, &rx, f[2].inner);
	for (i = 1; i < f[1].n; i++)
		m = feed(r, f[1].seg[i], T0 + 3, &reason, &rx);
	check_frame(m, &rx, f[1].inner);
	/* Released entries are reused. */
	ck_assert_ptr_null(feed(r, f[0].seg[1], T0 + 10, &reason, &rx));
	vtep_stt_reasm_stats(r, &st);
	ck_assert_uint_eq(st.frames_held, 1);
	vtep_stt_reasm_free(r);
	for (i = 0; i < 3; i++)
		free_segs(&f[i]);
	check_no_leak();
}
END_TEST

START_TEST(test_reasm_flood)
{
	uint32_t cap = 64 * rte_pktmbuf_data_room_size(g_pool);
	struct vtep_stt_reasm *r = mk_reasm(cap, 256);
	struct vtep_stt_reasm_stats st;
	struct vtep_tnl_rx_cfg cfg;
	struct vtep_tnl_rx rx0, rx;
	struct frame_segs fs;
	struct rte_mbuf *m = NULL;
	uint32_t seed = 777;
	unsigned int reason;
	int i;

	mk_rx_cfg(&cfg);
	mk_segs(&fs, 8, 800, 1500);
	ck_assert_int_eq(vtep_tnl_classify(&cfg, fs.seg[1], &rx0), VTEP_UL_TUNNEL);
	for (i = 0; i < 10000; i++) {
		m = rte_pktmbuf_copy(fs.seg[1 + i % 5], g_pool, 0, UINT32_MAX);
		ck_assert_ptr_nonnull(m);
		ck_assert_int_eq(vtep_tnl_classify(&cfg, m, &rx), VTEP_UL_TUNNEL);
		seed = seed * 1103515245u + 12345u;
		rx.remote.v4.s_addr = seed;
		seed = seed * 1103515245u + 12345u;
		rx.stt_sport = (uint16_t)(seed >> 8);
		rx.stt_frame_id = seed ^ 0x5a5a5a5a;
		ck_assert_ptr_null(vtep_stt_reasm_input(r, m, &rx, T0 + i / 100, &reason));
		vtep_stt_reasm_stats(r, &st);
		ck_assert_uint_le(st.bytes_held, cap);
	}
	ck_assert_uint_ge(rte_mempool_avail_count(g_pool), POOL_SIZE - 64 - 2 * fs.n);
	for (i = 0; i < fs.n; i++)
		m = feed(r, fs.seg[i], T0 + 100, &reason, &rx);
	check_frame(m, &rx, fs.inner);
	vtep_stt_reasm_stats(r, &st);
	ck_assert_uint_le(st.bytes_held, cap);
	ck_assert_uint_eq(st.frames_done, 1);
	vtep_stt_reasm_free(r);
	free_segs(&fs);
	check_no_leak();
}
END_TEST

START_TEST(test_reasm_unsegmented)
{
	struct vtep_stt_reasm *r = mk_reasm(1 << 20, 4);
	const struct stt_vec *sv = &stt_vecs[0];
	struct vtep_tnl_rx_cfg cfg;
	struct vtep_tnl_rx rx;
	struct rte_mbuf *m;
	unsigned int reason;
	uint8_t *b;

	mk_rx_cfg(&cfg);
	m = mk_mbuf(g_pool, sv->segs[0], sv->seg_lens[0]);
	/* Ethernet padding after the IP payload must not end up in the frame. */
	memset(rte_pktmbuf_append(m, 6), 0, 6);
	ck_assert_int_eq(vtep_tnl_classify(&cfg, m, &rx), VTEP_UL_TUNNEL);
	m = vtep_stt_reasm_input(r, m, &rx, T0, &reason);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(rx.inner_off, 18);
	ck_assert_uint_eq(rx.vni, 5000);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(m), sv->inner_len + 18);
	ck_assert_int_eq(vtep_tnl_decap(m, &rx), 0);
	b = mbuf_bytes(m);
	ck_assert_int_eq(memcmp(b, sv->inner, sv->inner_len), 0);
	free(b);
	rte_pktmbuf_free(m);
	vtep_stt_reasm_free(r);
	vtep_stt_reasm_free(NULL);
	check_no_leak();
}
END_TEST

static Suite *
stt_suite(void)
{
	Suite *s = suite_create("stt");
	TCase *tc = tcase_create("stt");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_template);
	tcase_add_test(tc, test_golden);
	tcase_add_test(tc, test_segment_9000);
	tcase_add_test(tc, test_segment_64000);
	tcase_add_test(tc, test_segment_zero_copy);
	tcase_add_test(tc, test_encap_errors);
	tcase_add_test(tc, test_encap_tso);
	tcase_add_test(tc, test_encap_shared);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_classify_golden);
	tcase_add_test(tc, test_reasm_orders);
	tcase_add_test(tc, test_reasm_segment_drops);
	tcase_add_test(tc, test_reasm_duplicates);
	tcase_add_test(tc, test_reasm_timeout);
	tcase_add_test(tc, test_reasm_bad_segments);
	tcase_add_test(tc, test_reasm_cap);
	tcase_add_test(tc, test_reasm_set_limits);
	tcase_add_test(tc, test_reasm_table_full);
	tcase_add_test(tc, test_reasm_flood);
	tcase_add_test(tc, test_reasm_unsegmented);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	const char *pcap = getenv("VTEP_STT_PCAP");
	int failed;

	if (vtep_test_eal_init("test_stt", "256") != 0)
		return VTEP_TEST_SKIP;
	g_pool = rte_pktmbuf_pool_create("ckstt", POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					 SOCKET_ID_ANY);
	g_small_pool = rte_pktmbuf_pool_create("ckstth", HDR_POOL_SIZE, 0, 0,
					       RTE_PKTMBUF_HEADROOM + 128, SOCKET_ID_ANY);
	if (g_pool == NULL || g_small_pool == NULL) {
		fprintf(stderr, "test_stt: mbuf pool creation failed\n");
		return EXIT_FAILURE;
	}
	if (pcap != NULL) {
		uint32_t gh[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};

		g_pcap = fopen(pcap, "wb");
		if (g_pcap != NULL)
			fwrite(gh, sizeof(gh), 1, g_pcap);
	}
	failed = vtep_test_run(stt_suite());
	if (g_pcap != NULL)
		fclose(g_pcap);
	rte_mempool_free(g_pool);
	rte_mempool_free(g_small_pool);
	rte_eal_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
