#!/bin/sh
# usage: tools/deb-chroot.sh DIR            (make deb-chroot; root)
# Makes DIR a bare Debian 12 tree for tools/deb.sh: mmdebstrap's buildd
# variant (essential packages, build-essential, apt) plus exactly the
# Build-Depends of debian/control (tools/builddeps.sh), from deb.debian.org.
# An existing DIR made for the same Build-Depends is kept.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: tools/deb-chroot.sh DIR}
[ "$(id -u)" -eq 0 ] || { echo "deb-chroot: mmdebstrap needs root here" >&2; exit 2; }
deps=$(sh "$top/tools/builddeps.sh" | LC_ALL=C sort | tr '\n' ',' | sed 's/,$//')
stamp=$dir/.sockcap-build-depends
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$deps" ]; then
	echo "deb-chroot: $dir has $deps"
	exit 0
fi
rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
echo "deb-chroot: making $dir: bookworm, buildd, $deps"
mmdebstrap --quiet --variant=buildd --include="$deps" bookworm "$dir" http://deb.debian.org/debian
echo "$deps" >"$stamp"
