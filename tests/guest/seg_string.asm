; seg_string.asm - guest test ROM: segment limit and type checks of the
; string instructions MOVS, CMPS, SCAS, LODS, STOS, INS, OUTS, with and
; without REP, on both their DS/override:ESI source and their ES:EDI
; destination: real mode (64 KiB limits, #GP and #SS), expand-up, expand-
; down 16/32-bit, read-only and null segments in protected mode, 32- and
; 16-bit address size, in 32- and 16-bit code.  A REP instruction that runs
; into the limit part way faults on the element that crosses it, with ECX,
; ESI and EDI describing the elements done (the instruction restarts).
; EXPECT-STATUS: 1
; TX86-ARGS: -no-reboot
;
; Line format: seg_lib.inc ("@": the fault is reported at the string
; instruction itself).  SDM references: vol. 3 5.3 (limit checking, expand-
; down), 5.4.1 (type checking: writes to read-only data, null selectors),
; vol. 2 "MOVS", "STOS", "INS", "OUTS", ... (exceptions: #GP(0) for
; DS/ES/FS/GS, #SS(0) for SS), vol. 3 20.1.1 and 22.33.1 (real mode: an
; operand crossing offset FFFFh is #GP, #SS through SS).  The INS/OUTS
; probes use port E9 (the debug console): an OUTS that faults must print
; nothing.  QEMU 7.2 TCG makes no segment limit checks on string
; instructions: every line with a fault vector prints FF there.
;
; Memory: test segments based at 0x200000 (seg_lib.inc), real-mode scratch
; segments 0x2000 and 0x3000.
%define LIN(x)  (0xF0000 + (x))
%include "tests/guest/seg_lib.inc"

        bits 16
        org 0
rm_start:
        SEG_RM_INIT

        TRY_RM                          ; movsw at DI=FFFF crosses the limit
        mov ax, 0x3000
        mov es, ax
        mov ax, 0x2000
        mov ds, ax
        mov di, 0xfff9
        xor si, si
        mov cx, 8
        AT
        rep movsw
        DONE_RM m_rm_movsw, cx, si, di
        TRY_RM                          ; ss:si word at FFFF: #SS
        mov si, 0xffff
        AT
        ss lodsw
        DONE_RM m_rm_sslods, si
        TRY_RM                          ; a byte at FFFF is inside; DI wraps to 0
        mov ax, 0x3000
        mov es, ax
        mov di, 0xffff
        stosb
        DONE_RM m_rm_stosb, di
        TRY_RM                          ; 32-bit address 10000
        mov ax, 0x3000
        mov es, ax
        mov edi, 0x10000
        AT
        a32 stosb
        DONE_RM m_rm_a32, di
        TRY_RM                          ; outsw from DS:FFFF: nothing printed
        mov ax, 0x2000
        mov ds, ax
        mov si, 0xffff
        mov dx, 0xe9
        AT
        outsw
        DONE_RM m_rm_outsw, si
        TRY_RM                          ; bytes: SI wraps from FFFF to 0 inside the run
        mov ax, 0x2000
        mov ds, ax
        mov si, 0xfffe
        mov cx, 4
        rep lodsb
        DONE_RM m_rm_wrap, cx, si
        jmp start

        bits 32
pm32:
        SEG_PM_INIT
        xor eax, eax                    ; test data: zeros
        mov edi, DATA
        mov ecx, 0x1000
        rep stosd

        ; ---- single elements, 32-bit addresses
        TRY
        mov ax, 0x20
        mov es, ax
        mov esi, DATA
        mov edi, 0x1000
        AT
        movsb
        DONE m_movsb_dst, esi, edi
        TRY
        mov ax, 0x20
        mov es, ax
        mov esi, DATA
        mov edi, 0xffd
        AT
        movsd
        DONE m_movsd_ffd, edi
        TRY
        mov ax, 0x20
        mov es, ax
        mov esi, DATA
        mov edi, 0xffc
        movsd
        DONE m_movsd_ffc, edi
        TRY
        mov ax, 0x20
        mov ds, ax
        mov ax, 0x10
        mov es, ax
        mov esi, 0x1000
        mov edi, DATA+0x2000
        AT
        movsb
        DONE m_movsb_src, esi, edi
        TRY
        mov ax, 0x20
        mov fs, ax
        mov esi, 0xffe
        AT
        fs lodsd
        DONE m_lods_fs, esi
        TRY
        mov ax, 0x20
        mov ss, ax
        mov esp, 0x800
        mov esi, 0xfff
        AT
        ss lodsw
        DONE m_lods_ss, esi, esp
        TRY
        mov ax, 0x38
        mov es, ax
        xor edi, edi
        AT
        stosb
        DONE m_stos_ro, edi
        TRY
        xor ax, ax
        mov es, ax
        mov edi, 0x600000
        AT
        stosw
        DONE m_stos_null, edi
        TRY
        mov ax, 0x20
        mov es, ax
        mov edi, 0x1000
        AT
        scasb
        DONE m_scas, edi
        TRY
        mov ax, 0x20
        mov ds, ax
        mov ax, 0x10
        mov es, ax
        mov esi, 0xffd
        mov edi, DATA
        AT
        cmpsd
        DONE m_cmps_src, esi, edi
        TRY
        mov ax, 0x30
        mov es, ax
        mov edi, 0xffff
        AT
        stosb
        DONE m_ed32_ffff, edi
        TRY
        mov ax, 0x30
        mov es, ax
        mov edi, 0x10000
        stosb
        DONE m_ed32_10000, edi
        TRY
        mov ax, 0x20
        mov es, ax
        mov edi, 0x1000
        mov dx, 0xe9
        AT
        insb
        DONE m_ins, edi
        TRY
        mov ax, 0x20
        mov ds, ax
        mov esi, 0x1000
        mov dx, 0xe9
        AT
        outsb
        DONE m_outs, esi

        ; ---- REP: the element that crosses the limit faults
        TRY
        mov ax, 0x20
        mov es, ax
        mov esi, DATA
        mov edi, 0xf00
        mov ecx, 0x40
        rep movsd                       ; ends at the limit
        DONE m_rep_inside, ecx, edi
        TRY
        mov ax, 0x20
        mov es, ax
        mov edi, 2
        mov ecx, 4
        std
        AT
        rep stosb                       ; 2, 1, 0, then FFFFFFFF
        DONE m_rep_below0, ecx, edi
        TRY
        mov ax, 0x20
        mov es, ax
        mov esi, DATA+0x100
        mov edi, 0xff0
        mov ecx, 0x20
        AT
        rep movsb
        DONE m_rep_movsb, ecx, esi, edi
        TRY
        mov ax, 0x28
        mov es, ax
        mov edi, 0x100c
        mov ecx, 8
        std
        AT
        rep stosd
        DONE m_rep_stosd_ed, ecx, edi
        TRY
        mov ax, 0x20
        mov ss, ax
        mov esp, 0x800
        mov esi, 0xffc
        mov ecx, 8
        AT
        rep ss lodsb
        DONE m_rep_lods_ss, ecx, esi, esp
        TRY
        mov ax, 0x20
        mov ds, ax
        mov ax, 0x10
        mov es, ax
        mov esi, 0xffc
        mov edi, DATA+0xffc
        mov ecx, 8
        AT
        repe cmpsb
        DONE m_repe_cmpsb, ecx, esi, edi
        TRY
        mov ax, 0x20
        mov es, ax
        mov al, 0x5a
        mov edi, 0xffe
        mov ecx, 5
        AT
        repne scasb
        DONE m_repne_scasb, ecx, edi
        TRY
        mov dword [DATA+0xffc], 0x63626100
        mov ax, 0x20
        mov ds, ax
        mov esi, 0xffd
        mov ecx, 5
        mov dx, 0xe9
        AT
        rep outsb
        DONE m_rep_outsb, ecx, esi

        ; ---- 16-bit addresses, in 16-bit code
        TRY
        mov edi, 0xffa
        mov ecx, 4
        IN16
        mov ax, 0x20
        mov es, ax
        ATO
        rep stosw
        OUT16
        DONE m_a16_stosw, ecx, edi
        TRY
        mov edi, 0xffff
        IN16
        mov ax, 0x28
        mov es, ax
        ATO
        stosw
        OUT16
        DONE m_a16_ed16, edi
        TRY
        mov esi, 0xffff
        IN16
        mov ax, 0x28
        mov es, ax
        es lodsb
        OUT16
        DONE m_a16_ed16_ok, esi
        TRY
        mov esi, DATA
        mov edi, 0x1000
        IN16
        mov ax, 0x20
        mov es, ax
        ATO
        a32 movsb
        OUT16
        DONE m_a32_in16, esi, edi

        SEG_FINISH
        SEG_LIB_CODE

title:          db "tx86 guest test: seg_string", 10, 0
m_rm_movsw:     db "real rep movsw es:fff9 x8", 0
m_rm_sslods:    db "real ss lodsw si=ffff", 0
m_rm_stosb:     db "real stosb es:ffff", 0
m_rm_a32:       db "real a32 stosb es:10000", 0
m_rm_outsw:     db "real outsw ds:ffff", 0
m_movsb_dst:    db "movsb es:1000", 0
m_movsd_ffd:    db "movsd es:ffd", 0
m_movsd_ffc:    db "movsd es:ffc", 0
m_movsb_src:    db "movsb ds:1000", 0
m_lods_fs:      db "lodsd fs:ffe", 0
m_lods_ss:      db "lodsw ss:fff", 0
m_stos_ro:      db "stosb read-only es", 0
m_stos_null:    db "stosw null es", 0
m_scas:         db "scasb es:1000", 0
m_cmps_src:     db "cmpsd ds:ffd", 0
m_ed32_ffff:    db "stosb ed32 es:ffff", 0
m_ed32_10000:   db "stosb ed32 es:10000", 0
m_ins:          db "insb es:1000", 0
m_outs:         db "outsb ds:1000", 0
m_rm_wrap:      db "real rep lodsb ds:fffe x4", 0
m_rep_inside:   db "rep movsd es:f00 x40", 0
m_rep_below0:   db "std rep stosb es:2 x4", 0
m_rep_movsb:    db "rep movsb es:ff0 x20", 0
m_rep_stosd_ed: db "std rep stosd ed16 es:100c x8", 0
m_rep_lods_ss:  db "rep lodsb ss:ffc x8", 0
m_repe_cmpsb:   db "repe cmpsb ds:ffc x8", 0
m_repne_scasb:  db "repne scasb es:ffe x5", 0
m_rep_outsb:    db "rep outsb ds:ffd x5", 0
m_a16_stosw:    db "code16 rep stosw es:ffa x4", 0
m_a16_ed16:     db "code16 stosw ed16 es:ffff", 0
m_a16_ed16_ok:  db "code16 lodsb ed16 es:ffff", 0
m_a32_in16:     db "code16 a32 movsb es:1000", 0

        SEG_RESET_VECTOR
