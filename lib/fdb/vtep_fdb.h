/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The forwarding database: (VLAN, MAC) -> port index, learned with aging, plus static
 * entries that never age and are never overridden by learning.
 *
 * Concurrency: one writer (the control thread) and any number of lock-free readers (the
 * workers), on an rte_hash with RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF. Each key maps to a
 * slot in a fixed array holding port, flags and last-seen time; deleted keys and slots are
 * recycled only after an rte_rcu_qsbr grace period (vtep_fdb_reclaim()), so a reader that
 * found a slot keeps reading valid memory until its next quiescent state. Readers may
 * refresh the last-seen time of an entry (vtep_fdb_touch()); everything else is the
 * writer's. Workers ask the control thread to learn or move entries through a ring.
 *
 * Time is passed in by the caller (seconds), so tests drive aging with their own clock.
 */
#ifndef VTEP_FDB_H
#define VTEP_FDB_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_hash.h>
#include <rte_rcu_qsbr.h>

#include "vtep_pkt.h"

struct vtep_fdb;

/** No entry / lookup miss marker in lookup results. */
#define VTEP_FDB_MISS UINT32_MAX

struct vtep_fdb_params {
	const char *name;           /* unique per process (rte_hash name) */
	uint32_t capacity;          /* entries; default 131072 when 0 */
	uint32_t aging_s;           /* dynamic entries idle this long are removed (default 300) */
	int socket_id;
	struct rte_rcu_qsbr *qsbr;  /* readers' QSBR variable; NULL if no concurrent readers */
};

/** One entry as reported by vtep_fdb_iterate(). */
struct vtep_fdb_entry {
	uint16_t vlan;
	uint8_t mac[6];
	uint16_t port;
	bool is_static;
	uint32_t age_s;             /* seconds since last seen (0 for static) */
};

/** Per-slot data; readers use port and last_seen. */
struct vtep_fdb_slot {
	uint64_t key;
	uint32_t last_seen;
	uint16_t port;
	uint8_t is_static;
	uint8_t in_use;
};

/** Result of vtep_fdb_learn(). */
enum vtep_fdb_learn_result {
	VTEP_FDB_LEARNED = 0,   /* new entry */
	VTEP_FDB_MOVED,         /* existing dynamic entry now points at another port */
	VTEP_FDB_REFRESHED,     /* same port; last-seen updated */
	VTEP_FDB_STATIC_KEPT,   /* a static entry exists; not changed */
};

/** Create an empty FDB. @return 0, -EINVAL, -ENOMEM or -EEXIST (name in use). */
int vtep_fdb_create(const struct vtep_fdb_params *p, struct vtep_fdb **out);
/** Free the table. Readers must be gone. NULL is a no-op. */
void vtep_fdb_free(struct vtep_fdb *fdb);

/** Change the aging time (takes effect at the next vtep_fdb_age()). */
void vtep_fdb_set_aging(struct vtep_fdb *fdb, uint32_t aging_s);
uint32_t vtep_fdb_get_aging(const struct vtep_fdb *fdb);

/**
 * Learn @p mac on @p vlan at @p port (writer only).
 * @return an enum vtep_fdb_learn_result, -ENOSPC when full, -EINVAL for a group MAC.
 */
int vtep_fdb_learn(struct vtep_fdb *fdb, uint16_t vlan, const uint8_t mac[6], uint16_t port,
		   uint32_t now_s);

/** Add or replace a static entry (writer only). @return 0, -ENOSPC, -EINVAL. */
int vtep_fdb_add_static(struct vtep_fdb *fdb, uint16_t vlan, const uint8_t mac[6],
			uint16_t port);

/** Delete an entry, static or dynamic (writer only). @return 0 or -ENOENT. */
int vtep_fdb_del(struct vtep_fdb *fdb, uint16_t vlan, const uint8_t mac[6]);

/**
 * Delete entries matching the filters (writer only).
 * @param vlan  a VLAN, or -1 for any. @param port  a port index, or -1 for any.
 * @param include_static  also delete static entries.
 * @return entries deleted.
 */
unsigned int vtep_fdb_flush(struct vtep_fdb *fdb, int vlan, int port, bool include_static);

/** Remove dynamic entries not seen for the aging time (writer only). @return entries aged. */
unsigned int vtep_fdb_age(struct vtep_fdb *fdb, uint32_t now_s);

/** Recycle keys and slots whose grace period has passed (writer only). Call periodically. */
void vtep_fdb_reclaim(struct vtep_fdb *fdb);

/** Look up one entry (any thread). @return port index or VTEP_FDB_MISS. */
uint32_t vtep_fdb_lookup(const struct vtep_fdb *fdb, uint16_t vlan, const uint8_t mac[6]);

/**
 * Bulk lookup for the fast path (any thread): @p n <= 64 keys from vtep_l2_key().
 * @param slots out: slot index per key, or VTEP_FDB_MISS.
 */
void vtep_fdb_lookup_bulk(const struct vtep_fdb *fdb, const uint64_t *keys, unsigned int n,
			  uint32_t *slots);

/** The slot array (fast path reads slots[i].port / last_seen). */
struct vtep_fdb_slot *vtep_fdb_slots(const struct vtep_fdb *fdb);

/** Refresh the last-seen time of a slot (fast path; a plain store, no lock). */
static inline void
vtep_fdb_touch(struct vtep_fdb_slot *s, uint32_t now_s)
{
	if (s->last_seen != now_s)
		__atomic_store_n(&s->last_seen, now_s, __ATOMIC_RELAXED);
}

/**
 * Walk the entries (writer thread). Start with *iter = 0.
 * @return 1 with @p e filled, or 0 at the end.
 */
int vtep_fdb_iterate(const struct vtep_fdb *fdb, uint32_t *iter, uint32_t now_s,
		     struct vtep_fdb_entry *e);

/** Number of entries. */
uint32_t vtep_fdb_count(const struct vtep_fdb *fdb);

#endif
