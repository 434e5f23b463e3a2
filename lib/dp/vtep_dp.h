/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The datapath: ports, tunnels, segments and the FDB, and the poll-mode forwarding that
 * runs over them.
 *
 * Model and tables. The control thread owns a mutable model (what the config, vtepctl or
 * a controller asked for). Every change goes through one core function below
 * (vtep_dp_port_add(), vtep_dp_segment_add(), ...), which validates it, then compiles the
 * model into an immutable table set (per-port VLAN membership, per-VLAN flood lists,
 * VLAN<->VNI maps, prebuilt tunnel header templates, rx queue assignment) and publishes
 * it by pointer. The old set is freed after an RCU (QSBR) grace period. Workers never
 * block, lock or allocate; a change never pauses forwarding of unaffected traffic.
 *
 * Packet path (NORMAL): rx burst -> parse L2 and normalise the VLAN (tag removed, VLAN
 * beside the packet) -> bulk FDB lookup of destinations and sources -> learning requests
 * to the control thread (ring) -> unicast output or flood within the VLAN (local ports
 * plus head-end replication to the segment's remote VTEPs) -> egress VLAN push or tunnel
 * encap -> tx burst per destination. Uplink frames are classified: tunnel packets are
 * decapsulated (STT after reassembly) and enter the same L2 stage in their segment's
 * VLAN; ARP/ND/ICMP for the VTEP address go to the control thread's underlay handler.
 *
 * Counters are per worker and per port, summed on read; every drop has a reason.
 * Invariant for each port: rx_packets == (delivered or flooded packets) + drops charged
 * to that port at ingress; tx_packets counts what the device accepted.
 *
 * Threading: everything here is control-thread only, except vtep_dp_poll() and
 * vtep_dp_worker_*() which the worker with that index calls on its own lcore.
 */
#ifndef VTEP_DP_H
#define VTEP_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "vtep_common.h"
#include "vtep_config.h"
#include "vtep_drop.h"
#include "vtep_fdb.h"

struct vtep_dp;

/** Error text from a core function: one line naming the object and the problem. */
#define VTEP_DP_ERR_MAX 512

/** STT segmentation by the uplink device (TSO). */
enum vtep_dp_uplink_tso {
	VTEP_DP_UPLINK_TSO_AUTO = 0, /* where the device does it itself, not where its PMD
				      * does it in software (net_tap) */
	VTEP_DP_UPLINK_TSO_ON,       /* wherever the device takes TSO */
	VTEP_DP_UPLINK_TSO_OFF,      /* never: vtepsw segments */
};

struct vtep_dp_params {
	unsigned int n_workers;     /* forwarding threads, 1..VTEP_MAX_WORKERS */
	bool main_forwards;         /* worker 0 is also the control thread (single lcore) */
	struct rte_mempool *pool;   /* packet buffers for every port and copy */
	uint32_t fdb_capacity;      /* 0: 131072 */
	uint32_t stt_reasm_kb;      /* STT reassembly memory, all workers together (0: 4096) */
	uint32_t stt_reasm_timeout_ms; /* per-frame reassembly timeout (0: 1000) */
	enum vtep_dp_uplink_tso uplink_tso; /* who segments STT for a TSO-capable uplink */
	int socket_id;              /* the datapath's shared tables (FDB, config tables) */
	/* NUMA socket of each worker's lcore: its own state (counters, rings, STT reassembly
	 * and segment buffers) goes there. worker_socket_set false: socket_id for all. */
	bool worker_socket_set;
	int worker_socket[VTEP_MAX_WORKERS];
};

/** Create an empty datapath. @return 0 or -errno. */
int vtep_dp_create(const struct vtep_dp_params *p, struct vtep_dp **out);

/** Close every port and free everything. Workers must have stopped. NULL is a no-op. */
void vtep_dp_free(struct vtep_dp *dp);

/*
 * Core configuration functions. Each validates, applies and publishes; on error it
 * returns -errno with @p err set to one line and changes nothing.
 */
int vtep_dp_set_bridge(struct vtep_dp *dp, const struct vtep_cfg_bridge *b,
		       char err[VTEP_DP_ERR_MAX]);
int vtep_dp_set_vtep(struct vtep_dp *dp, const struct vtep_cfg_vtep *v, char err[VTEP_DP_ERR_MAX]);
int vtep_dp_port_add(struct vtep_dp *dp, const struct vtep_cfg_port *p, char err[VTEP_DP_ERR_MAX]);
int vtep_dp_port_del(struct vtep_dp *dp, const char *name, char err[VTEP_DP_ERR_MAX]);
int vtep_dp_tunnel_add(struct vtep_dp *dp, const struct vtep_cfg_tunnel *t,
		       char err[VTEP_DP_ERR_MAX]);
int vtep_dp_tunnel_del(struct vtep_dp *dp, const char *name, char err[VTEP_DP_ERR_MAX]);
int vtep_dp_segment_add(struct vtep_dp *dp, const struct vtep_cfg_segment *s,
			char err[VTEP_DP_ERR_MAX]);
int vtep_dp_segment_del(struct vtep_dp *dp, uint16_t vlan, char err[VTEP_DP_ERR_MAX]);
int vtep_dp_fdb_add(struct vtep_dp *dp, const struct vtep_cfg_fdb *f, char err[VTEP_DP_ERR_MAX]);
int vtep_dp_fdb_del(struct vtep_dp *dp, uint16_t vlan, const uint8_t mac[6],
		    char err[VTEP_DP_ERR_MAX]);

/**
 * Apply a whole config to an empty datapath (start-up). On error every port opened so far
 * is closed again and the datapath is left empty. Messages for port errors are prefixed
 * with the devargs' location "FILE:LINE:COL: ports[i].devargs: ".
 */
int vtep_dp_apply_config(struct vtep_dp *dp, const struct vtep_config *cfg,
			 char err[VTEP_DP_ERR_MAX]);

/** Register the calling thread as worker @p w (call on the worker's lcore before polling). */
void vtep_dp_worker_start(struct vtep_dp *dp, unsigned int w);
/** The worker stops polling (unregisters from QSBR; flushes pending tx). */
void vtep_dp_worker_stop(struct vtep_dp *dp, unsigned int w);

/**
 * One poll iteration of worker @p w: rx on its queues, forward, flush tx, report
 * quiescence. @return packets received.
 */
unsigned int vtep_dp_poll(struct vtep_dp *dp, unsigned int w);

/**
 * Control-thread housekeeping: apply learning requests, age the FDB, handle underlay
 * packets (ARP/ND/ICMP), neighbour retries, STT reassembly expiry requests. Call often
 * (every few milliseconds at least). @p now_ms from vtep_clock.
 */
void vtep_dp_control(struct vtep_dp *dp, uint64_t now_ms);

/* Observation */

enum vtep_dp_port_kind {
	VTEP_DP_PORT_NONE = 0,
	VTEP_DP_PORT_ETH,
	VTEP_DP_PORT_TUNNEL,
};

struct vtep_dp_counters {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
	uint64_t drops;                       /* sum of drop[] */
	uint64_t drop[VTEP_DROP__MAX];
};

struct vtep_dp_port_info {
	char name[VTEP_NAME_MAX];
	enum vtep_dp_port_kind kind;
	uint32_t ofport;
	uint16_t index;                       /* datapath port index */
	uint16_t ethdev;                      /* ETH only */
	enum vtep_port_mode mode;
	enum vtep_port_role role;
	uint16_t vlan;
	bool link_up;
	uint32_t speed_mbps;
	uint8_t mac[6];
	enum vtep_tunnel_type tnl_type;       /* TUNNEL only */
	struct vtep_ip remote;                /* TUNNEL only */
	bool learned;                         /* TUNNEL: created by flood-and-learn, not config */
	struct vtep_dp_counters c;
};

/** Number of port slots (iterate 0..n-1; empty slots return -ENOENT). */
unsigned int vtep_dp_port_slots(const struct vtep_dp *dp);
/** Info and counters of the port in slot @p idx. @return 0 or -ENOENT. */
int vtep_dp_port_info(const struct vtep_dp *dp, unsigned int idx, struct vtep_dp_port_info *pi);
/** Slot of a port or tunnel by name. @return index or -ENOENT. */
int vtep_dp_port_find(const struct vtep_dp *dp, const char *name);
/** Drops of all ports summed per reason. */
void vtep_dp_drop_totals(const struct vtep_dp *dp, uint64_t drop[VTEP_DROP__MAX]);
/** The FDB (for dumps and tests; writes only through vtep_dp_fdb_*). */
struct vtep_fdb *vtep_dp_fdb(struct vtep_dp *dp);

/** Counters of the segment mapped to @p vlan (summed over workers). @return 0 or -ENOENT. */
struct vtep_dp_seg_info {
	uint16_t vlan;
	uint32_t vni;
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes, drops;
};
int vtep_dp_segment_info(const struct vtep_dp *dp, uint16_t vlan, struct vtep_dp_seg_info *si);

/** Per-worker load: cycles spent in iterations with and without packets. */
struct vtep_dp_worker_stats {
	uint64_t busy_cycles, idle_cycles;
	uint64_t packets, iterations;
	uint64_t icmp_too_big;        /* path-MTU messages sent back to VMs */
};
void vtep_dp_worker_stats(const struct vtep_dp *dp, unsigned int w, struct vtep_dp_worker_stats *s);

/** Log every port's counters (shutdown summary). */
void vtep_dp_log_counters(const struct vtep_dp *dp);

/* Management (vtepctl, telemetry); control thread only */

/**
 * The live model as a config: bridge (without OpenFlow controllers/listeners, which the
 * datapath does not hold), vtep with its static neighbours, ports and tunnels in slot
 * order with their assigned ofports, segments, and static FDB entries sorted by (VLAN,
 * MAC). @p out is overwritten; free it with vtep_config_clear(). @return 0 or -ENOMEM.
 */
int vtep_dp_export_config(const struct vtep_dp *dp, struct vtep_config *out);

/**
 * Forget learned MACs (static entries stay), of one VLAN (or -1 for all) and/or one port
 * or tunnel (or NULL for all). @return entries removed, or -errno with @p err set.
 */
int vtep_dp_fdb_flush(struct vtep_dp *dp, int vlan, const char *port, char err[VTEP_DP_ERR_MAX]);

/** Number of workers (the main lcore counts when it forwards). */
unsigned int vtep_dp_n_workers(const struct vtep_dp *dp);

/** One rx queue a worker polls: port slot and queue. */
struct vtep_dp_rxq_info {
	uint16_t port;
	uint16_t queue;
};
/** The rx queues worker @p w polls (at most @p n). @return the number filled. */
unsigned int vtep_dp_worker_rxqs(const struct vtep_dp *dp, unsigned int w,
				 struct vtep_dp_rxq_info *q, unsigned int n);

struct vtep_port;
/** The device of the ETH port in slot @p idx (device counters, xstats), or NULL. */
struct vtep_port *vtep_dp_port_dev(const struct vtep_dp *dp, unsigned int idx);
/** True if slot @p idx is the hidden port of a segment's multicast group. */
bool vtep_dp_port_is_mcast(const struct vtep_dp *dp, unsigned int idx);

#endif
