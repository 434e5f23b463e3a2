/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An XDP program the kernel verifier must reject (it reads the packet without checking
 * its length): the AF_XDP tests give it as xdp_prog= and expect a start-up error that
 * names the verifier and its reason.
 */
#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

SEC("xdp")
int
vtep_xdp_bad(struct xdp_md *ctx)
{
	const unsigned char *data = (const void *)(long)ctx->data;

	return data[20] == 17 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "BSD";
