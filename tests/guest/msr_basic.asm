; msr_basic.asm - guest test: CPUID leaves of the default model (tx86), RDMSR/WRMSR
; of every MSR tx86 implements with #GP on unknown MSRs and reserved bits, RDTSC,
; RDPMC, MOV CR0/CR4 reserved-bit and combination #GP, CR1/CR5 #UD, CLTS, LMSW,
; and a SYSEXIT -> ring 3 -> SYSENTER round trip.  Ring-3 faults: msr_ring3.asm.
; EXPECT-STATUS: 1
;
; Against QEMU 7.2 (-cpu pentium2): the CPUID lines differ (other model), and
; QEMU departs from the SDM where this test follows it:
;  - WRMSR to IA32_TSC: P6 writes only the low 32 bits and clears the high half
;    (SDM Vol. 3B 17.17, "Time-Stamp Counter"); QEMU writes all 64 bits;
;  - IA32_APIC_BASE (the tx86 model has an APIC: 0xFEE00900, enabled, BSP):
;    reserved bit 10 set raises #GP (SDM Vol. 4, table 2-2), not checked against QEMU;
;  - MTRR/PAT reserved memory types and reserved bits: #GP (SDM Vol. 3A 11.11.2.2,
;    11.12.2); QEMU accepts any value;
;  - PERFCTR writes: bits 39:32 are bit 31 sign-extended (SDM Vol. 3B 19.6.2 in
;    older editions, "P6 family performance counters"); QEMU has no P6 counters.
;  - unknown MSRs and reserved MSR bits: QEMU TCG reads 0 and ignores writes
;    instead of #GP(0) (SDM Vol. 2B, RDMSR/WRMSR);
;  - RDPMC: QEMU raises #UD (it has no counters); the SDM gives P6 PERFCTR0/1;
;  - CR4: QEMU's pentium2 accepts MCE, OSFXSR and bit 11 (UMIP), then loops in
;    the control-register section; bits a model lacks are reserved (SDM Vol. 3A
;    2.5, "#GP on setting a reserved bit in CR4").
; The SYSENTER/SYSEXIT section matches QEMU when its ring-3 RDPMC is left out.
%include "tests/guest/msr_lib.inc"

tests:
; ------------------------------------------------------------ CPUID
        xor eax, eax
        cpuid
        CHECK eax, 2
        CHECK ebx, 0x756E6547
        CHECK edx, 0x49656E69
        CHECK ecx, 0x6C65746E
        mov eax, 1
        cpuid
        CHECK eax, 0x633
        CHECK edx, 0x0789BB7F           ; FPU VME DE PSE TSC MSR PAE CX8 APIC SEP MTRR PGE CMOV PAT
                                        ; CLFSH MMX FXSR SSE SSE2
        CHECK ebx, 0x800                ; CLFLUSH line: 8 x 8 bytes
        CHECK ecx, 1                    ; SSE3
        mov eax, 2
        cpuid
        CHECK eax, 0x03020101
        CHECK edx, 0x0C040843
        mov eax, 7                      ; above the maximum: leaf 2 again
        cpuid
        CHECK eax, 0x03020101
        mov eax, 0x80000000
        cpuid
        CHECK eax, 0x80000004
        mov eax, 0x80000001
        cpuid
        CHECK edx, 0x00100000           ; NX
        mov edi, SCRATCH                ; brand string
        mov esi, 0x80000002
.brand: mov eax, esi
        cpuid
        stosd
        mov eax, ebx
        stosd
        mov eax, ecx
        stosd
        mov eax, edx
        stosd
        inc esi
        cmp esi, 0x80000005
        jne .brand
        mov esi, m_brand
        call print
        mov esi, SCRATCH
        call print
        mov al, 10
        out 0xE9, al
        REPORT "cpuid"

