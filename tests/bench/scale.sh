#!/usr/bin/env bash
# scale.sh - does an audit cost the same on a host with a million
# connections, and at most linearly more on a host with a lot of
# configuration?
#
# For each case and size, `sockcap audit --format json` is run
#   - under callgrind (instructions: the figure decisions are made on; the
#     machine is shared and times are noisy),
#   - timed whole (fork + exec + run + wait, median and fastest of RUNS,
#     with tests/bench/spawntimer.c),
#   - and its peak RSS read (getrusage of the child),
# and one line per size is printed:
#   CASE SIZE instructions=N median_ns=N min_ns=N maxrss_kb=N
#
# Cases:
#   fds       --pid of a real process holding 100, 1000 and 19000 open
#             descriptors (this machine's hard nofile is 20000). On Linux 6.2+
#             the count comes from one stat of /proc/PID/fd: instructions
#             must stay within 10% of the 100-descriptor run. Before 6.2 the
#             directory is read: the case must be linear instead.
#   files     --root of a copied tree whose etc/sysctl.d holds 10, 100, 1000
#             and 10000 files (and usr/lib/sysctl.d as many, half masked).
#   depth     --root of a tree whose process sits 1, 50 and 100 cgroup
#             levels deep, each level with memory.max, memory.current and
#             pids.max. Judged on instructions and on the fastest run's
#             time: under valgrind openat2 is missing, and a file opened by
#             its whole path under --root takes the component-by-component
#             walk (src/source.c), so whole-path opens per level would show
#             as quadratic instructions.
#   slabinfo  --root of a tree whose proc/slabinfo has 100, 1000 and 10000
#             rows, the sockets' caches last.
#   users     (as root) this host's audit as root and as nobody (setpriv):
#             the unprivileged audit, which falls back to the built-in table,
#             must run no more instructions than root's.
# "Linear" means: the instructions each added unit costs over the last step
# (largest minus second largest size) are at most 1.5 times what each cost
# over the step before; a quadratic cost is 10 times. Every run's peak RSS
# must stay under 4 MiB.
#
# Exit status: 0 when every bound holds, 1 when one does not, 2 on a setup
# error. Scratch files live under $TMPDIR/sockcap-scale.XXXXXX and go on
# every exit; the descriptor holder is ended by its PID.
#
# Usage: tests/bench/scale.sh [-n RUNS] [--sockcap PATH] [CASE...]
#   -n RUNS         timed runs per size (default 10, at least 3)
#   --sockcap PATH  sockcap binary (default: $SOCKCAP, else ./sockcap at the
#                   repository root)
#   CASE            fds, files, depth, slabinfo, users (default: all; users
#                   only as root)
# Needs: bash, cc, valgrind, python3 (files and the descriptor holder). Takes a minute or two.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=10
sockcap=${SOCKCAP:-$root/sockcap}
max_flat=1.10
max_growth=1.5
max_rss_kb=4096
cases=()

