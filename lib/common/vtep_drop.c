/* SPDX-License-Identifier: BSD-3-Clause */
/* Names and descriptions of drop reasons, generated from the X-macro list. */
#include "vtep_drop.h"

static const char *const drop_names[] = {
#define VTEP_DROP_NAME(id, name, desc) [VTEP_DROP_##id] = name,
	VTEP_DROP_REASONS(VTEP_DROP_NAME)
#undef VTEP_DROP_NAME
};

static const char *const drop_descs[] = {
#define VTEP_DROP_DESC(id, name, desc) [VTEP_DROP_##id] = desc,
	VTEP_DROP_REASONS(VTEP_DROP_DESC)
#undef VTEP_DROP_DESC
};

const char *
vtep_drop_name(unsigned int reason)
{
	return reason < VTEP_DROP__MAX ? drop_names[reason] : "unknown";
}

const char *
vtep_drop_desc(unsigned int reason)
{
	return reason < VTEP_DROP__MAX ? drop_descs[reason] : "unknown drop reason";
}
