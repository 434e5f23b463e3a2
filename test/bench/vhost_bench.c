/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtep-vhost-bench: what vhost-user costs vtepsw's fast path. Runs the real datapath
 * (lib/dp) on one worker lcore with two ports on VLAN 100 <-> VNI 5000 over VXLAN:
 *   - the uplink, a ring port: this program's main lcore feeds it VXLAN packets (decap)
 *     or drains what vtepsw encapsulated (encap);
 *   - the VM port, either another ring port, fed/drained by the main lcore the same way
 *     (--vm ring), or a vhost-user port (--vm vhost) whose other end is an external
 *     virtio-user process (dpdk-testpmd txonly or rxonly; see tools/bench-vhost.sh).
 * After --warmup seconds it measures --duration seconds and prints one JSON line: packets
 * the worker received per second, and its cycles per packet: all cycles, busy cycles (polls
 * that found packets), and clean cycles (busy polls the scheduler did not interrupt, which
 * is what counts on a shared machine), with the capacity they imply (TSC Hz / clean
 * cycles). Clean cycles per packet are the datapath's cost whatever feeds it; the vhost
 * figure minus the ring figure is the cost of vhost-user.
 *
 * With --tso MSS (ring port, encap) the VM port receives TCP frames of --size bytes (up to
 * 65549) marked for segmentation, as a guest with TSO hands them over, and the JSON adds the
 * TCP payload rate in Gbit/s, measured and at the capacity busy cycles imply.
 *
 *   vtep-vhost-bench -l 0-1 --no-huge -m 1024 --no-pci [--file-prefix P] --
 *       --vm ring|vhost --dir encap|decap [--size BYTES] [--tso MSS] [--socket PATH]
 *       [--duration S] [--warmup S]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_ring.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "vtep_clock.h"
#include "vtep_config.h"
#include "vtep_dp.h"
#include "vtep_tunnel.h"

#define UPLINK_MAC "02:00:00:00:00:01"
#define REMOTE_MAC "02:00:00:00:00:02"
#define VM_MAC { 0x02, 0, 0, 0, 0, 0x0b }
#define REMOTE_VM_MAC { 0x02, 0, 0, 0, 0xaa, 0x01 }

struct opts {
	bool vhost, decap;
	unsigned int size;
	unsigned int tso;           /* ring encap: frames are TSO frames with this MSS */
	double duration, warmup;
	const char *socket;
};

static volatile bool stop, measuring;
static struct vtep_dp *dp;

/* The worker's own account of polls that found packets, without those the scheduler cut
 * into (the CI machines are shared: a poll longer than PREEMPTED_US was preempted). */
#define PREEMPTED_US 100
static struct {
	uint64_t packets, cycles, preempted;
} clean;

static void __attribute__((format(printf, 1, 2), noreturn))
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "vtep-vhost-bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static int
worker(void *arg)
{
	uint64_t limit = rte_get_tsc_hz() / 1000000 * PREEMPTED_US;

	(void)arg;
	vtep_dp_worker_start(dp, 0);
	while (!stop) {
		uint64_t t = rte_rdtsc();
		unsigned int n = vtep_dp_poll(dp, 0);

		t = rte_rdtsc() - t;
		if (n == 0 || !measuring)
			continue;
		if (t > limit) {
			clean.preempted++;
			continue;
		}
		clean.packets += n;
		clean.cycles += t;
	}
	vtep_dp_worker_stop(dp, 0);
	return 0;
}

/* An Ethernet/IPv4/UDP frame of @p size bytes into @p buf (TCP when @p tcp). */
static void
inner_frame(uint8_t *buf, unsigned int size, const uint8_t *dst, const uint8_t *src, bool tcp)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + 14);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

	memset(buf, 0x5a, size);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = 0x08;
	buf[13] = 0x00;
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(size - 14));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(0xc0a86402);
	ip->dst_addr = rte_cpu_to_be_32(0xc0a86401);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (tcp) {
		ip->next_proto_id = IPPROTO_TCP;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		memset(th, 0, sizeof(*th));
		th->src_port = rte_cpu_to_be_16(40000);
		th->dst_port = rte_cpu_to_be_16(5001);
		th->data_off = 5 << 4;
		th->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
		th->rx_win = rte_cpu_to_be_16(65535);
		return;
	}
	udp->src_port = rte_cpu_to_be_16(1024);
	udp->dst_port = rte_cpu_to_be_16(1024);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(size - 34));
	udp->dgram_cksum = 0;
}

