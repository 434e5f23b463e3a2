/* SPDX-License-Identifier: BSD-3-Clause */
/* STT segment reassembly: one context per worker, bounded memory, timeouts, no locks. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_random.h>

#include "vtep_stt.h"

/*
 * Policy
 *  - A frame is keyed by (outer source, outer destination, TCP source port, ACK) and lives
 *    in a fixed table of max_frames entries allocated at create. Segments are the received
 *    mbufs themselves (outer headers stripped), linked in offset order through a private
 *    mbuf dynamic field; nothing is allocated per packet.
 *  - Memory is counted as the buffer size of every held mbuf (like Linux's truesize), not
 *    only the payload bytes, so a flood of tiny segments cannot pin more mbufs than the cap
 *    allows. bytes_held <= mem_cap_bytes always holds (after a run-time lower cap, from the
 *    next held segment on).
 *  - A segment that would put its own frame over the cap, or a frame that would need more
 *    than VTEP_STT_REASM_MAX_SEGS segments, drops the segment and its frame
 *    (STT_CAP_REACHED). Otherwise, when the global cap would be exceeded, the oldest other
 *    frames are evicted (each counted in cap_reached) so fresh frames win over stale partial
 *    ones: a flood of bogus segments can only delay a valid frame by pushing a cap's worth
 *    of data between its first and last segment, never block reassembly until timeouts run.
 *  - Table full: expired frames go first, then the oldest frame (counted as expired).
 *  - A frame expires timeout_ms after its first segment (now - first >= timeout), on
 *    vtep_stt_reasm_expire() or when a later segment finds it stale.
 *  - Exact duplicates (same offset and length) are dropped (STT_DUPLICATE) and the frame is
 *    kept. Any other overlap, or a different frame length for the same key, drops the
 *    whole frame (STT_OVERLAP). offset + length beyond the frame length is STT_OVERSIZE.
 *  - Unsegmented frames (offset 0, payload == frame length) bypass the table; they count
 *    in frames_done like reassembled ones.
 *  - The returned chain starts at the STT header; its first buffer holds the first
 *    segment's payload, so a sender whose first segment is shorter than the STT header
 *    yields a frame vtep_tnl_decap() refuses (-EINVAL).
 */

#define STT_NIL UINT32_MAX
#define STT_OUTER_L3_OFF 14 /* classified frames have an untagged outer Ethernet header */

/* Per-segment metadata kept in the mbuf of the segment's first buffer. */
struct stt_seg_meta {
	struct rte_mbuf *next;      /* next segment by offset */
	uint16_t off;
	uint16_t len;
};

/* Frame key; zero-filled so it can be hashed and compared as bytes. */
struct stt_key {
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t id;
	uint16_t sport;
	uint16_t ipv6;
};

struct stt_frame {
	struct stt_key key;
	uint64_t first_ms;
	struct rte_mbuf *segs;      /* offset-sorted, non-overlapping */
	uint32_t charge;            /* buffer bytes held */
	uint32_t covered;           /* payload bytes held */
	uint32_t hnext;             /* bucket chain, or free list */
	uint32_t older, newer;      /* age list (insertion order) */
	uint32_t bucket;
	uint16_t frame_len;
	uint16_t nsegs;
};

struct vtep_stt_reasm {
	struct vtep_stt_reasm_params p;
	int dyn_off;
	uint32_t seed;              /* random hash seed: keys come from the network */
	uint32_t bucket_mask;
	uint32_t *buckets;
	struct stt_frame *frames;
	uint32_t free_head;
	uint32_t oldest, newest;
	struct vtep_stt_reasm_stats st;
};

static const struct rte_mbuf_dynfield stt_dynfield_desc = {
	.name = "vtep_stt_reasm_seg",
	.size = sizeof(struct stt_seg_meta),
	.align = __alignof__(struct stt_seg_meta),
};

