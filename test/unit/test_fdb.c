/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the FDB: learning, aging on a test clock, capacity, QSBR reclamation, model. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "vtep_test.h"
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "vtep_common.h"
#include "vtep_fdb.h"

/* The test clock (seconds); tests move it forward by hand. */
static uint32_t now;

/* A fresh table name per FDB (rte_hash names are process-wide). */
static const char *
fdb_name(void)
{
	static char name[32];
	static unsigned int seq;

	snprintf(name, sizeof(name), "ckfdb%u", seq++);
	return name;
}

static struct vtep_fdb *
mk_fdb(uint32_t capacity, uint32_t aging_s, struct rte_rcu_qsbr *qsbr)
{
	struct vtep_fdb_params p = {
		.name = fdb_name(),
		.capacity = capacity,
		.aging_s = aging_s,
		.socket_id = SOCKET_ID_ANY,
		.qsbr = qsbr,
	};
	struct vtep_fdb *fdb = NULL;

	ck_assert_int_eq(vtep_fdb_create(&p, &fdb), 0);
	ck_assert_ptr_nonnull(fdb);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 0);
	return fdb;
}

/* A unicast MAC numbered @p n. */
static void
mac_of(uint32_t n, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x00;
	mac[2] = (uint8_t)(n >> 24);
	mac[3] = (uint8_t)(n >> 16);
	mac[4] = (uint8_t)(n >> 8);
	mac[5] = (uint8_t)n;
}

/* Slot index of (vlan, mac) via the fast-path bulk lookup, or VTEP_FDB_MISS. */
static uint32_t
slot_of(const struct vtep_fdb *fdb, uint16_t vlan, const uint8_t mac[6])
{
	uint64_t key = vtep_l2_key(vlan, mac);
	uint32_t slot = 0;

	vtep_fdb_lookup_bulk(fdb, &key, 1, &slot);
	return slot;
}

/* Number of entries the iterator returns. */
static uint32_t
iter_count(const struct vtep_fdb *fdb)
{
	struct vtep_fdb_entry e;
	uint32_t it = 0, n = 0;

	while (vtep_fdb_iterate(fdb, &it, now, &e) == 1)
		n++;
	return n;
}

static const uint8_t mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };
static const uint8_t mac_c[6] = { 0x00, 0x1b, 0x21, 0x00, 0x00, 0x0c };

START_TEST(test_create_params)
{
	struct vtep_fdb_params p = { .name = "ckfdb_dup", .capacity = 64 };
	struct vtep_fdb *fdb = NULL, *other = NULL;

	ck_assert_int_eq(vtep_fdb_create(NULL, &fdb), -EINVAL);
	ck_assert_int_eq(vtep_fdb_create(&p, NULL), -EINVAL);
	p.name = NULL;
	ck_assert_int_eq(vtep_fdb_create(&p, &fdb), -EINVAL);
	p.name = "ckfdb_small";
	p.capacity = 4;
	ck_assert_int_eq(vtep_fdb_create(&p, &fdb), -EINVAL);
	p.name = "ckfdb_dup";
	p.capacity = 64;
	ck_assert_int_eq(vtep_fdb_create(&p, &fdb), 0);
	/* DPDK logs "RING: Cannot reserve memory" / "HASH: memory allocation failed" here. */
	ck_assert_int_eq(vtep_fdb_create(&p, &other), -EEXIST);
	ck_assert_ptr_null(other);
	/* Aging defaults to 300 s, and 0 means the default. */
	ck_assert_uint_eq(vtep_fdb_get_aging(fdb), 300);
	vtep_fdb_set_aging(fdb, 17);
	ck_assert_uint_eq(vtep_fdb_get_aging(fdb), 17);
	vtep_fdb_set_aging(fdb, 0);
	ck_assert_uint_eq(vtep_fdb_get_aging(fdb), 300);
	vtep_fdb_free(fdb);
	vtep_fdb_free(NULL);
	/* The name is free again once the table is gone. */
	ck_assert_int_eq(vtep_fdb_create(&p, &fdb), 0);
	vtep_fdb_free(fdb);
}
END_TEST

START_TEST(test_learn)
{
	struct vtep_fdb *fdb = mk_fdb(64, 10, NULL);

	now = 1000;
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), VTEP_FDB_MISS);
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_a, 3, now), VTEP_FDB_LEARNED);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), 3);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 1);
	/* Other MAC, other VLAN: misses. */
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_b), VTEP_FDB_MISS);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 11, mac_a), VTEP_FDB_MISS);
	/* Port 0 is a port like any other. */
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_c, 0, now), VTEP_FDB_LEARNED);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_c), 0);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 2);
	vtep_fdb_free(fdb);
}
END_TEST

