/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost-user port driver: VM ports on DPDK's net_vhost PMD.
 *
 * The PMD (not rte_vhost directly) because rx/tx then stay ethdev bursts, like every other
 * port (vtep_port_rx()/vtep_port_tx() are inline rte_eth_* calls), and the PMD already maps
 * queue pairs to vrings, tracks link state and counts per queue. This driver adds what a
 * switch needs on top, and opens/closes the device through the ethdev driver:
 *  - socket preparation with clear errors: a missing directory, a path that is not a
 *    socket, a socket another process listens on. In server mode a stale socket left by a
 *    killed vtepsw is removed, so a restart just works. In client mode (QEMU owns the
 *    socket) the vhost library reconnects by itself every second until the socket answers
 *    again, so neither side has to be restarted for the other;
 *  - defaults a VM port wants: guest TSO negotiated (tso=1 unless the devargs say tso=0)
 *    and as many queue pairs as the port's rx_queues (or devargs queues=N);
 *  - device state from the virtio side (LSC and QUEUE_STATE events of the PMD, delivered
 *    on the vhost library's event thread): connects and disconnects are logged with the
 *    negotiated features and guest memory, counted, and the tx queue spread follows the
 *    queue pairs the guest enabled (a disabled vring would drop everything sent to it);
 *  - guest offloads on receive (an rx callback, so the fast path is unchanged for other
 *    ports): a frame the guest sent with a partial checksum gets it completed in software;
 *    a TSO frame keeps RTE_MBUF_F_TX_TCP_SEG and tso_segsz for the datapath, which passes it
 *    to ports that accept TSO (port->offloads, here: a guest that negotiated guest TSO and
 *    checksum) and segments it for every other port and tunnel;
 *  - a watch for VMs that connect but never finish vhost-user setup, which is what a guest
 *    without shared memory does (QEMU then only says so on its own console): vtepsw logs
 *    what to change;
 *  - driver counters (xstats): connection state and events, features, per-queue enable
 *    state, packets and bytes, offload work.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_alarm.h>
#include <rte_eth_vhost.h>
#include <rte_ethdev.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>
#include <rte_net.h>
#include <rte_pause.h>
#include <rte_vhost.h>

#include "vtep_log.h"
#include "vtep_port_provider.h"

/* Devargs keys the PMD knows; anything else is rejected here with a clear message. */
static const char *const vhost_keys[] = {
	"iface", "queues", "client", "tso", "iommu-support", "postcopy-support",
	"linear-buffer", "ext-buffer", "legacy-ol-flags",
};

/* Offload work of one rx queue (written only by the worker polling it). */
struct vhost_rxq_stats {
	uint64_t tso_frames;        /* TSO frames from the guest handed on as such */
	uint64_t csum_completed;    /* partial checksums completed in software */
	uint64_t offload_errors;    /* offload requests we could not honour */
} __rte_cache_aligned;

struct vhost_priv {
	struct vtep_port *port;
	char iface[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool client;
	bool from_eal;              /* device made by EAL --vdev: used as it is */
	uint16_t queues;            /* queue pairs the device offers */
	uint16_t txq_cfg;           /* tx queues configured (n_txq when all are enabled) */
	bool cb_lsc, cb_qstate;     /* event callbacks registered */
	/* state from the device events (vhost event thread) read by the control thread */
	uint32_t connected;
	uint64_t connects, disconnects;
	uint64_t features;
	uint32_t mem_regions;
	uint64_t mem_bytes;
	uint32_t rxq_on, txq_on;    /* bit q: guest tx (our rx) / guest rx (our tx) vring q enabled */
	/* setup watch (EAL alarm thread): a peer on the socket that never gets ready */
	bool watching;
	uint32_t stall_ticks;
	uint64_t setup_stalls;
	const struct rte_eth_rxtx_callback *rx_cb[VTEP_PORT_MAX_QUEUES];
	struct vhost_rxq_stats rxq[VTEP_PORT_MAX_QUEUES];
};

static bool
vhost_match(const char *devargs)
{
	return strncmp(devargs, "net_vhost", 9) == 0 || strncmp(devargs, "eth_vhost", 9) == 0;
}

/* ---------------------------------------------------------------- devargs */

/* Find @p key in parsed devargs. @return its value or NULL. */
static const char *
kv_get(const struct rte_kvargs *kv, const char *key)
{
	for (unsigned int i = 0; i < kv->count; i++)
		if (strcmp(kv->pairs[i].key, key) == 0)
			return kv->pairs[i].value;
	return NULL;
}

/* Parse a small non-negative integer devargs value. @return it, or -1. */
static long
kv_uint(const char *v, long max)
{
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return -1;
	n = strtol(v, &end, 0);
	return (*end != '\0' || n < 0 || n > max) ? -1 : n;
}

/*
 * Check the devargs and rewrite them with this driver's defaults into @p out:
 * queues from @p n_rxq when absent, tso=1 when absent. Fills iface/client/queues of @p vp.
 */
static int
vhost_devargs(const char *devargs, uint16_t n_rxq, struct vhost_priv *vp, char *out,
	      size_t outlen, char *err, size_t errlen)
{
	const char *args = strchr(devargs, ',');
	struct rte_kvargs *kv;
	const char *v;
	long n;
	int len, ret = -EINVAL;

	kv = rte_kvargs_parse(args != NULL ? args + 1 : "", NULL);
	if (kv == NULL) {
		snprintf(err, errlen, "cannot parse devargs '%s' (expected key=value pairs)",
			 devargs);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < kv->count; i++) {
		bool known = false;

		for (size_t k = 0; k < VTEP_ARRAY_SIZE(vhost_keys); k++)
			known |= strcmp(kv->pairs[i].key, vhost_keys[k]) == 0;
		if (!known) {
			snprintf(err, errlen, "unknown vhost-user devargs key '%s' (known: iface, "
				 "queues, client, tso, iommu-support, postcopy-support, "
				 "linear-buffer, ext-buffer, legacy-ol-flags)", kv->pairs[i].key);
			goto out;
		}
	}
	v = kv_get(kv, "iface");
	if (v == NULL || *v == '\0') {
		snprintf(err, errlen, "vhost-user devargs need iface=SOCKET_PATH");
		goto out;
	}
	if (strlen(v) >= sizeof(vp->iface)) {
		snprintf(err, errlen, "vhost-user socket path '%s' is longer than %zu bytes", v,
			 sizeof(vp->iface) - 1);
		goto out;
	}
	snprintf(vp->iface, sizeof(vp->iface), "%s", v);
	n = kv_get(kv, "client") != NULL ? kv_uint(kv_get(kv, "client"), 1) : 0;
	if (n < 0) {
		snprintf(err, errlen, "vhost-user devargs: client must be 0 or 1");
		goto out;
	}
	vp->client = n == 1;
	v = kv_get(kv, "queues");
	if (v != NULL) {
		n = kv_uint(v, VTEP_PORT_MAX_QUEUES);
		if (n < 1) {
			snprintf(err, errlen, "vhost-user devargs: queues must be 1..%u",
				 VTEP_PORT_MAX_QUEUES);
			goto out;
		}
		if (n_rxq > 1 && n != n_rxq) {
			snprintf(err, errlen, "rx_queues %u differs from the devargs' queues=%ld "
				 "(give one of them)", n_rxq, n);
			goto out;
		}
		vp->queues = (uint16_t)n;
	} else {
		vp->queues = n_rxq;
	}
	len = snprintf(out, outlen, "%s%s%s", devargs,
		       kv_get(kv, "tso") == NULL ? ",tso=1" : "", v == NULL ? ",queues=" : "");
	if (v == NULL && len > 0 && (size_t)len < outlen)
		len += snprintf(out + len, outlen - (size_t)len, "%u", vp->queues);
	if (len < 0 || (size_t)len >= outlen) {
		snprintf(err, errlen, "devargs '%s' are too long", devargs);
		goto out;
	}
	ret = 0;
out:
	rte_kvargs_free(kv);
	return ret;
}

/* ---------------------------------------------------------------- socket */

/*
 * Make the socket path usable before the PMD registers it: its directory must exist; in
 * server mode an existing path must be a stale socket (nobody listening), which is removed.
 */
static int
vhost_socket_prepare(const struct vtep_port *port, const struct vhost_priv *vp, char *err,
		     size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(vp->iface)];
	struct stat st;
	char *slash;
	int fd, ret;

	snprintf(dir, sizeof(dir), "%s", vp->iface);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "directory '%s' of the vhost-user socket does not "
				 "exist (create it, e.g. mkdir -p %s)", dir, dir);
			return -ENOENT;
		}
	}
	if (lstat(vp->iface, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot check vhost-user socket '%s': %s", vp->iface,
			 strerror(errno));
		return -errno;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "'%s' exists and is not a socket (remove it or choose "
			 "another iface)", vp->iface);
		return -EEXIST;
	}
	if (vp->client)
		return 0; /* QEMU's socket: the vhost library connects (and reconnects) */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a socket: %s", strerror(errno));
		return -errno;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", vp->iface);
	ret = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (ret == 0) {
		snprintf(err, errlen, "vhost-user socket '%s' is in use: another process listens "
			 "on it (server mode needs its own socket; with QEMU as server use "
			 "client=1)", vp->iface);
		return -EADDRINUSE;
	}
	if (errno != ECONNREFUSED) {
		snprintf(err, errlen, "cannot check vhost-user socket '%s': %s", vp->iface,
			 strerror(errno));
		return -errno;
	}
	if (unlink(vp->iface) < 0) {
		snprintf(err, errlen, "cannot remove stale vhost-user socket '%s': %s", vp->iface,
			 strerror(errno));
		return -errno;
	}
	VTEP_LOG(PORT, NOTICE, "port %s: removed stale vhost-user socket %s (left by a previous "
		 "run)", port->name, vp->iface);
	return 0;
}