die() { echo "scale: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

while (($#)); do
	case $1 in
	-n|--runs) (($# >= 2)) || die "$1 needs a value"; runs=$2; shift 2 ;;
	--sockcap) (($# >= 2)) || die "$1 needs a value"; sockcap=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	fds|files|depth|slabinfo|users) cases+=("$1"); shift ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done
if ((${#cases[@]} == 0)); then
	cases=(fds files depth slabinfo)
	((EUID == 0)) && command -v setpriv >/dev/null && cases+=(users)
fi
[[ $runs =~ ^[0-9]+$ ]] && ((runs >= 3 && runs <= 1000)) || die "-n must be 3..1000"
[[ -x $sockcap && ! -d $sockcap ]] || die "'$sockcap' is not an executable file: build it (make)"
command -v valgrind >/dev/null || die "valgrind not found"
command -v python3 >/dev/null || die "python3 not found"
command -v cc >/dev/null || die "cc not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sockcap-scale.XXXXXX")
holder=
cleanup() {
	if [[ -n $holder ]]; then kill "$holder" 2>/dev/null || true; wait "$holder" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cc -O2 -Wall -Wextra -Werror -o "$tmp/spawntimer" "$here/spawntimer.c" || die "failed to build spawntimer.c"
cc -O2 -Wall -Wextra -Werror -o "$tmp/maxrss" "$here/maxrss.c" || die "failed to build maxrss.c"
export LC_ALL=C
rc=0

# instructions ARGS... -> the instructions callgrind counted for sockcap ARGS
instructions() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$sockcap" "$@" \
		>/dev/null 2>"$tmp/cg.err" || die "sockcap $* failed under callgrind: $(tail -3 "$tmp/cg.err")"
	awk '/Collected :/ { print $NF }' "$tmp/cg.err"
}
# times ARGS... -> "MEDIAN MIN" ns of RUNS runs of sockcap ARGS
times() {
	"$tmp/spawntimer" -n "$runs" -w 2 --label=x "$sockcap" "$@" >"$tmp/time.out" ||
		die "timing sockcap $* failed"
	awk '$1 == "x" { sub(/^median_ns=/, "", $2); sub(/^min_ns=/, "", $3); print $2, $3 }' \
		"$tmp/time.out"
}
# maxrss_kb ARGS... -> the peak resident set of one run of sockcap ARGS
maxrss_kb() { "$tmp/maxrss" "$sockcap" "$@" || die "sockcap $* failed"; }

declare -A ins tns
# measure CASE SIZE ARGS...: prints the line, records the instructions
measure() {
	local c=$1 n=$2 i t tmin m
	shift 2
	i=$(instructions "$@")
	read -r t tmin < <(times "$@")
	m=$(maxrss_kb "$@")
	ins[$c.$n]=$i
	tns[$c.$n]=$tmin
	echo "$c $n instructions=$i median_ns=$t min_ns=$tmin maxrss_kb=$m"
	if ((m >= max_rss_kb)); then
		echo "scale: FAIL: $c $n: peak RSS ${m} KiB, not under $max_rss_kb KiB" >&2
		rc=1
	fi
}
# grows WHAT FLOOR CASE A B D (A, B, D are three values of WHAT, then the
# sizes): the cost per unit over B..D at most max_growth times the cost per
# unit over A..B, taken as at least FLOOR (noise on a tiny step)
grows() {
	local what=$1 floor=$2 c=$3 a=$4 b=$5 d=$6 va=$7 vb=$8 vd=$9
	awk -v w="$what" -v f="$floor" -v c="$c" -v a="$a" -v b="$b" -v d="$d" -v va="$va" \
		-v vb="$vb" -v vd="$vd" -v m="$max_growth" 'BEGIN {
		lo = (vb - va) / (b - a); hi = (vd - vb) / (d - b)
		printf "%s: %.1f %s per unit over %d..%d, %.1f over %d..%d (limit %.1fx)\n",
			c, lo, w, a, b, hi, b, d, m
		if (lo < f) lo = f
		exit !(hi <= m * lo)
	}' || { echo "scale: FAIL: $c grows faster than linearly" >&2; rc=1; }
}
# linear CASE S1 S2 S3: on instructions
linear() { grows instructions 1 "$@" "${ins[$1.$2]}" "${ins[$1.$3]}" "${ins[$1.$4]}"; }
# linear_time CASE S1 S2 S3: on the fastest runs (the least noisy figure on
# a shared machine), a step's cost taken as at least 5 us a unit: the
# fastest of 20 runs still moves by 0.2 ms between sizes here, while a
# lookup of the whole path per file cost 7.4 us a level over 1..50 and 17.8
# over 50..100
linear_time() { grows ns 5000 "$@" "${tns[$1.$2]}" "${tns[$1.$3]}" "${tns[$1.$4]}"; }

# A copied tree to build on: the Debian 12 fixture without its slabinfo
# (each case adds what it measures).
base_tree() {
	rm -rf "$tmp/tree"
	cp -r "$root/tests/fixtures/debian12-vm" "$tmp/tree"
}

slab_rows() { # N caches, the sockets' last
	printf 'slabinfo - version: 2.1\n'
	printf '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n'
	awk -v n="$1" 'BEGIN { for (i = 0; i < n - 5; i++)
		printf "kmalloc-node-%-12d %6d %6d %6d %4d %4d : tunables 0 0 0 : slabdata %6d %6d 0\n", i, 100, 128, 64, 64, 1, 2, 2 }'
	printf 'TCP 26 26 2368 13 8 : tunables 0 0 0 : slabdata 2 2 0\n'
	printf 'sock_inode_cache 95 95 832 19 4 : tunables 0 0 0 : slabdata 5 5 0\n'
	printf 'filp 367 462 192 21 1 : tunables 0 0 0 : slabdata 22 22 0\n'
	printf 'dentry 7476 7476 192 21 1 : tunables 0 0 0 : slabdata 356 356 0\n'
	printf 'eventpoll_epi 224 224 128 32 1 : tunables 0 0 0 : slabdata 7 7 0\n'
}

for c in "${cases[@]}"; do
	case $c in
	fds)
		release=$(uname -r)
		IFS=. read -r major minor _ <<<"$release"
		for n in 100 1000 19000; do
			python3 -c 'import os, resource, sys, time
n = int(sys.argv[1])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, n + 64)), hard))
fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(n - 3)]
print(len(os.listdir("/proc/self/fd")) - 1, flush=True)
time.sleep(600)' "$n" >"$tmp/holder.out" &
			holder=$!
			for _ in $(seq 100); do [[ -s $tmp/holder.out ]] && break; sleep 0.1; done
			[[ -s $tmp/holder.out ]] || die "the descriptor holder did not start"
			measure fds "$n" audit --format json --pid "$holder"
			kill "$holder"; wait "$holder" 2>/dev/null || true; holder=
		done
		if ((major > 6 || (major == 6 && minor >= 2))); then
			awk -v a="${ins[fds.100]}" -v b="${ins[fds.19000]}" -v m="$max_flat" 'BEGIN {
				printf "fds: 19000 descriptors cost %.3fx the instructions of 100 (limit %.2fx)\n", b / a, m
				exit !(b <= m * a) }' ||
				{ echo "scale: FAIL: descriptors are not flat on Linux $release" >&2; rc=1; }
		else
			linear fds 100 1000 19000
		fi
		;;
	files)
		for n in 10 100 1000 10000; do
			base_tree
			mkdir -p "$tmp/tree/etc/sysctl.d" "$tmp/tree/usr/lib/sysctl.d"
			python3 -c 'import sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    open(f"{root}/usr/lib/sysctl.d/{i:05d}-tune.conf", "w").write(f"net.core.somaxconn = {100000 + i}\n")
    if i % 2:
        open(f"{root}/etc/sysctl.d/{i:05d}-tune.conf", "w").write(f"net.core.somaxconn = {i}\n")' "$tmp/tree" "$n"
			measure files "$n" --root "$tmp/tree" audit --format json
		done
		linear files 100 1000 10000
		;;
	depth)
		for n in 1 50 100; do
			base_tree
			rm -rf "$tmp/tree/sys/fs/cgroup"
			dir=
			for ((i = 1; i <= n; i++)); do
				dir+=/level-$i
				mkdir -p "$tmp/tree/sys/fs/cgroup$dir"
				echo max >"$tmp/tree/sys/fs/cgroup$dir/memory.max"
				echo $((1000 * i)) >"$tmp/tree/sys/fs/cgroup$dir/memory.current"
				echo max >"$tmp/tree/sys/fs/cgroup$dir/pids.max"
			done
			echo "0::$dir" >"$tmp/tree/proc/self/cgroup"
			measure depth "$n" --root "$tmp/tree" audit --format json
		done
		# Each level is opened from its parent's directory and its files
		# from it: linear in instructions (under valgrind openat2 is
		# ENOSYS, and a file opened by its whole path would take the
		# component walk of src/source.c, quadratic in the depth) and in
		# the kernel's time (a whole path is a lookup per component).
		linear depth 1 50 100
		linear_time depth 1 50 100
		;;
	users)
		((EUID == 0)) || die "the users case runs as root"
		r=$(instructions audit --format json)
		u=$(cd / && setpriv --reuid=65534 --regid=65534 --clear-groups valgrind --tool=callgrind \
			--callgrind-out-file=/dev/null "$sockcap" audit --format json 2>&1 >/dev/null |
			awk '/Collected :/ { print $NF }')
		[[ -n $u ]] || die "the unprivileged audit failed under callgrind"
		echo "users root instructions=$r"
		echo "users nobody instructions=$u"
		if ((u > r)); then
			echo "scale: FAIL: the unprivileged audit runs more instructions than root's" >&2
			rc=1
		fi
		;;
	slabinfo)
		for n in 100 1000 10000; do
			base_tree
			slab_rows "$n" >"$tmp/tree/proc/slabinfo"
			measure slabinfo "$n" --root "$tmp/tree" audit --format json
		done
		linear slabinfo 100 1000 10000
		;;
	esac
done
exit "$rc"
