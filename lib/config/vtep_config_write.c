/* SPDX-License-Identifier: BSD-3-Clause */
/* Writes a config back as canonical JSON and saves it atomically; copies, compares, frees. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "vtep_config.h"

/* Builder state: one allocation failure anywhere fails the whole document. */
struct jw {
	bool nomem;
};

/* Set obj[key] = v (stealing v); records a failure when v is NULL. */
static void
put(struct jw *w, json_t *obj, const char *key, json_t *v)
{
	if (v == NULL || obj == NULL || json_object_set_new(obj, key, v) < 0)
		w->nomem = true;
}

/* Append v to arr (stealing v). */
static void
push(struct jw *w, json_t *arr, json_t *v)
{
	if (v == NULL || arr == NULL || json_array_append_new(arr, v) < 0)
		w->nomem = true;
}

/* A JSON string of an address, with "/prefix" when @p prefix differs from @p dflt. */
static json_t *
ip_json(const struct vtep_ip *ip, unsigned int prefix, unsigned int dflt)
{
	char buf[INET6_ADDRSTRLEN + 8];
	size_t n;

	vtep_ip_format(ip, buf, INET6_ADDRSTRLEN);
	n = strlen(buf);
	if (prefix != dflt)
		snprintf(buf + n, sizeof(buf) - n, "/%u", prefix);
	return json_string(buf);
}

/* A JSON string of a MAC address. */
static json_t *
mac_json(const uint8_t m[6])
{
	char buf[18];

	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	return json_string(buf);
}

/* An array of strings. */
static json_t *
strings_json(struct jw *w, char *const *s, unsigned int n)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; i < n; i++)
		push(w, a, json_string(s[i]));
	return a;
}

static json_t *
bridge_json(struct jw *w, const struct vtep_cfg_bridge *b)
{
	json_t *o = json_object();
	char buf[32];

	if (strcmp(b->name, "br0") != 0)
		put(w, o, "name", json_string(b->name));
	if (b->datapath_id != 0) {
		snprintf(buf, sizeof(buf), "0x%" PRIx64, b->datapath_id);
		put(w, o, "datapath_id", json_string(buf));
	}
	if (b->fail_mode == VTEP_FAIL_SECURE)
		put(w, o, "fail_mode", json_string("secure"));
	if (b->n_controllers > 0)
		put(w, o, "controllers", strings_json(w, b->controllers, b->n_controllers));
	if (b->n_listen > 0)
		put(w, o, "listen", strings_json(w, b->listen, b->n_listen));
	if (b->mac_aging_s != 300)
		put(w, o, "mac_aging_s", json_integer(b->mac_aging_s));
	return o;
}

static json_t *
vtep_json(struct jw *w, const struct vtep_cfg_vtep *v)
{
	json_t *o = json_object(), *a, *n;
	unsigned int i;

	if (v->local_ip.family != 0)
		put(w, o, "local_ip", ip_json(&v->local_ip, v->prefix_len, 24));
	if (v->local_ip6.family != 0)
		put(w, o, "local_ip6", ip_json(&v->local_ip6, v->prefix_len6, 64));
	if (v->uplink[0] != '\0')
		put(w, o, "uplink", json_string(v->uplink));
	if (v->gateway.family != 0)
		put(w, o, "gateway", ip_json(&v->gateway, 0, 0));
	if (v->gateway6.family != 0)
		put(w, o, "gateway6", ip_json(&v->gateway6, 0, 0));
	if (v->udp_port != 4789)
		put(w, o, "udp_port", json_integer(v->udp_port));
	if (v->mtu != 1500)
		put(w, o, "mtu", json_integer(v->mtu));
	if (v->require_known_remote)
		put(w, o, "require_known_remote", json_true());
	if (v->stt_reasm_mem_kb != 4096)
		put(w, o, "stt_reassembly_kb", json_integer(v->stt_reasm_mem_kb));
	if (v->stt_reasm_timeout_ms != 1000)
		put(w, o, "stt_reassembly_timeout_ms", json_integer(v->stt_reasm_timeout_ms));
	if (v->n_neighbours > 0) {
		a = json_array();
		for (i = 0; i < v->n_neighbours; i++) {
			n = json_object();
			put(w, n, "ip", ip_json(&v->neighbours[i].ip, 0, 0));
			put(w, n, "mac", mac_json(v->neighbours[i].mac));
			push(w, a, n);
		}
		put(w, o, "neighbours", a);
	}
	return o;
}

