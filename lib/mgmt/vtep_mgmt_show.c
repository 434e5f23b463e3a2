/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Read-only vtepctl methods: show, dump-ports/-tunnels/-segments, drop-stats, fdb-show,
 * pmd-stats-show/-clear, and set-log-level (which changes no configuration).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_version.h>

#include "vtep_clock.h"
#include "vtep_log.h"
#include "vtep_mgmt_priv.h"
#include "vtep_port.h"

#define MAX_XSTATS 128

/* ---------------------------------------------------------------- building blocks */

json_t *
mgmt_ip_json(const struct vtep_ip *ip)
{
	char buf[INET6_ADDRSTRLEN];

	if (ip->family == 0)
		return json_null();
	return json_string(vtep_ip_format(ip, buf, sizeof(buf)));
}

json_t *
mgmt_mac_json(const uint8_t mac[6])
{
	char buf[18];

	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
	return json_string(buf);
}

void
mgmt_counters_json(json_t *o, const struct vtep_dp_counters *c)
{
	json_t *d = json_object();

	json_object_set_new(o, "rx_packets", json_integer((json_int_t)c->rx_packets));
	json_object_set_new(o, "rx_bytes", json_integer((json_int_t)c->rx_bytes));
	json_object_set_new(o, "tx_packets", json_integer((json_int_t)c->tx_packets));
	json_object_set_new(o, "tx_bytes", json_integer((json_int_t)c->tx_bytes));
	json_object_set_new(o, "drops", json_integer((json_int_t)c->drops));
	for (unsigned int r = 0; r < VTEP_DROP__MAX; r++)
		if (c->drop[r])
			json_object_set_new(d, vtep_drop_name(r), json_integer((json_int_t)c->drop[r]));
	json_object_set_new(o, "drop_reasons", d);
}

static json_t *
prefixed_ip_json(const struct vtep_ip *ip, unsigned int len)
{
	char buf[INET6_ADDRSTRLEN + 8];
	size_t n;

	if (ip->family == 0)
		return json_null();
	vtep_ip_format(ip, buf, sizeof(buf));
	n = strlen(buf);
	snprintf(buf + n, sizeof(buf) - n, "/%u", len);
	return json_string(buf);
}

static const char *
mode_name(enum vtep_port_mode m)
{
	return m == VTEP_PORT_MODE_ACCESS ? "access" : m == VTEP_PORT_MODE_TRUNK ? "trunk" : "all";
}

static json_t *
trunks_json(const uint64_t *trunks)
{
	json_t *a = json_array();

	for (unsigned int v = 1; v < VTEP_VLAN_COUNT - 1; v++)
		if (vtep_cfg_trunk_has(trunks, (uint16_t)v))
			json_array_append_new(a, json_integer(v));
	return a;
}

/* True if port @p p delivers frames of @p vlan locally. */
static bool
carries(const struct vtep_cfg_port *p, uint16_t vlan)
{
	if (p->role == VTEP_PORT_ROLE_UPLINK)
		return false;
	if (p->mode == VTEP_PORT_MODE_ACCESS)
		return p->vlan == vlan;
	if (p->mode == VTEP_PORT_MODE_TRUNK)
		return vtep_cfg_trunk_has(p->trunks, vlan);
	return true;
}

static int
no_params(const char *method, json_t *params, char err[VTEP_MGMT_ERR_MAX])
{
	static const char *const none[] = { NULL };

	return mgmt_only_keys(method, params, none, err);
}

/* ---------------------------------------------------------------- show */

static json_t *
bridge_json(const struct vtep_config *c)
{
	char dpid[24];

	snprintf(dpid, sizeof(dpid), "0x%016" PRIx64, c->bridge.datapath_id);
	return json_pack("{s:s, s:s, s:s, s:i}", "name", c->bridge.name, "datapath_id", dpid,
			 "fail_mode", c->bridge.fail_mode == VTEP_FAIL_SECURE ? "secure" :
			 "standalone", "mac_aging_s", (int)c->bridge.mac_aging_s);
}

