; excp_triple.asm - triple fault resets the machine (SDM vol. 3, 6.15
; "Interrupt 8": a fault while delivering #DF enters shutdown; the PC's
; chipset turns shutdown into a CPU reset).  RAM survives the reset: the
; first boot sets a flag at 0x700 and faults with an IDT limit of 0 (INT3
; -> #GP -> #GP = #DF -> #GP = shutdown); the second boot finds the flag,
; checks that the CPU state was reset and exits.  Under -no-reboot tx86
; (like QEMU) exits with status 0 instead.
; EXPECT-STATUS: 1
; Oracle: qemu-system-i386 7.2 gives the same output.
%define TEST_REAL_START real_start
%include "tests/guest/excp_lib.inc"

        bits 16
real_start:
        cmp dword [0x700], 0x54524950           ; 'TRIP'
        je .second
        mov dword [0x700], 0x54524950
        mov si, msg_first
        call print16
        o32 lgdt [cs:lib_gdt_desc]              ; state that must not survive
        mov ax, 0x1234
        mov es, ax
        o32 lidt [cs:idt_zero]
        int3                                    ; #GP, #DF, shutdown
        mov si, msg_nope
        call print16
        hlt
.second:
        mov dword [0x700], 0
        xor cx, cx
        mov ax, es
        cmp ax, 0
        je .es
        inc cx
.es:    mov eax, cr0
        cmp eax, 0x60000010                     ; CD, NW, ET: the reset value
        je .cr0
        inc cx
.cr0:   mov eax, dr7
        cmp eax, 0x400
        je .dr7
        inc cx
.dr7:   mov si, msg_second
        call print16
        mov si, msg_pass
        test cx, cx
        jz .p
        mov si, msg_fail
.p:     call print16
        mov al, cl
        out DEBUGEXIT, al
        hlt

print16:
        mov al, [cs:si]
        inc si
        test al, al
        jz .d
        out DEBUGCON, al
        jmp print16
.d:     ret

idt_zero:   dw 0
            dd 0
msg_first:  db "first boot: triple fault", 10, 0
msg_nope:   db "no shutdown", 10, 0
msg_second: db "second boot after the reset, RAM kept, CPU reset", 0
msg_pass:   db ": PASS", 10, 0
msg_fail:   db ": FAIL", 10, 0

        bits 32
test_main:
        FINISH

        ROM_END
