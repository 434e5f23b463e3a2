/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of L2 parsing, 802.1Q push/pop on real mbufs, FDB keys and drop reason names. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "vtep_test.h"
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <rte_ip.h>
#include <rte_random.h>

#include "vtep_cksum.h"
#include "vtep_common.h"
#include "vtep_drop.h"
#include "vtep_pkt.h"

#define POOL_SIZE 511

static struct rte_mempool *pool;

/* Frame pieces, written out byte by byte; the expected frames below never use the helpers
 * under test. */
#define DST 0x02, 0x00, 0x00, 0x00, 0x00, 0x01
#define SRC 0x02, 0x00, 0x00, 0x00, 0x00, 0x02
#define IPV4 0x08, 0x00
#define PAYLOAD 0x45, 0x00, 0x00, 0x1c, 0xde, 0xad, 0xbe, 0xef

/* Untagged IPv4 frame. */
static const uint8_t f_untagged[] = { DST, SRC, IPV4, PAYLOAD };
/* Tagged with TCI 0x6064 (PCP 3, DEI 0, VID 100). */
static const uint8_t f_tag100[] = { DST, SRC, 0x81, 0x00, 0x60, 0x64, IPV4, PAYLOAD };
/* Outer TCI 0xa00a (PCP 5, VID 10), inner TCI 0x0014 (VID 20). */
static const uint8_t f_double[] = {
	DST, SRC, 0x81, 0x00, 0xa0, 0x0a, 0x81, 0x00, 0x00, 0x14, IPV4, PAYLOAD
};
/* The double-tagged frame after its outer tag is removed. */
static const uint8_t f_inner20[] = { DST, SRC, 0x81, 0x00, 0x00, 0x14, IPV4, PAYLOAD };
/* Three 802.1Q tags (VIDs 1, 2, 3). */
static const uint8_t f_triple[] = {
	DST, SRC, 0x81, 0x00, 0x00, 0x01, 0x81, 0x00, 0x00, 0x02, 0x81, 0x00, 0x00, 0x03,
	IPV4, PAYLOAD
};
/* Priority tag: PCP 7, VID 0. */
static const uint8_t f_prio[] = { DST, SRC, 0x81, 0x00, 0xe0, 0x00, IPV4, PAYLOAD };
/* Reserved VID 4095, PCP 0, DEI 1. */
static const uint8_t f_vid4095[] = { DST, SRC, 0x81, 0x00, 0x1f, 0xff, IPV4, PAYLOAD };
/* 802.1ad S-tag: not an 802.1Q tag for these helpers. */
static const uint8_t f_stag[] = { DST, SRC, 0x88, 0xa8, 0x00, 0x05, IPV4, PAYLOAD };

/* An mbuf holding a copy of @p len bytes of @p b, with the pool's default headroom. */
static struct rte_mbuf *
mk(const uint8_t *b, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *d;

	ck_assert_ptr_nonnull(m);
	if (len > 0) {
		d = rte_pktmbuf_append(m, len);
		ck_assert_ptr_nonnull(d);
		memcpy(d, b, len);
	}
	return m;
}

/* Same as mk() but with exactly @p headroom bytes of headroom. */
static struct rte_mbuf *
mk_headroom(const uint8_t *b, uint16_t len, uint16_t headroom)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *d;

	ck_assert_ptr_nonnull(m);
	m->data_off = headroom;
	d = rte_pktmbuf_append(m, len);
	ck_assert_ptr_nonnull(d);
	memcpy(d, b, len);
	ck_assert_uint_eq(rte_pktmbuf_headroom(m), headroom);
	return m;
}

/* The mbuf (single segment) holds exactly the @p len bytes of @p exp. */
static void
expect_bytes(const struct rte_mbuf *m, const uint8_t *exp, uint16_t len)
{
	ck_assert_uint_eq(m->nb_segs, 1);
	ck_assert_uint_eq(m->data_len, len);
	ck_assert_uint_eq(m->pkt_len, len);
	ck_assert_mem_eq(rte_pktmbuf_mtod(m, const uint8_t *), exp, len);
}

