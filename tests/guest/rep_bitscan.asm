; rep_bitscan.asm - guest test ROM: F3 0F BC / F3 0F BD ("rep bsf", "rep
; bsr"; TZCNT/LZCNT on BMI1/LZCNT CPUs) execute as BSF/BSR on tx86's CPU
; models, which have neither feature: the F3 prefix is ignored as on a P6.
; Debian's 686 kernel runs "rep bsf" (tzcnt encoding) early in its boot.
; EXPECT-STATUS: 1
; Runs in real mode with 32-bit operands; prints PASS/FAIL on port 0xE9 and
; exits through isa-debug-exit (0 -> status 1 when all passed).
        bits 16
        org 0
start:  cli
        xor ax, ax
        mov ss, ax
        mov sp, 0x7000
        mov ax, cs
        mov ds, ax
        xor bp, bp
        mov ebx, 0x00012000
        rep bsf eax, ebx            ; f3 0f bc: 13, ZF=0
        jz .f1
        cmp eax, 13
        je .ok1
.f1:    inc bp
.ok1:   rep bsr eax, ebx            ; f3 0f bd: 16
        cmp eax, 16
        je .ok2
        inc bp
.ok2:   mov eax, 0x1234
        xor ecx, ecx
        rep bsf eax, ecx            ; source 0: ZF=1 (TZCNT would give CF=1, 32)
        jnz .f3
        jmp .ok3
.f3:    inc bp
.ok3:   mov ecx, 0x80
        rep bsf dx, cx              ; 16-bit: 7
        cmp dx, 7
        je .ok4
        inc bp
.ok4:   mov si, msg_pass
        test bp, bp
        jz .print
        mov si, msg_fail
.print: lodsb
        test al, al
        jz .exit
        out 0xe9, al
        jmp .print
.exit:  mov ax, bp
        out 0xf4, al
        hlt
msg_pass: db 'rep bsf/bsr as BSF/BSR: PASS', 10, 0
msg_fail: db 'rep bsf/bsr as BSF/BSR: FAIL', 10, 0
        times 0x10000 - 16 - ($ - $$) db 0
reset:  jmp 0xf000:start
        times 0x10000 - ($ - $$) db 0
