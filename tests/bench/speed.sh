#!/usr/bin/env bash
# speed.sh - is `sockcap audit --format json` about as cheap as reading the
# same kernel settings with sysctl?
#
# Times whole processes (fork + exec + run + exit + wait) with a small C
# driver (tests/bench/spawntimer.c, built into a temporary directory) that
# runs the commands interleaved, output to /dev/null, and reports the median
# of RUNS timed runs each, after WARMUP untimed ones (after the machine has
# been idle, the first ten or so runs of both commands are slower, sockcap's
# more, as it touches more kernel objects: the steady state is compared):
#
#   1. `sockcap audit --format json`  versus  one `sysctl -n KEY...` process
#      reading the keys below (keys absent on this host are dropped first),
#      and versus the floor (tests/bench/floor.c, built static): a program
#      that opens and reads exactly the files the audit reads, as strace
#      lists them, and writes nothing. All three interleaved, LC_ALL=C for
#      every one (sysctl without locale files is faster: the locale is
#      pinned, not inherited). Prints the medians and both ratios; fails
#      (exit 1) when sockcap/sysctl > 1.5, or as root when sockcap/floor >
#      1.3. Without strace the floor is skipped, with a message.
#   2. sockcap with soft RLIMIT_NOFILE 1024 versus the hard limit (set in the
#      child just before exec): the cost must not grow with the limit; fails
#      (exit 1) when high/low > 1.3.  Skipped when the hard limit is <= 1024.
#   3. Where the time goes (informational, never fails): `sockcap --version`
#      (a process with sockcap's libraries that reads nothing) beside empty
#      programs built here (static, as the floor is; and with the dynamic
#      libc, as sockcap is) and, when
#      /proc/slabinfo is readable, `cat /proc/slabinfo` minus
#      `cat /proc/loadavg` (what the kernel takes to write slabinfo, which an
#      audit reads and sysctl does not).
#
# The last line is machine-readable:
#   ratio=0.83 sockcap_median_ns=N sysctl_median_ns=N ... version_median_ns=N
#   [empty_static_median_ns=N empty_dynamic_median_ns=N]
#   [slabinfo_ns=N] [floor_ratio=1.2 floor_median_ns=N]
#
# Usage: tests/bench/speed.sh [-n RUNS] [-w WARMUP] [--sockcap PATH]
#   -n RUNS          timed runs per command, at least 30 (default 60)
#   -w WARMUP        untimed runs before them (default 20)
#   --sockcap PATH   sockcap binary (default: $SOCKCAP, else ./sockcap at the
#                    repository root, found from this script's location, so
#                    the script can be run from any directory)
# To try the machinery before sockcap exists: SOCKCAP=/bin/true tests/bench/speed.sh
# Needs: bash, cc (gcc, with the static libc of libc6-dev), sysctl (procps), awk,
# coreutils; strace for the floor. Runs in a few seconds.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=60
warmup=20
sockcap=${SOCKCAP:-$root/sockcap}
max_ratio=1.5
max_floor_ratio=1.3
max_nofile_ratio=1.3
low_nofile=1024