/* The reassembly metadata of a held segment. */
static inline struct stt_seg_meta *
stt_meta(const struct vtep_stt_reasm *r, struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, r->dyn_off, struct stt_seg_meta *);
}

int
vtep_stt_reasm_create(const struct vtep_stt_reasm_params *p, struct vtep_stt_reasm **out)
{
	struct vtep_stt_reasm *r;
	uint32_t nb, i;
	size_t sz;
	int off;

	if (p == NULL || out == NULL || p->max_frames == 0 || p->max_frames > (1u << 20) ||
	    p->mem_cap_bytes == 0 || p->timeout_ms == 0)
		return -EINVAL;
	off = rte_mbuf_dynfield_register(&stt_dynfield_desc);
	if (off < 0)
		return rte_errno != 0 ? -rte_errno : -ENOMEM;
	nb = rte_align32pow2(p->max_frames * 2);
	sz = RTE_ALIGN_CEIL(sizeof(*r), RTE_CACHE_LINE_SIZE) + nb * sizeof(uint32_t) +
		(size_t)p->max_frames * sizeof(struct stt_frame);
	r = rte_zmalloc_socket("vtep_stt_reasm", sz, RTE_CACHE_LINE_SIZE, p->socket_id);
	if (r == NULL)
		return -ENOMEM;
	r->p = *p;
	r->dyn_off = off;
	r->seed = (uint32_t)rte_rand();
	r->bucket_mask = nb - 1;
	r->buckets = (uint32_t *)((uint8_t *)r + RTE_ALIGN_CEIL(sizeof(*r), RTE_CACHE_LINE_SIZE));
	r->frames = (struct stt_frame *)(r->buckets + nb);
	for (i = 0; i < nb; i++)
		r->buckets[i] = STT_NIL;
	for (i = 0; i < p->max_frames; i++)
		r->frames[i].hnext = i + 1 < p->max_frames ? i + 1 : STT_NIL;
	r->free_head = 0;
	r->oldest = STT_NIL;
	r->newest = STT_NIL;
	*out = r;
	return 0;
}

/* Free a list of held segments. */
static void
stt_free_segs(const struct vtep_stt_reasm *r, struct rte_mbuf *s)
{
	while (s != NULL) {
		struct rte_mbuf *next = stt_meta(r, s)->next;

		rte_pktmbuf_free(s);
		s = next;
	}
}

/* Unlink frame @p idx from its bucket and the age list and return it to the free list;
 * its segments are left to the caller. */
static void
stt_frame_release(struct vtep_stt_reasm *r, uint32_t idx)
{
	struct stt_frame *f = &r->frames[idx];
	uint32_t *pp = &r->buckets[f->bucket];

	while (*pp != idx)
		pp = &r->frames[*pp].hnext;
	*pp = f->hnext;
	if (f->older != STT_NIL)
		r->frames[f->older].newer = f->newer;
	else
		r->oldest = f->newer;
	if (f->newer != STT_NIL)
		r->frames[f->newer].older = f->older;
	else
		r->newest = f->older;
	r->st.bytes_held -= f->charge;
	r->st.frames_held--;
	f->segs = NULL;
	f->hnext = r->free_head;
	r->free_head = idx;
}

/* Drop frame @p idx and every segment it holds. */
static void
stt_frame_drop(struct vtep_stt_reasm *r, uint32_t idx)
{
	struct rte_mbuf *segs = r->frames[idx].segs;

	stt_frame_release(r, idx);
	stt_free_segs(r, segs);
}

void
vtep_stt_reasm_free(struct vtep_stt_reasm *r)
{
	if (r == NULL)
		return;
	while (r->oldest != STT_NIL)
		stt_frame_drop(r, r->oldest);
	rte_free(r);
}

void
vtep_stt_reasm_set_limits(struct vtep_stt_reasm *r, uint32_t mem_cap_bytes, uint32_t timeout_ms)
{
	if (mem_cap_bytes == 0 || timeout_ms == 0)
		return;
	__atomic_store_n(&r->p.mem_cap_bytes, mem_cap_bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&r->p.timeout_ms, timeout_ms, __ATOMIC_RELAXED);
}

