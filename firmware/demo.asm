; demo.asm - tx86's demonstration firmware: a 64 KiB ROM image (nasm -f bin).
;
; Mapped by tx86 (and QEMU) at 0xFFFF0000 and again at 0xF0000.  The CPU
; starts at F000:FFF0 (linear 0xFFFFFFF0), which jumps to F000:start, so
; the code runs from the copy below 1 MiB with CS = F000 (offsets = labels).
;   1. real mode: banner on the debug console (port 0xE9), the primes below
;      100 and their sum (16-bit trial division)
;   2. flat 32-bit protected mode: GDT, LGDT, CR0.PE, far JMP, segment
;      reloads; prints again and computes Fibonacci numbers and a 32-bit
;      checksum of this ROM
;   3. exits through isa-debug-exit (port 0xF4): value 0, status 1
;
;   ./tx86 -bios build/firmware/demo.bin -nographic -debugcon stdio \
;          -device isa-debug-exit,iobase=0xf4,iosize=0x04

%define ROM_SEG   0xF000
%define ROM_BASE  0xF0000               ; linear address of offset 0
%define LIN(x)    (ROM_BASE + (x))
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

        mov si, msg_banner
        call print16
        mov si, msg_primes
        call print16

        ; primes below 100 by trial division; BX = n, CX = divisor, DI = sum
        xor di, di
        mov bx, 2
.next_n:
        mov cx, 2
.try_div:
        mov ax, cx
        mul cx                          ; DX:AX = d*d
        cmp ax, bx
        ja .is_prime
        mov ax, bx
        xor dx, dx
        div cx
        test dx, dx
        jz .not_prime
        inc cx
        jmp .try_div
.is_prime:
        add di, bx
        mov al, ' '
        out DEBUGCON, al
        mov ax, bx
        call print_dec16
.not_prime:
        inc bx
        cmp bx, 100
        jb .next_n

        mov si, msg_sum
        call print16
        mov ax, di
        call print_dec16
        mov al, 10
        out DEBUGCON, al

        ; --- to protected mode ---
        mov si, msg_switch
        call print16
        lgdt [gdt_desc]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp dword 0x08:LIN(pm32)

; print16: DS:SI = NUL-terminated string
print16:
        lodsb
        test al, al
        jz .done
        out DEBUGCON, al
        jmp print16
.done:
        ret

; print_dec16: AX as unsigned decimal
print_dec16:
        push bx
        push cx
        push dx
        mov bx, 10
        xor cx, cx
.div:
        xor dx, dx
        div bx
        push dx
        inc cx
        test ax, ax
        jnz .div
.out:
        pop ax
        add al, '0'
        out DEBUGCON, al
        loop .out
        pop dx
        pop cx
        pop bx
        ret

        bits 32
pm32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov fs, ax
        mov gs, ax
        mov esp, 0x90000

        mov esi, LIN(msg_pm)
        call print32

        ; Fibonacci: F(10), F(20), F(30), F(40)
        mov ecx, 10
.fib_loop:
        push ecx
        mov esi, LIN(msg_fib)
        call print32
        mov eax, ecx
        call print_dec32
        mov esi, LIN(msg_eq)
        call print32
        xor eax, eax                    ; F(0)
        mov edx, 1                      ; F(1)
.fib_step:
        xadd edx, eax                   ; edx = a+b, eax = old edx
        loop .fib_step
        call print_dec32
        mov al, 10
        out DEBUGCON, al
        pop ecx
        add ecx, 10
        cmp ecx, 40
        jbe .fib_loop

        ; rotate-xor checksum of the first 0xFFF0 bytes of the ROM, read
        ; through its copy at the top of the 4 GiB space
        mov esi, 0xFFFF0000
        mov ecx, 0xFFF0 / 4
        xor ebx, ebx
.sum:
        lodsd
        rol ebx, 5
        xor ebx, eax
        loop .sum
        mov esi, LIN(msg_sum32)
        call print32
        mov eax, ebx
        call print_hex32
        mov al, 10
        out DEBUGCON, al

        mov esi, LIN(msg_bye)
        call print32
        xor eax, eax
        out DEBUGEXIT, al               ; tx86 exits with status (0<<1)|1 = 1
.halt:
        hlt
        jmp .halt

; print32: ESI = linear address of a NUL-terminated string
print32:
        lodsb
        test al, al
        jz .done
        out DEBUGCON, al
        jmp print32
.done:
        ret

; print_dec32: EAX as unsigned decimal
print_dec32:
        pushad
        mov ebx, 10
        xor ecx, ecx
.div:
        xor edx, edx
        div ebx
        push edx
        inc ecx
        test eax, eax
        jnz .div
.out:
        pop eax
        add al, '0'
        out DEBUGCON, al
        loop .out
        popad
        ret

; print_hex32: EAX as 8 hex digits
print_hex32:
        pushad
        mov edx, eax
        mov ecx, 8
.digit:
        rol edx, 4
        mov eax, edx
        and eax, 0xf
        mov al, [LIN(hexdigits) + eax]
        out DEBUGCON, al
        loop .digit
        popad
        ret

hexdigits:  db "0123456789abcdef"
msg_banner: db "tx86 demo firmware", 10, 0
msg_primes: db "real mode: primes below 100:", 0
msg_sum:    db 10, "real mode: their sum is ", 0
msg_switch: db "switching to protected mode...", 10, 0
msg_pm:     db "protected mode: flat 32-bit segments loaded", 10, 0
msg_fib:    db "protected mode: fib(", 0
msg_eq:     db ") = ", 0
msg_sum32:  db "protected mode: ROM checksum ", 0
msg_bye:    db "bye", 10, 0

        align 8
gdt:
        dq 0                            ; null
        dq 0x00CF9A000000FFFF           ; 0x08: code, base 0, 4 GiB, 32-bit
        dq 0x00CF92000000FFFF           ; 0x10: data, base 0, 4 GiB
gdt_end:
gdt_desc:
        dw gdt_end - gdt - 1
        dd LIN(gdt)

        times 0xFFF0 - ($ - $$) db 0xFF
        bits 16
reset_vector:                           ; F000:FFF0
        jmp ROM_SEG:start
        times 0x10000 - ($ - $$) db 0xFF
