/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The af_xdp port driver: an uplink that shares its NIC with the host. DPDK's af_xdp PMD
 * opens the AF_XDP sockets and attaches our XDP steering program (devargs xdp_prog=, added
 * here unless given); this driver checks the program before that (so a missing or
 * verifier-rejected program is a clear start-up error), replaces a stale copy a crashed
 * vtepsw left on the interface, fills the program's maps from the datapath's tables
 * (set_steering, no reload) and reads its per-reason counters (xstats).
 *
 * Everything here runs on the control thread; the fast path only sees the ethdev.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "vtep_log.h"
#include "vtep_port_provider.h"
#include "vtep_xdp.h"

/* The PMD needs this many buffers to fill its rings (see README, AF_XDP uplinks). */
#define XDP_MIN_MBUFS 4096

enum xdp_map {
	XDP_MAP_CFG,
	XDP_MAP_ADDR4,
	XDP_MAP_ADDR6,
	XDP_MAP_UDP,
	XDP_MAP_STATS,
	XDP_MAP_QSTATS,
	XDP_MAP__MAX
};

static const char *const xdp_map_names[XDP_MAP__MAX] = {
	[XDP_MAP_CFG] = VTEP_XDP_MAP_CFG,
	[XDP_MAP_ADDR4] = VTEP_XDP_MAP_ADDR4,
	[XDP_MAP_ADDR6] = VTEP_XDP_MAP_ADDR6,
	[XDP_MAP_UDP] = VTEP_XDP_MAP_UDP,
	[XDP_MAP_STATS] = VTEP_XDP_MAP_STATS,
	[XDP_MAP_QSTATS] = VTEP_XDP_MAP_QSTATS,
};

#define XDP_REASON_NAME(id, name) name,
static const char *const xdp_reason_names[VTEP_XDP__MAX] = {
	VTEP_XDP_REASONS(XDP_REASON_NAME)
};
#undef XDP_REASON_NAME

/* Driver state of one af_xdp port, found by ethdev port id. */
struct xdp_port {
	char ifname[IF_NAMESIZE];
	int ifindex;
	uint32_t prog_id;
	int prog_fd;
	int map_fd[XDP_MAP__MAX];
	uint16_t n_rxq;
	int saved_if_flags;         /* interface flags before we opened it (-1: unknown) */
	bool steering_set;
	struct vtep_port_steering applied;
};

static struct xdp_port *xdp_ports[RTE_MAX_ETHPORTS];

/* ------------------------------------------------------------------ devargs */

static bool
af_xdp_match(const char *devargs)
{
	return strncmp(devargs, "net_af_xdp", strlen("net_af_xdp")) == 0;
}

/* Value of "key=" in comma-separated devargs (after the device name), or false. */
static bool
devargs_get(const char *devargs, const char *key, char *val, size_t len)
{
	size_t klen = strlen(key);
	const char *p = strchr(devargs, ',');

	while (p != NULL) {
		const char *s = p + 1;
		size_t n;

		p = strchr(s, ',');
		n = p ? (size_t)(p - s) : strlen(s);
		if (n > klen && strncmp(s, key, klen) == 0 && s[klen] == '=') {
			n -= klen + 1;
			if (n >= len)
				n = len - 1;
			memcpy(val, s + klen + 1, n);
			val[n] = '\0';
			return true;
		}
	}
	return false;
}

/* The program this binary was built with: the build tree's for a binary run from the
 * build tree, the installed one otherwise. */
static void
default_prog_path(char *path, size_t len)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = '\0';
		if (strncmp(exe, VTEP_BUILD_ROOT "/", strlen(VTEP_BUILD_ROOT "/")) == 0) {
			snprintf(path, len, "%s", VTEP_XDP_PROG_BUILD);
			return;
		}
	}
	snprintf(path, len, "%s", VTEP_XDP_PROG_INSTALLED);
}

/* ------------------------------------------------------------ program checks */

/* libbpf's messages while we load the program ourselves (the verifier log on failure). */
static char *load_log;
static size_t load_log_len, load_log_size;

static int
capture_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int n;

	if (level == LIBBPF_DEBUG || load_log == NULL || load_log_len + 1 >= load_log_size)
		return 0;
	n = vsnprintf(load_log + load_log_len, load_log_size - load_log_len, fmt, ap);
	if (n > 0)
		load_log_len = RTE_MIN(load_log_len + (size_t)n, load_log_size - 1);
	return 0;
}

