/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Datapath internals shared by the control side (vtep_dp.c, vtep_underlay.c) and the
 * fast path (vtep_dp_fwd.c). Not a public header.
 */
#ifndef VTEP_DP_PRIV_H
#define VTEP_DP_PRIV_H

#include <rte_ring.h>
#include <rte_rcu_qsbr.h>

#include "vtep_dp.h"
#include "vtep_dp_pmtu.h"
#include "vtep_fdb.h"
#include "vtep_port.h"
#include "vtep_tunnel.h"

#define DP_MAX_SEGMENTS 4094
#define DP_MAX_NEIGH 256
#define DP_MAX_LEARNED_REMOTES 128  /* tunnel ports created by flood-and-learn */
#define DP_REMOTE_LEARN_PER_MS 8    /* per worker: requests for unknown remotes */
#define DP_PMTU_PER_MS 4            /* per worker: ICMP too-big messages to VMs */
#define DP_LINK_POLL_MS 250         /* the control thread reads the ports' link state */
#define DP_LEARN_RING 4096
#define DP_CTL_RING 1024
#define DP_FDBC_BITS 12             /* per-worker FDB cache: 4096 entries, 64 KiB */
#define DP_NO_SEG 0xffff
#define DP_NO_PORT 0xffff

/* ---- the published tables (immutable once published) ---- */

struct dp_tport {
	uint8_t kind;               /* enum vtep_dp_port_kind */
	uint8_t mode;               /* enum vtep_port_mode (ETH) */
	uint8_t role;               /* enum vtep_port_role (ETH) */
	uint8_t mcast;              /* TUNNEL: a segment's multicast group (no learning) */
	uint16_t vlan;              /* ACCESS VLAN */
	uint16_t uplink;            /* TUNNEL: index of the uplink port */
	struct vtep_port *eth;      /* ETH: the device */
	const struct vtep_tnl_template **tmpl; /* TUNNEL: per segment index, NULL = unresolved */
	uint64_t vlans[VTEP_VLAN_COUNT / 64]; /* ETH: VLANs this port carries */
};

struct dp_seg {
	uint16_t vlan;
	uint32_t vni;
	uint16_t n_flood;           /* tunnel ports for head-end replication (+ mcast port) */
	uint16_t flood[VTEP_MAX_PORTS];
};

struct dp_rxq {
	uint16_t port;
	uint16_t queue;
};

struct dp_remote {
	struct vtep_ip ip;
	uint16_t port;              /* tunnel port index */
	uint8_t type;
};

struct dp_tables {
	uint64_t gen;                       /* increases with every commit (never reused) */
	unsigned int n_ports;               /* slots in ports[] */
	struct dp_tport ports[VTEP_MAX_PORTS];
	/* per VLAN: local (ETH, non-uplink) member ports */
	uint32_t flood_off[VTEP_VLAN_COUNT];
	uint16_t flood_cnt[VTEP_VLAN_COUNT];
	uint16_t *flood_ports;
	/* segments */
	uint16_t seg_by_vlan[VTEP_VLAN_COUNT];  /* DP_NO_SEG when unmapped */
	unsigned int n_segs;
	struct dp_seg *segs;
	uint32_t *vni_sorted;               /* VNIs ascending, with seg index in vni_seg */
	uint16_t *vni_seg;
	/* remote VTEPs -> tunnel port (unicast tunnels), sorted by type then address */
	unsigned int n_remotes;
	struct dp_remote *remotes;
	bool require_known_remote;
	uint16_t uplink;                    /* DP_NO_PORT when none */
	struct vtep_tnl_rx_cfg rxcfg;
	/* rx assignment */
	uint16_t n_rxq[VTEP_MAX_WORKERS];
	struct dp_rxq rxq[VTEP_MAX_WORKERS][VTEP_MAX_PORTS];
	/* templates owned by this table set */
	struct vtep_tnl_template *tmpl_mem;
	const struct vtep_tnl_template **tmpl_ptrs;
};

/* ---- per worker ---- */

/* A per-worker budget of events per millisecond (cold paths the fast path must bound). */
struct dp_rate {
	uint64_t window_ms;
	uint32_t used;
};

static inline bool
dp_rate_allow(struct dp_rate *r, uint64_t now_ms, uint32_t per_ms)
{
	if (now_ms != r->window_ms) {
		r->window_ms = now_ms;
		r->used = 0;
	}
	if (r->used >= per_ms)
		return false;
	r->used++;
	return true;
}

struct dp_txbuf {
	uint16_t n;
	struct rte_mbuf *pkts[VTEP_BURST];
};

/* Learn (VLAN, MAC) on a port. port == DP_NO_PORT: the MAC sits behind a remote VTEP
 * that has no tunnel port yet (flood-and-learn); type/remote name it. */
struct dp_learn_msg {
	uint64_t key;
	uint16_t port;
	uint8_t type;
	uint8_t pad;
	struct vtep_ip remote;
};

/*
 * One entry of a worker's FDB cache: the slot the FDB last gave for key. It is only a hint:
 * a hit needs the slot to still hold the key (slots[slot].key == key and in_use), which
 * the FDB guarantees until the key is deleted, and a deleted slot is reused only after a
 * grace period, so the cache needs no invalidation.
 */
struct dp_fdbc_ent {
	uint64_t key;
	uint32_t slot;
	uint32_t pad;
};

/* Per segment (indexed by VLAN, which stays stable while segments come and go). */
struct dp_seg_counters {
	uint64_t rx_packets, rx_bytes;   /* decapsulated into the segment */
	uint64_t tx_packets, tx_bytes;   /* encapsulated out of the segment */
	uint64_t drops;                  /* tunnel-side drops of the segment's packets */
};

