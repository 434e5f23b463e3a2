/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding workloads: vtepsw's datapath (lib/dp, the same code the daemon runs) built
 * from a generated config on the first two ports EAL probed, polled by every lcore.
 *
 *   encap   port 0 "vm" (trunk, VLAN) -> VNI over tunnel "t" -> port 1 "up" (uplink)
 *   decap   port 0 "up" (uplink) -> tunnel "t" -> VLAN -> port 1 "vm" (trunk)
 *   bridge  port 0 "vm" (trunk, VLAN) -> port 1 "vm2" (access port of the VLAN)
 *
 * The destination MAC of the generated traffic is a static FDB entry, so every frame is
 * known unicast; source MACs are learned as in production (--macs sets how many).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "bench.h"
#include "vtep_clock.h"
#include "vtep_dp.h"
#include "vtep_fdb.h"

enum fwd_kind { FWD_ENCAP, FWD_DECAP, FWD_BRIDGE };

struct fwd_state {
	enum fwd_kind kind;
	struct vtep_dp *dp;
	struct vtep_config cfg;
	bool cfg_loaded;
	size_t heap_dp;             /* heap bytes the datapath took (tables, FDB, workers) */
	size_t heap_ports;          /* heap bytes the ports took (rings, preloaded pcaps) */
};

/* Append printf output to a growing buffer; sets *ok false on overflow. */
static void __rte_format_printf(4, 5)
cat(char *buf, size_t len, bool *ok, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - used)
		*ok = false;
}

/* The generated config, in the daemon's JSON format (what --show-config prints). */
static int
fwd_config_text(const struct bench_ctx *c, enum fwd_kind kind, char *buf, size_t len)
{
	const struct bench_opts *o = &c->o;
	char in[RTE_ETH_NAME_MAX_LEN], out[RTE_ETH_NAME_MAX_LEN];
	const char *vm_dev, *up_dev;
	bool ok = true;

	if (rte_eth_dev_get_name_by_port(c->eth[0], in) != 0 ||
	    rte_eth_dev_get_name_by_port(c->eth[1], out) != 0)
		return -ENODEV;
	buf[0] = '\0';
	cat(buf, len, &ok, "{\"bridge\": {\"name\": \"bench\"},\n");
	if (kind == FWD_BRIDGE) {
		cat(buf, len, &ok,
		    " \"ports\": [{\"name\": \"vm\", \"devargs\": \"%s\", \"trunks\": [%u], "
		    "\"rx_queues\": %u},\n"
		    "           {\"name\": \"vm2\", \"devargs\": \"%s\", \"vlan\": %u, "
		    "\"rx_queues\": %u}],\n"
		    " \"fdb\": [{\"vlan\": %u, \"mac\": \"02:00:%02x:00:00:00\", \"port\": \"vm2\"}]}\n",
		    in, o->vlan, o->rxq, out, o->vlan, o->rxq, o->vlan, BENCH_REMOTE_VM_OUI);
		return ok ? 0 : -ENOSPC;
	}
	vm_dev = kind == FWD_ENCAP ? in : out;
	up_dev = kind == FWD_ENCAP ? out : in;
	cat(buf, len, &ok,
	    " \"vtep\": {\"local_ip\": \"%s/24\", \"uplink\": \"up\", \"mtu\": %u,\n"
	    "          \"neighbours\": [{\"ip\": \"%s\", \"mac\": \"%s\"}]},\n",
	    BENCH_LOCAL_VTEP_IP, o->mtu, BENCH_REMOTE_VTEP_IP, BENCH_REMOTE_VTEP_MAC);
	cat(buf, len, &ok,
	    " \"ports\": [{\"name\": \"vm\", \"devargs\": \"%s\", \"trunks\": [%u], "
	    "\"rx_queues\": %u},\n"
	    "           {\"name\": \"up\", \"devargs\": \"%s\", \"role\": \"uplink\", "
	    "\"mac\": \"%s\", \"rx_queues\": %u}],\n",
	    vm_dev, o->vlan, o->rxq, up_dev, BENCH_UPLINK_MAC, o->rxq);
	cat(buf, len, &ok,
	    " \"tunnels\": [{\"name\": \"t\", \"type\": \"%s\", \"remote_ip\": \"%s\"}],\n"
	    " \"segments\": [{\"vlan\": %u, \"vni\": %u, \"flood\": [\"t\"]}],\n",
	    vtep_tunnel_type_name(o->tunnel), BENCH_REMOTE_VTEP_IP, o->vlan, o->vni);
	if (kind == FWD_ENCAP)
		cat(buf, len, &ok, " \"fdb\": [{\"vlan\": %u, \"mac\": \"02:00:%02x:00:00:00\", "
		    "\"tunnel\": \"t\"}]}\n", o->vlan, BENCH_REMOTE_VM_OUI);
	else
		cat(buf, len, &ok, " \"fdb\": [{\"vlan\": %u, \"mac\": \"02:00:%02x:00:00:00\", "
		    "\"port\": \"vm\"}]}\n", o->vlan, BENCH_LOCAL_VM_OUI);
	return ok ? 0 : -ENOSPC;
}

