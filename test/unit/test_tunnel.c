/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the tunnel core and the VXLAN/NVGRE drivers against scapy golden frames. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <check.h>

#include "vtep_test.h"
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vtep_drop.h"
#include "vtep_tunnel.h"
#include "vtep_tunnel_provider.h"

#include "../data/tunnel_vectors.h"

static struct rte_mempool *pool;

/* Fill a vtep_ip from a literal. */
static void
ip_set(struct vtep_ip *ip, const char *s)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, &ip->v4) == 1)
		ip->family = AF_INET;
	else if (inet_pton(AF_INET6, s, &ip->v6) == 1)
		ip->family = AF_INET6;
}

/* The receiver's rx config: the golden frames go from TV_LOCAL* to TV_REMOTE*. */
static void
rx_cfg_init(struct vtep_tnl_rx_cfg *cfg)
{
	static const uint8_t mac[6] = TV_DST_MAC;

	memset(cfg, 0, sizeof(*cfg));
	ip_set(&cfg->local, TV_REMOTE4);
	ip_set(&cfg->local6, TV_REMOTE6);
	memcpy(cfg->local_mac, mac, 6);
	cfg->vxlan_ports[0] = 4789;
	cfg->vxlan_ports[1] = 8472;
	ip_set(&cfg->groups[0], "239.1.1.1");
	cfg->n_groups = 1;
}

/* Template parameters of an encap vector. */
static void
params_of(const struct tv_encap *v, struct vtep_tnl_params *p)
{
	static const uint8_t smac[6] = TV_SRC_MAC, dmac[6] = TV_DST_MAC;

	memset(p, 0, sizeof(*p));
	p->type = v->nvgre ? VTEP_TUNNEL_NVGRE : VTEP_TUNNEL_VXLAN;
	ip_set(&p->local, v->ipv6 ? TV_LOCAL6 : TV_LOCAL4);
	ip_set(&p->remote, v->ipv6 ? TV_REMOTE6 : TV_REMOTE4);
	memcpy(p->src_mac, smac, 6);
	memcpy(p->dst_mac, dmac, 6);
	p->udp_port = v->udp_port;
	p->vni = v->vni;
	p->ttl = v->ttl;
	p->tos = v->tos;
	p->mtu = 9000;
}

/* An mbuf chain holding @p len bytes, split into segments at the offsets in @p cuts. */
static struct rte_mbuf *
mk_mbuf(const uint8_t *data, uint32_t len, const uint32_t *cuts, unsigned int n_cuts)
{
	struct rte_mbuf *head = NULL;
	uint32_t off = 0;
	unsigned int i;

	for (i = 0; i <= n_cuts; i++) {
		uint32_t end = i < n_cuts ? cuts[i] : len;
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		char *d;

		ck_assert_ptr_nonnull(m);
		d = rte_pktmbuf_append(m, (uint16_t)(end - off));
		ck_assert(end == off || d != NULL);
		if (end > off)
			memcpy(d, data + off, end - off);
		off = end;
		if (head == NULL)
			head = m;
		else
			ck_assert_int_eq(rte_pktmbuf_chain(head, m), 0);
	}
	return head;
}

/* Compare the whole content of @p m with @p data. */
static void
ck_mbuf_eq(const struct rte_mbuf *m, const uint8_t *data, uint32_t len, const char *name)
{
	static uint8_t buf[16384];
	const uint8_t *p;
	uint32_t i;

	ck_assert_msg(m->pkt_len == len, "%s: length %u, expected %u", name, m->pkt_len, len);
	p = rte_pktmbuf_read(m, 0, len, buf);
	ck_assert_ptr_nonnull(p);
	for (i = 0; i < len; i++)
		ck_assert_msg(p[i] == data[i], "%s: byte %u is 0x%02x, expected 0x%02x", name, i,
			      p[i], data[i]);
}

static void
ext_free_cb(void *addr, void *opaque)
{
	RTE_SET_USED(addr);
	RTE_SET_USED(opaque);
}

/*
 * An mbuf whose data lives in a malloc'ed buffer of exactly @p len bytes, so that
 * AddressSanitizer reports any read past the end of the frame.
 */
struct ext_mbuf {
	struct rte_mbuf *m;
	uint8_t *buf;
	struct rte_mbuf_ext_shared_info shinfo;
};

