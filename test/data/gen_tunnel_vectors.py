# SPDX-License-Identifier: BSD-3-Clause
# Generate test/data/tunnel_vectors.h: VXLAN/NVGRE golden frames built by scapy, not by vtepsw.
#
# Run with Debian's python (scapy is not installed for the pyenv python3 on PATH):
#   /usr/bin/python3 test/data/gen_tunnel_vectors.py > test/data/tunnel_vectors.h
#
# Encap vectors: the inner frame, the template parameters and a fixed flow hash, and the
# complete outer frame scapy builds for them (scapy computes the IPv4 header checksum,
# IPv4/IPv6 lengths and the IPv6 UDP checksum). The hash-derived fields use the rules of
# the tunnel core: VXLAN UDP source port 49152 + hash % 16384, NVGRE FlowID hash & 0xff,
# IPv6 flow label hash & 0xfffff. The same frames are decap vectors for a receiver with
# the "remote" address. Rx vectors: frames and the classification the core must give.
import sys

from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import (ICMPv6EchoRequest, ICMPv6ND_NS, ICMPv6ND_RA, IPv6,
                                IPv6ExtHdrHopByHop)
from scapy.layers.l2 import ARP, GRE, Dot1Q, Ether
from scapy.layers.vxlan import VXLAN
from scapy.packet import Raw

SRC_MAC = "02:00:00:00:00:01"    # sender's uplink (template src_mac)
DST_MAC = "02:00:00:00:00:02"    # receiver's uplink (template dst_mac, rx local_mac)
L4, R4 = "10.0.0.1", "10.0.0.2"  # sender, receiver
L6, R6 = "2001:db8::1", "2001:db8::2"

VM_A, VM_B = "52:54:00:aa:00:01", "52:54:00:bb:00:02"


def inner_frames():
    """Inner frames of several shapes (untagged, 802.1Q, IPv6, ARP)."""
    return {
        "udp4": Ether(dst=VM_B, src=VM_A) / IP(src="192.168.50.1", dst="192.168.50.2")
        / UDP(sport=1234, dport=5678) / Raw(b"vtepsw-inner-payload"),
        "vlan_tcp4": Ether(dst=VM_B, src=VM_A) / Dot1Q(vlan=100, prio=3)
        / IP(src="192.168.50.1", dst="192.168.50.2") / TCP(sport=40000, dport=80, flags="S"),
        "icmp6": Ether(dst=VM_B, src=VM_A) / IPv6(src="fd00::1", dst="fd00::2")
        / ICMPv6EchoRequest(id=7, seq=1, data=b"ping" * 25),
        "arp": Ether(dst="ff:ff:ff:ff:ff:ff", src=VM_A)
        / ARP(op=1, hwsrc=VM_A, psrc="192.168.50.1", pdst="192.168.50.2"),
        "vlan_big": Ether(dst=VM_B, src=VM_A) / Dot1Q(vlan=4094)
        / IP(src="192.168.50.1", dst="192.168.50.2") / UDP(sport=9, dport=9)
        / Raw(bytes(range(256)) * 4),
    }


def outer(kind, v6, vni, h, tos, ttl, port, inner):
    """The encapsulated frame as the tunnel core must produce it."""
    eth = Ether(dst=DST_MAC, src=SRC_MAC)
    ttl = ttl or 64
    if kind == "vxlan":
        l4 = UDP(sport=49152 + h % 16384, dport=port or 4789) / VXLAN(flags="Instance", vni=vni)
        if not v6:
            l4[UDP].chksum = 0
        proto = 17
    else:
        l4 = GRE(key_present=1, proto=0x6558, key=(vni << 8) | (h & 0xff))
        proto = 47
    if v6:
        ip = IPv6(src=L6, dst=R6, tc=tos, fl=h & 0xfffff, hlim=ttl, nh=proto)
    else:
        ip = IP(src=L4, dst=R4, tos=tos, ttl=ttl, id=0, flags="DF", proto=proto)
    return eth / ip / l4 / inner


