/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The underlay, on the control thread: the local VTEP addresses answer ARP, IPv6 neighbour
 * solicitation and ICMP/ICMPv6 echo; next hops of tunnels are resolved with ARP/ND into a
 * neighbour cache (retries, expiry); multicast groups of segments are joined with IGMPv2 /
 * MLDv1 reports. A neighbour change marks the tables dirty so templates are rebuilt.
 */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "vtep_dp_priv.h"
#include "vtep_log.h"

#define NEIGH_RETRY_MS 1000
#define NEIGH_SLOW_RETRY_MS 5000
#define NEIGH_FAST_RETRIES 3
#define NEIGH_REACHABLE_MS 300000
#define IGMP_REPORT_MS 60000
#define IGMP_STARTUP_MS 2000 /* unsolicited reports repeated early (RFC 2236 sec. 3) */
#define IGMP_STARTUP_REPORTS 3

#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define ND_NEIGHBOR_SOLICIT 135
#define ND_NEIGHBOR_ADVERT 136
#define MLD_REPORT 131

static uint64_t last_timer_ms, last_igmp_ms;
static unsigned int igmp_reports;

int
dp_control_tx(struct vtep_dp *dp, struct rte_mbuf *m)
{
	const struct dp_tables *t = dp->tables;
	const struct dp_tport *tp;

	if (t->uplink == DP_NO_PORT) {
		rte_pktmbuf_free(m);
		return -ENODEV;
	}
	tp = &t->ports[t->uplink];
	if (vtep_port_tx(tp->eth, dp->control_sender, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	return 0;
}

static bool
in_prefix(const struct vtep_ip *a, const struct vtep_ip *net, unsigned int plen)
{
	const uint8_t *x, *y;
	unsigned int bytes;

	if (a->family != net->family)
		return false;
	x = a->family == AF_INET ? (const uint8_t *)&a->v4 : a->v6.s6_addr;
	y = net->family == AF_INET ? (const uint8_t *)&net->v4 : net->v6.s6_addr;
	bytes = plen / 8;
	if (memcmp(x, y, bytes) != 0)
		return false;
	if (plen % 8) {
		uint8_t mask = (uint8_t)(0xff << (8 - plen % 8));

		return (x[bytes] & mask) == (y[bytes] & mask);
	}
	return true;
}

int
dp_next_hop(const struct vtep_dp *dp, const struct vtep_ip *remote, struct vtep_ip *nh)
{
	const struct vtep_cfg_vtep *v = &dp->vtep;

	if (remote->family == AF_INET) {
		if (v->local_ip.family == 0)
			return -ENETUNREACH;
		if (v->gateway.family == AF_INET &&
		    !in_prefix(remote, &v->local_ip, v->prefix_len ? v->prefix_len : 24))
			*nh = v->gateway;
		else
			*nh = *remote;
		return 0;
	}
	if (v->local_ip6.family == 0)
		return -ENETUNREACH;
	if (v->gateway6.family == AF_INET6 &&
	    !in_prefix(remote, &v->local_ip6, v->prefix_len6 ? v->prefix_len6 : 64))
		*nh = v->gateway6;
	else
		*nh = *remote;
	return 0;
}

static struct dp_neigh *
neigh_find(struct vtep_dp *dp, const struct vtep_ip *ip)
{
	for (unsigned int i = 0; i < DP_MAX_NEIGH; i++)
		if (dp->neigh[i].state != DP_NEIGH_FREE && vtep_ip_equal(&dp->neigh[i].ip, ip))
			return &dp->neigh[i];
	return NULL;
}

int
dp_neigh_lookup(struct vtep_dp *dp, const struct vtep_ip *ip, uint8_t mac[6])
{
	struct dp_neigh *n = neigh_find(dp, ip);

	if (n != NULL && (n->state == DP_NEIGH_REACHABLE || n->state == DP_NEIGH_STATIC)) {
		memcpy(mac, n->mac, 6);
		return 0;
	}
	if (n == NULL) {
		for (unsigned int i = 0; i < DP_MAX_NEIGH; i++)
			if (dp->neigh[i].state == DP_NEIGH_FREE) {
				n = &dp->neigh[i];
				memset(n, 0, sizeof(*n));
				n->state = DP_NEIGH_INCOMPLETE;
				n->ip = *ip;
				break;
			}
	}
	return -ENOENT;
}

void
dp_neigh_set_static(struct vtep_dp *dp)
{
	for (unsigned int i = 0; i < DP_MAX_NEIGH; i++)
		if (dp->neigh[i].state == DP_NEIGH_STATIC)
			dp->neigh[i].state = DP_NEIGH_FREE;
}

/*
 * A configured neighbour: it takes over the entry already kept for its address (learned or
 * being resolved) so that an address never has two entries, else a free one, else the
 * place of one being resolved, else of the learned one heard from longest ago (a learned
 * neighbour is resolved again when needed; a configured one would be lost).
 * @return false only when every entry is configured.
 */
bool
dp_neigh_add_static(struct vtep_dp *dp, const struct vtep_ip *ip, const uint8_t mac[6])
{
	struct dp_neigh *n = neigh_find(dp, ip), *free_e = NULL, *incomplete = NULL, *oldest = NULL;

	for (unsigned int i = 0; n == NULL && i < DP_MAX_NEIGH; i++) {
		struct dp_neigh *e = &dp->neigh[i];

		if (e->state == DP_NEIGH_FREE && free_e == NULL)
			free_e = e;
		else if (e->state == DP_NEIGH_INCOMPLETE && incomplete == NULL)
			incomplete = e;
		else if (e->state == DP_NEIGH_REACHABLE &&
			 (oldest == NULL || e->updated_ms < oldest->updated_ms))
			oldest = e;
	}
	if (n == NULL)
		n = free_e != NULL ? free_e : incomplete != NULL ? incomplete : oldest;
	if (n == NULL)
		return false;
	memset(n, 0, sizeof(*n));
	n->state = DP_NEIGH_STATIC;
	n->ip = *ip;
	memcpy(n->mac, mac, 6);
	return true;
}

/* A neighbour answered (or announced itself): record it if we care about it. */
static void
neigh_update(struct vtep_dp *dp, const struct vtep_ip *ip, const uint8_t *mac, uint64_t now_ms)
{
	struct dp_neigh *n = neigh_find(dp, ip);

	if (n == NULL || n->state == DP_NEIGH_STATIC)
		return;
	if (n->state != DP_NEIGH_REACHABLE || memcmp(n->mac, mac, 6) != 0) {
		char buf[64];

		dp->tables_dirty = true;
		dp->ul.neigh_learned++;
		VTEP_LOG(UNDERLAY, INFO, "neighbour %s is at %02x:%02x:%02x:%02x:%02x:%02x",
			 vtep_ip_format(ip, buf, sizeof(buf)), mac[0], mac[1], mac[2], mac[3],
			 mac[4], mac[5]);
	}
	memcpy(n->mac, mac, 6);
	n->state = DP_NEIGH_REACHABLE;
	n->retries = 0;
	n->updated_ms = now_ms;
	n->next_probe_ms = now_ms + NEIGH_REACHABLE_MS;
}

static const uint8_t *
uplink_mac(const struct vtep_dp *dp)
{
	const struct dp_tables *t = dp->tables;

	return t->uplink == DP_NO_PORT ? NULL : t->ports[t->uplink].eth->mac;
}

static void
send_arp(struct vtep_dp *dp, uint16_t op, const uint8_t *dst_mac, const uint8_t *tha,
	 uint32_t tpa)
{
	const uint8_t *mac = uplink_mac(dp);
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;
	struct rte_mbuf *m;

	if (mac == NULL || dp->vtep.local_ip.family != AF_INET)
		return;
	m = rte_pktmbuf_alloc(dp->p.pool);
	if (m == NULL)
		return;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh) + sizeof(*ah));
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	ah = (struct rte_arp_hdr *)(eh + 1);
	memcpy(eh->dst_addr.addr_bytes, dst_mac, 6);
	memcpy(eh->src_addr.addr_bytes, mac, 6);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	ah->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = 6;
	ah->arp_plen = 4;
	ah->arp_opcode = rte_cpu_to_be_16(op);
	memcpy(ah->arp_data.arp_sha.addr_bytes, mac, 6);
	ah->arp_data.arp_sip = dp->vtep.local_ip.v4.s_addr;
	memcpy(ah->arp_data.arp_tha.addr_bytes, tha, 6);
	ah->arp_data.arp_tip = tpa;
	if (op == RTE_ARP_OP_REPLY)
		dp->ul.arp_replies_sent++;
	else
		dp->ul.arp_requests_sent++;
	dp_control_tx(dp, m);
}

