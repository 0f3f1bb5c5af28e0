; v86_mode.asm - guest test ROM: virtual-8086 mode and VME (SDM vol. 3 ch. 20).
; EXPECT-STATUS: 1
;
; A ring-0 monitor enters v8086 mode with IRETD (VM=1, IOPL=3) and runs the
; v8086 code in this ROM at F000:xxxx.  The monitor's #GP handler logs the
; opcode of every trapped instruction and skips it; INT 0x30 (function in
; AX) is its service call: 0 ping, 1 IOPL := 0, 2 CR4.VME := 1, 3 finish,
; 4 set VIP, 5 clear VIP.
;   iopl 3     real-mode segments (DS=0x600 writes linear 0x6000), PUSHF
;              shows IOPL 3, CLI/STI allowed, INT 0x30 through the IDT to
;              ring 0 (frame with VM=1 and the v86 selectors, data
;              segments null in the handler)
;   io bitmap  OUT to an allowed port works, OUT to a denied port and a
;              word OUT whose second byte is denied -> #GP even at IOPL 3
;   iopl 0     CLI, PUSHF, INT n -> #GP(0) to the monitor
;   vme        CR4.VME: STI/CLI change VIF only, PUSHF shows IF=VIF and
;              IOPL=3, POPF sets VIF, INT 0x31 redirected through the v86
;              IVT by the TSS redirection bitmap, IRET restores VIF, STI with
;              VIP=1 -> #GP, PUSHFD -> #GP, INT 0x30 (bitmap bit set) -> #GP
; The monitor then checks its log and prints PASS.
; QEMU (TCG) does not implement VME (CR4.VME is ignored there: CLI in the
; vme step traps), so qemu-system-i386 stops at the "vme" step; the
; expected output follows the SDM (§20.3, §20.4); everything before it
; matches QEMU.
;
; Memory: GDT 0x1000, IDT 0x2000, TSS 0x3000 (redirection bitmap at
; 0x3068, I/O bitmap at 0x3088), log at 0x700, v86 stack 0000:7000,
; ring-0 stack 0x90000.
%define LIN(x) (0xF0000 + (x))
%define GDT    0x1000
%define IDT    0x2000
%define TSS    0x3000
%define LOGN   0x6fc
%define LOG    0x700

%include "tests/guest/pm_lib.inc"

        bits 16
        org 0
        PM_ENTER

        bits 32
pm32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov fs, ax
        mov gs, ax
        mov esp, 0x90000
        mov edi, IDT
        mov ecx, 256
.fill:  mov eax, LIN(unexpected)
        call set_gate
        add edi, 8
        loop .fill
        mov eax, LIN(gp_handler)
        mov edi, IDT + 13*8
        call set_gate
        mov eax, LIN(int30_handler)
        mov edi, IDT + 0x30*8
        call set_gate
        or byte [IDT + 0x30*8 + 5], 0x60        ; DPL 3
        lidt [LIN(idt_desc)]
        ; TSS: ring-0 stack, redirection bitmap (only 0x31 redirected),
        ; I/O bitmap (only port 0xE9 allowed)
        mov edi, TSS
        xor eax, eax
        mov ecx, 0x68/4
        rep stosd
        mov dword [TSS + 4], 0x90000
        mov dword [TSS + 8], 0x10
        mov word [TSS + 0x66], 0x88
        mov edi, TSS + 0x68
        mov al, 0xff
        mov ecx, 32 + 8192 + 1
        rep stosb
        and byte [TSS + 0x68 + 0x31/8], ~(1 << (0x31 & 7))
        and byte [TSS + 0x88 + 0xe9/8], ~(1 << (0xe9 & 7))
        mov ax, 0x18
        ltr ax
        ; v86 IVT entry 0x31 -> F000:v86_int31
        mov word [0x31*4], v86_int31
        mov word [0x31*4 + 2], 0xf000
        mov dword [LOGN], 0
        ; enter v8086 mode
        push dword 0                    ; GS
        push dword 0                    ; FS
        push dword 0x600                ; DS
        push dword 0                    ; ES
        push dword 0                    ; SS
        push dword 0x7000               ; ESP
        push dword 0x00023002           ; EFLAGS: VM, IOPL 3
        push dword 0xf000               ; CS
        push dword v86_start            ; EIP
        iretd