static void
ext_mbuf_make(struct ext_mbuf *e, const uint8_t *data, uint32_t len)
{
	e->buf = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(e->buf);
	memcpy(e->buf, data, len);
	e->m = rte_pktmbuf_alloc(pool);
	ck_assert_ptr_nonnull(e->m);
	memset(&e->shinfo, 0, sizeof(e->shinfo));
	e->shinfo.free_cb = ext_free_cb;
	rte_mbuf_ext_refcnt_set(&e->shinfo, 1);
	rte_pktmbuf_attach_extbuf(e->m, e->buf, 0, (uint16_t)len, &e->shinfo);
	e->m->data_off = 0;
	e->m->data_len = (uint16_t)len;
	e->m->pkt_len = len;
}

static void
ext_mbuf_free(struct ext_mbuf *e)
{
	rte_pktmbuf_free(e->m);
	free(e->buf);
}

/*
 * The classify fast path may only accept what vtep_tnl_classify() accepts as tunnel
 * traffic, with the same result to the byte. @return whether it accepted @p m.
 */
static bool
ck_fast_agrees(const struct vtep_tnl_rx_cfg *cfg, const struct rte_mbuf *m, const char *name)
{
	struct vtep_tnl_rx fast, slow;

	memset(&fast, 0xa5, sizeof(fast));
	if (!vtep_tnl_classify_fast(cfg, m, &fast))
		return false;
	ck_assert_msg(vtep_tnl_classify(cfg, m, &slow) == VTEP_UL_TUNNEL,
		      "%s: the fast path accepted what classify does not (drop %s)", name,
		      vtep_drop_name(slow.drop));
	ck_assert_msg(memcmp(&fast, &slow, sizeof(fast)) == 0, "%s: fast path result differs",
		      name);
	return true;
}

enum encap_mode { MODE_FLAT, MODE_MULTISEG, MODE_NO_HEADROOM, MODE_SHARED, MODE__MAX };
static const char *const mode_names[] = { "flat", "multiseg", "no_headroom", "shared" };

/*
 * Encapsulate every golden inner frame in one way and compare with scapy's frame. With
 * @p fast, vtep_tnl_encap_fast() goes first: it must take exactly the IPv4 VXLAN/NVGRE
 * frames that own their buffer with headroom, and leave the others untouched.
 */
static void
encap_golden(enum encap_mode mode, bool fast)
{
	unsigned int i;

	for (i = 0; i < VTEP_ARRAY_SIZE(tv_encap); i++) {
		const struct tv_encap *v = &tv_encap[i];
		struct vtep_tnl_template t;
		struct vtep_tnl_params p;
		struct vtep_tnl_encap_ctx ctx = { .pool = pool };
		struct rte_mbuf *m, *out[4];
		unsigned int reason = 0;
		uint32_t cut = v->inner_len / 2;
		char name[128];
		int n;

		snprintf(name, sizeof(name), "%s/%s", v->name, mode_names[mode]);
		params_of(v, &p);
		ck_assert_int_eq(vtep_tnl_template_build(&p, &t), 0);
		switch (mode) {
		case MODE_MULTISEG:
			m = mk_mbuf(v->inner, v->inner_len, &cut, 1);
			break;
		case MODE_NO_HEADROOM:
			m = rte_pktmbuf_alloc(pool);
			ck_assert_ptr_nonnull(m);
			m->data_off = 0;
			memcpy(rte_pktmbuf_append(m, v->inner_len), v->inner, v->inner_len);
			break;
		default:
			m = mk_mbuf(v->inner, v->inner_len, NULL, 0);
			break;
		}
		if (mode == MODE_SHARED)
			rte_mbuf_refcnt_update(m, 1);
		if (fast && vtep_tnl_encap_fast(&t, m, v->hash) == 0) {
			ck_assert_msg(!v->ipv6 && (mode == MODE_FLAT || mode == MODE_MULTISEG),
				      "%s: the fast path took it", name);
			out[0] = m;
			n = 1;
		} else {
			ck_assert_msg(!fast || v->ipv6 || mode == MODE_NO_HEADROOM ||
				      mode == MODE_SHARED, "%s: the fast path refused it", name);
			ck_mbuf_eq(m, v->inner, v->inner_len, name);
			n = vtep_tnl_encap(&t, m, v->hash, &ctx, out, 4, &reason);
		}
		ck_assert_msg(n == 1, "%s: encap gave %d (reason %u)", name, n, reason);
		ck_mbuf_eq(out[0], v->outer, v->outer_len, name);
		ck_assert_uint_eq(out[0]->outer_l2_len, 14);
		ck_assert_uint_eq(out[0]->outer_l3_len, v->ipv6 ? 40 : 20);
		ck_assert_uint_eq(out[0]->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK, 0);
		if (mode == MODE_NO_HEADROOM || mode == MODE_SHARED)
			ck_assert_msg(out[0] != m, "%s: expected a new head segment", name);
		else
			ck_assert_msg(out[0] == m, "%s: expected the template in the headroom", name);
		if (mode == MODE_SHARED) {
			/* The other owner's view of m is unchanged. */
			ck_mbuf_eq(m, v->inner, v->inner_len, name);
			rte_pktmbuf_free(out[0]);
			ck_assert_uint_eq(rte_mbuf_refcnt_read(m), 1);
			ck_mbuf_eq(m, v->inner, v->inner_len, name);
			rte_pktmbuf_free(m);
		} else {
			rte_pktmbuf_free(out[0]);
		}
	}
}

