#!/bin/sh
# run-fuzz.sh - robustness test: tx86 runs ROMs of random guest code and
# must never crash, abort, report an internal error or hang; every run ends
# through a guest event (halt, triple fault, --max-insns, debug exit).
#
#   tests/fuzz/run-fuzz.sh TX86 FUZZROM PMSTUB "native interp" FIRST LAST
#
# Seeds FIRST..LAST, each as a real-mode ROM and as a protected-mode ROM,
# on each backend, with --max-insns 200000 -no-reboot.  A failure prints the
# command that reproduces it.  Ends with "fuzz: N passed, N failed".
set -u
# absolute paths: tx86 runs in the temporary directory, so a file it might
# leave behind lands there and not in the tree
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
tx86=$(abs "$1"); fuzzrom=$(abs "$2"); stub=$(abs "$3"); backends=$4; first=$5; last=$6
dir=$(mktemp -d "${TMPDIR:-/tmp}/tx86-fuzz.XXXXXX") || exit 1
pass=0; fail=0
seed=$first
while [ "$seed" -le "$last" ]; do
    for mode in real pm; do
        rom=$dir/rom-$mode.bin
        if [ "$mode" = pm ]; then "$fuzzrom" "$seed" pm "$stub" "$rom"; else "$fuzzrom" "$seed" real "$rom"; fi || exit 1
        for be in $backends; do
            (cd "$dir" && timeout 30 "$tx86" --backend="$be" -bios "$rom" -nographic \
                -display none --max-insns 200000 -no-reboot </dev/null >/dev/null 2>"$dir/err")
            rc=$?
            # 0/1: guest ended (halt, triple fault, max-insns); debug exit
            # is impossible (no isa-debug-exit device); >= 124: timeout or signal
            if [ "$rc" -le 1 ] && ! grep -qiE 'assert|internal error|abort|runtime error|AddressSanitizer' "$dir/err"; then
                pass=$((pass + 1))
            else
                fail=$((fail + 1))
                echo "FAIL seed $seed $mode [$be] exit $rc: $(head -c 300 "$dir/err")"
                if [ "$mode" = pm ]; then gen="$fuzzrom $seed pm $stub r.bin"; else gen="$fuzzrom $seed real r.bin"; fi
                echo "  reproduce: $gen && $tx86 --backend=$be -bios r.bin -nographic -display none --max-insns 200000 -no-reboot"
            fi
        done
    done
    seed=$((seed + 1))
done
rm -rf "$dir"
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
