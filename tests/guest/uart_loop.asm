; uart_loop.asm - guest test ROM: the NS16550A on COM1 (0x3F8, IRQ 4) in
; loopback mode and with interrupts through the 8259 (PC16550D datasheet).
; EXPECT-STATUS: 1
;
; Real mode, run as -bios with -nographic (COM1 = stdio):
;   regs      scratch register, IER reads back its low nibble, divisor latch
;   loopback  MCR LOOP|RTS|OUT2: MSR high nibble 0x90 (Linux's probe); FIFO
;             on: IIR bits 7-6 = 11; 16 bytes written come back in order
;   rx int    IER=ERBFI, trigger level 4: no interrupt at 3 bytes, IIR 0xC4
;             at 4; below the level the character timeout (IIR 0xCC)
;             appears after 4 character times; the PIC sees none of it
;             (loopback forces OUT2 off at the pin)
;   irq 4     out of loopback with OUT2: enabling ETBEI raises THRE, the
;             8259 delivers vector 0x0C once, the handler reads IIR (0xC2)
;   tx        a line sent through THR reaches stdout
; Each step prints to the debug console (port 0xE9); the exit is through
; isa-debug-exit (0xF4).
%define COM 0x3f8
%define COUNT 0x600             ; IRQ 4 handler calls
%define IIRSEEN 0x602           ; IIR the handler read

        bits 16
        org 0
start:
        cli
        cld
        xor ax, ax
        mov ss, ax
        mov sp, 0x7000
        mov es, ax
        mov ax, cs
        mov ds, ax
        mov word [es:COUNT], 0

        ; ---- registers ----
        mov dx, COM + 7
        mov al, 0xa5
        out dx, al
        in al, dx
        cmp al, 0xa5
        jne fail
        mov dx, COM + 1
        mov al, 0xff
        out dx, al
        in al, dx
        cmp al, 0x0f
        jne fail
        xor al, al
        out dx, al
        mov dx, COM + 3
        mov al, 0x83            ; DLAB, 8N1
        out dx, al
        mov dx, COM
        mov al, 1               ; 115200 baud
        out dx, al
        inc dx
        xor al, al
        out dx, al
        mov dx, COM
        in al, dx
        cmp al, 1
        jne fail
        mov dx, COM + 3
        mov al, 0x03
        out dx, al
        mov si, m_regs
        call print

        ; ---- loopback ----
        mov dx, COM + 4
        mov al, 0x1a            ; LOOP | OUT2 | RTS
        out dx, al
        mov dx, COM + 6
        in al, dx
        and al, 0xf0
        cmp al, 0x90
        jne fail
        mov dx, COM + 2
        mov al, 0x07            ; FIFO on, both reset, trigger 1
        out dx, al
        in al, dx
        and al, 0xc0
        cmp al, 0xc0
        jne fail
        mov cx, 16
        mov bl, 'A'
.tx:    mov dx, COM
        mov al, bl
        out dx, al
        inc bl
        loop .tx
        mov cx, 16
        mov bl, 'A'
.rx:    mov dx, COM + 5
        in al, dx
        test al, 1
        jz fail
        mov dx, COM
        in al, dx
        cmp al, bl
        jne fail
        inc bl
        loop .rx
        mov dx, COM + 5
        in al, dx
        cmp al, 0x60            ; empty, THRE, TEMT, no errors
        jne fail
        mov si, m_loop
        call print

        ; ---- the 8259: IRQ 4 -> vector 0x0C, everything else masked ----
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
        mov al, 0xef
        out 0x21, al
        mov al, 0xff
        out 0xa1, al
        mov word [es:0x0c*4], irq4
        mov word [es:0x0c*4+2], cs
        sti

        ; ---- receive interrupt and timeout, in loopback ----
        mov dx, COM + 2
        mov al, 0x47            ; FIFO on, reset, trigger 4
        out dx, al
        mov dx, COM + 1
        mov al, 0x01            ; ERBFI
        out dx, al
        mov cx, 3
.rx3:   mov dx, COM
        mov al, 'x'
        out dx, al
        loop .rx3
        mov dx, COM + 2
        in al, dx
        cmp al, 0xc1
        jne fail
        mov dx, COM
        out dx, al              ; the 4th byte
        mov dx, COM + 2
        in al, dx
        cmp al, 0xc4
        jne fail
        mov dx, COM             ; read one: 3 left, below the level
        in al, dx
        mov dx, COM + 2
        in al, dx
        cmp al, 0xc1
        jne fail
        mov ecx, 20000000       ; 4 character times: ~350 us
.cti:   in al, dx
        cmp al, 0xcc
        je .cti_ok
        dec ecx
        jnz .cti
        jmp fail
.cti_ok:
        mov dx, COM
        in al, dx
        in al, dx
        in al, dx
        mov dx, COM + 2
        in al, dx
        cmp al, 0xc1
        jne fail
        cmp word [es:COUNT], 0  ; nothing reached the PIC
        jne fail
        mov si, m_rxint
        call print

        ; ---- THRE interrupt through OUT2 and the 8259 ----
        mov dx, COM + 1
        xor al, al
        out dx, al
        mov dx, COM + 4
        mov al, 0x0b            ; DTR RTS OUT2, no loopback
        out dx, al
        mov dx, COM + 6
        in al, dx               ; clear the deltas of leaving loopback
        mov dx, COM + 1
        mov al, 0x02            ; ETBEI: THR is empty -> interrupt
        out dx, al
        mov ecx, 10000000
.wait:  cmp word [es:COUNT], 1
        je .got
        dec ecx
        jnz .wait
        jmp fail
.got:   mov ecx, 100000         ; and only once
.more:  dec ecx
        jnz .more
        cmp word [es:COUNT], 1
        jne fail
        cmp byte [es:IIRSEEN], 0xc2
        jne fail
        mov si, m_irq
        call print

        ; ---- a line through THR to the host (stdout) ----
        mov dx, COM + 1
        xor al, al
        out dx, al
        mov si, m_serial
.s:     lodsb
        test al, al
        jz .sdone
        mov ah, al
        mov dx, COM + 5
.thre:  in al, dx
        test al, 0x20
        jz .thre
        mov dx, COM
        mov al, ah
        out dx, al
        jmp .s
.sdone:
        mov si, m_pass
        call print
        xor al, al
        out 0xf4, al
        hlt

fail:
        cli
        mov si, m_fail
        call print
        mov al, 1
        out 0xf4, al
        hlt

irq4:
        push ax
        push dx
        mov dx, COM + 2
        in al, dx
        mov [es:IIRSEEN], al
        inc word [es:COUNT]
        mov al, 0x20
        out 0x20, al
        pop dx
        pop ax
        iret

print:
        lodsb
        test al, al
        jz .d
        out 0xe9, al
        jmp print
.d:     ret

m_regs:     db "uart registers ok", 10, 0
m_loop:     db "uart loopback ok", 10, 0
m_rxint:    db "uart rx interrupt and timeout ok", 10, 0
m_irq:      db "uart irq 4 ok", 10, 0
m_serial:   db "hello from COM1", 13, 10, 0
m_pass:     db "PASS", 10, 0
m_fail:     db "FAIL", 10, 0

        times 0xFFF0 - ($ - $$) db 0xFF
        bits 16
        jmp 0xF000:start
        times 0x10000 - ($ - $$) db 0xFF