static void
arp_input(struct vtep_dp *dp, struct rte_mbuf *m, uint64_t now_ms)
{
	struct rte_arp_hdr *ah;
	struct vtep_ip sender = { .family = AF_INET };

	if (m->data_len < sizeof(struct rte_ether_hdr) + sizeof(*ah))
		goto done;
	ah = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, sizeof(struct rte_ether_hdr));
	if (ah->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    ah->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) || ah->arp_hlen != 6 ||
	    ah->arp_plen != 4)
		goto done;
	sender.v4.s_addr = ah->arp_data.arp_sip;
	neigh_update(dp, &sender, ah->arp_data.arp_sha.addr_bytes, now_ms);
	if (ah->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) &&
	    dp->vtep.local_ip.family == AF_INET &&
	    ah->arp_data.arp_tip == dp->vtep.local_ip.v4.s_addr)
		send_arp(dp, RTE_ARP_OP_REPLY, ah->arp_data.arp_sha.addr_bytes,
			 ah->arp_data.arp_sha.addr_bytes, ah->arp_data.arp_sip);
done:
	rte_pktmbuf_free(m);
}

/* Turn an ICMP echo request into the reply in place and send it. */
static void
icmp4_input(struct vtep_dp *dp, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_icmp_hdr *ic;
	unsigned int ihl = (ip->version_ihl & 0xf) * 4u;
	uint32_t sum;
	struct rte_ether_addr tmp;
	const uint8_t *mac = uplink_mac(dp);
	uint32_t a;

	if (ip->next_proto_id != IPPROTO_ICMP || m->data_len < sizeof(*eh) + ihl + sizeof(*ic) ||
	    rte_pktmbuf_pkt_len(m) != m->data_len)
		goto drop;
	ic = (struct rte_icmp_hdr *)((uint8_t *)ip + ihl);
	if (ic->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || ic->icmp_code != 0)
		goto drop;
	if (mac == NULL)
		goto drop;
	rte_ether_addr_copy(&eh->src_addr, &tmp);
	rte_ether_addr_copy(&eh->dst_addr, &eh->src_addr);
	rte_ether_addr_copy(&tmp, &eh->dst_addr);
	memcpy(eh->src_addr.addr_bytes, mac, 6);
	a = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	/* incremental checksum update for type 8 -> 0 (RFC 1624) */
	sum = (uint32_t)(~rte_be_to_cpu_16(ic->icmp_cksum) & 0xffff) + 0xf7ff;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ic->icmp_cksum = rte_cpu_to_be_16((uint16_t)~sum);
	dp->ul.echo_replies_sent++;
	dp_control_tx(dp, m);
	return;
drop:
	rte_pktmbuf_free(m);
}

