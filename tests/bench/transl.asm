; transl.asm - micro-benchmark ROM (scripts/bench-micro.sh): the cost of
; translation itself.  UNITS units of straight-line code are generated at
; 0x100000 (4 instructions, 16 bytes each: ADD EAX, imm32; XOR EBX, EAX;
; ROL EBX, 3; MOV [0x8000], EBX), then a RET.  Each of ITER iterations
; rewrites the immediate of every ADD (so every block of the code is
; stale and must be translated again) and calls the code once: the time
; is dominated by translating UNITS * 4 guest instructions per iteration,
; which bench-micro.sh divides by.  EBX, the checksum, depends on every
; immediate.
;
;   nasm -f bin -DITER=100 -o transl.bin tests/bench/transl.asm

%ifndef ITER
%define ITER 100
%endif
%ifndef UNITS
%define UNITS 4096
%endif
%define MSG "transl"
%define CODE 0x100000

%include "tests/bench/bench.inc"
%include "tests/bench/micro.inc"

        BENCH_START
        MICRO_SETUP
        mov edi, CODE                 ; generate the code
        mov ecx, UNITS
.gen:   mov byte [edi], 0x05          ; add eax, imm32
        mov dword [edi + 1], ecx
        mov dword [edi + 5], 0xC3C1C331   ; xor ebx, eax; rol ebx, 3 (C1 C3 03)
        mov dword [edi + 9], 0x001D8903   ; 03, mov [disp32], ebx (89 1D)
        mov dword [edi + 12], 0x00008000  ; disp32 = 0x8000
        add edi, 16
        dec ecx
        jnz .gen
        mov byte [edi], 0xC3          ; ret
        xor ebx, ebx
        xor eax, eax
        mov ebp, ITER
.loop:  mov edi, CODE + 1             ; rewrite every immediate
        mov ecx, UNITS
        mov edx, ebp
.imm:   mov [edi], edx
        add edx, 0x9E3779B9
        add edi, 16
        dec ecx
        jnz .imm
        mov edx, CODE
        call edx
        dec ebp
        jnz .loop
        mov edx, ebx
        add edx, eax
        jmp micro_finish

        MICRO_DATA
        BENCH_END
