/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user VM ports added and removed at run time through the datapath's core functions
 * (what the config loader and vtepctl add-port/del-port call), with a net_virtio_user "VM"
 * in the same process and two ring ports beside it on the same VLAN.
 * Checks, over three add/remove rounds: the port comes up when the VM connects and carries
 * frames both ways; removing it while the VM is attached does not disturb the other
 * ports; the server socket goes away with the port; a bad socket path fails with a message
 * naming it; rounds 2 and 3 leak nothing (file descriptors, packet buffers).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "vtep_clock.h"
#include "vtep_dp.h"
#include "vtep_test.h"

#define VLAN 100

static struct rte_mempool *pool;
static struct vtep_dp *dp;
static struct rte_ring *ring_rx[2], *ring_tx[2];   /* ports "ra", "rb" */
static char sock[64];

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_vm[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Run the datapath and its control side for @p ms milliseconds. */
static void
run_ms(unsigned int ms)
{
	uint64_t end = rte_get_tsc_cycles() + rte_get_tsc_hz() / 1000 * ms;

	while (rte_get_tsc_cycles() < end) {
		vtep_dp_poll(dp, 0);
		vtep_dp_control(dp, vtep_clock_tick());
	}
}

/* A 60-byte Ethernet frame. */
static struct rte_mbuf *
frame(const uint8_t *dst, const uint8_t *src, uint8_t tag)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;

	ck_assert_ptr_nonnull(m);
	p = (uint8_t *)rte_pktmbuf_append(m, 60);
	ck_assert_ptr_nonnull(p);
	memset(p, tag, 60);
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	p[12] = 0x88;                       /* local experimental ethertype 0x88b5 */
	p[13] = 0xb5;
	return m;
}

/* Frames waiting in a ring port's tx ring, freed; @return how many carried @p tag. */
static unsigned int
drain(struct rte_ring *r, uint8_t tag)
{
	struct rte_mbuf *m;
	unsigned int n = 0;

	while (rte_ring_dequeue(r, (void **)&m) == 0) {
		n += rte_pktmbuf_mtod(m, uint8_t *)[20] == tag;
		rte_pktmbuf_free(m);
	}
	return n;
}

static unsigned int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	while (d != NULL && readdir(d) != NULL)
		n++;
	if (d != NULL)
		closedir(d);
	return n;
}

static int
add_port(const char *name, const char *devargs, char *err)
{
	struct vtep_cfg_port p;

	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.devargs, sizeof(p.devargs), "%s", devargs);
	p.mode = VTEP_PORT_MODE_ACCESS;
	p.vlan = VLAN;
	return vtep_dp_port_add(dp, &p, err);
}

static bool
port_up(const char *name)
{
	struct vtep_dp_port_info pi;
	int idx = vtep_dp_port_find(dp, name);

	return idx >= 0 && vtep_dp_port_info(dp, (unsigned int)idx, &pi) == 0 && pi.link_up;
}

/* The VM: a virtio-user device on the port's socket, started; @return its ethdev id. */
static uint16_t
vm_start(void)
{
	struct rte_eth_conf conf;
	char args[128];
	uint16_t pid;

	snprintf(args, sizeof(args), "net_virtio_user0,path=%s", sock);
	ck_assert_int_eq(rte_dev_probe(args), 0);
	ck_assert_int_eq(rte_eth_dev_get_port_by_name("net_virtio_user0", &pid), 0);
	memset(&conf, 0, sizeof(conf));
	ck_assert_int_eq(rte_eth_dev_configure(pid, 1, 1, &conf), 0);
	ck_assert_int_eq(rte_eth_rx_queue_setup(pid, 0, 256, 0, NULL, pool), 0);
	ck_assert_int_eq(rte_eth_tx_queue_setup(pid, 0, 256, 0, NULL), 0);
	ck_assert_int_eq(rte_eth_dev_start(pid), 0);
	return pid;
}

static void
vm_stop(uint16_t pid)
{
	struct rte_eth_dev_info info;

	ck_assert_int_eq(rte_eth_dev_info_get(pid, &info), 0);
	rte_eth_dev_stop(pid);
	rte_eth_dev_close(pid);
	ck_assert_int_eq(rte_dev_remove(info.device), 0);
}