json_t *
mgmt_vtep_json(const struct vtep_cfg_vtep *v)
{
	json_t *o = json_object(), *nb = json_array();

	json_object_set_new(o, "local_ip", prefixed_ip_json(&v->local_ip, v->prefix_len));
	json_object_set_new(o, "local_ip6", prefixed_ip_json(&v->local_ip6, v->prefix_len6));
	json_object_set_new(o, "uplink", v->uplink[0] ? json_string(v->uplink) : json_null());
	json_object_set_new(o, "gateway", mgmt_ip_json(&v->gateway));
	json_object_set_new(o, "gateway6", mgmt_ip_json(&v->gateway6));
	json_object_set_new(o, "udp_port", json_integer(v->udp_port));
	json_object_set_new(o, "mtu", json_integer(v->mtu));
	json_object_set_new(o, "require_known_remote", json_boolean(v->require_known_remote));
	json_object_set_new(o, "stt_reassembly_kb", json_integer(v->stt_reasm_mem_kb));
	json_object_set_new(o, "stt_reassembly_timeout_ms", json_integer(v->stt_reasm_timeout_ms));
	for (unsigned int i = 0; i < v->n_neighbours; i++)
		json_array_append_new(nb, json_pack("{s:o, s:o}", "ip",
						    mgmt_ip_json(&v->neighbours[i].ip), "mac",
						    mgmt_mac_json(v->neighbours[i].mac)));
	json_object_set_new(o, "neighbours", nb);
	return o;
}

/* A port's configuration plus what the device reports. */
static json_t *
port_json(const struct vtep_dp *dp, const struct vtep_cfg_port *p)
{
	json_t *o = json_object();
	struct vtep_dp_port_info pi;
	int idx = vtep_dp_port_find(dp, p->name);

	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "ofport", json_integer(p->ofport));
	json_object_set_new(o, "devargs", json_string(p->devargs));
	json_object_set_new(o, "role", json_string(p->role == VTEP_PORT_ROLE_UPLINK ?
						   "uplink" : "normal"));
	json_object_set_new(o, "mode", json_string(mode_name(p->mode)));
	if (p->mode == VTEP_PORT_MODE_ACCESS)
		json_object_set_new(o, "vlan", json_integer(p->vlan));
	if (p->mode == VTEP_PORT_MODE_TRUNK)
		json_object_set_new(o, "trunks", trunks_json(p->trunks));
	json_object_set_new(o, "rx_queues", json_integer(p->rxq ? p->rxq : 1));
	if (idx >= 0 && vtep_dp_port_info(dp, (unsigned int)idx, &pi) == 0) {
		char name[RTE_ETH_NAME_MAX_LEN] = "";

		rte_eth_dev_get_name_by_port(pi.ethdev, name);
		json_object_set_new(o, "ethdev", json_integer(pi.ethdev));
		json_object_set_new(o, "ethdev_name", json_string(name));
		json_object_set_new(o, "mac", mgmt_mac_json(pi.mac));
		json_object_set_new(o, "link", json_string(pi.link_up ? "up" : "down"));
		json_object_set_new(o, "speed_mbps", json_integer(pi.speed_mbps));
	}
	return o;
}

static json_t *
tunnel_json(const struct vtep_dp *dp, const struct vtep_config *c, const struct vtep_cfg_tunnel *t)
{
	json_t *o = json_object();
	struct vtep_dp_port_info pi;
	int idx = vtep_dp_port_find(dp, t->name);

	json_object_set_new(o, "name", json_string(t->name));
	json_object_set_new(o, "ofport", json_integer(t->ofport));
	json_object_set_new(o, "type", json_string(vtep_tunnel_type_name(t->type)));
	json_object_set_new(o, "remote_ip", mgmt_ip_json(&t->remote_ip));
	if (t->type == VTEP_TUNNEL_VXLAN)
		json_object_set_new(o, "udp_port", json_integer(t->udp_port ? t->udp_port :
								 c->vtep.udp_port));
	if (idx >= 0 && vtep_dp_port_info(dp, (unsigned int)idx, &pi) == 0)
		json_object_set_new(o, "next_hop_resolved", json_boolean(pi.link_up));
	return o;
}