START_TEST(test_encap_golden_flat)
{
	encap_golden(MODE_FLAT, false);
	encap_golden(MODE_FLAT, true);
}
END_TEST

START_TEST(test_encap_golden_multiseg)
{
	encap_golden(MODE_MULTISEG, false);
	encap_golden(MODE_MULTISEG, true);
}
END_TEST

START_TEST(test_encap_golden_no_headroom)
{
	encap_golden(MODE_NO_HEADROOM, false);
	encap_golden(MODE_NO_HEADROOM, true);
}
END_TEST

START_TEST(test_encap_golden_shared)
{
	encap_golden(MODE_SHARED, false);
	encap_golden(MODE_SHARED, true);
}
END_TEST

/* Check one classification against the expected fields of an encap vector. */
static void
ck_rx_golden(const struct tv_encap *v, enum vtep_ul_class c, const struct vtep_tnl_rx *rx,
	     const char *name)
{
	struct vtep_ip sender;

	ip_set(&sender, v->ipv6 ? TV_LOCAL6 : TV_LOCAL4);
	ck_assert_msg(c == VTEP_UL_TUNNEL, "%s: class %d drop %s", name, c,
		      vtep_drop_name(rx->drop));
	ck_assert_uint_eq(rx->type, v->nvgre ? VTEP_TUNNEL_NVGRE : VTEP_TUNNEL_VXLAN);
	ck_assert_uint_eq(rx->vni, v->vni);
	ck_assert_uint_eq(rx->inner_off, v->inner_off);
	ck_assert_uint_eq(rx->l4_off, v->ipv6 ? 54 : 34);
	ck_assert_uint_eq(rx->ipv6, v->ipv6);
	ck_assert_int_eq(rx->remote.family, sender.family);
	if (v->ipv6)
		ck_assert_mem_eq(&rx->remote.v6, &sender.v6, 16);
	else
		ck_assert_uint_eq(rx->remote.v4.s_addr, sender.v4.s_addr);
}

START_TEST(test_decap_golden)
{
	struct vtep_tnl_rx_cfg cfg;
	unsigned int i;

	rx_cfg_init(&cfg);
	for (i = 0; i < VTEP_ARRAY_SIZE(tv_encap); i++) {
		const struct tv_encap *v = &tv_encap[i];
		struct vtep_tnl_rx rx;
		struct rte_mbuf *m = mk_mbuf(v->outer, v->outer_len, NULL, 0);
		enum vtep_ul_class c;

		/* IPv4 vectors are the case the fast path is for, VXLAN on the first port. */
		ck_assert_msg(ck_fast_agrees(&cfg, m, v->name) ==
			      (!v->ipv6 && (v->nvgre || (v->udp_port ? v->udp_port : 4789) ==
							   cfg.vxlan_ports[0])),
			      "%s: fast path acceptance", v->name);
		c = vtep_tnl_classify(&cfg, m, &rx);
		ck_rx_golden(v, c, &rx, v->name);
		ck_assert_int_eq(vtep_tnl_decap(m, &rx), 0);
		ck_mbuf_eq(m, v->inner, v->inner_len, v->name);
		rte_pktmbuf_free(m);
	}
}
END_TEST

