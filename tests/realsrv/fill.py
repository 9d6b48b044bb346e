#!/usr/bin/python3
"""Fills a server with idle loopback connections from outside its cgroup.

usage: fill.py HOST PORT N [SEND]
Opens up to N connections, spread over client processes that each stay well
within RLIMIT_NOFILE, in batches; each connection optionally sends SEND and
then stays idle. Prints "ready" when all are opened (or refused), then holds
them until stdin closes; every client process ends with this one.
"""
import os
import signal
import socket
import sys
import time

PER_PROCESS = 15000


def client(host, port, n, send, ready_w):
    held = []
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect((host, port))
        except BlockingIOError:
            pass
        except OSError:
            s.close()
            break
        held.append(s)
        if i % 100 == 99:
            time.sleep(0.01)
    if send:
        time.sleep(0.2)
        for s in held:
            try:
                s.send(send)
            except OSError:
                pass
    os.write(ready_w, b"r")
    signal.pause()


def main():
    host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    send = sys.argv[4].encode() if len(sys.argv) > 4 else b""
    kids = []
    r, w = os.pipe()
    left = n
    while left > 0:
        k = min(left, PER_PROCESS)
        pid = os.fork()
        if pid == 0:
            os.close(r)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            try:
                import ctypes
                ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
            except OSError:
                pass
            client(host, port, k, send, w)
            os._exit(0)
        kids.append(pid)
        left -= k
    os.close(w)
    for _ in kids:
        os.read(r, 1)
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        for pid in kids:
            os.kill(pid, signal.SIGKILL)
        for pid in kids:
            os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
