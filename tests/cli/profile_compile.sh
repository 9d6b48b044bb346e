#!/bin/sh
# tools/profile_compile, which turns data/profiles into C at build time: the
# five built-in files compile to exactly the committed build's source, and a
# file that breaks the rules of --profile FILE fails the build with the
# parser's message (file:line:column and the key).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tool=${PROFILE_COMPILE:-$top/build/profile_compile}
. "$top/tests/lib.sh"
[ -x "$tool" ] || { echo "profile_compile: '$tool' not built (make)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/profile_compile.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

cd "$top"
profiles="data/profiles/idle.yaml data/profiles/websocket.yaml data/profiles/http.yaml data/profiles/proxy.yaml data/profiles/bulk.yaml data/profiles/threads.yaml"
# shellcheck disable=SC2086
"$tool" $profiles >"$tmp/out.c" 2>"$tmp/err"
check "the built-in profiles compile" test $? -eq 0
check "nothing on stderr" test ! -s "$tmp/err"
check "one initialiser per profile" test "$(grep -c '\.name = ' "$tmp/out.c")" -eq 6
check "the count is 6" grep -q '^const size_t profile_builtin_count = 6;$' "$tmp/out.c"
check "idle keeps 32 descriptors" grep -q 'reserved_fds = UINT64_C(32)' "$tmp/out.c"
check "the output compiles" cc -std=c11 -Wall -Wextra -Werror -Isrc -c -o "$tmp/out.o" "$tmp/out.c"

# run NAME STATUS PATTERN FILE...: exit status and a line of stderr.
run() {
	case_name=$1 want=$2 pattern=$3
	shift 3
	"$tool" "$@" >"$tmp/out.c" 2>"$tmp/err"
	got=$?
	check "$case_name: exit $want (got $got)" test "$got" -eq "$want"
	check "$case_name: says '$pattern'" grep -q -- "$pattern" "$tmp/err"
	check "$case_name: nothing on stdout" test ! -s "$tmp/out.c"
}

mkdir "$tmp/p"
printf 'name: bad\nsockets_per_connection: 9\n' >"$tmp/p/bad.yaml"
run "out of range" 1 "$tmp/p/bad.yaml:2:.*sockets_per_connection" "$tmp/p/bad.yaml"
printf 'name: typo\nepol: true\n' >"$tmp/p/typo.yaml"
run "unknown key" 1 "$tmp/p/typo.yaml:2:.*epol" "$tmp/p/typo.yaml"
printf 'name: other\n' >"$tmp/p/mine.yaml"
run "name is not the file's" 1 "names itself 'other'" "$tmp/p/mine.yaml"
printf 'name: idle\n' >"$tmp/p/idle.yaml"
run "a profile twice" 1 "profile 'idle' twice" data/profiles/idle.yaml "$tmp/p/idle.yaml"
run "missing file" 1 "cannot read '$tmp/p/none.yaml'" "$tmp/p/none.yaml"
run "no file" 2 "usage: profile_compile"

finish profile_compile