/* ---------------------------------------------------------------- device events */

/* Negotiated virtio features worth an operator's eye, as a short list. */
static void
features_str(uint64_t f, char *buf, size_t len)
{
	static const struct { unsigned int bit; const char *name; } names[] = {
		{ VIRTIO_NET_F_MRG_RXBUF, "mrg_rxbuf" }, { VIRTIO_NET_F_MQ, "mq" },
		{ VIRTIO_NET_F_CSUM, "csum" }, { VIRTIO_NET_F_GUEST_CSUM, "guest_csum" },
		{ VIRTIO_NET_F_HOST_TSO4, "host_tso4" }, { VIRTIO_NET_F_HOST_TSO6, "host_tso6" },
		{ VIRTIO_NET_F_GUEST_TSO4, "guest_tso4" }, { VIRTIO_NET_F_GUEST_TSO6, "guest_tso6" },
		{ VIRTIO_NET_F_MTU, "mtu" }, { 32 /* VIRTIO_F_VERSION_1 */, "version_1" },
		{ 34 /* VIRTIO_F_RING_PACKED */, "packed" },
	};
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < VTEP_ARRAY_SIZE(names) && off < len; i++)
		if (f & (1ull << names[i].bit))
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? " " : "",
						names[i].name);
}

/* Guest offloads that let us hand TSO frames to it unsegmented. */
static uint32_t
offloads_of(uint64_t f)
{
	const uint64_t tso = 1ull << VIRTIO_NET_F_GUEST_CSUM | 1ull << VIRTIO_NET_F_GUEST_TSO4 |
			     1ull << VIRTIO_NET_F_GUEST_TSO6;

	return (f & tso) == tso ? VTEP_PORT_OFL_TSO : 0;
}