/* The same classification whatever the segment layout (every split point). */
START_TEST(test_decap_golden_multiseg)
{
	struct vtep_tnl_rx_cfg cfg;
	unsigned int i;

	rx_cfg_init(&cfg);
	for (i = 0; i < VTEP_ARRAY_SIZE(tv_encap); i++) {
		const struct tv_encap *v = &tv_encap[i];
		uint32_t cut, lim = RTE_MIN((uint32_t)v->outer_len, 200u);

		for (cut = 1; cut < lim; cut++) {
			uint32_t cuts[2] = { cut, RTE_MIN(cut + 7, (uint32_t)v->outer_len) };
			struct rte_mbuf *m = mk_mbuf(v->outer, v->outer_len, cuts, 2);
			struct vtep_tnl_rx rx;
			enum vtep_ul_class c = vtep_tnl_classify(&cfg, m, &rx);
			char name[128];

			snprintf(name, sizeof(name), "%s/cut%u", v->name, cut);
			ck_rx_golden(v, c, &rx, name);
			if (rx.inner_off <= m->data_len) {
				ck_assert_int_eq(vtep_tnl_decap(m, &rx), 0);
				ck_mbuf_eq(m, v->inner, v->inner_len, name);
			} else {
				ck_assert_int_eq(vtep_tnl_decap(m, &rx), -EINVAL);
			}
			rte_pktmbuf_free(m);
		}
	}
}
END_TEST

/* Check classify of one rx vector held in @p m. */
static void
ck_rx_vector(const struct tv_rx *v, const struct rte_mbuf *m, const char *name)
{
	struct vtep_tnl_rx_cfg cfg;
	struct vtep_tnl_rx rx;
	enum vtep_ul_class c;

	rx_cfg_init(&cfg);
	ck_fast_agrees(&cfg, m, name);
	c = vtep_tnl_classify(&cfg, m, &rx);
	ck_assert_msg((int)c == v->cls, "%s: class %d, expected %d (drop %s)", name, c, v->cls,
		      vtep_drop_name(rx.drop));
	if (c == VTEP_UL_DROP)
		ck_assert_msg(rx.drop == v->drop, "%s: drop %s, expected %s", name,
			      vtep_drop_name(rx.drop), vtep_drop_name(v->drop));
	if (c == VTEP_UL_TUNNEL) {
		ck_assert_msg(rx.vni == v->vni, "%s: vni 0x%x", name, rx.vni);
		ck_assert_msg(rx.inner_off == v->inner_off, "%s: inner_off %u", name, rx.inner_off);
	}
}

START_TEST(test_rx_vectors)
{
	unsigned int i;

	for (i = 0; i < VTEP_ARRAY_SIZE(tv_rx); i++) {
		const struct tv_rx *v = &tv_rx[i];
		struct ext_mbuf e;
		struct rte_mbuf *m;
		uint32_t cut;

		m = mk_mbuf(v->pkt, v->len, NULL, 0);
		ck_rx_vector(v, m, v->name);
		rte_pktmbuf_free(m);
		ext_mbuf_make(&e, v->pkt, v->len);
		ck_rx_vector(v, e.m, v->name);
		ext_mbuf_free(&e);
		for (cut = 1; cut < v->len; cut++) {
			char name[128];

			snprintf(name, sizeof(name), "%s/cut%u", v->name, cut);
			m = mk_mbuf(v->pkt, v->len, &cut, 1);
			ck_rx_vector(v, m, name);
			rte_pktmbuf_free(m);
		}
	}
}
END_TEST

/* Every prefix of a valid frame (exact-size buffer): never TUNNEL, always TRUNCATED. */
START_TEST(test_rx_truncated_prefixes)
{
	struct vtep_tnl_rx_cfg cfg;
	unsigned int i;

	rx_cfg_init(&cfg);
	for (i = 0; i < VTEP_ARRAY_SIZE(tv_encap); i++) {
		const struct tv_encap *v = &tv_encap[i];
		uint32_t len;

		for (len = 0; len < v->outer_len; len++) {
			struct vtep_tnl_rx rx;
			struct ext_mbuf e;
			enum vtep_ul_class c;

			ext_mbuf_make(&e, v->outer, len);
			c = vtep_tnl_classify(&cfg, e.m, &rx);
			ck_assert_msg(c == VTEP_UL_DROP && rx.drop == VTEP_DROP_TNL_TRUNCATED,
				      "%s: prefix %u: class %d drop %s", v->name, len, c,
				      vtep_drop_name(rx.drop));
			ext_mbuf_free(&e);
		}
	}
}
END_TEST

