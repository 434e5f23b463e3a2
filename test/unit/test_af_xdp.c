/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AF_XDP uplink: the XDP steering program and the driver that fills its maps, driven
 * through vtepsw's datapath on a veth pair in a private network namespace (needs root;
 * skipped otherwise). The datapath opens the uplink exactly as the daemon does (net_af_xdp
 * devargs, our program attached by the PMD, maps filled from the config), then:
 *  - classify: each scapy frame of test/data/xdp_vectors.h goes through the attached
 *    program (BPF_PROG_TEST_RUN): XDP_REDIRECT for vtepsw's, XDP_PASS for the kernel's,
 *    counted under exactly the expected reason;
 *  - nvgre: removing the only NVGRE tunnel stops NVGRE steering, adding it back restarts it;
 *  - set_vtep: vtep_dp_set_vtep() moves the VTEP address and the VXLAN port while real
 *    frames (scapy on the peer veth) arrive; what reaches vtepsw follows the change and the
 *    program stays the same (no reload);
 *  - close: freeing the datapath detaches the program.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include <rte_mbuf.h>

#include "vtep_test.h"
#include "vtep_clock.h"
#include "vtep_config.h"
#include "vtep_dp.h"

#include "../../drivers/port/af_xdp/vtep_xdp.h"
#include "../data/xdp_vectors.h"

#define UL "xu0"      /* vtepsw's side of the veth */
#define PEER "xu1"    /* where scapy sends from */

static const char cfg_json[] =
	"{\"vtep\": {\"local_ip\": \"" XV_VTEP4 "/24\", \"local_ip6\": \"" XV_VTEP6 "/64\","
	"  \"uplink\": \"up0\", \"require_known_remote\": true},"
	" \"ports\": [{\"name\": \"up0\", \"devargs\": \"net_af_xdp0,iface=" UL "\","
	"             \"role\": \"uplink\"},"
	"            {\"name\": \"vm\", \"devargs\": \"net_null0,no-rx=1\", \"vlan\": 100}],"
	" \"tunnels\": [{\"name\": \"vx\", \"type\": \"vxlan\", \"remote_ip\": \"" XV_PEER4 "\"},"
	"   {\"name\": \"vx8472\", \"type\": \"vxlan\", \"remote_ip\": \"10.99.0.3\","
	"    \"udp_port\": 8472},"
	"   {\"name\": \"gre\", \"type\": \"nvgre\", \"remote_ip\": \"10.99.0.4\"},"
	"   {\"name\": \"stt\", \"type\": \"stt\", \"remote_ip\": \"10.99.0.5\"}],"
	" \"segments\": [{\"vlan\": 100, \"vni\": 5000, \"flood\": [\"vx\"]},"
	"   {\"vlan\": 200, \"vni\": 6000, \"mcast_group\": \"" XV_GROUP4 "\"},"
	"   {\"vlan\": 300, \"vni\": 7000, \"mcast_group\": \"" XV_GROUP6 "\"}]}";

#define REASON_NAME(id, name) name,
static const char *const reason_names[VTEP_XDP__MAX] = { VTEP_XDP_REASONS(REASON_NAME) };
#undef REASON_NAME

static struct rte_mempool *pool;
static struct vtep_dp *dp;
static struct vtep_config cfg;
static int ifindex;
static char scapy_send[512];

/* Run a shell command; fail the test if it fails. */
static void
sh(const char *cmd)
{
	int rc = system(cmd);

	ck_assert_msg(rc == 0, "'%s' failed (%d)", cmd, rc);
}

static uint32_t
prog_id(void)
{
	uint32_t id = 0;

	ck_assert_int_eq(bpf_xdp_query_id(ifindex, 0, &id), 0);
	return id;
}

/* An fd of the map @p name of the program attached to the uplink. */
static int
map_fd(const char *name)
{
	struct bpf_prog_info info;
	uint32_t ids[32], len = sizeof(info);
	int pfd = bpf_prog_get_fd_by_id(prog_id()), found = -1;

	ck_assert_int_ge(pfd, 0);
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 32;
	info.map_ids = (uint64_t)(uintptr_t)ids;
	ck_assert_int_eq(bpf_obj_get_info_by_fd(pfd, &info, &len), 0);
	for (uint32_t i = 0; i < info.nr_map_ids && i < 32 && found < 0; i++) {
		struct bpf_map_info mi;
		uint32_t mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		memset(&mi, 0, sizeof(mi));
		if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &mi, &mlen) == 0 &&
		    strcmp(mi.name, name) == 0)
			found = fd;
		else if (fd >= 0)
			close(fd);
	}
	close(pfd);
	ck_assert_msg(found >= 0, "map %s not found", name);
	return found;
}

