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
kill $pid
wait $pid 2>/dev/null
"$sockcap" --pid $pid >/dev/null 2>"${TMPDIR:-/tmp}/sockcap-pid.err"
check "a process that has gone is exit 2" test $? -eq 2
check "and the message names it" grep -q "no process '$pid'" "${TMPDIR:-/tmp}/sockcap-pid.err"
rm -f "${TMPDIR:-/tmp}/sockcap-pid.err"
finish pid
