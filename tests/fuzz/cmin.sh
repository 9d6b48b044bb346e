#!/bin/sh
# Minimises a corpus: keeps every seed (seed-*, from mkseeds.sh) and every
# regress-* file (the input of a fixed crash), and of the other files of
# CORPUS and NEW only the smallest set that adds the edges the seeds miss
# (libFuzzer's set-cover merge, hit counts ignored). Inputs the fuzzer crashes
# on are dropped.
# usage: sh tests/fuzz/cmin.sh build/fuzz/fuzz_NAME tests/fuzz/corpus/NAME [NEW...]
set -eu
fuzzer=$1
corpus=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/out" "$tmp/rest"
for f in "$corpus"/*; do
	[ -f "$f" ] || continue
	case $(basename "$f") in
	seed-* | regress-*) cp "$f" "$tmp/out/" ;;
	*) cp "$f" "$tmp/rest/" ;;
	esac
done
if ! "$fuzzer" -set_cover_merge=1 -use_counters=0 "$tmp/out" "$tmp/rest" "$@" >"$tmp/log" 2>&1; then
	cat "$tmp/log" >&2
	exit 1
fi
find "$corpus" -maxdepth 1 -type f -delete
cp "$tmp/out"/* "$corpus"/
echo "$(basename "$corpus"): $(ls "$corpus" | grep -c '^seed-') seeds, $(ls "$corpus" | grep -c '^regress-') regress," \
	"$(ls "$corpus" | grep -vc '^seed-\|^regress-') found; $(cat "$corpus"/* | wc -c) bytes"
