; msr_486.asm - guest test for -cpu 486 (an Intel486 DX4: CPUID, FPU, VME): its
; CPUID leaves, #UD for RDTSC, RDMSR, WRMSR, CMPXCHG8B, CMOVcc, and the CR4 bits
; it lacks (TSD, DE, PSE: #GP).  INVD and WBINVD work.
; TX86-ARGS: -cpu 486
; EXPECT-STATUS: 1
;
; QEMU 7.2 -cpu 486 differs: it claims PSE (CPUID.1:EDX = 0x0B; the Intel486
; had none), executes RDTSC (CPUID.TSC=0: #UD, SDM Vol. 2B RDTSC), and accepts
; CR4.TSD/DE/PSE (reserved without those features, SDM Vol. 3A 2.5).  The
; RDMSR/WRMSR, CMPXCHG8B and CMOVcc #UD rows match QEMU.
%include "tests/guest/msr_lib.inc"

tests:
        xor eax, eax
        cpuid
        CHECK eax, 1
        mov eax, 1
        cpuid
        CHECK eax, 0x480
        CHECK edx, 0x3                  ; FPU VME
        REPORT "cpuid 486"

        FAULT 6, rdtsc
        mov ecx, 0x10
        FAULT 6, rdmsr
        FAULT 6, wrmsr
        FAULT 6, cmpxchg8b [SCRATCH]
        FAULT 6, cmovne eax, ebx
        FAULT -1, invd
        FAULT -1, wbinvd
        mov eax, 0x12345678
        bswap eax
        CHECK eax, 0x78563412
        REPORT "486 instructions"

        mov eax, 0x3                    ; VME PVI
        FAULT -1, mov cr4, eax
        mov eax, cr4
        CHECK eax, 0x3
        mov eax, 0x4                    ; TSD
        FAULT 13, mov cr4, eax
        mov eax, 0x8                    ; DE
        FAULT 13, mov cr4, eax
        mov eax, 0x10                   ; PSE
        FAULT 13, mov cr4, eax
        xor eax, eax
        mov cr4, eax
        REPORT "486 cr4"
        jmp finish
        ROM_END
