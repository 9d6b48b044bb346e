#!/bin/sh
# Bad-input corpus: every file sockcap reads, broken every way we can think
# of, in fixture trees generated on the fly (git cannot hold a FIFO, a
# directory in place of a file or a symlink loop portably, and thousands of
# files would be noise).
#
#   sh tests/badinput/run.sh              run every case (POSIX sh; bash works)
#   KEEP=1 sh tests/badinput/run.sh       keep the scratch directory (printed)
#   SOCKCAP=/path/to/sockcap sh ...       test another binary (an ASan build)
#   BADINPUT_JOBS=N sh ...                parallel workers (default: nproc)
#   BADINPUT_ONLY=REGEX sh ...            only cases whose "id base class kind
#                                         target" line matches REGEX (grep -E)
#   BADINPUT_KINDS="empty loop ..." sh .. only these breakages of files
#
# Needs timeout, mkfifo and python3 (python3-jsonschema and python3-yaml are
# used when there); as root, setpriv for the permission cases.
#
# The cases (see "the cases" below): each file of src/facts.def on
# debian12-vm as sockcap itself, and the per-process ones again on
# nginx-service as --pid 4243 (a worker of its master 4242: the process
# --pid 4242 reads); proc/slabinfo; sys/kernel/slab/<cache>/
# objs_per_slab and order; the cgroup membership, limit, usage and memory.stat files of
# debian12-vm, docker-v1 (v1), k8s-pod-v2 and nginx-service; the sysctl.d,
# limits.d, system.conf and unit files nginx-service's audit reads;
# directories (proc/self, proc/sys, sys/fs/cgroup, ...) in place; and roots
# at which nothing can be read. A file is emptied, blanked, given negative
# numbers, 2^64, words or trailing junk where its numbers are, zeros,
# 2^64-1, binary junk, a 900 kB line (parsed) or a 2 MiB one (over the read
# cap); or replaced by a directory, a symlink loop, a FIFO, a symlink to
# /dev/zero, a symlink to the host's file of the same path (resolved inside
# the root, it is never the host's), a character device node (as root),
# nothing, or made unreadable (sockcap then runs as nobody).
#
# Each case runs facts, audit (the idle profile and one under which every
# row applies) and plan --target 100k as JSON, audit as YAML, and audit,
# facts and plan as text. Every run must end within 10 s, without a signal,
# with exit 0 (3 for the unreadable roots; 2 and 3 where --pid makes them
# the documented answer); JSON must be valid UTF-8 JSON (and match
# data/schema/audit.schema.json); the broken fact must show the status the
# breakage calls for (invalid, missing or denied: see expected() below);
# facts from other files must keep their baseline status; audit's errors[]
# must list exactly the invalid and denied facts; and capacity.partial must
# be true when a limit a row that can bind is computed from is broken.
#
# Prints one line per failed check and ends with exactly
#   badinput: N passed, M failed
# (N and M count cases). Exits 1 on any failure, 2 when it cannot run.
set -u