/*
 * Prefixes whose IP (and UDP) lengths were rewritten to match: the cut is then inside
 * the L4/tunnel header (TRUNCATED) or the inner frame is too short (BAD_INNER).
 */
START_TEST(test_rx_truncated_consistent)
{
	struct vtep_tnl_rx_cfg cfg;
	unsigned int i;

	rx_cfg_init(&cfg);
	for (i = 0; i < VTEP_ARRAY_SIZE(tv_encap); i++) {
		const struct tv_encap *v = &tv_encap[i];
		uint32_t l4 = v->ipv6 ? 54 : 34, len;
		uint8_t buf[256];

		for (len = l4; len < (uint32_t)v->inner_off + 14; len++) {
			uint32_t l4_len = len - l4;
			unsigned int expect;
			struct vtep_tnl_rx rx;
			struct ext_mbuf e;
			enum vtep_ul_class c;

			memcpy(buf, v->outer, len);
			if (v->ipv6) {
				buf[18] = (uint8_t)(l4_len >> 8);
				buf[19] = (uint8_t)l4_len;
			} else {
				buf[16] = (uint8_t)((l4_len + 20) >> 8);
				buf[17] = (uint8_t)(l4_len + 20);
			}
			if (!v->nvgre && l4_len >= 6) {
				buf[l4 + 4] = (uint8_t)(l4_len >> 8);
				buf[l4 + 5] = (uint8_t)l4_len;
			}
			expect = len < v->inner_off ? VTEP_DROP_TNL_TRUNCATED :
				VTEP_DROP_TNL_BAD_INNER;
			ext_mbuf_make(&e, buf, len);
			c = vtep_tnl_classify(&cfg, e.m, &rx);
			ck_assert_msg(c == VTEP_UL_DROP && rx.drop == expect,
				      "%s: len %u: class %d drop %s", v->name, len, c,
				      vtep_drop_name(rx.drop));
			ext_mbuf_free(&e);
		}
	}
}
END_TEST

/* Random garbage after valid outer headers, and random frames: never a crash. */
START_TEST(test_rx_fuzz)
{
	struct vtep_tnl_rx_cfg cfg;
	unsigned int i, j;

	rx_cfg_init(&cfg);
	srandom(7471);
	for (i = 0; i < 20000; i++) {
		const struct tv_encap *v = &tv_encap[i % VTEP_ARRAY_SIZE(tv_encap)];
		uint32_t len = random() % 160;
		struct vtep_tnl_rx rx;
		struct ext_mbuf e;
		uint8_t buf[160];

		memcpy(buf, v->outer, RTE_MIN(len, (uint32_t)v->outer_len));
		/* Flip a few random bytes in the headers. */
		for (j = 0; j < 1 + i % 4 && len > 0; j++)
			buf[random() % len] = (uint8_t)random();
		ext_mbuf_make(&e, buf, len);
		ck_fast_agrees(&cfg, e.m, "fuzz");
		if (vtep_tnl_classify(&cfg, e.m, &rx) == VTEP_UL_TUNNEL) {
			ck_assert_uint_ge(len, rx.inner_off + 14u);
			ck_assert_uint_le(rx.vni, VTEP_VNI_MAX);
		}
		ext_mbuf_free(&e);
	}
}
END_TEST

/* Frames to the STT port go to the STT driver, or are UPLINK_OTHER without one. */
START_TEST(test_rx_stt_dispatch)
{
	static const uint8_t hdr[] = {
		0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
		0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		0xc0, 0x00, 0x1d, 0x2f, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0,
	};
	struct vtep_tnl_rx_cfg cfg;
	struct vtep_tnl_rx rx;
	struct ext_mbuf e;
	enum vtep_ul_class c;

	rx_cfg_init(&cfg);
	ext_mbuf_make(&e, hdr, sizeof(hdr));
	c = vtep_tnl_classify(&cfg, e.m, &rx);
	if (vtep_tunnel_ops_get(VTEP_TUNNEL_STT) == NULL) {
		ck_assert_int_eq(c, VTEP_UL_DROP);
		ck_assert_uint_eq(rx.drop, VTEP_DROP_UPLINK_OTHER);
	} else {
		ck_assert(c != VTEP_UL_CONTROL);
	}
	ext_mbuf_free(&e);
}
END_TEST