/* Frames the VM received with @p tag. */
static unsigned int
vm_recv(uint16_t pid, uint8_t tag)
{
	struct rte_mbuf *m[32];
	unsigned int got = 0;
	uint16_t n;

	while ((n = rte_eth_rx_burst(pid, 0, m, 32)) > 0)
		for (uint16_t i = 0; i < n; i++) {
			got += rte_pktmbuf_mtod(m[i], uint8_t *)[20] == tag;
			rte_pktmbuf_free(m[i]);
		}
	return got;
}

/*
 * One burst of frames with the same tags (untagged, on access port "ra"), where the
 * admission decision of the first is reused for the next: a source MAC that is multicast
 * or zero is still refused, each counted as src_mac_invalid; the valid ones reach "rb".
 */
START_TEST(src_mac_checked_within_a_burst)
{
	static const uint8_t mcast[6] = { 0x01, 0, 0x5e, 0, 0, 1 };
	static const uint8_t zero[6] = { 0 };
	const uint8_t *src[6] = { mac_a, mcast, mac_a, zero, mac_vm, mcast };
	struct vtep_dp_port_info pi;
	struct rte_mbuf *m[6];
	uint64_t before;
	int ra = vtep_dp_port_find(dp, "ra");

	ck_assert_int_ge(ra, 0);
	ck_assert_int_eq(vtep_dp_port_info(dp, (unsigned int)ra, &pi), 0);
	before = pi.c.drop[VTEP_DROP_SRC_MAC_INVALID];
	drain(ring_tx[1], 0x5a);
	for (int i = 0; i < 6; i++)
		m[i] = frame(bcast, src[i], 0x5a);
	ck_assert_uint_eq(rte_ring_enqueue_bulk(ring_rx[0], (void **)m, 6, NULL), 6);
	run_ms(50);
	ck_assert_uint_eq(drain(ring_tx[1], 0x5a), 3);
	ck_assert_int_eq(vtep_dp_port_info(dp, (unsigned int)ra, &pi), 0);
	ck_assert_uint_eq(pi.c.drop[VTEP_DROP_SRC_MAC_INVALID] - before, 3);
}
END_TEST

START_TEST(add_remove_rounds)
{
	char err[VTEP_DP_ERR_MAX];
	unsigned int fds0 = 0, bufs0 = 0;
	struct stat st;

	snprintf(sock, sizeof(sock), "/tmp/ck-vhost-%d.sock", (int)getpid());
	drain(ring_tx[0], 0);
	drain(ring_tx[1], 0);
	for (uint8_t round = 1; round <= 3; round++) {
		char devargs[128];
		uint16_t vm;
		int i;

		snprintf(devargs, sizeof(devargs), "net_vhost0,iface=%s", sock);
		ck_assert_msg(add_port("vm1", devargs, err) == 0, "add vm1: %s", err);
		ck_assert_msg(stat(sock, &st) == 0 && S_ISSOCK(st.st_mode), "no socket");
		ck_assert(!port_up("vm1"));
		vm = vm_start();
		for (i = 0; i < 500 && !port_up("vm1"); i++)
			run_ms(10);
		ck_assert_msg(port_up("vm1"), "round %u: vm1 did not come up", round);

		/* ring A floods to ring B and the VM; the VM floods to both rings */
		for (i = 0; i < 10; i++) {
			struct rte_mbuf *m = frame(bcast, mac_a, round);

			ck_assert_int_eq(rte_ring_enqueue(ring_rx[0], m), 0);
		}
		run_ms(50);
		ck_assert_uint_eq(drain(ring_tx[1], round), 10);
		ck_assert_uint_eq(vm_recv(vm, round), 10);
		for (i = 0; i < 5; i++) {
			struct rte_mbuf *m = frame(bcast, mac_vm, (uint8_t)(round + 10));

			ck_assert_int_eq(rte_eth_tx_burst(vm, 0, &m, 1), 1);
		}
		run_ms(50);
		ck_assert_uint_eq(drain(ring_tx[0], (uint8_t)(round + 10)), 5);
		ck_assert_uint_eq(drain(ring_tx[1], (uint8_t)(round + 10)), 5);

		/* remove the port with the VM still attached; the rings carry on */
		ck_assert_msg(vtep_dp_port_del(dp, "vm1", err) == 0, "del vm1: %s", err);
		ck_assert_int_lt(vtep_dp_port_find(dp, "vm1"), 0);
		ck_assert_msg(stat(sock, &st) != 0, "the socket outlived its port");
		for (i = 0; i < 10; i++)
			ck_assert_int_eq(rte_ring_enqueue(ring_rx[0],
							  frame(bcast, mac_a, (uint8_t)(round + 20))), 0);
		run_ms(50);
		ck_assert_uint_eq(drain(ring_tx[1], (uint8_t)(round + 20)), 10);
		vm_stop(vm);
		run_ms(20);
		/* the vhost library starts its event thread (and a pipe) once: count from here */
		if (round == 1) {
			fds0 = count_fds();
			bufs0 = rte_mempool_avail_count(pool);
		}
	}
	drain(ring_tx[0], 0);
	drain(ring_tx[1], 0);
	ck_assert_uint_eq(count_fds(), fds0);
	ck_assert_uint_eq(rte_mempool_avail_count(pool), bufs0);
}
END_TEST

