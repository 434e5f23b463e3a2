/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The JSON-RPC 2.0 server: a non-blocking unix socket, per-client buffers, request framing
 * and validation, dispatch to a method table.
 */
#define _GNU_SOURCE /* accept4() */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vtep_log.h"
#include "vtep_mgmt.h"

#define MGMT_DEFAULT_MAX_REQUEST 65536
#define MGMT_DEFAULT_MAX_CLIENTS 64
#define MGMT_READ_CHUNK 16384
#define MGMT_MAX_OUTPUT (64u << 20)   /* a client that reads nothing is dropped past this */
#define MGMT_EVENTS 32
#define MGMT_LISTENER UINT32_MAX

struct client {
	int fd;                 /* -1: free slot */
	bool closing;           /* close once the output is written (EOF or fatal error) */
	bool want_out;          /* EPOLLOUT registered */
	/* input and the framing state of the request being received */
	char *in;
	size_t in_len, in_cap;
	size_t scan;            /* bytes of in[] examined */
	size_t msg_start;       /* first byte of the current request */
	unsigned int depth;     /* open brackets */
	bool started, in_str, esc;
	/* output not yet accepted by the socket */
	char *out;
	size_t out_len, out_off, out_cap;
};

struct vtep_mgmt {
	struct vtep_mgmt_params p;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	ino_t ino;              /* our socket file (removed on free only if still ours) */
	int lfd, ep;
	struct client *clients;
	struct vtep_mgmt_stats st;
};

static void __attribute__((format(printf, 3, 4)))
set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------- socket set-up */

