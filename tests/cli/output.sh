#!/bin/sh
# Output files and standard output: -o writes atomically, never through a
# symbolic link, keeps the original on failure; a failed write to stdout is
# exit 3.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
sockcap=${SOCKCAP:-$top/sockcap}
host=$top/tests/fixtures/debian12-vm
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT INT TERM
. "$top/tests/lib.sh"

"$sockcap" -r "$host" -f json >"$dir/stdout.json"
"$sockcap" -r "$host" -f json -o "$dir/out.json"
check "-o exits 0 and writes what stdout shows" cmp -s "$dir/stdout.json" "$dir/out.json"
check "-o leaves no temporary file" test "$(ls -A "$dir" | grep -c sockcap)" -eq 0
check "-o writes mode 0644" test "$(stat -c %a "$dir/out.json")" = 644

echo original >"$dir/target"
ln -s "$dir/target" "$dir/link"
"$sockcap" -r "$host" -o "$dir/link" 2>"$dir/err"
check "-o through a symlink is exit 3" test $? -eq 3
check "-o through a symlink names it" grep -q "refusing to write '$dir/link': it is a symbolic link" "$dir/err"
check "the symlink's target is untouched" test "$(cat "$dir/target")" = original
check "the symlink stays a symlink" test -L "$dir/link"

echo original >"$dir/keep"
"$sockcap" -r "$dir/nowhere" -o "$dir/keep" 2>/dev/null
check "an unreadable root is exit 3" test $? -eq 3
check "the original file is kept when nothing could be read" test "$(cat "$dir/keep")" = original

"$sockcap" -r "$host" -o "$dir/no/such/dir/out" 2>"$dir/err"
check "-o into a missing directory is exit 3" test $? -eq 3
check "-o into a missing directory says why" grep -q "cannot write '$dir/no/such/dir/out'" "$dir/err"

if [ -w /dev/full ]; then
	"$sockcap" -r "$host" >/dev/full 2>"$dir/err"
	check "a full stdout is exit 3" test $? -eq 3
	check "a full stdout is reported" grep -q "cannot write to standard output" "$dir/err"
	"$sockcap" --help >/dev/full 2>/dev/null
	check "--help to a full stdout is exit 3" test $? -eq 3
fi

"$sockcap" -r "$host" -f json -o - >"$dir/dash.json"
check "-o - writes standard output" cmp -s "$dir/stdout.json" "$dir/dash.json"
check "-o - makes no file named -" test ! -e ./- -a ! -e "$dir/-"

mkdir "$dir/adir"
"$sockcap" -r "$host" -o "$dir/adir" 2>"$dir/err"
check "-o onto a directory is exit 3" test $? -eq 3
check "-o onto a directory says so" grep -q "refusing to write '$dir/adir': it is a directory" "$dir/err"
check "the directory stays a directory" test -d "$dir/adir"
"$sockcap" -r "$host" -o "$dir/none/" 2>"$dir/err"
check "-o dir/ is exit 3" test $? -eq 3
check "-o dir/ says it names a directory" grep -q "cannot write '$dir/none/': it names a directory" "$dir/err"

