#!/usr/bin/env bash
# slab-per-socket.sh - measure what one idle, established, epoll-registered
# loopback TCP socket really costs in kernel slab memory.
#
# How: builds tests/bench/sockpairs.c into a temporary directory, starts its
# worker processes (each raises its soft RLIMIT_NOFILE to the hard limit and
# creates its epoll instance and listener), takes a "before" snapshot of
# /proc/meminfo Slab and /proc/slabinfo, lets the workers open N loopback
# connection pairs (both ends registered in epoll with EPOLLIN, no data sent),
# waits for all to be ready, settles (sync; sleep 1), takes the "after"
# snapshot, then lets the workers exit.  Because the workers exist already at
# the "before" snapshot, the per-process cost (task, mm, fdtable, epoll
# instance, listener) is not charged to the sockets.  Before that, a second
# sockpairs instance opens as many pairs again and holds them until the
# "after" snapshot: sockets closed just before (a server's churn, an earlier
# benchmark) leave free slots in partly used slabs, which new sockets fill
# without the Slab total growing; the filler takes those slots first, so the
# measured pairs grow the slab by what a socket really costs.
#
#   slab bytes per socket = (delta Slab - proc discount) / (2 * N)
#
# The proc discount removes objects created meanwhile by anything reading
# /proc/PID/fd (monitoring agents etc.): delta(proc_inode_cache active_objs)
# x (its effective object size + the dentry effective size), where effective
# size = pagesperslab * PAGE_SIZE / objperslab, from /proc/slabinfo.
# A per-cache breakdown (delta num_objs x effective size, per socket, median
# over the runs) shows where the bytes go: TCP, sock_inode_cache, filp, dentry,
# eventpoll_epi, lsm_*, kmalloc-*...  SLUB merges caches of equal geometry, so
# some caches (eventpoll_pwq, tcp_bind_bucket, tcp_bind2_bucket, ...) are
# counted under another cache's name; the breakdown lists the merged names it
# can resolve through the /sys/kernel/slab/<name> symlinks.
#
# The measurement is repeated R times; each run and the median are printed.
# The last line is machine-readable:
#   slab_bytes_per_socket_median=NNNN proc_inode_discount_bytes_per_socket_median=D ...
#
# Usage (as root: /proc/slabinfo is readable by root only):
#   tests/bench/slab-per-socket.sh [-n PAIRS] [-r RUNS] [-w MIN_WORKERS]
#                                  [--sockcap PATH]
#     -n PAIRS        loopback connection pairs (default 4000 = 8000 sockets)
#     -r RUNS         repetitions (default 3)
#     -w MIN_WORKERS  spread pairs over at least this many processes (default 2)
#     -v              also print the per-cache breakdown of every run
#     --sockcap PATH  also run 'PATH audit --format json --profile idle', read
#                     per_connection.kernel_bytes_per_socket, print it beside
#                     the measured median and exit 1 if they differ by > 10%.
# Needs: bash, cc (gcc), python3, coreutils. Runs in well under a minute.
# Only 127.0.0.1 is used.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pairs=4000
runs=3
min_workers=2
sockcap=
verbose=0
max_diff_pct=10