/* What the generator sends: an inner frame (encap) or it in VXLAN from the remote VTEP
 * (decap), built with the tunnel core as the remote vtepsw would. @return its length. */
static unsigned int
make_template(const struct opts *o, struct rte_mempool *pool, uint8_t *buf)
{
	const uint8_t vm[6] = VM_MAC, rvm[6] = REMOTE_VM_MAC;
	struct vtep_tnl_params tp = { 0 };
	struct vtep_tnl_template t;
	struct rte_mbuf *m, *out[1];
	unsigned int reason, len;

	if (!o->decap) {
		inner_frame(buf, o->size, rvm, vm, o->tso != 0);
		return o->size;
	}
	inner_frame(buf, o->size, vm, rvm, false);
	tp.type = VTEP_TUNNEL_VXLAN;
	tp.local.family = tp.remote.family = AF_INET;
	inet_pton(AF_INET, "10.0.0.2", &tp.local.v4);
	inet_pton(AF_INET, "10.0.0.1", &tp.remote.v4);
	rte_ether_unformat_addr(REMOTE_MAC, (struct rte_ether_addr *)tp.src_mac);
	rte_ether_unformat_addr(UPLINK_MAC, (struct rte_ether_addr *)tp.dst_mac);
	tp.vni = 5000;
	tp.mtu = 9000;
	m = rte_pktmbuf_alloc(pool);
	if (m == NULL || vtep_tnl_template_build(&tp, &t) != 0)
		die("cannot build the VXLAN template");
	memcpy(rte_pktmbuf_append(m, (uint16_t)o->size), buf, o->size);
	if (vtep_tnl_encap(&t, m, 7, NULL, out, 1, &reason) != 1)
		die("cannot encapsulate the template frame");
	len = out[0]->pkt_len;
	/* read() returns a pointer into the mbuf when the data is contiguous */
	memcpy(buf, rte_pktmbuf_read(out[0], 0, len, buf + 4096), len);
	rte_pktmbuf_free(out[0]);
	return len;
}

/* Copy the template into @p m, chaining buffers for large frames; mark TSO frames as a
 * guest's virtio header would make the vhost driver mark them. @return 0, or -1 (pool
 * empty: @p m was freed). */
static int
fill(struct rte_mbuf *m, struct rte_mempool *pool, const uint8_t *t, unsigned int len,
     unsigned int tso)
{
	struct rte_mbuf *cur = m;

	for (unsigned int off = 0, n; off < len; off += n) {
		n = RTE_MIN(len - off, (unsigned int)rte_pktmbuf_tailroom(cur));
		if (n == 0) {
			cur = rte_pktmbuf_alloc(pool);
			if (cur == NULL || rte_pktmbuf_chain(m, cur) != 0) {
				rte_pktmbuf_free(cur);
				rte_pktmbuf_free(m);
				return -1;
			}
			continue;
		}
		rte_memcpy(rte_pktmbuf_append(m, (uint16_t)n), t + off, n);
	}
	if (tso) {
		m->ol_flags = RTE_MBUF_F_TX_TCP_SEG;
		m->tso_segsz = (uint16_t)tso;
	}
	return 0;
}

static void
write_config(const char *path, const struct opts *o)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		die("cannot write %s", path);
	fprintf(f, "{\"vtep\": {\"local_ip\": \"10.0.0.1/24\", \"uplink\": \"up\", \"mtu\": 9000,\n"
		"  \"neighbours\": [{\"ip\": \"10.0.0.2\", \"mac\": \"" REMOTE_MAC "\"}]},\n"
		" \"ports\": [{\"name\": \"up\", \"devargs\": \"net_ring_up\", \"role\": \"uplink\",\n"
		"             \"mac\": \"" UPLINK_MAC "\"},\n"
		"            {\"name\": \"vm\", \"devargs\": \"%s%s\", \"vlan\": 100}],\n"
		" \"tunnels\": [{\"name\": \"vx\", \"type\": \"vxlan\", \"remote_ip\": \"10.0.0.2\"}],\n"
		" \"segments\": [{\"vlan\": 100, \"vni\": 5000, \"flood\": [\"vx\"]}],\n"
		" \"fdb\": [{\"vlan\": 100, \"mac\": \"02:00:00:00:aa:01\", \"tunnel\": \"vx\"},\n"
		"         {\"vlan\": 100, \"mac\": \"02:00:00:00:00:0b\", \"port\": \"vm\"}]}\n",
		o->vhost ? "net_vhost0,iface=" : "net_ring_vm", o->vhost ? o->socket : "");
	fclose(f);
}

