; hint_nop_pm.asm - guest test ROM: the hint-NOP space in 32-bit protected
; mode with paging (SDM Vol. 2B "NOP", "PREFETCHh"; Vol. 2D Table A-3:
; 0F 18..1F are hint/reserved NOPs).
; EXPECT-STATUS: 1
;
; Every 0F 18..1F opcode with all 256 ModRM bytes (memory forms with SIB
; and disp8/disp32, all operands aimed at not-present pages), a pass with
; prefixes (66, 67 = 16-bit addressing, F2, F3, segment overrides), ENDBR32
; and ENDBR64, the recommended multi-byte NOPs of 1 to 11 bytes, PAUSE: no
; register, flag or memory change and no exception.  Then memory operands
; through segments whose limit they violate (byte-granular limit, expand-
; down, null selector): no #GP either, since a hint NOP issues no memory
; operation.  LOCK with a hint NOP is #UD.  Last, a hint NOP whose
; displacement lies in a not-present page is a fetch #PF at the
; instruction (CR2 = the page), one that ends at the page end runs, and
; the instruction after it faults at its own address.  An instruction of
; 16 bytes (hint NOP or not) is #GP(0), one of 15 runs (SDM Vol. 2A 2.3.11).
;
; Tables: PD 0x1000, PT0 0x2000 (identity 0-4 MiB, 0x21000 not present);
; copied GDT 0x4000; code copied to 0x20FF0-0x20FFF and 0x22FF0-0x23000.

%include "tests/guest/paging.inc"

%define PD  0x1000
%define PT0 0x2000
%define GDT_RAM 0x4000
%define UD_COUNT 0x620
%define SAVE 0x640              ; registers before a run of hint NOPs
%define MEMW 0x680              ; a word that must not change

; 0F op ModRM [SIB] [disp] with 32-bit addressing
%macro HNOP32 3                 ; op, modrm, sib
        db 0x0f, %1, %2
%assign %%mod (%2) >> 6
%assign %%rm (%2) & 7
%if %%mod != 3
 %if %%rm == 4
        db %3
  %if %%mod == 0 && ((%3) & 7) == 5
        dd 0x89abcdef
  %endif
 %elif %%mod == 0 && %%rm == 5
        dd 0xfedcba98
 %endif
 %if %%mod == 1
        db 0x81
 %elif %%mod == 2
        dd 0x76543210
 %endif
%endif
%endmacro

; 0F op ModRM [disp] with 16-bit addressing (after a 67 prefix)
%macro HNOP16 2                 ; op, modrm
        db 0x0f, %1, %2
%assign %%mod (%2) >> 6
%assign %%rm (%2) & 7
%if %%mod == 0 && %%rm == 6
        dw 0xfff0
%elif %%mod == 1
        db 0x7f
%elif %%mod == 2
        dw 0xffff
%endif
%endmacro

; one legacy prefix other than LOCK, by number 0-9 (9 = 67)
%macro PFX 1
%if (%1) == 0
        db 0x66
%elif (%1) == 1
        db 0xf2
%elif (%1) == 2
        db 0xf3
%elif (%1) == 3
        db 0x2e
%elif (%1) == 4
        db 0x36
%elif (%1) == 5
        db 0x3e
%elif (%1) == 6
        db 0x26
%elif (%1) == 7
        db 0x64
%elif (%1) == 8
        db 0x65
%else
        db 0x67
%endif
%endmacro

test_main:
        ; ------------------------------------------------ tables, #UD gate
        mov edi, PD
        mov ecx, 2 * 1024
        xor eax, eax
        rep stosd
        mov dword [PD], PT0 | PG_P | PG_W
        xor ecx, ecx