def encap_vectors():
    inn = inner_frames()
    cases = [
        # kind,   v6, vni,      hash,       tos,  ttl, port, inner
        ("vxlan", 0, 5000, 0x12345678, 0, 0, 0, "udp4"),
        ("vxlan", 0, 0xffffff, 0xdeadbeef, 0xb8, 17, 8472, "vlan_tcp4"),
        ("vxlan", 0, 1, 0, 0, 255, 0, "arp"),
        ("vxlan", 1, 5000, 0x12345678, 0, 0, 0, "udp4"),
        ("vxlan", 1, 0xffffff, 0xffffffff, 0x2e, 1, 0, "vlan_tcp4"),
        ("vxlan", 1, 77, 0x0badcafe, 0, 0, 4789, "icmp6"),
        ("vxlan", 1, 4242, 0x5a5a5a5a, 0, 0, 0, "vlan_big"),
        ("vxlan", 0, 4242, 0x5a5a5a5a, 0, 0, 0, "vlan_big"),
        ("nvgre", 0, 6000, 0x0000002a, 0, 0, 0, "udp4"),
        ("nvgre", 0, 0xffffff, 0xfedcba98, 0x10, 33, 0, "vlan_tcp4"),
        ("nvgre", 1, 6000, 0x0000002a, 0, 0, 0, "udp4"),
        ("nvgre", 1, 0xffffff, 0x13579bdf, 0xb8, 2, 0, "vlan_tcp4"),
        ("nvgre", 1, 0, 0xffffffff, 0, 0, 0, "icmp6"),
        ("nvgre", 0, 99, 0x77, 0, 0, 0, "vlan_big"),
    ]
    out = []
    for kind, v6, vni, h, tos, ttl, port, iname in cases:
        inner = inn[iname]
        o = outer(kind, v6, vni, h, tos, ttl, port, inner)
        ib, ob = bytes(inner), bytes(o)
        name = "%s%s_%s_vni%x" % (kind, "6" if v6 else "4", iname, vni)
        out.append(dict(name=name, kind=kind, v6=v6, vni=vni, hash=h, tos=tos, ttl=ttl,
                        port=port, inner=ib, outer=ob, inner_off=len(ob) - len(ib)))
    return out


