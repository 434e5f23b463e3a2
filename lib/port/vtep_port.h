/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: the DPDK devices vtepsw forwards between (PCI NICs, vdevs such as net_tap,
 * net_af_packet, net_pcap, net_ring, net_vhost, net_af_xdp).
 *
 * A port is opened from its config devargs: the device is probed (or found, if EAL
 * arguments already probed it), configured with the requested rx queues and one tx queue
 * per sender (each worker plus the control thread), started, and closed/removed again on
 * vtep_port_close(). When the device has fewer tx queues than senders, senders share
 * queues under a per-queue spinlock taken once per burst (vtep_port_tx()).
 *
 * Thread-safety: open/close/stats on the control thread; vtep_port_rx()/vtep_port_tx()
 * from the thread that owns the queue (rx) or any sender (tx).
 */
#ifndef VTEP_PORT_H
#define VTEP_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_spinlock.h>

#include "vtep_common.h"
#include "vtep_config.h"

#define VTEP_PORT_MAX_QUEUES 16

/** port->offloads: the device takes TCP segmentation offload mbufs (RTE_MBUF_F_TX_TCP_SEG
 *  with l2/l3/l4_len and tso_segsz set) on transmit. Others get segments. */
#define VTEP_PORT_OFL_TSO (1u << 0)
/** port->offloads: the device transmits mbuf chains (RTE_ETH_TX_OFFLOAD_MULTI_SEGS, or
 *  net_null, which frees whatever it gets but advertises nothing). STT segments then
 *  reference the frame's buffers instead of copying them. */
#define VTEP_PORT_OFL_MULTI_SEGS (1u << 1)
/** port->offloads: the device segments IPv4 TCP itself and fills in the checksums
 *  (RTE_ETH_TX_OFFLOAD_TCP_TSO, IPV4_CKSUM, TCP_CKSUM and MULTI_SEGS, all enabled because
 *  the opener asked for them in tx_offloads). STT over IPv4 to such an uplink leaves as one
 *  TSO packet per frame. Apart from VTEP_PORT_OFL_TSO, which lets a VM's TSO frames reach
 *  an Ethernet port whole: Ethernet ports keep getting segments. */
#define VTEP_PORT_OFL_TSO4 (1u << 2)
/** port->offloads: the device fills in IPv4 header and TCP checksums, IPv4 and IPv6
 *  (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM and TCP_CKSUM enabled because the opener asked): STT
 *  segments vtepsw cuts itself for such an uplink leave them to it. */
#define VTEP_PORT_OFL_CSUM (1u << 3)

struct vtep_port_ops;

struct vtep_port {
	char name[VTEP_NAME_MAX];
	char devargs[VTEP_DEVARGS_MAX];
	uint16_t port_id;           /* ethdev port id */
	uint16_t n_rxq;
	uint16_t n_txq;             /* tx queues configured */
	uint16_t n_senders;         /* senders mapped onto the tx queues */
	bool txq_shared;            /* n_senders > n_txq: take txq_lock */
	bool probed_by_us;          /* we hot-plugged it (remove on close) */
	uint8_t mac[6];
	uint16_t mtu;
	int socket_id;
	const struct vtep_port_ops *ops;
	/* VTEP_PORT_OFL_*: what the device accepts now. A driver may change it (and n_txq)
	 * at run time from another thread, e.g. when a VM reconnects: read it with
	 * __atomic_load_n(..., __ATOMIC_RELAXED). */
	uint32_t offloads;
	/* VTEP_PORT_OFL_TSO4: the largest l2_len + l3_len + l4_len + tso_segsz the device takes
	 * (net_tap checks that against its MTU), 0: no limit beyond the underlay MTU */
	uint16_t tso_frame_max;
	/* VTEP_PORT_OFL_TSO4 is done by the PMD in software, on the sending thread (net_tap):
	 * it costs more CPU than vtepsw's own segmentation */
	bool tso_emulated;
	/* VTEP_PORT_OFL_TSO4 and _CSUM checksums are wrong unless every mbuf of the packet
	 * and the segment size are an even number of bytes (net_tap in DPDK 22.11 sums each
	 * piece as if it started at an even offset) */
	bool tso_even;
	/* VTEP_PORT_OFL_TSO4: mbufs a TSO packet may have, in all and within one segment's
	 * bytes (the device's tx_desc_lim nb_seg_max / nb_mtu_seg_max) */
	uint16_t tso_max_segs, tso_max_mtu_segs;
	void *priv;                 /* driver-private state */
	rte_spinlock_t txq_lock[VTEP_PORT_MAX_QUEUES];
};

