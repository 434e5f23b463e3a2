#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Compare vtepsw with dpdk-testpmd (io forwarding) and Open vSwitch with DPDK.

Run by tools/bench-compare.sh (see its --help). Every leg gets one forwarding core
(lcore 1; lcore 0 is the main/control thread), the same input (a pcap from
tools/bench_workloads.py replayed by net_pcap with infinite_rx=1) and the same output
(net_null with no-rx=1). Runs alternate between the legs and repeat. For each run the
forwarding thread's CPU time comes from /proc (schedstat) or vtepsw-bench's own report,
so rates can be stated per second of wall clock and per second of CPU the thread got.
Writes results.json (every run, the machine, the command) for tools/bench_plot.py.
"""
import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = "/usr/bin/python3"
OVS_DPDK = "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"
OVS_SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
VLAN, VNI = 100, 5000
LOCAL_IP, REMOTE_IP = "10.0.0.1", "10.0.0.2"
UPLINK_MAC, REMOTE_MAC = "02:00:00:00:01:01", "02:00:00:00:02:02"
LOCAL_VM0, REMOTE_VM0 = "02:00:01:00:00:00", "02:00:02:00:00:00"
OVS_MAX_MBUFS = 262144  # OVS 3.1's shared mempool: MAX_NB_MBUF = 4096 * 64
HEADROOM = 128


def log(msg):
    print("bench-compare: " + msg, flush=True)


class Case:
    def __init__(self, workload, tunnel, size, flows, macs=1, legs=("testpmd", "ovs", "vtepsw"),
                 tags=(), workers=1):
        self.workload, self.tunnel, self.size = workload, tunnel, size
        self.flows, self.macs, self.tags = flows, macs, tuple(tags)
        self.legs = [leg for leg in legs if not (leg == "ovs" and tunnel == "stt")]
        self.mtu = 1500 if tunnel == "stt" else 9000
        # workers > 1: that many forwarding lcores, each polling its own rx queue of the
        # input port (net_pcap: one copy of the pcap per queue) and its own tx queue
        self.workers = workers
        self.id = "%s-%s-%dB-%dflows%s%s" % (workload, tunnel, size, flows,
                                             "-%dmacs" % macs if macs > 1 else "",
                                             "-%dworkers" % workers if workers > 1 else "")

    def desc(self):
        return dict(id=self.id, workload=self.workload, tunnel=self.tunnel, pkt_size=self.size,
                    flows=self.flows, macs=self.macs, mtu=self.mtu, legs=self.legs,
                    tags=list(self.tags), workers=self.workers)


def all_cases(quick):
    cs = []
    if quick:
        for t in ("vxlan", "nvgre"):
            for wl in ("encap", "decap"):
                for f in (1, 1000):
                    cs.append(Case(wl, t, 64, f, tags=["flows"]))
                cs.append(Case(wl, t, 1500, 1, tags=["size"]))
        cs.append(Case("encap", "vxlan", 64, 1000, 1000, tags=["learning"]))
        for wl in ("encap", "decap"):
            cs.append(Case(wl, "stt", 9000, 1, legs=("testpmd", "vtepsw"), tags=["stt-big"]))
        return cs
    for t in ("vxlan", "nvgre"):
        for wl in ("encap", "decap"):
            for f in (1, 1000, 100000, 1000000):
                cs.append(Case(wl, t, 64, f, tags=["flows"] + (["size"] if f == 1 else [])))
            for s in (512, 1500):
                cs.append(Case(wl, t, s, 1, tags=["size"]))
            cs.append(Case(wl, t, 64, 1000, 1000, tags=["learning"]))
    for wl in ("encap", "decap"):
        for s in (64, 1500):
            cs.append(Case(wl, "stt", s, 1, legs=("testpmd", "vtepsw"), tags=["size"]))
        for s in (9000, 65000):
            cs.append(Case(wl, "stt", s, 1, legs=("testpmd", "vtepsw"), tags=["stt-big"]))
    # RSS-style scaling: two forwarding lcores, one rx queue each (1,000 flows)
    for wl in ("encap", "decap"):
        cs.append(Case(wl, "vxlan", 64, 1000, legs=("testpmd", "vtepsw"), tags=["workers"],
                       workers=2))
    return cs


def sh(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def thread_cpu_s(pid, name_prefix):
    """CPU seconds of the first thread of pid whose name starts with name_prefix."""
    try:
        for tid in sorted(os.listdir("/proc/%d/task" % pid), key=int):
            base = "/proc/%d/task/%s/" % (pid, tid)
            with open(base + "comm") as f:
                if not f.read().startswith(name_prefix):
                    continue
            with open(base + "schedstat") as f:
                return int(f.read().split()[0]) / 1e9
    except (OSError, ValueError):
        pass
    return None


def threads_cpu_s(pid, name_prefix):
    """CPU seconds of all the threads of pid whose names start with name_prefix."""
    total, found = 0.0, False
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return None
    for tid in tids:
        base = "/proc/%d/task/%s/" % (pid, tid)
        try:
            with open(base + "comm") as f:
                if not f.read().startswith(name_prefix):
                    continue
            with open(base + "schedstat") as f:
                total += int(f.read().split()[0]) / 1e9
                found = True
        except (OSError, ValueError):
            continue  # a thread that ended meanwhile
    return total if found else None


def lcore_args(workers):
    """EAL lcores: 0 for control, 1..workers forwarding. With fewer CPUs than lcores the
    forwarding lcores take the CPUs from the last one down and share CPU 0 with control
    (which mostly sleeps): every forwarding thread's own CPU time is what is measured."""
    ncpu = os.cpu_count() or 1
    if workers + 1 <= ncpu:
        return ["-l", "0-%d" % workers]
    return ["--lcores", ",".join(["0@0"] + ["%d@%d" % (i, (ncpu - i) % ncpu)
                                            for i in range(1, workers + 1)])]