def rx_vectors():
    """Frames for classify and what it must say (class, drop reason, vni, inner offset)."""
    inner = bytes(inner_frames()["udp4"])
    eth = Ether(dst=DST_MAC, src=SRC_MAC)
    ip4 = IP(src=L4, dst=R4)
    ip6 = IPv6(src=L6, dst=R6)

    def vx(port=4789, flags="Instance", vni=5000, ip=None):
        p = (ip or ip4) / UDP(sport=50000, dport=port) / VXLAN(flags=flags, vni=vni) / inner
        return eth / p

    T, C, D = "VTEP_UL_TUNNEL", "VTEP_UL_CONTROL", "VTEP_UL_DROP"
    v = []

    def add(name, pkt, cls, drop="0", vni=0, inner_off=0):
        v.append(dict(name=name, pkt=bytes(pkt), cls=cls, drop=drop, vni=vni,
                      inner_off=inner_off))

    # Underlay control traffic for the local VTEP.
    add("arp_request_for_us", Ether(dst="ff:ff:ff:ff:ff:ff", src=SRC_MAC)
        / ARP(op=1, hwsrc=SRC_MAC, psrc=L4, pdst=R4), C)
    add("arp_reply_for_us", eth / ARP(op=2, hwsrc=SRC_MAC, psrc=L4, hwdst=DST_MAC, pdst=R4), C)
    add("arp_request_other", Ether(dst="ff:ff:ff:ff:ff:ff", src=SRC_MAC)
        / ARP(op=1, psrc=L4, pdst="10.0.0.3"), D, "VTEP_DROP_TNL_NOT_FOR_US")
    add("icmp_echo_for_us", eth / ip4 / ICMP(type=8, id=1, seq=1) / Raw(b"abcd"), C)
    add("icmp_echo_reply", eth / ip4 / ICMP(type=0, id=1, seq=1), D, "VTEP_DROP_UPLINK_OTHER")
    add("icmp_echo_not_for_us", eth / IP(src=L4, dst="10.0.0.7") / ICMP(type=8), D,
        "VTEP_DROP_TNL_NOT_FOR_US")
    add("igmp_query", Ether(dst="01:00:5e:00:00:01", src=SRC_MAC)
        / IP(src=L4, dst="224.0.0.1", proto=2, ttl=1) / Raw(b"\x11\x64\xee\x9b\x00\x00\x00\x00"),
        C)
    add("icmp6_ns_solicited", Ether(dst="33:33:ff:00:00:02", src=SRC_MAC)
        / IPv6(src=L6, dst="ff02::1:ff00:2", hlim=255) / ICMPv6ND_NS(tgt=R6), C)
    add("icmp6_ra_all_nodes", Ether(dst="33:33:00:00:00:01", src=SRC_MAC)
        / IPv6(src="fe80::1", dst="ff02::1", hlim=255) / ICMPv6ND_RA(), C)
    add("icmp6_echo_for_us", eth / ip6 / ICMPv6EchoRequest(id=1, seq=2), C)
    add("icmp6_ns_other", Ether(dst="33:33:ff:00:00:09", src=SRC_MAC)
        / IPv6(src=L6, dst="ff02::1:ff00:9", hlim=255) / ICMPv6ND_NS(tgt="2001:db8::9"), D,
        "VTEP_DROP_TNL_NOT_FOR_US")

    # Tunnel traffic that must be accepted.
    add("vxlan4_ok", vx(), T, vni=5000, inner_off=14 + 20 + 16)
    add("vxlan4_port_8472", vx(port=8472, vni=0xffffff), T, vni=0xffffff, inner_off=50)
    add("vxlan6_csum_zero", eth / ip6 / UDP(sport=50000, dport=4789, chksum=0)
        / VXLAN(vni=17) / inner, T, vni=17, inner_off=14 + 40 + 16)
    add("vxlan6_ok", vx(ip=ip6, vni=3), T, vni=3, inner_off=70)
    add("vxlan4_bad_udp_csum", eth / ip4 / UDP(sport=50000, dport=4789, chksum=0x1234)
        / VXLAN(vni=5) / inner, T, vni=5, inner_off=50)
    add("vxlan4_ip_options", eth / IP(src=L4, dst=R4, options=b"\x01\x01\x01\x00")
        / UDP(sport=50000, dport=4789) / VXLAN(vni=9) / inner, T, vni=9, inner_off=14 + 24 + 16)
    add("vxlan4_eth_padding", eth / ip4 / UDP(sport=1, dport=4789) / VXLAN(vni=8)
        / Raw(inner[:14]) / Raw(b"\0" * 12), T, vni=8, inner_off=50)
    add("vxlan4_mcast_group", Ether(dst="01:00:5e:01:01:01", src=SRC_MAC)
        / IP(src=L4, dst="239.1.1.1") / UDP(sport=50000, dport=4789) / VXLAN(vni=12) / inner,
        T, vni=12, inner_off=50)
    add("nvgre4_ok", eth / IP(src=L4, dst=R4) / GRE(key_present=1, proto=0x6558, key=0x0017702a)
        / inner, T, vni=6000, inner_off=14 + 20 + 8)
    add("nvgre6_ok", eth / ip6 / GRE(key_present=1, proto=0x6558, key=0xffffff01) / inner, T,
        vni=0xffffff, inner_off=14 + 40 + 8)

    # Drops.
    add("mac_not_for_us", Ether(dst="02:00:00:00:00:99", src=SRC_MAC) / vx()[IP], D,
        "VTEP_DROP_TNL_NOT_FOR_US")
    add("ip4_not_for_us", vx(ip=IP(src=L4, dst="10.0.0.9")), D, "VTEP_DROP_TNL_NOT_FOR_US")
    add("ip6_not_for_us", vx(ip=IPv6(src=L6, dst="2001:db8::9")), D, "VTEP_DROP_TNL_NOT_FOR_US")
    add("ip4_group_not_joined", Ether(dst="01:00:5e:01:01:02", src=SRC_MAC)
        / IP(src=L4, dst="239.1.1.2") / UDP(sport=1, dport=4789) / VXLAN(vni=1) / inner, D,
        "VTEP_DROP_TNL_NOT_FOR_US")
    add("vxlan_unknown_port", vx(port=4790), D, "VTEP_DROP_UPLINK_OTHER")
    add("udp_other_port", eth / ip4 / UDP(sport=1, dport=53) / Raw(b"x" * 20), D,
        "VTEP_DROP_UPLINK_OTHER")
    add("tcp_other_port", eth / ip4 / TCP(sport=1, dport=22), D, "VTEP_DROP_UPLINK_OTHER")
    add("vxlan_no_i_flag", vx(flags=0), D, "VTEP_DROP_TNL_BAD_FLAGS")
    add("vxlan_gpe_p_flag", vx(flags=0x0c), D, "VTEP_DROP_TNL_BAD_FLAGS")
    add("vxlan_reserved_byte", eth / ip4 / UDP(sport=1, dport=4789)
        / VXLAN(flags="Instance", vni=5, reserved2=1) / inner, D, "VTEP_DROP_TNL_BAD_FLAGS")
    add("vxlan_udp_len_short", eth / ip4 / UDP(sport=1, dport=4789, len=30) / VXLAN(vni=5)
        / inner, D, "VTEP_DROP_TNL_BAD_LENGTH")
    add("vxlan_udp_len_long", eth / ip4 / UDP(sport=1, dport=4789, len=8 + 8 + len(inner) + 1)
        / VXLAN(vni=5) / inner, D, "VTEP_DROP_TNL_BAD_LENGTH")
    add("vxlan_inner_short", eth / ip4 / UDP(sport=1, dport=4789) / VXLAN(vni=5)
        / Raw(inner[:13]), D, "VTEP_DROP_TNL_BAD_INNER")
    add("nvgre_csum_bit", eth / ip4 / GRE(chksum_present=1, key_present=1, proto=0x6558, key=1)
        / inner, D, "VTEP_DROP_TNL_BAD_FLAGS")
    add("nvgre_seq_bit", eth / ip4 / GRE(seqnum_present=1, key_present=1, proto=0x6558, key=1)
        / inner, D, "VTEP_DROP_TNL_BAD_FLAGS")
    add("nvgre_no_key", eth / ip4 / GRE(proto=0x6558) / Raw(b"\0" * 4) / inner, D,
        "VTEP_DROP_TNL_BAD_FLAGS")
    add("nvgre_version1", eth / ip4 / GRE(key_present=1, version=1, proto=0x6558, key=1) / inner,
        D, "VTEP_DROP_TNL_BAD_FLAGS")
    add("nvgre_proto_ip", eth / ip4 / GRE(key_present=1, proto=0x0800, key=1) / inner, D,
        "VTEP_DROP_TNL_BAD_FLAGS")
    add("nvgre_inner_short", eth / ip4 / GRE(key_present=1, proto=0x6558, key=1)
        / Raw(inner[:10]), D, "VTEP_DROP_TNL_BAD_INNER")
    add("ip4_fragment_mf", vx(ip=IP(src=L4, dst=R4, flags="MF")), D,
        "VTEP_DROP_TNL_IP_FRAGMENT")
    add("ip4_fragment_offset", eth / IP(src=L4, dst=R4, frag=100, proto=17) / Raw(b"y" * 40), D,
        "VTEP_DROP_TNL_IP_FRAGMENT")
    add("ip4_total_len_small", vx(ip=IP(src=L4, dst=R4, len=19)), D, "VTEP_DROP_TNL_BAD_LENGTH")
    add("ip4_ihl_4", vx(ip=IP(src=L4, dst=R4, ihl=4)), D, "VTEP_DROP_TNL_BAD_LENGTH")
    add("ip4_total_len_big", vx(ip=IP(src=L4, dst=R4, len=1400)), D, "VTEP_DROP_TNL_TRUNCATED")
    add("ip6_payload_len_big", vx(ip=IPv6(src=L6, dst=R6, plen=1400)), D,
        "VTEP_DROP_TNL_TRUNCATED")
    add("ip6_ext_header", eth / ip6 / IPv6ExtHdrHopByHop() / UDP(sport=1, dport=4789)
        / VXLAN(vni=5) / inner, D, "VTEP_DROP_UPLINK_OTHER")
    add("outer_vlan_tag", eth / Dot1Q(vlan=10) / vx()[IP], D, "VTEP_DROP_UPLINK_OTHER")
    add("outer_ipx", Ether(dst=DST_MAC, src=SRC_MAC, type=0x8137) / Raw(b"z" * 46), D,
        "VTEP_DROP_UPLINK_OTHER")
    add("runt_13", Raw(bytes(eth)[:13]), D, "VTEP_DROP_TNL_TRUNCATED")
    return v


