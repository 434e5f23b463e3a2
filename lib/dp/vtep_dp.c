/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Datapath control side: the model, its validation, compilation into immutable tables,
 * publication under RCU, learning, aging and counters.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>

#include "vtep_clock.h"
#include "vtep_dp_priv.h"
#include "vtep_log.h"

static void __rte_format_printf(2, 3)
set_err(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, VTEP_DP_ERR_MAX, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------- workers */

/* Per-worker small buffers for STT zero-copy segments (about 3 MiB). */
#define DP_STT_HDR_MBUFS 8191

static void
worker_free(struct dp_worker *w)
{
	struct rte_mbuf *m;

	if (w == NULL)
		return;
	if (w->ctl_ring != NULL)
		while (rte_ring_dequeue(w->ctl_ring, (void **)&m) == 0)
			rte_pktmbuf_free(m);
	rte_ring_free(w->learn_ring);
	rte_ring_free(w->ctl_ring);
	vtep_stt_reasm_free(w->reasm);
	rte_mempool_free(w->encap.hdr_pool); /* ports are closed: every buffer is back */
	rte_free(w);
}

/*
 * Worker state goes on the NUMA node of the worker's lcore; where that node has no memory
 * of its own (--no-huge counts all memory as node 0, --socket-mem N,0), on any node: a
 * worker that touches remote memory is slower, one that cannot start is worse.
 */
static struct rte_ring *
worker_ring(const char *name, unsigned int esize, unsigned int count, int socket)
{
	struct rte_ring *r = rte_ring_create_elem(name, esize, count, socket,
						  RING_F_SP_ENQ | RING_F_SC_DEQ);

	if (r == NULL && socket != SOCKET_ID_ANY)
		r = rte_ring_create_elem(name, esize, count, SOCKET_ID_ANY,
					 RING_F_SP_ENQ | RING_F_SC_DEQ);
	return r;
}

static int
worker_create(struct vtep_dp *dp, unsigned int id, struct dp_worker **out)
{
	struct vtep_stt_reasm_params rp = { 0 };
	char name[RTE_RING_NAMESIZE];
	struct dp_worker *w;
	int socket = dp->p.worker_socket_set ? dp->p.worker_socket[id] : dp->p.socket_id;

	w = rte_zmalloc_socket("vtep_worker", sizeof(*w), RTE_CACHE_LINE_SIZE, socket);
	if (w == NULL && socket != SOCKET_ID_ANY) {
		VTEP_LOG(MAIN, WARNING, "worker %u: no memory on its lcore's NUMA node %d; its "
			 "state goes on another node", id, socket);
		socket = SOCKET_ID_ANY;
		w = rte_zmalloc_socket("vtep_worker", sizeof(*w), RTE_CACHE_LINE_SIZE, socket);
	}
	if (w == NULL)
		return -ENOMEM;
	w->id = id;
	w->pool = dp->p.pool;
	w->link_down = dp->link_down;
	w->encap.pool = dp->p.pool;
	w->encap.stt_frame_id = id << 24;
	/* STT zero-copy segment heads; without it (no memory) they come from the pool */
	snprintf(name, sizeof(name), "vh%u_%p", id, (void *)dp);
	w->encap.hdr_pool = rte_pktmbuf_pool_create(name, DP_STT_HDR_MBUFS, 512, 0,
						    RTE_PKTMBUF_HEADROOM + 128, socket);
	if (w->encap.hdr_pool == NULL && socket != SOCKET_ID_ANY)
		w->encap.hdr_pool = rte_pktmbuf_pool_create(name, DP_STT_HDR_MBUFS, 512, 0,
							    RTE_PKTMBUF_HEADROOM + 128,
							    SOCKET_ID_ANY);
	snprintf(name, sizeof(name), "vl%u_%p", id, (void *)dp);
	w->learn_ring = worker_ring(name, sizeof(struct dp_learn_msg), DP_LEARN_RING, socket);
	snprintf(name, sizeof(name), "vc%u_%p", id, (void *)dp);
	w->ctl_ring = worker_ring(name, sizeof(void *), DP_CTL_RING, socket);
	if (w->learn_ring == NULL || w->ctl_ring == NULL) {
		worker_free(w);
		return -ENOMEM;
	}
	rp.mem_cap_bytes = (dp->p.stt_reasm_kb ? dp->p.stt_reasm_kb : 4096) * 1024u /
			   dp->p.n_workers;
	rp.timeout_ms = dp->p.stt_reasm_timeout_ms ? dp->p.stt_reasm_timeout_ms : 1000;
	rp.max_frames = 1024;
	rp.socket_id = socket;
	if (vtep_stt_reasm_create(&rp, &w->reasm) < 0 && socket != SOCKET_ID_ANY) {
		rp.socket_id = SOCKET_ID_ANY;
		if (vtep_stt_reasm_create(&rp, &w->reasm) < 0)
			w->reasm = NULL;
	}
	if (w->reasm == NULL) /* STT segments are then dropped as no_resources */
		VTEP_LOG(MAIN, WARNING, "worker %u: no memory for STT reassembly; STT segments "
			 "it receives are dropped (no_resources)", id);
	*out = w;
	return 0;
}

/* ---------------------------------------------------------------- create / free */

int
vtep_dp_create(const struct vtep_dp_params *p, struct vtep_dp **out)
{
	struct vtep_fdb_params fp = { 0 };
	char name[64];
	struct vtep_dp *dp;
	size_t sz;
	int ret;

	if (p == NULL || out == NULL || p->pool == NULL || p->n_workers == 0 ||
	    p->n_workers > VTEP_MAX_WORKERS)
		return -EINVAL;
	dp = rte_zmalloc_socket("vtep_dp", sizeof(*dp), RTE_CACHE_LINE_SIZE, p->socket_id);
	if (dp == NULL)
		return -ENOMEM;
	dp->p = *p;
	dp->control_sender = p->main_forwards ? 0 : p->n_workers;
	snprintf(dp->bridge.name, sizeof(dp->bridge.name), "br0");
	dp->bridge.mac_aging_s = 300;
	dp->vtep.udp_port = 4789;
	dp->vtep.mtu = 1500;

	sz = rte_rcu_qsbr_get_memsize(VTEP_MAX_WORKERS);
	dp->qsbr = rte_zmalloc_socket("vtep_qsbr", sz, RTE_CACHE_LINE_SIZE, p->socket_id);
	if (dp->qsbr == NULL || rte_rcu_qsbr_init(dp->qsbr, VTEP_MAX_WORKERS) != 0) {
		ret = -ENOMEM;
		goto fail;
	}
	snprintf(name, sizeof(name), "vtep_fdb_%p", (void *)dp);
	fp.name = name;
	fp.capacity = p->fdb_capacity;
	fp.aging_s = 300;
	fp.socket_id = p->socket_id;
	fp.qsbr = dp->qsbr;
	ret = vtep_fdb_create(&fp, &dp->fdb);
	if (ret < 0)
		goto fail;
	for (unsigned int i = 0; i < p->n_workers; i++) {
		ret = worker_create(dp, i, &dp->workers[i]);
		if (ret < 0)
			goto fail;
	}
	ret = dp_commit(dp, NULL, 0);
	if (ret < 0)
		goto fail;
	*out = dp;
	return 0;
fail:
	vtep_dp_free(dp);
	return ret;
}

static void
tables_free(struct dp_tables *t)
{
	if (t == NULL)
		return;
	rte_free(t->flood_ports);
	rte_free(t->segs);
	rte_free(t->vni_sorted);
	rte_free(t->vni_seg);
	rte_free(t->remotes);
	rte_free(t->tmpl_mem);
	rte_free(t->tmpl_ptrs);
	rte_free(t);
}

static void
seg_clear(struct vtep_cfg_segment *s)
{
	free(s->flood);
	memset(s, 0, sizeof(*s));
}

void
vtep_dp_free(struct vtep_dp *dp)
{
	if (dp == NULL)
		return;
	for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++)
		if (dp->ports[i].in_use && dp->ports[i].eth != NULL)
			vtep_port_close(dp->ports[i].eth);
	for (unsigned int i = 0; i < dp->n_segs; i++)
		seg_clear(&dp->segs[i]);
	for (unsigned int i = 0; i < VTEP_MAX_WORKERS; i++)
		worker_free(dp->workers[i]);
	tables_free(dp->tables);
	vtep_fdb_free(dp->fdb);
	rte_free(dp->qsbr);
	rte_free(dp);
}

/* ---------------------------------------------------------------- counters */

