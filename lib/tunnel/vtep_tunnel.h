/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tunnel core: what the datapath calls to encapsulate frames into VXLAN, NVGRE or STT
 * and to classify/decapsulate what arrives on the uplink.
 *
 * Design:
 *  - Transmit: the control thread builds one outer-header template per (tunnel, VNI)
 *    with vtep_tnl_template_build() (outer Ethernet with the resolved next-hop MAC, IPv4
 *    or IPv6, UDP/GRE/TCP-like, tunnel header). The fast path prepends it and patches the
 *    per-packet fields (lengths, IPv4 checksum, entropy source port / FlowID, STT
 *    sequence/ACK, IPv6 UDP checksum) with vtep_tnl_encap(). Templates are immutable once
 *    published; a neighbour or config change builds new ones.
 *  - Receive: vtep_tnl_classify() validates the outer headers of a frame from the uplink
 *    in one pass and says whether it is tunnel traffic for us (with type, VNI, remote
 *    address and inner offset), underlay control traffic for the control thread (ARP,
 *    ND, ICMP echo, IGMP/MLD for the local VTEP), or a drop with its reason.
 *    vtep_tnl_decap() then strips the outer headers. STT segments go through the
 *    per-worker reassembly context first (vtep_tnl_stt_*).
 *
 * Thread-safety: templates and the rx config are read-only after publication and can be
 * used by any number of workers. Encap/rx contexts are per worker.
 * Nothing here allocates except STT segmentation/reassembly, which take mbufs from the
 * worker's pool.
 */
#ifndef VTEP_TUNNEL_H
#define VTEP_TUNNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>

#include "vtep_common.h"
#include "vtep_config.h"
#include "vtep_drop.h"
#include "vtep_flow_hash.h"

/** Largest outer header: Eth 14 + IPv6 40 + TCP 20 + STT 18 = 92, rounded up. */
#define VTEP_TNL_HDR_MAX 128

/** IANA VXLAN port, the Linux kernel's historic default, and the STT port. */
#define VTEP_VXLAN_PORT 4789
#define VTEP_VXLAN_PORT_LINUX 8472
#define VTEP_STT_PORT 7471
/** STT frame header length (version .. padding). */
#define VTEP_STT_HDR_LEN 18
/** Largest STT frame (STT header + inner frame): the 16-bit length in the sequence field. */
#define VTEP_STT_FRAME_MAX 65535

/** What vtep_tnl_template_build() needs. */
struct vtep_tnl_params {
	enum vtep_tunnel_type type;
	struct vtep_ip local;       /* outer source; same family as remote */
	struct vtep_ip remote;      /* outer destination (unicast VTEP or multicast group) */
	uint8_t src_mac[6];         /* uplink MAC */
	uint8_t dst_mac[6];         /* resolved next-hop MAC (or multicast MAC for groups) */
	uint16_t udp_port;          /* VXLAN destination port (4789 when 0) */
	uint32_t vni;               /* 24-bit VNI/VSID/STT context */
	uint8_t ttl;                /* 64 when 0 */
	uint8_t tos;                /* outer DSCP/ECN byte */
	uint16_t mtu;               /* underlay IP MTU (1500 when 0) */
};

/**
 * What a packet needs besides the copied header and the outer IPv4 length and checksum,
 * for drivers whose per-packet work is that simple (VXLAN and NVGRE over IPv4): written
 * by the driver's build op, applied by vtep_tnl_encap_fast() without calling the driver.
 */
struct vtep_tnl_fast {
	uint8_t ok;                 /* 1: these fields are all a packet needs */
	uint8_t ent_size;           /* entropy field: 2 (big-endian 16 bits) or 1 byte, 0: none */
	uint16_t ent_off;           /* its offset in the header */
	uint16_t ent_base;          /* value = ent_base | (hash & ent_mask) */
	uint16_t ent_mask;
	uint16_t len_off;           /* a 16-bit length field set to the outer IP payload length
				     * (UDP), 0: none */
};

/**
 * A prebuilt outer header. hdr[0..len) is copied in front of the inner frame; the
 * offsets say where the per-packet fields are. Filled by the core and the driver's
 * build op; never modified after publication.
 */
