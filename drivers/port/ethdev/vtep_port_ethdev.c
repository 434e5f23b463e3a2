/* SPDX-License-Identifier: BSD-3-Clause */
/* The ethdev port driver: any device EAL can probe from devargs (PCI or vdev). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>

#include "vtep_port_provider.h"

/* What VTEP_PORT_OFL_CSUM and VTEP_PORT_OFL_TSO4 need, all of it enabled. */
#define ETHDEV_CSUM (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM)
#define ETHDEV_TSO4 (RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | \
		     RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_MULTI_SEGS)

static bool
ethdev_match(const char *devargs)
{
	(void)devargs;
	return true;
}

/* The device name is the devargs up to the first comma ("net_tap0", "0000:3b:00.0"). */
static void
devargs_name(const char *devargs, char *name, size_t len)
{
	size_t n = strcspn(devargs, ",");

	if (n >= len)
		n = len - 1;
	memcpy(name, devargs, n);
	name[n] = '\0';
}

static int
ethdev_configure(struct vtep_port *port, const struct vtep_port_params *p, char *err,
		 size_t errlen)
{
	uint16_t pid = port->port_id;
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	struct rte_ether_addr ea;
	uint16_t nb_rxd = p->nb_rxd ? p->nb_rxd : 1024;
	uint16_t nb_txd = p->nb_txd ? p->nb_txd : 1024;
	int ret;

	ret = rte_eth_dev_info_get(pid, &info);
	if (ret < 0) {
		snprintf(err, errlen, "cannot read device info: %s", strerror(-ret));
		return ret;
	}
	if (p->n_rxq > info.max_rx_queues) {
		snprintf(err, errlen, "rx_queues %u exceeds the device's maximum %u", p->n_rxq,
			 info.max_rx_queues);
		return -EINVAL;
	}
	port->n_rxq = p->n_rxq;
	port->n_senders = p->n_senders;
	port->n_txq = RTE_MIN(p->n_senders, info.max_tx_queues);
	if (port->n_txq > VTEP_PORT_MAX_QUEUES)
		port->n_txq = VTEP_PORT_MAX_QUEUES;
	if (port->n_txq == 0)
		port->n_txq = 1;
	port->txq_shared = port->n_senders > port->n_txq;
	port->socket_id = rte_eth_dev_socket_id(pid);
	if (port->socket_id < 0)
		port->socket_id = 0;

	memset(&conf, 0, sizeof(conf));
	if (p->mtu) {
		if (p->mtu > info.max_mtu || p->mtu < info.min_mtu) {
			snprintf(err, errlen, "mtu %u outside the device's range %u..%u", p->mtu,
				 info.min_mtu, info.max_mtu);
			return -EINVAL;
		}
		conf.rxmode.mtu = p->mtu;
	}
	if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	if ((info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) ||
	    (info.driver_name != NULL && strcmp(info.driver_name, "net_null") == 0))
		port->offloads |= VTEP_PORT_OFL_MULTI_SEGS;
	conf.rxmode.offloads |= p->rx_offloads & info.rx_offload_capa;
	conf.txmode.offloads |= p->tx_offloads & info.tx_offload_capa;
	if ((conf.txmode.offloads & ETHDEV_CSUM) == ETHDEV_CSUM)
		port->offloads |= VTEP_PORT_OFL_CSUM;
	if ((conf.txmode.offloads & ETHDEV_TSO4) == ETHDEV_TSO4) {
		port->offloads |= VTEP_PORT_OFL_TSO4;
		port->tso_max_segs = info.tx_desc_lim.nb_seg_max;
		port->tso_max_mtu_segs = info.tx_desc_lim.nb_mtu_seg_max;
		/* net_tap cuts with librte_gso and refuses a segment whose headers and payload
		 * exceed its MTU; IPv6 it does not segment at all (so VTEP_PORT_OFL_TSO4 only) */
		if (info.driver_name != NULL && strcmp(info.driver_name, "net_tap") == 0) {
			port->tso_frame_max = UINT16_MAX; /* set to the MTU once it is known */
			port->tso_emulated = true;
			port->tso_even = true;
		}
	}
	if (p->n_rxq > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP |
						    RTE_ETH_RSS_TCP) & info.flow_type_rss_offloads;
		if (conf.rx_adv_conf.rss_conf.rss_hf == 0)
			conf.rxmode.mq_mode = RTE_ETH_MQ_RX_NONE;
	}
	ret = rte_eth_dev_configure(pid, port->n_rxq, port->n_txq, &conf);
	if (ret < 0) {
		snprintf(err, errlen, "cannot configure device: %s", strerror(-ret));
		return ret;
	}
	rte_eth_dev_adjust_nb_rx_tx_desc(pid, &nb_rxd, &nb_txd);
	for (uint16_t q = 0; q < port->n_rxq; q++) {
		ret = rte_eth_rx_queue_setup(pid, q, nb_rxd, port->socket_id, NULL, p->pool);
		if (ret < 0) {
			snprintf(err, errlen, "cannot set up rx queue %u: %s", q, strerror(-ret));
			return ret;
		}
	}
	for (uint16_t q = 0; q < port->n_txq; q++) {
		ret = rte_eth_tx_queue_setup(pid, q, nb_txd, port->socket_id, NULL);
		if (ret < 0) {
			snprintf(err, errlen, "cannot set up tx queue %u: %s", q, strerror(-ret));
			return ret;
		}
	}
	if (p->mac != NULL) {
		memcpy(ea.addr_bytes, p->mac, 6);
		ret = rte_eth_dev_default_mac_addr_set(pid, &ea);
		if (ret < 0 && ret != -ENOTSUP) {
			snprintf(err, errlen, "cannot set MAC address: %s", strerror(-ret));
			return ret;
		}
	}
	ret = rte_eth_dev_start(pid);
	if (ret < 0) {
		snprintf(err, errlen, "cannot start device: %s", strerror(-ret));
		return ret;
	}
	/* A switch port sees every frame; PMDs without the knob are promiscuous anyway. */
	rte_eth_promiscuous_enable(pid);
	rte_eth_allmulticast_enable(pid);
	if (rte_eth_macaddr_get(pid, &ea) == 0)
		memcpy(port->mac, ea.addr_bytes, 6);
	if (p->mac != NULL)
		memcpy(port->mac, p->mac, 6);
	if (rte_eth_dev_get_mtu(pid, &port->mtu) != 0)
		port->mtu = RTE_ETHER_MTU;  /* the driver does not say: the Ethernet default */
	if (port->tso_frame_max != 0)
		port->tso_frame_max = port->mtu;
	return 0;
}