static int
parse(const uint8_t *b, uint16_t len, struct vtep_l2 *l2)
{
	struct rte_mbuf *m = mk(b, len);
	int ret = vtep_pkt_parse_l2(m, l2);

	rte_pktmbuf_free(m);
	return ret;
}

START_TEST(test_runt_short_header)
{
	struct vtep_l2 l2;

	for (uint16_t len = 0; len < VTEP_ETH_HLEN; len++) {
		ck_assert_msg(parse(f_untagged, len, &l2) == -1, "len %u", len);
		ck_assert_msg(parse(f_tag100, len, &l2) == -1, "tagged len %u", len);
	}
}
END_TEST

START_TEST(test_runt_short_tag)
{
	struct vtep_l2 l2;

	/* Announces 0x8100 at offset 12 but the tag and inner ethertype end at 18. */
	for (uint16_t len = VTEP_ETH_HLEN; len < VTEP_ETH_HLEN + VTEP_VLAN_HLEN; len++)
		ck_assert_msg(parse(f_tag100, len, &l2) == -1, "len %u", len);
	ck_assert_int_eq(parse(f_tag100, 18, &l2), 0);
	ck_assert_uint_eq(l2.n_tags, 1);
	ck_assert_uint_eq(l2.ethertype, 0x0800);
	ck_assert_uint_eq(l2.l2_len, 18);
	/* The second tag announced at offset 16 needs 22 bytes. */
	for (uint16_t len = 18; len < 22; len++)
		ck_assert_msg(parse(f_double, len, &l2) == -1, "double len %u", len);
	ck_assert_int_eq(parse(f_double, 22, &l2), 0);
	ck_assert_uint_eq(l2.n_tags, 2);
}
END_TEST

START_TEST(test_runt_meta_tag)
{
	struct vtep_l2 l2;

	/* A PMD-stripped tag does not make a 13-byte frame long enough. */
	for (uint16_t len = 0; len < VTEP_ETH_HLEN; len++) {
		struct rte_mbuf *m = mk(f_untagged, len);

		m->ol_flags |= RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_VLAN;
		m->vlan_tci = 7;
		ck_assert_msg(vtep_pkt_parse_l2(m, &l2) == -1, "len %u", len);
		rte_pktmbuf_free(m);
	}
}
END_TEST

START_TEST(test_runt_first_segment)
{
	struct rte_mbuf *m1 = mk(f_tag100, 16);
	struct rte_mbuf *m2 = mk(f_tag100 + 16, sizeof(f_tag100) - 16);
	struct vtep_l2 l2;

	/* The tag continues in the second segment: only the first segment counts. */
	ck_assert_int_eq(rte_pktmbuf_chain(m1, m2), 0);
	ck_assert_uint_eq(m1->pkt_len, sizeof(f_tag100));
	ck_assert_int_eq(vtep_pkt_parse_l2(m1, &l2), -1);
	ck_assert_int_eq(vtep_vlan_pop(m1), -EINVAL);
	ck_assert_uint_eq(m1->data_len, 16);
	rte_pktmbuf_free(m1);
}
END_TEST

START_TEST(test_untagged)
{
	struct vtep_l2 l2;

	memset(&l2, 0xa5, sizeof(l2));
	ck_assert_int_eq(parse(f_untagged, sizeof(f_untagged), &l2), 0);
	ck_assert_uint_eq(l2.n_tags, 0);
	ck_assert_uint_eq(l2.ethertype, 0x0800);
	ck_assert_uint_eq(l2.l2_len, 14);
	ck_assert(!l2.tag_in_meta);
	ck_assert_uint_eq(l2.tci, 0);
	/* Exactly an Ethernet header. */
	ck_assert_int_eq(parse(f_untagged, 14, &l2), 0);
	ck_assert_uint_eq(l2.ethertype, 0x0800);
	ck_assert_uint_eq(l2.l2_len, 14);
	/* An S-tag is just an ethertype here. */
	ck_assert_int_eq(parse(f_stag, sizeof(f_stag), &l2), 0);
	ck_assert_uint_eq(l2.n_tags, 0);
	ck_assert_uint_eq(l2.ethertype, 0x88a8);
	ck_assert_uint_eq(l2.l2_len, 14);
}
END_TEST

