; keys_rom.asm - the guest ROM of the monitor tests (tests/monitor/).
;
; A 64 KiB ROM, real mode, interrupts off.  It leaves known values for
; the monitor's memory and register commands:
;   0x1000  dd 0x11223344, 0xdeadbeef, -2     (x, xp: /x /d /u, sizes)
;   EBX     0x12345678                          (info registers)
; sets the i8042 command byte to 0x45 (keyboard on, set 1 translation),
; prints "READY\n" on the debug console (port 0xE9), then forever reads the
; keyboard's bytes from port 0x60 and prints each as "K xx\n" (hex), so
; the test sees what send-key and input-send-event typed.
bits 16
org 0

start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov dword [0x1000], 0x11223344
    mov dword [0x1004], 0xdeadbeef
    mov dword [0x1008], 0xfffffffe
    ; i8042: write command byte 0x45
.w1: in al, 0x64
    test al, 2
    jnz .w1
    mov al, 0x60
    out 0x64, al
.w2: in al, 0x64
    test al, 2
    jnz .w2
    mov al, 0x45
    out 0x60, al
    ; drop whatever the controller still holds
.drain:
    in al, 0x64
    test al, 1
    jz .ready
    in al, 0x60
    jmp .drain
.ready:
    mov ebx, 0x12345678
    mov si, msg_ready
    call puts
.loop:
    in al, 0x64
    test al, 1
    jz .loop
    in al, 0x60
    mov ah, al
    mov al, 'K'
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
    jmp .loop

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

msg_ready: db "READY", 10, 0

    times 0xfff0 - ($ - $$) db 0
reset:
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0
