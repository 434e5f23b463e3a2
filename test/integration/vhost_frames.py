#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Frames for the vhost-user tests, built and compared with scapy.
#   vhost_frames.py gen OUT.pcap SRC_MAC DST_MAC COUNT DPORT [SEED]
#       COUNT IPv4/UDP frames of random sizes (60..1464 bytes: they fit VXLAN over a
#       1500-byte underlay), payload numbered
#   vhost_frames.py send IFACE IN.pcap          send a pcap's frames (scapy sendp)
#   vhost_frames.py cmp SENT.pcap GOT.pcap DPORT
#       the UDP frames to DPORT in GOT are exactly SENT's, in order (prints the first diff)
#   vhost_frames.py cmpset SENT.pcap GOT.pcap DPORT
#       the same, in any order (frames from several queues may interleave)
#   vhost_frames.py tsoframes OUT.pcap SPEC...
#       one 802.1Q-tagged TCP frame per SPEC "vlan,dst_mac,sport,payload[,v6]" (TSO super
#       frames from a guest when payload exceeds the MSS), payload bytes (i*7+3) & 0xff
#   vhost_frames.py telemetry SOCKET CMD KEY
#       one value from a DPDK process's telemetry socket, e.g. /eal/heap_info,0 Alloc_count
#   vhost_frames.py tcpcheck IN.pcap SPORT
#       reassemble the payload of the TCP flow from SPORT by sequence number; print
#       "segments=N bytes=N max_frame=N content_ok=0|1"
import logging
import random
import struct
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (Ether, Dot1Q, IP, IPv6, UDP, TCP, ICMP, ICMPv6DestUnreach, Raw,  # noqa: E402
                       rdpcap, wrpcap, sendp, conf)

conf.verb = 0


def gen(out, src, dst, count, dport, seed=1):
    rnd = random.Random(seed)
    frames = []
    for i in range(count):
        size = rnd.choice([60, 64, 128, 512, 1000, 1400, 1464, rnd.randrange(60, 1465)])
        hdr = Ether(src=src, dst=dst) / IP(src="192.168.100.%d" % (1 + i % 200),
                                            dst="192.168.100.250") / UDP(sport=4000 + i,
                                                                         dport=dport)
        pad = size - len(hdr)
        body = struct.pack("!I", i) + bytes(rnd.randrange(256) for _ in range(max(pad - 4, 0)))
        frames.append(hdr / Raw(body))
    wrpcap(out, frames)


def udp_to(pkts, dport):
    return [bytes(p) for p in pkts if UDP in p and p[UDP].dport == dport]


def cmp(sent, got, dport, any_order=False):
    a, b = udp_to(rdpcap(sent), dport), udp_to(rdpcap(got), dport)
    if any_order:
        a, b = sorted(a), sorted(b)
    if a == b:
        print("identical: %d frames" % len(a))
        return 0
    print("sent %d frames, got %d" % (len(a), len(b)))
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            print("first difference at frame %d:\n sent %s\n got  %s" % (i, x.hex(), y.hex()))
            break
    return 1


def tsoframes(out, specs):
    frames = []
    for spec in specs:
        f = spec.split(",")
        vlan, dst, sport, n = int(f[0]), f[1], int(f[2]), int(f[3])
        if len(f) > 4 and f[4] == "v6":
            l3 = IPv6(src="fd00::1", dst="fd00::2")
        else:
            l3 = IP(src="192.168.100.1", dst="192.168.100.2", flags="DF", id=0x1234)
        data = bytes((i * 7 + 3) & 0xff for i in range(n))
        frames.append(Ether(src="02:00:00:00:00:0a", dst=dst) / Dot1Q(vlan=vlan) / l3 /
                      TCP(sport=sport, dport=5001, seq=1000, ack=1, flags="PA", window=65535,
                          options=[("NOP", None), ("NOP", None), ("Timestamp", (1, 2))]) /
                      Raw(data))
    wrpcap(out, frames)


def tcpcheck(path, sport):
    """Segments of the TCP flow from SPORT (innermost TCP, any encapsulation scapy decodes):
    count, payload bytes reassembled by sequence number, largest frame, content check."""
    segs = {}
    max_frame = 0
    for p in rdpcap(path):
        tcp = p.getlayer(TCP, nb=2) or p.getlayer(TCP)
        if tcp is None or tcp.sport != sport or ICMP in p or ICMPv6DestUnreach in p:
            continue  # (ICMP errors quote segments)
        max_frame = max(max_frame, len(p))
        segs[tcp.seq] = bytes(tcp.payload)
    data = b"".join(segs[k] for k in sorted(segs))
    ok = data == bytes((i * 7 + 3) & 0xff for i in range(len(data)))
    print("segments=%d bytes=%d max_frame=%d content_ok=%d" %
          (len(segs), len(data), max_frame, int(ok)))


def telemetry(path, cmd, key):
    import json
    import socket
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    s.recv(4096)
    s.send(cmd.encode())
    reply = json.loads(s.recv(1 << 16))
    print(reply[cmd.split(",")[0]][key])


def main():
    cmd = sys.argv[1]
    a = sys.argv[2:]
    if cmd == "gen":
        gen(a[0], a[1], a[2], int(a[3]), int(a[4]), int(a[5]) if len(a) > 5 else 1)
    elif cmd == "send":
        for f in rdpcap(a[1]):
            sendp(f, iface=a[0])
    elif cmd in ("cmp", "cmpset"):
        sys.exit(cmp(a[0], a[1], int(a[2]), cmd == "cmpset"))
    elif cmd == "tsoframes":
        tsoframes(a[0], a[1:])
    elif cmd == "telemetry":
        telemetry(a[0], a[1], a[2])
    elif cmd == "tcpcheck":
        tcpcheck(a[0], int(a[1]))
    else:
        sys.exit("unknown command " + cmd)


main()
