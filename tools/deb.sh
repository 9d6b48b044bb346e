#!/bin/sh
# usage: tools/deb.sh OUTDIR [CHROOT]       (make deb, make deb-chroot)
# Builds the Debian package from a copy of this tree, the way
# `dpkg-buildpackage -us -uc -b` builds it in place, and checks it:
#  - the copy holds the files git tracks plus the untracked ones it does not
#    ignore (without git, everything but build/); OUTDIR gets
#    sockcap_VERSION_ARCH.deb, .changes and .buildinfo;
#  - with CHROOT (a Debian 12 tree holding only build-essential and the
#    Build-Depends: make deb-chroot), the build runs there as nobody, with
#    /proc and a private /tmp mounted in a mount namespace of its own: what
#    the build or its tests need and debian/control does not declare fails
#    it, as on a build daemon;
#  - `debian/rules clean` after the build must leave exactly the files the
#    copy started with: a build that leaves junk in the tree fails here;
#  - lintian on the .changes (which covers the .deb and the .buildinfo)
#    must report no error and no warning (informational tags are shown).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: tools/deb.sh OUTDIR [CHROOT]}
chroot=${2:-}
mkdir -p "$out"
out=$(cd "$out" && pwd)
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
name=sockcap_${version}_$arch
base=$out/$name
if [ -n "$chroot" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "deb: a build in a chroot needs root" >&2; exit 2; }
	chroot=$(cd "$chroot" && pwd)
	work=$chroot/build
	inside=/build/sockcap-$version
else
	work=$out
fi
src=$work/sockcap-$version

# in_src COMMAND: runs COMMAND (a shell line) in the copy, in the chroot
# as nobody when there is one.
in_src() {
	if [ -z "$chroot" ]; then
		(cd "$src" && sh -c "$1")
		return
	fi
	unshare -m sh -c 'mount -t proc proc "$1/proc" && mount -t tmpfs tmpfs "$1/tmp" &&
		chmod 1777 "$1/tmp" && exec chroot "$1" setpriv --reuid=65534 --regid=65534 --clear-groups \
		env -i PATH=/usr/bin:/bin HOME=/build LC_ALL=C.UTF-8 sh -c "cd $2 && $3"' _ "$chroot" "$inside" "$1"
}

rm -rf "$src" "$base.deb" "$base.changes" "$base.buildinfo"
[ -z "$chroot" ] || rm -f "$work"/sockcap*_"$version"_"$arch".*
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
[ -z "$chroot" ] || chown -R 65534:65534 "$work"
before=$out/files.before
(cd "$src" && find . \( -type f -o -type l \) | LC_ALL=C sort) >"$before"

echo "deb: building $name.deb in $src${chroot:+ (in the chroot, as nobody)}"
in_src "dpkg-buildpackage -us -uc -b"
[ -z "$chroot" ] || for f in "$work"/sockcap*_"$version"_"$arch".*; do
	cp "$f" "$out/"
done

# What the build leaves once debian/rules clean has run: nothing new.
in_src "debian/rules clean >/dev/null"
after=$out/files.after
(cd "$src" && find . \( -type f -o -type l \) | LC_ALL=C sort) >"$after"
if ! cmp -s "$before" "$after"; then
	echo "deb: the build leaves files that debian/rules clean (make clean) does not remove:" >&2
	diff "$before" "$after" >&2 || true
	exit 1
fi
rm -f "$before" "$after"

echo "deb: lintian $base.changes"
# lintian unpacks what it checks, and asks not to be run as root: as root,
# it runs as nobody when nobody can read the files.
as=""
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	nobody="setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp"
	$nobody test -r "$base.deb" -a -r "$base.changes" -a -r "$base.buildinfo" && as=$nobody
fi
$as lintian --info --fail-on error,warning "$base.changes"
echo "deb: $base.deb: built, lintian clean"
