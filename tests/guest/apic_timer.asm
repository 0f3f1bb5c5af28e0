; apic_timer.asm - guest test of the local APIC (src/cpu-x86/apic.c): CPUID.APIC
; and IA32_APIC_BASE, the ID/version registers, the timer in periodic mode
; (interrupts counted over HLT, timed with the TSC) and one-shot mode, self-IPIs
; through the ICR, TPR masking, nested priority classes and EOI order, a self
; NMI, the global disable through IA32_APIC_BASE, and the IOAPIC's registers.
; EXPECT-STATUS: 1
;
; Against QEMU 7.2 (-cpu pentium2) the timer, self-IPI, TPR and priority sections
; pass (both count the timer at 1 GHz); the others differ by choice:
;  - APIC version 0x50014 there (a thermal LVT, which no P6 has), 0x40014 here;
;  - LINT0 resets masked there (SDM 10.4.7.1); tx86 resets it to ExtINT, the
;    virtual wire mode a BIOS sets up, so guests that never touch the APIC get
;    i8259 interrupts (SeaBIOS programs 0x8700 on both);
;  - QEMU's ESR does not report a self-IPI with an illegal vector (SDM 10.5.3);
;  - QEMU's IOAPIC is version 0x20 (ICH-style), ours the 82093AA's 0x11;
;  - after a global disable QEMU keeps the registers mapped and their state;
;    here the APIC leaves the address space and resets, and CPUID.APIC reads 0
;    (SDM 10.4.3).
%include "tests/guest/msr_lib.inc"

%define APIC     0xFEE00000
%define IOAPIC   0xFEC00000
%define COUNT    0x700          ; timer interrupts
%define ORDER_N  0x704          ; entries in ORDER
%define ORDER    0x710          ; vectors in the order their handlers ran
%define T0       0x740          ; TSC at the start of a measurement
%define NEST     0x748          ; the 0x41 handler sends more IPIs when set

%macro GATE 2                   ; vector, handler
        mov eax, %2
        mov [IDT_RAM + %1 * 8], ax
        shr eax, 16
        mov [IDT_RAM + %1 * 8 + 6], ax
%endmacro

%macro SELF_IPI 1               ; fixed, shorthand self
        mov dword [APIC + 0x300], 0x40000 | %1
%endmacro

tests:
; ------------------------------------------------------------ identification
        mov eax, 1
        cpuid
        and edx, 1 << 9
        CHECK edx, 1 << 9
        RDMSR_CHECK 0x1B, 0, 0xFEE00900
        CHECK dword [APIC + 0x20], 0            ; ID of the BSP
        CHECK dword [APIC + 0x30], 0x00040014   ; version 0x14, max LVT 4
        CHECK dword [APIC + 0xF0], 0xFF         ; SVR: software-disabled
        CHECK dword [APIC + 0x350], 0x700       ; LINT0 ExtINT (virtual wire)
        CHECK dword [APIC + 0x320], 0x10000     ; timer masked
        REPORT "apic id version"

        GATE 0x40, isr_timer
        GATE 0x41, isr_41
        GATE 0x42, isr_42
        GATE 0x51, isr_51
        mov dword [APIC + 0xF0], 0x1FF          ; software enable, spurious 0xFF
        mov dword [APIC + 0x350], 0x10700       ; LINT0 masked: no i8259
        CHECK dword [APIC + 0xF0], 0x1FF

; ------------------------------------------------------------ periodic timer
        mov dword [COUNT], 0
        mov dword [APIC + 0x3E0], 0xB           ; divide by 1: 1 ns per tick
        mov dword [APIC + 0x320], 0x20040       ; periodic, vector 0x40
        rdtsc
        mov [T0], eax
        mov [T0 + 4], edx
        mov dword [APIC + 0x380], 1000000       ; 1 ms
        sti
.wait:  hlt
        cmp dword [COUNT], 10
        jb .wait
        cli
        rdtsc
        sub eax, [T0]
        sbb edx, [T0 + 4]
        CHECK edx, 0
        cmp eax, 9990000                        ; ten periods: at least 10 ms
        jae .t1
        inc ebp
.t1:    cmp eax, 2000000000                     ; and not forever
        jb .t2
        inc ebp
.t2:    mov eax, [APIC + 0x390]                 ; counting down from 1000000
        cmp eax, 1000000
        jbe .t3
        inc ebp
.t3:    mov dword [APIC + 0x380], 0             ; stop
        CHECK dword [APIC + 0x390], 0
        REPORT "periodic timer"

; ------------------------------------------------------------ one-shot timer
        mov dword [COUNT], 0
        mov dword [APIC + 0x320], 0x40          ; one-shot
        mov dword [APIC + 0x380], 100000        ; 100 us
        sti
        hlt                                     ; woken by the timer
        cli
        CHECK dword [COUNT], 1
        CHECK dword [APIC + 0x390], 0
        rdtsc                                   ; 300 us more: no second one
        mov esi, eax