die() { echo "speed: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

while (($#)); do
	case $1 in
	-n|--runs) (($# >= 2)) || die "$1 needs a value"; runs=$2; shift 2 ;;
	-w|--warmup) (($# >= 2)) || die "$1 needs a value"; warmup=$2; shift 2 ;;
	--sockcap) (($# >= 2)) || die "$1 needs a value"; sockcap=$2; shift 2 ;;
	--sockcap=*) sockcap=${1#--sockcap=}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done
if ! [[ $runs =~ ^[0-9]+$ ]] || ! ((runs >= 30 && runs <= 10000)); then die "-n must be 30..10000"; fi
if ! [[ $warmup =~ ^[0-9]+$ ]] || ! ((warmup >= 1 && warmup <= 1000)); then die "-w must be 1..1000"; fi

if [[ $sockcap != */* ]]; then
	sockcap=$(type -P -- "$sockcap") || die "sockcap '$sockcap' not found in PATH"
fi
[[ -x $sockcap && ! -d $sockcap ]] ||
	die "'$sockcap' is not an executable file: build it (make) or set SOCKCAP=/path/to/sockcap"
# Every command runs in the C locale: sysctl loads no locale files then.
export LC_ALL=C
unset LANGUAGE
sysctl_bin=$(PATH=$PATH:/usr/sbin:/sbin command -v sysctl) || die "sysctl (procps) not found"
command -v cc >/dev/null || die "cc (gcc) not found"

all_keys=(fs.file-max fs.nr_open fs.file-nr fs.epoll.max_user_watches
	net.ipv4.tcp_mem net.ipv4.tcp_rmem net.ipv4.tcp_wmem
	net.ipv4.ip_local_port_range net.ipv4.tcp_max_orphans
	net.ipv4.tcp_max_tw_buckets net.ipv4.tcp_max_syn_backlog
	net.core.somaxconn net.netfilter.nf_conntrack_max
	net.netfilter.nf_conntrack_count net.netfilter.nf_conntrack_buckets
	kernel.threads-max kernel.pid_max kernel.osrelease)
keys=() dropped=()
for k in "${all_keys[@]}"; do
	if [[ -r /proc/sys/${k//.//} ]]; then keys+=("$k"); else dropped+=("$k"); fi
done
((${#keys[@]})) || die "none of the sysctl keys is readable under /proc/sys"
"$sysctl_bin" -n "${keys[@]}" >/dev/null || die "'sysctl -n ${keys[*]}' failed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/speed.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cc -O2 -Wall -Wextra -Werror -o "$tmp/spawntimer" "$here/spawntimer.c" ||
	die "failed to build spawntimer.c"

# median_ns LABEL FILE -> the median the driver printed for LABEL
median_ns() { awk -v l="$1" '$1 == l { sub(/^median_ns=/, "", $2); print $2 }' "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
exceeds() { awk -v r="$1" -v m="$2" 'BEGIN { exit !(r > m) }'; }
ms() { awk -v n="$1" 'BEGIN { printf "%.3f ms", n / 1e6 }'; }

echo "speed: sockcap = $sockcap"
echo "speed: sysctl keys (${#keys[@]}): ${keys[*]}"
((${#dropped[@]} == 0)) || echo "speed: absent on this host, dropped: ${dropped[*]}"
rc=0

# The floor: the files the audit opens, from strace, as floor.c items
# (shared libraries and locale files are sockcap's own start, not the floor's).
floor=() floor_part=
if command -v strace >/dev/null && cc -O2 -static -Wall -Wextra -Werror -o "$tmp/floor" \
	"$here/floor.c" 2>/dev/null; then
	# -y: a file opened relative to a directory descriptor (the cgroup
	# levels) is named by that directory's path, and the floor opens the
	# whole path.
	strace -qq -y -e trace=openat,open -o "$tmp/strace" "$sockcap" audit --format json >/dev/null ||
		die "strace of sockcap failed"
	mapfile -t items < <(awk -F'"' '/open(at)?\(/ && $2 !~ /\.so|^\/etc\/ld\.so|locale|gconv/ {
		p = $2
		if (p !~ /^\// && match($1, /\(-?[0-9]+<[^>]*>/))
			p = substr($1, RSTART + index(substr($1, RSTART), "<"), RLENGTH - index(substr($1, RSTART), "<") - 1) "/" p
		if ($3 ~ /O_PATH/) print "@" p
		else if ($3 ~ /O_DIRECTORY/) print p "/"
		else if (p == "/proc/slabinfo") print "+" p
		else print p }' "$tmp/strace")
	floor=(:: --label=floor "$tmp/floor" "${items[@]}")
	echo "speed: floor reads ${#items[@]} paths, as the audit does"
else
	echo "speed: no strace or no static libc: the floor is skipped"
fi

# 1. sockcap audit vs sysctl -n (and the floor), interleaved.
"$tmp/spawntimer" -n "$runs" -w "$warmup" -o "$tmp/raw1" \
	--label=sockcap "$sockcap" audit --format json :: \
	--label=sysctl "$sysctl_bin" -n "${keys[@]}" "${floor[@]}" >"$tmp/out1" ||
	die "timing sockcap against sysctl failed"
s_ns=$(median_ns sockcap "$tmp/out1")
y_ns=$(median_ns sysctl "$tmp/out1")
r1=$(ratio "$s_ns" "$y_ns")
echo "sockcap audit --format json: median $(ms "$s_ns") over $runs runs"
echo "sysctl -n (${#keys[@]} keys):        median $(ms "$y_ns") over $runs runs"
echo "sockcap/sysctl = $r1 (limit $max_ratio)"
if exceeds "$r1" "$max_ratio"; then
	echo "speed: FAIL: sockcap is more than ${max_ratio}x slower than sysctl" >&2
	rc=1
fi
if ((${#floor[@]})); then
	f_ns=$(median_ns floor "$tmp/out1")
	rf=$(ratio "$s_ns" "$f_ns")
	echo "floor (the same reads, static, nothing written): median $(ms "$f_ns")"
	echo "sockcap/floor = $rf (limit $max_floor_ratio as root)"
	if ((EUID == 0)) && exceeds "$rf" "$max_floor_ratio"; then
		echo "speed: FAIL: sockcap costs more than ${max_floor_ratio}x its reads" >&2
		rc=1
	fi
	floor_part=" floor_ratio=$rf floor_median_ns=$f_ns"
fi

# 2. Cost must not grow with RLIMIT_NOFILE.
hard=$(ulimit -Hn)
nr_open=$(</proc/sys/fs/nr_open)
if [[ $hard == unlimited ]] || ((hard > nr_open)); then hard=$nr_open; fi
nofile_part=
if ((hard > low_nofile)); then
	"$tmp/spawntimer" -n "$runs" -w "$warmup" -o "$tmp/raw2" \
		--label=low --nofile="$low_nofile" "$sockcap" audit --format json :: \
		--label=high --nofile="$hard" "$sockcap" audit --format json >"$tmp/out2" ||
		die "timing sockcap under different RLIMIT_NOFILE failed"
	lo_ns=$(median_ns low "$tmp/out2")
	hi_ns=$(median_ns high "$tmp/out2")
	r2=$(ratio "$hi_ns" "$lo_ns")
	echo "sockcap, soft nofile $low_nofile: median $(ms "$lo_ns")"
	echo "sockcap, soft nofile $hard: median $(ms "$hi_ns")"
	echo "nofile $hard/$low_nofile = $r2 (limit $max_nofile_ratio)"
	if exceeds "$r2" "$max_nofile_ratio"; then
		echo "speed: FAIL: sockcap's cost grows with RLIMIT_NOFILE" >&2
		rc=1
	fi
	nofile_part=" nofile_ratio=$r2 nofile_low=$low_nofile nofile_low_median_ns=$lo_ns nofile_high=$hard nofile_high_median_ns=$hi_ns"
else
	echo "speed: hard RLIMIT_NOFILE is $hard: RLIMIT_NOFILE check skipped"
fi

# 3. Where the time goes.
cat_bin=$(command -v cat) || die "cat not found"
split=(--label=version "$sockcap" --version)
# Empty programs: the start and exit the floor pays (static) and what a
# dynamic libc adds (sockcap links libc only): sockcap's own start is the
# rest.
printf 'int main(void) { return 0; }\n' >"$tmp/empty.c"
if cc -O2 -static -o "$tmp/empty-static" "$tmp/empty.c" 2>/dev/null &&
	cc -O2 -o "$tmp/empty-dynamic" "$tmp/empty.c" 2>/dev/null; then
	split+=(:: --label=empty-static "$tmp/empty-static" :: --label=empty-dynamic "$tmp/empty-dynamic")
fi
if [[ -r /proc/slabinfo ]] && "$cat_bin" /proc/slabinfo >/dev/null 2>&1; then
	split+=(:: --label=slabinfo "$cat_bin" /proc/slabinfo :: --label=loadavg "$cat_bin" /proc/loadavg)
fi
"$tmp/spawntimer" -n "$runs" -w "$warmup" -o "$tmp/raw3" "${split[@]}" >"$tmp/out3" ||
	die "timing the parts failed"
v_ns=$(median_ns version "$tmp/out3")
echo "sockcap --version (start and exit, nothing read): median $(ms "$v_ns")"
split_part=" version_median_ns=$v_ns"
if grep -q '^empty-static ' "$tmp/out3"; then
	for e in static dynamic; do
		e_ns=$(median_ns "empty-$e" "$tmp/out3")
		case $e in
		static) what="an empty static program (the floor's own start)" ;;
		dynamic) what="an empty program with the dynamic libc, as sockcap has" ;;
		esac
		echo "$what: median $(ms "$e_ns")"
		split_part+=" empty_${e}_median_ns=$e_ns"
	done
fi
if grep -q '^slabinfo ' "$tmp/out3"; then
	sl_ns=$(($(median_ns slabinfo "$tmp/out3") - $(median_ns loadavg "$tmp/out3")))
	echo "cat /proc/slabinfo - cat /proc/loadavg (the kernel writing slabinfo): $(ms "$sl_ns")"
	split_part+=" slabinfo_ns=$sl_ns"
fi

printf 'ratio=%.2f sockcap_median_ns=%s sysctl_median_ns=%s runs=%s%s%s%s\n' \
	"$r1" "$s_ns" "$y_ns" "$runs" "$nofile_part" "$split_part" "$floor_part"
exit "$rc"