/* The verifier's reason: the last line of the load log before its "processed N insns"
 * summary (or the last line at all). */
static void
verifier_reason(const char *log, char *out, size_t len)
{
	const char *end = strstr(log, "-- END PROG LOAD LOG --");
	const char *stop = strstr(log, "\nprocessed ");
	const char *line = NULL, *p = log, *q;

	if (stop != NULL && (end == NULL || stop < end))
		end = stop;
	if (end == NULL)
		end = log + strlen(log);
	/* the last non-empty line that ends before @end */
	while (p < end) {
		q = memchr(p, '\n', (size_t)(end - p));
		if (q == NULL)
			q = end;
		if (q > p && strncmp(p, "-- BEGIN", 8) != 0 && strncmp(p, "libbpf:", 7) != 0)
			line = p;
		p = q + 1;
	}
	if (line == NULL) {
		snprintf(out, len, "no verifier log");
		return;
	}
	q = memchr(line, '\n', (size_t)(end - line));
	snprintf(out, len, "%.*s", (int)((q ? q : end) - line), line);
}

/*
 * Load the program once ourselves, so that what the PMD will do cannot fail without a
 * message naming the cause: a missing file, not a BPF object, rejected by the verifier,
 * or not a vtepsw steering program.
 */
static int
check_program(const char *path, char *err, size_t errlen)
{
	char logbuf[16384] = "", reason[256];
	libbpf_print_fn_t old;
	struct bpf_object *obj;
	int ret;

	if (access(path, R_OK) != 0) {
		ret = -errno;
		snprintf(err, errlen, "XDP program '%s' cannot be read: %s", path, strerror(errno));
		return ret;
	}
	load_log = logbuf;
	load_log_len = 0;
	load_log_size = sizeof(logbuf);
	old = libbpf_set_print(capture_libbpf);
	obj = bpf_object__open_file(path, NULL);
	ret = obj == NULL ? -errno : (int)libbpf_get_error(obj);
	if (ret < 0) {
		libbpf_strerror(ret, reason, sizeof(reason));
		snprintf(err, errlen, "XDP program '%s' is not a BPF object file: %s", path,
			 reason);
		obj = NULL;
		goto out;
	}
	if (bpf_object__next_program(obj, NULL) == NULL) {
		snprintf(err, errlen, "XDP program '%s' holds no program", path);
		ret = -EINVAL;
		goto out;
	}
	ret = bpf_object__load(obj);
	if (ret < 0) {
		if (strstr(logbuf, "BEGIN PROG LOAD LOG") != NULL) {
			verifier_reason(logbuf, reason, sizeof(reason));
			snprintf(err, errlen, "XDP program '%s' was rejected by the kernel "
				 "verifier: %s", path, reason);
		} else {
			libbpf_strerror(ret, reason, sizeof(reason));
			snprintf(err, errlen, "cannot load XDP program '%s': %s (loading needs "
				 "root, or CAP_BPF and CAP_NET_ADMIN)", path, reason);
		}
		goto out;
	}
	for (unsigned int i = 0; i < XDP_MAP__MAX; i++)
		if (bpf_object__find_map_by_name(obj, xdp_map_names[i]) == NULL) {
			snprintf(err, errlen, "XDP program '%s' is not a vtepsw steering program "
				 "(it has no map '%s')", path, xdp_map_names[i]);
			ret = -EINVAL;
			goto out;
		}
	if (bpf_object__find_map_by_name(obj, VTEP_XDP_MAP_XSKS) == NULL) {
		snprintf(err, errlen, "XDP program '%s' has no map '%s' for the AF_XDP sockets",
			 path, VTEP_XDP_MAP_XSKS);
		ret = -EINVAL;
	}
out:
	bpf_object__close(obj);
	libbpf_set_print(old);
	load_log = NULL;
	return ret;
}

/* ------------------------------------------------- the program on the interface */

