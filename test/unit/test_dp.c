/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Datapath tables driven through the datapath's own API: the neighbour table keeps one
 * entry per address when set-vtep turns a learned (or resolving) neighbour into a
 * configured one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <rte_mbuf.h>

#include "vtep_clock.h"
#include "vtep_dp.h"
#include "vtep_dp_priv.h"
#include "vtep_test.h"

static struct rte_mempool *pool;
static struct vtep_dp *dp;

static struct vtep_ip
ip(const char *s)
{
	struct vtep_ip a;

	ck_assert_int_eq(vtep_ip_parse(s, &a), 0);
	return a;
}

static unsigned int
entries_for(const struct vtep_ip *a, enum dp_neigh_state *state)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < DP_MAX_NEIGH; i++)
		if (dp->neigh[i].state != DP_NEIGH_FREE && vtep_ip_equal(&dp->neigh[i].ip, a)) {
			n++;
			*state = dp->neigh[i].state;
		}
	return n;
}

START_TEST(static_takes_over_resolving_entry)
{
	struct vtep_cfg_neigh nb[2] = { 0 };
	struct vtep_cfg_vtep v = { 0 };
	char err[VTEP_DP_ERR_MAX];
	struct vtep_ip c = ip("10.0.0.7");
	enum dp_neigh_state st = DP_NEIGH_FREE;
	uint8_t mac[6];

	v.local_ip = ip("10.0.0.1");
	v.prefix_len = 24;
	nb[0].ip = ip("10.0.0.5");
	nb[1].ip = ip("10.0.0.6");
	nb[0].mac[5] = 5;
	nb[1].mac[5] = 6;
	v.neighbours = nb;
	v.n_neighbours = 2;
	ck_assert_msg(vtep_dp_set_vtep(dp, &v, err) == 0, "%s", err);
	/* 10.0.0.7 starts resolving: it takes the first slot after the two static ones */
	ck_assert_int_eq(dp_neigh_lookup(dp, &c, mac), -ENOENT);
	ck_assert_uint_eq(entries_for(&c, &st), 1);
	ck_assert_int_eq(st, DP_NEIGH_INCOMPLETE);
	/* now it is configured, and the two earlier ones are gone: their slots are free */
	nb[0].ip = c;
	nb[0].mac[5] = 7;
	v.n_neighbours = 1;
	ck_assert_msg(vtep_dp_set_vtep(dp, &v, err) == 0, "%s", err);
	ck_assert_uint_eq(entries_for(&c, &st), 1);
	ck_assert_int_eq(st, DP_NEIGH_STATIC);
	ck_assert_int_eq(dp_neigh_lookup(dp, &c, mac), 0);
	ck_assert_uint_eq(mac[5], 7);
	/* configured again with another MAC: still one entry, with the new MAC */
	nb[0].mac[5] = 8;
	ck_assert_msg(vtep_dp_set_vtep(dp, &v, err) == 0, "%s", err);
	ck_assert_uint_eq(entries_for(&c, &st), 1);
	ck_assert_int_eq(dp_neigh_lookup(dp, &c, mac), 0);
	ck_assert_uint_eq(mac[5], 8);
	/* no longer configured: the entry is freed, not left static */
	v.n_neighbours = 0;
	ck_assert_msg(vtep_dp_set_vtep(dp, &v, err) == 0, "%s", err);
	ck_assert_uint_eq(entries_for(&c, &st), 0);
}
END_TEST

/*
 * A configured neighbour still gets its entry when the table is full of ones being
 * resolved; more configured neighbours than entries is an error that changes nothing.
 */
START_TEST(static_fits_in_a_full_table)
{
	struct vtep_cfg_neigh *nb = calloc(DP_MAX_NEIGH + 1, sizeof(*nb));
	struct vtep_cfg_vtep v = { 0 };
	char err[VTEP_DP_ERR_MAX], addr[32];
	struct vtep_ip x = ip("10.1.255.1");
	enum dp_neigh_state st = DP_NEIGH_FREE;
	uint8_t mac[6];

	ck_assert_ptr_nonnull(nb);
	v.local_ip = ip("10.0.0.1");
	v.prefix_len = 24;
	ck_assert_msg(vtep_dp_set_vtep(dp, &v, err) == 0, "%s", err);
	for (unsigned int i = 0; i < DP_MAX_NEIGH; i++) {
		struct vtep_ip a;

		snprintf(addr, sizeof(addr), "10.1.%u.%u", i / 200, i % 200 + 1);
		a = ip(addr);
		(void)dp_neigh_lookup(dp, &a, mac);
	}
	for (unsigned int i = 0; i < DP_MAX_NEIGH; i++)
		ck_assert_int_ne(dp->neigh[i].state, DP_NEIGH_FREE);
	nb[0].ip = x;
	nb[0].mac[5] = 9;
	v.neighbours = nb;
	v.n_neighbours = 1;
	ck_assert_msg(vtep_dp_set_vtep(dp, &v, err) == 0, "%s", err);
	ck_assert_uint_eq(entries_for(&x, &st), 1);
	ck_assert_int_eq(st, DP_NEIGH_STATIC);
	/* one more configured neighbour than there are entries */
	for (unsigned int i = 0; i <= DP_MAX_NEIGH; i++) {
		snprintf(addr, sizeof(addr), "10.2.%u.%u", i / 200, i % 200 + 1);
		nb[i].ip = ip(addr);
	}
	v.n_neighbours = DP_MAX_NEIGH + 1;
	ck_assert_int_eq(vtep_dp_set_vtep(dp, &v, err), -ENOSPC);
	ck_assert_msg(strstr(err, "vtep.neighbours") != NULL, "%s", err);
	ck_assert_uint_eq(entries_for(&x, &st), 1);
	ck_assert_int_eq(dp_neigh_lookup(dp, &x, mac), 0);
	ck_assert_uint_eq(mac[5], 9);
	free(nb);
}
END_TEST

int
main(void)
{
	struct vtep_dp_params dpp = { 0 };
	Suite *s = suite_create("dp");
	TCase *tc = tcase_create("neighbours");
	int failed;

	if (vtep_test_eal_init("test_dp", "256") != 0)
		return VTEP_TEST_SKIP;
	pool = rte_pktmbuf_pool_create("ckdp", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	dpp.n_workers = 1;
	dpp.main_forwards = true;
	dpp.pool = pool;
	vtep_clock_tick();
	if (pool == NULL || vtep_dp_create(&dpp, &dp) != 0) {
		fprintf(stderr, "test_dp: datapath set-up failed\n");
		return EXIT_FAILURE;
	}
	tcase_add_test(tc, static_takes_over_resolving_entry);
	tcase_add_test(tc, static_fits_in_a_full_table);
	suite_add_tcase(s, tc);
	failed = vtep_test_run(s);
	vtep_dp_free(dp);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
