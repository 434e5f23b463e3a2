#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Check the STT segments of a capture against the inner frames that were sent, without
# vtepsw's code: stt_tso_check.py CAPTURE INNER_PCAP VNI MTU [PSH]
#   - every IPv4 or IPv6 packet fits MTU, every segment carries TCP to port 7471;
#   - per frame (one ACK value each): seq = frame_len << 16 | offset, the offsets tile the
#     frame without gap or overlap, and the payloads joined are the STT header scapy
#     expects for the inner frame (version 0, flags, L4 offset, VNI) + the inner frame;
#   - PSH=last: only the last segment of a frame has PSH (a device's TSO, as Linux and
#     DPDK's GSO cut), PSH=all: every segment has it (vtepsw's own segmentation).
# Prints one line per problem and "frames N segments M sizes S" at the end; exit 1 on any
# problem.
#        stt_tso_check.py --same CAPTURE_A CAPTURE_B
#   - the STT packets of both are the same, in order, but for IP ID, PSH and the checksums
#     that follow them (checked by tshark instead).
import struct
import sys
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import rdpcap, Ether, IP, IPv6, TCP, UDP  # noqa: E402


def stt_packets(f):
    """Each STT packet's bytes from the IP header on, IP ID, PSH and both checksums zeroed."""
    out = []
    for p in rdpcap(f):
        if IP not in p or p[IP].proto != 6:
            continue
        b = bytearray(bytes(p[IP])[:p[IP].len])
        b[4:6] = b"\0\0"
        b[10:12] = b"\0\0"
        b[p[IP].ihl * 4 + 13] &= 0xff ^ 0x08
        b[p[IP].ihl * 4 + 16:p[IP].ihl * 4 + 18] = b"\0\0"
        out.append(bytes(b))
    return out


if sys.argv[1] == "--same":
    a, b = stt_packets(sys.argv[2]), stt_packets(sys.argv[3])
    diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    print(f"packets {len(a)} and {len(b)}, differing {len(diff)}")
    sys.exit(0 if len(a) == len(b) and not diff else 1)

cap, inner_file, vni, mtu = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
psh = sys.argv[5] if len(sys.argv) > 5 else ""
problems = []


def stt_header(inner):
    """The STT header for an inner frame, from the draft's field list."""
    e = Ether(inner)
    flags, l4off = 0, 0
    if IP in e:
        flags |= 0x04
        l4off = 14 + e[IP].ihl * 4
        if TCP in e:
            flags |= 0x08
        elif UDP not in e:
            l4off = 0
    elif IPv6 in e:
        l4off = 54
        if TCP in e:
            flags |= 0x08
        elif UDP not in e:
            l4off = 0
    return struct.pack("!BBBBHHQH", 0, flags, l4off, 0, 0, 0, vni, 0)


expected = [bytes(p) for p in rdpcap(inner_file)]
frames = {}
order = []
nseg = 0
for p in rdpcap(cap):
    if IP in p and p[IP].proto == 6:
        ip = p[IP]
        iplen, raw = ip.len, bytes(ip)[ip.ihl * 4:ip.len]
    elif IPv6 in p and p[IPv6].nh == 6:
        ip = p[IPv6]
        iplen, raw = 40 + ip.plen, bytes(ip)[40:40 + ip.plen]
    else:
        continue
    if iplen > mtu:
        problems.append(f"IP packet of {iplen} bytes > MTU {mtu}")
    sport, dport, seq, ack, off = struct.unpack("!HHIIB", raw[:13])
    tflags = raw[13]
    if dport != 7471:
        problems.append(f"TCP to port {dport}, not 7471")
        continue
    nseg += 1
    if ack not in frames:
        frames[ack] = []
        order.append(ack)
    frames[ack].append((seq >> 16, seq & 0xffff, raw[(off >> 4) * 4:], tflags, sport))

sizes = []
got = []
for ack in order:
    segs = frames[ack]
    flen = {s[0] for s in segs}
    if len(flen) != 1:
        problems.append(f"frame {ack}: several frame lengths {sorted(flen)}")
        continue
    flen = flen.pop()
    if len({s[4] for s in segs}) != 1:
        problems.append(f"frame {ack}: several source ports")
    data = b""
    for i, (_, o, pl, tf, _) in enumerate(sorted(segs, key=lambda s: s[1])):
        if o != len(data):
            problems.append(f"frame {ack}: segment at offset {o}, expected {len(data)}")
        data += pl
        last = i == len(segs) - 1
        if psh == "last" and bool(tf & 0x08) != last:
            problems.append(f"frame {ack}: PSH {'missing on the last' if last else 'on a middle'} segment")
        if psh == "all" and not tf & 0x08:
            problems.append(f"frame {ack}: a segment without PSH")
    if len(data) != flen:
        problems.append(f"frame {ack}: {len(data)} bytes reassembled, seq says {flen}")
    got.append(data)
    sizes.append(len(segs))

if len(got) != len(expected):
    problems.append(f"{len(got)} STT frames on the wire, {len(expected)} inner frames sent")
for i, (g, e) in enumerate(zip(got, expected)):
    if g != stt_header(e) + e:
        problems.append(f"frame {i}: payload is not STT header + inner frame ({len(g)} vs {len(e) + 18} bytes)")
for pr in problems[:20]:
    print(pr)
print(f"frames {len(got)} segments {nseg} sizes {','.join(map(str, sizes))}")
sys.exit(1 if problems else 0)
