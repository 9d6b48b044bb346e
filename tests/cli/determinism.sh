#!/bin/sh
# The same facts give the same files (DESIGN section 4): on every fixture
# host and profile, the default plan's files are byte-identical when what
# moves between runs moves by 5% both ways: MemAvailable, the cgroup's
# usage, allocated files (fs.file-nr), every sockstat figure, the conntrack
# count and the threads in use (loadavg).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
sockcap=${SOCKCAP:-$top/sockcap}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
. "$top/tests/lib.sh"

# drift ROOT PERCENT: scales the moving figures of the tree by PERCENT.
drift() {
	python3 - "$1" "$2" <<'PY'
import os, re, sys
root, pct = sys.argv[1], int(sys.argv[2])
scale = lambda m: str(int(m.group(0)) * pct // 100)
def edit(rel, fn):
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            if os.path.relpath(path, root).endswith(rel) and not os.path.islink(path):
                text = open(path).read()
                open(path, "w").write(fn(text))
edit("proc/meminfo", lambda t: re.sub(r"(?m)^(MemAvailable:\s+)(\d+)",
                                      lambda m: m.group(1) + str(int(m.group(2)) * pct // 100), t))
edit("proc/sys/fs/file-nr", lambda t: re.sub(r"^\d+", scale, t))
edit("proc/net/sockstat", lambda t: re.sub(r"\d+", scale, t))
edit("proc/net/sockstat6", lambda t: re.sub(r"\d+", scale, t))
edit("proc/sys/net/netfilter/nf_conntrack_count", lambda t: re.sub(r"\d+", scale, t))
edit("memory.current", lambda t: re.sub(r"\d+", scale, t))
edit("memory.usage_in_bytes", lambda t: re.sub(r"\d+", scale, t))
edit("proc/loadavg", lambda t: re.sub(r"(\d+)/(\d+)",
                                      lambda m: m.group(1) + "/" + str(int(m.group(2)) * pct // 100), t))
PY
}

for fixture in "$top"/tests/fixtures/*/; do
	host=$(basename "$fixture")
	for pct in 95 105; do
		rm -rf "$work/$pct"
		cp -R "$fixture" "$work/$pct"
		drift "$work/$pct" $pct
	done
	for profile in idle websocket http proxy bulk threads; do
		for cmd in sysctl limits systemd modules-load modprobe ansible; do
			"$sockcap" $cmd -r "$work/95" -p $profile >"$work/a" 2>&1
			"$sockcap" $cmd -r "$work/105" -p $profile >"$work/b" 2>&1
			if cmp -s "$work/a" "$work/b"; then ok
			else bad "$host/$profile/$cmd: files differ with usage at 95% and 105%: $(diff "$work/a" "$work/b" | head -4)"; fi
		done
	done
done
finish determinism