static void
parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "vm", 1, NULL, 'v' }, { "dir", 1, NULL, 'd' }, { "size", 1, NULL, 's' },
		{ "duration", 1, NULL, 't' }, { "warmup", 1, NULL, 'w' },
		{ "socket", 1, NULL, 'S' }, { "tso", 1, NULL, 'T' }, { NULL, 0, NULL, 0 },
	};
	int c;

	o->size = 64;
	o->duration = 5;
	o->warmup = 2;
	o->socket = "/tmp/vtep-vhost-bench.sock";
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'v': o->vhost = strcmp(optarg, "vhost") == 0; break;
		case 'd': o->decap = strcmp(optarg, "decap") == 0; break;
		case 's': o->size = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 't': o->duration = atof(optarg); break;
		case 'w': o->warmup = atof(optarg); break;
		case 'S': o->socket = optarg; break;
		case 'T': o->tso = (unsigned int)strtoul(optarg, NULL, 10); break;
		default: die("unknown option (see the comment at the top of %s)", __FILE__);
		}
	}
	if (o->size < 60 || o->size > (o->tso ? 65549u : 9000u))
		die("--size must be 60..9000 (65549 with --tso)");
	if (o->tso && (o->vhost || o->decap))
		die("--tso is for --vm ring --dir encap (a vhost guest's TSO: tests/vhost_tso.sh)");
}