START_TEST(test_refresh)
{
	struct vtep_fdb *fdb = mk_fdb(64, 10, NULL);
	struct vtep_fdb_entry e;
	uint32_t it = 0;

	now = 1000;
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_a, 3, now), VTEP_FDB_LEARNED);
	now = 1008;
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_a, 3, now), VTEP_FDB_REFRESHED);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 1);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), 3);
	ck_assert_int_eq(vtep_fdb_iterate(fdb, &it, now + 1, &e), 1);
	ck_assert_uint_eq(e.age_s, 1);
	/* The refresh restarted the aging timer. */
	ck_assert_uint_eq(vtep_fdb_age(fdb, 1010), 0);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), 3);
	ck_assert_uint_eq(vtep_fdb_age(fdb, 1018), 1);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), VTEP_FDB_MISS);
	vtep_fdb_free(fdb);
}
END_TEST

START_TEST(test_move)
{
	struct vtep_fdb *fdb = mk_fdb(64, 10, NULL);

	now = 1000;
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_a, 3, now), VTEP_FDB_LEARNED);
	now = 1005;
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_a, 4, now), VTEP_FDB_MOVED);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), 4);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 1);
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_a, 4, now), VTEP_FDB_REFRESHED);
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_a, 3, now), VTEP_FDB_MOVED);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), 3);
	/* A move refreshes too. */
	ck_assert_uint_eq(vtep_fdb_age(fdb, 1014), 0);
	ck_assert_uint_eq(vtep_fdb_age(fdb, 1015), 1);
	vtep_fdb_free(fdb);
}
END_TEST

START_TEST(test_group_mac)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mc[6] = { 0x01, 0x00, 0x5e, 0x01, 0x02, 0x03 };
	struct vtep_fdb *fdb = mk_fdb(64, 10, NULL);

	now = 1000;
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, bcast, 1, now), -EINVAL);
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mc, 1, now), -EINVAL);
	ck_assert_int_eq(vtep_fdb_add_static(fdb, 10, mc, 1), -EINVAL);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 0);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mc), VTEP_FDB_MISS);
	ck_assert_uint_eq(iter_count(fdb), 0);
	vtep_fdb_free(fdb);
}
END_TEST

START_TEST(test_static)
{
	struct vtep_fdb *fdb = mk_fdb(64, 10, NULL);
	struct vtep_fdb_entry e;
	uint32_t it = 0;

	now = 1000;
	ck_assert_int_eq(vtep_fdb_add_static(fdb, 10, mac_a, 7), 0);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), 7);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 1);
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_a, 2, now), VTEP_FDB_STATIC_KEPT);
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_a, 7, now), VTEP_FDB_STATIC_KEPT);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), 7);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 1);
	/* Never aged, however late. */
	ck_assert_uint_eq(vtep_fdb_age(fdb, now + 10), 0);
	ck_assert_uint_eq(vtep_fdb_age(fdb, now + 1000000), 0);
	ck_assert_uint_eq(vtep_fdb_age(fdb, UINT32_MAX), 0);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), 7);
	ck_assert_int_eq(vtep_fdb_iterate(fdb, &it, now + 1000000, &e), 1);
	ck_assert(e.is_static);
	ck_assert_uint_eq(e.age_s, 0);
	ck_assert_uint_eq(e.port, 7);
	/* Replacing a static entry changes its port, not the count. */
	ck_assert_int_eq(vtep_fdb_add_static(fdb, 10, mac_a, 8), 0);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), 8);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 1);
	/* A learned entry made static stops aging and stops moving. */
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_b, 1, now), VTEP_FDB_LEARNED);
	ck_assert_int_eq(vtep_fdb_add_static(fdb, 10, mac_b, 5), 0);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 2);
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_b, 1, now), VTEP_FDB_STATIC_KEPT);
	ck_assert_uint_eq(vtep_fdb_age(fdb, now + 100), 0);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_b), 5);
	/* Deleting a static entry lets learning take the key again. */
	ck_assert_int_eq(vtep_fdb_del(fdb, 10, mac_a), 0);
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_a, 2, now), VTEP_FDB_LEARNED);
	ck_assert_uint_eq(vtep_fdb_age(fdb, now + 10), 1);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), VTEP_FDB_MISS);
	vtep_fdb_free(fdb);
}
END_TEST