; ------------------------------------------------------------ unknown MSRs
        mov ecx, 0x12345
        FAULT 13, rdmsr
        FAULT 13, wrmsr
        RDMSR_CHECK 0x1B, 0, 0xFEE00900 ; IA32_APIC_BASE: 0xFEE00000, enabled, BSP
        mov ecx, 0x1B
        xor edx, edx
        mov eax, 0xFEE00D00             ; bit 10 is reserved
        FAULT 13, wrmsr
        mov ecx, 0x210                  ; one past the 8 variable MTRR pairs
        FAULT 13, rdmsr
        mov ecx, 0xC0000081             ; STAR: no SYSCALL
        FAULT 13, rdmsr
        REPORT "msr unknown"

; ------------------------------------------------------------ TSC
        WRMSR 0x10, 5, 0x1000           ; P6: high half cleared
        mov ecx, 0x10
        rdmsr
        CHECK edx, 0
        sub eax, 0x1000
        cmp eax, 0x10000000
        jb .t1
        inc ebp
.t1:    rdtsc                           ; strictly increasing
        mov esi, eax
        mov edi, edx
        rdtsc
        sub eax, esi
        sbb edx, edi
        jc .t2
        or eax, edx
        jnz .t3
.t2:    inc ebp
.t3:    mov ebx, cr4
        or ebx, 4                       ; TSD: CPL 0 still reads the TSC
        mov cr4, ebx
        FAULT -1, rdtsc
        and ebx, ~4
        mov cr4, ebx
        REPORT "tsc"

; ------------------------------------------------------------ SYSENTER MSRs, EFER, misc
        WRMSR 0x174, 0xFFFF, 0x00000008  ; high half ignored
        RDMSR_CHECK 0x174, 0, 8
        WRMSR 0x175, 0, 0x00088000
        RDMSR_CHECK 0x175, 0, 0x88000
        WRMSR 0x176, 0, sys_entry
        RDMSR_CHECK 0x176, 0, sys_entry
        RDMSR_CHECK 0xC0000080, 0, 0
        WRMSR 0xC0000080, 0, 0x800      ; NXE
        RDMSR_CHECK 0xC0000080, 0, 0x800
        mov ecx, 0xC0000080
        mov edx, 0
        mov eax, 0x801                  ; SCE: reserved without SYSCALL
        FAULT 13, wrmsr
        mov eax, 0x100                  ; LME
        FAULT 13, wrmsr
        WRMSR 0xC0000080, 0, 0
        RDMSR_CHECK 0x1A0, 0, 0x1801    ; MISC_ENABLE: fast strings, no BTS/PEBS
        WRMSR 0x1A0, 0, 0x401809
        RDMSR_CHECK 0x1A0, 0, 0x401809
        mov ecx, 0x1A0
        mov eax, 0x1            ; clears read-only bits 11, 12
        xor edx, edx
        FAULT 13, wrmsr
        RDMSR_CHECK 0x17, 0, 0          ; PLATFORM_ID
        mov ecx, 0x17
        FAULT 13, wrmsr
        WRMSR 0x8B, 0, 0                ; BIOS_SIGN_ID: Linux's microcode probe
        RDMSR_CHECK 0x8B, 0, 0
        REPORT "msr sysenter efer misc"

; ------------------------------------------------------------ MISC_ENABLE bits
        WRMSR 0x1A0, 4, 0x00C51809      ; the value Linux and test suites write
        RDMSR_CHECK 0x1A0, 4, 0x00C51809
        mov eax, 0x80000001             ; XD disable (bit 34) hides NX
        cpuid
        and edx, 1 << 20
        CHECK edx, 0
        mov ecx, 0xC0000080             ; and EFER.NXE cannot be set
        xor edx, edx
        mov eax, 0x800
        FAULT 13, wrmsr
        WRMSR 0x1A0, 0, 0x00C51809      ; XD enabled again
        mov eax, 0x80000001
        cpuid
        and edx, 1 << 20
        CHECK edx, 1 << 20
        mov ecx, 0x1A0
        xor edx, edx
        mov eax, 0x00C51889             ; bit 7 (performance monitoring): read-only
        FAULT 13, wrmsr
        mov eax, 0x00C5180B             ; bit 1: reserved
        FAULT 13, wrmsr
        WRMSR 0x1A0, 0, 0x1801
        RDMSR_CHECK 0x1A0, 0, 0x1801
        REPORT "misc_enable bits"

