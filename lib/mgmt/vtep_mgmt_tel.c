/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry endpoints under /vtepsw/ (read with dpdk-telemetry.py). The callbacks run
 * in DPDK's telemetry thread: each takes the model lock the control thread holds while it
 * changes the datapath, so what they read is consistent and never freed under them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "vtep_mgmt_priv.h"

static struct {
	struct vtep_dp *dp;              /* NULL once detached */
	pthread_mutex_t *lock;
} tel;

/* Take the lock; @return the datapath, or NULL (lock released) when detached. */
static struct vtep_dp *
tel_enter(void)
{
	if (tel.lock == NULL)
		return NULL;
	pthread_mutex_lock(tel.lock);
	if (tel.dp == NULL)
		pthread_mutex_unlock(tel.lock);
	return tel.dp;
}

static void
tel_leave(void)
{
	pthread_mutex_unlock(tel.lock);
}

static void
add_u64(struct rte_tel_data *d, const char *k, uint64_t v)
{
	rte_tel_data_add_dict_u64(d, k, v);
}

/* Names of the ports (ETH) or tunnels. */
static int
tel_names(struct rte_tel_data *d, enum vtep_dp_port_kind kind)
{
	struct vtep_dp_port_info pi;
	struct vtep_dp *dp = tel_enter();

	if (dp == NULL)
		return -ENODEV;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	for (unsigned int i = 0; i < vtep_dp_port_slots(dp); i++)
		if (vtep_dp_port_info(dp, i, &pi) == 0 && pi.kind == kind)
			rte_tel_data_add_array_string(d, pi.name);
	tel_leave();
	return 0;
}

static int
tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	return tel_names(d, VTEP_DP_PORT_ETH);
}

static int
tel_tunnels(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	return tel_names(d, VTEP_DP_PORT_TUNNEL);
}

/* /vtepsw/port,NAME: counters and every drop reason of a port or tunnel. */
static int
tel_port(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vtep_dp_port_info pi;
	struct vtep_dp *dp;
	int idx;

	(void)cmd;
	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	dp = tel_enter();
	if (dp == NULL)
		return -ENODEV;
	idx = vtep_dp_port_find(dp, params);
	if (idx < 0 || vtep_dp_port_info(dp, (unsigned int)idx, &pi) < 0) {
		tel_leave();
		return -ENOENT;
	}
	tel_leave();
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", pi.name);
	rte_tel_data_add_dict_string(d, "kind", pi.kind == VTEP_DP_PORT_ETH ? "port" : "tunnel");
	add_u64(d, "ofport", pi.ofport);
	if (pi.kind == VTEP_DP_PORT_ETH)
		add_u64(d, "ethdev", pi.ethdev);
	add_u64(d, "link_up", pi.link_up);
	add_u64(d, "rx_packets", pi.c.rx_packets);
	add_u64(d, "rx_bytes", pi.c.rx_bytes);
	add_u64(d, "tx_packets", pi.c.tx_packets);
	add_u64(d, "tx_bytes", pi.c.tx_bytes);
	add_u64(d, "drops", pi.c.drops);
	for (unsigned int r = 0; r < VTEP_DROP__MAX; r++) {
		char k[64];

		snprintf(k, sizeof(k), "drop_%s", vtep_drop_name(r));
		add_u64(d, k, pi.c.drop[r]);
	}
	return 0;
}

static int
tel_segments(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vtep_dp_seg_info si;
	struct vtep_dp *dp = tel_enter();

	(void)cmd;
	(void)params;
	if (dp == NULL)
		return -ENODEV;
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	for (unsigned int v = 1; v < VTEP_VLAN_COUNT - 1; v++)
		if (vtep_dp_segment_info(dp, (uint16_t)v, &si) == 0)
			rte_tel_data_add_array_int(d, (int)v);
	tel_leave();
	return 0;
}

/* /vtepsw/segment,VLAN */
static int
tel_segment(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vtep_dp_seg_info si;
	struct vtep_dp *dp;
	char *end;
	long vlan;
	int ret;

	(void)cmd;
	if (params == NULL)
		return -EINVAL;
	vlan = strtol(params, &end, 10);
	if (params[0] == '\0' || *end != '\0' || vlan < 1 || vlan > 4094)
		return -EINVAL;
	dp = tel_enter();
	if (dp == NULL)
		return -ENODEV;
	ret = vtep_dp_segment_info(dp, (uint16_t)vlan, &si);
	tel_leave();
	if (ret < 0)
		return -ENOENT;
	rte_tel_data_start_dict(d);
	add_u64(d, "vlan", si.vlan);
	add_u64(d, "vni", si.vni);
	add_u64(d, "rx_packets", si.rx_packets);
	add_u64(d, "rx_bytes", si.rx_bytes);
	add_u64(d, "tx_packets", si.tx_packets);
	add_u64(d, "tx_bytes", si.tx_bytes);
	add_u64(d, "drops", si.drops);
	return 0;
}