def c_bytes(b, indent="\t\t"):
    lines = []
    for i in range(0, len(b), 16):
        lines.append(indent + " ".join("0x%02x," % x for x in b[i:i + 16]))
    return "\n".join(lines)


def main():
    w = sys.stdout.write
    w("/* SPDX-License-Identifier: BSD-3-Clause */\n")
    w("/* Golden VXLAN/NVGRE frames generated by test/data/gen_tunnel_vectors.py "
      "(scapy); do not edit. */\n")
    w("#ifndef TUNNEL_VECTORS_H\n#define TUNNEL_VECTORS_H\n\n#include <stdint.h>\n\n")
    w('#define TV_SRC_MAC { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 }\n')
    w('#define TV_DST_MAC { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 }\n')
    w('#define TV_LOCAL4 "%s"\n#define TV_REMOTE4 "%s"\n' % (L4, R4))
    w('#define TV_LOCAL6 "%s"\n#define TV_REMOTE6 "%s"\n\n' % (L6, R6))
    w("struct tv_encap {\n\tconst char *name;\n\tint nvgre;\n\tint ipv6;\n\tuint32_t vni;\n"
      "\tuint32_t hash;\n\tuint8_t tos;\n\tuint8_t ttl;\n\tuint16_t udp_port;\n"
      "\tuint16_t inner_off;\n\tuint16_t inner_len;\n\tuint16_t outer_len;\n"
      "\tconst uint8_t *inner;\n\tconst uint8_t *outer;\n};\n\n")
    w("struct tv_rx {\n\tconst char *name;\n\tint cls;\n\tunsigned int drop;\n\tuint32_t vni;\n"
      "\tuint16_t inner_off;\n\tuint16_t len;\n\tconst uint8_t *pkt;\n};\n\n")
    enc = encap_vectors()
    for i, e in enumerate(enc):
        w("static const uint8_t tv_encap_inner_%d[] = {\n%s\n};\n" % (i, c_bytes(e["inner"], "\t")))
        w("static const uint8_t tv_encap_outer_%d[] = {\n%s\n};\n" % (i, c_bytes(e["outer"], "\t")))
    w("\nstatic const struct tv_encap tv_encap[] = {\n")
    for i, e in enumerate(enc):
        w('\t{ "%s", %d, %d, 0x%x, 0x%x, %d, %d, %d, %d, %d, %d,\n\t  tv_encap_inner_%d, '
          "tv_encap_outer_%d },\n" % (e["name"], e["kind"] == "nvgre", e["v6"], e["vni"],
                                      e["hash"], e["tos"], e["ttl"], e["port"], e["inner_off"],
                                      len(e["inner"]), len(e["outer"]), i, i))
    w("};\n\n")
    rx = rx_vectors()
    for i, r in enumerate(rx):
        w("static const uint8_t tv_rx_pkt_%d[] = {\n%s\n};\n" % (i, c_bytes(r["pkt"], "\t")))
    w("\nstatic const struct tv_rx tv_rx[] = {\n")
    for i, r in enumerate(rx):
        w('\t{ "%s", %s, %s, 0x%x, %d, %d, tv_rx_pkt_%d },\n' %
          (r["name"], r["cls"], r["drop"], r["vni"], r["inner_off"], len(r["pkt"]), i))
    w("};\n\n#endif\n")


if __name__ == "__main__":
    main()