START_TEST(test_aging_boundary)
{
	struct vtep_fdb *fdb = mk_fdb(64, 10, NULL);

	now = 500;
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_a, 1, now), VTEP_FDB_LEARNED);
	now = 503;
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_b, 2, now), VTEP_FDB_LEARNED);
	ck_assert_uint_eq(vtep_fdb_age(fdb, 500), 0);
	ck_assert_uint_eq(vtep_fdb_age(fdb, 500 + 10 - 1), 0);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 2);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), 1);
	/* Exactly aging_s after it was last seen, mac_a goes; mac_b stays. */
	ck_assert_uint_eq(vtep_fdb_age(fdb, 500 + 10), 1);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), VTEP_FDB_MISS);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_b), 2);
	ck_assert_uint_eq(vtep_fdb_age(fdb, 503 + 10 - 1), 0);
	ck_assert_uint_eq(vtep_fdb_age(fdb, 503 + 10), 1);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 0);
	ck_assert_uint_eq(iter_count(fdb), 0);
	/* A new aging time applies to entries already there. */
	now = 600;
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_a, 1, now), VTEP_FDB_LEARNED);
	vtep_fdb_set_aging(fdb, 3);
	ck_assert_uint_eq(vtep_fdb_age(fdb, 602), 0);
	ck_assert_uint_eq(vtep_fdb_age(fdb, 603), 1);
	/* A clock that has not moved ages nothing. */
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_a, 1, now), VTEP_FDB_LEARNED);
	ck_assert_uint_eq(vtep_fdb_age(fdb, now), 0);
	vtep_fdb_free(fdb);
}
END_TEST

START_TEST(test_touch)
{
	struct vtep_fdb *fdb = mk_fdb(64, 10, NULL);
	struct vtep_fdb_slot *slots = vtep_fdb_slots(fdb);
	uint32_t slot;

	now = 100;
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_a, 6, now), VTEP_FDB_LEARNED);
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_b, 7, now), VTEP_FDB_LEARNED);
	slot = slot_of(fdb, 10, mac_a);
	ck_assert_uint_ne(slot, VTEP_FDB_MISS);
	ck_assert_uint_eq(slots[slot].port, 6);
	ck_assert_uint_eq(slots[slot].last_seen, 100);
	ck_assert_uint_eq(slots[slot].key, vtep_l2_key(10, mac_a));
	/* The fast path saw mac_a at 105: it outlives mac_b. */
	vtep_fdb_touch(&slots[slot], 105);
	ck_assert_uint_eq(slots[slot].last_seen, 105);
	ck_assert_uint_eq(vtep_fdb_age(fdb, 110), 1);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), 6);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_b), VTEP_FDB_MISS);
	ck_assert_uint_eq(vtep_fdb_age(fdb, 114), 0);
	vtep_fdb_touch(&slots[slot], 114);
	ck_assert_uint_eq(vtep_fdb_age(fdb, 123), 0);
	ck_assert_uint_eq(vtep_fdb_age(fdb, 124), 1);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 0);
	vtep_fdb_free(fdb);
}
END_TEST

START_TEST(test_lookup_bulk)
{
	struct vtep_fdb *fdb = mk_fdb(256, 10, NULL);
	struct vtep_fdb_slot *slots = vtep_fdb_slots(fdb);
	uint64_t keys[64];
	uint32_t res[64];
	uint8_t mac[6];

	now = 100;
	/* Even MACs learned, odd MACs not. */
	for (uint32_t i = 0; i < 64; i++) {
		mac_of(i, mac);
		keys[i] = vtep_l2_key(20, mac);
		if (i % 2 == 0)
			ck_assert_int_eq(vtep_fdb_learn(fdb, 20, mac, (uint16_t)i, now),
					 VTEP_FDB_LEARNED);
	}
	memset(res, 0xa5, sizeof(res));
	vtep_fdb_lookup_bulk(fdb, keys, 64, res);
	for (uint32_t i = 0; i < 64; i++) {
		if (i % 2 == 0) {
			ck_assert_uint_ne(res[i], VTEP_FDB_MISS);
			ck_assert_uint_lt(res[i], 256);
			ck_assert_uint_eq(slots[res[i]].port, i);
			ck_assert_uint_eq(slots[res[i]].key, keys[i]);
		} else {
			ck_assert_uint_eq(res[i], VTEP_FDB_MISS);
		}
	}
	/* n == 0 writes nothing. */
	res[0] = 42;
	vtep_fdb_lookup_bulk(fdb, keys, 0, res);
	ck_assert_uint_eq(res[0], 42);
	vtep_fdb_free(fdb);
}
END_TEST

