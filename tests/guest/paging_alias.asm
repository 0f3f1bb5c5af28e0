; paging_alias.asm - guest test: translated code and paging aliases.
; EXPECT-STATUS: 1
;
; One physical page (0x20000) is mapped at two linear addresses: code runs
; at A = 0x400000 and is rewritten through B = 0x401000.  Translated blocks
; are keyed by physical address and writes to code pages are detected by
; physical address (SDM vol. 3A 8.1.3 / 11.6: the check is on the physical
; address on P6 and later), so every write through B must be seen by the
; next execution at A: between calls, 100 times in a loop, and inside the
; running block (a store through B to the immediate of the next
; instruction).  Then A is remapped to another page (0x21000) with INVLPG
; and back with a CR3 load: each call must run the code of the current
; mapping, never a block found through a stale linear->physical mapping.
; QEMU 7.2 agrees on every line.

%include "tests/guest/paging.inc"

%define PD  0x1000
%define PT0 0x2000
%define PT1 0x3000
%define PTE1(i) (PT1 + 4 * (i))
%define A   0x400000
%define B   0x401000

test_main:
        mov edi, PD
        mov ecx, 3 * 1024
        xor eax, eax
        rep stosd
        mov dword [PD], PT0 | PG_P | PG_W
        mov dword [PD + 4], PT1 | PG_P | PG_W
        xor ecx, ecx
.id:    mov eax, ecx
        shl eax, 12
        or eax, PG_P | PG_W
        mov [PT0 + ecx * 4], eax
        inc ecx
        cmp ecx, 1024
        jb .id
        mov dword [PTE1(0)], 0x20000 | PG_P | PG_W     ; A
        mov dword [PTE1(1)], 0x20000 | PG_P | PG_W     ; B, the alias
        mov eax, PD
        call paging_on

        ; ------------------------------------------------ between calls
        mov byte [B], 0xB8                             ; mov eax, imm32
        mov dword [B + 1], 1
        mov byte [B + 5], 0xC3                         ; ret
        mov ebx, A
        call ebx
        EXPECT32 eax, 1
        call ebx
        EXPECT32 eax, 1
        mov dword [B + 1], 2
        call ebx
        EXPECT32 eax, 2
        xor esi, esi                                   ; sum of 1..100
        mov ecx, 1
.loop:  mov [B + 1], ecx
        call ebx
        add esi, eax
        inc ecx
        cmp ecx, 100
        jbe .loop
        EXPECT32 esi, 5050
        mov esi, LIN(msg_between)
        call report32

        ; ------------------------------------------------ inside the block
        ; A+0x100: mov byte [B+0x108], 7 ; mov eax, 0 ; ret
        mov word [B + 0x100], 0x05C6
        mov dword [B + 0x102], B + 0x108
        mov byte [B + 0x106], 7
        mov byte [B + 0x107], 0xB8
        mov dword [B + 0x108], 0
        mov byte [B + 0x10C], 0xC3
        mov ebx, A + 0x100
        call ebx
        EXPECT32 eax, 7
        mov dword [B + 0x108], 0
        call ebx
        EXPECT32 eax, 7
        mov byte [B + 0x106], 9
        call ebx
        EXPECT32 eax, 9
        mov esi, LIN(msg_inside)
        call report32

        ; ------------------------------------------------ remapping
        mov byte [0x21000], 0xB8                       ; other page: mov eax, 3 ; ret
        mov dword [0x21001], 3
        mov byte [0x21005], 0xC3
        mov dword [B + 1], 2
        mov ebx, A
        call ebx
        EXPECT32 eax, 2
        mov dword [PTE1(0)], 0x21000 | PG_P | PG_W     ; A -> the other page
        invlpg [A]
        call ebx
        EXPECT32 eax, 3
        call ebx
        EXPECT32 eax, 3
        mov dword [PTE1(0)], 0x20000 | PG_P | PG_W     ; back, by a CR3 load
        mov eax, cr3
        mov cr3, eax
        call ebx
        EXPECT32 eax, 2
        mov dword [PTE1(0)], 0                         ; unmapped: the fetch faults
        invlpg [A]
        TRY call ebx
        EXPECT_PF 0x0, A
        mov esp, 0x90000
        mov esi, LIN(msg_remap)
        call report32

        jmp finish

msg_title:   db "tx86 guest test: paging_alias", 10, 0
msg_between: db "code written through an alias, between calls", 0
msg_inside:  db "code written through an alias, same block", 0
msg_remap:   db "remapped code page (INVLPG, CR3)", 0

        ROM_END
