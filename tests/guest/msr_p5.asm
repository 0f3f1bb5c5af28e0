; msr_p5.asm - guest test for -cpu pentium: its CPUID leaves, the instructions a
; Pentium lacks (#UD: CMOVcc, FCMOVcc, FCOMI, FUCOMIP, SYSENTER, SYSEXIT, RDPMC),
; the ones it has (RDTSC, RDMSR/WRMSR of the TSC, CMPXCHG8B), the P6 MSRs it lacks
; (#GP) and the CR4 bits it lacks (PAE, PGE, PCE: #GP).
; TX86-ARGS: -cpu pentium
; EXPECT-STATUS: 1
;
; QEMU 7.2 -cpu pentium is a Pentium MMX (family 5 model 4, MCE, MMX): its CPUID
; values differ; it executes SYSEXIT (#GP there, not #UD, although CPUID.SEP=0:
; SDM Vol. 2B SYSENTER, "#UD if ... not supported"); it reads 0 instead of #GP
; for MSRs it does not know (SDM Vol. 2B RDMSR); and it accepts CR4.PAE/PGE/PCE,
; bits a Pentium reserves (SDM Vol. 3A 2.5, CPUID-dependent CR4 bits).  The other
; #UD rows (CMOVcc, FCMOVcc, FCOMI, SYSENTER, RDPMC) match QEMU.
%include "tests/guest/msr_lib.inc"

tests:
        xor eax, eax
        cpuid
        CHECK eax, 1
        CHECK ebx, 0x756E6547
        mov eax, 1
        cpuid
        CHECK eax, 0x52C
        CHECK edx, 0x13F                ; FPU VME DE PSE TSC MSR CX8
        mov eax, 2                      ; above the maximum: leaf 1
        cpuid
        CHECK eax, 0x52C
        mov eax, 0x80000000             ; no extended leaves
        cpuid
        CHECK eax, 0x52C
        REPORT "cpuid pentium"

        FAULT 6, cmove eax, ebx
        FAULT 6, cmovb eax, [SCRATCH]
        FAULT 6, fcmovb st0, st1
        FAULT 6, fcomi st0, st1
        FAULT 6, fucomip st0, st1
        FAULT 6, sysenter
        FAULT 6, sysexit
        xor ecx, ecx
        FAULT 6, rdpmc
        FAULT -1, rdtsc
        mov dword [SCRATCH], 1
        mov dword [SCRATCH + 4], 2
        mov eax, 1
        mov edx, 2
        mov ebx, 3
        mov ecx, 4
        FAULT -1, cmpxchg8b [SCRATCH]
        CHECK dword [SCRATCH], 3
        CHECK dword [SCRATCH + 4], 4
        REPORT "pentium instructions"

        mov ecx, 0x10
        FAULT -1, rdmsr
        mov ecx, 0x174
        FAULT 13, rdmsr
        mov ecx, 0xFE
        FAULT 13, rdmsr
        mov ecx, 0x277
        FAULT 13, rdmsr
        mov ecx, 0x17
        FAULT 13, rdmsr
        mov ecx, 0xC1
        FAULT 13, rdmsr
        mov ecx, 0xC0000080
        FAULT 13, rdmsr
        REPORT "pentium msrs"

        mov eax, 0x1F                   ; VME PVI TSD DE PSE
        FAULT -1, mov cr4, eax
        mov eax, cr4
        CHECK eax, 0x1F
        mov eax, 0x20                   ; PAE
        FAULT 13, mov cr4, eax
        mov eax, 0x80                   ; PGE
        FAULT 13, mov cr4, eax
        mov eax, 0x100                  ; PCE
        FAULT 13, mov cr4, eax
        xor eax, eax
        mov cr4, eax
        REPORT "pentium cr4"
        jmp finish
        ROM_END