START_TEST(test_vlans_independent)
{
	struct vtep_fdb *fdb = mk_fdb(64, 10, NULL);

	now = 100;
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_a, 1, now), VTEP_FDB_LEARNED);
	ck_assert_int_eq(vtep_fdb_learn(fdb, 20, mac_a, 2, now + 5), VTEP_FDB_LEARNED);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 2);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), 1);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 20, mac_a), 2);
	/* A move on one VLAN leaves the other alone. */
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_a, 3, now), VTEP_FDB_MOVED);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 20, mac_a), 2);
	/* So does aging. */
	ck_assert_uint_eq(vtep_fdb_age(fdb, now + 10), 1);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), VTEP_FDB_MISS);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 20, mac_a), 2);
	/* And deletion. */
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_a, 1, now + 10), VTEP_FDB_LEARNED);
	ck_assert_int_eq(vtep_fdb_del(fdb, 20, mac_a), 0);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), 1);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 20, mac_a), VTEP_FDB_MISS);
	/* VLAN 0 and 4095 are keys like any other. */
	ck_assert_int_eq(vtep_fdb_learn(fdb, 0, mac_a, 9, now), VTEP_FDB_LEARNED);
	ck_assert_int_eq(vtep_fdb_learn(fdb, 4095, mac_a, 8, now), VTEP_FDB_LEARNED);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 0, mac_a), 9);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 4095, mac_a), 8);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), 1);
	vtep_fdb_free(fdb);
}
END_TEST

/* 3 VLANs x 2 ports x 4 MACs dynamic, plus a static entry per VLAN on port 1. */
static void
flush_fill(struct vtep_fdb *fdb)
{
	static const uint16_t vlans[] = { 10, 20, 30 };
	uint8_t mac[6];

	for (unsigned int v = 0; v < 3; v++) {
		for (uint32_t i = 0; i < 8; i++) {
			mac_of(i, mac);
			ck_assert_int_eq(vtep_fdb_learn(fdb, vlans[v], mac, 1 + i % 2, now),
					 VTEP_FDB_LEARNED);
		}
		mac_of(100, mac);
		ck_assert_int_eq(vtep_fdb_add_static(fdb, vlans[v], mac, 1), 0);
	}
	ck_assert_uint_eq(vtep_fdb_count(fdb), 27);
}

START_TEST(test_flush)
{
	struct vtep_fdb *fdb = mk_fdb(128, 10, NULL);
	struct vtep_fdb_entry e;
	uint32_t it;
	uint8_t mac[6];

	now = 100;
	flush_fill(fdb);
	ck_assert_uint_eq(vtep_fdb_flush(fdb, 10, -1, false), 8);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 19);
	mac_of(0, mac);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac), VTEP_FDB_MISS);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 20, mac), 1);
	mac_of(100, mac);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac), 1);
	/* Nothing left there but the static entry. */
	ck_assert_uint_eq(vtep_fdb_flush(fdb, 10, -1, false), 0);
	/* By port: port 2 on every VLAN (static entries are on port 1). */
	ck_assert_uint_eq(vtep_fdb_flush(fdb, -1, 2, false), 8);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 11);
	it = 0;
	while (vtep_fdb_iterate(fdb, &it, now, &e) == 1)
		ck_assert_uint_ne(e.port, 2);
	/* VLAN and port together. */
	ck_assert_uint_eq(vtep_fdb_flush(fdb, 20, 1, false), 4);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 7);
	/* With static entries: VLAN 20 keeps nothing. */
	ck_assert_uint_eq(vtep_fdb_flush(fdb, 20, -1, true), 1);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 20, mac), VTEP_FDB_MISS);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 6);
	/* Everything dynamic, then everything. */
	ck_assert_uint_eq(vtep_fdb_flush(fdb, -1, -1, false), 4);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 2);
	ck_assert_uint_eq(vtep_fdb_flush(fdb, -1, -1, true), 2);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 0);
	ck_assert_uint_eq(iter_count(fdb), 0);
	/* A VLAN or port that matches nothing. */
	flush_fill(fdb);
	ck_assert_uint_eq(vtep_fdb_flush(fdb, 99, -1, true), 0);
	ck_assert_uint_eq(vtep_fdb_flush(fdb, -1, 99, true), 0);
	ck_assert_uint_eq(vtep_fdb_flush(fdb, -1, 1, true), 15);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 12);
	vtep_fdb_free(fdb);
}
END_TEST

