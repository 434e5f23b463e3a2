/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtepctl methods that change the configuration. Each one:
 *   1. takes the live configuration (exported from the datapath) as JSON,
 *   2. edits it (adds the object given as params, or removes an element),
 *   3. has the config loader check the whole result, so only a configuration that would
 *      load at the next start is ever accepted,
 *   4. applies the change through the datapath core function the loader's start-up path
 *      uses (vtep_dp_port_add(), ...),
 *   5. saves the live configuration atomically.
 * A failure in 1-4 changes nothing. A failure in 5 leaves the change applied and is
 * reported as VTEP_MGMT_E_NOT_SAVED.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtep_log.h"
#include "vtep_mgmt_priv.h"

/* ---------------------------------------------------------------- the candidate */

/* The live configuration as the JSON document of the config file. */
static int
current_doc(struct vtep_mgmt_service *s, json_t **doc, struct vtep_config *cur,
	    char err[VTEP_MGMT_ERR_MAX])
{
	json_error_t jerr;
	char *text = NULL;

	if (mgmt_export(s, cur) < 0 || vtep_config_to_json(cur, &text) < 0) {
		vtep_config_clear(cur);
		mgmt_err(err, "out of memory");
		return VTEP_MGMT_E_INTERNAL;
	}
	*doc = json_loads(text, 0, &jerr);
	free(text);
	if (*doc == NULL) {
		vtep_config_clear(cur);
		mgmt_err(err, "cannot read back the live configuration: %s", jerr.text);
		return VTEP_MGMT_E_INTERNAL;
	}
	return 0;
}

/* The array @p section of @p doc, created when missing. */
static json_t *
section_of(json_t *doc, const char *section)
{
	json_t *a = json_object_get(doc, section);

	if (a == NULL) {
		a = json_array();
		json_object_set_new(doc, section, a);
	}
	return a;
}

/* A human name for element @p idx of @p section ("port 'vm1'", "segment VLAN 100"). */
static void
describe(json_t *doc, const char *section, size_t idx, char *buf, size_t len)
{
	json_t *e = json_array_get(json_object_get(doc, section), idx);
	const char *name = json_string_value(json_object_get(e, "name"));
	json_int_t vlan = json_integer_value(json_object_get(e, "vlan"));
	const char *mac = json_string_value(json_object_get(e, "mac"));

	if (strcmp(section, "ports") == 0 || strcmp(section, "tunnels") == 0)
		snprintf(buf, len, "%s '%s'", strcmp(section, "ports") == 0 ? "port" : "tunnel",
			 name ? name : "?");
	else if (strcmp(section, "segments") == 0)
		snprintf(buf, len, "segment VLAN %" JSON_INTEGER_FORMAT, vlan);
	else
		snprintf(buf, len, "fdb entry VLAN %" JSON_INTEGER_FORMAT " MAC %s", vlan,
			 mac ? mac : "?");
}

/*
 * Turn a loader message "request:1:57: ports[3].vlan: problem" into one about the request:
 * the position goes, the element being added (@p section[@p idx]) becomes its field name
 * alone, and other elements are named ("port 'vm1'").
 */
static void
rewrite_error(const char *msg, json_t *doc, const char *section, long idx, char *out,
	      size_t outlen)
{
	static const char *const sections[] = { "ports", "tunnels", "segments", "fdb" };
	const char *p = msg;
	size_t o = 0;
	bool first_key = true;

	if (strncmp(p, "request:", 8) == 0) {
		p += 8;
		while (isdigit((unsigned char)*p) || *p == ':')
			p++;
		while (*p == ' ')
			p++;
	}
	while (*p != '\0' && o + 1 < outlen) {
		bool done = false;

		for (unsigned int k = 0; k < VTEP_ARRAY_SIZE(sections) && !done; k++) {
			size_t sl = strlen(sections[k]);
			char *end;
			long n;

			if (strncmp(p, sections[k], sl) != 0 || p[sl] != '[' ||
			    (p != msg && isalnum((unsigned char)p[-1])))
				continue;
			n = strtol(p + sl + 1, &end, 10);
			if (*end != ']')
				continue;
			p = end + 1;
			done = true;
			if (first_key && section != NULL && strcmp(section, sections[k]) == 0 &&
			    n == idx) {
				/* the new element: keep only the field ("vlan: ...") */
				if (*p == '.')
					p++;
				else if (*p == ':')
					p += *(p + 1) == ' ' ? 2 : 1;
			} else {
				char d[128];

				describe(doc, sections[k], (size_t)n, d, sizeof(d));
				o += (size_t)snprintf(out + o, outlen - o, "%s", d);
				if (first_key && *p == '.') /* "fdb entry ....vlan:" reads badly */
					while (*p != '\0' && *p != ':')
						p++;
			}
		}
		if (done) {
			first_key = false;
			continue;
		}
		if (*p == ':')
			first_key = false;
		out[o++] = *p++;
	}
	out[o < outlen ? o : outlen - 1] = '\0';
}

