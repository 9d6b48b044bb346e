#!/bin/sh
# Validates `sockcap audit --format json` on every fixture host, with every
# built-in profile, and on this machine, against data/schema/audit.schema.json;
# `facts` against facts.schema.json and `profiles` against
# profiles.schema.json. The YAML form must load to the same tree.
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
# facts on every fixture host (and as an unprivileged reader), profiles
# built in and with a file, each against its own schema.
mkdir "$out/facts" "$out/profiles" "$out/bad"
for host in "$top"/tests/fixtures/*/; do
	"$sockcap" facts --root "$host" --format json >"$out/facts/$(basename "$host").json"
done
"$sockcap" facts --format json >"$out/facts/host.json"
if [ "$(id -u)" -eq 0 ]; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$sockcap" facts --format json >"$out/facts/nobody.json"
fi
"$sockcap" profiles --format json >"$out/profiles/builtin.json"
"$sockcap" profiles --profile "$top/tests/cli/profiles/chat.yaml" --format json >"$out/profiles/file.json"
"$sockcap" profiles --profile "$top/tests/cli/profiles/threads.yaml" --format json >"$out/profiles/threads.json"
$py "$top/tests/schema/validate.py" "$top/data/schema/facts.schema.json" "$out"/facts/*.json
$py "$top/tests/schema/validate.py" "$top/data/schema/profiles.schema.json" "$out"/profiles/*.json
# And they refuse what is not theirs: a profile whose count is a string,
# a fact with a field too many.
sed 's/"sockets_per_connection":[^,]*,/"sockets_per_connection": "1",/' "$out/profiles/builtin.json" >"$out/bad/profile.json"
sed '0,/"unlimited":/s/"unlimited":/"extra": 1, "unlimited":/' "$out/facts/host.json" >"$out/bad/facts.json"
for kind in profiles facts; do
	if $py "$top/tests/schema/validate.py" "$top/data/schema/$kind.schema.json" "$out/bad/${kind%s}.json" >/dev/null 2>&1 ||
		cmp -s "$out/bad/${kind%s}.json" "$out/$kind/$([ $kind = facts ] && echo host || echo builtin).json"; then
		echo "FAIL $kind.schema.json accepts a broken document" >&2
		exit 1
	fi
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
