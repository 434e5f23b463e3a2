/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtep-vmsim: a minimal "VM" for tests, on DPDK's net_virtio_user, so a vhost-user port of
 * vtepsw can be driven without QEMU. It answers ARP and ICMP echo for its own address
 * (so ping works across the switch), sends frames from a pcap file (optionally as TSO or
 * with checksum offload, the way a guest kernel hands them to virtio-net), writes what it
 * receives to a pcap file, and prints a JSON summary with per-queue counts.
 *
 *   vtep-vmsim [EAL options with --vdev net_virtio_user0,path=SOCK[,queues=N][,server=1]]
 *              -- [--ip A.B.C.D] [--mac MAC] [--send FILE] [--send-after S] [--loop] [--pps N]
 *                 [--tso MSS] [--csum] [--guest-offloads] [--recv FILE]
 *                 [--duration S] [--wait-link S] [--queues N] [--idle-sleep US]
 *
 * Exit status: 0, 2 on bad usage, 3 when the link never came up within --wait-link.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#define MAX_Q 16
#define BURST 32
#define MAX_FRAMES 100000
#define SNAPLEN 262144

static volatile sig_atomic_t quit;

struct frame {
	uint32_t len;
	uint8_t *data;
};

struct opts {
	const char *send, *recv;
	bool loop, csum, guest_ofl, have_ip;
	uint32_t ip;                /* network order */
	struct rte_ether_addr mac;
	bool have_mac;
	uint64_t pps;
	unsigned int tso_mss;
	double duration, wait_link, send_after;
	uint16_t queues;
	unsigned int idle_us;       /* sleep after 256 idle rounds (shared test machines) */
};

struct stats {
	uint64_t tx, tx_q[MAX_Q], tx_fail, tx_tso;
	uint64_t rx, rx_q[MAX_Q], rx_bytes, rx_partial, rx_gso, rx_big;
	uint64_t arp_replies, echo_replies;
	uint64_t tx_all;            /* every frame transmitted (sent + replies) */
	uint64_t link_downs, link_ups;  /* after the first link up */
};

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static void __attribute__((format(printf, 2, 3), noreturn))
die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "vtep-vmsim: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(code);
}

/* ---------------------------------------------------------------- pcap files */

struct pcap_hdr {
	uint32_t magic;
	uint16_t major, minor;
	int32_t zone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_rec {
	uint32_t sec, usec, caplen, len;
};

/* Read every frame of a classic pcap file (either byte order, usec or nsec). */
static unsigned int
pcap_load(const char *path, struct frame *fr, unsigned int max)
{
	struct pcap_hdr h;
	struct pcap_rec r;
	unsigned int n = 0;
	bool swap;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		die(2, "cannot open '%s'", path);
	if (fread(&h, sizeof(h), 1, f) != 1)
		die(2, "'%s' is not a pcap file", path);
	swap = h.magic == 0xd4c3b2a1 || h.magic == 0x4d3cb2a1;
	if (!swap && h.magic != 0xa1b2c3d4 && h.magic != 0xa1b23c4d)
		die(2, "'%s' is not a pcap file (pcapng is not supported)", path);
	while (n < max && fread(&r, sizeof(r), 1, f) == 1) {
		uint32_t len = swap ? __builtin_bswap32(r.caplen) : r.caplen;

		if (len > SNAPLEN)
			die(2, "oversized record in '%s'", path);
		fr[n].len = len;
		fr[n].data = malloc(len ? len : 1);
		if (fr[n].data == NULL || fread(fr[n].data, 1, len, f) != len)
			die(2, "truncated record in '%s'", path);
		n++;
	}
	fclose(f);
	return n;
}

static FILE *
pcap_create(const char *path)
{
	struct pcap_hdr h = { 0xa1b2c3d4, 2, 4, 0, 0, SNAPLEN, 1 };
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(&h, sizeof(h), 1, f) != 1)
		die(2, "cannot write '%s'", path);
	return f;
}