START_TEST(test_single_tag)
{
	struct vtep_l2 l2;

	ck_assert_int_eq(parse(f_tag100, sizeof(f_tag100), &l2), 0);
	ck_assert_uint_eq(l2.n_tags, 1);
	ck_assert_uint_eq(l2.tci, 0x6064);
	ck_assert_uint_eq(vtep_tci_vid(l2.tci), 100);
	ck_assert_uint_eq(l2.tci >> 13, 3);
	ck_assert_uint_eq(l2.ethertype, 0x0800);
	ck_assert_uint_eq(l2.l2_len, 18);
	ck_assert(!l2.tag_in_meta);
}
END_TEST

START_TEST(test_double_tag)
{
	struct vtep_l2 l2;

	ck_assert_int_eq(parse(f_double, sizeof(f_double), &l2), 0);
	ck_assert_uint_eq(l2.n_tags, 2);
	ck_assert_uint_eq(l2.tci, 0xa00a);
	ck_assert_uint_eq(vtep_tci_vid(l2.tci), 10);
	ck_assert_uint_eq(l2.tci >> 13, 5);
	ck_assert_uint_eq(l2.ethertype, 0x0800);
	ck_assert_uint_eq(l2.l2_len, 22);
	ck_assert(!l2.tag_in_meta);
}
END_TEST

START_TEST(test_triple_tag)
{
	struct vtep_l2 l2;

	/* n_tags saturates at 2; the outer TCI is still the first tag. */
	ck_assert_int_eq(parse(f_triple, sizeof(f_triple), &l2), 0);
	ck_assert_uint_eq(l2.n_tags, 2);
	ck_assert_uint_eq(l2.tci, 0x0001);
	ck_assert_uint_eq(l2.ethertype, 0x0800);
	ck_assert_uint_eq(l2.l2_len, 26);
}
END_TEST

START_TEST(test_tag_stack_bounded)
{
	uint8_t f[64];
	struct vtep_l2 l2;

	/* A frame of nothing but 0x8100 after the MACs: parsing stops, within the frame. */
	memset(f, 0, 12);
	for (unsigned int i = 12; i < sizeof(f); i += 2) {
		f[i] = 0x81;
		f[i + 1] = 0x00;
	}
	ck_assert_int_eq(parse(f, sizeof(f), &l2), 0);
	ck_assert_uint_eq(l2.n_tags, 2);
	ck_assert_uint_eq(l2.tci, 0x8100);
	ck_assert_uint_le(l2.l2_len, sizeof(f));
}
END_TEST

START_TEST(test_priority_tag)
{
	struct vtep_l2 l2;

	ck_assert_int_eq(parse(f_prio, sizeof(f_prio), &l2), 0);
	ck_assert_uint_eq(l2.n_tags, 1);
	ck_assert_uint_eq(l2.tci, 0xe000);
	ck_assert_uint_eq(vtep_tci_vid(l2.tci), 0);
	ck_assert_uint_eq(l2.tci >> 13, 7);
	ck_assert_uint_eq(l2.ethertype, 0x0800);
	ck_assert_uint_eq(l2.l2_len, 18);
}
END_TEST

START_TEST(test_vid_4095)
{
	struct vtep_l2 l2;

	ck_assert_int_eq(parse(f_vid4095, sizeof(f_vid4095), &l2), 0);
	ck_assert_uint_eq(l2.n_tags, 1);
	ck_assert_uint_eq(l2.tci, 0x1fff);
	ck_assert_uint_eq(vtep_tci_vid(l2.tci), 4095);
	ck_assert_uint_eq(l2.tci >> 13, 0);
	ck_assert_uint_eq(l2.l2_len, 18);
	ck_assert_uint_eq(vtep_tci_vid(0xffff), 4095);
	ck_assert_uint_eq(vtep_tci_vid(0xf000), 0);
}
END_TEST

