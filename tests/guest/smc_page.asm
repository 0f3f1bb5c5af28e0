; smc_page.asm - self-modifying code on one 4 KiB RAM page: stores to the
; code bytes of other blocks, of the running block (the next instruction)
; and across a block's last byte, mixed with many stores to data bytes of
; the same page, so the translator's code bitmap (translator.c: a page
; written often gets one) is built, kept exact and consulted.  Real mode,
; code copied from this ROM to 0200:0000 (physical 0x2000).
; EXPECT-STATUS: 1
;
; x86 semantics (SDM vol. 3, 11.6 "Self-modifying code"): a store to
; code is seen by the next execution of that code; a store to the
; instruction that follows the storing one takes effect for it.
%include "tests/guest/pc_lib.inc"

%define SEG   0x0200            ; the code page, physical 0x2000
%define DATA  0x0800            ; data bytes in the same page
%define ITERS 200

test_main:
        ; copy the routines to SEG:0
        push es
        mov ax, SEG
        mov es, ax
        mov si, blob
        xor di, di
        mov bx, blob_end - blob
.cp:    mov al, [cs:si]
        mov [es:di], al
        inc si
        inc di
        dec bx
        jnz .cp
        pop es

; ---------------------------------- other blocks of the page, data stores
        mov ax, SEG
        mov fs, ax
        xor bp, bp                      ; i
.l1:    mov word [fs:DATA], bp          ; data stores: no block there
        mov word [fs:DATA + 0x100], bp
        call SEG:f1 - blob              ; f1 returns its immediate
        mov dx, bp
        add dx, 0x1000
        mov [fs:f1_imm - blob], dx      ; patch it: the next call sees i + 0x1000
        mov word [fs:DATA + 2], bp
        call SEG:f1 - blob
        CHECK ax, dx
        call SEG:f2 - blob              ; untouched block of the same page
        CHECK ax, 0x2222
        inc bp
        cmp bp, ITERS
        jb .l1
        REPORT "patched block, untouched block, data stores on its page"

; ---------------------------- the running block patches its next instruction
        xor bp, bp
.l2:    mov word [fs:DATA + 4], bp
        mov bx, bp
        call SEG:g - blob               ; stores BL into its own next insn
        CHECK al, bl
        inc bp
        cmp bp, ITERS
        jb .l2
        REPORT "running block patches its next instruction"

; ------------------------------------- a dword store across a block's end
        call SEG:f3 - blob
        CHECK ax, 0x3333
        mov word [fs:f3 - blob - 2], 0x5a5a     ; ends before the block: harmless
        call SEG:f3 - blob
        CHECK ax, 0x3333
        ; f3 + 1 .. f3 + 4: imm16 = 0x5555, retf kept, data byte after it
        mov dword [fs:f3 - blob + 1], 0x00cb5555
        call SEG:f3 - blob
        CHECK ax, 0x5555
        mov byte [fs:f3 - blob + 4], 0x77       ; data byte right after the block
        call SEG:f3 - blob
        CHECK ax, 0x5555
        REPORT "store across a block's last byte"
        jmp finish

; ------------------------------------------------ the routines (at SEG:0)
blob:
f1:     db 0xb8                         ; mov ax, imm16
f1_imm: dw 0x1111
        retf
        times 0x40 - ($ - blob) db 0x90
f2:     mov ax, 0x2222
        retf
        times 0x80 - ($ - blob) db 0x90
g:      mov [cs:g_imm - blob], bl       ; patches the next instruction
        db 0xb0                         ; mov al, imm8
g_imm:  db 0xff
        retf
        times 0xc0 - ($ - blob) db 0x90
f3:     mov ax, 0x3333                  ; b8 33 33 cb
        retf
        db 0                            ; a data byte
blob_end:

        times 0xFFF0 - ($ - $$) db 0xFF
        bits 16
        jmp 0xF000:start
        times 0x10000 - ($ - $$) db 0xFF
