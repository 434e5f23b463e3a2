/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vtepctl service: method table, parameter checks shared by the methods, export of
 * the live model and persistence of every change.
 */
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vtep_log.h"
#include "vtep_mgmt_priv.h"

static const struct vtep_mgmt_method methods[] = {
	{ "show", mgmt_show },
	{ "dump-ports", mgmt_dump_ports },
	{ "dump-tunnels", mgmt_dump_tunnels },
	{ "dump-segments", mgmt_dump_segments },
	{ "drop-stats", mgmt_drop_stats },
	{ "fdb-show", mgmt_fdb_show },
	{ "pmd-stats-show", mgmt_pmd_stats_show },
	{ "pmd-stats-clear", mgmt_pmd_stats_clear },
	{ "set-log-level", mgmt_set_log_level },
	{ "add-port", mgmt_add_port },
	{ "del-port", mgmt_del_port },
	{ "add-tunnel", mgmt_add_tunnel },
	{ "del-tunnel", mgmt_del_tunnel },
	{ "add-segment", mgmt_add_segment },
	{ "del-segment", mgmt_del_segment },
	{ "fdb-add", mgmt_fdb_add },
	{ "fdb-del", mgmt_fdb_del },
	{ "fdb-flush", mgmt_fdb_flush },
	{ "set-vtep", mgmt_set_vtep },
};

