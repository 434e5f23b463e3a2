/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of software TCP segmentation (lib/pkt/vtep_tso.c): segments byte-exact against
 * scapy's (test/data/gen_tso_vectors.py), MTU and buffer caps, 64 KiB chained frames, whole
 * frame checksums for STT, device preparation, and every refusal leaving the frame intact.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "vtep_pkt.h"
#include "vtep_test.h"
#include "../data/tso_vectors.h"

static struct rte_mempool *pool;

/* A chain holding @p len bytes of @p b in pieces of at most @p chunk bytes, marked as TSO. */
static struct rte_mbuf *
mk_chain(const uint8_t *b, uint32_t len, uint32_t chunk, uint16_t mss)
{
	struct rte_mbuf *head = NULL;
	uint32_t n;

	for (uint32_t off = 0; off < len; off += n) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

		ck_assert_ptr_nonnull(m);
		n = RTE_MIN(chunk, len - off);
		n = RTE_MIN(n, (uint32_t)rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_append(m, (uint16_t)n), b + off, n);
		if (head == NULL)
			head = m;
		else
			ck_assert_int_eq(rte_pktmbuf_chain(head, m), 0);
	}
	head->ol_flags = RTE_MBUF_F_TX_TCP_SEG;
	head->tso_segsz = mss;
	return head;
}

/* The bytes of a frame (flattened). */
static const uint8_t *
flat(const struct rte_mbuf *m, uint8_t *buf)
{
	return rte_pktmbuf_read(m, 0, m->pkt_len, buf);
}

START_TEST(golden_segments)
{
	const struct tso_vec *v = &tso_vectors[_i];
	struct rte_mbuf *out[VTEP_TSO_MAX_SEGS];
	unsigned int avail = rte_mempool_avail_count(pool);
	struct rte_mbuf *m = mk_chain(v->in, v->in_len, 700, v->mss);
	int n = vtep_tso_segment(m, 1500, pool, out, VTEP_TSO_MAX_SEGS);

	ck_assert_msg(n == (int)v->n_segs, "%s: %d segments, want %u", v->name, n, v->n_segs);
	for (int i = 0; i < n; i++) {
		ck_assert_uint_eq(out[i]->nb_segs, 1);
		ck_assert_uint_eq(out[i]->pkt_len, v->seg_len[i]);
		ck_assert_msg(memcmp(rte_pktmbuf_mtod(out[i], uint8_t *), v->segs[i],
				     v->seg_len[i]) == 0, "%s: segment %d differs from scapy's",
			      v->name, i);
		ck_assert_uint_eq(out[i]->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK, 0);
		ck_assert_uint_ge(rte_pktmbuf_headroom(out[i]), RTE_PKTMBUF_HEADROOM);
	}
	rte_pktmbuf_free_bulk(out, n);
	ck_assert_uint_eq(rte_mempool_avail_count(pool), avail);
}
END_TEST

/* One's complement sum of the TCP segment and its pseudo-header: 0xffff when correct. */
static uint16_t
tcp4_sum(const struct rte_ipv4_hdr *ip, const struct rte_tcp_hdr *th)
{
	uint32_t sum = rte_raw_cksum(th, rte_be_to_cpu_16(ip->total_length) - 20u);

	sum += rte_ipv4_phdr_cksum(ip, 0);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)((sum & 0xffff) + (sum >> 16));
}

/* Check every segment of an IPv4 stream: fits @p mtu, checksums verify, payload in order. */
static void
check_v4_stream(struct rte_mbuf **out, int n, uint32_t mtu, const uint8_t *payload,
		uint32_t plen, uint32_t hdrs)
{
	static uint8_t buf[65536];
	uint32_t off = 0;

	for (int i = 0; i < n; i++) {
		const uint8_t *f = flat(out[i], buf);
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(f + 14);
		const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(ip + 1);
		uint32_t seg = out[i]->pkt_len - hdrs;

		ck_assert_uint_le(rte_be_to_cpu_16(ip->total_length), mtu);
		ck_assert_uint_eq(rte_be_to_cpu_16(ip->total_length), out[i]->pkt_len - 14);
		ck_assert_uint_eq(rte_ipv4_cksum(ip), 0);
		ck_assert_uint_eq(tcp4_sum(ip, th), 0xffff);
		ck_assert_uint_eq(rte_be_to_cpu_32(th->sent_seq), 1000 + off);
		ck_assert_int_eq(memcmp(f + hdrs, payload + off, seg), 0);
		off += seg;
	}
	ck_assert_uint_eq(off, plen);
}

