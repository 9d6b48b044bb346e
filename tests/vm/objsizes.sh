#!/bin/sh
# tools/objsizes.py: a kernel-lab log or a /proc/slabinfo into
# data/objsizes.tsv rows, and a series replaced in a copy of the table.
# The fixtures are the 6.12 probe's "LAB slab" lines as the lab printed them
# and the caches of a 5.10 slabinfo.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
tool="python3 $top/tools/objsizes.py"
fx=$top/tests/vm/fixtures
tmp=$(mktemp -d /tmp/sockcap-kernels-objsizes.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

$tool --series 6.12 --source "lab" "$fx/6.12-probe.log" > "$tmp/rows" 2> "$tmp/err"
check "a lab log converts" [ $? -eq 0 ]
check "ep_head 24 B, 170 per order-0 slab" \
	grep -qx "$(printf '6.12\tep_head\t24\t170\t1\tlab; own cache, /proc/slabinfo')" "$tmp/rows"
check "a merged cache names its alias" \
	grep -q "$(printf '6.12\tlsm_file_cache\t48\t85\t1\tlab; merged by SLUB, alias :0000048')" "$tmp/rows"
check "one row per cache the model uses, and TCPv6" [ "$(wc -l < "$tmp/rows")" -eq 14 ]
check "rows in byte order of the cache name" sh -c "cut -f2 '$tmp/rows' | LC_ALL=C sort -c"

# A cache the kernel lacks becomes an ABSENT line; one nobody mentions is an error.
sed 's/^LAB slab ep_head .*/LAB slab ep_head 0 0 0 absent/' "$fx/6.12-probe.log" > "$tmp/absent.log"
$tool --series 6.12 --source "lab" "$tmp/absent.log" > "$tmp/rows2"
check "an absent cache is an ABSENT line" grep -q "$(printf '^#   6.12\tep_head\tABSENT: ')" "$tmp/rows2"
check "and has no data row" sh -c "! grep -q '^6.12	ep_head' '$tmp/rows2'"
check "a slabinfo without ep_head is refused" sh -c "! $tool --series 5.10 --source x '$fx/5.10-slabinfo' > /dev/null 2>&1"
check "a bad series is refused" sh -c "! $tool --series 6 --source x '$fx/6.12-probe.log' > /dev/null 2>&1"

# --into replaces one series and keeps every other line as it was.
cp "$top/data/objsizes.tsv" "$tmp/table.tsv"
$tool --series 6.12 --source "replaced" --into "$tmp/table.tsv" "$tmp/absent.log"
check "--into writes the series" grep -q "$(printf '^6.12\tTCP\t2432\t13\t8\treplaced; ')" "$tmp/table.tsv"
check "--into drops the series' old rows" sh -c "! grep -q '^6.12	ep_head' '$tmp/table.tsv'"
check "--into adds the ABSENT line under its heading" \
	sh -c "sed -n '/known to be ABSENT/,/^# series/p' '$tmp/table.tsv' | grep -q '6.12	ep_head	ABSENT'"
grep -v '6\.12' "$top/data/objsizes.tsv" > "$tmp/before"
grep -v '6\.12' "$tmp/table.tsv" > "$tmp/after"
check "--into keeps the other series and the header" cmp -s "$tmp/before" "$tmp/after"
check "data rows stay sorted by series, then cache" sh -c "grep -E '^[0-9]' '$tmp/table.tsv' | \
	awk -F'\t' '{ split(\$1, v, \".\"); printf \"%04d%04d\t%s\n\", v[1], v[2], \$2 }' | LC_ALL=C sort -c"

finish objsizes