static json_t *
segment_json(const struct vtep_cfg_segment *sg)
{
	json_t *o = json_object(), *fl = json_array();

	json_object_set_new(o, "vlan", json_integer(sg->vlan));
	json_object_set_new(o, "vni", json_integer(sg->vni));
	for (unsigned int f = 0; f < sg->n_flood; f++)
		json_array_append_new(fl, json_string(sg->flood[f]));
	json_object_set_new(o, "flood", fl);
	json_object_set_new(o, "mcast_group", mgmt_ip_json(&sg->mcast_group));
	return o;
}

static json_t *
log_levels_json(void)
{
	json_t *o = json_object();

	for (unsigned int i = 0; i < VTEP_LOGC__MAX; i++)
		json_object_set_new(o, vtep_log_type_name(i) + strlen("vtepsw."),
				    json_string(vtep_log_level_name(rte_log_get_level(
					    vtep_logtype[i]))));
	return o;
}

MGMT_METHOD(mgmt_show)
{
	struct vtep_mgmt_service *s = ctx;
	json_t *r, *ports, *tnls, *segs;
	struct vtep_fdb_entry e;
	uint32_t iter = 0, n_static = 0;
	struct vtep_config c;
	int ret;

	ret = no_params("show", params, err);
	if (ret != 0)
		return ret;
	if (mgmt_export(s, &c) < 0) {
		mgmt_err(err, "out of memory");
		return VTEP_MGMT_E_INTERNAL;
	}
	ports = json_array();
	tnls = json_array();
	segs = json_array();
	for (unsigned int i = 0; i < c.n_ports; i++)
		json_array_append_new(ports, port_json(s->dp, &c.ports[i]));
	for (unsigned int i = 0; i < c.n_tunnels; i++)
		json_array_append_new(tnls, tunnel_json(s->dp, &c, &c.tunnels[i]));
	for (unsigned int i = 0; i < c.n_segments; i++)
		json_array_append_new(segs, segment_json(&c.segments[i]));
	while (vtep_fdb_iterate(vtep_dp_fdb(s->dp), &iter, vtep_clock_sec(), &e) == 1)
		n_static += e.is_static;
	r = json_object();
	json_object_set_new(r, "version", json_string(VTEPSW_VERSION));
	json_object_set_new(r, "dpdk", json_string(rte_version()));
	json_object_set_new(r, "config_file", s->config_path ? json_string(s->config_path) :
			    json_null());
	json_object_set_new(r, "bridge", bridge_json(&c));
	json_object_set_new(r, "vtep", mgmt_vtep_json(&c.vtep));
	json_object_set_new(r, "ports", ports);
	json_object_set_new(r, "tunnels", tnls);
	json_object_set_new(r, "segments", segs);
	json_object_set_new(r, "fdb", json_pack("{s:i, s:i}", "static", (int)n_static, "learned",
						(int)(vtep_fdb_count(vtep_dp_fdb(s->dp)) - n_static)));
	json_object_set_new(r, "workers", json_integer(vtep_dp_n_workers(s->dp)));
	json_object_set_new(r, "log_levels", log_levels_json());
	vtep_config_clear(&c);
	*result = r;
	return 0;
}

/* ---------------------------------------------------------------- dump-ports */

