#!/bin/sh
# The check mode against independent implementations of its conventions:
#  - range semantics: for a table of ranges x values, `sockcap nagios -w
#    RANGE` is WARNING (exit 1) exactly when python3-nagiosplugin's Range
#    says the value is outside (the value is set through a scratch fixture's
#    proc/net/sockstat; percentages are turned into exact numbers of the
#    capacity for nagiosplugin, which has none); the range sockcap writes
#    into its performance data means the same to nagiosplugin;
#  - ranges nagiosplugin refuses are usage errors (UNKNOWN, exit 3);
#  - performance data of every fixture x profile, parsed back by
#    libmonitoring-plugin-perl's Monitoring::Plugin::Performance: every item
#    with a value comes back with its label, value, unit, thresholds, min
#    and max; the status line has the guidelines' form;
#  - the same program as check_sockcap: -t is the timeout, --help says so,
#    and a check slowed down past -t (strace delays its reads) answers
#    UNKNOWN with exit status 3.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
sockcap=${SOCKCAP:-$top/sockcap}
work=$(mktemp -d /tmp/sockcap-monitor-nagios.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
. "$top/tests/lib.sh"
py=/usr/bin/python3

cp -R "$top/tests/fixtures/debian12-vm" "$work/host"
out=$($py - "$sockcap" "$work/host" <<'PY' 2>&1
import subprocess, sys
from fractions import Fraction
from nagiosplugin import Range

sockcap, host = sys.argv[1:3]
def run(args):
    return subprocess.run([sockcap, "nagios", "-r", host, *args], capture_output=True, text=True)

def set_usage(v):
    with open(f"{host}/proc/net/sockstat", "w") as f:
        f.write(f"sockets: used 152\nTCP: inuse {v} orphan 0 tw 3 alloc 8 mem 1\n")
    with open(f"{host}/proc/net/sockstat6", "w") as f:
        f.write("TCP6: inuse 0\n")

set_usage(0)
cap = int(run([]).stdout.split("'capacity'=")[1].split(";")[0])
assert cap == 992, cap

def absolute(spec):
    """spec with each percentage as an exact decimal of cap (for nagiosplugin)."""
    def atom(a):
        if not a.endswith("%"):
            return a
        v = Fraction(a[:-1]) * cap / 100
        # Exact: cap/100 has at most two decimals; the percentage at most 6.
        s = f"{float(v):.8f}".rstrip("0").rstrip(".")
        assert Fraction(s) == v, (a, s, v)
        return s if "." in s else s + ".0"
    inv = spec.startswith("@")
    body = spec[1:] if inv else spec
    if ":" in body:
        start, end = body.split(":")
        body = (start if start in ("", "~") else atom(start)) + ":" + (atom(end) if end else "")
    else:
        body = atom(body)
    return ("@" if inv else "") + body

ranges = ["10", "0", "1", "10:", "~:10", "10:20", "@10:20", "@10", "@~:10", "@10:",
          "20:10.5", "10.5", "10.5:20.25", "-5:5", "-5", "~:-1", "@-5:5", "5:5", "@5:5",
          ":10", ":", "~:", "@~:", "+7", "0.000001", "9.999999", "00010:0020",
          "80%", "50%:", "~:50%", "@10%:20%", "0.5%", "100%", "150%", "12.5%:87.5%",
          "@0.1%:0.2%", "1%:1000", "~:0.403225%"]
values = [0, 1, 4, 5, 6, 9, 10, 11, 19, 20, 21, 99, 100, 124, 125, 496, 497, 793, 794,
          992, 993, 1488, 1489, 5000]
fails = checked = 0
for v in values:
    set_usage(v)
    for spec in ranges:
        absspec = absolute(spec)
        try:
            r = Range(absspec)
        except ValueError:
            continue
        want = not r.match(v)
        res = run(["-w", spec, "-c", "~:"])
        got = res.returncode
        checked += 1
        if got != (1 if want else 0):
            fails += 1
            print(f"value {v}, -w {spec} ({absspec} for nagiosplugin): exit {got}, nagiosplugin says {'outside' if want else 'inside'}: {res.stdout.strip()[:160]}")
            continue
        # The threshold in the performance data means the same.
        perf_w = res.stdout.split("'usage'=")[1].split(";")[1]
        if Range(perf_w).match(v) != r.match(v):
            fails += 1
            print(f"value {v}, -w {spec}: perfdata warning '{perf_w}' means otherwise to nagiosplugin")
# Ranges nagiosplugin refuses (start above end) or cannot read are usage
# errors here: UNKNOWN, exit 3, before anything is read.
for spec in ["20:10", "10:5", "@3:2", "abc", "1:2:3", "10%%", "", "1e3", "--5", "~", "@", "1.1234567"]:
    res = run(["-w", spec])
    checked += 1
    try:
        Range(spec)
        nagios_ok = True
    except (ValueError, TypeError):
        nagios_ok = False
    if res.returncode != 3 or not res.stdout.startswith("SOCKCAP UNKNOWN - "):
        fails += 1
        print(f"-w '{spec}': exit {res.returncode}, not UNKNOWN: {res.stdout.strip()}")
    # nagiosplugin takes "" and "@" for 0 to infinity (a threshold that
    # always or never alerts): sockcap asks for a bound; and it has no
    # limit on decimals.
    elif nagios_ok and spec not in ("", "@", "1.1234567"):
        fails += 1
        print(f"-w '{spec}': refused, but nagiosplugin reads it")
# A percentage that inverts its range only at this capacity: UNKNOWN.
set_usage(7)
res = run(["-w", "50%:100"])
checked += 1
if res.returncode != 3 or "start above its end for a capacity of 992" not in res.stdout:
    fails += 1
    print(f"50%:100 at 992: {res.returncode} {res.stdout.strip()}")
print(f"ranges: {checked} checked")
sys.exit(1 if fails else 0)
PY
)
rc=$?
[ $rc -eq 0 ] && ok || bad "ranges against nagiosplugin: $out"
printf '%s\n' "$out" | grep -qE '^ranges: [0-9]{3,} checked$' && ok || bad "ranges: too few cases: $out"

# Performance data through Monitoring::Plugin::Performance.
n=0
for host in "$top"/tests/fixtures/*/; do
	for profile in idle websocket http proxy bulk; do
		n=$((n + 1))
		"$sockcap" nagios -r "$host" -p $profile -t 2M -w 70% -c 2:95% >"$work/$n.out"
		echo "$?" >"$work/$n.status"
	done
done
out=$(perl - "$work" "$n" <<'PL' 2>&1
use strict;
use warnings;
use Monitoring::Plugin::Performance use_die => 1;
my ($dir, $n) = @ARGV;
my $fails = 0;
sub bad { print "@_\n"; $fails++; }
for my $i (1 .. $n) {
	open(my $fh, '<', "$dir/$i.out") or die;
	my @lines = <$fh>;
	close($fh);
	my $status = do { open(my $s, '<', "$dir/$i.status") or die; local $/; <$s> };
	chomp $status;
	bad("$i: " . scalar(@lines) . " lines") unless @lines == 1;
	my ($text, $perf) = split(/ \| /, $lines[0], 2);
	chomp $perf;
	my %state = (OK => 0, WARNING => 1, CRITICAL => 2, UNKNOWN => 3);
	$text =~ /^SOCKCAP (OK|WARNING|CRITICAL|UNKNOWN) - \S/ or bad("$i: status line '$text'");
	bad("$i: exit $status for $1") unless defined $1 && $state{$1} == $status;
	my @items = split(/ /, $perf);
	my @known = grep { !/^'[^']+'=U;/ } @items;
	my @p = Monitoring::Plugin::Performance->parse_perfstring($perf);
	bad("$i: parsed " . scalar(@p) . " of " . scalar(@known) . " items: $perf") unless @p == @known;
	for my $k (0 .. $#p) {
		my ($label, $value, $uom, $w, $c, $min, $max) =
		    $known[$k] =~ /^'([^']+)'=([0-9]+)([A-Za-z%]*);([^;]*);([^;]*);([^;]*);([^;]*)$/
		    or do { bad("$i: item '$known[$k]' is not 'label'=value[UOM];warn;crit;min;max"); next; };
		my $q = $p[$k];
		bad("$i: $label: label " . $q->label) unless $q->label eq $label;
		bad("$i: $label: value " . $q->value) unless $q->value == $value;
		bad("$i: $label: uom " . ($q->uom // '')) unless ($q->uom // '') eq $uom;
		bad("$i: $label: min") unless ($q->min // '') eq $min;
		bad("$i: $label: max") unless ($q->max // '') eq $max;
		bad("$i: $label: warning " . ($q->warning // 'none') . " for '$w'") unless ($q->warning // '') eq $w;
		bad("$i: $label: critical " . ($q->critical // 'none') . " for '$c'") unless ($q->critical // '') eq $c;
		if ($label eq 'usage') {
			# 70% and 2:95% of the capacity (the max), as numbers.
			my $t = $q->threshold;
			bad("$i: usage warning end " . $t->warning->end . " for max $max")
			    unless abs($t->warning->end - $max * 0.70) < 1e-6 && $t->warning->start == 0;
			bad("$i: usage critical " . $t->critical->start . ":" . $t->critical->end)
			    unless $t->critical->start == 2 && abs($t->critical->end - $max * 0.95) < 1e-6;
		}
		if ($label eq 'capacity') {
			bad("$i: capacity critical is not the target") unless $q->threshold->critical->start == 2000000
			    && !$q->threshold->critical->end_infinity == 0;
		}
	}
}
print "perfdata: $n outputs\n";
exit($fails ? 1 : 0);
PL
)
[ $? -eq 0 ] && ok || bad "Monitoring::Plugin::Performance: $out"

# Every state on fixtures (the golden cases hold the exact lines).
for want in "0 -w 80% -c 90%" "1 -w 1 -c 90%" "2 -w 1 -c 2" "3 -w 1:2:3"; do
	set -- $want
	st=$1
	shift
	"$sockcap" nagios -r "$top/tests/fixtures/debian12-vm" "$@" >/dev/null 2>&1
	rc=$?
	[ $rc -eq "$st" ] && ok || bad "nagios $*: exit $rc, not $st"
done

# check_sockcap: the plugin's letters, its help, its timeout.
ln -s "$sockcap" "$work/check_sockcap"
"$work/check_sockcap" -r "$top/tests/fixtures/debian12-vm" -t 5 -w 80% >"$work/plugin.out"
rc=$?
[ $rc -eq 0 ] && grep -q '^SOCKCAP OK - ' "$work/plugin.out" && ok || bad "check_sockcap -t 5: exit $rc: $(cat "$work/plugin.out")"
"$work/check_sockcap" --help >"$work/plugin.help"
grep -q '^usage: check_sockcap \[options\]$' "$work/plugin.help" && grep -qE '^  -t, --timeout SECONDS' "$work/plugin.help" &&
	grep -qE '^      --target N' "$work/plugin.help" && ok || bad "check_sockcap --help: $(cat "$work/plugin.help")"
"$work/check_sockcap" -r "$top/tests/fixtures/debian12-vm" --target 250k >"$work/plugin.out"
[ $? -eq 2 ] && ok || bad "check_sockcap --target: $(cat "$work/plugin.out")"
"$work/check_sockcap" -r "$top/tests/fixtures/debian12-vm" -t 250k >"$work/plugin.out" 2>/dev/null
[ $? -eq 3 ] && grep -q "^SOCKCAP UNKNOWN - invalid --timeout value '250k'" "$work/plugin.out" && ok ||
	bad "check_sockcap -t 250k is not a bad timeout: $(cat "$work/plugin.out")"
"$work/check_sockcap" -r "$top/tests/fixtures/debian12-vm" audit >"$work/plugin.out" 2>/dev/null
[ $? -eq 3 ] && ok || bad "check_sockcap with a command: $(cat "$work/plugin.out")"
# A slow host: every file opened under the root (openat2 with
# RESOLVE_IN_ROOT; the ~50 of the fixture) waits 1 s, as strace injects the
# delay; the check gives up after its 1 s instead of taking a minute.
start=$(date +%s)
strace -f -o /dev/null -e trace=openat2 -e inject=openat2:delay_exit=1000000 \
	"$work/check_sockcap" -r "$top/tests/fixtures/debian12-vm" -t 1 >"$work/plugin.out" 2>"$work/plugin.err"
rc=$?
took=$(($(date +%s) - start))
[ $rc -eq 3 ] && [ "$(cat "$work/plugin.out")" = "SOCKCAP UNKNOWN - timed out after 1 second" ] && [ $took -le 4 ] && ok ||
	bad "timeout: exit $rc after ${took}s: $(cat "$work/plugin.out" "$work/plugin.err")"

finish nagios
