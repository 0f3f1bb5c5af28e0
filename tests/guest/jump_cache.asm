; jump_cache.asm - guest test: indirect branches through the jump cache.
; EXPECT-STATUS: 1
;
; Near indirect branches (CALL r32, RET, JMP r32) and jumps to another page
; may go from one translated block to the next through the translator's
; jump cache, keyed by linear pc (docs/translator.md, "The jump cache").
; Each section warms the cache by running the same indirect call many
; times, then changes what the target address means, and the next call
; must run the new code:
;  - a self-IPI raised by an MMIO store while IF=1, then a loop of
;    indirect jumps: the interrupt is taken within one loop turn (the
;    cache never starves a pending interrupt);
;  - the target's code rewritten (SMC) between calls;
;  - CR3 loaded with a directory that maps the same linear page to other
;    code, and back;
;  - a PTE edited and the page flushed with INVLPG;
;  - a block that crosses into a second page, which alone is remapped
;    and flushed (INVLPG of the second page only);
;  - a 4 MiB page remapped and flushed with INVLPG of another address
;    inside it (SDM vol. 3A 4.10.4.1: the whole big page's entry goes);
;  - an instruction breakpoint (DR0) on a cached target, and single-step
;    (TF) through an indirect call and return: every #DB still comes.
; QEMU 7.2 agrees on every line but the 4 MiB page (its jump cache only
; drops the flushed page and the one before it: it runs the old code).

%include "tests/guest/paging.inc"

%define PD1 0x1000
%define PT0 0x2000
%define PT1 0x3000
%define PD2 0x4000
%define PT2 0x5000
%define A   0x400000            ; linear code page (PT1 / PT2 index 0)
%define P1  0x20000             ; physical code pages
%define P2  0x21000
%define P3  0x22000
%define P4  0x23000
%define P5  0x24000
%define APIC 0xFEE00000
%define IRQ_AT  0x700           ; ECX when the self-IPI's handler ran
%define DB_COUNT 0x704
%define DB_DR6  0x708
%define BIG     0x800000        ; a 4 MiB page (PDE 2)

%macro GATE 2                   ; vector, handler
        mov eax, %2
        mov word [IDT_BASE + %1 * 8], ax
        mov word [IDT_BASE + %1 * 8 + 2], 0x08
        mov word [IDT_BASE + %1 * 8 + 4], 0x8E00
        shr eax, 16
        mov word [IDT_BASE + %1 * 8 + 6], ax
%endmacro

; code at physical address %1: mov eax, %2 ; ret
%macro RET_CODE 2
        mov byte [%1], 0xB8
        mov dword [%1 + 1], %2
        mov byte [%1 + 5], 0xC3
%endmacro

; call [ebx] %1 times, EAX must be %2 after each
%macro CALLS 2
        mov ecx, %1
%%l:    mov eax, -1
        call ebx
        EXPECT32 eax, %2
        dec ecx
        jnz %%l
%endmacro

test_main:
        lidt [LIN(idt_big)]
        GATE 1, LIN(db_handler)
        GATE 0x41, LIN(isr_41)

        ; ------------------------------------------- interrupt pending
        mov dword [APIC + 0xF0], 0x1FF          ; APIC on, spurious 0xFF
        mov dword [APIC + 0x350], 0x10700       ; LINT0 masked
        mov dword [IRQ_AT], -1
        mov ebx, LIN(spin)
        mov esi, 5
.warm:  mov ecx, 1000000 - 3                    ; warm the cache: 3 turns of spin
        mov edx, LIN(.warm2)
        jmp ebx
.warm2: dec esi
        jnz .warm
        xor ecx, ecx
        mov edx, LIN(.spun)
        sti
        nop
        mov dword [APIC + 0x300], 0x40041       ; self-IPI, vector 0x41
        jmp ebx
.spun:  cli
        EXPECT32 dword [IRQ_AT], 0              ; at the first indirect jump
        mov esi, LIN(msg_irq)
        call report32

        ; ------------------------------------------- page tables
        mov edi, PD1
        mov ecx, 5 * 1024
        xor eax, eax
        rep stosd
        xor ecx, ecx
.id:    mov eax, ecx
        shl eax, 12
        or eax, PG_P | PG_W
        mov [PT0 + ecx * 4], eax
        inc ecx
        cmp ecx, 1024
        jb .id
        mov dword [PD1], PT0 | PG_P | PG_W
        mov dword [PD1 + 4], PT1 | PG_P | PG_W
        mov dword [PD2], PT0 | PG_P | PG_W
        mov dword [PD2 + 4], PT2 | PG_P | PG_W
        mov dword [PT1], P1 | PG_P | PG_W
        mov dword [PT2], P2 | PG_P | PG_W
        RET_CODE P1, 1
        RET_CODE P2, 2
        RET_CODE P3, 3
        mov eax, PD1
        call paging_on
        mov ebx, A

        ; ------------------------------------------- SMC
        CALLS 20, 1
        mov dword [P1 + 1], 11                  ; the cached target's code
        CALLS 20, 11
        mov dword [P1 + 1], 1
        CALLS 1, 1
        mov esi, LIN(msg_smc)
        call report32

        ; ------------------------------------------- CR3
        mov eax, PD2                            ; A -> P2
        mov cr3, eax
        CALLS 20, 2
        mov eax, PD1                            ; A -> P1
        mov cr3, eax
        CALLS 20, 1
        mov esi, LIN(msg_cr3)
        call report32

        ; ------------------------------------------- PTE + INVLPG
        mov dword [PT1], P3 | PG_P | PG_W
        invlpg [A]
        CALLS 20, 3
        mov dword [PT1], P1 | PG_P | PG_W
        invlpg [A]
        CALLS 20, 1
        mov esi, LIN(msg_invlpg)
        call report32

        ; ------------------------------------------- a block on two pages
        ; A+0xFFC: B8 44 33 22 | 11 C3: mov eax, 0x11223344 ; ret, whose
        ; last immediate byte and the ret are on the page A+0x1000 (PT1[1])
        mov dword [P1 + 0xFFC], 0x223344B8
        mov word [P4], 0xC311
        mov word [P5], 0xC355
        mov dword [PT1 + 4], P4 | PG_P | PG_W
        invlpg [A + 0x1000]
        mov ebx, A + 0xFFC
        CALLS 20, 0x11223344
        mov dword [PT1 + 4], P5 | PG_P | PG_W   ; the second page only
        invlpg [A + 0x1000]
        CALLS 20, 0x55223344
        mov esi, LIN(msg_cross)
        call report32

        ; ------------------------------------------- a 4 MiB page
        mov eax, cr4
        or eax, 0x10                            ; PSE
        mov cr4, eax
        mov dword [PD1 + 8], 0x400000 | PG_P | PG_W | PG_PS     ; BIG -> 4 MiB
        mov dword [PD1 + 12], 0xC00000 | PG_P | PG_W | PG_PS    ; BIG+4M -> 12 MiB
        RET_CODE BIG + 0x3000, 6
        RET_CODE BIG + 0x400000 + 0x3000, 7
        mov ebx, BIG + 0x3000
        CALLS 20, 6
        mov dword [PD1 + 8], 0xC00000 | PG_P | PG_W | PG_PS     ; BIG -> 12 MiB
        invlpg [BIG]                            ; not the page of the code
        CALLS 20, 7
        mov esi, LIN(msg_big)
        call report32

        ; ------------------------------------------- #DB
        mov ebx, A
        CALLS 20, 1
        mov dword [DB_COUNT], 0
        mov eax, A
        mov dr0, eax
        mov eax, 0x1                            ; L0, execute, 1 byte
        mov dr7, eax
        CALLS 3, 1
        EXPECT32 dword [DB_COUNT], 3            ; one per call, at A
        xor eax, eax
        mov dr7, eax
        CALLS 3, 1
        EXPECT32 dword [DB_COUNT], 3
        mov dword [DB_COUNT], 0
        pushfd
        or dword [esp], 0x100                   ; TF
        popfd
        call ebx                                ; #DB after: call, mov, ret,
        pushfd                                  ; pushfd, and, popfd
        and dword [esp], ~0x100
        popfd
        EXPECT32 dword [DB_COUNT], 6
        EXPECT32 eax, 1
        mov esi, LIN(msg_db)
        call report32

        jmp finish

; the loop of the interrupt test: ECX counts indirect jumps back here
spin:   cmp ecx, 1000000
        jae .out
        inc ecx
        cmp dword [IRQ_AT], -1
        jne .out
        jmp ebx
.out:   jmp edx

isr_41: mov [IRQ_AT], ecx
        mov dword [APIC + 0xB0], 0              ; EOI
        iret

; #DB: count it; a breakpoint fault resumes with RF set
db_handler:
        push eax
        inc dword [DB_COUNT]
        mov eax, dr6
        mov [DB_DR6], eax
        test eax, 0xF                           ; B0-B3: a fault, set RF
        jz .trap
        or dword [esp + 12], 0x10000
.trap:  xor eax, eax
        mov dr6, eax
        pop eax
        iret

idt_big:
        dw 0x42 * 8 - 1
        dd IDT_BASE

msg_title:   db "tx86 guest test: jump_cache", 10, 0
msg_irq:     db "self-IPI during a loop of indirect jumps", 0
msg_smc:     db "cached target rewritten", 0
msg_cr3:     db "cached target remapped by a CR3 load", 0
msg_invlpg:  db "cached target remapped by a PTE and INVLPG", 0
msg_cross:   db "cached block's second page remapped", 0
msg_big:     db "cached target in a remapped 4 MiB page", 0
msg_db:      db "breakpoint and single-step on cached targets", 0

        ROM_END
