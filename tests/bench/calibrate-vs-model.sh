#!/usr/bin/env bash
# calibrate-vs-model.sh - does `sockcap calibrate` agree with an independent
# slab-delta measurement (tests/bench/slab-per-socket.sh), run after run, and
# how does it compare with the model's figure (slabinfo or the built-in
# table)?
#
# Each run, back to back on a quiet machine:
#   bench      slab-per-socket.sh -r 1: Slab growth per socket of 4000 pairs
#   calibrate  sockcap calibrate --connections 4000: the same quantity
#   model      sockcap audit -f json, idle: per_connection.kernel_bytes_per_socket
#   table      the same with proc/slabinfo hidden (a copy of this host's
#              facts without slabinfo and sys/kernel/slab: the built-in table)
# Prints a row per run and the medians; exits 1 when calibrate and the bench
# differ by more than 10% in any run. Needs root (slabinfo, vm/stat_refresh).
#
# Usage: tests/bench/calibrate-vs-model.sh [-r RUNS] [--sockcap PATH]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=3
sockcap=$root/sockcap
while (($#)); do
	case $1 in
	-r) runs=$2; shift 2 ;;
	--sockcap) sockcap=$2; shift 2 ;;
	*) echo "usage: $0 [-r RUNS] [--sockcap PATH]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "calibrate-vs-model: needs root" >&2; exit 2; }
py=/usr/bin/python3
json() { $py -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1].split("."): d=d[k]
print(d)' "$1"; }

# The table figure: this host's facts without slabinfo and slab sysfs.
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/proc/sys/kernel"
cp /proc/sys/kernel/osrelease "$tree/proc/sys/kernel/osrelease"
cp /proc/meminfo "$tree/proc/meminfo"
table=$("$sockcap" -r "$tree" -f json | json per_connection.kernel_bytes_per_socket)
series=$("$sockcap" -r "$tree" -f json | json per_connection.table_series)
model=$("$sockcap" -f json | json per_connection.kernel_bytes_per_socket)
from=$("$sockcap" -f json | json per_connection.object_sizes_from)

fail=0
printf '%-4s %10s %10s %8s\n' run bench calibrate diff
for r in $(seq "$runs"); do
	b=$(bash "$here/slab-per-socket.sh" -r 1 2>/dev/null | grep -oE 'slab_bytes_per_socket_median=[0-9]+' | cut -d= -f2)
	c=$("$sockcap" calibrate --connections 4000 -f json | json kernel_bytes_per_socket)
	d=$($py -c "print(f'{100 * ($c - $b) / $b:+.1f}%')")
	printf '%-4s %10s %10s %8s\n' "$r" "$b" "$c" "$d"
	$py -c "import sys; sys.exit(abs($c - $b) / $b > 0.10)" || fail=1
	bs+=("$b")
	cs+=("$c")
done
mb=$(printf '%s\n' "${bs[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
mc=$(printf '%s\n' "${cs[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
echo "median: bench $mb, calibrate $mc"
echo "model ($from): $model bytes per socket; calibrate/model $($py -c "print(f'{$mc / $model:.3f}')")"
echo "table (Linux $series series): $table bytes per socket; calibrate/table $($py -c "print(f'{$mc / $table:.3f}')")"
echo "calibrate_vs_model bench=$mb calibrate=$mc model=$model model_from=$from table=$table runs=$runs"
exit $fail
