; int80.asm - micro-benchmark ROM (scripts/bench-micro.sh): the system-call
; path of a 32-bit guest, INT 0x80 from ring 3 through a DPL-3 interrupt
; gate to a ring-0 handler (stack switch through the TSS's SS0:ESP0) that
; returns with IRET to ring 3.  ITER calls; the handler folds EAX into the
; checksum in EDX, so the count of calls shows in the result.
;
;   nasm -f bin -DITER=1000000 -o int80.bin tests/bench/int80.asm

%ifndef ITER
%define ITER 1000000
%endif
%define MSG "int80"

%include "tests/bench/bench.inc"
%include "tests/bench/micro.inc"

        BENCH_START
        MICRO_SETUP
        MICRO_GATE 0x80, handler, 3
        xor edx, edx
        mov ecx, ITER
        MICRO_RING3 user

user:   mov eax, ecx
        int 0x80
        dec ecx
        jnz user
        int 0x81                      ; finish, EDX = checksum

handler:                              ; ring 0: EAX = the argument
        add edx, eax
        rol edx, 1
        iret

        MICRO_DATA
        BENCH_END
