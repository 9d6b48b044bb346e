#!/usr/bin/python3
"""Real servers from Debian's packages, measured (DESIGN section 11).

Each of nginx, haproxy, redis-server and memcached is started by this test
on 127.0.0.1 with Debian's default configuration copied to a scratch
directory (listen port changed, in the foreground, never as a system
service), in a memory cgroup this test creates. Then:

- the app row of `sockcap --pid PID` is checked against the count the
  server really stops accepting at: idle clients from outside its cgroup
  (fill.py, spread over client processes within RLIMIT_NOFILE) until it
  holds no more;
- `sockcap calibrate --pid PID` is checked against an independent slope:
  the server's anonymous memory (smaps_rollup, read here) over several
  connection counts, fitted by least squares.

Everything started is stopped by PID and every cgroup removed, also when a
check fails or the test is interrupted. Loopback only; bounded in count and
time.

usage: run.py [--sockcap PATH] [SERVER...]
"""
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
FILL = os.path.join(HERE, "fill.py")
NAME = "sockcap-servers-realsrv"

passed = 0
failed = 0


def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL %s%s" % (what, (": " + detail) if detail else ""), flush=True)


# ---------------------------------------------------------------- cgroups

def cgroup_base():
    """The memory controller's hierarchy: cgroup v1, else v2."""
    v1 = "/sys/fs/cgroup/memory"
    if os.path.isfile(os.path.join(v1, "cgroup.procs")):
        return v1, 1
    for v2 in ("/sys/fs/cgroup/unified", "/sys/fs/cgroup"):
        ctl = os.path.join(v2, "cgroup.controllers")
        if os.path.isfile(ctl) and "memory" in open(ctl).read().split():
            return v2, 2
    return None, 0


class Cgroup:
    def __init__(self, server, limit_bytes):
        base, self.version = cgroup_base()
        self.path = os.path.join(base, "%s-%s-%d" % (NAME, server, os.getpid()))
        os.mkdir(self.path)
        limit = "memory.limit_in_bytes" if self.version == 1 else "memory.max"
        with open(os.path.join(self.path, limit), "w") as f:
            f.write(str(limit_bytes))

    def enter(self):
        """Called in the child before exec: it joins the cgroup."""
        with open(os.path.join(self.path, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))

    def remove(self):
        for _ in range(100):
            try:
                os.rmdir(self.path)
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.1)
        print("warning: cannot remove %s" % self.path, file=sys.stderr)


# ---------------------------------------------------------------- processes

def children_of(pid):
    """The process tree under pid (pid included), from /proc/*/stat."""
    parent = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = open("/proc/%s/stat" % d).read()
        except OSError:
            continue
        parent[int(d)] = int(stat[stat.rindex(")") + 2:].split()[1])
    tree, i = [pid], 0
    while i < len(tree):
        tree += [p for p, pp in parent.items() if pp == tree[i]]
        i += 1
    return tree


def sockets_held(pid):
    n = 0
    for p in children_of(pid):
        try:
            for fd in os.listdir("/proc/%d/fd" % p):
                try:
                    if os.readlink("/proc/%d/fd/%s" % (p, fd)).startswith("socket:"):
                        n += 1
                except OSError:
                    pass
        except OSError:
            pass
    return n


def anon_bytes(pid):
    """The server's anonymous memory: smaps_rollup's Anonymous, summed."""
    total = 0
    for p in children_of(pid):
        try:
            for line in open("/proc/%d/smaps_rollup" % p):
                if line.startswith("Anonymous:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def free_port():
    for _ in range(50):
        port = random.randint(20000, 60000)
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free port")


def listening(port, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        s = socket.socket()
        s.settimeout(0.5)
        try:
            s.connect(("127.0.0.1", port))
            return True
        except OSError:
            time.sleep(0.1)
        finally:
            s.close()
    return False


class Server:
    """A server process started in the foreground in cg; stopped by PID."""

    def __init__(self, argv, cg, scratch):
        self.log = open(os.path.join(scratch, "server.log"), "w")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, preexec_fn=cg.enter,
                                     start_new_session=True)
        self.pid = self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        # Workers that outlived their master (none should): by PID too.
        self.log.close()


class Fill:
    """fill.py holding n idle connections until stop()."""

    def __init__(self, port, n, send=None):
        argv = [sys.executable, FILL, "127.0.0.1", str(port), str(n)] + ([send] if send else [])
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     start_new_session=True)
        line = self.proc.stdout.readline()
        if b"ready" not in line:
            self.stop()
            raise RuntimeError("fill.py did not start")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def settle(pid, base, timeout=30, still=3):
    """Waits until the server's count of held sockets stops moving: the same
    count `still` times in a row, half a second apart (on a busy host one
    pause of the clients is not the server's stop)."""
    last, same, end = -1, 0, time.time() + timeout
    while time.time() < end:
        time.sleep(0.5)
        n = sockets_held(pid) - base
        same = same + 1 if n == last else 0
        if same >= still - 1:
            return n
        last = n
    return last