START_TEST(test_meta_tag)
{
	struct rte_mbuf *m = mk(f_untagged, sizeof(f_untagged));
	struct vtep_l2 l2;

	m->ol_flags |= RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_VLAN;
	m->vlan_tci = 0x2005;
	ck_assert_int_eq(vtep_pkt_parse_l2(m, &l2), 0);
	ck_assert(l2.tag_in_meta);
	ck_assert_uint_eq(l2.n_tags, 1);
	ck_assert_uint_eq(l2.tci, 0x2005);
	ck_assert_uint_eq(vtep_tci_vid(l2.tci), 5);
	ck_assert_uint_eq(l2.ethertype, 0x0800);
	ck_assert_uint_eq(l2.l2_len, 14);
	expect_bytes(m, f_untagged, sizeof(f_untagged));
	rte_pktmbuf_free(m);
}
END_TEST

START_TEST(test_meta_and_frame_tag)
{
	struct rte_mbuf *m = mk(f_tag100, sizeof(f_tag100));
	struct vtep_l2 l2;

	/* The stripped tag was the outer one; the in-frame tag is the inner. */
	m->ol_flags |= RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_VLAN;
	m->vlan_tci = 0x0007;
	ck_assert_int_eq(vtep_pkt_parse_l2(m, &l2), 0);
	ck_assert(l2.tag_in_meta);
	ck_assert_uint_eq(l2.n_tags, 2);
	ck_assert_uint_eq(l2.tci, 0x0007);
	ck_assert_uint_eq(l2.ethertype, 0x0800);
	ck_assert_uint_eq(l2.l2_len, 18);
	rte_pktmbuf_free(m);
}
END_TEST

START_TEST(test_rx_vlan_not_stripped)
{
	struct rte_mbuf *m = mk(f_tag100, sizeof(f_tag100));
	struct vtep_l2 l2;

	/* RX_VLAN alone: vlan_tci is valid but the tag is still in the frame. */
	m->ol_flags |= RTE_MBUF_F_RX_VLAN;
	m->vlan_tci = 0x6064;
	ck_assert_int_eq(vtep_pkt_parse_l2(m, &l2), 0);
	ck_assert(!l2.tag_in_meta);
	ck_assert_uint_eq(l2.n_tags, 1);
	ck_assert_uint_eq(l2.tci, 0x6064);
	ck_assert_uint_eq(l2.l2_len, 18);
	rte_pktmbuf_free(m);
}
END_TEST

START_TEST(test_pop_single)
{
	struct rte_mbuf *m = mk(f_tag100, sizeof(f_tag100));
	struct vtep_l2 l2;
	uint16_t head = rte_pktmbuf_headroom(m);

	ck_assert_int_eq(vtep_vlan_pop(m), 0);
	expect_bytes(m, f_untagged, sizeof(f_untagged));
	ck_assert_uint_eq(rte_pktmbuf_headroom(m), head + VTEP_VLAN_HLEN);
	ck_assert_int_eq(vtep_pkt_parse_l2(m, &l2), 0);
	ck_assert_uint_eq(l2.n_tags, 0);
	/* Nothing left to pop. */
	ck_assert_int_eq(vtep_vlan_pop(m), -EINVAL);
	expect_bytes(m, f_untagged, sizeof(f_untagged));
	rte_pktmbuf_free(m);
}
END_TEST

START_TEST(test_pop_double)
{
	struct rte_mbuf *m = mk(f_double, sizeof(f_double));

	ck_assert_int_eq(vtep_vlan_pop(m), 0);
	expect_bytes(m, f_inner20, sizeof(f_inner20));
	ck_assert_int_eq(vtep_vlan_pop(m), 0);
	expect_bytes(m, f_untagged, sizeof(f_untagged));
	rte_pktmbuf_free(m);
}
END_TEST

START_TEST(test_pop_minimal)
{
	/* An 18-byte tagged frame pops to a bare 14-byte Ethernet header. */
	struct rte_mbuf *m = mk(f_tag100, 18);

	ck_assert_int_eq(vtep_vlan_pop(m), 0);
	expect_bytes(m, f_untagged, 14);
	rte_pktmbuf_free(m);
}
END_TEST

