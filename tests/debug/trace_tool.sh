#!/bin/sh
# trace_tool.sh - --trace and tx86-trace on the debug ROM: the trace reads
# back, and the queries answer what the ROM is known to do (bump at
# 0xF0800 increments the word at 0x2000 twenty times; the timer handler
# increments 0x2004; the ROM writes its text to port 0xE9).
#
#   tests/debug/trace_tool.sh ./tx86 ./tx86-trace build/tests/debug/debug_rom.bin
set -u
tx86=$1; tool=$2; rom=$3
name=trace_tool
tmp=${TMPDIR:-/tmp}/tx86-trc.$$
mkdir -p "$tmp"
pass=0; fail=0
check() {   # check DESCRIPTION COMMAND-OUTPUT-FILE PATTERN [COUNT]
    got=$(grep -c -- "$3" "$2")
    if { [ -z "${4:-}" ] && [ "$got" -gt 0 ]; } || [ "$got" = "${4:-x}" ]; then
        pass=$((pass + 1)); echo "PASS $name: $1"
    else
        fail=$((fail + 1)); echo "FAIL $name: $1 ('$3' found $got times, want ${4:-some})"
    fi
}
timeout 60 "$tx86" -bios "$rom" -nographic -debugcon stdio -icount shift=0 \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 --trace "$tmp/t.trc" >/dev/null 2>&1
"$tool" --stats "$tmp/t.trc" >"$tmp/stats"
"$tool" --who-wrote 0x2000+4 "$tmp/t.trc" >"$tmp/wrote"
"$tool" --range 0xf0800..0xf0805 --kind insn,mem "$tmp/t.trc" >"$tmp/range"
"$tool" --insn hlt "$tmp/t.trc" >"$tmp/hlt"
"$tool" --kind int "$tmp/t.trc" >"$tmp/ints"
"$tool" --last-set esp "$tmp/t.trc" >"$tmp/esp"
"$tool" --mem 0x2004+4 "$tmp/t.trc" >"$tmp/mem"
"$tool" "$tmp/t.trc" >"$tmp/all"
check "statistics"                   "$tmp/stats" "^instructions *[1-9]"
check "who wrote 0x2000: bump, 20x"  "$tmp/wrote" "f0800.*inc dword ptr \[0x2000\]" 20
check "who wrote 0x2000: values"     "$tmp/wrote" "mem write 00002000/4 <- 00000014" 1
check "range filter + mem reads"     "$tmp/range" "mem read  00002000/4" 20
check "instruction filter"           "$tmp/hlt"   " hlt$"
check "interrupts recorded"          "$tmp/ints"  "INT  irq vector 8"
check "register last set"            "$tmp/esp"   "^esp=.* set by:" 1
check "memory touched (tick count)"  "$tmp/mem"   "inc dword ptr \[0x2004\]"
check "port output recorded"         "$tmp/all"   "io  out 00e9/1"
check "register changes recorded"    "$tmp/all"   "^        eax="
# a 50-byte trace whose one DEF claims id 100,000,000: refused as corrupt
# at once, in a few MB (the reader once sized its table by the id: 2.7 GB)
{ printf 'TX86TRC1\001\000\000\000\000\000\000\000'
  printf '\001\000\341\365\005\000\000\000\000\000\000\000\000\000\001\220'
  printf '\002\000\341\365\005'
  printf '\011\000\000\000\000\000\000\000\000\000\000\000\000'; } | gzip >"$tmp/bad.trc"
( ulimit -v 400000; "$tool" "$tmp/bad.trc" ) >"$tmp/bad.out" 2>&1
echo "exit $?" >>"$tmp/bad.out"
check "DEF id far ahead: corrupt"    "$tmp/bad.out" "^tx86-trace: corrupt trace after 0 instructions" 1
check "DEF id far ahead: exit 1"     "$tmp/bad.out" "^exit 1$" 1
rm -rf "$tmp"
echo "$name: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