/* Worker polling rx queue @p q of slot @p idx, or -1. */
static int
rxq_worker(const struct vtep_dp *dp, unsigned int idx, uint16_t q)
{
	struct vtep_dp_rxq_info rq[VTEP_MAX_PORTS];

	for (unsigned int w = 0; w < vtep_dp_n_workers(dp); w++) {
		unsigned int n = vtep_dp_worker_rxqs(dp, w, rq, VTEP_ARRAY_SIZE(rq));

		for (unsigned int i = 0; i < n; i++)
			if (rq[i].port == idx && rq[i].queue == q)
				return (int)w;
	}
	return -1;
}

/* The transmit offloads vtepsw uses on a port now (VTEP_PORT_OFL_*). */
static json_t *
offloads_json(const struct vtep_port *dev)
{
	uint32_t ofl = __atomic_load_n(&dev->offloads, __ATOMIC_RELAXED);
	json_t *a = json_array();

	if (ofl & VTEP_PORT_OFL_MULTI_SEGS)
		json_array_append_new(a, json_string("multi_segs"));
	if (ofl & VTEP_PORT_OFL_TSO)
		json_array_append_new(a, json_string("tso"));
	if (ofl & VTEP_PORT_OFL_TSO4)
		json_array_append_new(a, json_string("stt_tso"));
	if (ofl & VTEP_PORT_OFL_CSUM)
		json_array_append_new(a, json_string("stt_csum"));
	return a;
}

/* Offloads, device counters, per-queue counters and driver xstats of an ETH port. */
static void
device_json(const struct vtep_dp *dp, unsigned int idx, json_t *o)
{
	struct vtep_port *dev = vtep_dp_port_dev(dp, idx);
	struct vtep_port_xstat *xs;
	struct rte_eth_stats st;
	json_t *rxq, *txq;
	int n;

	if (dev == NULL)
		return;
	json_object_set_new(o, "offloads", offloads_json(dev));
	if (vtep_port_hw_stats(dev, &st) == 0) {
		json_object_set_new(o, "device", json_pack(
			"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"ipackets", (json_int_t)st.ipackets, "ibytes", (json_int_t)st.ibytes,
			"opackets", (json_int_t)st.opackets, "obytes", (json_int_t)st.obytes,
			"imissed", (json_int_t)st.imissed, "ierrors", (json_int_t)st.ierrors,
			"oerrors", (json_int_t)st.oerrors, "rx_nombuf", (json_int_t)st.rx_nombuf));
		rxq = json_array();
		txq = json_array();
		for (uint16_t q = 0; q < dev->n_rxq && q < RTE_ETHDEV_QUEUE_STAT_CNTRS; q++)
			json_array_append_new(rxq, json_pack("{s:i, s:i, s:I, s:I}", "queue", q,
				"worker", rxq_worker(dp, idx, q), "packets",
				(json_int_t)st.q_ipackets[q], "bytes", (json_int_t)st.q_ibytes[q]));
		for (uint16_t q = 0; q < dev->n_txq && q < RTE_ETHDEV_QUEUE_STAT_CNTRS; q++)
			json_array_append_new(txq, json_pack("{s:i, s:I, s:I}", "queue", q,
				"packets", (json_int_t)st.q_opackets[q], "bytes",
				(json_int_t)st.q_obytes[q]));
		json_object_set_new(o, "rx_queues", rxq);
		json_object_set_new(o, "tx_queues", txq);
	}
	xs = calloc(MAX_XSTATS, sizeof(*xs));
	if (xs == NULL)
		return;
	n = vtep_port_xstats(dev, xs, MAX_XSTATS);
	if (n > 0) {
		json_t *x = json_object();

		for (int i = 0; i < n && i < MAX_XSTATS; i++)
			json_object_set_new(x, xs[i].name, json_integer((json_int_t)xs[i].value));
		json_object_set_new(o, "xstats", x);
	}
	free(xs);
}

/*
 * Shared walk of dump-ports and dump-tunnels: @p kind selects, @p name (may be NULL)
 * filters; a name of the other kind is a clear error.
 */