/* ICMPv6 checksum over the pseudo-header and the message (payload_len bytes). */
static uint16_t
icmp6_cksum(const struct rte_ipv6_hdr *ip6, const void *msg, uint32_t len)
{
	(void)len;
	return rte_ipv6_udptcp_cksum(ip6, msg);
}

static void
send_nd(struct vtep_dp *dp, uint8_t type, const uint8_t *dst_mac, const struct in6_addr *dst,
	const struct in6_addr *target, bool solicited)
{
	const uint8_t *mac = uplink_mac(dp);
	struct rte_ether_hdr *eh;
	struct rte_ipv6_hdr *ip6;
	uint8_t *icmp;
	struct rte_mbuf *m;
	uint16_t len = 4 + 4 + 16 + 8; /* hdr, flags/reserved, target, link-layer option */
	uint16_t ck;

	if (mac == NULL || dp->vtep.local_ip6.family != AF_INET6)
		return;
	m = rte_pktmbuf_alloc(dp->p.pool);
	if (m == NULL)
		return;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh) + sizeof(*ip6) + len);
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	ip6 = (struct rte_ipv6_hdr *)(eh + 1);
	icmp = (uint8_t *)(ip6 + 1);
	memcpy(eh->dst_addr.addr_bytes, dst_mac, 6);
	memcpy(eh->src_addr.addr_bytes, mac, 6);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(len);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = 255;
	memcpy(ip6->src_addr, &dp->vtep.local_ip6.v6, 16);
	memcpy(ip6->dst_addr, dst, 16);
	memset(icmp, 0, len);
	icmp[0] = type;
	if (type == ND_NEIGHBOR_ADVERT)
		icmp[4] = (solicited ? 0x40 : 0) | 0x20; /* S, O */
	memcpy(icmp + 8, target, 16);
	icmp[24] = type == ND_NEIGHBOR_ADVERT ? 2 : 1; /* target / source link-layer address */
	icmp[25] = 1;
	memcpy(icmp + 26, mac, 6);
	ck = icmp6_cksum(ip6, icmp, len);
	memcpy(icmp + 2, &ck, 2); /* DPDK checksums are already in network byte order */
	if (type == ND_NEIGHBOR_ADVERT)
		dp->ul.nd_adverts_sent++;
	else
		dp->ul.nd_solicits_sent++;
	dp_control_tx(dp, m);
}

