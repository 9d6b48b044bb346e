#!/usr/bin/python3
"""Real servers filled to their memory cgroup's stop, against the memory row.

For each of nginx, haproxy, redis-server and memcached (Debian's default
configuration, copied as tests/realsrv does, with the server's own cap
raised above what memory allows): the server runs in a memory cgroup
(cgroup v1, the OOM killer off so the server stops instead of dying) whose
limit leaves ROOM bytes above what the server uses at start. Then:

1. `sockcap calibrate --pid PID --save cal.json` measures the server;
2. `sockcap --pid PID --calibration cal.json` gives the memory row: the
   connections the cgroup's room allows at what the server's cgroup is
   charged per connection (kernel objects and the server's own memory);
3. idle clients from outside the cgroup fill the server until the number
   of connections it holds stops growing: the measured stop.

The cgroup's limit is its usage less its page cache (which the kernel
reclaims before a charge fails, and which the memory row counts as room)
plus ROOM, at most what 60% of the server's own cap would take, so that
memory, not the server, stops the fill.

The row must be within MAX_DIFF percent of the stop (exit 1 otherwise).
The row without the calibration is printed too (the profile's app_bytes,
0 for idle), to show what the calibration changes.

usage: servers.py [--sockcap PATH] [--room BYTES] [--max-diff PCT] [SERVER...]
Root only; everything started is stopped by PID and every cgroup removed on
every exit path. Loopback only, at most 19,000 connections per server.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "realsrv"))
import run as realsrv  # noqa: E402  (the servers' setup, the cgroup, fill.py)

NAME = "sockcap-servers-bench"
MAX_CONNS = 19000
RAISED_CAP = {"nginx": 19000, "haproxy": 9900, "redis": 19000, "memcached": 19000}


def raise_caps(name, argv, scratch):
    """The server's own cap above what the cgroup's memory allows."""
    if name == "nginx":
        path = argv[2]
        text = open(path).read()
        text = re.sub(r"worker_connections \d+;", "worker_connections 20000;", text)
        text = "worker_rlimit_nofile 20000;\n" + text
        open(path, "w").write(text)
    elif name == "haproxy":
        path = argv[-1]
        text = open(path).read().replace("global\n", "global\n\tmaxconn 9900\n", 1)
        open(path, "w").write(text)
    elif name == "redis":
        path = argv[-1]
        open(path, "a").write("\nmaxclients 19000\n")
    elif name == "memcached":
        argv += ["-c", "19500"]
    return argv


def usage_bytes(cg):
    f = "memory.usage_in_bytes" if cg.version == 1 else "memory.current"
    return int(open(os.path.join(cg.path, f)).read())


def page_cache_bytes(cg):
    """The page cache charged to the cgroup: room the kernel reclaims."""
    keys = ("total_inactive_file", "total_active_file") if cg.version == 1 else (
        "inactive_file", "active_file")
    stat = dict(line.split() for line in open(os.path.join(cg.path, "memory.stat")))
    return sum(int(stat[k]) for k in keys)


def set_limit(cg, value):
    f = "memory.limit_in_bytes" if cg.version == 1 else "memory.max"
    with open(os.path.join(cg.path, f), "w") as fh:
        fh.write(str(value))


def sockcap(path, *args):
    out = subprocess.run([path] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=180)
    if out.returncode != 0:
        raise RuntimeError("sockcap %s: %s" % (" ".join(args), out.stderr.decode()[-300:]))
    return out.stdout


def memory_row(path, pid, cal=None):
    args = ["--pid", str(pid), "-f", "json"] + (["--calibration", cal] if cal else [])
    doc = json.loads(sockcap(path, *args))
    rows = {r["id"]: r for r in doc["limits"]}
    return rows["memory"]["connections"], doc["per_connection"]


def bench(name, sockcap_path, room):
    scratch = tempfile.mkdtemp(prefix="%s-%s-" % (NAME, name))
    os.chmod(scratch, 0o755)
    cg = server = None
    fills = []
    try:
        port = realsrv.free_port()
        argv = raise_caps(name, realsrv.SETUP[name](scratch, port), scratch)
        cg = realsrv.Cgroup(name + "-bench", 1 << 30)
        if cg.version == 1:
            # The server stops (waits for memory) instead of being killed.
            with open(os.path.join(cg.path, "memory.oom_control"), "w") as f:
                f.write("1")
        server = realsrv.Server(argv, cg, scratch)
        if not realsrv.listening(port):
            raise RuntimeError("%s does not listen: %s" % (name, open(os.path.join(
                scratch, "server.log")).read()[-300:]))
        time.sleep(1)
        cal = os.path.join(scratch, "cal.json")
        # An untrusted measurement is not saved (other activity on the host
        # moved the slab): measured once more.
        for attempt in range(3):
            try:
                sockcap(sockcap_path, "calibrate", "--pid", str(server.pid), "--connections",
                        "1000", "--save", cal)
                break
            except RuntimeError:
                if attempt == 2:
                    raise
                time.sleep(2)
        time.sleep(1)
        # Room for at most 60% of the server's own (raised) cap: memory
        # must stop it first. The page cache in the cgroup is room too (the
        # kernel reclaims it before a charge fails), so the limit is set
        # above what is left without it.
        per = json.load(open(cal))["server"]["cgroup_bytes_per_connection"] or 4096
        room = min(room, int(0.6 * RAISED_CAP[name] * per))
        cache = page_cache_bytes(cg)
        set_limit(cg, usage_bytes(cg) - cache + room)
        with_cal, pc = memory_row(sockcap_path, server.pid, cal)
        without, _ = memory_row(sockcap_path, server.pid)
        # Fill well past the prediction, in stages, until the count stops.
        base = realsrv.sockets_held(server.pid)
        peak, total = 0, 0
        step = max(min(with_cal // 4, 4000), 200)
        while total < MAX_CONNS:
            n = min(step, MAX_CONNS - total)
            fills.append(realsrv.Fill(port, n))
            total += n
            held = realsrv.settle(server.pid, base, timeout=15)
            if held <= peak + n // 20:
                peak = max(peak, held)
                break
            peak = max(peak, held)
        diff = 100.0 * (with_cal - peak) / peak if peak else float("inf")
        cal_doc = json.load(open(cal))
        return {"server": name, "stop": peak, "row": with_cal, "diff": diff,
                "row_without": without, "app_bytes": cal_doc["app_bytes_per_connection"],
                "cgroup_bytes": pc["memcg_total_bytes"], "room": room, "cache": cache}
    finally:
        for f in fills:
            f.stop()
        if server:
            if cg:
                try:
                    set_limit(cg, 1 << 40)  # a stopped server resumes, to be ended
                except OSError:
                    pass
            server.stop()
        if cg:
            cg.remove()
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    args = sys.argv[1:]
    path, room, max_diff = os.path.join(TOP, "sockcap"), 32 << 20, 15.0
    while args and args[0].startswith("--"):
        if args[0] == "--sockcap":
            path = os.path.abspath(args[1])
        elif args[0] == "--room":
            room = int(args[1])
        elif args[0] == "--max-diff":
            max_diff = float(args[1])
        else:
            print(__doc__, file=sys.stderr)
            return 2
        args = args[2:]
    if os.getuid() != 0 or realsrv.cgroup_base()[1] != 1:
        print("servers: needs root and the cgroup v1 memory controller: skipped")
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    status = 0
    print("| server | stopped at | memory row with its calibration | difference | "
          "without (profile idle) | app bytes measured | cgroup bytes per connection | "
          "page cache in its cgroup |")
    print("|---|---|---|---|---|---|---|---|")
    for name in args or ["nginx", "haproxy", "redis", "memcached"]:
        if not shutil.which(realsrv.BINARY[name]):
            print("servers: %s is not installed: skipped" % name)
            continue
        try:
            r = bench(name, path, room)
        except (OSError, RuntimeError, ValueError) as e:
            print("servers: %s: %s" % (name, e))
            status = 1
            continue
        print("| %s | %d | %d | %+.1f%% | %d | %d | %d | %.1f MB |" % (
            r["server"], r["stop"], r["row"], r["diff"], r["row_without"], r["app_bytes"],
            r["cgroup_bytes"], r["cache"] / 1e6), flush=True)
        if abs(r["diff"]) > max_diff:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
