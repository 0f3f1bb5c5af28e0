; prot_seg.asm - guest test ROM: segment register loads with their exact
; exceptions and error codes, segment limits and types on data accesses
; (real mode, expand-up, expand-down 16/32-bit, read-only, execute-only,
; null), LDT use, LAR/LSL/VERR/VERW/ARPL, SGDT/SIDT/SLDT/STR/SMSW/LMSW/LTR.
; EXPECT-STATUS: 1
;
; Each probe prints "name vv eeee [value]": vv the exception vector it
; raised (ff: none), eeee the error code; the fault handler resumes at the
; next probe.  SDM references: vol. 2 "MOV" (segment register loads),
; vol. 3 5.3 (limit checking, expand-down), 5.4-5.6 (type and privilege
; checks), 20.1 and vol. 2 "Real-address mode exceptions" (real mode
; limits).  Expected output derived from the SDM and checked against
; qemu-system-i386: it agrees on every descriptor load, LAR/LSL/VERR/VERW/
; ARPL and store line, but QEMU TCG does no segment limit or type checks on
; data accesses at all, so on the lines marked (limit) below QEMU prints
; "ff 0000" where the SDM (and Bochs) raise the exception shown.
;
; Memory: GDT 0x1000 (RAM, so accessed/busy bits can be written), LDT
; 0x1800, IDT 0x2000, TSS 0x3000, test data 0x200000, stack 0x90000.
%define LIN(x)  (0xF0000 + (x))
%define GDT     0x1000
%define LDT     0x1800
%define IDT     0x2000
%define VEC     0x500           ; last vector
%define ERR     0x504           ; its error code
%define RESUME  0x508           ; where the handler resumes
%define SCRATCH 0x520

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
        ; real mode: #GP (13) and #SS (12) through the IVT
        mov word [13*4], rm_fault13
        mov word [13*4+2], 0xF000
        mov word [12*4], rm_fault12
        mov word [12*4+2], 0xF000
        mov si, m_title
        call print16
        ; word at DS:FFFF crosses the 64 KiB limit: #GP (limit)
        mov byte [VEC], 0xff
        mov word [RESUME], .r1
        mov bx, 0xffff
        mov ax, [bx]
.r1:    mov si, m_rm_word
        call rm_report
        ; byte at DS:FFFF is fine
        mov byte [VEC], 0xff
        mov word [RESUME], .r2
        mov al, [bx]
.r2:    mov si, m_rm_byte
        call rm_report
        ; 32-bit addressing beyond the limit: #GP (limit)
        mov byte [VEC], 0xff
        mov word [RESUME], .r3
        mov ebx, 0x10000
        mov al, [ebx]
.r3:    mov si, m_rm_addr32
        call rm_report
        ; SS-relative beyond the limit: #SS (limit)
        mov byte [VEC], 0xff
        mov word [RESUME], .r4
        xor ebp, ebp
        mov ax, [bp-1]                  ; SS:FFFF
.r4:    mov si, m_rm_ss
        call rm_report

        ; copy GDT and LDT to RAM, enter protected mode
        mov ax, cs
        mov ds, ax
        mov si, gdt
        mov di, GDT
        mov cx, gdt_end - gdt
        rep movsb
        mov si, ldt
        mov di, LDT
        mov cx, ldt_end - ldt
        rep movsb
        xor ax, ax
        mov ds, ax
        lgdt [cs:gdt_desc]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp dword 0x08:LIN(pm32)

rm_fault13:
        mov byte [VEC], 13
        jmp rm_fault
rm_fault12:
        mov byte [VEC], 12
rm_fault:
        push bp
        mov bp, sp
        mov ax, [RESUME]
        mov [bp+2], ax
        pop bp
        iret

; print "name vv" in real mode (si = name in the ROM segment)
rm_report:
        push ds
        mov ax, cs
        mov ds, ax
        call print16
        pop ds
        mov al, [VEC]
        call hex8_16
        mov al, 10
        out 0xE9, al
        ret

print16:
        lodsb
        test al, al
        jz .d
        out 0xE9, al
        jmp print16
.d:     ret

hex8_16:
        push ax
        mov al, ' '
        out 0xE9, al
        pop ax
        push ax
        shr al, 4
        call .nib
        pop ax
.nib:   and al, 15
        add al, '0'
        cmp al, '9'
        jbe .o
        add al, 7
.o:     out 0xE9, al
        ret

        bits 32
pm32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        mov esp, 0x90000
        ; IDT: vectors 0-31 -> fault handler stubs
        mov edi, IDT
        mov ecx, 0
