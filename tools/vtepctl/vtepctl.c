/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtepctl: the command-line client of vtepsw's management socket. Each command becomes one
 * JSON-RPC 2.0 request; the result is printed as aligned tables, or as JSON with --json.
 * Exit status: 0 success, 1 the request failed or vtepsw could not be reached, 2 usage.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vtepctl.h"

#define DEFAULT_SOCKET "/run/vtepsw/vtepsw.sock"
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define MAX_ARGS 10

enum arg_type {
	A_STR,          /* string */
	A_INT,          /* integer */
	A_INTLIST,      /* "100,200,300-310" -> [100, 200, 300, ..., 310] */
	A_STRLIST,      /* "a,b" -> ["a", "b"] */
	A_CONST,        /* flag that sets key to the constant string cval */
	A_LOCAL_ALL,    /* flag for the printer (drop-stats --all), not sent */
};

struct arg {
	const char *opt;        /* "--vlan"; NULL for a positional argument */
	const char *meta;       /* "VLAN" */
	const char *key;        /* JSON parameter */
	enum arg_type type;
	bool optional;          /* positional that may be left out (only the last ones) */
	const char *cval;       /* A_CONST */
	const char *help;
};

struct cmd {
	const char *name;
	const char *method;
	const char *summary;
	const char *help;
	struct arg args[MAX_ARGS];
	vtepctl_printer print;
	const char *list_key, *list_field; /* list-* commands: print one field per element */
	int form;                           /* FORM_*: how positional arguments are read */
};

#define FORM_ARGS 0     /* the args table */
#define FORM_LEVEL 1    /* set-log-level [COMPONENT] LEVEL */
#define FORM_KV 2       /* set-vtep KEY=VALUE... */