static void
solicited_node(const struct in6_addr *a, struct in6_addr *snm, uint8_t mac[6])
{
	static const uint8_t pfx[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };

	memcpy(snm->s6_addr, pfx, 13);
	memcpy(snm->s6_addr + 13, a->s6_addr + 13, 3);
	mac[0] = 0x33, mac[1] = 0x33;
	memcpy(mac + 2, snm->s6_addr + 12, 4);
}

static void
icmp6_input(struct vtep_dp *dp, struct rte_mbuf *m, uint64_t now_ms)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eh + 1);
	uint8_t *icmp = (uint8_t *)(ip6 + 1);
	uint32_t plen;
	struct in6_addr target;

	if (m->data_len < sizeof(*eh) + sizeof(*ip6) + 8 || rte_pktmbuf_pkt_len(m) != m->data_len ||
	    ip6->proto != IPPROTO_ICMPV6)
		goto drop;
	plen = rte_be_to_cpu_16(ip6->payload_len);
	if (plen < 8 || sizeof(*eh) + sizeof(*ip6) + plen > m->data_len)
		goto drop;
	switch (icmp[0]) {
	case ND_NEIGHBOR_SOLICIT:
	case ND_NEIGHBOR_ADVERT:
		if (plen < 24)
			goto drop;
		memcpy(&target, icmp + 8, 16);
		if (icmp[0] == ND_NEIGHBOR_ADVERT) {
			struct vtep_ip who = { .family = AF_INET6 };
			const uint8_t *ll = eh->src_addr.addr_bytes;

			who.v6 = target;
			if (plen >= 32 && icmp[24] == 2 && icmp[25] == 1)
				ll = icmp + 26;
			neigh_update(dp, &who, ll, now_ms);
			goto drop;
		}
		if (dp->vtep.local_ip6.family == AF_INET6 &&
		    memcmp(&target, &dp->vtep.local_ip6.v6, 16) == 0) {
			struct in6_addr src;
			struct vtep_ip who = { .family = AF_INET6 };

			memcpy(&src, ip6->src_addr, 16);
			who.v6 = src;
			neigh_update(dp, &who, eh->src_addr.addr_bytes, now_ms);
			send_nd(dp, ND_NEIGHBOR_ADVERT, eh->src_addr.addr_bytes, &src, &target, true);
		}
		goto drop;
	case ICMP6_ECHO_REQUEST: {
		struct rte_ether_addr tmp;
		const uint8_t *mac = uplink_mac(dp);
		uint8_t a[16];
		uint16_t ck;

		if (mac == NULL || dp->vtep.local_ip6.family != AF_INET6 ||
		    memcmp(ip6->dst_addr, &dp->vtep.local_ip6.v6, 16) != 0)
			goto drop;
		rte_ether_addr_copy(&eh->src_addr, &tmp);
		rte_ether_addr_copy(&eh->dst_addr, &eh->src_addr);
		rte_ether_addr_copy(&tmp, &eh->dst_addr);
		memcpy(eh->src_addr.addr_bytes, mac, 6);
		memcpy(a, ip6->src_addr, 16);
		memcpy(ip6->src_addr, ip6->dst_addr, 16);
		memcpy(ip6->dst_addr, a, 16);
		ip6->hop_limits = 64;
		icmp[0] = ICMP6_ECHO_REPLY;
		icmp[2] = icmp[3] = 0;
		rte_pktmbuf_trim(m, (uint16_t)(m->data_len - sizeof(*eh) - sizeof(*ip6) - plen));
		ck = icmp6_cksum(ip6, icmp, plen);
		memcpy(icmp + 2, &ck, 2);
		dp->ul.echo_replies_sent++;
		dp_control_tx(dp, m);
		return;
	}
	default:
		break;
	}