.id:    mov eax, ecx
        shl eax, 12
        or eax, PG_P | PG_W
        mov [PT0 + ecx * 4], eax
        inc ecx
        cmp ecx, 1024
        jb .id
        mov dword [PT0 + 0x21 * 4], 0   ; 0x21000 not present
        mov eax, PD
        call paging_on
        mov eax, LIN(ud_catch)
        mov word [IDT_BASE + 6 * 8], ax
        shr eax, 16
        mov word [IDT_BASE + 6 * 8 + 6], ax
        mov dword [MEMW], 0x5a5aa5a5

        ; ------------------------------------------------ every ModRM
        call load_regs
        TRY call all_modrm
        call check_regs
        EXPECT_NOFAULT
        mov esi, LIN(msg_modrm)
        call report32

        ; ------------------------------------------------ with prefixes
        call load_regs
        TRY call prefixed
        call check_regs
        EXPECT_NOFAULT
        mov esi, LIN(msg_prefixed)
        call report32

        ; ------------------------------------------------ ENDBR, NOPs, PAUSE
        call load_regs
        TRY call classic
        call check_regs
        EXPECT_NOFAULT
        mov esi, LIN(msg_classic)
        call report32

        ; ------------------------------------------------ segment limits
        mov esi, LIN(gdt)
        mov edi, GDT_RAM
        mov ecx, gdt_end - gdt
        rep movsb
        mov dword [edi], 0x00000fff     ; 0x30: data, base 0, limit 0xfff (bytes)
        mov dword [edi + 4], 0x00009200
        mov dword [edi + 8], 0x0000ffff ; 0x38: expand-down, B=1: 0x10000..4G
        mov dword [edi + 12], 0x00409600
        mov word [gdtr_ram], gdt_end - gdt + 16 - 1
        mov dword [gdtr_ram + 2], GDT_RAM
        lgdt [gdtr_ram]
        mov ax, 0x30
        mov es, ax
        mov ax, 0x38
        mov fs, ax
        xor ax, ax
        mov gs, ax
        call load_regs
        TRY call limits
        call check_regs
        EXPECT_NOFAULT
        mov ax, 0x10
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov esi, LIN(msg_limits)
        call report32

        ; ------------------------------------------------ LOCK: #UD
        mov dword [UD_COUNT], 0
        TRY db 0xf0, 0x0f, 0x1f, 0x00
        EXPECT32 dword [UD_COUNT], 1
        TRY db 0xf0, 0xf3, 0x0f, 0x1e, 0xfb
        EXPECT32 dword [UD_COUNT], 2
        TRY db 0xf0, 0x0f, 0x18, 0x08
        EXPECT32 dword [UD_COUNT], 3
        TRY db 0x66, 0xf0, 0x0f, 0x19, 0xc0
        EXPECT32 dword [UD_COUNT], 4
        EXPECT_NOFAULT
        mov esi, LIN(msg_lock)
        call report32

        ; ------------------------------------------------ page boundary
        mov esi, LIN(snip_a)            ; 0f 1f 80 | disp32 in the absent page
        mov edi, 0x20ffd
        mov ecx, 3
        rep movsb
        mov eax, 0x20ffd
        TRY jmp eax
        EXPECT_PF 0x00, 0x21000
        EXPECT32 dword [PF_EIP], 0x20ffd
        mov esi, LIN(snip_c)            ; 0f 1f 80 00 00 | 00 00
        mov edi, 0x20ffb
        mov ecx, 5
        rep movsb
        mov eax, 0x20ffb
        TRY jmp eax
        EXPECT_PF 0x00, 0x21000
        EXPECT32 dword [PF_EIP], 0x20ffb
        mov esi, LIN(snip_b)            ; 0f 1f 00 | (next insn absent)
        mov edi, 0x20ffd
        mov ecx, 3
        rep movsb
        mov eax, 0x20ffd
        TRY jmp eax
        EXPECT_PF 0x00, 0x21000
        EXPECT32 dword [PF_EIP], 0x21000
        mov esi, LIN(snip_d)            ; 66 0f 1f 84 00 00 | 00 00 00 ret, both present
        mov edi, 0x22ffa
        mov ecx, 10
        rep movsb
        mov eax, 0x22ffa
        TRY call eax
        EXPECT_NOFAULT
        mov esi, LIN(msg_page)
        call report32

        ; ------------------------------------------------ over 15 bytes: #GP(0)
        TRY db 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00
        EXPECT32 dword [GP_COUNT], 1
        EXPECT32 dword [GP_ERR], 0
        TRY db 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x0f, 0x19, 0xc0
        EXPECT32 dword [GP_COUNT], 1
        TRY db 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x01, 0xc0
        EXPECT32 dword [GP_COUNT], 1
        TRY db 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x90
        EXPECT32 dword [GP_COUNT], 1
        TRY db 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00
        EXPECT_NOFAULT                  ; exactly 15 bytes: a NOP
        mov esi, LIN(msg_long)
        call report32

        jmp finish

; #UD: count it, resume at [RECOVER]
ud_catch:
        inc dword [UD_COUNT]
        push eax
        mov eax, [RECOVER]
        mov [esp + 4], eax
        pop eax
        iret

load_regs:
        mov eax, 0x80000000
        mov ebx, 0x90001000
        mov ecx, 0xc0000000
        mov edx, 0xfffffff0
        mov esi, 0x00400000
        mov edi, 0x7ffff000
        mov ebp, 0xa0000000
        push dword 0x8d7                ; CF PF AF ZF SF OF
        popfd
        mov [SAVE], eax
        mov [SAVE + 4], ebx
        mov [SAVE + 8], ecx
        mov [SAVE + 12], edx
        mov [SAVE + 16], esi
        mov [SAVE + 20], edi
        mov [SAVE + 24], ebp
        mov [SAVE + 28], esp
        ret

; compare with SAVE (flags first); leaves EBP = 0 for the failure count
check_regs:
        pushfd
        cmp dword [esp], 0x8d7 | 2
        jne .bad
        add esp, 4
        cmp [SAVE], eax
        jne .bad4
        cmp [SAVE + 4], ebx
        jne .bad4
        cmp [SAVE + 8], ecx
        jne .bad4
        cmp [SAVE + 12], edx
        jne .bad4
        cmp [SAVE + 16], esi
        jne .bad4
        cmp [SAVE + 20], edi
        jne .bad4
        cmp [SAVE + 24], ebp
        jne .bad4
        cmp [SAVE + 28], esp
        jne .bad4
        xor ebp, ebp
        EXPECT32 dword [MEMW], 0x5a5aa5a5
        ret
