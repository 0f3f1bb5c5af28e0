#!/bin/sh
# run-guest.sh - run guest test ROMs under tx86 and check their output.
#
#   tests/guest/run-guest.sh TX86 "native interp" build/tests/guest/pmode.bin ...
#
# For each ROM NAME.bin and each backend: runs
#   TX86 --backend=B -bios NAME.bin -nographic -debugcon stdio \
#        -device isa-debug-exit,iobase=0xf4,iosize=0x04
# (60 s time limit), compares stdout with tests/guest/NAME.expected and the
# exit status with the "; EXPECT-STATUS: N" line of tests/guest/NAME.asm.
# A "; TX86-ARGS: ..." line in NAME.asm adds options (e.g. -cpu pentium).
# If tests/guest/NAME.expected-log exists, the "unimp: #UD" lines tx86
# logs on stderr (TX86-ARGS with -d unimp) must equal it as well.
# Ends with "guest: N passed, N failed"; exit status 1 if any failed.
set -u
tx86=$1; backends=$2; shift 2
here=$(dirname "$0")
out=${TMPDIR:-/tmp}/tx86-guest.$$
mkdir -p "$out"
pass=0; fail=0

for bin in "$@"; do
    name=$(basename "$bin" .bin)
    asm=$here/$name.asm
    expected=$here/$name.expected
    want=$(sed -n 's/^; *EXPECT-STATUS: *\([0-9]*\).*/\1/p' "$asm" | head -n 1)
    [ -n "$want" ] || want=1
    args=$(sed -n 's/^; *TX86-ARGS: *//p' "$asm" | head -n 1)    # e.g. -cpu pentium
    for be in $backends; do
        timeout 60 "$tx86" --backend="$be" $args -bios "$bin" -nographic -debugcon stdio \
            -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
            </dev/null >"$out/$name.$be.out" 2>"$out/$name.$be.err"
        status=$?
        logok=1
        if [ -f "$here/$name.expected-log" ]; then
            grep '^unimp: #UD' "$out/$name.$be.err" >"$out/$name.$be.log"
            cmp -s "$here/$name.expected-log" "$out/$name.$be.log" || logok=0
        fi
        if [ "$status" -eq "$want" ] && [ "$logok" -eq 1 ] && cmp -s "$expected" "$out/$name.$be.out"; then
            echo "PASS $name [$be]"
            pass=$((pass + 1))
        else
            echo "FAIL $name [$be]: exit status $status (want $want)"
            diff -u "$expected" "$out/$name.$be.out" | head -n 30
            [ "$logok" -eq 1 ] || diff -u "$here/$name.expected-log" "$out/$name.$be.log" | head -n 30
            head -n 10 "$out/$name.$be.err"
            fail=$((fail + 1))
        fi
    done
done
rm -rf "$out"
echo "guest: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