# ---- one case (run by the workers through xargs) ----------------------------
if [ "${1:-}" = --case ]; then
	shift
	id=$1 base=$2 class=$3 kind=$4 target=$5
	: "${S:?}" "${SOCKCAP:?}"
	cdir=$S/cases/$id
	tree=$cdir/tree
	mkdir -p "$cdir"
	chmod 755 "$cdir"
	runner=""
	# The nginx-service base is audited as its service, by --pid.
	pidargs=""
	[ "$base" = nginx-service ] && pidargs="--pid 4243"

	# Numbers in place: each blank- or /-delimited run of digits (and dots)
	# becomes rep, sed replacement text in which \2 is the number. Files
	# without numbers (a cgroup "max") and the one-value classes get whole
	# instead, as the entire file.
	numsub() {
		p=$1 rep=$2 whole=$3 lines=1
		[ "$class" = slabinfo ] && lines=3 # keep the header
		case $class in cgmember | cglimit | cgusage | sysfsslab) ;; *)
			if [ -f "$p" ]; then
				sed -E "$lines,\$ s/(^|[[:space:]\/])([0-9][0-9.]*)/\1$rep/g" "$p" >"$p.new"
				if ! cmp -s "$p" "$p.new"; then
					mv "$p.new" "$p"
					return
				fi
				rm -f "$p.new"
			fi
			;;
		esac
		rm -rf "$p"
		printf '%s\n' "$whole" >"$p"
	}

	# The cgroup path of a v1 host is one level deeper (memory/, pids/).
	cgline() {
		if [ "$base" = docker-v1 ]; then
			printf '12:memory:%s\n7:pids:%s\n1:name=systemd:%s\n' "$1" "$1" "$1"
		else
			printf '0::%s\n' "$1"
		fi
	}

	# Hard links are cheap; every breakage below replaces the file it breaks
	# (rm, mv) rather than writing through the link into the base.
	case $kind in root_*) ;; *)
		cp -al "$S/base/$base" "$tree" 2>/dev/null ||
			{ rm -rf "$tree" && cp -R "$S/base/$base" "$tree"; }
		;;
	esac
	p=$tree/$target
	case $kind in
	baseline) ;;
	empty) rm -rf "$p" && : >"$p" ;;
	blank) rm -rf "$p" && printf ' \t \n\n' >"$p" ;;
	neg) numsub "$p" '-1' '-1' ;;
	overflow) numsub "$p" '18446744073709551616' '18446744073709551616' ;;
	overflow_long) numsub "$p" '9999999999999999999999999999999999999999' \
		'9999999999999999999999999999999999999999' ;;
	words) numsub "$p" 'lots' 'lots' ;;
	trailing) numsub "$p" '\2x' '4096x' ;;
	zero) numsub "$p" '0' '0' ;;
	u64max) numsub "$p" '18446744073709551615' '18446744073709551615' ;;
	junk) rm -rf "$p" && cp "$S/junk" "$p" ;;
	badutf8)
		rm -rf "$p"
		if [ "$class" = cgmember ]; then
			cgline "$(printf '/system.slice/\377\376\300.service')" >"$p"
		else
			printf '6.1.0-\377\376\300-amd64\n' >"$p"
		fi
		;;
	dotdot)
		# /proc/self/cgroup really shows "/../.." for a cgroup outside the
		# cgroup namespace; nothing outside sys/fs/cgroup may be read. A v2
		# base is 3 levels below the root, a v1 base 4: both reach cdir.
		if [ "$base" = docker-v1 ]; then up=/../../../../../outside; else up=/../../../../outside; fi
		mkdir -p "$cdir/outside"
		for f in memory.max memory.current pids.max pids.current \
			memory.limit_in_bytes memory.usage_in_bytes; do
			echo 12345 >"$cdir/outside/$f"
		done
		rm -f "$p" && cgline "$up" >"$p"
		;;
	longpath) rm -f "$p" && cgline "/$(printf 'a%.0s/' $(seq 1 200))leaf" >"$p" ;;
	longline) rm -rf "$p" && { ln "$S/long" "$p" 2>/dev/null || cp "$S/long" "$p"; } ;;
	bigline) cat "$p" "$S/big" >"$p.new" && mv -f "$p.new" "$p" ;;
	manyfiles)
		i=0
		while [ $i -lt 200 ]; do
			printf '# badinput\nfs.file-max = 1000\n* soft nofile 1000\n' >"$p/many-$i.conf"
			i=$((i + 1))
		done
		;;
	longname) echo 'fs.file-max = 1000' >"$p/$(printf 'n%.0s' $(seq 1 250)).conf" ;;
	dir) rm -rf "$p" && mkdir "$p" && echo 1 >"$p/1" ;;
	emptydir) rm -rf "$p" && mkdir "$p" ;;
	file) rm -rf "$p" && echo 1 >"$p" ;;
	loop) rm -rf "$p" && ln -s "$(basename "$p")" "$p" ;;
	dangling) rm -rf "$p" && ln -s nonexistent "$p" ;;
	missing) rm -rf "$p" ;;
	fifo) rm -rf "$p" && mkfifo "$p" ;;
	devzero) rm -rf "$p" && ln -s /dev/zero "$p" ;;
	# The host's own file of the same name: under the root it names itself.
	hostlink) rm -rf "$p" && ln -s "/${p#"$tree"/}" "$p" ;;
	# A device node in the tree itself (/dev/zero's numbers; root only).
	chardev) rm -rf "$p" && mknod "$p" c 1 5 ;;
	denied)
		if [ -f "$p" ]; then cp "$p" "$p.new" && mv -f "$p.new" "$p"; fi
		chmod -R a+rX "$tree"
		chmod 000 "$p"
		runner=$DENY_RUNNER
		;;
	# Whole roots: nothing at them can be read (root_one_* can: one thing).
	root_emptydir) mkdir "$tree" ;;
	root_missing) ;;
	root_file) echo 1 >"$tree" ;;
	root_loop) ln -s tree "$tree" ;;
	root_proc_file) mkdir "$tree" && echo 1 >"$tree/proc" ;;
	root_proc_loop) mkdir "$tree" && ln -s proc "$tree/proc" ;;
	root_proc_dangling) mkdir "$tree" && ln -s nonexistent "$tree/proc" ;;
	root_proc_emptydir) mkdir -p "$tree/proc" ;;
	root_proc_fifo) mkdir "$tree" && mkfifo "$tree/proc" ;;
	root_proc_denied)
		cp -R "$S/base/$base" "$tree"
		chmod -R a+rX "$tree"
		chmod 000 "$tree/proc"
		runner=$DENY_RUNNER
		;;
	root_all_dirs | root_all_junk | root_all_fifos | root_all_loops)
		cp -R "$S/base/$base" "$tree"
		find "$tree/proc" "$tree/sys" -type f | while IFS= read -r f; do
			rm -f "$f"
			case $kind in
			root_all_dirs) mkdir "$f" ;;
			root_all_junk) cp "$S/junk" "$f" ;;
			root_all_fifos) mkfifo "$f" ;;
			root_all_loops) ln -s "$(basename "$f")" "$f" ;;
			esac
		done
		rm -rf "$tree/proc/self/fd"
		;;
	root_one_sysctl) mkdir -p "$tree/proc/sys/fs" && echo 1048576 >"$tree/proc/sys/fs/file-max" ;;
	root_one_slabinfo) mkdir -p "$tree/proc" && cp "$S/base/$base/proc/slabinfo" "$tree/proc/" ;;
	*)
		echo "badinput: unknown kind $kind" >&2
		exit 1
		;;
	esac

	run() {
		name=$1
		shift
		# shellcheck disable=SC2086
		timeout -k 2 10 $runner "$SOCKCAP" --root "$tree" $pidargs "$@" </dev/null \
			>"$cdir/$name.out" 2>"$cdir/$name.err"
		echo $? >"$cdir/$name.rc"
	}
	run facts.json facts --format json
	run audit.json audit --format json
	run all.json audit --format json --profile "$S/all.yaml"
	run plan.json plan --format json --target 100k
	run audit.yaml audit --format yaml
	run audit.txt audit --color never
	run facts.txt facts
	run plan.txt plan --target 100k --color never
	if [ -z "${KEEP:-}" ]; then
		case $kind in *denied) chmod -R u+rwX "$tree" 2>/dev/null ;; esac
		rm -rf "$tree" "$cdir/outside"
	fi
	exit 0