; ------------------------------------------------------------ MTRRs and PAT
        RDMSR_CHECK 0xFE, 0, 0x508
        mov ecx, 0xFE
        FAULT 13, wrmsr
        RDMSR_CHECK 0x2FF, 0, 0
        WRMSR 0x2FF, 0, 0xC06
        RDMSR_CHECK 0x2FF, 0, 0xC06
        mov ecx, 0x2FF
        xor edx, edx
        mov eax, 0xC02                  ; type 2 is reserved
        FAULT 13, wrmsr
        mov eax, 0x1006                 ; bit 12 reserved
        FAULT 13, wrmsr
        WRMSR 0x250, 0x06060606, 0x06060606
        RDMSR_CHECK 0x250, 0x06060606, 0x06060606
        WRMSR 0x258, 0x05040100, 0x06060606
        RDMSR_CHECK 0x258, 0x05040100, 0x06060606
        WRMSR 0x259, 0, 0
        WRMSR 0x268, 0, 0x06
        WRMSR 0x26F, 0x01000000, 0
        RDMSR_CHECK 0x26F, 0x01000000, 0
        RDMSR_CHECK 0x268, 0, 0x06
        mov ecx, 0x26F
        mov edx, 0x07000000             ; type 7 is not an MTRR type
        xor eax, eax
        FAULT 13, wrmsr
        mov ecx, 0x260                  ; not a fixed-range MTRR
        FAULT 13, rdmsr
        WRMSR 0x200, 0, 0x00100006      ; PHYSBASE0: 1 MiB, WB
        RDMSR_CHECK 0x200, 0, 0x00100006
        WRMSR 0x201, 0xF, 0xFFF00800    ; PHYSMASK0: valid, 1 MiB
        RDMSR_CHECK 0x201, 0xF, 0xFFF00800
        RDMSR_CHECK 0x20F, 0, 0
        mov ecx, 0x201
        mov edx, 0xF
        mov eax, 0xFFF00801             ; bit 0 reserved in a mask
        FAULT 13, wrmsr
        mov ecx, 0x200
        mov edx, 0x10                   ; above 36 physical address bits
        mov eax, 0x6
        FAULT 13, wrmsr
        RDMSR_CHECK 0x277, 0x00070406, 0x00070406
        WRMSR 0x277, 0x00070106, 0x00070105
        RDMSR_CHECK 0x277, 0x00070106, 0x00070105
        mov ecx, 0x277
        mov edx, 0x00070406
        mov eax, 0x00070402             ; PAT type 2 reserved
        FAULT 13, wrmsr
        mov eax, 0x00070408             ; bit 3 of an entry
        FAULT 13, wrmsr
        REPORT "msr mtrr pat"

; ------------------------------------------------------------ performance counters
        WRMSR 0x186, 0, 0x0043003C
        RDMSR_CHECK 0x186, 0, 0x0043003C
        RDMSR_CHECK 0x187, 0, 0
        mov ecx, 0x186
        xor edx, edx
        mov eax, 0x00200000             ; bit 21 reserved
        FAULT 13, wrmsr
        mov edx, 1
        xor eax, eax
        FAULT 13, wrmsr
        WRMSR 0x186, 0, 0
        WRMSR 0xC1, 0x12, 0x80000000    ; 40 bits, sign-extended from bit 31
        RDMSR_CHECK 0xC1, 0xFF, 0x80000000
        WRMSR 0xC2, 0, 0x1234
        RDMSR_CHECK 0xC2, 0, 0x1234
        xor ecx, ecx                    ; RDPMC at CPL 0 without CR4.PCE
        FAULT -1, rdpmc
        CHECK edx, 0xFF
        CHECK eax, 0x80000000
        mov ecx, 1
        FAULT -1, rdpmc
        CHECK eax, 0x1234
        mov ecx, 2
        FAULT 13, rdpmc
        REPORT "pmc"

