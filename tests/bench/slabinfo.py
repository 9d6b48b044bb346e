"""/proc/slabinfo for the bench scripts (slab-per-socket.sh, memcg-capacity.sh),
which put this directory on PYTHONPATH."""
import os

PAGE = os.sysconf("SC_PAGE_SIZE")


def parse_slabinfo(path):
    """Cache name -> active and total objects, object size, and the effective
    size of an object: the slab's pages divided by the objects it holds."""
    caches = {}
    with open(path) as f:
        for line in f:
            if line.startswith("slabinfo") or line.startswith("#"):
                continue
            p = line.split()
            if len(p) < 6:
                continue
            active, num, objsize, perslab, pages = map(int, p[1:6])
            eff = pages * PAGE / perslab if perslab else 0.0
            caches[p[0]] = dict(active=active, num=num, objsize=objsize, eff=eff)
    return caches