/* The program's per-reason counters, summed over CPUs. */
static void
reasons(uint64_t out[VTEP_XDP__MAX])
{
	int ncpu = libbpf_num_possible_cpus(), fd = map_fd(VTEP_XDP_MAP_STATS);
	uint64_t vals[1024];

	ck_assert(ncpu > 0 && ncpu <= 1024);
	for (uint32_t r = 0; r < VTEP_XDP__MAX; r++) {
		out[r] = 0;
		ck_assert_int_eq(bpf_map_lookup_elem(fd, &r, vals), 0);
		for (int c = 0; c < ncpu; c++)
			out[r] += vals[c];
	}
	close(fd);
}

static int
reason_of(const char *name)
{
	for (int r = 0; r < VTEP_XDP__MAX; r++)
		if (strcmp(reason_names[r], name) == 0)
			return r;
	ck_abort_msg("unknown reason %s", name);
	return -1;
}

/* Run one frame through the attached program. @return its XDP action. */
static uint32_t
run_frame(const uint8_t *frame, uint16_t len)
{
	int fd = bpf_prog_get_fd_by_id(prog_id());
	uint8_t data[2048];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = data, .data_size_in = len, .repeat = 1);

	ck_assert_int_ge(fd, 0);
	memcpy(data, frame, len);
	ck_assert_int_eq(bpf_prog_test_run_opts(fd, &o), 0);
	close(fd);
	return o.retval;
}

/* Run @p v; assert its action and that exactly its reason counted it. */
static void
expect_frame(const struct xv_frame *v)
{
	uint64_t before[VTEP_XDP__MAX], after[VTEP_XDP__MAX];
	int want = reason_of(v->reason);
	uint32_t act;

	reasons(before);
	act = run_frame(v->frame, v->len);
	reasons(after);
	ck_assert_msg(act == (want < VTEP_XDP__REDIRECT_END ? XDP_REDIRECT : XDP_PASS),
		      "%s: action %u", v->name, act);
	for (int r = 0; r < VTEP_XDP__MAX; r++)
		ck_assert_msg(after[r] - before[r] == (r == want ? 1u : 0u),
			      "%s: expected %s, but %s counted %lu", v->name, v->reason,
			      reason_names[r], (unsigned long)(after[r] - before[r]));
}

static const struct xv_frame *
vector(const char *name)
{
	for (size_t i = 0; i < sizeof(xv_frames) / sizeof(xv_frames[0]); i++)
		if (strcmp(xv_frames[i].name, name) == 0)
			return &xv_frames[i];
	ck_abort_msg("no vector %s", name);
	return NULL;
}

/* Let the datapath receive and handle what arrived, for @p ms. */
static void
poll_ms(unsigned int ms)
{
	uint64_t end = vtep_clock_now_ms() + ms;

	while (vtep_clock_now_ms() < end) {
		vtep_dp_poll(dp, 0);
		vtep_dp_control(dp, vtep_clock_tick());
	}
}

/* Frames the uplink received plus frames the VM port sent (decapsulated ones). */
static uint64_t
uplink_rx(uint64_t *vm_tx)
{
	struct vtep_dp_port_info pi;

	ck_assert_int_eq(vtep_dp_port_info(dp, (unsigned int)vtep_dp_port_find(dp, "vm"), &pi), 0);
	*vm_tx = pi.c.tx_packets;
	ck_assert_int_eq(vtep_dp_port_info(dp, (unsigned int)vtep_dp_port_find(dp, "up0"), &pi), 0);
	return pi.c.rx_packets;
}

/* Send @p n VXLAN frames for VNI 5000 from the peer to @p dst:@p port (scapy). */
static void
send_vxlan(const char *dst, unsigned int port, unsigned int n)
{
	struct vtep_dp_port_info pi;
	char cmd[1024], mac[18];

	ck_assert_int_eq(vtep_dp_port_info(dp, (unsigned int)vtep_dp_port_find(dp, "up0"), &pi), 0);
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", pi.mac[0], pi.mac[1],
		 pi.mac[2], pi.mac[3], pi.mac[4], pi.mac[5]);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s " PEER " %u \"Ether(dst='%s')/"
		 "IP(src='" XV_PEER4 "', dst='%s')/UDP(sport=40000, dport=%u)/"
		 "VXLAN(flags='Instance', vni=5000)/"
		 "Ether(src='52:54:00:aa:00:01', dst='52:54:00:bb:00:02')/IP()/UDP()\"",
		 scapy_send, n, mac, dst, port);
	sh(cmd);
}

