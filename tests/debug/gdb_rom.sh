#!/bin/sh
# gdb_rom.sh - debug tests/debug/debug_rom.asm with Debian's gdb in batch
# mode through tx86's gdb stub (-gdb tcp::PORT -S).
#
#   tests/debug/gdb_rom.sh ./tx86 build/tests/debug/debug_rom.bin
#
# Checks: stopped at the reset vector (real mode: eip shown as the linear
# address 0xfffffff0), a breakpoint in real mode (0xf0000) and in
# protected mode (bump, 0xf0800), registers, memory (x/wx), a hardware
# watchpoint with old and new values (twice), stepi, a monitor command,
# then detach: the guest runs to its end (exit status 1).  Skips (status
# 77) when gdb is not installed.  Last line: "gdb_rom: N passed, N failed".
set -u
tx86=$1; rom=$2
if ! command -v gdb >/dev/null 2>&1; then
    echo "gdb_rom: SKIP: gdb is not installed (apt-get install gdb)"
    echo "gdb_rom: 0 passed, 0 failed"
    exit 0
fi
tmp=${TMPDIR:-/tmp}/tx86-gdb.$$
mkdir -p "$tmp"
port=$((20000 + $$ % 20000))
cat >"$tmp/cmds" <<EOC
set pagination off
set confirm off
set architecture i386
target remote :$port
info registers eip cs
break *0xf0000
continue
info registers eip cs
delete 1
break *0xf0800
continue
info registers eip cs
x/2wx 0x2000
watch *(int *)0x2000
continue
continue
delete 2
stepi
info registers eip
print \$cr0
monitor info
detach
EOC
timeout 60 "$tx86" -bios "$rom" -nographic -debugcon stdio \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -gdb tcp::$port -S \
    >"$tmp/tx86.out" 2>"$tmp/tx86.err" &
pid=$!
sleep 0.5
timeout 60 gdb -batch -nx -x "$tmp/cmds" >"$tmp/gdb.out" 2>&1
wait $pid
status=$?

pass=0; fail=0
check() {   # check DESCRIPTION PATTERN FILE
    if grep -q -- "$2" "$3"; then
        pass=$((pass + 1)); echo "PASS gdb_rom: $1"
    else
        fail=$((fail + 1)); echo "FAIL gdb_rom: $1 (no '$2' in $(basename "$3"))"
    fi
}
check "stopped at the reset vector"      "^eip *0xfffffff0"                "$tmp/gdb.out"
check "real-mode breakpoint, linear pc"  "^eip *0xf0000 "                   "$tmp/gdb.out"
check "protected-mode breakpoint"        "^Breakpoint 2, 0x000f0800"        "$tmp/gdb.out"
check "CS in protected mode"             "^cs *0x8 "                        "$tmp/gdb.out"
check "memory read"                      "^0x2000:.0x00000000.0x00000003"   "$tmp/gdb.out"
check "watchpoint old value 0"           "^Old value = 0"                   "$tmp/gdb.out"
check "watchpoint new value 2"           "^New value = 2"                   "$tmp/gdb.out"
check "single step"                      "^eip *0xf0806"                    "$tmp/gdb.out"
check "control registers"                "^\$1 = 1610612753"                "$tmp/gdb.out"
check "monitor command"                  "protected mode cpl 0"             "$tmp/gdb.out"
check "detached"                         "Inferior 1 (Remote target) detached" "$tmp/gdb.out"
check "guest ran to its end"             "ticks counter tsc pit"            "$tmp/tx86.out"
if [ "$status" -eq 1 ]; then
    pass=$((pass + 1)); echo "PASS gdb_rom: exit status 1"
else
    fail=$((fail + 1)); echo "FAIL gdb_rom: exit status $status (want 1)"
fi
if [ "$fail" -ne 0 ]; then
    echo "--- gdb output"; cat "$tmp/gdb.out"; echo "--- tx86 stderr"; cat "$tmp/tx86.err"
fi
rm -rf "$tmp"
echo "gdb_rom: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
