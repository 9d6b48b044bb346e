#!/usr/bin/env bash
# memcg-capacity.sh - how many idle TCP connections does a memory cgroup
# really hold, and does sockcap's memory row predict it?
#
# Phase A (accepted sockets): creates cgroup A (cgroup v1 memory controller)
# with memory.limit_in_bytes = LIMIT (default 16 MiB; memory.memsw too when
# present, so swap cannot matter), starts tests/bench/memcg-server.c inside
# it (the pid is written to A/cgroup.procs by a shell that then execs the
# server, so the server's whole address space is charged to A), and reads
# A's usage once the server listens: the baseline.  A client OUTSIDE the
# cgroup (tests/bench/memcg-client.c) then opens idle loopback connections;
# the server accepts each and registers it in epoll.  Two stages (S1 and S2
# connections, all accepted) give the cgroup's charge per accepted socket
# from deltas that exclude the baseline:
#   memcg bytes/socket = delta memory.kmem.usage_in_bytes / (S2 - S1)
# (the kmem counter is exact to a page; memory.usage_in_bytes also holds up
# to 64 pages per CPU of pre-charged "stock", so its delta is printed too but
# is noisier), and the global slab growth per connection over the same
# stages (/proc/meminfo Slab and a per-cache /proc/slabinfo breakdown: delta
# active objects per connection, and those objects at their effective size;
# SLUB names a merged cache ':A-...' when it is SLAB_ACCOUNT, which the
# breakdown shows, with the caches merged into it).
# Then the client connects until the server stops: it is OOM-killed by the
# cgroup (memory.oom_control oom_kill), or accept fails with ENOMEM/ENOBUFS,
# or its count stops growing for STALL seconds.  The server's accepted count
# at that point is the measured capacity; memory.max_usage_in_bytes,
# memory.failcnt, memory.memsw.failcnt and the OOM kill are recorded.
#
# Phase B (model): creates cgroup B with the same limit, runs
# `SOCKCAP audit --app-bytes 0 -f json` inside it, reads the memory row
# (limits[id=memory].connections) and prints it beside the measured count
# with the relative difference.  Exit status 1 when they differ by more
# than MAX_DIFF percent (default 15) in any run.
#
# Phase C (opened sockets): a server OUTSIDE any limited cgroup, and the
# client inside cgroup C (same limit), registering each socket it opens in
# epoll (-e): the same stages give the cgroup's charge per opened socket,
# then the client connects until the cgroup stops it.
#
# The server accepts one connection per epoll readiness event: an accept4()
# that finds the queue empty allocates a socket inode, file and dentry and
# frees them again, the inode and dentry only after an RCU grace period, and
# they stay charged to the cgroup until then (see memcg-server.c).
#
# Variants (--variants, off by default): phase A again (1) with the server
# not registering accepted sockets in epoll (isolates the epoll objects),
# (2) with A's memory.kmem.tcp.limit_in_bytes written (to -1, no limit): on
# cgroup v1 that activates socket memory accounting for A and turns on the
# global memcg_sockets_enabled static key (what cgroup v2 always does), so
# accept() also charges the TCP sock object to A (the key stays on until
# that cgroup is freed), and (3) with the server draining its accept queue
# until EAGAIN (-m), to show the charge those failed accepts hold.
#
# Before the runs it prints the charge it expects per socket: the sum of
# (slab_size + 8) over the objects the memcg is charged for (the kernel
# charges each object's s->size plus its obj_cgroup pointer; slab slack is
# charged to nobody), from /sys/kernel/slab.  Each run prints what sockcap's
# memory row would say with that figure instead of the global slab cost.
# Every run prints its numbers, then a summary (median over the runs); the
# last line is machine-readable:
#   memcg_capacity measured=N modelled=M diff_pct=D accepted_bytes_per_socket=B
#     opened_bytes_per_socket=B opened_measured=N baseline=B runs=R
# Cleanup (processes, cgroups, files) happens on every exit path.  Runtime:
# about 15 s per run, 20 s more with --variants.  Only 127.0.0.1 is used, on
# ports below net.ipv4.ip_local_port_range (no TIME_WAIT collisions).
#
# Usage (as root; needs the cgroup v1 memory controller, cc, python3):
#   tests/bench/memcg-capacity.sh [-r RUNS] [--limit BYTES] [--sockcap PATH]
#                                 [--max-diff PCT] [--no-opened] [--variants]
#     -r RUNS          repetitions (default 1)
#     --limit BYTES    memory limit of the cgroups (default 16777216, at most 24 MiB)
#     --sockcap PATH   the sockcap binary (default ./sockcap from the repo root)
#     --max-diff PCT   tolerated |modelled - measured| / measured (default 15)
#     --no-opened      skip phase C
#     --variants       also run the three phase-A variants described above
#     -s S1,S2         stage sizes in connections (default 500,2500)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=1
limit=16777216
sockcap=$root/sockcap
max_diff=15
do_opened=1
do_variants=0
s1=500
s2=2500
stall=4          # seconds without growth = stalled
phase_timeout=90 # seconds, per connect-to-the-limit phase
memcg_base=/sys/fs/cgroup/memory

