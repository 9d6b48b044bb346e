#!/bin/sh
# sockcap calibrate --pid on a tiny epoll server (tests/cli/holdsrv.py) that
# keeps 8 KiB of its own memory per connection: the application bytes are
# measured, saved and used by the model (app_bytes_from: calibration); a
# server in another network namespace is reached from inside it; a listener
# on a non-loopback address only, and a process without a listener, are
# refused (exit 2); a measurement while sockets churn elsewhere is not
# trusted; SIGTERM in the middle closes every connection and leaves
# no worker behind, not even a zombie. Servers are stopped by PID.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
sockcap=${SOCKCAP:-$top/sockcap}
py=/usr/bin/python3
here=$top/tests/cli
dir=$(mktemp -d "${TMPDIR:-/tmp}/sockcap-servers-calpid.XXXXXX")
chmod 755 "$dir"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
. "$top/tests/lib.sh"
field() { $py -c 'import json,sys
d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): d=d[k]
print("null" if d is None else d)' "$1" "$2"; }

# start_server NAME HOST [unshare args...]: starts holdsrv.py, sets $srv and $port
start_server() {
	name=$1 host=$2
	shift 2
	"$@" $py "$here/holdsrv.py" "$host" 0 8192 >"$dir/$name.port" 2>"$dir/$name.err" &
	srv=$!
	pids="$pids $srv"
	for _ in $(seq 50); do [ -s "$dir/$name.port" ] && break; sleep 0.1; done
	port=$(head -1 "$dir/$name.port")
}

# On a busy host the slab's growth can scatter past 10 % between steps: the
# measurement then says it is uncertain and is not saved (exit 2, as it
# should). Up to three tries, each on a fresh server (a server measured
# again first reuses the memory its allocator kept); the figures checked
# are the trusted one's.
for try in 1 2 3; do
	[ $try -gt 1 ] && { kill $srv; wait $srv 2>/dev/null; }
	start_server same 127.0.0.1
	"$sockcap" calibrate --pid $srv --connections 2000 -f json --save "$dir/cal.json" >"$dir/out.json" 2>"$dir/err"
	rc=$?
	[ $rc -eq 2 ] && grep -q "uncertain" "$dir/err" || break
	echo "calibrate_pid: try $try uncertain: $(cat "$dir/err")"
done
check "calibrate --pid exits 0 ($(cat "$dir/err"))" test $rc -eq 0
check "it names the listener" test "$(field "$dir/cal.json" server.listener)" = "127.0.0.1:$port"
check "and the server" test "$(field "$dir/cal.json" server.pid)" = "$srv"
check "it held the connections asked for" test "$(field "$dir/cal.json" server.connections)" -ge 1990
app=$(field "$dir/cal.json" app_bytes_per_connection)
check "8 KiB kept per connection is measured ($app)" test "$app" -ge 8192 -a "$app" -le 16384
check "the measurement is trusted" test "$(field "$dir/cal.json" trusted)" = True
check "the saved file validates" $py "$top/tests/schema/validate.py" \
	"$top/data/schema/calibration.schema.json" "$dir/cal.json"
"$sockcap" --calibration "$dir/cal.json" -r "$top/tests/fixtures/debian12-vm" -f json >"$dir/audit.json"
check "audit --calibration exits 0" test $? -eq 0
check "the model takes the server's bytes" test "$(field "$dir/audit.json" per_connection.app_bytes)" = "$app"
check "and says where they came from" \
	test "$(field "$dir/audit.json" per_connection.app_bytes_from)" = calibration
"$sockcap" --calibration "$dir/cal.json" -r "$top/tests/fixtures/debian12-vm" --app-bytes 100 -f json >"$dir/audit2.json"
check "--app-bytes still wins" test "$(field "$dir/audit2.json" per_connection.app_bytes_from)" = option
held=$(ls -l /proc/$srv/fd | grep -c socket:)
check "every connection is closed afterwards ($held sockets)" test "$held" -le 2

# SIGTERM in the middle: connections closed, workers reaped.
"$sockcap" calibrate --pid $srv --connections 20000 >/dev/null 2>&1 &
cal=$!
sleep 0.6
workers=$(pgrep -P $cal | tr '\n' ' ')
kill -TERM $cal
wait $cal 2>/dev/null
rc=$?
check "SIGTERM ends calibrate --pid by that signal ($rc)" test $rc -eq 143
check "it had workers ($workers)" test -n "$workers"
left=""
for w in $workers; do [ -e /proc/$w ] && left="$left $w"; done
check "no worker is left, not even a zombie ($left)" test -z "$left"
sleep 0.5
held=$(ls -l /proc/$srv/fd | grep -c socket:)
check "the server's connections are closed ($held sockets)" test "$held" -le 2

# While other work opens and closes sockets, the server's measurement is
# not trusted either: calibrate --pid waits for the slab to settle as the
# host run does, and says it could not.
if [ -r /proc/slabinfo ] && [ "$(id -u)" -eq 0 ]; then
	(while :; do $py "$top/tests/cli/churn.py" 4000 2; done) &
	churner=$!
	sleep 1
	"$sockcap" calibrate --pid $srv --connections 1000 -f json >"$dir/busy.json" 2>"$dir/err"
	kill "$churner"
	wait "$churner" 2>/dev/null
	check "while sockets churn elsewhere, the server's figure is not trusted" \
		test "$(field "$dir/busy.json" trusted)" = False
	check "and a note says the slab did not settle" \
		$py -c 'import json,sys; sys.exit(not any(n.startswith("unsettled:") for n in json.load(open(sys.argv[1]))["notes"]))' "$dir/busy.json"
fi

sleep 30 &
pids="$pids $!"
"$sockcap" calibrate --pid $! >/dev/null 2>"$dir/err"
check "a process without a listener is refused (exit 2)" test $? -eq 2
check "and the message says so" grep -q "holds no listening TCP socket" "$dir/err"

if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
	# Loopback in a namespace of its own: reached from inside it.
	start_server netns 127.0.0.1 unshare -n sh -c 'ip link set lo up && exec "$0" "$@"'
	"$sockcap" calibrate --pid $srv --connections 500 -f json >"$dir/ns.json" 2>"$dir/err"
	check "a server in another network namespace is measured from inside it" test $? -eq 0
	check "its app bytes too ($(field "$dir/ns.json" app_bytes_per_connection))" \
		test "$(field "$dir/ns.json" app_bytes_per_connection)" -ge 8192
	# A listener on another address only: not over loopback.
	# (on lo itself: no dummy device is needed, and the address is still
	# not a loopback one)
	start_server far 10.251.0.1 unshare -n sh -c 'ip link set lo up &&
		ip addr add 10.251.0.1/32 dev lo && exec "$0" "$@"'
	"$sockcap" calibrate --pid $srv >/dev/null 2>"$dir/err"
	check "a listener reachable only off loopback is refused (exit 2)" test $? -eq 2
	check "and the message names it" grep -q "10.251.0.1:$port only, which is not reachable over loopback" "$dir/err"
fi
finish calibrate_pid