.bad:   add esp, 4
.bad4:  mov ebp, 1
        mov dword [LASTLINE], 0
        ret

all_modrm:
%assign op 0x18
%rep 8
 %assign m 0
 %rep 256
        HNOP32 op, m, ((m * 37 + op) & 0xff)
  %assign m m + 1
 %endrep
 %assign op op + 1
%endrep
        ret

prefixed:
%assign k 0
%rep 512
 %assign p1 (k % 10)
 %assign p2 ((k / 10 + 3) % 10)
 %assign op 0x18 + (k % 8)
 %assign m ((k * 53) & 0xff)
        PFX p1
 %if k % 3 == 0
        PFX p2
 %endif
 %if p1 == 9 || (k % 3 == 0 && p2 == 9)
        HNOP16 op, m
 %else
        HNOP32 op, m, ((k * 11) & 0xff)
 %endif
 %assign k k + 1
%endrep
        ret

classic:
        db 0xf3, 0x0f, 0x1e, 0xfb                               ; endbr32
        db 0xf3, 0x0f, 0x1e, 0xfa                               ; endbr64
        db 0x0f, 0x1e, 0xfb
        db 0xf2, 0x0f, 0x1e, 0xfb
        db 0x66, 0xf3, 0x0f, 0x1e, 0xfb
        db 0x0f, 0x18, 0x00, 0x0f, 0x18, 0x08                   ; prefetchnta/t0 [eax]
        db 0x0f, 0x18, 0x13, 0x0f, 0x18, 0x1e                   ; prefetcht1 [ebx], t2 [esi]
        db 0x90                                                 ; 1
        db 0x66, 0x90                                           ; 2
        db 0x0f, 0x1f, 0x00                                     ; 3
        db 0x0f, 0x1f, 0x40, 0x00                               ; 4
        db 0x0f, 0x1f, 0x44, 0x00, 0x00                         ; 5
        db 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00                   ; 6
        db 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00             ; 7
        db 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00       ; 8
        db 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 ; 9
        db 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00        ; 10
        db 0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00  ; 11
        db 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 ; 15
        db 0xf3, 0x90                                           ; pause
        ret

; memory operands through ES (limit 0xfff), FS (expand-down, offsets
; below 0x10000 invalid), GS (null), and plain accesses past the limits
limits:
        db 0x26, 0x0f, 0x1f, 0x05, 0x00, 0x10, 0x00, 0x00       ; es:[0x1000]
        db 0x26, 0x0f, 0x18, 0x04, 0x24                         ; es:[esp]
        db 0x26, 0x66, 0x0f, 0x1f, 0x44, 0x24, 0xff             ; es:[esp-1]
        db 0x26, 0x67, 0x0f, 0x1f, 0x06, 0xff, 0xff             ; es:[0xffff] (16-bit)
        db 0x64, 0x0f, 0x1f, 0x05, 0x00, 0x00, 0x00, 0x00       ; fs:[0]
        db 0x64, 0x0f, 0x18, 0x0d, 0xff, 0xff, 0x00, 0x00       ; fs:[0xffff]
        db 0x64, 0x67, 0x0f, 0x19, 0x07                         ; fs:[bx]
        db 0x65, 0x0f, 0x1f, 0x00                               ; gs:[eax], null
        db 0x65, 0x0f, 0x18, 0x00                               ; prefetchnta gs:[eax]
        db 0x65, 0xf3, 0x0f, 0x1e, 0x3d, 0x00, 0x00, 0x00, 0x00 ; gs:[0]
        db 0x65, 0x66, 0x67, 0x0f, 0x1f, 0x84, 0x00, 0x00       ; gs:[si]
        ret

snip_a: db 0x0f, 0x1f, 0x80
snip_b: db 0x0f, 0x1f, 0x00
snip_c: db 0x0f, 0x1f, 0x80, 0x00, 0x00
snip_d: db 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc3

gdtr_ram: equ 0x660

msg_title:    db "tx86 guest test: hint_nop_pm", 10, 0
msg_modrm:    db "0F 18..1F, all 256 ModRM bytes, operands not present", 0
msg_prefixed: db "0F 18..1F with prefixes (66 67 F2 F3 2E 36 3E 26 64 65)", 0
msg_classic:  db "ENDBR32/64, PREFETCHh, 1-15 byte NOPs, PAUSE", 0
msg_limits:   db "operands past segment limits, null segment", 0
msg_lock:     db "LOCK hint NOP: #UD", 0
msg_page:     db "hint NOPs at a page boundary", 0
msg_long:     db "longer than 15 bytes: #GP(0)", 0

        ROM_END