static int
dump_kind(struct vtep_mgmt_service *s, const char *method, json_t *params,
	  enum vtep_dp_port_kind kind, json_t **result, char err[VTEP_MGMT_ERR_MAX])
{
	static const char *const keys[] = { "name", NULL };
	const char *what = kind == VTEP_DP_PORT_ETH ? "port" : "tunnel";
	struct vtep_dp_port_info pi;
	const char *name;
	json_t *list;
	int ret;

	ret = mgmt_only_keys(method, params, keys, err);
	if (ret == 0)
		ret = mgmt_get_str(params, "name", false, &name, err);
	if (ret != 0)
		return ret;
	if (name != NULL) {
		int idx = vtep_dp_port_find(s->dp, name);

		if (idx < 0 || vtep_dp_port_info(s->dp, (unsigned int)idx, &pi) < 0) {
			mgmt_err(err, "no %s named '%.64s'", what, name);
			return VTEP_MGMT_E_NOT_FOUND;
		}
		if (pi.kind != kind) {
			mgmt_err(err, "'%.64s' is a %s, not a %s (see %s)", name,
				kind == VTEP_DP_PORT_ETH ? "tunnel" : "port", what,
				kind == VTEP_DP_PORT_ETH ? "dump-tunnels" : "dump-ports");
			return VTEP_MGMT_E_NOT_FOUND;
		}
	}
	list = json_array();
	for (unsigned int i = 0; i < vtep_dp_port_slots(s->dp); i++) {
		json_t *o;

		if (vtep_dp_port_info(s->dp, i, &pi) < 0 || pi.kind != kind)
			continue;
		if (name != NULL && strcmp(name, pi.name) != 0)
			continue;
		o = json_object();
		json_object_set_new(o, "name", json_string(pi.name));
		json_object_set_new(o, "ofport", json_integer(pi.ofport));
		if (kind == VTEP_DP_PORT_ETH) {
			char ename[RTE_ETH_NAME_MAX_LEN] = "";

			rte_eth_dev_get_name_by_port(pi.ethdev, ename);
			json_object_set_new(o, "ethdev", json_integer(pi.ethdev));
			json_object_set_new(o, "ethdev_name", json_string(ename));
			json_object_set_new(o, "link", json_string(pi.link_up ? "up" : "down"));
			json_object_set_new(o, "speed_mbps", json_integer(pi.speed_mbps));
			json_object_set_new(o, "mac", mgmt_mac_json(pi.mac));
		} else {
			json_object_set_new(o, "type", json_string(vtep_tunnel_type_name(
				pi.tnl_type)));
			json_object_set_new(o, "remote_ip", mgmt_ip_json(&pi.remote));
			json_object_set_new(o, "multicast", json_boolean(
				vtep_dp_port_is_mcast(s->dp, i)));
			json_object_set_new(o, "learned", json_boolean(pi.learned));
			json_object_set_new(o, "next_hop_resolved", json_boolean(pi.link_up));
		}
		mgmt_counters_json(o, &pi.c);
		if (kind == VTEP_DP_PORT_ETH)
			device_json(s->dp, i, o);
		json_array_append_new(list, o);
	}
	*result = json_pack("{s:o}", kind == VTEP_DP_PORT_ETH ? "ports" : "tunnels", list);
	return 0;
}

MGMT_METHOD(mgmt_dump_ports)
{
	return dump_kind(ctx, "dump-ports", params, VTEP_DP_PORT_ETH, result, err);
}

MGMT_METHOD(mgmt_dump_tunnels)
{
	return dump_kind(ctx, "dump-tunnels", params, VTEP_DP_PORT_TUNNEL, result, err);
}

/* ---------------------------------------------------------------- dump-segments */

