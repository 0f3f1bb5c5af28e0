; debug_rom.asm - the guest of the debugging tests (tests/debug/).
;
; A 64 KiB ROM (like tests/guest/*.asm): real mode at F000:start, then
; flat 32-bit protected mode.  It programs the PIC (IRQ0 -> vector 8) and
; the PIT (channel 0, mode 2, divisor 1193: about 1 kHz), counts timer
; ticks in an interrupt handler while it computes, prints the tick count,
; the time-stamp counter and a PIT counter read through the debug console
; (port 0xE9) and exits through isa-debug-exit (port 0xF4).  Under
; -icount shift=0 everything it prints, the -d exec log and the --trace
; file repeat byte for byte (determinism_rom.sh).  gdb_rom.sh debugs it:
; the labels at fixed offsets are its breakpoints and watched words.
;   0xF0800  bump:  the function the protected-mode loop calls
;   0x2000   counter word bump increments (watchpoint)
;   0x2004   tick counter (IRQ0 handler)
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
    mov dword [0x2000], 0
    mov dword [0x2004], 0
    ; IVT entry 8: the IRQ0 handler (real mode part uses it)
    mov word [8*4], irq0_rm
    mov word [8*4+2], 0xf000
    ; PIC: ICW1 edge+ICW4, ICW2 vector 8 / 0x70, ICW3, ICW4 8086; mask all but IRQ0
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
    mov al, 0xfe
    out 0x21, al
    mov al, 0xff
    out 0xa1, al
    ; PIT channel 0, lobyte/hibyte, mode 2, divisor 1193 (~1 ms)
    mov al, 0x34
    out 0x43, al
    mov ax, 1193
    out 0x40, al
    mov al, ah
    out 0x40, al
    ; real mode: wait for 3 ticks with HLT (a halted CPU: the clock jumps)
    mov si, msg_rm
    call puts
    sti
.wait:
    hlt
    cmp dword [0x2004], 3
    jb .wait
    cli
    ; into protected mode
    o32 lgdt [cs:gdt_desc]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp dword 0x08:(0xf0000 + pm32)

puts:                               ; ds:si (segment 0 -> use cs)
    push ax
.l: cs lodsb
    test al, al
    jz .d
    out 0xe9, al
    jmp .l
.d: pop ax
    ret

irq0_rm:                            ; ds = 0 in the real-mode part
    push ax
    inc dword [0x2004]
    mov al, 0x20
    out 0x20, al
    pop ax
    iret

msg_rm: db "debug rom: real mode, timer on", 10, 0

align 8
gdt:
    dq 0
    dq 0x00cf9b000000ffff           ; 0x08 code 32, flat
    dq 0x00cf93000000ffff           ; 0x10 data 32, flat
gdt_desc:
    dw gdt_desc - gdt - 1
    dd 0xf0000 + gdt

bits 32
pm32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, 0x8000
    ; IDT: vector 8 -> irq0_pm, others absent
    mov edi, 0x3000
    mov ecx, 256*2
    xor eax, eax
    rep stosd
    mov eax, 0xf0000 + irq0_pm
    mov word [0x3000 + 8*8], ax
    mov word [0x3000 + 8*8 + 2], 0x08
    mov word [0x3000 + 8*8 + 4], 0x8e00
    shr eax, 16
    mov word [0x3000 + 8*8 + 6], ax
    lidt [0xf0000 + idt_desc]
    sti
    ; the loop gdb_rom.sh debugs: 20 calls of bump, some computing between
    mov ecx, 20
.loop:
    call bump                       ; 0xF0800
    push ecx
    mov ecx, 3000
.spin:
    imul edx, ecx, 33
    loop .spin
    pop ecx
    loop .loop
    ; wait until 10 ticks in all
.wait2:
    hlt
    cmp dword [0x2004], 10
    jb .wait2
    cli
    ; print: ticks, counter, TSC low, PIT channel 0 count
    mov esi, 0xf0000 + msg_pm
    call puts32
    mov eax, [0x2004]
    call hex32
    mov al, ' '
    out 0xe9, al
    mov eax, [0x2000]
    call hex32
    mov al, ' '
    out 0xe9, al
    rdtsc
    call hex32
    mov al, ' '
    out 0xe9, al
    mov al, 0x00                    ; latch channel 0
    out 0x43, al
    in al, 0x40
    mov ah, al
    in al, 0x40
    xchg al, ah
    movzx eax, ax
    call hex32
    mov al, 10
    out 0xe9, al
    mov al, 0
    out 0xf4, al                    ; exit status 1
    hlt

puts32:
    lodsb
    test al, al
    jz .d
    out 0xe9, al
    jmp puts32
.d: ret

hex32:                              ; eax as 8 hex digits
    mov ecx, 8
.h: rol eax, 4
    mov edx, eax
    and edx, 15
    mov dl, [0xf0000 + hexdig + edx]
    push eax
    mov al, dl
    out 0xe9, al
    pop eax
    loop .h
    ret

irq0_pm:
    push eax
    inc dword [0x2004]
    mov al, 0x20
    out 0x20, al
    pop eax
    iret

hexdig: db "0123456789abcdef"
msg_pm: db "debug rom: protected mode: ticks counter tsc pit = ", 0
idt_desc:
    dw 256*8 - 1
    dd 0x3000

    times 0x800 - ($ - $$) db 0xcc
bits 32
bump:                               ; 0xF0800
    inc dword [0x2000]
    ret

    times 0xfff0 - ($ - $$) db 0xff
bits 16
reset:
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xff
