; sys_integration.asm - guest test ROM: the system-CPU integration test.
; EXPECT-STATUS: 1
;
; Boots into paged protected mode like a small kernel (GDT with ring-0 and
; ring-3 segments, a call gate and a task gate, IDT with interrupt gates,
; a TSS with ring-0 stack and I/O bitmap, SYSENTER MSRs, identity-mapped
; first 4 MiB with user pages, 0x300000-0x301FFF not present), then runs
; ring-3 code that prints through system calls:
;   (a) page faults    a ring-3 read and write to absent pages: #PF with
;                      error codes 4 and 6 and CR2, the ring-0 handler maps
;                      the page and the instruction restarts
;   (b) syscalls       INT 0x80 through a DPL-3 interrupt gate (stack switch
;                      from the TSS), and a far CALL through a DPL-3 call gate
;                      (RETF back to ring 3)
;   (c) sysenter       SYSENTER to ring 0 and SYSEXIT back
;   (d) task switch    CALL through a DPL-3 task gate to a ring-0 task with
;                      its own TSS and CR3, IRET back (NT, back link)
;   (e) v8086 task     a syscall IRETs into v8086 mode; the real-mode routine
;                      computes with real-mode segments and returns through
;                      INT 0x30 to the ring-0 monitor, which resumes the
;                      syscall
;   (f) io bitmap      ring 3 (IOPL 0) writes port 0xE9, allowed by the TSS
;                      bitmap
; one line per step, then PASS (exit status 1) or FAIL (status 3).
; Expected output checked against qemu-system-i386 (identical).
;
; Memory: GDT 0x1000, IDT 0x2000, TSS 0x3000 (I/O bitmap to 0x5068), task 2
; TSS 0x5200, PD 0x20000, PT 0x21000; stacks: ring 0 0x90000, SYSENTER
; 0x8C000, v8086 monitor 0x88000, ring 3 0x80000, task 2 0x70000, v86 0:7000.
%define LIN(x) (0xF0000 + (x))
%define GDT    0x1000
%define IDT    0x2000
%define TSS    0x3000
%define TSS2   0x5200
%define PD     0x20000
%define PT     0x21000
%define PFCNT  0x600
%define PFERR  0x604
%define PFCR2  0x608
%define SAVESP 0x60c

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
        ; IDT
        mov edi, IDT
        mov ecx, 256
.fill:  mov eax, LIN(unexpected)
        call set_gate
        add edi, 8
        loop .fill
        mov eax, LIN(pf_handler)
        mov edi, IDT + 14*8
        call set_gate
        mov eax, LIN(syscall)
        mov edi, IDT + 0x80*8
        call set_gate
        or byte [IDT + 0x80*8 + 5], 0x60        ; DPL 3
        mov eax, LIN(v86_monitor)
        mov edi, IDT + 0x30*8
        call set_gate
        or byte [IDT + 0x30*8 + 5], 0x60
        lidt [LIN(idt_desc)]
        ; TSS: ring-0 stack, I/O bitmap allowing port 0xE9 only
        mov edi, TSS
        xor eax, eax
        mov ecx, 0x68/4
        rep stosd
        mov dword [TSS + 4], 0x90000
        mov dword [TSS + 8], 0x10
        mov dword [TSS + 0x1c], PD      ; CR3 is loaded, never saved, by a switch
        mov word [TSS + 0x66], 0x68
        mov edi, TSS + 0x68
        mov al, 0xff
        mov ecx, 8192 + 1
        rep stosb
        and byte [TSS + 0x68 + 0xe9/8], ~(1 << (0xe9 & 7))
        mov ax, 0x28
        ltr ax
        ; task 2: ring 0, own TSS, CR3 = the same page directory
        mov edi, TSS2
        xor eax, eax
        mov ecx, 0x68/4
        rep stosd
        mov dword [TSS2 + 0x1c], PD
        mov dword [TSS2 + 0x20], LIN(task2)
        mov dword [TSS2 + 0x24], 2
        mov dword [TSS2 + 0x38], 0x70000
        mov dword [TSS2 + 0x48], 0x10
        mov dword [TSS2 + 0x4c], 0x08
        mov dword [TSS2 + 0x50], 0x10
        mov dword [TSS2 + 0x54], 0x10
        mov dword [TSS2 + 0x58], 0x10
        mov dword [TSS2 + 0x5c], 0x10
        mov word [TSS2 + 0x66], 0x68
        ; SYSENTER
        mov ecx, 0x174
        mov eax, 0x08
        xor edx, edx
        wrmsr
        mov ecx, 0x175
        mov eax, 0x8c000
        wrmsr
        mov ecx, 0x176
        mov eax, LIN(sysenter_entry)
        wrmsr
        ; paging: identity 4 MiB, user + writable; two pages absent
        mov edi, PT
        mov eax, 0x007
        mov ecx, 1024