static const struct cmd cmds[] = {
	{ "show", "show", "bridge, VTEP address, ports, tunnels and segments at a glance",
	  "Print the configuration as it runs: bridge, VTEP addresses, every port (role, VLANs,\n"
	  "link, device), tunnel (remote VTEP, whether its next hop is resolved) and segment.",
	  { { 0 } }, print_show, NULL, NULL, false },
	{ "list-ports", "show", "names of the ports, one per line", "For scripts and completion.",
	  { { 0 } }, NULL, "ports", "name", false },
	{ "list-tunnels", "show", "names of the tunnels, one per line",
	  "For scripts and completion.", { { 0 } }, NULL, "tunnels", "name", false },
	{ "list-segments", "show", "VLANs that have a segment, one per line",
	  "For scripts and completion.", { { 0 } }, NULL, "segments", "vlan", false },
	{ "add-port", "add-port", "add a port (NIC, vhost-user or any DPDK vdev)",
	  "Probe DEVARGS, start the device and add it to the bridge. Other ports keep\n"
	  "forwarding. Without --vlan or --trunks the port carries every VLAN unmodified.",
	  { { NULL, "NAME", "name", A_STR, false, NULL, "port name ([A-Za-z0-9_.-], <= 31 chars)" },
	    { NULL, "DEVARGS", "devargs", A_STR, false, NULL,
	      "PCI address or vdev, e.g. net_vhost0,iface=/run/vtepsw/vm1.sock,client=1" },
	    { "--vlan", "VLAN", "vlan", A_INT, false, NULL, "access port of this VLAN (1..4094)" },
	    { "--trunks", "LIST", "trunks", A_INTLIST, false, NULL,
	      "trunk port carrying these VLANs, e.g. 100,200,300-310" },
	    { "--uplink", NULL, "role", A_CONST, false, "uplink", "the underlay port" },
	    { "--ofport", "N", "ofport", A_INT, false, NULL, "OpenFlow port number" },
	    { "--mac", "MAC", "mac", A_STR, false, NULL, "set the device MAC address" },
	    { "--rx-queues", "N", "rx_queues", A_INT, false, NULL, "rx queues (RSS), 1..16" },
	    { "--mtu", "BYTES", "mtu", A_INT, false, NULL, "device MTU" } },
	  print_change, NULL, NULL, false },
	{ "del-port", "del-port", "remove a port",
	  "Stop and remove the port and its static FDB entries. The uplink cannot be removed.",
	  { { NULL, "NAME", "name", A_STR, false, NULL, "port name" } },
	  print_change, NULL, NULL, false },
	{ "add-tunnel", "add-tunnel", "add a tunnel to a remote VTEP",
	  "TYPE is vxlan, nvgre or stt; REMOTE_IP an IPv4 or IPv6 address of the same family as\n"
	  "the local VTEP address. Add it to a segment's flood list with add-segment --flood.",
	  { { NULL, "NAME", "name", A_STR, false, NULL, "tunnel name" },
	    { NULL, "TYPE", "type", A_STR, false, NULL, "vxlan, nvgre or stt" },
	    { NULL, "REMOTE_IP", "remote_ip", A_STR, false, NULL, "the remote VTEP's address" },
	    { "--udp-port", "PORT", "udp_port", A_INT, false, NULL, "VXLAN UDP port (default: vtep's)" },
	    { "--ofport", "N", "ofport", A_INT, false, NULL, "OpenFlow port number" } },
	  print_change, NULL, NULL, false },
	{ "del-tunnel", "del-tunnel", "remove a tunnel",
	  "A tunnel still in a segment's flood list cannot be removed: remove the segment first.",
	  { { NULL, "NAME", "name", A_STR, false, NULL, "tunnel name" } },
	  print_change, NULL, NULL, false },
	{ "add-segment", "add-segment", "map a local VLAN to a VNI",
	  "Frames of VLAN are carried in tunnels with VNI; broadcast, unknown unicast and\n"
	  "multicast are replicated to the --flood tunnels (or sent to --mcast-group).",
	  { { NULL, "VLAN", "vlan", A_INT, false, NULL, "VLAN ID, 1..4094" },
	    { NULL, "VNI", "vni", A_INT, false, NULL, "VNI, 1..16777215" },
	    { "--flood", "TUNNELS", "flood", A_STRLIST, false, NULL,
	      "comma-separated tunnels for head-end replication" },
	    { "--mcast-group", "IP", "mcast_group", A_STR, false, NULL,
	      "underlay multicast group (RFC 7348 flood-and-learn)" } },
	  print_change, NULL, NULL, false },
	{ "del-segment", "del-segment", "remove a VLAN's segment",
	  "The VLAN stays local; learned remote MACs of the segment are forgotten.",
	  { { NULL, "VLAN", "vlan", A_INT, false, NULL, "VLAN ID, 1..4094" } },
	  print_change, NULL, NULL, false },
	{ "fdb-show", "fdb-show", "MAC table: learned and static entries",
	  "One line per entry: VLAN, MAC, port or tunnel, static or learned, seconds since seen.",
	  { { "--vlan", "VLAN", "vlan", A_INT, false, NULL, "only this VLAN" },
	    { "--port", "NAME", "port", A_STR, false, NULL, "only this port or tunnel" } },
	  print_fdb_show, NULL, NULL, false },
	{ "fdb-add", "fdb-add", "add a static MAC entry (saved in the config)",
	  "Frames to MAC on VLAN go to TARGET (a port or a tunnel); learning never moves it.",
	  { { NULL, "VLAN", "vlan", A_INT, false, NULL, "VLAN ID, 1..4094" },
	    { NULL, "MAC", "mac", A_STR, false, NULL, "unicast MAC aa:bb:cc:dd:ee:ff" },
	    { NULL, "TARGET", "target", A_STR, false, NULL, "port or tunnel name" } },
	  print_change, NULL, NULL, false },
	{ "fdb-del", "fdb-del", "remove a static or learned MAC entry",
	  "Removing a static entry is saved in the config; a learned one may be learned again.",
	  { { NULL, "VLAN", "vlan", A_INT, false, NULL, "VLAN ID, 1..4094" },
	    { NULL, "MAC", "mac", A_STR, false, NULL, "MAC address" } },
	  print_change, NULL, NULL, false },
	{ "fdb-flush", "fdb-flush", "forget learned MACs (static entries stay)",
	  "Without options every learned MAC is forgotten.",
	  { { "--vlan", "VLAN", "vlan", A_INT, false, NULL, "only this VLAN" },
	    { "--port", "NAME", "port", A_STR, false, NULL, "only this port or tunnel" } },
	  print_change, NULL, NULL, false },
	{ "dump-ports", "dump-ports", "port counters, drops, per-queue and device counters",
	  "Counters of vtepsw (rx, tx, drops per reason), of the device (ipackets, imissed,\n"
	  "rx_nombuf, ...), per rx/tx queue with the worker that polls it, and driver xstats.",
	  { { NULL, "NAME", "name", A_STR, true, NULL, "only this port" } },
	  print_dump_ports, NULL, NULL, false },
	{ "dump-tunnels", "dump-tunnels", "tunnel counters and drops",
	  "Per tunnel: remote VTEP, whether the next hop is resolved (ARP/ND), counters and\n"
	  "drops per reason. Segments' multicast groups appear as tunnels named mcast-VLAN.",
	  { { NULL, "NAME", "name", A_STR, true, NULL, "only this tunnel" } },
	  print_dump_tunnels, NULL, NULL, false },
	{ "dump-segments", "dump-segments", "segment counters",
	  "Per segment: VNI, flood list, local ports of the VLAN, packets decapsulated into the\n"
	  "segment (RX) and encapsulated out of it (TX), tunnel-side drops.",
	  { { NULL, "VLAN", "vlan", A_INT, true, NULL, "only this VLAN" } },
	  print_dump_segments, NULL, NULL, false },
	{ "drop-stats", "drop-stats", "every drop reason with its count and where it happened",
	  "Drops of all ports and tunnels summed per reason, with the ports that dropped.",
	  { { "--all", NULL, NULL, A_LOCAL_ALL, false, NULL, "also list reasons with no drops" } },
	  print_drop_stats, NULL, NULL, false },
	{ "set-log-level", "set-log-level", "change log levels at run time",
	  "LEVEL: emerg, alert, crit, err, warning, notice, info, debug. COMPONENT: main,\n"
	  "config, port, dp, fdb, tunnel, underlay, ctl or all (the default).",
	  { { NULL, "[COMPONENT] LEVEL", NULL, A_STR, false, NULL, "" } },
	  print_log_levels, NULL, NULL, FORM_LEVEL },
	{ "set-vtep", "set-vtep", "change VTEP settings live (address, UDP port, MTU, gateway, ...)",
	  "Each KEY is a key of the config file's \"vtep\" object; an empty VALUE removes it, so\n"
	  "its default applies again. The new settings are checked as a whole configuration,\n"
	  "then every tunnel is re-templated and the uplink's steering updated without a restart.\n"
	  "Frames sent to the old address or UDP port are dropped from then on and counted\n"
	  "(tnl_not_for_us, uplink_other).\n"
	  "  local_ip=IP[/LEN]   IPv4 VTEP address (tunnel source), prefix default 24\n"
	  "  local_ip6=IP[/LEN]  IPv6 VTEP address, prefix default 64\n"
	  "  gateway=IP          IPv4 next hop for remotes off the local_ip subnet\n"
	  "  gateway6=IP         IPv6 next hop\n"
	  "  udp_port=PORT       VXLAN UDP port (default 4789)\n"
	  "  mtu=BYTES           underlay MTU, 576..9216 (default 1500)\n"
	  "  uplink=PORT         the uplink port (role uplink); empty detaches it\n"
	  "  require_known_remote=yes|no   decapsulate only from configured tunnels\n"
	  "  stt_reassembly_kb=KIB  stt_reassembly_timeout_ms=MS   STT reassembly limits\n"
	  "  neighbours=JSON     static ARP/ND entries, e.g. '[{\"ip\":\"10.0.0.2\",\"mac\":\"...\"}]'\n"
	  "Example: vtepctl set-vtep local_ip=192.0.2.10/24 gateway=192.0.2.1 udp_port=4790",
	  { { NULL, "KEY=VALUE...", NULL, A_STR, false, NULL, "" } },
	  print_change, NULL, NULL, FORM_KV },
	{ "pmd-stats-show", "pmd-stats-show", "per-worker busy/idle cycles and cycles per packet",
	  "Like ovs-appctl dpif-netdev/pmd-stats-show: per worker lcore the packets received,\n"
	  "poll iterations, share of cycles spent on iterations that had packets, cycles per\n"
	  "packet (all, and busy only), average packets per iteration and its rx queues.",
	  { { 0 } }, print_pmd_stats, NULL, NULL, false },
	{ "pmd-stats-clear", "pmd-stats-clear", "reset what pmd-stats-show counts from",
	  "Later pmd-stats-show output counts from now.", { { 0 } }, print_change, NULL, NULL,
	  false },
};