START_TEST(test_pop_untagged)
{
	struct rte_mbuf *m;

	m = mk(f_untagged, sizeof(f_untagged));
	ck_assert_int_eq(vtep_vlan_pop(m), -EINVAL);
	expect_bytes(m, f_untagged, sizeof(f_untagged));
	rte_pktmbuf_free(m);
	/* An S-tag is not popped. */
	m = mk(f_stag, sizeof(f_stag));
	ck_assert_int_eq(vtep_vlan_pop(m), -EINVAL);
	expect_bytes(m, f_stag, sizeof(f_stag));
	rte_pktmbuf_free(m);
	/* Announced tag, truncated frame. */
	for (uint16_t len = 0; len < 18; len++) {
		m = mk(f_tag100, len);
		ck_assert_msg(vtep_vlan_pop(m) == -EINVAL, "len %u", len);
		expect_bytes(m, f_tag100, len);
		rte_pktmbuf_free(m);
	}
}
END_TEST

START_TEST(test_pop_meta)
{
	struct rte_mbuf *m = mk(f_untagged, sizeof(f_untagged));
	struct vtep_l2 l2;

	m->ol_flags |= RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_VLAN;
	m->vlan_tci = 0x2005;
	ck_assert_int_eq(vtep_vlan_pop(m), 0);
	ck_assert_uint_eq(m->ol_flags & (RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_VLAN), 0);
	ck_assert_uint_eq(m->vlan_tci, 0);
	expect_bytes(m, f_untagged, sizeof(f_untagged));
	ck_assert_int_eq(vtep_pkt_parse_l2(m, &l2), 0);
	ck_assert_uint_eq(l2.n_tags, 0);
	ck_assert(!l2.tag_in_meta);
	ck_assert_int_eq(vtep_vlan_pop(m), -EINVAL);
	rte_pktmbuf_free(m);
}
END_TEST

START_TEST(test_pop_meta_then_frame)
{
	struct rte_mbuf *m = mk(f_tag100, sizeof(f_tag100));
	struct vtep_l2 l2;

	/* The metadata tag is the outer one: it goes first, the frame is untouched. */
	m->ol_flags |= RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_VLAN;
	m->vlan_tci = 0x0007;
	ck_assert_int_eq(vtep_vlan_pop(m), 0);
	expect_bytes(m, f_tag100, sizeof(f_tag100));
	ck_assert_int_eq(vtep_pkt_parse_l2(m, &l2), 0);
	ck_assert(!l2.tag_in_meta);
	ck_assert_uint_eq(l2.n_tags, 1);
	ck_assert_uint_eq(l2.tci, 0x6064);
	ck_assert_int_eq(vtep_vlan_pop(m), 0);
	expect_bytes(m, f_untagged, sizeof(f_untagged));
	rte_pktmbuf_free(m);
}
END_TEST

START_TEST(test_push)
{
	struct rte_mbuf *m = mk(f_untagged, sizeof(f_untagged));
	uint16_t head = rte_pktmbuf_headroom(m);

	ck_assert_int_eq(vtep_vlan_push(m, 0x6064), 0);
	expect_bytes(m, f_tag100, sizeof(f_tag100));
	ck_assert_uint_eq(rte_pktmbuf_headroom(m), head - VTEP_VLAN_HLEN);
	rte_pktmbuf_free(m);
	/* A new outer tag in front of an existing one. */
	m = mk(f_inner20, sizeof(f_inner20));
	ck_assert_int_eq(vtep_vlan_push(m, 0xa00a), 0);
	expect_bytes(m, f_double, sizeof(f_double));
	rte_pktmbuf_free(m);
	/* Priority tag and VID 4095 with DEI. */
	m = mk(f_untagged, sizeof(f_untagged));
	ck_assert_int_eq(vtep_vlan_push(m, 0xe000), 0);
	expect_bytes(m, f_prio, sizeof(f_prio));
	rte_pktmbuf_free(m);
	m = mk(f_untagged, sizeof(f_untagged));
	ck_assert_int_eq(vtep_vlan_push(m, 0x1fff), 0);
	expect_bytes(m, f_vid4095, sizeof(f_vid4095));
	rte_pktmbuf_free(m);
}
END_TEST

START_TEST(test_push_minimal)
{
	/* A bare 14-byte header is long enough. */
	struct rte_mbuf *m = mk(f_untagged, 14);

	ck_assert_int_eq(vtep_vlan_push(m, 0x6064), 0);
	expect_bytes(m, f_tag100, 18);
	rte_pktmbuf_free(m);
}
END_TEST

