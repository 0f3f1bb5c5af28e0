; paging_user.asm - guest test: U/S and R/W rules from ring 3 (SDM vol. 3A 4.6).
; EXPECT-STATUS: 1
;
; Enters ring 3 by IRET (TSS ESP0 for the way back through exceptions),
; then: user reads and writes of user pages; a supervisor page (U=0 in the
; PTE, or only in the PDE: the levels are ANDed) faults with P|U (5) on a
; read and P|W|U (7) on a write, also right after ring 0 cached it (the
; user view of the TLB is separate); a read-only user page faults on a
; write with 7 whatever CR0.WP, and ring 0 may write it while WP=0; a
; not-present page gives U|W (6); a fetch from a supervisor page gives 5
; (no I/D without PAE+NXE).  INT 0x30 (DPL 3 gate) returns to ring 0.
; QEMU 7.2 agrees on every line.
;
; Tables: PD 0x1000, PT0 0x2000 (identity 0-4 MiB, user RW), PT1 0x3000
; (linear 0x400000), PT2 0x4000 (linear 0x800000, PDE without U); test
; pages at physical 0x10000-0x1FFFF.

%include "tests/guest/paging.inc"

%define PD  0x1000
%define PT0 0x2000
%define PT1 0x3000
%define PT2 0x4000
%define PTE1(i) (PT1 + 4 * (i))

test_main:
        mov edi, PD
        mov ecx, 4 * 1024
        xor eax, eax
        rep stosd
        mov dword [PD], PT0 | PG_P | PG_W | PG_U
        mov dword [PD + 4], PT1 | PG_P | PG_W | PG_U
        mov dword [PD + 8], PT2 | PG_P | PG_W          ; supervisor PDE
        xor ecx, ecx
.id:    mov eax, ecx
        shl eax, 12
        or eax, PG_P | PG_W | PG_U
        mov [PT0 + ecx * 4], eax
        inc ecx
        cmp ecx, 1024
        jb .id
        mov dword [PTE1(0)], 0x10000 | PG_P | PG_W     ; supervisor
        mov dword [PTE1(1)], 0x11000 | PG_P | PG_U     ; user read-only
        mov dword [PTE1(3)], 0x13000 | PG_P | PG_W | PG_U  ; user RW
        mov dword [PTE1(4)], 0x14000 | PG_P | PG_W     ; supervisor code
        mov dword [PT2], 0x15000 | PG_P | PG_W | PG_U  ; user PTE under a supervisor PDE
        mov dword [0x10000], 0x51515151
        mov dword [0x11000], 0x11111111
        mov byte [0x14000], 0xC3
        ; TSS: ESP0/SS0 for exceptions from ring 3
        mov dword [0x704], 0x90000
        mov dword [0x708], 0x10
        mov ax, 0x28
        ltr ax
        ; INT 0x30: DPL 3 interrupt gate back to ring 0
        mov eax, LIN(back_to_ring0)
        mov word [IDT_BASE + 0x30 * 8], ax
        mov word [IDT_BASE + 0x30 * 8 + 2], 0x08
        mov word [IDT_BASE + 0x30 * 8 + 4], 0xEE00
        shr eax, 16
        mov word [IDT_BASE + 0x30 * 8 + 6], ax
        lidt [LIN(idt_desc48)]
        mov eax, PD
        call paging_on
        EXPECT32 dword [0x400000], 0x51515151          ; ring 0 caches the page
        mov dword [0x401010], 0x0101                   ; WP=0: ring 0 writes a RO page
        EXPECT32 dword [0x11010], 0x0101

        mov ax, 0x23                                   ; DPL 3 data: kept by the IRET
        mov ds, ax
        mov es, ax
        push dword 0x23                                ; SS
        push dword 0x80000                             ; ESP
        push dword 0x0002                              ; EFLAGS
        push dword 0x1B                                ; CS
        push dword LIN(user_code)
        iret

user_code:
        mov eax, cs
        EXPECT32 eax, 0x1B
        TRY mov eax, [0x403000]
        EXPECT_NOFAULT
        TRY mov dword [0x403004], 0x33
        EXPECT_NOFAULT
        TRY mov eax, [0x401000]
        EXPECT_NOFAULT
        EXPECT32 eax, 0x11111111
        TRY mov eax, [0x400000]                        ; supervisor page
        EXPECT_PF 0x5, 0x400000
        TRY mov dword [0x400004], 1
        EXPECT_PF 0x7, 0x400004
        TRY mov dword [0x401008], 1                    ; read-only user page
        EXPECT_PF 0x7, 0x401008
        TRY mov eax, [0x402000]                        ; not present
        EXPECT_PF 0x4, 0x402000
        TRY mov dword [0x402000], 1
        EXPECT_PF 0x6, 0x402000
        TRY mov eax, [0x800000]                        ; PDE U=0, PTE U=1
        EXPECT_PF 0x5, 0x800000
        mov eax, 0x404000
        TRY call eax                                   ; fetch from a supervisor page
        EXPECT_PF 0x5, 0x404000
        mov esp, 0x80000
        int 0x30

back_to_ring0:
        mov esp, 0x90000
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov eax, cs
        EXPECT32 eax, 0x08
        EXPECT32 dword [0x13004], 0x33
        mov eax, [PTE1(0)]
        and eax, PG_D
        EXPECT32 eax, 0                                ; faulting user writes: no D
        mov eax, cr0                                   ; WP=1: ring 0 write to RO faults
        or eax, 0x10000
        mov cr0, eax
        TRY mov dword [0x401010], 2
        EXPECT_PF 0x3, 0x401010
        mov esi, LIN(msg_user)
        call report32
        jmp finish

msg_title:   db "tx86 guest test: paging_user", 10, 0
msg_user:    db "ring 3: U/S and R/W rules, error codes", 0

idt_desc48:
        dw 0x31 * 8 - 1
        dd IDT_BASE

        ROM_END
