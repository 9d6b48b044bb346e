#!/bin/sh
# Runs each Check test binary; fails when any fails. Check prints its own
# summary line per binary ("100%: Checks: N, Failures: 0, Errors: 0").
set -u
status=0
for t in "$@"; do
	CK_VERBOSITY=${CK_VERBOSITY:-normal} "$t" || status=1
done
exit $status
