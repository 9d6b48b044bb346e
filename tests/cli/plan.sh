#!/bin/sh
# The planner against real consumers and against itself, on every fixture
# host and profile:
#  - idempotent: applying a plan to a copy of the tree and planning again
#    yields no change, and the capacity then reaches the target;
#  - sysctl.d output passes `sysctl --dry-run -p` (procps);
#  - limits.d output has soft and hard nofile lines for '*' and for root,
#    never 'unlimited';
#  - the Ansible task list passes `ansible-playbook --syntax-check`;
#  - the unit drop-in, next to a unit of the name it gives, passes
#    `systemd-analyze verify` without a word;
#  (SOCKCAP_PACKAGE_BUILD=REASON skips these two and says so: a package
#  build has neither the ansible collections nor systemd among its
#  Build-Depends; make check and CI run both.)
#  - modprobe.d output is parsed by kmod (`modprobe -C DIR --showconfig`)
#    without a complaint and shows every options line; modules-load.d
#    output holds module names only;
#  - --check exits 1 while changes are pending (or a row is unknown) and 0
#    once applied.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
sockcap=${SOCKCAP:-$top/sockcap}
py=/usr/bin/python3
work=$(mktemp -d)
# sysctl lives in /usr/sbin, which a user's PATH on Debian lacks.
PATH=$PATH:/usr/sbin:/sbin
trap 'rm -rf "$work"' EXIT INT TERM
. "$top/tests/lib.sh"

[ -z "${SOCKCAP_PACKAGE_BUILD:-}" ] ||
	echo "plan: ansible-playbook --syntax-check and systemd-analyze verify skipped ($SOCKCAP_PACKAGE_BUILD)"