static void
counters_add(struct vtep_dp_counters *a, const struct vtep_dp_counters *b)
{
	a->rx_packets += b->rx_packets;
	a->rx_bytes += b->rx_bytes;
	a->tx_packets += b->tx_packets;
	a->tx_bytes += b->tx_bytes;
	a->drops += b->drops;
	for (unsigned int r = 0; r < VTEP_DROP__MAX; r++)
		a->drop[r] += b->drop[r];
}

static void
counters_sub(struct vtep_dp_counters *a, const struct vtep_dp_counters *b)
{
	a->rx_packets -= b->rx_packets;
	a->rx_bytes -= b->rx_bytes;
	a->tx_packets -= b->tx_packets;
	a->tx_bytes -= b->tx_bytes;
	a->drops -= b->drops;
	for (unsigned int r = 0; r < VTEP_DROP__MAX; r++)
		a->drop[r] -= b->drop[r];
}

/* Raw sum of the workers' counters of a slot (not rebased). */
static void
slot_counters(const struct vtep_dp *dp, unsigned int idx, struct vtep_dp_counters *c)
{
	memset(c, 0, sizeof(*c));
	for (unsigned int w = 0; w < dp->p.n_workers; w++)
		counters_add(c, &dp->workers[w]->st[idx]);
}

/* ---------------------------------------------------------------- table compilation */

static void
bitmap_set(uint64_t *bm, uint16_t bit)
{
	bm[bit >> 6] |= 1ull << (bit & 63);
}

int
dp_port_index(const struct vtep_dp *dp, const char *name)
{
	for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++) {
		const struct dp_mport *mp = &dp->ports[i];

		if (!mp->in_use || mp->mcast)
			continue;
		if (strcmp(mp->kind == VTEP_DP_PORT_ETH ? mp->cfg.name : mp->tcfg.name, name) == 0)
			return (int)i;
	}
	return -ENOENT;
}

static int
uplink_index(const struct vtep_dp *dp)
{
	int i;

	if (dp->vtep.uplink[0] == '\0')
		return -ENOENT;
	i = dp_port_index(dp, dp->vtep.uplink);
	if (i < 0 || dp->ports[i].kind != VTEP_DP_PORT_ETH ||
	    dp->ports[i].cfg.role != VTEP_PORT_ROLE_UPLINK)
		return -ENOENT;
	return i;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Multicast MAC of an IPv4/IPv6 group (RFC 1112 / RFC 2464). */
static void
group_mac(const struct vtep_ip *g, uint8_t mac[6])
{
	if (g->family == AF_INET) {
		const uint8_t *a = (const uint8_t *)&g->v4;

		mac[0] = 0x01, mac[1] = 0x00, mac[2] = 0x5e;
		mac[3] = a[1] & 0x7f, mac[4] = a[2], mac[5] = a[3];
	} else {
		mac[0] = 0x33, mac[1] = 0x33;
		memcpy(mac + 2, &g->v6.s6_addr[12], 4);
	}
}

/* Build the outer templates of one tunnel port for every segment. */
static void
build_templates(struct vtep_dp *dp, struct dp_tables *t, unsigned int idx,
		struct vtep_tnl_template *mem, const struct vtep_tnl_template **ptrs)
{
	const struct dp_mport *mp = &dp->ports[idx];
	const struct vtep_cfg_tunnel *tc = &mp->tcfg;
	struct vtep_tnl_params tp = { 0 };
	struct vtep_ip nh;

	t->ports[idx].tmpl = ptrs;
	if (t->uplink == DP_NO_PORT)
		return;
	tp.type = tc->type;
	tp.remote = tc->remote_ip;
	tp.local = tc->remote_ip.family == AF_INET ? dp->vtep.local_ip : dp->vtep.local_ip6;
	if (tp.local.family != tp.remote.family)
		return;
	memcpy(tp.src_mac, dp->ports[t->uplink].eth->mac, 6);
	if (mp->mcast) {
		group_mac(&tc->remote_ip, tp.dst_mac);
	} else if (dp_next_hop(dp, &tc->remote_ip, &nh) < 0 ||
		   dp_neigh_lookup(dp, &nh, tp.dst_mac) < 0) {
		return; /* unresolved: packets count neigh_unresolved until ARP/ND answers */
	}
	tp.udp_port = tc->udp_port ? tc->udp_port : dp->vtep.udp_port;
	tp.mtu = dp->vtep.mtu;
	for (unsigned int s = 0; s < t->n_segs; s++) {
		tp.vni = t->segs[s].vni;
		if (vtep_tnl_template_build(&tp, &mem[s]) == 0)
			ptrs[s] = &mem[s];
	}
}

static int
compile(struct vtep_dp *dp, struct dp_tables **out)
{
	struct dp_tables *t;
	unsigned int n_tnl = 0, total = 0, wrr = 0, ti = 0;
	int up;

	t = rte_zmalloc_socket("vtep_tables", sizeof(*t), RTE_CACHE_LINE_SIZE, dp->p.socket_id);
	if (t == NULL)
		return -ENOMEM;
	up = uplink_index(dp);
	t->uplink = up < 0 ? DP_NO_PORT : (uint16_t)up;
	t->require_known_remote = dp->vtep.require_known_remote;

	/* ports and VLAN membership */
	for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++) {
		const struct dp_mport *mp = &dp->ports[i];
		struct dp_tport *tp = &t->ports[i];

		if (!mp->in_use)
			continue;
		t->n_ports = i + 1;
		tp->kind = mp->kind;
		if (mp->kind == VTEP_DP_PORT_TUNNEL) {
			tp->mcast = mp->mcast;
			tp->uplink = t->uplink;
			n_tnl++;
			continue;
		}
		tp->eth = mp->eth;
		tp->mode = mp->cfg.mode;
		tp->role = mp->cfg.role;
		tp->vlan = mp->cfg.vlan;
		if (mp->cfg.role == VTEP_PORT_ROLE_UPLINK)
			continue;
		if (mp->cfg.mode == VTEP_PORT_MODE_ACCESS) {
			bitmap_set(tp->vlans, mp->cfg.vlan);
		} else if (mp->cfg.mode == VTEP_PORT_MODE_TRUNK) {
			memcpy(tp->vlans, mp->cfg.trunks, sizeof(tp->vlans));
		} else {
			memset(tp->vlans, 0xff, sizeof(tp->vlans));
			tp->vlans[VTEP_VLAN_COUNT / 64 - 1] &= ~(1ull << 63); /* 4095 */
		}
	}
	/* per-VLAN local flood lists */
	for (unsigned int v = 0; v < VTEP_VLAN_COUNT; v++)
		for (unsigned int i = 0; i < t->n_ports; i++)
			if (t->ports[i].kind == VTEP_DP_PORT_ETH && dp_vlan_member(&t->ports[i], v))
				total++;
	t->flood_ports = rte_zmalloc("vtep_flood", sizeof(uint16_t) * (total + 1), 0);
	if (t->flood_ports == NULL)
		goto nomem;
	total = 0;
	for (unsigned int v = 0; v < VTEP_VLAN_COUNT; v++) {
		t->flood_off[v] = total;
		for (unsigned int i = 0; i < t->n_ports; i++)
			if (t->ports[i].kind == VTEP_DP_PORT_ETH && dp_vlan_member(&t->ports[i], v))
				t->flood_ports[total++] = (uint16_t)i;
		t->flood_cnt[v] = (uint16_t)(total - t->flood_off[v]);
	}
	/* segments */
	for (unsigned int v = 0; v < VTEP_VLAN_COUNT; v++)
		t->seg_by_vlan[v] = DP_NO_SEG;
	t->n_segs = dp->n_segs;
	t->segs = rte_zmalloc("vtep_segs", sizeof(*t->segs) * (dp->n_segs + 1), 0);
	t->vni_sorted = rte_zmalloc("vtep_vnis", sizeof(uint32_t) * (dp->n_segs + 1), 0);
	t->vni_seg = rte_zmalloc("vtep_vniseg", sizeof(uint16_t) * (dp->n_segs + 1), 0);
	if (t->segs == NULL || t->vni_sorted == NULL || t->vni_seg == NULL)
		goto nomem;
	for (unsigned int s = 0; s < dp->n_segs; s++) {
		const struct vtep_cfg_segment *cs = &dp->segs[s];
		struct dp_seg *ds = &t->segs[s];

		ds->vlan = cs->vlan;
		ds->vni = cs->vni;
		t->seg_by_vlan[cs->vlan] = (uint16_t)s;
		for (unsigned int f = 0; f < cs->n_flood; f++) {
			int pi = dp_port_index(dp, cs->flood[f]);

			if (pi >= 0)
				ds->flood[ds->n_flood++] = (uint16_t)pi;
		}
		for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++)
			if (dp->ports[i].in_use && dp->ports[i].mcast &&
			    dp->ports[i].mcast_vlan == cs->vlan)
				ds->flood[ds->n_flood++] = (uint16_t)i;
		t->vni_sorted[s] = (uint32_t)cs->vni << 16 | s; /* sort key, split below */
	}
	qsort(t->vni_sorted, dp->n_segs, sizeof(uint32_t), cmp_u32);
	for (unsigned int s = 0; s < dp->n_segs; s++) {
		/* VNIs are 24 bits and segments < 65536: recover both from the sort key */
		uint32_t key = t->vni_sorted[s];

		t->vni_seg[s] = (uint16_t)(key & 0xffff);
		t->vni_sorted[s] = t->segs[t->vni_seg[s]].vni;
	}
	/* remotes and templates */
	t->remotes = rte_zmalloc("vtep_remotes", sizeof(*t->remotes) * (n_tnl + 1), 0);
	t->tmpl_mem = rte_zmalloc("vtep_tmpl", sizeof(*t->tmpl_mem) * (n_tnl * t->n_segs + 1),
				  RTE_CACHE_LINE_SIZE);
	t->tmpl_ptrs = rte_zmalloc("vtep_tmplp", sizeof(void *) * (n_tnl * t->n_segs + 1), 0);
	if (t->remotes == NULL || t->tmpl_mem == NULL || t->tmpl_ptrs == NULL)
		goto nomem;
	for (unsigned int i = 0; i < t->n_ports; i++) {
		const struct dp_mport *mp = &dp->ports[i];

		if (!mp->in_use || mp->kind != VTEP_DP_PORT_TUNNEL)
			continue;
		build_templates(dp, t, i, &t->tmpl_mem[ti * t->n_segs],
				&t->tmpl_ptrs[ti * t->n_segs]);
		ti++;
		if (!mp->mcast) {
			struct dp_remote *r = &t->remotes[t->n_remotes++];

			r->ip = mp->tcfg.remote_ip;
			r->port = (uint16_t)i;
			r->type = (uint8_t)mp->tcfg.type;
		}
	}
	/* rx config for the uplink classifier */
	t->rxcfg.local = dp->vtep.local_ip;
	t->rxcfg.local6 = dp->vtep.local_ip6;
	if (t->uplink != DP_NO_PORT)
		memcpy(t->rxcfg.local_mac, dp->ports[t->uplink].eth->mac, 6);
	t->rxcfg.vxlan_ports[0] = dp->vtep.udp_port;
	for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++) {
		const struct dp_mport *mp = &dp->ports[i];
		uint16_t port;
		unsigned int k;

		if (!mp->in_use || mp->kind != VTEP_DP_PORT_TUNNEL)
			continue;
		if (mp->mcast && t->rxcfg.n_groups < RTE_DIM(t->rxcfg.groups))
			t->rxcfg.groups[t->rxcfg.n_groups++] = mp->tcfg.remote_ip;
		port = mp->tcfg.udp_port;
		if (mp->tcfg.type != VTEP_TUNNEL_VXLAN || port == 0)
			continue;
		for (k = 0; k < RTE_DIM(t->rxcfg.vxlan_ports); k++)
			if (t->rxcfg.vxlan_ports[k] == port || t->rxcfg.vxlan_ports[k] == 0)
				break;
		if (k < RTE_DIM(t->rxcfg.vxlan_ports))
			t->rxcfg.vxlan_ports[k] = port;
	}
	/* rx queues round-robin over workers */
	for (unsigned int i = 0; i < t->n_ports; i++) {
		const struct dp_tport *tp = &t->ports[i];

		if (tp->kind != VTEP_DP_PORT_ETH)
			continue;
		for (uint16_t q = 0; q < tp->eth->n_rxq; q++) {
			unsigned int w = wrr++ % dp->p.n_workers;
			struct dp_rxq *rq = &t->rxq[w][t->n_rxq[w]++];

			rq->port = (uint16_t)i;
			rq->queue = q;
		}
	}
	*out = t;
	return 0;
