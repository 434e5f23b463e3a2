/* SPDX-License-Identifier: BSD-3-Clause */
/* The FDB: rte_hash (lock-free readers) + slot array + deferred reclamation. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "vtep_fdb.h"

/* A key position and slot freed by a writer, reusable once token has been observed. */
struct fdb_deferred {
	uint64_t token;
	int32_t pos;
	uint32_t slot;
};

struct vtep_fdb {
	struct rte_hash *h;
	struct rte_rcu_qsbr *qsbr;
	struct vtep_fdb_slot *slots;
	uint32_t capacity;
	uint32_t aging_s;
	uint32_t count;
	/* free slot stack */
	uint32_t *free_slots;
	uint32_t n_free;
	/* deferred frees, a FIFO ring of capacity entries */
	struct fdb_deferred *dq;
	uint32_t dq_head, dq_len;
};

static uint32_t
fdb_hash(const void *key, uint32_t key_len, uint32_t init)
{
	(void)key_len;
	return rte_hash_crc_8byte(*(const uint64_t *)key, init);
}

int
vtep_fdb_create(const struct vtep_fdb_params *p, struct vtep_fdb **out)
{
	struct rte_hash_parameters hp = { 0 };
	struct vtep_fdb *fdb;
	uint32_t cap;

	if (p == NULL || out == NULL || p->name == NULL)
		return -EINVAL;
	cap = p->capacity ? p->capacity : 131072;
	if (cap < 8)
		return -EINVAL;
	fdb = rte_zmalloc_socket("vtep_fdb", sizeof(*fdb), RTE_CACHE_LINE_SIZE, p->socket_id);
	if (fdb == NULL)
		return -ENOMEM;
	fdb->capacity = cap;
	fdb->aging_s = p->aging_s ? p->aging_s : 300;
	fdb->qsbr = p->qsbr;

	hp.name = p->name;
	hp.entries = cap;
	hp.key_len = sizeof(uint64_t);
	hp.hash_func = fdb_hash;
	hp.socket_id = p->socket_id;
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
	fdb->h = rte_hash_create(&hp);
	if (fdb->h == NULL) {
		int err = rte_errno == EEXIST ? -EEXIST : -ENOMEM;

		rte_free(fdb);
		return err;
	}
	fdb->slots = rte_zmalloc_socket("vtep_fdb_slots", sizeof(*fdb->slots) * cap,
					RTE_CACHE_LINE_SIZE, p->socket_id);
	fdb->free_slots = rte_malloc_socket("vtep_fdb_free", sizeof(uint32_t) * cap, 0,
					    p->socket_id);
	fdb->dq = rte_malloc_socket("vtep_fdb_dq", sizeof(*fdb->dq) * cap, 0, p->socket_id);
	if (fdb->slots == NULL || fdb->free_slots == NULL || fdb->dq == NULL) {
		vtep_fdb_free(fdb);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < cap; i++)
		fdb->free_slots[i] = cap - 1 - i;
	fdb->n_free = cap;
	*out = fdb;
	return 0;
}

void
vtep_fdb_free(struct vtep_fdb *fdb)
{
	if (fdb == NULL)
		return;
	rte_hash_free(fdb->h);
	rte_free(fdb->slots);
	rte_free(fdb->free_slots);
	rte_free(fdb->dq);
	rte_free(fdb);
}

void
vtep_fdb_set_aging(struct vtep_fdb *fdb, uint32_t aging_s)
{
	fdb->aging_s = aging_s ? aging_s : 300;
}

uint32_t
vtep_fdb_get_aging(const struct vtep_fdb *fdb)
{
	return fdb->aging_s;
}