.pt:    stosd
        add eax, 0x1000
        loop .pt
        mov dword [PT + 0x300*4], 0
        mov dword [PT + 0x301*4], 0
        mov edi, PD
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov dword [PD], PT + 7
        mov eax, PD
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov esi, LIN(m_boot)
        call print
        mov dword [PFCNT], 0
        ; to ring 3 (ring-0 data selectors would be nulled by the IRET)
        mov ax, 0x23
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        push dword 0x23                 ; SS
        push dword 0x80000              ; ESP
        push dword 0x00000002           ; EFLAGS: IOPL 0, IF 0
        push dword 0x1b                 ; CS
        push dword LIN(user)            ; EIP
        iretd

; ================================================================ ring 3
%macro SYS_PRINT 1
        mov esi, LIN(%1)
        mov eax, 1
        int 0x80
%endmacro
user:
        mov ax, cs
        cmp ax, 0x1b
        jne ufail
        ; (a) page faults
        mov eax, [0x300010]             ; read, absent: #PF(4)
        cmp eax, 0
        jne ufail
        cmp dword [PFERR], 4
        jne ufail
        cmp dword [PFCR2], 0x300010
        jne ufail
        mov dword [0x301020], 0x55      ; write, absent: #PF(6)
        cmp dword [0x301020], 0x55
        jne ufail
        cmp dword [PFERR], 6
        jne ufail
        cmp dword [PFCR2], 0x301020
        jne ufail
        cmp dword [PFCNT], 2
        jne ufail
        SYS_PRINT m_pf
        ; (b) INT 0x80 and the call gate
        mov eax, 2
        mov ebx, 40
        mov ecx, 2
        int 0x80
        cmp eax, 42
        jne ufail
        call 0x3b:0                     ; call gate (DPL 3) -> ring 0
        cmp eax, 0xc0de
        jne ufail
        mov ax, ss
        cmp ax, 0x23
        jne ufail
        SYS_PRINT m_sys
        ; (c) SYSENTER / SYSEXIT
        mov ecx, esp
        mov edx, LIN(.back)
        mov eax, 0x1234
        sysenter
.back:  cmp eax, 0x5e5e
        jne ufail
        mov ax, cs
        cmp ax, 0x1b
        jne ufail
        mov ax, ss
        cmp ax, 0x23
        jne ufail
        SYS_PRINT m_sysenter
        ; (d) hardware task switch through a DPL-3 task gate
        mov ebx, 0x77
        call 0x4b:0
        cmp ebx, 0x77                   ; our registers came back from the TSS
        jne ufail
        cmp dword [0x610], 0x77 * 2     ; task 2's work
        jne ufail
        mov ax, cs
        cmp ax, 0x1b
        jne ufail
        SYS_PRINT m_task
        ; (e) a v8086-mode routine
        mov eax, 4
        int 0x80
        cmp eax, 0x1234 + 0x4321
        jne ufail
        cmp word [0x6000], 0xbeef       ; written through DS = 0x600
        jne ufail
        SYS_PRINT m_v86
        ; (f) port 0xE9 from ring 3 through the I/O bitmap
        mov esi, LIN(m_io)
.o:     mov al, [esi]
        inc esi
        test al, al
        jz .od
        out 0xe9, al
        jmp .o
.od:    mov eax, 5                      ; done: PASS
        int 0x80
ufail:
        mov eax, 6
        int 0x80

; ================================================================ ring 0
syscall:                                ; INT 0x80, function in EAX
        push ebx
        mov bx, ss
        cmp bx, 0x10                    ; stack from TSS.SS0
        jne fail
        cmp dword [esp + 8], 0x1b       ; caller's CS
        jne fail
        pop ebx
        cmp eax, 1
        je .print
        cmp eax, 2
        je .add
        cmp eax, 4
        je .v86
        cmp eax, 5
        je pass
        jmp fail
.print: call print
        iretd
.add:   mov eax, ebx
        add eax, ecx
        iretd
.v86:   mov [SAVESP], esp               ; the monitor resumes here
        mov dword [TSS + 4], 0x88000    ; v86 interrupts use another stack
        push dword 0                    ; GS
        push dword 0                    ; FS
        push dword 0x600                ; DS
        push dword 0                    ; ES
        push dword 0                    ; SS
        push dword 0x7000               ; ESP
        push dword 0x00023002           ; EFLAGS: VM, IOPL 3
        push dword 0xf000               ; CS
        push dword v86_code             ; EIP
        iretd
