; seg_wrap.asm - guest test ROM: accesses whose offset + size - 1 wraps
; past 4 GiB.  SDM vol. 3 5.3: an access of n bytes faults when its offset
; is greater than (effective limit - (n - 1)); "when the effective limit is
; FFFFFFFFH (4 GBytes), these accesses may or may not cause the indicated
; exceptions.  Behavior is implementation-specific".  tx86's rule (docs/
; cpu.md): every byte of the access, its offset taken modulo 2^32, must be
; inside the segment.  So with a limit below 4 GiB a wrapping access
; faults (#GP(0), #SS(0) through SS), in an expand-down segment too (the
; wrapped bytes are at the bottom, outside it), and with a 4 GiB expand-up
; limit it wraps without a fault (flat segments, and the same with a non-
; zero base or a read-only segment).  Plain loads, SS, a string
; instruction, CMPXCHG8B and LGDT's 6-byte operand.
; EXPECT-STATUS: 1
; TX86-ARGS: -no-reboot
;
; Line format: seg_lib.inc.  QEMU 7.2 TCG checks no limits: it prints FF
; on every faulting line (and the values it reads wrapped), and the LGDT of
; the last line loads a garbage GDT (triple fault).
%define LIN(x)  (0xF0000 + (x))
%include "tests/guest/seg_lib.inc"

%define UPBIG   0x48            ; base 200000, limit FFFFEFFF (G=1), B=1
%define UP4G    0x50            ; base 200000, limit FFFFFFFF (G=1), B=1
%define RO4G    0x58            ; read-only, base 200000, limit FFFFFFFF

        bits 16
        org 0
rm_start:
        SEG_RM_INIT
        jmp start

        bits 32
pm32:
        SEG_PM_INIT
        DESC UPBIG, DATA, 0xffffe, 0x93, 0xC
        DESC UP4G, DATA, 0xfffff, 0x93, 0xC
        DESC RO4G, DATA, 0xfffff, 0x91, 0xC
        mov dword [DATA-4], 0x22110000  ; offsets FFFFFFFC.. of the DATA-based segments
        mov dword [DATA], 0x00004433
        mov dword [DATA-0x1004], 0x5a5a5a5a

        ; ---- limit below 4 GiB: a wrapping access faults
        TRY
        mov ax, UPBIG
        mov es, ax
        xor eax, eax
        AT
        mov eax, [es:0xfffffffe]
        DONE m_big_ld, eax
        TRY
        mov ax, UPBIG
        mov es, ax
        AT
        mov word [es:0xffffffff], ax
        DONE m_big_st
        TRY
        mov ax, UPBIG
        mov es, ax
        mov eax, [es:0xffffeffc]
        DONE m_big_ok, eax
        TRY
        mov ax, UPBIG
        mov es, ax
        AT
        mov eax, [es:0xffffeffd]
        DONE m_big_over
        TRY
        mov ax, UPBIG
        mov ss, ax
        mov esp, 0x800
        AT
        mov eax, [ss:0xfffffffe]
        DONE m_big_ss, esp
        TRY
        mov ax, UPBIG
        mov ds, ax
        mov esi, 0xfffffffe
        mov edi, DATA+0x2000
        AT
        movsd
        DONE m_big_movs, esi, edi
        TRY
        mov ax, UPBIG
        mov es, ax
        AT
        cmpxchg8b [es:0xfffffffc]
        DONE m_big_cx8
        TRY
        mov ax, 0x30                    ; ED32: offsets above FFFF
        mov es, ax
        AT
        mov eax, [es:0xfffffffe]
        DONE m_ed32_wrap
        TRY
        mov ax, 0x30
        mov es, ax
        mov eax, [es:0xfffffffc]
        DONE m_ed32_top, eax
        TRY
        mov ax, 0x28                    ; ED16: offsets up to FFFF
        mov es, ax
        AT
        mov eax, [es:0xfffffffe]
        DONE m_ed16_wrap

        ; ---- 4 GiB expand-up: the access wraps
        TRY
        mov ax, UP4G
        mov es, ax
        mov eax, [es:0xfffffffe]
        DONE m_4g_ld, eax
        TRY
        mov ax, UP4G
        mov es, ax
        mov eax, 0x44332211
        mov [es:0xfffffffe], eax
        mov eax, [es:0xfffffffe]
        DONE m_4g_st, eax
        TRY
        mov ax, RO4G
        mov es, ax
        mov eax, [es:0xfffffffe]
        DONE m_ro4g_ld, eax
        TRY
        mov ax, UP4G
        mov ds, ax
        mov esi, 0xfffffffe
        mov edi, DATA+0x2000
        movsd
        mov eax, [es:DATA+0x2000]
        DONE m_4g_movs, eax, esi
        TRY
        mov eax, [0xfffffffe]           ; flat DS
        DONE m_flat_ld
        TRY                             ; last: loads garbage without the check
        mov ax, UPBIG
        mov es, ax
        AT
        lgdt [es:0xfffffffe]
        DONE m_big_lgdt

        SEG_FINISH
        SEG_LIB_CODE

title:          db "tx86 guest test: seg_wrap", 10, 0
m_big_ld:       db "limit ffffefff: dword at fffffffe", 0
m_big_st:       db "limit ffffefff: word store at ffffffff", 0
m_big_ok:       db "limit ffffefff: dword at ffffeffc", 0
m_big_over:     db "limit ffffefff: dword at ffffeffd", 0
m_big_ss:       db "limit ffffefff: ss dword at fffffffe", 0
m_big_movs:     db "limit ffffefff: movsd ds:fffffffe", 0
m_big_cx8:      db "limit ffffefff: cmpxchg8b at fffffffc", 0
m_big_lgdt:     db "limit ffffefff: lgdt at fffffffe", 0
m_ed32_wrap:    db "ed32: dword at fffffffe", 0
m_ed32_top:     db "ed32: dword at fffffffc", 0
m_ed16_wrap:    db "ed16: dword at fffffffe", 0
m_4g_ld:        db "limit 4g base 200000: dword at fffffffe", 0
m_4g_st:        db "limit 4g base 200000: store at fffffffe", 0
m_ro4g_ld:      db "read-only 4g: dword at fffffffe", 0
m_4g_movs:      db "limit 4g: movsd ds:fffffffe", 0
m_flat_ld:      db "flat: dword at fffffffe", 0

        SEG_RESET_VECTOR