.idt:   mov eax, [LIN(stubs) + ecx*4]
        mov word [edi], ax
        mov word [edi+2], 0x08
        mov word [edi+4], 0x8E00
        shr eax, 16
        mov word [edi+6], ax
        add edi, 8
        inc ecx
        cmp ecx, 32
        jb .idt
        lidt [LIN(idt_desc)]
        mov esi, LIN(m_pm)
        call print32

        ; ---- segment register loads
        TRY
        mov ax, 0x30
        mov ds, ax
        DONE m_np
        TRY
        mov ax, 0x30
        mov ss, ax
        DONE m_ss_np
        TRY
        xor ax, ax
        mov ss, ax
        DONE m_ss_null
        TRY
        mov ax, 0x18
        mov ss, ax
        DONE m_ss_ro
        TRY
        mov ax, 0x38
        mov ss, ax
        DONE m_ss_dpl
        TRY
        mov ax, 0x13
        mov ss, ax
        DONE m_ss_rpl
        TRY
        mov ax, 0x40
        mov ds, ax
        DONE m_xonly
        TRY
        mov ax, 0x4b
        mov ds, ax
        DONE m_conf
        mov ax, 0x10
        mov ds, ax
        TRY
        mov ax, 0x68
        mov es, ax
        DONE m_sys
        TRY
        mov ax, 0x1000
        mov fs, ax
        DONE m_beyond
        TRY
        mov ax, 0x5b
        mov gs, ax
        DONE m_rpl
        TRY
        mov ax, 0x59
        mov gs, ax
        DONE m_dpl1
        TRY
        mov ax, 0x04
        mov gs, ax
        DONE m_nullldt
        mov ax, 0x50
        lldt ax
        TRY
        mov ax, 0x04
        mov gs, ax
        mov eax, [gs:0x200000]
        DONE m_ldt
        TRY
        mov ax, 0x1c
        mov gs, ax
        DONE m_ldt_lim
        TRY
        push dword 0x30
        pop ds
        DONE m_popds
        add esp, 4
        mov ax, 0x10
        mov ds, ax

        ; ---- limits and types of data accesses
        mov dword [0x200000], 0x11223344
        mov dword [0x200ffc], 0x55667788
        mov ax, 0x60                    ; base 0x200000, limit 0xfff
        mov es, ax
        TRY
        mov eax, [es:0xffc]
        DONEV m_up_ok
        TRY
        mov eax, [es:0xffd]
        DONE m_up_over
        TRY
        mov byte [es:0x1000], 1
        DONE m_up_wr
        mov ax, 0x18                    ; read-only, base 0x200000
        mov es, ax
        TRY
        mov eax, [es:0]
        DONEV m_ro_rd
        TRY
        mov [es:0], eax
        DONE m_ro_wr
        TRY
        add [es:0], eax
        DONE m_ro_rmw
        mov ax, 0x20                    ; expand-down, B=0, limit 0xfff
        mov es, ax
        TRY
        mov al, [es:0xfff]
        DONE m_ed_low
        TRY
        mov al, [es:0x1000]
        DONE m_ed_ok
        TRY
        mov al, [es:0xffff]
        DONE m_ed_top
        TRY
        mov ax, [es:0xffff]
        DONE m_ed_word
        TRY
        mov al, [es:0x10000]
        DONE m_ed_past
        mov ax, 0x28                    ; expand-down, B=1, limit 0xffff
        mov es, ax
        TRY
        mov al, [es:0xffff]
        DONE m_ed32_lo
        TRY
        mov al, [es:0x10000]
        DONE m_ed32_ok
        TRY
        mov [cs:LIN(scratch_rom)], eax
        DONE m_cs_wr
        TRY
        mov eax, [cs:LIN(const_rom)]
        DONEV m_cs_rd
        TRY
        xor ax, ax
        mov es, ax
        mov eax, [es:0]
        DONE m_null_rd
        mov ax, 0x10
        mov es, ax
        ; SS with a 4 KiB limit: pushes, pops and EBP-based accesses
        mov ax, 0x60
        mov ss, ax
        mov esp, 0x1000
        TRY
        push eax
        DONE m_ss_push
        TRY
        xor ebp, ebp
        mov eax, [ebp+0xffe]
        DONE m_ss_ebp
        TRY
        mov esp, 0xffe
        pop eax
        DONE m_ss_pop
        mov ax, 0x10
        mov ss, ax
        mov esp, 0x90000

        ; ---- LAR, LSL, VERR, VERW, ARPL (ZF printed as the value's bit 31)
        TRY
        mov eax, 0x12345678
        lar eax, [LIN(sel_08)]
        call zf_bit
        DONEV m_lar_code
        TRY
        lar eax, [LIN(sel_70)]
        call zf_bit
        DONEV m_lar_gate
        TRY
        mov eax, 0x12345678
        xor ecx, ecx
        lar eax, ecx
        call zf_bit
        DONEV m_lar_null
        TRY
        mov eax, 0x12345678
        mov ecx, 0x13
        lar eax, ecx
        call zf_bit
        DONEV m_lar_rpl
        TRY
        mov ecx, 0x4b
        lar eax, ecx
        call zf_bit
        DONEV m_lar_conf
        TRY
        mov ecx, 0x60
        lsl eax, ecx
        call zf_bit
        DONEV m_lsl_60
        TRY
        mov ecx, 0x08
        lsl eax, ecx
        call zf_bit
        DONEV m_lsl_08
        TRY
        mov ecx, 0x68
        lsl eax, ecx
        call zf_bit
        DONEV m_lsl_tss
        TRY
        mov eax, 0x1234
        mov ecx, 0x70
        lsl eax, ecx
        call zf_bit
        DONEV m_lsl_gate
        TRY
        xor eax, eax
        mov cx, 0x40
        verr cx
        call zf_bit
        DONEV m_verr_x
        TRY
        xor eax, eax
        mov cx, 0x48
        verr cx
        call zf_bit
        DONEV m_verr_c
        TRY
        xor eax, eax
        mov cx, 0x18
        verw cx
        call zf_bit
        DONEV m_verw_ro
        TRY
        xor eax, eax
        mov cx, 0x10
        verw cx
        call zf_bit
        DONEV m_verw_rw
        TRY
        xor eax, eax
        mov cx, 0x13
        verw cx
        call zf_bit
        DONEV m_verw_rpl
        TRY
        mov eax, 0xabcd0010
        mov ebx, 3
        arpl ax, bx
        call zf_bit
        DONEV m_arpl1
        TRY
        mov eax, 0x00000013
        mov ebx, 1
        arpl ax, bx
        call zf_bit
        DONEV m_arpl2

        ; ---- descriptor-table and machine-status stores
        TRY
        sgdt [SCRATCH]
        mov eax, [SCRATCH+2]
        shl eax, 16
        mov ax, [SCRATCH]
        DONEV m_sgdt
        TRY
        mov eax, 0xffffffff
        sldt eax
        DONEV m_sldt
        TRY
        mov ax, 0x68
        ltr ax
        mov eax, 0xffffffff
        str eax
        DONEV m_ltr
        TRY
        mov eax, [GDT+0x6c]
        DONEV m_busy
        TRY
        mov ax, 0x68
        ltr ax
        DONE m_ltr2
        TRY
        smsw eax
        and eax, 0x8000003f
        DONEV m_smsw
        TRY
        mov ax, 0x0e
        lmsw ax
        mov eax, cr0
        and eax, 0x8000003f
        DONEV m_lmsw
        TRY
        mov dword [SCRATCH], 0xffffffff
        smsw [SCRATCH]
        mov eax, [SCRATCH]
        and eax, 0xffff003f
        DONEV m_smswm
        clts
        mov ax, 0
        lmsw ax                         ; clears MP and EM, keeps PE
        TRY
        mov eax, cr0
        and eax, 0x8000003f
        DONEV m_lmsw0

        mov esi, LIN(m_done)
        call print32
        mov al, 0
        out 0xF4, al
        hlt

; bit 31 of EAX := ZF
zf_bit:
        pushfd
        and eax, 0x7fffffff
        test dword [esp], 0x40
        jz .z
        or eax, 0x80000000
.z:     popfd
        ret

%include "tests/guest/prot_lib.inc"

sel_08:     dw 0x08
sel_70:     dw 0x70
scratch_rom: dd 0
const_rom:  dd 0xc0dec0de

m_title:    db "tx86 guest test: prot_seg", 10, 0
m_rm_word:  db "real word at ffff (limit)", 0
m_rm_byte:  db "real byte at ffff", 0
m_rm_addr32: db "real [ebx=10000] (limit)", 0
m_rm_ss:    db "real [bp+ffff] (limit)", 0
m_pm:       db "protected mode", 10, 0
m_np:       db "ds not present", 0
m_ss_np:    db "ss not present", 0
m_ss_null:  db "ss null", 0
m_ss_ro:    db "ss read-only", 0
m_ss_dpl:   db "ss dpl 3", 0
m_ss_rpl:   db "ss rpl 3", 0
m_xonly:    db "ds execute-only", 0
m_conf:     db "ds conforming rpl 3", 0
m_sys:      db "es tss", 0
m_beyond:   db "fs beyond gdt", 0
m_rpl:      db "gs rpl 3 dpl 1", 0
m_dpl1:     db "gs rpl 1 dpl 1", 0
m_nullldt:  db "gs ldt null ldtr", 0
m_ldt:      db "gs ldt entry", 0
m_ldt_lim:  db "gs beyond ldt", 0
m_popds:    db "pop ds not present", 0
m_up_ok:    db "up dword at ffc", 0
m_up_over:  db "up dword at ffd (limit)", 0
m_up_wr:    db "up byte at 1000 (limit)", 0
m_ro_rd:    db "ro read", 0
m_ro_wr:    db "ro write (limit)", 0
m_ro_rmw:   db "ro add (limit)", 0
m_ed_low:   db "ed16 byte at fff (limit)", 0
m_ed_ok:    db "ed16 byte at 1000", 0
m_ed_top:   db "ed16 byte at ffff", 0
m_ed_word:  db "ed16 word at ffff (limit)", 0
m_ed_past:  db "ed16 byte at 10000 (limit)", 0
m_ed32_lo:  db "ed32 byte at ffff (limit)", 0
m_ed32_ok:  db "ed32 byte at 10000", 0
m_cs_wr:    db "cs write (limit)", 0
m_cs_rd:    db "cs read", 0
m_null_rd:  db "null es read (limit)", 0
m_ss_push:  db "ss push at fffc", 0
m_ss_ebp:   db "ss [ebp+ffe] (limit)", 0
m_ss_pop:   db "ss pop at ffe (limit)", 0
m_lar_code: db "lar 08", 0
m_lar_gate: db "lar call gate", 0
m_lar_null: db "lar null", 0
m_lar_rpl:  db "lar rpl 3 dpl 0", 0
m_lar_conf: db "lar conforming", 0
m_lsl_60:   db "lsl 60", 0
m_lsl_08:   db "lsl 08", 0
m_lsl_tss:  db "lsl tss", 0
m_lsl_gate: db "lsl call gate", 0
m_verr_x:   db "verr execute-only", 0
m_verr_c:   db "verr readable code", 0
m_verw_ro:  db "verw read-only", 0
m_verw_rw:  db "verw data", 0
m_verw_rpl: db "verw rpl 3", 0
m_arpl1:    db "arpl 10,3", 0
m_arpl2:    db "arpl 13,1", 0
m_sgdt:     db "sgdt", 0
m_sldt:     db "sldt eax", 0
m_ltr:      db "ltr, str eax", 0
m_busy:     db "tss busy", 0
m_ltr2:     db "ltr busy", 0
m_smsw:     db "smsw eax", 0
m_lmsw:     db "lmsw 0e", 0
m_smswm:    db "smsw m16", 0
m_lmsw0:    db "lmsw 0", 0
m_done:     db "done", 10, 0

        align 8
gdt:
        dq 0                            ; 0x00
        dq 0x00CF9B000000FFFF           ; 0x08 code, flat
        dq 0x00CF93000000FFFF           ; 0x10 data, flat
        dq 0x0040912000000FFF           ; 0x18 read-only, base 0x200000, limit 0xfff
        dq 0x0000972000000FFF           ; 0x20 expand-down B=0, limit 0xfff
        dq 0x004097000000FFFF           ; 0x28 expand-down B=1, limit 0xffff
        dq 0x00CF13000000FFFF           ; 0x30 data, not present
        dq 0x00CFF3000000FFFF           ; 0x38 data, DPL 3
        dq 0x00CF99000000FFFF           ; 0x40 code, execute-only
        dq 0x00CF9F000000FFFF           ; 0x48 code, readable, conforming
        dq 0x0000820018000017           ; 0x50 LDT at 0x1800, 3 entries
        dq 0x00CFB3000000FFFF           ; 0x58 data, DPL 1
        dq 0x0040932000000FFF           ; 0x60 data, base 0x200000, limit 0xfff
        dq 0x0000890030000067           ; 0x68 32-bit TSS at 0x3000
        dq 0x0000EC0000080000           ; 0x70 call gate -> 08:0, DPL 3
gdt_end:
gdt_desc:
        dw gdt_end - gdt - 1
        dd GDT
idt_desc:
        dw 32 * 8 - 1
        dd IDT
ldt:
        dq 0x00CF93000000FFFF           ; 0x04 data, flat
        dq 0x00CF93000000FFFF           ; 0x0c
        dq 0x00CF93000000FFFF           ; 0x14 (0x1c is beyond the limit)
ldt_end:

        times 0xFFF0 - ($ - $$) db 0xFF
        bits 16
        jmp 0xF000:start
        times 0x10000 - ($ - $$) db 0xFF
