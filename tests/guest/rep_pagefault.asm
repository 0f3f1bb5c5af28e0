; rep_pagefault.asm - REP MOVSD / STOSB / MOVSB (DF=1) that run into a
; not-present page part-way: the #PF must leave ECX, ESI and EDI as after
; the last element done (SDM vol. 1 7.3.9.3 / vol. 2 "REP": a fault
; between iterations leaves the registers so the instruction resumes),
; with CR2 the first byte not written; the handler maps the page and
; IRETs, the instruction finishes.  Exercises the page-at-a-time path of
; helpers_string.c (whole pages on host memory) against QEMU 7.2, which
; gives the same lines (rep_pagefault.expected).
; EXPECT-STATUS: 1
%define MSG "rep_pagefault"
%define SRC  0x100000
%define DST  0x300000
%define HOLE 0x301000
%define PTE  (M_PT0 + (HOLE >> 12) * 4)

%include "tests/bench/bench.inc"
%include "tests/bench/micro.inc"

        BENCH_START
        MICRO_SETUP
        MICRO_GATE 14, pf_handler, 0
        MICRO_PAGING
        xor ecx, ecx                  ; source: 3 pages of a pattern
.fill:  mov eax, ecx
        imul eax, eax, 0x9E3779B9
        mov [SRC + ecx * 4], eax
        inc ecx
        cmp ecx, 3 * 1024
        jb .fill
        xor ebp, ebp                  ; checksum

        ; (1) REP MOVSD, 8 KiB from SRC to DST + 0x800: fault at element 512
        call unmap
        cld
        mov esi, SRC
        mov edi, DST + 0x800
        mov ecx, 2048
        rep movsd
        call after
        ; (2) REP STOSB, 6000 bytes at DST + 0x10: fault at byte 4080
        call unmap
        mov al, 0x5a
        mov edi, DST + 0x10
        mov ecx, 6000
        rep stosb
        call after
        ; (3) REP MOVSB with DF=1 from SRC + 0x2fff down to HOLE + 0x7ff:
        ; the first 2048 bytes are in the hole itself (fault at once),
        ; then it continues down into DST
        call unmap
        std
        mov esi, SRC + 0x2fff
        mov edi, HOLE + 0x7ff
        mov ecx, 5000
        rep movsb
        cld
        call after
        ; (4) REP MOVSD with DF=1 from the page above the hole down into
        ; it: 1024 elements, then the fault part-way
        call unmap
        std
        mov esi, SRC + 0x2ffc
        mov edi, DST + 0x2ffc
        mov ecx, 1500
        rep movsd
        cld
        call after
        mov edx, ebp
        jmp micro_finish

unmap:  and dword [PTE], ~1
        invlpg [HOLE]
        ret

; print ECX ESI EDI after the instruction and fold the destination in
after:  mov ebx, 'E'
        call show3
        xor ecx, ecx
.s:     add ebp, [DST + ecx * 4]
        rol ebp, 3
        inc ecx
        cmp ecx, 2048
        jb .s
        ret

pf_handler:                           ; ring 0, error code on the stack
        push ebx
        mov ebx, 'F'
        call show3
        mov eax, cr2
        call hex
        mov eax, [esp + 4]            ; error code
        call hex
        call nl
        pop ebx
        add esp, 4
        or dword [PTE], 1
        iret

; "X ecx esi edi " with X = BL
show3:  mov al, bl
        out 0xe9, al
        mov al, ' '
        out 0xe9, al
        mov eax, ecx
        call hex
        mov eax, esi
        call hex
        mov eax, edi
        call hex
        cmp bl, 'E'
        jne .r
        call nl
.r:     ret

hex:    push ecx
        push edx
        mov edx, eax
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
        mov al, ' '
        out 0xe9, al
        pop edx
        pop ecx
        ret

nl:     mov al, 10
        out 0xe9, al
        ret

        MICRO_DATA
        BENCH_END
