; sse2.asm - micro-benchmark ROM (scripts/bench-micro.sh, -cpu n270 on
; every engine): the SSE2 integer instructions of a memcpy/strlen-style
; loop.  Each of ITER iterations works on 32 bytes of a 4 KiB buffer:
;   two MOVDQA loads, PXOR, PADDQ, POR, MOVDQA register moves (inline IR
;   in tx86: docs/simd.md), PCMPEQB + PMOVMSKB (a helper each), one
;   MOVDQA store.
; The checksum folds in the PMOVMSKB masks and the final XMM2.
;
;   nasm -f bin -DITER=10000000 -o sse2.bin tests/bench/sse2.asm

%ifndef ITER
%define ITER 10000000
%endif
%define MSG "sse2"
%define BUF 0x100000
%define OUT 0x101000

%include "tests/bench/bench.inc"
%include "tests/bench/micro.inc"

        BENCH_START
        MICRO_SETUP
        mov eax, cr0                  ; MP=1, EM=0, TS=0
        and eax, ~(4 | 8)
        or eax, 2
        mov cr0, eax
        mov eax, cr4
        or eax, 0x600                 ; OSFXSR, OSXMMEXCPT
        mov cr4, eax
        mov edi, BUF                  ; a byte pattern to scan
        mov ecx, 4096
        xor eax, eax
.fill:  mov [edi], al
        add al, 37
        inc edi
        dec ecx
        jnz .fill
        pxor xmm2, xmm2
        pxor xmm3, xmm3
        xor edx, edx
        xor esi, esi
        mov ebp, ITER
.loop:  movdqa xmm0, [BUF + esi]
        movdqa xmm1, [BUF + esi + 16]
        pxor xmm0, xmm2
        paddq xmm1, xmm0
        por xmm2, xmm1
        movdqa xmm4, xmm1
        pcmpeqb xmm4, xmm3
        pmovmskb eax, xmm4
        add edx, eax
        movdqa [OUT + esi], xmm1
        add esi, 32
        and esi, 0xfe0
        dec ebp
        jnz .loop
        movd eax, xmm2
        xor edx, eax
        psrldq xmm2, 8
        movd eax, xmm2
        rol edx, 7
        xor edx, eax
        jmp micro_finish

        MICRO_DATA
        BENCH_END
