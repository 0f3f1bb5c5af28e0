; task_switch.asm - guest test ROM: hardware task switching (SDM vol. 3 ch. 7).
; EXPECT-STATUS: 1
;
; Flat 32-bit protected mode, GDT/IDT/TSSs in RAM (busy bits are written).
; Steps, one line each:
;   jmp      JMP to a 32-bit TSS and JMP back: registers from the TSS, NT=0,
;            CR0.TS set, busy bits (JMP clears the old one), state saved
;   call     CALL to the TSS: NT=1, back link, both busy; IRET back clears
;            the callee's busy bit and returns to the caller's saved state
;   gate     CALL through a task gate in the GDT, IRET back
;   int      INT n through a task gate in the IDT, IRET back
;   tss16    CALL to a 16-bit TSS (low register halves from the TSS, FS/GS
;            null), IRET back through the 16-bit back link.  The upper
;            halves of the registers are not checked: the SDM does not say;
;            Bochs (and tx86) load 0xFFFF, QEMU keeps the old task's
;   faults   JMP to a busy TSS -> #GP(sel); TSS limit < 0x67 -> #TS(sel);
;            TSS not present -> #NP(sel)
;   excp     #NP(0x50) through a task gate: the handler task gets the error
;            code on its stack, skips the faulting instruction in the
;            interrupted task's TSS and IRETs back
; Expected output checked against qemu-system-i386 (identical).
;
; Memory: GDT 0x1000, IDT 0x2000, TSSs at 0x3000 (main), 0x3200 (task2),
; 0x3400 (16-bit), 0x3600 (exception handler task); results at 0x500.
%define LIN(x) (0xF0000 + (x))
%define GDT    0x1000
%define IDT    0x2000
%define TSS0   0x3000
%define TSS2   0x3200
%define TSS16  0x3400
%define TSSH   0x3600
%define VEC    0x510            ; last fault vector (trap handler)
%define ERR    0x514            ; its error code
%define SKIP   0x518            ; bytes the trap handler skips

%include "tests/guest/pm_lib.inc"

        bits 16
        org 0
start:
        cli
        cld
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ax, cs
        mov ds, ax
        mov si, gdt
        mov di, GDT
        mov cx, gdt_end - gdt
        rep movsb
        xor ax, ax
        mov ds, ax
        lgdt [cs:gdt_desc]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp dword 0x08:LIN(pm32)

        bits 32
pm32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov fs, ax
        mov gs, ax
        mov esp, 0x90000
        ; IDT: every vector -> unexpected, 10/11/13 -> trap handler
        mov edi, IDT
        mov ecx, 256
.fill:  mov eax, LIN(unexpected)
        call set_gate
        add edi, 8
        loop .fill
        mov eax, LIN(trap_ts)
        mov edi, IDT + 10*8
        call set_gate
        mov eax, LIN(trap_np)
        mov edi, IDT + 11*8
        call set_gate
        mov eax, LIN(trap_gp)
        mov edi, IDT + 13*8
        call set_gate
        ; vector 0x40: task gate -> task2
        mov dword [IDT + 0x40*8], 0x00200000
        mov dword [IDT + 0x40*8 + 4], 0x00008500
        lidt [LIN(idt_desc)]
        ; TSSs
        mov edi, TSS0
        xor eax, eax
        mov ecx, 0x800/4
        rep stosd
        mov edi, TSS2
        mov eax, LIN(task2)
        mov ebx, 0x80000
        call init_tss
        mov dword [TSS2 + 0x28], 0x11111111     ; EAX
        mov dword [TSS2 + 0x34], 0x33333333     ; EBX
        mov edi, TSSH
        mov eax, LIN(htask)
        mov ebx, 0x60000
        call init_tss
        ; 16-bit TSS: IP, FLAGS, AX, SP, ES CS SS DS
        mov word [TSS16 + 0x0e], t16 ; IP (CS 0x58 has base 0xF0000)
        mov word [TSS16 + 0x10], 0x0002
        mov word [TSS16 + 0x12], 0x1234
        mov word [TSS16 + 0x1a], 0x7000
        mov word [TSS16 + 0x22], 0x10
        mov word [TSS16 + 0x24], 0x58
        mov word [TSS16 + 0x26], 0x10
        mov word [TSS16 + 0x28], 0x10
        mov ax, 0x18
        ltr ax

