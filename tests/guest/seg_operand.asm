; seg_operand.asm - guest test ROM: the limit and type checks of memory
; operands larger than Capstone's operand size says, or read and written
; by helpers: far pointers (LDS/LES/LFS/LGS/LSS, JMP FAR/CALL FAR m16:16
; and m16:32: the offset is inside the limit, the selector word is not),
; the 6-byte LGDT/LIDT/SGDT/SIDT operand, BOUND's second bound, CMPXCHG8B,
; XLAT, the x87 environment/state images (FNSTENV/FLDENV 14/28 bytes,
; FNSAVE/FRSTOR 94/108), 80-bit and 16-bit x87 operands, and x87 stores to
; read-only data; INVLPG, which accesses nothing, is not checked.  Then
; IRET with NT=1 reading the back link of a TSS whose limit is too small.
; Real mode, 32-bit code and 16-bit code.
; EXPECT-STATUS: 1
; TX86-ARGS: -no-reboot
;
; Line format: seg_lib.inc.  SDM references: vol. 3 5.3 (an access of n
; bytes faults when any byte is beyond the limit), 5.4.1 (writes to read-
; only data), vol. 2 "LDS/LES/LFS/LGS/LSS" (#GP(0), #SS(0) for an SS
; operand), "JMP", "CALL", "LGDT/LIDT", "SGDT", "SIDT", "BOUND",
; "CMPXCHG8B", "XLAT", "FSTENV", "FSAVE", "INVLPG" (no segment exception
; listed), vol. 3 table 6-6 ("during an IRET task switch, an attempt to
; load the backlink limit faults": #TS with the TSS selector).  QEMU 7.2
; TCG checks none of these operands: it prints FF for "real les" and its
; "real jmp far" then jumps through the bytes past the limit (the run ends
; there).
%define LIN(x)  (0xF0000 + (x))
%include "tests/guest/seg_lib.inc"

        bits 16
        org 0
rm_start:
        SEG_RM_INIT

        TRY_RM
        mov ax, 0x2000
        mov ds, ax
        mov ax, 0x1111
        AT
        les ax, [0xfffd]
        DONE_RM m_rm_les, ax
        TRY_RM
        mov ax, 0x2000
        mov ds, ax
        AT
        jmp far [0xfffd]
        DONE_RM m_rm_jmpf
        TRY_RM
        mov ax, 0x2000
        mov ds, ax
        AT
        lgdt [0xfffb]
        DONE_RM m_rm_lgdt
        TRY_RM
        mov ax, 0x2000
        mov ds, ax
        lgdt [0xfffa]
        DONE_RM m_rm_lgdt_ok
        jmp start

        bits 32
pm32:
        SEG_PM_INIT

        ; ---- far pointers
        TRY
        mov dword [DATA+0xffa], 0x12345678
        mov word [DATA+0xffe], 0x10
        mov ax, 0x20
        mov es, ax
        xor eax, eax
        lds eax, [es:0xffa]
        DONE m_lds_ok, eax
        TRY
        mov ax, 0x20
        mov es, ax
        xor eax, eax
        AT
        lds eax, [es:0xffb]
        DONE m_lds, eax
        TRY
        mov dword [DATA+0xffc], 0x00105678
        mov ax, 0x20
        mov es, ax
        xor eax, eax
        o16 les ax, [es:0xffc]
        DONE m_les16_ok, eax
        TRY
        mov ax, 0x20
        mov es, ax
        AT
        o16 lfs ax, [es:0xffd]
        DONE m_lfs16
        TRY
        mov ax, 0x20
        mov es, ax
        AT
        lss eax, [es:0xffb]
        DONE m_lss
        TRY
        mov ax, 0x20
        mov ss, ax
        mov esp, 0x800
        AT
        lss eax, [ss:0xffb]
        DONE m_lss_ss, esp
        TRY
        IN16
        mov ax, 0x20
        mov es, ax
        ATO
        lgs ax, [es:0xffd]
        OUT16
        DONE m_lgs_code16
        TRY
        mov ax, 0x20
        mov es, ax
        AT
        jmp far [es:0xffb]
        DONE m_jmpf
        TRY
        mov dword [DATA+0xffa], LIN(.jt)
        mov word [DATA+0xffe], 0x08
        mov ax, 0x20
        mov es, ax
        xor eax, eax
        jmp far [es:0xffa]
.jt:    mov eax, 0xc0de
        DONE m_jmpf_ok, eax
        TRY
        mov ax, 0x20
        mov es, ax
        AT
        call far [es:0xffb]
        DONE m_callf, esp
        TRY
        mov ax, 0x20
        mov es, ax
        AT
        o16 jmp far [es:0xffd]
        DONE m_jmpf16
        TRY
        mov dword [DATA+0xffc], 0x00180000 + .t16
        mov ax, 0x20
        mov es, ax
        xor eax, eax
        o16 jmp far [es:0xffc]
        bits 16
.t16:   mov eax, 0xc0de16               ; in CS 18
        jmp dword 0x08:LIN(.t16b)
        bits 32
.t16b:
        DONE m_jmpf16_ok, eax
        TRY
        IN16
        mov ax, 0x20
        mov es, ax
        ATO
        jmp far [es:0xffd]
        OUT16
        DONE m_jmpf_code16
        TRY
        mov esp, STACK
        IN16
        mov ax, 0x20
        mov es, ax
        ATO
        call far [es:0xffd]
        OUT16
        DONE m_callf_code16, esp

        ; ---- descriptor-table registers
        sgdt [DATA+0xffa]
        TRY
        mov ax, 0x20
        mov es, ax
        AT
        lgdt [es:0xffb]
        DONE m_lgdt
        TRY
        mov ax, 0x20
        mov es, ax
        lgdt [es:0xffa]
        DONE m_lgdt_ok
        TRY
        mov ax, 0x20
        mov es, ax
        AT
        o16 lidt [es:0xffb]
        DONE m_lidt16
        TRY
        mov dword [DATA+0xffc], 0xaaaaaaaa
        mov ax, 0x20
        mov es, ax
        AT
        sgdt [es:0xffb]
        DONE m_sgdt
        TRY
        mov eax, [DATA+0xffc]
        DONE m_sgdt_mem, eax
        TRY
        mov ax, 0x20
        mov es, ax
        sidt [es:0xffa]
        mov eax, [es:0xffc]
        DONE m_sidt_ok, eax
        TRY
        mov ax, 0x38
        mov es, ax
        AT
        sidt [es:0]
        DONE m_sidt_ro
        TRY
        mov ax, 0x38
        mov es, ax
        AT
        sgdt [es:0]
        DONE m_sgdt_ro

        ; ---- BOUND, CMPXCHG8B, XLAT, INVLPG
        mov dword [DATA+0xff8], 0
        mov dword [DATA+0xffc], 10
        TRY
        mov ax, 0x20
        mov es, ax
        mov eax, 5
        bound eax, [es:0xff8]
        DONE m_bound_ok
        TRY
        mov ax, 0x20
        mov es, ax
        mov eax, 5
        AT
        bound eax, [es:0xff9]
        DONE m_bound
        TRY
        mov dword [DATA+0xffc], 0x000a0000
        mov ax, 0x20
        mov es, ax
        mov eax, 5
        o16 bound ax, [es:0xffc]
        DONE m_bound16_ok
        TRY
        mov ax, 0x20
        mov es, ax
        mov eax, 5
        AT
        o16 bound ax, [es:0xffd]
        DONE m_bound16
        TRY
        mov ax, 0x20
        mov es, ax
        AT
        cmpxchg8b [es:0xff9]
        DONE m_cx8
        TRY
        mov ax, 0x20
        mov es, ax
        xor eax, eax
        xor edx, edx
        cmpxchg8b [es:0xff8]
        DONE m_cx8_ok
        TRY
        mov ax, 0x38
        mov es, ax
        AT
        cmpxchg8b [es:0]
        DONE m_cx8_ro
        TRY
        mov byte [DATA+0xfff], 0x77
        mov ax, 0x20
        mov es, ax
        mov ebx, 0xffe
        mov eax, 1
        es xlatb
        DONE m_xlat_ok, eax
        TRY
        mov ax, 0x20
        mov es, ax
        mov ebx, 0xfff
        mov eax, 1
        AT
        es xlatb
        DONE m_xlat, eax
        TRY
        mov ax, 0x20
        mov es, ax
        invlpg [es:0x2000]
        DONE m_invlpg

        ; ---- x87 memory images and operands
        fninit
        TRY
        mov ax, 0x20
        mov es, ax
        AT
        fnstenv [es:0xfe8]
        DONE m_fstenv
        TRY
        mov ax, 0x20
        mov es, ax
        fnstenv [es:0xfe4]
        DONE m_fstenv_ok
        TRY
        mov ax, 0x20
        mov es, ax
        AT
        o16 fnstenv [es:0xff3]
        DONE m_fstenv16
        TRY
        mov ax, 0x20
        mov es, ax
        o16 fnstenv [es:0xff2]
        DONE m_fstenv16_ok
        TRY
        mov ax, 0x20
        mov es, ax
        AT
        fldenv [es:0xfe8]
        DONE m_fldenv
        TRY
        mov ax, 0x20
        mov es, ax
        AT
        fnsave [es:0xfa0]
        DONE m_fsave
        TRY
        mov ax, 0x20
        mov es, ax
        fnsave [es:0xf94]
        DONE m_fsave_ok
        TRY
        mov ax, 0x20
        mov es, ax
        AT
        o16 frstor [es:0xfa3]
        DONE m_frstor16
        TRY
        mov ax, 0x20
        mov es, ax
        AT
        fld tword [es:0xff7]
        DONE m_fld80
        TRY
        mov ax, 0x20
        mov es, ax
        fldz
        fbstp tword [es:0xff6]
        DONE m_fbstp_ok
        TRY
        mov ax, 0x20
        mov es, ax
        fldz
        AT
        fbstp tword [es:0xff7]
        DONE m_fbstp
        fninit
        TRY
        mov ax, 0x20
        mov es, ax
        fnstsw [es:0xffe]
        DONE m_fstsw_ok
        TRY
        mov ax, 0x38
        mov es, ax
        AT
        fnstsw [es:0]
        DONE m_fstsw_ro
        TRY
        mov ax, 0x38
        mov es, ax
        AT
        fnstcw [es:0]
        DONE m_fstcw_ro
        TRY
        mov ax, 0x38
        mov es, ax
        fld1
        AT
        fstp dword [es:0]
        DONE m_fstp_ro
        TRY                             ; the faulting FSTP did not pop
        fnstsw ax
        and eax, 0x3800
        DONE m_fstp_top, eax
        fninit

        ; ---- IRET with NT=1: the back link beyond the TSS limit
        DESC 0x48, 0x3000, 0, 0x89, 0   ; 32-bit TSS, limit 0
        mov ax, 0x48
        ltr ax
        TRY
        pushfd
        or dword [esp], 0x4000
        popfd
        AT
        iretd
        DONE m_iret_nt
        pushfd
        and dword [esp], ~0x4000
        popfd

        SEG_FINISH

        SEG_LIB_CODE

title:          db "tx86 guest test: seg_operand", 10, 0
m_rm_les:       db "real les ax,[fffd]", 0
m_rm_jmpf:      db "real jmp far [fffd]", 0
m_rm_lgdt:      db "real lgdt [fffb]", 0
m_rm_lgdt_ok:   db "real lgdt [fffa]", 0
m_lds_ok:       db "lds m16:32 es:ffa", 0
m_lds:          db "lds m16:32 es:ffb", 0
m_les16_ok:     db "o16 les m16:16 es:ffc", 0
m_lfs16:        db "o16 lfs m16:16 es:ffd", 0
m_lss:          db "lss m16:32 es:ffb", 0
m_lss_ss:       db "lss m16:32 ss:ffb", 0
m_lgs_code16:   db "code16 lgs m16:16 es:ffd", 0
m_jmpf:         db "jmp far m16:32 es:ffb", 0
m_jmpf_ok:      db "jmp far m16:32 es:ffa", 0
m_callf:        db "call far m16:32 es:ffb", 0
m_jmpf16:       db "o16 jmp far m16:16 es:ffd", 0
m_jmpf16_ok:    db "o16 jmp far m16:16 es:ffc", 0
m_jmpf_code16:  db "code16 jmp far m16:16 es:ffd", 0
m_callf_code16: db "code16 call far m16:16 es:ffd", 0
m_lgdt:         db "lgdt es:ffb", 0
m_lgdt_ok:      db "lgdt es:ffa", 0
m_lidt16:       db "o16 lidt es:ffb", 0
m_sgdt:         db "sgdt es:ffb", 0
m_sgdt_mem:     db "sgdt es:ffb left memory", 0
m_sidt_ok:      db "sidt es:ffa", 0
m_sidt_ro:      db "sidt read-only", 0
m_sgdt_ro:      db "sgdt read-only", 0
m_bound_ok:     db "bound es:ff8", 0
m_bound:        db "bound es:ff9", 0
m_bound16_ok:   db "o16 bound es:ffc", 0
m_bound16:      db "o16 bound es:ffd", 0
m_cx8:          db "cmpxchg8b es:ff9", 0
m_cx8_ok:       db "cmpxchg8b es:ff8", 0
m_cx8_ro:       db "cmpxchg8b read-only", 0
m_xlat_ok:      db "xlatb es:ffe+1", 0
m_xlat:         db "xlatb es:fff+1", 0
m_invlpg:       db "invlpg es:2000", 0
m_fstenv:       db "fnstenv es:fe8", 0
m_fstenv_ok:    db "fnstenv es:fe4", 0
m_fstenv16:     db "o16 fnstenv es:ff3", 0
m_fstenv16_ok:  db "o16 fnstenv es:ff2", 0
m_fldenv:       db "fldenv es:fe8", 0
m_fsave:        db "fnsave es:fa0", 0
m_fsave_ok:     db "fnsave es:f94", 0
m_frstor16:     db "o16 frstor es:fa3", 0
m_fld80:        db "fld tword es:ff7", 0
m_fbstp_ok:     db "fbstp es:ff6", 0
m_fbstp:        db "fbstp es:ff7", 0
m_fstsw_ok:     db "fnstsw es:ffe", 0
m_fstsw_ro:     db "fnstsw read-only", 0
m_fstcw_ro:     db "fnstcw read-only", 0
m_fstp_ro:      db "fstp dword read-only", 0
m_fstp_top:     db "x87 top after it", 0
m_iret_nt:      db "iretd nt=1 tss limit 0", 0

        SEG_RESET_VECTOR