/* Encap of a frame that would exceed the MTU fails and leaves m exactly as it was. */
START_TEST(test_encap_mtu)
{
	static uint8_t frame[2048];
	unsigned int v6, nv;

	memset(frame, 0x5a, sizeof(frame));
	for (v6 = 0; v6 < 2; v6++) {
		for (nv = 0; nv < 2; nv++) {
			struct tv_encap tv = { .nvgre = (int)nv, .ipv6 = (int)v6, .vni = 10 };
			struct vtep_tnl_encap_ctx ctx = { .pool = pool };
			struct vtep_tnl_template t;
			struct vtep_tnl_params p;
			struct rte_mbuf *m, *out[2] = { NULL, NULL };
			unsigned int reason = 0;
			uint32_t over, fit;
			uint16_t doff;

			params_of(&tv, &p);
			p.mtu = 0;   /* 1500 */
			ck_assert_int_eq(vtep_tnl_template_build(&p, &t), 0);
			ck_assert_uint_eq(t.mtu, 1500);
			fit = 1500 - (t.len - 14);
			over = fit + 1;

			m = mk_mbuf(frame, over, NULL, 0);
			doff = m->data_off;
			ck_assert_int_eq(vtep_tnl_encap_fast(&t, m, 1), -1);
			ck_assert_uint_eq(m->data_off, doff);
			ck_assert_int_eq(vtep_tnl_encap(&t, m, 1, &ctx, out, 2, &reason), -1);
			ck_assert_uint_eq(reason, VTEP_DROP_MTU_EXCEEDED);
			ck_assert_ptr_null(out[0]);
			ck_assert_uint_eq(m->data_off, doff);
			ck_assert_uint_eq(m->nb_segs, 1);
			ck_mbuf_eq(m, frame, over, "mtu");
			rte_pktmbuf_free(m);

			m = mk_mbuf(frame, fit, NULL, 0);
			ck_assert_int_eq(vtep_tnl_encap(&t, m, 1, &ctx, out, 2, &reason), 1);
			ck_assert_uint_eq(out[0]->pkt_len, 1514);
			rte_pktmbuf_free(out[0]);
			m = mk_mbuf(frame, fit, NULL, 0);
			ck_assert_int_eq(vtep_tnl_encap_fast(&t, m, 1), v6 ? -1 : 0);
			if (!v6)
				ck_assert_uint_eq(m->pkt_len, 1514);
			rte_pktmbuf_free(m);
		}
	}
}
END_TEST

/* Verify the outer checksums of encapsulated frames of every inner length. */
START_TEST(test_encap_checksums)
{
	static uint8_t frame[1600];
	struct vtep_tnl_encap_ctx ctx = { .pool = pool };
	unsigned int v6, len, i;

	for (i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 7 + 3);
	for (v6 = 0; v6 < 2; v6++) {
		struct tv_encap tv = { .ipv6 = (int)v6, .vni = 0xabcdef, .tos = 0xfc, .ttl = 9 };
		struct vtep_tnl_template t;
		struct vtep_tnl_params p;

		params_of(&tv, &p);
		ck_assert_int_eq(vtep_tnl_template_build(&p, &t), 0);
		for (len = 14; len < 1400; len += 13) {
			uint32_t cut = len / 3, hash = len * 2654435761u;
			struct rte_mbuf *m = mk_mbuf(frame, len, &cut, 1), *out[1];
			static uint8_t pkt[2048];
			unsigned int reason;
			const uint8_t *o;

			ck_assert_int_eq(vtep_tnl_encap(&t, m, hash, &ctx, out, 1, &reason), 1);
			o = rte_pktmbuf_read(out[0], 0, out[0]->pkt_len, pkt);
			ck_assert_ptr_nonnull(o);
			if (v6) {
				struct rte_ipv6_hdr ip6;
				uint8_t udp[2048];
				uint16_t ck, got;

				memcpy(&ip6, o + 14, sizeof(ip6));
				ck_assert_uint_eq(rte_be_to_cpu_16(ip6.payload_len), len + 16);
				ck_assert_uint_eq(rte_be_to_cpu_32(ip6.vtc_flow) & 0xfffff,
						  hash & 0xfffff);
				memcpy(udp, o + 54, len + 16);
				got = (uint16_t)(udp[6] | udp[7] << 8);
				udp[6] = udp[7] = 0;
				ck = rte_ipv6_udptcp_cksum(&ip6, udp);
				ck_assert_uint_eq(got, ck);
				ck_assert_uint_eq(rte_be_to_cpu_16(*(const uint16_t *)(o + 54)),
						  49152 + hash % 16384);
			} else {
				ck_assert_uint_eq(rte_raw_cksum(o + 14, 20), 0xffff);
				ck_assert_uint_eq((o + 14)[2] << 8 | (o + 14)[3], len + 36);
				ck_assert_uint_eq((o + 34)[6] | (o + 34)[7], 0);
			}
			rte_pktmbuf_free(out[0]);
		}
	}
}
END_TEST