fi

# ---- the driver ---------------------------------------------------------------
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
SOCKCAP=${SOCKCAP:-$top/sockcap}
PY=${PYTHON:-python3}
case $SOCKCAP in /*) ;; *) SOCKCAP=$(pwd)/$SOCKCAP ;; esac
if [ ! -x "$SOCKCAP" ]; then
	echo "badinput: $SOCKCAP is not built (run make)" >&2
	exit 2
fi
for tool in timeout mkfifo "$PY"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "badinput: needs $tool" >&2
		exit 2
	fi
done
# Some 1300 cases of small files: on a tmpfs that is several times faster
# than on a disk. /dev/shm when TMPDIR is not set and it has 1 GiB free.
scratch_parent=${TMPDIR:-/tmp}
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ] &&
	[ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')" -gt 1048576 ] 2>/dev/null; then
	scratch_parent=/dev/shm
fi
S=$(mktemp -d "$scratch_parent/badinput.XXXXXX") || exit 2
if [ -n "${KEEP:-}" ]; then
	echo "badinput: keeping $S" >&2
else
	trap 'chmod -R u+rwX "$S" 2>/dev/null; rm -rf "$S"' EXIT
	trap 'exit 130' INT TERM
fi
chmod 755 "$S"
mkdir -m 755 "$S/base" "$S/cases"
# A copy: a rebuild while the cases run must not swap the binary under them.
cp "$SOCKCAP" "$S/sockcap" || exit 2
SOCKCAP=$S/sockcap
export S SOCKCAP

# denied: as root, run sockcap as nobody; without setpriv, skip those cases.
DENY_RUNNER=""
deny=yes
if [ "$(id -u)" -eq 0 ]; then
	if command -v setpriv >/dev/null 2>&1; then
		DENY_RUNNER="setpriv --reuid=65534 --regid=65534 --clear-groups"
	else
		deny=no
	fi
fi
export DENY_RUNNER

# Shared payloads: binary junk (NUL, high bytes, stray digits and newlines),
# a 2 MiB line (twice the most sockcap reads of a file) and a 900 kB one
# (under that cap: the parsers get it).
printf '\177ELF\002\001\001\000\000\000\377\376 12\n\0003\t-\200\201 lots\r\n9\0009\n' >"$S/junk"
head -c 2097152 /dev/zero | tr '\0' '9' >"$S/long"
echo >>"$S/long"
head -c 900000 /dev/zero | tr '\0' '9' >"$S/big"
# A profile under which every row that can bind applies.
cat >"$S/all.yaml" <<'YAML'
name: every-row
description: every row applies (epoll, conntrack, outbound ports, buffers, threads)
sockets_per_connection: 2
outbound_sockets: 1
rx_bytes: 4K
tx_bytes: 4K
app_bytes: 4K
epoll: true
conntrack: true
thread_per_connection: true
reserved_fds: 32
churn_per_second: 100
YAML

# facts.def: "read path nvalues" of every fact with a fixed path.
awk -F', *' '/^X\(/ { gsub(/"/, "", $4); if ($4 != "") print $3, $4, $6 }' \
	"$top/src/facts.def" | sort -u >"$S/paths"

BASES="debian12-vm docker-v1 k8s-pod-v2 nginx-service"
for b in $BASES; do
	if [ ! -d "$top/tests/fixtures/$b/proc" ]; then
		echo "badinput: no fixture tests/fixtures/$b" >&2
		exit 2
	fi
	cp -R "$top/tests/fixtures/$b" "$S/base/$b"
	rm -f "$S/base/$b/NOTES.md"
done
deb=$S/base/debian12-vm
# What the fixture may lack but sockcap reads: the process's status and fd
# directory, sysctls absent on 6.1, and a cache the sysfs fallback serves
# (tcp_bind_bucket is merged away from slabinfo).
if [ ! -e "$deb/proc/self/status" ]; then
	printf 'Name:\tsockcap\nUid:\t1000\t1000\t1000\t1000\nThreads:\t1\nCapEff:\t0000000000000000\n' \
		>"$deb/proc/self/status"
fi
mkdir -p "$deb/proc/self/fd"
for fd in 0 1 2 3; do ln -sf /dev/null "$deb/proc/self/fd/$fd"; done
while read -r read path n; do
	if [ "$read" = READ_SYSCTL ] && [ ! -e "$deb/$path" ]; then
		mkdir -p "$(dirname "$deb/$path")"
		printf '0 0 0 0 0 0 0 0' | cut -d' ' -f1-"$n" >"$deb/$path"
	fi
done <"$S/paths"
mkdir -p "$deb/sys/kernel/slab/tcp_bind_bucket"
echo 32 >"$deb/sys/kernel/slab/tcp_bind_bucket/objs_per_slab"
echo 0 >"$deb/sys/kernel/slab/tcp_bind_bucket/order"
# The persistent configuration the nginx-service fixture lacks.
ngx=$S/base/nginx-service
mkdir -p "$ngx/etc/sysctl.d" "$ngx/etc/security/limits.d" "$ngx/etc/systemd/system.conf.d"
[ -e "$ngx/etc/sysctl.conf" ] ||
	printf 'net.core.somaxconn = 1024\nfs.file-max = 2097152\n' >"$ngx/etc/sysctl.conf"
[ -e "$ngx/etc/sysctl.d/99-badinput.conf" ] ||
	printf 'net.ipv4.ip_local_port_range = 1024 65000\nnet.netfilter.nf_conntrack_max = 524288\n' \
		>"$ngx/etc/sysctl.d/99-badinput.conf"
[ -e "$ngx/etc/security/limits.conf" ] ||
	printf '# pam_limits\n*  soft  nofile  4096\nnginx  hard  nproc  4096\n' \
		>"$ngx/etc/security/limits.conf"
[ -e "$ngx/etc/systemd/system.conf" ] ||
	printf '[Manager]\nDefaultLimitNOFILE=1024:524288\n' >"$ngx/etc/systemd/system.conf"
chmod -R a+rX "$S/base"
chmod 644 "$S/junk" "$S/long" "$S/big" "$S/all.yaml"

# ---- the cases: "id base class kind target" ------------------------------------
# (overflow_long, 40 digits, and dangling, a symlink to nothing, take the
# code paths of overflow and missing; they are there for BADINPUT_KINDS.)
# mknod needs root.
CHARDEV=""
[ "$(id -u)" -eq 0 ] && CHARDEV=chardev
FILE_KINDS=${BADINPUT_KINDS:-"empty blank neg overflow words trailing zero u64max junk bigline
	longline dir loop missing fifo devzero hostlink $CHARDEV"}
DIR_KINDS="missing file loop dangling devzero"
if [ $deny = yes ]; then
	[ -z "${BADINPUT_KINDS:-}" ] && FILE_KINDS="$FILE_KINDS denied"
	DIR_KINDS="$DIR_KINDS denied"
else
	FILE_KINDS=$(echo "$FILE_KINDS" | sed 's/denied//')
fi
n=0
add() {
	n=$((n + 1))
	echo "$n $*" >>"$S/cases.all"
}
: >"$S/cases.all"
for b in $BASES; do add "$b" base baseline -; done
# Every file of facts.def: on debian12-vm as sockcap itself (proc/self), and
# the per-process ones again on nginx-service as --pid 4243.
while read -r read path _; do
	case $read in
	READ_SYSCTL) class=sysctl ;;
	READ_TEXT) class=text ;;
	READ_LOADAVG) class=loadavg ;;
	READ_FD_COUNT) class=fddir ;;
	READ_FD_SOCKETS) continue ;; # the same proc/PID/fd, broken for process.fds
	*) class=keyed ;;
	esac
	for b in debian12-vm nginx-service; do
		p=$path
		if [ $b = nginx-service ]; then
			case $path in proc/self/*) p=proc/4243/${path#proc/self/} ;; *) continue ;; esac
		fi
		[ -e "$S/base/$b/$p" ] || continue
		# process.fds is counted for --pid only.
		[ $class = fddir ] && [ $b = debian12-vm ] && continue
		if [ $class = fddir ]; then
			for k in $DIR_KINDS emptydir fifo; do add $b $class "$k" "$p"; done
		else
			for k in $FILE_KINDS; do add $b $class "$k" "$p"; done
		fi
		[ $class = text ] && add $b $class badutf8 "$p"
	done
done <"$S/paths"
for k in $FILE_KINDS; do add debian12-vm slabinfo "$k" proc/slabinfo; done
for f in objs_per_slab order; do
	for k in $FILE_KINDS; do add debian12-vm sysfsslab "$k" "sys/kernel/slab/tcp_bind_bucket/$f"; done
done
# cgroup: the membership file and the limit and usage files of each layout.
for b in $BASES; do
	m=proc/self/cgroup
	[ "$b" = nginx-service ] && m=proc/4243/cgroup
	for k in $FILE_KINDS badutf8 dotdot longpath; do add "$b" cgmember "$k" $m; done
	case $b in
	debian12-vm) d=sys/fs/cgroup/system.slice ;; # a new service's, not the shell's session
	nginx-service) d=sys/fs/cgroup/system.slice/nginx.service ;;
	docker-v1) d="sys/fs/cgroup/memory sys/fs/cgroup/pids" ;;
	k8s-pod-v2) d=sys/fs/cgroup ;;
	esac
	for dir in $d; do
		for f in memory.max memory.current pids.max pids.current memory.limit_in_bytes \
			memory.usage_in_bytes memory.stat; do
			[ -f "$S/base/$b/$dir/$f" ] || continue
			case $f in
			*.max | *limit_in_bytes) class=cglimit ;;
			memory.stat) class=keyed ;; # "key value" lines
			*) class=cgusage ;;
			esac
			for k in $FILE_KINDS; do add "$b" $class "$k" "$dir/$f"; done
		done
	done
done
# Whole directories in place of what they hold.
for d in proc/self proc/sys proc/net proc/sys/net/netfilter sys sys/fs/cgroup \
	sys/kernel/slab/tcp_bind_bucket; do
	for k in $DIR_KINDS; do add debian12-vm dirtarget "$k" "$d"; done
done
for k in $DIR_KINDS; do add nginx-service dirtarget "$k" proc/4243; done
add docker-v1 dirtarget loop sys/fs/cgroup/memory
add k8s-pod-v2 dirtarget loop sys/fs/cgroup
# The persistent configuration of nginx-service (sysctl.d, limits.d,
# system.conf and the unit): no fact rests on it, but all of it is read.
for f in etc/passwd etc/group etc/sysctl.conf etc/sysctl.d/99-badinput.conf \
	etc/security/limits.conf etc/security/limits.d/90-nofile.conf etc/systemd/system.conf \
	etc/systemd/system.conf.d/limits.conf etc/systemd/system/nginx.service.d/override.conf \
	usr/lib/systemd/system/nginx.service; do
	[ -e "$ngx/$f" ] || continue
	for k in $FILE_KINDS; do add nginx-service config "$k" "$f"; done
done
for d in etc etc/sysctl.d etc/security/limits.d etc/systemd/system.conf.d \
	etc/systemd/system/nginx.service.d; do
	[ -d "$ngx/$d" ] || continue
	for k in $DIR_KINDS; do add nginx-service dirtarget "$k" "$d"; done
	case $d in etc) ;; *)
		add nginx-service dirtarget manyfiles "$d"
		add nginx-service dirtarget longname "$d"
		;;
	esac
done
# Roots at which nothing can be read (exit 3), and roots with one thing.
for k in root_emptydir root_missing root_file root_loop root_proc_file root_proc_loop \
	root_proc_dangling root_proc_emptydir root_proc_fifo root_all_dirs root_all_junk \
	root_all_fifos root_all_loops root_one_sysctl root_one_slabinfo; do
	add debian12-vm root "$k" -
done
[ $deny = yes ] && add debian12-vm root root_proc_denied -

if [ -n "${BADINPUT_ONLY:-}" ]; then
	{ grep -E '^[0-9]+ [^ ]+ base ' "$S/cases.all"
	  grep -E -- "$BADINPUT_ONLY" "$S/cases.all" | grep -Ev '^[0-9]+ [^ ]+ base '; } >"$S/caselist"
else
	cp "$S/cases.all" "$S/caselist"
fi

# The cases hard-link the bases: a breakage written through a link would
# break every later case, so the bases are checked after.
sums() { (cd "$S/base" && find . -type f -exec cksum {} + | sort); }
sums >"$S/base.sums"
jobs=${BADINPUT_JOBS:-$(nproc 2>/dev/null || echo 2)}
xargs -n 5 -P "$jobs" sh "$here/run.sh" --case <"$S/caselist"
if ! sums | cmp -s - "$S/base.sums"; then
	echo "badinput: a case wrote into the shared base trees; results are void:" >&2
	sums | diff "$S/base.sums" - >&2
	exit 2
fi

# ---- the judge ------------------------------------------------------------------
"$PY" - "$S" "$top" <<'PY'
import json, os, sys

S, top = sys.argv[1], sys.argv[2]

try:
    import jsonschema
    validator = jsonschema.Draft202012Validator(
        json.load(open(os.path.join(top, "data/schema/audit.schema.json"))))
except Exception:  # no python3-jsonschema, or no schema: skip that check
    validator = None
try:
    import yaml
    YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 50x faster
except ImportError:
    yaml = None

RUNS = ["facts.json", "audit.json", "all.json", "plan.json", "audit.yaml",
        "audit.txt", "facts.txt", "plan.txt"]
AUDITS = ["audit.json", "all.json", "plan.json"]
PID = {"nginx-service": "4243"}

CG = ["cgroup.memory.current", "cgroup.memory.file", "cgroup.memory.max", "cgroup.pids.current",
      "cgroup.pids.max"]
CG_OF = {"memory.max": "cgroup.memory.max", "memory.limit_in_bytes": "cgroup.memory.max",
         "memory.current": "cgroup.memory.current",
         "memory.usage_in_bytes": "cgroup.memory.current",
         "pids.max": "cgroup.pids.max", "pids.current": "cgroup.pids.current"}
# Limits a row that can bind is computed from (src/model.c): broken
# (invalid, denied), the row cannot be trusted and the capacity is partial.
NEEDED = {"RLIMIT_NOFILE", "fs.file-max", "MemAvailable", "cgroup.memory.max",
          "net.ipv4.tcp_mem", "fs.epoll.max_user_watches", "net.netfilter.nf_conntrack_max",
          "net.ipv4.ip_local_port_range", "kernel.threads-max", "kernel.pid_max",
          "RLIMIT_NPROC", "cgroup.pids.max"}
# ...and those whose absence leaves the row unknown too (a missing cgroup
# limit is no limit, a missing nf_conntrack_max an unloaded module, and the
# thread row takes whichever thread limits exist).
NEEDED_WHEN_MISSING = {"RLIMIT_NOFILE", "fs.file-max", "net.ipv4.tcp_mem",
                       "fs.epoll.max_user_watches", "net.ipv4.ip_local_port_range"}
EMPTYISH = {"missing", "invalid"}
NUMBERISH = ("neg", "overflow", "overflow_long", "words", "trailing")


def expected(cls, kind):
    """The statuses a fact of class cls may show after breakage kind; None
    when any will do (the other checks still apply)."""
    if kind in ("zero", "u64max", "manyfiles", "longname"):
        return None  # plausible content
    if kind == "bigline":  # a 900 kB line after the real content
        return {"invalid"} if cls in ("sysctl", "text", "cglimit", "cgusage") else None
    if kind == "denied":
        return {"denied"}
    if kind in ("missing", "dangling"):
        return {"missing"}
    if cls == "fddir":
        # opendir on a file (or /dev/zero) fails ENOTDIR, mapped to missing.
        return {"ok"} if kind == "emptydir" else {"invalid"} if kind == "loop" else EMPTYISH
    if cls == "dirtarget":
        return {"invalid"} if kind == "loop" else {"missing"}  # file, devzero: ENOTDIR
    if kind in ("devzero", "hostlink"):
        # Resolved inside the root: /dev/zero is not there (missing), and
        # the host's /proc/meminfo is the link itself (a loop: invalid).
        # Never the host's file, never a device.
        return EMPTYISH
    if kind in ("dir", "loop", "longline", "chardev"):
        return {"invalid"}
    if cls == "text":
        if kind in NUMBERISH:
            return {"ok"}  # still a line of text
        if kind == "badutf8":
            return {"ok", "invalid"}
        return {"invalid"}
    if kind in ("empty", "blank", "fifo"):
        return EMPTYISH  # a FIFO without a writer reads as empty
    if cls in ("keyed", "cgmember"):
        return EMPTYISH  # keys gone (junk), or no cgroup line: either is fair
    return {"invalid"}


def under(path, target):
    return path == target or path.startswith(target + "/")


def load(path):
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return None


def strict_json(data):
    def bad_constant(c):
        raise ValueError("non-standard constant " + c)
    return json.loads(data.decode("utf-8"), parse_constant=bad_constant)


def shape(x):
    """The document as the schema sees it: structure, types, short strings
    (enums, patterns) and whether integers are 0; not free text or counts."""
    if isinstance(x, dict):
        return {k: shape(v) for k, v in x.items()}
    if isinstance(x, list):
        return [shape(v) for v in x]
    if isinstance(x, str):
        return x if len(x) <= 24 else "<str>"
    if isinstance(x, int) and not isinstance(x, bool):
        return "<int>" if x > 0 else x
    return x


SCHEMA_SEEN = {}


def schema_errors(doc):
    """Schema errors of doc, validated once per shape: the validator is the
    slow part, and most cases share a shape with another."""
    key = json.dumps(shape(doc), sort_keys=True)
    if key not in SCHEMA_SEEN:
        errs = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        SCHEMA_SEEN[key] = [f"{'/'.join(map(str, e.path))}: {e.message[:100]}" for e in errs]
    return SCHEMA_SEEN[key]


def wanted_rc(base, cls, kind, target):
    if cls == "root":
        if kind.startswith("root_one_"):
            return {0}
        # Junk is read, only not understood: either answer is fair.
        return {0, 3} if kind == "root_all_junk" else {3}
    pid = PID.get(base)
    if pid and target == f"proc/{pid}":
        # No proc/PID is no such process (2); an unreadable one, no limits (3).
        return {3} if kind == "denied" else {2}
    if pid and target == f"proc/{pid}/limits":
        # --pid without the process's RLIMIT_NOFILE stops with 3 (src/main.c).
        return {0} if kind in ("zero", "u64max", "bigline") else {0, 3}
    return {0}


cases = [line.split() for line in open(os.path.join(S, "caselist"))]
baseline = {}
passed = failed = 0
for cid, base, cls, kind, target in cases:
    cdir = os.path.join(S, "cases", cid)
    label = f"{base} {target if target != '-' else ''} {kind}".replace("  ", " ")
    pid = PID.get(base, "self")
    problems = []
    docs = {}
    want_rc = wanted_rc(base, cls, kind, target)
    for run in RUNS:
        rc_text = load(os.path.join(cdir, run + ".rc"))
        if rc_text is None:
            problems.append(f"{run}: did not run")
            continue
        rc = int(rc_text.decode().strip() or "-1")
        out = load(os.path.join(cdir, run + ".out")) or b""
        err = (load(os.path.join(cdir, run + ".err")) or b"").decode("utf-8", "replace")
        first_err = err.strip().splitlines()[0][:160] if err.strip() else ""
        if rc == 124 or rc == 137:
            problems.append(f"{run}: timed out (hang)")
            continue
        if rc >= 128 or rc < 0:
            problems.append(f"{run}: killed by signal {rc - 128} {first_err}")
            continue
        if rc not in want_rc:
            problems.append(f"{run}: exit {rc}, want {'/'.join(map(str, sorted(want_rc)))}"
                            + (f" ({first_err})" if first_err else ""))
            continue
        if rc != 0:
            if out:
                problems.append(f"{run}: exit {rc} but wrote {len(out)} bytes to stdout")
            if not err.strip():
                problems.append(f"{run}: exit {rc} without a message")
            continue
        if run.endswith(".json"):
            try:
                docs[run] = strict_json(out)
            except (ValueError, UnicodeDecodeError) as e:
                problems.append(f"{run}: not valid JSON: {str(e)[:120]}")
                continue
            if validator and run == "all.json":
                for e in schema_errors(docs[run])[:2]:
                    problems.append(f"{run}: schema: {e}")
        elif run.endswith(".yaml"):
            if yaml:
                try:
                    yaml.load(out.decode("utf-8"), Loader=YamlLoader)
                except Exception as e:
                    problems.append(f"{run}: not valid YAML: {str(e).splitlines()[0][:100]}")
        elif not out.strip():
            problems.append(f"{run}: empty output")

    facts_doc = docs.get("facts.json")
    facts = {f["name"]: f for f in facts_doc["facts"]} if facts_doc else None
    if cls == "base" and facts_doc:
        baseline[base] = facts_doc
    if facts and cls not in ("base", "root") and base in baseline:
        bdoc = baseline[base]
        bfacts = {f["name"]: f for f in bdoc["facts"]}
        want = expected(cls, kind)
        membership = f"proc/{pid}/cgroup"
        # The facts the target backs (asserted), and those it may move
        # (not compared with the baseline): a cgroup fact rests on the
        # membership file, its limit file and, for usage, the limit.
        hit = {n for n, f in bfacts.items() if under(f["path"], target)}
        if under(membership, target):
            hit |= set(CG)
        moved = set(hit)
        if under(membership, target) or target == "sys" or under(target, "sys/fs/cgroup"):
            moved |= set(CG)
        names = []
        if cls in ("cglimit", "cgusage"):
            names = [CG_OF[os.path.basename(target)]]
            # Usage is read only under a finite limit; with none, nothing to see.
            lim = bfacts[names[0].replace("current", "max")]
            if cls == "cgusage" and (lim["values"] is None or lim["values"][0] is None):
                names = []
        elif cls in ("sysctl", "text", "keyed", "loadavg", "fddir", "cgmember", "dirtarget"):
            names = sorted(hit)
        for name in names:
            if bfacts[name]["status"] == "missing" and os.path.lexists(
                    os.path.join(S, "base", base, bfacts[name]["path"])):
                continue  # there but not read this way (proc/self/fd without --pid)
            st = facts[name]["status"]
            allowed = want
            # Usage and page cache are not read when the limit is not.
            if allowed is not None and name.endswith((".current", ".file")) and cls != "cgusage":
                allowed = allowed | {"missing"}
            if cls == "cgmember" and kind in ("dotdot", "longpath", "badutf8"):
                allowed = None
            # Without --pid the subject is a new service, whose cgroup is
            # system.slice whatever sockcap's own membership says; only an
            # unreadable membership file leaves its cgroup facts unread.
            if cls == "cgmember" and base == "debian12-vm" and allowed is not None:
                allowed = allowed | {"ok"}
            if allowed is not None and st not in allowed:
                problems.append(f"facts: {name} is {st}, want {'/'.join(sorted(allowed))}")
        # Nothing else moved.
        for name, f in bfacts.items():
            if name not in moved and facts[name]["status"] != f["status"]:
                problems.append(f"facts: {name} ({f['path']}) became "
                                f"{facts[name]['status']}, was {f['status']}")
        # proc/slabinfo and its sysfs fallback.
        if cls == "slabinfo":
            st = facts_doc["slabinfo_status"]
            if want is not None and st not in want:
                problems.append(f"facts: slabinfo_status is {st}, want {'/'.join(sorted(want))}")
            if st != "ok":
                used = [o["cache"] for o in facts_doc["object_sizes"] if o["from"] == "slabinfo"]
                if used:
                    problems.append(f"facts: slabinfo is {st} but sizes came from it: {used}")
        elif facts_doc["slabinfo_status"] != bdoc["slabinfo_status"] and not under("proc/slabinfo", target):
            problems.append(f"facts: slabinfo_status became {facts_doc['slabinfo_status']}")
        if under(target, "sys/kernel/slab/tcp_bind_bucket") and want is not None:
            src = [o["from"] for o in facts_doc["object_sizes"] if o["cache"] == "tcp_bind_bucket"]
            if src and src[0] == "sysfs":
                problems.append("facts: tcp_bind_bucket size still from sysfs")
        # A cgroup path must not lead out of sys/fs/cgroup.
        if kind == "dotdot":
            for name in CG:
                f = facts[name]
                if ".." in f["path"] or (f["values"] and f["values"][0] == 12345):
                    problems.append(f"facts: {name} read outside sys/fs/cgroup: {f['path']} "
                                    f"{f['status']} {f['values']}")
    if facts:
        bad = {(n, f["status"]) for n, f in facts.items() if f["status"] in ("invalid", "denied")}
        if facts_doc["slabinfo_status"] in ("invalid", "denied"):
            bad.add(("slabinfo", facts_doc["slabinfo_status"]))
        for run in AUDITS:
            doc = docs.get(run)
            if doc is None:
                continue
            listed = {(e["fact"], e["status"]) for e in doc["errors"]}
            if listed != bad:
                problems.append(f"{run}: errors[] lists {sorted(listed - bad)} not "
                                f"{sorted(bad - listed)}")
        # capacity.partial under the every-row profile.
        doc = docs.get("all.json")
        if doc:
            cgmem = facts["cgroup.memory.max"]
            cg_limit = cgmem["status"] == "ok" and cgmem["values"][0] is not None
            why = []
            for name, f in sorted(facts.items()):
                if name not in NEEDED:
                    continue
                if f["status"] in ("invalid", "denied"):
                    why.append(f"{name} {f['status']}")
                elif f["status"] == "missing" and (
                        name in NEEDED_WHEN_MISSING or (name == "MemAvailable" and not cg_limit)):
                    why.append(f"{name} missing")
            if why and not doc["capacity"]["partial"]:
                problems.append(f"all.json: capacity.partial is false with {', '.join(why)}")
    if problems:
        failed += 1
        for p in problems:
            print(f"FAIL {label}: {p}")
    else:
        passed += 1
print(f"badinput: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
