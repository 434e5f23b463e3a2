# SPDX-License-Identifier: BSD-3-Clause
# Generate test/data/xdp_vectors.h: frames built by scapy and the reason the XDP steering
# program (drivers/port/af_xdp) must count each under, for the steering test_af_xdp.c sets
# up: VTEP addresses XV_VTEP4 / XV_VTEP6, the host's own address XV_HOST4, VXLAN ports
# 4789 and 8472, multicast groups XV_GROUP4 / XV_GROUP6, NVGRE and STT tunnels configured.
#
# Run with Debian's python (scapy is not installed for the pyenv python3 on PATH):
#   /usr/bin/python3 test/data/gen_xdp_vectors.py > test/data/xdp_vectors.h
import sys

from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import (ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS,
                                ICMPv6ND_RS, IPv6, IPv6ExtHdrFragment)
from scapy.layers.l2 import ARP, GRE, Dot1Q, Ether
from scapy.layers.vxlan import VXLAN
from scapy.packet import Raw

from gen_tunnel_vectors import c_bytes

VTEP4, HOST4, PEER4, GROUP4 = "10.99.0.1", "10.99.0.10", "10.99.0.2", "239.1.1.1"
VTEP6, HOST6, PEER6, GROUP6 = "fd00:99::1", "fd00:99::10", "fd00:99::2", "ff0e::1:2"
NIC, PEER_MAC = "02:00:00:00:99:01", "02:00:00:00:99:02"

INNER = Ether(dst="52:54:00:bb:00:02", src="52:54:00:aa:00:01") / IP(
    src="192.168.50.1", dst="192.168.50.2") / UDP(sport=1234, dport=5678) / Raw(b"inner")


def e(dst=NIC):
    return Ether(dst=dst, src=PEER_MAC)


