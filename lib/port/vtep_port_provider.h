/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Implementer's side of ports: one ops table per port driver (drivers/port/). The set
 * is fixed and chosen from the devargs in lib/port/vtep_port.c's static table.
 */
#ifndef VTEP_PORT_PROVIDER_H
#define VTEP_PORT_PROVIDER_H

#include "vtep_port.h"
#include "vtep_port_config.h"

struct vtep_port_ops {
	const char *name;
	/** True if this driver handles @p devargs. */
	bool (*match)(const char *devargs);
	/** Probe/find and configure the device; fill port->port_id, queues, mac. */
	int (*open)(struct vtep_port *port, const struct vtep_port_params *p, char *err,
		    size_t errlen);
	/** Stop, close, remove. */
	void (*close)(struct vtep_port *port);
	/**
	 * Optional: driver-specific counters (e.g. an XDP program's per-reason counts, vhost
	 * queue state) beyond the ethdev ones. Fill at most @p n entries.
	 * @return entries available (may exceed @p n), or -errno.
	 */
	int (*xstats)(const struct vtep_port *port, struct vtep_port_xstat *xs, unsigned int n);
	/**
	 * Optional: what the port must deliver to vtepsw when it shares its NIC with the host
	 * (see vtep_port_set_steering()). Ports without it receive every frame.
	 * @return 0 or -errno.
	 */
	int (*set_steering)(struct vtep_port *port, const struct vtep_port_steering *s);
};

extern const struct vtep_port_ops vtep_port_ethdev_ops;
extern const struct vtep_port_ops vtep_port_vhost_ops;
#ifdef VTEP_HAVE_AF_XDP
extern const struct vtep_port_ops vtep_port_af_xdp_ops;
#endif

#endif
