; debug_step.asm - single-step (EFLAGS.TF) and the interrupt shadow.
; EXPECT-STATUS: 1
;
; SDM vol. 3, 17.3.1.4 "Single-step exception condition": a #DB trap with
; DR6.BS after every instruction that starts with TF=1; none after the
; instruction that sets TF (POPF), one after the instruction that clears
; it.  6.8.3 "Masking exceptions and interrupts when switching stacks":
; after MOV SS / POP SS, debug traps wait until the next instruction has
; completed (one #DB, after both); STI only holds back maskable
; interrupts, not the single-step trap.  INT n/INT3 clear TF on entry to
; the handler and no single-step trap follows them (the handler runs
; untraced; stepping resumes after its IRET).
; The #DB handler logs each pushed EIP and DR6; the checks compare the log.
; Oracle: qemu-system-i386 7.2 agrees except on STI: QEMU also holds the
; single-step trap back for one instruction after STI (its one shadow flag
; covers both cases), which 6.8.3 only specifies for MOV SS/POP SS; the
; "sti" section prints FAIL under QEMU.
%include "tests/guest/excp_lib.inc"

%define LOGN (R_LOG)            ; number of entries
%define LOGDR6 (R_LOG + 4)      ; OR of DR6 seen
%define LOG  (R_LOG + 8)        ; EIPs

%macro TF_ON 0
        pushfd
        or dword [esp], 0x100
        popfd
%endmacro
%macro TF_OFF 0
        pushfd
        and dword [esp], ~0x100
        popfd
%endmacro
%macro LOG_RESET 0
        mov dword [LOGN], 0
        mov dword [LOGDR6], 0
%endmacro

        bits 32
test_main:
        mov eax, LIN(db_log)                    ; #DB gate -> the logger
        mov [IDT_BASE + 8], ax
        shr eax, 16
        mov [IDT_BASE + 8 + 6], ax

; -------------------------------------------------------- counting
        LOG_RESET
        TF_ON                                   ; no trap after this POPF
.a0:    nop
.a1:    mov eax, 1
.a2:    add eax, 2
.a3:    pushfd
.a4:    and dword [esp], ~0x100
.a5:    popfd                                   ; clears TF: still trapped
.a6:    nop
        CHECK dword [LOGN], 6
        CHECK dword [LOG + 0], LIN(.a1)
        CHECK dword [LOG + 4], LIN(.a2)
        CHECK dword [LOG + 8], LIN(.a3)
        CHECK dword [LOG + 20], LIN(.a6)
        CHECK dword [LOGDR6], 0xFFFF4FF0
        CHECK eax, 3
        REPORT "single step: one #DB per instruction, DR6.BS"

; -------------------------------------------------------- mov ss
        LOG_RESET
        mov bx, ss
        TF_ON
.b0:    mov ss, bx                              ; shadow: no trap here
.b1:    inc eax
.b2:    nop
        TF_OFF
        CHECK dword [LOG + 0], LIN(.b2)
        CHECK dword [LOGN], 5
        REPORT "mov ss delays the single-step trap by one instruction"

; -------------------------------------------------------- pop ss
        LOG_RESET
        push ss
        TF_ON
.c0:    pop ss
.c1:    inc eax
.c2:    nop
        TF_OFF
        CHECK dword [LOG + 0], LIN(.c2)
        REPORT "pop ss delays it too"

; -------------------------------------------------------- sti
        LOG_RESET
        TF_ON
.d0:    sti                                     ; IF 0 -> 1: a shadow, no #DB delay
.d1:    cli
.d2:    nop
        TF_OFF
        CHECK dword [LOG + 0], LIN(.d1)
        CHECK dword [LOG + 4], LIN(.d2)
        REPORT "sti does not delay the single-step trap"

; -------------------------------------------------------- int3
        LOG_RESET
        ARM 0
        TF_ON
.e0:    int3                                    ; handler runs with TF=0
.e1:    nop
.e2:    nop
        TF_OFF
        CHECK dword [R_VEC], 3
        mov ebx, [R_FL]
        and ebx, 0x100
        CHECK ebx, 0x100                        ; TF pushed as it was
        CHECK dword [LOG + 0], LIN(.e2)
        REPORT "no single-step trap after INT3; stepping resumes after IRET"
        FINISH

; the #DB logger: EIP and DR6 into the log, DR6 cleared
db_log:
        push eax
        push ebx
        mov ebx, [LOGN]
        cmp ebx, 64
        jae .full
        mov eax, [esp + 8]
        mov [LOG + ebx * 4], eax
        inc dword [LOGN]
.full:  mov eax, dr6
        or [LOGDR6], eax
        mov eax, 0xFFFF0FF0
        mov dr6, eax
        pop ebx
        pop eax
        iretd

        ROM_END
