/*
 * v86.h - virtual-8086 mode (v86.c; SDM vol. 3 ch. 20): entering it by
 * IRET, the IOPL-sensitive instructions inside it, and VME/PVI's virtual
 * interrupt flag.  Callers are the instruction helpers (helper_iret,
 * helper_int_sw, helper_pushf, helper_popf); a task switch enters
 * virtual-8086 mode by itself (task.c) and interrupt delivery from it to
 * ring 0 is protected-mode delivery (intr_pm.c).
 *
 *     if (env->eflags & VM_MASK) { v86_iret(env, opsize); return; }
 */
#ifndef TX86_V86_H
#define TX86_V86_H

#include <stdint.h>
#include <stdbool.h>
#include "cpu-x86/cpu.h"

/* IRET executed in virtual-8086 mode (IOPL 3, or VME with 16-bit operands) */
void v86_iret(CPUState *env, uint32_t opsize);
/* protected-mode IRETD at CPL 0 whose EFLAGS image on the stack has VM=1:
 * pops EIP, CS, EFLAGS, ESP, SS, ES, DS, FS, GS and enters v8086 mode */
void v86_iret_enter(CPUState *env);
/* INT n (opcode CD) in virtual-8086 mode: true when it was handled here
 * (redirected to the task's real-mode IVT by VME), false when it goes
 * through the IDT as usual; #GP(0) when IOPL < 3 forbids it */
bool v86_int_sw(CPUState *env, int vector, uint32_t next_eip);
/* PUSHF/POPF in virtual-8086 mode (IOPL 3, or VME with 16-bit operands) */
uint32_t v86_pushf(CPUState *env, uint32_t opsize);
void v86_popf(CPUState *env, uint32_t val, uint32_t opsize);

#endif
