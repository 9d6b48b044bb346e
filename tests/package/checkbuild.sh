#!/bin/sh
# The package build's tests (make check-build, run by debian/rules) against
# make check's: every suite make check runs either runs in the package
# build too or is named, with its reason, in what check-build says it
# leaves out. A suite added to make check and to neither fails here.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"

# show VAR: the Makefile's value of VAR.
show() {
	printf 'show-var:\n\t@: $(info $(%s))\n' "$1" | make -s --no-print-directory -C "$top" -f Makefile -f - show-var
}
suites=$(show CHECK_SUITES)
build=$(show CHECK_BUILD_SUITES)
skips=$(show CHECK_BUILD_SKIPS)
check "make check names its suites" test -n "$suites"
check "check-build names its suites" test -n "$build"
for s in $suites; do
	case " $build " in
	*" $s "* | *" $s-build "*) ok ;;
	*) case $skips in
		*"$s ("*) ok ;;
		*) bad "make check runs '$s', which check-build neither runs nor names in CHECK_BUILD_SKIPS" ;;
		esac ;;
	esac
done
for s in $build; do
	case " $suites " in
	*" $s "* | *" ${s%-build} "*) ok ;;
	*) bad "check-build runs '$s', which make check does not" ;;
	esac
done
# cli-build is cli less what the skips name.
for t in $(show CLI_ONLY); do
	case $skips in *"$(basename "$t") ("*) ok ;; *) bad "cli runs $t, which check-build neither runs nor names" ;; esac
done
finish checkbuild
