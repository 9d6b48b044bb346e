#!/bin/sh
# --format prometheus against its real consumers:
#  - every fixture host x profile (audit, and plan with a target) passes
#    `promtool check metrics` with no finding at all (lint included);
#  - every metric has HELP and TYPE, no sample carries a timestamp, the file
#    ends with a newline;
#  - a real prometheus-node-exporter, started here on 127.0.0.1 (a free
#    port) with its textfile collector pointed at a scratch directory,
#    serves each fixture's file (replaced atomically with -o between
#    scrapes) with the same samples and node_textfile_scrape_error 0;
#  - a profile name with a quote, a backslash and non-ASCII letters comes
#    back from the exporter as it was written.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
sockcap=${SOCKCAP:-$top/sockcap}
work=$(mktemp -d /tmp/sockcap-monitor-prom.XXXXXX)
exporter_pid=
cleanup() {
	[ -n "$exporter_pid" ] && kill "$exporter_pid" 2>/dev/null && wait "$exporter_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
. "$top/tests/lib.sh"
py=/usr/bin/python3

# The structure promtool does not insist on: HELP and TYPE before each
# metric's samples, no timestamp, a final newline.
structure() {
	$py - "$1" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
assert text.endswith("\n"), "no final newline"
helped, typed = set(), set()
for line in text.splitlines():
    if line.startswith("# HELP "):
        helped.add(line.split()[2])
    elif line.startswith("# TYPE "):
        name, kind = line.split()[2:4]
        assert kind == "gauge", f"{name}: type {kind}"
        assert name in helped, f"{name}: TYPE before HELP"
        typed.add(name)
    else:
        m = re.match(r'^([a-z_]+)(\{(?:[a-z_]+="(?:[^"\\]|\\.)*",?)*\})? (\S+)$', line)
        assert m, f"not one sample without a timestamp: {line!r}"
        assert m.group(1) in typed, f"{m.group(1)}: sample before HELP and TYPE"
        assert m.group(1).startswith("sockcap_"), f"{m.group(1)}: no sockcap_ prefix"
        float(m.group(3))
PY
}

n=0
for host in "$top"/tests/fixtures/*/; do
	for profile in idle websocket http proxy bulk; do
		for cmd in audit "plan -t 2M"; do
			n=$((n + 1))
			# shellcheck disable=SC2086
			"$sockcap" $cmd -r "$host" -p $profile -f prometheus >"$work/$n.prom" 2>"$work/err"
			rc=$?
			name="$(basename "$host") $profile $cmd"
			[ $rc -eq 0 ] && ok || bad "$name: exit $rc: $(cat "$work/err")"
			lint=$(promtool check metrics <"$work/$n.prom" 2>&1)
			[ $? -eq 0 ] && [ -z "$lint" ] && ok || bad "$name: promtool check metrics: $lint"
			msg=$(structure "$work/$n.prom" 2>&1) && ok || bad "$name: $msg"
		done
	done
done
[ $n -ge 100 ] && ok || bad "only $n outputs checked"

# A profile whose name needs escaping in a label value.
cat >"$work/odd.yaml" <<'EOF'
name: 'say "hi" \ to Zoë'
description: a name with a quote, a backslash and a non-ASCII letter
sockets_per_connection: 1
outbound_sockets: 0
rx_bytes: 0
tx_bytes: 0
app_bytes: 0
epoll: true
conntrack: true
thread_per_connection: false
reserved_fds: 32
churn_per_second: 0
EOF
"$sockcap" -r "$top/tests/fixtures/debian12-vm" -p "$work/odd.yaml" -f prometheus >"$work/odd.prom"
grep -qF 'sockcap_profile_info{profile="say \"hi\" \\ to Zoë"} 1' "$work/odd.prom" && ok ||
	bad "the odd profile name is not escaped: $(grep profile_info "$work/odd.prom")"
lint=$(promtool check metrics <"$work/odd.prom" 2>&1) && [ -z "$lint" ] && ok || bad "odd name: promtool: $lint"

# A real node_exporter on a free port of 127.0.0.1 (another may take it
# between our probe and its bind: then try again).
mkdir "$work/textfile"
port=
for attempt in 1 2 3 4 5; do
	port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	prometheus-node-exporter --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
		--collector.textfile --collector.textfile.directory="$work/textfile" \
		>"$work/exporter.log" 2>&1 &
	exporter_pid=$!
	up=0
	for _ in $(seq 50); do
		if $py -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/metrics', timeout=1)" 2>/dev/null; then
			up=1
			break
		fi
		kill -0 "$exporter_pid" 2>/dev/null || break
		sleep 0.1
	done
	[ $up = 1 ] && break
	kill "$exporter_pid" 2>/dev/null
	wait "$exporter_pid" 2>/dev/null
	exporter_pid=
done
[ -n "$exporter_pid" ] && ok || bad "node_exporter did not start: $(tail -3 "$work/exporter.log")"

# scrape FILE: the exporter's samples of FILE's metrics equal FILE's, and
# node_textfile_scrape_error is 0.
scrape() {
	$py - "http://127.0.0.1:$port/metrics" "$1" <<'PY'
import re, sys, urllib.request
body = urllib.request.urlopen(sys.argv[1], timeout=5).read().decode("utf-8")
def samples(text):
    out = {}
    for line in text.splitlines():
        if line.startswith("#") or not line:
            continue
        key, value = line.rsplit(" ", 1)
        out[key] = float(value)
    return out
served, wrote = samples(body), samples(open(sys.argv[2], encoding="utf-8").read())
assert len(wrote) > 20, f"only {len(wrote)} samples written"
assert served.get("node_textfile_scrape_error") == 0, f"node_textfile_scrape_error {served.get('node_textfile_scrape_error')}"
# The exporter writes labels sorted by name, as sockcap does.
for key, value in wrote.items():
    assert key in served, f"not served: {key}"
    assert served[key] == value or (value != value and served[key] != served[key]), f"{key}: {served[key]} != {value}"
mtime = [k for k in served if k.startswith("node_textfile_mtime_seconds")]
assert mtime, "no node_textfile_mtime_seconds"
PY
}

if [ -n "$exporter_pid" ]; then
	for host in "$top"/tests/fixtures/*/; do
		"$sockcap" -r "$host" -p websocket -t 100k -f prometheus -o "$work/textfile/sockcap.prom"
		cp "$work/textfile/sockcap.prom" "$work/expected.prom"
		msg=$(scrape "$work/expected.prom" 2>&1) && ok || bad "node_exporter, $(basename "$host"): $msg"
	done
	cp "$work/odd.prom" "$work/textfile/sockcap.prom"
	msg=$(scrape "$work/odd.prom" 2>&1) && ok || bad "node_exporter, odd profile name: $msg"
	# This host, live.
	"$sockcap" -f prometheus -o "$work/textfile/sockcap.prom"
	cp "$work/textfile/sockcap.prom" "$work/expected.prom"
	msg=$(scrape "$work/expected.prom" 2>&1) && ok || bad "node_exporter, this host: $msg"
fi

finish prometheus
