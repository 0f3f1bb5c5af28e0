; display_rom.asm - the guest ROM of make check-display (tests/display/).
;
; A 64 KiB ROM, real mode, interrupts off, no VGA BIOS.  It programs the
; VGA registers for mode 13h (320x200, 256 colours, chain-4) itself, loads
; a DAC palette and draws a pattern (pixel = (x XOR y) + y/8), so the
; screen is known and has many colours.  It enables the PS/2 keyboard
; (set 1 through the i8042's translation) and the PS/2 mouse (A8, D4 F4),
; prints "READY\n" on the debug console (port 0xE9), then forever reads the
; controller's bytes and prints each as "K xx\n" (keyboard) or "M xx\n"
; (mouse), hex.  Each keyboard make code (bit 7 clear) also draws an 8x8
; block of colour = the code, left to right along the bottom rows, so the
; screen changes as keys arrive.
;
; Esc (make code 01) switches the screen to a Bochs VBE mode, 640x480x8
; (cleared: black), and turns the i8042's translation off: from then on
; the guest sees the keyboard's own scancode set 2 (a = 1C, release F0 1C).
; The tests check that the window and VNC follow the size change.
;
; V (make code 2F) turns the VMware vmmouse on in absolute mode (the
; backdoor, port 0x5658: READ_ID, DATA, REQUEST_ABSOLUTE), and off again
; (DISABLE); while it is on, after each mouse byte the ROM reads the queued
; positions and prints each as "A bbbbbbbb xxxxxxxx yyyyyyyy\n" (buttons,
; x and y in 0..FFFF, hex).
bits 16
org 0

start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov word [0x500], 0             ; next block's x
    mov byte [0x502], 0             ; 1 once Esc switched to VBE
    mov byte [0x503], 0             ; 1 while the vmmouse is absolute

    ; ---- mode 13h by registers
    mov dx, 0x3c2
    mov al, 0x63
    out dx, al                      ; misc output: colour, 25 MHz, RAM on
    mov dx, 0x3c4                   ; sequencer
    mov si, seq_regs
    mov cx, 5
    xor bl, bl
.seq: mov al, bl
    out dx, al
    inc dx
    cs lodsb
    out dx, al
    dec dx
    inc bl
    loop .seq
    mov dx, 0x3d4                   ; CRTC: unlock CR0-7 first
    mov ax, 0x0e11
    out dx, ax
    mov si, crtc_regs
    mov cx, 25
    xor bl, bl
.crtc: mov al, bl
    out dx, al
    inc dx
    cs lodsb
    out dx, al
    dec dx
    inc bl
    loop .crtc
    mov dx, 0x3ce                   ; graphics controller
    mov si, gc_regs
    mov cx, 9
    xor bl, bl
.gc: mov al, bl
    out dx, al
    inc dx
    cs lodsb
    out dx, al
    dec dx
    inc bl
    loop .gc
    mov dx, 0x3da
    in al, dx                       ; attribute flip-flop to index
    mov dx, 0x3c0
    mov si, ac_regs
    mov cx, 21
    xor bl, bl
.ac: mov al, bl
    out dx, al
    cs lodsb
    out dx, al
    inc bl
    loop .ac
    mov al, 0x20                    ; palette address source: display on
    out dx, al

    ; ---- DAC: colour i = (i*7, i*13, i*3) mod 64
    mov dx, 0x3c8
    xor al, al
    out dx, al
    inc dx
    xor bx, bx
.dac: mov al, bl
    mov ah, 7
    mul ah
    and al, 63
    out dx, al
    mov al, bl
    mov ah, 13
    mul ah
    and al, 63
    out dx, al
    mov al, bl
    mov ah, 3
    mul ah
    and al, 63
    out dx, al
    inc bx
    cmp bx, 256
    jb .dac

    ; ---- the pattern
    mov ax, 0xa000
    mov es, ax
    xor di, di
    xor dx, dx                      ; y
.row: xor cx, cx                    ; x
.px: mov al, cl
    xor al, dl
    mov ah, dl
    shr ah, 3
    add al, ah
    stosb
    inc cx
    cmp cx, 320
    jb .px
    inc dx
    cmp dx, 200
    jb .row

    ; ---- i8042: command byte 0x44 (translation, no IRQs, both clocks on)
    mov al, 0x60
    call kbc_cmd
    mov al, 0x44
    call kbc_data
    mov al, 0xa8                    ; enable the auxiliary port
    call kbc_cmd
    mov al, 0xd4                    ; next byte to the mouse
    call kbc_cmd
    mov al, 0xf4                    ; enable data reporting
    call kbc_data
    mov cx, 0                       ; wait for its ACK (FA), drop it
.ack: in al, 0x64
    test al, 1
    jz .ack2
    in al, 0x60
    cmp al, 0xfa
    je .drain
.ack2: loop .ack
.drain:
    in al, 0x64
    test al, 1
    jz .ready
    in al, 0x60
    jmp .drain
.ready:
    mov si, msg_ready
    call puts
.loop:
    in al, 0x64
    test al, 1
    jz .loop
    mov bl, 'K'
    test al, 0x20                   ; AUX: the byte is the mouse's
    jz .kbd
    mov bl, 'M'
.kbd:
    in al, 0x60
    mov ah, al
    mov al, bl
    out 0xe9, al
    mov al, ' '
    out 0xe9, al
    mov al, ah
    shr al, 4
    call hexdigit
    mov al, ah
    and al, 0x0f
    call hexdigit
    mov al, 10
    out 0xe9, al
    cmp bl, 'K'
    je .key
    cmp byte [0x503], 0
    je .loop
    call vmm_poll
    jmp .loop
.key:
    test ah, 0x80
    jnz .loop
    cmp ah, 0x2f                    ; V: the vmmouse on / off
    jne .notv
    call vmm_toggle
    jmp .blk
.notv:
    cmp ah, 0x01
    jne .blk
    cmp byte [0x502], 0
    jne .blk
    call vbe_mode
    jmp .loop
.blk:
    call block
    jmp .loop

; Esc: VBE 640x480x8 (banked, memory cleared), set 2 without translation
vbe_mode:
    mov byte [0x502], 1
    mov dx, 0x1ce
    mov ax, 4                       ; ENABLE = 0 while the mode changes
    out dx, ax
    inc dx
    xor ax, ax
    out dx, ax
    dec dx
    mov ax, 1                       ; XRES
    out dx, ax
    inc dx
    mov ax, 640
    out dx, ax
    dec dx
    mov ax, 2                       ; YRES
    out dx, ax
    inc dx
    mov ax, 480
    out dx, ax
    dec dx
    mov ax, 3                       ; BPP
    out dx, ax
    inc dx
    mov ax, 8
    out dx, ax
    dec dx
    mov ax, 4                       ; ENABLE
    out dx, ax
    inc dx
    mov ax, 1
    out dx, ax
    mov al, 0x60                    ; command byte 0x04: no translation
    call kbc_cmd
    mov al, 0x04
    call kbc_data
    mov si, msg_vbe
    call puts
    ret

; an 8x8 block of colour AH at (x = [0x500], y = 184), then x += 10
block:
    mov di, [0x500]
    add di, 184 * 320
    mov al, ah
    mov dx, 8
.br: mov cx, 8
    rep stosb
    add di, 320 - 8
    dec dx
    jnz .br
    mov ax, [0x500]
    add ax, 10
    cmp ax, 312
    jb .bx
    xor ax, ax
.bx: mov [0x500], ax
    ret

; the VMware backdoor: command %1, EBX = %2; results in EAX..EDX
%macro BACKDOOR 2
    mov eax, 0x564D5868
    mov ebx, %2
    mov ecx, %1
    mov dx, 0x5658
    in eax, dx
%endmacro

vmm_toggle:
    cmp byte [0x503], 0
    jne .off
    BACKDOOR 41, 0x45414552         ; READ_ID: enable, queue the id
    BACKDOOR 39, 1                  ; DATA: take the id
    BACKDOOR 41, 0x53424152         ; REQUEST_ABSOLUTE
    mov byte [0x503], 1
    ret
.off:
    BACKDOOR 41, 0xF5               ; DISABLE
    mov byte [0x503], 0
    ret

vmm_poll:                           ; print every queued 4-word packet
    BACKDOOR 40, 0                  ; STATUS: words queued
    cmp ax, 4
    jb .done
    BACKDOOR 39, 4                  ; DATA: buttons, x, y, z
    push ecx
    push ebx
    push eax
    mov al, 'A'
    out 0xe9, al
    mov cx, 3
.w: mov al, ' '
    out 0xe9, al
    pop eax
    call hex32
    loop .w
    mov al, 10
    out 0xe9, al
    jmp vmm_poll
.done:
    ret

hex32:                              ; eax -> 8 hex digits on port 0xE9
    push cx
    mov cx, 8
.d: rol eax, 4
    push eax
    and al, 0x0f
    call hexdigit
    pop eax
    loop .d
    pop cx
    ret

kbc_cmd:                            ; al -> port 0x64
    mov ah, al
.w: in al, 0x64
    test al, 2
    jnz .w
    mov al, ah
    out 0x64, al
    ret

kbc_data:                           ; al -> port 0x60
    mov ah, al
.w: in al, 0x64
    test al, 2
    jnz .w
    mov al, ah
    out 0x60, al
    ret

hexdigit:                           ; al = 0..15 -> port 0xE9
    add al, '0'
    cmp al, '9'
    jbe .o
    add al, 'a' - '9' - 1
.o: out 0xe9, al
    ret

puts:                               ; cs:si
.l: cs lodsb
    test al, al
    jz .d
    out 0xe9, al
    jmp .l
.d: ret

seq_regs:  db 0x03, 0x01, 0x0f, 0x00, 0x0e
crtc_regs: db 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f
           db 0x00, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
           db 0x9c, 0x0e, 0x8f, 0x28, 0x40, 0x96, 0xb9, 0xa3, 0xff
gc_regs:   db 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0f, 0xff
ac_regs:   db 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07
           db 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f
           db 0x41, 0x00, 0x0f, 0x00, 0x00
msg_ready: db "READY", 10, 0
msg_vbe:   db "VBE", 10, 0

    times 0xfff0 - ($ - $$) db 0
reset:
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0