/*
 * Check @p doc as a whole configuration. @p section/@p idx name the element being added
 * (idx < 0: none); @p prefix starts the message. On success *cand holds the parsed result.
 */
static int
check_candidate(json_t *doc, const char *section, long idx, const char *prefix,
		struct vtep_config *cand, char err[VTEP_MGMT_ERR_MAX])
{
	char cerr[VTEP_CONFIG_ERR_MAX], msg[VTEP_MGMT_ERR_MAX];
	char *text = json_dumps(doc, JSON_COMPACT);
	int ret;

	if (text == NULL) {
		mgmt_err(err, "out of memory");
		return VTEP_MGMT_E_INTERNAL;
	}
	ret = vtep_config_parse(text, strlen(text), "request", cand, cerr);
	free(text);
	if (ret == 0)
		return 0;
	rewrite_error(cerr, doc, section, idx, msg, sizeof(msg));
	mgmt_err(err, "%s%s", prefix, msg);
	return ret == -ENOMEM ? VTEP_MGMT_E_INTERNAL : VTEP_MGMT_E_PARAMS;
}

/* Index of the element of @p section whose @p key equals @p value (string), or -1. */
static long
find_by_name(json_t *doc, const char *section, const char *value)
{
	json_t *a = json_object_get(doc, section), *e;
	size_t i;

	json_array_foreach(a, i, e) {
		const char *n = json_string_value(json_object_get(e, "name"));

		if (n != NULL && strcmp(n, value) == 0)
			return (long)i;
	}
	return -1;
}

/* Remove the fdb entries of @p doc whose @p key ("port"/"tunnel") is @p name. */
static void
drop_fdb_of(json_t *doc, const char *key, const char *name)
{
	json_t *a = json_object_get(doc, "fdb");
	size_t i = 0;

	while (i < json_array_size(a)) {
		const char *t = json_string_value(json_object_get(json_array_get(a, i), key));

		if (t != NULL && strcmp(t, name) == 0)
			json_array_remove(a, i);
		else
			i++;
	}
}

/* Result of a successful change, saved. */
static int
finish(struct vtep_mgmt_service *s, json_t *r, json_t **result, char err[VTEP_MGMT_ERR_MAX])
{
	int ret = mgmt_persist(s, r, err);

	if (ret != 0) {
		json_decref(r);
		return ret;
	}
	*result = r;
	return 0;
}

/* ---------------------------------------------------------------- ports and tunnels */

/* Common start of add-port/add-tunnel: reject a taken name before anything else. */
static int
name_free(struct vtep_mgmt_service *s, json_t *params, char err[VTEP_MGMT_ERR_MAX])
{
	const char *name = json_string_value(json_object_get(params, "name"));

	if (name != NULL && vtep_dp_port_find(s->dp, name) >= 0) {
		mgmt_err(err, "a port or tunnel named '%.64s' already exists", name);
		return VTEP_MGMT_E_EXISTS;
	}
	return 0;
}

/* Append a copy of @p params to @p section of the live configuration and check it. */
static int
add_candidate(struct vtep_mgmt_service *s, json_t *params, const char *section,
	      struct vtep_config *cur, struct vtep_config *cand, long *idx,
	      char err[VTEP_MGMT_ERR_MAX])
{
	json_t *doc, *a;
	int ret;

	ret = current_doc(s, &doc, cur, err);
	if (ret != 0)
		return ret;
	a = section_of(doc, section);
	json_array_append_new(a, json_deep_copy(params));
	*idx = (long)json_array_size(a) - 1;
	ret = check_candidate(doc, section, *idx, "", cand, err);
	json_decref(doc);
	if (ret != 0)
		vtep_config_clear(cur);
	return ret;
}