START_TEST(test_push_no_headroom)
{
	struct rte_mbuf *m;

	for (uint16_t h = 0; h < VTEP_VLAN_HLEN; h++) {
		m = mk_headroom(f_untagged, sizeof(f_untagged), h);
		ck_assert_msg(vtep_vlan_push(m, 0x6064) == -ENOSPC, "headroom %u", h);
		expect_bytes(m, f_untagged, sizeof(f_untagged));
		ck_assert_uint_eq(rte_pktmbuf_headroom(m), h);
		rte_pktmbuf_free(m);
	}
	/* Exactly enough. */
	m = mk_headroom(f_untagged, sizeof(f_untagged), VTEP_VLAN_HLEN);
	ck_assert_int_eq(vtep_vlan_push(m, 0x6064), 0);
	expect_bytes(m, f_tag100, sizeof(f_tag100));
	ck_assert_uint_eq(rte_pktmbuf_headroom(m), 0);
	rte_pktmbuf_free(m);
}
END_TEST

START_TEST(test_push_runt)
{
	for (uint16_t len = 0; len < VTEP_ETH_HLEN; len++) {
		struct rte_mbuf *m = mk(f_untagged, len);
		uint16_t head = rte_pktmbuf_headroom(m);

		ck_assert_msg(vtep_vlan_push(m, 0x6064) == -EINVAL, "len %u", len);
		expect_bytes(m, f_untagged, len);
		ck_assert_uint_eq(rte_pktmbuf_headroom(m), head);
		rte_pktmbuf_free(m);
	}
}
END_TEST

START_TEST(test_push_pop_round_trip)
{
	static const uint16_t tcis[] = { 0x0000, 0x0001, 0x0064, 0x0fff, 0x1000, 0xe000, 0xffff };
	static const struct {
		const uint8_t *f;
		uint16_t len;
	} frames[] = {
		{ f_untagged, sizeof(f_untagged) },
		{ f_untagged, 14 },
		{ f_tag100, sizeof(f_tag100) },
		{ f_double, sizeof(f_double) },
	};
	struct rte_mbuf *t;

	for (unsigned int i = 0; i < VTEP_ARRAY_SIZE(frames); i++) {
		for (unsigned int j = 0; j < VTEP_ARRAY_SIZE(tcis); j++) {
			struct rte_mbuf *m = mk(frames[i].f, frames[i].len);
			const uint8_t *p;
			struct vtep_l2 l2;

			ck_assert_int_eq(vtep_vlan_push(m, tcis[j]), 0);
			ck_assert_uint_eq(m->data_len, frames[i].len + 4);
			p = rte_pktmbuf_mtod(m, const uint8_t *);
			ck_assert_mem_eq(p, frames[i].f, 12);
			ck_assert_uint_eq(p[12], 0x81);
			ck_assert_uint_eq(p[13], 0x00);
			ck_assert_uint_eq(p[14], tcis[j] >> 8);
			ck_assert_uint_eq(p[15], tcis[j] & 0xff);
			ck_assert_mem_eq(p + 16, frames[i].f + 12, frames[i].len - 12);
			ck_assert_int_eq(vtep_pkt_parse_l2(m, &l2), 0);
			ck_assert_uint_eq(l2.tci, tcis[j]);
			ck_assert_uint_ge(l2.n_tags, 1);
			ck_assert_int_eq(vtep_vlan_pop(m), 0);
			expect_bytes(m, frames[i].f, frames[i].len);
			rte_pktmbuf_free(m);
		}
	}
	/* Pop then push restores a tagged frame. */
	t = mk(f_tag100, sizeof(f_tag100));
	ck_assert_int_eq(vtep_vlan_pop(t), 0);
	ck_assert_int_eq(vtep_vlan_push(t, 0x6064), 0);
	expect_bytes(t, f_tag100, sizeof(f_tag100));
	rte_pktmbuf_free(t);
}
END_TEST

