#!/bin/sh
# sockcap calibrate on this machine, small: a few hundred loopback pairs.
# The figures must be plausible, --save must write a file that --calibration
# reads back into the model, misuse is exit 2, and an unprivileged run works
# and says what it could not measure.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
sockcap=${SOCKCAP:-$top/sockcap}
py=/usr/bin/python3
dir=$(mktemp -d)
chmod 755 "$dir"
trap 'rm -rf "$dir"' EXIT INT TERM
. "$top/tests/lib.sh"
field() { $py -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print("null" if v is None else v)' "$1" "$2"; }

"$sockcap" calibrate --connections 300 --format json --save "$dir/cal.json" >"$dir/out.json" 2>"$dir/err"
check "calibrate exits 0" test $? -eq 0
check "stdout and the saved file agree" cmp -s "$dir/out.json" "$dir/cal.json"
check "it counts both ends of 300 pairs" test "$(field "$dir/cal.json" sockets)" = 600
k=$(field "$dir/cal.json" kernel_bytes_per_socket)
# A few hundred sockets partly fill slabs that were already there: the
# figure is below a socket's real cost, never above it by much.
check "kernel bytes per socket are plausible ($k)" test "$k" -le 20000
check "a small run says it under-counts" grep -q "fewer than 2000 pairs" "$dir/cal.json"
o=$(field "$dir/cal.json" buffer_overhead)
check "buffer overhead is plausible ($o)" $py -c "import sys; sys.exit(not 1.0 <= $o <= 3.0)"
check "the kernel release is recorded" test -n "$(field "$dir/cal.json" kernel_release)"
check "no progress on a non-terminal stderr" test ! -s "$dir/err"
check "the saved file validates" $py "$top/tests/schema/validate.py" "$top/data/schema/calibration.schema.json" "$dir/cal.json"

"$sockcap" -r "$top/tests/fixtures/debian12-vm" --calibration "$dir/cal.json" -f json >"$dir/audit.json"
check "audit --calibration exits 0" test $? -eq 0
from=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["per_connection"]["object_sizes_from"])' "$dir/audit.json")
kb=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["per_connection"]["kernel_bytes_per_socket"])' "$dir/audit.json")
check "the model says its sizes come from the calibration" test "$from" = calibration
check "the model uses the measured bytes" test "$kb" = "$k"
"$sockcap" -r "$top/tests/fixtures/debian12-vm" --calibration "$dir/cal.json" sysctl -t 100k >/dev/null
check "plan commands take --calibration" test $? -eq 0

"$sockcap" calibrate --root "$top/tests/fixtures/debian12-vm" >/dev/null 2>&1
check "calibrate with --root is exit 2" test $? -eq 2
"$sockcap" audit --connections 100 >/dev/null 2>&1
check "--connections outside calibrate is exit 2" test $? -eq 2
"$sockcap" calibrate --connections 5 >/dev/null 2>&1
check "too few connections is exit 2" test $? -eq 2
echo '{"kind": "sockcap-calibration", "sockets": -1}' >"$dir/bad.json"
"$sockcap" --calibration "$dir/bad.json" 2>"$dir/err" >/dev/null
check "a bad calibration file is exit 2" test $? -eq 2
check "and the message names the file and field" grep -q "bad.json: 'sockets'" "$dir/err"

# A signal in the middle: the workers and their sockets go with it.
inuse() { awk '/^TCP:/ {print $3}' /proc/net/sockstat; }
before=$(inuse)
"$sockcap" calibrate --connections 20000 >/dev/null 2>&1 &
pid=$!
sleep 0.3
kill -TERM $pid
wait $pid 2>/dev/null
rc=$?
check "SIGTERM ends calibrate by that signal ($rc)" test $rc -eq 143
sleep 0.5
check "no calibration worker outlives it" test -z "$(pgrep -f 'sockcap calibrate --connections 20000')"
after=$(inuse)
check "its sockets are closed ($before before, $after after)" test "$after" -le $((before + 50))

if [ "$(id -u)" -eq 0 ]; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$sockcap" calibrate --connections 100 -f json \
		>"$dir/nobody.json" 2>"$dir/err"
	check "an unprivileged calibration exits 0" test $? -eq 0
	check "and says what it could not measure" grep -q "proc/slabinfo is not readable" "$dir/nobody.json"
fi
finish calibrate
