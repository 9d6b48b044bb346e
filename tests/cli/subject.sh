#!/bin/sh
# The subject of an audit on real processes of this machine (issue 12):
#  - without a subject, the limits are a new service's, not the shell's;
#  - a master's workers are audited: their limits, sockets and number (a
#    Python master, and nginx from Debian's package);
#  - a process in another network namespace (unshare -n) is audited with
#    that namespace's facts, and as a user who may not enter it those facts
#    are denied, never sockcap's own;
#  - a zombie and a kernel thread are exit 2 with a message saying so, a
#    process that exits during the run exit 3.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
sockcap=${SOCKCAP:-$top/sockcap}
py=/usr/bin/python3
. "$top/tests/lib.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/sockcap-subject.XXXXXX")
chmod 755 "$work"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

field() { # field JSON-FILE PYTHON-EXPRESSION-OVER-d
	$py -c 'import json, sys
d = json.load(open(sys.argv[1]))
rows = {r["id"]: r for r in d["limits"]}
print(eval(sys.argv[2]))' "$1" "$2"
}

# 1. No subject: a new service, whatever the invoking shell's limit.
prlimit --nofile=4321:4321 "$sockcap" -f json >"$work/new.json"
check "an audit without a subject exits 0" test $? -eq 0
check "its subject is a new service" test "$(field "$work/new.json" 'd["subject"]["kind"]')" = new_service
check "its nofile is not the shell's 4321" test "$(field "$work/new.json" 'rows["nofile"]["value"]')" != 4321
prlimit --nofile=4321:4321 "$sockcap" | head -1 | grep -q '^a new service on this host: '
check "the first line names the subject" test $? -eq 0

# 2. A master and two workers of the same program, each worker holding 5
#    socket pairs (10 socket descriptors).
prlimit --nofile=3000:3000 $py -c '
import os, socket, sys, time
children = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        keep = [socket.socketpair() for _ in range(5)]
        time.sleep(60)
        os._exit(0)
    children.append(pid)
print(" ".join(map(str, children)), flush=True)
time.sleep(60)
' >"$work/children" &
master=$!
pids="$pids $master"
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$work/children" ] && break; sleep 0.2; done
sleep 0.3
pids="$pids $(cat "$work/children")"
"$sockcap" --pid $master -f json >"$work/master.json"
check "--pid of a master exits 0" test $? -eq 0
check "its 2 workers are found" test "$(field "$work/master.json" 'd["subject"]["workers"]')" = 2
check "and counted for --processes" test "$(field "$work/master.json" 'd["processes"]')" = 2
check "a worker's limits are read" test "$(field "$work/master.json" 'rows["nofile"]["value"]')" = 3000
check "a worker is the process read" \
	test "$(field "$work/master.json" 'd["subject"]["process"]')" = "$(cut -d' ' -f1 "$work/children")"
check "every worker's sockets are counted" \
	test "$(field "$work/master.json" 'd["usage"]["subject"]["sockets"]')" = 20
"$sockcap" --pid $master --processes 5 -f json >"$work/five.json"
check "--processes still overrides" test "$(field "$work/five.json" 'd["processes"]')" = 5
"$sockcap" --pid $master | head -1 | grep -q "^process $master's 2 workers"
check "the first line names the master's workers" test $? -eq 0

