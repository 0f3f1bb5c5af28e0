; hint_nop_p5.asm - guest test ROM: on the Pentium model (family 5) the
; hint-NOP space 0F 18..1F is #UD (SDM Vol. 2B, NOP: the multi-byte NOP
; needs CPUID.01H.EAX[11:8] = 0110B or 1111B; before the P6 these opcodes
; were undefined), while PAUSE (F3 90, REP NOP) and NOP run everywhere.
; TX86-ARGS: -cpu pentium
; EXPECT-STATUS: 1
        bits 16
        org 0

RESUME  equ 0x500               ; IP to resume at after an expected #UD
UDCOUNT equ 0x502               ; #UDs seen

; run the bytes with the #UD handler armed; afterwards UDCOUNT must be %1
%macro EXPECT_UD 2+
        mov word [RESUME], %%after
        db %2
%%after:
        cmp word [UDCOUNT], %1
        jne fail
%endmacro

start:  cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7000
        mov word [UDCOUNT], 0
        mov word [6*4], ud_handler
        mov [6*4+2], cs
        EXPECT_UD 1, 0x0f, 0x1f, 0x00                   ; nop [bx+si]
        EXPECT_UD 2, 0xf3, 0x0f, 0x1e, 0xfb             ; endbr32
        EXPECT_UD 3, 0x0f, 0x18, 0x06, 0x00, 0x10       ; prefetchnta [0x1000]
        EXPECT_UD 4, 0x0f, 0x19, 0xc0
        EXPECT_UD 5, 0x66, 0x0f, 0x1f, 0x44, 0x00       ; 32-bit nop [si+0]
        EXPECT_UD 5, 0xf3, 0x90                         ; pause
        EXPECT_UD 5, 0x90, 0x66, 0x90
        mov si, msg_pass
        call print
        xor al, al
        out 0xf4, al
        hlt
fail:   mov si, msg_fail
        call print
        mov al, 1
        out 0xf4, al
        hlt

print:  mov al, [cs:si]
        test al, al
        jz .done
        out 0xe9, al
        inc si
        jmp print
.done:  ret

; #UD: count it and resume at [RESUME] (no RESUME: an unexpected #UD)
ud_handler:
        inc word [UDCOUNT]
        cmp word [RESUME], 0
        je fail
        push bp
        mov bp, sp
        push ax
        mov ax, [RESUME]
        mov [bp+2], ax
        mov word [RESUME], 0
        pop ax
        pop bp
        iret

msg_pass: db 'hint NOPs on a Pentium: #UD: PASS', 10, 0
msg_fail: db 'hint NOPs on a Pentium: #UD: FAIL', 10, 0
        times 0x10000 - 16 - ($ - $$) db 0
reset:  jmp 0xf000:start
        times 0x10000 - ($ - $$) db 0
