/* SPDX-License-Identifier: BSD-3-Clause */
/* Loads the JSON config into struct vtep_config and validates it with positioned errors. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "vtep_config.h"
#include "vtep_json_loc.h"

/* Longest JSON path used in messages ("segments[4093].flood[255]" and the like). */
#define CFG_PATH_MAX 256
/* Largest config file accepted. */
#define CFG_FILE_MAX (16u << 20)
/* Highest OpenFlow port number a port or tunnel may have (OFPP_MAX is 0xff00). */
#define CFG_OFPORT_MAX 65279
/* Largest IP literal with prefix we read ("ffff:...:255.255.255.255/128"). */
#define CFG_IP_MAX 64

/* Messages used by both the loader and the struct checks. */
#define MSG_CONTROLLER "\"%s\" is not a controller target (tcp:IP:PORT or ssl:IP:PORT)"
#define MSG_LISTEN "\"%s\" is not a listen target (ptcp:PORT[:IP] or pssl:PORT[:IP])"
#define MSG_DPID "\"%s\" is not a datapath ID (\"0x\" and up to 16 hex digits, or a decimal number)"

/* Where messages go and where positions come from (idx is NULL when validating a struct). */
struct cfg_ctx {
	const char *file;
	const struct vtep_json_loc_index *idx;
	char *err;
};

/* Replace control characters so the message stays one line whatever the input held. */
static void
err_sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* Write "FILE:LINE:COL: KEY: text" (no LINE:COL when the location is unknown). */
static int
vfail(struct cfg_ctx *c, struct vtep_cfg_loc loc, const char *key, const char *fmt, va_list ap)
{
	int n;

	if (loc.line > 0)
		n = snprintf(c->err, VTEP_CONFIG_ERR_MAX, "%s:%" PRIu32 ":%" PRIu32 ": %s: ",
			     c->file, loc.line, loc.col, key[0] != '\0' ? key : "(top level)");
	else
		n = snprintf(c->err, VTEP_CONFIG_ERR_MAX, "%s: %s: ", c->file,
			     key[0] != '\0' ? key : "(top level)");
	if (n >= 0 && n < VTEP_CONFIG_ERR_MAX)
		vsnprintf(c->err + n, VTEP_CONFIG_ERR_MAX - (size_t)n, fmt, ap);
	err_sanitize(c->err);
	return -EINVAL;
}

/* Position of the value at @p path, or @p fallback when it is not indexed. */
static struct vtep_cfg_loc
where(const struct cfg_ctx *c, const char *path, struct vtep_cfg_loc fallback)
{
	struct vtep_cfg_loc l = fallback;

	vtep_json_loc_find(c->idx, path, &l, NULL);
	return l;
}

/* Fail at the value of @p path (or @p fallback). Returns -EINVAL. */
__attribute__((format(__printf__, 4, 5)))
static int
fail_at(struct cfg_ctx *c, const char *path, struct vtep_cfg_loc fallback, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(c, where(c, path, fallback), path, fmt, ap);
	va_end(ap);
	return rc;
}

/* Fail at an explicit location, naming @p key. Returns -EINVAL. */
__attribute__((format(__printf__, 4, 5)))
static int
fail_loc(struct cfg_ctx *c, struct vtep_cfg_loc loc, const char *key, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(c, loc, key, fmt, ap);
	va_end(ap);
	return rc;
}

/* Report an allocation failure. Returns -ENOMEM. */
static int
fail_nomem(struct cfg_ctx *c)
{
	snprintf(c->err, VTEP_CONFIG_ERR_MAX, "%s: out of memory", c->file);
	err_sanitize(c->err);
	return -ENOMEM;
}

/*
 * Path builders. A path longer than CFG_PATH_MAX is cut short: it then finds no position
 * and the message falls back to the enclosing object's position.
 */

/* out = a + b + c, truncated to CFG_PATH_MAX - 1 bytes. @p out may alias @p a. */
static void
path_join(char out[CFG_PATH_MAX], const char *a, const char *b, const char *c)
{
	const char *parts[3] = { a, b, c };
	size_t len = 0, n, i;

	for (i = 0; i < 3; i++) {
		n = strlen(parts[i]);
		if (n > CFG_PATH_MAX - 1 - len)
			n = CFG_PATH_MAX - 1 - len;
		memmove(out + len, parts[i], n);
		len += n;
	}
	out[len] = '\0';
}

/* Path of member @p key of the object at @p base. */
static void
path_key(char out[CFG_PATH_MAX], const char *base, const char *key)
{
	path_join(out, base, base[0] != '\0' ? "." : "", key);
}

/* Path of element @p i of the array at @p base. */
static void
path_index(char out[CFG_PATH_MAX], const char *base, size_t i)
{
	char ix[32];

	snprintf(ix, sizeof(ix), "[%zu]", i);
	path_join(out, base, ix, "");
}

/* ---- literals: names, addresses, targets ---- */

/* True if @p s is a valid port/tunnel/bridge name. */
static bool
name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= VTEP_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-'))
			return false;
	}
	return true;
}

/* Check a name and fail at @p path with the reason. */
static int
check_name(struct cfg_ctx *c, const char *path, struct vtep_cfg_loc fb, const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= VTEP_NAME_MAX)
		return fail_at(c, path, fb, "name \"%s\" must be 1..%d characters long", s,
			       VTEP_NAME_MAX - 1);
	if (!name_ok(s))
		return fail_at(c, path, fb,
			       "name \"%s\" may contain only letters, digits, '_', '.' and '-'", s);
	return 0;
}

int
vtep_mac_parse(const char *s, uint8_t mac[6])
{
	static const char hex[] = "0123456789abcdef0123456789ABCDEF";
	uint8_t m[6];
	int i, j;

	if (s == NULL || strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		int v = 0;

		for (j = 0; j < 2; j++) {
			const char *p = strchr(hex, s[i * 3 + j]);

			if (s[i * 3 + j] == '\0' || p == NULL)
				return -EINVAL;
			v = v * 16 + (int)((p - hex) & 15);
		}
		if (i < 5 && s[i * 3 + 2] != ':')
			return -EINVAL;
		m[i] = (uint8_t)v;
	}
	memcpy(mac, m, 6);
	return 0;
}

/* True for a unicast, non-zero MAC address. */
static bool
mac_unicast(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return (mac[0] & 1) == 0 && memcmp(mac, zero, 6) != 0;
}

/* Format a MAC address into @p buf (18 bytes). */
static const char *
mac_format(const uint8_t m[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

int
vtep_ip_parse(const char *s, struct vtep_ip *ip)
{
	struct vtep_ip r;

	if (s == NULL)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	if (inet_pton(AF_INET, s, &r.v4) == 1)
		r.family = AF_INET;
	else if (inet_pton(AF_INET6, s, &r.v6) == 1)
		r.family = AF_INET6;
	else
		return -EINVAL;
	*ip = r;
	return 0;
}

const char *
vtep_ip_format(const struct vtep_ip *ip, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	if (ip->family == AF_INET || ip->family == AF_INET6) {
		if (inet_ntop(ip->family, ip->family == AF_INET ? (const void *)&ip->v4 :
			      (const void *)&ip->v6, buf, (socklen_t)len) != NULL)
			return buf;
	}
	snprintf(buf, len, "%s", "none");
	return buf;
}

/* True for an address a host may own or send to: not 0/8, 127/8, multicast, 240/4. */
static bool
ip_unicast(const struct vtep_ip *ip)
{
	if (ip->family == AF_INET) {
		uint32_t a = ntohl(ip->v4.s_addr);

		return (a >> 24) != 0 && (a >> 24) != 127 && (a >> 28) < 0xe;
	}
	if (ip->family == AF_INET6)
		return !IN6_IS_ADDR_UNSPECIFIED(&ip->v6) && !IN6_IS_ADDR_LOOPBACK(&ip->v6) &&
		       !IN6_IS_ADDR_MULTICAST(&ip->v6);
	return false;
}

/* True for an IPv4 (224/4) or IPv6 (ff00::/8) multicast address. */
static bool
ip_multicast(const struct vtep_ip *ip)
{
	if (ip->family == AF_INET)
		return (ntohl(ip->v4.s_addr) >> 28) == 0xe;
	if (ip->family == AF_INET6)
		return IN6_IS_ADDR_MULTICAST(&ip->v6);
	return false;
}

/* True if two addresses are equal (both unset counts as equal). */
static bool
ip_equal(const struct vtep_ip *a, const struct vtep_ip *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->v4.s_addr == b->v4.s_addr;
	if (a->family == AF_INET6)
		return memcmp(&a->v6, &b->v6, sizeof(a->v6)) == 0;
	return true;
}

/* Parse @p n decimal digits into [min, max]. */
static int
parse_dec(const char *s, size_t n, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 10)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Parse an address of @p family with an optional "/prefix" (1..32 or 1..128). */
static int
parse_ip_prefix(const char *s, int family, struct vtep_ip *ip, uint8_t *prefix, bool *has_prefix)
{
	const char *slash = strchr(s, '/');
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned long p = 0;
	char buf[CFG_IP_MAX];

	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(family, buf, family == AF_INET ? (void *)&ip->v4 : (void *)&ip->v6) != 1)
		return -EINVAL;
	ip->family = family;
	*has_prefix = slash != NULL;
	if (slash != NULL) {
		if (parse_dec(slash + 1, strlen(slash + 1), 1, family == AF_INET ? 32 : 128,
			      &p) < 0)
			return -EINVAL;
		*prefix = (uint8_t)p;
	}
	return 0;
}

/* Parse an IP literal of @p n bytes, bracketed ("[v6]") or bare; @p family 0 for either. */
static int
parse_host(const char *s, size_t n, int family, struct vtep_ip *ip)
{
	char buf[CFG_IP_MAX];

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
		family = AF_INET6;
	}
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (vtep_ip_parse(buf, ip) < 0 || (family != 0 && ip->family != family))
		return -EINVAL;
	return 0;
}

