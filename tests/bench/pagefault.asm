; pagefault.asm - micro-benchmark ROM (scripts/bench-micro.sh): page-fault
; delivery.  32-bit paging (identity map of 0-4 MiB); each of ITER
; iterations clears the present bit of the PTE of linear 0x300000,
; INVLPGs it and loads a dword from that page; the load raises #PF, whose
; ring-0 handler (interrupt gate 14) sets the present bit again and IRETs
; to the load, which then completes.  The checksum folds in the loaded
; values, the handler's error codes and CR2, so every fault shows.
;
;   nasm -f bin -DITER=1000000 -o pagefault.bin tests/bench/pagefault.asm

%ifndef ITER
%define ITER 1000000
%endif
%define MSG "pagefault"
%define PAGE 0x300000
%define PTE  (M_PT0 + (PAGE >> 12) * 4)

%include "tests/bench/bench.inc"
%include "tests/bench/micro.inc"

        BENCH_START
        MICRO_SETUP
        MICRO_GATE 14, pf_handler, 0
        MICRO_PAGING
        xor ecx, ecx                  ; fill the page: dword i = i * 0x9E3779B9
.fill:  mov eax, ecx
        imul eax, eax, 0x9E3779B9
        mov [PAGE + ecx * 4], eax
        inc ecx
        cmp ecx, 1024
        jb .fill
        xor edx, edx
        mov ebp, ITER
.loop:  and dword [PTE], ~1           ; not present
        invlpg [PAGE]
        mov ebx, ebp
        and ebx, 0xffc
        mov eax, [PAGE + ebx]         ; #PF, then again after the handler
        add edx, eax
        rol edx, 1
        dec ebp
        jnz .loop
        jmp micro_finish

pf_handler:                           ; ring 0, error code on the stack
        pop ecx
        add edx, ecx
        mov ecx, cr2
        xor edx, ecx
        or dword [PTE], 1             ; present again
        iret

        MICRO_DATA
        BENCH_END
