/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * XDP steering program of AF_XDP uplinks: frames vtepsw owns go to its AF_XDP socket on
 * the receiving queue, everything else to the kernel stack (see vtep_xdp.h for the
 * contract and the maps). Built with clang -target bpf; loaded by DPDK's af_xdp PMD
 * (devargs xdp_prog=), configured by drivers/port/af_xdp/vtep_port_af_xdp.c.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "vtep_xdp.h"

#define GRE_F_KEY 0x2000
#define ETH_P_TEB_NVGRE 0x6558
#define STT_PORT 7471
#define ICMP_ECHO_REQUEST 8
#define ICMP6_ECHO_REQUEST 128
#define ND_NEIGHBOR_SOLICIT 135
#define ND_NEIGHBOR_ADVERT 136
#define IPV6_NH_FRAGMENT 44

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, VTEP_XDP_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vtep_xdp_cfg);
} vtep_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VTEP_XDP_MAX_ADDRS);
	__type(key, __u32);
	__type(value, __u32);
} vtep_addr4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VTEP_XDP_MAX_ADDRS);
	__type(key, struct vtep_xdp_addr6);
	__type(value, __u32);
} vtep_addr6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VTEP_XDP_MAX_UDP);
	__type(key, __u16);              /* destination port, network order */
	__type(value, __u32);
} vtep_udp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VTEP_XDP__MAX);
	__type(key, __u32);
	__type(value, __u64);
} vtep_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VTEP_XDP_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u64);
} vtep_qstats SEC(".maps");

/* Add one to a per-CPU counter. */
static __always_inline void
count(void *map, __u32 key)
{
	__u64 *c = bpf_map_lookup_elem(map, &key);

	if (c)
		*c += 1;
}

/* The tunnel protocols, to any VTEP address or joined group. */
static __always_inline int
steer_l4(const struct vtep_xdp_cfg *cfg, __u8 proto, void *l4, void *end)
{
	__u16 *p = l4;

	/* UDP, GRE and TCP all have what is needed in their first 4 bytes. */
	if ((void *)(p + 2) > end)
		return VTEP_XDP_PASS_MALFORMED;
	switch (proto) {
	case IPPROTO_UDP: {
		__u16 port = p[1];

		if (bpf_map_lookup_elem(&vtep_udp, &port))
			return VTEP_XDP_REDIRECT_VXLAN;
		break;
	}
	case IPPROTO_GRE:
		if ((cfg->flags & VTEP_XDP_F_NVGRE) && (p[0] & bpf_htons(GRE_F_KEY)) &&
		    p[1] == bpf_htons(ETH_P_TEB_NVGRE))
			return VTEP_XDP_REDIRECT_NVGRE;
		break;
	case IPPROTO_TCP:
		if ((cfg->flags & VTEP_XDP_F_STT) && p[1] == bpf_htons(STT_PORT))
			return VTEP_XDP_REDIRECT_STT;
		break;
	}
	return VTEP_XDP_PASS_OTHER_L4;
}

/* ARP whose target protocol address is a VTEP address (requests and replies). */
static __always_inline int
steer_arp(void *l3, void *end)
{
	__u8 *arp = l3;
	__u32 tpa, *flags;

	if ((void *)(arp + 28) > end)
		return VTEP_XDP_PASS_MALFORMED;
	/* Ethernet/IPv4 ARP only: htype 1, ptype 0x0800, hlen 6, plen 4. */
	if (arp[0] != 0 || arp[1] != 1 || arp[2] != 0x08 || arp[3] != 0 || arp[4] != 6 ||
	    arp[5] != 4)
		return VTEP_XDP_PASS_OTHER_L3;
	__builtin_memcpy(&tpa, arp + 24, 4);
	flags = bpf_map_lookup_elem(&vtep_addr4, &tpa);
	if (!flags || !(*flags & VTEP_XDP_ADDR_LOCAL))
		return VTEP_XDP_PASS_OTHER_ADDR;
	return VTEP_XDP_REDIRECT_ARP;
}

static __always_inline int
steer_ipv4(const struct vtep_xdp_cfg *cfg, void *l3, void *end)
{
	struct iphdr *ip = l3;
	__u32 daddr, ihl, *flags;
	__u8 *l4;

	if ((void *)(ip + 1) > end)
		return VTEP_XDP_PASS_MALFORMED;
	daddr = ip->daddr;
	flags = bpf_map_lookup_elem(&vtep_addr4, &daddr);
	if (!flags)
		return VTEP_XDP_PASS_OTHER_ADDR;
	if (ip->frag_off & bpf_htons(0x3fff))
		return VTEP_XDP_PASS_FRAGMENT;
	ihl = ip->ihl * 4u;
	if (ihl < sizeof(*ip))
		return VTEP_XDP_PASS_MALFORMED;
	l4 = (__u8 *)l3 + ihl;
	if (ip->protocol == IPPROTO_ICMP) {
		if ((void *)(l4 + 1) > end)
			return VTEP_XDP_PASS_MALFORMED;
		if ((*flags & VTEP_XDP_ADDR_LOCAL) && l4[0] == ICMP_ECHO_REQUEST)
			return VTEP_XDP_REDIRECT_ECHO;
		return VTEP_XDP_PASS_OTHER_L4;
	}
	return steer_l4(cfg, ip->protocol, l4, end);
}

