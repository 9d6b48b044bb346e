#!/usr/bin/python3
"""A tiny epoll server for calibrate --pid tests: listens on HOST:PORT (port
0: the kernel picks; printed on stdout), accepts every connection, registers
it in epoll and keeps BYTES bytes of its own memory per connection (touched,
so it is resident). usage: holdsrv.py HOST PORT BYTES"""
import select
import socket
import sys

host, port, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
family = socket.AF_INET6 if ":" in host else socket.AF_INET
ls = socket.socket(family, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((host, port))
ls.listen(4096)
ls.setblocking(False)
print(ls.getsockname()[1], flush=True)
ep = select.epoll()
ep.register(ls.fileno(), select.EPOLLIN)
held = {}
while True:
    for fd, _ in ep.poll():
        if fd == ls.fileno():
            while True:
                try:
                    c, _ = ls.accept()
                except BlockingIOError:
                    break
                c.setblocking(False)
                ep.register(c.fileno(), select.EPOLLIN)
                held[c.fileno()] = (c, bytearray(b"x" * size))
        else:
            c = held[fd][0]
            try:
                if not c.recv(65536):
                    ep.unregister(fd)
                    c.close()
                    del held[fd]
            except BlockingIOError:
                pass
            except OSError:
                ep.unregister(fd)
                c.close()
                del held[fd]
