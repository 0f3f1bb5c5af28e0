; pmode.asm - guest test ROM: real mode, then flat 32-bit protected mode.
; EXPECT-STATUS: 1
;
; A 64 KiB ROM (nasm -f bin) like firmware/demo.asm, but every step checks
; its results and prints "<section>: PASS" or "<section>: FAIL" on the debug
; console (port 0xE9).  At the end it writes 0 to isa-debug-exit (port 0xF4,
; exit status 1) when everything passed, 1 (status 3) otherwise.  The
; expected console output is pmode.expected; tests/guest/run-guest.sh runs
; it on each backend.  Runs unchanged under qemu-system-i386 -bios.
;
; Conventions: BP (EBP) counts failures of the current section; the total
; is kept at linear 0x500.  Scratch RAM: 0x1000-0x1fff, stack below 0x7000
; (real mode) and 0x90000 (protected mode), test data at 0x200000.

%define ROM_BASE  0xF0000
%define LIN(x)    (ROM_BASE + (x))
%define DEBUGCON  0xE9
%define DEBUGEXIT 0xF4
%define TOTAL     0x500

%macro EXPECT 2                 ; operand, expected value
        cmp %1, %2
        je %%ok
        inc bp
%%ok:
%endmacro
%macro EXPECT32 2
        cmp %1, %2
        je %%ok
        inc ebp
%%ok:
%endmacro

        bits 16
        org 0

start:
        cli
        cld
        xor ax, ax
        mov ss, ax
        mov sp, 0x7000
        mov es, ax
        mov word [es:TOTAL], 0
        mov ax, cs
        mov ds, ax
        xor bp, bp
        mov si, msg_title
        call print16

; ---------------------------------------------------------------- 1
        mov ax, 1234
        add ax, 4321
        EXPECT ax, 5555
        mov ax, 0xFFFF
        add ax, 1
        jc .c1
        inc bp
.c1:    EXPECT ax, 0
        jz .z1
        inc bp
.z1:    mov ax, 300
        mov bx, 7
        mul bx
        EXPECT ax, 2100
        EXPECT dx, 0
        xor dx, dx
        mov ax, 50000
        div bx
        EXPECT ax, 7142
        EXPECT dx, 6
        mov ax, -100
        cwd
        idiv bx
        EXPECT ax, -14
        EXPECT dx, -2
        mov al, 0x0F
        shl al, 4
        EXPECT al, 0xF0
        sar al, 2
        EXPECT al, 0xFC
        stc
        mov ax, 5
        adc ax, 5
        EXPECT ax, 11
        stc
        sbb ax, 1
        EXPECT ax, 9
        mov eax, 0x12345678             ; 32-bit registers in real mode
        add eax, 0x11111111
        EXPECT eax, 0x23456789
        mov cx, 0x8001
        neg cx
        EXPECT cx, 0x7FFF
        mov ax, 0x1234
        xchg ah, al
        EXPECT ax, 0x3412
        mov si, msg_arith
        call report16

; ---------------------------------------------------------------- 2
        mov si, src_str                 ; rep movsb DS:SI -> ES:DI
        mov di, 0x1000
        mov cx, 16
        rep movsb
        EXPECT cx, 0
        EXPECT di, 0x1010
        EXPECT si, src_str + 16
        EXPECT byte [es:0x1000], 'h'
        EXPECT byte [es:0x100F], 'd'
        mov si, src_str                 ; repe cmpsb: equal
        mov di, 0x1000
        mov cx, 16
        repe cmpsb
        jz .s1
        inc bp
.s1:    EXPECT cx, 0
        mov di, 0x1000                  ; repne scasb: find 'x'
        mov cx, 16
        mov al, 'x'
        repne scasb
        jz .s2
        inc bp
.s2:    EXPECT di, 0x1008
        EXPECT cx, 8
        mov byte [es:0x1005], '!'       ; repe cmpsb: stops at the difference
        mov si, src_str
        mov di, 0x1000
        mov cx, 16
        repe cmpsb
        jnz .s3
        inc bp
