/*
 * task.h - hardware task switching (task.c; SDM vol. 3 ch. 7).
 *
 * Callers resolve what started the switch and do its privilege checks:
 * far JMP/CALL to a TSS (CPL and RPL <= TSS DPL) or through a task gate
 * (gate DPL), INT n / exceptions / IRQs through an IDT task gate, and IRET
 * with NT=1 (the back link of the current TSS).  task_switch() then does
 * everything else: checks on the new TSS descriptor, saving the current
 * state into the old TSS, busy bits, NT and the back link, CR3, LDTR,
 * segment registers, EFLAGS (possibly entering virtual-8086 mode), EIP
 * and the general registers.  Faults before the commit point leave the
 * old task intact; faults after it (segment checks, EIP beyond the CS
 * limit) are raised in the new task's context.
 *
 *     // far JMP to selector sel whose descriptor is an available TSS
 *     task_switch(env, sel, TASK_FROM_JMP, next_eip);
 *     // exception through a task gate, error code pushed on the new stack
 *     task_switch(env, gate_tss_sel, TASK_FROM_INT, eip_of_fault);
 *     task_push_error_code(env, err);
 */
#ifndef TX86_TASK_H
#define TX86_TASK_H

#include <stdint.h>
#include "cpu-x86/cpu.h"

enum { TASK_FROM_JMP, TASK_FROM_CALL, TASK_FROM_INT, TASK_FROM_IRET };

/* switch to the task whose TSS descriptor is tss_sel (in the GDT);
 * next_eip is the EIP saved in the old TSS */
void task_switch(CPUState *env, uint16_t tss_sel, int source, uint32_t next_eip);

/* after task_switch(.., TASK_FROM_INT, ..) for an exception with an error
 * code: push it on the new task's stack (dword for a 32-bit TSS) */
void task_push_error_code(CPUState *env, uint32_t error_code);

#endif