struct dp_worker {
	unsigned int id;
	bool online;
	struct rte_ring *learn_ring;        /* worker -> control: learn/move requests */
	struct rte_ring *ctl_ring;          /* worker -> control: underlay packets */
	struct rte_mempool *pool;
	struct vtep_tnl_encap_ctx encap;
	struct vtep_stt_reasm *reasm;
	/* one-entry cache of the last remote VTEP seen on decap; valid for tables rc_gen only
	 * (a generation, not a pointer: freed tables' memory can be reused) */
	uint64_t rc_gen;
	struct vtep_ip rc_ip;
	uint8_t rc_type;
	uint16_t rc_port;
	struct dp_rate pmtu_rate;           /* ICMP too-big messages */
	struct dp_rate learn_remote_rate;   /* requests to learn unknown remote VTEPs */
	const uint8_t *link_down;           /* vtep_dp.link_down: why a tx came back short */
	uint16_t n_dirty;
	uint16_t dirty[VTEP_MAX_PORTS];
	struct dp_txbuf txb[VTEP_MAX_PORTS];
	struct vtep_dp_worker_stats load;
	struct vtep_dp_counters st[VTEP_MAX_PORTS];
	struct dp_seg_counters seg_st[VTEP_VLAN_COUNT];
	struct dp_fdbc_ent fdbc[1u << DP_FDBC_BITS];
} __rte_cache_aligned;

/* ---- control-side model ---- */

struct dp_mport {
	bool in_use;
	uint8_t kind;
	bool mcast;                         /* hidden port of a segment's mcast group */
	bool learned;                       /* tunnel created by learning a remote VTEP */
	uint16_t mcast_vlan;
	struct vtep_cfg_port cfg;           /* ETH */
	struct vtep_cfg_tunnel tcfg;        /* TUNNEL */
	struct vtep_port *eth;
	uint32_t ofport;
	struct vtep_dp_counters base;       /* counters at creation (slot reuse) */
};

enum dp_neigh_state {
	DP_NEIGH_FREE = 0,
	DP_NEIGH_INCOMPLETE,
	DP_NEIGH_REACHABLE,
	DP_NEIGH_STATIC,
};

struct dp_neigh {
	uint8_t state;
	uint8_t retries;
	struct vtep_ip ip;
	uint8_t mac[6];
	uint64_t updated_ms;
	uint64_t next_probe_ms;
};

struct dp_underlay_stats {
	uint64_t arp_replies_sent, arp_requests_sent, echo_replies_sent;
	uint64_t nd_adverts_sent, nd_solicits_sent;
	uint64_t neigh_learned, ctl_unhandled;
	uint64_t remotes_learned, remotes_expired, remotes_refused;
};

struct vtep_dp {
	struct vtep_dp_params p;
	struct rte_rcu_qsbr *qsbr;
	struct vtep_fdb *fdb;
	struct dp_tables *tables;           /* published; workers load-acquire */
	uint64_t gen;                       /* generation of the last compiled tables */
	struct dp_worker *workers[VTEP_MAX_WORKERS];
	unsigned int control_sender;        /* tx sender index of the control thread */
	/* model */
	struct vtep_cfg_bridge bridge;
	struct vtep_cfg_vtep vtep;
	struct dp_mport ports[VTEP_MAX_PORTS];
	struct vtep_cfg_segment segs[DP_MAX_SEGMENTS];
	unsigned int n_segs;
	/* underlay */
	struct dp_neigh neigh[DP_MAX_NEIGH];
	struct dp_underlay_stats ul;
	uint64_t last_age_ms, last_neigh_ms, last_link_ms;
	/* per port slot, 1 while its link is down; written by the control thread every
	 * DP_LINK_POLL_MS, read by workers only to name the reason of a short tx */
	uint8_t link_down[VTEP_MAX_PORTS];
	bool tables_dirty;                  /* rebuild requested by the underlay */
};

/* vtep_dp.c */
int dp_commit(struct vtep_dp *dp, char *err, size_t errlen);
int dp_port_index(const struct vtep_dp *dp, const char *name);

/* vtep_underlay.c */
void dp_underlay_input(struct vtep_dp *dp, struct rte_mbuf *m);
void dp_underlay_timers(struct vtep_dp *dp, uint64_t now_ms);
/** The next hop toward @p remote (remote itself when on-link, else the gateway). */
int dp_next_hop(const struct vtep_dp *dp, const struct vtep_ip *remote, struct vtep_ip *nh);
/** MAC of a resolved neighbour. @return 0 or -ENOENT (a resolution is then requested). */
int dp_neigh_lookup(struct vtep_dp *dp, const struct vtep_ip *ip, uint8_t mac[6]);
/** Install static neighbours from the vtep config. */
void dp_neigh_set_static(struct vtep_dp *dp);
bool dp_neigh_add_static(struct vtep_dp *dp, const struct vtep_ip *ip, const uint8_t mac[6]);
/** Announce changed VTEP addresses (gratuitous ARP / unsolicited NA, group reports). */
void dp_underlay_announce(struct vtep_dp *dp);
/** Transmit a control-built frame on the uplink. */
int dp_control_tx(struct vtep_dp *dp, struct rte_mbuf *m);

static inline bool
dp_vlan_member(const struct dp_tport *tp, uint16_t vlan)
{
	return (tp->vlans[vlan >> 6] >> (vlan & 63)) & 1;
}

static inline bool
vtep_ip_equal(const struct vtep_ip *a, const struct vtep_ip *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->v4.s_addr == b->v4.s_addr;
	if (a->family == AF_INET6)
		return memcmp(&a->v6, &b->v6, sizeof(a->v6)) == 0;
	return true;
}

#endif