int
vtep_of_target_parse(const char *s, struct vtep_of_target *t)
{
	struct vtep_of_target r;
	unsigned long port;
	const char *rest, *colon;

	if (s == NULL)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	if (strncmp(s, "tcp:", 4) == 0 || strncmp(s, "ssl:", 4) == 0) {
		r.ssl = s[0] == 's';
		rest = s + 4;
		colon = strrchr(rest, ':');
		if (colon == NULL)
			return -EINVAL;
		/* an IPv6 host must be bracketed: "tcp:[::1]:6653" */
		if (rest[0] != '[' && memchr(rest, ':', (size_t)(colon - rest)) != NULL)
			return -EINVAL;
		if (parse_host(rest, (size_t)(colon - rest), rest[0] == '[' ? AF_INET6 : AF_INET,
			       &r.ip) < 0)
			return -EINVAL;
		if (parse_dec(colon + 1, strlen(colon + 1), 1, 65535, &port) < 0)
			return -EINVAL;
	} else if (strncmp(s, "ptcp:", 5) == 0 || strncmp(s, "pssl:", 5) == 0) {
		r.passive = true;
		r.ssl = s[1] == 's';
		rest = s + 5;
		colon = strchr(rest, ':');
		if (parse_dec(rest, colon != NULL ? (size_t)(colon - rest) : strlen(rest), 0, 65535,
			      &port) < 0)
			return -EINVAL;
		if (colon != NULL && parse_host(colon + 1, strlen(colon + 1), 0, &r.ip) < 0)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	r.port = (uint16_t)port;
	*t = r;
	return 0;
}

/* Parse a datapath ID: "0x" and 1..16 hex digits, or a decimal 64-bit number. */
static int
parse_dpid(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t i, n;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n = strlen(s);
		if (n == 0 || n > 16)
			return -EINVAL;
		for (i = 0; i < n; i++) {
			char ch = s[i];
			unsigned int d;

			if (ch >= '0' && ch <= '9')
				d = (unsigned int)(ch - '0');
			else if (ch >= 'a' && ch <= 'f')
				d = (unsigned int)(ch - 'a' + 10);
			else if (ch >= 'A' && ch <= 'F')
				d = (unsigned int)(ch - 'A' + 10);
			else
				return -EINVAL;
			v = v << 4 | d;
		}
	} else {
		n = strlen(s);
		if (n == 0)
			return -EINVAL;
		for (i = 0; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -EINVAL;
			if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
				return -EINVAL;
			v = v * 10 + (uint64_t)(s[i] - '0');
		}
	}
	*out = v;
	return 0;
}

const char *
vtep_tunnel_type_name(enum vtep_tunnel_type t)
{
	static const char *const names[VTEP_TUNNEL__MAX] = {
		[VTEP_TUNNEL_VXLAN] = "vxlan",
		[VTEP_TUNNEL_NVGRE] = "nvgre",
		[VTEP_TUNNEL_STT] = "stt",
	};

	if ((unsigned int)t >= VTEP_TUNNEL__MAX)
		return "unknown";
	return names[t];
}

/* ---- JSON access with typed errors ---- */

/* Reject members of @p obj not in the NULL-terminated @p allowed list. */
static int
check_keys(struct cfg_ctx *c, json_t *obj, const char *base, const char *const *allowed)
{
	struct vtep_cfg_loc kl = { 0, 0 };
	char path[CFG_PATH_MAX];
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(obj, key, v) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] != NULL)
			continue;
		path_key(path, base, key);
		kl = where(c, base, kl);
		vtep_json_loc_find(c->idx, path, NULL, &kl);
		return fail_loc(c, kl, path, "unknown key");
	}
	return 0;
}

/*
 * Find member @p key of the object at @p base. Returns 1 with *out set, 0 if absent and
 * optional, -EINVAL if absent and required.
 */
static int
member(struct cfg_ctx *c, json_t *obj, const char *base, const char *key, bool required,
       json_t **out)
{
	static const struct vtep_cfg_loc nowhere;
	char path[CFG_PATH_MAX];

	*out = json_object_get(obj, key);
	if (*out != NULL)
		return 1;
	if (!required)
		return 0;
	path_key(path, base, key);
	return fail_loc(c, where(c, base, nowhere), path, "required key missing");
}

/* Fail at @p path with "expected ...". */
static int
fail_type(struct cfg_ctx *c, const char *path, const char *what)
{
	static const struct vtep_cfg_loc nowhere;

	return fail_at(c, path, nowhere, "expected %s", what);
}

/* Get a string member. Returns 1 (found), 0 (absent, optional) or -EINVAL. */
static int
get_str(struct cfg_ctx *c, json_t *obj, const char *base, const char *key, bool required,
	const char **out)
{
	char path[CFG_PATH_MAX];
	json_t *v;
	int rc;

	rc = member(c, obj, base, key, required, &v);
	if (rc <= 0)
		return rc;
	if (!json_is_string(v)) {
		path_key(path, base, key);
		return fail_type(c, path, "a string");
	}
	*out = json_string_value(v);
	return 1;
}

/* Check integer @p v against [min, max]; @p what names it in the message ("VLAN ID"). */
static int
check_range(struct cfg_ctx *c, const char *path, struct vtep_cfg_loc fb, const char *what,
	    long long v, long long min, long long max)
{
	if (v < min || v > max)
		return fail_at(c, path, fb, "%s %lld is outside %lld..%lld", what, v, min, max);
	return 0;
}

/* Check that @p v is an integer in [min, max]. */
static int
json_int_in(struct cfg_ctx *c, json_t *v, const char *path, const char *what, long long min,
	    long long max, long long *out)
{
	static const struct vtep_cfg_loc nowhere;

	if (!json_is_integer(v))
		return fail_type(c, path, "an integer");
	*out = json_integer_value(v);
	return check_range(c, path, nowhere, what, *out, min, max);
}

/* Get an integer member in [min, max]. Returns 1, 0 (absent, optional) or -EINVAL. */
static int
get_int(struct cfg_ctx *c, json_t *obj, const char *base, const char *key, bool required,
	const char *what, long long min, long long max, long long *out)
{
	char path[CFG_PATH_MAX];
	json_t *v;
	int rc;

	rc = member(c, obj, base, key, required, &v);
	if (rc <= 0)
		return rc;
	path_key(path, base, key);
	rc = json_int_in(c, v, path, what, min, max, out);
	return rc < 0 ? rc : 1;
}

/* Get a boolean member. Returns 1, 0 (absent) or -EINVAL. */
static int
get_bool(struct cfg_ctx *c, json_t *obj, const char *base, const char *key, bool *out)
{
	char path[CFG_PATH_MAX];
	json_t *v;
	int rc;

	rc = member(c, obj, base, key, false, &v);
	if (rc <= 0)
		return rc;
	if (!json_is_boolean(v)) {
		path_key(path, base, key);
		return fail_type(c, path, "true or false");
	}
	*out = json_is_true(v);
	return 1;
}

/* Get an array member. Returns 1, 0 (absent) or -EINVAL. */
static int
get_array(struct cfg_ctx *c, json_t *obj, const char *base, const char *key, json_t **out)
{
	char path[CFG_PATH_MAX];
	int rc;

	rc = member(c, obj, base, key, false, out);
	if (rc <= 0)
		return rc;
	if (!json_is_array(*out)) {
		path_key(path, base, key);
		return fail_type(c, path, "an array");
	}
	return 1;
}

/* Get a string member that names something: copied into @p out if it fits. */
static int
get_name(struct cfg_ctx *c, json_t *obj, const char *base, const char *key, bool required,
	 char out[VTEP_NAME_MAX])
{
	static const struct vtep_cfg_loc nowhere;
	char path[CFG_PATH_MAX];
	const char *s;
	int rc;

	rc = get_str(c, obj, base, key, required, &s);
	if (rc <= 0)
		return rc;
	path_key(path, base, key);
	rc = check_name(c, path, nowhere, s);
	if (rc < 0)
		return rc;
	snprintf(out, VTEP_NAME_MAX, "%s", s);
	return 1;
}

