; bench_x87.asm - CI check of the micro-benchmark ROM tests/bench/x87.asm (double-extended x87 arithmetic)
; with a small iteration count: its checksum, the one
; scripts/bench-micro.sh compares between tx86 and QEMU, must stay the
; same (bench_x87.expected is QEMU 7.2's output), so a wrong fast path
; fails make check-guest.
; EXPECT-STATUS: 1
%define ITER 20000
%include "tests/bench/x87.asm"