static void
pcap_write(FILE *f, const struct rte_mbuf *m)
{
	static uint8_t buf[SNAPLEN];
	uint32_t len = RTE_MIN(m->pkt_len, (uint32_t)SNAPLEN);
	const void *p = rte_pktmbuf_read(m, 0, len, buf);
	struct timespec ts;
	struct pcap_rec r;

	clock_gettime(CLOCK_REALTIME, &ts);
	r.sec = (uint32_t)ts.tv_sec;
	r.usec = (uint32_t)(ts.tv_nsec / 1000);
	r.caplen = len;
	r.len = m->pkt_len;
	fwrite(&r, sizeof(r), 1, f);
	fwrite(p, 1, len, f);
}

/* ---------------------------------------------------------------- sending */

/* Copy @p len bytes into a new mbuf chain from @p pool. */
static struct rte_mbuf *
mbuf_from(struct rte_mempool *pool, const uint8_t *data, uint32_t len)
{
	struct rte_mbuf *head = rte_pktmbuf_alloc(pool), *cur = head;
	uint32_t off = 0;

	if (head == NULL)
		return NULL;
	while (off < len) {
		uint32_t n = RTE_MIN(len - off, (uint32_t)rte_pktmbuf_tailroom(cur));

		if (n == 0) {
			cur = rte_pktmbuf_alloc(pool);
			if (cur == NULL || rte_pktmbuf_chain(head, cur) != 0) {
				rte_pktmbuf_free(cur);
				rte_pktmbuf_free(head);
				return NULL;
			}
			continue;
		}
		/* append() writes into the last segment, which is cur */
		memcpy(rte_pktmbuf_append(head, (uint16_t)n), data + off, n);
		off += n;
	}
	return head;
}

/* Ask the "NIC" for what a guest kernel would: TSO for large TCP frames, checksums. */
static void
set_offloads(struct rte_mbuf *m, const struct opts *o, struct stats *st)
{
	struct rte_net_hdr_lens hl;
	uint32_t ptype = rte_net_get_ptype(m, &hl, RTE_PTYPE_ALL_MASK);
	uint32_t l4 = ptype & RTE_PTYPE_L4_MASK;
	uint32_t hdrs = hl.l2_len + hl.l3_len + hl.l4_len;

	if (!(ptype & (RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L3_IPV6 | RTE_PTYPE_L3_IPV4_EXT |
		       RTE_PTYPE_L3_IPV6_EXT | RTE_PTYPE_L3_IPV4_EXT_UNKNOWN |
		       RTE_PTYPE_L3_IPV6_EXT_UNKNOWN)))
		return;
	m->l2_len = hl.l2_len;
	m->l3_len = hl.l3_len;
	m->l4_len = hl.l4_len;
	m->ol_flags |= RTE_ETH_IS_IPV4_HDR(ptype) ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6;
	if (l4 == RTE_PTYPE_L4_TCP && o->tso_mss && m->pkt_len - hdrs > o->tso_mss) {
		m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
		m->tso_segsz = (uint16_t)o->tso_mss;
		st->tx_tso++;
	} else if (o->csum && l4 == RTE_PTYPE_L4_TCP) {
		m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
	} else if (o->csum && l4 == RTE_PTYPE_L4_UDP) {
		m->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM;
	} else {
		m->ol_flags &= ~(RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6);
	}
}

/* ---------------------------------------------------------------- answering */

/* Turn an ARP request or ICMP echo request for our address into its reply in place.
 * @return true if @p m is now a reply to send back. */