START_TEST(mtu_caps_segments)
{
	const struct tso_vec *v = &tso_vectors[0];          /* IPv4, 4000 bytes, mss 1000 */
	struct rte_mbuf *out[VTEP_TSO_MAX_SEGS];
	struct rte_mbuf *m = mk_chain(v->in, v->in_len, 4096, v->mss);
	uint32_t hdrs = 14 + 20 + 32;
	int n = vtep_tso_segment(m, 576, pool, out, VTEP_TSO_MAX_SEGS);

	/* 576 - 20 - 32 = 524 payload bytes per segment: 8 segments, not 4 */
	ck_assert_int_eq(n, 8);
	check_v4_stream(out, n, 576, v->in + hdrs, v->in_len - hdrs, hdrs);
	rte_pktmbuf_free_bulk(out, n);
}
END_TEST

/* scapy's IPv4 headers grown to the largest IPv4 packet: 65483 payload bytes. */
static uint8_t big[65549];
#define BIG_HDRS (14 + 20 + 32)

static void
mk_big(void)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(big + 14);

	memcpy(big, tso_vectors[0].in, BIG_HDRS);
	for (uint32_t i = BIG_HDRS; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 31 + 5);
	ip->total_length = rte_cpu_to_be_16(65535);
}

START_TEST(chained_64k)
{
	struct rte_mbuf *out[VTEP_TSO_MAX_SEGS];
	unsigned int avail = rte_mempool_avail_count(pool);
	uint32_t hdrs = BIG_HDRS;
	uint8_t *f = big;
	struct rte_mbuf *m;
	int n;

	mk_big();
	m = mk_chain(f, sizeof(big), 2000, 1448);
	/* VXLAN over a 1500-byte IPv4 underlay leaves 1450 bytes for the inner IP packet */
	n = vtep_tso_segment(m, 1450, pool, out, VTEP_TSO_MAX_SEGS);
	ck_assert_int_eq(n, (65483 + 1397) / 1398);
	check_v4_stream(out, n, 1450, f + hdrs, sizeof(big) - hdrs, hdrs);
	rte_pktmbuf_free_bulk(out, n);
	ck_assert_uint_eq(rte_mempool_avail_count(pool), avail);
}
END_TEST

/* Pieces larger than a buffer (what a frame too big for STT is cut into): chained. */
START_TEST(chained_pieces)
{
	struct rte_mbuf *out[VTEP_TSO_MAX_SEGS];
	unsigned int avail = rte_mempool_avail_count(pool);
	struct rte_mbuf *m;
	int n;

	mk_big();
	m = mk_chain(big, sizeof(big), 1000, 45 * 1448);
	n = vtep_tso_segment(m, 65535 - 18 - 14, pool, out, VTEP_TSO_MAX_SEGS);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_gt(out[0]->nb_segs, 1);
	ck_assert_uint_eq(out[0]->pkt_len, BIG_HDRS + 45 * 1448);
	check_v4_stream(out, n, 65503, big + BIG_HDRS, sizeof(big) - BIG_HDRS, BIG_HDRS);
	rte_pktmbuf_free_bulk(out, n);
	ck_assert_uint_eq(rte_mempool_avail_count(pool), avail);
}
END_TEST

START_TEST(whole_frame_checksum)
{
	const struct tso_vec *v = &tso_vectors[_i];
	static uint8_t buf[8192];
	struct rte_mbuf *m = mk_chain(v->in, v->in_len, 900, v->mss);

	/* what a guest leaves: the TCP checksum holds only a pseudo-header sum */
	ck_assert_int_eq(vtep_tso_prepare(m), 0);
	ck_assert_int_ne(memcmp(flat(m, buf), v->in, v->in_len), 0);
	ck_assert_int_eq(vtep_tso_checksum(m), 0);
	ck_assert_msg(memcmp(flat(m, buf), v->in, v->in_len) == 0,
		      "%s: whole-frame checksums differ from scapy's", v->name);
	ck_assert_uint_eq(m->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK, 0);
	rte_pktmbuf_free(m);
}
END_TEST

