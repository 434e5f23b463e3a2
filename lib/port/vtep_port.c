/* SPDX-License-Identifier: BSD-3-Clause */
/* Port front end: driver selection, link state and counters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "vtep_port_provider.h"

/* The fixed set of port drivers, tried in order; ethdev takes anything EAL can probe. */
static const struct vtep_port_ops *const port_drivers[] = {
	&vtep_port_vhost_ops,       /* net_vhost / eth_vhost devargs */
#ifdef VTEP_HAVE_AF_XDP
	&vtep_port_af_xdp_ops,      /* net_af_xdp*: an uplink sharing the NIC with the host */
#endif
	&vtep_port_ethdev_ops,
};

int
vtep_port_open(const struct vtep_port_params *p, struct vtep_port **out, char *err,
	       size_t errlen)
{
	const struct vtep_port_ops *ops = NULL;
	struct vtep_port *port;
	int ret;

	if (p == NULL || p->name == NULL || p->devargs == NULL || p->n_rxq == 0 ||
	    p->n_rxq > VTEP_PORT_MAX_QUEUES || p->n_senders == 0 || p->pool == NULL) {
		snprintf(err, errlen, "invalid port parameters");
		return -EINVAL;
	}
	for (size_t i = 0; i < VTEP_ARRAY_SIZE(port_drivers); i++)
		if (port_drivers[i]->match(p->devargs)) {
			ops = port_drivers[i];
			break;
		}
	if (ops == NULL) {
		snprintf(err, errlen, "no driver for devargs '%s'", p->devargs);
		return -ENODEV;
	}
	port = rte_zmalloc("vtep_port", sizeof(*port), RTE_CACHE_LINE_SIZE);
	if (port == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(port->name, sizeof(port->name), "%s", p->name);
	snprintf(port->devargs, sizeof(port->devargs), "%s", p->devargs);
	port->ops = ops;
	for (unsigned int i = 0; i < VTEP_PORT_MAX_QUEUES; i++)
		rte_spinlock_init(&port->txq_lock[i]);
	ret = ops->open(port, p, err, errlen);
	if (ret < 0) {
		rte_free(port);
		return ret;
	}
	*out = port;
	return 0;
}

void
vtep_port_close(struct vtep_port *port)
{
	if (port == NULL)
		return;
	port->ops->close(port);
	rte_free(port);
}

bool
vtep_port_link(const struct vtep_port *port, uint32_t *speed_mbps)
{
	struct rte_eth_link link;

	memset(&link, 0, sizeof(link));
	if (rte_eth_link_get_nowait(port->port_id, &link) < 0)
		return false;
	if (speed_mbps != NULL)
		*speed_mbps = link.link_speed;
	return link.link_status == RTE_ETH_LINK_UP;
}

int
vtep_port_xstats(const struct vtep_port *port, struct vtep_port_xstat *xs, unsigned int n)
{
	if (port->ops == NULL || port->ops->xstats == NULL)
		return 0;
	return port->ops->xstats(port, xs, n);
}

int
vtep_port_set_steering(struct vtep_port *port, const struct vtep_port_steering *s)
{
	if (port->ops == NULL || port->ops->set_steering == NULL)
		return 0;
	return port->ops->set_steering(port, s);
}

int
vtep_port_hw_stats(const struct vtep_port *port, struct rte_eth_stats *st)
{
	return rte_eth_stats_get(port->port_id, st);
}
