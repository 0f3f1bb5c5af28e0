; intloop.asm - guest integer benchmark ROM for docs/PERFORMANCE.md.
;
; A 64 KiB BIOS image: from the reset vector it enters flat 32-bit protected
; mode and runs an integer loop of known length (ALU, shifts, a load and a
; store per iteration, a conditional branch), prints a checksum on port
; 0xE9 and exits through isa-debug-exit (port 0xF4) with status 1.
; scripts/bench.sh times it on each backend; the guest instruction count is
; ITER * INSNS_PER_ITER plus a few hundred for set-up.
;
;   nasm -f bin -o intloop.bin tests/bench/intloop.asm
;   tx86 -bios intloop.bin -nographic -debugcon stdio \
;        -device isa-debug-exit,iobase=0xf4,iosize=0x04

%ifndef ITER
%define ITER 20000000
%endif
; instructions in one iteration of .loop below
%define INSNS_PER_ITER 10

        bits 16
        org 0x0000                    ; loaded at F000:0000 (linear 0xF0000)

start16:
        cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7000
        ; GDT lives in ROM; LGDT takes a linear base
        o32 lgdt [cs:gdt_desc]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp dword 0x08:(0xF0000 + start32)

        bits 32
start32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x90000
        mov ecx, ITER
        xor eax, eax
        mov ebx, 0x12345678
        mov edi, 0x10000              ; scratch word in RAM
        mov dword [edi], 0
.loop:
        add eax, ebx                  ; 1
        rol ebx, 5                    ; 2
        xor ebx, ecx                  ; 3
        mov edx, [edi]                ; 4
        add edx, eax                  ; 5
        shr edx, 1                    ; 6
        mov [edi], edx                ; 7
        sub eax, edx                  ; 8
        dec ecx                       ; 9
        jnz .loop                     ; 10
        ; print "sum=XXXXXXXX\n" on port 0xE9
        mov esi, 0xF0000 + msg
.p:     lodsb
        test al, al
        jz .hex
        out 0xe9, al
        jmp .p
.hex:   mov edx, [edi]
        xor edx, eax
        mov ecx, 8
.h:     rol edx, 4
        mov al, dl
        and al, 0x0f
        add al, '0'
        cmp al, '9'
        jbe .o
        add al, 'a' - '0' - 10
.o:     out 0xe9, al
        dec ecx
        jnz .h
        mov al, 10
        out 0xe9, al
        mov al, 0
        out 0xf4, al                  ; exit status (0<<1)|1 = 1
        hlt

msg:    db "intloop sum=", 0

        align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff         ; 0x08: flat 32-bit code
        dq 0x00cf92000000ffff         ; 0x10: flat 32-bit data
gdt_desc:
        dw gdt_desc - gdt - 1
        dd 0xF0000 + gdt

        times 0xFFF0 - ($ - $$) db 0xff
        bits 16
reset:  jmp 0xF000:start16            ; reset vector F000:FFF0
        times 0x10000 - ($ - $$) db 0xff
