; msr_ring3.asm - guest test: the privilege rules of the model-specific and
; privileged instructions at CPL 3, reached with SYSEXIT and left with SYSENTER.
; Each fault is delivered through the IDT on the TSS ring-0 stack and IRET
; returns to ring 3 (msr_lib.inc).  Round 1 (CR4.TSD=1, PCE=0): RDTSC, RDPMC,
; RDMSR, WRMSR, MOV from/to CR0/CR4, CLTS, LMSW, SYSEXIT, HLT, INVD, WBINVD
; raise #GP(0); CPUID and SMSW do not.  Round 2 (TSD=0, PCE=1): RDTSC and
; RDPMC work in ring 3.  SDM Vol. 2B for each instruction.
; EXPECT-STATUS: 1
;
; QEMU 7.2 (-cpu pentium2) matches except RDPMC with PCE=1, which raises #UD
; there (no performance counters); the SDM reads PERFCTR0 (RDPMC, "Operation").
%include "tests/guest/msr_lib.inc"

%macro TO_RING3 1               ; run ring-3 code at %1 until it executes SYSENTER
        mov [SCRATCH], esp
        mov ecx, 0x00070000
        mov edx, %1
        sysexit
%endmacro

tests:
        WRMSR 0x174, 0, 0x08
        WRMSR 0x175, 0, 0x00084000
        WRMSR 0x176, 0, back0
        WRMSR 0xC1, 0, 0x4321
        mov eax, cr4
        or eax, 4                       ; TSD
        mov cr4, eax
        TO_RING3 round1
round1:
        mov ax, 0x23
        mov ds, ax
        mov es, ax
        FAULT 13, rdtsc
        xor ecx, ecx
        FAULT 13, rdpmc
        mov ecx, 0x10
        FAULT 13, rdmsr
        FAULT 13, wrmsr
        FAULT 13, mov eax, cr0
        FAULT 13, mov ebx, cr4
        xor eax, eax
        FAULT 13, mov cr4, eax
        FAULT 13, mov cr0, eax
        FAULT 13, clts
        FAULT 13, lmsw ax
        FAULT 13, sysexit
        FAULT 13, hlt
        FAULT 13, invd
        FAULT 13, wbinvd
        xor eax, eax
        FAULT -1, cpuid
        CHECK eax, 2
        FAULT -1, smsw ax
        CHECK ax, 0x11
        mov [SCRATCH + 4], ebp
        sysenter
back0:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov esp, [SCRATCH]
        mov ebp, [SCRATCH + 4]
        REPORT "ring 3 #GP"
        WRMSR 0x176, 0, back1
        mov eax, cr4
        and eax, ~4
        or eax, 0x100                   ; PCE
        mov cr4, eax
        TO_RING3 round2
round2:
        mov ax, 0x23
        mov ds, ax
        mov es, ax
        FAULT -1, rdtsc
        xor ecx, ecx
        FAULT -1, rdpmc
        CHECK eax, 0x4321
        CHECK edx, 0
        mov [SCRATCH + 4], ebp
        sysenter
back1:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov esp, [SCRATCH]
        mov ebp, [SCRATCH + 4]
        REPORT "ring 3 RDTSC RDPMC"
        jmp finish
        ROM_END
