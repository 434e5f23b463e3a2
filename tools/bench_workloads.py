#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the input pcap of a vtepsw benchmark workload, deterministically.

The frames are those vtepsw-bench's generator sends (app/vtepsw-bench/bench.h has the
same constants): flow i has inner source 172.16.0.0 + (i mod 65536) and UDP source port
1024 + i // 65536, to 172.31.0.1:5001; MAC index j is the last three bytes of the source
MAC; packet k is flow k mod FLOWS and MAC k mod MACS. Every inner frame ends with the
16-byte trailer "VTBS" + sequence + a zero timestamp.

  encap   802.1Q VLAN frames from the local VMs (what a VTEP encapsulates)
  decap   VXLAN/NVGRE/STT packets from the remote VTEP 10.0.0.2 to 10.0.0.1 carrying the
          untagged frames of the remote VMs (what a VTEP decapsulates); STT frames larger
          than the underlay MTU are segmented as draft-davie-stt-08 says
  bridge  the same frames as encap (802.1Q, for an L2 bridge)

Scapy builds the first packet of each kind; the others are that packet with the flow
fields patched (and checksums recomputed), so a million flows take seconds, not hours.
A JSON file beside the pcap (FILE.json) says how many packets and bytes it holds.
"""
import argparse
import json
import struct
import sys

from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import GRE, Dot1Q, Ether
from scapy.layers.vxlan import VXLAN
from scapy.packet import Raw

LOCAL_VTEP_IP, REMOTE_VTEP_IP = "10.0.0.1", "10.0.0.2"
UPLINK_MAC, REMOTE_VTEP_MAC = "02:00:00:00:01:01", "02:00:00:00:02:02"
LOCAL_OUI, REMOTE_OUI = 0x01, 0x02
FLOW_SRC, FLOW_DST, FLOW_SPORT, FLOW_DPORT = 0xAC100000, "172.31.0.1", 1024, 5001
STAMP_MAGIC = b"VTBS"
STT_HDR_LEN, STT_PORT = 18, 7471
STT_F_IPV4 = 0x04


def mac(oui, idx):
    return "02:00:%02x:%02x:%02x:%02x" % (oui, (idx >> 16) & 0xFF, (idx >> 8) & 0xFF, idx & 0xFF)


def inner_frame(size, vlan, from_local):
    """Scapy frame of flow 0, MAC 0: Ethernet [+ 802.1Q] + IPv4 + UDP + zeros + trailer."""
    src = mac(LOCAL_OUI if from_local else REMOTE_OUI, 0)
    dst = mac(REMOTE_OUI if from_local else LOCAL_OUI, 0)
    eth = Ether(src=src, dst=dst)
    if vlan:
        eth = eth / Dot1Q(vlan=vlan)
    hdr = eth / IP(src="172.16.0.0", dst=FLOW_DST, ttl=64, id=0, flags=0) / \
        UDP(sport=FLOW_SPORT, dport=FLOW_DPORT, chksum=0)
    pad = size - len(hdr) - 16
    if pad < 0:
        sys.exit("bench_workloads: %d bytes cannot hold the headers and the trailer" % size)
    return hdr / Raw(b"\0" * pad + STAMP_MAGIC + b"\0" * 12)


class Patcher:
    """Writes many copies of one frame (flow 0, MAC 0) into a pcap buffer and patches the
    flow fields, the MAC index and the sequence number of each copy in place."""

    def __init__(self, raw, inner_off, inner_len, vlan):
        self.raw, self.off, self.len = raw, inner_off, inner_len
        self.l3 = inner_off + 14 + (4 if vlan else 0)
        ip = bytearray(raw[self.l3:self.l3 + 20])
        ip[10:16] = bytes(6)  # checksum and source address
        self.ip_base = sum(struct.unpack("!10H", bytes(ip)))

    def block(self, total, flows, macs, outer=None):
        """`total` pcap records; outer(buf, frame_offset, flow) patches tunnel fields."""
        n = len(self.raw)
        rec = struct.pack("<IIII", 0, 0, n, n) + self.raw
        r = len(rec)
        buf = bytearray(rec * total)
        pack = struct.pack_into
        oui = self.raw[self.off + 8]
        for k in range(total):
            base = k * r
            pack("<II", buf, base, k // 1000000, k % 1000000)
            f = base + 16
            flow = k % flows
            o, l3 = f + self.off, f + self.l3
            pack(">I", buf, o + 8, (oui << 24) | (k % macs))
            src = FLOW_SRC + (flow & 0xFFFF)
            s = self.ip_base + (src >> 16) + (src & 0xFFFF)
            s = (s & 0xFFFF) + (s >> 16)
            s = (s & 0xFFFF) + (s >> 16)
            pack(">HI", buf, l3 + 10, ~s & 0xFFFF, src)
            pack(">H", buf, l3 + 20, FLOW_SPORT + (flow >> 16))
            pack(">I", buf, o + self.len - 12, k & 0xFFFFFFFF)
            if outer:
                outer(buf, f, flow)
        return buf, n

    def apply(self, buf, flow, midx, seq):
        """Patch one frame held alone in `buf` (for STT, which segments it afterwards)."""
        o, l3 = self.off, self.l3
        buf[o + 9:o + 12] = midx.to_bytes(3, "big")
        src = FLOW_SRC + (flow & 0xFFFF)
        buf[l3 + 12:l3 + 16] = src.to_bytes(4, "big")
        s = self.ip_base + (src >> 16) + (src & 0xFFFF)
        while s >> 16:
            s = (s & 0xFFFF) + (s >> 16)
        buf[l3 + 10:l3 + 12] = (~s & 0xFFFF).to_bytes(2, "big")
        buf[l3 + 20:l3 + 22] = (FLOW_SPORT + (flow >> 16)).to_bytes(2, "big")
        buf[o + self.len - 12:o + self.len - 8] = (seq & 0xFFFFFFFF).to_bytes(4, "big")


def entropy(flow):
    return (flow * 2654435761) & 0xFFFFFFFF


def outer(tunnel, inner_len, flow, vni):
    """Outer headers (scapy) of a VXLAN or NVGRE packet carrying inner_len bytes."""
    eth_ip = Ether(src=REMOTE_VTEP_MAC, dst=UPLINK_MAC) / \
        IP(src=REMOTE_VTEP_IP, dst=LOCAL_VTEP_IP, ttl=64, id=0, flags="DF")
    if tunnel == "vxlan":
        return eth_ip / UDP(sport=49152 + entropy(flow) % 16384, dport=4789, chksum=0) / \
            VXLAN(flags=0x08, vni=vni)
    return eth_ip / GRE(key_present=1, proto=0x6558, key=(vni << 8) | (entropy(flow) & 0xFF))


def stt_segments(inner, flow, frame_id, vni, mtu):
    """STT packets (scapy) carrying one inner frame, segmented to fit the underlay MTU."""
    stt = struct.pack("!BBBBHH", 0, STT_F_IPV4, 14 + 20, 0, 0, 0) + \
        struct.pack("!Q", vni) + b"\0\0"
    frame = stt + inner
    seg_max = mtu - 20 - 20
    out = []
    for off in range(0, len(frame), seg_max):
        chunk = frame[off:off + seg_max]
        out.append(Ether(src=REMOTE_VTEP_MAC, dst=UPLINK_MAC) /
                   IP(src=REMOTE_VTEP_IP, dst=LOCAL_VTEP_IP, ttl=64, id=0, flags="DF") /
                   TCP(sport=49152 + entropy(flow) % 16384, dport=STT_PORT,
                       seq=(len(frame) << 16) | off, ack=frame_id, flags="PA",
                       window=65535) / Raw(chunk))
    return out


def default_packets(flows, macs, frame_bytes):
    """Frames in the file: every flow and MAC at least once, at least 1024 (less for
    huge frames), a multiple of the larger of the two counts."""
    n = max(flows, macs)
    want = max(1, min(1024, (32 << 20) // max(frame_bytes, 1)))
    if n >= want:
        return n
    return ((want + n - 1) // n) * n


class PcapWriter:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        self.n, self.bytes, self.max = 0, 0, 0

    def write(self, data):
        ts = self.n
        self.f.write(struct.pack("<IIII", ts // 1000000, ts % 1000000, len(data), len(data)))
        self.f.write(data)
        self.n += 1
        self.bytes += len(data)
        self.max = max(self.max, len(data))

    def write_block(self, buf, count, frame_len):
        """`count` records of `frame_len` bytes already laid out (Patcher.block)."""
        self.f.write(buf)
        self.n += count
        self.bytes += count * frame_len
        self.max = max(self.max, frame_len)

    def close(self):
        self.f.close()


def generate(a):
    w = PcapWriter(a.output)
    if a.workload in ("encap", "bridge"):
        frame = bytes(inner_frame(a.pkt_size, a.vlan, True))
        total = a.packets or default_packets(a.flows, a.macs, len(frame))
        buf, n = Patcher(frame, 0, len(frame), a.vlan).block(total, a.flows, a.macs)
        w.write_block(buf, total, n)
    elif a.tunnel in ("vxlan", "nvgre"):
        inner = bytes(inner_frame(a.pkt_size - 4, 0, False))
        raw = bytes(outer(a.tunnel, len(inner), 0, a.vni) / Raw(inner))
        total = a.packets or default_packets(a.flows, a.macs, len(raw))

        def entropy_field(buf, f, flow):
            if a.tunnel == "vxlan":
                struct.pack_into(">H", buf, f + 34, 49152 + entropy(flow) % 16384)
            else:
                buf[f + 41] = entropy(flow) & 0xFF

        p = Patcher(raw, len(raw) - len(inner), len(inner), 0)
        buf, n = p.block(total, a.flows, a.macs, entropy_field)
        w.write_block(buf, total, n)
    else:  # stt: every frame segmented by scapy
        raw = bytes(inner_frame(a.pkt_size - 4, 0, False))
        p = Patcher(raw, 0, len(raw), 0)
        total = a.packets or default_packets(a.flows, a.macs, len(raw))
        for k in range(total):
            flow = k % a.flows
            buf = bytearray(raw)
            p.apply(buf, flow, k % a.macs, k)
            for seg in stt_segments(bytes(buf), flow, k, a.vni, a.mtu):
                w.write(bytes(seg))
    w.close()
    meta = {"workload": a.workload, "tunnel": a.tunnel, "pkt_size": a.pkt_size,
            "flows": a.flows, "macs": a.macs, "frames": total, "packets": w.n,
            "bytes": w.bytes, "max_packet": w.max, "mtu": a.mtu}
    with open(a.output + ".json", "w") as f:
        json.dump(meta, f)
    return meta


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workload", choices=("encap", "decap", "bridge"), required=True)
    ap.add_argument("--tunnel", choices=("vxlan", "nvgre", "stt"), default="vxlan")
    ap.add_argument("--pkt-size", type=int, default=64,
                    help="access-side frame size without FCS, VLAN tag included")
    ap.add_argument("--flows", type=int, default=1)
    ap.add_argument("--macs", type=int, default=1)
    ap.add_argument("--packets", type=int, default=0,
                    help="frames to write (default: see default_packets)")
    ap.add_argument("--mtu", type=int, default=1500, help="underlay MTU (STT segments)")
    ap.add_argument("--vlan", type=int, default=100)
    ap.add_argument("--vni", type=int, default=5000)
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    if a.flows < 1 or a.macs < 1 or a.flows > 65536 * 64512 or a.macs > 1 << 24:
        sys.exit("bench_workloads: --flows must be 1..4227858432 and --macs 1..16777216")
    if a.pkt_size < 64 or a.pkt_size > 65404:
        sys.exit("bench_workloads: --pkt-size must be 64..65404")
    meta = generate(a)
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
