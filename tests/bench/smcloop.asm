; smcloop.asm - guest benchmark ROM for the cost of stores to a page that
; holds translated code (docs/PERFORMANCE.md, "SMC").
;
; A 64 KiB BIOS image: it enters flat 32-bit protected mode, copies a loop
; of NBLK small blocks to RAM at 0x20000 and runs it ITER times.  Each block
; adds to its own data dword at 0x20800 (same 4 KiB page as the code, no
; code byte is ever written) and jumps to the next block, so every store
; reaches the code-write hook; a translator that walks every block of the
; page per store pays NBLK block checks per store.  Prints a checksum on
; port 0xE9 and exits through isa-debug-exit with status 1.
;
;   nasm -f bin -o smcloop.bin tests/bench/smcloop.asm
;   tx86 -bios smcloop.bin -nographic -debugcon stdio \
;        -device isa-debug-exit,iobase=0xf4,iosize=0x04

%ifndef ITER
%define ITER 200000
%endif
%define NBLK 64
%define CODE 0x20000
%ifndef DATA
%define DATA 0x20800
%endif

%include "tests/bench/bench.inc"

        BENCH_START
        mov esi, 0xF0000 + blob       ; copy the loop to RAM
        mov edi, CODE
        mov ecx, blob_end - blob
        rep movsb
        mov edi, DATA
        xor eax, eax
        mov ecx, NBLK
        rep stosd
        mov ecx, ITER
        mov eax, 0x9e3779b9
        mov edi, DATA
        mov ebx, CODE
        call ebx
        ; checksum: sum of the NBLK data dwords
        xor edx, edx
        mov esi, DATA
        mov ecx, NBLK
.x:     add edx, [esi]
        add esi, 4
        dec ecx
        jnz .x
        mov esi, 0xF0000 + msg
        jmp bench_report

; position-independent loop body, runs at CODE
blob:
%assign i 0
%rep NBLK
        add [edi + 4 * i], eax        ; a store to a data byte of the code page
        rol eax, 1
        jmp short $ + 2               ; ends the block
%assign i i + 1
%endrep
        dec ecx
        jnz blob
        ret
blob_end:

msg:    db "smcloop sum=", 0

        BENCH_END
