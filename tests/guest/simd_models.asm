; simd_models.asm - guest test ROM: the SIMD feature gates of a model
; without SSE2 (-cpu pentium3: MMX, FXSR, SSE, no DAZ) and the SSE
; floating-point arithmetic that is not wired yet.
; EXPECT-STATUS: 1
; TX86-ARGS: -cpu pentium3
;
; Same skeleton as simd_basic.asm.  SDM: CPUID.01H:EDX.SSE2[bit 26] = 0 ->
; every SSE2 instruction (128-bit integer forms, MOVDQA, PADDQ on MMX
; registers) is #UD; Vol. 1 11.6.3 and 11.6.6: without DAZ the FXSAVE
; image's MXCSR_MASK is 0 (software then uses FFBFh) and setting bit 6 with
; LDMXCSR or FXRSTOR is #GP(0).  ADDPS (SSE arithmetic) runs; an unmasked
; zero divide (DIVSS) is #XM with CR4.OSXMMEXCPT=1 and #UD without (SDM Vol. 1
; 11.5.1, Vol. 2 DIVSS), leaves the destination and sets ZE.
;
; qemu-system-i386 -cpu pentium3 fails every section: its pentium3 claims
; SSE2 (CPUID) and runs SSE2/SSE3/SSSE3 instructions, reports MXCSR_MASK
; FFFFh and accepts DAZ.
%define ROM_BASE  0xF0000
%define LIN(x)    (ROM_BASE + (x))
%define DEBUGCON  0xE9
%define DEBUGEXIT 0xF4
%define TOTAL     0x500
%define VECLOG    0x600
%define RESUME    0x604
%define ERRLOG    0x60C
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
        EXPECT32 eax, (1 << 23) | (1 << 24) | (1 << 25)
        EXPECT32 ecx, 0
        mov esi, LIN(msg_cpuid)
        call report

; ------------------------------------------------------------ SSE2 is #UD
        mov eax, cr4
        or eax, 0x600
        mov cr4, eax
        EXPECT_VEC -1, movaps xmm0, xmm1
        EXPECT_VEC -1, xorps xmm0, xmm0
        EXPECT_VEC -1, pavgb mm0, mm1
        EXPECT_VEC -1, paddb mm0, mm1
        EXPECT_VEC 6, paddb xmm0, xmm1
        EXPECT_VEC 6, movdqa xmm0, xmm1
        EXPECT_VEC 6, paddq mm0, mm1
        EXPECT_VEC 6, pshufd xmm0, xmm1, 0
        EXPECT_VEC 6, movapd xmm0, xmm1
        EXPECT_VEC 6, lfence
        EXPECT_VEC -1, sfence
        EXPECT_VEC 6, movddup xmm0, xmm1
        EXPECT_VEC 6, fisttp dword [BUF2]       ; SSE3's x87 instruction
        EXPECT_VEC 6, pshufb mm0, mm1
        emms
        mov esi, LIN(msg_sse2)
        call report

; ------------------------------------------------------------ MXCSR without DAZ
        fxsave [BUF]
        EXPECT32 dword [BUF + 28], 0            ; MXCSR_MASK 0: no DAZ, mask FFBFh
        EXPECT_VEC 13, ldmxcsr [LIN(mxcsr_daz)]
        EXPECT_VEC -1, ldmxcsr [LIN(mxcsr_def)]
        mov dword [BUF + 24], 0x1fc0
        EXPECT_VEC 13, fxrstor [BUF]
        mov esi, LIN(msg_daz)
        call report

; ------------------------------------------------------------ float arithmetic
        movaps xmm0, [LIN(f_one)]
        movaps xmm1, [LIN(f_two)]
        EXPECT_VEC -1, addps xmm0, xmm1
        movups [BUF2], xmm0
        EXPECT32 dword [BUF2], 0x40400000       ; 1.0 + 2.0 in every lane
        EXPECT32 dword [BUF2 + 12], 0x40400000
        EXPECT_VEC 6, addpd xmm0, xmm1          ; SSE2
        EXPECT_VEC 6, haddps xmm0, xmm1         ; SSE3
        ; zero divide unmasked: #XM (CR4.OSXMMEXCPT), no result, ZE set
        ldmxcsr [LIN(mxcsr_zm)]
        xorps xmm2, xmm2
        movaps xmm3, xmm1
        EXPECT_VEC 19, divss xmm3, xmm2
        movups [BUF2], xmm3
        EXPECT32 dword [BUF2], 0x40000000       ; unchanged
        stmxcsr [BUF2]
        EXPECT32 dword [BUF2], 0x1d84
        mov eax, cr4
        and eax, ~0x400                         ; OSXMMEXCPT = 0: #UD instead
        mov cr4, eax
        EXPECT_VEC 6, divss xmm3, xmm2
        or eax, 0x400
        mov cr4, eax
        ldmxcsr [LIN(mxcsr_def)]
        mov esi, LIN(msg_arith)
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
.err:   mov eax, [esp + 8]
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
f_one:     dd 0x3f800000, 0x3f800000, 0x3f800000, 0x3f800000
f_two:     dd 0x40000000, 0x40000000, 0x40000000, 0x40000000
pat0:      db 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
pat3:      dd 0x33333333, 0x33333333, 0xc3c3c3c3, 0xc3c3c3c3
pat7:      dd 0x77777777, 0x77777777, 0x77777777, 0x77777777
mxcsr_def: dd 0x1f80
mxcsr_zm:  dd 0x1d80                            ; ZM clear
mxcsr_rd:  dd 0x3fc0                    ; RC = down, DAZ
mxcsr_bad: dd 0x00010000
mxcsr_daz: dd 0x1fc0
msg_title: db "tx86 guest test: simd_models (pentium3)", 10, 0
msg_cpuid: db "CPUID: MMX, FXSR, SSE; no SSE2, SSE3, SSSE3", 0
msg_sse2:  db "SSE2, SSE3, SSSE3 instructions: #UD", 0
msg_daz:   db "no DAZ: MXCSR_MASK 0 (FFBFh), bit 6 reserved", 0
msg_arith: db "ADDPS runs; ADDPD, HADDPS #UD; unmasked #Z: #XM or #UD by OSXMMEXCPT", 0
msg_pass:  db ": PASS", 10, 0
msg_fail:  db ": FAIL", 10, 0
msg_all:   db "ALL PASSED", 10, 0
msg_some:  db "SOME TESTS FAILED", 10, 0

        align 8
gdt:
        dq 0
        dq 0x00CF9A000000FFFF           ; 0x08: flat 32-bit code
        dq 0x00CF92000000FFFF           ; 0x10: flat data
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
