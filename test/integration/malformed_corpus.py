#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Malformed tunnel traffic for malformed.sh, sent from the attacker side of vtepsw's uplink.
#   malformed_corpus.py IFACE VTEP_MAC ATTACKER_MAC MODE [N]
# MODE valid N: N valid VXLAN (VNI 5000), NVGRE (6000) and STT (7000) frames each, plus N
#   STT frames that need two segments; inner frames are broadcasts from 02:aa:00:00:<seg>:01.
# MODE corpus: one deterministic pass over every malformed class, printed as lines
#   "EXPECT <drop reason> <count>" (the reason vtepsw must count each class under).
# MODE flood N: N STT segments of N distinct frames (random offsets and lengths).
import random
import struct
import sys
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import Ether, IP, UDP, TCP, Raw, sendp, conf  # noqa: E402
from scapy.layers.vxlan import VXLAN  # noqa: E402
from scapy.layers.l2 import GRE  # noqa: E402

conf.verb = 0
IFACE, VMAC, AMAC, MODE = sys.argv[1:5]
N = int(sys.argv[5]) if len(sys.argv) > 5 else 0
LOCAL, REMOTE = "10.99.0.1", "10.99.0.2"
rnd = random.Random(7471)


def inner(seg, size=0):
    """A broadcast inner frame from the segment's marker MAC, @size bytes of payload."""
    return bytes(Ether(src="02:aa:00:00:%02x:01" % (seg // 100), dst="ff:ff:ff:ff:ff:ff") /
                 IP(src="192.168.%d.9" % (seg // 100), dst="192.168.%d.255" % (seg // 100)) /
                 UDP(sport=7, dport=9) / Raw(b"vtepsw-valid-" + b"v" * size))


def outer(dst=LOCAL, mac=None, **ip):
    return Ether(dst=mac or VMAC, src=AMAC) / IP(src=REMOTE, dst=dst, **ip)


def vxlan(vni=5000, flags=0x08, body=None, **kw):
    return bytes(outer(**kw) / UDP(sport=40000, dport=4789) /
                 VXLAN(flags=flags, vni=vni) / Raw(body if body is not None else inner(100)))


def gre_hdr(flags=0x2000, proto=0x6558, key=6000 << 8 | 0x2a):
    h = struct.pack("!HH", flags, proto)
    if flags & 0x8000:
        h += b"\0\0\0\0"
    if flags & 0x2000:
        h += struct.pack("!I", key)
    if flags & 0x1000:
        h += struct.pack("!I", 1)
    return h


def nvgre(vni=6000, body=None, hdr=None, **kw):
    h = hdr if hdr is not None else gre_hdr(key=vni << 8 | 0x2a)
    return bytes(outer(proto=47, **kw) / Raw(h + (body if body is not None else inner(200))))


def stt_hdr(ctx=7000, version=0):
    return struct.pack("!BBBBHHQH", version, 0, 0, 0, 0, 0, ctx, 0)


def stt_seg(payload, flen, off, ack, sport=50000, dataofs=None, **kw):
    """One STT segment: @payload bytes at offset @off of an STT frame of @flen bytes."""
    tcp = TCP(sport=sport, dport=7471, seq=(flen << 16) | off, ack=ack, flags="PA")
    if dataofs is not None:
        tcp.dataofs = dataofs
    return bytes(outer(**kw) / tcp / Raw(payload))


def stt(ctx=7000, version=0, body=None, ack=1, **kw):
    frame = stt_hdr(ctx, version) + (body if body is not None else inner(300))
    return stt_seg(frame, len(frame), 0, ack, **kw)


def stt_split(frame, ack, cut):
    return [stt_seg(frame[:cut], len(frame), 0, ack), stt_seg(frame[cut:], len(frame), cut, ack)]


def send(frames):
    sendp(frames, iface=IFACE)


if MODE == "valid":
    frames = []
    for i in range(N):
        frames += [vxlan(), nvgre(), stt(ack=0x10000 + i)]
        frames += stt_split(stt_hdr() + inner(300, 1400), 0x20000 + i + rnd.randrange(1 << 15) * 64, 700)
    send(frames)
    sys.exit(0)

if MODE == "flood":
    acks = rnd.sample(range(0x40000000, 0x7fffffff), N)
    frames = []
    for ack in acks:
        flen = rnd.randrange(2000, 65536)
        off = rnd.randrange(1, flen - 1)
        ln = rnd.randrange(1, min(1400, flen - off) + 1)
        frames.append(stt_seg(rnd.randbytes(ln), flen, off, ack,
                              sport=rnd.randrange(49152, 65536)))
    # In chunks, so a slow (sanitizer) vtepsw on a busy machine keeps up with its rx ring.
    for i in range(0, len(frames), 200):
        sendp(frames[i:i + 200], iface=IFACE, inter=0.0005)
    print("EXPECT flood %d" % N)
    sys.exit(0)

# corpus: (reason, frames) per class.
classes = []
v, g, s = vxlan(), nvgre(), stt(ack=0x100)
# Truncated at every header boundary (and inside headers): Ether | IP | L4 | tunnel | inner Eth.
cuts = {"vxlan": (v, [14, 24, 34, 38, 42, 46, 50, 57, 64]),
        "nvgre": (g, [14, 24, 34, 36, 38, 42, 49, 56]),
        "stt": (s, [14, 24, 34, 44, 54, 63, 72, 79, 86])}
for name, (full, at) in cuts.items():
    classes.append(("tnl_truncated", [full[:n] for n in at]))
# IP total length longer than the frame is indistinguishable from a truncation.
for full in (v, g, s):
    b = bytearray(full)
    struct.pack_into("!H", b, 16, len(full) - 14 + 100)
    b[24:26] = b"\0\0"
    classes.append(("tnl_truncated", [bytes(b)]))
# Wrong flags: VXLAN flags 0x00 / 0x0c / reserved byte set, GRE C|K... / version 1 / IPv4
# protocol, STT version 1.
vx_res = bytearray(vxlan())
vx_res[14 + 20 + 8 + 7] = 1
classes.append(("tnl_bad_flags", [vxlan(flags=0x00), vxlan(flags=0x0c), bytes(vx_res),
                                  nvgre(hdr=gre_hdr(flags=0x3000)),
                                  nvgre(hdr=gre_hdr(flags=0x2001)),
                                  nvgre(hdr=gre_hdr(proto=0x0800)),
                                  nvgre(hdr=gre_hdr(flags=0xa000)),
                                  stt(version=1, ack=0x101)]))
# Bad lengths: IP total length below the header, IHL below 5, UDP length != IP payload,
# IP total length cut inside the VXLAN payload, STT data offset < 5, STT frame < 32 bytes.
bad_len = []
for full in (v, g, s):
    b = bytearray(full)
    struct.pack_into("!H", b, 16, 10)
    bad_len.append(bytes(b))
    b = bytearray(full)
    b[14] = 0x44
    bad_len.append(bytes(b))
b = bytearray(v)
struct.pack_into("!H", b, 14 + 20 + 4, len(v) - 34 + 4)
bad_len.append(bytes(b))
b = bytearray(v)
struct.pack_into("!H", b, 16, 20 + 8 + 8 + 20)
bad_len.append(bytes(b))
bad_len.append(stt_seg(stt_hdr() + inner(300), len(stt_hdr() + inner(300)), 0, 0x102, dataofs=4))
bad_len.append(stt_seg(stt_hdr() + b"\x02" * 7, 25, 0, 0x103))
classes.append(("tnl_bad_length", bad_len))
# Outer IP fragments (MF, offset, MF on NVGRE and STT).
classes.append(("tnl_ip_fragment", [bytes(outer(flags="MF") / UDP(sport=40000, dport=4789) /
                                          VXLAN(vni=5000) / Raw(inner(100))),
                                    bytes(outer(frag=100) / UDP(sport=40000, dport=4789) /
                                          VXLAN(vni=5000) / Raw(inner(100))),
                                    nvgre(flags="MF"), stt(ack=0x104, flags="MF")]))
# Unknown VNIs (and an STT context beyond 24 bits).
classes.append(("tnl_unknown_vni", [vxlan(vni=9999), nvgre(vni=9999), stt(ctx=9999, ack=0x105),
                                    stt(ctx=1 << 40, ack=0x106)]))
# Not for us: another outer IP, another unicast MAC.
other_mac = "02:99:99:99:99:99"
classes.append(("tnl_not_for_us", [vxlan(dst="10.99.0.77"), nvgre(dst="10.99.0.77"),
                                   stt(dst="10.99.0.77", ack=0x107), vxlan(mac=other_mac),
                                   nvgre(mac=other_mac), stt(mac=other_mac, ack=0x108)]))
# Inner frame shorter than Ethernet with consistent outer lengths; an STT frame whose first
# segment is shorter than the STT header (reassembled, then refused at decap).
short_first = stt_hdr() + inner(300)
classes.append(("tnl_bad_inner", [vxlan(body=b"\x02" * 7), nvgre(body=b"\x02" * 7),
                                  stt_seg(short_first[:10], len(short_first), 0, 0x109),
                                  stt_seg(short_first[10:], len(short_first), 10, 0x109)]))
# Drops count segments: the refused reassembled frame counts its two.
classes[-1] = ("tnl_bad_inner", classes[-1][1], 4)
# STT segment past its frame length.
classes.append(("stt_oversize", [stt_seg(b"x" * 100, 150, 100, 0x10a)]))
# Overlapping STT segment pair; a second frame length for the same frame.
classes.append(("stt_overlap", [stt_seg(b"a" * 100, 300, 0, 0x10b), stt_seg(b"b" * 100, 300, 50, 0x10b),
                                stt_seg(b"a" * 100, 300, 0, 0x10c), stt_seg(b"b" * 100, 400, 100, 0x10c)]))
# each overlapping segment drops itself and the held segment of its frame
classes[-1] = ("stt_overlap", classes[-1][1], 4)
# Exact duplicate of a held segment (the frame stays held and later expires).
classes.append(("stt_duplicate", [stt_seg(b"d" * 100, 300, 0, 0x10d), stt_seg(b"d" * 100, 300, 0, 0x10d)]))
classes[-1] = ("stt_duplicate", classes[-1][1], 1)
# One frame sent as 300 segments of 100 bytes: segment 257 exceeds the per-frame segment
# limit (VTEP_STT_REASM_MAX_SEGS) and drops itself and the 256 held ones; the other 43
# start a new frame that later expires (stt_expired, one per segment).
many = [stt_seg(b"m" * 100, 60000, 100 * i, 0x10e) for i in range(300)]
classes.append(("stt_cap_reached", many, 257))

frames = []
for c in classes:
    reason, fl = c[0], c[1]
    n = c[2] if len(c) > 2 else len(fl)
    frames += fl
    print("EXPECT %s %d" % (reason, n))
send(frames)
print("EXPECT frames %d" % len(frames))