unsigned int
vtep_stt_reasm_expire(struct vtep_stt_reasm *r, uint64_t now_ms)
{
	uint32_t timeout = __atomic_load_n(&r->p.timeout_ms, __ATOMIC_RELAXED);
	unsigned int n = 0;

	/* The age list is in arrival order, so the expired frames are at its head. */
	while (r->oldest != STT_NIL) {
		const struct stt_frame *f = &r->frames[r->oldest];

		if (now_ms < f->first_ms || now_ms - f->first_ms < timeout)
			break;
		stt_frame_drop(r, r->oldest);
		n++;
	}
	r->st.expired += n;
	return n;
}

void
vtep_stt_reasm_stats(const struct vtep_stt_reasm *r, struct vtep_stt_reasm_stats *s)
{
	*s = r->st;
}

/* Find the frame of @p k in bucket @p b, or STT_NIL. */
static uint32_t
stt_lookup(const struct vtep_stt_reasm *r, const struct stt_key *k, uint32_t b)
{
	uint32_t i;

	for (i = r->buckets[b]; i != STT_NIL; i = r->frames[i].hnext)
		if (memcmp(&r->frames[i].key, k, sizeof(*k)) == 0)
			return i;
	return STT_NIL;
}

/* Take a free frame entry (making room as the policy says) and insert it as the newest. */
static uint32_t
stt_frame_new(struct vtep_stt_reasm *r, const struct stt_key *k, uint32_t b,
	      uint16_t frame_len, uint64_t now_ms)
{
	struct stt_frame *f;
	uint32_t idx;

	if (r->free_head == STT_NIL && vtep_stt_reasm_expire(r, now_ms) == 0) {
		stt_frame_drop(r, r->oldest);
		r->st.expired++;
	}
	idx = r->free_head;
	f = &r->frames[idx];
	r->free_head = f->hnext;
	f->key = *k;
	f->first_ms = now_ms;
	f->segs = NULL;
	f->charge = 0;
	f->covered = 0;
	f->nsegs = 0;
	f->frame_len = frame_len;
	f->bucket = b;
	f->hnext = r->buckets[b];
	r->buckets[b] = idx;
	f->older = r->newest;
	f->newer = STT_NIL;
	if (r->newest != STT_NIL)
		r->frames[r->newest].newer = idx;
	else
		r->oldest = idx;
	r->newest = idx;
	r->st.frames_held++;
	return idx;
}

/* Buffer bytes an mbuf chain pins. */
static inline uint32_t
stt_truesize(const struct rte_mbuf *m)
{
	uint32_t n = 0;

	for (; m != NULL; m = m->next)
		n += m->buf_len;
	return n;
}

/* Remove @p n bytes from the end of a chain (Ethernet padding after the IP payload). */
static void
stt_trim_tail(struct rte_mbuf *m, uint32_t n)
{
	uint32_t keep = rte_pktmbuf_pkt_len(m) - n;
	struct rte_mbuf *s;

	if (n == 0)
		return;
	for (s = m; s->next != NULL && keep > s->data_len; s = s->next)
		keep -= s->data_len;
	s->data_len = (uint16_t)keep;
	while (s->next != NULL) {
		struct rte_mbuf *cut = s->next;

		s->next = cut->next;
		rte_pktmbuf_free_seg(cut);
		m->nb_segs--;
	}
	m->pkt_len -= n;
}

