/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast path: one poll iteration of a worker. Run to completion over bursts; no locks,
 * no allocation other than mbufs, no syscalls, no logging.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_prefetch.h>

#include "vtep_clock.h"
#include "vtep_dp_offload.h"
#include "vtep_dp_priv.h"
#include "vtep_pkt.h"
#include "vtep_tunnel_rx_fast.h"

/* Per packet state carried from the ingress stage to the L2 stage. */
struct dp_md {
	uint16_t vlan;
	uint16_t pcp;   /* priority bits to keep when a tag is pushed again */
	uint16_t in;    /* ingress port index (a tunnel port after decap) */
	uint8_t learn;  /* learn the source MAC on `in` */
	uint8_t from_tnl;
};
/* l2_forward() compares two packets' metadata as one 64-bit word: no padding, no more */
_Static_assert(sizeof(struct dp_md) == 8, "struct dp_md must stay 8 bytes");

static inline void
count_drop(struct dp_worker *w, uint16_t port, unsigned int reason)
{
	w->st[port].drop[reason]++;
	w->st[port].drops++;
}

static inline void
drop_pkt(struct dp_worker *w, uint16_t port, struct rte_mbuf *m, unsigned int reason)
{
	count_drop(w, port, reason);
	rte_pktmbuf_free(m);
}

/* Drop a frame received as @p n packets (a reassembled STT frame): n drops, so that the
 * port's rx == delivered + drops holds per packet. */
static inline void
drop_pkt_n(struct dp_worker *w, uint16_t port, struct rte_mbuf *m, unsigned int reason,
	   uint16_t n)
{
	w->st[port].drop[reason] += n;
	w->st[port].drops += n;
	rte_pktmbuf_free(m);
}

/* Charge the STT segments the reassembly dropped while holding them to @p port. */
static void
stt_take_drops(struct dp_worker *w, uint16_t port)
{
	struct vtep_stt_reasm_drops d = { 0 };

	if (!vtep_stt_reasm_take_drops(w->reasm, &d))
		return;
	w->st[port].drop[VTEP_DROP_STT_OVERLAP] += d.overlap;
	w->st[port].drop[VTEP_DROP_STT_CAP_REACHED] += d.cap_reached;
	w->st[port].drop[VTEP_DROP_STT_EXPIRED] += d.expired;
	w->st[port].drops += (uint64_t)d.overlap + d.cap_reached + d.expired;
}

/*
 * Packet and byte counts of a run of packets with the same port (and VLAN), added to the
 * worker's counters when the run ends: one update per run instead of one per packet.
 */
struct dp_acc {
	uint16_t port;              /* DP_NO_PORT: empty */
	uint16_t vlan;
	uint32_t pkts;
	uint64_t bytes;
};

static inline void
acc_init(struct dp_acc *a)
{
	a->port = DP_NO_PORT;
	a->vlan = 0;
	a->pkts = 0;
	a->bytes = 0;
}

/* Add a finished run of tunnel transmissions (port and segment counters). */
static inline void
acc_flush_tnl_tx(struct dp_worker *w, struct dp_acc *a)
{
	if (a->pkts == 0)
		return;
	w->st[a->port].tx_packets += a->pkts;
	w->st[a->port].tx_bytes += a->bytes;
	w->seg_st[a->vlan].tx_packets += a->pkts;
	w->seg_st[a->vlan].tx_bytes += a->bytes;
	a->pkts = 0;
	a->bytes = 0;
}

static inline void
acc_tnl_tx(struct dp_worker *w, struct dp_acc *a, uint16_t port, uint16_t vlan, uint32_t len)
{
	if (a->port != port || a->vlan != vlan) {
		acc_flush_tnl_tx(w, a);
		a->port = port;
		a->vlan = vlan;
	}
	a->pkts++;
	a->bytes += len;
}

/* Add a finished run of decapsulated packets (segment, and tunnel port when known). */
static inline void
acc_flush_tnl_rx(struct dp_worker *w, struct dp_acc *a)
{
	if (a->pkts == 0)
		return;
	w->seg_st[a->vlan].rx_packets += a->pkts;
	w->seg_st[a->vlan].rx_bytes += a->bytes;
	if (a->port != DP_NO_PORT) {
		w->st[a->port].rx_packets += a->pkts;
		w->st[a->port].rx_bytes += a->bytes;
	}
	a->pkts = 0;
	a->bytes = 0;
}

static inline void
acc_tnl_rx(struct dp_worker *w, struct dp_acc *a, uint16_t port, uint16_t vlan, uint32_t len)
{
	if (a->port != port || a->vlan != vlan || a->pkts == 0) {
		acc_flush_tnl_rx(w, a);
		a->port = port;
		a->vlan = vlan;
	}
	a->pkts++;
	a->bytes += len;
}

