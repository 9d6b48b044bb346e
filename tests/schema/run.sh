#!/bin/sh
# Validates `sockcap audit --format json` on every fixture host, with every
# built-in profile, and on this machine, against data/schema/audit.schema.json.
# The YAML form must load to the same tree.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
sockcap=${SOCKCAP:-$top/sockcap}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT INT TERM
# Debian's python3 carries python3-jsonschema and python3-yaml.
py=/usr/bin/python3
n=0
for host in "$top"/tests/fixtures/*/; do
	for profile in idle websocket http proxy bulk; do
		n=$((n + 1))
		"$sockcap" --root "$host" --profile $profile --format json >"$out/$n.json"
		"$sockcap" --root "$host" --profile $profile --format yaml >"$out/$n.yaml"
		n=$((n + 1))
		"$sockcap" plan --root "$host" --profile $profile --target 2M -f json >"$out/$n.json"
		"$sockcap" plan --root "$host" --profile $profile --target 2M -f yaml >"$out/$n.yaml"
	done
done
# Every subject kind (DESIGN section 8).
for subject in "nginx-service --pid 4242" "nginx-service --pid 4243" "nginx-service --unit nginx" \
	"nginx-service --unit haproxy" "session-limits --user alice"; do
	# shellcheck disable=SC2086
	set -- $subject
	host=$1
	shift
	n=$((n + 1))
	"$sockcap" --root "$top/tests/fixtures/$host" "$@" --format json >"$out/$n.json"
	"$sockcap" --root "$top/tests/fixtures/$host" "$@" --format yaml >"$out/$n.yaml"
done
# This host: its live counters move between two runs, so only the schema.
"$sockcap" audit --format json >"$out/host.json.live"
$py "$top/tests/schema/validate.py" "$top/data/schema/audit.schema.json" "$out"/*.json "$out/host.json.live"
$py - "$out" <<'PY'
import json, sys, pathlib, yaml
d = pathlib.Path(sys.argv[1])
bad = 0
for j in sorted(d.glob("*.json")):
    if json.load(open(j)) != yaml.safe_load(open(j.with_suffix(".yaml"))):
        print(f"{j.with_suffix('.yaml').name}: YAML differs from JSON", file=sys.stderr)
        bad += 1
print(f"yaml: {len(list(d.glob('*.json'))) - bad} passed, {bad} failed")
sys.exit(1 if bad else 0)
PY
