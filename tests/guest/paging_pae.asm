; paging_pae.asm - guest test: PAE paging and NX in ring 0 (SDM vol. 3A 4.4).
; EXPECT-STATUS: 1
;
; 64-bit entries with 4 KiB and 2 MiB pages and their A/D bits, reserved
; bits (RSVD in the error code: address bits above MAXPHYADDR 36, 2 MiB
; PDE bits 20:13, bit 63 while EFER.NXE=0), NX with EFER.NXE=1 (a fetch
; from an NX page faults with I/D, reads do not; a not-present fetch
; sets I/D too), and the PDPTE checks of MOV CR3 (reserved bit: #GP(0),
; CR3 unchanged).
;
; Checked against qemu-system-i386 7.2 -cpu qemu32,+nx; the sections
; where it differs from the SDM:
;  - reserved bits: QEMU ignores bit 13 of a 2 MiB PDE (SDM 4.4.2, table
;    4-9: bits 20:13 reserved) and reports reserved-bit faults as 0x08
;    where SDM 4.7 gives P|RSVD (0x09, 0x0B for a write).
;  - PDPTE checks: QEMU neither raises #GP(0) on a MOV CR3 whose PDPTEs
;    have reserved bits nor keeps the PDPTEs as registers (SDM 4.4.1: they
;    are loaded by MOV CR3 and used until the next load); it re-reads them
;    at each walk, so the test loops there under QEMU.
;
; Tables: PDPT 0x1000 (entry 0 only), PD 0x2000, PT0 0x3000 (identity
; 0-2 MiB), PT1 0x4000 (linear 0x400000-0x5FFFFF, per test), a bad PDPT
; at 0x5000; test pages at physical 0x10000-0x1FFFF.

%include "tests/guest/paging.inc"

%define PDPT 0x1000
%define PD   0x2000
%define PT0  0x3000
%define PT1  0x4000
%define PTE1(i) (PT1 + 8 * (i))
%define PDE(i)  (PD + 8 * (i))

test_main:
        mov edi, PDPT
        mov ecx, 5 * 1024
        xor eax, eax
        rep stosd
        mov dword [PDPT], PD | PG_P
        mov dword [PDE(0)], PT0 | PG_P | PG_W
        mov dword [PDE(1)], 0x200000 | PG_P | PG_W | PG_PS     ; 2 MiB identity
        mov dword [PDE(2)], PT1 | PG_P | PG_W
        xor ecx, ecx