/* Remove @p path if it is a socket nobody accepts on. @return 0 or -errno. */
static int
clear_stale(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		set_err(err, errlen, "%s: exists and is not a socket", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (rc == 0) {
		set_err(err, errlen, "%s: another process is serving this socket "
			"(another vtepsw? use --ctl-socket)", path);
		return -EADDRINUSE;
	}
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int
vtep_mgmt_create(const struct vtep_mgmt_params *p, struct vtep_mgmt **out, char *err,
		 size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = MGMT_LISTENER };
	const char *step = "";
	struct vtep_mgmt *m;
	struct stat st;
	int rc;

	if (p == NULL || p->path == NULL || out == NULL || (p->n_methods && p->methods == NULL)) {
		set_err(err, errlen, "management socket: invalid parameters");
		return -EINVAL;
	}
	if (strlen(p->path) >= sizeof(sa.sun_path) || p->path[0] == '\0') {
		set_err(err, errlen, "%s: socket path is empty or longer than %zu bytes", p->path,
			sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		set_err(err, errlen, "%s: out of memory", p->path);
		return -ENOMEM;
	}
	m->p = *p;
	if (m->p.max_request == 0)
		m->p.max_request = MGMT_DEFAULT_MAX_REQUEST;
	if (m->p.max_clients == 0)
		m->p.max_clients = MGMT_DEFAULT_MAX_CLIENTS;
	m->lfd = m->ep = -1;
	snprintf(m->path, sizeof(m->path), "%s", p->path);
	m->clients = calloc(m->p.max_clients, sizeof(*m->clients));
	if (m->clients == NULL) {
		free(m);
		set_err(err, errlen, "%s: out of memory", p->path);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < m->p.max_clients; i++)
		m->clients[i].fd = -1;

	err[0] = '\0';
	rc = clear_stale(m->path, err, errlen);
	if (rc < 0) {
		step = "cannot replace the old socket";
		goto fail;
	}
	step = "cannot create socket";
	m->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (m->lfd < 0)
		goto fail_errno;
	memcpy(sa.sun_path, m->path, strlen(m->path) + 1);
	step = "cannot bind";
	if (bind(m->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail_errno;
	step = "cannot set permissions";
	if (chmod(m->path, p->mode ? p->mode : 0660) < 0 || stat(m->path, &st) < 0)
		goto fail_unlink;
	m->ino = st.st_ino;
	step = "cannot listen";
	if (listen(m->lfd, 64) < 0)
		goto fail_unlink;
	step = "cannot create epoll instance";
	m->ep = epoll_create1(EPOLL_CLOEXEC);
	if (m->ep < 0 || epoll_ctl(m->ep, EPOLL_CTL_ADD, m->lfd, &ev) < 0)
		goto fail_unlink;
	*out = m;
	return 0;

fail_unlink:
	rc = -errno;
	unlink(m->path);
	goto fail;
fail_errno:
	rc = -errno;
fail:
	if (err[0] == '\0')
		set_err(err, errlen, "%s: %s: %s", m->path, step, strerror(-rc));
	if (m->lfd >= 0)
		close(m->lfd);
	if (m->ep >= 0)
		close(m->ep);
	free(m->clients);
	free(m);
	return rc;
}

/* ---------------------------------------------------------------- clients */

static void
client_close(struct vtep_mgmt *m, struct client *c)
{
	if (c->fd < 0)
		return;
	if (c->started && !c->closing)
		m->st.dropped_partial++;
	epoll_ctl(m->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	m->st.clients--;
	VTEP_LOG(CTL, DEBUG, "management client disconnected");
}

/* Watch for writability only while output is pending. */
static void
client_want_out(struct vtep_mgmt *m, struct client *c, bool want)
{
	struct epoll_event ev = {
		.events = EPOLLIN | (want ? EPOLLOUT : 0),
		.data.u32 = (uint32_t)(c - m->clients),
	};

	if (c->want_out == want)
		return;
	c->want_out = want;
	epoll_ctl(m->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Write pending output. @return false when the client was closed. */
static bool
client_flush(struct vtep_mgmt *m, struct client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			client_want_out(m, c, true);
			return true;
		}
		if (n <= 0) {
			c->closing = true; /* the peer is gone: what it sent was complete */
			client_close(m, c);
			return false;
		}
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	client_want_out(m, c, false);
	if (c->closing) {
		client_close(m, c);
		return false;
	}
	return true;
}

/* Queue one response line. @return false if the client had to be dropped. */
static bool
client_queue(struct vtep_mgmt *m, struct client *c, json_t *resp)
{
	char *text = json_dumps(resp, JSON_COMPACT);
	size_t len, need;

	if (text == NULL) {
		VTEP_LOG(CTL, ERR, "management: cannot serialise a response (out of memory)");
		c->closing = true;
		return false;
	}
	len = strlen(text);
	need = c->out_len + len + 1;
	if (need > MGMT_MAX_OUTPUT) {
		VTEP_LOG(CTL, WARNING, "management: client does not read its responses "
			 "(%zu bytes pending); disconnecting it", c->out_len);
		free(text);
		c->closing = true;
		client_close(m, c);
		return false;
	}
	if (need > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *nb;

		while (cap < need)
			cap *= 2;
		nb = realloc(c->out, cap);
		if (nb == NULL) {
			free(text);
			c->closing = true;
			client_close(m, c);
			return false;
		}
		c->out = nb;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, text, len);
	c->out[c->out_len + len] = '\n';
	c->out_len = need;
	free(text);
	return true;
}

/* ---------------------------------------------------------------- requests */

static json_t *
error_response(struct vtep_mgmt *m, json_t *id, int code, const char *msg)
{
	m->st.errors++;
	return json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0", "id",
			 id != NULL ? id : json_null(), "error", "code", code, "message", msg);
}

static const struct vtep_mgmt_method *
find_method(const struct vtep_mgmt *m, const char *name)
{
	for (unsigned int i = 0; i < m->p.n_methods; i++)
		if (strcmp(m->p.methods[i].name, name) == 0)
			return &m->p.methods[i];
	return NULL;
}

/* Check the request envelope. @return 0 or an error code with @p err set. */
static int
check_envelope(json_t *req, json_t **id, char err[VTEP_MGMT_ERR_MAX])
{
	json_t *v, *jid = json_object_get(req, "id");
	const char *key;

	if (jid != NULL && !json_is_string(jid) && !json_is_number(jid) && !json_is_null(jid)) {
		set_err(err, VTEP_MGMT_ERR_MAX, "'id' must be a string, a number or null");
		return VTEP_MGMT_E_REQUEST;
	}
	*id = jid;
	json_object_foreach(req, key, v) {
		if (strcmp(key, "jsonrpc") != 0 && strcmp(key, "method") != 0 &&
		    strcmp(key, "params") != 0 && strcmp(key, "id") != 0) {
			set_err(err, VTEP_MGMT_ERR_MAX, "unknown member '%.64s' in the request "
				"(expected jsonrpc, method, params, id)", key);
			return VTEP_MGMT_E_REQUEST;
		}
	}
	v = json_object_get(req, "jsonrpc");
	if (!json_is_string(v) || strcmp(json_string_value(v), "2.0") != 0) {
		set_err(err, VTEP_MGMT_ERR_MAX, "'jsonrpc' must be \"2.0\"");
		return VTEP_MGMT_E_REQUEST;
	}
	if (!json_is_string(json_object_get(req, "method"))) {
		set_err(err, VTEP_MGMT_ERR_MAX, "'method' must be a string");
		return VTEP_MGMT_E_REQUEST;
	}
	v = json_object_get(req, "params");
	if (v != NULL && !json_is_object(v) && !json_is_array(v)) {
		set_err(err, VTEP_MGMT_ERR_MAX, "'params' must be an object or an array");
		return VTEP_MGMT_E_REQUEST;
	}
	return 0;
}

/* Run one request object. @return the response, or NULL for a notification. */
static json_t *
handle_one(struct vtep_mgmt *m, json_t *req)
{
	char err[VTEP_MGMT_ERR_MAX] = "";
	const struct vtep_mgmt_method *meth;
	json_t *id = NULL, *params, *result = NULL, *resp;
	const char *name;
	int code;

	m->st.requests++;
	if (!json_is_object(req))
		return error_response(m, NULL, VTEP_MGMT_E_REQUEST,
				      "a request must be a JSON object");
	code = check_envelope(req, &id, err);
	if (code != 0)
		return error_response(m, id, code, err);
	name = json_string_value(json_object_get(req, "method"));
	meth = find_method(m, name);
	if (meth == NULL) {
		set_err(err, sizeof(err), "unknown method '%.64s'", name);
		code = VTEP_MGMT_E_METHOD;
	} else {
		params = json_object_get(req, "params");
		if (params == NULL || (json_is_array(params) && json_array_size(params) == 0)) {
			params = json_object();
		} else if (json_is_array(params)) {
			set_err(err, sizeof(err), "%s: params must be an object (named parameters)",
				name);
			code = VTEP_MGMT_E_PARAMS;
			params = NULL;
		} else {
			json_incref(params);
		}
		if (params != NULL) {
			code = meth->fn(m->p.ctx, params, &result, err);
			json_decref(params);
		}
	}
	if (code != 0) {
		VTEP_LOG(CTL, INFO, "request %.64s failed: %s", name, err);
		json_decref(result);
		return id == NULL ? NULL : error_response(m, id, code, err);
	}
	if (id == NULL) {
		json_decref(result);
		return NULL;
	}
	resp = json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id, "result",
			 result != NULL ? result : json_null());
	return resp;
}

/* Run a request or a batch. @return the response (NULL: nothing to send). */
static json_t *
handle_text(struct vtep_mgmt *m, const char *text, size_t len)
{
	char msg[VTEP_MGMT_ERR_MAX];
	json_error_t jerr;
	json_t *req, *resp;

	req = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (req == NULL) {
		m->st.requests++;
		set_err(msg, sizeof(msg), "parse error: %s at line %d, column %d", jerr.text,
			jerr.line, jerr.column);
		return error_response(m, NULL, VTEP_MGMT_E_PARSE, msg);
	}
	if (!json_is_array(req)) {
		resp = handle_one(m, req);
	} else if (json_array_size(req) == 0) {
		m->st.requests++;
		resp = error_response(m, NULL, VTEP_MGMT_E_REQUEST, "empty batch");
	} else {
		size_t i;
		json_t *r;

		resp = json_array();
		json_array_foreach(req, i, r) {
			json_t *one = handle_one(m, r);

			if (one != NULL && resp != NULL)
				json_array_append_new(resp, one);
			else
				json_decref(one);
		}
		if (resp != NULL && json_array_size(resp) == 0) {
			json_decref(resp);
			resp = NULL; /* a batch of notifications gets no response */
		}
	}
	json_decref(req);
	return resp;
}

/*
 * Find the end of the JSON text being received: brackets are counted outside strings.
 * @return 1 with *end set after the closing bracket, 0 when more input is needed, -1
 * when the text cannot be a request (does not start with '{' or '[').
 */
static int
scan_request(struct client *c, size_t *end)
{
	for (; c->scan < c->in_len; c->scan++) {
		char ch = c->in[c->scan];

		if (!c->started) {
			if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
				continue;
			if (ch != '{' && ch != '[')
				return -1;
			c->started = true;
			c->depth = 1;
			c->msg_start = c->scan;
			continue;
		}
		if (c->in_str) {
			if (c->esc)
				c->esc = false;
			else if (ch == '\\')
				c->esc = true;
			else if (ch == '"')
				c->in_str = false;
			continue;
		}
		if (ch == '"') {
			c->in_str = true;
		} else if (ch == '{' || ch == '[') {
			c->depth++;
		} else if ((ch == '}' || ch == ']') && --c->depth == 0) {
			*end = ++c->scan;
			c->started = false;
			return 1;
		}
	}
	return 0;
}

/* Answer with an error and close once it is written (the stream cannot be resynced). */
static void
client_fatal(struct vtep_mgmt *m, struct client *c, int code, const char *msg)
{
	json_t *resp = error_response(m, NULL, code, msg);

	m->st.requests++;
	VTEP_LOG(CTL, INFO, "management client: %s; closing the connection", msg);
	c->started = false;
	c->closing = true;
	c->in_len = c->scan = c->msg_start = 0;
	if (resp != NULL)
		client_queue(m, c, resp);
	json_decref(resp);
}

/* Handle every complete request in the input. @return requests handled. */
static unsigned int
client_process(struct vtep_mgmt *m, struct client *c)
{
	unsigned int handled = 0;
	size_t end, keep;
	int r = 0;

	while (c->fd >= 0 && !c->closing && (r = scan_request(c, &end)) != 0) {
		json_t *resp;

		if (r < 0) {
			client_fatal(m, c, VTEP_MGMT_E_PARSE,
				     "parse error: a request must be a JSON object or array");
			return handled + 1;
		}
		if (end - c->msg_start > m->p.max_request)
			break; /* complete but too large: refused below like a partial one */
		resp = handle_text(m, c->in + c->msg_start, end - c->msg_start);
		handled++;
		if (resp != NULL) {
			bool ok = client_queue(m, c, resp);

			json_decref(resp);
			if (!ok)
				return handled;
		}
	}
	if (c->fd < 0 || c->closing)
		return handled;
	/* drop what has been consumed; keep the request being received */
	keep = c->started ? c->msg_start : c->scan;
	if (keep > 0) {
		memmove(c->in, c->in + keep, c->in_len - keep);
		c->in_len -= keep;
		c->scan -= keep;
		c->msg_start = 0; /* the request being received (if any) starts at 0 now */
	}
	if (r > 0 || (c->started && c->scan - c->msg_start > m->p.max_request)) {
		char msg[128];

		set_err(msg, sizeof(msg), "request too large: more than %zu bytes",
			m->p.max_request);
		client_fatal(m, c, VTEP_MGMT_E_REQUEST, msg);
		handled++;
	}
	return handled;
}

/* Read what is available and run complete requests. */
static unsigned int
client_read(struct vtep_mgmt *m, struct client *c)
{
	unsigned int handled = 0;

	while (c->fd >= 0 && !c->closing) {
		ssize_t n;

		if (c->in_cap - c->in_len < MGMT_READ_CHUNK) {
			size_t cap = c->in_cap ? c->in_cap * 2 : MGMT_READ_CHUNK * 2;
			char *nb = realloc(c->in, cap);

			if (nb == NULL) {
				client_close(m, c);
				break;
			}
			c->in = nb;
			c->in_cap = cap;
		}
		n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			/* EOF (or reset): answer what was complete, then close */
			bool partial = c->started;

			if (partial) {
				m->st.dropped_partial++;
				VTEP_LOG(CTL, INFO, "management client left in the middle of a "
					 "request; ignored");
			}
			c->started = false;
			c->closing = true;
			if (n < 0)
				c->out_len = c->out_off = 0; /* nobody will read it */
			break;
		}
		c->in_len += (size_t)n;
		handled += client_process(m, c);
	}
	if (c->fd >= 0)
		client_flush(m, c);
	return handled;
}

static void
accept_clients(struct vtep_mgmt *m)
{
	for (;;) {
		struct epoll_event ev = { .events = EPOLLIN };
		struct client *c = NULL;
		int fd = accept4(m->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		for (unsigned int i = 0; i < m->p.max_clients && c == NULL; i++)
			if (m->clients[i].fd < 0)
				c = &m->clients[i];
		if (c == NULL) {
			char msg[160];
			int len = snprintf(msg, sizeof(msg), "{\"jsonrpc\":\"2.0\",\"id\":null,"
					   "\"error\":{\"code\":%d,\"message\":\"too many clients "
					   "(limit %u)\"}}\n", VTEP_MGMT_E_FAILED, m->p.max_clients);

			if (send(fd, msg, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				VTEP_LOG(CTL, DEBUG, "management: rejected client gone");
			close(fd);
			m->st.rejected++;
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		ev.data.u32 = (uint32_t)(c - m->clients);
		if (epoll_ctl(m->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			c->fd = -1;
			continue;
		}
		m->st.accepted++;
		m->st.clients++;
		VTEP_LOG(CTL, DEBUG, "management client connected");
	}
}

unsigned int
vtep_mgmt_poll(struct vtep_mgmt *m)
{
	struct epoll_event evs[MGMT_EVENTS];
	unsigned int handled = 0;
	int n;

	if (m == NULL)
		return 0;
	n = epoll_wait(m->ep, evs, MGMT_EVENTS, 0);
	for (int i = 0; i < n; i++) {
		struct client *c;

		if (evs[i].data.u32 == MGMT_LISTENER) {
			accept_clients(m);
			continue;
		}
		c = &m->clients[evs[i].data.u32];
		if (c->fd < 0)
			continue;
		if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			handled += client_read(m, c);
		else if (evs[i].events & EPOLLOUT)
			client_flush(m, c);
	}
	return handled;
}

void
vtep_mgmt_get_stats(const struct vtep_mgmt *m, struct vtep_mgmt_stats *st)
{
	*st = m->st;
}

void
vtep_mgmt_free(struct vtep_mgmt *m)
{
	struct stat st;

	if (m == NULL)
		return;
	for (unsigned int i = 0; i < m->p.max_clients; i++) {
		m->clients[i].closing = true;
		client_close(m, &m->clients[i]);
	}
	close(m->lfd);
	close(m->ep);
	if (stat(m->path, &st) == 0 && st.st_ino == m->ino)
		unlink(m->path);
	free(m->clients);
	free(m);
}
