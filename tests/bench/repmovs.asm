; repmovs.asm - micro-benchmark ROM (scripts/bench-micro.sh): string
; instructions a page at a time, as a kernel's copy_page/clear_page and
; memcpy/memset do.  32-bit paging (identity map); each of ITER
; iterations stores the iteration count into the source page, then
;   (default)   REP MOVSD of 4 KiB from 0x100000 to 0x101000
;   -DSTOSD     REP STOSD of 4 KiB (EAX = a function of the count) to 0x101000
;   -DMOVSB     REP MOVSB of 4 KiB from 0x100000 to 0x101000
; and folds a dword of the destination into the checksum; at the end the
; whole destination page is summed in as well.
;
;   nasm -f bin -DITER=100000 -o repmovsd.bin tests/bench/repmovs.asm
;   nasm -f bin -DITER=100000 -DMOVSB -o repmovsb.bin tests/bench/repmovs.asm

%ifndef ITER
%define ITER 100000
%endif
%ifdef STOSD
%define MSG "repstosd"
%elifdef MOVSB
%define MSG "repmovsb"
%else
%define MSG "repmovsd"
%endif
%define SRC 0x100000
%define DST 0x101000

%include "tests/bench/bench.inc"
%include "tests/bench/micro.inc"

        BENCH_START
        MICRO_SETUP
        MICRO_PAGING
        xor ecx, ecx                  ; fill the source page
.fill:  mov eax, ecx
        imul eax, eax, 0x9E3779B9
        mov [SRC + ecx * 4], eax
        inc ecx
        cmp ecx, 1024
        jb .fill
        xor edx, edx
        mov ebp, ITER
.loop:  mov ebx, ebp
        and ebx, 0xffc
        mov [SRC + ebx], ebp
        mov edi, DST
%ifdef STOSD
        mov eax, ebp
        imul eax, eax, 0x01000193
        mov ecx, 1024
        rep stosd
%elifdef MOVSB
        mov esi, SRC
        mov ecx, 4096
        rep movsb
%else
        mov esi, SRC
        mov ecx, 1024
        rep movsd
%endif
        mov eax, ebp                  ; a dword the iteration wrote
        imul eax, eax, 0x9E3779B9
        shr eax, 20
        and eax, 0xffc
        add edx, [DST + eax]
        add edx, [DST + ebx]
        rol edx, 1
        dec ebp
        jnz .loop
        xor ecx, ecx
.sum:   add edx, [DST + ecx * 4]
        rol edx, 3
        inc ecx
        cmp ecx, 1024
        jb .sum
        jmp micro_finish

        MICRO_DATA
        BENCH_END
