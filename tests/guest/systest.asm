; systest.asm - guest test ROM: real-mode INT/IRET and #DE through the IVT,
; string instructions with REP (more than one chunk), BCD, LES, PUSHA/POPA, ENTER/LEAVE,
; far CALL/RETF, then protected mode: IDT gates, INT with DPL 3, IDIV overflow #DE,
; 66 F3 A5 (rep movsw), paging with #PF, CR2 and restart, REP STOSD faulting mid-way.
; Expected output checked against qemu-system-i386 7.2 (identical).
; EXPECT-STATUS: 1
%define LIN(x) (0xF0000 + (x))
        bits 16
        org 0
start:
        cli
        cld
        xor ax, ax
        mov ss, ax
        mov sp, 0x7000
        mov ds, ax
        ; IVT: int 0x80 -> rm_int80, #DE -> rm_de
        mov word [0x80*4], rm_int80
        mov word [0x80*4+2], 0xF000
        mov word [0], rm_de
        mov word [2], 0xF000
        mov ax, 0
        int 0x80
        cmp ax, 0x1234
        jne fail
        mov si, m_int
        call print16
        ; #DE in real mode: handler skips 2 bytes
        mov ax, 100
        mov bl, 0
        div bl
        cmp cx, 0xdead
        jne fail
        mov si, m_de
        call print16
        ; INT3 / INTO through IVT
        mov word [3*4], rm_bp
        mov word [3*4+2], 0xF000
        int3
        cmp cx, 0xb0b0
        jne fail
        ; REP MOVSB 10000 bytes ROM -> 0x10000, then REPE CMPSB
        push ds
        mov ax, 0xF000
        mov ds, ax
        mov ax, 0x1000
        mov es, ax
        xor si, si
        xor di, di
        mov cx, 10000
        rep movsb
        cmp cx, 0
        jne fail
        cmp si, 10000
        jne fail
        xor si, si
        xor di, di
        mov cx, 10000
        repe cmpsb
        jne fail
        cmp cx, 0
        jne fail
        ; REPNE SCASB: find 0x99 placed at offset 5000
        xor di, di
        xor al, al
        mov cx, 6000
        rep stosb
        cmp di, 6000
        jne fail
        mov byte [es:5000], 0x99
        xor di, di
        mov cx, 0xffff
        mov al, 0x99
        cmp byte [es:0], 0x99
        je fail
        repne scasb
        jne fail
        cmp di, 5001
        jne fail
        pop ds
        mov si, m_str
        call print16
        ; BCD
        mov al, 0x19
        add al, 0x28
        daa
        cmp al, 0x47
        jne fail
        mov ax, 0x0109
        add al, 5
        aaa
        cmp ax, 0x0204
        jne fail
        mov al, 79
        aam
        cmp ax, 0x0709
        jne fail
        aad
        cmp ax, 79
        jne fail
        mov si, m_bcd
        call print16
        ; LES, PUSHA/POPA, ENTER/LEAVE
        mov word [0x500], 0x1111
        mov word [0x502], 0x2222
        les bx, [0x500]
        mov ax, es
        cmp ax, 0x2222
        jne fail
        cmp bx, 0x1111
        jne fail
        mov ax, 1
        mov cx, 2
        pusha
        mov ax, 7
        mov cx, 8
        popa
        cmp ax, 1
        jne fail
        cmp cx, 2
        jne fail
        mov bp, 0x1234
        enter 16, 0
        cmp sp, 0x7000-2-16
        jne fail
        leave
        cmp bp, 0x1234
        jne fail
        cmp sp, 0x7000
        jne fail
        ; far call / retf
        call 0xF000:farfunc
        cmp dx, 0x5a5a
        jne fail
        mov si, m_misc
        call print16
        ; CPUID
        xor eax, eax
        cpuid
        cmp ebx, 0x756e6547
        jne fail
        ; to protected mode
        lgdt [cs:gdt_desc]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp dword 0x08:LIN(pm32)

rm_int80:
        mov ax, 0x1234
        iret
rm_de:
        push bp
        mov bp, sp
        add word [bp+2], 2
        pop bp
        mov cx, 0xdead
        iret
rm_bp:
        mov cx, 0xb0b0
        iret
farfunc:
        mov dx, 0x5a5a
        retf

fail:
        mov si, m_fail
        call print16
        mov al, 1
        out 0xf4, al
        hlt
print16:
        push ax
.l:     cs lodsb
        test al, al
        jz .d
        out 0xe9, al
        jmp .l
.d:     pop ax
        ret

        bits 32
pm32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov fs, ax
        mov gs, ax
        mov esp, 0x90000
        mov esi, LIN(m_pm)
        call print32
        ; IDT at 0x8000: 256 entries
        mov edi, 0x8000
        mov ecx, 256