MGMT_METHOD(mgmt_dump_segments)
{
	static const char *const keys[] = { "vlan", NULL };
	struct vtep_mgmt_service *s = ctx;
	struct vtep_config c;
	long long vlan;
	json_t *list;
	int ret;

	ret = mgmt_only_keys("dump-segments", params, keys, err);
	if (ret == 0)
		ret = mgmt_get_int(params, "vlan", false, 1, 4094, "VLAN ID", -1, &vlan, err);
	if (ret != 0)
		return ret;
	if (mgmt_export(s, &c) < 0) {
		mgmt_err(err, "out of memory");
		return VTEP_MGMT_E_INTERNAL;
	}
	list = json_array();
	for (unsigned int i = 0; i < c.n_segments; i++) {
		const struct vtep_cfg_segment *sg = &c.segments[i];
		struct vtep_dp_seg_info si;
		json_t *o, *lp;

		if (vlan >= 0 && sg->vlan != vlan)
			continue;
		o = segment_json(sg);
		lp = json_array();
		for (unsigned int p = 0; p < c.n_ports; p++)
			if (carries(&c.ports[p], sg->vlan))
				json_array_append_new(lp, json_string(c.ports[p].name));
		json_object_set_new(o, "local_ports", lp);
		if (vtep_dp_segment_info(s->dp, sg->vlan, &si) == 0) {
			json_object_set_new(o, "rx_packets", json_integer((json_int_t)si.rx_packets));
			json_object_set_new(o, "rx_bytes", json_integer((json_int_t)si.rx_bytes));
			json_object_set_new(o, "tx_packets", json_integer((json_int_t)si.tx_packets));
			json_object_set_new(o, "tx_bytes", json_integer((json_int_t)si.tx_bytes));
			json_object_set_new(o, "drops", json_integer((json_int_t)si.drops));
		}
		json_array_append_new(list, o);
	}
	vtep_config_clear(&c);
	if (vlan >= 0 && json_array_size(list) == 0) {
		json_decref(list);
		mgmt_err(err, "no segment for VLAN %lld", vlan);
		return VTEP_MGMT_E_NOT_FOUND;
	}
	*result = json_pack("{s:o}", "segments", list);
	return 0;
}

/* ---------------------------------------------------------------- drop-stats */

MGMT_METHOD(mgmt_drop_stats)
{
	struct vtep_mgmt_service *s = ctx;
	json_t *per[VTEP_DROP__MAX], *list;
	struct vtep_dp_port_info pi;
	uint64_t tot[VTEP_DROP__MAX] = { 0 }, all = 0;
	int ret;

	ret = no_params("drop-stats", params, err);
	if (ret != 0)
		return ret;
	for (unsigned int r = 0; r < VTEP_DROP__MAX; r++)
		per[r] = json_object();
	for (unsigned int i = 0; i < vtep_dp_port_slots(s->dp); i++) {
		if (vtep_dp_port_info(s->dp, i, &pi) < 0)
			continue;
		for (unsigned int r = 0; r < VTEP_DROP__MAX; r++) {
			if (pi.c.drop[r] == 0)
				continue;
			tot[r] += pi.c.drop[r];
			json_object_set_new(per[r], pi.name, json_integer((json_int_t)pi.c.drop[r]));
		}
	}
	list = json_array();
	for (unsigned int r = 0; r < VTEP_DROP__MAX; r++) {
		all += tot[r];
		json_array_append_new(list, json_pack("{s:s, s:I, s:s, s:o}", "reason",
						      vtep_drop_name(r), "count", (json_int_t)tot[r],
						      "description", vtep_drop_desc(r), "ports",
						      per[r]));
	}
	*result = json_pack("{s:I, s:o}", "total", (json_int_t)all, "reasons", list);
	return 0;
}

/* ---------------------------------------------------------------- fdb-show */

static int
cmp_entry(const void *a, const void *b)
{
	const struct vtep_fdb_entry *x = a, *y = b;

	if (x->vlan != y->vlan)
		return x->vlan < y->vlan ? -1 : 1;
	return memcmp(x->mac, y->mac, 6);
}