START_TEST(bad_socket_path)
{
	char err[VTEP_DP_ERR_MAX];

	ck_assert_int_lt(add_port("vmx", "net_vhost1,iface=/nonexistent-dir/x.sock", err), 0);
	ck_assert_msg(strstr(err, "directory '/nonexistent-dir' of the vhost-user socket does not "
			      "exist") != NULL, "%s", err);
	ck_assert_int_lt(add_port("vmx", "net_vhost1,iface=/tmp/y.sock,bogus=1", err), 0);
	ck_assert_msg(strstr(err, "unknown vhost-user devargs key 'bogus'") != NULL, "%s", err);
	ck_assert_int_lt(vtep_dp_port_find(dp, "vmx"), 0);
}
END_TEST

static Suite *
vhost_suite(void)
{
	Suite *s = suite_create("vhost");
	TCase *tc = tcase_create("runtime");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, src_mac_checked_within_a_burst);
	tcase_add_test(tc, add_remove_rounds);
	tcase_add_test(tc, bad_socket_path);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	struct vtep_dp_params dpp = { 0 };
	char err[VTEP_DP_ERR_MAX];
	int failed;

	signal(SIGPIPE, SIG_IGN);
	if (vtep_test_eal_init("test_vhost", "512") != 0)
		return VTEP_TEST_SKIP;
	pool = rte_pktmbuf_pool_create("ckvhost", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "test_vhost: mbuf pool creation failed\n");
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}
	for (int i = 0; i < 2; i++) {
		char name[16];

		snprintf(name, sizeof(name), "ckr%d_rx", i);
		ring_rx[i] = rte_ring_create(name, 1024, SOCKET_ID_ANY, 0);
		snprintf(name, sizeof(name), "ckr%d_tx", i);
		ring_tx[i] = rte_ring_create(name, 1024, SOCKET_ID_ANY, 0);
		snprintf(name, sizeof(name), "r%c", 'a' + i);
		if (ring_rx[i] == NULL || ring_tx[i] == NULL ||
		    rte_eth_from_rings(name, &ring_rx[i], 1, &ring_tx[i], 1, SOCKET_ID_ANY) < 0) {
			fprintf(stderr, "test_vhost: cannot make ring port %s\n", name);
			return EXIT_FAILURE;
		}
	}
	dpp.n_workers = 1;
	dpp.main_forwards = true;
	dpp.pool = pool;
	vtep_clock_tick();
	if (vtep_dp_create(&dpp, &dp) != 0 || add_port("ra", "net_ring_ra", err) != 0 ||
	    add_port("rb", "net_ring_rb", err) != 0) {
		fprintf(stderr, "test_vhost: datapath set-up failed: %s\n", err);
		return EXIT_FAILURE;
	}
	vtep_dp_worker_start(dp, 0);
	failed = vtep_test_run(vhost_suite());
	vtep_dp_worker_stop(dp, 0);
	vtep_dp_free(dp);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