struct vtep_tnl_template {
	uint8_t hdr[VTEP_TNL_HDR_MAX];
	uint16_t len;               /* bytes of hdr used */
	uint16_t l3_off;            /* outer IP header (14) */
	uint16_t l4_off;            /* UDP / GRE / TCP header */
	uint16_t tnl_off;           /* VXLAN / STT header (== l4_off + 8 for VXLAN, 4 for GRE) */
	uint16_t mtu;
	uint16_t ip_csum_base;      /* IPv4: one's complement sum of the header without tot_len */
	uint8_t ipv6;               /* 1 for an IPv6 outer header */
	uint8_t type;               /* enum vtep_tunnel_type */
	uint32_t vni;
	uint32_t l4_csum_base;      /* IPv6 UDP / STT TCP: pseudo-header sum without length */
	uint32_t ptype;             /* mbuf packet_type of an encapsulated packet */
	uint64_t tx_offload;        /* mbuf tx_offload: outer_l2/l3_len, l2_len (see encap) */
	struct vtep_tnl_fast fast;
} __rte_cache_aligned;

/** Per-worker state used while encapsulating (STT frame ids, pool for segments). */
struct vtep_tnl_encap_ctx {
	struct rte_mempool *pool;   /* for STT segments */
	/* small buffers for the heads and slices of zero-copy STT segments (NULL: pool):
	 * 90 per 64 KiB frame, so compact ones stay in cache where pool's may be 64 KiB */
	struct rte_mempool *hdr_pool;
	uint32_t stt_frame_id;      /* next ACK value; seed it per worker */
	bool stt_chain;             /* the uplink sends mbuf chains: STT segments reference
				     * the frame's buffers (zero copy); else each is copied */
	/* the uplink segments TCP over IPv4 itself (TSO): an STT frame over an IPv4 underlay
	 * that needs segments leaves as one packet (RTE_MBUF_F_TX_TCP_SEG), which the device
	 * cuts into the segments the software path would make */
	bool stt_tso;
	uint16_t stt_tso_frame_max; /* the device's limit on headers + tso_segsz (0: none) */
	bool stt_tso_even;          /* ... and it needs even-sized mbufs and segments */
	uint16_t stt_tso_max_segs;  /* ... and mbufs per packet at most (0: no limit) */
	uint16_t stt_tso_max_mtu_segs; /* ... and per segment's bytes (0: no limit) */
	/* the uplink fills in IPv4 header and TCP checksums: STT segments vtepsw cuts itself
	 * (IPv6 underlay, no TSO, or beyond the TSO limits) leave them to it; stt_tso_even
	 * applies too */
	bool stt_csum;
};

/** Rx validation parameters (read-only, published with the datapath tables). */
struct vtep_tnl_rx_cfg {
	struct vtep_ip local;       /* IPv4 VTEP address (family 0 if none) */
	struct vtep_ip local6;      /* IPv6 VTEP address (family 0 if none) */
	uint8_t local_mac[6];       /* uplink MAC: unicast frames to other MACs are not for us */
	uint16_t vxlan_ports[4];    /* accepted VXLAN destination ports (0 = unused slot) */
	/* multicast groups joined on the uplink (IPv4/IPv6) are accepted as destinations */
	struct vtep_ip groups[16];
	unsigned int n_groups;
};

enum vtep_ul_class {
	VTEP_UL_DROP = 0,   /* rx.drop says why */
	VTEP_UL_TUNNEL,     /* rx describes the tunnel packet */
	VTEP_UL_CONTROL,    /* ARP / ND / ICMP(v6) echo / IGMP for us: to the control thread */
};

/** What vtep_tnl_classify() found. */
struct vtep_tnl_rx {
	uint8_t type;               /* enum vtep_tunnel_type */
	uint8_t ipv6;
	uint16_t drop;              /* enum vtep_drop_reason when VTEP_UL_DROP */
	uint32_t vni;               /* VXLAN/NVGRE: from the header; STT: valid after reassembly */
	struct vtep_ip remote;      /* outer source address */
	uint16_t inner_off;         /* offset of the inner Ethernet frame from the packet start
				     * (VXLAN, NVGRE, and unsegmented STT) */
	uint16_t l4_off;            /* offset of the outer UDP/GRE/TCP header */
	/* STT only (from the TCP-like header) */
	uint16_t stt_sport;
	uint16_t stt_frame_len;     /* total STT frame length (high 16 bits of seq) */
	uint16_t stt_frag_off;      /* offset of this segment's payload (low 16 bits of seq) */
	uint16_t stt_payload_len;   /* bytes of STT frame carried by this segment */
	uint32_t stt_frame_id;      /* ACK field */
};

/** Build an outer header template. @return 0, -EINVAL for bad params (family mismatch,
 *  VNI > 24 bits, unknown type). Control thread. */
int vtep_tnl_template_build(const struct vtep_tnl_params *p, struct vtep_tnl_template *t);

/** vtep_tnl_flow_hash() of a frame whose headers are not all in its first segment. */
uint32_t vtep_tnl_flow_hash_slow(const struct rte_mbuf *m);

