#!/bin/sh
# One version: debian/changelog's. `sockcap --version`, the JSON
# tool.version and the header of a generated file say what
# dpkg-parsechangelog reads there, and the Makefile reads any Debian
# version the way dpkg-parsechangelog does.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
sockcap=${SOCKCAP:-$top/sockcap}
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
. "$top/tests/lib.sh"

want=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
check "debian/changelog has a version" test -n "$want"
check "sockcap --version prints debian/changelog's version ($want)" \
	test "$("$sockcap" --version)" = "sockcap $want"
got=$("$sockcap" -r "$top/tests/fixtures/debian12-vm" -f json |
	$py -c 'import json,sys; print(json.load(sys.stdin)["tool"]["version"])')
check "the JSON tool.version is $want" test "$got" = "$want"
check "a generated sysctl.d file names sockcap $want" \
	sh -c '"$1" sysctl -r "$2" -t 250k | grep -q "sockcap $3"' _ "$sockcap" "$top/tests/fixtures/debian12-vm" "$want"

# The Makefile's reading of other changelogs (what a new entry would say).
for v in 0.2.0 1.0.0~rc1 1.2.3+git20261129 10.0; do
	printf 'sockcap (%s) unstable; urgency=medium\n\n  * x\n\n -- A <a@b.example>  Sun, 29 Nov 2026 20:00:00 +0000\n' "$v" >"$tmp/changelog"
	d=$(dpkg-parsechangelog -l "$tmp/changelog" -S Version)
	m=$(make -s -C "$top" --no-print-directory CHANGELOG="$tmp/changelog" version)
	check "the Makefile reads $v as dpkg-parsechangelog does ($d)" test "$m" = "$d"
done
printf 'other (1.0) unstable; urgency=medium\n' >"$tmp/changelog"
make -s -C "$top" --no-print-directory CHANGELOG="$tmp/changelog" version >/dev/null 2>&1
check "a changelog of another package stops the build" test $? -ne 0
finish version
