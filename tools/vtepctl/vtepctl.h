/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtepctl internals: aligned text tables and the human-readable printers of each command's
 * result (vtepctl_print.c). The client, the argument parsing and the command table are in
 * vtepctl.c.
 */
#ifndef VTEPCTL_H
#define VTEPCTL_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

/* ---- tables: columns sized to their widest cell; all-numeric columns right-aligned ---- */

struct table;

/** A table with the given column headers (NULL-terminated). Exits on out of memory. */
struct table *table_new(const char *const *headers);
/** Append a row of as many cells as there are columns (copied; NULL prints as "-"). */
void table_row(struct table *t, const char *const *cells);
/** Print (nothing when the table has no rows) and free. */
void table_print_free(struct table *t, FILE *f);

/* ---- JSON field helpers for printers ---- */

/** obj[key] as text: strings as is, integers in decimal, reals with 1 decimal, null "-". */
const char *jtext(json_t *obj, const char *key, char *buf, size_t len);

/* ---- printers: one per command; each gets the result and the parsed options ---- */

struct print_opts {
	bool all;               /* drop-stats --all */
};

typedef void (*vtepctl_printer)(json_t *result, const struct print_opts *o);

void print_show(json_t *r, const struct print_opts *o);
void print_dump_ports(json_t *r, const struct print_opts *o);
void print_dump_tunnels(json_t *r, const struct print_opts *o);
void print_dump_segments(json_t *r, const struct print_opts *o);
void print_drop_stats(json_t *r, const struct print_opts *o);
void print_fdb_show(json_t *r, const struct print_opts *o);
void print_pmd_stats(json_t *r, const struct print_opts *o);
void print_log_levels(json_t *r, const struct print_opts *o);
void print_change(json_t *r, const struct print_opts *o);

#endif
