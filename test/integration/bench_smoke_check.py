#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks for bench_smoke.sh: what vtepsw-bench wrote against what scapy expects.

  fwd WORKLOAD TUNNEL IN OUT   every input frame came out once, in order, transformed as
                               the workload says (encap: VLAN popped, outer headers to the
                               remote VTEP with the segment's VNI; decap: inner frame with
                               the VLAN tag pushed; bridge: tag popped); tshark dissects
                               the protocol stack and header fields of every output frame.
  gen TEMPLATE OUT REF         the generator's frames equal the reference frames written by
                               tools/bench_workloads.py, except the timestamp and the
                               tunnel entropy fields (source port, FlowID, STT id/checksum).
Prints one line per problem and exits 1 if there was any.
"""
import struct
import subprocess
import sys

from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import ARP, GRE, Dot1Q, Ether
from scapy.layers.vxlan import VXLAN
from scapy.utils import rdpcap, wrpcap

VNI, VLAN = 5000, 100
LOCAL_VTEP_IP, REMOTE_VTEP_IP = "10.0.0.1", "10.0.0.2"
UPLINK_MAC, REMOTE_VTEP_MAC = "02:00:00:00:01:01", "02:00:00:00:02:02"
STT_PORT, STT_HDR = 7471, 18
problems = []


def bad(msg):
    problems.append(msg)
    if len(problems) <= 20:
        print("bench_smoke_check: " + msg)


def tshark(path, fields, stt=False):
    """One list of field values per frame."""
    cmd = ["tshark", "-r", path, "-T", "fields", "-E", "separator=\t"]
    if stt:
        cmd += ["-o", "ip.try_heuristic_first:TRUE"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def toint(s):
    """A tshark number (decimal or 0x hex, first of several), or -1."""
    try:
        return int(s.split(",")[0], 0)
    except ValueError:
        return -1


def untag(raw):
    """The frame without its 802.1Q tag."""
    return raw[:12] + raw[16:]


def tag(raw):
    return raw[:12] + struct.pack("!HH", 0x8100, VLAN) + raw[12:]


def stt_frames(pkts):
    """Reassemble STT frames from TCP-like segments: list of (context, inner bytes)."""
    frames, pending = [], {}
    for p in pkts:
        if TCP not in p or p[TCP].dport != STT_PORT:
            bad("a packet that is not STT: %s" % p.summary())
            continue
        t = p[TCP]
        total, off = t.seq >> 16, t.seq & 0xFFFF
        buf = pending.setdefault(t.ack, {})
        buf[off] = bytes(t.payload)
        if sum(len(v) for v in buf.values()) >= total:
            data = b"".join(buf[k] for k in sorted(buf))
            del pending[t.ack]
            ctx = struct.unpack("!Q", data[8:16])[0]
            frames.append((ctx, data[STT_HDR:total]))
    if pending:
        bad("%d STT frame(s) incomplete" % len(pending))
    return frames


def outer_ok(p, k):
    if p[Ether].src != UPLINK_MAC or p[Ether].dst != REMOTE_VTEP_MAC:
        bad("frame %d: outer MACs %s -> %s" % (k, p[Ether].src, p[Ether].dst))
    if IP not in p or p[IP].src != LOCAL_VTEP_IP or p[IP].dst != REMOTE_VTEP_IP:
        bad("frame %d: outer IPs wrong: %s" % (k, p.summary()))


def check_encap(tunnel, ins, outs, out_path):
    exp = [untag(bytes(p)) for p in ins]
    if tunnel == "stt":
        for k, p in enumerate(outs):
            outer_ok(p, k)
        got = stt_frames(outs)
        for k, (ctx, inner) in enumerate(got):
            if ctx != VNI:
                bad("frame %d: STT context %d" % (k, ctx))
        got = [inner for _, inner in got]
        fields = tshark(out_path, ["stt.context_id", "udp.srcport"], stt=True)
        done = [f for f in fields if f[1]]
        if len(done) != len(exp) or any(toint(f[0]) != VNI for f in done):
            bad("tshark: %d reassembled STT frames with context %d expected, got %s" %
                (len(exp), VNI, done[:3]))
    else:
        got = []
        for k, p in enumerate(outs):
            outer_ok(p, k)
            if tunnel == "vxlan":
                if VXLAN not in p or p[VXLAN].vni != VNI or p[UDP].dport != 4789:
                    bad("frame %d: not VXLAN VNI %d: %s" % (k, VNI, p.summary()))
                    continue
                got.append(bytes(p[VXLAN].payload))
            else:
                if GRE not in p or p[GRE].proto != 0x6558 or p[GRE].key >> 8 != VNI:
                    bad("frame %d: not NVGRE VSID %d: %s" % (k, VNI, p.summary()))
                    continue
                got.append(bytes(p[GRE].payload))
        proto = {"vxlan": "eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:udp:data",
                 "nvgre": "eth:ethertype:ip:gre:eth:ethertype:ip:udp:data"}[tunnel]
        key = "vxlan.vni" if tunnel == "vxlan" else "gre.key"
        for k, f in enumerate(tshark(out_path, ["frame.protocols", key])):
            vni = toint(f[1]) if tunnel == "vxlan" else toint(f[1]) >> 8
            if f[0] != proto or vni != VNI:
                bad("tshark frame %d: %s %s=%s" % (k, f[0], key, f[1]))
    compare(exp, got)


def check_decap(tunnel, ins, outs, out_path):
    if tunnel == "stt":
        inner = [i for _, i in stt_frames(ins)]
    elif tunnel == "vxlan":
        inner = [bytes(p[VXLAN].payload) for p in ins]
    else:
        inner = [bytes(p[GRE].payload) for p in ins]
    compare([tag(i) for i in inner], [bytes(p) for p in outs])
    for k, f in enumerate(tshark(out_path, ["frame.protocols", "vlan.id"])):
        if f[0] != "eth:ethertype:vlan:ethertype:ip:udp:data" or f[1] != str(VLAN):
            bad("tshark frame %d: %s vlan %s" % (k, f[0], f[1]))


def check_bridge(ins, outs, out_path):
    compare([untag(bytes(p)) for p in ins], [bytes(p) for p in outs])
    for k, f in enumerate(tshark(out_path, ["frame.protocols", "vlan.id"])):
        if f[0] != "eth:ethertype:ip:udp:data" or f[1]:
            bad("tshark frame %d: %s vlan %s" % (k, f[0], f[1]))


def compare(exp, got):
    if len(got) != len(exp):
        bad("%d frames out, %d expected" % (len(got), len(exp)))
    for k, (e, g) in enumerate(zip(exp, got)):
        if e != g:
            bad("frame %d differs: expected %s..., got %s..." % (k, e[:48].hex(), g[:48].hex()))


def strip_stamp(raw):
    """A frame without the 8-byte TSC at its end (the rest of the trailer stays)."""
    return raw[:-8]


def check_gen(template, out_path, ref_path):
    outs, refs = rdpcap(out_path), rdpcap(ref_path)
    if template in ("vlan", "untagged"):
        compare([strip_stamp(bytes(p)) for p in refs], [strip_stamp(bytes(p)) for p in outs])
        if any(bytes(p)[-8:] == b"\0" * 8 for p in outs):
            bad("a generated frame has no timestamp")
        proto = "eth:ethertype:vlan:ethertype:ip:udp:data" if template == "vlan" else \
            "eth:ethertype:ip:udp:data"
        for k, f in enumerate(tshark(out_path, ["frame.protocols", "ip.src", "udp.srcport"])):
            if f[0] != proto or f[1] != refs[k][IP].src:
                bad("tshark frame %d: %s %s" % (k, f[0], f[1]))
        return
    if template == "stt":
        got, exp = stt_frames(outs), stt_frames(refs)
        compare([strip_stamp(i) for _, i in exp], [strip_stamp(i) for _, i in got])
        if [c for c, _ in got] != [VNI] * len(got):
            bad("STT contexts %s" % sorted({c for c, _ in got}))
        return
    layer = VXLAN if template == "vxlan" else GRE
    compare([strip_stamp(bytes(p[layer].payload)) for p in refs],
            [strip_stamp(bytes(p[layer].payload)) for p in outs])
    for k, (o, r) in enumerate(zip(outs, refs)):
        ob, rb = bytearray(bytes(o)), bytearray(bytes(r))
        hl = len(ob) - len(o[layer].payload)
        if template == "vxlan":
            ob[34:36] = rb[34:36] = b"\0\0"
        else:
            ob[41] = rb[41] = 0
        if ob[:hl] != rb[:hl]:
            bad("frame %d: outer headers %s, expected %s" % (k, ob[:hl].hex(), rb[:hl].hex()))


def main():
    if sys.argv[1] == "fwd":
        wl, tunnel, inp, outp = sys.argv[2:6]
        ins, outs = rdpcap(inp), rdpcap(outp)
        # The VTEP announces its address on the uplink when the config is applied
        # (gratuitous ARP): its own control traffic, not forwarded frames.
        fwd = [p for p in outs if ARP not in p]
        if len(fwd) != len(outs):
            if len(outs) - len(fwd) > 2 or any(p[ARP].psrc != p[ARP].pdst for p in outs
                                               if ARP in p):
                bad("ARP frames out that are not the VTEP's announcement")
            outs, outp = fwd, outp + ".fwd.pcap"
            wrpcap(outp, outs)
        if wl == "encap":
            check_encap(tunnel, ins, outs, outp)
        elif wl == "decap":
            check_decap(tunnel, ins, outs, outp)
        else:
            check_bridge(ins, outs, outp)
    else:
        check_gen(sys.argv[2], sys.argv[3], sys.argv[4])
    if problems:
        print("bench_smoke_check: %d problem(s)" % len(problems))
        sys.exit(1)
    print("bench_smoke_check: ok")


if __name__ == "__main__":
    main()
