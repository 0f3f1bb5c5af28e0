; x87.asm - micro-benchmark ROM (scripts/bench-micro.sh): x87 arithmetic
; in double-extended precision.  Each of ITER iterations computes
;   x = (sqrt((x + i) * a) + a) / b       FIADD, FMUL, FSQRT, FADD, FDIV m64
;   s = s + x                             FADD, in double-extended
; and rounds x to double through memory (FSTP m64, FLD m64).  The
; checksum folds in the bits of x and of s as doubles, so the 64-bit
; significand of the running sum decides it.
;
;   nasm -f bin -DITER=10000000 -o x87.bin tests/bench/x87.asm

%ifndef ITER
%define ITER 10000000
%endif
%define MSG "x87"
%define CNT 0x8000
%define TMP 0x8008

%include "tests/bench/bench.inc"
%include "tests/bench/micro.inc"

        BENCH_START
        MICRO_SETUP
        mov eax, cr0                  ; MP=1, EM=0, TS=0, NE=1
        and eax, ~(4 | 8)
        or eax, 2 | 0x20
        mov cr0, eax
        finit
        fld qword [LIN(c_a)]          ; st2 = a
        fldz                          ; st1 = s
        fld1                          ; st0 = x
        mov ebp, ITER
.loop:  mov [CNT], ebp
        fiadd dword [CNT]
        fmul st0, st2
        fsqrt
        fadd st0, st2
        fdiv qword [LIN(c_b)]
        fadd st1, st0
        fstp qword [TMP]
        fld qword [TMP]
        dec ebp
        jnz .loop
        fstp qword [TMP]              ; x
        mov edx, [TMP]
        xor edx, [TMP + 4]
        fstp qword [TMP]              ; s
        add edx, [TMP]
        rol edx, 5
        xor edx, [TMP + 4]
        fstp st0
        jmp micro_finish

        align 8
c_a:    dq 1.0000001
c_b:    dq 1.5

        MICRO_DATA
        BENCH_END