die() { echo "slab-per-socket: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

while (($#)); do
	case $1 in
	-n|--pairs) (($# >= 2)) || die "$1 needs a value"; pairs=$2; shift 2 ;;
	-r|--runs) (($# >= 2)) || die "$1 needs a value"; runs=$2; shift 2 ;;
	-w|--workers) (($# >= 2)) || die "$1 needs a value"; min_workers=$2; shift 2 ;;
	-v|--verbose) verbose=1; shift ;;
	--sockcap) (($# >= 2)) || die "$1 needs a value"; sockcap=$2; shift 2 ;;
	--sockcap=*) sockcap=${1#--sockcap=}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done
if ! [[ $pairs =~ ^[0-9]+$ ]] || ! ((pairs >= 1 && pairs <= 50000)); then die "-n must be 1..50000"; fi
if ! [[ $runs =~ ^[0-9]+$ ]] || ! ((runs >= 1 && runs <= 20)); then die "-r must be 1..20"; fi
if ! [[ $min_workers =~ ^[0-9]+$ ]] || ! ((min_workers >= 1 && min_workers <= 256)); then die "-w must be 1..256"; fi

if [[ $EUID -ne 0 ]] || ! { : </proc/slabinfo; } 2>/dev/null; then
	echo "slab-per-socket: must run as root: /proc/slabinfo is not readable (EUID=$EUID)" >&2
	exit 2
fi
command -v cc >/dev/null || die "cc (gcc) not found"
command -v python3 >/dev/null || die "python3 not found"
if [[ -n $sockcap ]]; then
	[[ -x $sockcap ]] || die "--sockcap: '$sockcap' is not an executable file"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/slab-per-socket.XXXXXX")
sp_pid=
ctl=
out=
fill_pid=
fill_ctl=
fill_out=

stop_workers() {
	if [[ -n $ctl ]]; then exec {ctl}>&-; ctl=; fi
	if [[ -n $fill_ctl ]]; then exec {fill_ctl}>&-; fill_ctl=; fi
	# sockpairs exits on EOF on stdin; make sure it does, then reap it.
	# Its workers die with it (PR_SET_PDEATHSIG).
	local _ p
	for p in "$sp_pid" "$fill_pid"; do
		[[ -n $p ]] || continue
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.2
		done
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	sp_pid= fill_pid=
	if [[ -n $out ]]; then exec {out}<&-; out=; fi
	if [[ -n $fill_out ]]; then exec {fill_out}<&-; fill_out=; fi
}
# shellcheck disable=SC2317  # invoked through trap
cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	stop_workers
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

cc -O2 -Wall -Wextra -Werror -o "$tmp/sockpairs" "$here/sockpairs.c" ||
	die "failed to build sockpairs.c"
mkfifo "$tmp/ctl" "$tmp/out" "$tmp/fill_ctl" "$tmp/fill_out"

# Analysis helper (python3, stdlib only).
#   run  DIR SOCKETS           -> prints one run's summary, writes DIR/result
#   summary SOCKETS DIR...     -> breakdown (median per cache) + medians
py_analysis=$(cat <<'PYEOF'
import os, sys, statistics

from slabinfo import parse_slabinfo

def slab_kb(path):
    with open(path) as f:
        for line in f:
            if line.startswith("Slab:"):
                return int(line.split()[1])
    raise SystemExit("no Slab: line in " + path)

def aliases():
    """cache name -> other cache names merged into the same SLUB cache."""
    base = "/sys/kernel/slab"
    by_target = {}
    try:
        names = os.listdir(base)
    except OSError:
        return {}
    for n in names:
        p = os.path.join(base, n)
        if os.path.islink(p):
            by_target.setdefault(os.path.basename(os.readlink(p)), set()).add(n)
    res = {}
    for n in names:
        p = os.path.join(base, n)
        if os.path.islink(p):
            t = os.path.basename(os.readlink(p))
            others = sorted(by_target[t] - {n})
            if others:
                res[n] = others
    return res

def run(d, sockets):
    b = parse_slabinfo(os.path.join(d, "slabinfo.before"))
    a = parse_slabinfo(os.path.join(d, "slabinfo.after"))
    dslab = (slab_kb(os.path.join(d, "meminfo.after")) -
             slab_kb(os.path.join(d, "meminfo.before"))) * 1024
    z = dict(active=0, num=0, objsize=0, eff=0.0)
    per_cache = {}
    total_slabinfo = 0.0
    for name in sorted(set(a) | set(b)):
        cb, ca = b.get(name, z), a.get(name, z)
        eff = ca["eff"] or cb["eff"]
        dnum = ca["num"] - cb["num"]
        dact = ca["active"] - cb["active"]
        if dnum == 0 and dact == 0:
            continue
        total_slabinfo += dnum * eff
        per_cache[name] = (dnum * eff, dact)
    pb, pa = b.get("proc_inode_cache"), a.get("proc_inode_cache")
    dproc = (pa["active"] - pb["active"]) if (pa and pb) else 0
    eff_proc = (pa or pb or z)["eff"]
    eff_dentry = (a.get("dentry") or b.get("dentry") or z)["eff"]
    discount = dproc * (eff_proc + eff_dentry)
    per_sock = (dslab - discount) / sockets
    with open(os.path.join(d, "result"), "w") as f:
        f.write("per_sock %r\n" % per_sock)
        f.write("discount %r\n" % (discount / sockets))
        f.write("dslab %d\n" % dslab)
        f.write("slabinfo_total %r\n" % total_slabinfo)
        f.write("proc_inodes %d\n" % dproc)
        for name, (byt, dact) in per_cache.items():
            f.write("cache %s %r %d\n" % (name, byt, dact))
    print("  delta Slab %+.1f MiB, slabinfo sum %+.1f MiB, proc_inode objs %+d "
          "(discount %.1f B/socket) -> %.0f bytes/socket"
          % (dslab / 2**20, total_slabinfo / 2**20, dproc, discount / sockets, per_sock))

def load(d):
    r = dict(caches={})
    with open(os.path.join(d, "result")) as f:
        for line in f:
            p = line.split()
            if p[0] == "cache":
                r["caches"][p[1]] = (float(p[2]), int(p[3]))
            else:
                r[p[0]] = float(p[1])
    return r

def summary(sockets, dirs, out_path):
    rs = [load(d) for d in dirs]
    names = set()
    for r in rs:
        names |= set(r["caches"])
    al = aliases()
    rows = []
    for n in names:
        byt = statistics.median(r["caches"].get(n, (0.0, 0))[0] for r in rs) / sockets
        obj = statistics.median(r["caches"].get(n, (0.0, 0))[1] for r in rs) / sockets
        rows.append((byt, obj, n))
    rows.sort(key=lambda x: (-abs(x[0]), x[2]))
    print("Per-cache breakdown (median over %d run%s; delta num_objs x effective "
          "object size, per socket; objs = delta active objects per socket):"
          % (len(rs), "" if len(rs) == 1 else "s"))
    print("  %-24s %10s %8s  %s" % ("cache", "bytes/sock", "objs/sock", "merged with (SLUB)"))
    shown = 0.0
    rest_n, rest_b = 0, 0.0
    for byt, obj, n in rows:
        if abs(byt) < 1.0 and abs(obj) < 0.05:
            rest_n += 1
            rest_b += byt
            continue
        shown += byt
        merged = ", ".join(al.get(n, []))
        print("  %-24s %10.1f %8.3f  %s" % (n, byt, obj, merged))
    if rest_n:
        print("  %-24s %10.1f %8s  (%d caches with |bytes/sock| < 1)"
              % ("(others)", rest_b, "", rest_n))
    med = statistics.median(r["per_sock"] for r in rs)
    disc = statistics.median(r["discount"] for r in rs)
    print("  %-24s %10.1f" % ("(sum of caches)", shown + rest_b))
    if disc:
        print("  %-24s %10.1f %8s  (proc_inode_cache + dentry objects of /proc readers)"
              % ("(proc discount)", -disc, ""))
        print("  %-24s %10.1f" % ("(sum after discount)", shown + rest_b - disc))
    print("Runs (bytes/socket): " + " ".join("%.0f" % r["per_sock"] for r in rs))
    print("Median: %.0f bytes/socket (proc_inode discount %.1f bytes/socket)" % (med, disc))
    with open(out_path, "w") as f:
        f.write("%.0f %.1f\n" % (med, disc))

cmd = sys.argv[1]
if cmd == "run":
    run(sys.argv[2], int(sys.argv[3]))
elif cmd == "summary":
    summary(int(sys.argv[2]), sys.argv[4:], sys.argv[3])
elif cmd == "json":
    import json
    try:
        v = json.load(sys.stdin)["per_connection"]["kernel_bytes_per_socket"]
    except (ValueError, KeyError, TypeError) as e:
        raise SystemExit("cannot read per_connection.kernel_bytes_per_socket: %r" % (e,))
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
        raise SystemExit("per_connection.kernel_bytes_per_socket is not a positive number: %r" % (v,))
    print(v)
elif cmd == "cmp":
    measured, tool, limit = float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    diff = (tool - measured) / measured * 100.0
    print("%+.1f %d" % (diff, 1 if abs(diff) > limit else 0))
PYEOF
)
py() { PYTHONPATH=$here PYTHONDONTWRITEBYTECODE=1 python3 -c "$py_analysis" "$@"; }

sockets=$((2 * pairs))
slab_before=() slab_after=() mem_before=() mem_after=()
# Snapshots are taken with shell builtins only (no fork), into arrays, and
# written to files after the "after" snapshot, so the measuring itself adds
# as little slab as possible inside the window.
snapshot() { # $1 = before|after
	local -n _slab=slab_$1 _mem=mem_$1
	mapfile -t _mem </proc/meminfo
	mapfile -t _slab </proc/slabinfo
}
read_line() { # $1 = expected first word, $2 = timeout
	local line
	if ! read -r -t "$2" -u "$out" line; then
		die "sockpairs did not report '$1' (died or timed out after $2 s)"
	fi
	[[ $line == "$1"* ]] || die "unexpected output from sockpairs: '$line'"
	echo "  sockpairs: $line"
}

echo "slab-per-socket: $pairs loopback pairs = $sockets sockets per run, $runs run(s), kernel $(uname -r)"
run_dirs=()
for ((r = 1; r <= runs; r++)); do
	d=$tmp/run$r
	mkdir "$d"
	echo "run $r/$runs:"
	# The filler: its pairs take the free slots of partly used slabs.
	"$tmp/sockpairs" -n "$pairs" -w "$min_workers" <"$tmp/fill_ctl" >"$tmp/fill_out" &
	fill_pid=$!
	exec {fill_ctl}>"$tmp/fill_ctl" {fill_out}<"$tmp/fill_out"
	out=$fill_out read_line spawned 30
	echo go >&"$fill_ctl"
	out=$fill_out read_line ready 60
	"$tmp/sockpairs" -n "$pairs" -w "$min_workers" <"$tmp/ctl" >"$tmp/out" &
	sp_pid=$!
	exec {ctl}>"$tmp/ctl" {out}<"$tmp/out"
	read_line spawned 30
	sync
	sleep 1                           # let earlier frees (RCU) settle
	snapshot before
	echo go >&"$ctl"
	read_line ready 60
	sync
	sleep 1
	snapshot after
	stop_workers
	printf '%s\n' "${mem_before[@]}" >"$d/meminfo.before"
	printf '%s\n' "${slab_before[@]}" >"$d/slabinfo.before"
	printf '%s\n' "${mem_after[@]}" >"$d/meminfo.after"
	printf '%s\n' "${slab_after[@]}" >"$d/slabinfo.after"
	py run "$d" "$sockets"
	((verbose)) && py summary "$sockets" "$d/median" "$d" | sed '/^Runs/,$d;s/^/    /'
	run_dirs+=("$d")
	((r == runs)) || sleep 1          # closed sockets are freed via RCU
done

py summary "$sockets" "$tmp/median" "${run_dirs[@]}"
read -r median discount <"$tmp/median"

final="slab_bytes_per_socket_median=$median proc_inode_discount_bytes_per_socket_median=$discount sockets=$sockets runs=$runs"
rc=0
if [[ -n $sockcap ]]; then
	json=$("$sockcap" audit --format json --profile idle) ||
		die "'$sockcap audit --format json --profile idle' failed"
	tool=$(py json <<<"$json") || die "bad JSON from $sockcap"
	read -r diff bad < <(py cmp "$median" "$tool" "$max_diff_pct")
	echo "sockcap kernel_bytes_per_socket: $tool  measured median: $median  difference: $diff%"
	final+=" sockcap_kernel_bytes_per_socket=$tool diff_pct=$diff"
	if ((bad)); then
		echo "slab-per-socket: FAIL: sockcap's estimate differs from the measurement by more than $max_diff_pct%" >&2
		rc=1
	fi
fi
echo "$final"
exit "$rc"
