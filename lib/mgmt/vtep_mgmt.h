/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Management: the JSON-RPC 2.0 server vtepctl talks to, the vtepsw method set on top of the
 * datapath, and the DPDK telemetry endpoints under /vtepsw/.
 *
 * Server (struct vtep_mgmt). A unix stream socket, polled from the control loop with
 * vtep_mgmt_poll(): one epoll_wait() with a zero timeout, then non-blocking accept, read
 * and write. It never blocks and never sleeps. Any number of clients (up to max_clients)
 * can be connected; each has its own input and output buffer, so requests split over many
 * reads, several requests in one read, and responses larger than the socket buffer are all
 * handled. Requests are JSON texts one after the other (any whitespace between them is
 * fine; newlines are not required); each response is one line of compact JSON ending in
 * '\n'. A request larger than max_request bytes gets an error and the connection is closed
 * once the error is written. A client that disconnects in the middle of a request is simply
 * dropped: nothing of its partial request runs.
 *
 * Errors follow JSON-RPC 2.0: parse error (-32700), invalid request (-32600), unknown
 * method (-32601), invalid params (-32602), and the application codes below. Every error
 * message is one line naming the problem. A request that fails changes nothing.
 *
 * Service (struct vtep_mgmt_service): the methods of vtepctl over a struct vtep_dp. Every
 * change is first checked as a whole new configuration with the config loader (so a change
 * is accepted only if the resulting file would load), then applied through the datapath's
 * core functions (vtep_dp_port_add(), ...), then the live model is exported and saved with
 * vtep_config_save() (temporary file, fsync, rename, fsync of the directory).
 *
 * Threading: vtep_mgmt_* and vtep_mgmt_service_* are control-thread only. The telemetry
 * callbacks run in DPDK's telemetry thread and take the model lock given to
 * vtep_mgmt_telemetry_register(); the control thread must hold the same lock whenever it
 * changes the model (vtep_dp_control(), vtep_mgmt_service_poll()).
 */
#ifndef VTEP_MGMT_H
#define VTEP_MGMT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "vtep_common.h"
#include "vtep_config.h"

struct vtep_dp;
struct vtep_mgmt;

/* JSON-RPC 2.0 error codes */
#define VTEP_MGMT_E_PARSE        (-32700) /**< not valid JSON */
#define VTEP_MGMT_E_REQUEST      (-32600) /**< not a valid request object, or too large */
#define VTEP_MGMT_E_METHOD       (-32601) /**< unknown method */
#define VTEP_MGMT_E_PARAMS       (-32602) /**< invalid params (type, range, syntax) */
#define VTEP_MGMT_E_INTERNAL     (-32603) /**< out of memory and the like */
/* application codes (-32000..-32099 are reserved for implementations) */
#define VTEP_MGMT_E_FAILED       (-32000) /**< the operation failed (message says why) */
#define VTEP_MGMT_E_NOT_FOUND    (-32001) /**< unknown port, tunnel, segment or entry */
#define VTEP_MGMT_E_EXISTS       (-32002) /**< duplicate name, VLAN, VNI, entry */
#define VTEP_MGMT_E_BUSY         (-32003) /**< still referenced (flood list, uplink) */
#define VTEP_MGMT_E_NOT_SAVED    (-32004) /**< applied, but the config file was not saved */

/** Longest error message of a method, including the NUL. */
#define VTEP_MGMT_ERR_MAX 512

/**
 * A method handler.
 * @param ctx    the server's ctx.
 * @param params the request's params (an object; an empty object when absent). Borrowed.
 * @param result out: on success, a new reference to the result (NULL means JSON null).
 * @param err    out: on failure, one line naming the problem.
 * @return 0, or a negative JSON-RPC error code (VTEP_MGMT_E_*).
 */
typedef int (*vtep_mgmt_handler)(void *ctx, json_t *params, json_t **result,
				 char err[VTEP_MGMT_ERR_MAX]);

struct vtep_mgmt_method {
	const char *name;
	vtep_mgmt_handler fn;
};

struct vtep_mgmt_params {
	const char *path;                 /* socket path (bound; the directory must exist) */
	unsigned int mode;                /* permissions of the socket file, e.g. 0660 */
	size_t max_request;               /* bytes per request; 0: 65536 */
	unsigned int max_clients;         /* 0: 64 */
	const struct vtep_mgmt_method *methods; /* table; must outlive the server */
	unsigned int n_methods;
	void *ctx;                        /* passed to every handler */
};

/** Totals since creation (for tests and the log). */
struct vtep_mgmt_stats {
	uint64_t accepted, rejected;      /* connections accepted / refused (max_clients) */
	uint64_t requests, errors;        /* requests handled / answered with an error */
	uint64_t dropped_partial;         /* clients that left in the middle of a request */
	unsigned int clients;             /* connected now */
};

/**
 * Create the socket and start listening. A stale socket file (no process accepts on it) is
 * replaced; a live one is an error (another instance runs).
 * @param err out: on failure "PATH: what failed: reason".
 * @return 0 or -errno.
 */
int vtep_mgmt_create(const struct vtep_mgmt_params *p, struct vtep_mgmt **out, char *err,
		     size_t errlen);

/**
 * Accept, read, run complete requests, write responses. Never blocks.
 * @return the number of requests handled.
 */
unsigned int vtep_mgmt_poll(struct vtep_mgmt *m);

/** Current totals. */
void vtep_mgmt_get_stats(const struct vtep_mgmt *m, struct vtep_mgmt_stats *st);

/** Close every connection, remove the socket file and free. NULL is a no-op. */
void vtep_mgmt_free(struct vtep_mgmt *m);

/* ------------------------------------------------------------------------------------ */

struct vtep_mgmt_service;

struct vtep_mgmt_service_params {
	struct vtep_dp *dp;
	const char *socket_path;          /* management socket */
	unsigned int socket_mode;         /* 0: 0660 */
	const char *config_path;          /* changes are saved here; NULL: not persisted */
	/* Parts of the configuration the datapath does not hold (OpenFlow controllers and
	 * listeners), written back unchanged. Copied; may be NULL. */
	const struct vtep_config *startup;
	unsigned int worker_lcores[VTEP_MAX_WORKERS]; /* lcore of each worker (pmd-stats-show) */
};

/**
 * Create the vtepctl service and its socket.
 * @return 0 or -errno with @p err set (one line).
 */
int vtep_mgmt_service_create(const struct vtep_mgmt_service_params *p,
			     struct vtep_mgmt_service **out, char *err, size_t errlen);

/** Serve pending requests (control thread, with the model lock held). */
unsigned int vtep_mgmt_service_poll(struct vtep_mgmt_service *s);

/** Close the socket and free. NULL is a no-op. */
void vtep_mgmt_service_free(struct vtep_mgmt_service *s);

/**
 * Run one method directly, as a request would (used by tests and the telemetry
 * endpoints). @return 0 or a VTEP_MGMT_E_* code.
 */
int vtep_mgmt_service_call(struct vtep_mgmt_service *s, const char *method, json_t *params,
			   json_t **result, char err[VTEP_MGMT_ERR_MAX]);

/* ------------------------------------------------------------------------------------ */

/**
 * Register the /vtepsw/ telemetry commands (once per process; after rte_eal_init()).
 * Callbacks read @p dp under @p lock.
 * @return 0 or -errno.
 */
int vtep_mgmt_telemetry_register(struct vtep_dp *dp, pthread_mutex_t *lock);

/** Stop serving telemetry from @p dp (call, holding the lock, before freeing it). */
void vtep_mgmt_telemetry_detach(void);

#endif