/* Flags of an IPv6 address in vtep_addr6, 0 if it is not there. */
static __always_inline __u32
addr6_flags(const void *a)
{
	struct vtep_xdp_addr6 key;
	__u32 *flags;

	__builtin_memcpy(&key, a, sizeof(key));
	flags = bpf_map_lookup_elem(&vtep_addr6, &key);
	return flags ? *flags : 0;
}

static __always_inline int
steer_ipv6(const struct vtep_xdp_cfg *cfg, void *l3, void *end)
{
	struct ipv6hdr *ip6 = l3;
	__u8 *l4 = (__u8 *)(ip6 + 1);
	__u32 flags;

	if ((void *)l4 > end)
		return VTEP_XDP_PASS_MALFORMED;
	if (ip6->nexthdr == IPPROTO_ICMPV6) {
		/* type, code, checksum, reserved, then the ND target address */
		if ((void *)(l4 + 1) > end)
			return VTEP_XDP_PASS_MALFORMED;
		if (l4[0] == ND_NEIGHBOR_SOLICIT) {
			/* sent to a solicited-node group: the target says who is asked */
			if ((void *)(l4 + 24) > end)
				return VTEP_XDP_PASS_MALFORMED;
			if (addr6_flags(l4 + 8) & VTEP_XDP_ADDR_LOCAL)
				return VTEP_XDP_REDIRECT_ND;
			return VTEP_XDP_PASS_OTHER_ADDR;
		}
		flags = addr6_flags(&ip6->daddr);
		if (!(flags & VTEP_XDP_ADDR_LOCAL))
			return flags ? VTEP_XDP_PASS_OTHER_L4 : VTEP_XDP_PASS_OTHER_ADDR;
		if (l4[0] == ND_NEIGHBOR_ADVERT)
			return VTEP_XDP_REDIRECT_ND;
		if (l4[0] == ICMP6_ECHO_REQUEST)
			return VTEP_XDP_REDIRECT_ECHO;
		return VTEP_XDP_PASS_OTHER_L4;
	}
	if (!addr6_flags(&ip6->daddr))
		return VTEP_XDP_PASS_OTHER_ADDR;
	if (ip6->nexthdr == IPV6_NH_FRAGMENT)
		return VTEP_XDP_PASS_FRAGMENT;
	return steer_l4(cfg, ip6->nexthdr, l4, end);
}

/* Send to the socket of the receiving queue, or to the kernel if there is none. */
static __always_inline int
verdict(struct xdp_md *ctx, __u32 reason)
{
	__u32 q = ctx->rx_queue_index;
	int act;

	if (reason >= VTEP_XDP__REDIRECT_END) {
		count(&vtep_stats, reason);
		return XDP_PASS;
	}
	/* XDP_PASS (the fallback in the flags) when no socket is bound to this queue */
	act = (int)bpf_redirect_map(&xsks_map, q, XDP_PASS);
	if (act != XDP_REDIRECT) {
		count(&vtep_stats, VTEP_XDP_PASS_NO_SOCKET);
		return act;
	}
	count(&vtep_stats, reason);
	count(&vtep_qstats, q);
	return act;
}

SEC("xdp")
int
vtep_xdp_steer(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	const struct vtep_xdp_cfg *cfg;
	__u32 key = 0;
	int reason;

	cfg = bpf_map_lookup_elem(&vtep_cfg, &key);
	if (!cfg)
		return XDP_PASS;
	if (cfg->flags & VTEP_XDP_F_ALL)
		return verdict(ctx, VTEP_XDP_REDIRECT_ALL);
	if ((void *)(eth + 1) > end)
		return verdict(ctx, VTEP_XDP_PASS_MALFORMED);
	switch (eth->h_proto) {
	case bpf_htons(ETH_P_IP):
		reason = steer_ipv4(cfg, eth + 1, end);
		break;
	case bpf_htons(ETH_P_IPV6):
		reason = steer_ipv6(cfg, eth + 1, end);
		break;
	case bpf_htons(ETH_P_ARP):
		reason = steer_arp(eth + 1, end);
		break;
	default:
		reason = VTEP_XDP_PASS_OTHER_L3;
		break;
	}
	return verdict(ctx, (__u32)reason);
}

char _license[] SEC("license") = "BSD";