static json_t *
port_json(struct jw *w, const struct vtep_cfg_port *p)
{
	json_t *o = json_object(), *a;
	unsigned int vid;

	put(w, o, "name", json_string(p->name));
	put(w, o, "devargs", json_string(p->devargs));
	if (p->ofport != 0)
		put(w, o, "ofport", json_integer(p->ofport));
	if (p->has_mac)
		put(w, o, "mac", mac_json(p->mac));
	if (p->mode == VTEP_PORT_MODE_ACCESS) {
		put(w, o, "vlan", json_integer(p->vlan));
	} else if (p->mode == VTEP_PORT_MODE_TRUNK) {
		a = json_array();
		for (vid = 0; vid < VTEP_VLAN_COUNT; vid++)
			if (vtep_cfg_trunk_has(p->trunks, (uint16_t)vid))
				push(w, a, json_integer(vid));
		put(w, o, "trunks", a);
	}
	if (p->role == VTEP_PORT_ROLE_UPLINK)
		put(w, o, "role", json_string("uplink"));
	if (p->rxq != 1)
		put(w, o, "rx_queues", json_integer(p->rxq));
	if (p->mtu != 0)
		put(w, o, "mtu", json_integer(p->mtu));
	return o;
}

static json_t *
tunnel_json(struct jw *w, const struct vtep_cfg_tunnel *t)
{
	json_t *o = json_object();

	put(w, o, "name", json_string(t->name));
	put(w, o, "type", json_string(vtep_tunnel_type_name(t->type)));
	put(w, o, "remote_ip", ip_json(&t->remote_ip, 0, 0));
	if (t->udp_port != 0)
		put(w, o, "udp_port", json_integer(t->udp_port));
	if (t->ofport != 0)
		put(w, o, "ofport", json_integer(t->ofport));
	return o;
}

static json_t *
segment_json(struct jw *w, const struct vtep_cfg_segment *s)
{
	json_t *o = json_object(), *a;
	unsigned int i;

	put(w, o, "vlan", json_integer(s->vlan));
	put(w, o, "vni", json_integer(s->vni));
	if (s->n_flood > 0) {
		a = json_array();
		for (i = 0; i < s->n_flood; i++)
			push(w, a, json_string(s->flood[i]));
		put(w, o, "flood", a);
	}
	if (s->mcast_group.family != 0)
		put(w, o, "mcast_group", ip_json(&s->mcast_group, 0, 0));
	return o;
}

static json_t *
fdb_json(struct jw *w, const struct vtep_cfg_fdb *f)
{
	json_t *o = json_object();

	put(w, o, "vlan", json_integer(f->vlan));
	put(w, o, "mac", mac_json(f->mac));
	put(w, o, f->target_is_tunnel ? "tunnel" : "port", json_string(f->target));
	return o;
}

/* Add @p v as root[key] unless it is an empty object (everything default). */
static void
put_section(struct jw *w, json_t *root, const char *key, json_t *v)
{
	if (v != NULL && json_is_object(v) && json_object_size(v) == 0) {
		json_decref(v);
		return;
	}
	put(w, root, key, v);
}

