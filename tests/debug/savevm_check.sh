#!/bin/sh
# savevm_check.sh - save at instruction N, load in a new process, and the
# rest of the run must equal an uninterrupted one (issue 14's oracle; the
# runs are -icount, so two whole runs are identical: determinism_*.sh).
#
#   tests/debug/savevm_check.sh NAME POINTS SEED -- TX86 ARGS...
#
# 1. A whole run with --save-at far past its end: its output is the
#    reference, and tx86's "ended at instruction T" note gives T.
# 2. For each of POINTS instruction counts N in 1..T (pseudo-random from
#    SEED, printed so a failure can be re-run): a run with --save-at N:F
#    --max-insns N (output P), then a run of the same command line with
#    -incoming file:F (output R, status S).  P followed by R must be the
#    reference output byte for byte, and S its status.
# Prints "PASS/FAIL NAME: ..." lines and "NAME: N passed, N failed".
set -u
name=$1; points=$2; seed=$3; shift 4
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tx86-savevm.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
"$@" --save-at 4611686018427387904:"$tmp/never" </dev/null >"$tmp/ref.out" 2>"$tmp/ref.err"
total=$(sed -n 's/.*--save-at: the run ended at instruction \([0-9]*\),.*/\1/p' "$tmp/ref.err")
if [ -z "$total" ] || [ "$total" -lt 2 ]; then
    echo "FAIL $name: the reference run did not report its length"
    head -n 5 "$tmp/ref.err"
    echo "$name: 0 passed, 1 failed"
    exit 1
fi
# the reference run's own status, without --save-at
"$@" </dev/null >"$tmp/ref2.out" 2>/dev/null
ref_status=$?
if ! cmp -s "$tmp/ref.out" "$tmp/ref2.out"; then
    echo "FAIL $name: two whole runs differ (not deterministic: see determinism_*.sh)"
    echo "$name: 0 passed, 1 failed"
    exit 1
fi
echo "$name: $total instructions, status $ref_status, $(wc -c <"$tmp/ref.out") bytes of output"
i=0
x=$seed
while [ "$i" -lt "$points" ]; do
    i=$((i + 1))
    x=$(( (x * 1103515245 + 12345) % 2147483648 ))
    n=$(( (x * 65536 + (x / 7) % 65536) % (total - 1) + 1 ))
    rm -f "$tmp/state"
    "$@" --save-at "$n:$tmp/state" --max-insns "$n" </dev/null >"$tmp/pre.out" 2>"$tmp/pre.err"
    if [ ! -s "$tmp/state" ]; then
        fail=$((fail + 1)); echo "FAIL $name: nothing saved at instruction $n"
        head -n 3 "$tmp/pre.err"
        continue
    fi
    "$@" -incoming "file:$tmp/state" </dev/null >"$tmp/post.out" 2>"$tmp/post.err"
    st=$?
    cat "$tmp/pre.out" "$tmp/post.out" >"$tmp/joined.out"
    if cmp -s "$tmp/joined.out" "$tmp/ref.out" && [ "$st" = "$ref_status" ]; then
        pass=$((pass + 1))
        echo "PASS $name: saved at $n, loaded: same output ($(wc -c <"$tmp/state") byte state)"
    else
        fail=$((fail + 1))
        echo "FAIL $name: saved at $n (seed $seed, point $i), loaded: status $st (want $ref_status)"
        cmp "$tmp/joined.out" "$tmp/ref.out" | head -n 2
        head -n 3 "$tmp/post.err"
    fi
done
echo "$name: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