; ------------------------------------------------------------ jmp
        mov eax, 0x22222222
        mov ebx, 0x44444444
        jmp 0x20:0
after_jmp:
        cmp eax, 0x22222222
        jne fail
        cmp ebx, 0x44444444
        jne fail
        cmp dword [0x500], 1            ; task2's checks
        jne fail
        str ax
        cmp ax, 0x18
        jne fail
        cmp byte [GDT + 0x20 + 5], 0x89 ; task2 no longer busy
        jne fail
        cmp byte [GDT + 0x18 + 5], 0x8b
        jne fail
        mov esi, LIN(m_jmp)
        call print

; ------------------------------------------------------------ call
        call 0x20:0
        cmp dword [0x500], 2
        jne fail
        pushfd
        test dword [esp], 0x4000        ; NT clear again
        jnz fail
        popfd
        cmp byte [GDT + 0x20 + 5], 0x89 ; IRET cleared the callee's busy bit
        jne fail
        cmp byte [GDT + 0x18 + 5], 0x8b
        jne fail
        mov esi, LIN(m_call)
        call print

; ------------------------------------------------------------ gate
        call 0x48:0
        cmp dword [0x500], 3
        jne fail
        mov esi, LIN(m_gate)
        call print

; ------------------------------------------------------------ int
        int 0x40
        cmp dword [0x500], 4
        jne fail
        mov esi, LIN(m_int)
        call print

; ------------------------------------------------------------ tss16
        call 0x28:0
        cmp dword [0x500], 5
        jne fail
        cmp byte [GDT + 0x28 + 5], 0x81 ; 16-bit TSS available again
        jne fail
        mov esi, LIN(m_t16)
        call print

; ------------------------------------------------------------ faults
        mov dword [SKIP], 7             ; ea ptr16:32
        mov dword [VEC], 0
        jmp 0x18:0                      ; busy -> #GP(0x18)
        cmp dword [VEC], 13
        jne fail
        cmp dword [ERR], 0x18
        jne fail
        mov dword [VEC], 0
        call 0x38:0                     ; limit 0x50 -> #TS(0x38)
        cmp dword [VEC], 10
        jne fail
        cmp dword [ERR], 0x38
        jne fail
        mov dword [VEC], 0
        call 0x40:0                     ; not present -> #NP(0x40)
        cmp dword [VEC], 11
        jne fail
        cmp dword [ERR], 0x40
        jne fail
        cmp byte [GDT + 0x18 + 5], 0x8b ; nothing changed
        jne fail
        str ax
        cmp ax, 0x18
        jne fail
        mov esi, LIN(m_faults)
        call print

; ------------------------------------------------------------ excp
        mov dword [IDT + 11*8], 0x00300000      ; #NP -> task gate -> 0x30
        mov dword [IDT + 11*8 + 4], 0x00008500
        mov ecx, 0x5555
        mov ax, 0x50
        mov ds, ax                      ; #NP(0x50), 2 bytes, skipped
        mov ax, ds
        cmp ax, 0x10
        jne fail
        cmp ecx, 0x5555
        jne fail
        cmp dword [0x500], 6
        jne fail
        cmp dword [0x504], 0x50         ; error code seen by the handler
        jne fail
        mov esi, LIN(m_excp)
        call print
        mov esi, LIN(m_pass)
        call print
        mov al, 0
        out 0xf4, al
        hlt

; ---- task2: resumed at each step, checks and switches back
task2:
        cmp eax, 0x11111111
        jne fail
        cmp ebx, 0x33333333
        jne fail
        str ax
        cmp ax, 0x20
        jne fail
        pushfd
        test dword [esp], 0x4000        ; JMP: NT clear
        jnz fail
        popfd
        smsw ax
        test al, 8                      ; CR0.TS set by the switch
        jz fail
        clts
        cmp byte [GDT + 0x18 + 5], 0x89 ; JMP cleared the old busy bit
        jne fail
        cmp byte [GDT + 0x20 + 5], 0x8b
        jne fail
        mov dword [0x500], 1
        jmp 0x18:0
        ; second entry: CALL
        call check_nested
        mov dword [0x500], 2
        iretd
        ; third entry: CALL through the task gate
        call check_nested
        mov dword [0x500], 3
        iretd
        ; fourth entry: INT 0x40 through the IDT task gate
        call check_nested
        mov dword [0x500], 4
        iretd
        jmp fail

