#!/bin/sh
# determinism_rom.sh - two runs of tests/debug/debug_rom.asm (PIT
# interrupts, HLT waits, RDTSC, a PIT counter read) under
# -icount shift=0 -rtc base=2020-01-01 must give byte-identical output,
# -d exec logs and --trace files, on each backend.
#
#   tests/debug/determinism_rom.sh ./tx86 "native interp" build/tests/debug/debug_rom.bin
#
# Last line: "determinism_rom: N passed, N failed".
set -u
tx86=$1; backends=$2; rom=$3
tmp=${TMPDIR:-/tmp}/tx86-det.$$
mkdir -p "$tmp"
pass=0; fail=0
rtc="-rtc base=2020-01-01"
"$tx86" $rtc --help >/dev/null 2>&1 || rtc=""      # before the RTC work lands

for be in $backends; do
    for run in 1 2; do
        timeout 60 "$tx86" --backend="$be" -bios "$rom" -nographic -debugcon stdio \
            -device isa-debug-exit,iobase=0xf4,iosize=0x04 -icount shift=0 $rtc \
            -d exec -D "$tmp/exec.$run" --trace "$tmp/trace.$run" \
            </dev/null >"$tmp/out.$run" 2>"$tmp/err.$run"
        echo "$?" >"$tmp/status.$run"
    done
    ok=true
    for f in out exec trace status; do
        if ! cmp -s "$tmp/$f.1" "$tmp/$f.2"; then
            echo "FAIL determinism_rom [$be]: $f differs between two runs"
            cmp "$tmp/$f.1" "$tmp/$f.2" | head -n 3
            ok=false
        fi
    done
    if [ "$(cat "$tmp/status.1")" != 1 ] || ! grep -q "ticks counter" "$tmp/out.1" ||
       [ ! -s "$tmp/trace.1" ] || [ ! -s "$tmp/exec.1" ]; then
        echo "FAIL determinism_rom [$be]: the ROM did not run to its end"
        head -n 5 "$tmp/out.1" "$tmp/err.1"
        ok=false
    fi
    if grep -q "0x7f\|0x5[0-9a-f]\{11\}" "$tmp/exec.1"; then
        echo "FAIL determinism_rom [$be]: the -d exec log has host addresses"
        ok=false
    fi
    if $ok; then
        pass=$((pass + 1)); echo "PASS determinism_rom [$be]"
    else
        fail=$((fail + 1))
    fi
done
rm -rf "$tmp"
echo "determinism_rom: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