# 3. A process in a network namespace of its own with a narrow port range.
unshare -n sh -c 'echo "40000 41000" >/proc/sys/net/ipv4/ip_local_port_range; echo 64 >/proc/sys/net/core/somaxconn; exec sleep 60' &
ns=$!
pids="$pids $ns"
sleep 0.5
"$sockcap" --pid $ns -p proxy -f json >"$work/ns.json"
check "--pid in another netns exits 0" test $? -eq 0
check "the namespace is named" test "$(field "$work/ns.json" 'd["subject"]["netns_other"]')" = True
check "its port range is read there" test "$(field "$work/ns.json" 'rows["ports"]["value"]')" = 1001
check "the port range's source names the namespace" \
	test "$(field "$work/ns.json" '"net:[" in rows["ports"]["source"]')" = True
check "its somaxconn is read there" \
	test "$(field "$work/ns.json" '[w for w in d["warnings"] if w["id"] == "somaxconn_small"][0]["message"].split()[2].rstrip(":")')" = 64
check "the plan starts from its range" \
	test "$(field "$work/ns.json" '[r["current"] for r in d["recommendations"] if r["key"] == "net.ipv4.ip_local_port_range"][0]')" = "40000 41000"
"$sockcap" --pid $ns | head -1 | grep -q "in network namespace net:\["
check "the first line names the namespace" test $? -eq 0
if [ "$(id -u)" -eq 0 ]; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$sockcap" --pid $ns -p proxy -f json \
		>"$work/ns-nobody.json"
	check "as nobody it still exits 0" test $? -eq 0
	check "as nobody the namespace's facts are denied" \
		test "$(field "$work/ns-nobody.json" 'd["subject"]["netns_status"]')" = denied
	check "as nobody the ports row is unknown, not the host's" \
		test "$(field "$work/ns-nobody.json" 'rows["ports"]["status"]')" = unknown
fi

# 4. A zombie: the child of a shell that never reaps it.
sh -c 'sleep 0.1 & exec sleep 60' &
parent=$!
pids="$pids $parent"
sleep 0.5
zombie=$(tr -d " " </proc/$parent/task/$parent/children)
"$sockcap" --pid "$zombie" >/dev/null 2>"$work/zombie.err"
check "a zombie is exit 2" test $? -eq 2
check "and the message says it is a zombie" grep -q "process '$zombie' is a zombie" "$work/zombie.err"

# 5. Kernel threads: kthreadd and one of its children.
kworker=$(cut -d' ' -f1 /proc/2/task/2/children)
for k in 2 $kworker; do
	"$sockcap" --pid "$k" >/dev/null 2>"$work/kthread.err"
	check "kernel thread $k is exit 2" test $? -eq 2
	check "and the message says it is a kernel thread" \
		grep -q "process '$k' is a kernel thread" "$work/kthread.err"
done

# 6. nginx from Debian's package, as the issue found it: the master has the
#    20000 descriptors prlimit gave it, its 2 workers the 19000 of
#    worker_rlimit_nofile and hold the connections; they run as nobody.
mkdir -p "$work/nginx/logs" "$work/nginx/tmp"
chmod 755 "$work/nginx"
for attempt in 1 2 3 4 5; do
	port=$($py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	t=$work/nginx/tmp
	cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 2;
worker_rlimit_nofile 19000;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $t; proxy_temp_path $t; fastcgi_temp_path $t; uwsgi_temp_path $t; scgi_temp_path $t;
	server { listen 127.0.0.1:$port; return 204; }
}
EOF
	prlimit --nofile=20000:20000 /usr/sbin/nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" \
		2>"$work/nginx/err" &
	nginx_pid=$!
	pids="$pids $nginx_pid"
	for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$work/nginx/nginx.pid" ] && break; sleep 0.2; done
	[ -s "$work/nginx/nginx.pid" ] && break
	wait $nginx_pid 2>/dev/null # the port was taken meanwhile: another one
done
check "nginx started (attempt $attempt)" test -s "$work/nginx/nginx.pid"
sleep 0.5
master=$(cat "$work/nginx/nginx.pid")
"$sockcap" --pid "$master" -f json >"$work/nginx.json"
check "--pid of nginx's master exits 0" test $? -eq 0
check "nginx's 2 workers are counted" test "$(field "$work/nginx.json" 'd["processes"]')" = 2
check "their worker_rlimit_nofile, not the master's 20000" \
	test "$(field "$work/nginx.json" 'rows["nofile"]["value"]')" = 19000
check "file_max binds for workers without CAP_SYS_ADMIN" \
	test "$(field "$work/nginx.json" 'rows["file_max"]["binds_for_subject"]')" = True
kill "$master" 2>/dev/null

# 7. A process that exits while it is read: strace holds sockcap's open of
#    its limits for 3 s, and the process is killed 1.5 s in.
sleep 60 &
short=$!
pids="$pids $short"
(sleep 1.5; kill $short) &
# (LeakSanitizer cannot run under ptrace: off for this run of an ASan build.)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -o /dev/null -P /proc/$short/limits -e trace=openat -e inject=openat:delay_enter=3000000 \
	"$sockcap" --pid $short >/dev/null 2>"$work/gone.err"
check "a process that exits mid-run is exit 3" test $? -eq 3
check "and the message names it" grep -q "process '$short' exited during the run" "$work/gone.err"

finish subject