# ---------------------------------------------------------------- servers

def setup_nginx(d, port):
    conf = os.path.join(d, "nginx")
    shutil.copytree("/etc/nginx", conf, symlinks=True)
    path = os.path.join(conf, "nginx.conf")
    text = open(path).read().replace("/etc/nginx", conf).replace("/var/log/nginx", d)
    text = re.sub(r"(?m)^pid .*$", "pid %s/nginx.pid;" % d, text)
    open(path, "w").write(text)
    site = os.path.join(conf, "sites-enabled", "default")
    target = os.path.realpath(site)
    text = open(target).read()
    os.unlink(site)
    text = text.replace("listen 80 default_server", "listen 127.0.0.1:%d default_server" % port)
    text = text.replace("listen [::]:80 default_server", "listen [::1]:%d default_server" % port)
    open(site, "w").write(text)
    return ["nginx", "-c", path, "-g", "daemon off;"]


def setup_haproxy(d, port):
    text = open("/etc/haproxy/haproxy.cfg").read()
    text = re.sub(r"(?m)^\s*daemon\s*$", "", text)
    text = text.replace("/run/haproxy/admin.sock", os.path.join(d, "admin.sock"))
    # Debian's file has no frontend: one on the test's port, nothing else.
    text += "\nfrontend sockcap-realsrv\n\tbind 127.0.0.1:%d\n" % port
    path = os.path.join(d, "haproxy.cfg")
    open(path, "w").write(text)
    return ["haproxy", "-db", "-f", path]


def setup_redis(d, port):
    text = open("/etc/redis/redis.conf").read()
    for key, value in (("port", str(port)), ("daemonize", "no"),
                       ("pidfile", os.path.join(d, "redis.pid")), ("logfile", '""'),
                       ("dir", d)):
        text = re.sub(r"(?m)^%s .*$" % key, "%s %s" % (key, value), text)
    path = os.path.join(d, "redis.conf")
    open(path, "w").write(text)
    return ["redis-server", path]


def setup_memcached(d, port):
    # /etc/memcached.conf holds the daemon's options, one a line, as the
    # Debian wrapper reads them; -d (daemon) and -P (pid file) are left out.
    args = []
    for line in open("/etc/memcached.conf"):
        line = line.strip()
        if not line.startswith("-") or line.startswith(("-d", "-P")):
            continue
        if line.startswith("-p "):
            line = "-p %d" % port
        args += line.split(None, 1)
    return ["memcached"] + args


SETUP = {"nginx": setup_nginx, "haproxy": setup_haproxy, "redis": setup_redis,
         "memcached": setup_memcached}
BINARY = {"nginx": "nginx", "haproxy": "haproxy", "redis": "redis-server",
          "memcached": "memcached"}