check_nested:
        pushfd
        test dword [esp], 0x4000        ; NT set
        jz fail
        popfd
        cmp word [TSS2], 0x18           ; back link
        jne fail
        cmp byte [GDT + 0x18 + 5], 0x8b ; both busy
        jne fail
        cmp byte [GDT + 0x20 + 5], 0x8b
        jne fail
        ret

; ---- the 16-bit TSS's task (CS 0x58: base 0xF0000, 32-bit code)
t16:
        mov esp, 0x70000
        cmp ax, 0x1234                  ; upper half: see the header
        jne fail
        mov ax, fs
        test ax, ax
        jnz fail
        mov ax, gs
        test ax, ax
        jnz fail
        cmp word [TSS16], 0x18
        jne fail
        mov dword [0x500], 5
        iretd

; ---- exception handler task: error code on its stack
htask:
        pop eax
        mov [0x504], eax
        cmp word [TSSH], 0x18           ; back link
        jne fail
        add dword [TSS0 + 0x20], 2      ; skip mov ds, ax in the main task
        mov dword [0x500], 6
        iretd
        jmp htask

; ---- helpers
init_tss:                               ; edi = TSS, eax = eip, ebx = esp
        push eax
        push edi
        push ecx
        xor eax, eax
        mov ecx, 0x68/4
        rep stosd
        pop ecx
        pop edi
        pop eax
        mov [edi + 0x20], eax
        mov dword [edi + 0x24], 2
        mov [edi + 0x38], ebx
        mov dword [edi + 0x48], 0x10    ; ES
        mov dword [edi + 0x4c], 0x08    ; CS
        mov dword [edi + 0x50], 0x10    ; SS
        mov dword [edi + 0x54], 0x10    ; DS
        mov dword [edi + 0x58], 0x10    ; FS
        mov dword [edi + 0x5c], 0x10    ; GS
        mov word [edi + 0x66], 0x68
        ret
        SET_GATE
trap_ts:
        mov dword [VEC], 10
        jmp trap
trap_np:
        mov dword [VEC], 11
        jmp trap
trap_gp:
        mov dword [VEC], 13
trap:                                   ; #TS/#NP/#GP: record, skip
        pop dword [ERR]
        push eax
        mov eax, [SKIP]
        add [esp+4], eax
        str ax                          ; still the main task
        cmp ax, 0x18
        jne fail
        pop eax
        iretd
unexpected:
        mov esi, LIN(m_unexp)
        call print
fail:
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

m_jmp:    db "task jmp ok", 10, 0
m_call:   db "task call/iret ok", 10, 0
m_gate:   db "task gate (gdt) ok", 10, 0
m_int:    db "task gate (idt) ok", 10, 0
m_t16:    db "task 16-bit tss ok", 10, 0
m_faults: db "task faults ok", 10, 0
m_excp:   db "task exception with error code ok", 10, 0
m_pass:   db "PASS", 10, 0
m_fail:   db "FAIL", 10, 0
m_unexp:  db "unexpected interrupt", 10, 0

        align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF           ; 0x08 code
        dq 0x00CF92000000FFFF           ; 0x10 data
        dq 0x0000890030000FFF           ; 0x18 main TSS (0x3000, limit 0xfff)
        dq 0x0000890032000067           ; 0x20 task2 TSS
        dq 0x000081003400002B           ; 0x28 16-bit TSS
        dq 0x0000890036000067           ; 0x30 handler task TSS
        dq 0x0000890038000050           ; 0x38 TSS with limit 0x50
        dq 0x000009003A000067           ; 0x40 TSS not present
        dq 0x0000850000200000           ; 0x48 task gate -> 0x20
        dq 0x00CF12000000FFFF           ; 0x50 data, not present
        dq 0x00409A0F0000FFFF           ; 0x58 code, base 0xF0000, 64 KiB
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