/** Hash of the inner flow (MACs, IP addresses, L4 ports when present) for entropy
 *  (vtep_flow_hash.h); inline for a frame whose headers are in its first segment. */
static __rte_always_inline uint32_t
vtep_tnl_flow_hash(const struct rte_mbuf *m)
{
	uint32_t len = RTE_MIN(m->pkt_len, (uint32_t)VTEP_FLOW_HASH_SPAN);

	if (unlikely(len < RTE_ETHER_HDR_LEN))
		return 0;
	if (likely(m->data_len >= len))
		return vtep_flow_hash_bytes(rte_pktmbuf_mtod(m, const uint8_t *), len);
	return vtep_tnl_flow_hash_slow(m);
}

/**
 * Encapsulate the inner Ethernet frame @p m (untagged, data at offset 0) with template @p t.
 * @param hash  inner flow hash (vtep_tnl_flow_hash() or the NIC's RSS hash).
 * @param out   out: the packets to transmit (VXLAN/NVGRE: one, m itself or a new head
 *              segment chained to m when m is shared or lacks headroom; STT: one or more
 *              segments; m itself may be reused or freed).
 * @return number of packets in out (>= 1) on success: m is consumed.
 *         -1 with *reason set on failure (MTU_EXCEEDED, NO_MBUF, STT_OVERSIZE): m is NOT
 *         consumed and out is empty; the caller frees m and counts the reason.
 */
int vtep_tnl_encap(const struct vtep_tnl_template *t, struct rte_mbuf *m, uint32_t hash,
		   struct vtep_tnl_encap_ctx *ctx, struct rte_mbuf **out, unsigned int max_out,
		   unsigned int *reason);

/**
 * Encapsulate @p m in place when the template allows the fast path (fast.ok: VXLAN or
 * NVGRE over IPv4) and @p m is a direct mbuf owned alone, with the headroom, and the
 * result fits the MTU: the same packet vtep_tnl_encap() would make, without a call.
 * @return 0 when done (@p m is the packet to send), -1 when not applicable (@p m is
 *         unchanged: call vtep_tnl_encap(), which also reports MTU_EXCEEDED).
 */
static __rte_always_inline int
vtep_tnl_encap_fast(const struct vtep_tnl_template *t, struct rte_mbuf *m, uint32_t hash)
{
	uint32_t l4_len = (uint32_t)(t->len - t->l4_off) + m->pkt_len;
	uint32_t tot = l4_len + (uint32_t)(t->l4_off - t->l3_off), sum;
	uint8_t *p;
	uint16_t v;

	if (unlikely(!t->fast.ok || !RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1 ||
		     rte_pktmbuf_headroom(m) < t->len || tot > t->mtu))
		return -1;
	p = (uint8_t *)rte_pktmbuf_prepend(m, t->len);
	/* fast.ok implies 32 <= len <= 64: two overlapping 32-byte copies. */
	memcpy(p, t->hdr, 32);
	memcpy(p + t->len - 32, t->hdr + t->len - 32, 32);
	v = rte_cpu_to_be_16((uint16_t)tot);
	memcpy(p + t->l3_off + 2, &v, 2);
	sum = (uint32_t)t->ip_csum_base + v;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	v = (uint16_t)~sum;
	memcpy(p + t->l3_off + 10, &v, 2);
	if (t->fast.len_off) {
		v = rte_cpu_to_be_16((uint16_t)l4_len);
		memcpy(p + t->fast.len_off, &v, 2);
	}
	if (t->fast.ent_size == 2) {
		v = rte_cpu_to_be_16((uint16_t)(t->fast.ent_base | (hash & t->fast.ent_mask)));
		memcpy(p + t->fast.ent_off, &v, 2);
	} else if (t->fast.ent_size == 1) {
		p[t->fast.ent_off] = (uint8_t)(t->fast.ent_base | (hash & t->fast.ent_mask));
	}
	m->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
	m->tx_offload = t->tx_offload;
	m->packet_type = t->ptype;
	return 0;
}

/**
 * Classify a frame received on the uplink (data at offset 0, untagged outer Ethernet).
 * Validates Ethernet/IP (version, header length, total length vs frame, checksum not
 * required, fragments, destination = a local VTEP address or joined group), then the
 * L4 and tunnel headers (VXLAN I flag and reserved bits, GRE 0x2000/0x6558, STT TCP-like
 * header and, for unsegmented frames, STT version).
 * Never modifies or frees @p m.
 */
