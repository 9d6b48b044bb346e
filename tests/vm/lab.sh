#!/bin/bash
# The kernel lab: boots Debian's kernels under QEMU with a small initramfs
# (busybox, ./sockcap and the shared libraries it needs, filler, slabprobe,
# prlimit, setpriv, sysctl), runs tests/vm/init.sh in each guest and reads
# the results back from the serial console; tests/vm/evaluate.py then checks
# them against their bounds and prints doc/measurements.md's tables.
#
# usage: tests/vm/lab.sh [--sockcap PATH] [--cache DIR] [--out DIR]
#                        [--series "6.1 6.12"] [--flavours "amd64 cloud-amd64"]
#                        [--sizes "256 384 1024"] [--cloud-sizes "256"]
#                        [--timeout SECONDS]
#
# Kernels are Debian's linux-image packages (6.1: what linux-image-amd64 and
# linux-image-cloud-amd64 depend on; 6.12: the newest 6.12.N+deb12 package),
# fetched with apt-get download into the cache (default
# /var/cache/sockcap-vm, or $SOCKCAP_VM_CACHE) when missing; nothing is
# written into the tree but --out (default build/vm). QEMU uses KVM when a
# short test boot proves that it works, else TCG (-accel tcg,thread=multi);
# $SOCKCAP_VM_ACCEL=tcg|kvm forces one. One guest runs at a time, each
# bounded by --timeout (default 300 s) plus 0.3 s per MiB of a fill guest; a
# guest that does not finish is killed by PID and reported with its last
# progress line.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
sockcap=$top/sockcap
cache=${SOCKCAP_VM_CACHE:-/var/cache/sockcap-vm}
out=$top/build/vm
series="6.1 6.12"
flavours="amd64 cloud-amd64"
# Guest sizes of the memory fills: every size for the generic flavour, the
# smallest for the cloud one (the same objects: it keeps CI short).
sizes="256 384 1024"
cloud_sizes="256"
timeout=300
# The probe guest: tcp_mem's pressure threshold (about 5,000 pages in
# 384 MiB) dwarfs the 256 pages a CPU may hold back from its count.
probe_mib=384
# Pairs the plan is asked for in the probe guest: beyond the unprivileged
# user's default nofile (1024) and fs.file-max (about 16,000 pairs in
# 384 MiB), within its memory (about 39,000).
plan_target=20000

while [ $# -gt 0 ]; do
	case $1 in
	--sockcap) sockcap=$(realpath "$2"); shift 2 ;;
	--cache) cache=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--series) series=$2; shift 2 ;;
	--flavours) flavours=$2; shift 2 ;;
	--sizes) sizes=$2; shift 2 ;;
	--cloud-sizes) cloud_sizes=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	*) echo "lab: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

say() { echo "lab: $*" >&2; }
die() { say "$*"; exit 1; }

[ -x "$sockcap" ] || die "no sockcap at '$sockcap' (run make first)"
command -v qemu-system-x86_64 > /dev/null || die "qemu-system-x86_64 is missing (Debian: qemu-system-x86)"
[ -x /bin/busybox ] || die "/bin/busybox is missing (Debian: busybox-static)"
mkdir -p "$cache" "$out"

# The package of SERIES and FLAVOUR (amd64, cloud-amd64).
package_of() {
	case $1 in
	6.1)
		local meta=linux-image-amd64
		[ "$2" = cloud-amd64 ] && meta=linux-image-cloud-amd64
		apt-cache depends "$meta" | awk '/Depends: linux-image-6\.1\./ { print $2; exit }'
		;;
	*)
		apt-cache search --names-only "^linux-image-${1//./\\.}\\.[0-9]+\\+deb12-$2\$" |
			awk '{ print $1 }' | sort -V | tail -n 1
		;;
	esac
}

# The kernel image of SERIES FLAVOUR in the cache, downloaded when missing;
# prints its path, and the package and version into $out/NAME.package.
kernel_of() {
	local pkg deb ver
	pkg=$(package_of "$1" "$2")
	# A fresh machine may have no package lists yet.
	if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then
		apt-get update -qq > /dev/null 2>&1 || true
		pkg=$(package_of "$1" "$2")
	fi
	[ -n "$pkg" ] || die "no linux-image package for $1 $2 (apt-get update?)"
	ver=$(apt-cache policy "$pkg" | awk '/Candidate:/ { print $2 }')
	deb=$(ls "$cache/${pkg}_"*.deb 2> /dev/null | sort -V | tail -n 1 || true)
	if [ -z "$deb" ]; then
		say "downloading $pkg $ver into $cache"
		(cd "$cache" && apt-get download -q "$pkg" > /dev/null 2>&1) ||
			die "apt-get download $pkg failed"
		deb=$(ls "$cache/${pkg}_"*.deb | sort -V | tail -n 1)
	fi
	ver=$(dpkg-deb -f "$deb" Version)
	if [ ! -s "$cache/$pkg.vmlinuz" ]; then
		dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './boot/vmlinuz-*' \
			> "$cache/$pkg.vmlinuz.tmp"
		mv "$cache/$pkg.vmlinuz.tmp" "$cache/$pkg.vmlinuz"
	fi
	echo "$pkg $ver" > "$out/$1-$2.package"
	# The modules nf_conntrack needs, for its slab cache's size, as a second
	# cpio archive the kernel unpacks over the first.
	local mods=$out/$1-$2.modules
	rm -rf "$mods"
	mkdir -p "$mods/lab/modules"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$mods" --wildcards \
		'*/crc32c_generic.ko*' '*/libcrc32c.ko*' '*/nf_defrag_ipv4.ko*' '*/nf_defrag_ipv6.ko*' \
		'*/nf_conntrack.ko*' 2> /dev/null || true
	# 6.12's modules are xz-compressed; busybox's insmod takes them plain.
	find "$mods/lib" -name '*.ko.xz' -exec xz -d {} + 2> /dev/null || true
	find "$mods/lib" -name '*.ko' -exec mv {} "$mods/lab/modules/" \; 2> /dev/null || true
	rm -rf "$mods/lib"
	(cd "$mods" && find . | LC_ALL=C sort | /bin/busybox cpio -o -H newc 2> /dev/null) |
		gzip -1 | cat "$out/initramfs.cpio.gz" - > "$out/$1-$2.initrd"
	rm -rf "$mods"
	echo "$cache/$pkg.vmlinuz"
}