.fill:  mov eax, LIN(pm_unexpected)
        call set_gate
        add edi, 8
        loop .fill
        mov edi, 0x8000 + 0*8
        mov eax, LIN(pm_de)
        call set_gate
        mov edi, 0x8000 + 14*8
        mov eax, LIN(pm_pf)
        call set_gate
        mov edi, 0x8000 + 0x80*8
        mov eax, LIN(pm_int80)
        call set_gate
        or byte [0x8000 + 0x80*8 + 5], 0x60     ; DPL 3
        lidt [LIN(idt_desc)]
        ; int 0x80
        xor eax, eax
        int 0x80
        cmp eax, 0xcafe
        jne pfail
        ; #DE (32-bit idiv overflow)
        mov edx, 0x80000000 >> 31
        mov edx, 0xffffffff
        mov eax, 0x80000000
        mov ebx, -1
        xor ecx, ecx
        idiv ebx                        ; 2 bytes: f7 fb
        cmp ecx, 0xde
        jne pfail
        mov esi, LIN(m_pmint)
        call print32
        ; 66 F3 A5 = rep movsw (Capstone says movsd)
        mov esi, LIN(0)
        mov edi, 0x40000
        mov ecx, 3
        db 0x66, 0xf3, 0xa5
        cmp edi, 0x40006
        jne pfail
        ; paging: PD at 0x20000, PT at 0x21000, identity 4 MiB,
        ; pages 0x300000 and 0x301000 not present
        mov edi, 0x21000
        mov eax, 0x003
        mov ecx, 1024
.pt:    mov [edi], eax
        add eax, 0x1000
        add edi, 4
        loop .pt
        mov dword [0x21000 + 0x300*4], 0
        mov dword [0x21000 + 0x301*4], 0
        mov edi, 0x20000
        mov ecx, 1024
        xor eax, eax
        rep stosd
        mov dword [0x20000], 0x21003
        mov eax, 0x20000
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        ; store to a not-present page: #PF, handler maps it, restart
        mov dword [0x300010], 0x77
        cmp dword [0x300010], 0x77
        jne pfail
        cmp dword [pf_count], 1
        jne pfail
        ; rep stosd across into the other absent page: precise mid-way
        mov edi, 0x300ff0
        mov ecx, 8
        mov eax, 0xabcdabcd
        rep stosd
        cmp ecx, 0
        jne pfail
        cmp edi, 0x301010
        jne pfail
        cmp dword [pf_count], 2
        jne pfail
        cmp dword [pf_ecx], 4
        jne pfail
        cmp dword [0x30100c], 0xabcdabcd
        jne pfail
        mov esi, LIN(m_pf)
        call print32
        mov al, 0
        out 0xf4, al
        hlt

set_gate:                               ; edi = gate, eax = handler
        mov [edi], ax
        mov word [edi+2], 0x08
        mov word [edi+4], 0x8e00
        shr eax, 16
        mov [edi+6], ax
        ret
pm_int80:
        mov eax, 0xcafe
        iretd
pm_de:
        add dword [esp], 2
        mov ecx, 0xde
        iretd
pm_pf:
        push eax
        mov eax, cr2
        cmp dword [esp+4], 2            ; error code: write, not present
        jne pfail
        inc dword [pf_count]
        mov [pf_ecx], ecx
        shr eax, 12
        and eax, 0x3ff
        mov dword [0x21000 + eax*4], 0
        shl eax, 12
        or eax, 3
        push ebx
        mov ebx, eax
        shr ebx, 12
        mov [0x21000 + ebx*4], eax
        pop ebx
        pop eax
        add esp, 4                      ; error code
        iretd
pm_unexpected:
        mov esi, LIN(m_unexp)
        call print32
pfail:
        mov esi, LIN(m_fail)
        call print32
        mov al, 1
        out 0xf4, al
        hlt
print32:
        push eax
.l:     lodsb
        test al, al
        jz .d
        out 0xe9, al
        jmp .l
.d:     pop eax
        ret

pf_count equ 0x600
pf_ecx   equ 0x604

m_int:  db "rm int ok", 10, 0
m_de:   db "rm #DE ok", 10, 0
m_str:  db "rm strings ok", 10, 0
m_bcd:  db "rm bcd ok", 10, 0
m_misc: db "rm les/pusha/enter/far ok", 10, 0
m_pm:   db "pm entered", 10, 0
m_pmint: db "pm int/#DE ok", 10, 0
m_pf:   db "pm paging/#PF ok", 10, 0
m_fail: db "FAIL", 10, 0
m_unexp: db "unexpected interrupt", 10, 0

        align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF
        dq 0x00CF92000000FFFF
gdt_end:
gdt_desc:
        dw gdt_end - gdt - 1
        dd LIN(gdt)
idt_desc:
        dw 256*8-1
        dd 0x8000

        times 0xFFF0 - ($ - $$) db 0xFF
        bits 16
        jmp 0xF000:start
        times 0x10000 - ($ - $$) db 0xFF
