/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtepsw: the daemon. Parses the command line, loads the config, initialises EAL, builds
 * the datapath, runs worker lcores and the control loop on the main lcore, and shuts down
 * cleanly on SIGINT/SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_version.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pdump.h>

#include "vtep_clock.h"
#include "vtep_config.h"
#include "vtep_dp.h"
#include "vtep_log.h"
#include "vtep_mgmt.h"

#define EXIT_USAGE 2
#define DEFAULT_MBUFS 16383
#define DEFAULT_CTL_DIR "/run/vtepsw"
#define DEFAULT_CTL_SOCKET DEFAULT_CTL_DIR "/vtepsw.sock"

static volatile sig_atomic_t quit;
static volatile sig_atomic_t exit_status;

/*
 * Seconds the shutdown may take. EAL cleanup and freeing shared memory take locks that live
 * in the hugepage shared memory; a DPDK secondary process (dpdk-dumpcap, dpdk-pdump,
 * dpdk-proc-info) killed while holding one leaves it held forever, and the primary would
 * spin in rte_eal_cleanup() without end. The config is saved at every change, so nothing is
 * lost by leaving without the cleanup.
 */
#define TEARDOWN_TIMEOUT_S 10

/*
 * Held by the control thread while it changes the datapath model (control housekeeping,
 * management requests) and by the telemetry callbacks while they read it.
 */
static pthread_mutex_t model_lock = PTHREAD_MUTEX_INITIALIZER;

struct opts {
	const char *config;
	const char *ctl_socket;
	const char *log_level;
	unsigned int mbufs;
	unsigned int stats_period;
	unsigned int idle_sleep_us;
	unsigned int mbuf_size;
	enum vtep_dp_uplink_tso uplink_tso;
};

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: vtepsw [EAL options] -- --config FILE [--ctl-socket PATH] [--log-level LEVEL]\n"
		"\n"
		"A DPDK userspace virtual switch that is the tunnel endpoint (VTEP) of an overlay:\n"
		"local 802.1Q VLANs are mapped to VXLAN/NVGRE/STT segments (VNIs).\n"
		"\n"
		"EAL options pin cores and devices exactly as for dpdk-testpmd, e.g.\n"
		"  -l 0-2 (main lcore 0 runs control, lcores 1-2 forward; -l 0 does both),\n"
		"  -a 0000:3b:00.0, --vdev net_tap0,iface=tap0, --no-huge -m 256, --file-prefix P.\n"
		"\n"
		"Options (after --):\n"
		"  -c, --config FILE       JSON configuration (see README: Configuration). Required.\n"
		"  -s, --ctl-socket PATH   management socket for vtepctl, mode 0660\n"
		"                          (default " DEFAULT_CTL_SOCKET "); run-time changes\n"
		"                          are saved back to the config file\n"
		"  -L, --log-level LEVEL   vtepsw log level: err, warning, notice, info, debug\n"
		"      --mbufs N           packet buffers in the pool (default %u)\n"
		"      --mbuf-size BYTES   data room of each buffer, 2176..65535 (default 2176);\n"
		"                          ports that copy a frame into one buffer (net_af_packet)\n"
		"                          need it above their largest frame\n"
		"      --stats-period S    log port counters every S seconds (default 0: only at exit)\n"
		"      --idle-sleep US     sleep US microseconds when a poll loop has seen no packet\n"
		"                          for 256 rounds (default 0: pure busy polling)\n"
		"      --uplink-tso MODE   STT segmentation by the uplink device (TSO): auto\n"
		"                          (default) where the device does it, not where its\n"
		"                          driver does it in software (net_tap); on: wherever\n"
		"                          it takes TSO; off: never, nor checksum offload\n"
		"  -h, --help              show this help and exit\n"
		"  -V, --version           show the version and exit\n"
		"\n"
		"Exit status: 0 after a clean stop (SIGINT/SIGTERM), 1 on a runtime or EAL error,\n"
		"2 on a usage or configuration error.\n", DEFAULT_MBUFS);
}

/* SIGALRM during the shutdown: the cleanup is stuck on a lock; leave without it. */
static void
on_teardown_timeout(int sig)
{
	static const char msg[] = "vtepsw: shutdown stuck for " RTE_STR(TEARDOWN_TIMEOUT_S)
		" s (a DPDK secondary process such as dpdk-dumpcap probably died holding a "
		"shared-memory lock); exiting without EAL cleanup\n";
	ssize_t n;

	(void)sig;
	n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)n;
	_exit(exit_status);
}

/* Bound the rest of the shutdown to TEARDOWN_TIMEOUT_S; @p rc is the exit status then. */
static void
arm_teardown_watchdog(int rc)
{
	exit_status = rc;
	signal(SIGALRM, on_teardown_timeout);
	alarm(TEARDOWN_TIMEOUT_S);
}