def vectors():
    """(name, frame, reason) in the order the test runs them."""
    v4 = e() / IP(src=PEER4, dst=VTEP4)
    v6 = e() / IPv6(src=PEER6, dst=VTEP6)
    sol = "ff02::1:ff00:1"   # solicited-node group of fd00:99::1
    nvgre = GRE(key_present=1, proto=0x6558, key=5000 << 8) / INNER
    return [
        # IPv4 tunnels to the VTEP address and a group
        ("vxlan4", v4 / UDP(sport=50000, dport=4789) / VXLAN(flags="Instance", vni=5000) / INNER, "redirect_vxlan"),
        ("vxlan4_8472", v4 / UDP(sport=50001, dport=8472) / VXLAN(flags="Instance", vni=5000) / INNER,
         "redirect_vxlan"),
        ("vxlan4_group", e("01:00:5e:01:01:01") / IP(src=PEER4, dst=GROUP4)
         / UDP(sport=50002, dport=4789) / VXLAN(flags="Instance", vni=6000) / INNER, "redirect_vxlan"),
        ("vxlan4_ip_options", e() / IP(src=PEER4, dst=VTEP4, options=b"\x01\x01\x01\x00")
         / UDP(sport=50003, dport=4789) / VXLAN(flags="Instance", vni=5000) / INNER, "redirect_vxlan"),
        ("nvgre4", v4 / nvgre, "redirect_nvgre"),
        ("stt4", v4 / TCP(sport=40000, dport=7471, flags="PA") / Raw(b"\x00" * 18), "redirect_stt"),
        # IPv4 control for the VTEP address
        ("echo4", v4 / ICMP(type=8, id=1, seq=1), "redirect_echo"),
        ("arp_request4", e("ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=PEER_MAC, psrc=PEER4,
                                                     pdst=VTEP4), "redirect_arp"),
        ("arp_reply4", e() / ARP(op=2, hwsrc=PEER_MAC, psrc=PEER4, hwdst=NIC, pdst=VTEP4),
         "redirect_arp"),
        # IPv4 traffic of the host: other address, other port or protocol
        ("vxlan4_host", e() / IP(src=PEER4, dst=HOST4) / UDP(sport=50004, dport=4789)
         / VXLAN(flags="Instance", vni=5000) / INNER, "pass_other_addr"),
        ("ssh4_host", e() / IP(src=PEER4, dst=HOST4) / TCP(sport=40001, dport=22, flags="S"),
         "pass_other_addr"),
        ("echo4_host", e() / IP(src=PEER4, dst=HOST4) / ICMP(type=8), "pass_other_addr"),
        ("arp_request4_host", e("ff:ff:ff:ff:ff:ff") / ARP(op=1, psrc=PEER4, pdst=HOST4),
         "pass_other_addr"),
        ("udp4_other_port", v4 / UDP(sport=50005, dport=5555) / Raw(b"x"), "pass_other_l4"),
        ("ssh4_vtep", v4 / TCP(sport=40002, dport=22, flags="S"), "pass_other_l4"),
        ("echo_reply4_vtep", v4 / ICMP(type=0), "pass_other_l4"),
        ("gre4_no_key", v4 / GRE(proto=0x6558) / INNER, "pass_other_l4"),
        ("gre4_ip_payload", v4 / GRE(key_present=1, key=7, proto=0x0800) / IP(), "pass_other_l4"),
        ("echo4_group", e("01:00:5e:01:01:01") / IP(src=PEER4, dst=GROUP4) / ICMP(type=8),
         "pass_other_l4"),
        ("stt4_group", e("01:00:5e:01:01:01") / IP(src=PEER4, dst=GROUP4)
         / TCP(dport=7471) / Raw(b"\x00" * 18), "redirect_stt"),
        ("igmp_query", e("01:00:5e:00:00:01") / IP(src=PEER4, dst="224.0.0.1", proto=2)
         / Raw(b"\x11\x64\xee\x9b\x00\x00\x00\x00"), "pass_other_addr"),
        ("vxlan4_first_fragment", e() / IP(src=PEER4, dst=VTEP4, flags="MF", id=9)
         / UDP(sport=50006, dport=4789) / VXLAN(flags="Instance", vni=5000) / INNER, "pass_fragment"),
        ("vxlan4_later_fragment", e() / IP(src=PEER4, dst=VTEP4, frag=100, proto=17, id=9)
         / Raw(b"y" * 40), "pass_fragment"),
        # malformed
        ("ip4_truncated", Raw(bytes(v4 / UDP(dport=4789))[:14 + 12]), "pass_malformed"),
        ("udp4_truncated", Raw(bytes(v4 / UDP(dport=4789))[:14 + 20 + 3]), "pass_malformed"),
        ("ihl4_too_small", Raw(bytes(e() / IP(src=PEER4, dst=VTEP4, ihl=4) / UDP(dport=4789)
                                     / VXLAN(flags="Instance") / INNER)), "pass_malformed"),
        ("arp_truncated", Raw(bytes(e() / ARP(pdst=VTEP4))[:14 + 20]), "pass_malformed"),
        # other L3
        ("vlan_tagged_vxlan4", e() / Dot1Q(vlan=10) / IP(src=PEER4, dst=VTEP4)
         / UDP(dport=4789) / VXLAN(flags="Instance", vni=5000) / INNER, "pass_other_l3"),
        ("lldp", Ether(dst="01:80:c2:00:00:0e", src=PEER_MAC, type=0x88cc) / Raw(b"\x02" * 20),
         "pass_other_l3"),
        # IPv6
        ("vxlan6", v6 / UDP(sport=50010, dport=4789) / VXLAN(flags="Instance", vni=5000) / INNER, "redirect_vxlan"),
        ("vxlan6_group", e("33:33:00:01:00:02") / IPv6(src=PEER6, dst=GROUP6)
         / UDP(sport=50011, dport=4789) / VXLAN(flags="Instance", vni=7000) / INNER, "redirect_vxlan"),
        ("nvgre6", v6 / nvgre, "redirect_nvgre"),
        ("stt6", v6 / TCP(sport=40010, dport=7471, flags="PA") / Raw(b"\x00" * 18), "redirect_stt"),
        ("echo6", v6 / ICMPv6EchoRequest(id=1, seq=1), "redirect_echo"),
        ("ns6_for_vtep", e("33:33:ff:00:00:01") / IPv6(src=PEER6, dst=sol, hlim=255)
         / ICMPv6ND_NS(tgt=VTEP6), "redirect_nd"),
        ("ns6_dad_for_vtep", e("33:33:ff:00:00:01") / IPv6(src="::", dst=sol, hlim=255)
         / ICMPv6ND_NS(tgt=VTEP6), "redirect_nd"),
        ("na6_to_vtep", v6 / ICMPv6ND_NA(tgt=PEER6, S=1), "redirect_nd"),
        ("ns6_for_host", e("33:33:ff:00:00:10") / IPv6(src=PEER6, dst="ff02::1:ff00:10", hlim=255)
         / ICMPv6ND_NS(tgt=HOST6), "pass_other_addr"),
        ("rs6", e("33:33:00:00:00:02") / IPv6(src=PEER6, dst="ff02::2") / ICMPv6ND_RS(),
         "pass_other_addr"),
        ("echo6_host", e() / IPv6(src=PEER6, dst=HOST6) / ICMPv6EchoRequest(), "pass_other_addr"),
        ("echo_reply6_vtep", v6 / ICMPv6EchoReply(), "pass_other_l4"),
        ("udp6_other_port", v6 / UDP(sport=50012, dport=5555) / Raw(b"x"), "pass_other_l4"),
        ("ssh6_vtep", v6 / TCP(sport=40011, dport=22, flags="S"), "pass_other_l4"),
        ("vxlan6_host", e() / IPv6(src=PEER6, dst=HOST6) / UDP(dport=4789) / VXLAN(flags="Instance") / INNER,
         "pass_other_addr"),
        ("vxlan6_fragment", v6 / IPv6ExtHdrFragment(m=1, id=5) / UDP(dport=4789) / VXLAN(flags="Instance")
         / INNER, "pass_fragment"),
        ("ip6_truncated", Raw(bytes(v6 / UDP(dport=4789))[:14 + 30]), "pass_malformed"),
        ("ns6_truncated", Raw(bytes(e("33:33:ff:00:00:01") / IPv6(src=PEER6, dst=sol)
                                    / ICMPv6ND_NS(tgt=VTEP6))[:14 + 40 + 12]), "pass_malformed"),
    ]


