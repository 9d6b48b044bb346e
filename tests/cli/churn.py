# Churn: opens N loopback sockets (N/2 pairs) in each of K processes, then
# kills them all at once, as a busy server's clients come and go.
# usage: churn.py N K
import socket, os, sys, signal, time
n = int(sys.argv[1]); k = int(sys.argv[2])
kids = []
for _ in range(k):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(4096)
        held = []
        for i in range(n // 2):
            c = socket.socket(); c.connect(ls.getsockname()); s, _ = ls.accept(); held += [c, s]
        os.write(w, b"x"); time.sleep(100); os._exit(0)
    os.read(r, 1)
    kids.append(pid)
for p in kids: os.kill(p, signal.SIGKILL)
for p in kids: os.waitpid(p, 0)
