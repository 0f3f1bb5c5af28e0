; pic_modes.asm - i8259A operating modes seen by a guest: IMR read-back,
; a masked request visible in IRR, the poll command, specific EOI, a
; masked request delivered on unmasking, ISR inside a handler in normal
; and auto-EOI mode, and edge versus level triggering (ELCR) with a source
; the guest controls: COM1's THRE interrupt on IRQ 4, which stays asserted
; until the guest disables it.  Real mode, vectors through the IVT.
; EXPECT-STATUS: 1
;
; Datasheets: Intel 8259A (ICW4 AEOI, OCW2 specific EOI, OCW3 RR/RIS and
; poll), Intel 82371SB (ELCR 4D0h), NS16550A (IER ETBEI, MCR OUT2).
%include "tests/guest/pc_lib.inc"

%define CNT0   0x600        ; IRQ0 count
%define CNT4   0x602        ; IRQ4 count
%define ISR0   0x604        ; master ISR read inside the IRQ0 handler
%define NOEOI  0x606        ; IRQ0 handler sends no EOI (auto-EOI test)

%macro PIT_ONESHOT 0        ; counter 0, mode 0, ~0.84 ms
        mov al, 0x30
        out 0x43, al
        mov ax, 1000
        out 0x40, al
        mov al, ah
        out 0x40, al
%endmacro

%macro WAIT_IRR0 0          ; until IRR bit 0 (bounded)
        mov ebx, 20000000
%%w:    mov al, 0x0A
        out 0x20, al
        in al, 0x20
        test al, 0x01
        jnz %%d
        dec ebx
        jnz %%w
        inc cx
%%d:
%endmacro

test_main:
        call pic_init
        mov bx, 0x08
        mov ax, irq0
        call set_vec
        mov bx, 0x0C
        mov ax, irq4
        call set_vec
        mov word [CNT0], 0
        mov word [CNT4], 0
        mov word [NOEOI], 0

; ------------------------------------------------------------ IMR
        mov al, 0xA5
        out 0x21, al
        in al, 0x21
        CHECK al, 0xA5
        mov al, 0x5A
        out 0xA1, al
        in al, 0xA1
        CHECK al, 0x5A
        mov al, 0xFB
        out 0x21, al
        mov al, 0xFF
        out 0xA1, al
        REPORT "IMR (OCW1) reads back on both chips"

; ------------------------------------------------------------ poll
        PIT_ONESHOT
        WAIT_IRR0                       ; IR0 masked: only IRR shows it
        mov al, 0x0C                    ; OCW3 poll
        out 0x20, al
        in al, 0x20
        CHECK al, 0x00                  ; IR0 masked: nothing to poll
        mov al, 0xFA
        out 0x21, al                    ; unmask IR0 (IF=0: no INTR taken)
        mov al, 0x0C
        out 0x20, al
        in al, 0x20
        CHECK al, 0x80                  ; request, level 0
        mov al, 0x0B
        out 0x20, al
        in al, 0x20
        CHECK al, 0x01                  ; the poll put IR0 in service
        mov al, 0x60                    ; specific EOI, level 0
        out 0x20, al
        in al, 0x20
        CHECK al, 0x00
        mov al, 0x0A
        out 0x20, al
        in al, 0x20
        and al, 0x01
        CHECK al, 0x00                  ; IRR cleared by the poll
        mov al, 0xFB
        out 0x21, al
        REPORT "IRR while masked, poll command, specific EOI"

; ------------------------------------------------------------ unmask
        PIT_ONESHOT
        WAIT_IRR0
        sti
        mov ebx, 100000
.l1:    dec ebx
        jnz .l1
        cli
        CHECK word [CNT0], 0            ; masked: not delivered
        mov al, 0xFA
        out 0x21, al
        sti
        nop
        nop
        cli
        CHECK word [CNT0], 1            ; delivered once unmasked
        CHECK byte [ISR0], 0x01         ; in service during the handler
        mov al, 0x0B
        out 0x20, al
        in al, 0x20
        CHECK al, 0x00                  ; the handler's EOI cleared it
        REPORT "masked request delivered on unmask, ISR in the handler"

; ------------------------------------------------------------ auto-EOI
        mov al, 0x11
        out 0x20, al
        mov al, 0x08
        out 0x21, al
        mov al, 0x04
        out 0x21, al
        mov al, 0x03                    ; ICW4: AEOI, 8086
        out 0x21, al
        mov al, 0xFA
        out 0x21, al
        mov word [NOEOI], 1
        mov word [CNT0], 0
        mov byte [ISR0], 0xFF
        PIT_ONESHOT
        sti
        mov ebx, 20000000
.l2:    cmp word [CNT0], 1
        jae .d2
        dec ebx
        jnz .l2
.d2:    cli
        CHECK word [CNT0], 1
        CHECK byte [ISR0], 0x00         ; AEOI: never in service
        mov al, 0x0B
        out 0x20, al
        in al, 0x20
        CHECK al, 0x00
        mov word [NOEOI], 0
        call pic_init                   ; back to normal EOI, IR0 masked
        REPORT "auto-EOI: no ISR bit, no EOI needed"

; ------------------------------------------------------------ level (ELCR)
        mov dx, 0x4D0
        mov al, 0xFF
        out dx, al
        in al, dx
        CHECK al, 0xF8                  ; IRQ 0-2 are always edge
        mov al, 0x10                    ; IRQ4 level-triggered
        out dx, al
        mov dx, 0x3FC
        mov al, 0x08                    ; MCR OUT2: IRQ4 reaches the bus
        out dx, al
        mov al, 0xEB                    ; unmask IR4 (and IR2)
        out 0x21, al
        mov word [CNT4], 0
        mov dx, 0x3F9
        mov al, 0x02                    ; IER: THR empty interrupt
        out dx, al
        sti
        mov ebx, 20000000
.l3:    cmp word [CNT4], 3
        jae .d3
        dec ebx
        jnz .l3
.d3:    cli
        CHECK word [CNT4], 3            ; one per EOI while the line is high
        REPORT "level-triggered IRQ4 (ELCR) repeats while asserted"

; ------------------------------------------------------------ edge
        mov dx, 0x4D0
        xor al, al
        out dx, al                      ; IRQ4 edge-triggered again
        mov word [CNT4], 0
        mov dx, 0x3F9
        mov al, 0x02
        out dx, al
        sti
        mov ebx, 2000000
.l4:    dec ebx
        jnz .l4
        cli
        CHECK word [CNT4], 1            ; the line stays high: one edge
        mov dx, 0x3F9
        xor al, al
        out dx, al
        mov dx, 0x3FA
        in al, dx                       ; IIR: clear what is pending
        mov dx, 0x3FC
        xor al, al
        out dx, al
        mov al, 0xFB
        out 0x21, al
        REPORT "edge-triggered IRQ4: one interrupt per edge"
        jmp finish

irq0:
        push ax
        inc word [CNT0]
        mov al, 0x0B
        out 0x20, al
        in al, 0x20
        mov [ISR0], al
        cmp word [NOEOI], 0
        jne .x
        mov al, 0x20
        out 0x20, al
.x:     pop ax
        iret

; counts; at the third interrupt disables the source (IER = 0)
irq4:
        push ax
        push dx
        inc word [CNT4]
        cmp word [CNT4], 3
        jb .e
        mov dx, 0x3F9
        xor al, al
        out dx, al
.e:     mov al, 0x20
        out 0x20, al
        pop dx
        pop ax
        iret

        times 0xFFF0 - ($ - $$) db 0xFF
        bits 16
        jmp 0xF000:start
        times 0x10000 - ($ - $$) db 0xFF