START_TEST(test_delete)
{
	struct vtep_fdb *fdb = mk_fdb(64, 10, NULL);

	now = 100;
	ck_assert_int_eq(vtep_fdb_del(fdb, 10, mac_a), -ENOENT);
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_a, 1, now), VTEP_FDB_LEARNED);
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_b, 2, now), VTEP_FDB_LEARNED);
	ck_assert_int_eq(vtep_fdb_add_static(fdb, 10, mac_c, 3), 0);
	ck_assert_int_eq(vtep_fdb_del(fdb, 11, mac_a), -ENOENT);
	ck_assert_int_eq(vtep_fdb_del(fdb, 10, mac_a), 0);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), VTEP_FDB_MISS);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_b), 2);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 2);
	ck_assert_int_eq(vtep_fdb_del(fdb, 10, mac_a), -ENOENT);
	ck_assert_int_eq(vtep_fdb_del(fdb, 10, mac_c), 0);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_c), VTEP_FDB_MISS);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 1);
	ck_assert_uint_eq(iter_count(fdb), 1);
	/* Relearning a deleted key is a new entry. */
	ck_assert_int_eq(vtep_fdb_learn(fdb, 10, mac_a, 4, now), VTEP_FDB_LEARNED);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 10, mac_a), 4);
	vtep_fdb_free(fdb);
}
END_TEST

/* Learn MACs first..first+n-1 on VLAN 1; return how many went in before -ENOSPC. */
static uint32_t
fill(struct vtep_fdb *fdb, uint32_t first, uint32_t n)
{
	uint8_t mac[6];
	uint32_t i;
	int ret;

	for (i = 0; i < n; i++) {
		mac_of(first + i, mac);
		ret = vtep_fdb_learn(fdb, 1, mac, (uint16_t)(i % 8), now);
		if (ret == -ENOSPC)
			break;
		ck_assert_int_eq(ret, VTEP_FDB_LEARNED);
	}
	return i;
}

START_TEST(test_capacity)
{
	struct vtep_fdb *fdb = mk_fdb(64, 10, NULL);
	uint8_t mac[6];

	now = 100;
	ck_assert_uint_eq(fill(fdb, 0, 1000), 64);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 64);
	mac_of(5000, mac);
	ck_assert_int_eq(vtep_fdb_learn(fdb, 1, mac, 1, now), -ENOSPC);
	ck_assert_int_eq(vtep_fdb_add_static(fdb, 1, mac, 1), -ENOSPC);
	ck_assert_uint_eq(vtep_fdb_lookup(fdb, 1, mac), VTEP_FDB_MISS);
	/* Existing entries still refresh, move and go static when full. */
	mac_of(3, mac);
	ck_assert_int_eq(vtep_fdb_learn(fdb, 1, mac, 3, now), VTEP_FDB_REFRESHED);
	ck_assert_int_eq(vtep_fdb_learn(fdb, 1, mac, 4, now), VTEP_FDB_MOVED);
	ck_assert_int_eq(vtep_fdb_add_static(fdb, 1, mac, 4), 0);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 64);
	/* Five deletions make room for exactly five. */
	for (uint32_t i = 10; i < 15; i++) {
		mac_of(i, mac);
		ck_assert_int_eq(vtep_fdb_del(fdb, 1, mac), 0);
	}
	vtep_fdb_reclaim(fdb);
	ck_assert_uint_eq(fill(fdb, 2000, 1000), 5);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 64);
	/* Aging frees room too (the static entry stays). */
	ck_assert_uint_eq(vtep_fdb_age(fdb, now + 10), 63);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 1);
	ck_assert_uint_eq(fill(fdb, 3000, 1000), 63);
	ck_assert_uint_eq(vtep_fdb_flush(fdb, -1, -1, true), 64);
	ck_assert_uint_eq(fill(fdb, 4000, 1000), 64);
	vtep_fdb_free(fdb);
}
END_TEST

