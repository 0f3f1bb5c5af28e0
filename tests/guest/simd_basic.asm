; simd_basic.asm - guest test ROM: the system side of MMX and SSE (checks,
; faults, FXSAVE/FXRSTOR with XMM and MXCSR, LDMXCSR/STMXCSR, MMX/x87
; aliasing) on -cpu n270 (MMX, SSE, SSE2, SSE3, SSSE3, DAZ).
; EXPECT-STATUS: 1
; TX86-ARGS: -cpu n270
;
; Style of x87_basic.asm: each section prints "<name>: PASS|FAIL" on the
; debug console (port 0xE9); the end writes 0 to isa-debug-exit (port
; 0xF4, status 1) if all passed.  The instruction results themselves are
; covered by difftest --simd against the host CPU; this ROM covers what a
; user-mode process cannot reach.
;
; SDM references: Vol. 3 13.1.3/13.1.4 and Vol. 2 section 22 exception
; tables (SSE: #UD if CR0.EM=1 or CR4.OSFXSR=0, #NM if CR0.TS=1; MMX and
; SSE integer ops on MMX registers: #UD if CR0.EM=1, #NM if CR0.TS=1, no
; OSFXSR check), Vol. 2 MOVAPS/MOVDQA (#GP(0) if not 16-byte aligned),
; MOVUPS/MOVDQU/LDDQU (no alignment check), Vol. 2 FXSAVE (layout, MXCSR at
; 24, MXCSR_MASK at 28, XMM0-7 at 160), FXRSTOR and LDMXCSR (#GP(0) for a
; reserved MXCSR bit), Vol. 1 9.5 (MMX instructions set TOP=0 and every tag
; valid, MMX writes set the exponent/sign to all ones; EMMS empties the
; tags), Vol. 1 11.6.3 (MXCSR_MASK FFFFh with DAZ).
;
; Checked against qemu-system-i386 -cpu n270 (TCG, Debian package): the
; sections "CPUID", "OSFXSR", "alignment", "FXSAVE/FXRSTOR" and "MOVSD"
; pass; QEMU fails the others where it departs from the SDM: EMMS with
; CR0.TS=1 runs instead of raising #NM (Vol. 2 EMMS), FXSAVE/FXRSTOR and
; SIMD memory operands past a data segment's limit do not raise #GP(0)
; (QEMU checks no data segment limits; Vol. 3 5.3), FXRSTOR and LDMXCSR
; load reserved MXCSR bits instead of raising #GP(0) (Vol. 2 FXRSTOR,
; LDMXCSR), and an MMX register write leaves bits 64-79 of the x87
; register alone instead of setting them to all ones (Vol. 1 9.5.1).  The
; .expected output is what the SDM requires.
;
; Scratch RAM: 0x1000 (save areas, 16-byte aligned; GDT selector 0x18 is a
; data segment over 0x1000-0x11FF), vector log at 0x600
; (+8: count, +12: error code, +16: CR2 of a #PF), resume address at 0x604,
; stack below 0x90000.

%define ROM_BASE  0xF0000
%define LIN(x)    (ROM_BASE + (x))
%define DEBUGCON  0xE9
%define DEBUGEXIT 0xF4
%define TOTAL     0x500
%define VECLOG    0x600
%define RESUME    0x604
%define ERRLOG    0x60C
%define EIPLOG    0x610                 ; EIP of the last fault with an error code
%define CR2LOG    0x614                 ; CR2 of the last #PF
%define PGDIR     0x4000
%define BUF       0x1000
%define BUF2      0x1400
%define IDT       0x2000

%macro EXPECT32 2
        cmp %1, %2
        je %%ok
        inc ebp
%%ok:
%endmacro

; run one instruction expecting vector %1 (or -1: none), resuming after it
%macro EXPECT_VEC 2+
        mov dword [VECLOG], -1
        mov dword [RESUME], LIN(%%after)
        %2
%%after:
        mov dword [RESUME], 0
        EXPECT32 dword [VECLOG], %1
%endmacro

        bits 16
        org 0

start:
        cli
        cld
        xor ax, ax
        mov ss, ax
        mov sp, 0x7000
        mov ds, ax
        mov es, ax
        mov dword [TOTAL], 0
        lgdt [cs:gdt_desc]
        mov eax, cr0
        or eax, 0x23                    ; PE, MP, NE
        mov cr0, eax
        jmp dword 0x08:LIN(pm32)

        bits 32
pm32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x90000
        xor ebp, ebp
        mov esi, LIN(msg_title)
        call print

        mov edi, IDT
        xor ecx, ecx
.idt:   mov eax, LIN(stubs)
        lea eax, [eax + ecx * 8]
        mov [edi], ax
        mov word [edi + 2], 0x08
        mov word [edi + 4], 0x8e00
        shr eax, 16
        mov [edi + 6], ax
        add edi, 8
        inc ecx
        cmp ecx, 32
        jb .idt
        lidt [LIN(idt_desc)]
        mov dword [RESUME], 0
        fninit

; ------------------------------------------------------------ CPUID
        mov eax, 1
        cpuid
        mov eax, edx
        and eax, (1 << 23) | (1 << 24) | (1 << 25) | (1 << 26)
        EXPECT32 eax, (1 << 23) | (1 << 24) | (1 << 25) | (1 << 26)
        and ecx, (1 << 0) | (1 << 9)
        EXPECT32 ecx, (1 << 0) | (1 << 9)
        mov esi, LIN(msg_cpuid)
        call report

; ------------------------------------------------------------ OSFXSR clear
        mov eax, cr4
        and eax, ~0x600
        mov cr4, eax
        EXPECT_VEC 6, movaps xmm0, xmm1
        EXPECT_VEC 6, paddb xmm0, xmm1
        EXPECT_VEC 6, ldmxcsr [LIN(mxcsr_def)]
        EXPECT_VEC -1, paddb mm0, mm1           ; MMX: no OSFXSR check
        EXPECT_VEC -1, pavgb mm0, mm1           ; SSE on MMX registers: none either
        emms
        mov eax, cr4
        or eax, 0x600                           ; OSFXSR, OSXMMEXCPT
        mov cr4, eax
        EXPECT_VEC -1, movaps xmm0, xmm1
        mov esi, LIN(msg_osfxsr)
        call report

; ------------------------------------------------------------ CR0.EM / CR0.TS
        mov eax, cr0
        or eax, 4                               ; EM
        mov cr0, eax
        EXPECT_VEC 6, movaps xmm0, xmm1
        mov eax, cr0
        or eax, 4
        mov cr0, eax
        EXPECT_VEC 6, paddb mm0, mm1
        mov eax, cr0
        and eax, ~4
        or eax, 8                               ; TS
        mov cr0, eax
        EXPECT_VEC 7, movaps xmm0, xmm1         ; the handler clears TS
        mov eax, cr0
        or eax, 8
        mov cr0, eax
        EXPECT_VEC 7, paddb mm0, mm1
        mov eax, cr0
        or eax, 8
        mov cr0, eax
        EXPECT_VEC 7, emms
        mov eax, cr0
        or eax, 8
        mov cr0, eax
        EXPECT_VEC 7, ldmxcsr [LIN(mxcsr_def)]
        EXPECT_VEC -1, emms
        mov esi, LIN(msg_emts)
        call report

; ------------------------------------------------------------ alignment
        EXPECT_VEC 13, movaps xmm0, [BUF + 8]
        EXPECT32 dword [ERRLOG], 0
        EXPECT_VEC 13, movdqa [BUF + 4], xmm0
        EXPECT_VEC 13, paddb xmm0, [BUF + 1]
        EXPECT_VEC 13, movntdq [BUF + 8], xmm0
        EXPECT_VEC -1, movups xmm0, [BUF + 8]
        EXPECT_VEC -1, movdqu [BUF + 4], xmm0
        EXPECT_VEC -1, lddqu xmm0, [BUF + 3]
        EXPECT_VEC -1, movq xmm0, [BUF + 3]     ; 64-bit operands: no check
        EXPECT_VEC -1, paddb mm0, [BUF + 3]
        EXPECT_VEC -1, movaps xmm0, [BUF + 16]
        emms
        mov esi, LIN(msg_align)
        call report

; ------------------------------------------------------------ FXSAVE/FXRSTOR
        movdqu xmm0, [LIN(pat0)]
        movdqu xmm3, [LIN(pat3)]
        movdqu xmm7, [LIN(pat7)]
        ldmxcsr [LIN(mxcsr_rd)]
        stmxcsr [BUF2]
        EXPECT32 dword [BUF2], 0x3fc0
        fxsave [BUF]
        EXPECT32 dword [BUF + 24], 0x3fc0       ; MXCSR
        EXPECT32 dword [BUF + 28], 0xffff       ; MXCSR_MASK: DAZ supported
        EXPECT32 dword [BUF + 160], 0x03020100
        EXPECT32 dword [BUF + 172], 0x0f0e0d0c
        EXPECT32 dword [BUF + 160 + 48], 0x33333333
        EXPECT32 dword [BUF + 160 + 60], 0xc3c3c3c3
        EXPECT32 dword [BUF + 160 + 112], 0x77777777
        pxor xmm0, xmm0
        pxor xmm3, xmm3
        pxor xmm7, xmm7
        ldmxcsr [LIN(mxcsr_def)]
        fxrstor [BUF]
        stmxcsr [BUF2]
        EXPECT32 dword [BUF2], 0x3fc0
        movdqu [BUF2], xmm3
        EXPECT32 dword [BUF2], 0x33333333
        EXPECT32 dword [BUF2 + 12], 0xc3c3c3c3
        movdqu [BUF2], xmm7
        EXPECT32 dword [BUF2 + 4], 0x77777777
        movd eax, xmm0
        EXPECT32 eax, 0x03020100
        EXPECT_VEC 13, fxsave [BUF + 8]         ; not 16-byte aligned
        mov esi, LIN(msg_fx)
        call report

; ------------------------------------------------------------ segment limits
        mov ax, 0x18                            ; base 0x1000, limit 0x1FF
        mov es, ax
        EXPECT_VEC -1, fxsave [es:0]            ; the 512 bytes fit
        EXPECT_VEC 13, fxsave [es:0x10]         ; they do not: #GP(0)
        EXPECT_VEC 13, fxrstor [es:0x10]
        EXPECT_VEC 13, movaps xmm1, [es:0x1f0 + 16]
        EXPECT_VEC -1, movaps xmm1, [es:0x1f0]
        EXPECT_VEC 13, movq mm1, [es:0x1fc]
        EXPECT_VEC 13, movd [es:0x1fd], xmm0
        EXPECT_VEC -1, movd [es:0x1fc], xmm0
        emms
        mov ax, 0x10
        mov es, ax
        mov esi, LIN(msg_seg)
        call report

; ------------------------------------------------------------ reserved MXCSR bits
        mov dword [BUF + 24], 0x00011f80        ; bit 16 reserved
        EXPECT_VEC 13, fxrstor [BUF]
        stmxcsr [BUF2]
        EXPECT32 dword [BUF2], 0x3fc0           ; unchanged
        movd eax, xmm0
        EXPECT32 eax, 0x03020100                ; nothing restored
        EXPECT_VEC 13, ldmxcsr [LIN(mxcsr_bad)]
        EXPECT32 dword [ERRLOG], 0
        EXPECT_VEC -1, ldmxcsr [LIN(mxcsr_daz)] ; DAZ (bit 6) exists on n270
        stmxcsr [BUF2]
        EXPECT32 dword [BUF2], 0x1fc0
        ldmxcsr [LIN(mxcsr_def)]
        mov esi, LIN(msg_mxcsr)
        call report

; ------------------------------------------------------------ MMX/x87 aliasing
        fninit
        fld1                                    ; TOP = 7
        movq mm2, [LIN(pat3)]                   ; TOP = 0, all tags valid
        fnstsw ax
        shr eax, 11
        and eax, 7
        EXPECT32 eax, 0
        fxsave [BUF]
        EXPECT32 byte [BUF + 4], 0xff           ; abridged FTW: all valid
        EXPECT32 dword [BUF + 32 + 32], 0x33333333      ; R2 significand = MM2
        EXPECT32 dword [BUF + 32 + 36], 0x33333333
        EXPECT32 word [BUF + 32 + 40], 0xffff   ; exponent/sign all ones
        EXPECT32 word [BUF + 32 + 112 + 8], 0x3fff      ; R7 still holds 1.0
        fnstenv [BUF2]
        movzx eax, word [BUF2 + 8]
        and eax, 0xc030
        EXPECT32 eax, 0x0020                    ; tags: R2 special (exponent FFFFh), R7 valid
        movd mm5, [LIN(pat7)]
        movd eax, mm5
        EXPECT32 eax, 0x77777777
        emms
        fxsave [BUF]
        EXPECT32 byte [BUF + 4], 0              ; EMMS: every tag empty
        fnstsw ax
        and eax, 0x3800
        EXPECT32 eax, 0
        mov esi, LIN(msg_alias)
        call report

; ------------------------------------------------------------ MOVSD xmm vs string MOVSD
        movsd xmm1, [LIN(pat3)]
        movq [BUF2], xmm1
        EXPECT32 dword [BUF2], 0x33333333
        mov esi, LIN(pat7)
        mov edi, BUF2
        movsd                                   ; the string instruction
        EXPECT32 dword [BUF2], 0x77777777
        EXPECT32 edi, BUF2 + 4
        mov esi, LIN(msg_movsd)
        call report

; ------------------------------------------------------------ #PF in inline forms
; the loads and stores of the inline XMM forms (gen_simd.c) fault with
; EIP at the instruction, also when an inline form came before it in the
; block (only the first one calls helper_sse_check, which syncs EIP)
; (a 4 MiB identity page, nothing above 4 MiB)
        mov edi, PGDIR
        mov ecx, 1024
        xor eax, eax
        rep stosd
        mov dword [PGDIR], 0x83                 ; 0-4 MiB: present, writable, 4 MiB
        mov eax, cr4
        or eax, 0x10                            ; PSE
        mov cr4, eax
        mov eax, PGDIR
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov dword [VECLOG], -1
        mov dword [RESUME], LIN(.pf1_after)
        pxor xmm3, xmm3                         ; an inline form before it in the block
.pf1:   movdqa xmm0, [0x400000]
.pf1_after:
        EXPECT32 dword [VECLOG], 14
        EXPECT32 dword [EIPLOG], LIN(.pf1)
        mov dword [VECLOG], -1
        mov dword [RESUME], LIN(.pf2_after)
        pxor xmm3, xmm3                         ; an inline form before it in the block
.pf2:   movdqa [0x400010], xmm1
.pf2_after:
        EXPECT32 dword [VECLOG], 14
        EXPECT32 dword [EIPLOG], LIN(.pf2)
        mov dword [VECLOG], -1
        mov dword [RESUME], LIN(.pf3_after)
        pxor xmm3, xmm3                         ; an inline form before it in the block
.pf3:   pxor xmm2, [0x400020]
.pf3_after:
        EXPECT32 dword [VECLOG], 14
        EXPECT32 dword [EIPLOG], LIN(.pf3)
        mov esi, LIN(msg_pf)
        call report

; ------------------------------------------------------------ MOVD/MOVQ at a page end
; the inline MOVD/MOVQ forms access only their 4 or 8 bytes (the last
; ones of the page before the absent 0x400000 are fine); a load that
; crosses into it faults with CR2 = 400000h and leaves the register; a
; store that crosses it writes nothing, CR2 = its last byte (helper_simd
; probes that one first), EIP at the instruction (paging still on)
%define PEND 0x400000
        mov dword [PEND - 8], 0x11223344
        mov dword [PEND - 4], 0x55667788
        movdqu xmm2, [LIN(pat0)]                ; 03020100h 07060504h ...
        pcmpeqb xmm0, xmm0                      ; all ones: the top must be zeroed
        pcmpeqb xmm1, xmm1
        movq xmm0, [PEND - 8]
        movd xmm1, [PEND - 4]
        movdqu [BUF], xmm0
        movdqu [BUF + 16], xmm1
        EXPECT32 dword [BUF], 0x11223344
        EXPECT32 dword [BUF + 4], 0x55667788
        EXPECT32 dword [BUF + 8], 0
        EXPECT32 dword [BUF + 12], 0
        EXPECT32 dword [BUF + 16], 0x55667788
        EXPECT32 dword [BUF + 20], 0
        EXPECT32 dword [BUF + 28], 0
        movq [PEND - 8], xmm2
        EXPECT32 dword [PEND - 8], 0x03020100
        EXPECT32 dword [PEND - 4], 0x07060504
        movd [PEND - 4], xmm1
        EXPECT32 dword [PEND - 4], 0x55667788
        ; a load crossing the page end
        mov dword [VECLOG], -1
        mov dword [CR2LOG], 0
        mov dword [RESUME], LIN(.pe1_after)
        pxor xmm3, xmm3                         ; an inline form before it in the block
.pe1:   movq xmm0, [PEND - 7]
.pe1_after:
        EXPECT32 dword [VECLOG], 14
        EXPECT32 dword [EIPLOG], LIN(.pe1)
        EXPECT32 dword [CR2LOG], PEND
        movd eax, xmm0
        EXPECT32 eax, 0x11223344                ; unchanged
        ; stores crossing it: nothing written
        mov dword [VECLOG], -1
        mov dword [CR2LOG], 0
        mov dword [RESUME], LIN(.pe2_after)
        pxor xmm3, xmm3
.pe2:   movq [PEND - 6], xmm2
.pe2_after:
        EXPECT32 dword [VECLOG], 14
        EXPECT32 dword [EIPLOG], LIN(.pe2)
        EXPECT32 dword [CR2LOG], PEND + 1
        EXPECT32 dword [PEND - 8], 0x03020100
        EXPECT32 dword [PEND - 4], 0x55667788
        mov dword [VECLOG], -1
        mov dword [CR2LOG], 0
        mov dword [RESUME], LIN(.pe3_after)
        pxor xmm3, xmm3
.pe3:   movd [PEND - 2], xmm2
.pe3_after:
        EXPECT32 dword [VECLOG], 14
        EXPECT32 dword [EIPLOG], LIN(.pe3)
        EXPECT32 dword [CR2LOG], PEND + 1
        EXPECT32 dword [PEND - 4], 0x55667788
        mov dword [VECLOG], -1
        mov dword [CR2LOG], 0
        mov dword [RESUME], LIN(.pe4_after)
        pxor xmm3, xmm3
.pe4:   movntdq [PEND - 16], xmm2               ; aligned, on the page: fine
.pe4b:  movntdq [PEND], xmm2                    ; the absent page
.pe4_after:
        EXPECT32 dword [VECLOG], 14
        EXPECT32 dword [EIPLOG], LIN(.pe4b)
        EXPECT32 dword [CR2LOG], PEND
        EXPECT32 dword [PEND - 4], 0x0f0e0d0c
        mov eax, cr0
        and eax, ~0x80000000
        mov cr0, eax
        mov esi, LIN(msg_pend)
        call report

; ------------------------------------------------------------ FISTTP (SSE3)
        fninit
        fldcw [LIN(fcw_up)]                     ; RC up: FISTTP truncates anyway
        fld dword [LIN(f_m27)]
        fld dword [LIN(f_p27)]
        fld dword [LIN(f_m27)]
        fisttp dword [BUF2]
        fisttp word [BUF2 + 4]
        fisttp qword [BUF2 + 8]
        EXPECT32 dword [BUF2], -2
        movzx eax, word [BUF2 + 4]
        EXPECT32 eax, 2
        EXPECT32 dword [BUF2 + 8], -2
        EXPECT32 dword [BUF2 + 12], -1
        fnstsw ax
        and eax, 0x3800                         ; TOP back to 0: each one popped
        EXPECT32 eax, 0
        fninit
        mov esi, LIN(msg_fisttp)
        call report

; ------------------------------------------------------------ end
        mov eax, [TOTAL]
        test eax, eax
        jnz .some
        mov esi, LIN(msg_all)
        call print
        mov al, 0
        out DEBUGEXIT, al
.some:  mov esi, LIN(msg_some)
        call print
        mov al, 1
        out DEBUGEXIT, al
        hlt

; exception handler: [esp] = vector (pushed by the stub), then the error
; code for vectors 8 and 10-14
handler:
        push eax
        mov eax, [esp + 4]
        mov [VECLOG], eax
        inc dword [VECLOG + 8]
        cmp eax, 7
        jne .noclr
        mov eax, cr0
        and eax, ~0xc                   ; #NM: clear EM and TS
        mov cr0, eax
        mov eax, 7
.noclr: cmp eax, 6
        jne .noem
        mov eax, cr0
        and eax, ~4                     ; #UD: clear EM
        mov cr0, eax
        mov eax, 6
.noem:  cmp eax, 8
        je .err
        cmp eax, 10
        jb .noerr
        cmp eax, 14
        ja .noerr
.err:   cmp eax, 14
        jne .err2
        mov eax, cr2
        mov [CR2LOG], eax
.err2:  mov eax, [esp + 12]
        mov [EIPLOG], eax
        mov eax, [esp + 8]
        mov [ERRLOG], eax
        mov eax, [RESUME]
        test eax, eax
        jz .r2
        mov [esp + 12], eax
        mov dword [RESUME], 0
.r2:    pop eax
        add esp, 8
        iret
.noerr: mov eax, [RESUME]
        test eax, eax
        jz .r1
        mov [esp + 8], eax
        mov dword [RESUME], 0
.r1:    pop eax
        add esp, 4
        iret

        align 8
stubs:
%assign v 0
%rep 32
        push byte v
        jmp handler
        align 8
%assign v v + 1
%endrep

; report: ESI = section name; prints "name: PASS|FAIL", adds EBP to the total
report:
        call print
        mov esi, LIN(msg_pass)
        test ebp, ebp
        jz .p
        mov esi, LIN(msg_fail)
        add [TOTAL], ebp
.p:     call print
        xor ebp, ebp
        ret

print:
        lodsb
        test al, al
        jz .done
        out DEBUGCON, al
        jmp print
.done:  ret

        align 16
pat0:      db 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
pat3:      dd 0x33333333, 0x33333333, 0xc3c3c3c3, 0xc3c3c3c3
pat7:      dd 0x77777777, 0x77777777, 0x77777777, 0x77777777
mxcsr_def: dd 0x1f80
mxcsr_rd:  dd 0x3fc0                    ; RC = down, DAZ
mxcsr_bad: dd 0x00010000
mxcsr_daz: dd 0x1fc0
msg_title: db "tx86 guest test: simd_basic", 10, 0
msg_cpuid: db "CPUID: MMX, FXSR, SSE, SSE2, SSE3, SSSE3", 0
msg_osfxsr: db "#UD with CR4.OSFXSR clear (SSE only)", 0
msg_emts:  db "#UD with CR0.EM, #NM with CR0.TS", 0
msg_align: db "#GP(0) on misaligned 16-byte operands of aligned forms", 0
msg_fx:    db "FXSAVE/FXRSTOR with XMM0-7 and MXCSR", 0
msg_seg:   db "segment limit checks of FXSAVE/FXRSTOR and SIMD operands", 0
msg_mxcsr: db "reserved MXCSR bits: #GP(0) in FXRSTOR and LDMXCSR", 0
msg_alias: db "MMX/x87 aliasing: TOP, tags, exponent FFFFh, EMMS", 0
msg_movsd: db "MOVSD xmm and the string MOVSD", 0
msg_fisttp: db "FISTTP m16/m32/m64 truncates and pops", 0
msg_pf:    db "#PF in MOVDQA load/store and PXOR m128: EIP of the instruction", 0
msg_pend:  db "MOVD/MOVQ/MOVNTDQ at a page end: their own bytes, #PF with CR2 and EIP", 0
fcw_up:    dw 0x0b7f
f_m27:     dd 0xc02ccccd                        ; -2.7
f_p27:     dd 0x402ccccd                        ; 2.7
msg_pass:  db ": PASS", 10, 0
msg_fail:  db ": FAIL", 10, 0
msg_all:   db "ALL PASSED", 10, 0
msg_some:  db "SOME TESTS FAILED", 10, 0

        align 8
gdt:
        dq 0
        dq 0x00CF9A000000FFFF           ; 0x08: flat 32-bit code
        dq 0x00CF92000000FFFF           ; 0x10: flat data
        dq 0x00409200100001FF           ; 0x18: data, base 0x1000, limit 0x1FF
gdt_end:
gdt_desc:
        dw gdt_end - gdt - 1
        dd LIN(gdt)
idt_desc:
        dw 32 * 8 - 1
        dd IDT

        times 0xFFF0 - ($ - $$) db 0xFF
        bits 16
        jmp 0xF000:start
        times 0x10000 - ($ - $$) db 0xFF
