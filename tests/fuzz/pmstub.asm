; pmstub.asm - the fixed part of the protected-mode fuzz ROMs (tests/fuzz).
;
; A 64 KiB image: from the reset vector it loads a GDT (flat ring-0 and
; ring-3 code/data, a 16-bit code and a small data segment), enters 32-bit
; protected mode and jumps to 0xF1000.  fuzzrom keeps bytes 0-0xFFF and the
; reset vector of this image and fills 0x1000-0xFFEF with random bytes.
        bits 16
        org 0
start16: cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7000
        o32 lgdt [cs:gdt_desc]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp dword 0x08:(0xF0000 + start32)
        bits 32
start32: mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x90000
        jmp 0x08:(0xF0000 + 0x1000)
        align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff
        dq 0x00cf92000000ffff
        dq 0x00cffa000000ffff
        dq 0x00cff2000000ffff
        dq 0x008f9a000000ffff
        dq 0x000f92000000ffff
gdt_desc: dw gdt_desc - gdt - 1
        dd 0xF0000 + gdt
        times 0xFFF0 - ($ - $$) db 0x90
        bits 16
        jmp 0xF000:start16
        times 0x10000 - ($ - $$) db 0xff