START_TEST(test_qsbr_grace_period)
{
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	struct rte_rcu_qsbr *v = rte_zmalloc("ckfdb_qsbr", sz, RTE_CACHE_LINE_SIZE);
	struct vtep_fdb *fdb;
	struct vtep_fdb_slot *slots;
	uint32_t old[10];
	uint8_t mac[6];

	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(rte_rcu_qsbr_init(v, 1), 0);
	ck_assert_int_eq(rte_rcu_qsbr_thread_register(v, 0), 0);
	rte_rcu_qsbr_thread_online(v, 0);
	fdb = mk_fdb(64, 10, v);
	slots = vtep_fdb_slots(fdb);

	now = 100;
	ck_assert_uint_eq(fill(fdb, 0, 10), 10);
	for (uint32_t i = 0; i < 10; i++) {
		mac_of(i, mac);
		old[i] = slot_of(fdb, 1, mac);
		ck_assert_uint_ne(old[i], VTEP_FDB_MISS);
	}
	/* The reader may still hold these slots: delete them all. */
	ck_assert_uint_eq(vtep_fdb_flush(fdb, -1, -1, true), 10);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 0);
	vtep_fdb_reclaim(fdb);
	/* Their contents stay as the reader saw them... */
	for (uint32_t i = 0; i < 10; i++) {
		mac_of(i, mac);
		ck_assert_uint_eq(vtep_fdb_lookup(fdb, 1, mac), VTEP_FDB_MISS);
		ck_assert_uint_eq(slots[old[i]].key, vtep_l2_key(1, mac));
		ck_assert_uint_eq(slots[old[i]].port, i % 8);
	}
	/* ...and the other 54 slots fill up without reusing them. */
	ck_assert_uint_eq(fill(fdb, 100, 1000), 54);
	for (uint32_t i = 0; i < 54; i++) {
		uint32_t s;

		mac_of(100 + i, mac);
		s = slot_of(fdb, 1, mac);
		ck_assert_uint_ne(s, VTEP_FDB_MISS);
		for (uint32_t j = 0; j < 10; j++)
			ck_assert_uint_ne(s, old[j]);
	}
	vtep_fdb_reclaim(fdb);
	ck_assert_uint_eq(fill(fdb, 200, 1000), 0);
	/* Deleting more while the reader is still inside does not help either. */
	mac_of(100, mac);
	ck_assert_int_eq(vtep_fdb_del(fdb, 1, mac), 0);
	ck_assert_uint_eq(vtep_fdb_age(fdb, now), 0);
	ck_assert_uint_eq(fill(fdb, 300, 1000), 0);
	/* The reader reports a quiescent state: all 11 come back. */
	rte_rcu_qsbr_quiescent(v, 0);
	vtep_fdb_reclaim(fdb);
	ck_assert_uint_eq(fill(fdb, 400, 1000), 11);
	ck_assert_uint_eq(vtep_fdb_count(fdb), 64);
	/* Without the explicit reclaim, a full table reclaims on insert. */
	mac_of(101, mac);
	ck_assert_int_eq(vtep_fdb_del(fdb, 1, mac), 0);
	ck_assert_uint_eq(fill(fdb, 500, 1000), 0);
	rte_rcu_qsbr_quiescent(v, 0);
	ck_assert_uint_eq(fill(fdb, 600, 1000), 1);
	/* An offline reader holds nothing back. */
	mac_of(102, mac);
	ck_assert_int_eq(vtep_fdb_del(fdb, 1, mac), 0);
	rte_rcu_qsbr_thread_offline(v, 0);
	ck_assert_uint_eq(fill(fdb, 700, 1000), 1);
	vtep_fdb_free(fdb);
	ck_assert_int_eq(rte_rcu_qsbr_thread_unregister(v, 0), 0);
	rte_free(v);
}
END_TEST

START_TEST(test_iterate)
{
	struct vtep_fdb *fdb = mk_fdb(128, 1000, NULL);
	struct vtep_fdb_entry e;
	uint8_t seen[60] = { 0 };
	uint8_t mac[6];
	uint32_t it = 0, n = 0;

	/* Empty table: done at once. */
	ck_assert_int_eq(vtep_fdb_iterate(fdb, &it, 0, &e), 0);
	/* 50 dynamic entries seen at 1000 + i on port i, 10 static on VLAN 7, port 100 + i. */
	for (uint32_t i = 0; i < 50; i++) {
		mac_of(i, mac);
		ck_assert_int_eq(vtep_fdb_learn(fdb, 5, mac, (uint16_t)i, 1000 + i),
				 VTEP_FDB_LEARNED);
	}
	for (uint32_t i = 50; i < 60; i++) {
		mac_of(i, mac);
		ck_assert_int_eq(vtep_fdb_add_static(fdb, 7, mac, (uint16_t)(100 + i)), 0);
	}
	/* Delete a few so the walk has holes. */
	for (uint32_t i = 0; i < 50; i += 7) {
		mac_of(i, mac);
		ck_assert_int_eq(vtep_fdb_del(fdb, 5, mac), 0);
		seen[i] = 2;
	}
	now = 2000;
	it = 0;
	while (vtep_fdb_iterate(fdb, &it, now, &e) == 1) {
		uint32_t i = (uint32_t)e.mac[2] << 24 | (uint32_t)e.mac[3] << 16 |
			     (uint32_t)e.mac[4] << 8 | e.mac[5];

		ck_assert_uint_eq(e.mac[0], 0x02);
		ck_assert_uint_eq(e.mac[1], 0x00);
		ck_assert_uint_lt(i, 60);
		ck_assert_msg(seen[i] == 0, "entry %u returned twice or deleted (%u)", i, seen[i]);
		seen[i] = 1;
		n++;
		if (i < 50) {
			ck_assert_uint_eq(e.vlan, 5);
			ck_assert_uint_eq(e.port, i);
			ck_assert(!e.is_static);
			ck_assert_uint_eq(e.age_s, 2000 - (1000 + i));
		} else {
			ck_assert_uint_eq(e.vlan, 7);
			ck_assert_uint_eq(e.port, 100 + i);
			ck_assert(e.is_static);
			ck_assert_uint_eq(e.age_s, 0);
		}
	}
	for (uint32_t i = 0; i < 60; i++)
		ck_assert_msg(seen[i] != 0, "entry %u not returned", i);
	ck_assert_uint_eq(n, vtep_fdb_count(fdb));
	ck_assert_uint_eq(n, 60 - 8);
	/* The end is sticky. */
	ck_assert_int_eq(vtep_fdb_iterate(fdb, &it, now, &e), 0);
	ck_assert_int_eq(vtep_fdb_iterate(fdb, &it, now, &e), 0);
	vtep_fdb_free(fdb);
}
END_TEST