# The initramfs: busybox, the lab's programs, sockcap with its libraries.
build_initramfs() {
	local root=$out/initramfs lib f
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lab,proc,sys,dev,tmp,etc}
	cp /bin/busybox "$root/bin/busybox"
	for f in $(/bin/busybox --list); do
		[ -e "$root/bin/$f" ] || ln -s busybox "$root/bin/$f"
	done
	# The real consumers of sockcap's files, not busybox's stand-ins (init.sh
	# calls them by their path under /usr/bin: ash prefers its applets).
	for f in "$sockcap" "$(command -v prlimit)" "$(command -v setpriv)" "$(command -v sysctl)"; do
		cp "$f" "$root/usr/bin/"
		for lib in $(ldd "$f" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }'); do
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
	done
	for f in filler slabprobe; do
		cc -std=c11 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
			-Wmissing-prototypes -Wformat=2 -static -o "$root/bin/$f" "$top/tests/vm/$f.c"
	done
	cp "$top/tests/vm/pairs.yaml" "$top/tests/vm/queued.yaml" "$root/lab/"
	install -m 755 "$top/tests/vm/init.sh" "$root/init"
	echo 'root:x:0:0:root:/tmp:/bin/sh' > "$root/etc/passwd"
	echo 'lab:x:1000:1000:lab:/tmp:/bin/sh' >> "$root/etc/passwd"
	printf 'root:x:0:\nlab:x:1000:\n' > "$root/etc/group"
	(cd "$root" && find . | LC_ALL=C sort | /bin/busybox cpio -o -H newc 2> /dev/null) |
		gzip -1 > "$out/initramfs.cpio.gz"
}

accel=
# KVM when /dev/kvm opens and a guest boots with it within 15 s, else TCG.
pick_accel() {
	local kernel=$1
	case ${SOCKCAP_VM_ACCEL:-} in tcg | kvm) accel=$SOCKCAP_VM_ACCEL; return ;; esac
	accel=tcg
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
		ACCEL=kvm boot kvm-test "$kernel" 256 15 "lab.test=hello" 2> /dev/null; then
		accel=kvm
	fi
	say "accelerator: $accel"
}

# boot NAME KERNEL MIB TIMEOUT ARGS...: one guest; its console in
# $out/NAME.log. Fails when the guest did not end by itself within TIMEOUT
# seconds, naming its last progress line.
boot() {
	local name=$1 kernel=$2 mib=$3 limit=$4 log=$out/$1.log pid rc=0 t=0 a=${ACCEL:-$accel}
	shift 4
	local opt="-accel tcg,thread=multi -cpu max"
	[ "$a" = kvm ] && opt="-accel kvm -cpu host"
	# shellcheck disable=SC2086
	qemu-system-x86_64 $opt -smp 2 -m "$mib" -nodefaults -no-user-config -display none \
		-no-reboot -serial "file:$log" -kernel "$kernel" -initrd "${initrd:-$out/initramfs.cpio.gz}" \
		-append "console=ttyS0 panic=-1 quiet loglevel=3 $*" &
	pid=$!
	guest=$pid
	while kill -0 "$pid" 2> /dev/null && [ "$t" -lt "$limit" ]; do
		sleep 1
		t=$((t + 1))
	done
	if kill -0 "$pid" 2> /dev/null; then
		kill "$pid"
		wait "$pid" || true
		guest=
		say "$name: no end after ${limit} s; last progress: $(grep -a '^LAB step' "$log" | tail -n 1)"
		return 1
	fi
	wait "$pid" || rc=$?
	guest=
	if ! grep -aq '^LAB end ok' "$log"; then
		say "$name: the guest ended without finishing (qemu exit $rc); last progress:" \
			"$(grep -a '^LAB step' "$log" | tail -n 1); last line: $(tail -n 1 "$log")"
		return 1
	fi
	say "$name: done in ${t} s"
}

# A guest running when the lab is stopped is ended too, by its PID.
guest=
trap '[ -n "$guest" ] && kill "$guest" 2> /dev/null' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
build_initramfs
failed=0
for s in $series; do
	for fl in $flavours; do
		kernel=$(kernel_of "$s" "$fl")
		initrd=$out/$s-$fl.initrd
		[ -n "$accel" ] || pick_accel "$kernel"
		boot "$s-$fl-probe" "$kernel" "$probe_mib" "$timeout" lab.test=probe \
			lab.target=$plan_target || failed=1
		fill_sizes=$sizes
		[ "$fl" = cloud-amd64 ] && fill_sizes=$cloud_sizes
		for m in $fill_sizes; do
			boot "$s-$fl-fill-$m" "$kernel" "$m" $((timeout + m * 3 / 10)) lab.test=fill ||
				failed=1
		done
	done
done
exit $failed
