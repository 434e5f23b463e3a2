/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Measurement: latency histograms, counter snapshots, the periodic statistics block, and
 * the final table and JSON document.
 *
 * Definitions (also in README "Performance"):
 *  - Mpps and Gbit/s are over the measurement window of wall-clock time; bytes are frame
 *    bytes without FCS, preamble or inter-frame gap, as DPDK counts them.
 *  - cpu share = CPU time the polling threads got / (window x polling lcores). Below 1
 *    means the machine gave the threads less than their cores (shared machines).
 *  - Mpps/core = packets / CPU time of the polling threads: the rate one core sustains.
 *  - cycles/packet = polling threads' CPU time x TSC Hz / packets forwarded.
 *  - residence latency: TSC from the start of a poll iteration (rx burst) to its end (tx
 *    burst done), recorded once per packet of the iteration.
 *  - timestamp latency (generator rx): TSC now minus the TSC in the frame's trailer.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_version.h>

#include "bench.h"

/* ---------------------------------------------------------------- histograms */

static inline unsigned int
hist_index(uint64_t v)
{
	unsigned int e;

	if (v < BENCH_HIST_LINEAR)
		return (unsigned int)v;
	e = 63u - (unsigned int)__builtin_clzll(v);   /* >= 6 */
	return BENCH_HIST_LINEAR + (e - 6) * (1u << BENCH_HIST_SUB_BITS) +
	       (unsigned int)((v >> (e - BENCH_HIST_SUB_BITS)) & ((1u << BENCH_HIST_SUB_BITS) - 1));
}

/* Middle of bucket @p i. */
static uint64_t
hist_value(unsigned int i)
{
	unsigned int e, sub;
	uint64_t lo, width;

	if (i < BENCH_HIST_LINEAR)
		return i;
	e = (i - BENCH_HIST_LINEAR) / (1u << BENCH_HIST_SUB_BITS) + 6;
	sub = (i - BENCH_HIST_LINEAR) % (1u << BENCH_HIST_SUB_BITS);
	width = 1ull << (e - BENCH_HIST_SUB_BITS);
	lo = (1ull << e) + sub * width;
	return lo + width / 2;
}

void
bench_hist_add(struct bench_hist *h, uint64_t v, uint64_t count)
{
	h->b[hist_index(v)] += count;
	h->n += count;
	if (v > h->max)
		h->max = v;
}

