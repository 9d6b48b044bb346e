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

finish output