enum vtep_ul_class vtep_tnl_classify(const struct vtep_tnl_rx_cfg *cfg, const struct rte_mbuf *m,
				     struct vtep_tnl_rx *rx);

/**
 * The common case of vtep_tnl_classify(), cheaply: an unfragmented IPv4 packet without
 * options, in one segment, to the uplink MAC and the local IPv4 VTEP address, carrying
 * VXLAN (to the first accepted UDP port) or NVGRE with a valid header. Never modifies or
 * frees @p m.
 * @return true with @p rx filled exactly as vtep_tnl_classify() would (VTEP_UL_TUNNEL);
 *         false when the packet is anything else: call vtep_tnl_classify().
 */
bool vtep_tnl_classify_fast(const struct vtep_tnl_rx_cfg *cfg, const struct rte_mbuf *m,
			    struct vtep_tnl_rx *rx);

/** Strip the outer headers of a classified VXLAN/NVGRE (or reassembled STT) packet so the
 *  inner Ethernet frame starts at offset 0. @return 0 or -EINVAL. */
int vtep_tnl_decap(struct rte_mbuf *m, const struct vtep_tnl_rx *rx);

/*
 * STT reassembly, one context per worker. Segments of one frame share (outer source,
 * destination, TCP source port, ACK) and arrive on the same worker because RSS hashes
 * the outer 5-tuple.
 */
struct vtep_stt_reasm;

struct vtep_stt_reasm_params {
	uint32_t mem_cap_bytes;     /* buffer bytes (mbuf truesize) held at most, all frames */
	uint32_t timeout_ms;        /* per-frame lifetime from its first segment */
	uint32_t max_frames;        /* frames in progress at most (table size) */
	int socket_id;
};

/** Create a reassembly context. @return 0 or -ENOMEM/-EINVAL. */
int vtep_stt_reasm_create(const struct vtep_stt_reasm_params *p, struct vtep_stt_reasm **out);
/** Free the context and every held segment. NULL is a no-op. */
void vtep_stt_reasm_free(struct vtep_stt_reasm *r);

/**
 * Feed one classified STT segment (@p rx from vtep_tnl_classify()). Takes ownership of @p m.
 * @return a complete STT frame as one mbuf chain whose data starts at the STT header
 *         (and rx->vni, rx->inner_off set from it; inner_off is then relative to the
 *         returned mbuf), or NULL when the segment was held (*reason =
 *         VTEP_DROP_STT_REASM_PENDING) or dropped (*reason = the drop reason).
 */
struct rte_mbuf *vtep_stt_reasm_input(struct vtep_stt_reasm *r, struct rte_mbuf *m,
				      struct vtep_tnl_rx *rx, uint64_t now_ms,
				      unsigned int *reason);

/**
 * Change the memory cap and timeout at run time (control thread, while the owning worker
 * runs). The worker sees the new values from its next segment; frames already held beyond
 * a lower cap are evicted, oldest first, as new segments arrive.
 */
void vtep_stt_reasm_set_limits(struct vtep_stt_reasm *r, uint32_t mem_cap_bytes,
			       uint32_t timeout_ms);
/** Drop frames older than the timeout. @return how many frames expired. */
unsigned int vtep_stt_reasm_expire(struct vtep_stt_reasm *r, uint64_t now_ms);

/** Reassembly statistics. */
struct vtep_stt_reasm_stats {
	uint64_t frames_done;
	uint64_t expired;
	uint64_t overlap;
	uint64_t oversize;
	uint64_t cap_reached;
	uint64_t duplicates;
	uint32_t bytes_held;
	uint32_t frames_held;
};
void vtep_stt_reasm_stats(const struct vtep_stt_reasm *r, struct vtep_stt_reasm_stats *s);

/**
 * Segments the context dropped while they were held, with their frame (overlap, cap or
 * eviction, expiry), counted per segment so that the uplink's rx == delivered + drops
 * holds for STT. The segment passed to vtep_stt_reasm_input() is reported through its
 * *reason instead, and vtep_stt_reasm_nsegs() tells how many segments that was.
 */
struct vtep_stt_reasm_drops {
	uint32_t overlap;
	uint32_t cap_reached;
	uint32_t expired;
};

/** Move the held-segment drops counted since the last call to @p d (added to it).
 *  @return true if there were any. */
bool vtep_stt_reasm_take_drops(struct vtep_stt_reasm *r, struct vtep_stt_reasm_drops *d);

/** Segments of the frame the last vtep_stt_reasm_input() returned, or dropped with its
 *  *reason (1 when that was only the segment passed in). */
uint16_t vtep_stt_reasm_nsegs(const struct vtep_stt_reasm *r);

#endif