drop:
	rte_pktmbuf_free(m);
}

void
dp_underlay_input(struct vtep_dp *dp, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint64_t now_ms = last_timer_ms;

	if (m->data_len < sizeof(*eh) || uplink_mac(dp) == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	switch (rte_be_to_cpu_16(eh->ether_type)) {
	case RTE_ETHER_TYPE_ARP:
		arp_input(dp, m, now_ms);
		break;
	case RTE_ETHER_TYPE_IPV4:
		if (m->data_len >= sizeof(*eh) + sizeof(struct rte_ipv4_hdr) &&
		    ((const struct rte_ipv4_hdr *)(eh + 1))->next_proto_id == IPPROTO_ICMP) {
			icmp4_input(dp, m);
			break;
		}
		dp->ul.ctl_unhandled++;
		rte_pktmbuf_free(m);
		break;
	case RTE_ETHER_TYPE_IPV6:
		icmp6_input(dp, m, now_ms);
		break;
	default:
		dp->ul.ctl_unhandled++;
		rte_pktmbuf_free(m);
		break;
	}
}

/* Send an ARP request / neighbour solicitation for @n. */
static void
neigh_probe(struct vtep_dp *dp, struct dp_neigh *n)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];

	if (n->ip.family == AF_INET) {
		send_arp(dp, RTE_ARP_OP_REQUEST, bcast, zero, n->ip.v4.s_addr);
	} else {
		struct in6_addr snm;
		uint8_t mac[6];

		solicited_node(&n->ip.v6, &snm, mac);
		send_nd(dp, ND_NEIGHBOR_SOLICIT, mac, &snm, &n->ip.v6, false);
	}
}

/*
 * The VTEP addresses changed at run time: announce them (gratuitous ARP, unsolicited
 * neighbour advertisement to all nodes, RFC 5227 / RFC 4861 sec. 7.2.6) so underlay
 * neighbours that cached another owner of the address update at once, and send the
 * multicast reports again soon, now from the new source address.
 */