/* Name and fd of the program with id @p id. @return fd or -errno. */
static int
prog_by_id(uint32_t id, struct bpf_prog_info *info)
{
	uint32_t len = sizeof(*info);
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return -errno;
	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

/* Open the maps of program @p prog_fd by name into @p fds. @return 0 or -ENOENT. */
static int
prog_maps(int prog_fd, int fds[XDP_MAP__MAX])
{
	struct bpf_prog_info info;
	uint32_t ids[32], len = sizeof(info);
	unsigned int n;

	for (unsigned int i = 0; i < XDP_MAP__MAX; i++)
		fds[i] = -1;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = RTE_DIM(ids);
	info.map_ids = (uint64_t)(uintptr_t)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) < 0)
		return -errno;
	n = RTE_MIN(info.nr_map_ids, (uint32_t)RTE_DIM(ids));
	for (unsigned int k = 0; k < n; k++) {
		struct bpf_map_info mi;
		uint32_t mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[k]);
		bool kept = false;

		if (fd < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		if (bpf_obj_get_info_by_fd(fd, &mi, &mlen) == 0)
			for (unsigned int i = 0; i < XDP_MAP__MAX; i++)
				if (fds[i] < 0 && strcmp(mi.name, xdp_map_names[i]) == 0) {
					fds[i] = fd;
					kept = true;
					break;
				}
		if (!kept)
			close(fd);
	}
	for (unsigned int i = 0; i < XDP_MAP__MAX; i++)
		if (fds[i] < 0)
			return -ENOENT;
	return 0;
}

static void
close_fds(int *fds, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

/* True if @p pid is a live vtepsw process other than us. */
static bool
vtepsw_alive(uint32_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	if (pid == 0 || pid == (uint32_t)getpid() || (kill((pid_t)pid, 0) < 0 && errno == ESRCH))
		return false;
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	if (fgets(comm, sizeof(comm), f) == NULL)
		comm[0] = '\0';
	fclose(f);
	return strncmp(comm, "vtepsw", 6) == 0;
}

/* Detach program @p fd (id @p id) from @p ifindex, whichever mode it is attached in. */
static int
detach_prog(int ifindex, int fd)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	LIBBPF_OPTS(bpf_xdp_attach_opts, a, .old_prog_fd = fd);
	uint32_t mode = 0;

	if (bpf_xdp_query(ifindex, 0, &q) < 0)
		return -errno;
	if (q.attach_mode == XDP_ATTACHED_SKB)
		mode = XDP_FLAGS_SKB_MODE;
	else if (q.attach_mode == XDP_ATTACHED_DRV)
		mode = XDP_FLAGS_DRV_MODE;
	else if (q.attach_mode == XDP_ATTACHED_HW)
		mode = XDP_FLAGS_HW_MODE;
	return bpf_xdp_detach(ifindex, mode | XDP_FLAGS_REPLACE, &a);
}

/*
 * Before the PMD attaches our program: an interface with no program is fine; one with a
 * vtepsw program whose process is gone (a crash, SIGKILL) is cleaned; anything else is an
 * error naming what is there.
 */
static int
clear_stale(const char *ifname, int ifindex, char *err, size_t errlen)
{
	struct bpf_prog_info info;
	struct vtep_xdp_cfg cfg = { 0 };
	int fds[XDP_MAP__MAX];
	uint32_t id = 0, key = 0;
	int fd, ret;

	if (bpf_xdp_query_id(ifindex, 0, &id) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot query the XDP program of interface '%s': %s", ifname,
			 strerror(errno));
		return ret;
	}
	if (id == 0)
		return 0;
	fd = prog_by_id(id, &info);
	if (fd < 0) {
		snprintf(err, errlen, "cannot inspect XDP program id %u on interface '%s': %s", id,
			 ifname, strerror(-fd));
		return fd;
	}
	if (strcmp(info.name, VTEP_XDP_PROG_NAME) != 0) {
		snprintf(err, errlen, "interface '%s' already has XDP program '%s' (id %u), not "
			 "vtepsw's; detach it (ip link set dev %s xdp off) or use another "
			 "interface", ifname, info.name, id, ifname);
		close(fd);
		return -EBUSY;
	}
	if (prog_maps(fd, fds) == 0)
		bpf_map_lookup_elem(fds[XDP_MAP_CFG], &key, &cfg);
	close_fds(fds, XDP_MAP__MAX);
	if (vtepsw_alive(cfg.owner_pid)) {
		snprintf(err, errlen, "interface '%s' is in use by vtepsw process %u (XDP program "
			 "id %u)", ifname, cfg.owner_pid, id);
		close(fd);
		return -EBUSY;
	}
	ret = detach_prog(ifindex, fd);
	close(fd);
	if (ret < 0) {
		snprintf(err, errlen, "cannot remove the stale vtepsw XDP program (id %u) from "
			 "interface '%s': %s", id, ifname, strerror(-ret));
		return ret;
	}
	VTEP_LOG(PORT, NOTICE, "removed the stale XDP program (id %u) of vtepsw process %u, "
		 "which is gone, from interface %s", id, cfg.owner_pid, ifname);
	return 0;
}

