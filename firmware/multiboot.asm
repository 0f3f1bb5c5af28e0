; multiboot.asm - tx86's option ROM for -kernel with a multiboot v1 kernel
; (Multiboot Specification 0.6.96).  Design: tx86's loader
; (src/machine/loader.c) does the ELF / a.out-kludge parsing on the host and
; passes, through fw_cfg:
;   KERNEL_ADDR/SIZE/DATA  the kernel image, segments flattened, BSS zeroed
;   KERNEL_ENTRY           the entry point
;   SETUP_ADDR/SIZE/DATA   the multiboot information block with mem_lower/
;                          upper, cmdline, modules, boot loader name; below
;                          1 MiB, page aligned, where the kernel and modules
;                          are not (0x9000 unless a low kernel is there)
;   INITRD_ADDR/SIZE/DATA  the modules, page aligned
; This ROM moves its stack to the MB_STACK bytes after the block (a kernel
; may load anywhere in conventional memory, over 0x7C00 too), copies the
; block, adds the memory map (INT 15h E820 into the block's buffer at +0x800,
; mmap_length at +44) before anything overwrites low memory, then copies the
; kernel and modules (no BIOS call after that), enables A20 (port 0x92),
; switches to 32-bit protected mode with flat segments and jumps to the entry
; with EAX = 0x2BADB002, EBX = the information block, interrupts off, ESP at
; the top of the ROM's stack.

%define ROM_NAME 'tx86 multiboot'
ROM_SIZE        equ 1024
MMAP_OFF        equ 0x800       ; loader.h LOADER_MB_MMAP_OFF
MMAP_MAX        equ 0x800       ; LOADER_MB_MMAP_MAX
MB_BLOCK        equ 0x6000      ; LOADER_MB_BLOCK_SIZE
MB_STACK        equ 0x800       ; LOADER_MB_STACK

%include "firmware/fwcfg.inc"

boot:
        cli
        cld
        xor ax, ax
        mov ss, ax
        mov sp, 0x7c00
        mov si, msg_boot
        call print
        call fw_check

        mov ax, FW_CFG_SETUP_ADDR   ; the block's segment: SS = ES from here on
        call fw_read32
        shr eax, 4
        mov ss, ax
        mov sp, MB_BLOCK + MB_STACK
        mov es, ax
        mov ax, FW_CFG_SETUP_ADDR
        mov bx, FW_CFG_SETUP_SIZE
        mov dx, FW_CFG_SETUP_DATA
        call copy_item

        ; memory map: entries { u32 size = 20, u64 base, u64 length, u32 type }
        mov di, MMAP_OFF
        xor ebx, ebx
.e820:  mov dword [es:di], 20
        push di
        add di, 4
        mov eax, 0xe820
        mov edx, 'PAMS'             ; 'SMAP'
        mov ecx, 20
        int 0x15
        pop di
        jc .e820_done
        cmp eax, 'PAMS'
        jne .e820_done
        add di, 24
        test ebx, ebx
        jz .e820_done
        cmp di, MMAP_OFF + MMAP_MAX - 24
        jb .e820
.e820_done:
        sub di, MMAP_OFF
        movzx edi, di
        mov [es:44], edi            ; mmap_length
.nomap:
        mov ax, FW_CFG_KERNEL_ADDR
        mov bx, FW_CFG_KERNEL_SIZE
        mov dx, FW_CFG_KERNEL_DATA
        call copy_item
        mov ax, FW_CFG_INITRD_ADDR
        mov bx, FW_CFG_INITRD_SIZE
        mov dx, FW_CFG_INITRD_DATA
        call copy_item
        mov ax, FW_CFG_KERNEL_ENTRY
        call fw_read32
        mov esi, eax

        in al, 0x92                 ; fast A20
        or al, 2
        and al, 0xfe
        out 0x92, al

        mov ax, ss                  ; the block's linear address, for EBX
        movzx edi, ax
        shl edi, 4
        ; GDT pseudo-descriptor on the stack: the ROM's address is only known now
        mov ax, cs
        movzx eax, ax
        shl eax, 4
        mov ebp, eax                ; linear base of this ROM
        add eax, gdt
        push eax
        push word gdt_end - gdt - 1
        mov bx, sp
        lgdt [ss:bx]
        add sp, 6
        mov eax, cr0
        or al, 1
        mov cr0, eax
        lea eax, [ebp + pm32]
        push dword 0x08
        push eax
        o32 retf

        bits 32
pm32:   mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ebx, edi                ; the block (EDI: set before the switch)
        mov ss, ax
        lea esp, [ebx + MB_BLOCK + MB_STACK]
        mov eax, 0x2badb002
        jmp esi
        bits 16

; AX/BX/DX = the item numbers of address, size, data: copy it (size 0: nothing)
copy_item:
        push dx
        call fw_read32
        mov edi, eax
        mov ax, bx
        call fw_read32
        mov ecx, eax
        pop ax
        jmp fw_copy

        align 8
gdt:    dq 0
        dq 0x00cf9b000000ffff       ; 0x08: code, flat 4 GiB, 32-bit (accessed set: ROM)
        dq 0x00cf93000000ffff       ; 0x10: data, flat 4 GiB
gdt_end:

msg_boot: db ROM_NAME, ': loading the kernel', 13, 10, 0

        times ROM_SIZE - 1 - ($ - $$) db 0
        db 0                        ; checksum: set by tx86's loader
