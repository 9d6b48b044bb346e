#!/bin/sh
# What a harness's corpus reaches: builds tests/fuzz/fuzz_NAME with clang's
# source coverage (build/fuzz/cov/), runs every file of
# tests/fuzz/corpus/NAME once, and prints llvm-cov's report per file (regions,
# missed, cover), then per function for the files named after it.
# usage: sh tests/fuzz/coverage.sh NAME [src/FILE.c...]   (after make)
set -eu
cd "$(dirname "$0")/../.."
name=$1
shift
out=build/fuzz/cov
cflags="-g -O0 -std=c11 -D_GNU_SOURCE -Isrc -Ibuild $(pkg-config --cflags libcjson yaml-0.1)
	-fprofile-instr-generate -fcoverage-mapping"
for t in clang llvm-profdata llvm-cov; do
	command -v $t >/dev/null 2>&1 || { echo "coverage: needs $t (apt-get install clang llvm)" >&2; exit 1; }
done
[ -f build/embedded.c ] || { echo "coverage: run make first (build/embedded.c)" >&2; exit 1; }
mkdir -p "$out/obj"
for s in $(ls src/*.c | grep -v '^src/main\.c$') build/embedded.c build/profiles_builtin.c \
	build/objsizes_builtin.c; do
	o=$out/obj/$(basename "$s" .c).o
	clang $cflags -fsanitize=fuzzer-no-link -c -o "$o" "$s"
done
clang $cflags -fsanitize=fuzzer -o "$out/fuzz_$name" "tests/fuzz/fuzz_$name.c" "$out"/obj/*.o \
	$(pkg-config --libs libcjson yaml-0.1)
rm -f "$out/$name.profraw"
LLVM_PROFILE_FILE=$out/$name.profraw "$out/fuzz_$name" -runs=0 "tests/fuzz/corpus/$name" \
	>"$out/$name.log" 2>&1
llvm-profdata merge -o "$out/$name.profdata" "$out/$name.profraw"
llvm-cov report "$out/fuzz_$name" -instr-profile="$out/$name.profdata" 2>/dev/null |
	awk '$1 ~ /\.c$/ && $2 > 0 { printf "%-28s %7s %7s %8s\n", $1, $2, $3, $4 }'
for f in "$@"; do
	echo "$f: functions with missed regions"
	llvm-cov report "$out/fuzz_$name" -instr-profile="$out/$name.profdata" -show-functions "$f" \
		2>/dev/null | awk '$3 > 0 && $1 != "Name" && $1 != "TOTAL" { printf "  %-32s %4s of %4s missed\n", $1, $3, $2 }'
done
