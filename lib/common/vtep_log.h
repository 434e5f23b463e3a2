/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Logging: one rte_log type per component ("vtepsw.dp", "vtepsw.config", ...), so levels
 * can be changed per component at run time. Never call these per packet.
 */
#ifndef VTEP_LOG_H
#define VTEP_LOG_H

#include <rte_log.h>

enum vtep_log_component {
	VTEP_LOGC_MAIN,
	VTEP_LOGC_CONFIG,
	VTEP_LOGC_PORT,
	VTEP_LOGC_DP,
	VTEP_LOGC_FDB,
	VTEP_LOGC_TUNNEL,
	VTEP_LOGC_UNDERLAY,
	VTEP_LOGC_CTL,
	VTEP_LOGC__MAX
};

/** rte_log type ids, registered by vtep_log_init(). */
extern int vtep_logtype[VTEP_LOGC__MAX];

/**
 * Register the log types. Call once, after rte_eal_init(). Idempotent.
 * @return 0, or -errno if a type could not be registered.
 */
int vtep_log_init(void);

/**
 * Set the level of every vtepsw log type ("vtepsw.*").
 * @param level a name (emerg, alert, crit, err, warning, notice, info, debug) or a number 1..8.
 * @return 0, or -EINVAL for an unknown level.
 */
int vtep_log_set_level(const char *level);

/**
 * Parse a level name (emerg .. debug, also "error", "warn") or a number 1..8.
 * @return the RTE_LOG_* level, or -EINVAL.
 */
int vtep_log_parse_level(const char *level);

/** Name of an RTE_LOG_* level ("info"), or "?" when out of range. */
const char *vtep_log_level_name(int level);

/** rte_log type name of component @p c ("vtepsw.dp"), or NULL when out of range. */
const char *vtep_log_type_name(unsigned int c);

#define VTEP_LOG(comp, lvl, fmt, ...) \
	rte_log(RTE_LOG_##lvl, vtep_logtype[VTEP_LOGC_##comp], \
		"vtepsw: " fmt "\n", ##__VA_ARGS__)

#endif