/* Send what is buffered for port @out; unsent packets are dropped as tx_full, or link_down. */
static void
tx_flush(const struct dp_tables *t, struct dp_worker *w, uint16_t out)
{
	struct dp_txbuf *b = &w->txb[out];
	const struct dp_tport *tp = &t->ports[out];
	uint64_t bytes = 0;
	uint16_t sent = 0;

	if (b->n == 0)
		return;
	for (uint16_t i = 0; i < b->n; i++)
		bytes += b->pkts[i]->pkt_len;
	if (tp->kind == VTEP_DP_PORT_ETH)
		sent = vtep_port_tx(tp->eth, w->id, b->pkts, b->n);
	if (unlikely(sent < b->n)) {
		unsigned int why = __atomic_load_n(&w->link_down[out], __ATOMIC_RELAXED) ?
			VTEP_DROP_LINK_DOWN : VTEP_DROP_TX_FULL;

		for (uint16_t i = sent; i < b->n; i++) {
			bytes -= b->pkts[i]->pkt_len;
			drop_pkt(w, out, b->pkts[i], why);
		}
	}
	w->st[out].tx_packets += sent;
	w->st[out].tx_bytes += bytes;
	b->n = 0;
}

static inline void
tx_enqueue(const struct dp_tables *t, struct dp_worker *w, uint16_t out, struct rte_mbuf *m)
{
	struct dp_txbuf *b = &w->txb[out];

	if (b->n == VTEP_BURST)
		tx_flush(t, w, out);
	if (b->n == 0)
		w->dirty[w->n_dirty++] = out;
	b->pkts[b->n++] = m;
}

/* Queue a run of packets for port @p out, in order. */
static inline void
tx_enqueue_run(const struct dp_tables *t, struct dp_worker *w, uint16_t out,
	       struct rte_mbuf **pkts, unsigned int n)
{
	struct dp_txbuf *b = &w->txb[out];

	while (n > 0) {
		unsigned int c;

		if (b->n == VTEP_BURST)
			tx_flush(t, w, out);
		if (b->n == 0)
			w->dirty[w->n_dirty++] = out;
		c = RTE_MIN(n, (unsigned int)(VTEP_BURST - b->n));
		memcpy(&b->pkts[b->n], pkts, c * sizeof(pkts[0]));
		b->n = (uint16_t)(b->n + c);
		pkts += c;
		n -= c;
	}
}

static void
tx_flush_all(const struct dp_tables *t, struct dp_worker *w)
{
	for (uint16_t i = 0; i < w->n_dirty; i++)
		tx_flush(t, w, w->dirty[i]);
	w->n_dirty = 0;
}

static void output(const struct dp_tables *t, struct dp_worker *w, struct rte_mbuf *m,
		   const struct dp_md *md, uint16_t out, struct dp_acc *acc);

/*
 * A TSO frame from a VM (cold path, see vtep_dp_offload.c). @return false if @p m goes on
 * whole (prepared for its egress), true if it was consumed: sent as segments (to the
 * tunnel, or queued to the port as they are) or dropped.
 */
static __rte_noinline bool
output_tso(const struct dp_tables *t, struct dp_worker *w, struct rte_mbuf *m,
	   const struct dp_md *md, uint16_t out, const struct vtep_tnl_template *tmpl,
	   struct dp_acc *acc)
{
	struct rte_mbuf *segs[VTEP_TSO_MAX_SEGS];
	unsigned int reason;
	int n;

	n = dp_tso_resolve(m, tmpl, tmpl ? NULL : t->ports[out].eth, w->pool, segs,
			   RTE_DIM(segs), &reason);
	if (n == 0)
		return false;
	if (n < 0) {
		if (tmpl != NULL)
			w->seg_st[md->vlan].drops++;
		drop_pkt(w, tmpl != NULL ? out : md->in, m, reason);
		return true;
	}
	for (int i = 0; i < n; i++) {
		if (tmpl != NULL)
			output(t, w, segs[i], md, out, acc);
		else
			tx_enqueue(t, w, out, segs[i]);
	}
	return true;
}

/* An inner packet did not fit the tunnel: tell its sender the path MTU (cold path). */
static void
pmtu_feedback(const struct dp_tables *t, struct dp_worker *w, const struct rte_mbuf *m,
	      const struct dp_md *md, const struct vtep_tnl_template *tmpl)
{
	struct dp_md rmd = *md;
	struct dp_acc acc;
	struct rte_mbuf *r;

	if (md->from_tnl || t->ports[md->in].kind != VTEP_DP_PORT_ETH || tmpl->mtu <= tmpl->len ||
	    !dp_rate_allow(&w->pmtu_rate, vtep_clock_ms_cached, DP_PMTU_PER_MS))
		return;
	r = vtep_dp_pmtu_reply(w->pool, m, (uint16_t)(tmpl->mtu - tmpl->len));
	if (r == NULL)
		return;
	w->load.icmp_too_big++;
	rmd.pcp = 0;
	acc_init(&acc);
	output(t, w, r, &rmd, md->in, &acc);
}

/*
 * vtep_vlan_push(), inline when the first segment has the headroom and an Ethernet
 * header (the common case); the library call otherwise. @return 0 or -errno.
 */
