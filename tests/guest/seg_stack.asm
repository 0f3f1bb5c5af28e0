; seg_stack.asm - guest test ROM: the SS limit checks of the implicit
; stack accesses done outside PUSH/POP: LEAVE (the read at SS:EBP, BP with
; a 16-bit stack), ENTER (the frame pointers it copies from SS:EBP-n, and
; the final ESP: #SS when there is no room for the locals), PUSHA/POPA, and real-mode IRET/RETF; in real mode (limit FFFF), with
; expand-up 32-bit, 16-bit (B=0) and expand-down stacks, 32- and 16-bit
; operand size and 16-bit code.  Every fault is #SS(0) (vector 0C) with ESP,
; EBP and the other registers unchanged.
; EXPECT-STATUS: 1
; TX86-ARGS: -no-reboot
;
; Line format: seg_lib.inc.  SDM references: vol. 2 "LEAVE", "ENTER",
; "PUSHA", "POPA", "IRET", "RET" (#SS(0) when an access is outside the
; stack segment limit; LEAVE reads through SS:EBP, or SS:BP when the stack
; is 16-bit), vol. 3 5.3 (limits, expand-down), 22.33.1 (real mode: a
; word at FFFF is #SS), 6.15 "Interrupt 12" (ENTER without room for its
; locals).  A push that faults on an expand-up stack leaves no
; room for the exception frame at the same privilege level, except when
; ESP is small and the pushes wrap below 0: "pusha esp=14" uses a #SS
; handler that needs only the 16 bytes of the frame.  QEMU 7.2 TCG checks
; none of these limits: it prints FF on the faulting lines and loses
; control at "real popa" (the stack pointer it leaves is unusable).
%define LIN(x)  (0xF0000 + (x))
%include "tests/guest/seg_lib.inc"

        bits 16
        org 0
rm_start:
        SEG_RM_INIT

        TRY_RM
        mov bp, 0xffff
        AT
        leave
        DONE_RM m_rm_leave, sp, bp
        TRY_RM
        mov word [0xfffe], 0x1234
        mov bp, 0xfffe
        leave
        DONE_RM m_rm_leave_ok, sp, bp
        TRY_RM
        mov bp, 1
        AT
        enter 0, 2
        DONE_RM m_rm_enter, sp, bp
        TRY_RM
        mov ax, 0x5555
        mov sp, 15
        AT
        pusha
        DONE_RM m_rm_pusha, sp
        TRY_RM
        mov di, 0x1111
        mov sp, 0xfff1
        AT
        popa
        DONE_RM m_rm_popa, sp, di
        TRY_RM
        mov sp, 0xfffd
        AT
        iret
        DONE_RM m_rm_iret, sp
        TRY_RM
        mov sp, 0xfffd
        AT
        retf
        DONE_RM m_rm_retf, sp
        jmp start

        bits 32
pm32:
        SEG_PM_INIT
        mov dword [DATA+0x1000], 0x55667788

        ; ---- LEAVE
        TRY
        mov ax, 0x20
        mov ss, ax
        mov esp, 0x800
        mov ebp, 0xffe
        AT
        leave
        DONE m_leave, esp, ebp
        TRY
        mov dword [DATA+0xffc], 0x11223344
        mov ax, 0x20
        mov ss, ax
        mov esp, 0x800
        mov ebp, 0xffc
        leave
        DONE m_leave_ok, esp, ebp
        TRY
        mov ax, 0x20
        mov ss, ax
        mov esp, 0x800
        mov ebp, 0xfff
        AT
        o16 leave
        DONE m_leave16, esp, ebp
        TRY
        mov ax, 0x40
        mov ss, ax
        mov esp, 0x800
        mov ebp, 0x12340fff
        AT
        leave
        DONE m_leave_ss16, esp, ebp
        TRY
        mov dword [DATA+0xffc], 0x11223344
        mov ax, 0x40
        mov ss, ax
        mov esp, 0x800
        mov ebp, 0x12340ffc
        leave
        DONE m_leave_ss16_ok, esp, ebp
        TRY
        mov ax, 0x28
        mov ss, ax
        mov esp, 0x8000
        mov ebp, 0xffe
        AT
        leave
        DONE m_leave_ed, esp, ebp
        TRY
        mov ax, 0x28
        mov ss, ax
        mov esp, 0x8000
        mov ebp, 0x1000
        leave
        DONE m_leave_ed_ok, esp, ebp
        TRY
        mov esp, 0x800
        mov ebp, 0xfff
        IN16
        mov ax, 0x40
        mov ss, ax
        ATO
        leave
        OUT16
        DONE m_leave_code16, esp, ebp

        ; ---- ENTER, PUSHA, POPA
        TRY
        mov ax, 0x20
        mov ss, ax
        mov esp, 0x800
        mov ebp, 0x2000
        AT
        enter 0, 2
        DONE m_enter, esp, ebp
        TRY
        mov ax, 0x20
        mov ss, ax
        mov esp, 0x800
        mov ebp, 0xf00
        enter 0, 2
        DONE m_enter_ok, esp, ebp
        TRY                             ; no room for the locals
        mov ax, 0x20
        mov ss, ax
        mov esp, 0x800
        mov ebp, 0x1234
        AT
        enter 0x900, 0
        DONE m_enter_alloc, esp, ebp
        TRY
        mov ax, 0x20
        mov ss, ax
        mov esp, 0x800
        enter 0x100, 0
        DONE m_enter_alloc_ok, esp, ebp
        TRY
        mov edi, IDT + 12*8             ; #SS handler without pushes
        mov eax, LIN(ss_tight)
        call set_gate
        mov ax, 0x20
        mov ss, ax
        mov esp, 0x14
        AT
        pusha
        DONE m_pusha, esp
        mov edi, IDT + 12*8
        mov eax, [LIN(seg_stubs) + 12*4]
        call set_gate
        TRY
        mov ax, 0x20
        mov ss, ax
        mov esp, 0xff0
        mov edi, 0x11111111
        AT
        popa
        DONE m_popa, esp, edi
        TRY
        mov ax, 0x20
        mov ss, ax
        mov esp, 0xfe0
        popa
        DONE m_popa_ok, esp
        TRY
        mov ax, 0x40
        mov ss, ax
        mov esp, 0xff8
        mov edi, 0x11111111
        AT
        o16 popa
        DONE m_popa16, esp, edi

        SEG_FINISH

; #SS during PUSHA with 16 bytes of stack left: record and resume
ss_tight:
        pop dword [ERR]
        pop dword [FEIP]
        push dword [RESUME]
        mov dword [VEC], 12
        iretd

        SEG_LIB_CODE

title:          db "tx86 guest test: seg_stack", 10, 0
m_rm_leave:     db "real leave bp=ffff", 0
m_rm_leave_ok:  db "real leave bp=fffe", 0
m_rm_enter:     db "real enter 0,2 bp=1", 0
m_rm_pusha:     db "real pusha sp=f", 0
m_rm_popa:      db "real popa sp=fff1", 0
m_rm_iret:      db "real iret sp=fffd", 0
m_rm_retf:      db "real retf sp=fffd", 0
m_leave:        db "leave ebp=ffe", 0
m_leave_ok:     db "leave ebp=ffc", 0
m_leave16:      db "o16 leave ebp=fff", 0
m_leave_ss16:   db "leave ss16 ebp=12340fff", 0
m_leave_ss16_ok: db "leave ss16 ebp=12340ffc", 0
m_leave_ed:     db "leave ed16 ebp=ffe", 0
m_leave_ed_ok:  db "leave ed16 ebp=1000", 0
m_leave_code16: db "code16 leave ss16 bp=fff", 0
m_enter:        db "enter 0,2 ebp=2000", 0
m_enter_ok:     db "enter 0,2 ebp=f00", 0
m_enter_alloc:  db "enter 900,0 esp=800", 0
m_enter_alloc_ok: db "enter 100,0 esp=800", 0
m_pusha:        db "pusha esp=14", 0
m_popa:         db "popa esp=ff0", 0
m_popa_ok:      db "popa esp=fe0", 0
m_popa16:       db "o16 popa ss16 esp=ff8", 0

        SEG_RESET_VECTOR
