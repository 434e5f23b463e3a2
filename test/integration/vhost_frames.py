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
#   vhost_frames.py tso OUT.pcap SRC_MAC DST_MAC SRC_IP DST_IP PAYLOAD [v6]
#       one TCP frame with PAYLOAD bytes (a TSO "super frame" from a guest)
#   vhost_frames.py telemetry SOCKET CMD KEY
#       one value from a DPDK process's telemetry socket, e.g. /eal/heap_info,0 Alloc_count
#   vhost_frames.py tcpcheck IN.pcap SRC_IP DST_IP SPORT
#       reassemble the TCP payload bytes of one flow by sequence number; print
#       "segments=N bytes=N max_frame=N csum_bad=N"
import logging
import random
import struct
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import Ether, IP, IPv6, UDP, TCP, Raw, rdpcap, wrpcap, sendp, conf  # noqa: E402

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


def tso(out, src, dst, sip, dip, payload, v6=False):
    l3 = IPv6(src=sip, dst=dip) if v6 else IP(src=sip, dst=dip, flags="DF", id=0x1234)
    data = bytes((i * 7 + 3) & 0xff for i in range(payload))
    f = Ether(src=src, dst=dst) / l3 / TCP(sport=40000, dport=5001, seq=1000, ack=1,
                                            flags="PA", window=65535,
                                            options=[("NOP", None), ("NOP", None),
                                                     ("Timestamp", (1, 2))]) / Raw(data)
    wrpcap(out, [f])


def tcpcheck(path, sip, dip, sport):
    segs = {}
    max_frame = 0
    bad = 0
    for p in rdpcap(path):
        l3 = IP if IP in p else IPv6
        if TCP not in p or p[l3].src != sip or p[l3].dst != dip or p[TCP].sport != sport:
            continue
        max_frame = max(max_frame, len(p))
        raw = bytes(p[TCP])
        want = p[TCP].chksum
        q = p.copy()
        del q[TCP].chksum
        if l3 is IP:
            del q[IP].chksum
        q = q.__class__(bytes(q))
        if q[TCP].chksum != want or (l3 is IP and q[IP].chksum != p[IP].chksum):
            bad += 1
        segs[p[TCP].seq] = bytes(p[TCP].payload)
        del raw
    data = b"".join(segs[k] for k in sorted(segs))
    ok = data == bytes((i * 7 + 3) & 0xff for i in range(len(data)))
    print("segments=%d bytes=%d max_frame=%d csum_bad=%d content_ok=%d" %
          (len(segs), len(data), max_frame, bad, int(ok)))


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
    elif cmd == "tso":
        tso(a[0], a[1], a[2], a[3], a[4], int(a[5]), len(a) > 6 and a[6] == "v6")
    elif cmd == "telemetry":
        telemetry(a[0], a[1], a[2])
    elif cmd == "tcpcheck":
        tcpcheck(a[0], a[1], a[2], int(a[3]))
    else:
        sys.exit("unknown command " + cmd)


main()