static void __attribute__((format(printf, 2, 3), noreturn))
die(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("vtepctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static unsigned int
n_args(const struct cmd *c)
{
	unsigned int n = 0;

	while (n < MAX_ARGS && (c->args[n].meta != NULL || c->args[n].type != A_STR))
		n++;
	return n;
}

static void
cmd_synopsis(const struct cmd *c, FILE *f)
{
	fprintf(f, "vtepctl [--socket PATH] [--json] %s", c->name);
	for (unsigned int i = 0; i < n_args(c); i++) {
		const struct arg *a = &c->args[i];

		if (a->opt == NULL)
			fprintf(f, a->optional ? " [%s]" : " %s", a->meta);
		else
			fprintf(f, " [%s%s%s]", a->opt, a->meta ? " " : "", a->meta ? a->meta : "");
	}
	fputc('\n', f);
}

static void
cmd_help(const struct cmd *c)
{
	printf("Usage: ");
	cmd_synopsis(c, stdout);
	printf("\n%s: %s.\n%s\n", c->name, c->summary, c->help);
	if (n_args(c) > 0 && c->form == FORM_ARGS) {
		printf("\n");
		for (unsigned int i = 0; i < n_args(c); i++) {
			const struct arg *a = &c->args[i];
			char left[64];

			snprintf(left, sizeof(left), "%s%s%s", a->opt ? a->opt : "",
				 a->opt && a->meta ? " " : "", a->meta ? a->meta : "");
			printf("  %-22s %s\n", left, a->help);
		}
	}
}

static void
usage(void)
{
	printf("Usage: vtepctl [--socket PATH] [--json] [--timeout SECONDS] COMMAND [ARGS]\n"
	       "       vtepctl COMMAND --help | --help | --version\n\n"
	       "Control a running vtepsw over its management socket (JSON-RPC 2.0).\n"
	       "Changes apply live and are saved to vtepsw's config file atomically.\n\n"
	       "Options:\n"
	       "  -s, --socket PATH    management socket (default $VTEPCTL_SOCKET, else\n"
	       "                       " DEFAULT_SOCKET ")\n"
	       "  -j, --json           print the result as JSON (for scripts)\n"
	       "  -t, --timeout SEC    wait at most SEC seconds for an answer (default 10)\n"
	       "  -h, --help           this help; COMMAND --help for one command\n"
	       "  -V, --version        print the version\n\n"
	       "Commands:\n");
	for (unsigned int i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		printf("  %-16s %s\n", cmds[i].name, cmds[i].summary);
	printf("\nExit status: 0 success; 1 the command failed or vtepsw cannot be reached\n"
	       "(one line on stderr says why); 2 bad usage.\n");
}

/* ---------------------------------------------------------------- arguments */

static json_int_t
parse_int(const struct cmd *c, const char *meta, const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0)
		die(EXIT_USAGE, "%s: %s '%s' is not an integer", c->name, meta, s);
	return (json_int_t)v;
}

static json_t *
parse_list(const struct cmd *c, const struct arg *a, const char *s)
{
	/* static: still reachable (not a leak) when a bad item ends the program */
	static char *copy;
	static json_t *arr;
	char *save = NULL, *tok;
	json_t *ret;

	copy = strdup(s);
	arr = json_array();

	if (copy == NULL || arr == NULL)
		die(EXIT_FAIL, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *dash = a->type == A_INTLIST ? strchr(tok + 1, '-') : NULL;

		if (a->type == A_STRLIST) {
			json_array_append_new(arr, json_string(tok));
		} else if (dash != NULL) {
			json_int_t lo, hi;

			*dash = '\0';
			lo = parse_int(c, a->opt, tok);
			hi = parse_int(c, a->opt, dash + 1);
			if (hi < lo || hi - lo > 4096)
				die(EXIT_USAGE, "%s: %s: bad range '%s-%s'", c->name, a->opt, tok,
				    dash + 1);
			for (json_int_t v = lo; v <= hi; v++)
				json_array_append_new(arr, json_integer(v));
		} else {
			json_array_append_new(arr, json_integer(parse_int(c, a->opt, tok)));
		}
	}
	free(copy);
	copy = NULL;
	if (json_array_size(arr) == 0)
		die(EXIT_USAGE, "%s: %s needs a non-empty list", c->name, a->opt);
	ret = arr;
	arr = NULL;
	return ret;
}

static void
set_value(const struct cmd *c, const struct arg *a, json_t *params, const char *val)
{
	json_t *v;

	if (a->type == A_INT)
		v = json_integer(parse_int(c, a->meta, val));
	else if (a->type == A_INTLIST || a->type == A_STRLIST)
		v = parse_list(c, a, val);
	else
		v = json_string(val);
	if (json_object_get(params, a->key) != NULL)
		die(EXIT_USAGE, "%s: %s given twice", c->name, a->opt ? a->opt : a->meta);
	json_object_set_new(params, a->key, v);
}

/*
 * One KEY=VALUE of set-vtep. Numbers and booleans of known keys are sent as JSON numbers
 * and booleans, "neighbours" as the JSON it is, an empty value as null; vtepsw checks the
 * rest (an unknown key is sent as a string and vtepsw names it).
 */
static void
set_kv(const struct cmd *c, json_t *params, const char *arg)
{
	static const char *const ints[] = { "udp_port", "mtu", "stt_reassembly_kb",
					    "stt_reassembly_timeout_ms", NULL };
	const char *eq = strchr(arg, '=');
	char key[64];
	json_t *v = NULL;

	if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof(key))
		die(EXIT_USAGE, "%s: expected KEY=VALUE, got '%s' (see vtepctl %s --help)", c->name,
		    arg, c->name);
	memcpy(key, arg, (size_t)(eq - arg));
	key[eq - arg] = '\0';
	eq++;
	if (json_object_get(params, key) != NULL)
		die(EXIT_USAGE, "%s: %s given twice", c->name, key);
	for (unsigned int i = 0; ints[i] != NULL && *eq != '\0'; i++)
		if (strcmp(ints[i], key) == 0)
			v = json_integer(parse_int(c, key, eq));
	if (v != NULL) {
		/* a number */
	} else if (*eq == '\0') {
		v = json_null();
	} else if (strcmp(key, "require_known_remote") == 0) {
		if (strcmp(eq, "yes") == 0 || strcmp(eq, "true") == 0 || strcmp(eq, "1") == 0)
			v = json_true();
		else if (strcmp(eq, "no") == 0 || strcmp(eq, "false") == 0 || strcmp(eq, "0") == 0)
			v = json_false();
		else
			die(EXIT_USAGE, "%s: %s: '%s' is not yes or no", c->name, key, eq);
	} else if (strcmp(key, "neighbours") == 0) {
		json_error_t jerr;

		v = json_loads(eq, JSON_DECODE_ANY, &jerr);
		if (v == NULL)
			die(EXIT_USAGE, "%s: neighbours: not JSON (%s), e.g. "
			    "'[{\"ip\":\"10.0.0.2\",\"mac\":\"02:00:00:00:00:02\"}]'", c->name,
			    jerr.text);
	} else {
		v = json_string(eq);
	}
	if (v == NULL)
		die(EXIT_FAIL, "out of memory");
	json_object_set_new(params, key, v);
}

/* Global options accepted after the command too. @return args consumed (0: not global). */
static int global_opt(int argc, char **argv, int i);

/* Turn the command's arguments into params. */
static void
build_params(const struct cmd *c, int argc, char **argv, json_t *params, struct print_opts *po)
{
	const char *pos[MAX_ARGS];
	unsigned int npos = 0, want = 0, need = 0;

	for (int i = 0; i < argc; i++) {
		const struct arg *a = NULL;
		int g;

		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			cmd_help(c);
			exit(0);
		}
		g = global_opt(argc, argv, i);
		if (g > 0) {
			i += g - 1;
			continue;
		}
		if (strncmp(argv[i], "--", 2) != 0 || argv[i][2] == '\0') {
			if (npos == MAX_ARGS)
				die(EXIT_USAGE, "%s: too many arguments (see vtepctl %s --help)",
				    c->name, c->name);
			pos[npos++] = argv[i];
			continue;
		}
		for (unsigned int k = 0; k < n_args(c); k++)
			if (c->args[k].opt != NULL && strcmp(c->args[k].opt, argv[i]) == 0)
				a = &c->args[k];
		if (a == NULL)
			die(EXIT_USAGE, "%s: unknown option '%s' (see vtepctl %s --help)", c->name,
			    argv[i], c->name);
		if (a->type == A_CONST) {
			json_object_set_new(params, a->key, json_string(a->cval));
		} else if (a->type == A_LOCAL_ALL) {
			po->all = true;
		} else {
			if (i + 1 >= argc)
				die(EXIT_USAGE, "%s: option %s needs a value (%s)", c->name, a->opt,
				    a->meta);
			set_value(c, a, params, argv[++i]);
		}
	}
	if (c->form == FORM_KV) {
		if (npos == 0)
			die(EXIT_USAGE, "%s: expected KEY=VALUE... (see vtepctl %s --help)", c->name,
			    c->name);
		for (unsigned int k = 0; k < npos; k++)
			set_kv(c, params, pos[k]);
		return;
	}
	if (c->form == FORM_LEVEL) {
		if (npos < 1 || npos > 2)
			die(EXIT_USAGE, "%s: expected [COMPONENT] LEVEL (see vtepctl %s --help)",
			    c->name, c->name);
		if (npos == 2)
			json_object_set_new(params, "component", json_string(pos[0]));
		json_object_set_new(params, "level", json_string(pos[npos - 1]));
		return;
	}
	for (unsigned int k = 0; k < n_args(c); k++) {
		if (c->args[k].opt != NULL)
			continue;
		want++;
		need += !c->args[k].optional;
	}
	if (npos < need || npos > want) {
		char syn[256] = "";
		size_t off = 0;

		for (unsigned int k = 0; k < n_args(c); k++)
			if (c->args[k].opt == NULL)
				off += (size_t)snprintf(syn + off, sizeof(syn) - off,
							c->args[k].optional ? "%s[%s]" : "%s%s",
							off ? " " : "", c->args[k].meta);
		if (want == 0)
			die(EXIT_USAGE, "%s: takes no arguments, got '%s' (see vtepctl %s --help)",
			    c->name, pos[0], c->name);
		die(EXIT_USAGE, "%s: expected %s, got %u argument%s (see vtepctl %s --help)",
		    c->name, syn, npos, npos == 1 ? "" : "s", c->name);
	}
	for (unsigned int k = 0, p = 0; k < n_args(c) && p < npos; k++)
		if (c->args[k].opt == NULL)
			set_value(c, &c->args[k], params, pos[p++]);
}

