#!/bin/sh
# Writes the seed inputs, tests/fuzz/corpus/NAME/seed-*, from the fixture
# trees (tests/fixtures/HOST/...), the profiles (data/profiles,
# tests/cli/profiles) and the object size table. Inputs the fuzzers found
# (named by their SHA-1) are left alone. Identical seeds are written once.
# usage: sh tests/fuzz/mkseeds.sh   (from anywhere)
set -eu
cd "$(dirname "$0")/../.."
out=tests/fuzz/corpus
fixtures=tests/fixtures

# put NAME LABEL: stdin becomes corpus/NAME/seed-LABEL unless NAME has one
# with the same bytes.
put() {
	mkdir -p "$out/$1"
	tmp="$out/$1/.new"
	cat >"$tmp"
	for f in "$out/$1"/seed-*; do
		if [ -f "$f" ] && [ "$f" != "$out/$1/seed-$2" ] && cmp -s "$f" "$tmp"; then
			rm -f "$tmp"
			return
		fi
	done
	mv "$tmp" "$out/$1/seed-$2"
}

# from NAME PATTERN...: every fixture file whose path under its host matches
# one of the shell patterns.
from() {
	name=$1
	shift
	for host in "$fixtures"/*/; do
		host=${host%/}
		(cd "$host" && find . -type f ! -name NOTES.md | sed 's|^\./||' | LC_ALL=C sort) |
			while read -r p; do
				for pat in "$@"; do
					case $p in
					$pat)
						label="$(basename "$host")-$(printf '%s' "$p" | tr '/' '_')"
						put "$name" "$label" <"$host/$p"
						break ;;
					esac
				done
			done
	done
}

# archive HOST: the whole fixture tree in fuzz_facts' form, files separated
# by 0x1f, each a path line then its bytes. Symbolic links that leave the
# tree (proc/self/fd/N -> /dev/pts/0) are empty files.
archive() {
	(cd "$1" && find . \( -type f -o -type l \) ! -name NOTES.md | sed 's|^\./||' | LC_ALL=C sort) | {
		sep=
		while read -r p; do
			printf '%s%s\n' "$sep" "$p"
			sep=$(printf '\037')
			if [ -L "$1/$p" ]; then
				case $(readlink "$1/$p") in
				/*) ;;
				*) cat "$1/$p" 2>/dev/null || true ;;
				esac
			else
				cat "$1/$p"
			fi
		done
	}
}

# An archive that fills the in-memory host (tests/unit/world.h) would lose
# its last files and every option after them: none may come near it.
world_max=$(sed -n 's/^#define WORLD_MAX \([0-9]*\)$/\1/p' tests/unit/world.h)
for host in "$fixtures"/*/; do
	n=$(find "$host" \( -type f -o -type l \) ! -name NOTES.md | wc -l)
	if [ "$n" -gt $((world_max - 16)) ]; then
		echo "mkseeds: $host has $n files; the fuzzed host takes $world_max with the options:" \
			"raise WORLD_MAX in tests/unit/world.h" >&2
		exit 1
	fi
done

# option NAME VALUE: one more fuzz_facts file, an option.
option() {
	printf '\037#%s\n%s' "$1" "$2"
}

from meminfo 'proc/meminfo'
from limits 'proc/self/limits' 'proc/[0-9]*/limits'
from cgroup 'proc/self/cgroup' 'proc/[0-9]*/cgroup' 'sys/fs/cgroup/*.max' 'sys/fs/cgroup/*.current' \
	'sys/fs/cgroup/*_in_bytes'
from slabinfo 'proc/slabinfo'
from sockstat 'proc/net/sockstat*'
from sysctl 'proc/sys/*' 'sys/kernel/slab/*'
from loadavg 'proc/loadavg'
from status 'proc/self/status' 'proc/[0-9]*/status'
from args 'proc/sys/kernel/osrelease'
from persist 'etc/sysctl.conf' 'etc/sysctl.d/*' 'etc/security/*' 'etc/systemd/*'

for v in 250000 250k 1.5M 2G 8K 8KiB 1.5MiB 4096 1T 0.5k 16384B; do
	printf '%s' "$v" | put args "$v"
done
for v in 65536 1024:524288 infinity 4096:infinity; do
	printf '%s' "$v" | put persist "rlimit-$(printf '%s' "$v" | tr : _)"
done
for v in 0 1 4096 18446744073709551615 18446744073709551616 007; do
	printf '%s' "$v" | put u64 "$v"
done
# 24 bytes and more: also the operands of the saturating arithmetic.
printf '18446744073709551615\377\377\377\377' | put u64 max-and-operands

put objsize objsizes.tsv <data/objsizes.tsv
grep -v '^#' data/objsizes.tsv | head -n 12 | put objsize objsizes-head.tsv

for f in data/profiles/*.yaml tests/cli/profiles/*.yaml; do
	put profile "$(basename "$(dirname "$f")")-$(basename "$f")" <"$f"
done

for host in "$fixtures"/*/; do
	host=${host%/}
	archive "$host" | put facts "$(basename "$host")"
done
{ archive "$fixtures/nginx-service"; option pid 4242; option profile proxy; option target 1.5M; } |
	put facts nginx-service-pid-proxy-target
{ archive "$fixtures/nginx-service"; option unit nginx; } | put facts nginx-service-unit-running
{ archive "$fixtures/nginx-service"; option unit haproxy; option target 500k; } |
	put facts nginx-service-unit-stopped
{ archive "$fixtures/session-limits"; option user alice; } | put facts session-limits-user
{ archive "$fixtures/debian12-vm"; option profile "$(cat tests/cli/profiles/chat.yaml)";
  option processes 8; option upstreams 4; option app_bytes 64K; option color ''; } |
	put facts debian12-vm-chat-options
{ archive "$fixtures/k8s-pod-v2"; option readonly ''; option page_size 65536; } |
	put facts k8s-pod-v2-readonly-64k
{ archive "$fixtures/rhel9-server"; option calibration "$(cat tests/fuzz/corpus/calibration/seed-real.json)";
  option arena ''; option target 100k; } |
	put facts rhel9-server-calibration-arena
{ printf 'proc/slabinfo !denied\n\037proc/meminfo !invalid\n\037'; archive "$fixtures/vm-512m"; } |
	put facts vm-512m-denied

# fuzz_monitor: every host, and ranges, a target and a raw profile name.
for host in "$fixtures"/*/; do
	host=${host%/}
	archive "$host" | put monitor "$(basename "$host")"
done
{ archive "$fixtures/small-conntrack"; option warning '@10:20'; option critical '~:5'; option target 1M; } |
	put monitor small-conntrack-ranges
{ archive "$fixtures/server-1t"; option warning '12.5%:87.5%'; option critical '-5:99.999999%'; } |
	put monitor server-1t-percentages
{ archive "$fixtures/debian12-vm"; printf '\037#raw_name\nsay "hi" \\ \nto \377\303 Zo\303\253'; } |
	put monitor debian12-vm-raw-name
{ printf 'proc/net/sockstat !denied\n\037proc/meminfo !invalid\n\037'; archive "$fixtures/nonroot"; } |
	put monitor nonroot-denied

# fuzz_writers: every host; every built-in profile with a target; the
# threads profile under a cgroup's pids.max; a proxy whose widened port range
# takes in the ports the host listens on; each server of the servers fixture
# as the subject (its own cap); --dropin and --reserve; raw bytes past
# validation in the drop-in's name.
for host in "$fixtures"/*/; do
	host=${host%/}
	archive "$host" | put writers "$(basename "$host")"
done
for p in websocket http proxy bulk threads; do
	{ archive "$fixtures/debian12-vm"; option profile $p; option target 1M; } |
		put writers "debian12-vm-$p-1M"
done
{ archive "$fixtures/k8s-pod-v2"; option profile threads; option target 50k; } |
	put writers k8s-pod-v2-threads-50k
{ archive "$fixtures/rhel9-server"; option profile proxy; option target 200k; } |
	put writers rhel9-server-proxy-listeners
{ archive "$fixtures/nginx-service"; option pid 4242; option dropin 50-mine.conf; option reserve 15%; } |
	put writers nginx-service-dropin-reserve
{ archive "$fixtures/nginx-service"; option pid 4242; option dropin override.conf; option reserve 2G; } |
	put writers nginx-service-dropin-same
for pid in 101 201 202 301 302 401 402 501; do
	{ archive "$fixtures/servers"; option pid $pid; option target 100k; } | put writers "servers-pid-$pid"
done
{ archive "$fixtures/debian12-vm"; option target 300k;
  printf '\037#raw_dropin\nx.conf\n[Service]\nExecStartPre=/bin/sh -c id\033[2J\r'; } |
	put writers raw-dropin