/* Get a MAC address member (syntax only; check_config() checks it is unicast). */
static int
get_mac(struct cfg_ctx *c, json_t *obj, const char *base, const char *key, bool required,
	uint8_t mac[6])
{
	static const struct vtep_cfg_loc nowhere;
	char path[CFG_PATH_MAX];
	const char *s;
	int rc;

	rc = get_str(c, obj, base, key, required, &s);
	if (rc <= 0)
		return rc;
	if (vtep_mac_parse(s, mac) < 0) {
		path_key(path, base, key);
		return fail_at(c, path, nowhere,
			       "\"%s\" is not a MAC address (aa:bb:cc:dd:ee:ff)", s);
	}
	return 1;
}

/* Get an IP member of @p family (0: either). */
static int
get_ip(struct cfg_ctx *c, json_t *obj, const char *base, const char *key, bool required,
       int family, struct vtep_ip *ip)
{
	static const struct vtep_cfg_loc nowhere;
	char path[CFG_PATH_MAX];
	const char *s;
	int rc;

	rc = get_str(c, obj, base, key, required, &s);
	if (rc <= 0)
		return rc;
	if (vtep_ip_parse(s, ip) < 0 || (family != 0 && ip->family != family)) {
		path_key(path, base, key);
		return fail_at(c, path, nowhere, "\"%s\" is not an %s address", s,
			       family == AF_INET ? "IPv4" :
			       family == AF_INET6 ? "IPv6" : "IPv4 or IPv6");
	}
	return 1;
}

