; bench_transl.asm - CI check of the micro-benchmark ROM tests/bench/transl.asm (retranslated code)
; with a small iteration count: its checksum, the one
; scripts/bench-micro.sh compares between tx86 and QEMU, must stay the
; same (bench_transl.expected is QEMU 7.2's output), so a wrong fast path
; fails make check-guest.
; EXPECT-STATUS: 1
%define ITER 3
%define UNITS 1024
%include "tests/bench/transl.asm"