def slope(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def sockcap_json(sockcap, *args):
    out = subprocess.run([sockcap] + list(args), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=120)
    return out.returncode, out.stdout, out.stderr


def calibrate_checks(name, port, cal, s, xs):
    a = cal["app_bytes_per_connection"]
    check("%s: calibrate names the listener" % name,
          cal["server"]["listener"].endswith(":%d" % port), cal["server"]["listener"])
    check("%s: its kernel figure is plausible (%d)" % (name, cal["kernel_bytes_per_socket"]),
          2000 <= cal["kernel_bytes_per_socket"] <= 20000)
    tol = max(0.25 * s, 512)
    check("%s: app bytes %d vs slope %.0f (within %.0f)" % (name, a, s, tol),
          abs(a - s) <= tol)
    print("realsrv: %s calibrate app bytes %d, slope %.0f over %s connections, kernel %d"
          % (name, a, s, xs, cal["kernel_bytes_per_socket"]), flush=True)


def test_server(name, sockcap):
    scratch = tempfile.mkdtemp(prefix="%s-%s-" % (NAME, name))
    os.chmod(scratch, 0o755)
    cg = server = None
    fills = []
    try:
        port = free_port()
        argv = SETUP[name](scratch, port)
        cg = Cgroup(name, 4 << 30)
        server = Server(argv, cg, scratch)
        up = listening(port)
        check("%s: listens on 127.0.0.1:%d" % (name, port), up,
              open(os.path.join(scratch, "server.log")).read()[-400:])
        if not up:
            return
        time.sleep(0.5)
        rc, out, err = sockcap_json(sockcap, "--pid", str(server.pid), "-f", "json")
        check("%s: sockcap --pid exits 0" % name, rc == 0, err.decode()[-300:])
        rows = {r["id"]: r for r in json.loads(out)["limits"]} if rc == 0 else {}
        app = rows.get("app", {})
        cap = app.get("connections")
        check("%s: the app row has a number" % name, isinstance(cap, int), str(app))
        check("%s: its note names the server" % name, name in app.get("note", ""),
              app.get("note", ""))
        if not isinstance(cap, int):
            return

        idle = sockets_held(server.pid)

        # On the fresh server: an independent slope of the server's anonymous memory, on
        # connections still held while calibrate measures on top of them
        # (so neither reuses memory the other freed).
        n = max(min(cap * 2 // 5, 2000), 40)
        xs, ys = [], []
        base = sockets_held(server.pid)
        for k in range(4):
            count = n * k // 3
            if count:
                fills.append(Fill(port, n // 3))
                settle(server.pid, base)
            time.sleep(0.3)
            xs.append(sockets_held(server.pid) - base)
            ys.append(anon_bytes(server.pid))
        s = slope(xs, ys)
        conns = max(min(cap * 9 // 20, 2000), 20)
        rc, out, err = sockcap_json(sockcap, "calibrate", "--pid", str(server.pid),
                                    "--connections", str(conns), "-f", "json")
        check("%s: calibrate --pid exits 0" % name, rc == 0, err.decode()[-300:])
        if rc == 0:
            calibrate_checks(name, port, json.loads(out), s, xs)
        for f in fills:
            f.stop()
        fills.clear()
        # Until the server has closed every one of them: a connection it
        # still closes holds one of its slots (nginx counts it against
        # worker_connections), so a fill started earlier stops short.
        end = time.time() + 30
        while sockets_held(server.pid) > idle and time.time() < end:
            time.sleep(0.2)
        time.sleep(0.5)

        # Where the server really stops: more idle clients than the cap.
        base = sockets_held(server.pid)
        fill = Fill(port, int(cap * 1.25) + 100)
        fills.append(fill)
        held = settle(server.pid, base)
        fill.stop()
        fills.remove(fill)
        tol = max(cap * 3 // 100, 10)
        if name == "nginx":
            # nginx closes idle connections in advance while fewer than 1/16
            # of worker_connections are free, up to 32 at a time per worker
            # (ngx_drain_connections, since 1.19.2): what it holds settles
            # anywhere from the row (the 1/16 kept free) to 32 a worker
            # below it, by when the last client came.
            workers = max(len(children_of(server.pid)) - 1, 1)  # less the master
            tol = max(tol, 32 * workers)
        check("%s: app row %d vs held %d (within %d)" % (name, cap, held, tol),
              abs(held - cap) <= tol)
        print("realsrv: %s app row %d, held %d" % (name, cap, held), flush=True)
        time.sleep(1)

    finally:
        for f in fills:
            f.stop()
        if server:
            server.stop()
        if cg:
            cg.remove()
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    args = sys.argv[1:]
    sockcap = os.path.join(TOP, "sockcap")
    if args[:1] == ["--sockcap"]:
        sockcap, args = os.path.abspath(args[1]), args[2:]
    servers = args or ["nginx", "haproxy", "redis", "memcached"]
    if os.getuid() != 0 or cgroup_base()[0] is None:
        print("realsrv: needs root and a memory cgroup controller: skipped")
        return 0
    # A signal ends the test through the finally clauses above.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    for name in servers:
        if not shutil.which(BINARY[name]):
            print("realsrv: %s is not installed: skipped" % BINARY[name])
            continue
        try:
            test_server(name, sockcap)
        except (OSError, RuntimeError, ValueError) as e:
            check("%s: runs" % name, False, repr(e))
    print("realsrv: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
