#!/usr/bin/env python3
"""Turns a kernel's /proc/slabinfo into data/objsizes.tsv rows.

usage: tools/objsizes.py --series 6.1 --source TEXT [--into data/objsizes.tsv] FILE

FILE is a /proc/slabinfo (version 2.1), or a kernel-lab console log
(tests/vm/lab.sh), whose "LAB slab NAME OBJSIZE OBJPERSLAB PAGESPERSLAB
SOURCE" lines also carry the caches SLUB merged away from slabinfo (their
figures from /sys/kernel/slab/NAME, SOURCE "sysfs:ALIAS") and the caches the
kernel lacks (SOURCE "absent"). Every cache the model uses (CACHES, the same
list as src/facts.c) gets a data row, or an "ABSENT" comment line when the
kernel has no such cache; a cache FILE says nothing about is an error.

Without --into, the rows go to stdout. With --into, the series' data rows and
ABSENT lines in that table are replaced by these, in the table's order
(series numerically, then cache name in byte order); the rest of the file is
kept as it is.
"""
import argparse
import re
import sys

# The caches the model counts (src/facts.c cache_names), and TCPv6.
CACHES = ["TCP", "TCPv6", "dentry", "ep_head", "eventpoll_epi", "eventpoll_pwq", "filp",
          "lsm_file_cache", "lsm_inode_cache", "nf_conntrack", "sock_inode_cache",
          "task_struct", "tcp_bind2_bucket", "tcp_bind_bucket"]
ABSENT_PREFIX = "#   "


def read_figures(path):
    """Cache name -> (objsize, objperslab, pagesperslab, how) from a slabinfo
    or a lab log; how is "slabinfo", "sysfs:ALIAS" or "absent"."""
    found = {}
    with open(path, errors="replace") as f:
        for line in f:
            p = line.split()
            if len(p) == 7 and p[0] == "LAB" and p[1] == "slab":
                found[p[2]] = (int(p[3]), int(p[4]), int(p[5]), p[6])
            elif len(p) >= 6 and not line.startswith(("#", "slabinfo", "LAB")) and \
                    all(x.isdigit() for x in p[1:6]) and p[0] not in found:
                found[p[0]] = (int(p[3]), int(p[4]), int(p[5]), "slabinfo")
    return found


def rows_for(series, source, figures):
    """(data rows, absent lines) for the series, each a list of strings."""
    rows, absent = [], []
    for cache in sorted(CACHES, key=lambda c: c.encode()):
        if cache not in figures:
            sys.exit(f"objsizes: '{cache}' is in neither slabinfo nor the lab's lines")
        objsize, perslab, pages, how = figures[cache]
        if how == "absent":
            absent.append(f"{ABSENT_PREFIX}{series}\t{cache}\tABSENT: no slab cache of that name "
                          f"in /proc/slabinfo or /sys/kernel/slab; {source}")
            continue
        if objsize <= 0 or perslab <= 0 or pages <= 0:
            sys.exit(f"objsizes: '{cache}' has a zero figure")
        where = "own cache, /proc/slabinfo" if how == "slabinfo" else \
            f"merged by SLUB, alias {how.split(':', 1)[1]}, /sys/kernel/slab/{cache}"
        rows.append(f"{series}\t{cache}\t{objsize}\t{perslab}\t{pages}\t{source}; {where}")
    return rows, absent


def series_key(s):
    major, minor = s.split(".")
    return (int(major), int(minor))


def merge(table, series, rows, absent):
    """The table's text with the series' rows and ABSENT lines replaced."""
    lines = table.splitlines()
    absent_re = re.compile(r"^#\s+(\d+\.\d+)\t(\S+)\tABSENT")
    data_re = re.compile(r"^(\d+\.\d+)\t(\S+)\t")
    out_absent = [ln for ln in lines if absent_re.match(ln)]
    out_data = [ln for ln in lines if data_re.match(ln)]
    out_absent = [ln for ln in out_absent if absent_re.match(ln).group(1) != series] + absent
    out_data = [ln for ln in out_data if data_re.match(ln).group(1) != series] + rows

    def key(ln, rx):
        m = rx.match(ln)
        return (series_key(m.group(1)), m.group(2).encode())

    out_absent.sort(key=lambda ln: key(ln, absent_re))
    out_data.sort(key=lambda ln: key(ln, data_re))
    # The ABSENT block sits where the first ABSENT line was (after the
    # "Caches known to be ABSENT" heading); the data rows after the header.
    head = [ln for ln in lines if not absent_re.match(ln) and not data_re.match(ln)]
    at = next(i for i, ln in enumerate(head) if "known to be ABSENT" in ln) + 1
    head[at:at] = out_absent
    return "\n".join(head + out_data) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", required=True)
    ap.add_argument("--source", required=True, help="how the figures were measured")
    ap.add_argument("--into", help="table to update in place")
    ap.add_argument("file")
    a = ap.parse_args()
    if not re.fullmatch(r"\d+\.\d+", a.series) or "\t" in a.source or "\n" in a.source:
        sys.exit("objsizes: bad --series or --source")
    rows, absent = rows_for(a.series, a.source, read_figures(a.file))
    if not a.into:
        print("\n".join(absent + rows))
        return
    with open(a.into) as f:
        text = merge(f.read(), a.series, rows, absent)
    with open(a.into + ".tmp", "w") as f:
        f.write(text)
    import os
    os.replace(a.into + ".tmp", a.into)


if __name__ == "__main__":
    main()
