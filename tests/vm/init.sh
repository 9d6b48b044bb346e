#!/bin/sh
# /init of a kernel-lab guest (tests/vm/lab.sh builds the initramfs). Runs
# the experiment named on the kernel command line (lab.test=probe|fill) as
# root and as an unprivileged user (uid 1000), prints every result as a
# "LAB ..." line on the serial console, and powers the guest off. Progress
# lines ("LAB step ...") let the host name where a stalled guest stopped.
#
#   probe: slab object sizes (slabprobe caches); the kernel bytes of a pair
#          from Slab growth (4000 pairs) against sockcap; the tcp_mem fill;
#          the plan applied (sysctl -p, prlimit) and audited again, then
#          filled; the unprivileged fill, stopped by fs.file-max
#   fill:  the root fill, stopped by memory, against the memory row before
#          it and half-way through
export PATH=/usr/bin:/bin:/sbin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /tmp
ip link set lo up
echo -1000 > /proc/self/oom_score_adj
cd /tmp || exit 1

LAB_UID=1000
PAIRS=/lab/pairs.yaml
QUEUED=/lab/queued.yaml
# The filler spreads its pairs over 32 listeners (filler.c, LISTENERS).
UP="--upstreams 32"

say() { echo "LAB $*"; }
arg() {
	for w in $(cat /proc/cmdline); do
		case $w in "lab.$1="*) echo "${w#*=}"; return ;; esac
	done
}
end() {
	say end "$1"
	sync
	poweroff -f
}

# json NAME WHO ARGS...: sockcap's JSON document on one line. The
# unprivileged view has neither slabinfo nor (masked here) /sys/kernel/slab,
# so its sizes come from the built-in table, as on a host where sysfs is
# not mounted.
json() {
	j_name=$1 j_who=$2
	shift 2
	if [ "$j_who" = root ]; then
		doc=$(sockcap "$@" -f json)
	else
		doc=$(unshare -m sh -c 'mount -t tmpfs none /sys/kernel/slab && exec "$@"' sh \
			/usr/bin/setpriv --reuid=$LAB_UID --regid=$LAB_UID --clear-groups sockcap "$@" -f json)
	fi
	say json "$j_name" "$(echo "$doc" | tr -d '\n\t')"
}

# The filler's status line: STATE PAIRS SOCKETS QUEUED ERRNO WHERE.
state() { read -r st_state st_pairs st_sockets st_queued st_errno st_where < "$1.status"; }

# start NAME WHO NOFILE ARGS...: a filler paused before its first pair
# (filler -h 0), holding its sockets until its stdin (NAME.hold) closes; the
# tcp_mem fillers (tm-*) on CPU 0 only.
start() {
	s_name=$1 s_uid=$(uid "$2") s_nofile=$3 s_cpus=0-1
	shift 3
	case $s_name in tm-*) s_cpus=0 ;; esac
	rm -f "$s_name.status" "$s_name.status.go"
	mkfifo "$s_name.hold"
	/usr/bin/prlimit --nofile="$s_nofile:$s_nofile" taskset -c "$s_cpus" /usr/bin/setpriv \
		--reuid="$s_uid" --regid="$s_uid" --clear-groups filler -h 0 -s "/tmp/$s_name.status" \
		"$@" < "$s_name.hold" > "$s_name.out" &
	filler_pid=$!
	exec 3> "$s_name.hold"
	echo 1000 > /proc/$filler_pid/oom_score_adj
	waitfor "$s_name" half 0
}
uid() { if [ "$1" = root ]; then echo 0; else echo $LAB_UID; fi; }

# waitfor NAME STATE [PAIRS]: until the filler's state is STATE (with PAIRS
# pairs open), it stopped, or it died.
waitfor() {
	i=0 st_state=
	while :; do
		[ -s "$1.status" ] && state "$1" && [ "$st_state" = "$2" ] &&
			[ "${3:-$st_pairs}" = "$st_pairs" ] && return 0
		[ "$st_state" = stopped ] && return 0
		kill -0 $filler_pid 2>/dev/null || { state "$1"; return 0; }
		i=$((i + 1))
		[ $((i % 50)) -eq 0 ] && say step "$1 $st_state pairs=$st_pairs uptime=$(cut -d" " -f1 /proc/uptime)"
		sleep 0.1
	done
}

# go NAME [NEXT]: resumes the filler (to pause again at NEXT pairs).
go() { echo "$2" > "$1.status.go.tmp" && mv "$1.status.go.tmp" "$1.status.go"; }

# finish NAME WHO: releases the filler, reports how far it got and why.
finish() {
	exec 3>&-
	wait $filler_pid
	rc=$?
	state "$1"
	say result "$1" who=$2 pairs=$st_pairs queued=$st_queued errno=$st_errno where=$st_where \
		exit=$rc killed=$([ $rc -gt 128 ] && echo yes || echo no)
	rm -f "$1.hold"
}