static int
tel_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint64_t drop[VTEP_DROP__MAX];
	struct vtep_dp *dp = tel_enter();

	(void)cmd;
	(void)params;
	if (dp == NULL)
		return -ENODEV;
	vtep_dp_drop_totals(dp, drop);
	tel_leave();
	rte_tel_data_start_dict(d);
	for (unsigned int r = 0; r < VTEP_DROP__MAX; r++)
		add_u64(d, vtep_drop_name(r), drop[r]);
	return 0;
}

/* /vtepsw/workers: per worker busy/idle cycles and cycles per packet (as pmd-stats-show). */
static int
tel_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vtep_dp_worker_stats ws[VTEP_MAX_WORKERS];
	struct vtep_dp *dp = tel_enter();
	unsigned int n;

	(void)cmd;
	(void)params;
	if (dp == NULL)
		return -ENODEV;
	n = vtep_dp_n_workers(dp);
	for (unsigned int w = 0; w < n; w++)
		vtep_dp_worker_stats(dp, w, &ws[w]);
	tel_leave();
	rte_tel_data_start_dict(d);
	add_u64(d, "workers", n);
	for (unsigned int w = 0; w < n; w++) {
		uint64_t total = ws[w].busy_cycles + ws[w].idle_cycles;
		char k[64];

		snprintf(k, sizeof(k), "w%u_iterations", w);
		add_u64(d, k, ws[w].iterations);
		snprintf(k, sizeof(k), "w%u_packets", w);
		add_u64(d, k, ws[w].packets);
		snprintf(k, sizeof(k), "w%u_busy_cycles", w);
		add_u64(d, k, ws[w].busy_cycles);
		snprintf(k, sizeof(k), "w%u_idle_cycles", w);
		add_u64(d, k, ws[w].idle_cycles);
		snprintf(k, sizeof(k), "w%u_busy_pct", w);
		add_u64(d, k, total ? ws[w].busy_cycles * 100 / total : 0);
		snprintf(k, sizeof(k), "w%u_cycles_per_packet", w);
		add_u64(d, k, ws[w].packets ? total / ws[w].packets : 0);
	}
	return 0;
}

static int
tel_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vtep_dp_port_info pi;
	struct vtep_dp_seg_info si;
	struct vtep_dp *dp = tel_enter();
	uint64_t ports = 0, tunnels = 0, segs = 0, fdb;

	(void)cmd;
	(void)params;
	if (dp == NULL)
		return -ENODEV;
	for (unsigned int i = 0; i < vtep_dp_port_slots(dp); i++)
		if (vtep_dp_port_info(dp, i, &pi) == 0) {
			ports += pi.kind == VTEP_DP_PORT_ETH;
			tunnels += pi.kind == VTEP_DP_PORT_TUNNEL;
		}
	for (unsigned int v = 1; v < VTEP_VLAN_COUNT - 1; v++)
		segs += vtep_dp_segment_info(dp, (uint16_t)v, &si) == 0;
	fdb = vtep_fdb_count(vtep_dp_fdb(dp));
	tel_leave();
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "version", VTEPSW_VERSION);
	add_u64(d, "ports", ports);
	add_u64(d, "tunnels", tunnels);
	add_u64(d, "segments", segs);
	add_u64(d, "fdb_entries", fdb);
	return 0;
}

int
vtep_mgmt_telemetry_register(struct vtep_dp *dp, pthread_mutex_t *lock)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{ "/vtepsw/info", tel_info, "vtepsw version and object counts. No parameters" },
		{ "/vtepsw/ports", tel_ports, "Names of the ports. No parameters" },
		{ "/vtepsw/tunnels", tel_tunnels, "Names of the tunnels. No parameters" },
		{ "/vtepsw/port", tel_port,
		  "Counters and drop reasons of a port or tunnel. Parameter: name" },
		{ "/vtepsw/segments", tel_segments, "VLANs mapped to VNIs. No parameters" },
		{ "/vtepsw/segment", tel_segment, "Counters of a segment. Parameter: VLAN" },
		{ "/vtepsw/drops", tel_drops, "Drops of all ports per reason. No parameters" },
		{ "/vtepsw/workers", tel_workers,
		  "Per worker busy/idle cycles and cycles per packet. No parameters" },
	};

	if (lock == NULL || dp == NULL)
		return -EINVAL;
	pthread_mutex_lock(lock);
	tel.lock = lock;
	tel.dp = dp;
	pthread_mutex_unlock(lock);
	for (unsigned int i = 0; i < VTEP_ARRAY_SIZE(cmds); i++) {
		int ret = rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn, cmds[i].help);

		/* -EINVAL: registered before (a second datapath in the same process) */
		if (ret < 0 && ret != -EINVAL)
			return ret;
	}
	return 0;
}

void
vtep_mgmt_telemetry_detach(void)
{
	tel.dp = NULL;
}
