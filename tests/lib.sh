# Sourced by the shell test scripts (after they set $top): counts checks,
# names each failure on stderr, and ends with the summary line that
# `make check` shows.
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*" >&2; }

# check NAME COMMAND...: a pass when COMMAND succeeds, else a failure NAME.
# (check_name: a name no script uses, as sh has no local variables.)
check() {
	check_name=$1
	shift
	if "$@"; then ok; else bad "$check_name"; fi
}

# finish LABEL: prints "LABEL: N passed, M failed"; fails when any failed.
finish() {
	echo "$1: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