/* add-port / add-tunnel: the params are a "ports" / "tunnels" object of the config file. */
static int
add_kind(struct vtep_mgmt_service *s, json_t *params, bool tunnel, json_t **result,
	 char err[VTEP_MGMT_ERR_MAX])
{
	char derr[VTEP_DP_ERR_MAX];
	struct vtep_config cur, cand;
	struct vtep_dp_port_info pi;
	const char *name;
	long idx;
	int ret;

	ret = name_free(s, params, err);
	if (ret == 0)
		ret = add_candidate(s, params, tunnel ? "tunnels" : "ports", &cur, &cand, &idx, err);
	if (ret != 0)
		return ret;
	vtep_config_clear(&cur);
	if (tunnel) {
		name = cand.tunnels[idx].name;
		ret = vtep_dp_tunnel_add(s->dp, &cand.tunnels[idx], derr);
	} else {
		name = cand.ports[idx].name;
		ret = vtep_dp_port_add(s->dp, &cand.ports[idx], derr);
	}
	if (ret < 0) {
		vtep_config_clear(&cand);
		mgmt_err(err, "%s", derr);
		return mgmt_code_of_errno(ret);
	}
	vtep_dp_port_info(s->dp, (unsigned int)vtep_dp_port_find(s->dp, name), &pi);
	VTEP_LOG(CTL, NOTICE, "vtepctl: %s %s added (ofport %u)", tunnel ? "tunnel" : "port",
		 name, pi.ofport);
	vtep_config_clear(&cand);
	return finish(s, tunnel ? json_pack("{s:s, s:i}", "name", pi.name, "ofport", (int)pi.ofport) :
		      json_pack("{s:s, s:i, s:i}", "name", pi.name, "ofport", (int)pi.ofport,
				"ethdev", pi.ethdev), result, err);
}

MGMT_METHOD(mgmt_add_port)
{
	return add_kind(ctx, params, false, result, err);
}

MGMT_METHOD(mgmt_add_tunnel)
{
	return add_kind(ctx, params, true, result, err);
}

/*
 * Remove the port or tunnel @p params.name (and its static FDB entries, as the datapath
 * does) from the live configuration, check, then delete it from the datapath.
 */
static int
del_kind(struct vtep_mgmt_service *s, const char *method, json_t *params, bool tunnel,
	 json_t **result, char err[VTEP_MGMT_ERR_MAX])
{
	static const char *const keys[] = { "name", NULL };
	const char *what = tunnel ? "tunnel" : "port";
	char derr[VTEP_DP_ERR_MAX], prefix[96];
	struct vtep_config cur, cand;
	const char *name;
	json_t *doc;
	long idx;
	int ret;

	ret = mgmt_only_keys(method, params, keys, err);
	if (ret == 0)
		ret = mgmt_get_str(params, "name", true, &name, err);
	if (ret == 0)
		ret = current_doc(s, &doc, &cur, err);
	if (ret != 0)
		return ret;
	idx = find_by_name(doc, tunnel ? "tunnels" : "ports", name);
	if (idx < 0) {
		if (find_by_name(doc, tunnel ? "ports" : "tunnels", name) >= 0)
			mgmt_err(err, "'%.64s' is a %s, not a %s (use %s)", name,
				tunnel ? "port" : "tunnel", what, tunnel ? "del-port" : "del-tunnel");
		else
			mgmt_err(err, "no %s named '%.64s'", what, name);
		ret = VTEP_MGMT_E_NOT_FOUND;
		goto out;
	}
	if (!tunnel && strcmp(cur.vtep.uplink, name) == 0) {
		mgmt_err(err, "port '%.64s' is the VTEP uplink (vtep.uplink); it cannot be "
			"removed at run time", name);
		ret = VTEP_MGMT_E_BUSY;
		goto out;
	}
	for (unsigned int i = 0; tunnel && i < cur.n_segments; i++)
		for (unsigned int f = 0; f < cur.segments[i].n_flood; f++)
			if (strcmp(cur.segments[i].flood[f], name) == 0) {
				mgmt_err(err, "tunnel '%.64s' is in the flood list of segment VLAN %u "
					"(VNI %u); remove the segment first", name,
					cur.segments[i].vlan, cur.segments[i].vni);
				ret = VTEP_MGMT_E_BUSY;
				goto out;
			}
	json_array_remove(json_object_get(doc, tunnel ? "tunnels" : "ports"), (size_t)idx);
	drop_fdb_of(doc, what, name);
	snprintf(prefix, sizeof(prefix), "cannot remove %s '%.32s': ", what, name);
	ret = check_candidate(doc, NULL, -1, prefix, &cand, err);
	if (ret != 0)
		goto out;
	vtep_config_clear(&cand);
	ret = tunnel ? vtep_dp_tunnel_del(s->dp, name, derr) : vtep_dp_port_del(s->dp, name, derr);
	if (ret < 0) {
		mgmt_err(err, "%s", derr);
		ret = mgmt_code_of_errno(ret);
		goto out;
	}
	VTEP_LOG(CTL, NOTICE, "vtepctl: %s %s removed", what, name);
	ret = finish(s, json_pack("{s:s}", "name", name), result, err);
out:
	json_decref(doc);
	vtep_config_clear(&cur);
	return ret;
}

