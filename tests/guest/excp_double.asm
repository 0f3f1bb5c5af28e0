; excp_double.asm - exception classes (SDM vol. 3, 6.15 "Interrupt 8",
; table 6-5): a contributory exception during the delivery of a
; contributory one is a double fault (#DF, error code 0); a benign first
; exception lets the second one through serially; #PF then #GP is a #DF.
; EXPECT-STATUS: 1
; Oracle: qemu-system-i386 7.2 gives the same output except the last line:
; it pushes #NP(0x32) without the EXT bit, which the SDM (6.13) sets for an
; exception during the delivery of an exception (0x33).
%include "tests/guest/excp_lib.inc"

        bits 32
test_main:
; ------------------------------------------------- #GP during #NP delivery
        mov word [IDT_BASE + 11 * 8 + 2], 0x1000        ; #NP gate -> bad selector
        ARM LIN(.df1_r)
        mov ax, 0x18
.df1:   mov ds, ax                                      ; #NP(0x18)
.df1_r: mov ax, 0x10
        mov ds, ax
        mov word [IDT_BASE + 11 * 8 + 2], 0x08
        CHECK dword [R_VEC], 8
        CHECK dword [R_ERR], 0
        CHECK dword [R_HITS], 1
        REPORT "#GP while delivering #NP -> #DF(0)"

; ------------------------------------------------- #GP during #GP delivery
        mov word [IDT_BASE + 13 * 8 + 2], 0x1000        ; #GP gate -> bad selector
        ARM LIN(.df2_r)
        mov ax, 0x1000
.df2:   mov es, ax                                      ; #GP(0x1000)
.df2_r: mov word [IDT_BASE + 13 * 8 + 2], 0x08
        CHECK dword [R_VEC], 8
        CHECK dword [R_ERR], 0
        REPORT "#GP while delivering #GP -> #DF(0)"

; ------------------------------------------------- #GP during #PF delivery
        mov edi, 0x10000
        xor eax, eax
        push ecx
        mov ecx, 2048
        rep stosd
        pop ecx
        mov dword [0x10000], 0x11000 | 3
        mov edi, 0x11000
        mov eax, 3
.pt:    stosd
        add eax, 0x1000
        cmp edi, 0x12000
        jb .pt
        mov eax, 0x10000
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov word [IDT_BASE + 14 * 8 + 2], 0x1000        ; #PF gate -> bad selector
        ARM LIN(.df3_r)
.df3:   mov eax, [0x400000]                             ; #PF
.df3_r: mov word [IDT_BASE + 14 * 8 + 2], 0x08
        CHECK dword [R_VEC], 8
        CHECK dword [R_ERR], 0
        REPORT "#GP while delivering #PF -> #DF(0)"

; ------------------------------------------------- #PF during #GP delivery: serial
        mov eax, [IDT_BASE + 13 * 8]                    ; #GP gate -> handler at an
        mov [0x5E0], eax                                ; unmapped address
        mov eax, [IDT_BASE + 13 * 8 + 4]
        mov [0x5E4], eax
        mov word [IDT_BASE + 13 * 8], 0
        mov word [IDT_BASE + 13 * 8 + 6], 0x0040        ; offset 0x400000
        ARM LIN(.s1_r)
        mov ax, 0x1000
.s1:    mov es, ax                                      ; #GP, then #PF fetching 0x400000
.s1_r:  mov eax, [0x5E0]
        mov [IDT_BASE + 13 * 8], eax
        mov eax, [0x5E4]
        mov [IDT_BASE + 13 * 8 + 4], eax
        CHECK dword [R_VEC], 14
        CHECK dword [R_EIP], 0x400000
        mov eax, cr2
        CHECK eax, 0x400000
        add esp, 16                                     ; the #GP frame (err, eip, cs, fl)
        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        REPORT "#PF in the #GP handler's fetch is not a #DF"

; ------------------------------------------------- benign first: #NP after #UD
        and byte [IDT_BASE + 6 * 8 + 5], 0x7F           ; #UD gate not present
        ARM LIN(.s2_r)
.s2:    ud2
.s2_r:  or byte [IDT_BASE + 6 * 8 + 5], 0x80
        CHECK dword [R_VEC], 11
        CHECK dword [R_ERR], 6 * 8 + 3
        CHECK dword [R_EIP], LIN(.s2)
        REPORT "#NP while delivering #UD is delivered serially"
        FINISH

        ROM_END
