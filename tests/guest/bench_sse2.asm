; bench_sse2.asm - CI check of the micro-benchmark ROM tests/bench/sse2.asm (SSE2 integer loop, inline and helper forms)
; with a small iteration count: its checksum, the one
; scripts/bench-micro.sh compares between tx86 and QEMU, must stay the
; same (bench_sse2.expected is QEMU 7.2's output with -cpu n270), so a
; wrong inline form fails make check-guest.
; EXPECT-STATUS: 1
; TX86-ARGS: -cpu n270
%define ITER 20000
%include "tests/bench/sse2.asm"
