#!/bin/sh
# usage: tests/package/install.sh DEBDIR        (make deb-test; root)
# The package as an administrator meets it: `apt-get install ./sockcap_*.deb`
# puts the binary, the man page, the completions where bash, zsh and fish
# look, the schemas, the docs and every contrib/ directory as examples;
# debian/tests/smoke passes against the installed sockcap; `apt-get remove
# --purge` takes every file away again. The package is removed on any
# failure too: this machine must not keep a /usr/bin/sockcap.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
debdir=$(cd "${1:?usage: tests/package/install.sh DEBDIR}" && pwd)
. "$top/tests/lib.sh"
apt="apt-get -y -qq -o DPkg::Lock::Timeout=600"
export DEBIAN_FRONTEND=noninteractive

[ "$(id -u)" -eq 0 ] || { echo "package: installing a package needs root" >&2; exit 2; }
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
deb=$debdir/sockcap_${version}_$(dpkg-architecture -qDEB_HOST_ARCH).deb
[ -f "$deb" ] || { echo "package: '$deb' is not built (make deb)" >&2; exit 2; }
if dpkg-query -W -f '${db:Status-Status}' sockcap 2>/dev/null | grep -qv '^not-installed$'; then
	echo "package: sockcap is already installed here; not touching it" >&2
	exit 2
fi
work=$(mktemp -d)
installed=0
cleanup() {
	[ $installed -eq 1 ] && $apt remove --purge sockcap >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

(cd "$debdir" && $apt install "./$(basename "$deb")") >"$work/apt.log" 2>&1
rc=$?
installed=1
[ $rc -eq 0 ] && ok || { bad "apt-get install ./$(basename "$deb") exits $rc"; cat "$work/apt.log" >&2; }
dpkg -L sockcap >"$work/files"
for f in /usr/bin/sockcap /usr/share/man/man8/sockcap.8.gz \
	/usr/share/bash-completion/completions/sockcap /usr/share/zsh/vendor-completions/_sockcap \
	/usr/share/fish/vendor_completions.d/sockcap.fish \
	/usr/share/sockcap/schema/audit.schema.json /usr/share/sockcap/schema/calibration.schema.json \
	/usr/share/doc/sockcap/copyright /usr/share/doc/sockcap/changelog.gz \
	/usr/share/doc/sockcap/README.md.gz; do
	check "the package installs $f" sh -c 'grep -qx "$1" "$2" && test -f "$1"' _ "$f" "$work/files"
done
for f in "$top"/doc/*.md; do
	e=/usr/share/doc/sockcap/$(basename "$f")
	check "the package installs doc/$(basename "$f")" \
		sh -c 'test -f "$1" || test -f "$1.gz"' _ "$e"
done
for d in "$top"/contrib/*/; do
	[ -d "$d" ] || continue
	n=$(basename "$d")
	for f in $(cd "$d" && find . -type f | sed 's|^\./||'); do
		e=/usr/share/doc/sockcap/examples/$n/${f%.in}
		check "the package installs contrib/$n/$f as an example" \
			sh -c 'test -f "$1" || test -f "$1.gz"' _ "$e"
	done
done
check "no example keeps a @PLACEHOLDER@" \
	sh -c '! grep -rlE "@[A-Z]+@" /usr/share/doc/sockcap/examples 2>/dev/null'
check "the package installs check_sockcap for the monitoring plugins" \
	test "$(readlink -f /usr/lib/nagios/plugins/check_sockcap)" = /usr/bin/sockcap
out=$(/usr/lib/nagios/plugins/check_sockcap -r "$top/tests/fixtures/debian12-vm" -w 80% 2>&1)
check "check_sockcap runs as a plugin: $out" \
	sh -c 'printf "%s\n" "$1" | grep -q "^SOCKCAP OK - "' _ "$out"

check "man -w sockcap finds the installed page" \
	test "$(man -w sockcap 2>/dev/null)" = /usr/share/man/man8/sockcap.8.gz
check "man -w 8 sockcap finds it in section 8" \
	test "$(man -w 8 sockcap 2>/dev/null)" = /usr/share/man/man8/sockcap.8.gz
# bash-completion loads the completion on demand, from where it looks.
comp=$(bash -c '. /usr/share/bash-completion/bash_completion
	__load_completion sockcap || exit 1
	complete -p sockcap
	COMP_WORDS=(sockcap --fo); COMP_CWORD=1; COMP_LINE="sockcap --fo"; COMP_POINT=${#COMP_LINE}
	_sockcap sockcap --fo sockcap; printf "%s\n" "${COMPREPLY[@]}"' 2>&1)
check "bash-completion loads sockcap's completion by itself" \
	sh -c 'printf "%s\n" "$1" | grep -q "^complete .*-F _sockcap.* sockcap$"' _ "$comp"
check "the loaded completion completes --fo to --format" \
	sh -c 'printf "%s\n" "$1" | grep -qx -- --format' _ "$comp"
if command -v zsh >/dev/null; then
	check "zsh looks in /usr/share/zsh/vendor-completions" \
		sh -c 'zsh -fc "print -l \$fpath" | grep -qx /usr/share/zsh/vendor-completions'
fi
if command -v fish >/dev/null; then
	# fish without -N: its own share/config.fish sets where it looks.
	check "fish completes the installed sockcap" \
		sh -c 'HOME=$1 fish -c "complete -C\"sockcap --fo\"" | cut -f1 | grep -qx -- --format' _ "$work"
fi

(cd "$top" && sh debian/tests/smoke) >"$work/smoke.log" 2>&1
rc=$?
sed 's/^/  /' "$work/smoke.log"
check "debian/tests/smoke passes against the installed sockcap" test $rc -eq 0

$apt remove --purge sockcap >"$work/apt.log" 2>&1
rc=$?
[ $rc -eq 0 ] && ok || { bad "apt-get remove --purge sockcap exits $rc"; cat "$work/apt.log" >&2; }
installed=0
check "dpkg no longer knows sockcap" \
	sh -c '! dpkg-query -W -f "\${db:Status-Status}" sockcap 2>/dev/null | grep -qv "^not-installed$"'
left=""
while IFS= read -r f; do
	[ -d "$f" ] && [ ! -L "$f" ] && continue
	{ [ -e "$f" ] || [ -L "$f" ]; } && left="$left $f"
done <"$work/files"
check "every file of the package is gone${left:+:$left}" test -z "$left"
for d in /usr/share/doc/sockcap /usr/share/sockcap; do
	check "$d is gone" test ! -e "$d"
done
check "sockcap is no longer on PATH" sh -c '! command -v sockcap >/dev/null'
finish package