/* Tx queues to spread senders over: the leading queue pairs the guest enabled (>= 1). */
static void
update_txq(struct vhost_priv *vp)
{
	uint32_t on = __atomic_load_n(&vp->txq_on, __ATOMIC_RELAXED);
	uint16_t n = 0;

	while (n < vp->txq_cfg && (on >> n & 1))
		n++;
	__atomic_store_n(&vp->port->n_txq, n ? n : 1, __ATOMIC_RELEASE);
}

/* Link change: the VM connected (virtio device ready) or went away. */
static void
on_link(struct vhost_priv *vp)
{
	struct vtep_port *port = vp->port;
	struct rte_vhost_memory *mem = NULL;
	struct rte_eth_link link;
	char feat[160];
	uint64_t f = 0;
	int vid;

	if (rte_eth_link_get_nowait(port->port_id, &link) < 0)
		return;
	if (link.link_status != RTE_ETH_LINK_UP) {
		if (!__atomic_exchange_n(&vp->connected, 0, __ATOMIC_RELAXED))
			return;
		/* The PMD forgets vring state on disconnect without queue events. */
		__atomic_store_n(&vp->rxq_on, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&vp->txq_on, 0, __ATOMIC_RELAXED);
		update_txq(vp);
		__atomic_store_n(&port->offloads, 0, __ATOMIC_RELAXED);
		__atomic_fetch_add(&vp->disconnects, 1, __ATOMIC_RELAXED);
		VTEP_LOG(PORT, NOTICE, "port %s: VM disconnected from %s (link down)%s",
			 port->name, vp->iface, vp->client ? "; reconnecting every second" : "");
		return;
	}
	if (__atomic_exchange_n(&vp->connected, 1, __ATOMIC_RELAXED))
		return;
	vid = rte_eth_vhost_get_vid_from_port_id(port->port_id);
	if (vid >= 0)
		rte_vhost_get_negotiated_features(vid, &f);
	__atomic_store_n(&vp->features, f, __ATOMIC_RELAXED);
	__atomic_store_n(&port->offloads, offloads_of(f), __ATOMIC_RELAXED);
	vp->mem_regions = 0;
	vp->mem_bytes = 0;
	if (vid >= 0 && rte_vhost_get_mem_table(vid, &mem) == 0) {
		vp->mem_regions = mem->nregions;
		for (uint32_t i = 0; i < mem->nregions; i++)
			vp->mem_bytes += mem->regions[i].size;
		free(mem);
	}
	rte_eth_dev_get_mtu(port->port_id, &port->mtu);
	__atomic_fetch_add(&vp->connects, 1, __ATOMIC_RELAXED);
	features_str(f, feat, sizeof(feat));
	VTEP_LOG(PORT, NOTICE, "port %s: VM connected on %s (%s mode, link up): %u MiB guest "
		 "memory in %u region(s), MTU %u, features: %s", port->name, vp->iface,
		 vp->client ? "client" : "server", (unsigned int)(vp->mem_bytes >> 20),
		 vp->mem_regions, port->mtu, feat);
	if (vp->mem_regions == 0)
		VTEP_LOG(PORT, ERR, "port %s: the VM shares no memory with vtepsw: start QEMU with "
			 "a shared memory backend (-object memory-backend-file,share=on,... "
			 "-numa node,memdev=...)", port->name);
}