nomem:
	tables_free(t);
	return -ENOMEM;
}

/* Wait until no worker can still see the previous tables. */
static void
dp_synchronize(struct vtep_dp *dp)
{
	unsigned int self = RTE_QSBR_THRID_INVALID;

	if (dp->p.main_forwards && dp->workers[0]->online)
		self = 0;
	rte_rcu_qsbr_synchronize(dp->qsbr, self);
}

/* Copy an address with its unused bytes zeroed (steering settings are compared whole). */
static void
steer_ip(struct vtep_ip *dst, const struct vtep_ip *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->family = src->family;
	if (src->family == AF_INET)
		dst->v4 = src->v4;
	else if (src->family == AF_INET6)
		dst->v6 = src->v6;
}

/*
 * Tell ports that share their NIC with the host (AF_XDP uplinks) what is vtepsw's: the
 * uplink gets the VTEP addresses, VXLAN ports and groups of tables @p t and the tunnel
 * types the classifier accepts (all of them, unless require_known_remote limits them to
 * the configured tunnels' types), any other port every frame. Drivers without steering
 * ignore it; drivers skip unchanged settings.
 */
static int
dp_steer(struct vtep_dp *dp, const struct dp_tables *t, char *err, size_t errlen)
{
	struct vtep_port_steering s;
	bool nvgre = !t->require_known_remote, stt = !t->require_known_remote;
	int ret;

	for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++) {
		const struct dp_mport *mp = &dp->ports[i];

		if (mp->in_use && mp->kind == VTEP_DP_PORT_TUNNEL) {
			nvgre |= mp->tcfg.type == VTEP_TUNNEL_NVGRE;
			stt |= mp->tcfg.type == VTEP_TUNNEL_STT;
		}
	}
	for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++) {
		const struct dp_mport *mp = &dp->ports[i];

		if (!mp->in_use || mp->kind != VTEP_DP_PORT_ETH)
			continue;
		memset(&s, 0, sizeof(s));
		/* an uplink that is not (yet) the VTEP's keeps its traffic with the host */
		s.all = mp->cfg.role != VTEP_PORT_ROLE_UPLINK;
		if (i == t->uplink) {
			steer_ip(&s.local4, &t->rxcfg.local);
			steer_ip(&s.local6, &t->rxcfg.local6);
			for (unsigned int k = 0; k < RTE_DIM(s.udp_ports) &&
			     k < RTE_DIM(t->rxcfg.vxlan_ports); k++)
				s.udp_ports[k] = t->rxcfg.vxlan_ports[k];
			for (unsigned int k = 0; k < t->rxcfg.n_groups && k < RTE_DIM(s.groups);
			     k++)
				steer_ip(&s.groups[s.n_groups++], &t->rxcfg.groups[k]);
			s.nvgre = nvgre;
			s.stt = stt;
		}
		ret = vtep_port_set_steering(mp->eth, &s);
		if (ret < 0) {
			if (err != NULL)
				snprintf(err, errlen, "port '%s': cannot update what its XDP "
					 "program steers to vtepsw: %s", mp->cfg.name,
					 strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int
dp_commit(struct vtep_dp *dp, char *err, size_t errlen)
{
	struct dp_tables *t, *old;
	int ret;

	ret = compile(dp, &t);
	if (ret < 0) {
		if (err != NULL)
			snprintf(err, errlen, "cannot build datapath tables: %s", strerror(-ret));
		return ret;
	}
	ret = dp_steer(dp, t, err, errlen);
	if (ret < 0) {
		tables_free(t);
		return ret;
	}
	t->gen = ++dp->gen; /* starts at 1: a zeroed worker cache never matches */
	old = dp->tables;
	__atomic_store_n(&dp->tables, t, __ATOMIC_RELEASE);
	if (old != NULL) {
		dp_synchronize(dp);
		tables_free(old);
	}
	dp->tables_dirty = false;
	return 0;
}

/* ---------------------------------------------------------------- core functions */

int
vtep_dp_set_bridge(struct vtep_dp *dp, const struct vtep_cfg_bridge *b, char err[VTEP_DP_ERR_MAX])
{
	if (b->mac_aging_s < 10 || b->mac_aging_s > 1000000) {
		set_err(err, "bridge.mac_aging_s: %u is outside 10..1000000", b->mac_aging_s);
		return -EINVAL;
	}
	snprintf(dp->bridge.name, sizeof(dp->bridge.name), "%s", b->name);
	dp->bridge.datapath_id = b->datapath_id;
	dp->bridge.fail_mode = b->fail_mode;
	dp->bridge.mac_aging_s = b->mac_aging_s;
	vtep_fdb_set_aging(dp->fdb, b->mac_aging_s);
	return 0;
}

/* Whether the local addresses differ between @p a and @p b. */
static bool
vtep_addrs_changed(const struct vtep_cfg_vtep *a, const struct vtep_cfg_vtep *b)
{
	return !vtep_ip_equal(&a->local_ip, &b->local_ip) ||
	       !vtep_ip_equal(&a->local_ip6, &b->local_ip6);
}

/* STT reassembly limits of every worker from @p v (they can change at run time). */
static void
set_reasm_limits(struct vtep_dp *dp, const struct vtep_cfg_vtep *v)
{
	uint32_t kb = v->stt_reasm_mem_kb ? v->stt_reasm_mem_kb : 4096;
	uint32_t ms = v->stt_reasm_timeout_ms ? v->stt_reasm_timeout_ms : 1000;

	for (unsigned int w = 0; w < dp->p.n_workers; w++)
		if (dp->workers[w]->reasm != NULL)
			vtep_stt_reasm_set_limits(dp->workers[w]->reasm,
						  kb * 1024u / dp->p.n_workers, ms);
}

/*
 * vtep.mtu is the size of the tunnel packets vtepsw builds; a larger value than the
 * uplink device's MTU makes the device (or the kernel behind an af_packet/AF_XDP port)
 * drop every packet above it, after vtepsw counted it sent. Say so where it is set.
 */
static void
warn_uplink_mtu(const struct vtep_dp *dp)
{
	int u = dp->vtep.uplink[0] != '\0' ? dp_port_index(dp, dp->vtep.uplink) : -1;
	const struct vtep_port *p = u >= 0 ? dp->ports[u].eth : NULL;

	if (p != NULL && p->mtu != 0 && dp->vtep.mtu > p->mtu)
		VTEP_LOG(MAIN, WARNING, "vtep.mtu %u is larger than the MTU %u of uplink '%s': "
			 "tunnel packets above %u bytes will not leave it; set the port's mtu "
			 "or lower vtep.mtu", dp->vtep.mtu, p->mtu, dp->vtep.uplink, p->mtu);
}

/* Say who cuts STT frames for the uplink: its device (TSO, IPv4 underlay) or vtepsw. */
static void
log_uplink_stt(const struct vtep_dp *dp)
{
	int u = dp->vtep.uplink[0] != '\0' ? dp_port_index(dp, dp->vtep.uplink) : -1;
	const struct vtep_port *p = u >= 0 ? dp->ports[u].eth : NULL;
	/* Ethernet + IPv4 + TCP-like header in front of each segment's payload */
	unsigned int seg = dp->vtep.mtu - 40, hdrs = 54;
	const char *csum;

	if (p == NULL)
		return;
	csum = p->offloads & VTEP_PORT_OFL_CSUM ? ", checksums by the device" : "";
	if (!(p->offloads & VTEP_PORT_OFL_TSO4)) {
		VTEP_LOG(MAIN, INFO, "uplink '%s': STT segmented in software%s (%s)",
			 dp->vtep.uplink, csum,
			 dp->p.uplink_tso == VTEP_DP_UPLINK_TSO_OFF ? "--uplink-tso off" :
			 p->tso_emulated ? "the device's TSO is software in its driver, which costs "
			 "more; --uplink-tso on uses it" : "the device has no TSO");
		return;
	}
	if (p->tso_frame_max != 0 && p->tso_frame_max < seg + hdrs)
		seg = p->tso_frame_max > hdrs ? p->tso_frame_max - hdrs : 0;
	VTEP_LOG(MAIN, INFO, "uplink '%s': STT segmentation offloaded to the device (TSO, IPv4 "
		 "underlay, %u-byte segments; IPv6 underlay segmented in software%s)",
		 dp->vtep.uplink, seg, csum);
	if (seg < dp->vtep.mtu - 40u)
		VTEP_LOG(MAIN, WARNING, "uplink '%s': the device counts the Ethernet header in its "
			 "MTU %u for TSO, so STT segments carry %u bytes where vtep.mtu %u allows "
			 "%u; a port mtu of %u (where the device allows it) or a vtep.mtu of %u "
			 "makes them equal", dp->vtep.uplink, p->mtu, seg, dp->vtep.mtu,
			 dp->vtep.mtu - 40u, dp->vtep.mtu + 14u, p->mtu - 14u);
}

int
vtep_dp_set_vtep(struct vtep_dp *dp, const struct vtep_cfg_vtep *v, char err[VTEP_DP_ERR_MAX])
{
	struct vtep_cfg_vtep old = dp->vtep;
	bool gone[VTEP_MAX_PORTS] = { false };
	struct dp_neigh *neigh_before;
	int ret;

	if (v->uplink[0] != '\0') {
		int i = dp_port_index(dp, v->uplink);

		if (i < 0 || dp->ports[i].kind != VTEP_DP_PORT_ETH) {
			set_err(err, "vtep.uplink: no port named '%s'", v->uplink);
			return -ENOENT;
		}
		if (dp->ports[i].cfg.role != VTEP_PORT_ROLE_UPLINK) {
			set_err(err, "vtep.uplink: port '%s' does not have role uplink", v->uplink);
			return -EINVAL;
		}
	}
	if (v->n_neighbours > DP_MAX_NEIGH) {
		set_err(err, "vtep.neighbours: %u entries, at most %u", v->n_neighbours,
			DP_MAX_NEIGH);
		return -ENOSPC;
	}
	/* the neighbour table is restored when the change fails */
	neigh_before = malloc(sizeof(dp->neigh));
	if (neigh_before == NULL) {
		set_err(err, "vtep: out of memory");
		return -ENOMEM;
	}
	memcpy(neigh_before, dp->neigh, sizeof(dp->neigh));
	dp->vtep = *v;
	dp->vtep.neighbours = NULL;
	dp->vtep.n_neighbours = 0;
	if (dp->vtep.udp_port == 0)
		dp->vtep.udp_port = 4789;
	if (dp->vtep.mtu == 0)
		dp->vtep.mtu = 1500;
	/* static neighbours are copied into the neighbour table, not kept by pointer */
	dp_neigh_set_static(dp);
	for (unsigned int i = 0; i < v->n_neighbours; i++)
		(void)dp_neigh_add_static(dp, &v->neighbours[i].ip, v->neighbours[i].mac);
	/*
	 * Learned remotes (never in the config, so the loader did not check them) that the new
	 * settings rule out: no local address of their family any more, the remote is now the
	 * VTEP itself, or only configured tunnels may decapsulate now. They go in the same
	 * commit; their MACs are forgotten after it.
	 */
	for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++) {
		struct dp_mport *mp = &dp->ports[i];
		const struct vtep_ip *local;

		if (!mp->in_use || !mp->learned)
			continue;
		local = mp->tcfg.remote_ip.family == AF_INET ? &dp->vtep.local_ip :
			&dp->vtep.local_ip6;
		if (local->family == 0 || vtep_ip_equal(local, &mp->tcfg.remote_ip) ||
		    dp->vtep.require_known_remote) {
			mp->in_use = false;
			gone[i] = true;
		}
	}
	ret = dp_commit(dp, err, VTEP_DP_ERR_MAX);
	if (ret < 0) {
		dp->vtep = old;
		memcpy(dp->neigh, neigh_before, sizeof(dp->neigh));
		for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++)
			if (gone[i])
				dp->ports[i].in_use = true;
		free(neigh_before);
		return ret;
	}
	free(neigh_before);
	for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++) {
		if (!gone[i])
			continue;
		vtep_fdb_flush(dp->fdb, -1, (int)i, true);
		VTEP_LOG(TUNNEL, INFO, "learned tunnel %s removed (%s)", dp->ports[i].tcfg.name,
			 dp->vtep.require_known_remote ? "require_known_remote is set" :
			 "the VTEP address changed");
	}
	if (old.stt_reasm_mem_kb != dp->vtep.stt_reasm_mem_kb ||
	    old.stt_reasm_timeout_ms != dp->vtep.stt_reasm_timeout_ms)
		set_reasm_limits(dp, &dp->vtep);
	if (vtep_addrs_changed(&old, &dp->vtep))
		dp_underlay_announce(dp);
	warn_uplink_mtu(dp);
	if (strcmp(old.uplink, dp->vtep.uplink) != 0 || old.mtu != dp->vtep.mtu)
		log_uplink_stt(dp);
	return 0;
}