START_TEST(test_template_params)
{
	struct tv_encap tv = { .vni = 1 };
	struct vtep_tnl_template t;
	struct vtep_tnl_params p;

	params_of(&tv, &p);
	ck_assert_int_eq(vtep_tnl_template_build(&p, &t), 0);
	ck_assert_uint_eq(t.len, 50);
	ck_assert_uint_eq(t.l3_off, 14);
	ck_assert_uint_eq(t.l4_off, 34);
	ck_assert_uint_eq(t.tnl_off, 42);
	ck_assert_uint_eq(t.hdr[14 + 8], 64);                      /* default TTL */
	ck_assert_uint_eq(t.hdr[34 + 2] << 8 | t.hdr[34 + 3], 4789); /* default port */
	tv.nvgre = 1;
	tv.ipv6 = 1;
	params_of(&tv, &p);
	ck_assert_int_eq(vtep_tnl_template_build(&p, &t), 0);
	ck_assert_uint_eq(t.len, 62);
	ck_assert_uint_eq(t.tnl_off, 58);
	ck_assert_uint_eq(t.ipv6, 1);

	p.vni = VTEP_VNI_MAX + 1;
	ck_assert_int_eq(vtep_tnl_template_build(&p, &t), -EINVAL);
	params_of(&tv, &p);
	ip_set(&p.remote, "10.0.0.2");
	ck_assert_int_eq(vtep_tnl_template_build(&p, &t), -EINVAL);
	params_of(&tv, &p);
	p.type = (enum vtep_tunnel_type)7;
	ck_assert_int_eq(vtep_tnl_template_build(&p, &t), -EINVAL);
	params_of(&tv, &p);
	memset(&p.local, 0, sizeof(p.local));
	memset(&p.remote, 0, sizeof(p.remote));
	ck_assert_int_eq(vtep_tnl_template_build(&p, &t), -EINVAL);
	params_of(&tv, &p);
	p.type = VTEP_TUNNEL_STT;
	if (vtep_tunnel_ops_get(VTEP_TUNNEL_STT) == NULL)
		ck_assert_int_eq(vtep_tnl_template_build(&p, &t), -ENOTSUP);
}
END_TEST

START_TEST(test_ops_table)
{
	const struct vtep_tunnel_ops *o;

	o = vtep_tunnel_ops_get(VTEP_TUNNEL_VXLAN);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->name, "vxlan");
	ck_assert_uint_eq(o->hdr_len, 16);
	o = vtep_tunnel_ops_get(VTEP_TUNNEL_NVGRE);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->name, "nvgre");
	ck_assert_uint_eq(o->hdr_len, 8);
	ck_assert_ptr_null(vtep_tunnel_ops_get(VTEP_TUNNEL__MAX));
	o = vtep_tunnel_ops_get(VTEP_TUNNEL_STT);
	if (o != NULL)
		ck_assert_str_eq(o->name, "stt");
}
END_TEST

START_TEST(test_decap_errors)
{
	struct rte_mbuf *m = mk_mbuf(tv_encap[0].outer, tv_encap[0].outer_len, NULL, 0);
	struct vtep_tnl_rx rx;

	memset(&rx, 0, sizeof(rx));
	ck_assert_int_eq(vtep_tnl_decap(m, &rx), -EINVAL);
	rx.inner_off = (uint16_t)(tv_encap[0].outer_len - 13);
	ck_assert_int_eq(vtep_tnl_decap(m, &rx), -EINVAL);
	ck_assert_uint_eq(m->pkt_len, tv_encap[0].outer_len);
	rte_pktmbuf_free(m);
}
END_TEST