for fixture in "$top"/tests/fixtures/*/; do
	host=$(basename "$fixture")
	# threads: for a new service (the subject) RLIMIT_NPROC is
	# DefaultLimitNPROC=, else threads-max / 2; apply_plan.py installs
	# LimitNPROC= as DefaultLimitNPROC=, so an applied plan shows.
	for profile in idle websocket http proxy bulk threads; do
		for target in ceiling 200k; do
			case=$host/$profile/$target
			t=""
			[ "$target" = ceiling ] || t="--target $target"
			rm -rf "$work/root"
			cp -R "$fixture" "$work/root"
			# shellcheck disable=SC2086
			"$sockcap" plan -r "$work/root" -p $profile $t -f json >"$work/plan.json" ||
				{ bad "$case: plan failed"; continue; }
			reachable=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["plan"]["reachable"])' "$work/plan.json")
			pending=$($py -c 'import json,sys; print(sum(r["kind"] != "hardware" for r in json.load(open(sys.argv[1]))["recommendations"]))' "$work/plan.json")
			partial=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["capacity"]["partial"])' "$work/plan.json")
			# shellcheck disable=SC2086
			"$sockcap" plan -r "$work/root" -p $profile $t --check >/dev/null 2>&1
			rc=$?
			if [ "$pending" -gt 0 ] || [ "$reachable" = False ] || [ "$partial" = True ]; then
				[ $rc -eq 1 ] && ok || bad "$case: --check exits $rc with changes pending or a row unknown"
			else
				[ $rc -eq 0 ] && ok || bad "$case: --check exits $rc with nothing to do"
			fi

			# shellcheck disable=SC2086
			"$sockcap" sysctl -r "$work/root" -p $profile $t >"$work/sysctl.conf"
			if sysctl --dry-run -p "$work/sysctl.conf" >/dev/null 2>"$work/err" && [ ! -s "$work/err" ]; then ok
			else bad "$case: sysctl --dry-run -p rejects the sysctl.d output: $(cat "$work/err")"; fi

			# shellcheck disable=SC2086
			"$sockcap" limits -r "$work/root" -p $profile $t >"$work/limits.conf"
			if grep -q unlimited "$work/limits.conf"; then bad "$case: 'unlimited' in limits.d"; else ok; fi
			if grep -q '^\* *soft *nofile' "$work/limits.conf"; then
				for want in '^\* *hard *nofile' '^root *soft *nofile' '^root *hard *nofile'; do
					grep -q "$want" "$work/limits.conf" && ok || bad "$case: limits.d lacks $want"
				done
			fi

			# shellcheck disable=SC2086
			"$sockcap" ansible -r "$work/root" -p $profile $t >"$work/tasks.yml"
			if [ -z "${SOCKCAP_PACKAGE_BUILD:-}" ]; then
			printf -- '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ansible.builtin.include_tasks: tasks.yml\n    - ansible.builtin.import_tasks: tasks.yml\n' >"$work/play.yml"
			if (cd "$work" && ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
				ansible-playbook --syntax-check play.yml >"$work/ansible.log" 2>&1); then ok
			else bad "$case: ansible-playbook --syntax-check: $(tail -5 "$work/ansible.log")"; fi
			fi

			# The unit drop-in, installed where its header says next to a unit
			# of that name, passes systemd-analyze verify without a word.
			# shellcheck disable=SC2086
			"$sockcap" systemd -r "$work/root" -p $profile $t >"$work/dropin.conf"
			dest=$(sed -n 's|^# Install as /etc/systemd/system/\([^/]*\)\.d/\([^,]*\), then.*|\1/\2|p' "$work/dropin.conf")
			unit=${dest%%/*}
			if [ -z "$dest" ]; then
				bad "$case: the drop-in does not say where it goes"
			elif [ -z "${SOCKCAP_PACKAGE_BUILD:-}" ]; then
				rm -rf "$work/units"
				mkdir -p "$work/units/$unit.d"
				printf '[Unit]\nDescription=sockcap plan.sh\n[Service]\nExecStart=/bin/true\n' >"$work/units/$unit"
				cp "$work/dropin.conf" "$work/units/$unit.d/${dest#*/}"
				if SYSTEMD_UNIT_PATH="$work/units:" systemd-analyze verify "$work/units/$unit" >"$work/err" 2>&1 &&
					[ ! -s "$work/err" ]; then ok
				else bad "$case: systemd-analyze verify: $(head -3 "$work/err")"; fi
			fi

			# modprobe.d: kmod parses it without a complaint and holds every
			# options line; modules-load.d: one module name per line.
			rm -rf "$work/modprobe.d"
			mkdir "$work/modprobe.d"
			# shellcheck disable=SC2086
			"$sockcap" modprobe -r "$work/root" -p $profile $t >"$work/modprobe.d/90-sockcap.conf"
			modprobe -C "$work/modprobe.d" --showconfig >"$work/showconfig" 2>"$work/err"
			if [ ! -s "$work/err" ]; then ok; else bad "$case: modprobe --showconfig: $(cat "$work/err")"; fi
			grep '^options ' "$work/modprobe.d/90-sockcap.conf" | while read -r line; do
				grep -qxF "$line" "$work/showconfig" || echo "$line"
			done >"$work/missing"
			if [ ! -s "$work/missing" ]; then ok; else bad "$case: modprobe does not show $(cat "$work/missing")"; fi
			# shellcheck disable=SC2086
			"$sockcap" modules-load -r "$work/root" -p $profile $t >"$work/modules.conf"
			if grep -v '^#' "$work/modules.conf" | grep -qvE '^[A-Za-z0-9_-]+$'; then
				bad "$case: modules-load.d holds a line that is not a module name"
			else ok; fi

			$py "$top/tests/cli/apply_plan.py" "$work/plan.json" "$work/root"
			# shellcheck disable=SC2086
			"$sockcap" plan -r "$work/root" -p $profile $t -f json >"$work/again.json"
			$py - "$work/plan.json" "$work/again.json" "$case" <<'PY' && ok || bad "$case: not idempotent"
import json, sys
first, again, case = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
left = [r for r in again["recommendations"] if r["kind"] != "hardware"]
if left:
    sys.exit(f"{case}: still recommends {[r['key'] for r in left]}")
# Without --target the target is what memory carries less the reserve:
# memory (MemAvailable now) may bind below it, no other row may.
ceiling = first["plan"]["target_is_ceiling"]
if first["plan"]["reachable"] and again["capacity"]["connections"] < first["plan"]["target"] \
        and not (ceiling and again["capacity"]["binding"] == "memory"):
    sys.exit(f"{case}: capacity {again['capacity']['connections']} below {first['plan']['target']}")
if ceiling:
    short = [l["id"] for l in again["limits"] if l["id"] not in ("memory", "nofile_hard", "nr_open")
             and l["status"] == "ok" and l["connections"] < first["plan"]["target"]]
    if first["plan"]["reachable"] and short:
        sys.exit(f"{case}: {short} below the ceiling {first['plan']['target']}")
if first["plan"]["after"] != again["capacity"]:
    sys.exit(f"{case}: predicted {first['plan']['after']}, got {again['capacity']}")
PY
		done
	done
done
finish plan