; ---- ring-0 monitor.  Frame after its pushes (eax ebx ecx edx esi ds):
;      +20 eax, +24 error code, +28 EIP, +32 CS, +36 EFLAGS, +40 ESP, +44 SS,
;      +48 ES, +52 DS, +56 FS, +60 GS
int30_handler:
        push dword 0                    ; no error code: make the frames alike
        push eax
        push ebx
        push ecx
        push edx
        push esi
        push ds
        mov bx, ds                      ; data segments were nulled
        test bx, bx
        jnz fail0
        mov bx, es
        test bx, bx
        jnz fail0
        mov bx, 0x10
        mov ds, bx
        mov al, 'I'
        xor edx, edx                    ; EIP already past INT
        jmp monitor
gp_handler:
        push eax
        push ebx
        push ecx
        push edx
        push esi
        push ds
        mov bx, 0x10
        mov ds, bx
        cmp dword [esp+24], 0           ; #GP(0)
        jne fail0
        movzx ebx, word [esp+32]        ; CS:IP of the instruction
        shl ebx, 4
        add ebx, [esp+28]
        mov al, [ebx]
        mov edx, 1
        cmp al, 0xe6
        je .two
        cmp al, 0xcd
        je .two
        cmp al, 0x66
        jne monitor
.two:   mov edx, 2
monitor:
        test dword [esp+36], 0x20000    ; interrupted v8086 code
        jz fail0
        cmp word [esp+52], 0x600        ; its DS in the frame
        jne fail0
        mov ecx, [LOGN]
        mov [LOG + ecx], al
        inc dword [LOGN]
        add [esp+28], edx
        cmp al, 0xcd
        je .service
        cmp al, 'I'
        jne .done
.service:
        mov eax, [esp+20]
        cmp ax, 0
        jne .s1
        mov word [esp+16], 0x3030       ; ping: BX = 0x3030
.s1:    cmp ax, 1
        jne .s2
        and dword [esp+36], ~0x3000     ; IOPL 0
.s2:    cmp ax, 2
        jne .s3
        mov ecx, cr4
        or ecx, 1                       ; VME
        mov cr4, ecx
.s3:    cmp ax, 3
        je finish
        cmp ax, 4
        jne .s5
        or dword [esp+36], 0x100000     ; VIP
.s5:    cmp ax, 5
        jne .done
        and dword [esp+36], ~0x100000
.done:  pop ds
        pop esi
        pop edx
        pop ecx
        pop ebx
        pop eax
        add esp, 4
        iretd

finish:
        mov ax, 0x10
        mov es, ax
        cmp word [0x6000], 0x1234
        jne fail0
        mov ecx, [LOGN]
        cmp ecx, log_end - log_expect
        jne fail0
        mov esi, LIN(log_expect)
        mov edi, LOG
        repe cmpsb
        jne fail0
        mov esi, LIN(m_log)
        call print
        mov esi, LIN(m_pass)
        call print
        mov al, 0
        out 0xf4, al
        hlt

        SET_GATE
unexpected:
        mov ax, 0x10
        mov ds, ax
        mov esi, LIN(m_unexp)
        call print
fail0:
        mov ax, 0x10
        mov ds, ax
        mov esi, LIN(m_fail)
        call print
        mov al, 1
        out 0xf4, al
        hlt
print:
        push eax
.l:     mov al, [esi]
        inc esi
        test al, al
        jz .d
        out 0xe9, al
        jmp .l
.d:     pop eax
        ret

; ---- virtual-8086 code (CS = 0xF000, DS = 0x600, SS:SP = 0000:7000)
        bits 16