MGMT_METHOD(mgmt_fdb_show)
{
	static const char *const keys[] = { "vlan", "port", NULL };
	struct vtep_mgmt_service *s = ctx;
	struct vtep_fdb *fdb = vtep_dp_fdb(s->dp);
	struct vtep_fdb_entry *ents;
	struct vtep_dp_port_info pi;
	uint32_t iter = 0, n = 0, cap = vtep_fdb_count(fdb) + 1;
	const char *port;
	long long vlan;
	int pidx = -1, ret;
	json_t *list;

	ret = mgmt_only_keys("fdb-show", params, keys, err);
	if (ret == 0)
		ret = mgmt_get_int(params, "vlan", false, 1, 4094, "VLAN ID", -1, &vlan, err);
	if (ret == 0)
		ret = mgmt_get_str(params, "port", false, &port, err);
	if (ret != 0)
		return ret;
	if (port != NULL && (pidx = vtep_dp_port_find(s->dp, port)) < 0) {
		mgmt_err(err, "no port or tunnel named '%.64s'", port);
		return VTEP_MGMT_E_NOT_FOUND;
	}
	ents = calloc(cap, sizeof(*ents));
	if (ents == NULL) {
		mgmt_err(err, "out of memory");
		return VTEP_MGMT_E_INTERNAL;
	}
	while (n < cap && vtep_fdb_iterate(fdb, &iter, vtep_clock_sec(), &ents[n]) == 1)
		if ((vlan < 0 || ents[n].vlan == vlan) && (pidx < 0 || ents[n].port == pidx))
			n++;
	qsort(ents, n, sizeof(*ents), cmp_entry);
	list = json_array();
	for (uint32_t i = 0; i < n; i++) {
		const struct vtep_fdb_entry *e = &ents[i];
		bool known = vtep_dp_port_info(s->dp, e->port, &pi) == 0;

		json_array_append_new(list, json_pack("{s:i, s:o, s:s, s:s, s:i}", "vlan", e->vlan,
			"mac", mgmt_mac_json(e->mac), "port", known ? pi.name : "?", "type",
			e->is_static ? "static" : "learned", "age_s", (int)e->age_s));
	}
	free(ents);
	*result = json_pack("{s:o}", "entries", list);
	return 0;
}

/* ---------------------------------------------------------------- pmd-stats */

static void
stats_sub(struct vtep_dp_worker_stats *a, const struct vtep_dp_worker_stats *b)
{
	a->busy_cycles -= b->busy_cycles;
	a->idle_cycles -= b->idle_cycles;
	a->packets -= b->packets;
	a->iterations -= b->iterations;
}

