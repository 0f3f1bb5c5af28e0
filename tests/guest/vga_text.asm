; vga_text.asm - guest test ROM: text written at 0xB8000 shows on the VGA
; text screen.
; EXPECT-STATUS: 1
; TX86-ARGS: --screendump-text -
;
; A 64 KiB ROM (nasm -f bin) like pmode.asm.  No VGA BIOS runs: the
; adapter's reset state is 80x25 colour text (mode 3).  The ROM writes
; characters and attributes at 0xB8000 (rows 0, 1 and 24, box-drawing
; characters from code page 437 included), reads them back through the
; odd/even window, moves the cursor with the CRTC, reports on the debug
; console (port 0xE9) and exits through isa-debug-exit (port 0xF4: 0 ->
; status 1).  tx86 then prints the text screen (--screendump-text -)
; after the console output; vga_text.expected holds both.  Under
; qemu-system-i386 -bios the console part is the same.

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
        mov ax, 0xB800
        mov es, ax
        mov si, msg_title
        call print16

        ; clear the screen: 2000 blanks, grey on black
        xor di, di
        mov ax, 0x0720
        mov cx, 80 * 25
        rep stosw

        ; row 0: the title, white on blue
        xor di, di
        mov si, line0
        mov ah, 0x1F
        call put_line
        ; row 1: a box-drawing frame
        mov di, 160
        mov si, line1
        mov ah, 0x0E
        call put_line
        ; row 24: the last row
        mov di, 160 * 24
        mov si, line24
        mov ah, 0x70
        call put_line

        ; read back through the window: character and attribute
        xor bp, bp
        cmp byte [es:0], 't'
        je .c1
        inc bp
.c1:    cmp byte [es:1], 0x1F
        je .c2
        inc bp
.c2:    cmp word [es:160 * 24], 0x7000 | 'E'
        je .c3
        inc bp
.c3:
        ; cursor to row 2, column 0 (CRTC 0x0E/0x0F)
        mov dx, 0x3D4
        mov ax, 0x000E
        out dx, ax
        mov ax, 0xA00F
        out dx, ax

        mov si, msg_read
        call print16
        mov si, msg_pass
        test bp, bp
        jz .ok
        mov si, msg_fail
.ok:    call print16
        mov al, 0
        test bp, bp
        jz .exit
        mov al, 1
.exit:  out DEBUGEXIT, al
        hlt
        jmp .exit

; DS:SI = NUL-terminated string, ES:DI = screen position, AH = attribute
put_line:
        lodsb
        test al, al
        jz .done
        stosw
        jmp put_line
.done:  ret

print16:
        lodsb
        test al, al
        jz .done
        out DEBUGCON, al
        jmp print16
.done:  ret

msg_title:  db "tx86 guest test: vga_text", 10, 0
msg_read:   db "text buffer read back", 0
msg_pass:   db ": PASS", 10, 0
msg_fail:   db ": FAIL", 10, 0
line0:      db "tx86 VGA text mode test: 80x25, colour", 0
line1:      db 0xDA, 0xC4, 0xC4, 0xC4, 0xBF, " box ", 0xB0, 0xB1, 0xB2, 0xDB, 0
line24:     db "End of screen (row 24)", 0

        times 0xFFF0 - ($ - $$) db 0xFF
        bits 16
        jmp 0xF000:start
        times 0x10000 - ($ - $$) db 0xFF