int
vtep_config_to_json(const struct vtep_config *cfg, char **out)
{
	struct jw w = { .nomem = false };
	json_t *root, *a;
	unsigned int i;
	char *text;
	size_t n;

	*out = NULL;
	root = json_object();
	if (root == NULL)
		return -ENOMEM;
	put_section(&w, root, "bridge", bridge_json(&w, &cfg->bridge));
	put_section(&w, root, "vtep", vtep_json(&w, &cfg->vtep));
	if (cfg->n_ports > 0) {
		a = json_array();
		for (i = 0; i < cfg->n_ports; i++)
			push(&w, a, port_json(&w, &cfg->ports[i]));
		put(&w, root, "ports", a);
	}
	if (cfg->n_tunnels > 0) {
		a = json_array();
		for (i = 0; i < cfg->n_tunnels; i++)
			push(&w, a, tunnel_json(&w, &cfg->tunnels[i]));
		put(&w, root, "tunnels", a);
	}
	if (cfg->n_segments > 0) {
		a = json_array();
		for (i = 0; i < cfg->n_segments; i++)
			push(&w, a, segment_json(&w, &cfg->segments[i]));
		put(&w, root, "segments", a);
	}
	if (cfg->n_fdb > 0) {
		a = json_array();
		for (i = 0; i < cfg->n_fdb; i++)
			push(&w, a, fdb_json(&w, &cfg->fdb[i]));
		put(&w, root, "fdb", a);
	}
	text = w.nomem ? NULL : json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (text == NULL)
		return -ENOMEM;
	/* end the file with a newline, as text files do */
	n = strlen(text);
	*out = realloc(text, n + 2);
	if (*out == NULL) {
		free(text);
		return -ENOMEM;
	}
	(*out)[n] = '\n';
	(*out)[n + 1] = '\0';
	return 0;
}

/* Write all of @p buf to @p fd. */
static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsync the directory holding @p path, so the rename itself is durable. */
static int
sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = 0;

	if (copy == NULL)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		rc = -errno;
	else if (fsync(fd) < 0)
		rc = -errno;
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

int
vtep_config_save(const struct vtep_config *cfg, const char *path, char err[VTEP_CONFIG_ERR_MAX])
{
	char tmp[sizeof(cfg->path) + 32];
	mode_t mode = 0644;
	const char *step;
	char *text = NULL;
	struct stat st;
	int fd = -1, rc;

	err[0] = '\0';
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >=
	    sizeof(tmp)) {
		snprintf(err, VTEP_CONFIG_ERR_MAX, "%.64s...: file name too long", path);
		return -ENAMETOOLONG;
	}
	rc = vtep_config_to_json(cfg, &text);
	if (rc < 0) {
		step = "cannot serialise";
		goto fail;
	}
	/* keep the permissions of the file being replaced */
	if (stat(path, &st) == 0)
		mode = st.st_mode & 07777;
	step = "cannot create temporary file";
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		rc = -errno;
		goto fail;
	}
	step = "cannot write";
	rc = write_all(fd, text, strlen(text));
	if (rc < 0)
		goto fail_unlink;
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		rc = -errno;
		goto fail_unlink;
	}
	rc = close(fd) < 0 ? -errno : 0;
	fd = -1;
	if (rc < 0)
		goto fail_unlink;
	step = "cannot rename temporary file";
	if (rename(tmp, path) < 0) {
		rc = -errno;
		goto fail_unlink;
	}
	free(text);
	rc = sync_dir(path);
	if (rc < 0) {
		snprintf(err, VTEP_CONFIG_ERR_MAX, "%s: cannot sync directory: %s", path,
			 strerror(-rc));
		return rc;
	}
	return 0;

fail_unlink:
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(tmp);
fail:
	if (fd >= 0)
		close(fd);
	free(text);
	snprintf(err, VTEP_CONFIG_ERR_MAX, "%s: %s: %s", path, step, strerror(-rc));
	return rc;
}

/* ---- struct operations ---- */

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

