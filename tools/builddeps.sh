#!/bin/sh
# usage: tools/builddeps.sh [debian/control]
# Prints the Debian packages debian/control's Build-Depends names, one a
# line, for tools/deps.sh: versions, architecture and build-profile
# restrictions dropped (the tests run, so <!nocheck> ones are needed too),
# the virtual debhelper-compat as the package that provides it.
set -eu
control=${1:-$(dirname "$0")/../debian/control}
awk '
	/^Build-Depends:/ { on = 1; sub(/^Build-Depends:/, ""); print; next }
	on && /^[ \t]/ { print; next }
	{ on = 0 }
' "$control" | tr ',' '\n' |
	sed 's/([^)]*)//g; s/\[[^]]*\]//g; s/<[^>]*>//g; s/|.*//; s/[[:space:]]//g' |
	sed 's/^debhelper-compat$/debhelper/' | grep -v '^$'