v86_monitor:                            ; INT 0x30 from v8086 mode
        test dword [esp + 8], 0x20000   ; VM in the saved EFLAGS
        jz fail
        cmp dword [esp + 4], 0xf000     ; v86 CS
        jne fail
        mov bx, ds                      ; data segments nulled
        test bx, bx
        jnz fail
        mov bx, 0x23                    ; ring-3 data: stays valid after IRET
        mov ds, bx
        mov es, bx
        mov dword [TSS + 4], 0x90000
        mov esp, [SAVESP]               ; back into the INT 0x80 frame
        iretd                           ; EAX = the v86 routine's result

callgate:                               ; far CALL through the call gate
        mov bx, ss
        cmp bx, 0x10
        jne fail
        cmp dword [esp + 4], 0x1b       ; caller's CS
        jne fail
        mov eax, 0xc0de
        retf

sysenter_entry:
        mov bx, cs
        cmp bx, 0x08
        jne fail
        cmp esp, 0x8c000
        jne fail
        cmp eax, 0x1234
        jne fail
        mov eax, 0x5e5e
        sysexit

task2:                                  ; ring-0 task, entered by CALL
        str ax
        cmp ax, 0x30
        jne fail
        pushfd
        test dword [esp], 0x4000        ; NT
        jz fail
        popfd
        cmp word [TSS2], 0x28           ; back link
        jne fail
        mov eax, cr3
        cmp eax, PD
        jne fail
        clts
        mov eax, [TSS + 0x34]           ; caller's EBX from its TSS
        add eax, eax
        mov [0x610], eax
        iretd
        jmp fail

pf_handler:
        push eax
        mov eax, [esp + 4]
        mov [PFERR], eax
        mov eax, cr2
        mov [PFCR2], eax
        inc dword [PFCNT]
        shr eax, 12
        and eax, 0x3ff
        push ebx
        mov ebx, eax
        shl ebx, 12
        or ebx, 7
        mov [PT + eax*4], ebx
        pop ebx
        pop eax
        add esp, 4
        iretd

pass:
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
fail:
        mov ax, 0x10
        mov ds, ax
        mov esi, LIN(m_fail)
        call print
        mov al, 1
        out 0xf4, al
        hlt
print:                                  ; ring 0: string at ds:esi
        push eax
.l:     mov al, [esi]
        inc esi
        test al, al
        jz .d
        out 0xe9, al
        jmp .l
.d:     pop eax
        ret

; ================================================================ v8086
        bits 16
v86_code:                               ; CS = 0xF000, DS = 0x600
        mov ax, 0x1234
        mov bx, 0x4321
        add ax, bx
        mov word [0], 0xbeef            ; linear 0x6000
        push ds
        push word 0x0060
        pop es
        cmp word [es:0x5a00], 0xbeef    ; 0x600 + 0x5a00 = 0x6000 too
        pop ds
        jne .bad
        movzx eax, ax
        int 0x30
.bad:   xor eax, eax
        int 0x30

m_boot:     db "paged protected mode", 10, 0
m_pf:       db "ring 3 page faults ok", 10, 0
m_sys:      db "int 0x80 and call gate ok", 10, 0
m_sysenter: db "sysenter/sysexit ok", 10, 0
m_task:     db "task switch ok", 10, 0
m_v86:      db "v8086 task ok", 10, 0
m_io:       db "ring 3 io bitmap ok", 10, 0
m_pass:     db "PASS", 10, 0
m_fail:     db "FAIL", 10, 0
m_unexp:    db "unexpected interrupt", 10, 0

        align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF           ; 0x08 ring-0 code
        dq 0x00CF92000000FFFF           ; 0x10 ring-0 data
        dq 0x00CFFA000000FFFF           ; 0x18 ring-3 code
        dq 0x00CFF2000000FFFF           ; 0x20 ring-3 data
        dq 0x0000890030002068           ; 0x28 TSS (0x3000, limit 0x2068)
        dq 0x0000890052000067           ; 0x30 task 2 TSS (0x5200)
        dw ((callgate - $$) & 0xffff), 0x08, 0xec00, ((0xF0000 + callgate - $$) >> 16)  ; 0x38 call gate, DPL 3
        dq 0                            ; 0x40 unused
        dq 0x0000E50000300000           ; 0x48 task gate -> 0x30, DPL 3
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
