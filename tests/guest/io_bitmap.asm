; io_bitmap.asm - guest test ROM: IOPL and the TSS I/O permission bitmap
; (SDM vol. 1 §19.5), CLI/STI at CPL 3 with CR4.PVI (SDM vol. 3 §20.4).
; EXPECT-STATUS: 1
;
; Ring-3 code with IOPL 0; the TSS bitmap (base 0x68, 128 bytes: ports
; 0-0x3FF, limit 0xE8) allows only ports 0xE9 and 0x84.  The ring-0 #GP
; handler logs the opcode of every trapped instruction and skips it; INT
; 0x80 is the service call (EAX: 1 CR4.PVI := 1, 2 set VIP, 3 clear VIP,
; 4 IOPL := 3, 5 finish).
;   allowed    OUT/IN on 0xE9/0x84, REP OUTSB to 0xE9 print through the bitmap
;   denied     OUT imm8 and IN on 0x80, a word OUT at 0xE9 (0xEA denied),
;              INSB from 0x80, OUT to 0x8000 (bitmap beyond the TSS limit),
;              CLI -> #GP(0) each
;   pvi        CR4.PVI: CLI/STI change VIF, not IF and do not fault; STI
;              with VIP=1 -> #GP(0)
;   iopl 3     everything allowed: OUT 0x80, CLI/STI change IF
; QEMU (TCG) does not implement PVI (its CLI at CPL 3 still traps), so
; qemu-system-i386 stops at the "pvi" step; that step follows the SDM
; (CLI/STI pseudo code, §20.4); the steps before it match QEMU.
%define LIN(x) (0xF0000 + (x))
%define GDT    0x1000
%define IDT    0x2000
%define TSS    0x3000
%define LOGN   0x6fc
%define LOG    0x700

%include "tests/guest/pm_lib.inc"

        bits 16
        org 0
        PM_ENTER

        bits 32
pm32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x90000
        mov edi, IDT
        mov ecx, 256
.fill:  mov eax, LIN(unexpected)
        call set_gate
        add edi, 8
        loop .fill
        mov eax, LIN(gp_handler)
        mov edi, IDT + 13*8
        call set_gate
        mov eax, LIN(service)
        mov edi, IDT + 0x80*8
        call set_gate
        or byte [IDT + 0x80*8 + 5], 0x60
        lidt [LIN(idt_desc)]
        mov edi, TSS
        xor eax, eax
        mov ecx, 0x68/4
        rep stosd
        mov dword [TSS + 4], 0x90000
        mov dword [TSS + 8], 0x10
        mov word [TSS + 0x66], 0x68
        mov edi, TSS + 0x68
        mov al, 0xff
        mov ecx, 128 + 1
        rep stosb
        and byte [TSS + 0x68 + 0xe9/8], ~(1 << (0xe9 & 7))
        and byte [TSS + 0x68 + 0x84/8], ~(1 << (0x84 & 7))
        mov ax, 0x28
        ltr ax
        mov dword [LOGN], 0
        mov ax, 0x23
        mov ds, ax
        mov es, ax
        push dword 0x23
        push dword 0x80000
        push dword 0x00000002           ; IOPL 0, IF 0
        push dword 0x1b
        push dword LIN(user)
        iretd

; ================================================================ ring 3
user:
        mov esi, LIN(m_allowed)         ; REP OUTSB through the bitmap
        mov ecx, m_allowed_end - m_allowed
        mov dx, 0xe9
        rep outsb
        mov al, 0x5a
        out 0x84, al
        in al, 0x84
        in al, 0xe9
        out 0x80, al                    ; #GP (E6)
        in al, 0x80                     ; #GP (E4)
        mov dx, 0xe9
        mov ax, 0x0a0a
        out dx, ax                      ; #GP (66): 0xEA denied
        mov dx, 0x80
        mov edi, 0x5000
        insb                            ; #GP (6C)
        mov dx, 0x8000
        out dx, al                      ; #GP (EE): beyond the TSS limit
        cli                             ; #GP (FA)
        mov esi, LIN(m_denied)
        call uprint
        ; PVI
        mov eax, 1
        int 0x80
        cli                             ; VIF := 0
        pushfd
        pop eax
        test eax, 0x80000               ; VIF clear
        jnz ufail
        sti                             ; VIF := 1, IF unchanged
        pushfd
        pop eax
        test eax, 0x80000
        jz ufail
        test eax, 0x200
        jnz ufail
        mov eax, 2
        int 0x80                        ; VIP := 1
        sti                             ; #GP (FB)
        mov eax, 3
        int 0x80
        mov esi, LIN(m_pvi)
        call uprint
        ; IOPL 3
        mov eax, 4
        int 0x80
        out 0x80, al
        cli
        sti
        pushfd
        pop eax
        test eax, 0x200                 ; the real IF this time
        jz ufail
        cli
        mov esi, LIN(m_iopl3)
        call uprint
        mov eax, 5
        int 0x80
