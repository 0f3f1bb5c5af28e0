; bench_sysenter.asm - CI check of the micro-benchmark ROM tests/bench/sysenter.asm (SYSENTER / SYSEXIT)
; with a small iteration count: its checksum, the one
; scripts/bench-micro.sh compares between tx86 and QEMU, must stay the
; same (bench_sysenter.expected is QEMU 7.2's output), so a wrong fast path
; fails make check-guest.
; EXPECT-STATUS: 1
%define ITER 1000
%include "tests/bench/sysenter.asm"