static bool
answer(struct rte_mbuf *m, const struct opts *o, struct stats *st)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	if (!o->have_ip || m->data_len < sizeof(*eh) + sizeof(struct rte_arp_hdr))
		return false;
	if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) {
		struct rte_arp_hdr *a = (struct rte_arp_hdr *)(eh + 1);

		if (a->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) ||
		    a->arp_data.arp_tip != o->ip)
			return false;
		a->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
		a->arp_data.arp_tha = a->arp_data.arp_sha;
		a->arp_data.arp_tip = a->arp_data.arp_sip;
		a->arp_data.arp_sha = o->mac;
		a->arp_data.arp_sip = o->ip;
		eh->dst_addr = eh->src_addr;
		eh->src_addr = o->mac;
		st->arp_replies++;
		return true;
	}
	if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
		uint32_t ihl = rte_ipv4_hdr_len(ip);
		struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)((uint8_t *)ip + ihl);
		uint32_t sum;

		if (m->data_len < sizeof(*eh) + ihl + sizeof(*ic) || ip->dst_addr != o->ip ||
		    ip->next_proto_id != IPPROTO_ICMP || ic->icmp_type != RTE_IP_ICMP_ECHO_REQUEST)
			return false;
		ic->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
		/* RFC 1624 incremental update: type 8 -> 0 in the high byte */
		sum = (uint32_t)(uint16_t)~ic->icmp_cksum + (uint16_t)~rte_cpu_to_be_16(0x0800);
		sum = (sum & 0xffff) + (sum >> 16);
		ic->icmp_cksum = (uint16_t)~((sum & 0xffff) + (sum >> 16));
		ip->dst_addr = ip->src_addr;
		ip->src_addr = o->ip;
		eh->dst_addr = eh->src_addr;
		eh->src_addr = o->mac;
		st->echo_replies++;
		return true;
	}
	return false;
}

/*
 * Complete a checksum the switch left partial (virtio NEEDS_CSUM), as a guest would. The
 * field holds the pseudo-header sum; for GSO frames DPDK 22.11's vhost library writes it
 * without the L4 length (its TSO convention), so the length is added here.
 */
static void
complete_partial(struct rte_mbuf *m)
{
	struct rte_net_hdr_lens hl;
	uint32_t ptype = rte_net_get_ptype(m, &hl, RTE_PTYPE_ALL_MASK);
	uint32_t off = hl.l2_len + hl.l3_len, coff, s;
	uint16_t sum = 0;

	if ((ptype & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_TCP)
		coff = off + 16;
	else if ((ptype & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_UDP)
		coff = off + 6;
	else
		return;
	if (coff + 2 > m->data_len || rte_raw_cksum_mbuf(m, off, m->pkt_len - off, &sum) < 0)
		return;
	s = sum;
	if (m->ol_flags & RTE_MBUF_F_RX_LRO)
		s += rte_cpu_to_be_16((uint16_t)(m->pkt_len - off));
	s = (s & 0xffff) + (s >> 16);
	*rte_pktmbuf_mtod_offset(m, uint16_t *, coff) = (uint16_t)~((s & 0xffff) + (s >> 16));
}

/* ---------------------------------------------------------------- main */

static void
parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "ip", 1, NULL, 'i' }, { "mac", 1, NULL, 'm' }, { "send", 1, NULL, 's' },
		{ "loop", 0, NULL, 'l' }, { "pps", 1, NULL, 'p' }, { "tso", 1, NULL, 't' },
		{ "csum", 0, NULL, 'c' }, { "guest-offloads", 0, NULL, 'g' },
		{ "recv", 1, NULL, 'r' }, { "duration", 1, NULL, 'd' },
		{ "wait-link", 1, NULL, 'w' }, { "queues", 1, NULL, 'q' },
		{ "idle-sleep", 1, NULL, 'u' }, { "send-after", 1, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct in_addr a;
	int c;

	o->duration = 5;
	o->wait_link = 10;
	o->queues = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (inet_pton(AF_INET, optarg, &a) != 1)
				die(2, "--ip: '%s' is not an IPv4 address", optarg);
			o->ip = a.s_addr;
			o->have_ip = true;
			break;
		case 'm':
			if (rte_ether_unformat_addr(optarg, &o->mac) != 0)
				die(2, "--mac: '%s' is not a MAC address", optarg);
			o->have_mac = true;
			break;
		case 's': o->send = optarg; break;
		case 'l': o->loop = true; break;
		case 'p': o->pps = strtoull(optarg, NULL, 10); break;
		case 't': o->tso_mss = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'c': o->csum = true; break;
		case 'g': o->guest_ofl = true; break;
		case 'r': o->recv = optarg; break;
		case 'd': o->duration = atof(optarg); break;
		case 'w': o->wait_link = atof(optarg); break;
		case 'a': o->send_after = atof(optarg); break;
		case 'u': o->idle_us = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'q':
			o->queues = (uint16_t)strtoul(optarg, NULL, 10);
			if (o->queues < 1 || o->queues > MAX_Q)
				die(2, "--queues: '%s' is not in 1..16", optarg);
			break;
		default:
			die(2, "unknown option (see the comment at the top of %s)", __FILE__);
		}
	}
}

