/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What management needs from the datapath beyond the core functions: the live model as a
 * struct vtep_config (so run-time changes can be saved), flushing learned MACs, and the
 * rx queues and devices behind each worker and port.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vtep_clock.h"
#include "vtep_dp_priv.h"
#include "vtep_log.h"

static int
cmp_fdb(const void *a, const void *b)
{
	const struct vtep_cfg_fdb *x = a, *y = b;

	if (x->vlan != y->vlan)
		return x->vlan < y->vlan ? -1 : 1;
	return memcmp(x->mac, y->mac, 6);
}

/* Static FDB entries as config entries, sorted by (VLAN, MAC). */
static int
export_fdb(const struct vtep_dp *dp, struct vtep_config *c)
{
	uint32_t n = vtep_fdb_count(dp->fdb), iter = 0;
	struct vtep_fdb_entry e;

	if (n == 0)
		return 0;
	c->fdb = calloc(n, sizeof(*c->fdb));
	if (c->fdb == NULL)
		return -ENOMEM;
	while (c->n_fdb < n && vtep_fdb_iterate(dp->fdb, &iter, vtep_clock_sec(), &e) == 1) {
		const struct dp_mport *mp = &dp->ports[e.port];
		struct vtep_cfg_fdb *f = &c->fdb[c->n_fdb];

		if (!e.is_static || e.port >= VTEP_MAX_PORTS || !mp->in_use || mp->mcast ||
		    mp->learned)
			continue;
		f->vlan = e.vlan;
		memcpy(f->mac, e.mac, 6);
		f->target_is_tunnel = mp->kind == VTEP_DP_PORT_TUNNEL;
		snprintf(f->target, sizeof(f->target), "%s",
			 f->target_is_tunnel ? mp->tcfg.name : mp->cfg.name);
		c->n_fdb++;
	}
	qsort(c->fdb, c->n_fdb, sizeof(*c->fdb), cmp_fdb);
	return 0;
}

static int
export_neighbours(const struct vtep_dp *dp, struct vtep_config *c)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < DP_MAX_NEIGH; i++)
		n += dp->neigh[i].state == DP_NEIGH_STATIC;
	if (n == 0)
		return 0;
	c->vtep.neighbours = calloc(n, sizeof(*c->vtep.neighbours));
	if (c->vtep.neighbours == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < DP_MAX_NEIGH; i++) {
		if (dp->neigh[i].state != DP_NEIGH_STATIC)
			continue;
		c->vtep.neighbours[c->vtep.n_neighbours].ip = dp->neigh[i].ip;
		memcpy(c->vtep.neighbours[c->vtep.n_neighbours].mac, dp->neigh[i].mac, 6);
		c->vtep.n_neighbours++;
	}
	return 0;
}

/*
 * Ports and configured tunnels (not the hidden ports of multicast groups, not tunnels
 * created by flood-and-learn) in slot order, with their assigned ofports.
 */
static int
export_ports(const struct vtep_dp *dp, struct vtep_config *c)
{
	unsigned int np = 0, nt = 0;

	for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++) {
		const struct dp_mport *mp = &dp->ports[i];

		if (mp->in_use && mp->kind == VTEP_DP_PORT_ETH)
			np++;
		else if (mp->in_use && mp->kind == VTEP_DP_PORT_TUNNEL && !mp->mcast &&
			 !mp->learned)
			nt++;
	}
	if (np > 0 && (c->ports = calloc(np, sizeof(*c->ports))) == NULL)
		return -ENOMEM;
	if (nt > 0 && (c->tunnels = calloc(nt, sizeof(*c->tunnels))) == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < VTEP_MAX_PORTS; i++) {
		const struct dp_mport *mp = &dp->ports[i];

		if (!mp->in_use || mp->mcast || mp->learned)
			continue;
		if (mp->kind == VTEP_DP_PORT_ETH) {
			struct vtep_cfg_port *p = &c->ports[c->n_ports++];

			*p = mp->cfg;
			p->ofport = mp->ofport;
			memset(&p->loc, 0, sizeof(p->loc));
			memset(&p->devargs_loc, 0, sizeof(p->devargs_loc));
		} else {
			struct vtep_cfg_tunnel *t = &c->tunnels[c->n_tunnels++];

			*t = mp->tcfg;
			t->ofport = mp->ofport;
			memset(&t->loc, 0, sizeof(t->loc));
		}
	}
	return 0;
}