void
vtep_fdb_reclaim(struct vtep_fdb *fdb)
{
	while (fdb->dq_len > 0) {
		struct fdb_deferred *d = &fdb->dq[fdb->dq_head];

		if (fdb->qsbr != NULL && rte_rcu_qsbr_check(fdb->qsbr, d->token, false) != 1)
			break;
		rte_hash_free_key_with_position(fdb->h, d->pos);
		memset(&fdb->slots[d->slot], 0, sizeof(fdb->slots[d->slot]));
		fdb->free_slots[fdb->n_free++] = d->slot;
		fdb->dq_head = (fdb->dq_head + 1) % fdb->capacity;
		fdb->dq_len--;
	}
}

/* Look up the slot of a key (writer side). */
static int
fdb_find(const struct vtep_fdb *fdb, uint64_t key, uint32_t *slot)
{
	void *data;

	if (rte_hash_lookup_data(fdb->h, &key, &data) < 0)
		return -ENOENT;
	*slot = (uint32_t)(uintptr_t)data;
	return 0;
}

/* Insert a new key; the slot is fully written before the key becomes visible. */
static int
fdb_insert(struct vtep_fdb *fdb, uint64_t key, uint16_t port, bool is_static, uint32_t now_s)
{
	struct vtep_fdb_slot *s;
	uint32_t slot;
	int ret;

	if (fdb->n_free == 0)
		vtep_fdb_reclaim(fdb);
	if (fdb->n_free == 0)
		return -ENOSPC;
	slot = fdb->free_slots[--fdb->n_free];
	s = &fdb->slots[slot];
	s->key = key;
	s->port = port;
	s->is_static = is_static;
	s->last_seen = now_s;
	s->in_use = 1;
	ret = rte_hash_add_key_data(fdb->h, &key, (void *)(uintptr_t)slot);
	if (ret == -ENOSPC) {
		vtep_fdb_reclaim(fdb);
		ret = rte_hash_add_key_data(fdb->h, &key, (void *)(uintptr_t)slot);
	}
	if (ret < 0) {
		s->in_use = 0;
		fdb->free_slots[fdb->n_free++] = slot;
		return ret;
	}
	fdb->count++;
	return 0;
}

static int
fdb_remove(struct vtep_fdb *fdb, uint64_t key, uint32_t slot)
{
	int32_t pos = rte_hash_del_key(fdb->h, &key);
	struct fdb_deferred *d;

	if (pos < 0)
		return -ENOENT;
	fdb->slots[slot].in_use = 0;
	fdb->count--;
	d = &fdb->dq[(fdb->dq_head + fdb->dq_len) % fdb->capacity];
	d->pos = pos;
	d->slot = slot;
	d->token = fdb->qsbr != NULL ? rte_rcu_qsbr_start(fdb->qsbr) : 0;
	fdb->dq_len++;
	if (fdb->qsbr == NULL)
		vtep_fdb_reclaim(fdb);
	return 0;
}

int
vtep_fdb_learn(struct vtep_fdb *fdb, uint16_t vlan, const uint8_t mac[6], uint16_t port,
	       uint32_t now_s)
{
	uint64_t key = vtep_l2_key(vlan, mac);
	struct vtep_fdb_slot *s;
	uint32_t slot;
	int ret;

	if (vtep_mac_is_group(mac))
		return -EINVAL;
	if (fdb_find(fdb, key, &slot) < 0) {
		ret = fdb_insert(fdb, key, port, false, now_s);
		return ret < 0 ? ret : VTEP_FDB_LEARNED;
	}
	s = &fdb->slots[slot];
	if (s->is_static)
		return VTEP_FDB_STATIC_KEPT;
	__atomic_store_n(&s->last_seen, now_s, __ATOMIC_RELAXED);
	if (s->port == port)
		return VTEP_FDB_REFRESHED;
	__atomic_store_n(&s->port, port, __ATOMIC_RELEASE);
	return VTEP_FDB_MOVED;
}

int
vtep_fdb_add_static(struct vtep_fdb *fdb, uint16_t vlan, const uint8_t mac[6], uint16_t port)
{
	uint64_t key = vtep_l2_key(vlan, mac);
	uint32_t slot;

	if (vtep_mac_is_group(mac))
		return -EINVAL;
	if (fdb_find(fdb, key, &slot) == 0) {
		struct vtep_fdb_slot *s = &fdb->slots[slot];

		s->is_static = 1;
		__atomic_store_n(&s->port, port, __ATOMIC_RELEASE);
		return 0;
	}
	return fdb_insert(fdb, key, port, true, 0);
}