/* Look up one of the names in @p names; returns its index or -1. */
static int
str_choice(const char *s, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* ---- sections ---- */

/* Parse "controllers" or "listen": an array of target strings. */
static int
parse_targets(struct cfg_ctx *c, json_t *obj, const char *base, const char *key, bool passive,
	      char ***out, unsigned int *n_out)
{
	static const struct vtep_cfg_loc nowhere;
	char path[CFG_PATH_MAX], ep[CFG_PATH_MAX];
	struct vtep_of_target t;
	json_t *arr, *v;
	const char *s;
	size_t i;
	int rc;

	rc = get_array(c, obj, base, key, &arr);
	if (rc <= 0)
		return rc;
	path_key(path, base, key);
	if (json_array_size(arr) == 0)
		return 0;
	*out = calloc(json_array_size(arr), sizeof(**out));
	if (*out == NULL)
		return fail_nomem(c);
	json_array_foreach(arr, i, v) {
		path_index(ep, path, i);
		if (!json_is_string(v))
			return fail_type(c, ep, "a string");
		s = json_string_value(v);
		if (strlen(s) >= VTEP_TARGET_MAX || vtep_of_target_parse(s, &t) < 0 ||
		    t.passive != passive)
			return fail_at(c, ep, nowhere, passive ? MSG_LISTEN : MSG_CONTROLLER, s);
		(*out)[i] = strdup(s);
		if ((*out)[i] == NULL)
			return fail_nomem(c);
		(*n_out)++;
	}
	return 0;
}

static int
parse_bridge(struct cfg_ctx *c, json_t *o, struct vtep_cfg_bridge *b)
{
	static const char *const keys[] = { "name", "datapath_id", "fail_mode", "controllers",
					     "listen", "mac_aging_s", NULL };
	static const char *const modes[] = { "standalone", "secure" };
	static const struct vtep_cfg_loc nowhere;
	const char *base = "bridge", *s;
	long long ll;
	json_t *v;
	int rc, m;

	if (!json_is_object(o))
		return fail_type(c, base, "an object");
	rc = check_keys(c, o, base, keys);
	if (rc < 0)
		return rc;
	rc = get_name(c, o, base, "name", false, b->name);
	if (rc < 0)
		return rc;
	v = json_object_get(o, "datapath_id");
	if (v != NULL) {
		if (json_is_integer(v) && json_integer_value(v) >= 0) {
			b->datapath_id = (uint64_t)json_integer_value(v);
		} else if (json_is_integer(v)) {
			return fail_at(c, "bridge.datapath_id", nowhere,
				       "datapath ID %" JSON_INTEGER_FORMAT " is negative",
				       json_integer_value(v));
		} else if (json_is_string(v)) {
			if (parse_dpid(json_string_value(v), &b->datapath_id) < 0)
				return fail_at(c, "bridge.datapath_id", nowhere, MSG_DPID,
					       json_string_value(v));
		} else {
			return fail_type(c, "bridge.datapath_id", "a string or an integer");
		}
	}
	rc = get_str(c, o, base, "fail_mode", false, &s);
	if (rc < 0)
		return rc;
	if (rc > 0) {
		m = str_choice(s, modes, 2);
		if (m < 0)
			return fail_at(c, "bridge.fail_mode", nowhere,
				       "\"%s\" is not a fail mode (standalone or secure)", s);
		b->fail_mode = m == 0 ? VTEP_FAIL_STANDALONE : VTEP_FAIL_SECURE;
	}
	rc = parse_targets(c, o, base, "controllers", false, &b->controllers, &b->n_controllers);
	if (rc < 0)
		return rc;
	rc = parse_targets(c, o, base, "listen", true, &b->listen, &b->n_listen);
	if (rc < 0)
		return rc;
	rc = get_int(c, o, base, "mac_aging_s", false, "MAC aging time", 10, 1000000, &ll);
	if (rc < 0)
		return rc;
	if (rc > 0)
		b->mac_aging_s = (uint32_t)ll;
	return 0;
}

/* Parse "local_ip" or "local_ip6" with optional prefix. */
static int
parse_local(struct cfg_ctx *c, json_t *o, const char *key, int family, struct vtep_ip *ip,
	    uint8_t *prefix)
{
	static const struct vtep_cfg_loc nowhere;
	char path[CFG_PATH_MAX];
	bool has_prefix;
	const char *s;
	int rc;

	rc = get_str(c, o, "vtep", key, false, &s);
	if (rc <= 0)
		return rc;
	path_key(path, "vtep", key);
	if (parse_ip_prefix(s, family, ip, prefix, &has_prefix) < 0)
		return fail_at(c, path, nowhere, family == AF_INET ?
			       "\"%s\" is not an IPv4 address (optionally with /1..32)" :
			       "\"%s\" is not an IPv6 address (optionally with /1..128)", s);
	return 0;
}

static int
parse_neighbours(struct cfg_ctx *c, json_t *o, struct vtep_cfg_vtep *vt)
{
	static const char *const keys[] = { "ip", "mac", NULL };
	char ep[CFG_PATH_MAX];
	json_t *arr, *v;
	size_t i;
	int rc;

	rc = get_array(c, o, "vtep", "neighbours", &arr);
	if (rc <= 0 || json_array_size(arr) == 0)
		return rc;
	vt->neighbours = calloc(json_array_size(arr), sizeof(*vt->neighbours));
	if (vt->neighbours == NULL)
		return fail_nomem(c);
	json_array_foreach(arr, i, v) {
		struct vtep_cfg_neigh *n = &vt->neighbours[i];

		path_index(ep, "vtep.neighbours", i);
		if (!json_is_object(v))
			return fail_type(c, ep, "an object");
		rc = check_keys(c, v, ep, keys);
		if (rc >= 0)
			rc = get_ip(c, v, ep, "ip", true, 0, &n->ip);
		if (rc >= 0)
			rc = get_mac(c, v, ep, "mac", true, n->mac);
		if (rc < 0)
			return rc;
		vt->n_neighbours++;
	}
	return 0;
}

static int
parse_vtep(struct cfg_ctx *c, json_t *o, struct vtep_cfg_vtep *vt)
{
	static const char *const keys[] = { "local_ip", "local_ip6", "uplink", "gateway",
					     "gateway6", "udp_port", "mtu", "require_known_remote",
					     "stt_reassembly_kb", "stt_reassembly_timeout_ms",
					     "neighbours", NULL };
	static const struct vtep_cfg_loc nowhere;
	const char *base = "vtep", *s;
	long long ll;
	int rc;

	if (!json_is_object(o))
		return fail_type(c, base, "an object");
	vt->loc = where(c, base, nowhere);
	rc = check_keys(c, o, base, keys);
	if (rc >= 0)
		rc = parse_local(c, o, "local_ip", AF_INET, &vt->local_ip, &vt->prefix_len);
	if (rc >= 0)
		rc = parse_local(c, o, "local_ip6", AF_INET6, &vt->local_ip6, &vt->prefix_len6);
	if (rc < 0)
		return rc;
	rc = get_str(c, o, base, "uplink", false, &s);
	if (rc < 0)
		return rc;
	if (rc > 0) {
		/* any string is taken; check_config() reports one that names no port */
		if (strlen(s) >= VTEP_NAME_MAX || s[0] == '\0')
			return fail_at(c, "vtep.uplink", nowhere, "unknown port \"%s\"", s);
		snprintf(vt->uplink, sizeof(vt->uplink), "%s", s);
	}
	rc = get_ip(c, o, base, "gateway", false, AF_INET, &vt->gateway);
	if (rc >= 0)
		rc = get_ip(c, o, base, "gateway6", false, AF_INET6, &vt->gateway6);
	if (rc < 0)
		return rc;
	rc = get_int(c, o, base, "udp_port", false, "UDP port", 1, 65535, &ll);
	if (rc < 0)
		return rc;
	if (rc > 0)
		vt->udp_port = (uint16_t)ll;
	rc = get_int(c, o, base, "mtu", false, "MTU", 576, 9216, &ll);
	if (rc < 0)
		return rc;
	if (rc > 0)
		vt->mtu = (uint16_t)ll;
	rc = get_bool(c, o, base, "require_known_remote", &vt->require_known_remote);
	if (rc < 0)
		return rc;
	rc = get_int(c, o, base, "stt_reassembly_kb", false, "STT reassembly memory (KiB)", 64,
		     1048576, &ll);
	if (rc < 0)
		return rc;
	if (rc > 0)
		vt->stt_reasm_mem_kb = (uint32_t)ll;
	rc = get_int(c, o, base, "stt_reassembly_timeout_ms", false, "STT reassembly timeout (ms)",
		     10, 60000, &ll);
	if (rc < 0)
		return rc;
	if (rc > 0)
		vt->stt_reasm_timeout_ms = (uint32_t)ll;
	return parse_neighbours(c, o, vt);
}

/* Parse "trunks": a non-empty array of distinct VLAN IDs. */
static int
parse_trunks(struct cfg_ctx *c, json_t *arr, const char *path, struct vtep_cfg_port *p)
{
	static const struct vtep_cfg_loc nowhere;
	char ep[CFG_PATH_MAX];
	long long vid = 0;
	json_t *v;
	size_t i;
	int rc;

	if (json_array_size(arr) == 0)
		return fail_at(c, path, nowhere, "trunks must list at least one VLAN");
	json_array_foreach(arr, i, v) {
		path_index(ep, path, i);
		rc = json_int_in(c, v, ep, "VLAN ID", 1, VTEP_VLAN_COUNT - 2, &vid);
		if (rc < 0)
			return rc;
		if (vtep_cfg_trunk_has(p->trunks, (uint16_t)vid))
			return fail_at(c, ep, nowhere, "VLAN %lld is listed twice", vid);
		p->trunks[vid >> 6] |= UINT64_C(1) << (vid & 63);
	}
	p->mode = VTEP_PORT_MODE_TRUNK;
	return 0;
}

static int
parse_port(struct cfg_ctx *c, json_t *o, const char *base, struct vtep_cfg_port *p)
{
	static const char *const keys[] = { "name", "devargs", "ofport", "mac", "vlan", "trunks",
					     "role", "rx_queues", "mtu", NULL };
	static const char *const roles[] = { "normal", "uplink" };
	static const struct vtep_cfg_loc nowhere;
	char path[CFG_PATH_MAX];
	const char *s = NULL;
	long long ll = 0;
	json_t *trunks;
	int rc, r;

	if (!json_is_object(o))
		return fail_type(c, base, "an object");
	p->loc = where(c, base, nowhere);
	p->rxq = 1;
	rc = check_keys(c, o, base, keys);
	if (rc >= 0)
		rc = get_name(c, o, base, "name", true, p->name);
	if (rc >= 0)
		rc = get_str(c, o, base, "devargs", true, &s);
	if (rc < 0)
		return rc;
	path_key(path, base, "devargs");
	p->devargs_loc = where(c, path, p->loc);
	if (s[0] == '\0')
		return fail_at(c, path, nowhere, "devargs must not be empty");
	if (strlen(s) >= VTEP_DEVARGS_MAX)
		return fail_at(c, path, nowhere, "devargs is longer than %d characters",
			       VTEP_DEVARGS_MAX - 1);
	snprintf(p->devargs, sizeof(p->devargs), "%s", s);
	rc = get_int(c, o, base, "ofport", false, "OpenFlow port", 1, CFG_OFPORT_MAX, &ll);
	if (rc < 0)
		return rc;
	if (rc > 0)
		p->ofport = (uint32_t)ll;
	rc = get_mac(c, o, base, "mac", false, p->mac);
	if (rc < 0)
		return rc;
	p->has_mac = rc > 0;
	rc = get_int(c, o, base, "vlan", false, "VLAN ID", 1, VTEP_VLAN_COUNT - 2, &ll);
	if (rc < 0)
		return rc;
	if (rc > 0) {
		p->mode = VTEP_PORT_MODE_ACCESS;
		p->vlan = (uint16_t)ll;
	}
	rc = get_array(c, o, base, "trunks", &trunks);
	if (rc < 0)
		return rc;
	if (rc > 0) {
		path_key(path, base, "trunks");
		if (p->mode == VTEP_PORT_MODE_ACCESS)
			return fail_at(c, path, nowhere,
				       "a port has either vlan or trunks, not both");
		rc = parse_trunks(c, trunks, path, p);
		if (rc < 0)
			return rc;
	}
	rc = get_str(c, o, base, "role", false, &s);
	if (rc < 0)
		return rc;
	if (rc > 0) {
		r = str_choice(s, roles, 2);
		if (r < 0) {
			path_key(path, base, "role");
			return fail_at(c, path, nowhere,
				       "\"%s\" is not a port role (uplink or normal)", s);
		}
		p->role = r == 1 ? VTEP_PORT_ROLE_UPLINK : VTEP_PORT_ROLE_NORMAL;
	}
	rc = get_int(c, o, base, "rx_queues", false, "rx queue count", 1, 16, &ll);
	if (rc < 0)
		return rc;
	if (rc > 0)
		p->rxq = (uint16_t)ll;
	rc = get_int(c, o, base, "mtu", false, "MTU", 68, 65535, &ll);
	if (rc < 0)
		return rc;
	if (rc > 0)
		p->mtu = (uint16_t)ll;
	return 0;
}

static int
parse_tunnel(struct cfg_ctx *c, json_t *o, const char *base, struct vtep_cfg_tunnel *t)
{
	static const char *const keys[] = { "name", "type", "remote_ip", "udp_port", "ofport",
					     NULL };
	static const char *const types[VTEP_TUNNEL__MAX] = { "vxlan", "nvgre", "stt" };
	static const struct vtep_cfg_loc nowhere;
	char path[CFG_PATH_MAX];
	const char *s = NULL;
	long long ll;
	int rc, ty;

	if (!json_is_object(o))
		return fail_type(c, base, "an object");
	t->loc = where(c, base, nowhere);
	rc = check_keys(c, o, base, keys);
	if (rc >= 0)
		rc = get_name(c, o, base, "name", true, t->name);
	if (rc >= 0)
		rc = get_str(c, o, base, "type", true, &s);
	if (rc < 0)
		return rc;
	ty = str_choice(s, types, VTEP_TUNNEL__MAX);
	if (ty < 0) {
		path_key(path, base, "type");
		return fail_at(c, path, nowhere,
			       "\"%s\" is not a tunnel type (vxlan, nvgre or stt)", s);
	}
	t->type = (enum vtep_tunnel_type)ty;
	rc = get_ip(c, o, base, "remote_ip", true, 0, &t->remote_ip);
	if (rc < 0)
		return rc;
	rc = get_int(c, o, base, "udp_port", false, "UDP port", 1, 65535, &ll);
	if (rc < 0)
		return rc;
	if (rc > 0)
		t->udp_port = (uint16_t)ll;
	rc = get_int(c, o, base, "ofport", false, "OpenFlow port", 1, CFG_OFPORT_MAX, &ll);
	if (rc < 0)
		return rc;
	if (rc > 0)
		t->ofport = (uint32_t)ll;
	return 0;
}

static int
parse_segment(struct cfg_ctx *c, json_t *o, const char *base, struct vtep_cfg_segment *sg)
{
	static const char *const keys[] = { "vlan", "vni", "flood", "mcast_group", NULL };
	static const struct vtep_cfg_loc nowhere;
	char path[CFG_PATH_MAX], ep[CFG_PATH_MAX];
	json_t *arr, *v;
	long long ll = 0;
	const char *s;
	size_t i;
	int rc;

	if (!json_is_object(o))
		return fail_type(c, base, "an object");
	sg->loc = where(c, base, nowhere);
	rc = check_keys(c, o, base, keys);
	if (rc >= 0)
		rc = get_int(c, o, base, "vlan", true, "VLAN ID", 1, VTEP_VLAN_COUNT - 2, &ll);
	if (rc < 0)
		return rc;
	sg->vlan = (uint16_t)ll;
	rc = get_int(c, o, base, "vni", true, "VNI", 1, VTEP_VNI_MAX, &ll);
	if (rc < 0)
		return rc;
	sg->vni = (uint32_t)ll;
	rc = get_array(c, o, base, "flood", &arr);
	if (rc < 0)
		return rc;
	if (rc > 0 && json_array_size(arr) > 0) {
		path_key(path, base, "flood");
		sg->flood = calloc(json_array_size(arr), sizeof(*sg->flood));
		if (sg->flood == NULL)
			return fail_nomem(c);
		json_array_foreach(arr, i, v) {
			path_index(ep, path, i);
			if (!json_is_string(v))
				return fail_type(c, ep, "a string");
			s = json_string_value(v);
			if (s[0] == '\0' || strlen(s) >= VTEP_NAME_MAX)
				return fail_at(c, ep, nowhere, "unknown tunnel \"%s\"", s);
			snprintf(sg->flood[i], VTEP_NAME_MAX, "%s", s);
			sg->n_flood++;
		}
	}
	rc = get_ip(c, o, base, "mcast_group", false, 0, &sg->mcast_group);
	return rc < 0 ? rc : 0;
}

static int
parse_fdb(struct cfg_ctx *c, json_t *o, const char *base, struct vtep_cfg_fdb *f)
{
	static const char *const keys[] = { "vlan", "mac", "port", "tunnel", NULL };
	static const struct vtep_cfg_loc nowhere;
	char path[CFG_PATH_MAX];
	const char *port = NULL, *tun = NULL, *s;
	long long ll = 0;
	int rc;

	if (!json_is_object(o))
		return fail_type(c, base, "an object");
	f->loc = where(c, base, nowhere);
	rc = check_keys(c, o, base, keys);
	if (rc >= 0)
		rc = get_int(c, o, base, "vlan", true, "VLAN ID", 1, VTEP_VLAN_COUNT - 2, &ll);
	if (rc < 0)
		return rc;
	f->vlan = (uint16_t)ll;
	rc = get_mac(c, o, base, "mac", true, f->mac);
	if (rc >= 0)
		rc = get_str(c, o, base, "port", false, &port);
	if (rc >= 0)
		rc = get_str(c, o, base, "tunnel", false, &tun);
	if (rc < 0)
		return rc;
	if (port != NULL && tun != NULL) {
		path_key(path, base, "tunnel");
		return fail_at(c, path, nowhere, "an entry has either port or tunnel, not both");
	}
	if (port == NULL && tun == NULL) {
		path_key(path, base, "port");
		return fail_loc(c, f->loc, path, "required key missing (or give tunnel)");
	}
	s = port != NULL ? port : tun;
	if (s[0] == '\0' || strlen(s) >= VTEP_NAME_MAX) {
		path_key(path, base, port != NULL ? "port" : "tunnel");
		return fail_at(c, path, nowhere, "unknown %s \"%s\"",
			       port != NULL ? "port" : "tunnel", s);
	}
	snprintf(f->target, sizeof(f->target), "%s", s);
	f->target_is_tunnel = tun != NULL;
	return 0;
}

/* Parse a top-level array of objects with @p one, storing into *arr and *n. */
static int
parse_list(struct cfg_ctx *c, json_t *root, const char *key, size_t elem, void **arr,
	   unsigned int *n, int (*one)(struct cfg_ctx *, json_t *, const char *, void *))
{
	char ep[CFG_PATH_MAX];
	json_t *a, *v;
	size_t i;
	int rc;

	rc = get_array(c, root, "", key, &a);
	if (rc <= 0 || json_array_size(a) == 0)
		return rc;
	*arr = calloc(json_array_size(a), elem);
	if (*arr == NULL)
		return fail_nomem(c);
	json_array_foreach(a, i, v) {
		path_index(ep, key, i);
		rc = one(c, v, ep, (char *)*arr + i * elem);
		(*n)++; /* counted even on error, so vtep_config_clear() frees its arrays */
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Adapters from parse_list()'s element pointer to the typed parsers. */
static int
one_port(struct cfg_ctx *c, json_t *o, const char *base, void *p)
{
	return parse_port(c, o, base, p);
}

static int
one_tunnel(struct cfg_ctx *c, json_t *o, const char *base, void *p)
{
	return parse_tunnel(c, o, base, p);
}

static int
one_segment(struct cfg_ctx *c, json_t *o, const char *base, void *p)
{
	return parse_segment(c, o, base, p);
}

static int
one_fdb(struct cfg_ctx *c, json_t *o, const char *base, void *p)
{
	return parse_fdb(c, o, base, p);
}

static int
parse_root(struct cfg_ctx *c, json_t *root, struct vtep_config *cfg)
{
	static const char *const keys[] = { "bridge", "vtep", "ports", "tunnels", "segments",
					     "fdb", NULL };
	static const struct vtep_cfg_loc nowhere;
	json_t *v;
	int rc;

	if (!json_is_object(root))
		return fail_at(c, "", nowhere, "expected an object");
	rc = check_keys(c, root, "", keys);
	if (rc < 0)
		return rc;
	v = json_object_get(root, "bridge");
	if (v != NULL && (rc = parse_bridge(c, v, &cfg->bridge)) < 0)
		return rc;
	v = json_object_get(root, "vtep");
	if (v != NULL && (rc = parse_vtep(c, v, &cfg->vtep)) < 0)
		return rc;
	rc = parse_list(c, root, "ports", sizeof(*cfg->ports), (void **)&cfg->ports,
			&cfg->n_ports, one_port);
	if (rc >= 0)
		rc = parse_list(c, root, "tunnels", sizeof(*cfg->tunnels),
				(void **)&cfg->tunnels, &cfg->n_tunnels, one_tunnel);
	if (rc >= 0)
		rc = parse_list(c, root, "segments", sizeof(*cfg->segments),
				(void **)&cfg->segments, &cfg->n_segments, one_segment);
	if (rc >= 0)
		rc = parse_list(c, root, "fdb", sizeof(*cfg->fdb), (void **)&cfg->fdb,
				&cfg->n_fdb, one_fdb);
	return rc < 0 ? rc : 0;
}

/* ---- semantic checks, shared by the loader and vtep_config_validate() ---- */

static int
check_bridge(struct cfg_ctx *c, const struct vtep_cfg_bridge *b)
{
	static const struct vtep_cfg_loc nowhere;
	char path[CFG_PATH_MAX];
	struct vtep_of_target t;
	unsigned int i, j;
	int rc;

	rc = check_name(c, "bridge.name", nowhere, b->name);
	if (rc < 0)
		return rc;
	if (b->fail_mode != VTEP_FAIL_STANDALONE && b->fail_mode != VTEP_FAIL_SECURE)
		return fail_at(c, "bridge.fail_mode", nowhere, "invalid fail mode %d",
			       (int)b->fail_mode);
	rc = check_range(c, "bridge.mac_aging_s", nowhere, "MAC aging time", b->mac_aging_s, 10,
			 1000000);
	if (rc < 0)
		return rc;
	for (i = 0; i < b->n_controllers; i++) {
		const char *s = b->controllers[i];

		path_index(path, "bridge.controllers", i);
		if (vtep_of_target_parse(s, &t) < 0 || t.passive)
			return fail_at(c, path, nowhere, MSG_CONTROLLER, s);
		for (j = 0; j < i; j++)
			if (strcmp(s, b->controllers[j]) == 0)
				return fail_at(c, path, nowhere,
					       "controller \"%s\" is listed twice", s);
	}
	for (i = 0; i < b->n_listen; i++) {
		const char *s = b->listen[i];

		path_index(path, "bridge.listen", i);
		if (vtep_of_target_parse(s, &t) < 0 || !t.passive)
			return fail_at(c, path, nowhere, MSG_LISTEN, s);
		for (j = 0; j < i; j++)
			if (strcmp(s, b->listen[j]) == 0)
				return fail_at(c, path, nowhere,
					       "listen target \"%s\" is listed twice", s);
	}
	return 0;
}

/* Check one of local_ip/local_ip6 (family and unicast). */
static int
check_local(struct cfg_ctx *c, const char *path, struct vtep_cfg_loc fb, const struct vtep_ip *ip,
	    int family, unsigned int prefix)
{
	char buf[INET6_ADDRSTRLEN];

	if (ip->family == 0)
		return 0;
	if (ip->family != family)
		return fail_at(c, path, fb, "expected an %s address",
			       family == AF_INET ? "IPv4" : "IPv6");
	if (!ip_unicast(ip))
		return fail_at(c, path, fb, "%s is not a unicast address",
			       vtep_ip_format(ip, buf, sizeof(buf)));
	if (prefix < 1 || prefix > (family == AF_INET ? 32u : 128u))
		return fail_at(c, path, fb, "prefix length %u is outside 1..%u", prefix,
			       family == AF_INET ? 32u : 128u);
	return 0;
}

/* Check a gateway: right family, unicast, needs the local address of its family. */
static int
check_gateway(struct cfg_ctx *c, const char *path, struct vtep_cfg_loc fb,
	      const struct vtep_ip *gw, const struct vtep_ip *local, int family)
{
	char buf[INET6_ADDRSTRLEN];

	if (gw->family == 0)
		return 0;
	if (gw->family != family)
		return fail_at(c, path, fb, "expected an %s address",
			       family == AF_INET ? "IPv4" : "IPv6");
	if (!ip_unicast(gw))
		return fail_at(c, path, fb, "%s is not a unicast address",
			       vtep_ip_format(gw, buf, sizeof(buf)));
	if (local->family == 0)
		return fail_at(c, path, fb, "a gateway needs vtep.%s",
			       family == AF_INET ? "local_ip" : "local_ip6");
	if (ip_equal(gw, local))
		return fail_at(c, path, fb, "the gateway %s is the VTEP's own address",
			       vtep_ip_format(gw, buf, sizeof(buf)));
	return 0;
}

static int
check_vtep(struct cfg_ctx *c, const struct vtep_cfg_vtep *vt)
{
	char path[CFG_PATH_MAX], buf[INET6_ADDRSTRLEN], mb[18];
	unsigned int i, j;
	int rc;

	rc = check_local(c, "vtep.local_ip", vt->loc, &vt->local_ip, AF_INET, vt->prefix_len);
	if (rc >= 0)
		rc = check_local(c, "vtep.local_ip6", vt->loc, &vt->local_ip6, AF_INET6,
				 vt->prefix_len6);
	if (rc >= 0)
		rc = check_gateway(c, "vtep.gateway", vt->loc, &vt->gateway, &vt->local_ip,
				   AF_INET);
	if (rc >= 0)
		rc = check_gateway(c, "vtep.gateway6", vt->loc, &vt->gateway6, &vt->local_ip6,
				   AF_INET6);
	if (rc >= 0)
		rc = check_range(c, "vtep.udp_port", vt->loc, "UDP port", vt->udp_port, 1, 65535);
	if (rc >= 0)
		rc = check_range(c, "vtep.mtu", vt->loc, "MTU", vt->mtu, 576, 9216);
	if (rc >= 0)
		rc = check_range(c, "vtep.stt_reassembly_kb", vt->loc,
				 "STT reassembly memory (KiB)", vt->stt_reasm_mem_kb, 64, 1048576);
	if (rc >= 0)
		rc = check_range(c, "vtep.stt_reassembly_timeout_ms", vt->loc,
				 "STT reassembly timeout (ms)", vt->stt_reasm_timeout_ms, 10,
				 60000);
	if (rc < 0)
		return rc;
	for (i = 0; i < vt->n_neighbours; i++) {
		const struct vtep_cfg_neigh *n = &vt->neighbours[i];

		path_index(path, "vtep.neighbours", i);
		snprintf(path + strlen(path), CFG_PATH_MAX - strlen(path), ".ip");
		if (!ip_unicast(&n->ip))
			return fail_at(c, path, vt->loc, "%s is not a unicast address",
				       vtep_ip_format(&n->ip, buf, sizeof(buf)));
		for (j = 0; j < i; j++)
			if (ip_equal(&n->ip, &vt->neighbours[j].ip))
				return fail_at(c, path, vt->loc,
					       "%s is already listed (vtep.neighbours[%u])",
					       vtep_ip_format(&n->ip, buf, sizeof(buf)), j);
		path_index(path, "vtep.neighbours", i);
		snprintf(path + strlen(path), CFG_PATH_MAX - strlen(path), ".mac");
		if (!mac_unicast(n->mac))
			return fail_at(c, path, vt->loc, "%s is not a unicast MAC address",
				       mac_format(n->mac, mb));
	}
	return 0;
}

/* Path "SECTION[i].FIELD". */
static void
path_field(char out[CFG_PATH_MAX], const char *section, unsigned int i, const char *field)
{
	char ix[32];

	snprintf(ix, sizeof(ix), "[%u].", i);
	path_join(out, section, ix, field);
}

/* Index of the port called @p name, or -1. */
static int
find_port(const struct vtep_config *cfg, const char *name, unsigned int limit)
{
	unsigned int i;

	for (i = 0; i < limit && i < cfg->n_ports; i++)
		if (strcmp(cfg->ports[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Index of the tunnel called @p name, or -1. */
static int
find_tunnel(const struct vtep_config *cfg, const char *name, unsigned int limit)
{
	unsigned int i;

	for (i = 0; i < limit && i < cfg->n_tunnels; i++)
		if (strcmp(cfg->tunnels[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Report a used OpenFlow port number, naming the earlier owner. */
static int
check_ofport(struct cfg_ctx *c, const struct vtep_config *cfg, const char *path,
	     struct vtep_cfg_loc fb, uint32_t ofport, unsigned int n_ports, unsigned int n_tunnels)
{
	unsigned int j;

	if (ofport == 0)
		return 0;
	if (ofport > CFG_OFPORT_MAX)
		return check_range(c, path, fb, "OpenFlow port", ofport, 1, CFG_OFPORT_MAX);
	for (j = 0; j < n_ports; j++)
		if (cfg->ports[j].ofport == ofport)
			return fail_at(c, path, fb, "OpenFlow port %u is already used by ports[%u]",
				       ofport, j);
	for (j = 0; j < n_tunnels; j++)
		if (cfg->tunnels[j].ofport == ofport)
			return fail_at(c, path, fb,
				       "OpenFlow port %u is already used by tunnels[%u]", ofport,
				       j);
	return 0;
}

/* Count the VLANs of a trunk bitmap and whether it has the reserved IDs 0 or 4095. */
static unsigned int
trunk_count(const uint64_t *trunks, bool *reserved)
{
	unsigned int n = 0, i;

	for (i = 0; i < VTEP_VLAN_COUNT / 64; i++)
		n += (unsigned int)__builtin_popcountll(trunks[i]);
	*reserved = vtep_cfg_trunk_has(trunks, 0) || vtep_cfg_trunk_has(trunks, 4095);
	return n;
}

static int
check_port(struct cfg_ctx *c, const struct vtep_config *cfg, unsigned int i, int *uplink)
{
	const struct vtep_cfg_port *p = &cfg->ports[i];
	char path[CFG_PATH_MAX], mb[18];
	bool reserved;
	int rc, j;

	path_field(path, "ports", i, "name");
	rc = check_name(c, path, p->loc, p->name);
	if (rc < 0)
		return rc;
	j = find_port(cfg, p->name, i);
	if (j >= 0)
		return fail_at(c, path, p->loc, "name \"%s\" is already used by ports[%d]", p->name,
			       j);
	path_field(path, "ports", i, "devargs");
	if (p->devargs[0] == '\0')
		return fail_at(c, path, p->devargs_loc, "devargs must not be empty");
	path_field(path, "ports", i, "ofport");
	rc = check_ofport(c, cfg, path, p->loc, p->ofport, i, 0);
	if (rc < 0)
		return rc;
	path_field(path, "ports", i, "mac");
	if (p->has_mac && !mac_unicast(p->mac))
		return fail_at(c, path, p->loc, "%s is not a unicast MAC address",
			       mac_format(p->mac, mb));
	switch (p->mode) {
	case VTEP_PORT_MODE_ALL:
		break;
	case VTEP_PORT_MODE_ACCESS:
		path_field(path, "ports", i, "vlan");
		rc = check_range(c, path, p->loc, "VLAN ID", p->vlan, 1, VTEP_VLAN_COUNT - 2);
		break;
	case VTEP_PORT_MODE_TRUNK:
		path_field(path, "ports", i, "trunks");
		if (trunk_count(p->trunks, &reserved) == 0)
			return fail_at(c, path, p->loc, "trunks must list at least one VLAN");
		if (reserved)
			return fail_at(c, path, p->loc, "VLAN IDs 0 and 4095 are reserved");
		break;
	default:
		path_field(path, "ports", i, "vlan");
		return fail_at(c, path, p->loc, "invalid port mode %d", (int)p->mode);
	}
	if (rc < 0)
		return rc;
	if (p->role == VTEP_PORT_ROLE_UPLINK) {
		if (p->mode != VTEP_PORT_MODE_ALL) {
			path_field(path, "ports", i,
				   p->mode == VTEP_PORT_MODE_ACCESS ? "vlan" : "trunks");
			return fail_at(c, path, p->loc,
				       "a port with role \"uplink\" cannot have vlan or trunks");
		}
		if (*uplink >= 0) {
			path_field(path, "ports", i, "role");
			return fail_at(c, path, p->loc,
				       "only one port may have role \"uplink\" (ports[%d] has it)",
				       *uplink);
		}
		*uplink = (int)i;
	} else if (p->role != VTEP_PORT_ROLE_NORMAL) {
		path_field(path, "ports", i, "role");
		return fail_at(c, path, p->loc, "invalid port role %d", (int)p->role);
	}
	path_field(path, "ports", i, "rx_queues");
	rc = check_range(c, path, p->loc, "rx queue count", p->rxq, 1, 16);
	if (rc >= 0 && p->mtu != 0) {
		path_field(path, "ports", i, "mtu");
		rc = check_range(c, path, p->loc, "MTU", p->mtu, 68, 65535);
	}
	return rc;
}

static int
check_tunnel(struct cfg_ctx *c, const struct vtep_config *cfg, unsigned int i)
{
	const struct vtep_cfg_tunnel *t = &cfg->tunnels[i];
	const struct vtep_cfg_vtep *vt = &cfg->vtep;
	char path[CFG_PATH_MAX], buf[INET6_ADDRSTRLEN];
	const struct vtep_ip *local;
	unsigned int j;
	int rc, k;

	path_field(path, "tunnels", i, "name");
	rc = check_name(c, path, t->loc, t->name);
	if (rc < 0)
		return rc;
	k = find_port(cfg, t->name, cfg->n_ports);
	if (k >= 0)
		return fail_at(c, path, t->loc, "name \"%s\" is already used by ports[%d]", t->name,
			       k);
	k = find_tunnel(cfg, t->name, i);
	if (k >= 0)
		return fail_at(c, path, t->loc, "name \"%s\" is already used by tunnels[%d]",
			       t->name, k);
	path_field(path, "tunnels", i, "type");
	if ((unsigned int)t->type >= VTEP_TUNNEL__MAX)
		return fail_at(c, path, t->loc, "invalid tunnel type %d", (int)t->type);
	path_field(path, "tunnels", i, "remote_ip");
	if (!ip_unicast(&t->remote_ip))
		return fail_at(c, path, t->loc, "%s is not a unicast address",
			       vtep_ip_format(&t->remote_ip, buf, sizeof(buf)));
	local = t->remote_ip.family == AF_INET ? &vt->local_ip : &vt->local_ip6;
	if (local->family == 0)
		return fail_at(c, path, t->loc, "an %s remote needs vtep.%s",
			       t->remote_ip.family == AF_INET ? "IPv4" : "IPv6",
			       t->remote_ip.family == AF_INET ? "local_ip" : "local_ip6");
	if (ip_equal(local, &t->remote_ip))
		return fail_at(c, path, t->loc, "%s is the VTEP's own address",
			       vtep_ip_format(&t->remote_ip, buf, sizeof(buf)));
	for (j = 0; j < i; j++) {
		const struct vtep_cfg_tunnel *o = &cfg->tunnels[j];

		if (o->type == t->type && o->udp_port == t->udp_port &&
		    ip_equal(&o->remote_ip, &t->remote_ip))
			return fail_at(c, path, t->loc,
				       "tunnels[%u] already reaches %s with %s", j,
				       vtep_ip_format(&t->remote_ip, buf, sizeof(buf)),
				       vtep_tunnel_type_name(t->type));
	}
	path_field(path, "tunnels", i, "udp_port");
	if (t->udp_port != 0 && t->type != VTEP_TUNNEL_VXLAN)
		return fail_at(c, path, t->loc, "udp_port applies to vxlan tunnels only");
	path_field(path, "tunnels", i, "ofport");
	return check_ofport(c, cfg, path, t->loc, t->ofport, cfg->n_ports, i);
}

static int
check_uplink(struct cfg_ctx *c, const struct vtep_config *cfg)
{
	int k;

	if (cfg->vtep.uplink[0] == '\0')
		return 0;
	k = find_port(cfg, cfg->vtep.uplink, cfg->n_ports);
	if (k < 0)
		return fail_at(c, "vtep.uplink", cfg->vtep.loc, "unknown port \"%s\"",
			       cfg->vtep.uplink);
	if (cfg->ports[k].role != VTEP_PORT_ROLE_UPLINK)
		return fail_at(c, "vtep.uplink", cfg->vtep.loc,
			       "port \"%s\" (ports[%d]) does not have role \"uplink\"",
			       cfg->vtep.uplink, k);
	return 0;
}

static int
check_segment(struct cfg_ctx *c, const struct vtep_config *cfg, unsigned int i)
{
	const struct vtep_cfg_segment *s = &cfg->segments[i];
	char path[CFG_PATH_MAX], base[CFG_PATH_MAX], buf[INET6_ADDRSTRLEN];
	const struct vtep_ip *local;
	unsigned int j, k;
	int rc;

	path_field(path, "segments", i, "vlan");
	rc = check_range(c, path, s->loc, "VLAN ID", s->vlan, 1, VTEP_VLAN_COUNT - 2);
	if (rc < 0)
		return rc;
	for (j = 0; j < i; j++)
		if (cfg->segments[j].vlan == s->vlan)
			return fail_at(c, path, s->loc,
				       "VLAN %u already has a segment (segments[%u])", s->vlan, j);
	path_field(path, "segments", i, "vni");
	rc = check_range(c, path, s->loc, "VNI", s->vni, 1, VTEP_VNI_MAX);
	if (rc < 0)
		return rc;
	for (j = 0; j < i; j++)
		if (cfg->segments[j].vni == s->vni)
			return fail_at(c, path, s->loc, "VNI %u is already used by segments[%u]",
				       s->vni, j);
	path_field(base, "segments", i, "flood");
	for (k = 0; k < s->n_flood; k++) {
		path_index(path, base, k);
		if (find_tunnel(cfg, s->flood[k], cfg->n_tunnels) < 0)
			return fail_at(c, path, s->loc, "unknown tunnel \"%s\"", s->flood[k]);
		for (j = 0; j < k; j++)
			if (strcmp(s->flood[j], s->flood[k]) == 0)
				return fail_at(c, path, s->loc, "tunnel \"%s\" is listed twice",
					       s->flood[k]);
	}
	if (s->mcast_group.family == 0)
		return 0;
	path_field(path, "segments", i, "mcast_group");
	if (!ip_multicast(&s->mcast_group))
		return fail_at(c, path, s->loc, "%s is not a multicast address",
			       vtep_ip_format(&s->mcast_group, buf, sizeof(buf)));
	local = s->mcast_group.family == AF_INET ? &cfg->vtep.local_ip : &cfg->vtep.local_ip6;
	if (local->family == 0)
		return fail_at(c, path, s->loc, "an %s group needs vtep.%s",
			       s->mcast_group.family == AF_INET ? "IPv4" : "IPv6",
			       s->mcast_group.family == AF_INET ? "local_ip" : "local_ip6");
	return 0;
}

/* True if port @p p carries VLAN @p vlan. */
static bool
port_carries(const struct vtep_cfg_port *p, uint16_t vlan)
{
	if (p->mode == VTEP_PORT_MODE_ACCESS)
		return p->vlan == vlan;
	if (p->mode == VTEP_PORT_MODE_TRUNK)
		return vtep_cfg_trunk_has(p->trunks, vlan);
	return true;
}

/* Sort key for finding duplicate (vlan, mac) fdb entries. */
struct fdb_key {
	uint16_t vlan;
	uint8_t mac[6];
	unsigned int idx;
};

static int
fdb_key_cmp(const void *a, const void *b)
{
	const struct fdb_key *x = a, *y = b;
	int r;

	if (x->vlan != y->vlan)
		return x->vlan < y->vlan ? -1 : 1;
	r = memcmp(x->mac, y->mac, 6);
	if (r != 0)
		return r;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Report the first (in file order) fdb entry that repeats an earlier (vlan, mac). */
static int
check_fdb_dups(struct cfg_ctx *c, const struct vtep_config *cfg)
{
	unsigned int i, dup = UINT32_MAX, first = 0;
	char path[CFG_PATH_MAX], mb[18];
	struct fdb_key *k;

	if (cfg->n_fdb < 2)
		return 0;
	k = calloc(cfg->n_fdb, sizeof(*k));
	if (k == NULL)
		return fail_nomem(c);
	for (i = 0; i < cfg->n_fdb; i++) {
		k[i].vlan = cfg->fdb[i].vlan;
		memcpy(k[i].mac, cfg->fdb[i].mac, 6);
		k[i].idx = i;
	}
	qsort(k, cfg->n_fdb, sizeof(*k), fdb_key_cmp);
	for (i = 1; i < cfg->n_fdb; i++) {
		/* within a run of equal keys, k[i - 1] precedes k[i] in the file */
		if (k[i].vlan == k[i - 1].vlan && memcmp(k[i].mac, k[i - 1].mac, 6) == 0 &&
		    k[i].idx < dup && (i < 2 || k[i - 1].vlan != k[i - 2].vlan ||
				       memcmp(k[i - 1].mac, k[i - 2].mac, 6) != 0)) {
			dup = k[i].idx;
			first = k[i - 1].idx;
		}
	}
	free(k);
	if (dup == UINT32_MAX)
		return 0;
	path_field(path, "fdb", dup, "mac");
	return fail_at(c, path, cfg->fdb[dup].loc, "VLAN %u MAC %s already has an entry (fdb[%u])",
		       cfg->fdb[dup].vlan, mac_format(cfg->fdb[dup].mac, mb), first);
}

static int
check_fdb(struct cfg_ctx *c, const struct vtep_config *cfg, unsigned int i)
{
	const struct vtep_cfg_fdb *f = &cfg->fdb[i];
	char path[CFG_PATH_MAX], mb[18];
	unsigned int j;
	int rc, k;

	path_field(path, "fdb", i, "vlan");
	rc = check_range(c, path, f->loc, "VLAN ID", f->vlan, 1, VTEP_VLAN_COUNT - 2);
	if (rc < 0)
		return rc;
	path_field(path, "fdb", i, "mac");
	if (!mac_unicast(f->mac))
		return fail_at(c, path, f->loc, "%s is not a unicast MAC address",
			       mac_format(f->mac, mb));
	if (f->target_is_tunnel) {
		path_field(path, "fdb", i, "tunnel");
		if (find_tunnel(cfg, f->target, cfg->n_tunnels) < 0)
			return fail_at(c, path, f->loc, "unknown tunnel \"%s\"", f->target);
		for (j = 0; j < cfg->n_segments; j++)
			if (cfg->segments[j].vlan == f->vlan)
				break;
		if (j == cfg->n_segments) {
			path_field(path, "fdb", i, "vlan");
			return fail_at(c, path, f->loc,
				       "VLAN %u has no segment, so tunnel \"%s\" cannot carry it",
				       f->vlan, f->target);
		}
		return 0;
	}
	path_field(path, "fdb", i, "port");
	k = find_port(cfg, f->target, cfg->n_ports);
	if (k < 0)
		return fail_at(c, path, f->loc, "unknown port \"%s\"", f->target);
	if (cfg->ports[k].role == VTEP_PORT_ROLE_UPLINK)
		return fail_at(c, path, f->loc, "port \"%s\" is the uplink", f->target);
	if (!port_carries(&cfg->ports[k], f->vlan)) {
		path_field(path, "fdb", i, "vlan");
		return fail_at(c, path, f->loc, "port \"%s\" does not carry VLAN %u", f->target,
			       f->vlan);
	}
	return 0;
}

/* Every semantic and cross-reference check, in file order of sections. */
static int
check_config(struct cfg_ctx *c, const struct vtep_config *cfg)
{
	static const struct vtep_cfg_loc nowhere;
	int rc, uplink = -1;
	unsigned int i;

	rc = check_bridge(c, &cfg->bridge);
	if (rc >= 0)
		rc = check_vtep(c, &cfg->vtep);
	for (i = 0; rc >= 0 && i < cfg->n_ports; i++)
		rc = check_port(c, cfg, i, &uplink);
	for (i = 0; rc >= 0 && i < cfg->n_tunnels; i++)
		rc = check_tunnel(c, cfg, i);
	if (rc < 0)
		return rc;
	if (cfg->n_ports + cfg->n_tunnels > VTEP_MAX_PORTS)
		return fail_at(c, cfg->n_tunnels > 0 ? "tunnels" : "ports", nowhere,
			       "%u ports and tunnels exceed the limit of %d",
			       cfg->n_ports + cfg->n_tunnels, VTEP_MAX_PORTS);
	rc = check_uplink(c, cfg);
	for (i = 0; rc >= 0 && i < cfg->n_segments; i++)
		rc = check_segment(c, cfg, i);
	for (i = 0; rc >= 0 && i < cfg->n_fdb; i++)
		rc = check_fdb(c, cfg, i);
	if (rc >= 0)
		rc = check_fdb_dups(c, cfg);
	return rc < 0 ? rc : 0;
}

/* ---- public entry points ---- */

int
vtep_config_assign_ofports(struct vtep_config *cfg)
{
	uint64_t used[(CFG_OFPORT_MAX + 64) / 64];
	uint32_t next = 1;
	unsigned int i, n = cfg->n_ports + cfg->n_tunnels;

	memset(used, 0, sizeof(used));
	for (i = 0; i < n; i++) {
		uint32_t o = i < cfg->n_ports ? cfg->ports[i].ofport :
				 cfg->tunnels[i - cfg->n_ports].ofport;

		if (o != 0 && o <= CFG_OFPORT_MAX)
			used[o / 64] |= UINT64_C(1) << (o % 64);
	}
	for (i = 0; i < n; i++) {
		uint32_t *o = i < cfg->n_ports ? &cfg->ports[i].ofport :
			      &cfg->tunnels[i - cfg->n_ports].ofport;

		if (*o != 0)
			continue;
		while (next <= CFG_OFPORT_MAX && (used[next / 64] >> (next % 64)) & 1)
			next++;
		if (next > CFG_OFPORT_MAX)
			return -ENOSPC;
		*o = next;
		used[next / 64] |= UINT64_C(1) << (next % 64);
	}
	return 0;
}

void
vtep_config_defaults(struct vtep_config *cfg)
{
	snprintf(cfg->bridge.name, sizeof(cfg->bridge.name), "%s", "br0");
	cfg->bridge.fail_mode = VTEP_FAIL_STANDALONE;
	cfg->bridge.mac_aging_s = 300;
	cfg->vtep.prefix_len = 24;
	cfg->vtep.prefix_len6 = 64;
	cfg->vtep.udp_port = 4789;
	cfg->vtep.mtu = 1500;
	cfg->vtep.stt_reasm_mem_kb = 4096;
	cfg->vtep.stt_reasm_timeout_ms = 1000;
}

/* True if @p text holds only JSON whitespace. */
static bool
text_blank(const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r')
			return false;
	return true;
}

int
vtep_config_parse(const char *text, size_t len, const char *name, struct vtep_config *cfg,
		  char err[VTEP_CONFIG_ERR_MAX])
{
	struct vtep_json_loc_index *idx = NULL;
	struct vtep_config tmp;
	struct cfg_ctx c;
	json_error_t jerr;
	json_t *root;
	int rc;

	err[0] = '\0';
	c.file = name != NULL ? name : "<config>";
	c.idx = NULL;
	c.err = err;
	if (text == NULL || text_blank(text, len)) {
		snprintf(err, VTEP_CONFIG_ERR_MAX, "%s:1:1: syntax error: the file is empty",
			 c.file);
		err_sanitize(err);
		return -EINVAL;
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		snprintf(err, VTEP_CONFIG_ERR_MAX, "%s:%d:%d: syntax error: %s", c.file,
			 jerr.line > 0 ? jerr.line : 1, jerr.column > 0 ? jerr.column : 1,
			 jerr.text);
		err_sanitize(err);
		return -EINVAL;
	}
	rc = vtep_json_loc_build(text, len, &idx);
	if (rc < 0) {
		json_decref(root);
		return fail_nomem(&c);
	}
	c.idx = idx;
	memset(&tmp, 0, sizeof(tmp));
	vtep_config_defaults(&tmp);
	rc = parse_root(&c, root, &tmp);
	if (rc >= 0)
		rc = check_config(&c, &tmp);
	if (rc >= 0 && vtep_config_assign_ofports(&tmp) < 0)
		rc = fail_at(&c, "ports", (struct vtep_cfg_loc){ 0, 0 },
			     "no OpenFlow port number left to assign");
	json_decref(root);
	vtep_json_loc_free(idx);
	if (rc < 0) {
		vtep_config_clear(&tmp);
		return rc;
	}
	*cfg = tmp;
	return 0;
}

int
vtep_config_load(const char *path, struct vtep_config *cfg, char err[VTEP_CONFIG_ERR_MAX])
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *nb;
	ssize_t n;
	int fd, rc;

	err[0] = '\0';
	if (strlen(path) >= sizeof(cfg->path)) {
		snprintf(err, VTEP_CONFIG_ERR_MAX, "%.64s...: file name too long", path);
		return -ENAMETOOLONG;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, VTEP_CONFIG_ERR_MAX, "%s: cannot open: %s", path, strerror(-rc));
		goto out;
	}
	for (;;) {
		if (len == cap) {
			if (cap >= CFG_FILE_MAX) {
				rc = -EFBIG;
				snprintf(err, VTEP_CONFIG_ERR_MAX, "%s: larger than %u MiB", path,
					 CFG_FILE_MAX >> 20);
				goto out;
			}
			cap = cap != 0 ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				rc = -ENOMEM;
				snprintf(err, VTEP_CONFIG_ERR_MAX, "%s: out of memory", path);
				goto out;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			snprintf(err, VTEP_CONFIG_ERR_MAX, "%s: cannot read: %s", path,
				 strerror(-rc));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	rc = vtep_config_parse(buf, len, path, cfg, err);
	if (rc == 0)
		snprintf(cfg->path, sizeof(cfg->path), "%s", path);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	if (rc < 0)
		err_sanitize(err);
	return rc;
}

int
vtep_config_validate(const struct vtep_config *cfg, char err[VTEP_CONFIG_ERR_MAX])
{
	struct cfg_ctx c = {
		.file = cfg->path[0] != '\0' ? cfg->path : "<config>",
		.idx = NULL,
		.err = err,
	};

	err[0] = '\0';
	return check_config(&c, cfg);
}
