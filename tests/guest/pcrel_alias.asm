; pcrel_alias.asm - guest test: one physical code page run at two linear
; addresses, as a shared library is in two processes that ASLR maps apart.
; EXPECT-STATUS: 1
;
; Blocks of flat 32-bit code are position-independent in tx86: one
; translation serves every linear address its physical code is mapped at
; (translate.c, "Position-independent blocks"; docs/translator.md).  So
; every eip value such a block produces must come from the address it
; runs at, never from the one it was first translated for.  The page at
; physical 0x20000 is mapped at A = 0x400000 and C = 0x404000; the calls
; alternate between the two so that each block is found again, chained and
; reached through the jump cache from the other address:
;  - CALL pushes the return address of the running copy (read back with
;    mov eax, [esp]);
;  - a loop of conditional jumps (chained in the page) and a near call
;    inside the page return through the running copy;
;  - a #PF in the page reports the faulting eip of the running copy;
;  - an instruction that straddles into the next page, which A and C map
;    to different physical pages (0x21000, 0x22000): each copy must run
;    the bytes of its own second page (same first page, other second page:
;    not the same block);
;  - a REP MOVSB (a helper given the next eip) and an INT3-free software
;    path: LOOP with ECX, and JECXZ.
; QEMU 7.2 agrees on every line.

%include "tests/guest/paging.inc"

%define PD  0x1000
%define PT0 0x2000
%define PT1 0x3000
%define PTE1(i) (PT1 + 4 * (i))
%define A   0x400000
%define C   0x404000
%define CODE 0x20000

; offsets of the entry points in the copied page
%define RETADDR  (snip_retaddr - snip)
%define LOOPCALL (snip_loopcall - snip)
%define FAULT    (snip_fault - snip)
%define STRADDLE 0xFFC
%define STRING   (snip_string - snip)

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
        ; the code page: the snippet at 0, the straddling MOV at 0xFFC
        mov esi, LIN(snip)
        mov edi, CODE
        mov ecx, snip_end - snip
        rep movsb
        mov byte [CODE + STRADDLE], 0xB8               ; mov eax, 0x??332211
        mov word [CODE + STRADDLE + 1], 0x2211
        mov byte [CODE + STRADDLE + 3], 0x33
        mov word [0x21000], 0xC311                     ; A's second page: 0x11, ret
        mov word [0x22000], 0xC322                     ; C's second page: 0x22, ret
        mov dword [PTE1(0)], CODE | PG_P | PG_W        ; A
        mov dword [PTE1(1)], 0x21000 | PG_P | PG_W     ; A + 4 KiB
        mov dword [PTE1(4)], CODE | PG_P | PG_W        ; C
        mov dword [PTE1(5)], 0x22000 | PG_P | PG_W     ; C + 4 KiB
        mov eax, PD
        call paging_on

        ; ------------------------------------------------ return addresses
        mov edx, 20
.ra:    mov ebx, A + RETADDR
        call ebx
        EXPECT32 eax, A + RETADDR + 5
        mov ebx, C + RETADDR
        call ebx
        EXPECT32 eax, C + RETADDR + 5
        mov ebx, A + LOOPCALL
        call ebx
        EXPECT32 eax, A + snip_loopret - snip
        mov ebx, C + LOOPCALL
        call ebx
        EXPECT32 eax, C + snip_loopret - snip
        dec edx
        jnz .ra
        mov esi, LIN(msg_ret)
        call report32

        ; ------------------------------------------------ fault eip
        mov edx, 5
.pf:    mov ebx, A + FAULT
        TRY call ebx
        EXPECT_PF 0x0, 0x800000
        EXPECT32 dword [PF_EIP], A + FAULT
        mov esp, 0x90000
        mov ebx, C + FAULT
        TRY call ebx
        EXPECT_PF 0x0, 0x800000
        EXPECT32 dword [PF_EIP], C + FAULT
        mov esp, 0x90000
        dec edx
        jnz .pf
        mov esi, LIN(msg_fault)
        call report32

        ; ------------------------------------------------ second page
        mov edx, 10
.st:    mov ebx, A + STRADDLE
        call ebx
        EXPECT32 eax, 0x11332211
        mov ebx, C + STRADDLE
        call ebx
        EXPECT32 eax, 0x22332211
        dec edx
        jnz .st
        mov esi, LIN(msg_page2)
        call report32

        ; ------------------------------------------------ helpers, LOOP, JECXZ
        mov edx, 10
.hs:    mov ebx, A + STRING
        call ebx
        EXPECT32 eax, A + snip_string_ret - snip
        EXPECT32 ecx, 0
        mov ebx, C + STRING
        call ebx
        EXPECT32 eax, C + snip_string_ret - snip
        EXPECT32 ecx, 0
        dec edx
        jnz .hs
        mov esi, LIN(msg_helpers)
        call report32

        jmp finish

; position-independent code copied to the page at CODE
snip:
snip_retaddr:                           ; eax = this copy's address + 5
        call .get
        ret
.get:   mov eax, [esp]
        ret
snip_loopcall:                          ; a chained loop, then a near call
        mov ecx, 5
.l:     dec ecx
        jnz .l
        call snip_get2
snip_loopret:
        ret
snip_get2:
        mov eax, [esp]
        ret
snip_fault:                             ; the load faults (0x800000 unmapped)
        mov eax, [0x800000]
        ret
snip_string:                            ; REP MOVSB (a helper with the next
        push esi                        ; eip), LOOP and JECXZ, then the
        push edi                        ; return address of a call
        mov esi, 0x30000
        mov edi, 0x30100
        mov ecx, 16
        rep movsb
        mov ecx, 4
.lp:    loop .lp
        jecxz .z
        mov ecx, 99
.z:     pop edi
        pop esi
        call snip_get3
snip_string_ret:
        ret
snip_get3:
        mov eax, [esp]
        ret
snip_end:

msg_title:   db "tx86 guest test: pcrel_alias", 10, 0
msg_ret:     db "return addresses of the running copy", 0
msg_fault:   db "fault eip of the running copy", 0
msg_page2:   db "a straddling instruction reads its own second page", 0
msg_helpers: db "helpers, LOOP and JECXZ in both copies", 0

        ROM_END