static void ethdev_close(struct vtep_port *port);

static int
ethdev_open(struct vtep_port *port, const struct vtep_port_params *p, char *err, size_t errlen)
{
	char name[RTE_DEV_NAME_MAX_LEN];
	uint16_t pid;
	int ret;

	devargs_name(p->devargs, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, &pid) != 0) {
		ret = rte_dev_probe(p->devargs);
		if (ret < 0) {
			snprintf(err, errlen, "devargs '%s' did not probe: %s", p->devargs,
				 strerror(-ret));
			return ret;
		}
		if (rte_eth_dev_get_port_by_name(name, &pid) != 0) {
			snprintf(err, errlen, "devargs '%s' probed but created no port named '%s'",
				 p->devargs, name);
			return -ENODEV;
		}
		port->probed_by_us = true;
	}
	port->port_id = pid;
	ret = ethdev_configure(port, p, err, errlen);
	if (ret < 0 && port->probed_by_us)
		ethdev_close(port);
	return ret;
}

static void
ethdev_close(struct vtep_port *port)
{
	struct rte_eth_dev_info info;
	struct rte_device *dev = NULL;

	if (rte_eth_dev_info_get(port->port_id, &info) == 0)
		dev = info.device;
	rte_eth_dev_stop(port->port_id);
	rte_eth_dev_close(port->port_id);
	if (port->probed_by_us && dev != NULL)
		rte_dev_remove(dev);
}

const struct vtep_port_ops vtep_port_ethdev_ops = {
	.name = "ethdev",
	.match = ethdev_match,
	.open = ethdev_open,
	.close = ethdev_close,
};
