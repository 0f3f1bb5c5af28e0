; nmi_block.asm - guest test of NMI blocking (SDM vol. 3, 6.7.1 "Handling
; Multiple NMIs"): from the delivery of an NMI until the next IRET, further
; NMIs are held pending (at most one), then taken right after that IRET.
; Any IRET ends the blocking, also one returning from an exception taken
; inside the NMI handler.  The NMIs come from the local APIC (self-IPI with
; delivery mode NMI) and from the IOAPIC (the PIT's pin routed as NMI), the
; two ways a guest makes the APIC raise one.
; EXPECT-STATUS: 1
%include "tests/guest/msr_lib.inc"

%define APIC     0xFEE00000
%define IOAPIC   0xFEC00000
%define NMIS     0x700          ; NMI handler entries
%define SEEN     0x704          ; NMIS as the outer handler saw it at its end
%define MODE     0x708          ; what the next handler entry does (below)
%define DEPTH    0x70C          ; handlers running now
%define MAXDEPTH 0x710          ; most handlers running at once

%define M_COUNT  0              ; only count
%define M_IPI    1              ; send itself an NMI, run a while, IRET
%define M_INT3   2              ; send itself an NMI, then INT3 (its IRET unblocks)
%define M_PIT    3              ; wait for three PIT periods, IRET

tests:
        mov eax, nmi_handler
        mov [IDT_RAM + 2 * 8], ax
        shr eax, 16
        mov [IDT_RAM + 2 * 8 + 6], ax
        mov dword [APIC + 0xF0], 0x1FF          ; APIC software enable

; ------------------------------------------------------------ self-IPI NMI
        call clear
        mov dword [MODE], M_IPI
        mov dword [APIC + 0x300], 0x40400       ; NMI to self
        call wait2
        CHECK dword [NMIS], 2                   ; the held one ran at the IRET
        CHECK dword [SEEN], 1                   ; not inside the first handler
        CHECK dword [MAXDEPTH], 1
        REPORT "nmi held until iret"

; ------------------------------------------------------------ IRET of an exception
        call clear
        mov dword [MODE], M_INT3
        mov dword [APIC + 0x300], 0x40400
        call wait2
        CHECK dword [NMIS], 2
        CHECK dword [SEEN], 2                   ; taken after the #BP handler's IRET
        CHECK dword [MAXDEPTH], 2               ; nested in the first handler
        CHECK dword [LAST_VEC], 3
        REPORT "nmi unblocked by any iret"

; ------------------------------------------------------------ IOAPIC NMI
        call clear
        mov dword [MODE], M_PIT
        mov al, 0x34                            ; PIT channel 0, mode 2
        out 0x43, al
        mov ax, 1193                            ; about 1 ms
        out 0x40, al
        mov al, ah
        out 0x40, al
        mov dword [IOAPIC], 0x15                ; pin 2: destination APIC 0
        mov dword [IOAPIC + 0x10], 0
        mov dword [IOAPIC], 0x14                ; edge, NMI delivery, unmasked
        mov dword [IOAPIC + 0x10], 0x400
        call wait2                              ; the first NMI and the held one
        mov dword [IOAPIC + 0x10], 0x10000      ; masked again
        mov eax, [SEEN]
        CHECK eax, 1                            ; ticks in the handler were held
        CHECK dword [MAXDEPTH], 1
        mov eax, [NMIS]
        cmp eax, 2
        setae al
        movzx eax, al
        CHECK eax, 1
        REPORT "ioapic nmi held until iret"
        jmp finish

wait2:  mov ecx, 0x1000000                      ; until two NMIs ran (bounded):
.w:     cmp dword [NMIS], 2                     ; delivery takes a while
        jae .d
        in al, 0x80
        loop .w
.d:     ret

clear:  mov dword [NMIS], 0
        mov dword [SEEN], 0
        mov dword [DEPTH], 0
        mov dword [MAXDEPTH], 0
        mov dword [LAST_VEC], -1
        ret

nmi_handler:
        push eax
        push ecx
        inc dword [NMIS]
        inc dword [DEPTH]
        mov eax, [DEPTH]
        cmp eax, [MAXDEPTH]
        jbe .d
        mov [MAXDEPTH], eax
.d:     mov eax, [MODE]
        mov dword [MODE], M_COUNT               ; nested or later entries count
        cmp eax, M_IPI
        je .ipi
        cmp eax, M_INT3
        je .int3
        cmp eax, M_PIT
        je .pit
        jmp .out
.ipi:   mov dword [APIC + 0x300], 0x40400       ; NMI to self: held
        mov ecx, 100
.spin:  out 0x80, al                            ; instruction boundaries
        loop .spin
        jmp .seen
.int3:  mov dword [APIC + 0x300], 0x40400
        mov ecx, 100                            ; give it time to arrive
.spin3: out 0x80, al
        loop .spin3
        mov dword [RESUME], .seen
        int3                                    ; its handler IRETs to .seen
.pit:   mov ecx, 3                              ; three PIT wrap-arounds
        mov ah, 0xff
.tick:  mov al, 0                               ; latch channel 0
        out 0x43, al
        in al, 0x40
        in al, 0x40                             ; high byte
        cmp al, ah
        mov ah, al
        jbe .tick                               ; still counting down
        loop .tick
.seen:  mov eax, [NMIS]
        mov [SEEN], eax
.out:   dec dword [DEPTH]
        pop ecx
        pop eax
        iretd
        ROM_END
