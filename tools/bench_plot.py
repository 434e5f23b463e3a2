#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Turn bench-compare's results.json into results.md (tables, targets) and PNG plots.

  bench_plot.py DIR     reads DIR/results.json, writes DIR/results.md, DIR/summary.json,
                        DIR/mpps_vs_flows.png and DIR/mpps_vs_size.png

Per case and leg the median over the repeats is taken of: Mpps (packets out per second
of wall clock), Mpps/core (packets out per second of CPU time the forwarding thread got,
the rate of one fully available core), cycles/packet (that CPU time x TSC Hz / packets),
input Gbit/s per core, and the CPU share. results.md also gives vtepsw's cost net of the
I/O ceiling (its cycles/packet minus testpmd's on the same input) and the 1,000,000-flow /
1-flow ratio on that basis. Ratios and targets use Mpps/core (input
Gbit/s per core for STT's large frames), because on a machine shared with other work a
thread that is descheduled forwards nothing for a while whatever its speed.
"""
import json
import os
import statistics
import sys

LEGS = ("testpmd", "ovs", "vtepsw")
LEG_NAME = {"testpmd": "testpmd io", "ovs": "OVS-DPDK", "vtepsw": "vtepsw"}


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def aggregate(doc):
    hz = doc["machine"].get("tsc_hz") or 0
    agg = {}
    for c in doc["cases"]:
        for leg in c["legs"]:
            rs = [r for r in doc["runs"] if r["case"] == c["id"] and r["leg"] == leg]
            ok = [r for r in rs if r.get("ok")]
            a = dict(runs=len(rs), ok=len(ok))
            if not ok:
                a["why"] = next((r.get("skip") or r.get("error") for r in rs), "not run")
            else:
                a["mpps"] = med(r["out_pkts"] / r["window_s"] / 1e6 for r in ok)
                a["mpps_core"] = med(r["out_pkts"] / r["cpu_s"] / 1e6 for r in ok)
                a["cpp"] = med(r["cpu_s"] * hz / r["out_pkts"] for r in ok) if hz else None
                a["gbps_in_core"] = med(r["in_bytes"] * 8 / r["cpu_s"] / 1e9 for r in ok)
                a["gbps_in"] = med(r["in_bytes"] * 8 / r["window_s"] / 1e9 for r in ok)
                a["cpu_share"] = med(r["cpu_s"] / r["window_s"] for r in ok)
                a["spread"] = (max(r["out_pkts"] / r["cpu_s"] for r in ok) /
                               min(r["out_pkts"] / r["cpu_s"] for r in ok)) if len(ok) > 1 else 1
                if leg == "ovs":
                    a["recirc"] = any(r.get("ovs_recirculations") for r in ok)
            agg[(c["id"], leg)] = a
    return agg


def one_worker(doc):
    """The cases with one forwarding lcore: what the targets and plots are about."""
    return [c for c in doc["cases"] if c.get("workers", 1) == 1]


def ratio_cases(agg, cid, other, leg, key="mpps_core"):
    """Case cid against case other, both on leg."""
    x, y = agg.get((cid, leg), {}).get(key), agg.get((other, leg), {}).get(key)
    return x / y if x and y else None


def ratio(agg, cid, a, b, key="mpps_core"):
    x, y = agg.get((cid, a), {}).get(key), agg.get((cid, b), {}).get(key)
    return x / y if x and y else None


def targets(doc, agg):
    """The issue's targets, each with its measured value and whether it is met."""
    out = []
    cases = {c["id"]: c for c in one_worker(doc)}

    def find(wl, t, size, flows, macs=1):
        for c in cases.values():
            if (c["workload"], c["tunnel"], c["pkt_size"], c["flows"], c["macs"]) == \
                    (wl, t, size, flows, macs):
                return c["id"]
        return None

    def add(what, cid, value, goal):
        out.append(dict(target=what, case=cid, value=value, goal=goal,
                        met=None if value is None else value >= goal))

    for t in ("vxlan", "nvgre"):
        for f in (1, 1000, 100000):
            cid = find("encap", t, 64, f)
            if cid:
                add("%s encap %d flows: vtepsw / OVS" % (t, f), cid,
                    ratio(agg, cid, "vtepsw", "ovs"), 2.0)
        one, mil = find("encap", t, 64, 1), find("encap", t, 64, 1000000)
        if one and mil:
            x = agg.get((mil, "vtepsw"), {}).get("mpps_core")
            y = agg.get((one, "vtepsw"), {}).get("mpps_core")
            add("%s encap: vtepsw 1,000,000 flows / 1 flow" % t, mil,
                x / y if x and y else None, 0.7)
        for c in cases.values():
            if c["workload"] == "decap" and c["tunnel"] == t and c["pkt_size"] == 64 and \
                    c["macs"] == 1:
                add("%s decap %d flows: vtepsw / OVS" % (t, c["flows"]), c["id"],
                    ratio(agg, c["id"], "vtepsw", "ovs"), 3.0)
        for wl in ("encap", "decap"):
            for c in cases.values():
                if c["workload"] == wl and c["tunnel"] == t and c["pkt_size"] == 64 and \
                        c["macs"] == 1:
                    add("%s %s %d flows: vtepsw / testpmd" % (t, wl, c["flows"]), c["id"],
                        ratio(agg, c["id"], "vtepsw", "testpmd"), 0.5)
    for c in cases.values():
        if "stt-big" in c["tags"]:
            add("stt %s %d-byte frames: vtepsw / testpmd (input bytes/s)" %
                (c["workload"], c["pkt_size"]), c["id"],
                ratio(agg, c["id"], "vtepsw", "testpmd", "gbps_in_core"), 0.5)
    mem = doc.get("memory")
    if mem:
        out.append(dict(target="vtepsw heap with %d flows and %d learned MACs <= 512 MiB" %
                        (mem["case"]["flows"], mem["fdb_learned"] or 0), case=mem["case"]["id"],
                        value=mem["heap_in_use_bytes"] / 2**20, goal=512,
                        met=mem["heap_in_use_bytes"] <= 512 * 2**20, unit="MiB"))
    return out


def net_of_io(doc, agg):
    """vtepsw's own cost: its cycles/packet minus testpmd io's on the same input (the
    net_pcap replay and net_null transmit both pay), per 64-byte VXLAN/NVGRE case, and the
    1,000,000-flow / 1-flow rate ratio on that basis (own-cost rate = 1 / net cycles)."""
    rows, ratios = [], []
    for wl in ("encap", "decap"):
        for t in ("vxlan", "nvgre"):
            sel = sorted((c for c in one_worker(doc) if c["workload"] == wl and c["tunnel"] == t
                          and c["pkt_size"] == 64 and c["macs"] == 1), key=lambda c: c["flows"])
            net = {}
            for c in sel:
                v = agg.get((c["id"], "vtepsw"), {}).get("cpp")
                io = agg.get((c["id"], "testpmd"), {}).get("cpp")
                if v is None or io is None:
                    continue
                net[c["flows"]] = v - io
                rows.append(dict(case=c["id"], workload=wl, tunnel=t, flows=c["flows"],
                                 vtepsw_cpp=v, testpmd_cpp=io, net_cpp=v - io))
            v1 = agg.get((sel[0]["id"], "vtepsw"), {}).get("mpps_core") if sel else None
            vm = [agg.get((c["id"], "vtepsw"), {}).get("mpps_core") for c in sel
                  if c["flows"] == 1000000]
            io1 = [agg.get((c["id"], "testpmd"), {}).get("mpps_core") for c in sel
                   if c["flows"] == 1]
            iom = [agg.get((c["id"], "testpmd"), {}).get("mpps_core") for c in sel
                   if c["flows"] == 1000000]
            if 1 in net and 1000000 in net and net[1000000] > 0 and vm and vm[0] and v1:
                ratios.append(dict(workload=wl, tunnel=t, net_cpp_1=net[1], net_cpp_1m=net[1000000],
                                   net_ratio=net[1] / net[1000000], gross_ratio=vm[0] / v1,
                                   testpmd_ratio=iom[0] / io1[0] if io1 and iom and io1[0]
                                   and iom[0] else None))
    return rows, ratios


def fmt(x, spec="%.2f"):
    return "-" if x is None else spec % x


def markdown(doc, agg, tg):
    m = doc["machine"]
    lines = ["# vtepsw vs Open vSwitch (DPDK) vs dpdk-testpmd", ""]
    lines += ["Command: `%s`  " % doc["command"],
              "Started: %s; %d repeat(s), %.1f s warm-up + %.1f s measured per run.  " %
              (doc["started"], doc["repeat"], doc["warmup_s"], doc["duration_s"]),
              "Machine: %s, %d CPUs online, %.0f GiB, kernel %s, TSC %.3f GHz; DPDK %s, "
              "Open vSwitch %s, vtepsw %s." %
              (m["cpu"], m["cpus_online"], m["mem_bytes"] / 2**30, m["kernel"],
               (m.get("tsc_hz") or 0) / 1e9, m["versions"]["dpdk"], m["versions"]["ovs"],
               m["versions"]["vtepsw"]), ""]
    shares = [a["cpu_share"] for a in agg.values() if a.get("cpu_share")]
    loads = [r["loadavg"] for r in doc["runs"] if "loadavg" in r]
    lines += ["Each leg: one forwarding core (lcore 1), net_pcap (infinite_rx) in, net_null out, "
              "no hugepages. **Mpps/core** = packets out per CPU-second the forwarding thread "
              "got; **Mpps** = per wall-clock second; cpu = the thread's share of its core. "
              "Ratios use Mpps/core. The `-2workers` cases have two forwarding "
              "lcores, each polling its own rx queue of the input port (every queue replays "
              "the whole input), and count both threads' CPU time.", ""]
    if shares and min(shares) < 0.9:
        lines += ["**Noise caveat:** the forwarding threads got %.0f%%..%.0f%% of their core "
                  "(load average %.1f..%.1f): the machine was shared, so wall-clock rates are "
                  "low and even per-core rates suffer from cache and scheduler interference. "
                  "Re-run on a quiet machine for publishable numbers." %
                  (100 * min(shares), 100 * max(shares), min(loads or [0]), max(loads or [0])), ""]
    lines += ["| case | testpmd Mpps/core | OVS Mpps/core | vtepsw Mpps/core | vtepsw/OVS | "
              "vtepsw/testpmd | cycles/pkt testpmd / OVS / vtepsw | Mpps (wall) testpmd / OVS / "
              "vtepsw | cpu |", "|" + "---|" * 9]
    for c in doc["cases"]:
        row = [c["id"]]
        g = {leg: agg.get((c["id"], leg), {}) for leg in LEGS}
        for leg in LEGS:
            if leg not in c["legs"]:
                row.append("n/a")
            elif "mpps_core" in g[leg]:
                row.append(fmt(g[leg]["mpps_core"], "%.3f"))
            elif g[leg].get("runs"):
                skipped = all(r.get("skip") for r in doc["runs"]
                              if r["case"] == c["id"] and r["leg"] == leg)
                row.append("skipped" if skipped else "failed")
            else:
                row.append("-")
        big = "stt-big" in c["tags"]
        key = "gbps_in_core" if big else "mpps_core"
        row.append(fmt(ratio(agg, c["id"], "vtepsw", "ovs", key)))
        row.append(fmt(ratio(agg, c["id"], "vtepsw", "testpmd", key)) + (" (B/s)" if big else ""))
        row.append(" / ".join(fmt(g[leg].get("cpp"), "%.0f") for leg in LEGS))
        row.append(" / ".join(fmt(g[leg].get("mpps"), "%.2f") for leg in LEGS))
        row.append(" / ".join(fmt(g[leg].get("cpu_share") and 100 * g[leg]["cpu_share"], "%.0f%%")
                              for leg in LEGS if leg in c["legs"]))
        lines.append("| " + " | ".join(row) + " |")
    big = [c for c in doc["cases"] if "stt-big" in c["tags"]]
    if big:
        lines += ["", "STT large frames, input Gbit/s per core (testpmd / vtepsw): " +
                  "; ".join("%s %s / %s" % (c["id"],
                                             fmt(agg.get((c["id"], "testpmd"), {}).get(
                                                 "gbps_in_core")),
                                             fmt(agg.get((c["id"], "vtepsw"), {}).get(
                                                 "gbps_in_core"))) for c in big)]
    multi = [c for c in doc["cases"] if c.get("workers", 1) > 1]
    if multi:
        lines += ["", "Several workers (one rx queue each, as RSS spreads flows): Mpps/core with "
                  "N workers / with 1, and wall-clock Mpps with N / with 1: " +
                  "; ".join("%s %s: %s" % (
                      c["id"], leg,
                      " / ".join(fmt(ratio_cases(agg, c["id"], one, leg, key))
                                 for key in ("mpps_core", "mpps")))
                      for c in multi for one in [c["id"].rsplit("-", 1)[0]]
                      for leg in c["legs"])]
    lines += ["", "## Targets", "", "| target | measured | goal | met |", "|---|---|---|---|"]
    for t in tg:
        unit = t.get("unit", "x")
        lines.append("| %s | %s | %s%s | %s |" % (
            t["target"], fmt(t["value"]) + ("" if unit == "x" else " " + unit),
            "<= " if unit != "x" else ">= ", fmt(t["goal"], "%.1f"),
            {True: "yes", False: "**no**", None: "not measured"}[t["met"]]))
    rows, ratios = net_of_io(doc, agg)
    if rows:
        lines += ["", "## vtepsw net of the I/O ceiling", "",
                  "testpmd io forwarding pays the same net_pcap replay (a copy into a fresh mbuf "
                  "per packet) and net_null transmit (a free per packet) as vtepsw, so vtepsw's "
                  "own cost is its cycles/packet minus testpmd's on the same input.", "",
                  "| case | vtepsw cycles/pkt | testpmd cycles/pkt | vtepsw net cycles/pkt |",
                  "|---|---|---|---|"]
        lines += ["| %s | %.0f | %.0f | %.0f |" % (r["case"], r["vtepsw_cpp"], r["testpmd_cpp"],
                                                    r["net_cpp"]) for r in rows]
    if ratios:
        lines += ["", "Rate at 1,000,000 flows / rate at 1 flow (the target, >= 0.7, is on the gross "
                  "rate): vtepsw with the I/O included, testpmd on the same inputs, and vtepsw on "
                  "its net cost (net cycles at 1 flow / net cycles at 1,000,000 flows):",
                  "", "| workload | vtepsw gross | testpmd | vtepsw net | net cycles/pkt 1 flow "
                  "/ 1M flows |", "|---|---|---|---|---|"]
        lines += ["| %s %s | %s | %s | %s | %.0f / %.0f |" % (
            r["workload"], r["tunnel"], fmt(r["gross_ratio"]), fmt(r["testpmd_ratio"]),
            fmt(r["net_ratio"]), r["net_cpp_1"], r["net_cpp_1m"]) for r in ratios]
        nets = [r["net_ratio"] for r in ratios]
        gross = [r["gross_ratio"] for r in ratios]
        io = [r["testpmd_ratio"] for r in ratios if r["testpmd_ratio"]]
        lines += ["", "The 1,000,000-flow input is a replay of 1,000,000 distinct cold mbufs. "
                  "testpmd, which looks nothing up, keeps %s..%s of its 1-flow rate on it; vtepsw "
                  "keeps %s..%s gross but %s..%s on its own (net) cost, so the gap to 0.7 is the "
                  "input's cache misses, which every forwarder pays, and not work of vtepsw's "
                  "that grows with the flows." %
                  (fmt(min(io) if io else None), fmt(max(io) if io else None), fmt(min(gross)),
                   fmt(max(gross)), fmt(min(nets)), fmt(max(nets)))]
    why = sorted({(leg, a["why"]) for (cid, leg), a in agg.items() if a.get("why")})
    if why:
        lines += ["", "## Not measured", ""]
        lines += ["- %s: %s" % (LEG_NAME[leg], w) for leg, w in why]
    mem = doc.get("memory")
    if mem:
        lines += ["", "## Memory", "",
                  "vtepsw-bench %s: %d MACs learned; datapath heap (tables, FDB, per-worker "
                  "state) %.1f MiB; all DPDK heap in use %.1f MiB, of which the packet pool "
                  "holding the %d-packet input is %d x %d-byte buffers. vtepsw has no per-flow "
                  "cache yet, so flows cost no memory." %
                  (mem["case"]["id"], mem["fdb_learned"] or 0,
                   (mem["datapath_bytes"] or 0) / 2**20, mem["heap_in_use_bytes"] / 2**20,
                   mem["input_packets"], mem["pool"][0], mem["pool"][1]),
                  "", "Command: `%s`" % mem["command"]]
    recirc = [cid for (cid, leg), a in agg.items() if leg == "ovs" and a.get("recirc")]
    if recirc:
        lines += ["", "OVS recirculated packets (tunnel pop, then a second datapath pass) in: " +
                  ", ".join(sorted(recirc)) + "."]
    return "\n".join(lines) + "\n"


def plots(doc, agg, out):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench_plot: python3-matplotlib is not installed; no PNGs")
        return
    cases = one_worker(doc)
    style = {"testpmd": ("k", ":"), "ovs": ("tab:red", "--"), "vtepsw": ("tab:blue", "-")}
    mark = {"vxlan": "o", "nvgre": "s", "stt": "^"}
    for name, tag, xkey, xlabel, logx in (
            ("mpps_vs_flows.png", "flows", "flows", "distinct inner flows (64-byte frames)", True),
            ("mpps_vs_size.png", "size", "pkt_size", "frame size, bytes (1 flow)", False)):
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
        for ax, wl in zip(axes, ("encap", "decap")):
            for t in ("vxlan", "nvgre", "stt"):
                sel = sorted((c for c in cases if tag in c["tags"] and c["workload"] == wl and
                              c["tunnel"] == t and c["macs"] == 1), key=lambda c: c[xkey])
                for leg in LEGS:
                    pts = [(c[xkey], agg.get((c["id"], leg), {}).get("mpps_core")) for c in sel
                           if leg in c["legs"]]
                    pts = [(x, y) for x, y in pts if y]
                    if not pts or (leg == "testpmd" and t != "vxlan" and wl == "encap"):
                        continue
                    col, ls = style[leg]
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], color=col, linestyle=ls,
                            marker=mark[t], label="%s %s" % (LEG_NAME[leg], t))
            ax.set_title(wl.upper())
            ax.set_xlabel(xlabel)
            if logx:
                ax.set_xscale("log")
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize=8)
        axes[0].set_ylabel("Mpps per forwarding core")
        fig.suptitle("one forwarding core, net_pcap in / net_null out (%s)" %
                     doc["machine"]["cpu"][:60], fontsize=9)
        fig.tight_layout()
        fig.savefig(os.path.join(out, name), dpi=100)
        plt.close(fig)


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "bench/results"
    with open(os.path.join(d, "results.json")) as f:
        doc = json.load(f)
    agg = aggregate(doc)
    tg = targets(doc, agg)
    with open(os.path.join(d, "results.md"), "w") as f:
        f.write(markdown(doc, agg, tg))
    rows, ratios = net_of_io(doc, agg)
    summary = dict(machine=doc["machine"], command=doc["command"], targets=tg,
                   net_of_io=dict(cases=rows, flows_1m_vs_1=ratios),
                   cases={"%s/%s" % k: v for k, v in agg.items()}, memory=doc.get("memory"))
    with open(os.path.join(d, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    plots(doc, agg, d)
    print("bench_plot: wrote %s/results.md, summary.json and the PNGs" % d)


if __name__ == "__main__":
    main()