void
vtep_config_clear(struct vtep_config *cfg)
{
	unsigned int i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->bridge.n_controllers; i++)
		free(cfg->bridge.controllers[i]);
	free(cfg->bridge.controllers);
	for (i = 0; i < cfg->bridge.n_listen; i++)
		free(cfg->bridge.listen[i]);
	free(cfg->bridge.listen);
	free(cfg->vtep.neighbours);
	free(cfg->ports);
	free(cfg->tunnels);
	for (i = 0; i < cfg->n_segments; i++)
		free(cfg->segments[i].flood);
	free(cfg->segments);
	free(cfg->fdb);
	memset(cfg, 0, sizeof(*cfg));
}

/* Duplicate an array of @p n elements of @p size bytes (NULL when empty). */
static int
dup_array(void **dst, const void *src, size_t n, size_t size)
{
	*dst = NULL;
	if (n == 0 || src == NULL)
		return 0;
	*dst = malloc(n * size);
	if (*dst == NULL)
		return -ENOMEM;
	memcpy(*dst, src, n * size);
	return 0;
}

/* Duplicate an array of @p n strings. */
static int
dup_strings(char ***dst, char *const *src, unsigned int n)
{
	unsigned int i;

	*dst = NULL;
	if (n == 0)
		return 0;
	*dst = calloc(n, sizeof(**dst));
	if (*dst == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		(*dst)[i] = strdup(src[i]);
		if ((*dst)[i] == NULL)
			return -ENOMEM;
	}
	return 0;
}

int
vtep_config_copy(struct vtep_config *dst, const struct vtep_config *src)
{
	struct vtep_config t = *src;
	unsigned int i;
	int rc;

	/* the pointers of t still belong to src: null them before anything can fail */
	t.bridge.controllers = NULL;
	t.bridge.listen = NULL;
	t.vtep.neighbours = NULL;
	t.ports = NULL;
	t.tunnels = NULL;
	t.segments = NULL;
	t.fdb = NULL;
	t.bridge.n_controllers = 0;
	t.bridge.n_listen = 0;
	t.n_segments = 0;
	rc = dup_strings(&t.bridge.controllers, src->bridge.controllers,
			 src->bridge.n_controllers);
	t.bridge.n_controllers = t.bridge.controllers != NULL ? src->bridge.n_controllers : 0;
	if (rc >= 0) {
		rc = dup_strings(&t.bridge.listen, src->bridge.listen, src->bridge.n_listen);
		t.bridge.n_listen = t.bridge.listen != NULL ? src->bridge.n_listen : 0;
	}
	if (rc >= 0)
		rc = dup_array((void **)&t.vtep.neighbours, src->vtep.neighbours,
			       src->vtep.n_neighbours, sizeof(*src->vtep.neighbours));
	if (rc >= 0)
		rc = dup_array((void **)&t.ports, src->ports, src->n_ports, sizeof(*src->ports));
	if (rc >= 0)
		rc = dup_array((void **)&t.tunnels, src->tunnels, src->n_tunnels,
			       sizeof(*src->tunnels));
	if (rc >= 0)
		rc = dup_array((void **)&t.fdb, src->fdb, src->n_fdb, sizeof(*src->fdb));
	if (rc >= 0 && src->n_segments > 0) {
		t.segments = calloc(src->n_segments, sizeof(*t.segments));
		if (t.segments == NULL)
			rc = -ENOMEM;
		for (i = 0; rc >= 0 && i < src->n_segments; i++) {
			t.segments[i] = src->segments[i];
			t.n_segments = i + 1;
			rc = dup_array((void **)&t.segments[i].flood, src->segments[i].flood,
				       src->segments[i].n_flood, sizeof(*src->segments[i].flood));
		}
	}
	if (rc < 0) {
		vtep_config_clear(&t);
		return rc;
	}
	*dst = t;
	return 0;
}

