/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vtepsw configuration: the JSON file of DESIGN.md parsed into plain C structs.
 *
 * This component is pure data: it never touches EAL, ports or the datapath, so the
 * loader, the writer and their error messages can be unit-tested on their own. The
 * daemon and vtepctl/JSON-RPC apply a config through the datapath's core functions.
 *
 * Errors: every rejection produces ONE line of the form
 *     FILE:LINE:COLUMN: KEY: what is wrong
 * where KEY is the JSON path ("ports[1].vlan", "vtep.local_ip", "segments[0].flood[2]")
 * and LINE/COLUMN (1-based; columns count characters) point at the offending value, at
 * the key itself for "unknown key", or at the object holding a missing key ("required key
 * missing"). JSON syntax errors are "FILE:LINE:COL: syntax error: <jansson's text>"; a
 * file that cannot be read gives "FILE: cannot open: <strerror>". vtep_config_validate()
 * on a struct takes positions from the stored loc fields (object granularity) and leaves
 * out ":LINE:COL" when they are unknown (line 0). Control characters of the input are
 * shown as '?', so a message is always one line, with no trailing newline. Nothing is
 * partially applied: on error the output config is untouched.
 *
 * Lifecycle: vtep_config_load()/vtep_config_parse() overwrite a caller-provided struct on
 * success (without freeing what it held); free its arrays with vtep_config_clear(). After
 * loading, every port and tunnel has a non-zero ofport. Not thread-safe; control thread only.
 */
#ifndef VTEP_CONFIG_H
#define VTEP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "vtep_common.h"

/** Longest devargs string, including the NUL. */
#define VTEP_DEVARGS_MAX 512
/** Longest controller/listen target ("tcp:1.2.3.4:6653"), including the NUL. */
#define VTEP_TARGET_MAX 128
/** Longest error message produced by the loader, including the NUL. */
#define VTEP_CONFIG_ERR_MAX 512

/** Where a value sits in the source text (1-based; 0 when unknown, e.g. built in code). */
struct vtep_cfg_loc {
	uint32_t line;
	uint32_t col;
};

/** An IPv4 or IPv6 address. family is 0 when unset. */
struct vtep_ip {
	int family; /* AF_INET, AF_INET6 or 0 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

enum vtep_port_mode {
	VTEP_PORT_MODE_ALL = 0, /* neither vlan nor trunks: every VLAN carried unmodified */
	VTEP_PORT_MODE_ACCESS,  /* "vlan": untagged outside, that VLAN inside */
	VTEP_PORT_MODE_TRUNK,   /* "trunks": tagged, allowed list */
};

enum vtep_port_role {
	VTEP_PORT_ROLE_NORMAL = 0,
	VTEP_PORT_ROLE_UPLINK, /* "role": "uplink": underlay port owning the VTEP IPs */
};

enum vtep_fail_mode {
	VTEP_FAIL_STANDALONE = 0,
	VTEP_FAIL_SECURE,
};

enum vtep_tunnel_type {
	VTEP_TUNNEL_VXLAN = 0,
	VTEP_TUNNEL_NVGRE,
	VTEP_TUNNEL_STT,
	VTEP_TUNNEL__MAX
};

struct vtep_cfg_bridge {
	char name[VTEP_NAME_MAX];        /* default "br0" */
	uint64_t datapath_id;            /* "datapath_id": "0x1" (string, hex or decimal) or number */
	enum vtep_fail_mode fail_mode;   /* "standalone" (default) | "secure" */
	uint32_t mac_aging_s;            /* default 300; 10..1000000 */
	char **controllers;              /* "tcp:IP:PORT" / "ssl:IP:PORT" */
	unsigned int n_controllers;
	char **listen;                   /* "ptcp:PORT[:IP]" / "pssl:..." */
	unsigned int n_listen;
};

struct vtep_cfg_neigh {
	struct vtep_ip ip;
	uint8_t mac[6];
};

struct vtep_cfg_vtep {
	struct vtep_ip local_ip;         /* IPv4 ("local_ip"), family 0 if absent */
	struct vtep_ip local_ip6;        /* IPv6 ("local_ip6"), family 0 if absent */
	uint8_t prefix_len;              /* "local_ip": "10.0.0.1/24" -> 24; default 24 */
	uint8_t prefix_len6;             /* default 64 */
	char uplink[VTEP_NAME_MAX];      /* name of a port with role uplink ("" if absent) */
	struct vtep_ip gateway;          /* family 0 if absent: peers are on-link */
	struct vtep_ip gateway6;
	uint16_t udp_port;               /* VXLAN destination port, default 4789 */
	uint16_t mtu;                    /* underlay MTU, default 1500; 576..9216 */
	bool require_known_remote;       /* "require_known_remote": decap only from configured tunnels */
	uint32_t stt_reasm_mem_kb;       /* "stt_reassembly_kb", default 4096; 64..1048576 */
	uint32_t stt_reasm_timeout_ms;   /* "stt_reassembly_timeout_ms", default 1000; 10..60000 */
	struct vtep_cfg_neigh *neighbours;
	unsigned int n_neighbours;
	struct vtep_cfg_loc loc;
};

struct vtep_cfg_port {
	char name[VTEP_NAME_MAX];
	char devargs[VTEP_DEVARGS_MAX];
	uint32_t ofport;                 /* 0 = assign (from 1, in order, skipping used numbers) */
	bool has_mac;
	uint8_t mac[6];
	enum vtep_port_mode mode;
	enum vtep_port_role role;
	uint16_t vlan;                   /* access VLAN (mode ACCESS) */
	uint64_t trunks[VTEP_VLAN_COUNT / 64]; /* allowed VLANs bitmap (mode TRUNK) */
	uint16_t rxq;                    /* "rx_queues", default 1, 1..16 */
	uint16_t mtu;                    /* "mtu", 0 = leave the device default */
	struct vtep_cfg_loc loc;         /* the port object */
	struct vtep_cfg_loc devargs_loc; /* the devargs value (for "does not probe" errors) */
};

struct vtep_cfg_tunnel {
	char name[VTEP_NAME_MAX];
	enum vtep_tunnel_type type;
	struct vtep_ip remote_ip;
	uint16_t udp_port;               /* VXLAN only; 0 = use vtep.udp_port */
	uint32_t ofport;
	struct vtep_cfg_loc loc;
};

struct vtep_cfg_segment {
	uint16_t vlan;                   /* 1..4094, unique */
	uint32_t vni;                    /* 1..16777215, unique */
	char (*flood)[VTEP_NAME_MAX];    /* tunnel names (head-end replication list) */
	unsigned int n_flood;
	struct vtep_ip mcast_group;      /* family 0 if absent; must be multicast */
	struct vtep_cfg_loc loc;
};

struct vtep_cfg_fdb {
	uint16_t vlan;
	uint8_t mac[6];                  /* unicast */
	char target[VTEP_NAME_MAX];      /* "port" or "tunnel" name */
	bool target_is_tunnel;
	struct vtep_cfg_loc loc;
};

struct vtep_config {
	char path[4096];                 /* file it was loaded from ("" if parsed from a string) */
	struct vtep_cfg_bridge bridge;
	struct vtep_cfg_vtep vtep;
	struct vtep_cfg_port *ports;
	unsigned int n_ports;
	struct vtep_cfg_tunnel *tunnels;
	unsigned int n_tunnels;
	struct vtep_cfg_segment *segments;
	unsigned int n_segments;
	struct vtep_cfg_fdb *fdb;
	unsigned int n_fdb;
};

/**
 * Load and validate a config file.
 * @param path file to read.
 * @param cfg  out: filled only on success (call vtep_config_clear() when done).
 * @param err  out: on failure, the one-line message "FILE:LINE:COL: KEY: problem".
 * @return 0; -EINVAL for invalid content; -errno when the file cannot be read
 *         (err then names the file and the system error).
 */
int vtep_config_load(const char *path, struct vtep_config *cfg, char err[VTEP_CONFIG_ERR_MAX]);

/**
 * Parse and validate config text. @p name is used as FILE in messages.
 * Same contract as vtep_config_load().
 */
int vtep_config_parse(const char *text, size_t len, const char *name, struct vtep_config *cfg,
		      char err[VTEP_CONFIG_ERR_MAX]);

/**
 * Validate cross references of an in-memory config (names unique across ports and
 * tunnels, flood lists and fdb targets exist, uplink exists and has role uplink, one
 * uplink at most, VLAN/VNI unique, ofports unique). Used after run-time edits.
 * Messages use KEY paths and the stored locations.
 * @return 0 or -EINVAL with @p err set.
 */
int vtep_config_validate(const struct vtep_config *cfg, char err[VTEP_CONFIG_ERR_MAX]);

/**
 * Serialise to JSON text in the file's schema (the canonical form written back on
 * run-time changes): fixed key order, two-space indent, trailing newline, optional fields
 * only when they differ from the default, trunks sorted, datapath_id as "0x..." hex.
 * Non-zero ofports are always written, so numbers stay stable across restarts.
 * @p out is malloc'ed; caller frees. Round-trips through vtep_config_parse() to a config
 * for which vtep_config_equal() holds.
 * @return 0 or -ENOMEM.
 */
int vtep_config_to_json(const struct vtep_config *cfg, char **out);

/**
 * Write the config to @p path atomically: temporary file in the same directory, fsync,
 * rename, fsync of the directory. A crash at any point leaves the old or the new file.
 * The temporary file is "PATH.tmp.<pid>" and is removed on failure; the new file keeps the
 * permissions of the one it replaces (0644 less umask when there was none). The text is
 * that of vtep_config_to_json(); cfg->path is not changed.
 * @return 0 or -errno (err set: "PATH: what failed: <strerror>").
 */
int vtep_config_save(const struct vtep_config *cfg, const char *path,
		     char err[VTEP_CONFIG_ERR_MAX]);

/** Deep copy @p src into @p dst (dst is overwritten, not cleared). @return 0 or -ENOMEM. */
int vtep_config_copy(struct vtep_config *dst, const struct vtep_config *src);

/** Free the arrays of @p cfg and zero it. NULL is a no-op. */
void vtep_config_clear(struct vtep_config *cfg);

/** Apply defaults to an all-zero struct (what an empty "{}" file gives). */
void vtep_config_defaults(struct vtep_config *cfg);

/** Parse "aa:bb:cc:dd:ee:ff". @return 0 or -EINVAL. */
int vtep_mac_parse(const char *s, uint8_t mac[6]);

/** Parse an IPv4 or IPv6 literal. @return 0 or -EINVAL. */
int vtep_ip_parse(const char *s, struct vtep_ip *ip);

/** Format an address into @p buf (INET6_ADDRSTRLEN bytes suffice). Returns buf. */
const char *vtep_ip_format(const struct vtep_ip *ip, char *buf, size_t len);

/** Tunnel type name ("vxlan", "nvgre", "stt"). */
const char *vtep_tunnel_type_name(enum vtep_tunnel_type t);

/** True if @p vlan is allowed by a trunk bitmap. */
static inline bool
vtep_cfg_trunk_has(const uint64_t *trunks, uint16_t vlan)
{
	return (trunks[vlan >> 6] >> (vlan & 63)) & 1;
}

/**
 * Assign OpenFlow port numbers to ports and tunnels whose ofport is 0: from 1 upwards, ports
 * in order then tunnels in order, skipping numbers already in use. The loader calls this;
 * run-time edits that add a port or tunnel with ofport 0 call it before vtep_config_save().
 * @return 0 or -ENOSPC when no number is left.
 */
int vtep_config_assign_ofports(struct vtep_config *cfg);

/**
 * Compare two configs by content: every field except locations and the file path.
 * @return true if equal (what a reload or a to_json/parse round trip must preserve).
 */
bool vtep_config_equal(const struct vtep_config *a, const struct vtep_config *b);

/** An OpenFlow connection target: "tcp:IP:PORT", "ssl:IP:PORT", "ptcp:PORT[:IP]", "pssl:...". */
struct vtep_of_target {
	bool passive;                    /* ptcp/pssl: listen rather than connect */
	bool ssl;
	struct vtep_ip ip;               /* family 0 for a passive target on every address */
	uint16_t port;                   /* 1..65535 when active; 0..65535 when passive */
};

/**
 * Parse a controller or listen target. IPv6 addresses are written in brackets
 * ("tcp:[2001:db8::1]:6653", "ptcp:6653:[::1]"); a passive target also accepts a bare IPv6.
 * @return 0 or -EINVAL.
 */
int vtep_of_target_parse(const char *s, struct vtep_of_target *t);

#endif