MGMT_METHOD(mgmt_del_port)
{
	return del_kind(ctx, "del-port", params, false, result, err);
}

MGMT_METHOD(mgmt_del_tunnel)
{
	return del_kind(ctx, "del-tunnel", params, true, result, err);
}

/* ---------------------------------------------------------------- segments */

MGMT_METHOD(mgmt_add_segment)
{
	struct vtep_mgmt_service *s = ctx;
	json_t *jv = json_object_get(params, "vlan"), *jn = json_object_get(params, "vni");
	char derr[VTEP_DP_ERR_MAX];
	struct vtep_config cur, cand;
	struct vtep_cfg_segment *sg;
	long idx;
	int ret;

	ret = add_candidate(s, params, "segments", &cur, &cand, &idx, err);
	if (ret != 0) {
		/* a duplicate is reported as such, not as a loader message */
		struct vtep_config c;

		if (ret != VTEP_MGMT_E_PARAMS || mgmt_export(s, &c) < 0)
			return ret;
		for (unsigned int i = 0; i < c.n_segments; i++) {
			if (json_is_integer(jv) && json_integer_value(jv) == c.segments[i].vlan) {
				mgmt_err(err, "VLAN %u is already mapped to VNI %u", c.segments[i].vlan,
					c.segments[i].vni);
				ret = VTEP_MGMT_E_EXISTS;
			} else if (json_is_integer(jn) && json_integer_value(jn) == c.segments[i].vni &&
				   ret != VTEP_MGMT_E_EXISTS) {
				mgmt_err(err, "VNI %u is already mapped to VLAN %u", c.segments[i].vni,
					c.segments[i].vlan);
				ret = VTEP_MGMT_E_EXISTS;
			}
		}
		vtep_config_clear(&c);
		return ret;
	}
	vtep_config_clear(&cur);
	sg = &cand.segments[idx];
	ret = vtep_dp_segment_add(s->dp, sg, derr);
	if (ret < 0) {
		vtep_config_clear(&cand);
		mgmt_err(err, "%s", derr);
		return mgmt_code_of_errno(ret);
	}
	VTEP_LOG(CTL, NOTICE, "vtepctl: segment VLAN %u <-> VNI %u added", sg->vlan, sg->vni);
	ret = finish(s, json_pack("{s:i, s:i}", "vlan", sg->vlan, "vni", (int)sg->vni), result,
		     err);
	vtep_config_clear(&cand);
	return ret;
}

