#!/bin/sh
# savevm_rom.sh - save and load at pseudo-random instructions of guest
# ROMs that keep the PC's chips busy (PIT and APIC timer interrupts, the
# PICs' modes, HLT waits, RDTSC), on each backend, under -icount: the
# joined output must equal an uninterrupted run (savevm_check.sh).
#
#   tests/debug/savevm_rom.sh ./tx86 "native interp" DEBUG_ROM GUEST_ROM_DIR [POINTS]
#
# Last line: "savevm_rom: N passed, N failed".
set -u
tx86=$1; backends=$2; debug_rom=$3; roms=$4; points=${5:-3}
here=$(dirname "$0")
pass=0; fail=0
seed=1
for be in $backends; do
    for rom in "$debug_rom" "$roms/pit_irq.bin" "$roms/apic_timer.bin" "$roms/pic_modes.bin"; do
        seed=$((seed + 1))
        n=$(basename "$rom" .bin)
        out=$(sh "$here/savevm_check.sh" "savevm_rom[$be,$n]" "$points" "$seed" -- \
              "$tx86" --backend="$be" -bios "$rom" -nographic -debugcon stdio \
              -device isa-debug-exit,iobase=0xf4,iosize=0x04 -icount shift=0 \
              -rtc base=2020-01-01)
        echo "$out" | grep -v "passed, .* failed$"
        p=$(echo "$out" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
        f=$(echo "$out" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
        pass=$((pass + ${p:-0})); fail=$((fail + ${f:-1}))
    done
done
echo "savevm_rom: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