/* The steering config the vectors were generated for. */
START_TEST(classify)
{
	uint64_t before, after;
	int qfd = map_fd(VTEP_XDP_MAP_QSTATS);
	uint64_t vals[1024];
	uint32_t q = 0;
	unsigned int n_redirect = 0;

	ck_assert_int_eq(bpf_map_lookup_elem(qfd, &q, vals), 0);
	before = vals[0];
	for (int c = 1; c < libbpf_num_possible_cpus(); c++)
		before += vals[c];
	for (size_t i = 0; i < sizeof(xv_frames) / sizeof(xv_frames[0]); i++) {
		expect_frame(&xv_frames[i]);
		n_redirect += reason_of(xv_frames[i].reason) < VTEP_XDP__REDIRECT_END;
	}
	ck_assert_int_eq(bpf_map_lookup_elem(qfd, &q, vals), 0);
	after = vals[0];
	for (int c = 1; c < libbpf_num_possible_cpus(); c++)
		after += vals[c];
	ck_assert_uint_eq(after - before, n_redirect);
	close(qfd);
}
END_TEST

/* NVGRE is steered when vtepsw accepts it: from any remote (flood-and-learn), or with
 * require_known_remote only while an NVGRE tunnel is configured. */
START_TEST(nvgre_follows_tunnels)
{
	struct xv_frame v = *vector("nvgre4");
	struct vtep_cfg_vtep vt = cfg.vtep;
	char err[VTEP_DP_ERR_MAX];
	const struct vtep_cfg_tunnel *gre = NULL;
	uint32_t id = prog_id();

	for (unsigned int i = 0; i < cfg.n_tunnels; i++)
		if (strcmp(cfg.tunnels[i].name, "gre") == 0)
			gre = &cfg.tunnels[i];
	ck_assert_ptr_nonnull(gre);
	ck_assert_int_eq(vtep_dp_tunnel_del(dp, "gre", err), 0);
	v.reason = "pass_other_l4";
	expect_frame(&v);
	vt.require_known_remote = false;
	ck_assert_msg(vtep_dp_set_vtep(dp, &vt, err) == 0, "%s", err);
	v.reason = "redirect_nvgre";
	expect_frame(&v);
	ck_assert_msg(vtep_dp_set_vtep(dp, &cfg.vtep, err) == 0, "%s", err);
	v.reason = "pass_other_l4";
	expect_frame(&v);
	ck_assert_int_eq(vtep_dp_tunnel_add(dp, gre, err), 0);
	v.reason = "redirect_nvgre";
	expect_frame(&v);
	ck_assert_uint_eq(prog_id(), id);
}
END_TEST

START_TEST(set_vtep_at_run_time)
{
	int vx = reason_of("redirect_vxlan"), oa = reason_of("pass_other_addr");
	int ol4 = reason_of("pass_other_l4");
	uint64_t r0[VTEP_XDP__MAX], r1[VTEP_XDP__MAX], rx0, rx1, vm0, vm1;
	struct vtep_cfg_vtep v = cfg.vtep;
	char err[VTEP_DP_ERR_MAX];
	uint32_t id = prog_id();

	/* Before: 10.99.0.1:4789 is vtepsw's, 10.99.0.7 the kernel's. */
	poll_ms(50);
	reasons(r0);
	rx0 = uplink_rx(&vm0);
	send_vxlan(XV_VTEP4, 4789, 5);
	send_vxlan("10.99.0.7", 4789, 7);
	poll_ms(300);
	reasons(r1);
	rx1 = uplink_rx(&vm1);
	ck_assert_uint_eq(r1[vx] - r0[vx], 5);
	ck_assert_uint_eq(r1[oa] - r0[oa], 7);
	ck_assert_uint_eq(rx1 - rx0, 5);
	ck_assert_uint_eq(vm1 - vm0, 5);

	/* Move the VTEP to 10.99.0.7 and VXLAN to port 4790, as vtepctl will. */
	ck_assert_int_eq(inet_pton(AF_INET, "10.99.0.7", &v.local_ip.v4), 1);
	v.udp_port = 4790;
	ck_assert_msg(vtep_dp_set_vtep(dp, &v, err) == 0, "%s", err);
	ck_assert_uint_eq(prog_id(), id);
	reasons(r0);
	rx0 = uplink_rx(&vm0);
	send_vxlan(XV_VTEP4, 4790, 5);      /* the old address: the kernel's now */
	send_vxlan("10.99.0.7", 4790, 7);   /* the new one: vtepsw's */
	send_vxlan("10.99.0.7", 4789, 3);   /* the old port: the kernel's */
	send_vxlan("10.99.0.7", 8472, 2);   /* a tunnel's own port stays vtepsw's */
	poll_ms(300);
	reasons(r1);
	rx1 = uplink_rx(&vm1);
	ck_assert_uint_eq(r1[vx] - r0[vx], 9);
	ck_assert_uint_eq(r1[oa] - r0[oa], 5);
	ck_assert_uint_eq(r1[ol4] - r0[ol4], 3);
	ck_assert_uint_eq(rx1 - rx0, 9);
	ck_assert_uint_eq(vm1 - vm0, 9);
	ck_assert_uint_eq(prog_id(), id);
}
END_TEST

