/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Generator workloads, as testpmd's txonly/rxonly:
 *
 *   txonly  every lcore sends generated frames on --tx-port (queue = its index), spread
 *           over --flows inner flows and --macs source MACs, each with a timestamp
 *           trailer; it also receives on every other port and measures the latency of
 *           what comes back, so one process can drive a switch over two ports.
 *   rxonly  receive on every port, count, and measure latency from the trailers.
 *
 * Templates (--template): vlan (802.1Q frames from the local VMs: what a vtepsw encaps),
 * untagged, or vxlan/nvgre/stt (frames from the remote VMs inside tunnel packets from the
 * remote VTEP to the local one: what a vtepsw decaps). Tunnel packets are built by
 * vtepsw's own tunnel library (template + encap, STT segmentation included).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "bench.h"
#include "vtep_port.h"
#include "vtep_tunnel.h"

#define GEN_TX_MAX 512          /* packets (segments) staged per tx poll */
#define GEN_MAX_RXQ (BENCH_MAX_PORTS * VTEP_PORT_MAX_QUEUES)

struct gen_lcore {
	struct vtep_tnl_encap_ctx ectx;
	uint16_t n_rxq;
	struct { uint16_t port, queue; } rxq[GEN_MAX_RXQ];
	uint64_t rx_pkts[BENCH_MAX_PORTS], rx_bytes[BENCH_MAX_PORTS];
	uint64_t tx_pkts[BENCH_MAX_PORTS], tx_bytes[BENCH_MAX_PORTS];
	uint64_t tx_full[BENCH_MAX_PORTS];
	uint64_t no_mbuf, encap_fail;
	struct rte_mbuf *tx[GEN_TX_MAX];
} __rte_cache_aligned;

struct gen_state {
	bool tx;
	uint16_t tx_port;           /* index into ports[] */
	unsigned int n_ports;
	struct vtep_port *ports[BENCH_MAX_PORTS];
	struct bench_frame_tmpl frame;
	bool tunnel;
	struct vtep_tnl_template tnl;
	struct gen_lcore *glc;      /* n_lcores entries */
};