/* SIOCGIFFLAGS (@p set false: returns the flags, or -1) or SIOCSIFFLAGS with @p flags. */
static int
if_flags(const char *ifname, bool set, int flags)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	int ret = -1;

	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_flags = (short)flags;
	if (ioctl(s, set ? SIOCSIFFLAGS : SIOCGIFFLAGS, &ifr) == 0)
		ret = (unsigned short)ifr.ifr_flags;
	else if (set)
		VTEP_LOG(PORT, WARNING, "cannot set the flags of interface %s: %s", ifname,
			 strerror(errno));
	close(s);
	return ret;
}

/* The NIC's queue channels (ethtool -l): combined (rx+tx) and rx-only counts. */
static void
nic_channels(const char *ifname, unsigned int *combined, unsigned int *rx)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	*combined = 0;
	*rx = 1;
	if (s < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ch;
	if (ioctl(s, SIOCETHTOOL, &ifr) == 0) {
		*combined = ch.combined_count;
		*rx = ch.combined_count + ch.rx_count;
	}
	close(s);
}

/*
 * DPDK's af_xdp PMD opens one socket per combined channel; frames the NIC puts on a queue
 * without a socket stay with the kernel. Refuse what the PMD cannot do, warn about the rest.
 */
static int
check_queues(const char *name, const char *ifname, uint16_t n_rxq, char *err, size_t errlen)
{
	unsigned int combined, rx;

	nic_channels(ifname, &combined, &rx);
	if (n_rxq > RTE_MAX(combined, 1u)) {
		snprintf(err, errlen, "rx_queues %u: interface '%s' has %u combined queue "
			 "channel(s) (ethtool -l %s) and AF_XDP needs one per queue", n_rxq, ifname,
			 RTE_MAX(combined, 1u), ifname);
		return -EINVAL;
	}
	if (rx > n_rxq)
		VTEP_LOG(PORT, WARNING, "port %s: interface %s receives on %u queues but the port "
			 "uses %u: tunnel packets the NIC puts on the others go to the kernel "
			 "(xstat xdp_pass_no_socket); set rx_queues or lower the channels with "
			 "ethtool -L %s %s %u", name, ifname, rx, n_rxq, ifname,
			 combined > 0 ? "combined" : "rx", n_rxq);
	return 0;
}

/* ------------------------------------------------------------------ open/close */

static void af_xdp_close(struct vtep_port *port);

/* After the PMD attached the program: find it and its maps, and claim it. */
static int
adopt_program(struct xdp_port *xp, char *err, size_t errlen)
{
	struct bpf_prog_info info;
	struct vtep_xdp_cfg cfg = { .flags = 0, .owner_pid = (uint32_t)getpid() };
	uint32_t key = 0;
	int ret;

	if (bpf_xdp_query_id(xp->ifindex, 0, &xp->prog_id) < 0 || xp->prog_id == 0) {
		snprintf(err, errlen, "no XDP program is attached to interface '%s' after start",
			 xp->ifname);
		return -ENOENT;
	}
	xp->prog_fd = prog_by_id(xp->prog_id, &info);
	if (xp->prog_fd < 0) {
		snprintf(err, errlen, "cannot inspect XDP program id %u on '%s': %s", xp->prog_id,
			 xp->ifname, strerror(-xp->prog_fd));
		return xp->prog_fd;
	}
	if (strcmp(info.name, VTEP_XDP_PROG_NAME) != 0 || prog_maps(xp->prog_fd, xp->map_fd) < 0) {
		snprintf(err, errlen, "interface '%s' runs XDP program '%s', not vtepsw's steering "
			 "program (was the device created by --vdev without xdp_prog=?)",
			 xp->ifname, info.name);
		return -EINVAL;
	}
	ret = bpf_map_update_elem(xp->map_fd[XDP_MAP_CFG], &key, &cfg, BPF_ANY);
	if (ret < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot configure the XDP program on '%s': %s", xp->ifname,
			 strerror(errno));
	}
	return ret;
}

