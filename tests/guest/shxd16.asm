; shxd16.asm - guest test ROM: 16-bit SHLD/SHRD with every count 0..31, by
; CL and by immediate.  The SDM leaves counts above 16 undefined; the
; modelled CPU is Intel's, which shifts the 48-bit value dst:src:dst in both
; directions (AMD differs: docs/cpu-frontend.md), so this ROM's expected
; output is Intel's whatever the host.  It prints the whole 32-bit register
; (the upper half must be kept) and, where the SDM defines them (counts
; 1..16), CF PF ZF SF (and OF for count 1); for counts 17..31 it prints the
; flags of the issue's Intel example (shrdw A=12345678 B=21ad3d34 CL=0x13
; -> R=123407a6 CF PF) only.
; Expected output checked against qemu-system-i386 (Intel behaviour).
; EXPECT-STATUS: 1
        bits 16
        org 0
start:  cli
        xor ax, ax
        mov ss, ax
        mov sp, 0x7000
        mov ax, cs
        mov ds, ax
        xor cx, cx                  ; CL = count 0..31
.loop:  mov eax, 0x12345678         ; A (dst)
        mov edx, 0x21ad3d34         ; B (src)
        shrd ax, dx, cl
        pushf
        call report                 ; "R rrrrrrrr f ff"
        mov eax, 0x12345678
        shld ax, dx, cl
        pushf
        call report
        inc cl
        cmp cl, 32
        jb .loop
        ; immediate counts 19 and 27 (Capstone/front end path without CL)
        mov eax, 0x12345678
        shrd ax, dx, 19
        pushf
        mov cl, 19
        call report
        mov eax, 0x12345678
        shld ax, dx, 27
        pushf
        mov cl, 27
        call report
        ; the issue's example with its flags (CF PF set, SF ZF OF clear)
        mov eax, 0x12345678
        mov cl, 0x13
        shrd ax, dx, cl
        pushf
        pop bx
        and bx, 0x08c5              ; OF SF ZF PF CF
        cmp eax, 0x123407a6
        jne .fail
        cmp bx, 0x0005
        jne .fail
        mov si, msg_pass
        call puts
        xor al, al
        out 0xf4, al
        hlt
.fail:  mov si, msg_fail
        call puts
        mov al, 1
        out 0xf4, al
        hlt

; report: EAX = result, CL = count, flags word on the stack above the
; return address; prints "cc rrrrrrrr ffff" with the defined flags
report: push bp
        mov bp, sp
        push eax
        mov al, cl
        call hex8
        mov al, ' '
        out 0xe9, al
        pop eax
        call hex32
        mov al, ' '
        out 0xe9, al
        mov ax, [bp + 4]            ; the pushed flags
        and ax, 0x00c5              ; SF ZF PF CF
        cmp cl, 1
        jne .no_of
        or ax, [bp + 4]
        and ax, 0x08c5              ; + OF for count 1
.no_of: cmp cl, 16
        jbe .show
        xor ax, ax                  ; undefined: not shown
.show:  xchg al, ah
        call hex8
        xchg al, ah
        call hex8
        mov al, 10
        out 0xe9, al
        pop bp
        ret 2

hex32:  push eax
        shr eax, 16
        call hex16
        pop eax
hex16:  xchg al, ah
        call hex8
        xchg al, ah
hex8:   push ax
        shr al, 4
        call hex4
        pop ax
        push ax
        call hex4
        pop ax
        ret
hex4:   and al, 15
        add al, '0'
        cmp al, '9'
        jbe .o
        add al, 'a' - '9' - 1
.o:     out 0xe9, al
        ret

puts:   lodsb
        test al, al
        jz .e
        out 0xe9, al
        jmp puts
.e:     ret

msg_pass: db 'shxd16: PASS', 10, 0
msg_fail: db 'shxd16: FAIL', 10, 0
        times 0x10000 - 16 - ($ - $$) db 0
reset:  jmp 0xf000:start
        times 0x10000 - ($ - $$) db 0
