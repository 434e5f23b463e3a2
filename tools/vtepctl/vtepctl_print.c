/* SPDX-License-Identifier: BSD-3-Clause */
/* vtepctl: aligned tables and the human-readable output of every command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtepctl.h"

#define MAX_COLS 16

struct table {
	unsigned int ncols, nrows, cap;
	const char *const *headers;
	char **cells;                       /* nrows * ncols */
};

static void *
xalloc(void *p)
{
	if (p == NULL) {
		fprintf(stderr, "vtepctl: out of memory\n");
		exit(1);
	}
	return p;
}

struct table *
table_new(const char *const *headers)
{
	struct table *t = xalloc(calloc(1, sizeof(*t)));

	while (headers[t->ncols] != NULL && t->ncols < MAX_COLS)
		t->ncols++;
	t->headers = headers;
	return t;
}

void
table_row(struct table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = xalloc(realloc(t->cells, sizeof(char *) * t->cap * t->ncols));
	}
	for (unsigned int c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] = xalloc(strdup(cells[c] ? cells[c] : "-"));
	t->nrows++;
}

static bool
numeric(const char *s)
{
	if (*s == '-' && s[1] == '\0')
		return true; /* "no value" fits any column */
	if (*s == '-')
		s++;
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if ((*s < '0' || *s > '9') && *s != '.' && *s != '%')
			return false;
	return true;
}

