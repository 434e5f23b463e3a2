/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-component rte_log types and run-time level changes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vtep_common.h"
#include "vtep_log.h"

int vtep_logtype[VTEP_LOGC__MAX];

static const char *const log_names[VTEP_LOGC__MAX] = {
	[VTEP_LOGC_MAIN] = "vtepsw.main",
	[VTEP_LOGC_CONFIG] = "vtepsw.config",
	[VTEP_LOGC_PORT] = "vtepsw.port",
	[VTEP_LOGC_DP] = "vtepsw.dp",
	[VTEP_LOGC_FDB] = "vtepsw.fdb",
	[VTEP_LOGC_TUNNEL] = "vtepsw.tunnel",
	[VTEP_LOGC_UNDERLAY] = "vtepsw.underlay",
	[VTEP_LOGC_CTL] = "vtepsw.ctl",
};

int
vtep_log_init(void)
{
	for (unsigned int i = 0; i < VTEP_LOGC__MAX; i++) {
		int t = rte_log_register_type_and_pick_level(log_names[i], RTE_LOG_INFO);

		if (t < 0)
			return -ENOMEM;
		vtep_logtype[i] = t;
	}
	return 0;
}

static const char *const level_names[] = { "", "emerg", "alert", "crit", "err", "warning",
					   "notice", "info", "debug" };

int
vtep_log_parse_level(const char *s)
{
	const char *const *names = level_names;
	char *end;
	long n;

	for (unsigned int i = 1; i < VTEP_ARRAY_SIZE(level_names); i++)
		if (strcasecmp(s, names[i]) == 0)
			return (int)i;
	if (strcasecmp(s, "error") == 0)
		return RTE_LOG_ERR;
	if (strcasecmp(s, "warn") == 0)
		return RTE_LOG_WARNING;
	n = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || n < RTE_LOG_EMERG || n > RTE_LOG_DEBUG)
		return -EINVAL;
	return (int)n;
}

int
vtep_log_set_level(const char *level)
{
	int lvl = vtep_log_parse_level(level);

	if (lvl < 0)
		return lvl;
	return rte_log_set_level_pattern("vtepsw.*", (uint32_t)lvl) < 0 ? -EINVAL : 0;
}

const char *
vtep_log_type_name(unsigned int c)
{
	return c < VTEP_LOGC__MAX ? log_names[c] : NULL;
}

const char *
vtep_log_level_name(int level)
{
	return level >= (int)RTE_LOG_EMERG && level <= (int)RTE_LOG_DEBUG ? level_names[level] : "?";
}