static inline int
vlan_push(struct rte_mbuf *m, uint16_t tci)
{
	uint8_t *p;
	uint64_t macs_lo;
	uint32_t macs_hi, tag;

	if (unlikely(m->data_len < VTEP_ETH_HLEN || rte_pktmbuf_headroom(m) < VTEP_VLAN_HLEN))
		return vtep_vlan_push(m, tci);
	p = rte_pktmbuf_mtod(m, uint8_t *);
	memcpy(&macs_lo, p, 8);
	memcpy(&macs_hi, p + 8, 4);
	p = (uint8_t *)rte_pktmbuf_prepend(m, VTEP_VLAN_HLEN);
	memcpy(p, &macs_lo, 8);
	memcpy(p + 8, &macs_hi, 4);
	tag = rte_cpu_to_be_32((uint32_t)VTEP_ETHERTYPE_VLAN << 16 | tci);
	memcpy(p + 12, &tag, 4);
	return 0;
}

/* The inner flow hash for tunnel entropy: the NIC's RSS hash when it gave one. */
static __rte_always_inline uint32_t
encap_hash(const struct rte_mbuf *m)
{
	return (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH) ? m->hash.rss : vtep_tnl_flow_hash(m);
}

/*
 * Egress of the common case, inline: in-place encap toward a tunnel (VXLAN/NVGRE over
 * IPv4, see vtep_tnl_encap_fast()), or a frame to an Ethernet port of its VLAN (tag
 * pushed on a trunk), neither a TSO frame. @return the port to queue @p m on (tunnel
 * counters added to @p acc, and *@p tmplp set to the template used, else NULL), or
 * DP_NO_PORT with @p m unchanged: output_slow() then decides. *@p pushp says whether a
 * tag was pushed (Ethernet ports).
 */
static __rte_always_inline uint16_t
output_fast(const struct dp_tables *t, struct dp_worker *w, struct rte_mbuf *m,
	    const struct dp_md *md, uint16_t out, struct dp_acc *acc,
	    const struct vtep_tnl_template **tmplp, bool *pushp)
{
	const struct dp_tport *tp = &t->ports[out];
	const struct vtep_tnl_template *tmpl;
	uint32_t len = m->pkt_len;
	uint16_t seg;

	*pushp = false;
	if (unlikely(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG))
		return DP_NO_PORT;
	if (tp->kind == VTEP_DP_PORT_TUNNEL) {
		seg = t->seg_by_vlan[md->vlan];
		if (unlikely(seg == DP_NO_SEG) || unlikely((tmpl = tp->tmpl[seg]) == NULL))
			return DP_NO_PORT;
		if (unlikely(vtep_tnl_encap_fast(tmpl, m, encap_hash(m)) != 0))
			return DP_NO_PORT;
		acc_tnl_tx(w, acc, out, md->vlan, len);
		*tmplp = tmpl;
		return tp->uplink;
	}
	*tmplp = NULL;
	if (unlikely(!dp_vlan_member(tp, md->vlan)))
		return DP_NO_PORT;
	*pushp = tp->mode != VTEP_PORT_MODE_ACCESS && md->vlan != 0;
	if (*pushp && unlikely(vlan_push(m, (uint16_t)(md->pcp << 13 | md->vlan)) < 0))
		return DP_NO_PORT;
	return out;
}

/* Egress of everything output_fast() left: drops with their reasons, TSO frames, and
 * vtep_tnl_encap() (STT, IPv6 underlay, shared or chained mbufs, no headroom, MTU). */
static __rte_noinline void
output_slow(const struct dp_tables *t, struct dp_worker *w, struct rte_mbuf *m,
	    const struct dp_md *md, uint16_t out, struct dp_acc *acc)
{
	const struct dp_tport *tp = &t->ports[out];
	struct rte_mbuf *segs[64];
	const struct vtep_tnl_template *tmpl;
	unsigned int reason = VTEP_DROP_NO_SEGMENT;
	uint16_t vlan = md->vlan, seg;
	uint32_t len = m->pkt_len, hash;
	int n;

	if (tp->kind != VTEP_DP_PORT_TUNNEL) {
		if (!dp_vlan_member(tp, vlan)) {
			drop_pkt(w, md->in, m, VTEP_DROP_VLAN_NOT_ALLOWED);
			return;
		}
		if (tp->mode != VTEP_PORT_MODE_ACCESS && vlan != 0 &&
		    vlan_push(m, (uint16_t)(md->pcp << 13 | vlan)) < 0) {
			drop_pkt(w, md->in, m, VTEP_DROP_NO_MBUF);
			return;
		}
		if (!(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) ||
		    !output_tso(t, w, m, md, out, NULL, acc))
			tx_enqueue(t, w, out, m);
		return;
	}
	seg = t->seg_by_vlan[vlan];
	if (seg == DP_NO_SEG) {
		drop_pkt(w, out, m, VTEP_DROP_NO_SEGMENT);
		return;
	}
	tmpl = tp->tmpl[seg];
	if (tmpl == NULL) {
		w->seg_st[vlan].drops++;
		drop_pkt(w, out, m, VTEP_DROP_NEIGH_UNRESOLVED);
		return;
	}
	if ((m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) && output_tso(t, w, m, md, out, tmpl, acc))
		return;
	hash = encap_hash(m);
	dp_encap_uplink(&w->encap, t->ports[tp->uplink].eth);
	n = vtep_tnl_encap(tmpl, m, hash, &w->encap, segs, RTE_DIM(segs), &reason);
	if (n < 0) {
		w->seg_st[vlan].drops++;
		if (reason == VTEP_DROP_MTU_EXCEEDED)
			pmtu_feedback(t, w, m, md, tmpl);
		drop_pkt(w, out, m, reason);
		return;
	}
	acc_tnl_tx(w, acc, out, vlan, len);
	for (int i = 0; i < n; i++)
		tx_enqueue(t, w, tp->uplink, segs[i]);
}

