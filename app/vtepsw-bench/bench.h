/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtepsw-bench: a testpmd-style harness around vtepsw's real fast path.
 *
 * Design. A run is one *workload* on the ports EAL probed (PCI NICs or vdevs), in the
 * order EAL lists them. A workload is one entry of the static table in main.c with the
 * ops below: forwarding workloads (encap, decap, bridge) build a vtepsw datapath from a
 * generated config and call vtep_dp_poll() on every forwarding lcore; generator
 * workloads (txonly, rxonly) send and receive test traffic with timestamps in it. New
 * workloads (an OpenFlow pipeline with N rules) are new entries of that table.
 *
 * Lcores. With one lcore (-l 0) the main lcore polls and runs the control work in turns;
 * with more, the main lcore runs control and statistics and every other lcore polls, one
 * "worker" each (the worker index is what the datapath calls w).
 *
 * Measurement. The main lcore snapshots cumulative counters (per port, per lcore, thread
 * CPU time, TSC) when the warm-up ends and when the run ends; rates, cycles per packet
 * and latency percentiles are computed over that window only. Lcores record latency
 * samples only while the window is open.
 *
 * Addresses. Generated traffic, the generated datapath config and tools/bench_workloads.py
 * share the constants below, so a generator and a forwarding run (or a pcap made by the
 * script) fit together without options.
 */
#ifndef VTEP_BENCH_H
#define VTEP_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vtep_common.h"
#include "vtep_config.h"
#include "vtep_drop.h"

#define BENCH_MAX_PORTS 8
#define BENCH_MAX_LCORES VTEP_MAX_WORKERS
#define BENCH_BURST_MAX 256

/* Addresses shared with tools/bench_workloads.py (keep both in step). */
#define BENCH_LOCAL_VTEP_IP "10.0.0.1"
#define BENCH_REMOTE_VTEP_IP "10.0.0.2"
#define BENCH_UPLINK_MAC "02:00:00:00:01:01"
#define BENCH_REMOTE_VTEP_MAC "02:00:00:00:02:02"
/* Inner frames: local VMs (access side, 02:00:01:..) and remote VMs (behind the tunnel,
 * 02:00:02:..). The last three bytes of a source MAC are the MAC index (--macs); the
 * destination is always MAC 0 of the other side. */
#define BENCH_LOCAL_VM_OUI 0x01
#define BENCH_REMOTE_VM_OUI 0x02
#define BENCH_MAX_MACS (1u << 24)
/* Inner IPv4/UDP flow i: source 172.16.0.0 + (i mod 65536), source port 1024 + i / 65536,
 * destination 172.31.0.1 port 5001. */
#define BENCH_FLOW_SRC_IP 0xac100000u
#define BENCH_FLOW_DST_IP 0xac1f0001u
#define BENCH_FLOW_SPORT 1024
#define BENCH_FLOW_DPORT 5001
#define BENCH_MAX_FLOWS (65536u * 64512u)
/* Timestamp trailer: the last 16 bytes of every generated inner frame. */
#define BENCH_STAMP_MAGIC 0x56544253u  /* "VTBS" */
#define BENCH_STAMP_LEN 16

enum bench_phase {
	BENCH_WARMUP = 0,   /* forwarding, not recording */
	BENCH_MEASURE,      /* window open: lcores record latency samples */
	BENCH_DRAIN,        /* window closed, still forwarding */
	BENCH_STOP,         /* lcores leave their loop */
};

struct bench_opts {
	const char *workload;
	enum vtep_tunnel_type tunnel;
	const char *tmpl;           /* generator template: vlan, untagged, vxlan, nvgre, stt */
	uint32_t pkt_size;          /* access-side frame size in bytes, without FCS */
	uint32_t flows;
	uint32_t macs;
	uint16_t burst;
	double duration_s;          /* 0: until SIGINT */
	double warmup_s;
	double stats_period_s;      /* 0: no periodic statistics */
	uint16_t rxq, txq;
	uint16_t mtu;               /* underlay IP MTU of the datapath */
	uint16_t vlan;
	uint32_t vni;
	uint32_t mbufs;
	uint32_t mbuf_size;
	uint32_t fdb_capacity;
	uint16_t tx_port;           /* txonly: the port that sends */
	uint64_t count;             /* txonly: packets to send per lcore (0: no limit) */
	const char *json;
	bool show_config;
	bool quiet;
};