.spin:  sti
        out 0x80, al
        cli
        rdtsc
        sub eax, esi
        cmp eax, 300000
        jb .spin
        CHECK dword [COUNT], 1
        mov dword [APIC + 0x320], 0x10040       ; masked again
        REPORT "one-shot timer"

; ------------------------------------------------------------ self-IPIs, TPR
        mov dword [ORDER_N], 0
        SELF_IPI 0x41
        mov eax, [APIC + 0x220]                 ; IRR bits 64-95: 0x41 pending
        and eax, 2
        CHECK eax, 2
        sti
        out 0x80, al                            ; ends the block: delivered here
        cli
        CHECK dword [ORDER_N], 1
        CHECK dword [APIC + 0x220], 0
        CHECK dword [APIC + 0x120], 0           ; ISR clear after its EOI

        mov dword [APIC + 0x80], 0x50           ; TPR class 5 masks class 4
        SELF_IPI 0x42
        sti
        out 0x80, al
        cli
        CHECK dword [ORDER_N], 1                ; still pending
        CHECK dword [APIC + 0xA0], 0x50         ; PPR = TPR
        CHECK dword [APIC + 0x220], 4
        mov dword [APIC + 0x80], 0x30
        sti
        out 0x80, al
        cli
        CHECK dword [ORDER_N], 2
        CHECK dword [ORDER + 4], 0x42
        mov dword [APIC + 0x80], 0

        ; nesting: the 0x41 handler sends 0x42 and 0x51 and opens IF; only
        ; 0x51 (a higher class) interrupts it, 0x42 waits for its EOI
        mov dword [ORDER_N], 0
        mov byte [NEST], 1
        SELF_IPI 0x41
        sti
        out 0x80, al
        cli
        mov byte [NEST], 0
        CHECK dword [ORDER_N], 3
        CHECK dword [ORDER], 0x41
        CHECK dword [ORDER + 4], 0x51
        CHECK dword [ORDER + 8], 0x42
        REPORT "self-IPI, TPR, priorities"

; ------------------------------------------------------------ NMI, ESR
        mov dword [LAST_VEC], -1
        mov dword [RESUME], .nmi_done
        mov dword [APIC + 0x300], 0x40400       ; NMI to self
        out 0x80, al
.nmi_done:
        CHECK dword [LAST_VEC], 2
        mov dword [APIC + 0x370], 0x10000       ; error LVT masked
        SELF_IPI 0x05                           ; illegal vector
        mov dword [APIC + 0x280], 0             ; latch
        CHECK dword [APIC + 0x280], 0x20        ; send illegal vector
        REPORT "nmi esr"

; ------------------------------------------------------------ IOAPIC registers
        mov dword [IOAPIC], 1
        CHECK dword [IOAPIC + 0x10], 0x00170011 ; 24 entries, version 0x11
        mov dword [IOAPIC], 0x14                ; pin 2 (the PIT) resets masked
        CHECK dword [IOAPIC + 0x10], 0x10000
        mov dword [IOAPIC + 0x10], 0x1A940
        CHECK dword [IOAPIC + 0x10], 0x1A940
        mov dword [IOAPIC + 0x10], 0x10000
        REPORT "ioapic registers"

; ------------------------------------------------------------ global disable
        mov ecx, 0x1B
        xor edx, edx
        mov eax, 0xFEE00100                     ; enable bit clear
        wrmsr
        CHECK dword [APIC + 0x30], 0xFFFFFFFF   ; gone from memory
        mov eax, 1
        cpuid
        and edx, 1 << 9
        CHECK edx, 0                            ; CPUID.APIC follows
        mov ecx, 0x1B
        xor edx, edx
        mov eax, 0xFEE00900
        wrmsr
        CHECK dword [APIC + 0x30], 0x00040014
        CHECK dword [APIC + 0xF0], 0xFF         ; state was lost
        REPORT "global disable"
        jmp finish

; ------------------------------------------------------------ handlers
record:                                 ; EAX: vector
        push ebx
        mov ebx, [ORDER_N]
        mov [ORDER + ebx * 4], eax
        inc dword [ORDER_N]
        pop ebx
        ret

isr_timer:
        inc dword [COUNT]
        mov dword [APIC + 0xB0], 0
        iretd

isr_41:
        push eax
        mov eax, 0x41
        call record
        cmp byte [NEST], 0
        je .eoi
        SELF_IPI 0x42
        SELF_IPI 0x51
        sti
        out 0x80, al                    ; 0x51 nests here, 0x42 does not
        cli
.eoi:   mov dword [APIC + 0xB0], 0
        pop eax
        iretd

isr_42:
        push eax
        mov eax, 0x42
        call record
        mov dword [APIC + 0xB0], 0
        pop eax
        iretd

isr_51:
        push eax
        mov eax, 0x51
        call record
        mov dword [APIC + 0xB0], 0
        pop eax
        iretd

        ROM_END