/* Egress: VLAN handling for an Ethernet port, encap for a tunnel port. */
static void
output(const struct dp_tables *t, struct dp_worker *w, struct rte_mbuf *m,
       const struct dp_md *md, uint16_t out, struct dp_acc *acc)
{
	const struct vtep_tnl_template *tmpl;
	bool push;
	uint16_t q = output_fast(t, w, m, md, out, acc, &tmpl, &push);

	if (q != DP_NO_PORT)
		tx_enqueue(t, w, q, m);
	else
		output_slow(t, w, m, md, out, acc);
}

/* Add @p m to the run of packets for port @p q, queueing the run so far if it was for
 * another port. */
static __rte_always_inline void
run_add(const struct dp_tables *t, struct dp_worker *w, struct rte_mbuf **run,
	unsigned int *nrun, uint16_t *run_port, uint16_t q, struct rte_mbuf *m)
{
	if (q != *run_port && *nrun > 0) {
		tx_enqueue_run(t, w, *run_port, run, *nrun);
		*nrun = 0;
	}
	*run_port = q;
	run[(*nrun)++] = m;
}

/* Flood within the VLAN: local member ports, then (unless it came from a tunnel) the
 * segment's flood list. Every target but the last gets a copy. */
static void
flood(const struct dp_tables *t, struct dp_worker *w, struct rte_mbuf *m, const struct dp_md *md,
      struct dp_acc *acc)
{
	uint16_t targets[2 * VTEP_MAX_PORTS];
	const uint16_t *loc = &t->flood_ports[t->flood_off[md->vlan]];
	uint16_t seg = t->seg_by_vlan[md->vlan];
	unsigned int n = 0;

	for (uint16_t i = 0; i < t->flood_cnt[md->vlan]; i++)
		if (loc[i] != md->in)
			targets[n++] = loc[i];
	if (!md->from_tnl && seg != DP_NO_SEG) {
		const struct dp_seg *s = &t->segs[seg];

		for (uint16_t i = 0; i < s->n_flood; i++)
			if (s->flood[i] != md->in)
				targets[n++] = s->flood[i];
	}
	if (n == 0) {
		drop_pkt(w, md->in, m, VTEP_DROP_NO_OUTPUT);
		return;
	}
	for (unsigned int i = 0; i + 1 < n; i++) {
		struct rte_mbuf *c = rte_pktmbuf_copy(m, w->pool, 0, UINT32_MAX);

		if (c == NULL) {
			count_drop(w, md->in, VTEP_DROP_NO_MBUF);
			continue;
		}
		output(t, w, c, md, targets[i], acc);
	}
	output(t, w, m, md, targets[n - 1], acc);
}

/* Index of a key in the worker's FDB cache (Fibonacci hashing). */
static inline uint32_t
fdbc_index(uint64_t key)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> (64 - DP_FDBC_BITS));
}

/*
 * Slots of @p n keys (n <= 2 * VTEP_BURST): from the worker's FDB cache when the cached
 * slot still holds the key, the rest with one bulk lookup in the FDB (refilling the
 * cache). Misses in the FDB give VTEP_FDB_MISS and are not cached.
 */
static void
fdb_lookup_burst(struct vtep_dp *dp, struct dp_worker *w, const struct vtep_fdb_slot *slots,
		 const uint64_t *keys, unsigned int n, uint32_t *out)
{
	uint64_t mkeys[2 * VTEP_BURST];
	uint32_t mslot[2 * VTEP_BURST];
	uint8_t mpos[2 * VTEP_BURST];
	unsigned int nm = 0;
	uint64_t pkey = 0;
	uint32_t pslot = VTEP_FDB_MISS;

	for (unsigned int i = 0; i < n; i++) {
		const struct dp_fdbc_ent *e;
		const struct vtep_fdb_slot *s;

		/* Bursts are mostly runs of one flow: the previous key's cache hit again. */
		if (keys[i] == pkey && pslot != VTEP_FDB_MISS) {
			out[i] = pslot;
			continue;
		}
		e = &w->fdbc[fdbc_index(keys[i])];
		s = &slots[e->slot];
		if (e->key == keys[i] && s->key == keys[i] && s->in_use) {
			out[i] = e->slot;
			pkey = keys[i];
			pslot = e->slot;
			continue;
		}
		mkeys[nm] = keys[i];
		mpos[nm++] = (uint8_t)i;
	}
	if (nm == 0)
		return;
	vtep_fdb_lookup_bulk(dp->fdb, mkeys, nm, mslot);
	for (unsigned int j = 0; j < nm; j++) {
		out[mpos[j]] = mslot[j];
		if (mslot[j] != VTEP_FDB_MISS) {
			struct dp_fdbc_ent *e = &w->fdbc[fdbc_index(mkeys[j])];

			e->key = mkeys[j];
			e->slot = mslot[j];
		}
	}
}