/* A complete frame whose data starts at the STT header: check it and fill @p rx. */
static struct rte_mbuf *
stt_complete(struct vtep_stt_reasm *r, struct rte_mbuf *m, struct vtep_tnl_rx *rx,
	     unsigned int *reason)
{
	struct vtep_stt_hdr buf;
	const struct vtep_stt_hdr *h;
	unsigned int why;
	uint32_t vni;

	h = rte_pktmbuf_read(m, 0, sizeof(buf), &buf);
	why = h != NULL ? vtep_stt_hdr_check(h, &vni) : VTEP_DROP_TNL_BAD_LENGTH;
	if (why != 0) {
		rte_pktmbuf_free(m);
		*reason = why;
		return NULL;
	}
	rx->vni = vni;
	rx->inner_off = VTEP_STT_HDR_LEN;
	rx->stt_frag_off = 0;
	rx->stt_payload_len = rx->stt_frame_len;
	r->st.frames_done++;
	return m;
}

/* Chain the segments of complete frame @p idx in order and release the entry. */
static struct rte_mbuf *
stt_assemble(struct vtep_stt_reasm *r, uint32_t idx)
{
	struct rte_mbuf *head = r->frames[idx].segs;
	struct rte_mbuf *s = stt_meta(r, head)->next;

	stt_frame_release(r, idx);
	while (s != NULL) {
		struct rte_mbuf *next = stt_meta(r, s)->next;

		if (rte_pktmbuf_chain(head, s) != 0) {
			stt_free_segs(r, s);
			rte_pktmbuf_free(head);
			return NULL;
		}
		s = next;
	}
	return head;
}

/* Build the frame key of a classified segment. @return 0 or -1 if the header is short. */
static int
stt_key_fill(const struct rte_mbuf *m, const struct vtep_tnl_rx *rx, struct stt_key *k)
{
	uint8_t buf[16];
	const void *dst;

	memset(k, 0, sizeof(*k));
	k->ipv6 = rx->ipv6 != 0;
	k->sport = rx->stt_sport;
	k->id = rx->stt_frame_id;
	if (k->ipv6) {
		memcpy(k->src, &rx->remote.v6, 16);
		dst = rte_pktmbuf_read(m, STT_OUTER_L3_OFF +
				       offsetof(struct rte_ipv6_hdr, dst_addr), 16, buf);
		if (dst == NULL)
			return -1;
		memcpy(k->dst, dst, 16);
	} else {
		memcpy(k->src, &rx->remote.v4, 4);
		dst = rte_pktmbuf_read(m, STT_OUTER_L3_OFF +
				       offsetof(struct rte_ipv4_hdr, dst_addr), 4, buf);
		if (dst == NULL)
			return -1;
		memcpy(k->dst, dst, 4);
	}
	return 0;
}

/* Strip outer headers and padding so @p m holds exactly the segment payload. */
static unsigned int
stt_strip(struct rte_mbuf *m, const struct vtep_tnl_rx *rx)
{
	uint8_t b;
	const uint8_t *p;
	uint32_t poff;

	p = rte_pktmbuf_read(m, rx->l4_off + 12, 1, &b);
	if (p == NULL)
		return VTEP_DROP_TNL_TRUNCATED;
	poff = rx->l4_off + (*p >> 4) * 4u;
	if (poff + rx->stt_payload_len > rte_pktmbuf_pkt_len(m) || poff > m->data_len)
		return VTEP_DROP_TNL_TRUNCATED;
	rte_pktmbuf_adj(m, (uint16_t)poff);
	stt_trim_tail(m, rte_pktmbuf_pkt_len(m) - rx->stt_payload_len);
	return 0;
}