def main():
    w = sys.stdout.write
    w("/* SPDX-License-Identifier: BSD-3-Clause */\n")
    w("/* Frames for the XDP steering program, generated by test/data/gen_xdp_vectors.py "
      "(scapy); do not edit. */\n")
    w("#ifndef XDP_VECTORS_H\n#define XDP_VECTORS_H\n\n#include <stdint.h>\n\n")
    for k, val in (("VTEP4", VTEP4), ("HOST4", HOST4), ("PEER4", PEER4), ("GROUP4", GROUP4),
                   ("VTEP6", VTEP6), ("HOST6", HOST6), ("PEER6", PEER6), ("GROUP6", GROUP6)):
        w('#define XV_%s "%s"\n' % (k, val))
    w("\nstruct xv_frame {\n\tconst char *name;\n\tconst char *reason; /* xstat name without "
      "\"xdp_\" */\n\tuint16_t len;\n\tconst uint8_t *frame;\n};\n\n")
    vs = vectors()
    for name, pkt, _ in vs:
        b = bytes(pkt)
        w("static const uint8_t xv_%s[%d] = {\n%s\n};\n\n" % (name, len(b), c_bytes(b, "\t")))
    w("static const struct xv_frame xv_frames[] = {\n")
    for name, pkt, reason in vs:
        w('\t{ "%s", "%s", %d, xv_%s },\n' % (name, reason, len(bytes(pkt)), name))
    w("};\n\n#endif\n")


if __name__ == "__main__":
    main()