/*
 * The L2 stage shared by every ingress: FDB lookups of destinations and sources (one
 * burst), learning requests, then unicast or flood.
 */
static void
l2_forward(struct vtep_dp *dp, const struct dp_tables *t, struct dp_worker *w,
	   struct rte_mbuf **pkts, const struct dp_md *md, unsigned int n)
{
	uint64_t keys[2 * VTEP_BURST];
	uint32_t slot[2 * VTEP_BURST];
	struct dp_learn_msg lm[VTEP_BURST];
	struct vtep_fdb_slot *slots = vtep_fdb_slots(dp->fdb);
	const uint64_t *skeys = &keys[n];
	const uint32_t *dslot = slot, *sslot = &slot[n];
	uint32_t now_s = vtep_clock_sec();
	uint32_t tslot = VTEP_FDB_MISS;
	uint16_t tport = DP_NO_PORT, run_port = DP_NO_PORT;
	struct rte_mbuf *run[VTEP_BURST];
	/* The last packet output_fast() took: its destination slot and metadata, and where
	 * they led (the port, and for a tunnel its template and the uplink, for an Ethernet
	 * port whether a tag is pushed). */
	const struct vtep_tnl_template *c_tmpl = NULL;
	uint32_t c_dslot = VTEP_FDB_MISS;
	uint64_t c_md = 0;
	uint16_t c_out = DP_NO_PORT, c_q = DP_NO_PORT;
	bool c_push = false;
	unsigned int nl = 0, nrun = 0;
	struct dp_acc acc, facc;

	if (n == 0)
		return;
	/* Keys (vtep_l2_key() from two 8-byte loads) and a prefetch of their cache entries. */
	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *p = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		uint64_t lo, hi, vlan = (uint64_t)md[i].vlan << 48;

		memcpy(&lo, p, 8);
		memcpy(&hi, p + 4, 8);
		keys[i] = vlan | rte_be_to_cpu_64(lo) >> 16;
		keys[n + i] = vlan | (rte_be_to_cpu_64(hi) & 0xffffffffffffull);
		rte_prefetch0(&w->fdbc[fdbc_index(keys[i])]);
		rte_prefetch0(&w->fdbc[fdbc_index(keys[n + i])]);
	}
	fdb_lookup_burst(dp, w, slots, keys, 2 * n, slot);

	for (unsigned int i = 0; i < n; i++) {
		struct vtep_fdb_slot *s;

		if (!md[i].learn)
			continue;
		if (sslot[i] != VTEP_FDB_MISS) {
			/* The previous packet's source, already refreshed. */
			if (sslot[i] == tslot && md[i].in == tport)
				continue;
			s = &slots[sslot[i]];
			if (s->port == md[i].in || s->is_static) {
				vtep_fdb_touch(s, now_s);
				tslot = sslot[i];
				tport = md[i].in;
				continue;
			}
		}
		if (nl > 0 && lm[nl - 1].key == skeys[i] && lm[nl - 1].port == md[i].in)
			continue;
		lm[nl].key = skeys[i];
		lm[nl].port = md[i].in;
		nl++;
	}
	if (nl > 0)
		rte_ring_enqueue_burst_elem(w->learn_ring, lm, sizeof(lm[0]), nl, NULL);

	/*
	 * Packets that output_fast() takes are gathered into a run to one port (and their
	 * tunnel counters into facc), kept in registers and local memory rather than
	 * worker state, and queued when the run ends. The run is queued before anything
	 * else may queue a packet, so every port sees the burst's order.
	 */
	acc_init(&acc);
	acc_init(&facc);
	for (unsigned int i = 0; i < n; i++) {
		const struct vtep_tnl_template *tmpl;
		struct rte_mbuf *m = pkts[i];
		uint16_t out, q;
		uint64_t mdw;
		bool push;

		memcpy(&mdw, &md[i], sizeof(mdw));
		/*
		 * Runs of one flow: the same destination slot and metadata as the last packet
		 * output_fast() took lead to the same port (the slot's port may move, but not
		 * within one burst's worth of time any more than before it), so only the encap
		 * or the tag push is left.
		 */
		if (dslot[i] == c_dslot && mdw == c_md &&
		    likely(!(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG))) {
			uint32_t len = m->pkt_len;
			bool done;

			if (c_tmpl != NULL) {
				done = vtep_tnl_encap_fast(c_tmpl, m, encap_hash(m)) == 0;
				if (likely(done))
					acc_tnl_tx(w, &facc, c_out, md[i].vlan, len);
			} else {
				done = !c_push || vlan_push(m, (uint16_t)(md[i].pcp << 13 |
									 md[i].vlan)) == 0;
			}
			if (likely(done)) {
				run_add(t, w, run, &nrun, &run_port, c_q, m);
				continue;
			}
		}
		if ((keys[i] >> 40 & 1) || dslot[i] == VTEP_FDB_MISS) {
			out = DP_NO_PORT;
		} else {
			out = __atomic_load_n(&slots[dslot[i]].port, __ATOMIC_ACQUIRE);
			if (out >= t->n_ports || t->ports[out].kind == VTEP_DP_PORT_NONE) {
				drop_pkt(w, md[i].in, m, VTEP_DROP_NO_PORT);
				continue;
			}
			if (out == md[i].in) {
				drop_pkt(w, md[i].in, m, VTEP_DROP_HAIRPIN);
				continue;
			}
			if (md[i].from_tnl && t->ports[out].kind == VTEP_DP_PORT_TUNNEL) {
				drop_pkt(w, md[i].in, m, VTEP_DROP_SPLIT_HORIZON);
				continue;
			}
			q = output_fast(t, w, m, &md[i], out, &facc, &tmpl, &push);
			if (likely(q != DP_NO_PORT)) {
				c_tmpl = tmpl;
				c_push = push;
				c_dslot = dslot[i];
				c_md = mdw;
				c_out = out;
				c_q = q;
				run_add(t, w, run, &nrun, &run_port, q, m);
				continue;
			}
		}
		if (nrun > 0) {
			tx_enqueue_run(t, w, run_port, run, nrun);
			nrun = 0;
		}
		if (out == DP_NO_PORT)
			flood(t, w, m, &md[i], &acc);
		else
			output_slow(t, w, m, &md[i], out, &acc);
	}
	if (nrun > 0)
		tx_enqueue_run(t, w, run_port, run, nrun);
	acc_flush_tnl_tx(w, &facc);
	acc_flush_tnl_tx(w, &acc);
}

