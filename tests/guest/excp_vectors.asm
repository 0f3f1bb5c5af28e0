; excp_vectors.asm - every exception vector that ring 0 can raise, with its
; error code (pushed or not), the EIP it pushes (faults: the instruction;
; traps: the next one), RF in the pushed EFLAGS and the EXT bit.
; EXPECT-STATUS: 1
;
; SDM vol. 3: 6.3 (vector table), 6.5 (faults/traps), 6.13 (error code, EXT:
; set for an earlier exception, clear for INT n/INT3/INTO), 6.15 (each
; vector), 17.3.1.1 (RF: fault-class exceptions push RF=1, traps the current
; RF), BOUND/INTO/INT1/INT3 in vol. 2.
; Oracle: qemu-system-i386 7.2 agrees except where noted in the output
; comparison below; where it differs the SDM decides:
;   - INT1 (F1, vol. 2 "INTn/INTO/INT3/INT1"): QEMU raises #UD, the SDM a
;     #DB trap that leaves DR6 alone;
;   - RF (17.3.1.1): QEMU does not set RF in the EFLAGS image of a fault;
;   - EXT (6.13): QEMU pushes #NP(0x32) for a not-present #UD gate, the SDM
;     sets EXT for a fault during the delivery of an exception: 0x33.
; Under QEMU the sections "INT1", "rf" and "error code" print FAIL.
%include "tests/guest/excp_lib.inc"

        bits 32
test_main:
; ------------------------------------------------------------ #DE fault
        ARM LIN(.de_r)
        xor edx, edx
        xor ebx, ebx
        mov eax, 1
.de:    div ebx
.de_r:  CHECK dword [R_VEC], 0
        CHECK dword [R_ERR], NOERR
        CHECK dword [R_EIP], LIN(.de)
        REPORT "#DE fault, no error code"

