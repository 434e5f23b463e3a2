/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtepsw-bench: command line, EAL, the workload table, the polling loop on every lcore,
 * and the measurement timeline (warm-up, window, report). See bench.h for the design.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_version.h>

#include "bench.h"
#include "vtep_clock.h"
#include "vtep_log.h"
#include "vtep_port.h"

#define EXIT_USAGE 2

/* Every workload, in the order --help lists them. */
static const struct bench_workload *const workloads[] = {
	&bench_wl_encap,
	&bench_wl_decap,
	&bench_wl_bridge,
	&bench_wl_txonly,
	&bench_wl_rxonly,
};

static volatile sig_atomic_t quit;
static struct bench_ctx ctx;

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: vtepsw-bench [EAL options] -- --workload NAME [options]\n"
		"\n"
		"Measures vtepsw's fast path the way dpdk-testpmd measures a NIC: packets per\n"
		"second, Gbit/s, drops by reason, cycles per packet and latency, per port and per\n"
		"lcore. The forwarding workloads run vtepsw's own datapath library on the ports EAL\n"
		"probed (port 0 in, port 1 out); the generator workloads send or receive test\n"
		"traffic with timestamps in it.\n"
		"\n"
		"EAL options as for dpdk-testpmd: -l 0-1 (lcore 0 controls, the others poll; -l 0\n"
		"alone polls and controls in turns), --vdev/-a for ports, --no-huge -m MB,\n"
		"--file-prefix P, --no-pci.\n"
		"\n"
		"Workloads (--workload):\n");
	for (size_t i = 0; i < RTE_DIM(workloads); i++)
		fprintf(f, "  %-8s %s\n", workloads[i]->name, workloads[i]->summary);
	fprintf(f,
		"\n"
		"Options (after --):\n"
		"  -w, --workload NAME   one of the above (required)\n"
		"  -t, --tunnel TYPE     vxlan (default), nvgre or stt (encap/decap)\n"
		"      --template T      generator frames: vlan (default), untagged, vxlan, nvgre,\n"
		"                        stt (tunnel packets from the remote VTEP, for decap)\n"
		"  -s, --pkt-size BYTES  access-side frame size without FCS, VLAN tag included\n"
		"                        (default 64); tunnels carry it untagged inside\n"
		"  -f, --flows N         distinct inner flows, source IP/port (default 1)\n"
		"  -m, --macs N          distinct source MACs, learned by the datapath (default 1)\n"
		"  -b, --burst N         generator burst, 1..%u (default 32; the datapath forwards\n"
		"                        bursts of %u)\n"
		"  -d, --duration S      measured seconds (default 10; 0 = until Ctrl-C)\n"
		"      --warmup S        seconds of forwarding before measuring (default 1)\n"
		"      --stats-period S  print statistics every S seconds (default 1; 0 = off)\n"
		"      --rxq N           rx queues per port, spread over the polling lcores (default 1)\n"
		"      --txq N           generator tx queues (default: one per polling lcore)\n"
		"      --mtu N           underlay IP MTU of the datapath, 576..9216 (default 1500)\n"
		"      --vlan N          access VLAN (default 100)\n"
		"      --vni N           VNI / VSID / STT context (default 5000)\n"
		"      --mbufs N         packet buffers (default 16383). A net_pcap port with\n"
		"                        infinite_rx=1 keeps its whole file in this pool\n"
		"      --mbuf-size BYTES data room per buffer (default 2176; generators raise it\n"
		"                        to fit --pkt-size)\n"
		"      --fdb-capacity N  FDB entries (default 131072)\n"
		"      --tx-port N       txonly: the port that sends (default 0)\n"
		"      --count N         txonly: frames each lcore sends, then only receives\n"
		"      --json FILE       write the results (and the command, the machine) as JSON\n"
		"      --show-config     print the generated datapath config (JSON)\n"
		"  -q, --quiet           no banner and no periodic statistics\n"
		"  -h, --help, -V, --version\n"
		"\n"
		"Exit status: 0 after a run (also when stopped with Ctrl-C), 1 on an EAL or\n"
		"runtime error, 2 on a usage error.\n", BENCH_BURST_MAX, VTEP_BURST);
}

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