struct rte_mbuf *
vtep_stt_reasm_input(struct vtep_stt_reasm *r, struct rte_mbuf *m, struct vtep_tnl_rx *rx,
		     uint64_t now_ms, unsigned int *reason)
{
	uint32_t off = rx->stt_frag_off, len = rx->stt_payload_len, flen = rx->stt_frame_len;
	struct rte_mbuf **pp, *prev = NULL, *next;
	struct stt_seg_meta *meta;
	struct stt_frame *f = NULL;
	struct stt_key key;
	uint32_t idx, b, charge;
	/* read once: the control thread may change them (vtep_stt_reasm_set_limits()) */
	uint32_t cap = __atomic_load_n(&r->p.mem_cap_bytes, __ATOMIC_RELAXED);
	uint32_t timeout = __atomic_load_n(&r->p.timeout_ms, __ATOMIC_RELAXED);
	unsigned int why;

	if (flen < VTEP_STT_FRAME_MIN || len == 0) {
		why = VTEP_DROP_TNL_BAD_LENGTH;
		goto drop;
	}
	if (off + len > flen) {
		r->st.oversize++;
		why = VTEP_DROP_STT_OVERSIZE;
		goto drop;
	}
	if (stt_key_fill(m, rx, &key) != 0) {
		why = VTEP_DROP_TNL_TRUNCATED;
		goto drop;
	}
	why = stt_strip(m, rx);
	if (why != 0)
		goto drop;
	if (off == 0 && len == flen)
		return stt_complete(r, m, rx, reason);

	b = rte_jhash(&key, sizeof(key), r->seed) & r->bucket_mask;
	idx = stt_lookup(r, &key, b);
	if (idx != STT_NIL) {
		f = &r->frames[idx];
		if (now_ms >= f->first_ms && now_ms - f->first_ms >= timeout) {
			stt_frame_drop(r, idx);
			r->st.expired++;
			f = NULL;
		} else if (f->frame_len != flen) {
			why = VTEP_DROP_STT_OVERLAP;
			goto drop_frame_overlap;
		}
	}
	/* Position in the offset-sorted list; exact duplicates and overlaps. */
	if (f != NULL) {
		pp = &f->segs;
		while (*pp != NULL && stt_meta(r, *pp)->off < off) {
			prev = *pp;
			pp = &stt_meta(r, *pp)->next;
		}
		next = *pp;
		if (next != NULL && stt_meta(r, next)->off == off &&
		    stt_meta(r, next)->len == len) {
			r->st.duplicates++;
			why = VTEP_DROP_STT_DUPLICATE;
			goto drop;
		}
		if ((prev != NULL && stt_meta(r, prev)->off + stt_meta(r, prev)->len > off) ||
		    (next != NULL && off + len > stt_meta(r, next)->off)) {
			why = VTEP_DROP_STT_OVERLAP;
			goto drop_frame_overlap;
		}
	}
	charge = stt_truesize(m);
	if (charge > cap ||
	    (f != NULL && (f->charge + charge > cap ||
			   f->nsegs >= VTEP_STT_REASM_MAX_SEGS))) {
		if (f != NULL)
			stt_frame_drop(r, idx);
		r->st.cap_reached++;
		why = VTEP_DROP_STT_CAP_REACHED;
		goto drop;
	}
	if (f == NULL) {
		idx = stt_frame_new(r, &key, b, (uint16_t)flen, now_ms);
		f = &r->frames[idx];
		pp = &f->segs;
		next = NULL;
	}
	/* Fresh frames win: evict the oldest other frames until the segment fits. */
	while (r->st.bytes_held + charge > cap) {
		uint32_t victim = r->oldest == idx ? f->newer : r->oldest;

		stt_frame_drop(r, victim);
		r->st.cap_reached++;
	}
	meta = stt_meta(r, m);
	meta->next = next;
	meta->off = (uint16_t)off;
	meta->len = (uint16_t)len;
	*pp = m;
	f->covered += len;
	f->charge += charge;
	f->nsegs++;
	r->st.bytes_held += charge;
	if (f->covered < f->frame_len) {
		*reason = VTEP_DROP_STT_REASM_PENDING;
		return NULL;
	}
	m = stt_assemble(r, idx);
	if (m == NULL) {
		*reason = VTEP_DROP_NO_MBUF;
		return NULL;
	}
	return stt_complete(r, m, rx, reason);

drop_frame_overlap:
	stt_frame_drop(r, idx);
	r->st.overlap++;
drop:
	rte_pktmbuf_free(m);
	*reason = why;
	return NULL;
}