START_TEST(prepare_for_device)
{
	const struct tso_vec *v = &tso_vectors[2];          /* IPv6 behind an 802.1Q tag */
	struct rte_mbuf *m = mk_chain(v->in, v->in_len, 3000, v->mss);
	const struct rte_ipv6_hdr *ip6;
	const struct rte_tcp_hdr *th;

	ck_assert_int_eq(vtep_tso_prepare(m), 0);
	ck_assert_uint_eq(m->l2_len, 18);
	ck_assert_uint_eq(m->l3_len, 40);
	ck_assert_uint_eq(m->l4_len, 32);
	ck_assert(m->ol_flags & RTE_MBUF_F_TX_IPV6);
	ck_assert(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG);
	ip6 = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, 18);
	th = (const struct rte_tcp_hdr *)(ip6 + 1);
	/* addresses and protocol only, no length (DPDK's TSO contract) */
	ck_assert_uint_eq(th->cksum, rte_ipv6_phdr_cksum(ip6, RTE_MBUF_F_TX_TCP_SEG));
	ck_assert_uint_ne(th->cksum, rte_ipv6_phdr_cksum(ip6, 0));
	rte_pktmbuf_free(m);
}
END_TEST

START_TEST(refusals_leave_frame)
{
	const struct tso_vec *v = &tso_vectors[0];
	struct rte_mbuf *out[4];
	static uint8_t f[4066], buf[8192];
	struct rte_mempool *tiny;
	struct rte_mbuf *m;

	/* not TCP: the protocol byte of the IPv4 header says UDP */
	memcpy(f, v->in, v->in_len);
	f[14 + 9] = 17;
	m = mk_chain(f, v->in_len, 4096, v->mss);
	ck_assert_int_eq(vtep_tso_segment(m, 1500, pool, out, 4), -EINVAL);
	ck_assert_int_eq(vtep_tso_checksum(m), -EINVAL);
	ck_assert_int_eq(memcmp(flat(m, buf), f, v->in_len), 0);
	rte_pktmbuf_free(m);
	/* more segments than room for */
	m = mk_chain(v->in, v->in_len, 4096, v->mss);
	ck_assert_int_eq(vtep_tso_segment(m, 1500, pool, out, 3), -E2BIG);
	/* no MTU room for payload */
	ck_assert_int_eq(vtep_tso_segment(m, 52, pool, out, 4), -EINVAL);
	/* pool empty */
	tiny = rte_pktmbuf_pool_create("tso_tiny", 2, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	ck_assert_ptr_nonnull(tiny);
	ck_assert_int_eq(vtep_tso_segment(m, 1500, tiny, out, 4), -ENOBUFS);
	ck_assert_int_eq(memcmp(flat(m, buf), v->in, v->in_len), 0);
	ck_assert_uint_eq(rte_mempool_avail_count(tiny), 2);
	rte_mempool_free(tiny);
	/* an IPv6 extension header (hop-by-hop) before TCP */
	memcpy(f, tso_vectors[2].in, 200);
	f[18 + 6] = 0;
	rte_pktmbuf_free(m);
	m = mk_chain(f, 200, 4096, 100);
	ck_assert_int_eq(vtep_tso_segment(m, 1500, pool, out, 4), -EINVAL);
	rte_pktmbuf_free(m);
}
END_TEST

static Suite *
tso_suite(void)
{
	Suite *s = suite_create("tso");
	TCase *tc = tcase_create("core");
	int nv = (int)(sizeof(tso_vectors) / sizeof(tso_vectors[0]));

	tcase_add_loop_test(tc, golden_segments, 0, nv);
	tcase_add_test(tc, mtu_caps_segments);
	tcase_add_test(tc, chained_64k);
	tcase_add_test(tc, chained_pieces);
	tcase_add_loop_test(tc, whole_frame_checksum, 0, nv);
	tcase_add_test(tc, prepare_for_device);
	tcase_add_test(tc, refusals_leave_frame);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int failed;

	if (vtep_test_eal_init("test_tso", "256") != 0)
		return VTEP_TEST_SKIP;
	pool = rte_pktmbuf_pool_create("tso_test", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "test_tso: mbuf pool creation failed\n");
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}
	failed = vtep_test_run(tso_suite());
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