; ------------------------------------------------------------ INT1 (F1)
        mov eax, 0xFFFF0FF0
        mov dr6, eax
        ARM LIN(.i1)                            ; (QEMU: #UD here)
        db 0xF1
.i1:    CHECK dword [R_VEC], 1
        CHECK dword [R_EIP], LIN(.i1)
        CHECK dword [R_DR6], 0xFFFF0FF0         ; INT1 leaves DR6 alone
        CHECK dword [R_ERR], NOERR
        REPORT "INT1 #DB trap, DR6 unchanged"

; ------------------------------------------------------------ INT3 (CC, CD 03)
        ARM 0
        int3
.b1:    CHECK dword [R_VEC], 3
        CHECK dword [R_EIP], LIN(.b1)
        mov ebx, [R_FL]
        and ebx, 0x10000
        CHECK ebx, 0                            ; a trap pushes RF=0
        ARM 0
        db 0xCD, 0x03
.b2:    CHECK dword [R_VEC], 3
        CHECK dword [R_EIP], LIN(.b2)
        REPORT "INT3 #BP trap (CC and CD 03)"

; ------------------------------------------------------------ INTO
        ARM 0
        mov al, 0x7F
        add al, 1                               ; OF=1
        into
.o1:    CHECK dword [R_VEC], 4
        CHECK dword [R_EIP], LIN(.o1)
        ARM 0
        mov al, 1
        add al, 1                               ; OF=0: no exception
        into
        CHECK dword [R_HITS], 0
        REPORT "INTO #OF trap"

; ------------------------------------------------------------ BOUND
        ARM LIN(.br1_r)
        mov eax, 11
.br1:   bound eax, [LIN(bounds32)]              ; 10..20: above? no, in range
        CHECK dword [R_HITS], 0
        mov eax, 21
.br2:   bound eax, [LIN(bounds32)]
.br1_r: CHECK dword [R_VEC], 5
        CHECK dword [R_EIP], LIN(.br2)
        CHECK dword [R_ERR], NOERR
        ARM LIN(.br3_r)
        mov eax, -5                             ; signed: below 10
.br3:   bound eax, [LIN(bounds32)]
.br3_r: CHECK dword [R_VEC], 5
        CHECK dword [R_EIP], LIN(.br3)
        ARM LIN(.br4_r)
        mov ax, -3                              ; 16-bit: -4..-2 signed
        bound ax, [LIN(bounds16)]
        CHECK dword [R_HITS], 0
        mov ax, -1
.br4:   bound ax, [LIN(bounds16)]
.br4_r: CHECK dword [R_VEC], 5
        CHECK dword [R_EIP], LIN(.br4)
        ARM LIN(.br5_r)
.br5:   db 0x62, 0xC0                           ; register form: #UD
.br5_r: CHECK dword [R_VEC], 6
        CHECK dword [R_EIP], LIN(.br5)
        REPORT "BOUND #BR fault, 16/32-bit, register form #UD"

; ------------------------------------------------------------ #UD
        ARM LIN(.ud_r)
.ud:    ud2
.ud_r:  CHECK dword [R_VEC], 6
        CHECK dword [R_EIP], LIN(.ud)
        CHECK dword [R_ERR], NOERR
        REPORT "#UD fault"

; ------------------------------------------------------------ #NM
        mov eax, cr0
        or eax, 0x0A                            ; MP, TS
        mov cr0, eax
        ARM LIN(.nm_r)
.nm:    fwait
.nm_r:  clts
        CHECK dword [R_VEC], 7
        CHECK dword [R_EIP], LIN(.nm)
        CHECK dword [R_ERR], NOERR
        REPORT "#NM fault (WAIT with MP and TS)"

; ------------------------------------------------------------ #TS
        ltr word [LIN(sel_tss)]
        mov word [TSS_BASE], 0x10               ; back link: a data segment
        pushfd
        or dword [esp], 0x4000                  ; NT
        popfd
        ARM LIN(.ts_r)
.ts:    iretd
.ts_r:  pushfd
        and dword [esp], ~0x4000
        popfd
        CHECK dword [R_VEC], 10
        CHECK dword [R_ERR], 0x10
        CHECK dword [R_EIP], LIN(.ts)
        REPORT "#TS fault (IRET with NT to a non-TSS)"

; ------------------------------------------------------------ #NP, #SS, #GP
        ARM LIN(.np_r)
        mov ax, 0x18
.np:    mov ds, ax
.np_r:  CHECK dword [R_VEC], 11
        CHECK dword [R_ERR], 0x18
        CHECK dword [R_EIP], LIN(.np)
        ARM LIN(.ss_r)
.ss:    mov ss, ax
.ss_r:  CHECK dword [R_VEC], 12
        CHECK dword [R_ERR], 0x18
        CHECK dword [R_EIP], LIN(.ss)
        ARM LIN(.gp_r)
        mov ax, 0x1000                          ; beyond the GDT limit
.gp:    mov es, ax
.gp_r:  CHECK dword [R_VEC], 13
        CHECK dword [R_ERR], 0x1000
        CHECK dword [R_EIP], LIN(.gp)
        REPORT "#NP, #SS, #GP faults with selector error codes"

; ------------------------------------------------------------ #PF
        mov edi, 0x10000                        ; page directory
        xor eax, eax
        mov ecx, 2048
        rep stosd
        xor ecx, ecx
        mov dword [0x10000], 0x11000 | 3        ; PDE 0: the first 4 MiB
        mov edi, 0x11000
        mov eax, 3
.pt:    stosd
        add eax, 0x1000
        cmp edi, 0x12000
        jb .pt
        and dword [0x11000 + 0x200 * 4], ~2     ; 0x200000 read-only
        mov eax, 0x10000
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80010000                      ; PG, WP
        mov cr0, eax
        ARM LIN(.pf1_r)
.pf1:   mov dword [0x400000], 1                 ; PDE not present, write
.pf1_r: CHECK dword [R_VEC], 14
        CHECK dword [R_ERR], 2
        CHECK dword [R_EIP], LIN(.pf1)
        mov eax, cr2
        CHECK eax, 0x400000
        ARM LIN(.pf2_r)
.pf2:   mov dword [0x200010], 1                 ; read-only page, WP
.pf2_r: CHECK dword [R_VEC], 14
        CHECK dword [R_ERR], 3
        CHECK dword [R_EIP], LIN(.pf2)
        mov eax, cr2
        CHECK eax, 0x200010
        mov eax, cr0
        and eax, 0x7FFEFFFF
        mov cr0, eax
        REPORT "#PF fault with CR2 and error code"

; ------------------------------------------------------------ RF
        ARM LIN(.rf1_r)
        ud2
.rf1_r: mov ebx, [R_FL]
        and ebx, 0x10000
        CHECK ebx, 0x10000                      ; faults push RF=1
        ARM 0
        int3
        mov ebx, [R_FL]
        and ebx, 0x10000
        CHECK ebx, 0                            ; traps push the current RF (0)
        pushfd
        pop ebx
        and ebx, 0x10000
        CHECK ebx, 0                            ; RF is clear again
        REPORT "rf"

; ------------------------------------------------------------ EXT bit
        and byte [IDT_BASE + 6 * 8 + 5], 0x7F   ; #UD gate not present
        ARM LIN(.ext1_r)
.ext1:  ud2
.ext1_r:
        or byte [IDT_BASE + 6 * 8 + 5], 0x80
        CHECK dword [R_VEC], 11
        CHECK dword [R_ERR], 6 * 8 + 2 + 1      ; IDT, EXT: during an exception
        CHECK dword [R_EIP], LIN(.ext1)
        and byte [IDT_BASE + 3 * 8 + 5], 0x7F   ; #BP gate not present
        ARM LIN(.ext2_r)
.ext2:  int3
.ext2_r:
        or byte [IDT_BASE + 3 * 8 + 5], 0x80
        CHECK dword [R_VEC], 11
        CHECK dword [R_ERR], 3 * 8 + 2          ; no EXT for INT3
        CHECK dword [R_EIP], LIN(.ext2)
        ARM LIN(.ext3_r)
.ext3:  int 0x40                                ; an all-zero gate: bad type
.ext3_r:
        CHECK dword [R_VEC], 13
        CHECK dword [R_ERR], 0x40 * 8 + 2
        CHECK dword [R_EIP], LIN(.ext3)
        mov word [IDT_SCRATCH], 0x20 * 8 - 1
        mov dword [IDT_SCRATCH + 2], IDT_BASE
        lidt [IDT_SCRATCH]
        ARM LIN(.ext4_r)
.ext4:  int 0x40                                ; beyond the IDT limit
.ext4_r:
        lidt [LIN(lib_idt_desc)]
        CHECK dword [R_VEC], 13
        CHECK dword [R_ERR], 0x40 * 8 + 2
        CHECK dword [R_EIP], LIN(.ext4)
        REPORT "error code IDT and EXT bits"
        FINISH

        align 4
bounds32:       dd 10, 20
bounds16:       dw -4, -2
sel_tss:        dw 0x28
IDT_SCRATCH     equ 0x5F0               ; a short IDT descriptor in RAM

        ROM_END