static int
gen_setup(struct bench_ctx *c, bool tx, char *err, size_t errlen)
{
	const struct bench_opts *o = &c->o;
	struct gen_state *s;
	const char *tm = o->tmpl ? o->tmpl : "vlan";
	uint32_t inner_len = o->pkt_size;
	unsigned int q = 0;
	int ret;

	if (c->n_eth == 0) {
		snprintf(err, errlen, "workload %s needs at least one port (--vdev or -a)",
			 c->wl->name);
		return -EINVAL;
	}
	if (tx && o->tx_port >= c->n_eth) {
		snprintf(err, errlen, "--tx-port %u: EAL probed %u port(s)", o->tx_port, c->n_eth);
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	c->priv = s;
	s->tx = tx;
	s->tx_port = o->tx_port;
	s->glc = rte_zmalloc_socket("bench_gen", sizeof(*s->glc) * c->n_lcores,
				    RTE_CACHE_LINE_SIZE, (int)rte_socket_id());
	if (s->glc == NULL) {
		snprintf(err, errlen, "out of memory for %u lcores", c->n_lcores);
		return -ENOMEM;
	}

	if (strcmp(tm, "vlan") == 0 || strcmp(tm, "untagged") == 0) {
		ret = bench_frame_init(&s->frame, o->pkt_size, tm[0] == 'v' ? o->vlan : 0, true);
	} else {
		struct vtep_tnl_params tp = { 0 };

		if (strcmp(tm, "vxlan") == 0)
			tp.type = VTEP_TUNNEL_VXLAN;
		else if (strcmp(tm, "nvgre") == 0)
			tp.type = VTEP_TUNNEL_NVGRE;
		else if (strcmp(tm, "stt") == 0)
			tp.type = VTEP_TUNNEL_STT;
		else {
			snprintf(err, errlen, "--template '%s': use vlan, untagged, vxlan, nvgre or "
				 "stt", tm);
			return -EINVAL;
		}
		/* The access-side frame loses its tag inside the tunnel. */
		inner_len = o->pkt_size - 4;
		ret = bench_frame_init(&s->frame, inner_len, 0, false);
		if (ret == 0) {
			tp.local.family = tp.remote.family = AF_INET;
			inet_pton(AF_INET, BENCH_REMOTE_VTEP_IP, &tp.local.v4);
			inet_pton(AF_INET, BENCH_LOCAL_VTEP_IP, &tp.remote.v4);
			vtep_mac_parse(BENCH_REMOTE_VTEP_MAC, tp.src_mac);
			vtep_mac_parse(BENCH_UPLINK_MAC, tp.dst_mac);
			tp.vni = o->vni;
			tp.mtu = o->mtu;
			ret = vtep_tnl_template_build(&tp, &s->tnl);
			if (ret < 0) {
				snprintf(err, errlen, "cannot build the %s template: %s", tm,
					 strerror(-ret));
				return ret;
			}
			s->tunnel = true;
		}
	}
	if (ret < 0) {
		snprintf(err, errlen, "--pkt-size %u is too small for the %s template (headers "
			 "and the %u-byte timestamp trailer)", o->pkt_size, tm, BENCH_STAMP_LEN);
		return ret;
	}
	if (inner_len + RTE_PKTMBUF_HEADROOM > o->mbuf_size) {
		snprintf(err, errlen, "--mbuf-size %u cannot hold a %u-byte frame after the "
			 "%u-byte headroom", o->mbuf_size, inner_len, RTE_PKTMBUF_HEADROOM);
		return -EINVAL;
	}

	for (uint16_t i = 0; i < c->n_eth; i++) {
		struct vtep_port_params pp = { 0 };
		char name[VTEP_NAME_MAX], dev[RTE_ETH_NAME_MAX_LEN];

		snprintf(name, sizeof(name), "p%u", i);
		rte_eth_dev_get_name_by_port(c->eth[i], dev);
		pp.name = name;
		pp.devargs = dev;
		pp.n_rxq = o->rxq;
		pp.n_senders = (uint16_t)RTE_MAX((unsigned int)o->txq, c->n_lcores);
		pp.pool = c->pool;
		ret = vtep_port_open(&pp, &s->ports[i], err, errlen);
		if (ret < 0)
			return ret;
		s->n_ports++;
	}
	/* Spread every rx queue of every port over the lcores. */
	for (uint16_t p = 0; p < s->n_ports; p++)
		for (uint16_t r = 0; r < o->rxq; r++, q++) {
			struct gen_lcore *g = &s->glc[q % c->n_lcores];

			g->rxq[g->n_rxq].port = p;
			g->rxq[g->n_rxq].queue = r;
			g->n_rxq++;
		}
	for (unsigned int i = 0; i < c->n_lcores; i++) {
		s->glc[i].ectx.pool = c->pool;
		s->glc[i].ectx.stt_frame_id = i << 24;
	}
	return 0;
}

static int
txonly_setup(struct bench_ctx *c, char *err, size_t errlen)
{
	return gen_setup(c, true, err, errlen);
}

static int
rxonly_setup(struct bench_ctx *c, char *err, size_t errlen)
{
	return gen_setup(c, false, err, errlen);
}

static void
gen_lcore_start(struct bench_ctx *c, struct bench_lcore *lc)
{
	struct gen_state *s = c->priv;

	lc->priv = &s->glc[lc->idx];
}

/* Send the @p nt staged packets; what the device refuses is freed and counted. */
static unsigned int
gen_flush(struct gen_state *s, struct bench_lcore *lc, struct gen_lcore *g, unsigned int nt)
{
	uint16_t p = s->tx_port;
	unsigned int sent = 0;
	uint64_t bytes = 0;

	for (unsigned int i = 0; i < nt; i++)
		bytes += g->tx[i]->pkt_len;
	while (sent < nt) {
		uint16_t k = vtep_port_tx(s->ports[p], lc->idx, &g->tx[sent],
					  (uint16_t)RTE_MIN(nt - sent, (unsigned int)VTEP_BURST));

		if (k == 0)
			break;
		sent += k;
	}
	for (unsigned int i = sent; i < nt; i++) {
		bytes -= g->tx[i]->pkt_len;
		rte_pktmbuf_free(g->tx[i]);
	}
	g->tx_full[p] += nt - sent;
	g->tx_pkts[p] += sent;
	g->tx_bytes[p] += bytes;
	return sent;
}

/* Build and send one burst of generated frames. @return packets sent. */
static unsigned int
gen_tx(struct bench_ctx *c, struct gen_state *s, struct bench_lcore *lc, struct gen_lcore *g)
{
	const struct bench_opts *o = &c->o;
	struct rte_mbuf *m[BENCH_BURST_MAX];
	unsigned int want = o->burst, nt = 0, sent = 0;

	if (o->count && lc->gen_sent + want > o->count)
		want = (unsigned int)(o->count - lc->gen_sent);
	if (want == 0)
		return 0;
	if (rte_pktmbuf_alloc_bulk(c->pool, m, want) != 0) {
		g->no_mbuf += want;
		return 0;
	}
	for (unsigned int i = 0; i < want; i++) {
		uint64_t seq = lc->gen_seq++ * c->n_lcores + lc->idx;
		unsigned int reason;
		int n;

		bench_frame_fill(&s->frame, m[i], seq, o->flows, o->macs, rte_rdtsc());
		if (!s->tunnel) {
			g->tx[nt++] = m[i];
			continue;
		}
		/* An STT frame of 64 KiB is up to 45 segments: keep room for one. */
		if (GEN_TX_MAX - nt < 64) {
			sent += gen_flush(s, lc, g, nt);
			nt = 0;
		}
		n = vtep_tnl_encap(&s->tnl, m[i], bench_flow_hash(seq, o->flows), &g->ectx,
				   &g->tx[nt], GEN_TX_MAX - nt, &reason);
		if (n < 0) {
			g->encap_fail++;
			rte_pktmbuf_free(m[i]);
			continue;
		}
		nt += (unsigned int)n;
	}
	lc->gen_sent += want;
	return sent + gen_flush(s, lc, g, nt);
}

/* Receive on the lcore's queues, count, and take latency samples from trailers. */
static unsigned int
gen_rx(struct bench_ctx *c, struct bench_lcore *lc, struct gen_lcore *g, struct gen_state *s)
{
	struct rte_mbuf *m[BENCH_BURST_MAX];
	bool rec = c->phase == BENCH_MEASURE;
	unsigned int total = 0;
	uint16_t burst = c->o.burst;

	for (uint16_t r = 0; r < g->n_rxq; r++) {
		uint16_t p = g->rxq[r].port;
		uint16_t n = vtep_port_rx(s->ports[p], g->rxq[r].queue, m, burst);
		uint64_t now = rte_rdtsc();

		if (n == 0)
			continue;
		total += n;
		g->rx_pkts[p] += n;
		for (uint16_t i = 0; i < n; i++) {
			uint64_t tsc;
			uint32_t seq;

			g->rx_bytes[p] += m[i]->pkt_len;
			if (!rec)
				continue;
			if (bench_frame_stamp(m[i], &tsc, &seq) && tsc <= now)
				bench_hist_add(&lc->lat, now - tsc, 1);
			else
				lc->lat_bad++;
		}
		rte_pktmbuf_free_bulk(m, n);
	}
	return total;
}

static unsigned int
gen_poll(struct bench_ctx *c, struct bench_lcore *lc)
{
	struct gen_state *s = c->priv;
	struct gen_lcore *g = lc->priv;
	unsigned int n = gen_rx(c, lc, g, s);

	if (s->tx)
		n += gen_tx(c, s, lc, g);
	return n;
}

static unsigned int
gen_read_ports(struct bench_ctx *c, struct bench_port_counters *pc)
{
	struct gen_state *s = c->priv;

	for (unsigned int p = 0; p < s->n_ports; p++) {
		struct rte_eth_stats es;

		memset(&pc[p], 0, sizeof(pc[p]));
		snprintf(pc[p].name, sizeof(pc[p].name), "%s", s->ports[p]->name);
		for (unsigned int i = 0; i < c->n_lcores; i++) {
			const struct gen_lcore *g = &s->glc[i];

			pc[p].rx_pkts += g->rx_pkts[p];
			pc[p].rx_bytes += g->rx_bytes[p];
			pc[p].tx_pkts += g->tx_pkts[p];
			pc[p].tx_bytes += g->tx_bytes[p];
			pc[p].drop[VTEP_DROP_TX_FULL] += g->tx_full[p];
			if (p == s->tx_port && s->tx) {
				pc[p].drop[VTEP_DROP_NO_MBUF] += g->no_mbuf;
				pc[p].drop[VTEP_DROP_MTU_EXCEEDED] += g->encap_fail;
			}
		}
		for (unsigned int r = 0; r < VTEP_DROP__MAX; r++)
			pc[p].drops += pc[p].drop[r];
		if (rte_eth_stats_get(s->ports[p]->port_id, &es) == 0) {
			pc[p].dev_missed = es.imissed;
			pc[p].dev_nombuf = es.rx_nombuf;
		}
	}
	return s->n_ports;
}

static void
gen_report(struct bench_ctx *c, json_t *root)
{
	struct gen_state *s = c->priv;

	json_object_set_new(root, "template", json_string(c->o.tmpl ? c->o.tmpl : "vlan"));
	json_object_set_new(root, "frame_bytes", json_integer(s->frame.frame_len));
}

static void
gen_teardown(struct bench_ctx *c)
{
	struct gen_state *s = c->priv;

	if (s == NULL)
		return;
	for (unsigned int i = 0; i < s->n_ports; i++)
		vtep_port_close(s->ports[i]);
	rte_free(s->glc);
	free(s);
	c->priv = NULL;
}

const struct bench_workload bench_wl_txonly = {
	.name = "txonly",
	.summary = "send generated frames on --tx-port; receive and time what comes back",
	.setup = txonly_setup,
	.lcore_start = gen_lcore_start,
	.poll = gen_poll,
	.read_ports = gen_read_ports,
	.report = gen_report,
	.teardown = gen_teardown,
};

const struct bench_workload bench_wl_rxonly = {
	.name = "rxonly",
	.summary = "receive on every port; count and time frames carrying a trailer",
	.setup = rxonly_setup,
	.lcore_start = gen_lcore_start,
	.poll = gen_poll,
	.read_ports = gen_read_ports,
	.report = gen_report,
	.teardown = gen_teardown,
};