void
table_print_free(struct table *t, FILE *f)
{
	size_t w[MAX_COLS] = { 0 };
	bool right[MAX_COLS];

	for (unsigned int c = 0; c < t->ncols; c++) {
		w[c] = strlen(t->headers[c]);
		right[c] = t->nrows > 0;
		for (unsigned int r = 0; r < t->nrows; r++) {
			const char *s = t->cells[r * t->ncols + c];

			if (strlen(s) > w[c])
				w[c] = strlen(s);
			right[c] = right[c] && numeric(s);
		}
	}
	for (unsigned int r = 0; t->nrows > 0 && r <= t->nrows; r++) {
		for (unsigned int c = 0; c < t->ncols; c++) {
			const char *s = r == 0 ? t->headers[c] : t->cells[(r - 1) * t->ncols + c];
			bool last = c + 1 == t->ncols;

			if (right[c])
				fprintf(f, "%*s%s", (int)w[c], s, last ? "" : "  ");
			else if (last)
				fputs(s, f);
			else
				fprintf(f, "%-*s  ", (int)w[c], s);
		}
		fputc('\n', f);
	}
	for (unsigned int i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

/* A further table of a command's output: a blank line, then the table, if it has rows. */
static void
table_print_section(struct table *t)
{
	if (t->nrows > 0)
		putchar('\n');
	table_print_free(t, stdout);
}

const char *
jtext(json_t *obj, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.1f", json_real_value(v));
	else if (json_is_true(v))
		snprintf(buf, len, "yes");
	else if (json_is_false(v))
		snprintf(buf, len, "no");
	else
		return "-";
	return buf;
}

/* Join the strings (or integers) of array obj[key] with ','; "-" when empty. */
static const char *
jlist(json_t *obj, const char *key, char *buf, size_t len)
{
	json_t *a = json_object_get(obj, key), *e;
	size_t i, o = 0;

	buf[0] = '\0';
	json_array_foreach(a, i, e) {
		if (o + 2 >= len)
			break;
		if (json_is_string(e))
			o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "," : "",
					      json_string_value(e));
		else if (json_is_integer(e))
			o += (size_t)snprintf(buf + o, len - o, "%s%" JSON_INTEGER_FORMAT,
					      i ? "," : "", json_integer_value(e));
	}
	return buf[0] ? buf : "-";
}

/* ---------------------------------------------------------------- show */

void
print_show(json_t *r, const struct print_opts *o)
{
	static const char *const ph[] = { "PORT", "OFPORT", "ROLE", "MODE", "VLANS", "LINK",
					  "ETHDEV", "MAC", "DEVARGS", NULL };
	static const char *const th[] = { "TUNNEL", "OFPORT", "TYPE", "REMOTE", "UDP-PORT",
					  "NEXT-HOP", NULL };
	static const char *const sh[] = { "VLAN", "VNI", "FLOOD", "MCAST-GROUP", NULL };
	json_t *b = json_object_get(r, "bridge"), *v = json_object_get(r, "vtep"), *e;
	char b1[64], b2[64], b3[64], b4[64], b5[64], b6[512];
	struct table *t;
	size_t i;

	(void)o;
	printf("vtepsw %s (%s), config %s\n", jtext(r, "version", b1, sizeof(b1)),
	       jtext(r, "dpdk", b2, sizeof(b2)), jtext(r, "config_file", b3, sizeof(b3)));
	printf("bridge %s: datapath_id %s, fail_mode %s, mac_aging %ss\n",
	       jtext(b, "name", b1, sizeof(b1)), jtext(b, "datapath_id", b2, sizeof(b2)),
	       jtext(b, "fail_mode", b3, sizeof(b3)), jtext(b, "mac_aging_s", b4, sizeof(b4)));
	printf("vtep: local_ip %s, local_ip6 %s, uplink %s, gateway %s, udp_port %s, mtu %s\n",
	       jtext(v, "local_ip", b1, sizeof(b1)), jtext(v, "local_ip6", b2, sizeof(b2)),
	       jtext(v, "uplink", b3, sizeof(b3)), jtext(v, "gateway", b4, sizeof(b4)),
	       jtext(v, "udp_port", b5, sizeof(b5)), jtext(v, "mtu", b6, sizeof(b6)));
	printf("workers %s; fdb: %s static, %s learned\n",
	       jtext(r, "workers", b1, sizeof(b1)),
	       jtext(json_object_get(r, "fdb"), "static", b2, sizeof(b2)),
	       jtext(json_object_get(r, "fdb"), "learned", b3, sizeof(b3)));

	t = table_new(ph);
	json_array_foreach(json_object_get(r, "ports"), i, e) {
		const char *mode = json_string_value(json_object_get(e, "mode"));
		const char *vl = "all";

		if (mode != NULL && strcmp(mode, "access") == 0)
			vl = jtext(e, "vlan", b4, sizeof(b4));
		else if (mode != NULL && strcmp(mode, "trunk") == 0)
			vl = jlist(e, "trunks", b6, sizeof(b6));
		else if (strcmp(jtext(e, "role", b5, sizeof(b5)), "uplink") == 0)
			vl = "-";
		table_row(t, (const char *const[]){ jtext(e, "name", b1, sizeof(b1)),
			jtext(e, "ofport", b2, sizeof(b2)), jtext(e, "role", b5, sizeof(b5)), mode,
			vl, jtext(e, "link", b3, sizeof(b3)),
			json_string_value(json_object_get(e, "ethdev_name")),
			json_string_value(json_object_get(e, "mac")),
			json_string_value(json_object_get(e, "devargs")) });
	}
	putchar('\n');
	if (json_array_size(json_object_get(r, "ports")) == 0)
		printf("no ports\n");
	table_print_free(t, stdout);

	t = table_new(th);
	json_array_foreach(json_object_get(r, "tunnels"), i, e) {
		json_t *res = json_object_get(e, "next_hop_resolved");

		table_row(t, (const char *const[]){ jtext(e, "name", b1, sizeof(b1)),
			jtext(e, "ofport", b2, sizeof(b2)), jtext(e, "type", b3, sizeof(b3)),
			jtext(e, "remote_ip", b4, sizeof(b4)), jtext(e, "udp_port", b5, sizeof(b5)),
			json_is_true(res) ? "resolved" : "unresolved" });
	}
	putchar('\n');
	if (json_array_size(json_object_get(r, "tunnels")) == 0)
		printf("no tunnels\n");
	table_print_free(t, stdout);

	t = table_new(sh);
	json_array_foreach(json_object_get(r, "segments"), i, e)
		table_row(t, (const char *const[]){ jtext(e, "vlan", b1, sizeof(b1)),
			jtext(e, "vni", b2, sizeof(b2)), jlist(e, "flood", b6, sizeof(b6)),
			jtext(e, "mcast_group", b3, sizeof(b3)) });
	putchar('\n');
	if (json_array_size(json_object_get(r, "segments")) == 0)
		printf("no segments\n");
	table_print_free(t, stdout);
}

/* ---------------------------------------------------------------- counters */

/* One row per non-zero drop reason of each element of @p list. */
static void
print_drop_reasons(json_t *list, const char *what)
{
	const char *const h[] = { what, "DROP-REASON", "PACKETS", NULL };
	struct table *t = table_new(h);
	char b1[64], b2[32];
	json_t *e, *v;
	const char *k;
	size_t i;

	json_array_foreach(list, i, e)
		json_object_foreach(json_object_get(e, "drop_reasons"), k, v) {
			snprintf(b2, sizeof(b2), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			table_row(t, (const char *const[]){ jtext(e, "name", b1, sizeof(b1)), k,
							    b2 });
		}
	table_print_section(t);
}

void
print_dump_ports(json_t *r, const struct print_opts *o)
{
	static const char *const h[] = { "PORT", "OFPORT", "ETHDEV", "LINK", "RX-PACKETS",
					 "RX-BYTES", "TX-PACKETS", "TX-BYTES", "DROPS", NULL };
	static const char *const qh[] = { "PORT", "QUEUE", "DIR", "WORKER", "PACKETS", "BYTES",
					  NULL };
	static const char *const ch[] = { "PORT", "DEVICE-COUNTER", "VALUE", NULL };
	json_t *list = json_object_get(r, "ports"), *e, *q, *v;
	char b[9][64], ed[96];
	struct table *t = table_new(h);
	const char *k;
	size_t i, j;

	(void)o;
	json_array_foreach(list, i, e) {
		snprintf(ed, sizeof(ed), "%s %s", jtext(e, "ethdev", b[0], sizeof(b[0])),
			 jtext(e, "ethdev_name", b[1], sizeof(b[1])));
		table_row(t, (const char *const[]){ jtext(e, "name", b[2], 64),
			jtext(e, "ofport", b[3], 64), ed, jtext(e, "link", b[4], 64),
			jtext(e, "rx_packets", b[5], 64), jtext(e, "rx_bytes", b[6], 64),
			jtext(e, "tx_packets", b[7], 64), jtext(e, "tx_bytes", b[8], 64),
			jtext(e, "drops", b[0], 64) });
	}
	if (json_array_size(list) == 0)
		printf("no ports\n");
	table_print_free(t, stdout);
	print_drop_reasons(list, "PORT");

	t = table_new(qh);
	json_array_foreach(list, i, e) {
		json_array_foreach(json_object_get(e, "rx_queues"), j, q) {
			json_int_t w = json_integer_value(json_object_get(q, "worker"));

			table_row(t, (const char *const[]){ jtext(e, "name", b[0], 64),
				jtext(q, "queue", b[1], 64), "rx", w < 0 ? "-" :
				jtext(q, "worker", b[2], 64), jtext(q, "packets", b[3], 64),
				jtext(q, "bytes", b[4], 64) });
		}
		json_array_foreach(json_object_get(e, "tx_queues"), j, q)
			table_row(t, (const char *const[]){ jtext(e, "name", b[0], 64),
				jtext(q, "queue", b[1], 64), "tx", "-",
				jtext(q, "packets", b[3], 64), jtext(q, "bytes", b[4], 64) });
	}
	table_print_section(t);

	t = table_new(ch);
	json_array_foreach(list, i, e) {
		json_t *ofl = json_object_get(e, "offloads");

		ed[0] = '\0';
		json_array_foreach(ofl, j, v)
			snprintf(ed + strlen(ed), sizeof(ed) - strlen(ed), "%s%s", j ? "," : "",
				 json_string_value(v));
		if (json_is_array(ofl))
			table_row(t, (const char *const[]){ jtext(e, "name", b[0], 64), "offloads",
				ed[0] ? ed : "-" });
		json_object_foreach(json_object_get(e, "device"), k, v)
			table_row(t, (const char *const[]){ jtext(e, "name", b[0], 64), k,
				jtext(json_object_get(e, "device"), k, b[1], 64) });
		json_object_foreach(json_object_get(e, "xstats"), k, v) {
			snprintf(ed, sizeof(ed), "xstat:%s", k);
			table_row(t, (const char *const[]){ jtext(e, "name", b[0], 64), ed,
				jtext(json_object_get(e, "xstats"), k, b[1], 64) });
		}
	}
	table_print_section(t);
}

void
print_dump_tunnels(json_t *r, const struct print_opts *o)
{
	static const char *const h[] = { "TUNNEL", "OFPORT", "TYPE", "REMOTE", "NEXT-HOP",
					 "RX-PACKETS", "RX-BYTES", "TX-PACKETS", "TX-BYTES",
					 "DROPS", NULL };
	json_t *list = json_object_get(r, "tunnels"), *e;
	struct table *t = table_new(h);
	char b[10][64];
	size_t i;

	(void)o;
	json_array_foreach(list, i, e) {
		const char *nh = json_is_true(json_object_get(e, "next_hop_resolved")) ?
				 "resolved" : "unresolved";

		if (json_is_true(json_object_get(e, "multicast")))
			nh = "multicast";
		else if (json_is_true(json_object_get(e, "learned")))
			nh = json_is_true(json_object_get(e, "next_hop_resolved")) ?
			     "learned,resolved" : "learned,unresolved";
		table_row(t, (const char *const[]){ jtext(e, "name", b[0], 64),
			jtext(e, "ofport", b[1], 64), jtext(e, "type", b[2], 64),
			jtext(e, "remote_ip", b[3], 64), nh, jtext(e, "rx_packets", b[5], 64),
			jtext(e, "rx_bytes", b[6], 64), jtext(e, "tx_packets", b[7], 64),
			jtext(e, "tx_bytes", b[8], 64), jtext(e, "drops", b[9], 64) });
	}
	if (json_array_size(list) == 0)
		printf("no tunnels\n");
	table_print_free(t, stdout);
	print_drop_reasons(list, "TUNNEL");
}

void
print_dump_segments(json_t *r, const struct print_opts *o)
{
	static const char *const h[] = { "VLAN", "VNI", "FLOOD", "MCAST-GROUP", "LOCAL-PORTS",
					 "RX-PACKETS", "RX-BYTES", "TX-PACKETS", "TX-BYTES",
					 "DROPS", NULL };
	json_t *list = json_object_get(r, "segments"), *e;
	struct table *t = table_new(h);
	char b[8][64], fl[512], lp[512];
	size_t i;

	(void)o;
	json_array_foreach(list, i, e)
		table_row(t, (const char *const[]){ jtext(e, "vlan", b[0], 64),
			jtext(e, "vni", b[1], 64), jlist(e, "flood", fl, sizeof(fl)),
			jtext(e, "mcast_group", b[2], 64), jlist(e, "local_ports", lp, sizeof(lp)),
			jtext(e, "rx_packets", b[3], 64), jtext(e, "rx_bytes", b[4], 64),
			jtext(e, "tx_packets", b[5], 64), jtext(e, "tx_bytes", b[6], 64),
			jtext(e, "drops", b[7], 64) });
	if (json_array_size(list) == 0)
		printf("no segments\n");
	table_print_free(t, stdout);
	if (json_array_size(list) > 0)
		printf("(RX: decapsulated from tunnels into the segment; TX: encapsulated)\n");
}

void
print_drop_stats(json_t *r, const struct print_opts *o)
{
	static const char *const h[] = { "REASON", "PACKETS", "WHERE", "DESCRIPTION", NULL };
	struct table *t = table_new(h);
	char b1[32], b2[32], where[512];
	json_t *e, *v;
	const char *k;
	size_t i;

	json_array_foreach(json_object_get(r, "reasons"), i, e) {
		size_t off = 0;

		if (!o->all && json_integer_value(json_object_get(e, "count")) == 0)
			continue;
		where[0] = '\0';
		json_object_foreach(json_object_get(e, "ports"), k, v)
			if (off + 2 < sizeof(where))
				off += (size_t)snprintf(where + off, sizeof(where) - off,
							"%s%s=%" JSON_INTEGER_FORMAT, off ? "," : "",
							k, json_integer_value(v));
		table_row(t, (const char *const[]){ jtext(e, "reason", b1, sizeof(b1)),
			jtext(e, "count", b2, sizeof(b2)), where[0] ? where : "-",
			json_string_value(json_object_get(e, "description")) });
	}
	table_print_free(t, stdout);
	printf("total drops: %s\n", jtext(r, "total", b1, sizeof(b1)));
}

void
print_fdb_show(json_t *r, const struct print_opts *o)
{
	static const char *const h[] = { "VLAN", "MAC", "PORT", "TYPE", "AGE", NULL };
	json_t *list = json_object_get(r, "entries"), *e;
	struct table *t = table_new(h);
	char b[5][64];
	size_t i;

	(void)o;
	json_array_foreach(list, i, e) {
		const char *type = jtext(e, "type", b[3], 64);
		bool st = strcmp(type, "static") == 0;

		table_row(t, (const char *const[]){ jtext(e, "vlan", b[0], 64),
			jtext(e, "mac", b[1], 64), jtext(e, "port", b[2], 64), type,
			st ? "-" : jtext(e, "age_s", b[4], 64) });
	}
	table_print_free(t, stdout);
	printf("%zu entr%s\n", json_array_size(list), json_array_size(list) == 1 ? "y" : "ies");
}

void
print_pmd_stats(json_t *r, const struct print_opts *o)
{
	static const char *const h[] = { "WORKER", "LCORE", "PACKETS", "ITERATIONS", "BUSY%",
					 "CYCLES/PKT", "BUSY-CYCLES/PKT", "PKTS/ITER", "RX-QUEUES",
					 NULL };
	struct table *t = table_new(h);
	char b[8][64], qs[512];
	json_t *e, *q;
	size_t i, j;

	(void)o;
	json_array_foreach(json_object_get(r, "workers"), i, e) {
		size_t off = 0;

		qs[0] = '\0';
		json_array_foreach(json_object_get(e, "rx_queues"), j, q)
			if (off + 2 < sizeof(qs))
				off += (size_t)snprintf(qs + off, sizeof(qs) - off, "%s%s/%s",
							off ? "," : "", jtext(q, "port", b[6], 64),
							jtext(q, "queue", b[7], 64));
		table_row(t, (const char *const[]){ jtext(e, "worker", b[0], 64),
			jtext(e, "lcore", b[1], 64), jtext(e, "packets", b[2], 64),
			jtext(e, "iterations", b[3], 64), jtext(e, "busy_pct", b[4], 64),
			jtext(e, "cycles_per_packet", b[5], 64),
			jtext(e, "busy_cycles_per_packet", b[6], 64),
			jtext(e, "packets_per_iteration", b[7], 64), qs[0] ? qs : "-" });
	}
	table_print_free(t, stdout);
	printf("(cycles measured inside the poll loop at %s Hz; pmd-stats-clear resets)\n",
	       jtext(r, "tsc_hz", b[0], 64));
}

void
print_log_levels(json_t *r, const struct print_opts *o)
{
	static const char *const h[] = { "COMPONENT", "LEVEL", NULL };
	struct table *t = table_new(h);
	json_t *v;
	const char *k;

	(void)o;
	json_object_foreach(json_object_get(r, "log_levels"), k, v)
		table_row(t, (const char *const[]){ k, json_string_value(v) });
	table_print_free(t, stdout);
}

void
print_change(json_t *r, const struct print_opts *o)
{
	json_t *saved = json_object_get(r, "saved"), *v;
	const char *k;
	char b[64];
	bool any = false;

	(void)o;
	printf("ok:");
	json_object_foreach(r, k, v) {
		if (strcmp(k, "saved") == 0)
			continue;
		printf(" %s=%s", k, jtext(r, k, b, sizeof(b)));
		any = true;
	}
	if (!any)
		printf(" done");
	if (json_is_string(saved))
		printf(" (saved to %s)", json_string_value(saved));
	putchar('\n');
}