static int
free_slot(const struct vtep_dp *dp)
{
	for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++)
		if (!dp->ports[i].in_use)
			return (int)i;
	return -ENOSPC;
}

static bool
ofport_used(const struct vtep_dp *dp, uint32_t ofport)
{
	for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++)
		if (dp->ports[i].in_use && dp->ports[i].ofport == ofport)
			return true;
	return false;
}

static uint32_t
ofport_assign(const struct vtep_dp *dp, uint32_t want)
{
	uint32_t o = 1;

	if (want != 0)
		return want;
	while (ofport_used(dp, o))
		o++;
	return o;
}

static void
slot_take(struct vtep_dp *dp, unsigned int idx)
{
	struct dp_mport *mp = &dp->ports[idx];

	slot_counters(dp, idx, &mp->base);
	mp->in_use = true;
}

int
vtep_dp_port_add(struct vtep_dp *dp, const struct vtep_cfg_port *p, char err[VTEP_DP_ERR_MAX])
{
	struct vtep_port_params pp = { 0 };
	struct vtep_port *eth = NULL;
	struct dp_mport *mp;
	char perr[256] = "";
	int idx, ret;

	if (p->name[0] == '\0') {
		set_err(err, "port name is empty");
		return -EINVAL;
	}
	if (dp_port_index(dp, p->name) >= 0) {
		set_err(err, "a port or tunnel named '%s' already exists", p->name);
		return -EEXIST;
	}
	if (p->ofport != 0 && ofport_used(dp, p->ofport)) {
		set_err(err, "port '%s': ofport %u is already in use", p->name, p->ofport);
		return -EEXIST;
	}
	if (p->mode == VTEP_PORT_MODE_ACCESS && (p->vlan < 1 || p->vlan > 4094)) {
		set_err(err, "port '%s': VLAN ID %u is outside 1..4094", p->name, p->vlan);
		return -EINVAL;
	}
	if (p->role == VTEP_PORT_ROLE_UPLINK && p->mode != VTEP_PORT_MODE_ALL) {
		set_err(err, "port '%s': an uplink carries no VLANs (remove vlan/trunks)", p->name);
		return -EINVAL;
	}
	idx = free_slot(dp);
	if (idx < 0) {
		set_err(err, "port '%s': too many ports (limit %u)", p->name, VTEP_MAX_PORTS);
		return idx;
	}
	pp.name = p->name;
	pp.devargs = p->devargs;
	pp.n_rxq = p->rxq ? p->rxq : 1;
	pp.n_senders = (uint16_t)(dp->p.main_forwards ? dp->p.n_workers : dp->p.n_workers + 1);
	pp.pool = dp->p.pool;
	pp.mtu = p->mtu;
	pp.mac = p->has_mac ? p->mac : NULL;
	/* STT segmentation by the NIC where it can (VTEP_PORT_OFL_TSO4 then says it took it) */
	if (p->role == VTEP_PORT_ROLE_UPLINK && dp->p.uplink_tso != VTEP_DP_UPLINK_TSO_OFF)
		pp.tx_offloads = RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
				 RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	ret = vtep_port_open(&pp, &eth, perr, sizeof(perr));
	if (ret < 0) {
		set_err(err, "port '%s': %s", p->name, perr);
		return ret;
	}
	/* net_tap's checksums are software too (not published yet: no atomics needed) */
	if (eth->tso_emulated && dp->p.uplink_tso == VTEP_DP_UPLINK_TSO_AUTO)
		eth->offloads &= ~(VTEP_PORT_OFL_TSO4 | VTEP_PORT_OFL_CSUM);
	mp = &dp->ports[idx];
	memset(mp, 0, sizeof(*mp));
	mp->kind = VTEP_DP_PORT_ETH;
	mp->cfg = *p;
	mp->eth = eth;
	mp->ofport = ofport_assign(dp, p->ofport);
	slot_take(dp, (unsigned int)idx);
	ret = dp_commit(dp, err, VTEP_DP_ERR_MAX);
	if (ret < 0) {
		mp->in_use = false;
		vtep_port_close(eth);
		return ret;
	}
	VTEP_LOG(PORT, INFO, "port %s added (%s, ethdev %u, ofport %u)", p->name, p->devargs,
		 eth->port_id, mp->ofport);
	return 0;
}