/** Cumulative counters of one port (or tunnel) as a workload sees it. */
struct bench_port_counters {
	char name[VTEP_NAME_MAX];
	bool is_tunnel;
	uint64_t rx_pkts, rx_bytes;
	uint64_t tx_pkts, tx_bytes;
	uint64_t drops;
	uint64_t drop[VTEP_DROP__MAX];
	uint64_t dev_missed;        /* device: rx ring full (imissed) */
	uint64_t dev_nombuf;        /* device: no mbuf for rx */
};

/*
 * Latency histogram in TSC cycles: exact below 64, then 32 linear buckets per power of
 * two (about 3% resolution). Owned by one lcore while it runs; merged afterwards.
 */
#define BENCH_HIST_LINEAR 64
#define BENCH_HIST_SUB_BITS 5
#define BENCH_HIST_BUCKETS (BENCH_HIST_LINEAR + (64 - 6) * (1 << BENCH_HIST_SUB_BITS))

struct bench_hist {
	uint64_t n;
	uint64_t max;
	uint64_t b[BENCH_HIST_BUCKETS];
};

void bench_hist_add(struct bench_hist *h, uint64_t v, uint64_t count);
void bench_hist_merge(struct bench_hist *dst, const struct bench_hist *src);
/** Value (cycles) at quantile @p q in 0..1; 0 when empty. */
uint64_t bench_hist_quantile(const struct bench_hist *h, double q);

/** One polling lcore. Written by its own thread, read by the main lcore. */
struct bench_lcore {
	unsigned int lcore_id;
	unsigned int idx;           /* worker index 0..n-1 */
	clockid_t cpu_clock;        /* its thread's CPU-time clock */
	bool cpu_clock_ok;
	volatile bool started;
	uint64_t iterations;
	uint64_t packets;           /* handled by its polls (rx for forwarding) */
	uint64_t busy_cycles;       /* TSC in iterations that handled packets */
	uint64_t idle_cycles;
	uint64_t gen_seq;           /* generator: next sequence number */
	uint64_t gen_sent;
	struct bench_hist resid;    /* burst residence: poll start to tx done, per packet */
	struct bench_hist lat;      /* generator rx: now - timestamp in the packet */
	uint64_t lat_bad;           /* packets without a valid trailer (rx side) */
	void *priv;                 /* workload's per-lcore state */
} __rte_cache_aligned;

struct bench_ctx;

/** A workload: see the design note at the top. */
struct bench_workload {
	const char *name;
	const char *summary;
	/** Set up ports and state (after EAL). @return 0 or -errno with @p err set. */
	int (*setup)(struct bench_ctx *c, char *err, size_t errlen);
	/** On lcore @p lc before its first poll. */
	void (*lcore_start)(struct bench_ctx *c, struct bench_lcore *lc);
	/** One poll iteration. @return packets handled. */
	unsigned int (*poll)(struct bench_ctx *c, struct bench_lcore *lc);
	/** On lcore @p lc after its last poll. */
	void (*lcore_stop)(struct bench_ctx *c, struct bench_lcore *lc);
	/** Main lcore housekeeping every millisecond or so (may be NULL). */
	void (*control)(struct bench_ctx *c, uint64_t now_ms);
	/** Cumulative counters: fill @p pc[0..n) and return n (at most BENCH_MAX_PORTS * 2). */
	unsigned int (*read_ports)(struct bench_ctx *c, struct bench_port_counters *pc);
	/** Extra result fields (may be NULL). */
	void (*report)(struct bench_ctx *c, json_t *root);
	/** Free everything (NULL-safe on a failed setup). */
	void (*teardown)(struct bench_ctx *c);
};

