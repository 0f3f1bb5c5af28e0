; mbkernel.asm - a tiny multiboot v1 kernel (header addresses, "a.out kludge")
; for tests/boot/multiboot.sh: checks EAX = 0x2BADB002, prints the command
; line and whether the memory map is there on port 0xE9, exits via
; isa-debug-exit (0 -> status 1 when all is well).  Its BSS must still be
; zero at entry (nothing the loader's ROM did, its stack or the memory map,
; landed in the kernel).  nasm -DORG=0x7000 -DBSS=0x10000 makes the low
; variant: loaded in conventional memory over 0x7C00 and 0x9000.
%ifndef ORG
%define ORG 0x100000
%endif
%ifndef BSS
%define BSS 0x1000
%endif
        bits 32
        org ORG
start:  jmp entry
        align 4
hdr:    dd 0x1BADB002, 0x00010000, -(0x1BADB002 + 0x00010000)
        dd hdr, start, 0, bss_end, entry
entry:  cmp eax, 0x2BADB002
        jne bad
        mov edi, bss_start
        mov ecx, BSS / 4
        xor eax, eax
        repe scasd
        jne bad
        mov esi, ok
        call puts
        mov esi, [ebx + 16]         ; cmdline
        call puts
        mov al, 10
        out 0xe9, al
        mov eax, [ebx + 44]         ; mmap_length

        cmp dword [ebx + 44], 24
        jb bad
        mov esi, mapok
        call puts
        mov al, 0
        out 0xf4, al
bad:    mov esi, badmsg
        call puts
        mov al, 1
        out 0xf4, al
        hlt
puts:   lodsb
        test al, al
        jz .d
        out 0xe9, al
        jmp puts
.d:     ret
ok:     db 'MB-OK cmdline=', 0
mapok:  db 'MB-MMAP-OK', 10, 0
badmsg: db 'MB-BAD', 10, 0
        align 4
bss_start:
bss_end equ bss_start + BSS