static void
on_signal(int sig)
{
	static const char msg[] = "vtepsw: second signal during shutdown, exiting now\n";
	ssize_t n;

	(void)sig;
	if (quit) {
		n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
		(void)n;
		_exit(1);
	}
	quit = 1;
}

/* Parse the application options (after EAL's). @return 0, or the exit status to use. */
static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "ctl-socket", required_argument, NULL, 's' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "mbufs", required_argument, NULL, 'm' },
		{ "stats-period", required_argument, NULL, 'p' },
		{ "idle-sleep", required_argument, NULL, 'i' },
		{ "mbuf-size", required_argument, NULL, 'b' },
		{ "uplink-tso", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:s:L:hV", lopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 's':
			o->ctl_socket = optarg;
			break;
		case 'L':
			o->log_level = optarg;
			break;
		case 'm':
			o->mbufs = (unsigned int)strtoul(optarg, &end, 10);
			if (*end != '\0' || o->mbufs < 1024 || o->mbufs > 16777215) {
				fprintf(stderr, "vtepsw: --mbufs: '%s' is not a number in 1024..16777215\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'p':
			o->stats_period = (unsigned int)strtoul(optarg, &end, 10);
			if (*end != '\0') {
				fprintf(stderr, "vtepsw: --stats-period: '%s' is not a number\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'b':
			o->mbuf_size = (unsigned int)strtoul(optarg, &end, 10);
			if (*end != '\0' || o->mbuf_size < RTE_MBUF_DEFAULT_BUF_SIZE ||
			    o->mbuf_size > UINT16_MAX) {
				fprintf(stderr, "vtepsw: --mbuf-size: '%s' is not a number in %u..%u\n",
					optarg, RTE_MBUF_DEFAULT_BUF_SIZE, UINT16_MAX);
				return EXIT_USAGE;
			}
			break;
		case 'i':
			o->idle_sleep_us = (unsigned int)strtoul(optarg, &end, 10);
			if (*end != '\0' || o->idle_sleep_us > 100000) {
				fprintf(stderr, "vtepsw: --idle-sleep: '%s' is not a number in 0..100000\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'T':
			if (strcmp(optarg, "auto") == 0) {
				o->uplink_tso = VTEP_DP_UPLINK_TSO_AUTO;
			} else if (strcmp(optarg, "on") == 0) {
				o->uplink_tso = VTEP_DP_UPLINK_TSO_ON;
			} else if (strcmp(optarg, "off") == 0) {
				o->uplink_tso = VTEP_DP_UPLINK_TSO_OFF;
			} else {
				fprintf(stderr, "vtepsw: --uplink-tso: '%s' is not auto, on or off\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return -1;
		case 'V':
			printf("vtepsw %s (%s)\n", VTEPSW_VERSION, rte_version());
			return -1;
		case ':':
			fprintf(stderr, "vtepsw: option '%s' needs a value (try --help)\n",
				argv[optind - 1]);
			return EXIT_USAGE;
		default:
			fprintf(stderr, "vtepsw: unknown option '%s' (try --help)\n", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vtepsw: unexpected argument '%s' (try --help)\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (o->config == NULL) {
		fprintf(stderr, "vtepsw: --config FILE is required (try --help)\n");
		return EXIT_USAGE;
	}
	return 0;
}

struct worker_arg {
	struct vtep_dp *dp;
	unsigned int id;
	unsigned int idle_sleep_us;
};

/* Optional back-off for shared machines: only after 256 empty polls, never per packet. */
static inline void
idle_backoff(unsigned int got, unsigned int *empty, unsigned int us)
{
	struct timespec ts = { 0, 0 };

	if (got) {
		*empty = 0;
		return;
	}
	if (us == 0 || ++*empty < 256)
		return;
	ts.tv_nsec = (long)us * 1000;
	nanosleep(&ts, NULL);
}

static int
worker_main(void *arg)
{
	struct worker_arg *wa = arg;
	unsigned int empty = 0;

	vtep_dp_worker_start(wa->dp, wa->id);
	VTEP_LOG(MAIN, INFO, "worker %u polling on lcore %u", wa->id, rte_lcore_id());
	while (!quit)
		idle_backoff(vtep_dp_poll(wa->dp, wa->id), &empty, wa->idle_sleep_us);
	vtep_dp_worker_stop(wa->dp, wa->id);
	return 0;
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Open the management socket (creating the default directory) and register telemetry. */
static int
mgmt_start(const struct opts *o, struct vtep_dp *dp, const struct vtep_config *cfg,
	   const unsigned int *lcores, struct vtep_mgmt_service **out)
{
	struct vtep_mgmt_service_params mp = { 0 };
	char err[VTEP_MGMT_ERR_MAX];
	int ret;

	if (o->ctl_socket == NULL) {
		if (mkdir(DEFAULT_CTL_DIR, 0755) < 0 && errno != EEXIST) {
			fprintf(stderr, "vtepsw: %s: cannot create directory: %s (use --ctl-socket)\n",
				DEFAULT_CTL_DIR, strerror(errno));
			return -errno;
		}
	}
	mp.dp = dp;
	mp.socket_path = o->ctl_socket ? o->ctl_socket : DEFAULT_CTL_SOCKET;
	mp.socket_mode = 0660;
	mp.config_path = o->config;
	mp.startup = cfg;
	memcpy(mp.worker_lcores, lcores, sizeof(mp.worker_lcores));
	ret = vtep_mgmt_service_create(&mp, out, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "vtepsw: management socket: %s\n", err);
		return ret;
	}
	ret = vtep_mgmt_telemetry_register(dp, &model_lock);
	if (ret < 0)
		VTEP_LOG(MAIN, WARNING, "telemetry commands not registered: %s", strerror(-ret));
	/* dpdk-dumpcap/dpdk-pdump attach as secondary processes (needs shared memory:
	 * hugepages, not --no-huge) */
	if (rte_pdump_init() < 0)
		VTEP_LOG(MAIN, WARNING, "packet capture (pdump) unavailable: %s",
			 rte_strerror(rte_errno));
	return 0;
}

int
main(int argc, char **argv)
{
	struct worker_arg wargs[VTEP_MAX_WORKERS];
	unsigned int wlcores[VTEP_MAX_WORKERS] = { 0 };
	struct vtep_mgmt_service *mgmt = NULL;
	struct vtep_dp_params dpp = { 0 };
	struct opts o = { .mbufs = DEFAULT_MBUFS, .mbuf_size = RTE_MBUF_DEFAULT_BUF_SIZE };
	char cerr[VTEP_CONFIG_ERR_MAX];
	char derr[VTEP_DP_ERR_MAX];
	struct vtep_config cfg;
	struct rte_mempool *pool = NULL;
	struct vtep_dp *dp = NULL;
	unsigned int n_workers, lcore, wi = 0;
	uint64_t last_stats, last_mgmt = 0;
	unsigned int empty = 0;
	int app_argc = 0, ret, rc = 0;
	char **app_argv;
	bool single;

	/* Split "EAL args -- app args"; --help/--version work without EAL. */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			app_argc = argc - i;
			break;
		}
	app_argv = argv + (argc - app_argc);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			continue;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0) {
			printf("vtepsw %s (%s)\n", VTEPSW_VERSION, rte_version());
			return 0;
		}
	}
	if (app_argc == 0) {
		fprintf(stderr, "vtepsw: missing '-- --config FILE' after the EAL options "
			"(try --help)\n");
		return EXIT_USAGE;
	}
	app_argv[0] = argv[0];
	ret = parse_opts(app_argc, app_argv, &o);
	if (ret != 0)
		return ret < 0 ? 0 : ret;

	/* The config is validated before EAL so errors are quick and nothing starts. */
	ret = vtep_config_load(o.config, &cfg, cerr);
	if (ret < 0) {
		fprintf(stderr, "vtepsw: %s\n", cerr);
		return EXIT_USAGE;
	}

	ret = rte_eal_init(argc - app_argc, argv);
	if (ret < 0) {
		if (rte_errno != 0)
			fprintf(stderr, "vtepsw: EAL initialisation failed: %s\n",
				rte_strerror(rte_errno));
		else /* e.g. the --file-prefix is held by another DPDK process */
			fprintf(stderr, "vtepsw: EAL initialisation failed; the EAL's messages above "
				"say why (another process using the same --file-prefix?)\n");
		vtep_config_clear(&cfg);
		return 1;
	}
	vtep_log_init();
	if (o.log_level != NULL && vtep_log_set_level(o.log_level) < 0) {
		fprintf(stderr, "vtepsw: --log-level: unknown level '%s' (err, warning, notice, "
			"info, debug)\n", o.log_level);
		rc = EXIT_USAGE;
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	vtep_clock_tick();

	n_workers = rte_lcore_count() - 1;
	single = n_workers == 0;
	if (single)
		n_workers = 1;
	if (n_workers > VTEP_MAX_WORKERS) {
		fprintf(stderr, "vtepsw: at most %u worker lcores are supported\n", VTEP_MAX_WORKERS);
		rc = EXIT_USAGE;
		goto out;
	}
	pool = rte_pktmbuf_pool_create("vtep_mbufs", o.mbufs, 256, 0, (uint16_t)o.mbuf_size,
				       (int)rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "vtepsw: cannot allocate %u packet buffers: %s (more memory: -m, or "
			"hugepages; fewer: --mbufs)\n", o.mbufs, rte_strerror(rte_errno));
		rc = 1;
		goto out;
	}
	dpp.n_workers = n_workers;
	dpp.main_forwards = single;
	dpp.pool = pool;
	dpp.socket_id = (int)rte_socket_id();
	/* each worker's state on its lcore's NUMA node (workers take the lcores in EAL order) */
	dpp.worker_socket_set = true;
	if (single) {
		dpp.worker_socket[0] = (int)rte_socket_id();
	} else {
		RTE_LCORE_FOREACH_WORKER(lcore)
			dpp.worker_socket[wi++] = (int)rte_lcore_to_socket_id(lcore);
		wi = 0;
	}
	dpp.stt_reasm_kb = cfg.vtep.stt_reasm_mem_kb;
	dpp.stt_reasm_timeout_ms = cfg.vtep.stt_reasm_timeout_ms;
	dpp.uplink_tso = o.uplink_tso;
	ret = vtep_dp_create(&dpp, &dp);
	if (ret < 0) {
		fprintf(stderr, "vtepsw: cannot create the datapath: %s\n", strerror(-ret));
		rc = 1;
		goto out;
	}
	ret = vtep_dp_apply_config(dp, &cfg, derr);
	if (ret < 0) {
		fprintf(stderr, "vtepsw: %s\n", derr);
		rc = EXIT_USAGE;
		goto out;
	}
	if (single) {
		wlcores[0] = rte_get_main_lcore();
	} else {
		RTE_LCORE_FOREACH_WORKER(lcore)
			wlcores[wi++] = lcore;
		wi = 0;
	}
	if (mgmt_start(&o, dp, &cfg, wlcores, &mgmt) < 0) {
		rc = 1;
		goto out;
	}
	VTEP_LOG(MAIN, NOTICE, "vtepsw %s started: %u port(s), %u tunnel(s), %u segment(s), "
		 "%u worker(s)%s", VTEPSW_VERSION, cfg.n_ports, cfg.n_tunnels, cfg.n_segments,
		 n_workers, single ? " on the main lcore" : "");
	printf("vtepsw: running (%s); Ctrl-C to stop\n", o.config);
	fflush(stdout);

	if (!single) {
		RTE_LCORE_FOREACH_WORKER(lcore) {
			wargs[wi].dp = dp;
			wargs[wi].id = wi;
			wargs[wi].idle_sleep_us = o.idle_sleep_us;
			rte_eal_remote_launch(worker_main, &wargs[wi], lcore);
			wi++;
		}
	} else {
		vtep_dp_worker_start(dp, 0);
	}
	last_stats = vtep_clock_tick();
	while (!quit) {
		uint64_t now = vtep_clock_tick();

		if (single) {
			unsigned int got = 0;

			for (int i = 0; i < 64; i++)
				got += vtep_dp_poll(dp, 0);
			idle_backoff(got, &empty, o.idle_sleep_us / 4 + (o.idle_sleep_us ? 1 : 0));
		} else {
			sleep_ms(1);
		}
		pthread_mutex_lock(&model_lock);
		vtep_dp_control(dp, now);
		if (now != last_mgmt) {
			last_mgmt = now;
			vtep_mgmt_service_poll(mgmt);
		}
		if (o.stats_period && now - last_stats >= o.stats_period * 1000ull) {
			last_stats = now;
			vtep_dp_log_counters(dp);
		}
		pthread_mutex_unlock(&model_lock);
	}
	/* from here on the model changes without the lock: telemetry stops reading it */
	pthread_mutex_lock(&model_lock);
	vtep_mgmt_telemetry_detach();
	pthread_mutex_unlock(&model_lock);
	VTEP_LOG(MAIN, NOTICE, "stopping");
	arm_teardown_watchdog(0);
	if (single)
		vtep_dp_worker_stop(dp, 0);
	else
		rte_eal_mp_wait_lcore();
	vtep_dp_control(dp, vtep_clock_tick());
	vtep_dp_log_counters(dp);
	printf("vtepsw: stopped\n");
out:
	arm_teardown_watchdog(rc);
	pthread_mutex_lock(&model_lock);
	vtep_mgmt_telemetry_detach();
	pthread_mutex_unlock(&model_lock);
	if (mgmt != NULL)
		rte_pdump_uninit();
	vtep_mgmt_service_free(mgmt);
	vtep_dp_free(dp);
	rte_mempool_free(pool);
	vtep_config_clear(&cfg);
	rte_eal_cleanup();
	return rc;
}