START_TEST(close_detaches)
{
	uint32_t id = 1;

	vtep_dp_worker_stop(dp, 0);
	vtep_dp_free(dp);
	dp = NULL;
	ck_assert_int_eq(bpf_xdp_query_id(ifindex, 0, &id), 0);
	ck_assert_uint_eq(id, 0);
}
END_TEST

/* Private netns with the veth pair; EAL; the datapath with the config above. */
static int
setup(void)
{
	struct vtep_dp_params p = { .n_workers = 1, .main_forwards = true };
	char err[VTEP_DP_ERR_MAX], cerr[VTEP_CONFIG_ERR_MAX];
	const char *data = getenv("VTEP_TEST_DATA");

	if (geteuid() != 0) {
		printf("SKIP: test_af_xdp needs root (network namespace, XDP)\n");
		return VTEP_TEST_SKIP;
	}
	if (unshare(CLONE_NEWNET) != 0) {
		printf("SKIP: test_af_xdp: no private network namespace: %s\n", strerror(errno));
		return VTEP_TEST_SKIP;
	}
	snprintf(scapy_send, sizeof(scapy_send), "%s/../integration/scapy_send.py",
		 data ? data : "test/data");
	if (system("ip link set lo up && ip link add " UL " type veth peer name " PEER " && "
		   "ip link set " UL " up && ip link set " PEER " up && "
		   "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 && "
		   "ethtool -K " PEER " tx off >/dev/null") != 0) {
		printf("SKIP: test_af_xdp: cannot create a veth pair (ip, ethtool)\n");
		return VTEP_TEST_SKIP;
	}
	ifindex = (int)if_nametoindex(UL);
	if (vtep_test_eal_init("test_af_xdp", "256") != 0)
		return VTEP_TEST_SKIP;
	vtep_clock_tick();
	pool = rte_pktmbuf_pool_create("ckxdp", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (pool == NULL)
		return EXIT_FAILURE;
	p.pool = pool;
	if (vtep_config_parse(cfg_json, sizeof(cfg_json) - 1, "test_af_xdp", &cfg, cerr) < 0) {
		fprintf(stderr, "test_af_xdp: %s\n", cerr);
		return EXIT_FAILURE;
	}
	if (vtep_dp_create(&p, &dp) < 0 || vtep_dp_apply_config(dp, &cfg, err) < 0) {
		fprintf(stderr, "test_af_xdp: %s\n", err);
		return EXIT_FAILURE;
	}
	vtep_dp_worker_start(dp, 0);
	return 0;
}

int
main(void)
{
	Suite *s = suite_create("af_xdp");
	TCase *tc = tcase_create("steering");
	int failed, ret;

	ret = setup();
	if (ret != 0)
		return ret;
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, classify);
	tcase_add_test(tc, nvgre_follows_tunnels);
	tcase_add_test(tc, set_vtep_at_run_time);
	tcase_add_test(tc, close_detaches);
	suite_add_tcase(s, tc);
	failed = vtep_test_run(s);
	if (dp != NULL) {
		vtep_dp_worker_stop(dp, 0);
		vtep_dp_free(dp);
	}
	vtep_config_clear(&cfg);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