static int
fwd_setup(struct bench_ctx *c, enum fwd_kind kind, char *err, size_t errlen)
{
	struct vtep_dp_params dpp = { 0 };
	char cerr[VTEP_CONFIG_ERR_MAX];
	char derr[VTEP_DP_ERR_MAX];
	struct fwd_state *s;
	char text[4096];
	size_t h0, h1;
	int ret;

	if (c->n_eth < 2) {
		snprintf(err, errlen, "workload %s needs two ports (e.g. --vdev net_pcap0,... "
			 "--vdev net_null0,no-rx=1); EAL probed %u", c->wl->name, c->n_eth);
		return -EINVAL;
	}
	if (c->o.burst != VTEP_BURST) {
		snprintf(err, errlen, "--burst: the datapath forwards bursts of %u (VTEP_BURST); "
			 "other sizes apply to txonly/rxonly", VTEP_BURST);
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	c->priv = s;
	s->kind = kind;
	ret = fwd_config_text(c, kind, text, sizeof(text));
	if (ret < 0) {
		snprintf(err, errlen, "cannot generate the datapath config: %s", strerror(-ret));
		return ret;
	}
	if (c->o.show_config)
		printf("%s", text);
	ret = vtep_config_parse(text, strlen(text), "generated config", &s->cfg, cerr);
	if (ret < 0) {
		snprintf(err, errlen, "%s", cerr);
		return ret;
	}
	s->cfg_loaded = true;

	dpp.n_workers = c->n_lcores;
	dpp.main_forwards = c->single;
	dpp.pool = c->pool;
	dpp.fdb_capacity = c->o.fdb_capacity;
	dpp.socket_id = (int)rte_socket_id();
	/* each worker's state on the NUMA node of the lcore that polls as that worker */
	dpp.worker_socket_set = true;
	for (unsigned int i = 0; i < c->n_lcores; i++)
		dpp.worker_socket[i] = (int)rte_lcore_to_socket_id(c->lc[i].lcore_id);
	h0 = bench_heap_in_use();
	ret = vtep_dp_create(&dpp, &s->dp);
	if (ret < 0) {
		snprintf(err, errlen, "cannot create the datapath: %s", strerror(-ret));
		return ret;
	}
	h1 = bench_heap_in_use();
	ret = vtep_dp_apply_config(s->dp, &s->cfg, derr);
	if (ret < 0) {
		snprintf(err, errlen, "%s", derr);
		return ret;
	}
	s->heap_dp = h1 - h0;
	s->heap_ports = bench_heap_in_use() - h1;
	return 0;
}

static int
encap_setup(struct bench_ctx *c, char *err, size_t errlen)
{
	return fwd_setup(c, FWD_ENCAP, err, errlen);
}

static int
decap_setup(struct bench_ctx *c, char *err, size_t errlen)
{
	return fwd_setup(c, FWD_DECAP, err, errlen);
}

static int
bridge_setup(struct bench_ctx *c, char *err, size_t errlen)
{
	return fwd_setup(c, FWD_BRIDGE, err, errlen);
}

static void
fwd_lcore_start(struct bench_ctx *c, struct bench_lcore *lc)
{
	struct fwd_state *s = c->priv;

	vtep_dp_worker_start(s->dp, lc->idx);
}

static unsigned int
fwd_poll(struct bench_ctx *c, struct bench_lcore *lc)
{
	struct fwd_state *s = c->priv;

	return vtep_dp_poll(s->dp, lc->idx);
}

static void
fwd_lcore_stop(struct bench_ctx *c, struct bench_lcore *lc)
{
	struct fwd_state *s = c->priv;

	vtep_dp_worker_stop(s->dp, lc->idx);
}

static void
fwd_control(struct bench_ctx *c, uint64_t now_ms)
{
	struct fwd_state *s = c->priv;

	vtep_dp_control(s->dp, now_ms);
}

static unsigned int
fwd_read_ports(struct bench_ctx *c, struct bench_port_counters *pc)
{
	struct fwd_state *s = c->priv;
	unsigned int n = 0;

	for (unsigned int i = 0; i < vtep_dp_port_slots(s->dp) && n < BENCH_MAX_PORTS * 2; i++) {
		struct vtep_dp_port_info pi;
		struct rte_eth_stats es;

		if (vtep_dp_port_info(s->dp, i, &pi) != 0)
			continue;
		memset(&pc[n], 0, sizeof(pc[n]));
		snprintf(pc[n].name, sizeof(pc[n].name), "%s", pi.name);
		pc[n].is_tunnel = pi.kind == VTEP_DP_PORT_TUNNEL;
		pc[n].rx_pkts = pi.c.rx_packets;
		pc[n].rx_bytes = pi.c.rx_bytes;
		pc[n].tx_pkts = pi.c.tx_packets;
		pc[n].tx_bytes = pi.c.tx_bytes;
		pc[n].drops = pi.c.drops;
		memcpy(pc[n].drop, pi.c.drop, sizeof(pc[n].drop));
		if (pi.kind == VTEP_DP_PORT_ETH && rte_eth_stats_get(pi.ethdev, &es) == 0) {
			pc[n].dev_missed = es.imissed;
			pc[n].dev_nombuf = es.rx_nombuf;
		}
		n++;
	}
	return n;
}

static void
fwd_report(struct bench_ctx *c, json_t *root)
{
	struct fwd_state *s = c->priv;
	struct vtep_fdb *fdb = vtep_dp_fdb(s->dp);
	uint32_t iter = 0, entries = 0, learned = 0;
	struct vtep_fdb_entry e;
	json_t *mem = json_object_get(root, "memory");

	while (vtep_fdb_iterate(fdb, &iter, vtep_clock_sec(), &e) > 0) {
		entries++;
		learned += !e.is_static;
	}
	json_object_set_new(root, "fdb_entries", json_integer(entries));
	json_object_set_new(root, "fdb_learned", json_integer(learned));
	if (json_is_object(mem)) {
		json_object_set_new(mem, "datapath_bytes", json_integer((json_int_t)s->heap_dp));
		json_object_set_new(mem, "ports_bytes", json_integer((json_int_t)s->heap_ports));
	}
	if (!c->o.quiet)
		printf("  fdb: %u entries (%u learned); datapath heap %.1f MiB, ports %.1f MiB\n",
		       entries, learned, s->heap_dp / 1048576.0, s->heap_ports / 1048576.0);
}

static void
fwd_teardown(struct bench_ctx *c)
{
	struct fwd_state *s = c->priv;

	if (s == NULL)
		return;
	vtep_dp_free(s->dp);
	if (s->cfg_loaded)
		vtep_config_clear(&s->cfg);
	free(s);
	c->priv = NULL;
}

#define FWD_OPS \
	.lcore_start = fwd_lcore_start, \
	.poll = fwd_poll, \
	.lcore_stop = fwd_lcore_stop, \
	.control = fwd_control, \
	.read_ports = fwd_read_ports, \
	.report = fwd_report, \
	.teardown = fwd_teardown

const struct bench_workload bench_wl_encap = {
	.name = "encap",
	.summary = "VLAN frames on port 0 -> tunnel (--tunnel) -> port 1, vtepsw's datapath",
	.setup = encap_setup,
	FWD_OPS,
};

const struct bench_workload bench_wl_decap = {
	.name = "decap",
	.summary = "tunnel packets on port 0 -> VLAN frames on port 1, vtepsw's datapath",
	.setup = decap_setup,
	FWD_OPS,
};

const struct bench_workload bench_wl_bridge = {
	.name = "bridge",
	.summary = "VLAN frames on port 0 (trunk) -> port 1 (access), vtepsw's datapath",
	.setup = bridge_setup,
	FWD_OPS,
};
