; x87_basic.asm - guest test ROM: the x87 FPU (state, arithmetic to the bit,
; masked and unmasked exceptions, #MF, #NM, FNSAVE/FRSTOR, FNSTENV formats).
; EXPECT-STATUS: 1
; TX86-ARGS: -cpu pentium2
; (a P6 without FXSR: the FXSAVE section expects #UD; the default model
; has FXSR since it claims SSE2)
;
; A 64 KiB ROM (nasm -f bin) in the style of pmode.asm: each section prints
; "<name>: PASS|FAIL" on the debug console (port 0xE9) and a few results as
; hex; the end writes 0 to isa-debug-exit (port 0xF4, status 1) if all
; passed.  Runs unchanged under qemu-system-i386 -bios.
;
; SDM references: Vol. 1 8.1.10 and figures 8-9..8-12 (FNSTENV formats;
; the reserved upper halves of the 32-bit format's words are not checked:
; a P6 writes FFFFh, QEMU 0000h), 8.5 (masked responses), 8.6 and Vol. 3
; 2.5 (#MF with CR0.NE, delivered at the next waiting instruction), Vol. 3
; 2.5 and table 2-2 (#NM: EM, TS; WAIT with MP and TS), Vol. 2 FXSAVE (#UD
; when CPUID.FXSR = 0: the default model does not claim FXSR).
;
;
; Checked against qemu-system-i386 (TCG, Debian package): the sections
; "FNINIT state", "arithmetic..." and "#NM" pass; QEMU fails the others
; where it departs from the SDM: it records no FIP/FOP for the real-mode
; and protected-mode FNSTENV/FNSAVE images (Vol. 1 8.1.8, 8.1.10), does
; not detect stack underflow/overflow (Vol. 1 8.5.1.1: IE+SF, C1, QNaN
; indefinite), raises #MF only at FWAIT instead of before the next
; waiting x87 instruction (Vol. 1 8.6, Vol. 3 6.15 "#MF"), and its default
; CPU claims FXSR.  The .expected output is what the SDM requires.
;
; Scratch RAM: 0x1000 (save areas), vector log at 0x600, resume address
; for faulting instructions at 0x604, stack below 0x90000.

%define ROM_BASE  0xF0000
%define LIN(x)    (ROM_BASE + (x))
%define DEBUGCON  0xE9
%define DEBUGEXIT 0xF4
%define TOTAL     0x500
%define VECLOG    0x600         ; last vector taken (dword), count at +8
%define RESUME    0x604         ; if nonzero: handler returns there
%define BUF       0x1000
%define IDT       0x2000

%macro EXPECT32 2
        cmp %1, %2
        je %%ok
        inc ebp
%%ok:
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
        xor bp, bp

; real mode: 16-bit real-address FNSTENV format (FIP as 20-bit linear)
        fninit
fld1_rm:
        fld1
        fnstenv [BUF]
        cmp word [BUF + 0], 0x037f
        je .r1
        inc bp
.r1:    cmp word [BUF + 2], 0x3800      ; TOP = 7
        je .r2
        inc bp
.r2:    cmp word [BUF + 4], 0x3fff      ; R7 valid, the rest empty
        je .r3
        inc bp
.r3:    cmp word [BUF + 6], (fld1_rm - $$)
        je .r4
        inc bp
.r4:    cmp word [BUF + 8], 0xf000 | 0x1e8   ; FIP[19:16] << 12 | FOP (D9 E8)
        je .r5
        inc bp
.r5:    mov [TOTAL + 4], bp
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
        movzx ebp, word [TOTAL + 4]
        mov esi, LIN(msg_title)
        call print
        mov esi, LIN(msg_rm)
        call report

        ; IDT: every vector to one handler stub per vector 0-31
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

; ------------------------------------------------------------ FNINIT state
        fninit
        fnstcw [BUF]
        EXPECT32 word [BUF], 0x037f
        fnstsw ax
        EXPECT32 ax, 0
        fnstenv [BUF]
        EXPECT32 word [BUF + 8], 0xffff
        mov esi, LIN(msg_init)
        call report

; ------------------------------------------------------------ arithmetic
        fninit
        fld1
        fld1
        faddp                           ; 2
        fmul dword [LIN(three_f)]       ; 6
        fstp qword [BUF]
        EXPECT32 dword [BUF], 0
        EXPECT32 dword [BUF + 4], 0x40180000
        fld1
        fidiv dword [LIN(three_i)]      ; 1/3, round to nearest
        fstp tword [BUF]
        mov esi, LIN(msg_third)
        call print
        call print_m80
        EXPECT32 dword [BUF], 0xaaaaaaab
        EXPECT32 word [BUF + 8], 0x3ffd
        fldcw [LIN(cw_down)]            ; round down
        fld1
        fidiv dword [LIN(three_i)]
        fstp tword [BUF]
        EXPECT32 dword [BUF], 0xaaaaaaaa
        fldcw [LIN(cw_pc24)]            ; precision 24 bits, nearest
        fld1
        fidiv dword [LIN(three_i)]
        fstp tword [BUF]
        EXPECT32 dword [BUF + 4], 0xaaaaab00
        EXPECT32 dword [BUF], 0
        fninit
        fld qword [LIN(two_d)]
        fsqrt
        fst qword [BUF]
        mov esi, LIN(msg_sqrt2)
        call print
        mov eax, [BUF + 4]
        call print_hex
        mov eax, [BUF]
        call print_hex
        call newline
        EXPECT32 dword [BUF + 4], 0x3ff6a09e
        EXPECT32 dword [BUF], 0x667f3bcd
        fld dword [LIN(two5_f)]         ; 2.5: FIST rounds to even -> 2
        fist dword [BUF]
        EXPECT32 dword [BUF], 2
        fldcw [LIN(cw_up)]
        fistp dword [BUF]               ; up -> 3
        EXPECT32 dword [BUF], 3
        fninit
        fldpi
        fldpi
        fcompp
        fnstsw ax
        and ax, 0x4700
        EXPECT32 ax, 0x4000             ; equal: C3
        fld1
        fldz
        fcomip st0, st1                 ; 0 < 1: CF
        jnc .f1
        jz .f1
        jmp .f2
.f1:    inc ebp
.f2:    fstp st0
        mov esi, LIN(msg_arith)
        call report

; ------------------------------------------------------------ masked exceptions
        fninit
        fld1
        fldz
        fdivp                           ; 1/0 = +inf, ZE
        fstp qword [BUF]
        EXPECT32 dword [BUF + 4], 0x7ff00000
        fnstsw ax
        EXPECT32 ax, 0x0004
        fnclex
        fldz
        fldz
        fdivp                           ; 0/0 = indefinite, IE
        fstp qword [BUF]
        EXPECT32 dword [BUF + 4], 0xfff80000
        fnstsw ax
        EXPECT32 ax, 0x0001
        fninit
        fadd st0, st1                   ; both empty: underflow, IE SF, C1 = 0
        fnstsw ax
        EXPECT32 ax, 0x0041
        fninit
        mov ecx, 9
.push:  fld1                            ; the 9th overflows: IE SF C1, TOP 7
        loop .push
        fnstsw ax
        EXPECT32 ax, 0x3a41
        fstp tword [BUF]                ; the masked response: indefinite
        EXPECT32 word [BUF + 8], 0xffff
        EXPECT32 dword [BUF + 4], 0xc0000000
        mov esi, LIN(msg_masked)
        call report

; ------------------------------------------------------------ #MF
        fninit
        fldcw [LIN(cw_zm)]              ; ZE unmasked
        fld1
        fldz
        mov dword [VECLOG], -1
        fdiv st1, st0                   ; ZE: pending, ST(1) unchanged
        fnstsw ax                       ; no-wait: no #MF
        EXPECT32 ax, 0xb084             ; B ES ZE, TOP 6
        EXPECT32 dword [VECLOG], -1
        fwait                           ; #MF here; the handler does FNCLEX
        EXPECT32 dword [VECLOG], 16
        fstp st0
        fstp qword [BUF]                ; 1.0 still there
        EXPECT32 dword [BUF + 4], 0x3ff00000
        mov dword [VECLOG], -1
        fldz
        fld1
        fdiv st0, st1                   ; 1/0 pending, ST(0) unchanged
        fld1                            ; a waiting insn: #MF before it runs
        EXPECT32 dword [VECLOG], 16
        fnstsw ax
        shr eax, 11
        and eax, 7
        EXPECT32 eax, 5                 ; the FLD1 ran after the handler
        mov esi, LIN(msg_mf)
        call report

; ------------------------------------------------------------ #NM
        fninit
        mov dword [VECLOG], -1
        mov dword [VECLOG + 8], 0
        mov eax, cr0
        or eax, 8                       ; TS
        mov cr0, eax
        fld1                            ; #NM, handler clears TS, retried
        EXPECT32 dword [VECLOG], 7
        mov eax, cr0
        or eax, 8                       ; TS with MP: WAIT faults
        mov cr0, eax
        fwait
        mov eax, cr0
        or eax, 4                       ; EM
        mov cr0, eax
        fnop
        EXPECT32 dword [VECLOG + 8], 3
        mov eax, cr0
        and eax, ~2                     ; MP = 0, TS: WAIT does not fault
        or eax, 8
        mov cr0, eax
        fwait
        clts
        EXPECT32 dword [VECLOG + 8], 3
        mov eax, cr0
        or eax, 2
        mov cr0, eax
        fnstsw ax
        shr eax, 11
        and eax, 7
        EXPECT32 eax, 7                 ; the FLD1 ran once
        mov esi, LIN(msg_nm)
        call report

; ------------------------------------------------------------ FNSAVE/FRSTOR
        fninit
        fld1
        fldpi
        fnsave [BUF]
        fnstsw ax
        EXPECT32 ax, 0                  ; FNSAVE reinitialises
        fnstcw [BUF + 200]
        EXPECT32 word [BUF + 200], 0x037f
        EXPECT32 word [BUF + 8], 0x0fff       ; tags: R6 R7 valid
        EXPECT32 dword [BUF + 28], 0x2168c235 ; ST(0) = pi
        EXPECT32 dword [BUF + 32], 0xc90fdaa2
        EXPECT32 word [BUF + 36], 0x4000
        frstor [BUF]
        fstp qword [BUF + 200]
        EXPECT32 dword [BUF + 204], 0x400921fb
        EXPECT32 dword [BUF + 200], 0x54442d18
        fstp qword [BUF + 200]
        EXPECT32 dword [BUF + 204], 0x3ff00000
        o16 fnsave [BUF]                ; 16-bit format: registers at +14
        EXPECT32 word [BUF + 2], 0x0020 ; SW at +2: empty stack, PE from storing pi
        EXPECT32 word [BUF + 4], 0xffff ; TW at +4
        mov esi, LIN(msg_save)
        call report

; ------------------------------------------------------------ FNSTENV formats
        fninit
fld1_pm:
        fld1
        fnstenv [BUF]
        EXPECT32 word [BUF + 0], 0x037f
        EXPECT32 word [BUF + 4], 0x3800
        EXPECT32 word [BUF + 8], 0x3fff
        EXPECT32 dword [BUF + 12], LIN(fld1_pm)
        EXPECT32 dword [BUF + 16], 0x01e80008   ; FOP << 16 | CS
        fldcw [BUF]                     ; FNSTENV masked everything: restore
        o16 fnstenv [BUF + 64]
        EXPECT32 word [BUF + 64], 0x037f
        EXPECT32 word [BUF + 66], 0x3800
        EXPECT32 word [BUF + 68], 0x3fff
        EXPECT32 word [BUF + 70], (fld1_pm - $$)
        EXPECT32 word [BUF + 72], 0x08
        fldenv [BUF]
        fnstsw ax
        EXPECT32 ax, 0x3800
        mov esi, LIN(msg_env)
        call report

; ------------------------------------------------------------ FXSAVE
        mov dword [VECLOG], -1
        mov dword [RESUME], LIN(.after)
        fxsave [BUF + 0x100]            ; no FXSR on pentium2: #UD
.after: EXPECT32 dword [VECLOG], 6
        mov esi, LIN(msg_fx)
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

; exception handler: EAX = vector (pushed by the stub)
handler:
        push eax
        mov eax, [esp + 4]
        mov [VECLOG], eax
        inc dword [VECLOG + 8]
        cmp eax, 16
        jne .nm
        fnclex
.nm:    cmp eax, 7
        jne .res
        mov eax, cr0
        and eax, ~0xc                   ; clear EM and TS
        mov cr0, eax
.res:   mov eax, [RESUME]
        test eax, eax
        jz .ret
        mov [esp + 8], eax              ; return EIP (vectors without error code)
        mov dword [RESUME], 0
.ret:   pop eax
        add esp, 4
        iret

        align 8
stubs:
%assign v 0
%rep 32
        push byte v                     ; 2 bytes + jmp (at most 5): 8-byte stubs
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

newline:
        mov al, 10
        out DEBUGCON, al
        ret

; print EAX as 8 hex digits
print_hex:
        push ecx
        mov ecx, 8
.d:     rol eax, 4
        push eax
        and al, 15
        add al, '0'
        cmp al, '9'
        jbe .o
        add al, 'A' - '0' - 10
.o:     out DEBUGCON, al
        pop eax
        loop .d
        pop ecx
        ret

; print the m80 at BUF as "SEXP MANTISSA" and a newline
print_m80:
        movzx eax, word [BUF + 8]
        shl eax, 16
        push ecx
        mov ecx, 4
.d:     rol eax, 4
        push eax
        and al, 15
        add al, '0'
        cmp al, '9'
        jbe .o
        add al, 'A' - '0' - 10
.o:     out DEBUGCON, al
        pop eax
        loop .d
        pop ecx
        mov al, ' '
        out DEBUGCON, al
        mov eax, [BUF + 4]
        call print_hex
        mov eax, [BUF]
        call print_hex
        jmp newline

three_f:   dd 3.0
three_i:   dd 3
two_d:     dq 2.0
two5_f:    dd 2.5
cw_down:   dw 0x077f
cw_up:     dw 0x0b7f
cw_pc24:   dw 0x007f
cw_zm:     dw 0x037b
msg_title: db "tx86 guest test: x87_basic", 10, 0
msg_rm:    db "real-mode FNSTENV format", 0
msg_init:  db "FNINIT state", 0
msg_third: db "1/3 = ", 0
msg_sqrt2: db "sqrt(2) = ", 0
msg_arith: db "arithmetic, rounding, precision, compares", 0
msg_masked: db "masked exceptions and stack faults", 0
msg_mf:    db "unmasked exception: #MF at the next waiting insn", 0
msg_nm:    db "#NM: CR0.TS, WAIT with MP+TS, CR0.EM", 0
msg_save:  db "FNSAVE/FRSTOR round trip", 0
msg_env:   db "FNSTENV/FLDENV 32- and 16-bit protected formats", 0
msg_fx:    db "FXSAVE without FXSR: #UD", 0
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
