; pagewalk.asm - guest TLB benchmark ROM for docs/PERFORMANCE.md ("TLB").
;
; A 64 KiB BIOS image: enters flat 32-bit protected mode with 32-bit paging
; (identity map of 0-4 MiB for code, stack and tables; linear 0x400000-
; 0x7FFFFF mapped to physical 0x400000 through PT1), then runs ITER
; iterations of a 6-instruction loop that loads one dword per iteration,
; stepping 4 KiB at a time through SPAN pages:
;   -DSPAN=1024 (default) the walk cycles through 1024 pages: every load
;               misses the 256-entry direct-mapped TLB and walks the tables
;   -DSPAN=16   the same loop over 16 pages: every load hits
; Then it reloads CR3 (so -d mmu prints the TLB counters), prints a
; checksum on port 0xE9 and exits through isa-debug-exit (port 0xF4).
;
;   nasm -f bin -DSPAN=1024 -o pw-miss.bin tests/bench/pagewalk.asm
;   nasm -f bin -DSPAN=16   -o pw-hit.bin  tests/bench/pagewalk.asm
;   tx86 -bios pw-miss.bin -nographic -debugcon stdio \
;        -device isa-debug-exit,iobase=0xf4,iosize=0x04

%ifndef ITER
%define ITER 20000000
%endif
%ifndef SPAN
%define SPAN 1024
%endif
%define INSNS_PER_ITER 6
%define PD  0x1000
%define PT0 0x2000
%define PT1 0x3000

%include "tests/bench/bench.inc"

        BENCH_START
        cld
        mov edi, PD
        mov ecx, 3 * 1024
        xor eax, eax
        rep stosd
        mov dword [PD], PT0 | 3
        mov dword [PD + 4], PT1 | 3
        xor ecx, ecx
.map:   mov eax, ecx
        shl eax, 12
        or eax, 3
        mov [PT0 + ecx * 4], eax
        add eax, 0x400000
        mov [PT1 + ecx * 4], eax
        inc ecx
        cmp ecx, 1024
        jb .map
        mov eax, PD
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        jmp .paged
.paged:
        mov ecx, ITER
        xor ebx, ebx
        xor esi, esi
.loop:
        mov eax, [esi + 0x400000]     ; 1
        add ebx, eax                  ; 2
        add esi, 0x1000               ; 3
        and esi, (SPAN - 1) << 12     ; 4
        dec ecx                       ; 5
        jnz .loop                     ; 6
        mov eax, cr3                  ; -d mmu prints the counters here
        mov cr3, eax
        mov edx, ebx
        mov esi, 0xF0000 + msg
        jmp bench_report

msg:    db "pagewalk sum=", 0

        BENCH_END
