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

"$sockcap" calibrate --connections 1000 --format json --save "$dir/cal.json" >"$dir/out.json" 2>"$dir/err"
check "calibrate exits 0" test $? -eq 0
check "no progress on a non-terminal stderr" test ! -s "$dir/err"
check "stdout and the saved file agree" cmp -s "$dir/out.json" "$dir/cal.json"
check "it counts both ends of 1000 pairs" test "$(field "$dir/cal.json" sockets)" = 2000
k=$(field "$dir/cal.json" kernel_bytes_per_socket)
check "kernel bytes per socket are plausible ($k)" test "$k" -ge 1024 -a "$k" -le 20000
check "a saved calibration is trusted" test "$(field "$dir/cal.json" trusted)" = True
# The buffer figure is each socket's own charge (SO_MEMINFO), not the
# host-wide tcp_mem total, which lags by every CPU's reserve: 16 KiB queued
# on loopback is one skb charged in whole pages, 20 KiB.
o=$(field "$dir/cal.json" buffer_overhead)
check "buffer overhead is plausible ($o)" $py -c "import sys; sys.exit(not 1.0 <= $o <= 3.0)"
t=$(field "$dir/cal.json" buffer_truesize_bytes)
check "16 KiB unread is charged 20 KiB, whole pages ($t)" test "$t" -eq 20480

# Too small to trust: reported with its uncertainty, never saved.
"$sockcap" calibrate --connections 10 -f json --save "$dir/small.json" >"$dir/small-out.json" 2>"$dir/small-err"
check "saving an untrusted measurement is exit 2" test $? -eq 2
check "and writes no file" test ! -e "$dir/small.json"
check "the message says why" grep -Eq "not saved to .*(uncertain|implausible)" "$dir/small-err"
check "the measurement is still shown, as untrusted" test "$(field "$dir/small-out.json" trusted)" = False
check "with its uncertainty" test "$(field "$dir/small-out.json" kernel_uncertainty_bytes)" -gt 0
$py -c 'import json,sys; d=json.load(open(sys.argv[1])); d["trusted"]=False; json.dump(d,open(sys.argv[2],"w"))' \
	"$dir/cal.json" "$dir/untrusted.json"
"$sockcap" --calibration "$dir/untrusted.json" >/dev/null 2>"$dir/err"
check "a file marked untrusted is refused by --calibration" test $? -eq 2
$py -c 'import json,sys; d=json.load(open(sys.argv[1])); d["kernel_bytes_per_socket"]=204; json.dump(d,open(sys.argv[2],"w"))' \
	"$dir/cal.json" "$dir/tiny.json"
"$sockcap" --calibration "$dir/tiny.json" >/dev/null 2>"$dir/err"
check "an implausible figure (204 B per socket) is refused" grep -q "plausible (1024 to" "$dir/err"

# Right after churn: 32,000 loopback sockets opened and killed leave free
# slots in partly used slabs; new sockets fill them first, and the Slab
# total barely grows. Active objects count them anyway: the figure stays
# within 10% of the socket's objects as the audit sums them from slabinfo.
if [ -r /proc/slabinfo ] && [ "$(id -u)" -eq 0 ]; then
	model=$("$sockcap" -f json | $py -c 'import json,sys; print(json.load(sys.stdin)["per_connection"]["kernel_bytes_per_socket"])')
	$py "$top/tests/cli/churn.py" 8000 4
	"$sockcap" calibrate --connections 1000 -f json >"$dir/churn.json"
	kc=$(field "$dir/churn.json" kernel_bytes_per_socket)
	check "after churn, kernel bytes per socket ($kc) are within 10% of the objects ($model)" \
		$py -c "import sys; sys.exit(not abs($kc - $model) <= $model / 10)"
fi
# While other work opens and closes sockets, the active objects move by
# more than the steps add (a figure of about half the objects was measured
# so): calibrate waits for the caches to settle, then says it could not
# and does not trust the figure.
if [ -r /proc/slabinfo ] && [ "$(id -u)" -eq 0 ]; then
	(while :; do $py "$top/tests/cli/churn.py" 4000 2; done) &
	churner=$!
	sleep 1
	"$sockcap" calibrate --connections 1000 -f json >"$dir/busy.json"
	kill "$churner"
	wait "$churner" 2>/dev/null
	kb=$(field "$dir/busy.json" kernel_bytes_per_socket)
	check "while sockets churn elsewhere, the figure ($kb B) is not trusted" \
		test "$(field "$dir/busy.json" trusted)" = False
	check "and a note says the slab did not settle" \
		$py -c 'import json,sys; sys.exit(not any(n.startswith("unsettled:") for n in json.load(open(sys.argv[1]))["notes"]))' "$dir/busy.json"