.id:    mov eax, ecx
        shl eax, 12
        or eax, PG_P | PG_W
        mov [PT0 + ecx * 8], eax
        inc ecx
        cmp ecx, 512
        jb .id
        mov dword [0x10000], 0xAAAA0000
        mov dword [0x11000], 0xBBBB1111
        mov eax, cr4
        or eax, 0x20                                   ; CR4.PAE
        mov cr4, eax
        mov eax, PDPT
        call paging_on

        ; ------------------------------------------------ 4 KiB and 2 MiB pages
        mov dword [PTE1(0)], 0x10000 | PG_P | PG_W
        EXPECT32 dword [0x400000], 0xAAAA0000
        mov dword [0x400004], 0x1234
        EXPECT32 dword [0x10004], 0x1234
        mov eax, [PTE1(0)]
        and eax, PG_A | PG_D
        EXPECT32 eax, PG_A | PG_D
        EXPECT32 dword [PTE1(0) + 4], 0                ; high dword untouched
        mov eax, [PDE(2)]
        and eax, PG_A | PG_D
        EXPECT32 eax, PG_A
        mov dword [0x200010], 0x22222222               ; through the 2 MiB page
        mov dword [PDE(3)], 0x200000 | PG_P | PG_PS    ; 0x600000 -> 0x200000, read-only
        EXPECT32 dword [0x600010], 0x22222222
        mov eax, [PDE(3)]
        and eax, PG_A | PG_D
        EXPECT32 eax, PG_A
        mov eax, [PDE(1)]
        and eax, PG_A | PG_D
        EXPECT32 eax, PG_A | PG_D
        mov eax, cr0
        or eax, 0x10000                                ; WP
        mov cr0, eax
        TRY mov dword [0x600020], 1
        EXPECT_PF 0x3, 0x600020
        mov eax, cr0
        and eax, ~0x10000
        mov cr0, eax
        TRY mov eax, [0x800000]                        ; PDPTE 0 covers it, PDE 4 P=0
        EXPECT_PF 0x0, 0x800000
        TRY mov eax, [0x40000000]                      ; PDPTE 1 not present
        EXPECT_PF 0x0, 0x40000000
        mov esi, LIN(msg_pages)
        call report32

        ; ------------------------------------------------ reserved bits
        mov dword [PTE1(1)], 0x11000 | PG_P | PG_W
        mov dword [PTE1(1) + 4], 0x100                 ; bit 40: above MAXPHYADDR
        TRY mov eax, [0x401000]
        EXPECT_PF 0x9, 0x401000
        TRY mov dword [0x401000], 1
        EXPECT_PF 0xB, 0x401000
        EXPECT32 dword [PTE1(1)], 0x11000 | PG_P | PG_W    ; no A on a fault
        mov dword [PTE1(1) + 4], 0x80000000            ; bit 63 with NXE=0
        TRY mov eax, [0x401000]
        EXPECT_PF 0x9, 0x401000
        mov dword [PTE1(1) + 4], 0x0000000F            ; bits 35:32: a valid address
        TRY mov eax, [0x401000]                        ; (no memory there: all ones)
        EXPECT_NOFAULT
        EXPECT32 eax, 0xFFFFFFFF
        mov dword [PTE1(1) + 4], 0
        invlpg [0x401000]
        mov dword [PDE(4)], 0x200000 | PG_P | PG_PS | (1 << 13)  ; 2 MiB, bit 13
        TRY mov eax, [0x800000]
        EXPECT_PF 0x9, 0x800000
        mov esi, LIN(msg_rsvd)
        call report32

        ; ------------------------------------------------ NX
        mov ecx, 0xC0000080                            ; IA32_EFER
        rdmsr
        or eax, 0x800                                  ; NXE
        wrmsr
        mov byte [0x12000], 0xC3                       ; RET
        mov byte [0x13000], 0xC3
        mov dword [PTE1(2)], 0x12000 | PG_P | PG_W     ; executable
        mov dword [PTE1(3)], 0x13000 | PG_P | PG_W
        mov dword [PTE1(3) + 4], 0x80000000            ; NX
        mov eax, 0x402000
        TRY call eax
        EXPECT_NOFAULT
        EXPECT32 dword [0x403000], 0xC3                ; NX: reads are fine
        mov eax, 0x403000
        TRY call eax
        EXPECT_PF 0x11, 0x403000                       ; P | I/D
        EXPECT32 dword [PF_EIP], 0x403000
        mov esp, 0x90000
        mov eax, 0x404000                              ; not present, fetch
        TRY call eax
        EXPECT_PF 0x10, 0x404000
        mov esp, 0x90000
        mov dword [PTE1(3) + 4], 0                     ; NX off for this page
        invlpg [0x403000]
        mov eax, 0x403000
        TRY call eax
        EXPECT_NOFAULT
        mov dword [PDE(2) + 4], 0x80000000             ; NX in the PDE covers the PTEs
        invlpg [0x402000]
        mov eax, 0x402000
        TRY call eax
        EXPECT_PF 0x11, 0x402000
        mov esp, 0x90000
        mov dword [PDE(2) + 4], 0
        invlpg [0x402000]
        mov ecx, 0xC0000080
        rdmsr
        and eax, ~0x800
        wrmsr
        mov esi, LIN(msg_nx)
        call report32

        ; ------------------------------------------------ PDPTE load checks
        mov dword [0x5000], PD | PG_P | PG_W           ; bit 1 is reserved in a PDPTE
        mov eax, 0x5000
        TRY mov cr3, eax
        EXPECT32 dword [GP_COUNT], 1
        EXPECT32 dword [GP_ERR], 0
        mov eax, cr3
        EXPECT32 eax, PDPT
        mov dword [0x5000], PD | PG_P                  ; valid copy
        mov dword [0x5008], 0x4000 | PG_P
        mov dword [0x500C], 0x10                       ; bit 36: reserved
        mov eax, 0x5000
        TRY mov cr3, eax
        EXPECT32 dword [GP_COUNT], 1
        mov dword [0x500C], 0
        mov dword [0x5008], 0x4000 | 0x1E6             ; not present: nothing checked
        mov eax, 0x5000
        TRY mov cr3, eax
        EXPECT_NOFAULT
        mov eax, cr3
        EXPECT32 eax, 0x5000
        mov dword [0x5008], PD | PG_P                  ; PDPTE 1 -> the same PD
        mov eax, 0x5000
        mov cr3, eax
        EXPECT32 dword [0x40400000], 0xAAAA0000
        mov dword [0x5008], 0                          ; PDPTEs are loaded by MOV CR3:
        EXPECT32 dword [0x40401000], 0xBBBB1111        ; a memory change needs a reload
        mov eax, 0x5000
        mov cr3, eax
        TRY mov eax, [0x40401000]
        EXPECT_PF 0x0, 0x40401000
        mov esi, LIN(msg_pdpte)
        call report32

        jmp finish

msg_title:   db "tx86 guest test: paging_pae", 10, 0
msg_pages:   db "PAE 4 KiB and 2 MiB pages, A/D bits", 0
msg_rsvd:    db "PAE reserved bits (RSVD)", 0
msg_nx:      db "NX with EFER.NXE, I/D error bit", 0
msg_pdpte:   db "PDPTE checks on MOV CR3", 0

        ROM_END