; ------------------------------------------------------------ control registers
        mov eax, cr4
        CHECK eax, 0
        mov ebx, 0x1BF                  ; VME PVI TSD DE PSE PAE PGE PCE
        mov cr4, ebx
        mov eax, cr4
        CHECK eax, 0x1BF
        xor eax, eax
        mov cr4, eax
        mov eax, 0x40                   ; MCE: not claimed
        FAULT 13, mov cr4, eax
        mov eax, 0x600                  ; OSFXSR, OSXMMEXCPT: the model has SSE
        mov cr4, eax
        mov eax, cr4
        CHECK eax, 0x600
        xor eax, eax
        mov cr4, eax
        mov eax, 0x800                  ; bit 11 reserved
        FAULT 13, mov cr4, eax
        mov eax, cr4
        CHECK eax, 0
        mov ebx, cr0
        mov eax, 0x80000000             ; PG without PE
        FAULT 13, mov cr0, eax
        mov eax, ebx
        and eax, ~0x40000000
        or eax, 0x20000000              ; NW without CD
        FAULT 13, mov cr0, eax
        mov eax, 0x00000001             ; ET reads as 1
        FAULT -1, mov cr0, eax
        mov eax, cr0
        CHECK eax, 0x00000011
        FAULT 6, db 0x0F, 0x22, 0xC8    ; mov cr1, eax
        FAULT 6, db 0x0F, 0x20, 0xE8    ; mov eax, cr5
        FAULT 6, db 0x0F, 0x22, 0xF8    ; mov cr7, eax
        mov eax, 0x11 | 8               ; TS
        mov cr0, eax
        clts
        mov eax, cr0
        CHECK eax, 0x11
        mov ax, 0xE                     ; LMSW: MP EM TS, PE stays
        lmsw ax
        mov eax, cr0
        CHECK eax, 0x1F
        xor ax, ax
        lmsw ax
        mov eax, cr0
        CHECK eax, 0x11
        smsw ax
        CHECK ax, 0x11
        mov cr0, ebx
        REPORT "control registers"

; ------------------------------------------------------------ SYSENTER/SYSEXIT
sys_tests:
        WRMSR 0x174, 0, 0
        FAULT 13, sysenter              ; SYSENTER_CS = 0
        FAULT 13, sysexit
        WRMSR 0x174, 0, 0x08
        WRMSR 0x175, 0, 0x00088000
        WRMSR 0x176, 0, sys_entry
        mov eax, cr4
        or eax, 0x100                   ; PCE: RDPMC in ring 3
        mov cr4, eax
        mov [SCRATCH + 0x100], esp
        mov ecx, 0x00070000
        mov edx, ring3
        sysexit
ring3:
        mov ax, 0x23
        mov ds, ax
        mov es, ax
        mov [SCRATCH + 0x104], cs
        mov [SCRATCH + 0x108], ss
        mov [SCRATCH + 0x10C], esp
        xor ecx, ecx
        rdpmc
        mov [SCRATCH + 0x110], eax
        rdtsc
        mov esp, 0x12345678             ; SYSENTER replaces it
        sysenter
sys_entry:
        mov [SCRATCH + 0x114], cs
        mov [SCRATCH + 0x118], ss
        mov [SCRATCH + 0x11C], esp
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov esp, [SCRATCH + 0x100]
        CHECK word [SCRATCH + 0x104], 0x1B
        CHECK word [SCRATCH + 0x108], 0x23
        CHECK dword [SCRATCH + 0x10C], 0x70000
        CHECK dword [SCRATCH + 0x110], 0x80000000
        CHECK word [SCRATCH + 0x114], 0x08
        CHECK word [SCRATCH + 0x118], 0x10
        CHECK dword [SCRATCH + 0x11C], 0x88000
        mov eax, cr4
        and eax, ~0x100
        mov cr4, eax
        REPORT "sysenter sysexit"
        jmp finish

m_brand: db "brand: ", 0
        ROM_END
