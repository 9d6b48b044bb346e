#!/bin/sh
# Safe as root on hostile input (DESIGN section 9), end to end: a profile
# cannot add a line to a generated file or a control sequence to the
# terminal; values in messages are quoted shortened; hidepid is named.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
sockcap=${SOCKCAP:-$top/sockcap}
host=$top/tests/fixtures/debian12-vm
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT INT TERM
. "$top/tests/lib.sh"

# A profile whose path holds a line of sysctl.d of its own.
evil_path="$dir/p
kernel.panic = 1
x.yaml"
printf 'name: fine\ndescription: a fine profile\n' >"$evil_path"
"$sockcap" -r "$host" -p "$evil_path" sysctl -t 250k >"$dir/sysctl.conf"
check "a profile path with newlines: sysctl exits 0" test $? -eq 0
keys=$(grep -v '^#' "$dir/sysctl.conf" | grep -v '^$' | sed 's/ = .*//' | sort | tr '\n' ' ')
"$sockcap" -r "$host" -p "$evil_path" plan -t 250k -f json >"$dir/plan.json"
planned=$(python3 -c 'import json,sys; print("".join(k + " " for k in sorted(r["key"] for r in json.load(open(sys.argv[1]))["recommendations"] if r["kind"] == "sysctl")))' "$dir/plan.json")
check "a profile path with newlines adds no key (got: $keys; planned: $planned)" test "$keys" = "$planned"
check "and kernel.panic is not among them" test "${keys#*kernel.panic}" = "$keys"
if command -v sysctl >/dev/null; then
	check "the file passes sysctl --dry-run -p" sh -c "sysctl --dry-run -p '$dir/sysctl.conf' >/dev/null 2>&1 || sysctl -N -p '$dir/sysctl.conf' >/dev/null 2>&1"
fi
"$sockcap" -r "$host" -p "$evil_path" systemd -t 250k >"$dir/dropin.conf"
check "a profile path with newlines: the drop-in has only [Service] and Limit lines" \
	test "$(grep -v '^#' "$dir/dropin.conf" | grep -cv '^\[Service\]$\|^Limit[A-Z]*=\|^TasksMax=')" -eq 0

# A profile whose description would be a live ExecStartPre= line.
printf 'name: evil\ndescription: "x\\nExecStartPre=/bin/sh -c id"\n' >"$dir/evil.yaml"
"$sockcap" -r "$host" -p "$dir/evil.yaml" systemd -t 1M >"$dir/out" 2>"$dir/err"
check "a description with a newline is exit 2" test $? -eq 2
check "and nothing is written" test ! -s "$dir/out"
check "the message names the key" grep -q "key 'description' must be one line of printable" "$dir/err"

# ESC, CR and a C1 control in a description never reach the terminal.
for esc in '\e[2J' '\r' '\x9b'; do
	printf 'name: t\ndescription: "a%sb"\n' "$esc" >"$dir/esc.yaml"
	"$sockcap" -r "$host" -p "$dir/esc.yaml" profiles >"$dir/out" 2>"$dir/err"
	check "a description with $esc is exit 2" test $? -eq 2
	check "the message holds no control character ($esc)" \
		test "$(tr -d '\n' <"$dir/err" | LC_ALL=C grep -c '[[:cntrl:]]')" -eq 0
done

# One way to quote a huge value, everywhere.
big=$(printf '9%.0s' $(seq 1 5000))
"$sockcap" --target "$big" 2>"$dir/err"
check "a huge --target is exit 2" test $? -eq 2
check "and is quoted shortened" grep -q "invalid --target value '9\{80\}\.\.\.'" "$dir/err"
"$sockcap" -r "$dir/$big" 2>"$dir/err"
check "a huge root is quoted shortened" grep -q "cannot read the host at '[^']\{80\}\.\.\.'" "$dir/err"
"$sockcap" "x$big" 2>"$dir/err"
check "a huge command is quoted shortened" grep -q "unknown command 'x9\{79\}\.\.\.'" "$dir/err"

# A failed write of --help says why.
if [ -w /dev/full ]; then
	"$sockcap" --help >/dev/full 2>"$dir/err"
	check "--help to a full device is exit 3" test $? -eq 3
	check "and says why" grep -q "cannot write to standard output: No space left on device" "$dir/err"
fi

# A process hidden by hidepid: the message says /proc hides it (in a
# private mount namespace with its own /proc, as root running nobody).
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
	sleep 30 &
	hidden=$!
	unshare -m sh -c 'mount -t proc -o hidepid=2 proc /proc &&
		exec setpriv --reuid=65534 --regid=65534 --clear-groups "$1" --pid "$2"' \
		sh "$sockcap" $hidden >/dev/null 2>"$dir/err"
	rc=$?
	kill $hidden
	wait $hidden 2>/dev/null
	check "a process hidden by hidepid is exit 2" test $rc -eq 2
	check "and the message says /proc hides it" grep -q "/proc is mounted with hidepid=invisible, which hides" "$dir/err"
else
	echo "safety: hidepid needs root and unshare -m: skipped"
fi

finish safety