.s3:    EXPECT cx, 10
        EXPECT si, src_str + 6
        mov di, 0x1100                  ; rep stosw
        mov ax, 0xABCD
        mov cx, 8
        rep stosw
        EXPECT di, 0x1110
        EXPECT word [es:0x110E], 0xABCD
        EXPECT word [es:0x1110], 0
        std                             ; backwards rep movsb
        mov si, src_str + 15
        mov di, 0x1200 + 15
        mov cx, 16
        rep movsb
        cld
        EXPECT di, 0x11FF
        EXPECT byte [es:0x1200], 'h'
        EXPECT byte [es:0x1207], 'x'
        mov si, src_str                 ; lodsw
        lodsw
        EXPECT ax, 'he'
        EXPECT si, src_str + 2
        mov si, msg_strings
        call report16

; ---------------------------------------------------------------- 3
        mov dx, sp
        xor bx, bx
        call 0xEF00:far_proc + 0x1000   ; same bytes, CS = 0xEF00
        EXPECT bx, 0x4242
        mov ax, cs
        EXPECT ax, 0xF000
        EXPECT sp, dx
        push word 0x1111                ; retf 2 drops the argument
        call far [far_ptr]
        EXPECT sp, dx
        EXPECT bx, 0x2222
        mov si, msg_far
        call report16

; ---------------------------------------------------------------- 4
        mov word [es:0x80 * 4], int80_handler
        mov word [es:0x80 * 4 + 2], cs
        mov dx, sp
        mov cx, 0
        stc
        int 0x80
.after_int:
        jc .i1                          ; IRET restores CF=1 (handler cleared it)
        inc bp
.i1:    EXPECT cx, 0x8080
        EXPECT sp, dx
        EXPECT bx, .after_int           ; return IP the handler saw
        EXPECT di, 0xF000               ; return CS the handler saw
        mov si, msg_int
        call report16

; ---------------------------------------------------------------- 5
        mov si, msg_switch
        call print16
        mov ax, [es:TOTAL]
        mov [es:TOTAL + 2], ax          ; fails so far, carried across
        lgdt [gdt_desc]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp dword 0x08:LIN(pm32)

; far_proc: runs with CS = 0xEF00 (offsets shifted by 0x1000)
far_proc:
        mov ax, cs
        cmp ax, 0xEF00
        jne .bad
        mov bx, 0x4242
.bad:   retf

far_proc2:                              ; called with one word argument
        mov bx, sp
        mov bx, [ss:bx + 4]
        add bx, 0x1111
        retf 2

int80_handler:
        clc                             ; must not leak: IRET restores FLAGS
        mov bx, sp
        mov di, [ss:bx + 2]             ; return CS
        mov bx, [ss:bx]                 ; return IP
        mov cx, 0x8080
        iret

; report16: SI = section name; prints "name: PASS|FAIL", adds BP to the total
report16:
        call print16
        mov si, msg_pass
        test bp, bp
        jz .p
        mov si, msg_fail
        add [es:TOTAL], bp
.p:     call print16
        xor bp, bp
        ret

print16:
        lodsb
        test al, al
        jz .done
        out DEBUGCON, al
        jmp print16
.done:  ret

        bits 32
pm32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov fs, ax
        mov gs, ax
        mov esp, 0x90000
        xor ebp, ebp

; ---------------------------------------------------------------- 6
        mov eax, cs
        EXPECT32 ax, 0x08
        mov eax, ds
        EXPECT32 ax, 0x10
        mov eax, cr0
        test al, 1
        jnz .pe
        inc ebp
.pe:    mov ax, [TOTAL]                 ; real-mode RAM still there, same data
        EXPECT32 ax, [TOTAL + 2]
        mov esi, LIN(msg_pmode)
        call report32