MGMT_METHOD(mgmt_del_segment)
{
	static const char *const keys[] = { "vlan", NULL };
	struct vtep_mgmt_service *s = ctx;
	char derr[VTEP_DP_ERR_MAX], prefix[64];
	struct vtep_config cur, cand;
	json_t *doc, *a, *e;
	long long vlan;
	long idx = -1;
	size_t i;
	int ret;

	ret = mgmt_only_keys("del-segment", params, keys, err);
	if (ret == 0)
		ret = mgmt_get_int(params, "vlan", true, 1, 4094, "VLAN ID", 0, &vlan, err);
	if (ret == 0)
		ret = current_doc(s, &doc, &cur, err);
	if (ret != 0)
		return ret;
	a = json_object_get(doc, "segments");
	json_array_foreach(a, i, e)
		if (json_integer_value(json_object_get(e, "vlan")) == vlan)
			idx = (long)i;
	if (idx < 0) {
		mgmt_err(err, "no segment for VLAN %lld", vlan);
		ret = VTEP_MGMT_E_NOT_FOUND;
		goto out;
	}
	json_array_remove(a, (size_t)idx);
	snprintf(prefix, sizeof(prefix), "cannot remove segment VLAN %lld: ", vlan);
	ret = check_candidate(doc, NULL, -1, prefix, &cand, err);
	if (ret != 0)
		goto out;
	vtep_config_clear(&cand);
	ret = vtep_dp_segment_del(s->dp, (uint16_t)vlan, derr);
	if (ret < 0) {
		mgmt_err(err, "%s", derr);
		ret = mgmt_code_of_errno(ret);
		goto out;
	}
	VTEP_LOG(CTL, NOTICE, "vtepctl: segment VLAN %lld removed", vlan);
	ret = finish(s, json_pack("{s:i}", "vlan", (int)vlan), result, err);
out:
	json_decref(doc);
	vtep_config_clear(&cur);
	return ret;
}

/* ---------------------------------------------------------------- fdb */

/* Index of the static entry (vlan, mac) in the live configuration, or -1. */
static long
static_entry(const struct vtep_config *c, long long vlan, const uint8_t mac[6])
{
	for (unsigned int i = 0; i < c->n_fdb; i++)
		if (c->fdb[i].vlan == vlan && memcmp(c->fdb[i].mac, mac, 6) == 0)
			return (long)i;
	return -1;
}

MGMT_METHOD(mgmt_fdb_add)
{
	static const char *const keys[] = { "vlan", "mac", "port", "tunnel", "target", NULL };
	struct vtep_mgmt_service *s = ctx;
	char derr[VTEP_DP_ERR_MAX];
	struct vtep_config cur, cand;
	struct vtep_dp_port_info pi;
	const char *target, *mac;
	json_t *req = NULL;
	uint8_t m[6];
	long long vlan;
	long idx;
	int ret;

	ret = mgmt_only_keys("fdb-add", params, keys, err);
	if (ret == 0)
		ret = mgmt_get_str(params, "target", false, &target, err);
	if (ret == 0)
		ret = mgmt_get_str(params, "mac", true, &mac, err);
	if (ret != 0)
		return ret;
	req = json_deep_copy(params);
	if (target != NULL) {
		/* "target" names a port or a tunnel: turn it into the config's key */
		int ti = vtep_dp_port_find(s->dp, target);

		if (json_object_get(params, "port") || json_object_get(params, "tunnel")) {
			mgmt_err(err, "fdb-add: give one of target, port and tunnel");
			ret = VTEP_MGMT_E_PARAMS;
			goto out_req;
		}
		if (ti < 0 || vtep_dp_port_info(s->dp, (unsigned int)ti, &pi) < 0) {
			mgmt_err(err, "no port or tunnel named '%.64s'", target);
			ret = VTEP_MGMT_E_NOT_FOUND;
			goto out_req;
		}
		json_object_del(req, "target");
		json_object_set_new(req, pi.kind == VTEP_DP_PORT_TUNNEL ? "tunnel" : "port",
				    json_string(target));
	}
	memset(&cur, 0, sizeof(cur));
	if (mgmt_export(s, &cur) < 0) {
		mgmt_err(err, "out of memory");
		ret = VTEP_MGMT_E_INTERNAL;
	} else if (json_is_integer(json_object_get(params, "vlan")) &&
		   vtep_mac_parse(mac, m) == 0 &&
		   static_entry(&cur, json_integer_value(json_object_get(params, "vlan")), m) >= 0) {
		mgmt_err(err, "VLAN %" JSON_INTEGER_FORMAT " MAC %s already has a static entry "
			"(fdb-del it first)", json_integer_value(json_object_get(params, "vlan")),
			mac);
		ret = VTEP_MGMT_E_EXISTS;
	}
	vtep_config_clear(&cur);
	if (ret != 0)
		goto out_req;
	ret = add_candidate(s, req, "fdb", &cur, &cand, &idx, err);
	if (ret != 0)
		goto out_req;
	vtep_config_clear(&cur);
	ret = vtep_dp_fdb_add(s->dp, &cand.fdb[idx], derr);
	if (ret < 0) {
		vtep_config_clear(&cand);
		mgmt_err(err, "%s", derr);
		ret = mgmt_code_of_errno(ret);
		goto out_req;
	}
	vlan = cand.fdb[idx].vlan;
	VTEP_LOG(CTL, NOTICE, "vtepctl: static MAC %s on VLAN %lld -> %s", mac, vlan,
		 cand.fdb[idx].target);
	ret = finish(s, json_pack("{s:I, s:o, s:s}", "vlan", (json_int_t)vlan, "mac",
				  mgmt_mac_json(cand.fdb[idx].mac), "target", cand.fdb[idx].target),
		     result, err);
	vtep_config_clear(&cand);
out_req:
	json_decref(req);
	return ret;
}

