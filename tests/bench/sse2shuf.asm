; sse2shuf.asm - micro-benchmark ROM (scripts/bench-micro.sh, -cpu n270 on
; every engine): the SSE2 moves, unpacks, shuffles and shifts of glibc's
; i686 memset/strchr/memcpy and gcc -msse2 code.  Each of ITER iterations:
;   MOVD xmm, r32 + PUNPCKLBW + PUNPCKLWD + PSHUFD (a byte broadcast, as
;   memset and strchr do), a MOVDQA load, PCMPEQB + PMOVMSKB, a MOVQ load,
;   PSRLDQ/PSLLDQ + POR (memcpy's shifted merge), PSRLW/PSRAD by an
;   immediate, PSHUFLW, PUNPCKHQDQ, PADDD, MOVQ and MOVNTDQ stores, MOVD
;   r32, xmm (inline IR in tx86 since the "shuffles" change: docs/simd.md).
; The checksum folds in the masks, the MOVD results and the final XMM2.
;
;   nasm -f bin -DITER=5000000 -o sse2shuf.bin tests/bench/sse2shuf.asm

%ifndef ITER
%define ITER 5000000
%endif
%define MSG "sse2shuf"
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
        xor edx, edx
        xor esi, esi
        xor ebx, ebx
        mov ebp, ITER
.loop:  movd xmm0, ebx                ; broadcast the byte in BL
        punpcklbw xmm0, xmm0
        punpcklwd xmm0, xmm0
        pshufd xmm0, xmm0, 0
        movdqa xmm1, [BUF + esi]
        pcmpeqb xmm1, xmm0
        pmovmskb eax, xmm1
        add edx, eax
        movq xmm5, [BUF + esi + 16]
        movdqa xmm6, [BUF + esi]
        psrldq xmm6, 3
        pslldq xmm5, 5
        por xmm5, xmm6
        psrlw xmm5, 3
        psrad xmm6, 7
        pshuflw xmm5, xmm5, 0x1b
        punpckhqdq xmm6, xmm5
        paddd xmm2, xmm6
        movq [OUT + esi], xmm5
        movntdq [OUT + esi + 16], xmm0
        movd eax, xmm2
        add edx, eax
        add ebx, 37
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
