#!/bin/sh
# contrib/ against its consumers:
#  - the Prometheus alert rules pass `promtool check rules` and their unit
#    tests (`promtool test rules`);
#  - the rules fire on what sockcap really writes: a rule test generated
#    from `sockcap -f prometheus` on fixture hosts (usage at 353% of a
#    capacity bound by nofile, a capacity below its target, a partial
#    answer) expects exactly the alerts those hosts deserve;
#  - the systemd service and timer pass `systemd-analyze verify` with no
#    message, and the service's command line runs.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
sockcap=${SOCKCAP:-$top/sockcap}
work=$(mktemp -d /tmp/sockcap-monitor-contrib.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
chmod 755 "$work"
. "$top/tests/lib.sh"
py=/usr/bin/python3
rules=$top/contrib/prometheus

out=$(promtool check rules "$rules/sockcap.rules.yml" 2>&1) && ok || bad "promtool check rules: $out"
out=$(cd "$rules" && promtool test rules sockcap.rules.test.yml 2>&1) && ok || bad "promtool test rules: $out"

# A rule test from real output: each host's samples as constant series of
# its own instance.
fixtures=$top/tests/fixtures
"$sockcap" -r "$fixtures/rhel9-server" -t 250k -f prometheus >"$work/full.prom"
"$sockcap" -r "$fixtures/debian12-vm" -t 500 -f prometheus >"$work/fine.prom"
cp -R "$fixtures/nonroot" "$work/nonroot"
chmod 000 "$work/nonroot/proc/meminfo"
if [ "$(id -u)" -eq 0 ]; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$sockcap" -r "$work/nonroot" -f prometheus >"$work/partial.prom"
else
	"$sockcap" -r "$work/nonroot" -f prometheus >"$work/partial.prom"
fi
grep -qx 'sockcap_capacity_partial 1' "$work/partial.prom" && ok || bad "the nonroot host without meminfo is not partial"
cp "$rules/sockcap.rules.yml" "$work/"
$py - "$work" <<'PY' >"$work/real.test.yml"
import json, re, sys
work = sys.argv[1]
hosts = {"full": "full:9100", "fine": "fine:9100", "partial": "partial:9100"}
series = []
for name, instance in hosts.items():
    for line in open(f"{work}/{name}.prom", encoding="utf-8"):
        if line.startswith("#"):
            continue
        key, value = line.rsplit(" ", 1)
        if value.strip() == "+Inf" or key.startswith("sockcap_run_timestamp"):
            continue
        m = re.match(r"^([a-z_:]+)(?:\{(.*)\})?$", key)
        labels = (m.group(2) + "," if m.group(2) else "") + f'instance="{instance}",job="node"'
        series.append({"series": f"{m.group(1)}{{{labels}}}", "values": f"{value.strip()}x80"})
def sample(name, path):
    for line in open(path):
        if line.startswith(name + " "):
            return float(line.split()[1])
usage = sample('sockcap_usage_connections{scope="host"}', f"{work}/full.prom")
cap = sample("sockcap_capacity_connections", f"{work}/full.prom")
pct = f"{usage / cap * 100:.4g}%"
def alert(severity, instance, summary, description, **labels):
    return {"exp_labels": {"severity": severity, "instance": instance, "job": "node", **labels},
            "exp_annotations": {"summary": summary, "description": description}}
near = ("sockcap: the connections in use are above {}% of what the host sustains for its profile. "
        "`sockcap audit` names the binding limit and `sockcap plan` what lifts it.")
test = {"rule_files": ["sockcap.rules.yml"], "evaluation_interval": "1m", "tests": [{
    "interval": "1m", "input_series": series,
    "alert_rule_test": [
        {"eval_time": "70m", "alertname": "SockcapConnectionsNearCapacity", "exp_alerts": [
            alert("warning", "full:9100", f"full:9100: {pct} of its connection capacity in use (host), bound by nofile",
                  near.format(80), scope="host", limit="nofile")]},
        {"eval_time": "70m", "alertname": "SockcapConnectionsAtCapacity", "exp_alerts": [
            alert("critical", "full:9100", f"full:9100: {pct} of its connection capacity in use (host), bound by nofile",
                  near.format(90), scope="host", limit="nofile")]},
        {"eval_time": "70m", "alertname": "SockcapCapacityBelowTarget", "exp_alerts": [
            alert("warning", "full:9100", f"full:9100: capacity {cap:.0f} connections is below its target, bound by nofile",
                  "sockcap: `sockcap plan -t TARGET` lists the changes that reach the target.", limit="nofile")]},
        {"eval_time": "70m", "alertname": "SockcapPartialAnswer", "exp_alerts": [
            alert("warning", "partial:9100", "partial:9100: sockcap could not read a limit that can bind; the capacity may be lower",
                  "sockcap_limit_status{status=\"unknown\"} names the limit; run sockcap as root or check its facts (`sockcap facts`).")]},
    ]}]}
print(json.dumps(test, indent=1))
PY
out=$(cd "$work" && promtool test rules real.test.yml 2>&1) && ok || bad "rules over real output: $out"

# systemd: verify the units with the service pointed at this build.
mkdir "$work/units"
sed "s|/usr/bin/sockcap|$sockcap|" "$top/contrib/systemd/sockcap-textfile.service" >"$work/units/sockcap-textfile.service"
cp "$top/contrib/systemd/sockcap-textfile.timer" "$work/units/"
out=$(cd "$work/units" && systemd-analyze verify --man=no sockcap-textfile.timer sockcap-textfile.service 2>&1)
[ $? -eq 0 ] && [ -z "$out" ] && ok || bad "systemd-analyze verify: $out"
grep -qx 'ExecStart=/usr/bin/sockcap audit --format prometheus --output /var/lib/prometheus/node-exporter/sockcap.prom $SOCKCAP_ARGS' \
	"$top/contrib/systemd/sockcap-textfile.service" && ok || bad "the service's ExecStart= changed: update this test"
# Its command, with the textfile directory in scratch and extra arguments.
"$sockcap" audit --format prometheus --output "$work/sockcap.prom" --root "$fixtures/debian12-vm" --profile proxy &&
	grep -q '^sockcap_profile_info{profile="proxy"} 1$' "$work/sockcap.prom" && ok || bad "the service's command does not run"

finish contrib
