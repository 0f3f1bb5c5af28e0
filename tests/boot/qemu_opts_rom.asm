; tests/boot/qemu_opts_rom.asm - the -bios ROM of tests/boot/qemu_opts.sh
; (-nodefaults, -pidfile, -daemonize).  A 64 KiB real-mode ROM: it reports
; on the debug console (port 0xE9) whether COM1 answers (its scratch
; register at 0x3FF reads back) and whether a VGA answers (the sequencer
; index at 0x3C4 reads back), says hello on COM1 when there is one, then
; lives about two seconds (two changes of the RTC's seconds) so the test
; sees it running, and exits through isa-debug-exit (port 0xF4: 0 ->
; status 1).
; Build: nasm -f bin -o qemu_opts_rom.bin tests/boot/qemu_opts_rom.asm
%define DEBUGCON  0xE9
%define DEBUGEXIT 0xF4

        bits 16
        org 0
start:
        cli
        cld
        xor ax, ax
        mov ss, ax
        mov sp, 0x7000
        mov ax, cs
        mov ds, ax

        mov si, msg_com1
        call print
        mov dx, 0x3ff                   ; COM1 scratch register
        mov al, 0x5a
        out dx, al
        in al, dx
        cmp al, 0x5a
        je .com1_yes
        mov si, msg_absent
        call print
        jmp .vga
.com1_yes:
        mov si, msg_present
        call print
        mov si, msg_hello               ; a line on COM1 (THR; tx86's UART
.hello: lodsb                           ; takes bytes at once)
        test al, al
        jz .vga
        mov dx, 0x3f8
        out dx, al
        jmp .hello

.vga:   mov si, msg_vga
        call print
        mov dx, 0x3c4                   ; sequencer index
        mov al, 0x02
        out dx, al
        in al, dx
        cmp al, 0x02
        je .vga_yes
        mov si, msg_absent
        call print
        jmp .wait
.vga_yes:
        mov si, msg_present
        call print

.wait:  mov cx, 2                       ; two changes of the RTC seconds
        call rtc_sec
        mov bl, al
.tick:  call rtc_sec
        cmp al, bl
        je .tick
        mov bl, al
        loop .tick
        mov si, msg_done
        call print
        mov al, 0
        out DEBUGEXIT, al
        hlt
        jmp $

rtc_sec:
        mov al, 0
        out 0x70, al
        in al, 0x71
        ret

print:  lodsb
        test al, al
        jz .done
        out DEBUGCON, al
        jmp print
.done:  ret

msg_com1:    db "COM1: ", 0
msg_vga:     db "VGA: ", 0
msg_present: db "present", 10, 0
msg_absent:  db "absent", 10, 0
msg_done:    db "ROM done", 10, 0
msg_hello:   db "hello from COM1", 13, 10, 0

        times 0xFFF0 - ($ - $$) db 0xFF
        bits 16
        jmp 0xF000:start
        times 0x10000 - ($ - $$) db 0xFF