void
mgmt_err(char err[VTEP_MGMT_ERR_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, VTEP_MGMT_ERR_MAX, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------- parameters */

int
mgmt_only_keys(const char *method, json_t *params, const char *const *keys,
	       char err[VTEP_MGMT_ERR_MAX])
{
	const char *key;
	json_t *v;

	json_object_foreach(params, key, v) {
		unsigned int i;

		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(keys[i], key) == 0)
				break;
		if (keys[i] == NULL) {
			mgmt_err(err, "%s: unknown parameter '%.64s'", method, key);
			return VTEP_MGMT_E_PARAMS;
		}
	}
	return 0;
}

/* Look up @p key. @return 0 with *v (NULL when absent and optional), or an error code. */
static int
param(json_t *params, const char *key, bool required, json_t **v, char err[VTEP_MGMT_ERR_MAX])
{
	*v = json_object_get(params, key);
	if (*v == NULL && required) {
		mgmt_err(err, "%s: required parameter missing", key);
		return VTEP_MGMT_E_PARAMS;
	}
	return 0;
}

int
mgmt_get_str(json_t *params, const char *key, bool required, const char **out,
	     char err[VTEP_MGMT_ERR_MAX])
{
	json_t *v;
	int ret = param(params, key, required, &v, err);

	*out = NULL;
	if (ret != 0 || v == NULL)
		return ret;
	if (!json_is_string(v)) {
		mgmt_err(err, "%s: must be a string", key);
		return VTEP_MGMT_E_PARAMS;
	}
	*out = json_string_value(v);
	return 0;
}

int
mgmt_get_int(json_t *params, const char *key, bool required, long long lo, long long hi,
	     const char *what, long long absent, long long *out, char err[VTEP_MGMT_ERR_MAX])
{
	json_t *v;
	int ret = param(params, key, required, &v, err);

	*out = absent;
	if (ret != 0 || v == NULL)
		return ret;
	if (!json_is_integer(v)) {
		mgmt_err(err, "%s: must be an integer", key);
		return VTEP_MGMT_E_PARAMS;
	}
	if (json_integer_value(v) < lo || json_integer_value(v) > hi) {
		mgmt_err(err, "%s: %s %" JSON_INTEGER_FORMAT " is outside %lld..%lld", key, what,
			 json_integer_value(v), lo, hi);
		return VTEP_MGMT_E_PARAMS;
	}
	*out = json_integer_value(v);
	return 0;
}

int
mgmt_code_of_errno(int err)
{
	switch (err < 0 ? -err : err) {
	case ENOENT:
		return VTEP_MGMT_E_NOT_FOUND;
	case EEXIST:
		return VTEP_MGMT_E_EXISTS;
	case EBUSY:
		return VTEP_MGMT_E_BUSY;
	case EINVAL:
		return VTEP_MGMT_E_PARAMS;
	default:
		return VTEP_MGMT_E_FAILED;
	}
}

/* ---------------------------------------------------------------- model and persistence */

static int
dup_strings(char ***dst, char *const *src, unsigned int n)
{
	*dst = NULL;
	if (n == 0)
		return 0;
	*dst = calloc(n, sizeof(**dst));
	if (*dst == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++)
		if (((*dst)[i] = strdup(src[i])) == NULL)
			return -ENOMEM;
	return 0;
}

int
mgmt_export(const struct vtep_mgmt_service *s, struct vtep_config *c)
{
	int ret;

	memset(c, 0, sizeof(*c)); /* clearing it stays harmless when the export fails */
	ret = vtep_dp_export_config(s->dp, c);
	if (ret < 0)
		return ret;
	/* counts first: vtep_config_clear() frees exactly what they cover */
	c->bridge.n_controllers = s->n_controllers;
	c->bridge.n_listen = s->n_listen;
	ret = dup_strings(&c->bridge.controllers, s->controllers, s->n_controllers);
	if (ret == 0)
		ret = dup_strings(&c->bridge.listen, s->listen, s->n_listen);
	if (ret < 0) {
		if (c->bridge.controllers == NULL)
			c->bridge.n_controllers = 0;
		if (c->bridge.listen == NULL)
			c->bridge.n_listen = 0;
		vtep_config_clear(c);
	}
	return ret;
}

int
mgmt_persist(struct vtep_mgmt_service *s, json_t *result, char err[VTEP_MGMT_ERR_MAX])
{
	char cerr[VTEP_CONFIG_ERR_MAX];
	struct vtep_config c;
	int ret;

	if (s->config_path == NULL) {
		json_object_set_new(result, "saved", json_null());
		return 0;
	}
	ret = mgmt_export(s, &c);
	if (ret < 0) {
		mgmt_err(err, "change applied but not saved: out of memory");
		return VTEP_MGMT_E_NOT_SAVED;
	}
	ret = vtep_config_save(&c, s->config_path, cerr);
	vtep_config_clear(&c);
	if (ret < 0) {
		VTEP_LOG(CTL, ERR, "change applied but NOT saved: %s", cerr);
		mgmt_err(err, "change applied but not saved: %s", cerr);
		return VTEP_MGMT_E_NOT_SAVED;
	}
	json_object_set_new(result, "saved", json_string(s->config_path));
	return 0;
}

/* ---------------------------------------------------------------- service */

/*
 * Remove temporary files a killed vtepsw left beside the config ("PATH.tmp.<pid>" of
 * vtep_config_save()) when their process is gone.
 */
static void
remove_stale_temps(const char *config_path)
{
	char pattern[4200];
	glob_t g;

	if ((size_t)snprintf(pattern, sizeof(pattern), "%s.tmp.*", config_path) >= sizeof(pattern) ||
	    glob(pattern, GLOB_NOSORT | GLOB_NOESCAPE, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *tail = g.gl_pathv[i] + strlen(config_path) + strlen(".tmp.");
		char *end;
		long pid = strtol(tail, &end, 10);

		if (*tail == '\0' || *end != '\0' || pid <= 0)
			continue;
		if (pid != (long)getpid() && kill((pid_t)pid, 0) < 0 && errno == ESRCH &&
		    unlink(g.gl_pathv[i]) == 0)
			VTEP_LOG(CTL, NOTICE, "removed %s left by a process that died while saving",
				 g.gl_pathv[i]);
	}
	globfree(&g);
}

int
vtep_mgmt_service_create(const struct vtep_mgmt_service_params *p,
			 struct vtep_mgmt_service **out, char *err, size_t errlen)
{
	struct vtep_mgmt_params mp = { 0 };
	struct vtep_mgmt_service *s;
	int ret;

	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "management: out of memory");
		return -ENOMEM;
	}
	s->dp = p->dp;
	memcpy(s->worker_lcores, p->worker_lcores, sizeof(s->worker_lcores));
	ret = -ENOMEM;
	if (p->config_path != NULL && (s->config_path = strdup(p->config_path)) == NULL)
		goto nomem;
	if (s->config_path != NULL)
		remove_stale_temps(s->config_path);
	if (p->startup != NULL) {
		s->n_controllers = p->startup->bridge.n_controllers;
		s->n_listen = p->startup->bridge.n_listen;
		if (dup_strings(&s->controllers, p->startup->bridge.controllers,
				s->n_controllers) < 0 ||
		    dup_strings(&s->listen, p->startup->bridge.listen, s->n_listen) < 0)
			goto nomem;
	}
	mp.path = p->socket_path;
	mp.mode = p->socket_mode ? p->socket_mode : 0660;
	mp.methods = methods;
	mp.n_methods = VTEP_ARRAY_SIZE(methods);
	mp.ctx = s;
	ret = vtep_mgmt_create(&mp, &s->server, err, errlen);
	if (ret < 0)
		goto fail;
	VTEP_LOG(CTL, INFO, "management socket %s", p->socket_path);
	*out = s;
	return 0;
nomem:
	snprintf(err, errlen, "management: out of memory");
fail:
	vtep_mgmt_service_free(s);
	return ret;
}

unsigned int
vtep_mgmt_service_poll(struct vtep_mgmt_service *s)
{
	return vtep_mgmt_poll(s->server);
}

int
vtep_mgmt_service_call(struct vtep_mgmt_service *s, const char *method, json_t *params,
		       json_t **result, char err[VTEP_MGMT_ERR_MAX])
{
	for (unsigned int i = 0; i < VTEP_ARRAY_SIZE(methods); i++)
		if (strcmp(methods[i].name, method) == 0)
			return methods[i].fn(s, params, result, err);
	mgmt_err(err, "unknown method '%.64s'", method);
	return VTEP_MGMT_E_METHOD;
}

static void
free_strings(char **v, unsigned int n)
{
	if (v == NULL)
		return;
	for (unsigned int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
vtep_mgmt_service_free(struct vtep_mgmt_service *s)
{
	if (s == NULL)
		return;
	vtep_mgmt_free(s->server);
	free_strings(s->controllers, s->n_controllers);
	free_strings(s->listen, s->n_listen);
	free(s->config_path);
	free(s);
}
