; cr3.asm - micro-benchmark ROM (scripts/bench-micro.sh): TLB flushes.
; 32-bit paging; two page directories (0x4000 and 0x7000) map the same
; 0-4 MiB.  Each of ITER iterations either (default) writes CR3,
; alternating between the two directories as a context switch does, or
; (-DINVLPG) INVLPGs each of the NPAGES pages, and then loads a dword
; from each of NPAGES pages at 0x100000 (so the flushed entries are
; walked again).  The checksum folds in the loaded values.
;
;   nasm -f bin -DITER=1000000 -o cr3.bin tests/bench/cr3.asm
;   nasm -f bin -DITER=1000000 -DINVLPG -o invlpg.bin tests/bench/cr3.asm

%ifndef ITER
%define ITER 1000000
%endif
%ifndef NPAGES
%define NPAGES 16
%endif
%ifdef INVLPG
%define MSG "invlpg"
%else
%define MSG "cr3"
%endif
%define PD2  0x7000
%define DATA 0x100000

%include "tests/bench/bench.inc"
%include "tests/bench/micro.inc"

        BENCH_START
        MICRO_SETUP
        MICRO_PAGING
        mov esi, M_PD                 ; the second directory: a copy
        mov edi, PD2
        mov ecx, 1024
        rep movsd
        xor ecx, ecx                  ; dword 0 of each data page
.fill:  mov eax, ecx
        imul eax, eax, 0x9E3779B9
        mov ebx, ecx
        shl ebx, 12
        mov [DATA + ebx], eax
        inc ecx
        cmp ecx, NPAGES
        jb .fill
        xor edx, edx
        mov ebp, ITER
.loop:
%ifdef INVLPG
        mov esi, DATA
.inv:   invlpg [esi]
        add esi, 0x1000
        cmp esi, DATA + NPAGES * 0x1000
        jb .inv
%else
        mov eax, ebp                  ; odd iterations PD2, even M_PD
        and eax, 1
        imul eax, eax, PD2 - M_PD
        add eax, M_PD
        mov cr3, eax
%endif
        mov esi, DATA
.touch: add edx, [esi]
        rol edx, 1
        add esi, 0x1000
        cmp esi, DATA + NPAGES * 0x1000
        jb .touch
        dec ebp
        jnz .loop
        jmp micro_finish

        MICRO_DATA
        BENCH_END