static void
port_setup(uint16_t pid, const struct opts *o, struct rte_mempool *pool)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	int ret;

	if (rte_eth_dev_info_get(pid, &info) != 0)
		die(1, "cannot read device info");
	conf.txmode.offloads = info.tx_offload_capa & (RTE_ETH_TX_OFFLOAD_MULTI_SEGS |
		RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
		RTE_ETH_TX_OFFLOAD_UDP_CKSUM);
	/* Guest receive offloads (virtio guest_csum/guest_tso): only when asked, so tests
	 * can play guests with and without them. */
	if (o->guest_ofl)
		conf.rxmode.offloads = info.rx_offload_capa & (RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
			RTE_ETH_RX_OFFLOAD_UDP_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_LRO);
	ret = rte_eth_dev_configure(pid, o->queues, o->queues, &conf);
	if (ret < 0)
		die(1, "cannot configure the port: %s", strerror(-ret));
	for (uint16_t q = 0; q < o->queues; q++) {
		if (rte_eth_rx_queue_setup(pid, q, 256, rte_socket_id(), NULL, pool) < 0 ||
		    rte_eth_tx_queue_setup(pid, q, 256, rte_socket_id(), NULL) < 0)
			die(1, "cannot set up queues");
	}
	ret = rte_eth_dev_start(pid);
	if (ret < 0)
		die(1, "cannot start the port (virtio-user needs memory it can share: run with "
		    "--no-huge, or --single-file-segments on hugepages): %s", strerror(-ret));
}

static bool
link_up(uint16_t pid)
{
	struct rte_eth_link l;

	return rte_eth_link_get_nowait(pid, &l) == 0 && l.link_status == RTE_ETH_LINK_UP;
}

static void
print_q(const char *name, const uint64_t *v, uint16_t n, bool last)
{
	printf("\"%s\": [", name);
	for (uint16_t q = 0; q < n; q++)
		printf("%s%" PRIu64, q ? ", " : "", v[q]);
	printf("]%s", last ? "" : ", ");
}