/* Vring enable/disable: track per-queue state; tx spreads over enabled queue pairs. */
static void
on_queue_state(struct vhost_priv *vp)
{
	struct rte_eth_vhost_queue_event ev;

	while (rte_eth_vhost_get_queue_event(vp->port->port_id, &ev) == 0) {
		uint32_t *bits = ev.rx ? &vp->rxq_on : &vp->txq_on;
		uint32_t bit = ev.queue_id < 32 ? 1u << ev.queue_id : 0;

		if (ev.enable)
			__atomic_fetch_or(bits, bit, __ATOMIC_RELAXED);
		else
			__atomic_fetch_and(bits, ~bit, __ATOMIC_RELAXED);
		VTEP_LOG(PORT, INFO, "port %s: %s queue %u %s", vp->port->name,
			 ev.rx ? "rx" : "tx", ev.queue_id, ev.enable ? "enabled" : "disabled");
	}
	update_txq(vp);
}

/* Seconds between two looks at a socket whose VM is not ready, and looks before saying so:
 * a guest that is still booting (BIOS, boot loader, kernel) has QEMU connected long before
 * its virtio-net driver sets the device up, so only a long wait means trouble. */
#define SETUP_WATCH_S 5
#define SETUP_WATCH_LOOKS 6

/* True if this network namespace has a connected unix socket bound to @p path: the VM's
 * end in server mode (an accepted connection carries the listener's name), our end's peer
 * in client mode when QEMU runs in the same namespace. */
