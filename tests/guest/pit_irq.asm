; pit_irq.asm - the PC's timer interrupts end to end: the i8254 counter 0
; at 100 Hz through the i8259 to the CPU over HLT, the MC146818's periodic
; and update-ended interrupts on IRQ 8 through the slave, counter 2's OUT
; on port 0x61 and the refresh toggle, and the PIT rate against the RTC's
; seconds.  Real mode, vectors through the IVT.
; EXPECT-STATUS: 1
;
; Datasheets: Intel 8254 (mode 0, mode 2), 8259A (ICW/OCW, EOI), Motorola
; MC146818A (registers A-C, PIE/UIE, flags cleared by reading C), PIIX3
; port 61h.  Under qemu-system-i386 -M pc (7.2) the output is the same.
%include "tests/guest/pc_lib.inc"

%define TICKS  0x600        ; IRQ0 count
%define RTCN   0x602        ; IRQ8 count
%define RTCC   0x604        ; register C values seen, ORed
%define HALTS  0x606
%define RATE   0x608        ; IRQ0 count between two RTC updates

test_main:
        call pic_init
        mov bx, 0x08
        mov ax, irq0
        call set_vec
        mov bx, 0x70
        mov ax, irq8
        call set_vec
        mov word [TICKS], 0
        mov word [HALTS], 0

; ------------------------------------------------------------ PIT 100 Hz
        mov al, 0x34                    ; counter 0, LSB+MSB, mode 2
        out 0x43, al
        mov ax, 11932                   ; 1193182 / 100
        out 0x40, al
        mov al, ah
        out 0x40, al
        in al, 0x21
        and al, 0xFE                    ; unmask IRQ0
        out 0x21, al
        sti
.w1:    hlt
        inc word [HALTS]
        cmp word [TICKS], 20
        jb .w1
        cli
        CHECK word [TICKS], 20
        CHECK word [HALTS], 20          ; every HLT ended by one IRQ0
        REPORT "PIT mode 2 at 100 Hz: 20 IRQ0s over HLT"

; ------------------------------------------------------------ RTC periodic
        in al, 0x21
        or al, 0x01                     ; IRQ0 off
        out 0x21, al
        mov al, 0x0C
        out 0x70, al
        in al, 0x71                     ; clear the flags
        mov al, 0x0A
        out 0x70, al
        mov al, 0x26                    ; 32 kHz divider, 1024 Hz
        out 0x71, al
        mov al, 0x0B
        out 0x70, al
        in al, 0x71
        or al, 0x40                     ; PIE
        mov ah, al
        mov al, 0x0B
        out 0x70, al
        mov al, ah
        out 0x71, al
        mov word [RTCN], 0
        mov byte [RTCC], 0
        in al, 0xA1
        and al, 0xFE                    ; unmask IRQ8
        out 0xA1, al
        sti
.w2:    hlt
        cmp word [RTCN], 10
        jb .w2
        cli
        call rtc_b_clear_ints
        CHECK byte [RTCC], 0xC0         ; IRQF + PF
        REPORT "RTC periodic interrupt at 1024 Hz: 10 IRQ8s"

; ------------------------------------------------------------ RTC update
        mov al, 0x0C
        out 0x70, al
        in al, 0x71
        mov word [RTCN], 0
        mov byte [RTCC], 0
        mov al, 0x0B
        out 0x70, al
        in al, 0x71
        or al, 0x10                     ; UIE
        mov ah, al
        mov al, 0x0B
        out 0x70, al
        mov al, ah
        out 0x71, al
        sti
.w3:    hlt
        cmp word [RTCN], 1
        jb .w3
        cli
        mov al, [RTCC]
        and al, 0xB0                    ; PF may be set too (PIE off)
        CHECK al, 0x90                  ; IRQF + UF
        REPORT "RTC update-ended interrupt"

; ------------------------------------------------------------ rate check
; IRQ0 at 100 Hz counted between two update interrupts: one second
        mov word [TICKS], 0
        mov word [RTCN], 0
        in al, 0x21
        and al, 0xFE
        out 0x21, al
        sti
.w4:    hlt
        cmp word [RTCN], 1
        jb .w4
        mov word [TICKS], 0
.w5:    hlt
        cmp word [RTCN], 2
        jb .w5
        cli
        mov ax, [TICKS]
        mov [RATE], ax
        cmp ax, 80                      ; a busy host may coalesce a few
        jae .r1
        inc cx
.r1:    cmp ax, 101
        jbe .r2
        inc cx
.r2:    REPORT "PIT rate against the RTC second: 80-101 IRQ0s"
        call rtc_b_clear_ints
        in al, 0x21
        or al, 0x01
        out 0x21, al

; ------------------------------------------------------------ port 0x61
        in al, 0x61
        and al, 0xFC
        or al, 0x01                     ; counter 2 gate on, speaker off
        out 0x61, al
        mov al, 0xB0                    ; counter 2, LSB+MSB, mode 0
        out 0x43, al
        mov ax, 1193                    ; 1 ms
        out 0x42, al
        mov al, ah
        out 0x42, al
        in al, 0x61
        and al, 0x20
        CHECK al, 0                     ; OUT low while counting
        mov ebx, 50000000
.w6:    in al, 0x61
        test al, 0x20
        jnz .d6
        dec ebx
        jnz .w6
        inc cx                          ; never went high
.d6:    in al, 0x61
        and al, 0x03
        CHECK al, 0x01                  ; gate and speaker bits read back
        REPORT "PIT counter 2 OUT on port 0x61 bit 5"

        in al, 0x61
        and al, 0x10
        mov ah, al
        mov ebx, 10000000
.w7:    in al, 0x61
        and al, 0x10
        cmp al, ah
        jne .d7
        dec ebx
        jnz .w7
        inc cx
.d7:    REPORT "refresh toggle on port 0x61 bit 4"

        mov al, 0x0D
        out 0x70, al
        in al, 0x71
        CHECK al, 0x80                  ; VRT
        mov al, 0x0A
        out 0x70, al
        in al, 0x71
        and al, 0x7F
        CHECK al, 0x26
        REPORT "RTC registers A and D"
        jmp finish

; clear PIE/AIE/UIE in register B
rtc_b_clear_ints:
        mov al, 0x0B
        out 0x70, al
        in al, 0x71
        and al, 0x8F
        mov ah, al
        mov al, 0x0B
        out 0x70, al
        mov al, ah
        out 0x71, al
        ret

irq0:
        push ax
        inc word [TICKS]
        mov al, 0x20                    ; non-specific EOI
        out 0x20, al
        pop ax
        iret

irq8:
        push ax
        mov al, 0x0C
        out 0x70, al
        in al, 0x71                     ; reading C lowers IRQ8
        or [RTCC], al
        inc word [RTCN]
        mov al, 0x20
        out 0xA0, al
        out 0x20, al
        pop ax
        iret

        times 0xFFF0 - ($ - $$) db 0xFF
        bits 16
        jmp 0xF000:start
        times 0x10000 - ($ - $$) db 0xFF