bool
vtep_config_equal(const struct vtep_config *a, const struct vtep_config *b)
{
	const struct vtep_cfg_bridge *ba = &a->bridge, *bb = &b->bridge;
	const struct vtep_cfg_vtep *va = &a->vtep, *vb = &b->vtep;
	unsigned int i;

	if (strcmp(ba->name, bb->name) != 0 || ba->datapath_id != bb->datapath_id ||
	    ba->fail_mode != bb->fail_mode || ba->mac_aging_s != bb->mac_aging_s ||
	    ba->n_controllers != bb->n_controllers || ba->n_listen != bb->n_listen)
		return false;
	for (i = 0; i < ba->n_controllers; i++)
		if (strcmp(ba->controllers[i], bb->controllers[i]) != 0)
			return false;
	for (i = 0; i < ba->n_listen; i++)
		if (strcmp(ba->listen[i], bb->listen[i]) != 0)
			return false;
	if (!ip_equal(&va->local_ip, &vb->local_ip) || !ip_equal(&va->local_ip6, &vb->local_ip6) ||
	    va->prefix_len != vb->prefix_len || va->prefix_len6 != vb->prefix_len6 ||
	    strcmp(va->uplink, vb->uplink) != 0 || !ip_equal(&va->gateway, &vb->gateway) ||
	    !ip_equal(&va->gateway6, &vb->gateway6) || va->udp_port != vb->udp_port ||
	    va->mtu != vb->mtu || va->require_known_remote != vb->require_known_remote ||
	    va->stt_reasm_mem_kb != vb->stt_reasm_mem_kb ||
	    va->stt_reasm_timeout_ms != vb->stt_reasm_timeout_ms ||
	    va->n_neighbours != vb->n_neighbours)
		return false;
	for (i = 0; i < va->n_neighbours; i++)
		if (!ip_equal(&va->neighbours[i].ip, &vb->neighbours[i].ip) ||
		    memcmp(va->neighbours[i].mac, vb->neighbours[i].mac, 6) != 0)
			return false;
	if (a->n_ports != b->n_ports || a->n_tunnels != b->n_tunnels ||
	    a->n_segments != b->n_segments || a->n_fdb != b->n_fdb)
		return false;
	for (i = 0; i < a->n_ports; i++) {
		const struct vtep_cfg_port *x = &a->ports[i], *y = &b->ports[i];

		if (strcmp(x->name, y->name) != 0 || strcmp(x->devargs, y->devargs) != 0 ||
		    x->ofport != y->ofport || x->has_mac != y->has_mac ||
		    (x->has_mac && memcmp(x->mac, y->mac, 6) != 0) || x->mode != y->mode ||
		    x->role != y->role || x->rxq != y->rxq || x->mtu != y->mtu ||
		    (x->mode == VTEP_PORT_MODE_ACCESS && x->vlan != y->vlan) ||
		    (x->mode == VTEP_PORT_MODE_TRUNK &&
		     memcmp(x->trunks, y->trunks, sizeof(x->trunks)) != 0))
			return false;
	}
	for (i = 0; i < a->n_tunnels; i++) {
		const struct vtep_cfg_tunnel *x = &a->tunnels[i], *y = &b->tunnels[i];

		if (strcmp(x->name, y->name) != 0 || x->type != y->type ||
		    !ip_equal(&x->remote_ip, &y->remote_ip) || x->udp_port != y->udp_port ||
		    x->ofport != y->ofport)
			return false;
	}
	for (i = 0; i < a->n_segments; i++) {
		const struct vtep_cfg_segment *x = &a->segments[i], *y = &b->segments[i];
		unsigned int k;

		if (x->vlan != y->vlan || x->vni != y->vni || x->n_flood != y->n_flood ||
		    !ip_equal(&x->mcast_group, &y->mcast_group))
			return false;
		for (k = 0; k < x->n_flood; k++)
			if (strcmp(x->flood[k], y->flood[k]) != 0)
				return false;
	}
	for (i = 0; i < a->n_fdb; i++) {
		const struct vtep_cfg_fdb *x = &a->fdb[i], *y = &b->fdb[i];

		if (x->vlan != y->vlan || memcmp(x->mac, y->mac, 6) != 0 ||
		    strcmp(x->target, y->target) != 0 || x->target_is_tunnel != y->target_is_tunnel)
			return false;
	}
	return true;
}
