; prot_gate.asm - guest test ROM: privilege transitions.  RETF to ring 3
; (outer return: SS:ESP popped, DS with DPL 0 nulled), CALL through a 32-bit
; call gate with two parameters to ring 0 (stack from the TSS, parameters
; copied, frame checked) and RETF 8 back, INT n through a DPL-3 interrupt
; gate from ring 3 (stack switch, frame), INT n to a DPL-0 gate from ring 3
; (#GP(vector*8+2)), CALL to conforming code (runs at CPL 3), and the
; privilege faults of far CALL, call gates, LDS and MOV SS at CPL 3.
; EXPECT-STATUS: 1
;
; Each line prints "name vv eeee [value]" (vv: vector raised, ff none).
; SDM references: vol. 3 5.8 (call gates, stack switching), 6.12
; (interrupt procedures), vol. 2 "CALL", "RET", "INT n".  Expected output
; checked against qemu-system-i386 (identical).
;
; Memory: GDT 0x1000, IDT 0x2000, TSS 0x3000 (SS0:ESP0 = 10:80000), ring-3
; stack 0x70000, saved frames at 0x600.
%define LIN(x)  (0xF0000 + (x))
%define GDT     0x1000
%define IDT     0x2000
%define TSS     0x3000
%define VEC     0x500
%define ERR     0x504
%define RESUME  0x508
%define SAVE    0x600

;   TRY
;       instructions
;   DONE name    (DONEV: also print EAX)
; runs the instructions with the fault handler armed, then reports
%macro TRY 0
%push try
        mov dword [VEC], 0xff
        mov dword [ERR], 0
        mov dword [RESUME], LIN(%$done)
%endmacro
%macro DONE 1
%$done:
        mov esi, LIN(%1)
        call report
%pop
%endmacro
%macro DONEV 1
%$done:
        mov esi, LIN(%1)
        call report_eax
%pop
%endmacro

%include "tests/guest/pm_lib.inc"

        bits 16
        org 0
        PM_ENTER

        bits 32
pm32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x90000
        mov edi, IDT
        xor ecx, ecx
.idt:   mov eax, ecx
        and eax, 31
        mov eax, [LIN(stubs) + eax*4]
        mov word [edi], ax
        mov word [edi+2], 0x08
        mov word [edi+4], 0x8E00
        shr eax, 16
        mov word [edi+6], ax
        add edi, 8
        inc ecx
        cmp ecx, 0x50
        jb .idt
        ; 0x40: DPL-3 interrupt gate; 0x41: DPL-0 gate
        mov eax, LIN(int40)
        mov word [IDT + 0x40*8], ax
        mov word [IDT + 0x40*8 + 4], 0xEE00
        shr eax, 16
        mov word [IDT + 0x40*8 + 6], ax
        lidt [LIN(idt_desc)]
        ; TSS: SS0:ESP0
        mov edi, TSS
        xor eax, eax
        mov ecx, 0x68 / 4
        rep stosd
        mov dword [TSS + 4], 0x80000
        mov dword [TSS + 8], 0x10
        mov ax, 0x28
        ltr ax
        mov esi, LIN(m_title)
        call print32
        ; IOPL 3 so that ring 3 can print
        pushfd
        or dword [esp], 0x3000
        popfd
        ; RETF to ring 3
        push dword 0x23
        push dword 0x70000
        push dword 0x1b
        push dword LIN(ring3)
        retf

ring3:
        mov eax, ds                     ; nulled by the outer return
        mov ebx, ss
        shl ebx, 16
        or eax, ebx
        mov ebx, eax
        mov ax, 0x23
        mov ds, ax
        mov es, ax
        mov eax, ebx
        TRY
        DONEV m_retf
        mov eax, cs
        TRY
        DONEV m_cs
        mov eax, esp
        TRY
        DONEV m_esp

        ; call gate 0x30 with two parameters
        push dword 0x11111111
        push dword 0x22222222
        call 0x30:0
        mov eax, esp
        TRY
        DONEV m_gate_back
        mov esi, LIN(m_gate_frame)
        call print32
        mov ecx, 0
.fr:    mov eax, [SAVE + ecx*4]
        call hex32
        inc ecx
        cmp ecx, 7
        jb .fr
        mov al, 10
        out 0xE9, al

        ; INT 0x40 through a DPL-3 interrupt gate
        int 0x40
        mov esi, LIN(m_int_frame)
        call print32
        mov ecx, 0
.fi:    mov eax, [SAVE + 0x40 + ecx*4]
        call hex32
        inc ecx
        cmp ecx, 7
        jb .fi
        mov al, 10
        out 0xE9, al

        TRY
        int 0x41
        DONE m_int_dpl
        TRY
        call 0x38:LIN(conforming)
        DONEV m_conf
        TRY
        call 0x08:LIN(conforming)
        DONE m_far_r0
        TRY
        call 0x48:0
        DONE m_gate_dpl0
        TRY
        call 0x53:0
        DONE m_gate_np
        TRY
        lds eax, [LIN(farptr_r0)]
        DONE m_lds_r0
        TRY
        mov ax, 0x10
        mov ss, ax
        DONE m_ss_r0
        TRY
        cli
        DONE m_cli

        mov esi, LIN(m_done)
        call print32
        mov al, 0
        out 0xF4, al
        jmp $

; ring 0 through the call gate: save the frame, return with RETF 8
gate_entry:
        mov eax, esp
        mov [SAVE], eax
        mov eax, ss
        mov [SAVE + 4], eax
        mov eax, [esp]                  ; return EIP: not printed (layout)
        mov eax, [esp + 4]              ; CS
        mov [SAVE + 8], eax
        mov eax, [esp + 8]              ; parameters
        mov [SAVE + 12], eax
        mov eax, [esp + 12]
        mov [SAVE + 16], eax
        mov eax, [esp + 16]             ; caller's ESP, SS
        mov [SAVE + 20], eax
        mov eax, [esp + 20]
        mov [SAVE + 24], eax
        retf 8

; ring 0 through INT 0x40: save the frame
int40:
        mov [SAVE + 0x40], esp
        mov eax, ss
        mov [SAVE + 0x44], eax
        mov eax, [esp + 4]
        mov [SAVE + 0x48], eax          ; CS
        mov eax, [esp + 8]
        and eax, 0x3200                 ; IOPL and IF of the pushed EFLAGS
        mov [SAVE + 0x4c], eax
        mov eax, [esp + 12]
        mov [SAVE + 0x50], eax          ; ESP
        mov eax, [esp + 16]
        mov [SAVE + 0x54], eax          ; SS
        pushfd
        pop eax
        and eax, 0x200                  ; IF cleared by the interrupt gate
        mov [SAVE + 0x58], eax
        iretd

conforming:
        mov eax, cs
        retf

%include "tests/guest/prot_lib.inc"


farptr_r0:  dd 0
            dw 0x10

m_title:    db "tx86 guest test: prot_gate", 10, 0
m_retf:     db "retf to ring 3: ss|ds", 0
m_cs:       db "ring 3 cs", 0
m_esp:      db "ring 3 esp", 0
m_gate_back: db "esp after retf 8", 0
m_gate_frame: db "call gate: esp ss cs p2 p1 esp ss", 0
m_int_frame: db "int 40: esp ss cs fl esp ss if", 0
m_int_dpl:  db "int 41 dpl 0 gate", 0
m_conf:     db "call conforming: cs", 0
m_far_r0:   db "call ring 0 code", 0
m_gate_dpl0: db "call gate dpl 0", 0
m_gate_np:  db "call gate not present", 0
m_lds_r0:   db "lds ring 0 data", 0
m_ss_r0:    db "mov ss ring 0 data", 0
m_cli:      db "cli iopl 3", 0
m_done:     db "done", 10, 0

        align 8
gdt:
        dq 0                            ; 0x00
        dq 0x00CF9B000000FFFF           ; 0x08 code, ring 0
        dq 0x00CF93000000FFFF           ; 0x10 data, ring 0
        dq 0x00CFFB000000FFFF           ; 0x18 code, ring 3
        dq 0x00CFF3000000FFFF           ; 0x20 data, ring 3
        dq 0x0000890030000067           ; 0x28 TSS at 0x3000
        dw (gate_entry - $$) & 0xffff, 0x08, 0xEC02, 0x000F  ; 0x30 call gate, 2 dwords
        dq 0x00CF9F000000FFFF           ; 0x38 conforming code, DPL 0
        dw (gate_entry - $$) & 0xffff, 0x08, 0x8C02, 0x000F  ; 0x40 call gate, DPL 0 (unused)
        dw (gate_entry - $$) & 0xffff, 0x08, 0x8C02, 0x000F  ; 0x48 call gate, DPL 0
        dw (gate_entry - $$) & 0xffff, 0x08, 0x6C02, 0x000F  ; 0x50 call gate, DPL 3, not present
gdt_end:
gdt_desc:
        dw gdt_end - gdt - 1
        dd GDT
idt_desc:
        dw 0x50 * 8 - 1
        dd IDT

        times 0xFFF0 - ($ - $$) db 0xFF
        bits 16
        jmp 0xF000:start
        times 0x10000 - ($ - $$) db 0xFF