/* Source MAC must be unicast and not all-zero. */
static inline bool
src_mac_ok(const struct rte_mbuf *m)
{
	const uint8_t *s = rte_pktmbuf_mtod_offset(m, const uint8_t *, 6);

	return !(s[0] & 1) && (s[0] | s[1] | s[2] | s[3] | s[4] | s[5]) != 0;
}

/* Big-endian 16 bits at @p p. */
static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * vtep_pkt_parse_l2() for the common case, inline: the tag (if any) in the frame and the
 * first segment long enough for two tags. @return 0, or -1 to take the library call.
 */
static inline int
parse_l2_fast(const struct rte_mbuf *m, struct vtep_l2 *l2)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t et;

	if (unlikely((m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) ||
		     m->data_len < VTEP_ETH_HLEN + 2 * VTEP_VLAN_HLEN))
		return -1;
	et = rd16(p + 12);
	l2->tag_in_meta = false;
	if (et != VTEP_ETHERTYPE_VLAN) {
		l2->n_tags = 0;
		l2->tci = 0;
		return 0;
	}
	l2->tci = rd16(p + 14);
	l2->n_tags = rd16(p + 16) == VTEP_ETHERTYPE_VLAN ? 2 : 1;
	return 0;
}

/* vtep_vlan_pop() of a tag that parse_l2_fast() found in the frame, inline. */
static inline void
vlan_pop_fast(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint64_t macs_lo;
	uint32_t macs_hi;

	memcpy(&macs_lo, p, 8);
	memcpy(&macs_hi, p + 8, 4);
	memcpy(p + VTEP_VLAN_HLEN, &macs_lo, 8);
	memcpy(p + VTEP_VLAN_HLEN + 8, &macs_hi, 4);
	rte_pktmbuf_adj(m, VTEP_VLAN_HLEN);
}