int
vtep_dp_port_del(struct vtep_dp *dp, const char *name, char err[VTEP_DP_ERR_MAX])
{
	int idx = dp_port_index(dp, name);
	struct dp_mport *mp;
	int ret;

	if (idx < 0 || dp->ports[idx].kind != VTEP_DP_PORT_ETH) {
		set_err(err, "no port named '%s'", name);
		return -ENOENT;
	}
	if (strcmp(dp->vtep.uplink, name) == 0) {
		set_err(err, "port '%s' is the VTEP uplink; change vtep.uplink first", name);
		return -EBUSY;
	}
	mp = &dp->ports[idx];
	mp->in_use = false;
	ret = dp_commit(dp, err, VTEP_DP_ERR_MAX);
	if (ret < 0) {
		mp->in_use = true;
		return ret;
	}
	vtep_fdb_flush(dp->fdb, -1, idx, true);
	vtep_port_close(mp->eth);
	mp->eth = NULL;
	VTEP_LOG(PORT, INFO, "port %s removed", name);
	return 0;
}

/* ---------------------------------------------------------------- learned remotes */

static int
remote_port(const struct vtep_dp *dp, uint8_t type, const struct vtep_ip *ip)
{
	for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++) {
		const struct dp_mport *o = &dp->ports[i];

		if (o->in_use && o->kind == VTEP_DP_PORT_TUNNEL && !o->mcast &&
		    o->tcfg.type == type && vtep_ip_equal(&o->tcfg.remote_ip, ip))
			return (int)i;
	}
	return -ENOENT;
}

static unsigned int
learned_remote_count(const struct vtep_dp *dp)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++)
		n += dp->ports[i].in_use && dp->ports[i].learned;
	return n;
}

static void
learned_remote_remove(struct vtep_dp *dp, unsigned int idx, const char *why)
{
	struct dp_mport *mp = &dp->ports[idx];

	mp->in_use = false;
	if (dp_commit(dp, NULL, 0) < 0) {
		mp->in_use = true;
		return;
	}
	vtep_fdb_flush(dp->fdb, -1, (int)idx, true);
	VTEP_LOG(TUNNEL, INFO, "learned tunnel %s removed (%s)", mp->tcfg.name, why);
}

/* Remove the learned tunnel to (type, ip), if any. */
static void
learned_remote_del(struct vtep_dp *dp, uint8_t type, const struct vtep_ip *ip)
{
	int idx = remote_port(dp, type, ip);

	if (idx >= 0 && dp->ports[idx].learned)
		learned_remote_remove(dp, (unsigned int)idx, "a configured tunnel replaces it");
}

/*
 * A frame arrived from a remote VTEP without a tunnel port (flood-and-learn, RFC 7348):
 * create a port for it so unicast replies go straight to it. @return the port or -errno.
 */
static int
learned_remote_get(struct vtep_dp *dp, uint8_t type, const struct vtep_ip *ip)
{
	struct vtep_cfg_tunnel *tc;
	struct dp_mport *mp;
	char addr[INET6_ADDRSTRLEN];
	int idx = remote_port(dp, type, ip);

	if (idx >= 0)
		return idx;
	if (dp->vtep.require_known_remote || type >= VTEP_TUNNEL__MAX ||
	    learned_remote_count(dp) >= DP_MAX_LEARNED_REMOTES) {
		dp->ul.remotes_refused++;
		return -ENOSPC;
	}
	idx = free_slot(dp);
	if (idx < 0) {
		dp->ul.remotes_refused++;
		return idx;
	}
	mp = &dp->ports[idx];
	memset(mp, 0, sizeof(*mp));
	mp->kind = VTEP_DP_PORT_TUNNEL;
	mp->learned = true;
	tc = &mp->tcfg;
	tc->type = type;
	tc->remote_ip = *ip;
	vtep_ip_format(ip, addr, sizeof(addr));
	if ((size_t)snprintf(tc->name, sizeof(tc->name), "%s@%s", vtep_tunnel_type_name(type),
			     addr) >= sizeof(tc->name))
		snprintf(tc->name, sizeof(tc->name), "%s@learned%d", vtep_tunnel_type_name(type),
			 idx);
	slot_take(dp, (unsigned int)idx);
	if (dp_commit(dp, NULL, 0) < 0) {
		mp->in_use = false;
		dp->ul.remotes_refused++;
		return -ENOMEM;
	}
	dp->ul.remotes_learned++;
	VTEP_LOG(TUNNEL, INFO, "learned remote VTEP %s (%s): tunnel %s", addr,
		 vtep_tunnel_type_name(type), tc->name);
	return idx;
}