struct vtep_port_params {
	const char *name;
	const char *devargs;
	uint16_t n_rxq;             /* >= 1 */
	uint16_t n_senders;         /* workers + control thread */
	struct rte_mempool *pool;   /* rx buffers */
	uint16_t mtu;               /* 0: leave the device's */
	const uint8_t *mac;         /* NULL: keep the device's */
	uint16_t nb_rxd, nb_txd;    /* 0: 1024 */
	uint64_t rx_offloads;       /* RTE_ETH_RX_OFFLOAD_* to enable where the device has them */
	uint64_t tx_offloads;       /* RTE_ETH_TX_OFFLOAD_* likewise */
};

/**
 * Probe/find, configure and start a port.
 * @param err out: on failure a message naming the cause (for the config error line).
 * @return 0 with *out set, or -errno.
 */
int vtep_port_open(const struct vtep_port_params *p, struct vtep_port **out, char *err,
		   size_t errlen);

/** Stop, close and (if we probed it) remove the device. NULL is a no-op. */
void vtep_port_close(struct vtep_port *port);

/** Link state: true when up; speed in Mbit/s. */
bool vtep_port_link(const struct vtep_port *port, uint32_t *speed_mbps);

/** The device's own counters (rx/tx packets, bytes, missed, errors). @return 0 or -errno. */
int vtep_port_hw_stats(const struct vtep_port *port, struct rte_eth_stats *st);

/** One driver-specific counter (see vtep_port_xstats()). */
struct vtep_port_xstat {
	char name[64];
	uint64_t value;
};

/**
 * Driver-specific counters of @p port, if its driver has any.
 * @return entries available (may exceed @p n; only @p n are filled), 0 if none, or -errno.
 */
int vtep_port_xstats(const struct vtep_port *port, struct vtep_port_xstat *xs, unsigned int n);

/**
 * What a port that shares its NIC with the host (an AF_XDP uplink) must hand to vtepsw;
 * the rest stays with the kernel. Built by the datapath from its tables on every change.
 */
struct vtep_port_steering {
	bool all;                   /* every frame is vtepsw's (any port but the uplink) */
	struct vtep_ip local4;      /* IPv4 VTEP address (family 0 if none) */
	struct vtep_ip local6;      /* IPv6 VTEP address (family 0 if none) */
	uint16_t udp_ports[4];      /* VXLAN destination ports, host order (0 = unused) */
	struct vtep_ip groups[16];  /* multicast groups joined on the uplink */
	unsigned int n_groups;
	bool nvgre, stt;            /* tunnels of these types are accepted */
};

/**
 * Tell the port what is vtepsw's (a no-op for ports that get every frame anyway).
 * Control thread only; takes effect for the next frames, without a restart.
 * @return 0 or -errno.
 */
int vtep_port_set_steering(struct vtep_port *port, const struct vtep_port_steering *s);

/** Receive a burst on queue @p q. */
static inline uint16_t
vtep_port_rx(const struct vtep_port *port, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	return rte_eth_rx_burst(port->port_id, q, pkts, n);
}

/**
 * Transmit a burst as sender @p sender (worker index, or the control thread's index).
 * @return packets accepted; the caller owns (frees) the rest.
 */
static inline uint16_t
vtep_port_tx(struct vtep_port *port, unsigned int sender, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t q = (uint16_t)(sender % __atomic_load_n(&port->n_txq, __ATOMIC_RELAXED));
	uint16_t sent;

	if (!port->txq_shared)
		return rte_eth_tx_burst(port->port_id, q, pkts, n);
	rte_spinlock_lock(&port->txq_lock[q]);
	sent = rte_eth_tx_burst(port->port_id, q, pkts, n);
	rte_spinlock_unlock(&port->txq_lock[q]);
	return sent;
}

#endif
