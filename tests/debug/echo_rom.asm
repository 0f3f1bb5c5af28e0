; echo_rom.asm - the guest of replay_rom.py (record and replay on each
; backend, docs/replay.md): a 64 KiB real-mode ROM that takes serial input.
;
; It counts PIT ticks (IRQ0, about 1 kHz) and takes COM1's received bytes
; in an IRQ4 handler, echoing each to the debug console (port 0xE9) in
; upper case; at each newline it prints the tick count, which depends on
; when the bytes came.  Between interrupts it halts.  'q' ends the run
; through isa-debug-exit (status 1).  A recorded run and its replay print
; the same ticks; two recorded runs do not.
;   0x2004   tick counter
;   0x2008   1 once 'q' came
; EXPECT-STATUS: 1
bits 16
org 0

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7000
    mov dword [0x2004], 0
    mov byte [0x2008], 0
    mov word [8*4], irq0
    mov word [8*4+2], 0xf000
    mov word [0xc*4], irq4
    mov word [0xc*4+2], 0xf000
    ; PIC: ICW1 edge+ICW4, vectors 8 / 0x70, cascade, 8086 mode; IRQ0 and IRQ4 only
    mov al, 0x11
    out 0x20, al
    out 0xa0, al
    mov al, 0x08
    out 0x21, al
    mov al, 0x70
    out 0xa1, al
    mov al, 0x04
    out 0x21, al
    mov al, 0x02
    out 0xa1, al
    mov al, 0x01
    out 0x21, al
    out 0xa1, al
    mov al, 0xee
    out 0x21, al
    mov al, 0xff
    out 0xa1, al
    ; PIT channel 0, mode 2, divisor 1193
    mov al, 0x34
    out 0x43, al
    mov al, 1193 & 0xff
    out 0x40, al
    mov al, 1193 >> 8
    out 0x40, al
    ; COM1: 115200 8N1, interrupt on received data, OUT2 (the IRQ gate)
    mov dx, 0x3fb
    mov al, 0x80
    out dx, al
    mov dx, 0x3f8
    mov al, 1
    out dx, al
    mov dx, 0x3f9
    xor al, al
    out dx, al
    mov dx, 0x3fb
    mov al, 0x03
    out dx, al
    mov dx, 0x3f9
    mov al, 0x01
    out dx, al
    mov dx, 0x3fc
    mov al, 0x0b
    out dx, al
    mov si, msg_ready
    call puts
    sti
main:
    hlt
    cmp byte [0x2008], 1
    jne main
    cli
    mov si, msg_ticks
    call puts
    mov eax, [0x2004]
    call putdec
    mov al, 10
    out 0xe9, al
    xor al, al
    out 0xf4, al                    ; isa-debug-exit: status 1
    jmp $

; debug console output
puts:                               ; cs:si (data is at 0:xxxx, text in the ROM)
    cs lodsb
    test al, al
    jz .done
    out 0xe9, al
    jmp puts
.done:
    ret

putdec:                             ; eax, decimal
    push ebx
    push ecx
    push edx
    mov ebx, 10
    xor ecx, ecx
.div:
    xor edx, edx
    div ebx
    push dx
    inc cx
    test eax, eax
    jnz .div
.out:
    pop ax
    add al, '0'
    out 0xe9, al
    loop .out
    pop edx
    pop ecx
    pop ebx
    ret

irq0:
    inc dword [0x2004]
    push ax
    mov al, 0x20
    out 0x20, al
    pop ax
    iret

irq4:
    push eax
    push dx
    push si
.next:
    mov dx, 0x3fd
    in al, dx
    test al, 1
    jz .done
    mov dx, 0x3f8
    in al, dx
    cmp al, 'q'
    jne .echo
    mov byte [0x2008], 1
    jmp .next
.echo:
    cmp al, 'a'
    jb .put
    cmp al, 'z'
    ja .put
    sub al, 0x20
.put:
    cmp al, 13
    je .next
    cmp al, 10
    je .line
    out 0xe9, al
    jmp .next
.line:
    mov si, msg_at
    call puts
    mov eax, [0x2004]
    call putdec
    mov al, 10
    out 0xe9, al
    jmp .next
.done:
    mov al, 0x20
    out 0x20, al
    pop si
    pop dx
    pop eax
    iret

msg_ready: db "echo rom ready", 10, 0
msg_at:    db " @", 0
msg_ticks: db "ticks ", 0

    times 0xfff0 - ($ - $$) db 0xff
reset:
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xff