/* Parse an unsigned number in [lo, hi]. @return 0 or -1 (message printed). */
static int
num(const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || s[0] == '-' || s[0] == '\0' || v < lo || v > hi) {
		fprintf(stderr, "vtepsw-bench: %s: '%s' is not a number in %" PRIu64 "..%" PRIu64
			"\n", opt, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static int
seconds(const char *opt, const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (*end != '\0' || s[0] == '\0' || !(v >= 0) || v > 86400) {
		fprintf(stderr, "vtepsw-bench: %s: '%s' is not a number of seconds in 0..86400\n",
			opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

enum {
	OPT_TEMPLATE = 256, OPT_WARMUP, OPT_STATS, OPT_RXQ, OPT_TXQ, OPT_MTU, OPT_VLAN, OPT_VNI,
	OPT_MBUFS, OPT_MBUF_SIZE, OPT_FDB, OPT_TX_PORT, OPT_COUNT, OPT_JSON, OPT_SHOW_CONFIG,
};

/* Parse the application options. @return 0, -1 (help/version shown), or an exit status. */
static int
parse_opts(int argc, char **argv, struct bench_opts *o, bool *mbuf_size_set)
{
	static const struct option lopts[] = {
		{ "workload", required_argument, NULL, 'w' },
		{ "tunnel", required_argument, NULL, 't' },
		{ "template", required_argument, NULL, OPT_TEMPLATE },
		{ "pkt-size", required_argument, NULL, 's' },
		{ "flows", required_argument, NULL, 'f' },
		{ "macs", required_argument, NULL, 'm' },
		{ "burst", required_argument, NULL, 'b' },
		{ "duration", required_argument, NULL, 'd' },
		{ "warmup", required_argument, NULL, OPT_WARMUP },
		{ "stats-period", required_argument, NULL, OPT_STATS },
		{ "rxq", required_argument, NULL, OPT_RXQ },
		{ "txq", required_argument, NULL, OPT_TXQ },
		{ "mtu", required_argument, NULL, OPT_MTU },
		{ "vlan", required_argument, NULL, OPT_VLAN },
		{ "vni", required_argument, NULL, OPT_VNI },
		{ "mbufs", required_argument, NULL, OPT_MBUFS },
		{ "mbuf-size", required_argument, NULL, OPT_MBUF_SIZE },
		{ "fdb-capacity", required_argument, NULL, OPT_FDB },
		{ "tx-port", required_argument, NULL, OPT_TX_PORT },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "show-config", no_argument, NULL, OPT_SHOW_CONFIG },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":w:t:s:f:m:b:d:qhV", lopts, NULL)) != -1) {
		const char *name = argv[optind - 1];

		switch (c) {
		case 'w':
			o->workload = optarg;
			break;
		case 't':
			if (strcmp(optarg, "vxlan") == 0)
				o->tunnel = VTEP_TUNNEL_VXLAN;
			else if (strcmp(optarg, "nvgre") == 0)
				o->tunnel = VTEP_TUNNEL_NVGRE;
			else if (strcmp(optarg, "stt") == 0)
				o->tunnel = VTEP_TUNNEL_STT;
			else {
				fprintf(stderr, "vtepsw-bench: --tunnel: '%s' is not vxlan, nvgre or "
					"stt\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_TEMPLATE:
			o->tmpl = optarg;
			break;
		case 's':
			if (num("--pkt-size", optarg, 60, 65535, &v) < 0)
				return EXIT_USAGE;
			o->pkt_size = (uint32_t)v;
			break;
		case 'f':
			if (num("--flows", optarg, 1, BENCH_MAX_FLOWS, &v) < 0)
				return EXIT_USAGE;
			o->flows = (uint32_t)v;
			break;
		case 'm':
			if (num("--macs", optarg, 1, BENCH_MAX_MACS, &v) < 0)
				return EXIT_USAGE;
			o->macs = (uint32_t)v;
			break;
		case 'b':
			if (num("--burst", optarg, 1, BENCH_BURST_MAX, &v) < 0)
				return EXIT_USAGE;
			o->burst = (uint16_t)v;
			break;
		case 'd':
			if (seconds("--duration", optarg, &o->duration_s) < 0)
				return EXIT_USAGE;
			break;
		case OPT_WARMUP:
			if (seconds("--warmup", optarg, &o->warmup_s) < 0)
				return EXIT_USAGE;
			break;
		case OPT_STATS:
			if (seconds("--stats-period", optarg, &o->stats_period_s) < 0)
				return EXIT_USAGE;
			break;
		case OPT_RXQ:
		case OPT_TXQ:
			if (num(name, optarg, 1, VTEP_PORT_MAX_QUEUES, &v) < 0)
				return EXIT_USAGE;
			if (c == OPT_RXQ)
				o->rxq = (uint16_t)v;
			else
				o->txq = (uint16_t)v;
			break;
		case OPT_MTU:
			if (num("--mtu", optarg, 576, 9216, &v) < 0)
				return EXIT_USAGE;
			o->mtu = (uint16_t)v;
			break;
		case OPT_VLAN:
			if (num("--vlan", optarg, 1, 4094, &v) < 0)
				return EXIT_USAGE;
			o->vlan = (uint16_t)v;
			break;
		case OPT_VNI:
			if (num("--vni", optarg, 1, VTEP_VNI_MAX, &v) < 0)
				return EXIT_USAGE;
			o->vni = (uint32_t)v;
			break;
		case OPT_MBUFS:
			if (num("--mbufs", optarg, 1024, 1u << 26, &v) < 0)
				return EXIT_USAGE;
			o->mbufs = (uint32_t)v;
			break;
		case OPT_MBUF_SIZE:
			if (num("--mbuf-size", optarg, RTE_PKTMBUF_HEADROOM + 64, UINT16_MAX, &v) < 0)
				return EXIT_USAGE;
			o->mbuf_size = (uint32_t)v;
			*mbuf_size_set = true;
			break;
		case OPT_FDB:
			if (num("--fdb-capacity", optarg, 1024, 1u << 24, &v) < 0)
				return EXIT_USAGE;
			o->fdb_capacity = (uint32_t)v;
			break;
		case OPT_TX_PORT:
			if (num("--tx-port", optarg, 0, BENCH_MAX_PORTS - 1, &v) < 0)
				return EXIT_USAGE;
			o->tx_port = (uint16_t)v;
			break;
		case OPT_COUNT:
			if (num("--count", optarg, 0, UINT64_MAX, &v) < 0)
				return EXIT_USAGE;
			o->count = v;
			break;
		case OPT_JSON:
			o->json = optarg;
			break;
		case OPT_SHOW_CONFIG:
			o->show_config = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		case 'V':
			printf("vtepsw-bench %s (%s)\n", VTEPSW_VERSION, rte_version());
			return -1;
		case ':':
			fprintf(stderr, "vtepsw-bench: option '%s' needs a value (try --help)\n", name);
			return EXIT_USAGE;
		default:
			fprintf(stderr, "vtepsw-bench: unknown option '%s' (try --help)\n", name);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vtepsw-bench: unexpected argument '%s' (try --help)\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (o->workload == NULL) {
		fprintf(stderr, "vtepsw-bench: --workload NAME is required (try --help)\n");
		return EXIT_USAGE;
	}
	return 0;
}

static const struct bench_workload *
find_workload(const char *name)
{
	for (size_t i = 0; i < RTE_DIM(workloads); i++)
		if (strcmp(workloads[i]->name, name) == 0)
			return workloads[i];
	return NULL;
}

/* One poll iteration of @p lc with its accounting. */
static inline void
poll_once(struct bench_ctx *c, struct bench_lcore *lc)
{
	uint64_t t0 = rte_rdtsc(), t1;
	unsigned int n = c->wl->poll(c, lc);

	t1 = rte_rdtsc();
	lc->iterations++;
	if (n == 0) {
		lc->idle_cycles += t1 - t0;
		return;
	}
	lc->busy_cycles += t1 - t0;
	lc->packets += n;
	if (c->phase == BENCH_MEASURE)
		bench_hist_add(&lc->resid, t1 - t0, n);
}

static void
lcore_begin(struct bench_ctx *c, struct bench_lcore *lc)
{
	lc->cpu_clock_ok = pthread_getcpuclockid(pthread_self(), &lc->cpu_clock) == 0;
	if (c->wl->lcore_start != NULL)
		c->wl->lcore_start(c, lc);
	lc->started = true;
}

static void
lcore_end(struct bench_ctx *c, struct bench_lcore *lc)
{
	if (c->wl->lcore_stop != NULL)
		c->wl->lcore_stop(c, lc);
}

static int
lcore_main(void *arg)
{
	struct bench_lcore *lc = arg;

	lcore_begin(&ctx, lc);
	while (ctx.phase != BENCH_STOP)
		poll_once(&ctx, lc);
	lcore_end(&ctx, lc);
	return 0;
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/*
 * Run the main lcore's duties until @p until_s (or a signal): polling in single-lcore
 * mode, control work, and periodic statistics when @p last is given.
 */
static void
main_loop(struct bench_ctx *c, double until_s, struct bench_snapshot *last, double t_start)
{
	static struct bench_snapshot cur;

	while (!quit && (until_s <= 0 || bench_now_s() < until_s)) {
		uint64_t now = vtep_clock_tick();

		if (c->single) {
			for (int i = 0; i < 64; i++)
				poll_once(c, &c->lc[0]);
		} else {
			sleep_ms(1);
		}
		if (c->wl->control != NULL)
			c->wl->control(c, now);
		if (last != NULL && c->o.stats_period_s > 0 && !c->o.quiet &&
		    bench_now_s() - last->wall_s >= c->o.stats_period_s) {
			bench_snapshot(c, &cur);
			bench_print_period(c, last, &cur, cur.wall_s - t_start);
			*last = cur;
		}
	}
}

/* The command line as one string (for the JSON report). */
static void
save_cmdline(struct bench_ctx *c, int argc, char **argv)
{
	size_t used = 0;

	for (int i = 0; i < argc && used < sizeof(c->cmdline); i++)
		used += (size_t)snprintf(c->cmdline + used, sizeof(c->cmdline) - used, "%s%s",
					 i ? " " : "", argv[i]);
}

static void
banner(const struct bench_ctx *c)
{
	const struct bench_opts *o = &c->o;
	char name[RTE_ETH_NAME_MAX_LEN];

	printf("vtepsw-bench %s: workload %s, tunnel %s, %u-byte frames, %u flow(s), %u MAC(s)\n",
	       VTEPSW_VERSION, c->wl->name, vtep_tunnel_type_name(o->tunnel), o->pkt_size,
	       o->flows, o->macs);
	for (uint16_t i = 0; i < c->n_eth; i++) {
		rte_eth_dev_get_name_by_port(c->eth[i], name);
		printf("  port %u: %s\n", i, name);
	}
	if (c->single)
		printf("  lcore %u polls and controls (single lcore)\n", rte_get_main_lcore());
	else
		for (unsigned int i = 0; i < c->n_lcores; i++)
			printf("  lcore %u polls as worker %u\n", c->lc[i].lcore_id, i);
	printf("  warm-up %.1f s, then %s; Ctrl-C stops and reports\n", o->warmup_s,
	       o->duration_s > 0 ? "measure" : "measure until Ctrl-C");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	static struct bench_snapshot first, last, end;
	struct bench_ctx *c = &ctx;
	struct bench_opts *o = &c->o;
	char err[1024] = "";
	bool mbuf_size_set = false;
	int app_argc = 0, ret, rc = 0;
	unsigned int lcore, i = 0;
	char **app_argv;
	double t0;

	o->tunnel = VTEP_TUNNEL_VXLAN;
	o->pkt_size = 64;
	o->flows = 1;
	o->macs = 1;
	o->burst = VTEP_BURST;
	o->duration_s = 10;
	o->warmup_s = 1;
	o->stats_period_s = 1;
	o->rxq = 1;
	o->mtu = 1500;
	o->vlan = 100;
	o->vni = 5000;
	o->mbufs = 16383;
	o->mbuf_size = RTE_MBUF_DEFAULT_BUF_SIZE;
	save_cmdline(c, argc, argv);

	for (int k = 1; k < argc; k++)
		if (strcmp(argv[k], "--") == 0) {
			app_argc = argc - k;
			break;
		}
	for (int k = 1; k < argc; k++) {
		if (strcmp(argv[k], "-h") == 0 || strcmp(argv[k], "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[k], "-V") == 0 || strcmp(argv[k], "--version") == 0) {
			printf("vtepsw-bench %s (%s)\n", VTEPSW_VERSION, rte_version());
			return 0;
		}
	}
	if (app_argc == 0) {
		fprintf(stderr, "vtepsw-bench: missing '-- --workload NAME' after the EAL options "
			"(try --help)\n");
		return EXIT_USAGE;
	}
	app_argv = argv + (argc - app_argc);
	app_argv[0] = argv[0];
	ret = parse_opts(app_argc, app_argv, o, &mbuf_size_set);
	if (ret != 0)
		return ret < 0 ? 0 : ret;
	c->wl = find_workload(o->workload);
	if (c->wl == NULL) {
		fprintf(stderr, "vtepsw-bench: --workload: unknown workload '%s' (try --help)\n",
			o->workload);
		return EXIT_USAGE;
	}
	if (o->tmpl != NULL && c->wl != &bench_wl_txonly) {
		fprintf(stderr, "vtepsw-bench: --template applies to the txonly workload only\n");
		return EXIT_USAGE;
	}
	/* A generated frame lives in one buffer. */
	if (!mbuf_size_set && o->pkt_size + RTE_PKTMBUF_HEADROOM > o->mbuf_size)
		o->mbuf_size = RTE_MIN(o->pkt_size + RTE_PKTMBUF_HEADROOM, (uint32_t)UINT16_MAX);

	ret = rte_eal_init(argc - app_argc, argv);
	if (ret < 0) {
		fprintf(stderr, "vtepsw-bench: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	vtep_log_init();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	vtep_clock_tick();
	c->tsc_hz = rte_get_tsc_hz();

	c->n_lcores = rte_lcore_count() - 1;
	c->single = c->n_lcores == 0;
	if (c->single)
		c->n_lcores = 1;
	if (c->n_lcores > BENCH_MAX_LCORES) {
		fprintf(stderr, "vtepsw-bench: at most %u polling lcores are supported\n",
			BENCH_MAX_LCORES);
		rc = EXIT_USAGE;
		goto out;
	}
	if (o->txq == 0)
		o->txq = (uint16_t)c->n_lcores;
	c->lc = rte_zmalloc_socket("bench_lcores", sizeof(*c->lc) * c->n_lcores,
				   RTE_CACHE_LINE_SIZE, (int)rte_socket_id());
	if (c->lc == NULL) {
		fprintf(stderr, "vtepsw-bench: out of memory for the lcore state\n");
		rc = 1;
		goto out;
	}
	if (c->single) {
		c->lc[0].lcore_id = rte_get_main_lcore();
	} else {
		RTE_LCORE_FOREACH_WORKER(lcore) {
			c->lc[i].lcore_id = lcore;
			c->lc[i].idx = i;
			i++;
		}
	}
	RTE_ETH_FOREACH_DEV(i) {
		if (c->n_eth == BENCH_MAX_PORTS)
			break;
		c->eth[c->n_eth++] = (uint16_t)i;
	}

	c->pool = rte_pktmbuf_pool_create("bench_mbufs", o->mbufs, 256, 0, (uint16_t)o->mbuf_size,
					  (int)rte_socket_id());
	if (c->pool == NULL) {
		fprintf(stderr, "vtepsw-bench: cannot allocate %u packet buffers of %u bytes: %s "
			"(more memory: -m or hugepages; fewer: --mbufs)\n", o->mbufs, o->mbuf_size,
			rte_strerror(rte_errno));
		rc = 1;
		goto out;
	}
	c->heap_before = bench_heap_in_use();
	ret = c->wl->setup(c, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "vtepsw-bench: %s\n", err);
		if (strstr(err, "rx queue") != NULL)
			fprintf(stderr, "vtepsw-bench: hint: a net_pcap port with infinite_rx=1 "
				"loads its whole file into the pool: raise --mbufs\n");
		rc = ret == -EINVAL ? EXIT_USAGE : 1;
		goto out;
	}
	c->heap_after_setup = bench_heap_in_use();
	if (!o->quiet)
		banner(c);

	c->phase = BENCH_WARMUP;
	if (c->single) {
		lcore_begin(c, &c->lc[0]);
	} else {
		for (i = 0; i < c->n_lcores; i++)
			rte_eal_remote_launch(lcore_main, &c->lc[i], c->lc[i].lcore_id);
		for (i = 0; i < c->n_lcores; i++)
			while (!c->lc[i].started)
				rte_pause();
	}
	t0 = bench_now_s();
	main_loop(c, t0 + o->warmup_s, NULL, t0);
	bench_snapshot(c, &first);
	last = first;
	c->phase = BENCH_MEASURE;
	main_loop(c, o->duration_s > 0 ? first.wall_s + o->duration_s : 0, &last, first.wall_s);
	c->phase = BENCH_DRAIN;
	bench_snapshot(c, &end);
	c->phase = BENCH_STOP;
	if (c->single)
		lcore_end(c, &c->lc[0]);
	else
		rte_eal_mp_wait_lcore();
	if (c->wl->control != NULL)
		c->wl->control(c, vtep_clock_tick());
	if (bench_report(c, &first, &end) < 0)
		rc = 1;
out:
	if (c->wl != NULL && c->wl->teardown != NULL)
		c->wl->teardown(c);
	rte_mempool_free(c->pool);
	rte_free(c->lc);
	rte_eal_cleanup();
	return rc;
}