/* Learned tunnels that no FDB entry points to any more (their MACs aged out) go away. */
static void
learned_remote_age(struct vtep_dp *dp, uint32_t now_s)
{
	uint32_t refs[VTEP_MAX_PORTS] = { 0 };
	struct vtep_fdb_entry e;
	uint32_t iter = 0;

	if (learned_remote_count(dp) == 0)
		return;
	while (vtep_fdb_iterate(dp->fdb, &iter, now_s, &e) == 1)
		if (e.port < VTEP_MAX_PORTS)
			refs[e.port]++;
	for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++)
		if (dp->ports[i].in_use && dp->ports[i].learned && refs[i] == 0) {
			dp->ul.remotes_expired++;
			learned_remote_remove(dp, i, "its MAC addresses aged out");
		}
}

int
vtep_dp_tunnel_add(struct vtep_dp *dp, const struct vtep_cfg_tunnel *t, char err[VTEP_DP_ERR_MAX])
{
	struct dp_mport *mp;
	int idx, ret;

	if (dp_port_index(dp, t->name) >= 0) {
		set_err(err, "a port or tunnel named '%s' already exists", t->name);
		return -EEXIST;
	}
	if (t->type >= VTEP_TUNNEL__MAX) {
		set_err(err, "tunnel '%s': unknown type", t->name);
		return -EINVAL;
	}
	if (t->remote_ip.family != AF_INET && t->remote_ip.family != AF_INET6) {
		set_err(err, "tunnel '%s': remote_ip is required", t->name);
		return -EINVAL;
	}
	if (t->ofport != 0 && ofport_used(dp, t->ofport)) {
		set_err(err, "tunnel '%s': ofport %u is already in use", t->name, t->ofport);
		return -EEXIST;
	}
	idx = remote_port(dp, (uint8_t)t->type, &t->remote_ip);
	if (idx >= 0 && !dp->ports[idx].learned) {
		set_err(err, "tunnel '%s': tunnel '%s' already reaches that remote VTEP with type %s",
			t->name, dp->ports[idx].tcfg.name, vtep_tunnel_type_name(t->type));
		return -EEXIST;
	}
	/* the configured tunnel takes over from one learned for the same remote */
	learned_remote_del(dp, t->type, &t->remote_ip);
	idx = free_slot(dp);
	if (idx < 0) {
		set_err(err, "tunnel '%s': too many ports (limit %u)", t->name, VTEP_MAX_PORTS);
		return idx;
	}
	mp = &dp->ports[idx];
	memset(mp, 0, sizeof(*mp));
	mp->kind = VTEP_DP_PORT_TUNNEL;
	mp->tcfg = *t;
	mp->ofport = ofport_assign(dp, t->ofport);
	slot_take(dp, (unsigned int)idx);
	ret = dp_commit(dp, err, VTEP_DP_ERR_MAX);
	if (ret < 0) {
		mp->in_use = false;
		return ret;
	}
	VTEP_LOG(TUNNEL, INFO, "tunnel %s added (%s, ofport %u)", t->name,
		 vtep_tunnel_type_name(t->type), mp->ofport);
	return 0;
}

int
vtep_dp_tunnel_del(struct vtep_dp *dp, const char *name, char err[VTEP_DP_ERR_MAX])
{
	int idx = dp_port_index(dp, name);
	int ret;

	if (idx < 0 || dp->ports[idx].kind != VTEP_DP_PORT_TUNNEL) {
		set_err(err, "no tunnel named '%s'", name);
		return -ENOENT;
	}
	for (unsigned int s = 0; s < dp->n_segs; s++)
		for (unsigned int f = 0; f < dp->segs[s].n_flood; f++)
			if (strcmp(dp->segs[s].flood[f], name) == 0) {
				set_err(err, "tunnel '%s' is in the flood list of segment vlan %u "
					"(vni %u); remove it there first", name, dp->segs[s].vlan,
					dp->segs[s].vni);
				return -EBUSY;
			}
	dp->ports[idx].in_use = false;
	ret = dp_commit(dp, err, VTEP_DP_ERR_MAX);
	if (ret < 0) {
		dp->ports[idx].in_use = true;
		return ret;
	}
	vtep_fdb_flush(dp->fdb, -1, idx, true);
	VTEP_LOG(TUNNEL, INFO, "tunnel %s removed", name);
	return 0;
}

static int
seg_find(const struct vtep_dp *dp, uint16_t vlan)
{
	for (unsigned int s = 0; s < dp->n_segs; s++)
		if (dp->segs[s].vlan == vlan)
			return (int)s;
	return -ENOENT;
}

int
vtep_dp_segment_add(struct vtep_dp *dp, const struct vtep_cfg_segment *s,
		    char err[VTEP_DP_ERR_MAX])
{
	struct vtep_cfg_segment *ns;
	int mcast_idx = -1, ret;

	if (s->vlan < 1 || s->vlan > 4094) {
		set_err(err, "segment: VLAN ID %u is outside 1..4094", s->vlan);
		return -EINVAL;
	}
	if (s->vni < 1 || s->vni > VTEP_VNI_MAX) {
		set_err(err, "segment vlan %u: VNI %u is outside 1..16777215", s->vlan, s->vni);
		return -EINVAL;
	}
	if (dp->n_segs >= DP_MAX_SEGMENTS) {
		set_err(err, "segment vlan %u: too many segments", s->vlan);
		return -ENOSPC;
	}
	for (unsigned int i = 0; i < dp->n_segs; i++) {
		if (dp->segs[i].vlan == s->vlan) {
			set_err(err, "segment: VLAN %u is already mapped to VNI %u", s->vlan,
				dp->segs[i].vni);
			return -EEXIST;
		}
		if (dp->segs[i].vni == s->vni) {
			set_err(err, "segment vlan %u: VNI %u is already mapped to VLAN %u", s->vlan,
				s->vni, dp->segs[i].vlan);
			return -EEXIST;
		}
	}
	for (unsigned int f = 0; f < s->n_flood; f++) {
		int pi = dp_port_index(dp, s->flood[f]);

		if (pi < 0 || dp->ports[pi].kind != VTEP_DP_PORT_TUNNEL) {
			set_err(err, "segment vlan %u: flood: no tunnel named '%s'", s->vlan,
				s->flood[f]);
			return -ENOENT;
		}
	}
	if (s->mcast_group.family != 0) {
		const struct vtep_ip *local = s->mcast_group.family == AF_INET ?
			&dp->vtep.local_ip : &dp->vtep.local_ip6;
		struct dp_mport *mp;

		if (local->family == 0) {
			set_err(err, "segment vlan %u: mcast_group needs a local VTEP address of its "
				"family", s->vlan);
			return -EINVAL;
		}
		mcast_idx = free_slot(dp);
		if (mcast_idx < 0) {
			set_err(err, "segment vlan %u: too many ports", s->vlan);
			return -ENOSPC;
		}
		mp = &dp->ports[mcast_idx];
		memset(mp, 0, sizeof(*mp));
		mp->kind = VTEP_DP_PORT_TUNNEL;
		mp->mcast = true;
		mp->mcast_vlan = s->vlan;
		snprintf(mp->tcfg.name, sizeof(mp->tcfg.name), "mcast-%u", s->vlan);
		mp->tcfg.type = VTEP_TUNNEL_VXLAN;
		mp->tcfg.remote_ip = s->mcast_group;
		mp->ofport = 0;
		slot_take(dp, (unsigned int)mcast_idx);
	}
	ns = &dp->segs[dp->n_segs];
	*ns = *s;
	ns->flood = NULL;
	if (s->n_flood) {
		ns->flood = calloc(s->n_flood, sizeof(*ns->flood));
		if (ns->flood == NULL) {
			if (mcast_idx >= 0)
				dp->ports[mcast_idx].in_use = false;
			set_err(err, "out of memory");
			return -ENOMEM;
		}
		memcpy(ns->flood, s->flood, s->n_flood * sizeof(*ns->flood));
	}
	dp->n_segs++;
	ret = dp_commit(dp, err, VTEP_DP_ERR_MAX);
	if (ret < 0) {
		dp->n_segs--;
		seg_clear(ns);
		if (mcast_idx >= 0)
			dp->ports[mcast_idx].in_use = false;
		return ret;
	}
	VTEP_LOG(TUNNEL, INFO, "segment vlan %u <-> vni %u added", s->vlan, s->vni);
	return 0;
}