void
dp_underlay_announce(struct vtep_dp *dp)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	static const struct in6_addr all_nodes = { .s6_addr = { 0xff, 0x02, [15] = 1 } };
	static const uint8_t zero[6];

	if (dp->vtep.local_ip.family == AF_INET)
		send_arp(dp, RTE_ARP_OP_REQUEST, bcast, zero, dp->vtep.local_ip.v4.s_addr);
	if (dp->vtep.local_ip6.family == AF_INET6)
		send_nd(dp, ND_NEIGHBOR_ADVERT, all_nodes_mac, &all_nodes, &dp->vtep.local_ip6.v6,
			false);
	last_igmp_ms = 0;
	igmp_reports = 0;
}

/*
 * An MLDv1 report (RFC 2710) for IPv6 group @p group into the empty mbuf @p m: sent from the
 * link-local address of the uplink's MAC (modified EUI-64), as MLD requires, to the group,
 * hop limit 1, with a hop-by-hop router alert option (RFC 2711). @return false if @p m
 * has no room.
 */
static bool
build_mld_report(struct rte_mbuf *m, const uint8_t mac[6], const struct in6_addr *group)
{
	static const uint8_t hbh[8] = { IPPROTO_ICMPV6, 0, 5, 2, 0, 0, 1, 0 }; /* RA, PadN */
	struct rte_ether_hdr *eh;
	struct rte_ipv6_hdr *ip6, pseudo;
	uint8_t *mld;
	uint16_t ck;

	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh) + sizeof(*ip6) + 8 + 24);
	if (eh == NULL)
		return false;
	ip6 = (struct rte_ipv6_hdr *)(eh + 1);
	mld = (uint8_t *)(ip6 + 1) + 8;
	eh->dst_addr.addr_bytes[0] = 0x33;
	eh->dst_addr.addr_bytes[1] = 0x33;
	memcpy(eh->dst_addr.addr_bytes + 2, group->s6_addr + 12, 4);
	memcpy(eh->src_addr.addr_bytes, mac, 6);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	memset(ip6, 0, sizeof(*ip6));
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(8 + 24);
	ip6->proto = 0; /* hop-by-hop options */
	ip6->hop_limits = 1;
	ip6->src_addr[0] = 0xfe;
	ip6->src_addr[1] = 0x80;
	ip6->src_addr[8] = mac[0] ^ 0x02;
	ip6->src_addr[9] = mac[1];
	ip6->src_addr[10] = mac[2];
	ip6->src_addr[11] = 0xff;
	ip6->src_addr[12] = 0xfe;
	ip6->src_addr[13] = mac[3];
	ip6->src_addr[14] = mac[4];
	ip6->src_addr[15] = mac[5];
	memcpy(ip6->dst_addr, group->s6_addr, 16);
	memcpy(ip6 + 1, hbh, sizeof(hbh));
	memset(mld, 0, 24);
	mld[0] = MLD_REPORT;
	memcpy(mld + 8, group->s6_addr, 16);
	/* the checksum's pseudo-header names ICMPv6 and its length, not the options header */
	pseudo = *ip6;
	pseudo.proto = IPPROTO_ICMPV6;
	pseudo.payload_len = rte_cpu_to_be_16(24);
	ck = icmp6_cksum(&pseudo, mld, 24);
	memcpy(mld + 2, &ck, 2);
	return true;
}