fi
check "the kernel release is recorded" test -n "$(field "$dir/cal.json" kernel_release)"
check "the saved file validates" $py "$top/tests/schema/validate.py" "$top/data/schema/calibration.schema.json" "$dir/cal.json"

"$sockcap" -r "$top/tests/fixtures/debian12-vm" --calibration "$dir/cal.json" -f json >"$dir/audit.json"
check "audit --calibration exits 0" test $? -eq 0
from=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["per_connection"]["object_sizes_from"])' "$dir/audit.json")
kb=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["per_connection"]["kernel_bytes_per_socket"])' "$dir/audit.json")
check "the model says its sizes come from the calibration" test "$from" = calibration
check "the model uses the measured bytes" test "$kb" = "$k"
"$sockcap" -r "$top/tests/fixtures/debian12-vm" --calibration "$dir/cal.json" sysctl -t 100k >/dev/null
check "plan commands take --calibration" test $? -eq 0

# On a terminal, a progress bar on stderr (script(1) gives it one).
if command -v script >/dev/null 2>&1; then
	script -qec "$sockcap calibrate --connections 100" /dev/null </dev/null >"$dir/tty" 2>&1
	check "a progress bar on a terminal" grep -q "calibrate \[###" "$dir/tty"
fi

"$sockcap" calibrate --root "$top/tests/fixtures/debian12-vm" >/dev/null 2>&1
check "calibrate with --root is exit 2" test $? -eq 2
"$sockcap" audit --connections 100 >/dev/null 2>&1
check "--connections outside calibrate is exit 2" test $? -eq 2
"$sockcap" calibrate --connections 5 >/dev/null 2>&1
check "too few connections is exit 2" test $? -eq 2
"$sockcap" calibrate --send 'GET /' >/dev/null 2>"$dir/err"
check "--send without --pid is exit 2" test $? -eq 2
echo '{"kind": "sockcap-calibration", "sockets": -1}' >"$dir/bad.json"
"$sockcap" --calibration "$dir/bad.json" 2>"$dir/err" >/dev/null
check "a bad calibration file is exit 2" test $? -eq 2
check "and the message names the file and field" grep -q "bad.json: 'sockets'" "$dir/err"

# A signal in the middle: the workers and their sockets go with it, and
# every worker is killed and reaped before calibrate ends (not left running
# or as a zombie for PID 1 to reap later).
inuse() { awk '/^TCP:/ {print $3}' /proc/net/sockstat; }
for sig in 15 2; do
	before=$(inuse)
	# setsid: a shell running this in the background would ignore SIGINT.
	setsid "$sockcap" calibrate --connections 20000 >/dev/null 2>&1 &
	pid=$!
	workers=""
	for _ in $(seq 50); do
		workers=$(pgrep -P $pid | tr '\n' ' ')
		[ -n "$workers" ] && break
		sleep 0.02
	done
	sleep 0.3
	workers=$(pgrep -P $pid | tr '\n' ' ')
	kill -$sig $pid
	wait $pid 2>/dev/null
	rc=$?
	want=$((128 + sig))
	check "SIG$sig ends calibrate by that signal ($rc)" test $rc -eq $want
	check "it had workers ($workers)" test -n "$workers"
	left=""
	for w in $workers; do [ -e /proc/$w ] && left="$left $w($(awk '{print $3}' /proc/$w/stat))"; done
	check "SIG$sig: every worker is gone, none a zombie ($left)" test -z "$left"
	sleep 0.3
	after=$(inuse)
	check "SIG$sig: its sockets are closed ($before before, $after after)" test "$after" -le $((before + 50))
done

if [ "$(id -u)" -eq 0 ]; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$sockcap" calibrate --connections 100 -f json \
		>"$dir/nobody.json" 2>"$dir/err"
	check "an unprivileged calibration exits 0" test $? -eq 0
	check "and says what it could not measure" grep -q "proc/slabinfo is not readable" "$dir/nobody.json"
fi
finish calibrate
