/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to lib/config: a position index of JSON text, mapping each value's path to its
 * line and column, because jansson does not keep positions of the values it builds.
 *
 * Paths join object keys with '.' and array indices with "[i]": "bridge", "ports[1].vlan",
 * "segments[0].flood[2]"; the top-level value has the empty path "". Lines and columns are
 * 1-based; columns count characters (UTF-8 sequences), as jansson's error positions do.
 * The index is built once from the whole text and is read-only afterwards.
 */
#ifndef VTEP_JSON_LOC_H
#define VTEP_JSON_LOC_H

#include <stdbool.h>
#include <stddef.h>

#include "vtep_config.h"

struct vtep_json_loc_index;

/**
 * Scan @p text once and record the position of every value (and of every object key).
 * The text should already be valid JSON (parse it with jansson first); on malformed text
 * the values seen before the fault stay indexed and the call still succeeds.
 * @param out receives the index; free it with vtep_json_loc_free().
 * @return 0 or -ENOMEM.
 */
int vtep_json_loc_build(const char *text, size_t len, struct vtep_json_loc_index **out);

/** Free an index. NULL is a no-op. */
void vtep_json_loc_free(struct vtep_json_loc_index *idx);

/**
 * Look up a path.
 * @param value out (may be NULL): where the value starts.
 * @param key   out (may be NULL): where its key starts ({0, 0} for array elements and
 *              the top-level value).
 * @return true if the path was found; outputs are untouched otherwise.
 */
bool vtep_json_loc_find(const struct vtep_json_loc_index *idx, const char *path,
			struct vtep_cfg_loc *value, struct vtep_cfg_loc *key);

#endif
