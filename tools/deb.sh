#!/bin/sh
# usage: tools/deb.sh OUTDIR        (make deb)
# Builds the Debian package from a copy of this tree, the way
# `dpkg-buildpackage -us -uc -b` builds it in place, and checks it:
#  - OUTDIR/sockcap-VERSION holds the copy (the files git tracks plus the
#    untracked ones it does not ignore; without git, everything but build/);
#    OUTDIR gets sockcap_VERSION_ARCH.deb, .changes and .buildinfo;
#  - `debian/rules clean` after the build must leave exactly the files the
#    copy started with: a build that leaves junk in the tree fails here;
#  - lintian on the .changes (which covers the .deb and the .buildinfo)
#    must report no error and no warning (informational tags are shown).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: tools/deb.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
src=$out/sockcap-$version
base=$out/sockcap_${version}_$arch

rm -rf "$src" "$base.deb" "$base.changes" "$base.buildinfo"
mkdir -p "$src"
cd "$top"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# Tracked files deleted in the work tree are left out.
	git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] || [ -L "$f" ] && printf "%s\0" "$f"; done' _ |
		tar --null -T - -cf - | tar -C "$src" -xf -
else
	tar --exclude=./build --exclude=./sockcap -cf - . | tar -C "$src" -xf -
fi
before=$out/files.before
(cd "$src" && find . \( -type f -o -type l \) | LC_ALL=C sort) >"$before"

echo "deb: building $base.deb in $src"
(cd "$src" && dpkg-buildpackage -us -uc -b)

# What the build leaves once debian/rules clean has run: nothing new.
(cd "$src" && debian/rules clean >/dev/null)
after=$out/files.after
(cd "$src" && find . \( -type f -o -type l \) | LC_ALL=C sort) >"$after"
if ! cmp -s "$before" "$after"; then
	echo "deb: the build leaves files that debian/rules clean (make clean) does not remove:" >&2
	diff "$before" "$after" >&2 || true
	exit 1
fi
rm -f "$before" "$after"

echo "deb: lintian $base.changes"
lintian --info --fail-on error,warning "$base.changes"
echo "deb: $base.deb: built, lintian clean"