START_TEST(test_l2_key)
{
	static const uint8_t mac1[6] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6] = { 0 };
	static const uint8_t hi[6] = { 0x80, 0, 0, 0, 0, 0 };
	static const uint8_t lo[6] = { 0, 0, 0, 0, 0, 0x80 };

	ck_assert_uint_eq(vtep_l2_key(0x0abc, mac1), 0x0abc0123456789abULL);
	ck_assert_uint_eq(vtep_l2_key(4095, bcast), 0x0fffffffffffffffULL);
	ck_assert_uint_eq(vtep_l2_key(0, zero), 0);
	ck_assert_uint_eq(vtep_l2_key(0, bcast), 0x0000ffffffffffffULL);
	ck_assert_uint_eq(vtep_l2_key(1, zero), 0x0001000000000000ULL);
	ck_assert_uint_eq(vtep_l2_key(0xffff, zero), 0xffff000000000000ULL);
	/* High bits of a byte do not spill into the VLAN field (no sign extension). */
	ck_assert_uint_eq(vtep_l2_key(0, hi), 0x0000800000000000ULL);
	ck_assert_uint_eq(vtep_l2_key(0, lo), 0x0000000000000080ULL);
	ck_assert_uint_ne(vtep_l2_key(1, mac1), vtep_l2_key(2, mac1));
}
END_TEST

START_TEST(test_mac_is_group)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mc4[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	static const uint8_t mc6[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };
	static const uint8_t stp[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 };
	static const uint8_t local_mc[6] = { 0x03, 0, 0, 0, 0, 0 };
	static const uint8_t zero[6] = { 0 };
	static const uint8_t uc[6] = { 0x00, 0x1b, 0x21, 0x01, 0x02, 0x03 };
	static const uint8_t local_uc[6] = { 0x02, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t fe[6] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff };

	ck_assert(vtep_mac_is_group(bcast));
	ck_assert(vtep_mac_is_group(mc4));
	ck_assert(vtep_mac_is_group(mc6));
	ck_assert(vtep_mac_is_group(stp));
	ck_assert(vtep_mac_is_group(local_mc));
	ck_assert(!vtep_mac_is_group(zero));
	ck_assert(!vtep_mac_is_group(uc));
	ck_assert(!vtep_mac_is_group(local_uc));
	ck_assert(!vtep_mac_is_group(fe));
}
END_TEST

START_TEST(test_drop_names)
{
	for (unsigned int i = 0; i < VTEP_DROP__MAX; i++) {
		const char *n = vtep_drop_name(i);
		const char *d = vtep_drop_desc(i);

		ck_assert_ptr_nonnull(n);
		ck_assert_ptr_nonnull(d);
		ck_assert_msg(n[0] != '\0', "reason %u has no name", i);
		ck_assert_msg(d[0] != '\0', "reason %u has no description", i);
		ck_assert_str_ne(n, "unknown");
		/* Names are JSON/telemetry keys: lower case, digits, underscores. */
		ck_assert_msg(strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(n),
			      "bad name '%s'", n);
		for (unsigned int j = 0; j < i; j++)
			ck_assert_msg(strcmp(n, vtep_drop_name(j)) != 0, "duplicate name '%s'", n);
	}
	ck_assert_str_eq(vtep_drop_name(VTEP_DROP_RUNT), "runt");
	ck_assert_str_eq(vtep_drop_name(VTEP_DROP_VLAN_INVALID), "vlan_invalid");
	ck_assert_str_eq(vtep_drop_name(VTEP_DROP_NO_RESOURCES), "no_resources");
	ck_assert_str_eq(vtep_drop_name(VTEP_DROP__MAX), "unknown");
	ck_assert_str_eq(vtep_drop_name(UINT_MAX), "unknown");
	ck_assert_str_eq(vtep_drop_desc(VTEP_DROP__MAX), "unknown drop reason");
	ck_assert_str_eq(vtep_drop_desc(UINT_MAX), "unknown drop reason");
}
END_TEST

START_TEST(test_pool_intact)
{
	/* Every test returned its mbufs. */
	ck_assert_uint_eq(rte_mempool_avail_count(pool), POOL_SIZE);
}
END_TEST

