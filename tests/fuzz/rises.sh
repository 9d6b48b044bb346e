#!/bin/sh
# When a fuzzer's edge count rose: for each libFuzzer log named, every new
# cov figure with the input it came at and the minute, worked out as inputs
# over the log's running rate (exec/s), so approximate; then the log's last line.
# usage: sh tests/fuzz/rises.sh build/fuzz/log/fuzz-0.log [LOG...]
set -eu
for f in "$@"; do
	echo "$f:"
	awk '/ cov: / {
		for (i = 1; i <= NF; i++) {
			if ($i == "cov:") c = $(i + 1)
			if ($i == "exec/s:") e = $(i + 1)
		}
		n = substr($1, 2) + 0
		if (c != last) {
			printf "  %s at %.1f min (input %d)\n", c, (e > 0 ? n / e / 60 : 0), n
			last = c
		}
	}' "$f"
	echo "  last: $(grep -E '^#[0-9]+' "$f" | tail -n 1 | cut -c1-100)"
done