/* Ingress on a bridge (non-uplink) Ethernet port: VLAN admission and normalisation. */
static void
rx_bridge(struct vtep_dp *dp, const struct dp_tables *t, struct dp_worker *w, uint16_t in,
	  struct rte_mbuf **pkts, unsigned int n)
{
	const struct dp_tport *tp = &t->ports[in];
	struct rte_mbuf *keep[VTEP_BURST];
	struct dp_md md[VTEP_BURST];
	unsigned int k = 0;
	uint64_t bytes = 0;
	/* The last frame that parse_l2_fast() took and that was admitted: its bytes 12..17
	 * (the TPID, TCI and what follows: with a valid source MAC, all that admission
	 * depends on) and its result. */
	uint64_t hw = 0;
	struct dp_md hmd = { 0 };
	uint8_t htags = 0;
	bool hvalid = false;

	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
		uint64_t wt = 0;
		struct vtep_l2 l2;
		uint16_t vid, vlan;
		unsigned int reason;
		bool fast;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		bytes += m->pkt_len;
		fast = parse_l2_fast(m, &l2) == 0;
		if (fast) {
			memcpy(&wt, p + 12, 4);
			memcpy((uint8_t *)&wt + 4, p + 16, 2);
			/* untagged: the ethertype alone decides (what follows is the payload) */
			if (p[12] != 0x81 || p[13] != 0x00)
				wt &= 0xffff;
			/* The same tags as the last admitted frame: the same decision. */
			if (hvalid && wt == hw && src_mac_ok(m)) {
				if (htags)
					vlan_pop_fast(m);
				md[k] = hmd;
				keep[k++] = m;
				continue;
			}
		}
		if (!fast && vtep_pkt_parse_l2(m, &l2) < 0) {
			drop_pkt(w, in, m, VTEP_DROP_RUNT);
			continue;
		}
		vid = vtep_tci_vid(l2.tci);
		reason = VTEP_DROP__MAX;
		vlan = 0;
		switch (tp->mode) {
		case VTEP_PORT_MODE_ACCESS:
			if (l2.n_tags && vid != 0)
				reason = VTEP_DROP_TAGGED_ON_ACCESS;
			vlan = tp->vlan;
			break;
		case VTEP_PORT_MODE_TRUNK:
			if (!l2.n_tags || vid == 0)
				reason = VTEP_DROP_UNTAGGED_ON_TRUNK;
			else if (vid == VTEP_VID_MASK)
				reason = VTEP_DROP_VLAN_INVALID;
			else if (!dp_vlan_member(tp, vid))
				reason = VTEP_DROP_VLAN_NOT_ALLOWED;
			vlan = vid;
			break;
		default:
			if (l2.n_tags && vid == VTEP_VID_MASK)
				reason = VTEP_DROP_VLAN_INVALID;
			vlan = l2.n_tags ? vid : 0;
			break;
		}
		if (reason == VTEP_DROP__MAX && l2.n_tags) {
			if (fast)
				vlan_pop_fast(m);
			else if (vtep_vlan_pop(m) < 0)
				reason = VTEP_DROP_RUNT;
		}
		if (reason == VTEP_DROP__MAX && !src_mac_ok(m))
			reason = VTEP_DROP_SRC_MAC_INVALID;
		if (reason != VTEP_DROP__MAX) {
			drop_pkt(w, in, m, reason);
			continue;
		}
		md[k].vlan = vlan;
		md[k].pcp = l2.n_tags ? l2.tci >> 13 : 0;
		md[k].in = in;
		md[k].learn = 1;
		md[k].from_tnl = 0;
		if (fast) {
			hw = wt;
			hmd = md[k];
			htags = l2.n_tags != 0;
			hvalid = true;
		}
		keep[k++] = m;
	}
	w->st[in].rx_packets += n;
	w->st[in].rx_bytes += bytes;
	l2_forward(dp, t, w, keep, md, k);
}

/* Segment index of a VNI (binary search over the sorted VNI list). */
static inline uint16_t
seg_of_vni(const struct dp_tables *t, uint32_t vni)
{
	unsigned int lo = 0, hi = t->n_segs;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (t->vni_sorted[mid] == vni)
			return t->vni_seg[mid];
		if (t->vni_sorted[mid] < vni)
			lo = mid + 1;
		else
			hi = mid;
	}
	return DP_NO_SEG;
}

/* Tunnel port of a remote VTEP address and tunnel type: the worker's last answer when the
 * tables are unchanged (bursts usually come from one remote), else a scan. */
static inline uint16_t
port_of_remote(const struct dp_tables *t, struct dp_worker *w, uint8_t type,
	       const struct vtep_ip *ip)
{
	uint16_t port = DP_NO_PORT;

	if (w->rc_gen == t->gen && w->rc_type == type && vtep_ip_equal(&w->rc_ip, ip))
		return w->rc_port;
	for (unsigned int i = 0; i < t->n_remotes; i++)
		if (t->remotes[i].type == type && vtep_ip_equal(&t->remotes[i].ip, ip)) {
			port = t->remotes[i].port;
			break;
		}
	w->rc_gen = t->gen;
	w->rc_type = type;
	w->rc_ip = *ip;
	w->rc_port = port;
	return port;
}

/* Ask the control thread to create a tunnel port for a remote VTEP that is not configured
 * and learn the frame's source MAC behind it (RFC 7348 flood-and-learn). Rate-limited so
 * a flood of spoofed outer sources cannot crowd out ordinary learning. */
static void
learn_remote(struct dp_worker *w, const struct rte_mbuf *m, uint16_t vlan,
	     const struct vtep_tnl_rx *rx)
{
	const uint8_t *src = rte_pktmbuf_mtod_offset(m, const uint8_t *, 6);
	struct dp_learn_msg lm;

	if (!dp_rate_allow(&w->learn_remote_rate, vtep_clock_ms_cached, DP_REMOTE_LEARN_PER_MS))
		return;
	memset(&lm, 0, sizeof(lm));
	lm.key = vtep_l2_key(vlan, src);
	lm.port = DP_NO_PORT;
	lm.type = rx->type;
	lm.remote = rx->remote;
	rte_ring_enqueue_elem(w->learn_ring, &lm, sizeof(lm));
}

/* Ingress on the uplink: tunnel decap into the L2 stage, underlay control to the
 * control thread, everything else dropped with its reason. */
static void
rx_uplink(struct vtep_dp *dp, const struct dp_tables *t, struct dp_worker *w, uint16_t in,
	  struct rte_mbuf **pkts, unsigned int n)
{
	struct rte_mbuf *keep[VTEP_BURST];
	struct dp_md md[VTEP_BURST];
	unsigned int k = 0;
	uint64_t bytes = 0;
	struct dp_acc acc;
	bool stt_fed = false;

