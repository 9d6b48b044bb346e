#!/bin/sh
# What a harness's corpus reaches: builds tests/fuzz/fuzz_NAME with clang's
# source coverage in build/fuzz/cov (fuzz.mk's own rules, with the coverage
# flags in place of the sanitizers), runs every file of tests/fuzz/corpus/NAME
# once, and prints llvm-cov's report per file (regions, missed, cover), then
# per function for the files named after it.
# usage: sh tests/fuzz/coverage.sh NAME [src/FILE.c...]
set -eu
cd "$(dirname "$0")/../.."
name=$1
shift
out=build/fuzz/cov
for t in llvm-profdata llvm-cov; do
	command -v $t >/dev/null 2>&1 || { echo "coverage: needs $t (apt-get install llvm)" >&2; exit 1; }
done
make -s "$out/fuzz_$name" FUZZ_OUT="$out" FUZZ_SAN="-fprofile-instr-generate -fcoverage-mapping"
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