struct bench_snapshot {
	uint64_t tsc;
	double wall_s;
	unsigned int n_ports;
	struct bench_port_counters ports[BENCH_MAX_PORTS * 2];
	struct {
		uint64_t packets, busy, idle, gen_sent;
		double cpu_s;
	} lc[BENCH_MAX_LCORES];
};

struct bench_ctx {
	struct bench_opts o;
	const struct bench_workload *wl;
	struct rte_mempool *pool;
	unsigned int n_lcores;      /* polling lcores */
	bool single;                /* the main lcore polls too */
	struct bench_lcore *lc;     /* n_lcores entries */
	volatile enum bench_phase phase;
	uint64_t tsc_hz;
	uint16_t n_eth;             /* ethdev ports EAL probed */
	uint16_t eth[BENCH_MAX_PORTS];
	char cmdline[2048];
	size_t heap_before;         /* heap bytes in use before the workload's setup */
	size_t heap_after_setup;
	void *priv;                 /* workload's state */
};

/* bench_stats.c */
double bench_now_s(void);
double bench_lcore_cpu_s(const struct bench_lcore *lc);
void bench_snapshot(struct bench_ctx *c, struct bench_snapshot *s);
/** Print one periodic statistics block for the interval between @p a and @p b. */
void bench_print_period(const struct bench_ctx *c, const struct bench_snapshot *a,
			const struct bench_snapshot *b, double since_start_s);
/** Final table on stdout and, if asked, JSON to c->o.json. @return 0 or -errno. */
int bench_report(struct bench_ctx *c, const struct bench_snapshot *a,
		 const struct bench_snapshot *b);
/** Heap bytes allocated by DPDK on all sockets. */
size_t bench_heap_in_use(void);

/* Workloads (bench_fwd.c, bench_gen.c). */
extern const struct bench_workload bench_wl_encap;
extern const struct bench_workload bench_wl_decap;
extern const struct bench_workload bench_wl_bridge;
extern const struct bench_workload bench_wl_txonly;
extern const struct bench_workload bench_wl_rxonly;

/* bench_pkt.c: generated frames. */

/** What one generated frame looks like (every field but the flow ones is fixed). */
struct bench_frame_tmpl {
	uint8_t hdr[64];            /* Ethernet [+ 802.1Q] + IPv4 + UDP of flow 0 */
	uint16_t hdr_len;
	uint16_t l3_off;
	uint32_t frame_len;         /* whole inner frame, trailer included */
	uint32_t ip_sum_base;       /* IPv4 header sum without the source address */
	uint8_t src_mac[6];
};

/**
 * Build the template of an inner frame of @p frame_len bytes (at least 60), tagged with
 * @p vlan when non-zero, from the local VMs (@p from_local) or the remote VMs.
 * @return 0 or -EINVAL when the size cannot hold the headers and the trailer.
 */
int bench_frame_init(struct bench_frame_tmpl *t, uint32_t frame_len, uint16_t vlan,
		     bool from_local);

/**
 * Write frame number @p seq (flow seq % flows, MAC seq % macs) into @p m (empty, enough
 * room), with a trailer carrying @p seq and @p tsc. @return 0 or -ENOSPC.
 */
int bench_frame_fill(const struct bench_frame_tmpl *t, struct rte_mbuf *m, uint64_t seq,
		     uint32_t flows, uint32_t macs, uint64_t tsc);

/** Flow hash of frame @p seq (for tunnel entropy). */
uint32_t bench_flow_hash(uint64_t seq, uint32_t flows);

/**
 * Read the trailer of a received frame. @return true with *tsc and *seq set when the
 * last 16 bytes are a valid trailer.
 */
bool bench_frame_stamp(const struct rte_mbuf *m, uint64_t *tsc, uint32_t *seq);

#endif