int
vtep_fdb_del(struct vtep_fdb *fdb, uint16_t vlan, const uint8_t mac[6])
{
	uint64_t key = vtep_l2_key(vlan, mac);
	uint32_t slot;

	if (fdb_find(fdb, key, &slot) < 0)
		return -ENOENT;
	return fdb_remove(fdb, key, slot);
}

unsigned int
vtep_fdb_flush(struct vtep_fdb *fdb, int vlan, int port, bool include_static)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i < fdb->capacity; i++) {
		struct vtep_fdb_slot *s = &fdb->slots[i];

		if (!s->in_use || (s->is_static && !include_static))
			continue;
		if (vlan >= 0 && (int)(s->key >> 48) != vlan)
			continue;
		if (port >= 0 && s->port != port)
			continue;
		if (fdb_remove(fdb, s->key, i) == 0)
			n++;
	}
	return n;
}

unsigned int
vtep_fdb_age(struct vtep_fdb *fdb, uint32_t now_s)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i < fdb->capacity; i++) {
		struct vtep_fdb_slot *s = &fdb->slots[i];
		uint32_t seen;

		if (!s->in_use || s->is_static)
			continue;
		seen = __atomic_load_n(&s->last_seen, __ATOMIC_RELAXED);
		if ((int32_t)(now_s - seen) >= (int32_t)fdb->aging_s && fdb_remove(fdb, s->key, i) == 0)
			n++;
	}
	vtep_fdb_reclaim(fdb);
	return n;
}

uint32_t
vtep_fdb_lookup(const struct vtep_fdb *fdb, uint16_t vlan, const uint8_t mac[6])
{
	uint64_t key = vtep_l2_key(vlan, mac);
	uint32_t slot;

	if (fdb_find(fdb, key, &slot) < 0)
		return VTEP_FDB_MISS;
	return __atomic_load_n(&fdb->slots[slot].port, __ATOMIC_ACQUIRE);
}

void
vtep_fdb_lookup_bulk(const struct vtep_fdb *fdb, const uint64_t *keys, unsigned int n,
		     uint32_t *slots)
{
	const void *kp[RTE_HASH_LOOKUP_BULK_MAX];
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	uint64_t hits = 0;

	if (n == 0)
		return;
	for (unsigned int i = 0; i < n; i++)
		kp[i] = &keys[i];
	rte_hash_lookup_bulk_data(fdb->h, kp, n, &hits, data);
	for (unsigned int i = 0; i < n; i++)
		slots[i] = (hits >> i) & 1 ? (uint32_t)(uintptr_t)data[i] : VTEP_FDB_MISS;
}

struct vtep_fdb_slot *
vtep_fdb_slots(const struct vtep_fdb *fdb)
{
	return fdb->slots;
}

int
vtep_fdb_iterate(const struct vtep_fdb *fdb, uint32_t *iter, uint32_t now_s,
		 struct vtep_fdb_entry *e)
{
	for (; *iter < fdb->capacity; (*iter)++) {
		const struct vtep_fdb_slot *s = &fdb->slots[*iter];

		if (!s->in_use)
			continue;
		e->vlan = (uint16_t)(s->key >> 48);
		for (int b = 0; b < 6; b++)
			e->mac[b] = (uint8_t)(s->key >> (40 - 8 * b));
		e->port = s->port;
		e->is_static = s->is_static;
		e->age_s = s->is_static || (int32_t)(now_s - s->last_seen) < 0 ? 0 :
			   now_s - s->last_seen;
		(*iter)++;
		return 1;
	}
	return 0;
}

uint32_t
vtep_fdb_count(const struct vtep_fdb *fdb)
{
	return fdb->count;
}
