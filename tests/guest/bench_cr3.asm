; bench_cr3.asm - CI check of the micro-benchmark ROM tests/bench/cr3.asm (CR3 reloads)
; with a small iteration count: its checksum, the one
; scripts/bench-micro.sh compares between tx86 and QEMU, must stay the
; same (bench_cr3.expected is QEMU 7.2's output), so a wrong fast path
; fails make check-guest.
; EXPECT-STATUS: 1
%define ITER 300
%include "tests/bench/cr3.asm"