# Devices, FIFOs and sockets, in a private mount namespace over a tmpfs
# scratch /dev: the host's devices are never at risk.
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
	mkdir "$dir/dev"
	unshare -m sh -c '
		dir=$1 sockcap=$2 host=$3
		mount -t tmpfs sockcap-dev "$dir/dev" || exit 9
		mknod "$dir/dev/null" c 1 3 && mknod "$dir/dev/loop" b 7 0 && mkfifo "$dir/dev/fifo" || exit 9
		python3 -c "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$dir/dev/sock" || exit 9
		"$sockcap" -r "$host" plan --check -t 250k -o "$dir/dev/null"; echo $? >"$dir/null.rc"
		stat -c %F "$dir/dev/null" >"$dir/null.type"
		cat "$dir/dev/fifo" >"$dir/fifo.out" & reader=$!
		"$sockcap" -r "$host" -f json -o "$dir/dev/fifo"; echo $? >"$dir/fifo.rc"
		wait $reader
		stat -c %F "$dir/dev/fifo" >"$dir/fifo.type"
		"$sockcap" -r "$host" -o "$dir/dev/loop" 2>"$dir/loop.err"; echo $? >"$dir/loop.rc"
		stat -c %F "$dir/dev/loop" >"$dir/loop.type"
		"$sockcap" -r "$host" -o "$dir/dev/sock" 2>"$dir/sock.err"; echo $? >"$dir/sock.rc"
		stat -c %F "$dir/dev/sock" >"$dir/sock.type"
	' sh "$dir" "$sockcap" "$host"
	check "-o onto a character device: the plan's own status (1: changes pending)" test "$(cat "$dir/null.rc")" = 1
	check "-o onto a character device leaves it a character device" test "$(cat "$dir/null.type")" = "character special file"
	check "-o onto a FIFO exits 0" test "$(cat "$dir/fifo.rc")" = 0
	check "-o onto a FIFO writes into it" cmp -s "$dir/stdout.json" "$dir/fifo.out"
	check "-o onto a FIFO leaves it a FIFO" test "$(cat "$dir/fifo.type")" = fifo
	check "-o onto a block device is exit 3" test "$(cat "$dir/loop.rc")" = 3
	check "-o onto a block device says so" grep -q "it is a block device" "$dir/loop.err"
	check "-o onto a block device leaves it" test "$(cat "$dir/loop.type")" = "block special file"
	check "-o onto a socket is exit 3" test "$(cat "$dir/sock.rc")" = 3
	check "-o onto a socket says so" grep -q "it is a socket" "$dir/sock.err"
	check "-o onto a socket leaves it" test "$(cat "$dir/sock.type")" = socket
else
	echo "output: devices in a private mount namespace need root and unshare -m: skipped"
fi

# Readable where it is read: ASCII where the locale is not UTF-8 or TERM is
# dumb; every line within the width (80 when unknown, else COLUMNS) and no
# figure lost in the folding (the same words as at 1000 columns).
env -i LC_ALL=C.UTF-8 "$sockcap" -r "$host" >"$dir/utf8.txt"
check "the audit under C.UTF-8 draws its bars" grep -q '█' "$dir/utf8.txt"
for view in "audit" "plan -t 250k" "plan -p proxy -t 1.5M" "facts"; do
	for env in "LC_ALL=C" "LC_ALL=POSIX" "LC_ALL=C.UTF-8 TERM=dumb"; do
		# shellcheck disable=SC2086
		env -i $env "$sockcap" -r "$host" $view >"$dir/ascii.txt"
		check "$view under $env is ASCII" python3 -c 'import sys; sys.exit(any(b > 127 for b in open(sys.argv[1], "rb").read()))' "$dir/ascii.txt"
	done
	for cols in 80 60; do
		# shellcheck disable=SC2086
		env -i LC_ALL=C.UTF-8 COLUMNS=$cols "$sockcap" -r "$host" $view >"$dir/narrow.txt"
		# shellcheck disable=SC2086
		env -i LC_ALL=C.UTF-8 COLUMNS=1000 "$sockcap" -r "$host" $view >"$dir/wide.txt"
		# (a single word longer than a line, a long path, stays whole)
		check "$view fits $cols columns" python3 -c 'import sys; sys.exit(any(len(l) > int(sys.argv[2]) and len(l.split()) > 1 for l in open(sys.argv[1], encoding="utf-8").read().split("\n")))' "$dir/narrow.txt" $cols
		check "$view at $cols columns keeps every figure" python3 -c '
import sys
words = lambda p: sorted(w for w in open(p, encoding="utf-8").read().split() if "\u2588" not in w)
sys.exit(words(sys.argv[1]) != words(sys.argv[2]))' "$dir/narrow.txt" "$dir/wide.txt"
	done
	# shellcheck disable=SC2086
	env -i LC_ALL=C.UTF-8 "$sockcap" -r "$host" $view >"$dir/default.txt"
	check "$view fits 80 columns when the width is unknown" python3 -c 'import sys; sys.exit(max(len(l) for l in open(sys.argv[1], encoding="utf-8").read().split("\n")) > 80)' "$dir/default.txt"
done

finish output