die() { echo "memcg-capacity: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

while (($#)); do
	case $1 in
	-r|--runs) (($# >= 2)) || die "$1 needs a value"; runs=$2; shift 2 ;;
	--limit) (($# >= 2)) || die "$1 needs a value"; limit=$2; shift 2 ;;
	--sockcap) (($# >= 2)) || die "$1 needs a value"; sockcap=$2; shift 2 ;;
	--max-diff) (($# >= 2)) || die "$1 needs a value"; max_diff=$2; shift 2 ;;
	--no-opened) do_opened=0; shift ;;
	--variants) do_variants=1; shift ;;
	-s|--stages) (($# >= 2)) || die "$1 needs a value"; IFS=, read -r s1 s2 <<<"$2"; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done
if ! [[ $runs =~ ^[0-9]+$ ]] || ! ((runs >= 1 && runs <= 20)); then die "-r must be 1..20"; fi
# One client process holds at most the hard RLIMIT_NOFILE (20000 here) minus
# 64 connections, ~1.5 KB each on the server side: 24 MiB is the most that
# stays well below that.  The run checks that the limit, not the client,
# stopped the server.
if ! [[ $limit =~ ^[0-9]+$ ]] || ! ((limit >= 4194304 && limit <= 25165824)); then
	die "--limit must be 4 MiB..24 MiB in bytes"
fi
[[ $max_diff =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--max-diff must be a number"
if ! [[ $s1 =~ ^[0-9]+$ && $s2 =~ ^[0-9]+$ ]] || ! ((s1 >= 100 && s2 >= s1 + 500)); then
	die "-s needs S1>=100, S2>=S1+500"
fi

if [[ $EUID -ne 0 ]]; then echo "memcg-capacity: must run as root (cgroups, /proc/slabinfo)" >&2; exit 2; fi
[[ -f $memcg_base/memory.limit_in_bytes ]] ||
	die "no cgroup v1 memory controller at $memcg_base (this script drives the v1 interface)"
command -v cc >/dev/null || die "cc not found"
command -v python3 >/dev/null || die "python3 not found"
[[ -x $sockcap ]] || die "sockcap binary '$sockcap' not found (run make, or pass --sockcap)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/memcg-capacity.XXXXXX")
shm=$(mktemp -d /dev/shm/memcg-capacity.XXXXXX)  # status pages (tmpfs)
tag=memcg-capacity.$$
cgroups=()   # created cgroup directories
pids=()      # background jobs (subshells: our children), killed on exit
kids=()      # "PID:JOB": the server/client PID that subshell JOB runs
fds=()       # open fifo fds

forget_pid() { # pid: drop it from pids (once reaped, its number may be reused)
	local p keep=()
	for p in "${pids[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
	pids=("${keep[@]}")
}
ppid_of() { # pid -> its parent pid, or nothing when it is gone
	local _a _b _c pp
	{ read -r _a _b _c pp _ <"/proc/$1/stat"; } 2>/dev/null && echo "$pp"
}
alive() { # pid job: pid still runs as job's child (not a zombie, not a reused pid)
	local _a _b st pp
	{ read -r _a _b st pp _ <"/proc/$1/stat"; } 2>/dev/null || return 1
	[[ $pp == "$2" && $st != Z ]]
}
kill_kid() { # pid job: end pid (SIGTERM, then SIGKILL) only while it is job's child
	local p=$1 j=$2 keep=() k _
	for k in "${kids[@]}"; do [[ $k == "$p:$j" ]] || keep+=("$k"); done
	kids=("${keep[@]}")
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[[ $(ppid_of "$p") == "$j" ]] || return 0
		kill "$p" 2>/dev/null || return 0
		sleep 0.1
	done
	[[ $(ppid_of "$p") == "$j" ]] && kill -9 "$p" 2>/dev/null
	return 0
}
kill_pid() { # pid of a background job (our child): SIGTERM, then SIGKILL, then reap
	local p=$1 _
	forget_pid "$p"
	# Signal it only while it is still our child (pid_max may be small and
	# an exited job's pid reused).
	if alive "$p" "$$"; then
		kill "$p" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			alive "$p" "$$" || break
			sleep 0.1
		done
		alive "$p" "$$" && kill -9 "$p" 2>/dev/null
	fi
	wait "$p" 2>/dev/null || true
}
remove_cgroup() { # dir
	local d=$1 _ p keep=()
	for p in "${cgroups[@]}"; do [[ $p == "$d" ]] || keep+=("$p"); done
	cgroups=("${keep[@]}")
	[[ -d $d ]] || return 0
	for _ in $(seq 1 50); do
		while read -r p; do [[ -n $p ]] && kill -9 "$p" 2>/dev/null; done <"$d/cgroup.procs" || true
		rmdir "$d" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "memcg-capacity: warning: could not remove $d" >&2
}
# shellcheck disable=SC2317  # invoked through trap
cleanup() {
	local rc=$? p fd d
	trap - EXIT INT TERM HUP
	for fd in "${fds[@]}"; do eval "exec $fd>&-" 2>/dev/null || true; done
	for p in "${kids[@]}"; do kill_kid "${p%%:*}" "${p##*:}"; done
	for p in "${pids[@]}"; do kill_pid "$p"; done
	for d in "${cgroups[@]}"; do remove_cgroup "$d"; done
	rm -rf "$tmp" "$shm"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap '' PIPE    # a write to a client that died must fail, not kill us

cc -O2 -Wall -Wextra -Werror -o "$tmp/memcg-server" "$here/memcg-server.c" || die "failed to build memcg-server.c"
cc -O2 -Wall -Wextra -Werror -o "$tmp/memcg-client" "$here/memcg-client.c" || die "failed to build memcg-client.c"

py_analysis=$(cat <<'PYEOF'
import os, sys, json, statistics

from slabinfo import parse_slabinfo as slabinfo

def slab_size(name):
    try:
        with open("/sys/kernel/slab/%s/slab_size" % name) as f:
            return int(f.read())
    except OSError:
        return None

def merged(name):
    """Other cache names SLUB merged with name (same ':...' target)."""
    base = "/sys/kernel/slab"
    p = os.path.join(base, name)
    target = os.path.basename(os.readlink(p)) if os.path.islink(p) else name
    out = []
    for n in os.listdir(base):
        q = os.path.join(base, n)
        if n != name and os.path.islink(q) and os.path.basename(os.readlink(q)) == target:
            out.append(n)
    return sorted(out)

def accounted(name):
    """SLUB names a merged cache ':A-...' when it has SLAB_ACCOUNT."""
    p = "/sys/kernel/slab/" + name
    if os.path.islink(p):
        return os.path.basename(os.readlink(p)).startswith(":A-")
    return None  # unmerged: the flag is not visible from sysfs

def breakdown(before, after, n):
    """Per-cache delta (active objects x effective size) per connection."""
    b, a = slabinfo(before), slabinfo(after)
    rows = []
    for name in sorted(set(a) | set(b)):
        cb = b.get(name, dict(active=0, num=0, eff=0.0))
        ca = a.get(name, dict(active=0, num=0, eff=0.0))
        eff = ca["eff"] or cb["eff"]
        dact = ca["active"] - cb["active"]
        dnum = ca["num"] - cb["num"]
        if abs(dact) / n < 0.05 and abs(dnum * eff) / n < 4:
            continue
        rows.append((name, dact / n, dact * eff / n))
    rows.sort(key=lambda r: -abs(r[2]))
    return rows

def cmd_breakdown(args):
    before, after, n = args[0], args[1], int(args[2])
    for name, objs, byt in breakdown(before, after, n):
        ss = slab_size(name)
        acc = accounted(name)
        m = merged(name)
        print("    %-22s %6.2f objs/conn %8.1f B/conn  slab_size %-5s %s%s" % (
            name, objs, byt, ss if ss is not None else "-",
            {True: "SLAB_ACCOUNT (':A-' alias)", False: "not accounted (alias without A)",
             None: ""}[acc], ("; merged with " + ", ".join(m)) if m else ""))

def cmd_memrow(args):
    d = json.load(sys.stdin)
    row = [r for r in d["limits"] if r["id"] == "memory"][0]
    pc = d["per_connection"]
    print(row.get("connections"), row.get("value"), pc.get("kernel_bytes_per_socket"),
          pc.get("total_bytes"), row.get("source"), json.dumps(row.get("note", "")))

def cmd_predict(args):
    """Expected memcg charge per socket: sum of (slab_size + 8) of the
    charged caches (memcg charges each object's s->size plus its obj_cgroup
    pointer; slab slack is charged to nobody)."""
    total = 0
    parts = []
    for name in args:
        ss = slab_size(name)
        if ss is None:
            continue
        total += ss + 8
        parts.append("%s %d" % (name, ss + 8))
    print(total, " + ".join(parts))

def cmd_summary(args):
    path = args[0]
    rows = [json.loads(l) for l in open(path)]
    keys = ["measured", "modelled", "diff_pct", "acc_kmem_per_sock", "acc_usage_per_sock",
            "acc_at_limit_per_sock", "global_slab_per_conn", "baseline", "implied_baseline",
            "opened_measured", "opened_kmem_per_sock", "opened_at_limit_per_sock",
            "opened_baseline", "b_usage", "recommended", "recommended_diff_pct"]
    print("Summary over %d run(s) (median; all runs):" % len(rows))
    for k in keys:
        vals = [r[k] for r in rows if r.get(k) is not None]
        if not vals:
            continue
        med = statistics.median(vals)
        print("  %-26s %12.1f   [%s]" % (k, med, " ".join("%.1f" % v for v in vals)))

globals()["cmd_" + sys.argv[1]](sys.argv[2:])
PYEOF
)
py() { PYTHONPATH=$here PYTHONDONTWRITEBYTECODE=1 python3 -c "$py_analysis" "$@"; }

# ------------------------------------------------------------------ helpers

pick_port() { # prints a free TCP port in 20000..29999 (below the ephemeral range)
	local lo p _
	lo=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range)
	for _ in $(seq 0 200); do
		p=$((20000 + (RANDOM % 10000)))
		((p < lo)) || continue
		if ! ss -Htan "( sport = :$p or dport = :$p )" 2>/dev/null | grep -q .; then
			echo "$p"
			return 0
		fi
	done
	die "no free port found below $lo"
}

make_cgroup() { # name -> sets cg (not in a subshell: cleanup must know it)
	cg=$memcg_base/$tag.$1
	mkdir "$cg"
	cgroups+=("$cg")
	echo "$limit" >"$cg/memory.limit_in_bytes"
	if [[ -f $cg/memory.memsw.limit_in_bytes ]]; then
		echo "$limit" >"$cg/memory.memsw.limit_in_bytes"
	fi
}

cgread() { cat "$1/memory.$2"; }
rss_anon() { # pid -> RssAnon in bytes (the process's own anonymous memory)
	awk '$1=="RssAnon:"{print $2 * 1024}' "/proc/$1/status" 2>/dev/null || echo 0
}
oom_kills() { awk '$1=="oom_kill"{print $2}' "$1/memory.oom_control"; }

new_status() { # file: a 4 KiB page written (and charged) here, outside any limited cgroup
	head -c 4096 /dev/zero >"$1"
}
read_status() { # file key -> prints the value of key= in a complete status line
	local line
	for _ in 1 2 3 4 5; do
		IFS= read -r line <"$1" || true
		if [[ $line == "S "*" E" && $line =~ (^| )$2=([^ ]+) ]]; then
			local v=${BASH_REMATCH[2]}
			[[ $v =~ ^0*([0-9]+)$ ]] && v=${BASH_REMATCH[1]}
			echo "$v"
			return 0
		fi
		sleep 0.01
	done
	echo ""
}
wait_status() { # file key value timeout: until key >= value (numeric)
	local f=$1 k=$2 want=$3 t=$4 v start=$SECONDS
	while ((SECONDS - start < t)); do
		v=$(read_status "$f" "$k")
		[[ -n $v ]] && ((v >= want)) && return 0
		sleep 0.05
	done
	return 1
}
wait_state() { # file state timeout
	local start=$SECONDS
	while ((SECONDS - start < $3)); do
		[[ $(read_status "$1" state) == "$2" ]] && return 0
		sleep 0.05
	done
	return 1
}
snap() { # dir prefix: meminfo + slabinfo snapshot (read with builtins first)
	local -a m s
	mapfile -t m </proc/meminfo
	mapfile -t s </proc/slabinfo
	printf '%s\n' "${m[@]}" >"$1/$2.meminfo"
	printf '%s\n' "${s[@]}" >"$1/$2.slabinfo"
}
slab_kb() { awk '$1=="Slab:"{print $2}' "$1"; }

client_cmd() { # fd line
	echo "$2" >&"$1"
}
client_reply() { # fd timeout -> prints the next "connected ..." line, or fails
	local line
	while IFS= read -r -t "$2" -u "$1" line; do
		if [[ $line == connected* ]]; then echo "$line"; return 0; fi
	done
	return 1
}

# Runs "$@" in the background inside cgroup $1 (none when empty), through a
# subshell that waits for it and exits with its status: a program killed by
# a signal (the OOM killer) is then reported by that subshell, whose stderr
# is /dev/null, and not as a "Killed" line from this script.  Sets job (the
# subshell's pid, to wait for).  Redirections: $2 stdin, $3 stdout, $4 stderr.
spawn() { # cgroup stdin stdout stderr cmd...
	local cgdir=$1 in=$2 out=$3 err=$4
	shift 4
	if [[ -n $cgdir ]]; then
		(sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$cgdir" "$@" \
			<"$in" >"$out" 2>"$err"; exit $?) 2>/dev/null &
	else
		("$@" <"$in" >"$out" 2>"$err"; exit $?) 2>/dev/null &
	fi
	job=$!
	pids+=("$job")
}

# Starts memcg-client (outside any limited cgroup, or inside $3 when given).
# Sets client_pid, client_job, client_in (fd to write), client_out (fd to read).
start_client() { # port status_file [cgroup_dir] [extra args]
	local port=$1 st=$2 cg=${3:-} extra=${4:-}
	local fin=$tmp/client.in.$RANDOM fout=$tmp/client.out.$RANDOM
	mkfifo "$fin" "$fout"
	# shellcheck disable=SC2086
	spawn "$cg" "$fin" "$fout" "$tmp/client.err" "$tmp/memcg-client" -p "$port" -s "$st" $extra
	client_job=$job
	exec {client_in}>"$fin" {client_out}<"$fout"
	fds+=("$client_in" "$client_out")
	local line
	IFS= read -r -t 10 -u "$client_out" line || die "memcg-client did not start: $(cat "$tmp/client.err")"
	[[ $line == ready* ]] || die "memcg-client: unexpected '$line'"
	client_pid=$(read_status "$st" pid)
	[[ -n $client_pid ]] || die "memcg-client: no pid in its status file"
	kids+=("$client_pid:$client_job")
}
stop_client() {
	{ echo quit >&"$client_in"; } 2>/dev/null || true
	local line
	IFS= read -r -t 10 -u "$client_out" line || true
	exec {client_in}>&- {client_out}<&-
	kill_kid "$client_pid" "$client_job"
	kill_pid "$client_job"
}

# Starts memcg-server inside cgroup $1 (or outside when empty).
# Sets server_pid and server_job.
start_server() { # cgroup_dir port status_file [extra args]
	local cg=$1 port=$2 st=$3 extra=${4:-}
	# shellcheck disable=SC2086
	spawn "$cg" /dev/null /dev/null "$tmp/server.err.$port" \
		"$tmp/memcg-server" -p "$port" -s "$st" -b 4096 $extra
	server_job=$job
	wait_state "$st" ready 10 || die "memcg-server did not start: $(cat "$tmp/server.err.$port")"
	server_pid=$(read_status "$st" pid)
	[[ -n $server_pid ]] || die "memcg-server: no pid in its status file"
	kids+=("$server_pid:$server_job")
}
stop_server() {
	kill_kid "$server_pid" "$server_job"
	kill_pid "$server_job"
}

# ----------------------------------------------------------- phase A (accepted)
# Sets: A_* result variables.
phase_accepted() { # label extra_server_args tcp_accounting(0/1)
	local label=$1 sargs=$2 tcpacct=$3
	local d=$tmp/$label.$run port st cst cg reply
	mkdir -p "$d"
	port=$(pick_port)
	[[ -n $port ]] || die "no free port below the ephemeral range"
	st=$shm/$label.$run.server; new_status "$st"
	cst=$shm/$label.$run.client; new_status "$cst"
	make_cgroup "$label.$run"
	if ((tcpacct)); then
		echo -1 >"$cg/memory.kmem.tcp.limit_in_bytes" ||
			die "cannot write memory.kmem.tcp.limit_in_bytes"
	fi
	local oom0
	oom0=$(oom_kills "$cg")
	start_server "$cg" "$port" "$st" "$sargs"
	sleep 1
	A_baseline=$(cgread "$cg" usage_in_bytes)
	A_kmem0=$(cgread "$cg" kmem.usage_in_bytes)
	A_rss_anon=$(rss_anon "$server_pid")

	start_client "$port" "$cst"
	# Stage 1
	client_cmd "$client_in" "connect $s1"
	client_reply "$client_out" 30 >/dev/null || die "$label: client did not reach stage 1"
	wait_status "$st" accepted "$s1" 30 || die "$label: server did not accept $s1 connections"
	sleep 0.5
	local u1 k1 u2 k2
	u1=$(cgread "$cg" usage_in_bytes); k1=$(cgread "$cg" kmem.usage_in_bytes)
	snap "$d" s1
	# Stage 2
	client_cmd "$client_in" "connect $s2"
	reply=$(client_reply "$client_out" 60) || die "$label: client did not reach stage 2"
	if wait_status "$st" accepted "$s2" 30 && alive "$server_pid" "$server_job"; then
		sleep 0.5
		u2=$(cgread "$cg" usage_in_bytes); k2=$(cgread "$cg" kmem.usage_in_bytes)
		snap "$d" s2
		A_kmem_per_sock=$(((k2 - k1) / (s2 - s1)))
		A_usage_per_sock=$(((u2 - u1) / (s2 - s1)))
		A_slab_per_conn=$((($(slab_kb "$d/s2.meminfo") - $(slab_kb "$d/s1.meminfo")) * 1024 / (s2 - s1)))
	else
		echo "  $label: stage 2 not reached ($reply); the limit came first" >&2
		A_kmem_per_sock=; A_usage_per_sock=; A_slab_per_conn=
	fi

	# To the limit.
	client_cmd "$client_in" "connect 1000000"
	local start=$SECONDS last_change=$SECONDS last=-1 n reason="" cstatus=""
	while :; do
		n=$(read_status "$st" accepted)
		[[ -n $n ]] || n=$last
		if ((n != last)); then last=$n; last_change=$SECONDS; fi
		if ! alive "$server_pid" "$server_job"; then reason="server died"; break; fi
		case $(read_status "$st" state) in
		nomem) ((SECONDS - last_change >= 2)) && { reason="accept/epoll_ctl ENOMEM"; break; } ;;
		full) reason="server hit EMFILE/ENFILE (nofile), not memory"; break ;;
		esac
		if [[ -z $cstatus ]] && IFS= read -r -t 0.05 -u "$client_out" cstatus; then
			[[ $cstatus == connected* ]] || cstatus=""
		fi
		if ((SECONDS - last_change >= stall)); then reason="stalled ${stall}s"; break; fi
		if ((SECONDS - start >= phase_timeout)); then reason="timeout"; break; fi
		sleep 0.1
	done
	sleep 0.3
	A_count=$(read_status "$st" accepted)
	A_max_usage=$(cgread "$cg" max_usage_in_bytes)
	A_kmem_max=$(cgread "$cg" kmem.max_usage_in_bytes)
	A_failcnt=$(cgread "$cg" failcnt)
	A_memsw_failcnt=$(cat "$cg/memory.memsw.failcnt" 2>/dev/null || echo -)
	A_oom=$(($(oom_kills "$cg") - oom0))
	A_tcp_usage=$(cgread "$cg" kmem.tcp.max_usage_in_bytes)
	A_reason=$reason
	case $reason in
	"server died"|"accept/epoll_ctl ENOMEM") ;;
	*) die "$label: the server was not stopped by the memory limit ($reason; client: ${cstatus:-no reply}); try a smaller --limit" ;;
	esac
	A_eagain=$(read_status "$st" eagain)
	A_open=$(read_status "$st" open)
	A_errors=$(read_status "$st" errors)
	if ! alive "$server_pid" "$server_job"; then
		forget_pid "$server_job"
		wait "$server_job" 2>/dev/null && A_exit=0 || A_exit=$?
		if dmesg 2>/dev/null | grep -q "Killed process $server_pid "; then
			A_reason="$A_reason (OOM-killed: dmesg 'Killed process $server_pid')"
		fi
	else
		A_exit=alive
	fi
	stop_server
	stop_client
	((A_count > 0)) || die "$label: no connection was accepted ($A_reason)"
	A_at_limit_per_sock=$(((A_max_usage - A_baseline) / A_count))
	A_limit_per_sock=$(((limit - A_baseline) / A_count))
	A_implied_baseline=
	if [[ -n $A_kmem_per_sock ]]; then
		A_implied_baseline=$((limit - A_count * A_kmem_per_sock))
	fi

	echo "  [$label] port $port, server args '${sargs:-}', tcp accounting $tcpacct"
	echo "    baseline (server listening, 0 connections): memory.usage_in_bytes $A_baseline B (includes the per-CPU charge stock), kmem $A_kmem0 B, server RssAnon $A_rss_anon B"
	if [[ -n $A_kmem_per_sock ]]; then
		echo "    stages $s1 -> $s2 accepted: memcg kmem +$A_kmem_per_sock B/socket; memory.usage_in_bytes +$A_usage_per_sock B/socket (noisier: per-CPU charge stock)"
		echo "    global /proc/meminfo Slab over the same stages: +$A_slab_per_conn B per connection (server socket + client socket) = $((A_slab_per_conn / 2)) B per socket"
		echo "    per-cache global deltas per connection (both ends; server sockets in epoll, client sockets not):"
		py breakdown "$d/s1.slabinfo" "$d/s2.slabinfo" "$((s2 - s1))"
	fi
	echo "    stopped: $A_reason; accepted $A_count (open $A_open, accept/epoll errors $A_errors, EAGAIN accepts $A_eagain); server exit $A_exit; failcnt $A_failcnt, memsw.failcnt $A_memsw_failcnt; oom_kill +$A_oom"
	echo "    max_usage $A_max_usage B, kmem max $A_kmem_max B, kmem.tcp max $A_tcp_usage B"
	echo "    (max_usage - baseline) / accepted = $A_at_limit_per_sock B/socket; (limit - baseline) / accepted = $A_limit_per_sock B/socket"
	if [[ -n $A_implied_baseline ]]; then
		echo "    implied real baseline: limit - accepted x $A_kmem_per_sock = $A_implied_baseline B"
	fi
	remove_cgroup "$cg"
}

# ------------------------------------------------------------- phase B (model)
phase_model() {
	local cg json
	make_cgroup "B.$run"
	# The subject is the process in the cgroup (--pid of itself: the shell
	# execs sockcap), not "a new service on this host", whose cgroup is
	# system.slice.
	json=$(sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@" --pid $$' sh "$cg" \
		"$sockcap" audit --app-bytes 0 -f json) || die "sockcap audit failed inside $cg"
	read -r B_conn B_value B_kbps B_total B_source B_note < <(py memrow <<<"$json")
	B_usage=$((limit - B_value))
	echo "  [model] sockcap inside cgroup B: memory row connections $B_conn, value $B_value B (limit - usage $B_usage of B), $B_total B/connection ($B_kbps kernel B/socket), source $B_source"
	echo "    note: $B_note"
	remove_cgroup "$cg"
}

# ----------------------------------------------------------- phase C (opened)
phase_opened() {
	local port st cst cg reply d=$tmp/opened.$run
	mkdir -p "$d"
	port=$(pick_port)
	[[ -n $port ]] || die "no free port below the ephemeral range"
	st=$shm/opened.$run.server; new_status "$st"
	cst=$shm/opened.$run.client; new_status "$cst"
	# Sockets (TIME_WAIT ones too) on ephemeral ports hold bind buckets that
	# connect() shares when it reuses the port for another destination: an
	# opened socket then costs up to 2 x 136 B less.  Report how many there are.
	local eph
	eph=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range)
	C_tw=$(ss -Htan "( sport >= :$eph )" 2>/dev/null | wc -l)
	start_server "" "$port" "$st"          # outside: unlimited
	make_cgroup "C.$run"
	local oom0
	oom0=$(oom_kills "$cg")
	start_client "$port" "$cst" "$cg" "-e"
	sleep 1
	C_baseline=$(cgread "$cg" usage_in_bytes)
	local k1 k2 u1 u2
	client_cmd "$client_in" "connect $s1"
	client_reply "$client_out" 30 >/dev/null || die "opened: client did not reach stage 1"
	sleep 0.5
	k1=$(cgread "$cg" kmem.usage_in_bytes); u1=$(cgread "$cg" usage_in_bytes)
	snap "$d" s1
	client_cmd "$client_in" "connect $s2"
	reply=$(client_reply "$client_out" 60) || die "opened: client did not reach stage 2"
	if [[ $reply == *status=ok* ]]; then
		sleep 0.5
		k2=$(cgread "$cg" kmem.usage_in_bytes); u2=$(cgread "$cg" usage_in_bytes)
		snap "$d" s2
		C_kmem_per_sock=$(((k2 - k1) / (s2 - s1)))
		C_usage_per_sock=$(((u2 - u1) / (s2 - s1)))
	else
		C_kmem_per_sock=; C_usage_per_sock=
	fi
	client_cmd "$client_in" "connect 1000000"
	local start=$SECONDS
	reply=""
	while ((SECONDS - start < phase_timeout)); do
		if ! alive "$client_pid" "$client_job"; then reply="client died"; break; fi
		if IFS= read -r -t 0.2 -u "$client_out" reply && [[ $reply == connected* ]]; then break; fi
		reply=""
	done
	sleep 0.3
	C_count=$(read_status "$cst" total)
	C_max_usage=$(cgread "$cg" max_usage_in_bytes)
	C_failcnt=$(cgread "$cg" failcnt)
	C_memsw_failcnt=$(cat "$cg/memory.memsw.failcnt" 2>/dev/null || echo -)
	C_oom=$(($(oom_kills "$cg") - oom0))
	if ! alive "$client_pid" "$client_job" && dmesg 2>/dev/null | grep -q "Killed process $client_pid "; then
		reply="$reply (OOM-killed: dmesg 'Killed process $client_pid')"
	fi
	stop_client
	stop_server
	((C_count > 0)) || die "opened: no connection was opened ($reply)"
	C_at_limit_per_sock=$(((C_max_usage - C_baseline) / C_count))
	echo "  [opened] client inside cgroup C (epoll-registered), server outside, port $port; TCP sockets (any state) on ephemeral ports at start: $C_tw"
	echo "    baseline (client ready, 0 connections): usage $C_baseline B"
	if [[ -n $C_kmem_per_sock ]]; then
		echo "    stages $s1 -> $s2 opened: memcg kmem +$C_kmem_per_sock B/socket, usage +$C_usage_per_sock B/socket"
		echo "    per-cache global deltas per connection (both ends; client sockets in epoll here):"
		py breakdown "$d/s1.slabinfo" "$d/s2.slabinfo" "$((s2 - s1))"
	fi
	echo "    stopped: ${reply:-timeout}; opened $C_count; failcnt $C_failcnt; memsw.failcnt $C_memsw_failcnt; oom_kill +$C_oom"
	echo "    (max_usage $C_max_usage - baseline) / opened = $C_at_limit_per_sock B/socket"
	remove_cgroup "$cg"
}

# ----------------------------------------------------------------------- main
echo "memcg-capacity: kernel $(uname -r), limit $limit B, $runs run(s), stages $s1/$s2, sockcap $sockcap"
if [[ -f $memcg_base/memory.memsw.limit_in_bytes ]]; then
	echo "  memory.memsw present: set to the same limit (swap: $(awk 'NR>1' /proc/swaps | wc -l) device(s))"
fi
read -r pred_acc pred_acc_parts < <(py predict sock_inode_cache filp dentry eventpoll_epi eventpoll_pwq ep_head)
read -r pred_tcp _ < <(py predict TCP)
read -r pred_open pred_open_parts < <(py predict TCP sock_inode_cache filp dentry eventpoll_epi eventpoll_pwq ep_head tcp_bind_bucket tcp_bind2_bucket)
echo "  expected memcg charge (slab_size + 8 per charged object):"
echo "    accepted, epoll, TCP sock not charged: $pred_acc B = $pred_acc_parts"
echo "    accepted with socket accounting on (cgroup v2, or v1 kmem.tcp set): $((pred_acc + pred_tcp)) B"
echo "    opened, epoll: $pred_open B = $pred_open_parts"

results=$tmp/results.jsonl
rc=0
for ((run = 1; run <= runs; run++)); do
	echo "run $run/$runs:"
	phase_accepted accepted "" 0
	R_kmem=$A_kmem_per_sock R_usage=$A_usage_per_sock R_at_limit=$A_at_limit_per_sock
	R_slab=$A_slab_per_conn R_baseline=$A_baseline R_implied=${A_implied_baseline:-null}
	R_count=$A_count
	phase_model
	diff=$(python3 -c "print('%.1f' % (($B_conn - $R_count) * 100.0 / $R_count))")
	# What the memory row would say with the memcg charge per accepted
	# socket (charged objects at slab_size + 8, plus 8 B of fd table) and
	# sockcap's own reading of the usage of cgroup B.
	recommended=$(((limit - B_usage) / (pred_acc + 8)))
	rdiff=$(python3 -c "print('%.1f' % (($recommended - $R_count) * 100.0 / $R_count))")
	echo "  => measured $R_count accepted connections; sockcap memory row $B_conn: difference $diff%"
	echo "     (with the memcg charge per accepted socket, $((pred_acc + 8)) B, the same row would say (limit - usage $B_usage) / $((pred_acc + 8)) = $recommended: difference $rdiff%)"
	bad=$(python3 -c "print(1 if abs($diff) > $max_diff else 0)")
	((bad)) && rc=1
	C_count=; C_kmem_per_sock=; C_at_limit_per_sock=; C_baseline=
	if ((do_opened)); then phase_opened; fi
	if ((do_variants)); then
		echo "  variants:"
		phase_accepted accepted-noepoll "-n" 0
		phase_accepted accepted-tcpacct "" 1
		phase_accepted accepted-multi "-m" 0
	fi
	printf '{"measured": %s, "modelled": %s, "diff_pct": %s, "acc_kmem_per_sock": %s, "acc_usage_per_sock": %s, "acc_at_limit_per_sock": %s, "global_slab_per_conn": %s, "baseline": %s, "implied_baseline": %s, "opened_measured": %s, "opened_kmem_per_sock": %s, "opened_at_limit_per_sock": %s, "opened_baseline": %s, "b_usage": %s, "recommended": %s, "recommended_diff_pct": %s}\n' \
		"$R_count" "$B_conn" "$diff" "${R_kmem:-null}" "${R_usage:-null}" "$R_at_limit" "${R_slab:-null}" \
		"$R_baseline" "$R_implied" "${C_count:-null}" "${C_kmem_per_sock:-null}" \
		"${C_at_limit_per_sock:-null}" "${C_baseline:-null}" "$B_usage" "$recommended" "$rdiff" >>"$results"
done
py summary "$results"
final=$(python3 - "$results" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def med(k):
    v = [r[k] for r in rows if r.get(k) is not None]
    return ("%.0f" % statistics.median(v)) if v else "na"
print("memcg_capacity measured=%s modelled=%s diff_pct=%s accepted_bytes_per_socket=%s "
      "opened_bytes_per_socket=%s opened_measured=%s baseline=%s runs=%d" % (
      med("measured"), med("modelled"), "%.1f" % statistics.median(r["diff_pct"] for r in rows),
      med("acc_kmem_per_sock"), med("opened_kmem_per_sock"), med("opened_measured"),
      med("baseline"), len(rows)))
EOF
)
if ((rc)); then
	echo "memcg-capacity: FAIL: sockcap's memory row differs from the measured count by more than $max_diff% (in at least one run)" >&2
fi
echo "$final"
exit "$rc"
