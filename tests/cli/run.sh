#!/bin/sh
# Golden CLI tests: each line of tests/cli/cases names a case, the fixture
# tree it runs over, who runs it, and sockcap's arguments. The case passes
# when stdout, stderr and the exit status equal tests/cli/expected/NAME.out,
# NAME.err and NAME.status.
#
#   sh tests/cli/run.sh            run every case
#   UPDATE=1 sh tests/cli/run.sh   rewrite the expected files (review the diff!)
#   SOCKCAP=path                   test another build (a sanitizer one)
#   SOCKCAP_WRAPPER="valgrind ..." run every case under a wrapper
#
# Case lines: NAME FIXTURE USER ARGS...
#   FIXTURE  a directory under tests/fixtures, copied to a scratch directory
#            and passed as "host" relative to it (so output paths are stable),
#            or - for none
#   USER     root, or nobody: the fixture's proc/slabinfo is made mode 000 and,
#            when the tests run as root, sockcap runs as nobody (setpriv);
#            nobody:PATH,PATH... makes those fixture files mode 000 as well
# In ARGS, @tmp stands for a scratch directory of the case and @cli for
# tests/cli (its profiles/ hold user profiles).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sockcap=${SOCKCAP:-$top/sockcap}
pass=0
fail=0
scratch=$(mktemp -d)
# A case makes fixture files and directories mode 000: give them back first.
trap 'chmod -R u+rwX "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT INT TERM
chmod 755 "$scratch"
# @cli is reached through a link of the same length whatever the checkout's
# path: text output folds lines at 80 columns, and a profile's path is in it.
ln -s "$here" "$scratch/cli"

run_case() {
	name=$1 fixture=$2 user=$3
	shift 3
	dir=$scratch/$name
	mkdir -p "$dir/tmp"
	chmod 777 "$dir/tmp"
	if [ "$fixture" != - ]; then
		cp -R "$top/tests/fixtures/$fixture" "$dir/host"
		chmod -R a+rX "$dir/host"
	fi
	runner=""
	case $user in nobody*)
		for p in proc/slabinfo $(echo "${user#nobody}" | sed 's/^://; s/,/ /g'); do
			[ -e "$dir/host/$p" ] && chmod 000 "$dir/host/$p"
		done
		[ "$(id -u)" -eq 0 ] && runner="setpriv --reuid=65534 --regid=65534 --clear-groups"
		;;
	esac
	args=$(printf '%s\n' "$*" | sed "s|@tmp|$dir/tmp|g; s|@cli|$scratch/cli|g")
	# shellcheck disable=SC2086
	(cd "$dir" && env -i PATH="$PATH" LC_ALL=C.UTF-8 ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
		${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} $runner ${SOCKCAP_WRAPPER:-} "$sockcap" $args \
		>"$dir/out" 2>"$dir/err")
	echo $? >"$dir/status"
	# Scratch paths in messages are made stable.
	sed -i "s|$dir/tmp|@tmp|g; s|$scratch/cli|@cli|g; s|$here|@cli|g" "$dir/out" "$dir/err"
	# Valgrind's notes ("--PID-- WARNING: unhandled amd64-linux syscall:
	# 437": 3.19 does not know openat2, so the reader's walk without it
	# runs there) are not sockcap's; its errors ("==PID==") stay.
	[ -n "${SOCKCAP_WRAPPER:-}" ] && sed -i '/^--[0-9]*-- /d' "$dir/err"
	exp=$here/expected/$name
	if [ "${UPDATE:-}" = 1 ]; then
		cp "$dir/out" "$exp.out"
		cp "$dir/err" "$exp.err"
		cp "$dir/status" "$exp.status"
	fi
	ok=1
	for part in out err status; do
		if ! cmp -s "$dir/$part" "$exp.$part"; then
			ok=0
			echo "FAIL $name: $part differs" >&2
			diff -u "$exp.$part" "$dir/$part" 2>&1 | head -20 >&2
		fi
	done
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}

while read -r name fixture user rest; do
	case $name in '' | '#'*) continue ;; esac
	# shellcheck disable=SC2086
	run_case "$name" "$fixture" "$user" $rest
done <"$here/cases"

echo "cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
