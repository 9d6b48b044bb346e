#!/bin/sh
# Ansible, for real:
#  - the local fact installed by `make install-fact` is read by
#    `ansible -m setup -a 'filter=ansible_local fact_path=DIR'` and returns
#    the audit: ansible_local.sockcap.capacity.connections, as sockcap says;
#    a sockcap.args line next to it reaches sockcap; copied from contrib as
#    it is, it runs the sockcap on PATH;
#  - contrib/ansible/fleet.yml over an inventory of several hosts on
#    connection: local, each pointed at a different fixture tree with
#    sockcap_root, writes a report whose lines are the hosts sorted by
#    headroom with the capacity, binding limit, usage and pending changes
#    that sockcap gives for each fixture; a host with the local fact is
#    reported from it.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
sockcap=${SOCKCAP:-$top/sockcap}
work=$(mktemp -d /tmp/sockcap-monitor-ansible.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
. "$top/tests/lib.sh"
py=/usr/bin/python3
# Ansible keeps its state in scratch, and uses Debian's python.
export ANSIBLE_HOME="$work/ansible-home" ANSIBLE_LOCAL_TEMP="$work/ansible-tmp" \
	ANSIBLE_REMOTE_TEMP="$work/ansible-tmp" ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
	ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_LOCALHOST_WARNING=0 \
	ANSIBLE_INVENTORY_UNPARSED_WARNING=0

# The local fact, installed into scratch, running this build.
make -s -C "$top" install-fact DESTDIR="$work/stage" FACTDIR=/facts BINDIR="$(dirname "$sockcap")" >/dev/null
facts=$work/stage/facts
[ -x "$facts/sockcap.fact" ] && ok || bad "make install-fact installed no executable fact"
setup() {
	ansible -i 'localhost,' -c local -m setup -a "filter=ansible_local fact_path=$facts" localhost \
		>"$work/setup.out" 2>"$work/setup.err"
}
# compare_fact ARGS...: ansible_local.sockcap is the document sockcap
# prints with ARGS (capacity, binding, profile).
compare_fact() {
	"$sockcap" audit --format json "$@" >"$work/direct.json"
	$py - "$work/setup.out" "$work/direct.json" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
doc = json.loads(text[text.index("{"):])
fact = doc["ansible_facts"]["ansible_local"]["sockcap"]
direct = json.load(open(sys.argv[2]))
assert isinstance(fact, dict), f"the fact is not the document: {fact!r}"[:300]
assert fact["schema_version"] == 1
conns = fact["capacity"]["connections"]
assert isinstance(conns, int) and conns > 0, conns
for key in ("binding", "partial"):
    assert fact["capacity"][key] == direct["capacity"][key], (key, fact["capacity"][key], direct["capacity"][key])
assert fact["profile"]["name"] == direct["profile"]["name"], fact["profile"]["name"]
# The binding row's figure is stable between two runs unless it is memory.
if fact["capacity"]["binding"] != "memory":
    assert conns == direct["capacity"]["connections"], (conns, direct["capacity"]["connections"])
print(f"ansible_local.sockcap.capacity.connections = {conns}")
PY
}
setup
rc=$?
msg=$(compare_fact 2>&1)
[ $rc -eq 0 ] && [ $? -eq 0 ] && ok || bad "ansible setup: exit $rc: $msg $(head -c 400 "$work/setup.out" "$work/setup.err")"
echo "--profile proxy --root $top/tests/fixtures/server-1t" >"$facts/sockcap.args"
setup
rc=$?
msg=$(compare_fact --profile proxy --root "$top/tests/fixtures/server-1t" 2>&1)
[ $rc -eq 0 ] && [ $? -eq 0 ] && ok || bad "ansible setup with sockcap.args: exit $rc: $msg"
grep -q '"name": "proxy"' "$work/setup.out" && ok || bad "sockcap.args did not reach sockcap"

# The example as the package ships it (not substituted) runs the sockcap
# on PATH.
mkdir "$work/example"
cp "$top/contrib/ansible/sockcap.fact.in" "$work/example/sockcap.fact"
chmod 755 "$work/example/sockcap.fact"
PATH="$(dirname "$sockcap"):$PATH" ansible -i 'localhost,' -c local -m setup \
	-a "filter=ansible_local fact_path=$work/example" localhost >"$work/setup.out" 2>"$work/setup.err"
rc=$?
msg=$(compare_fact 2>&1)
[ $rc -eq 0 ] && [ $? -eq 0 ] && ok || bad "the fact copied from contrib: exit $rc: $msg"

# The fleet playbook: five hosts on five fixtures, and one read through
# its local fact (the one installed above), one report.
cat >"$work/inventory.ini" <<EOF
[fleet]
web1 sockcap_root=$top/tests/fixtures/debian12-vm
db1 sockcap_root=$top/tests/fixtures/rhel9-server
edge1 sockcap_root=$top/tests/fixtures/small-conntrack
big1 sockcap_root=$top/tests/fixtures/server-1t
pod1 sockcap_root=$top/tests/fixtures/k8s-pod-v2 sockcap_args='["--profile", "websocket"]'
fact1 sockcap_fact_path=$facts

[fleet:vars]
ansible_connection=local
EOF
ansible-playbook -i "$work/inventory.ini" "$top/contrib/ansible/fleet.yml" \
	-e "sockcap_bin=$sockcap" -e "sockcap_report=$work/report.txt" >"$work/play.out" 2>&1
rc=$?
[ $rc -eq 0 ] && ok || bad "ansible-playbook fleet.yml: exit $rc: $(tail -20 "$work/play.out")"
# The expected report from sockcap itself, fixture by fixture.
msg=$($py - "$sockcap" "$top/tests/fixtures" "$work/report.txt" <<'PY' 2>&1
import json, subprocess, sys
sockcap, fixtures, report = sys.argv[1:4]
hosts = {"web1": ("debian12-vm", []), "db1": ("rhel9-server", []), "edge1": ("small-conntrack", []),
         "big1": ("server-1t", []), "pod1": ("k8s-pod-v2", ["--profile", "websocket"]),
         # its local fact, whose sockcap.args says this:
         "fact1": ("server-1t", ["--profile", "proxy"])}
want = []
for host, (fixture, args) in hosts.items():
    a = json.loads(subprocess.run([sockcap, "audit", "--format", "json", "--root", f"{fixtures}/{fixture}", *args],
                                  capture_output=True, text=True, check=True).stdout)
    usage = ((a["usage"]["tcp_inuse"] or 0) + (a["usage"]["tcp6_inuse"] or 0)) // a["per_connection"]["sockets"]
    cap = a["capacity"]["connections"]
    want.append((cap - usage, host, str(cap) + ("*" if a["capacity"]["partial"] else ""), a["capacity"]["binding"], str(usage), str(cap - usage),
                 str(len(a["recommendations"])), a["profile"]["name"]))
want.sort()
lines = [l.split() for l in open(report) if l.strip() and not l.startswith("#")]
assert lines[0] == ["host", "capacity", "binding", "in", "use", "headroom", "changes", "profile"], lines[0]
got = [tuple(l) for l in lines[1:]]
assert got == [w[1:] for w in want], f"report:\n{open(report).read()}\nexpected order and values:\n" + "\n".join(map(str, want))
assert len(set(w[0] for w in want)) == len(want), "two hosts with the same headroom: the order proves less"
PY
)
[ $? -eq 0 ] && ok || bad "fleet report: $msg"

finish ansible