; ---------------------------------------------------------------- 7
        mov ebx, 100000
        imul eax, ebx, 12345
        EXPECT32 eax, 1234500000
        mov eax, 0x89ABCDEF
        mov ecx, 0x10
        mul ecx
        EXPECT32 edx, 0x8
        EXPECT32 eax, 0x9ABCDEF0
        mov edx, 0x8
        mov eax, 0x9ABCDEF5
        div ecx
        EXPECT32 eax, 0x89ABCDEF
        EXPECT32 edx, 5
        mov eax, -7
        cdq
        mov ecx, 2
        idiv ecx
        EXPECT32 eax, -3
        EXPECT32 edx, -1
        mov ebx, 0x1000
        mov ecx, 3
        lea eax, [ebx + ecx * 4 + 0x10]
        EXPECT32 eax, 0x101C
        mov eax, 0xFFFFFF80
        movzx ecx, al
        EXPECT32 ecx, 0x80
        movsx ecx, al
        EXPECT32 ecx, 0xFFFFFF80
        mov eax, 0x80000001
        rol eax, 4
        EXPECT32 eax, 0x00000018
        mov eax, 0x80000000
        sar eax, 31
        EXPECT32 eax, 0xFFFFFFFF
        shr eax, 28
        EXPECT32 eax, 0xF
        mov ecx, 1000                   ; sum 1..1000 with LOOP
        xor eax, eax
.sum:   add eax, ecx
        loop .sum
        EXPECT32 eax, 500500
        mov ecx, 5
        mov edx, 9
        cmp ecx, edx
        cmovb ecx, edx
        setb al
        EXPECT32 ecx, 9
        EXPECT32 al, 1
        mov esi, LIN(msg_arith32)
        call report32

; ---------------------------------------------------------------- 8
        mov dword [0x200000], 0xCAFEBABE        ; above 1 MiB
        mov word [0x200004], 0x1234
        EXPECT32 dword [0x200000], 0xCAFEBABE
        EXPECT32 byte [0x200003], 0xCA
        EXPECT32 dword [0x200002], 0x1234CAFE
        mov esi, 0x200000                       ; rep movsd in 32-bit mode
        mov edi, 0x300000
        mov ecx, 2
        rep movsd
        EXPECT32 edi, 0x300008
        EXPECT32 dword [0x300004], 0x1234
        push dword 0x5555AAAA
        call .callee
        EXPECT32 eax, 0x5555AAAB
        add esp, 4
        EXPECT32 esp, 0x90000
        mov esi, LIN(msg_mem32)
        call report32

; ---------------------------------------------------------------- end
        mov eax, [TOTAL]
        movzx eax, ax
        test eax, eax
        jnz .failed
        mov esi, LIN(msg_all)
        call print32
        xor eax, eax
        out DEBUGEXIT, al               ; exit status 1
        jmp .halt
.failed:
        mov esi, LIN(msg_some)
        call print32
        mov al, 1
        out DEBUGEXIT, al               ; exit status 3
.halt:  hlt
        jmp .halt

.callee:
        mov eax, [esp + 4]
        inc eax
        ret

report32:
        call print32
        mov esi, LIN(msg_pass)
        test ebp, ebp
        jz .p
        mov esi, LIN(msg_fail)
        add [TOTAL], bp
.p:     call print32
        xor ebp, ebp
        ret

print32:
        lodsb
        test al, al
        jz .done
        out DEBUGCON, al
        jmp print32
.done:  ret

src_str:     db "hello, x86 world"        ; 16 bytes
far_ptr:     dw far_proc2, 0xF000
msg_title:   db "tx86 guest test: pmode", 10, 0
msg_arith:   db "real mode arithmetic", 0
msg_strings: db "real mode strings (REP)", 0
msg_far:     db "real mode far call/ret", 0
msg_int:     db "real mode INT through the IVT", 0
msg_switch:  db "entering protected mode", 10, 0
msg_pmode:   db "protected mode entry", 0
msg_arith32: db "protected mode 32-bit arithmetic", 0
msg_mem32:   db "protected mode memory and stack", 0
msg_pass:    db ": PASS", 10, 0
msg_fail:    db ": FAIL", 10, 0
msg_all:     db "ALL PASSED", 10, 0
msg_some:    db "SOME TESTS FAILED", 10, 0

        align 8
gdt:
        dq 0
        dq 0x00CF9A000000FFFF           ; 0x08: flat 32-bit code
        dq 0x00CF92000000FFFF           ; 0x10: flat data
gdt_end:
gdt_desc:
        dw gdt_end - gdt - 1
        dd LIN(gdt)

        times 0xFFF0 - ($ - $$) db 0xFF
        bits 16
        jmp 0xF000:start
        times 0x10000 - ($ - $$) db 0xFF