/* The reference model of the randomized test: one record per key, searched linearly. */
#define R_KEYS 300
#define R_VLANS 4
#define R_OPS 20000
#define R_AGING 40

struct ref_entry {
	uint16_t vlan;
	uint8_t mac[6];
	bool present;
	bool is_static;
	uint16_t port;
	uint32_t seen;
};

static struct ref_entry ref[R_KEYS];

static uint64_t rng_state;

/* xorshift64*: fixed sequence from a fixed seed, independent of libc. */
static uint32_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

static struct ref_entry *
ref_find(uint16_t vlan, const uint8_t mac[6])
{
	for (unsigned int i = 0; i < R_KEYS; i++)
		if (ref[i].vlan == vlan && memcmp(ref[i].mac, mac, 6) == 0)
			return &ref[i];
	return NULL;
}

static uint32_t
ref_count(void)
{
	uint32_t n = 0;

	for (unsigned int i = 0; i < R_KEYS; i++)
		n += ref[i].present;
	return n;
}

/* Every key, every entry: the table and the model agree. */
static void
ref_compare(const struct vtep_fdb *fdb, unsigned int op)
{
	const struct vtep_fdb_slot *slots = vtep_fdb_slots(fdb);
	struct vtep_fdb_entry e;
	uint8_t listed[R_KEYS] = { 0 };
	uint32_t it = 0;

	for (unsigned int base = 0; base < R_KEYS; base += 64) {
		unsigned int n = R_KEYS - base < 64 ? R_KEYS - base : 64;
		uint64_t keys[64];
		uint32_t res[64];

		for (unsigned int i = 0; i < n; i++)
			keys[i] = vtep_l2_key(ref[base + i].vlan, ref[base + i].mac);
		vtep_fdb_lookup_bulk(fdb, keys, n, res);
		for (unsigned int i = 0; i < n; i++) {
			const struct ref_entry *r = &ref[base + i];

			ck_assert_msg((res[i] != VTEP_FDB_MISS) == r->present,
				      "op %u key %u: bulk presence", op, base + i);
			if (r->present)
				ck_assert_msg(slots[res[i]].port == r->port,
					      "op %u key %u: bulk port", op, base + i);
		}
	}
	while (vtep_fdb_iterate(fdb, &it, now, &e) == 1) {
		struct ref_entry *r = ref_find(e.vlan, e.mac);
		unsigned int k;

		ck_assert_msg(r != NULL, "op %u: iterate returned an unknown key", op);
		k = (unsigned int)(r - ref);
		ck_assert_msg(r->present, "op %u key %u: iterate returned a deleted key", op, k);
		ck_assert_msg(!listed[k], "op %u key %u: iterate returned it twice", op, k);
		listed[k] = 1;
		ck_assert_uint_eq(e.port, r->port);
		ck_assert_uint_eq(e.is_static, r->is_static);
		ck_assert_uint_eq(e.age_s, r->is_static ? 0 : now - r->seen);
	}
	for (unsigned int k = 0; k < R_KEYS; k++)
		ck_assert_msg(listed[k] == ref[k].present, "op %u key %u: not iterated", op, k);
}

