; debug_bp.asm - debug registers: instruction breakpoints (faults, RF),
; data breakpoints (traps, write-only vs read/write, LEN and alignment),
; general detect (DR7.GD, DR6.BD), DR4/DR5 aliases.
; EXPECT-STATUS: 1
;
; SDM vol. 3, 17.2 (DR0-DR7 formats, 17.2.4 DR6 status, 17.2.5 LEN
; alignment), 17.3.1.1 (instruction breakpoint: a fault before the
; instruction; RF=1 in the image IRET pops suppresses it once), 17.3.1.2
; (data breakpoint: a trap after the instruction), 17.2.4 (GD: a fault on
; MOV DRn, BD set, GD cleared on entry to the handler), 17.2.2 (DR4/DR5
; alias DR6/DR7 while CR4.DE = 0), 17.2.4/17.2.5 (R/W = 10: I/O
; breakpoints, only with CR4.DE).
; Oracle: qemu-system-i386 7.2 gives the same output except for general
; detect: QEMU raises no #DB for MOV DRn with DR7.GD set (it does not
; implement GD), so that section prints FAIL under QEMU; 17.2.4 decides.
; The I/O breakpoint section also prints FAIL under QEMU 7.2 (no #DB after
; OUT to the watched port with CR4.DE); 17.2.5 decides.
%include "tests/guest/excp_lib.inc"

        bits 32
test_main:
; ---------------------------------------------------- instruction breakpoint
        mov eax, LIN(.ibp)
        mov dr0, eax
        mov eax, 0x00000402                     ; G0, R/W0 = 00 (execute), LEN0 = 00
        mov dr7, eax
        mov eax, 0xFFFF0FF0
        mov dr6, eax
        mov dword [R_SETRF], 1                  ; return with RF=1
        ARM 0
        xor ebx, ebx
        mov edx, 3
.loop:  nop
.ibp:   inc ebx                                 ; the breakpoint
        dec edx
        jnz .loop
        mov dword [R_SETRF], 0
        CHECK ebx, 3
        CHECK dword [R_HITS], 3                 ; once per pass, RF skips the retry
        CHECK dword [R_VEC], 1
        CHECK dword [R_EIP], LIN(.ibp)          ; a fault
        mov eax, dr6
        and eax, 0x0000E00F
        CHECK eax, 1                            ; B0
        mov ebx, [R_FL]
        and ebx, 0x10000
        CHECK ebx, 0                            ; the image had RF=0
        xor eax, eax
        mov dr7, eax
        REPORT "instruction breakpoint: fault, DR6.B0, RF resumes"

; ---------------------------------------------------- data breakpoints
        mov eax, 0xFFFF0FF0
        mov dr6, eax
        mov eax, 0x2000
        mov dr1, eax
        mov eax, 0x00D00008                     ; G1, R/W1 = 01 (write), LEN1 = 11 (4)
        mov dr7, eax
        ARM 0
        mov ebx, [0x2000]                       ; a read: no #DB
        CHECK dword [R_HITS], 0
        mov byte [0x2003], 5                    ; a write inside the 4 bytes
.w1:    CHECK dword [R_HITS], 1
        CHECK dword [R_VEC], 1
        CHECK dword [R_EIP], LIN(.w1)           ; a trap
        CHECK dword [R_DR6], 0xFFFF0FF2         ; B1
        CHECK byte [0x2003], 5                  ; the write happened
        ARM 0
        mov dword [0x2004], 1                   ; just outside: no #DB
        mov word [0x1FFF], 1                    ; overlaps the first byte
.w2:    CHECK dword [R_HITS], 1
        CHECK dword [R_EIP], LIN(.w2)
        ; R/W = 11, LEN = 01 (2 bytes): DR1 = 0x2003 is aligned down to 0x2002
        mov eax, 0x2003
        mov dr1, eax
        mov eax, 0x00700008                     ; G1, R/W1 = 11, LEN1 = 01
        mov dr7, eax
        ARM 0
        mov al, [0x2001]                        ; outside
        mov eax, [0x2000]                       ; a read covering 0x2002
.r1:    CHECK dword [R_HITS], 1
        CHECK dword [R_EIP], LIN(.r1)
        ARM 0
        push dword 7                            ; stack writes are watched too
        pop eax
        mov esp, 0x2004
        push dword 9
.r2:    mov esp, 0x90000
        CHECK dword [R_HITS], 1
        CHECK dword [R_EIP], LIN(.r2)
        xor eax, eax
        mov dr7, eax
        ARM 0
        mov dword [0x2000], 0                   ; disabled again
        CHECK dword [R_HITS], 0
        REPORT "data breakpoints: traps, write vs read/write, LEN alignment"

; ---------------------------------------------------- general detect
        mov eax, 0xFFFF0FF0
        mov dr6, eax
        mov eax, 0x2400                         ; GD
        mov dr7, eax
        ARM LIN(.gd_r)
.gd:    mov eax, dr0
.gd_r:  CHECK dword [R_VEC], 1
        CHECK dword [R_EIP], LIN(.gd)           ; a fault
        mov eax, dr6                            ; GD was cleared: no #DB now
        and eax, 0xE00F
        CHECK eax, 0x2000                       ; BD
        mov eax, dr7
        CHECK eax, 0x400
        REPORT "general detect: #DB fault, DR6.BD, GD cleared"

; ---------------------------------------------------- DR4/DR5 aliases
        mov eax, 0x0000000F
        mov dr6, eax
        db 0x0F, 0x21, 0xE0                     ; mov eax, dr4
        CHECK eax, 0xFFFF0FFF
        mov eax, 0x100
        db 0x0F, 0x23, 0xE8                     ; mov dr5, eax
        mov eax, dr7
        CHECK eax, 0x500
        xor eax, eax
        mov dr7, eax
        mov eax, cr4
        or eax, 8                               ; CR4.DE
        mov cr4, eax
        ARM LIN(.de_r)
.de:    db 0x0F, 0x21, 0xE0                     ; mov eax, dr4: #UD
.de_r:  CHECK dword [R_VEC], 6
        CHECK dword [R_EIP], LIN(.de)
        mov eax, cr4
        and eax, ~8
        mov cr4, eax
        REPORT "DR4/DR5 alias DR6/DR7; #UD with CR4.DE"

; ---------------------------------------------------- I/O breakpoint (CR4.DE)
        mov eax, 0xFFFF0FF0
        mov dr6, eax
        mov eax, 0x80
        mov dr2, eax
        mov eax, 0x02000020                     ; G2, R/W2 = 10 (I/O), LEN2 = 00
        mov dr7, eax
        ARM 0
        out 0x80, al                            ; CR4.DE = 0: R/W 10 undefined, ignored
        CHECK dword [R_HITS], 0
        mov eax, cr4
        or eax, 8
        mov cr4, eax
        ARM 0
        out 0x81, al                            ; another port
        CHECK dword [R_HITS], 0
        out 0x80, al
.io1:   CHECK dword [R_HITS], 1
        CHECK dword [R_EIP], LIN(.io1)          ; a trap
        mov eax, [R_DR6]
        and eax, 0xF
        CHECK eax, 4                            ; B2
        xor eax, eax
        mov dr7, eax
        mov eax, cr4
        and eax, ~8
        mov cr4, eax
        REPORT "I/O breakpoint with CR4.DE: trap after OUT"
        FINISH

        ROM_END