/* ---------------------------------------------------------------- the call */

static const char *socket_path;
static bool json_out;
static int timeout_s = 10;

static int
global_opt(int argc, char **argv, int i)
{
	const char *a = argv[i];

	if (strcmp(a, "-j") == 0 || strcmp(a, "--json") == 0) {
		json_out = true;
		return 1;
	}
	if (strcmp(a, "-s") == 0 || strcmp(a, "--socket") == 0 || strcmp(a, "-t") == 0 ||
	    strcmp(a, "--timeout") == 0) {
		if (i + 1 >= argc)
			die(EXIT_USAGE, "option %s needs a value (try --help)", a);
		if (a[1] == 's' || a[2] == 's') {
			socket_path = argv[i + 1];
		} else {
			char *end;

			timeout_s = (int)strtol(argv[i + 1], &end, 10);
			if (*end != '\0' || timeout_s < 1 || timeout_s > 3600)
				die(EXIT_USAGE, "--timeout: '%s' is not a number of seconds in "
				    "1..3600", argv[i + 1]);
		}
		return 2;
	}
	if (strncmp(a, "--socket=", 9) == 0) {
		socket_path = a + 9;
		return 1;
	}
	return 0;
}

static long long
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Send one request and read one response line. Dies on any transport error. */
static json_t *
call(const char *method, json_t *params)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static char *buf; /* static: reachable when an error ends the program */
	size_t len, off = 0, cap = 0, got = 0;
	long long deadline = ms_now() + timeout_s * 1000LL;
	json_error_t jerr;
	json_t *req, *resp;
	char *text;
	int fd;

	if (strlen(socket_path) >= sizeof(sa.sun_path))
		die(EXIT_FAIL, "%s: socket path too long", socket_path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die(EXIT_FAIL, "cannot create a socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die(EXIT_FAIL, "cannot connect to %s: %s (is vtepsw running? see --socket)",
		    socket_path, strerror(errno));
	req = json_pack("{s:s, s:s, s:O, s:i}", "jsonrpc", "2.0", "method", method, "params",
			params, "id", 1);
	text = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (text == NULL)
		die(EXIT_FAIL, "out of memory");
	len = strlen(text);
	while (off < len) {
		ssize_t n = send(fd, text + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(text);
			die(EXIT_FAIL, "cannot send the request to %s: %s", socket_path,
			    strerror(errno));
		}
		off += (size_t)n;
	}
	free(text);
	if (send(fd, "\n", 1, MSG_NOSIGNAL) < 0)
		die(EXIT_FAIL, "cannot send the request to %s: %s", socket_path, strerror(errno));
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - ms_now();
		ssize_t n;
		int pr;

		if (got > 0 && buf[got - 1] == '\n')
			break;
		if (left <= 0)
			die(EXIT_FAIL, "no answer from vtepsw within %d s (%s)", timeout_s,
			    socket_path);
		pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue;
		if (cap - got < 65536) {
			cap = cap ? cap * 2 : 131072;
			buf = realloc(buf, cap);
			if (buf == NULL)
				die(EXIT_FAIL, "out of memory");
		}
		n = recv(fd, buf + got, cap - got - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die(EXIT_FAIL, "reading the answer from %s: %s", socket_path, strerror(errno));
		if (n == 0)
			die(EXIT_FAIL, "vtepsw closed the connection without answering");
		got += (size_t)n;
	}
	close(fd);
	resp = json_loadb(buf, got, 0, &jerr);
	free(buf);
	buf = NULL;
	if (resp == NULL)
		die(EXIT_FAIL, "vtepsw sent an unreadable answer: %s", jerr.text);
	return resp;
}