int
main(int argc, char **argv)
{
	static struct frame frames[MAX_FRAMES];
	struct rte_mbuf *pkts[BURST];
	struct stats st = { 0 };
	struct opts o = { 0 };
	struct rte_mempool *pool;
	unsigned int n_frames = 0, next = 0, idle = 0;
	uint64_t hz, start, end, link_at = 0, next_tx, next_link;
	bool was_up = true;
	FILE *rf = NULL;
	uint16_t pid = 0;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		die(1, "EAL initialisation failed: %s", rte_strerror(rte_errno));
	parse(argc - ret, argv + ret, &o);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);   /* the switch may go away mid-write, as QEMU expects too */
	if (rte_eth_dev_count_avail() == 0)
		die(2, "no port: give --vdev net_virtio_user0,path=SOCKET");
	pool = rte_pktmbuf_pool_create("vmsim", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	if (pool == NULL)
		die(1, "cannot create the mbuf pool: %s", rte_strerror(rte_errno));
	if (!o.have_mac)
		rte_eth_macaddr_get(pid, &o.mac);
	port_setup(pid, &o, pool);
	if (o.send != NULL)
		n_frames = pcap_load(o.send, frames, MAX_FRAMES);
	if (o.recv != NULL)
		rf = pcap_create(o.recv);

	hz = rte_get_tsc_hz();
	start = rte_rdtsc();
	while (!link_up(pid) && !quit) {
		if (rte_rdtsc() - start > (uint64_t)(o.wait_link * hz))
			die(3, "link stayed down: is vtepsw's vhost-user port on this socket?");
		rte_delay_ms(10);
	}
	link_at = rte_rdtsc();
	end = link_at + (uint64_t)(o.duration * hz);
	next_tx = link_at + (uint64_t)(o.send_after * hz);
	next_link = link_at;
	while (!quit && rte_rdtsc() < end) {
		bool busy = false;

		/* Reading the link is also what lets a virtio-user server accept a restarted
		 * vhost-user client (DPDK reconnects there), so poll it as a guest driver would. */
		if (rte_rdtsc() >= next_link) {
			bool up = link_up(pid);

			if (up != was_up) {
				st.link_downs += !up;
				st.link_ups += up;
				was_up = up;
			}
			next_link += hz / 10;
		}

		for (uint16_t q = 0; q < o.queues; q++) {
			uint16_t n = rte_eth_rx_burst(pid, q, pkts, BURST), k = 0;

			busy |= n > 0;
			for (uint16_t i = 0; i < n; i++) {
				struct rte_mbuf *m = pkts[i];

				st.rx++;
				st.rx_q[q]++;
				st.rx_bytes += m->pkt_len;
				st.rx_big += m->pkt_len > 1514;
				if (m->ol_flags & RTE_MBUF_F_RX_LRO)
					st.rx_gso++;
				if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
				    RTE_MBUF_F_RX_L4_CKSUM_NONE) {
					st.rx_partial++;
					complete_partial(m);
				}
				if (rf != NULL)
					pcap_write(rf, m);
				if (answer(m, &o, &st)) {
					m->ol_flags = 0;
					pkts[k++] = m;
				} else {
					rte_pktmbuf_free(m);
				}
			}
			if (k) {
				uint16_t s = rte_eth_tx_burst(pid, q, pkts, k);

				st.tx_all += s;
				rte_pktmbuf_free_bulk(&pkts[s], k - s);
			}
		}
		/* one frame per round, paced by --pps */
		if (next < n_frames && rte_rdtsc() >= next_tx) {
			const struct frame *f = &frames[next];

			busy = true;
			struct rte_mbuf *m = mbuf_from(pool, f->data, f->len);
			uint16_t q = (uint16_t)(next % o.queues);

			if (m != NULL) {
				set_offloads(m, &o, &st);
				if (rte_eth_tx_prepare(pid, q, &m, 1) == 1 &&
				    rte_eth_tx_burst(pid, q, &m, 1) == 1) {
					st.tx++;
					st.tx_all++;
					st.tx_q[q]++;
				} else {
					rte_pktmbuf_free(m);
					st.tx_fail++;
				}
			} else {
				st.tx_fail++;
			}
			next++;
			if (next == n_frames && o.loop)
				next = 0;
			if (o.pps)
				next_tx += hz / o.pps;
		}
		idle = busy ? 0 : idle + 1;
		if (o.idle_us && idle >= 256)
			rte_delay_us_sleep(o.idle_us);
	}
	if (rf != NULL)
		fclose(rf);
	printf("{\"link_up_ms\": %.0f, \"tx\": %" PRIu64 ", ", (double)(link_at - start) * 1e3 / hz,
	       st.tx);
	print_q("tx_q", st.tx_q, o.queues, false);
	printf("\"tx_fail\": %" PRIu64 ", \"tx_tso\": %" PRIu64 ", \"rx\": %" PRIu64 ", ",
	       st.tx_fail, st.tx_tso, st.rx);
	print_q("rx_q", st.rx_q, o.queues, false);
	printf("\"rx_bytes\": %" PRIu64 ", \"rx_partial_csum\": %" PRIu64 ", \"rx_gso\": %" PRIu64
	       ", \"rx_big\": %" PRIu64 ", \"arp_replies\": %" PRIu64 ", \"echo_replies\": %"
	       PRIu64 ", \"tx_all\": %" PRIu64 ", \"link_downs\": %" PRIu64 ", \"link_ups\": %"
	       PRIu64 "}\n", st.rx_bytes, st.rx_partial, st.rx_gso, st.rx_big, st.arp_replies,
	       st.echo_replies, st.tx_all, st.link_downs, st.link_ups);
	fflush(stdout);
	rte_eth_dev_stop(pid);
	rte_eth_dev_close(pid);
	for (unsigned int i = 0; i < n_frames; i++)
		free(frames[i].data);
	rte_eal_cleanup();
	return 0;
}
