#!/bin/sh
# tests/bench/harness_test.sh - self-test of make bench's harness
# (scripts/bench-lib.sh), no emulator and no QEMU needed, a second or so:
#   table     bench_table on harness-results.txt (two sets, three engines,
#             two rounds) gives harness-table.expected: best host and CPU
#             times, ratios, geometric means, instruction counts
#   mismatch  a check that differs between engines makes bench_table exit 1
#             and name both results
#   parse-bb  bench_parse of a busybox guest's log as bench_run writes it
#             (host and CPU times between the BEGIN and END lines, boot to
#             the userspace line, the whole run, perf's instructions)
#   parse-deb bench_parse of a stamped Debian console log (kmsg prefixes,
#             CR line ends, the state line's uptime)
# Each case runs in its own temporary directory.  Ends with
# "bench-harness: N passed, N failed" (make check-bench-harness).
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/bench-lib.sh"
here=$top/tests/bench
pass=0 fail=0

case_table() {
    bench_table "tx86 interp qemu native" < "$here/harness-results.txt" > out &&
        diff -u "$here/harness-table.expected" out
}
case_mismatch() {
    sed 's/^\(debian qemu 1 sort .*\) d578f0b2$/\1 d578f0b3/' "$here/harness-results.txt" > in
    if bench_table "tx86 qemu" < in > out 2> err; then echo "exit status 0 on a mismatch"; return 1; fi
    grep -q '^| sort | .*MISMATCH.*: tx86 round 1 got d578f0b2; qemu round 1 got d578f0b3 |$' out &&
        grep -q 'MISMATCH in debian sort' err
}
case_parse_bb() {
    printf '%s\n' '100.000 0 BENCH-START' '100.500 0.40 SeaBIOS' '105.250 5.00 TX86-USERSPACE-UP mode=bench' \
        '105.300 5.05 BENCH-BEGIN md5sum' '107.800 7.30 BENCH-END md5sum 2.49 90ceb279' \
        '107.900 7.40 BENCH-BEGIN awkfp' '109.000 8.40 BENCH-END awkfp 1.10 3.141587653590 x' \
        '109.500 8.90 BENCH-EXIT 0' '109.500 - BENCH-INSNS 123456' > log
    bench_parse busybox qemu 2 < log > out
    printf '%s\n' 'busybox qemu 2 boot 5.25 5.00 - -' 'busybox qemu 2 md5sum 2.50 2.25 2.49 90ceb279' \
        'busybox qemu 2 awkfp 1.10 1.00 1.10 3.141587653590,x' 'busybox qemu 2 =run 9.50 8.90 - -' \
        'busybox qemu 2 =insns 123456 - - -' | diff -u - out
}
case_parse_deb() {
    printf '%s\r\n' '10.000 0 BENCH-START' '70.130 50.00 [   55.123456] TX86-DEBIAN-STATE running' \
        '71.000 51.00 [   56.000000] TX86-OUT BENCH-BEGIN sort' \
        '74.500 54.00 [   59.400000] TX86-OUT BENCH-END sort 3.41 d578f0b2' \
        '75.000 54.50 [   60.000000] TX86-OUT BENCH-END apt 1.00 105 8fe8' > log
    bench_parse debian tx86 1 < log > out
    printf '%s\n' 'debian tx86 1 boot 60.13 50.00 55.12 running' 'debian tx86 1 sort 3.50 3.00 3.41 d578f0b2' | diff -u - out
}

for c in table mismatch parse_bb parse_deb; do
    d=$(mktemp -d "${TMPDIR:-/tmp}/tx86-bench-harness.XXXXXX") || exit 1
    if (cd "$d" && "case_$c") > "$d/diag" 2>&1; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "FAIL $c"; sed 's/^/  /' "$d/diag"
    fi
    rm -rf "$d"
done
echo "bench-harness: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