int
main(int argc, char **argv)
{
	struct print_opts po = { 0 };
	const struct cmd *c = NULL;
	json_t *params, *resp, *result, *error;
	int i;

	socket_path = getenv("VTEPCTL_SOCKET");
	if (socket_path == NULL || socket_path[0] == '\0')
		socket_path = DEFAULT_SOCKET;
	for (i = 1; i < argc; i++) {
		int g;

		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage();
			return 0;
		}
		if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0) {
			printf("vtepctl %s\n", VTEPSW_VERSION);
			return 0;
		}
		g = global_opt(argc, argv, i);
		if (g == 0)
			break;
		i += g - 1;
	}
	if (i >= argc)
		die(EXIT_USAGE, "no command given (try --help)");
	if (argv[i][0] == '-')
		die(EXIT_USAGE, "unknown option '%s' (try --help)", argv[i]);
	for (unsigned int k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
		if (strcmp(cmds[k].name, argv[i]) == 0)
			c = &cmds[k];
	if (c == NULL)
		die(EXIT_USAGE, "unknown command '%s' (try --help)", argv[i]);
	params = json_object();
	if (params == NULL)
		die(EXIT_FAIL, "out of memory");
	build_params(c, argc - i - 1, argv + i + 1, params, &po);
	resp = call(c->method, params);
	json_decref(params);
	error = json_object_get(resp, "error");
	if (error != NULL) {
		const char *msg = json_string_value(json_object_get(error, "message"));

		die(EXIT_FAIL, "%s: %s", c->name, msg ? msg : "failed (no message)");
	}
	result = json_object_get(resp, "result");
	if (result == NULL)
		die(EXIT_FAIL, "%s: vtepsw answered without a result", c->name);
	if (c->list_key != NULL) {
		json_t *arr = json_array(), *e;
		size_t k;
		char b[64];

		json_array_foreach(json_object_get(result, c->list_key), k, e)
			json_array_append(arr, json_object_get(e, c->list_field));
		if (json_out) {
			json_dumpf(arr, stdout, JSON_INDENT(2));
			putchar('\n');
		} else {
			json_array_foreach(arr, k, e)
				printf("%s\n", json_is_string(e) ? json_string_value(e) :
				       (snprintf(b, sizeof(b), "%" JSON_INTEGER_FORMAT,
						 json_integer_value(e)), b));
		}
		json_decref(arr);
	} else if (json_out) {
		json_dumpf(result, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		c->print(result, &po);
	}
	json_decref(resp);
	if (fflush(stdout) != 0 || ferror(stdout))
		die(EXIT_FAIL, "cannot write the output: %s", strerror(errno));
	return 0;
}
