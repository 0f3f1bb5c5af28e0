; tests/boot/payload_bs.asm - the tiny payload of the floppy and CD boot
; tests (floppy.sh, cdrom.sh): a boot sector that SYSLINUX/ISOLINUX chain
; loads at 0000:7C00 ("KERNEL payload.bs").  It prints a marker on COM1
; only (polling the 16550's LSR, the port as SeaBIOS left it: the BIOS
; console may be mirrored to COM1 too, which would interleave), then ends
; the emulator through isa-debug-exit at port 0xF4: status (0x10 << 1) | 1
; = 33.
; Build: nasm -f bin -o payload.bs tests/boot/payload_bs.asm
bits 16
org 0x7c00
start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7c00
    mov si, msg
.next:
    lodsb
    test al, al
    jz .done
    mov bl, al
    mov dx, 0x3fd                   ; LSR: wait for THR empty
    mov cx, 0xffff
.wait:
    in al, dx
    test al, 0x20
    jnz .send
    loop .wait
.send:
    mov al, bl
    mov dx, 0x3f8
    out dx, al
    jmp .next
.done:
    mov dx, 0xf4
    mov al, 0x10
    out dx, al
.halt:
    hlt
    jmp .halt
msg db "TX86-BOOT-PAYLOAD-OK", 13, 10, 0
times 510 - ($ - $$) db 0
dw 0xaa55
