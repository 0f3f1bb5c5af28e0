; smcloop.asm - guest benchmark ROM for the cost of stores to a page that
; holds translated code (docs/PERFORMANCE.md, "SMC").
;
; A 64 KiB BIOS image: it enters flat 32-bit protected mode, copies a loop
; of NBLK small blocks to RAM at 0x20000 and runs it ITER times.  Each block
; adds to its own data dword at 0x20800 (same 4 KiB page as the code, no
; code byte is ever written) and jumps to the next block, so every store
; reaches the code-write hook; a translator that walks every block of the
; page per store pays NBLK block checks per store.  Prints a checksum on
; port 0xE9 and exits through isa-debug-exit with status 1.
;
;   nasm -f bin -o smcloop.bin tests/bench/smcloop.asm
;   tx86 -bios smcloop.bin -nographic -debugcon stdio \
;        -device isa-debug-exit,iobase=0xf4,iosize=0x04

%ifndef ITER
%define ITER 200000
%endif
%define NBLK 64
%define CODE 0x20000
%ifndef DATA
%define DATA 0x20800
%endif

        bits 16
        org 0x0000                    ; loaded at F000:0000 (linear 0xF0000)

start16:
        cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7000
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
        mov esi, 0xF0000 + blob       ; copy the loop to RAM
        mov edi, CODE
        mov ecx, blob_end - blob
        rep movsb
        mov edi, DATA
        xor eax, eax
        mov ecx, NBLK
        rep stosd
        mov ecx, ITER
        mov eax, 0x9e3779b9
        mov edi, DATA
        mov ebx, CODE
        call ebx
        ; checksum: sum of the NBLK data dwords
        xor edx, edx
        mov esi, DATA
        mov ecx, NBLK
.x:     add edx, [esi]
        add esi, 4
        dec ecx
        jnz .x
        mov esi, 0xF0000 + msg
.p:     mov al, [esi]
        inc esi
        test al, al
        jz .hex
        out 0xe9, al
        jmp .p
.hex:   mov ecx, 8
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

; position-independent loop body, runs at CODE
blob:
%assign i 0
%rep NBLK
        add [edi + 4 * i], eax        ; a store to a data byte of the code page
        rol eax, 1
        jmp short $ + 2               ; ends the block
%assign i i + 1
%endrep
        dec ecx
        jnz blob
        ret
blob_end:

msg:    db "smcloop sum=", 0

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