/* A ring port named @p name with fresh rings; @p in is what vtepsw receives from. */
static void
ring_port(const char *name, struct rte_ring **in, struct rte_ring **out)
{
	char rn[32];

	snprintf(rn, sizeof(rn), "%s_in", name);
	*in = rte_ring_create(rn, 4096, rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(rn, sizeof(rn), "%s_out", name);
	*out = rte_ring_create(rn, 4096, rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (*in == NULL || *out == NULL || rte_eth_from_rings(name, in, 1, out, 1,
							      rte_socket_id()) < 0)
		die("cannot create ring port %s", name);
}

int
main(int argc, char **argv)
{
	struct rte_ring *up_in, *up_out, *vm_in = NULL, *vm_out = NULL, *gen, *sink;
	struct vtep_dp_worker_stats a, b;
	struct vtep_dp_params dpp = { 0 };
	char cfgpath[64], err[VTEP_DP_ERR_MAX], cerr[VTEP_CONFIG_ERR_MAX];
	static uint8_t tmpl[65536 + 4096];
	struct vtep_config cfg;
	struct rte_mempool *pool;
	struct opts o = { 0 };
	uint64_t hz, t0, t1, end, next_ctl = 0;
	unsigned int tlen, lcore;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		die("EAL initialisation failed: %s", rte_strerror(rte_errno));
	parse(argc - ret, argv + ret, &o);
	if (rte_lcore_count() != 2)
		die("give two lcores (-l 0-1): the main one feeds, the other forwards");
	pool = rte_pktmbuf_pool_create("bench", 32767, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	if (pool == NULL)
		die("cannot create the mbuf pool: %s", rte_strerror(rte_errno));
	ring_port("up", &up_in, &up_out);
	if (!o.vhost)
		ring_port("vm", &vm_in, &vm_out);
	snprintf(cfgpath, sizeof(cfgpath), "/tmp/vtep-vhost-bench-%d.json", (int)getpid());
	write_config(cfgpath, &o);
	if (vtep_config_load(cfgpath, &cfg, cerr) < 0)
		die("%s", cerr);
	unlink(cfgpath);
	dpp.n_workers = 1;
	dpp.pool = pool;
	dpp.socket_id = (int)rte_socket_id();
	vtep_clock_tick();
	if (vtep_dp_create(&dpp, &dp) < 0 || vtep_dp_apply_config(dp, &cfg, err) < 0)
		die("datapath: %s", err);
	tlen = make_template(&o, pool, tmpl);
	/* the generator feeds the ingress ring, the sink drains the egress one (if a ring) */
	gen = o.decap ? up_in : vm_in;
	sink = o.decap ? vm_out : up_out;
	lcore = rte_get_next_lcore(-1, 1, 0);
	rte_eal_remote_launch(worker, NULL, lcore);

	hz = rte_get_tsc_hz();
	if (o.vhost) {
		int vm = vtep_dp_port_find(dp, "vm");
		struct vtep_dp_port_info pi;

		memset(&pi, 0, sizeof(pi));
		for (int i = 0; i < 3000; i++) {
			vtep_dp_control(dp, vtep_clock_tick());
			if (vtep_dp_port_info(dp, (unsigned int)vm, &pi) == 0 && pi.link_up)
				break;
			rte_delay_ms(10);
		}
		if (!pi.link_up)
			die("no VM connected to %s within 30 s", o.socket);
	}
	t0 = rte_rdtsc();
	t1 = t0 + (uint64_t)(o.warmup * hz);
	end = t1 + (uint64_t)(o.duration * hz);
	memset(&a, 0, sizeof(a));
	while (rte_rdtsc() < end) {
		struct rte_mbuf *m[32];
		unsigned int n, done = 0;

		/* (TSO frames hold ~32 buffers each: keep fewer of them queued) */
		if (gen != NULL && rte_ring_count(gen) < (o.tso ? 96u : 2048u) &&
		    rte_pktmbuf_alloc_bulk(pool, m, 32) == 0) {
			n = 0;
			for (int i = 0; i < 32; i++)
				if (fill(m[i], pool, tmpl, tlen, o.tso) == 0)
					m[n++] = m[i];
			done = rte_ring_enqueue_burst(gen, (void **)m, n, NULL);
			rte_pktmbuf_free_bulk(&m[done], n - done);
		}
		if (sink != NULL)
			while ((n = rte_ring_dequeue_burst(sink, (void **)m, 32, NULL)) > 0) {
				rte_pktmbuf_free_bulk(m, n);
				done += n;
			}
		/* leave the shared CPU to the VM process when there is nothing to do */
		if (done == 0)
			rte_delay_us_sleep(20);
		if (rte_rdtsc() >= next_ctl) {
			vtep_dp_control(dp, vtep_clock_tick());
			next_ctl = rte_rdtsc() + hz / 1000;
		}
		if (t1 != 0 && rte_rdtsc() >= t1) {
			vtep_dp_worker_stats(dp, 0, &a);
			measuring = true;
			t1 = 0;
		}
	}
	measuring = false;
	vtep_dp_worker_stats(dp, 0, &b);
	stop = true;
	rte_eal_mp_wait_lcore();
	{
		uint64_t drop[VTEP_DROP__MAX], drops = 0;
		double pk = (double)(b.packets - a.packets);
		double busy = (double)(b.busy_cycles - a.busy_cycles);
		double all = busy + (double)(b.idle_cycles - a.idle_cycles);

		/* (all runs, warm-up included: any drop is worth knowing) */
		vtep_dp_drop_totals(dp, drop);
		for (unsigned int r = 0; r < VTEP_DROP__MAX; r++) {
			drops += drop[r];
			if (drop[r])
				fprintf(stderr, "drops: %s %" PRIu64 "\n", vtep_drop_name(r), drop[r]);
		}

		double cpp = clean.packets ? (double)clean.cycles / (double)clean.packets : 0;

		double payload = o.tso ? (double)(o.size - 54) * 8 : 0;

		printf("{\"vm\": \"%s\", \"dir\": \"%s\", \"size\": %u, \"tso\": %u, "
		       "\"tcp_gbps\": %.2f, \"tcp_capacity_gbps\": %.2f, \"seconds\": %.1f, "
		       "\"mpps\": %.3f, \"cycles_per_packet\": %.1f, \"busy_cycles_per_packet\": %.1f, "
		       "\"clean_cycles_per_packet\": %.1f, \"capacity_mpps\": %.3f, "
		       "\"preempted_polls\": %" PRIu64 ", \"tsc_mhz\": %.0f, \"drops\": %" PRIu64
		       "}\n", o.vhost ? "vhost" : "ring", o.decap ? "decap" : "encap", o.size,
		       o.tso, pk * payload / o.duration / 1e9,
		       /* a poll of 32 TSO frames outlasts the preemption filter: busy cycles */
		       busy > 0 ? (double)hz / (busy / pk) * payload / 1e9 : 0, o.duration, pk / o.duration / 1e6, pk ? all / pk : 0, pk ? busy / pk : 0, cpp,
		       cpp ? (double)hz / cpp / 1e6 : 0, clean.preempted, (double)hz / 1e6, drops);
	}
	vtep_dp_free(dp);
	vtep_config_clear(&cfg);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return 0;
}