static bool
socket_has_peer(const char *path)
{
	FILE *f = fopen("/proc/self/net/unix", "r");
	char line[512], name[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool found = false;
	unsigned int st;

	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		/* Num RefCount Protocol Flags Type St Inode Path; St 03 is connected */
		found = sscanf(line, "%*s %*s %*s %*s %*s %x %*s %107s", &st, name) == 2 &&
			st == 3 && strcmp(name, path) == 0;
	fclose(f);
	return found;
}

/* EAL alarm: a VM that stays connected but not ready for 30 s gets one warning. */
static void
setup_watch(void *arg)
{
	struct vhost_priv *vp = arg;

	if (!__atomic_load_n(&vp->connected, __ATOMIC_RELAXED) && socket_has_peer(vp->iface)) {
		if (++vp->stall_ticks == SETUP_WATCH_LOOKS) {
			vp->setup_stalls++;
			VTEP_LOG(PORT, WARNING, "port %s: a VM has been connected to %s for %u s "
				 "without finishing vhost-user setup: its guest has not started "
				 "virtio-net yet, or (if QEMU said 'Failed initializing vhost-user "
				 "memory map') it shares no memory with vtepsw. QEMU needs a shared "
				 "memory backend (-object memory-backend-memfd,id=mem,size=RAM,"
				 "share=on or memory-backend-file on hugetlbfs with share=on, and -numa "
				 "node,memdev=mem); DPDK virtio-user needs --no-huge or "
				 "--single-file-segments", vp->port->name, vp->iface,
				 SETUP_WATCH_LOOKS * SETUP_WATCH_S);
		}
	} else {
		vp->stall_ticks = 0;
	}
	if (__atomic_load_n(&vp->watching, __ATOMIC_ACQUIRE))
		rte_eal_alarm_set(SETUP_WATCH_S * US_PER_S, setup_watch, vp);
}

static int
vhost_event(uint16_t port_id, enum rte_eth_event_type type, void *arg, void *ret_param)
{
	struct vhost_priv *vp = arg;

	RTE_SET_USED(port_id);
	RTE_SET_USED(ret_param);
	if (type == RTE_ETH_EVENT_INTR_LSC)
		on_link(vp);
	else if (type == RTE_ETH_EVENT_QUEUE_STATE)
		on_queue_state(vp);
	return 0;
}

/* ---------------------------------------------------------------- receive offloads */

/* Complete a partial L4 checksum (the guest put the pseudo-header sum in the field, as
 * virtio specifies). @return false if the frame is not TCP/UDP we can find. */
static bool
csum_complete(struct rte_mbuf *m)
{
	struct rte_net_hdr_lens hl;
	uint32_t ptype, off, coff;
	uint16_t sum = 0, csum;

	ptype = rte_net_get_ptype(m, &hl, RTE_PTYPE_L2_MASK | RTE_PTYPE_L3_MASK |
				  RTE_PTYPE_L4_MASK);
	off = hl.l2_len + hl.l3_len;
	switch (ptype & RTE_PTYPE_L4_MASK) {
	case RTE_PTYPE_L4_TCP:
		coff = off + 16;
		break;
	case RTE_PTYPE_L4_UDP:
		coff = off + 6;
		break;
	default:
		return false;
	}
	if (coff + 2 > rte_pktmbuf_data_len(m) ||
	    rte_raw_cksum_mbuf(m, off, rte_pktmbuf_pkt_len(m) - off, &sum) < 0)
		return false;
	csum = (uint16_t)~sum;
	if ((ptype & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_UDP && csum == 0)
		csum = 0xffff;
	*rte_pktmbuf_mtod_offset(m, uint16_t *, coff) = csum;
	m->ol_flags = (m->ol_flags & ~RTE_MBUF_F_RX_L4_CKSUM_MASK) | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	return true;
}

/*
 * Rx callback: what the guest asked of the "NIC" on transmit. TCP TSO frames become
 * RTE_MBUF_F_TX_TCP_SEG (tso_segsz kept) for the datapath; partial checksums of other
 * frames are completed here. Frames without offload requests cost one flag test.
 */
static uint16_t
vhost_rx_offloads(uint16_t port_id, uint16_t queue, struct rte_mbuf **pkts, uint16_t n,
		  uint16_t max, void *arg)
{
	struct vhost_rxq_stats *st = arg;

	RTE_SET_USED(port_id);
	RTE_SET_USED(queue);
	RTE_SET_USED(max);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint64_t ol = m->ol_flags;

		if ((ol & RTE_MBUF_F_RX_LRO) == 0 &&
		    (ol & RTE_MBUF_F_RX_L4_CKSUM_MASK) != RTE_MBUF_F_RX_L4_CKSUM_NONE)
			continue;
		if ((ol & RTE_MBUF_F_RX_LRO) && (m->packet_type & RTE_PTYPE_L4_MASK) ==
		    RTE_PTYPE_L4_TCP && m->tso_segsz != 0) {
			m->ol_flags = (ol & ~RTE_MBUF_F_RX_LRO) | RTE_MBUF_F_TX_TCP_SEG;
			st->tso_frames++;
			continue;
		}
		m->ol_flags &= ~RTE_MBUF_F_RX_LRO;
		if (csum_complete(m) && (ol & RTE_MBUF_F_RX_LRO) == 0)
			st->csum_completed++;
		else
			st->offload_errors++;
	}
	return n;
}

/* ---------------------------------------------------------------- open / close */

static void vhost_close(struct vtep_port *port);

/* A device EAL already created (--vdev): used as it is. @return 1 if so (queues filled
 * from the device), else 0. */
static int
already_probed(const char *devargs, struct vhost_priv *vp, char *out, size_t outlen)
{
	char name[RTE_DEV_NAME_MAX_LEN];
	struct rte_eth_dev_info info;
	uint16_t pid;

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(devargs, ","), devargs);
	if (rte_eth_dev_get_port_by_name(name, &pid) != 0 || rte_eth_dev_info_get(pid, &info) != 0)
		return 0;
	snprintf(out, outlen, "%s", devargs);
	snprintf(vp->iface, sizeof(vp->iface), "(EAL --vdev %s)", name);
	vp->from_eal = true;
	vp->queues = RTE_MIN(info.max_rx_queues, (uint16_t)VTEP_PORT_MAX_QUEUES);
	return 1;
}