def wait_for(pred, timeout, step=0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return None


class Compare:
    def __init__(self, a):
        self.a = a
        self.work = a.work
        self.bench = a.bench or os.path.join(TOP, "build/app/vtepsw-bench/vtepsw-bench")
        self.runs = []
        self.seq = 0
        self.tsc_hz = None
        os.makedirs(self.work, exist_ok=True)
        os.makedirs(a.out, exist_ok=True)
        self.logdir = os.path.join(a.out, "logs")
        shutil.rmtree(self.logdir, ignore_errors=True)
        os.makedirs(self.logdir)

    # ---------------------------------------------------------------- inputs

    def pcap(self, c):
        if c.workload == "decap":
            name = "decap-%s-%d-%d-%d-%d" % (c.tunnel, c.size, c.flows, c.macs,
                                            c.mtu if c.tunnel == "stt" else 0)
        else:
            name = "encap-vlan-%d-%d-%d" % (c.size, c.flows, c.macs)
        path = os.path.join(self.work, name + ".pcap")
        gen = os.path.join(TOP, "tools/bench_workloads.py")
        if not (os.path.exists(path + ".json") and
                os.path.getmtime(path + ".json") > os.path.getmtime(gen)):
            log("generating %s" % os.path.basename(path))
            r = sh([PY, gen, "--workload", c.workload, "--tunnel", c.tunnel, "--pkt-size",
                    str(c.size), "--flows", str(c.flows), "--macs", str(c.macs), "--mtu",
                    str(c.mtu), "-o", path])
            if r.returncode != 0:
                raise RuntimeError("bench_workloads.py failed: " + r.stderr.strip())
        with open(path + ".json") as f:
            return path, json.load(f)

    @staticmethod
    def pool(c, meta):
        """Buffers, data room and EAL memory (MB) for a DPDK leg replaying this pcap."""
        big = meta["max_packet"] + HEADROOM
        if c.tunnel == "stt" or big > 1600:
            room = min(65535, max(2176, big))
        else:
            room = HEADROOM + max(128, (meta["max_packet"] + 64 + 63) // 64 * 64)
        n = meta["packets"] * c.workers + (4096 if room > 16384 else 16384)
        mem = int(n * (room + 192) * 1.25 / 2**20) + 256
        return n, room, mem

    def prefix(self, leg):
        self.seq += 1
        return "bc%d-%s%d" % (os.getpid(), leg, self.seq)

    def devargs(self, pcap, queues=1):
        return ("net_pcap0,%s,infinite_rx=1" % ",".join(["rx_pcap=" + pcap] * queues),
                "net_null0,no-rx=1")

    def logfile(self, c, leg, rep):
        return os.path.join(self.logdir, "%s.%s.%d.log" % (c.id, leg, rep))

    # ---------------------------------------------------------------- legs

    def run_vtepsw(self, c, pcap, meta, rep, profile=False):
        n, room, mem = self.pool(c, meta)
        pin, pout = self.devargs(pcap, c.workers)
        js = os.path.join(self.work, "vtepsw-%d.json" % os.getpid())
        pre = self.prefix("v")
        cmd = [self.bench] + lcore_args(c.workers) + ["--no-huge", "-m", str(mem), "--no-pci",
               "--file-prefix", pre, "--log-level", "lib.eal:warning", "--vdev", pin,
               "--vdev", pout, "--", "-w", c.workload, "-t", c.tunnel, "-s", str(c.size),
               "-f", str(c.flows), "-m", str(c.macs), "--mbufs", str(n), "--mbuf-size",
               str(room), "--mtu", str(c.mtu), "--fdb-capacity",
               str(max(131072, 2 * c.macs)), "--warmup", str(self.a.warmup), "-d",
               str(self.a.duration), "--stats-period", "1", "--rxq", str(c.workers), "--json", js]
        perf_data = None
        if profile:
            perf_data = os.path.join(self.work, "perf-%d.data" % os.getpid())
            cmd = ["perf", "record", "-q", "-e", "cpu-clock", "-F", "999", "-o", perf_data,
                   "--"] + cmd
        with open(self.logfile(c, "vtepsw-profile" if profile else "vtepsw", rep), "w") as lf:
            lf.write(" ".join(cmd) + "\n")
            lf.flush()
            r = subprocess.run(cmd, stdout=lf, stderr=subprocess.STDOUT,
                               timeout=self.a.warmup + self.a.duration + 300)
        shutil.rmtree("/var/run/dpdk/" + pre, ignore_errors=True)
        if r.returncode != 0:
            raise RuntimeError("vtepsw-bench exited %d" % r.returncode)
        with open(js) as f:
            d = json.load(f)
        os.unlink(js)
        self.tsc_hz = self.tsc_hz or d["machine"]["tsc_hz"]
        t = d["total"]
        if perf_data:
            self.profile(c, perf_data, t["cycles_per_packet"])
        inp = next(p for p in d["ports"] if p["rx_packets"] > 0 and not p["tunnel"])
        return dict(window_s=d["duration_s"], out_pkts=t["tx_packets"],
                    in_pkts=inp["rx_packets"], in_bytes=inp["rx_bytes"],
                    cpu_s=t["cpu_s"], drops=t["drops"], heap_bytes=d["memory"]["heap_in_use_bytes"],
                    datapath_bytes=d["memory"].get("datapath_bytes"),
                    fdb_learned=d.get("fdb_learned"), command=" ".join(cmd),
                    vtepsw_cycles_per_packet=t["cycles_per_packet"])

    def profile(self, c, perf_data, cpp):
        os.makedirs(os.path.join(self.a.out, "profile"), exist_ok=True)
        md = os.path.join(self.a.out, "profile", c.id + ".md")
        r = sh([PY, os.path.join(TOP, "tools/bench_profile.py"), perf_data,
                "--cycles-per-packet", "%.1f" % cpp, "--md", md, "--title",
                "%s: vtepsw's cycles per packet by stage" % c.id])
        os.unlink(perf_data)
        if r.returncode != 0:
            log("profile of %s failed: %s" % (c.id, r.stderr.strip()[:300]))
        else:
            log("profile of %s: %s" % (c.id, md))

    def run_testpmd(self, c, pcap, meta, rep):
        n, room, mem = self.pool(c, meta)
        pin, pout = self.devargs(pcap, c.workers)
        pre = self.prefix("t")
        cmd = ["dpdk-testpmd"] + lcore_args(c.workers) + ["--no-huge", "-m", str(mem), "--no-pci",
               "--file-prefix", pre, "--log-level", "lib.eal:warning", "--vdev", pin,
               "--vdev", pout, "--", "-i", "--forward-mode=io",
               "--nb-cores=%d" % c.workers, "--rxq=%d" % c.workers, "--txq=%d" % c.workers,
               "--total-num-mbufs=%d" % n, "--mbuf-size=%d" % room]
        if meta["max_packet"] > 1518:
            cmd.append("--max-pkt-len=%d" % min(65535 - 256, meta["max_packet"] + 64))
        path = self.logfile(c, "testpmd", rep)
        lf = open(path, "w")
        lf.write(" ".join(cmd) + "\n")
        lf.flush()
        p = subprocess.Popen(["stdbuf", "-oL"] + cmd, stdin=subprocess.PIPE, stdout=lf,
                             stderr=subprocess.STDOUT, text=True)

        def text():
            with open(path) as f:
                return f.read()

        def command(line, done_marker=None, count=1):
            before = text()
            p.stdin.write(line + "\n")
            p.stdin.flush()
            if done_marker:
                ok = wait_for(lambda: text()[len(before):].count(done_marker) >= count, 30)
                if not ok:
                    raise RuntimeError("testpmd did not answer '%s'" % line)
                return text()[len(before):]
            return ""

        def stats():
            out = command("show port stats all", "Tx-bps", 2)
            now = time.monotonic()
            cpu = threads_cpu_s(p.pid, "rte-worker")
            blocks = out.split("NIC statistics for port")[1:]
            vals = []
            for b in blocks[:2]:
                f = b.split()
                vals.append({k: int(f[f.index(k) + 1]) for k in ("RX-packets:", "RX-bytes:",
                                                                  "TX-packets:")})
            return now, cpu, vals

        try:
            if not wait_for(lambda: "testpmd>" in text() or p.poll() is not None, 300):
                raise RuntimeError("testpmd did not start")
            if p.poll() is not None:
                raise RuntimeError("testpmd exited %d (see %s)" % (p.returncode, path))
            command("start", "io packet forwarding")
            time.sleep(self.a.warmup)
            t0, c0, s0 = stats()
            time.sleep(self.a.duration)
            t1, c1, s1 = stats()
            command("stop", "Done.")
            p.stdin.write("quit\n")
            p.stdin.flush()
            p.wait(timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            lf.close()
            shutil.rmtree("/var/run/dpdk/" + pre, ignore_errors=True)
        if c0 is None or c1 is None:
            raise RuntimeError("no rte-worker thread in testpmd")
        return dict(window_s=t1 - t0, out_pkts=s1[1]["TX-packets:"] - s0[1]["TX-packets:"],
                    in_pkts=s1[0]["RX-packets:"] - s0[0]["RX-packets:"],
                    in_bytes=s1[0]["RX-bytes:"] - s0[0]["RX-bytes:"], cpu_s=c1 - c0, drops=0,
                    command=" ".join(cmd))

    def run_ovs(self, c, pcap, meta, rep):
        if meta["packets"] + 16384 > OVS_MAX_MBUFS:
            raise Skip("the input holds %d packets; net_pcap's infinite_rx keeps them all in the "
                       "port's mempool and OVS 3.1 makes at most %d buffers per mempool"
                       % (meta["packets"], OVS_MAX_MBUFS))
        if c.size > 1500:
            raise Skip("frames above the 1500-byte MTU of the pcap port")
        o = Ovs(self, c, pcap, meta, rep)
        try:
            return o.run()
        finally:
            o.stop()

    # ---------------------------------------------------------------- driver

    def one(self, c, leg, rep):
        pcap, meta = self.pcap(c)
        if leg == "vtepsw" and self.a.profile and rep == 0:
            # an extra run under perf, not counted: the profiler slows what it watches
            try:
                self.run_vtepsw(c, pcap, meta, rep, profile=True)
            except (RuntimeError, subprocess.SubprocessError, OSError, ValueError, KeyError) as e:
                log("profile of %s failed: %s" % (c.id, e))
        rec = dict(case=c.id, leg=leg, rep=rep, ok=False, start=time.time())
        try:
            rec.update(getattr(self, "run_" + leg)(c, pcap, meta, rep))
            rec["ok"] = rec["out_pkts"] > 0 and rec["cpu_s"] > 0
            if not rec["ok"]:
                rec["error"] = "nothing forwarded"
        except Skip as e:
            rec["skip"] = str(e)
        except (RuntimeError, subprocess.SubprocessError, OSError, ValueError, KeyError) as e:
            rec["error"] = str(e)
        rec["loadavg"] = os.getloadavg()[0]
        if rec["ok"]:
            w = rec["window_s"]
            log("%-34s %-7s rep %d: %7.3f Mpps, %7.3f Mpps/core, cpu %3.0f%%" %
                (c.id, leg, rep, rec["out_pkts"] / w / 1e6, rec["out_pkts"] / rec["cpu_s"] / 1e6,
                 100 * rec["cpu_s"] / w))
        else:
            log("%-34s %-7s rep %d: %s" % (c.id, leg, rep, rec.get("skip") or
                                           "FAILED: " + rec.get("error", "?")))
        self.runs.append(rec)
        self.save()

    def machine(self):
        model = ""
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        mem = 0
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = int(line.split()[1]) * 1024
        ver = {}
        for name, cmd in (("dpdk", ["dpkg-query", "-W", "-f", "${Version}", "libdpdk-dev"]),
                          ("ovs", ["dpkg-query", "-W", "-f", "${Version}",
                                   "openvswitch-switch-dpdk"]),
                          ("vtepsw", ["git", "-C", TOP, "describe", "--always", "--dirty"])):
            r = sh(cmd)
            ver[name] = r.stdout.strip() if r.returncode == 0 else "not installed"
        return dict(cpu=model, cpus_online=os.cpu_count(), mem_bytes=mem,
                    kernel=platform.release(), hostname=platform.node(), versions=ver,
                    tsc_hz=self.tsc_hz)

    def save(self):
        doc = dict(command=self.a.command, quick=self.a.quick, repeat=self.a.repeat,
                   duration_s=self.a.duration, warmup_s=self.a.warmup,
                   started=self.started, machine=self.machine_info, cases=self.cases,
                   runs=self.runs, memory=getattr(self, "memory", None))
        doc["machine"]["tsc_hz"] = self.tsc_hz
        tmp = os.path.join(self.a.out, "results.json.tmp")
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=1)
        os.replace(tmp, os.path.join(self.a.out, "results.json"))

    def memory_run(self):
        """vtepsw's hugepage heap with 1,000,000 flows and 100,000 learned MACs."""
        flows, macs = (1000000, 100000) if not self.a.quick else (100000, 10000)
        c = Case("encap", "vxlan", 64, flows, macs, legs=("vtepsw",), tags=["memory"])
        pcap, meta = self.pcap(c)
        rec = self.run_vtepsw(c, pcap, meta, 0)
        self.memory = dict(case=c.desc(), heap_in_use_bytes=rec["heap_bytes"],
                           datapath_bytes=rec["datapath_bytes"], fdb_learned=rec["fdb_learned"],
                           input_packets=meta["packets"], pool=self.pool(c, meta)[:2],
                           command=rec["command"])
        log("memory: %d learned MACs, datapath heap %.1f MiB, all heap %.1f MiB" %
            (rec["fdb_learned"] or 0, (rec["datapath_bytes"] or 0) / 2**20,
             rec["heap_bytes"] / 2**20))

    def main(self):
        a = self.a
        cs = [c for c in all_cases(a.quick) if not a.cases or any(p in c.id for p in a.cases)]
        legs = [leg for leg in ("testpmd", "ovs", "vtepsw") if leg in a.legs]
        self.cases = [c.desc() for c in cs]
        self.started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        self.machine_info = self.machine()
        if "ovs" in legs and not os.access(OVS_DPDK, os.X_OK):
            log("no %s: the OVS leg is skipped (apt-get install openvswitch-switch-dpdk)" %
                OVS_DPDK)
            legs.remove("ovs")
        log("%d cases x %d repeats; legs: %s; inputs in %s" % (len(cs), a.repeat,
                                                               ", ".join(legs), self.work))
        for c in cs:
            self.pcap(c)
        for rep in range(a.repeat):
            for i, c in enumerate(cs):
                order = [leg for leg in legs if leg in c.legs]
                k = (rep + i) % len(order)
                for leg in order[k:] + order[:k]:
                    self.one(c, leg, rep)
        if not a.no_memory and "vtepsw" in legs:
            try:
                self.memory_run()
            except (RuntimeError, subprocess.SubprocessError, OSError, KeyError) as e:
                log("memory run failed: %s" % e)
        # the versions as they were when the runs started (the results written since make
        # the tree "dirty")
        versions = self.machine_info["versions"]
        self.machine_info = self.machine()
        self.machine_info["versions"] = versions
        self.save()


class Skip(Exception):
    """A leg that cannot run this case, with the reason."""


class Ovs:
    """A private Open vSwitch with DPDK in its own network namespace."""

    def __init__(self, cmp, c, pcap, meta, rep):
        self.cmp, self.c, self.pcap, self.meta, self.rep = cmp, c, pcap, meta, rep
        self.dir = os.path.join(cmp.work, "ovs-%d" % os.getpid())
        self.ns = "bcovs%d" % os.getpid()
        self.prefix = cmp.prefix("o")
        self.pids = []
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.env = dict(os.environ, OVS_RUNDIR=self.dir, OVS_DBDIR=self.dir,
                        OVS_LOGDIR=self.dir, OVS_SYSCONFDIR=self.dir)
        self.log = open(cmp.logfile(c, "ovs", rep), "w")

    def x(self, *cmd, check=True):
        r = subprocess.run(list(cmd), capture_output=True, text=True, env=self.env, timeout=120)
        self.log.write("$ %s\n%s%s" % (" ".join(cmd), r.stdout, r.stderr))
        if check and r.returncode != 0:
            raise RuntimeError("%s failed: %s" % (" ".join(cmd[:3]), r.stderr.strip()[:300]))
        return r.stdout

    def vsctl(self, *args):
        return self.x("ovs-vsctl", "--db=unix:%s/db.sock" % self.dir, "--timeout=120", *args)

    def appctl(self, *args):
        return self.x("ovs-appctl", "-t", self.ctl, *args)

    def ofctl(self, br, flow):
        return self.x("ovs-ofctl", "-O", "OpenFlow13", "add-flow",
                      "unix:%s/%s.mgmt" % (self.dir, br), flow)

    def port_stats(self):
        """Live counters of every datapath port: {name: {"RX packets": n, "TX dropped": n,
        ...}} (the database's statistics column lags by up to 5 seconds)."""
        ports, cur = {}, None
        for line in self.appctl("dpctl/show", "-s").splitlines():
            f = line.split()
            if len(f) > 2 and f[0] == "port" and f[1].endswith(":"):
                cur = ports.setdefault(f[2], {})
            elif cur is not None and f and f[0] in ("RX", "TX"):
                for tok in f[1:]:
                    if ":" in tok:
                        k, v = tok.split(":", 1)
                        cur["%s %s" % (f[0], k)] = int(v) if v.isdigit() else 0
                if len(f) > 3 and f[0] == "RX" and f[1].startswith("bytes:"):
                    tx = [t for t in f if t.startswith("bytes:")]
                    cur["TX bytes"] = int(tx[-1].split(":")[1]) if len(tx) > 1 else 0
        return ports

    def run(self):
        c, d = self.c, self.dir
        # Per-port mempools hold about 22,000 buffers: enough for a small input and quick
        # to create. Larger inputs need the shared 262,144-buffer mempool (and memory).
        per_port = self.meta["packets"] <= 16000
        mem = 512 if per_port else 1536
        self.x("ip", "netns", "add", self.ns)
        self.x("ip", "-n", self.ns, "link", "set", "lo", "up")
        self.x("ovsdb-tool", "create", d + "/conf.db", OVS_SCHEMA)
        self.x("ovsdb-server", d + "/conf.db", "--remote=punix:%s/db.sock" % d,
               "--pidfile=%s/ovsdb-server.pid" % d, "--log-file=%s/ovsdb-server.log" % d,
               "-vconsole:off", "--detach", "--no-chdir")
        self.pids.append(int(open(d + "/ovsdb-server.pid").read()))
        self.vsctl("--no-wait", "init")
        extra = "--no-huge --legacy-mem -m %d --no-pci --file-prefix %s" % (mem, self.prefix)
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".", "other_config:dpdk-init=true",
                   "other_config:dpdk-extra=" + extra, "other_config:dpdk-lcore-mask=0x1",
                   "other_config:pmd-cpu-mask=0x2",
                   "other_config:per-port-memory=%s" % str(per_port).lower())
        self.x("ip", "netns", "exec", self.ns, "env", "OVS_RUNDIR=" + d, "OVS_DBDIR=" + d,
               "OVS_LOGDIR=" + d, "OVS_SYSCONFDIR=" + d, OVS_DPDK, "unix:%s/db.sock" % d,
               "--pidfile=%s/ovs-vswitchd.pid" % d, "--log-file=%s/ovs-vswitchd.log" % d,
               "-vconsole:off", "--detach", "--no-chdir")
        self.pid = int(open(d + "/ovs-vswitchd.pid").read())
        self.pids.append(self.pid)
        self.ctl = "%s/ovs-vswitchd-dpdk.%d.ctl" % (d, self.pid)
        pin, pout = self.cmp.devargs(self.pcap)
        vm_dev, up_dev = (pin, pout) if c.workload == "encap" else (pout, pin)
        self.in_if = "vm" if c.workload == "encap" else "up"
        self.out_if = "up" if c.workload == "encap" else "vm"
        ttype = "vxlan" if c.tunnel == "vxlan" else "gre"
        self.vsctl("add-br", "br-phy", "--", "set", "bridge", "br-phy", "datapath_type=netdev",
                   "fail_mode=secure", "other_config:hwaddr=" + UPLINK_MAC)
        self.vsctl("add-br", "br-int", "--", "set", "bridge", "br-int", "datapath_type=netdev",
                   "fail_mode=secure")
        self.vsctl("add-port", "br-phy", "up", "--", "set", "interface", "up", "type=dpdk",
                   "options:dpdk-devargs=" + up_dev)
        if c.workload == "encap":  # room for the outer headers of 1500-byte frames
            self.vsctl("set", "interface", "up", "mtu_request=9000")
        self.vsctl("add-port", "br-int", "vm", "--", "set", "interface", "vm", "type=dpdk",
                   "options:dpdk-devargs=" + vm_dev)
        self.vsctl("add-port", "br-int", "t", "--", "set", "interface", "t", "type=" + ttype,
                   "options:remote_ip=" + REMOTE_IP, "options:local_ip=" + LOCAL_IP,
                   "options:key=flow")
        self.x("ip", "-n", self.ns, "addr", "add", LOCAL_IP + "/24", "dev", "br-phy")
        self.x("ip", "-n", self.ns, "link", "set", "br-phy", "up")
        self.appctl("tnl/neigh/set", "br-phy", REMOTE_IP, REMOTE_MAC)
        # VLAN 100 <-> VNI 5000 (NVGRE: VSID 5000 << 8, any FlowID on receive).
        key, match = (str(VNI), str(VNI)) if ttype == "vxlan" else \
            (hex(VNI << 8), "%s/0xffffff00" % hex(VNI << 8))
        self.ofctl("br-phy", "priority=100,in_port=LOCAL,actions=output:up")
        self.ofctl("br-phy", "priority=100,in_port=up,actions=LOCAL")
        self.ofctl("br-int", "priority=100,in_port=vm,dl_vlan=%d,dl_dst=%s,actions=pop_vlan,"
                   "set_field:%s->tun_id,output:t" % (VLAN, REMOTE_VM0, key))
        self.ofctl("br-int", "priority=100,in_port=t,tun_id=%s,dl_dst=%s,actions=push_vlan:"
                   "0x8100,set_field:%d->vlan_vid,output:vm" % (match, LOCAL_VM0, 4096 | VLAN))
        if not wait_for(lambda: self.port_stats().get(self.out_if, {}).get("TX packets", 0) > 0,
                        300, 0.5):
            raise RuntimeError("OVS forwarded nothing (see %s)" % self.log.name)
        time.sleep(self.cmp.a.warmup)
        t0, s0 = self.snap()
        self.appctl("dpif-netdev/pmd-stats-clear")
        time.sleep(self.cmp.a.duration)
        t1, s1 = self.snap()
        pmd = self.appctl("dpif-netdev/pmd-stats-show")
        if s0["cpu"] is None or s1["cpu"] is None:
            raise RuntimeError("no pmd thread in ovs-vswitchd")
        cpp = None
        for line in pmd.splitlines():
            if "avg processing cycles per packet" in line:
                cpp = float(line.split(":")[1].split()[0])
                break
        return dict(window_s=t1 - t0, out_pkts=s1["out"] - s0["out"], in_pkts=s1["in"] - s0["in"],
                    in_bytes=s1["in_bytes"] - s0["in_bytes"], cpu_s=s1["cpu"] - s0["cpu"],
                    drops=s1["drops"] - s0["drops"], ovs_cycles_per_packet=cpp,
                    ovs_recirculations="packet recirculations: 0" not in pmd,
                    command="ovs-vswitchd-dpdk, dpdk-extra=" + extra)

    def snap(self):
        now = time.monotonic()
        cpu = thread_cpu_s(self.pid, "pmd")
        p = self.port_stats()
        return now, {"cpu": cpu, "out": p[self.out_if]["TX packets"],
                     "drops": p[self.out_if]["TX dropped"], "in": p[self.in_if]["RX packets"],
                     "in_bytes": p[self.in_if]["RX bytes"]}

    def stop(self):
        for p in reversed(self.pids):
            try:
                os.kill(p, signal.SIGTERM)
            except OSError:
                pass
        for p in self.pids:
            wait_for(lambda: not os.path.exists("/proc/%d" % p), 10)
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        subprocess.run(["ip", "netns", "del", self.ns], capture_output=True)
        shutil.rmtree("/var/run/dpdk/" + self.prefix, ignore_errors=True)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--duration", type=float, default=2.0)
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--legs", default="testpmd,ovs,vtepsw")
    ap.add_argument("--cases", default="", help="comma-separated substrings of case ids")
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--bench", help="the vtepsw-bench binary (default: build/'s)")
    ap.add_argument("--profile", action="store_true",
                    help="profile vtepsw's first run of each case by fast-path stage")
    ap.add_argument("--command", default=" ".join(sys.argv))
    a = ap.parse_args()
    a.legs = a.legs.split(",")
    a.cases = [x for x in a.cases.split(",") if x]
    if a.profile and shutil.which("perf") is None:
        sys.exit("bench-compare: --profile needs perf (Debian package linux-perf)")
    Compare(a).main()


if __name__ == "__main__":
    main()