/* IGMPv2 membership report (RFC 2236) for an IPv4 group; MLDv1 report for IPv6. */
static void
send_join(struct vtep_dp *dp, const struct vtep_ip *g)
{
	const uint8_t *mac = uplink_mac(dp);
	struct rte_ether_hdr *eh;
	struct rte_mbuf *m;

	if (mac == NULL)
		return;
	m = rte_pktmbuf_alloc(dp->p.pool);
	if (m == NULL)
		return;
	if (g->family == AF_INET && dp->vtep.local_ip.family == AF_INET) {
		struct rte_ipv4_hdr *ip;
		uint8_t *ig;
		const uint8_t *ga = (const uint8_t *)&g->v4;

		eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh) + 24 + 8);
		if (eh == NULL) {
			rte_pktmbuf_free(m);
			return;
		}
		ip = (struct rte_ipv4_hdr *)(eh + 1);
		ig = (uint8_t *)ip + 24;
		eh->dst_addr.addr_bytes[0] = 0x01;
		eh->dst_addr.addr_bytes[1] = 0x00;
		eh->dst_addr.addr_bytes[2] = 0x5e;
		eh->dst_addr.addr_bytes[3] = ga[1] & 0x7f;
		eh->dst_addr.addr_bytes[4] = ga[2];
		eh->dst_addr.addr_bytes[5] = ga[3];
		memcpy(eh->src_addr.addr_bytes, mac, 6);
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		memset(ip, 0, 24);
		ip->version_ihl = 0x46; /* with the router alert option */
		ip->total_length = rte_cpu_to_be_16(24 + 8);
		ip->time_to_live = 1;
		ip->next_proto_id = IPPROTO_IGMP;
		ip->src_addr = dp->vtep.local_ip.v4.s_addr;
		ip->dst_addr = g->v4.s_addr;
		((uint8_t *)ip)[20] = 0x94;
		((uint8_t *)ip)[21] = 0x04;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		memset(ig, 0, 8);
		ig[0] = 0x16; /* v2 membership report */
		memcpy(ig + 4, &g->v4, 4);
		{
			uint16_t ck = (uint16_t)~rte_raw_cksum(ig, 8);

			memcpy(ig + 2, &ck, 2);
		}
		dp_control_tx(dp, m);
		return;
	}
	if (g->family == AF_INET6 && dp->vtep.local_ip6.family == AF_INET6 &&
	    build_mld_report(m, mac, &g->v6)) {
		dp_control_tx(dp, m);
		return;
	}
	rte_pktmbuf_free(m);
}

void
dp_underlay_timers(struct vtep_dp *dp, uint64_t now_ms)
{
	const struct dp_tables *t = dp->tables;

	last_timer_ms = now_ms;
	if (now_ms - dp->last_neigh_ms < 100 || t->uplink == DP_NO_PORT)
		return;
	dp->last_neigh_ms = now_ms;
	for (unsigned int i = 0; i < DP_MAX_NEIGH; i++) {
		struct dp_neigh *n = &dp->neigh[i];

		if (n->state == DP_NEIGH_INCOMPLETE && now_ms >= n->next_probe_ms) {
			neigh_probe(dp, n);
			n->retries++;
			n->next_probe_ms = now_ms + (n->retries < NEIGH_FAST_RETRIES ?
						     NEIGH_RETRY_MS : NEIGH_SLOW_RETRY_MS);
		} else if (n->state == DP_NEIGH_REACHABLE && now_ms >= n->next_probe_ms) {
			/* refresh: probe; after three unanswered probes the entry is dropped */
			if (n->retries >= NEIGH_FAST_RETRIES) {
				n->state = DP_NEIGH_INCOMPLETE;
				n->retries = 0;
				n->next_probe_ms = now_ms;
				dp->tables_dirty = true;
				continue;
			}
			neigh_probe(dp, n);
			n->retries++;
			n->next_probe_ms = now_ms + NEIGH_RETRY_MS;
		}
	}
	if (last_igmp_ms == 0 || now_ms - last_igmp_ms >= (igmp_reports < IGMP_STARTUP_REPORTS ?
							       IGMP_STARTUP_MS : IGMP_REPORT_MS)) {
		last_igmp_ms = now_ms;
		igmp_reports++;
		for (unsigned int i = 0; i < t->rxcfg.n_groups; i++)
			send_join(dp, &t->rxcfg.groups[i]);
	}
}
