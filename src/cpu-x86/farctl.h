/*
 * farctl.h - far control transfers in protected mode (farctl.c): the
 * bodies of the far_jmp, far_call, retf and iret helpers (helpers_sys.c)
 * once real mode is ruled out.  All raise the SDM's exceptions and leave
 * the state untouched when they do.
 */
#ifndef TX86_FARCTL_H
#define TX86_FARCTL_H

#include <stdint.h>
#include "cpu-x86/cpu.h"

/* JMP/CALL ptr16:16/32 or m16:16/32 (code segment, call gate, TSS, task
 * gate); next_eip is the return address / the EIP saved by a task switch */
void far_jmp_pm(CPUState *env, uint16_t sel, uint32_t off, int opsize, uint32_t next_eip);
void far_call_pm(CPUState *env, uint16_t sel, uint32_t off, int opsize, uint32_t next_eip);
/* RETF [imm16] to the same or an outer privilege level */
void far_ret_pm(CPUState *env, int opsize, uint32_t imm);
/* IRET in protected or virtual-8086 mode (task return when NT=1) */
void iret_pm(CPUState *env, int opsize, uint32_t next_eip);

#endif
