#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Where a forwarding thread's cycles go, by fast-path stage, from a perf profile.

tools/bench_profile.py PERF_DATA --cycles-per-packet C [--comm rte-worker] [--md FILE]

Reads a `perf record -e cpu-clock` profile of vtepsw-bench (bench-compare.sh --profile
makes one), keeps the samples of the forwarding threads, and attributes each sample to a
stage by where it landed: the DPDK drivers and libraries (the I/O that dpdk-testpmd pays
too), and in vtepsw's code the source function the sample's line belongs to (inlined code
keeps its own file and line, so the inline stages stay apart). Prints a table of stages
with their share of the samples and, scaled by the measured cycles per packet, their cost
per packet. Samples come from a timer (this VM has no hardware counters), so a stage's
share is right to a percent or two, not exact.
"""

import argparse
import os
import re
import subprocess
import sys
from collections import defaultdict

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

IO = "I/O: the PMDs' rx/tx and their buffers (testpmd pays it too)"
STAGE_OF_FUNCTION = {
    # ingress on an Ethernet (VM) port
    "rx_bridge": "rx: VLAN parse, admission, pop",
    "parse_l2_fast": "rx: VLAN parse, admission, pop",
    "vlan_pop_fast": "rx: VLAN parse, admission, pop",
    "src_mac_ok": "rx: VLAN parse, admission, pop",
    "rd16": "rx: VLAN parse, admission, pop",
    # ingress on the uplink
    "rx_uplink": "rx: tunnel classify, decap",
    "seg_of_vni": "rx: tunnel classify, decap",
    "port_of_remote": "rx: tunnel classify, decap",
    "learn_remote": "rx: tunnel classify, decap",
    "vtep_tnl_classify_fast": "rx: tunnel classify, decap",
    "vtep_tnl_rx_fast": "rx: tunnel classify, decap",
    "vtep_tnl_rxf_rd16": "rx: tunnel classify, decap",
    "vtep_tnl_decap": "rx: tunnel classify, decap",
    # L2
    "fdb_lookup_burst": "FDB: keys, cache, lookup",
    "fdbc_index": "FDB: keys, cache, lookup",
    "vtep_fdb_lookup_bulk": "FDB: keys, cache, lookup",
    "vtep_fdb_touch": "learning",
    # egress
    "output_fast": "output: port decision, counters, runs",
    "output": "output: port decision, counters, runs",
    "run_add": "output: port decision, counters, runs",
    "encap_hash": "flow hash (tunnel entropy)",
    "vtep_tnl_flow_hash": "flow hash (tunnel entropy)",
    "vtep_flow_hash_bytes": "flow hash (tunnel entropy)",
    "vtep_fh_l3": "flow hash (tunnel entropy)",
    "vtep_fh_ld64": "flow hash (tunnel entropy)",
    "vtep_fh_ld32": "flow hash (tunnel entropy)",
    "vtep_fh_rd16": "flow hash (tunnel entropy)",
    "vtep_tnl_encap_fast": "encap: prepend, outer header",
    "vlan_push": "output: port decision, counters, runs",
    "acc_tnl_tx": "output: port decision, counters, runs",
    "acc_tnl_rx": "output: port decision, counters, runs",
    "acc_flush_tnl_tx": "output: port decision, counters, runs",
    "acc_flush_tnl_rx": "output: port decision, counters, runs",
    "acc_init": "output: port decision, counters, runs",
    "tx_enqueue_run": "tx: queueing, burst call",
    "tx_enqueue": "tx: queueing, burst call",
    "tx_flush": "tx: queueing, burst call",
    "tx_flush_all": "tx: queueing, burst call",
    "vtep_dp_poll": "poll loop: tables, load accounting",
    "drop_pkt": "drops",
    "count_drop": "drops",
}
# Functions called, not inlined: their samples go to the function, wherever the line is.
STAGE_OF_SYMBOL = {
    "cksum_avx2": "checksums",
    "cksum_scalar": "checksums",
    "vtep_cksum_add": "checksums",
    "rte_pktmbuf_alloc_bulk": "mbuf allocation (STT segments, copies)",
    "output_slow": "encap slow path (STT, IPv6 underlay, TSO, no headroom)",
    "vtep_tnl_encap": "encap slow path (STT, IPv6 underlay, TSO, no headroom)",
    "vtep_tunnel_ops_get": "encap slow path (STT, IPv6 underlay, TSO, no headroom)",
}
STAGE_OF_HEADER = {
    "rte_ethdev.h": "tx: queueing, burst call",
    "rte_cycles.h": "poll loop: tables, load accounting",
    "rte_rcu_qsbr.h": "poll loop: tables, load accounting",
}
# l2_forward() is one function of four passes: its lines go to the pass they are in, split
# at the first line of the next pass.
L2_PASSES = [("fdb_lookup_burst(", "FDB: keys, cache, lookup"),
             ("rte_ring_enqueue_burst_elem(", "learning"),
             (None, "output: port decision, counters, runs")]


class Functions:
    """Line -> enclosing function, for the C sources and headers of the repo (our style:
    the function name starts a line, the body ends with a '}' alone on a line)."""

    def __init__(self):
        self.files = {}
        for sub in ("lib", "drivers", "app"):
            for d, _, names in os.walk(os.path.join(TOP, sub)):
                for n in names:
                    if n.endswith((".c", ".h")):
                        self.files.setdefault(n, os.path.join(d, n))
        self.ranges = {}

    def _load(self, base):
        if base in self.ranges:
            return self.ranges[base]
        out = []
        path = self.files.get(base)
        if path:
            with open(path) as f:
                lines = f.read().split("\n")
            start = name = None
            for i, line in enumerate(lines, 1):
                m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\(", line)
                if m and name is None:
                    name, start = m.group(1), i
                elif line == "}" and name is not None:
                    out.append((start, i, name, lines[start - 1:i]))
                    name = None
        self.ranges[base] = out
        return out

    def stage(self, base, line):
        for start, end, name, body in self._load(base):
            if start <= line <= end:
                if name != "l2_forward":
                    return name, STAGE_OF_FUNCTION.get(name)
                for marker, stage in L2_PASSES:
                    if marker is None:
                        return name, stage
                    at = next((k for k, text in enumerate(body) if marker in text), None)
                    if at is not None and line - start <= at:
                        return name, stage
        return None, None


def classify(fns, dso, sym, srcline):
    if "kernel" in dso:
        return "kernel (timer interrupts, scheduler)"
    if dso != "vtepsw-bench" and not dso.startswith("vtepsw"):
        return IO
    if sym in STAGE_OF_SYMBOL:
        return STAGE_OF_SYMBOL[sym]
    if sym.startswith(("stt_", "vtep_stt_")):
        return "STT segmentation / reassembly"
    base, _, line = srcline.rpartition(":")
    base = os.path.basename(base)
    if base.startswith(("bench_", "main.c")) or sym in ("lcore_main", "bench_hist_add"):
        return "bench harness (timing, histogram)"
    if base in STAGE_OF_HEADER:
        return STAGE_OF_HEADER[base]
    if line.isdigit():
        name, stage = fns.stage(base, int(line))
        if stage:
            return stage
        if name and base.startswith("vtep_stt"):
            return "STT segmentation / reassembly"
        if base == "vtep_cksum.c":
            return "checksums"
    if base.startswith("rte_"):
        # a DPDK inline helper: the stage of the function it was inlined into
        st = STAGE_OF_FUNCTION.get(sym)
        if st:
            return st
        return "DPDK inline helpers in %s" % sym
    return "other (%s)" % (sym or base)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("perf_data")
    ap.add_argument("--cycles-per-packet", type=float, required=True,
                    help="measured cycles per packet of the run (scales the shares)")
    ap.add_argument("--comm", default="rte-worker",
                    help="thread name prefix of the forwarding threads (default rte-worker)")
    ap.add_argument("--title", default="")
    ap.add_argument("--md", help="also write the table (markdown) to this file")
    a = ap.parse_args()

    r = subprocess.run(["perf", "report", "-i", a.perf_data, "--no-children", "--sort",
                        "comm,dso,sym,srcline", "-F", "overhead,comm,dso,sym,srcline",
                        "--field-separator=\t", "--percent-limit=0"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("bench_profile: perf report failed: " + r.stderr.strip()[:300])
    fns = Functions()
    share = defaultdict(float)
    total = 0.0
    for row in r.stdout.splitlines():
        if row.startswith("#") or "%" not in row:
            continue
        f = [x.strip() for x in row.split("\t")]
        if len(f) < 5 or not f[1].startswith(a.comm):
            continue
        pct = float(f[0].rstrip("%"))
        sym = f[3].split("] ", 1)[-1].strip()
        share[classify(fns, f[2], sym, f[4])] += pct
        total += pct
    if total == 0:
        sys.exit("bench_profile: no samples of threads named %s*" % a.comm)
    rows = sorted(share.items(), key=lambda kv: -kv[1])
    lines = ["| stage | share | cycles/packet |", "|---|---|---|"]
    for stage, pct in rows:
        lines.append("| %s | %.1f%% | %.1f |" % (stage, 100 * pct / total,
                                                 a.cycles_per_packet * pct / total))
    lines.append("| **total** | 100%% | %.1f |" % a.cycles_per_packet)
    text = "\n".join(lines)
    if a.title:
        print(a.title)
    print(text)
    if a.md:
        with open(a.md, "w") as f:
            f.write(("### " + a.title + "\n\n" if a.title else "") + text + "\n")


if __name__ == "__main__":
    main()