void
bench_hist_merge(struct bench_hist *dst, const struct bench_hist *src)
{
	for (unsigned int i = 0; i < BENCH_HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->n += src->n;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t
bench_hist_quantile(const struct bench_hist *h, double q)
{
	uint64_t want, seen = 0;

	if (h->n == 0)
		return 0;
	want = (uint64_t)(q * (double)h->n);
	if (want >= h->n)
		want = h->n - 1;
	for (unsigned int i = 0; i < BENCH_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen > want)
			return RTE_MIN(hist_value(i), h->max);
	}
	return h->max;
}

/* ---------------------------------------------------------------- snapshots */

double
bench_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double
bench_lcore_cpu_s(const struct bench_lcore *lc)
{
	struct timespec ts;

	if (!lc->cpu_clock_ok || clock_gettime(lc->cpu_clock, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

size_t
bench_heap_in_use(void)
{
	struct rte_malloc_socket_stats st;
	size_t total = 0;

	for (unsigned int s = 0; s < rte_socket_count(); s++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(s), &st) == 0)
			total += st.heap_allocsz_bytes;
	return total;
}

void
bench_snapshot(struct bench_ctx *c, struct bench_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	for (unsigned int i = 0; i < c->n_lcores; i++) {
		const struct bench_lcore *lc = &c->lc[i];

		s->lc[i].packets = lc->packets;
		s->lc[i].busy = lc->busy_cycles;
		s->lc[i].idle = lc->idle_cycles;
		s->lc[i].gen_sent = lc->gen_sent;
		s->lc[i].cpu_s = bench_lcore_cpu_s(lc);
	}
	s->n_ports = c->wl->read_ports(c, s->ports);
	s->tsc = rte_rdtsc();
	s->wall_s = bench_now_s();
}

/* ---------------------------------------------------------------- figures */

struct port_rates {
	double rx_mpps, rx_gbps, tx_mpps, tx_gbps;
	uint64_t rx, tx, drops;
};

static void
port_rates(const struct bench_port_counters *a, const struct bench_port_counters *b, double dt,
	   struct port_rates *r)
{
	r->rx = b->rx_pkts - a->rx_pkts;
	r->tx = b->tx_pkts - a->tx_pkts;
	r->drops = b->drops - a->drops + (b->dev_missed - a->dev_missed) +
		   (b->dev_nombuf - a->dev_nombuf);
	r->rx_mpps = r->rx / dt / 1e6;
	r->tx_mpps = r->tx / dt / 1e6;
	r->rx_gbps = (b->rx_bytes - a->rx_bytes) * 8.0 / dt / 1e9;
	r->tx_gbps = (b->tx_bytes - a->tx_bytes) * 8.0 / dt / 1e9;
}

/* Drop reasons that moved between a and b, as "name=n name=n". */
static void
drop_text(const struct bench_port_counters *a, const struct bench_port_counters *b, char *buf,
	  size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int r = 0; r < VTEP_DROP__MAX && used < len; r++) {
		uint64_t d = b->drop[r] - a->drop[r];

		if (d && r != VTEP_DROP_STT_REASM_PENDING)
			used += (size_t)snprintf(buf + used, len - used, " %s=%" PRIu64,
						 vtep_drop_name(r), d);
	}
	if (b->dev_missed != a->dev_missed && used < len)
		used += (size_t)snprintf(buf + used, len - used, " rx_missed=%" PRIu64,
					 b->dev_missed - a->dev_missed);
	if (b->dev_nombuf != a->dev_nombuf && used < len)
		snprintf(buf + used, len - used, " rx_nombuf=%" PRIu64, b->dev_nombuf - a->dev_nombuf);
}

struct totals {
	double dt;
	uint64_t rx, tx, fwd;       /* Ethernet ports only; fwd = tx, or rx when nothing is sent */
	uint64_t rx_bytes, tx_bytes, drops;
	double cpu_s, cpu_share, mpps_per_core, cycles_per_packet;
};

static void
totals(const struct bench_ctx *c, const struct bench_snapshot *a, const struct bench_snapshot *b,
       struct totals *t)
{
	memset(t, 0, sizeof(*t));
	t->dt = b->wall_s - a->wall_s;
	for (unsigned int p = 0; p < b->n_ports; p++) {
		const struct bench_port_counters *x = &a->ports[p], *y = &b->ports[p];

		t->drops += y->drops - x->drops + (y->dev_missed - x->dev_missed) +
			    (y->dev_nombuf - x->dev_nombuf);
		if (y->is_tunnel)
			continue;
		t->rx += y->rx_pkts - x->rx_pkts;
		t->tx += y->tx_pkts - x->tx_pkts;
		t->rx_bytes += y->rx_bytes - x->rx_bytes;
		t->tx_bytes += y->tx_bytes - x->tx_bytes;
	}
	t->fwd = t->tx ? t->tx : t->rx;
	for (unsigned int i = 0; i < c->n_lcores; i++)
		t->cpu_s += b->lc[i].cpu_s - a->lc[i].cpu_s;
	if (t->dt > 0)
		t->cpu_share = t->cpu_s / (t->dt * c->n_lcores);
	if (t->cpu_s > 0) {
		t->mpps_per_core = t->fwd / t->cpu_s / 1e6;
		t->cycles_per_packet = t->fwd ? t->cpu_s * (double)c->tsc_hz / t->fwd : 0;
	}
}

void
bench_print_period(const struct bench_ctx *c, const struct bench_snapshot *a,
		   const struct bench_snapshot *b, double since_start_s)
{
	double dt = b->wall_s - a->wall_s;
	char drops[512];

	if (dt <= 0)
		return;
	printf("  ---- %.1f s ----------------------------------------------------------------\n",
	       since_start_s);
	for (unsigned int p = 0; p < b->n_ports; p++) {
		struct port_rates r;

		port_rates(&a->ports[p], &b->ports[p], dt, &r);
		drop_text(&a->ports[p], &b->ports[p], drops, sizeof(drops));
		printf("  %-6s %-7s rx %8.3f Mpps %7.2f Gbit/s | tx %8.3f Mpps %7.2f Gbit/s | "
		       "drops %" PRIu64 "%s\n", b->ports[p].is_tunnel ? "tunnel" : "port",
		       b->ports[p].name, r.rx_mpps, r.rx_gbps, r.tx_mpps, r.tx_gbps, r.drops, drops);
	}
	for (unsigned int i = 0; i < c->n_lcores; i++) {
		uint64_t pk = b->lc[i].packets - a->lc[i].packets;
		double cpu = b->lc[i].cpu_s - a->lc[i].cpu_s;

		printf("  lcore %-2u worker %-2u %8.3f Mpps %8.1f cycles/pkt  cpu %3.0f%%\n",
		       c->lc[i].lcore_id, c->lc[i].idx, pk / dt / 1e6,
		       pk ? cpu * (double)c->tsc_hz / pk : 0.0, 100.0 * cpu / dt);
	}
	fflush(stdout);
}

/* ---------------------------------------------------------------- the final report */

static json_t *
lat_json(const struct bench_hist *h, double ns_per_cycle)
{
	if (h->n == 0)
		return json_null();
	return json_pack("{s:f, s:f, s:f, s:f, s:I}",
			 "p50", bench_hist_quantile(h, 0.50) * ns_per_cycle,
			 "p99", bench_hist_quantile(h, 0.99) * ns_per_cycle,
			 "p999", bench_hist_quantile(h, 0.999) * ns_per_cycle,
			 "max", h->max * ns_per_cycle, "samples", (json_int_t)h->n);
}

static void
lat_line(const char *what, const struct bench_hist *h, double ns_per_cycle)
{
	if (h->n == 0)
		return;
	printf("  latency %-10s p50 %9.0f ns  p99 %9.0f ns  p99.9 %9.0f ns  max %9.0f ns  "
	       "(%" PRIu64 " samples)\n", what, bench_hist_quantile(h, 0.50) * ns_per_cycle,
	       bench_hist_quantile(h, 0.99) * ns_per_cycle,
	       bench_hist_quantile(h, 0.999) * ns_per_cycle, h->max * ns_per_cycle, h->n);
}

/* CPU model name from /proc/cpuinfo ("" if unknown). */
static void
cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	buf[0] = '\0';
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) != 0 || colon == NULL)
			continue;
		snprintf(buf, len, "%s", colon + 2);
		buf[strcspn(buf, "\n")] = '\0';
		break;
	}
	fclose(f);
}