	acc_init(&acc);
	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct vtep_tnl_rx rx;
		struct vtep_l2 l2;
		uint16_t seg, tport, vlan, nseg = 1;
		unsigned int reason;
		bool fast;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		bytes += m->pkt_len;
		if (!vtep_tnl_rx_fast(&t->rxcfg, m, &rx)) {
			switch (vtep_tnl_classify(&t->rxcfg, m, &rx)) {
			case VTEP_UL_DROP:
				drop_pkt(w, in, m, rx.drop);
				continue;
			case VTEP_UL_CONTROL:
				if (rte_ring_sp_enqueue(w->ctl_ring, m) != 0)
					drop_pkt(w, in, m, VTEP_DROP_CONTROL_QUEUE_FULL);
				continue;
			case VTEP_UL_TUNNEL:
				break;
			}
		}
		if (rx.type == VTEP_TUNNEL_STT &&
		    (rx.stt_frag_off != 0 || rx.stt_payload_len != rx.stt_frame_len)) {
			if (w->reasm == NULL) {
				drop_pkt(w, in, m, VTEP_DROP_NO_RESOURCES);
				continue;
			}
			m = vtep_stt_reasm_input(w->reasm, m, &rx, vtep_clock_ms_cached, &reason);
			stt_fed = true;
			if (m == NULL) {
				if (reason != VTEP_DROP_STT_REASM_PENDING)
					drop_pkt_n(w, in, NULL, reason,
						   vtep_stt_reasm_nsegs(w->reasm));
				continue;
			}
			nseg = vtep_stt_reasm_nsegs(w->reasm);
		}
		seg = seg_of_vni(t, rx.vni);
		if (seg == DP_NO_SEG) {
			drop_pkt_n(w, in, m, VTEP_DROP_TNL_UNKNOWN_VNI, nseg);
			continue;
		}
		vlan = t->segs[seg].vlan;
		tport = port_of_remote(t, w, rx.type, &rx.remote);
		if (tport == DP_NO_PORT && t->require_known_remote) {
			w->seg_st[vlan].drops++;
			drop_pkt_n(w, in, m, VTEP_DROP_TNL_UNKNOWN_REMOTE, nseg);
			continue;
		}
		if (vtep_tnl_decap(m, &rx) < 0 ||
		    (!(fast = parse_l2_fast(m, &l2) == 0) && vtep_pkt_parse_l2(m, &l2) < 0) ||
		    (l2.n_tags && !fast && vtep_vlan_pop(m) < 0)) {
			w->seg_st[vlan].drops++;
			drop_pkt_n(w, in, m, VTEP_DROP_TNL_BAD_INNER, nseg);
			continue;
		}
		if (l2.n_tags && fast)
			vlan_pop_fast(m);
		acc_tnl_rx(w, &acc, tport, vlan, m->pkt_len);
		if (!src_mac_ok(m)) {
			drop_pkt(w, tport != DP_NO_PORT ? tport : in, m, VTEP_DROP_SRC_MAC_INVALID);
			continue;
		}
		if (tport == DP_NO_PORT)
			learn_remote(w, m, vlan, &rx);
		md[k].vlan = vlan;
		md[k].pcp = 0;
		md[k].in = tport != DP_NO_PORT ? tport : in;
		md[k].learn = tport != DP_NO_PORT;
		md[k].from_tnl = 1;
		keep[k++] = m;
	}
	acc_flush_tnl_rx(w, &acc);
	if (stt_fed)
		stt_take_drops(w, in);
	w->st[in].rx_packets += n;
	w->st[in].rx_bytes += bytes;
	l2_forward(dp, t, w, keep, md, k);
}

unsigned int
vtep_dp_poll(struct vtep_dp *dp, unsigned int wi)
{
	struct dp_worker *w = dp->workers[wi];
	const struct dp_tables *t = __atomic_load_n(&dp->tables, __ATOMIC_ACQUIRE);
	struct rte_mbuf *pkts[VTEP_BURST];
	uint64_t start = rte_rdtsc(), end;
	unsigned int total = 0;

	for (uint16_t r = 0; r < t->n_rxq[wi]; r++) {
		const struct dp_rxq *q = &t->rxq[wi][r];
		const struct dp_tport *tp = &t->ports[q->port];
		uint16_t n = vtep_port_rx(tp->eth, q->queue, pkts, VTEP_BURST);

		if (n == 0)
			continue;
		total += n;
		if (tp->role == VTEP_PORT_ROLE_UPLINK)
			rx_uplink(dp, t, w, q->port, pkts, n);
		else
			rx_bridge(dp, t, w, q->port, pkts, n);
	}
	tx_flush_all(t, w);
	if (w->reasm != NULL && (w->load.iterations & 1023) == 0) {
		struct vtep_stt_reasm_drops d = { 0 };

		/* expired frames count one drop per segment they held */
		vtep_stt_reasm_expire(w->reasm, vtep_clock_ms_cached);
		if (t->uplink != DP_NO_PORT)
			stt_take_drops(w, t->uplink);
		else
			vtep_stt_reasm_take_drops(w->reasm, &d);
	}
	rte_rcu_qsbr_quiescent(dp->qsbr, wi);
	end = rte_rdtsc();
	w->load.iterations++;
	if (total) {
		w->load.busy_cycles += end - start;
		w->load.packets += total;
	} else {
		w->load.idle_cycles += end - start;
	}
	return total;
}
