#!/bin/sh
# usage: tools/deps.sh DEBIAN-PACKAGE...
# Installs the Debian packages that are missing when run as root (after
# apt-get update); otherwise prints the exact apt-get line and fails.
set -eu
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "sockcap: installing missing Debian packages:$missing" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
	exit 0
fi
echo "sockcap: missing Debian packages:$missing" >&2
echo "run as root: apt-get update && apt-get install -y$missing" >&2
exit 1