/* Hash of a frame given as bytes, flat. */
static uint32_t
hash_of(const uint8_t *d, uint32_t len)
{
	struct rte_mbuf *m = mk_mbuf(d, len, NULL, 0);
	uint32_t h = vtep_tnl_flow_hash(m);

	rte_pktmbuf_free(m);
	return h;
}

START_TEST(test_flow_hash)
{
	/* tv_encap[0]: untagged IPv4/UDP; its inner frame is hashed with variations. */
	const struct tv_encap *v = &tv_encap[0];
	uint8_t f[256], tagged[260];
	uint32_t h0, len = v->inner_len, cut;

	ck_assert_uint_le(len, sizeof(f));
	memcpy(f, v->inner, len);
	h0 = hash_of(f, len);
	ck_assert_uint_eq(h0, hash_of(f, len));
	/* The same frame in segments hashes the same. */
	for (cut = 1; cut < len; cut++) {
		struct rte_mbuf *m = mk_mbuf(f, len, &cut, 1);

		ck_assert_uint_eq(vtep_tnl_flow_hash(m), h0);
		rte_pktmbuf_free(m);
	}
	/* A VLAN tag does not change the flow. */
	memcpy(tagged, f, 12);
	tagged[12] = 0x81;
	tagged[13] = 0x00;
	tagged[14] = 0x00;
	tagged[15] = 0x64;
	memcpy(tagged + 16, f + 12, len - 12);
	ck_assert_uint_eq(hash_of(tagged, len + 4), h0);
	/* Ports, addresses and MACs do. */
	f[14 + 20 + 1] ^= 1;
	ck_assert_uint_ne(hash_of(f, len), h0);
	f[14 + 20 + 1] ^= 1;
	f[14 + 15] ^= 1;
	ck_assert_uint_ne(hash_of(f, len), h0);
	f[14 + 15] ^= 1;
	f[5] ^= 1;
	ck_assert_uint_ne(hash_of(f, len), h0);
	f[5] ^= 1;
	/* A fragment's ports are not looked at. */
	f[14 + 6] |= 0x20;
	h0 = hash_of(f, len);
	f[14 + 20 + 1] ^= 1;
	ck_assert_uint_eq(hash_of(f, len), h0);
}
END_TEST

/* Every prefix of every inner frame, in an exact-size buffer: no read past the end. */
START_TEST(test_flow_hash_bounds)
{
	unsigned int i;

	for (i = 0; i < VTEP_ARRAY_SIZE(tv_encap); i++) {
		const struct tv_encap *v = &tv_encap[i];
		uint32_t len;

		for (len = 0; len <= RTE_MIN((uint32_t)v->inner_len, 120u); len++) {
			struct ext_mbuf e;

			ext_mbuf_make(&e, v->inner, len);
			(void)vtep_tnl_flow_hash(e.m);
			ext_mbuf_free(&e);
		}
	}
}
END_TEST

static Suite *
tunnel_suite(void)
{
	Suite *s = suite_create("tunnel");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ops_table);
	tcase_add_test(tc, test_template_params);
	tcase_add_test(tc, test_encap_golden_flat);
	tcase_add_test(tc, test_encap_golden_multiseg);
	tcase_add_test(tc, test_encap_golden_no_headroom);
	tcase_add_test(tc, test_encap_golden_shared);
	tcase_add_test(tc, test_encap_checksums);
	tcase_add_test(tc, test_encap_mtu);
	tcase_add_test(tc, test_decap_golden);
	tcase_add_test(tc, test_decap_golden_multiseg);
	tcase_add_test(tc, test_decap_errors);
	tcase_add_test(tc, test_rx_vectors);
	tcase_add_test(tc, test_rx_truncated_prefixes);
	tcase_add_test(tc, test_rx_truncated_consistent);
	tcase_add_test(tc, test_rx_fuzz);
	tcase_add_test(tc, test_rx_stt_dispatch);
	tcase_add_test(tc, test_flow_hash);
	tcase_add_test(tc, test_flow_hash_bounds);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int failed;

	if (vtep_test_eal_init("test_tunnel", "128") != 0)
		return VTEP_TEST_SKIP;
	pool = rte_pktmbuf_pool_create("tnl_test", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "test_tunnel: no mbuf pool\n");
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}
	failed = vtep_test_run(tunnel_suite());
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
