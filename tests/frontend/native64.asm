; native64.asm - runs a 32-bit-compatible code snippet on the host CPU in
; 64-bit mode for the front-end self test (fe_selftest.c).
;   void fe_native_run(uint32_t *state, const void *code)
; state: EAX ECX EDX EBX ESP(unused) EBP ESI EDI, EFLAGS; the snippet ends in RET.
bits 64
section .text
global fe_native_run
fe_native_run:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    mov r15, rdi
    mov r14, rsi
    mov eax, [r15+32]
    push rax
    popfq
    mov eax, [r15+0]
    mov ecx, [r15+4]
    mov edx, [r15+8]
    mov ebx, [r15+12]
    mov ebp, [r15+20]
    mov esi, [r15+24]
    mov edi, [r15+28]
    call r14
    pushfq
    mov [r15+0], eax
    mov [r15+4], ecx
    mov [r15+8], edx
    mov [r15+12], ebx
    mov [r15+20], ebp
    mov [r15+24], esi
    mov [r15+28], edi
    pop rax
    mov [r15+32], eax
    cld
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret
section .note.GNU-stack noalloc noexec nowrite progbits
