; hint_nop_rm.asm - guest test ROM: the hint-NOP space in real mode.
; ENDBR32 (F3 0F 1E FB), ENDBR64 (F3 0F 1E FA), 0F 18..1F with register
; and memory ModRM forms (16-bit addressing and, with 67, 32-bit with SIB
; and displacements), every legacy prefix, PREFETCHh, the multi-byte NOPs
; and PAUSE execute as NOPs on a P6 (the default model): no register,
; flag or memory changes and no fault, even where the memory operand lies
; beyond the 64 KiB real-mode limit (that would be #GP/#SS for an access).
; LOCK with a hint NOP is #UD.  Any unexpected exception prints its vector
; and IP and fails.
; EXPECT-STATUS: 1
        bits 16
        org 0

RESUME  equ 0x500               ; IP to resume at after an expected #UD (0: none)
UDSEEN  equ 0x502               ; set by the #UD handler

start:  cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7000
        mov word [RESUME], 0
        mov word [6*4], ud_handler
        mov [6*4+2], cs
        mov word [12*4], ss_handler
        mov [12*4+2], cs
        mov word [13*4], gp_handler
        mov [13*4+2], cs
        mov word [14*4], pf_handler
        mov [14*4+2], cs
        mov dword [0x600], 0x11223344   ; a memory word that must stay as is

        mov eax, 0x80000001             ; known register values and flags
        mov ebx, 0x0000ffff
        mov ecx, 0x00100000
        mov edx, 0xfffffff0
        mov esi, 0x0000fffe
        mov edi, 0x0000ffff
        mov ebp, 0x12345678
        push word 0x08d7                ; CF PF AF ZF SF OF
        popf

        ; CET end-branch markers and 0F 1E without F3
        db 0xf3, 0x0f, 0x1e, 0xfb       ; endbr32
        db 0xf3, 0x0f, 0x1e, 0xfa       ; endbr64
        db 0x0f, 0x1e, 0xfb
        db 0x66, 0xf3, 0x0f, 0x1e, 0xfb
        ; PREFETCHh 0F 18 /0-3 and the reserved 0F 18 /4-7, register forms
        db 0x0f, 0x18, 0xc0
        db 0x0f, 0x18, 0xc9
        db 0x0f, 0x18, 0xd2
        db 0x0f, 0x18, 0xdb
        db 0x0f, 0x18, 0xe4
        db 0x0f, 0x18, 0xed
        db 0x0f, 0x18, 0xf6
        db 0x0f, 0x18, 0xff
        ; memory forms, 16-bit addressing; offsets past 0xffff when added
        db 0x0f, 0x18, 0x07             ; prefetchnta [bx]      (0xffff)
        db 0x0f, 0x18, 0x0d             ; prefetcht0 [di]
        db 0x0f, 0x18, 0x50, 0x7f       ; prefetcht1 [bx+si+0x7f]
        db 0x0f, 0x18, 0x9c, 0xff, 0xff ; prefetcht2 [si+0xffff]
        db 0x0f, 0x18, 0x26, 0xff, 0xff ; [0xffff]
        db 0x0f, 0x19, 0x84, 0xff, 0xff
        db 0x0f, 0x1a, 0x41, 0xff
        db 0x0f, 0x1b, 0x06, 0xfe, 0xff
        db 0x0f, 0x1c, 0x3f
        db 0x0f, 0x1d, 0x9b, 0x34, 0x12
        db 0x0f, 0x1e, 0x42, 0x80
        db 0x0f, 0x1f, 0x05
        ; register forms of 0F 19..1F (Capstone rejects most of them)
        db 0x0f, 0x19, 0xc0
        db 0x0f, 0x1a, 0xd1
        db 0x0f, 0x1b, 0xe2
        db 0x0f, 0x1c, 0xf3
        db 0x0f, 0x1d, 0xc4
        db 0x0f, 0x1e, 0xc8
        db 0x0f, 0x1f, 0xc0
        db 0x66, 0x0f, 0x1f, 0xc0
        ; 32-bit addressing with 67: SIB, disp8, disp32, no base
        db 0x67, 0x0f, 0x18, 0x01                       ; [ecx] = 0x100000
        db 0x67, 0x0f, 0x18, 0x0c, 0x8a                 ; [edx+ecx*4]
        db 0x67, 0x0f, 0x1f, 0x44, 0x0a, 0x40           ; [edx+ecx+0x40]
        db 0x67, 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x80   ; [eax+0x80000000]
        db 0x67, 0x0f, 0x1f, 0x04, 0x25, 0x00, 0x00, 0xf0, 0xff ; [0xfff00000] (SIB, no base)
        db 0x67, 0x0f, 0x1f, 0x05, 0xff, 0xff, 0xff, 0xff       ; [0xffffffff]
        db 0x67, 0x0f, 0x1f, 0x84, 0x8d, 0x78, 0x56, 0x34, 0x12 ; [ebp+ecx*4+0x12345678]
        db 0x66, 0x67, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00
        ; every prefix, several at once
        db 0x2e, 0x0f, 0x18, 0x07
        db 0x36, 0x0f, 0x18, 0x0f
        db 0x3e, 0x0f, 0x19, 0x07
        db 0x26, 0x0f, 0x1a, 0x07
        db 0x64, 0x0f, 0x1b, 0x07
        db 0x65, 0x0f, 0x1f, 0x07
        db 0xf2, 0x0f, 0x1e, 0xfb
        db 0xf3, 0x0f, 0x1f, 0x06, 0xff, 0xff
        db 0xf2, 0x0f, 0x18, 0x06, 0xff, 0xff
        db 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00
        db 0x66, 0x66, 0x2e, 0x67, 0xf3, 0x0f, 0x1f, 0x84, 0x01, 0x00, 0x00, 0x00, 0x80 ; 13 bytes
        db 0x26, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf2, 0xf3, 0x0f, 0x1d, 0x44, 0x24, 0xff ; 14
        db 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x67, 0x0f, 0x1f, 0x44, 0x00, 0x00 ; 14
        ; PAUSE and the one-byte NOP
        db 0xf3, 0x90
        db 0x90
        db 0x66, 0x90

        ; nothing may have changed
        pushf
        pop ax
        cmp ax, 0x08d7
        jne .changed
        cmp eax, 0x800008d7
        jne .changed
        cmp ebx, 0x0000ffff
        jne .changed
        cmp ecx, 0x00100000
        jne .changed
        cmp edx, 0xfffffff0
        jne .changed
        cmp esi, 0x0000fffe
        jne .changed
        cmp edi, 0x0000ffff
        jne .changed
        cmp ebp, 0x12345678
        jne .changed
        cmp sp, 0x7000
        jne .changed
        cmp dword [0x600], 0x11223344
        je .lock
.changed:
        mov si, msg_changed
        jmp fail

        ; LOCK with a hint NOP: #UD
.lock:  mov byte [UDSEEN], 0
        mov word [RESUME], .l1
        db 0xf0, 0x0f, 0x1f, 0x00
.l1:    cmp byte [UDSEEN], 1
        jne .nolock
        mov byte [UDSEEN], 0
        mov word [RESUME], .l2
        db 0xf0, 0xf3, 0x0f, 0x1e, 0xfb
.l2:    cmp byte [UDSEEN], 1
        jne .nolock
        mov byte [UDSEEN], 0
        mov word [RESUME], .l3
        db 0xf0, 0x0f, 0x18, 0xc0
.l3:    cmp byte [UDSEEN], 1
        je pass
.nolock:
        mov si, msg_nolock
        jmp fail

pass:   mov si, msg_pass
        call print
        xor al, al
        out 0xf4, al
        hlt

fail:   call print
        mov al, 1
        out 0xf4, al
        hlt

; print the zero-terminated string at cs:si
print:  mov al, [cs:si]
        test al, al
        jz .done
        out 0xe9, al
        inc si
        jmp print
.done:  ret

; print the byte al as two hex digits
hex8:   push ax
        shr al, 4
        call .nib
        pop ax
        and al, 15
.nib:   add al, '0'
        cmp al, '9'
        jbe .out
        add al, 'a' - '0' - 10
.out:   out 0xe9, al
        ret

; exception stubs: print "#<vector> at <ip>" and fail, unless a #UD is expected
ud_handler:
        cmp word [RESUME], 0
        je .bad
        push bp
        mov bp, sp
        push ax
        mov ax, [RESUME]
        mov [bp+2], ax
        mov word [RESUME], 0
        mov byte [UDSEEN], 1
        pop ax
        pop bp
        iret
.bad:   mov dl, 6
        jmp fault
ss_handler:
        mov dl, 12
        jmp fault
gp_handler:
        mov dl, 13
        jmp fault
pf_handler:
        mov dl, 14
fault:  mov si, msg_fault
        call print
        mov al, dl
        call hex8
        mov si, msg_at
        call print
        pop bx                          ; the faulting IP
        mov al, bh
        call hex8
        mov al, bl
        call hex8
        mov si, msg_nl
        jmp fail

msg_pass:    db 'hint NOPs (real mode): PASS', 10, 0
msg_changed: db 'hint NOPs (real mode): FAIL, state changed', 10, 0
msg_nolock:  db 'hint NOPs (real mode): FAIL, LOCK did not raise #UD', 10, 0
msg_fault:   db 'hint NOPs (real mode): FAIL, exception ', 0
msg_at:      db ' at ', 0
msg_nl:      db 10, 0
        times 0x10000 - 16 - ($ - $$) db 0
reset:  jmp 0xf000:start
        times 0x10000 - ($ - $$) db 0
