; unimp_log.asm - guest test ROM for -d unimp: every instruction the front
; end rejects with #UD is logged once per distinct bytes, however often it
; is translated.  MONITOR (not implemented by tx86) runs three times in
; three translations: twice at 0000:8000 (the second time after the page
; was rewritten with the same bytes, so the block is translated again) and
; once at 0000:9000.  Undecodable bytes (0F 0D C0), CMOVE and a hint NOP
; (features the Pentium model lacks) and UD2 (invalid everywhere) run
; twice each, at two addresses.  unimp_log.expected-log holds the exact
; "unimp: #UD" lines tx86 must print: one per instruction, with its bytes.
; TX86-ARGS: -cpu pentium -d unimp
; EXPECT-STATUS: 1
        bits 16
        org 0

RESUME  equ 0x500               ; CS:IP to resume at after a #UD
UDCOUNT equ 0x504

; run bytes %1 (a #UD) at 0000:%2 after copying them there
%macro RUN_AT 2
        mov si, %1
        mov di, %2
        mov cx, 4
        call copy
        mov word [RESUME], %%back
        mov word [RESUME + 2], cs
        jmp 0x0000:%2
%%back:
%endmacro

; run the bytes in place (in the ROM)
%macro RUN_HERE 1+
        mov word [RESUME], %%back
        mov word [RESUME + 2], cs
        db %1
%%back:
%endmacro

start:  cli
        cld
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7000
        mov word [UDCOUNT], 0
        mov word [6*4], ud_handler
        mov [6*4+2], cs
        RUN_AT monitor, 0x8000
        RUN_AT monitor, 0x8000           ; same bytes rewritten: a new translation
        RUN_AT monitor, 0x9000
        RUN_HERE 0x0f, 0x0d, 0xc0       ; undecodable
        RUN_HERE 0x0f, 0x0d, 0xc0
        RUN_HERE 0x0f, 0x44, 0xc1       ; cmove eax, ecx: no CMOV on a Pentium
        RUN_HERE 0x0f, 0x44, 0xc1
        RUN_HERE 0x0f, 0x1f, 0x00       ; nop [bx+si]: no hint NOPs before the P6
        RUN_HERE 0x0f, 0x1f, 0x00
        RUN_HERE 0x0f, 0x0b             ; ud2
        RUN_HERE 0x0f, 0x0b
        mov si, msg_pass
        cmp word [UDCOUNT], 11
        je .print
        mov si, msg_fail
.print: mov al, [cs:si]
        test al, al
        jz .exit
        out 0xe9, al
        inc si
        jmp .print
.exit:  xor al, al
        out 0xf4, al
        hlt

; copy cx bytes from cs:si to 0:di
copy:   mov al, [cs:si]
        stosb
        inc si
        loop copy
        ret

ud_handler:
        inc word [UDCOUNT]
        push bp
        mov bp, sp
        push ax
        mov ax, [RESUME]
        mov [bp+2], ax
        mov ax, [RESUME + 2]
        mov [bp+4], ax
        pop ax
        pop bp
        iret

monitor:  db 0x0f, 0x01, 0xc8, 0x90     ; monitor (SSE3; tx86 has no row for it)
msg_pass: db '#UD logging: 11 #UDs', 10, 0
msg_fail: db '#UD logging: FAIL, wrong #UD count', 10, 0
        times 0x10000 - 16 - ($ - $$) db 0
reset:  jmp 0xf000:start
        times 0x10000 - ($ - $$) db 0