static json_t *
machine_json(const struct bench_ctx *c)
{
	char model[256], load[128] = "";
	struct utsname u;
	FILE *f;

	cpu_model(model, sizeof(model));
	if (uname(&u) != 0)
		memset(&u, 0, sizeof(u));
	f = fopen("/proc/loadavg", "r");
	if (f != NULL) {
		if (fgets(load, sizeof(load), f) == NULL)
			load[0] = '\0';
		load[strcspn(load, "\n")] = '\0';
		fclose(f);
	}
	return json_pack("{s:s, s:i, s:I, s:s, s:s, s:s}", "cpu", model,
			 "cpus_online", (int)sysconf(_SC_NPROCESSORS_ONLN),
			 "tsc_hz", (json_int_t)c->tsc_hz, "kernel", u.release,
			 "hostname", u.nodename, "loadavg_at_end", load);
}

int
bench_report(struct bench_ctx *c, const struct bench_snapshot *a, const struct bench_snapshot *b)
{
	const struct bench_opts *o = &c->o;
	double ns = 1e9 / (double)c->tsc_hz;
	struct bench_hist *resid, *lat;
	json_t *root, *ports, *lcores, *tot;
	uint64_t lat_bad = 0;
	struct totals t;
	int ret = 0;

	totals(c, a, b, &t);
	resid = calloc(1, sizeof(*resid));
	lat = calloc(1, sizeof(*lat));
	if (resid == NULL || lat == NULL) {
		free(resid);
		free(lat);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < c->n_lcores; i++) {
		bench_hist_merge(resid, &c->lc[i].resid);
		bench_hist_merge(lat, &c->lc[i].lat);
		lat_bad += c->lc[i].lat_bad;
	}

	root = json_pack("{s:s, s:s, s:s, s:s, s:s}", "tool", "vtepsw-bench",
			 "version", VTEPSW_VERSION, "dpdk", rte_version(), "command", c->cmdline,
			 "workload", c->wl->name);
	json_object_set_new(root, "tunnel", json_string(vtep_tunnel_type_name(o->tunnel)));
	json_object_set_new(root, "pkt_size", json_integer(o->pkt_size));
	json_object_set_new(root, "flows", json_integer(o->flows));
	json_object_set_new(root, "macs", json_integer(o->macs));
	json_object_set_new(root, "burst", json_integer(o->burst));
	json_object_set_new(root, "rxq", json_integer(o->rxq));
	json_object_set_new(root, "mtu", json_integer(o->mtu));
	json_object_set_new(root, "polling_lcores", json_integer(c->n_lcores));
	json_object_set_new(root, "warmup_s", json_real(o->warmup_s));
	json_object_set_new(root, "duration_s", json_real(t.dt));

	printf("\n  ==================== vtepsw-bench %s: %.2f s measured ====================\n",
	       c->wl->name, t.dt);
	printf("  %-14s %10s %9s %10s %9s %12s\n", "port", "rx Mpps", "rx Gb/s", "tx Mpps",
	       "tx Gb/s", "drops");
	ports = json_array();
	for (unsigned int p = 0; p < b->n_ports; p++) {
		const struct bench_port_counters *x = &a->ports[p], *y = &b->ports[p];
		json_t *dj = json_object();
		struct port_rates r;
		char drops[512];

		port_rates(x, y, t.dt, &r);
		drop_text(x, y, drops, sizeof(drops));
		printf("  %-6s %-7s %10.3f %9.2f %10.3f %9.2f %12" PRIu64 "%s\n",
		       y->is_tunnel ? "tunnel" : "port", y->name, r.rx_mpps, r.rx_gbps, r.tx_mpps,
		       r.tx_gbps, r.drops, drops);
		for (unsigned int d = 0; d < VTEP_DROP__MAX; d++)
			if (y->drop[d] != x->drop[d] && d != VTEP_DROP_STT_REASM_PENDING)
				json_object_set_new(dj, vtep_drop_name(d),
						    json_integer((json_int_t)(y->drop[d] - x->drop[d])));
		if (y->dev_missed != x->dev_missed)
			json_object_set_new(dj, "rx_missed",
					    json_integer((json_int_t)(y->dev_missed - x->dev_missed)));
		if (y->dev_nombuf != x->dev_nombuf)
			json_object_set_new(dj, "rx_nombuf",
					    json_integer((json_int_t)(y->dev_nombuf - x->dev_nombuf)));
		json_array_append_new(ports, json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:f, s:f, "
						       "s:f, s:f, s:I, s:o}", "name", y->name,
						       "tunnel", y->is_tunnel,
						       "rx_packets", (json_int_t)r.rx,
						       "tx_packets", (json_int_t)r.tx,
						       "rx_bytes", (json_int_t)(y->rx_bytes - x->rx_bytes),
						       "tx_bytes", (json_int_t)(y->tx_bytes - x->tx_bytes),
						       "rx_mpps", r.rx_mpps, "rx_gbps", r.rx_gbps,
						       "tx_mpps", r.tx_mpps, "tx_gbps", r.tx_gbps,
						       "drops", (json_int_t)r.drops, "drop", dj));
	}
	json_object_set_new(root, "ports", ports);

	printf("  %-20s %10s %12s %12s %8s\n", "lcore", "Mpps", "cycles/pkt", "busy cyc/pkt",
	       "cpu");
	lcores = json_array();
	for (unsigned int i = 0; i < c->n_lcores; i++) {
		uint64_t pk = b->lc[i].packets - a->lc[i].packets;
		uint64_t busy = b->lc[i].busy - a->lc[i].busy;
		double cpu = b->lc[i].cpu_s - a->lc[i].cpu_s;
		double cpp = pk ? cpu * (double)c->tsc_hz / pk : 0;
		double bcpp = pk ? (double)busy / pk : 0;

		printf("  lcore %-2u worker %-6u %10.3f %12.1f %12.1f %7.0f%%\n", c->lc[i].lcore_id,
		       c->lc[i].idx, pk / t.dt / 1e6, cpp, bcpp, 100.0 * cpu / t.dt);
		json_array_append_new(lcores, json_pack("{s:i, s:i, s:I, s:f, s:f, s:f, s:f, s:f}",
							"lcore", c->lc[i].lcore_id,
							"worker", c->lc[i].idx,
							"packets", (json_int_t)pk,
							"mpps", pk / t.dt / 1e6,
							"cpu_s", cpu, "cpu_share", cpu / t.dt,
							"cycles_per_packet", cpp,
							"busy_cycles_per_packet", bcpp));
	}
	json_object_set_new(root, "lcores", lcores);

	printf("  total: %.3f Mpps forwarded (%.2f Gbit/s out), %.3f Mpps per core, "
	       "%.1f cycles/packet, cpu share %.0f%%, drops %" PRIu64 "\n",
	       t.fwd / t.dt / 1e6, t.tx_bytes * 8.0 / t.dt / 1e9, t.mpps_per_core,
	       t.cycles_per_packet, 100.0 * t.cpu_share, t.drops);
	tot = json_pack("{s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I}",
			"rx_packets", (json_int_t)t.rx, "tx_packets", (json_int_t)t.tx,
			"rx_mpps", t.rx / t.dt / 1e6, "tx_mpps", t.tx / t.dt / 1e6,
			"mpps", t.fwd / t.dt / 1e6,
			"rx_gbps", t.rx_bytes * 8.0 / t.dt / 1e9,
			"tx_gbps", t.tx_bytes * 8.0 / t.dt / 1e9,
			"cpu_s", t.cpu_s, "cpu_share", t.cpu_share,
			"mpps_per_core", t.mpps_per_core,
			"cycles_per_packet", t.cycles_per_packet, "drops", (json_int_t)t.drops);
	json_object_set_new(root, "total", tot);

	lat_line("residence", resid, ns);
	lat_line("timestamp", lat, ns);
	if (lat_bad)
		printf("  %" PRIu64 " received frame(s) had no timestamp trailer\n", lat_bad);
	json_object_set_new(root, "latency_ns", json_pack("{s:o, s:o, s:I}",
							  "residence", lat_json(resid, ns),
							  "timestamp", lat_json(lat, ns),
							  "no_trailer", (json_int_t)lat_bad));
	json_object_set_new(root, "memory", json_pack("{s:I, s:I, s:I}",
						      "heap_in_use_bytes",
						      (json_int_t)bench_heap_in_use(),
						      "heap_before_setup_bytes",
						      (json_int_t)c->heap_before,
						      "heap_after_setup_bytes",
						      (json_int_t)c->heap_after_setup));
	json_object_set_new(root, "machine", machine_json(c));
	if (c->wl->report != NULL)
		c->wl->report(c, root);
	fflush(stdout);

	if (o->json != NULL && json_dump_file(root, o->json, JSON_INDENT(2)) != 0) {
		fprintf(stderr, "vtepsw-bench: cannot write %s: %s\n", o->json, strerror(errno));
		ret = -EIO;
	}
	json_decref(root);
	free(resid);
	free(lat);
	return ret;
}