ufail:
        mov esi, LIN(m_fail)
        call uprint
        mov eax, 6
        int 0x80
uprint:                                 ; port 0xE9 is allowed
        push eax
.l:     mov al, [esi]
        inc esi
        test al, al
        jz .d
        out 0xe9, al
        jmp .l
.d:     pop eax
        ret

; ================================================================ ring 0
gp_handler:                             ; +0 err, +4 EIP, +8 CS, +12 EFLAGS
        push eax
        push ebx
        push ecx
        cmp dword [esp + 12], 0
        jne fail
        cmp dword [esp + 20], 0x1b
        jne fail
        mov ebx, [esp + 16]
        mov al, [ebx]
        mov ecx, [LOGN]
        mov [LOG + ecx], al
        inc dword [LOGN]
        mov ecx, 1
        cmp al, 0xe6
        je .two
        cmp al, 0xe4
        je .two
        cmp al, 0x66
        jne .skip
.two:   mov ecx, 2
.skip:  add [esp + 16], ecx
        pop ecx
        pop ebx
        pop eax
        add esp, 4
        iretd
service:                                ; +0 EIP, +4 CS, +8 EFLAGS
        cmp eax, 1
        jne .s2
        mov ebx, cr4
        or ebx, 2                       ; PVI
        mov cr4, ebx
.s2:    cmp eax, 2
        jne .s3
        or dword [esp + 8], 0x100000    ; VIP
.s3:    cmp eax, 3
        jne .s4
        and dword [esp + 8], ~0x100000
.s4:    cmp eax, 4
        jne .s5
        or dword [esp + 8], 0x3000      ; IOPL 3
.s5:    cmp eax, 5
        je finish
        cmp eax, 6
        je fail
        iretd
finish:
        mov ecx, [LOGN]
        cmp ecx, log_end - log_expect
        jne fail
        mov esi, LIN(log_expect)
        mov edi, LOG
        repe cmpsb
        jne fail
        mov esi, LIN(m_log)
        call print
        mov esi, LIN(m_pass)
        call print
        mov al, 0
        out 0xf4, al
        hlt
        SET_GATE
unexpected:
        mov esi, LIN(m_unexp)
        call print
fail:
        mov esi, LIN(m_fail)
        call print
        mov al, 1
        out 0xf4, al
        hlt
print:
        push eax
.l:     mov al, [esi]
        inc esi
        test al, al
        jz .d
        out 0xe9, al
        jmp .l
.d:     pop eax
        ret

log_expect: db 0xe6, 0xe4, 0x66, 0x6c, 0xee, 0xfa, 0xfb
log_end:

m_allowed:  db "io allowed ports ok", 10
m_allowed_end:
m_denied:   db "io denied ports and cli trap ok", 10, 0
m_pvi:      db "pvi ok", 10, 0
m_iopl3:    db "iopl 3 ok", 10, 0
m_log:      db "io #GP log ok", 10, 0
m_pass:     db "PASS", 10, 0
m_fail:     db "FAIL", 10, 0
m_unexp:    db "unexpected interrupt", 10, 0

        align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF           ; 0x08 ring-0 code
        dq 0x00CF92000000FFFF           ; 0x10 ring-0 data
        dq 0x00CFFA000000FFFF           ; 0x18 ring-3 code
        dq 0x00CFF2000000FFFF           ; 0x20 ring-3 data
        dq 0x00008900300000E8           ; 0x28 TSS (0x3000, limit 0xE8)
gdt_end:
gdt_desc:
        dw gdt_end - gdt - 1
        dd GDT
idt_desc:
        dw 256*8-1
        dd IDT

        times 0xFFF0 - ($ - $$) db 0xFF
        bits 16
        jmp 0xF000:start
        times 0x10000 - ($ - $$) db 0xFF