MGMT_METHOD(mgmt_pmd_stats_show)
{
	struct vtep_mgmt_service *s = ctx;
	struct vtep_dp_rxq_info rq[VTEP_MAX_PORTS];
	struct vtep_dp_port_info pi;
	json_t *list;
	int ret;

	ret = no_params("pmd-stats-show", params, err);
	if (ret != 0)
		return ret;
	list = json_array();
	for (unsigned int w = 0; w < vtep_dp_n_workers(s->dp); w++) {
		struct vtep_dp_worker_stats ws;
		unsigned int n = vtep_dp_worker_rxqs(s->dp, w, rq, VTEP_ARRAY_SIZE(rq));
		uint64_t total;
		json_t *o, *qa = json_array();

		vtep_dp_worker_stats(s->dp, w, &ws);
		stats_sub(&ws, &s->pmd_base[w]);
		total = ws.busy_cycles + ws.idle_cycles;
		for (unsigned int i = 0; i < n; i++)
			json_array_append_new(qa, json_pack("{s:s, s:i}", "port",
				vtep_dp_port_info(s->dp, rq[i].port, &pi) == 0 ? pi.name : "?",
				"queue", rq[i].queue));
		o = json_object();
		json_object_set_new(o, "worker", json_integer(w));
		json_object_set_new(o, "lcore", json_integer(s->worker_lcores[w]));
		json_object_set_new(o, "iterations", json_integer((json_int_t)ws.iterations));
		json_object_set_new(o, "packets", json_integer((json_int_t)ws.packets));
		json_object_set_new(o, "busy_cycles", json_integer((json_int_t)ws.busy_cycles));
		json_object_set_new(o, "idle_cycles", json_integer((json_int_t)ws.idle_cycles));
		json_object_set_new(o, "busy_pct", json_real(total ? 100.0 * (double)ws.busy_cycles /
							       (double)total : 0.0));
		json_object_set_new(o, "cycles_per_packet", json_real(ws.packets ?
			(double)total / (double)ws.packets : 0.0));
		json_object_set_new(o, "busy_cycles_per_packet", json_real(ws.packets ?
			(double)ws.busy_cycles / (double)ws.packets : 0.0));
		json_object_set_new(o, "packets_per_iteration", json_real(ws.iterations ?
			(double)ws.packets / (double)ws.iterations : 0.0));
		json_object_set_new(o, "rx_queues", qa);
		json_array_append_new(list, o);
	}
	*result = json_pack("{s:I, s:o}", "tsc_hz", (json_int_t)rte_get_tsc_hz(), "workers", list);
	return 0;
}

MGMT_METHOD(mgmt_pmd_stats_clear)
{
	struct vtep_mgmt_service *s = ctx;
	int ret;

	ret = no_params("pmd-stats-clear", params, err);
	if (ret != 0)
		return ret;
	for (unsigned int w = 0; w < vtep_dp_n_workers(s->dp); w++)
		vtep_dp_worker_stats(s->dp, w, &s->pmd_base[w]);
	*result = json_object();
	return 0;
}

/* ---------------------------------------------------------------- set-log-level */

MGMT_METHOD(mgmt_set_log_level)
{
	static const char *const keys[] = { "level", "component", NULL };
	const char *level, *comp;
	int lvl, ret, which = -1;

	(void)ctx;
	ret = mgmt_only_keys("set-log-level", params, keys, err);
	if (ret == 0)
		ret = mgmt_get_str(params, "level", true, &level, err);
	if (ret == 0)
		ret = mgmt_get_str(params, "component", false, &comp, err);
	if (ret != 0)
		return ret;
	lvl = vtep_log_parse_level(level);
	if (lvl < 0) {
		mgmt_err(err, "level: unknown level '%.32s' (emerg, alert, crit, err, warning, "
			"notice, info, debug)", level);
		return VTEP_MGMT_E_PARAMS;
	}
	if (comp != NULL && strcmp(comp, "all") != 0) {
		char names[256] = "";
		size_t off = 0;

		for (unsigned int i = 0; i < VTEP_LOGC__MAX; i++) {
			const char *short_name = vtep_log_type_name(i) + strlen("vtepsw.");

			if (strcmp(comp, short_name) == 0 || strcmp(comp, vtep_log_type_name(i)) == 0)
				which = (int)i;
			off += (size_t)snprintf(names + off, sizeof(names) - off, "%s, ", short_name);
		}
		if (which < 0) {
			mgmt_err(err, "component: unknown component '%.32s' (%sall)", comp, names);
			return VTEP_MGMT_E_PARAMS;
		}
	}
	for (unsigned int i = 0; i < VTEP_LOGC__MAX; i++)
		if (which < 0 || (unsigned int)which == i)
			rte_log_set_level(vtep_logtype[i], (uint32_t)lvl);
	VTEP_LOG(CTL, NOTICE, "log level of %s set to %s", which < 0 ? "vtepsw.*" :
		 vtep_log_type_name((unsigned int)which), vtep_log_level_name(lvl));
	*result = json_pack("{s:o}", "log_levels", log_levels_json());
	return 0;
}
