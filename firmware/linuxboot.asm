; linuxboot.asm - tx86's option ROM for -kernel/-initrd/-append with a Linux
; bzImage: SeaBIOS runs it from the fw_cfg file "genroms/linuxboot.bin"
; (src/machine/loader.c puts it there with the items it reads).
;
; Follows the Linux x86 boot protocol 2.02+ (Documentation/x86/boot.rst,
; "Loading the rest of the kernel", "Running the kernel"):
;   1. copy the setup sectors to SETUP_ADDR (0x10000), the protected-mode
;      kernel to KERNEL_ADDR (0x100000), the initrd to INITRD_ADDR and the
;      command line to CMDLINE_ADDR (0x20000), all from fw_cfg items
;   2. fill the header fields a boot loader owns: type_of_loader = 0xff
;      (undefined loader), loadflags |= CAN_USE_HEAP, heap_end_ptr =
;      0xe000 - 0x200, cmd_line_ptr, ramdisk_image, ramdisk_size
;      (vid_mode is left as the kernel's default, "normal")
;   3. jump to the real-mode kernel at (setup segment + 0x20):0 with
;      DS = ES = FS = GS = SS = setup segment and SP = heap end, interrupts off
; The host checked the header (version, LOADED_HIGH, sizes) already.

%define ROM_NAME 'tx86 linuxboot'
ROM_SIZE        equ 1024
HEAP_END        equ 0xe000

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

        mov ax, FW_CFG_SETUP_ADDR
        mov bx, FW_CFG_SETUP_SIZE
        mov dx, FW_CFG_SETUP_DATA
        call copy_item
        mov ax, FW_CFG_KERNEL_ADDR
        mov bx, FW_CFG_KERNEL_SIZE
        mov dx, FW_CFG_KERNEL_DATA
        call copy_item
        mov ax, FW_CFG_INITRD_ADDR
        mov bx, FW_CFG_INITRD_SIZE
        mov dx, FW_CFG_INITRD_DATA
        call copy_item
        mov ax, FW_CFG_CMDLINE_ADDR
        mov bx, FW_CFG_CMDLINE_SIZE
        mov dx, FW_CFG_CMDLINE_DATA
        call copy_item

        ; the header (offsets from boot.rst)
        mov ax, FW_CFG_SETUP_ADDR
        call fw_read32
        shr eax, 4
        mov es, ax
        cmp dword [es:0x202], 'HdrS'
        jne .bad
        mov byte [es:0x210], 0xff               ; type_of_loader
        or byte [es:0x211], 0x80                ; loadflags: CAN_USE_HEAP
        mov word [es:0x224], HEAP_END - 0x200   ; heap_end_ptr
        mov ax, FW_CFG_CMDLINE_ADDR
        call fw_read32
        mov [es:0x228], eax                     ; cmd_line_ptr
        mov ax, FW_CFG_INITRD_SIZE
        call fw_read32
        mov [es:0x21c], eax                     ; ramdisk_size
        test eax, eax
        jz .noinitrd
        mov ax, FW_CFG_INITRD_ADDR
        call fw_read32
.noinitrd:
        mov [es:0x218], eax                     ; ramdisk_image (0: none)

        mov si, msg_go
        call print
        mov ax, es
        mov ds, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        mov sp, HEAP_END
        add ax, 0x20
        push ax
        push word 0
        retf
.bad:   mov si, msg_bad
        jmp fail

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

msg_boot: db ROM_NAME, ': loading the kernel', 13, 10, 0
msg_go:   db ROM_NAME, ': starting Linux', 13, 10, 0
msg_bad:  db ROM_NAME, ': the setup sectors have no HdrS header', 13, 10, 0

        times ROM_SIZE - 1 - ($ - $$) db 0
        db 0                        ; checksum: set by tx86's loader