START_TEST(test_random_vs_model)
{
	static const uint16_t vlans[R_VLANS] = { 1, 100, 2000, 4094 };
	struct vtep_fdb *fdb = mk_fdb(512, R_AGING, NULL);
	unsigned int n_learn = 0, n_del = 0, n_aged = 0, n_hit = 0;

	rng_state = 0x9e3779b97f4a7c15ULL;
	/* 75 MACs on each of 4 VLANs, so the same MAC is four independent keys. */
	for (unsigned int i = 0; i < R_KEYS; i++) {
		memset(&ref[i], 0, sizeof(ref[i]));
		ref[i].vlan = vlans[i % R_VLANS];
		mac_of(0x10000 + (i / R_VLANS) * 0x0101, ref[i].mac);
	}
	now = 1000000;
	for (unsigned int op = 0; op < R_OPS; op++) {
		uint32_t dice = rng() % 100;
		struct ref_entry *r = &ref[rng() % R_KEYS];
		uint16_t port = (uint16_t)(rng() % 6);
		int ret, exp;

		now += rng() % 3;
		if (dice < 45) {
			ret = vtep_fdb_learn(fdb, r->vlan, r->mac, port, now);
			if (!r->present)
				exp = VTEP_FDB_LEARNED;
			else if (r->is_static)
				exp = VTEP_FDB_STATIC_KEPT;
			else if (r->port == port)
				exp = VTEP_FDB_REFRESHED;
			else
				exp = VTEP_FDB_MOVED;
			ck_assert_msg(ret == exp, "op %u learn: got %d want %d", op, ret, exp);
			if (exp != VTEP_FDB_STATIC_KEPT) {
				r->present = true;
				r->port = port;
				r->seen = now;
			}
			n_learn++;
		} else if (dice < 47) {
			ck_assert_int_eq(vtep_fdb_add_static(fdb, r->vlan, r->mac, port), 0);
			if (!r->present)
				r->seen = 0;
			r->present = true;
			r->is_static = true;
			r->port = port;
		} else if (dice < 62) {
			ret = vtep_fdb_del(fdb, r->vlan, r->mac);
			ck_assert_msg(ret == (r->present ? 0 : -ENOENT), "op %u del: got %d", op,
				      ret);
			n_del += r->present;
			r->present = false;
			r->is_static = false;
		} else if (dice < 67) {
			unsigned int exp_aged = 0;

			for (unsigned int i = 0; i < R_KEYS; i++) {
				if (ref[i].present && !ref[i].is_static &&
				    now - ref[i].seen >= R_AGING) {
					ref[i].present = false;
					exp_aged++;
				}
			}
			ret = (int)vtep_fdb_age(fdb, now);
			ck_assert_msg(ret == (int)exp_aged, "op %u age: got %d want %u", op, ret,
				      exp_aged);
			n_aged += exp_aged;
		} else {
			uint32_t got = vtep_fdb_lookup(fdb, r->vlan, r->mac);

			ck_assert_msg(got == (r->present ? r->port : VTEP_FDB_MISS),
				      "op %u lookup: got %u", op, got);
			n_hit += r->present;
		}
		ck_assert_msg(vtep_fdb_count(fdb) == ref_count(), "op %u: count %u want %u", op,
			      vtep_fdb_count(fdb), ref_count());
		if (op % 1000 == 999)
			ref_compare(fdb, op);
	}
	ref_compare(fdb, R_OPS);
	/* The mix really exercised every path. */
	ck_assert_uint_gt(n_learn, 5000);
	ck_assert_uint_gt(n_del, 500);
	ck_assert_uint_gt(n_aged, 100);
	ck_assert_uint_gt(n_hit, 1000);
	vtep_fdb_free(fdb);
}
END_TEST

static Suite *
fdb_suite(void)
{
	Suite *s = suite_create("fdb");
	TCase *tc = tcase_create("basic");

	tcase_add_test(tc, test_create_params);
	tcase_add_test(tc, test_learn);
	tcase_add_test(tc, test_refresh);
	tcase_add_test(tc, test_move);
	tcase_add_test(tc, test_group_mac);
	tcase_add_test(tc, test_static);
	tcase_add_test(tc, test_aging_boundary);
	tcase_add_test(tc, test_touch);
	tcase_add_test(tc, test_lookup_bulk);
	tcase_add_test(tc, test_vlans_independent);
	tcase_add_test(tc, test_flush);
	tcase_add_test(tc, test_delete);
	tcase_add_test(tc, test_iterate);
	suite_add_tcase(s, tc);

	tc = tcase_create("capacity");
	tcase_add_test(tc, test_capacity);
	tcase_add_test(tc, test_qsbr_grace_period);
	suite_add_tcase(s, tc);

	tc = tcase_create("model");
	tcase_add_test(tc, test_random_vs_model);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int failed;

	if (vtep_test_eal_init("test_fdb", "128") != 0)
		return VTEP_TEST_SKIP;
	failed = vtep_test_run(fdb_suite());
	rte_eal_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
