; intloop.asm - guest integer benchmark ROM for docs/PERFORMANCE.md.
;
; A 64 KiB BIOS image: from the reset vector it enters flat 32-bit protected
; mode and runs an integer loop of known length (ALU, shifts, a load and a
; store per iteration, a conditional branch), prints a checksum on port
; 0xE9 and exits through isa-debug-exit (port 0xF4) with status 1.
; scripts/bench.sh times it on each backend; the guest instruction count is
; ITER * INSNS_PER_ITER plus a few hundred for set-up.
;
;   nasm -f bin -o intloop.bin tests/bench/intloop.asm
;   tx86 -bios intloop.bin -nographic -debugcon stdio \
;        -device isa-debug-exit,iobase=0xf4,iosize=0x04

%ifndef ITER
%define ITER 20000000
%endif
; instructions in one iteration of .loop below
%define INSNS_PER_ITER 10

%include "tests/bench/bench.inc"

        BENCH_START
        mov ecx, ITER
        xor eax, eax
        mov ebx, 0x12345678
        mov edi, 0x10000              ; scratch word in RAM
        mov dword [edi], 0
.loop:
        add eax, ebx                  ; 1
        rol ebx, 5                    ; 2
        xor ebx, ecx                  ; 3
        mov edx, [edi]                ; 4
        add edx, eax                  ; 5
        shr edx, 1                    ; 6
        mov [edi], edx                ; 7
        sub eax, edx                  ; 8
        dec ecx                       ; 9
        jnz .loop                     ; 10
        mov edx, [edi]                ; "intloop sum=XXXXXXXX" on port 0xE9
        xor edx, eax
        mov esi, 0xF0000 + msg
        jmp bench_report

msg:    db "intloop sum=", 0

        BENCH_END
