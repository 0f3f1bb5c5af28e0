; bench_pagefault.asm - CI check of the micro-benchmark ROM tests/bench/pagefault.asm (#PF delivery, PTE fixed by the handler)
; with a small iteration count: its checksum, the one
; scripts/bench-micro.sh compares between tx86 and QEMU, must stay the
; same (bench_pagefault.expected is QEMU 7.2's output), so a wrong fast path
; fails make check-guest.
; EXPECT-STATUS: 1
%define ITER 1000
%include "tests/bench/pagefault.asm"