v86_start:
        mov word [0], 0x1234            ; linear 0x6000
        pushf
        pop ax
        and ax, 0x3000
        cmp ax, 0x3000
        jne v86_fail
        cli
        sti
        cli
        mov si, m_v86
        call v86_print
        xor bx, bx
        mov ax, 0
        int 0x30                        ; ping through the IDT
        cmp bx, 0x3030
        jne v86_fail
        mov si, m_int
        call v86_print
        out 0x80, al                    ; denied port: #GP (E6)
        mov dx, 0xe9
        mov ax, 0x0a0a
        out dx, ax                      ; 0xEA denied: #GP (EF)
        mov si, m_io
        call v86_print
        mov ax, 1
        int 0x30                        ; IOPL := 0
        cli                             ; #GP (FA)
        pushf                           ; #GP (9C)
        mov ax, 2
        int 0x30                        ; #GP (CD): VME on
        mov si, m_iopl0
        call v86_print
        ; VME
        sti                             ; VIF := 1
        pushf
        pop ax
        test ax, 0x200
        jz v86_fail
        and ax, 0x3000
        cmp ax, 0x3000
        jne v86_fail
        cli                             ; VIF := 0
        pushf
        pop ax
        test ax, 0x200
        jnz v86_fail
        push word 0x0202
        popf                            ; VIF := 1
        pushf
        pop ax
        test ax, 0x200
        jz v86_fail
        xor bx, bx
        int 0x31                        ; redirected to the v86 IVT
        cmp bx, 0x3131
        jne v86_fail
        pushf
        pop ax
        test ax, 0x200                  ; IRET restored VIF
        jz v86_fail
        mov ax, 4
        int 0x30                        ; #GP (CD): VIP := 1
        cli
        sti                             ; VIP = 1: #GP (FB)
        mov ax, 5
        int 0x30                        ; #GP (CD): VIP := 0
        pushfd                          ; #GP (66)
        mov si, m_vme
        call v86_print
        mov ax, 3
        int 0x30                        ; #GP (CD): finish
        jmp v86_fail

v86_int31:
        push bp
        mov bp, sp
        mov ax, [bp+6]                  ; FLAGS image: IF = VIF, IOPL 3
        test ax, 0x200
        jz v86_fail
        and ax, 0x3000
        cmp ax, 0x3000
        jne v86_fail
        pushf                           ; VIF cleared on the way in
        pop ax
        test ax, 0x200
        jnz v86_fail
        pop bp
        mov bx, 0x3131
        iret

v86_print:                              ; cs:si, port 0xE9 (allowed)
        push ax
.l:     cs lodsb
        test al, al
        jz .d
        out 0xe9, al
        jmp .l
.d:     pop ax
        ret
v86_fail:
        mov si, m_fail
        call v86_print
        mov ax, 3                       ; the monitor's log check fails
        int 0x30
        hlt

log_expect: db 'I', 0xe6, 0xef, 'I', 0xfa, 0x9c, 0xcd, 0xcd, 0xfb, 0xcd, 0x66, 0xcd
log_end:

m_v86:    db "v86 entered (iopl 3)", 10, 0
m_int:    db "v86 int to ring 0 ok", 10, 0
m_io:     db "v86 io bitmap ok", 10, 0
m_iopl0:  db "v86 iopl 0 traps ok", 10, 0
m_vme:    db "v86 vme ok", 10, 0
m_log:    db "v86 monitor log ok", 10, 0
m_pass:   db "PASS", 10, 0
m_fail:   db "FAIL", 10, 0
m_unexp:  db "unexpected interrupt", 10, 0

        align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF           ; 0x08 code
        dq 0x00CF92000000FFFF           ; 0x10 data
        dq 0x0000890030002088           ; 0x18 TSS (0x3000, limit 0x2088)
gdt_end:
gdt_desc:
        dw gdt_end - gdt - 1
        dd GDT
idt_desc:
        dw 256*8-1
        dd IDT

        times 0xFFF0 - ($ - $$) db 0xFF
        bits 16
        jmp 0xF000:start
        times 0x10000 - ($ - $$) db 0xFF