MGMT_METHOD(mgmt_fdb_del)
{
	static const char *const keys[] = { "vlan", "mac", NULL };
	struct vtep_mgmt_service *s = ctx;
	char derr[VTEP_DP_ERR_MAX], prefix[96];
	struct vtep_config cur, cand;
	const char *mac;
	long long vlan;
	json_t *doc;
	uint8_t m[6];
	long idx;
	int ret;

	ret = mgmt_only_keys("fdb-del", params, keys, err);
	if (ret == 0)
		ret = mgmt_get_int(params, "vlan", true, 1, 4094, "VLAN ID", 0, &vlan, err);
	if (ret == 0)
		ret = mgmt_get_str(params, "mac", true, &mac, err);
	if (ret != 0)
		return ret;
	if (vtep_mac_parse(mac, m) < 0) {
		mgmt_err(err, "mac: '%.64s' is not a MAC address (aa:bb:cc:dd:ee:ff)", mac);
		return VTEP_MGMT_E_PARAMS;
	}
	ret = current_doc(s, &doc, &cur, err);
	if (ret != 0)
		return ret;
	idx = static_entry(&cur, vlan, m);
	if (idx >= 0) {
		/* canonical order of the document is the exported order */
		json_array_remove(json_object_get(doc, "fdb"), (size_t)idx);
		snprintf(prefix, sizeof(prefix), "cannot remove fdb entry VLAN %lld MAC %.20s: ",
			 vlan, mac);
		ret = check_candidate(doc, NULL, -1, prefix, &cand, err);
		if (ret != 0)
			goto out;
		vtep_config_clear(&cand);
	}
	ret = vtep_dp_fdb_del(s->dp, (uint16_t)vlan, m, derr);
	if (ret < 0) {
		mgmt_err(err, "%s", strncmp(derr, "fdb: ", 5) == 0 ? derr + 5 : derr);
		ret = mgmt_code_of_errno(ret);
		goto out;
	}
	VTEP_LOG(CTL, NOTICE, "vtepctl: MAC %s on VLAN %lld removed", mac, vlan);
	if (idx >= 0)
		ret = finish(s, json_pack("{s:I, s:o, s:b}", "vlan", (json_int_t)vlan, "mac",
					  mgmt_mac_json(m), "static", 1), result, err);
	else
		*result = json_pack("{s:I, s:o, s:b, s:n}", "vlan", (json_int_t)vlan, "mac",
				    mgmt_mac_json(m), "static", 0, "saved");
out:
	json_decref(doc);
	vtep_config_clear(&cur);
	return ret;
}

MGMT_METHOD(mgmt_fdb_flush)
{
	static const char *const keys[] = { "vlan", "port", NULL };
	struct vtep_mgmt_service *s = ctx;
	char derr[VTEP_DP_ERR_MAX];
	const char *port;
	long long vlan;
	int ret;

	ret = mgmt_only_keys("fdb-flush", params, keys, err);
	if (ret == 0)
		ret = mgmt_get_int(params, "vlan", false, 1, 4094, "VLAN ID", -1, &vlan, err);
	if (ret == 0)
		ret = mgmt_get_str(params, "port", false, &port, err);
	if (ret != 0)
		return ret;
	ret = vtep_dp_fdb_flush(s->dp, (int)vlan, port, derr);
	if (ret < 0) {
		mgmt_err(err, "%s", strncmp(derr, "fdb: ", 5) == 0 ? derr + 5 : derr);
		return mgmt_code_of_errno(ret);
	}
	*result = json_pack("{s:i}", "flushed", ret);
	return 0;
}

