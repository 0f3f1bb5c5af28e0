; sysenter.asm - micro-benchmark ROM (scripts/bench-micro.sh): the fast
; system-call path, SYSENTER from ring 3 to the entry point of the
; SYSENTER_CS/ESP/EIP MSRs (0x174-0x176) and SYSEXIT back (ESP = ECX,
; EIP = EDX).  ITER calls; the ring-0 side folds EAX into the checksum in
; EDI, so the count of calls shows in the result.
;
;   nasm -f bin -DITER=1000000 -o sysenter.bin tests/bench/sysenter.asm

%ifndef ITER
%define ITER 1000000
%endif
%define MSG "sysenter"

%include "tests/bench/bench.inc"
%include "tests/bench/micro.inc"

        BENCH_START
        MICRO_SETUP
        mov ecx, 0x174                ; SYSENTER_CS
        mov eax, 0x08
        xor edx, edx
        wrmsr
        inc ecx                       ; SYSENTER_ESP
        mov eax, M_KSTK
        wrmsr
        inc ecx                       ; SYSENTER_EIP
        mov eax, LIN(entry)
        wrmsr
        xor edi, edi
        mov ebp, ITER
        MICRO_RING3 user

user:   mov eax, ebp
        mov ecx, esp
        mov edx, LIN(back)
        sysenter
back:   dec ebp
        jnz user
        mov edx, edi
        int 0x81                      ; finish, EDX = checksum

entry:                                ; ring 0
        add edi, eax
        rol edi, 1
        sysexit

        MICRO_DATA
        BENCH_END
