/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Management internals shared by the service files (vtep_mgmt_rpc.c: framework and
 * persistence; vtep_mgmt_show.c: read-only methods; vtep_mgmt_change.c: changes) and the
 * telemetry endpoints. Not a public header.
 */
#ifndef VTEP_MGMT_PRIV_H
#define VTEP_MGMT_PRIV_H

#include <stdbool.h>

#include "vtep_dp.h"
#include "vtep_mgmt.h"

struct vtep_mgmt_service {
	struct vtep_dp *dp;
	struct vtep_mgmt *server;
	char *config_path;                  /* NULL: changes are not persisted */
	char **controllers, **listen;       /* from the start-up config, written back as is */
	unsigned int n_controllers, n_listen;
	unsigned int worker_lcores[VTEP_MAX_WORKERS];
	struct vtep_dp_worker_stats pmd_base[VTEP_MAX_WORKERS]; /* pmd-stats-clear */
};

/* ---- parameters (vtep_mgmt_rpc.c) ---- */

/** Format a method's error message (one line). */
void mgmt_err(char err[VTEP_MGMT_ERR_MAX], const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Reject keys of @p params not in the NULL-terminated @p keys. */
int mgmt_only_keys(const char *method, json_t *params, const char *const *keys,
		   char err[VTEP_MGMT_ERR_MAX]);
/** A string parameter; *out is NULL when absent and not required. */
int mgmt_get_str(json_t *params, const char *key, bool required, const char **out,
		 char err[VTEP_MGMT_ERR_MAX]);
/**
 * An integer parameter in lo..hi; @p what names it in messages ("VLAN ID"). *out is
 * @p absent when missing and not required.
 */
int mgmt_get_int(json_t *params, const char *key, bool required, long long lo, long long hi,
		 const char *what, long long absent, long long *out, char err[VTEP_MGMT_ERR_MAX]);
/** JSON-RPC code for a -errno from a datapath core function. */
int mgmt_code_of_errno(int err);

/* ---- model (vtep_mgmt_rpc.c) ---- */

/**
 * The live configuration, including the start-up controllers. vtep_config_clear() it (also
 * after a failure: @p c is then empty). @return 0 or -ENOMEM.
 */
int mgmt_export(const struct vtep_mgmt_service *s, struct vtep_config *c);
/** Save the live configuration. @return 0 or VTEP_MGMT_E_NOT_SAVED with @p err set. */
int mgmt_persist(struct vtep_mgmt_service *s, json_t *result, char err[VTEP_MGMT_ERR_MAX]);

/* ---- JSON building blocks (vtep_mgmt_show.c) ---- */

json_t *mgmt_ip_json(const struct vtep_ip *ip);
json_t *mgmt_mac_json(const uint8_t mac[6]);
/** The "vtep" settings as show reports them (the keys of the config file). */
json_t *mgmt_vtep_json(const struct vtep_cfg_vtep *v);
/** Counters of a port or tunnel, with the non-zero drop reasons. */
void mgmt_counters_json(json_t *o, const struct vtep_dp_counters *c);

/* ---- methods ---- */

#define MGMT_METHOD(fn) \
	int fn(void *ctx, json_t *params, json_t **result, char err[VTEP_MGMT_ERR_MAX])

MGMT_METHOD(mgmt_show);
MGMT_METHOD(mgmt_dump_ports);
MGMT_METHOD(mgmt_dump_tunnels);
MGMT_METHOD(mgmt_dump_segments);
MGMT_METHOD(mgmt_drop_stats);
MGMT_METHOD(mgmt_fdb_show);
MGMT_METHOD(mgmt_pmd_stats_show);
MGMT_METHOD(mgmt_pmd_stats_clear);
MGMT_METHOD(mgmt_set_log_level);
MGMT_METHOD(mgmt_add_port);
MGMT_METHOD(mgmt_del_port);
MGMT_METHOD(mgmt_add_tunnel);
MGMT_METHOD(mgmt_del_tunnel);
MGMT_METHOD(mgmt_add_segment);
MGMT_METHOD(mgmt_del_segment);
MGMT_METHOD(mgmt_fdb_add);
MGMT_METHOD(mgmt_fdb_del);
MGMT_METHOD(mgmt_fdb_flush);
MGMT_METHOD(mgmt_set_vtep);

#endif