/* ---------------------------------------------------------------- vtep settings */

/* The keys of the config file's "vtep" object, in its order. */
static const char *const vtep_keys[] = {
	"local_ip", "local_ip6", "uplink", "gateway", "gateway6", "udp_port", "mtu",
	"require_known_remote", "stt_reassembly_kb", "stt_reassembly_timeout_ms", "neighbours",
	NULL
};

/*
 * set-vtep: params are any of the "vtep" keys of the config file with their new values;
 * null removes a key (its default applies again). The whole result is checked by the
 * loader (so, e.g., removing local_ip while an IPv4 tunnel or group needs it is refused),
 * then applied with vtep_dp_set_vtep(), which rebuilds every tunnel template and the
 * uplink's steering in one commit.
 */
MGMT_METHOD(mgmt_set_vtep)
{
	struct vtep_mgmt_service *s = ctx;
	char derr[VTEP_DP_ERR_MAX], names[256];
	struct vtep_config cur, cand;
	json_t *doc, *v, *val, *out;
	const char *key;
	size_t off = 0;
	char *text;
	int ret;

	for (unsigned int i = 0; vtep_keys[i] != NULL; i++)
		off += (size_t)snprintf(names + off, sizeof(names) - off, "%s%s", i ? ", " : "",
					vtep_keys[i]);
	json_object_foreach(params, key, val) {
		unsigned int i = 0;

		while (vtep_keys[i] != NULL && strcmp(vtep_keys[i], key) != 0)
			i++;
		if (vtep_keys[i] == NULL) {
			mgmt_err(err, "unknown setting '%.64s' (one of %s)", key, names);
			return VTEP_MGMT_E_PARAMS;
		}
	}
	if (json_object_size(params) == 0) {
		mgmt_err(err, "no setting given (one or more of %s)", names);
		return VTEP_MGMT_E_PARAMS;
	}
	key = json_string_value(json_object_get(params, "uplink"));
	if (key != NULL) {
		/* said here: the loader would name the port twice ("vm1" (port 'vm1')) */
		struct vtep_dp_port_info pi;
		int pidx = vtep_dp_port_find(s->dp, key);

		if (pidx >= 0 && vtep_dp_port_info(s->dp, (unsigned int)pidx, &pi) == 0 &&
		    (pi.kind != VTEP_DP_PORT_ETH || pi.role != VTEP_PORT_ROLE_UPLINK)) {
			mgmt_err(err, "vtep.uplink: '%.64s' is not a port with role uplink "
				 "(add-port --uplink adds one)", key);
			return VTEP_MGMT_E_PARAMS;
		}
	}
	ret = current_doc(s, &doc, &cur, err);
	if (ret != 0)
		return ret;
	vtep_config_clear(&cur);
	v = json_object_get(doc, "vtep");
	if (!json_is_object(v)) {
		v = json_object();
		json_object_set_new(doc, "vtep", v);
	}
	json_object_foreach(params, key, val) {
		if (json_is_null(val))
			json_object_del(v, key);
		else
			json_object_set(v, key, val);
	}
	ret = check_candidate(doc, NULL, -1, "", &cand, err);
	json_decref(doc);
	if (ret != 0)
		return ret;
	ret = vtep_dp_set_vtep(s->dp, &cand.vtep, derr);
	vtep_config_clear(&cand);
	if (ret < 0) {
		mgmt_err(err, "%s", derr);
		return mgmt_code_of_errno(ret);
	}
	/* answer with the values now in force, as show reports them */
	ret = mgmt_export(s, &cur);
	out = json_object();
	if (ret == 0) {
		json_t *now = mgmt_vtep_json(&cur.vtep);

		json_object_foreach(params, key, val) {
			json_t *x = json_object_get(now, key);

			json_object_set(out, key, x != NULL ? x : json_null());
		}
		json_decref(now);
	}
	vtep_config_clear(&cur);
	text = json_dumps(out, JSON_COMPACT);
	VTEP_LOG(CTL, NOTICE, "vtepctl: vtep settings changed: %.400s", text ? text : "?");
	free(text);
	return finish(s, out, result, err);
}