static int
af_xdp_open(struct vtep_port *port, const struct vtep_port_params *p, char *err, size_t errlen)
{
	struct vtep_port_params pp = *p;
	char prog[1024], qc[16], devargs[VTEP_DEVARGS_MAX + 1100];
	struct xdp_port *xp;
	int ret;

	xp = rte_zmalloc("vtep_xdp_port", sizeof(*xp), 0);
	if (xp == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	xp->prog_fd = -1;
	for (unsigned int i = 0; i < XDP_MAP__MAX; i++)
		xp->map_fd[i] = -1;
	xp->n_rxq = p->n_rxq;
	if (!devargs_get(p->devargs, "iface", xp->ifname, sizeof(xp->ifname))) {
		snprintf(err, errlen, "devargs '%s' name no interface (iface=...)", p->devargs);
		ret = -EINVAL;
		goto fail;
	}
	xp->ifindex = (int)if_nametoindex(xp->ifname);
	if (xp->ifindex == 0) {
		snprintf(err, errlen, "interface '%s' does not exist (in this network namespace)",
			 xp->ifname);
		ret = -ENODEV;
		goto fail;
	}
	if (rte_mempool_avail_count(p->pool) < XDP_MIN_MBUFS) {
		snprintf(err, errlen, "AF_XDP needs at least %u free packet buffers, the pool has "
			 "%u (--mbufs)", XDP_MIN_MBUFS, rte_mempool_avail_count(p->pool));
		ret = -ENOBUFS;
		goto fail;
	}
	ret = check_queues(p->name, xp->ifname, p->n_rxq, err, errlen);
	if (ret < 0)
		goto fail;
	if (!devargs_get(p->devargs, "xdp_prog", prog, sizeof(prog)))
		default_prog_path(prog, sizeof(prog));
	ret = check_program(prog, err, errlen);
	if (ret < 0)
		goto fail;
	ret = clear_stale(xp->ifname, xp->ifindex, err, errlen);
	if (ret < 0)
		goto fail;

	/* The PMD gets our program and one queue per configured rx queue. */
	snprintf(devargs, sizeof(devargs), "%s", p->devargs);
	if (!devargs_get(p->devargs, "xdp_prog", qc, sizeof(qc)))
		snprintf(devargs + strlen(devargs), sizeof(devargs) - strlen(devargs),
			 ",xdp_prog=%s", prog);
	if (!devargs_get(p->devargs, "queue_count", qc, sizeof(qc)))
		snprintf(devargs + strlen(devargs), sizeof(devargs) - strlen(devargs),
			 ",queue_count=%u", p->n_rxq);
	pp.devargs = devargs;
	/* The PMD pairs each tx queue with an rx queue and wants as many of each: with fewer
	 * senders than queues, ethdev then opens one tx queue per rx queue. */
	if (pp.n_senders < p->n_rxq)
		pp.n_senders = p->n_rxq;
	xp->saved_if_flags = if_flags(xp->ifname, false, 0);
	ret = vtep_port_ethdev_ops.open(port, &pp, err, errlen);
	if (ret < 0)
		goto fail;
	xdp_ports[port->port_id] = xp;
	ret = adopt_program(xp, err, errlen);
	if (ret < 0) {
		af_xdp_close(port);
		return ret;
	}
	/*
	 * ethdev switched the interface to promiscuous mode; a shared NIC only needs its own
	 * MAC (which vtepsw uses too) and multicast for tunnel groups, unless the config gave
	 * the uplink another MAC.
	 */
	if (xp->saved_if_flags >= 0 && p->mac == NULL)
		if_flags(xp->ifname, true, (xp->saved_if_flags & ~IFF_PROMISC) | IFF_ALLMULTI);
	VTEP_LOG(PORT, INFO, "port %s: XDP program %s (id %u) steers vtepsw's traffic on %s to "
		 "%u AF_XDP queue(s)", p->name, prog, xp->prog_id, xp->ifname, p->n_rxq);
	return 0;
fail:
	rte_free(xp);
	return ret;
}

static void
af_xdp_close(struct vtep_port *port)
{
	struct xdp_port *xp = xdp_ports[port->port_id];
	uint32_t id = 0;

	vtep_port_ethdev_ops.close(port);
	if (xp == NULL)
		return;
	xdp_ports[port->port_id] = NULL;
	/* The PMD detaches the program on close; make sure no copy of ours stays behind. */
	if (xp->prog_fd >= 0 && bpf_xdp_query_id(xp->ifindex, 0, &id) == 0 && id == xp->prog_id &&
	    detach_prog(xp->ifindex, xp->prog_fd) < 0)
		VTEP_LOG(PORT, WARNING, "cannot detach XDP program id %u from %s: %s", id,
			 xp->ifname, strerror(errno));
	if (xp->saved_if_flags >= 0)
		if_flags(xp->ifname, true, xp->saved_if_flags);
	close_fds(xp->map_fd, XDP_MAP__MAX);
	close_fds(&xp->prog_fd, 1);
	rte_free(xp);
}

/* ---------------------------------------------------------------- steering maps */

static bool
ip_in(const struct vtep_ip *ip, const struct vtep_ip *set, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (set[i].family == ip->family &&
		    memcmp(&set[i].v6, &ip->v6, ip->family == AF_INET ? 4 : 16) == 0)
			return true;
	return false;
}

/* The address entries @p s asks for, of one family: keys and flags. */
static unsigned int
wanted_addrs(const struct vtep_port_steering *s, int family, uint8_t keys[][16],
	     uint32_t *flags)
{
	const struct vtep_ip *local = family == AF_INET ? &s->local4 : &s->local6;
	size_t klen = family == AF_INET ? 4 : 16;
	unsigned int n = 0;

	if (local->family == family) {
		memcpy(keys[n], &local->v6, klen);
		flags[n++] = VTEP_XDP_ADDR_LOCAL;
	}
	for (unsigned int i = 0; i < s->n_groups && i < RTE_DIM(s->groups); i++) {
		if (s->groups[i].family != family)
			continue;
		if (local->family == family && ip_in(local, &s->groups[i], 1)) {
			flags[0] |= VTEP_XDP_ADDR_GROUP;
			continue;
		}
		memcpy(keys[n], &s->groups[i].v6, klen);
		flags[n++] = VTEP_XDP_ADDR_GROUP;
	}
	return n;
}

/*
 * Make hash map @p fd hold exactly @p n entries (@p keys of @p klen bytes, u32 values):
 * new and changed entries first, then removals, so kept entries never disappear.
 */
static int
sync_map(int fd, size_t klen, uint8_t keys[][16], const uint32_t *vals, unsigned int n)
{
	uint8_t cur[16], next[16];
	bool first = true;

	for (unsigned int i = 0; i < n; i++)
		if (bpf_map_update_elem(fd, keys[i], &vals[i], BPF_ANY) < 0)
			return -errno;
	while (bpf_map_get_next_key(fd, first ? NULL : cur, next) == 0) {
		bool keep = false;

		for (unsigned int i = 0; i < n && !keep; i++)
			keep = memcmp(keys[i], next, klen) == 0;
		if (!keep) {
			if (bpf_map_delete_elem(fd, next) < 0)
				return -errno;
			/* restart: the iteration order may change after a delete */
			first = true;
			continue;
		}
		memcpy(cur, next, klen);
		first = false;
	}
	return 0;
}

/* One line for the log: what @p s steers to vtepsw. */
static void
describe_steering(const struct vtep_port_steering *s, char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	size_t off = 0;

	out[0] = '\0';
	if (s->all) {
		snprintf(out, len, "every frame");
		return;
	}
	if (s->local4.family == 0 && s->local6.family == 0 && s->n_groups == 0) {
		snprintf(out, len, "nothing (not the VTEP uplink)");
		return;
	}
	for (unsigned int i = 0; i < 2 + s->n_groups && i < 2 + RTE_DIM(s->groups); i++) {
		const struct vtep_ip *ip = i == 0 ? &s->local4 : i == 1 ? &s->local6 :
					   &s->groups[i - 2];

		if (ip->family == 0 || off >= len)
			continue;
		inet_ntop(ip->family, &ip->v6, a, sizeof(a));
		off += (size_t)snprintf(out + off, len - off, "%s%s", off ? ", " : "", a);
	}
	for (unsigned int i = 0; i < RTE_DIM(s->udp_ports) && off < len; i++)
		if (s->udp_ports[i])
			off += (size_t)snprintf(out + off, len - off, "%s%u",
						i == 0 ? "; VXLAN udp " : ",", s->udp_ports[i]);
	if (off < len)
		snprintf(out + off, len - off, "%s%s; ARP/ND/echo for the VTEP address",
			 s->nvgre ? "; NVGRE" : "", s->stt ? "; STT" : "");
}

static int
af_xdp_set_steering(struct vtep_port *port, const struct vtep_port_steering *s)
{
	struct xdp_port *xp = xdp_ports[port->port_id];
	uint8_t keys[VTEP_XDP_MAX_ADDRS][16];
	uint32_t vals[VTEP_XDP_MAX_ADDRS];
	struct vtep_xdp_cfg cfg;
	char desc[512];
	uint32_t key = 0;
	unsigned int n;
	int ret;

	if (xp == NULL)
		return 0;
	if (xp->steering_set && memcmp(&xp->applied, s, sizeof(*s)) == 0)
		return 0;
	memset(keys, 0, sizeof(keys));
	n = s->all ? 0 : wanted_addrs(s, AF_INET, keys, vals);
	ret = sync_map(xp->map_fd[XDP_MAP_ADDR4], 4, keys, vals, n);
	if (ret < 0)
		return ret;
	memset(keys, 0, sizeof(keys));
	n = s->all ? 0 : wanted_addrs(s, AF_INET6, keys, vals);
	ret = sync_map(xp->map_fd[XDP_MAP_ADDR6], 16, keys, vals, n);
	if (ret < 0)
		return ret;
	memset(keys, 0, sizeof(keys));
	n = 0;
	for (unsigned int i = 0; !s->all && i < RTE_DIM(s->udp_ports); i++) {
		uint16_t be = rte_cpu_to_be_16(s->udp_ports[i]);

		if (s->udp_ports[i] == 0)
			continue;
		memcpy(keys[n], &be, 2);
		vals[n++] = 1;
	}
	ret = sync_map(xp->map_fd[XDP_MAP_UDP], 2, keys, vals, n);
	if (ret < 0)
		return ret;
	if (bpf_map_lookup_elem(xp->map_fd[XDP_MAP_CFG], &key, &cfg) < 0)
		return -errno;
	cfg.flags = (s->all ? VTEP_XDP_F_ALL : 0) | (s->nvgre ? VTEP_XDP_F_NVGRE : 0) |
		    (s->stt ? VTEP_XDP_F_STT : 0);
	if (bpf_map_update_elem(xp->map_fd[XDP_MAP_CFG], &key, &cfg, BPF_ANY) < 0)
		return -errno;
	xp->applied = *s;
	xp->steering_set = true;
	describe_steering(s, desc, sizeof(desc));
	VTEP_LOG(PORT, INFO, "port %s: the XDP program now steers to vtepsw: %s", port->name,
		 desc);
	return 0;
}

/* ------------------------------------------------------------------- counters */

/* Sum of a per-CPU u64 counter. */
static uint64_t
percpu_sum(int fd, uint32_t key, uint64_t *vals, int ncpu)
{
	uint64_t sum = 0;

	if (bpf_map_lookup_elem(fd, &key, vals) < 0)
		return 0;
	for (int c = 0; c < ncpu; c++)
		sum += vals[c];
	return sum;
}

static int
af_xdp_xstats(const struct vtep_port *port, struct vtep_port_xstat *xs, unsigned int n)
{
	const struct xdp_port *xp = xdp_ports[port->port_id];
	int ncpu = libbpf_num_possible_cpus();
	unsigned int total, i = 0;
	uint64_t *vals;

	if (xp == NULL)
		return 0;
	total = VTEP_XDP__MAX + xp->n_rxq;
	if (ncpu <= 0)
		return -EINVAL;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (vals == NULL)
		return -ENOMEM;
	for (uint32_t r = 0; r < VTEP_XDP__MAX && i < n; r++, i++) {
		snprintf(xs[i].name, sizeof(xs[i].name), "xdp_%s", xdp_reason_names[r]);
		xs[i].value = percpu_sum(xp->map_fd[XDP_MAP_STATS], r, vals, ncpu);
	}
	for (uint32_t q = 0; q < xp->n_rxq && i < n; q++, i++) {
		snprintf(xs[i].name, sizeof(xs[i].name), "xdp_rxq%u_redirected", q);
		xs[i].value = percpu_sum(xp->map_fd[XDP_MAP_QSTATS], q, vals, ncpu);
	}
	free(vals);
	return (int)total;
}

const struct vtep_port_ops vtep_port_af_xdp_ops = {
	.name = "af_xdp",
	.match = af_xdp_match,
	.open = af_xdp_open,
	.close = af_xdp_close,
	.xstats = af_xdp_xstats,
	.set_steering = af_xdp_set_steering,
};