int
vtep_dp_segment_del(struct vtep_dp *dp, uint16_t vlan, char err[VTEP_DP_ERR_MAX])
{
	int s = seg_find(dp, vlan);
	struct vtep_cfg_segment saved;
	int mcast_idx = -1;
	int ret;

	if (s < 0) {
		set_err(err, "no segment for VLAN %u", vlan);
		return -ENOENT;
	}
	for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++)
		if (dp->ports[i].in_use && dp->ports[i].mcast && dp->ports[i].mcast_vlan == vlan)
			mcast_idx = (int)i;
	saved = dp->segs[s];
	memmove(&dp->segs[s], &dp->segs[s + 1], sizeof(dp->segs[0]) * (dp->n_segs - s - 1));
	dp->n_segs--;
	if (mcast_idx >= 0)
		dp->ports[mcast_idx].in_use = false;
	ret = dp_commit(dp, err, VTEP_DP_ERR_MAX);
	if (ret < 0) {
		memmove(&dp->segs[s + 1], &dp->segs[s], sizeof(dp->segs[0]) * (dp->n_segs - s));
		dp->segs[s] = saved;
		dp->n_segs++;
		if (mcast_idx >= 0)
			dp->ports[mcast_idx].in_use = true;
		return ret;
	}
	free(saved.flood);
	/* learned remote MACs of the segment go with it */
	for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++)
		if (dp->ports[i].in_use && dp->ports[i].kind == VTEP_DP_PORT_TUNNEL)
			vtep_fdb_flush(dp->fdb, vlan, (int)i, false);
	VTEP_LOG(TUNNEL, INFO, "segment vlan %u removed", vlan);
	return 0;
}

int
vtep_dp_fdb_add(struct vtep_dp *dp, const struct vtep_cfg_fdb *f, char err[VTEP_DP_ERR_MAX])
{
	int idx = dp_port_index(dp, f->target);
	int ret;

	if (f->vlan > 4094) {
		set_err(err, "fdb: VLAN ID %u is outside 0..4094", f->vlan);
		return -EINVAL;
	}
	if (idx < 0 || (dp->ports[idx].kind == VTEP_DP_PORT_TUNNEL) != f->target_is_tunnel) {
		set_err(err, "fdb: no %s named '%s'", f->target_is_tunnel ? "tunnel" : "port",
			f->target);
		return -ENOENT;
	}
	if (f->mac[0] & 1) {
		set_err(err, "fdb: %02x:%02x:%02x:%02x:%02x:%02x is not a unicast MAC", f->mac[0],
			f->mac[1], f->mac[2], f->mac[3], f->mac[4], f->mac[5]);
		return -EINVAL;
	}
	ret = vtep_fdb_add_static(dp->fdb, f->vlan, f->mac, (uint16_t)idx);
	if (ret < 0)
		set_err(err, "fdb: cannot add entry: %s", strerror(-ret));
	return ret;
}

int
vtep_dp_fdb_del(struct vtep_dp *dp, uint16_t vlan, const uint8_t mac[6], char err[VTEP_DP_ERR_MAX])
{
	int ret = vtep_fdb_del(dp->fdb, vlan, mac);

	if (ret < 0)
		set_err(err, "fdb: no entry for %02x:%02x:%02x:%02x:%02x:%02x on VLAN %u", mac[0],
			mac[1], mac[2], mac[3], mac[4], mac[5], vlan);
	return ret;
}

/* Remove everything (used to undo a failed start-up). */
static void
dp_reset(struct vtep_dp *dp)
{
	char err[VTEP_DP_ERR_MAX];

	while (dp->n_segs > 0)
		vtep_dp_segment_del(dp, dp->segs[dp->n_segs - 1].vlan, err);
	dp->vtep.uplink[0] = '\0';
	for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++) {
		struct dp_mport *mp = &dp->ports[i];

		if (!mp->in_use)
			continue;
		if (mp->kind == VTEP_DP_PORT_ETH)
			vtep_dp_port_del(dp, mp->cfg.name, err);
		else
			vtep_dp_tunnel_del(dp, mp->tcfg.name, err);
	}
	vtep_fdb_flush(dp->fdb, -1, -1, true);
}

int
vtep_dp_apply_config(struct vtep_dp *dp, const struct vtep_config *cfg, char err[VTEP_DP_ERR_MAX])
{
	char e[VTEP_DP_ERR_MAX];
	const char *file = cfg->path[0] ? cfg->path : "config";
	int ret;

	ret = vtep_dp_set_bridge(dp, &cfg->bridge, err);
	if (ret < 0)
		return ret;
	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const struct vtep_cfg_port *p = &cfg->ports[i];

		ret = vtep_dp_port_add(dp, p, e);
		if (ret < 0) {
			set_err(err, "%s:%u:%u: ports[%u].devargs: %s", file, p->devargs_loc.line,
				p->devargs_loc.col, i, e);
			goto fail;
		}
	}
	ret = vtep_dp_set_vtep(dp, &cfg->vtep, e);
	if (ret < 0) {
		set_err(err, "%s:%u:%u: vtep: %s", file, cfg->vtep.loc.line, cfg->vtep.loc.col, e);
		goto fail;
	}
	for (unsigned int i = 0; i < cfg->n_tunnels; i++) {
		const struct vtep_cfg_tunnel *t = &cfg->tunnels[i];

		ret = vtep_dp_tunnel_add(dp, t, e);
		if (ret < 0) {
			set_err(err, "%s:%u:%u: tunnels[%u]: %s", file, t->loc.line, t->loc.col, i, e);
			goto fail;
		}
	}
	for (unsigned int i = 0; i < cfg->n_segments; i++) {
		const struct vtep_cfg_segment *s = &cfg->segments[i];

		ret = vtep_dp_segment_add(dp, s, e);
		if (ret < 0) {
			set_err(err, "%s:%u:%u: segments[%u]: %s", file, s->loc.line, s->loc.col, i,
				e);
			goto fail;
		}
	}
	for (unsigned int i = 0; i < cfg->n_fdb; i++) {
		const struct vtep_cfg_fdb *f = &cfg->fdb[i];

		ret = vtep_dp_fdb_add(dp, f, e);
		if (ret < 0) {
			set_err(err, "%s:%u:%u: fdb[%u]: %s", file, f->loc.line, f->loc.col, i, e);
			goto fail;
		}
	}
	return 0;
fail:
	dp_reset(dp);
	return ret;
}

/* ---------------------------------------------------------------- running */

void
vtep_dp_worker_start(struct vtep_dp *dp, unsigned int w)
{
	rte_rcu_qsbr_thread_register(dp->qsbr, w);
	rte_rcu_qsbr_thread_online(dp->qsbr, w);
	dp->workers[w]->online = true;
}

void
vtep_dp_worker_stop(struct vtep_dp *dp, unsigned int w)
{
	dp->workers[w]->online = false;
	rte_rcu_qsbr_thread_offline(dp->qsbr, w);
	rte_rcu_qsbr_thread_unregister(dp->qsbr, w);
}

void
vtep_dp_control(struct vtep_dp *dp, uint64_t now_ms)
{
	struct dp_learn_msg lm[64];
	struct rte_mbuf *pkts[32];

	for (unsigned int wi = 0; wi < dp->p.n_workers; wi++) {
		struct dp_worker *w = dp->workers[wi];
		unsigned int n;

		while ((n = rte_ring_dequeue_burst_elem(w->learn_ring, lm, sizeof(lm[0]),
							RTE_DIM(lm), NULL)) > 0) {
			for (unsigned int i = 0; i < n; i++) {
				uint16_t port = lm[i].port;
				uint8_t mac[6];
				int ret;

				if (port == DP_NO_PORT) {
					ret = learned_remote_get(dp, lm[i].type, &lm[i].remote);
					if (ret < 0)
						continue;
					port = (uint16_t)ret;
				}
				for (int b = 0; b < 6; b++)
					mac[b] = (uint8_t)(lm[i].key >> (40 - 8 * b));
				ret = vtep_fdb_learn(dp->fdb, (uint16_t)(lm[i].key >> 48), mac,
						     port, (uint32_t)(now_ms / 1000));
				if (ret == VTEP_FDB_MOVED)
					VTEP_LOG(FDB, DEBUG, "MAC moved to port %u", port);
			}
		}
		while ((n = rte_ring_dequeue_burst(w->ctl_ring, (void **)pkts, RTE_DIM(pkts),
						   NULL)) > 0)
			for (unsigned int i = 0; i < n; i++)
				dp_underlay_input(dp, pkts[i]);
	}
	if (now_ms - dp->last_age_ms >= 1000) {
		dp->last_age_ms = now_ms;
		vtep_fdb_age(dp->fdb, (uint32_t)(now_ms / 1000));
		learned_remote_age(dp, (uint32_t)(now_ms / 1000));
	}
	vtep_fdb_reclaim(dp->fdb);
	if (now_ms - dp->last_link_ms >= DP_LINK_POLL_MS) {
		dp->last_link_ms = now_ms;
		for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++) {
			const struct dp_mport *mp = &dp->ports[i];
			uint8_t down = mp->in_use && mp->eth != NULL && !vtep_port_link(mp->eth, NULL);

			__atomic_store_n(&dp->link_down[i], down, __ATOMIC_RELAXED);
		}
	}
	dp_underlay_timers(dp, now_ms);
	if (dp->tables_dirty)
		dp_commit(dp, NULL, 0);
}