static int
export_segments(const struct vtep_dp *dp, struct vtep_config *c)
{
	if (dp->n_segs == 0)
		return 0;
	c->segments = calloc(dp->n_segs, sizeof(*c->segments));
	if (c->segments == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < dp->n_segs; i++) {
		struct vtep_cfg_segment *s = &c->segments[i];

		*s = dp->segs[i];
		s->flood = NULL;
		memset(&s->loc, 0, sizeof(s->loc));
		c->n_segments = i + 1;
		if (s->n_flood == 0)
			continue;
		s->flood = calloc(s->n_flood, sizeof(*s->flood));
		if (s->flood == NULL)
			return -ENOMEM;
		memcpy(s->flood, dp->segs[i].flood, s->n_flood * sizeof(*s->flood));
	}
	return 0;
}

int
vtep_dp_export_config(const struct vtep_dp *dp, struct vtep_config *out)
{
	struct vtep_config c;
	int ret;

	memset(&c, 0, sizeof(c));
	snprintf(c.bridge.name, sizeof(c.bridge.name), "%s", dp->bridge.name);
	c.bridge.datapath_id = dp->bridge.datapath_id;
	c.bridge.fail_mode = dp->bridge.fail_mode;
	c.bridge.mac_aging_s = dp->bridge.mac_aging_s;
	c.vtep = dp->vtep;
	c.vtep.neighbours = NULL;
	c.vtep.n_neighbours = 0;
	memset(&c.vtep.loc, 0, sizeof(c.vtep.loc));
	ret = export_neighbours(dp, &c);
	if (ret == 0)
		ret = export_ports(dp, &c);
	if (ret == 0)
		ret = export_segments(dp, &c);
	if (ret == 0)
		ret = export_fdb(dp, &c);
	if (ret < 0) {
		vtep_config_clear(&c);
		return ret;
	}
	*out = c;
	return 0;
}

int
vtep_dp_fdb_flush(struct vtep_dp *dp, int vlan, const char *port, char err[VTEP_DP_ERR_MAX])
{
	int idx = -1;
	unsigned int n;

	if (vlan != -1 && (vlan < 1 || vlan > 4094)) {
		snprintf(err, VTEP_DP_ERR_MAX, "fdb: VLAN ID %d is outside 1..4094", vlan);
		return -EINVAL;
	}
	if (port != NULL) {
		idx = dp_port_index(dp, port);
		if (idx < 0) {
			snprintf(err, VTEP_DP_ERR_MAX, "fdb: no port or tunnel named '%s'", port);
			return -ENOENT;
		}
	}
	n = vtep_fdb_flush(dp->fdb, vlan, idx, false);
	VTEP_LOG(FDB, INFO, "flushed %u learned MAC(s)", n);
	return (int)n;
}

unsigned int
vtep_dp_n_workers(const struct vtep_dp *dp)
{
	return dp->p.n_workers;
}

unsigned int
vtep_dp_worker_rxqs(const struct vtep_dp *dp, unsigned int w, struct vtep_dp_rxq_info *q,
		    unsigned int n)
{
	const struct dp_tables *t = dp->tables;
	unsigned int k = 0;

	if (w >= dp->p.n_workers)
		return 0;
	for (unsigned int i = 0; i < t->n_rxq[w] && k < n; i++, k++) {
		q[k].port = t->rxq[w][i].port;
		q[k].queue = t->rxq[w][i].queue;
	}
	return k;
}

struct vtep_port *
vtep_dp_port_dev(const struct vtep_dp *dp, unsigned int idx)
{
	if (idx >= VTEP_MAX_PORTS || !dp->ports[idx].in_use ||
	    dp->ports[idx].kind != VTEP_DP_PORT_ETH)
		return NULL;
	return dp->ports[idx].eth;
}

bool
vtep_dp_port_is_mcast(const struct vtep_dp *dp, unsigned int idx)
{
	return idx < VTEP_MAX_PORTS && dp->ports[idx].in_use && dp->ports[idx].mcast;
}