# The kernel bytes of a pair from Slab growth over 4000 pairs (both ends in
# epoll), against sockcap's model of one, and as WHO.
per_pair() {
	who=$1
	json "persocket-$who" "$who" audit -p $PAIRS $UP
	start "pp-$who" "$who" 20000 -r -n 4000
	# Empty slabs left by earlier sockets go back to the page allocator
	# first, so the growth counts whole slabs, as the model does.
	for f in /sys/kernel/slab/*/shrink; do echo 1 > "$f"; done 2> /dev/null
	sleep 1
	slabprobe slab "before-$who"
	go "pp-$who"
	waitfor "pp-$who" stopped
	slabprobe slab "after-$who"
	finish "pp-$who" "$who"
}

# Sockets holding 16 KiB unread each until the kernel refuses more data:
# tcp_mem's limit. Loopback's MTU is set to Ethernet's meanwhile, so the
# data arrives in segments as from a network: a socket's first segment is
# always queued (sk_forced_mem_schedule), whatever tcp_mem says. The filler
# runs on one CPU: the kernel adds to tcp_mem's count in per-CPU batches of
# up to 1 MiB (SK_MEMORY_PCPU_RESERVE, 6.0 and later), and what the CPUs
# hold back is neither checked against the limit nor shown in sockstat.
tcp_mem() {
	who=$1
	ip link set lo mtu 1500
	json "tcpmem-$who" "$who" audit -p $QUEUED
	start "tm-$who" "$who" 200000 -r -b 16384 -n 100000
	go "tm-$who"
	waitfor "tm-$who" stopped
	say sockstat "tm-$who" "$(grep '^TCP:' /proc/net/sockstat)" \
		tcp_mem="$(cat /proc/sys/net/ipv4/tcp_mem)"
	finish "tm-$who" "$who"
	ip link set lo mtu 65536
}

# The plan for TARGET pairs, applied to a paused filler (sysctl -p of the
# sysctl.d file, prlimit of its limits.d lines), audited again with --check,
# then the filler opens the TARGET pairs.
plan_applied() {
	who=$1 target=$2
	start "pl-$who" "$who" 1024 -r -n "$target"
	p="--pid $filler_pid -p $PAIRS $UP -t $target"
	json "plan-before-$who" root plan $p
	sockcap sysctl $p -o /tmp/90-sockcap-$who.conf
	/usr/bin/sysctl -p /tmp/90-sockcap-$who.conf > /dev/null && say applied "$who" sysctl
	lim=$(sockcap limits $p | awk -v u="$([ "$who" = root ] && echo root || echo '*')" \
		'$1 == u && $2 == "soft" && $3 == "nofile" { print $4 }')
	[ -n "$lim" ] && /usr/bin/prlimit --pid "$filler_pid" --nofile="$lim:$lim" && say applied "$who" nofile="$lim"
	json "plan-after-$who" root plan $p
	sockcap plan $p --check > /dev/null
	say plan_check "$who" exit=$?
	go "pl-$who"
	waitfor "pl-$who" stopped
	finish "pl-$who" "$who"
}

# The unprivileged fill, stopped by fs.file-max, against the rows.
fill_user() {
	start fu user 1048576 -r
	json fill-user root audit --pid $filler_pid -p $PAIRS $UP
	go fu
	waitfor fu stopped
	say file_nr "$(cat /proc/sys/fs/file-nr)"
	finish fu user
}

# The memory counters the memory row's accuracy depends on, for the record
# (LAB meminfo LABEL KEY KB): what the kernel counts as available, free,
# reclaimable slab and page cache.
meminfo() {
	while read -r m_key m_kb _; do
		case $m_key in
		MemFree: | MemAvailable: | Cached: | Shmem: | SReclaimable: | SUnreclaim: | \
		Active\(file\): | Inactive\(file\): | KReclaimable: | PageTables:)
			say meminfo "$1" "${m_key%:}" "$m_kb" ;;
		esac
	done < /proc/meminfo
}

# The root fill, stopped by memory (allocation failure or the OOM killer),
# against the memory row before it and half-way through. Past half-way the
# shell only waits (wait is a builtin): a fork when memory is gone, while the
# OOM killer's victim is still closing its sockets, would leave the kernel
# nothing to kill but init, and it panics. The filler reports its progress,
# and closes its sockets without resets (filler.c, -r).
fill_root() {
	# epoll's watch limit (4 % of low memory) would stop root first.
	echo 100000000 > /proc/sys/fs/epoll/max_user_watches
	start fr root 1048576 -p 5000 -w 45
	json fill-root-0 root audit --pid $filler_pid -p $PAIRS $UP
	meminfo before
	row=$(sockcap audit --pid $filler_pid -p $PAIRS $UP -f json | tr -d ' \n\t' |
		sed -n 's/.*"id":"memory",[^}]*"connections":\([0-9]*\).*/\1/p')
	say row memory "${row:-unknown}"
	go fr $(( ${row:-0} / 2 ))
	waitfor fr half $(( ${row:-0} / 2 ))
	json fill-root-half root audit --pid $filler_pid -p $PAIRS $UP
	meminfo half
	go fr
	finish fr root
}

file_max=$(cat /proc/sys/fs/file-max)
say begin kernel="$(uname -r)" cpus="$(nproc)" \
	mem_kb="$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)" test="$(arg test)"
case $(arg test) in
probe)
	say step slabprobe
	slabprobe caches TCP TCPv6 sock_inode_cache filp dentry eventpoll_epi eventpoll_pwq \
		ep_head lsm_file_cache lsm_inode_cache tcp_bind_bucket tcp_bind2_bucket task_struct
	for who in root user; do say step per_pair "$who"; per_pair $who; done
	for who in root user; do say step tcp_mem "$who"; tcp_mem $who; done
	for who in root user; do say step plan "$who"; plan_applied $who "$(arg target)"; done
	# The plan raised fs.file-max: back to the kernel's default.
	echo "$file_max" > /proc/sys/fs/file-max
	say step fill user
	fill_user
	# Last, as loading it may change what the rest measures: conntrack's
	# cache (lab.sh adds the modules from the kernel's package).
	say step conntrack
	for m in crc32c_generic libcrc32c nf_defrag_ipv4 nf_defrag_ipv6 nf_conntrack; do
		[ -f "/lab/modules/$m.ko" ] && insmod "/lab/modules/$m.ko"
	done
	slabprobe caches nf_conntrack
	;;
fill)
	say step fill root
	fill_root
	;;
*)
	say step hello
	;;
esac
end ok
