; seg_code.asm - guest test ROM: the CS limit.  An instruction that starts
; inside the limit but ends past it, straight-line execution running off
; the end of CS, and every near transfer whose target is past the limit
; (JMP rel/r/m, Jcc taken and not taken, CALL rel/r, RET, RET imm, LOOP,
; JECXZ) fault with #GP(0) at the instruction, nothing changed (CALL has
; not pushed, LOOP has not decremented ECX, RET has not popped); far JMP
; and IRETD to an offset past the limit too.  The same code runs with a
; larger limit without a fault (translated code must not be reused across
; limits).  32-bit and 16-bit code segments, and real mode (an instruction
; crossing offset FFFF).  Whether IP wraps to 0 after an instruction that
; ends exactly at FFFF in 16-bit code is not tested (the SDM does not say).
; EXPECT-STATUS: 1
; TX86-ARGS: -no-reboot
;
; Line format: seg_lib.inc.  The code segments 48 (32-bit) and 50 (16-bit)
; are based at the ROM (F0000), so their offsets are the labels below;
; their limits are set per probe (mkdesc).  SDM references: vol. 3 5.3
; (limit checking covers instruction fetches), vol. 2 "JMP", "Jcc",
; "CALL", "RET", "LOOP", "JCXZ/JECXZ" ("IF tempEIP is not within code
; segment limit THEN #GP(0)", checked before anything is written), "IRET";
; vol. 3 22.33.1 (real mode: an instruction crossing offset FFFF is #GP).
; QEMU 7.2 TCG checks the CS limit only in the far JMP ("far jmp past the
; limit"); on every other faulting line it prints FF.
%define LIN(x)  (0xF0000 + (x))
%include "tests/guest/seg_lib.inc"

%define CODE32  0x48
%define CODE16  0x50

; CODE32 / CODE16 with limit %1
%macro LIM32 1
        DESC CODE32, 0xF0000, %1, 0x9B, 4
%endmacro
%macro LIM16 1
        DESC CODE16, 0xF0000, %1, 0x9B, 0
%endmacro

        bits 16
        org 0
rm_start:
        SEG_RM_INIT

        TRY_RM                          ; mov ax, imm16 at 1000:FFFE
        mov ax, 0x1000
        mov es, ax
        mov byte [es:0xfffe], 0xb8
        mov byte [es:0xffff], 0x34
        mov ax, 0x2000
        mov es, ax
        mov byte [es:0], 0x12
        mov ax, 0x1000                  ; 1000:0001: jmp F000:done (without the check)
        mov es, ax
        mov byte [es:1], 0xea
        mov word [es:2], .done
        mov word [es:4], 0xF000
        AT_EQU 0xfffe
        jmp 0x1000:0xfffe
.done:
        DONE_RM m_rm_cross
        jmp start

        bits 32
pm32:
        SEG_PM_INIT

        ; ---- fetch
        TRY
        LIM32 c_mov + 2
        xor eax, eax
        jmp CODE32:c_mov
        AT_EQU c_mov
        DONE m_cross, eax
        TRY
        LIM32 c_mov + 4
        xor eax, eax
        jmp CODE32:c_mov
        AT_EQU c_mov + 5
        DONE m_cross_end, eax
        TRY
        LIM32 c_run_end - 1
        xor eax, eax
        jmp CODE32:c_run
        DONE m_run_ok, eax
        TRY
        LIM32 c_run_at - 1
        xor eax, eax
        jmp CODE32:c_run
        AT_EQU c_run_at
        DONE m_run_off, eax

        ; ---- near transfers
        TRY
        LIM32 c_jmp_far + 5
        jmp CODE32:c_jmp
        DONE m_jmp_ok, eax
        TRY
        LIM32 c_jmp_far - 1
        jmp CODE32:c_jmp
        AT_EQU c_jmp_at
        DONE m_jmp, eax
        TRY
        LIM32 c_jcc_far - 1
        stc
        jmp CODE32:c_jcc_at
        AT_EQU c_jcc_at
        DONE m_jcc
        TRY
        LIM32 c_jcc_far - 1
        clc
        jmp CODE32:c_jcc_at
        DONE m_jcc_not
        TRY
        LIM32 c_call_far - 1
        jmp CODE32:c_call_at
        AT_EQU c_call_at
        DONE m_call, esp
        TRY
        LIM32 c_call_far - 1
        mov eax, c_call_far
        jmp CODE32:c_calli_at
        AT_EQU c_calli_at
        DONE m_calli, esp
        TRY
        LIM32 c_call_far - 1
        mov dword [0x540], c_call_far
        jmp CODE32:c_jmpm_at
        AT_EQU c_jmpm_at
        DONE m_jmpm
        TRY
        LIM32 c_call_far - 1
        push dword c_call_far
        jmp CODE32:c_ret_at
        AT_EQU c_ret_at
        DONE m_ret, esp
        TRY
        LIM32 c_call_far - 1
        push dword c_call_far
        jmp CODE32:c_ret8_at
        AT_EQU c_ret8_at
        DONE m_ret8, esp
        TRY
        LIM32 c_loop_far - 1
        mov ecx, 5
        jmp CODE32:c_loop_at
        AT_EQU c_loop_at
        DONE m_loop, ecx
        TRY
        LIM32 c_loop_far - 1
        mov ecx, 1
        jmp CODE32:c_loop_at
        DONE m_loop_not, ecx
        TRY
        LIM32 c_loop_far - 1
        xor ecx, ecx
        jmp CODE32:c_jecxz_at
        AT_EQU c_jecxz_at
        DONE m_jecxz, ecx

        ; ---- far transfers to an offset past the limit
        TRY
        LIM32 c_jmp_far - 1
        AT
        jmp CODE32:c_jmp_far
        DONE m_farjmp
        TRY
        LIM32 c_jmp_far - 1
        pushfd
        push dword CODE32
        push dword c_jmp_far
        AT
        iretd
        DONE m_iretd, esp

        ; ---- 16-bit code segment
        TRY
        LIM16 d_mov + 1
        xor eax, eax
        jmp CODE16:d_mov
        AT_EQU d_mov
        DONE m16_cross, eax
        TRY
        LIM16 d_jmp_far + 8
        xor eax, eax
        jmp CODE16:d_jmp_at
        DONE m16_jmp_ok, eax
        TRY
        LIM16 d_jmp_far - 1
        xor eax, eax
        jmp CODE16:d_jmp_at
        AT_EQU d_jmp_j
        DONE m16_jmp, eax
        TRY
        LIM16 d_jmp_far - 1
        o16 push word d_jmp_far
        jmp CODE16:d_ret_at
        AT_EQU d_ret_at
        DONE m16_ret, esp

        SEG_FINISH

; ---- code run in CODE32 (offsets from the ROM start)
c_mov:  mov eax, 0x11223344             ; 5 bytes
        jmp far [BACK]

c_run:  inc eax
        inc eax
c_run_at:
        inc eax
        jmp far [BACK]
c_run_end:

c_jmp:  mov eax, 0x1111
c_jmp_at:
        jmp short c_jmp_far
        jmp far [BACK]
c_jmp_far:
        jmp far [BACK]

c_jcc_at:
        jc c_jcc_far
        jmp far [BACK]
c_jcc_far:
        jmp far [BACK]

c_call_at:
        call c_call_far
        jmp far [BACK]
c_calli_at:
        call eax
        jmp far [BACK]
c_jmpm_at:
        jmp [0x540]
c_ret_at:
        ret
c_ret8_at:
        ret 8
        jmp far [BACK]
c_call_far:
        jmp far [BACK]

c_loop_at:
        loop c_loop_far
        jmp far [BACK]
c_jecxz_at:
        jecxz c_loop_far
        jmp far [BACK]
c_loop_far:
        jmp far [BACK]

; ---- code run in CODE16
        bits 16
d_mov:  mov ax, 0x1234                  ; 3 bytes
        jmp dword far [BACK]
d_jmp_at:
        mov ax, 0x2222
d_jmp_j:
        jmp short d_jmp_far
        jmp dword far [BACK]
d_ret_at:
        ret
        jmp dword far [BACK]
d_jmp_far:
        jmp dword far [BACK]
        bits 32

        SEG_LIB_CODE

title:          db "tx86 guest test: seg_code", 10, 0
m_rm_cross:     db "real insn at 1000:fffe crosses ffff", 0
m_cross:        db "insn crosses the limit", 0
m_cross_end:    db "insn ends at the limit, the next one past it", 0
m_run_ok:       db "straight line, limit at the end", 0
m_run_off:      db "straight line runs off the limit", 0
m_jmp_ok:       db "jmp short, target inside", 0
m_jmp:          db "jmp short past the limit", 0
m_jcc:          db "jc taken past the limit", 0
m_jcc_not:      db "jc not taken", 0
m_call:         db "call rel past the limit", 0
m_calli:        db "call eax past the limit", 0
m_jmpm:         db "jmp [m32] past the limit", 0
m_ret:          db "ret past the limit", 0
m_ret8:         db "ret 8 past the limit", 0
m_loop:         db "loop past the limit", 0
m_loop_not:     db "loop not taken", 0
m_jecxz:        db "jecxz past the limit", 0
m_farjmp:       db "far jmp past the limit", 0
m_iretd:        db "iretd past the limit", 0
m16_cross:      db "code16 insn crosses the limit", 0
m16_jmp_ok:     db "code16 jmp short, target inside", 0
m16_jmp:        db "code16 jmp short past the limit", 0
m16_ret:        db "code16 ret past the limit", 0

        SEG_RESET_VECTOR