/* RFC 1071 section 3's example: the big-endian word sum of 00 01 f2 03 f4 f5 f6 f7 is
 * 0xddf2; as 16-bit words in memory order (what the helper returns) it is swapped. */
START_TEST(test_cksum_rfc1071)
{
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	ck_assert_uint_eq(rte_be_to_cpu_16(vtep_cksum_fold(vtep_cksum_add(b, 8, 0))), 0xddf2);
	ck_assert_uint_eq(vtep_cksum_fold(vtep_cksum_add(b, 0, 0)), 0);
}
END_TEST

/* Every length and alignment up to 300 bytes and a 65535-byte buffer against DPDK's
 * rte_raw_cksum(); then the same range summed as two pieces split at every offset, the
 * second piece shifted when it starts at an odd offset. */
START_TEST(test_cksum_vs_dpdk)
{
	static uint8_t buf[65536 + 64];
	uint32_t i, off, len, cut;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rte_rand();
	memset(buf + 1000, 0xff, 4000); /* long runs of 0xffff words: carries */
	for (off = 0; off < 8; off++)
		for (len = 0; len <= 300; len++)
			ck_assert_uint_eq(vtep_cksum_fold(vtep_cksum_add(buf + off, len, 0)),
					  rte_raw_cksum(buf + off, len));
	for (off = 0; off < 3; off++)
		ck_assert_uint_eq(vtep_cksum_fold(vtep_cksum_add(buf + off, 65535, 0)),
				  rte_raw_cksum(buf + off, 65535));
	for (cut = 0; cut <= 257; cut++) {
		uint64_t sum = vtep_cksum_add(buf + 3, cut, 0);
		uint64_t tail = vtep_cksum_add(buf + 3 + cut, 257 - cut, 0);

		sum += (cut & 1) ? vtep_cksum_shift(tail) : tail;
		ck_assert_uint_eq(vtep_cksum_fold(sum), rte_raw_cksum(buf + 3, 257));
	}
}
END_TEST

static Suite *
pkt_suite(void)
{
	Suite *s = suite_create("pkt");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_runt_short_header);
	tcase_add_test(tc, test_runt_short_tag);
	tcase_add_test(tc, test_runt_meta_tag);
	tcase_add_test(tc, test_runt_first_segment);
	tcase_add_test(tc, test_untagged);
	tcase_add_test(tc, test_single_tag);
	tcase_add_test(tc, test_double_tag);
	tcase_add_test(tc, test_triple_tag);
	tcase_add_test(tc, test_tag_stack_bounded);
	tcase_add_test(tc, test_priority_tag);
	tcase_add_test(tc, test_vid_4095);
	tcase_add_test(tc, test_meta_tag);
	tcase_add_test(tc, test_meta_and_frame_tag);
	tcase_add_test(tc, test_rx_vlan_not_stripped);
	suite_add_tcase(s, tc);

	tc = tcase_create("vlan_edit");
	tcase_add_test(tc, test_pop_single);
	tcase_add_test(tc, test_pop_double);
	tcase_add_test(tc, test_pop_minimal);
	tcase_add_test(tc, test_pop_untagged);
	tcase_add_test(tc, test_pop_meta);
	tcase_add_test(tc, test_pop_meta_then_frame);
	tcase_add_test(tc, test_push);
	tcase_add_test(tc, test_push_minimal);
	tcase_add_test(tc, test_push_no_headroom);
	tcase_add_test(tc, test_push_runt);
	tcase_add_test(tc, test_push_pop_round_trip);
	suite_add_tcase(s, tc);

	tc = tcase_create("helpers");
	tcase_add_test(tc, test_l2_key);
	tcase_add_test(tc, test_mac_is_group);
	tcase_add_test(tc, test_drop_names);
	tcase_add_test(tc, test_pool_intact);
	tcase_add_test(tc, test_cksum_rfc1071);
	tcase_add_test(tc, test_cksum_vs_dpdk);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int failed;

	if (vtep_test_eal_init("test_pkt", "128") != 0)
		return VTEP_TEST_SKIP;
	pool = rte_pktmbuf_pool_create("ckpkt", POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "test_pkt: mbuf pool creation failed\n");
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}
	failed = vtep_test_run(pkt_suite());
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
