#!/bin/sh
# make install and make uninstall into a staging DESTDIR: every file lands
# where PREFIX, BINDIR, MANDIR and the completion directories say, the
# installed binary runs from any directory with its built-in profiles, and
# uninstall leaves nothing behind.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT INT TERM
. "$top/tests/lib.sh"

make -s -C "$top" install DESTDIR="$stage" PREFIX=/opt/sc >/dev/null
check "install exits 0" test $? -eq 0
for f in opt/sc/bin/sockcap opt/sc/share/man/man8/sockcap.8 \
	opt/sc/share/bash-completion/completions/sockcap \
	opt/sc/share/zsh/vendor-completions/_sockcap \
	opt/sc/share/fish/vendor_completions.d/sockcap.fish \
	opt/sc/share/sockcap/schema/audit.schema.json \
	opt/sc/share/sockcap/schema/calibration.schema.json; do
	check "installs $f" test -f "$stage/$f"
done
check "the binary is executable" test -x "$stage/opt/sc/bin/sockcap"
check "check_sockcap links to the installed sockcap, relatively" \
	test "$(readlink "$stage/opt/sc/lib/nagios/plugins/check_sockcap")" = ../../../bin/sockcap
out=$(cd / && "$stage/opt/sc/bin/sockcap" profiles 2>&1)
check "the installed binary finds its built-in profiles from /" \
	sh -c 'printf "%s\n" "$1" | grep -q "^proxy "' _ "$out"
(cd / && "$stage/opt/sc/bin/sockcap" -r "$top/tests/fixtures/vm-512m" -p bulk -f json >/dev/null)
check "the installed binary audits from /" test $? -eq 0
make -s -C "$top" install DESTDIR="$stage" BINDIR=/usr/sbin MANDIR=/usr/share/man >/dev/null
check "BINDIR is honoured" test -x "$stage/usr/sbin/sockcap"
check "MANDIR is honoured" test -f "$stage/usr/share/man/man8/sockcap.8"
make -s -C "$top" uninstall DESTDIR="$stage" PREFIX=/opt/sc >/dev/null
make -s -C "$top" uninstall DESTDIR="$stage" BINDIR=/usr/sbin MANDIR=/usr/share/man >/dev/null
left=$(find "$stage" ! -type d | wc -l)
check "uninstall removes every file" test "$left" -eq 0
check "uninstall removes the schema directory" test ! -e "$stage/opt/sc/share/sockcap"
make -s -C "$top" install-fact DESTDIR="$stage" BINDIR=/opt/sc/bin >/dev/null
check "install-fact installs an executable fact" test -x "$stage/etc/ansible/facts.d/sockcap.fact"
check "the fact runs the installed sockcap" \
	grep -qx 'sockcap=/opt/sc/bin/sockcap' "$stage/etc/ansible/facts.d/sockcap.fact"
make -s -C "$top" uninstall-fact DESTDIR="$stage" >/dev/null
left=$(find "$stage" ! -type d | wc -l)
check "uninstall-fact removes the fact" test "$left" -eq 0
finish install