static int
vhost_open(struct vtep_port *port, const struct vtep_port_params *p, char *err, size_t errlen)
{
	struct vtep_port_params pp = *p;
	char devargs[VTEP_DEVARGS_MAX];
	struct vhost_priv *vp;
	int ret;

	vp = rte_zmalloc("vtep_vhost", sizeof(*vp), RTE_CACHE_LINE_SIZE);
	if (vp == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	vp->port = port;
	port->priv = vp;
	ret = already_probed(p->devargs, vp, devargs, sizeof(devargs));
	if (ret == 0)
		ret = vhost_devargs(p->devargs, p->n_rxq, vp, devargs, sizeof(devargs), err,
				    errlen);
	if (ret == 0)
		ret = vhost_socket_prepare(port, vp, err, errlen);
	if (ret < 0)
		goto fail;
	/* Every guest tx vring is polled; tx uses as many queues as senders, up to queues. */
	pp.devargs = devargs;
	pp.n_rxq = vp->queues;
	/* Checksums are completed by vhost_rx_offloads(), not by the PMD (which would also
	 * checksum whole TSO frames); the tx ones let the PMD finish checksums a guest
	 * without checksum offload cannot. */
	pp.rx_offloads |= RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
	pp.tx_offloads |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	ret = vtep_port_ethdev_ops.open(port, &pp, err, errlen);
	if (ret < 0) {
		port->priv = NULL;
		rte_free(vp);
		return ret;
	}
	/* The guest may enable fewer queue pairs than configured and change that at run
	 * time, so senders may come to share queues: always lock when there are several. */
	vp->txq_cfg = port->n_txq;
	if (port->n_senders > 1)
		port->txq_shared = true;
	for (uint16_t q = 0; q < port->n_rxq; q++) {
		vp->rx_cb[q] = rte_eth_add_rx_callback(port->port_id, q, vhost_rx_offloads,
						       &vp->rxq[q]);
		if (vp->rx_cb[q] == NULL) {
			snprintf(err, errlen, "cannot add the rx offload callback: %s",
				 rte_strerror(rte_errno));
			ret = -ENOMEM;
			goto fail_open;
		}
	}
	ret = rte_eth_dev_callback_register(port->port_id, RTE_ETH_EVENT_INTR_LSC, vhost_event,
					    vp);
	vp->cb_lsc = ret == 0;
	if (ret == 0)
		ret = rte_eth_dev_callback_register(port->port_id, RTE_ETH_EVENT_QUEUE_STATE,
						    vhost_event, vp);
	vp->cb_qstate = vp->cb_lsc && ret == 0;
	if (ret < 0) {
		snprintf(err, errlen, "cannot register device event callbacks: %s",
			 strerror(-ret));
		goto fail_open;
	}
	/* A VM that connected during start-up raised its events before we listened. */
	on_queue_state(vp);
	on_link(vp);
	if (!vp->from_eal) {
		__atomic_store_n(&vp->watching, true, __ATOMIC_RELEASE);
		rte_eal_alarm_set(SETUP_WATCH_S * US_PER_S, setup_watch, vp);
	}
	VTEP_LOG(PORT, INFO, "port %s: vhost-user %s mode on %s, %u queue pair(s)%s", port->name,
		 vp->client ? "client" : "server", vp->iface, vp->queues,
		 vp->client ? " (connects and reconnects to the VM's socket)" : "");
	return 0;
fail_open:
	vhost_close(port);
	return ret;
fail:
	port->priv = NULL;
	rte_free(vp);
	return ret;
}

/* Unregister an event callback, waiting while it runs on the vhost event thread. */
static void
event_unregister(uint16_t pid, enum rte_eth_event_type type, struct vhost_priv *vp)
{
	while (rte_eth_dev_callback_unregister(pid, type, vhost_event, vp) == -EAGAIN)
		rte_pause();
}

static void
vhost_close(struct vtep_port *port)
{
	struct vhost_priv *vp = port->priv;

	if (vp != NULL) {
		/* (cancel waits for a running watch, and removes what it re-armed) */
		__atomic_store_n(&vp->watching, false, __ATOMIC_RELEASE);
		rte_eal_alarm_cancel(setup_watch, vp);
		if (vp->cb_lsc)
			event_unregister(port->port_id, RTE_ETH_EVENT_INTR_LSC, vp);
		if (vp->cb_qstate)
			event_unregister(port->port_id, RTE_ETH_EVENT_QUEUE_STATE, vp);
		/* The datapath no longer polls this port (it unpublished it first), so the
		 * callbacks can be freed right away. */
		for (uint16_t q = 0; q < VTEP_PORT_MAX_QUEUES; q++) {
			if (vp->rx_cb[q] == NULL)
				continue;
			rte_eth_remove_rx_callback(port->port_id, q, vp->rx_cb[q]);
			rte_free((void *)(uintptr_t)vp->rx_cb[q]);
		}
	}
	vtep_port_ethdev_ops.close(port);
	port->priv = NULL;
	rte_free(vp);
}

/* ---------------------------------------------------------------- counters */

/* Append one counter if there is room; always count it. */
static void
xs_put(struct vtep_port_xstat *xs, unsigned int n, unsigned int *i, const char *name,
       uint64_t v)
{
	if (*i < n) {
		snprintf(xs[*i].name, sizeof(xs[*i].name), "%s", name);
		xs[*i].value = v;
	}
	(*i)++;
}

static int
vhost_xstats(const struct vtep_port *port, struct vtep_port_xstat *xs, unsigned int n)
{
	const struct vhost_priv *vp = port->priv;
	struct rte_eth_stats st;
	uint32_t rxon, txon;
	unsigned int i = 0;
	char name[64];

	if (vp == NULL)
		return 0;
	memset(&st, 0, sizeof(st));
	rte_eth_stats_get(port->port_id, &st);
	rxon = __atomic_load_n(&vp->rxq_on, __ATOMIC_RELAXED);
	txon = __atomic_load_n(&vp->txq_on, __ATOMIC_RELAXED);
	xs_put(xs, n, &i, "connected", __atomic_load_n(&vp->connected, __ATOMIC_RELAXED));
	xs_put(xs, n, &i, "connects", __atomic_load_n(&vp->connects, __ATOMIC_RELAXED));
	xs_put(xs, n, &i, "disconnects", __atomic_load_n(&vp->disconnects, __ATOMIC_RELAXED));
	xs_put(xs, n, &i, "features", __atomic_load_n(&vp->features, __ATOMIC_RELAXED));
	xs_put(xs, n, &i, "setup_stalls", vp->setup_stalls);
	xs_put(xs, n, &i, "tx_tso",
	       (__atomic_load_n(&port->offloads, __ATOMIC_RELAXED) & VTEP_PORT_OFL_TSO) != 0);
	xs_put(xs, n, &i, "tx_queues_used", __atomic_load_n(&port->n_txq, __ATOMIC_RELAXED));
	for (unsigned int q = 0; q < vp->queues; q++) {
		bool c = q < RTE_ETHDEV_QUEUE_STAT_CNTRS;
		const struct { const char *dir, *what; uint64_t v; } qs[] = {
			{ "rx", "enabled", rxon >> q & 1 },
			{ "tx", "enabled", txon >> q & 1 },
			{ "rx", "packets", c ? st.q_ipackets[q] : 0 },
			{ "rx", "bytes", c ? st.q_ibytes[q] : 0 },
			{ "tx", "packets", c ? st.q_opackets[q] : 0 },
			{ "tx", "bytes", c ? st.q_obytes[q] : 0 },
			{ "rx", "tso_frames", vp->rxq[q].tso_frames },
			{ "rx", "csum_completed", vp->rxq[q].csum_completed },
			{ "rx", "offload_errors", vp->rxq[q].offload_errors },
		};

		for (size_t k = 0; k < VTEP_ARRAY_SIZE(qs); k++) {
			snprintf(name, sizeof(name), "%sq%u_%s", qs[k].dir, q, qs[k].what);
			xs_put(xs, n, &i, name, qs[k].v);
		}
	}
	return (int)i;
}

const struct vtep_port_ops vtep_port_vhost_ops = {
	.name = "vhost",
	.match = vhost_match,
	.open = vhost_open,
	.close = vhost_close,
	.xstats = vhost_xstats,
};
