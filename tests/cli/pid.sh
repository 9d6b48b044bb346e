#!/bin/sh
# --pid on real processes of this machine: a process started with
# `prlimit --nofile=777:888` is audited with its own limits, cgroup,
# descriptors and threads; a process that has gone is exit 2.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
sockcap=${SOCKCAP:-$top/sockcap}
py=/usr/bin/python3
. "$top/tests/lib.sh"

prlimit --nofile=777:888 sleep 30 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT INT TERM
sleep 0.2
out=$("$sockcap" --pid $pid --format json)
check "--pid exits 0" test $? -eq 0
fields=$(printf '%s' "$out" | $py -c '
import json, sys
d = json.load(sys.stdin)
rows = {r["id"]: r for r in d["limits"]}
print(rows["nofile"]["value"], rows["nofile_hard"]["value"], d["process"]["pid"],
      d["process"]["fds"] is not None, d["process"]["threads"], rows["nofile"]["source"])')
set -- $fields
check "soft nofile is the process's 777" test "$1" = 777
check "hard nofile is the process's 888" test "$2" = 888
check "the process's pid is reported" test "$3" = $pid
check "its descriptors are counted" test "$4" = True
check "its threads are counted" test "$5" = 1
check "the row names proc/PID/limits" test "$6" = "proc/$pid/limits"
"$sockcap" --pid $pid | grep -q "process $pid: "
check "the text names the process" test $? -eq 0

# Its sockets: each descriptor's link is read for the first 256
# descriptors; past them, every descriptor counts as one (bounded cost).
for pairs in 20 300; do
	rm -f "${TMPDIR:-/tmp}/sockcap-pid.holder"
	$py -c 'import os, socket, sys, time
n = int(sys.argv[1])
s = [socket.socketpair() for _ in range(n)]
print(os.getpid(), flush=True)
time.sleep(30)' $pairs >"${TMPDIR:-/tmp}/sockcap-pid.holder" &
	holder=$!
	for _ in $(seq 50); do [ -s "${TMPDIR:-/tmp}/sockcap-pid.holder" ] && break; sleep 0.1; done
	got=$("$sockcap" facts --pid $holder --format json | $py -c '
import json, sys
d = json.load(sys.stdin)
f = {x["name"]: x for x in d["facts"]}
print(f["process.sockets"]["values"][0], d["sockets_counted_by"])')
	kill $holder; wait $holder 2>/dev/null
	set -- $got
	if [ $pairs = 20 ]; then
		check "20 socket pairs: 40 sockets, each link read ($got)" test "$1" = 40 -a "$2" = readlink
	else
		check "300 socket pairs: 600 sockets within python's own few descriptors, estimated ($got)" \
			test "$1" -ge 600 -a "$1" -le 610 -a "$2" = estimate
	fi
done
rm -f "${TMPDIR:-/tmp}/sockcap-pid.holder"
kill $pid
wait $pid 2>/dev/null
"$sockcap" --pid $pid >/dev/null 2>"${TMPDIR:-/tmp}/sockcap-pid.err"
check "a process that has gone is exit 2" test $? -eq 2
check "and the message names it" grep -q "no process '$pid'" "${TMPDIR:-/tmp}/sockcap-pid.err"
rm -f "${TMPDIR:-/tmp}/sockcap-pid.err"
finish pid