/* ---------------------------------------------------------------- observation */

unsigned int
vtep_dp_port_slots(const struct vtep_dp *dp)
{
	(void)dp;
	return VTEP_MAX_PORTS;
}

int
vtep_dp_port_find(const struct vtep_dp *dp, const char *name)
{
	return dp_port_index(dp, name);
}

int
vtep_dp_port_info(const struct vtep_dp *dp, unsigned int idx, struct vtep_dp_port_info *pi)
{
	const struct dp_mport *mp;

	if (idx >= VTEP_MAX_PORTS || !dp->ports[idx].in_use)
		return -ENOENT;
	mp = &dp->ports[idx];
	memset(pi, 0, sizeof(*pi));
	pi->kind = mp->kind;
	pi->index = (uint16_t)idx;
	pi->ofport = mp->ofport;
	if (mp->kind == VTEP_DP_PORT_ETH) {
		snprintf(pi->name, sizeof(pi->name), "%s", mp->cfg.name);
		pi->ethdev = mp->eth->port_id;
		pi->mode = mp->cfg.mode;
		pi->role = mp->cfg.role;
		pi->vlan = mp->cfg.vlan;
		pi->link_up = vtep_port_link(mp->eth, &pi->speed_mbps);
		memcpy(pi->mac, mp->eth->mac, 6);
	} else {
		snprintf(pi->name, sizeof(pi->name), "%s", mp->tcfg.name);
		pi->tnl_type = mp->tcfg.type;
		pi->remote = mp->tcfg.remote_ip;
		pi->learned = mp->learned;
		pi->link_up = dp->tables->ports[idx].tmpl != NULL && dp->tables->n_segs > 0 &&
			      dp->tables->ports[idx].tmpl[0] != NULL;
	}
	slot_counters(dp, idx, &pi->c);
	counters_sub(&pi->c, &mp->base);
	return 0;
}

void
vtep_dp_drop_totals(const struct vtep_dp *dp, uint64_t drop[VTEP_DROP__MAX])
{
	struct vtep_dp_counters c;

	memset(drop, 0, sizeof(uint64_t) * VTEP_DROP__MAX);
	for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++) {
		slot_counters(dp, i, &c);
		for (unsigned int r = 0; r < VTEP_DROP__MAX; r++)
			drop[r] += c.drop[r];
	}
}

struct vtep_fdb *
vtep_dp_fdb(struct vtep_dp *dp)
{
	return dp->fdb;
}

int
vtep_dp_segment_info(const struct vtep_dp *dp, uint16_t vlan, struct vtep_dp_seg_info *si)
{
	int s = seg_find(dp, vlan);

	if (s < 0)
		return -ENOENT;
	memset(si, 0, sizeof(*si));
	si->vlan = vlan;
	si->vni = dp->segs[s].vni;
	for (unsigned int w = 0; w < dp->p.n_workers; w++) {
		const struct dp_seg_counters *c = &dp->workers[w]->seg_st[vlan];

		si->rx_packets += c->rx_packets;
		si->rx_bytes += c->rx_bytes;
		si->tx_packets += c->tx_packets;
		si->tx_bytes += c->tx_bytes;
		si->drops += c->drops;
	}
	return 0;
}

void
vtep_dp_worker_stats(const struct vtep_dp *dp, unsigned int w, struct vtep_dp_worker_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (w < dp->p.n_workers)
		*s = dp->workers[w]->load;
}

/* Log the non-zero driver-specific counters of a port (e.g. its XDP program's). */
static void
log_xstats(const char *name, const struct vtep_port *port)
{
	struct vtep_port_xstat xs[96];
	char line[1024] = "";
	size_t off = 0;
	int n = vtep_port_xstats(port, xs, RTE_DIM(xs));

	for (int k = 0; k < n && k < (int)RTE_DIM(xs) && off < sizeof(line) - 1; k++)
		if (xs[k].value)
			off += (size_t)snprintf(line + off, sizeof(line) - off, " %s=%" PRIu64,
						xs[k].name, xs[k].value);
	if (off > 0)
		VTEP_LOG(MAIN, NOTICE, "port %-12s xstats:%s", name, line);
}

void
vtep_dp_log_counters(const struct vtep_dp *dp)
{
	struct vtep_dp_port_info pi;

	for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++) {
		char drops[512] = "";
		size_t off = 0;

		if (vtep_dp_port_info(dp, i, &pi) < 0)
			continue;
		for (unsigned int r = 0; r < VTEP_DROP__MAX && off < sizeof(drops) - 1; r++)
			if (pi.c.drop[r])
				off += (size_t)snprintf(drops + off, sizeof(drops) - off, " %s=%" PRIu64,
							vtep_drop_name(r), pi.c.drop[r]);
		VTEP_LOG(MAIN, NOTICE, "port %-12s rx %" PRIu64 " pkts %" PRIu64 " bytes, tx %"
			 PRIu64 " pkts %" PRIu64 " bytes, drops %" PRIu64 "%s (link %s)", pi.name,
			 pi.c.rx_packets, pi.c.rx_bytes, pi.c.tx_packets, pi.c.tx_bytes, pi.c.drops,
			 drops, pi.link_up ? "up" : "down");
		if (pi.kind == VTEP_DP_PORT_ETH)
			log_xstats(pi.name, dp->ports[i].eth);
	}
	{
		struct vtep_stt_reasm_stats tot = { 0 }, rs;

		for (unsigned int w = 0; w < dp->p.n_workers; w++) {
			if (dp->workers[w]->reasm == NULL)
				continue;
			vtep_stt_reasm_stats(dp->workers[w]->reasm, &rs);
			tot.frames_done += rs.frames_done;
			tot.expired += rs.expired;
			tot.overlap += rs.overlap;
			tot.oversize += rs.oversize;
			tot.cap_reached += rs.cap_reached;
			tot.duplicates += rs.duplicates;
			tot.frames_held += rs.frames_held;
			tot.bytes_held += rs.bytes_held;
		}
		if (tot.frames_done || tot.expired || tot.overlap || tot.oversize ||
		    tot.cap_reached || tot.duplicates)
			VTEP_LOG(MAIN, NOTICE, "stt reassembly: frames %" PRIu64 ", expired %" PRIu64
				 ", overlap %" PRIu64 ", oversize %" PRIu64 ", cap_reached %" PRIu64
				 ", duplicates %" PRIu64 ", held %u frames / %u bytes",
				 tot.frames_done, tot.expired, tot.overlap, tot.oversize,
				 tot.cap_reached, tot.duplicates, tot.frames_held, tot.bytes_held);
	}
	{
		uint64_t too_big = 0;

		for (unsigned int w = 0; w < dp->p.n_workers; w++)
			too_big += dp->workers[w]->load.icmp_too_big;
		if (too_big)
			VTEP_LOG(MAIN, NOTICE, "path mtu: %" PRIu64 " ICMP too-big messages sent to VMs",
				 too_big);
	}
	for (unsigned int s = 0; s < dp->n_segs; s++) {
		struct vtep_dp_seg_info si;

		if (vtep_dp_segment_info(dp, dp->segs[s].vlan, &si) < 0)
			continue;
		VTEP_LOG(MAIN, NOTICE, "segment vlan %u vni %u: rx %" PRIu64 " pkts %" PRIu64
			 " bytes, tx %" PRIu64 " pkts %" PRIu64 " bytes, drops %" PRIu64, si.vlan,
			 si.vni, si.rx_packets, si.rx_bytes, si.tx_packets, si.tx_bytes, si.drops);
	}
}
